/* Reading the dynamic state of a container: what its monitor wrote in the
   container dir (state, monitor.lock, monitor.pid, paused, health.json).  */
#ifndef BERTH_CONTAINER_STATE_H
#define BERTH_CONTAINER_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

enum container_status
{
  CONTAINER_CREATED,
  CONTAINER_RUNNING,
  CONTAINER_PAUSED,
  CONTAINER_RESTARTING,
  CONTAINER_EXITED,
  CONTAINER_DEAD
};

struct container_state
{
  enum container_status status;
  pid_t pid;                       /* container init pid (0 when not running) */
  pid_t monitor_pid;               /* 0 when no live monitor */
  bool monitor_alive;              /* monitor.lock is held (flock LOCK_SH|LOCK_NB fails) */
  int64_t started_ns, finished_ns; /* 0 when never */
  int exit_code;
  int restart_count;
  bool oom_killed;
  char health[16]; /* "" (none), "starting", "healthy", "unhealthy" (from health.json) */
  int health_failing_streak;
};

/* No state file → CREATED.  State says running/restarting but the monitor
   is dead: RUNNING when kill (pid, 0) succeeds, else EXITED with exit_code
   255 (unless the state has a finished time).  running + <cdir>/paused →
   PAUSED.  */
int container_state_read (const char *cdir, struct container_state *st, oci_error_t **err);
/* created running paused restarting exited dead */
const char *container_status_name (enum container_status st);
/* ps STATUS: "Created", "Up 3 minutes", "Up 3 minutes (Paused)",
   "Up 2 seconds (healthy)", "Exited (0) 2 seconds ago",
   "Restarting (1) 3 seconds ago".  Caller frees.  */
char *container_status_human (const struct container_state *st);

/* The same at a given time (ns since the epoch), for tests.  */
char *container_status_human_at (const struct container_state *st, int64_t now_ns);
/* docker's duration wording: "Less than a second", "1 second",
   "5 seconds", "About a minute", "3 minutes", "About an hour", "5 hours",
   "3 days", "2 weeks", "3 months", "2 years".  Caller frees.  */
char *container_duration_human (int64_t ns);

#endif
