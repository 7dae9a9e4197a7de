/* berth's commands: one function per command, in manager/cli/<group>.c,
   all dispatched by the table in commands.c.  A command returns its exit
   code (0, or e.g. 1 when an image was not found); a negative return
   means *err is set and berth exits with 125.  Every command handles
   --help itself.  */
#ifndef BERTH_CLI_COMMANDS_H
#define BERTH_CLI_COMMANDS_H

#include "common.h"

typedef int (*berth_cmd_fn) (struct berth_globals *g, int argc, char **argv, oci_error_t **err);

struct berth_command
{
  const char *name;
  berth_cmd_fn fn;
  const char *summary; /* NULL: an alias, not listed in --help */
};

/* Top-level commands, `berth image <sub>` and `berth system <sub>`.  */
extern const struct berth_command berth_commands[];
extern const struct berth_command berth_image_commands[];
extern const struct berth_command berth_system_commands[];
extern const struct berth_command berth_container_commands[];
extern const struct berth_command berth_volume_commands[];
extern const struct berth_command berth_healthcheck_commands[];
extern const struct berth_command berth_network_commands[];

const struct berth_command *berth_command_find (const struct berth_command *table, const char *name);
void berth_commands_help (const struct berth_command *table, FILE *out);

/* images.c */
int cmd_images (struct berth_globals *g, int argc, char **argv, oci_error_t **err);
/* rmi.c */
int cmd_rmi (struct berth_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_tag (struct berth_globals *g, int argc, char **argv, oci_error_t **err);
/* inspect.c */
int cmd_image_inspect (struct berth_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_inspect (struct berth_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_history (struct berth_globals *g, int argc, char **argv, oci_error_t **err);
/* import.c */
int cmd_import (struct berth_globals *g, int argc, char **argv, oci_error_t **err);
/* save.c, load.c */
int cmd_save (struct berth_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_load (struct berth_globals *g, int argc, char **argv, oci_error_t **err);
/* system.c */
int cmd_image_prune (struct berth_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_system_df (struct berth_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_system_check (struct berth_globals *g, int argc, char **argv, oci_error_t **err);
/* pull.c, push.c, login.c */
int cmd_pull (struct berth_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_push (struct berth_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_login (struct berth_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_logout (struct berth_globals *g, int argc, char **argv, oci_error_t **err);
/* run.c (create/start/attach; `system boot`; hidden `container cleanup`) */
int cmd_run (struct berth_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_create (struct berth_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_start (struct berth_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_attach (struct berth_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_system_boot (struct berth_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_container_cleanup (struct berth_globals *g, int argc, char **argv, oci_error_t **err);
/* containers.c, ps.c, logs.c; container inspect lives in inspect.c */
int cmd_stop (struct berth_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_restart (struct berth_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_kill (struct berth_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_rm (struct berth_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_wait (struct berth_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_pause (struct berth_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_unpause (struct berth_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_rename (struct berth_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_container_prune (struct berth_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_container_inspect (struct berth_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_ps (struct berth_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_logs (struct berth_globals *g, int argc, char **argv, oci_error_t **err);
/* exec.c, top.c, stats.c, cp.c, commit.c (diff, commit), healthcheck.c */
int cmd_exec (struct berth_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_top (struct berth_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_stats (struct berth_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_cp (struct berth_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_diff (struct berth_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_commit (struct berth_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_healthcheck_run (struct berth_globals *g, int argc, char **argv, oci_error_t **err);
/* volume.c */
int cmd_volume_create (struct berth_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_volume_ls (struct berth_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_volume_inspect (struct berth_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_volume_rm (struct berth_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_volume_prune (struct berth_globals *g, int argc, char **argv, oci_error_t **err);
/* network.c (network group, port) */
int cmd_network_create (struct berth_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_network_ls (struct berth_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_network_inspect (struct berth_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_network_rm (struct berth_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_network_prune (struct berth_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_network_connect (struct berth_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_network_disconnect (struct berth_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_port (struct berth_globals *g, int argc, char **argv, oci_error_t **err);
/* The docker JSON of a network found by name or id (for `berth inspect`);
   ENOENT when there is none.  */
int network_inspect_lookup (struct berth_store *s, const char *ref, char **json, oci_error_t **err);
/* commands.c: the group dispatchers */
int cmd_container (struct berth_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_volume (struct berth_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_healthcheck (struct berth_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_network (struct berth_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_image (struct berth_globals *g, int argc, char **argv, oci_error_t **err);
int cmd_system (struct berth_globals *g, int argc, char **argv, oci_error_t **err);

#endif
