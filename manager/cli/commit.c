/* berth diff and berth commit: the container's changes are its overlay
   upper directory.  diff lists them (A added, C changed, D deleted: an
   overlay whiteout); commit stores them as one more layer, whiteouts
   converted to OCI .wh. files, on top of the image's layers.  */
#include "config.h"
#include "commands.h"
#include "layer_util.h"
#include "tools.h"

#include <archive.h>
#include <archive_entry.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "fileutil.h"
#include "manager/container/control.h"
#include "manager/container/runtime.h"
#include "util.h"

/* --- walking the upper dir --- */

typedef int (*walk_fn) (const char *abs, const char *rel, const struct stat *st, bool opaque, void *data,
                        oci_error_t **err);

static bool
is_whiteout (const struct stat *st)
{
  return S_ISCHR (st->st_mode) && st->st_rdev == makedev (0, 0);
}

static bool
is_opaque (const char *path)
{
  char v[4];
  ssize_t n = lgetxattr (path, "trusted.overlay.opaque", v, sizeof v);

  if (n < 0)
    n = lgetxattr (path, "user.overlay.opaque", v, sizeof v);
  return n == 1 && v[0] == 'y';
}

/* Depth first, names in byte order, parents before children.  */
static int
walk (const char *abs, const char *rel, walk_fn fn, void *data, oci_error_t **err)
{
  struct dirent **names = NULL;
  int n = scandir (abs, &names, NULL, alphasort);
  int ret = 0;

  if (n < 0)
    return oci_error_errno (err, errno, "scandir %s", abs);
  for (int i = 0; i < n; i++)
    {
      cleanup_free char *a = NULL;
      cleanup_free char *r = NULL;
      struct stat st;

      if (ret < 0 || streq (names[i]->d_name, ".") || streq (names[i]->d_name, ".."))
        {
          free (names[i]);
          continue;
        }
      xasprintf (&a, "%s/%s", abs, names[i]->d_name);
      xasprintf (&r, "%s/%s", rel, names[i]->d_name);
      free (names[i]);
      if (lstat (a, &st) < 0)
        ret = oci_error_errno (err, errno, "lstat %s", a);
      else if (fn (a, r, &st, S_ISDIR (st.st_mode) && is_opaque (a), data, err) < 0)
        ret = -1;
      else if (S_ISDIR (st.st_mode))
        ret = walk (a, r, fn, data, err);
    }
  free (names);
  return ret;
}

/* --- diff --- */

struct diff_line
{
  char kind; /* A C D, or 0: hidden */
  bool dir;
  char *path;
};

struct diff_ctx
{
  char **lowers; /* layer dirs, top first */
  struct diff_line *lines;
  size_t n;
};

/* Mount points berth creates for every container (docker keeps them in
   its init layer, out of the diff).  */
static bool
diff_hidden (const char *rel, const struct stat *st)
{
  static const char *const files[]
      = { "/etc/hosts", "/etc/hostname", "/etc/resolv.conf", "/etc/mtab", "/.dockerenv", NULL };
  static const char *const dirs[] = { "/dev", "/proc", "/sys", NULL };

  if (S_ISREG (st->st_mode) && st->st_size == 0 && oci_strv_contains (files, rel))
    return true;
  return S_ISDIR (st->st_mode) && oci_strv_contains (dirs, rel);
}

static bool
in_lower (const struct diff_ctx *d, const char *rel)
{
  for (size_t i = 0; d->lowers && d->lowers[i]; i++)
    {
      cleanup_free char *p = NULL;
      struct stat st;

      xasprintf (&p, "%s%s", d->lowers[i], rel);
      if (lstat (p, &st) == 0)
        return !is_whiteout (&st);
    }
  return false;
}

static int
diff_entry (const char *abs, const char *rel, const struct stat *st, bool opaque, void *data,
            oci_error_t **err)
{
  struct diff_ctx *d = data;
  struct diff_line *l;

  (void) abs;
  (void) opaque;
  (void) err;
  d->lines = xreallocarray (d->lines, d->n + 1, sizeof *d->lines);
  l = &d->lines[d->n++];
  l->path = xstrdup (rel);
  l->dir = S_ISDIR (st->st_mode);
  if (is_whiteout (st))
    l->kind = 'D';
  else if (diff_hidden (rel, st))
    l->kind = 0;
  else
    l->kind = in_lower (d, rel) ? 'C' : 'A';
  return 0;
}

/* A changed directory whose changes are all hidden is hidden too; children
   of hidden directories are hidden.  Lines come parents first.  */
static void
diff_print (struct diff_ctx *d)
{
  for (size_t i = 0; i < d->n; i++)
    {
      struct diff_line *l = &d->lines[i];
      size_t len = strlen (l->path);
      bool any_hidden = false, any_shown = false;

      for (size_t j = i + 1;
           j < d->n && has_prefix (d->lines[j].path, l->path) && d->lines[j].path[len] == '/'; j++)
        {
          if (l->kind == 0)
            d->lines[j].kind = 0;
          else if (d->lines[j].kind == 0)
            any_hidden = true;
          else if (!d->lines[j].dir || d->lines[j].kind != 'C')
            any_shown = true;
        }
      if (l->kind == 'C' && l->dir && any_hidden && !any_shown)
        l->kind = 0;
    }
  for (size_t i = 0; i < d->n; i++)
    {
      if (d->lines[i].kind)
        printf ("%c %s\n", d->lines[i].kind, d->lines[i].path);
      free (d->lines[i].path);
    }
  free (d->lines);
}

static int
image_lowers (struct berth_store *s, const char *image_id, char ***out, struct oci_image_config **cfg,
              oci_error_t **err)
{
  struct store_image *img = NULL;
  size_t n;

  if (store_image_lookup (s, image_id, &img, err) < 0)
    return -1;
  if (store_image_config (s, img, cfg, err) < 0)
    {
      store_image_free (img);
      return -1;
    }
  n = strv_len (img->diff_ids);
  *out = xcalloc (n + 1, sizeof (char *));
  for (size_t i = 0; i < n; i++)
    (*out)[i] = store_layer_path (s, img->diff_ids[n - 1 - i]);
  store_image_free (img);
  return 0;
}

static const char diff_help[] = "Usage:  berth diff CONTAINER\n\n"
                                "Inspect changes to files or directories on a container's filesystem\n\n"
                                "Aliases:\n  berth container diff, berth diff\n";

int
cmd_diff (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  struct oci_image_config *cfg = NULL;
  struct diff_ctx d = { NULL };
  cleanup_free char *upper = NULL;
  struct tool_ctr t;
  int ret;

  if (argc >= 2 && (streq (argv[1], "--help") || streq (argv[1], "-h")))
    {
      fputs (diff_help, stdout);
      return 0;
    }
  if (argc != 2)
    return cli_usage_error ("diff", "\"berth diff\" requires exactly 1 argument.", err);
  ret = tool_ctr_open (g, argv[1], &t, err);
  if (ret == 0)
    ret = image_lowers (g->store, t.c->image_id, &d.lowers, &cfg, err);
  if (ret == 0)
    {
      xasprintf (&upper, "%s/upper", t.cdir);
      ret = walk (upper, "", diff_entry, &d, err);
      diff_print (&d);
    }
  oci_image_config_free (cfg);
  strv_free (d.lowers);
  tool_ctr_clear (&t);
  return ret;
}

/* --- the layer tar --- */

static int
tar_header (struct archive *a, const char *rel, const struct stat *st, const char *link, oci_error_t **err)
{
  struct archive_entry *e = archive_entry_new ();
  int r;

  archive_entry_copy_stat (e, st);
  archive_entry_set_pathname (e, rel + 1);
  archive_entry_set_nlink (e, 1);
  archive_entry_unset_atime (e);
  archive_entry_unset_ctime (e);
  archive_entry_unset_birthtime (e);
  archive_entry_set_ino (e, 0);
  archive_entry_set_dev (e, 0);
  if (!S_ISREG (st->st_mode))
    archive_entry_set_size (e, 0);
  if (link)
    archive_entry_copy_symlink (e, link);
  r = archive_write_header (a, e);
  archive_entry_free (e);
  if (r < ARCHIVE_WARN)
    return oci_error_set (err, EIO, "layer tar: %s: %s", rel, archive_error_string (a));
  return 0;
}

static int
tar_whiteout (struct archive *a, const char *rel, const char *name, const struct stat *st, oci_error_t **err)
{
  cleanup_free char *dir = xstrdup (rel);
  cleanup_free char *wh = NULL;
  char *slash = strrchr (dir, '/');
  struct stat w = *st;

  *slash = '\0';
  xasprintf (&wh, "%s/.wh.%s", dir, name);
  w.st_mode = S_IFREG | 0600;
  w.st_size = 0;
  w.st_rdev = 0;
  return tar_header (a, wh, &w, NULL, err);
}

static int
tar_data (struct archive *a, const char *abs, oci_error_t **err)
{
  cleanup_close int fd = open (abs, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  char buf[65536];
  ssize_t n;

  if (fd < 0)
    return oci_error_errno (err, errno, "open %s", abs);
  while ((n = read (fd, buf, sizeof buf)) > 0)
    if (archive_write_data (a, buf, (size_t) n) < 0)
      return oci_error_set (err, EIO, "layer tar: %s: %s", abs, archive_error_string (a));
  if (n < 0)
    return oci_error_errno (err, errno, "read %s", abs);
  return 0;
}

static int
tar_entry (const char *abs, const char *rel, const struct stat *st, bool opaque, void *data,
           oci_error_t **err)
{
  struct archive *a = data;
  char link[4096];

  if (is_whiteout (st))
    return tar_whiteout (a, rel, strrchr (rel, '/') + 1, st, err);
  if (S_ISLNK (st->st_mode))
    {
      ssize_t n = readlink (abs, link, sizeof link - 1);

      if (n < 0)
        return oci_error_errno (err, errno, "readlink %s", abs);
      link[n] = '\0';
      return tar_header (a, rel, st, link, err);
    }
  if (S_ISSOCK (st->st_mode))
    return 0;
  if (tar_header (a, rel, st, NULL, err) < 0)
    return -1;
  if (S_ISREG (st->st_mode))
    return tar_data (a, abs, err);
  if (opaque)
    {
      cleanup_free char *child = NULL;

      xasprintf (&child, "%s/x", rel);
      return tar_whiteout (a, child, ".wh..opq", st, err);
    }
  return 0;
}

/* The upper dir as a tar in an unlinked temporary file; returns its fd at
   offset 0.  */
static int
upper_tar (const char *upper, oci_error_t **err)
{
  char tmpl[] = "/var/tmp/berth-commit-XXXXXX";
  cleanup_close int fd = mkostemp (tmpl, O_CLOEXEC);
  struct archive *a;
  int ret;

  if (fd < 0)
    return oci_error_errno (err, errno, "mkstemp %s", tmpl);
  unlink (tmpl);
  a = archive_write_new ();
  archive_write_set_format_pax_restricted (a);
  if (archive_write_open_fd (a, fd) != ARCHIVE_OK)
    {
      oci_error_set (err, EIO, "layer tar: %s", archive_error_string (a));
      archive_write_free (a);
      return -1;
    }
  ret = walk (upper, "", tar_entry, a, err);
  if (archive_write_close (a) != ARCHIVE_OK && ret == 0)
    ret = oci_error_set (err, EIO, "layer tar: %s", archive_error_string (a));
  archive_write_free (a);
  if (ret < 0)
    return -1;
  if (lseek (fd, 0, SEEK_SET) < 0)
    return oci_error_errno (err, errno, "lseek %s", tmpl);
  return steal_fd (&fd);
}

/* --- --change --- */

static void
strv_add (char ***v, const char *s)
{
  size_t n = *v ? strv_len (*v) : 0;

  *v = xreallocarray (*v, n + 2, sizeof (char *));
  (*v)[n] = xstrdup (s);
  (*v)[n + 1] = NULL;
}

/* A JSON array of strings, else the shell form (wrapped in /bin/sh -c
   when shell) or one word.  */
static char **
change_list (const char *arg, bool shell)
{
  char errbuf[64];
  yajl_val v = *arg == '[' ? yajl_tree_parse (arg, errbuf, sizeof errbuf) : NULL;
  char **out = xcalloc (1, sizeof (char *));

  if (v && YAJL_IS_ARRAY (v))
    {
      for (size_t i = 0; i < v->u.array.len; i++)
        if (YAJL_IS_STRING (v->u.array.values[i]))
          strv_add (&out, YAJL_GET_STRING (v->u.array.values[i]));
    }
  else if (shell)
    {
      strv_add (&out, "/bin/sh");
      strv_add (&out, "-c");
      strv_add (&out, arg);
    }
  else
    {
      cleanup_free char *copy = xstrdup (arg);
      char *save = NULL;

      for (char *w = strtok_r (copy, " \t", &save); w; w = strtok_r (NULL, " \t", &save))
        strv_add (&out, w);
    }
  yajl_tree_free (v);
  return out;
}

static void
env_replace (char ***env, const char *k, const char *v)
{
  cleanup_free char *kv = NULL;
  size_t kl = strlen (k);

  xasprintf (&kv, "%s=%s", k, v);
  for (size_t i = 0; *env && (*env)[i]; i++)
    if (strncmp ((*env)[i], k, kl) == 0 && (*env)[i][kl] == '=')
      {
        free ((*env)[i]);
        (*env)[i] = steal_pointer (&kv);
        return;
      }
  strv_add (env, kv);
}

static int
change_kv (struct oci_image_exec_config *c, bool env, const char *arg, oci_error_t **err)
{
  size_t k = strcspn (arg, "= \t");
  cleanup_free char *key = xstrndup (arg, k);
  const char *val;

  if (k == 0 || arg[k] == '\0')
    return oci_error_set (err, EINVAL, "--change: \"%s\": expected KEY=VALUE", arg);
  val = arg + k + 1;
  if (arg[k] != '=')
    val += strspn (val, " \t");
  if (env)
    env_replace (&c->env, key, val);
  else
    oci_map_set (&c->labels, key, val);
  return 0;
}

static int
change_apply (struct oci_image_exec_config *c, const char *change, oci_error_t **err)
{
  size_t kl = strcspn (change, " \t");
  cleanup_free char *kw = xstrndup (change, kl);
  const char *arg = change + kl + strspn (change + kl, " \t");

  for (char *p = kw; *p; p++)
    *p = (char) toupper ((unsigned char) *p);
  if (streq (kw, "CMD") || streq (kw, "ENTRYPOINT"))
    {
      char ***dst = streq (kw, "CMD") ? &c->cmd : &c->entrypoint;

      strv_free (*dst);
      *dst = change_list (arg, true);
      return 0;
    }
  if (streq (kw, "ENV") || streq (kw, "LABEL"))
    return change_kv (c, streq (kw, "ENV"), arg, err);
  if (*arg == '\0')
    return oci_error_set (err, EINVAL, "--change: %s requires an argument", kw);
  if (streq (kw, "WORKDIR") || streq (kw, "USER") || streq (kw, "STOPSIGNAL"))
    {
      char **dst = streq (kw, "WORKDIR") ? &c->working_dir : streq (kw, "USER") ? &c->user : &c->stop_signal;

      free (*dst);
      *dst = xstrdup (arg);
      return 0;
    }
  if (streq (kw, "EXPOSE") || streq (kw, "VOLUME") || streq (kw, "ONBUILD"))
    {
      cleanup_strv char **items = streq (kw, "ONBUILD") ? NULL : change_list (arg, false);

      if (items == NULL)
        strv_add (&c->on_build, arg);
      for (size_t i = 0; items && items[i]; i++)
        {
          cleanup_free char *v = NULL;
          char ***dst = streq (kw, "EXPOSE") ? &c->exposed_ports : &c->volumes;

          if (dst == &c->exposed_ports && strchr (items[i], '/') == NULL)
            xasprintf (&v, "%s/tcp", items[i]);
          if (!oci_strv_contains ((const char *const *) *dst, v ? v : items[i]))
            strv_add (dst, v ? v : items[i]);
        }
      return 0;
    }
  return oci_error_set (err, EINVAL, "%s is not a valid change command", kw);
}

/* --- commit --- */

struct commit_opts
{
  const char *author, *message;
  char **changes;
  bool pause;
  const char *name; /* normalised, may be NULL */
};

static void
history_add (struct oci_image_config *cfg, const struct tool_ctr *t, const struct commit_opts *o)
{
  struct oci_image_history *h;
  cleanup_free char *cmd = NULL;
  struct strbuf sb = STRBUF_INIT;

  for (size_t i = 0; t->wrap->config->cmd && t->wrap->config->cmd[i]; i++)
    strbuf_addf (&sb, "%s%s", i ? " " : "", t->wrap->config->cmd[i]);
  cfg->history = xreallocarray (cfg->history, cfg->history_len + 1, sizeof *cfg->history);
  h = &cfg->history[cfg->history_len++];
  memset (h, 0, sizeof *h);
  h->created = xstrdup (cfg->created);
  h->created_by = strbuf_detach (&sb, NULL);
  h->author = o->author ? xstrdup (o->author) : NULL;
  h->comment = o->message ? xstrdup (o->message) : NULL;
}

/* The parent's config with the container's Config, the changes, the new
   layer and a history entry.  */
static int
commit_config (struct oci_image_config *cfg, struct tool_ctr *t, const struct commit_opts *o,
               const char *diff_id, oci_error_t **err)
{
  size_t n;

  free (cfg->created);
  cfg->created = container_time_rfc3339 (container_now_ns ());
  free (cfg->author);
  cfg->author = o->author ? xstrdup (o->author) : NULL;
  history_add (cfg, t, o);
  {
    /* the container's Config becomes the image's; keep SHELL and ONBUILD */
    struct oci_image_exec_config *old = cfg->config;

    cfg->config = t->wrap->config;
    if (old && cfg->config->shell == NULL)
      cfg->config->shell = steal_pointer (&old->shell);
    if (old && cfg->config->on_build == NULL)
      cfg->config->on_build = steal_pointer (&old->on_build);
    t->wrap->config = old ? old : xzalloc (sizeof *old);
  }
  for (size_t i = 0; o->changes && o->changes[i]; i++)
    if (change_apply (cfg->config, o->changes[i], err) < 0)
      return -1;
  if (cfg->rootfs == NULL)
    {
      cfg->rootfs = xzalloc (sizeof *cfg->rootfs);
      cfg->rootfs->type = xstrdup ("layers");
    }
  n = cfg->rootfs->diff_ids ? strv_len (cfg->rootfs->diff_ids) : 0;
  cfg->rootfs->diff_ids = xreallocarray (cfg->rootfs->diff_ids, n + 2, sizeof (char *));
  cfg->rootfs->diff_ids[n] = xstrdup (diff_id);
  cfg->rootfs->diff_ids[n + 1] = NULL;
  return 0;
}

/* Layer blobs of the parent's manifest (OCI or docker schema2).  */
static int
parent_layers (struct berth_store *s, const char *image_id, char ***digests, int64_t **sizes, size_t *n,
               oci_error_t **err)
{
  struct store_image *img = NULL;
  cleanup_free char *data = NULL;
  struct docker_manifest *m = NULL;
  struct oci_image_manifest *om = NULL;
  size_t len;
  int ret;

  if (store_image_lookup (s, image_id, &img, err) < 0)
    return -1;
  ret = store_blob_read (s, img->manifest_digest, 4 << 20, &data, &len, err);
  store_image_free (img);
  if (ret < 0)
    return -1;
  if (oci_image_manifest_parse (data, len, "manifest", &om, NULL) == 0)
    {
      *n = om->layers_len;
      *digests = xcalloc (*n + 2, sizeof (char *));
      *sizes = xcalloc (*n + 1, sizeof (int64_t));
      for (size_t i = 0; i < *n; i++)
        {
          (*digests)[i] = xstrdup (om->layers[i].digest);
          (*sizes)[i] = om->layers[i].size;
        }
      oci_image_manifest_free (om);
      return 0;
    }
  if (docker_manifest_parse (data, len, "manifest", &m, err) < 0)
    return -1;
  *n = m->layers_len;
  *digests = xcalloc (m->layers_len + 2, sizeof (char *));
  *sizes = xcalloc (m->layers_len + 1, sizeof (int64_t));
  for (size_t i = 0; i < m->layers_len; i++)
    {
      (*digests)[i] = xstrdup (m->layers[i].digest);
      (*sizes)[i] = m->layers[i].size;
    }
  docker_manifest_free (m);
  return 0;
}

static int
commit_store (struct berth_globals *g, struct tool_ctr *t, const struct commit_opts *o, int tarfd,
              oci_error_t **err)
{
  struct berth_store *s = g->store;
  cleanup_oci_image_config struct oci_image_config *cfg = NULL;
  cleanup_strv char **layers = NULL;
  cleanup_free int64_t *sizes = NULL;
  cleanup_free char *diff_id = NULL;
  cleanup_free char *json = NULL;
  cleanup_free char *cdigest = NULL;
  cleanup_free char *manifest = NULL;
  struct store_image *img = NULL, *parent = NULL;
  size_t n = 0, len;

  if (store_image_lookup (s, t->c->image_id, &parent, err) < 0)
    return -1;
  if (store_image_config (s, parent, &cfg, err) < 0)
    {
      store_image_free (parent);
      return -1;
    }
  store_image_free (parent);
  if (parent_layers (s, t->c->image_id, &layers, &sizes, &n, err) < 0
      || cli_layer_store_gzip (s, tarfd, "container changes", &layers[n], &sizes[n], err) < 0
      || store_layer_unpack (s, layers[n], OCI_MEDIA_TYPE_IMAGE_LAYER_GZIP, &diff_id, err) < 0
      || commit_config (cfg, t, o, diff_id, err) < 0
      || oci_image_config_emit (cfg, false, &json, &len, err) < 0
      || store_blob_put (s, json, len, NULL, &cdigest, err) < 0
      || cli_manifest_store_gzip (s, cdigest, (int64_t) len, layers, sizes, n + 1, &manifest, err) < 0
      || store_image_add (s, manifest, o->name, NULL, &img, err) < 0)
    return -1;
  printf ("%s\n", img->id);
  store_image_free (img);
  return 0;
}

static int
runtime_simple (struct berth_globals *g, struct tool_ctr *t, const char *verb, oci_error_t **err)
{
  char *args[] = { (char *) verb, t->c->id, NULL };

  return runtime_run (g, t->c->runtime, args, NULL, err);
}

static int
commit_run (struct berth_globals *g, struct tool_ctr *t, const struct commit_opts *o, oci_error_t **err)
{
  cleanup_free char *upper = NULL;
  cleanup_close int fd = -1;
  bool paused = false;
  int ret;

  if (o->pause && t->st.status == CONTAINER_RUNNING)
    {
      if (runtime_simple (g, t, "pause", err) < 0)
        return -1;
      paused = true;
    }
  xasprintf (&upper, "%s/upper", t->cdir);
  fd = upper_tar (upper, err);
  if (paused)
    {
      oci_error_t *rerr = NULL;

      if (runtime_simple (g, t, "resume", &rerr) < 0 && fd >= 0)
        {
          close (fd);
          fd = -1;
          *err = rerr;
        }
      else
        oci_error_free (&rerr);
    }
  if (fd < 0)
    return -1;
  ret = commit_store (g, t, o, fd, err);
  return ret;
}

static const char commit_help[]
    = "Usage:  berth commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]\n\n"
      "Create a new image from a container's changes\n\n"
      "Aliases:\n  berth container commit, berth commit\n\n"
      "Options:\n"
      "  -a, --author string    Author (e.g., \"John Hannibal Smith <hannibal@a-team.com>\")\n"
      "  -c, --change list      Apply Dockerfile instruction to the created image\n"
      "  -m, --message string   Commit message\n"
      "  -p, --pause            Pause container during commit (default true)\n";

int
cmd_commit (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  static const struct option opts[] = {
    { "author", required_argument, NULL, 'a' },  { "change", required_argument, NULL, 'c' },
    { "message", required_argument, NULL, 'm' }, { "pause", optional_argument, NULL, 'p' },
    { "help", no_argument, NULL, 'h' },          { NULL, 0, NULL, 0 },
  };
  cleanup_strv char **changes = NULL;
  cleanup_free char *name = NULL;
  struct commit_opts o = { .pause = true };
  struct tool_ctr t;
  int c, ret;

  opterr = 0;
  while ((c = getopt_long (argc, argv, "+a:c:m:p::h", opts, NULL)) != -1)
    switch (c)
      {
      case 'a':
        o.author = optarg;
        break;
      case 'c':
        strv_add (&changes, optarg);
        break;
      case 'm':
        o.message = optarg;
        break;
      case 'p':
        {
          const char *v = optarg && *optarg == '=' ? optarg + 1 : optarg;

          o.pause = v == NULL || !(streq (v, "false") || streq (v, "0"));
        }
        break;
      case 'h':
        fputs (commit_help, stdout);
        return 0;
      default:
        return cli_usage_error ("commit", "unknown flag or missing argument", err);
      }
  if (argc - optind < 1 || argc - optind > 2)
    return cli_usage_error ("commit", "\"berth commit\" requires at least 1 and at most 2 arguments.", err);
  if (optind + 1 < argc && cli_name_normalize (argv[optind + 1], false, &name, err) < 0)
    return -1;
  o.changes = changes;
  o.name = name;
  ret = tool_ctr_open (g, argv[optind], &t, err);
  if (ret == 0)
    ret = commit_run (g, &t, &o, err);
  tool_ctr_clear (&t);
  return ret;
}
