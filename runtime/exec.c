/* hull exec.  The parent (in the runtime's namespaces) opens the init's
   namespaces and root and forks; it puts the child into the container's
   cgroup before letting it go on.  The child joins the user namespace
   first (so that a rootless hull has the capabilities for the rest), then
   the others, time and pid included, and chroots into the init's root.
   setns(CLONE_NEWPID) only applies to children: the child forks once more,
   reports the grandchild's pid (SYNC_CHILD_PID) and exits; the grandchild,
   reparented to hull (a child subreaper), runs process_prepare/process_exec
   as the init does.  The parent waits for its exec (the sync socket closes
   on exec) or for its error message.  */
#include "config.h"
#include "exec.h"
#include "container.h"
#include "fileutil.h"
#include "init.h"
#include "log.h"
#include "process.h"
#include "seccomp_filter.h"
#include "state.h"
#include "terminal.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec_internal.h"

/* Joined in this order by the child; pid last (see fork_into_pid_ns).  */
static const struct
{
  const char *name;
  int flag;
} exec_ns[] = {
  { "user", CLONE_NEWUSER }, { "mnt", CLONE_NEWNS },  { "ipc", CLONE_NEWIPC },
  { "uts", CLONE_NEWUTS },   { "net", CLONE_NEWNET }, { "cgroup", CLONE_NEWCGROUP },
  { "time", CLONE_NEWTIME }, { "pid", CLONE_NEWPID },
};

#define EXEC_NS_COUNT (sizeof exec_ns / sizeof exec_ns[0])

struct exec_run
{
  struct hull_container c;
  struct oci_spec *spec;
  struct hull_init_ctx ctx;
  int ns_fd[EXEC_NS_COUNT];
  int root_fd;
  int sync_parent;
  int tty_parent;
  pid_t pid;
  bool paused;        /* --ignore-paused on a paused container */
  bool pid_ns_joined; /* the child must fork into it */
};

/* An fd outside 0..3+preserve_fds-1, so that it cannot shadow a preserved
   one; the original is closed.  */
static int
fd_above (int fd, int preserve_fds, oci_error_t **err)
{
  int nfd;

  if (fd < 0 || fd >= 3 + preserve_fds)
    return fd;
  nfd = fcntl (fd, F_DUPFD_CLOEXEC, 3 + preserve_fds);
  close (fd);
  if (nfd < 0)
    return oci_error_errno (err, errno, "cannot move fd %d above the preserved fds", fd);
  return nfd;
}

static bool
same_ns (pid_t pid, const char *name)
{
  char path[64];
  struct stat a, b;

  snprintf (path, sizeof path, "/proc/%d/ns/%s", (int) pid, name);
  if (stat (path, &a) < 0)
    return true; /* the kernel has no such namespace type */
  snprintf (path, sizeof path, "/proc/self/ns/%s", name);
  if (stat (path, &b) < 0)
    return false;
  return a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

/* Every namespace of the init that differs from hull's own, and its root.  */
static int
open_init_handles (struct exec_run *r, pid_t pid, oci_error_t **err)
{
  char path[64];

  for (size_t i = 0; i < EXEC_NS_COUNT; i++)
    {
      r->ns_fd[i] = -1;
      if (same_ns (pid, exec_ns[i].name))
        continue;
      snprintf (path, sizeof path, "/proc/%d/ns/%s", (int) pid, exec_ns[i].name);
      r->ns_fd[i] = open (path, O_RDONLY | O_CLOEXEC);
      if (r->ns_fd[i] < 0)
        return oci_error_errno (err, errno, "cannot open %s", path);
      if ((r->ns_fd[i] = fd_above (r->ns_fd[i], r->ctx.preserve_fds, err)) < 0)
        return -1;
    }
  snprintf (path, sizeof path, "/proc/%d/root", (int) pid);
  r->root_fd = open (path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (r->root_fd < 0)
    return oci_error_errno (err, errno, "cannot open the container's root %s", path);
  r->root_fd = fd_above (r->root_fd, r->ctx.preserve_fds, err);
  return r->root_fd < 0 ? -1 : 0;
}

static int
check_status (struct exec_run *r, const struct hull_exec_opts *o, oci_error_t **err)
{
  enum hull_status s = state_status (&r->c);

  if (s == HULL_STATUS_STOPPED)
    return oci_error_set (err, EINVAL, "cannot exec in a stopped container");
  if (s == HULL_STATUS_CREATING)
    return oci_error_set (err, EINVAL, "cannot exec in a container that is being created");
  if (s == HULL_STATUS_PAUSED && !o->ignore_paused)
    return oci_error_set (err, EINVAL, "cannot exec in a paused container (use --ignore-paused to override)");
  r->paused = s == HULL_STATUS_PAUSED;
  return 0;
}

static int
check_terminal (const struct hull_exec_opts *o, const struct oci_process *proc, oci_error_t **err)
{
  if (proc->terminal && o->detach && o->console_socket == NULL)
    return oci_error_set (err, EINVAL,
                          "cannot allocate tty if hull will detach without setting console socket");
  if (!proc->terminal && o->console_socket)
    return oci_error_set (err, EINVAL, "cannot use console socket if hull will not detach or allocate tty");
  return 0;
}

static int
open_channels (struct exec_run *r, const struct hull_exec_opts *o, oci_error_t **err)
{
  int sv[2], pf = r->ctx.preserve_fds;

  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    return oci_error_errno (err, errno, "cannot create the sync socketpair");
  r->sync_parent = sv[0];
  r->ctx.sync_fd = sv[1];
  if ((r->sync_parent = fd_above (r->sync_parent, pf, err)) < 0
      || (r->ctx.sync_fd = fd_above (r->ctx.sync_fd, pf, err)) < 0)
    return -1;
  if (o->console_socket)
    {
      r->ctx.console_socket_fd = terminal_connect_socket (o->console_socket, err);
      if (r->ctx.console_socket_fd < 0)
        return -1;
    }
  else if (r->spec->process->terminal)
    {
      if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
        return oci_error_errno (err, errno, "cannot create the console socketpair");
      r->tty_parent = sv[0];
      r->ctx.console_socket_fd = sv[1];
    }
  if (r->ctx.console_socket_fd < 0)
    return 0;
  r->ctx.console_socket_fd = fd_above (r->ctx.console_socket_fd, pf, err);
  return r->ctx.console_socket_fd < 0 ? -1 : 0;
}

/* --- the child --- */

static _Noreturn void
child_fail (int sync_fd, const char *msg)
{
  uint32_t len = (uint32_t) strlen (msg);
  cleanup_free char *buf = xmalloc (len + sizeof len);
  cleanup_error oci_error_t *err = NULL;

  memcpy (buf, &len, sizeof len);
  memcpy (buf + sizeof len, msg, len);
  (void) hull_sync_send (sync_fd, SYNC_ERROR, buf, len + sizeof len, &err);
  _exit (1);
}

static int
child_join (struct exec_run *r, oci_error_t **err)
{
  for (size_t i = 0; i < EXEC_NS_COUNT; i++)
    {
      if (r->ns_fd[i] < 0)
        continue;
      if (exec_ns[i].flag == CLONE_NEWNS && r->spec->linux && r->spec->linux->seccomp
          && seccomp_listener_connect (r->spec->linux->seccomp, err) < 0)
        return -1;
      if (setns (r->ns_fd[i], exec_ns[i].flag) < 0)
        return oci_error_errno (err, errno, "cannot join the container's %s namespace", exec_ns[i].name);
      r->pid_ns_joined = r->pid_ns_joined || exec_ns[i].flag == CLONE_NEWPID;
      close (r->ns_fd[i]);
      r->ns_fd[i] = -1;
      if (exec_ns[i].flag == CLONE_NEWUSER && (setresgid (0, 0, 0) < 0 || setresuid (0, 0, 0) < 0))
        return oci_error_errno (err, errno, "cannot become root in the container's user namespace");
    }
  /* The init's root, also when it was entered with chroot (--no-pivot).  */
  if (fchdir (r->root_fd) < 0 || chroot (".") < 0 || chdir ("/") < 0)
    return oci_error_errno (err, errno, "cannot enter the container's root");
  close (r->root_fd);
  r->root_fd = -1;
  return 0;
}

/* The pid namespace applies to children: fork once; the intermediate
   reports the new pid and exits, the grandchild goes on once the parent
   sent it its pid.  */
static void
fork_into_pid_ns (struct exec_run *r)
{
  cleanup_error oci_error_t *err = NULL;
  int fd = r->ctx.sync_fd;
  pid_t pid;

  pid = fork ();
  if (pid < 0)
    child_fail (fd, "cannot fork into the container's pid namespace");
  if (pid > 0)
    {
      if (hull_sync_send (fd, SYNC_CHILD_PID, &pid, sizeof pid, &err) < 0)
        kill (pid, SIGKILL);
      _exit (0);
    }
  if (hull_sync_expect (fd, SYNC_HOST_PID, &r->ctx.host_pid, sizeof r->ctx.host_pid, &err) < 0)
    _exit (1);
}

static _Noreturn void
exec_child (struct exec_run *r)
{
  struct oci_process *proc = r->spec->process;
  cleanup_error oci_error_t *err = NULL;
  int fd = r->ctx.sync_fd;

  close (r->sync_parent);
  if (r->tty_parent >= 0)
    close (r->tty_parent);
  if (hull_sync_expect (fd, SYNC_HOST_PID, &r->ctx.host_pid, sizeof r->ctx.host_pid, &err) < 0)
    _exit (1);
  if (child_join (r, &err) < 0)
    child_fail (fd, err->msg);
  if (r->pid_ns_joined)
    fork_into_pid_ns (r);
  if (proc->terminal && terminal_setup_in_container (r->ctx.console_socket_fd, proc->console_size, &err) < 0)
    child_fail (fd, err->msg);
  if (r->ctx.console_socket_fd >= 0)
    close (r->ctx.console_socket_fd);
  r->ctx.console_socket_fd = -1;
  if (process_prepare (&r->ctx, proc, &err) < 0 || process_exec (&r->ctx, proc, &err) < 0)
    child_fail (fd, err->msg);
  child_fail (fd, "cannot exec the process");
}

/* --- the parent --- */

static int
fork_child (struct exec_run *r, oci_error_t **err)
{
  /* Nobody in the container may open /proc/<pid>/exe of the child.  */
  prctl (PR_SET_DUMPABLE, 0, 0, 0, 0);
  /* The grandchild forked into the pid namespace is reparented to us.  */
  prctl (PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  fflush (NULL);
  r->pid = fork ();
  if (r->pid == 0)
    exec_child (r);
  if (r->pid < 0)
    {
      r->pid = 0;
      return oci_error_errno (err, errno, "cannot fork the exec'd process");
    }
  close (r->ctx.sync_fd);
  r->ctx.sync_fd = -1;
  if (r->ctx.console_socket_fd >= 0)
    close (r->ctx.console_socket_fd);
  r->ctx.console_socket_fd = -1;
  return 0;
}

/* The sync socket closes on a successful execve; an error arrives as a
   message.  On the way the child may hand over to a grandchild in the
   container's pid namespace (SYNC_CHILD_PID): reap the intermediate, the
   grandchild is the process from now on and gets its pid.  */
static int
wait_exec (struct exec_run *r, oci_error_t **err)
{
  char type;
  size_t len;
  pid_t child;

  for (;;)
    {
      if (hull_sync_recv (r->sync_parent, &type, &child, sizeof child, &len, err) < 0)
        break;
      if (type != SYNC_CHILD_PID || len != sizeof child || child <= 0)
        return oci_error_set (err, EPROTO, "exec: unexpected message '%c' from the process", type);
      while (waitpid (r->pid, NULL, 0) < 0 && errno == EINTR)
        ;
      r->pid = child;
      if (hull_sync_send (r->sync_parent, SYNC_HOST_PID, &child, sizeof child, err) < 0)
        return -1;
    }
  if ((*err)->status != EPIPE)
    return -1;
  oci_error_free (err);
  return 0;
}

static int
start_child (struct exec_run *r, const struct hull_exec_opts *o, int *pty_master, oci_error_t **err)
{
  pid_t pid;

  if (open_channels (r, o, err) < 0 || fork_child (r, err) < 0)
    return -1;
  pid = r->pid;
  /* In a frozen cgroup the process would freeze before its execve: it
     joins the cgroup of a paused container only once it exec'd.  */
  if (!r->paused && exec_enter_cgroup (&r->c, o->cgroup, pid, err) < 0)
    return -1;
  if (hull_sync_send (r->sync_parent, SYNC_HOST_PID, &pid, sizeof pid, err) < 0)
    return -1;
  if (wait_exec (r, err) < 0)
    return -1;
  pid = r->pid;
  if (r->paused && exec_enter_cgroup (&r->c, o->cgroup, pid, err) < 0)
    return -1;
  if (r->tty_parent >= 0 && terminal_recv_fd (r->tty_parent, pty_master, err) < 0)
    return -1;
  hull_log (HULL_LOG_DEBUG, "exec in %s: pid %d", o->id, (int) pid);
  return state_write_pid_file (o->pid_file, pid, err);
}

static void
exec_run_release (struct exec_run *r, bool failed)
{
  if (failed && r->pid > 0)
    {
      kill (r->pid, SIGKILL);
      while (waitpid (r->pid, NULL, 0) < 0 && errno == EINTR)
        ;
    }
  for (size_t i = 0; i < EXEC_NS_COUNT; i++)
    if (r->ns_fd[i] >= 0)
      close (r->ns_fd[i]);
  for (int *fd
       = (int[]){ r->root_fd, r->sync_parent, r->tty_parent, r->ctx.sync_fd, r->ctx.console_socket_fd, -2 };
       *fd != -2; fd++)
    if (*fd >= 0)
      close (*fd);
  state_container_clear (&r->c);
  oci_spec_free (r->spec);
}

static int
exec_prepare (struct exec_run *r, struct hull_globals *g, const struct hull_exec_opts *o, oci_error_t **err)
{
  if (state_open (g->root, o->id, &r->c, err) < 0 || check_status (r, o, err) < 0)
    return -1;
  if (exec_load_process (&r->c, o, &r->spec, err) < 0 || check_terminal (o, r->spec->process, err) < 0)
    return -1;
  if (process_prepare_seccomp (g->root, r->spec, err) < 0)
    return -1;
  r->ctx.id = r->c.id;
  r->ctx.spec = r->spec;
  r->ctx.bundle = r->c.state->bundle;
  r->ctx.rootfs = r->c.state->rootfs;
  r->ctx.state_dir = r->c.dir;
  r->ctx.preserve_fds = o->preserve_fds;
  return open_init_handles (r, r->c.state->init_pid, err);
}

int
container_exec (struct hull_globals *g, const struct hull_exec_opts *o, oci_error_t **err)
{
  struct exec_run r = { .root_fd = -1, .sync_parent = -1, .tty_parent = -1 };
  int pty_master = -1, ret;

  r.c.dirfd = -1;
  r.ctx.sync_fd = -1;
  r.ctx.console_socket_fd = -1;
  r.ctx.exec_fifo_fd = -1;
  r.ctx.rootfs_fd = -1;
  for (size_t i = 0; i < EXEC_NS_COUNT; i++)
    r.ns_fd[i] = -1;
  ret = exec_prepare (&r, g, o, err);
  if (ret == 0)
    ret = start_child (&r, o, &pty_master, err);
  /* The container's lock is not held while the process runs.  */
  exec_run_release (&r, ret < 0);
  if (ret < 0 || o->detach)
    {
      if (pty_master >= 0)
        close (pty_master);
      return ret;
    }
  ret = container_wait_foreground (r.pid, pty_master, err);
  if (pty_master >= 0)
    close (pty_master);
  return ret;
}
