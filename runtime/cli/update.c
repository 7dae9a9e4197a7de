/* hull update [options] ID: change a running container's cgroup limits,
   with runc's flags or a linux.resources JSON (-r FILE, "-" for stdin);
   flags given with -r override the file's values.  Memory values take
   runc's suffixes (512m, 1g, 1.5GiB); -1 means unlimited.  */
#include "config.h"
#include "commands.h"
#include "../cgroup.h"
#include "../container.h"
#include "../log.h"
#include "fileutil.h"
#include "runtime_spec.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

static const char update_usage[] = "[options] <container-id>";
static const char update_options[]
    = "  -r, --resources FILE      linux.resources JSON to apply (\"-\" reads stdin)\n"
      "      --blkio-weight N      block IO weight (10-1000)\n"
      "      --cpu-period N        CPU CFS period in microseconds\n"
      "      --cpu-quota N         CPU CFS quota in microseconds (-1: none)\n"
      "      --cpu-share(s) N      CPU shares (relative weight)\n"
      "      --cpu-rt-period N     CPU realtime period in microseconds\n"
      "      --cpu-rt-runtime N    CPU realtime runtime in microseconds\n"
      "      --cpuset-cpus LIST    CPUs to run on (0-3, 0,1)\n"
      "      --cpuset-mems LIST    memory nodes to use\n"
      "      --kernel-memory SIZE  kernel memory limit\n"
      "      --kernel-memory-tcp SIZE  kernel TCP buffer limit\n"
      "      --memory SIZE         memory limit (512m, 1g; -1: none)\n"
      "      --memory-reservation SIZE  memory soft limit\n"
      "      --memory-swap SIZE    memory plus swap limit (-1: none)\n"
      "      --pids-limit N        maximum number of processes (-1: none)\n";

enum
{
  OPT_BLKIO_WEIGHT = 256,
  OPT_CPU_PERIOD,
  OPT_CPU_QUOTA,
  OPT_CPU_SHARE,
  OPT_CPU_RT_PERIOD,
  OPT_CPU_RT_RUNTIME,
  OPT_CPUSET_CPUS,
  OPT_CPUSET_MEMS,
  OPT_KERNEL_MEMORY,
  OPT_KERNEL_MEMORY_TCP,
  OPT_MEMORY,
  OPT_MEMORY_RESERVATION,
  OPT_MEMORY_SWAP,
  OPT_PIDS_LIMIT,
};

static const struct option update_longopts[] = {
  { "resources", required_argument, NULL, 'r' },
  { "blkio-weight", required_argument, NULL, OPT_BLKIO_WEIGHT },
  { "cpu-period", required_argument, NULL, OPT_CPU_PERIOD },
  { "cpu-quota", required_argument, NULL, OPT_CPU_QUOTA },
  { "cpu-share", required_argument, NULL, OPT_CPU_SHARE },
  { "cpu-shares", required_argument, NULL, OPT_CPU_SHARE },
  { "cpu-rt-period", required_argument, NULL, OPT_CPU_RT_PERIOD },
  { "cpu-rt-runtime", required_argument, NULL, OPT_CPU_RT_RUNTIME },
  { "cpuset-cpus", required_argument, NULL, OPT_CPUSET_CPUS },
  { "cpuset-mems", required_argument, NULL, OPT_CPUSET_MEMS },
  { "kernel-memory", required_argument, NULL, OPT_KERNEL_MEMORY },
  { "kernel-memory-tcp", required_argument, NULL, OPT_KERNEL_MEMORY_TCP },
  { "memory", required_argument, NULL, OPT_MEMORY },
  { "memory-reservation", required_argument, NULL, OPT_MEMORY_RESERVATION },
  { "memory-swap", required_argument, NULL, OPT_MEMORY_SWAP },
  { "pids-limit", required_argument, NULL, OPT_PIDS_LIMIT },
  { "help", no_argument, NULL, 'h' },
  { NULL, 0, NULL, 0 },
};

/* A size as runc's units.RAMInBytes reads it: a number, an optional
   space, then k m g t p (binary multiples) with an optional "i" and "b";
   "-1" is unlimited.  */
static int
parse_ram (const char *opt, const char *value, int64_t *out, oci_error_t **err)
{
  static const char units[] = "kmgtp";
  char *end;
  double v, mult = 1;
  const char *u;

  if (streq (value, "-1"))
    return *out = -1, 0;
  errno = 0;
  v = strtod (value, &end);
  if (end == value || errno || v < 0 || !isdigit ((unsigned char) value[0]))
    goto bad;
  if (*end == ' ')
    end++;
  if (*end && (u = strchr (units, tolower ((unsigned char) *end))) != NULL)
    {
      for (long i = 0; i <= u - units; i++)
        mult *= 1024;
      end++;
    }
  if (*end == 'i' || *end == 'I')
    end++;
  if (*end == 'b' || *end == 'B')
    end++;
  if (*end || v * mult >= 9.2e18)
    goto bad;
  *out = (int64_t) (v * mult);
  return 0;
bad:
  return oci_error_set (err, EINVAL, "invalid value \"%s\" for --%s: expected a size such as 512m or 1g",
                        value, opt);
}

static int
parse_i64 (const char *opt, const char *value, int64_t min, int64_t *out, oci_error_t **err)
{
  char *end;
  long long v;

  errno = 0;
  v = strtoll (value, &end, 10);
  if (*value == '\0' || *end || errno || v < min)
    return oci_error_set (err, EINVAL, "invalid value \"%s\" for --%s", value, opt);
  *out = v;
  return 0;
}

static struct oci_memory *
memory_of (struct oci_resources *r)
{
  if (r->memory == NULL)
    r->memory = xzalloc (sizeof *r->memory);
  return r->memory;
}

static struct oci_cpu *
cpu_of (struct oci_resources *r)
{
  if (r->cpu == NULL)
    r->cpu = xzalloc (sizeof *r->cpu);
  return r->cpu;
}

static int
set_memory (struct oci_resources *r, int opt, const char *name, const char *value, oci_error_t **err)
{
  struct oci_memory *m;
  int64_t v = 0;

  if (parse_ram (name, value, &v, err) < 0)
    return -1;
  m = memory_of (r);
  switch (opt)
    {
    case OPT_MEMORY:
      m->limit = v, m->limit_present = true;
      break;
    case OPT_MEMORY_RESERVATION:
      m->reservation = v, m->reservation_present = true;
      break;
    case OPT_MEMORY_SWAP:
      m->swap = v, m->swap_present = true;
      break;
    case OPT_KERNEL_MEMORY:
      m->kernel = v, m->kernel_present = true;
      break;
    default:
      m->kernel_tcp = v, m->kernel_tcp_present = true;
    }
  return 0;
}

static int
set_cpu (struct oci_resources *r, int opt, const char *name, const char *value, oci_error_t **err)
{
  struct oci_cpu *c = cpu_of (r);
  bool is_signed = opt == OPT_CPU_QUOTA || opt == OPT_CPU_RT_RUNTIME;
  int64_t v = 0;

  if (parse_i64 (name, value, is_signed ? INT64_MIN : 0, &v, err) < 0)
    return -1;
  switch (opt)
    {
    case OPT_CPU_PERIOD:
      c->period = (uint64_t) v, c->period_present = true;
      break;
    case OPT_CPU_QUOTA:
      c->quota = v, c->quota_present = true;
      break;
    case OPT_CPU_SHARE:
      c->shares = (uint64_t) v, c->shares_present = true;
      break;
    case OPT_CPU_RT_PERIOD:
      c->realtime_period = (uint64_t) v, c->realtime_period_present = true;
      break;
    default:
      c->realtime_runtime = v, c->realtime_runtime_present = true;
    }
  return 0;
}

static void
set_string (char **field, const char *value)
{
  free (*field);
  *field = xstrdup (value);
}

static int
set_other (struct oci_resources *r, int opt, const char *name, const char *value, oci_error_t **err)
{
  int64_t v = 0;

  switch (opt)
    {
    case OPT_CPUSET_CPUS:
      set_string (&cpu_of (r)->cpus, value);
      return 0;
    case OPT_CPUSET_MEMS:
      set_string (&cpu_of (r)->mems, value);
      return 0;
    case OPT_PIDS_LIMIT:
      if (parse_i64 (name, value, INT64_MIN, &v, err) < 0)
        return -1;
      if (r->pids == NULL)
        r->pids = xzalloc (sizeof *r->pids);
      r->pids->limit = v, r->pids->limit_present = true;
      return 0;
    default:
      if (parse_i64 (name, value, 0, &v, err) < 0)
        return -1;
      if (v > UINT16_MAX)
        return oci_error_set (err, EINVAL, "invalid value \"%s\" for --%s", value, name);
      if (r->block_io == NULL)
        r->block_io = xzalloc (sizeof *r->block_io);
      r->block_io->weight = (uint16_t) v, r->block_io->weight_present = true;
      return 0;
    }
}

static int
load_resources (const char *file, struct oci_resources **out, oci_error_t **err)
{
  const char *path = streq (file, "-") ? "/dev/stdin" : file;
  cleanup_free char *data = NULL;
  size_t len;

  if (read_file_max (path, OCI_JSON_MAX_SIZE, &data, &len, err) < 0)
    return oci_error_prefix (err, "--resources");
  return oci_resources_parse (data, len, streq (file, "-") ? "stdin" : file, out, err);
}

static const char *
long_name (int opt)
{
  for (const struct option *o = update_longopts; o->name; o++)
    if (o->val == opt)
      return o->name;
  return "?";
}

/* Options in order; -r is read first so that flags override it.  */
static int
parse_update (int argc, char **argv, struct oci_resources **res, oci_error_t **err)
{
  const char *file = NULL;
  int c, first = optind;

  while ((c = cli_getopt (argc, argv, ":r:h", update_longopts, err)) != -1)
    if (c == 'h')
      {
        cli_help ("update", update_usage, "Update the resource limits of a container.", update_options);
        return 1;
      }
    else if (c == 'r')
      file = optarg;
    else if (c < 0)
      return -1;
  if (cli_operands ("update", update_usage, argc, argv, 1, 1, err) < 0)
    return -1;
  if (file && load_resources (file, res, err) < 0)
    return -1;
  if (*res == NULL)
    *res = xzalloc (sizeof **res);
  optind = first;
  while ((c = cli_getopt (argc, argv, ":r:h", update_longopts, err)) != -1)
    {
      const char *name = long_name (c);
      int ret = 0;
      if (c == OPT_MEMORY || c == OPT_MEMORY_RESERVATION || c == OPT_MEMORY_SWAP || c == OPT_KERNEL_MEMORY
          || c == OPT_KERNEL_MEMORY_TCP)
        ret = set_memory (*res, c, name, optarg, err);
      else if (c >= OPT_CPU_PERIOD && c <= OPT_CPU_RT_RUNTIME)
        ret = set_cpu (*res, c, name, optarg, err);
      else if (c >= OPT_BLKIO_WEIGHT)
        ret = set_other (*res, c, name, optarg, err);
      if (ret < 0)
        return -1;
    }
  return 0;
}

int
cmd_update (struct hull_globals *g, int argc, char **argv, oci_error_t **err)
{
  struct oci_resources *res = NULL;
  struct hull_container c;
  int ret;

  hull_log_init (g);
  ret = parse_update (argc, argv, &res, err);
  if (ret != 0)
    {
      oci_resources_free (res);
      return ret < 0 ? -1 : 0;
    }
  ret = container_open_cgroup (g, argv[optind], &c, err);
  if (ret == 0 && state_status (&c) == HULL_STATUS_STOPPED)
    ret = oci_error_set (err, EINVAL, "container not running");
  if (ret == 0)
    ret = cgroup_apply_resources (c.state->cgroup_path, res, err);
  state_container_clear (&c);
  oci_resources_free (res);
  return ret < 0 ? -1 : 0;
}
