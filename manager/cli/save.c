/* berth save [-o FILE] [--format docker-archive|oci-archive] IMAGE...

   docker-archive (docker's `docker save` layout):
     <config hex>.json, <diff_id hex>/layer.tar (uncompressed), manifest.json,
     repositories
   oci-archive (an OCI image layout in a tar):
     oci-layout, index.json, blobs/sha256/<hex> (stored bytes, so manifest
     digests are kept)

   The tar is deterministic: entries sorted by name, mtime 0, owner 0:0.
   Layers are streamed from the store; for docker-archive a first pass over
   the decompressed layer measures its size (a tar header needs it) and
   checks it against its diff_id.  */
#include "config.h"
#include "commands.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sys/stat.h>
#include <unistd.h>

#include "digest.h"
#include "image_spec.h"
#include "manager/registry/manifest.h"
#include "util.h"

static const char save_help[] = "Usage: berth save [OPTIONS] IMAGE [IMAGE...]\n\n"
                                "Save one or more images to a tar archive (streamed to STDOUT by default)\n\n"
                                "Aliases:\n  berth image save, berth save\n\n"
                                "Options:\n"
                                "      --format string   docker-archive (default) or oci-archive\n"
                                "  -o, --output string   Write to a file, instead of STDOUT\n";

#define SAVE_MANIFEST_MAX (4u * 1024 * 1024)

enum save_kind
{
  SAVE_DIR,
  SAVE_DATA,  /* bytes in memory */
  SAVE_BLOB,  /* a stored blob as is */
  SAVE_LAYER, /* a stored layer blob, decompressed */
};

struct save_entry
{
  char *name;
  enum save_kind kind;
  char *data; /* SAVE_DATA */
  char *blob; /* SAVE_BLOB, SAVE_LAYER: the blob digest */
  char *diff_id;
  int64_t size;
};

/* One image of the archive and the names it is saved under.  */
struct save_image
{
  struct store_image *img;
  char **names; /* stored names, NULL-terminated */
  char *manifest;
  size_t manifest_len;
  struct registry_image_manifest *m;
};

struct save_ctx
{
  struct berth_store *s;
  bool oci;
  struct save_entry *entries;
  size_t n_entries;
  struct save_image *images;
  size_t n_images;
};

static void
save_ctx_release (struct save_ctx *c)
{
  for (size_t i = 0; i < c->n_entries; i++)
    {
      free (c->entries[i].name);
      free (c->entries[i].data);
      free (c->entries[i].blob);
      free (c->entries[i].diff_id);
    }
  free (c->entries);
  for (size_t i = 0; i < c->n_images; i++)
    {
      store_image_free (c->images[i].img);
      strv_free (c->images[i].names);
      free (c->images[i].manifest);
      registry_manifest_free (c->images[i].m);
    }
  free (c->images);
}

static struct save_entry *
save_add (struct save_ctx *c, const char *name, enum save_kind kind)
{
  struct save_entry *e;

  for (size_t i = 0; i < c->n_entries; i++)
    if (streq (c->entries[i].name, name))
      return NULL;
  c->entries = xreallocarray (c->entries, c->n_entries + 1, sizeof *c->entries);
  e = &c->entries[c->n_entries++];
  memset (e, 0, sizeof *e);
  e->name = xstrdup (name);
  e->kind = kind;
  return e;
}

static void
save_add_data (struct save_ctx *c, const char *name, char *data, size_t len)
{
  struct save_entry *e = save_add (c, name, SAVE_DATA);

  if (e == NULL)
    {
      free (data);
      return;
    }
  e->data = data;
  e->size = (int64_t) len;
}

static const char *
digest_hex (const char *digest)
{
  const char *colon = strchr (digest, ':');

  return colon ? colon + 1 : digest;
}

/* --- collecting the images --- */

/* The stored name `arg` names on img, NULL when arg is an id or digest.  */
static char *
save_name_of (const char *arg, const struct store_image *img)
{
  cleanup_error oci_error_t *err = NULL;
  char *name = NULL;

  if (cli_name_normalize (arg, false, &name, &err) < 0)
    return NULL;
  if (img->names && oci_strv_contains ((const char *const *) img->names, name))
    return name;
  free (name);
  return NULL;
}

static void
strv_add_unique (char ***v, const char *s)
{
  size_t n = *v ? strv_len (*v) : 0;

  if (*v && oci_strv_contains ((const char *const *) *v, s))
    return;
  *v = xreallocarray (*v, n + 2, sizeof (char *));
  (*v)[n] = xstrdup (s);
  (*v)[n + 1] = NULL;
}

static int
save_collect (struct save_ctx *c, const char *arg, oci_error_t **err)
{
  struct store_image *img = NULL;
  cleanup_free char *name = NULL;
  struct save_image *si = NULL;

  if (cli_image_lookup (c->s, arg, &img, err) < 0)
    return -1;
  name = save_name_of (arg, img);
  for (size_t i = 0; i < c->n_images && si == NULL; i++)
    if (streq (c->images[i].img->id, img->id))
      si = &c->images[i];
  if (si)
    store_image_free (img);
  else
    {
      c->images = xreallocarray (c->images, c->n_images + 1, sizeof *c->images);
      si = &c->images[c->n_images++];
      memset (si, 0, sizeof *si);
      si->img = img;
      si->names = xzalloc (sizeof (char *));
      if (store_blob_read (c->s, img->manifest_digest, SAVE_MANIFEST_MAX, &si->manifest, &si->manifest_len,
                           err)
              < 0
          || registry_manifest_parse (si->manifest, si->manifest_len, img->manifest_media_type,
                                      img->manifest_digest, &si->m, err)
                 < 0)
        return oci_error_prefix (err, "image %s", arg);
      if (strv_len (img->diff_ids) != si->m->n_layers)
        return oci_error_set (err, EBADMSG, "image %s: %zu layers in the manifest, %zu recorded", arg,
                              si->m->n_layers, strv_len (img->diff_ids));
    }
  if (name)
    strv_add_unique (&si->names, name);
  return 0;
}

/* --- docker-archive --- */

/* Decompress a stored layer: *size gets its length; its digest must be
   diff_id.  */
static int
save_layer_measure (struct save_ctx *c, const char *blob, const char *diff_id, int64_t *size,
                    oci_error_t **err)
{
  cleanup_free char *path = store_blob_path (c->s, blob);
  cleanup_free char *digest = NULL;
  struct archive *r = archive_read_new ();
  struct archive_entry *e;
  struct oci_digester d;
  char buf[65536];
  la_ssize_t n;
  int ret = -1;

  if (oci_digester_init (&d, "sha256", err) < 0)
    {
      archive_read_free (r);
      return -1;
    }
  archive_read_support_filter_all (r);
  archive_read_support_format_raw (r);
  *size = 0;
  if (archive_read_open_filename (r, path, 65536) != ARCHIVE_OK
      || archive_read_next_header (r, &e) != ARCHIVE_OK)
    {
      oci_error_set (err, EIO, "layer %s: %s", blob, archive_error_string (r));
      goto out;
    }
  while ((n = archive_read_data (r, buf, sizeof buf)) > 0)
    {
      if (oci_digester_update (&d, buf, (size_t) n, err) < 0)
        goto out;
      *size += n;
    }
  if (n < 0)
    {
      oci_error_set (err, EIO, "layer %s: %s", blob, archive_error_string (r));
      goto out;
    }
  if (oci_digester_final (&d, &digest, err) < 0)
    goto out;
  if (!streq (digest, diff_id))
    {
      oci_error_set (err, EBADMSG, "layer %s: uncompressed digest %s differs from its diff_id %s", blob,
                     digest, diff_id);
      goto out;
    }
  ret = 0;
out:
  oci_digester_release (&d);
  archive_read_free (r);
  return ret;
}

static int
save_docker_image (struct save_ctx *c, struct save_image *si, struct strbuf *manifest, oci_error_t **err)
{
  const struct registry_image_manifest *m = si->m;
  cleanup_free char *config = NULL;
  cleanup_free char *cfg_name = NULL;
  size_t len;

  if (store_blob_read (c->s, m->config.digest, OCI_JSON_MAX_SIZE, &config, &len, err) < 0)
    return -1;
  xasprintf (&cfg_name, "%s.json", digest_hex (m->config.digest));
  save_add_data (c, cfg_name, steal_pointer (&config), len);
  strbuf_addstr (manifest, manifest->len > 1 ? ",{\"Config\":" : "{\"Config\":");
  cli_json_string (manifest, cfg_name);
  strbuf_addstr (manifest, ",\"RepoTags\":");
  if (si->names[0] == NULL)
    strbuf_addstr (manifest, "null");
  for (size_t i = 0; si->names[i]; i++)
    {
      cleanup_free char *familiar = cli_name_familiar (si->names[i]);

      strbuf_addstr (manifest, i ? "," : "[");
      cli_json_string (manifest, familiar);
      if (si->names[i + 1] == NULL)
        strbuf_addch (manifest, ']');
    }
  strbuf_addstr (manifest, ",\"Layers\":[");
  for (size_t i = 0; i < m->n_layers; i++)
    {
      const char *diff = si->img->diff_ids[i];
      cleanup_free char *dir = NULL, *file = NULL;
      struct save_entry *e;

      xasprintf (&dir, "%s/", digest_hex (diff));
      xasprintf (&file, "%s/layer.tar", digest_hex (diff));
      strbuf_addstr (manifest, i ? "," : "");
      cli_json_string (manifest, file);
      save_add (c, dir, SAVE_DIR);
      e = save_add (c, file, SAVE_LAYER);
      if (e == NULL)
        continue;
      e->blob = xstrdup (m->layers[i].digest);
      e->diff_id = xstrdup (diff);
      if (save_layer_measure (c, e->blob, diff, &e->size, err) < 0)
        return -1;
    }
  strbuf_addstr (manifest, "]}");
  return 0;
}

/* {"busybox":{"latest":"<top layer hex>"}}: repositories grouped.  */
static char *
save_repositories (struct save_ctx *c)
{
  struct oci_map repos = { 0 };
  struct strbuf sb = STRBUF_INIT;

  for (size_t i = 0; i < c->n_images; i++)
    for (size_t j = 0; c->images[i].names[j]; j++)
      {
        cleanup_free char *repo = NULL, *tag = NULL, *key = NULL;
        size_t n = strv_len (c->images[i].img->diff_ids);

        if (n == 0)
          continue;
        cli_name_split (c->images[i].names[j], &repo, &tag);
        /* Keys sort by repository first: "repo\ntag" keeps them grouped.  */
        xasprintf (&key, "%s\n%s", repo, tag);
        oci_map_set (&repos, key, digest_hex (c->images[i].img->diff_ids[n - 1]));
      }
  strbuf_addch (&sb, '{');
  for (size_t i = 0; i < repos.len; i++)
    {
      const char *nl = strchr (repos.keys[i], '\n');
      size_t rlen = (size_t) (nl - repos.keys[i]);
      bool same = i > 0 && strncmp (repos.keys[i - 1], repos.keys[i], rlen + 1) == 0;
      cleanup_free char *repo = xstrndup (repos.keys[i], rlen);

      if (!same)
        {
          strbuf_addstr (&sb, i ? "}," : "");
          cli_json_string (&sb, repo);
          strbuf_addstr (&sb, ":{");
        }
      else
        strbuf_addch (&sb, ',');
      cli_json_string (&sb, nl + 1);
      strbuf_addch (&sb, ':');
      cli_json_string (&sb, repos.values[i]);
    }
  strbuf_addstr (&sb, repos.len ? "}}\n" : "}\n");
  oci_map_clear (&repos);
  return strbuf_detach (&sb, NULL);
}

static int
save_plan_docker (struct save_ctx *c, oci_error_t **err)
{
  struct strbuf manifest = STRBUF_INIT;
  size_t len;
  char *data;

  strbuf_addch (&manifest, '[');
  for (size_t i = 0; i < c->n_images; i++)
    if (save_docker_image (c, &c->images[i], &manifest, err) < 0)
      {
        strbuf_release (&manifest);
        return -1;
      }
  strbuf_addstr (&manifest, "]\n");
  data = strbuf_detach (&manifest, &len);
  save_add_data (c, "manifest.json", data, len);
  data = save_repositories (c);
  save_add_data (c, "repositories", data, strlen (data));
  return 0;
}

/* --- oci-archive --- */

static void
save_add_blob (struct save_ctx *c, const char *digest, int64_t size)
{
  cleanup_free char *name = NULL;
  struct save_entry *e;

  xasprintf (&name, "blobs/sha256/%s", digest_hex (digest));
  e = save_add (c, name, SAVE_BLOB);
  if (e == NULL)
    return;
  e->blob = xstrdup (digest);
  e->size = size;
}

static int
save_blob_size (struct save_ctx *c, const char *digest, int64_t *size, oci_error_t **err)
{
  cleanup_free char *path = store_blob_path (c->s, digest);
  struct stat st;

  if (!has_prefix (digest, "sha256:"))
    return oci_error_set (err, EINVAL, "blob %s: only sha256 digests can be saved", digest);
  if (stat (path, &st) < 0)
    return oci_error_errno (err, errno, "blob %s", digest);
  *size = st.st_size;
  return 0;
}

static void
save_index_add (struct oci_image_index *idx, const struct save_image *si, const char *name)
{
  struct oci_image_descriptor *d;

  idx->manifests = xreallocarray (idx->manifests, idx->manifests_len + 1, sizeof *idx->manifests);
  d = &idx->manifests[idx->manifests_len++];
  memset (d, 0, sizeof *d);
  d->media_type = xstrdup (si->img->manifest_media_type);
  d->digest = xstrdup (si->img->manifest_digest);
  d->size = (int64_t) si->manifest_len;
  d->size_present = true;
  if (name)
    {
      cleanup_free char *repo = NULL, *tag = NULL;

      cli_name_split (name, &repo, &tag);
      oci_map_set (&d->annotations, "io.containerd.image.name", name);
      oci_map_set (&d->annotations, OCI_ANNOTATION_REF_NAME, tag);
    }
}

static int
save_plan_oci (struct save_ctx *c, oci_error_t **err)
{
  cleanup_oci_image_index struct oci_image_index *idx = xzalloc (sizeof *idx);
  char *json;
  size_t len;
  int64_t size;

  idx->schema_version = 2;
  idx->schema_version_present = true;
  idx->media_type = xstrdup (OCI_MEDIA_TYPE_IMAGE_INDEX);
  idx->manifests = xzalloc (sizeof *idx->manifests);
  save_add (c, "blobs/", SAVE_DIR);
  save_add (c, "blobs/sha256/", SAVE_DIR);
  for (size_t i = 0; i < c->n_images; i++)
    {
      struct save_image *si = &c->images[i];

      if (save_blob_size (c, si->img->manifest_digest, &size, err) < 0)
        return -1;
      save_add_blob (c, si->img->manifest_digest, size);
      if (save_blob_size (c, si->m->config.digest, &size, err) < 0)
        return -1;
      save_add_blob (c, si->m->config.digest, size);
      for (size_t j = 0; j < si->m->n_layers; j++)
        {
          if (save_blob_size (c, si->m->layers[j].digest, &size, err) < 0)
            return -1;
          save_add_blob (c, si->m->layers[j].digest, size);
        }
      if (si->names[0] == NULL)
        save_index_add (idx, si, NULL);
      for (size_t j = 0; si->names[j]; j++)
        save_index_add (idx, si, si->names[j]);
    }
  if (oci_image_index_emit (idx, false, &json, &len, err) < 0)
    return -1;
  save_add_data (c, "index.json", json, len);
  json = xstrdup ("{\"imageLayoutVersion\":\"" OCI_IMAGE_LAYOUT_VERSION "\"}");
  save_add_data (c, "oci-layout", json, strlen (json));
  return 0;
}

/* --- writing --- */

static int
save_entry_cmp (const void *a, const void *b)
{
  return strcmp (((const struct save_entry *) a)->name, ((const struct save_entry *) b)->name);
}

/* Copy a blob into the archive, decompressed when decompress.  */
static int
save_copy_blob (struct save_ctx *c, struct archive *w, const struct save_entry *e, bool decompress,
                oci_error_t **err)
{
  cleanup_free char *path = store_blob_path (c->s, e->blob);
  struct archive *r = archive_read_new ();
  struct archive_entry *ae;
  char buf[65536];
  int64_t total = 0;
  la_ssize_t n;
  int ret = -1;

  if (decompress)
    archive_read_support_filter_all (r);
  archive_read_support_format_raw (r);
  if (archive_read_open_filename (r, path, 65536) != ARCHIVE_OK
      || archive_read_next_header (r, &ae) != ARCHIVE_OK)
    {
      oci_error_set (err, EIO, "blob %s: %s", e->blob, archive_error_string (r));
      goto out;
    }
  while ((n = archive_read_data (r, buf, sizeof buf)) > 0)
    {
      if (total + n > e->size)
        break;
      if (archive_write_data (w, buf, (size_t) n) != n)
        {
          oci_error_set (err, EIO, "%s: %s", e->name, archive_error_string (w));
          goto out;
        }
      total += n;
    }
  if (n < 0)
    oci_error_set (err, EIO, "blob %s: %s", e->blob, archive_error_string (r));
  else if (total != e->size || n > 0)
    oci_error_set (err, EIO, "blob %s changed while it was saved", e->blob);
  else
    ret = 0;
out:
  archive_read_free (r);
  return ret;
}

static int
save_write_entry (struct save_ctx *c, struct archive *w, const struct save_entry *e, oci_error_t **err)
{
  struct archive_entry *ae = archive_entry_new ();
  bool dir = e->kind == SAVE_DIR;
  int r;

  archive_entry_set_pathname (ae, e->name);
  archive_entry_set_filetype (ae, dir ? AE_IFDIR : AE_IFREG);
  archive_entry_set_perm (ae, dir ? 0755 : 0644);
  archive_entry_set_size (ae, dir ? 0 : e->size);
  archive_entry_set_mtime (ae, 0, 0);
  archive_entry_set_uid (ae, 0);
  archive_entry_set_gid (ae, 0);
  r = archive_write_header (w, ae);
  archive_entry_free (ae);
  if (r != ARCHIVE_OK)
    return oci_error_set (err, EIO, "%s: %s", e->name, archive_error_string (w));
  if (e->kind == SAVE_DATA && archive_write_data (w, e->data, (size_t) e->size) != e->size)
    return oci_error_set (err, EIO, "%s: %s", e->name, archive_error_string (w));
  if (e->kind == SAVE_BLOB || e->kind == SAVE_LAYER)
    return save_copy_blob (c, w, e, e->kind == SAVE_LAYER, err);
  return 0;
}

static int
save_write (struct save_ctx *c, int fd, const char *dest, oci_error_t **err)
{
  struct archive *w = archive_write_new ();
  int ret = -1;

  qsort (c->entries, c->n_entries, sizeof *c->entries, save_entry_cmp);
  /* No padding to a 10240-byte block: the same bytes to a file or a pipe.  */
  if (archive_write_set_format_pax_restricted (w) != ARCHIVE_OK
      || archive_write_set_bytes_in_last_block (w, 1) != ARCHIVE_OK
      || archive_write_open_fd (w, fd) != ARCHIVE_OK)
    {
      oci_error_set (err, EIO, "%s: %s", dest, archive_error_string (w));
      goto out;
    }
  for (size_t i = 0; i < c->n_entries; i++)
    if (save_write_entry (c, w, &c->entries[i], err) < 0)
      goto out;
  if (archive_write_close (w) != ARCHIVE_OK)
    {
      oci_error_set (err, EIO, "%s: %s", dest, archive_error_string (w));
      goto out;
    }
  ret = 0;
out:
  archive_write_free (w);
  return ret;
}

/* Write to a temp file next to path, renamed into place when complete.  */
static int
save_to_file (struct save_ctx *c, const char *path, oci_error_t **err)
{
  cleanup_free char *tmp = NULL;
  cleanup_close int fd = -1;

  xasprintf (&tmp, "%s.berth-XXXXXX", path);
  fd = mkostemp (tmp, O_CLOEXEC);
  if (fd < 0)
    return oci_error_errno (err, errno, "failed to save to %s", path);
  if (fchmod (fd, 0644) < 0)
    oci_error_errno (err, errno, "chmod %s", tmp);
  else if (save_write (c, fd, path, err) == 0)
    {
      if (fsync (fd) < 0)
        oci_error_errno (err, errno, "fsync %s", tmp);
      else if (rename (tmp, path) < 0)
        oci_error_errno (err, errno, "rename %s to %s", tmp, path);
      else
        return 0;
    }
  unlink (tmp);
  return -1;
}

static int
save_run (struct berth_globals *g, const char *output, bool oci, char **images, int n, oci_error_t **err)
{
  struct save_ctx c = { .oci = oci };
  bool to_stdout = output == NULL || streq (output, "-");
  int ret = -1;

  if (to_stdout && isatty (STDOUT_FILENO))
    return oci_error_set (err, EINVAL,
                          "cowardly refusing to save to a terminal. Use the -o flag or redirect");
  if (cli_store (g, &c.s, err) < 0)
    return -1;
  for (int i = 0; i < n; i++)
    if (save_collect (&c, images[i], err) < 0)
      goto out;
  if ((oci ? save_plan_oci (&c, err) : save_plan_docker (&c, err)) < 0)
    goto out;
  if (to_stdout)
    ret = save_write (&c, STDOUT_FILENO, "stdout", err);
  else
    ret = save_to_file (&c, output, err);
out:
  save_ctx_release (&c);
  return ret;
}

int
cmd_save (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  enum
  {
    OPT_FORMAT = 256
  };
  static const struct option opts[] = {
    { "output", required_argument, NULL, 'o' },
    { "format", required_argument, NULL, OPT_FORMAT },
    { NULL, 0, NULL, 0 },
  };
  const char *output = NULL;
  bool oci = false;
  int c;

  if (cli_wants_help (argc, argv))
    {
      fputs (save_help, stdout);
      return 0;
    }
  while ((c = getopt_long (argc, argv, "+o:", opts, NULL)) != -1)
    switch (c)
      {
      case 'o':
        output = optarg;
        break;
      case OPT_FORMAT:
        if (streq (optarg, "oci-archive"))
          oci = true;
        else if (streq (optarg, "docker-archive"))
          oci = false;
        else
          return cli_usage_error ("save", "--format must be docker-archive or oci-archive", err);
        break;
      default:
        return cli_usage_error ("save", "invalid option", err);
      }
  if (optind >= argc)
    return cli_usage_error ("save", "\"berth save\" requires at least 1 argument.", err);
  return save_run (g, output, oci, argv + optind, argc - optind, err);
}
