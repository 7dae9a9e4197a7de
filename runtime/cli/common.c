/* Argument helpers shared by hull's subcommands.  */
#include "config.h"
#include "commands.h"
#include "../checkpoint.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>

int
cli_getopt (int argc, char **argv, const char *shortopts, const struct option *longopts, oci_error_t **err)
{
  int c;

  opterr = 0;
  c = getopt_long (argc, argv, shortopts, longopts, NULL);
  if (c == '?')
    {
      if (optopt)
        return oci_error_set (err, EINVAL, "%s: unknown option -%c", argv[0], optopt), -2;
      return oci_error_set (err, EINVAL, "%s: unknown option %s", argv[0], argv[optind - 1]), -2;
    }
  if (c == ':')
    return oci_error_set (err, EINVAL, "%s: option %s needs a value", argv[0], argv[optind - 1]), -2;
  return c;
}

int
cli_operands (const char *cmd, const char *usage, int argc, char **argv, int min, int max, oci_error_t **err)
{
  int n = argc - optind;

  (void) argv;
  if (n < min || n > max)
    {
      if (n < min)
        return oci_error_set (err, EINVAL, "%s: missing argument; usage: hull %s %s", cmd, cmd, usage);
      return oci_error_set (err, EINVAL, "%s: unexpected argument \"%s\"; usage: hull %s %s", cmd,
                            argv[optind + max], cmd, usage);
    }
  return 0;
}

int
cli_parse_uint (const char *opt, const char *value, int *out, oci_error_t **err)
{
  char *end;
  long v;

  errno = 0;
  v = strtol (value, &end, 10);
  if (*value == '\0' || *end || errno || v < 0 || v > 1 << 20)
    return oci_error_set (err, EINVAL, "invalid value \"%s\" for %s", value, opt);
  *out = (int) v;
  return 0;
}

void
cli_help (const char *cmd, const char *usage, const char *description, const char *options)
{
  printf ("Usage: hull %s %s\n\n%s\n", cmd, usage, description);
  if (options && *options)
    printf ("\nOptions:\n%s", options);
}

int
cli_parse_preserve_fds (const char *value, int *out, oci_error_t **err)
{
  if (cli_parse_uint ("--preserve-fds", value, out, err) < 0)
    return -1;
  /* Every preserved fd must be open now: a gap would be filled by one of
     hull's own fds (the locked state directory, the sync socket) and
     passed into the container.  */
  for (int fd = 3; fd < 3 + *out; fd++)
    if (fcntl (fd, F_GETFD) < 0)
      return oci_error_set (err, EBADF, "--preserve-fds %d: fd %d is not open", *out, fd);
  return 0;
}

bool
cli_criu_option (int c, struct hull_criu_opts *o)
{
  switch (c)
    {
    case 'i':
      o->image_path = optarg;
      return true;
    case 'w':
      o->work_path = optarg;
      return true;
    case 't':
      o->tcp_established = true;
      return true;
    case 'x':
      o->ext_unix_sk = true;
      return true;
    case 's':
      o->shell_job = true;
      return true;
    case 'f':
      o->file_locks = true;
      return true;
    default:
      return false;
    }
}
