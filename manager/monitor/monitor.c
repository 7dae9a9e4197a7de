/* berth-monitor: supervises one container from `runtime create` to its
   last exit (see manager/container/monitor_proto.h and DESIGN section D).
   Started by berth (double fork, setsid); outlives it.  Links only libc and
   keeps fixed buffers so that each container costs well under 1 MiB.  */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "monitor.h"

static const char usage_text[]
    = "Usage: berth-monitor --id ID --dir CDIR --runtime PATH [--runtime-root DIR] [--tty] [--stdin]\n"
      "  [--restart no|always|unless-stopped|on-failure[:N]] [--sync-fd N] [--log-driver json-file|none]\n"
      "  [--health-interval MS --health-cmd ARG...] [--cleanup-cmd ARG...] [--keep-fd N...]\n";

int64_t
mon_now_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_REALTIME, &ts);
  return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t
mon_mono_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Diagnostics go to our stderr (the launcher points it at /dev/null or a
   file); one write per message, no stdio buffering.  */
void
mon_log (const char *fmt, ...)
{
  char buf[512];
  va_list ap;
  int n;

  memcpy (buf, "berth-monitor: ", 15);
  va_start (ap, fmt);
  n = vsnprintf (buf + 15, sizeof buf - 16, fmt, ap);
  va_end (ap);
  if (n < 0)
    return;
  n = 15 + (n < (int) sizeof buf - 16 ? n : (int) sizeof buf - 17);
  buf[n++] = '\n';
  if (write (STDERR_FILENO, buf, n) < 0)
    return;
}

static void
sync_write (struct mon *m, const char *a, const char *b)
{
  char buf[MON_ERR_MAX + 32], *p = buf;
  size_t n;

  if (m->sync_fd < 0)
    {
      if (strcmp (a, "error") == 0)
        mon_log ("%s", b);
      return;
    }
  p = mon_fmt_str (p, a);
  if (b != NULL)
    {
      *p++ = ' ';
      n = strnlen (b, MON_ERR_MAX);
      memcpy (p, b, n);
      p += n;
    }
  *p++ = '\n';
  if (write (m->sync_fd, buf, p - buf) < 0)
    mon_log ("sync fd: %s", strerror (errno));
}

static void
sync_close (struct mon *m)
{
  if (m->sync_fd >= 0)
    close (m->sync_fd);
  m->sync_fd = -1;
}

/* Small formatters (no stdio on the hot paths: less code touched, less
   memory).  Each writes at P and returns the end.  */
char *
mon_fmt_pad (char *p, int64_t v, int width)
{
  char tmp[24];
  int n = 0;
  uint64_t u = v < 0 ? -(uint64_t) v : (uint64_t) v;

  do
    tmp[n++] = (char) ('0' + u % 10);
  while ((u /= 10) != 0);
  if (v < 0)
    *p++ = '-';
  while (width-- > n)
    *p++ = '0';
  while (n > 0)
    *p++ = tmp[--n];
  return p;
}

char *
mon_fmt_int (char *p, int64_t v)
{
  return mon_fmt_pad (p, v, 0);
}

char *
mon_fmt_str (char *p, const char *s)
{
  size_t n = strlen (s);

  memcpy (p, s, n);
  return p + n;
}

int
mon_write_state (struct mon *m, const char *status)
{
  char buf[256], *p = buf;
  bool live = strcmp (status, "running") == 0 || strcmp (status, "created") == 0;
  int fd;

  p = mon_fmt_str (p, "status=");
  p = mon_fmt_str (p, status);
  p = mon_fmt_int (mon_fmt_str (p, " pid="), live ? m->ctr_pid : 0);
  p = mon_fmt_int (mon_fmt_str (p, " started="), m->started_ns);
  p = mon_fmt_int (mon_fmt_str (p, " finished="), m->finished_ns);
  p = mon_fmt_int (mon_fmt_str (p, " exit="), m->exit_code);
  p = mon_fmt_int (mon_fmt_str (p, " restarts="), m->restarts);
  p = mon_fmt_int (mon_fmt_str (p, " oom="), m->oom ? 1 : 0);
  *p++ = '\n';
  fd = open (MONITOR_STATE_FILE ".tmp", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      mon_log ("%s/%s.tmp: %s", m->dir, MONITOR_STATE_FILE, strerror (errno));
      return -1;
    }
  if (write (fd, buf, p - buf) != p - buf || close (fd) < 0
      || rename (MONITOR_STATE_FILE ".tmp", MONITOR_STATE_FILE) < 0)
    {
      mon_log ("%s/%s: %s", m->dir, MONITOR_STATE_FILE, strerror (errno));
      return -1;
    }
  return 0;
}

static int
add_argv (char **v, const char *opt, char *arg)
{
  size_t i;

  for (i = 0; v[i] != NULL; i++)
    ;
  if (i >= MON_MAX_ARGV)
    {
      mon_log ("too many %s arguments", opt);
      return -1;
    }
  v[i] = arg;
  v[i + 1] = NULL;
  return 0;
}

static int
parse_int (const char *opt, const char *s, int *out)
{
  char *end;
  long v;

  errno = 0;
  v = strtol (s, &end, 10);
  if (errno != 0 || end == s || *end != '\0' || v < 0 || v > 0x7fffffff)
    {
      mon_log ("invalid argument \"%s\" for %s", s, opt);
      return -1;
    }
  *out = (int) v;
  return 0;
}

static int
parse_restart (struct mon *m, const char *s)
{
  if (strcmp (s, "no") == 0 || strcmp (s, "") == 0)
    m->restart = RESTART_NO;
  else if (strcmp (s, "always") == 0)
    m->restart = RESTART_ALWAYS;
  else if (strcmp (s, "unless-stopped") == 0)
    m->restart = RESTART_UNLESS_STOPPED;
  else if (strcmp (s, "on-failure") == 0)
    m->restart = RESTART_ON_FAILURE;
  else if (strncmp (s, "on-failure:", 11) == 0)
    {
      m->restart = RESTART_ON_FAILURE;
      return parse_int ("--restart", s + 11, &m->restart_max);
    }
  else
    {
      mon_log ("invalid restart policy \"%s\"", s);
      return -1;
    }
  return 0;
}

enum
{
  OPT_ID = 256,
  OPT_DIR,
  OPT_RUNTIME,
  OPT_RUNTIME_ROOT,
  OPT_TTY,
  OPT_STDIN,
  OPT_RESTART,
  OPT_SYNC_FD,
  OPT_LOG_DRIVER,
  OPT_HEALTH_INTERVAL,
  OPT_HEALTH_CMD,
  OPT_CLEANUP_CMD,
  OPT_KEEP_FD,
};

static const struct option long_options[] = {
  { "id", required_argument, NULL, OPT_ID },
  { "dir", required_argument, NULL, OPT_DIR },
  { "runtime", required_argument, NULL, OPT_RUNTIME },
  { "runtime-root", required_argument, NULL, OPT_RUNTIME_ROOT },
  { "tty", no_argument, NULL, OPT_TTY },
  { "stdin", no_argument, NULL, OPT_STDIN },
  { "restart", required_argument, NULL, OPT_RESTART },
  { "sync-fd", required_argument, NULL, OPT_SYNC_FD },
  { "log-driver", required_argument, NULL, OPT_LOG_DRIVER },
  { "health-interval", required_argument, NULL, OPT_HEALTH_INTERVAL },
  { "health-cmd", required_argument, NULL, OPT_HEALTH_CMD },
  { "cleanup-cmd", required_argument, NULL, OPT_CLEANUP_CMD },
  { "keep-fd", required_argument, NULL, OPT_KEEP_FD },
  { NULL, 0, NULL, 0 },
};

/* --keep-fd N: an fd berth handed over (a reserved host port) that must
   stay open as long as we live, and reach no child of ours.  */
static int
add_keep_fd (struct mon *m, const char *arg)
{
  int fd;

  if (parse_int ("--keep-fd", arg, &fd) < 0)
    return -1;
  if (m->n_keep >= MON_MAX_KEEP || fd <= STDERR_FILENO || fcntl (fd, F_SETFD, FD_CLOEXEC) < 0)
    {
      mon_log ("--keep-fd %s: not a usable inherited fd", arg);
      return -1;
    }
  m->keep_fds[m->n_keep++] = fd;
  return 0;
}

static int
parse_option (struct mon *m, int c)
{
  switch (c)
    {
    case OPT_ID:
      m->id = optarg;
      return 0;
    case OPT_DIR:
      m->dir = optarg;
      return 0;
    case OPT_RUNTIME:
      m->runtime = optarg;
      return 0;
    case OPT_RUNTIME_ROOT:
      m->runtime_root = optarg;
      return 0;
    case OPT_TTY:
      m->tty = true;
      return 0;
    case OPT_STDIN:
      m->use_stdin = true;
      return 0;
    case OPT_RESTART:
      return parse_restart (m, optarg);
    case OPT_SYNC_FD:
      return parse_int ("--sync-fd", optarg, &m->sync_fd);
    case OPT_LOG_DRIVER:
      /* Drivers are validated by berth at create; anything but "none"
         is written as json-file (what `berth logs` reads).  */
      m->log_none = strcmp (optarg, "none") == 0;
      return 0;
    case OPT_HEALTH_INTERVAL:
      return parse_int ("--health-interval", optarg, &m->health_interval_ms);
    case OPT_HEALTH_CMD:
      return add_argv (m->health_argv, "--health-cmd", optarg);
    case OPT_CLEANUP_CMD:
      return add_argv (m->cleanup_argv, "--cleanup-cmd", optarg);
    case OPT_KEEP_FD:
      return add_keep_fd (m, optarg);
    default:
      return -1;
    }
}

static int
parse_args (struct mon *m, int argc, char **argv)
{
  int c;

  while ((c = getopt_long (argc, argv, "", long_options, NULL)) != -1)
    if (parse_option (m, c) < 0)
      return -1;
  if (optind != argc || m->id == NULL || m->dir == NULL || m->runtime == NULL)
    return -1;
  if (m->health_argv[0] != NULL && m->health_interval_ms <= 0)
    m->health_interval_ms = 30000;
  return 0;
}

/* chdir into the container dir (every file below is relative to it), take
   the lock for our whole life and publish our pid.  */
static int
setup_dir (struct mon *m)
{
  static char cwd[4096];
  char buf[32];
  int fd, n;

  if (chdir (m->dir) < 0 || getcwd (cwd, sizeof cwd) == NULL)
    {
      mon_log ("%s: %s", m->dir, strerror (errno));
      return -1;
    }
  m->dir = cwd;
  fd = open (MONITOR_LOCK_FILE, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0 || flock (fd, LOCK_EX | LOCK_NB) < 0)
    {
      mon_log ("%s/%s: %s", m->dir, MONITOR_LOCK_FILE,
               errno == EWOULDBLOCK ? "another monitor is running" : strerror (errno));
      return -1;
    }
  /* fd stays open (and locked) until we exit.  */
  n = (int) (mon_fmt_str (mon_fmt_int (buf, getpid ()), "\n") - buf);
  fd = open (MONITOR_PID_FILE, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0 || write (fd, buf, n) != n || close (fd) < 0)
    {
      mon_log ("%s/%s: %s", m->dir, MONITOR_PID_FILE, strerror (errno));
      return -1;
    }
  /* A fresh start: whatever stop marked the previous run is over.  */
  unlink (MONITOR_STOPPED_FILE);
  return 0;
}

/* Every signal we care about arrives through the signalfd; the terminal
   ones are blocked (never fatal), and children get an empty mask back.  */
static int
setup_signals (struct mon *m)
{
  sigset_t set;

  sigemptyset (&set);
  sigaddset (&set, SIGCHLD);
  sigaddset (&set, SIGTERM);
  sigaddset (&set, SIGINT);
  sigaddset (&set, SIGHUP);
  sigaddset (&set, SIGPIPE);
  sigaddset (&set, SIGQUIT);
  sigaddset (&set, SIGTTIN);
  sigaddset (&set, SIGTTOU);
  if (sigprocmask (SIG_BLOCK, &set, NULL) < 0)
    return -1;
  m->sigfd = signalfd (-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
  if (m->sigfd < 0 || prctl (PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
    {
      mon_log ("signals: %s", strerror (errno));
      return -1;
    }
  return 0;
}

static int
setup_socket (struct mon *m)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  mode_t old;
  int r;

  memcpy (addr.sun_path, MONITOR_ATTACH_SOCK, sizeof MONITOR_ATTACH_SOCK);
  unlink (MONITOR_ATTACH_SOCK);
  m->listen_fd = socket (AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (m->listen_fd < 0)
    return -1;
  old = umask (0177);
  r = bind (m->listen_fd, (struct sockaddr *) &addr, sizeof addr);
  umask (old);
  if (r < 0 || chmod (MONITOR_ATTACH_SOCK, 0600) < 0 || listen (m->listen_fd, MON_MAX_CLIENTS) < 0)
    {
      mon_log ("%s/%s: %s", m->dir, MONITOR_ATTACH_SOCK, strerror (errno));
      return -1;
    }
  return 0;
}

static int
setup (struct mon *m)
{
  if (m->sync_fd >= 0 && fcntl (m->sync_fd, F_SETFD, FD_CLOEXEC) < 0)
    {
      mon_log ("--sync-fd %d: %s", m->sync_fd, strerror (errno));
      m->sync_fd = -1;
      return -1;
    }
  if (setup_dir (m) < 0 || setup_signals (m) < 0 || setup_socket (m) < 0)
    return -1;
  if (!m->log_none)
    {
      m->log_fd = open (MONITOR_LOG_FILE, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
      if (m->log_fd < 0)
        {
          mon_log ("%s/%s: %s", m->dir, MONITOR_LOG_FILE, strerror (errno));
          return -1;
        }
    }
  return 0;
}

static bool
exists (const char *name)
{
  struct stat st;
  return stat (name, &st) == 0;
}

/* Wait for berth's go ahead: one byte `s` on the sync fd.  */
static int
sync_wait_start (struct mon *m)
{
  char c;
  ssize_t n;

  if (m->sync_fd < 0)
    return 0;
  do
    n = read (m->sync_fd, &c, 1);
  while (n < 0 && errno == EINTR);
  return n == 1 && c == 's' ? 0 : -1;
}

/* One run of the container: create, (sync), start, pump until it exited.
   Returns the exit code, or -1 when it could not be started.  */
static int
run_once (struct mon *m, bool first)
{
  char errmsg[MON_ERR_MAX], buf[32];

  m->ctr_exited = false;
  m->oom = false;
  if (mon_runtime_create (m, errmsg, sizeof errmsg) < 0)
    {
      if (first)
        sync_write (m, "error", errmsg);
      mon_close_run (m);
      return -1;
    }
  if (first)
    {
      *mon_fmt_int (buf, m->ctr_pid) = '\0';
      sync_write (m, "created", buf);
      if (sync_wait_start (m) < 0)
        {
          mon_log ("no start request on the sync fd");
          mon_runtime_delete (m);
          mon_close_run (m);
          return -1;
        }
      mon_accept_pending (m);
    }
  if (mon_runtime_start (m, errmsg, sizeof errmsg) < 0)
    {
      if (first)
        sync_write (m, "error", errmsg);
      mon_runtime_delete (m);
      mon_close_run (m);
      return -1;
    }
  m->started_ns = mon_now_ns ();
  m->finished_ns = 0;
  mon_write_state (m, "running");
  if (first)
    {
      sync_write (m, "started", NULL);
      sync_close (m);
    }
  m->next_health_ms = mon_mono_ms () + m->health_interval_ms;
  mon_event_loop (m);
  mon_drain (m);
  mon_check_oom (m);
  mon_runtime_delete (m);
  mon_close_run (m);
  return m->exit_code;
}

static bool
want_restart (struct mon *m, int code)
{
  if (exists (MONITOR_STOPPED_FILE))
    return false;
  switch (m->restart)
    {
    case RESTART_ALWAYS:
    case RESTART_UNLESS_STOPPED:
      return true;
    case RESTART_ON_FAILURE:
      return code != 0 && (m->restart_max == 0 || m->restarts < m->restart_max);
    default:
      return false;
    }
}

/* Docker's backoff: 100 ms doubling up to a minute, reset after 10 s of
   running.  Clients and children are served meanwhile; a `stopped` marker
   cancels the restart.  Returns false when cancelled.  */
static bool
backoff (struct mon *m, int64_t *delay_ms)
{
  int64_t ran_ms = (m->finished_ns - m->started_ns) / 1000000, until, now;

  if (m->started_ns == 0 || ran_ms >= 10000)
    *delay_ms = 100;
  else
    *delay_ms = *delay_ms == 0 ? 100 : (*delay_ms * 2 > 60000 ? 60000 : *delay_ms * 2);
  until = mon_mono_ms () + *delay_ms;
  while ((now = mon_mono_ms ()) < until)
    {
      mon_idle (m, until - now < 100 ? (int) (until - now) : 100);
      if (exists (MONITOR_STOPPED_FILE))
        return false;
    }
  return !exists (MONITOR_STOPPED_FILE);
}

static void
send_exit (struct mon *m)
{
  char buf[24];

  mon_broadcast (m, MON_EXIT, buf, (size_t) (mon_fmt_int (buf, m->exit_code) - buf));
}

static int
supervise (struct mon *m)
{
  int64_t delay_ms = 0;
  bool first = true, again;
  int code;

  for (;;)
    {
      code = run_once (m, first);
      if (code < 0)
        {
          if (first)
            return -1;
          /* A restart that failed counts as a failed run.  */
          m->exit_code = code = 128;
          m->finished_ns = mon_now_ns ();
        }
      first = false;
      again = want_restart (m, code);
      mon_write_state (m, again ? "restarting" : "exited");
      send_exit (m);
      if (!again || !backoff (m, &delay_ms))
        break;
      m->restarts++;
    }
  mon_write_state (m, "exited");
  return 0;
}

/* Whether a foreground `berth run` waits for us and cleans up itself.  */
static bool
waiter_present (void)
{
  int fd = open (MONITOR_WAITER_LOCK_FILE, O_RDONLY | O_CLOEXEC);
  bool held;

  if (fd < 0)
    return false;
  held = flock (fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK;
  close (fd);
  return held;
}

static void
finish (struct mon *m)
{
  mon_close_clients (m);
  if (m->listen_fd >= 0)
    {
      close (m->listen_fd);
      unlink (MONITOR_ATTACH_SOCK);
    }
  if (m->cleanup_argv[0] != NULL && !waiter_present ())
    mon_run_wait (m->cleanup_argv);
}

int
main (int argc, char **argv)
{
  static struct mon m;
  size_t i;
  int fd, r;

  /* fds 0-2 must be taken so that no pipe of ours lands there.  */
  while ((fd = open ("/dev/null", O_RDWR)) >= 0 && fd <= STDERR_FILENO)
    ;
  if (fd > STDERR_FILENO)
    close (fd);

  m.sync_fd = m.listen_fd = m.log_fd = m.sigfd = m.stdin_fd = -1;
  m.out = (struct mon_stream){ .fd = -1, .name = "stdout", .frame = MON_STDOUT };
  m.err = (struct mon_stream){ .fd = -1, .name = "stderr", .frame = MON_STDERR };
  for (i = 0; i < MON_MAX_CLIENTS; i++)
    m.clients[i].fd = -1;
  if (argc == 2 && strcmp (argv[1], "--help") == 0)
    {
      if (write (STDOUT_FILENO, usage_text, sizeof usage_text - 1) < 0)
        return 1;
      return 0;
    }
  if (parse_args (&m, argc, argv) < 0)
    {
      sync_write (&m, "error", "invalid berth-monitor arguments");
      if (write (STDERR_FILENO, usage_text, sizeof usage_text - 1) < 0)
        return 2;
      return 2;
    }
  if (setup (&m) < 0)
    {
      /* No cleanup: the lock may belong to another live monitor.  */
      sync_write (&m, "error", "cannot set up the container monitor");
      return 1;
    }
  r = supervise (&m);
  sync_close (&m);
  finish (&m);
  return r < 0 ? 1 : 0;
}
