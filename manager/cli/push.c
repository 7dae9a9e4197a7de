/* berth push [--tls-verify=BOOL] [--cert-dir DIR] [-q] IMAGE [DESTINATION]  */
#include "config.h"
#include "commands.h"
#include "registry_cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sys/stat.h>

#include "manager/registry/client.h"
#include "manager/registry/manifest.h"
#include "manager/registry/progress.h"
#include "manager/registry/reference.h"
#include "manager/store/store.h"
#include "util.h"

#define PUSH_CHUNK_DEFAULT (32LL * 1024 * 1024)

struct push_ctx
{
  struct berth_store *store;
  struct registry_client *client;
  struct registry_ref *dest;
  struct store_image *img;
  struct progress *progress;
  int64_t chunk_size;
};

static const char push_help[]
    = "Usage: berth push [OPTIONS] IMAGE [DESTINATION]\n\n"
      "Upload an image to a registry: to the repository IMAGE names, or to\n"
      "DESTINATION (NAME[:TAG]).  Blobs the registry has are skipped, blobs of\n"
      "another repository of the same registry are mounted, the rest uploaded\n"
      "(in chunks of $BERTH_PUSH_CHUNK_SIZE bytes, default 32 MiB, when larger).\n\n"
      "Options:\n"
      "  -q, --quiet                       print only the pushed digest line\n" REGISTRY_CLI_TLS_HELP;

/* Repositories of the same registry the image came from: candidates for
   a cross-repository mount ("ns/repo").  */
static char **
mount_sources (struct push_ctx *p)
{
  char **out = xcalloc (1, sizeof (char *));
  size_t n = 0;

  for (size_t i = 0; p->img->digests && p->img->digests[i]; i++)
    {
      cleanup_reference struct registry_ref *r = NULL;
      cleanup_error oci_error_t *e = NULL;
      if (reference_parse (p->img->digests[i], NULL, &r, &e) < 0 || !streq (r->domain, p->dest->domain)
          || streq (r->path, p->dest->path))
        continue;
      out = xreallocarray (out, n + 2, sizeof (char *));
      out[n++] = xstrdup (r->path);
      out[n] = NULL;
    }
  return out;
}

static int
upload_blob (struct push_ctx *p, const char *digest, int line, oci_error_t **err)
{
  cleanup_free char *path = store_blob_path (p->store, digest);
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC);
  struct stat st;

  if (fd < 0 || fstat (fd, &st) < 0)
    return oci_error_errno (err, errno, "open blob `%s`", path);
  return registry_blob_upload (p->client, p->dest->path, digest, fd, st.st_size, p->chunk_size, p->progress,
                               line, err);
}

/* One blob: skip, mount or upload.  line < 0: no progress line.  */
static int
push_blob (struct push_ctx *p, const char *digest, char *const *sources, int line, oci_error_t **err)
{
  bool exists = false, mounted = false;

  if (registry_blob_exists (p->client, p->dest->path, digest, &exists, err) < 0)
    return -1;
  if (exists)
    {
      if (line >= 0)
        progress_status (p->progress, line, "Layer already exists");
      return 0;
    }
  for (size_t i = 0; sources[i]; i++)
    {
      if (registry_blob_mount (p->client, p->dest->path, digest, sources[i], &mounted, err) < 0)
        return -1;
      if (mounted)
        {
          if (line >= 0)
            {
              cleanup_free char *msg = NULL;
              xasprintf (&msg, "Mounted from %s", sources[i]);
              progress_status (p->progress, line, msg);
            }
          return 0;
        }
    }
  if (line >= 0)
    progress_status (p->progress, line, "Pushing");
  if (upload_blob (p, digest, line, err) < 0)
    return -1;
  if (line >= 0)
    progress_status (p->progress, line, "Pushed");
  return 0;
}

static void
set_scope (struct push_ctx *p, char *const *sources)
{
  struct strbuf sb = STRBUF_INIT;

  strbuf_addf (&sb, "repository:%s:pull,push", p->dest->path);
  for (size_t i = 0; sources[i]; i++)
    strbuf_addf (&sb, " repository:%s:pull", sources[i]);
  registry_client_set_scope (p->client, strbuf_str (&sb));
  strbuf_release (&sb);
}

static int
push (struct push_ctx *p, bool quiet, oci_error_t **err)
{
  cleanup_free char *data = NULL, *name = reference_name (p->dest), *repo_digest = NULL;
  cleanup_strv char **sources = mount_sources (p);
  struct registry_image_manifest *m = NULL;
  size_t len = 0;
  int ret = -1;

  if (store_blob_read (p->store, p->img->manifest_digest, REGISTRY_MANIFEST_MAX, &data, &len, err) < 0
      || registry_manifest_parse (data, len, p->img->manifest_media_type, p->img->manifest_digest, &m, err)
             < 0)
    return -1;
  set_scope (p, sources);
  if (!quiet)
    printf ("The push refers to repository [%s]\n", name);
  fflush (stdout);
  int *lines = xcalloc (m->n_layers + 1, sizeof *lines);
  for (size_t i = m->n_layers; i-- > 0;)
    lines[i] = progress_add (p->progress, m->layers[i].digest, "Preparing");
  for (size_t i = m->n_layers; i-- > 0;)
    if (push_blob (p, m->layers[i].digest, sources, lines[i], err) < 0)
      goto out;
  if (push_blob (p, m->config.digest, sources, -1, err) < 0
      || registry_manifest_put (p->client, p->dest->path, p->dest->tag, data, len,
                                p->img->manifest_media_type, err)
             < 0)
    goto out;
  progress_finish (p->progress);
  printf ("%s: digest: %s size: %zu\n", p->dest->tag, p->img->manifest_digest, len);
  repo_digest = reference_with_digest (p->dest, p->img->manifest_digest);
  ret = store_image_add (p->store, p->img->manifest_digest, NULL, repo_digest, NULL, err);
out:
  free (lines);
  registry_manifest_free (m);
  return ret;
}

static int
chunk_size_from_env (int64_t *out, oci_error_t **err)
{
  const char *env = getenv ("BERTH_PUSH_CHUNK_SIZE");
  char *end;

  *out = PUSH_CHUNK_DEFAULT;
  if (env == NULL || *env == '\0')
    return 0;
  errno = 0;
  *out = strtoll (env, &end, 10);
  if (errno || *end || *out <= 0)
    return oci_error_set (err, EINVAL,
                          "BERTH_PUSH_CHUNK_SIZE: expected a positive number of bytes, got \"%s\"", env);
  return 0;
}

static int
push_run (struct berth_globals *g, const char *image, const char *dest, struct registry_session_opts *so,
          bool quiet, oci_error_t **err)
{
  struct push_ctx p = { 0 };
  const char *def;
  int ret;

  if (chunk_size_from_env (&p.chunk_size, err) < 0 || registry_default_domain (&def, err) < 0
      || reference_parse (dest ? dest : image, def, &p.dest, err) < 0)
    return -1;
  if (p.dest->digest)
    {
      reference_free (p.dest);
      return oci_error_set (err, EINVAL, "cannot push to a digest reference \"%s\"", dest ? dest : image);
    }
  so->config_dir = g->config_dir;
  ret = cli_store (g, &p.store, err);
  if (ret == 0)
    ret = cli_image_lookup (p.store, image, &p.img, err);
  if (ret == 0 && !quiet && p.dest->tag_defaulted)
    printf ("Using default tag: %s\n", p.dest->tag);
  if (ret == 0)
    ret = registry_session_open (p.dest->domain, so, &p.client, err);
  if (ret == 0)
    {
      p.progress = progress_new (stdout, isatty (STDOUT_FILENO), quiet);
      ret = push (&p, quiet, err);
      progress_free (p.progress);
      if (ret < 0)
        ret = registry_cli_fail (err);
    }
  store_image_free (p.img);
  registry_client_free (p.client);
  reference_free (p.dest);
  return ret;
}

int
cmd_push (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  static const struct option opts[] = {
    { "quiet", no_argument, NULL, 'q' },
    { "help", no_argument, NULL, 'h' },
    REGISTRY_CLI_TLS_LONGOPTS,
    { NULL, 0, NULL, 0 },
  };
  struct registry_session_opts so = { .tls_verify = -1 };
  bool quiet = false;
  int c, r;

  while ((c = getopt_long (argc, argv, "+qh", opts, NULL)) != -1)
    {
      if ((r = registry_cli_tls_option (c, optarg, &so, err)) != 0)
        {
          if (r < 0)
            return -1;
          continue;
        }
      switch (c)
        {
        case 'q':
          quiet = true;
          break;
        case 'h':
          fputs (push_help, stdout);
          return 0;
        default:
          return cli_usage_error ("push", "invalid option", err);
        }
    }
  if (argc - optind < 1 || argc - optind > 2)
    return cli_usage_error ("push", "\"berth push\" requires 1 or 2 arguments.", err);
  return push_run (g, argv[optind], argc - optind == 2 ? argv[optind + 1] : NULL, &so, quiet, err);
}
