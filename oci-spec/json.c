/* The engine behind every typed OCI/Docker JSON struct: see json.h.  */
#include "config.h"
#include "json.h"
#include "fileutil.h"
#include "strbuf.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

struct oci_json_ctx
{
  const char *source;
  bool skip_checks;
  struct strbuf path;
  oci_error_t **err;
};

#define MEMBER(obj, off)  ((char *) (obj) + (off))
#define PRESENT(obj, f)   (*(bool *) MEMBER (obj, (f)->aux_offset))
#define ARRAY_LEN(obj, f) (*(size_t *) MEMBER (obj, (f)->aux_offset))

int
oci_json_fail (struct oci_json_ctx *ctx, const char *field, const char *fmt, ...)
{
  cleanup_strbuf struct strbuf where = STRBUF_INIT;
  cleanup_free char *msg = NULL;
  va_list ap;

  strbuf_addstr (&where, strbuf_str (&ctx->path));
  if (field && *field)
    {
      if (where.len && field[0] != '[')
        strbuf_addch (&where, '.');
      strbuf_addstr (&where, field);
    }
  va_start (ap, fmt);
  if (vasprintf (&msg, fmt, ap) < 0)
    msg = NULL;
  va_end (ap);
  if (where.len)
    return oci_error_set (ctx->err, EINVAL, "%s: %s: %s", ctx->source, where.buf, msg ? msg : "invalid");
  return oci_error_set (ctx->err, EINVAL, "%s: %s", ctx->source, msg ? msg : "invalid");
}

bool
oci_strv_contains (const char *const *values, const char *s)
{
  for (; values && *values; values++)
    if (streq (*values, s))
      return true;
  return false;
}

/* --- string maps --- */

static size_t
map_find (const struct oci_map *m, const char *key, bool *found)
{
  size_t lo = 0, hi = m->len;

  while (lo < hi)
    {
      size_t mid = lo + (hi - lo) / 2;
      int c = strcmp (m->keys[mid], key);
      if (c == 0)
        {
          *found = true;
          return mid;
        }
      if (c < 0)
        lo = mid + 1;
      else
        hi = mid;
    }
  *found = false;
  return lo;
}

const char *
oci_map_get (const struct oci_map *m, const char *key)
{
  bool found;
  size_t i;

  if (m == NULL || m->keys == NULL)
    return NULL;
  i = map_find (m, key, &found);
  return found ? m->values[i] : NULL;
}

void
oci_map_set (struct oci_map *m, const char *key, const char *value)
{
  bool found;
  size_t i = m->keys ? map_find (m, key, &found) : (found = false, 0);

  if (found)
    {
      free (m->values[i]);
      m->values[i] = xstrdup (value);
      return;
    }
  m->keys = xreallocarray (m->keys, m->len + 1, sizeof (char *));
  m->values = xreallocarray (m->values, m->len + 1, sizeof (char *));
  memmove (m->keys + i + 1, m->keys + i, (m->len - i) * sizeof (char *));
  memmove (m->values + i + 1, m->values + i, (m->len - i) * sizeof (char *));
  m->keys[i] = xstrdup (key);
  m->values[i] = xstrdup (value);
  m->len++;
}

bool
oci_map_remove (struct oci_map *m, const char *key)
{
  bool found;
  size_t i;

  if (m->keys == NULL)
    return false;
  i = map_find (m, key, &found);
  if (!found)
    return false;
  free (m->keys[i]);
  free (m->values[i]);
  memmove (m->keys + i, m->keys + i + 1, (m->len - i - 1) * sizeof (char *));
  memmove (m->values + i, m->values + i + 1, (m->len - i - 1) * sizeof (char *));
  m->len--;
  return true;
}

void
oci_map_clear (struct oci_map *m)
{
  for (size_t i = 0; i < m->len; i++)
    {
      free (m->keys[i]);
      free (m->values[i]);
    }
  free (m->keys);
  free (m->values);
  m->keys = m->values = NULL;
  m->len = 0;
}

/* --- input checks done before yajl sees the bytes --- */

/* Reject what yajl_tree would accept silently or dangerously: NUL bytes,
   \u0000 escapes (C strings would truncate them) and nesting deep enough
   to exhaust the stack when the tree is freed.  */
static int
prescan (const char *data, size_t len, const char *source, oci_error_t **err)
{
  bool in_string = false;
  size_t depth = 0;

  for (size_t i = 0; i < len; i++)
    {
      char c = data[i];
      if (c == '\0')
        return oci_error_set (err, EINVAL, "%s: invalid JSON: NUL byte at offset %zu", source, i);
      if (in_string)
        {
          if (c == '\\' && i + 1 < len)
            {
              if (data[i + 1] == 'u' && i + 5 < len && strncmp (data + i + 2, "0000", 4) == 0)
                return oci_error_set (err, EINVAL, "%s: invalid JSON: \\u0000 in a string at offset %zu",
                                      source, i);
              i++;
            }
          else if (c == '"')
            in_string = false;
          continue;
        }
      if (c == '"')
        in_string = true;
      else if (c == '{' || c == '[')
        {
          if (++depth > OCI_JSON_MAX_DEPTH)
            return oci_error_set (err, EINVAL, "%s: invalid JSON: nesting deeper than %d levels", source,
                                  OCI_JSON_MAX_DEPTH);
        }
      else if ((c == '}' || c == ']') && depth > 0)
        depth--;
    }
  return 0;
}

/* --- parse --- */

static int parse_object (const struct oci_json_type *type, yajl_val v, void *obj, struct oci_json_ctx *ctx);

static const char *
json_type_name (yajl_val v)
{
  if (YAJL_IS_STRING (v))
    return "a string";
  if (YAJL_IS_NUMBER (v))
    return "a number";
  if (YAJL_IS_OBJECT (v))
    return "an object";
  if (YAJL_IS_ARRAY (v))
    return "an array";
  if (YAJL_IS_TRUE (v) || YAJL_IS_FALSE (v))
    return "a boolean";
  return "null";
}

static int
expected (struct oci_json_ctx *ctx, const char *what, yajl_val v)
{
  return oci_json_fail (ctx, NULL, "expected %s, got %s", what, json_type_name (v));
}

static int
parse_string (const struct oci_json_field *f, yajl_val v, char **out, struct oci_json_ctx *ctx)
{
  if (!YAJL_IS_STRING (v))
    return expected (ctx, "a string", v);
  if (f->enum_values && !oci_strv_contains (f->enum_values, v->u.string))
    return oci_json_fail (ctx, NULL, "unknown %s \"%s\"", f->enum_noun ? f->enum_noun : "value", v->u.string);
  if ((f->flags & OCI_JSON_NONEMPTY) && v->u.string[0] == '\0')
    return oci_json_fail (ctx, NULL, "must not be empty");
  *out = xstrdup (v->u.string);
  return 0;
}

static int
parse_integer (enum oci_json_kind kind, yajl_val v, void *out, struct oci_json_ctx *ctx)
{
  const char *r, *digits;
  bool negative;
  char *end = NULL;

  if (!YAJL_IS_NUMBER (v))
    return expected (ctx, "an integer", v);
  r = v->u.number.r;
  negative = r[0] == '-';
  digits = negative ? r + 1 : r;
  if (*digits == '\0' || strspn (digits, "0123456789") != strlen (digits))
    return oci_json_fail (ctx, NULL, "expected an integer, got %s", r);

  errno = 0;
  if (kind == OCI_JSON_UINT64 || kind == OCI_JSON_UINT32 || kind == OCI_JSON_UINT16)
    {
      unsigned long long u;
      if (negative)
        return oci_json_fail (ctx, NULL, "expected a non-negative integer, got %s", r);
      u = strtoull (digits, &end, 10);
      if (errno == ERANGE || (kind == OCI_JSON_UINT32 && u > UINT32_MAX)
          || (kind == OCI_JSON_UINT16 && u > UINT16_MAX))
        return oci_json_fail (ctx, NULL, "integer %s out of range", r);
      if (kind == OCI_JSON_UINT64)
        *(uint64_t *) out = u;
      else if (kind == OCI_JSON_UINT32)
        *(uint32_t *) out = (uint32_t) u;
      else
        *(uint16_t *) out = (uint16_t) u;
    }
  else
    {
      long long s = strtoll (r, &end, 10);
      if (errno == ERANGE || (kind == OCI_JSON_INT32 && (s < INT32_MIN || s > INT32_MAX)))
        return oci_json_fail (ctx, NULL, "integer %s out of range", r);
      if (kind == OCI_JSON_INT64)
        *(int64_t *) out = s;
      else
        *(int32_t *) out = (int32_t) s;
    }
  return 0;
}

static int
parse_strv (const struct oci_json_field *f, yajl_val v, char ***out, struct oci_json_ctx *ctx)
{
  size_t n, save = ctx->path.len;
  char **r;

  if (!YAJL_IS_ARRAY (v))
    return expected (ctx, "an array of strings", v);
  n = v->u.array.len;
  if ((f->flags & OCI_JSON_NONEMPTY) && n == 0)
    return oci_json_fail (ctx, NULL, "must not be empty");
  r = xcalloc (n + 1, sizeof (char *));
  *out = r;
  for (size_t i = 0; i < n; i++)
    {
      yajl_val item = v->u.array.values[i];
      strbuf_addf (&ctx->path, "[%zu]", i);
      if (!YAJL_IS_STRING (item))
        return expected (ctx, "a string", item);
      if (f->enum_values && !oci_strv_contains (f->enum_values, item->u.string))
        return oci_json_fail (ctx, NULL, "unknown %s \"%s\"", f->enum_noun ? f->enum_noun : "value",
                              item->u.string);
      r[i] = xstrdup (item->u.string);
      strbuf_setlen (&ctx->path, save);
    }
  return 0;
}

static int
check_duplicate_key (yajl_val v, size_t i, struct oci_json_ctx *ctx)
{
  for (size_t j = 0; j < i; j++)
    if (streq (v->u.object.keys[j], v->u.object.keys[i]))
      return oci_json_fail (ctx, NULL, "duplicate key \"%s\"", v->u.object.keys[i]);
  return 0;
}

static int
parse_map (yajl_val v, struct oci_map *m, struct oci_json_ctx *ctx)
{
  if (!YAJL_IS_OBJECT (v))
    return expected (ctx, "an object of strings", v);
  m->keys = xcalloc (1, sizeof (char *));
  for (size_t i = 0; i < v->u.object.len; i++)
    {
      yajl_val item = v->u.object.values[i];
      if (check_duplicate_key (v, i, ctx) < 0)
        return -1;
      if (!YAJL_IS_STRING (item))
        {
          size_t save = ctx->path.len;
          strbuf_addf (&ctx->path, "[\"%s\"]", v->u.object.keys[i]);
          expected (ctx, "a string", item);
          strbuf_setlen (&ctx->path, save);
          return -1;
        }
      oci_map_set (m, v->u.object.keys[i], item->u.string);
    }
  return 0;
}

static int
parse_strset (yajl_val v, char ***out, struct oci_json_ctx *ctx)
{
  struct oci_map m = { 0 };
  char **r;

  if (!YAJL_IS_OBJECT (v))
    return expected (ctx, "an object", v);
  for (size_t i = 0; i < v->u.object.len; i++)
    {
      yajl_val item = v->u.object.values[i];
      if (check_duplicate_key (v, i, ctx) < 0)
        {
          oci_map_clear (&m);
          return -1;
        }
      if (!YAJL_IS_OBJECT (item) && !YAJL_IS_NULL (item))
        {
          size_t save = ctx->path.len;
          strbuf_addf (&ctx->path, "[\"%s\"]", v->u.object.keys[i]);
          expected (ctx, "an empty object", item);
          strbuf_setlen (&ctx->path, save);
          oci_map_clear (&m);
          return -1;
        }
      oci_map_set (&m, v->u.object.keys[i], "");
    }
  /* The map keeps keys sorted; keep them as the set.  */
  r = xcalloc (m.len + 1, sizeof (char *));
  for (size_t i = 0; i < m.len; i++)
    {
      r[i] = m.keys[i];
      free (m.values[i]);
    }
  free (m.keys);
  free (m.values);
  *out = r;
  return 0;
}

static int
parse_array (const struct oci_json_field *f, yajl_val v, void *obj, struct oci_json_ctx *ctx)
{
  const struct oci_json_type *t = f->type;
  size_t n, save = ctx->path.len;
  char *items;

  if (!YAJL_IS_ARRAY (v))
    return expected (ctx, "an array", v);
  n = v->u.array.len;
  if ((f->flags & OCI_JSON_NONEMPTY) && n == 0)
    return oci_json_fail (ctx, NULL, "must not be empty");
  items = xcalloc (n ? n : 1, t->size);
  *(void **) MEMBER (obj, f->offset) = items;
  ARRAY_LEN (obj, f) = 0;
  for (size_t i = 0; i < n; i++)
    {
      int ret;
      /* Count the element before parsing it so a failure frees it.  */
      ARRAY_LEN (obj, f) = i + 1;
      strbuf_addf (&ctx->path, "[%zu]", i);
      ret = parse_object (t, v->u.array.values[i], items + i * t->size, ctx);
      if (ret < 0)
        return ret;
      strbuf_setlen (&ctx->path, save);
    }
  return 0;
}

static int
parse_u32_array (const struct oci_json_field *f, yajl_val v, void *obj, struct oci_json_ctx *ctx)
{
  size_t n, save = ctx->path.len;
  uint32_t *items;

  if (!YAJL_IS_ARRAY (v))
    return expected (ctx, "an array of integers", v);
  n = v->u.array.len;
  if ((f->flags & OCI_JSON_NONEMPTY) && n == 0)
    return oci_json_fail (ctx, NULL, "must not be empty");
  items = xcalloc (n ? n : 1, sizeof (uint32_t));
  *(uint32_t **) MEMBER (obj, f->offset) = items;
  ARRAY_LEN (obj, f) = n;
  for (size_t i = 0; i < n; i++)
    {
      strbuf_addf (&ctx->path, "[%zu]", i);
      if (parse_integer (OCI_JSON_UINT32, v->u.array.values[i], &items[i], ctx) < 0)
        return -1;
      strbuf_setlen (&ctx->path, save);
    }
  return 0;
}

static const char *
objmap_key (const struct oci_json_type *t, const void *elem)
{
  return *(char *const *) MEMBER (elem, t->fields[0].offset);
}

/* qsort_r comparator; arg is the element type.  */
static int
compare_objmap (const void *a, const void *b, void *arg)
{
  return strcmp (objmap_key (arg, a), objmap_key (arg, b));
}

static int
parse_objmap (const struct oci_json_field *f, yajl_val v, void *obj, struct oci_json_ctx *ctx)
{
  const struct oci_json_type *t = f->type;
  size_t n, save = ctx->path.len;
  char *items;

  if (!YAJL_IS_OBJECT (v))
    return expected (ctx, "an object", v);
  n = v->u.object.len;
  items = xcalloc (n ? n : 1, t->size);
  *(void **) MEMBER (obj, f->offset) = items;
  ARRAY_LEN (obj, f) = 0;
  for (size_t i = 0; i < n; i++)
    {
      char *elem = items + i * t->size;
      if (check_duplicate_key (v, i, ctx) < 0)
        return -1;
      ARRAY_LEN (obj, f) = i + 1;
      *(char **) MEMBER (elem, t->fields[0].offset) = xstrdup (v->u.object.keys[i]);
      strbuf_addf (&ctx->path, "[\"%s\"]", v->u.object.keys[i]);
      if (parse_object (t, v->u.object.values[i], elem, ctx) < 0)
        return -1;
      strbuf_setlen (&ctx->path, save);
    }
  /* Keep elements sorted by key, as string maps are.  */
  qsort_r (items, n, t->size, compare_objmap, (void *) t);
  return 0;
}

static int
parse_field (const struct oci_json_field *f, yajl_val v, void *obj, struct oci_json_ctx *ctx)
{
  void *member = MEMBER (obj, f->offset);
  int ret;

  switch (f->kind)
    {
    case OCI_JSON_STRING:
      return parse_string (f, v, (char **) member, ctx);
    case OCI_JSON_BOOL:
      if (!YAJL_IS_TRUE (v) && !YAJL_IS_FALSE (v))
        return expected (ctx, "a boolean", v);
      *(bool *) member = YAJL_IS_TRUE (v);
      PRESENT (obj, f) = true;
      return 0;
    case OCI_JSON_INT32:
    case OCI_JSON_UINT16:
    case OCI_JSON_UINT32:
    case OCI_JSON_INT64:
    case OCI_JSON_UINT64:
      ret = parse_integer (f->kind, v, member, ctx);
      if (ret == 0)
        PRESENT (obj, f) = true;
      return ret;
    case OCI_JSON_STRV:
      return parse_strv (f, v, (char ***) member, ctx);
    case OCI_JSON_STRMAP:
      return parse_map (v, (struct oci_map *) member, ctx);
    case OCI_JSON_STRSET:
      return parse_strset (v, (char ***) member, ctx);
    case OCI_JSON_OBJECT:
      {
        void *sub = xzalloc (f->type->size);
        *(void **) member = sub;
        return parse_object (f->type, v, sub, ctx);
      }
    case OCI_JSON_ARRAY:
      return parse_array (f, v, obj, ctx);
    case OCI_JSON_U32_ARRAY:
      return parse_u32_array (f, v, obj, ctx);
    case OCI_JSON_OBJMAP:
      return parse_objmap (f, v, obj, ctx);
    }
  return oci_json_fail (ctx, NULL, "internal error: unknown field kind");
}

static bool
field_present (const struct oci_json_field *f, const void *obj)
{
  const void *member = MEMBER (obj, f->offset);

  switch (f->kind)
    {
    case OCI_JSON_STRING:
    case OCI_JSON_STRV:
    case OCI_JSON_STRSET:
    case OCI_JSON_OBJECT:
    case OCI_JSON_ARRAY:
    case OCI_JSON_U32_ARRAY:
    case OCI_JSON_OBJMAP:
      return *(void *const *) member != NULL;
    case OCI_JSON_STRMAP:
      return ((const struct oci_map *) member)->keys != NULL;
    default:
      return PRESENT (obj, f);
    }
}

static int
parse_object (const struct oci_json_type *type, yajl_val v, void *obj, struct oci_json_ctx *ctx)
{
  size_t save = ctx->path.len;

  if (!YAJL_IS_OBJECT (v))
    return expected (ctx, "an object", v);
  for (size_t i = 0; i < v->u.object.len; i++)
    {
      const char *key = v->u.object.keys[i];
      const struct oci_json_field *f = NULL;

      for (size_t j = 0; j < type->n_fields; j++)
        if (type->fields[j].name && streq (type->fields[j].name, key))
          {
            f = &type->fields[j];
            break;
          }
      if (f == NULL)
        continue; /* unknown fields are ignored */
      if (check_duplicate_key (v, i, ctx) < 0)
        return -1;
      /* Explicit nulls are treated as absent, as Go's encoding/json does.  */
      if (YAJL_IS_NULL (v->u.object.values[i]))
        continue;
      if (ctx->path.len)
        strbuf_addch (&ctx->path, '.');
      strbuf_addstr (&ctx->path, key);
      if (parse_field (f, v->u.object.values[i], obj, ctx) < 0)
        return -1;
      strbuf_setlen (&ctx->path, save);
    }
  for (size_t j = 0; j < type->n_fields; j++)
    {
      const struct oci_json_field *f = &type->fields[j];
      if (f->name && (f->flags & OCI_JSON_REQUIRED) && !field_present (f, obj))
        return oci_json_fail (ctx, f->name, "required field is missing");
    }
  if (type->check && !ctx->skip_checks)
    return type->check (obj, ctx);
  return 0;
}

static int
json_parse (const struct oci_json_type *type, const char *data, size_t len, const char *source, bool checks,
            void **out, oci_error_t **err)
{
  struct oci_json_ctx ctx
      = { .source = source ? source : "<input>", .skip_checks = !checks, .path = STRBUF_INIT, .err = err };
  cleanup_free char *copy = NULL;
  char errbuf[512] = "";
  yajl_val tree;
  void *obj;
  int ret;

  *out = NULL;
  if (len > OCI_JSON_MAX_SIZE)
    return oci_error_set (err, EFBIG, "%s: JSON document larger than %u bytes", ctx.source,
                          OCI_JSON_MAX_SIZE);
  if (prescan (data, len, ctx.source, err) < 0)
    return -1;
  copy = xmalloc (len + 1);
  memcpy (copy, data, len);
  copy[len] = '\0';
  tree = yajl_tree_parse (copy, errbuf, sizeof errbuf);
  if (tree == NULL)
    {
      char *nl = strchr (errbuf, '\n');
      if (nl)
        *nl = '\0';
      return oci_error_set (err, EINVAL, "%s: invalid JSON: %s", ctx.source,
                            errbuf[0] ? errbuf : "parse error");
    }
  obj = xzalloc (type->size);
  ret = parse_object (type, tree, obj, &ctx);
  yajl_tree_free (tree);
  strbuf_release (&ctx.path);
  if (ret < 0)
    {
      oci_json_free (type, obj);
      return ret;
    }
  *out = obj;
  return 0;
}

int
oci_json_parse (const struct oci_json_type *type, const char *data, size_t len, const char *source,
                void **out, oci_error_t **err)
{
  return json_parse (type, data, len, source, true, out, err);
}

int
oci_json_parse_file (const struct oci_json_type *type, const char *path, void **out, oci_error_t **err)
{
  cleanup_free char *data = NULL;
  size_t len = 0;

  *out = NULL;
  if (read_file_max (path, OCI_JSON_MAX_SIZE, &data, &len, err) < 0)
    return -1;
  return oci_json_parse (type, data, len, path, out, err);
}

/* --- free --- */

void
oci_json_clear (const struct oci_json_type *type, void *obj)
{
  if (obj == NULL)
    return;
  for (size_t j = 0; j < type->n_fields; j++)
    {
      const struct oci_json_field *f = &type->fields[j];
      void *member = MEMBER (obj, f->offset);

      switch (f->kind)
        {
        case OCI_JSON_STRING:
          free (*(char **) member);
          *(char **) member = NULL;
          break;
        case OCI_JSON_STRV:
        case OCI_JSON_STRSET:
          strv_free (*(char ***) member);
          *(char ***) member = NULL;
          break;
        case OCI_JSON_STRMAP:
          oci_map_clear ((struct oci_map *) member);
          break;
        case OCI_JSON_OBJECT:
          oci_json_free (f->type, *(void **) member);
          *(void **) member = NULL;
          break;
        case OCI_JSON_U32_ARRAY:
          free (*(uint32_t **) member);
          *(uint32_t **) member = NULL;
          ARRAY_LEN (obj, f) = 0;
          break;
        case OCI_JSON_ARRAY:
        case OCI_JSON_OBJMAP:
          {
            char *items = *(char **) member;
            for (size_t i = 0; items && i < ARRAY_LEN (obj, f); i++)
              oci_json_clear (f->type, items + i * f->type->size);
            free (items);
            *(char **) member = NULL;
            ARRAY_LEN (obj, f) = 0;
            break;
          }
        default:
          break;
        }
    }
}

void
oci_json_free (const struct oci_json_type *type, void *obj)
{
  if (obj == NULL)
    return;
  oci_json_clear (type, obj);
  free (obj);
}

/* --- equality --- */

static bool
str_equal (const char *a, const char *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return streq (a, b);
}

static bool
strv_equal (char *const *a, char *const *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  for (; *a && *b; a++, b++)
    if (!streq (*a, *b))
      return false;
  return *a == NULL && *b == NULL;
}

static bool
map_equal (const struct oci_map *a, const struct oci_map *b)
{
  if (a->keys == NULL || b->keys == NULL)
    return a->keys == b->keys;
  if (a->len != b->len)
    return false;
  for (size_t i = 0; i < a->len; i++)
    if (!str_equal (a->values[i], oci_map_get (b, a->keys[i])))
      return false;
  return true;
}

static size_t
scalar_size (enum oci_json_kind kind)
{
  switch (kind)
    {
    case OCI_JSON_BOOL:
      return sizeof (bool);
    case OCI_JSON_UINT16:
      return sizeof (uint16_t);
    case OCI_JSON_INT32:
    case OCI_JSON_UINT32:
      return sizeof (uint32_t);
    default:
      return sizeof (uint64_t);
    }
}

bool
oci_json_equal (const struct oci_json_type *type, const void *a, const void *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  for (size_t j = 0; j < type->n_fields; j++)
    {
      const struct oci_json_field *f = &type->fields[j];
      const void *ma = MEMBER (a, f->offset), *mb = MEMBER (b, f->offset);

      switch (f->kind)
        {
        case OCI_JSON_STRING:
          if (!str_equal (*(char *const *) ma, *(char *const *) mb))
            return false;
          break;
        case OCI_JSON_STRV:
        case OCI_JSON_STRSET:
          if (!strv_equal (*(char **const *) ma, *(char **const *) mb))
            return false;
          break;
        case OCI_JSON_STRMAP:
          if (!map_equal (ma, mb))
            return false;
          break;
        case OCI_JSON_OBJECT:
          if (!oci_json_equal (f->type, *(void *const *) ma, *(void *const *) mb))
            return false;
          break;
        case OCI_JSON_U32_ARRAY:
          {
            const uint32_t *ia = *(uint32_t *const *) ma, *ib = *(uint32_t *const *) mb;
            size_t n = ARRAY_LEN (a, f);
            if ((ia == NULL) != (ib == NULL) || n != ARRAY_LEN (b, f)
                || (n && memcmp (ia, ib, n * sizeof *ia)))
              return false;
            break;
          }
        case OCI_JSON_ARRAY:
        case OCI_JSON_OBJMAP:
          {
            const char *ia = *(char *const *) ma, *ib = *(char *const *) mb;
            size_t n = ARRAY_LEN (a, f);
            if ((ia == NULL) != (ib == NULL) || n != ARRAY_LEN (b, f))
              return false;
            for (size_t i = 0; i < n; i++)
              if (!oci_json_equal (f->type, ia + i * f->type->size, ib + i * f->type->size))
                return false;
            break;
          }
        default:
          if (PRESENT (a, f) != PRESENT (b, f))
            return false;
          if (PRESENT (a, f) && memcmp (ma, mb, scalar_size (f->kind)) != 0)
            return false;
          break;
        }
    }
  return true;
}

/* --- emit --- */

#define GEN_STR(g, s) yajl_gen_string ((g), (const unsigned char *) (s), strlen (s))

static int
emit_integer (yajl_gen g, enum oci_json_kind kind, const void *member)
{
  char num[32];

  switch (kind)
    {
    case OCI_JSON_INT32:
      snprintf (num, sizeof num, "%" PRId32, *(const int32_t *) member);
      break;
    case OCI_JSON_UINT16:
      snprintf (num, sizeof num, "%" PRIu16, *(const uint16_t *) member);
      break;
    case OCI_JSON_UINT32:
      snprintf (num, sizeof num, "%" PRIu32, *(const uint32_t *) member);
      break;
    case OCI_JSON_INT64:
      snprintf (num, sizeof num, "%" PRId64, *(const int64_t *) member);
      break;
    default:
      snprintf (num, sizeof num, "%" PRIu64, *(const uint64_t *) member);
      break;
    }
  return yajl_gen_number (g, num, strlen (num));
}

static int
compare_strp (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static int emit_object (yajl_gen g, const struct oci_json_type *type, const void *obj);

static int compare_objmap (const void *a, const void *b, void *arg);

static int
compare_objmap_ptr (const void *a, const void *b, void *arg)
{
  return compare_objmap (*(const void *const *) a, *(const void *const *) b, arg);
}

static int
emit_objmap (yajl_gen g, const struct oci_json_field *f, const void *obj)
{
  const struct oci_json_type *t = f->type;
  const char *items = *(char *const *) MEMBER (obj, f->offset);
  size_t n = ARRAY_LEN (obj, f);
  cleanup_free const char **order = xcalloc (n ? n : 1, sizeof (char *));

  for (size_t i = 0; i < n; i++)
    order[i] = items + i * t->size;
  qsort_r (order, n, sizeof (char *), compare_objmap_ptr, (void *) t);
  yajl_gen_map_open (g);
  for (size_t i = 0; i < n; i++)
    {
      GEN_STR (g, objmap_key (t, order[i]));
      if (emit_object (g, t, order[i]) < 0)
        return -1;
    }
  return yajl_gen_map_close (g) == yajl_gen_status_ok ? 0 : -1;
}

static int
emit_field (yajl_gen g, const struct oci_json_field *f, const void *obj)
{
  const void *member = MEMBER (obj, f->offset);
  yajl_gen_status st = yajl_gen_status_ok;

  GEN_STR (g, f->name);
  switch (f->kind)
    {
    case OCI_JSON_STRING:
      st = GEN_STR (g, *(char *const *) member);
      break;
    case OCI_JSON_BOOL:
      st = yajl_gen_bool (g, *(const bool *) member);
      break;
    case OCI_JSON_STRV:
      yajl_gen_array_open (g);
      for (char *const *it = *(char **const *) member; *it; it++)
        GEN_STR (g, *it);
      st = yajl_gen_array_close (g);
      break;
    case OCI_JSON_STRSET:
      {
        char **sorted = strv_dup (*(char **const *) member);
        qsort (sorted, strv_len (sorted), sizeof (char *), compare_strp);
        yajl_gen_map_open (g);
        for (char **it = sorted; *it; it++)
          {
            GEN_STR (g, *it);
            yajl_gen_map_open (g);
            yajl_gen_map_close (g);
          }
        st = yajl_gen_map_close (g);
        strv_free (sorted);
        break;
      }
    case OCI_JSON_STRMAP:
      {
        const struct oci_map *m = member;
        yajl_gen_map_open (g);
        for (size_t i = 0; i < m->len; i++)
          {
            GEN_STR (g, m->keys[i]);
            GEN_STR (g, m->values[i]);
          }
        st = yajl_gen_map_close (g);
        break;
      }
    case OCI_JSON_OBJECT:
      return emit_object (g, f->type, *(void *const *) member);
    case OCI_JSON_ARRAY:
      {
        const char *items = *(char *const *) member;
        yajl_gen_array_open (g);
        for (size_t i = 0; i < ARRAY_LEN (obj, f); i++)
          if (emit_object (g, f->type, items + i * f->type->size) < 0)
            return -1;
        st = yajl_gen_array_close (g);
        break;
      }
    case OCI_JSON_U32_ARRAY:
      yajl_gen_array_open (g);
      for (size_t i = 0; i < ARRAY_LEN (obj, f); i++)
        emit_integer (g, OCI_JSON_UINT32, *(uint32_t *const *) member + i);
      st = yajl_gen_array_close (g);
      break;
    case OCI_JSON_OBJMAP:
      return emit_objmap (g, f, obj);
    default:
      st = emit_integer (g, f->kind, member);
      break;
    }
  return st == yajl_gen_status_ok ? 0 : -1;
}

static int
emit_object (yajl_gen g, const struct oci_json_type *type, const void *obj)
{
  yajl_gen_map_open (g);
  for (size_t j = 0; j < type->n_fields; j++)
    {
      const struct oci_json_field *f = &type->fields[j];
      if (f->name && field_present (f, obj) && emit_field (g, f, obj) < 0)
        return -1;
    }
  return yajl_gen_map_close (g) == yajl_gen_status_ok ? 0 : -1;
}

int
oci_json_emit (const struct oci_json_type *type, const void *obj, bool pretty, char **out, size_t *len,
               oci_error_t **err)
{
  yajl_gen g = yajl_gen_alloc (NULL);
  const unsigned char *buf;
  size_t buflen;
  int ret;

  if (g == NULL)
    return oci_error_set (err, ENOMEM, "cannot allocate the JSON generator");
  if (pretty)
    {
      yajl_gen_config (g, yajl_gen_beautify, 1);
      yajl_gen_config (g, yajl_gen_indent_string, "\t");
    }
  /* Refuse strings that are not UTF-8 instead of emitting invalid JSON.  */
  yajl_gen_config (g, yajl_gen_validate_utf8, 1);
  ret = emit_object (g, type, obj);
  if (ret < 0 || yajl_gen_get_buf (g, &buf, &buflen) != yajl_gen_status_ok)
    {
      yajl_gen_free (g);
      return oci_error_set (err, EINVAL, "cannot emit %s as JSON: a string is not valid UTF-8", type->name);
    }
  *out = xstrndup ((const char *) buf, buflen);
  if (len)
    *len = buflen;
  yajl_gen_free (g);
  return 0;
}

/* --- copy --- */

int
oci_json_dup (const struct oci_json_type *type, const void *obj, void **out, oci_error_t **err)
{
  cleanup_free char *text = NULL;
  size_t len;

  *out = NULL;
  if (obj == NULL)
    return 0;
  /* Emit + parse is exact (parse(emit(x)) == x) and keeps one code path;
     semantic checks are skipped so any object built in memory copies.  */
  if (oci_json_emit (type, obj, false, &text, &len, err) < 0)
    return -1;
  return json_parse (type, text, len, type->name, false, out, err);
}
