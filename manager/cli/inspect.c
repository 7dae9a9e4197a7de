/* berth inspect (containers, then images, volumes, networks), image inspect,
   container inspect, and berth history.  */
#include "config.h"
#include "commands.h"

#include <errno.h>
#include <getopt.h>
#include <time.h>

#include "fileutil.h"
#include "manager/container/control.h"
#include "manager/container/monitor_proto.h"
#include "manager/container/record.h"
#include "manager/container/state.h"
#include "manager/network/setup.h"
#include "manager/store/volumes.h"
#include "util.h"

static const char image_inspect_help[]
    = "Usage: berth image inspect [OPTIONS] IMAGE [IMAGE...]\n\n"
      "Display detailed information on one or more images\n\n"
      "Options:\n"
      "  -f, --format string   Format output using a custom template\n"
      "                        ({{.Id}}, {{.Config.Cmd}}, {{json .RootFS}}, ...)\n";

static const char inspect_help[]
    = "Usage: berth inspect [OPTIONS] NAME|ID [NAME|ID...]\n\n"
      "Return low-level information on berth objects (containers, images, volumes, networks)\n\n"
      "Options:\n"
      "  -f, --format string   Format output using a custom template\n"
      "                        ({{.State.Status}}, {{.Config.Cmd}}, {{json .Mounts}}, ...)\n"
      "  -s, --size            Display total file sizes if the type is container\n"
      "      --type string     Return JSON for specified type (container, image, volume, network)\n";

static const char container_inspect_help[]
    = "Usage: berth container inspect [OPTIONS] CONTAINER [CONTAINER...]\n\n"
      "Display detailed information on one or more containers\n\n"
      "Options:\n"
      "  -f, --format string   Format output using a custom template\n"
      "                        ({{.State.Status}}, {{.Config.Cmd}}, {{json .Mounts}}, ...)\n"
      "  -s, --size            Display total file sizes\n";

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

/* --- containers and volumes --- */

static void
json_raw (struct strbuf *sb, const char *key, const char *json)
{
  json_key (sb, key);
  strbuf_addstr (sb, json);
}

static void
json_int (struct strbuf *sb, const char *key, long long v)
{
  json_key (sb, key);
  strbuf_addf (sb, "%lld", v);
}

static void
json_bool (struct strbuf *sb, const char *key, bool v)
{
  json_key (sb, key);
  strbuf_addstr (sb, v ? "true" : "false");
}

/* A member of the create.json record; null becomes EMPTY.  */
static int
record_member (struct strbuf *sb, const char *key, const char *record, const char *empty, oci_error_t **err)
{
  cleanup_strbuf struct strbuf v = STRBUF_INIT;

  if (cli_json_member (record ? record : "{}", key, &v, err) < 0)
    return -1;
  json_raw (sb, key, streq (strbuf_str (&v), "null") ? empty : strbuf_str (&v));
  return 0;
}

static void
json_time (struct strbuf *sb, const char *key, int64_t ns)
{
  cleanup_free char *t = container_time_rfc3339 (ns);

  json_kv (sb, key, t);
}

static void
container_health (struct strbuf *sb, const char *cdir, const struct container_state *st)
{
  cleanup_free char *path = NULL, *data = NULL;
  cleanup_error oci_error_t *e = NULL;
  cleanup_strbuf struct strbuf check = STRBUF_INIT;
  size_t len;

  xasprintf (&path, "%s/%s", cdir, MONITOR_HEALTH_FILE);
  if (read_file_max (path, 1 << 20, &data, &len, &e) == 0 && cli_json_pretty (data, &check, &e) == 0)
    {
      json_raw (sb, "Health", data);
      return;
    }
  if (st->health[0] == '\0')
    return;
  json_key (sb, "Health");
  strbuf_addstr (sb, "{\"Status\":");
  cli_json_string (sb, st->health);
  strbuf_addf (sb, ",\"FailingStreak\":%d,\"Log\":[]}", st->health_failing_streak);
}

static void
container_state_json (struct strbuf *sb, const char *cdir, const struct container_state *st)
{
  cleanup_strbuf struct strbuf o = STRBUF_INIT;
  bool up = st->status == CONTAINER_RUNNING || st->status == CONTAINER_PAUSED;

  strbuf_addch (&o, '{');
  json_kv (&o, "Status", container_status_name (st->status));
  json_bool (&o, "Running", up || st->status == CONTAINER_RESTARTING);
  json_bool (&o, "Paused", st->status == CONTAINER_PAUSED);
  json_bool (&o, "Restarting", st->status == CONTAINER_RESTARTING);
  json_bool (&o, "OOMKilled", st->oom_killed);
  json_bool (&o, "Dead", st->status == CONTAINER_DEAD);
  json_int (&o, "Pid", up ? st->pid : 0);
  json_int (&o, "ExitCode", st->exit_code);
  json_kv (&o, "Error", "");
  json_time (&o, "StartedAt", st->started_ns);
  json_time (&o, "FinishedAt", st->finished_ns);
  container_health (&o, cdir, st);
  strbuf_addch (&o, '}');
  json_raw (sb, "State", strbuf_str (&o));
}

static void
container_graph_driver (struct strbuf *sb, struct berth_store *s, const struct store_container *c,
                        const char *cdir)
{
  cleanup_strbuf struct strbuf lower = STRBUF_INIT;
  cleanup_error oci_error_t *e = NULL;
  struct store_image *img = NULL;
  static const char *const dirs[][2]
      = { { "MergedDir", "merged" }, { "UpperDir", "upper" }, { "WorkDir", "work" } };

  if (cli_image_lookup (s, c->image_id, &img, &e) == 0)
    {
      for (size_t i = strv_len (img->diff_ids); i-- > 0;)
        {
          cleanup_free char *p = store_layer_path (s, img->diff_ids[i]);

          if (lower.len)
            strbuf_addch (&lower, ':');
          strbuf_addstr (&lower, p ? p : "");
        }
      store_image_free (img);
    }
  json_key (sb, "GraphDriver");
  strbuf_addstr (sb, "{\"Data\":{\"LowerDir\":");
  cli_json_string (sb, strbuf_str (&lower));
  for (size_t i = 0; i < ARRAY_SIZE (dirs); i++)
    {
      cleanup_free char *p = NULL;

      xasprintf (&p, "%s/%s", cdir, dirs[i][1]);
      strbuf_addf (sb, ",\"%s\":", dirs[i][0]);
      cli_json_string (sb, p);
    }
  strbuf_addstr (sb, "},\"Name\":\"overlay\"}");
}

static void
container_paths (struct strbuf *sb, const char *cdir)
{
  static const char *const files[][2] = { { "ResolvConfPath", "resolv.conf" },
                                          { "HostnamePath", "hostname" },
                                          { "HostsPath", "hosts" },
                                          { "LogPath", MONITOR_LOG_FILE } };

  for (size_t i = 0; i < ARRAY_SIZE (files); i++)
    {
      cleanup_free char *p = NULL;

      xasprintf (&p, "%s/%s", cdir, files[i][1]);
      json_kv (sb, files[i][0], p);
    }
}

static void
container_sizes (struct strbuf *sb, struct berth_store *s, const struct store_container *c, const char *cdir)
{
  cleanup_free char *upper = NULL;
  cleanup_error oci_error_t *e = NULL;
  struct store_image *img = NULL;
  int64_t rw, image = 0;

  xasprintf (&upper, "%s/upper", cdir);
  rw = container_dir_size (upper);
  if (cli_image_lookup (s, c->image_id, &img, &e) == 0)
    {
      image = img->size;
      store_image_free (img);
    }
  json_int (sb, "SizeRw", rw);
  json_int (sb, "SizeRootFs", rw + image);
}

/* Docker's container inspect object.  */
/* HostConfig of the record with docker's PortBindings map (the record
   keeps the -p flags as a list at its top level).  */
static int
container_host_config (struct strbuf *sb, const struct store_container *c, oci_error_t **err)
{
  cleanup_container_record struct container_record *r = NULL;
  cleanup_strbuf struct strbuf v = STRBUF_INIT;
  cleanup_free char *bindings = NULL;
  const char *hc;

  if (cli_json_member (c->record, "HostConfig", &v, err) < 0
      || container_record_parse (c->record, strlen (c->record), "create.json", &r, err) < 0)
    return -1;
  hc = strbuf_str (&v);
  if (streq (hc, "null"))
    hc = "{}";
  bindings = container_record_port_bindings_json (r);
  json_key (sb, "HostConfig");
  strbuf_addstr (sb, "{\"PortBindings\":");
  strbuf_addstr (sb, bindings);
  if (hc[1] != '}')
    strbuf_addch (sb, ',');
  strbuf_addstr (sb, hc + 1);
  return 0;
}

static int
container_inspect_json (struct berth_globals *g, struct berth_store *s, const struct store_container *c,
                        bool size, char **out, oci_error_t **err)
{
  cleanup_free char *net = NULL;
  cleanup_strbuf struct strbuf sb = STRBUF_INIT;
  cleanup_free char *cdir = store_container_dir (s, c->id);
  cleanup_free char *name = NULL;
  struct container_state st;

  if (container_state_read (cdir, &st, err) < 0)
    return -1;
  xasprintf (&name, "/%s", c->name);
  strbuf_addch (&sb, '{');
  json_kv (&sb, "Id", c->id);
  json_time (&sb, "Created", c->created_ns);
  if (record_member (&sb, "Path", c->record, "\"\"", err) < 0
      || record_member (&sb, "Args", c->record, "[]", err) < 0)
    return -1;
  container_state_json (&sb, cdir, &st);
  json_kv (&sb, "Image", c->image_id);
  container_paths (&sb, cdir);
  json_kv (&sb, "Name", name);
  json_int (&sb, "RestartCount", st.restart_count);
  json_kv (&sb, "Driver", "overlay");
  json_kv (&sb, "Platform", "linux");
  json_kv (&sb, "MountLabel", "");
  json_kv (&sb, "ProcessLabel", "");
  json_kv (&sb, "AppArmorProfile", "");
  json_raw (&sb, "ExecIDs", "null");
  if (container_host_config (&sb, c, err) < 0)
    return -1;
  container_graph_driver (&sb, s, c, cdir);
  if (size)
    container_sizes (&sb, s, c, cdir);
  if (record_member (&sb, "Mounts", c->record, "[]", err) < 0
      || record_member (&sb, "Config", c->record, "{}", err) < 0)
    return -1;
  net = network_settings_json (g, c);
  json_raw (&sb, "NetworkSettings", net);
  strbuf_addch (&sb, '}');
  *out = strbuf_detach (&sb, NULL);
  return 0;
}

static void
json_kv_map (struct strbuf *sb, const char *key, char **kv)
{
  json_key (sb, key);
  if (kv == NULL || kv[0] == NULL)
    strbuf_addstr (sb, "null");
  else
    cli_json_kv_object (sb, kv);
}

/* Docker's volume inspect object.  */
static char *
volume_inspect_json (struct berth_store *s, const struct store_volume *v)
{
  cleanup_strbuf struct strbuf sb = STRBUF_INIT;
  cleanup_free char *path = store_volume_path (s, v->name);
  time_t t = (time_t) v->created;
  char created[64];
  struct tm tm;

  gmtime_r (&t, &tm);
  strftime (created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tm);
  strbuf_addch (&sb, '{');
  json_kv (&sb, "CreatedAt", created);
  json_kv (&sb, "Driver", v->driver ? v->driver : "local");
  json_kv_map (&sb, "Labels", v->labels);
  json_kv (&sb, "Mountpoint", path);
  json_kv (&sb, "Name", v->name);
  json_kv_map (&sb, "Options", v->options);
  json_kv (&sb, "Scope", "local");
  strbuf_addch (&sb, '}');
  return strbuf_detach (&sb, NULL);
}

/* --- lookup by type --- */

enum inspect_type
{
  INSPECT_CONTAINER = 1,
  INSPECT_IMAGE = 2,
  INSPECT_VOLUME = 4,
  INSPECT_NETWORK = 8,
  INSPECT_ANY = 15,
};

struct inspect_opts
{
  struct berth_globals *g;
  const char *format;
  unsigned types;
  bool size;
};

/* The JSON of REF; 1 when not found as any allowed type.  */
static int
inspect_lookup (struct berth_store *s, const struct inspect_opts *o, const char *ref, char **json,
                oci_error_t **err)
{
  cleanup_error oci_error_t *e = NULL;

  if (o->types & INSPECT_CONTAINER)
    {
      struct store_container *c = NULL;
      int r;

      if (store_container_lookup (s, ref, &c, &e) == 0)
        {
          r = container_inspect_json (o->g, s, c, o->size, json, err);
          store_container_free (c);
          return r;
        }
      if (e->status != ENOENT)
        {
          *err = steal_pointer (&e);
          return -1;
        }
      oci_error_free (&e);
    }
  if (o->types & INSPECT_IMAGE)
    {
      struct store_image *img = NULL;
      int r;

      if (cli_image_lookup (s, ref, &img, &e) == 0)
        {
          r = image_inspect_json (s, img, json, err);
          store_image_free (img);
          return r;
        }
      if (e->status != ENOENT && o->types == INSPECT_IMAGE)
        {
          *err = steal_pointer (&e);
          return -1;
        }
      oci_error_free (&e);
    }
  if (o->types & INSPECT_VOLUME)
    {
      struct store_volume *v = NULL;

      if (store_volume_lookup (s, ref, &v, &e) == 0)
        {
          *json = volume_inspect_json (s, v);
          store_volume_free (v);
          return 0;
        }
      oci_error_free (&e);
    }
  if ((o->types & INSPECT_NETWORK) && network_inspect_lookup (s, ref, json, &e) == 0)
    return 0;
  return 1;
}

static const char *
inspect_noun (unsigned types)
{
  switch (types)
    {
    case INSPECT_CONTAINER:
      return "container";
    case INSPECT_IMAGE:
      return "image";
    case INSPECT_VOLUME:
      return "volume";
    case INSPECT_NETWORK:
      return "network";
    default:
      return "object";
    }
}

/* Print the objects as a JSON array, or one template line each; names
   not found are reported and give exit status 1.  */
static int
inspect_objects (struct berth_globals *g, const struct inspect_opts *o, int argc, char **argv,
                 oci_error_t **err)
{
  cleanup_strbuf struct strbuf arr = STRBUF_INIT;
  bool as_json = o->format == NULL || cli_format_kind (o->format) == CLI_FORMAT_JSON;
  struct berth_store *s;
  int status = 0, r;
  size_t n = 0;

  if (cli_store (g, &s, err) < 0)
    return -1;
  strbuf_addch (&arr, '[');
  for (int i = 0; i < argc; i++)
    {
      cleanup_free char *json = NULL;

      if ((r = inspect_lookup (s, o, argv[i], &json, err)) < 0)
        return -1;
      if (r == 1)
        {
          fprintf (stderr, "Error: No such %s: %s\n", inspect_noun (o->types), argv[i]);
          status = 1;
          continue;
        }
      if (!as_json)
        {
          cleanup_strbuf struct strbuf line = STRBUF_INIT;

          if (cli_template_render (o->format, json, &line, err) < 0)
            return -1;
          printf ("%s\n", strbuf_str (&line));
          continue;
        }
      if (n++)
        strbuf_addch (&arr, ',');
      strbuf_addstr (&arr, json);
    }
  strbuf_addch (&arr, ']');
  if (as_json)
    {
      cleanup_strbuf struct strbuf pretty = STRBUF_INIT;

      if (cli_json_pretty (strbuf_str (&arr), &pretty, err) < 0)
        return -1;
      printf ("%s\n", strbuf_str (&pretty));
    }
  return status;
}

static int
parse_type (const char *arg, unsigned *types, oci_error_t **err)
{
  if (streq (arg, "container"))
    *types = INSPECT_CONTAINER;
  else if (streq (arg, "image"))
    *types = INSPECT_IMAGE;
  else if (streq (arg, "volume"))
    *types = INSPECT_VOLUME;
  else if (streq (arg, "network"))
    *types = INSPECT_NETWORK;
  else
    return oci_error_set (err, EINVAL, "\"%s\" is not a valid value for --type", arg);
  return 0;
}

static int
inspect_common (struct berth_globals *g, int argc, char **argv, const char *help, unsigned types,
                oci_error_t **err)
{
  enum
  {
    OPT_TYPE = 256
  };
  static const struct option opts[] = {
    { "format", required_argument, NULL, 'f' },
    { "type", required_argument, NULL, OPT_TYPE },
    { "size", no_argument, NULL, 's' },
    { NULL, 0, NULL, 0 },
  };
  struct inspect_opts o = { .g = g, .types = types };
  int c;

  if (cli_wants_help (argc, argv))
    {
      fputs (help, stdout);
      return 0;
    }
  while ((c = getopt_long (argc, argv, "+f:s", opts, NULL)) != -1)
    switch (c)
      {
      case 'f':
        o.format = optarg;
        break;
      case OPT_TYPE:
        if (types != INSPECT_ANY)
          return cli_usage_error (argv[0], "unknown flag: --type", err);
        if (parse_type (optarg, &o.types, err) < 0)
          return -1;
        break;
      case 's':
        if (types == INSPECT_IMAGE)
          return cli_usage_error (argv[0], "unknown shorthand flag: 's' in -s", err);
        o.size = true;
        break;
      default:
        return cli_usage_error (argv[0], "invalid option", err);
      }
  if (optind >= argc)
    return cli_usage_error (argv[0], "\"inspect\" requires at least 1 argument.", err);
  return inspect_objects (g, &o, argc - optind, argv + optind, err);
}

int
cmd_image_inspect (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  return inspect_common (g, argc, argv, image_inspect_help, INSPECT_IMAGE, err);
}

int
cmd_container_inspect (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  return inspect_common (g, argc, argv, container_inspect_help, INSPECT_CONTAINER, err);
}

int
cmd_inspect (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  return inspect_common (g, argc, argv, inspect_help, INSPECT_ANY, err);
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
