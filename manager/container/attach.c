/* Client side of attach.sock: berth run/start -a/attach talk to the
   container's monitor through it (framing in monitor_proto.h).  */
#include "config.h"
#include "attach.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "manager/container/monitor_proto.h"
#include "util.h"

#define DETACH_KEYS_MAX     16
#define DEFAULT_DETACH_KEYS "ctrl-p,ctrl-q"

int
attach_connect (const char *cdir, int *fd, oci_error_t **err)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  cleanup_close int dirfd = -1;
  cleanup_close int s = -1;

  /* The container dir may be too long for sun_path: go through its fd.  */
  dirfd = open (cdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0)
    return oci_error_errno (err, errno, "open `%s`", cdir);
  snprintf (addr.sun_path, sizeof addr.sun_path, "/proc/self/fd/%d/%s", dirfd, MONITOR_ATTACH_SOCK);
  s = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0)
    return oci_error_errno (err, errno, "socket");
  if (connect (s, (struct sockaddr *) &addr, sizeof addr) < 0)
    return oci_error_errno (err, errno, "connect to the container monitor `%s/%s`", cdir,
                            MONITOR_ATTACH_SOCK);
  *fd = s;
  s = -1;
  return 0;
}

static int
parse_one_key (const char *k, size_t len, unsigned char *out)
{
  static const char ctrl_punct[] = "@[\\]^_";
  const char *p;

  if (len == 1)
    {
      *out = (unsigned char) k[0];
      return 0;
    }
  if (len != 6 || strncmp (k, "ctrl-", 5) != 0)
    return -1;
  if (k[5] >= 'a' && k[5] <= 'z')
    *out = (unsigned char) (k[5] - 'a' + 1);
  else if ((p = strchr (ctrl_punct, k[5])) != NULL && k[5] != '\0')
    *out = (unsigned char) (p == ctrl_punct ? 0 : 27 + (p - ctrl_punct - 1));
  else
    return -1;
  return 0;
}

int
attach_parse_detach_keys (const char *spec, unsigned char *keys, int keys_max, oci_error_t **err)
{
  const char *k = spec, *comma;
  int n = 0;
  size_t len;

  if (*spec == '\0')
    return 0;
  for (;;)
    {
      comma = strchr (k, ',');
      len = comma ? (size_t) (comma - k) : strlen (k);
      if (n >= keys_max || parse_one_key (k, len, &keys[n]) < 0)
        return oci_error_set (err, EINVAL, "Invalid detach keys (%s) provided", spec);
      n++;
      if (comma == NULL)
        return n;
      k = comma + 1;
    }
}

struct attach_ctx
{
  int fd;
  const struct attach_opts *o;
  unsigned char keys[DETACH_KEYS_MAX];
  int nkeys, matched;
  bool raw;
  struct termios saved;
  sigset_t oldmask;
  int sigfd;
  bool stdin_open;
  unsigned char in[MONITOR_FRAME_HEADER + MONITOR_FRAME_MAX];
  size_t inlen;
};

static int
write_all (int fd, const void *buf, size_t len)
{
  const char *p = buf;
  ssize_t n;

  while (len > 0)
    {
      n = write (fd, p, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return -1;
      p += n;
      len -= n;
    }
  return 0;
}

static int
send_frame (struct attach_ctx *a, enum monitor_frame type, const void *buf, size_t len, oci_error_t **err)
{
  unsigned char h[MONITOR_FRAME_HEADER];

  monitor_frame_header (h, type, (uint32_t) len);
  if (write_all (a->fd, h, sizeof h) < 0 || write_all (a->fd, buf, len) < 0)
    return oci_error_errno (err, errno, "send to the container monitor");
  return 0;
}

static int
send_resize (struct attach_ctx *a, oci_error_t **err)
{
  struct winsize ws;
  char buf[32];
  int n;

  if (ioctl (STDOUT_FILENO, TIOCGWINSZ, &ws) < 0 && ioctl (STDIN_FILENO, TIOCGWINSZ, &ws) < 0)
    return 0;
  n = snprintf (buf, sizeof buf, "%u %u", ws.ws_row, ws.ws_col);
  return send_frame (a, MON_RESIZE, buf, (size_t) n, err);
}

/* Forward a chunk of our stdin, holding back a possible detach sequence
   (which may span reads).  Returns 1 when the full sequence was typed.  */
static int
forward_input (struct attach_ctx *a, const unsigned char *buf, size_t len, oci_error_t **err)
{
  unsigned char out[4096 + DETACH_KEYS_MAX];
  size_t n = 0, i;

  for (i = 0; i < len; i++)
    {
      if (a->nkeys > 0 && buf[i] == a->keys[a->matched])
        {
          if (++a->matched == a->nkeys)
            return n > 0 && send_frame (a, MON_STDIN, out, n, err) < 0 ? -1 : 1;
          continue;
        }
      if (a->matched > 0)
        {
          memcpy (out + n, a->keys, a->matched);
          n += a->matched;
          a->matched = 0;
          if (buf[i] == a->keys[0])
            {
              a->matched = 1;
              continue;
            }
        }
      out[n++] = buf[i];
    }
  return n > 0 ? send_frame (a, MON_STDIN, out, n, err) : 0;
}

static int
on_stdin (struct attach_ctx *a, oci_error_t **err)
{
  unsigned char buf[4096];
  ssize_t n;

  n = read (STDIN_FILENO, buf, sizeof buf);
  if (n < 0 && (errno == EINTR || errno == EAGAIN))
    return 0;
  if (n <= 0)
    {
      a->stdin_open = false;
      if (a->matched > 0 && send_frame (a, MON_STDIN, a->keys, a->matched, err) < 0)
        return -1;
      a->matched = 0;
      return send_frame (a, MON_STDIN_EOF, "", 0, err);
    }
  return forward_input (a, buf, (size_t) n, err);
}

/* Output frames to our stdout/stderr; 2 when the exit frame came.  */
static int
on_socket (struct attach_ctx *a, int *exit_code, oci_error_t **err)
{
  ssize_t n;
  uint32_t len;
  unsigned char *p;
  char code[16];

  n = read (a->fd, a->in + a->inlen, sizeof a->in - a->inlen);
  if (n < 0 && (errno == EINTR || errno == EAGAIN))
    return 0;
  if (n < 0)
    return oci_error_errno (err, errno, "read from the container monitor");
  if (n == 0)
    return oci_error_set (err, EPIPE, "lost the connection to the container monitor");
  a->inlen += n;
  while (a->inlen >= MONITOR_FRAME_HEADER)
    {
      len = monitor_frame_len (a->in);
      if (len > MONITOR_FRAME_MAX)
        return oci_error_set (err, EPROTO, "invalid frame from the container monitor");
      if (a->inlen < MONITOR_FRAME_HEADER + len)
        break;
      p = a->in + MONITOR_FRAME_HEADER;
      if ((a->in[0] == MON_STDOUT && !a->o->drop_stdout) || (a->in[0] == MON_STDERR && !a->o->drop_stderr))
        write_all (a->in[0] == MON_STDOUT ? STDOUT_FILENO : STDERR_FILENO, p, len);
      else if (a->in[0] == MON_EXIT)
        {
          snprintf (code, sizeof code, "%.*s", (int) (len < 15 ? len : 15), (char *) p);
          *exit_code = atoi (code);
          return 2;
        }
      a->inlen -= MONITOR_FRAME_HEADER + len;
      memmove (a->in, p + len, a->inlen);
    }
  return 0;
}

static int
on_signal (struct attach_ctx *a, oci_error_t **err)
{
  struct signalfd_siginfo si;

  while (read (a->sigfd, &si, sizeof si) == sizeof si)
    {
      if (si.ssi_signo == SIGWINCH)
        {
          if (send_resize (a, err) < 0)
            return -1;
        }
      else if (a->o->signal_cb != NULL)
        a->o->signal_cb ((int) si.ssi_signo, a->o->signal_data);
    }
  return 0;
}

static int
pump (struct attach_ctx *a, int *exit_code, oci_error_t **err)
{
  struct pollfd p[3];
  int r;

  for (;;)
    {
      p[0] = (struct pollfd){ .fd = a->fd, .events = POLLIN };
      p[1] = (struct pollfd){ .fd = a->stdin_open ? STDIN_FILENO : -1, .events = POLLIN };
      p[2] = (struct pollfd){ .fd = a->sigfd, .events = POLLIN };
      if (poll (p, 3, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          return oci_error_errno (err, errno, "poll");
        }
      if (p[2].revents && on_signal (a, err) < 0)
        return -1;
      if (p[0].revents && (r = on_socket (a, exit_code, err)) != 0)
        return r == 2 ? 0 : -1;
      if (p[1].revents && (r = on_stdin (a, err)) != 0)
        return r;
    }
}

static int
setup_signals (struct attach_ctx *a, oci_error_t **err)
{
  static const int proxied[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };
  sigset_t set;
  size_t i;

  sigemptyset (&set);
  if (a->o->tty)
    sigaddset (&set, SIGWINCH);
  if (a->o->signal_cb != NULL)
    for (i = 0; i < sizeof proxied / sizeof proxied[0]; i++)
      sigaddset (&set, proxied[i]);
  if (sigprocmask (SIG_BLOCK, &set, &a->oldmask) < 0)
    return oci_error_errno (err, errno, "sigprocmask");
  a->sigfd = signalfd (-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
  if (a->sigfd < 0)
    {
      sigprocmask (SIG_SETMASK, &a->oldmask, NULL);
      return oci_error_errno (err, errno, "signalfd");
    }
  return 0;
}

static void
teardown (struct attach_ctx *a)
{
  struct signalfd_siginfo si;

  if (a->raw)
    tcsetattr (STDIN_FILENO, TCSADRAIN, &a->saved);
  if (a->sigfd >= 0)
    {
      /* Consume what arrived so that unblocking delivers nothing late.  */
      while (read (a->sigfd, &si, sizeof si) == sizeof si)
        if (si.ssi_signo != SIGWINCH && a->o->signal_cb != NULL)
          a->o->signal_cb ((int) si.ssi_signo, a->o->signal_data);
      close (a->sigfd);
      sigprocmask (SIG_SETMASK, &a->oldmask, NULL);
    }
}

int
attach_stream (int fd, const struct attach_opts *o, int *exit_code, oci_error_t **err)
{
  cleanup_free struct attach_ctx *a = xzalloc (sizeof *a);
  struct termios raw;
  int r;

  a->fd = fd;
  a->o = o;
  a->sigfd = -1;
  a->stdin_open = o->use_stdin;
  a->nkeys = attach_parse_detach_keys (o->detach_keys ? o->detach_keys : DEFAULT_DETACH_KEYS, a->keys,
                                       DETACH_KEYS_MAX, err);
  if (a->nkeys < 0)
    return -1;
  if (setup_signals (a, err) < 0)
    return -1;
  if (o->tty && o->use_stdin && isatty (STDIN_FILENO) && tcgetattr (STDIN_FILENO, &a->saved) == 0)
    {
      raw = a->saved;
      cfmakeraw (&raw);
      a->raw = tcsetattr (STDIN_FILENO, TCSADRAIN, &raw) == 0;
    }
  r = o->tty ? send_resize (a, err) : 0;
  if (r == 0)
    r = pump (a, exit_code, err);
  teardown (a);
  return r;
}
