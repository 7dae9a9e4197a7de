/* The flags of `berth run` and `berth create`: docker's names, short forms,
   value syntaxes and error messages.  Options stop at the first operand
   (IMAGE); the rest is the container's command.  */
#ifndef BERTH_CONTAINER_OPTS_H
#define BERTH_CONTAINER_OPTS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"
#include "record.h"

struct container_opts
{
  struct container_record *record; /* Config/HostConfig/Mounts from the flags, before the image is known */
  char *name;                      /* --name, NULL: generated */
  char *image;                     /* IMAGE operand */
  char **command;                  /* [COMMAND [ARG...]], NULL when none (also in record Cmd) */
  bool detach;                     /* -d */
  bool interactive;                /* -i (also Config.OpenStdin) */
  bool tty;                        /* -t (also Config.Tty) */
  bool rm;                         /* --rm (also HostConfig.AutoRemove) */
  char *pull;                      /* --pull: "missing" (default) | "always" | "never" */
  char *detach_keys;               /* --detach-keys, NULL: default */
  bool sig_proxy;                  /* --sig-proxy (default true) */
  char *cidfile;                   /* --cidfile */
  char *platform;                  /* --platform os/arch[/variant] */
  char **attach;                   /* -a: "stdin" | "stdout" | "stderr" (lower case), NULL when not given */
  char **volume_specs;             /* raw -v, --mount and --tmpfs values, in order */
  bool entrypoint_set;             /* --entrypoint given ("" clears the image's) */
  char *runtime;                   /* --runtime NAME|PATH (also HostConfig.Runtime) */
  char *log_driver;                /* --log-driver: "json-file" (default) | "none" */
  bool no_healthcheck;             /* --no-healthcheck */
};

/* Parse argv (argv[0] is the command name, "run" or "create").  Returns 0,
   1 when --help came before IMAGE (nothing else is filled; the caller
   prints container_opts_usage and exits 0), -1 on an error:
     unknown flag → EINVAL "unknown flag: --x" / "unknown shorthand flag: 'x' in -x"
     bad value    → EINVAL "invalid argument \"abc\" for \"-m, --memory\" flag: invalid size: 'abc'"
     no IMAGE     → EINVAL "\"berth run\" requires at least 1 argument."
   --env-file and --label-file are read here.  -e NAME takes NAME's value
   from berth's environment (dropped when unset).  `create` has no -d,
   --detach-keys, --sig-proxy (like docker).  A missing value: EINVAL
   "flag needs an argument: --name" / "flag needs an argument: 'm' in -m".  */
int container_opts_parse (int argc, char **argv, bool is_run, struct container_opts **out, oci_error_t **err);
void container_opts_free (struct container_opts *o);
void container_opts_freep (struct container_opts **o);
#define cleanup_container_opts __attribute__ ((cleanup (container_opts_freep)))

/* docker's help: "Usage:  berth run [OPTIONS] IMAGE [COMMAND] [ARG...]",
   a description line, then "Options:" and every flag.  */
void container_opts_usage (FILE *out, bool is_run);

/* container_parse_size, container_parse_duration, container_parse_bool:
   see record.h.  */

#endif
