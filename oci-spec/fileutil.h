/* File helpers: bounded reads and crash-safe writes.  */
#ifndef OCI_FILEUTIL_H
#define OCI_FILEUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"

/* Read a whole file (at most max bytes, else EFBIG) into a NUL-terminated
   buffer.  Errors name the path.  */
int read_file_max (const char *path, size_t max, char **out, size_t *len, oci_error_t **err);
/* The same relative to a directory fd (AT_FDCWD allowed).  */
int read_file_at (int dirfd, const char *path, size_t max, char **out, size_t *len, oci_error_t **err);

/* Write data to path atomically: a temporary file in the same directory,
   fsync, rename over path, fsync the directory.  A crash at any moment
   leaves either the old or the new content, never a mix.  */
int write_file_atomic (const char *path, const void *data, size_t len, mode_t mode, oci_error_t **err);
/* The same relative to a directory fd.  */
int write_file_atomic_at (int dirfd, const char *name, const void *data, size_t len, mode_t mode,
                          oci_error_t **err);

/* Atomic replacement without fsync: readers see the old or the new
   content, never a mix, but a power loss may lose the update.  For runtime
   state (under /run) that does not outlive a reboot anyway; saves the two
   fsyncs on every container start.  */
int write_file_replace_at (int dirfd, const char *name, const void *data, size_t len, mode_t mode,
                           oci_error_t **err);
/* The same for a path.  */
int write_file_replace (const char *path, const void *data, size_t len, mode_t mode, oci_error_t **err);

/* write(2) all bytes, retrying on EINTR and short writes.  */
int write_all (int fd, const void *data, size_t len);
/* read(2) until len bytes or EOF; returns the number of bytes read or -1.  */
ssize_t read_all (int fd, void *data, size_t len);

/* mkdir -p with mode for the directories it creates.  */
int mkdir_p (const char *path, mode_t mode, oci_error_t **err);
/* rm -rf that never crosses into other mounts' content it does not own:
   it does not follow symlinks.  ENOENT is not an error.  */
int remove_recursive (const char *path, oci_error_t **err);

#endif
