/* hull kill [--all] ID [SIGNAL]: signal the container (default SIGTERM).  */
#include "config.h"
#include "commands.h"
#include "../container.h"
#include "../log.h"

#include <signal.h>

static const char kill_usage[] = "[options] <container-id> [signal]";
static const struct option kill_longopts[] = {
  { "all", no_argument, NULL, 'a' },
  { "help", no_argument, NULL, 'h' },
  { NULL, 0, NULL, 0 },
};

int
cmd_kill (struct hull_globals *g, int argc, char **argv, oci_error_t **err)
{
  bool all = false;
  int c, sig = SIGTERM;

  hull_log_init (g);
  while ((c = cli_getopt (argc, argv, ":ah", kill_longopts, err)) != -1)
    switch (c)
      {
      case 'a':
        all = true;
        break;
      case 'h':
        cli_help ("kill", kill_usage, "Send a signal (default SIGTERM) to the container's init.",
                  "  -a, --all                 signal every process of the container\n");
        return 0;
      default:
        return -1;
      }
  if (cli_operands ("kill", kill_usage, argc, argv, 1, 2, err) < 0)
    return -1;
  if (argc - optind == 2 && (sig = container_parse_signal (argv[optind + 1], err)) < 0)
    return -1;
  return container_kill (g, argv[optind], sig, all, err);
}
