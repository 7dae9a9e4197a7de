/* berth volume create, ls, inspect, rm, prune: local volumes, docker's
   flags and outputs.  */
#include "config.h"
#include "commands.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "manager/store/volumes.h"
#include "util.h"

/* Docker marks anonymous volumes with this label; prune without -a only
   removes those.  */
#define ANONYMOUS_LABEL "com.docker.volume.anonymous"

static const char create_help[] = "Usage:  berth volume create [OPTIONS] [VOLUME]\n\n"
                                  "Create a volume\n\n"
                                  "Options:\n"
                                  "  -d, --driver string   Specify volume driver name (default \"local\")\n"
                                  "  -l, --label list      Set metadata for a volume\n"
                                  "  -o, --opt map         Set driver specific options (default map[])\n";

static const char ls_help[]
    = "Usage:  berth volume ls [OPTIONS]\n\n"
      "List volumes\n\n"
      "Aliases:\n  berth volume ls, berth volume list\n\n"
      "Options:\n"
      "  -f, --filter filter   Provide filter values (e.g. \"dangling=true\", \"name=NAME\",\n"
      "                        \"label=KEY[=VALUE]\", \"driver=local\")\n"
      "      --format string   Format output using a custom template:\n"
      "                        'table', 'json' or a Go-like template ({{.Name}} {{.Driver}}\n"
      "                        {{.Mountpoint}} {{.Labels}} {{.Scope}} {{json .}})\n"
      "  -q, --quiet           Only display volume names\n";

static const char inspect_help[]
    = "Usage:  berth volume inspect [OPTIONS] VOLUME [VOLUME...]\n\n"
      "Display detailed information on one or more volumes\n\n"
      "Options:\n"
      "  -f, --format string   Format output using a custom template:\n"
      "                        'json' or a Go-like template ({{.Name}}\n"
      "                        {{.Mountpoint}} {{.CreatedAt}} {{json .Labels}})\n";

static const char rm_help[]
    = "Usage:  berth volume rm [OPTIONS] VOLUME [VOLUME...]\n\n"
      "Remove one or more volumes. You cannot remove a volume that is in use by a container.\n\n"
      "Aliases:\n  berth volume rm, berth volume remove\n\n"
      "Options:\n"
      "  -f, --force   Force the removal of one or more volumes\n";

static const char prune_help[]
    = "Usage:  berth volume prune [OPTIONS]\n\n"
      "Remove unused local volumes\n\n"
      "Options:\n"
      "  -a, --all             Remove all unused volumes, not just anonymous ones\n"
      "      --filter filter   Provide filter values (e.g. \"label=<label>\")\n"
      "  -f, --force           Do not prompt for confirmation\n";

/* --- JSON of one volume --- */

/* The labels shown to users: the stored ones plus docker's anonymous
   marker.  */
static char **
volume_labels (const struct store_volume *v)
{
  char **l = strv_dup (v->labels ? v->labels : (char *[]){ NULL });

  if (v->anonymous)
    cli_strv_append (&l, ANONYMOUS_LABEL "=");
  return l;
}

/* docker volume inspect's object (keys in docker's order).  */
static char *
volume_inspect_json (struct berth_store *s, const struct store_volume *v)
{
  cleanup_strbuf struct strbuf sb = STRBUF_INIT;
  cleanup_free char *at = cli_go_time (v->created);
  cleanup_free char *mp = store_volume_path (s, v->name);
  cleanup_strv char **labels = volume_labels (v);

  strbuf_addstr (&sb, "{\"CreatedAt\":");
  cli_json_string (&sb, at);
  strbuf_addstr (&sb, ",\"Driver\":");
  cli_json_string (&sb, v->driver ? v->driver : "local");
  strbuf_addstr (&sb, ",\"Labels\":");
  cli_json_kv_object (&sb, labels);
  strbuf_addstr (&sb, ",\"Mountpoint\":");
  cli_json_string (&sb, mp);
  strbuf_addstr (&sb, ",\"Name\":");
  cli_json_string (&sb, v->name);
  strbuf_addstr (&sb, ",\"Options\":");
  cli_json_kv_object (&sb, v->options);
  strbuf_addstr (&sb, ",\"Scope\":\"local\"}");
  return strbuf_detach (&sb, NULL);
}

/* docker volume ls --format json's object: Labels as "k=v,k=v".  */
static char *
volume_ls_json (struct berth_store *s, const struct store_volume *v)
{
  cleanup_strbuf struct strbuf sb = STRBUF_INIT;
  cleanup_strbuf struct strbuf lb = STRBUF_INIT;
  cleanup_free char *mp = store_volume_path (s, v->name);
  cleanup_strv char **labels = volume_labels (v);

  for (size_t i = 0; labels[i]; i++)
    {
      if (i)
        strbuf_addch (&lb, ',');
      strbuf_addstr (&lb, labels[i]);
    }
  strbuf_addstr (&sb, "{\"Availability\":\"N/A\",\"Driver\":");
  cli_json_string (&sb, v->driver ? v->driver : "local");
  strbuf_addstr (&sb, ",\"Group\":\"N/A\",\"Labels\":");
  cli_json_string (&sb, strbuf_str (&lb));
  strbuf_addstr (&sb, ",\"Links\":\"N/A\",\"Mountpoint\":");
  cli_json_string (&sb, mp);
  strbuf_addstr (&sb, ",\"Name\":");
  cli_json_string (&sb, v->name);
  strbuf_addstr (&sb, ",\"Scope\":\"local\",\"Size\":\"N/A\",\"Status\":\"N/A\"}");
  return strbuf_detach (&sb, NULL);
}

/* --- filters --- */

struct volume_filter
{
  int dangling; /* -1 any */
  char **names, **labels, **not_labels, **drivers;
};

static void
volume_filter_clear (struct volume_filter *f)
{
  strv_free (f->names);
  strv_free (f->labels);
  strv_free (f->not_labels);
  strv_free (f->drivers);
}

static int
volume_filter_add (struct volume_filter *f, const char *kv, bool prune, oci_error_t **err)
{
  const char *eq = strchr (kv, '=');
  cleanup_free char *key = eq ? xstrndup (kv, eq - kv) : NULL;
  const char *val = eq ? eq + 1 : NULL;

  if (key == NULL)
    return oci_error_set (err, EINVAL, "bad format of filter \"%s\" (expected name=value)", kv);
  if (streq (key, "label"))
    cli_strv_append (&f->labels, val);
  else if (streq (key, "label!"))
    cli_strv_append (&f->not_labels, val);
  else if (prune)
    return oci_error_set (err, EINVAL, "invalid filter '%s'", key);
  else if (streq (key, "name"))
    cli_strv_append (&f->names, val);
  else if (streq (key, "driver"))
    cli_strv_append (&f->drivers, val);
  else if (streq (key, "dangling"))
    {
      if (!streq (val, "true") && !streq (val, "false") && !streq (val, "1") && !streq (val, "0"))
        return oci_error_set (err, EINVAL, "invalid filter 'dangling=%s'", val);
      f->dangling = streq (val, "true") || streq (val, "1");
    }
  else
    return oci_error_set (err, EINVAL, "invalid filter '%s'", key);
  return 0;
}

static bool
strv_any_substring (char *const *pats, const char *s)
{
  for (size_t i = 0; pats[i]; i++)
    if (strstr (s, pats[i]))
      return true;
  return false;
}

static bool
volume_in_use (struct berth_store *s, const char *name)
{
  cleanup_strv char **users = NULL;
  cleanup_error oci_error_t *err = NULL;

  if (store_volume_users (s, name, &users, &err) < 0)
    return true; /* unknown: never treat as unused */
  return users && users[0];
}

static bool
volume_selected (struct berth_store *s, const struct volume_filter *f, const struct store_volume *v)
{
  cleanup_strv char **labels = volume_labels (v);

  if (f->names && !strv_any_substring (f->names, v->name))
    return false;
  if (f->drivers && !strv_any_substring (f->drivers, v->driver ? v->driver : "local"))
    return false;
  for (size_t i = 0; f->labels && f->labels[i]; i++)
    if (!cli_labels_match (labels, f->labels[i]))
      return false;
  for (size_t i = 0; f->not_labels && f->not_labels[i]; i++)
    if (cli_labels_match (labels, f->not_labels[i]))
      return false;
  if (f->dangling >= 0 && volume_in_use (s, v->name) == (bool) f->dangling)
    return false;
  return true;
}

/* --- create --- */

/* `volume create` without a name: a random 64-hex name, but a named
   volume all the same (docker marks only the volumes containers create as
   anonymous, and prune without -a removes only those).  */
static int
volume_random_name (char **out, oci_error_t **err)
{
  unsigned char raw[32];
  char *hex = xmalloc (2 * sizeof raw + 1);

  if (getrandom (raw, sizeof raw, 0) != (ssize_t) sizeof raw)
    {
      free (hex);
      return oci_error_errno (err, errno, "volume create: getrandom");
    }
  for (size_t i = 0; i < sizeof raw; i++)
    sprintf (hex + 2 * i, "%02x", raw[i]);
  *out = hex;
  return 0;
}

static int
volume_create_run (struct berth_globals *g, const char *driver, const char *name, char **labels, char **opts,
                   oci_error_t **err)
{
  struct berth_store *s;
  struct store_volume *v = NULL;
  cleanup_free char *random_name = NULL;

  if (!streq (driver, "local"))
    return oci_error_set (err, ENOENT, "error looking up volume plugin %s: plugin \"%s\" not found", driver,
                          driver);
  if (name && !store_volume_name_valid (name))
    return oci_error_set (err, EINVAL,
                          "create %s: \"%s\" includes invalid characters for a local volume name, only "
                          "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host "
                          "directory, use absolute path",
                          name, name);
  for (size_t i = 0; opts && opts[i]; i++)
    if (strchr (opts[i], '=') == NULL)
      return oci_error_set (err, EINVAL,
                            "invalid argument \"%s\" for \"-o, --opt\" flag: %s is not a key=value pair",
                            opts[i], opts[i]);
  if (name == NULL && volume_random_name (&random_name, err) < 0)
    return -1;
  if (cli_store (g, &s, err) < 0
      || store_volume_create (s, name ? name : random_name, labels, opts, &v, err) < 0)
    return -1;
  printf ("%s\n", v->name);
  store_volume_free (v);
  return 0;
}

int
cmd_volume_create (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  enum
  {
    OPT_NAME = 256,
  };
  static const struct option opts[] = {
    { "driver", required_argument, NULL, 'd' },
    { "label", required_argument, NULL, 'l' },
    { "opt", required_argument, NULL, 'o' },
    { "name", required_argument, NULL, OPT_NAME },
    { NULL, 0, NULL, 0 },
  };
  cleanup_strv char **labels = NULL;
  cleanup_strv char **options = NULL;
  const char *driver = "local", *name = NULL;
  int c;

  if (cli_wants_help (argc, argv))
    {
      fputs (create_help, stdout);
      return 0;
    }
  while ((c = getopt_long (argc, argv, "+d:l:o:", opts, NULL)) != -1)
    switch (c)
      {
      case 'd':
        driver = optarg;
        break;
      case 'l':
        cli_strv_append (&labels, optarg);
        break;
      case 'o':
        cli_strv_append (&options, optarg);
        break;
      case OPT_NAME:
        name = optarg;
        break;
      default:
        return cli_usage_error ("volume create", "invalid option", err);
      }
  if (argc - optind > 1)
    return cli_usage_error ("volume create", "\"berth volume create\" requires at most 1 argument.", err);
  if (optind < argc)
    {
      if (name && !streq (name, argv[optind]))
        return oci_error_set (
            err, EINVAL, "conflicting options: either specify --name or provide positional arg, not both");
      name = argv[optind];
    }
  return volume_create_run (g, driver, name, labels, options, err);
}

/* --- ls --- */

static void
volume_ls_table (struct store_volume **vols)
{
  size_t w = strlen ("DRIVER");

  for (size_t i = 0; vols[i]; i++)
    if (strlen (vols[i]->driver ? vols[i]->driver : "local") > w)
      w = strlen (vols[i]->driver);
  /* docker's tabwriter: minimum width 10, padding 3.  */
  w = w + 3 < 10 ? 10 : w + 3;
  printf ("%-*s%s\n", (int) w, "DRIVER", "VOLUME NAME");
  for (size_t i = 0; vols[i]; i++)
    printf ("%-*s%s\n", (int) w, vols[i]->driver ? vols[i]->driver : "local", vols[i]->name);
}

static int
volume_ls_print (struct berth_store *s, struct store_volume **vols, bool quiet, const char *format,
                 oci_error_t **err)
{
  enum cli_format_kind kind = cli_format_kind (format);

  if (quiet)
    {
      for (size_t i = 0; vols[i]; i++)
        printf ("%s\n", vols[i]->name);
      return 0;
    }
  if (kind == CLI_FORMAT_TABLE)
    {
      volume_ls_table (vols);
      return 0;
    }
  if (kind == CLI_FORMAT_TEMPLATE && has_prefix (format, "table "))
    {
      cleanup_strbuf struct strbuf h = STRBUF_INIT;

      cli_template_header (format, &h);
      printf ("%s\n", strbuf_str (&h));
    }
  for (size_t i = 0; vols[i]; i++)
    {
      cleanup_free char *json = volume_ls_json (s, vols[i]);
      cleanup_strbuf struct strbuf line = STRBUF_INIT;

      if (kind == CLI_FORMAT_JSON)
        strbuf_addstr (&line, json);
      else if (cli_template_render (format, json, &line, err) < 0)
        return -1;
      printf ("%s\n", strbuf_str (&line));
    }
  return 0;
}

static int
volume_ls_run (struct berth_globals *g, const struct volume_filter *f, bool quiet, const char *format,
               oci_error_t **err)
{
  struct berth_store *s;
  struct store_volume **vols = NULL;
  size_t kept = 0;
  int ret;

  if (cli_store (g, &s, err) < 0 || store_volume_list (s, &vols, err) < 0)
    return -1;
  for (size_t i = 0; vols[i]; i++)
    {
      if (volume_selected (s, f, vols[i]))
        vols[kept++] = vols[i];
      else
        store_volume_free (vols[i]);
    }
  vols[kept] = NULL;
  ret = volume_ls_print (s, vols, quiet, format, err);
  store_volume_list_free (vols);
  return ret;
}

int
cmd_volume_ls (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  enum
  {
    OPT_FORMAT = 256,
  };
  static const struct option opts[] = {
    { "filter", required_argument, NULL, 'f' },
    { "format", required_argument, NULL, OPT_FORMAT },
    { "quiet", no_argument, NULL, 'q' },
    { NULL, 0, NULL, 0 },
  };
  struct volume_filter f = { .dangling = -1 };
  const char *format = NULL;
  bool quiet = false;
  int c, ret;

  if (cli_wants_help (argc, argv))
    {
      fputs (ls_help, stdout);
      return 0;
    }
  while ((c = getopt_long (argc, argv, "+f:q", opts, NULL)) != -1)
    switch (c)
      {
      case 'f':
        if (volume_filter_add (&f, optarg, false, err) < 0)
          {
            volume_filter_clear (&f);
            return -1;
          }
        break;
      case OPT_FORMAT:
        format = optarg;
        break;
      case 'q':
        quiet = true;
        break;
      default:
        volume_filter_clear (&f);
        return cli_usage_error ("volume ls", "invalid option", err);
      }
  if (optind < argc)
    ret = cli_usage_error ("volume ls", "\"berth volume ls\" accepts no arguments.", err);
  else
    ret = volume_ls_run (g, &f, quiet, format, err);
  volume_filter_clear (&f);
  return ret;
}

/* --- inspect --- */

static int
volume_inspect_one (struct berth_store *s, const char *name, const char *format, struct strbuf *array,
                    size_t *n, oci_error_t **err)
{
  struct store_volume *v = NULL;
  cleanup_free char *json = NULL;

  if (store_volume_lookup (s, name, &v, err) < 0)
    return -1;
  json = volume_inspect_json (s, v);
  store_volume_free (v);
  if (format && cli_format_kind (format) == CLI_FORMAT_TEMPLATE)
    {
      cleanup_strbuf struct strbuf line = STRBUF_INIT;

      if (cli_template_render (format, json, &line, err) < 0)
        return -1;
      printf ("%s\n", strbuf_str (&line));
      return 0;
    }
  strbuf_addstr (array, (*n)++ ? "," : "");
  strbuf_addstr (array, json);
  return 0;
}

static int
volume_inspect_run (struct berth_globals *g, char **names, const char *format, oci_error_t **err)
{
  cleanup_strbuf struct strbuf array = STRBUF_INIT;
  cleanup_strbuf struct strbuf pretty = STRBUF_INIT;
  oci_error_t *first = NULL;
  struct berth_store *s;
  size_t n = 0;

  if (cli_store (g, &s, err) < 0)
    return -1;
  strbuf_addch (&array, '[');
  for (size_t i = 0; names[i]; i++)
    {
      oci_error_t *e = NULL;

      if (volume_inspect_one (s, names[i], format, &array, &n, &e) < 0)
        {
          if (first)
            oci_error_free (&e);
          else
            first = e;
        }
    }
  strbuf_addch (&array, ']');
  if (!(format && cli_format_kind (format) == CLI_FORMAT_TEMPLATE))
    {
      if (cli_json_pretty (strbuf_str (&array), &pretty, err) < 0)
        {
          oci_error_free (&first);
          return -1;
        }
      printf ("%s\n", strbuf_str (&pretty));
    }
  if (first)
    {
      *err = first;
      return -1;
    }
  return 0;
}

int
cmd_volume_inspect (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  static const struct option opts[] = {
    { "format", required_argument, NULL, 'f' },
    { NULL, 0, NULL, 0 },
  };
  const char *format = NULL;
  int c;

  if (cli_wants_help (argc, argv))
    {
      fputs (inspect_help, stdout);
      return 0;
    }
  while ((c = getopt_long (argc, argv, "+f:", opts, NULL)) != -1)
    switch (c)
      {
      case 'f':
        format = optarg;
        break;
      default:
        return cli_usage_error ("volume inspect", "invalid option", err);
      }
  if (optind >= argc)
    return cli_usage_error ("volume inspect", "\"berth volume inspect\" requires at least 1 argument.", err);
  return volume_inspect_run (g, argv + optind, format, err);
}

/* --- rm --- */

/* Keep going after a failure like docker, and report every failure (one
   per line) at the end.  */
static int
volume_rm_run (struct berth_globals *g, char **names, bool force, oci_error_t **err)
{
  cleanup_strbuf struct strbuf failures = STRBUF_INIT;
  struct berth_store *s;
  int code = 0;

  if (cli_store (g, &s, err) < 0)
    return -1;
  for (size_t i = 0; names[i]; i++)
    {
      cleanup_error oci_error_t *e = NULL;
      struct store_volume *v = NULL;

      if (store_volume_lookup (s, names[i], &v, &e) < 0)
        {
          if (!force)
            {
              strbuf_addstr (&failures, failures.len ? "\n" : "");
              strbuf_addf (&failures, "get %s: no such volume", names[i]);
              code = ENOENT;
            }
          continue;
        }
      store_volume_free (v);
      if (store_volume_remove (s, names[i], false, &e) < 0)
        {
          strbuf_addstr (&failures, failures.len ? "\n" : "");
          strbuf_addf (&failures, "remove %s: %s", names[i], e->msg);
          code = e->status;
          continue;
        }
      printf ("%s\n", names[i]);
    }
  if (failures.len)
    return oci_error_set (err, code, "%s", strbuf_str (&failures));
  return 0;
}

int
cmd_volume_rm (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  static const struct option opts[] = {
    { "force", no_argument, NULL, 'f' },
    { NULL, 0, NULL, 0 },
  };
  bool force = false;
  int c;

  if (cli_wants_help (argc, argv))
    {
      fputs (rm_help, stdout);
      return 0;
    }
  while ((c = getopt_long (argc, argv, "+f", opts, NULL)) != -1)
    switch (c)
      {
      case 'f':
        force = true;
        break;
      default:
        return cli_usage_error ("volume rm", "invalid option", err);
      }
  if (optind >= argc)
    return cli_usage_error ("volume rm", "\"berth volume rm\" requires at least 1 argument.", err);
  return volume_rm_run (g, argv + optind, force, err);
}

/* --- prune --- */

static int
volume_prune_run (struct berth_globals *g, const struct volume_filter *f, bool all, oci_error_t **err)
{
  struct berth_store *s;
  struct store_volume **vols = NULL;
  int64_t reclaimed = 0;
  bool header = false;
  cleanup_free char *human = NULL;

  if (cli_store (g, &s, err) < 0 || store_volume_list (s, &vols, err) < 0)
    return -1;
  for (size_t i = 0; vols[i]; i++)
    {
      cleanup_error oci_error_t *e = NULL;
      int64_t size;

      if ((!all && !vols[i]->anonymous) || !volume_selected (s, f, vols[i])
          || volume_in_use (s, vols[i]->name))
        continue;
      size = store_volume_size (s, vols[i]->name);
      if (store_volume_remove (s, vols[i]->name, false, &e) < 0)
        continue; /* taken into use meanwhile */
      if (!header)
        printf ("Deleted Volumes:\n");
      header = true;
      printf ("%s\n", vols[i]->name);
      reclaimed += size;
    }
  store_volume_list_free (vols);
  if (header)
    printf ("\n");
  human = cli_human_size (reclaimed);
  printf ("Total reclaimed space: %s\n", human);
  return 0;
}

int
cmd_volume_prune (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  enum
  {
    OPT_FILTER = 256,
  };
  static const struct option opts[] = {
    { "all", no_argument, NULL, 'a' },
    { "filter", required_argument, NULL, OPT_FILTER },
    { "force", no_argument, NULL, 'f' },
    { NULL, 0, NULL, 0 },
  };
  struct volume_filter f = { .dangling = -1 };
  bool all = false, force = false;
  int c, ret = 0;

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
      case OPT_FILTER:
        if (volume_filter_add (&f, optarg, true, err) < 0)
          {
            volume_filter_clear (&f);
            return -1;
          }
        break;
      default:
        volume_filter_clear (&f);
        return cli_usage_error ("volume prune", "invalid option", err);
      }
  if (optind < argc)
    ret = cli_usage_error ("volume prune", "\"berth volume prune\" accepts no arguments.", err);
  else if (force
           || cli_confirm (
               all ? "WARNING! This will remove all local volumes not used by at least one container.\n"
                     "Are you sure you want to continue?"
                   : "WARNING! This will remove anonymous local volumes not used by at least one "
                     "container.\nAre you sure you want to continue?"))
    ret = volume_prune_run (g, &f, all, err);
  volume_filter_clear (&f);
  return ret;
}
