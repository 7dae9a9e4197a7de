/* berth load [-i FILE] [-q]: a docker-archive (manifest.json) or an
   oci-archive (oci-layout + index.json) tar, plain or compressed, from a
   file or stdin.

   Three phases, so that a bad archive stores nothing:
     1. unpack the tar into a temp dir under <root>/tmp (entry names with
        ".." or a leading "/" are refused), hashing every file;
     2. plan: read the JSON documents (at most OCI_JSON_MAX_SIZE each) and
        check every blob against its digest and every layer's uncompressed
        digest against the config's rootfs.diff_ids;
     3. store: blobs into the store (docker-archive layers as deterministic
        gzip, as import does, with a new OCI manifest; oci-archive blobs as
        they are, so manifest digests are kept), unpack, record names.  */
#include "config.h"
#include "commands.h"
#include "layer_util.h"
#include "load_archive.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "image_spec.h"
#include "manager/registry/manifest.h"
#include "manager/registry/progress.h"
#include "manager/registry/session.h"
#include "util.h"

static const char load_help[] = "Usage: berth load [OPTIONS]\n\n"
                                "Load an image from a tar archive or STDIN\n\n"
                                "Aliases:\n  berth image load, berth load\n\n"
                                "Options:\n"
                                "  -i, --input string   Read from tar archive file, instead of STDIN\n"
                                "  -q, --quiet          Suppress the load output\n";

#define LOAD_MAX_NESTED_INDEX 4

struct load_image
{
  char **names; /* stored names */
  char *config_digest;
  char *config;
  size_t config_len;
  struct oci_image_config *cfg;
  struct load_file **layers;
  size_t n_layers;
  /* oci-archive only */
  char *manifest_digest;
  char *manifest;
  size_t manifest_len;
  struct registry_image_manifest *m;
};

struct load_ctx
{
  struct berth_store *s;
  struct load_archive ar;
  struct load_image *images;
  size_t n_images;
  struct progress *progress;
};

static void
load_image_clear (struct load_image *im)
{
  strv_free (im->names);
  free (im->config_digest);
  free (im->config);
  oci_image_config_free (im->cfg);
  free (im->layers);
  free (im->manifest_digest);
  free (im->manifest);
  registry_manifest_free (im->m);
}

static struct load_image *
load_image_new (struct load_ctx *c)
{
  struct load_image *im;

  c->images = xreallocarray (c->images, c->n_images + 1, sizeof *c->images);
  im = &c->images[c->n_images++];
  memset (im, 0, sizeof *im);
  im->names = xzalloc (sizeof (char *));
  return im;
}

static void
load_add_name (struct load_image *im, const char *name)
{
  size_t n = strv_len (im->names);

  if (oci_strv_contains ((const char *const *) im->names, name))
    return;
  im->names = xreallocarray (im->names, n + 2, sizeof (char *));
  im->names[n] = xstrdup (name);
  im->names[n + 1] = NULL;
}

/* --- plan: shared --- */

/* Read and parse the config (whose digest the caller verified) and size the
   layer list.  */
static int
load_plan_config (struct load_ctx *c, struct load_image *im, const struct load_file *f, size_t n_layers,
                  oci_error_t **err)
{
  size_t n_diff;

  if (load_archive_read_json (&c->ar, f, &im->config, &im->config_len, err) < 0)
    return -1;
  im->config_digest = xstrdup (f->digest);
  if (oci_image_config_parse (im->config, im->config_len, f->name, &im->cfg, err) < 0)
    return -1;
  n_diff = im->cfg->rootfs && im->cfg->rootfs->diff_ids ? strv_len (im->cfg->rootfs->diff_ids) : 0;
  if (n_diff != n_layers)
    return oci_error_set (err, EBADMSG, "image %s: the config lists %zu layers, the manifest %zu",
                          im->config_digest, n_diff, n_layers);
  im->layers = xcalloc (n_layers + 1, sizeof *im->layers);
  im->n_layers = n_layers;
  return 0;
}

/* The uncompressed content of layer i must be diff_ids[i].  */
static int
load_plan_layer (struct load_ctx *c, struct load_image *im, size_t i, struct load_file *f, oci_error_t **err)
{
  const char *want = im->cfg->rootfs->diff_ids[i];

  im->layers[i] = f;
  if (f->diff_id == NULL && streq (f->digest, want))
    f->diff_id = xstrdup (want);
  if (f->diff_id == NULL && load_archive_diff_id (&c->ar, f, err) < 0)
    return -1;
  if (!streq (f->diff_id, want))
    return oci_error_set (err, EBADMSG,
                          "layer %s (%s): uncompressed digest %s does not match the config's diff_id %s",
                          f->name, f->digest, f->diff_id, want);
  return 0;
}

static void
load_name (struct load_image *im, const char *ref)
{
  cleanup_error oci_error_t *err = NULL;
  cleanup_free char *name = NULL;

  if (cli_name_normalize (ref, false, &name, &err) == 0)
    load_add_name (im, name);
}

/* --- plan: docker-archive --- */

static int
load_plan_docker_entry (struct load_ctx *c, yajl_val entry, size_t idx, oci_error_t **err)
{
  const char *cfg_path[] = { "Config", NULL }, *tags_path[] = { "RepoTags", NULL },
             *layers_path[] = { "Layers", NULL };
  yajl_val cfg = yajl_tree_get (entry, cfg_path, yajl_t_string);
  yajl_val tags = yajl_tree_get (entry, tags_path, yajl_t_array);
  yajl_val layers = yajl_tree_get (entry, layers_path, yajl_t_array);
  struct load_image *im = load_image_new (c);
  struct load_file *f;

  if (cfg == NULL || layers == NULL)
    return oci_error_set (err, EBADMSG, "manifest.json: [%zu]: Config and Layers are required", idx);
  if (load_archive_find (&c->ar, YAJL_GET_STRING (cfg), &f, err) < 0
      || load_plan_config (c, im, f, layers->u.array.len, err) < 0)
    return oci_error_prefix (err, "manifest.json: [%zu]", idx);
  for (size_t i = 0; i < layers->u.array.len; i++)
    {
      yajl_val l = layers->u.array.values[i];

      if (!YAJL_IS_STRING (l))
        return oci_error_set (err, EBADMSG, "manifest.json: [%zu].Layers[%zu]: not a string", idx, i);
      if (load_archive_find (&c->ar, YAJL_GET_STRING (l), &f, err) < 0
          || load_plan_layer (c, im, i, f, err) < 0)
        return oci_error_prefix (err, "manifest.json: [%zu].Layers[%zu]", idx, i);
    }
  for (size_t i = 0; tags && i < tags->u.array.len; i++)
    if (YAJL_IS_STRING (tags->u.array.values[i]))
      load_name (im, YAJL_GET_STRING (tags->u.array.values[i]));
  return 0;
}

static int
load_plan_docker (struct load_ctx *c, const struct load_file *mf, oci_error_t **err)
{
  cleanup_free char *data = NULL;
  char errbuf[256];
  size_t len;
  yajl_val doc;
  int ret = 0;

  if (load_archive_read_json (&c->ar, mf, &data, &len, err) < 0)
    return -1;
  doc = yajl_tree_parse (data, errbuf, sizeof errbuf);
  if (doc == NULL || !YAJL_IS_ARRAY (doc))
    {
      yajl_tree_free (doc);
      return oci_error_set (err, EBADMSG, "manifest.json: %s", doc ? "not an array" : errbuf);
    }
  for (size_t i = 0; ret == 0 && i < doc->u.array.len; i++)
    {
      if (!YAJL_IS_OBJECT (doc->u.array.values[i]))
        ret = oci_error_set (err, EBADMSG, "manifest.json: [%zu]: not an object", i);
      else
        ret = load_plan_docker_entry (c, doc->u.array.values[i], i, err);
    }
  yajl_tree_free (doc);
  return ret;
}

/* --- plan: oci-archive --- */

/* The image manifest a descriptor leads to (through indexes, for this
   host's platform).  */
static int
load_resolve_manifest (struct load_ctx *c, const char *digest, const char *media_type, struct load_image *im,
                       int depth, oci_error_t **err)
{
  cleanup_free char *data = NULL;
  cleanup_free char *child = NULL;
  const char *os, *arch, *variant;
  struct load_file *f;
  size_t len;

  if (load_archive_find_blob (&c->ar, digest, &f, err) < 0
      || load_archive_read_json (&c->ar, f, &data, &len, err) < 0)
    return -1;
  if (media_type == NULL || *media_type == '\0')
    media_type = oci_manifest_kind_media_type (oci_manifest_sniff (data, len, NULL));
  if (media_type && registry_manifest_is_index (media_type))
    {
      if (depth >= LOAD_MAX_NESTED_INDEX)
        return oci_error_set (err, ELOOP, "index %s: more than %d nested indexes", digest,
                              LOAD_MAX_NESTED_INDEX);
      registry_host_platform (&os, &arch, &variant);
      if (registry_manifest_select (data, len, media_type, digest, os, arch, variant, &child, err) < 0)
        return -1;
      return load_resolve_manifest (c, child, NULL, im, depth + 1, err);
    }
  if (registry_manifest_parse (data, len, media_type, digest, &im->m, err) < 0)
    return -1;
  im->manifest_digest = xstrdup (digest);
  im->manifest = steal_pointer (&data);
  im->manifest_len = len;
  return 0;
}

static int
load_plan_oci_entry (struct load_ctx *c, const struct oci_image_descriptor *d, size_t idx, oci_error_t **err)
{
  struct load_image *im = load_image_new (c);
  const char *cname = oci_map_get (&d->annotations, "io.containerd.image.name");
  const char *ref = oci_map_get (&d->annotations, OCI_ANNOTATION_REF_NAME);
  struct load_file *f;

  if (load_resolve_manifest (c, d->digest, d->media_type, im, 0, err) < 0
      || load_archive_find_blob (&c->ar, im->m->config.digest, &f, err) < 0
      || load_plan_config (c, im, f, im->m->n_layers, err) < 0)
    return oci_error_prefix (err, "index.json: manifests[%zu]", idx);
  for (size_t i = 0; i < im->m->n_layers; i++)
    if (load_archive_find_blob (&c->ar, im->m->layers[i].digest, &f, err) < 0
        || load_plan_layer (c, im, i, f, err) < 0)
      return oci_error_prefix (err, "index.json: manifests[%zu]", idx);
  if (cname)
    load_name (im, cname);
  else if (ref && strpbrk (ref, ":/"))
    load_name (im, ref);
  return 0;
}

static int
load_plan_oci (struct load_ctx *c, const struct load_file *layout, const struct load_file *index,
               oci_error_t **err)
{
  cleanup_oci_image_index struct oci_image_index *idx = NULL;
  struct oci_image_layout *lay = NULL;
  cleanup_free char *data = NULL;
  size_t len;
  int r;

  if (load_archive_read_json (&c->ar, layout, &data, &len, err) < 0)
    return -1;
  r = oci_image_layout_parse (data, len, "oci-layout", &lay, err);
  oci_image_layout_free (lay);
  free (steal_pointer (&data));
  if (r < 0 || load_archive_read_json (&c->ar, index, &data, &len, err) < 0
      || oci_image_index_parse (data, len, "index.json", &idx, err) < 0)
    return -1;
  if (idx->manifests_len == 0)
    return oci_error_set (err, EBADMSG, "index.json: no manifests");
  for (size_t i = 0; i < idx->manifests_len; i++)
    if (load_plan_oci_entry (c, &idx->manifests[i], i, err) < 0)
      return -1;
  return 0;
}

static int
load_plan (struct load_ctx *c, oci_error_t **err)
{
  struct load_file *mf = load_archive_lookup (&c->ar, "manifest.json");
  struct load_file *layout = load_archive_lookup (&c->ar, "oci-layout");
  struct load_file *index = load_archive_lookup (&c->ar, "index.json");

  if (mf)
    return load_plan_docker (c, mf, err);
  if (layout && index)
    return load_plan_oci (c, layout, index, err);
  return oci_error_set (err, EINVAL,
                        "the archive is neither a docker-archive (no manifest.json) nor an oci-archive "
                        "(no oci-layout and index.json)");
}

/* --- store --- */

static int
load_store_file (struct load_ctx *c, const struct load_file *f, oci_error_t **err)
{
  struct store_ingest *in = NULL;
  cleanup_close int fd = -1;
  char buf[65536];
  int64_t offset = 0;
  ssize_t n;

  if (store_blob_exists (c->s, f->digest))
    return 0;
  fd = open (f->path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return oci_error_errno (err, errno, "open %s", f->path);
  if (store_ingest_begin (c->s, f->digest, f->size, &in, &offset, err) < 0)
    return -1;
  if (offset > 0 && lseek (fd, offset, SEEK_SET) < 0)
    {
      store_ingest_abort (in, false);
      return oci_error_errno (err, errno, "seek %s", f->path);
    }
  while ((n = read (fd, buf, sizeof buf)) > 0)
    if (store_ingest_write (in, buf, (size_t) n, err) < 0)
      {
        store_ingest_abort (in, false);
        return -1;
      }
  if (n < 0)
    {
      store_ingest_abort (in, false);
      return oci_error_errno (err, errno, "read %s", f->path);
    }
  return store_ingest_commit (in, err);
}

static int
load_store_layer (struct load_ctx *c, struct load_file *f, const char *media_type, oci_error_t **err)
{
  cleanup_free char *diff_id = NULL;
  int line = progress_add (c->progress, f->diff_id, "Loading layer");

  if (media_type == NULL && f->stored == NULL)
    {
      cleanup_close int fd = open (f->path, O_RDONLY | O_CLOEXEC);

      if (fd < 0)
        return oci_error_errno (err, errno, "open %s", f->path);
      if (cli_layer_store_gzip (c->s, fd, f->name, &f->stored, &f->stored_size, err) < 0)
        return -1;
    }
  else if (media_type && load_store_file (c, f, err) < 0)
    return -1;
  if (store_layer_unpack (c->s, media_type ? f->digest : f->stored,
                          media_type ? media_type : OCI_MEDIA_TYPE_IMAGE_LAYER_GZIP, &diff_id, err)
      < 0)
    return oci_error_prefix (err, "layer %s", f->name);
  if (!streq (diff_id, f->diff_id))
    return oci_error_set (err, EBADMSG, "layer %s: unpacked digest %s differs from %s", f->name, diff_id,
                          f->diff_id);
  progress_status (c->progress, line, "Loaded");
  return 0;
}

static int
load_record (struct load_ctx *c, const struct load_image *im, const char *manifest_digest, oci_error_t **err)
{
  struct store_image *img = NULL;

  if (store_image_add (c->s, manifest_digest, im->names[0], NULL, &img, err) < 0)
    return -1;
  for (size_t i = 1; im->names[i]; i++)
    if (store_image_tag (c->s, img->id, im->names[i], err) < 0)
      {
        store_image_free (img);
        return -1;
      }
  progress_finish (c->progress);
  for (size_t i = 0; im->names[i]; i++)
    {
      cleanup_free char *familiar = cli_name_familiar (im->names[i]);

      printf ("Loaded image: %s\n", familiar);
    }
  if (im->names[0] == NULL)
    printf ("Loaded image ID: %s\n", img->id);
  store_image_free (img);
  return 0;
}

static int
load_store_image (struct load_ctx *c, struct load_image *im, oci_error_t **err)
{
  cleanup_free char *manifest = NULL;
  cleanup_free char **blobs = NULL;
  cleanup_free int64_t *sizes = NULL;

  if (store_blob_put (c->s, im->config, im->config_len, im->config_digest, NULL, err) < 0)
    return -1;
  for (size_t i = 0; i < im->n_layers; i++)
    if (load_store_layer (c, im->layers[i], im->m ? im->m->layers[i].media_type : NULL, err) < 0)
      return -1;
  if (im->m)
    {
      if (store_blob_put (c->s, im->manifest, im->manifest_len, im->manifest_digest, NULL, err) < 0)
        return -1;
      return load_record (c, im, im->manifest_digest, err);
    }
  blobs = xcalloc (im->n_layers + 1, sizeof (char *));
  sizes = xcalloc (im->n_layers + 1, sizeof (int64_t));
  for (size_t i = 0; i < im->n_layers; i++)
    {
      blobs[i] = im->layers[i]->stored;
      sizes[i] = im->layers[i]->stored_size;
    }
  if (cli_manifest_store_gzip (c->s, im->config_digest, (int64_t) im->config_len, blobs, sizes, im->n_layers,
                               &manifest, err)
      < 0)
    return -1;
  return load_record (c, im, manifest, err);
}

static int
load_run (struct berth_globals *g, const char *input, bool quiet, oci_error_t **err)
{
  struct load_ctx c = { 0 };
  cleanup_close int fd = -1;
  bool from_stdin = input == NULL || streq (input, "-");
  int ret = -1;

  if (from_stdin && isatty (STDIN_FILENO))
    return oci_error_set (err, EINVAL, "requested load from stdin, but stdin is empty");
  fd = from_stdin ? dup (STDIN_FILENO) : open (input, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return oci_error_errno (err, errno, "open %s", from_stdin ? "stdin" : input);
  if (cli_store (g, &c.s, err) < 0)
    return -1;
  c.progress = progress_new (stdout, true, quiet || !isatty (STDOUT_FILENO));
  if (load_archive_unpack (c.s, fd, from_stdin ? "stdin" : input, &c.ar, err) == 0
      && load_plan (&c, err) == 0)
    {
      ret = 0;
      for (size_t i = 0; ret == 0 && i < c.n_images; i++)
        ret = load_store_image (&c, &c.images[i], err);
    }
  progress_free (c.progress);
  for (size_t i = 0; i < c.n_images; i++)
    load_image_clear (&c.images[i]);
  free (c.images);
  load_archive_release (&c.ar);
  return ret;
}

int
cmd_load (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  static const struct option opts[] = {
    { "input", required_argument, NULL, 'i' },
    { "quiet", no_argument, NULL, 'q' },
    { NULL, 0, NULL, 0 },
  };
  const char *input = NULL;
  bool quiet = false;
  int c;

  if (cli_wants_help (argc, argv))
    {
      fputs (load_help, stdout);
      return 0;
    }
  while ((c = getopt_long (argc, argv, "+i:q", opts, NULL)) != -1)
    switch (c)
      {
      case 'i':
        input = optarg;
        break;
      case 'q':
        quiet = true;
        break;
      default:
        return cli_usage_error ("load", "invalid option", err);
      }
  if (optind < argc)
    return cli_usage_error ("load", "\"berth load\" accepts no arguments.", err);
  return load_run (g, input, quiet, err);
}
