/* registries.conf: see registries.h for the format.  */
#include "config.h"
#include "registries.h"

#include <ctype.h>
#include <errno.h>

#include "fileutil.h"
#include "reference.h"
#include "strbuf.h"
#include "util.h"

void
registries_conf_free (struct registries_conf *c)
{
  if (c == NULL)
    return;
  free (c->default_registry);
  strv_free (c->insecure);
  free (c);
}

static char *
trim (char *s)
{
  char *end;

  while (isspace ((unsigned char) *s))
    s++;
  end = s + strlen (s);
  while (end > s && isspace ((unsigned char) end[-1]))
    *--end = '\0';
  return s;
}

/* A "quoted" string at *p; advances past it.  */
static char *
parse_quoted (char **p)
{
  char *s = *p, *end;

  if (*s != '"')
    return NULL;
  end = strchr (s + 1, '"');
  if (end == NULL)
    return NULL;
  *p = end + 1;
  return xstrndup (s + 1, end - s - 1);
}

static int
parse_list (char *v, char ***out)
{
  size_t n = 0;

  if (*v++ != '[')
    return -1;
  *out = xcalloc (1, sizeof (char *));
  for (;;)
    {
      while (isspace ((unsigned char) *v) || *v == ',')
        v++;
      if (*v == ']')
        return *trim (v + 1) == '\0' ? 0 : -1;
      char *item = parse_quoted (&v);
      if (item == NULL)
        return -1;
      *out = xreallocarray (*out, n + 2, sizeof (char *));
      (*out)[n++] = item;
      (*out)[n] = NULL;
    }
}

static int
parse_line (struct registries_conf *c, char *line, const char *source, int lineno, oci_error_t **err)
{
  char *eq = strchr (line, '='), *key, *value;

  if (eq == NULL)
    return oci_error_set (err, EINVAL, "%s:%d: expected `key = value`", source, lineno);
  *eq = '\0';
  key = trim (line);
  value = trim (eq + 1);
  if (streq (key, "default-registry"))
    {
      char *p = value;
      cleanup_free char *s = parse_quoted (&p);
      if (s == NULL || *trim (p) != '\0' || !reference_domain_valid (s))
        return oci_error_set (err, EINVAL, "%s:%d: default-registry: expected a quoted host[:port]", source,
                              lineno);
      free (c->default_registry);
      c->default_registry = steal_pointer (&s);
      return 0;
    }
  if (streq (key, "insecure"))
    {
      cleanup_strv char **list = NULL;
      if (parse_list (value, &list) < 0)
        return oci_error_set (err, EINVAL, "%s:%d: insecure: expected a list of quoted host[:port]", source,
                              lineno);
      strv_free (c->insecure);
      c->insecure = steal_pointer (&list);
      return 0;
    }
  return oci_error_set (err, EINVAL, "%s:%d: unknown setting \"%s\"", source, lineno, key);
}

int
registries_conf_parse (const char *text, const char *source, struct registries_conf **out, oci_error_t **err)
{
  struct registries_conf *c = xzalloc (sizeof *c);
  cleanup_free char *copy = xstrdup (text);
  char *save = NULL, *line;
  int lineno = 0;

  c->insecure = xcalloc (1, sizeof (char *));
  for (char *p = copy; p; p = save)
    {
      save = strchr (p, '\n');
      if (save)
        *save++ = '\0';
      lineno++;
      char *hash = strchr (p, '#');
      if (hash)
        *hash = '\0';
      line = trim (p);
      if (*line == '\0')
        continue;
      if (parse_line (c, line, source, lineno, err) < 0)
        {
          registries_conf_free (c);
          return -1;
        }
    }
  if (c->default_registry == NULL)
    c->default_registry = xstrdup (REFERENCE_DOCKER_DOMAIN);
  *out = c;
  return 0;
}

int
registries_conf_load (const char *path, struct registries_conf **out, oci_error_t **err)
{
  cleanup_free char *def = NULL, *text = NULL;
  const char *dir = getenv ("BERTH_CONFIG_DIR");

  if (path == NULL)
    {
      xasprintf (&def, "%s/registries.conf", dir && *dir ? dir : "/etc/berth");
      path = def;
    }
  if (read_file_max (path, 1 << 20, &text, NULL, err) < 0)
    {
      if ((*err)->status != ENOENT)
        return -1;
      oci_error_free (err);
      return registries_conf_parse ("", path, out, err);
    }
  return registries_conf_parse (text, path, out, err);
}

bool
registries_conf_is_insecure (const struct registries_conf *c, const char *domain)
{
  for (size_t i = 0; c && c->insecure && c->insecure[i]; i++)
    if (streq (c->insecure[i], domain))
      return true;
  return false;
}
