/* berth healthcheck run CONTAINER: one run of the container's
   Config.Healthcheck.Test (CMD or CMD-SHELL) through the runtime's exec,
   with its timeout.  The result goes to <cdir>/health.json in docker's
   Health shape: {"Status","FailingStreak","Log":[{"Start","End",
   "ExitCode","Output"}]}, the last 5 runs.  Status moves from "starting"
   to "healthy" on a success, to "unhealthy" after Retries failures in a
   row; failures inside StartPeriod do not count while starting.  Exit 0
   unless unhealthy (1).  The monitor runs this at the interval.  */
#include "config.h"
#include "commands.h"
#include "tools.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fileutil.h"
#include "manager/container/control.h"
#include "manager/container/monitor_proto.h"
#include "util.h"

#define HEALTH_LOG_MAX    5
#define HEALTH_OUTPUT_MAX 4096
#define NS                1000000000LL

struct health_run
{
  char *start, *end;
  int exit_code;
  struct strbuf output;
};

static char **
health_argv (char *const *test)
{
  char **argv = NULL;

  if (streq (test[0], "CMD-SHELL"))
    {
      argv = xcalloc (4, sizeof (char *));
      argv[0] = xstrdup ("/bin/sh");
      argv[1] = xstrdup ("-c");
      argv[2] = xstrdup (test[1] ? test[1] : "");
      return argv;
    }
  return strv_dup (test + 1);
}

static void
output_add (struct strbuf *out, const char *buf, size_t n)
{
  if (out->len < HEALTH_OUTPUT_MAX)
    strbuf_add (out, buf, out->len + n > HEALTH_OUTPUT_MAX ? HEALTH_OUTPUT_MAX - out->len : n);
}

static void
kill_exec (const char *pidfile)
{
  cleanup_free char *data = NULL;

  if (read_file_max (pidfile, 64, &data, NULL, NULL) == 0 && atoi (data) > 0)
    kill (atoi (data), SIGKILL);
}

/* Run the runtime exec with stdout+stderr into a pipe until the
   deadline.  */
static void
health_exec (char **argv, const char *pidfile, int64_t timeout_ns, struct health_run *r)
{
  int64_t deadline = container_now_ns () + timeout_ns;
  int pfd[2], status;
  bool timed_out = false;
  pid_t pid;

  if (pipe2 (pfd, O_CLOEXEC) < 0 || (pid = fork ()) < 0)
    {
      r->exit_code = -1;
      strbuf_addf (&r->output, "health check: %s", strerror (errno));
      return;
    }
  if (pid == 0)
    {
      int nul = open ("/dev/null", O_RDONLY);

      dup2 (nul, STDIN_FILENO);
      dup2 (pfd[1], STDOUT_FILENO);
      dup2 (pfd[1], STDERR_FILENO);
      execv (argv[0], argv);
      _exit (BERTH_EXIT_CANNOT_RUN);
    }
  close (pfd[1]);
  for (;;)
    {
      struct pollfd p = { pfd[0], POLLIN, 0 };
      int64_t left = deadline - container_now_ns ();
      char buf[4096];
      ssize_t n;

      if (left <= 0)
        {
          timed_out = true;
          kill_exec (pidfile);
          kill (pid, SIGKILL);
          break;
        }
      if (poll (&p, 1, (int) (left / 1000000 + 1)) <= 0)
        continue;
      n = read (pfd[0], buf, sizeof buf);
      if (n <= 0)
        break;
      output_add (&r->output, buf, (size_t) n);
    }
  close (pfd[0]);
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (timed_out)
    {
      r->exit_code = -1;
      strbuf_reset (&r->output);
      strbuf_addf (&r->output, "Health check exceeded timeout (%llds)", (long long) (timeout_ns / NS));
      return;
    }
  r->exit_code = WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}

static void
health_probe (struct berth_globals *g, struct tool_ctr *t, char *const *test, int64_t timeout_ns,
              struct health_run *r)
{
  cleanup_strv char **cmd = health_argv (test);
  cleanup_free char *tmp = NULL;
  cleanup_free char *pfile = NULL;
  cleanup_free char *pidfile = NULL;
  cleanup_strv char **argv = NULL;
  oci_error_t *err = NULL;
  int code = 0;

  if (cmd[0] == NULL || tool_exec_prepare (t, cmd, &tmp, &pfile, &code, &err) < 0)
    {
      r->exit_code = code ? code : -1;
      strbuf_addstr (&r->output, err ? err->msg : "health check: empty command");
      oci_error_free (&err);
      return;
    }
  xasprintf (&pidfile, "%s/pid", tmp);
  {
    char *args[] = { "exec", "--process", pfile, "--pid-file", pidfile, t->c->id, NULL };

    argv = tool_runtime_argv (g, t, args);
  }
  health_exec (argv, pidfile, timeout_ns, r);
  remove_recursive (tmp, NULL);
}

/* --- health.json --- */

static void
log_entry_json (struct strbuf *sb, const char *start, const char *end, long long code, const char *output)
{
  strbuf_addstr (sb, "{\"Start\":");
  cli_json_string (sb, start);
  strbuf_addstr (sb, ",\"End\":");
  cli_json_string (sb, end);
  strbuf_addf (sb, ",\"ExitCode\":%lld,\"Output\":", code);
  cli_json_string (sb, output);
  strbuf_addch (sb, '}');
}

static const char *
jstr (yajl_val v, const char *key)
{
  const char *path[] = { key, NULL };
  yajl_val s = yajl_tree_get (v, path, yajl_t_string);

  return s ? YAJL_GET_STRING (s) : "";
}

static int
health_write (const char *cdir, yajl_val old, const char *status, long long streak,
              const struct health_run *r, oci_error_t **err)
{
  const char *lpath[] = { "Log", NULL }, *cpath[] = { "ExitCode", NULL };
  yajl_val log = old ? yajl_tree_get (old, lpath, yajl_t_array) : NULL;
  size_t n = log ? log->u.array.len : 0, first = n >= HEALTH_LOG_MAX ? n - (HEALTH_LOG_MAX - 1) : 0;
  cleanup_strbuf struct strbuf sb = STRBUF_INIT;
  cleanup_free char *path = NULL;

  strbuf_addstr (&sb, "{\"Status\":");
  cli_json_string (&sb, status);
  strbuf_addf (&sb, ",\"FailingStreak\":%lld,\"Log\":[", streak);
  for (size_t i = first; i < n; i++)
    {
      yajl_val e = log->u.array.values[i], c = yajl_tree_get (e, cpath, yajl_t_number);

      log_entry_json (&sb, jstr (e, "Start"), jstr (e, "End"), c ? YAJL_GET_INTEGER (c) : 0,
                      jstr (e, "Output"));
      strbuf_addch (&sb, ',');
    }
  log_entry_json (&sb, r->start, r->end, r->exit_code, strbuf_str (&r->output));
  strbuf_addstr (&sb, "]}\n");
  xasprintf (&path, "%s/%s", cdir, MONITOR_HEALTH_FILE);
  return write_file_atomic (path, sb.buf, sb.len, 0644, err);
}

static yajl_val
health_read (const char *cdir, const char **status, long long *streak)
{
  cleanup_free char *path = NULL;
  cleanup_free char *data = NULL;
  const char *fpath[] = { "FailingStreak", NULL };
  char errbuf[64];
  yajl_val v, f;

  *status = "starting";
  *streak = 0;
  xasprintf (&path, "%s/%s", cdir, MONITOR_HEALTH_FILE);
  if (read_file_max (path, 1 << 20, &data, NULL, NULL) < 0
      || (v = yajl_tree_parse (data, errbuf, sizeof errbuf)) == NULL)
    return NULL;
  if (*jstr (v, "Status"))
    *status = jstr (v, "Status");
  f = yajl_tree_get (v, fpath, yajl_t_number);
  *streak = f && YAJL_IS_INTEGER (f) ? YAJL_GET_INTEGER (f) : 0;
  return v;
}

static int
health_run (struct berth_globals *g, struct tool_ctr *t, oci_error_t **err)
{
  const struct oci_image_healthcheck *h = t->wrap->config->healthcheck;
  int64_t timeout = h->timeout_present && h->timeout > 0 ? h->timeout : 30 * NS;
  int64_t retries = h->retries_present && h->retries > 0 ? h->retries : 3;
  int64_t start_period = h->start_period_present ? h->start_period : 0;
  struct health_run r = { .output = STRBUF_INIT };
  const char *status;
  long long streak;
  yajl_val old;
  int ret;

  r.start = container_time_rfc3339 (container_now_ns ());
  health_probe (g, t, h->test, timeout, &r);
  r.end = container_time_rfc3339 (container_now_ns ());
  old = health_read (t->cdir, &status, &streak);
  if (r.exit_code == 0)
    {
      status = "healthy";
      streak = 0;
    }
  else if (!(streq (status, "starting") && container_now_ns () - t->st.started_ns < start_period))
    {
      streak++;
      if (streak >= retries)
        status = "unhealthy";
    }
  ret = health_write (t->cdir, old, status, streak, &r, err);
  if (ret == 0)
    ret = streq (status, "unhealthy") ? 1 : 0;
  yajl_tree_free (old);
  free (r.start);
  free (r.end);
  strbuf_release (&r.output);
  return ret;
}

static const char healthcheck_help[] = "Usage:  berth healthcheck run CONTAINER\n\n"
                                       "Run the health check of a container once and record the result\n"
                                       "(exit status 0: healthy or starting, 1: unhealthy)\n";

int
cmd_healthcheck_run (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  const struct oci_image_healthcheck *h;
  struct tool_ctr t;
  int ret;

  if (argc >= 2 && (streq (argv[1], "--help") || streq (argv[1], "-h")))
    {
      fputs (healthcheck_help, stdout);
      return 0;
    }
  if (argc != 2)
    return cli_usage_error ("healthcheck run", "\"berth healthcheck run\" requires exactly 1 argument.", err);
  ret = tool_ctr_open (g, argv[1], &t, err);
  if (ret == 0)
    ret = tool_ctr_require_running (&t, false, err);
  if (ret == 0)
    {
      h = t.wrap->config->healthcheck;
      if (h == NULL || h->test == NULL || h->test[0] == NULL || streq (h->test[0], "NONE"))
        ret = oci_error_set (err, EINVAL, "container %s has no health check", t.c->id);
      else
        ret = health_run (g, &t, err);
    }
  tool_ctr_clear (&t);
  return ret;
}
