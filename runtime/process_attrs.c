/* Per-process attributes: personality, ioprio, scheduler, affinity,
   oom_score_adj, LSM labels.  */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fileutil.h"
#include "process_attrs.h"
#include "util.h"

/* sched_setattr(2)'s argument (glibc 2.36 has no wrapper, and
   <linux/sched/types.h> clashes with <sched.h>).  */
struct hull_sched_attr
{
  uint32_t size;
  uint32_t sched_policy;
  uint64_t sched_flags;
  int32_t sched_nice;
  uint32_t sched_priority;
  uint64_t sched_runtime;
  uint64_t sched_deadline;
  uint64_t sched_period;
};

struct name_flag
{
  const char *name;
  unsigned long value;
};

static const struct name_flag personality_flags[] = {
  { "ADDR_COMPAT_LAYOUT", ADDR_COMPAT_LAYOUT }, { "ADDR_LIMIT_32BIT", ADDR_LIMIT_32BIT },
  { "ADDR_LIMIT_3GB", ADDR_LIMIT_3GB },         { "ADDR_NO_RANDOMIZE", ADDR_NO_RANDOMIZE },
  { "FDPIC_FUNCPTRS", FDPIC_FUNCPTRS },         { "MMAP_PAGE_ZERO", MMAP_PAGE_ZERO },
  { "READ_IMPLIES_EXEC", READ_IMPLIES_EXEC },   { "SHORT_INODE", SHORT_INODE },
  { "STICKY_TIMEOUTS", STICKY_TIMEOUTS },       { "UNAME26", UNAME26 },
  { "WHOLE_SECONDS", WHOLE_SECONDS },
};

static const struct name_flag sched_policies[] = {
  { "SCHED_OTHER", SCHED_OTHER }, { "SCHED_FIFO", SCHED_FIFO }, { "SCHED_RR", SCHED_RR },
  { "SCHED_BATCH", SCHED_BATCH }, { "SCHED_ISO", 4 },           { "SCHED_IDLE", SCHED_IDLE },
  { "SCHED_DEADLINE", 6 },
};

static const struct name_flag sched_flags[] = {
  { "SCHED_FLAG_RESET_ON_FORK", 0x01 },  { "SCHED_FLAG_RECLAIM", 0x02 },
  { "SCHED_FLAG_DL_OVERRUN", 0x04 },     { "SCHED_FLAG_KEEP_POLICY", 0x08 },
  { "SCHED_FLAG_KEEP_PARAMS", 0x10 },    { "SCHED_FLAG_UTIL_CLAMP_MIN", 0x20 },
  { "SCHED_FLAG_UTIL_CLAMP_MAX", 0x40 },
};

static int
lookup (const struct name_flag *t, size_t n, const char *name, unsigned long *out)
{
  for (size_t i = 0; name && i < n; i++)
    if (streq (t[i].name, name))
      {
        *out = t[i].value;
        return 0;
      }
  return -1;
}

int
proc_self_open_write (const char *path)
{
  int dumpable = prctl (PR_GET_DUMPABLE, 0, 0, 0, 0);
  int fd, saved;

  if (dumpable == 0)
    prctl (PR_SET_DUMPABLE, 1, 0, 0, 0);
  fd = open (path, O_WRONLY | O_CLOEXEC);
  saved = errno;
  if (dumpable == 0)
    prctl (PR_SET_DUMPABLE, 0, 0, 0, 0);
  errno = saved;
  return fd;
}

int
attrs_set_personality (const struct oci_personality *p, oci_error_t **err)
{
  unsigned long persona;

  if (p->domain == NULL || streq (p->domain, "LINUX"))
    persona = PER_LINUX;
  else if (streq (p->domain, "LINUX32"))
    persona = PER_LINUX32;
  else
    return oci_error_set (err, EINVAL, "linux.personality.domain: unknown domain \"%s\"", p->domain);
  for (size_t i = 0; p->flags && p->flags[i]; i++)
    {
      unsigned long f;
      if (lookup (personality_flags, ARRAY_SIZE (personality_flags), p->flags[i], &f) < 0)
        return oci_error_set (err, EINVAL, "linux.personality.flags[%zu]: unknown flag \"%s\"", i,
                              p->flags[i]);
      persona |= f;
    }
  if (personality (persona) < 0)
    return oci_error_errno (err, errno, "linux.personality: personality(0x%lx)", persona);
  return 0;
}

int
attrs_set_io_priority (const struct oci_io_priority *io, oci_error_t **err)
{
  int class;

  if (io->class && streq (io->class, "IOPRIO_CLASS_RT"))
    class = 1;
  else if (io->class && streq (io->class, "IOPRIO_CLASS_BE"))
    class = 2;
  else if (io->class && streq (io->class, "IOPRIO_CLASS_IDLE"))
    class = 3;
  else
    return oci_error_set (err, EINVAL, "process.ioPriority.class: unknown class \"%s\"",
                          io->class ? io->class : "");
  if (io->priority < 0 || io->priority > 7)
    return oci_error_set (err, EINVAL, "process.ioPriority.priority: %d is not in 0-7", io->priority);
  if (syscall (SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0, (class << 13) | io->priority) < 0)
    return oci_error_errno (err, errno, "process.ioPriority: ioprio_set %s %d", io->class, io->priority);
  return 0;
}

int
attrs_set_scheduler (const struct oci_scheduler *s, oci_error_t **err)
{
  struct hull_sched_attr attr = { .size = sizeof (attr) };
  unsigned long v;

  if (lookup (sched_policies, ARRAY_SIZE (sched_policies), s->policy, &v) < 0)
    return oci_error_set (err, EINVAL, "process.scheduler.policy: unknown policy \"%s\"",
                          s->policy ? s->policy : "");
  attr.sched_policy = (uint32_t) v;
  for (size_t i = 0; s->flags && s->flags[i]; i++)
    {
      if (lookup (sched_flags, ARRAY_SIZE (sched_flags), s->flags[i], &v) < 0)
        return oci_error_set (err, EINVAL, "process.scheduler.flags[%zu]: unknown flag \"%s\"", i,
                              s->flags[i]);
      attr.sched_flags |= v;
    }
  attr.sched_nice = s->nice;
  attr.sched_priority = (uint32_t) s->priority;
  attr.sched_runtime = s->runtime;
  attr.sched_deadline = s->deadline;
  attr.sched_period = s->period;
  if (syscall (SYS_sched_setattr, 0, &attr, 0) < 0)
    return oci_error_errno (err, errno, "process.scheduler: sched_setattr %s", s->policy);
  return 0;
}

int
attrs_set_oom_score_adj (int value, oci_error_t **err)
{
  char buf[16];
  cleanup_close int fd = proc_self_open_write ("/proc/self/oom_score_adj");
  int len = snprintf (buf, sizeof (buf), "%d", value);

  if (fd < 0)
    return oci_error_errno (err, errno, "process.oomScoreAdj: open /proc/self/oom_score_adj");
  if (write (fd, buf, (size_t) len) != len)
    return oci_error_errno (err, errno, "process.oomScoreAdj: writing %d to /proc/self/oom_score_adj%s",
                            value, value < 0 ? " (lowering it needs CAP_SYS_RESOURCE)" : "");
  return 0;
}

static int
parse_cpu (const char **s, unsigned long *out)
{
  char *end;

  if (**s < '0' || **s > '9')
    return -1;
  errno = 0;
  *out = strtoul (*s, &end, 10);
  if (errno || *out >= CPU_SETSIZE)
    return -1;
  *s = end;
  return 0;
}

int
attrs_parse_cpu_list (const char *list, const char *field, cpu_set_t *out, oci_error_t **err)
{
  const char *s = list;

  CPU_ZERO (out);
  while (*s)
    {
      unsigned long lo, hi;
      if (parse_cpu (&s, &lo) < 0)
        goto bad;
      hi = lo;
      if (*s == '-' && (s++, parse_cpu (&s, &hi) < 0 || hi < lo))
        goto bad;
      for (unsigned long c = lo; c <= hi; c++)
        CPU_SET (c, out);
      if (*s == ',' && s[1] != '\0')
        s++;
      else if (*s)
        goto bad;
    }
  if (CPU_COUNT (out) == 0)
    goto bad;
  return 0;
bad:
  return oci_error_set (err, EINVAL, "%s: invalid cpu list \"%s\"", field, list);
}

int
attrs_set_cpu_affinity (const char *list, const char *field, oci_error_t **err)
{
  cpu_set_t set;

  if (attrs_parse_cpu_list (list, field, &set, err) < 0)
    return -1;
  if (sched_setaffinity (0, sizeof (set), &set) < 0)
    return oci_error_errno (err, errno, "%s: sched_setaffinity \"%s\"", field, list);
  return 0;
}

static bool
apparmor_enabled (void)
{
  char c = 0;
  cleanup_close int fd = open ("/sys/module/apparmor/parameters/enabled", O_RDONLY | O_CLOEXEC);

  if (fd >= 0)
    return read (fd, &c, 1) == 1 && c == 'Y';
  /* No sysfs in the container: ask procfs.  */
  return access ("/proc/self/attr/apparmor/current", R_OK) == 0;
}

static int
write_attr (const char *path, const char *data, oci_error_t **err)
{
  cleanup_close int fd = proc_self_open_write (path);
  size_t len = strlen (data);

  if (fd < 0)
    return -1;
  if (write (fd, data, len) != (ssize_t) len)
    return oci_error_errno (err, errno, "writing \"%s\" to %s", data, path);
  return 0;
}

int
attrs_set_apparmor (const char *profile, oci_error_t **err)
{
  cleanup_free char *cmd = NULL;
  int ret;

  if (!apparmor_enabled ())
    return oci_error_set (
        err, ENOTSUP, "apparmor profile \"%s\" requested but AppArmor is not enabled on this host", profile);
  xasprintf (&cmd, "exec %s", profile);
  ret = write_attr ("/proc/self/attr/apparmor/exec", cmd, err);
  if (ret < 0 && *err == NULL)
    ret = write_attr ("/proc/self/attr/exec", cmd, err);
  if (ret < 0 && *err == NULL)
    return oci_error_errno (err, errno, "process.apparmorProfile: no /proc/self/attr/exec");
  return ret < 0 ? oci_error_prefix (err, "process.apparmorProfile") : 0;
}

static bool
selinux_enabled (void)
{
  cleanup_free char *fs = NULL;
  cleanup_error oci_error_t *err = NULL;

  if (read_file_max ("/proc/filesystems", 1 << 16, &fs, NULL, &err) < 0 || strstr (fs, "selinuxfs") == NULL)
    return false;
  return access ("/proc/self/attr/selinux", F_OK) == 0 || access ("/sys/fs/selinux/enforce", F_OK) == 0;
}

int
attrs_set_selinux (const char *label, oci_error_t **err)
{
  if (!selinux_enabled ())
    return oci_error_set (err, ENOTSUP,
                          "selinux label \"%s\" requested but SELinux is not enabled on this host", label);
  if (write_attr ("/proc/self/attr/exec", label, err) < 0)
    {
      if (*err == NULL)
        oci_error_errno (err, errno, "open /proc/self/attr/exec");
      return oci_error_prefix (err, "process.selinuxLabel");
    }
  return 0;
}
