/* hull's subcommands (one file each in runtime/cli/) and the small
   helpers they share for runc-style argument handling.  */
#ifndef HULL_CLI_COMMANDS_H
#define HULL_CLI_COMMANDS_H

#include <getopt.h>

#include "../hull.h"

int cmd_create (struct hull_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_start (struct hull_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_run (struct hull_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_state (struct hull_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_kill (struct hull_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_delete (struct hull_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_list (struct hull_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_spec (struct hull_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_pause (struct hull_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_resume (struct hull_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_ps (struct hull_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_update (struct hull_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_events (struct hull_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_exec (struct hull_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_features (struct hull_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_checkpoint (struct hull_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_restore (struct hull_globals *g, int argc, char **argv, oci_error_t **err);

/* getopt_long over argv with opterr off; returns the option, -1 at the
   end, or -2 with err naming the bad argument.  Options and operands mix
   freely, as in runc.  */
int cli_getopt (int argc, char **argv, const char *shortopts, const struct option *longopts,
                oci_error_t **err);
/* Exactly n operands left (after options): "hull <cmd>: ..." otherwise.  */
int cli_operands (const char *cmd, const char *usage, int argc, char **argv, int min, int max,
                  oci_error_t **err);

struct hull_criu_opts;
/* The options checkpoint and restore share (--image-path, --work-path,
   --tcp-established, --ext-unix-sk, --shell-job, --file-locks, as 'i' 'w'
   't' 'x' 's' 'f'); false for any other.  */
bool cli_criu_option (int c, struct hull_criu_opts *o);
/* --preserve-fds N: a non-negative integer, and fds 3..3+N-1 open.  */
int cli_parse_preserve_fds (const char *value, int *out, oci_error_t **err);
/* A non-negative integer option value.  */
int cli_parse_uint (const char *opt, const char *value, int *out, oci_error_t **err);
/* Print "Usage: hull <cmd> <usage>" and the description for --help.  */
void cli_help (const char *cmd, const char *usage, const char *description, const char *options);

#endif
