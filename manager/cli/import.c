/* berth import: a root filesystem tar (plain, gzip, zstd, xz, bzip2)
   becomes a one-layer image.  The layer is stored as deterministic gzip
   (no file name, zero mtime in the header), so importing the same tar
   twice gives the same layer digest.  */
#include "config.h"
#include "commands.h"
#include "layer_util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "digest.h"
#include "json.h"
#include "util.h"

static const char import_help[]
    = "Usage: berth import [OPTIONS] file|- [REPOSITORY[:TAG]]\n\n"
      "Import the contents from a tarball to create a filesystem image\n\n"
      "Aliases:\n  berth image import, berth import\n\n"
      "Options:\n"
      "  -c, --change list      Apply Dockerfile instruction to the created image: CMD, ENTRYPOINT,\n"
      "                         ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR\n"
      "  -m, --message string   Set commit message for imported image\n"
      "      --platform string  Set platform (os/arch[/variant]) of the image (default: this host)\n";

/* --- --change --- */

static int
parse_json_or_shell (const char *arg, bool shell_wrap, char ***out, oci_error_t **err)
{
  char errbuf[128];
  yajl_val v;

  while (isspace ((unsigned char) *arg))
    arg++;
  if (*arg == '[' && (v = yajl_tree_parse (arg, errbuf, sizeof errbuf)) != NULL && YAJL_IS_ARRAY (v))
    {
      char **list = xcalloc (v->u.array.len + 1, sizeof (char *));

      for (size_t i = 0; i < v->u.array.len; i++)
        {
          if (!YAJL_IS_STRING (v->u.array.values[i]))
            {
              strv_free (list);
              yajl_tree_free (v);
              return oci_error_set (err, EINVAL, "--change: %s: not an array of strings", arg);
            }
          list[i] = xstrdup (YAJL_GET_STRING (v->u.array.values[i]));
        }
      yajl_tree_free (v);
      *out = list;
      return 0;
    }
  *out = xcalloc (4, sizeof (char *));
  if (shell_wrap)
    {
      (*out)[0] = xstrdup ("/bin/sh");
      (*out)[1] = xstrdup ("-c");
      (*out)[2] = xstrdup (arg);
    }
  else
    (*out)[0] = xstrdup (arg);
  return 0;
}

/* "KEY=VALUE" or "KEY VALUE" (Dockerfile's legacy form).  */
static int
parse_kv (const char *arg, char **key, char **value, oci_error_t **err)
{
  size_t k = strcspn (arg, "= \t");

  if (k == 0 || arg[k] == '\0')
    return oci_error_set (err, EINVAL, "--change: \"%s\": expected KEY=VALUE", arg);
  *key = xstrndup (arg, k);
  *value = xstrdup (arg + k + 1 + (arg[k] != '=' ? strspn (arg + k + 1, " \t") : 0));
  return 0;
}

static void
env_set (char ***env, const char *key, const char *value)
{
  size_t klen = strlen (key);
  cleanup_free char *kv = NULL;

  xasprintf (&kv, "%s=%s", key, value);
  for (size_t i = 0; *env && (*env)[i]; i++)
    if (strncmp ((*env)[i], key, klen) == 0 && (*env)[i][klen] == '=')
      {
        free ((*env)[i]);
        (*env)[i] = steal_pointer (&kv);
        return;
      }
  cli_strv_append (env, kv);
}

static int
apply_change (struct oci_image_exec_config *c, const char *change, oci_error_t **err)
{
  size_t kw = strcspn (change, " \t");
  cleanup_free char *inst = xstrndup (change, kw);
  const char *arg = change + kw + strspn (change + kw, " \t");

  for (char *p = inst; *p; p++)
    *p = (char) toupper ((unsigned char) *p);
  if (streq (inst, "CMD") || streq (inst, "ENTRYPOINT"))
    {
      char ***dst = streq (inst, "CMD") ? &c->cmd : &c->entrypoint;

      strv_free (*dst);
      *dst = NULL;
      return parse_json_or_shell (arg, true, dst, err);
    }
  if (streq (inst, "ENV") || streq (inst, "LABEL"))
    {
      cleanup_free char *k = NULL;
      cleanup_free char *v = NULL;

      if (parse_kv (arg, &k, &v, err) < 0)
        return -1;
      if (streq (inst, "ENV"))
        env_set (&c->env, k, v);
      else
        oci_map_set (&c->labels, k, v);
      return 0;
    }
  if (streq (inst, "WORKDIR") || streq (inst, "USER") || streq (inst, "STOPSIGNAL"))
    {
      char **dst = streq (inst, "WORKDIR") ? &c->working_dir
                   : streq (inst, "USER")  ? &c->user
                                           : &c->stop_signal;

      if (*arg == '\0')
        return oci_error_set (err, EINVAL, "--change: %s requires an argument", inst);
      free (*dst);
      *dst = xstrdup (arg);
      return 0;
    }
  if (streq (inst, "EXPOSE") || streq (inst, "VOLUME"))
    {
      cleanup_strv char **items = NULL;
      char ***dst = streq (inst, "EXPOSE") ? &c->exposed_ports : &c->volumes;

      if (parse_json_or_shell (arg, false, &items, err) < 0)
        return -1;
      for (size_t i = 0; items[i]; i++)
        {
          cleanup_free char *port = NULL;

          if (dst == &c->exposed_ports && !strchr (items[i], '/'))
            xasprintf (&port, "%s/tcp", items[i]);
          if (!oci_strv_contains ((const char *const *) *dst, port ? port : items[i]))
            cli_strv_append (dst, port ? port : items[i]);
        }
      return 0;
    }
  return oci_error_set (err, EINVAL, "--change: dockerfile instruction not supported by import: %s", inst);
}

/* --- config and manifest --- */

struct import_opts
{
  const char *message;
  char **changes;
  size_t nchanges;
  const char *platform;
  const char *source;
  const char *name; /* normalised, may be NULL */
};

static const char *
host_arch (void)
{
  struct utsname u;
  static char buf[sizeof u.machine];

  if (uname (&u) < 0)
    return "amd64";
  if (streq (u.machine, "x86_64"))
    return "amd64";
  if (streq (u.machine, "aarch64"))
    return "arm64";
  if (has_prefix (u.machine, "armv7") || has_prefix (u.machine, "armv6"))
    return "arm";
  if (u.machine[0] == 'i' && streq (u.machine + 2, "86"))
    return "386";
  snprintf (buf, sizeof buf, "%s", u.machine);
  return buf;
}

static char *
now_rfc3339 (void)
{
  struct timespec ts;
  struct tm tm;
  char buf[64], *out;

  clock_gettime (CLOCK_REALTIME, &ts);
  gmtime_r (&ts.tv_sec, &tm);
  strftime (buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  xasprintf (&out, "%s.%09ldZ", buf, ts.tv_nsec);
  return out;
}

static int
import_platform (struct oci_image_config *cfg, const char *platform, oci_error_t **err)
{
  cleanup_free char *copy = NULL;
  char *arch, *variant;

  if (platform == NULL)
    {
      cfg->os = xstrdup ("linux");
      cfg->architecture = xstrdup (host_arch ());
      return 0;
    }
  copy = xstrdup (platform);
  arch = strchr (copy, '/');
  if (arch == NULL || arch == copy || arch[1] == '\0')
    return oci_error_set (err, EINVAL, "--platform \"%s\": expected os/arch[/variant]", platform);
  *arch++ = '\0';
  variant = strchr (arch, '/');
  if (variant)
    *variant++ = '\0';
  cfg->os = xstrdup (copy);
  cfg->architecture = xstrdup (arch);
  cfg->variant = variant && *variant ? xstrdup (variant) : NULL;
  return 0;
}

static int
import_config (struct berth_store *s, const struct import_opts *o, const char *diff_id, char **digest,
               int64_t *size, oci_error_t **err)
{
  cleanup_oci_image_config struct oci_image_config *cfg = xzalloc (sizeof *cfg);
  cleanup_free char *json = NULL;
  cleanup_free char *by = NULL;
  size_t len;

  cfg->created = now_rfc3339 ();
  if (import_platform (cfg, o->platform, err) < 0)
    return -1;
  cfg->config = xzalloc (sizeof *cfg->config);
  for (size_t i = 0; i < o->nchanges; i++)
    if (apply_change (cfg->config, o->changes[i], err) < 0)
      return -1;
  cfg->rootfs = xzalloc (sizeof *cfg->rootfs);
  cfg->rootfs->type = xstrdup ("layers");
  cfg->rootfs->diff_ids = xcalloc (2, sizeof (char *));
  cfg->rootfs->diff_ids[0] = xstrdup (diff_id);
  cfg->history = xzalloc (sizeof *cfg->history);
  cfg->history_len = 1;
  cfg->history[0].created = xstrdup (cfg->created);
  xasprintf (&by, "berth import %s", o->source);
  cfg->history[0].created_by = steal_pointer (&by);
  cfg->history[0].comment = xstrdup (o->message ? o->message : "Imported from -");
  if (oci_image_config_emit (cfg, false, &json, &len, err) < 0)
    return -1;
  *size = (int64_t) len;
  return store_blob_put (s, json, len, NULL, digest, err);
}

static int
import_run (struct berth_globals *g, const struct import_opts *o, oci_error_t **err)
{
  cleanup_free char *layer = NULL;
  cleanup_free char *diff_id = NULL;
  cleanup_free char *config = NULL;
  cleanup_free char *manifest = NULL;
  cleanup_close int fd = -1;
  struct store_image *img = NULL;
  struct berth_store *s;
  int64_t layer_size = 0, config_size = 0;

  if (streq (o->source, "-"))
    fd = dup (STDIN_FILENO);
  else
    fd = open (o->source, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return oci_error_errno (err, errno, "open %s", o->source);
  if (cli_store (g, &s, err) < 0)
    return -1;
  if (cli_layer_store_gzip (s, fd, o->source, &layer, &layer_size, err) < 0
      || store_layer_unpack (s, layer, OCI_MEDIA_TYPE_IMAGE_LAYER_GZIP, &diff_id, err) < 0
      || import_config (s, o, diff_id, &config, &config_size, err) < 0
      || cli_manifest_store_gzip (s, config, config_size, &layer, &layer_size, 1, &manifest, err) < 0
      || store_image_add (s, manifest, o->name, NULL, &img, err) < 0)
    return oci_error_prefix (err, "import %s", o->source);
  printf ("%s\n", img->id);
  store_image_free (img);
  return 0;
}

int
cmd_import (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  enum
  {
    OPT_PLATFORM = 256
  };
  static const struct option opts[] = {
    { "change", required_argument, NULL, 'c' },
    { "message", required_argument, NULL, 'm' },
    { "platform", required_argument, NULL, OPT_PLATFORM },
    { NULL, 0, NULL, 0 },
  };
  cleanup_free char **changes = xcalloc (argc + 1, sizeof (char *));
  cleanup_free char *name = NULL;
  struct import_opts o = { .changes = changes };
  int c;

  if (cli_wants_help (argc, argv))
    {
      fputs (import_help, stdout);
      return 0;
    }
  while ((c = getopt_long (argc, argv, "+c:m:", opts, NULL)) != -1)
    switch (c)
      {
      case 'c':
        changes[o.nchanges++] = optarg;
        break;
      case 'm':
        o.message = optarg;
        break;
      case OPT_PLATFORM:
        o.platform = optarg;
        break;
      default:
        return cli_usage_error ("import", "invalid option", err);
      }
  if (argc - optind < 1 || argc - optind > 2)
    return cli_usage_error ("import", "\"berth import\" requires 1 or 2 arguments.", err);
  o.source = argv[optind];
  if (optind + 1 < argc)
    {
      if (cli_name_normalize (argv[optind + 1], false, &name, err) < 0)
        return -1;
      o.name = name;
    }
  return import_run (g, &o, err);
}
