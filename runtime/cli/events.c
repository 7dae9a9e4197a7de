/* hull events [--interval 5s] [--stats] ID: runc's event stream on
   stdout, one JSON object a line: {"type":"stats","id":ID,"data":{...}}
   every interval and {"type":"oom","id":ID} when the memory cgroup's OOM
   kill count grows, until the container stops.  --stats prints one stats
   event and exits.  */
#include "config.h"
#include "commands.h"
#include "../cgroup.h"
#include "../container.h"
#include "../log.h"
#include "strbuf.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define OOM_POLL_MS 100

static const char events_usage[] = "[options] <container-id>";
static const struct option events_longopts[] = {
  { "interval", required_argument, NULL, 'i' },
  { "stats", no_argument, NULL, 's' },
  { "help", no_argument, NULL, 'h' },
  { NULL, 0, NULL, 0 },
};

/* A Go duration ("5s", "100ms", "1m30s", "1.5h") in milliseconds.  */
static int
parse_duration (const char *s, long *ms, oci_error_t **err)
{
  static const struct
  {
    const char *unit;
    double ms;
  } units[] = { { "ns", 1e-6 }, { "us", 1e-3 }, { "µs", 1e-3 }, { "ms", 1 },
                { "s", 1e3 },   { "m", 6e4 },   { "h", 3.6e6 } };
  const char *p = s;
  double total = 0;

  if (streq (s, "0"))
    return *ms = 0, 0;
  while (*p)
    {
      char *end;
      double v = strtod (p, &end);
      size_t best_len = 0;
      double mult = 0;
      if (end == p || !isdigit ((unsigned char) *p))
        goto bad;
      /* The longest unit that matches: "ms" before "m".  */
      for (size_t k = 0; k < ARRAY_SIZE (units); k++)
        if (strlen (units[k].unit) > best_len && has_prefix (end, units[k].unit))
          best_len = strlen (units[k].unit), mult = units[k].ms;
      if (best_len == 0)
        goto bad;
      total += v * mult;
      p = end + best_len;
    }
  if (total <= 0 || total > 1e9)
    goto bad;
  *ms = total < 1 ? 1 : (long) total;
  return 0;
bad:
  return oci_error_set (err, EINVAL, "invalid --interval \"%s\": use a duration such as 5s or 500ms", s);
}

/* "key": after a comma unless it is the first member.  */
static void
add_key (struct strbuf *sb, const char *key)
{
  if (sb->len && sb->buf[sb->len - 1] != '{' && sb->buf[sb->len - 1] != '[')
    strbuf_addch (sb, ',');
  strbuf_addf (sb, "\"%s\":", key);
}

static void
add_u64 (struct strbuf *sb, const char *key, uint64_t v, bool omit_zero)
{
  if (omit_zero && v == 0)
    return;
  add_key (sb, key);
  strbuf_addf (sb, "%" PRIu64, v);
}

static void
add_array (struct strbuf *sb, const char *key, const uint64_t *v, size_t n)
{
  if (n == 0)
    return;
  add_key (sb, key);
  strbuf_addch (sb, '[');
  for (size_t i = 0; i < n; i++)
    strbuf_addf (sb, "%s%" PRIu64, i ? "," : "", v[i]);
  strbuf_addch (sb, ']');
}

static void
add_cpu (struct strbuf *sb, const struct cgroup_stats *st)
{
  strbuf_addstr (sb, "{\"usage\":{");
  add_u64 (sb, "total", st->cpu.total, false);
  add_array (sb, "percpu", st->cpu.percpu, st->cpu.percpu_len);
  add_u64 (sb, "kernel", st->cpu.kernel, false);
  add_u64 (sb, "user", st->cpu.user, false);
  strbuf_addstr (sb, "},\"throttling\":{");
  add_u64 (sb, "periods", st->cpu.throttling_periods, true);
  add_u64 (sb, "throttled_periods", st->cpu.throttled_periods, true);
  add_u64 (sb, "throttled_time", st->cpu.throttled_time, true);
  strbuf_addstr (sb, "}}");
}

static void
add_memory_entry (struct strbuf *sb, const char *key, const struct cgroup_memory_entry *e)
{
  add_key (sb, key);
  strbuf_addch (sb, '{');
  add_u64 (sb, "limit", e->limit, false);
  add_u64 (sb, "usage", e->usage, true);
  add_u64 (sb, "max", e->max_usage, true);
  add_u64 (sb, "failcnt", e->failcnt, false);
  strbuf_addch (sb, '}');
}

static bool
is_number (const char *s)
{
  if (*s == '\0')
    return false;
  for (; *s; s++)
    if (!isdigit ((unsigned char) *s))
      return false;
  return true;
}

static void
add_memory (struct strbuf *sb, const struct cgroup_stats *st)
{
  const struct oci_map *raw = &st->memory.raw;

  add_key (sb, "memory");
  strbuf_addch (sb, '{');
  add_u64 (sb, "cache", st->memory.cache, true);
  add_memory_entry (sb, "usage", &st->memory.usage);
  add_memory_entry (sb, "swap", &st->memory.swap);
  add_memory_entry (sb, "kernel", &st->memory.kernel);
  add_memory_entry (sb, "kernelTCP", &st->memory.kernel_tcp);
  if (raw->len)
    {
      add_key (sb, "raw");
      strbuf_addch (sb, '{');
      /* memory.stat keys are plain identifiers, values counters.  */
      for (size_t i = 0; i < raw->len; i++)
        if (is_number (raw->values[i]))
          {
            add_key (sb, raw->keys[i]);
            strbuf_addstr (sb, raw->values[i]);
          }
      strbuf_addch (sb, '}');
    }
  strbuf_addch (sb, '}');
}

static void
add_blkio_list (struct strbuf *sb, const char *key, const struct cgroup_blkio_entry *v, size_t n)
{
  if (n == 0)
    return;
  add_key (sb, key);
  strbuf_addch (sb, '[');
  for (size_t i = 0; i < n; i++)
    strbuf_addf (sb, "%s{\"major\":%" PRIu64 ",\"minor\":%" PRIu64 ",\"op\":\"%s\",\"value\":%" PRIu64 "}",
                 i ? "," : "", v[i].major, v[i].minor, v[i].op, v[i].value);
  strbuf_addch (sb, ']');
}

static void
add_pids_blkio_hugetlb (struct strbuf *sb, const struct cgroup_stats *st)
{
  add_key (sb, "pids");
  strbuf_addch (sb, '{');
  add_u64 (sb, "current", st->pids.current, false);
  add_u64 (sb, "limit", st->pids.limit, true);
  strbuf_addstr (sb, "},\"blkio\":{");
  add_blkio_list (sb, "ioServiceBytesRecursive", st->blkio.service_bytes, st->blkio.service_bytes_len);
  add_blkio_list (sb, "ioServicedRecursive", st->blkio.serviced, st->blkio.serviced_len);
  strbuf_addstr (sb, "},\"hugetlb\":{");
  for (size_t i = 0; i < st->hugetlb_len; i++)
    {
      const struct cgroup_hugetlb_entry *h = &st->hugetlb[i];
      add_key (sb, h->page_size);
      strbuf_addch (sb, '{');
      add_u64 (sb, "usage", h->usage, true);
      add_u64 (sb, "max", h->max_usage, true);
      add_u64 (sb, "failcnt", h->failcnt, false);
      strbuf_addch (sb, '}');
    }
  strbuf_addch (sb, '}');
}

static void
print_stats (const char *id, const struct cgroup_stats *st)
{
  cleanup_strbuf struct strbuf sb = STRBUF_INIT;

  strbuf_addf (&sb, "{\"type\":\"stats\",\"id\":\"%s\",\"data\":{", id);
  add_key (&sb, "cpu");
  add_cpu (&sb, st);
  add_memory (&sb, st);
  add_pids_blkio_hugetlb (&sb, st);
  strbuf_addstr (&sb, ",\"intel_rdt\":{},\"network_interfaces\":null}}\n");
  fputs (sb.buf, stdout);
  fflush (stdout);
}

/* What the loop needs of the container, read once under its lock (the
   lock is not held while events runs).  */
struct watched
{
  char *id;
  char *cgroup;
  pid_t pid;
  uint64_t start_time;
};

static int
load_watched (struct hull_globals *g, const char *id, struct watched *w, oci_error_t **err)
{
  struct hull_container c;
  int ret = container_open_cgroup (g, id, &c, err);

  if (ret == 0 && state_status (&c) == HULL_STATUS_STOPPED)
    ret = oci_error_set (err, EINVAL, "container with id %s is not running", id);
  if (ret == 0)
    {
      w->id = xstrdup (id);
      w->cgroup = xstrdup (c.state->cgroup_path);
      w->pid = c.state->init_pid;
      w->start_time = c.state->init_start_time;
    }
  state_container_clear (&c);
  return ret;
}

static bool
watched_alive (const struct watched *w)
{
  uint64_t t;

  return state_proc_start_time (w->pid, &t) == 0 && t == w->start_time;
}

/* One OOM poll: print an oom event when the count grew; print stats when
   asked.  */
static int
poll_once (const struct watched *w, uint64_t *ooms, bool stats, oci_error_t **err)
{
  struct cgroup_stats st;

  if (cgroup_stats (w->cgroup, &st, err) < 0)
    return -1;
  if (st.memory.oom_events > *ooms)
    {
      printf ("{\"type\":\"oom\",\"id\":\"%s\"}\n", w->id);
      fflush (stdout);
    }
  *ooms = st.memory.oom_events;
  if (stats)
    print_stats (w->id, &st);
  cgroup_stats_free (&st);
  return 0;
}

static int
event_loop (const struct watched *w, long interval_ms, oci_error_t **err)
{
  struct cgroup_stats st;
  uint64_t ooms;
  long since_stats = 0, step = interval_ms < OOM_POLL_MS ? interval_ms : OOM_POLL_MS;
  struct timespec ts = { step / 1000, (step % 1000) * 1000000L };

  if (cgroup_stats (w->cgroup, &st, err) < 0)
    return -1;
  ooms = st.memory.oom_events;
  cgroup_stats_free (&st);
  for (;;)
    {
      bool alive = watched_alive (w);
      nanosleep (&ts, NULL);
      since_stats += step;
      if (poll_once (w, &ooms, since_stats >= interval_ms && alive, err) < 0)
        return -1;
      if (since_stats >= interval_ms)
        since_stats = 0;
      if (!alive)
        return 0;
    }
}

int
cmd_events (struct hull_globals *g, int argc, char **argv, oci_error_t **err)
{
  struct watched w = { 0 };
  long interval_ms = 5000;
  bool stats_once = false;
  struct cgroup_stats st;
  int c, ret;

  hull_log_init (g);
  while ((c = cli_getopt (argc, argv, ":h", events_longopts, err)) != -1)
    switch (c)
      {
      case 'i':
        if (parse_duration (optarg, &interval_ms, err) < 0)
          return -1;
        break;
      case 's':
        stats_once = true;
        break;
      case 'h':
        cli_help ("events", events_usage, "Print the container's stats and OOM events as JSON.",
                  "      --interval DURATION   time between stats events (default 5s)\n"
                  "      --stats               print one stats event and exit\n");
        return 0;
      default:
        return -1;
      }
  if (cli_operands ("events", events_usage, argc, argv, 1, 1, err) < 0)
    return -1;
  if (load_watched (g, argv[optind], &w, err) < 0)
    return -1;
  if (stats_once)
    {
      ret = cgroup_stats (w.cgroup, &st, err);
      if (ret == 0)
        print_stats (w.id, &st);
      cgroup_stats_free (&st);
    }
  else
    ret = event_loop (&w, interval_ms, err);
  free (w.id);
  free (w.cgroup);
  return ret < 0 ? -1 : 0;
}
