/* linux.resources.devices: the v1 devices.allow/devices.deny lists, and
   on v2 an eBPF program (BPF_PROG_TYPE_CGROUP_DEVICE) built from the same
   rules and attached to the cgroup, replacing the one attached before.  */
#include "config.h"
#include "cgroup_convert.h"
#include "cgroup_internal.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <sys/syscall.h>

int
cgroup_v1_devices_apply (const char *dir, const struct oci_device_cgroup *devs, size_t n, oci_error_t **err)
{
  if (cgroup_write (dir, "devices.deny", "a", err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    {
      cleanup_free char *rule = cgroup_device_rule (&devs[i]);
      if (cgroup_write (dir, devs[i].allow ? "devices.allow" : "devices.deny", rule, err) < 0)
        return -1;
    }
  return 0;
}

/* --- the eBPF program --- */

struct bpf_prog_buf
{
  struct bpf_insn *insns;
  size_t len;
};

static size_t
emit (struct bpf_prog_buf *p, struct bpf_insn insn)
{
  p->insns = xreallocarray (p->insns, p->len + 1, sizeof insn);
  p->insns[p->len] = insn;
  return p->len++;
}

static struct bpf_insn
insn (uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
  struct bpf_insn i = { .code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm };
  return i;
}

/* Registers: r2 access bits, r3 device type, r4 major, r5 minor.  */
static void
emit_prologue (struct bpf_prog_buf *p)
{
  emit (p, insn (BPF_LDX | BPF_MEM | BPF_W, BPF_REG_2, BPF_REG_1, 0, 0)); /* access_type */
  emit (p, insn (BPF_LDX | BPF_MEM | BPF_W, BPF_REG_4, BPF_REG_1, 4, 0)); /* major */
  emit (p, insn (BPF_LDX | BPF_MEM | BPF_W, BPF_REG_5, BPF_REG_1, 8, 0)); /* minor */
  emit (p, insn (BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_3, BPF_REG_2, 0, 0));
  emit (p, insn (BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_3, 0, 0, 0xffff));
  emit (p, insn (BPF_ALU64 | BPF_RSH | BPF_K, BPF_REG_2, 0, 0, 16));
}

static int
access_bits (const char *access)
{
  int bits = 0;

  if (access == NULL || *access == '\0')
    return BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE;
  for (const char *a = access; *a; a++)
    switch (*a)
      {
      case 'r':
        bits |= BPF_DEVCG_ACC_READ;
        break;
      case 'w':
        bits |= BPF_DEVCG_ACC_WRITE;
        break;
      case 'm':
        bits |= BPF_DEVCG_ACC_MKNOD;
        break;
      default:
        return -1;
      }
  return bits;
}

/* One rule: fall through to the next block unless the request matches;
   on a match return the rule's verdict.  An allow rule matches when it
   grants every requested access, a deny rule when it denies any.  Returns
   1 when the rule matches every request (nothing after it is reachable). */
static int
emit_rule (struct bpf_prog_buf *p, const struct oci_device_cgroup *d, size_t index, oci_error_t **err)
{
  const char *type = d->type && *d->type ? d->type : "a";
  int bits = access_bits (d->access);
  const int all = BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE;
  size_t jumps[4], njumps = 0;

  if (bits < 0 || strlen (type) != 1 || strchr ("abc", type[0]) == NULL)
    return oci_error_set (err, EINVAL, "linux.resources.devices[%zu]: invalid type `%s` or access `%s`",
                          index, type, d->access ? d->access : "");
  if (type[0] != 'a')
    jumps[njumps++] = emit (p, insn (BPF_JMP | BPF_JNE | BPF_K, BPF_REG_3, 0, 0,
                                     type[0] == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK));
  if (bits != all)
    {
      emit (p, insn (BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_6, BPF_REG_2, 0, 0));
      emit (p, insn (BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_6, 0, 0, d->allow ? (~bits & all) : bits));
      jumps[njumps++] = emit (p, insn (BPF_JMP | (d->allow ? BPF_JNE : BPF_JEQ) | BPF_K, BPF_REG_6, 0, 0, 0));
    }
  if (d->major_present && d->major >= 0)
    jumps[njumps++] = emit (p, insn (BPF_JMP | BPF_JNE | BPF_K, BPF_REG_4, 0, 0, (int32_t) d->major));
  if (d->minor_present && d->minor >= 0)
    jumps[njumps++] = emit (p, insn (BPF_JMP | BPF_JNE | BPF_K, BPF_REG_5, 0, 0, (int32_t) d->minor));
  emit (p, insn (BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, d->allow ? 1 : 0));
  emit (p, insn (BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
  for (size_t j = 0; j < njumps; j++)
    p->insns[jumps[j]].off = (int16_t) (p->len - jumps[j] - 1);
  return njumps == 0;
}

/* The last matching rule decides (as the v1 list, built in order), so the
   rules are checked from the last one; no match denies.  */
int
cgroup_devices_build_bpf (const struct oci_device_cgroup *devs, size_t n, struct bpf_insn **out, size_t *len,
                          oci_error_t **err)
{
  struct bpf_prog_buf p = { NULL, 0 };
  int last = 0;

  emit_prologue (&p);
  /* The verifier rejects unreachable code: stop after a catch-all rule. */
  for (size_t i = n; last == 0 && i-- > 0;)
    if ((last = emit_rule (&p, &devs[i], i, err)) < 0)
      {
        free (p.insns);
        return -1;
      }
  if (last == 0)
    {
      emit (&p, insn (BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0));
      emit (&p, insn (BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
    }
  *out = p.insns;
  *len = p.len;
  return 0;
}

static int
sys_bpf (int cmd, union bpf_attr *attr)
{
  return (int) syscall (SYS_bpf, cmd, attr, sizeof *attr);
}

static int
load_program (const struct bpf_insn *insns, size_t len, oci_error_t **err)
{
  static char log[8192];
  union bpf_attr attr;
  int fd;

  memset (&attr, 0, sizeof attr);
  attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  attr.insns = (uint64_t) (uintptr_t) insns;
  attr.insn_cnt = (uint32_t) len;
  attr.license = (uint64_t) (uintptr_t) "GPL";
  fd = sys_bpf (BPF_PROG_LOAD, &attr);
  if (fd >= 0)
    return fd;
  /* Again with the verifier's log, for the message.  */
  log[0] = '\0';
  attr.log_buf = (uint64_t) (uintptr_t) log;
  attr.log_size = sizeof log;
  attr.log_level = 1;
  fd = sys_bpf (BPF_PROG_LOAD, &attr);
  if (fd >= 0)
    return fd;
  return oci_error_errno (err, errno, "load the device filter (BPF_PROG_TYPE_CGROUP_DEVICE)%s%s",
                          log[0] ? ": " : "", log);
}

static int
query_attached (int cgfd, uint32_t *ids, uint32_t *n, const char *dir, oci_error_t **err)
{
  union bpf_attr attr;

  memset (&attr, 0, sizeof attr);
  attr.query.target_fd = (uint32_t) cgfd;
  attr.query.attach_type = BPF_CGROUP_DEVICE;
  attr.query.prog_ids = (uint64_t) (uintptr_t) ids;
  attr.query.prog_cnt = *n;
  if (sys_bpf (BPF_PROG_QUERY, &attr) < 0)
    return oci_error_errno (err, errno, "query the device filters of `%s`", dir);
  *n = attr.query.prog_cnt;
  return 0;
}

static int
detach_by_id (int cgfd, uint32_t id, const char *dir, oci_error_t **err)
{
  cleanup_close int progfd = -1;
  union bpf_attr attr;

  memset (&attr, 0, sizeof attr);
  attr.prog_id = id;
  progfd = sys_bpf (BPF_PROG_GET_FD_BY_ID, &attr);
  if (progfd < 0)
    return errno == ENOENT ? 0 : oci_error_errno (err, errno, "get the device filter %u of `%s`", id, dir);
  memset (&attr, 0, sizeof attr);
  attr.target_fd = (uint32_t) cgfd;
  attr.attach_bpf_fd = (uint32_t) progfd;
  attr.attach_type = BPF_CGROUP_DEVICE;
  if (sys_bpf (BPF_PROG_DETACH, &attr) < 0 && errno != ENOENT)
    return oci_error_errno (err, errno, "detach the old device filter %u from `%s`", id, dir);
  return 0;
}

int
cgroup_v2_devices_apply (const char *dir, const struct oci_device_cgroup *devs, size_t n, oci_error_t **err)
{
  cleanup_free struct bpf_insn *insns = NULL;
  cleanup_close int cgfd = -1;
  cleanup_close int progfd = -1;
  uint32_t old[64], nold = ARRAY_SIZE (old);
  union bpf_attr attr;
  size_t len;

  if (cgroup_devices_build_bpf (devs, n, &insns, &len, err) < 0)
    return -1;
  cgfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (cgfd < 0)
    return oci_error_errno (err, errno, "open `%s`", dir);
  if (query_attached (cgfd, old, &nold, dir, err) < 0)
    return -1;
  progfd = load_program (insns, len, err);
  if (progfd < 0)
    return -1;
  /* Attach the new filter before removing the old ones: never a moment
     without one.  */
  memset (&attr, 0, sizeof attr);
  attr.target_fd = (uint32_t) cgfd;
  attr.attach_bpf_fd = (uint32_t) progfd;
  attr.attach_type = BPF_CGROUP_DEVICE;
  attr.attach_flags = BPF_F_ALLOW_MULTI;
  if (sys_bpf (BPF_PROG_ATTACH, &attr) < 0)
    return oci_error_errno (err, errno, "attach the device filter to `%s`", dir);
  for (uint32_t i = 0; i < nold && i < ARRAY_SIZE (old); i++)
    if (detach_by_id (cgfd, old[i], dir, err) < 0)
      return -1;
  return 0;
}
