/* linux.resources on cgroup v2 (one directory), with runc's conversions
   of v1 values, and linux.resources.unified written verbatim.  */
#include "config.h"
#include "cgroup_convert.h"
#include "cgroup_internal.h"
#include "strbuf.h"
#include "util.h"

#include <errno.h>
#include <inttypes.h>

static int
write_owned (const char *dir, const char *file, char *value, oci_error_t **err)
{
  cleanup_free char *v = value;

  return v ? cgroup_write (dir, file, v, err) : 0;
}

/* kernel, kernelTCP, swappiness and disableOOMKiller have no v2 files;
   like runc, they are ignored here.  */
static int
apply_memory (const char *dir, const struct oci_memory *m, bool update, oci_error_t **err)
{
  cleanup_free char *swap = NULL;

  if (cgroup_v2_swap_max (m, &swap, err) < 0)
    return -1;
  if (update && m->check_before_update_present && m->check_before_update && m->limit_present
      && cgroup_check_limit_not_below_usage (dir, "memory.current", m->limit, err) < 0)
    return -1;
  /* Swap first: lowering memory.max never depends on it, and a swap
     limit of 0 must be in place before a tight memory.max.  */
  if (swap && (cgroup_file_exists (dir, "memory.swap.max") || !streq (swap, "max"))
      && cgroup_write (dir, "memory.swap.max", swap, err) < 0)
    return -1;
  if (m->limit_present && write_owned (dir, "memory.max", cgroup_v2_limit (m->limit), err) < 0)
    return -1;
  if (m->reservation_present && write_owned (dir, "memory.low", cgroup_v2_limit (m->reservation), err) < 0)
    return -1;
  return 0;
}

static int
apply_cpu (const char *dir, const struct oci_cpu *c, oci_error_t **err)
{
  uint64_t weight = c->shares_present ? cgroup_shares_to_weight (c->shares) : 0;

  if ((c->realtime_runtime_present && c->realtime_runtime != 0)
      || (c->realtime_period_present && c->realtime_period != 0))
    return oci_error_set (err, ENOTSUP,
                          "linux.resources.cpu.realtimeRuntime/realtimePeriod: not supported on cgroup v2");
  if (weight && cgroup_writef (dir, "cpu.weight", err, "%" PRIu64, weight) < 0)
    return -1;
  if (write_owned (dir, "cpu.max", cgroup_cpu_max (c), err) < 0)
    return -1;
  if (c->burst_present && cgroup_writef (dir, "cpu.max.burst", err, "%" PRIu64, c->burst) < 0)
    return -1;
  if (c->idle_present && cgroup_writef (dir, "cpu.idle", err, "%" PRId64, c->idle) < 0)
    return -1;
  if (c->cpus && *c->cpus && cgroup_write (dir, "cpuset.cpus", c->cpus, err) < 0)
    return -1;
  if (c->mems && *c->mems && cgroup_write (dir, "cpuset.mems", c->mems, err) < 0)
    return -1;
  return 0;
}

static int
apply_pids (const char *dir, const struct oci_pids *p, oci_error_t **err)
{
  if (!p->limit_present)
    return 0;
  return write_owned (dir, "pids.max", cgroup_v2_limit (p->limit <= 0 ? -1 : p->limit), err);
}

/* BFQ takes blkio-style weights as they are; io.weight needs runc's
   conversion.  */
static int
apply_io_weights (const char *dir, const struct oci_block_io *b, oci_error_t **err)
{
  bool bfq = cgroup_file_exists (dir, "io.bfq.weight");
  const char *file = bfq ? "io.bfq.weight" : "io.weight";

  if (b->weight_present && b->weight)
    {
      uint64_t w = bfq ? b->weight : cgroup_blkio_weight_to_io_weight (b->weight);
      if (cgroup_writef (dir, file, err, "%" PRIu64, w) < 0)
        return -1;
    }
  for (size_t i = 0; i < b->weight_device_len; i++)
    {
      const struct oci_weight_device *d = &b->weight_device[i];
      uint64_t w;
      if (!d->weight_present)
        continue;
      w = bfq ? d->weight : cgroup_blkio_weight_to_io_weight (d->weight);
      if (cgroup_writef (dir, file, err, "%" PRId64 ":%" PRId64 " %" PRIu64, d->major, d->minor, w) < 0)
        return -1;
    }
  return 0;
}

static int
write_io_max (const char *dir, const char *key, const struct oci_throttle_device *d, size_t n,
              oci_error_t **err)
{
  for (size_t i = 0; i < n; i++)
    if (cgroup_writef (dir, "io.max", err, "%" PRId64 ":%" PRId64 " %s=%" PRIu64, d[i].major, d[i].minor, key,
                       d[i].rate)
        < 0)
      return -1;
  return 0;
}

static int
apply_io (const char *dir, const struct oci_block_io *b, oci_error_t **err)
{
  if (apply_io_weights (dir, b, err) < 0)
    return -1;
  if (write_io_max (dir, "rbps", b->throttle_read_bps_device, b->throttle_read_bps_device_len, err) < 0
      || write_io_max (dir, "wbps", b->throttle_write_bps_device, b->throttle_write_bps_device_len, err) < 0
      || write_io_max (dir, "riops", b->throttle_read_iops_device, b->throttle_read_iops_device_len, err) < 0
      || write_io_max (dir, "wiops", b->throttle_write_iops_device, b->throttle_write_iops_device_len, err)
             < 0)
    return -1;
  return 0;
}

static int
apply_hugetlb (const char *dir, const struct oci_resources *res, oci_error_t **err)
{
  return cgroup_write_hugepage_limits (dir, res, "max", err);
}

static int
apply_rdma (const char *dir, const struct oci_resources *res, oci_error_t **err)
{
  for (size_t i = 0; i < res->rdma_len; i++)
    if (write_owned (dir, "rdma.max", cgroup_rdma_max (&res->rdma[i]), err) < 0)
      return -1;
  return 0;
}

static int
apply_unified (const char *dir, const struct oci_map *unified, oci_error_t **err)
{
  for (size_t i = 0; i < unified->len; i++)
    {
      const char *key = unified->keys[i];
      if (*key == '\0' || strchr (key, '/') != NULL || strstr (key, "..") != NULL || key[0] == '.')
        return oci_error_set (err, EINVAL, "linux.resources.unified: invalid key `%s`", key);
      if (!cgroup_file_exists (dir, key))
        return oci_error_set (err, ENOENT,
                              "linux.resources.unified.%s: %s/%s does not exist (controller not enabled?)",
                              key, dir, key);
      if (cgroup_write (dir, key, unified->values[i], err) < 0)
        return oci_error_prefix (err, "linux.resources.unified.%s", key);
    }
  return 0;
}

int
cgroup_v2_apply (const char *dir, const struct oci_resources *res, bool update, oci_error_t **err)
{
  if (res->memory && apply_memory (dir, res->memory, update, err) < 0)
    return -1;
  if (res->cpu && apply_cpu (dir, res->cpu, err) < 0)
    return -1;
  if (res->pids && apply_pids (dir, res->pids, err) < 0)
    return -1;
  if (res->block_io && apply_io (dir, res->block_io, err) < 0)
    return -1;
  if (apply_hugetlb (dir, res, err) < 0 || apply_rdma (dir, res, err) < 0)
    return -1;
  if (res->network && (res->network->class_id_present || res->network->priorities_len > 0))
    return oci_error_set (err, ENOTSUP,
                          "linux.resources.network: net_cls/net_prio do not exist on cgroup v2");
  if (res->devices && cgroup_v2_devices_apply (dir, res->devices, res->devices_len, err) < 0)
    return -1;
  /* Last: unified values override the typed ones.  */
  return apply_unified (dir, &res->unified, err);
}

/* --- controllers --- */

static void
add_word (struct strbuf *sb, const char *w)
{
  if (sb->len)
    strbuf_addch (sb, ' ');
  strbuf_addstr (sb, w);
}

static bool
has_word (const char *list, const char *w, size_t wlen)
{
  for (const char *p = list; (p = strstr (p, w)) != NULL; p += wlen)
    if ((p == list || p[-1] == ' ' || p[-1] == '\n')
        && (p[wlen] == '\0' || p[wlen] == ' ' || p[wlen] == '\n'))
      return true;
  return false;
}

/* The controllers res needs, space-separated; `required` are those whose
   absence is an error.  */
static void
needed_controllers (const struct oci_resources *res, struct strbuf *required)
{
  const struct oci_cpu *c = res ? res->cpu : NULL;

  if (res == NULL)
    return;
  if (res->memory)
    add_word (required, "memory");
  if (c
      && (c->shares_present || c->quota_present || c->period_present || c->burst_present || c->idle_present))
    add_word (required, "cpu");
  if (c && ((c->cpus && *c->cpus) || (c->mems && *c->mems)))
    add_word (required, "cpuset");
  if (res->pids)
    add_word (required, "pids");
  if (res->block_io)
    add_word (required, "io");
  if (res->hugepage_limits_len)
    add_word (required, "hugetlb");
  if (res->rdma_len)
    add_word (required, "rdma");
  for (size_t i = 0; i < res->unified.len; i++)
    {
      const char *dot = strchr (res->unified.keys[i], '.');
      cleanup_free char *ctrl
          = dot ? xstrndup (res->unified.keys[i], (size_t) (dot - res->unified.keys[i])) : NULL;
      if (ctrl && !streq (ctrl, "cgroup") && !has_word (strbuf_str (required), ctrl, strlen (ctrl)))
        add_word (required, ctrl);
    }
}

static int
enable_in (const char *dir, const char *wanted, bool must, oci_error_t **err)
{
  cleanup_free char *available = NULL;
  cleanup_free char *enabled = NULL;
  cleanup_free char *copy = xstrdup (wanted);
  char *save = NULL;

  if (cgroup_read (dir, "cgroup.controllers", &available, err) < 0
      || cgroup_read (dir, "cgroup.subtree_control", &enabled, err) < 0)
    return -1;
  for (char *c = strtok_r (copy, " ", &save); c; c = strtok_r (NULL, " ", &save))
    {
      if (has_word (enabled, c, strlen (c)))
        continue;
      if (!has_word (available, c, strlen (c)))
        {
          if (must)
            return oci_error_set (err, ENOTSUP,
                                  "cgroup v2 controller `%s` is not available in %s (cgroup.controllers: %s)",
                                  c, dir, available);
          continue;
        }
      if (cgroup_writef (dir, "cgroup.subtree_control", err, "+%s", c) < 0)
        return -1;
    }
  return 0;
}

int
cgroup_v2_enable_controllers (const struct cgroup_host *h, const char *path, const struct oci_resources *res,
                              oci_error_t **err)
{
  struct strbuf required = STRBUF_INIT;
  cleanup_free char *req = NULL;
  cleanup_free char *dir = xstrdup (h->unified);
  cleanup_free char *rest = xstrdup (path);
  char *save = NULL, *comp, *next;

  needed_controllers (res, &required);
  req = strbuf_detach (&required, NULL);
  /* Every ancestor, root first; not the container's own cgroup, which
     holds processes.  */
  for (comp = strtok_r (rest, "/", &save); comp; comp = next)
    {
      char *child = NULL;
      next = strtok_r (NULL, "/", &save);
      if (enable_in (dir, req, true, err) < 0 || enable_in (dir, "cpu memory pids io", false, err) < 0)
        return -1;
      if (next == NULL)
        break;
      xasprintf (&child, "%s/%s", dir, comp);
      free (dir);
      dir = child;
    }
  return 0;
}
