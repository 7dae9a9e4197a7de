/* Making a container from an image (create) and starting its monitor
   (start), and what runs after it ended (cleanup).  */
#ifndef BERTH_CONTAINER_CREATE_H
#define BERTH_CONTAINER_CREATE_H

#include "error.h"
#include "manager/cli/common.h"
#include "manager/container/opts.h"
#include "manager/store/containers.h"

/* Pull per --pull, container dir, rootfs mount, volumes (named ones
   created on first use and filled from the image when empty), spec, etc
   files, config.json, create.json, and the store row last.  *out is the
   new container.  Returns 0; -BERTH_EXIT_NOT_FOUND (-127) or
   -BERTH_EXIT_CANNOT_RUN (-126) when the command is missing or not
   executable in the image (*err has docker's message); -1 on other
   errors, with *err left NULL only when a pull failed and already printed
   its error.  */
int container_create (struct berth_globals *g, struct container_opts *o, struct store_container **out,
                      oci_error_t **err);

/* Spawn berth-monitor for the container and wait until it has started
   it.  attach_fd non-NULL: connect to the monitor's attach socket before
   the container starts (so no output is lost) and return the fd.  */
int container_start (struct berth_globals *g, const struct store_container *c, int *attach_fd,
                     oci_error_t **err);

/* After the container ended: runtime delete --force (a missing container
   is fine), unmount the rootfs; AutoRemove → remove it with its anonymous
   volumes.  */
int container_cleanup (struct berth_globals *g, const struct store_container *c, oci_error_t **err);

#endif
