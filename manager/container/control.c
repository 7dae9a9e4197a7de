/* stop, kill, remove and wait: berth runs the OCI runtime itself and
   watches the files berth-monitor keeps in the container dir.  */
#include "config.h"
#include "control.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "fileutil.h"
#include "manager/container/attach.h"
#include "manager/container/monitor_proto.h"
#include "manager/container/runtime.h"
#include "manager/container/state.h"
#include "manager/network/setup.h"
#include "manager/store/volumes.h"
#include "util.h"

#define POLL_MS 50

static const struct
{
  const char *name;
  int sig;
} signals[] = {
  { "HUP", SIGHUP },       { "INT", SIGINT },   { "QUIT", SIGQUIT },     { "ILL", SIGILL },
  { "TRAP", SIGTRAP },     { "ABRT", SIGABRT }, { "IOT", SIGIOT },       { "BUS", SIGBUS },
  { "FPE", SIGFPE },       { "KILL", SIGKILL }, { "USR1", SIGUSR1 },     { "SEGV", SIGSEGV },
  { "USR2", SIGUSR2 },     { "PIPE", SIGPIPE }, { "ALRM", SIGALRM },     { "TERM", SIGTERM },
  { "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD }, { "CONT", SIGCONT },     { "STOP", SIGSTOP },
  { "TSTP", SIGTSTP },     { "TTIN", SIGTTIN }, { "TTOU", SIGTTOU },     { "URG", SIGURG },
  { "XCPU", SIGXCPU },     { "XFSZ", SIGXFSZ }, { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF },
  { "WINCH", SIGWINCH },   { "IO", SIGIO },     { "POLL", SIGPOLL },     { "PWR", SIGPWR },
  { "SYS", SIGSYS },
};

int
container_parse_signal (const char *s, oci_error_t **err)
{
  const char *name = s;
  char *end;
  long n;

  if (s == NULL || *s == '\0')
    return oci_error_set (err, EINVAL, "Invalid signal: %s", s ? s : "");
  n = strtol (s, &end, 10);
  if (*end == '\0' && isdigit ((unsigned char) *s))
    {
      if (n < 1 || n > SIGRTMAX)
        return oci_error_set (err, EINVAL, "Invalid signal: %s", s);
      return (int) n;
    }
  if (strncasecmp (name, "SIG", 3) == 0)
    name += 3;
  for (size_t i = 0; i < ARRAY_SIZE (signals); i++)
    if (strcasecmp (name, signals[i].name) == 0)
      return signals[i].sig;
  if (strncasecmp (name, "RTMIN", 5) == 0 || strncasecmp (name, "RTMAX", 5) == 0)
    {
      bool min = strncasecmp (name, "RTMIN", 5) == 0;
      long off = 0;

      if (name[5] != '\0')
        {
          off = strtol (name + 5, &end, 10);
          if (*end != '\0')
            return oci_error_set (err, EINVAL, "Invalid signal: %s", s);
        }
      n = min ? SIGRTMIN + off : SIGRTMAX + off;
      if (n >= SIGRTMIN && n <= SIGRTMAX)
        return (int) n;
    }
  return oci_error_set (err, EINVAL, "Invalid signal: %s", s);
}

static yajl_val
record_get (yajl_val root, const char *const *path)
{
  const char *p[8];
  size_t n = 0;

  for (; path[n] && n + 1 < ARRAY_SIZE (p); n++)
    p[n] = path[n];
  p[n] = NULL;
  return root ? yajl_tree_get (root, p, yajl_t_any) : NULL;
}

char *
container_record_string (const struct store_container *c, const char *const *path)
{
  yajl_val root = c->record ? yajl_tree_parse (c->record, NULL, 0) : NULL;
  yajl_val v = record_get (root, path);
  char *ret = v && YAJL_IS_STRING (v) ? xstrdup (YAJL_GET_STRING (v)) : NULL;

  if (root)
    yajl_tree_free (root);
  return ret;
}

long long
container_record_int (const struct store_container *c, const char *const *path, long long dflt)
{
  yajl_val root = c->record ? yajl_tree_parse (c->record, NULL, 0) : NULL;
  yajl_val v = record_get (root, path);
  long long ret = v && YAJL_IS_INTEGER (v) ? YAJL_GET_INTEGER (v) : dflt;

  if (root)
    yajl_tree_free (root);
  return ret;
}

int64_t
container_now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_REALTIME, &ts);
  return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

char *
container_time_rfc3339 (int64_t ns)
{
  time_t t = (time_t) (ns / 1000000000);
  long frac = (long) (ns % 1000000000);
  char buf[64], fbuf[16];
  struct tm tm;
  size_t l;

  if (ns <= 0)
    return xstrdup ("0001-01-01T00:00:00Z");
  gmtime_r (&t, &tm);
  strftime (buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  if (frac)
    {
      snprintf (fbuf, sizeof fbuf, ".%09ld", frac);
      for (l = strlen (fbuf); fbuf[l - 1] == '0'; l--)
        fbuf[l - 1] = '\0';
      strcat (buf, fbuf);
    }
  strcat (buf, "Z");
  return xstrdup (buf);
}

static __thread int64_t dir_size_total;

static int
dir_size_cb (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  (void) path;
  (void) ftw;
  if (flag == FTW_F || flag == FTW_SL)
    dir_size_total += st->st_size;
  return 0;
}

int64_t
container_dir_size (const char *path)
{
  dir_size_total = 0;
  nftw (path, dir_size_cb, 32, FTW_PHYS);
  return dir_size_total;
}

/* "1h30m", "10s", "1.5h", "300ms" → ns; -1 when not a duration.  */
static int64_t
parse_duration (const char *s)
{
  static const struct
  {
    const char *unit;
    double ns;
  } units[] = { { "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 }, { "m", 60e9 }, { "h", 3600e9 } };
  double total = 0;

  if (*s == '\0')
    return -1;
  while (*s)
    {
      char *end;
      double v = strtod (s, &end);
      size_t best = 0, best_len = 0;

      if (end == s || !isdigit ((unsigned char) *s))
        return -1;
      for (size_t i = 0; i < ARRAY_SIZE (units); i++)
        {
          size_t l = strlen (units[i].unit);

          if (strncmp (end, units[i].unit, l) == 0 && l > best_len)
            best = i, best_len = l;
        }
      if (best_len == 0)
        return -1;
      total += v * units[best].ns;
      s = end + best_len;
    }
  return (int64_t) total;
}

int
container_parse_time (const char *s, int64_t now_ns, int64_t *out_ns, oci_error_t **err)
{
  int64_t d = parse_duration (s);
  char *end;
  double secs;

  if (d >= 0)
    {
      *out_ns = now_ns - d;
      return 0;
    }
  secs = strtod (s, &end);
  if (end != s && *end == '\0' && isdigit ((unsigned char) *s))
    {
      *out_ns = (int64_t) (secs * 1e9);
      return 0;
    }
  if (strchr (s, 'T') || strchr (s, '-'))
    {
      int64_t t = store_parse_time (s);

      if (t > 0)
        {
          *out_ns = t * 1000000000;
          return 0;
        }
    }
  return oci_error_set (
      err, EINVAL, "invalid value for time \"%s\": expected a duration (10m), a Unix timestamp or RFC 3339",
      s);
}

/* --- runtime and state --- */

static bool
state_is_up (const struct container_state *st)
{
  return st->status == CONTAINER_RUNNING || st->status == CONTAINER_PAUSED
         || st->status == CONTAINER_RESTARTING;
}

static int
read_state (struct berth_globals *g, const struct store_container *c, char **cdir, struct container_state *st,
            oci_error_t **err)
{
  struct berth_store *s;

  if (cli_store (g, &s, err) < 0)
    return -1;
  *cdir = store_container_dir (s, c->id);
  return container_state_read (*cdir, st, err);
}

static int
runtime_signal (struct berth_globals *g, const struct store_container *c, int sig, oci_error_t **err)
{
  char num[16];
  char *args[] = { (char *) "kill", c->id, num, NULL };

  snprintf (num, sizeof num, "%d", sig);
  return runtime_run (g, c->runtime, args, NULL, err);
}

static int
runtime_simple (struct berth_globals *g, const struct store_container *c, const char *verb, oci_error_t **err)
{
  char *args[] = { (char *) verb, c->id, NULL };

  return runtime_run (g, c->runtime, args, NULL, err);
}

static void
touch_marker (const char *cdir, const char *name)
{
  cleanup_free char *p = NULL;
  int fd;

  xasprintf (&p, "%s/%s", cdir, name);
  fd = open (p, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd >= 0)
    close (fd);
}

static void
unlink_marker (const char *cdir, const char *name)
{
  cleanup_free char *p = NULL;

  xasprintf (&p, "%s/%s", cdir, name);
  unlink (p);
}

static void
sleep_ms (int ms)
{
  struct timespec ts = { ms / 1000, (long) (ms % 1000) * 1000000 };

  nanosleep (&ts, NULL);
}

/* Wait until the container is down (and, when monitor too, until its
   monitor finished); timeout_ms < 0 waits forever.  1: timed out.  */
static int
wait_down (const char *cdir, int timeout_ms, bool monitor, oci_error_t **err)
{
  for (int waited = 0; timeout_ms < 0 || waited <= timeout_ms; waited += POLL_MS)
    {
      struct container_state st;

      if (access (cdir, F_OK) < 0)
        return 0; /* removed meanwhile (--rm) */
      if (container_state_read (cdir, &st, err) < 0)
        return -1;
      if (!state_is_up (&st) && (!monitor || !st.monitor_alive))
        return 0;
      sleep_ms (POLL_MS);
    }
  return 1;
}

/* A paused container cannot act on a signal: thaw it.  */
static void
resume_if_paused (struct berth_globals *g, const struct store_container *c, const char *cdir)
{
  cleanup_error oci_error_t *e = NULL;
  cleanup_free char *p = NULL;

  xasprintf (&p, "%s/%s", cdir, MONITOR_PAUSED_FILE);
  if (access (p, F_OK) < 0)
    return;
  runtime_simple (g, c, "resume", &e);
  unlink (p);
}

int
container_stop (struct berth_globals *g, const struct store_container *c, int timeout_s, oci_error_t **err)
{
  return container_stop_signal (g, c, timeout_s, NULL, err);
}

int
container_stop_signal (struct berth_globals *g, const struct store_container *c, int timeout_s,
                       const char *signal, oci_error_t **err)
{
  static const char *const sig_path[] = { "Config", "StopSignal", NULL };
  static const char *const tmo_path[] = { "Config", "StopTimeout", NULL };
  cleanup_free char *cdir = NULL;
  cleanup_free char *sig_name = signal ? xstrdup (signal) : container_record_string (c, sig_path);
  struct container_state st;
  int sig = SIGTERM, r;

  if (read_state (g, c, &cdir, &st, err) < 0)
    return -1;
  if (!state_is_up (&st) && !st.monitor_alive)
    return 0;
  touch_marker (cdir, MONITOR_STOPPED_FILE);
  if (timeout_s < 0)
    timeout_s = (int) container_record_int (c, tmo_path, 10);
  if (sig_name && *sig_name && (sig = container_parse_signal (sig_name, err)) < 0)
    return -1;
  if (st.status == CONTAINER_RUNNING || st.status == CONTAINER_PAUSED)
    {
      cleanup_error oci_error_t *e = NULL;

      runtime_signal (g, c, sig, &e);
      resume_if_paused (g, c, cdir);
      r = wait_down (cdir, timeout_s * 1000, false, err);
      if (r < 0)
        return -1;
      if (r == 1)
        {
          cleanup_error oci_error_t *e2 = NULL;

          runtime_signal (g, c, SIGKILL, &e2);
          if (wait_down (cdir, 30 * 1000, false, err) != 0)
            return *err ? -1
                        : oci_error_set (err, ETIMEDOUT,
                                         "cannot stop container %s: tried to kill container, but did not "
                                         "receive an exit event",
                                         c->id);
        }
    }
  /* The monitor records the exit and runs the cleanup: let it finish so a
     following rm or start sees a settled container.  */
  if (wait_down (cdir, 10 * 1000, true, err) < 0)
    return -1;
  return 0;
}

int
container_kill (struct berth_globals *g, const struct store_container *c, const char *signal,
                oci_error_t **err)
{
  cleanup_free char *cdir = NULL;
  struct container_state st;
  int sig = SIGKILL;

  if (signal && (sig = container_parse_signal (signal, err)) < 0)
    return -1;
  if (read_state (g, c, &cdir, &st, err) < 0)
    return -1;
  if (st.status == CONTAINER_RESTARTING)
    return oci_error_set (
        err, EINVAL,
        "Cannot kill container: %s: Container %s is restarting, wait until the container is running", c->id,
        c->id);
  if (st.status != CONTAINER_RUNNING && st.status != CONTAINER_PAUSED)
    return oci_error_set (err, EINVAL, "Cannot kill container: %s: container %s is not running", c->id,
                          c->id);
  if (runtime_signal (g, c, sig, err) < 0)
    return oci_error_prefix (err, "Cannot kill container: %s", c->id);
  if (sig == SIGKILL)
    resume_if_paused (g, c, cdir);
  return 0;
}

static void
remove_anonymous_volumes (struct berth_store *s, char **volumes)
{
  for (size_t i = 0; volumes && volumes[i]; i++)
    {
      cleanup_error oci_error_t *e = NULL;
      struct store_volume *v = NULL;

      if (store_volume_lookup (s, volumes[i], &v, &e) < 0)
        continue;
      if (v->anonymous)
        store_volume_remove (s, v->name, false, &e);
      store_volume_free (v);
    }
}

int
container_remove (struct berth_globals *g, const struct store_container *c, bool force, bool volumes,
                  oci_error_t **err)
{
  char *del_args[] = { (char *) "delete", (char *) "--force", c->id, NULL };
  cleanup_error oci_error_t *rerr = NULL;
  cleanup_free char *cdir = NULL;
  struct container_state st;
  struct berth_store *s;

  if (cli_store (g, &s, err) < 0 || read_state (g, c, &cdir, &st, err) < 0)
    return -1;
  if (state_is_up (&st) || st.monitor_alive)
    {
      if (!force && state_is_up (&st))
        return oci_error_set (err, EBUSY,
                              "cannot remove container \"%s\": container is running: stop the container "
                              "before removing or force remove",
                              c->name);
      touch_marker (cdir, MONITOR_STOPPED_FILE);
      if (st.status == CONTAINER_RUNNING || st.status == CONTAINER_PAUSED)
        {
          cleanup_error oci_error_t *e = NULL;

          runtime_signal (g, c, SIGKILL, &e);
          resume_if_paused (g, c, cdir);
        }
      if (wait_down (cdir, 30 * 1000, true, err) < 0)
        return -1;
    }
  runtime_run (g, c->runtime, del_args, NULL, &rerr);
  /* Before the row: its endpoints name the veths to delete.  */
  if (network_container_teardown (g, c, err) < 0)
    return -1;
  if (store_container_remove (s, c->id, err) < 0)
    {
      if ((*err)->status != ENOENT)
        return -1;
      oci_error_free (err);
    }
  if (store_container_dir_remove (s, c->id, err) < 0)
    return -1;
  if (volumes)
    remove_anonymous_volumes (s, c->volumes);
  return 0;
}

/* Read one frame from the monitor: its type, and the exit code for
   MON_EXIT.  0: a frame, 1: the monitor closed the socket.  */
static int
read_frame (int fd, int *type, int *code)
{
  unsigned char h[MONITOR_FRAME_HEADER];
  char buf[4096];
  uint32_t len;

  if (read_all (fd, h, sizeof h) != (ssize_t) sizeof h)
    return 1;
  *type = h[0];
  len = monitor_frame_len (h);
  while (len > 0)
    {
      size_t n = len < sizeof buf - 1 ? len : sizeof buf - 1;

      if (read_all (fd, buf, n) != (ssize_t) n)
        return 1;
      buf[n] = '\0';
      if (*type == MON_EXIT)
        *code = atoi (buf);
      len -= (uint32_t) n;
    }
  return 0;
}

/* The container is done for `wait`: not up and its monitor finished (or,
   with a restart policy, a new exit recorded).  */
static bool
wait_done (const struct container_state *st, int64_t finished, bool restarts, int *settle)
{
  if (restarts && st->finished_ns != finished)
    return true;
  if (state_is_up (st))
    return false;
  /* Let the monitor finish its exit work, but not forever, and not when
     it is about to restart the container.  */
  if (!st->monitor_alive || restarts || *settle >= 5000)
    return true;
  *settle += POLL_MS;
  return false;
}

int
container_wait (struct berth_globals *g, const struct store_container *c, int *exit_code, oci_error_t **err)
{
  static const char *const policy_path[] = { "HostConfig", "RestartPolicy", "Name", NULL };
  cleanup_free char *policy = container_record_string (c, policy_path);
  bool restarts = policy && *policy && !streq (policy, "no");
  cleanup_error oci_error_t *aerr = NULL;
  cleanup_free char *cdir = NULL;
  cleanup_close int fd = -1;
  struct container_state st;
  int64_t finished;
  int settle = 0;

  if (read_state (g, c, &cdir, &st, err) < 0)
    return -1;
  finished = st.finished_ns;
  /* The monitor tells its clients each exit (MON_EXIT), even when --rm
     removes the container dir right after; the state file covers the
     rest (no monitor, or an exit that happened before we connected).  */
  if (state_is_up (&st))
    attach_connect (cdir, &fd, &aerr);
  for (;;)
    {
      struct pollfd pfd = { .fd = fd, .events = POLLIN };
      int type = -1, code = 0;

      if (fd >= 0 && poll (&pfd, 1, POLL_MS) > 0)
        {
          if (read_frame (fd, &type, &code) == 1)
            {
              close (fd);
              fd = -1;
            }
          else if (type == MON_EXIT)
            {
              *exit_code = code;
              return 0;
            }
          continue;
        }
      if (wait_done (&st, finished, restarts, &settle))
        break;
      if (fd < 0)
        sleep_ms (POLL_MS);
      if (access (cdir, F_OK) < 0)
        break; /* removed (--rm): the last state we read is all there is */
      if (container_state_read (cdir, &st, err) < 0)
        return -1;
    }
  *exit_code = st.status == CONTAINER_CREATED ? 0 : st.exit_code;
  return 0;
}

int
container_pause (struct berth_globals *g, const struct store_container *c, bool pause, oci_error_t **err)
{
  cleanup_free char *cdir = NULL;
  struct container_state st;

  if (read_state (g, c, &cdir, &st, err) < 0)
    return -1;
  if (st.status != CONTAINER_RUNNING && st.status != CONTAINER_PAUSED)
    return oci_error_set (err, EINVAL, "Container %s is not running", c->id);
  if (pause && st.status == CONTAINER_PAUSED)
    return oci_error_set (err, EINVAL, "Container %s is already paused", c->id);
  if (!pause && st.status != CONTAINER_PAUSED)
    return oci_error_set (err, EINVAL, "Container %s is not paused", c->id);
  if (runtime_simple (g, c, pause ? "pause" : "resume", err) < 0)
    return -1;
  if (pause)
    touch_marker (cdir, MONITOR_PAUSED_FILE);
  else
    unlink_marker (cdir, MONITOR_PAUSED_FILE);
  return 0;
}

void
container_clear_stopped (struct berth_globals *g, const struct store_container *c)
{
  cleanup_free char *cdir = NULL;
  struct berth_store *s;
  cleanup_error oci_error_t *e = NULL;

  if (cli_store (g, &s, &e) < 0)
    return;
  cdir = store_container_dir (s, c->id);
  unlink_marker (cdir, MONITOR_STOPPED_FILE);
}

static bool
label_matches (yajl_val labels, const char *want)
{
  const char *eq = strchr (want, '=');
  size_t klen = eq ? (size_t) (eq - want) : strlen (want);

  for (size_t i = 0; labels && YAJL_IS_OBJECT (labels) && i < labels->u.object.len; i++)
    {
      const char *k = labels->u.object.keys[i];
      yajl_val v = labels->u.object.values[i];

      if (strlen (k) != klen || strncmp (k, want, klen) != 0)
        continue;
      if (eq == NULL)
        return true;
      return YAJL_IS_STRING (v) && strcmp (v->u.string, eq + 1) == 0;
    }
  return false;
}

bool
container_labels_match (const struct store_container *c, char *const *labels, char *const *not_labels)
{
  static const char *const path[] = { "Config", "Labels", NULL };
  yajl_val root = c->record ? yajl_tree_parse (c->record, NULL, 0) : NULL;
  yajl_val l = record_get (root, path);
  bool ok = true;

  for (size_t i = 0; ok && labels && labels[i]; i++)
    ok = label_matches (l, labels[i]);
  for (size_t i = 0; ok && not_labels && not_labels[i]; i++)
    ok = !label_matches (l, not_labels[i]);
  if (root)
    yajl_tree_free (root);
  return ok;
}
