/* berth image prune, berth system df, berth system check.  */
#include "config.h"
#include "commands.h"

#include <errno.h>
#include <getopt.h>
#include <unistd.h>

#include "manager/container/state.h"
#include "manager/store/containers.h"
#include "manager/store/volumes.h"
#include "util.h"

static const char prune_help[] = "Usage: berth image prune [OPTIONS]\n\n"
                                 "Remove unused images, then the blobs and layers no image uses\n\n"
                                 "Options:\n"
                                 "  -a, --all     Remove all unused images, not just dangling ones\n"
                                 "  -f, --force   Do not prompt for confirmation\n";

static const char df_help[]
    = "Usage: berth system df [OPTIONS]\n\n"
      "Show berth disk usage\n\n"
      "Options:\n"
      "      --format string   Format output: 'table', 'json' or a template\n"
      "                        ({{.Type}} {{.TotalCount}} {{.Active}} {{.Size}} {{.Reclaimable}})\n";

static const char check_help[] = "Usage: berth system check\n\n"
                                 "Verify every blob's digest, every layer and every reference of the store.\n"
                                 "Prints the problems found and exits with 1 when there are any.\n";

static int
prune_images (struct berth_store *s, bool all, oci_error_t **err)
{
  struct store_image **imgs = NULL;
  bool header = false;

  if (store_image_list (s, &imgs, err) < 0)
    return -1;
  for (size_t i = 0; imgs[i]; i++)
    {
      const struct store_image *img = imgs[i];
      cleanup_strv char **users = NULL;

      if (img->names[0] && !all)
        continue;
      if (store_image_users (s, img->id, &users, err) < 0)
        {
          store_image_list_free (imgs);
          return -1;
        }
      if (users[0])
        continue; /* a container's image stays */
      if (store_image_remove (s, img->id, err) < 0)
        {
          store_image_list_free (imgs);
          return -1;
        }
      if (!header)
        printf ("Deleted Images:\n");
      header = true;
      for (size_t j = 0; img->names[j]; j++)
        {
          cleanup_free char *f = cli_name_familiar (img->names[j]);

          printf ("untagged: %s\n", f);
        }
      for (size_t j = 0; img->digests[j]; j++)
        {
          cleanup_free char *f = cli_name_familiar (img->digests[j]);

          printf ("untagged: %s\n", f);
        }
      printf ("deleted: %s\n", img->id);
    }
  if (header)
    printf ("\n");
  store_image_list_free (imgs);
  return 0;
}

int
cmd_image_prune (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  static const struct option opts[] = {
    { "all", no_argument, NULL, 'a' },
    { "force", no_argument, NULL, 'f' },
    { NULL, 0, NULL, 0 },
  };
  bool all = false, force = false;
  struct berth_store *s;
  uint64_t reclaimed = 0;
  cleanup_free char *human = NULL;
  int c;

  if (cli_wants_help (argc, argv))
    {
      fputs (prune_help, stdout);
      return 0;
    }
  while ((c = getopt_long (argc, argv, "+af", opts, NULL)) != -1)
    switch (c)
      {
      case 'a':
        all = true;
        break;
      case 'f':
        force = true;
        break;
      default:
        return cli_usage_error ("image prune", "invalid option", err);
      }
  if (optind < argc)
    return cli_usage_error ("image prune", "\"berth image prune\" accepts no arguments.", err);
  if (!force
      && !cli_confirm (
          all ? "WARNING! This will remove all images without at least one container associated "
                "to them.\nAre you sure you want to continue?"
              : "WARNING! This will remove all dangling images.\nAre you sure you want to continue?"))
    return 0;
  if (cli_store (g, &s, err) < 0 || prune_images (s, all, err) < 0 || store_gc (s, &reclaimed, err) < 0)
    return -1;
  human = cli_human_size ((int64_t) reclaimed);
  printf ("Total reclaimed space: %s\n", human);
  return 0;
}

/* --- df --- */

struct df_usage
{
  int64_t total, active, size, reclaimable;
};

static void
strv_add_unique (char ***v, size_t *n, const char *s)
{
  if (oci_strv_contains ((const char *const *) *v, s))
    return;
  *v = xreallocarray (*v, *n + 2, sizeof (char *));
  (*v)[(*n)++] = xstrdup (s);
  (*v)[*n] = NULL;
}

static int64_t
df_layers_size (struct berth_store *s, char *const *diff_ids)
{
  int64_t total = 0;

  for (size_t i = 0; diff_ids && diff_ids[i]; i++)
    total += store_layer_size (s, diff_ids[i]);
  return total;
}

/* Layers shared between images count once; an image a container uses is
   active and its layers are not reclaimable.  */
static int
df_images (struct berth_store *s, struct df_usage *u, oci_error_t **err)
{
  struct store_image **imgs = NULL;
  cleanup_strv char **all = xcalloc (1, sizeof (char *));
  cleanup_strv char **used = xcalloc (1, sizeof (char *));
  size_t nall = 0, nused = 0;

  if (store_image_list (s, &imgs, err) < 0)
    return -1;
  for (size_t i = 0; imgs[i]; i++)
    {
      cleanup_strv char **users = NULL;

      if (store_image_users (s, imgs[i]->id, &users, err) < 0)
        {
          store_image_list_free (imgs);
          return -1;
        }
      u->total++;
      if (users[0])
        u->active++;
      for (size_t j = 0; imgs[i]->diff_ids[j]; j++)
        {
          strv_add_unique (&all, &nall, imgs[i]->diff_ids[j]);
          if (users[0])
            strv_add_unique (&used, &nused, imgs[i]->diff_ids[j]);
        }
    }
  u->size = df_layers_size (s, all);
  u->reclaimable = u->size - df_layers_size (s, used);
  store_image_list_free (imgs);
  return 0;
}

/* A container's size is its writable layer; a stopped one's is
   reclaimable.  */
static int
df_containers (struct berth_store *s, struct df_usage *u, oci_error_t **err)
{
  struct store_container **l = NULL;

  if (store_container_list (s, &l, err) < 0)
    return -1;
  for (size_t i = 0; l[i]; i++)
    {
      cleanup_free char *dir = store_container_dir (s, l[i]->id);
      cleanup_free char *upper = NULL;
      cleanup_error oci_error_t *e = NULL;
      struct container_state st;
      bool running;
      int64_t size;

      xasprintf (&upper, "%s/upper", dir);
      size = store_dir_size (upper);
      running = container_state_read (dir, &st, &e) == 0
                && (st.status == CONTAINER_RUNNING || st.status == CONTAINER_PAUSED
                    || st.status == CONTAINER_RESTARTING);
      u->total++;
      u->size += size;
      if (running)
        u->active++;
      else
        u->reclaimable += size;
    }
  store_container_list_free (l);
  return 0;
}

static int
df_volumes (struct berth_store *s, struct df_usage *u, oci_error_t **err)
{
  struct store_volume **l = NULL;

  if (store_volume_list (s, &l, err) < 0)
    return -1;
  for (size_t i = 0; l[i]; i++)
    {
      cleanup_strv char **users = NULL;
      int64_t size = store_volume_size (s, l[i]->name);

      if (store_volume_users (s, l[i]->name, &users, err) < 0)
        {
          store_volume_list_free (l);
          return -1;
        }
      u->total++;
      u->size += size;
      if (users[0])
        u->active++;
      else
        u->reclaimable += size;
    }
  store_volume_list_free (l);
  return 0;
}

static char *
df_row_json (const char *type, const struct df_usage *u)
{
  cleanup_strbuf struct strbuf sb = STRBUF_INIT;
  cleanup_free char *size = cli_human_size (u->size);
  cleanup_free char *rec = cli_human_size (u->reclaimable);
  cleanup_free char *pct = NULL;

  if (u->size > 0)
    xasprintf (&pct, "%s (%d%%)", rec, (int) (100 * u->reclaimable / u->size));
  else
    pct = xstrdup (rec);
  strbuf_addf (&sb, "{\"Active\":\"%lld\",\"Reclaimable\":", (long long) u->active);
  cli_json_string (&sb, pct);
  strbuf_addstr (&sb, ",\"Size\":");
  cli_json_string (&sb, size);
  strbuf_addf (&sb, ",\"TotalCount\":\"%lld\",\"Type\":", (long long) u->total);
  cli_json_string (&sb, type);
  strbuf_addch (&sb, '}');
  return strbuf_detach (&sb, NULL);
}

static int
df_table_row (struct cli_table *t, const char *json, oci_error_t **err)
{
  static const char *const keys[] = { "Type", "TotalCount", "Active", "Size", "Reclaimable" };
  char **cells = xcalloc (ARRAY_SIZE (keys), sizeof (char *));

  for (size_t i = 0; i < ARRAY_SIZE (keys); i++)
    {
      cleanup_strbuf struct strbuf v = STRBUF_INIT;
      cleanup_free char *tmpl = NULL;

      xasprintf (&tmpl, "{{.%s}}", keys[i]);
      if (cli_template_render (tmpl, json, &v, err) < 0)
        {
          for (size_t j = 0; j < i; j++)
            free (cells[j]);
          free (cells);
          return -1;
        }
      cells[i] = strbuf_detach (&v, NULL);
    }
  cli_table_add (t, cells);
  return 0;
}

/* The rows of system df as JSON objects: Images, Containers, Local
   Volumes.  */
static int
df_rows (struct berth_store *s, char *rows[3], oci_error_t **err)
{
  struct df_usage images = { 0 }, containers = { 0 }, volumes = { 0 };

  if (df_images (s, &images, err) < 0 || df_containers (s, &containers, err) < 0
      || df_volumes (s, &volumes, err) < 0)
    return -1;
  rows[0] = df_row_json ("Images", &images);
  rows[1] = df_row_json ("Containers", &containers);
  rows[2] = df_row_json ("Local Volumes", &volumes);
  return 0;
}

static int
df_print (char *rows[3], const char *format, oci_error_t **err)
{
  static const char *const hdr[] = { "TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE" };
  enum cli_format_kind kind = cli_format_kind (format);
  struct cli_table t;
  int ret = 0;

  if (kind == CLI_FORMAT_JSON || kind == CLI_FORMAT_TEMPLATE)
    {
      for (size_t i = 0; i < 3; i++)
        {
          cleanup_strbuf struct strbuf line = STRBUF_INIT;

          if (kind == CLI_FORMAT_JSON)
            strbuf_addstr (&line, rows[i]);
          else if (cli_template_render (format, rows[i], &line, err) < 0)
            return -1;
          printf ("%s\n", strbuf_str (&line));
        }
      return 0;
    }
  cli_table_init (&t, (const char *const *) hdr, ARRAY_SIZE (hdr));
  for (size_t i = 0; i < 3 && ret == 0; i++)
    ret = df_table_row (&t, rows[i], err);
  if (ret == 0)
    cli_table_print (&t, stdout);
  cli_table_free (&t);
  return ret;
}

int
cmd_system_df (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  static const struct option opts[] = {
    { "format", required_argument, NULL, 'f' },
    { NULL, 0, NULL, 0 },
  };
  const char *format = NULL;
  char *rows[3] = { NULL, NULL, NULL };
  struct berth_store *s;
  int c, ret;

  if (cli_wants_help (argc, argv))
    {
      fputs (df_help, stdout);
      return 0;
    }
  while ((c = getopt_long (argc, argv, "+", opts, NULL)) != -1)
    if (c == 'f')
      format = optarg;
    else
      return cli_usage_error ("system df", "invalid option", err);
  if (cli_store (g, &s, err) < 0 || df_rows (s, rows, err) < 0)
    return -1;
  ret = df_print (rows, format, err);
  for (size_t i = 0; i < 3; i++)
    free (rows[i]);
  return ret;
}

int
cmd_system_check (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  cleanup_free char *report = NULL;
  struct berth_store *s;
  int r;

  if (cli_wants_help (argc, argv))
    {
      fputs (check_help, stdout);
      return 0;
    }
  if (argc > 1)
    return cli_usage_error ("system check", "\"berth system check\" accepts no arguments.", err);
  if (cli_store (g, &s, err) < 0)
    return -1;
  r = store_check (s, &report, err);
  if (r < 0)
    return -1;
  if (r > 0)
    {
      fputs (report, stdout);
      fprintf (stderr, "Error: the store at %s has problems (see above)\n", store_root (s));
      return 1;
    }
  printf ("Store at %s is consistent\n", store_root (s));
  return 0;
}
