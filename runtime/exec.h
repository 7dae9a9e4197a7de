/* hull exec: run one more process in a running container.  It joins every
   namespace of the container's init (user first), its cgroup and its root,
   and is set up by the same process_prepare/process_exec as the init.  */
#ifndef HULL_EXEC_H
#define HULL_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hull.h"

struct hull_exec_opts
{
  const char *id;
  const char *process_file; /* --process: a runtime-spec process object */
  char **args;              /* the command after the ID (CLI form) */
  bool tty;
  bool detach;
  const char *console_socket;
  const char *pid_file;
  const char *cwd;
  char **env;       /* -e, appended to (or replacing) the container's env */
  const char *user; /* "uid[:gid]" */
  uint32_t *gids;   /* --additional-gids */
  size_t gids_len;
  char **caps; /* --cap: added to the container's sets, as runc */
  bool no_new_privs;
  const char *apparmor;
  const char *process_label;
  int preserve_fds;
  const char *cgroup; /* --cgroup "sub" or "ctrl[,ctrl]:sub" */
  bool ignore_paused;
};

/* Foreground: the process's exit status (128+signal when killed);
   detached: 0 once the process was exec'd.  -1 with err on failure.  */
int container_exec (struct hull_globals *g, const struct hull_exec_opts *o, oci_error_t **err);

#endif
