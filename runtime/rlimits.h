/* process.rlimits: RLIMIT_* names and setrlimit with errors that name the
   limit and the host's hard limit.  Private to process.c.  */
#ifndef HULL_RLIMITS_H
#define HULL_RLIMITS_H

#include <stddef.h>

#include "runtime_spec.h"

/* "RLIMIT_NOFILE" -> RLIMIT_NOFILE; -1 when unknown.  */
int rlimit_from_name (const char *name);
int rlimits_apply (const struct oci_rlimit *limits, size_t n, oci_error_t **err);

#endif
