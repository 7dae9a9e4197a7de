/* Deterministic gzip layers and OCI manifests for import and load.  */
#include "config.h"
#include "layer_util.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <sys/stat.h>

#include "image_spec.h"
#include "util.h"

struct layer_sink
{
  struct store_ingest *in;
  oci_error_t *err;
};

static la_ssize_t
layer_sink_write (struct archive *a, void *data, const void *buf, size_t len)
{
  struct layer_sink *sink = data;

  if (store_ingest_write (sink->in, buf, len, &sink->err) < 0)
    {
      archive_set_error (a, EIO, "%s", sink->err->msg);
      return -1;
    }
  return (la_ssize_t) len;
}

static struct archive *
layer_gzip_writer (struct layer_sink *sink, oci_error_t **err)
{
  struct archive *w = archive_write_new ();

  if (archive_write_add_filter_gzip (w) != ARCHIVE_OK || archive_write_set_format_raw (w) != ARCHIVE_OK
      || archive_write_set_filter_option (w, "gzip", "timestamp", NULL) != ARCHIVE_OK
      || archive_write_set_bytes_in_last_block (w, 1) != ARCHIVE_OK
      || archive_write_open (w, sink, NULL, layer_sink_write, NULL) != ARCHIVE_OK)
    {
      oci_error_set (err, EIO, "gzip writer: %s", archive_error_string (w));
      archive_write_free (w);
      return NULL;
    }
  return w;
}

/* Decompress the input and recompress it as gzip into the ingest.  */
static int
layer_copy_gzip (int fd, const char *source, struct layer_sink *sink, oci_error_t **err)
{
  struct archive *r = archive_read_new ();
  struct archive *w = NULL;
  struct archive_entry *e, *raw = archive_entry_new ();
  char buf[65536];
  la_ssize_t n;
  int ret = -1;

  archive_read_support_filter_all (r);
  archive_read_support_format_raw (r);
  if (archive_read_open_fd (r, fd, 65536) != ARCHIVE_OK || archive_read_next_header (r, &e) != ARCHIVE_OK)
    {
      oci_error_set (err, EIO, "%s: %s", source, archive_error_string (r));
      goto out;
    }
  w = layer_gzip_writer (sink, err);
  if (w == NULL)
    goto out;
  archive_entry_set_pathname (raw, "layer.tar");
  archive_entry_set_filetype (raw, AE_IFREG);
  if (archive_write_header (w, raw) != ARCHIVE_OK)
    {
      oci_error_set (err, EIO, "gzip writer: %s", archive_error_string (w));
      goto out;
    }
  while ((n = archive_read_data (r, buf, sizeof buf)) > 0)
    if (archive_write_data (w, buf, n) != n)
      {
        oci_error_set (err, EIO, "%s", sink->err ? sink->err->msg : archive_error_string (w));
        goto out;
      }
  if (n < 0)
    {
      oci_error_set (err, EIO, "%s: %s", source, archive_error_string (r));
      goto out;
    }
  if (archive_write_close (w) != ARCHIVE_OK)
    {
      oci_error_set (err, EIO, "%s", sink->err ? sink->err->msg : archive_error_string (w));
      goto out;
    }
  ret = 0;
out:
  if (w)
    archive_write_free (w);
  archive_read_free (r);
  archive_entry_free (raw);
  oci_error_free (&sink->err);
  return ret;
}

int
cli_layer_store_gzip (struct berth_store *s, int fd, const char *source, char **digest, int64_t *size,
                      oci_error_t **err)
{
  struct layer_sink sink = { 0 };
  cleanup_free char *path = NULL;
  struct stat st;

  if (store_ingest_begin (s, NULL, -1, &sink.in, NULL, err) < 0)
    return -1;
  if (layer_copy_gzip (fd, source, &sink, err) < 0)
    {
      store_ingest_abort (sink.in, false);
      return -1;
    }
  if (store_ingest_commit_digest (sink.in, digest, err) < 0)
    return -1;
  path = store_blob_path (s, *digest);
  if (stat (path, &st) < 0)
    return oci_error_errno (err, errno, "stat %s", path);
  *size = st.st_size;
  return 0;
}

int
cli_manifest_store_gzip (struct berth_store *s, const char *config_digest, int64_t config_size,
                         char *const *layer_digests, const int64_t *layer_sizes, size_t n_layers,
                         char **digest, oci_error_t **err)
{
  cleanup_oci_image_manifest struct oci_image_manifest *m = xzalloc (sizeof *m);
  cleanup_free char *json = NULL;
  size_t len;

  m->schema_version = 2;
  m->schema_version_present = true;
  m->media_type = xstrdup (OCI_MEDIA_TYPE_IMAGE_MANIFEST);
  m->config = xzalloc (sizeof *m->config);
  m->config->media_type = xstrdup (OCI_MEDIA_TYPE_IMAGE_CONFIG);
  m->config->digest = xstrdup (config_digest);
  m->config->size = config_size;
  m->config->size_present = true;
  m->layers = xcalloc (n_layers + 1, sizeof *m->layers);
  m->layers_len = n_layers;
  for (size_t i = 0; i < n_layers; i++)
    {
      m->layers[i].media_type = xstrdup (OCI_MEDIA_TYPE_IMAGE_LAYER_GZIP);
      m->layers[i].digest = xstrdup (layer_digests[i]);
      m->layers[i].size = layer_sizes[i];
      m->layers[i].size_present = true;
    }
  if (oci_image_manifest_emit (m, false, &json, &len, err) < 0)
    return -1;
  return store_blob_put (s, json, len, NULL, digest, err);
}
