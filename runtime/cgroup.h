/* cgroups for hull: host layout detection (v1, v2 unified, hybrid),
   the container's cgroup (linux.cgroupsPath, systemd slice:prefix:name form
   mapped to cgroupfs paths), resources, freezer, stats, kill-all, removal.  */
#ifndef HULL_CGROUP_H
#define HULL_CGROUP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "runtime_spec.h"

enum cgroup_layout
{
  CGROUP_LAYOUT_V1,     /* only v1 hierarchies */
  CGROUP_LAYOUT_HYBRID, /* v1 controllers + v2 at /sys/fs/cgroup/unified */
  CGROUP_LAYOUT_V2,     /* /sys/fs/cgroup is cgroup2 */
};

/* Detect the layout below `mountpoint` (normally "/sys/fs/cgroup"; tests
   pass a private cgroup2 mount).  */
int cgroup_detect_layout (const char *mountpoint, enum cgroup_layout *out, oci_error_t **err);
/* Where the functions below look for the cgroup mounts: "/sys/fs/cgroup"
   unless changed (tests point it at a private cgroup2 mount).  */
void cgroup_set_mountpoint (const char *mountpoint);
const char *cgroup_get_mountpoint (void);

/* The container's cgroup path relative to every hierarchy's root, from
   linux.cgroupsPath: absolute paths as they are (normalised), relative
   ones below the caller's own cgroup (its v2 "0::" entry, else its
   name=systemd one, so the result is one absolute path for every
   hierarchy), the systemd form "slice:prefix:name" with systemd_cgroup
   ("a-b.slice:p:n" is /a.slice/a-b.slice/p-n.scope, as systemd lays it
   out), and "/hull/<id>" when absent ("system.slice:hull:<id>" with
   systemd_cgroup).  ".." components are rejected.  The result is always
   absolute: store it in the container state.  */
int cgroup_resolve_path (const char *cgroups_path, const char *id, bool systemd_cgroup, char **out,
                         oci_error_t **err);

/* Create the cgroup in every hierarchy (nested directories), apply
   resources (res may be NULL), and move pid into it (pid <= 0: none).
   v1: every mounted hierarchy (cpuset.cpus/mems copied from the parent
   when empty).  Hybrid: v1 for all resources; the cgroup is also made in
   the unified hierarchy, without enabling controllers there, so the
   process is tracked there (linux.resources.unified goes there too).  v2:
   the controllers res needs (plus cpu memory pids io when available) are
   enabled in the ancestors' cgroup.subtree_control.  On failure the leaf
   directories this call made are removed again.  A resource whose
   controller is not mounted is an error naming it.  */
int cgroup_create (const char *path, const struct oci_resources *res, pid_t pid, oci_error_t **err);

/* How a process not yet created enters a cgroup without being moved by
   pid: writing a pid to cgroup.procs takes the kernel's threadgroup
   rwsem, whose writer waits for an RCU grace period (~5 ms).  Neither a
   clone3 (CLONE_INTO_CGROUP) into the v2 directory nor a single-threaded
   process writing "0" (itself) to a v1 `tasks` file takes it.  */
struct cgroup_placement
{
  char *v2_dir;   /* the v2 directory (pure v2, or hybrid's unified one); NULL on V1 */
  int v2_fd;      /* v2_dir opened for CLONE_INTO_CGROUP; -1 when none */
  char **v1_dirs; /* one per v1 hierarchy, NULL-terminated (empty on V2) */
};

/* cgroup_create without a pid that also fills *place (release it with
   cgroup_placement_free; it stays empty on failure).  */
int cgroup_create_placed (const char *path, const struct oci_resources *res, struct cgroup_placement *place,
                          oci_error_t **err);
void cgroup_placement_free (struct cgroup_placement *place);
/* Move pid into the v1 directories (v1) and the v2 one (v2) by writing
   it to their cgroup.procs.  */
int cgroup_placement_add_pid (const struct cgroup_placement *place, pid_t pid, bool v1, bool v2,
                              oci_error_t **err);
/* In the process to move, while it is single-threaded: join every v1
   directory by writing "0" to its tasks file.  */
int cgroup_placement_join_v1_self (const struct cgroup_placement *place, oci_error_t **err);

/* Apply (update) resources of an existing cgroup; only what res sets is
   written (checkBeforeUpdate is honoured here).  */
int cgroup_apply_resources (const char *path, const struct oci_resources *res, oci_error_t **err);
/* Add pid to the cgroup (exec'd processes), optionally to a sub-cgroup
   (one path component, created when missing).  */
int cgroup_enter (const char *path, const char *sub, pid_t pid, oci_error_t **err);
/* Freeze (pause) or thaw (resume); waits until the state is reached.  */
int cgroup_freeze (const char *path, bool frozen, oci_error_t **err);
int cgroup_is_frozen (const char *path, bool *frozen, oci_error_t **err);
/* The pids in the cgroup (recursively); caller frees.  */
int cgroup_pids (const char *path, pid_t **pids, size_t *n, oci_error_t **err);
/* Send sig to every process in the cgroup (freezing it meanwhile so none
   can fork away).  SIGKILL uses v2's cgroup.kill where it exists (also on
   hybrid hosts, through the unified hierarchy).  */
int cgroup_kill_all (const char *path, int sig, oci_error_t **err);
/* Remove the cgroup and its sub-cgroups from every hierarchy, leaves
   first, retrying EBUSY for about two seconds while the processes exit.
   A cgroup that does not exist is not an error.  */
int cgroup_destroy (const char *path, oci_error_t **err);

/* Statistics for `hull events` (runc's types.Stats).  Values that the
   host does not provide stay 0.  */
struct cgroup_blkio_entry
{
  uint64_t major;
  uint64_t minor;
  char op[16]; /* Read Write Sync Async Discard Total */
  uint64_t value;
};

struct cgroup_memory_entry
{
  uint64_t usage;
  uint64_t max_usage;
  uint64_t failcnt;
  uint64_t limit;
};

struct cgroup_hugetlb_entry
{
  char *page_size; /* "2MB" */
  uint64_t usage;
  uint64_t max_usage;
  uint64_t failcnt;
};

struct cgroup_stats
{
  struct
  {
    uint64_t total; /* ns */
    uint64_t kernel;
    uint64_t user;
    uint64_t *percpu;
    size_t percpu_len;
    uint64_t throttling_periods;
    uint64_t throttled_periods;
    uint64_t throttled_time; /* ns */
  } cpu;
  struct
  {
    uint64_t cache;
    struct cgroup_memory_entry usage, swap, kernel, kernel_tcp;
    uint64_t oom_events; /* oom_kill count */
    struct oci_map raw;  /* memory.stat */
  } memory;
  struct
  {
    uint64_t current;
    uint64_t limit; /* 0 for no limit, as runc */
  } pids;
  struct
  {
    struct cgroup_blkio_entry *service_bytes; /* ioServiceBytesRecursive */
    size_t service_bytes_len;
    struct cgroup_blkio_entry *serviced; /* ioServicedRecursive */
    size_t serviced_len;
  } blkio;
  struct cgroup_hugetlb_entry *hugetlb;
  size_t hugetlb_len;
};

int cgroup_stats (const char *path, struct cgroup_stats *st, oci_error_t **err);
void cgroup_stats_free (struct cgroup_stats *st);

#endif
