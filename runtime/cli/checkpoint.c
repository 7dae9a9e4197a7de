/* hull checkpoint [options] ID: dump a running container with criu.  */
#include "config.h"
#include "commands.h"
#include "../checkpoint.h"
#include "../log.h"

static const char checkpoint_usage[] = "[options] <container-id>";
static const char checkpoint_options[]
    = "      --image-path DIR      where the images go (default ./checkpoint)\n"
      "      --work-path DIR       criu's logs and work files (default: the image path)\n"
      "      --leave-running       keep the container running after the dump\n"
      "      --tcp-established     allow open TCP connections\n"
      "      --ext-unix-sk         allow external unix sockets\n"
      "      --shell-job           allow shell jobs (a controlling terminal)\n"
      "      --file-locks          dump file locks\n";

static const struct option checkpoint_longopts[] = {
  { "image-path", required_argument, NULL, 'i' },
  { "work-path", required_argument, NULL, 'w' },
  { "leave-running", no_argument, NULL, 'l' },
  { "tcp-established", no_argument, NULL, 't' },
  { "ext-unix-sk", no_argument, NULL, 'x' },
  { "shell-job", no_argument, NULL, 's' },
  { "file-locks", no_argument, NULL, 'f' },
  { "help", no_argument, NULL, 'h' },
  { NULL, 0, NULL, 0 },
};

int
cmd_checkpoint (struct hull_globals *g, int argc, char **argv, oci_error_t **err)
{
  struct hull_criu_opts o = { 0 };
  int c;

  hull_log_init (g);
  while ((c = cli_getopt (argc, argv, ":h", checkpoint_longopts, err)) != -1)
    switch (c)
      {
      case 'l':
        o.leave_running = true;
        break;
      case 'h':
        cli_help ("checkpoint", checkpoint_usage, "Checkpoint a running container with criu.",
                  checkpoint_options);
        return 0;
      default:
        if (!cli_criu_option (c, &o))
          return -1;
      }
  if (cli_operands ("checkpoint", checkpoint_usage, argc, argv, 1, 1, err) < 0)
    return -1;
  o.id = argv[optind];
  return container_checkpoint (g, &o, err);
}
