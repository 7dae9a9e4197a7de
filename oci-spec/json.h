/* Descriptor-driven JSON for typed C structs.

   Every OCI and Docker type is described once by a table of fields
   (struct oci_json_type); one engine parses, emits, frees and compares all
   of them.  Conventions of the described structs:

   - strings are `char *`, NULL when absent;
   - scalars (bool and integers) have a companion `bool <member>_present`;
   - string arrays are NULL-terminated `char **`, NULL when absent, {NULL}
     when present and empty;
   - string maps are `struct oci_map` (keys kept sorted, unique);
   - string sets (`{"80/tcp": {}}`) are NULL-terminated `char **`;
   - nested objects are `T *`, NULL when absent;
   - arrays of objects are `T *<member>` plus `size_t <member>_len`; the
     pointer is non-NULL whenever the array was present, even if empty;
   - arrays of uint32 are `uint32_t *<member>` plus `size_t <member>_len`,
     with the same presence rule;
   - objects of objects (`{"mlx5_1": {"hcaHandles": 3}}`) are arrays of T
     whose first field is a `char *` declared with OCI_F_MAPKEY: it holds
     the key and is not a JSON member of the value.

   Parse errors name the source, the JSON path and what was expected:
     config.json: linux.namespaces[2].type: unknown namespace "foo"
   Unknown fields are ignored, duplicate keys, wrong types, integers out of
   range, NUL characters in strings and nesting deeper than
   OCI_JSON_MAX_DEPTH are errors.  Emit is canonical: fields in table order,
   map and set keys sorted, no insignificant whitespace, so equal structs
   always give the same bytes.  */
#ifndef OCI_JSON_H
#define OCI_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "util.h"

#define OCI_JSON_MAX_DEPTH 64
#define OCI_JSON_MAX_SIZE  (64u * 1024 * 1024)

enum oci_json_kind
{
  OCI_JSON_STRING,
  OCI_JSON_BOOL,
  OCI_JSON_INT32,
  OCI_JSON_UINT16,
  OCI_JSON_UINT32,
  OCI_JSON_INT64,
  OCI_JSON_UINT64,
  OCI_JSON_STRV,
  OCI_JSON_STRMAP,
  OCI_JSON_STRSET,
  OCI_JSON_OBJECT,
  OCI_JSON_ARRAY,
  OCI_JSON_U32_ARRAY,
  OCI_JSON_OBJMAP,
};

struct oci_map
{
  size_t len;
  char **keys; /* non-NULL when present */
  char **values;
};

/* Field flags.  */
#define OCI_JSON_REQUIRED 1u /* parse fails when the field is absent */
#define OCI_JSON_NONEMPTY 2u /* strings and arrays must not be empty */

struct oci_json_type;
struct oci_json_ctx;

struct oci_json_field
{
  const char *name;
  enum oci_json_kind kind;
  size_t offset;
  size_t aux_offset;                /* <member>_present for scalars, <member>_len for arrays */
  const struct oci_json_type *type; /* element type of OBJECT and ARRAY */
  const char *const *enum_values;   /* NULL-terminated allowed values (STRING, STRV) */
  const char *enum_noun;            /* "namespace" gives: unknown namespace "x" */
  unsigned flags;
};

struct oci_json_type
{
  const char *name;
  size_t size;
  const struct oci_json_field *fields;
  size_t n_fields;
  /* Optional semantic check run after the object parsed; report problems
     with oci_json_fail and return its result.  */
  int (*check) (const void *obj, struct oci_json_ctx *ctx);
};

#define OCI_F_(T, n, k, m, aux, sub, ev, en, fl)                                                             \
  {                                                                                                          \
    .name = (n), .kind = (k), .offset = offsetof (T, m), .aux_offset = (aux), .type = (sub),                 \
    .enum_values = (ev), .enum_noun = (en), .flags = (fl)                                                    \
  }
#define OCI_F_STRING(T, n, m, fl)             OCI_F_ (T, n, OCI_JSON_STRING, m, 0, NULL, NULL, NULL, fl)
#define OCI_F_ENUM(T, n, m, values, noun, fl) OCI_F_ (T, n, OCI_JSON_STRING, m, 0, NULL, values, noun, fl)
#define OCI_F_BOOL(T, n, m, fl)                                                                              \
  OCI_F_ (T, n, OCI_JSON_BOOL, m, offsetof (T, m##_present), NULL, NULL, NULL, fl)
#define OCI_F_INT(T, kind, n, m, fl)           OCI_F_ (T, n, kind, m, offsetof (T, m##_present), NULL, NULL, NULL, fl)
#define OCI_F_I32(T, n, m, fl)                 OCI_F_INT (T, OCI_JSON_INT32, n, m, fl)
#define OCI_F_U16(T, n, m, fl)                 OCI_F_INT (T, OCI_JSON_UINT16, n, m, fl)
#define OCI_F_U32(T, n, m, fl)                 OCI_F_INT (T, OCI_JSON_UINT32, n, m, fl)
#define OCI_F_I64(T, n, m, fl)                 OCI_F_INT (T, OCI_JSON_INT64, n, m, fl)
#define OCI_F_U64(T, n, m, fl)                 OCI_F_INT (T, OCI_JSON_UINT64, n, m, fl)
#define OCI_F_STRV(T, n, m, fl)                OCI_F_ (T, n, OCI_JSON_STRV, m, 0, NULL, NULL, NULL, fl)
#define OCI_F_ENUMV(T, n, m, values, noun, fl) OCI_F_ (T, n, OCI_JSON_STRV, m, 0, NULL, values, noun, fl)
#define OCI_F_STRMAP(T, n, m, fl)              OCI_F_ (T, n, OCI_JSON_STRMAP, m, 0, NULL, NULL, NULL, fl)
#define OCI_F_STRSET(T, n, m, fl)              OCI_F_ (T, n, OCI_JSON_STRSET, m, 0, NULL, NULL, NULL, fl)
#define OCI_F_OBJECT(T, n, m, sub, fl)         OCI_F_ (T, n, OCI_JSON_OBJECT, m, 0, &(sub), NULL, NULL, fl)
#define OCI_F_ARRAY(T, n, m, sub, fl)                                                                        \
  OCI_F_ (T, n, OCI_JSON_ARRAY, m, offsetof (T, m##_len), &(sub), NULL, NULL, fl)
#define OCI_F_U32V(T, n, m, fl)                                                                              \
  OCI_F_ (T, n, OCI_JSON_U32_ARRAY, m, offsetof (T, m##_len), NULL, NULL, NULL, fl)
#define OCI_F_OBJMAP(T, n, m, sub, fl)                                                                       \
  OCI_F_ (T, n, OCI_JSON_OBJMAP, m, offsetof (T, m##_len), &(sub), NULL, NULL, fl)
/* The key member of an OBJMAP element type; must be its first field.  */
#define OCI_F_MAPKEY(T, m) OCI_F_ (T, NULL, OCI_JSON_STRING, m, 0, NULL, NULL, NULL, 0)

#define OCI_JSON_DEFINE_TYPE(var, T, fields_array, check_fn)                                                 \
  const struct oci_json_type var = { #T, sizeof (T), fields_array, ARRAY_SIZE (fields_array), check_fn }

/* Parse data (len bytes, need not be NUL-terminated) into a new object of
   `type`.  `source` names the input in error messages (a file name).  */
int oci_json_parse (const struct oci_json_type *type, const char *data, size_t len, const char *source,
                    void **out, oci_error_t **err);
/* Read and parse a file; errors are prefixed with its path.  */
int oci_json_parse_file (const struct oci_json_type *type, const char *path, void **out, oci_error_t **err);
/* Emit canonical JSON (or tab-indented JSON when pretty).  *out is
   NUL-terminated and owned by the caller.  */
int oci_json_emit (const struct oci_json_type *type, const void *obj, bool pretty, char **out, size_t *len,
                   oci_error_t **err);
/* Free an object and everything it owns; NULL is fine.  */
void oci_json_free (const struct oci_json_type *type, void *obj);
/* Free what the object owns, not the object itself.  */
void oci_json_clear (const struct oci_json_type *type, void *obj);
/* Deep comparison (maps compare as sets of pairs).  */
bool oci_json_equal (const struct oci_json_type *type, const void *a, const void *b);
/* A deep copy into *out (NULL for NULL); fails only on strings that are
   not UTF-8.  */
int oci_json_dup (const struct oci_json_type *type, const void *obj, void **out, oci_error_t **err);

/* For check callbacks: fail with "<source>: <path>[.<field>]: <message>".
   `field` may be NULL, a member name, or a suffix such as "[3]".  */
int oci_json_fail (struct oci_json_ctx *ctx, const char *field, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

/* Typed wrappers for a described top-level type: declare in the header,
   define once in the .c file.  */
#define OCI_DECLARE_JSON_WRAPPERS(prefix, T)                                                                 \
  int prefix##_parse (const char *data, size_t len, const char *source, T **out, oci_error_t **err);         \
  int prefix##_parse_file (const char *path, T **out, oci_error_t **err);                                    \
  int prefix##_emit (const T *obj, bool pretty, char **out, size_t *len, oci_error_t **err);                 \
  void prefix##_free (T *obj)

#define OCI_DEFINE_JSON_WRAPPERS(prefix, T, type)                                                            \
  int prefix##_parse (const char *data, size_t len, const char *source, T **out, oci_error_t **err)          \
  {                                                                                                          \
    return oci_json_parse (&(type), data, len, source, (void **) out, err);                                  \
  }                                                                                                          \
  int prefix##_parse_file (const char *path, T **out, oci_error_t **err)                                     \
  {                                                                                                          \
    return oci_json_parse_file (&(type), path, (void **) out, err);                                          \
  }                                                                                                          \
  int prefix##_emit (const T *obj, bool pretty, char **out, size_t *len, oci_error_t **err)                  \
  {                                                                                                          \
    return oci_json_emit (&(type), obj, pretty, out, len, err);                                              \
  }                                                                                                          \
  void prefix##_free (T *obj)                                                                                \
  {                                                                                                          \
    oci_json_free (&(type), obj);                                                                            \
  }

/* String maps.  */
const char *oci_map_get (const struct oci_map *m, const char *key);
/* Insert or replace (copies key and value); keeps keys sorted.  */
void oci_map_set (struct oci_map *m, const char *key, const char *value);
bool oci_map_remove (struct oci_map *m, const char *key);
void oci_map_clear (struct oci_map *m);

/* Whether s is one of the NULL-terminated values.  */
bool oci_strv_contains (const char *const *values, const char *s);

#endif
