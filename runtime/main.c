/* hull: an OCI runtime.  Global options, then one subcommand from the table
   below; each subcommand lives in runtime/cli/<name>.c.  */
#include "config.h"
#include "hull.h"
#include "util.h"
#include "version.h"

#include <getopt.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli/commands.h"
#include "log.h"
#include "selfexe.h"

/* @hull-command-decls (cli files declare their cmd_* here) */

static const struct hull_command commands[] = {
  { "create", cmd_create, "create a container" },
  { "start", cmd_start, "start a created container" },
  { "run", cmd_run, "create and start a container" },
  { "state", cmd_state, "print the state of a container" },
  { "kill", cmd_kill, "send a signal to a container's init" },
  { "delete", cmd_delete, "delete a container" },
  { "list", cmd_list, "list containers" },
  { "spec", cmd_spec, "write a default config.json" },
  { "exec", cmd_exec, "run a process in a running container" },
  { "features", cmd_features, "print the features of hull (features.json)" },
  { "checkpoint", cmd_checkpoint, "checkpoint a running container (criu)" },
  { "restore", cmd_restore, "restore a container from a checkpoint (criu)" },
  { "pause", cmd_pause, "suspend every process of a container" },
  { "resume", cmd_resume, "resume a paused container" },
  { "ps", cmd_ps, "list the processes of a container" },
  { "update", cmd_update, "change a container's resource limits" },
  { "events", cmd_events, "print a container's stats and OOM events" },
  /* @hull-commands */
  { NULL, NULL, NULL },
};

static void
print_version (void)
{
  const struct scmp_version *sv = seccomp_version ();

  printf ("hull version %s\n", PACKAGE_VERSION);
  printf ("commit: %s\n", GIT_COMMIT);
  printf ("spec: %s\n", OCI_SPEC_VERSION);
  if (sv)
    printf ("libseccomp: %u.%u.%u\n", sv->major, sv->minor, sv->micro);
  printf ("features: +SECCOMP +CAP %s\n", BERTH_FEATURES_COMMON);
}

static void
print_help (FILE *out)
{
  fprintf (out, "Usage: hull [global options] COMMAND [options] [arguments]\n\n"
                "hull is a low-level OCI runtime: it creates and runs containers from an OCI bundle.\n\n"
                "Commands:\n");
  for (const struct hull_command *c = commands; c->name; c++)
    fprintf (out, "  %-12s %s\n", c->name, c->summary);
  fprintf (out, "\nGlobal options:\n"
                "  --root DIR             state directory (default /run/hull)\n"
                "  --log FILE             write log messages to FILE\n"
                "  --log-format FORMAT    text (default) or json\n"
                "  --debug                log debug messages\n"
                "  --systemd-cgroup       cgroupsPath is slice:prefix:name\n"
                "  --rootless VALUE       auto (default), true or false\n"
                "  -v, --version          print the version\n"
                "  -h, --help             print this help\n");
}

int
main (int argc, char **argv)
{
  struct hull_globals g = { .root = "/run/hull", .log_format = HULL_LOG_TEXT, .rootless = "auto" };
  static const struct option opts[] = {
    { "root", required_argument, NULL, 'r' },
    { "log", required_argument, NULL, 'l' },
    { "log-format", required_argument, NULL, 'f' },
    { "debug", no_argument, NULL, 'd' },
    { "systemd-cgroup", no_argument, NULL, 's' },
    { "rootless", required_argument, NULL, 'R' },
    { "version", no_argument, NULL, 'v' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  const struct hull_command *cmd;
  cleanup_error oci_error_t *err = NULL;
  int c, ret;

  /* '+': stop at the subcommand; its own options are parsed by it.  */
  while ((c = getopt_long (argc, argv, "+vh", opts, NULL)) != -1)
    {
      switch (c)
        {
        case 'r':
          g.root = optarg;
          break;
        case 'l':
          g.log = optarg;
          break;
        case 'f':
          if (!streq (optarg, "text") && !streq (optarg, "json"))
            {
              fprintf (stderr, "hull: invalid --log-format `%s`: use text or json\n", optarg);
              return 1;
            }
          g.log_format = streq (optarg, "json") ? HULL_LOG_JSON : HULL_LOG_TEXT;
          break;
        case 'd':
          g.debug = true;
          break;
        case 's':
          g.systemd_cgroup = true;
          break;
        case 'R':
          if (!streq (optarg, "auto") && !streq (optarg, "true") && !streq (optarg, "false"))
            {
              fprintf (stderr, "hull: invalid --rootless `%s`: use auto, true or false\n", optarg);
              return 1;
            }
          g.rootless = optarg;
          break;
        case 'v':
          print_version ();
          return 0;
        case 'h':
          print_help (stdout);
          return 0;
        default:
          print_help (stderr);
          return 1;
        }
    }
  if (optind >= argc)
    {
      print_help (stderr);
      return 1;
    }
  /* As runc: rootless without --root keeps its state under
     $XDG_RUNTIME_DIR.  */
  if (streq (g.root, "/run/hull") && geteuid () != 0 && getenv ("XDG_RUNTIME_DIR"))
    {
      static char xdg_root[4096];
      snprintf (xdg_root, sizeof xdg_root, "%s/hull", getenv ("XDG_RUNTIME_DIR"));
      g.root = xdg_root;
    }
  for (cmd = commands; cmd->name; cmd++)
    if (streq (cmd->name, argv[optind]))
      break;
  if (cmd->name == NULL)
    {
      /* Engines read --log for the reason of a failure: log this one too.  */
      fprintf (stderr, "hull: unknown command `%s` (see hull --help)\n", argv[optind]);
      hull_log_init (&g);
      hull_log (HULL_LOG_ERROR, "unknown command `%s`", argv[optind]);
      return 1;
    }
  /* CVE-2019-5736: the commands whose processes enter a container run
     from a copy of hull that cannot be written (see selfexe.h).  */
  if ((streq (cmd->name, "create") || streq (cmd->name, "run") || streq (cmd->name, "exec")
       || streq (cmd->name, "restore"))
      && selfexe_ensure_protected (argv, &err) < 0)
    {
      fprintf (stderr, "hull: %s\n", err->msg);
      return 1;
    }
  argv += optind;
  argc -= optind;
  optind = 0; /* reset getopt for the subcommand (0 also re-reads GNU extensions) */
  ret = cmd->fn (&g, argc, argv, &err);
  if (ret < 0)
    {
      fprintf (stderr, "hull: %s\n", err ? err->msg : "unknown error");
      hull_log_init (&g);
      hull_log (HULL_LOG_ERROR, "%s", err ? err->msg : "unknown error");
      return 1;
    }
  return ret;
}
