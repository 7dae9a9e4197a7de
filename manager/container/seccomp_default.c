/* berth's default seccomp profile and the loader of profile files.

   The default is an allowlist with docker's semantics: every system call
   not listed fails with EPERM.  Calls that can escape or reconfigure the
   container (mount, unshare, setns, pivot_root, module loading, clock
   setting, ...) are allowed only when the process holds the capability
   that the kernel would check anyway, so --cap-add SYS_ADMIN gives back
   mount and unshare.  clone is allowed without namespace flags, clone3
   fails with ENOSYS (its flags live in memory seccomp cannot inspect) so
   that libc falls back to clone.  keyctl, add_key and request_key are not
   listed: the kernel keyring is not namespaced; nor is io_uring (its
   operations bypass the filter), as in docker since 25.0.  */
#include "config.h"
#include "spec.h"

#include <errno.h>
#include <stdio.h>
#include <sys/utsname.h>

#include "fileutil.h"
#include "util.h"

#define SECCOMP_PROFILE_MAX (4u * 1024 * 1024)

/* Allowed for everyone, without conditions.  Names unknown to the
   kernel or libseccomp of the host are skipped by the runtime.  */
static const char *const allowed_always[] = {
  "accept",
  "accept4",
  "access",
  "adjtimex",
  "alarm",
  "bind",
  "brk",
  "cachestat",
  "capget",
  "capset",
  "chdir",
  "chmod",
  "chown",
  "chown32",
  "clock_adjtime",
  "clock_adjtime64",
  "clock_getres",
  "clock_getres_time64",
  "clock_gettime",
  "clock_gettime64",
  "clock_nanosleep",
  "clock_nanosleep_time64",
  "close",
  "close_range",
  "connect",
  "copy_file_range",
  "creat",
  "dup",
  "dup2",
  "dup3",
  "epoll_create",
  "epoll_create1",
  "epoll_ctl",
  "epoll_ctl_old",
  "epoll_pwait",
  "epoll_pwait2",
  "epoll_wait",
  "epoll_wait_old",
  "eventfd",
  "eventfd2",
  "execve",
  "execveat",
  "exit",
  "exit_group",
  "faccessat",
  "faccessat2",
  "fadvise64",
  "fadvise64_64",
  "fallocate",
  "fanotify_mark",
  "fchdir",
  "fchmod",
  "fchmodat",
  "fchmodat2",
  "fchown",
  "fchown32",
  "fchownat",
  "fcntl",
  "fcntl64",
  "fdatasync",
  "fgetxattr",
  "flistxattr",
  "flock",
  "fork",
  "fremovexattr",
  "fsetxattr",
  "fstat",
  "fstat64",
  "fstatat64",
  "fstatfs",
  "fstatfs64",
  "fsync",
  "ftruncate",
  "ftruncate64",
  "futex",
  "futex_requeue",
  "futex_time64",
  "futex_wait",
  "futex_waitv",
  "futex_wake",
  "futimesat",
  "getcpu",
  "getcwd",
  "getdents",
  "getdents64",
  "getegid",
  "getegid32",
  "geteuid",
  "geteuid32",
  "getgid",
  "getgid32",
  "getgroups",
  "getgroups32",
  "getitimer",
  "getpeername",
  "getpgid",
  "getpgrp",
  "getpid",
  "getppid",
  "getpriority",
  "getrandom",
  "getresgid",
  "getresgid32",
  "getresuid",
  "getresuid32",
  "getrlimit",
  "get_robust_list",
  "getrusage",
  "getsid",
  "getsockname",
  "getsockopt",
  "get_thread_area",
  "gettid",
  "gettimeofday",
  "getuid",
  "getuid32",
  "getxattr",
  "inotify_add_watch",
  "inotify_init",
  "inotify_init1",
  "inotify_rm_watch",
  "io_cancel",
  "ioctl",
  "io_destroy",
  "io_getevents",
  "io_pgetevents",
  "io_pgetevents_time64",
  "ioprio_get",
  "ioprio_set",
  "io_setup",
  "io_submit",
  "ipc",
  "kill",
  "landlock_add_rule",
  "landlock_create_ruleset",
  "landlock_restrict_self",
  "lchown",
  "lchown32",
  "lgetxattr",
  "link",
  "linkat",
  "listen",
  "listxattr",
  "llistxattr",
  "_llseek",
  "lremovexattr",
  "lseek",
  "lsetxattr",
  "lstat",
  "lstat64",
  "madvise",
  "map_shadow_stack",
  "membarrier",
  "memfd_create",
  "memfd_secret",
  "mincore",
  "mkdir",
  "mkdirat",
  "mknod",
  "mknodat",
  "mlock",
  "mlock2",
  "mlockall",
  "mmap",
  "mmap2",
  "mprotect",
  "mq_getsetattr",
  "mq_notify",
  "mq_open",
  "mq_timedreceive",
  "mq_timedreceive_time64",
  "mq_timedsend",
  "mq_timedsend_time64",
  "mq_unlink",
  "mremap",
  "msgctl",
  "msgget",
  "msgrcv",
  "msgsnd",
  "msync",
  "munlock",
  "munlockall",
  "munmap",
  "name_to_handle_at",
  "nanosleep",
  "newfstatat",
  "_newselect",
  "open",
  "openat",
  "openat2",
  "pause",
  "pidfd_open",
  "pidfd_send_signal",
  "pipe",
  "pipe2",
  "pkey_alloc",
  "pkey_free",
  "pkey_mprotect",
  "poll",
  "ppoll",
  "ppoll_time64",
  "prctl",
  "pread64",
  "preadv",
  "preadv2",
  "prlimit64",
  "process_mrelease",
  "pselect6",
  "pselect6_time64",
  "pwrite64",
  "pwritev",
  "pwritev2",
  "read",
  "readahead",
  "readdir",
  "readlink",
  "readlinkat",
  "readv",
  "recv",
  "recvfrom",
  "recvmmsg",
  "recvmmsg_time64",
  "recvmsg",
  "remap_file_pages",
  "removexattr",
  "rename",
  "renameat",
  "renameat2",
  "restart_syscall",
  "rmdir",
  "rseq",
  "rt_sigaction",
  "rt_sigpending",
  "rt_sigprocmask",
  "rt_sigqueueinfo",
  "rt_sigreturn",
  "rt_sigsuspend",
  "rt_sigtimedwait",
  "rt_sigtimedwait_time64",
  "rt_tgsigqueueinfo",
  "sched_getaffinity",
  "sched_getattr",
  "sched_getparam",
  "sched_get_priority_max",
  "sched_get_priority_min",
  "sched_getscheduler",
  "sched_rr_get_interval",
  "sched_rr_get_interval_time64",
  "sched_setaffinity",
  "sched_setattr",
  "sched_setparam",
  "sched_setscheduler",
  "sched_yield",
  "seccomp",
  "select",
  "semctl",
  "semget",
  "semop",
  "semtimedop",
  "semtimedop_time64",
  "send",
  "sendfile",
  "sendfile64",
  "sendmmsg",
  "sendmsg",
  "sendto",
  "setfsgid",
  "setfsgid32",
  "setfsuid",
  "setfsuid32",
  "setgid",
  "setgid32",
  "setgroups",
  "setgroups32",
  "setitimer",
  "setpgid",
  "setpriority",
  "setregid",
  "setregid32",
  "setresgid",
  "setresgid32",
  "setresuid",
  "setresuid32",
  "setreuid",
  "setreuid32",
  "setrlimit",
  "set_robust_list",
  "setsid",
  "setsockopt",
  "set_thread_area",
  "set_tid_address",
  "setuid",
  "setuid32",
  "setxattr",
  "shmat",
  "shmctl",
  "shmdt",
  "shmget",
  "shutdown",
  "sigaction",
  "sigaltstack",
  "signalfd",
  "signalfd4",
  "signal",
  "sigpending",
  "sigprocmask",
  "sigreturn",
  "sigsuspend",
  "socketcall",
  "socketpair",
  "splice",
  "stat",
  "stat64",
  "statfs",
  "statfs64",
  "statx",
  "symlink",
  "symlinkat",
  "sync",
  "sync_file_range",
  "syncfs",
  "sysinfo",
  "tee",
  "tgkill",
  "time",
  "timer_create",
  "timer_delete",
  "timer_getoverrun",
  "timer_gettime",
  "timer_gettime64",
  "timer_settime",
  "timer_settime64",
  "timerfd_create",
  "timerfd_gettime",
  "timerfd_gettime64",
  "timerfd_settime",
  "timerfd_settime64",
  "times",
  "tkill",
  "truncate",
  "truncate64",
  "ugetrlimit",
  "umask",
  "uname",
  "unlink",
  "unlinkat",
  "utime",
  "utimensat",
  "utimensat_time64",
  "utimes",
  "vfork",
  "vmsplice",
  "wait4",
  "waitid",
  "waitpid",
  "write",
  "writev",
  NULL,
};

#define NAMES(...)                                                                                           \
  (const char *const[])                                                                                      \
  {                                                                                                          \
    __VA_ARGS__, NULL                                                                                        \
  }

/* The namespace flags of clone(2): CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|
   NEWUSER|NEWPID|NEWNET (0x7E020000).  */
#define CLONE_NS_FLAGS 0x7E020000ull

/* AF_VSOCK: host communication channels, not namespaced.  */
#define AF_VSOCK_VALUE 40

struct rule_arg
{
  uint32_t index;
  uint64_t value, value_two;
  const char *op;
};

struct rule
{
  const char *const *names;
  bool deny; /* SCMP_ACT_ERRNO with errno_ret, else SCMP_ACT_ALLOW */
  uint32_t errno_ret;
  struct rule_arg args[2];
  size_t nargs;
  const char *if_cap;        /* only when the process has this capability */
  const char *unless_cap;    /* only when it has not */
  const char *const *arches; /* docker's arch names ("amd64"), NULL: every arch */
  const char *min_kernel;    /* "4.8", NULL: any */
};

static const struct rule rules[] = {
  { .names = NAMES ("personality"), .args = { { 0, 0x0, 0, "SCMP_CMP_EQ" } }, .nargs = 1 },
  { .names = NAMES ("personality"), .args = { { 0, 0x8, 0, "SCMP_CMP_EQ" } }, .nargs = 1 },
  { .names = NAMES ("personality"), .args = { { 0, 0x20000, 0, "SCMP_CMP_EQ" } }, .nargs = 1 },
  { .names = NAMES ("personality"), .args = { { 0, 0x20008, 0, "SCMP_CMP_EQ" } }, .nargs = 1 },
  { .names = NAMES ("personality"), .args = { { 0, 0xffffffff, 0, "SCMP_CMP_EQ" } }, .nargs = 1 },
  { .names = NAMES ("socket"), .args = { { 0, AF_VSOCK_VALUE, 0, "SCMP_CMP_NE" } }, .nargs = 1 },
  { .names = NAMES ("process_vm_readv", "process_vm_writev", "ptrace"), .min_kernel = "4.8" },
  { .names = NAMES ("arch_prctl"), .arches = NAMES ("amd64", "x32") },
  { .names = NAMES ("modify_ldt"), .arches = NAMES ("amd64", "x32", "x86") },
  { .names = NAMES ("arm_fadvise64_64", "arm_sync_file_range", "sync_file_range2", "breakpoint", "cacheflush",
                    "set_tls"),
    .arches = NAMES ("arm", "arm64") },
  { .names = NAMES ("sync_file_range2"), .arches = NAMES ("ppc64le") },
  { .names = NAMES ("riscv_flush_icache"), .arches = NAMES ("riscv64") },
  { .names = NAMES ("s390_pci_mmio_read", "s390_pci_mmio_write", "s390_runtime_instr"),
    .arches = NAMES ("s390", "s390x") },
  { .names = NAMES ("open_by_handle_at"), .if_cap = "CAP_DAC_READ_SEARCH" },
  { .names = NAMES ("bpf", "clone", "clone3", "fanotify_init", "fsconfig", "fsmount", "fsopen", "fspick",
                    "lookup_dcookie", "mount", "mount_setattr", "move_mount", "open_tree", "perf_event_open",
                    "pivot_root", "quotactl", "quotactl_fd", "setdomainname", "sethostname", "setns",
                    "syslog", "umount", "umount2", "unshare"),
    .if_cap = "CAP_SYS_ADMIN" },
  { .names = NAMES ("clone"),
    .args = { { 0, 0, CLONE_NS_FLAGS, "SCMP_CMP_MASKED_EQ" } },
    .nargs = 1,
    .unless_cap = "CAP_SYS_ADMIN",
    .arches = NAMES ("amd64", "x32", "x86", "arm", "arm64", "ppc64le", "riscv64", "mips", "mips64") },
  { .names = NAMES ("clone"),
    .args = { { 1, 0, CLONE_NS_FLAGS, "SCMP_CMP_MASKED_EQ" } },
    .nargs = 1,
    .unless_cap = "CAP_SYS_ADMIN",
    .arches = NAMES ("s390", "s390x") },
  { .names = NAMES ("clone3"), .deny = true, .errno_ret = ENOSYS, .unless_cap = "CAP_SYS_ADMIN" },
  { .names = NAMES ("reboot"), .if_cap = "CAP_SYS_BOOT" },
  { .names = NAMES ("chroot"), .if_cap = "CAP_SYS_CHROOT" },
  { .names = NAMES ("delete_module", "init_module", "finit_module"), .if_cap = "CAP_SYS_MODULE" },
  { .names = NAMES ("acct"), .if_cap = "CAP_SYS_PACCT" },
  { .names
    = NAMES ("kcmp", "pidfd_getfd", "process_madvise", "process_vm_readv", "process_vm_writev", "ptrace"),
    .if_cap = "CAP_SYS_PTRACE" },
  { .names = NAMES ("iopl", "ioperm"), .if_cap = "CAP_SYS_RAWIO" },
  { .names = NAMES ("settimeofday", "stime", "clock_settime", "clock_settime64"), .if_cap = "CAP_SYS_TIME" },
  { .names = NAMES ("vhangup"), .if_cap = "CAP_SYS_TTY_CONFIG" },
  { .names = NAMES ("get_mempolicy", "mbind", "set_mempolicy", "set_mempolicy_home_node"),
    .if_cap = "CAP_SYS_NICE" },
  { .names = NAMES ("syslog"), .if_cap = "CAP_SYSLOG" },
  { .names = NAMES ("bpf"), .if_cap = "CAP_BPF" },
  { .names = NAMES ("perf_event_open"), .if_cap = "CAP_PERFMON" },
};

/* ------------------------------------------------------------ conditions */

/* docker's name of the host architecture (Go's GOARCH, "x86" for i386).  */
static const char *
host_arch (void)
{
#if defined(__x86_64__) && defined(__ILP32__)
  return "x32";
#elif defined(__x86_64__)
  return "amd64";
#elif defined(__i386__)
  return "x86";
#elif defined(__aarch64__)
  return "arm64";
#elif defined(__arm__)
  return "arm";
#elif defined(__s390x__)
  return "s390x";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  return "ppc64le";
#elif defined(__riscv) && __riscv_xlen == 64
  return "riscv64";
#else
  return "unknown";
#endif
}

/* The libseccomp architectures a filter needs here: the native one and
   those whose binaries the kernel also runs.  */
static char **
host_seccomp_arches (void)
{
#if defined(__x86_64__) || defined(__i386__)
  static const char *const a[] = { "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", NULL };
#elif defined(__aarch64__) || defined(__arm__)
  static const char *const a[] = { "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", NULL };
#elif defined(__s390x__)
  static const char *const a[] = { "SCMP_ARCH_S390X", "SCMP_ARCH_S390", NULL };
#elif defined(__powerpc64__)
  static const char *const a[] = { "SCMP_ARCH_PPC64LE", NULL };
#elif defined(__riscv)
  static const char *const a[] = { "SCMP_ARCH_RISCV64", NULL };
#else
  static const char *const a[] = { NULL };
#endif
  return strv_dup ((char *const *) a);
}

/* Whether the running kernel is at least "MAJOR.MINOR".  */
static bool
kernel_at_least (const char *min)
{
  struct utsname u;
  int have_major = 0, have_minor = 0, major = 0, minor = 0;

  if (min == NULL || *min == '\0')
    return true;
  if (uname (&u) < 0 || sscanf (u.release, "%d.%d", &have_major, &have_minor) < 1)
    return true;
  if (sscanf (min, "%d.%d", &major, &minor) < 1)
    return true;
  return have_major > major || (have_major == major && have_minor >= minor);
}

static bool
strv_has (char *const *v, const char *s)
{
  return v && oci_strv_contains ((const char *const *) v, s);
}

/* docker's includes/excludes: every non-empty include list must match,
   no exclude list may.  */
static bool
conditions_hold (char *const *inc_caps, char *const *inc_arches, const char *min_kernel,
                 char *const *exc_caps, char *const *exc_arches, char *const *caps)
{
  for (size_t i = 0; inc_caps && inc_caps[i]; i++)
    if (!strv_has (caps, inc_caps[i]))
      return false;
  if (inc_arches && inc_arches[0] && !strv_has (inc_arches, host_arch ()))
    return false;
  if (!kernel_at_least (min_kernel))
    return false;
  for (size_t i = 0; exc_caps && exc_caps[i]; i++)
    if (strv_has (caps, exc_caps[i]))
      return false;
  return !strv_has (exc_arches, host_arch ());
}

static struct oci_seccomp_syscall *
syscall_append (struct oci_seccomp *sc)
{
  struct oci_seccomp_syscall *s;

  sc->syscalls = xreallocarray (sc->syscalls, sc->syscalls_len + 1, sizeof *sc->syscalls);
  s = &sc->syscalls[sc->syscalls_len++];
  memset (s, 0, sizeof *s);
  return s;
}

/* Emit rule r.  A plain allow rule only names what the allow rules before
   it did not (libseccomp refuses some duplicates); `allowed` collects
   those names.  */
static void
rule_emit (struct oci_seccomp *sc, const struct rule *r, char ***allowed)
{
  struct oci_seccomp_syscall *s;
  cleanup_strv char **names = NULL;
  size_t n = 0;

  names = xcalloc (strv_len ((char *const *) r->names) + 1, sizeof (char *));
  for (size_t i = 0; r->names[i]; i++)
    if (r->deny || r->nargs > 0 || !strv_has (*allowed, r->names[i]))
      names[n++] = xstrdup (r->names[i]);
  if (n == 0)
    return;
  if (!r->deny && r->nargs == 0)
    {
      size_t len = strv_len (*allowed);
      *allowed = xreallocarray (*allowed, len + n + 1, sizeof (char *));
      for (size_t i = 0; i < n; i++)
        (*allowed)[len + i] = xstrdup (names[i]);
      (*allowed)[len + n] = NULL;
    }
  s = syscall_append (sc);
  s->names = steal_pointer (&names);
  s->action = xstrdup (r->deny ? "SCMP_ACT_ERRNO" : "SCMP_ACT_ALLOW");
  if (r->deny)
    {
      s->errno_ret = r->errno_ret;
      s->errno_ret_present = true;
    }
  if (r->nargs == 0)
    return;
  s->args = xcalloc (r->nargs, sizeof *s->args);
  s->args_len = r->nargs;
  for (size_t i = 0; i < r->nargs; i++)
    {
      s->args[i].index = r->args[i].index;
      s->args[i].index_present = true;
      s->args[i].value = r->args[i].value;
      s->args[i].value_present = true;
      s->args[i].value_two = r->args[i].value_two;
      s->args[i].value_two_present = true;
      s->args[i].op = xstrdup (r->args[i].op);
    }
}

struct oci_seccomp *
container_seccomp_default (char *const *caps)
{
  struct oci_seccomp *sc = xzalloc (sizeof *sc);
  cleanup_strv char **allowed = strv_dup ((char *const *) allowed_always);
  struct oci_seccomp_syscall *all;

  sc->default_action = xstrdup ("SCMP_ACT_ERRNO");
  sc->default_errno_ret = EPERM;
  sc->default_errno_ret_present = true;
  sc->architectures = host_seccomp_arches ();
  all = syscall_append (sc);
  all->names = strv_dup ((char *const *) allowed_always);
  all->action = xstrdup ("SCMP_ACT_ALLOW");
  for (size_t i = 0; i < ARRAY_SIZE (rules); i++)
    {
      const struct rule *r = &rules[i];
      char *const if_cap[] = { (char *) r->if_cap, NULL };
      char *const unless_cap[] = { (char *) r->unless_cap, NULL };

      if (conditions_hold (if_cap, (char *const *) r->arches, r->min_kernel, unless_cap, NULL, caps))
        rule_emit (sc, r, &allowed);
    }
  return sc;
}

void
container_seccomp_free (struct oci_seccomp *sc)
{
  struct oci_spec *s;

  if (sc == NULL)
    return;
  /* the section's type is private to runtime_spec.c: free it as part of
     a spec.  */
  s = xzalloc (sizeof *s);
  s->linux = xzalloc (sizeof *s->linux);
  s->linux->seccomp = sc;
  oci_spec_free (s);
}

/* ------------------------------------------------------------ profile files */

struct profile_filter
{
  char **caps;
  char **arches;
  char *min_kernel;
};

struct profile_syscall
{
  char *name; /* the old single-name form */
  char **names;
  char *action;
  uint32_t errno_ret;
  bool errno_ret_present;
  struct oci_seccomp_arg *args;
  size_t args_len;
  struct profile_filter *includes;
  struct profile_filter *excludes;
};

struct profile_arch
{
  char *architecture;
  char **sub_architectures;
};

struct profile
{
  char *default_action;
  uint32_t default_errno_ret;
  bool default_errno_ret_present;
  char **architectures;
  struct profile_arch *arch_map;
  size_t arch_map_len;
  char **flags;
  char *listener_path;
  char *listener_metadata;
  struct profile_syscall *syscalls;
  size_t syscalls_len;
};

#define REQ OCI_JSON_REQUIRED

static const struct oci_json_field arg_fields[] = {
  OCI_F_U32 (struct oci_seccomp_arg, "index", index, REQ),
  OCI_F_U64 (struct oci_seccomp_arg, "value", value, REQ),
  OCI_F_U64 (struct oci_seccomp_arg, "valueTwo", value_two, 0),
  OCI_F_ENUM (struct oci_seccomp_arg, "op", op, oci_seccomp_operators, "seccomp operator", REQ),
};
static OCI_JSON_DEFINE_TYPE (arg_type, struct oci_seccomp_arg, arg_fields, NULL);

static const struct oci_json_field filter_fields[] = {
  OCI_F_STRV (struct profile_filter, "caps", caps, 0),
  OCI_F_STRV (struct profile_filter, "arches", arches, 0),
  OCI_F_STRING (struct profile_filter, "minKernel", min_kernel, 0),
};
static OCI_JSON_DEFINE_TYPE (filter_type, struct profile_filter, filter_fields, NULL);

static int
check_syscall (const void *obj, struct oci_json_ctx *ctx)
{
  const struct profile_syscall *s = obj;

  if (s->name == NULL && (s->names == NULL || s->names[0] == NULL))
    return oci_json_fail (ctx, NULL, "a syscall rule needs \"names\" or \"name\"");
  return 0;
}

static const struct oci_json_field syscall_fields[] = {
  OCI_F_STRING (struct profile_syscall, "name", name, 0),
  OCI_F_STRV (struct profile_syscall, "names", names, 0),
  OCI_F_ENUM (struct profile_syscall, "action", action, oci_seccomp_actions, "seccomp action", REQ),
  OCI_F_U32 (struct profile_syscall, "errnoRet", errno_ret, 0),
  OCI_F_ARRAY (struct profile_syscall, "args", args, arg_type, 0),
  OCI_F_OBJECT (struct profile_syscall, "includes", includes, filter_type, 0),
  OCI_F_OBJECT (struct profile_syscall, "excludes", excludes, filter_type, 0),
};
static OCI_JSON_DEFINE_TYPE (syscall_type, struct profile_syscall, syscall_fields, check_syscall);

static const struct oci_json_field arch_fields[] = {
  OCI_F_ENUM (struct profile_arch, "architecture", architecture, oci_seccomp_archs, "seccomp architecture",
              REQ),
  OCI_F_ENUMV (struct profile_arch, "subArchitectures", sub_architectures, oci_seccomp_archs,
               "seccomp architecture", 0),
};
static OCI_JSON_DEFINE_TYPE (arch_type, struct profile_arch, arch_fields, NULL);

static const struct oci_json_field profile_fields[] = {
  OCI_F_ENUM (struct profile, "defaultAction", default_action, oci_seccomp_actions, "seccomp action", REQ),
  OCI_F_U32 (struct profile, "defaultErrnoRet", default_errno_ret, 0),
  OCI_F_ENUMV (struct profile, "architectures", architectures, oci_seccomp_archs, "seccomp architecture", 0),
  OCI_F_ARRAY (struct profile, "archMap", arch_map, arch_type, 0),
  OCI_F_ENUMV (struct profile, "flags", flags, oci_seccomp_flags, "seccomp flag", 0),
  OCI_F_STRING (struct profile, "listenerPath", listener_path, 0),
  OCI_F_STRING (struct profile, "listenerMetadata", listener_metadata, 0),
  OCI_F_ARRAY (struct profile, "syscalls", syscalls, syscall_type, 0),
};
static OCI_JSON_DEFINE_TYPE (profile_type, struct profile, profile_fields, NULL);

/* docker's archMap: the entry of the native architecture with its
   sub-architectures; without one, the "architectures" list.  */
static char **
profile_arches (const struct profile *p)
{
  cleanup_strv char **native = host_seccomp_arches ();

  for (size_t i = 0; i < p->arch_map_len; i++)
    {
      const struct profile_arch *a = &p->arch_map[i];
      size_t n = strv_len (a->sub_architectures);
      char **v;

      if (native[0] == NULL || !streq (a->architecture, native[0]))
        continue;
      v = xcalloc (n + 2, sizeof (char *));
      v[0] = xstrdup (a->architecture);
      for (size_t j = 0; j < n; j++)
        v[j + 1] = xstrdup (a->sub_architectures[j]);
      return v;
    }
  return p->architectures ? strv_dup (p->architectures) : NULL;
}

static void
profile_syscall_emit (struct oci_seccomp *sc, struct profile_syscall *ps)
{
  struct oci_seccomp_syscall *s = syscall_append (sc);

  if (ps->names && ps->names[0])
    s->names = steal_pointer (&ps->names);
  else
    {
      s->names = xcalloc (2, sizeof (char *));
      s->names[0] = steal_pointer (&ps->name);
    }
  s->action = steal_pointer (&ps->action);
  s->errno_ret = ps->errno_ret;
  s->errno_ret_present = ps->errno_ret_present;
  s->args = steal_pointer (&ps->args);
  s->args_len = ps->args_len;
  ps->args_len = 0;
}

int
container_seccomp_parse (const char *data, size_t len, const char *source, char *const *caps,
                         struct oci_seccomp **out, oci_error_t **err)
{
  struct profile *p = NULL;
  struct oci_seccomp *sc;

  if (oci_json_parse (&profile_type, data, len, source, (void **) &p, err) < 0)
    return oci_error_prefix (err, "decoding seccomp profile failed");
  sc = xzalloc (sizeof *sc);
  sc->default_action = steal_pointer (&p->default_action);
  sc->default_errno_ret = p->default_errno_ret;
  sc->default_errno_ret_present = p->default_errno_ret_present;
  sc->architectures = profile_arches (p);
  sc->flags = steal_pointer (&p->flags);
  sc->listener_path = steal_pointer (&p->listener_path);
  sc->listener_metadata = steal_pointer (&p->listener_metadata);
  for (size_t i = 0; i < p->syscalls_len; i++)
    {
      struct profile_syscall *ps = &p->syscalls[i];
      struct profile_filter none = { NULL, NULL, NULL };
      const struct profile_filter *inc = ps->includes ? ps->includes : &none;
      const struct profile_filter *exc = ps->excludes ? ps->excludes : &none;

      if (conditions_hold (inc->caps, inc->arches, inc->min_kernel, exc->caps, exc->arches, caps))
        profile_syscall_emit (sc, ps);
    }
  if (sc->syscalls == NULL)
    sc->syscalls = xzalloc (sizeof *sc->syscalls);
  oci_json_free (&profile_type, p);
  *out = sc;
  return 0;
}

int
container_seccomp_load (const char *path, char *const *caps, struct oci_seccomp **out, oci_error_t **err)
{
  cleanup_free char *data = NULL;
  size_t len = 0;

  if (read_file_max (path, SECCOMP_PROFILE_MAX, &data, &len, err) < 0)
    return oci_error_prefix (err, "opening seccomp profile (%s) failed", path);
  return container_seccomp_parse (data, len, path, caps, out, err);
}
