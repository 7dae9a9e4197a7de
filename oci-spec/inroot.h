/* Path resolution inside a root directory (a container's rootfs) that never
   escapes it, whatever symlinks the root contains.

   A path is resolved as if rootfd were "/": ".." at the root stays at the
   root, absolute symlinks are interpreted relative to the root, relative
   symlinks relative to the directory holding them.  More than 40 symlinks
   in one resolution give ELOOP; a dangling symlink gives ENOENT, except
   where a function below says it creates the target (always inside the
   root).  A path with a trailing slash must name a directory.

   openat2(2) with RESOLVE_IN_ROOT does the work where the kernel has it
   (Linux >= 5.6).  Elsewhere a careful walk resolves one component at a
   time: openat(O_PATH|O_NOFOLLOW) on each, readlink on symlinks, and a
   stack of directory fds so that ".." never asks the kernel for a parent.
   The functions that create directories always walk (creation has to
   follow dangling symlinks itself), after an openat2 fast path.

   Errors set *err (naming the path) and errno-style status: ENOENT,
   ENOTDIR, ELOOP, EEXIST, ...  */
#ifndef OCI_INROOT_H
#define OCI_INROOT_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

/* Tests set this to use the component walk even when openat2 exists.  */
extern bool inroot_force_fallback;

/* Whether the next call will use openat2 (the kernel has it and the
   fallback is not forced).  */
bool inroot_have_openat2 (void);

/* openat(2) of path inside the root with open flags (O_CLOEXEC is always
   added) and mode for O_CREAT.  With O_CREAT a dangling symlink in the
   last component creates its target inside the root (unless O_EXCL or
   O_NOFOLLOW is given: then the symlink itself counts as existing).  */
int inroot_open (int rootfd, const char *path, int flags, mode_t mode, oci_error_t **err);

/* The path after resolution, relative to the root, without a leading
   slash ("etc/passwd"; "." for the root itself).  Every component must
   exist.  */
int inroot_resolve (int rootfd, const char *path, char **resolved, oci_error_t **err);

/* mkdir -p inside the root: missing components (and the targets of
   dangling symlinks) are created with mode.  Returns an O_PATH fd of the
   final directory.  */
int inroot_mkdir_p (int rootfd, const char *path, mode_t mode, oci_error_t **err);

#define INROOT_MKDIR_PARENTS 1u /* create missing parent directories (dirmode) */
#define INROOT_NOFOLLOW      2u /* a symlink in the last component is not followed */

/* Where path's last component lives: returns an O_PATH fd of its directory
   and its name in *name, so that a file, device node or mount target can
   be created with openat/mknodat(fd, *name, ...).  Unless INROOT_NOFOLLOW,
   a symlink in the last component is followed (also when dangling), so
   the returned place is the symlink's target inside the root.  The last
   component must be a name: a path that is empty, "/", or ends in "/",
   "." or ".." gives EINVAL.  The last component need not exist.  */
int inroot_open_parent (int rootfd, const char *path, unsigned flags, mode_t dirmode, char **name,
                        oci_error_t **err);

#endif
