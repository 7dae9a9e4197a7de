/* The contract between berth and berth-monitor: the names of the files the
   monitor keeps in the container dir, and the framing of attach.sock.

   Every message on attach.sock, in both directions, is an 8-byte header
   {type, 0, 0, 0, len (uint32, big endian)} followed by len bytes of
   payload.  This header is shared by berth (attach.c) and the monitor,
   which links only libc: keep it free of other includes.  */
#ifndef MONITOR_PROTO_H
#define MONITOR_PROTO_H

#include <stdint.h>

#define MONITOR_STATE_FILE       "state"
#define MONITOR_LOCK_FILE        "monitor.lock"
#define MONITOR_PID_FILE         "monitor.pid"
#define MONITOR_ATTACH_SOCK      "attach.sock"
#define MONITOR_CONSOLE_SOCK     "console.sock"
#define MONITOR_LOG_FILE         "ctr.log"
#define MONITOR_STOPPED_FILE     "stopped"
#define MONITOR_PAUSED_FILE      "paused"
#define MONITOR_RUNTIME_PID_FILE "pid"
#define MONITOR_HEALTH_FILE      "health.json"
/* A foreground `berth run` holds a shared flock on this file while it
   waits for the container: it then runs the cleanup itself, so the
   monitor skips its cleanup command when it cannot take the lock.  */
#define MONITOR_WAITER_LOCK_FILE "waiter.lock"

enum monitor_frame
{
  MON_STDIN = 0,     /* client → monitor: bytes for the container's stdin */
  MON_STDOUT = 1,    /* monitor → client: container output */
  MON_STDERR = 2,    /* monitor → client: container error output */
  MON_EXIT = 3,      /* monitor → client: decimal exit code text */
  MON_STDIN_EOF = 4, /* client → monitor: close the container's stdin */
  MON_RESIZE = 5,    /* client → monitor: "ROWS COLS" */
};

#define MONITOR_FRAME_HEADER 8
/* Largest payload either side sends; a reader may reject bigger frames.  */
#define MONITOR_FRAME_MAX 32768

static inline void
monitor_frame_header (unsigned char h[MONITOR_FRAME_HEADER], enum monitor_frame type, uint32_t len)
{
  h[0] = (unsigned char) type;
  h[1] = h[2] = h[3] = 0;
  h[4] = (unsigned char) (len >> 24);
  h[5] = (unsigned char) (len >> 16);
  h[6] = (unsigned char) (len >> 8);
  h[7] = (unsigned char) len;
}

static inline uint32_t
monitor_frame_len (const unsigned char h[MONITOR_FRAME_HEADER])
{
  return ((uint32_t) h[4] << 24) | ((uint32_t) h[5] << 16) | ((uint32_t) h[6] << 8) | (uint32_t) h[7];
}

#endif
