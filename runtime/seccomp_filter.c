/* linux.seccomp -> a BPF program: built with libseccomp and exported (by
   the runtime's parent, before the init is cloned; seccomp_cache.c keeps
   the result), loaded with seccomp(2) by the container process (the last
   step before execve, or before the capabilities are dropped when
   noNewPrivileges is off).  */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <linux/seccomp.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "fileutil.h"
#include "seccomp_filter.h"
#include "strbuf.h"
#include "util.h"

struct name_value
{
  const char *name;
  uint32_t value;
};

static const struct name_value seccomp_operators[] = {
  { "SCMP_CMP_NE", SCMP_CMP_NE },
  { "SCMP_CMP_LT", SCMP_CMP_LT },
  { "SCMP_CMP_LE", SCMP_CMP_LE },
  { "SCMP_CMP_EQ", SCMP_CMP_EQ },
  { "SCMP_CMP_GE", SCMP_CMP_GE },
  { "SCMP_CMP_GT", SCMP_CMP_GT },
  { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};

static int
lookup_name (const struct name_value *table, size_t n, const char *name, uint32_t *out)
{
  for (size_t i = 0; i < n; i++)
    if (streq (table[i].name, name))
      {
        *out = table[i].value;
        return 0;
      }
  return -1;
}

/* An OCI action name (+ errnoRet) -> SCMP_ACT_*.  */
int
seccomp_action_from_name (const char *name, bool errno_present, uint32_t errno_ret, uint32_t *out)
{
  uint32_t ret = errno_present ? errno_ret : EPERM;

  if (streq (name, "SCMP_ACT_ALLOW"))
    *out = SCMP_ACT_ALLOW;
  else if (streq (name, "SCMP_ACT_KILL") || streq (name, "SCMP_ACT_KILL_THREAD"))
    *out = SCMP_ACT_KILL_THREAD;
  else if (streq (name, "SCMP_ACT_KILL_PROCESS"))
    *out = SCMP_ACT_KILL_PROCESS;
  else if (streq (name, "SCMP_ACT_TRAP"))
    *out = SCMP_ACT_TRAP;
  else if (streq (name, "SCMP_ACT_ERRNO"))
    *out = SCMP_ACT_ERRNO (ret);
  else if (streq (name, "SCMP_ACT_TRACE"))
    *out = SCMP_ACT_TRACE (ret);
  else if (streq (name, "SCMP_ACT_LOG"))
    *out = SCMP_ACT_LOG;
  else if (streq (name, "SCMP_ACT_NOTIFY"))
    *out = SCMP_ACT_NOTIFY;
  else
    return -1;
  return 0;
}

/* "SCMP_ARCH_X86_64" -> SCMP_ARCH_X86_64 through libseccomp's own names.  */
int
seccomp_arch_from_name (const char *name, uint32_t *out)
{
  char lower[64];
  size_t i;

  if (!has_prefix (name, "SCMP_ARCH_") || strlen (name) - 10 >= sizeof (lower))
    return -1;
  for (i = 0; name[10 + i]; i++)
    lower[i] = (char) (name[10 + i] >= 'A' && name[10 + i] <= 'Z' ? name[10 + i] - 'A' + 'a' : name[10 + i]);
  lower[i] = '\0';
  *out = seccomp_arch_resolve_name (lower);
  return *out == 0 ? -1 : 0;
}

static int
set_flag (scmp_filter_ctx ctx, const char *flag, oci_error_t **err)
{
  enum scmp_filter_attr attr;
  int ret;

  if (streq (flag, "SECCOMP_FILTER_FLAG_TSYNC"))
    attr = SCMP_FLTATR_CTL_TSYNC;
  else if (streq (flag, "SECCOMP_FILTER_FLAG_LOG"))
    attr = SCMP_FLTATR_CTL_LOG;
  else if (streq (flag, "SECCOMP_FILTER_FLAG_SPEC_ALLOW"))
    attr = SCMP_FLTATR_CTL_SSB;
#if SCMP_VER_MAJOR > 2 || (SCMP_VER_MAJOR == 2 && SCMP_VER_MINOR >= 6)
  else if (streq (flag, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"))
    attr = SCMP_FLTATR_CTL_WAITKILL;
#endif
  else
    return oci_error_set (err, EINVAL,
                          "linux.seccomp.flags: flag \"%s\" is not supported by this libseccomp (%d.%d.%d)",
                          flag, SCMP_VER_MAJOR, SCMP_VER_MINOR, SCMP_VER_MICRO);
  ret = seccomp_attr_set (ctx, attr, 1);
  if (ret < 0)
    return oci_error_set (err, -ret, "linux.seccomp.flags: cannot set \"%s\": %s", flag, strerror (-ret));
  return 0;
}

static int
build_arg (const struct oci_seccomp_arg *a, const char *where, struct scmp_arg_cmp *out, oci_error_t **err)
{
  uint32_t op;

  if (a->op == NULL || lookup_name (seccomp_operators, ARRAY_SIZE (seccomp_operators), a->op, &op) < 0)
    return oci_error_set (err, EINVAL, "%s.op: unknown seccomp operator \"%s\"", where, a->op ? a->op : "");
  if (a->index > 5)
    return oci_error_set (err, EINVAL, "%s.index: %u is not a syscall argument index (0-5)", where, a->index);
  out->arg = a->index;
  out->op = op;
  out->datum_a = a->value;
  out->datum_b = a->value_two;
  return 0;
}

/* Whether two args of a rule compare the same syscall argument: runc then
   adds one rule per arg (OR) instead of one rule with all of them (AND).  */
static bool
args_share_index (const struct oci_seccomp_syscall *s)
{
  for (size_t i = 0; i < s->args_len; i++)
    for (size_t j = i + 1; j < s->args_len; j++)
      if (s->args[i].index == s->args[j].index)
        return true;
  return false;
}

static int
add_rule (scmp_filter_ctx ctx, uint32_t action, int nr, unsigned n, const struct scmp_arg_cmp *cmps,
          const char *where, const char *name, oci_error_t **err)
{
  int ret = seccomp_rule_add_array (ctx, action, nr, n, cmps);

  /* EACCES: the action is the default action; runc ignores those too.  */
  if (ret < 0 && ret != -EACCES)
    return oci_error_set (err, -ret, "%s: cannot add a rule for syscall \"%s\": %s", where, name,
                          strerror (-ret));
  return 0;
}

static int
add_syscall_rules (scmp_filter_ctx ctx, const struct oci_seccomp_syscall *s, size_t idx, oci_error_t **err)
{
  struct scmp_arg_cmp cmps[6];
  char where[64];
  uint32_t action;

  snprintf (where, sizeof (where), "linux.seccomp.syscalls[%zu]", idx);
  if (s->action == NULL
      || seccomp_action_from_name (s->action, s->errno_ret_present, s->errno_ret, &action) < 0)
    return oci_error_set (err, EINVAL, "%s.action: unknown seccomp action \"%s\"", where,
                          s->action ? s->action : "");
  if (s->args_len > 6 && !args_share_index (s))
    return oci_error_set (err, EINVAL, "%s.args: more than 6 arguments", where);
  for (size_t i = 0; i < s->args_len && i < 6; i++)
    {
      char argwhere[96];
      snprintf (argwhere, sizeof (argwhere), "%s.args[%zu]", where, i);
      if (build_arg (&s->args[i], argwhere, &cmps[i], err) < 0)
        return -1;
    }
  for (char **name = s->names; name && *name; name++)
    {
      int nr = seccomp_syscall_resolve_name (*name);

      if (nr == __NR_SCMP_ERROR)
        continue; /* unknown to libseccomp or this kernel: skipped, as runc does */
      if (s->args_len == 0 || !args_share_index (s))
        {
          if (add_rule (ctx, action, nr, (unsigned) s->args_len, cmps, where, *name, err) < 0)
            return -1;
          continue;
        }
      for (size_t i = 0; i < s->args_len; i++)
        {
          struct scmp_arg_cmp one;
          char argwhere[96];
          snprintf (argwhere, sizeof (argwhere), "%s.args[%zu]", where, i);
          if (build_arg (&s->args[i], argwhere, &one, err) < 0
              || add_rule (ctx, action, nr, 1, &one, where, *name, err) < 0)
            return -1;
        }
    }
  return 0;
}

static int
add_architectures (scmp_filter_ctx ctx, char **archs, oci_error_t **err)
{
  for (size_t i = 0; archs && archs[i]; i++)
    {
      uint32_t arch;
      int ret;

      if (seccomp_arch_from_name (archs[i], &arch) < 0)
        return oci_error_set (err, EINVAL, "linux.seccomp.architectures[%zu]: unknown architecture \"%s\"", i,
                              archs[i]);
      ret = seccomp_arch_add (ctx, arch);
      if (ret < 0 && ret != -EEXIST)
        return oci_error_set (err, -ret, "linux.seccomp.architectures[%zu]: cannot add \"%s\": %s", i,
                              archs[i], strerror (-ret));
    }
  return 0;
}

static bool
uses_notify (const struct oci_seccomp *spec)
{
  for (size_t i = 0; i < spec->syscalls_len; i++)
    if (spec->syscalls[i].action && streq (spec->syscalls[i].action, "SCMP_ACT_NOTIFY"))
      return true;
  return false;
}

static int
build_into (const struct oci_seccomp *spec, scmp_filter_ctx ctx, oci_error_t **err)
{
  int ret;

  /* hull sets no_new_privs itself, only when the spec asks.  */
  ret = seccomp_attr_set (ctx, SCMP_FLTATR_CTL_NNP, 0);
  if (ret < 0)
    return oci_error_set (err, -ret, "linux.seccomp: cannot clear the NNP attribute: %s", strerror (-ret));
  if (add_architectures (ctx, spec->architectures, err) < 0)
    return -1;
  for (size_t i = 0; spec->flags && spec->flags[i]; i++)
    if (set_flag (ctx, spec->flags[i], err) < 0)
      return -1;
  if (uses_notify (spec) && spec->listener_path == NULL)
    return oci_error_set (err, EINVAL, "linux.seccomp: SCMP_ACT_NOTIFY requires linux.seccomp.listenerPath");
  for (size_t i = 0; i < spec->syscalls_len; i++)
    if (add_syscall_rules (ctx, &spec->syscalls[i], i, err) < 0)
      return -1;
  return 0;
}

int
seccomp_filter_build (const struct oci_seccomp *spec, scmp_filter_ctx *out, oci_error_t **err)
{
  uint32_t def;
  scmp_filter_ctx ctx;

  *out = NULL;
  if (spec->default_action == NULL
      || seccomp_action_from_name (spec->default_action, spec->default_errno_ret_present,
                                   spec->default_errno_ret, &def)
             < 0)
    return oci_error_set (err, EINVAL, "linux.seccomp.defaultAction: unknown seccomp action \"%s\"",
                          spec->default_action ? spec->default_action : "");
  if (def == SCMP_ACT_NOTIFY)
    return oci_error_set (err, EINVAL,
                          "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action");
  ctx = seccomp_init (def);
  if (ctx == NULL)
    return oci_error_set (err, ENOMEM, "linux.seccomp: seccomp_init failed");
  if (build_into (spec, ctx, err) < 0)
    {
      seccomp_release (ctx);
      return -1;
    }
  *out = ctx;
  return 0;
}

static void
json_add_string (struct strbuf *sb, const char *s)
{
  strbuf_addch (sb, '"');
  for (; *s; s++)
    {
      unsigned char c = (unsigned char) *s;
      if (c == '"' || c == '\\')
        {
          strbuf_addch (sb, '\\');
          strbuf_addch (sb, (char) c);
        }
      else if (c < 0x20)
        strbuf_addf (sb, "\\u%04x", c);
      else
        strbuf_addch (sb, (char) c);
    }
  strbuf_addch (sb, '"');
}

/* runtime-spec "containerProcessState", sent with the notify fd.  */
static char *
container_process_state (const struct oci_seccomp *spec, pid_t pid, const char *state_json)
{
  struct strbuf sb = STRBUF_INIT;

  strbuf_addf (&sb, "{\"ociVersion\":\"1.2.0\",\"fds\":[\"seccompFd\"],\"pid\":%d,\"metadata\":", (int) pid);
  json_add_string (&sb, spec->listener_metadata ? spec->listener_metadata : "");
  strbuf_addf (&sb, ",\"state\":%s}", state_json ? state_json : "{}");
  return strbuf_detach (&sb, NULL);
}

/* The connection to listenerPath, made while the init still sees the
   host's filesystem (the path is a host path); -1 until then.  */
static int listener_fd = -1;

static int
connect_listener (const char *path, oci_error_t **err)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  cleanup_close int sock = -1;

  if (strlen (path) >= sizeof (addr.sun_path))
    return oci_error_set (err, ENAMETOOLONG, "linux.seccomp.listenerPath: \"%s\" is too long", path);
  strcpy (addr.sun_path, path);
  sock = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (sock < 0 || connect (sock, (struct sockaddr *) &addr, sizeof (addr)) < 0)
    return oci_error_errno (err, errno, "linux.seccomp.listenerPath: connect to \"%s\"", path);
  return steal_fd (&sock);
}

int
seccomp_listener_connect (const struct oci_seccomp *spec, oci_error_t **err)
{
  if (spec == NULL || spec->listener_path == NULL || !uses_notify (spec) || listener_fd >= 0)
    return 0;
  listener_fd = connect_listener (spec->listener_path, err);
  return listener_fd < 0 ? -1 : 0;
}

static int
send_to_listener (const struct oci_seccomp *spec, int notify_fd, pid_t pid, const char *state_json,
                  oci_error_t **err)
{
  cleanup_free char *msg = container_process_state (spec, pid, state_json);
  char control[CMSG_SPACE (sizeof (int))] = { 0 };
  struct iovec iov = { .iov_base = msg, .iov_len = strlen (msg) };
  struct msghdr mh
      = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof (control) };
  struct cmsghdr *cm;
  int ret = 0;

  if (listener_fd < 0 && seccomp_listener_connect (spec, err) < 0)
    return -1;
  cm = CMSG_FIRSTHDR (&mh);
  cm->cmsg_level = SOL_SOCKET;
  cm->cmsg_type = SCM_RIGHTS;
  cm->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (cm), &notify_fd, sizeof (int));
  if (sendmsg (listener_fd, &mh, MSG_NOSIGNAL) < 0)
    ret = oci_error_errno (err, errno, "linux.seccomp.listenerPath: send the notify fd to \"%s\"",
                           spec->listener_path);
  close (listener_fd);
  listener_fd = -1;
  return ret;
}

/* --- export and load --- */

void
seccomp_bpf_clear (struct seccomp_bpf *bpf)
{
  free (bpf->insns);
  bpf->insns = NULL;
  bpf->len = 0;
}

/* libseccomp 2.5 exports to an fd only: a memfd, read back whole.  */
int
seccomp_filter_export (scmp_filter_ctx ctx, struct seccomp_bpf *out, oci_error_t **err)
{
  cleanup_close int fd = memfd_create ("hull-seccomp-bpf", MFD_CLOEXEC);
  struct stat st;
  int ret;

  out->insns = NULL;
  out->len = 0;
  if (fd < 0)
    return oci_error_errno (err, errno, "linux.seccomp: memfd_create for the BPF export");
  ret = seccomp_export_bpf (ctx, fd);
  if (ret < 0)
    return oci_error_set (err, -ret, "linux.seccomp: exporting the BPF program: %s", strerror (-ret));
  if (fstat (fd, &st) < 0)
    return oci_error_errno (err, errno, "linux.seccomp: fstat of the exported BPF program");
  if (st.st_size <= 0 || st.st_size % (off_t) sizeof (struct sock_filter) != 0)
    return oci_error_set (err, EINVAL,
                          "linux.seccomp: the exported BPF program has %lld bytes, not a whole "
                          "number of instructions",
                          (long long) st.st_size);
  out->len = (size_t) st.st_size / sizeof (struct sock_filter);
  out->insns = xcalloc (out->len, sizeof (struct sock_filter));
  if (pread (fd, out->insns, (size_t) st.st_size, 0) != st.st_size)
    {
      seccomp_bpf_clear (out);
      return oci_error_errno (err, errno, "linux.seccomp: reading the exported BPF program");
    }
  return 0;
}

int
seccomp_filter_compile (const struct oci_seccomp *spec, struct seccomp_bpf *out, oci_error_t **err)
{
  scmp_filter_ctx ctx = NULL;
  int ret;

  out->insns = NULL;
  out->len = 0;
  if (seccomp_filter_build (spec, &ctx, err) < 0)
    return -1;
  ret = seccomp_filter_export (ctx, out, err);
  seccomp_release (ctx);
  return ret;
}

static const struct name_value kernel_flag_names[] = {
  { "SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC },
  { "SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG },
  { "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW },
#if (SCMP_VER_MAJOR > 2 || (SCMP_VER_MAJOR == 2 && SCMP_VER_MINOR >= 6))                                     \
    && defined(SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)
  { "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV },
#endif
};

/* The kernel checks the flags before it reads the program: EFAULT for a
   NULL program means the flag is known (libseccomp probes the same way).  */
static bool
kernel_has_flag (unsigned int flag)
{
  return syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, flag, NULL) < 0 && errno == EFAULT;
}

int
seccomp_filter_kernel_flags (const struct oci_seccomp *spec, unsigned int *flags, oci_error_t **err)
{
  *flags = 0;
  for (size_t i = 0; spec->flags && spec->flags[i]; i++)
    {
      uint32_t f;

      if (lookup_name (kernel_flag_names, ARRAY_SIZE (kernel_flag_names), spec->flags[i], &f) < 0)
        return oci_error_set (
            err, EINVAL, "linux.seccomp.flags: flag \"%s\" is not supported by this libseccomp (%d.%d.%d)",
            spec->flags[i], SCMP_VER_MAJOR, SCMP_VER_MINOR, SCMP_VER_MICRO);
      if (!kernel_has_flag (f))
        return oci_error_set (err, EOPNOTSUPP,
                              "linux.seccomp.flags: cannot set \"%s\": not supported by this kernel",
                              spec->flags[i]);
      *flags |= f;
    }
  if (uses_notify (spec))
    {
      if (!kernel_has_flag (SECCOMP_FILTER_FLAG_NEW_LISTENER))
        return oci_error_set (err, EOPNOTSUPP,
                              "linux.seccomp: SCMP_ACT_NOTIFY needs "
                              "SECCOMP_FILTER_FLAG_NEW_LISTENER, not supported by this kernel");
      *flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
      /* TSYNC with a listener: the kernel wants TSYNC_ESRCH (as libseccomp sets).  */
      if (*flags & SECCOMP_FILTER_FLAG_TSYNC)
        {
          if (!kernel_has_flag (SECCOMP_FILTER_FLAG_TSYNC_ESRCH))
            return oci_error_set (
                err, EOPNOTSUPP,
                "linux.seccomp.flags: \"SECCOMP_FILTER_FLAG_TSYNC\" with "
                "SCMP_ACT_NOTIFY needs SECCOMP_FILTER_FLAG_TSYNC_ESRCH, not supported by this kernel");
          *flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
        }
    }
  return 0;
}

int
seccomp_filter_load_bpf (const struct oci_seccomp *spec, const struct seccomp_bpf *bpf, unsigned int flags,
                         pid_t pid, const char *state_json, oci_error_t **err)
{
  struct sock_fprog prog = { .len = (unsigned short) bpf->len, .filter = bpf->insns };
  long ret;
  int notify_fd;

  if (bpf->len == 0 || bpf->len > USHRT_MAX)
    return oci_error_set (err, EINVAL, "linux.seccomp: loading the filter: %zu instructions", bpf->len);
  ret = syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
  if (ret < 0)
    return oci_error_errno (err, errno, "linux.seccomp: loading the filter");
  if (!(flags & SECCOMP_FILTER_FLAG_NEW_LISTENER))
    {
      if (ret > 0) /* TSYNC: the thread that could not be synchronised */
        return oci_error_set (err, ESRCH,
                              "linux.seccomp: SECCOMP_FILTER_FLAG_TSYNC: thread %ld cannot be "
                              "synchronised",
                              ret);
      return 0;
    }
  notify_fd = (int) ret;
  ret = send_to_listener (spec, notify_fd, pid, state_json, err);
  close (notify_fd);
  return (int) ret;
}
