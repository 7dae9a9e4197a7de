/* Private helpers of mounts.c and devices.c: mount option parsing
   (mount_options.c), fd-based mount targets and attributes (mount_util.c),
   the cgroup filesystem (mount_cgroup.c) and the paths set up after
   pivot_root (mount_paths.c).  */
#ifndef HULL_MOUNT_INTERNAL_H
#define HULL_MOUNT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "init.h"

#define MOUNT_MAX_PROPAGATION 8

/* A spec mount's options, split the way the kernel wants them.  */
struct mount_opts
{
  unsigned long flags; /* MS_* to pass to mount(2) */
  unsigned long clear; /* MS_* explicitly turned off (rw, suid, dev, ...) */
  uint64_t attr_set;   /* MOUNT_ATTR_* for the mount itself (binds) */
  uint64_t attr_clr;
  uint64_t rattr_set; /* MOUNT_ATTR_* for the whole tree (rro, rnosuid, ...) */
  uint64_t rattr_clr;
  unsigned long propagation[MOUNT_MAX_PROPAGATION]; /* MS_SHARED|MS_REC ..., in order */
  size_t n_propagation;
  bool bind;      /* bind or rbind */
  bool recursive; /* rbind */
  bool tmpcopyup;
  bool idmap;  /* idmap or ridmap */
  bool ridmap; /* ridmap */
  char *data;  /* comma-separated filesystem options, NULL when none */
};

/* mount_options.c */
int mount_opts_parse (char *const *options, struct mount_opts *opts, oci_error_t **err);
void mount_opts_release (struct mount_opts *opts);
#define cleanup_mount_opts __attribute__ ((cleanup (mount_opts_release)))
/* MS_* propagation flags for a rootfsPropagation value; 0 for NULL/"".
   Returns -1 on an unknown value.  */
int mount_propagation_from_name (const char *name, unsigned long *flags, oci_error_t **err);
/* Every option name mount_opts_parse knows (for `hull features`); a new
   NULL-terminated vector.  */
char **mount_options_known (void);

/* mount_util.c */
/* "/proc/self/fd/N" for fd.  */
#define MOUNT_FD_PATH_MAX 32
const char *mount_fd_path (int fd, char buf[MOUNT_FD_PATH_MAX]);
/* Resolve dest inside the rootfs, creating the missing parents and the
   last component (a directory, or an empty file when as_file) inside it.
   Returns an O_PATH fd of the target and, in *parent_fd and *name, where
   it lives (to reopen the mount put on top of it).  */
int mount_open_target (int rootfd, const char *dest, bool as_file, int *parent_fd, char **name,
                       oci_error_t **err);
/* O_PATH fd of what is now at parent_fd/name (the mount just made).  */
int mount_reopen_target (int parent_fd, const char *name, const char *dest, oci_error_t **err);
/* mount_setattr on fd (AT_EMPTY_PATH), recursive or not; a no-op when
   there is nothing to change.  */
int mount_set_attr (int fd, bool recursive, uint64_t set, uint64_t clr, const char *dest, oci_error_t **err);
/* Apply opts' propagation flags, then its recursive attributes, on the
   mount at fd.  */
int mount_apply_after (int fd, const struct mount_opts *opts, const char *dest, oci_error_t **err);
/* Bind source (a host path) onto target_fd as opts say (open_tree +
   mount_setattr + move_mount).  Idmapped when opts->idmap with the
   mount's mappings.  Returns the O_PATH fd of the new mount.  */
int mount_bind_fd (const char *source, int target_fd, const struct mount_opts *opts,
                   const struct oci_mount *m, const struct oci_spec *spec, const char *dest,
                   oci_error_t **err);
/* Copy the tree under src_dirfd into dst_dirfd (tmpcopyup).  */
int mount_copy_tree (int src_dirfd, int dst_dirfd, const char *dest, oci_error_t **err);
/* The mount point (from /proc/self/mountinfo) holding path.  */
int mount_find_mountpoint (const char *path, char **mountpoint, oci_error_t **err);
/* Whether the spec has a namespace of type (new or joined).  */
bool mount_spec_has_ns (const struct oci_spec *spec, const char *type);

/* mount_cgroup.c */
/* The "cgroup" mount type: v1 hierarchies (tmpfs + one mount per
   controller + unified) on hybrid/legacy hosts, cgroup2 on unified ones.  */
int mount_cgroup (struct hull_init_ctx *ctx, int parent_fd, const char *name, int target_fd,
                  const struct mount_opts *opts, const char *dest, oci_error_t **err);
/* The "cgroup2" mount type (falls back to a bind of the host's hierarchy).  */
int mount_cgroup2 (struct hull_init_ctx *ctx, int target_fd, const struct mount_opts *opts, const char *dest,
                   oci_error_t **err);

/* mount_paths.c (after pivot_root, "/" is the container's root) */
int mount_sysctls (const struct oci_spec *spec, oci_error_t **err);
int mount_readonly_paths (char *const *paths, oci_error_t **err);
int mount_masked_paths (char *const *paths, oci_error_t **err);
int mount_readonly_root (oci_error_t **err);

#endif
