/* The "cgroup" and "cgroup2" mount types.  On a legacy or hybrid host
   (cgroup v1 hierarchies under /sys/fs/cgroup/<controller>) the container
   gets a tmpfs with one mount per v1 hierarchy, the unified hierarchy at
   unified/ when the host has it, and symlinks such as cpu -> cpu,cpuacct.
   With a cgroup namespace each hierarchy is mounted directly (the kernel
   roots it at the namespace's cgroup); without one, or when the kernel
   refuses, the init process's own cgroup directory (/proc/self/cgroup) is
   bind-mounted.  On a unified host cgroup2 is mounted.  */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "mount_internal.h"
#include "strbuf.h"
#include "util.h"

#define HOST_CGROUP_ROOT "/sys/fs/cgroup"

/* A cgroup hierarchy of the host, from mountinfo and /proc/self/cgroup.  */
struct hierarchy
{
  char *mountpoint; /* /sys/fs/cgroup/cpu,cpuacct */
  char *name;       /* its directory name: cpu,cpuacct */
  char *options;    /* mount options naming it: cpu,cpuacct or name=systemd; NULL for cgroup2 */
  char *path;       /* the init process's cgroup in it, from /proc/self/cgroup */
  bool v2;
};

struct hierarchies
{
  struct hierarchy *v;
  size_t len;
};

static void
hierarchies_release (struct hierarchies *h)
{
  for (size_t i = 0; i < h->len; i++)
    {
      free (h->v[i].mountpoint);
      free (h->v[i].name);
      free (h->v[i].options);
      free (h->v[i].path);
    }
  free (h->v);
  h->v = NULL;
  h->len = 0;
}

#define cleanup_hierarchies __attribute__ ((cleanup (hierarchies_release)))

static bool
is_cgroup_v1_controller_option (const char *o)
{
  static const char *const not_controllers[]
      = { "rw", "ro", "clone_children", "noprefix", "xattr", "cpuset_v2_mode", "favordynmods", NULL };
  return !oci_strv_contains (not_controllers, o) && !has_prefix (o, "release_agent=");
}

/* The controllers (and name=) of a v1 mount's super options.  */
static char *
v1_controllers (const char *superopts)
{
  cleanup_free char *copy = xstrdup (superopts);
  cleanup_strbuf struct strbuf sb = STRBUF_INIT;
  char *save = NULL;

  for (char *o = strtok_r (copy, ",", &save); o; o = strtok_r (NULL, ",", &save))
    if (is_cgroup_v1_controller_option (o))
      {
        if (sb.len)
          strbuf_addch (&sb, ',');
        strbuf_addstr (&sb, o);
      }
  return strbuf_detach (&sb, NULL);
}

/* Fields 5 (mount point), and after " - ": fstype and super options.  */
static bool
parse_mountinfo_line (char *line, char **mp, char **fstype, char **superopts)
{
  char *sep = strstr (line, " - ");
  char *save = NULL, *tok;

  if (sep == NULL)
    return false;
  *sep = '\0';
  tok = strtok_r (line, " ", &save);
  for (int i = 1; tok && i < 5; i++)
    tok = strtok_r (NULL, " ", &save);
  *mp = tok;
  save = NULL;
  *fstype = strtok_r (sep + 3, " ", &save);
  strtok_r (NULL, " ", &save); /* source */
  *superopts = strtok_r (NULL, " \n", &save);
  return *mp && *fstype && *superopts;
}

static void
add_hierarchy (struct hierarchies *h, const char *mp, const char *fstype, const char *superopts)
{
  struct hierarchy *e;

  h->v = xreallocarray (h->v, h->len + 1, sizeof *h->v);
  e = &h->v[h->len++];
  memset (e, 0, sizeof *e);
  e->mountpoint = xstrdup (mp);
  e->name = xstrdup (strrchr (mp, '/') + 1);
  e->v2 = streq (fstype, "cgroup2");
  e->options = e->v2 ? NULL : v1_controllers (superopts);
}

/* The cgroup mounts directly under /sys/fs/cgroup.  */
static int
read_host_hierarchies (struct hierarchies *h, oci_error_t **err)
{
  cleanup_file FILE *f = fopen ("/proc/self/mountinfo", "re");
  cleanup_free char *line = NULL;
  size_t cap = 0;

  if (f == NULL)
    return oci_error_errno (err, errno, "open /proc/self/mountinfo");
  while (getline (&line, &cap, f) > 0)
    {
      char *mp, *fstype, *superopts, *slash;
      bool dup = false;

      if (!parse_mountinfo_line (line, &mp, &fstype, &superopts))
        continue;
      if (!streq (fstype, "cgroup") && !streq (fstype, "cgroup2"))
        continue;
      slash = strrchr (mp, '/');
      if (slash == NULL || (size_t) (slash - mp) != strlen (HOST_CGROUP_ROOT)
          || !has_prefix (mp, HOST_CGROUP_ROOT) || slash[1] == '\0')
        continue;
      for (size_t i = 0; i < h->len; i++)
        dup = dup || streq (h->v[i].mountpoint, mp);
      if (!dup)
        add_hierarchy (h, mp, fstype, superopts);
    }
  return 0;
}

/* Whether every controller of the comma list ctrls is in options.  */
static bool
controllers_match (const char *ctrls, const char *options)
{
  cleanup_free char *copy = xstrdup (ctrls);
  cleanup_free char *opts = NULL;
  char *save = NULL;

  xasprintf (&opts, ",%s,", options);
  for (char *c = strtok_r (copy, ",", &save); c; c = strtok_r (NULL, ",", &save))
    {
      cleanup_free char *needle = NULL;
      xasprintf (&needle, ",%s,", c);
      if (strstr (opts, needle) == NULL)
        return false;
    }
  return *ctrls != '\0';
}

/* Fill each hierarchy's path from /proc/self/cgroup ("/" when absent).  */
static int
read_own_cgroups (struct hierarchies *h, oci_error_t **err)
{
  cleanup_file FILE *f = fopen ("/proc/self/cgroup", "re");
  cleanup_free char *line = NULL;
  size_t cap = 0;
  ssize_t n;

  if (f == NULL)
    return oci_error_errno (err, errno, "open /proc/self/cgroup");
  while ((n = getline (&line, &cap, f)) > 0)
    {
      char *ctrls = strchr (line, ':'), *path;
      if (line[n - 1] == '\n')
        line[n - 1] = '\0';
      if (ctrls == NULL || (path = strchr (++ctrls, ':')) == NULL)
        continue;
      *path++ = '\0';
      for (size_t i = 0; i < h->len; i++)
        if (h->v[i].path == NULL
            && (h->v[i].v2 ? *ctrls == '\0' : controllers_match (ctrls, h->v[i].options)))
          h->v[i].path = xstrdup (path);
    }
  for (size_t i = 0; i < h->len; i++)
    if (h->v[i].path == NULL)
      h->v[i].path = xstrdup ("/");
  return 0;
}

/* ---------------------------------------------------------------- mounting */

/* The flags a cgroup mount takes from the spec's options.  */
static unsigned long
cgroup_mount_flags (const struct mount_opts *opts)
{
  return opts->flags
         & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME | MS_NOATIME | MS_STRICTATIME);
}

static int
bind_hierarchy (struct hull_init_ctx *ctx, const struct hierarchy *hy, int target,
                const struct mount_opts *opts, const char *dest, oci_error_t **err)
{
  struct mount_opts bind = *opts;
  cleanup_free char *source = NULL;
  cleanup_close int mnt = -1;
  struct stat st;

  if (hy->mountpoint == NULL)
    return oci_error_set (err, ENOENT, "mount %s: the host has no cgroup2 hierarchy to bind", dest);
  bind.bind = bind.recursive = true;
  bind.n_propagation = 0;
  bind.idmap = false;
  xasprintf (&source, "%s%s", hy->mountpoint, streq (hy->path, "/") ? "" : hy->path);
  if (stat (source, &st) < 0)
    {
      free (source);
      source = xstrdup (hy->mountpoint);
    }
  mnt = mount_bind_fd (source, target, &bind, NULL, ctx->spec, dest, err);
  return mnt < 0 ? -1 : 0;
}

/* One hierarchy at target: mounted in the cgroup namespace, else bound.  */
static int
mount_hierarchy (struct hull_init_ctx *ctx, const struct hierarchy *hy, int target,
                 const struct mount_opts *opts, const char *dest, oci_error_t **err)
{
  char path[MOUNT_FD_PATH_MAX];
  const char *type = hy->v2 ? "cgroup2" : "cgroup";

  if (mount_spec_has_ns (ctx->spec, "cgroup"))
    {
      if (mount (type, mount_fd_path (target, path), type, cgroup_mount_flags (opts), hy->options) == 0)
        return 0;
      if (errno != EPERM && errno != EBUSY && errno != EINVAL)
        return oci_error_errno (err, errno, "mount %s (%s) on %s", type, hy->name, dest);
    }
  return bind_hierarchy (ctx, hy, target, opts, dest, err);
}

static int
mount_sub_hierarchy (struct hull_init_ctx *ctx, int tmpfs, const struct hierarchy *hy,
                     const struct mount_opts *opts, const char *dest, oci_error_t **err)
{
  cleanup_free char *subdest = NULL;
  cleanup_close int target = -1;

  xasprintf (&subdest, "%s/%s", dest, hy->name);
  if (mkdirat (tmpfs, hy->name, 0755) < 0 && errno != EEXIST)
    return oci_error_errno (err, errno, "create %s", subdest);
  target = openat (tmpfs, hy->name, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
  if (target < 0)
    return oci_error_errno (err, errno, "open %s", subdest);
  if (mount_hierarchy (ctx, hy, target, opts, subdest, err) < 0)
    return -1;
  /* cpu -> cpu,cpuacct */
  if (!hy->v2 && strchr (hy->name, ','))
    {
      cleanup_free char *names = xstrdup (hy->name);
      char *save = NULL;
      for (char *c = strtok_r (names, ",", &save); c; c = strtok_r (NULL, ",", &save))
        if (symlinkat (hy->name, tmpfs, c) < 0 && errno != EEXIST)
          return oci_error_errno (err, errno, "symlink %s/%s", dest, c);
    }
  return 0;
}

static bool
host_is_unified (void)
{
  struct statfs sf;

  return statfs (HOST_CGROUP_ROOT, &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
}

/* The tmpfs that holds the v1 hierarchies: writable while we fill it.  */
static int
mount_cgroup_tmpfs (int parent, const char *name, int target, const struct mount_opts *opts, const char *dest,
                    oci_error_t **err)
{
  char path[MOUNT_FD_PATH_MAX];
  unsigned long flags = cgroup_mount_flags (opts) & ~MS_RDONLY;

  if (mount ("tmpfs", mount_fd_path (target, path), "tmpfs", flags, "mode=755") < 0)
    return oci_error_errno (err, errno, "mount a tmpfs for the cgroups on %s", dest);
  return mount_reopen_target (parent, name, dest, err);
}

int
mount_cgroup (struct hull_init_ctx *ctx, int parent, const char *name, int target,
              const struct mount_opts *opts, const char *dest, oci_error_t **err)
{
  cleanup_hierarchies struct hierarchies h = { NULL, 0 };
  cleanup_close int tmpfs = -1, dir = -1;
  char path[MOUNT_FD_PATH_MAX];

  if (host_is_unified ())
    return mount_cgroup2 (ctx, target, opts, dest, err);
  if (read_host_hierarchies (&h, err) < 0 || read_own_cgroups (&h, err) < 0)
    return -1;
  tmpfs = mount_cgroup_tmpfs (parent, name, target, opts, dest, err);
  if (tmpfs < 0)
    return -1;
  dir = open (mount_fd_path (tmpfs, path), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0)
    return oci_error_errno (err, errno, "open the cgroup tmpfs on %s", dest);
  for (size_t i = 0; i < h.len; i++)
    if (mount_sub_hierarchy (ctx, dir, &h.v[i], opts, dest, err) < 0)
      return -1;
  if ((opts->flags & MS_RDONLY) && mount_set_attr (tmpfs, false, MOUNT_ATTR_RDONLY, 0, dest, err) < 0)
    return -1;
  return mount_apply_after (tmpfs, opts, dest, err);
}

/* The init process's path in the unified hierarchy ("0::" line).  */
static char *
own_v2_path (void)
{
  cleanup_file FILE *f = fopen ("/proc/self/cgroup", "re");
  cleanup_free char *line = NULL;
  size_t cap = 0;
  ssize_t n;

  while (f && (n = getline (&line, &cap, f)) > 0)
    if (has_prefix (line, "0::"))
      {
        if (line[n - 1] == '\n')
          line[n - 1] = '\0';
        return xstrdup (line + 3);
      }
  return xstrdup ("/");
}

int
mount_cgroup2 (struct hull_init_ctx *ctx, int target, const struct mount_opts *opts, const char *dest,
               oci_error_t **err)
{
  cleanup_hierarchies struct hierarchies h = { NULL, 0 };
  cleanup_free char *path = own_v2_path ();
  struct hierarchy hy = { (char *) HOST_CGROUP_ROOT, (char *) "cgroup2", NULL, path, true };

  if (!host_is_unified ())
    {
      if (read_host_hierarchies (&h, err) < 0)
        return -1;
      hy.mountpoint = NULL;
      for (size_t i = 0; i < h.len; i++)
        if (h.v[i].v2)
          hy.mountpoint = h.v[i].mountpoint;
    }
  return mount_hierarchy (ctx, &hy, target, opts, dest, err);
}
