/* The command tables: add a command with one line here and its
   declaration in commands.h.  */
#include "config.h"
#include "commands.h"

#include <errno.h>

#include "util.h"

const struct berth_command berth_commands[] = {
  { "image", cmd_image, "Manage images" },
  { "system", cmd_system, "Manage berth" },
  { "images", cmd_images, "List images" },
  { "rmi", cmd_rmi, "Remove one or more images" },
  { "tag", cmd_tag, "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE" },
  { "inspect", cmd_inspect, "Return low-level information on berth objects" },
  { "history", cmd_history, "Show the history of an image" },
  { "import", cmd_import, "Import the contents from a tarball to create a filesystem image" },
  { "pull", cmd_pull, "Download an image from a registry" },
  { "push", cmd_push, "Upload an image to a registry" },
  { "save", cmd_save, "Save one or more images to a tar archive (streamed to STDOUT by default)" },
  { "load", cmd_load, "Load an image from a tar archive or STDIN" },
  { "login", cmd_login, "Log in to a registry" },
  { "logout", cmd_logout, "Log out from a registry" },
  { "container", cmd_container, "Manage containers" },
  { "volume", cmd_volume, "Manage volumes" },
  { "network", cmd_network, "Manage networks" },
  { "healthcheck", cmd_healthcheck, "Run container health checks" },
  { "run", cmd_run, "Create and run a new container from an image" },
  { "create", cmd_create, "Create a new container" },
  { "start", cmd_start, "Start one or more stopped containers" },
  { "attach", cmd_attach, "Attach local standard input, output, and error streams to a running container" },
  { "stop", cmd_stop, "Stop one or more running containers" },
  { "restart", cmd_restart, "Restart one or more containers" },
  { "kill", cmd_kill, "Kill one or more running containers" },
  { "rm", cmd_rm, "Remove one or more containers" },
  { "wait", cmd_wait, "Block until one or more containers stop, then print their exit codes" },
  { "pause", cmd_pause, "Pause all processes within one or more containers" },
  { "unpause", cmd_unpause, "Unpause all processes within one or more containers" },
  { "rename", cmd_rename, "Rename a container" },
  { "ps", cmd_ps, "List containers" },
  { "logs", cmd_logs, "Fetch the logs of a container" },
  { "exec", cmd_exec, "Execute a command in a running container" },
  { "top", cmd_top, "Display the running processes of a container" },
  { "stats", cmd_stats, "Display a live stream of container(s) resource usage statistics" },
  { "cp", cmd_cp, "Copy files/folders between a container and the local filesystem" },
  { "diff", cmd_diff, "Inspect changes to files or directories on a container's filesystem" },
  { "commit", cmd_commit, "Create a new image from a container's changes" },
  { "port", cmd_port, "List port mappings or a specific mapping for the container" },
  { NULL, NULL, NULL },
};

const struct berth_command berth_container_commands[] = {
  { "run", cmd_run, "Create and run a new container from an image" },
  { "create", cmd_create, "Create a new container" },
  { "start", cmd_start, "Start one or more stopped containers" },
  { "attach", cmd_attach, "Attach local standard input, output, and error streams to a running container" },
  { "stop", cmd_stop, "Stop one or more running containers" },
  { "restart", cmd_restart, "Restart one or more containers" },
  { "kill", cmd_kill, "Kill one or more running containers" },
  { "rm", cmd_rm, "Remove one or more containers" },
  { "remove", cmd_rm, NULL },
  { "wait", cmd_wait, "Block until one or more containers stop, then print their exit codes" },
  { "pause", cmd_pause, "Pause all processes within one or more containers" },
  { "unpause", cmd_unpause, "Unpause all processes within one or more containers" },
  { "rename", cmd_rename, "Rename a container" },
  { "ls", cmd_ps, "List containers" },
  { "list", cmd_ps, NULL },
  { "ps", cmd_ps, NULL },
  { "logs", cmd_logs, "Fetch the logs of a container" },
  { "exec", cmd_exec, "Execute a command in a running container" },
  { "top", cmd_top, "Display the running processes of a container" },
  { "stats", cmd_stats, "Display a live stream of container(s) resource usage statistics" },
  { "cp", cmd_cp, "Copy files/folders between a container and the local filesystem" },
  { "diff", cmd_diff, "Inspect changes to files or directories on a container's filesystem" },
  { "commit", cmd_commit, "Create a new image from a container's changes" },
  { "port", cmd_port, "List port mappings or a specific mapping for the container" },
  { "inspect", cmd_container_inspect, "Display detailed information on one or more containers" },
  { "prune", cmd_container_prune, "Remove all stopped containers" },
  { "cleanup", cmd_container_cleanup, NULL },
  { NULL, NULL, NULL },
};

const struct berth_command berth_volume_commands[] = {
  { "create", cmd_volume_create, "Create a volume" },
  { "ls", cmd_volume_ls, "List volumes" },
  { "list", cmd_volume_ls, NULL },
  { "inspect", cmd_volume_inspect, "Display detailed information on one or more volumes" },
  { "rm", cmd_volume_rm, "Remove one or more volumes" },
  { "remove", cmd_volume_rm, NULL },
  { "prune", cmd_volume_prune, "Remove unused local volumes" },
  { NULL, NULL, NULL },
};

const struct berth_command berth_network_commands[] = {
  { "create", cmd_network_create, "Create a network" },
  { "ls", cmd_network_ls, "List networks" },
  { "list", cmd_network_ls, NULL },
  { "inspect", cmd_network_inspect, "Display detailed information on one or more networks" },
  { "rm", cmd_network_rm, "Remove one or more networks" },
  { "remove", cmd_network_rm, NULL },
  { "prune", cmd_network_prune, "Remove all unused networks" },
  { "connect", cmd_network_connect, "Connect a container to a network" },
  { "disconnect", cmd_network_disconnect, "Disconnect a container from a network" },
  { NULL, NULL, NULL },
};

const struct berth_command berth_healthcheck_commands[] = {
  { "run", cmd_healthcheck_run, "Run the health check of a container" },
  { NULL, NULL, NULL },
};

const struct berth_command berth_image_commands[] = {
  { "ls", cmd_images, "List images" },
  { "list", cmd_images, NULL },
  { "rm", cmd_rmi, "Remove one or more images" },
  { "remove", cmd_rmi, NULL },
  { "tag", cmd_tag, "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE" },
  { "inspect", cmd_image_inspect, "Display detailed information on one or more images" },
  { "history", cmd_history, "Show the history of an image" },
  { "import", cmd_import, "Import the contents from a tarball to create a filesystem image" },
  { "prune", cmd_image_prune, "Remove unused images" },
  { "pull", cmd_pull, "Download an image from a registry" },
  { "push", cmd_push, "Upload an image to a registry" },
  { "save", cmd_save, "Save one or more images to a tar archive (streamed to STDOUT by default)" },
  { "load", cmd_load, "Load an image from a tar archive or STDIN" },
  { NULL, NULL, NULL },
};

const struct berth_command berth_system_commands[] = {
  { "df", cmd_system_df, "Show berth disk usage" },
  { "check", cmd_system_check, "Verify every blob's digest and every reference of the store" },
  { "boot", cmd_system_boot, "Start the containers whose restart policy asks for it (run at boot)" },
  { NULL, NULL, NULL },
};

const struct berth_command *
berth_command_find (const struct berth_command *table, const char *name)
{
  for (const struct berth_command *c = table; c->name; c++)
    if (streq (c->name, name))
      return c;
  return NULL;
}

void
berth_commands_help (const struct berth_command *table, FILE *out)
{
  for (const struct berth_command *c = table; c->name; c++)
    if (c->summary)
      fprintf (out, "  %-12s %s\n", c->name, c->summary);
}

static int
group_dispatch (const char *group, const struct berth_command *table, struct berth_globals *g, int argc,
                char **argv, oci_error_t **err)
{
  const struct berth_command *c;

  if (argc < 2 || streq (argv[1], "--help") || streq (argv[1], "-h"))
    {
      FILE *out = argc < 2 ? stderr : stdout;

      fprintf (out, "Usage: berth %s COMMAND\n\nCommands:\n", group);
      berth_commands_help (table, out);
      fprintf (out, "\nRun 'berth %s COMMAND --help' for more information on a command.\n", group);
      return argc < 2 ? BERTH_EXIT_ERROR : 0;
    }
  c = berth_command_find (table, argv[1]);
  if (c == NULL)
    return oci_error_set (err, EINVAL, "unknown command \"%s\" for \"berth %s\"\nSee 'berth %s --help'.",
                          argv[1], group, group);
  return c->fn (g, argc - 1, argv + 1, err);
}

int
cmd_image (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  return group_dispatch ("image", berth_image_commands, g, argc, argv, err);
}

int
cmd_system (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  return group_dispatch ("system", berth_system_commands, g, argc, argv, err);
}

int
cmd_container (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  return group_dispatch ("container", berth_container_commands, g, argc, argv, err);
}

int
cmd_volume (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  return group_dispatch ("volume", berth_volume_commands, g, argc, argv, err);
}

int
cmd_healthcheck (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  return group_dispatch ("healthcheck", berth_healthcheck_commands, g, argc, argv, err);
}

int
cmd_network (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  return group_dispatch ("network", berth_network_commands, g, argc, argv, err);
}
