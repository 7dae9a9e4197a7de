/* Pure conversions for cgroups: v1 values to their v2 equivalents (as runc
   converts them), file contents (cpu.max, memory.swap.max, io.max), page
   size names, and cgroup path arithmetic (systemd slice expansion,
   normalisation).  No I/O here, so everything is unit-testable.  */
#ifndef HULL_CGROUP_CONVERT_H
#define HULL_CGROUP_CONVERT_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "runtime_spec.h"

/* cpu.shares [2, 262144] to cpu.weight [1, 10000]; 0 stays 0 (unset).  */
uint64_t cgroup_shares_to_weight (uint64_t shares);
/* blkio.weight [10, 1000] to io.weight [1, 10000]; 0 stays 0 (unset).  */
uint64_t cgroup_blkio_weight_to_io_weight (uint64_t weight);

/* cpu.max content: "<quota|max>[ <period>]"; NULL when neither is set.
   A negative or absent quota is "max".  */
char *cgroup_cpu_max (const struct oci_cpu *cpu);

/* memory.max / memory.low / pids.max style value: "max" for negative.  */
char *cgroup_v2_limit (int64_t value);

/* memory.swap.max from the OCI memory section (swap is memory+swap as in
   v1): -1 is "max", otherwise swap - limit; NULL in *out when swap is not
   set.  Fails when swap < limit or when swap is set without a limit.  */
int cgroup_v2_swap_max (const struct oci_memory *mem, char **out, oci_error_t **err);

/* "2MB" for 2097152, "1GB" for 1073741824, "64KB" for 65536.  */
char *cgroup_hugepage_size_name (uint64_t bytes);
/* Check a pageSize from config.json ("2MB"): digits then KB, MB or GB.  */
bool cgroup_hugepage_size_valid (const char *name);

/* "a-b-c.slice" to "/a.slice/a-b.slice/a-b-c.slice", "-.slice" to "".  */
int cgroup_systemd_expand_slice (const char *slice, char **out, oci_error_t **err);
/* "slice:prefix:name" to "/slice.../prefix-name.scope" (cgroupfs layout
   systemd would use).  An empty slice is system.slice; a name ending in
   .slice is used as the unit itself.  */
int cgroup_systemd_path (const char *spec, char **out, oci_error_t **err);

/* Normalise a cgroup path: collapse "//", drop "." and a trailing '/', and
   reject "..".  An absolute path stays absolute.  */
int cgroup_normalize_path (const char *path, char **out, oci_error_t **err);
/* Join base (absolute) and rel and normalise the result.  */
int cgroup_join_path (const char *base, const char *rel, char **out, oci_error_t **err);

/* rdma.max line "mlx5_1 hca_handle=3 hca_object=10000" (v1 and v2);
   NULL when neither limit is set.  */
char *cgroup_rdma_max (const struct oci_rdma *r);

/* The v1 devices-list rule ("c 1:3 rwm") for an OCI device rule.  */
char *cgroup_device_rule (const struct oci_device_cgroup *d);

#endif
