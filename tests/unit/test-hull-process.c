/* hull's process and security logic: capability and rlimit names, rlimit
   errors, namespace validation, cpu lists, seccomp filters (checked in
   libseccomp's PFC output).  */
#include "config.h"
#include "unit.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <sys/capability.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "runtime/caps.h"
#include "runtime/namespaces.h"
#include "runtime/process_attrs.h"
#include "runtime/rlimits.h"
#include "runtime/seccomp_filter.h"

static void
test_caps_names (void **state)
{
  (void) state;
  assert_int_equal (caps_from_name ("CAP_KILL"), CAP_KILL);
  assert_int_equal (caps_from_name ("CAP_SYS_ADMIN"), CAP_SYS_ADMIN);
  assert_int_equal (caps_from_name ("CAP_NOT_A_CAP"), -1);
  assert_int_equal (caps_from_name ("kill"), -1);
  assert_int_equal (caps_from_name ("12"), -1);
}

static void
test_caps_parse_skips_unknown (void **state)
{
  char *bounding[] = { "CAP_KILL", "CAP_FUTURE_THING", "CAP_CHOWN", NULL };
  char *ambient[] = { NULL };
  struct oci_capabilities c = { .bounding = bounding, .effective = bounding, .ambient = ambient };
  struct caps_masks m;

  (void) state;
  caps_parse (&c, &m);
  assert_int_equal (m.bounding, (1u << CAP_KILL) | (1u << CAP_CHOWN));
  assert_int_equal (m.effective, m.bounding);
  assert_int_equal (m.permitted, 0);
  assert_int_equal (m.ambient, 0);
}

static void
test_rlimit_names (void **state)
{
  (void) state;
  assert_int_equal (rlimit_from_name ("RLIMIT_NOFILE"), RLIMIT_NOFILE);
  assert_int_equal (rlimit_from_name ("RLIMIT_RTTIME"), RLIMIT_RTTIME);
  assert_int_equal (rlimit_from_name ("RLIMIT_FOO"), -1);
  assert_int_equal (rlimit_from_name ("nofile"), -1);
}

static void
test_rlimit_errors (void **state)
{
  struct rlimit cur;
  struct oci_rlimit bad_order = { .type = "RLIMIT_NOFILE", .soft = 200, .hard = 100 };
  struct oci_rlimit unknown = { .type = "RLIMIT_BOGUS", .soft = 1, .hard = 1 };
  cleanup_error oci_error_t *err = NULL;

  (void) state;
  assert_int_equal (getrlimit (RLIMIT_NOFILE, &cur), 0);
  assert_int_equal (rlimits_apply (&bad_order, 1, &err), -1);
  assert_error_contains (err, "RLIMIT_NOFILE: the soft limit 200 is above the hard limit 100");
  oci_error_free (&err);
  assert_int_equal (rlimits_apply (&unknown, 1, &err), -1);
  assert_error_contains (err, "process.rlimits[0].type: unknown rlimit \"RLIMIT_BOGUS\"");
  oci_error_free (&err);

  if (cur.rlim_max != RLIM_INFINITY && cur.rlim_max < 1048576 && geteuid () == 0)
    {
      struct oci_rlimit high = { .type = "RLIMIT_NOFILE", .soft = 1048576, .hard = 1048576 };
      char want[160];
      int ret = rlimits_apply (&high, 1, &err);
      if (ret < 0 && err->status == EPERM && strstr (err->msg, "CAP_SYS_RESOURCE"))
        {
          snprintf (
              want, sizeof (want),
              "process.rlimits: RLIMIT_NOFILE: cannot raise the hard limit to 1048576 above the current "
              "hard limit %llu (needs CAP_SYS_RESOURCE)",
              (unsigned long long) cur.rlim_max);
          assert_string_equal (err->msg, want);
        }
      else if (ret == 0)
        setrlimit (RLIMIT_NOFILE, &cur);
    }
}

static void
test_cpu_list (void **state)
{
  cpu_set_t set;
  cleanup_error oci_error_t *err = NULL;

  (void) state;
  assert_int_equal (attrs_parse_cpu_list ("0-3,7", "f", &set, &err), 0);
  assert_int_equal (CPU_COUNT (&set), 5);
  assert_true (CPU_ISSET (7, &set));
  assert_false (CPU_ISSET (4, &set));
  assert_int_equal (attrs_parse_cpu_list ("3-1", "process.execCPUAffinity.initial", &set, &err), -1);
  assert_error_contains (err, "process.execCPUAffinity.initial: invalid cpu list \"3-1\"");
  oci_error_free (&err);
  assert_int_equal (attrs_parse_cpu_list ("1,,2", "f", &set, &err), -1);
  oci_error_free (&err);
  assert_int_equal (attrs_parse_cpu_list ("", "f", &set, &err), -1);
}

/* --- namespaces --- */

static void
test_ns_flags (void **state)
{
  struct oci_namespace ns[] = { { "pid", NULL }, { "network", "" }, { "mount", NULL }, { "time", NULL } };
  struct oci_linux lx = { .namespaces = ns, .namespaces_len = 4 };
  struct oci_spec spec = { .linux = &lx };

  (void) state;
  assert_int_equal (ns_flag_from_type ("network"), CLONE_NEWNET);
  assert_int_equal (ns_flag_from_type ("mount"), CLONE_NEWNS);
  assert_int_equal (ns_flag_from_type ("net"), 0);
  /* time is never a clone() flag.  */
  assert_int_equal (ns_new_flags (&spec), CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWNS);
  ns[0].path = "/proc/self/ns/pid";
  assert_int_equal (ns_new_flags (&spec), CLONE_NEWNET | CLONE_NEWNS);
}

static void
expect_invalid (struct oci_spec *spec, const char *needle)
{
  cleanup_error oci_error_t *err = NULL;

  assert_int_equal (ns_validate (spec, &err), -1);
  assert_error_contains (err, needle);
}

static void
test_ns_validate (void **state)
{
  struct oci_namespace ns[3] = { { "network", NULL }, { "ipc", NULL }, { "network", NULL } };
  struct oci_id_mapping map = { .container_id = 0, .host_id = 100000, .size = 65536 };
  struct oci_time_offset boot = { .secs = 86400 };
  struct oci_time_offsets offs = { .boottime = &boot };
  struct oci_linux lx = { .namespaces = ns, .namespaces_len = 3 };
  struct oci_spec spec = { .linux = &lx };
  cleanup_error oci_error_t *err = NULL;

  (void) state;
  expect_invalid (&spec, "linux.namespaces[2]: duplicate namespace \"network\"");
  lx.namespaces_len = 2;
  assert_int_equal (ns_validate (&spec, &err), 0);
  ns[0].path = "/proc/self/ns/net";
  assert_int_equal (ns_validate (&spec, &err), 0);
  ns[1].path = "/proc/self/ns/net";
  expect_invalid (&spec, "linux.namespaces[1].path: \"/proc/self/ns/net\" is not a namespace of that type");
  ns[1].path = "/etc/passwd";
  expect_invalid (&spec, "\"/etc/passwd\" is not a namespace");
  ns[1].path = "/nonexistent/ns";
  expect_invalid (&spec, "/nonexistent/ns");
  ns[1].path = NULL;
  ns[1].type = "bogus";
  expect_invalid (&spec, "linux.namespaces[1].type: unknown namespace \"bogus\"");
  ns[1].type = "ipc";

  lx.uid_mappings = &map;
  lx.uid_mappings_len = 1;
  expect_invalid (&spec, "id mappings require a user namespace");
  lx.uid_mappings_len = 0;
  lx.time_offsets = &offs;
  expect_invalid (&spec, "linux.timeOffsets: time offsets require a new time namespace");
  lx.time_offsets = NULL;
  spec.hostname = "box";
  expect_invalid (&spec, "unable to set hostname without a private UTS namespace");
  ns[1].type = "uts";
  assert_int_equal (ns_validate (&spec, &err), 0);
}

/* --- seccomp --- */

static char *
export_pfc (scmp_filter_ctx ctx)
{
  int fd = memfd_create ("pfc", MFD_CLOEXEC);
  char *out = xzalloc (1 << 20);
  ssize_t n;

  assert_true (fd >= 0);
  assert_int_equal (seccomp_export_pfc (ctx, fd), 0);
  lseek (fd, 0, SEEK_SET);
  n = read (fd, out, (1 << 20) - 1);
  assert_true (n > 0);
  close (fd);
  return out;
}

static void
test_seccomp_names (void **state)
{
  uint32_t v;

  (void) state;
  assert_int_equal (seccomp_action_from_name ("SCMP_ACT_ERRNO", false, 0, &v), 0);
  assert_int_equal (v, SCMP_ACT_ERRNO (EPERM));
  assert_int_equal (seccomp_action_from_name ("SCMP_ACT_ERRNO", true, 38, &v), 0);
  assert_int_equal (v, SCMP_ACT_ERRNO (38));
  assert_int_equal (seccomp_action_from_name ("SCMP_ACT_TRACE", false, 0, &v), 0);
  assert_int_equal (v, SCMP_ACT_TRACE (EPERM));
  assert_int_equal (seccomp_action_from_name ("SCMP_ACT_KILL", false, 0, &v), 0);
  assert_int_equal (v, SCMP_ACT_KILL_THREAD);
  assert_int_equal (seccomp_action_from_name ("SCMP_ACT_KILL_PROCESS", false, 0, &v), 0);
  assert_int_equal (v, SCMP_ACT_KILL_PROCESS);
  assert_int_equal (seccomp_action_from_name ("SCMP_ACT_NOPE", false, 0, &v), -1);
  assert_int_equal (seccomp_arch_from_name ("SCMP_ARCH_X86_64", &v), 0);
  assert_int_equal (v, SCMP_ARCH_X86_64);
  assert_int_equal (seccomp_arch_from_name ("SCMP_ARCH_AARCH64", &v), 0);
  assert_int_equal (v, SCMP_ARCH_AARCH64);
  assert_int_equal (seccomp_arch_from_name ("x86_64", &v), -1);
}

static void
test_seccomp_build (void **state)
{
  char *names_mkdir[] = { "mkdir", "mkdirat", "no_such_syscall_xyz", NULL };
  char *names_personality[] = { "personality", NULL };
  char *names_clone[] = { "kill", NULL };
  char *archs[] = { "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", NULL };
  struct oci_seccomp_arg masked = { .index = 0, .value = 0x8, .value_two = 0x8, .op = "SCMP_CMP_MASKED_EQ" };
  struct oci_seccomp_arg two_same[]
      = { { .index = 1, .value = 9, .op = "SCMP_CMP_EQ" }, { .index = 1, .value = 15, .op = "SCMP_CMP_EQ" } };
  struct oci_seccomp_syscall rules[] = {
    { .names = names_mkdir, .action = "SCMP_ACT_ERRNO", .errno_ret = 38, .errno_ret_present = true },
    { .names = names_personality, .action = "SCMP_ACT_ERRNO", .args = &masked, .args_len = 1 },
    { .names = names_clone, .action = "SCMP_ACT_KILL_PROCESS", .args = two_same, .args_len = 2 },
  };
  struct oci_seccomp sp
      = { .default_action = "SCMP_ACT_ALLOW", .architectures = archs, .syscalls = rules, .syscalls_len = 3 };
  cleanup_error oci_error_t *err = NULL;
  scmp_filter_ctx ctx;
  cleanup_free char *pfc = NULL;

  (void) state;
  assert_int_equal (seccomp_filter_build (&sp, &ctx, &err), 0);
  assert_no_error (err);
  pfc = export_pfc (ctx);
  assert_non_null (strstr (pfc, "# filter for arch x86_64"));
  assert_non_null (strstr (pfc, "# filter for arch x86 "));
  assert_non_null (strstr (pfc, "if ($syscall == 83)")); /* mkdir */
  assert_non_null (strstr (pfc, "action ERRNO(38);"));
  assert_non_null (strstr (pfc, "if ($syscall == 135)")); /* personality */
  assert_non_null (strstr (pfc, "if ($a0.lo32 & 0x00000008 == 8)"));
  assert_non_null (strstr (pfc, "action ERRNO(1);"));
  /* Two args on the same index: two rules (OR), each killing.  */
  assert_non_null (strstr (pfc, "if ($a1.lo32 == 9)"));
  assert_non_null (strstr (pfc, "if ($a1.lo32 == 15)"));
  assert_non_null (strstr (pfc, "action KILL_PROCESS;"));
  assert_non_null (strstr (pfc, "action ALLOW;"));
  seccomp_release (ctx);
}

static void
test_seccomp_default_errno (void **state)
{
  char *allowed[] = { "read", "write", NULL };
  char *flags[] = { "SECCOMP_FILTER_FLAG_LOG", NULL };
  struct oci_seccomp_syscall rules[] = { { .names = allowed, .action = "SCMP_ACT_ALLOW" } };
  struct oci_seccomp sp = { .default_action = "SCMP_ACT_ERRNO",
                            .default_errno_ret = 38,
                            .default_errno_ret_present = true,
                            .flags = flags,
                            .syscalls = rules,
                            .syscalls_len = 1 };
  cleanup_error oci_error_t *err = NULL;
  scmp_filter_ctx ctx;
  cleanup_free char *pfc = NULL;

  (void) state;
  assert_int_equal (seccomp_filter_build (&sp, &ctx, &err), 0);
  pfc = export_pfc (ctx);
  assert_non_null (strstr (pfc, "if ($syscall == 0)"));
  assert_non_null (strstr (pfc, "action ALLOW;"));
  assert_non_null (strstr (pfc, "action ERRNO(38);"));
  seccomp_release (ctx);
}

static void
expect_seccomp_error (struct oci_seccomp *sp, const char *needle)
{
  cleanup_error oci_error_t *err = NULL;
  scmp_filter_ctx ctx;

  assert_int_equal (seccomp_filter_build (sp, &ctx, &err), -1);
  assert_null (ctx);
  assert_error_contains (err, needle);
}

static void
test_seccomp_errors (void **state)
{
  char *names[] = { "mkdir", NULL };
  char *archs[] = { "SCMP_ARCH_VAX", NULL };
  char *flags[] = { "SECCOMP_FILTER_FLAG_BOGUS", NULL };
  struct oci_seccomp_arg arg = { .index = 0, .value = 1, .op = "SCMP_CMP_SOMETIMES" };
  struct oci_seccomp_syscall rule
      = { .names = names, .action = "SCMP_ACT_ERRNO", .args = &arg, .args_len = 1 };
  struct oci_seccomp sp = { .default_action = "SCMP_ACT_MAYBE" };

  (void) state;
  expect_seccomp_error (&sp, "linux.seccomp.defaultAction: unknown seccomp action \"SCMP_ACT_MAYBE\"");
  sp.default_action = "SCMP_ACT_ALLOW";
  sp.architectures = archs;
  expect_seccomp_error (&sp, "linux.seccomp.architectures[0]: unknown architecture \"SCMP_ARCH_VAX\"");
  sp.architectures = NULL;
  sp.flags = flags;
  expect_seccomp_error (&sp, "linux.seccomp.flags: flag \"SECCOMP_FILTER_FLAG_BOGUS\" is not supported");
  sp.flags = NULL;
  sp.syscalls = &rule;
  sp.syscalls_len = 1;
  expect_seccomp_error (
      &sp, "linux.seccomp.syscalls[0].args[0].op: unknown seccomp operator \"SCMP_CMP_SOMETIMES\"");
  arg.op = "SCMP_CMP_EQ";
  rule.action = "SCMP_ACT_NOTIFY";
  expect_seccomp_error (&sp, "SCMP_ACT_NOTIFY requires linux.seccomp.listenerPath");
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_caps_names),     cmocka_unit_test (test_caps_parse_skips_unknown),
    cmocka_unit_test (test_rlimit_names),   cmocka_unit_test (test_rlimit_errors),
    cmocka_unit_test (test_cpu_list),       cmocka_unit_test (test_ns_flags),
    cmocka_unit_test (test_ns_validate),    cmocka_unit_test (test_seccomp_names),
    cmocka_unit_test (test_seccomp_build),  cmocka_unit_test (test_seccomp_default_errno),
    cmocka_unit_test (test_seccomp_errors),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
