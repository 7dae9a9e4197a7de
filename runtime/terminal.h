/* process.terminal: a pty whose master goes to the console socket
   (SCM_RIGHTS, as conmon and the containerd shim expect) and whose slave
   becomes the container's stdio and controlling terminal.  */
#ifndef HULL_TERMINAL_H
#define HULL_TERMINAL_H

#include "init.h"

/* Connect to a console socket path; returns the fd.  */
int terminal_connect_socket (const char *path, oci_error_t **err);
/* In the child after pivot_root (the container's /dev/ptmx): open a pty,
   apply consoleSize, send the master over socket_fd, make the slave the
   controlling terminal and stdin/stdout/stderr.  */
int terminal_setup_in_container (int socket_fd, const struct oci_box *size, oci_error_t **err);
/* Send a file descriptor over a unix socket.  */
int terminal_send_fd (int socket_fd, int fd, const char *name, oci_error_t **err);

#endif
