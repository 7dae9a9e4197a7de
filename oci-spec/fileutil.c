#include "config.h"
#include "fileutil.h"
#include "strbuf.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

int
write_all (int fd, const void *data, size_t len)
{
  const char *p = data;

  while (len > 0)
    {
      ssize_t n = write (fd, p, len);
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return -1;
        }
      p += n;
      len -= (size_t) n;
    }
  return 0;
}

ssize_t
read_all (int fd, void *data, size_t len)
{
  char *p = data;
  size_t got = 0;

  while (got < len)
    {
      ssize_t n = read (fd, p + got, len - got);
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return -1;
        }
      if (n == 0)
        break;
      got += (size_t) n;
    }
  return (ssize_t) got;
}

int
read_file_at (int dirfd, const char *path, size_t max, char **out, size_t *len, oci_error_t **err)
{
  cleanup_close int fd = -1;
  struct strbuf sb = STRBUF_INIT;

  *out = NULL;
  fd = openat (dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    return oci_error_errno (err, errno, "open `%s`", path);
  for (;;)
    {
      ssize_t n;
      strbuf_grow (&sb, 8192);
      n = read (fd, sb.buf + sb.len, sb.alloc - sb.len - 1);
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          strbuf_release (&sb);
          return oci_error_errno (err, errno, "read `%s`", path);
        }
      if (n == 0)
        break;
      sb.len += (size_t) n;
      sb.buf[sb.len] = '\0';
      if (sb.len > max)
        {
          strbuf_release (&sb);
          return oci_error_set (err, EFBIG, "read `%s`: file larger than %zu bytes", path, max);
        }
    }
  *out = strbuf_detach (&sb, len);
  return 0;
}

int
read_file_max (const char *path, size_t max, char **out, size_t *len, oci_error_t **err)
{
  return read_file_at (AT_FDCWD, path, max, out, len, err);
}

static int
fsync_dir_at (int dirfd, const char *dir)
{
  cleanup_close int fd = openat (dirfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  return fsync (fd);
}

static int
write_file_renamed_at (int dirfd, const char *name, const void *data, size_t len, mode_t mode, bool durable,
                       oci_error_t **err)
{
  cleanup_free char *tmp = NULL;
  cleanup_free char *dir = NULL;
  const char *slash = strrchr (name, '/');
  int fd;

  xasprintf (&tmp, "%s.tmp-%d-XXXXXX", name, (int) getpid ());
  dir = slash ? xstrndup (name, (size_t) (slash - name + (slash == name))) : xstrdup (".");
  if (dirfd == AT_FDCWD)
    fd = mkostemp (tmp, O_CLOEXEC);
  else
    {
      /* mkostemp has no *at variant: generate the name and use O_EXCL.  */
      size_t n = strlen (tmp);
      static const char chars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
      unsigned seed = (unsigned) getpid () ^ (unsigned) (uintptr_t) &n;
      fd = -1;
      for (int attempt = 0; attempt < 100 && fd < 0; attempt++)
        {
          for (size_t i = n - 6; i < n; i++)
            tmp[i] = chars[rand_r (&seed) % (sizeof chars - 1)];
          fd = openat (dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
          if (fd < 0 && errno != EEXIST)
            break;
        }
    }
  if (fd < 0)
    return oci_error_errno (err, errno, "create a temporary file for `%s`", name);
  if (write_all (fd, data, len) < 0 || fchmod (fd, mode) < 0 || (durable && fsync (fd) < 0))
    {
      int saved = errno;
      close (fd);
      unlinkat (dirfd, tmp, 0);
      return oci_error_errno (err, saved, "write `%s`", name);
    }
  if (close (fd) < 0)
    {
      int saved = errno;
      unlinkat (dirfd, tmp, 0);
      return oci_error_errno (err, saved, "write `%s`", name);
    }
  if (renameat (dirfd, tmp, dirfd, name) < 0)
    {
      int saved = errno;
      unlinkat (dirfd, tmp, 0);
      return oci_error_errno (err, saved, "rename `%s` to `%s`", tmp, name);
    }
  if (durable && fsync_dir_at (dirfd, dir) < 0)
    return oci_error_errno (err, errno, "fsync the directory of `%s`", name);
  return 0;
}

int
write_file_atomic_at (int dirfd, const char *name, const void *data, size_t len, mode_t mode,
                      oci_error_t **err)
{
  return write_file_renamed_at (dirfd, name, data, len, mode, true, err);
}

int
write_file_replace_at (int dirfd, const char *name, const void *data, size_t len, mode_t mode,
                       oci_error_t **err)
{
  return write_file_renamed_at (dirfd, name, data, len, mode, false, err);
}

int
write_file_replace (const char *path, const void *data, size_t len, mode_t mode, oci_error_t **err)
{
  cleanup_free char *dir = xstrdup (path);
  char *slash = strrchr (dir, '/');
  const char *name = path;
  cleanup_close int dfd = -1;

  if (slash)
    {
      name = path + (slash - dir) + 1;
      if (slash == dir)
        slash++;
      *slash = '\0';
    }
  dfd = open (slash ? dir : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return oci_error_errno (err, errno, "open %s", slash ? dir : ".");
  return write_file_replace_at (dfd, name, data, len, mode, err);
}

int
write_file_atomic (const char *path, const void *data, size_t len, mode_t mode, oci_error_t **err)
{
  return write_file_atomic_at (AT_FDCWD, path, data, len, mode, err);
}

int
mkdir_p (const char *path, mode_t mode, oci_error_t **err)
{
  cleanup_free char *copy = xstrdup (path);
  size_t n = strlen (copy);

  for (size_t i = 1; i <= n; i++)
    {
      if (copy[i] != '/' && copy[i] != '\0')
        continue;
      if (copy[i - 1] == '/')
        continue;
      copy[i] = '\0';
      if (mkdir (copy, mode) < 0 && errno != EEXIST)
        return oci_error_errno (err, errno, "mkdir `%s`", copy);
      if (i < n)
        copy[i] = '/';
    }
  return 0;
}

static int
remove_at (int parent, const char *name, const char *path, oci_error_t **err)
{
  cleanup_dir DIR *dir = NULL;
  struct dirent *de;
  int fd;

  if (unlinkat (parent, name, 0) == 0 || errno == ENOENT)
    return 0;
  if (errno != EISDIR && errno != EPERM)
    return oci_error_errno (err, errno, "remove `%s`", path);
  fd = openat (parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return oci_error_errno (err, errno, "open `%s`", path);
  dir = fdopendir (fd);
  if (dir == NULL)
    {
      close (fd);
      return oci_error_errno (err, errno, "open `%s`", path);
    }
  while ((de = readdir (dir)) != NULL)
    {
      cleanup_free char *child = NULL;
      if (streq (de->d_name, ".") || streq (de->d_name, ".."))
        continue;
      xasprintf (&child, "%s/%s", path, de->d_name);
      if (remove_at (dirfd (dir), de->d_name, child, err) < 0)
        return -1;
    }
  if (unlinkat (parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
    return oci_error_errno (err, errno, "remove `%s`", path);
  return 0;
}

int
remove_recursive (const char *path, oci_error_t **err)
{
  return remove_at (AT_FDCWD, path, path, err);
}
