/* hull ps [--format table|json] ID [ps options]: the processes in the
   container's cgroup.  json prints the array of pids; table runs the host's
   ps (default options -ef) and keeps the header and the lines whose PID
   column names a process of the container, as runc does.  */
#include "config.h"
#include "commands.h"
#include "../cgroup.h"
#include "../container.h"
#include "../log.h"
#include "strbuf.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static const char ps_usage[] = "[options] <container-id> [ps options]";
static const struct option ps_longopts[] = {
  { "format", required_argument, NULL, 'f' },
  { "help", no_argument, NULL, 'h' },
  { NULL, 0, NULL, 0 },
};

static void
print_json (const pid_t *pids, size_t n)
{
  putchar ('[');
  for (size_t i = 0; i < n; i++)
    printf ("%s%d", i ? "," : "", (int) pids[i]);
  puts ("]");
}

/* Run ps with args; its stdout in *out.  */
static int
run_ps (char **args, struct strbuf *out, oci_error_t **err)
{
  int p[2], status;
  pid_t child;
  char buf[8192];
  ssize_t n;

  if (pipe2 (p, O_CLOEXEC) < 0)
    return oci_error_errno (err, errno, "pipe for ps");
  child = fork ();
  if (child < 0)
    return oci_error_errno (err, errno, "fork for ps");
  if (child == 0)
    {
      dup2 (p[1], 1);
      execvp (args[0], args);
      fprintf (stderr, "hull: cannot run ps: %s\n", strerror (errno));
      _exit (127);
    }
  close (p[1]);
  while ((n = read (p[0], buf, sizeof buf)) != 0)
    if (n > 0)
      strbuf_add (out, buf, (size_t) n);
    else if (errno != EINTR)
      break;
  close (p[0]);
  while (waitpid (child, &status, 0) < 0)
    if (errno != EINTR)
      return oci_error_errno (err, errno, "waitpid for ps");
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    return oci_error_set (err, EIO, "ps %s failed (exit status %d)", args[1] ? args[1] : "",
                          WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status));
  return 0;
}

/* The index of the PID column in ps's header line.  */
static int
pid_column (const char *header, oci_error_t **err)
{
  cleanup_free char *copy = xstrdup (header);
  char *save = NULL;
  int i = 0;

  for (char *f = strtok_r (copy, " \t", &save); f; f = strtok_r (NULL, " \t", &save), i++)
    if (streq (f, "PID"))
      return i;
  return oci_error_set (err, EINVAL, "ps output has no PID column: %s", header), -1;
}

static bool
line_in (const char *line, int col, const pid_t *pids, size_t n)
{
  cleanup_free char *copy = xstrdup (line);
  char *save = NULL, *f = strtok_r (copy, " \t", &save);
  long pid;

  for (int i = 0; f && i < col; i++)
    f = strtok_r (NULL, " \t", &save);
  if (f == NULL)
    return false;
  pid = strtol (f, NULL, 10);
  for (size_t i = 0; i < n; i++)
    if (pids[i] == pid)
      return true;
  return false;
}

static int
print_table (char **ps_args, const pid_t *pids, size_t n, oci_error_t **err)
{
  cleanup_strbuf struct strbuf out = STRBUF_INIT;
  char *save = NULL, *line;
  int col;

  if (run_ps (ps_args, &out, err) < 0)
    return -1;
  line = strtok_r (out.buf ? out.buf : (char *) "", "\n", &save);
  if (line == NULL)
    return oci_error_set (err, EINVAL, "ps printed nothing");
  if ((col = pid_column (line, err)) < 0)
    return -1;
  puts (line);
  while ((line = strtok_r (NULL, "\n", &save)))
    if (line_in (line, col, pids, n))
      puts (line);
  return 0;
}

static int
parse_ps_options (int argc, char **argv, const char **format, oci_error_t **err)
{
  int c;

  while ((c = cli_getopt (argc, argv, "+:f:h", ps_longopts, err)) != -1)
    switch (c)
      {
      case 'f':
        if (!streq (optarg, "table") && !streq (optarg, "json"))
          return oci_error_set (err, EINVAL, "ps: invalid --format \"%s\": use table or json", optarg);
        *format = optarg;
        break;
      case 'h':
        cli_help ("ps", ps_usage, "List the processes of a container (ps options default to -ef).",
                  "  -f, --format FORMAT       table (default) or json\n");
        return 1;
      default:
        return -1;
      }
  return cli_operands ("ps", ps_usage, argc, argv, 1, argc, err);
}

int
cmd_ps (struct hull_globals *g, int argc, char **argv, oci_error_t **err)
{
  const char *format = "table";
  struct hull_container c;
  cleanup_free pid_t *pids = NULL;
  cleanup_free char **ps_args = NULL;
  size_t n = 0;
  int ret;

  hull_log_init (g);
  ret = parse_ps_options (argc, argv, &format, err);
  if (ret != 0)
    return ret < 0 ? -1 : 0;
  if (streq (format, "json") && argc - optind > 1)
    return oci_error_set (err, EINVAL, "ps: ps options cannot be used with --format json");
  ret = container_open_cgroup (g, argv[optind], &c, err);
  if (ret == 0)
    ret = cgroup_pids (c.state->cgroup_path, &pids, &n, err);
  state_container_clear (&c);
  if (ret < 0)
    return -1;
  if (streq (format, "json"))
    {
      print_json (pids, n);
      return 0;
    }
  ps_args = xcalloc ((size_t) (argc - optind) + 2, sizeof (char *));
  ps_args[0] = (char *) "ps";
  if (argc - optind > 1)
    for (int i = optind + 1; i < argc; i++)
      ps_args[i - optind] = argv[i];
  else
    ps_args[1] = (char *) "-ef";
  return print_table (ps_args, pids, n, err);
}
