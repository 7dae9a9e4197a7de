/* The dynamic state of a container, as its monitor left it in the
   container dir: the state file (one line of key=value words), the
   monitor.lock flock (held while the monitor lives), the paused marker and
   health.json.  */
#include "config.h"
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "fileutil.h"
#include "manager/container/monitor_proto.h"
#include "util.h"

#define STATE_FILE_MAX  4096
#define HEALTH_FILE_MAX (1024 * 1024)

const char *
container_status_name (enum container_status st)
{
  switch (st)
    {
    case CONTAINER_CREATED:
      return "created";
    case CONTAINER_RUNNING:
      return "running";
    case CONTAINER_PAUSED:
      return "paused";
    case CONTAINER_RESTARTING:
      return "restarting";
    case CONTAINER_EXITED:
      return "exited";
    case CONTAINER_DEAD:
      return "dead";
    }
  return "unknown";
}

/* What the state file says, before the liveness checks.  */
struct state_words
{
  char status[16];
  bool has_finished;
};

static bool
parse_int64 (const char *v, int64_t *out)
{
  char *end;
  long long n;

  errno = 0;
  n = strtoll (v, &end, 10);
  if (errno != 0 || end == v || *end != '\0')
    return false;
  *out = n;
  return true;
}

static void
state_word (struct container_state *st, struct state_words *w, const char *key, const char *value)
{
  int64_t n = 0;

  if (streq (key, "status"))
    snprintf (w->status, sizeof w->status, "%s", value);
  else if (!parse_int64 (value, &n))
    return; /* a malformed number reads as absent */
  else if (streq (key, "pid"))
    st->pid = (pid_t) n;
  else if (streq (key, "started"))
    st->started_ns = n;
  else if (streq (key, "finished"))
    {
      st->finished_ns = n;
      w->has_finished = n > 0;
    }
  else if (streq (key, "exit"))
    st->exit_code = (int) n;
  else if (streq (key, "restarts"))
    st->restart_count = (int) n;
  else if (streq (key, "oom"))
    st->oom_killed = n != 0;
  /* unknown keys are ignored: newer monitors may write more */
}

static void
state_parse (char *text, struct container_state *st, struct state_words *w)
{
  char *save = NULL;

  for (char *tok = strtok_r (text, " \t\r\n", &save); tok; tok = strtok_r (NULL, " \t\r\n", &save))
    {
      char *eq = strchr (tok, '=');

      if (eq == NULL)
        continue;
      *eq = '\0';
      state_word (st, w, tok, eq + 1);
    }
}

/* Whether the monitor holds its lock; its pid (from monitor.pid) when so.  */
static bool
monitor_alive (const char *cdir, pid_t *pid)
{
  cleanup_free char *lock = NULL;
  cleanup_free char *pidfile = NULL;
  cleanup_free char *text = NULL;
  cleanup_close int fd = -1;
  cleanup_error oci_error_t *err = NULL;
  int64_t n = 0;
  size_t len;

  *pid = 0;
  xasprintf (&lock, "%s/%s", cdir, MONITOR_LOCK_FILE);
  fd = open (lock, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return false;
  if (flock (fd, LOCK_SH | LOCK_NB) == 0)
    return false; /* nobody holds it: the lock is released on our close */
  if (errno != EWOULDBLOCK)
    return false;
  xasprintf (&pidfile, "%s/%s", cdir, MONITOR_PID_FILE);
  if (read_file_max (pidfile, 64, &text, &len, &err) == 0)
    {
      text[strcspn (text, " \t\r\n")] = '\0';
      if (parse_int64 (text, &n) && n > 0)
        *pid = (pid_t) n;
    }
  return true;
}

static void
health_read (const char *cdir, struct container_state *st)
{
  const char *status_path[] = { "Status", NULL };
  const char *streak_path[] = { "FailingStreak", NULL };
  const char *status;
  cleanup_free char *path = NULL;
  cleanup_free char *text = NULL;
  cleanup_error oci_error_t *err = NULL;
  yajl_val tree, v;
  size_t len;

  xasprintf (&path, "%s/%s", cdir, MONITOR_HEALTH_FILE);
  if (read_file_max (path, HEALTH_FILE_MAX, &text, &len, &err) < 0)
    return;
  tree = yajl_tree_parse (text, NULL, 0);
  if (tree == NULL)
    return;
  v = yajl_tree_get (tree, status_path, yajl_t_string);
  status = v ? YAJL_GET_STRING (v) : NULL;
  if (status && (streq (status, "starting") || streq (status, "healthy") || streq (status, "unhealthy")))
    snprintf (st->health, sizeof st->health, "%s", status);
  v = yajl_tree_get (tree, streak_path, yajl_t_number);
  if (v && YAJL_IS_INTEGER (v))
    st->health_failing_streak = (int) YAJL_GET_INTEGER (v);
  yajl_tree_free (tree);
}

static bool
file_exists_in (const char *cdir, const char *name)
{
  cleanup_free char *path = NULL;

  xasprintf (&path, "%s/%s", cdir, name);
  return access (path, F_OK) == 0;
}

/* Alive and not a zombie waiting for its parent (init may reap the
   orphaned init of a container whose monitor died only much later).  */
static bool
pid_alive (pid_t pid)
{
  char path[64], buf[512];
  const char *p;
  ssize_t n;
  int fd;

  if (pid <= 0 || (kill (pid, 0) < 0 && errno != EPERM))
    return false;
  snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  n = read (fd, buf, sizeof buf - 1);
  close (fd);
  if (n <= 0)
    return false;
  buf[n] = '\0';
  p = strrchr (buf, ')');
  return p == NULL || (p[1] != ' ' || (p[2] != 'Z' && p[2] != 'X'));
}

/* The state file said running or restarting but no monitor holds the
   lock (killed, or the machine rebooted).  */
static void
state_without_monitor (struct container_state *st, bool has_finished)
{
  if (pid_alive (st->pid))
    {
      st->status = CONTAINER_RUNNING;
      return;
    }
  st->status = CONTAINER_EXITED;
  st->pid = 0;
  if (!has_finished)
    st->exit_code = 255;
}

static void
state_resolve (const char *cdir, struct container_state *st, const struct state_words *w)
{
  bool live_status = streq (w->status, "running") || streq (w->status, "restarting");

  if (streq (w->status, "created") || w->status[0] == '\0')
    st->status = CONTAINER_CREATED;
  else if (streq (w->status, "exited"))
    st->status = CONTAINER_EXITED;
  else if (!live_status)
    st->status = CONTAINER_DEAD;
  else if (!st->monitor_alive)
    state_without_monitor (st, w->has_finished);
  else
    st->status = streq (w->status, "running") ? CONTAINER_RUNNING : CONTAINER_RESTARTING;
  if (st->status == CONTAINER_RUNNING && file_exists_in (cdir, MONITOR_PAUSED_FILE))
    st->status = CONTAINER_PAUSED;
  if (st->status != CONTAINER_RUNNING && st->status != CONTAINER_PAUSED)
    st->pid = 0;
}

int
container_state_read (const char *cdir, struct container_state *st, oci_error_t **err)
{
  cleanup_free char *path = NULL;
  cleanup_free char *text = NULL;
  struct state_words w = { 0 };
  size_t len;

  memset (st, 0, sizeof *st);
  st->monitor_alive = monitor_alive (cdir, &st->monitor_pid);
  xasprintf (&path, "%s/%s", cdir, MONITOR_STATE_FILE);
  if (read_file_max (path, STATE_FILE_MAX, &text, &len, err) < 0)
    {
      if ((*err)->status != ENOENT)
        return -1;
      oci_error_free (err);
      text = NULL;
    }
  if (text)
    state_parse (text, st, &w);
  state_resolve (cdir, st, &w);
  health_read (cdir, st);
  return 0;
}

/* docker's units.HumanDuration.  */
char *
container_duration_human (int64_t ns)
{
  int64_t secs = ns / 1000000000;
  int64_t mins = secs / 60;
  int64_t hours = (ns + 1800 * (int64_t) 1000000000) / ((int64_t) 3600 * 1000000000);
  char *s;

  if (secs < 1)
    return xstrdup ("Less than a second");
  if (secs == 1)
    return xstrdup ("1 second");
  if (secs < 60)
    xasprintf (&s, "%lld seconds", (long long) secs);
  else if (mins == 1)
    return xstrdup ("About a minute");
  else if (mins < 60)
    xasprintf (&s, "%lld minutes", (long long) mins);
  else if (hours == 1)
    return xstrdup ("About an hour");
  else if (hours < 48)
    xasprintf (&s, "%lld hours", (long long) hours);
  else if (hours < 24 * 7 * 2)
    xasprintf (&s, "%lld days", (long long) (hours / 24));
  else if (hours < 24 * 30 * 2)
    xasprintf (&s, "%lld weeks", (long long) (hours / 24 / 7));
  else if (hours < 24 * 365 * 2)
    xasprintf (&s, "%lld months", (long long) (hours / 24 / 30));
  else
    xasprintf (&s, "%lld years", (long long) (secs / 3600 / 24 / 365));
  return s;
}

static int64_t
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_REALTIME, &ts);
  return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static char *
since (int64_t now, int64_t then)
{
  return container_duration_human (then > 0 && now > then ? now - then : 0);
}

char *
container_status_human_at (const struct container_state *st, int64_t now)
{
  cleanup_free char *d = NULL;
  char *s;

  switch (st->status)
    {
    case CONTAINER_RUNNING:
    case CONTAINER_PAUSED:
      d = since (now, st->started_ns);
      if (st->status == CONTAINER_PAUSED)
        xasprintf (&s, "Up %s (Paused)", d);
      else if (streq (st->health, "starting"))
        xasprintf (&s, "Up %s (health: starting)", d);
      else if (st->health[0])
        xasprintf (&s, "Up %s (%s)", d, st->health);
      else
        xasprintf (&s, "Up %s", d);
      return s;
    case CONTAINER_RESTARTING:
      d = since (now, st->finished_ns);
      xasprintf (&s, "Restarting (%d) %s ago", st->exit_code, d);
      return s;
    case CONTAINER_DEAD:
      return xstrdup ("Dead");
    case CONTAINER_CREATED:
      return xstrdup ("Created");
    case CONTAINER_EXITED:
      break;
    }
  if (st->started_ns == 0)
    return xstrdup ("Created");
  if (st->finished_ns == 0)
    xasprintf (&s, "Exited (%d)", st->exit_code);
  else
    {
      d = since (now, st->finished_ns);
      xasprintf (&s, "Exited (%d) %s ago", st->exit_code, d);
    }
  return s;
}

char *
container_status_human (const struct container_state *st)
{
  return container_status_human_at (st, now_ns ());
}
