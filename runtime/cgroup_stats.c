/* Statistics of the container's cgroup for `hull events` (the fields of
   runc's events JSON), from the v1 controller files or the v2 ones.
   Statistics are best effort: a file the host lacks leaves its value 0.  */
#include "config.h"
#include "cgroup_convert.h"
#include "cgroup_internal.h"
#include "strbuf.h"
#include "util.h"

#include <errno.h>
#include <inttypes.h>
#include <sys/stat.h>

static uint64_t
opt_u64 (const char *dir, const char *file)
{
  cleanup_error oci_error_t *ignored = NULL;
  uint64_t v = 0;

  if (dir == NULL || cgroup_read_u64 (dir, file, &v, &ignored) < 0)
    return 0;
  return v;
}

static uint64_t
opt_keyed (const char *dir, const char *file, const char *key)
{
  cleanup_error oci_error_t *ignored = NULL;
  uint64_t v = 0;

  if (dir == NULL || cgroup_read_keyed (dir, file, key, &v, &ignored) < 0)
    return 0;
  return v;
}

static char *
opt_read (const char *dir, const char *file)
{
  cleanup_error oci_error_t *ignored = NULL;
  char *s = NULL;

  if (dir == NULL || cgroup_read (dir, file, &s, &ignored) < 0)
    return NULL;
  return s;
}

static void
read_raw (const char *dir, const char *file, struct oci_map *raw)
{
  cleanup_free char *s = opt_read (dir, file);
  char *save = NULL;

  if (s == NULL)
    return;
  for (char *line = strtok_r (s, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      char *sp = strchr (line, ' ');
      if (sp == NULL)
        continue;
      *sp = '\0';
      oci_map_set (raw, line, sp + 1);
    }
}

static void
read_percpu (const char *dir, const char *file, struct cgroup_stats *st)
{
  cleanup_free char *s = opt_read (dir, file);
  char *p = s, *end;

  while (p && *p)
    {
      uint64_t v = strtoull (p, &end, 10);
      if (end == p)
        break;
      st->cpu.percpu = xreallocarray (st->cpu.percpu, st->cpu.percpu_len + 1, sizeof (uint64_t));
      st->cpu.percpu[st->cpu.percpu_len++] = v;
      p = end;
    }
}

static void
add_blkio (struct cgroup_blkio_entry **v, size_t *n, uint64_t major, uint64_t minor, const char *op,
           uint64_t value)
{
  *v = xreallocarray (*v, *n + 1, sizeof **v);
  (*v)[*n].major = major;
  (*v)[*n].minor = minor;
  snprintf ((*v)[*n].op, sizeof (*v)[*n].op, "%s", op);
  (*v)[*n].value = value;
  (*n)++;
}

/* v1 "8:0 Read 4096" lines (the "Total N" summary line is skipped).  */
static void
read_blkio_v1 (const char *dir, const char *file, struct cgroup_blkio_entry **v, size_t *n)
{
  cleanup_free char *s = opt_read (dir, file);
  char *save = NULL;

  if (s == NULL)
    return;
  for (char *line = strtok_r (s, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      unsigned long long major, minor, value;
      char op[16];
      if (sscanf (line, "%llu:%llu %15s %llu", &major, &minor, op, &value) == 4)
        add_blkio (v, n, major, minor, op, value);
    }
}

static void
list_hugepage_sizes (char ***out)
{
  cleanup_dir DIR *d = opendir ("/sys/kernel/mm/hugepages");
  struct dirent *de;
  size_t n = 0;

  *out = xzalloc (sizeof (char *));
  while (d && (de = readdir (d)) != NULL)
    {
      unsigned long long kb;
      if (sscanf (de->d_name, "hugepages-%llukB", &kb) != 1)
        continue;
      *out = xreallocarray (*out, n + 2, sizeof (char *));
      (*out)[n++] = cgroup_hugepage_size_name (kb * 1024);
      (*out)[n] = NULL;
    }
}

static void
read_hugetlb (const char *dir, bool v2, struct cgroup_stats *st)
{
  cleanup_strv char **sizes = NULL;

  if (dir == NULL)
    return;
  list_hugepage_sizes (&sizes);
  for (size_t i = 0; sizes[i]; i++)
    {
      cleanup_free char *usage = NULL;
      cleanup_free char *max = NULL;
      cleanup_free char *fail = NULL;
      struct cgroup_hugetlb_entry *e;
      xasprintf (&usage, v2 ? "hugetlb.%s.current" : "hugetlb.%s.usage_in_bytes", sizes[i]);
      if (!cgroup_file_exists (dir, usage))
        continue;
      xasprintf (&max, "hugetlb.%s.max_usage_in_bytes", sizes[i]);
      xasprintf (&fail, v2 ? "hugetlb.%s.events" : "hugetlb.%s.failcnt", sizes[i]);
      st->hugetlb = xreallocarray (st->hugetlb, st->hugetlb_len + 1, sizeof *st->hugetlb);
      e = &st->hugetlb[st->hugetlb_len++];
      e->page_size = xstrdup (sizes[i]);
      e->usage = opt_u64 (dir, usage);
      e->max_usage = v2 ? 0 : opt_u64 (dir, max);
      e->failcnt = v2 ? opt_keyed (dir, fail, "max") : opt_u64 (dir, fail);
    }
}

static void
memory_entry_v1 (const char *dir, const char *prefix, struct cgroup_memory_entry *e)
{
  char file[64];

  snprintf (file, sizeof file, "%s.usage_in_bytes", prefix);
  e->usage = opt_u64 (dir, file);
  snprintf (file, sizeof file, "%s.max_usage_in_bytes", prefix);
  e->max_usage = opt_u64 (dir, file);
  snprintf (file, sizeof file, "%s.failcnt", prefix);
  e->failcnt = opt_u64 (dir, file);
  snprintf (file, sizeof file, "%s.limit_in_bytes", prefix);
  e->limit = opt_u64 (dir, file);
}

static void
stats_v1 (const struct cgroup_host *h, const char *path, struct cgroup_stats *st)
{
  cleanup_free char *cpuacct = cgroup_v1_dir (h, "cpuacct", path);
  cleanup_free char *cpu = cgroup_v1_dir (h, "cpu", path);
  cleanup_free char *mem = cgroup_v1_dir (h, "memory", path);
  cleanup_free char *pids = cgroup_v1_dir (h, "pids", path);
  cleanup_free char *blkio = cgroup_v1_dir (h, "blkio", path);
  cleanup_free char *hugetlb = cgroup_v1_dir (h, "hugetlb", path);
  uint64_t hz = (uint64_t) sysconf (_SC_CLK_TCK);

  st->cpu.total = opt_u64 (cpuacct, "cpuacct.usage");
  st->cpu.user = opt_keyed (cpuacct, "cpuacct.stat", "user") * (1000000000 / (hz ? hz : 100));
  st->cpu.kernel = opt_keyed (cpuacct, "cpuacct.stat", "system") * (1000000000 / (hz ? hz : 100));
  read_percpu (cpuacct, "cpuacct.usage_percpu", st);
  st->cpu.throttling_periods = opt_keyed (cpu, "cpu.stat", "nr_periods");
  st->cpu.throttled_periods = opt_keyed (cpu, "cpu.stat", "nr_throttled");
  st->cpu.throttled_time = opt_keyed (cpu, "cpu.stat", "throttled_time");
  memory_entry_v1 (mem, "memory", &st->memory.usage);
  memory_entry_v1 (mem, "memory.memsw", &st->memory.swap);
  memory_entry_v1 (mem, "memory.kmem", &st->memory.kernel);
  memory_entry_v1 (mem, "memory.kmem.tcp", &st->memory.kernel_tcp);
  st->memory.cache = opt_keyed (mem, "memory.stat", "cache");
  st->memory.oom_events = opt_keyed (mem, "memory.oom_control", "oom_kill");
  read_raw (mem, "memory.stat", &st->memory.raw);
  st->pids.current = opt_u64 (pids, "pids.current");
  st->pids.limit = opt_u64 (pids, "pids.max");
  read_blkio_v1 (blkio, "blkio.throttle.io_service_bytes_recursive", &st->blkio.service_bytes,
                 &st->blkio.service_bytes_len);
  read_blkio_v1 (blkio, "blkio.throttle.io_serviced_recursive", &st->blkio.serviced, &st->blkio.serviced_len);
  read_hugetlb (hugetlb, false, st);
}

/* io.stat: "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0".  */
static void
read_io_stat (const char *dir, struct cgroup_stats *st)
{
  cleanup_free char *s = opt_read (dir, "io.stat");
  char *save = NULL;

  if (s == NULL)
    return;
  for (char *line = strtok_r (s, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      unsigned long long major, minor, v;
      char *p = line, *save2 = NULL;
      if (sscanf (line, "%llu:%llu", &major, &minor) != 2)
        continue;
      strtok_r (p, " ", &save2);
      for (char *kv = strtok_r (NULL, " ", &save2); kv; kv = strtok_r (NULL, " ", &save2))
        {
          if (sscanf (kv, "rbytes=%llu", &v) == 1)
            add_blkio (&st->blkio.service_bytes, &st->blkio.service_bytes_len, major, minor, "Read", v);
          else if (sscanf (kv, "wbytes=%llu", &v) == 1)
            add_blkio (&st->blkio.service_bytes, &st->blkio.service_bytes_len, major, minor, "Write", v);
          else if (sscanf (kv, "rios=%llu", &v) == 1)
            add_blkio (&st->blkio.serviced, &st->blkio.serviced_len, major, minor, "Read", v);
          else if (sscanf (kv, "wios=%llu", &v) == 1)
            add_blkio (&st->blkio.serviced, &st->blkio.serviced_len, major, minor, "Write", v);
        }
    }
}

static void
stats_v2 (const char *dir, struct cgroup_stats *st)
{
  st->cpu.total = opt_keyed (dir, "cpu.stat", "usage_usec") * 1000;
  st->cpu.user = opt_keyed (dir, "cpu.stat", "user_usec") * 1000;
  st->cpu.kernel = opt_keyed (dir, "cpu.stat", "system_usec") * 1000;
  st->cpu.throttling_periods = opt_keyed (dir, "cpu.stat", "nr_periods");
  st->cpu.throttled_periods = opt_keyed (dir, "cpu.stat", "nr_throttled");
  st->cpu.throttled_time = opt_keyed (dir, "cpu.stat", "throttled_usec") * 1000;
  st->memory.usage.usage = opt_u64 (dir, "memory.current");
  st->memory.usage.max_usage = opt_u64 (dir, "memory.peak");
  st->memory.usage.limit = opt_u64 (dir, "memory.max");
  st->memory.usage.failcnt = opt_keyed (dir, "memory.events", "max");
  /* As runc: swap usage is memory+swap, as on v1.  */
  st->memory.swap.usage = opt_u64 (dir, "memory.swap.current") + st->memory.usage.usage;
  st->memory.swap.limit = opt_u64 (dir, "memory.swap.max");
  st->memory.swap.failcnt = opt_keyed (dir, "memory.swap.events", "fail");
  st->memory.cache = opt_keyed (dir, "memory.stat", "file");
  st->memory.oom_events = opt_keyed (dir, "memory.events", "oom_kill");
  read_raw (dir, "memory.stat", &st->memory.raw);
  st->pids.current = opt_u64 (dir, "pids.current");
  st->pids.limit = opt_u64 (dir, "pids.max");
  read_io_stat (dir, st);
  read_hugetlb (dir, true, st);
}

int
cgroup_stats (const char *path, struct cgroup_stats *st, oci_error_t **err)
{
  cleanup_cgroup_host struct cgroup_host h = { 0 };
  cleanup_free char *v2 = NULL;
  cleanup_free char *check = NULL;

  memset (st, 0, sizeof *st);
  if (path == NULL || path[0] != '/' || cgroup_host_load (&h, err) < 0)
    return path && path[0] == '/' ? -1 : oci_error_set (err, EINVAL, "cgroup path is not absolute");
  v2 = cgroup_v2_dir (&h, path);
  check = h.layout == CGROUP_LAYOUT_V2 ? xstrdup (v2) : (h.v1_len ? cgroup_v1_dir_at (&h, 0, path) : NULL);
  if (check == NULL || access (check, F_OK) < 0)
    return oci_error_errno (err, errno ? errno : ENOENT, "cgroup `%s`", check ? check : path);
  if (h.layout == CGROUP_LAYOUT_V2)
    stats_v2 (v2, st);
  else
    stats_v1 (&h, path, st);
  /* runc reports "no limit" as 0.  */
  if (st->pids.limit == UINT64_MAX)
    st->pids.limit = 0;
  return 0;
}

void
cgroup_stats_free (struct cgroup_stats *st)
{
  free (st->cpu.percpu);
  oci_map_clear (&st->memory.raw);
  free (st->blkio.service_bytes);
  free (st->blkio.serviced);
  for (size_t i = 0; i < st->hugetlb_len; i++)
    free (st->hugetlb[i].page_size);
  free (st->hugetlb);
  memset (st, 0, sizeof *st);
}
