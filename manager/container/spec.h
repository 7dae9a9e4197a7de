/* The OCI runtime configuration (config.json) of a container, generated
   from its record (create.json) with docker's defaults: capabilities,
   mounts, masked paths, namespaces, cgroup resources, seccomp.  */
#ifndef BERTH_CONTAINER_SPEC_H
#define BERTH_CONTAINER_SPEC_H

#include "error.h"
#include "record.h"
#include "runtime_spec.h"

/* Namespaces to join instead of creating ("container:NAME" modes): paths
   such as "/proc/PID/ns/net", or NULL.  */
struct container_ns_join
{
  const char *net, *ipc, *pid;
};

/* Build the runtime config of container id.  rootfs: the mounted merged
   dir (absolute); cdir: the container dir (hosts, hostname, resolv.conf
   are bind-mounted from there).  Mounts in r->mounts must already have
   host sources.  Reads the rootfs (user, HOME) but writes nothing.  */
int container_spec_build (const struct container_record *r, const char *id, const char *rootfs,
                          const char *cdir, const struct container_ns_join *join, struct oci_spec **out,
                          oci_error_t **err);

/* Write s as <cdir>/config.json, atomically.  */
int container_spec_write (const struct oci_spec *s, const char *cdir, oci_error_t **err);

/* Bring the loopback interface up in the network namespace at
   netns_path ("/proc/PID/ns/net"): docker's networking does it for every
   new network namespace, runc does not (crun does).  Call it between
   `runtime create` and `runtime start` when config.json has a new
   network namespace.  Runs in a short-lived child, berth's own namespace
   is left alone.  */
int container_netns_loopback_up (const char *netns_path, oci_error_t **err);

/* docker's default capability set, "CAP_"-prefixed, NULL-terminated.  */
extern const char *const container_default_caps[];
/* Every capability that can be given (known and in our own bounding set:
   what --privileged grants), in number order; caller frees (strv).  */
char **container_caps_available (void);
/* process.user from -u USER[:GROUP] (NULL: root) and --group-add, resolved
   inside the root at rootfd (user.h); *home gets the user's home.  */
int container_process_set_user (struct oci_process *p, int rootfd, const char *user, char *const *group_add,
                                char **home, oci_error_t **err);

/* Our default seccomp profile (seccomp_default.c) for a process with the
   capabilities caps ("CAP_"-prefixed, NULL-terminated): docker's
   allowlist semantics, the rules that depend on a capability resolved.  */
struct oci_seccomp *container_seccomp_default (char *const *caps);

void container_seccomp_free (struct oci_seccomp *sc);

/* A seccomp profile file in docker's format (which is also the OCI one:
   "names", "action", "args", plus docker's "archMap", "includes" and
   "excludes" conditions on caps, arches and minKernel), the conditions
   resolved for caps and this host.  Errors name the file.  */
int container_seccomp_load (const char *path, char *const *caps, struct oci_seccomp **out, oci_error_t **err);
/* The same from the profile's text (docker's CLI sends the file's content
   as "seccomp=<JSON>"); source names it in errors.  */
int container_seccomp_parse (const char *data, size_t len, const char *source, char *const *caps,
                             struct oci_seccomp **out, oci_error_t **err);

#endif
