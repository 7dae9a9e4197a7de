/* Test helper for berth-monitor (tests/integration/berth-monitor.bats): a
   minimal attach.sock client speaking the framing of monitor_proto.h.
     monitor-client attach CDIR [ROWS COLS]
       forward stdin (EOF → MON_STDIN_EOF), print MON_STDOUT/MON_STDERR
       frames on stdout/stderr, exit with the MON_EXIT code.  With ROWS
       COLS, send a MON_RESIZE first.
     monitor-client sync CDIR MONITOR-ARGV...
       run the monitor with --sync-fd 3 on a socketpair, print its replies
       ("created PID", "started") on stderr, attach before sending `s`,
       then behave as attach ($MC_SIZE "ROWS COLS": resize first).  */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "manager/container/monitor_proto.h"

static void
die (const char *what)
{
  fprintf (stderr, "monitor-client: %s: %s\n", what, strerror (errno));
  exit (125);
}

static void
write_all (int fd, const void *buf, size_t len)
{
  const char *p = buf;
  ssize_t n;

  while (len > 0)
    {
      n = write (fd, p, len);
      if (n <= 0)
        die ("write");
      p += n;
      len -= n;
    }
}

static void
read_all (int fd, void *buf, size_t len)
{
  char *p = buf;
  ssize_t n;

  while (len > 0)
    {
      n = read (fd, p, len);
      if (n == 0)
        {
          fprintf (stderr, "monitor-client: connection closed\n");
          exit (124);
        }
      if (n < 0)
        die ("read");
      p += n;
      len -= n;
    }
}

static void
send_frame (int fd, int type, const void *buf, size_t len)
{
  unsigned char h[MONITOR_FRAME_HEADER];

  monitor_frame_header (h, type, len);
  write_all (fd, h, sizeof h);
  write_all (fd, buf, len);
}

static int
connect_dir (const char *dir)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int fd;

  if (chdir (dir) < 0)
    die (dir);
  strcpy (addr.sun_path, MONITOR_ATTACH_SOCK);
  fd = socket (AF_UNIX, SOCK_STREAM, 0);
  if (fd < 0 || connect (fd, (struct sockaddr *) &addr, sizeof addr) < 0)
    die ("connect");
  return fd;
}

static int
stream (int fd)
{
  static unsigned char buf[MONITOR_FRAME_MAX + 1];
  unsigned char h[MONITOR_FRAME_HEADER];
  struct pollfd p[2] = { { .fd = fd, .events = POLLIN }, { .fd = STDIN_FILENO, .events = POLLIN } };
  ssize_t n;
  uint32_t len;

  for (;;)
    {
      if (poll (p, 2, -1) < 0)
        die ("poll");
      if (p[1].revents)
        {
          n = read (STDIN_FILENO, buf, sizeof buf - 1);
          if (n > 0)
            send_frame (fd, MON_STDIN, buf, n);
          else
            {
              send_frame (fd, MON_STDIN_EOF, "", 0);
              p[1].fd = -1;
            }
        }
      if (!p[0].revents)
        continue;
      read_all (fd, h, sizeof h);
      len = monitor_frame_len (h);
      if (len > MONITOR_FRAME_MAX)
        return 126;
      read_all (fd, buf, len);
      buf[len] = '\0';
      if (h[0] == MON_EXIT)
        return atoi ((char *) buf);
      write_all (h[0] == MON_STDERR ? STDERR_FILENO : STDOUT_FILENO, buf, len);
    }
}

static void
read_line (int fd, char *buf, size_t size)
{
  size_t n = 0;

  while (n + 1 < size)
    {
      read_all (fd, buf + n, 1);
      if (buf[n++] == '\n')
        break;
    }
  buf[n] = '\0';
  fprintf (stderr, "sync: %s", buf);
}

static int
sync_mode (const char *dir, int argc, char **argv)
{
  char line[1024];
  char **args = calloc (argc + 3, sizeof *args);
  int sv[2], fd;

  if (socketpair (AF_UNIX, SOCK_STREAM, 0, sv) < 0)
    die ("socketpair");
  if (fork () == 0)
    {
      close (sv[0]);
      if (dup2 (sv[1], 3) < 0)
        die ("dup2");
      memcpy (args, argv, argc * sizeof *args);
      args[argc] = (char *) "--sync-fd";
      args[argc + 1] = (char *) "3";
      execvp (args[0], args);
      die (args[0]);
    }
  close (sv[1]);
  read_line (sv[0], line, sizeof line);
  if (strncmp (line, "created ", 8) != 0)
    return 125;
  fd = connect_dir (dir);
  if (getenv ("MC_SIZE") != NULL)
    send_frame (fd, MON_RESIZE, getenv ("MC_SIZE"), strlen (getenv ("MC_SIZE")));
  write_all (sv[0], "s", 1);
  read_line (sv[0], line, sizeof line);
  if (strcmp (line, "started\n") != 0)
    return 125;
  return stream (fd);
}

int
main (int argc, char **argv)
{
  int fd;
  char size[32];

  if (argc >= 3 && strcmp (argv[1], "attach") == 0)
    {
      fd = connect_dir (argv[2]);
      if (argc == 5)
        {
          snprintf (size, sizeof size, "%s %s", argv[3], argv[4]);
          send_frame (fd, MON_RESIZE, size, strlen (size));
        }
      return stream (fd);
    }
  if (argc >= 4 && strcmp (argv[1], "sync") == 0)
    return sync_mode (argv[2], argc - 3, argv + 3);
  fprintf (stderr, "usage: monitor-client attach CDIR [ROWS COLS] | sync CDIR MONITOR-ARGV...\n");
  return 2;
}
