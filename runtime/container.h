/* The parent side of the container lifecycle: create (clone the init and
   drive it through the sync protocol), start, kill, delete, and the
   foreground wait of `hull run`.  */
#ifndef HULL_CONTAINER_H
#define HULL_CONTAINER_H

#include <stdbool.h>
#include <sys/types.h>

#include "cgroup.h"
#include "hull.h"
#include "runtime_spec.h"
#include "state.h"

struct hull_create_opts
{
  const char *id;
  const char *bundle;         /* NULL: the current directory */
  const char *pid_file;       /* NULL: none */
  const char *console_socket; /* NULL: none */
  bool no_pivot;
  bool no_new_keyring;
  bool foreground; /* `run` without -d: a terminal's master stays in hull */
  int preserve_fds;
};

struct hull_created
{
  pid_t pid;
  int pty_master; /* foreground run with process.terminal, else -1 */
};

int container_create (struct hull_globals *g, const struct hull_create_opts *o, struct hull_created *out,
                      oci_error_t **err);
int container_start (struct hull_globals *g, const char *id, oci_error_t **err);
/* all: every process of the container, not only its init.  */
int container_kill (struct hull_globals *g, const char *id, int sig, bool all, oci_error_t **err);
int container_delete (struct hull_globals *g, const char *id, bool force, oci_error_t **err);
/* Wait for the foreground container's init (hull's child), forwarding
   signals and copying the pty when pty_master >= 0.  Returns its exit
   status, 128+signal when killed.  */
int container_wait_foreground (pid_t pid, int pty_master, oci_error_t **err);

/* The container's cgroup (container_cgroup.c).  setup resolves
   linux.cgroupsPath (systemd_cgroup: slice:prefix:name) and creates it
   with linux.resources plus runc's always-allowed devices; with place,
   before the init exists (*place tells how it enters, see cgroup.h),
   else moving pid in; *path is the absolute path to record, NULL (and
   *place empty) when a rootless container without resources could not
   have one.  kill signals every process in it (thawing a paused one for
   SIGKILL); remove kills what is left and removes the cgroup (path NULL:
   nothing).  */
int container_cgroup_setup (const struct oci_spec *spec, const char *id, bool systemd_cgroup, bool rootless,
                            pid_t pid, struct cgroup_placement *place, char **path, oci_error_t **err);
int container_cgroup_kill (const char *path, int sig, oci_error_t **err);
int container_cgroup_remove (const char *path, oci_error_t **err);
/* Open a container under its lock for the cgroup commands (pause, resume,
   ps, update, events): it must have a cgroup.  */
int container_open_cgroup (struct hull_globals *g, const char *id, struct hull_container *c,
                           oci_error_t **err);

/* "KILL", "SIGKILL", "9" -> 9; -1 with err when unknown.  */
int container_parse_signal (const char *s, oci_error_t **err);

#endif
