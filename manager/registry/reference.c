/* Docker's reference grammar (distribution/reference), written from the
   grammar in its documentation.  */
#include "config.h"
#include "reference.h"

#include <ctype.h>
#include <errno.h>

#include "digest.h"
#include "util.h"

void
reference_free (struct registry_ref *ref)
{
  if (ref == NULL)
    return;
  free (ref->domain);
  free (ref->path);
  free (ref->tag);
  free (ref->digest);
  free (ref);
}

void
reference_freep (struct registry_ref **ref)
{
  reference_free (*ref);
  *ref = NULL;
}

static bool
is_lower_alnum (char c)
{
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* component := [a-z0-9]+ (sep [a-z0-9]+)*, sep := '.' | '_' | '__' | '-'+ */
static bool
path_component_valid (const char *s, size_t len)
{
  size_t i = 0;

  if (len == 0 || !is_lower_alnum (s[0]) || !is_lower_alnum (s[len - 1]))
    return false;
  while (i < len)
    {
      if (is_lower_alnum (s[i]))
        {
          i++;
          continue;
        }
      size_t start = i;
      if (s[i] == '.')
        i++;
      else if (s[i] == '_')
        i += (i + 1 < len && s[i + 1] == '_') ? 2 : 1;
      else if (s[i] == '-')
        while (i < len && s[i] == '-')
          i++;
      else
        return false;
      if (i == start || i >= len || !is_lower_alnum (s[i]))
        return false;
    }
  return true;
}

static bool
domain_label_valid (const char *s, size_t len)
{
  if (len == 0 || !isalnum ((unsigned char) s[0]) || !isalnum ((unsigned char) s[len - 1]))
    return false;
  for (size_t i = 0; i < len; i++)
    if (!isalnum ((unsigned char) s[i]) && s[i] != '-')
      return false;
  return true;
}

bool
reference_domain_valid (const char *s)
{
  const char *end, *colon;

  if (s == NULL || *s == '\0')
    return false;
  if (s[0] == '[')
    {
      end = strchr (s, ']');
      if (end == NULL || end == s + 1)
        return false;
      for (const char *p = s + 1; p < end; p++)
        if (!isxdigit ((unsigned char) *p) && *p != ':' && *p != '.')
          return false;
      end++;
    }
  else
    {
      colon = strchr (s, ':');
      end = colon ? colon : s + strlen (s);
      for (const char *p = s; p < end;)
        {
          const char *dot = memchr (p, '.', end - p);
          const char *lend = dot ? dot : end;
          if (!domain_label_valid (p, lend - p))
            return false;
          p = dot ? dot + 1 : end;
          if (dot && p == end)
            return false;
        }
    }
  if (*end == '\0')
    return true;
  if (*end != ':' || end[1] == '\0' || strlen (end + 1) > 5)
    return false;
  for (const char *p = end + 1; *p; p++)
    if (!isdigit ((unsigned char) *p))
      return false;
  return true;
}

bool
reference_tag_valid (const char *s)
{
  size_t len = s ? strlen (s) : 0;

  if (len == 0 || len > 128)
    return false;
  for (size_t i = 0; i < len; i++)
    {
      char c = s[i];
      bool word = isalnum ((unsigned char) c) || c == '_';
      if (!word && (i == 0 || (c != '.' && c != '-')))
        return false;
    }
  return true;
}

static bool
first_component_is_domain (const char *name, size_t len)
{
  if (len == 9 && strncmp (name, "localhost", 9) == 0)
    return true;
  for (size_t i = 0; i < len; i++)
    if (name[i] == '.' || name[i] == ':' || isupper ((unsigned char) name[i]))
      return true;
  return false;
}

static int
check_path (const char *input, const char *path, oci_error_t **err)
{
  const char *p = path;

  for (;;)
    {
      const char *slash = strchr (p, '/');
      size_t len = slash ? (size_t) (slash - p) : strlen (p);
      for (size_t i = 0; i < len; i++)
        if (isupper ((unsigned char) p[i]))
          return oci_error_set (err, EINVAL,
                                "invalid reference format \"%s\": repository name must be lowercase", input);
      if (!path_component_valid (p, len))
        return oci_error_set (err, EINVAL,
                              "invalid reference format \"%s\": invalid repository name component \"%.*s\"",
                              input, (int) len, p);
      if (slash == NULL)
        return 0;
      p = slash + 1;
    }
}

/* Split "name[:tag][@digest]" into its parts (new strings).  */
static int
split_tag_digest (const char *input, char **name, char **tag, char **digest, oci_error_t **err)
{
  cleanup_free char *copy = xstrdup (input);
  char *at = strchr (copy, '@'), *slash, *colon;

  if (at)
    {
      *at = '\0';
      if (!oci_digest_valid (at + 1))
        return oci_error_set (err, EINVAL, "invalid reference format \"%s\": invalid digest \"%s\"", input,
                              at + 1);
      *digest = xstrdup (at + 1);
    }
  slash = strrchr (copy, '/');
  colon = strrchr (slash ? slash : copy, ':');
  if (colon)
    {
      *colon = '\0';
      if (!reference_tag_valid (colon + 1))
        return oci_error_set (err, EINVAL, "invalid reference format \"%s\": invalid tag \"%s\"", input,
                              colon + 1);
      *tag = xstrdup (colon + 1);
    }
  *name = steal_pointer (&copy);
  return 0;
}

int
reference_parse (const char *s, const char *default_domain, struct registry_ref **out, oci_error_t **err)
{
  cleanup_reference struct registry_ref *ref = xzalloc (sizeof *ref);
  cleanup_free char *name = NULL;
  const char *slash, *rest;

  if (s == NULL || *s == '\0')
    return oci_error_set (err, EINVAL, "invalid reference format: empty reference");
  if (split_tag_digest (s, &name, &ref->tag, &ref->digest, err) < 0)
    return -1;
  if (*name == '\0')
    return oci_error_set (err, EINVAL, "invalid reference format \"%s\": missing repository name", s);
  slash = strchr (name, '/');
  if (slash && first_component_is_domain (name, slash - name))
    {
      ref->domain = xstrndup (name, slash - name);
      rest = slash + 1;
      if (!reference_domain_valid (ref->domain))
        return oci_error_set (err, EINVAL, "invalid reference format \"%s\": invalid registry \"%s\"", s,
                              ref->domain);
      if (streq (ref->domain, "index.docker.io"))
        {
          free (ref->domain);
          ref->domain = xstrdup (REFERENCE_DOCKER_DOMAIN);
        }
    }
  else
    {
      ref->domain = xstrdup (default_domain ? default_domain : REFERENCE_DOCKER_DOMAIN);
      rest = name;
    }
  if (streq (ref->domain, REFERENCE_DOCKER_DOMAIN) && strchr (rest, '/') == NULL)
    xasprintf (&ref->path, "library/%s", rest);
  else
    ref->path = xstrdup (rest);
  if (check_path (s, ref->path, err) < 0)
    return -1;
  if (strlen (ref->domain) + 1 + strlen (ref->path) > REFERENCE_NAME_MAX)
    return oci_error_set (err, EINVAL,
                          "invalid reference format \"%s\": repository name longer than %d characters", s,
                          REFERENCE_NAME_MAX);
  if (ref->tag == NULL && ref->digest == NULL)
    {
      ref->tag = xstrdup (REFERENCE_DEFAULT_TAG);
      ref->tag_defaulted = true;
    }
  *out = steal_pointer (&ref);
  return 0;
}

char *
reference_name (const struct registry_ref *ref)
{
  char *s;
  xasprintf (&s, "%s/%s", ref->domain, ref->path);
  return s;
}

static char *
with_suffix (const char *name, const struct registry_ref *ref)
{
  char *s;
  xasprintf (&s, "%s%s%s%s%s", name, ref->tag ? ":" : "", ref->tag ? ref->tag : "", ref->digest ? "@" : "",
             ref->digest ? ref->digest : "");
  return s;
}

char *
reference_string (const struct registry_ref *ref)
{
  cleanup_free char *name = reference_name (ref);
  return with_suffix (name, ref);
}

char *
reference_with_digest (const struct registry_ref *ref, const char *digest)
{
  char *s;
  xasprintf (&s, "%s/%s@%s", ref->domain, ref->path, digest);
  return s;
}

char *
reference_familiar_repo (const struct registry_ref *ref)
{
  if (streq (ref->domain, REFERENCE_DOCKER_DOMAIN))
    return xstrdup (ref->path);
  return reference_name (ref);
}

char *
reference_familiar (const struct registry_ref *ref)
{
  cleanup_free char *repo = reference_familiar_repo (ref);
  const char *name = repo;

  if (streq (ref->domain, REFERENCE_DOCKER_DOMAIN) && has_prefix (repo, "library/")
      && strchr (repo + 8, '/') == NULL)
    name = repo + 8;
  return with_suffix (name, ref);
}

const char *
reference_tag_or_digest (const struct registry_ref *ref)
{
  return ref->tag ? ref->tag : ref->digest;
}
