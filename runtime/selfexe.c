/* Running hull from a binary that cannot be written (see selfexe.h).

   The cheap way: open_tree(OPEN_TREE_CLONE) of /proc/self/exe gives a
   detached bind mount of the binary alone, mount_setattr makes it
   read-only and execveat runs it: /proc/self/exe then lives on a mount that
   gives EROFS to every writer, and the check passes after the re-exec, so
   there is no loop.  Nothing is copied; the mount goes away with the last
   process that runs from it.  Needs CAP_SYS_ADMIN over the mount
   namespace; otherwise (rootless hull) the binary is copied into a memfd
   sealed against any change.  */
#include "config.h"
#include "selfexe.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif

extern char **environ;

int
selfexe_is_protected (void)
{
  cleanup_close int fd = open ("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  struct statfs sfs;
  int seals;

  if (fd < 0)
    return 0;
  if (fstatfs (fd, &sfs) == 0 && (sfs.f_flags & ST_RDONLY))
    return 1;
  seals = fcntl (fd, F_GET_SEALS);
  return seals >= 0 && (seals & F_SEAL_WRITE) && (seals & F_SEAL_SEAL);
}

/* A read-only detached mount of the binary; -1 when the kernel or our
   privileges do not allow it.  */
static int
readonly_clone (void)
{
  struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
  cleanup_close int fd
      = (int) syscall (SYS_open_tree, AT_FDCWD, "/proc/self/exe", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);

  if (fd < 0)
    return -1;
  if (syscall (SYS_mount_setattr, fd, "", AT_EMPTY_PATH, &attr, sizeof attr) < 0)
    return -1;
  return steal_fd (&fd);
}

static int
sealed_copy (oci_error_t **err)
{
  cleanup_close int src = open ("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  cleanup_close int fd = -1;
  struct stat st;
  off_t off = 0;

  if (src < 0 || fstat (src, &st) < 0)
    return oci_error_errno (err, errno, "cannot open /proc/self/exe");
  fd = memfd_create ("hull", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0)
    return oci_error_errno (err, errno, "memfd_create");
  while (off < st.st_size)
    {
      ssize_t n = sendfile (fd, src, &off, (size_t) (st.st_size - off));
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return oci_error_errno (err, n < 0 ? errno : EIO, "cannot copy /proc/self/exe into a memfd");
    }
  if (fcntl (fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
    return oci_error_errno (err, errno, "cannot seal the memfd copy of hull");
  return steal_fd (&fd);
}

int
selfexe_ensure_protected (char **argv, oci_error_t **err)
{
  cleanup_close int fd = -1;

  if (selfexe_is_protected ())
    return 0;
  fd = readonly_clone ();
  if (fd >= 0)
    {
      syscall (SYS_execveat, fd, "", argv, environ, AT_EMPTY_PATH);
      close (fd);
      fd = -1;
    }
  fd = sealed_copy (err);
  if (fd < 0)
    return -1;
  syscall (SYS_execveat, fd, "", argv, environ, AT_EMPTY_PATH);
  return oci_error_errno (err, errno, "cannot re-exec hull from a sealed copy");
}
