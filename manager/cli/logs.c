/* berth logs: read the container's json-file log (<cdir>/ctr.log, written
   by berth-monitor) and copy each entry to our stdout or stderr, as its
   stream says; -f follows the file until the container stopped and its
   monitor is gone.  */
#include "config.h"
#include "commands.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <time.h>
#include <yajl/yajl_tree.h>

#include "manager/container/control.h"
#include "manager/container/monitor_proto.h"
#include "manager/container/state.h"
#include "util.h"

#define FOLLOW_POLL_NS 100000000L

static const char logs_help[]
    = "Usage: berth logs [OPTIONS] CONTAINER\n\n"
      "Fetch the logs of a container\n\n"
      "Aliases:\n  berth container logs, berth logs\n\n"
      "Options:\n"
      "      --details        Show extra details provided to logs\n"
      "  -f, --follow         Follow log output\n"
      "      --since string   Show logs since timestamp (e.g. \"2013-01-02T13:23:37Z\") or relative\n"
      "                       (e.g. \"42m\" for 42 minutes)\n"
      "  -n, --tail string    Number of lines to show from the end of the logs (default \"all\")\n"
      "  -t, --timestamps     Show timestamps\n"
      "      --until string   Show logs before a timestamp (e.g. \"2013-01-02T13:23:37Z\") or relative\n"
      "                       (e.g. \"42m\" for 42 minutes)\n";

struct logs_opts
{
  bool follow, timestamps, details;
  int64_t since_ns, until_ns; /* 0: none */
  long tail;                  /* -1: all */
};

/* "2026-11-27T22:00:00.123456789Z" (or with an offset) → ns; 0 when bad.  */
static int64_t
parse_log_time (const char *s)
{
  struct tm tm = { 0 };
  int64_t frac = 0, scale = 100000000, ns;
  const char *p;
  int off = 0;

  if (sscanf (s, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
              &tm.tm_sec)
      != 6)
    return 0;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  p = s + 19;
  if (*p == '.')
    for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
      frac += (*p - '0') * scale;
  if (*p == '+' || *p == '-')
    {
      int h = 0, m = 0;

      sscanf (p + 1, "%2d:%2d", &h, &m);
      off = (h * 3600 + m * 60) * (*p == '+' ? 1 : -1);
    }
  ns = ((int64_t) timegm (&tm) - off) * 1000000000 + frac;
  return ns;
}

/* docker's RFC3339NanoFixed.  */
static void
print_time (FILE *out, int64_t ns)
{
  time_t t = (time_t) (ns / 1000000000);
  struct tm tm;
  char buf[40];

  gmtime_r (&t, &tm);
  strftime (buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  fprintf (out, "%s.%09lldZ ", buf, (long long) (ns % 1000000000));
}

/* One json-file line; entries outside --since/--until are skipped.  1:
   past --until (stop following).  */
static int
emit_line (const struct logs_opts *o, const char *line)
{
  static const char *const log_path[] = { "log", NULL };
  static const char *const stream_path[] = { "stream", NULL };
  static const char *const time_path[] = { "time", NULL };
  yajl_val root = yajl_tree_parse (line, NULL, 0);
  yajl_val log, stream, tv;
  int64_t t = 0;
  FILE *out;
  int ret = 0;

  if (root == NULL)
    return 0;
  log = yajl_tree_get (root, (const char **) log_path, yajl_t_string);
  stream = yajl_tree_get (root, (const char **) stream_path, yajl_t_string);
  tv = yajl_tree_get (root, (const char **) time_path, yajl_t_string);
  if (tv)
    t = parse_log_time (tv->u.string);
  if (o->until_ns && t > o->until_ns)
    ret = 1;
  else if (log && !(o->since_ns && t < o->since_ns))
    {
      out = stream && streq (stream->u.string, "stderr") ? stderr : stdout;
      if (o->timestamps)
        print_time (out, t);
      fputs (log->u.string, out);
      fflush (out);
    }
  yajl_tree_free (root);
  return ret;
}

static size_t
count_lines (FILE *f)
{
  cleanup_free char *line = NULL;
  size_t cap = 0, n = 0;

  while (getline (&line, &cap, f) > 0)
    n++;
  rewind (f);
  return n;
}

/* Copy the complete lines from F; a partial last line is left for later.
   1: stop (past --until).  */
static int
drain (const struct logs_opts *o, FILE *f, size_t skip)
{
  cleanup_free char *line = NULL;
  size_t cap = 0;
  ssize_t len;
  off_t pos = ftello (f);

  while ((len = getline (&line, &cap, f)) > 0)
    {
      if (line[len - 1] != '\n')
        {
          fseeko (f, pos, SEEK_SET);
          break;
        }
      pos = ftello (f);
      if (skip)
        {
          skip--;
          continue;
        }
      if (emit_line (o, line) == 1)
        return 1;
    }
  clearerr (f);
  return 0;
}

static bool
container_done (const char *cdir)
{
  cleanup_error oci_error_t *e = NULL;
  struct container_state st;

  if (container_state_read (cdir, &st, &e) < 0)
    return true;
  return st.status != CONTAINER_RUNNING && st.status != CONTAINER_PAUSED && st.status != CONTAINER_RESTARTING
         && !st.monitor_alive;
}

static int
logs_follow (const struct logs_opts *o, const char *cdir, const char *path, FILE *f)
{
  struct timespec ts = { 0, FOLLOW_POLL_NS };

  for (;;)
    {
      bool done = container_done (cdir);

      if (f == NULL)
        f = fopen (path, "re");
      if (f && drain (o, f, 0) == 1)
        break;
      if (done)
        break;
      nanosleep (&ts, NULL);
    }
  if (f)
    fclose (f);
  return 0;
}

static int
logs_run (struct berth_globals *g, const struct logs_opts *o, const char *ref, oci_error_t **err)
{
  static const char *const driver_path[] = { "HostConfig", "LogConfig", "Type", NULL };
  struct store_container *c = NULL;
  cleanup_free char *driver = NULL, *cdir = NULL, *path = NULL;
  struct berth_store *s;
  FILE *f;
  size_t skip = 0;

  if (cli_store (g, &s, err) < 0 || store_container_lookup (s, ref, &c, err) < 0)
    return -1;
  driver = container_record_string (c, driver_path);
  cdir = store_container_dir (s, c->id);
  store_container_free (c);
  if (driver && streq (driver, "none"))
    return oci_error_set (err, ENOTSUP, "configured logging driver does not support reading");
  xasprintf (&path, "%s/%s", cdir, MONITOR_LOG_FILE);
  f = fopen (path, "re");
  if (f == NULL && errno != ENOENT)
    return oci_error_set (err, errno, "open %s", path);
  if (f && o->tail >= 0)
    {
      size_t n = count_lines (f);

      skip = n > (size_t) o->tail ? n - (size_t) o->tail : 0;
    }
  if (f && drain (o, f, skip) == 1)
    {
      fclose (f);
      return 0;
    }
  if (o->follow)
    return logs_follow (o, cdir, path, f);
  if (f)
    fclose (f);
  return 0;
}

static int
parse_tail (const char *arg, long *out, oci_error_t **err)
{
  char *end;

  if (streq (arg, "all") || *arg == '\0')
    {
      *out = -1;
      return 0;
    }
  errno = 0;
  *out = strtol (arg, &end, 10);
  if (errno || *end || end == arg)
    return oci_error_set (err, EINVAL, "invalid argument \"%s\" for \"-n, --tail\" flag", arg);
  if (*out < 0)
    *out = -1;
  return 0;
}

int
cmd_logs (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  enum
  {
    OPT_SINCE = 256,
    OPT_UNTIL,
    OPT_DETAILS,
  };
  static const struct option opts[] = {
    { "follow", no_argument, NULL, 'f' },
    { "timestamps", no_argument, NULL, 't' },
    { "since", required_argument, NULL, OPT_SINCE },
    { "until", required_argument, NULL, OPT_UNTIL },
    { "tail", required_argument, NULL, 'n' },
    { "details", no_argument, NULL, OPT_DETAILS },
    { NULL, 0, NULL, 0 },
  };
  struct logs_opts o = { .tail = -1 };
  int64_t now = container_now_ns ();
  int c;

  if (cli_wants_help (argc, argv))
    {
      fputs (logs_help, stdout);
      return 0;
    }
  while ((c = getopt_long (argc, argv, "+ftn:", opts, NULL)) != -1)
    switch (c)
      {
      case 'f':
        o.follow = true;
        break;
      case 't':
        o.timestamps = true;
        break;
      case OPT_SINCE:
        if (container_parse_time (optarg, now, &o.since_ns, err) < 0)
          return -1;
        break;
      case OPT_UNTIL:
        if (container_parse_time (optarg, now, &o.until_ns, err) < 0)
          return -1;
        break;
      case 'n':
        if (parse_tail (optarg, &o.tail, err) < 0)
          return -1;
        break;
      case OPT_DETAILS:
        o.details = true;
        break;
      default:
        return cli_usage_error ("logs", "invalid option", err);
      }
  if (argc - optind != 1)
    return cli_usage_error ("logs", "\"berth logs\" requires exactly 1 argument.", err);
  return logs_run (g, &o, argv[optind], err);
}
