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
      fprintf (out, "  %-10s %s\n", c->name, c->summary);
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
