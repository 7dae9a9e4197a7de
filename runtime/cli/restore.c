/* hull restore [options] ID: restore a container from a criu checkpoint;
   without -d wait for it and exit with its status.  */
#include "config.h"
#include "commands.h"
#include "../checkpoint.h"
#include "../log.h"

static const char restore_usage[] = "[options] <container-id>";
static const char restore_options[]
    = "      --image-path DIR      the checkpoint images (default ./checkpoint)\n"
      "      --work-path DIR       criu's logs and work files (default: the image path)\n"
      "  -b, --bundle DIR          the bundle (default: the current directory)\n"
      "  -d, --detach              return once the container is restored\n"
      "      --pid-file FILE       write the restored init's pid to FILE\n"
      "      --tcp-established     restore open TCP connections\n"
      "      --ext-unix-sk         allow external unix sockets\n"
      "      --shell-job           allow shell jobs (a controlling terminal)\n"
      "      --file-locks          restore file locks\n";

static const struct option restore_longopts[] = {
  { "image-path", required_argument, NULL, 'i' },
  { "work-path", required_argument, NULL, 'w' },
  { "bundle", required_argument, NULL, 'b' },
  { "detach", no_argument, NULL, 'd' },
  { "pid-file", required_argument, NULL, 'p' },
  { "tcp-established", no_argument, NULL, 't' },
  { "ext-unix-sk", no_argument, NULL, 'x' },
  { "shell-job", no_argument, NULL, 's' },
  { "file-locks", no_argument, NULL, 'f' },
  { "help", no_argument, NULL, 'h' },
  { NULL, 0, NULL, 0 },
};

int
cmd_restore (struct hull_globals *g, int argc, char **argv, oci_error_t **err)
{
  struct hull_criu_opts o = { 0 };
  int c;

  hull_log_init (g);
  while ((c = cli_getopt (argc, argv, ":b:dh", restore_longopts, err)) != -1)
    switch (c)
      {
      case 'b':
        o.bundle = optarg;
        break;
      case 'd':
        o.detach = true;
        break;
      case 'p':
        o.pid_file = optarg;
        break;
      case 'h':
        cli_help ("restore", restore_usage, "Restore a container from a criu checkpoint.", restore_options);
        return 0;
      default:
        if (!cli_criu_option (c, &o))
          return -1;
      }
  if (cli_operands ("restore", restore_usage, argc, argv, 1, 1, err) < 0)
    return -1;
  o.id = argv[optind];
  return container_restore (g, &o, err);
}
