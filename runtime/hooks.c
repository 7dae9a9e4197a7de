/* OCI hooks: fork + execve with the hook's args and env, the state JSON on
   stdin, a timeout enforced with a pidfd (SIGKILL when it expires).  */
#include "config.h"
#include "hooks.h"
#include "fileutil.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int
pidfd_open_ (pid_t pid)
{
  return (int) syscall (SYS_pidfd_open, pid, 0);
}

static void __attribute__ ((noreturn)) hook_child (const struct oci_hook *h, int stdin_fd)
{
  static char *const empty_env[] = { NULL };
  char *const *args = h->args;
  char *fallback[] = { h->path, NULL };
  sigset_t all;

  sigemptyset (&all);
  sigprocmask (SIG_SETMASK, &all, NULL);
  signal (SIGPIPE, SIG_DFL);
  /* Its own process group, so a timeout kills what it started too.  */
  setpgid (0, 0);
  if (dup2 (stdin_fd, 0) < 0)
    _exit (127);
  if (args == NULL || args[0] == NULL)
    args = fallback;
  execve (h->path, args, h->env ? h->env : empty_env);
  fprintf (stderr, "hull: cannot execute hook %s: %s\n", h->path, strerror (errno));
  _exit (127);
}

/* Wait for pid for at most timeout seconds (0: no limit); returns 0 with
   the wait status, 1 on timeout (the hook was killed), -1 on error.  */
static int
wait_with_timeout (pid_t pid, int timeout, int *status)
{
  cleanup_close int pidfd = pidfd_open_ (pid);
  struct pollfd pfd;
  struct timespec start, now;
  int remaining_ms, r;

  clock_gettime (CLOCK_MONOTONIC, &start);
  while (pidfd >= 0 && timeout > 0)
    {
      clock_gettime (CLOCK_MONOTONIC, &now);
      remaining_ms
          = (int) (timeout * 1000L
                   - ((now.tv_sec - start.tv_sec) * 1000L + (now.tv_nsec - start.tv_nsec) / 1000000L));
      if (remaining_ms <= 0)
        {
          kill (-pid, SIGKILL);
          kill (pid, SIGKILL);
          while (waitpid (pid, status, 0) < 0 && errno == EINTR)
            ;
          return 1;
        }
      pfd.fd = pidfd;
      pfd.events = POLLIN;
      r = poll (&pfd, 1, remaining_ms);
      if (r < 0 && errno != EINTR)
        break;
      if (r > 0)
        break;
    }
  while ((r = waitpid (pid, status, 0)) < 0 && errno == EINTR)
    ;
  return r < 0 ? -1 : 0;
}

static int
run_one (const char *kind, size_t index, const struct oci_hook *h, const char *state_json, oci_error_t **err)
{
  int pipefd[2];
  pid_t pid;
  int status = 0, r;
  struct sigaction ign = { .sa_handler = SIG_IGN }, old;

  if (pipe2 (pipefd, O_CLOEXEC) < 0)
    return oci_error_errno (err, errno, "%s hook #%zu (%s): pipe", kind, index, h->path);
  pid = fork ();
  if (pid < 0)
    {
      close (pipefd[0]);
      close (pipefd[1]);
      return oci_error_errno (err, errno, "%s hook #%zu (%s): fork", kind, index, h->path);
    }
  if (pid == 0)
    hook_child (h, pipefd[0]);
  close (pipefd[0]);
  /* A hook that exits without reading its stdin is not an error.  */
  sigaction (SIGPIPE, &ign, &old);
  (void) write_all (pipefd[1], state_json, strlen (state_json));
  close (pipefd[1]);
  sigaction (SIGPIPE, &old, NULL);
  r = wait_with_timeout (pid, h->timeout_present ? h->timeout : 0, &status);
  if (r < 0)
    return oci_error_errno (err, errno, "%s hook #%zu (%s): wait", kind, index, h->path);
  if (r == 1)
    return oci_error_set (err, ETIMEDOUT, "%s hook #%zu (%s): timed out after %ds", kind, index, h->path,
                          (int) h->timeout);
  if (WIFSIGNALED (status))
    return oci_error_set (err, EIO, "%s hook #%zu (%s): killed by signal %d", kind, index, h->path,
                          WTERMSIG (status));
  if (WEXITSTATUS (status) != 0)
    return oci_error_set (err, EIO, "%s hook #%zu (%s): exit status %d", kind, index, h->path,
                          WEXITSTATUS (status));
  return 0;
}

int
hooks_run (const char *kind, const struct oci_hook *hooks, size_t n, const char *state_json,
           oci_error_t **err)
{
  for (size_t i = 0; i < n; i++)
    if (run_one (kind, i, &hooks[i], state_json, err) < 0)
      return -1;
  return 0;
}
