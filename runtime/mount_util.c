/* Mount mechanics shared by mounts.c, mount_cgroup.c, mount_paths.c and
   devices.c: targets resolved inside the rootfs and used through their
   O_PATH fd (so a symlink swapped in during setup cannot redirect a
   mount), bind mounts with the new mount API, mount attributes,
   idmapped mounts, tmpcopyup.  */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "fileutil.h"
#include "inroot.h"
#include "mount_internal.h"
#include "strbuf.h"
#include "util.h"

const char *
mount_fd_path (int fd, char buf[MOUNT_FD_PATH_MAX])
{
  snprintf (buf, MOUNT_FD_PATH_MAX, "/proc/self/fd/%d", fd);
  return buf;
}

bool
mount_spec_has_ns (const struct oci_spec *spec, const char *type)
{
  return oci_spec_find_namespace (spec, type) != NULL;
}

/* Create the missing last component of a mount target.  */
static int
create_target (int parent_fd, const char *name, bool as_file, const char *dest, oci_error_t **err)
{
  if (as_file)
    {
      int fd = openat (parent_fd, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
      if (fd < 0 && errno != EEXIST)
        return oci_error_errno (err, errno, "create the mount point file for %s", dest);
      if (fd >= 0)
        close (fd);
      return 0;
    }
  if (mkdirat (parent_fd, name, 0755) < 0 && errno != EEXIST)
    return oci_error_errno (err, errno, "create the mount point directory for %s", dest);
  return 0;
}

int
mount_open_target (int rootfd, const char *dest, bool as_file, int *parent_fd, char **name, oci_error_t **err)
{
  cleanup_close int parent = -1;
  cleanup_free char *base = NULL;
  cleanup_close int fd = -1;
  struct stat st;

  parent = inroot_open_parent (rootfd, dest, INROOT_MKDIR_PARENTS, 0755, &base, err);
  if (parent < 0)
    return oci_error_prefix (err, "mount destination %s", dest);
  fd = openat (parent, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT)
    {
      if (create_target (parent, base, as_file, dest, err) < 0)
        return -1;
      fd = openat (parent, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    }
  if (fd < 0)
    return oci_error_errno (err, errno, "open the mount destination %s", dest);
  if (fstat (fd, &st) < 0)
    return oci_error_errno (err, errno, "stat the mount destination %s", dest);
  if (S_ISLNK (st.st_mode))
    return oci_error_set (err, ELOOP, "mount destination %s: a symlink appeared while it was resolved", dest);
  if (parent_fd)
    *parent_fd = steal_fd (&parent);
  if (name)
    *name = steal_pointer (&base);
  return steal_fd (&fd);
}

int
mount_reopen_target (int parent_fd, const char *name, const char *dest, oci_error_t **err)
{
  int fd = openat (parent_fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return oci_error_errno (err, errno, "open the new mount at %s", dest);
  return fd;
}

int
mount_set_attr (int fd, bool recursive, uint64_t set, uint64_t clr, const char *dest, oci_error_t **err)
{
  struct mount_attr attr = { .attr_set = set, .attr_clr = clr };

  if (set == 0 && clr == 0)
    return 0;
  if (mount_setattr (fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr, sizeof attr) < 0)
    return oci_error_errno (err, errno, "set the %smount attributes of %s", recursive ? "recursive " : "",
                            dest);
  return 0;
}

int
mount_apply_after (int fd, const struct mount_opts *opts, const char *dest, oci_error_t **err)
{
  char path[MOUNT_FD_PATH_MAX];

  for (size_t i = 0; i < opts->n_propagation; i++)
    if (mount (NULL, mount_fd_path (fd, path), NULL, opts->propagation[i], NULL) < 0)
      return oci_error_errno (err, errno, "set the propagation of %s", dest);
  return mount_set_attr (fd, true, opts->rattr_set, opts->rattr_clr, dest, err);
}

/* ---------------------------------------------------------------- idmap */

static void
write_id_map (struct strbuf *sb, const struct oci_id_mapping *maps, size_t n)
{
  for (size_t i = 0; i < n; i++)
    strbuf_addf (sb, "%u %u %u\n", maps[i].container_id, maps[i].host_id, maps[i].size);
}

static int
write_proc_map (pid_t pid, const char *file, const struct oci_id_mapping *maps, size_t n, const char *dest,
                oci_error_t **err)
{
  cleanup_strbuf struct strbuf sb = STRBUF_INIT;
  cleanup_free char *path = NULL;
  cleanup_close int fd = -1;

  xasprintf (&path, "/proc/%d/%s", (int) pid, file);
  write_id_map (&sb, maps, n);
  fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write_all (fd, sb.buf, sb.len) < 0)
    return oci_error_errno (err, errno, "idmap mount %s: write %s", dest, file);
  return 0;
}

/* The pid of our child as the mounted /proc sees it: before pivot_root
   that is the runtime's /proc, whose pid namespace may be an ancestor of
   ours.  A pidfd's fdinfo tells its pid in that namespace.  */
static pid_t
proc_pid_of (pid_t pid)
{
  cleanup_close int pidfd = (int) syscall (SYS_pidfd_open, pid, 0);
  cleanup_free char *info = NULL;
  cleanup_free char *path = NULL;
  const char *line;
  size_t len;

  if (pidfd < 0)
    return pid;
  xasprintf (&path, "/proc/self/fdinfo/%d", pidfd);
  if (read_file_max (path, 65536, &info, &len, NULL) < 0 || (line = strstr (info, "\nPid:")) == NULL)
    return pid;
  return (pid_t) strtol (line + strlen ("\nPid:"), NULL, 10);
}

/* A user namespace with the idmapped mount's mappings: a short-lived child
   unshares it, we write its maps and keep an fd of it.  */
static int
idmap_userns_fd (const struct oci_mount *m, const struct oci_spec *spec, const char *dest, oci_error_t **err)
{
  const struct oci_id_mapping *uids = m->uid_mappings, *gids = m->gid_mappings;
  size_t nuids = m->uid_mappings_len, ngids = m->gid_mappings_len;
  int ready[2], hold[2], status, fd = -1;
  cleanup_free char *nspath = NULL;
  pid_t pid;
  char c;

  if ((nuids == 0 || ngids == 0) && spec->linux)
    {
      uids = spec->linux->uid_mappings, nuids = spec->linux->uid_mappings_len;
      gids = spec->linux->gid_mappings, ngids = spec->linux->gid_mappings_len;
    }
  if (nuids == 0 || ngids == 0)
    return oci_error_set (err, EINVAL, "mount %s: option idmap needs uidMappings and gidMappings", dest);
  if (pipe2 (ready, O_CLOEXEC) < 0)
    return oci_error_errno (err, errno, "idmap mount %s: pipe", dest);
  if (pipe2 (hold, O_CLOEXEC) < 0)
    {
      close (ready[0]), close (ready[1]);
      return oci_error_errno (err, errno, "idmap mount %s: pipe", dest);
    }
  pid = fork ();
  if (pid == 0)
    {
      close (ready[0]), close (hold[1]);
      c = unshare (CLONE_NEWUSER) == 0 ? 'U' : 'E';
      if (write (ready[1], &c, 1) != 1 || read (hold[0], &c, 1) < 0)
        _exit (1);
      _exit (0);
    }
  close (ready[1]), close (hold[0]);
  if (pid < 0)
    oci_error_errno (err, errno, "idmap mount %s: fork", dest);
  else if (read (ready[0], &c, 1) != 1 || c != 'U')
    oci_error_set (err, EPERM, "idmap mount %s: cannot create a user namespace", dest);
  else if (write_proc_map (proc_pid_of (pid), "uid_map", uids, nuids, dest, err) == 0
           && write_proc_map (proc_pid_of (pid), "gid_map", gids, ngids, dest, err) == 0)
    {
      xasprintf (&nspath, "/proc/%d/ns/user", (int) proc_pid_of (pid));
      fd = open (nspath, O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        oci_error_errno (err, errno, "idmap mount %s: open %s", dest, nspath);
    }
  close (ready[0]), close (hold[1]);
  if (pid > 0)
    while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
      ;
  return fd;
}

static int
mount_idmap (int tree, const struct mount_opts *opts, const struct oci_mount *m, const struct oci_spec *spec,
             const char *dest, oci_error_t **err)
{
  cleanup_close int userns = idmap_userns_fd (m, spec, dest, err);
  struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP };

  if (userns < 0)
    return -1;
  attr.userns_fd = (uint64_t) userns;
  if (mount_setattr (tree, "", AT_EMPTY_PATH | (opts->ridmap ? AT_RECURSIVE : 0), &attr, sizeof attr) < 0)
    return oci_error_errno (err, errno, "mount %s: option %s", dest, opts->ridmap ? "ridmap" : "idmap");
  return 0;
}

/* ---------------------------------------------------------------- binds */

/* The attributes the bind's source has (locked in a user namespace: they
   cannot be cleared there).  */
static uint64_t
locked_attrs (int fd)
{
  static const struct
  {
    unsigned long st;
    uint64_t attr;
  } map[] = {
    { ST_RDONLY, MOUNT_ATTR_RDONLY },         { ST_NOSUID, MOUNT_ATTR_NOSUID },
    { ST_NODEV, MOUNT_ATTR_NODEV },           { ST_NOEXEC, MOUNT_ATTR_NOEXEC },
    { ST_NODIRATIME, MOUNT_ATTR_NODIRATIME }, { ST_NOATIME, MOUNT_ATTR__ATIME },
    { ST_RELATIME, MOUNT_ATTR__ATIME },
  };
  struct statvfs sv;
  uint64_t attrs = 0;

  if (fstatvfs (fd, &sv) < 0)
    return 0;
  for (size_t i = 0; i < ARRAY_SIZE (map); i++)
    if (sv.f_flag & map[i].st)
      attrs |= map[i].attr;
  return attrs;
}

/* The bind's own attributes; when the kernel refuses (EPERM: flags locked
   by a user namespace), keep the source's flags as runc does.  */
static int
bind_set_attrs (int tree, const struct mount_opts *opts, const char *dest, oci_error_t **err)
{
  struct mount_attr attr = { .attr_set = opts->attr_set, .attr_clr = opts->attr_clr };
  uint64_t locked;

  if (attr.attr_set == 0 && attr.attr_clr == 0)
    return 0;
  if (mount_setattr (tree, "", AT_EMPTY_PATH, &attr, sizeof attr) == 0)
    return 0;
  if (errno != EPERM)
    return oci_error_errno (err, errno, "set the mount attributes of %s", dest);
  locked = locked_attrs (tree);
  attr.attr_clr &= ~locked;
  if (locked & MOUNT_ATTR__ATIME)
    attr.attr_set &= ~MOUNT_ATTR__ATIME;
  return mount_set_attr (tree, false, attr.attr_set, attr.attr_clr, dest, err);
}

int
mount_bind_fd (const char *source, int target_fd, const struct mount_opts *opts, const struct oci_mount *m,
               const struct oci_spec *spec, const char *dest, oci_error_t **err)
{
  unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (opts->recursive ? AT_RECURSIVE : 0);
  cleanup_close int tree = open_tree (AT_FDCWD, source, flags);

  if (tree < 0)
    return oci_error_errno (err, errno, "bind mount %s on %s", source, dest);
  if (bind_set_attrs (tree, opts, dest, err) < 0)
    return -1;
  if (opts->idmap && mount_idmap (tree, opts, m, spec, dest, err) < 0)
    return -1;
  if (move_mount (tree, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return oci_error_errno (err, errno, "bind mount %s on %s: move_mount", source, dest);
  if (mount_apply_after (tree, opts, dest, err) < 0)
    return -1;
  return steal_fd (&tree);
}

/* ---------------------------------------------------------------- tmpcopyup */

static int copy_dir (int src, int dst, const char *dest, oci_error_t **err);

static int
copy_regular (int src_dir, int dst_dir, const char *name, const struct stat *st, const char *dest,
              oci_error_t **err)
{
  cleanup_close int in = openat (src_dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  cleanup_close int out = -1;
  char buf[65536];
  ssize_t n;

  if (in < 0)
    return oci_error_errno (err, errno, "tmpcopyup %s: open %s", dest, name);
  out = openat (dst_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, st->st_mode & 07777);
  if (out < 0)
    return oci_error_errno (err, errno, "tmpcopyup %s: create %s", dest, name);
  while ((n = read (in, buf, sizeof buf)) > 0)
    if (write_all (out, buf, (size_t) n) < 0)
      return oci_error_errno (err, errno, "tmpcopyup %s: write %s", dest, name);
  if (n < 0)
    return oci_error_errno (err, errno, "tmpcopyup %s: read %s", dest, name);
  return 0;
}

static int
copy_entry (int src, int dst, const char *name, const char *dest, oci_error_t **err)
{
  struct stat st;
  struct timespec times[2];

  if (fstatat (src, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return oci_error_errno (err, errno, "tmpcopyup %s: stat %s", dest, name);
  if (S_ISDIR (st.st_mode))
    {
      cleanup_close int s = -1, d = -1;
      if (mkdirat (dst, name, st.st_mode & 07777) < 0)
        return oci_error_errno (err, errno, "tmpcopyup %s: mkdir %s", dest, name);
      s = openat (src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      d = openat (dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (s < 0 || d < 0)
        return oci_error_errno (err, errno, "tmpcopyup %s: open %s", dest, name);
      if (copy_dir (s, d, dest, err) < 0)
        return -1;
    }
  else if (S_ISREG (st.st_mode))
    {
      if (copy_regular (src, dst, name, &st, dest, err) < 0)
        return -1;
    }
  else if (S_ISLNK (st.st_mode))
    {
      char target[PATH_MAX];
      ssize_t n = readlinkat (src, name, target, sizeof target - 1);
      if (n < 0)
        return oci_error_errno (err, errno, "tmpcopyup %s: readlink %s", dest, name);
      target[n] = '\0';
      if (symlinkat (target, dst, name) < 0)
        return oci_error_errno (err, errno, "tmpcopyup %s: symlink %s", dest, name);
    }
  else if (mknodat (dst, name, st.st_mode, st.st_rdev) < 0)
    return oci_error_errno (err, errno, "tmpcopyup %s: mknod %s", dest, name);
  if (fchownat (dst, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
    return oci_error_errno (err, errno, "tmpcopyup %s: chown %s", dest, name);
  if (!S_ISLNK (st.st_mode) && fchmodat (dst, name, st.st_mode & 07777, 0) < 0)
    return oci_error_errno (err, errno, "tmpcopyup %s: chmod %s", dest, name);
  times[0] = st.st_atim, times[1] = st.st_mtim;
  utimensat (dst, name, times, AT_SYMLINK_NOFOLLOW);
  return 0;
}

static int
copy_dir (int src, int dst, const char *dest, oci_error_t **err)
{
  int fd = dup (src);
  cleanup_dir DIR *dir = NULL;
  struct dirent *de;

  if (fd < 0 || (dir = fdopendir (fd)) == NULL)
    {
      if (fd >= 0)
        close (fd);
      return oci_error_errno (err, errno, "tmpcopyup %s: opendir", dest);
    }
  while ((errno = 0, de = readdir (dir)) != NULL)
    {
      if (streq (de->d_name, ".") || streq (de->d_name, ".."))
        continue;
      if (copy_entry (src, dst, de->d_name, dest, err) < 0)
        return -1;
    }
  if (errno)
    return oci_error_errno (err, errno, "tmpcopyup %s: readdir", dest);
  return 0;
}

int
mount_copy_tree (int src_dirfd, int dst_dirfd, const char *dest, oci_error_t **err)
{
  struct stat st;

  if (copy_dir (src_dirfd, dst_dirfd, dest, err) < 0)
    return -1;
  if (fstat (src_dirfd, &st) < 0)
    return oci_error_errno (err, errno, "tmpcopyup %s: stat", dest);
  if (fchown (dst_dirfd, st.st_uid, st.st_gid) < 0 || fchmod (dst_dirfd, st.st_mode & 07777) < 0)
    return oci_error_errno (err, errno, "tmpcopyup %s: chown/chmod", dest);
  return 0;
}

/* ---------------------------------------------------------------- mountinfo */

/* Undo mountinfo's octal escapes (\040 for a space) in place.  */
static void
unescape_octal (char *s)
{
  char *o = s;

  for (; *s; s++)
    {
      if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0'
          && s[3] <= '7')
        {
          *o++ = (char) (((s[1] - '0') << 6) | ((s[2] - '0') << 3) | (s[3] - '0'));
          s += 3;
        }
      else
        *o++ = *s;
    }
  *o = '\0';
}

static bool
path_under (const char *path, const char *mp)
{
  size_t n = strlen (mp);

  if (streq (mp, "/"))
    return true;
  return strncmp (path, mp, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

int
mount_find_mountpoint (const char *path, char **mountpoint, oci_error_t **err)
{
  cleanup_file FILE *f = fopen ("/proc/self/mountinfo", "re");
  cleanup_free char *line = NULL;
  cleanup_free char *best = NULL;
  size_t cap = 0;

  if (f == NULL)
    return oci_error_errno (err, errno, "open /proc/self/mountinfo");
  while (getline (&line, &cap, f) > 0)
    {
      char *save = NULL, *mp = NULL, *tok = strtok_r (line, " ", &save);
      for (int i = 1; tok && i < 5; i++)
        mp = tok = strtok_r (NULL, " ", &save);
      if (mp == NULL)
        continue;
      unescape_octal (mp);
      if (path_under (path, mp) && (best == NULL || strlen (mp) >= strlen (best)))
        {
          free (best);
          best = xstrdup (mp);
        }
    }
  if (best == NULL)
    return oci_error_set (err, ENOENT, "no mount point holds %s", path);
  *mountpoint = steal_pointer (&best);
  return 0;
}
