/* linux.seccomp -> a libseccomp filter.  */
#ifndef HULL_SECCOMP_FILTER_H
#define HULL_SECCOMP_FILTER_H

#include <seccomp.h>

#include "runtime_spec.h"

/* Build (not load) the filter; unknown syscall names are skipped as runc
   does, unknown actions/archs/operators are errors naming the field.  */
int seccomp_filter_build (const struct oci_seccomp *spec, scmp_filter_ctx *out, oci_error_t **err);
/* Load it with the spec's flags; with listenerPath, send the notify fd and
   the state to the listener.  Returns 0 or -1.  */
int seccomp_filter_load (const struct oci_seccomp *spec, scmp_filter_ctx ctx, const char *state_json,
                         oci_error_t **err);

#endif
