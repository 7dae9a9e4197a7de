/* Client side of a container's attach.sock (served by berth-monitor):
   demultiplexes the container's output to our stdout/stderr, forwards our
   stdin, terminal size and detach keys.  */
#ifndef BERTH_ATTACH_H
#define BERTH_ATTACH_H

#include <stdbool.h>

#include "error.h"

struct attach_opts
{
  bool use_stdin;          /* forward our stdin (and EOF) */
  bool tty;                /* the container has a tty: raw mode + resize when our stdin is a tty */
  bool drop_stdout;        /* not attached to the container's stdout (run -a without STDOUT) */
  bool drop_stderr;        /* not attached to its stderr */
  const char *detach_keys; /* NULL: "ctrl-p,ctrl-q"; "" disables */
  /* non-NULL: SIGINT/TERM/HUP/QUIT/USR1/USR2 are caught and passed here (sig-proxy) */
  void (*signal_cb) (int sig, void *data);
  void *signal_data;
};

/* Connect to CDIR/attach.sock.  errno ENOENT/ECONNREFUSED: no live monitor.  */
int attach_connect (const char *cdir, int *fd, oci_error_t **err);

/* Pump until the container exits (returns 0, *exit_code set), the user
   types the detach keys (returns 1) or an error (-1).  Closes nothing: the
   caller owns FD.  */
int attach_stream (int fd, const struct attach_opts *o, int *exit_code, oci_error_t **err);

/* Parse docker's detach key syntax ("ctrl-p,ctrl-q", "a,ctrl-@", …) into
   at most KEYS_MAX bytes; returns the count, or -1 with *err.  */
int attach_parse_detach_keys (const char *spec, unsigned char *keys, int keys_max, oci_error_t **err);

#endif
