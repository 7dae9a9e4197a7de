/* hull: shared declarations of the CLI (runtime/cli/) and core.  */
#ifndef HULL_H
#define HULL_H

#include <stdbool.h>

#include "error.h"

enum hull_log_format
{
  HULL_LOG_TEXT,
  HULL_LOG_JSON,
};

/* Global options: they come before the subcommand, as runc's.  */
struct hull_globals
{
  const char *root; /* state directory, default /run/hull */
  const char *log;  /* --log FILE */
  enum hull_log_format log_format;
  bool debug;
  bool systemd_cgroup;
  const char *rootless; /* "auto", "true" or "false" */
};

/* A subcommand: argv[0] is the subcommand's name.  Returns the process exit
   status (0 on success); on failure returns a negative value with *err set
   and main prints it and exits 1, as runc does.  */
typedef int (*hull_command_fn) (struct hull_globals *g, int argc, char **argv, oci_error_t **err);

struct hull_command
{
  const char *name;
  hull_command_fn fn;
  const char *summary;
};

#endif
