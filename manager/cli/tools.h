/* Shared by the commands that work on a container's insides (exec, top,
   stats, cp, diff, commit, healthcheck): loading a container with its
   state and docker-shaped Config, and running its OCI runtime.  The
   functions live in exec.c.  */
#ifndef BERTH_CLI_TOOLS_H
#define BERTH_CLI_TOOLS_H

#include <stdbool.h>
#include <sys/types.h>
#include <yajl/yajl_tree.h>

#include "common.h"
#include "image_spec.h"
#include "manager/container/state.h"
#include "manager/store/containers.h"

struct tool_ctr
{
  struct store_container *c;
  char *cdir;
  struct container_state st;
  struct oci_image_config *wrap; /* wrap->config: create.json's Config */
  yajl_val record;               /* the whole create.json */
};

/* Look up ref, read its state and record.  */
int tool_ctr_open (struct berth_globals *g, const char *ref, struct tool_ctr *t, oci_error_t **err);
void tool_ctr_clear (struct tool_ctr *t);
/* EINVAL "container ID is not running" unless running (or paused when
   allow_paused).  */
int tool_ctr_require_running (const struct tool_ctr *t, bool allow_paused, oci_error_t **err);
/* A HostConfig member of the record (NULL when absent).  */
yajl_val tool_ctr_host_config (const struct tool_ctr *t, const char *key);

/* argv of `RUNTIME --root STATE ARGS...` (caller frees with strv_free).  */
char **tool_runtime_argv (struct berth_globals *g, const struct tool_ctr *t, char *const *args);
/* fork + exec argv with our stdio (or /dev/null for stdin/out when asked);
   returns the child's pid.  */
pid_t tool_spawn (char *const *argv, bool null_stdin, bool null_stdout, oci_error_t **err);
/* waitpid and turn the status into an exit code (128+signal).  */
int tool_wait (pid_t pid);
/* A temporary directory /tmp/berth-TAG-XXXXXX (for process.json, pid
   files and console sockets short enough for sun_path).  */
char *tool_tmpdir (const char *tag, oci_error_t **err);

/* For a command in the container (its user, env, cwd, caps): a temp dir
   (*tmpdir, remove it after) holding *process_file for `runtime exec
   --process`.  A command that cannot run: -1 with *code 126 or 127.  */
int tool_exec_prepare (const struct tool_ctr *t, char **cmd, char **tmpdir, char **process_file, int *code,
                       oci_error_t **err);

#endif
