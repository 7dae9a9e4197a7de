/* berth stop, restart, kill, rm, wait, pause, unpause, rename and
   container prune.  */
#include "config.h"
#include "commands.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>

#include "manager/container/control.h"
#include "manager/container/create.h"
#include "manager/container/state.h"
#include "util.h"

static const char stop_help[] = "Usage: berth stop [OPTIONS] CONTAINER [CONTAINER...]\n\n"
                                "Stop one or more running containers\n\n"
                                "Aliases:\n  berth container stop, berth stop\n\n"
                                "Options:\n"
                                "  -s, --signal string   Signal to send to the container\n"
                                "  -t, --time int        Seconds to wait before killing the container\n";

static const char restart_help[] = "Usage: berth restart [OPTIONS] CONTAINER [CONTAINER...]\n\n"
                                   "Restart one or more containers\n\n"
                                   "Aliases:\n  berth container restart, berth restart\n\n"
                                   "Options:\n"
                                   "  -s, --signal string   Signal to send to the container\n"
                                   "  -t, --time int        Seconds to wait before killing the container\n";

static const char kill_help[]
    = "Usage: berth kill [OPTIONS] CONTAINER [CONTAINER...]\n\n"
      "Kill one or more running containers\n\n"
      "Aliases:\n  berth container kill, berth kill\n\n"
      "Options:\n"
      "  -s, --signal string   Signal to send to the container (default \"KILL\")\n";

static const char rm_help[] = "Usage: berth rm [OPTIONS] CONTAINER [CONTAINER...]\n\n"
                              "Remove one or more containers\n\n"
                              "Aliases:\n  berth container rm, berth container remove, berth rm\n\n"
                              "Options:\n"
                              "  -f, --force     Force the removal of a running container (uses SIGKILL)\n"
                              "  -v, --volumes   Remove anonymous volumes associated with the container\n";

static const char wait_help[] = "Usage: berth wait CONTAINER [CONTAINER...]\n\n"
                                "Block until one or more containers stop, then print their exit codes\n\n"
                                "Aliases:\n  berth container wait, berth wait\n";

static const char pause_help[] = "Usage: berth pause CONTAINER [CONTAINER...]\n\n"
                                 "Pause all processes within one or more containers\n\n"
                                 "Aliases:\n  berth container pause, berth pause\n";

static const char unpause_help[] = "Usage: berth unpause CONTAINER [CONTAINER...]\n\n"
                                   "Unpause all processes within one or more containers\n\n"
                                   "Aliases:\n  berth container unpause, berth unpause\n";

static const char rename_help[] = "Usage: berth rename CONTAINER NEW_NAME\n\n"
                                  "Rename a container\n\n"
                                  "Aliases:\n  berth container rename, berth rename\n";

static const char prune_help[]
    = "Usage: berth container prune [OPTIONS]\n\n"
      "Remove all stopped containers\n\n"
      "Options:\n"
      "      --filter filter   Provide filter values (e.g. \"until=<timestamp>\", \"label=KEY[=VALUE]\",\n"
      "                        \"label!=KEY[=VALUE]\")\n"
      "  -f, --force           Do not prompt for confirmation\n";

struct ctl_opts
{
  int timeout; /* -1: the container's StopTimeout */
  const char *signal;
  bool force, volumes;
};

typedef int (*ctl_fn) (struct berth_globals *g, const struct store_container *c, const char *arg,
                       const struct ctl_opts *o, oci_error_t **err);

/* Apply fn to every operand; an operand that fails is reported on stderr
   and makes the status 1 (docker's behaviour), the others still run.  */
static int
for_each_container (struct berth_globals *g, int argc, char **argv, ctl_fn fn, const struct ctl_opts *o,
                    oci_error_t **err)
{
  struct berth_store *s;
  int status = 0;

  if (cli_store (g, &s, err) < 0)
    return -1;
  for (int i = 0; i < argc; i++)
    {
      cleanup_error oci_error_t *e = NULL;
      struct store_container *c = NULL;
      int r = store_container_lookup (s, argv[i], &c, &e);

      if (r == 0)
        r = fn (g, c, argv[i], o, &e);
      store_container_free (c);
      if (r < 0)
        {
          fprintf (stderr, "Error: %s\n", e->msg);
          status = 1;
        }
    }
  fflush (stdout);
  return status;
}

static int
parse_timeout (const char *arg, int *out, oci_error_t **err)
{
  char *end;
  long v;

  errno = 0;
  v = strtol (arg, &end, 10);
  if (errno || *end || end == arg || v < -1 || v > 1000000)
    return oci_error_set (
        err, EINVAL,
        "invalid argument \"%s\" for \"-t, --time\" flag: strconv.ParseInt: parsing \"%s\": invalid syntax",
        arg, arg);
  *out = (int) v;
  return 0;
}

/* Flags of stop/restart/kill/rm: "t:s:" and "fv" as allowed by SHORTS.  */
static int
ctl_parse (const char *cmd, int argc, char **argv, const char *shorts, struct ctl_opts *o, oci_error_t **err)
{
  static const struct option opts[] = {
    { "time", required_argument, NULL, 't' },
    { "timeout", required_argument, NULL, 't' },
    { "signal", required_argument, NULL, 's' },
    { "force", no_argument, NULL, 'f' },
    { "volumes", no_argument, NULL, 'v' },
    { "link", no_argument, NULL, 'l' },
    { NULL, 0, NULL, 0 },
  };
  int c;

  o->timeout = -1;
  while ((c = getopt_long (argc, argv, shorts, opts, NULL)) != -1)
    {
      if (c != '?' && strchr (shorts, c) == NULL)
        c = '?';
      switch (c)
        {
        case 't':
          if (parse_timeout (optarg, &o->timeout, err) < 0)
            return -1;
          break;
        case 's':
          o->signal = optarg;
          break;
        case 'f':
          o->force = true;
          break;
        case 'v':
          o->volumes = true;
          break;
        case 'l':
          return oci_error_set (err, EINVAL, "links are not supported");
        default:
          return cli_usage_error (cmd, "invalid option", err);
        }
    }
  if (optind >= argc)
    {
      cleanup_free char *msg = NULL;

      xasprintf (&msg, "\"berth %s\" requires at least 1 argument.", cmd);
      return cli_usage_error (cmd, msg, err);
    }
  return 0;
}

static int
stop_with_signal (struct berth_globals *g, const struct store_container *c, const struct ctl_opts *o,
                  oci_error_t **err)
{
  return container_stop_signal (g, c, o->timeout, o->signal, err);
}

static int
stop_one (struct berth_globals *g, const struct store_container *c, const char *arg, const struct ctl_opts *o,
          oci_error_t **err)
{
  if (stop_with_signal (g, c, o, err) < 0)
    return -1;
  printf ("%s\n", arg);
  return 0;
}

int
cmd_stop (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  struct ctl_opts o = { 0 };

  if (cli_wants_help (argc, argv))
    {
      fputs (stop_help, stdout);
      return 0;
    }
  if (ctl_parse ("stop", argc, argv, "+t:s:", &o, err) < 0)
    return -1;
  return for_each_container (g, argc - optind, argv + optind, stop_one, &o, err);
}

static int
restart_one (struct berth_globals *g, const struct store_container *c, const char *arg,
             const struct ctl_opts *o, oci_error_t **err)
{
  if (stop_with_signal (g, c, o, err) < 0)
    return -1;
  container_clear_stopped (g, c);
  if (container_start (g, c, NULL, err) < 0)
    return -1;
  printf ("%s\n", arg);
  return 0;
}

int
cmd_restart (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  struct ctl_opts o = { 0 };

  if (cli_wants_help (argc, argv))
    {
      fputs (restart_help, stdout);
      return 0;
    }
  if (ctl_parse ("restart", argc, argv, "+t:s:", &o, err) < 0)
    return -1;
  return for_each_container (g, argc - optind, argv + optind, restart_one, &o, err);
}

static int
kill_one (struct berth_globals *g, const struct store_container *c, const char *arg, const struct ctl_opts *o,
          oci_error_t **err)
{
  if (container_kill (g, c, o->signal, err) < 0)
    return -1;
  printf ("%s\n", arg);
  return 0;
}

int
cmd_kill (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  struct ctl_opts o = { 0 };

  if (cli_wants_help (argc, argv))
    {
      fputs (kill_help, stdout);
      return 0;
    }
  if (ctl_parse ("kill", argc, argv, "+s:", &o, err) < 0)
    return -1;
  /* A bad signal is a usage error for all operands, as in docker.  */
  if (o.signal && container_parse_signal (o.signal, err) < 0)
    return -1;
  return for_each_container (g, argc - optind, argv + optind, kill_one, &o, err);
}

static int
rm_one (struct berth_globals *g, const struct store_container *c, const char *arg, const struct ctl_opts *o,
        oci_error_t **err)
{
  if (container_remove (g, c, o->force, o->volumes, err) < 0)
    return -1;
  printf ("%s\n", arg);
  return 0;
}

int
cmd_rm (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  struct ctl_opts o = { 0 };
  struct berth_store *s;
  int status = 0;

  if (cli_wants_help (argc, argv))
    {
      fputs (rm_help, stdout);
      return 0;
    }
  if (ctl_parse ("rm", argc, argv, "+fvl", &o, err) < 0)
    return -1;
  if (cli_store (g, &s, err) < 0)
    return -1;
  /* rm -f of a name that does not exist is not an error (docker).  */
  for (int i = optind; i < argc; i++)
    {
      cleanup_error oci_error_t *e = NULL;
      struct store_container *c = NULL;
      int r = store_container_lookup (s, argv[i], &c, &e);

      if (r < 0 && o.force && e->status == ENOENT)
        {
          fprintf (stderr, "Error: %s\n", e->msg);
          continue;
        }
      if (r == 0)
        r = rm_one (g, c, argv[i], &o, &e);
      store_container_free (c);
      if (r < 0)
        {
          fprintf (stderr, "Error: %s\n", e->msg);
          status = 1;
        }
    }
  return status;
}

static int
wait_one (struct berth_globals *g, const struct store_container *c, const char *arg, const struct ctl_opts *o,
          oci_error_t **err)
{
  int code;

  (void) arg;
  (void) o;
  if (container_wait (g, c, &code, err) < 0)
    return -1;
  printf ("%d\n", code);
  fflush (stdout);
  return 0;
}

static int
simple_parse (const char *cmd, const char *help, int argc, char **argv, int *status, oci_error_t **err)
{
  static const struct option opts[] = { { NULL, 0, NULL, 0 } };
  cleanup_free char *msg = NULL;

  *status = 0;
  if (cli_wants_help (argc, argv))
    {
      fputs (help, stdout);
      *status = 1;
      return 0;
    }
  if (getopt_long (argc, argv, "+", opts, NULL) != -1)
    return cli_usage_error (cmd, "invalid option", err);
  if (optind < argc)
    return 0;
  xasprintf (&msg, "\"berth %s\" requires at least 1 argument.", cmd);
  return cli_usage_error (cmd, msg, err);
}

int
cmd_wait (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  struct ctl_opts o = { 0 };
  int helped;

  if (simple_parse ("wait", wait_help, argc, argv, &helped, err) < 0)
    return -1;
  if (helped)
    return 0;
  return for_each_container (g, argc - optind, argv + optind, wait_one, &o, err);
}

static int
pause_one (struct berth_globals *g, const struct store_container *c, const char *arg,
           const struct ctl_opts *o, oci_error_t **err)
{
  if (container_pause (g, c, !o->force, err) < 0)
    return -1;
  printf ("%s\n", arg);
  return 0;
}

int
cmd_pause (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  struct ctl_opts o = { .force = false };
  int helped;

  if (simple_parse ("pause", pause_help, argc, argv, &helped, err) < 0)
    return -1;
  if (helped)
    return 0;
  return for_each_container (g, argc - optind, argv + optind, pause_one, &o, err);
}

int
cmd_unpause (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  struct ctl_opts o = { .force = true }; /* force: unpause (see pause_one) */
  int helped;

  if (simple_parse ("unpause", unpause_help, argc, argv, &helped, err) < 0)
    return -1;
  if (helped)
    return 0;
  return for_each_container (g, argc - optind, argv + optind, pause_one, &o, err);
}

int
cmd_rename (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  struct store_container *c = NULL;
  struct berth_store *s;
  const char *name;
  int ret = -1;

  if (cli_wants_help (argc, argv))
    {
      fputs (rename_help, stdout);
      return 0;
    }
  if (argc != 3)
    return cli_usage_error ("rename", "\"berth rename\" requires exactly 2 arguments.", err);
  name = argv[2][0] == '/' ? argv[2] + 1 : argv[2];
  if (!store_container_name_valid (name))
    return oci_error_set (err, EINVAL,
                          "Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", name);
  if (cli_store (g, &s, err) < 0 || store_container_lookup (s, argv[1], &c, err) < 0)
    return -1;
  if (streq (c->name, name))
    oci_error_set (err, EINVAL, "Renaming a container with the same name as its current name");
  else if (store_container_rename (s, c->id, name, err) == 0)
    ret = 0;
  else if ((*err)->status == EEXIST)
    oci_error_prefix (err, "Error when allocating new name");
  store_container_free (c);
  return ret;
}

/* --- container prune --- */

struct prune_filter
{
  int64_t until_ns; /* 0: none */
  char **labels, **not_labels;
};

static void
strv_push (char ***v, const char *s)
{
  size_t n = strv_len (*v);

  *v = xreallocarray (*v, n + 2, sizeof (char *));
  (*v)[n] = xstrdup (s);
  (*v)[n + 1] = NULL;
}

static int
prune_filter_add (struct prune_filter *f, const char *arg, oci_error_t **err)
{
  if (has_prefix (arg, "until="))
    return container_parse_time (arg + 6, container_now_ns (), &f->until_ns, err);
  if (has_prefix (arg, "label="))
    strv_push (&f->labels, arg + 6);
  else if (has_prefix (arg, "label!="))
    strv_push (&f->not_labels, arg + 7);
  else
    return oci_error_set (err, EINVAL, "invalid filter '%s'", arg);
  return 0;
}

static int
prune_one (struct berth_globals *g, struct berth_store *s, const struct store_container *c,
           const struct prune_filter *f, int64_t *reclaimed, bool *removed, oci_error_t **err)
{
  cleanup_free char *cdir = store_container_dir (s, c->id);
  cleanup_free char *upper = NULL;
  struct container_state st;
  int64_t size;

  *removed = false;
  if (container_state_read (cdir, &st, err) < 0)
    return -1;
  if (st.status == CONTAINER_RUNNING || st.status == CONTAINER_PAUSED || st.status == CONTAINER_RESTARTING
      || st.monitor_alive)
    return 0;
  if (f->until_ns && c->created_ns >= f->until_ns)
    return 0;
  if (!container_labels_match (c, f->labels, f->not_labels))
    return 0;
  xasprintf (&upper, "%s/upper", cdir);
  size = container_dir_size (upper);
  if (container_remove (g, c, false, false, err) < 0)
    return -1;
  *reclaimed += size;
  *removed = true;
  return 0;
}

static int
prune_run (struct berth_globals *g, const struct prune_filter *f, oci_error_t **err)
{
  struct store_container **list = NULL;
  struct berth_store *s;
  cleanup_free char *human = NULL;
  int64_t reclaimed = 0;
  bool header = false;
  int ret = 0;

  if (cli_store (g, &s, err) < 0 || store_container_list (s, &list, err) < 0)
    return -1;
  for (size_t i = 0; list && list[i]; i++)
    {
      cleanup_error oci_error_t *e = NULL;
      bool removed;

      if (prune_one (g, s, list[i], f, &reclaimed, &removed, &e) < 0)
        {
          fprintf (stderr, "Error: %s\n", e->msg);
          ret = 1;
          continue;
        }
      if (!removed)
        continue;
      if (!header)
        printf ("Deleted Containers:\n");
      header = true;
      printf ("%s\n", list[i]->id);
    }
  store_container_list_free (list);
  if (header)
    printf ("\n");
  human = cli_human_size (reclaimed);
  printf ("Total reclaimed space: %s\n", human);
  return ret;
}

int
cmd_container_prune (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  enum
  {
    OPT_FILTER = 256
  };
  static const struct option opts[] = {
    { "force", no_argument, NULL, 'f' },
    { "filter", required_argument, NULL, OPT_FILTER },
    { NULL, 0, NULL, 0 },
  };
  struct prune_filter f = { 0 };
  bool force = false;
  int c, ret = -1;

  if (cli_wants_help (argc, argv))
    {
      fputs (prune_help, stdout);
      return 0;
    }
  while ((c = getopt_long (argc, argv, "+f", opts, NULL)) != -1)
    switch (c)
      {
      case 'f':
        force = true;
        break;
      case OPT_FILTER:
        if (prune_filter_add (&f, optarg, err) < 0)
          goto out;
        break;
      default:
        cli_usage_error ("container prune", "invalid option", err);
        goto out;
      }
  if (optind < argc)
    {
      cli_usage_error ("container prune", "\"berth container prune\" accepts no arguments.", err);
      goto out;
    }
  if (!force
      && !cli_confirm (
          "WARNING! This will remove all stopped containers.\nAre you sure you want to continue?"))
    {
      ret = 0;
      goto out;
    }
  ret = prune_run (g, &f, err);
out:
  strv_free (f.labels);
  strv_free (f.not_labels);
  return ret;
}
