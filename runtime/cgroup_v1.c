/* linux.resources on cgroup v1: one directory per controller hierarchy.  */
#include "config.h"
#include "cgroup_convert.h"
#include "cgroup_internal.h"
#include "util.h"

#include <errno.h>
#include <inttypes.h>

/* The directory of controller for path; an error naming the resource
   section when the controller is not mounted.  */
static int
controller_dir (const struct cgroup_host *h, const char *controller, const char *path, const char *what,
                char **dir, oci_error_t **err)
{
  *dir = cgroup_v1_dir (h, controller, path);
  if (*dir == NULL)
    return oci_error_set (err, ENOTSUP, "linux.resources.%s: cgroup v1 controller `%s` is not mounted", what,
                          controller);
  return 0;
}

static int
write_i64 (const char *dir, const char *file, int64_t v, oci_error_t **err)
{
  return cgroup_writef (dir, file, err, "%" PRId64, v);
}

/* memory.limit_in_bytes and memory.memsw.limit_in_bytes (memory+swap) in
   the order that keeps memsw >= limit at every step.  */
static int
memory_limits (const char *dir, const struct oci_memory *m, oci_error_t **err)
{
  bool swap = m->swap_present && cgroup_file_exists (dir, "memory.memsw.limit_in_bytes");
  bool limit_first = false;

  if (swap && m->limit_present && m->limit > 0 && m->swap >= 0 && m->swap < m->limit)
    return oci_error_set (err, EINVAL,
                          "linux.resources.memory.swap: memory+swap limit %" PRId64
                          " is lower than the memory limit %" PRId64,
                          m->swap, m->limit);
  if (swap && m->swap >= 0)
    {
      uint64_t current = 0;
      if (cgroup_read_u64 (dir, "memory.limit_in_bytes", &current, err) < 0)
        return -1;
      limit_first = (uint64_t) m->swap < current;
    }
  if (limit_first && m->limit_present && write_i64 (dir, "memory.limit_in_bytes", m->limit, err) < 0)
    return -1;
  if (swap && write_i64 (dir, "memory.memsw.limit_in_bytes", m->swap, err) < 0)
    return -1;
  if (!limit_first && m->limit_present && write_i64 (dir, "memory.limit_in_bytes", m->limit, err) < 0)
    return -1;
  return 0;
}

static int
optional_file (const char *dir, const char *file, bool present, int64_t v, oci_error_t **err)
{
  if (!present)
    return 0;
  if (!cgroup_file_exists (dir, file))
    return oci_error_set (err, ENOTSUP, "%s/%s: not supported by this kernel (value %" PRId64 ")", dir, file,
                          v);
  return write_i64 (dir, file, v, err);
}

static int
apply_memory (const struct cgroup_host *h, const char *path, const struct oci_memory *m, bool update,
              oci_error_t **err)
{
  cleanup_free char *dir = NULL;

  if (controller_dir (h, "memory", path, "memory", &dir, err) < 0)
    return -1;
  if (!update && m->use_hierarchy_present && m->use_hierarchy
      && cgroup_write (dir, "memory.use_hierarchy", "1", err) < 0)
    return -1;
  if (update && m->check_before_update_present && m->check_before_update && m->limit_present
      && cgroup_check_limit_not_below_usage (dir, "memory.usage_in_bytes", m->limit, err) < 0)
    return -1;
  if (memory_limits (dir, m, err) < 0)
    return -1;
  if (m->reservation_present && write_i64 (dir, "memory.soft_limit_in_bytes", m->reservation, err) < 0)
    return -1;
  if (optional_file (dir, "memory.kmem.limit_in_bytes", m->kernel_present, m->kernel, err) < 0
      || optional_file (dir, "memory.kmem.tcp.limit_in_bytes", m->kernel_tcp_present, m->kernel_tcp, err) < 0)
    return -1;
  if (m->swappiness_present)
    {
      if (m->swappiness > 100)
        return oci_error_set (
            err, EINVAL, "linux.resources.memory.swappiness: %" PRIu64 " is not in [0, 100]", m->swappiness);
      if (cgroup_writef (dir, "memory.swappiness", err, "%" PRIu64, m->swappiness) < 0)
        return -1;
    }
  if (m->disable_oom_killer_present && m->disable_oom_killer
      && cgroup_write (dir, "memory.oom_control", "1", err) < 0)
    return -1;
  return 0;
}

static int
apply_cpu (const struct cgroup_host *h, const char *path, const struct oci_cpu *c, oci_error_t **err)
{
  cleanup_free char *dir = NULL;
  bool any = c->shares_present || c->quota_present || c->period_present || c->burst_present
             || c->realtime_runtime_present || c->realtime_period_present || c->idle_present;

  if (!any)
    return 0;
  if (controller_dir (h, "cpu", path, "cpu", &dir, err) < 0)
    return -1;
  if (c->shares_present && c->shares && cgroup_writef (dir, "cpu.shares", err, "%" PRIu64, c->shares) < 0)
    return -1;
  if (c->period_present && c->period
      && cgroup_writef (dir, "cpu.cfs_period_us", err, "%" PRIu64, c->period) < 0)
    return -1;
  if (c->quota_present && c->quota && write_i64 (dir, "cpu.cfs_quota_us", c->quota, err) < 0)
    return -1;
  if (optional_file (dir, "cpu.cfs_burst_us", c->burst_present, (int64_t) c->burst, err) < 0)
    return -1;
  if (c->realtime_period_present && c->realtime_period
      && cgroup_writef (dir, "cpu.rt_period_us", err, "%" PRIu64, c->realtime_period) < 0)
    return -1;
  if (c->realtime_runtime_present && write_i64 (dir, "cpu.rt_runtime_us", c->realtime_runtime, err) < 0)
    return -1;
  return optional_file (dir, "cpu.idle", c->idle_present, c->idle, err);
}

static int
apply_cpuset (const struct cgroup_host *h, const char *path, const struct oci_cpu *c, oci_error_t **err)
{
  cleanup_free char *dir = NULL;

  if (c->cpus == NULL && c->mems == NULL)
    return 0;
  if (controller_dir (h, "cpuset", path, "cpu.cpus", &dir, err) < 0)
    return -1;
  if (c->cpus && *c->cpus && cgroup_write (dir, "cpuset.cpus", c->cpus, err) < 0)
    return -1;
  if (c->mems && *c->mems && cgroup_write (dir, "cpuset.mems", c->mems, err) < 0)
    return -1;
  return 0;
}

static int
copy_if_empty (const char *parent, const char *child, const char *file, oci_error_t **err)
{
  cleanup_free char *mine = NULL;
  cleanup_free char *theirs = NULL;

  if (cgroup_read (child, file, &mine, err) < 0)
    return -1;
  if (*mine)
    return 0;
  if (cgroup_read (parent, file, &theirs, err) < 0)
    return -1;
  return *theirs ? cgroup_write (child, file, theirs, err) : 0;
}

int
cgroup_v1_cpuset_prepare (const struct cgroup_host *h, const char *path, oci_error_t **err)
{
  cleanup_free char *parent = cgroup_v1_dir (h, "cpuset", "/");
  cleanup_free char *rest = xstrdup (path);
  char *save = NULL;

  if (parent == NULL)
    return 0;
  for (char *comp = strtok_r (rest, "/", &save); comp; comp = strtok_r (NULL, "/", &save))
    {
      char *child = NULL;
      xasprintf (&child, "%s/%s", parent, comp);
      if (copy_if_empty (parent, child, "cpuset.cpus", err) < 0
          || copy_if_empty (parent, child, "cpuset.mems", err) < 0)
        {
          free (child);
          return -1;
        }
      free (parent);
      parent = child;
    }
  return 0;
}

static int
apply_pids (const struct cgroup_host *h, const char *path, const struct oci_pids *p, oci_error_t **err)
{
  cleanup_free char *dir = NULL;

  if (!p->limit_present)
    return 0;
  if (controller_dir (h, "pids", path, "pids", &dir, err) < 0)
    return -1;
  if (p->limit <= 0)
    return cgroup_write (dir, "pids.max", "max", err);
  return write_i64 (dir, "pids.max", p->limit, err);
}

static int
write_throttle (const char *dir, const char *file, const struct oci_throttle_device *d, size_t n,
                oci_error_t **err)
{
  for (size_t i = 0; i < n; i++)
    if (cgroup_writef (dir, file, err, "%" PRId64 ":%" PRId64 " %" PRIu64, d[i].major, d[i].minor, d[i].rate)
        < 0)
      return -1;
  return 0;
}

/* blkio.weight, or blkio.bfq.weight when only BFQ provides weights.  */
static const char *
weight_file (const char *dir, bool device)
{
  if (cgroup_file_exists (dir, device ? "blkio.weight_device" : "blkio.weight"))
    return device ? "blkio.weight_device" : "blkio.weight";
  return device ? "blkio.bfq.weight_device" : "blkio.bfq.weight";
}

static int
apply_blkio_weights (const char *dir, const struct oci_block_io *b, oci_error_t **err)
{
  if (b->weight_present && b->weight
      && cgroup_writef (dir, weight_file (dir, false), err, "%u", b->weight) < 0)
    return -1;
  if (b->leaf_weight_present && b->leaf_weight
      && cgroup_writef (dir, "blkio.leaf_weight", err, "%u", b->leaf_weight) < 0)
    return -1;
  for (size_t i = 0; i < b->weight_device_len; i++)
    {
      const struct oci_weight_device *d = &b->weight_device[i];
      if (d->weight_present
          && cgroup_writef (dir, weight_file (dir, true), err, "%" PRId64 ":%" PRId64 " %u", d->major,
                            d->minor, d->weight)
                 < 0)
        return -1;
      if (d->leaf_weight_present
          && cgroup_writef (dir, "blkio.leaf_weight_device", err, "%" PRId64 ":%" PRId64 " %u", d->major,
                            d->minor, d->leaf_weight)
                 < 0)
        return -1;
    }
  return 0;
}

static int
apply_blkio (const struct cgroup_host *h, const char *path, const struct oci_block_io *b, oci_error_t **err)
{
  cleanup_free char *dir = NULL;

  if (controller_dir (h, "blkio", path, "blockIO", &dir, err) < 0)
    return -1;
  if (apply_blkio_weights (dir, b, err) < 0)
    return -1;
  if (write_throttle (dir, "blkio.throttle.read_bps_device", b->throttle_read_bps_device,
                      b->throttle_read_bps_device_len, err)
          < 0
      || write_throttle (dir, "blkio.throttle.write_bps_device", b->throttle_write_bps_device,
                         b->throttle_write_bps_device_len, err)
             < 0
      || write_throttle (dir, "blkio.throttle.read_iops_device", b->throttle_read_iops_device,
                         b->throttle_read_iops_device_len, err)
             < 0
      || write_throttle (dir, "blkio.throttle.write_iops_device", b->throttle_write_iops_device,
                         b->throttle_write_iops_device_len, err)
             < 0)
    return -1;
  return 0;
}

static int
apply_hugetlb (const struct cgroup_host *h, const char *path, const struct oci_resources *res,
               oci_error_t **err)
{
  cleanup_free char *dir = NULL;

  if (res->hugepage_limits_len == 0)
    return 0;
  if (controller_dir (h, "hugetlb", path, "hugepageLimits", &dir, err) < 0)
    return -1;
  return cgroup_write_hugepage_limits (dir, res, "limit_in_bytes", err);
}

static int
apply_network (const struct cgroup_host *h, const char *path, const struct oci_network *n, oci_error_t **err)
{
  cleanup_free char *dir = NULL;

  if (n->class_id_present)
    {
      if (controller_dir (h, "net_cls", path, "network.classID", &dir, err) < 0)
        return -1;
      if (cgroup_writef (dir, "net_cls.classid", err, "%u", n->class_id) < 0)
        return -1;
      free (steal_pointer (&dir));
    }
  if (n->priorities_len == 0)
    return 0;
  if (controller_dir (h, "net_prio", path, "network.priorities", &dir, err) < 0)
    return -1;
  for (size_t i = 0; i < n->priorities_len; i++)
    if (cgroup_writef (dir, "net_prio.ifpriomap", err, "%s %u", n->priorities[i].name,
                       n->priorities[i].priority)
        < 0)
      return -1;
  return 0;
}

static int
apply_rdma_at (const char *dir, const struct oci_resources *res, oci_error_t **err)
{
  for (size_t i = 0; i < res->rdma_len; i++)
    {
      cleanup_free char *line = cgroup_rdma_max (&res->rdma[i]);
      if (line && cgroup_write (dir, "rdma.max", line, err) < 0)
        return -1;
    }
  return 0;
}

static int
apply_rdma (const struct cgroup_host *h, const char *path, const struct oci_resources *res, oci_error_t **err)
{
  cleanup_free char *dir = NULL;

  if (res->rdma_len == 0)
    return 0;
  if (controller_dir (h, "rdma", path, "rdma", &dir, err) < 0)
    return -1;
  return apply_rdma_at (dir, res, err);
}

static int
apply_devices (const struct cgroup_host *h, const char *path, const struct oci_resources *res,
               oci_error_t **err)
{
  cleanup_free char *dir = NULL;

  if (res->devices == NULL)
    return 0;
  if (controller_dir (h, "devices", path, "devices", &dir, err) < 0)
    return -1;
  return cgroup_v1_devices_apply (dir, res->devices, res->devices_len, err);
}

int
cgroup_v1_apply (const struct cgroup_host *h, const char *path, const struct oci_resources *res, bool update,
                 oci_error_t **err)
{
  if (res->cpu && apply_cpuset (h, path, res->cpu, err) < 0)
    return -1;
  if (res->memory && apply_memory (h, path, res->memory, update, err) < 0)
    return -1;
  if (res->cpu && apply_cpu (h, path, res->cpu, err) < 0)
    return -1;
  if (res->pids && apply_pids (h, path, res->pids, err) < 0)
    return -1;
  if (res->block_io && apply_blkio (h, path, res->block_io, err) < 0)
    return -1;
  if (apply_hugetlb (h, path, res, err) < 0)
    return -1;
  if (res->network && apply_network (h, path, res->network, err) < 0)
    return -1;
  if (apply_rdma (h, path, res, err) < 0)
    return -1;
  return apply_devices (h, path, res, err);
}
