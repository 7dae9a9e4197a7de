/* OCI runtime-spec v1.2: field tables for config.json, state.json and
   features.json, the known value sets and the semantic checks the JSON
   engine cannot express as table flags.  See runtime_spec.h.  */
#include "config.h"
#include "runtime_spec.h"

#include <errno.h>

#define REQ OCI_JSON_REQUIRED

/* --- known value sets --- */

const char *const oci_namespace_types[]
    = { "pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time", NULL };

const char *const oci_rlimit_types[] = {
  "RLIMIT_AS",      "RLIMIT_CORE",     "RLIMIT_CPU",        "RLIMIT_DATA",   "RLIMIT_FSIZE", "RLIMIT_LOCKS",
  "RLIMIT_MEMLOCK", "RLIMIT_MSGQUEUE", "RLIMIT_NICE",       "RLIMIT_NOFILE", "RLIMIT_NPROC", "RLIMIT_RSS",
  "RLIMIT_RTPRIO",  "RLIMIT_RTTIME",   "RLIMIT_SIGPENDING", "RLIMIT_STACK",  NULL,
};

const char *const oci_seccomp_actions[] = {
  "SCMP_ACT_KILL",  "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",   "SCMP_ACT_ERRNO",
  "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW",        "SCMP_ACT_LOG",         "SCMP_ACT_NOTIFY", NULL,
};

const char *const oci_seccomp_operators[] = {
  "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",        "SCMP_CMP_EQ",
  "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ", NULL,
};

const char *const oci_seccomp_archs[] = {
  "SCMP_ARCH_X86",     "SCMP_ARCH_X86_64",   "SCMP_ARCH_X32",         "SCMP_ARCH_ARM",
  "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS",     "SCMP_ARCH_MIPS64",      "SCMP_ARCH_MIPS64N32",
  "SCMP_ARCH_MIPSEL",  "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
  "SCMP_ARCH_PPC64",   "SCMP_ARCH_PPC64LE",  "SCMP_ARCH_S390",        "SCMP_ARCH_S390X",
  "SCMP_ARCH_PARISC",  "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64",     NULL,
};

const char *const oci_seccomp_flags[] = {
  "SECCOMP_FILTER_FLAG_TSYNC",
  "SECCOMP_FILTER_FLAG_LOG",
  "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
  "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
  NULL,
};

const char *const oci_hook_kinds[] = {
  "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop", NULL,
};

static const char *const device_types[] = { "c", "b", "u", "p", NULL };
static const char *const device_cgroup_types[] = { "a", "c", "b", NULL };
static const char *const propagations[] = {
  "shared", "slave", "private", "unbindable", "rshared", "rslave", "rprivate", "runbindable", NULL,
};
static const char *const ioprio_classes[]
    = { "IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE", NULL };
static const char *const sched_policies[] = {
  "SCHED_OTHER", "SCHED_FIFO", "SCHED_RR", "SCHED_BATCH", "SCHED_ISO", "SCHED_IDLE", "SCHED_DEADLINE", NULL,
};
static const char *const personality_domains[] = { "LINUX", "LINUX32", NULL };
static const char *const state_statuses[] = { "creating", "created", "running", "stopped", "paused", NULL };

/* --- semantic checks --- */

static int
check_absolute (struct oci_json_ctx *ctx, const char *field, const char *path)
{
  if (path && path[0] != '/')
    return oci_json_fail (ctx, field, "must be an absolute path, got \"%s\"", path);
  return 0;
}

static int
check_mount (const void *obj, struct oci_json_ctx *ctx)
{
  const struct oci_mount *m = obj;
  return check_absolute (ctx, "destination", m->destination);
}

static int
check_process (const void *obj, struct oci_json_ctx *ctx)
{
  const struct oci_process *p = obj;
  return check_absolute (ctx, "cwd", p->cwd);
}

static int
check_hook (const void *obj, struct oci_json_ctx *ctx)
{
  const struct oci_hook *h = obj;
  if (h->timeout_present && h->timeout <= 0)
    return oci_json_fail (ctx, "timeout", "must be greater than 0, got %d", (int) h->timeout);
  return 0;
}

static int
check_device (const void *obj, struct oci_json_ctx *ctx)
{
  const struct oci_device *d = obj;
  bool needs_numbers = streq (d->type, "c") || streq (d->type, "b") || streq (d->type, "u");

  if (check_absolute (ctx, "path", d->path) < 0)
    return -1;
  if (needs_numbers && !d->major_present)
    return oci_json_fail (ctx, "major", "required for device type \"%s\"", d->type);
  if (needs_numbers && !d->minor_present)
    return oci_json_fail (ctx, "minor", "required for device type \"%s\"", d->type);
  return 0;
}

static int
check_device_cgroup (const void *obj, struct oci_json_ctx *ctx)
{
  const struct oci_device_cgroup *d = obj;

  if (d->access && strspn (d->access, "rwm") != strlen (d->access))
    return oci_json_fail (ctx, "access", "invalid access \"%s\": only r, w and m are allowed", d->access);
  return 0;
}

static int
check_linux (const void *obj, struct oci_json_ctx *ctx)
{
  const struct oci_linux *l = obj;

  for (size_t i = 0; i < l->namespaces_len; i++)
    for (size_t j = 0; j < i; j++)
      if (streq (l->namespaces[i].type, l->namespaces[j].type))
        {
          char where[64];
          snprintf (where, sizeof where, "namespaces[%zu]", i);
          return oci_json_fail (ctx, where, "duplicate namespace \"%s\"", l->namespaces[i].type);
        }
  return 0;
}

/* --- config.json tables --- */

static const struct oci_json_field root_fields[] = {
  OCI_F_STRING (struct oci_root, "path", path, REQ),
  OCI_F_BOOL (struct oci_root, "readonly", readonly, 0),
};
static OCI_JSON_DEFINE_TYPE (root_type, struct oci_root, root_fields, NULL);

static const struct oci_json_field id_mapping_fields[] = {
  OCI_F_U32 (struct oci_id_mapping, "containerID", container_id, REQ),
  OCI_F_U32 (struct oci_id_mapping, "hostID", host_id, REQ),
  OCI_F_U32 (struct oci_id_mapping, "size", size, REQ),
};
static OCI_JSON_DEFINE_TYPE (id_mapping_type, struct oci_id_mapping, id_mapping_fields, NULL);

static const struct oci_json_field mount_fields[] = {
  OCI_F_STRING (struct oci_mount, "destination", destination, REQ),
  OCI_F_STRING (struct oci_mount, "type", type, 0),
  OCI_F_STRING (struct oci_mount, "source", source, 0),
  OCI_F_STRV (struct oci_mount, "options", options, 0),
  OCI_F_ARRAY (struct oci_mount, "uidMappings", uid_mappings, id_mapping_type, 0),
  OCI_F_ARRAY (struct oci_mount, "gidMappings", gid_mappings, id_mapping_type, 0),
};
static OCI_JSON_DEFINE_TYPE (mount_type, struct oci_mount, mount_fields, check_mount);

static const struct oci_json_field box_fields[] = {
  OCI_F_U32 (struct oci_box, "height", height, REQ),
  OCI_F_U32 (struct oci_box, "width", width, REQ),
};
static OCI_JSON_DEFINE_TYPE (box_type, struct oci_box, box_fields, NULL);

static const struct oci_json_field user_fields[] = {
  OCI_F_U32 (struct oci_user, "uid", uid, REQ),
  OCI_F_U32 (struct oci_user, "gid", gid, REQ),
  OCI_F_U32 (struct oci_user, "umask", umask, 0),
  OCI_F_U32V (struct oci_user, "additionalGids", additional_gids, 0),
};
static OCI_JSON_DEFINE_TYPE (user_type, struct oci_user, user_fields, NULL);

static const struct oci_json_field capabilities_fields[] = {
  OCI_F_STRV (struct oci_capabilities, "bounding", bounding, 0),
  OCI_F_STRV (struct oci_capabilities, "effective", effective, 0),
  OCI_F_STRV (struct oci_capabilities, "inheritable", inheritable, 0),
  OCI_F_STRV (struct oci_capabilities, "permitted", permitted, 0),
  OCI_F_STRV (struct oci_capabilities, "ambient", ambient, 0),
};
static OCI_JSON_DEFINE_TYPE (capabilities_type, struct oci_capabilities, capabilities_fields, NULL);

static const struct oci_json_field rlimit_fields[] = {
  OCI_F_ENUM (struct oci_rlimit, "type", type, oci_rlimit_types, "rlimit", REQ),
  OCI_F_U64 (struct oci_rlimit, "hard", hard, REQ),
  OCI_F_U64 (struct oci_rlimit, "soft", soft, REQ),
};
static OCI_JSON_DEFINE_TYPE (rlimit_type, struct oci_rlimit, rlimit_fields, NULL);

static const struct oci_json_field io_priority_fields[] = {
  OCI_F_ENUM (struct oci_io_priority, "class", class, ioprio_classes, "I/O priority class", REQ),
  OCI_F_I32 (struct oci_io_priority, "priority", priority, 0),
};
static OCI_JSON_DEFINE_TYPE (io_priority_type, struct oci_io_priority, io_priority_fields, NULL);

static const struct oci_json_field scheduler_fields[] = {
  OCI_F_ENUM (struct oci_scheduler, "policy", policy, sched_policies, "scheduler policy", REQ),
  OCI_F_I32 (struct oci_scheduler, "nice", nice, 0),
  OCI_F_I32 (struct oci_scheduler, "priority", priority, 0),
  OCI_F_STRV (struct oci_scheduler, "flags", flags, 0),
  OCI_F_U64 (struct oci_scheduler, "runtime", runtime, 0),
  OCI_F_U64 (struct oci_scheduler, "deadline", deadline, 0),
  OCI_F_U64 (struct oci_scheduler, "period", period, 0),
};
static OCI_JSON_DEFINE_TYPE (scheduler_type, struct oci_scheduler, scheduler_fields, NULL);

static const struct oci_json_field cpu_affinity_fields[] = {
  OCI_F_STRING (struct oci_cpu_affinity, "initial", initial, 0),
  OCI_F_STRING (struct oci_cpu_affinity, "final", final, 0),
};
static OCI_JSON_DEFINE_TYPE (cpu_affinity_type, struct oci_cpu_affinity, cpu_affinity_fields, NULL);

static const struct oci_json_field process_fields[] = {
  OCI_F_BOOL (struct oci_process, "terminal", terminal, 0),
  OCI_F_OBJECT (struct oci_process, "consoleSize", console_size, box_type, 0),
  OCI_F_OBJECT (struct oci_process, "user", user, user_type, REQ),
  OCI_F_STRV (struct oci_process, "args", args, 0),
  OCI_F_STRV (struct oci_process, "env", env, 0),
  OCI_F_STRING (struct oci_process, "cwd", cwd, REQ),
  OCI_F_OBJECT (struct oci_process, "capabilities", capabilities, capabilities_type, 0),
  OCI_F_ARRAY (struct oci_process, "rlimits", rlimits, rlimit_type, 0),
  OCI_F_BOOL (struct oci_process, "noNewPrivileges", no_new_privileges, 0),
  OCI_F_STRING (struct oci_process, "apparmorProfile", apparmor_profile, 0),
  OCI_F_I32 (struct oci_process, "oomScoreAdj", oom_score_adj, 0),
  OCI_F_OBJECT (struct oci_process, "scheduler", scheduler, scheduler_type, 0),
  OCI_F_STRING (struct oci_process, "selinuxLabel", selinux_label, 0),
  OCI_F_OBJECT (struct oci_process, "ioPriority", io_priority, io_priority_type, 0),
  OCI_F_OBJECT (struct oci_process, "execCPUAffinity", exec_cpu_affinity, cpu_affinity_type, 0),
};
OCI_JSON_DEFINE_TYPE (oci_process_type, struct oci_process, process_fields, check_process);

static const struct oci_json_field hook_fields[] = {
  OCI_F_STRING (struct oci_hook, "path", path, REQ),
  OCI_F_STRV (struct oci_hook, "args", args, 0),
  OCI_F_STRV (struct oci_hook, "env", env, 0),
  OCI_F_I32 (struct oci_hook, "timeout", timeout, 0),
};
static OCI_JSON_DEFINE_TYPE (hook_type, struct oci_hook, hook_fields, check_hook);

static const struct oci_json_field hooks_fields[] = {
  OCI_F_ARRAY (struct oci_hooks, "prestart", prestart, hook_type, 0),
  OCI_F_ARRAY (struct oci_hooks, "createRuntime", create_runtime, hook_type, 0),
  OCI_F_ARRAY (struct oci_hooks, "createContainer", create_container, hook_type, 0),
  OCI_F_ARRAY (struct oci_hooks, "startContainer", start_container, hook_type, 0),
  OCI_F_ARRAY (struct oci_hooks, "poststart", poststart, hook_type, 0),
  OCI_F_ARRAY (struct oci_hooks, "poststop", poststop, hook_type, 0),
};
static OCI_JSON_DEFINE_TYPE (hooks_type, struct oci_hooks, hooks_fields, NULL);

static const struct oci_json_field namespace_fields[] = {
  OCI_F_ENUM (struct oci_namespace, "type", type, oci_namespace_types, "namespace", REQ),
  OCI_F_STRING (struct oci_namespace, "path", path, 0),
};
static OCI_JSON_DEFINE_TYPE (namespace_type, struct oci_namespace, namespace_fields, NULL);

static const struct oci_json_field time_offset_fields[] = {
  OCI_F_I64 (struct oci_time_offset, "secs", secs, 0),
  OCI_F_U32 (struct oci_time_offset, "nanosecs", nanosecs, 0),
};
static OCI_JSON_DEFINE_TYPE (time_offset_type, struct oci_time_offset, time_offset_fields, NULL);

static const struct oci_json_field time_offsets_fields[] = {
  OCI_F_OBJECT (struct oci_time_offsets, "monotonic", monotonic, time_offset_type, 0),
  OCI_F_OBJECT (struct oci_time_offsets, "boottime", boottime, time_offset_type, 0),
};
static OCI_JSON_DEFINE_TYPE (time_offsets_type, struct oci_time_offsets, time_offsets_fields, NULL);

static const struct oci_json_field device_fields[] = {
  OCI_F_ENUM (struct oci_device, "type", type, device_types, "device type", REQ),
  OCI_F_STRING (struct oci_device, "path", path, REQ),
  OCI_F_I64 (struct oci_device, "major", major, 0),
  OCI_F_I64 (struct oci_device, "minor", minor, 0),
  OCI_F_U32 (struct oci_device, "fileMode", file_mode, 0),
  OCI_F_U32 (struct oci_device, "uid", uid, 0),
  OCI_F_U32 (struct oci_device, "gid", gid, 0),
};
static OCI_JSON_DEFINE_TYPE (device_type, struct oci_device, device_fields, check_device);

static const struct oci_json_field device_cgroup_fields[] = {
  OCI_F_BOOL (struct oci_device_cgroup, "allow", allow, REQ),
  OCI_F_ENUM (struct oci_device_cgroup, "type", type, device_cgroup_types, "device type", 0),
  OCI_F_I64 (struct oci_device_cgroup, "major", major, 0),
  OCI_F_I64 (struct oci_device_cgroup, "minor", minor, 0),
  OCI_F_STRING (struct oci_device_cgroup, "access", access, 0),
};
static OCI_JSON_DEFINE_TYPE (device_cgroup_type, struct oci_device_cgroup, device_cgroup_fields,
                             check_device_cgroup);

static const struct oci_json_field memory_fields[] = {
  OCI_F_I64 (struct oci_memory, "limit", limit, 0),
  OCI_F_I64 (struct oci_memory, "reservation", reservation, 0),
  OCI_F_I64 (struct oci_memory, "swap", swap, 0),
  OCI_F_I64 (struct oci_memory, "kernel", kernel, 0),
  OCI_F_I64 (struct oci_memory, "kernelTCP", kernel_tcp, 0),
  OCI_F_U64 (struct oci_memory, "swappiness", swappiness, 0),
  OCI_F_BOOL (struct oci_memory, "disableOOMKiller", disable_oom_killer, 0),
  OCI_F_BOOL (struct oci_memory, "useHierarchy", use_hierarchy, 0),
  OCI_F_BOOL (struct oci_memory, "checkBeforeUpdate", check_before_update, 0),
};
static OCI_JSON_DEFINE_TYPE (memory_type, struct oci_memory, memory_fields, NULL);

static const struct oci_json_field cpu_fields[] = {
  OCI_F_U64 (struct oci_cpu, "shares", shares, 0),
  OCI_F_I64 (struct oci_cpu, "quota", quota, 0),
  OCI_F_U64 (struct oci_cpu, "burst", burst, 0),
  OCI_F_U64 (struct oci_cpu, "period", period, 0),
  OCI_F_I64 (struct oci_cpu, "realtimeRuntime", realtime_runtime, 0),
  OCI_F_U64 (struct oci_cpu, "realtimePeriod", realtime_period, 0),
  OCI_F_STRING (struct oci_cpu, "cpus", cpus, 0),
  OCI_F_STRING (struct oci_cpu, "mems", mems, 0),
  OCI_F_I64 (struct oci_cpu, "idle", idle, 0),
};
static OCI_JSON_DEFINE_TYPE (cpu_type, struct oci_cpu, cpu_fields, NULL);

static const struct oci_json_field pids_fields[] = {
  OCI_F_I64 (struct oci_pids, "limit", limit, REQ),
};
static OCI_JSON_DEFINE_TYPE (pids_type, struct oci_pids, pids_fields, NULL);

static const struct oci_json_field weight_device_fields[] = {
  OCI_F_I64 (struct oci_weight_device, "major", major, REQ),
  OCI_F_I64 (struct oci_weight_device, "minor", minor, REQ),
  OCI_F_U16 (struct oci_weight_device, "weight", weight, 0),
  OCI_F_U16 (struct oci_weight_device, "leafWeight", leaf_weight, 0),
};
static OCI_JSON_DEFINE_TYPE (weight_device_type, struct oci_weight_device, weight_device_fields, NULL);

static const struct oci_json_field throttle_device_fields[] = {
  OCI_F_I64 (struct oci_throttle_device, "major", major, REQ),
  OCI_F_I64 (struct oci_throttle_device, "minor", minor, REQ),
  OCI_F_U64 (struct oci_throttle_device, "rate", rate, REQ),
};
static OCI_JSON_DEFINE_TYPE (throttle_device_type, struct oci_throttle_device, throttle_device_fields, NULL);

static const struct oci_json_field block_io_fields[] = {
  OCI_F_U16 (struct oci_block_io, "weight", weight, 0),
  OCI_F_U16 (struct oci_block_io, "leafWeight", leaf_weight, 0),
  OCI_F_ARRAY (struct oci_block_io, "weightDevice", weight_device, weight_device_type, 0),
  OCI_F_ARRAY (struct oci_block_io, "throttleReadBpsDevice", throttle_read_bps_device, throttle_device_type,
               0),
  OCI_F_ARRAY (struct oci_block_io, "throttleWriteBpsDevice", throttle_write_bps_device, throttle_device_type,
               0),
  OCI_F_ARRAY (struct oci_block_io, "throttleReadIOPSDevice", throttle_read_iops_device, throttle_device_type,
               0),
  OCI_F_ARRAY (struct oci_block_io, "throttleWriteIOPSDevice", throttle_write_iops_device,
               throttle_device_type, 0),
};
static OCI_JSON_DEFINE_TYPE (block_io_type, struct oci_block_io, block_io_fields, NULL);

static const struct oci_json_field hugepage_limit_fields[] = {
  OCI_F_STRING (struct oci_hugepage_limit, "pageSize", page_size, REQ | OCI_JSON_NONEMPTY),
  OCI_F_U64 (struct oci_hugepage_limit, "limit", limit, REQ),
};
static OCI_JSON_DEFINE_TYPE (hugepage_limit_type, struct oci_hugepage_limit, hugepage_limit_fields, NULL);

static const struct oci_json_field interface_priority_fields[] = {
  OCI_F_STRING (struct oci_interface_priority, "name", name, REQ),
  OCI_F_U32 (struct oci_interface_priority, "priority", priority, REQ),
};
static OCI_JSON_DEFINE_TYPE (interface_priority_type, struct oci_interface_priority,
                             interface_priority_fields, NULL);

static const struct oci_json_field network_fields[] = {
  OCI_F_U32 (struct oci_network, "classID", class_id, 0),
  OCI_F_ARRAY (struct oci_network, "priorities", priorities, interface_priority_type, 0),
};
static OCI_JSON_DEFINE_TYPE (network_type, struct oci_network, network_fields, NULL);

static const struct oci_json_field rdma_fields[] = {
  OCI_F_MAPKEY (struct oci_rdma, device),
  OCI_F_U32 (struct oci_rdma, "hcaHandles", hca_handles, 0),
  OCI_F_U32 (struct oci_rdma, "hcaObjects", hca_objects, 0),
};
static OCI_JSON_DEFINE_TYPE (rdma_type, struct oci_rdma, rdma_fields, NULL);

static const struct oci_json_field resources_fields[] = {
  OCI_F_ARRAY (struct oci_resources, "devices", devices, device_cgroup_type, 0),
  OCI_F_OBJECT (struct oci_resources, "memory", memory, memory_type, 0),
  OCI_F_OBJECT (struct oci_resources, "cpu", cpu, cpu_type, 0),
  OCI_F_OBJECT (struct oci_resources, "pids", pids, pids_type, 0),
  OCI_F_OBJECT (struct oci_resources, "blockIO", block_io, block_io_type, 0),
  OCI_F_ARRAY (struct oci_resources, "hugepageLimits", hugepage_limits, hugepage_limit_type, 0),
  OCI_F_OBJECT (struct oci_resources, "network", network, network_type, 0),
  OCI_F_OBJMAP (struct oci_resources, "rdma", rdma, rdma_type, 0),
  OCI_F_STRMAP (struct oci_resources, "unified", unified, 0),
};
OCI_JSON_DEFINE_TYPE (oci_resources_type, struct oci_resources, resources_fields, NULL);

static const struct oci_json_field seccomp_arg_fields[] = {
  OCI_F_U32 (struct oci_seccomp_arg, "index", index, REQ),
  OCI_F_U64 (struct oci_seccomp_arg, "value", value, REQ),
  OCI_F_U64 (struct oci_seccomp_arg, "valueTwo", value_two, 0),
  OCI_F_ENUM (struct oci_seccomp_arg, "op", op, oci_seccomp_operators, "seccomp operator", REQ),
};
static OCI_JSON_DEFINE_TYPE (seccomp_arg_type, struct oci_seccomp_arg, seccomp_arg_fields, NULL);

static const struct oci_json_field seccomp_syscall_fields[] = {
  OCI_F_STRV (struct oci_seccomp_syscall, "names", names, REQ),
  OCI_F_ENUM (struct oci_seccomp_syscall, "action", action, oci_seccomp_actions, "seccomp action", REQ),
  OCI_F_U32 (struct oci_seccomp_syscall, "errnoRet", errno_ret, 0),
  OCI_F_ARRAY (struct oci_seccomp_syscall, "args", args, seccomp_arg_type, 0),
};
static OCI_JSON_DEFINE_TYPE (seccomp_syscall_type, struct oci_seccomp_syscall, seccomp_syscall_fields, NULL);

static const struct oci_json_field seccomp_fields[] = {
  OCI_F_ENUM (struct oci_seccomp, "defaultAction", default_action, oci_seccomp_actions, "seccomp action",
              REQ),
  OCI_F_U32 (struct oci_seccomp, "defaultErrnoRet", default_errno_ret, 0),
  OCI_F_ENUMV (struct oci_seccomp, "architectures", architectures, oci_seccomp_archs, "seccomp architecture",
               0),
  OCI_F_ENUMV (struct oci_seccomp, "flags", flags, oci_seccomp_flags, "seccomp flag", 0),
  OCI_F_STRING (struct oci_seccomp, "listenerPath", listener_path, 0),
  OCI_F_STRING (struct oci_seccomp, "listenerMetadata", listener_metadata, 0),
  OCI_F_ARRAY (struct oci_seccomp, "syscalls", syscalls, seccomp_syscall_type, 0),
};
static OCI_JSON_DEFINE_TYPE (seccomp_type, struct oci_seccomp, seccomp_fields, NULL);

static const struct oci_json_field intel_rdt_fields[] = {
  OCI_F_STRING (struct oci_intel_rdt, "closID", clos_id, 0),
  OCI_F_STRING (struct oci_intel_rdt, "l3CacheSchema", l3_cache_schema, 0),
  OCI_F_STRING (struct oci_intel_rdt, "memBwSchema", mem_bw_schema, 0),
  OCI_F_STRV (struct oci_intel_rdt, "schemata", schemata, 0),
  OCI_F_BOOL (struct oci_intel_rdt, "enableMonitoring", enable_monitoring, 0),
  OCI_F_BOOL (struct oci_intel_rdt, "enableCMT", enable_cmt, 0),
  OCI_F_BOOL (struct oci_intel_rdt, "enableMBM", enable_mbm, 0),
};
static OCI_JSON_DEFINE_TYPE (intel_rdt_type, struct oci_intel_rdt, intel_rdt_fields, NULL);

static const struct oci_json_field personality_fields[] = {
  OCI_F_ENUM (struct oci_personality, "domain", domain, personality_domains, "personality domain", REQ),
  OCI_F_STRV (struct oci_personality, "flags", flags, 0),
};
static OCI_JSON_DEFINE_TYPE (personality_type, struct oci_personality, personality_fields, NULL);

static const struct oci_json_field net_device_fields[] = {
  OCI_F_MAPKEY (struct oci_net_device, host_name),
  OCI_F_STRING (struct oci_net_device, "name", name, 0),
};
static OCI_JSON_DEFINE_TYPE (net_device_type, struct oci_net_device, net_device_fields, NULL);

static const struct oci_json_field linux_fields[] = {
  OCI_F_ARRAY (struct oci_linux, "uidMappings", uid_mappings, id_mapping_type, 0),
  OCI_F_ARRAY (struct oci_linux, "gidMappings", gid_mappings, id_mapping_type, 0),
  OCI_F_STRMAP (struct oci_linux, "sysctl", sysctl, 0),
  OCI_F_OBJECT (struct oci_linux, "resources", resources, oci_resources_type, 0),
  OCI_F_STRING (struct oci_linux, "cgroupsPath", cgroups_path, 0),
  OCI_F_ARRAY (struct oci_linux, "namespaces", namespaces, namespace_type, 0),
  OCI_F_ARRAY (struct oci_linux, "devices", devices, device_type, 0),
  OCI_F_OBJECT (struct oci_linux, "seccomp", seccomp, seccomp_type, 0),
  OCI_F_ENUM (struct oci_linux, "rootfsPropagation", rootfs_propagation, propagations, "rootfs propagation",
              0),
  OCI_F_STRV (struct oci_linux, "maskedPaths", masked_paths, 0),
  OCI_F_STRV (struct oci_linux, "readonlyPaths", readonly_paths, 0),
  OCI_F_STRING (struct oci_linux, "mountLabel", mount_label, 0),
  OCI_F_OBJECT (struct oci_linux, "intelRdt", intel_rdt, intel_rdt_type, 0),
  OCI_F_OBJECT (struct oci_linux, "personality", personality, personality_type, 0),
  OCI_F_OBJECT (struct oci_linux, "timeOffsets", time_offsets, time_offsets_type, 0),
  OCI_F_OBJMAP (struct oci_linux, "netDevices", net_devices, net_device_type, 0),
};
static OCI_JSON_DEFINE_TYPE (linux_type, struct oci_linux, linux_fields, check_linux);

static const struct oci_json_field spec_fields[] = {
  OCI_F_STRING (struct oci_spec, "ociVersion", oci_version, REQ),
  OCI_F_OBJECT (struct oci_spec, "process", process, oci_process_type, 0),
  OCI_F_OBJECT (struct oci_spec, "root", root, root_type, 0),
  OCI_F_STRING (struct oci_spec, "hostname", hostname, 0),
  OCI_F_STRING (struct oci_spec, "domainname", domainname, 0),
  OCI_F_ARRAY (struct oci_spec, "mounts", mounts, mount_type, 0),
  OCI_F_OBJECT (struct oci_spec, "hooks", hooks, hooks_type, 0),
  OCI_F_STRMAP (struct oci_spec, "annotations", annotations, 0),
  OCI_F_OBJECT (struct oci_spec, "linux", linux, linux_type, 0),
};
OCI_JSON_DEFINE_TYPE (oci_spec_type, struct oci_spec, spec_fields, NULL);

/* --- state.json --- */

static const struct oci_json_field state_fields[] = {
  OCI_F_STRING (struct oci_state, "ociVersion", oci_version, REQ),
  OCI_F_STRING (struct oci_state, "id", id, REQ),
  OCI_F_ENUM (struct oci_state, "status", status, state_statuses, "status", REQ),
  OCI_F_I32 (struct oci_state, "pid", pid, 0),
  OCI_F_STRING (struct oci_state, "bundle", bundle, 0),
  OCI_F_STRMAP (struct oci_state, "annotations", annotations, 0),
};
OCI_JSON_DEFINE_TYPE (oci_state_type, struct oci_state, state_fields, NULL);

/* --- features.json --- */

/* Value lists in features are what some runtime recognises, possibly more
   than we do, so they are plain string arrays, never enums.  */

static const struct oci_json_field feature_enabled_fields[] = {
  OCI_F_BOOL (struct oci_feature_enabled, "enabled", enabled, 0),
};
static OCI_JSON_DEFINE_TYPE (feature_enabled_type, struct oci_feature_enabled, feature_enabled_fields, NULL);

static const struct oci_json_field features_cgroup_fields[] = {
  OCI_F_BOOL (struct oci_features_cgroup, "v1", v1, 0),
  OCI_F_BOOL (struct oci_features_cgroup, "v2", v2, 0),
  OCI_F_BOOL (struct oci_features_cgroup, "systemd", systemd, 0),
  OCI_F_BOOL (struct oci_features_cgroup, "systemdUser", systemd_user, 0),
  OCI_F_BOOL (struct oci_features_cgroup, "rdma", rdma, 0),
};
static OCI_JSON_DEFINE_TYPE (features_cgroup_type, struct oci_features_cgroup, features_cgroup_fields, NULL);

static const struct oci_json_field features_seccomp_fields[] = {
  OCI_F_BOOL (struct oci_features_seccomp, "enabled", enabled, 0),
  OCI_F_STRV (struct oci_features_seccomp, "actions", actions, 0),
  OCI_F_STRV (struct oci_features_seccomp, "operators", operators, 0),
  OCI_F_STRV (struct oci_features_seccomp, "archs", archs, 0),
  OCI_F_STRV (struct oci_features_seccomp, "knownFlags", known_flags, 0),
  OCI_F_STRV (struct oci_features_seccomp, "supportedFlags", supported_flags, 0),
};
static OCI_JSON_DEFINE_TYPE (features_seccomp_type, struct oci_features_seccomp, features_seccomp_fields,
                             NULL);

static const struct oci_json_field features_mount_extensions_fields[] = {
  OCI_F_OBJECT (struct oci_features_mount_extensions, "idmap", idmap, feature_enabled_type, 0),
};
static OCI_JSON_DEFINE_TYPE (features_mount_extensions_type, struct oci_features_mount_extensions,
                             features_mount_extensions_fields, NULL);

static const struct oci_json_field features_linux_fields[] = {
  OCI_F_STRV (struct oci_features_linux, "namespaces", namespaces, 0),
  OCI_F_STRV (struct oci_features_linux, "capabilities", capabilities, 0),
  OCI_F_OBJECT (struct oci_features_linux, "cgroup", cgroup, features_cgroup_type, 0),
  OCI_F_OBJECT (struct oci_features_linux, "seccomp", seccomp, features_seccomp_type, 0),
  OCI_F_OBJECT (struct oci_features_linux, "apparmor", apparmor, feature_enabled_type, 0),
  OCI_F_OBJECT (struct oci_features_linux, "selinux", selinux, feature_enabled_type, 0),
  OCI_F_OBJECT (struct oci_features_linux, "intelRdt", intel_rdt, feature_enabled_type, 0),
  OCI_F_OBJECT (struct oci_features_linux, "mountExtensions", mount_extensions,
                features_mount_extensions_type, 0),
  OCI_F_OBJECT (struct oci_features_linux, "netDevices", net_devices, feature_enabled_type, 0),
};
static OCI_JSON_DEFINE_TYPE (features_linux_type, struct oci_features_linux, features_linux_fields, NULL);

static const struct oci_json_field features_fields[] = {
  OCI_F_STRING (struct oci_features, "ociVersionMin", oci_version_min, REQ),
  OCI_F_STRING (struct oci_features, "ociVersionMax", oci_version_max, REQ),
  OCI_F_STRV (struct oci_features, "hooks", hooks, 0),
  OCI_F_STRV (struct oci_features, "mountOptions", mount_options, 0),
  OCI_F_OBJECT (struct oci_features, "linux", linux, features_linux_type, 0),
  OCI_F_STRMAP (struct oci_features, "annotations", annotations, 0),
  OCI_F_STRV (struct oci_features, "potentiallyUnsafeConfigAnnotations",
              potentially_unsafe_config_annotations, 0),
};
OCI_JSON_DEFINE_TYPE (oci_features_type, struct oci_features, features_fields, NULL);

/* --- typed wrappers and accessors --- */

OCI_DEFINE_JSON_WRAPPERS (oci_spec, struct oci_spec, oci_spec_type)
OCI_DEFINE_JSON_WRAPPERS (oci_process, struct oci_process, oci_process_type)
OCI_DEFINE_JSON_WRAPPERS (oci_resources, struct oci_resources, oci_resources_type)
OCI_DEFINE_JSON_WRAPPERS (oci_state, struct oci_state, oci_state_type)
OCI_DEFINE_JSON_WRAPPERS (oci_features, struct oci_features, oci_features_type)

const struct oci_namespace *
oci_spec_find_namespace (const struct oci_spec *spec, const char *type)
{
  if (spec == NULL || spec->linux == NULL || type == NULL)
    return NULL;
  for (size_t i = 0; i < spec->linux->namespaces_len; i++)
    if (spec->linux->namespaces[i].type && streq (spec->linux->namespaces[i].type, type))
      return &spec->linux->namespaces[i];
  return NULL;
}
