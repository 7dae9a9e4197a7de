/* /dev inside the rootfs: the spec's default devices, linux.devices (mknod,
   or bind mounts from the host inside a user namespace), /dev/pts, /dev/shm,
   /dev/ptmx, the fd/stdin/stdout/stderr/core symlinks and /dev/console.  */
#ifndef HULL_DEVICES_H
#define HULL_DEVICES_H

#include "init.h"

/* Called by mounts_prepare_rootfs after the spec mounts.  */
int devices_setup (struct hull_init_ctx *ctx, oci_error_t **err);

#endif
