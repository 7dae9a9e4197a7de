/* Registry sessions for the CLI: see session.h.  */
#include "config.h"
#include "session.h"

#include <errno.h>
#include <sys/utsname.h>

#include "util.h"

static struct registries_conf *loaded_conf;

static int
conf (const struct registries_conf **out, oci_error_t **err)
{
  if (loaded_conf == NULL && registries_conf_load (NULL, &loaded_conf, err) < 0)
    return -1;
  *out = loaded_conf;
  return 0;
}

int
registry_parse_tls_verify (const char *value, int *out, oci_error_t **err)
{
  if (value == NULL || streq (value, "true") || streq (value, "1"))
    *out = 1;
  else if (streq (value, "false") || streq (value, "0"))
    *out = 0;
  else
    return oci_error_set (err, EINVAL, "--tls-verify: expected true or false, got \"%s\"", value);
  return 0;
}

int
registry_default_domain (const char **out, oci_error_t **err)
{
  const struct registries_conf *c;

  if (conf (&c, err) < 0)
    return -1;
  *out = c->default_registry;
  return 0;
}

int
registry_session_open (const char *domain, const struct registry_session_opts *o,
                       struct registry_client **out, oci_error_t **err)
{
  struct registry_options ro = {
    .cert_dir = o->cert_dir,
    .tls_verify = o->tls_verify,
    .auth_config_dir = o->config_dir,
    .username = o->username,
    .password = o->password,
  };

  if (conf (&ro.conf, err) < 0)
    return -1;
  return registry_client_new (domain, &ro, out, err);
}

void
registry_host_platform (const char **os, const char **arch, const char **variant)
{
  static const struct
  {
    const char *machine, *arch, *variant;
  } map[] = {
    { "x86_64", "amd64", NULL },    { "aarch64", "arm64", NULL }, { "armv7l", "arm", "v7" },
    { "armv6l", "arm", "v6" },      { "i686", "386", NULL },      { "i386", "386", NULL },
    { "ppc64le", "ppc64le", NULL }, { "s390x", "s390x", NULL },   { "riscv64", "riscv64", NULL },
  };
  static struct utsname u;

  *os = "linux";
  *arch = "amd64";
  *variant = NULL;
  if (uname (&u) < 0)
    return;
  for (size_t i = 0; i < ARRAY_SIZE (map); i++)
    if (streq (u.machine, map[i].machine))
      {
        *arch = map[i].arch;
        *variant = map[i].variant;
        return;
      }
  *arch = u.machine;
}

int
registry_parse_platform (const char *s, char **os, char **arch, char **variant, oci_error_t **err)
{
  cleanup_free char *copy = xstrdup (s);
  char *a = strchr (copy, '/'), *v = NULL;

  if (a)
    {
      *a++ = '\0';
      v = strchr (a, '/');
      if (v)
        *v++ = '\0';
    }
  if (*copy == '\0' || a == NULL || *a == '\0' || (v && (*v == '\0' || strchr (v, '/'))))
    return oci_error_set (err, EINVAL, "--platform \"%s\": expected os/architecture[/variant]", s);
  *os = xstrdup (copy);
  *arch = xstrdup (a);
  *variant = v ? xstrdup (v) : NULL;
  return 0;
}
