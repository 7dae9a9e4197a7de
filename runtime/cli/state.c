/* hull state ID: the container's state as runc prints it.  */
#include "config.h"
#include "commands.h"
#include "../log.h"
#include "../state.h"
#include "util.h"

#include <stdio.h>

static const struct option state_longopts[] = {
  { "help", no_argument, NULL, 'h' },
  { NULL, 0, NULL, 0 },
};

int
cmd_state (struct hull_globals *g, int argc, char **argv, oci_error_t **err)
{
  struct hull_container ct;
  cleanup_free char *json = NULL;
  int c;

  hull_log_init (g);
  while ((c = cli_getopt (argc, argv, ":h", state_longopts, err)) != -1)
    {
      if (c != 'h')
        return -1;
      cli_help ("state", "<container-id>", "Print the state of a container as JSON.", NULL);
      return 0;
    }
  if (cli_operands ("state", "<container-id>", argc, argv, 1, 1, err) < 0)
    return -1;
  if (state_open (g->root, argv[optind], &ct, err) < 0)
    {
      state_container_clear (&ct);
      return -1;
    }
  json = state_runc_json (&ct, true);
  state_container_clear (&ct);
  fputs (json, stdout); /* runc prints no trailing newline */
  return 0;
}
