/* hull resume ID: thaw a paused container.  */
#include "config.h"
#include "commands.h"
#include "../cgroup.h"
#include "../container.h"
#include "../log.h"

#include <errno.h>

static const struct option resume_longopts[] = {
  { "help", no_argument, NULL, 'h' },
  { NULL, 0, NULL, 0 },
};

int
cmd_resume (struct hull_globals *g, int argc, char **argv, oci_error_t **err)
{
  struct hull_container c;
  int opt, ret = -1;

  hull_log_init (g);
  while ((opt = cli_getopt (argc, argv, ":h", resume_longopts, err)) != -1)
    {
      if (opt != 'h')
        return -1;
      cli_help ("resume", "<container-id>", "Resume every process of a paused container.", NULL);
      return 0;
    }
  if (cli_operands ("resume", "<container-id>", argc, argv, 1, 1, err) < 0)
    return -1;
  if (container_open_cgroup (g, argv[optind], &c, err) == 0)
    {
      if (state_status (&c) != HULL_STATUS_PAUSED)
        oci_error_set (err, EINVAL, "container not paused");
      else
        ret = cgroup_freeze (c.state->cgroup_path, false, err);
    }
  state_container_clear (&c);
  return ret;
}
