/* hull features: the runtime-spec features.json of this hull on this host
   (what the code supports, probed where the host decides: the seccomp
   flags this libseccomp can set, AppArmor and SELinux).  */
#include "config.h"
#include "commands.h"
#include "../mount_internal.h"
#include "../seccomp_filter.h"
#include "util.h"
#include "version.h"

#include <ctype.h>
#include <stdio.h>
#include <sys/capability.h>
#include <unistd.h>

static const char features_usage[] = "";

static char **
strv_of (const char *const *src)
{
  return strv_dup ((char *const *) src);
}

/* Every capability libcap knows, as "CAP_CHOWN".  */
static char **
known_caps (void)
{
  int max = (int) cap_max_bits ();
  char **v = xcalloc ((size_t) max + 1, sizeof (char *));
  size_t n = 0;

  for (int i = 0; i < max; i++)
    {
      char *name = cap_to_name ((cap_value_t) i);
      char *up;

      if (name == NULL)
        continue;
      if (strncmp (name, "cap_", 4) == 0)
        {
          up = xstrdup (name);
          for (char *p = up; *p; p++)
            *p = (char) toupper ((unsigned char) *p);
          v[n++] = up;
        }
      cap_free (name);
    }
  return v;
}

/* The seccomp flags this libseccomp accepts.  */
static char **
supported_seccomp_flags (void)
{
  size_t k = strv_len ((char *const *) oci_seccomp_flags), n = 0;
  char **v = xcalloc (k + 1, sizeof (char *));

  for (size_t i = 0; i < k; i++)
    {
      char *flags[] = { (char *) oci_seccomp_flags[i], NULL };
      struct oci_seccomp sp = { .default_action = (char *) "SCMP_ACT_ALLOW", .flags = flags };
      scmp_filter_ctx ctx = NULL;
      cleanup_error oci_error_t *err = NULL;

      if (seccomp_filter_build (&sp, &ctx, &err) == 0)
        v[n++] = xstrdup (oci_seccomp_flags[i]);
      if (ctx)
        seccomp_release (ctx);
    }
  return v;
}

static struct oci_feature_enabled *
enabled (bool on)
{
  struct oci_feature_enabled *e = xzalloc (sizeof *e);

  e->enabled = on;
  e->enabled_present = true;
  return e;
}

static bool
apparmor_enabled (void)
{
  char c = 0;
  FILE *f = fopen ("/sys/module/apparmor/parameters/enabled", "re");

  if (f == NULL)
    return false;
  if (fread (&c, 1, 1, f) != 1)
    c = 0;
  fclose (f);
  return c == 'Y' && access ("/proc/self/attr/apparmor/exec", F_OK) == 0;
}

static struct oci_features_linux *
linux_features (void)
{
  struct oci_features_linux *lx = xzalloc (sizeof *lx);
  struct oci_features_cgroup *cg = xzalloc (sizeof *cg);
  struct oci_features_seccomp *sc = xzalloc (sizeof *sc);

  lx->namespaces = strv_of (oci_namespace_types);
  lx->capabilities = known_caps ();
  cg->v1 = cg->v2 = cg->rdma = true;
  cg->v1_present = cg->v2_present = cg->systemd_present = cg->systemd_user_present = cg->rdma_present = true;
  lx->cgroup = cg;
  sc->enabled = sc->enabled_present = true;
  sc->actions = strv_of (oci_seccomp_actions);
  sc->operators = strv_of (oci_seccomp_operators);
  sc->archs = strv_of (oci_seccomp_archs);
  sc->known_flags = strv_of (oci_seccomp_flags);
  sc->supported_flags = supported_seccomp_flags ();
  lx->seccomp = sc;
  lx->apparmor = enabled (apparmor_enabled ());
  lx->selinux = enabled (access ("/sys/fs/selinux/enforce", F_OK) == 0);
  lx->intel_rdt = enabled (false);
  lx->mount_extensions = xzalloc (sizeof *lx->mount_extensions);
  lx->mount_extensions->idmap = enabled (true);
  return lx;
}

int
cmd_features (struct hull_globals *g, int argc, char **argv, oci_error_t **err)
{
  static const struct option longopts[] = { { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
  struct oci_features *f = NULL;
  const struct scmp_version *sv = seccomp_version ();
  cleanup_free char *json = NULL, *ver = NULL;
  int c, ret;

  (void) g;
  while ((c = cli_getopt (argc, argv, ":h", longopts, err)) != -1)
    {
      if (c != 'h')
        return -1;
      cli_help ("features", features_usage, "Show the enabled features (runtime-spec features.json).", "");
      return 0;
    }
  if (cli_operands ("features", features_usage, argc, argv, 0, 0, err) < 0)
    return -1;
  f = xzalloc (sizeof *f);
  f->oci_version_min = xstrdup ("1.0.0");
  f->oci_version_max = xstrdup ("1.2.0");
  f->hooks = strv_of (oci_hook_kinds);
  f->mount_options = mount_options_known ();
  f->linux = linux_features ();
  if (sv)
    {
      xasprintf (&ver, "%u.%u.%u", sv->major, sv->minor, sv->micro);
      oci_map_set (&f->annotations, "io.github.seccomp.libseccomp.version", ver);
    }
  ret = oci_features_emit (f, true, &json, NULL, err);
  oci_features_free (f);
  if (ret < 0)
    return -1;
  printf ("%s\n", json);
  return 0;
}
