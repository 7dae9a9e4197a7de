/* OCI image-spec v1.1 and Docker schema2 types: field tables, semantic
   checks, manifest kind sniffing and platform selection.  See
   image_spec.h.  */
#include "config.h"
#include "image_spec.h"
#include "strbuf.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <strings.h>

/* --- grammar helpers --- */

static bool
is_lower_alnum (char c)
{
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool
is_lower_hex (char c)
{
  return (c >= 'a' && c <= 'f') || (c >= '0' && c <= '9');
}

/* algorithm: [a-z0-9]+([+._-][a-z0-9]+)*  */
static bool
digest_algorithm_valid (const char *s, size_t len)
{
  bool need_alnum = true;

  if (len == 0)
    return false;
  for (size_t i = 0; i < len; i++)
    {
      if (is_lower_alnum (s[i]))
        need_alnum = false;
      else if (strchr ("+._-", s[i]) != NULL && !need_alnum)
        need_alnum = true;
      else
        return false;
    }
  return !need_alnum;
}

bool
oci_digest_string_valid (const char *s)
{
  const char *colon, *enc;
  size_t alg_len, enc_len, want_hex = 0;

  if (s == NULL || (colon = strchr (s, ':')) == NULL)
    return false;
  alg_len = colon - s;
  enc = colon + 1;
  enc_len = strlen (enc);
  if (!digest_algorithm_valid (s, alg_len) || enc_len == 0)
    return false;
  if (alg_len == 6 && strncmp (s, "sha256", 6) == 0)
    want_hex = 64;
  else if (alg_len == 6 && strncmp (s, "sha512", 6) == 0)
    want_hex = 128;
  if (want_hex)
    {
      if (enc_len != want_hex)
        return false;
      for (size_t i = 0; i < enc_len; i++)
        if (!is_lower_hex (enc[i]))
          return false;
      return true;
    }
  /* encoded: [a-zA-Z0-9=_-]+  */
  for (size_t i = 0; i < enc_len; i++)
    if (!isascii ((unsigned char) enc[i]) || !(isalnum ((unsigned char) enc[i]) || strchr ("=_-", enc[i])))
      return false;
  return true;
}

/* RFC 6838 type "/" subtype, each a restricted-name: an alphanumeric and
   up to 126 of [a-zA-Z0-9!#$&^_.+-].  */
static bool
restricted_name_valid (const char *s, size_t len)
{
  if (len == 0 || len > 127 || !isascii ((unsigned char) s[0]) || !isalnum ((unsigned char) s[0]))
    return false;
  for (size_t i = 1; i < len; i++)
    if (!isascii ((unsigned char) s[i]) || !(isalnum ((unsigned char) s[i]) || strchr ("!#$&^_.+-", s[i])))
      return false;
  return true;
}

static bool
media_type_valid (const char *s)
{
  const char *slash = strchr (s, '/');

  return slash != NULL && restricted_name_valid (s, slash - s)
         && restricted_name_valid (slash + 1, strlen (slash + 1));
}

/* Standard base64 with padding, as Go's encoding/json writes []byte.
   Returns the decoded length or -1.  */
static int64_t
base64_decoded_len (const char *s)
{
  size_t len = strlen (s), pad = 0;

  if (len % 4 != 0)
    return -1;
  for (size_t i = 0; i < len; i++)
    {
      char c = s[i];
      if (c == '=')
        {
          if (i < len - 2)
            return -1;
          pad++;
        }
      else if (pad || !(isascii ((unsigned char) c) && (isalnum ((unsigned char) c) || c == '+' || c == '/')))
        return -1;
    }
  return (int64_t) (len / 4 * 3 - pad);
}

/* --- shared checks --- */

static int
check_digest (struct oci_json_ctx *ctx, const char *field, const char *digest)
{
  if (digest && !oci_digest_string_valid (digest))
    return oci_json_fail (ctx, field, "invalid digest \"%s\"", digest);
  return 0;
}

static int
check_media_type (struct oci_json_ctx *ctx, const char *field, const char *media_type)
{
  if (media_type && !media_type_valid (media_type))
    return oci_json_fail (ctx, field, "invalid media type \"%s\"", media_type);
  return 0;
}

static int
check_size (struct oci_json_ctx *ctx, int64_t size, bool present)
{
  if (present && size < 0)
    return oci_json_fail (ctx, "size", "must not be negative, got %" PRId64, size);
  return 0;
}

static int
check_schema_version (struct oci_json_ctx *ctx, int32_t version)
{
  if (version != 2)
    return oci_json_fail (ctx, "schemaVersion", "must be 2, got %" PRId32, version);
  return 0;
}

/* A mediaType that, when present (or always when required), must be
   exactly `want`.  */
static int
check_media_type_is (struct oci_json_ctx *ctx, const char *media_type, const char *want, bool required)
{
  if (media_type == NULL)
    return required ? oci_json_fail (ctx, "mediaType", "required field is missing") : 0;
  if (!streq (media_type, want))
    return oci_json_fail (ctx, "mediaType", "expected \"%s\", got \"%s\"", want, media_type);
  return 0;
}

static int
check_nonnegative (struct oci_json_ctx *ctx, const char *field, int64_t value, bool present)
{
  if (present && value < 0)
    return oci_json_fail (ctx, field, "must not be negative, got %" PRId64, value);
  return 0;
}

/* --- platform and descriptor --- */

typedef struct oci_image_platform platform_t;
static const struct oci_json_field platform_fields[] = {
  OCI_F_STRING (platform_t, "architecture", architecture, OCI_JSON_REQUIRED | OCI_JSON_NONEMPTY),
  OCI_F_STRING (platform_t, "os", os, OCI_JSON_REQUIRED | OCI_JSON_NONEMPTY),
  OCI_F_STRING (platform_t, "os.version", os_version, 0),
  OCI_F_STRV (platform_t, "os.features", os_features, 0),
  OCI_F_STRING (platform_t, "variant", variant, 0),
  OCI_F_STRV (platform_t, "features", features, 0),
};
static OCI_JSON_DEFINE_TYPE (platform_type, platform_t, platform_fields, NULL);

static int
check_descriptor (const void *obj, struct oci_json_ctx *ctx)
{
  const struct oci_image_descriptor *d = obj;

  if (check_media_type (ctx, "mediaType", d->media_type) < 0 || check_digest (ctx, "digest", d->digest) < 0
      || check_size (ctx, d->size, d->size_present) < 0
      || check_media_type (ctx, "artifactType", d->artifact_type) < 0)
    return -1;
  if (d->data)
    {
      int64_t n = base64_decoded_len (d->data);
      if (n < 0)
        return oci_json_fail (ctx, "data", "invalid base64");
      if (n != d->size)
        return oci_json_fail (ctx, "data", "decodes to %" PRId64 " bytes but size is %" PRId64, n, d->size);
    }
  return 0;
}

typedef struct oci_image_descriptor descriptor_t;
static const struct oci_json_field descriptor_fields[] = {
  OCI_F_STRING (descriptor_t, "mediaType", media_type, OCI_JSON_REQUIRED),
  OCI_F_STRING (descriptor_t, "digest", digest, OCI_JSON_REQUIRED),
  OCI_F_I64 (descriptor_t, "size", size, OCI_JSON_REQUIRED),
  OCI_F_STRV (descriptor_t, "urls", urls, 0),
  OCI_F_STRMAP (descriptor_t, "annotations", annotations, 0),
  OCI_F_STRING (descriptor_t, "data", data, 0),
  OCI_F_OBJECT (descriptor_t, "platform", platform, platform_type, 0),
  OCI_F_STRING (descriptor_t, "artifactType", artifact_type, 0),
};
OCI_JSON_DEFINE_TYPE (oci_image_descriptor_type, descriptor_t, descriptor_fields, check_descriptor);

/* --- index and manifest --- */

static int
check_index (const void *obj, struct oci_json_ctx *ctx)
{
  const struct oci_image_index *x = obj;

  if (check_schema_version (ctx, x->schema_version) < 0
      || check_media_type_is (ctx, x->media_type, OCI_MEDIA_TYPE_IMAGE_INDEX, false) < 0)
    return -1;
  return check_media_type (ctx, "artifactType", x->artifact_type);
}

typedef struct oci_image_index index_t;
static const struct oci_json_field index_fields[] = {
  OCI_F_I32 (index_t, "schemaVersion", schema_version, OCI_JSON_REQUIRED),
  OCI_F_STRING (index_t, "mediaType", media_type, 0),
  OCI_F_STRING (index_t, "artifactType", artifact_type, 0),
  OCI_F_ARRAY (index_t, "manifests", manifests, oci_image_descriptor_type, OCI_JSON_REQUIRED),
  OCI_F_OBJECT (index_t, "subject", subject, oci_image_descriptor_type, 0),
  OCI_F_STRMAP (index_t, "annotations", annotations, 0),
};
OCI_JSON_DEFINE_TYPE (oci_image_index_type, index_t, index_fields, check_index);

static int
check_manifest (const void *obj, struct oci_json_ctx *ctx)
{
  const struct oci_image_manifest *m = obj;

  if (check_schema_version (ctx, m->schema_version) < 0
      || check_media_type_is (ctx, m->media_type, OCI_MEDIA_TYPE_IMAGE_MANIFEST, false) < 0
      || check_media_type (ctx, "artifactType", m->artifact_type) < 0)
    return -1;
  /* image-spec v1.1: an artifact with the empty config names its type.  */
  if (m->artifact_type == NULL && streq (m->config->media_type, OCI_MEDIA_TYPE_EMPTY))
    return oci_json_fail (ctx, "artifactType", "required when config.mediaType is \"%s\"",
                          OCI_MEDIA_TYPE_EMPTY);
  return 0;
}

typedef struct oci_image_manifest manifest_t;
static const struct oci_json_field manifest_fields[] = {
  OCI_F_I32 (manifest_t, "schemaVersion", schema_version, OCI_JSON_REQUIRED),
  OCI_F_STRING (manifest_t, "mediaType", media_type, 0),
  OCI_F_STRING (manifest_t, "artifactType", artifact_type, 0),
  OCI_F_OBJECT (manifest_t, "config", config, oci_image_descriptor_type, OCI_JSON_REQUIRED),
  OCI_F_ARRAY (manifest_t, "layers", layers, oci_image_descriptor_type, OCI_JSON_REQUIRED),
  OCI_F_OBJECT (manifest_t, "subject", subject, oci_image_descriptor_type, 0),
  OCI_F_STRMAP (manifest_t, "annotations", annotations, 0),
};
OCI_JSON_DEFINE_TYPE (oci_image_manifest_type, manifest_t, manifest_fields, check_manifest);

/* --- image config --- */

static int
check_healthcheck (const void *obj, struct oci_json_ctx *ctx)
{
  const struct oci_image_healthcheck *h = obj;

  if (check_nonnegative (ctx, "Interval", h->interval, h->interval_present) < 0
      || check_nonnegative (ctx, "Timeout", h->timeout, h->timeout_present) < 0
      || check_nonnegative (ctx, "StartPeriod", h->start_period, h->start_period_present) < 0
      || check_nonnegative (ctx, "StartInterval", h->start_interval, h->start_interval_present) < 0)
    return -1;
  return check_nonnegative (ctx, "Retries", h->retries, h->retries_present);
}

typedef struct oci_image_healthcheck healthcheck_t;
static const struct oci_json_field healthcheck_fields[] = {
  OCI_F_STRV (healthcheck_t, "Test", test, 0),
  OCI_F_I64 (healthcheck_t, "Interval", interval, 0),
  OCI_F_I64 (healthcheck_t, "Timeout", timeout, 0),
  OCI_F_I64 (healthcheck_t, "StartPeriod", start_period, 0),
  OCI_F_I64 (healthcheck_t, "StartInterval", start_interval, 0),
  OCI_F_I64 (healthcheck_t, "Retries", retries, 0),
};
static OCI_JSON_DEFINE_TYPE (healthcheck_type, healthcheck_t, healthcheck_fields, check_healthcheck);

typedef struct oci_image_exec_config exec_config_t;
static const struct oci_json_field exec_config_fields[] = {
  OCI_F_STRING (exec_config_t, "User", user, 0),
  OCI_F_STRSET (exec_config_t, "ExposedPorts", exposed_ports, 0),
  OCI_F_STRV (exec_config_t, "Env", env, 0),
  OCI_F_STRV (exec_config_t, "Entrypoint", entrypoint, 0),
  OCI_F_STRV (exec_config_t, "Cmd", cmd, 0),
  OCI_F_STRSET (exec_config_t, "Volumes", volumes, 0),
  OCI_F_STRING (exec_config_t, "WorkingDir", working_dir, 0),
  OCI_F_STRMAP (exec_config_t, "Labels", labels, 0),
  OCI_F_STRING (exec_config_t, "StopSignal", stop_signal, 0),
  OCI_F_BOOL (exec_config_t, "ArgsEscaped", args_escaped, 0),
  OCI_F_I64 (exec_config_t, "Memory", memory, 0),
  OCI_F_I64 (exec_config_t, "MemorySwap", memory_swap, 0),
  OCI_F_I64 (exec_config_t, "CpuShares", cpu_shares, 0),
  OCI_F_OBJECT (exec_config_t, "Healthcheck", healthcheck, healthcheck_type, 0),
  OCI_F_STRV (exec_config_t, "OnBuild", on_build, 0),
  OCI_F_STRV (exec_config_t, "Shell", shell, 0),
};
static OCI_JSON_DEFINE_TYPE (exec_config_type, exec_config_t, exec_config_fields, NULL);

static int
check_rootfs (const void *obj, struct oci_json_ctx *ctx)
{
  const struct oci_image_rootfs *r = obj;

  for (size_t i = 0; r->diff_ids[i]; i++)
    {
      char field[64];
      snprintf (field, sizeof field, "diff_ids[%zu]", i);
      if (check_digest (ctx, field, r->diff_ids[i]) < 0)
        return -1;
    }
  return 0;
}

static const char *const rootfs_types[] = { "layers", NULL };

typedef struct oci_image_rootfs rootfs_t;
static const struct oci_json_field rootfs_fields[] = {
  OCI_F_ENUM (rootfs_t, "type", type, rootfs_types, "rootfs type", OCI_JSON_REQUIRED),
  OCI_F_STRV (rootfs_t, "diff_ids", diff_ids, OCI_JSON_REQUIRED),
};
static OCI_JSON_DEFINE_TYPE (rootfs_type, rootfs_t, rootfs_fields, check_rootfs);

typedef struct oci_image_history history_t;
static const struct oci_json_field history_fields[] = {
  OCI_F_STRING (history_t, "created", created, 0),
  OCI_F_STRING (history_t, "created_by", created_by, 0),
  OCI_F_STRING (history_t, "author", author, 0),
  OCI_F_STRING (history_t, "comment", comment, 0),
  OCI_F_BOOL (history_t, "empty_layer", empty_layer, 0),
};
static OCI_JSON_DEFINE_TYPE (history_type, history_t, history_fields, NULL);

typedef struct oci_image_config config_t;
static const struct oci_json_field config_fields[] = {
  OCI_F_STRING (config_t, "created", created, 0),
  OCI_F_STRING (config_t, "author", author, 0),
  OCI_F_STRING (config_t, "architecture", architecture, OCI_JSON_REQUIRED | OCI_JSON_NONEMPTY),
  OCI_F_STRING (config_t, "os", os, OCI_JSON_REQUIRED | OCI_JSON_NONEMPTY),
  OCI_F_STRING (config_t, "os.version", os_version, 0),
  OCI_F_STRV (config_t, "os.features", os_features, 0),
  OCI_F_STRING (config_t, "variant", variant, 0),
  OCI_F_OBJECT (config_t, "config", config, exec_config_type, 0),
  OCI_F_OBJECT (config_t, "rootfs", rootfs, rootfs_type, OCI_JSON_REQUIRED),
  OCI_F_ARRAY (config_t, "history", history, history_type, 0),
};
OCI_JSON_DEFINE_TYPE (oci_image_config_type, config_t, config_fields, NULL);

/* --- oci-layout --- */

static const char *const layout_versions[] = { OCI_IMAGE_LAYOUT_VERSION, NULL };

typedef struct oci_image_layout layout_t;
static const struct oci_json_field layout_fields[] = {
  OCI_F_ENUM (layout_t, "imageLayoutVersion", image_layout_version, layout_versions, "image layout version",
              OCI_JSON_REQUIRED),
};
OCI_JSON_DEFINE_TYPE (oci_image_layout_type, layout_t, layout_fields, NULL);

/* --- Docker schema2 --- */

static int
check_docker_descriptor (const void *obj, struct oci_json_ctx *ctx)
{
  const struct docker_descriptor *d = obj;

  if (check_media_type (ctx, "mediaType", d->media_type) < 0
      || check_size (ctx, d->size, d->size_present) < 0)
    return -1;
  return check_digest (ctx, "digest", d->digest);
}

typedef struct docker_descriptor docker_descriptor_t;
static const struct oci_json_field docker_descriptor_fields[] = {
  OCI_F_STRING (docker_descriptor_t, "mediaType", media_type, OCI_JSON_REQUIRED),
  OCI_F_I64 (docker_descriptor_t, "size", size, OCI_JSON_REQUIRED),
  OCI_F_STRING (docker_descriptor_t, "digest", digest, OCI_JSON_REQUIRED),
  OCI_F_STRV (docker_descriptor_t, "urls", urls, 0),
  OCI_F_OBJECT (docker_descriptor_t, "platform", platform, platform_type, 0),
};
static OCI_JSON_DEFINE_TYPE (docker_descriptor_type, docker_descriptor_t, docker_descriptor_fields,
                             check_docker_descriptor);

static int
check_docker_manifest (const void *obj, struct oci_json_ctx *ctx)
{
  const struct docker_manifest *m = obj;

  if (check_schema_version (ctx, m->schema_version) < 0)
    return -1;
  return check_media_type_is (ctx, m->media_type, DOCKER_MEDIA_TYPE_MANIFEST, true);
}

typedef struct docker_manifest docker_manifest_t;
static const struct oci_json_field docker_manifest_fields[] = {
  OCI_F_I32 (docker_manifest_t, "schemaVersion", schema_version, OCI_JSON_REQUIRED),
  OCI_F_STRING (docker_manifest_t, "mediaType", media_type, 0),
  OCI_F_OBJECT (docker_manifest_t, "config", config, docker_descriptor_type, OCI_JSON_REQUIRED),
  OCI_F_ARRAY (docker_manifest_t, "layers", layers, docker_descriptor_type, OCI_JSON_REQUIRED),
};
OCI_JSON_DEFINE_TYPE (docker_manifest_type, docker_manifest_t, docker_manifest_fields, check_docker_manifest);

static int
check_docker_manifest_list (const void *obj, struct oci_json_ctx *ctx)
{
  const struct docker_manifest_list *l = obj;

  if (check_schema_version (ctx, l->schema_version) < 0
      || check_media_type_is (ctx, l->media_type, DOCKER_MEDIA_TYPE_MANIFEST_LIST, true) < 0)
    return -1;
  for (size_t i = 0; i < l->manifests_len; i++)
    if (l->manifests[i].platform == NULL)
      {
        char field[64];
        snprintf (field, sizeof field, "manifests[%zu].platform", i);
        return oci_json_fail (ctx, field, "required field is missing");
      }
  return 0;
}

typedef struct docker_manifest_list docker_list_t;
static const struct oci_json_field docker_list_fields[] = {
  OCI_F_I32 (docker_list_t, "schemaVersion", schema_version, OCI_JSON_REQUIRED),
  OCI_F_STRING (docker_list_t, "mediaType", media_type, 0),
  OCI_F_ARRAY (docker_list_t, "manifests", manifests, docker_descriptor_type, OCI_JSON_REQUIRED),
};
OCI_JSON_DEFINE_TYPE (docker_manifest_list_type, docker_list_t, docker_list_fields,
                      check_docker_manifest_list);

/* --- typed wrappers --- */

#define OCI_IMAGE_DEFINE_DOC(prefix, T)                                                                      \
  int prefix##_parse (const char *data, size_t len, const char *source, T **out, oci_error_t **err)          \
  {                                                                                                          \
    void *obj = NULL;                                                                                        \
    int ret = oci_json_parse (&prefix##_type, data, len, source, &obj, err);                                 \
    *out = obj;                                                                                              \
    return ret;                                                                                              \
  }                                                                                                          \
  int prefix##_parse_file (const char *path, T **out, oci_error_t **err)                                     \
  {                                                                                                          \
    void *obj = NULL;                                                                                        \
    int ret = oci_json_parse_file (&prefix##_type, path, &obj, err);                                         \
    *out = obj;                                                                                              \
    return ret;                                                                                              \
  }                                                                                                          \
  int prefix##_emit (const T *obj, bool pretty, char **out, size_t *len, oci_error_t **err)                  \
  {                                                                                                          \
    return oci_json_emit (&prefix##_type, obj, pretty, out, len, err);                                       \
  }                                                                                                          \
  int prefix##_dup (const T *obj, T **out, oci_error_t **err)                                                \
  {                                                                                                          \
    void *copy = NULL;                                                                                       \
    int ret = oci_json_dup (&prefix##_type, obj, &copy, err);                                                \
    *out = copy;                                                                                             \
    return ret;                                                                                              \
  }                                                                                                          \
  bool prefix##_equal (const T *a, const T *b)                                                               \
  {                                                                                                          \
    return oci_json_equal (&prefix##_type, a, b);                                                            \
  }                                                                                                          \
  void prefix##_free (T *obj)                                                                                \
  {                                                                                                          \
    oci_json_free (&prefix##_type, obj);                                                                     \
  }                                                                                                          \
  void prefix##_freep (T **obj)                                                                              \
  {                                                                                                          \
    oci_json_free (&prefix##_type, *obj);                                                                    \
    *obj = NULL;                                                                                             \
  }

OCI_IMAGE_DEFINE_DOC (oci_image_descriptor, struct oci_image_descriptor)
OCI_IMAGE_DEFINE_DOC (oci_image_index, struct oci_image_index)
OCI_IMAGE_DEFINE_DOC (oci_image_manifest, struct oci_image_manifest)
OCI_IMAGE_DEFINE_DOC (oci_image_config, struct oci_image_config)
OCI_IMAGE_DEFINE_DOC (oci_image_layout, struct oci_image_layout)
OCI_IMAGE_DEFINE_DOC (docker_manifest, struct docker_manifest)
OCI_IMAGE_DEFINE_DOC (docker_manifest_list, struct docker_manifest_list)

/* --- media types and manifest kinds --- */

enum oci_layer_compression
oci_layer_media_type_compression (const char *media_type)
{
  static const struct
  {
    const char *media_type;
    enum oci_layer_compression compression;
  } layers[] = {
    { OCI_MEDIA_TYPE_IMAGE_LAYER, OCI_LAYER_UNCOMPRESSED },
    { OCI_MEDIA_TYPE_IMAGE_LAYER_GZIP, OCI_LAYER_GZIP },
    { OCI_MEDIA_TYPE_IMAGE_LAYER_ZSTD, OCI_LAYER_ZSTD },
    { OCI_MEDIA_TYPE_IMAGE_LAYER_NONDISTRIBUTABLE, OCI_LAYER_UNCOMPRESSED },
    { OCI_MEDIA_TYPE_IMAGE_LAYER_NONDISTRIBUTABLE_GZIP, OCI_LAYER_GZIP },
    { OCI_MEDIA_TYPE_IMAGE_LAYER_NONDISTRIBUTABLE_ZSTD, OCI_LAYER_ZSTD },
    { DOCKER_MEDIA_TYPE_LAYER, OCI_LAYER_UNCOMPRESSED },
    { DOCKER_MEDIA_TYPE_LAYER_GZIP, OCI_LAYER_GZIP },
    { DOCKER_MEDIA_TYPE_LAYER_ZSTD, OCI_LAYER_ZSTD },
    { DOCKER_MEDIA_TYPE_FOREIGN_LAYER_GZIP, OCI_LAYER_GZIP },
  };

  for (size_t i = 0; media_type && i < ARRAY_SIZE (layers); i++)
    if (streq (media_type, layers[i].media_type))
      return layers[i].compression;
  return OCI_LAYER_NOT_A_LAYER;
}

static const char *const kind_media_types[] = {
  [OCI_MANIFEST_KIND_UNKNOWN] = NULL,
  [OCI_MANIFEST_KIND_OCI_MANIFEST] = OCI_MEDIA_TYPE_IMAGE_MANIFEST,
  [OCI_MANIFEST_KIND_OCI_INDEX] = OCI_MEDIA_TYPE_IMAGE_INDEX,
  [OCI_MANIFEST_KIND_DOCKER_MANIFEST] = DOCKER_MEDIA_TYPE_MANIFEST,
  [OCI_MANIFEST_KIND_DOCKER_LIST] = DOCKER_MEDIA_TYPE_MANIFEST_LIST,
  [OCI_MANIFEST_KIND_DOCKER_V1] = DOCKER_MEDIA_TYPE_MANIFEST_V1_SIGNED,
};

const char *
oci_manifest_kind_media_type (enum oci_manifest_kind kind)
{
  if ((unsigned) kind >= ARRAY_SIZE (kind_media_types))
    return NULL;
  return kind_media_types[kind];
}

enum oci_manifest_kind
oci_manifest_kind_from_media_type (const char *media_type)
{
  size_t len;

  if (media_type == NULL)
    return OCI_MANIFEST_KIND_UNKNOWN;
  while (*media_type == ' ' || *media_type == '\t')
    media_type++;
  len = strcspn (media_type, ";");
  while (len && (media_type[len - 1] == ' ' || media_type[len - 1] == '\t'))
    len--;
  for (size_t k = 1; k < ARRAY_SIZE (kind_media_types); k++)
    if (strlen (kind_media_types[k]) == len && strncasecmp (media_type, kind_media_types[k], len) == 0)
      return k;
  if (strlen (DOCKER_MEDIA_TYPE_MANIFEST_V1) == len
      && strncasecmp (media_type, DOCKER_MEDIA_TYPE_MANIFEST_V1, len) == 0)
    return OCI_MANIFEST_KIND_DOCKER_V1;
  return OCI_MANIFEST_KIND_UNKNOWN;
}

/* Just enough of any manifest to tell its kind.  */
struct probe_item
{
  char *media_type;
};
struct probe
{
  int64_t schema_version;
  bool schema_version_present;
  char *media_type;
  struct probe_item *manifests;
  size_t manifests_len;
  struct probe_item *layers;
  size_t layers_len;
  struct probe_item *config;
};

static const struct oci_json_field probe_item_fields[] = {
  OCI_F_STRING (struct probe_item, "mediaType", media_type, 0),
};
static OCI_JSON_DEFINE_TYPE (probe_item_type, struct probe_item, probe_item_fields, NULL);

static const struct oci_json_field probe_fields[] = {
  OCI_F_I64 (struct probe, "schemaVersion", schema_version, 0),
  OCI_F_STRING (struct probe, "mediaType", media_type, 0),
  OCI_F_ARRAY (struct probe, "manifests", manifests, probe_item_type, 0),
  OCI_F_ARRAY (struct probe, "layers", layers, probe_item_type, 0),
  OCI_F_OBJECT (struct probe, "config", config, probe_item_type, 0),
};
static OCI_JSON_DEFINE_TYPE (probe_type, struct probe, probe_fields, NULL);

enum oci_manifest_kind
oci_manifest_sniff (const char *data, size_t len, const char *content_type)
{
  cleanup_error oci_error_t *err = NULL;
  enum oci_manifest_kind kind = OCI_MANIFEST_KIND_UNKNOWN;
  struct probe *p = NULL;
  void *obj = NULL;

  if (data && oci_json_parse (&probe_type, data, len, "manifest", &obj, &err) == 0)
    p = obj;
  if (p)
    kind = oci_manifest_kind_from_media_type (p->media_type);
  if (kind == OCI_MANIFEST_KIND_UNKNOWN)
    kind = oci_manifest_kind_from_media_type (content_type);
  if (kind == OCI_MANIFEST_KIND_UNKNOWN && p && p->media_type == NULL)
    {
      if (p->schema_version_present && p->schema_version == 1)
        kind = OCI_MANIFEST_KIND_DOCKER_V1;
      else if (p->manifests)
        kind = OCI_MANIFEST_KIND_OCI_INDEX;
      else if (p->config || p->layers)
        kind = OCI_MANIFEST_KIND_OCI_MANIFEST;
    }
  oci_json_free (&probe_type, p);
  return kind;
}

/* --- platform selection --- */

struct norm_platform
{
  const char *os;
  const char *arch;
  const char *variant;
};

static struct norm_platform
normalize_platform (const char *os, const char *arch, const char *variant)
{
  struct norm_platform n = { os ? os : "", arch ? arch : "", variant ? variant : "" };

  if (streq (n.arch, "x86_64") || streq (n.arch, "x86-64"))
    n.arch = "amd64";
  else if (streq (n.arch, "aarch64"))
    n.arch = "arm64";
  else if (streq (n.arch, "i386") || streq (n.arch, "i686"))
    n.arch = "386";

  if (streq (n.arch, "amd64") && streq (n.variant, "v1"))
    n.variant = "";
  else if (streq (n.arch, "arm64") && (n.variant[0] == '\0' || streq (n.variant, "8")))
    n.variant = "v8";
  else if (streq (n.arch, "arm"))
    {
      static const char *const arm_variants[] = { "v5", "v6", "v7", "v8" };
      if (n.variant[0] == '\0')
        n.variant = "v7";
      for (size_t i = 0; i < ARRAY_SIZE (arm_variants); i++)
        if (streq (n.variant, arm_variants[i] + 1))
          n.variant = arm_variants[i];
    }
  return n;
}

static bool
norm_platform_equal (const struct norm_platform *a, const struct norm_platform *b)
{
  return streq (a->os, b->os) && streq (a->arch, b->arch) && streq (a->variant, b->variant);
}

bool
oci_platform_matches (const struct oci_image_platform *p, const char *os, const char *architecture,
                      const char *variant)
{
  struct norm_platform want = normalize_platform (os, architecture, variant);
  struct norm_platform have;

  if (p == NULL)
    return false;
  have = normalize_platform (p->os, p->architecture, p->variant);
  return norm_platform_equal (&have, &want);
}

static void
platform_format (struct strbuf *sb, const char *os, const char *arch, const char *variant)
{
  strbuf_addf (sb, "%s/%s", os ? os : "?", arch ? arch : "?");
  if (variant && *variant)
    strbuf_addf (sb, "/%s", variant);
}

static int
find_platform (const struct oci_image_platform *const *platforms, size_t n, const struct norm_platform *want)
{
  for (size_t i = 0; i < n; i++)
    if (platforms[i])
      {
        struct norm_platform have
            = normalize_platform (platforms[i]->os, platforms[i]->architecture, platforms[i]->variant);
        if (norm_platform_equal (&have, want))
          return (int) i;
      }
  return -1;
}

int
oci_platform_select (const struct oci_image_platform *const *platforms, size_t n, const char *os,
                     const char *architecture, const char *variant, oci_error_t **err)
{
  struct norm_platform want = normalize_platform (os, architecture, variant);
  cleanup_strbuf struct strbuf sb = STRBUF_INIT;
  int found = find_platform (platforms, n, &want);

  /* An armv7 CPU also runs armv6 and armv5 images: take the closest.  */
  if (found < 0 && streq (want.arch, "arm") && strlen (want.variant) == 2 && want.variant[1] > '5'
      && want.variant[1] <= '8')
    for (char v = want.variant[1] - 1; found < 0 && v >= '5'; v--)
      {
        char lower[3] = { 'v', v, '\0' };
        struct norm_platform alt = { want.os, want.arch, lower };
        found = find_platform (platforms, n, &alt);
      }
  if (found >= 0)
    return found;

  strbuf_addstr (&sb, "no manifest for platform ");
  platform_format (&sb, os, architecture, variant);
  strbuf_addstr (&sb, "; available:");
  bool any = false;
  for (size_t i = 0; i < n; i++)
    if (platforms[i])
      {
        strbuf_addstr (&sb, any ? ", " : " ");
        platform_format (&sb, platforms[i]->os, platforms[i]->architecture, platforms[i]->variant);
        any = true;
      }
  if (!any)
    strbuf_addstr (&sb, " none");
  return oci_error_set (err, ENOENT, "%s", strbuf_str (&sb));
}

int
oci_image_index_select (const struct oci_image_index *index, const char *os, const char *architecture,
                        const char *variant, const struct oci_image_descriptor **out, oci_error_t **err)
{
  cleanup_free const struct oci_image_platform **platforms
      = xcalloc (index->manifests_len + 1, sizeof *platforms);
  int i;

  *out = NULL;
  for (size_t j = 0; j < index->manifests_len; j++)
    platforms[j] = index->manifests[j].platform;
  i = oci_platform_select (platforms, index->manifests_len, os, architecture, variant, err);
  if (i < 0)
    return -1;
  *out = &index->manifests[i];
  return 0;
}

int
docker_manifest_list_select (const struct docker_manifest_list *list, const char *os,
                             const char *architecture, const char *variant,
                             const struct docker_descriptor **out, oci_error_t **err)
{
  cleanup_free const struct oci_image_platform **platforms
      = xcalloc (list->manifests_len + 1, sizeof *platforms);
  int i;

  *out = NULL;
  for (size_t j = 0; j < list->manifests_len; j++)
    platforms[j] = list->manifests[j].platform;
  i = oci_platform_select (platforms, list->manifests_len, os, architecture, variant, err);
  if (i < 0)
    return -1;
  *out = &list->manifests[i];
  return 0;
}
