/* cgroups: the pure conversions and path logic (no root needed), the
   device filter's eBPF program (run by a tiny interpreter here), and, when
   run as root on a host with cgroupfs, real cgroups on the host's layout
   and on a cgroup2 mounted in a private mount namespace.  */
#include "config.h"
#include "unit.h"
#include "cgroup.h"
#include "cgroup_convert.h"
#include "cgroup_internal.h"
#include "fileutil.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* --- conversions --- */

static void
test_shares_to_weight (void **state)
{
  (void) state;
  assert_int_equal (cgroup_shares_to_weight (0), 0);
  assert_int_equal (cgroup_shares_to_weight (2), 1);
  assert_int_equal (cgroup_shares_to_weight (1024), 39);
  assert_int_equal (cgroup_shares_to_weight (262144), 10000);
}

static void
test_blkio_weight (void **state)
{
  (void) state;
  assert_int_equal (cgroup_blkio_weight_to_io_weight (10), 1);
  assert_int_equal (cgroup_blkio_weight_to_io_weight (1000), 10000);
  assert_int_equal (cgroup_blkio_weight_to_io_weight (500), 4950);
  assert_int_equal (cgroup_blkio_weight_to_io_weight (0), 0);
}

static void
check_cpu_max (bool qp, int64_t quota, bool pp, uint64_t period, const char *want)
{
  struct oci_cpu cpu = { .quota = quota, .quota_present = qp, .period = period, .period_present = pp };
  cleanup_free char *got = cgroup_cpu_max (&cpu);

  if (want == NULL)
    assert_null (got);
  else
    assert_string_equal (got, want);
}

static void
test_cpu_max (void **state)
{
  (void) state;
  check_cpu_max (false, 0, true, 100000, "max 100000");
  check_cpu_max (true, -1, true, 100000, "max 100000");
  check_cpu_max (true, 50000, true, 100000, "50000 100000");
  check_cpu_max (true, 20000, false, 0, "20000");
  check_cpu_max (false, 0, false, 0, NULL);
}

static void
check_swap (bool lp, int64_t limit, int64_t swap, const char *want, const char *error)
{
  struct oci_memory m = { .limit = limit, .limit_present = lp, .swap = swap, .swap_present = true };
  cleanup_free char *got = NULL;
  cleanup_error oci_error_t *err = NULL;
  int ret = cgroup_v2_swap_max (&m, &got, &err);

  if (error)
    {
      assert_int_equal (ret, -1);
      assert_error_contains (err, error);
      return;
    }
  assert_no_error (err);
  assert_string_equal (got, want);
}

static void
test_swap_v2 (void **state)
{
  (void) state;
  check_swap (true, 100 << 20, 300 << 20, "209715200", NULL);
  check_swap (true, 100 << 20, 100 << 20, "0", NULL);
  check_swap (true, 100 << 20, -1, "max", NULL);
  check_swap (true, -1, 0, "max", NULL);
  check_swap (true, 100 << 20, 50 << 20, NULL, "lower than the memory limit");
  check_swap (false, 0, 50 << 20, NULL, "without a memory limit");
}

static void
test_hugepage_names (void **state)
{
  cleanup_free char *a = cgroup_hugepage_size_name (2097152);
  cleanup_free char *b = cgroup_hugepage_size_name (1073741824);
  cleanup_free char *c = cgroup_hugepage_size_name (65536);

  (void) state;
  assert_string_equal (a, "2MB");
  assert_string_equal (b, "1GB");
  assert_string_equal (c, "64KB");
  assert_true (cgroup_hugepage_size_valid ("2MB"));
  assert_true (cgroup_hugepage_size_valid ("1GB"));
  assert_false (cgroup_hugepage_size_valid ("2M"));
  assert_false (cgroup_hugepage_size_valid ("MB"));
  assert_false (cgroup_hugepage_size_valid ("2MB/../x"));
}

static void
test_device_rule (void **state)
{
  struct oci_device_cgroup null_dev = { .allow = true,
                                        .type = "c",
                                        .major = 1,
                                        .major_present = true,
                                        .minor = 3,
                                        .minor_present = true,
                                        .access = "rw" };
  struct oci_device_cgroup all = { .allow = false };
  struct oci_device_cgroup wild
      = { .type = "b", .major = 8, .major_present = true, .minor = -1, .minor_present = true, .access = "m" };
  cleanup_free char *a = cgroup_device_rule (&null_dev);
  cleanup_free char *b = cgroup_device_rule (&all);
  cleanup_free char *c = cgroup_device_rule (&wild);

  (void) state;
  assert_string_equal (a, "c 1:3 rw");
  assert_string_equal (b, "a *:* rwm");
  assert_string_equal (c, "b 8:* m");
}

static void
test_rdma_line (void **state)
{
  struct oci_rdma r = { .device = "mlx5_1",
                        .hca_handles = 3,
                        .hca_handles_present = true,
                        .hca_objects = 10000,
                        .hca_objects_present = true };
  struct oci_rdma h = { .device = "mlx4_0", .hca_handles = 5, .hca_handles_present = true };
  struct oci_rdma none = { .device = "x" };
  cleanup_free char *a = cgroup_rdma_max (&r);
  cleanup_free char *b = cgroup_rdma_max (&h);

  (void) state;
  assert_string_equal (a, "mlx5_1 hca_handle=3 hca_object=10000");
  assert_string_equal (b, "mlx4_0 hca_handle=5");
  assert_null (cgroup_rdma_max (&none));
}

/* --- paths --- */

static void
check_resolve (const char *cgroups_path, const char *id, bool systemd, const char *want, const char *error)
{
  cleanup_free char *got = NULL;
  cleanup_error oci_error_t *err = NULL;
  int ret = cgroup_resolve_path (cgroups_path, id, systemd, &got, &err);

  if (error)
    {
      assert_int_equal (ret, -1);
      assert_error_contains (err, error);
      return;
    }
  assert_no_error (err);
  assert_string_equal (got, want);
}

static void
test_systemd_paths (void **state)
{
  (void) state;
  check_resolve ("system.slice:libpod:abc", "x", true, "/system.slice/libpod-abc.scope", NULL);
  check_resolve ("a-b.slice:p:n", "x", true, "/a.slice/a-b.slice/p-n.scope", NULL);
  check_resolve ("user-1000-app.slice:crio:id", "x", true,
                 "/user.slice/user-1000.slice/user-1000-app.slice/crio-id.scope", NULL);
  check_resolve (":hull:n", "x", true, "/system.slice/hull-n.scope", NULL);
  check_resolve ("-.slice:p:n", "x", true, "/p-n.scope", NULL);
  check_resolve ("system.slice::n", "x", true, "/system.slice/n.scope", NULL);
  check_resolve ("machine.slice:libpod:pod-a.slice", "x", true, "/pod.slice/pod-a.slice", NULL);
  check_resolve (NULL, "abc", true, "/system.slice/hull-abc.scope", NULL);
  check_resolve ("/a/b", "x", true, NULL, "slice:prefix:name");
  check_resolve ("a--b.slice:p:n", "x", true, NULL, "invalid systemd slice");
  check_resolve ("x.slice:p:../n", "x", true, NULL, "invalid unit name");
}

static void
test_plain_paths (void **state)
{
  cleanup_free char *data = NULL;
  cleanup_free char *want = NULL;
  cleanup_error oci_error_t *err = NULL;
  char *own = NULL;
  size_t len;

  (void) state;
  check_resolve (NULL, "abc", false, "/hull/abc", NULL);
  check_resolve ("", "abc", false, "/hull/abc", NULL);
  check_resolve ("/a/b/", "x", false, "/a/b", NULL);
  check_resolve ("//a//./b", "x", false, "/a/b", NULL);
  check_resolve ("/", "x", false, "/", NULL);
  check_resolve ("/a/../b", "x", false, NULL, "\"..\" is not allowed");
  check_resolve ("a/..", "x", false, NULL, "\"..\" is not allowed");
  check_resolve (NULL, "../x", false, NULL, "cannot name a cgroup");
  /* Relative: below our own cgroup (the v2 entry when there is one).  */
  assert_int_equal (read_file_max ("/proc/self/cgroup", 1 << 20, &data, &len, &err), 0);
  own = strstr (data, "0::");
  if (own == NULL)
    skip ();
  own += 3;
  own[strcspn (own, "\n")] = '\0';
  xasprintf (&want, "%s/foo/bar", streq (own, "/") ? "" : own);
  check_resolve ("foo/bar", "x", false, want, NULL);
}

/* --- the device filter, run by a minimal interpreter of the opcodes the
   generator uses --- */

static int
run_filter (const struct bpf_insn *p, size_t len, int type, int access, uint32_t major, uint32_t minor)
{
  uint64_t r[11] = { 0 };
  uint32_t ctx[3] = { (uint32_t) (access << 16 | type), major, minor };

  for (size_t pc = 0; pc < len; pc++)
    {
      const struct bpf_insn *i = &p[pc];
      switch (i->code)
        {
        case BPF_LDX | BPF_MEM | BPF_W:
          r[i->dst_reg] = ctx[i->off / 4];
          break;
        case BPF_ALU64 | BPF_MOV | BPF_X:
          r[i->dst_reg] = r[i->src_reg];
          break;
        case BPF_ALU64 | BPF_MOV | BPF_K:
          r[i->dst_reg] = (uint64_t) (int64_t) i->imm;
          break;
        case BPF_ALU64 | BPF_AND | BPF_K:
          r[i->dst_reg] &= (uint64_t) (int64_t) i->imm;
          break;
        case BPF_ALU64 | BPF_RSH | BPF_K:
          r[i->dst_reg] >>= i->imm;
          break;
        case BPF_JMP | BPF_JNE | BPF_K:
          if (r[i->dst_reg] != (uint64_t) (int64_t) i->imm)
            pc += (size_t) i->off;
          break;
        case BPF_JMP | BPF_JEQ | BPF_K:
          if (r[i->dst_reg] == (uint64_t) (int64_t) i->imm)
            pc += (size_t) i->off;
          break;
        case BPF_JMP | BPF_EXIT:
          return (int) r[0];
        default:
          fail_msg ("unexpected opcode %#x at %zu", i->code, pc);
        }
    }
  fail_msg ("program ran off its end");
  return -1;
}

#define R   BPF_DEVCG_ACC_READ
#define W   BPF_DEVCG_ACC_WRITE
#define M   BPF_DEVCG_ACC_MKNOD
#define CHR BPF_DEVCG_DEV_CHAR
#define BLK BPF_DEVCG_DEV_BLOCK

static void
test_device_filter (void **state)
{
  struct oci_device_cgroup rules[] = {
    { .allow = false, .access = "rwm" },
    { .allow = true,
      .type = "c",
      .major = 1,
      .major_present = true,
      .minor = 3,
      .minor_present = true,
      .access = "rwm" },
    { .allow = true, .type = "c", .major = 136, .major_present = true, .access = "rw" },
    { .allow = false,
      .type = "c",
      .major = 1,
      .major_present = true,
      .minor = 3,
      .minor_present = true,
      .access = "w" },
    { .allow = true,
      .type = "b",
      .major = 8,
      .major_present = true,
      .minor = -1,
      .minor_present = true,
      .access = "r" },
  };
  cleanup_free struct bpf_insn *prog = NULL;
  cleanup_error oci_error_t *err = NULL;
  size_t len;

  (void) state;
  assert_int_equal (cgroup_devices_build_bpf (rules, ARRAY_SIZE (rules), &prog, &len, &err), 0);
  assert_int_equal (run_filter (prog, len, CHR, R, 1, 3), 1);
  assert_int_equal (run_filter (prog, len, CHR, M, 1, 3), 1);
  assert_int_equal (run_filter (prog, len, CHR, W, 1, 3), 0);     /* the later deny wins */
  assert_int_equal (run_filter (prog, len, CHR, R | W, 1, 3), 0); /* partly denied */
  assert_int_equal (run_filter (prog, len, CHR, R | W, 136, 7), 1);
  assert_int_equal (run_filter (prog, len, CHR, M, 136, 7), 0); /* access not granted */
  assert_int_equal (run_filter (prog, len, CHR, R, 1, 5), 0);   /* no match: deny */
  assert_int_equal (run_filter (prog, len, BLK, R, 8, 0), 1);
  assert_int_equal (run_filter (prog, len, BLK, W, 8, 0), 0);
  assert_int_equal (run_filter (prog, len, CHR, R, 8, 0), 0);

  struct oci_device_cgroup everything[] = { { .allow = true, .access = "rwm" } };
  free (prog);
  prog = NULL;
  assert_int_equal (cgroup_devices_build_bpf (everything, 1, &prog, &len, &err), 0);
  assert_int_equal (run_filter (prog, len, BLK, R | W | M, 259, 1), 1);

  struct oci_device_cgroup bad[] = { { .allow = true, .type = "x", .access = "rwm" } };
  free (prog);
  prog = NULL;
  assert_int_equal (cgroup_devices_build_bpf (bad, 1, &prog, &len, &err), -1);
  assert_error_contains (err, "linux.resources.devices[0]");
}

/* --- real cgroups (root only) --- */

static bool
cgroupfs_usable (enum cgroup_layout *layout)
{
  cleanup_error oci_error_t *err = NULL;

  if (geteuid () != 0)
    return false;
  return cgroup_detect_layout ("/sys/fs/cgroup", layout, &err) == 0;
}

static pid_t
spawn_sleeper (void)
{
  pid_t pid = fork ();

  assert_true (pid >= 0);
  if (pid == 0)
    {
      for (;;)
        pause ();
      _exit (0);
    }
  return pid;
}

static void
read_back (const char *dir, const char *file, const char *want)
{
  cleanup_free char *got = NULL;
  cleanup_error oci_error_t *err = NULL;

  assert_int_equal (cgroup_read (dir, file, &got, &err), 0);
  assert_string_equal (got, want);
}

static bool
pid_listed_quiet (const char *path, pid_t pid)
{
  cleanup_free pid_t *pids = NULL;
  cleanup_error oci_error_t *err = NULL;
  size_t n;

  if (cgroup_pids (path, &pids, &n, &err) < 0)
    return false;
  for (size_t i = 0; i < n; i++)
    if (pids[i] == pid)
      return true;
  return false;
}

static bool
pid_listed (const char *path, pid_t pid)
{
  cleanup_free pid_t *pids = NULL;
  cleanup_error oci_error_t *err = NULL;
  size_t n;

  assert_int_equal (cgroup_pids (path, &pids, &n, &err), 0);
  for (size_t i = 0; i < n; i++)
    if (pids[i] == pid)
      return true;
  return false;
}

static void
expect_killed_by (const char *path, int sig)
{
  cleanup_error oci_error_t *err = NULL;
  pid_t child = spawn_sleeper ();
  int status;

  assert_int_equal (cgroup_enter (path, NULL, child, &err), 0);
  assert_no_error (err);
  assert_true (pid_listed (path, child));
  assert_int_equal (cgroup_kill_all (path, sig, &err), 0);
  assert_no_error (err);
  assert_int_equal (waitpid (child, &status, 0), child);
  assert_true (WIFSIGNALED (status));
  assert_int_equal (WTERMSIG (status), sig);
}

static void
freeze_round_trip (const char *path)
{
  cleanup_error oci_error_t *err = NULL;
  bool frozen = false;

  assert_int_equal (cgroup_freeze (path, true, &err), 0);
  assert_no_error (err);
  assert_int_equal (cgroup_is_frozen (path, &frozen, &err), 0);
  assert_true (frozen);
  assert_int_equal (cgroup_freeze (path, false, &err), 0);
  assert_int_equal (cgroup_is_frozen (path, &frozen, &err), 0);
  assert_false (frozen);
}

static void
test_host_cgroup (void **state)
{
  enum cgroup_layout layout;
  struct oci_memory mem = { .limit = 64 << 20, .limit_present = true };
  struct oci_pids pids = { .limit = 50, .limit_present = true };
  struct oci_cpu cpu = { .shares = 512,
                         .shares_present = true,
                         .quota = 50000,
                         .quota_present = true,
                         .period = 100000,
                         .period_present = true };
  struct oci_resources res = { .memory = &mem, .pids = &pids, .cpu = &cpu };
  cleanup_cgroup_host struct cgroup_host h = { 0 };
  cleanup_error oci_error_t *err = NULL;
  cleanup_free char *path = NULL;
  cleanup_free char *memdir = NULL;
  cleanup_free char *pidsdir = NULL;
  cleanup_free char *v2dir = NULL;
  pid_t child;

  (void) state;
  if (!cgroupfs_usable (&layout) || layout == CGROUP_LAYOUT_V2)
    skip ();
  assert_int_equal (cgroup_host_load (&h, &err), 0);
  xasprintf (&path, "/hull-unit-%d", (int) getpid ());
  memdir = cgroup_v1_dir (&h, "memory", path);
  pidsdir = cgroup_v1_dir (&h, "pids", path);
  v2dir = cgroup_v2_dir (&h, path);
  if (memdir == NULL || pidsdir == NULL)
    skip ();

  assert_int_equal (cgroup_create (path, &res, 0, &err), 0);
  assert_no_error (err);
  read_back (memdir, "memory.limit_in_bytes", "67108864");
  read_back (pidsdir, "pids.max", "50");
  if (v2dir)
    assert_int_equal (access (v2dir, F_OK), 0); /* tracked in the unified hierarchy too */

  /* update */
  pids.limit = 0;
  assert_int_equal (cgroup_apply_resources (path, &(struct oci_resources){ .pids = &pids }, &err), 0);
  read_back (pidsdir, "pids.max", "max");
  mem.swap = 32 << 20;
  mem.swap_present = true;
  assert_int_equal (cgroup_apply_resources (path, &res, &err), -1);
  assert_error_contains (err, "lower than the memory limit");
  oci_error_free (&err);

  child = spawn_sleeper ();
  assert_int_equal (cgroup_enter (path, NULL, child, &err), 0);
  assert_true (pid_listed (path, child));
  {
    struct cgroup_stats st;
    assert_int_equal (cgroup_stats (path, &st, &err), 0);
    assert_int_equal (st.pids.current, 1);
    assert_int_equal (st.pids.limit, 0); /* "max" */
    assert_int_equal (st.memory.usage.limit, 64 << 20);
    assert_non_null (oci_map_get (&st.memory.raw, "rss"));
    cgroup_stats_free (&st);
  }
  freeze_round_trip (path);
  kill (child, SIGKILL);
  waitpid (child, NULL, 0);
  expect_killed_by (path, SIGTERM);
  expect_killed_by (path, SIGKILL);
  /* exec'd processes may go to a sub-cgroup (cpuset filled in on v1) */
  child = spawn_sleeper ();
  assert_int_equal (cgroup_enter (path, "exec", child, &err), 0);
  assert_no_error (err);
  assert_true (pid_listed (path, child));
  assert_int_equal (cgroup_kill_all (path, SIGKILL, &err), 0);
  waitpid (child, NULL, 0);

  assert_int_equal (cgroup_destroy (path, &err), 0);
  assert_no_error (err);
  assert_int_equal (access (memdir, F_OK), -1);
  if (v2dir)
    assert_int_equal (access (v2dir, F_OK), -1);
  assert_int_equal (cgroup_destroy (path, &err), 0); /* gone already: fine */
}

static void
test_host_v1_files (void **state)
{
  enum cgroup_layout layout;
  struct oci_device_cgroup devs[] = { { .allow = true,
                                        .type = "c",
                                        .major = 1,
                                        .major_present = true,
                                        .minor = 3,
                                        .minor_present = true,
                                        .access = "rwm" } };
  struct oci_cpu cpu = { .shares = 512,
                         .shares_present = true,
                         .quota = 50000,
                         .quota_present = true,
                         .period = 100000,
                         .period_present = true };
  struct oci_resources res = { .devices = devs, .devices_len = 1, .cpu = &cpu };
  char *keys[] = { "memory.high" }, *values[] = { "1G" };
  struct oci_resources unified = { .unified = { 1, keys, values } };
  cleanup_cgroup_host struct cgroup_host h = { 0 };
  cleanup_error oci_error_t *err = NULL;
  cleanup_free char *path = NULL;
  cleanup_free char *devdir = NULL;
  cleanup_free char *cpudir = NULL;

  (void) state;
  if (!cgroupfs_usable (&layout) || layout == CGROUP_LAYOUT_V2)
    skip ();
  assert_int_equal (cgroup_host_load (&h, &err), 0);
  xasprintf (&path, "/hull-unit-%d/nested", (int) getpid ());
  devdir = cgroup_v1_dir (&h, "devices", path);
  cpudir = cgroup_v1_dir (&h, "cpu", path);
  if (devdir == NULL || cpudir == NULL)
    skip ();
  assert_int_equal (cgroup_create (path, &res, 0, &err), 0);
  assert_no_error (err);
  read_back (devdir, "devices.list", "c 1:3 rwm");
  read_back (cpudir, "cpu.shares", "512");
  read_back (cpudir, "cpu.cfs_quota_us", "50000");
  read_back (cpudir, "cpu.cfs_period_us", "100000");
  assert_int_equal (cgroup_apply_resources (path, &unified, &err), -1);
  assert_error_contains (err, "linux.resources.unified.memory.high");
  oci_error_free (&err);
  assert_int_equal (cgroup_destroy (path, &err), 0);
  free (path);
  xasprintf (&path, "/hull-unit-%d", (int) getpid ());
  assert_int_equal (cgroup_destroy (path, &err), 0);
  assert_no_error (err);
}

/* The v2 code path on a cgroup2 mounted in a private mount namespace.
   Runs in a child (cmocka cannot fail from there): exit status = the
   number of the first failed step.  */
static char *v2_path; /* removed when a step fails */

static int
v2_step (int n, bool ok, oci_error_t **err)
{
  cleanup_error oci_error_t *ignored = NULL;

  if (ok)
    return 0;
  fprintf (stderr, "v2 step %d failed: %s\n", n, err && *err ? (*err)->msg : "");
  if (v2_path && cgroup_kill_all (v2_path, SIGKILL, &ignored) == 0)
    cgroup_destroy (v2_path, &ignored);
  _exit (n);
}

static int
probe_devices (void)
{
  int null_fd = open ("/dev/null", O_RDONLY);
  int zero_fd = open ("/dev/zero", O_RDONLY);

  if (null_fd < 0 || zero_fd >= 0 || errno != EPERM)
    {
      fprintf (stderr, "device probe: /dev/null fd %d, /dev/zero fd %d (%m)\n", null_fd, zero_fd);
      return 1;
    }
  return 0;
}

static void
v2_devices (const char *path)
{
  struct oci_device_cgroup devs[] = { { .allow = false, .access = "rwm" },
                                      { .allow = true,
                                        .type = "c",
                                        .major = 1,
                                        .major_present = true,
                                        .minor = 3,
                                        .minor_present = true,
                                        .access = "rwm" } };
  struct oci_resources res = { .devices = devs, .devices_len = 2 };
  cleanup_error oci_error_t *err = NULL;
  pid_t pid;
  int status;

  /* Twice: the second replaces the first filter.  */
  v2_step (20, cgroup_apply_resources (path, &res, &err) == 0, &err);
  v2_step (21, cgroup_apply_resources (path, &res, &err) == 0, &err);
  pid = fork ();
  if (pid == 0)
    {
      if (cgroup_enter (path, NULL, getpid (), &err) < 0)
        _exit (2);
      _exit (probe_devices ());
    }
  v2_step (22, waitpid (pid, &status, 0) == pid, NULL);
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    fprintf (stderr, "device probe child: status %#x\n", status);
  v2_step (23, WIFEXITED (status) && WEXITSTATUS (status) == 0, NULL);
}

static void
v2_lifecycle (const char *path, const char *dir)
{
  cleanup_error oci_error_t *err = NULL;
  bool frozen;
  pid_t child;
  int status;

  v2_step (10, cgroup_create (path, NULL, 0, &err) == 0, &err);
  v2_step (11, access (dir, F_OK) == 0, NULL);
  v2_devices (path);
  child = fork ();
  if (child == 0)
    for (;;)
      pause ();
  v2_step (12, cgroup_enter (path, NULL, child, &err) == 0, &err);
  {
    struct cgroup_stats st;
    v2_step (50, cgroup_stats (path, &st, &err) == 0, &err);
    cgroup_stats_free (&st);
  }
  v2_step (13, cgroup_freeze (path, true, &err) == 0 && cgroup_is_frozen (path, &frozen, &err) == 0 && frozen,
           &err);
  v2_step (14,
           cgroup_freeze (path, false, &err) == 0 && cgroup_is_frozen (path, &frozen, &err) == 0 && !frozen,
           &err);
  v2_step (15, cgroup_kill_all (path, SIGTERM, &err) == 0, &err);
  v2_step (16, waitpid (child, &status, 0) == child && WIFSIGNALED (status) && WTERMSIG (status) == SIGTERM,
           NULL);
  child = fork ();
  if (child == 0)
    for (;;)
      pause ();
  v2_step (17, cgroup_enter (path, "sub", child, &err) == 0, &err);
  v2_step (18, cgroup_kill_all (path, SIGKILL, &err) == 0, &err);
  v2_step (19, waitpid (child, &status, 0) == child && WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL,
           NULL);
  v2_step (30, cgroup_destroy (path, &err) == 0, &err);
  v2_step (31, access (dir, F_OK) < 0, NULL);
}

static void
v2_in_private_namespace (const char *mnt)
{
  cleanup_error oci_error_t *err = NULL;
  cleanup_free char *path = NULL;
  cleanup_free char *dir = NULL;
  cleanup_free char *mem = NULL;
  enum cgroup_layout layout;
  struct oci_memory m = { .limit = 1 << 20, .limit_present = true };
  struct oci_resources res = { .memory = &m };

  v2_step (1, unshare (CLONE_NEWNS) == 0, NULL);
  v2_step (2, mount ("none", "/", "none", MS_REC | MS_PRIVATE, NULL) == 0, NULL);
  v2_step (4, mount ("cgroup2", mnt, "cgroup2", 0, NULL) == 0, NULL);
  v2_step (5, cgroup_detect_layout (mnt, &layout, &err) == 0 && layout == CGROUP_LAYOUT_V2, &err);
  cgroup_set_mountpoint (mnt);
  xasprintf (&path, "/hull-unit-v2-%d", (int) getpid ());
  v2_path = path;
  xasprintf (&dir, "%s%s", mnt, path);
  v2_lifecycle (path, dir);
  /* A resource whose controller the host gives v1 fails with a message
     naming it (or works where v2 has memory).  */
  if (cgroup_create (path, &res, 0, &err) < 0)
    v2_step (40, strstr (err->msg, "memory") != NULL, &err);
  oci_error_free (&err);
  v2_step (41, cgroup_destroy (path, &err) == 0, &err);
  _exit (0);
}

/* Pure v1: a tmpfs with some of the host's v1 hierarchies mounted again
   (the same hierarchies) and no unified one, in a private mount
   namespace.  Exit status: the first failed step.  */
static void
v1_in_private_namespace (const char *mnt)
{
  static const char *const controllers[] = { "memory", "pids", "freezer", "devices" };
  cleanup_error oci_error_t *err = NULL;
  cleanup_free char *path = NULL;
  enum cgroup_layout layout;
  struct oci_pids pids = { .limit = 7, .limit_present = true };
  struct oci_resources res = { .pids = &pids };
  pid_t child;
  int status;

  v2_step (1, unshare (CLONE_NEWNS) == 0, NULL);
  v2_step (2, mount ("none", "/", "none", MS_REC | MS_PRIVATE, NULL) == 0, NULL);
  v2_step (4, mount ("tmpfs", mnt, "tmpfs", 0, "mode=0755") == 0, NULL);
  for (size_t i = 0; i < ARRAY_SIZE (controllers); i++)
    {
      cleanup_free char *dir = NULL;
      xasprintf (&dir, "%s/%s", mnt, controllers[i]);
      v2_step (5, mkdir (dir, 0755) == 0, NULL);
      v2_step (6, mount ("cgroup", dir, "cgroup", 0, controllers[i]) == 0, NULL);
    }
  v2_step (7, cgroup_detect_layout (mnt, &layout, &err) == 0 && layout == CGROUP_LAYOUT_V1, &err);
  cgroup_set_mountpoint (mnt);
  xasprintf (&path, "/hull-unit-v1-%d", (int) getpid ());
  v2_path = path;
  v2_step (10, cgroup_create (path, &res, 0, &err) == 0, &err);
  child = fork ();
  if (child == 0)
    for (;;)
      pause ();
  v2_step (11, cgroup_enter (path, NULL, child, &err) == 0, &err);
  v2_step (12, pid_listed_quiet (path, child), NULL);
  v2_step (13, cgroup_kill_all (path, SIGKILL, &err) == 0, &err); /* freezer, no cgroup.kill */
  v2_step (14, waitpid (child, &status, 0) == child && WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL,
           NULL);
  v2_step (15, cgroup_destroy (path, &err) == 0, &err);
  for (size_t i = 0; i < ARRAY_SIZE (controllers); i++)
    {
      cleanup_free char *dir = NULL;
      xasprintf (&dir, "%s/%s%s", mnt, controllers[i], path);
      v2_step (16, access (dir, F_OK) < 0, NULL);
    }
  _exit (0);
}

static void
test_v1_private_mount (void **state)
{
  char mnt[] = "/tmp/hull-cg1.XXXXXX";
  enum cgroup_layout layout;
  pid_t pid;
  int status;

  (void) state;
  if (!cgroupfs_usable (&layout) || layout == CGROUP_LAYOUT_V2)
    skip ();
  assert_non_null (mkdtemp (mnt));
  pid = fork ();
  assert_true (pid >= 0);
  if (pid == 0)
    v1_in_private_namespace (mnt);
  assert_int_equal (waitpid (pid, &status, 0), pid);
  rmdir (mnt);
  assert_true (WIFEXITED (status));
  assert_int_equal (WEXITSTATUS (status), 0);
}

static void
test_v2_private_mount (void **state)
{
  char mnt[] = "/tmp/hull-cg2.XXXXXX";
  enum cgroup_layout layout;
  pid_t pid;
  int status;

  (void) state;
  if (!cgroupfs_usable (&layout))
    skip ();
  assert_non_null (mkdtemp (mnt));
  pid = fork ();
  assert_true (pid >= 0);
  if (pid == 0)
    v2_in_private_namespace (mnt);
  assert_int_equal (waitpid (pid, &status, 0), pid);
  rmdir (mnt);
  assert_true (WIFEXITED (status));
  assert_int_equal (WEXITSTATUS (status), 0);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_shares_to_weight), cmocka_unit_test (test_blkio_weight),
    cmocka_unit_test (test_cpu_max),          cmocka_unit_test (test_swap_v2),
    cmocka_unit_test (test_hugepage_names),   cmocka_unit_test (test_device_rule),
    cmocka_unit_test (test_rdma_line),        cmocka_unit_test (test_systemd_paths),
    cmocka_unit_test (test_plain_paths),      cmocka_unit_test (test_device_filter),
    cmocka_unit_test (test_host_cgroup),      cmocka_unit_test (test_host_v1_files),
    cmocka_unit_test (test_v1_private_mount), cmocka_unit_test (test_v2_private_mount),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
