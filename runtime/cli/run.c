/* hull run [options] ID: create + start; without -d wait for the container,
   exit with its status and delete it (unless --keep).  */
#include "config.h"
#include "commands.h"
#include "../container.h"
#include "../log.h"
#include "util.h"

#include <unistd.h>

static const char run_usage[] = "[options] <container-id>";
static const char run_options[] = "  -b, --bundle DIR          the bundle (default: the current directory)\n"
                                  "  -d, --detach              return once the container started\n"
                                  "      --keep                do not delete the container after it exited\n"
                                  "      --pid-file FILE       write the init's pid to FILE\n"
                                  "      --console-socket S    send the pty master to the unix socket S\n"
                                  "      --no-pivot            do not use pivot_root\n"
                                  "      --no-new-keyring      keep the session keyring of the caller\n"
                                  "      --preserve-fds N      pass N more fds (3..3+N-1) to the container\n";

static const struct option run_longopts[] = {
  { "bundle", required_argument, NULL, 'b' },
  { "detach", no_argument, NULL, 'd' },
  { "keep", no_argument, NULL, 'k' },
  { "pid-file", required_argument, NULL, 'p' },
  { "console-socket", required_argument, NULL, 'c' },
  { "no-pivot", no_argument, NULL, 'P' },
  { "no-new-keyring", no_argument, NULL, 'K' },
  { "preserve-fds", required_argument, NULL, 'f' },
  { "help", no_argument, NULL, 'h' },
  { NULL, 0, NULL, 0 },
};

static int
parse_run_options (int argc, char **argv, struct hull_create_opts *o, bool *detach, bool *keep,
                   oci_error_t **err)
{
  int c;

  while ((c = cli_getopt (argc, argv, ":b:dh", run_longopts, err)) != -1)
    switch (c)
      {
      case 'b':
        o->bundle = optarg;
        break;
      case 'd':
        *detach = true;
        break;
      case 'k':
        *keep = true;
        break;
      case 'p':
        o->pid_file = optarg;
        break;
      case 'c':
        o->console_socket = optarg;
        break;
      case 'P':
        o->no_pivot = true;
        break;
      case 'K':
        o->no_new_keyring = true;
        break;
      case 'f':
        if (cli_parse_preserve_fds (optarg, &o->preserve_fds, err) < 0)
          return -1;
        break;
      case 'h':
        cli_help ("run", run_usage, "Create and start a container.", run_options);
        return 1;
      default:
        return -1;
      }
  return cli_operands ("run", run_usage, argc, argv, 1, 1, err);
}

int
cmd_run (struct hull_globals *g, int argc, char **argv, oci_error_t **err)
{
  struct hull_create_opts o = { 0 };
  struct hull_created created;
  bool detach = false, keep = false;
  cleanup_error oci_error_t *del_err = NULL;
  int ret;

  hull_log_init (g);
  ret = parse_run_options (argc, argv, &o, &detach, &keep, err);
  if (ret != 0)
    return ret < 0 ? -1 : 0;
  o.id = argv[optind];
  o.foreground = !detach && o.console_socket == NULL;
  if (container_create (g, &o, &created, err) < 0)
    return -1;
  if (container_start (g, o.id, err) < 0)
    {
      if (created.pty_master >= 0)
        close (created.pty_master);
      (void) container_delete (g, o.id, true, &del_err);
      return -1;
    }
  if (detach)
    return 0;
  ret = container_wait_foreground (created.pid, created.pty_master, err);
  if (created.pty_master >= 0)
    close (created.pty_master);
  if (!keep && container_delete (g, o.id, true, &del_err) < 0)
    hull_warn ("%s", del_err->msg);
  return ret;
}
