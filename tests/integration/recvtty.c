/* Test helper for hull's --console-socket: listen on a unix socket, accept
   one connection, receive the pty master (SCM_RIGHTS), write the message
   payload (the pty name) to NAME_FILE and copy everything the container
   writes to the pty into OUT_FILE until the pty closes.
   Usage: recvtty SOCKET NAME_FILE OUT_FILE  */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int
receive_fd (int conn, char *name, size_t name_size)
{
  char control[CMSG_SPACE (sizeof (int))];
  struct iovec iov = { .iov_base = name, .iov_len = name_size - 1 };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
                        .msg_controllen = sizeof control };
  struct cmsghdr *cmsg;
  ssize_t n = recvmsg (conn, &msg, 0);
  int fd;

  if (n <= 0 || (cmsg = CMSG_FIRSTHDR (&msg)) == NULL || cmsg->cmsg_type != SCM_RIGHTS)
    return -1;
  name[n] = '\0';
  memcpy (&fd, CMSG_DATA (cmsg), sizeof fd);
  return fd;
}

int
main (int argc, char **argv)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  char name[256], buf[4096];
  int sock, conn, master, out;
  FILE *f;
  ssize_t n;

  if (argc != 4 || strlen (argv[1]) >= sizeof addr.sun_path)
    {
      fprintf (stderr, "usage: recvtty SOCKET NAME_FILE OUT_FILE\n");
      return 2;
    }
  strcpy (addr.sun_path, argv[1]);
  sock = socket (AF_UNIX, SOCK_STREAM, 0);
  if (sock < 0 || bind (sock, (struct sockaddr *) &addr, sizeof addr) < 0 || listen (sock, 1) < 0)
    {
      perror ("recvtty: socket");
      return 1;
    }
  conn = accept (sock, NULL, NULL);
  if (conn < 0 || (master = receive_fd (conn, name, sizeof name)) < 0)
    {
      fprintf (stderr, "recvtty: no fd received\n");
      return 1;
    }
  f = fopen (argv[2], "w");
  if (f == NULL)
    return 1;
  fprintf (f, "%s\n", name);
  fclose (f);
  out = open (argv[3], O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
  if (out < 0)
    return 1;
  while ((n = read (master, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
    if (n > 0 && write (out, buf, (size_t) n) != n)
      return 1;
  return 0;
}
