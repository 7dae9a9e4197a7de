/* OCI runtime-spec v1.2 types: config.json (the Linux parts, complete),
   state.json and features.json.  Member names follow the JSON names in
   snake_case; see json.h for the representation conventions (`_present`
   flags on scalars, NULL-terminated string arrays, `_len` on arrays).  */
#ifndef OCI_RUNTIME_SPEC_H
#define OCI_RUNTIME_SPEC_H

#include "json.h"

/* GNU C modes predefine `linux` as 1, which would turn the `linux`
   members below into syntax errors; code tests __linux__ instead.  */
#undef linux

/* --- config.json --- */

struct oci_root
{
  char *path;
  bool readonly;
  bool readonly_present;
};

struct oci_id_mapping
{
  uint32_t container_id; /* "containerID" */
  bool container_id_present;
  uint32_t host_id; /* "hostID" */
  bool host_id_present;
  uint32_t size;
  bool size_present;
};

struct oci_mount
{
  char *destination;
  char *type;
  char *source;
  char **options;
  struct oci_id_mapping *uid_mappings;
  size_t uid_mappings_len;
  struct oci_id_mapping *gid_mappings;
  size_t gid_mappings_len;
};

struct oci_box
{
  uint32_t height;
  bool height_present;
  uint32_t width;
  bool width_present;
};

struct oci_user
{
  uint32_t uid;
  bool uid_present;
  uint32_t gid;
  bool gid_present;
  uint32_t umask;
  bool umask_present;
  uint32_t *additional_gids;
  size_t additional_gids_len;
};

struct oci_capabilities
{
  char **bounding;
  char **effective;
  char **inheritable;
  char **permitted;
  char **ambient;
};

struct oci_rlimit
{
  char *type; /* "RLIMIT_NOFILE" ... */
  uint64_t soft;
  bool soft_present;
  uint64_t hard;
  bool hard_present;
};

struct oci_io_priority
{
  char *class; /* IOPRIO_CLASS_RT | IOPRIO_CLASS_BE | IOPRIO_CLASS_IDLE */
  int32_t priority;
  bool priority_present;
};

struct oci_scheduler
{
  char *policy; /* SCHED_OTHER ... */
  int32_t nice;
  bool nice_present;
  int32_t priority;
  bool priority_present;
  char **flags;
  uint64_t runtime;
  bool runtime_present;
  uint64_t deadline;
  bool deadline_present;
  uint64_t period;
  bool period_present;
};

struct oci_cpu_affinity
{
  char *initial;
  char *final;
};

struct oci_process
{
  bool terminal;
  bool terminal_present;
  struct oci_box *console_size;
  struct oci_user *user;
  char **args;
  char **env;
  char *cwd;
  struct oci_capabilities *capabilities;
  struct oci_rlimit *rlimits;
  size_t rlimits_len;
  bool no_new_privileges;
  bool no_new_privileges_present;
  char *apparmor_profile;
  int32_t oom_score_adj;
  bool oom_score_adj_present;
  char *selinux_label;
  struct oci_io_priority *io_priority;
  struct oci_scheduler *scheduler;
  struct oci_cpu_affinity *exec_cpu_affinity;
};

struct oci_hook
{
  char *path;
  char **args;
  char **env;
  int32_t timeout; /* seconds, > 0 */
  bool timeout_present;
};

struct oci_hooks
{
  struct oci_hook *prestart;
  size_t prestart_len;
  struct oci_hook *create_runtime;
  size_t create_runtime_len;
  struct oci_hook *create_container;
  size_t create_container_len;
  struct oci_hook *start_container;
  size_t start_container_len;
  struct oci_hook *poststart;
  size_t poststart_len;
  struct oci_hook *poststop;
  size_t poststop_len;
};

struct oci_namespace
{
  char *type; /* pid network mount ipc uts user cgroup time */
  char *path;
};

struct oci_time_offset
{
  int64_t secs;
  bool secs_present;
  uint32_t nanosecs;
  bool nanosecs_present;
};

struct oci_time_offsets
{
  struct oci_time_offset *monotonic;
  struct oci_time_offset *boottime;
};

struct oci_device
{
  char *type; /* c b u p */
  char *path;
  int64_t major;
  bool major_present;
  int64_t minor;
  bool minor_present;
  uint32_t file_mode;
  bool file_mode_present;
  uint32_t uid;
  bool uid_present;
  uint32_t gid;
  bool gid_present;
};

struct oci_device_cgroup
{
  bool allow;
  bool allow_present;
  char *type; /* a c b */
  int64_t major;
  bool major_present;
  int64_t minor;
  bool minor_present;
  char *access; /* rwm */
};

struct oci_memory
{
  int64_t limit;
  bool limit_present;
  int64_t reservation;
  bool reservation_present;
  int64_t swap;
  bool swap_present;
  int64_t kernel;
  bool kernel_present;
  int64_t kernel_tcp; /* "kernelTCP" */
  bool kernel_tcp_present;
  uint64_t swappiness;
  bool swappiness_present;
  bool disable_oom_killer; /* "disableOOMKiller" */
  bool disable_oom_killer_present;
  bool use_hierarchy;
  bool use_hierarchy_present;
  bool check_before_update;
  bool check_before_update_present;
};

struct oci_cpu
{
  uint64_t shares;
  bool shares_present;
  int64_t quota;
  bool quota_present;
  uint64_t burst;
  bool burst_present;
  uint64_t period;
  bool period_present;
  int64_t realtime_runtime;
  bool realtime_runtime_present;
  uint64_t realtime_period;
  bool realtime_period_present;
  char *cpus;
  char *mems;
  int64_t idle;
  bool idle_present;
};

struct oci_pids
{
  int64_t limit;
  bool limit_present;
};

struct oci_weight_device
{
  int64_t major;
  bool major_present;
  int64_t minor;
  bool minor_present;
  uint16_t weight;
  bool weight_present;
  uint16_t leaf_weight;
  bool leaf_weight_present;
};

struct oci_throttle_device
{
  int64_t major;
  bool major_present;
  int64_t minor;
  bool minor_present;
  uint64_t rate;
  bool rate_present;
};

struct oci_block_io
{
  uint16_t weight;
  bool weight_present;
  uint16_t leaf_weight;
  bool leaf_weight_present;
  struct oci_weight_device *weight_device;
  size_t weight_device_len;
  struct oci_throttle_device *throttle_read_bps_device;
  size_t throttle_read_bps_device_len;
  struct oci_throttle_device *throttle_write_bps_device;
  size_t throttle_write_bps_device_len;
  struct oci_throttle_device *throttle_read_iops_device; /* "throttleReadIOPSDevice" */
  size_t throttle_read_iops_device_len;
  struct oci_throttle_device *throttle_write_iops_device;
  size_t throttle_write_iops_device_len;
};

struct oci_hugepage_limit
{
  char *page_size; /* "2MB" */
  uint64_t limit;
  bool limit_present;
};

struct oci_interface_priority
{
  char *name;
  uint32_t priority;
  bool priority_present;
};

struct oci_network
{
  uint32_t class_id; /* "classID" */
  bool class_id_present;
  struct oci_interface_priority *priorities;
  size_t priorities_len;
};

struct oci_rdma
{
  char *device; /* the map key */
  uint32_t hca_handles;
  bool hca_handles_present;
  uint32_t hca_objects;
  bool hca_objects_present;
};

struct oci_resources
{
  struct oci_device_cgroup *devices;
  size_t devices_len;
  struct oci_memory *memory;
  struct oci_cpu *cpu;
  struct oci_pids *pids;
  struct oci_block_io *block_io;
  struct oci_hugepage_limit *hugepage_limits;
  size_t hugepage_limits_len;
  struct oci_network *network;
  struct oci_rdma *rdma;
  size_t rdma_len;
  struct oci_map unified;
};

struct oci_seccomp_arg
{
  uint32_t index;
  bool index_present;
  uint64_t value;
  bool value_present;
  uint64_t value_two;
  bool value_two_present;
  char *op; /* SCMP_CMP_* */
};

struct oci_seccomp_syscall
{
  char **names;
  char *action;
  uint32_t errno_ret;
  bool errno_ret_present;
  struct oci_seccomp_arg *args;
  size_t args_len;
};

struct oci_seccomp
{
  char *default_action;
  uint32_t default_errno_ret;
  bool default_errno_ret_present;
  char **architectures;
  char **flags;
  char *listener_path;
  char *listener_metadata;
  struct oci_seccomp_syscall *syscalls;
  size_t syscalls_len;
};

struct oci_intel_rdt
{
  char *clos_id; /* "closID" */
  char *l3_cache_schema;
  char *mem_bw_schema;
  char **schemata;
  bool enable_monitoring;
  bool enable_monitoring_present;
  bool enable_cmt; /* "enableCMT" */
  bool enable_cmt_present;
  bool enable_mbm; /* "enableMBM" */
  bool enable_mbm_present;
};

struct oci_personality
{
  char *domain; /* LINUX | LINUX32 */
  char **flags;
};

struct oci_net_device
{
  char *host_name; /* the map key: the device's name on the host */
  char *name;      /* its name in the container */
};

struct oci_linux
{
  struct oci_id_mapping *uid_mappings;
  size_t uid_mappings_len;
  struct oci_id_mapping *gid_mappings;
  size_t gid_mappings_len;
  struct oci_map sysctl;
  struct oci_resources *resources;
  char *cgroups_path;
  struct oci_namespace *namespaces;
  size_t namespaces_len;
  struct oci_device *devices;
  size_t devices_len;
  struct oci_seccomp *seccomp;
  char *rootfs_propagation;
  char **masked_paths;
  char **readonly_paths;
  char *mount_label;
  struct oci_intel_rdt *intel_rdt;
  struct oci_personality *personality;
  struct oci_time_offsets *time_offsets;
  struct oci_net_device *net_devices;
  size_t net_devices_len;
};

struct oci_spec
{
  char *oci_version;
  struct oci_root *root;
  struct oci_mount *mounts;
  size_t mounts_len;
  struct oci_process *process;
  char *hostname;
  char *domainname;
  struct oci_hooks *hooks;
  struct oci_map annotations;
  struct oci_linux *linux;
};

/* --- state (runtime-spec runtime.md "State") --- */

struct oci_state
{
  char *oci_version;
  char *id;
  char *status; /* creating created running stopped (paused, as runc) */
  int32_t pid;
  bool pid_present;
  char *bundle;
  struct oci_map annotations;
};

/* --- features.json (runtime-spec features.md) --- */

struct oci_feature_enabled
{
  bool enabled;
  bool enabled_present;
};

struct oci_features_cgroup
{
  bool v1;
  bool v1_present;
  bool v2;
  bool v2_present;
  bool systemd;
  bool systemd_present;
  bool systemd_user;
  bool systemd_user_present;
  bool rdma;
  bool rdma_present;
};

struct oci_features_seccomp
{
  bool enabled;
  bool enabled_present;
  char **actions;
  char **operators;
  char **archs;
  char **known_flags;
  char **supported_flags;
};

struct oci_features_mount_extensions
{
  struct oci_feature_enabled *idmap;
};

struct oci_features_linux
{
  char **namespaces;
  char **capabilities;
  struct oci_features_cgroup *cgroup;
  struct oci_features_seccomp *seccomp;
  struct oci_feature_enabled *apparmor;
  struct oci_feature_enabled *selinux;
  struct oci_feature_enabled *intel_rdt;
  struct oci_features_mount_extensions *mount_extensions;
  struct oci_feature_enabled *net_devices;
};

struct oci_features
{
  char *oci_version_min;
  char *oci_version_max;
  char **hooks;
  char **mount_options;
  struct oci_features_linux *linux;
  struct oci_map annotations;
  char **potentially_unsafe_config_annotations;
};

/* --- descriptors and typed wrappers --- */

extern const struct oci_json_type oci_spec_type;
extern const struct oci_json_type oci_process_type;
extern const struct oci_json_type oci_resources_type;
extern const struct oci_json_type oci_state_type;
extern const struct oci_json_type oci_features_type;

/* Known value sets (NULL-terminated), shared with the runtime.  */
extern const char *const oci_namespace_types[];
extern const char *const oci_rlimit_types[];
extern const char *const oci_seccomp_actions[];
extern const char *const oci_seccomp_operators[];
extern const char *const oci_seccomp_archs[];
extern const char *const oci_seccomp_flags[];
extern const char *const oci_hook_kinds[]; /* prestart createRuntime ... poststop */

OCI_DECLARE_JSON_WRAPPERS (oci_spec, struct oci_spec);
OCI_DECLARE_JSON_WRAPPERS (oci_process, struct oci_process);
OCI_DECLARE_JSON_WRAPPERS (oci_resources, struct oci_resources);
OCI_DECLARE_JSON_WRAPPERS (oci_state, struct oci_state);
OCI_DECLARE_JSON_WRAPPERS (oci_features, struct oci_features);

/* Accessors that tolerate absent sections.  */
const struct oci_namespace *oci_spec_find_namespace (const struct oci_spec *spec, const char *type);

#endif
