/* hull exec [options] ID [COMMAND [ARGS...]]: run a process in a running
   container, with runc's flags.  Options stop at the container ID: what
   follows is the command and its own options.  */
#include "config.h"
#include "commands.h"
#include "../exec.h"
#include "../log.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>

static const char exec_usage[] = "[options] <container-id> [command [args...]]";
static const char exec_options[]
    = "  -p, --process FILE        the process as runtime-spec JSON (the command line is ignored)\n"
      "  -t, --tty                 allocate a pseudo-terminal\n"
      "  -d, --detach              return once the process started\n"
      "      --console-socket S    send the pty master to the unix socket S\n"
      "      --pid-file FILE       write the process's pid to FILE\n"
      "      --cwd DIR             working directory inside the container\n"
      "  -e, --env NAME=VALUE      add an environment variable (repeatable)\n"
      "  -u, --user UID[:GID]      run as this user\n"
      "  -g, --additional-gids GID add a supplementary group (repeatable)\n"
      "  -c, --cap CAP             add a capability (repeatable)\n"
      "      --no-new-privs        set no_new_privs\n"
      "      --apparmor PROFILE    AppArmor profile of the process\n"
      "      --process-label L     SELinux label of the process\n"
      "      --preserve-fds N      pass N more fds (3..3+N-1) to the process\n"
      "      --cgroup [CTRL:]SUB   run in the sub-cgroup SUB of the container's cgroup\n"
      "      --ignore-paused       allow exec in a paused container\n";

static const struct option exec_longopts[] = {
  { "process", required_argument, NULL, 'p' },
  { "tty", no_argument, NULL, 't' },
  { "detach", no_argument, NULL, 'd' },
  { "console-socket", required_argument, NULL, 'C' },
  { "pid-file", required_argument, NULL, 'P' },
  { "cwd", required_argument, NULL, 'w' },
  { "env", required_argument, NULL, 'e' },
  { "user", required_argument, NULL, 'u' },
  { "additional-gids", required_argument, NULL, 'g' },
  { "cap", required_argument, NULL, 'c' },
  { "no-new-privs", no_argument, NULL, 'N' },
  { "apparmor", required_argument, NULL, 'A' },
  { "process-label", required_argument, NULL, 'L' },
  { "preserve-fds", required_argument, NULL, 'f' },
  { "cgroup", required_argument, NULL, 'G' },
  { "ignore-paused", no_argument, NULL, 'I' },
  { "help", no_argument, NULL, 'h' },
  { NULL, 0, NULL, 0 },
};

static void
push (char ***v, size_t *n, const char *s)
{
  *v = xreallocarray (*v, *n + 2, sizeof (char *));
  (*v)[(*n)++] = xstrdup (s);
  (*v)[*n] = NULL;
}

/* "5" or "5,6": runc accepts the flag repeated.  */
static int
add_gids (struct hull_exec_opts *o, const char *value, oci_error_t **err)
{
  const char *p = value;

  do
    {
      char *end;
      unsigned long v;

      errno = 0;
      v = strtoul (p, &end, 10);
      if (end == p || errno || v > UINT32_MAX || (*end && *end != ','))
        return oci_error_set (err, EINVAL, "invalid value \"%s\" for --additional-gids", value);
      o->gids = xreallocarray (o->gids, o->gids_len + 1, sizeof (uint32_t));
      o->gids[o->gids_len++] = (uint32_t) v;
      p = *end ? end + 1 : end;
    }
  while (*p);
  return 0;
}

struct exec_lists
{
  size_t n_env, n_caps;
};

static int
parse_one (int c, struct hull_exec_opts *o, struct exec_lists *l, oci_error_t **err)
{
  switch (c)
    {
    case 'p':
      o->process_file = optarg;
      break;
    case 't':
      o->tty = true;
      break;
    case 'd':
      o->detach = true;
      break;
    case 'C':
      o->console_socket = optarg;
      break;
    case 'P':
      o->pid_file = optarg;
      break;
    case 'w':
      o->cwd = optarg;
      break;
    case 'e':
      push (&o->env, &l->n_env, optarg);
      break;
    case 'u':
      o->user = optarg;
      break;
    case 'g':
      return add_gids (o, optarg, err);
    case 'c':
      push (&o->caps, &l->n_caps, optarg);
      break;
    case 'N':
      o->no_new_privs = true;
      break;
    case 'A':
      o->apparmor = optarg;
      break;
    case 'L':
      o->process_label = optarg;
      break;
    case 'f':
      return cli_parse_preserve_fds (optarg, &o->preserve_fds, err);
    case 'G':
      o->cgroup = optarg;
      break;
    case 'I':
      o->ignore_paused = true;
      break;
    default:
      return -1;
    }
  return 0;
}

static int
parse_exec_options (int argc, char **argv, struct hull_exec_opts *o, oci_error_t **err)
{
  struct exec_lists l = { 0 };
  int c;

  while ((c = cli_getopt (argc, argv, "+:p:tdu:e:c:g:h", exec_longopts, err)) != -1)
    {
      if (c == 'h')
        {
          cli_help ("exec", exec_usage, "Execute a new process inside a running container.", exec_options);
          return 1;
        }
      if (parse_one (c, o, &l, err) < 0)
        return -1;
    }
  if (optind >= argc)
    return oci_error_set (err, EINVAL, "exec: missing argument; usage: hull exec %s", exec_usage);
  o->id = argv[optind];
  if (optind + 1 < argc)
    o->args = argv + optind + 1;
  else if (o->process_file == NULL)
    return oci_error_set (err, EINVAL, "exec: no command given; usage: hull exec %s", exec_usage);
  return 0;
}

int
cmd_exec (struct hull_globals *g, int argc, char **argv, oci_error_t **err)
{
  struct hull_exec_opts o = { 0 };
  int ret;

  hull_log_init (g);
  ret = parse_exec_options (argc, argv, &o, err);
  if (ret == 0)
    ret = container_exec (g, &o, err);
  else if (ret > 0)
    ret = 0;
  strv_free (o.env);
  strv_free (o.caps);
  free (o.gids);
  return ret;
}
