/* hull delete [--force] ID: remove a stopped container (--force kills it).  */
#include "config.h"
#include "commands.h"
#include "../container.h"
#include "../log.h"

static const char delete_usage[] = "[options] <container-id>";
static const struct option delete_longopts[] = {
  { "force", no_argument, NULL, 'f' },
  { "help", no_argument, NULL, 'h' },
  { NULL, 0, NULL, 0 },
};

int
cmd_delete (struct hull_globals *g, int argc, char **argv, oci_error_t **err)
{
  bool force = false;
  int c;

  hull_log_init (g);
  while ((c = cli_getopt (argc, argv, ":fh", delete_longopts, err)) != -1)
    switch (c)
      {
      case 'f':
        force = true;
        break;
      case 'h':
        cli_help ("delete", delete_usage, "Delete a container and its state.",
                  "  -f, --force               kill the container first if it is not stopped\n");
        return 0;
      default:
        return -1;
      }
  if (cli_operands ("delete", delete_usage, argc, argv, 1, 1, err) < 0)
    return -1;
  return container_delete (g, argv[optind], force, err);
}
