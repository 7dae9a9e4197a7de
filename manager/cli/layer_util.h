/* Layer and manifest helpers shared by import and load: layers are stored
   as deterministic gzip (no file name, zero mtime in the header), so the
   same tar always gives the same blob digest, and one-config manifests are
   written in the OCI form.  */
#ifndef BERTH_CLI_LAYER_UTIL_H
#define BERTH_CLI_LAYER_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "manager/store/store.h"

/* Read a tar from fd (plain, gzip, zstd, xz or bzip2: any compression
   libarchive detects) and store it as a deterministic gzip blob; *digest
   (caller frees) and *size describe the blob.  source names fd in
   errors.  */
int cli_layer_store_gzip (struct berth_store *s, int fd, const char *source, char **digest, int64_t *size,
                          oci_error_t **err);

/* Store an OCI image manifest for a config and gzip layers; *digest gets
   the manifest's digest (caller frees).  */
int cli_manifest_store_gzip (struct berth_store *s, const char *config_digest, int64_t config_size,
                             char *const *layer_digests, const int64_t *layer_sizes, size_t n_layers,
                             char **digest, oci_error_t **err);

#endif
