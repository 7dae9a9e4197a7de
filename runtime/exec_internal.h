/* Private to exec.c and exec_process.c.  */
#ifndef HULL_EXEC_INTERNAL_H
#define HULL_EXEC_INTERNAL_H

#include "exec.h"
#include "runtime_spec.h"
#include "state.h"

/* The container's saved config.json with spec->process replaced by the
   process to exec: the --process file, or the container's own process
   changed by the CLI flags (args, env, cwd, user, caps, ...).  */
int exec_load_process (const struct hull_container *c, const struct hull_exec_opts *o, struct oci_spec **out,
                       oci_error_t **err);
/* Put pid into the container's cgroup (or the --cgroup sub-cgroup).  A
   container without a cgroup (rootless without delegation) is no error
   unless a sub-cgroup was asked for.  */
int exec_enter_cgroup (const struct hull_container *c, const char *sub, pid_t pid, oci_error_t **err);

#endif
