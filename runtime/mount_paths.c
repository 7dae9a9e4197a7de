/* After pivot_root, with "/" the container's root: linux.sysctl,
   readonlyPaths, maskedPaths and root.readonly.  Paths are resolved inside
   the root and mounted on through their fds with the new mount API, so
   they need no /proc.  */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "fileutil.h"
#include "inroot.h"
#include "mount_internal.h"
#include "util.h"

/* ---------------------------------------------------------------- sysctl */

static const char *const ipc_sysctls[] = {
  "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",          "kernel.sem", "kernel.shmall",
  "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced", NULL,
};

/* The namespace a sysctl key belongs to, or NULL when it is not
   namespaced.  */
static const char *
sysctl_namespace (const char *key)
{
  if (oci_strv_contains (ipc_sysctls, key) || has_prefix (key, "fs.mqueue."))
    return "ipc";
  if (has_prefix (key, "net."))
    return "network";
  if (streq (key, "kernel.hostname") || streq (key, "kernel.domainname"))
    return "uts";
  return NULL;
}

static int
sysctl_check (const struct oci_spec *spec, const char *key, oci_error_t **err)
{
  const char *ns = sysctl_namespace (key);

  if (ns == NULL || !mount_spec_has_ns (spec, ns))
    return oci_error_set (err, EINVAL, "sysctl \"%s\" is not in a separate kernel namespace", key);
  if (strstr (key, "..") || strchr (key, '/') != NULL)
    return oci_error_set (err, EINVAL, "sysctl \"%s\": invalid key", key);
  return 0;
}

static int
sysctl_write (const char *key, const char *value, oci_error_t **err)
{
  cleanup_free char *path = NULL;
  cleanup_close int fd = -1;

  xasprintf (&path, "/proc/sys/%s", key);
  for (char *p = path + strlen ("/proc/sys/"); *p; p++)
    if (*p == '.')
      *p = '/';
  fd = open (path, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return oci_error_errno (err, errno, "sysctl \"%s\": open %s", key, path);
  if (write_all (fd, value, strlen (value)) < 0)
    return oci_error_errno (err, errno, "sysctl \"%s\": write \"%s\"", key, value);
  return 0;
}

int
mount_sysctls (const struct oci_spec *spec, oci_error_t **err)
{
  const struct oci_map *m = spec->linux ? &spec->linux->sysctl : NULL;

  if (m == NULL)
    return 0;
  for (size_t i = 0; i < m->len; i++)
    if (sysctl_check (spec, m->keys[i], err) < 0)
      return -1;
  for (size_t i = 0; i < m->len; i++)
    if (sysctl_write (m->keys[i], m->values[i], err) < 0)
      return -1;
  return 0;
}

/* ---------------------------------------------------------------- paths */

/* O_PATH fd of path inside the container's root; -2 (no error) when it
   does not exist.  */
static int
open_in_container (const char *path, const char *what, oci_error_t **err)
{
  cleanup_close int root = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  cleanup_error oci_error_t *e = NULL;
  int fd;

  if (root < 0)
    return oci_error_errno (err, errno, "open /");
  fd = inroot_open (root, path, O_PATH, 0, &e);
  if (fd >= 0)
    return fd;
  if (e->status == ENOENT || e->status == ENOTDIR)
    return -2;
  *err = steal_pointer (&e);
  return oci_error_prefix (err, "%s %s", what, path);
}

static int
attach (int mnt, int target, const char *what, const char *path, oci_error_t **err)
{
  if (move_mount (mnt, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return oci_error_errno (err, errno, "%s %s: move_mount", what, path);
  return 0;
}

static int
readonly_path (const char *path, oci_error_t **err)
{
  cleanup_close int fd = open_in_container (path, "readonlyPaths", err);
  cleanup_close int tree = -1;

  if (fd == -2)
    return 0;
  if (fd < 0)
    return -1;
  tree = open_tree (fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH);
  if (tree < 0)
    return oci_error_errno (err, errno, "readonlyPaths %s: bind", path);
  if (mount_set_attr (tree, true, MOUNT_ATTR_RDONLY, 0, path, err) < 0)
    return -1;
  return attach (tree, fd, "readonlyPaths", path, err);
}

int
mount_readonly_paths (char *const *paths, oci_error_t **err)
{
  for (size_t i = 0; paths && paths[i]; i++)
    if (readonly_path (paths[i], err) < 0)
      return -1;
  return 0;
}

/* An empty read-only tmpfs for a masked directory.  */
static int
empty_tmpfs (const char *path, oci_error_t **err)
{
  cleanup_close int fs = fsopen ("tmpfs", FSOPEN_CLOEXEC);
  int mnt;

  if (fs < 0)
    return oci_error_errno (err, errno, "maskedPaths %s: fsopen tmpfs", path);
  if (fsconfig (fs, FSCONFIG_SET_STRING, "size", "4k", 0) < 0
      || fsconfig (fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    return oci_error_errno (err, errno, "maskedPaths %s: create a tmpfs", path);
  mnt = fsmount (fs, FSMOUNT_CLOEXEC,
                 MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
  if (mnt < 0)
    return oci_error_errno (err, errno, "maskedPaths %s: fsmount", path);
  return mnt;
}

static int
masked_path (const char *path, oci_error_t **err)
{
  cleanup_close int fd = open_in_container (path, "maskedPaths", err);
  cleanup_close int mnt = -1;
  struct stat st;

  if (fd == -2)
    return 0;
  if (fd < 0)
    return -1;
  if (fstat (fd, &st) < 0)
    return oci_error_errno (err, errno, "maskedPaths %s: stat", path);
  if (S_ISDIR (st.st_mode))
    mnt = empty_tmpfs (path, err);
  else
    {
      mnt = open_tree (AT_FDCWD, "/dev/null", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
      if (mnt < 0)
        return oci_error_errno (err, errno, "maskedPaths %s: bind /dev/null", path);
    }
  if (mnt < 0)
    return -1;
  return attach (mnt, fd, "maskedPaths", path, err);
}

int
mount_masked_paths (char *const *paths, oci_error_t **err)
{
  for (size_t i = 0; paths && paths[i]; i++)
    if (masked_path (paths[i], err) < 0)
      return -1;
  return 0;
}

/* ---------------------------------------------------------------- root */

/* The flags a remount must keep (locked in a user namespace).  */
static unsigned long
statvfs_mount_flags (const struct statvfs *sv)
{
  static const struct
  {
    unsigned long st, ms;
  } map[] = {
    { ST_NOSUID, MS_NOSUID },   { ST_NODEV, MS_NODEV },           { ST_NOEXEC, MS_NOEXEC },
    { ST_NOATIME, MS_NOATIME }, { ST_NODIRATIME, MS_NODIRATIME }, { ST_RELATIME, MS_RELATIME },
  };
  unsigned long flags = 0;

  for (size_t i = 0; i < ARRAY_SIZE (map); i++)
    if (sv->f_flag & map[i].st)
      flags |= map[i].ms;
  return flags;
}

int
mount_readonly_root (oci_error_t **err)
{
  struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
  struct statvfs sv;

  if (mount_setattr (AT_FDCWD, "/", 0, &attr, sizeof attr) == 0)
    return 0;
  if (errno != ENOSYS)
    return oci_error_errno (err, errno, "make the root read-only");
  if (statvfs ("/", &sv) < 0)
    return oci_error_errno (err, errno, "statvfs /");
  if (mount (NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | statvfs_mount_flags (&sv), NULL) < 0)
    return oci_error_errno (err, errno, "remount the root read-only");
  return 0;
}
