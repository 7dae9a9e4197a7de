/* berth images / berth image ls.  */
#include "config.h"
#include "commands.h"

#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>

#include "json.h"
#include "util.h"

static const char images_help[]
    = "Usage: berth images [OPTIONS] [REPOSITORY[:TAG]]\n\n"
      "List images\n\n"
      "Aliases:\n  berth image ls, berth image list, berth images\n\n"
      "Options:\n"
      "  -a, --all             Show all images (there are no intermediate images to hide)\n"
      "      --digests         Show digests\n"
      "  -f, --filter filter   Filter output based on conditions provided:\n"
      "                        dangling=true|false, reference=PATTERN, before=IMAGE,\n"
      "                        since=IMAGE, label=KEY[=VALUE]\n"
      "      --format string   Format output using a custom template:\n"
      "                        'table', 'json' or a Go-like template ({{.ID}} {{.Repository}}\n"
      "                        {{.Tag}} {{.Digest}} {{.Size}} {{.CreatedSince}} {{.CreatedAt}} {{json .}})\n"
      "      --no-trunc        Don't truncate output\n"
      "  -q, --quiet           Only show image IDs\n";

struct images_opts
{
  bool digests, no_trunc, quiet;
  const char *format;
  char **filters;
  size_t nfilters;
  const char *reference;
};

/* One output line: an image under one of its names.  */
struct image_row
{
  const struct store_image *img;
  char *repo, *tag, *digest;
};

struct images_filter
{
  int dangling; /* -1 any */
  char **references;
  int64_t before, since; /* created bounds, 0 = none */
  char **labels;
};

static void
images_filter_clear (struct images_filter *f)
{
  strv_free (f->references);
  strv_free (f->labels);
}

static void
strv_push (char ***v, const char *s)
{
  size_t n = *v ? strv_len (*v) : 0;

  *v = xreallocarray (*v, n + 2, sizeof (char *));
  (*v)[n] = xstrdup (s);
  (*v)[n + 1] = NULL;
}

static int
images_filter_parse (struct berth_store *s, const struct images_opts *o, struct images_filter *f,
                     oci_error_t **err)
{
  f->dangling = -1;
  for (size_t i = 0; i < o->nfilters; i++)
    {
      const char *kv = o->filters[i], *eq = strchr (kv, '=');
      cleanup_free char *key = eq ? xstrndup (kv, eq - kv) : NULL;
      const char *val = eq ? eq + 1 : NULL;

      if (key == NULL)
        return oci_error_set (err, EINVAL, "bad format of filter \"%s\" (expected name=value)", kv);
      if (streq (key, "dangling"))
        {
          if (!streq (val, "true") && !streq (val, "false") && !streq (val, "1") && !streq (val, "0"))
            return oci_error_set (err, EINVAL, "invalid filter 'dangling=%s'", val);
          f->dangling = streq (val, "true") || streq (val, "1");
        }
      else if (streq (key, "reference"))
        strv_push (&f->references, val);
      else if (streq (key, "label"))
        strv_push (&f->labels, val);
      else if (streq (key, "before") || streq (key, "since"))
        {
          struct store_image *ref = NULL;

          if (cli_image_lookup (s, val, &ref, err) < 0)
            return -1;
          *(streq (key, "before") ? &f->before : &f->since) = ref->created;
          store_image_free (ref);
        }
      else
        return oci_error_set (err, EINVAL, "invalid filter '%s'", key);
    }
  return 0;
}

static bool
images_match_labels (struct berth_store *s, const struct store_image *img, char **labels)
{
  cleanup_oci_image_config struct oci_image_config *cfg = NULL;
  cleanup_error oci_error_t *err = NULL;

  if (labels == NULL)
    return true;
  if (store_image_config (s, img, &cfg, &err) < 0 || cfg->config == NULL)
    return false;
  for (size_t i = 0; labels[i]; i++)
    {
      const char *eq = strchr (labels[i], '=');
      cleanup_free char *k = eq ? xstrndup (labels[i], eq - labels[i]) : xstrdup (labels[i]);
      const char *v = oci_map_get (&cfg->config->labels, k);

      if (v == NULL || (eq && !streq (v, eq + 1)))
        return false;
    }
  return true;
}

static bool
images_match_reference (const struct image_row *r, char **patterns)
{
  cleanup_free char *full = NULL;

  if (patterns == NULL)
    return true;
  if (streq (r->repo, "<none>"))
    return false;
  xasprintf (&full, "%s:%s", r->repo, r->tag);
  for (size_t i = 0; patterns[i]; i++)
    if (fnmatch (patterns[i], strchr (patterns[i], ':') ? full : r->repo, 0) == 0)
      return true;
  return false;
}

static char *
row_digest (const struct store_image *img, const char *repo)
{
  for (size_t i = 0; img->digests[i]; i++)
    {
      char *r, *t;
      char *at = strrchr (img->digests[i], '@');

      cli_name_split (img->digests[i], &r, &t);
      free (t);
      if (at && streq (r, repo))
        {
          free (r);
          return xstrdup (at + 1);
        }
      free (r);
    }
  return xstrdup ("<none>");
}

static void
rows_add (struct image_row **rows, size_t *n, const struct store_image *img, char *repo, char *tag)
{
  struct image_row *r;

  *rows = xreallocarray (*rows, *n + 1, sizeof **rows);
  r = &(*rows)[(*n)++];
  r->img = img;
  r->repo = repo;
  r->tag = tag;
  r->digest = row_digest (img, repo);
}

/* Docker lists an image once per name; an untagged image with repo
   digests once per digest repository; a dangling image as <none>.  */
static void
image_rows (const struct store_image *img, struct image_row **rows, size_t *n)
{
  size_t before = *n;

  for (size_t i = 0; img->names[i]; i++)
    {
      char *repo, *tag;

      cli_name_split (img->names[i], &repo, &tag);
      rows_add (rows, n, img, repo, tag);
    }
  if (*n == before)
    for (size_t i = 0; img->digests[i]; i++)
      {
        char *repo, *tag;

        cli_name_split (img->digests[i], &repo, &tag);
        free (tag);
        rows_add (rows, n, img, repo, xstrdup ("<none>"));
      }
  if (*n == before)
    rows_add (rows, n, img, xstrdup ("<none>"), xstrdup ("<none>"));
}

static char *
row_json (const struct image_row *r, bool no_trunc)
{
  cleanup_strbuf struct strbuf sb = STRBUF_INIT;
  cleanup_free char *size = cli_human_size (r->img->size);
  cleanup_free char *since = cli_since (r->img->created);
  cleanup_free char *at = cli_time_string (r->img->created);
  cleanup_free char *id = no_trunc ? xstrdup (r->img->id) : cli_short_id (r->img->id);
  const char *keys[] = { "Containers", "CreatedAt", "CreatedSince", "Digest",     "ID",         "Repository",
                         "SharedSize", "Size",      "Tag",          "UniqueSize", "VirtualSize" };
  const char *vals[] = { "N/A", at, since, r->digest, id, r->repo, "N/A", size, r->tag, "N/A", size };

  strbuf_addch (&sb, '{');
  for (size_t i = 0; i < ARRAY_SIZE (keys); i++)
    {
      if (i)
        strbuf_addch (&sb, ',');
      cli_json_string (&sb, keys[i]);
      strbuf_addch (&sb, ':');
      cli_json_string (&sb, vals[i]);
    }
  strbuf_addch (&sb, '}');
  return strbuf_detach (&sb, NULL);
}

static void
images_print_table (const struct images_opts *o, struct image_row *rows, size_t n)
{
  const char *hdr_d[] = { "REPOSITORY", "TAG", "DIGEST", "IMAGE ID", "CREATED", "SIZE" };
  const char *hdr[] = { "REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE" };
  struct cli_table t;

  cli_table_init (&t, o->digests ? hdr_d : hdr, o->digests ? 6 : 5);
  for (size_t i = 0; i < n; i++)
    {
      char **cells = xcalloc (6, sizeof (char *));
      size_t c = 0;

      cells[c++] = xstrdup (rows[i].repo);
      cells[c++] = xstrdup (rows[i].tag);
      if (o->digests)
        cells[c++] = xstrdup (rows[i].digest);
      cells[c++] = o->no_trunc ? xstrdup (rows[i].img->id) : cli_short_id (rows[i].img->id);
      cells[c++] = cli_since (rows[i].img->created);
      cells[c++] = cli_human_size (rows[i].img->size);
      cli_table_add (&t, cells);
    }
  cli_table_print (&t, stdout);
  cli_table_free (&t);
}

static int
images_print (const struct images_opts *o, struct image_row *rows, size_t n, oci_error_t **err)
{
  enum cli_format_kind kind = cli_format_kind (o->format);

  if (o->quiet)
    {
      for (size_t i = 0; i < n; i++)
        {
          bool seen = false;

          for (size_t j = 0; j < i; j++)
            seen |= rows[j].img == rows[i].img;
          if (!seen)
            {
              cleanup_free char *id
                  = o->no_trunc ? xstrdup (rows[i].img->id) : cli_short_id (rows[i].img->id);

              printf ("%s\n", id);
            }
        }
      return 0;
    }
  if (kind == CLI_FORMAT_TABLE)
    {
      images_print_table (o, rows, n);
      return 0;
    }
  if (kind == CLI_FORMAT_TEMPLATE)
    {
      /* Unknown fields are errors even when there is nothing to list.  */
      struct store_image blank = { .id = (char *) "sha256:" };
      struct image_row probe
          = { .img = &blank, .repo = (char *) "", .tag = (char *) "", .digest = (char *) "" };
      cleanup_free char *json = row_json (&probe, true);
      cleanup_strbuf struct strbuf ignored = STRBUF_INIT;

      if (cli_template_render (o->format, json, &ignored, err) < 0)
        return -1;
    }
  if (kind == CLI_FORMAT_TEMPLATE && has_prefix (o->format, "table "))
    {
      cleanup_strbuf struct strbuf h = STRBUF_INIT;

      cli_template_header (o->format, &h);
      printf ("%s\n", strbuf_str (&h));
    }
  for (size_t i = 0; i < n; i++)
    {
      cleanup_free char *json = row_json (&rows[i], o->no_trunc);
      cleanup_strbuf struct strbuf line = STRBUF_INIT;

      if (kind == CLI_FORMAT_JSON)
        strbuf_addstr (&line, json);
      else if (cli_template_render (o->format, json, &line, err) < 0)
        return -1;
      printf ("%s\n", strbuf_str (&line));
    }
  return 0;
}

static bool
row_selected (struct berth_store *s, const struct images_opts *o, const struct images_filter *f,
              const struct image_row *r)
{
  bool dangling = streq (r->repo, "<none>") && streq (r->tag, "<none>");

  if (f->dangling >= 0 && dangling != (bool) f->dangling)
    return false;
  if (!images_match_reference (r, f->references))
    return false;
  if (o->reference)
    {
      char *one[] = { (char *) o->reference, NULL };

      if (!images_match_reference (r, one))
        return false;
    }
  if (f->before && r->img->created >= f->before)
    return false;
  if (f->since && r->img->created <= f->since)
    return false;
  return images_match_labels (s, r->img, f->labels);
}

static int
images_run (struct berth_globals *g, const struct images_opts *o, oci_error_t **err)
{
  struct berth_store *s;
  struct store_image **imgs = NULL;
  struct image_row *rows = NULL;
  struct images_filter f = { 0 };
  size_t n = 0, kept = 0;
  int ret = -1;

  if (cli_store (g, &s, err) < 0 || store_image_list (s, &imgs, err) < 0)
    return -1;
  if (images_filter_parse (s, o, &f, err) < 0)
    goto out;
  for (size_t i = 0; imgs[i]; i++)
    image_rows (imgs[i], &rows, &n);
  for (size_t i = 0; i < n; i++)
    {
      if (row_selected (s, o, &f, &rows[i]))
        rows[kept++] = rows[i];
      else
        {
          free (rows[i].repo);
          free (rows[i].tag);
          free (rows[i].digest);
        }
    }
  ret = images_print (o, rows, kept, err);
out:
  for (size_t i = 0; i < kept; i++)
    {
      free (rows[i].repo);
      free (rows[i].tag);
      free (rows[i].digest);
    }
  free (rows);
  images_filter_clear (&f);
  store_image_list_free (imgs);
  return ret;
}

int
cmd_images (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  enum
  {
    OPT_DIGESTS = 256,
    OPT_FORMAT,
    OPT_NO_TRUNC,
  };
  static const struct option opts[] = {
    { "all", no_argument, NULL, 'a' },
    { "digests", no_argument, NULL, OPT_DIGESTS },
    { "filter", required_argument, NULL, 'f' },
    { "format", required_argument, NULL, OPT_FORMAT },
    { "no-trunc", no_argument, NULL, OPT_NO_TRUNC },
    { "quiet", no_argument, NULL, 'q' },
    { NULL, 0, NULL, 0 },
  };
  cleanup_free char **filters = xcalloc (argc + 1, sizeof (char *));
  struct images_opts o = { .filters = filters };
  int c;

  if (cli_wants_help (argc, argv))
    {
      fputs (images_help, stdout);
      return 0;
    }
  while ((c = getopt_long (argc, argv, "+af:q", opts, NULL)) != -1)
    switch (c)
      {
      case 'a':
        break;
      case OPT_DIGESTS:
        o.digests = true;
        break;
      case 'f':
        filters[o.nfilters++] = optarg;
        break;
      case OPT_FORMAT:
        o.format = optarg;
        break;
      case OPT_NO_TRUNC:
        o.no_trunc = true;
        break;
      case 'q':
        o.quiet = true;
        break;
      default:
        return cli_usage_error ("images", "invalid option", err);
      }
  if (argc - optind > 1)
    return cli_usage_error ("images", "\"berth images\" requires at most 1 argument.", err);
  if (optind < argc)
    o.reference = argv[optind];
  return images_run (g, &o, err);
}
