/* hull start ID: let a created container run its process.  */
#include "config.h"
#include "commands.h"
#include "../container.h"
#include "../log.h"

static const struct option start_longopts[] = {
  { "help", no_argument, NULL, 'h' },
  { NULL, 0, NULL, 0 },
};

int
cmd_start (struct hull_globals *g, int argc, char **argv, oci_error_t **err)
{
  int c;

  hull_log_init (g);
  while ((c = cli_getopt (argc, argv, ":h", start_longopts, err)) != -1)
    {
      if (c != 'h')
        return -1;
      cli_help ("start", "<container-id>", "Start the process of a created container.", NULL);
      return 0;
    }
  if (cli_operands ("start", "<container-id>", argc, argv, 1, 1, err) < 0)
    return -1;
  return container_start (g, argv[optind], err);
}
