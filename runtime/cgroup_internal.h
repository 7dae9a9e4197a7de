/* Shared between runtime/cgroup*.c only: the host's cgroup hierarchies
   and small file helpers whose errors name the cgroup file and value.  */
#ifndef HULL_CGROUP_INTERNAL_H
#define HULL_CGROUP_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "cgroup.h"

struct cgroup_v1_hierarchy
{
  char **controllers; /* "cpu", "cpuacct" or "name=systemd" ... */
  char *mountpoint;
  char *root; /* the mount's root inside the hierarchy (mountinfo field 4) */
};

struct cgroup_host
{
  enum cgroup_layout layout;
  char *unified; /* the cgroup2 mount; NULL on V1 */
  struct cgroup_v1_hierarchy *v1;
  size_t v1_len;
};

int cgroup_host_load (struct cgroup_host *h, oci_error_t **err);
void cgroup_host_free (struct cgroup_host *h);
#define cleanup_cgroup_host __attribute__ ((cleanup (cgroup_host_free)))

/* The directory of path in the v1 hierarchy holding controller (NULL
   when that controller is not mounted), in hierarchy i, or in the cgroup2
   mount (NULL on V1).  */
char *cgroup_v1_dir (const struct cgroup_host *h, const char *controller, const char *path);
char *cgroup_v1_dir_at (const struct cgroup_host *h, size_t i, const char *path);
char *cgroup_v2_dir (const struct cgroup_host *h, const char *path);

/* Write value to dir/file; errors read
   "write DIR/FILE = VALUE: strerror".  */
int cgroup_write (const char *dir, const char *file, const char *value, oci_error_t **err);
int cgroup_writef (const char *dir, const char *file, oci_error_t **err, const char *fmt, ...)
    __attribute__ ((format (printf, 4, 5)));
/* Read dir/file (trailing newline removed).  */
int cgroup_read (const char *dir, const char *file, char **out, oci_error_t **err);
/* Read a number; "max" reads as UINT64_MAX.  */
int cgroup_read_u64 (const char *dir, const char *file, uint64_t *out, oci_error_t **err);
/* hugepageLimits as hugetlb.<size>.<suffix> (v1 "limit_in_bytes", v2 "max").  */
int cgroup_write_hugepage_limits (const char *dir, const struct oci_resources *res, const char *suffix,
                                  oci_error_t **err);
/* checkBeforeUpdate: refuse a memory limit below the usage in usage_file.  */
int cgroup_check_limit_not_below_usage (const char *dir, const char *usage_file, int64_t limit,
                                        oci_error_t **err);
/* Look up "key value" in a flat-keyed file (memory.stat, cpu.stat ...). */
int cgroup_read_keyed (const char *dir, const char *file, const char *key, uint64_t *out, oci_error_t **err);
bool cgroup_file_exists (const char *dir, const char *file);

int cgroup_v1_apply (const struct cgroup_host *h, const char *path, const struct oci_resources *res,
                     bool update, oci_error_t **err);
/* Copy cpuset.cpus/mems from the parent into every empty level of path. */
int cgroup_v1_cpuset_prepare (const struct cgroup_host *h, const char *path, oci_error_t **err);
int cgroup_v2_apply (const char *dir, const struct oci_resources *res, bool update, oci_error_t **err);
/* Enable, in every ancestor of path, the controllers res needs.  */
int cgroup_v2_enable_controllers (const struct cgroup_host *h, const char *path,
                                  const struct oci_resources *res, oci_error_t **err);

int cgroup_v1_devices_apply (const char *dir, const struct oci_device_cgroup *devs, size_t n,
                             oci_error_t **err);
/* The BPF_PROG_TYPE_CGROUP_DEVICE program for the rules (last matching
   rule decides, no match denies); the caller frees *out.  */
struct bpf_insn;
int cgroup_devices_build_bpf (const struct oci_device_cgroup *devs, size_t n, struct bpf_insn **out,
                              size_t *len, oci_error_t **err);
int cgroup_v2_devices_apply (const char *dir, const struct oci_device_cgroup *devs, size_t n,
                             oci_error_t **err);

#endif
