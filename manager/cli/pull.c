/* berth pull [--platform os/arch[/variant]] [--tls-verify=BOOL] [--cert-dir DIR] [-q] NAME[:TAG|@DIGEST]  */
#include "config.h"
#include "commands.h"
#include "registry_cli.h"

#include <errno.h>
#include <getopt.h>

#include "manager/registry/client.h"
#include "manager/registry/manifest.h"
#include "manager/registry/progress.h"
#include "manager/registry/reference.h"
#include "manager/store/store.h"
#include "util.h"

struct pull_ctx
{
  struct berth_globals *g;
  struct berth_store *store;
  struct registry_client *client;
  struct registry_ref *ref;
  const char *os, *arch, *variant;
  bool quiet;
  struct progress *progress;
};

static const char pull_help[]
    = "Usage: berth pull [OPTIONS] NAME[:TAG|@DIGEST]\n\n"
      "Download an image from a registry.\n\nOptions:\n"
      "      --platform OS/ARCH[/VARIANT]  the platform to pull from a multi-platform image\n"
      "                                    (default: the host's)\n"
      "  -q, --quiet                       print only the image name\n" REGISTRY_CLI_TLS_HELP;

/* The image manifest for the platform: m itself, or the entry of the
   index/list it is.  */
static int
resolve_platform (struct pull_ctx *p, struct registry_manifest *top, struct registry_manifest *out,
                  oci_error_t **err)
{
  cleanup_free char *digest = NULL, *source = reference_string (p->ref);

  if (!registry_manifest_is_index (top->media_type))
    {
      *out = *top;
      memset (top, 0, sizeof *top);
      return 0;
    }
  if (registry_manifest_select (top->data, top->len, top->media_type, source, p->os, p->arch, p->variant,
                                &digest, err)
      < 0)
    return -1;
  return registry_manifest_get (p->client, p->ref->path, digest, out, err);
}

/* Whether the image is stored under this name with this manifest.  */
static bool
already_present (struct pull_ctx *p, const char *name, const char *manifest_digest)
{
  struct store_image *img = NULL;
  cleanup_error oci_error_t *err = NULL;
  bool same;

  if (store_image_lookup (p->store, name, &img, &err) < 0)
    return false;
  same = img->manifest_digest && streq (img->manifest_digest, manifest_digest);
  for (size_t i = 0; same && img->diff_ids && img->diff_ids[i]; i++)
    same = store_layer_exists (p->store, img->diff_ids[i]);
  store_image_free (img);
  return same;
}

static int
store_config (struct pull_ctx *p, const struct registry_blob_ref *cfg, oci_error_t **err)
{
  cleanup_free char *data = NULL;
  size_t len = 0;

  if (store_blob_exists (p->store, cfg->digest))
    return 0;
  if (registry_blob_get (p->client, p->ref->path, cfg->digest, cfg->size, &data, &len, err) < 0)
    return -1;
  return store_blob_put (p->store, data, len, cfg->digest, NULL, err);
}

static int
fetch_layers (struct pull_ctx *p, const struct registry_image_manifest *m, int *lines, oci_error_t **err)
{
  cleanup_free struct registry_blob_job *jobs = xcalloc (m->n_layers + 1, sizeof *jobs);
  size_t n = 0;

  for (size_t i = 0; i < m->n_layers; i++)
    {
      bool have = store_blob_exists (p->store, m->layers[i].digest);
      lines[i]
          = progress_add (p->progress, m->layers[i].digest, have ? "Already exists" : "Pulling fs layer");
      if (have)
        {
          lines[i] = -1;
          continue;
        }
      jobs[n++] = (struct registry_blob_job){ m->layers[i].digest, m->layers[i].size, lines[i] };
    }
  return registry_blobs_fetch (p->client, p->ref->path, jobs, n, p->store, p->progress, err);
}

/* Unpack every layer bottom-up and check it against the config.  */
static int
unpack_layers (struct pull_ctx *p, const struct registry_image_manifest *m, const int *lines,
               oci_error_t **err)
{
  cleanup_oci_image_config struct oci_image_config *cfg = NULL;
  cleanup_free char *data = NULL;
  size_t len = 0, n_diff;

  if (store_blob_read (p->store, m->config.digest, OCI_JSON_MAX_SIZE, &data, &len, err) < 0
      || oci_image_config_parse (data, len, m->config.digest, &cfg, err) < 0)
    return -1;
  n_diff = cfg->rootfs && cfg->rootfs->diff_ids ? strv_len (cfg->rootfs->diff_ids) : 0;
  if (n_diff != m->n_layers)
    return oci_error_set (err, EBADMSG, "image config %s lists %zu layers, the manifest %zu",
                          m->config.digest, n_diff, m->n_layers);
  for (size_t i = 0; i < m->n_layers; i++)
    {
      cleanup_free char *diff_id = NULL;
      if (lines[i] >= 0)
        progress_status (p->progress, lines[i], "Extracting");
      if (store_layer_unpack (p->store, m->layers[i].digest, m->layers[i].media_type, &diff_id, err) < 0)
        return oci_error_prefix (err, "layer %s", m->layers[i].digest);
      if (!streq (diff_id, cfg->rootfs->diff_ids[i]))
        return oci_error_set (err, EBADMSG, "layer %s: uncompressed digest %s differs from the config's %s",
                              m->layers[i].digest, diff_id, cfg->rootfs->diff_ids[i]);
      if (lines[i] >= 0)
        progress_status (p->progress, lines[i], "Pull complete");
    }
  return 0;
}

static int
store_image (struct pull_ctx *p, const struct registry_manifest *mf, const char *name,
             const char *repo_digest, oci_error_t **err)
{
  cleanup_free char *source = reference_string (p->ref);
  struct registry_image_manifest *m = NULL;
  cleanup_free int *lines = NULL;
  struct store_image *img = NULL;
  int ret = -1;

  if (registry_manifest_parse (mf->data, mf->len, mf->media_type, source, &m, err) < 0)
    return -1;
  lines = xcalloc (m->n_layers + 1, sizeof *lines);
  if (store_config (p, &m->config, err) == 0 && fetch_layers (p, m, lines, err) == 0
      && unpack_layers (p, m, lines, err) == 0
      && store_blob_put (p->store, mf->data, mf->len, mf->digest, NULL, err) == 0
      && store_image_add (p->store, mf->digest, name, repo_digest, &img, err) == 0)
    ret = 0;
  store_image_free (img);
  registry_manifest_free (m);
  return ret;
}

static int
pull (struct pull_ctx *p, oci_error_t **err)
{
  struct registry_manifest top = { 0 }, mf = { 0 };
  cleanup_free char *repo = reference_familiar_repo (p->ref), *full = reference_string (p->ref);
  cleanup_free char *familiar = reference_familiar (p->ref), *repo_digest = NULL, *scope = NULL;
  cleanup_free char *top_digest = NULL;
  const char *name = p->ref->tag ? full : NULL;
  bool present;
  int ret = -1;

  xasprintf (&scope, "repository:%s:pull", p->ref->path);
  registry_client_set_scope (p->client, scope);
  if (!p->quiet && p->ref->tag_defaulted)
    printf ("Using default tag: %s\n", p->ref->tag);
  if (registry_manifest_get (p->client, p->ref->path, p->ref->digest ? p->ref->digest : p->ref->tag, &top,
                             err)
      < 0)
    return -1;
  if (!p->quiet)
    printf ("%s: Pulling from %s\n", reference_tag_or_digest (p->ref), repo);
  fflush (stdout);
  repo_digest = reference_with_digest (p->ref, top.digest);
  top_digest = xstrdup (top.digest);
  if (resolve_platform (p, &top, &mf, err) < 0)
    goto out;
  present = already_present (p, name ? name : repo_digest, mf.digest);
  if (!present && store_image (p, &mf, name, repo_digest, err) < 0)
    goto out;
  if (present && store_image_add (p->store, mf.digest, name, repo_digest, NULL, err) < 0)
    goto out;
  progress_finish (p->progress);
  if (!p->quiet)
    printf ("Digest: %s\nStatus: %s for %s\n", top_digest,
            present ? "Image is up to date" : "Downloaded newer image", familiar);
  printf ("%s\n", full);
  ret = 0;
out:
  registry_manifest_release (&top);
  registry_manifest_release (&mf);
  return ret;
}

static int
pull_run (struct berth_globals *g, const char *refstr, const char *platform, struct registry_session_opts *so,
          bool quiet, oci_error_t **err)
{
  struct pull_ctx p = { .g = g, .quiet = quiet };
  cleanup_free char *os = NULL, *arch = NULL, *variant = NULL;
  const char *def;
  int ret;

  if (registry_default_domain (&def, err) < 0 || reference_parse (refstr, def, &p.ref, err) < 0)
    return -1;
  if (platform)
    {
      if (registry_parse_platform (platform, &os, &arch, &variant, err) < 0)
        {
          reference_free (p.ref);
          return -1;
        }
      p.os = os, p.arch = arch, p.variant = variant;
    }
  else
    registry_host_platform (&p.os, &p.arch, &p.variant);
  so->config_dir = g->config_dir;
  ret = cli_store (g, &p.store, err);
  if (ret == 0)
    ret = registry_session_open (p.ref->domain, so, &p.client, err);
  if (ret == 0)
    {
      p.progress = progress_new (stdout, isatty (STDOUT_FILENO), quiet);
      ret = pull (&p, err);
      progress_free (p.progress);
      if (ret < 0)
        ret = registry_cli_fail (err);
    }
  registry_client_free (p.client);
  reference_free (p.ref);
  return ret;
}

int
cmd_pull (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  static const struct option opts[] = {
    { "platform", required_argument, NULL, 'P' },
    { "quiet", no_argument, NULL, 'q' },
    { "help", no_argument, NULL, 'h' },
    REGISTRY_CLI_TLS_LONGOPTS,
    { NULL, 0, NULL, 0 },
  };
  struct registry_session_opts so = { .tls_verify = -1 };
  const char *platform = NULL;
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
        case 'P':
          platform = optarg;
          break;
        case 'q':
          quiet = true;
          break;
        case 'h':
          fputs (pull_help, stdout);
          return 0;
        default:
          return cli_usage_error ("pull", "invalid option", err);
        }
    }
  if (argc - optind != 1)
    return cli_usage_error ("pull", "\"berth pull\" requires exactly 1 argument.", err);
  return pull_run (g, argv[optind], platform, &so, quiet, err);
}
