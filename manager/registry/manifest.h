/* OCI and Docker schema2 manifests seen the same way by pull and push.  */
#ifndef BERTH_REGISTRY_MANIFEST_H
#define BERTH_REGISTRY_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct registry_blob_ref
{
  char *digest;
  char *media_type;
  int64_t size;
};

struct registry_image_manifest
{
  struct registry_blob_ref config;
  struct registry_blob_ref *layers; /* bottom to top */
  size_t n_layers;
};

/* Whether media_type is an OCI index or a Docker manifest list.  */
bool registry_manifest_is_index (const char *media_type);
/* Parse an image manifest (OCI or Docker schema2).  */
int registry_manifest_parse (const char *data, size_t len, const char *media_type, const char *source,
                             struct registry_image_manifest **out, oci_error_t **err);
void registry_manifest_free (struct registry_image_manifest *m);
/* The digest of the entry of an index or list for os/arch[/variant];
   the error lists the available platforms when none fits.  */
int registry_manifest_select (const char *data, size_t len, const char *media_type, const char *source,
                              const char *os, const char *arch, const char *variant, char **digest,
                              oci_error_t **err);

#endif
