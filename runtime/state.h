/* The state store: one directory per container under --root, holding
   hull's state.json, a copy of the bundle's config.json and, between create
   and start, the exec.fifo.  Every command that looks at or changes a
   container holds an exclusive flock on its directory.  */
#ifndef HULL_STATE_H
#define HULL_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "json.h"

#define HULL_STATE_FILE  "state.json"
#define HULL_CONFIG_FILE "config.json"
#define HULL_EXEC_FIFO   "exec.fifo"

/* hull's own record of a container (state.json in its directory).  */
struct hull_state
{
  char *id;
  int32_t init_pid;
  bool init_pid_present;
  uint64_t init_start_time; /* /proc/<pid>/stat field 22, detects pid reuse */
  bool init_start_time_present;
  char *bundle;
  char *rootfs;
  char *created; /* RFC3339Nano */
  char *owner;
  bool own_pid_ns; /* the container has a pid namespace of its own */
  bool own_pid_ns_present;
  /* The container's cgroup, absolute in every hierarchy (cgroup.h's
     cgroup_resolve_path); NULL when none was made (rootless, no access). */
  char *cgroup_path;
  struct oci_map annotations;
};

extern const struct oci_json_type hull_state_type;

enum hull_status
{
  HULL_STATUS_CREATING,
  HULL_STATUS_CREATED,
  HULL_STATUS_RUNNING,
  HULL_STATUS_STOPPED,
  HULL_STATUS_PAUSED, /* created or running, its cgroup frozen */
};

/* A container open under its lock.  */
struct hull_container
{
  char *id;
  char *dir; /* <root>/<id> */
  int dirfd; /* O_DIRECTORY, flock'ed */
  struct hull_state *state;
  /* The directory exists without state.json although we hold its lock: a
     create that was killed (its init died with it).  Only removal makes
     sense; state_open fails with ENOENT then.  */
  bool abandoned;
};

/* ID rules of runc: non-empty, at most 1024 characters of [A-Za-z0-9_+.-],
   not "." or "..".  */
int state_validate_id (const char *id, oci_error_t **err);
/* mkdir <root>/<id> (and root itself when missing) and lock it.  EEXIST
   gives "container with id exists: ID".  */
int state_create_dir (const char *root, const char *id, struct hull_container *c, oci_error_t **err);
/* Open and lock an existing container and load its state.json.  A missing
   one gives "container does not exist".  */
int state_open (const char *root, const char *id, struct hull_container *c, oci_error_t **err);
/* Write c->state atomically.  */
int state_save (struct hull_container *c, oci_error_t **err);
/* Remove the container's directory (the lock goes with it).  */
int state_remove (struct hull_container *c, oci_error_t **err);
void state_container_clear (struct hull_container *c);

/* The name of our effective uid in the host's /etc/passwd ("#<uid>" when
   it has none), for the state's owner field.  Read directly: no NSS, so a
   static hull needs no shared libraries at run time.  */
char *state_owner_name (void);

/* --pid-file: the pid without a newline, replaced atomically (as runc).
   path NULL: nothing to do.  */
int state_write_pid_file (const char *path, pid_t pid, oci_error_t **err);

/* The start time of pid from /proc/<pid>/stat; -1 if it is gone or a
   zombie.  */
int state_proc_start_time (pid_t pid, uint64_t *start_time);
/* Whether the container's init is the same live process.  */
bool state_init_alive (const struct hull_container *c);
enum hull_status state_status (const struct hull_container *c);
const char *state_status_name (enum hull_status s);

/* The runtime-spec state JSON (ociVersion, id, status, pid, bundle,
   annotations) given to hooks.  */
char *state_hook_json (const char *id, const char *status, pid_t pid, const char *bundle,
                       const struct oci_map *annotations);
/* runc's `state` output (pretty-printed with two-space indentation, an
   empty owner) and `list --format json` element (compact, with owner).  */
char *state_runc_json (const struct hull_container *c, bool pretty);

#endif
