/* The container process, from the finished rootfs to execve.

   process_prepare_seccomp runs in the runtime before the clone: the
   compiled filter (often cached, see seccomp_cache.h) is inherited by the
   child, which only loads it with seccomp(2).

   process_prepare runs before the container reports "created": everything
   that may fail because of the configuration (rlimits, LSM labels, the
   executable lookup) fails at create time, as runc's does, and the
   start -> execve path stays short.  Its results live in
   `prepared`: the container's init is one process that runs
   process_prepare then process_exec.

   process_exec follows runc's order: cwd, fds marked close-on-exec, the
   seccomp filter when noNewPrivileges is off (it needs CAP_SYS_ADMIN),
   bounding set, user and groups with the capabilities kept, the
   capability sets, umask, no_new_privs, the environment, the seccomp
   filter when noNewPrivileges is on, execve.

   execCPUAffinity: "initial" is applied in process_prepare, "final" right
   before execve (after execve hull has no hand on the process).  */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/close_range.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "caps.h"
#include "fileutil.h"
#include "inroot.h"
#include "process.h"
#include "process_attrs.h"
#include "rlimits.h"
#include "seccomp_cache.h"
#include "seccomp_filter.h"
#include "strbuf.h"
#include "util.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static struct
{
  bool seccomp_ready;         /* seccomp and seccomp_flags are set */
  struct seccomp_bpf seccomp; /* empty: no filter */
  unsigned int seccomp_flags; /* for seccomp(2) */
  char *exec_path;            /* args[0] resolved in the container's PATH */
  struct caps_masks caps;
} prepared;

/* --- process_prepare --- */

static const char *
env_get (char **env, const char *name)
{
  size_t n = strlen (name);

  for (size_t i = 0; env && env[i]; i++)
    if (strncmp (env[i], name, n) == 0 && env[i][n] == '=')
      return env[i] + n + 1;
  return NULL;
}

/* runc's (Go's exec.LookPath) messages, lowercase strerror included.  */
static int
exec_error (oci_error_t **err, int status, const char *arg0, const char *detail)
{
  return oci_error_set (err, status, "exec: \"%s\": %s", arg0, detail);
}

static const char *
lower_strerror (int e, char *buf, size_t size)
{
  snprintf (buf, size, "%s", strerror (e));
  if (buf[0] >= 'A' && buf[0] <= 'Z')
    buf[0] = (char) (buf[0] - 'A' + 'a');
  return buf;
}

static bool
is_executable_file (const char *path, int *error)
{
  struct stat st;

  if (stat (path, &st) < 0)
    {
      *error = errno;
      return false;
    }
  if (S_ISDIR (st.st_mode) || (st.st_mode & 0111) == 0)
    {
      *error = EACCES;
      return false;
    }
  return true;
}

static int
lookup_executable (const char *arg0, char **env, char **out, oci_error_t **err)
{
  const char *path = env_get (env, "PATH");
  char buf[128];
  int e = 0;

  if (strchr (arg0, '/'))
    {
      if (is_executable_file (arg0, &e))
        {
          *out = xstrdup (arg0);
          return 0;
        }
      if (e == ENOENT || e == ENOTDIR)
        {
          char detail[PATH_MAX + 64];
          snprintf (detail, sizeof (detail), "stat %s: %s", arg0, lower_strerror (e, buf, sizeof (buf)));
          return exec_error (err, e, arg0, detail);
        }
      return exec_error (err, e, arg0, lower_strerror (e, buf, sizeof (buf)));
    }
  if (path == NULL)
    path = DEFAULT_PATH;
  for (const char *p = path;; p++)
    {
      const char *end = strchrnul (p, ':');
      cleanup_free char *cand = NULL;

      xasprintf (&cand, "%.*s/%s", (int) (end - p), end == p ? "." : p, arg0);
      if (is_executable_file (cand, &e))
        {
          *out = steal_pointer (&cand);
          return 0;
        }
      if (*end == '\0')
        break;
      p = end;
    }
  return exec_error (err, ENOENT, arg0, "executable file not found in $PATH");
}

static int
prepare_attrs (struct hull_init_ctx *ctx, const struct oci_process *proc, oci_error_t **err)
{
  const struct oci_linux *lx = ctx->spec->linux;

  if (rlimits_apply (proc->rlimits, proc->rlimits_len, err) < 0)
    return -1;
  if (proc->oom_score_adj_present && attrs_set_oom_score_adj (proc->oom_score_adj, err) < 0)
    return -1;
  if (lx && lx->personality && attrs_set_personality (lx->personality, err) < 0)
    return -1;
  if (proc->io_priority && attrs_set_io_priority (proc->io_priority, err) < 0)
    return -1;
  if (proc->scheduler && attrs_set_scheduler (proc->scheduler, err) < 0)
    return -1;
  if (proc->exec_cpu_affinity && proc->exec_cpu_affinity->initial
      && attrs_set_cpu_affinity (proc->exec_cpu_affinity->initial, "process.execCPUAffinity.initial", err)
             < 0)
    return -1;
  if (proc->apparmor_profile && proc->apparmor_profile[0]
      && attrs_set_apparmor (proc->apparmor_profile, err) < 0)
    return -1;
  if (proc->selinux_label && proc->selinux_label[0] && attrs_set_selinux (proc->selinux_label, err) < 0)
    return -1;
  return 0;
}

int
process_prepare_seccomp (const char *root, const struct oci_spec *spec, oci_error_t **err)
{
  const struct oci_seccomp *sp = spec->linux ? spec->linux->seccomp : NULL;

  seccomp_bpf_clear (&prepared.seccomp);
  prepared.seccomp_flags = 0;
  prepared.seccomp_ready = false;
  if (sp == NULL)
    {
      prepared.seccomp_ready = true;
      return 0;
    }
  if (seccomp_cache_get (root, sp, &prepared.seccomp, err) < 0
      || seccomp_filter_kernel_flags (sp, &prepared.seccomp_flags, err) < 0)
    {
      seccomp_bpf_clear (&prepared.seccomp);
      return -1;
    }
  prepared.seccomp_ready = true;
  return 0;
}

int
process_prepare (struct hull_init_ctx *ctx, const struct oci_process *proc, oci_error_t **err)
{
  if (proc->args == NULL || proc->args[0] == NULL)
    return oci_error_set (err, EINVAL, "process.args: no command given");
  if (prepare_attrs (ctx, proc, err) < 0)
    return -1;
  if (proc->capabilities)
    caps_parse (proc->capabilities, &prepared.caps);
  if (!prepared.seccomp_ready && process_prepare_seccomp (NULL, ctx->spec, err) < 0)
    return -1;
  return lookup_executable (proc->args[0], proc->env, &prepared.exec_path, err);
}

/* --- process_exec --- */

/* Create cwd inside the container if missing, enter it and make sure the
   kernel agrees that it is inside the container's root (a leaked host
   directory fd would show as "(unreachable)/...").  */
static int
enter_cwd (const char *cwd, oci_error_t **err)
{
  char buf[PATH_MAX];
  cleanup_close int rootfd = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  cleanup_close int dirfd = -1;

  if (cwd == NULL || cwd[0] != '/')
    return oci_error_set (err, EINVAL, "process.cwd: \"%s\" is not an absolute path", cwd ? cwd : "");
  if (rootfd < 0)
    return oci_error_errno (err, errno, "process.cwd: open /");
  dirfd = inroot_mkdir_p (rootfd, cwd, 0755, err);
  if (dirfd < 0)
    return oci_error_prefix (err, "process.cwd: creating \"%s\"", cwd);
  if (fchdir (dirfd) < 0)
    return oci_error_errno (err, errno, "process.cwd: chdir to \"%s\"", cwd);
  if (getcwd (buf, sizeof (buf)) == NULL || buf[0] != '/')
    return oci_error_set (err, EPERM, "process.cwd: \"%s\" resolves outside the container's root", cwd);
  return 0;
}

/* Every fd above 3+preserve_fds-1 closes at execve (the sync socket and
   the exec fifo must not leak); the preserved ones stay open.  */
static int
mark_fds_cloexec (int preserve_fds, oci_error_t **err)
{
  unsigned int first = 3u + (unsigned) (preserve_fds > 0 ? preserve_fds : 0);

  for (int fd = 3; fd < (int) first; fd++)
    {
      int flags = fcntl (fd, F_GETFD);
      if (flags >= 0 && (flags & FD_CLOEXEC))
        fcntl (fd, F_SETFD, flags & ~FD_CLOEXEC);
    }
  if (syscall (SYS_close_range, first, ~0u, CLOSE_RANGE_CLOEXEC) == 0)
    return 0;
  {
    cleanup_dir DIR *d = opendir ("/proc/self/fd");
    struct dirent *de;

    if (d == NULL)
      return oci_error_errno (err, errno, "close_range and /proc/self/fd both unavailable");
    while ((de = readdir (d)))
      {
        int fd = atoi (de->d_name);
        if (de->d_name[0] != '.' && fd >= (int) first && fd != dirfd (d))
          fcntl (fd, F_SETFD, FD_CLOEXEC);
      }
  }
  return 0;
}

static int
set_user (const struct oci_user *u, bool keep_caps, oci_error_t **err)
{
  uid_t uid = u ? u->uid : 0;
  gid_t gid = u ? u->gid : 0;
  size_t ngroups = u ? u->additional_gids_len : 0;

  if (setgroups (ngroups, ngroups ? (gid_t *) u->additional_gids : NULL) < 0
      && (ngroups > 0 || errno != EPERM))
    return oci_error_errno (err, errno, "process.user.additionalGids: setgroups");
  if (keep_caps && prctl (PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
    return oci_error_errno (err, errno, "prctl(PR_SET_KEEPCAPS)");
  if (setresgid (gid, gid, gid) < 0)
    return oci_error_errno (err, errno, "process.user.gid: setresgid(%u)", gid);
  if (setresuid (uid, uid, uid) < 0)
    return oci_error_errno (err, errno, "process.user.uid: setresuid(%u)", uid);
  if (keep_caps && prctl (PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
    return oci_error_errno (err, errno, "prctl(PR_SET_KEEPCAPS, 0)");
  return 0;
}

/* HOME of uid from the container's /etc/passwd, "/" when none.  */
static char *
home_of (uid_t uid)
{
  cleanup_free char *data = NULL;
  cleanup_error oci_error_t *err = NULL;
  char *line, *save = NULL;

  if (read_file_max ("/etc/passwd", 4 << 20, &data, NULL, &err) < 0)
    return xstrdup ("/");
  for (line = strtok_r (data, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      char *f[7] = { 0 };
      char *p = line;
      int n = 0;

      for (; n < 7 && p; n++)
        f[n] = strsep (&p, ":");
      if (n >= 6 && f[2] && f[5] && *f[2] && strtoul (f[2], NULL, 10) == uid && f[5][0])
        return xstrdup (f[5]);
    }
  return xstrdup ("/");
}

static char **
build_env (const struct oci_process *proc)
{
  size_t n = strv_len (proc->env);
  char **env = xcalloc (n + 3, sizeof (char *));
  size_t k = 0;

  for (size_t i = 0; i < n; i++)
    env[k++] = xstrdup (proc->env[i]);
  if (env_get (proc->env, "PATH") == NULL)
    env[k++] = xstrdup ("PATH=" DEFAULT_PATH);
  if (env_get (proc->env, "HOME") == NULL)
    {
      cleanup_free char *home = home_of (proc->user ? proc->user->uid : 0);
      xasprintf (&env[k++], "HOME=%s", home);
    }
  return env;
}

static char *
state_json_of (struct hull_init_ctx *ctx)
{
  struct oci_state st = {
    .oci_version = (char *) "1.2.0",
    .id = (char *) ctx->id,
    .status = (char *) "creating",
    .pid = ctx->host_pid,
    .pid_present = true,
    .bundle = (char *) ctx->bundle,
    .annotations = ctx->spec->annotations,
  };
  cleanup_error oci_error_t *err = NULL;
  char *out = NULL;

  if (oci_state_emit (&st, false, &out, NULL, &err) < 0)
    return NULL;
  return out;
}

static int
load_seccomp (struct hull_init_ctx *ctx, oci_error_t **err)
{
  const struct oci_seccomp *sp = ctx->spec->linux->seccomp;
  cleanup_free char *state = sp->listener_path ? state_json_of (ctx) : NULL;
  int ret
      = seccomp_filter_load_bpf (sp, &prepared.seccomp, prepared.seccomp_flags, ctx->host_pid, state, err);

  seccomp_bpf_clear (&prepared.seccomp);
  return ret;
}

static int
apply_identity (struct hull_init_ctx *ctx, const struct oci_process *proc, oci_error_t **err)
{
  if (proc->capabilities && caps_drop_bounding (&prepared.caps, err) < 0)
    return -1;
  if (set_user (proc->user, proc->capabilities != NULL, err) < 0)
    return -1;
  if (proc->capabilities && caps_apply (&prepared.caps, err) < 0)
    return -1;
  (void) ctx;
  return 0;
}

int
process_exec (struct hull_init_ctx *ctx, const struct oci_process *proc, oci_error_t **err)
{
  bool nnp = proc->no_new_privileges;
  cleanup_strv char **env = NULL;

  if (prepared.exec_path == NULL)
    return oci_error_set (err, EINVAL, "process_exec called before process_prepare");
  if (enter_cwd (proc->cwd, err) < 0 || mark_fds_cloexec (ctx->preserve_fds, err) < 0)
    return -1;
  if (prepared.seccomp.insns && !nnp && load_seccomp (ctx, err) < 0)
    return -1;
  if (apply_identity (ctx, proc, err) < 0)
    return -1;
  umask (proc->user && proc->user->umask_present ? (mode_t) proc->user->umask : 0022);
  if (nnp && prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return oci_error_errno (err, errno, "process.noNewPrivileges: prctl(PR_SET_NO_NEW_PRIVS)");
  env = build_env (proc);
  if (proc->exec_cpu_affinity && proc->exec_cpu_affinity->final
      && attrs_set_cpu_affinity (proc->exec_cpu_affinity->final, "process.execCPUAffinity.final", err) < 0)
    return -1;
  if (prepared.seccomp.insns && load_seccomp (ctx, err) < 0)
    return -1;
  execve (prepared.exec_path, proc->args, env);
  {
    int e = errno;
    char buf[128];
    return exec_error (err, e, proc->args[0], lower_strerror (e, buf, sizeof (buf)));
  }
}
