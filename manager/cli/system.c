/* berth image prune, berth system df, berth system check.  */
#include "config.h"
#include "commands.h"

#include <errno.h>
#include <getopt.h>
#include <unistd.h>

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

      if (img->names[0] && !all)
        continue;
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

static int
df_images (struct berth_store *s, struct df_usage *u, oci_error_t **err)
{
  struct store_image **imgs = NULL;
  char **seen = xcalloc (1, sizeof (char *));
  size_t nseen = 0;

  if (store_image_list (s, &imgs, err) < 0)
    {
      free (seen);
      return -1;
    }
  /* Layers shared between images count once.  No container uses an
     image yet, so all of it is reclaimable.  */
  for (size_t i = 0; imgs[i]; i++)
    {
      u->total++;
      for (size_t j = 0; imgs[i]->diff_ids[j]; j++)
        {
          const char *d = imgs[i]->diff_ids[j];

          if (oci_strv_contains ((const char *const *) seen, d))
            continue;
          seen = xreallocarray (seen, nseen + 2, sizeof (char *));
          seen[nseen++] = xstrdup (d);
          seen[nseen] = NULL;
          u->size += store_layer_size (s, d);
        }
    }
  u->reclaimable = u->size;
  strv_free (seen);
  store_image_list_free (imgs);
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

int
cmd_system_df (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  static const struct option opts[] = {
    { "format", required_argument, NULL, 'f' },
    { NULL, 0, NULL, 0 },
  };
  static const char *const hdr[] = { "TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE" };
  static const char *const keys[] = { "Type", "TotalCount", "Active", "Size", "Reclaimable" };
  const char *format = NULL;
  struct df_usage u = { 0 };
  cleanup_free char *json = NULL;
  cleanup_strbuf struct strbuf line = STRBUF_INIT;
  struct berth_store *s;
  struct cli_table t;
  char **cells;
  int c;

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
  if (cli_store (g, &s, err) < 0 || df_images (s, &u, err) < 0)
    return -1;
  json = df_row_json ("Images", &u);
  if (cli_format_kind (format) == CLI_FORMAT_JSON)
    {
      printf ("%s\n", json);
      return 0;
    }
  if (cli_format_kind (format) == CLI_FORMAT_TEMPLATE)
    {
      if (cli_template_render (format, json, &line, err) < 0)
        return -1;
      printf ("%s\n", strbuf_str (&line));
      return 0;
    }
  cli_table_init (&t, (const char *const *) hdr, 5);
  cells = xcalloc (5, sizeof (char *));
  for (size_t i = 0; i < 5; i++)
    {
      cleanup_strbuf struct strbuf v = STRBUF_INIT;
      cleanup_free char *tmpl = NULL;

      xasprintf (&tmpl, "{{.%s}}", keys[i]);
      if (cli_template_render (tmpl, json, &v, err) < 0)
        {
          free (cells);
          cli_table_free (&t);
          return -1;
        }
      cells[i] = strbuf_detach (&v, NULL);
    }
  cli_table_add (&t, cells);
  cli_table_print (&t, stdout);
  cli_table_free (&t);
  return 0;
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
