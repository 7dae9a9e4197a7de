/* OCI hooks: run each with its args, env and timeout, the container state
   JSON on stdin.  */
#ifndef HULL_HOOKS_H
#define HULL_HOOKS_H

#include "runtime_spec.h"

/* kind is the JSON name ("prestart", "createRuntime", ...), for errors.
   Returns -1 with err set when a hook fails, times out or cannot run.  */
int hooks_run (const char *kind, const struct oci_hook *hooks, size_t n, const char *state_json,
               oci_error_t **err);

#endif
