/* The OCI runtime of berth: resolving its path, its state root under the
   runroot, and running it with its output captured.  */
#include "config.h"
#include "runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "fileutil.h"
#include "strbuf.h"
#include "util.h"

#define DEFAULT_ROOT        "/var/lib/berth"
#define DEFAULT_RUNROOT     "/run/berth"
#define DEFAULT_CONFIG_DIR  "/etc/berth"
#define CONFIG_MAX          (64u * 1024)
#define RUNTIME_STDERR_KEEP (16u * 1024)
#define RUNTIME_STDOUT_MAX  (64u * 1024 * 1024)

char *
berth_runroot (struct berth_globals *g)
{
  char *r;

  if (g->runroot)
    return xstrdup (g->runroot);
  if (streq (g->root, DEFAULT_ROOT))
    return xstrdup (DEFAULT_RUNROOT);
  xasprintf (&r, "%s/run", g->root);
  return r;
}

char *
runtime_state_root (struct berth_globals *g)
{
  cleanup_free char *runroot = berth_runroot (g);
  char *r;

  xasprintf (&r, "%s/runtime", runroot);
  return r;
}

static bool
is_executable_file (const char *path)
{
  struct stat st;

  return stat (path, &st) == 0 && S_ISREG (st.st_mode) && access (path, X_OK) == 0;
}

/* A name without '/' through $PATH; a path made absolute.  NULL when
   there is no such executable.  */
static char *
find_executable (const char *name)
{
  const char *path = getenv ("PATH");
  char buf[PATH_MAX];

  if (strchr (name, '/'))
    return is_executable_file (name) && realpath (name, buf) ? xstrdup (buf) : NULL;
  if (path == NULL || *path == '\0')
    path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  while (*path)
    {
      size_t n = strcspn (path, ":");
      cleanup_free char *cand = NULL;

      xasprintf (&cand, "%.*s/%s", (int) n, n ? path : ".", name);
      if (is_executable_file (cand) && realpath (cand, buf))
        return xstrdup (buf);
      path += n;
      if (*path == ':')
        path++;
    }
  return NULL;
}

/* The value of `runtime = …` in berth.conf; NULL when absent.  */
static int
config_runtime (char **value, oci_error_t **err)
{
  const char *dir = getenv ("BERTH_CONFIG_DIR");
  cleanup_free char *path = NULL, *data = NULL;
  char *line, *save = NULL;

  *value = NULL;
  xasprintf (&path, "%s/berth.conf", dir && *dir ? dir : DEFAULT_CONFIG_DIR);
  if (access (path, F_OK) < 0)
    return 0;
  if (read_file_max (path, CONFIG_MAX, &data, NULL, err) < 0)
    return -1;
  for (line = strtok_r (data, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      char *hash = strchr (line, '#'), *eq, *key, *val, *end;

      if (hash)
        *hash = '\0';
      eq = strchr (line, '=');
      if (eq == NULL)
        continue;
      *eq = '\0';
      key = line + strspn (line, " \t");
      for (end = eq; end > key && (end[-1] == ' ' || end[-1] == '\t'); end--)
        end[-1] = '\0';
      val = eq + 1 + strspn (eq + 1, " \t");
      for (end = val + strlen (val); end > val && strchr (" \t\r", end[-1]); end--)
        end[-1] = '\0';
      if (streq (key, "runtime") && *val)
        {
          free (*value);
          *value = xstrdup (val);
        }
    }
  return 0;
}

static int
resolve_name (const char *name, char **path, oci_error_t **err)
{
  *path = find_executable (name);
  if (*path == NULL)
    return oci_error_set (err, ENOENT, "unknown or invalid runtime name: %s", name);
  return 0;
}

int
runtime_resolve (struct berth_globals *g, const char *name, char **path, oci_error_t **err)
{
  cleanup_free char *conf = NULL, *self = NULL;
  char buf[PATH_MAX];
  ssize_t n;

  if (name)
    return resolve_name (name, path, err);
  if (g->runtime)
    return resolve_name (g->runtime, path, err);
  if (config_runtime (&conf, err) < 0)
    return -1;
  if (conf)
    return resolve_name (conf, path, err);
  n = readlink ("/proc/self/exe", buf, sizeof buf - 1);
  if (n > 0)
    {
      char *slash;

      buf[n] = '\0';
      slash = strrchr (buf, '/');
      if (slash)
        {
          xasprintf (&self, "%.*s/hull", (int) (slash - buf), buf);
          if (is_executable_file (self))
            {
              *path = steal_pointer (&self);
              return 0;
            }
        }
    }
  return resolve_name ("hull", path, err);
}

/* Decode the JSON string starting at s (after the opening quote).  */
static char *
json_string_decode (const char *s)
{
  struct strbuf sb = STRBUF_INIT;

  for (; *s && *s != '"'; s++)
    {
      if (*s != '\\' || s[1] == '\0')
        {
          strbuf_addch (&sb, *s);
          continue;
        }
      s++;
      switch (*s)
        {
        case 'n':
          strbuf_addch (&sb, '\n');
          break;
        case 't':
          strbuf_addch (&sb, '\t');
          break;
        case 'u':
          {
            unsigned cp = 0;

            if (sscanf (s + 1, "%4x", &cp) == 1 && strlen (s + 1) >= 4)
              s += 4;
            strbuf_addch (&sb, cp < 0x80 && cp >= 0x20 ? (char) cp : '?');
            break;
          }
        default:
          strbuf_addch (&sb, *s);
        }
    }
  return strbuf_detach (&sb, NULL);
}

/* The last non-empty line of the runtime's stderr, with JSON log lines
   ({"level":"error","msg":"…"}) decoded.  NULL when there is none.  */
static char *
runtime_error_line (const char *text)
{
  const char *end = text + strlen (text), *start, *msg, *value = NULL;
  char *line;

  while (end > text && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
    end--;
  if (end == text)
    return NULL;
  start = end;
  while (start > text && start[-1] != '\n')
    start--;
  line = xstrndup (start, end - start);
  /* JSON logs ({"msg":"…"}) and logrus text (level=error msg="…") */
  if (line[0] == '{' && (msg = strstr (line, "\"msg\":\"")) != NULL)
    value = msg + strlen ("\"msg\":\"");
  else if ((msg = strstr (line, " msg=\"")) != NULL)
    value = msg + strlen (" msg=\"");
  if (value)
    {
      char *decoded = json_string_decode (value);

      free (line);
      line = decoded;
    }
  return line;
}

/* Read the child's stdout (when wanted) and stderr until both close.  */
static void
collect_output (int outfd, int errfd, struct strbuf *out, struct strbuf *errbuf)
{
  struct pollfd p[2] = { { .fd = outfd, .events = POLLIN }, { .fd = errfd, .events = POLLIN } };
  char buf[8192];

  while (p[0].fd >= 0 || p[1].fd >= 0)
    {
      if (poll (p, 2, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          break;
        }
      for (int i = 0; i < 2; i++)
        {
          ssize_t n;

          if (p[i].fd < 0 || p[i].revents == 0)
            continue;
          n = read (p[i].fd, buf, sizeof buf);
          if (n < 0 && errno == EINTR)
            continue;
          if (n <= 0)
            {
              close (p[i].fd);
              p[i].fd = -1;
              continue;
            }
          if (i == 0 && out->len < RUNTIME_STDOUT_MAX)
            strbuf_add (out, buf, n);
          if (i == 1)
            {
              strbuf_add (errbuf, buf, n);
              if (errbuf->len > 2 * RUNTIME_STDERR_KEEP)
                {
                  memmove (errbuf->buf, errbuf->buf + errbuf->len - RUNTIME_STDERR_KEEP, RUNTIME_STDERR_KEEP);
                  strbuf_setlen (errbuf, RUNTIME_STDERR_KEEP);
                }
            }
        }
    }
}

static char **
runtime_argv (const char *runtime, const char *state_root, char *const *args)
{
  size_t n = strv_len (args), i = 0;
  char **argv = xcalloc (n + 4, sizeof *argv);

  argv[i++] = (char *) runtime;
  argv[i++] = (char *) "--root";
  argv[i++] = (char *) state_root;
  for (size_t j = 0; j < n; j++)
    argv[i++] = args[j];
  return argv;
}

static void __attribute__ ((noreturn)) runtime_child (char **argv, int outfd, int errfd)
{
  sigset_t none;

  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
  if (outfd >= 0 && dup2 (outfd, STDOUT_FILENO) < 0)
    _exit (127);
  if (dup2 (errfd, STDERR_FILENO) < 0)
    _exit (127);
  execv (argv[0], argv);
  dprintf (STDERR_FILENO, "exec %s: %s\n", argv[0], strerror (errno));
  _exit (127);
}

static int
runtime_failed (const char *runtime, char *const *args, int status, const char *errtext, oci_error_t **err)
{
  cleanup_free char *line = runtime_error_line (errtext);
  int code = ENOTRECOVERABLE;

  if (line && strstr (line, "does not exist"))
    code = ENOENT;
  if (line)
    return oci_error_set (err, code, "%s", line);
  if (WIFSIGNALED (status))
    return oci_error_set (err, code, "%s %s: killed by signal %d", runtime, args[0] ? args[0] : "",
                          WTERMSIG (status));
  return oci_error_set (err, code, "%s %s: exit status %d", runtime, args[0] ? args[0] : "",
                        WEXITSTATUS (status));
}

int
runtime_run (struct berth_globals *g, const char *runtime, char *const *args, char **out, oci_error_t **err)
{
  cleanup_free char *state_root = runtime_state_root (g);
  cleanup_free char **argv = NULL;
  cleanup_strbuf struct strbuf outbuf = STRBUF_INIT;
  cleanup_strbuf struct strbuf errbuf = STRBUF_INIT;
  int outp[2] = { -1, -1 }, errp[2];
  int status;
  pid_t pid;

  if (mkdir_p (state_root, 0700, err) < 0)
    return -1;
  argv = runtime_argv (runtime, state_root, args);
  if (out && pipe2 (outp, O_CLOEXEC) < 0)
    return oci_error_errno (err, errno, "pipe");
  if (pipe2 (errp, O_CLOEXEC) < 0)
    {
      if (out)
        close (outp[0]), close (outp[1]);
      return oci_error_errno (err, errno, "pipe");
    }
  pid = fork ();
  if (pid < 0)
    {
      if (out)
        close (outp[0]), close (outp[1]);
      close (errp[0]), close (errp[1]);
      return oci_error_errno (err, errno, "fork");
    }
  if (pid == 0)
    runtime_child (argv, outp[1], errp[1]);
  if (out)
    close (outp[1]);
  close (errp[1]);
  collect_output (outp[0], errp[0], &outbuf, &errbuf);
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return oci_error_errno (err, errno, "waitpid %s", runtime);
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    return runtime_failed (runtime, args, status, strbuf_str (&errbuf), err);
  if (out)
    *out = strbuf_detach (&outbuf, NULL);
  return 0;
}
