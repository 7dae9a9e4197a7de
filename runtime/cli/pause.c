/* hull pause ID: freeze every process of a created or running container
   (v1 freezer, v2 cgroup.freeze); its status becomes "paused".  */
#include "config.h"
#include "commands.h"
#include "../cgroup.h"
#include "../container.h"
#include "../log.h"

#include <errno.h>

static const struct option pause_longopts[] = {
  { "help", no_argument, NULL, 'h' },
  { NULL, 0, NULL, 0 },
};

int
cmd_pause (struct hull_globals *g, int argc, char **argv, oci_error_t **err)
{
  struct hull_container c;
  enum hull_status s;
  int opt, ret = -1;

  hull_log_init (g);
  while ((opt = cli_getopt (argc, argv, ":h", pause_longopts, err)) != -1)
    {
      if (opt != 'h')
        return -1;
      cli_help ("pause", "<container-id>", "Suspend every process of the container (cgroup freezer).", NULL);
      return 0;
    }
  if (cli_operands ("pause", "<container-id>", argc, argv, 1, 1, err) < 0)
    return -1;
  if (container_open_cgroup (g, argv[optind], &c, err) == 0)
    {
      s = state_status (&c);
      if (s != HULL_STATUS_RUNNING && s != HULL_STATUS_CREATED)
        oci_error_set (err, EINVAL, "container not running");
      else
        ret = cgroup_freeze (c.state->cgroup_path, true, err);
    }
  state_container_clear (&c);
  return ret;
}
