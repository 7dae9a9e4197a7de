/* berth top CONTAINER [ps OPTIONS]: the container's processes (the
   runtime's `ps --format json` gives the pids of its cgroup).  Without
   options the columns of `ps -ef` are built from /proc; with options the
   host's ps runs with them and its rows are filtered by PID, as docker
   does.  */
#include "config.h"
#include "commands.h"
#include "tools.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fileutil.h"
#include "manager/container/runtime.h"
#include "util.h"

static const char top_help[] = "Usage:  berth top CONTAINER [ps OPTIONS]\n\n"
                               "Display the running processes of a container\n\n"
                               "Aliases:\n  berth container top, berth top\n";

static int
top_pids (struct berth_globals *g, const struct tool_ctr *t, pid_t **pids, size_t *n, oci_error_t **err)
{
  char *args[] = { "ps", "--format", "json", t->c->id, NULL };
  cleanup_free char *out = NULL;
  char errbuf[128];
  yajl_val v;

  if (runtime_run (g, t->c->runtime, args, &out, err) < 0)
    return -1;
  v = yajl_tree_parse (out, errbuf, sizeof errbuf);
  if (v == NULL || !YAJL_IS_ARRAY (v))
    {
      yajl_tree_free (v);
      return oci_error_set (err, EINVAL, "runtime ps: unexpected output: %s", out);
    }
  *pids = xcalloc (v->u.array.len + 1, sizeof (pid_t));
  *n = 0;
  for (size_t i = 0; i < v->u.array.len; i++)
    if (YAJL_IS_INTEGER (v->u.array.values[i]))
      (*pids)[(*n)++] = (pid_t) YAJL_GET_INTEGER (v->u.array.values[i]);
  yajl_tree_free (v);
  return 0;
}

/* --- /proc --- */

struct proc_info
{
  uid_t uid;
  pid_t ppid;
  int tty_nr;
  unsigned long long utime, stime, start; /* clock ticks */
  char comm[64];
  char *cmd;
};

static int
proc_read (pid_t pid, struct proc_info *p)
{
  cleanup_free char *path = NULL;
  cleanup_free char *data = NULL;
  char *rp, *line;
  size_t len;

  xasprintf (&path, "/proc/%d/stat", (int) pid);
  if (read_file_max (path, 8192, &data, &len, NULL) < 0 || (rp = strrchr (data, ')')) == NULL)
    return -1;
  snprintf (p->comm, sizeof p->comm, "%.*s", (int) (rp - strchr (data, '(') - 1), strchr (data, '(') + 1);
  /* fields after ")": state ppid pgrp session tty_nr ... utime(14) stime(15) ... starttime(22) */
  if (sscanf (rp + 2, "%*c %d %*d %*d %d %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %*d %*d %*d %*d %llu",
              &p->ppid, &p->tty_nr, &p->utime, &p->stime, &p->start)
      != 5)
    return -1;
  free (path);
  free (data);
  data = NULL;
  xasprintf (&path, "/proc/%d/status", (int) pid);
  if (read_file_max (path, 65536, &data, &len, NULL) < 0 || (line = strstr (data, "\nUid:")) == NULL)
    return -1;
  p->uid = (uid_t) strtoul (line + 5, NULL, 10);
  free (path);
  free (data);
  data = NULL;
  xasprintf (&path, "/proc/%d/cmdline", (int) pid);
  if (read_file_max (path, 1 << 20, &data, &len, NULL) == 0 && len > 0)
    {
      for (size_t i = 0; i + 1 < len; i++)
        if (data[i] == '\0')
          data[i] = ' ';
      p->cmd = steal_pointer (&data);
    }
  else
    xasprintf (&p->cmd, "[%s]", p->comm);
  return 0;
}

static char *
fmt_tty (int nr)
{
  char *s = NULL;
  unsigned maj = ((unsigned) nr >> 8) & 0xfff,
           min = ((unsigned) nr & 0xff) | (((unsigned) nr >> 12) & 0xfff00);

  if (nr == 0)
    return xstrdup ("?");
  if (maj == 136)
    xasprintf (&s, "pts/%u", min);
  else if (maj == 4)
    xasprintf (&s, "tty%u", min);
  else
    xasprintf (&s, "%u:%u", maj, min);
  return s;
}

static char *
fmt_uid (uid_t uid)
{
  struct passwd *pw = getpwuid (uid);
  char *s = NULL;

  if (pw && strlen (pw->pw_name) <= 8)
    return xstrdup (pw->pw_name);
  xasprintf (&s, "%u", (unsigned) uid);
  return s;
}

static double
uptime_s (void)
{
  cleanup_free char *data = NULL;

  if (read_file_max ("/proc/uptime", 256, &data, NULL, NULL) < 0)
    return 0;
  return strtod (data, NULL);
}

static char **
proc_row (pid_t pid, const struct proc_info *p, long hz, double up)
{
  char **row = xcalloc (8, sizeof (char *));
  double started = (double) p->start / (double) hz, elapsed = up - started;
  unsigned long long cpu = (p->utime + p->stime) / (unsigned long long) hz;
  time_t st = time (NULL) - (time_t) elapsed, now = time (NULL);
  struct tm tm, tnow;
  char buf[32];

  row[0] = fmt_uid (p->uid);
  xasprintf (&row[1], "%d", (int) pid);
  xasprintf (&row[2], "%d", (int) p->ppid);
  xasprintf (&row[3], "%d",
             elapsed > 0 ? (int) ((double) (p->utime + p->stime) / (double) hz * 100 / elapsed) : 0);
  localtime_r (&st, &tm);
  localtime_r (&now, &tnow);
  strftime (buf, sizeof buf, tm.tm_yday == tnow.tm_yday && tm.tm_year == tnow.tm_year ? "%H:%M" : "%b%d",
            &tm);
  row[4] = xstrdup (buf);
  row[5] = fmt_tty (p->tty_nr);
  xasprintf (&row[6], "%02llu:%02llu:%02llu", cpu / 3600, cpu / 60 % 60, cpu % 60);
  row[7] = xstrdup (p->cmd);
  return row;
}

static int
top_proc (const pid_t *pids, size_t n)
{
  static const char *const header[] = { "UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD" };
  struct cli_table tab;
  long hz = sysconf (_SC_CLK_TCK);
  double up = uptime_s ();

  cli_table_init (&tab, header, 8);
  for (size_t i = 0; i < n; i++)
    {
      struct proc_info p = { 0 };

      if (proc_read (pids[i], &p) == 0)
        cli_table_add (&tab, proc_row (pids[i], &p, hz > 0 ? hz : 100, up));
      free (p.cmd);
    }
  cli_table_print (&tab, stdout);
  cli_table_free (&tab);
  return 0;
}

/* --- host ps with options --- */

static int
run_ps (char **opts, char **out, oci_error_t **err)
{
  size_t n = strv_len (opts);
  cleanup_free char **argv = xcalloc (n + 2, sizeof (char *));
  struct strbuf sb = STRBUF_INIT;
  int pfd[2], status;
  char buf[8192];
  ssize_t r;
  pid_t pid;

  argv[0] = "ps";
  memcpy (argv + 1, opts, n * sizeof (char *));
  if (pipe2 (pfd, O_CLOEXEC) < 0)
    return oci_error_errno (err, errno, "pipe");
  pid = fork ();
  if (pid < 0)
    return oci_error_errno (err, errno, "fork");
  if (pid == 0)
    {
      dup2 (pfd[1], STDOUT_FILENO);
      execvp ("ps", argv);
      _exit (127);
    }
  close (pfd[1]);
  while ((r = read (pfd[0], buf, sizeof buf)) > 0)
    strbuf_add (&sb, buf, (size_t) r);
  close (pfd[0]);
  waitpid (pid, &status, 0);
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    {
      strbuf_release (&sb);
      return oci_error_set (err, EINVAL, "ps: failed (exit status %d)",
                            WIFEXITED (status) ? WEXITSTATUS (status) : 1);
    }
  *out = strbuf_detach (&sb, NULL);
  return 0;
}

/* Column index of PID in ps's header (by words).  */
static int
pid_column (const char *header)
{
  cleanup_free char *copy = xstrdup (header);
  char *save = NULL;
  int i = 0;

  for (char *w = strtok_r (copy, " \t", &save); w; w = strtok_r (NULL, " \t", &save), i++)
    if (streq (w, "PID"))
      return i;
  return -1;
}

static bool
row_pid_in (const char *line, int col, const pid_t *pids, size_t n)
{
  cleanup_free char *copy = xstrdup (line);
  char *save = NULL, *w = strtok_r (copy, " \t", &save);

  for (int i = 0; w && i < col; i++)
    w = strtok_r (NULL, " \t", &save);
  for (size_t i = 0; w && i < n; i++)
    if (atoi (w) == pids[i])
      return true;
  return false;
}

static int
top_ps (char **opts, const pid_t *pids, size_t n, oci_error_t **err)
{
  cleanup_free char *out = NULL;
  char *save = NULL, *line;
  int col;

  if (run_ps (opts, &out, err) < 0)
    return -1;
  line = strtok_r (out, "\n", &save);
  if (line == NULL || (col = pid_column (line)) < 0)
    return oci_error_set (err, EINVAL, "Couldn't find PID field in ps output");
  printf ("%s\n", line);
  while ((line = strtok_r (NULL, "\n", &save)) != NULL)
    if (row_pid_in (line, col, pids, n))
      printf ("%s\n", line);
  return 0;
}

int
cmd_top (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  cleanup_free pid_t *pids = NULL;
  struct tool_ctr t;
  size_t n = 0;
  int ret;

  if (argc >= 2 && (streq (argv[1], "--help") || streq (argv[1], "-h")))
    {
      fputs (top_help, stdout);
      return 0;
    }
  if (argc < 2)
    return cli_usage_error ("top", "\"berth top\" requires at least 1 argument.", err);
  ret = tool_ctr_open (g, argv[1], &t, err);
  if (ret == 0 && t.st.status != CONTAINER_RUNNING && t.st.status != CONTAINER_PAUSED)
    ret = oci_error_set (err, EINVAL, "container %s is not running", t.c->id);
  if (ret == 0)
    ret = top_pids (g, &t, &pids, &n, err);
  if (ret == 0)
    ret = argc > 2 ? top_ps (argv + 2, pids, n, err) : top_proc (pids, n);
  tool_ctr_clear (&t);
  return ret;
}
