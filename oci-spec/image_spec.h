/* OCI image-spec v1.1 and Docker distribution schema2 types.

   Every document type is described once by a field table for the JSON
   engine of json.h (see the conventions there) and gets typed wrappers
   declared by OCI_IMAGE_DECLARE_DOC:

     int  <p>_parse (data, len, source, T **out, err);
     int  <p>_parse_file (path, T **out, err);
     int  <p>_emit (const T *obj, pretty, char **out, size_t *len, err);
     int  <p>_dup (const T *obj, T **out, err);
     bool <p>_equal (const T *a, const T *b);
     void <p>_free (T *obj);
     void <p>_freep (T **obj);      (for cleanup attributes)

   for <p> = oci_image_descriptor, oci_image_index, oci_image_manifest,
   oci_image_config, oci_image_layout, docker_manifest, docker_manifest_list.

   Parsing validates what the specifications require (schemaVersion 2,
   digests, non-negative sizes, required fields, media types, embedded data)
   and names the file and JSON path of the first problem:
     manifest.json: layers[1].digest: invalid digest "sha256:xyz"  */
#ifndef OCI_IMAGE_SPEC_H
#define OCI_IMAGE_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "json.h"

/* --- media types --- */

#define OCI_MEDIA_TYPE_DESCRIPTOR       "application/vnd.oci.descriptor.v1+json"
#define OCI_MEDIA_TYPE_LAYOUT_HEADER    "application/vnd.oci.layout.header.v1+json"
#define OCI_MEDIA_TYPE_IMAGE_MANIFEST   "application/vnd.oci.image.manifest.v1+json"
#define OCI_MEDIA_TYPE_IMAGE_INDEX      "application/vnd.oci.image.index.v1+json"
#define OCI_MEDIA_TYPE_IMAGE_CONFIG     "application/vnd.oci.image.config.v1+json"
#define OCI_MEDIA_TYPE_EMPTY            "application/vnd.oci.empty.v1+json"
#define OCI_MEDIA_TYPE_IMAGE_LAYER      "application/vnd.oci.image.layer.v1.tar"
#define OCI_MEDIA_TYPE_IMAGE_LAYER_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"
#define OCI_MEDIA_TYPE_IMAGE_LAYER_ZSTD "application/vnd.oci.image.layer.v1.tar+zstd"
/* Deprecated by image-spec v1.1 but still found in the wild.  */
#define OCI_MEDIA_TYPE_IMAGE_LAYER_NONDISTRIBUTABLE "application/vnd.oci.image.layer.nondistributable.v1.tar"
#define OCI_MEDIA_TYPE_IMAGE_LAYER_NONDISTRIBUTABLE_GZIP                                                     \
  "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
#define OCI_MEDIA_TYPE_IMAGE_LAYER_NONDISTRIBUTABLE_ZSTD                                                     \
  "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd"

#define DOCKER_MEDIA_TYPE_MANIFEST      "application/vnd.docker.distribution.manifest.v2+json"
#define DOCKER_MEDIA_TYPE_MANIFEST_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
/* Schema 1, unsupported: recognised only to report it clearly.  */
#define DOCKER_MEDIA_TYPE_MANIFEST_V1        "application/vnd.docker.distribution.manifest.v1+json"
#define DOCKER_MEDIA_TYPE_MANIFEST_V1_SIGNED "application/vnd.docker.distribution.manifest.v1+prettyjws"
#define DOCKER_MEDIA_TYPE_CONFIG             "application/vnd.docker.container.image.v1+json"
#define DOCKER_MEDIA_TYPE_PLUGIN_CONFIG      "application/vnd.docker.plugin.v1+json"
#define DOCKER_MEDIA_TYPE_LAYER              "application/vnd.docker.image.rootfs.diff.tar"
#define DOCKER_MEDIA_TYPE_LAYER_GZIP         "application/vnd.docker.image.rootfs.diff.tar.gzip"
#define DOCKER_MEDIA_TYPE_LAYER_ZSTD         "application/vnd.docker.image.rootfs.diff.tar.zstd"
#define DOCKER_MEDIA_TYPE_FOREIGN_LAYER_GZIP "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"

/* Pre-defined annotation keys.  */
#define OCI_ANNOTATION_CREATED     "org.opencontainers.image.created"
#define OCI_ANNOTATION_AUTHORS     "org.opencontainers.image.authors"
#define OCI_ANNOTATION_URL         "org.opencontainers.image.url"
#define OCI_ANNOTATION_SOURCE      "org.opencontainers.image.source"
#define OCI_ANNOTATION_VERSION     "org.opencontainers.image.version"
#define OCI_ANNOTATION_REVISION    "org.opencontainers.image.revision"
#define OCI_ANNOTATION_TITLE       "org.opencontainers.image.title"
#define OCI_ANNOTATION_DESCRIPTION "org.opencontainers.image.description"
#define OCI_ANNOTATION_REF_NAME    "org.opencontainers.image.ref.name"
#define OCI_ANNOTATION_BASE_NAME   "org.opencontainers.image.base.name"
#define OCI_ANNOTATION_BASE_DIGEST "org.opencontainers.image.base.digest"

#define OCI_IMAGE_LAYOUT_VERSION "1.0.0"

/* Compression of a layer, from its media type.  */
enum oci_layer_compression
{
  OCI_LAYER_NOT_A_LAYER = -1,
  OCI_LAYER_UNCOMPRESSED,
  OCI_LAYER_GZIP,
  OCI_LAYER_ZSTD,
};
/* For any OCI or Docker layer media type (incl. non-distributable and
   foreign ones); OCI_LAYER_NOT_A_LAYER for anything else.  */
enum oci_layer_compression oci_layer_media_type_compression (const char *media_type);

/* --- digests --- */

/* Whether s is `algorithm:encoded` per the image-spec grammar, with the
   registered algorithms held to their exact form: sha256 is 64 and sha512
   128 lowercase hex digits.  */
bool oci_digest_string_valid (const char *s);

/* --- image-spec types --- */

/* Also used for Docker manifest lists, whose platform has the same shape.  */
struct oci_image_platform
{
  char *architecture;
  char *os;
  char *os_version;   /* "os.version" */
  char **os_features; /* "os.features" */
  char *variant;
  char **features;
};

struct oci_image_descriptor
{
  char *media_type;
  char *digest;
  int64_t size;
  bool size_present;
  char **urls;
  struct oci_map annotations;
  char *data; /* base64 */
  struct oci_image_platform *platform;
  char *artifact_type;
};

struct oci_image_index
{
  int32_t schema_version;
  bool schema_version_present;
  char *media_type;
  char *artifact_type;
  struct oci_image_descriptor *manifests;
  size_t manifests_len;
  struct oci_image_descriptor *subject;
  struct oci_map annotations;
};

struct oci_image_manifest
{
  int32_t schema_version;
  bool schema_version_present;
  char *media_type;
  char *artifact_type;
  struct oci_image_descriptor *config;
  struct oci_image_descriptor *layers;
  size_t layers_len;
  struct oci_image_descriptor *subject;
  struct oci_map annotations;
};

/* Docker's HEALTHCHECK; durations are nanoseconds.  */
struct oci_image_healthcheck
{
  char **test; /* {"NONE"}, {"CMD", args...}, {"CMD-SHELL", command} */
  int64_t interval;
  bool interval_present;
  int64_t timeout;
  bool timeout_present;
  int64_t start_period;
  bool start_period_present;
  int64_t start_interval;
  bool start_interval_present;
  int64_t retries;
  bool retries_present;
};

/* The execution parameters ("config" of an image config).  */
struct oci_image_exec_config
{
  char *user;
  char **exposed_ports; /* set: "80/tcp" */
  char **env;
  char **entrypoint;
  char **cmd;
  char **volumes; /* set of paths */
  char *working_dir;
  struct oci_map labels;
  char *stop_signal;
  bool args_escaped;
  bool args_escaped_present;
  /* Docker extensions.  */
  int64_t memory;
  bool memory_present;
  int64_t memory_swap;
  bool memory_swap_present;
  int64_t cpu_shares;
  bool cpu_shares_present;
  struct oci_image_healthcheck *healthcheck;
  char **on_build;
  char **shell;
};

struct oci_image_rootfs
{
  char *type; /* "layers" */
  char **diff_ids;
};

struct oci_image_history
{
  char *created;
  char *created_by;
  char *author;
  char *comment;
  bool empty_layer;
  bool empty_layer_present;
};

struct oci_image_config
{
  char *created;
  char *author;
  char *architecture;
  char *os;
  char *os_version;
  char **os_features;
  char *variant;
  struct oci_image_exec_config *config;
  struct oci_image_rootfs *rootfs;
  struct oci_image_history *history;
  size_t history_len;
};

/* The oci-layout file of an image layout directory.  */
struct oci_image_layout
{
  char *image_layout_version;
};

/* --- Docker schema2 types --- */

struct docker_descriptor
{
  char *media_type;
  int64_t size;
  bool size_present;
  char *digest;
  char **urls;
  struct oci_image_platform *platform; /* manifest list entries only */
};

struct docker_manifest
{
  int32_t schema_version;
  bool schema_version_present;
  char *media_type;
  struct docker_descriptor *config;
  struct docker_descriptor *layers;
  size_t layers_len;
};

struct docker_manifest_list
{
  int32_t schema_version;
  bool schema_version_present;
  char *media_type;
  struct docker_descriptor *manifests;
  size_t manifests_len;
};

/* --- typed wrappers --- */

#define OCI_IMAGE_DECLARE_DOC(prefix, T)                                                                     \
  extern const struct oci_json_type prefix##_type;                                                           \
  int prefix##_parse (const char *data, size_t len, const char *source, T **out, oci_error_t **err);         \
  int prefix##_parse_file (const char *path, T **out, oci_error_t **err);                                    \
  int prefix##_emit (const T *obj, bool pretty, char **out, size_t *len, oci_error_t **err);                 \
  int prefix##_dup (const T *obj, T **out, oci_error_t **err);                                               \
  bool prefix##_equal (const T *a, const T *b);                                                              \
  void prefix##_free (T *obj);                                                                               \
  void prefix##_freep (T **obj)

OCI_IMAGE_DECLARE_DOC (oci_image_descriptor, struct oci_image_descriptor);
OCI_IMAGE_DECLARE_DOC (oci_image_index, struct oci_image_index);
OCI_IMAGE_DECLARE_DOC (oci_image_manifest, struct oci_image_manifest);
OCI_IMAGE_DECLARE_DOC (oci_image_config, struct oci_image_config);
OCI_IMAGE_DECLARE_DOC (oci_image_layout, struct oci_image_layout);
OCI_IMAGE_DECLARE_DOC (docker_manifest, struct docker_manifest);
OCI_IMAGE_DECLARE_DOC (docker_manifest_list, struct docker_manifest_list);

#define cleanup_oci_image_index      __attribute__ ((cleanup (oci_image_index_freep)))
#define cleanup_oci_image_manifest   __attribute__ ((cleanup (oci_image_manifest_freep)))
#define cleanup_oci_image_config     __attribute__ ((cleanup (oci_image_config_freep)))
#define cleanup_docker_manifest      __attribute__ ((cleanup (docker_manifest_freep)))
#define cleanup_docker_manifest_list __attribute__ ((cleanup (docker_manifest_list_freep)))

/* --- manifest kinds --- */

enum oci_manifest_kind
{
  OCI_MANIFEST_KIND_UNKNOWN,
  OCI_MANIFEST_KIND_OCI_MANIFEST,
  OCI_MANIFEST_KIND_OCI_INDEX,
  OCI_MANIFEST_KIND_DOCKER_MANIFEST,
  OCI_MANIFEST_KIND_DOCKER_LIST,
  OCI_MANIFEST_KIND_DOCKER_V1, /* schema 1: recognised, not supported */
};

/* The kind a media type names (parameters such as "; charset=utf-8" and
   case are ignored); UNKNOWN for anything else.  */
enum oci_manifest_kind oci_manifest_kind_from_media_type (const char *media_type);
/* The media type of a kind, NULL for UNKNOWN.  */
const char *oci_manifest_kind_media_type (enum oci_manifest_kind kind);
/* The kind of a manifest document: its own mediaType field first (that is
   what gets parsed and digested), then the HTTP Content-Type (may be NULL),
   then its shape (an OCI document with "manifests" is an index, with
   "config" or "layers" a manifest).  UNKNOWN when none of these tell.  */
enum oci_manifest_kind oci_manifest_sniff (const char *data, size_t len, const char *content_type);

/* --- platform selection --- */

/* Whether p is the platform os/architecture[/variant].  Variants are
   normalised first: amd64 has none ("v1" is dropped), arm64 defaults to
   "v8" and arm to "v7"; x86_64 and aarch64 are aliases.  */
bool oci_platform_matches (const struct oci_image_platform *p, const char *os, const char *architecture,
                           const char *variant);
/* The index of the entry of platforms[0..n) (entries may be NULL) for
   os/architecture[/variant]: an exact match after normalisation, else for
   arm the closest lower variant (v7 runs v6 and v5 images).  -1 and an
   error listing the available platforms when none fits.  */
int oci_platform_select (const struct oci_image_platform *const *platforms, size_t n, const char *os,
                         const char *architecture, const char *variant, oci_error_t **err);
/* The same on an index or list: *out points into it.  */
int oci_image_index_select (const struct oci_image_index *index, const char *os, const char *architecture,
                            const char *variant, const struct oci_image_descriptor **out, oci_error_t **err);
int docker_manifest_list_select (const struct docker_manifest_list *list, const char *os,
                                 const char *architecture, const char *variant,
                                 const struct docker_descriptor **out, oci_error_t **err);

#endif
