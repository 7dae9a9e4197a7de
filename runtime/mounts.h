/* The container's root filesystem, in the child inside its own mount
   namespace: rootfs propagation, every linux mount in order (destinations
   resolved inside the rootfs, never through a symlink out of it), /dev,
   pivot_root (or MS_MOVE + chroot), masked and readonly paths, readonly
   root, sysctl.  */
#ifndef HULL_MOUNTS_H
#define HULL_MOUNTS_H

#include "init.h"

/* Before pivot_root: make / private/slave as rootfsPropagation says, bind
   the rootfs onto itself, do every spec mount in order, set up /dev
   (devices.h).  Sets ctx->rootfs_fd.  */
int mounts_prepare_rootfs (struct hull_init_ctx *ctx, oci_error_t **err);
/* pivot_root into the rootfs (or MS_MOVE + chroot when ctx->no_pivot).  */
int mounts_pivot_root (struct hull_init_ctx *ctx, oci_error_t **err);
/* After pivot_root: maskedPaths, readonlyPaths, root.readonly, the final
   rootfsPropagation, linux.sysctl.  */
int mounts_finalize (struct hull_init_ctx *ctx, oci_error_t **err);

#endif
