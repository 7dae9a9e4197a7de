/* berth rmi / image rm and berth tag.  */
#include "config.h"
#include "commands.h"

#include <errno.h>
#include <getopt.h>

#include "util.h"

static const char rmi_help[]
    = "Usage: berth rmi [OPTIONS] IMAGE [IMAGE...]\n\n"
      "Remove one or more images\n\n"
      "Aliases:\n  berth image rm, berth image remove, berth rmi\n\n"
      "Options:\n"
      "  -f, --force      Force removal of the image (also when it has several names)\n"
      "      --no-prune   Do not delete the image's unused blobs and layers\n";

static const char tag_help[] = "Usage: berth tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]\n\n"
                               "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE\n\n"
                               "Aliases:\n  berth image tag, berth tag\n";

static void
print_untagged (char **names)
{
  for (size_t i = 0; names && names[i]; i++)
    {
      cleanup_free char *f = cli_name_familiar (names[i]);

      printf ("Untagged: %s\n", f);
    }
}

/* By name: remove that name (and the image with its last name).  */
static int
rmi_by_name (struct berth_store *s, const char *name, const struct store_image *img, oci_error_t **err)
{
  cleanup_free char *familiar = cli_name_familiar (name);
  int r = store_image_untag (s, name, err);

  if (r < 0)
    return -1;
  printf ("Untagged: %s\n", familiar);
  if (r == 1)
    {
      print_untagged (img->digests);
      printf ("Deleted: %s\n", img->id);
    }
  return 0;
}

/* By id or digest: the whole image, refused when several names use it
   unless forced.  */
static int
rmi_by_id (struct berth_store *s, const char *arg, const struct store_image *img, bool force,
           oci_error_t **err)
{
  if (strv_len (img->names) > 1 && !force)
    {
      cleanup_free char *short_id = cli_short_id (img->id);

      return oci_error_set (
          err, EBUSY,
          "conflict: unable to delete %s (must be forced) - image is referenced in multiple "
          "repositories",
          short_id);
    }
  if (store_image_remove (s, img->id, err) < 0)
    return oci_error_prefix (err, "remove %s", arg);
  print_untagged (img->names);
  print_untagged (img->digests);
  printf ("Deleted: %s\n", img->id);
  return 0;
}

static int
rmi_one (struct berth_store *s, const char *arg, bool force, oci_error_t **err)
{
  struct store_image *img = NULL;
  cleanup_free char *name = NULL;
  cleanup_error oci_error_t *nerr = NULL;
  int ret;

  if (cli_image_lookup (s, arg, &img, err) < 0)
    return -1;
  if (cli_name_normalize (arg, false, &name, &nerr) == 0
      && oci_strv_contains ((const char *const *) img->names, name))
    ret = rmi_by_name (s, name, img, err);
  else
    ret = rmi_by_id (s, arg, img, force, err);
  store_image_free (img);
  return ret;
}

int
cmd_rmi (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  enum
  {
    OPT_NO_PRUNE = 256
  };
  static const struct option opts[] = {
    { "force", no_argument, NULL, 'f' },
    { "no-prune", no_argument, NULL, OPT_NO_PRUNE },
    { NULL, 0, NULL, 0 },
  };
  bool force = false, prune = true;
  struct berth_store *s;
  int c, status = 0;

  if (cli_wants_help (argc, argv))
    {
      fputs (rmi_help, stdout);
      return 0;
    }
  while ((c = getopt_long (argc, argv, "+f", opts, NULL)) != -1)
    switch (c)
      {
      case 'f':
        force = true;
        break;
      case OPT_NO_PRUNE:
        prune = false;
        break;
      default:
        return cli_usage_error ("rmi", "invalid option", err);
      }
  if (optind >= argc)
    return cli_usage_error ("rmi", "\"berth rmi\" requires at least 1 argument.", err);
  if (cli_store (g, &s, err) < 0)
    return -1;
  for (int i = optind; i < argc; i++)
    {
      cleanup_error oci_error_t *e = NULL;

      if (rmi_one (s, argv[i], force, &e) < 0)
        {
          fprintf (stderr, "Error: %s\n", e->msg);
          status = 1;
        }
    }
  if (prune && store_gc (s, NULL, err) < 0)
    return -1;
  return status;
}

int
cmd_tag (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  struct berth_store *s;
  struct store_image *img = NULL;
  cleanup_free char *target = NULL;
  int ret;

  if (cli_wants_help (argc, argv))
    {
      fputs (tag_help, stdout);
      return 0;
    }
  if (argc != 3)
    return cli_usage_error ("tag", "\"berth tag\" requires exactly 2 arguments.", err);
  if (cli_name_normalize (argv[2], false, &target, err) < 0)
    return -1;
  if (cli_store (g, &s, err) < 0 || cli_image_lookup (s, argv[1], &img, err) < 0)
    return -1;
  ret = store_image_tag (s, img->id, target, err);
  store_image_free (img);
  return ret < 0 ? -1 : 0;
}
