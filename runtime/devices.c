/* /dev inside the rootfs: the runtime-spec's default devices and
   linux.devices (mknod, or a bind of the host's node onto an empty file
   inside a user namespace where mknod is not allowed), /dev/ptmx,
   the fd symlinks, /dev/console, /dev/shm and /dev/pts.  Every path is
   resolved inside the rootfs.  */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "devices.h"
#include "inroot.h"
#include "mount_internal.h"
#include "util.h"

/* The spec's default devices (config-linux.md "Default Devices").  */
static const struct
{
  const char *path;
  unsigned major, minor;
} default_devices[] = {
  { "/dev/null", 1, 3 },   { "/dev/zero", 1, 5 },    { "/dev/full", 1, 7 },
  { "/dev/random", 1, 8 }, { "/dev/urandom", 1, 9 }, { "/dev/tty", 5, 0 },
};

static const struct
{
  const char *name, *target;
} dev_symlinks[] = {
  { "fd", "/proc/self/fd" },
  { "stdin", "/proc/self/fd/0" },
  { "stdout", "/proc/self/fd/1" },
  { "stderr", "/proc/self/fd/2" },
};

static int
device_type (const struct oci_device *d, mode_t *type, oci_error_t **err)
{
  if (d->type == NULL)
    return oci_error_set (err, EINVAL, "linux.devices %s: no type", d->path);
  if (streq (d->type, "c") || streq (d->type, "u"))
    *type = S_IFCHR;
  else if (streq (d->type, "b"))
    *type = S_IFBLK;
  else if (streq (d->type, "p"))
    *type = S_IFIFO;
  else
    return oci_error_set (err, EINVAL, "linux.devices %s: unknown type \"%s\"", d->path, d->type);
  if (*type != S_IFIFO && (!d->major_present || !d->minor_present))
    return oci_error_set (err, EINVAL, "linux.devices %s: major and minor are required", d->path);
  return 0;
}

static int
mknod_device (int parent, const char *name, const struct oci_device *d, mode_t type, oci_error_t **err)
{
  mode_t mode = d->file_mode_present ? (d->file_mode & 07777) : 0666;
  dev_t dev = type == S_IFIFO ? 0 : makedev ((unsigned) d->major, (unsigned) d->minor);
  mode_t old_umask;
  int ret;

  if (unlinkat (parent, name, 0) < 0 && errno != ENOENT)
    return oci_error_errno (err, errno, "device %s: remove the existing file", d->path);
  old_umask = umask (0);
  ret = mknodat (parent, name, type | mode, dev);
  umask (old_umask);
  if (ret < 0)
    return -1; /* errno for the caller: EPERM means bind instead */
  if (fchownat (parent, name, d->uid_present ? d->uid : 0, d->gid_present ? d->gid : 0, AT_SYMLINK_NOFOLLOW)
      < 0)
    return oci_error_errno (err, errno, "device %s: chown %u:%u", d->path, d->uid, d->gid);
  return 0;
}

/* Inside a user namespace: bind the host's node onto an empty file.  */
static int
bind_device (int parent, const char *name, const struct oci_device *d, oci_error_t **err)
{
  cleanup_close int file = openat (parent, name, O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
  cleanup_close int target = -1, tree = -1;

  if (file < 0 && errno != ENXIO && errno != EACCES && errno != EPERM)
    return oci_error_errno (err, errno, "device %s: create the bind target", d->path);
  target = openat (parent, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (target < 0)
    return oci_error_errno (err, errno, "device %s: open the bind target", d->path);
  tree = open_tree (AT_FDCWD, d->path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
  if (tree < 0)
    return oci_error_errno (err, errno, "device %s: bind the host's device", d->path);
  if (move_mount (tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return oci_error_errno (err, errno, "device %s: bind the host's device", d->path);
  return 0;
}

static int
create_device (struct hull_init_ctx *ctx, const struct oci_device *d, bool userns, oci_error_t **err)
{
  cleanup_free char *name = NULL;
  cleanup_close int parent = -1;
  mode_t type = 0;

  if (d->path == NULL || *d->path == '\0')
    return oci_error_set (err, EINVAL, "linux.devices: a device without a path");
  if (device_type (d, &type, err) < 0)
    return -1;
  parent = inroot_open_parent (ctx->rootfs_fd, d->path, INROOT_MKDIR_PARENTS, 0755, &name, err);
  if (parent < 0)
    return oci_error_prefix (err, "device %s", d->path);
  if (!userns)
    {
      if (mknod_device (parent, name, d, type, err) == 0)
        return 0;
      if (*err)
        return -1;
      if (errno != EPERM)
        return oci_error_errno (err, errno, "device %s: mknod", d->path);
    }
  return bind_device (parent, name, d, err);
}

static bool
has_device (const struct oci_linux *l, const char *path)
{
  for (size_t i = 0; l && i < l->devices_len; i++)
    if (l->devices[i].path && streq (l->devices[i].path, path))
      return true;
  return false;
}

static int
create_devices (struct hull_init_ctx *ctx, oci_error_t **err)
{
  const struct oci_linux *l = ctx->spec->linux;
  bool userns = mount_spec_has_ns (ctx->spec, "user");

  for (size_t i = 0; i < ARRAY_SIZE (default_devices); i++)
    {
      struct oci_device d = {
        .type = (char *) "c",
        .path = (char *) default_devices[i].path,
        .major = default_devices[i].major,
        .major_present = true,
        .minor = default_devices[i].minor,
        .minor_present = true,
        .file_mode = 0666,
        .file_mode_present = true,
      };
      if (!has_device (l, d.path) && create_device (ctx, &d, userns, err) < 0)
        return -1;
    }
  for (size_t i = 0; l && i < l->devices_len; i++)
    if (create_device (ctx, &l->devices[i], userns, err) < 0)
      return -1;
  return 0;
}

/* ---------------------------------------------------------------- links */

static bool
proc_is_mounted (const struct oci_spec *spec)
{
  for (size_t i = 0; i < spec->mounts_len; i++)
    if (spec->mounts[i].type && streq (spec->mounts[i].type, "proc") && spec->mounts[i].destination
        && streq (spec->mounts[i].destination, "/proc"))
      return true;
  return false;
}

static int
dev_symlink (int dev, const char *name, const char *target, oci_error_t **err)
{
  if (symlinkat (target, dev, name) < 0 && errno != EEXIST)
    return oci_error_errno (err, errno, "symlink /dev/%s -> %s", name, target);
  return 0;
}

static int
create_links (struct hull_init_ctx *ctx, int dev, oci_error_t **err)
{
  for (size_t i = 0; i < ARRAY_SIZE (dev_symlinks); i++)
    if (dev_symlink (dev, dev_symlinks[i].name, dev_symlinks[i].target, err) < 0)
      return -1;
  if (proc_is_mounted (ctx->spec) && dev_symlink (dev, "core", "/proc/kcore", err) < 0)
    return -1;
  if (unlinkat (dev, "ptmx", 0) < 0 && errno != ENOENT)
    return oci_error_errno (err, errno, "remove /dev/ptmx");
  return dev_symlink (dev, "ptmx", "pts/ptmx", err);
}

static int
create_dirs_and_console (int dev, oci_error_t **err)
{
  static const char *const dirs[] = { "shm", "pts" };
  struct stat st;
  int fd;

  for (size_t i = 0; i < ARRAY_SIZE (dirs); i++)
    if (mkdirat (dev, dirs[i], 0755) < 0 && errno != EEXIST)
      return oci_error_errno (err, errno, "create /dev/%s", dirs[i]);
  if (fstatat (dev, "console", &st, AT_SYMLINK_NOFOLLOW) == 0)
    return 0;
  fd = openat (dev, "console", O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0 && errno != EEXIST)
    return oci_error_errno (err, errno, "create /dev/console");
  if (fd >= 0)
    close (fd);
  return 0;
}

int
devices_setup (struct hull_init_ctx *ctx, oci_error_t **err)
{
  cleanup_close int dev = -1;

  dev = inroot_mkdir_p (ctx->rootfs_fd, "/dev", 0755, err);
  if (dev < 0)
    return oci_error_prefix (err, "/dev");
  if (create_devices (ctx, err) < 0 || create_links (ctx, dev, err) < 0)
    return -1;
  return create_dirs_and_console (dev, err);
}
