/* berth: a daemonless, Docker-compatible container manager.  This file
   parses the global options and dispatches to the command table of
   manager/cli/commands.c.  */
#include "config.h"
#include "util.h"
#include "json.h"
#include "version.h"

#include <archive.h>
#include <curl/curl.h>
#include <getopt.h>
#include <sqlite3.h>
#include <stdio.h>
#include <yaml.h>

#include "cli/commands.h"

static void
print_version (void)
{
  printf ("berth version %s\n", PACKAGE_VERSION);
  printf ("commit: %s\n", GIT_COMMIT);
  printf ("spec: %s\n", OCI_SPEC_VERSION);
  printf ("libcurl: %s\n", curl_version_info (CURLVERSION_NOW)->version);
  printf ("libarchive: %s\n", archive_version_string ());
  printf ("sqlite: %s\n", sqlite3_libversion ());
  printf ("libyaml: %s\n", yaml_get_version_string ());
  printf ("features: +CURL +ARCHIVE +SQLITE +YAML %s\n", BERTH_FEATURES_COMMON);
}

static void
print_help (FILE *out)
{
  fprintf (out, "Usage: berth [OPTIONS] COMMAND\n\n"
                "A daemonless, Docker-compatible container manager.\n\n"
                "Options:\n"
                "      --root DIR         data root (default /var/lib/berth as root,\n"
                "                         $XDG_DATA_HOME/berth otherwise)\n"
                "      --runroot DIR      runtime state (default /run/berth with the default\n"
                "                         root, else ROOT/run)\n"
                "      --runtime PATH     OCI runtime for new containers (default hull, or\n"
                "                         \"runtime\" in /etc/berth/berth.conf)\n"
                "      --config DIR       location of the client config files (default ~/.docker)\n"
                "      --log-level LEVEL  debug, info, warn, error or fatal (default warn)\n"
                "  -v, --version          print the version\n"
                "  -h, --help             print this help\n\n"
                "Commands:\n");
  berth_commands_help (berth_commands, out);
  fprintf (out, "\nRun 'berth COMMAND --help' for more information on a command.\n");
}

/* The defaults that depend on who runs berth; *owned is freed by main.  */
static void
set_default_paths (struct berth_globals *g, char **owned_root, char **owned_config)
{
  const char *home = getenv ("HOME");

  if (g->root == NULL)
    {
      const char *xdg = getenv ("XDG_DATA_HOME");

      if (geteuid () == 0)
        g->root = "/var/lib/berth";
      else
        {
          if (xdg && *xdg)
            xasprintf (owned_root, "%s/berth", xdg);
          else
            xasprintf (owned_root, "%s/.local/share/berth", home ? home : "");
          g->root = *owned_root;
        }
    }
  if (g->config_dir == NULL)
    {
      const char *env = getenv ("DOCKER_CONFIG");

      if (env && *env)
        g->config_dir = env;
      else
        {
          xasprintf (owned_config, "%s/.docker", home ? home : "");
          g->config_dir = *owned_config;
        }
    }
}

static bool
log_level_valid (const char *level)
{
  static const char *const levels[] = { "debug", "info", "warn", "error", "fatal", NULL };

  return oci_strv_contains (levels, level);
}

/* Parse the global options; returns -1 to continue, else an exit code.  */
static int
parse_globals (struct berth_globals *g, int argc, char **argv)
{
  enum
  {
    OPT_ROOT = 256,
    OPT_RUNTIME,
    OPT_RUNROOT,
    OPT_CONFIG,
    OPT_LOG_LEVEL,
  };
  static const struct option opts[] = {
    { "root", required_argument, NULL, OPT_ROOT },
    { "runtime", required_argument, NULL, OPT_RUNTIME },
    { "runroot", required_argument, NULL, OPT_RUNROOT },
    { "config", required_argument, NULL, OPT_CONFIG },
    { "log-level", required_argument, NULL, OPT_LOG_LEVEL },
    { "version", no_argument, NULL, 'v' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  int c;

  while ((c = getopt_long (argc, argv, "+vhl:", opts, NULL)) != -1)
    {
      switch (c)
        {
        case OPT_ROOT:
          g->root = optarg;
          break;
        case OPT_RUNTIME:
          g->runtime = optarg;
          break;
        case OPT_RUNROOT:
          g->runroot = optarg;
          break;
        case OPT_CONFIG:
          g->config_dir = optarg;
          break;
        case 'l':
        case OPT_LOG_LEVEL:
          if (!log_level_valid (optarg))
            {
              fprintf (stderr, "Error: invalid --log-level \"%s\" (debug, info, warn, error, fatal)\n",
                       optarg);
              return BERTH_EXIT_ERROR;
            }
          g->log_level = optarg;
          break;
        case 'v':
          print_version ();
          return 0;
        case 'h':
          print_help (stdout);
          return 0;
        default:
          fprintf (stderr, "See 'berth --help'.\n");
          return BERTH_EXIT_ERROR;
        }
    }
  if (optind >= argc)
    {
      print_help (stderr);
      return BERTH_EXIT_ERROR;
    }
  return -1;
}

int
main (int argc, char **argv)
{
  struct berth_globals g = { .log_level = "warn" };
  cleanup_free char *root = NULL;
  cleanup_free char *config = NULL;
  cleanup_error oci_error_t *err = NULL;
  const struct berth_command *cmd;
  int ret;

  ret = parse_globals (&g, argc, argv);
  if (ret >= 0)
    return ret;
  set_default_paths (&g, &root, &config);
  cmd = berth_command_find (berth_commands, argv[optind]);
  if (cmd == NULL)
    {
      fprintf (stderr, "berth: '%s' is not a berth command.\nSee 'berth --help'.\n", argv[optind]);
      return BERTH_EXIT_ERROR;
    }
  /* Commands parse their own options from scratch.  */
  argc -= optind;
  argv += optind;
  optind = 0;
  ret = cmd->fn (&g, argc, argv, &err);
  if (err)
    fprintf (stderr, "Error: %s\n", err->msg);
  if (ret < 0)
    ret = BERTH_EXIT_ERROR;
  store_close (g.store);
  return ret;
}
