/* Network namespaces kept alive by a bind mount, the way `ip netns add`
   does it: the calling thread unshares a new namespace, bind-mounts its
   /proc/thread-self/ns/net on an empty file and goes back to the namespace
   it came from.  No fork, no thread: it costs a handful of system calls.  */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>

#include "netns.h"
#include "util.h"

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

#define SELF_NETNS "/proc/thread-self/ns/net"

static int
mkdir_parents (const char *dir, oci_error_t **err)
{
  cleanup_free char *copy = xstrdup (dir);
  char *p;

  for (p = copy + 1; *p; p++)
    {
      if (*p != '/')
        continue;
      *p = '\0';
      if (mkdir (copy, 0755) < 0 && errno != EEXIST)
        return oci_error_errno (err, errno, "mkdir %s", copy);
      *p = '/';
    }
  if (mkdir (copy, 0755) < 0 && errno != EEXIST)
    return oci_error_errno (err, errno, "mkdir %s", copy);
  return 0;
}

/* Make DIR a private mount point (a bind mount of itself when it is not a
   mount point yet) so that the namespace mounts under it do not propagate
   to other mount namespaces.  Serialized by a lock on DIR.  */
static int
netns_dir_prepare (const char *dir, oci_error_t **err)
{
  cleanup_close int dfd = -1;

  if (mkdir_parents (dir, err) < 0)
    return -1;
  dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return oci_error_errno (err, errno, "open %s", dir);
  if (flock (dfd, LOCK_EX) < 0)
    return oci_error_errno (err, errno, "lock %s", dir);
  if (mount ("", dir, "none", MS_PRIVATE, NULL) == 0)
    return 0;
  if (errno != EINVAL)
    return oci_error_errno (err, errno, "make %s a private mount", dir);
  if (mount (dir, dir, "none", MS_BIND, NULL) < 0)
    return oci_error_errno (err, errno, "bind mount %s on itself", dir);
  if (mount ("", dir, "none", MS_PRIVATE, NULL) < 0)
    return oci_error_errno (err, errno, "make %s a private mount", dir);
  return 0;
}

/* The empty file the namespace is mounted on.  A leftover plain file (a
   crash between create and mount) is reused; a mounted namespace is not.  */
static int
netns_file_create (const char *path, oci_error_t **err)
{
  cleanup_close int fd = -1;
  struct statfs sfs;

  fd = open (path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
  if (fd >= 0)
    return 0;
  if (errno != EEXIST)
    return oci_error_errno (err, errno, "create %s", path);
  if (statfs (path, &sfs) < 0)
    return oci_error_errno (err, errno, "statfs %s", path);
  if (sfs.f_type == NSFS_MAGIC)
    return oci_error_set (err, EEXIST, "network namespace %s already exists", path);
  return 0;
}

static int
loopback_up (oci_error_t **err)
{
  cleanup_close int fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  struct ifreq ifr = { 0 };

  if (fd < 0)
    return oci_error_errno (err, errno, "socket");
  strcpy (ifr.ifr_name, "lo");
  if (ioctl (fd, SIOCGIFFLAGS, &ifr) < 0)
    return oci_error_errno (err, errno, "get flags of lo");
  ifr.ifr_flags |= IFF_UP;
  if (ioctl (fd, SIOCSIFFLAGS, &ifr) < 0)
    return oci_error_errno (err, errno, "bring lo up");
  return 0;
}

/* In a fresh namespace: mount it on PATH, bring lo up.  */
static int
netns_populate (const char *path, oci_error_t **err)
{
  if (mount (SELF_NETNS, path, "none", MS_BIND, NULL) < 0)
    return oci_error_errno (err, errno, "bind mount network namespace on %s", path);
  if (loopback_up (err) < 0)
    {
      umount2 (path, MNT_DETACH);
      return oci_error_prefix (err, "network namespace %s", path);
    }
  return 0;
}

int
netns_create (const char *path, oci_error_t **err)
{
  cleanup_free char *dir = xstrdup (path);
  cleanup_close int orig = -1;
  char *slash = strrchr (dir, '/');
  int ret;

  if (slash == NULL || slash == dir)
    return oci_error_set (err, EINVAL, "network namespace path %s: not an absolute path", path);
  *slash = '\0';
  if (netns_dir_prepare (dir, err) < 0 || netns_file_create (path, err) < 0)
    return -1;
  orig = open (SELF_NETNS, O_RDONLY | O_CLOEXEC);
  if (orig < 0)
    return oci_error_errno (err, errno, "open %s", SELF_NETNS);
  if (unshare (CLONE_NEWNET) < 0)
    {
      ret = oci_error_errno (err, errno, "create network namespace %s", path);
      unlink (path);
      return ret;
    }
  ret = netns_populate (path, err);
  if (setns (orig, CLONE_NEWNET) < 0)
    {
      oci_error_free (err);
      ret = oci_error_errno (err, errno, "return to the original network namespace");
    }
  if (ret < 0)
    {
      umount2 (path, MNT_DETACH);
      unlink (path);
    }
  return ret;
}

int
netns_remove (const char *path, oci_error_t **err)
{
  if (umount2 (path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
    return oci_error_errno (err, errno, "unmount network namespace %s", path);
  if (unlink (path) < 0 && errno != ENOENT)
    return oci_error_errno (err, errno, "remove network namespace %s", path);
  return 0;
}

int
netns_socket (const char *path, int domain, int type, int protocol, oci_error_t **err)
{
  cleanup_close int nsfd = -1;
  cleanup_close int orig = -1;
  int fd, saved;

  nsfd = open (path, O_RDONLY | O_CLOEXEC);
  if (nsfd < 0)
    return oci_error_errno (err, errno, "open network namespace %s", path);
  orig = open (SELF_NETNS, O_RDONLY | O_CLOEXEC);
  if (orig < 0)
    return oci_error_errno (err, errno, "open %s", SELF_NETNS);
  if (setns (nsfd, CLONE_NEWNET) < 0)
    return oci_error_errno (err, errno, "join network namespace %s", path);
  fd = socket (domain, type | SOCK_CLOEXEC, protocol);
  saved = errno;
  if (setns (orig, CLONE_NEWNET) < 0)
    {
      saved = errno;
      if (fd >= 0)
        close (fd);
      return oci_error_errno (err, saved, "return to the original network namespace");
    }
  if (fd < 0)
    return oci_error_errno (err, saved, "socket in network namespace %s", path);
  return fd;
}

/* The child: join the namespace, run FN, report its error on WFD.  */
static void __attribute__ ((noreturn))
netns_child (const char *path, int (*fn) (void *data, oci_error_t **err), void *data, int wfd)
{
  cleanup_error oci_error_t *err = NULL;
  int nsfd = open (path, O_RDONLY | O_CLOEXEC);
  int32_t status;

  if (nsfd < 0)
    oci_error_errno (&err, errno, "open network namespace %s", path);
  else if (setns (nsfd, CLONE_NEWNET) < 0)
    oci_error_errno (&err, errno, "join network namespace %s", path);
  else if (fn (data, &err) < 0 && err == NULL)
    oci_error_set (&err, EIO, "failed in network namespace %s", path);
  if (err == NULL)
    _exit (0);
  status = err->status;
  if (write (wfd, &status, sizeof status) == sizeof status)
    {
      size_t len = strnlen (err->msg, 4000);
      if (write (wfd, err->msg, len) != (ssize_t) len)
        _exit (2);
    }
  _exit (1);
}

static int
netns_read_error (int rfd, const char *path, int wstatus, oci_error_t **err)
{
  char buf[4096];
  int32_t status = 0;
  size_t len = 0;
  ssize_t n;

  if (read (rfd, &status, sizeof status) == sizeof status)
    while (len < sizeof buf - 1 && (n = read (rfd, buf + len, sizeof buf - 1 - len)) > 0)
      len += n;
  buf[len] = '\0';
  if (len > 0)
    return oci_error_set (err, status, "%s", buf);
  if (WIFEXITED (wstatus) && WEXITSTATUS (wstatus) == 0)
    return 0;
  return oci_error_set (err, EIO, "process in network namespace %s failed (status %d)", path, wstatus);
}

int
netns_enter_run (const char *path, int (*fn) (void *data, oci_error_t **err), void *data, oci_error_t **err)
{
  cleanup_close int rfd = -1;
  cleanup_close int wfd = -1;
  int fds[2], wstatus = 0;
  pid_t pid;

  /* Non-blocking: the message is read after the child is gone, even when
     FN left a process behind that still holds the write end.  */
  if (pipe2 (fds, O_CLOEXEC | O_NONBLOCK) < 0)
    return oci_error_errno (err, errno, "pipe");
  rfd = fds[0];
  wfd = fds[1];
  pid = fork ();
  if (pid < 0)
    return oci_error_errno (err, errno, "fork");
  if (pid == 0)
    netns_child (path, fn, data, wfd);
  close (steal_fd (&wfd));
  while (waitpid (pid, &wstatus, 0) < 0)
    if (errno != EINTR)
      return oci_error_errno (err, errno, "waitpid");
  return netns_read_error (rfd, path, wstatus, err);
}
