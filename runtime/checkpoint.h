/* hull checkpoint / restore through the criu binary (runc's flags).  Both
   run `criu check` first: when the kernel or criu cannot do it here the
   command fails saying why, in criu's own words.  */
#ifndef HULL_CHECKPOINT_H
#define HULL_CHECKPOINT_H

#include <stdbool.h>

#include "hull.h"

struct hull_criu_opts
{
  const char *id;
  const char *image_path; /* default: <cwd>/checkpoint */
  const char *work_path;  /* default: image_path */
  bool leave_running;     /* checkpoint */
  bool tcp_established;
  bool ext_unix_sk;
  bool shell_job;
  bool file_locks;
  /* restore */
  const char *bundle;
  const char *pid_file;
  const char *console_socket;
  bool detach;
};

int container_checkpoint (struct hull_globals *g, const struct hull_criu_opts *o, oci_error_t **err);
/* Foreground (no --detach): waits for the restored init and returns its
   exit status.  */
int container_restore (struct hull_globals *g, const struct hull_criu_opts *o, oci_error_t **err);

#endif
