/* berth ps / container ls: one row per container, docker's columns,
   filters and --format.  */
#include "config.h"
#include "commands.h"

#include <errno.h>
#include <getopt.h>
#include <regex.h>
#include <stdlib.h>
#include <yajl/yajl_tree.h>

#include "manager/container/control.h"
#include "manager/container/state.h"
#include "manager/store/networks.h"
#include "util.h"

static const char ps_help[]
    = "Usage: berth ps [OPTIONS]\n\n"
      "List containers\n\n"
      "Aliases:\n  berth container ls, berth container list, berth container ps, berth ps\n\n"
      "Options:\n"
      "  -a, --all             Show all containers (default shows just running)\n"
      "  -f, --filter filter   Filter output based on conditions provided (id=, name=REGEX, label=,\n"
      "                        label!=, status=, exited=, ancestor=)\n"
      "      --format string   Format output: 'table', 'json' or a template ({{.ID}} {{.Image}}\n"
      "                        {{.Command}} {{.CreatedAt}} {{.RunningFor}} {{.Ports}} {{.State}}\n"
      "                        {{.Status}} {{.Size}} {{.Names}} {{.Labels}} {{.Mounts}} {{.Networks}})\n"
      "  -n, --last int        Show n last created containers (includes all states) (default -1)\n"
      "  -l, --latest          Show the latest created container (includes all states)\n"
      "      --no-trunc        Don't truncate output\n"
      "  -q, --quiet           Only display container IDs\n"
      "  -s, --size            Display total file sizes\n";

struct ps_filter
{
  char **ids, **names, **labels, **not_labels, **statuses, **exited, **ancestors;
};

struct ps_opts
{
  bool all, quiet, size, no_trunc;
  long last;
  const char *format;
  struct ps_filter f;
};

static void
strv_push (char ***v, const char *s)
{
  size_t n = strv_len (*v);

  *v = xreallocarray (*v, n + 2, sizeof (char *));
  (*v)[n] = xstrdup (s);
  (*v)[n + 1] = NULL;
}

static void
ps_filter_free (struct ps_filter *f)
{
  strv_free (f->ids);
  strv_free (f->names);
  strv_free (f->labels);
  strv_free (f->not_labels);
  strv_free (f->statuses);
  strv_free (f->exited);
  strv_free (f->ancestors);
}

static int
ps_filter_add (struct ps_filter *f, const char *arg, oci_error_t **err)
{
  static const char *const statuses[]
      = { "created", "restarting", "running", "removing", "paused", "exited", "dead", NULL };
  const char *eq = strchr (arg, '=');
  cleanup_free char *key = eq ? xstrndup (arg, eq - arg) : NULL;
  const char *v = eq ? eq + 1 : NULL;

  if (key == NULL)
    return oci_error_set (err, EINVAL, "bad format of filter (expected name=value)");
  if (streq (key, "id"))
    strv_push (&f->ids, v);
  else if (streq (key, "name"))
    {
      regex_t re;

      if (regcomp (&re, v[0] == '/' ? v + 1 : v, REG_EXTENDED | REG_NOSUB) != 0)
        return oci_error_set (err, EINVAL, "invalid filter 'name=%s': not a regular expression", v);
      regfree (&re);
      strv_push (&f->names, v[0] == '/' ? v + 1 : v);
    }
  else if (streq (key, "label"))
    strv_push (&f->labels, v);
  else if (streq (key, "label!"))
    strv_push (&f->not_labels, v);
  else if (streq (key, "status"))
    {
      if (!oci_strv_contains (statuses, v))
        return oci_error_set (err, EINVAL, "invalid filter 'status=%s'", v);
      strv_push (&f->statuses, v);
    }
  else if (streq (key, "exited"))
    {
      char *end;

      strtol (v, &end, 10);
      if (*v == '\0' || *end)
        return oci_error_set (err, EINVAL, "invalid filter 'exited=%s'", v);
      strv_push (&f->exited, v);
    }
  else if (streq (key, "ancestor"))
    strv_push (&f->ancestors, v);
  else
    return oci_error_set (err, EINVAL, "invalid filter '%s'", key);
  return 0;
}

/* Any of the values matches (docker: values of one key are ORed).  */
static bool
any_prefix (char *const *v, const char *s)
{
  for (size_t i = 0; v && v[i]; i++)
    if (has_prefix (s, v[i]))
      return true;
  return v == NULL;
}

/* name=: a regular expression, as docker's (unanchored).  */
static bool
any_regex (char *const *v, const char *s)
{
  for (size_t i = 0; v && v[i]; i++)
    {
      regex_t re;
      bool match;

      if (regcomp (&re, v[i], REG_EXTENDED | REG_NOSUB) != 0)
        continue;
      match = regexec (&re, s, 0, NULL, 0) == 0;
      regfree (&re);
      if (match)
        return true;
    }
  return v == NULL;
}

static bool
ancestor_matches (struct berth_store *s, char *const *ancestors, const struct store_container *c)
{
  for (size_t i = 0; ancestors && ancestors[i]; i++)
    {
      cleanup_error oci_error_t *e = NULL;
      struct store_image *img = NULL;
      bool match;

      if (streq (ancestors[i], c->image_name))
        return true;
      if (cli_image_lookup (s, ancestors[i], &img, &e) < 0)
        continue;
      match = streq (img->id, c->image_id);
      store_image_free (img);
      if (match)
        return true;
    }
  return ancestors == NULL;
}

static bool
ps_selected (struct berth_store *s, const struct ps_opts *o, const struct store_container *c,
             const struct container_state *st)
{
  const struct ps_filter *f = &o->f;
  const char *status = container_status_name (st->status);

  if (!any_prefix (f->ids, c->id) || !any_regex (f->names, c->name))
    return false;
  if (f->statuses && !oci_strv_contains ((const char *const *) f->statuses, status))
    return false;
  if (f->exited)
    {
      char code[16];

      snprintf (code, sizeof code, "%d", st->exit_code);
      if (st->status != CONTAINER_EXITED || !oci_strv_contains ((const char *const *) f->exited, code))
        return false;
    }
  if (!container_labels_match (c, f->labels, f->not_labels))
    return false;
  return ancestor_matches (s, f->ancestors, c);
}

/* Docker's Ellipsis (20 runes) then strconv.Quote.  */
static char *
ps_command (const char *command, bool no_trunc)
{
  cleanup_strbuf struct strbuf sb = STRBUF_INIT;
  cleanup_free char *cmd = xstrdup (command ? command : "");
  size_t runes = 0;
  char *p;

  if (!no_trunc)
    {
      for (p = cmd; *p; p++)
        if ((*p & 0xc0) != 0x80 && ++runes == 20)
          break;
      if (runes == 20)
        {
          char *next = p + 1;

          while ((*next & 0xc0) == 0x80)
            next++;
          if (*next)
            strcpy (p, "\xe2\x80\xa6");
        }
    }
  cli_json_string (&sb, cmd);
  return strbuf_detach (&sb, NULL);
}

static char *
labels_string (const struct store_container *c)
{
  static const char *const path[] = { "Config", "Labels", NULL };
  yajl_val root = c->record ? yajl_tree_parse (c->record, NULL, 0) : NULL;
  yajl_val l = root ? yajl_tree_get (root, (const char **) path, yajl_t_object) : NULL;
  cleanup_strbuf struct strbuf sb = STRBUF_INIT;

  for (size_t i = 0; l && i < l->u.object.len; i++)
    {
      yajl_val v = l->u.object.values[i];

      if (sb.len)
        strbuf_addch (&sb, ',');
      strbuf_addf (&sb, "%s=%s", l->u.object.keys[i], YAJL_IS_STRING (v) ? v->u.string : "");
    }
  if (root)
    yajl_tree_free (root);
  return strbuf_detach (&sb, NULL);
}

/* Mounts: the volume names (or host sources of binds), comma separated.  */
static char *
mounts_string (const struct store_container *c)
{
  static const char *const path[] = { "Mounts", NULL };
  yajl_val root = c->record ? yajl_tree_parse (c->record, NULL, 0) : NULL;
  yajl_val m = root ? yajl_tree_get (root, (const char **) path, yajl_t_array) : NULL;
  cleanup_strbuf struct strbuf sb = STRBUF_INIT;

  for (size_t i = 0; m && i < m->u.array.len; i++)
    {
      static const char *const name_path[] = { "Name", NULL };
      static const char *const src_path[] = { "Source", NULL };
      yajl_val n = yajl_tree_get (m->u.array.values[i], (const char **) name_path, yajl_t_string);
      yajl_val src = yajl_tree_get (m->u.array.values[i], (const char **) src_path, yajl_t_string);
      const char *v = n && *n->u.string ? n->u.string : src ? src->u.string : "";

      if (sb.len)
        strbuf_addch (&sb, ',');
      if (!n && strlen (v) > 15)
        strbuf_addf (&sb, "%.14s\xe2\x80\xa6", v);
      else
        strbuf_addstr (&sb, v);
    }
  if (root)
    yajl_tree_free (root);
  return strbuf_detach (&sb, NULL);
}

static char *
networks_string (const struct store_container *c)
{
  static const char *const path[] = { "HostConfig", "NetworkMode", NULL };
  cleanup_free char *mode = container_record_string (c, path);

  if (mode == NULL || *mode == '\0' || streq (mode, "default"))
    return xstrdup ("bridge");
  if (has_prefix (mode, "container:"))
    return xstrdup ("");
  return steal_pointer (&mode);
}

/* docker's PORTS: "0.0.0.0:8080->80/tcp, 127.0.0.1:5353->53/udp", for a
   running container.  */
static char *
ports_string (struct berth_store *s, const struct store_container *c, const struct container_state *st)
{
  struct strbuf sb = STRBUF_INIT;
  struct store_port **ports = NULL;
  cleanup_error oci_error_t *e = NULL;

  if ((st->status != CONTAINER_RUNNING && st->status != CONTAINER_PAUSED)
      || store_port_list (s, c->id, &ports, &e) < 0)
    return strbuf_detach (&sb, NULL);
  for (size_t i = 0; ports[i]; i++)
    strbuf_addf (&sb, "%s%s:%d->%d/%s", i ? ", " : "", ports[i]->host_ip, ports[i]->host_port,
                 ports[i]->container_port, ports[i]->proto);
  store_port_list_free (ports);
  return strbuf_detach (&sb, NULL);
}

static char *
size_string (struct berth_store *s, const struct store_container *c, bool wanted)
{
  cleanup_free char *cdir = store_container_dir (s, c->id);
  cleanup_free char *upper = NULL, *rw = NULL, *virt = NULL;
  struct store_image *img = NULL;
  cleanup_error oci_error_t *e = NULL;
  int64_t rw_size, image_size = 0;
  char *out;

  if (!wanted)
    return xstrdup ("0B");
  xasprintf (&upper, "%s/upper", cdir);
  rw_size = container_dir_size (upper);
  if (cli_image_lookup (s, c->image_id, &img, &e) == 0)
    {
      image_size = img->size;
      store_image_free (img);
    }
  rw = cli_human_size (rw_size);
  virt = cli_human_size (rw_size + image_size);
  xasprintf (&out, "%s (virtual %s)", rw, virt);
  return out;
}

static void
json_kv (struct strbuf *sb, const char *key, const char *value)
{
  if (sb->len > 1)
    strbuf_addch (sb, ',');
  cli_json_string (sb, key);
  strbuf_addch (sb, ':');
  cli_json_string (sb, value ? value : "");
}

/* One row as docker's `ps --format json` object.  */
static char *
ps_row_json (struct berth_store *s, const struct ps_opts *o, const struct store_container *c,
             const struct container_state *st)
{
  cleanup_strbuf struct strbuf sb = STRBUF_INIT;
  cleanup_free char *id = o->no_trunc ? xstrdup (c->id) : cli_short_id (c->id);
  cleanup_free char *command = ps_command (c->command, o->no_trunc);
  cleanup_free char *created = cli_time_string (c->created_ns / 1000000000);
  cleanup_free char *running_for = cli_since (c->created_ns / 1000000000);
  cleanup_free char *status = container_status_human (st);
  cleanup_free char *size = size_string (s, c, o->size);
  cleanup_free char *labels = labels_string (c);
  cleanup_free char *mounts = mounts_string (c);
  cleanup_free char *networks = networks_string (c);
  cleanup_free char *ports = ports_string (s, c, st);
  char volumes[16];

  snprintf (volumes, sizeof volumes, "%zu", strv_len (c->volumes));
  strbuf_addch (&sb, '{');
  json_kv (&sb, "Command", command);
  json_kv (&sb, "CreatedAt", created);
  json_kv (&sb, "ID", id);
  json_kv (&sb, "Image", c->image_name);
  json_kv (&sb, "Labels", labels);
  json_kv (&sb, "LocalVolumes", volumes);
  json_kv (&sb, "Mounts", mounts);
  json_kv (&sb, "Names", c->name);
  json_kv (&sb, "Networks", networks);
  json_kv (&sb, "Ports", ports);
  json_kv (&sb, "RunningFor", running_for);
  json_kv (&sb, "Size", size);
  json_kv (&sb, "State", container_status_name (st->status));
  json_kv (&sb, "Status", status);
  strbuf_addch (&sb, '}');
  return strbuf_detach (&sb, NULL);
}

static int
render_cells (const char *json, const char *const *keys, size_t n, char ***out, oci_error_t **err)
{
  char **cells = xcalloc (n, sizeof (char *));

  for (size_t c = 0; c < n; c++)
    {
      cleanup_strbuf struct strbuf v = STRBUF_INIT;
      cleanup_free char *tmpl = NULL;

      xasprintf (&tmpl, "{{.%s}}", keys[c]);
      if (cli_template_render (tmpl, json, &v, err) < 0)
        {
          for (size_t i = 0; i < c; i++)
            free (cells[i]);
          free (cells);
          return -1;
        }
      cells[c] = strbuf_detach (&v, NULL);
    }
  *out = cells;
  return 0;
}

/* Display width: code points (the … of truncated commands is one).  */
static size_t
utf8_width (const char *s)
{
  size_t n = 0;

  for (; *s; s++)
    if ((*s & 0xc0) != 0x80)
      n++;
  return n;
}

static void
table_print (char ***rows, size_t nrows, size_t ncols)
{
  cleanup_free size_t *w = xcalloc (ncols, sizeof (size_t));

  for (size_t r = 0; r < nrows; r++)
    for (size_t c = 0; c < ncols; c++)
      if (utf8_width (rows[r][c]) > w[c])
        w[c] = utf8_width (rows[r][c]);
  for (size_t r = 0; r < nrows; r++)
    for (size_t c = 0; c < ncols; c++)
      {
        fputs (rows[r][c], stdout);
        if (c + 1 == ncols)
          putchar ('\n');
        else
          printf ("%*s", (int) (w[c] - utf8_width (rows[r][c]) + 3), "");
      }
}

static int
ps_print_table (const struct ps_opts *o, char **rows, size_t n, oci_error_t **err)
{
  static const char *const keys[]
      = { "ID", "Image", "Command", "RunningFor", "Status", "Ports", "Names", "Size" };
  static const char *const hdr[]
      = { "CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES", "SIZE" };
  size_t ncols = o->size ? 8 : 7;
  char ***table = xcalloc (n + 1, sizeof (char **));
  size_t filled = 1;
  int ret = 0;

  table[0] = (char **) hdr;
  for (size_t i = 0; i < n; i++, filled++)
    if (render_cells (rows[i], keys, ncols, &table[i + 1], err) < 0)
      {
        ret = -1;
        break;
      }
  if (ret == 0)
    table_print (table, n + 1, ncols);
  for (size_t r = 1; r < filled; r++)
    {
      for (size_t c = 0; c < ncols; c++)
        free (table[r][c]);
      free (table[r]);
    }
  free (table);
  return ret;
}

static int
ps_print (const struct ps_opts *o, char **rows, char **ids, size_t n, oci_error_t **err)
{
  enum cli_format_kind kind = cli_format_kind (o->format);

  if (o->quiet)
    {
      for (size_t i = 0; i < n; i++)
        printf ("%s\n", ids[i]);
      return 0;
    }
  if (kind == CLI_FORMAT_TABLE)
    return ps_print_table (o, rows, n, err);
  if (kind == CLI_FORMAT_TEMPLATE)
    {
      static const char probe[]
          = "{\"Command\":\"\",\"CreatedAt\":\"\",\"ID\":\"\",\"Image\":\"\",\"Labels\":\"\","
            "\"LocalVolumes\":\"\",\"Mounts\":\"\",\"Names\":\"\",\"Networks\":\"\","
            "\"Ports\":\"\",\"RunningFor\":\"\",\"Size\":\"\",\"State\":\"\",\"Status\":\"\"}";
      cleanup_strbuf struct strbuf ignored = STRBUF_INIT;

      if (cli_template_render (o->format, probe, &ignored, err) < 0)
        return -1;
      if (has_prefix (o->format, "table "))
        {
          cleanup_strbuf struct strbuf h = STRBUF_INIT;

          cli_template_header (o->format, &h);
          printf ("%s\n", strbuf_str (&h));
        }
    }
  for (size_t i = 0; i < n; i++)
    {
      cleanup_strbuf struct strbuf line = STRBUF_INIT;

      if (kind == CLI_FORMAT_JSON)
        strbuf_addstr (&line, rows[i]);
      else if (cli_template_render (o->format, rows[i], &line, err) < 0)
        return -1;
      printf ("%s\n", strbuf_str (&line));
    }
  return 0;
}

static int
ps_run (struct berth_globals *g, const struct ps_opts *o, oci_error_t **err)
{
  struct store_container **list = NULL;
  struct berth_store *s;
  char **rows = NULL, **ids = NULL;
  size_t n = 0, total;
  bool all = o->all || o->last > 0 || o->f.statuses;
  int ret;

  if (cli_store (g, &s, err) < 0 || store_container_list (s, &list, err) < 0)
    return -1;
  total = list ? strv_len ((char **) list) : 0;
  rows = xcalloc (total + 1, sizeof (char *));
  ids = xcalloc (total + 1, sizeof (char *));
  for (size_t i = 0; i < total && (o->last <= 0 || (long) n < o->last); i++)
    {
      cleanup_free char *cdir = store_container_dir (s, list[i]->id);
      cleanup_error oci_error_t *e = NULL;
      struct container_state st;

      if (container_state_read (cdir, &st, &e) < 0)
        continue;
      if (!all && st.status != CONTAINER_RUNNING && st.status != CONTAINER_PAUSED
          && st.status != CONTAINER_RESTARTING)
        continue;
      if (!ps_selected (s, o, list[i], &st))
        continue;
      ids[n] = o->no_trunc ? xstrdup (list[i]->id) : cli_short_id (list[i]->id);
      rows[n++] = o->quiet ? NULL : ps_row_json (s, o, list[i], &st);
    }
  store_container_list_free (list);
  ret = ps_print (o, rows, ids, n, err);
  for (size_t i = 0; i < n; i++)
    {
      free (rows[i]);
      free (ids[i]);
    }
  free (rows);
  free (ids);
  return ret;
}

static int
parse_last (const char *arg, long *out, oci_error_t **err)
{
  char *end;

  errno = 0;
  *out = strtol (arg, &end, 10);
  if (errno || *end || end == arg)
    return oci_error_set (
        err, EINVAL,
        "invalid argument \"%s\" for \"-n, --last\" flag: strconv.ParseInt: parsing \"%s\": "
        "invalid syntax",
        arg, arg);
  return 0;
}

int
cmd_ps (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  enum
  {
    OPT_FORMAT = 256,
    OPT_NO_TRUNC,
  };
  static const struct option opts[] = {
    { "all", no_argument, NULL, 'a' },
    { "filter", required_argument, NULL, 'f' },
    { "format", required_argument, NULL, OPT_FORMAT },
    { "last", required_argument, NULL, 'n' },
    { "latest", no_argument, NULL, 'l' },
    { "no-trunc", no_argument, NULL, OPT_NO_TRUNC },
    { "quiet", no_argument, NULL, 'q' },
    { "size", no_argument, NULL, 's' },
    { NULL, 0, NULL, 0 },
  };
  struct ps_opts o = { .last = -1 };
  int c, ret = -1;

  if (cli_wants_help (argc, argv))
    {
      fputs (ps_help, stdout);
      return 0;
    }
  while ((c = getopt_long (argc, argv, "+af:n:lqs", opts, NULL)) != -1)
    {
      switch (c)
        {
        case 'a':
          o.all = true;
          break;
        case 'f':
          if (ps_filter_add (&o.f, optarg, err) < 0)
            goto out;
          break;
        case OPT_FORMAT:
          o.format = optarg;
          break;
        case 'n':
          if (parse_last (optarg, &o.last, err) < 0)
            goto out;
          break;
        case 'l':
          o.last = 1;
          break;
        case OPT_NO_TRUNC:
          o.no_trunc = true;
          break;
        case 'q':
          o.quiet = true;
          break;
        case 's':
          o.size = true;
          break;
        default:
          cli_usage_error ("ps", "invalid option", err);
          goto out;
        }
    }
  if (optind < argc)
    {
      cli_usage_error ("ps", "\"berth ps\" accepts no arguments.", err);
      goto out;
    }
  ret = ps_run (g, &o, err);
out:
  ps_filter_free (&o.f);
  return ret;
}
