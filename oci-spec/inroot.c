#include "config.h"
#include "inroot.h"
#include "strbuf.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifdef HAVE_LINUX_OPENAT2_H
#include <linux/openat2.h>
#else
struct open_how
{
  uint64_t flags;
  uint64_t mode;
  uint64_t resolve;
};
#define RESOLVE_IN_ROOT 0x10
#endif

/* The kernel's limit on symlinks followed in one resolution.  */
#define INROOT_MAX_SYMLINKS 40
/* openat2 returns EAGAIN when a concurrent rename may have raced with
   "..": retry this often, then walk.  */
#define INROOT_OPENAT2_RETRIES 32

bool inroot_force_fallback = false;
static bool openat2_unavailable = false;

bool
inroot_have_openat2 (void)
{
#ifdef SYS_openat2
  return !inroot_force_fallback && !openat2_unavailable;
#else
  return false;
#endif
}

/* openat2 (rootfd, path, RESOLVE_IN_ROOT).  Returns -1 with errno ENOSYS
   when the kernel lacks it (remembered for the next calls) and EAGAIN when
   it kept racing with renames.  */
static int
openat2_in_root (int rootfd, const char *path, int flags, mode_t mode)
{
#ifdef SYS_openat2
  struct open_how how = { 0 };
  bool creates = (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;

  how.flags = (uint64_t) (unsigned) (flags | O_CLOEXEC);
  how.mode = creates ? mode : 0;
  how.resolve = RESOLVE_IN_ROOT;
  for (int i = 0; i < INROOT_OPENAT2_RETRIES; i++)
    {
      long fd = syscall (SYS_openat2, rootfd, path, &how, sizeof how);
      if (fd >= 0)
        return (int) fd;
      if (errno == ENOSYS)
        openat2_unavailable = true;
      if (errno != EAGAIN)
        return -1;
    }
  return -1;
#else
  errno = ENOSYS;
  return -1;
#endif
}

/* ---------------------------------------------------------------- walk */

struct walk_dir
{
  int fd; /* O_PATH */
  char *name;
};

/* A resolution in progress: the directories entered below the root (the
   top is the current directory) and what is left of the path.  */
struct walk
{
  int rootfd; /* borrowed */
  struct walk_dir *dirs;
  size_t n, alloc;
  char *todo;      /* owned */
  const char *pos; /* next unread byte of todo */
  int hops;
};

static void
walk_init (struct walk *w, int rootfd, const char *path)
{
  memset (w, 0, sizeof *w);
  w->rootfd = rootfd;
  w->todo = xstrdup (path);
  w->pos = w->todo;
}

static int
walk_cur (const struct walk *w)
{
  return w->n ? w->dirs[w->n - 1].fd : w->rootfd;
}

static void
walk_push (struct walk *w, int fd, const char *name)
{
  if (w->n == w->alloc)
    {
      w->alloc = w->alloc ? 2 * w->alloc : 16;
      w->dirs = xreallocarray (w->dirs, w->alloc, sizeof *w->dirs);
    }
  w->dirs[w->n].fd = fd;
  w->dirs[w->n].name = xstrdup (name);
  w->n++;
}

static void
walk_pop (struct walk *w)
{
  if (w->n == 0)
    return; /* ".." at the root stays at the root */
  w->n--;
  close (w->dirs[w->n].fd);
  free (w->dirs[w->n].name);
}

static void
walk_release (struct walk *w)
{
  while (w->n)
    walk_pop (w);
  free (w->dirs);
  free (w->todo);
  w->dirs = NULL;
  w->todo = NULL;
}

#define cleanup_walk __attribute__ ((cleanup (walk_release)))
#define WALK_INIT                                                                                            \
  {                                                                                                          \
    .rootfd = -1                                                                                             \
  }

/* The next component of the path (a new string), NULL at its end.  *more
   is whether a slash follows it, i.e. it has to be a directory.  */
static char *
walk_next (struct walk *w, bool *more)
{
  const char *p = w->pos, *end;

  while (*p == '/')
    p++;
  if (*p == '\0')
    {
      w->pos = p;
      *more = false;
      return NULL;
    }
  end = strchrnul (p, '/');
  w->pos = end;
  *more = *end == '/';
  return xstrndup (p, (size_t) (end - p));
}

/* Continue with the symlink's target in place of the component just read:
   an absolute target starts again at the root.  */
static int
walk_follow (struct walk *w, const char *target)
{
  char *todo;

  if (++w->hops > INROOT_MAX_SYMLINKS)
    {
      errno = ELOOP;
      return -1;
    }
  if (*target == '\0')
    {
      errno = ENOENT;
      return -1;
    }
  if (*target == '/')
    while (w->n)
      walk_pop (w);
  xasprintf (&todo, "%s%s", target, w->pos);
  free (w->todo);
  w->todo = todo;
  w->pos = todo;
  return 0;
}

/* readlinkat (dirfd, name) then walk_follow.  name "" reads the link that
   dirfd itself is (an O_PATH|O_NOFOLLOW fd).  */
static int
walk_follow_at (struct walk *w, int dirfd, const char *name)
{
  char target[PATH_MAX];
  ssize_t n = readlinkat (dirfd, name, target, sizeof target);

  if (n < 0)
    return -1;
  if ((size_t) n >= sizeof target)
    {
      errno = ENAMETOOLONG;
      return -1;
    }
  target[n] = '\0';
  return walk_follow (w, target);
}

/* Enter the directory `name` below the current one.  A symlink is followed
   (the walk continues with its target, nothing is entered yet); a missing
   directory is created when mkdirs.  */
static int
walk_enter (struct walk *w, const char *name, bool mkdirs, mode_t dirmode)
{
  struct stat st;
  int fd;

  for (int attempt = 0;; attempt++)
    {
      fd = openat (walk_cur (w), name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
      if (fd >= 0)
        break;
      if (errno != ENOENT || !mkdirs || attempt >= 8)
        return -1;
      if (mkdirat (walk_cur (w), name, dirmode) < 0 && errno != EEXIST)
        return -1;
    }
  if (fstat (fd, &st) < 0)
    {
      int saved = errno;
      close (fd);
      errno = saved;
      return -1;
    }
  if (S_ISLNK (st.st_mode))
    {
      int ret = walk_follow_at (w, fd, "");
      int saved = errno;
      close (fd);
      errno = saved;
      return ret;
    }
  if (!S_ISDIR (st.st_mode))
    {
      close (fd);
      errno = ENOTDIR;
      return -1;
    }
  walk_push (w, fd, name);
  return 0;
}

/* Resolve every component but the last.  *last receives the last
   component (a plain name, owned by the caller), or NULL when the path
   designates the current directory itself ("", "/", "a/..", "a/.", "a/").  */
static int
walk_to_last (struct walk *w, bool mkdirs, mode_t dirmode, char **last)
{
  *last = NULL;
  for (;;)
    {
      bool more = false;
      cleanup_free char *name = walk_next (w, &more);

      if (name == NULL)
        return 0;
      if (streq (name, "."))
        continue;
      if (streq (name, ".."))
        {
          walk_pop (w);
          continue;
        }
      if (!more)
        {
          *last = steal_pointer (&name);
          return 0;
        }
      if (walk_enter (w, name, mkdirs, dirmode) < 0)
        return -1;
    }
}

/* Whether dirfd/name is a symlink (false when it does not exist).  */
static int
is_symlink_at (int dirfd, const char *name, bool *is_link)
{
  struct stat st;

  *is_link = false;
  if (fstatat (dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return errno == ENOENT ? 0 : -1;
  *is_link = S_ISLNK (st.st_mode);
  return 0;
}

static int
walk_open (struct walk *w, int flags, mode_t mode)
{
  bool follow = !(flags & O_NOFOLLOW) && (flags & (O_CREAT | O_EXCL)) != (O_CREAT | O_EXCL);

  for (;;)
    {
      cleanup_free char *last = NULL;
      bool is_link = false;
      int fd;

      if (walk_to_last (w, false, 0, &last) < 0)
        return -1;
      if (last == NULL)
        return openat (walk_cur (w), ".", flags | O_CLOEXEC, mode);
      if (follow && is_symlink_at (walk_cur (w), last, &is_link) < 0)
        return -1;
      if (is_link)
        {
          if (walk_follow_at (w, walk_cur (w), last) < 0)
            return -1;
          continue;
        }
      fd = openat (walk_cur (w), last, flags | O_NOFOLLOW | O_CLOEXEC, mode);
      if (fd < 0 && errno == ELOOP && follow)
        {
          /* It became a symlink since we looked: follow it now.  */
          if (walk_follow_at (w, walk_cur (w), last) < 0)
            return -1;
          continue;
        }
      return fd;
    }
}

/* The resolved path of the walk's current directory plus last.  */
static char *
walk_path (const struct walk *w, const char *last)
{
  struct strbuf sb = STRBUF_INIT;

  for (size_t i = 0; i < w->n; i++)
    {
      if (i)
        strbuf_addch (&sb, '/');
      strbuf_addstr (&sb, w->dirs[i].name);
    }
  if (last)
    {
      if (sb.len)
        strbuf_addch (&sb, '/');
      strbuf_addstr (&sb, last);
    }
  if (sb.len == 0)
    strbuf_addch (&sb, '.');
  return strbuf_detach (&sb, NULL);
}

static int
walk_resolve (struct walk *w, char **resolved)
{
  for (;;)
    {
      cleanup_free char *last = NULL;
      struct stat st;

      if (walk_to_last (w, false, 0, &last) < 0)
        return -1;
      if (last == NULL)
        break;
      if (fstatat (walk_cur (w), last, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return -1;
      if (!S_ISLNK (st.st_mode))
        {
          *resolved = walk_path (w, last);
          return 0;
        }
      if (walk_follow_at (w, walk_cur (w), last) < 0)
        return -1;
    }
  *resolved = walk_path (w, NULL);
  return 0;
}

static int
walk_mkdir_p (struct walk *w, mode_t mode)
{
  for (;;)
    {
      cleanup_free char *last = NULL;

      if (walk_to_last (w, true, mode, &last) < 0)
        return -1;
      if (last == NULL)
        break;
      if (walk_enter (w, last, true, mode) < 0)
        return -1;
    }
  return openat (walk_cur (w), ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
}

static int
walk_open_parent (struct walk *w, unsigned flags, mode_t dirmode, char **name)
{
  for (;;)
    {
      cleanup_free char *last = NULL;
      bool is_link = false;
      int fd;

      if (walk_to_last (w, flags & INROOT_MKDIR_PARENTS, dirmode, &last) < 0)
        return -1;
      if (last == NULL)
        {
          errno = EINVAL; /* a symlink to a directory path such as "/" or "a/" */
          return -1;
        }
      if (!(flags & INROOT_NOFOLLOW) && is_symlink_at (walk_cur (w), last, &is_link) < 0)
        return -1;
      if (is_link)
        {
          if (walk_follow_at (w, walk_cur (w), last) < 0)
            return -1;
          continue;
        }
      fd = openat (walk_cur (w), ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (fd >= 0)
        *name = steal_pointer (&last);
      return fd;
    }
}

/* ---------------------------------------------------------------- API */

/* The path to resolve: "" means the root.  */
static const char *
path_or_root (const char *path)
{
  return *path ? path : "/";
}

int
inroot_open (int rootfd, const char *path, int flags, mode_t mode, oci_error_t **err)
{
  cleanup_walk struct walk w = WALK_INIT;
  int fd = -1;

  if (inroot_have_openat2 ())
    {
      fd = openat2_in_root (rootfd, path_or_root (path), flags, mode);
      if (fd >= 0)
        return fd;
      if (errno != ENOSYS && errno != EAGAIN)
        return oci_error_errno (err, errno, "open `%s` in the root", path);
    }
  walk_init (&w, rootfd, path);
  fd = walk_open (&w, flags, mode);
  if (fd < 0)
    return oci_error_errno (err, errno, "open `%s` in the root", path);
  return fd;
}

/* What /proc says an fd points to, or NULL.  */
static char *
fd_proc_path (int fd)
{
  char link[64];
  char buf[PATH_MAX];
  ssize_t n;

  snprintf (link, sizeof link, "/proc/self/fd/%d", fd);
  n = readlink (link, buf, sizeof buf);
  if (n <= 0 || (size_t) n >= sizeof buf || buf[0] != '/')
    return NULL;
  return xstrndup (buf, (size_t) n);
}

/* The path of fd relative to the root, from /proc; NULL when /proc cannot
   tell (not mounted, a deleted directory, another mount namespace...).  */
static char *
proc_relative_path (int rootfd, int fd)
{
  cleanup_free char *root = fd_proc_path (rootfd);
  cleanup_free char *target = fd_proc_path (fd);
  size_t rlen;

  if (root == NULL || target == NULL || strstr (root, " (deleted)") || strstr (target, " (deleted)"))
    return NULL;
  rlen = streq (root, "/") ? 0 : strlen (root);
  if (strncmp (target, root, rlen) != 0 || (target[rlen] != '/' && target[rlen] != '\0'))
    return NULL;
  while (target[rlen] == '/')
    rlen++;
  return xstrdup (target[rlen] ? target + rlen : ".");
}

int
inroot_resolve (int rootfd, const char *path, char **resolved, oci_error_t **err)
{
  cleanup_walk struct walk w = WALK_INIT;

  *resolved = NULL;
  if (inroot_have_openat2 ())
    {
      cleanup_close int fd = openat2_in_root (rootfd, path_or_root (path), O_PATH, 0);
      if (fd >= 0)
        {
          *resolved = proc_relative_path (rootfd, fd);
          if (*resolved)
            return 0;
        }
      else if (errno != ENOSYS && errno != EAGAIN)
        return oci_error_errno (err, errno, "resolve `%s` in the root", path);
    }
  walk_init (&w, rootfd, path);
  if (walk_resolve (&w, resolved) < 0)
    return oci_error_errno (err, errno, "resolve `%s` in the root", path);
  return 0;
}

int
inroot_mkdir_p (int rootfd, const char *path, mode_t mode, oci_error_t **err)
{
  cleanup_walk struct walk w = WALK_INIT;
  int fd;

  if (inroot_have_openat2 ())
    {
      fd = openat2_in_root (rootfd, path_or_root (path), O_PATH | O_DIRECTORY, 0);
      if (fd >= 0)
        return fd;
      if (errno != ENOENT && errno != ENOSYS && errno != EAGAIN)
        return oci_error_errno (err, errno, "mkdir `%s` in the root", path);
    }
  walk_init (&w, rootfd, path);
  fd = walk_mkdir_p (&w, mode);
  if (fd < 0)
    return oci_error_errno (err, errno, "mkdir `%s` in the root", path);
  return fd;
}

/* Whether path ends in a plain name (not "", "/", ".", ".." or a slash).  */
static bool
has_file_name (const char *path)
{
  const char *base;
  size_t n = strlen (path);

  if (n == 0 || path[n - 1] == '/')
    return false;
  base = strrchr (path, '/');
  base = base ? base + 1 : path;
  return !streq (base, ".") && !streq (base, "..");
}

/* The openat2 fast path of inroot_open_parent: the parent resolved by the
   kernel, when the last component is not a symlink to follow.  Returns -2
   when the walk has to decide.  */
static int
open_parent_openat2 (int rootfd, const char *path, unsigned flags, mode_t dirmode, char **name,
                     oci_error_t **err)
{
  const char *slash = strrchr (path, '/');
  cleanup_free char *dir = slash ? xstrndup (path, (size_t) (slash - path + 1)) : xstrdup (".");
  const char *base = slash ? slash + 1 : path;
  cleanup_close int fd = openat2_in_root (rootfd, dir, O_PATH | O_DIRECTORY, 0);
  bool is_link = false;

  if (fd < 0 && errno == ENOENT && (flags & INROOT_MKDIR_PARENTS))
    return -2;
  if (fd < 0)
    {
      if (errno == ENOSYS || errno == EAGAIN)
        return -2;
      return oci_error_errno (err, errno, "open the parent of `%s` in the root", path);
    }
  if (!(flags & INROOT_NOFOLLOW))
    {
      if (is_symlink_at (fd, base, &is_link) < 0)
        return oci_error_errno (err, errno, "open the parent of `%s` in the root", path);
      if (is_link)
        return -2;
    }
  *name = xstrdup (base);
  return steal_fd (&fd);
}

int
inroot_open_parent (int rootfd, const char *path, unsigned flags, mode_t dirmode, char **name,
                    oci_error_t **err)
{
  cleanup_walk struct walk w = WALK_INIT;
  int fd;

  *name = NULL;
  if (!has_file_name (path))
    return oci_error_set (err, EINVAL, "`%s` has no file name to create in the root", path);
  if (inroot_have_openat2 ())
    {
      fd = open_parent_openat2 (rootfd, path, flags, dirmode, name, err);
      if (fd != -2)
        return fd;
    }
  walk_init (&w, rootfd, path);
  fd = walk_open_parent (&w, flags, dirmode, name);
  if (fd < 0)
    {
      if (errno == EINVAL)
        return oci_error_set (err, EINVAL, "`%s` leads to a directory, not a file name, in the root", path);
      return oci_error_errno (err, errno, "open the parent of `%s` in the root", path);
    }
  return fd;
}
