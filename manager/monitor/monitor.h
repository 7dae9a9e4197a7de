/* berth-monitor: the one process that stays with a running container (like
   podman's conmon).  Internal interface shared by its files; libc only.  */
#ifndef BERTH_MONITOR_H
#define BERTH_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "manager/container/monitor_proto.h"

#define MON_MAX_ARGV    64
#define MON_MAX_CLIENTS 16
#define MON_LINE_MAX    16384 /* docker splits log lines at 16 KiB */
#define MON_STDIN_BUF   4096
#define MON_ERR_MAX     1024
#define MON_MAX_KEEP    256 /* --keep-fd */

enum restart_mode
{
  RESTART_NO,
  RESTART_ALWAYS,
  RESTART_UNLESS_STOPPED,
  RESTART_ON_FAILURE,
};

struct mon_client
{
  int fd; /* -1: free slot */
  unsigned char hdr[MONITOR_FRAME_HEADER];
  size_t hdr_got;        /* bytes of hdr read so far */
  uint32_t left;         /* payload bytes still to read */
  unsigned char ctl[32]; /* payload of a MON_RESIZE frame */
  size_t ctl_got;
};

struct mon_stream
{
  int fd;           /* read end (pipe or pty master), -1 when closed */
  const char *name; /* "stdout" / "stderr" */
  enum monitor_frame frame;
  char line[MON_LINE_MAX];
  size_t len;
};

struct mon
{
  /* argv */
  const char *id, *dir, *runtime, *runtime_root;
  bool tty, use_stdin, log_none;
  enum restart_mode restart;
  int restart_max;
  int sync_fd;
  int health_interval_ms;
  char *health_argv[MON_MAX_ARGV + 1];
  char *cleanup_argv[MON_MAX_ARGV + 1];
  int keep_fds[MON_MAX_KEEP]; /* inherited, held open (close-on-exec) until we exit */
  size_t n_keep;

  /* process-wide */
  int sigfd, listen_fd, log_fd;
  struct mon_client clients[MON_MAX_CLIENTS];
  pid_t health_pid;
  int64_t next_health_ms;

  /* the current run of the container */
  struct mon_stream out, err;
  int stdin_fd; /* pipe write end, or the pty master (dup), -1 when none */
  unsigned char stdin_buf[MON_STDIN_BUF];
  size_t stdin_len;
  bool stdin_eof; /* close stdin_fd once stdin_buf is flushed */
  pid_t ctr_pid;
  bool ctr_exited;
  int exit_code;
  bool oom;
  int64_t started_ns, finished_ns;
  int restarts;
};

/* monitor.c */
int64_t mon_now_ns (void);
int64_t mon_mono_ms (void);
void mon_log (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
int mon_write_state (struct mon *m, const char *status);
char *mon_fmt_int (char *p, int64_t v);
char *mon_fmt_pad (char *p, int64_t v, int width);
char *mon_fmt_str (char *p, const char *s);
void mon_reap (struct mon *m);

/* spawn.c */
struct mon_spawn
{
  int stdin_fd, stdout_fd, stderr_fd; /* for the child: -1 → /dev/null */
};
pid_t mon_spawn (char *const *argv, const struct mon_spawn *io);
int mon_runtime_create (struct mon *m, char *errmsg, size_t errsz);
int mon_runtime_start (struct mon *m, char *errmsg, size_t errsz);
void mon_runtime_delete (struct mon *m);
void mon_check_oom (struct mon *m);
int mon_run_wait (char *const *argv);
void mon_close_run (struct mon *m);

/* loop.c */
void mon_accept_pending (struct mon *m);
void mon_event_loop (struct mon *m);
void mon_drain (struct mon *m);
void mon_broadcast (struct mon *m, enum monitor_frame type, const void *buf, size_t len);
void mon_close_clients (struct mon *m);
void mon_idle (struct mon *m, int timeout_ms);

/* logjson.c */
void mon_log_output (struct mon *m, struct mon_stream *s, const char *buf, size_t len);
void mon_log_flush (struct mon *m, struct mon_stream *s);
size_t mon_json_escape (char *dst, size_t dstsz, const char *src, size_t len, size_t *used);

#endif
