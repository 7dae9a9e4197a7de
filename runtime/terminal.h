/* process.terminal: a pty whose master goes to the console socket
   (SCM_RIGHTS, as conmon and the containerd shim expect) and whose slave
   becomes the container's stdio and controlling terminal.  */
#ifndef HULL_TERMINAL_H
#define HULL_TERMINAL_H

#include <termios.h>

#include "init.h"

/* Connect to a console socket path; returns the fd.  */
int terminal_connect_socket (const char *path, oci_error_t **err);
/* In the child after pivot_root (the container's /dev/ptmx): open a pty,
   apply consoleSize, send the master over socket_fd, make the slave the
   controlling terminal and stdin/stdout/stderr.  */
int terminal_setup_in_container (int socket_fd, const struct oci_box *size, oci_error_t **err);
/* Send a file descriptor over a unix socket; name is the message payload
   (the pty's path, as runc sends it).  */
int terminal_send_fd (int socket_fd, int fd, const char *name, oci_error_t **err);
/* Receive one file descriptor sent with terminal_send_fd.  */
int terminal_recv_fd (int socket_fd, int *fd, oci_error_t **err);

/* For a foreground `run` holding the master itself: put fd (hull's stdin)
   into raw mode, saving the old settings in *saved; returns 1 when fd is a
   terminal and was changed, 0 when it is not a terminal.  */
int terminal_make_raw (int fd, struct termios *saved);
/* Copy hull's terminal size to the pty master.  */
void terminal_copy_winsize (int from_fd, int master_fd);

#endif
