/* berth rmi / image rm and berth tag.  */
#include "config.h"
#include "commands.h"

#include <errno.h>
#include <getopt.h>

#include "manager/container/state.h"
#include "manager/store/containers.h"
#include "util.h"

static const char rmi_help[]
    = "Usage: berth rmi [OPTIONS] IMAGE [IMAGE...]\n\n"
      "Remove one or more images\n\n"
      "Aliases:\n  berth image rm, berth image remove, berth rmi\n\n"
      "Options:\n"
      "  -f, --force      Force removal of the image (several names; untag an image containers use)\n"
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

/* The first of the containers using the image that runs, or NULL.  */
static const char *
running_user (struct berth_store *s, char *const *users)
{
  for (size_t i = 0; users && users[i]; i++)
    {
      cleanup_free char *dir = store_container_dir (s, users[i]);
      cleanup_error oci_error_t *e = NULL;
      struct container_state st;

      if (container_state_read (dir, &st, &e) == 0
          && (st.status == CONTAINER_RUNNING || st.status == CONTAINER_PAUSED
              || st.status == CONTAINER_RESTARTING))
        return users[i];
    }
  return NULL;
}

/* By name: remove that name (and the image with its last name, unless a
   container uses it: forced, the image stays dangling).  */
static int
rmi_by_name (struct berth_store *s, const char *arg, const char *name, const struct store_image *img,
             char *const *users, bool force, oci_error_t **err)
{
  cleanup_free char *familiar = cli_name_familiar (name);
  int r;

  if (users[0] && strv_len (img->names) <= 1)
    {
      cleanup_free char *cid = cli_short_id (users[0]);
      cleanup_free char *iid = cli_short_id (img->id);

      if (!force)
        return oci_error_set (
            err, EBUSY,
            "conflict: unable to remove repository reference \"%s\" (must force) - container "
            "%s is using its referenced image %s",
            arg, cid, iid);
      if (store_image_name_remove (s, name, err) < 0)
        return -1;
      printf ("Untagged: %s\n", familiar);
      return 0;
    }
  r = store_image_untag (s, name, err);

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

/* An image containers use keeps its data: forced, it only loses its
   names; a running user refuses even that, as docker does.  */
static int
rmi_used_by_id (struct berth_store *s, const struct store_image *img, char *const *users, bool force,
                oci_error_t **err)
{
  cleanup_free char *short_id = cli_short_id (img->id);
  const char *running = running_user (s, users);

  if (running)
    {
      cleanup_free char *cid = cli_short_id (running);

      return oci_error_set (
          err, EBUSY,
          "conflict: unable to delete %s (cannot be forced) - image is being used by running "
          "container %s",
          short_id, cid);
    }
  if (!force)
    {
      cleanup_free char *cid = cli_short_id (users[0]);

      return oci_error_set (err, EBUSY,
                            "conflict: unable to delete %s (must be forced) - image is being used by stopped "
                            "container %s",
                            short_id, cid);
    }
  for (size_t i = 0; img->names[i]; i++)
    {
      cleanup_free char *f = cli_name_familiar (img->names[i]);

      if (store_image_name_remove (s, img->names[i], err) < 0)
        return -1;
      printf ("Untagged: %s\n", f);
    }
  return 0;
}

/* By id or digest: the whole image, refused when several names use it
   unless forced.  */
static int
rmi_by_id (struct berth_store *s, const char *arg, const struct store_image *img, char *const *users,
           bool force, oci_error_t **err)
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
  if (users[0])
    return rmi_used_by_id (s, img, users, force, err);
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
  cleanup_strv char **users = NULL;
  cleanup_error oci_error_t *nerr = NULL;
  int ret;

  if (cli_image_lookup (s, arg, &img, err) < 0)
    return -1;
  if (store_image_users (s, img->id, &users, err) < 0)
    ret = -1;
  else if (cli_name_normalize (arg, false, &name, &nerr) == 0
           && oci_strv_contains ((const char *const *) img->names, name))
    ret = rmi_by_name (s, arg, name, img, users, force, err);
  else
    ret = rmi_by_id (s, arg, img, users, force, err);
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
