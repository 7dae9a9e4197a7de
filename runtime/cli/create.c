/* hull create [options] ID: set the container up and wait for start.  */
#include "config.h"
#include "commands.h"
#include "../container.h"
#include "../log.h"
#include "util.h"

#include <unistd.h>

static const char create_usage[] = "[options] <container-id>";
static const char create_options[]
    = "  -b, --bundle DIR          the bundle (default: the current directory)\n"
      "      --pid-file FILE       write the init's pid to FILE\n"
      "      --console-socket S    send the pty master to the unix socket S\n"
      "      --no-pivot            do not use pivot_root\n"
      "      --no-new-keyring      keep the session keyring of the caller\n"
      "      --preserve-fds N      pass N more fds (3..3+N-1) to the container\n";

static const struct option create_longopts[] = {
  { "bundle", required_argument, NULL, 'b' },
  { "pid-file", required_argument, NULL, 'p' },
  { "console-socket", required_argument, NULL, 'c' },
  { "no-pivot", no_argument, NULL, 'P' },
  { "no-new-keyring", no_argument, NULL, 'K' },
  { "preserve-fds", required_argument, NULL, 'f' },
  { "help", no_argument, NULL, 'h' },
  { NULL, 0, NULL, 0 },
};

int
cmd_create (struct hull_globals *g, int argc, char **argv, oci_error_t **err)
{
  struct hull_create_opts o = { 0 };
  struct hull_created created;
  int c;

  hull_log_init (g);
  while ((c = cli_getopt (argc, argv, ":b:h", create_longopts, err)) != -1)
    switch (c)
      {
      case 'b':
        o.bundle = optarg;
        break;
      case 'p':
        o.pid_file = optarg;
        break;
      case 'c':
        o.console_socket = optarg;
        break;
      case 'P':
        o.no_pivot = true;
        break;
      case 'K':
        o.no_new_keyring = true;
        break;
      case 'f':
        if (cli_parse_preserve_fds (optarg, &o.preserve_fds, err) < 0)
          return -1;
        break;
      case 'h':
        cli_help ("create", create_usage, "Create a container from an OCI bundle; `hull start` runs it.",
                  create_options);
        return 0;
      default:
        return -1;
      }
  if (cli_operands ("create", create_usage, argc, argv, 1, 1, err) < 0)
    return -1;
  o.id = argv[optind];
  return container_create (g, &o, &created, err);
}
