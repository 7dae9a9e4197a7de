/* berth-monitor: the event loop.  Container output → log + clients,
   client frames → container stdin / terminal size, children reaped,
   health checks started.  */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "monitor.h"

#define CLIENT_SEND_TIMEOUT_MS 10000
#define DRAIN_MS               1000

static void
client_close (struct mon_client *c)
{
  if (c->fd >= 0)
    close (c->fd);
  c->fd = -1;
}

void
mon_close_clients (struct mon *m)
{
  size_t i;

  for (i = 0; i < MON_MAX_CLIENTS; i++)
    client_close (&m->clients[i]);
}

void
mon_accept_pending (struct mon *m)
{
  size_t i;
  int fd;

  while ((fd = accept4 (m->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0)
    {
      for (i = 0; i < MON_MAX_CLIENTS && m->clients[i].fd >= 0; i++)
        ;
      if (i == MON_MAX_CLIENTS)
        {
          close (fd);
          continue;
        }
      m->clients[i] = (struct mon_client){ .fd = fd };
    }
}

/* A slow client gets CLIENT_SEND_TIMEOUT_MS without any progress before
   it is dropped; meanwhile the container waits (as with docker).  */
static int
send_all (int fd, const unsigned char *buf, size_t len)
{
  struct pollfd p = { .fd = fd, .events = POLLOUT };
  ssize_t n;

  while (len > 0)
    {
      n = send (fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0)
        {
          buf += n;
          len -= n;
          continue;
        }
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno != EAGAIN)
        return -1;
      if (poll (&p, 1, CLIENT_SEND_TIMEOUT_MS) <= 0 || (p.revents & (POLLERR | POLLHUP)))
        return -1;
    }
  return 0;
}

void
mon_broadcast (struct mon *m, enum monitor_frame type, const void *buf, size_t len)
{
  unsigned char h[MONITOR_FRAME_HEADER];
  size_t i;

  monitor_frame_header (h, type, (uint32_t) len);
  for (i = 0; i < MON_MAX_CLIENTS; i++)
    if (m->clients[i].fd >= 0
        && (send_all (m->clients[i].fd, h, sizeof h) < 0 || send_all (m->clients[i].fd, buf, len) < 0))
      client_close (&m->clients[i]);
}

void
mon_reap (struct mon *m)
{
  struct signalfd_siginfo si;
  int status;
  pid_t pid;

  while (read (m->sigfd, &si, sizeof si) > 0)
    ;
  while ((pid = waitpid (-1, &status, WNOHANG)) > 0)
    {
      if (pid == m->health_pid)
        m->health_pid = 0;
      if (pid != m->ctr_pid || m->ctr_exited)
        continue;
      m->ctr_exited = true;
      m->finished_ns = mon_now_ns ();
      m->exit_code = WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
    }
}

static void
stdin_close (struct mon *m)
{
  if (m->stdin_fd >= 0)
    close (m->stdin_fd);
  m->stdin_fd = -1;
  m->stdin_len = 0;
}

static void
stdin_flush (struct mon *m)
{
  ssize_t n;

  while (m->stdin_fd >= 0 && m->stdin_len > 0)
    {
      n = write (m->stdin_fd, m->stdin_buf, m->stdin_len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno == EAGAIN)
        return;
      if (n <= 0)
        {
          stdin_close (m);
          return;
        }
      memmove (m->stdin_buf, m->stdin_buf + n, m->stdin_len - n);
      m->stdin_len -= n;
    }
  if (m->stdin_eof && m->stdin_len == 0 && !m->tty)
    stdin_close (m);
}

static void
resize (struct mon *m, struct mon_client *c)
{
  struct winsize ws = { 0 };
  char *end;

  c->ctl[c->ctl_got < sizeof c->ctl ? c->ctl_got : sizeof c->ctl - 1] = '\0';
  ws.ws_row = (unsigned short) strtoul ((char *) c->ctl, &end, 10);
  ws.ws_col = (unsigned short) strtoul (end, NULL, 10);
  if (m->tty && m->out.fd >= 0 && ws.ws_row > 0 && ws.ws_col > 0)
    ioctl (m->out.fd, TIOCSWINSZ, &ws);
}

static void
frame_done (struct mon *m, struct mon_client *c)
{
  if (c->hdr[0] == MON_STDIN_EOF)
    {
      m->stdin_eof = true;
      stdin_flush (m);
    }
  else if (c->hdr[0] == MON_RESIZE)
    resize (m, c);
  c->hdr_got = 0;
}

/* Read what the client sent: stdin payload goes straight into stdin_buf
   (the caller only polls clients while it has room), small control
   payloads into c->ctl, anything else is skipped.  */
static int
client_read (struct mon *m, struct mon_client *c)
{
  unsigned char skip[512], *dst;
  size_t room;
  ssize_t n;

  if (c->hdr_got < MONITOR_FRAME_HEADER)
    {
      n = read (c->fd, c->hdr + c->hdr_got, MONITOR_FRAME_HEADER - c->hdr_got);
      if (n <= 0)
        return n < 0 && errno == EAGAIN ? 0 : -1;
      c->hdr_got += n;
      if (c->hdr_got < MONITOR_FRAME_HEADER)
        return 0;
      c->left = monitor_frame_len (c->hdr);
      c->ctl_got = 0;
      if (c->left > MONITOR_FRAME_MAX)
        return -1;
    }
  if (c->left > 0)
    {
      if (c->hdr[0] == MON_STDIN && m->stdin_fd >= 0 && !m->stdin_eof)
        {
          dst = m->stdin_buf + m->stdin_len;
          room = sizeof m->stdin_buf - m->stdin_len;
        }
      else if (c->hdr[0] == MON_RESIZE && c->ctl_got < sizeof c->ctl - 1)
        {
          dst = c->ctl + c->ctl_got;
          room = sizeof c->ctl - 1 - c->ctl_got;
        }
      else
        {
          dst = skip;
          room = sizeof skip;
        }
      if (room > c->left)
        room = c->left;
      n = read (c->fd, dst, room);
      if (n <= 0)
        return n < 0 && errno == EAGAIN ? 0 : -1;
      c->left -= n;
      if (dst == m->stdin_buf + m->stdin_len)
        m->stdin_len += n;
      else if (dst != skip)
        c->ctl_got += n;
      stdin_flush (m);
    }
  if (c->left == 0)
    frame_done (m, c);
  return 0;
}

/* Read a chunk of container output; false at EOF (the fd is closed).  */
static bool
stream_read (struct mon *m, struct mon_stream *s)
{
  char buf[4096];
  ssize_t n;

  n = read (s->fd, buf, sizeof buf);
  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return true;
  if (n <= 0)
    {
      /* EIO: the last holder of the pty slave is gone.  */
      mon_log_flush (m, s);
      if (s->fd != m->stdin_fd)
        close (s->fd);
      s->fd = -1;
      return false;
    }
  mon_log_output (m, s, buf, n);
  mon_broadcast (m, s->frame, buf, n);
  return true;
}

static void
health_start (struct mon *m)
{
  struct mon_spawn io = { -1, -1, -1 };
  int64_t now = mon_mono_ms ();
  pid_t pid;

  if (m->health_argv[0] == NULL || m->ctr_exited || now < m->next_health_ms)
    return;
  m->next_health_ms = now + m->health_interval_ms;
  if (m->health_pid > 0)
    return; /* the previous check is still running */
  pid = mon_spawn (m->health_argv, &io);
  if (pid > 0)
    m->health_pid = pid;
}

enum
{
  P_SIG,
  P_LISTEN,
  P_OUT,
  P_ERR,
  P_STDIN,
  P_CLIENTS,
};

/* One round of poll over everything; TIMEOUT_MS bounds the wait.  */
static void
poll_once (struct mon *m, int timeout_ms)
{
  struct pollfd p[P_CLIENTS + MON_MAX_CLIENTS];
  bool room = m->stdin_len < sizeof m->stdin_buf;
  size_t i;

  p[P_SIG] = (struct pollfd){ .fd = m->sigfd, .events = POLLIN };
  p[P_LISTEN] = (struct pollfd){ .fd = m->listen_fd, .events = POLLIN };
  p[P_OUT] = (struct pollfd){ .fd = m->out.fd, .events = POLLIN };
  p[P_ERR] = (struct pollfd){ .fd = m->err.fd, .events = POLLIN };
  p[P_STDIN] = (struct pollfd){ .fd = m->stdin_len > 0 ? m->stdin_fd : -1, .events = POLLOUT };
  for (i = 0; i < MON_MAX_CLIENTS; i++)
    p[P_CLIENTS + i] = (struct pollfd){ .fd = room ? m->clients[i].fd : -1, .events = POLLIN };
  if (poll (p, P_CLIENTS + MON_MAX_CLIENTS, timeout_ms) <= 0)
    return;
  if (p[P_OUT].revents)
    stream_read (m, &m->out);
  if (p[P_ERR].revents)
    stream_read (m, &m->err);
  if (p[P_SIG].revents)
    mon_reap (m);
  if (p[P_LISTEN].revents)
    mon_accept_pending (m);
  if (p[P_STDIN].revents)
    {
      if (p[P_STDIN].revents & (POLLERR | POLLHUP) && !m->tty)
        stdin_close (m);
      else
        stdin_flush (m);
    }
  for (i = 0; i < MON_MAX_CLIENTS; i++)
    if (p[P_CLIENTS + i].revents && m->clients[i].fd >= 0 && client_read (m, &m->clients[i]) < 0)
      client_close (&m->clients[i]);
}

void
mon_idle (struct mon *m, int timeout_ms)
{
  poll_once (m, timeout_ms);
}

void
mon_event_loop (struct mon *m)
{
  int64_t wait;

  mon_reap (m);
  while (!m->ctr_exited)
    {
      health_start (m);
      wait = -1;
      if (m->health_argv[0] != NULL)
        {
          wait = m->next_health_ms - mon_mono_ms ();
          wait = wait < 0 ? 0 : wait;
        }
      poll_once (m, (int) wait);
    }
}

/* After the init exited: read what is left in the pipes, for at most
   DRAIN_MS (a daemonized grandchild may hold them open).  */
void
mon_drain (struct mon *m)
{
  int64_t until = mon_mono_ms () + DRAIN_MS, now;
  struct pollfd p[2];

  while ((m->out.fd >= 0 || m->err.fd >= 0) && (now = mon_mono_ms ()) < until)
    {
      p[0] = (struct pollfd){ .fd = m->out.fd, .events = POLLIN };
      p[1] = (struct pollfd){ .fd = m->err.fd, .events = POLLIN };
      if (poll (p, 2, (int) (until - now)) <= 0)
        break;
      if (p[0].revents)
        stream_read (m, &m->out);
      if (p[1].revents)
        stream_read (m, &m->err);
    }
  if (m->out.fd >= 0)
    mon_log_flush (m, &m->out);
  if (m->err.fd >= 0)
    mon_log_flush (m, &m->err);
}
