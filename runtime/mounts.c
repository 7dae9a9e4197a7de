/* The container's root filesystem: rootfs propagation, the spec's mounts
   in order, /dev (devices.c), pivot_root and the finishing touches.  See
   mounts.h for the contract and mount_internal.h for the helpers.  */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "devices.h"
#include "inroot.h"
#include "mount_internal.h"
#include "mounts.h"
#include "util.h"

/* ---------------------------------------------------------------- one mount */

static bool
mount_is_bind (const struct oci_mount *m, const struct mount_opts *opts)
{
  return opts->bind || (m->type && streq (m->type, "bind"));
}

/* A bind source: absolute, or relative to the bundle.  */
static char *
bind_source_path (const struct hull_init_ctx *ctx, const char *source)
{
  char *path;

  if (source[0] == '/' || ctx->bundle == NULL)
    return xstrdup (source);
  xasprintf (&path, "%s/%s", ctx->bundle, source);
  return path;
}

static int
mount_bind (struct hull_init_ctx *ctx, const struct oci_mount *m, const struct mount_opts *opts,
            oci_error_t **err)
{
  cleanup_free char *source = NULL;
  cleanup_close int target = -1;
  cleanup_close int mnt = -1;
  struct stat st;

  if (m->source == NULL || *m->source == '\0')
    return oci_error_set (err, EINVAL, "mount %s: a bind mount needs a source", m->destination);
  source = bind_source_path (ctx, m->source);
  if (stat (source, &st) < 0)
    return oci_error_errno (err, errno, "mount source %s for %s", source, m->destination);
  target = mount_open_target (ctx->rootfs_fd, m->destination, !S_ISDIR (st.st_mode), NULL, NULL, err);
  if (target < 0)
    return -1;
  mnt = mount_bind_fd (source, target, opts, m, ctx->spec, m->destination, err);
  return mnt < 0 ? -1 : 0;
}

/* sysfs cannot be mounted in a user namespace without its own network
   namespace, nor mqueue without an ipc namespace: bind the host's, as
   runc does.  */
static const char *
userns_fallback_source (const struct hull_init_ctx *ctx, const char *type)
{
  if (!mount_spec_has_ns (ctx->spec, "user"))
    return NULL;
  if (streq (type, "sysfs"))
    return "/sys";
  if (streq (type, "mqueue"))
    return "/dev/mqueue";
  return NULL;
}

static int
mount_fs_fallback (struct hull_init_ctx *ctx, const struct oci_mount *m, const struct mount_opts *opts,
                   const char *host, int target, oci_error_t **err)
{
  struct mount_opts bind = *opts;
  cleanup_close int mnt = -1;

  bind.bind = bind.recursive = true;
  bind.idmap = false;
  mnt = mount_bind_fd (host, target, &bind, m, ctx->spec, m->destination, err);
  return mnt < 0 ? -1 : 0;
}

/* tmpcopyup: the content under the new tmpfs, read through an fd opened
   before the mount, copied into it.  */
static int
copy_up (int lower, int mnt, const struct mount_opts *opts, const char *dest, oci_error_t **err)
{
  char path[MOUNT_FD_PATH_MAX];
  cleanup_close int upper = open (mount_fd_path (mnt, path), O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (upper < 0)
    return oci_error_errno (err, errno, "tmpcopyup %s: open the new mount", dest);
  if (mount_copy_tree (lower, upper, dest, err) < 0)
    return -1;
  if (opts->flags & MS_RDONLY)
    return mount_set_attr (mnt, false, MOUNT_ATTR_RDONLY, 0, dest, err);
  return 0;
}

static int
mount_fs (struct hull_init_ctx *ctx, const struct oci_mount *m, const struct mount_opts *opts,
          oci_error_t **err)
{
  const char *dest = m->destination, *type = m->type;
  cleanup_close int parent = -1, target = -1, lower = -1, mnt = -1;
  cleanup_free char *name = NULL;
  unsigned long flags = opts->flags;
  char path[MOUNT_FD_PATH_MAX];
  const char *host;

  if (type == NULL || *type == '\0')
    return oci_error_set (err, EINVAL, "mount %s: no type and no bind option", dest);
  target = mount_open_target (ctx->rootfs_fd, dest, false, &parent, &name, err);
  if (target < 0)
    return -1;
  if (opts->tmpcopyup)
    {
      lower = open (mount_fd_path (target, path), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (lower < 0)
        return oci_error_errno (err, errno, "tmpcopyup %s: open the destination", dest);
      flags &= ~MS_RDONLY;
    }
  if (mount (m->source ? m->source : type, mount_fd_path (target, path), type, flags, opts->data) < 0)
    {
      if (errno == EPERM && (host = userns_fallback_source (ctx, type)) != NULL)
        return mount_fs_fallback (ctx, m, opts, host, target, err);
      return oci_error_errno (err, errno, "mount %s (type %s%s%s) on %s", m->source ? m->source : type, type,
                              opts->data ? ", options " : "", opts->data ? opts->data : "", dest);
    }
  mnt = mount_reopen_target (parent, name, dest, err);
  if (mnt < 0)
    return -1;
  if (lower >= 0 && copy_up (lower, mnt, opts, dest, err) < 0)
    return -1;
  return mount_apply_after (mnt, opts, dest, err);
}

static int
mount_cgroup_entry (struct hull_init_ctx *ctx, const struct oci_mount *m, const struct mount_opts *opts,
                    oci_error_t **err)
{
  cleanup_close int parent = -1;
  cleanup_free char *name = NULL;
  cleanup_close int target = mount_open_target (ctx->rootfs_fd, m->destination, false, &parent, &name, err);

  if (target < 0 || hull_init_enter_cgroup (ctx, err) < 0)
    return -1;
  if (streq (m->type, "cgroup2"))
    return mount_cgroup2 (ctx, target, opts, m->destination, err);
  return mount_cgroup (ctx, parent, name, target, opts, m->destination, err);
}

static int
mount_one (struct hull_init_ctx *ctx, const struct oci_mount *m, size_t index, oci_error_t **err)
{
  cleanup_mount_opts struct mount_opts opts;
  int ret;

  if (m->destination == NULL || *m->destination == '\0')
    return oci_error_set (err, EINVAL, "mounts[%zu]: no destination", index);
  if (mount_opts_parse (m->options, &opts, err) < 0)
    return oci_error_prefix (err, "mount %s", m->destination);
  if (opts.idmap && !mount_is_bind (m, &opts))
    return oci_error_set (err, EINVAL, "mount %s: option %s needs a bind mount", m->destination,
                          opts.ridmap ? "ridmap" : "idmap");
  if (mount_is_bind (m, &opts))
    ret = mount_bind (ctx, m, &opts, err);
  else if (m->type && (streq (m->type, "cgroup") || streq (m->type, "cgroup2")))
    ret = mount_cgroup_entry (ctx, m, &opts, err);
  else
    ret = mount_fs (ctx, m, &opts, err);
  return ret;
}

/* ---------------------------------------------------------------- rootfs */

/* pivot_root and MS_MOVE refuse a shared new root or a shared parent of
   it: with rootfsPropagation shared, make just those mounts private (the
   final propagation is applied after pivot_root).  */
static int
unshare_rootfs_parents (const char *rootfs, oci_error_t **err)
{
  cleanup_free char *parent = NULL;
  cleanup_free char *real = NULL;
  cleanup_free char *mp = NULL;

  xasprintf (&parent, "%s/..", rootfs);
  real = realpath (parent, NULL);
  if (real == NULL)
    return oci_error_errno (err, errno, "resolve the parent of the rootfs %s", rootfs);
  if (mount_find_mountpoint (real, &mp, err) < 0)
    return -1;
  if (mount (NULL, mp, NULL, MS_PRIVATE, NULL) < 0)
    return oci_error_errno (err, errno, "make %s private", mp);
  if (mount (NULL, "/", NULL, MS_PRIVATE, NULL) < 0)
    return oci_error_errno (err, errno, "make / private");
  return 0;
}

static int
prepare_root_mount (struct hull_init_ctx *ctx, oci_error_t **err)
{
  const char *name = ctx->spec->linux ? ctx->spec->linux->rootfs_propagation : NULL;
  unsigned long flags;

  if (mount_propagation_from_name (name, &flags, err) < 0)
    return -1;
  /* An unbindable / could not be bound: it is applied after pivot_root.  */
  if (flags == 0 || (flags & MS_UNBINDABLE))
    flags = MS_SLAVE | MS_REC;
  if (mount (NULL, "/", NULL, flags, NULL) < 0)
    return oci_error_errno (err, errno, "set the propagation of / (rootfsPropagation %s)",
                            name ? name : "rslave");
  if ((flags & MS_SHARED) && unshare_rootfs_parents (ctx->rootfs, err) < 0)
    return -1;
  if (mount (ctx->rootfs, ctx->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
    return oci_error_errno (err, errno, "bind the rootfs %s onto itself", ctx->rootfs);
  if ((flags & MS_SHARED) && mount (NULL, ctx->rootfs, NULL, MS_PRIVATE, NULL) < 0)
    return oci_error_errno (err, errno, "make the rootfs %s private", ctx->rootfs);
  ctx->rootfs_fd = open (ctx->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (ctx->rootfs_fd < 0)
    return oci_error_errno (err, errno, "open the rootfs %s", ctx->rootfs);
  return 0;
}

/* Whether one of the paths is the other or below it.  */
static bool
paths_nest (const char *a, const char *b)
{
  size_t la = strlen (a), lb = strlen (b), n = la < lb ? la : lb;

  while (n > 1 && (la == n ? a : b)[n - 1] == '/')
    n--;
  if (strncmp (a, b, n) != 0)
    return false;
  return (a[n] == '\0' || a[n] == '/') && (b[n] == '\0' || b[n] == '/');
}

/* A cgroup mount needs the init in its cgroup (and its cgroup namespace),
   which the parent may still be doing.  It can wait until the other mounts
   are done when no later mount nests with it.  */
static bool
defer_until_in_cgroup (const struct hull_init_ctx *ctx, size_t i)
{
  const struct oci_mount *m = &ctx->spec->mounts[i];

  if (ctx->cgroup_entered || m->type == NULL || (!streq (m->type, "cgroup") && !streq (m->type, "cgroup2"))
      || has_prefix (m->destination, "/dev"))
    return false;
  for (size_t j = i + 1; j < ctx->spec->mounts_len; j++)
    if (paths_nest (m->destination, ctx->spec->mounts[j].destination))
      return false;
  return true;
}

int
mounts_prepare_rootfs (struct hull_init_ctx *ctx, oci_error_t **err)
{
  cleanup_free size_t *deferred = xcalloc (ctx->spec->mounts_len + 1, sizeof (size_t));
  size_t n_deferred = 0;

  if (ctx->rootfs == NULL)
    return oci_error_set (err, EINVAL, "no rootfs");
  if (prepare_root_mount (ctx, err) < 0)
    return -1;
  for (size_t i = 0; i < ctx->spec->mounts_len; i++)
    {
      if (defer_until_in_cgroup (ctx, i))
        deferred[n_deferred++] = i;
      else if (mount_one (ctx, &ctx->spec->mounts[i], i, err) < 0)
        return -1;
    }
  if (devices_setup (ctx, err) < 0)
    return -1;
  for (size_t k = 0; k < n_deferred; k++)
    if (mount_one (ctx, &ctx->spec->mounts[deferred[k]], deferred[k], err) < 0)
      return -1;
  return 0;
}

/* ---------------------------------------------------------------- pivot */

static int
move_root (oci_error_t **err)
{
  if (mount (".", "/", NULL, MS_MOVE, NULL) < 0)
    return oci_error_errno (err, errno, "move the rootfs onto / (--no-pivot)");
  if (chroot (".") < 0)
    return oci_error_errno (err, errno, "chroot into the rootfs");
  return 0;
}

static int
pivot (oci_error_t **err)
{
  struct mount_attr attr = { .propagation = MS_SLAVE };
  cleanup_close int oldroot = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);

  if (oldroot < 0)
    return oci_error_errno (err, errno, "open the old root");
  if (syscall (SYS_pivot_root, ".", ".") < 0)
    return oci_error_errno (err, errno, "pivot_root into the rootfs");
  /* The old root is now stacked on "."; detach it without letting the
     unmount propagate to the host.  Through its fd: a mount(2) on "."
     would change the new root's mounts instead.  */
  if (mount_setattr (oldroot, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0)
    return oci_error_errno (err, errno, "make the old root rslave");
  if (umount2 (".", MNT_DETACH) < 0)
    return oci_error_errno (err, errno, "detach the old root");
  return 0;
}

int
mounts_pivot_root (struct hull_init_ctx *ctx, oci_error_t **err)
{
  if (fchdir (ctx->rootfs_fd) < 0)
    return oci_error_errno (err, errno, "chdir to the rootfs %s", ctx->rootfs);
  if ((ctx->no_pivot ? move_root (err) : pivot (err)) < 0)
    return -1;
  if (chdir ("/") < 0)
    return oci_error_errno (err, errno, "chdir to / in the container");
  return 0;
}

/* ---------------------------------------------------------------- finalize */

int
mounts_finalize (struct hull_init_ctx *ctx, oci_error_t **err)
{
  const struct oci_spec *spec = ctx->spec;
  const struct oci_linux *l = spec->linux;
  unsigned long flags;

  if (mount_sysctls (spec, err) < 0)
    return -1;
  if (l && mount_readonly_paths (l->readonly_paths, err) < 0)
    return -1;
  if (l && mount_masked_paths (l->masked_paths, err) < 0)
    return -1;
  if (spec->root && spec->root->readonly && mount_readonly_root (err) < 0)
    return -1;
  if (mount_propagation_from_name (l ? l->rootfs_propagation : NULL, &flags, err) < 0)
    return -1;
  if (flags && mount (NULL, "/", NULL, flags, NULL) < 0)
    return oci_error_errno (err, errno, "set the rootfs propagation to %s", l->rootfs_propagation);
  return 0;
}
