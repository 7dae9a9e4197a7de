/* berth's image store: content-addressed blobs, unpacked layers and image
   metadata under a data root (default /var/lib/berth).

     <root>/berth.db                SQLite (WAL, busy timeout): images, names,
                                    manifests, layers, blob references
     <root>/blobs/sha256/<hex>      verified blobs (manifests, configs, layers)
     <root>/layers/<diff hex>/diff  an unpacked layer, overlayfs-ready
     <root>/tmp/                    partial downloads and extractions

   Crash safety: a blob becomes visible only by rename after its digest and
   size were verified and it was fsynced; a layer directory only by rename
   after a complete extraction; metadata rows that reference blobs/layers
   are written in one transaction after those exist.  A kill -9 at any point
   leaves at worst unreferenced files that `store_gc` removes.  */
#ifndef BERTH_STORE_H
#define BERTH_STORE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "image_spec.h"

struct berth_store;

/* Open (creating when missing) the store at root.  */
int store_open (const char *root, struct berth_store **out, oci_error_t **err);
void store_close (struct berth_store *s);
const char *store_root (const struct berth_store *s);

/* --- blobs --- */

bool store_blob_exists (struct berth_store *s, const char *digest);
/* <root>/blobs/<alg>/<hex>; caller frees.  */
char *store_blob_path (struct berth_store *s, const char *digest);
int store_blob_read (struct berth_store *s, const char *digest, size_t max, char **data, size_t *len,
                     oci_error_t **err);
/* Store bytes already in memory (verified against digest when non-NULL);
   *out_digest gets the digest (caller frees) when requested.  */
int store_blob_put (struct berth_store *s, const void *data, size_t len, const char *digest, char **out_digest,
                    oci_error_t **err);

/* Streaming ingestion: bytes are hashed as they arrive; commit verifies
   the digest and size, fsyncs and renames into place.  A partial ingest can
   be resumed: store_ingest_begin reopens the temp file of the same digest
   and reports its current length in *offset so the caller can ask for a
   Range.  */
struct store_ingest;
int store_ingest_begin (struct berth_store *s, const char *digest, int64_t size, struct store_ingest **out,
                        int64_t *offset, oci_error_t **err);
int store_ingest_write (struct store_ingest *in, const void *data, size_t len, oci_error_t **err);
int store_ingest_commit (struct store_ingest *in, oci_error_t **err); /* frees in */
/* The same, for an ingest begun with a NULL digest: *digest gets the
   digest of the content (caller frees).  */
int store_ingest_commit_digest (struct store_ingest *in, char **digest, oci_error_t **err); /* frees in */
void store_ingest_abort (struct store_ingest *in, bool keep_partial); /* frees in */

/* --- layers --- */

/* Unpack a layer blob (tar, gzip or zstd by media type) into its layer
   directory unless already there; OCI whiteouts become overlay whiteouts.
   Entries escaping the layer (.., absolute, through symlinks, hardlinks to
   outside) are refused.  *diff_id gets the digest of the uncompressed tar
   (caller frees).  */
int store_layer_unpack (struct berth_store *s, const char *blob_digest, const char *media_type, char **diff_id,
                        oci_error_t **err);
bool store_layer_exists (struct berth_store *s, const char *diff_id);
/* <root>/layers/<hex>/diff; caller frees.  */
char *store_layer_path (struct berth_store *s, const char *diff_id);
/* Bytes of regular files in an unpacked layer (0 when unknown).  */
int64_t store_layer_size (struct berth_store *s, const char *diff_id);

/* --- images --- */

struct store_image
{
  char *id;              /* config digest "sha256:..." */
  char *manifest_digest; /* digest of the manifest as stored */
  char *manifest_media_type;
  char **names;   /* "registry/repo:tag", NULL-terminated */
  char **digests; /* "registry/repo@sha256:..." repo digests */
  int64_t created; /* unix seconds, from the config */
  int64_t size;    /* sum of the unpacked layers */
  char **diff_ids; /* bottom to top */
};

void store_image_free (struct store_image *img);
void store_image_list_free (struct store_image **imgs);

/* Record an image whose manifest, config and layer blobs are stored and
   whose layers are unpacked, then point `name` (may be NULL) and
   `repo_digest` (may be NULL) at it.  One transaction.  */
int store_image_add (struct berth_store *s, const char *manifest_digest, const char *name,
                     const char *repo_digest, struct store_image **out, oci_error_t **err);
/* Find by name ("busybox" is normalised by the caller), full or short id,
   or repo digest.  ENOENT error when absent.  */
int store_image_lookup (struct berth_store *s, const char *ref, struct store_image **out, oci_error_t **err);
int store_image_list (struct berth_store *s, struct store_image ***out, oci_error_t **err);
int store_image_tag (struct berth_store *s, const char *image_id, const char *name, oci_error_t **err);
/* Remove a name; when it was the last one, remove the image too.
   Returns 1 when the image was removed, 0 when it keeps other names.  */
int store_image_untag (struct berth_store *s, const char *name, oci_error_t **err);
int store_image_remove (struct berth_store *s, const char *image_id, oci_error_t **err);
/* The parsed config / manifest of an image (caller frees).  */
int store_image_config (struct berth_store *s, const struct store_image *img, struct oci_image_config **out,
                        oci_error_t **err);

/* RFC 3339 time to unix seconds (0 when absent or unparsable).  */
int64_t store_parse_time (const char *rfc3339);

/* Remove blobs and layers no image references, and stale temp files.  */
int store_gc (struct berth_store *s, uint64_t *reclaimed, oci_error_t **err);
/* Verify every blob's digest, every layer dir and every reference;
   problems are appended to *report (one line each).  Returns 0 when clean,
   1 when problems were found, -1 on error.  */
int store_check (struct berth_store *s, char **report, oci_error_t **err);

#endif
