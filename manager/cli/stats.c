/* berth stats: docker's resource table from the runtime's
   `events --stats` (runc's JSON: data.cpu.usage.total,
   data.memory.usage.{usage,limit}, data.memory.raw, data.pids.current,
   data.blkio.ioServiceBytesRecursive).  CPU % is the cgroup's CPU time
   over the wall time between two samples, times 100 (docker's formula
   with the host's CPU count cancelled out).  */
#include "config.h"
#include "commands.h"
#include "tools.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <strings.h>
#include <math.h>
#include <time.h>
#include <unistd.h>

#include "fileutil.h"
#include "manager/container/runtime.h"
#include "util.h"

struct stats_sample
{
  bool valid;
  double when;  /* seconds, monotonic */
  uint64_t cpu; /* ns */
  uint64_t mem, limit;
  uint64_t pids;
  uint64_t blk_read, blk_write;
};

struct stats_ctr
{
  struct tool_ctr t;
  bool open;
  struct stats_sample prev, cur;
};

static double
now_s (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static uint64_t
jnum (yajl_val root, const char **path)
{
  yajl_val v = yajl_tree_get (root, path, yajl_t_number);

  return v && YAJL_IS_INTEGER (v) ? (uint64_t) YAJL_GET_INTEGER (v) : 0;
}

static uint64_t
host_memory (void)
{
  cleanup_free char *data = NULL;
  char *p;

  if (read_file_max ("/proc/meminfo", 65536, &data, NULL, NULL) < 0
      || (p = strstr (data, "MemTotal:")) == NULL)
    return 0;
  return strtoull (p + 9, NULL, 10) * 1024;
}

static void
blkio_sum (yajl_val root, struct stats_sample *s)
{
  const char *path[] = { "data", "blkio", "ioServiceBytesRecursive", NULL };
  yajl_val list = yajl_tree_get (root, path, yajl_t_array);

  for (size_t i = 0; list && i < list->u.array.len; i++)
    {
      const char *op[] = { "op", NULL }, *val[] = { "value", NULL };
      yajl_val o = yajl_tree_get (list->u.array.values[i], op, yajl_t_string);
      const char *name = o ? YAJL_GET_STRING (o) : NULL;
      uint64_t v = jnum (list->u.array.values[i], val);

      if (name && strcasecmp (name, "read") == 0)
        s->blk_read += v;
      else if (name && strcasecmp (name, "write") == 0)
        s->blk_write += v;
    }
}

static void
sample_parse (yajl_val root, struct stats_sample *s)
{
  const char *cpu[] = { "data", "cpu", "usage", "total", NULL };
  const char *mem[] = { "data", "memory", "usage", "usage", NULL };
  const char *lim[] = { "data", "memory", "usage", "limit", NULL };
  const char *in1[] = { "data", "memory", "raw", "total_inactive_file", NULL };
  const char *in2[] = { "data", "memory", "raw", "inactive_file", NULL };
  const char *pids[] = { "data", "pids", "current", NULL };
  uint64_t inactive = jnum (root, in1) ? jnum (root, in1) : jnum (root, in2);
  uint64_t host = host_memory ();

  s->cpu = jnum (root, cpu);
  s->mem = jnum (root, mem);
  s->mem = s->mem > inactive ? s->mem - inactive : s->mem;
  s->limit = jnum (root, lim);
  if (s->limit == 0 || (host && s->limit > host))
    s->limit = host;
  s->pids = jnum (root, pids);
  blkio_sum (root, s);
}

static void
sample_take (struct berth_globals *g, struct stats_ctr *c)
{
  char *args[] = { "events", "--stats", c->t.c->id, NULL };
  cleanup_free char *out = NULL;
  oci_error_t *err = NULL;
  char errbuf[128];
  yajl_val root;
  struct stats_sample s = { 0 };

  c->prev = c->cur;
  c->cur = s;
  if (container_state_read (c->t.cdir, &c->t.st, &err) < 0
      || (c->t.st.status != CONTAINER_RUNNING && c->t.st.status != CONTAINER_PAUSED)
      || runtime_run (g, c->t.c->runtime, args, &out, &err) < 0)
    {
      oci_error_free (&err);
      return;
    }
  root = yajl_tree_parse (out, errbuf, sizeof errbuf);
  if (root == NULL)
    return;
  s.valid = true;
  s.when = now_s ();
  sample_parse (root, &s);
  yajl_tree_free (root);
  c->cur = s;
}

/* docker's units: BytesSize (binary, "%.4g") and HumanSize (decimal).  */
static char *
fmt_size (double v, bool binary)
{
  static const char *const bin[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
  static const char *const dec[] = { "B", "kB", "MB", "GB", "TB", "PB" };
  double base = binary ? 1024 : 1000;
  size_t i = 0;
  char *s = NULL;

  while (v >= base && i < 5)
    {
      v /= base;
      i++;
    }
  xasprintf (&s, "%.4g%s", v, binary ? bin[i] : dec[i]);
  return s;
}

static void
row_json (const struct stats_ctr *c, bool no_trunc, struct strbuf *j)
{
  const struct stats_sample *s = &c->cur, *p = &c->prev;
  double cpu = 0, memp = 0;
  cleanup_free char *id = no_trunc ? xstrdup (c->t.c->id) : xstrndup (c->t.c->id, 12);
  cleanup_free char *mu = fmt_size ((double) s->mem, true);
  cleanup_free char *ml = fmt_size ((double) s->limit, true);
  cleanup_free char *br = fmt_size ((double) s->blk_read, false);
  cleanup_free char *bw = fmt_size ((double) s->blk_write, false);

  if (s->valid && p->valid && s->when > p->when && s->cpu >= p->cpu)
    cpu = (double) (s->cpu - p->cpu) / ((s->when - p->when) * 1e9) * 100.0;
  if (s->limit)
    memp = (double) s->mem / (double) s->limit * 100.0;
  strbuf_addstr (j, "{\"BlockIO\":");
  strbuf_addf (j, "\"%s / %s\",\"CPUPerc\":\"%.2f%%\",\"Container\":", s->valid ? br : "0B",
               s->valid ? bw : "0B", cpu);
  cli_json_string (j, id);
  strbuf_addstr (j, ",\"ID\":");
  cli_json_string (j, id);
  strbuf_addf (j, ",\"MemPerc\":\"%.2f%%\",\"MemUsage\":\"%s / %s\",\"Name\":", memp, s->valid ? mu : "0B",
               s->valid ? ml : "0B");
  cli_json_string (j, c->t.c->name);
  strbuf_addf (j, ",\"NetIO\":\"0B / 0B\",\"PIDs\":\"%" PRIu64 "\"}", s->pids);
}

static int
stats_print (struct stats_ctr *cs, size_t n, const char *format, bool no_trunc, oci_error_t **err)
{
  static const char *const header[]
      = { "CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "NET I/O", "BLOCK I/O", "PIDS" };
  static const char *const keys[]
      = { "ID", "Name", "CPUPerc", "MemUsage", "MemPerc", "NetIO", "BlockIO", "PIDs" };
  enum cli_format_kind kind = cli_format_kind (format);
  const char *tmpl = format && has_prefix (format, "table ") ? format : NULL;
  struct cli_table tab;

  if (kind == CLI_FORMAT_TABLE && tmpl == NULL)
    cli_table_init (&tab, header, 8);
  if (tmpl)
    {
      cleanup_strbuf struct strbuf h = STRBUF_INIT;

      cli_template_header (tmpl, &h);
      printf ("%s\n", strbuf_str (&h));
    }
  for (size_t i = 0; i < n; i++)
    {
      cleanup_strbuf struct strbuf j = STRBUF_INIT;
      cleanup_strbuf struct strbuf out = STRBUF_INIT;

      row_json (&cs[i], no_trunc, &j);
      if (kind == CLI_FORMAT_JSON)
        printf ("%s\n", j.buf);
      else if (kind == CLI_FORMAT_TABLE && tmpl == NULL)
        {
          char **row = xcalloc (8, sizeof (char *));

          for (size_t k = 0; k < 8; k++)
            {
              cleanup_strbuf struct strbuf v = STRBUF_INIT;

              if (cli_json_member (j.buf, keys[k], &v, err) < 0)
                return -1;
              row[k] = xstrndup (v.buf + 1, v.len - 2);
            }
          cli_table_add (&tab, row);
        }
      else if (cli_template_render (tmpl ? tmpl : format, j.buf, &out, err) < 0)
        return -1;
      else
        printf ("%s\n", strbuf_str (&out));
    }
  if (kind == CLI_FORMAT_TABLE && tmpl == NULL)
    {
      cli_table_print (&tab, stdout);
      cli_table_free (&tab);
    }
  fflush (stdout);
  return 0;
}

struct stats_opts
{
  bool all, no_stream, no_trunc;
  const char *format;
};

static int
stats_collect (struct berth_globals *g, char **refs, const struct stats_opts *o, struct stats_ctr **out,
               size_t *n, oci_error_t **err)
{
  struct store_container **list = NULL;
  struct berth_store *s;
  size_t cap;

  *n = 0;
  if (refs[0] != NULL)
    {
      cap = strv_len (refs);
      *out = xcalloc (cap + 1, sizeof **out);
      for (size_t i = 0; i < cap; i++, (*n)++)
        if (tool_ctr_open (g, refs[i], &(*out)[i].t, err) < 0)
          return -1;
      return 0;
    }
  if (cli_store (g, &s, err) < 0 || store_container_list (s, &list, err) < 0)
    return -1;
  for (cap = 0; list[cap]; cap++)
    ;
  *out = xcalloc (cap + 1, sizeof **out);
  for (size_t i = 0; i < cap; i++)
    {
      struct stats_ctr *c = &(*out)[*n];

      if (tool_ctr_open (g, list[i]->id, &c->t, err) < 0)
        {
          store_container_list_free (list);
          return -1;
        }
      if (o->all || c->t.st.status == CONTAINER_RUNNING || c->t.st.status == CONTAINER_PAUSED)
        (*n)++;
      else
        tool_ctr_clear (&c->t);
    }
  store_container_list_free (list);
  return 0;
}

static int
stats_run (struct berth_globals *g, struct stats_ctr *cs, size_t n, const struct stats_opts *o,
           oci_error_t **err)
{
  for (size_t i = 0; i < n; i++)
    sample_take (g, &cs[i]);
  for (;;)
    {
      usleep (o->no_stream ? 500000 : 1000000);
      for (size_t i = 0; i < n; i++)
        sample_take (g, &cs[i]);
      if (!o->no_stream)
        fputs ("\033[2J\033[H", stdout);
      if (stats_print (cs, n, o->format, o->no_trunc, err) < 0)
        return -1;
      if (o->no_stream)
        return 0;
    }
}

static const char stats_help[]
    = "Usage:  berth stats [OPTIONS] [CONTAINER...]\n\n"
      "Display a live stream of container(s) resource usage statistics\n\n"
      "Aliases:\n  berth container stats, berth stats\n\n"
      "Options:\n"
      "  -a, --all             Show all containers (default shows just running)\n"
      "      --format string   Format output using a custom template:\n"
      "                        'table':            Print output in table format with column headers "
      "(default)\n"
      "                        'table TEMPLATE':   Print output in table format using the given Go template\n"
      "                        'json':             Print in JSON format\n"
      "                        'TEMPLATE':         Print output using the given Go template.\n"
      "      --no-stream       Disable streaming stats and only pull the first result\n"
      "      --no-trunc        Do not truncate output\n";

int
cmd_stats (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  enum
  {
    OPT_FORMAT = 256,
    OPT_NO_STREAM,
    OPT_NO_TRUNC,
  };
  static const struct option opts[] = {
    { "all", no_argument, NULL, 'a' },
    { "format", required_argument, NULL, OPT_FORMAT },
    { "no-stream", no_argument, NULL, OPT_NO_STREAM },
    { "no-trunc", no_argument, NULL, OPT_NO_TRUNC },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  struct stats_opts o = { 0 };
  struct stats_ctr *cs = NULL;
  size_t n = 0;
  int c, ret;

  opterr = 0;
  while ((c = getopt_long (argc, argv, "ah", opts, NULL)) != -1)
    switch (c)
      {
      case 'a':
        o.all = true;
        break;
      case OPT_FORMAT:
        o.format = optarg;
        break;
      case OPT_NO_STREAM:
        o.no_stream = true;
        break;
      case OPT_NO_TRUNC:
        o.no_trunc = true;
        break;
      case 'h':
        fputs (stats_help, stdout);
        return 0;
      default:
        return cli_usage_error ("stats", "unknown flag or missing argument", err);
      }
  ret = stats_collect (g, argv + optind, &o, &cs, &n, err);
  if (ret == 0)
    ret = stats_run (g, cs, n, &o, err);
  for (size_t i = 0; cs && i < n; i++)
    tool_ctr_clear (&cs[i].t);
  free (cs);
  return ret;
}
