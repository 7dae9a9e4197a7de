/* Terminals: console sockets, the in-container pty, raw mode for run.  */
#include "config.h"
#include "terminal.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

int
terminal_connect_socket (const char *path, oci_error_t **err)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  cleanup_close int fd = -1;

  if (strlen (path) >= sizeof addr.sun_path)
    return oci_error_set (err, ENAMETOOLONG, "console socket path too long: %s", path);
  strcpy (addr.sun_path, path);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return oci_error_errno (err, errno, "cannot create a socket for the console socket %s", path);
  if (connect (fd, (struct sockaddr *) &addr, sizeof addr) < 0)
    return oci_error_errno (err, errno, "cannot connect to the console socket %s", path);
  return steal_fd (&fd);
}

int
terminal_send_fd (int socket_fd, int fd, const char *name, oci_error_t **err)
{
  char control[CMSG_SPACE (sizeof (int))] = { 0 };
  struct iovec iov = { .iov_base = (void *) name, .iov_len = strlen (name) };
  struct msghdr msg
      = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control };
  struct cmsghdr *cmsg = CMSG_FIRSTHDR (&msg);

  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (cmsg), &fd, sizeof (int));
  while (sendmsg (socket_fd, &msg, MSG_NOSIGNAL) < 0)
    if (errno != EINTR)
      return oci_error_errno (err, errno, "cannot send the pty master %s over the console socket", name);
  return 0;
}

int
terminal_recv_fd (int socket_fd, int *fd, oci_error_t **err)
{
  char control[CMSG_SPACE (sizeof (int))] = { 0 };
  char name[4096];
  struct iovec iov = { .iov_base = name, .iov_len = sizeof name };
  struct msghdr msg
      = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control };
  struct cmsghdr *cmsg;
  ssize_t n;

  while ((n = recvmsg (socket_fd, &msg, MSG_CMSG_CLOEXEC)) < 0)
    if (errno != EINTR)
      return oci_error_errno (err, errno, "cannot receive the pty master");
  cmsg = CMSG_FIRSTHDR (&msg);
  if (n == 0 || cmsg == NULL || cmsg->cmsg_type != SCM_RIGHTS)
    return oci_error_set (err, EPROTO, "no pty master received from the container");
  memcpy (fd, CMSG_DATA (cmsg), sizeof (int));
  return 0;
}

/* Open a pty with the container's /dev/ptmx; returns the master and the
   slave fd and name.  */
static int
open_pty (int *master, int *slave, char *name, size_t name_size, oci_error_t **err)
{
  cleanup_close int m = -1;
  int unlock = 0, n;

  m = open ("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (m < 0)
    m = open ("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (m < 0)
    return oci_error_errno (err, errno, "cannot open /dev/ptmx in the container");
  if (ioctl (m, TIOCSPTLCK, &unlock) < 0)
    return oci_error_errno (err, errno, "cannot unlock the pty");
  if (ioctl (m, TIOCGPTN, &n) < 0)
    return oci_error_errno (err, errno, "cannot get the pty number");
  snprintf (name, name_size, "/dev/pts/%d", n);
  /* TIOCGPTPEER opens the slave of this very master, not whatever a path
     in the container's /dev/pts might point to.  */
  *slave = ioctl (m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (*slave < 0)
    *slave = open (name, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (*slave < 0)
    return oci_error_errno (err, errno, "cannot open the pty slave %s", name);
  *master = steal_fd (&m);
  return 0;
}

int
terminal_setup_in_container (int socket_fd, const struct oci_box *size, oci_error_t **err)
{
  cleanup_close int master = -1, slave = -1;
  char name[64];
  int i;

  if (open_pty (&master, &slave, name, sizeof name, err) < 0)
    return -1;
  if (size && (size->height_present || size->width_present))
    {
      struct winsize ws = { .ws_row = (unsigned short) size->height, .ws_col = (unsigned short) size->width };
      if (ioctl (slave, TIOCSWINSZ, &ws) < 0)
        return oci_error_errno (err, errno, "cannot set the console size of %s", name);
    }
  if (terminal_send_fd (socket_fd, master, name, err) < 0)
    return -1;
  if (setsid () < 0)
    return oci_error_errno (err, errno, "setsid");
  if (ioctl (slave, TIOCSCTTY, 0) < 0)
    return oci_error_errno (err, errno, "cannot make %s the controlling terminal", name);
  for (i = 0; i < 3; i++)
    if (dup2 (slave, i) < 0)
      return oci_error_errno (err, errno, "cannot use %s as fd %d", name, i);
  return 0;
}

int
terminal_make_raw (int fd, struct termios *saved)
{
  struct termios raw;

  if (!isatty (fd) || tcgetattr (fd, saved) < 0)
    return 0;
  raw = *saved;
  cfmakeraw (&raw);
  if (tcsetattr (fd, TCSANOW, &raw) < 0)
    return 0;
  return 1;
}

void
terminal_copy_winsize (int from_fd, int master_fd)
{
  struct winsize ws;

  if (ioctl (from_fd, TIOCGWINSZ, &ws) == 0)
    ioctl (master_fd, TIOCSWINSZ, &ws);
}
