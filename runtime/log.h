/* hull's log: --log FILE, --log-format text|json and --debug, with runc's
   line formats:
     text: time="2026-11-27T20:00:00Z" level=error msg="..."
     json: {"level":"error","msg":"...","time":"2026-11-27T20:00:00Z"}
   Without --log nothing is written (errors still go to stderr from main).  */
#ifndef HULL_LOG_H
#define HULL_LOG_H

#include <time.h>

#include "hull.h"

enum hull_log_level
{
  HULL_LOG_DEBUG,
  HULL_LOG_INFO,
  HULL_LOG_WARN,
  HULL_LOG_ERROR,
};

/* Remember the global options; call once before any hull_log.  */
void hull_log_init (const struct hull_globals *g);
void hull_log (enum hull_log_level level, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
/* A warning goes to stderr too ("hull: warning: ...").  */
void hull_warn (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

/* RFC 3339 UTC time: seconds only, or with nanoseconds (RFC3339Nano,
   trailing zeros trimmed as Go does).  Caller frees.  */
char *hull_time_rfc3339 (const struct timespec *ts, bool nano);

#endif
