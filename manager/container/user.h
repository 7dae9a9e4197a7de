/* Users and executables inside a container's rootfs, resolved through
   the rootfs (never following a symlink out of it).  */
#ifndef BERTH_CONTAINER_USER_H
#define BERTH_CONTAINER_USER_H

#include <stddef.h>
#include <sys/types.h>

#include "error.h"

/* -u resolution through <rootfs>/etc/passwd and /etc/group: "name",
   "uid", "name:group", "uid:gid" (and mixes).  An unknown name → ENOENT
   "unable to find user NAME: no matching entries in passwd file"; an
   unknown group → ENOENT "unable to find group NAME: no matching entries
   in group file".  user NULL or "" means root.  *groups: the user's
   supplementary groups from /etc/group plus group_add (names or ids);
   *home: the passwd home directory, "/" when unknown.  */
int container_user_resolve (int rootfd, const char *user, char *const *group_add, uid_t *uid, gid_t *gid,
                            gid_t **groups, size_t *ngroups, char **home, oci_error_t **err);

/* argv0 lookup in the rootfs through PATH from env (KEY=VALUE strings),
   relative names against cwd.  Not found → ENOENT (callers exit 127)
   "exec: \"X\": executable file not found in $PATH" (or, for a name
   with a slash, "exec: \"X\": stat X: no such file or directory");
   not executable or a directory → EACCES (exit 126)
   "exec: \"X\": permission denied".  */
int container_check_executable (int rootfd, const char *argv0, char *const *env, const char *cwd,
                                oci_error_t **err);

#endif
