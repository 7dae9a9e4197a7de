/* The OCI runtime of berth: which binary (--runtime, berth.conf, hull
   next to berth, hull in PATH), where its state lives (<runroot>/runtime)
   and running it as `RUNTIME --root STATE ARGS...`.  */
#ifndef BERTH_CONTAINER_RUNTIME_H
#define BERTH_CONTAINER_RUNTIME_H

#include "error.h"
#include "manager/cli/common.h"

/* name NULL: --runtime, else `runtime = PATH` in
   $BERTH_CONFIG_DIR/berth.conf (default /etc/berth/berth.conf), else hull
   next to /proc/self/exe, else hull in PATH.  Names without '/' are
   searched in PATH.  *path is absolute.  */
int runtime_resolve (struct berth_globals *g, const char *name, char **path, oci_error_t **err);

/* --runroot, else /run/berth for the default data root, else <root>/run.
   Newly allocated.  */
char *berth_runroot (struct berth_globals *g);

/* <runroot>/runtime: the runtime's --root.  Newly allocated.  */
char *runtime_state_root (struct berth_globals *g);

/* Run `runtime --root <state root> ARGS...` (args NULL-terminated) and
   wait for it.  out non-NULL: its stdout (NUL-terminated).  Failure: the
   error message is the runtime's last stderr line (JSON log lines
   decoded: their "msg").  */
int runtime_run (struct berth_globals *g, const char *runtime, char *const *args, char **out,
                 oci_error_t **err);

#endif
