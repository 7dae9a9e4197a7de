/* The container's init: the one child cloned by container.c.  It joins and
   creates namespaces, waits for the parent's hooks, builds the rootfs,
   reports "created", waits on the exec fifo for `hull start` and execs the
   container process.  Every step is done by its module; this file is the
   order and the protocol.  */
#include "config.h"
#include "init.h"
#include "fileutil.h"
#include "hooks.h"
#include "mounts.h"
#include "namespaces.h"
#include "process.h"
#include "state.h"
#include "terminal.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef KEYCTL_JOIN_SESSION_KEYRING
#define KEYCTL_JOIN_SESSION_KEYRING 1
#endif

static int sync_recv (int fd, int flags, char *type, void *payload, size_t max, size_t *len,
                      oci_error_t **err);

int
hull_sync_send (int fd, enum hull_sync_msg type, const void *payload, size_t len, oci_error_t **err)
{
  cleanup_free char *buf = xmalloc (len + 1);
  char got;
  size_t n;

  buf[0] = (char) type;
  if (len)
    memcpy (buf + 1, payload, len);
  while (send (fd, buf, len + 1, MSG_NOSIGNAL) < 0)
    {
      int saved = errno;
      if (saved == EINTR)
        continue;
      /* The other side may have failed and left its reason (SYNC_ERROR)
         in the socket before exiting: that is the error to report.  */
      if (saved == EPIPE || saved == ECONNRESET)
        {
          char skip[64];
          /* Messages it sent before failing are moot now.  */
          while (sync_recv (fd, MSG_DONTWAIT, &got, skip, sizeof skip, &n, err) == 0)
            ;
          if (*err && (*err)->status == EIO)
            return -1;
          oci_error_free (err);
        }
      return oci_error_errno (err, saved, "sync: cannot send message '%c'", (char) type);
    }
  return 0;
}

int
hull_sync_recv (int fd, char *type, void *payload, size_t max, size_t *len, oci_error_t **err)
{
  return sync_recv (fd, 0, type, payload, max, len, err);
}

static int
sync_recv (int fd, int flags, char *type, void *payload, size_t max, size_t *len, oci_error_t **err)
{
  char buf[8192];
  ssize_t n;

  while ((n = recv (fd, buf, sizeof buf - 1, flags)) < 0)
    if (errno != EINTR)
      return oci_error_errno (err, errno, "sync: cannot receive a message");
  if (n == 0)
    return oci_error_set (err, EPIPE, "sync: the other side exited");
  if (buf[0] == SYNC_ERROR)
    {
      uint32_t mlen = 0;
      if (n >= 5)
        memcpy (&mlen, buf + 1, sizeof mlen);
      if (mlen > (uint32_t) (n - 5))
        mlen = (uint32_t) (n - 5);
      buf[5 + mlen] = '\0';
      return oci_error_set (err, EIO, "%s", n >= 5 ? buf + 5 : "the container's init failed");
    }
  if ((size_t) (n - 1) > max)
    return oci_error_set (err, EPROTO, "sync: message '%c' too long (%zd bytes)", buf[0], n);
  *type = buf[0];
  *len = (size_t) (n - 1);
  if (*len)
    memcpy (payload, buf + 1, *len);
  return 0;
}

int
hull_sync_expect (int fd, enum hull_sync_msg type, void *payload, size_t len, oci_error_t **err)
{
  char got, buf[64];
  size_t n;

  if (hull_sync_recv (fd, &got, buf, sizeof buf, &n, err) < 0)
    return -1;
  if (got != (char) type || n != len)
    return oci_error_set (err, EPROTO, "sync: expected message '%c', got '%c' (%zu bytes)", (char) type, got,
                          n);
  if (len)
    memcpy (payload, buf, len);
  return 0;
}

static void
send_error (int fd, const char *msg)
{
  uint32_t len = (uint32_t) strlen (msg);
  cleanup_free char *buf = xmalloc (len + sizeof len);
  cleanup_error oci_error_t *err = NULL;

  memcpy (buf, &len, sizeof len);
  memcpy (buf + sizeof len, msg, len);
  (void) hull_sync_send (fd, SYNC_ERROR, buf, len + sizeof len, &err);
}

static bool
fd_kept (const struct hull_init_ctx *ctx, int fd)
{
  return fd < 3 + ctx->preserve_fds || fd == ctx->sync_fd || fd == ctx->console_socket_fd
         || fd == ctx->exec_fifo_fd;
}

/* Close every fd inherited from hull's caller that the container must not
   see, even while it waits in "created"; preserved fds lose O_CLOEXEC.  */
static int
close_stray_fds (const struct hull_init_ctx *ctx, oci_error_t **err)
{
  cleanup_dir DIR *d = opendir ("/proc/self/fd");
  struct dirent *de;
  int i;

  if (d == NULL)
    return oci_error_errno (err, errno, "cannot open /proc/self/fd");
  while ((de = readdir (d)))
    {
      int fd = atoi (de->d_name);
      if (de->d_name[0] == '.' || fd < 3 || fd == dirfd (d) || fd_kept (ctx, fd))
        continue;
      close (fd);
    }
  for (i = 3; i < 3 + ctx->preserve_fds; i++)
    {
      int flags = fcntl (i, F_GETFD);
      if (flags >= 0 && fcntl (i, F_SETFD, flags & ~FD_CLOEXEC) < 0)
        return oci_error_errno (err, errno, "cannot preserve fd %d", i);
    }
  return 0;
}

static char *
hook_state (const struct hull_init_ctx *ctx, const char *status)
{
  return state_hook_json (ctx->id, status, ctx->host_pid, ctx->bundle, &ctx->spec->annotations);
}

static int
run_child_hooks (const struct hull_init_ctx *ctx, const char *kind, const struct oci_hook *hooks, size_t n,
                 oci_error_t **err)
{
  cleanup_free char *json = NULL;

  if (n == 0)
    return 0;
  json = hook_state (ctx, "created");
  return hooks_run (kind, hooks, n, json, err);
}

static int
enter_namespaces (struct hull_init_ctx *ctx, oci_error_t **err)
{
  if (ns_join_and_unshare (ctx, err) < 0)
    return -1;
  if (ctx->clone_flags & CLONE_NEWUSER)
    {
      if (hull_sync_expect (ctx->sync_fd, SYNC_USERNS_MAPPED, NULL, 0, err) < 0)
        return -1;
      prctl (PR_SET_DUMPABLE, 0, 0, 0, 0);
      /* Become the namespace's root (mapped by now) for the setup.  */
      if (setresgid (0, 0, 0) < 0 || setresuid (0, 0, 0) < 0)
        return oci_error_errno (err, errno, "cannot become root in the new user namespace");
    }
  if (oci_spec_find_namespace (ctx->spec, "time") && ns_setup_time (ctx->spec, err) < 0)
    return -1;
  if (!ctx->no_new_keyring)
    {
      cleanup_free char *name = NULL;
      xasprintf (&name, "_ses.%s", ctx->id);
      if (syscall (SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name) < 0 && errno != ENOSYS && errno != EPERM
          && errno != EACCES)
        return oci_error_errno (err, errno, "cannot join a new session keyring");
    }
  return 0;
}

static int
set_names (const struct oci_spec *spec, oci_error_t **err)
{
  if (spec->hostname && sethostname (spec->hostname, strlen (spec->hostname)) < 0)
    return oci_error_errno (err, errno, "cannot set the hostname %s", spec->hostname);
  if (spec->domainname && setdomainname (spec->domainname, strlen (spec->domainname)) < 0)
    return oci_error_errno (err, errno, "cannot set the domainname %s", spec->domainname);
  return 0;
}

int
hull_init_enter_cgroup (struct hull_init_ctx *ctx, oci_error_t **err)
{
  const struct oci_namespace *ns = oci_spec_find_namespace (ctx->spec, "cgroup");

  if (ctx->cgroup_entered)
    return 0;
  if (hull_sync_expect (ctx->sync_fd, SYNC_CGROUP_DONE, NULL, 0, err) < 0)
    return -1;
  ctx->cgroup_entered = true;
  if (ns && (ns->path == NULL || ns->path[0] == '\0') && unshare (CLONE_NEWCGROUP) < 0)
    return oci_error_errno (err, errno, "cannot create the cgroup namespace");
  return 0;
}

/* Everything up to SYNC_CREATED; errors go to the parent.  */
static int
init_create (struct hull_init_ctx *ctx, oci_error_t **err)
{
  const struct oci_hooks *h = ctx->spec->hooks;
  struct oci_process *proc = ctx->spec->process;

  /* First of all, single-threaded and before any fork into a pid
     namespace, so that a grandchild is born in the cgroup too.  */
  if (ctx->cgroup_join_v1 && cgroup_placement_join_v1_self (ctx->cgroup_place, err) < 0)
    return -1;
  if (hull_sync_expect (ctx->sync_fd, SYNC_HOST_PID, &ctx->host_pid, sizeof ctx->host_pid, err) < 0)
    return -1;
  if (close_stray_fds (ctx, err) < 0 || enter_namespaces (ctx, err) < 0)
    return -1;
  if (hull_sync_send (ctx->sync_fd, SYNC_NS_READY, NULL, 0, err) < 0)
    return -1;
  /* prestart/createRuntime hooks run (in the parent) before the mounts;
     without them the rootfs is built while the parent moves us into our
     cgroup.  */
  if (h && (h->prestart_len || h->create_runtime_len)
      && (hull_init_enter_cgroup (ctx, err) < 0
          || hull_sync_expect (ctx->sync_fd, SYNC_HOOKS_DONE, NULL, 0, err) < 0))
    return -1;
  if (mounts_prepare_rootfs (ctx, err) < 0 || hull_init_enter_cgroup (ctx, err) < 0)
    return -1;
  if (h && run_child_hooks (ctx, "createContainer", h->create_container, h->create_container_len, err) < 0)
    return -1;
  if (mounts_pivot_root (ctx, err) < 0 || mounts_finalize (ctx, err) < 0 || set_names (ctx->spec, err) < 0)
    return -1;
  if (proc->terminal && terminal_setup_in_container (ctx->console_socket_fd, proc->console_size, err) < 0)
    return -1;
  if (ctx->console_socket_fd >= 0)
    close (ctx->console_socket_fd);
  ctx->console_socket_fd = -1;
  if (process_prepare (ctx, proc, err) < 0)
    return -1;
  /* From now on the container outlives the hull that created it.  */
  prctl (PR_SET_PDEATHSIG, 0);
  return hull_sync_send (ctx->sync_fd, SYNC_CREATED, NULL, 0, err);
}

/* Block until `hull start` opens the fifo for reading.  */
static int
wait_exec_fifo (struct hull_init_ctx *ctx, oci_error_t **err)
{
  char path[64];
  cleanup_close int fd = -1;

  if (ctx->exec_fifo_fd < 0)
    return 0;
  snprintf (path, sizeof path, "/proc/self/fd/%d", ctx->exec_fifo_fd);
  while ((fd = open (path, O_WRONLY | O_CLOEXEC)) < 0)
    if (errno != EINTR)
      return oci_error_errno (err, errno, "cannot open the exec fifo");
  if (write_all (fd, "0", 1) < 0)
    return oci_error_errno (err, errno, "cannot write to the exec fifo");
  close (ctx->exec_fifo_fd);
  ctx->exec_fifo_fd = -1;
  return 0;
}

/* After SYNC_CREATED: the parent may be gone, errors go to stderr.  */
static int
init_start (struct hull_init_ctx *ctx, oci_error_t **err)
{
  const struct oci_hooks *h = ctx->spec->hooks;

  if (wait_exec_fifo (ctx, err) < 0)
    return -1;
  close (ctx->sync_fd);
  ctx->sync_fd = -1;
  if (h && run_child_hooks (ctx, "startContainer", h->start_container, h->start_container_len, err) < 0)
    return -1;
  return process_exec (ctx, ctx->spec->process, err);
}

int
hull_init_main (void *arg)
{
  struct hull_init_ctx *ctx = arg;
  cleanup_error oci_error_t *err = NULL;

  /* Inherited from the parent already; set again so no path forgets it:
     nobody may open /proc/<pid>/exe (hull's binary) of this process.  */
  if (!ctx->dumpable_until_mapped)
    prctl (PR_SET_DUMPABLE, 0, 0, 0, 0);
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  if (init_create (ctx, &err) < 0)
    {
      send_error (ctx->sync_fd, err ? err->msg : "the container's init failed");
      _exit (1);
    }
  init_start (ctx, &err);
  fprintf (stderr, "hull: %s\n", err ? err->msg : "cannot start the container process");
  _exit (127);
}
