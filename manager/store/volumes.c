/* Local volumes: rows in the volumes table, data in
   <root>/volumes/<name>/_data.  */
#include "config.h"
#include "volumes.h"
#include "containers.h"
#include "store_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fileutil.h"
#include "json.h"
#include "strbuf.h"
#include "util.h"

#define VOLUME_COLUMNS "name, driver, created, anonymous, labels_json, options_json"

bool
store_volume_name_valid (const char *name)
{
  return store_container_name_valid (name);
}

static int
volume_name_check (const char *name, oci_error_t **err)
{
  if (store_volume_name_valid (name))
    return 0;
  if (name && strlen (name) == 1)
    return oci_error_set (err, EINVAL,
                          "create %s: volume name is too short, names should be at least two alphanumeric "
                          "characters",
                          name);
  return oci_error_set (
      err, EINVAL,
      "create %s: \"%s\" includes invalid characters for a local volume name, only "
      "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, "
      "use absolute path",
      name ? name : "", name ? name : "");
}

char *
store_volume_path (struct berth_store *s, const char *name)
{
  char *p;

  xasprintf (&p, "%s/volumes/%s/_data", s->root, name);
  return p;
}

void
store_volume_free (struct store_volume *v)
{
  if (v == NULL)
    return;
  free (v->name);
  free (v->driver);
  strv_free (v->labels);
  strv_free (v->options);
  free (v);
}

void
store_volume_list_free (struct store_volume **l)
{
  if (l == NULL)
    return;
  for (size_t i = 0; l[i]; i++)
    store_volume_free (l[i]);
  free (l);
}

/* Labels and options are stored as JSON objects {"k":"v"}; the JSON
   engine handles them as the one map member of a wrapper object.  */
struct kv_wrapper
{
  struct oci_map m;
};

static const struct oci_json_field kv_wrapper_fields[] = {
  OCI_F_STRMAP (struct kv_wrapper, "m", m, 0),
};
static OCI_JSON_DEFINE_TYPE (kv_wrapper_type, struct kv_wrapper, kv_wrapper_fields, NULL);

static char *
kv_to_json (char *const *kv)
{
  struct kv_wrapper w = { 0 };
  cleanup_free char *out = NULL;
  cleanup_error oci_error_t *err = NULL;
  size_t len = 0;

  for (size_t i = 0; kv && kv[i]; i++)
    {
      const char *eq = strchr (kv[i], '=');
      cleanup_free char *key = eq ? xstrndup (kv[i], eq - kv[i]) : xstrdup (kv[i]);

      oci_map_set (&w.m, key, eq ? eq + 1 : "");
    }
  if (w.m.keys == NULL || oci_json_emit (&kv_wrapper_type, &w, false, &out, &len, &err) < 0)
    {
      oci_map_clear (&w.m);
      return xstrdup ("{}");
    }
  oci_map_clear (&w.m);
  /* {"m":{...}} → {...} */
  return xstrndup (out + 5, len - 6);
}

static char **
kv_from_json (const char *json)
{
  struct kv_wrapper *w = NULL;
  cleanup_free char *doc = NULL;
  cleanup_error oci_error_t *err = NULL;
  char **v;

  xasprintf (&doc, "{\"m\":%s}", json && *json ? json : "{}");
  if (oci_json_parse (&kv_wrapper_type, doc, strlen (doc), "volume", (void **) &w, &err) < 0)
    return xzalloc (sizeof (char *));
  v = xcalloc (w->m.len + 1, sizeof (char *));
  for (size_t i = 0; i < w->m.len; i++)
    xasprintf (&v[i], "%s=%s", w->m.keys[i], w->m.values[i]);
  oci_json_free (&kv_wrapper_type, w);
  return v;
}

static struct store_volume *
volume_from_row (sqlite3_stmt *st)
{
  struct store_volume *v = xzalloc (sizeof *v);

  v->name = xstrdup ((const char *) sqlite3_column_text (st, 0));
  v->driver = xstrdup ((const char *) sqlite3_column_text (st, 1));
  v->created = sqlite3_column_int64 (st, 2);
  v->anonymous = sqlite3_column_int (st, 3) != 0;
  v->labels = kv_from_json ((const char *) sqlite3_column_text (st, 4));
  v->options = kv_from_json ((const char *) sqlite3_column_text (st, 5));
  return v;
}

/* 1 found, 0 absent.  */
static int
volume_load (struct berth_store *s, const char *name, struct store_volume **out, oci_error_t **err)
{
  cleanup_stmt sqlite3_stmt *st = NULL;
  int rc;

  if (db_prepare (s, "SELECT " VOLUME_COLUMNS " FROM volumes WHERE name = ?", &st, err) < 0)
    return -1;
  db_bind_text (st, 1, name);
  rc = sqlite3_step (st);
  if (rc == SQLITE_DONE)
    return 0;
  if (rc != SQLITE_ROW)
    return db_fail (s, "look up volume", err);
  if (out)
    *out = volume_from_row (st);
  return 1;
}

static int
volume_insert (struct berth_store *s, const char *name, bool anonymous, char *const *labels,
               char *const *options, oci_error_t **err)
{
  cleanup_stmt sqlite3_stmt *st = NULL;
  cleanup_free char *labels_json = kv_to_json (labels);
  cleanup_free char *options_json = kv_to_json (options);

  if (db_prepare (s, "INSERT INTO volumes (" VOLUME_COLUMNS ") VALUES (?, 'local', ?, ?, ?, ?)", &st, err)
      < 0)
    return -1;
  db_bind_text (st, 1, name);
  sqlite3_bind_int64 (st, 2, time (NULL));
  sqlite3_bind_int (st, 3, anonymous);
  db_bind_text (st, 4, labels_json);
  db_bind_text (st, 5, options_json);
  return db_step_done (s, st, "add volume", err);
}

static int
volume_create_txn (struct berth_store *s, const char *name, bool anonymous, char *const *labels,
                   char *const *options, oci_error_t **err)
{
  cleanup_free char *data = store_volume_path (s, name);
  int r = volume_load (s, name, NULL, err);

  if (r != 0)
    return r < 0 ? -1 : 0; /* docker: an existing volume is returned as it is */
  if (mkdir_p (data, 0755, err) < 0)
    return -1;
  return volume_insert (s, name, anonymous, labels, options, err);
}

int
store_volume_create (struct berth_store *s, const char *name, char *const *labels, char *const *options,
                     struct store_volume **out, oci_error_t **err)
{
  cleanup_free char *anon = NULL;
  cleanup_free char *parent = NULL;

  if (name == NULL)
    name = anon = store_random_id ();
  else if (volume_name_check (name, err) < 0)
    return -1;
  xasprintf (&parent, "%s/volumes", s->root);
  if (mkdir_p (parent, 0700, err) < 0)
    return -1;
  if (db_begin (s, err) < 0)
    return -1;
  if (volume_create_txn (s, name, anon != NULL, labels, options, err) < 0)
    {
      db_rollback (s);
      return -1;
    }
  if (db_commit (s, err) < 0)
    return -1;
  return out ? store_volume_lookup (s, name, out, err) : 0;
}

int
store_volume_lookup (struct berth_store *s, const char *name, struct store_volume **out, oci_error_t **err)
{
  int r = volume_load (s, name, out, err);

  if (r < 0)
    return -1;
  if (r == 0)
    return oci_error_set (err, ENOENT, "no such volume: %s", name);
  return 0;
}

int
store_volume_list (struct berth_store *s, struct store_volume ***out, oci_error_t **err)
{
  cleanup_stmt sqlite3_stmt *st = NULL;
  struct store_volume **l = xzalloc (sizeof *l);
  size_t n = 0;
  int rc;

  if (db_prepare (s, "SELECT " VOLUME_COLUMNS " FROM volumes ORDER BY name", &st, err) < 0)
    {
      free (l);
      return -1;
    }
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      l = xreallocarray (l, n + 2, sizeof *l);
      l[n++] = volume_from_row (st);
      l[n] = NULL;
    }
  if (rc != SQLITE_DONE)
    {
      store_volume_list_free (l);
      return db_fail (s, "list volumes", err);
    }
  *out = l;
  return 0;
}

static int
volume_users_query (struct berth_store *s, const char *name, char ***out, oci_error_t **err)
{
  cleanup_stmt sqlite3_stmt *st = NULL;
  char **v = xzalloc (sizeof (char *));
  size_t n = 0;
  int rc;

  if (db_prepare (
          s,
          "SELECT cv.container_id FROM container_volumes cv JOIN containers c ON c.id = cv.container_id"
          " WHERE cv.volume_name = ? ORDER BY c.created_ns, c.rowid",
          &st, err)
      < 0)
    {
      free (v);
      return -1;
    }
  db_bind_text (st, 1, name);
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      v = xreallocarray (v, n + 2, sizeof (char *));
      v[n++] = xstrdup ((const char *) sqlite3_column_text (st, 0));
      v[n] = NULL;
    }
  if (rc != SQLITE_DONE)
    {
      strv_free (v);
      return db_fail (s, "list the users of a volume", err);
    }
  *out = v;
  return 0;
}

int
store_volume_users (struct berth_store *s, const char *name, char ***container_ids, oci_error_t **err)
{
  return volume_users_query (s, name, container_ids, err);
}

static int
volume_in_use_error (char *const *users, oci_error_t **err)
{
  cleanup_strbuf struct strbuf sb = STRBUF_INIT;

  for (size_t i = 0; users[i]; i++)
    strbuf_addf (&sb, "%s%s", i ? ", " : "", users[i]);
  return oci_error_set (err, EBUSY, "volume is in use - [%s]", strbuf_str (&sb));
}

static int
volume_delete_rows (struct berth_store *s, const char *name, oci_error_t **err)
{
  cleanup_stmt sqlite3_stmt *links = NULL;
  cleanup_stmt sqlite3_stmt *row = NULL;

  if (db_prepare (s, "DELETE FROM container_volumes WHERE volume_name = ?", &links, err) < 0
      || db_prepare (s, "DELETE FROM volumes WHERE name = ?", &row, err) < 0)
    return -1;
  db_bind_text (links, 1, name);
  db_bind_text (row, 1, name);
  if (db_step_done (s, links, "unlink volume", err) < 0 || db_step_done (s, row, "remove volume", err) < 0)
    return -1;
  return 0;
}

/* The directory goes first to tmp/ by rename (atomic, inside the
   transaction), then is deleted after the commit.  */
static int
volume_remove_txn (struct berth_store *s, const char *name, bool force, const char *trash, oci_error_t **err)
{
  cleanup_strv char **users = NULL;
  cleanup_free char *dir = NULL;
  int r = volume_load (s, name, NULL, err);

  if (r < 0)
    return -1;
  if (r == 0)
    return oci_error_set (err, ENOENT, "no such volume: %s", name);
  if (volume_users_query (s, name, &users, err) < 0)
    return -1;
  if (users[0] && !force)
    return volume_in_use_error (users, err);
  if (volume_delete_rows (s, name, err) < 0)
    return -1;
  xasprintf (&dir, "%s/volumes/%s", s->root, name);
  if (rename (dir, trash) < 0 && errno != ENOENT)
    return oci_error_errno (err, errno, "rename `%s` to `%s`", dir, trash);
  return 0;
}

int
store_volume_remove (struct berth_store *s, const char *name, bool force, oci_error_t **err)
{
  cleanup_free char *trash = NULL;

  if (name == NULL || !store_volume_name_valid (name))
    return oci_error_set (err, ENOENT, "no such volume: %s", name ? name : "");
  xasprintf (&trash, "%s/tmp/volume-%s", s->root, name);
  if (remove_recursive (trash, err) < 0)
    return -1;
  if (db_begin (s, err) < 0)
    return -1;
  if (volume_remove_txn (s, name, force, trash, err) < 0)
    {
      db_rollback (s);
      return -1;
    }
  if (db_commit (s, err) < 0)
    return -1;
  return remove_recursive (trash, err);
}

static int64_t
dir_size_at (int dfd)
{
  cleanup_dir DIR *d = fdopendir (dfd);
  struct dirent *de;
  int64_t total = 0;

  if (d == NULL)
    {
      close (dfd);
      return 0;
    }
  while ((de = readdir (d)) != NULL)
    {
      struct stat st;

      if (streq (de->d_name, ".") || streq (de->d_name, ".."))
        continue;
      if (fstatat (dirfd (d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        continue;
      if (S_ISDIR (st.st_mode))
        {
          int sub = openat (dirfd (d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

          if (sub >= 0)
            total += dir_size_at (sub);
        }
      else if (S_ISREG (st.st_mode))
        total += st.st_size;
    }
  return total;
}

/* Bytes of the regular files under a directory (0 when unreadable).  */
int64_t
store_dir_size (const char *path)
{
  int fd = open (path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

  return fd < 0 ? 0 : dir_size_at (fd);
}

int64_t
store_volume_size (struct berth_store *s, const char *name)
{
  cleanup_free char *path = store_volume_path (s, name);

  return store_dir_size (path);
}
