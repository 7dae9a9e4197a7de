/* Namespaces: OCI type names <-> CLONE_* flags, validation, joining by
   path, user namespace id mappings and time namespace offsets.

   Who creates what: in the common case (no namespace has a path) the
   parent's single clone() creates every new namespace (ns_new_flags) and
   ns_join_and_unshare has nothing to do.  With paths, the child setns()es
   into them (the user namespace first) and unshare()s the new ones clone
   did not create.  When the user namespace is joined by path, clone
   creates nothing, so that every new namespace is owned by the joined user
   namespace.  time is never in the clone flags: CLONE_NEWTIME collides
   with clone()'s exit-signal byte, ns_setup_time unshares it.

   A pid namespace only applies to children: when the pid namespace is
   joined by path (or must be unshared after joining a user namespace) the
   child forks once more; the grandchild continues as the container's init
   and the intermediate reports its pid (SYNC_CHILD_PID) and exits.  */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileutil.h"
#include "namespaces.h"
#include "process_attrs.h"
#include "seccomp_filter.h"
#include "strbuf.h"
#include "util.h"

static const struct
{
  const char *type;
  int flag;
} ns_types[] = {
  { "user", CLONE_NEWUSER }, { "pid", CLONE_NEWPID },  { "network", CLONE_NEWNET },
  { "ipc", CLONE_NEWIPC },   { "uts", CLONE_NEWUTS },  { "cgroup", CLONE_NEWCGROUP },
  { "time", CLONE_NEWTIME }, { "mount", CLONE_NEWNS },
};

int
ns_flag_from_type (const char *type)
{
  for (size_t i = 0; type && i < ARRAY_SIZE (ns_types); i++)
    if (streq (ns_types[i].type, type))
      return ns_types[i].flag;
  return 0;
}

static const struct oci_namespace *
find_ns (const struct oci_spec *spec, int flag)
{
  if (spec->linux == NULL)
    return NULL;
  for (size_t i = 0; i < spec->linux->namespaces_len; i++)
    if (ns_flag_from_type (spec->linux->namespaces[i].type) == flag)
      return &spec->linux->namespaces[i];
  return NULL;
}

static bool
is_new (const struct oci_spec *spec, int flag)
{
  const struct oci_namespace *ns = find_ns (spec, flag);
  return ns != NULL && (ns->path == NULL || ns->path[0] == '\0');
}

static bool
is_joined (const struct oci_spec *spec, int flag)
{
  const struct oci_namespace *ns = find_ns (spec, flag);
  return ns != NULL && ns->path != NULL && ns->path[0] != '\0';
}

/* Every namespace to create, CLONE_NEWTIME included.  */
static unsigned long
all_new_flags (const struct oci_spec *spec)
{
  unsigned long flags = 0;

  for (size_t i = 0; i < ARRAY_SIZE (ns_types); i++)
    if (is_new (spec, ns_types[i].flag))
      flags |= (unsigned long) ns_types[i].flag;
  return flags;
}

unsigned long
ns_new_flags (const struct oci_spec *spec)
{
  if (is_joined (spec, CLONE_NEWUSER))
    return 0;
  return all_new_flags (spec) & ~(unsigned long) CLONE_NEWTIME;
}

/* Open a namespace path and check that it is a namespace of that type.  */
static int
open_ns_path (const char *path, int flag, const char *where, oci_error_t **err)
{
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC);
  int type;

  if (fd < 0)
    return oci_error_errno (err, errno, "%s: open \"%s\"", where, path);
  type = ioctl (fd, NS_GET_NSTYPE);
  if (type < 0)
    return oci_error_set (err, EINVAL, "%s: \"%s\" is not a namespace", where, path);
  if (type != flag)
    return oci_error_set (err, EINVAL, "%s: \"%s\" is not a namespace of that type", where, path);
  return steal_fd (&fd);
}

static int
validate_entries (const struct oci_linux *lx, oci_error_t **err)
{
  unsigned long seen = 0;

  for (size_t i = 0; i < lx->namespaces_len; i++)
    {
      const struct oci_namespace *ns = &lx->namespaces[i];
      int flag = ns_flag_from_type (ns->type);
      char where[64];

      if (flag == 0)
        return oci_error_set (err, EINVAL, "linux.namespaces[%zu].type: unknown namespace \"%s\"", i,
                              ns->type ? ns->type : "");
      if (seen & (unsigned long) flag)
        return oci_error_set (err, EINVAL, "linux.namespaces[%zu]: duplicate namespace \"%s\"", i, ns->type);
      seen |= (unsigned long) flag;
      if (ns->path == NULL || ns->path[0] == '\0')
        continue;
      snprintf (where, sizeof (where), "linux.namespaces[%zu].path", i);
      {
        cleanup_close int fd = open_ns_path (ns->path, flag, where, err);
        if (fd < 0)
          return oci_error_prefix (err, "%s namespace", ns->type);
      }
    }
  return 0;
}

static int
validate_dependencies (const struct oci_spec *spec, oci_error_t **err)
{
  const struct oci_linux *lx = spec->linux;
  bool has_maps = lx && (lx->uid_mappings_len > 0 || lx->gid_mappings_len > 0);

  if (has_maps && find_ns (spec, CLONE_NEWUSER) == NULL)
    return oci_error_set (err, EINVAL, "linux.uidMappings/gidMappings: id mappings require a user namespace");
  if (has_maps && is_joined (spec, CLONE_NEWUSER))
    return oci_error_set (
        err, EINVAL,
        "linux.uidMappings/gidMappings: id mappings cannot be set on a user namespace joined by path");
  if (is_new (spec, CLONE_NEWUSER) && (lx->uid_mappings_len == 0 || lx->gid_mappings_len == 0))
    return oci_error_set (err, EINVAL,
                          "linux.uidMappings/gidMappings: a new user namespace needs uid and gid mappings");
  if (lx && lx->time_offsets && !is_new (spec, CLONE_NEWTIME))
    return oci_error_set (err, EINVAL, "linux.timeOffsets: time offsets require a new time namespace");
  if (spec->hostname && spec->hostname[0] && find_ns (spec, CLONE_NEWUTS) == NULL)
    return oci_error_set (err, EINVAL, "unable to set hostname without a private UTS namespace");
  if (spec->domainname && spec->domainname[0] && find_ns (spec, CLONE_NEWUTS) == NULL)
    return oci_error_set (err, EINVAL, "unable to set domainname without a private UTS namespace");
  return 0;
}

int
ns_validate (const struct oci_spec *spec, oci_error_t **err)
{
  static const struct oci_linux empty;
  const struct oci_linux *lx = spec->linux ? spec->linux : &empty;

  if (validate_entries (lx, err) < 0)
    return -1;
  if (validate_dependencies (spec, err) < 0)
    return -1;
  if (is_new (spec, CLONE_NEWTIME) && access ("/proc/self/ns/time", F_OK) < 0)
    return oci_error_set (err, ENOTSUP, "linux.namespaces: time namespaces are not supported by this kernel");
  return 0;
}

/* --- in the child --- */

struct ns_fd
{
  int flag;
  int fd;
  const char *path;
};

static int
join_one (const struct ns_fd *n, oci_error_t **err)
{
  if (setns (n->fd, n->flag) < 0)
    return oci_error_errno (err, errno, "setns into the namespace \"%s\"", n->path);
  return 0;
}

/* setns into every namespace that has a path: user first, mount last.  */
static int
join_paths (const struct oci_spec *spec, oci_error_t **err)
{
  struct ns_fd fds[ARRAY_SIZE (ns_types)];
  size_t n = 0;
  int ret = 0;

  for (size_t i = 0; i < ARRAY_SIZE (ns_types); i++)
    {
      const struct oci_namespace *ns = find_ns (spec, ns_types[i].flag);
      if (ns == NULL || ns->path == NULL || ns->path[0] == '\0')
        continue;
      fds[n].fd = open_ns_path (ns->path, ns_types[i].flag, "linux.namespaces", err);
      if (fds[n].fd < 0)
        {
          ret = -1;
          break;
        }
      fds[n].flag = ns_types[i].flag;
      fds[n].path = ns->path;
      n++;
    }
  /* ns_types lists user first and mount last.  */
  for (size_t i = 0; ret == 0 && i < n; i++)
    ret = join_one (&fds[i], err);
  for (size_t i = 0; i < n; i++)
    close (fds[i].fd);
  return ret;
}

/* The intermediate process: report the grandchild and exit.  */
static void __attribute__ ((noreturn))
report_child_and_exit (struct hull_init_ctx *ctx, int pipe_w, pid_t child)
{
  char msg[1 + sizeof (pid_t)];

  msg[0] = SYNC_CHILD_PID;
  memcpy (msg + 1, &child, sizeof (pid_t));
  /* The parent must learn the grandchild's pid before the grandchild,
     released by the pipe, sends anything on the same socket.  */
  if (write_all (ctx->sync_fd, msg, sizeof (msg)) < 0 || write_all (pipe_w, &child, sizeof (child)) < 0)
    _exit (1);
  _exit (0);
}

static int
fork_into_pid_ns (struct hull_init_ctx *ctx, oci_error_t **err)
{
  int p[2];
  pid_t child, host_pid;

  if (pipe2 (p, O_CLOEXEC) < 0)
    return oci_error_errno (err, errno, "pipe for the pid namespace fork");
  child = fork ();
  if (child < 0)
    {
      close (p[0]);
      close (p[1]);
      return oci_error_errno (err, errno, "fork into the pid namespace");
    }
  if (child > 0)
    {
      close (p[0]);
      report_child_and_exit (ctx, p[1], child);
    }
  close (p[1]);
  if (read_all (p[0], &host_pid, sizeof (host_pid)) != (ssize_t) sizeof (host_pid))
    {
      close (p[0]);
      return oci_error_set (err, EIO, "fork into the pid namespace: the intermediate process died");
    }
  close (p[0]);
  ctx->host_pid = host_pid;
  return 0;
}

int
ns_join_and_unshare (struct hull_init_ctx *ctx, oci_error_t **err)
{
  const struct oci_spec *spec = ctx->spec;
  /* Time: ns_setup_time; cgroup: hull_init_enter_cgroup, once the init is
     in its cgroup.  */
  unsigned long to_unshare
      = all_new_flags (spec) & ~(unsigned long) (CLONE_NEWTIME | CLONE_NEWCGROUP) & ~ctx->clone_flags;

  bool any_path = false;

  /* listenerPath is a host path: connect before anything changes our view
     of the filesystem.  */
  if (spec->linux && seccomp_listener_connect (spec->linux->seccomp, err) < 0)
    return -1;
  for (size_t i = 0; spec->linux && i < spec->linux->namespaces_len; i++)
    any_path |= spec->linux->namespaces[i].path && spec->linux->namespaces[i].path[0];
  if (!any_path && to_unshare == 0)
    return 0; /* the common case: clone() made everything */
  if (to_unshare & CLONE_NEWUSER)
    return oci_error_set (err, EINVAL, "linux.namespaces: the new user namespace must be created by clone()");
  if (join_paths (spec, err) < 0)
    return -1;
  if (to_unshare && unshare ((int) to_unshare) < 0)
    return oci_error_errno (err, errno, "unshare of the new namespaces (flags 0x%lx)", to_unshare);
  if (is_joined (spec, CLONE_NEWPID) || (to_unshare & CLONE_NEWPID))
    return fork_into_pid_ns (ctx, err);
  return 0;
}

/* --- user namespace mappings (in the parent) --- */

static void
format_mappings (const struct oci_id_mapping *m, size_t n, struct strbuf *sb)
{
  for (size_t i = 0; i < n; i++)
    strbuf_addf (sb, "%u %u %u\n", m[i].container_id, m[i].host_id, m[i].size);
}

static int
write_proc_file (pid_t pid, const char *name, const char *data, size_t len, const char *what,
                 oci_error_t **err)
{
  char path[64];
  cleanup_close int fd = -1;
  ssize_t w;

  snprintf (path, sizeof (path), "/proc/%d/%s", (int) pid, name);
  fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return oci_error_errno (err, errno, "open %s", path);
  /* One write: the kernel accepts a map only as a single write.  */
  w = write (fd, data, len);
  if (w < 0 || (size_t) w != len)
    {
      cleanup_free char *shown = xstrndup (data, len);
      for (char *c = shown; *c; c++)
        if (*c == '\n')
          *c = c[1] ? ',' : '\0';
      return oci_error_errno (err, w < 0 ? errno : EIO, "writing %s (%s \"%s\")", path, what, shown);
    }
  return 0;
}

int
ns_write_id_mappings (pid_t pid, const struct oci_spec *spec, bool rootless, oci_error_t **err)
{
  cleanup_strbuf struct strbuf uid = STRBUF_INIT;
  cleanup_strbuf struct strbuf gid = STRBUF_INIT;
  const struct oci_linux *lx = spec->linux;

  if (lx == NULL || !is_new (spec, CLONE_NEWUSER))
    return 0;
  format_mappings (lx->uid_mappings, lx->uid_mappings_len, &uid);
  format_mappings (lx->gid_mappings, lx->gid_mappings_len, &gid);
  /* Unprivileged callers may only write gid_map after denying setgroups;
     as root setgroups stays allowed so that additionalGids work.  */
  if (rootless && write_proc_file (pid, "setgroups", "deny", 4, "setgroups", err) < 0)
    return -1;
  if (uid.len && write_proc_file (pid, "uid_map", uid.buf, uid.len, "linux.uidMappings", err) < 0)
    return -1;
  if (gid.len && write_proc_file (pid, "gid_map", gid.buf, gid.len, "linux.gidMappings", err) < 0)
    return -1;
  return 0;
}

/* --- time namespace --- */

static void
add_offset (struct strbuf *sb, const char *clock, const struct oci_time_offset *o)
{
  if (o)
    strbuf_addf (sb, "%s %lld %u\n", clock, (long long) o->secs, o->nanosecs);
}

static int
write_time_offsets (const struct oci_time_offsets *t, oci_error_t **err)
{
  cleanup_strbuf struct strbuf sb = STRBUF_INIT;
  cleanup_close int fd = -1;

  add_offset (&sb, "monotonic", t->monotonic);
  add_offset (&sb, "boottime", t->boottime);
  if (sb.len == 0)
    return 0;
  fd = proc_self_open_write ("/proc/self/timens_offsets");
  if (fd < 0)
    return oci_error_errno (err, errno, "linux.timeOffsets: open /proc/self/timens_offsets");
  if (write (fd, sb.buf, sb.len) != (ssize_t) sb.len)
    return oci_error_errno (err, errno, "linux.timeOffsets: writing \"%.*s\" to /proc/self/timens_offsets",
                            (int) sb.len - 1, sb.buf);
  return 0;
}

int
ns_setup_time (const struct oci_spec *spec, oci_error_t **err)
{
  cleanup_close int fd = -1;

  if (!is_new (spec, CLONE_NEWTIME))
    return 0; /* none, or joined by path in ns_join_and_unshare */
  if (unshare (CLONE_NEWTIME) < 0)
    return oci_error_errno (err, errno, "unshare of the time namespace");
  if (spec->linux->time_offsets && write_time_offsets (spec->linux->time_offsets, err) < 0)
    return -1;
  /* unshare only made it the namespace of our children: enter it.  */
  fd = open ("/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return oci_error_errno (err, errno, "open /proc/self/ns/time_for_children");
  if (setns (fd, CLONE_NEWTIME) < 0)
    return oci_error_errno (err, errno, "setns into the new time namespace");
  return 0;
}
