/* The files of an image archive being loaded: the tar is unpacked into a
   private temp dir of the store (held under flock so `store_gc` leaves it
   alone), each regular file hashed on the way; symlinks and hard links
   are kept as links between entries.  Entry names with ".." components or
   a leading "/" are refused, as are link targets outside the archive.  */
#ifndef BERTH_CLI_LOAD_ARCHIVE_H
#define BERTH_CLI_LOAD_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "manager/store/store.h"

struct load_file
{
  char *name;   /* clean, relative */
  char *link;   /* a link: the clean name of its target */
  char *path;   /* a regular file: where it was unpacked */
  char *digest; /* sha256 of its bytes */
  int64_t size;
  char *diff_id;       /* sha256 of its decompressed bytes, once computed */
  char *stored;        /* load: the blob it was stored as */
  int64_t stored_size; /* and that blob's size */
};

struct load_archive
{
  char *dir;
  int dirfd;
  struct load_file *files;
  size_t n_files;
};

/* Unpack the tar (any compression libarchive detects) read from fd;
   source names it in errors.  */
int load_archive_unpack (struct berth_store *s, int fd, const char *source, struct load_archive *ar,
                         oci_error_t **err);
/* Remove the temp dir and free everything.  */
void load_archive_release (struct load_archive *ar);

/* The regular file a name leads to (following links), NULL when none.  */
struct load_file *load_archive_lookup (struct load_archive *ar, const char *name);
/* The same with an error naming the entry when absent.  */
int load_archive_find (struct load_archive *ar, const char *name, struct load_file **out, oci_error_t **err);
/* blobs/<alg>/<hex> for a digest, its content checked against it.  */
int load_archive_find_blob (struct load_archive *ar, const char *digest, struct load_file **out,
                            oci_error_t **err);
/* Read a JSON document, refusing files larger than OCI_JSON_MAX_SIZE.  */
int load_archive_read_json (struct load_archive *ar, const struct load_file *f, char **data, size_t *len,
                            oci_error_t **err);
/* Set f->diff_id: the digest of its decompressed content.  */
int load_archive_diff_id (struct load_archive *ar, struct load_file *f, oci_error_t **err);

#endif
