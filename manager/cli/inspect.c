/* berth image inspect / inspect, and berth history.  */
#include "config.h"
#include "commands.h"

#include <errno.h>
#include <getopt.h>

#include "util.h"

static const char image_inspect_help[]
    = "Usage: berth image inspect [OPTIONS] IMAGE [IMAGE...]\n\n"
      "Display detailed information on one or more images\n\n"
      "Options:\n"
      "  -f, --format string   Format output using a custom template\n"
      "                        ({{.Id}}, {{.Config.Cmd}}, {{json .RootFS}}, ...)\n";

static const char inspect_help[] = "Usage: berth inspect [OPTIONS] NAME|ID [NAME|ID...]\n\n"
                                   "Return low-level information on berth objects (images)\n\n"
                                   "Options:\n"
                                   "  -f, --format string   Format output using a custom template\n"
                                   "      --type string     Return JSON for specified type (image)\n";

static const char history_help[]
    = "Usage: berth history [OPTIONS] IMAGE\n\n"
      "Show the history of an image\n\n"
      "Aliases:\n  berth image history, berth history\n\n"
      "Options:\n"
      "      --format string   Format output: 'table', 'json' or a template\n"
      "                        ({{.ID}} {{.CreatedSince}} {{.CreatedBy}} {{.Size}} {{.Comment}})\n"
      "  -H, --human           Print sizes and dates in human readable format (default true)\n"
      "      --no-trunc        Don't truncate output\n"
      "  -q, --quiet           Only show image IDs\n";

static void
json_strv (struct strbuf *sb, char **v, bool familiar)
{
  strbuf_addch (sb, '[');
  for (size_t i = 0; v && v[i]; i++)
    {
      cleanup_free char *f = familiar ? cli_name_familiar (v[i]) : xstrdup (v[i]);

      if (i)
        strbuf_addch (sb, ',');
      cli_json_string (sb, f);
    }
  strbuf_addch (sb, ']');
}

static void
json_key (struct strbuf *sb, const char *key)
{
  if (sb->len > 1)
    strbuf_addch (sb, ',');
  cli_json_string (sb, key);
  strbuf_addch (sb, ':');
}

static void
json_kv (struct strbuf *sb, const char *key, const char *value)
{
  json_key (sb, key);
  cli_json_string (sb, value ? value : "");
}

static void
inspect_graph_driver (struct strbuf *sb, struct berth_store *s, const struct store_image *img)
{
  cleanup_strbuf struct strbuf lower = STRBUF_INIT;
  size_t n = strv_len (img->diff_ids);

  for (size_t i = n; i-- > 0;)
    {
      cleanup_free char *p = store_layer_path (s, img->diff_ids[i]);

      if (lower.len)
        strbuf_addch (&lower, ':');
      strbuf_addstr (&lower, p ? p : "");
    }
  json_key (sb, "GraphDriver");
  strbuf_addstr (sb, "{\"Data\":{");
  strbuf_addstr (sb, "\"LowerDir\":");
  cli_json_string (sb, strbuf_str (&lower));
  strbuf_addstr (sb, "},\"Name\":\"overlay\"}");
}

/* Docker's image inspect object.  */
static int
image_inspect_json (struct berth_store *s, const struct store_image *img, char **out, oci_error_t **err)
{
  cleanup_oci_image_config struct oci_image_config *cfg = NULL;
  cleanup_free char *cfg_json = NULL;
  cleanup_strbuf struct strbuf sb = STRBUF_INIT;
  const char *comment = "";

  if (store_image_config (s, img, &cfg, err) < 0
      || oci_image_config_emit (cfg, false, &cfg_json, NULL, err) < 0)
    return -1;
  if (cfg->history_len && cfg->history[cfg->history_len - 1].comment)
    comment = cfg->history[cfg->history_len - 1].comment;
  strbuf_addch (&sb, '{');
  json_kv (&sb, "Id", img->id);
  json_key (&sb, "RepoTags");
  json_strv (&sb, img->names, true);
  json_key (&sb, "RepoDigests");
  json_strv (&sb, img->digests, true);
  json_kv (&sb, "Parent", "");
  json_kv (&sb, "Comment", comment);
  json_kv (&sb, "Created", cfg->created);
  json_kv (&sb, "DockerVersion", "");
  json_kv (&sb, "Author", cfg->author);
  json_key (&sb, "Config");
  if (cli_json_member (cfg_json, "config", &sb, err) < 0)
    return -1;
  json_kv (&sb, "Architecture", cfg->architecture);
  if (cfg->variant)
    json_kv (&sb, "Variant", cfg->variant);
  json_kv (&sb, "Os", cfg->os);
  json_key (&sb, "Size");
  strbuf_addf (&sb, "%lld", (long long) img->size);
  inspect_graph_driver (&sb, s, img);
  json_key (&sb, "RootFS");
  strbuf_addstr (&sb, "{\"Type\":\"layers\",\"Layers\":");
  json_strv (&sb, img->diff_ids, false);
  strbuf_addch (&sb, '}');
  json_key (&sb, "Descriptor");
  strbuf_addstr (&sb, "{\"mediaType\":");
  cli_json_string (&sb, img->manifest_media_type);
  strbuf_addstr (&sb, ",\"digest\":");
  cli_json_string (&sb, img->manifest_digest);
  strbuf_addch (&sb, '}');
  strbuf_addch (&sb, '}');
  *out = strbuf_detach (&sb, NULL);
  return 0;
}

/* Print the objects as a JSON array, or one template line each; names
   not found are reported and give exit status 1.  */
static int
inspect_images (struct berth_globals *g, const char *format, int argc, char **argv, const char *noun,
                oci_error_t **err)
{
  cleanup_strbuf struct strbuf arr = STRBUF_INIT;
  struct berth_store *s;
  int status = 0;
  size_t n = 0;

  if (cli_store (g, &s, err) < 0)
    return -1;
  strbuf_addch (&arr, '[');
  for (int i = 0; i < argc; i++)
    {
      struct store_image *img = NULL;
      cleanup_free char *json = NULL;
      cleanup_error oci_error_t *e = NULL;

      if (cli_image_lookup (s, argv[i], &img, &e) < 0)
        {
          if (e->status != ENOENT)
            {
              *err = steal_pointer (&e);
              return -1;
            }
          fprintf (stderr, "Error: No such %s: %s\n", noun, argv[i]);
          status = 1;
          continue;
        }
      if (image_inspect_json (s, img, &json, err) < 0)
        {
          store_image_free (img);
          return -1;
        }
      store_image_free (img);
      if (format && cli_format_kind (format) != CLI_FORMAT_JSON)
        {
          cleanup_strbuf struct strbuf line = STRBUF_INIT;

          if (cli_template_render (format, json, &line, err) < 0)
            return -1;
          printf ("%s\n", strbuf_str (&line));
          continue;
        }
      if (n++)
        strbuf_addch (&arr, ',');
      strbuf_addstr (&arr, json);
    }
  strbuf_addch (&arr, ']');
  if (format == NULL || cli_format_kind (format) == CLI_FORMAT_JSON)
    {
      cleanup_strbuf struct strbuf pretty = STRBUF_INIT;

      if (cli_json_pretty (strbuf_str (&arr), &pretty, err) < 0)
        return -1;
      printf ("%s\n", strbuf_str (&pretty));
    }
  return status;
}

static int
inspect_common (struct berth_globals *g, int argc, char **argv, const char *help, bool typed,
                oci_error_t **err)
{
  enum
  {
    OPT_TYPE = 256
  };
  static const struct option opts[] = {
    { "format", required_argument, NULL, 'f' },
    { "type", required_argument, NULL, OPT_TYPE },
    { NULL, 0, NULL, 0 },
  };
  const char *format = NULL;
  int c;

  if (cli_wants_help (argc, argv))
    {
      fputs (help, stdout);
      return 0;
    }
  while ((c = getopt_long (argc, argv, "+f:", opts, NULL)) != -1)
    switch (c)
      {
      case 'f':
        format = optarg;
        break;
      case OPT_TYPE:
        if (!typed || !streq (optarg, "image"))
          return oci_error_set (err, EINVAL, "\"%s\" is not a valid value for --type", optarg);
        break;
      default:
        return cli_usage_error (argv[0], "invalid option", err);
      }
  if (optind >= argc)
    return cli_usage_error (argv[0], "\"inspect\" requires at least 1 argument.", err);
  return inspect_images (g, format, argc - optind, argv + optind, typed ? "object" : "image", err);
}

int
cmd_image_inspect (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  return inspect_common (g, argc, argv, image_inspect_help, false, err);
}

int
cmd_inspect (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  return inspect_common (g, argc, argv, inspect_help, true, err);
}

/* --- history --- */

struct history_opts
{
  const char *format;
  bool quiet, no_trunc, human;
};

static char *
history_row_json (const struct history_opts *o, const char *id, const struct oci_image_history *h,
                  int64_t size)
{
  cleanup_strbuf struct strbuf sb = STRBUF_INIT;
  int64_t t = store_parse_time (h->created);
  cleanup_free char *since = o->human ? cli_since (t) : xstrdup (h->created ? h->created : "");
  cleanup_free char *sz = NULL;
  cleanup_free char *by = xstrdup (h->created_by ? h->created_by : "");

  if (o->human)
    sz = cli_human_size (size);
  else
    xasprintf (&sz, "%lld", (long long) size);
  if (!o->no_trunc && strlen (by) > 45)
    strcpy (by + 44, "\xe2\x80\xa6"); /* "…" */
  strbuf_addch (&sb, '{');
  json_kv (&sb, "Comment", h->comment);
  json_kv (&sb, "CreatedAt", h->created);
  json_kv (&sb, "CreatedBy", by);
  json_kv (&sb, "CreatedSince", since);
  json_kv (&sb, "ID", id);
  json_kv (&sb, "Size", sz);
  strbuf_addch (&sb, '}');
  return strbuf_detach (&sb, NULL);
}

static int
history_print (const struct history_opts *o, char **rows, size_t n, oci_error_t **err)
{
  enum cli_format_kind kind = cli_format_kind (o->format);
  static const char *const keys[] = { "ID", "CreatedSince", "CreatedBy", "Size", "Comment" };
  static const char *const hdr[] = { "IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT" };
  struct cli_table t;

  if (kind != CLI_FORMAT_TABLE || o->quiet)
    {
      const char *tmpl = o->quiet ? "{{.ID}}" : o->format;

      for (size_t i = 0; i < n; i++)
        {
          cleanup_strbuf struct strbuf line = STRBUF_INIT;

          if (kind == CLI_FORMAT_JSON && !o->quiet)
            strbuf_addstr (&line, rows[i]);
          else if (cli_template_render (tmpl, rows[i], &line, err) < 0)
            return -1;
          printf ("%s\n", strbuf_str (&line));
        }
      return 0;
    }
  cli_table_init (&t, (const char *const *) hdr, 5);
  for (size_t i = 0; i < n; i++)
    {
      char **cells = xcalloc (5, sizeof (char *));

      for (size_t c = 0; c < 5; c++)
        {
          cleanup_strbuf struct strbuf v = STRBUF_INIT;
          cleanup_free char *tmpl = NULL;

          xasprintf (&tmpl, "{{.%s}}", keys[c]);
          if (cli_template_render (tmpl, rows[i], &v, err) < 0)
            {
              free (cells);
              cli_table_free (&t);
              return -1;
            }
          cells[c] = strbuf_detach (&v, NULL);
        }
      cli_table_add (&t, cells);
    }
  cli_table_print (&t, stdout);
  cli_table_free (&t);
  return 0;
}

static int
history_run (struct berth_globals *g, const struct history_opts *o, const char *ref, oci_error_t **err)
{
  cleanup_oci_image_config struct oci_image_config *cfg = NULL;
  struct berth_store *s;
  struct store_image *img = NULL;
  char **rows = NULL;
  size_t n = 0, layer = 0;
  int ret = -1;

  if (cli_store (g, &s, err) < 0 || cli_image_lookup (s, ref, &img, err) < 0)
    return -1;
  if (store_image_config (s, img, &cfg, err) < 0)
    goto out;
  rows = xcalloc (cfg->history_len + 1, sizeof (char *));
  /* Newest first; the newest entry carries the image id.  */
  for (size_t i = 0; i < cfg->history_len; i++)
    if (!cfg->history[i].empty_layer)
      layer++;
  for (size_t i = cfg->history_len; i-- > 0;)
    {
      const struct oci_image_history *h = &cfg->history[i];
      cleanup_free char *id = NULL;
      int64_t size = 0;

      if (!h->empty_layer && layer > 0 && layer <= strv_len (img->diff_ids))
        size = store_layer_size (s, img->diff_ids[layer - 1]);
      if (!h->empty_layer && layer > 0)
        layer--;
      if (n == 0)
        id = o->no_trunc ? xstrdup (img->id) : cli_short_id (img->id);
      rows[n++] = history_row_json (o, id ? id : "<missing>", h, size);
    }
  ret = history_print (o, rows, n, err);
out:
  for (size_t i = 0; rows && i < n; i++)
    free (rows[i]);
  free (rows);
  store_image_free (img);
  return ret;
}

int
cmd_history (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  enum
  {
    OPT_FORMAT = 256,
    OPT_NO_TRUNC,
  };
  static const struct option opts[] = {
    { "format", required_argument, NULL, OPT_FORMAT },
    { "human", optional_argument, NULL, 'H' },
    { "no-trunc", no_argument, NULL, OPT_NO_TRUNC },
    { "quiet", no_argument, NULL, 'q' },
    { NULL, 0, NULL, 0 },
  };
  struct history_opts o = { .human = true };
  int c;

  if (cli_wants_help (argc, argv))
    {
      fputs (history_help, stdout);
      return 0;
    }
  while ((c = getopt_long (argc, argv, "+H::q", opts, NULL)) != -1)
    switch (c)
      {
      case OPT_FORMAT:
        o.format = optarg;
        break;
      case 'H':
        o.human = optarg == NULL || streq (optarg, "true") || streq (optarg, "1");
        break;
      case OPT_NO_TRUNC:
        o.no_trunc = true;
        break;
      case 'q':
        o.quiet = true;
        break;
      default:
        return cli_usage_error ("history", "invalid option", err);
      }
  if (argc - optind != 1)
    return cli_usage_error ("history", "\"berth history\" requires exactly 1 argument.", err);
  return history_run (g, &o, argv[optind], err);
}
