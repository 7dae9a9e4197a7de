/* Network namespaces made by berth: a namespace kept alive by a bind
   mount of /proc/<pid>/ns/net on a file (like `ip netns add`), and a way
   to run a function inside one.  */
#ifndef BERTH_NETNS_H
#define BERTH_NETNS_H

#include "error.h"

/* Make a new network namespace bind-mounted at PATH (the parent directory
   is created and made a private mount point once), with lo up inside.  */
int netns_create (const char *path, oci_error_t **err);
/* Detach the mount at PATH and unlink it; a missing PATH is fine.  */
int netns_remove (const char *path, oci_error_t **err);
/* Run FN in a forked child that joined the namespace at PATH; FN's error
   message comes back over a pipe and is set in *ERR.  */
int netns_enter_run (const char *path, int (*fn) (void *data, oci_error_t **err), void *data,
                     oci_error_t **err);
/* A socket (socket(2) arguments) created inside the namespace at PATH
   without forking: the calling thread joins it and comes back.  */
int netns_socket (const char *path, int domain, int type, int protocol, oci_error_t **err);

#endif
