/* config.json from create.json: docker's container defaults (moby's
   oci/defaults.go and daemon/oci_linux.go are the behaviour we match)
   plus what the record's Config and HostConfig ask for.  */
#include "config.h"
#include "spec.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fileutil.h"
#include "strbuf.h"
#include "user.h"
#include "util.h"

#define CONTAINER_SPEC_OCI_VERSION "1.0.2"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

#define DEFAULT_PATH_ENV "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define DEFAULT_SHM_SIZE (64 * 1024 * 1024)
#define CPU_PERIOD_US    100000
#define MIN_MEMORY       (6 * 1024 * 1024)
#define NANO             1000000000LL

#define STRV(...)                                                                                            \
  (char *const[])                                                                                            \
  {                                                                                                          \
    __VA_ARGS__, NULL                                                                                        \
  }

const char *const container_default_caps[] = {
  "CAP_CHOWN",
  "CAP_DAC_OVERRIDE",
  "CAP_FSETID",
  "CAP_FOWNER",
  "CAP_MKNOD",
  "CAP_NET_RAW",
  "CAP_SETGID",
  "CAP_SETUID",
  "CAP_SETFCAP",
  "CAP_SETPCAP",
  "CAP_NET_BIND_SERVICE",
  "CAP_SYS_CHROOT",
  "CAP_KILL",
  "CAP_AUDIT_WRITE",
  NULL,
};

/* Every capability by number (linux/capability.h).  */
static const char *const all_caps[] = {
  "CAP_CHOWN",
  "CAP_DAC_OVERRIDE",
  "CAP_DAC_READ_SEARCH",
  "CAP_FOWNER",
  "CAP_FSETID",
  "CAP_KILL",
  "CAP_SETGID",
  "CAP_SETUID",
  "CAP_SETPCAP",
  "CAP_LINUX_IMMUTABLE",
  "CAP_NET_BIND_SERVICE",
  "CAP_NET_BROADCAST",
  "CAP_NET_ADMIN",
  "CAP_NET_RAW",
  "CAP_IPC_LOCK",
  "CAP_IPC_OWNER",
  "CAP_SYS_MODULE",
  "CAP_SYS_RAWIO",
  "CAP_SYS_CHROOT",
  "CAP_SYS_PTRACE",
  "CAP_SYS_PACCT",
  "CAP_SYS_ADMIN",
  "CAP_SYS_BOOT",
  "CAP_SYS_NICE",
  "CAP_SYS_RESOURCE",
  "CAP_SYS_TIME",
  "CAP_SYS_TTY_CONFIG",
  "CAP_MKNOD",
  "CAP_LEASE",
  "CAP_AUDIT_WRITE",
  "CAP_AUDIT_CONTROL",
  "CAP_SETFCAP",
  "CAP_MAC_OVERRIDE",
  "CAP_MAC_ADMIN",
  "CAP_SYSLOG",
  "CAP_WAKE_ALARM",
  "CAP_BLOCK_SUSPEND",
  "CAP_AUDIT_READ",
  "CAP_PERFMON",
  "CAP_BPF",
  "CAP_CHECKPOINT_RESTORE",
  NULL,
};

static const char *const masked_paths[] = {
  "/proc/asound",
  "/proc/acpi",
  "/proc/interrupts",
  "/proc/kcore",
  "/proc/keys",
  "/proc/latency_stats",
  "/proc/timer_list",
  "/proc/timer_stats",
  "/proc/sched_debug",
  "/proc/scsi",
  "/sys/firmware",
  "/sys/devices/virtual/powercap",
  NULL,
};

static const char *const readonly_paths[] = {
  "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

/* The part of the record the builders share.  */
struct spec_ctx
{
  const struct container_record *r;
  const struct container_config *cfg;
  const struct container_host_config *hc;
  const char *id, *rootfs, *cdir;
  const struct container_ns_join *join;
  bool privileged;
  bool no_new_privs, seccomp_unconfined, systempaths_unconfined;
  const char *seccomp_profile;
  char *hostname;
  char **caps;
};

static const char *
str_or (const char *s, const char *dflt)
{
  return s && *s ? s : dflt;
}

static bool
strv_contains_ (char *const *v, const char *s)
{
  return v && oci_strv_contains ((const char *const *) v, s);
}

static bool
strv_has_all (char *const *v)
{
  return strv_contains_ (v, "ALL");
}

static void
strv_push (char ***v, const char *s)
{
  size_t n = strv_len (*v);

  *v = xreallocarray (*v, n + 2, sizeof (char *));
  (*v)[n] = xstrdup (s);
  (*v)[n + 1] = NULL;
}

/* ------------------------------------------------------------ security opts */

/* Go's strconv.ParseBool.  */
static int
parse_bool (const char *s, bool *out)
{
  static const char *const yes[] = { "1", "t", "T", "TRUE", "true", "True", NULL };
  static const char *const no[] = { "0", "f", "F", "FALSE", "false", "False", NULL };

  if (oci_strv_contains (yes, s))
    *out = true;
  else if (oci_strv_contains (no, s))
    *out = false;
  else
    return -1;
  return 0;
}

/* One --security-opt, with docker's error texts.  */
static int
parse_security_opt (struct spec_ctx *c, const char *opt, oci_error_t **err)
{
  cleanup_free char *key = NULL;
  const char *value, *sep;

  if (streq (opt, "no-new-privileges"))
    {
      c->no_new_privs = true;
      return 0;
    }
  sep = strchr (opt, '=');
  if (sep == NULL)
    sep = strchr (opt, ':');
  if (sep == NULL)
    return oci_error_set (err, EINVAL, "invalid --security-opt 1: \"%s\"", opt);
  key = xstrndup (opt, (size_t) (sep - opt));
  value = sep + 1;
  if (streq (key, "no-new-privileges"))
    {
      if (parse_bool (value, &c->no_new_privs) < 0)
        return oci_error_set (err, EINVAL, "invalid --security-opt 2: \"%s\"", opt);
    }
  else if (streq (key, "seccomp"))
    {
      c->seccomp_unconfined = streq (value, "unconfined");
      c->seccomp_profile = c->seccomp_unconfined || streq (value, "builtin") ? NULL : value;
    }
  else if (streq (key, "systempaths"))
    {
      if (!streq (value, "unconfined"))
        return oci_error_set (err, EINVAL, "invalid --security-opt 2: \"%s\"", opt);
      c->systempaths_unconfined = true;
    }
  else if (!streq (key, "apparmor") && !streq (key, "label"))
    return oci_error_set (err, EINVAL, "invalid --security-opt 2: \"%s\"", opt);
  return 0;
}

/* ------------------------------------------------------------ capabilities */

/* Whether the capability can be given: known to the kernel and in our
   bounding set (a nested or restricted host may lack some; podman gives
   privileged containers its bounding set, so do we).  */
static bool
cap_available (size_t cap)
{
  return prctl (PR_CAPBSET_READ, (unsigned long) cap, 0, 0, 0) == 1;
}

char **
container_caps_available (void)
{
  char **v = xcalloc (ARRAY_SIZE (all_caps), sizeof (char *));
  size_t n = 0;

  for (size_t i = 0; all_caps[i]; i++)
    if (cap_available (i))
      v[n++] = xstrdup (all_caps[i]);
  return v;
}

/* docker's normalization: upper case, "CAP_" prefixed, "ALL" kept.  */
static int
normalize_caps (char *const *in, char ***out, oci_error_t **err)
{
  for (size_t i = 0; in && in[i]; i++)
    {
      cleanup_free char *name = NULL;
      char *up = xstrdup (in[i]);

      for (char *p = up; *p; p++)
        *p = (char) toupper ((unsigned char) *p);
      if (streq (up, "ALL") || has_prefix (up, "CAP_"))
        name = up;
      else
        {
          xasprintf (&name, "CAP_%s", up);
          free (up);
        }
      if (!streq (name, "ALL") && !oci_strv_contains (all_caps, name))
        return oci_error_set (err, EINVAL, "unknown capability: \"%s\"", name);
      strv_push (out, name);
    }
  return 0;
}

/* moby's TweakCapabilities.  */
static int
compute_caps (struct spec_ctx *c, oci_error_t **err)
{
  cleanup_strv char **add = NULL, **drop = NULL;

  c->caps = xzalloc (sizeof (char *));
  if (normalize_caps (c->hc ? c->hc->cap_add : NULL, &add, err) < 0
      || normalize_caps (c->hc ? c->hc->cap_drop : NULL, &drop, err) < 0)
    return -1;
  if (c->privileged || strv_has_all (add))
    {
      for (size_t i = 0; all_caps[i]; i++)
        if (cap_available (i) && (c->privileged || !strv_contains_ (drop, all_caps[i])))
          strv_push (&c->caps, all_caps[i]);
      return 0;
    }
  if (!strv_has_all (drop))
    for (size_t i = 0; container_default_caps[i]; i++)
      if (!strv_contains_ (drop, container_default_caps[i]))
        strv_push (&c->caps, container_default_caps[i]);
  for (size_t i = 0; add && add[i]; i++)
    if (!strv_contains_ (c->caps, add[i]))
      strv_push (&c->caps, add[i]);
  return 0;
}

/* ------------------------------------------------------------ process */

static bool
env_key_eq (const char *a, const char *b)
{
  size_t la = strcspn (a, "="), lb = strcspn (b, "=");
  return la == lb && strncmp (a, b, la) == 0;
}

/* docker's ReplaceOrAppendEnvValues: an override replaces the default of
   the same key in place, "KEY" alone removes it, others are appended.  */
static void
env_set (char ***env, const char *kv)
{
  size_t n = strv_len (*env);

  for (size_t i = 0; i < n; i++)
    if (env_key_eq ((*env)[i], kv))
      {
        if (strchr (kv, '=') == NULL)
          {
            free ((*env)[i]);
            memmove (&(*env)[i], &(*env)[i + 1], (n - i) * sizeof (char *));
            return;
          }
        free ((*env)[i]);
        (*env)[i] = xstrdup (kv);
        return;
      }
  if (strchr (kv, '='))
    strv_push (env, kv);
}

static bool
env_has (char *const *env, const char *key)
{
  for (size_t i = 0; env && env[i]; i++)
    if (env_key_eq (env[i], key))
      return true;
  return false;
}

static char **
build_env (struct spec_ctx *c, const char *home)
{
  char **env = xzalloc (sizeof (char *));
  cleanup_free char *hostname = NULL;
  char **cfg_env = c->cfg ? c->cfg->env : NULL;

  strv_push (&env, DEFAULT_PATH_ENV);
  xasprintf (&hostname, "HOSTNAME=%s", c->hostname);
  strv_push (&env, hostname);
  if (c->cfg && c->cfg->tty)
    strv_push (&env, "TERM=xterm");
  for (size_t i = 0; cfg_env && cfg_env[i]; i++)
    env_set (&env, cfg_env[i]);
  if (!env_has (env, "HOME"))
    {
      cleanup_free char *kv = NULL;
      xasprintf (&kv, "HOME=%s", home);
      strv_push (&env, kv);
    }
  return env;
}

static char **
build_args (const struct container_record *r, oci_error_t **err)
{
  char **args = xzalloc (sizeof (char *));

  if (r->path == NULL || *r->path == '\0')
    {
      free (args);
      oci_error_set (err, EINVAL, "no command specified");
      return NULL;
    }
  strv_push (&args, r->path);
  for (size_t i = 0; r->args && r->args[i]; i++)
    strv_push (&args, r->args[i]);
  return args;
}

static int
ulimit_to_rlimit (const struct container_ulimit *u, struct oci_rlimit *rl, oci_error_t **err)
{
  cleanup_free char *type = NULL;
  uint64_t soft, hard;

  xasprintf (&type, "RLIMIT_%s", u->name ? u->name : "");
  for (char *p = type; *p; p++)
    *p = (char) toupper ((unsigned char) *p);
  if (!oci_strv_contains (oci_rlimit_types, type))
    return oci_error_set (err, EINVAL, "invalid ulimit type: %s", u->name ? u->name : "");
  /* -1 is unlimited (RLIM_INFINITY) */
  soft = u->soft == -1 ? UINT64_MAX : (uint64_t) u->soft;
  hard = u->hard == -1 ? UINT64_MAX : (uint64_t) u->hard;
  if (u->soft < -1 || u->hard < -1 || soft > hard)
    return oci_error_set (err, EINVAL,
                          "ulimit soft limit must be less than or equal to hard limit: %lld > %lld",
                          (long long) u->soft, (long long) u->hard);
  rl->type = steal_pointer (&type);
  rl->soft = soft;
  rl->soft_present = true;
  rl->hard = hard;
  rl->hard_present = true;
  return 0;
}

int
container_process_set_user (struct oci_process *p, int rootfd, const char *user, char *const *group_add,
                            char **home, oci_error_t **err)
{
  cleanup_free gid_t *groups = NULL;
  size_t ngroups = 0;
  uid_t uid;
  gid_t gid;

  if (container_user_resolve (rootfd, user, group_add, &uid, &gid, &groups, &ngroups, home, err) < 0)
    return -1;
  free (p->user);
  p->user = xzalloc (sizeof *p->user);
  p->user->uid = uid;
  p->user->uid_present = true;
  p->user->gid = gid;
  p->user->gid_present = true;
  if (ngroups > 0)
    {
      p->user->additional_gids = xcalloc (ngroups, sizeof (uint32_t));
      for (size_t i = 0; i < ngroups; i++)
        p->user->additional_gids[i] = groups[i];
      p->user->additional_gids_len = ngroups;
    }
  return 0;
}

static int
build_user (struct spec_ctx *c, struct oci_process *p, char **home, oci_error_t **err)
{
  cleanup_close int rootfd = open (c->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);

  if (rootfd < 0)
    return oci_error_errno (err, errno, "open the container rootfs %s", c->rootfs);
  return container_process_set_user (p, rootfd, c->cfg ? c->cfg->user : NULL, c->hc ? c->hc->group_add : NULL,
                                     home, err);
}

static int
build_process (struct spec_ctx *c, struct oci_spec *s, oci_error_t **err)
{
  struct oci_process *p = xzalloc (sizeof *p);
  cleanup_free char *home = NULL;
  const struct container_host_config *hc = c->hc;

  s->process = p;
  p->terminal = c->cfg && c->cfg->tty;
  p->terminal_present = true;
  if ((p->args = build_args (c->r, err)) == NULL || build_user (c, p, &home, err) < 0)
    return -1;
  p->env = build_env (c, home);
  p->cwd = xstrdup (str_or (c->cfg ? c->cfg->working_dir : NULL, "/"));
  p->capabilities = xzalloc (sizeof *p->capabilities);
  p->capabilities->bounding = strv_dup (c->caps);
  p->capabilities->effective = strv_dup (c->caps);
  p->capabilities->permitted = strv_dup (c->caps);
  if (c->no_new_privs)
    {
      p->no_new_privileges = true;
      p->no_new_privileges_present = true;
    }
  if (hc && hc->oom_score_adj_present)
    {
      p->oom_score_adj = hc->oom_score_adj;
      p->oom_score_adj_present = true;
    }
  if (hc && hc->ulimits_len > 0)
    {
      p->rlimits = xcalloc (hc->ulimits_len, sizeof *p->rlimits);
      for (size_t i = 0; i < hc->ulimits_len; i++, p->rlimits_len++)
        if (ulimit_to_rlimit (&hc->ulimits[i], &p->rlimits[i], err) < 0)
          return -1;
    }
  return 0;
}

/* ------------------------------------------------------------ mounts */

struct mount_list
{
  struct oci_mount *v;
  size_t len;
};

static void
mount_add (struct mount_list *l, const char *dest, const char *type, const char *source, char *const *options)
{
  struct oci_mount *m;

  l->v = xreallocarray (l->v, l->len + 1, sizeof *l->v);
  m = &l->v[l->len++];
  memset (m, 0, sizeof *m);
  m->destination = xstrdup (dest);
  m->type = xstrdup (type);
  m->source = xstrdup (source);
  m->options = strv_dup (options);
}

/* The group an option belongs to for MergeTmpfsOptions: later options of
   the same group override earlier ones.  */
static char *
tmpfs_option_group (const char *opt)
{
  static const char *const pairs[][2] = {
    { "noexec", "exec" },
    { "nosuid", "suid" },
    { "nodev", "dev" },
    { "ro", "rw" },
    { "noatime", "atime" },
    { "nodiratime", "diratime" },
    { "strictatime", "relatime" },
  };
  const char *eq = strchr (opt, '=');

  if (eq)
    return xstrndup (opt, (size_t) (eq - opt + 1));
  for (size_t i = 0; i < ARRAY_SIZE (pairs); i++)
    if (streq (opt, pairs[i][0]) || streq (opt, pairs[i][1]))
      return xstrdup (pairs[i][1]);
  return xstrdup (opt);
}

/* docker's tmpfs options: noexec,nosuid,nodev,rprivate then the user's
   (comma separated), the last of each group winning.  */
static char **
tmpfs_options (const char *data)
{
  cleanup_strv char **all = strv_dup (STRV ("noexec", "nosuid", "nodev", "rprivate"));
  cleanup_strv char **groups = xzalloc (sizeof (char *));
  cleanup_free char *copy = xstrdup (data ? data : "");
  cleanup_free bool *keep = NULL;
  char **out = xzalloc (sizeof (char *));
  char *save = NULL;
  size_t n;

  for (char *o = strtok_r (copy, ",", &save); o; o = strtok_r (NULL, ",", &save))
    if (*o)
      strv_push (&all, o);
  n = strv_len (all);
  keep = xcalloc (n + 1, sizeof (bool));
  for (size_t i = n; i-- > 0;)
    {
      cleanup_free char *g = tmpfs_option_group (all[i]);
      keep[i] = !strv_contains_ (groups, g);
      if (keep[i])
        strv_push (&groups, g);
    }
  for (size_t i = 0; i < n; i++)
    if (keep[i])
      strv_push (&out, all[i]);
  return out;
}

static size_t
path_depth (const char *path)
{
  size_t depth = 0;

  for (const char *p = path; *p; p++)
    depth += *p == '/';
  return streq (path, "/") ? 0 : depth;
}

static int
compare_depth (const void *a, const void *b)
{
  const struct oci_mount *ma = a, *mb = b;
  size_t da = path_depth (ma->destination), db = path_depth (mb->destination);

  return da < db ? -1 : da > db;
}

/* Parents before children: a stable insertion sort by depth, so mounts
   of the same depth keep the user's order (qsort is not stable).  */
static void
sort_by_depth (struct mount_list *l)
{
  for (size_t i = 1; i < l->len; i++)
    for (size_t j = i; j > 0 && compare_depth (&l->v[j - 1], &l->v[j]) > 0; j--)
      {
        struct oci_mount t = l->v[j];
        l->v[j] = l->v[j - 1];
        l->v[j - 1] = t;
      }
}

static bool
is_propagation (const char *p)
{
  static const char *const values[] = { "private", "rprivate", "shared", "rshared", "slave", "rslave", NULL };
  return p && oci_strv_contains (values, p);
}

static int
record_mount_add (struct mount_list *l, const struct container_mount_point *mp, oci_error_t **err)
{
  cleanup_strv char **opts = NULL;
  const char *type = str_or (mp->type, "bind");

  if (mp->destination == NULL || mp->destination[0] != '/')
    return oci_error_set (err, EINVAL, "invalid mount config: the destination \"%s\" is not an absolute path",
                          mp->destination ? mp->destination : "");
  if (streq (type, "tmpfs"))
    {
      cleanup_strv char **t = NULL;
      cleanup_free char *data = NULL;
      xasprintf (&data, "%s%s", str_or (mp->mode, ""), mp->rw_present && !mp->rw ? ",ro" : "");
      t = tmpfs_options (data);
      mount_add (l, mp->destination, "tmpfs", "tmpfs", t);
      return 0;
    }
  if (!streq (type, "bind") && !streq (type, "volume"))
    return oci_error_set (err, EINVAL, "invalid mount config for %s: unknown mount type \"%s\"",
                          mp->destination, type);
  if (mp->source == NULL || *mp->source == '\0')
    return oci_error_set (err, EINVAL, "invalid mount config for %s: no host source", mp->destination);
  opts = strv_dup (STRV ("rbind"));
  if (mp->rw_present && !mp->rw)
    strv_push (&opts, "ro");
  if (mp->propagation && *mp->propagation && !is_propagation (mp->propagation))
    return oci_error_set (err, EINVAL, "invalid mount config for %s: invalid propagation mode \"%s\"",
                          mp->destination, mp->propagation);
  strv_push (&opts, str_or (mp->propagation, "rprivate"));
  mount_add (l, mp->destination, "bind", mp->source, opts);
  return 0;
}

/* The user's mounts (and the etc files), sorted parents first.  */
static int
user_mounts (struct spec_ctx *c, struct mount_list *l, oci_error_t **err)
{
  static const char *const etc_files[][2]
      = { { "/etc/resolv.conf", "resolv.conf" }, { "/etc/hostname", "hostname" }, { "/etc/hosts", "hosts" } };
  const struct oci_map *tmpfs = c->hc ? &c->hc->tmpfs : NULL;
  bool ro = c->hc && c->hc->readonly_rootfs;

  for (size_t i = 0; i < c->r->mounts_len; i++)
    if (record_mount_add (l, &c->r->mounts[i], err) < 0)
      return -1;
  for (size_t i = 0; tmpfs && i < tmpfs->len; i++)
    {
      cleanup_free char *dest = container_path_clean (tmpfs->keys[i]);
      cleanup_strv char **opts = tmpfs_options (tmpfs->values[i]);
      if (dest[0] != '/')
        return oci_error_set (err, EINVAL,
                              "invalid mount config for type \"tmpfs\": invalid mount path \"%s\"",
                              tmpfs->keys[i]);
      mount_add (l, dest, "tmpfs", "tmpfs", opts);
    }
  for (size_t i = 0; i < ARRAY_SIZE (etc_files); i++)
    {
      cleanup_free char *src = NULL;
      bool covered = false;

      for (size_t j = 0; j < l->len; j++)
        covered |= streq (l->v[j].destination, etc_files[i][0]);
      if (covered)
        continue;
      xasprintf (&src, "%s/%s", c->cdir, etc_files[i][1]);
      mount_add (l, etc_files[i][0], "bind", src,
                 ro ? STRV ("rbind", "ro", "rprivate") : STRV ("rbind", "rprivate"));
    }
  sort_by_depth (l);
  return 0;
}

static bool
mount_list_has (const struct mount_list *l, const char *dest)
{
  for (size_t i = 0; i < l->len; i++)
    if (streq (l->v[i].destination, dest))
      return true;
  return false;
}

static void
shm_mount (struct spec_ctx *c, struct mount_list *d)
{
  const char *ipc = str_or (c->hc ? c->hc->ipc_mode : NULL, "private");
  int64_t size = c->hc && c->hc->shm_size_present && c->hc->shm_size > 0 ? c->hc->shm_size : DEFAULT_SHM_SIZE;
  cleanup_free char *size_opt = NULL;

  if (streq (ipc, "none"))
    return;
  if (streq (ipc, "host"))
    {
      mount_add (d, "/dev/shm", "bind", "/dev/shm", STRV ("rbind", "rprivate"));
      return;
    }
  if (has_prefix (ipc, "container:") && c->join && c->join->ipc && has_prefix (c->join->ipc, "/proc/"))
    {
      /* The other container's /dev/shm, reached through its root.  */
      cleanup_free char *pid = xstrndup (c->join->ipc + 6, strcspn (c->join->ipc + 6, "/"));
      cleanup_free char *src = NULL;
      xasprintf (&src, "/proc/%s/root/dev/shm", pid);
      mount_add (d, "/dev/shm", "bind", src, STRV ("rbind", "rprivate"));
      return;
    }
  xasprintf (&size_opt, "size=%lld", (long long) size);
  mount_add (d, "/dev/shm", "tmpfs", "shm", STRV ("nosuid", "noexec", "nodev", "mode=1777", size_opt));
}

/* docker's default mounts; those the user mounts over are left out (all
   of /dev's when the user mounts /dev).  */
static void
default_mounts (struct spec_ctx *c, const struct mount_list *user, struct mount_list *out)
{
  struct mount_list d = { NULL, 0 };
  const char *sys_ro = c->privileged ? "rw" : "ro";
  bool dev = mount_list_has (user, "/dev");

  mount_add (&d, "/proc", "proc", "proc", STRV ("nosuid", "noexec", "nodev"));
  mount_add (&d, "/dev", "tmpfs", "tmpfs", STRV ("nosuid", "strictatime", "mode=755", "size=65536k"));
  mount_add (&d, "/dev/pts", "devpts", "devpts",
             STRV ("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"));
  mount_add (&d, "/sys", "sysfs", "sysfs",
             c->privileged ? STRV ("nosuid", "noexec", "nodev") : STRV ("nosuid", "noexec", "nodev", "ro"));
  mount_add (&d, "/sys/fs/cgroup", "cgroup", "cgroup", STRV ((char *) sys_ro, "nosuid", "noexec", "nodev"));
  mount_add (&d, "/dev/mqueue", "mqueue", "mqueue", STRV ("nosuid", "noexec", "nodev"));
  shm_mount (c, &d);
  for (size_t i = 0; i < d.len; i++)
    {
      struct oci_mount *m = &d.v[i];
      if (mount_list_has (user, m->destination) || (dev && has_prefix (m->destination, "/dev/")))
        {
          free (m->destination);
          free (m->type);
          free (m->source);
          strv_free (m->options);
          continue;
        }
      out->v = xreallocarray (out->v, out->len + 1, sizeof *out->v);
      out->v[out->len++] = *m;
    }
  free (d.v);
}

static int
build_mounts (struct spec_ctx *c, struct oci_spec *s, oci_error_t **err)
{
  struct mount_list user = { NULL, 0 }, all = { NULL, 0 };

  if (user_mounts (c, &user, err) < 0)
    {
      s->mounts = user.v;
      s->mounts_len = user.len;
      return -1;
    }
  default_mounts (c, &user, &all);
  all.v = xreallocarray (all.v, all.len + user.len + 1, sizeof *all.v);
  if (user.len)
    memcpy (&all.v[all.len], user.v, user.len * sizeof *user.v);
  all.len += user.len;
  free (user.v);
  s->mounts = all.v;
  s->mounts_len = all.len;
  return 0;
}

/* ------------------------------------------------------------ namespaces */

static void
ns_add (struct oci_linux *l, const char *type, const char *path)
{
  struct oci_namespace *ns;

  l->namespaces = xreallocarray (l->namespaces, l->namespaces_len + 1, sizeof *l->namespaces);
  ns = &l->namespaces[l->namespaces_len++];
  ns->type = xstrdup (type);
  ns->path = path ? xstrdup (path) : NULL;
}

/* A namespace by mode: "host" shares ours (none added), "container:X"
   joins the path create.c resolved, anything else joins `join` when
   given (the network namespace berth made) or gets a new one.  */
static int
ns_by_mode (struct oci_linux *l, const char *type, const char *flag, const char *mode, const char *join,
            oci_error_t **err)
{
  if (mode && streq (mode, "host"))
    return 0;
  if (join && !has_prefix (mode ? mode : "", "container:"))
    {
      /* A namespace berth made (the network one of bridge and none).  */
      ns_add (l, type, join);
      return 0;
    }
  if (mode && has_prefix (mode, "container:"))
    {
      if (join == NULL)
        return oci_error_set (err, EINVAL, "%s %s: the namespace of the container is not known", flag, mode);
      ns_add (l, type, join);
      return 0;
    }
  ns_add (l, type, NULL);
  return 0;
}

static bool
host_cgroup_v2 (void)
{
  struct statfs sfs;
  return statfs ("/sys/fs/cgroup", &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC;
}

static void
id_mapping (struct oci_id_mapping **v, size_t *len, uint32_t container_id, uint32_t host_id)
{
  *v = xzalloc (sizeof **v);
  (*v)->container_id = container_id;
  (*v)->container_id_present = true;
  (*v)->host_id = host_id;
  (*v)->host_id_present = true;
  (*v)->size = 1;
  (*v)->size_present = true;
  *len = 1;
}

/* --userns: "" and "host" share ours; keep-id maps the caller's ids to
   the same ids inside a new user namespace, which only means something
   for a rootless caller (podman's rule).  */
static int
userns (struct spec_ctx *c, struct oci_spec *s, oci_error_t **err)
{
  const char *mode = str_or (c->hc ? c->hc->userns_mode : NULL, "host");
  struct oci_linux *l = s->linux;

  if (streq (mode, "host"))
    return 0;
  if (!streq (mode, "keep-id"))
    return oci_error_set (err, EINVAL, "--userns: invalid USER mode");
  if (geteuid () == 0)
    return oci_error_set (err, EINVAL, "keep-id is only supported in rootless mode");
  ns_add (l, "user", NULL);
  id_mapping (&l->uid_mappings, &l->uid_mappings_len, geteuid (), geteuid ());
  id_mapping (&l->gid_mappings, &l->gid_mappings_len, getegid (), getegid ());
  s->process->user->uid = geteuid ();
  s->process->user->gid = getegid ();
  return 0;
}

static int
build_namespaces (struct spec_ctx *c, struct oci_spec *s, oci_error_t **err)
{
  const struct container_host_config *hc = c->hc;
  const struct container_ns_join *j = c->join;
  struct oci_linux *l = s->linux;
  const char *net = str_or (hc ? hc->network_mode : NULL, "bridge");
  const char *uts = hc ? hc->uts_mode : NULL;

  if (ns_by_mode (l, "pid", "--pid", hc ? hc->pid_mode : NULL, j ? j->pid : NULL, err) < 0
      || ns_by_mode (l, "network", "--network", net, j ? j->net : NULL, err) < 0
      || ns_by_mode (l, "ipc", "--ipc", hc ? hc->ipc_mode : NULL, j ? j->ipc : NULL, err) < 0)
    return -1;
  if (uts && streq (uts, "host"))
    {
      free (s->hostname);
      s->hostname = NULL;
    }
  else
    ns_add (l, "uts", NULL);
  ns_add (l, "mount", NULL);
  if (host_cgroup_v2 ())
    ns_add (l, "cgroup", NULL);
  return userns (c, s, err);
}

/* ------------------------------------------------------------ devices */

static struct oci_device_cgroup *
dev_rule (struct oci_resources *res, bool allow, const char *type, int64_t major, int64_t minor,
          const char *access)
{
  struct oci_device_cgroup *d;

  res->devices = xreallocarray (res->devices, res->devices_len + 1, sizeof *res->devices);
  d = &res->devices[res->devices_len++];
  memset (d, 0, sizeof *d);
  d->allow = allow;
  d->allow_present = true;
  d->type = type ? xstrdup (type) : NULL;
  if (major >= 0)
    {
      d->major = major;
      d->major_present = true;
    }
  if (minor >= 0)
    {
      d->minor = minor;
      d->minor_present = true;
    }
  d->access = xstrdup (access);
  return d;
}

/* deny all, then what runc and docker allow every container (-1: any).  */
static void
default_device_rules (struct oci_resources *res)
{
  static const struct
  {
    const char *type;
    int64_t major, minor;
    const char *access;
  } allowed[] = {
    { "c", -1, -1, "m" }, { "b", -1, -1, "m" }, { "c", 1, 3, "rwm" },    { "c", 1, 5, "rwm" },
    { "c", 1, 7, "rwm" }, { "c", 1, 8, "rwm" }, { "c", 1, 9, "rwm" },    { "c", 5, 0, "rwm" },
    { "c", 5, 1, "rwm" }, { "c", 5, 2, "rwm" }, { "c", 136, -1, "rwm" }, { "c", 10, 200, "rwm" },
  };

  dev_rule (res, false, NULL, -1, -1, "rwm");
  for (size_t i = 0; i < ARRAY_SIZE (allowed); i++)
    dev_rule (res, true, allowed[i].type, allowed[i].major, allowed[i].minor, allowed[i].access);
}

static void
device_add (struct oci_linux *l, const char *path, const struct stat *st)
{
  struct oci_device *d;

  for (size_t i = 0; i < l->devices_len; i++)
    if (streq (l->devices[i].path, path))
      return;
  l->devices = xreallocarray (l->devices, l->devices_len + 1, sizeof *l->devices);
  d = &l->devices[l->devices_len++];
  memset (d, 0, sizeof *d);
  d->type = xstrdup (S_ISBLK (st->st_mode) ? "b" : "c");
  d->path = xstrdup (path);
  d->major = major (st->st_rdev);
  d->major_present = true;
  d->minor = minor (st->st_rdev);
  d->minor_present = true;
  d->file_mode = st->st_mode & 0777;
  d->file_mode_present = true;
  d->uid = st->st_uid;
  d->uid_present = true;
  d->gid = st->st_gid;
  d->gid_present = true;
}

/* The device nodes under a host directory, named under dest in the
   container; access non-NULL adds their cgroup rules.  runc's
   HostDevices skips these directories.  */
static void
devices_from_dir (struct oci_linux *l, const char *dir, const char *dest, const char *access, int depth)
{
  static const char *const skipped[] = { "pts", "shm", "fd", "mqueue", ".lxc", ".lxd-mounts", ".udev", NULL };
  cleanup_dir DIR *d = depth > 16 ? NULL : opendir (dir);
  struct dirent *e;

  while (d && (e = readdir (d)))
    {
      cleanup_free char *path = NULL, *target = NULL;
      struct stat st;

      if (streq (e->d_name, ".") || streq (e->d_name, "..") || oci_strv_contains (skipped, e->d_name))
        continue;
      xasprintf (&path, "%s/%s", dir, e->d_name);
      xasprintf (&target, "%s/%s", dest, e->d_name);
      if (lstat (path, &st) < 0)
        continue;
      if (S_ISDIR (st.st_mode))
        devices_from_dir (l, path, target, access, depth + 1);
      else if ((S_ISCHR (st.st_mode) || S_ISBLK (st.st_mode)) && !streq (path, "/dev/console")
               && st.st_rdev != 0)
        {
          device_add (l, target, &st);
          if (access)
            dev_rule (l->resources, true, S_ISBLK (st.st_mode) ? "b" : "c", major (st.st_rdev),
                      minor (st.st_rdev), access);
        }
    }
}

/* One --device HOST[:CONTAINER[:PERMS]]: a node, or every node below a
   directory.  */
static int
device_from_flag (struct oci_linux *l, const struct container_device *dev, oci_error_t **err)
{
  const char *host = dev->path_on_host ? dev->path_on_host : "";
  const char *dest = str_or (dev->path_in_container, host);
  const char *access = str_or (dev->cgroup_permissions, "rwm");
  struct stat st;

  if (access[strspn (access, "rwm")] != '\0')
    return oci_error_set (err, EINVAL, "invalid device mode: %s", access);
  if (stat (host, &st) < 0)
    return oci_error_errno (err, errno,
                            "error gathering device information while adding custom device \"%s\"", host);
  if (S_ISDIR (st.st_mode))
    {
      devices_from_dir (l, host, dest, access, 0);
      return 0;
    }
  if (!S_ISCHR (st.st_mode) && !S_ISBLK (st.st_mode))
    return oci_error_set (
        err, EINVAL,
        "error gathering device information while adding custom device \"%s\": not a device node", host);
  device_add (l, dest, &st);
  dev_rule (l->resources, true, S_ISBLK (st.st_mode) ? "b" : "c", major (st.st_rdev), minor (st.st_rdev),
            access);
  return 0;
}

static int
build_devices (struct spec_ctx *c, struct oci_linux *l, oci_error_t **err)
{
  if (c->privileged)
    {
      dev_rule (l->resources, true, NULL, -1, -1, "rwm");
      devices_from_dir (l, "/dev", "/dev", NULL, 0);
    }
  else
    default_device_rules (l->resources);
  for (size_t i = 0; c->hc && i < c->hc->devices_len; i++)
    if (device_from_flag (l, &c->hc->devices[i], err) < 0)
      return -1;
  return 0;
}

/* ------------------------------------------------------------ resources */

/* docker's checks of the memory flags (daemon verifyPlatformContainerResources).  */
static int
check_memory (const struct container_host_config *hc, oci_error_t **err)
{
  int64_t mem = hc->memory_present ? hc->memory : 0;
  int64_t swap = hc->memory_swap_present ? hc->memory_swap : 0;
  int64_t resv = hc->memory_reservation_present ? hc->memory_reservation : 0;

  if (mem != 0 && mem < MIN_MEMORY)
    return oci_error_set (err, EINVAL, "Minimum memory limit allowed is 6MB");
  if (mem <= 0 && swap > 0)
    return oci_error_set (err, EINVAL,
                          "You should always set the Memory limit when using Memoryswap limit, see usage");
  if (mem > 0 && swap > 0 && swap < mem)
    return oci_error_set (err, EINVAL,
                          "Minimum memoryswap limit should be larger than memory limit, see usage");
  if (mem > 0 && resv > 0 && resv > mem)
    return oci_error_set (err, EINVAL,
                          "Minimum memory limit can not be less than memory reservation limit, see usage");
  if (resv != 0 && resv < MIN_MEMORY)
    return oci_error_set (err, EINVAL, "Minimum memory reservation allowed is 6MB");
  return 0;
}

static void
build_memory (const struct container_host_config *hc, struct oci_resources *res)
{
  int64_t mem = hc->memory_present ? hc->memory : 0;
  int64_t swap = hc->memory_swap_present ? hc->memory_swap : 0;
  int64_t resv = hc->memory_reservation_present ? hc->memory_reservation : 0;
  bool oom = hc->oom_kill_disable_present && hc->oom_kill_disable;
  struct oci_memory *m;

  if (mem <= 0 && resv <= 0 && !oom)
    return;
  m = res->memory = xzalloc (sizeof *m);
  if (mem > 0)
    {
      m->limit = mem;
      m->limit_present = true;
      /* --memory-swap is memory plus swap; unset means twice the memory.  */
      m->swap = swap == 0 ? 2 * mem : swap;
      m->swap_present = true;
    }
  if (resv > 0)
    {
      m->reservation = resv;
      m->reservation_present = true;
    }
  if (oom)
    {
      m->disable_oom_killer = true;
      m->disable_oom_killer_present = true;
    }
}

static int
build_cpu (const struct container_host_config *hc, struct oci_resources *res, oci_error_t **err)
{
  int64_t nano = hc->nano_cpus_present ? hc->nano_cpus : 0;
  long ncpu = sysconf (_SC_NPROCESSORS_ONLN);
  struct oci_cpu *cpu;

  if (nano < 0 || (nano > 0 && (nano < NANO / 100 || (ncpu > 0 && nano > ncpu * NANO))))
    return oci_error_set (err, EINVAL,
                          "Range of CPUs is from 0.01 to %ld.00, as there are only %ld CPUs available", ncpu,
                          ncpu);
  if (nano == 0 && !(hc->cpu_shares_present && hc->cpu_shares > 0) && !str_or (hc->cpuset_cpus, NULL)
      && !str_or (hc->cpuset_mems, NULL))
    return 0;
  cpu = res->cpu = xzalloc (sizeof *cpu);
  if (nano > 0)
    {
      cpu->period = CPU_PERIOD_US;
      cpu->period_present = true;
      cpu->quota = nano * CPU_PERIOD_US / NANO;
      cpu->quota_present = true;
    }
  if (hc->cpu_shares_present && hc->cpu_shares > 0)
    {
      cpu->shares = (uint64_t) hc->cpu_shares;
      cpu->shares_present = true;
    }
  if (str_or (hc->cpuset_cpus, NULL))
    cpu->cpus = xstrdup (hc->cpuset_cpus);
  if (str_or (hc->cpuset_mems, NULL))
    cpu->mems = xstrdup (hc->cpuset_mems);
  return 0;
}

static int
build_resources (struct spec_ctx *c, struct oci_linux *l, oci_error_t **err)
{
  const struct container_host_config *hc = c->hc;
  struct oci_resources *res = l->resources = xzalloc (sizeof *res);

  if (hc == NULL)
    {
      default_device_rules (res);
      return 0;
    }
  if (check_memory (hc, err) < 0 || build_cpu (hc, res, err) < 0)
    return -1;
  build_memory (hc, res);
  if (hc->pids_limit_present && hc->pids_limit > 0)
    {
      res->pids = xzalloc (sizeof *res->pids);
      res->pids->limit = hc->pids_limit;
      res->pids->limit_present = true;
    }
  if (hc->blkio_weight_present && hc->blkio_weight > 0)
    {
      if (hc->blkio_weight < 10 || hc->blkio_weight > 1000)
        return oci_error_set (err, EINVAL, "Range of blkio weight is from 10 to 1000");
      res->block_io = xzalloc (sizeof *res->block_io);
      res->block_io->weight = hc->blkio_weight;
      res->block_io->weight_present = true;
    }
  return build_devices (c, l, err);
}

/* ------------------------------------------------------------ linux */

static char **
masked_list (void)
{
  char **v = strv_dup ((char *const *) masked_paths);
  cleanup_dir DIR *d = opendir ("/sys/devices/system/cpu");
  struct dirent *e;

  /* docker also masks the thermal interrupt counters of each CPU.  */
  while (d && (e = readdir (d)))
    {
      cleanup_free char *path = NULL;
      if (!has_prefix (e->d_name, "cpu") || e->d_name[3] == '\0'
          || e->d_name[3 + strspn (e->d_name + 3, "0123456789")] != '\0')
        continue;
      xasprintf (&path, "/sys/devices/system/cpu/%s/thermal_throttle", e->d_name);
      if (access (path, F_OK) == 0)
        strv_push (&v, path);
    }
  return v;
}

/* Bind mounts with shared or slave propagation need the rootfs to
   propagate too (moby's ensureShared / ensureSharedOrSlave).  */
static void
rootfs_propagation (struct oci_spec *s)
{
  const char *prop = NULL;

  for (size_t i = 0; i < s->mounts_len; i++)
    for (char **o = s->mounts[i].options; o && *o; o++)
      {
        if (streq (*o, "shared") || streq (*o, "rshared"))
          prop = "rshared";
        else if ((streq (*o, "slave") || streq (*o, "rslave")) && prop == NULL)
          prop = "rslave";
      }
  if (prop)
    s->linux->rootfs_propagation = xstrdup (prop);
}

static int
build_seccomp (struct spec_ctx *c, struct oci_linux *l, oci_error_t **err)
{
  if (c->privileged || c->seccomp_unconfined)
    return 0;
  if (c->seccomp_profile && c->seccomp_profile[strspn (c->seccomp_profile, " \t\n")] == '{')
    return container_seccomp_parse (c->seccomp_profile, strlen (c->seccomp_profile), "--security-opt seccomp",
                                    c->caps, &l->seccomp, err);
  if (c->seccomp_profile)
    return container_seccomp_load (c->seccomp_profile, c->caps, &l->seccomp, err);
  l->seccomp = container_seccomp_default (c->caps);
  return 0;
}

static int
build_linux (struct spec_ctx *c, struct oci_spec *s, oci_error_t **err)
{
  struct oci_linux *l = s->linux = xzalloc (sizeof *l);

  xasprintf (&l->cgroups_path, "/berth/%s", c->id);
  if (build_namespaces (c, s, err) < 0 || build_resources (c, l, err) < 0)
    return -1;
  for (size_t i = 0; c->hc && i < c->hc->sysctls.len; i++)
    oci_map_set (&l->sysctl, c->hc->sysctls.keys[i], c->hc->sysctls.values[i]);
  if (!c->privileged && !c->systempaths_unconfined)
    {
      l->masked_paths = masked_list ();
      l->readonly_paths = strv_dup ((char *const *) readonly_paths);
    }
  rootfs_propagation (s);
  return build_seccomp (c, l, err);
}

/* ------------------------------------------------------------ the spec */

static char *
default_hostname (const struct spec_ctx *c)
{
  const char *net = str_or (c->hc ? c->hc->network_mode : NULL, "bridge");
  char buf[256] = "";

  if (c->cfg && str_or (c->cfg->hostname, NULL))
    return xstrdup (c->cfg->hostname);
  if ((streq (net, "host") || (c->hc && str_or (c->hc->uts_mode, "") && streq (c->hc->uts_mode, "host")))
      && gethostname (buf, sizeof buf - 1) == 0)
    return xstrdup (buf);
  return xstrndup (c->id, 12);
}

static int
spec_ctx_init (struct spec_ctx *c, oci_error_t **err)
{
  c->cfg = c->r->config;
  c->hc = c->r->host_config;
  c->privileged = c->hc && c->hc->privileged;
  for (size_t i = 0; c->hc && c->hc->security_opt && c->hc->security_opt[i]; i++)
    if (parse_security_opt (c, c->hc->security_opt[i], err) < 0)
      return -1;
  c->hostname = default_hostname (c);
  return compute_caps (c, err);
}

int
container_spec_build (const struct container_record *r, const char *id, const char *rootfs, const char *cdir,
                      const struct container_ns_join *join, struct oci_spec **out, oci_error_t **err)
{
  struct spec_ctx c = { .r = r, .id = id, .rootfs = rootfs, .cdir = cdir, .join = join };
  struct oci_spec *s = xzalloc (sizeof *s);
  int ret = -1;

  if (spec_ctx_init (&c, err) < 0)
    goto out;
  /* The version podman and docker write: every runtime accepts it (crun
     1.8 refuses versions newer than it knows), and nothing here needs a
     field introduced after 1.0.  */
  s->oci_version = xstrdup (CONTAINER_SPEC_OCI_VERSION);
  s->root = xzalloc (sizeof *s->root);
  s->root->path = xstrdup (rootfs);
  s->root->readonly = c.hc && c.hc->readonly_rootfs;
  s->root->readonly_present = true;
  s->hostname = xstrdup (c.hostname);
  if (c.cfg && str_or (c.cfg->domainname, NULL))
    s->domainname = xstrdup (c.cfg->domainname);
  if (build_process (&c, s, err) < 0 || build_mounts (&c, s, err) < 0 || build_linux (&c, s, err) < 0)
    goto out;
  *out = steal_pointer (&s);
  ret = 0;
out:
  oci_spec_free (s);
  free (c.hostname);
  strv_free (c.caps);
  return ret;
}

int
container_spec_write (const struct oci_spec *s, const char *cdir, oci_error_t **err)
{
  cleanup_free char *json = NULL, *path = NULL;
  size_t len = 0;

  if (oci_spec_emit (s, true, &json, &len, err) < 0)
    return -1;
  xasprintf (&path, "%s/config.json", cdir);
  return write_file_replace (path, json, len, 0600, err);
}

/* ------------------------------------------------------------ loopback */

/* In the child: 0, or the errno of the step that failed.  */
static int
loopback_up_in (int nsfd)
{
  struct ifreq ifr = { 0 };
  cleanup_close int sock = -1;

  if (setns (nsfd, CLONE_NEWNET) < 0)
    return errno;
  sock = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0)
    return errno;
  strcpy (ifr.ifr_name, "lo");
  if (ioctl (sock, SIOCGIFFLAGS, &ifr) < 0)
    return errno;
  if (ifr.ifr_flags & IFF_UP)
    return 0;
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  return ioctl (sock, SIOCSIFFLAGS, &ifr) < 0 ? errno : 0;
}

int
container_netns_loopback_up (const char *netns_path, oci_error_t **err)
{
  cleanup_close int nsfd = open (netns_path, O_RDONLY | O_CLOEXEC);
  int status = 0;
  pid_t pid;

  if (nsfd < 0)
    return oci_error_errno (err, errno, "open the network namespace %s", netns_path);
  pid = fork ();
  if (pid < 0)
    return oci_error_errno (err, errno, "fork");
  if (pid == 0)
    _exit (loopback_up_in (nsfd));
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return oci_error_errno (err, errno, "waitpid");
  if (!WIFEXITED (status))
    return oci_error_set (err, EINTR, "bringing up lo in %s: the helper died", netns_path);
  if (WEXITSTATUS (status) != 0)
    return oci_error_set (err, WEXITSTATUS (status), "bringing up lo in %s: %s", netns_path,
                          strerror (WEXITSTATUS (status)));
  return 0;
}
