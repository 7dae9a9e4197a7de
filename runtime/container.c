/* The parent side of hull's lifecycle.  create makes the container's
   cgroup, clones the container's init once (no re-exec of hull, no extra
   fork) and drives it over a SOCK_SEQPACKET socketpair: [init moved in]
   HOST_PID -> [USERNS_MAPPED] -> CGROUP_DONE -> NS_READY ->
   prestart/createRuntime hooks -> HOOKS_DONE -> CREATED.  A failed create
   kills and reaps the init and leaves no state directory behind.  */
#include "config.h"
#include "container.h"
#include "fileutil.h"
#include "hooks.h"
#include "init.h"
#include "log.h"
#include "namespaces.h"
#include "process.h"
#include "runtime_spec.h"
#include "state.h"
#include "terminal.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define INIT_STACK_SIZE (8u * 1024 * 1024)

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

/* The kernel's struct clone_args up to its cgroup member (CLONE_ARGS_SIZE_VER2).  */
struct init_clone_args
{
  uint64_t flags;
  uint64_t pidfd;
  uint64_t child_tid;
  uint64_t parent_tid;
  uint64_t exit_signal;
  uint64_t stack;
  uint64_t stack_size;
  uint64_t tls;
  uint64_t set_tid;
  uint64_t set_tid_size;
  uint64_t cgroup;
};

/* Everything create holds while it works; released on every path.  */
struct create_run
{
  struct hull_container c;
  struct hull_init_ctx ctx;
  char *config_data;
  size_t config_len;
  char *bundle;
  int sync_parent; /* parent's end of the socketpair */
  int tty_parent;  /* parent's end of the internal console socket (foreground run) */
  pid_t pid;
  bool dir_created;
  char *cgroup_path;          /* made by create; removed again when it fails */
  struct cgroup_placement cg; /* how the init enters it (made before clone: not rootless) */
  bool cloned_into_v2;        /* clone3 placed the init in cg.v2_dir */
};

static void
create_run_release (struct create_run *r, bool failed)
{
  cleanup_error oci_error_t *err = NULL;

  if (failed && r->pid > 0)
    {
      kill (r->pid, SIGKILL);
      while (waitpid (r->pid, NULL, 0) < 0 && errno == EINTR)
        ;
    }
  if (failed && container_cgroup_remove (r->cgroup_path, &err) < 0)
    {
      hull_warn ("%s", err->msg);
      oci_error_free (&err);
    }
  if (failed && r->dir_created)
    (void) state_remove (&r->c, &err);
  state_container_clear (&r->c);
  for (int *fd = (int[]){ r->sync_parent, r->tty_parent, r->ctx.sync_fd, r->ctx.console_socket_fd,
                          r->ctx.exec_fifo_fd, -2 };
       *fd != -2; fd++)
    if (*fd >= 0)
      close (*fd);
  oci_spec_free (r->ctx.spec);
  free (r->ctx.rootfs);
  free (r->config_data);
  free (r->bundle);
  free (r->cgroup_path);
  cgroup_placement_free (&r->cg);
}

static int
resolve_bundle (struct create_run *r, const char *bundle, oci_error_t **err)
{
  char buf[PATH_MAX];

  if (realpath (bundle ? bundle : ".", buf) == NULL)
    return oci_error_errno (err, errno, "bundle %s", bundle ? bundle : ".");
  r->bundle = xstrdup (buf);
  return 0;
}

static int
load_config (struct create_run *r, oci_error_t **err)
{
  cleanup_free char *path = NULL;
  struct oci_spec *spec = NULL;

  xasprintf (&path, "%s/config.json", r->bundle);
  if (read_file_max (path, OCI_JSON_MAX_SIZE, &r->config_data, &r->config_len, err) < 0)
    return -1;
  if (oci_spec_parse (r->config_data, r->config_len, path, &spec, err) < 0)
    return -1;
  r->ctx.spec = spec;
  if (spec->process == NULL)
    return oci_error_set (err, EINVAL, "%s: process: missing", path);
  if (spec->process->args == NULL || spec->process->args[0] == NULL)
    return oci_error_set (err, EINVAL, "%s: process.args: must not be empty", path);
  if (spec->root == NULL || spec->root->path == NULL)
    return oci_error_set (err, EINVAL, "%s: root.path: missing", path);
  if (ns_validate (spec, err) < 0)
    return oci_error_prefix (err, "%s", path);
  return 0;
}

static int
resolve_rootfs (struct create_run *r, oci_error_t **err)
{
  const char *p = r->ctx.spec->root->path;
  cleanup_free char *joined = NULL;
  char buf[PATH_MAX];

  if (p[0] == '/')
    joined = xstrdup (p);
  else
    xasprintf (&joined, "%s/%s", r->bundle, p);
  if (realpath (joined, buf) == NULL)
    return oci_error_errno (err, errno, "rootfs %s", joined);
  r->ctx.rootfs = xstrdup (buf);
  return 0;
}

static int
check_terminal (const struct hull_create_opts *o, const struct oci_process *proc, oci_error_t **err)
{
  if (proc->terminal && o->console_socket == NULL && !o->foreground)
    return oci_error_set (err, EINVAL,
                          "cannot allocate tty if hull will detach without setting console socket");
  if (!proc->terminal && o->console_socket)
    return oci_error_set (err, EINVAL, "cannot use console socket if hull will not detach or allocate tty");
  return 0;
}

/* systemd socket activation: LISTEN_FDS for this process are passed on
   (as fds 3..) and announced to the container process.  */
static void
add_listen_fds (struct create_run *r)
{
  const char *fds = getenv ("LISTEN_FDS"), *pid = getenv ("LISTEN_PID");
  struct oci_process *proc = r->ctx.spec->process;
  size_t n;
  char *entry;
  int count;

  if (fds == NULL || pid == NULL || atoi (pid) != getpid () || (count = atoi (fds)) <= 0)
    return;
  r->ctx.preserve_fds += count;
  n = strv_len (proc->env);
  proc->env = xreallocarray (proc->env, n + 3, sizeof (char *));
  xasprintf (&entry, "LISTEN_FDS=%d", count);
  proc->env[n++] = entry;
  proc->env[n++] = xstrdup ("LISTEN_PID=1");
  proc->env[n] = NULL;
}

static int
prepare_state_dir (struct create_run *r, struct hull_globals *g, const char *id, oci_error_t **err)
{
  if (state_create_dir (g->root, id, &r->c, err) < 0)
    return -1;
  r->dir_created = true;
  if (write_file_replace_at (r->c.dirfd, HULL_CONFIG_FILE, r->config_data, r->config_len, 0600, err) < 0)
    return -1;
  if (mkfifoat (r->c.dirfd, HULL_EXEC_FIFO, 0622) < 0)
    return oci_error_errno (err, errno, "cannot create %s/%s", r->c.dir, HULL_EXEC_FIFO);
  /* Writable by the init whatever uid it has in its user namespace; the
     umask must not take that away.  */
  if (fchmodat (r->c.dirfd, HULL_EXEC_FIFO, 0622, 0) < 0)
    return oci_error_errno (err, errno, "cannot chmod %s/%s", r->c.dir, HULL_EXEC_FIFO);
  r->ctx.exec_fifo_fd = openat (r->c.dirfd, HULL_EXEC_FIFO, O_PATH | O_CLOEXEC);
  if (r->ctx.exec_fifo_fd < 0)
    return oci_error_errno (err, errno, "cannot open %s/%s", r->c.dir, HULL_EXEC_FIFO);
  return 0;
}

static int
open_channels (struct create_run *r, const struct hull_create_opts *o, oci_error_t **err)
{
  int sv[2];

  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    return oci_error_errno (err, errno, "cannot create the sync socketpair");
  r->sync_parent = sv[0];
  r->ctx.sync_fd = sv[1];
  if (o->console_socket)
    {
      r->ctx.console_socket_fd = terminal_connect_socket (o->console_socket, err);
      return r->ctx.console_socket_fd < 0 ? -1 : 0;
    }
  if (o->foreground && r->ctx.spec->process->terminal)
    {
      if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
        return oci_error_errno (err, errno, "cannot create the console socketpair");
      r->tty_parent = sv[0];
      r->ctx.console_socket_fd = sv[1];
    }
  return 0;
}

static bool
want_rootless (const struct hull_globals *g)
{
  if (streq (g->rootless, "true"))
    return true;
  if (streq (g->rootless, "false"))
    return false;
  return geteuid () != 0;
}

/* Not rootless: the cgroup exists before the init, which enters it
   without being moved by pid where it can (cgroup.h): born in the v2
   directory by clone3, joining the v1 ones itself unless it is born in
   a new user namespace (whose root may not own the files).  Rootless:
   made around the init in move_init, as it may have to do without.  */
static int
make_cgroup (struct create_run *r, struct hull_globals *g, oci_error_t **err)
{
  /* The cgroup namespace is unshared by the child once it is in its
     cgroup (hull_init_enter_cgroup), so that its root is that cgroup.  */
  r->ctx.clone_flags = ns_new_flags (r->ctx.spec) & ~(unsigned long) CLONE_NEWCGROUP;
  if (r->ctx.rootless)
    return 0;
  if (container_cgroup_setup (r->ctx.spec, r->ctx.id, g->systemd_cgroup, false, 0, &r->cg, &r->cgroup_path,
                              err)
      < 0)
    return -1;
  r->ctx.cgroup_place = &r->cg;
  r->ctx.cgroup_join_v1 = (r->ctx.clone_flags & CLONE_NEWUSER) == 0;
  return 0;
}

/* Fork-like (no stack of its own: the child goes on on its copy of ours)
   into the v2 directory; -1 with errno when the kernel (or a seccomp
   filter) refuses clone3 or CLONE_INTO_CGROUP.  */
static pid_t
clone_into_cgroup (struct create_run *r)
{
#ifdef SYS_clone3
  /* Namespace flags only: clone3 wants the exit signal on its own.  */
  struct init_clone_args args = { .flags = r->ctx.clone_flags | CLONE_INTO_CGROUP,
                                  .exit_signal = SIGCHLD,
                                  .cgroup = (uint64_t) r->cg.v2_fd };
  long pid = syscall (SYS_clone3, &args, sizeof args);

  if (pid == 0)
    _exit (hull_init_main (&r->ctx));
  return (pid_t) pid;
#else
  (void) r;
  errno = ENOSYS;
  return -1;
#endif
}

static int
clone_init (struct create_run *r, oci_error_t **err)
{
  void *stack;

  /* Non-dumpable before clone: the child is so from its first instruction
     (CVE-2019-5736: nobody may reach hull's binary through /proc/<pid>/exe);
     rootless, only once its id mappings are written (see init.h).  */
  r->ctx.dumpable_until_mapped = (r->ctx.clone_flags & CLONE_NEWUSER) && geteuid () != 0;
  if (!r->ctx.dumpable_until_mapped)
    prctl (PR_SET_DUMPABLE, 0, 0, 0, 0);
  /* An init forked into a joined pid namespace is reparented to us.  */
  prctl (PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  fflush (NULL);
  if (r->cg.v2_fd >= 0)
    {
      r->pid = clone_into_cgroup (r);
      r->cloned_into_v2 = r->pid > 0;
      if (r->pid < 0)
        hull_log (HULL_LOG_DEBUG, "clone3 into %s: %s; moving the init by pid", r->cg.v2_dir,
                  strerror (errno));
    }
  if (!r->cloned_into_v2)
    {
      stack = mmap (NULL, INIT_STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK,
                    -1, 0);
      if (stack == MAP_FAILED)
        return oci_error_errno (err, errno, "cannot allocate the init's stack");
      r->pid = clone (hull_init_main, (char *) stack + INIT_STACK_SIZE, (int) r->ctx.clone_flags | SIGCHLD,
                      &r->ctx);
      munmap (stack, INIT_STACK_SIZE);
    }
  if (r->pid < 0)
    {
      r->pid = 0;
      return oci_error_errno (err, errno, "cannot clone the container's init");
    }
  close (r->ctx.sync_fd);
  r->ctx.sync_fd = -1;
  if (r->ctx.console_socket_fd >= 0)
    close (r->ctx.console_socket_fd);
  r->ctx.console_socket_fd = -1;
  return 0;
}

static int
run_parent_hooks (struct create_run *r, oci_error_t **err)
{
  const struct oci_hooks *h = r->ctx.spec->hooks;
  cleanup_free char *json = NULL;

  if (h == NULL || (h->prestart_len == 0 && h->create_runtime_len == 0))
    return 0;
  json = state_hook_json (r->ctx.id, "creating", r->pid, r->bundle, &r->ctx.spec->annotations);
  if (hooks_run ("prestart", h->prestart, h->prestart_len, json, err) < 0)
    return -1;
  return hooks_run ("createRuntime", h->create_runtime, h->create_runtime_len, json, err);
}

/* Whatever of the cgroup the init could not enter by itself: a
   rootless container's cgroup is made now (without one when it may not),
   otherwise the v1 directories when it was born in a new user namespace
   and the v2 one when clone3 could not place it.  */
static int
move_init (struct create_run *r, struct hull_globals *g, oci_error_t **err)
{
  if (r->ctx.rootless)
    return container_cgroup_setup (r->ctx.spec, r->ctx.id, g->systemd_cgroup, true, r->pid, NULL,
                                   &r->cgroup_path, err);
  return cgroup_placement_add_pid (&r->cg, r->pid, !r->ctx.cgroup_join_v1, !r->cloned_into_v2, err);
}

/* Wait for NS_READY; on the way the init may be replaced by a grandchild
   forked into a joined pid namespace (SYNC_CHILD_PID): reap the
   intermediate, the grandchild (reparented to us, a subreaper) is the
   init from now on.  */
static int
wait_ns_ready (struct create_run *r, oci_error_t **err)
{
  char type;
  pid_t child;
  size_t len;

  for (;;)
    {
      if (hull_sync_recv (r->sync_parent, &type, &child, sizeof child, &len, err) < 0)
        return -1;
      if (type == SYNC_NS_READY && len == 0)
        return 0;
      if (type != SYNC_CHILD_PID || len != sizeof child || child <= 0)
        return oci_error_set (err, EPROTO, "sync: expected message 'N', got '%c' (%zu bytes)", type, len);
      while (waitpid (r->pid, NULL, 0) < 0 && errno == EINTR)
        ;
      hull_log (HULL_LOG_DEBUG, "init %d forked into its pid namespace as %d", (int) r->pid, (int) child);
      r->pid = child;
    }
}

static int
drive_init (struct create_run *r, struct hull_globals *g, oci_error_t **err)
{
  const struct oci_hooks *h = r->ctx.spec->hooks;
  pid_t pid = r->pid;
  /* A child that forks into a pid namespace (joined by path, or unshared
     after joining a user namespace) must be in its cgroup before it forks,
     so that the grandchild is born there: what it cannot join itself
     (first of all, see init.c) is moved before it runs.  Otherwise the
     child builds its rootfs while it is moved (a move by pid waits for an
     RCU grace period) and waits for SYNC_CGROUP_DONE only where it needs
     its cgroup.  */
  bool move_first = (r->ctx.clone_flags & CLONE_NEWPID) == 0 && oci_spec_find_namespace (r->ctx.spec, "pid");

  if (move_first && move_init (r, g, err) < 0)
    return -1;
  if (hull_sync_send (r->sync_parent, SYNC_HOST_PID, &pid, sizeof pid, err) < 0)
    return -1;
  if (r->ctx.clone_flags & CLONE_NEWUSER)
    {
      if (ns_write_id_mappings (pid, r->ctx.spec, r->ctx.rootless, err) < 0)
        return -1;
      if (hull_sync_send (r->sync_parent, SYNC_USERNS_MAPPED, NULL, 0, err) < 0)
        return -1;
    }
  if (!move_first && move_init (r, g, err) < 0)
    return -1;
  if (hull_sync_send (r->sync_parent, SYNC_CGROUP_DONE, NULL, 0, err) < 0)
    return -1;
  if (wait_ns_ready (r, err) < 0)
    return -1;
  if (h && (h->prestart_len || h->create_runtime_len))
    {
      if (run_parent_hooks (r, err) < 0)
        return -1;
      if (hull_sync_send (r->sync_parent, SYNC_HOOKS_DONE, NULL, 0, err) < 0)
        return -1;
    }
  return hull_sync_expect (r->sync_parent, SYNC_CREATED, NULL, 0, err);
}

static int
record_state (struct create_run *r, const struct hull_create_opts *o, oci_error_t **err)
{
  struct hull_state *st = xzalloc (sizeof *st);
  struct timespec now;
  const struct oci_map *ann = &r->ctx.spec->annotations;

  r->c.state = st;
  st->id = xstrdup (o->id);
  st->init_pid = r->pid;
  st->init_pid_present = true;
  if (state_proc_start_time (r->pid, &st->init_start_time) < 0)
    return oci_error_set (err, ESRCH, "the container's init (pid %d) exited during create", (int) r->pid);
  st->init_start_time_present = true;
  st->bundle = xstrdup (r->bundle);
  st->rootfs = xstrdup (r->ctx.rootfs);
  clock_gettime (CLOCK_REALTIME, &now);
  st->created = hull_time_rfc3339 (&now, true);
  st->owner = state_owner_name ();
  {
    const struct oci_namespace *pidns = oci_spec_find_namespace (r->ctx.spec, "pid");
    /* New, whether clone() or an unshare after joining a user ns made it.  */
    st->own_pid_ns = pidns && (pidns->path == NULL || pidns->path[0] == '\0');
  }
  st->own_pid_ns_present = true;
  st->cgroup_path = r->cgroup_path ? xstrdup (r->cgroup_path) : NULL;
  for (size_t i = 0; i < ann->len; i++)
    oci_map_set (&st->annotations, ann->keys[i], ann->values[i]);
  return state_save (&r->c, err);
}

static int
create_steps (struct create_run *r, struct hull_globals *g, const struct hull_create_opts *o,
              struct hull_created *out, oci_error_t **err)
{
  if (state_validate_id (o->id, err) < 0 || resolve_bundle (r, o->bundle, err) < 0
      || load_config (r, err) < 0)
    return -1;
  if (check_terminal (o, r->ctx.spec->process, err) < 0 || resolve_rootfs (r, err) < 0)
    return -1;
  r->ctx.id = o->id;
  r->ctx.bundle = r->bundle;
  r->ctx.no_pivot = o->no_pivot;
  r->ctx.no_new_keyring = o->no_new_keyring;
  r->ctx.rootless = want_rootless (g);
  r->ctx.preserve_fds = o->preserve_fds;
  add_listen_fds (r);
  if (process_prepare_seccomp (g->root, r->ctx.spec, err) < 0)
    return -1;
  if (prepare_state_dir (r, g, o->id, err) < 0)
    return -1;
  r->ctx.state_dir = r->c.dir;
  if (open_channels (r, o, err) < 0 || make_cgroup (r, g, err) < 0 || clone_init (r, err) < 0
      || drive_init (r, g, err) < 0)
    return -1;
  if (record_state (r, o, err) < 0 || state_write_pid_file (o->pid_file, r->pid, err) < 0)
    return -1;
  if (r->tty_parent >= 0 && terminal_recv_fd (r->tty_parent, &out->pty_master, err) < 0)
    return -1;
  out->pid = r->pid;
  hull_log (HULL_LOG_DEBUG, "container %s created, init pid %d", o->id, (int) r->pid);
  return 0;
}

int
container_create (struct hull_globals *g, const struct hull_create_opts *o, struct hull_created *out,
                  oci_error_t **err)
{
  struct create_run r = { .sync_parent = -1, .tty_parent = -1, .cg = { .v2_fd = -1 } };
  int ret;

  r.c.dirfd = -1;
  r.ctx.sync_fd = -1;
  r.ctx.console_socket_fd = -1;
  r.ctx.exec_fifo_fd = -1;
  r.ctx.rootfs_fd = -1;
  out->pid = 0;
  out->pty_master = -1;
  ret = create_steps (&r, g, o, out, err);
  if (ret < 0 && out->pty_master >= 0)
    {
      close (out->pty_master);
      out->pty_master = -1;
    }
  create_run_release (&r, ret < 0);
  return ret;
}

/* --- start, kill, delete --- */

static int
load_spec (const struct hull_container *c, struct oci_spec **spec, oci_error_t **err)
{
  cleanup_free char *path = NULL;

  xasprintf (&path, "%s/%s", c->dir, HULL_CONFIG_FILE);
  return oci_spec_parse_file (path, spec, err);
}

static void
run_hooks_warn (const struct hull_container *c, const struct oci_spec *spec, const char *kind,
                const char *status)
{
  const struct oci_hooks *h = spec->hooks;
  const struct oci_hook *list = NULL;
  size_t n = 0;
  cleanup_free char *json = NULL;
  cleanup_error oci_error_t *err = NULL;

  if (h == NULL)
    return;
  if (streq (kind, "poststart"))
    list = h->poststart, n = h->poststart_len;
  else
    list = h->poststop, n = h->poststop_len;
  if (n == 0)
    return;
  json = state_hook_json (c->id, status, streq (status, "stopped") ? 0 : c->state->init_pid, c->state->bundle,
                          &c->state->annotations);
  if (hooks_run (kind, list, n, json, &err) < 0)
    hull_warn ("%s", err->msg);
}

/* Wait for the exec fifo's byte: the init writes it once it could open the
   fifo, which our (non-blocking) open allowed.  */
static int
read_exec_fifo (struct hull_container *c, oci_error_t **err)
{
  cleanup_close int fd = openat (c->dirfd, HULL_EXEC_FIFO, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  struct pollfd pfd;
  char byte;

  if (fd < 0)
    return oci_error_errno (err, errno, "cannot open %s/%s", c->dir, HULL_EXEC_FIFO);
  for (;;)
    {
      pfd.fd = fd;
      pfd.events = POLLIN;
      if (poll (&pfd, 1, 100) < 0 && errno != EINTR)
        return oci_error_errno (err, errno, "poll on the exec fifo");
      if (read (fd, &byte, 1) == 1)
        break;
      if (!state_init_alive (c))
        return oci_error_set (err, ESRCH, "container %s: the init exited before start", c->id);
    }
  if (unlinkat (c->dirfd, HULL_EXEC_FIFO, 0) < 0)
    return oci_error_errno (err, errno, "cannot remove %s/%s", c->dir, HULL_EXEC_FIFO);
  return 0;
}

int
container_start (struct hull_globals *g, const char *id, oci_error_t **err)
{
  struct hull_container c;
  struct oci_spec *spec = NULL;
  enum hull_status s;
  int ret = -1;

  if (state_open (g->root, id, &c, err) < 0)
    goto out;
  s = state_status (&c);
  if (s == HULL_STATUS_STOPPED)
    oci_error_set (err, EINVAL, "cannot start a container that has stopped");
  else if (s == HULL_STATUS_PAUSED)
    oci_error_set (err, EINVAL, "cannot start a container in the paused state");
  else if (s != HULL_STATUS_CREATED)
    oci_error_set (err, EINVAL, "cannot start an already running container");
  else if (load_spec (&c, &spec, err) == 0 && read_exec_fifo (&c, err) == 0)
    {
      run_hooks_warn (&c, spec, "poststart", "running");
      ret = 0;
    }
out:
  oci_spec_free (spec);
  state_container_clear (&c);
  return ret;
}

int
container_parse_signal (const char *s, oci_error_t **err)
{
  const char *name = s;
  char *end;
  long n;

  if (*s >= '0' && *s <= '9')
    {
      errno = 0;
      n = strtol (s, &end, 10);
      if (*end || errno || n <= 0 || n >= NSIG)
        return oci_error_set (err, EINVAL, "invalid signal: %s", s);
      return (int) n;
    }
  if (strncasecmp (name, "SIG", 3) == 0)
    name += 3;
  for (int i = 1; i < NSIG; i++)
    {
      const char *abbrev = sigabbrev_np (i);
      if (abbrev && strcasecmp (abbrev, name) == 0)
        return i;
    }
  return oci_error_set (err, EINVAL, "unknown signal \"%s\"", s);
}

/* The namespace inode of pid, or 0.  */
static ino_t
ns_inode (pid_t pid, const char *ns)
{
  char path[64];
  struct stat st;

  snprintf (path, sizeof path, "/proc/%d/ns/%s", (int) pid, ns);
  return stat (path, &st) == 0 ? st.st_ino : 0;
}

/* Every process of the container: those sharing its init's pid namespace
   when it has its own, else its mount namespace.  */
static int
kill_all (const struct hull_container *c, int sig, oci_error_t **err)
{
  const char *ns = c->state->own_pid_ns ? "pid" : "mnt";
  ino_t want;
  cleanup_dir DIR *d = NULL;
  struct dirent *de;

  /* The cgroup holds every process, also those that left the init's
     namespaces; without one (rootless) the namespace decides.  */
  if (c->state->cgroup_path)
    return container_cgroup_kill (c->state->cgroup_path, sig, err);
  want = ns_inode (c->state->init_pid, ns);
  if (want == 0 || want == ns_inode (getpid (), ns))
    return oci_error_set (err, ESRCH, "container %s: cannot find its %s namespace", c->id, ns);
  d = opendir ("/proc");
  if (d == NULL)
    return oci_error_errno (err, errno, "cannot open /proc");
  while ((de = readdir (d)))
    {
      pid_t pid = (pid_t) atoi (de->d_name);
      if (pid > 0 && ns_inode (pid, ns) == want)
        kill (pid, sig);
    }
  return 0;
}

int
container_kill (struct hull_globals *g, const char *id, int sig, bool all, oci_error_t **err)
{
  struct hull_container c;
  int ret = -1;

  if (state_open (g->root, id, &c, err) < 0)
    goto out;
  if (state_status (&c) == HULL_STATUS_STOPPED)
    oci_error_set (err, ESRCH, "container not running");
  else if (all)
    ret = kill_all (&c, sig, err);
  else if (kill (c.state->init_pid, sig) < 0)
    oci_error_errno (err, errno, "cannot send signal %d to container %s", sig, id);
  else
    ret = 0;
out:
  state_container_clear (&c);
  return ret;
}

static int
kill_and_wait (struct hull_container *c, oci_error_t **err)
{
  if ((c->state->own_pid_ns && c->state->cgroup_path == NULL) || kill_all (c, SIGKILL, err) < 0)
    {
      oci_error_free (err);
      kill (c->state->init_pid, SIGKILL);
    }
  for (int i = 0; i < 1000; i++)
    {
      if (!state_init_alive (c))
        return 0;
      /* Reap it ourselves when it is our child (a foreground run).  */
      waitpid (c->state->init_pid, NULL, WNOHANG);
      usleep (10000);
    }
  return oci_error_set (err, ETIMEDOUT, "container %s: init pid %d did not exit after SIGKILL", c->id,
                        (int) c->state->init_pid);
}

static int
delete_stopped (struct hull_container *c, oci_error_t **err)
{
  struct oci_spec *spec = NULL;
  cleanup_error oci_error_t *spec_err = NULL;

  if (load_spec (c, &spec, &spec_err) < 0)
    hull_warn ("%s", spec_err->msg);
  else
    run_hooks_warn (c, spec, "poststop", "stopped");
  oci_spec_free (spec);
  if (container_cgroup_remove (c->state->cgroup_path, err) < 0)
    return -1;
  return state_remove (c, err);
}

int
container_delete (struct hull_globals *g, const char *id, bool force, oci_error_t **err)
{
  struct hull_container c;
  enum hull_status s;
  int ret = -1;

  if (state_open (g->root, id, &c, err) < 0)
    {
      /* The remains of a killed create go without a word; as runc,
         --force on a container that does not exist is no error.  */
      if (c.abandoned)
        {
          oci_error_free (err);
          ret = state_remove (&c, err);
        }
      else if (force && *err && (*err)->status == ENOENT)
        {
          oci_error_free (err);
          ret = 0;
        }
      goto out;
    }
  s = state_status (&c);
  /* As runc: a created container that never ran is killed and deleted
     without --force.  */
  if (s != HULL_STATUS_STOPPED)
    {
      if (!force && s != HULL_STATUS_CREATED)
        {
          oci_error_set (err, EBUSY, "cannot delete container %s that is not stopped: %s", id,
                         state_status_name (s));
          goto out;
        }
      if (kill_and_wait (&c, err) < 0)
        goto out;
    }
  ret = delete_stopped (&c, err);
out:
  state_container_clear (&c);
  return ret;
}

/* --- foreground run --- */

static const int forwarded_signals[]
    = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT };

static int
exit_code (int status)
{
  if (WIFSIGNALED (status))
    return 128 + WTERMSIG (status);
  return WEXITSTATUS (status);
}

/* Copy what is readable from one fd to another; false on EOF or error.  */
static bool
pump (int from, int to)
{
  char buf[8192];
  ssize_t n = read (from, buf, sizeof buf);

  if (n < 0 && (errno == EINTR || errno == EAGAIN))
    return true;
  if (n <= 0)
    return false;
  return write_all (to, buf, (size_t) n) == 0;
}

struct fg_loop
{
  pid_t pid;
  int sfd;
  int master; /* -1 without a pty */
  bool stdin_open;
  bool master_open;
};

/* What the exited process left in the pty.  */
static void
fg_drain (struct fg_loop *l)
{
  struct pollfd p = { .fd = l->master, .events = POLLIN };

  while (l->master_open && poll (&p, 1, 0) > 0 && (p.revents & POLLIN))
    l->master_open = pump (l->master, 1);
}

/* One round of the loop; returns 1 once the init was reaped (*status set).  */
static int
fg_round (struct fg_loop *l, int *status, oci_error_t **err)
{
  struct pollfd pfd[3] = { { .fd = l->sfd, .events = POLLIN },
                           { .fd = l->stdin_open ? 0 : -1, .events = POLLIN },
                           { .fd = l->master_open ? l->master : -1, .events = POLLIN } };
  struct signalfd_siginfo si;

  if (poll (pfd, 3, -1) < 0 && errno != EINTR)
    return oci_error_errno (err, errno, "poll");
  if (pfd[2].revents & (POLLIN | POLLHUP | POLLERR))
    l->master_open = pump (l->master, 1);
  if (pfd[1].revents & (POLLIN | POLLHUP | POLLERR))
    l->stdin_open = pump (0, l->master);
  if (!(pfd[0].revents & POLLIN) || read (l->sfd, &si, sizeof si) != sizeof si)
    return 0;
  if (si.ssi_signo == SIGCHLD)
    {
      pid_t r = waitpid (l->pid, status, WNOHANG);
      if (r == l->pid)
        {
          fg_drain (l);
          return 1;
        }
      return 0;
    }
  if (si.ssi_signo == SIGWINCH && l->master >= 0)
    terminal_copy_winsize (0, l->master);
  else
    kill (l->pid, (int) si.ssi_signo);
  return 0;
}

int
container_wait_foreground (pid_t pid, int pty_master, oci_error_t **err)
{
  struct fg_loop l
      = { .pid = pid, .master = pty_master, .stdin_open = pty_master >= 0, .master_open = pty_master >= 0 };
  sigset_t mask, old;
  struct termios saved;
  int raw = 0, status = 0, r;

  sigemptyset (&mask);
  sigaddset (&mask, SIGCHLD);
  for (size_t i = 0; i < ARRAY_SIZE (forwarded_signals); i++)
    sigaddset (&mask, forwarded_signals[i]);
  sigprocmask (SIG_BLOCK, &mask, &old);
  l.sfd = signalfd (-1, &mask, SFD_CLOEXEC);
  if (l.sfd < 0)
    return oci_error_errno (err, errno, "signalfd");
  if (pty_master >= 0)
    {
      raw = terminal_make_raw (0, &saved);
      terminal_copy_winsize (0, pty_master);
    }
  /* The init may have exited before the signalfd existed.  */
  if (waitpid (pid, &status, WNOHANG) == pid)
    {
      fg_drain (&l);
      r = 1;
    }
  else
    while ((r = fg_round (&l, &status, err)) == 0)
      ;
  if (raw)
    tcsetattr (0, TCSANOW, &saved);
  close (l.sfd);
  sigprocmask (SIG_SETMASK, &old, NULL);
  return r < 0 ? -1 : exit_code (status);
}
