/* hull's log file in runc's text and json formats.  */
#include "config.h"
#include "log.h"
#include "fileutil.h"
#include "strbuf.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static const char *log_path;
static enum hull_log_format log_format;
static bool log_debug;

void
hull_log_init (const struct hull_globals *g)
{
  log_path = g->log;
  log_format = g->log_format;
  log_debug = g->debug;
}

char *
hull_time_rfc3339 (const struct timespec *ts, bool nano)
{
  struct tm tm;
  char base[64];
  char frac[32];
  char *out;
  int i;

  gmtime_r (&ts->tv_sec, &tm);
  strftime (base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
  frac[0] = '\0';
  if (nano && ts->tv_nsec > 0)
    {
      snprintf (frac, sizeof frac, ".%09ld", ts->tv_nsec);
      for (i = (int) strlen (frac) - 1; i > 0 && frac[i] == '0'; i--)
        frac[i] = '\0';
    }
  xasprintf (&out, "%s%sZ", base, frac);
  return out;
}

static const char *
level_name (enum hull_log_level level)
{
  switch (level)
    {
    case HULL_LOG_DEBUG:
      return "debug";
    case HULL_LOG_INFO:
      return "info";
    case HULL_LOG_WARN:
      return "warning";
    default:
      return "error";
    }
}

/* A JSON string body (no quotes); also fine for logfmt's quoted values.  */
static void
add_escaped (struct strbuf *sb, const char *s)
{
  for (; *s; s++)
    {
      unsigned char c = (unsigned char) *s;
      if (c == '"' || c == '\\')
        {
          strbuf_addch (sb, '\\');
          strbuf_addch (sb, (char) c);
        }
      else if (c == '\n')
        strbuf_addstr (sb, "\\n");
      else if (c == '\t')
        strbuf_addstr (sb, "\\t");
      else if (c == '\r')
        strbuf_addstr (sb, "\\r");
      else if (c < 0x20)
        strbuf_addf (sb, "\\u%04x", c);
      else
        strbuf_addch (sb, (char) c);
    }
}

static void
format_line (struct strbuf *sb, enum hull_log_level level, const char *msg)
{
  struct timespec now;
  cleanup_free char *when = NULL;

  clock_gettime (CLOCK_REALTIME, &now);
  when = hull_time_rfc3339 (&now, false);
  if (log_format == HULL_LOG_JSON)
    {
      strbuf_addf (sb, "{\"level\":\"%s\",\"msg\":\"", level_name (level));
      add_escaped (sb, msg);
      strbuf_addf (sb, "\",\"time\":\"%s\"}\n", when);
      return;
    }
  strbuf_addf (sb, "time=\"%s\" level=%s msg=\"", when, level_name (level));
  add_escaped (sb, msg);
  strbuf_addstr (sb, "\"\n");
}

static void
log_write (enum hull_log_level level, const char *msg)
{
  cleanup_strbuf struct strbuf sb = STRBUF_INIT;
  cleanup_close int fd = -1;
  int saved = errno;

  if (log_path == NULL || (level == HULL_LOG_DEBUG && !log_debug))
    return;
  fd = open (log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      errno = saved;
      return;
    }
  format_line (&sb, level, msg);
  /* One write per line so concurrent hulls never interleave a line.  */
  if (write_all (fd, sb.buf, sb.len) < 0)
    errno = saved;
  errno = saved;
}

void
hull_log (enum hull_log_level level, const char *fmt, ...)
{
  cleanup_strbuf struct strbuf sb = STRBUF_INIT;
  va_list ap;

  va_start (ap, fmt);
  strbuf_vaddf (&sb, fmt, ap);
  va_end (ap);
  log_write (level, strbuf_str (&sb));
}

void
hull_warn (const char *fmt, ...)
{
  cleanup_strbuf struct strbuf sb = STRBUF_INIT;
  va_list ap;

  va_start (ap, fmt);
  strbuf_vaddf (&sb, fmt, ap);
  va_end (ap);
  fprintf (stderr, "hull: warning: %s\n", strbuf_str (&sb));
  log_write (HULL_LOG_WARN, strbuf_str (&sb));
}
