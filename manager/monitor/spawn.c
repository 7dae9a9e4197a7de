/* berth-monitor: running the OCI runtime and other helper commands.  */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "monitor.h"

#define CAPTURE_MAX 2048

struct capture
{
  char buf[CAPTURE_MAX];
  size_t len;
};

static void
child_fd (int fd, int target)
{
  if (fd == -2)
    return;
  if (fd == -1)
    fd = open ("/dev/null", O_RDWR);
  if (fd < 0 || dup2 (fd, target) < 0)
    _exit (127);
}

/* fork + exec with the given stdio (-1: /dev/null, -2: ours) and an empty
   signal mask.  Every other fd of ours is close-on-exec.  */
pid_t
mon_spawn (char *const *argv, const struct mon_spawn *io)
{
  sigset_t none;
  pid_t pid = fork ();

  if (pid != 0)
    {
      if (pid < 0)
        mon_log ("fork: %s", strerror (errno));
      return pid;
    }
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
  child_fd (io->stdin_fd, STDIN_FILENO);
  child_fd (io->stdout_fd, STDOUT_FILENO);
  child_fd (io->stderr_fd, STDERR_FILENO);
  execvp (argv[0], argv);
  mon_log ("exec %s: %s", argv[0], strerror (errno));
  _exit (127);
}

int
mon_run_wait (char *const *argv)
{
  struct mon_spawn io = { -1, -1, -2 };
  pid_t pid = mon_spawn (argv, &io);
  int status;

  if (pid < 0)
    return -1;
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return -1;
  return status;
}

static void
capture_read (struct capture *c, int fd)
{
  char tmp[512];
  ssize_t n;

  while (fd >= 0 && (n = read (fd, tmp, sizeof tmp)) > 0)
    {
      if (c->len + n > sizeof c->buf)
        {
          size_t drop = c->len + n - sizeof c->buf;
          if (drop > c->len)
            drop = c->len;
          memmove (c->buf, c->buf + drop, c->len - drop);
          c->len -= drop;
        }
      memcpy (c->buf + c->len, tmp, n);
      c->len += n;
    }
}

/* Receive the pty master the runtime sends on the console socket.  */
static int
console_receive (int listen_fd)
{
  char name[256], control[CMSG_SPACE (sizeof (int))];
  struct iovec iov = { .iov_base = name, .iov_len = sizeof name };
  struct msghdr msg
      = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control };
  struct cmsghdr *cmsg;
  int conn, fd = -1;

  conn = accept4 (listen_fd, NULL, NULL, SOCK_CLOEXEC);
  if (conn < 0)
    return -1;
  if (recvmsg (conn, &msg, MSG_CMSG_CLOEXEC) > 0 && (cmsg = CMSG_FIRSTHDR (&msg)) != NULL
      && cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS)
    memcpy (&fd, CMSG_DATA (cmsg), sizeof fd);
  close (conn);
  return fd;
}

/* Wait for helper PID while collecting what it writes on CAPTURE_FD and,
   when CONSOLE_FD >= 0, the pty master it sends there.  */
static int
wait_helper (struct mon *m, pid_t pid, int capture_fd, int console_fd, int *master, struct capture *c)
{
  struct signalfd_siginfo si;
  struct pollfd p[3];
  int status;
  pid_t r;

  for (;;)
    {
      p[0] = (struct pollfd){ .fd = m->sigfd, .events = POLLIN };
      p[1] = (struct pollfd){ .fd = capture_fd, .events = POLLIN };
      p[2] = (struct pollfd){ .fd = *master < 0 ? console_fd : -1, .events = POLLIN };
      if (poll (p, 3, 200) < 0 && errno != EINTR)
        return -1;
      while (read (m->sigfd, &si, sizeof si) > 0)
        ;
      capture_read (c, capture_fd);
      if (p[2].revents & POLLIN)
        *master = console_receive (console_fd);
      r = waitpid (pid, &status, WNOHANG);
      if (r == pid)
        break;
      if (r < 0 && errno != EINTR)
        return -1;
    }
  capture_read (c, capture_fd);
  if (console_fd >= 0 && *master < 0)
    {
      p[0] = (struct pollfd){ .fd = console_fd, .events = POLLIN };
      if (poll (p, 1, 0) == 1)
        *master = console_receive (console_fd);
    }
  return status;
}

/* Copy the JSON or logfmt string value starting at S (after the opening
   quote) into OUT, decoding the simple escapes.  */
static void
unquote (const char *s, const char *end, char *out, size_t outsz)
{
  size_t n = 0;

  for (; s < end && *s != '"' && n + 1 < outsz; s++)
    {
      if (*s == '\\' && s + 1 < end)
        {
          s++;
          if (*s == 'n')
            out[n++] = ' ';
          else if (*s == 't')
            out[n++] = ' ';
          else if (*s == 'u' && end - s >= 5)
            {
              out[n++] = '?';
              s += 4;
            }
          else
            out[n++] = *s;
        }
      else
        out[n++] = *s;
    }
  out[n] = '\0';
}

/* The error message of a failed runtime command: the last non-empty line
   of its stderr, with runtime log lines ({"msg":"…"} or msg="…") decoded.  */
static void
extract_error (struct capture *c, const char *what, int status, char *out, size_t outsz)
{
  char *end = c->buf + c->len, *line, *msg;

  while (end > c->buf && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
    end--;
  line = end;
  while (line > c->buf && line[-1] != '\n')
    line--;
  if (line == end)
    {
      if (WIFEXITED (status))
        snprintf (out, outsz, "runtime %s failed: exit status %d", what, WEXITSTATUS (status));
      else
        snprintf (out, outsz, "runtime %s failed: killed by signal %d", what, WTERMSIG (status));
      return;
    }
  *end = '\0';
  if ((msg = strstr (line, "\"msg\":\"")) != NULL)
    unquote (msg + 7, end, out, outsz);
  else if ((msg = strstr (line, "msg=\"")) != NULL)
    unquote (msg + 5, end, out, outsz);
  else
    snprintf (out, outsz, "%s", line);
}

static int
make_pipe (int fds[2])
{
  if (pipe2 (fds, O_CLOEXEC) < 0)
    {
      mon_log ("pipe: %s", strerror (errno));
      return -1;
    }
  return 0;
}

static int
console_listen (void)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  mode_t old;
  int fd, r;

  memcpy (addr.sun_path, MONITOR_CONSOLE_SOCK, sizeof MONITOR_CONSOLE_SOCK);
  unlink (MONITOR_CONSOLE_SOCK);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -1;
  old = umask (0177);
  r = bind (fd, (struct sockaddr *) &addr, sizeof addr);
  umask (old);
  if (r < 0 || listen (fd, 1) < 0)
    {
      mon_log ("%s: %s", MONITOR_CONSOLE_SOCK, strerror (errno));
      close (fd);
      return -1;
    }
  return fd;
}

/* argv of `RUNTIME [--root R] VERB ...`.  */
static size_t
runtime_argv (struct mon *m, char **v, const char *verb)
{
  size_t n = 0;

  v[n++] = (char *) m->runtime;
  if (m->runtime_root != NULL)
    {
      v[n++] = (char *) "--root";
      v[n++] = (char *) m->runtime_root;
    }
  v[n++] = (char *) verb;
  return n;
}

static int
read_pid (struct mon *m)
{
  char buf[32];
  ssize_t n;
  int fd = open (MONITOR_RUNTIME_PID_FILE, O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    return -1;
  n = read (fd, buf, sizeof buf - 1);
  close (fd);
  if (n <= 0)
    return -1;
  buf[n] = '\0';
  m->ctr_pid = (pid_t) strtol (buf, NULL, 10);
  return m->ctr_pid > 0 ? 0 : -1;
}

/* The container's stdio: pipes (stdout, stderr, optional stdin), or for a
   tty only a pipe that captures the runtime's own stderr.  */
static int
stdio_pipes (struct mon *m, struct mon_spawn *io, int *cap)
{
  int p[2];

  *io = (struct mon_spawn){ -1, -1, -1 };
  if (make_pipe (p) < 0)
    return -1;
  m->err.fd = *cap = p[0];
  io->stderr_fd = p[1];
  if (m->tty)
    return 0;
  if (make_pipe (p) < 0)
    return -1;
  m->out.fd = p[0];
  io->stdout_fd = p[1];
  if (m->use_stdin)
    {
      if (make_pipe (p) < 0)
        return -1;
      m->stdin_fd = p[1];
      io->stdin_fd = p[0];
    }
  return 0;
}

static void
close_child_ends (struct mon_spawn *io)
{
  if (io->stdin_fd >= 0)
    close (io->stdin_fd);
  if (io->stdout_fd >= 0)
    close (io->stdout_fd);
  if (io->stderr_fd >= 0)
    close (io->stderr_fd);
}

static void
set_nonblock (int fd)
{
  if (fd >= 0)
    fcntl (fd, F_SETFL, fcntl (fd, F_GETFL) | O_NONBLOCK);
}

static int
tty_adopt (struct mon *m, int master)
{
  /* The capture pipe is not the container's: close it.  */
  close (m->err.fd);
  m->err.fd = -1;
  if (master < 0)
    return -1;
  set_nonblock (master);
  m->out.fd = master;
  m->stdin_fd = m->use_stdin ? fcntl (master, F_DUPFD_CLOEXEC, 3) : -1;
  return 0;
}

int
mon_runtime_create (struct mon *m, char *errmsg, size_t errsz)
{
  char *argv[16], sock[sizeof ((struct sockaddr_un *) 0)->sun_path];
  static char pidfile[4096 + 8];
  static struct capture c;
  struct mon_spawn io;
  int cap = -1, console = -1, master = -1, status;
  size_t n;
  pid_t pid;

  c.len = 0;
  unlink (MONITOR_RUNTIME_PID_FILE);
  n = runtime_argv (m, argv, "create");
  argv[n++] = (char *) "--bundle";
  argv[n++] = (char *) m->dir;
  argv[n++] = (char *) "--pid-file";
  *mon_fmt_str (mon_fmt_str (mon_fmt_str (pidfile, m->dir), "/"), MONITOR_RUNTIME_PID_FILE) = '\0';
  argv[n++] = pidfile;
  if (m->tty)
    {
      if ((console = console_listen ()) < 0)
        goto fail;
      if (strlen (m->dir) + sizeof MONITOR_CONSOLE_SOCK + 1 > sizeof sock)
        strcpy (sock, MONITOR_CONSOLE_SOCK);
      else
        *mon_fmt_str (mon_fmt_str (mon_fmt_str (sock, m->dir), "/"), MONITOR_CONSOLE_SOCK) = '\0';
      argv[n++] = (char *) "--console-socket";
      argv[n++] = sock;
    }
  argv[n++] = (char *) m->id;
  argv[n] = NULL;
  if (stdio_pipes (m, &io, &cap) < 0)
    goto fail;
  pid = mon_spawn (argv, &io);
  close_child_ends (&io);
  if (pid < 0)
    goto fail;
  set_nonblock (cap);
  status = wait_helper (m, pid, cap, console, &master, &c);
  if (console >= 0)
    {
      close (console);
      unlink (MONITOR_CONSOLE_SOCK);
    }
  if (status != 0)
    {
      if (master >= 0)
        close (master);
      extract_error (&c, "create", status, errmsg, errsz);
      return -1;
    }
  if (m->tty && tty_adopt (m, master) < 0)
    {
      snprintf (errmsg, errsz, "runtime create: no terminal received on %s", MONITOR_CONSOLE_SOCK);
      mon_runtime_delete (m);
      return -1;
    }
  set_nonblock (m->out.fd);
  set_nonblock (m->stdin_fd);
  if (read_pid (m) < 0)
    {
      snprintf (errmsg, errsz, "runtime create: cannot read the container pid from %s/%s", m->dir,
                MONITOR_RUNTIME_PID_FILE);
      mon_runtime_delete (m);
      return -1;
    }
  return 0;

fail:
  if (console >= 0)
    close (console);
  snprintf (errmsg, errsz, "cannot run %s: %s", m->runtime, strerror (errno));
  return -1;
}

int
mon_runtime_start (struct mon *m, char *errmsg, size_t errsz)
{
  char *argv[8];
  static struct capture c;
  struct mon_spawn io = { -1, -1, -1 };
  int p[2], master = -1, status;
  size_t n;
  pid_t pid;

  c.len = 0;
  n = runtime_argv (m, argv, "start");
  argv[n++] = (char *) m->id;
  argv[n] = NULL;
  if (make_pipe (p) < 0)
    {
      snprintf (errmsg, errsz, "pipe: %s", strerror (errno));
      return -1;
    }
  io.stderr_fd = p[1];
  pid = mon_spawn (argv, &io);
  close (p[1]);
  set_nonblock (p[0]);
  status = pid < 0 ? -1 : wait_helper (m, pid, p[0], -1, &master, &c);
  close (p[0]);
  if (status != 0)
    {
      extract_error (&c, "start", status, errmsg, errsz);
      return -1;
    }
  return 0;
}

/* The value of KEY ("oom_kill") in a cgroup flat-keyed file, or 0.  */
static long
cgroup_counter (const char *path, const char *key)
{
  char buf[1024], *p;
  ssize_t n;
  int fd = open (path, O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    return 0;
  n = read (fd, buf, sizeof buf - 1);
  close (fd);
  if (n <= 0)
    return 0;
  buf[n] = '\0';
  for (p = buf; (p = strstr (p, key)) != NULL; p++)
    if ((p == buf || p[-1] == '\n') && p[strlen (key)] == ' ')
      return strtol (p + strlen (key) + 1, NULL, 10);
  return 0;
}

/* Was the container OOM-killed?  Its cgroup (cgroupsPath /berth/ID, see
   spec.c) still exists until `runtime delete`: cgroup v2 memory.events or
   v1 memory.oom_control count the kills.  */
void
mon_check_oom (struct mon *m)
{
  static const char *const roots[]
      = { "/sys/fs/cgroup/berth/", "/sys/fs/cgroup/unified/berth/", "/sys/fs/cgroup/memory/berth/" };
  static const char *const files[] = { "/memory.events", "/memory.events", "/memory.oom_control" };
  char path[256];
  size_t i;

  m->oom = false;
  if (m->exit_code != 128 + SIGKILL || strlen (m->id) > 128)
    return;
  for (i = 0; i < sizeof roots / sizeof roots[0] && !m->oom; i++)
    {
      *mon_fmt_str (mon_fmt_str (mon_fmt_str (path, roots[i]), m->id), files[i]) = '\0';
      m->oom = cgroup_counter (path, "oom_kill") > 0;
    }
}

void
mon_runtime_delete (struct mon *m)
{
  char *argv[8];
  size_t n = runtime_argv (m, argv, "delete");

  argv[n++] = (char *) "--force";
  argv[n++] = (char *) m->id;
  argv[n] = NULL;
  mon_run_wait (argv);
}

void
mon_close_run (struct mon *m)
{
  if (m->out.fd >= 0)
    close (m->out.fd);
  if (m->err.fd >= 0)
    close (m->err.fd);
  if (m->stdin_fd >= 0)
    close (m->stdin_fd);
  m->out.fd = m->err.fd = m->stdin_fd = -1;
  m->out.len = m->err.len = 0;
  m->stdin_len = 0;
  m->stdin_eof = false;
}
