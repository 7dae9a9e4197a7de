/* Namespaces: OCI type names <-> CLONE_* flags, joining by path, user
   namespace id mappings, time namespace offsets.  */
#ifndef HULL_NAMESPACES_H
#define HULL_NAMESPACES_H

#include <sys/types.h>

#include "init.h"

/* CLONE_NEW* flag for an OCI namespace type ("pid", "network", ...), 0 if unknown.  */
int ns_flag_from_type (const char *type);
/* Validate linux.namespaces (duplicates, user ns mappings present only with
   a user ns, timeOffsets only with a time ns, ...) with the spec's errors.  */
int ns_validate (const struct oci_spec *spec, oci_error_t **err);
/* Flags of the namespaces to create (those without a path).  */
unsigned long ns_new_flags (const struct oci_spec *spec);
/* In the child: join every namespace that has a path (user first), then
   unshare the new ones that clone() did not create; fork once more when a
   pid namespace was joined (see SYNC_CHILD_PID in init.h).  It is the
   child's first step that still sees the host's filesystem, so it also
   connects to linux.seccomp.listenerPath (seccomp_listener_connect).  */
int ns_join_and_unshare (struct hull_init_ctx *ctx, oci_error_t **err);
/* In the parent: write uid_map/gid_map (and setgroups=deny when rootless)
   for pid from linux.uidMappings/gidMappings.  */
int ns_write_id_mappings (pid_t pid, const struct oci_spec *spec, bool rootless, oci_error_t **err);
/* In the child after unshare(CLONE_NEWTIME): write linux.timeOffsets and
   enter the namespace.  */
int ns_setup_time (const struct oci_spec *spec, oci_error_t **err);

#endif
