/* hull list [--format table|json] [--quiet]: every container under --root,
   in runc's table (tabwriter: minwidth 12, padding 3) or JSON array.  */
#include "config.h"
#include "commands.h"
#include "../log.h"
#include "../state.h"
#include "strbuf.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>

struct list_row
{
  char *cells[6];
  char *json;
};

static const char list_usage[] = "[options]";
static const struct option list_longopts[] = {
  { "format", required_argument, NULL, 'f' },
  { "quiet", no_argument, NULL, 'q' },
  { "help", no_argument, NULL, 'h' },
  { NULL, 0, NULL, 0 },
};

static int
compare_names (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* The container ids under root, sorted; a missing root is an empty list.  */
static int
list_ids (const char *root, char ***ids, size_t *n, oci_error_t **err)
{
  cleanup_dir DIR *d = opendir (root);
  struct dirent *de;
  char **v = NULL;
  size_t len = 0;

  if (d == NULL && errno != ENOENT)
    return oci_error_errno (err, errno, "cannot open %s", root);
  while (d && (de = readdir (d)))
    {
      if (de->d_name[0] == '.' || (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN))
        continue;
      v = xreallocarray (v, len + 2, sizeof (char *));
      v[len++] = xstrdup (de->d_name);
      v[len] = NULL;
    }
  if (len)
    qsort (v, len, sizeof (char *), compare_names);
  *ids = v;
  *n = len;
  return 0;
}

static bool
load_row (const char *root, const char *id, struct list_row *row)
{
  struct hull_container c;
  cleanup_error oci_error_t *err = NULL;
  enum hull_status s;

  if (state_open (root, id, &c, &err) < 0)
    {
      state_container_clear (&c);
      return false;
    }
  s = state_status (&c);
  row->cells[0] = xstrdup (id);
  xasprintf (&row->cells[1], "%d", s == HULL_STATUS_STOPPED ? 0 : (int) c.state->init_pid);
  row->cells[2] = xstrdup (state_status_name (s));
  row->cells[3] = xstrdup (c.state->bundle ? c.state->bundle : "");
  row->cells[4] = xstrdup (c.state->created ? c.state->created : "");
  row->cells[5] = xstrdup (c.state->owner ? c.state->owner : "");
  row->json = state_runc_json (&c, false);
  state_container_clear (&c);
  return true;
}

static void
print_table (struct list_row *rows, size_t n)
{
  static const char *const header[6] = { "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER" };
  size_t width[6];
  size_t i, col;

  for (col = 0; col < 6; col++)
    {
      width[col] = strlen (header[col]);
      for (i = 0; i < n; i++)
        if (strlen (rows[i].cells[col]) > width[col])
          width[col] = strlen (rows[i].cells[col]);
      width[col] = width[col] + 3 < 12 ? 12 : width[col] + 3;
    }
  for (i = 0; i <= n; i++)
    {
      const char *const *cells = i == 0 ? header : (const char *const *) rows[i - 1].cells;
      for (col = 0; col < 5; col++)
        printf ("%-*s", (int) width[col], cells[col]);
      printf ("%s\n", cells[5]);
    }
}

static void
print_rows (struct list_row *rows, size_t n, bool json, bool quiet)
{
  if (quiet)
    {
      for (size_t i = 0; i < n; i++)
        printf ("%s\n", rows[i].cells[0]);
      return;
    }
  if (!json)
    {
      print_table (rows, n);
      return;
    }
  if (n == 0)
    {
      printf ("null\n");
      return;
    }
  for (size_t i = 0; i < n; i++)
    printf ("%s%s", i == 0 ? "[" : ",", rows[i].json);
  printf ("]\n");
}

static int
parse_list_options (int argc, char **argv, bool *json, bool *quiet, oci_error_t **err)
{
  int c;

  while ((c = cli_getopt (argc, argv, ":f:qh", list_longopts, err)) != -1)
    switch (c)
      {
      case 'f':
        if (!streq (optarg, "table") && !streq (optarg, "json"))
          return oci_error_set (err, EINVAL, "invalid format option \"%s\": use table or json", optarg);
        *json = streq (optarg, "json");
        break;
      case 'q':
        *quiet = true;
        break;
      case 'h':
        cli_help ("list", list_usage, "List the containers under --root.",
                  "  -f, --format FORMAT       table (default) or json\n"
                  "  -q, --quiet               print only the ids\n");
        return 1;
      default:
        return -1;
      }
  return cli_operands ("list", list_usage, argc, argv, 0, 0, err);
}

int
cmd_list (struct hull_globals *g, int argc, char **argv, oci_error_t **err)
{
  cleanup_strv char **ids = NULL;
  struct list_row *rows;
  bool json = false, quiet = false;
  size_t n = 0, m = 0;
  int ret;

  hull_log_init (g);
  ret = parse_list_options (argc, argv, &json, &quiet, err);
  if (ret != 0)
    return ret < 0 ? -1 : 0;
  if (list_ids (g->root, &ids, &n, err) < 0)
    return -1;
  rows = xcalloc (n + 1, sizeof *rows);
  for (size_t i = 0; i < n; i++)
    if (load_row (g->root, ids[i], &rows[m]))
      m++;
  print_rows (rows, m, json, quiet);
  for (size_t i = 0; i < m; i++)
    {
      for (int col = 0; col < 6; col++)
        free (rows[i].cells[col]);
      free (rows[i].json);
    }
  free (rows);
  return 0;
}
