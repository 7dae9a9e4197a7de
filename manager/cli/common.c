/* Helpers shared by the berth commands.  */
#include "config.h"
#include "common.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <time.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "manager/registry/reference.h"
#include "util.h"

int
cli_store (struct berth_globals *g, struct berth_store **out, oci_error_t **err)
{
  if (g->store == NULL && store_open (g->root, &g->store, err) < 0)
    return -1;
  *out = g->store;
  return 0;
}

int
cli_name_normalize (const char *ref, bool allow_digest, char **out, oci_error_t **err)
{
  cleanup_reference struct registry_ref *r = NULL;

  if (reference_parse (ref, NULL, &r, err) < 0)
    return -1;
  if (r->digest && !allow_digest)
    return oci_error_set (err, EINVAL, "invalid reference \"%s\": a digest is not allowed here", ref);
  *out = reference_string (r);
  return 0;
}

char *
cli_name_familiar (const char *stored)
{
  cleanup_reference struct registry_ref *r = NULL;
  cleanup_error oci_error_t *err = NULL;

  if (reference_parse (stored, NULL, &r, &err) < 0)
    return xstrdup (stored);
  return reference_familiar (r);
}

void
cli_name_split (const char *stored, char **repo, char **tag)
{
  cleanup_reference struct registry_ref *r = NULL;
  cleanup_error oci_error_t *err = NULL;

  if (reference_parse (stored, NULL, &r, &err) < 0)
    {
      *repo = xstrdup (stored);
      *tag = xstrdup ("<none>");
      return;
    }
  *repo = reference_familiar_repo (r);
  /* familiar_repo gives "library/busybox" on docker.io; images shows
     "busybox".  */
  if (streq (r->domain, REFERENCE_DOCKER_DOMAIN) && has_prefix (*repo, "library/"))
    memmove (*repo, *repo + 8, strlen (*repo + 8) + 1);
  *tag = xstrdup (r->tag ? r->tag : "<none>");
}

int
cli_image_lookup (struct berth_store *s, const char *ref, struct store_image **out, oci_error_t **err)
{
  cleanup_free char *name = NULL;
  cleanup_error oci_error_t *perr = NULL;

  if (cli_name_normalize (ref, true, &name, &perr) == 0)
    {
      cleanup_error oci_error_t *lerr = NULL;

      if (store_image_lookup (s, name, out, &lerr) == 0)
        return 0;
      if (lerr->status != ENOENT)
        {
          *err = steal_pointer (&lerr);
          return -1;
        }
    }
  if (store_image_lookup (s, ref, out, err) == 0)
    return 0;
  if ((*err)->status == ENOENT)
    {
      oci_error_free (err);
      return oci_error_set (err, ENOENT, "No such image: %s", ref);
    }
  return -1;
}

char *
cli_human_size (int64_t bytes)
{
  static const char *const units[] = { "B", "kB", "MB", "GB", "TB", "PB", "EB" };
  double v = (double) bytes;
  size_t i = 0;
  char *s;

  while (v >= 1000.0 && i + 1 < ARRAY_SIZE (units))
    {
      v /= 1000.0;
      i++;
    }
  xasprintf (&s, "%.3g%s", v, units[i]);
  return s;
}

char *
cli_since (int64_t when)
{
  double d = difftime (time (NULL), (time_t) when);
  int64_t secs = (int64_t) d, mins = (int64_t) (d / 60), hours = (int64_t) (d / 3600 + 0.5);
  char *s;

  if (secs < 1)
    return xstrdup ("Less than a second ago");
  if (secs == 1)
    return xstrdup ("1 second ago");
  if (secs < 60)
    xasprintf (&s, "%lld seconds ago", (long long) secs);
  else if (mins == 1)
    return xstrdup ("About a minute ago");
  else if (mins < 60)
    xasprintf (&s, "%lld minutes ago", (long long) mins);
  else if (hours == 1)
    return xstrdup ("About an hour ago");
  else if (hours < 48)
    xasprintf (&s, "%lld hours ago", (long long) hours);
  else if (hours < 24 * 7 * 2)
    xasprintf (&s, "%lld days ago", (long long) (hours / 24));
  else if (hours < 24 * 30 * 2)
    xasprintf (&s, "%lld weeks ago", (long long) (hours / 24 / 7));
  else if (hours < 24 * 365 * 2)
    xasprintf (&s, "%lld months ago", (long long) (hours / 24 / 30));
  else
    xasprintf (&s, "%lld years ago", (long long) (d / 3600 / 24 / 365));
  return s;
}

char *
cli_time_string (int64_t when)
{
  time_t t = (time_t) when;
  struct tm tm;
  char buf[64];

  gmtime_r (&t, &tm);
  strftime (buf, sizeof buf, "%Y-%m-%d %H:%M:%S +0000 UTC", &tm);
  return xstrdup (buf);
}

char *
cli_short_id (const char *id)
{
  const char *colon = strchr (id, ':');

  return xstrndup (colon ? colon + 1 : id, 12);
}

void
cli_json_string (struct strbuf *sb, const char *s)
{
  strbuf_addch (sb, '"');
  for (const unsigned char *p = (const unsigned char *) (s ? s : ""); *p; p++)
    {
      if (*p == '"' || *p == '\\')
        strbuf_addf (sb, "\\%c", *p);
      else if (*p == '\n')
        strbuf_addstr (sb, "\\n");
      else if (*p == '\t')
        strbuf_addstr (sb, "\\t");
      else if (*p < 0x20 || *p == '<' || *p == '>' || *p == '&')
        strbuf_addf (sb, "\\u%04x", *p); /* docker escapes <>& too */
      else
        strbuf_addch (sb, (char) *p);
    }
  strbuf_addch (sb, '"');
}

enum cli_format_kind
cli_format_kind (const char *format)
{
  if (format == NULL || streq (format, "") || streq (format, "table"))
    return CLI_FORMAT_TABLE;
  if (streq (format, "json"))
    return CLI_FORMAT_JSON;
  return CLI_FORMAT_TEMPLATE;
}

/* --- templates --- */

static void
cli_json_value (struct strbuf *sb, yajl_val v)
{
  if (v == NULL || YAJL_IS_NULL (v))
    strbuf_addstr (sb, "null");
  else if (YAJL_IS_STRING (v))
    cli_json_string (sb, YAJL_GET_STRING (v));
  else if (YAJL_IS_NUMBER (v))
    strbuf_addstr (sb, YAJL_GET_NUMBER (v));
  else if (YAJL_IS_TRUE (v))
    strbuf_addstr (sb, "true");
  else if (YAJL_IS_FALSE (v))
    strbuf_addstr (sb, "false");
  else if (YAJL_IS_ARRAY (v))
    {
      strbuf_addch (sb, '[');
      for (size_t i = 0; i < v->u.array.len; i++)
        {
          if (i)
            strbuf_addch (sb, ',');
          cli_json_value (sb, v->u.array.values[i]);
        }
      strbuf_addch (sb, ']');
    }
  else
    {
      strbuf_addch (sb, '{');
      for (size_t i = 0; i < v->u.object.len; i++)
        {
          if (i)
            strbuf_addch (sb, ',');
          cli_json_string (sb, v->u.object.keys[i]);
          strbuf_addch (sb, ':');
          cli_json_value (sb, v->u.object.values[i]);
        }
      strbuf_addch (sb, '}');
    }
}

/* Go's default formatting of a value: strings raw, arrays [a b].  */
static void
template_plain_value (struct strbuf *sb, yajl_val v)
{
  if (v == NULL || YAJL_IS_NULL (v))
    strbuf_addstr (sb, "<no value>");
  else if (YAJL_IS_STRING (v))
    strbuf_addstr (sb, YAJL_GET_STRING (v));
  else if (YAJL_IS_ARRAY (v))
    {
      strbuf_addch (sb, '[');
      for (size_t i = 0; i < v->u.array.len; i++)
        {
          if (i)
            strbuf_addch (sb, ' ');
          template_plain_value (sb, v->u.array.values[i]);
        }
      strbuf_addch (sb, ']');
    }
  else if (YAJL_IS_OBJECT (v))
    {
      strbuf_addstr (sb, "map[");
      for (size_t i = 0; i < v->u.object.len; i++)
        {
          if (i)
            strbuf_addch (sb, ' ');
          strbuf_addf (sb, "%s:", v->u.object.keys[i]);
          template_plain_value (sb, v->u.object.values[i]);
        }
      strbuf_addch (sb, ']');
    }
  else
    cli_json_value (sb, v);
}

/* ".A.B" inside root; "." is root itself.  */
static int
template_lookup (yajl_val root, const char *path, yajl_val *out, oci_error_t **err)
{
  cleanup_free char *copy = NULL;
  char *save = NULL;
  yajl_val v = root;

  if (path[0] != '.')
    return oci_error_set (err, EINVAL, "template: unsupported expression \"%s\"", path);
  copy = xstrdup (path + 1);
  for (char *f = strtok_r (copy, ".", &save); f; f = strtok_r (NULL, ".", &save))
    {
      yajl_val next = NULL;

      if (v == NULL || !YAJL_IS_OBJECT (v))
        return oci_error_set (err, EINVAL, "template: can't evaluate field %s in \"%s\"", f, path);
      for (size_t i = 0; i < v->u.object.len; i++)
        if (streq (v->u.object.keys[i], f))
          {
            next = v->u.object.values[i];
            break;
          }
      if (next == NULL)
        {
          bool present = false;

          for (size_t i = 0; i < v->u.object.len; i++)
            present |= streq (v->u.object.keys[i], f);
          if (!present)
            return oci_error_set (err, EINVAL, "template: can't evaluate field %s in \"%s\"", f, path);
        }
      v = next;
    }
  *out = v;
  return 0;
}

static int
template_action (yajl_val root, const char *action, struct strbuf *out, oci_error_t **err)
{
  cleanup_free char *a = xstrdup (action);
  char *start = a, *end;
  bool json = false;
  yajl_val v = NULL;

  while (isspace ((unsigned char) *start))
    start++;
  end = start + strlen (start);
  while (end > start && isspace ((unsigned char) end[-1]))
    *--end = '\0';
  if (has_prefix (start, "json "))
    {
      json = true;
      start += 5;
      while (isspace ((unsigned char) *start))
        start++;
    }
  if (template_lookup (root, start, &v, err) < 0)
    return -1;
  if (json)
    cli_json_value (out, v);
  else
    template_plain_value (out, v);
  return 0;
}

static const char *
template_body (const char *tmpl)
{
  return has_prefix (tmpl, "table ") ? tmpl + 6 : tmpl;
}

int
cli_template_render (const char *tmpl, const char *json, struct strbuf *out, oci_error_t **err)
{
  char errbuf[256];
  yajl_val root = yajl_tree_parse (json, errbuf, sizeof errbuf);
  const char *p = template_body (tmpl);
  int ret = -1;

  if (root == NULL)
    return oci_error_set (err, EINVAL, "template: invalid data: %s", errbuf);
  while (*p)
    {
      const char *close;

      if (p[0] == '\\' && (p[1] == 't' || p[1] == 'n'))
        {
          strbuf_addch (out, p[1] == 't' ? '\t' : '\n');
          p += 2;
          continue;
        }
      if (!has_prefix (p, "{{"))
        {
          strbuf_addch (out, *p++);
          continue;
        }
      close = strstr (p, "}}");
      if (close == NULL)
        {
          oci_error_set (err, EINVAL, "template: unclosed action in \"%s\"", tmpl);
          goto out;
        }
      {
        cleanup_free char *action = xstrndup (p + 2, close - p - 2);

        if (template_action (root, action, out, err) < 0)
          goto out;
      }
      p = close + 2;
    }
  ret = 0;
out:
  yajl_tree_free (root);
  return ret;
}

void
cli_template_header (const char *tmpl, struct strbuf *out)
{
  const char *p = template_body (tmpl);

  while (*p)
    {
      const char *close;

      if (p[0] == '\\' && (p[1] == 't' || p[1] == 'n'))
        {
          strbuf_addch (out, p[1] == 't' ? '\t' : '\n');
          p += 2;
        }
      else if (has_prefix (p, "{{") && (close = strstr (p, "}}")) != NULL)
        {
          const char *f = memchr (p, '.', close - p);

          for (f = f ? f + 1 : close; f < close && !isspace ((unsigned char) *f); f++)
            strbuf_addch (out, (char) toupper ((unsigned char) *f));
          p = close + 2;
        }
      else
        strbuf_addch (out, *p++);
    }
}

/* --- tables --- */

void
cli_table_init (struct cli_table *t, const char *const *header, size_t ncols)
{
  char **cells = xcalloc (ncols, sizeof (char *));

  t->ncols = ncols;
  t->nrows = 0;
  t->rows = NULL;
  for (size_t c = 0; c < ncols; c++)
    cells[c] = xstrdup (header[c]);
  cli_table_add (t, cells);
}

void
cli_table_add (struct cli_table *t, char **cells)
{
  t->rows = xreallocarray (t->rows, t->nrows + 1, sizeof (char **));
  t->rows[t->nrows++] = cells;
}

void
cli_table_print (struct cli_table *t, FILE *out)
{
  cleanup_free size_t *w = xcalloc (t->ncols, sizeof (size_t));

  for (size_t r = 0; r < t->nrows; r++)
    for (size_t c = 0; c < t->ncols; c++)
      if (strlen (t->rows[r][c]) > w[c])
        w[c] = strlen (t->rows[r][c]);
  for (size_t r = 0; r < t->nrows; r++)
    {
      for (size_t c = 0; c < t->ncols; c++)
        {
          if (c + 1 == t->ncols)
            fprintf (out, "%s\n", t->rows[r][c]);
          else
            fprintf (out, "%-*s   ", (int) w[c], t->rows[r][c]);
        }
    }
}

void
cli_table_free (struct cli_table *t)
{
  for (size_t r = 0; r < t->nrows; r++)
    {
      for (size_t c = 0; c < t->ncols; c++)
        free (t->rows[r][c]);
      free (t->rows[r]);
    }
  free (t->rows);
  t->rows = NULL;
  t->nrows = 0;
}

bool
cli_wants_help (int argc, char **argv)
{
  for (int i = 1; i < argc; i++)
    {
      if (streq (argv[i], "--"))
        return false;
      if (streq (argv[i], "--help") || streq (argv[i], "-h"))
        return true;
    }
  return false;
}

int
cli_usage_error (const char *cmd, const char *msg, oci_error_t **err)
{
  return oci_error_set (err, EINVAL, "%s\nSee 'berth %s --help'.", msg, cmd);
}

bool
cli_confirm (const char *question)
{
  char line[16];

  fprintf (stderr, "%s [y/N] ", question);
  fflush (stderr);
  if (fgets (line, sizeof line, stdin) == NULL)
    return false;
  return streq (line, "y\n") || streq (line, "Y\n") || streq (line, "yes\n");
}

static void
pretty_indent (struct strbuf *out, int depth)
{
  strbuf_addch (out, '\n');
  for (int i = 0; i < depth; i++)
    strbuf_addstr (out, "    ");
}

/* Docker's layout: 4-space indent, "key": value, empty containers as []
   and {}.  */
static void
pretty_value (struct strbuf *out, yajl_val v, int depth)
{
  bool is_array = v && YAJL_IS_ARRAY (v);
  size_t n;

  if (v == NULL || !(is_array || YAJL_IS_OBJECT (v)))
    {
      cli_json_value (out, v);
      return;
    }
  n = is_array ? v->u.array.len : v->u.object.len;
  strbuf_addch (out, is_array ? '[' : '{');
  for (size_t i = 0; i < n; i++)
    {
      pretty_indent (out, depth + 1);
      if (!is_array)
        {
          cli_json_string (out, v->u.object.keys[i]);
          strbuf_addstr (out, ": ");
        }
      pretty_value (out, is_array ? v->u.array.values[i] : v->u.object.values[i], depth + 1);
      if (i + 1 < n)
        strbuf_addch (out, ',');
    }
  if (n)
    pretty_indent (out, depth);
  strbuf_addch (out, is_array ? ']' : '}');
}

int
cli_json_pretty (const char *json, struct strbuf *out, oci_error_t **err)
{
  char errbuf[256];
  yajl_val root = yajl_tree_parse (json, errbuf, sizeof errbuf);

  if (root == NULL)
    return oci_error_set (err, EINVAL, "invalid JSON: %s", errbuf);
  pretty_value (out, root, 0);
  yajl_tree_free (root);
  return 0;
}

int
cli_json_member (const char *json, const char *key, struct strbuf *out, oci_error_t **err)
{
  char errbuf[256];
  yajl_val root = yajl_tree_parse (json, errbuf, sizeof errbuf);
  const char *path[] = { key, NULL };

  if (root == NULL)
    return oci_error_set (err, EINVAL, "invalid JSON: %s", errbuf);
  cli_json_value (out, yajl_tree_get (root, path, yajl_t_any));
  yajl_tree_free (root);
  return 0;
}

void
cli_strv_append (char ***v, const char *s)
{
  size_t n = *v ? strv_len (*v) : 0;

  *v = xreallocarray (*v, n + 2, sizeof (char *));
  (*v)[n] = xstrdup (s);
  (*v)[n + 1] = NULL;
}

char *
cli_go_time (int64_t when)
{
  time_t t = (time_t) when;
  struct tm tm;
  char buf[64];
  size_t n;

  localtime_r (&t, &tm);
  n = strftime (buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  if (tm.tm_gmtoff == 0)
    snprintf (buf + n, sizeof buf - n, "Z");
  else
    snprintf (buf + n, sizeof buf - n, "%c%02ld:%02ld", tm.tm_gmtoff < 0 ? '-' : '+',
              labs (tm.tm_gmtoff) / 3600, labs (tm.tm_gmtoff) % 3600 / 60);
  return xstrdup (buf);
}

static int
kv_compare (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

void
cli_json_kv_object (struct strbuf *sb, char *const *unsorted)
{
  cleanup_strv char **kv = strv_dup (unsorted ? unsorted : (char *[]){ NULL });

  qsort (kv, strv_len (kv), sizeof (char *), kv_compare);
  strbuf_addch (sb, '{');
  for (size_t i = 0; kv[i]; i++)
    {
      const char *eq = strchr (kv[i], '=');
      cleanup_free char *k = eq ? xstrndup (kv[i], eq - kv[i]) : xstrdup (kv[i]);

      if (i)
        strbuf_addch (sb, ',');
      cli_json_string (sb, k);
      strbuf_addch (sb, ':');
      cli_json_string (sb, eq ? eq + 1 : "");
    }
  strbuf_addch (sb, '}');
}

bool
cli_labels_match (char *const *have, const char *want)
{
  const char *eq = strchr (want, '=');
  size_t klen = eq ? (size_t) (eq - want) : strlen (want);

  for (size_t i = 0; have && have[i]; i++)
    {
      const char *heq = strchr (have[i], '=');
      size_t hlen = heq ? (size_t) (heq - have[i]) : strlen (have[i]);

      if (hlen == klen && strncmp (have[i], want, klen) == 0
          && (eq == NULL || streq (heq ? heq + 1 : "", eq + 1)))
        return true;
    }
  return false;
}
