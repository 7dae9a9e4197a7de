/* Garbage collection and consistency checks of the store.

   store_gc holds the database write lock while it deletes, so no image
   can start referencing a blob it is removing.  Content a live process has
   just stored is protected by that process's leases; temp files and
   extraction directories are protected by the flock their owner holds.  */
#include "config.h"
#include "store_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "digest.h"
#include "fileutil.h"
#include "strbuf.h"
#include "util.h"

#define SQL_BLOB_REFERENCED                                                                                  \
  "SELECT EXISTS (SELECT 1 FROM images WHERE id = ?1 OR manifest_digest = ?1)"                               \
  " OR EXISTS (SELECT 1 FROM image_layers WHERE blob_digest = ?1)"                                           \
  " OR EXISTS (SELECT 1 FROM leases WHERE digest = ?1)"
#define SQL_LAYER_REFERENCED                                                                                 \
  "SELECT EXISTS (SELECT 1 FROM image_layers WHERE diff_id = ?1)"                                            \
  " OR EXISTS (SELECT 1 FROM leases WHERE digest = ?1)"

static int
gc_query_bool (struct berth_store *s, const char *sql, const char *key, bool *out, oci_error_t **err)
{
  cleanup_stmt sqlite3_stmt *st = NULL;

  if (db_prepare (s, sql, &st, err) < 0)
    return -1;
  db_bind_text (st, 1, key);
  if (sqlite3_step (st) != SQLITE_ROW)
    return db_fail (s, sql, err);
  *out = sqlite3_column_int (st, 0) != 0;
  return 0;
}

/* Leases of processes that died (kill -9 while pulling) protect nothing.  */
static int
gc_drop_dead_leases (struct berth_store *s, oci_error_t **err)
{
  cleanup_stmt sqlite3_stmt *st = NULL;
  cleanup_stmt sqlite3_stmt *del = NULL;

  if (db_prepare (s, "SELECT DISTINCT pid FROM leases", &st, err) < 0
      || db_prepare (s, "DELETE FROM leases WHERE pid = ?", &del, err) < 0)
    return -1;
  while (sqlite3_step (st) == SQLITE_ROW)
    {
      pid_t pid = (pid_t) sqlite3_column_int64 (st, 0);

      if (kill (pid, 0) == 0 || errno != ESRCH)
        continue;
      sqlite3_reset (del);
      sqlite3_bind_int64 (del, 1, pid);
      if (db_step_done (s, del, "drop lease", err) < 0)
        return -1;
    }
  return 0;
}

static int
gc_blobs_of (struct berth_store *s, const char *alg, uint64_t *reclaimed, oci_error_t **err)
{
  cleanup_free char *dir = NULL;
  cleanup_dir DIR *d = NULL;
  struct dirent *de;

  xasprintf (&dir, "%s/blobs/%s", s->root, alg);
  d = opendir (dir);
  if (d == NULL)
    return errno == ENOENT ? 0 : oci_error_errno (err, errno, "open %s", dir);
  while ((de = readdir (d)) != NULL)
    {
      cleanup_free char *digest = NULL;
      struct stat st;
      bool used;

      if (de->d_name[0] == '.')
        continue;
      xasprintf (&digest, "%s:%s", alg, de->d_name);
      if (gc_query_bool (s, SQL_BLOB_REFERENCED, digest, &used, err) < 0)
        return -1;
      if (used)
        continue;
      if (fstatat (dirfd (d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
        *reclaimed += st.st_size;
      if (unlinkat (dirfd (d), de->d_name, 0) < 0 && errno != ENOENT)
        return oci_error_errno (err, errno, "remove %s/%s", dir, de->d_name);
    }
  return 0;
}

/* A layer directory is first renamed into tmp/ (atomic), then deleted: a
   crash never leaves a half-deleted directory under layers/.  */
static int
gc_remove_layer (struct berth_store *s, const char *hex, oci_error_t **err)
{
  cleanup_free char *from = NULL;
  cleanup_free char *to = NULL;

  xasprintf (&from, "%s/layers/%s", s->root, hex);
  xasprintf (&to, "%s/tmp/gc-%s", s->root, hex);
  if (remove_recursive (to, err) < 0)
    return -1;
  if (rename (from, to) < 0)
    return oci_error_errno (err, errno, "rename %s to %s", from, to);
  return remove_recursive (to, err);
}

static int
gc_layers (struct berth_store *s, uint64_t *reclaimed, oci_error_t **err)
{
  cleanup_free char *dir = NULL;
  cleanup_dir DIR *d = NULL;
  cleanup_stmt sqlite3_stmt *del = NULL;
  struct dirent *de;

  xasprintf (&dir, "%s/layers", s->root);
  d = opendir (dir);
  if (d == NULL)
    return oci_error_errno (err, errno, "open %s", dir);
  if (db_prepare (s, "DELETE FROM layers WHERE diff_id = ?", &del, err) < 0)
    return -1;
  while ((de = readdir (d)) != NULL)
    {
      cleanup_free char *diff_id = NULL;
      bool used;

      if (de->d_name[0] == '.')
        continue;
      xasprintf (&diff_id, "sha256:%s", de->d_name);
      if (gc_query_bool (s, SQL_LAYER_REFERENCED, diff_id, &used, err) < 0)
        return -1;
      if (used)
        continue;
      *reclaimed += store_layer_size (s, diff_id);
      if (gc_remove_layer (s, de->d_name, err) < 0)
        return -1;
      sqlite3_reset (del);
      db_bind_text (del, 1, diff_id);
      if (db_step_done (s, del, "delete layer", err) < 0)
        return -1;
    }
  return 0;
}

/* Rows of layers whose directory is gone (a crash after the rename of a
   collection) are dropped so the layer is extracted again when needed.  */
static int
gc_layer_rows (struct berth_store *s, oci_error_t **err)
{
  cleanup_stmt sqlite3_stmt *st = NULL;
  cleanup_stmt sqlite3_stmt *del = NULL;

  if (db_prepare (s, "SELECT diff_id FROM layers", &st, err) < 0
      || db_prepare (s, "DELETE FROM layers WHERE diff_id = ?", &del, err) < 0)
    return -1;
  while (sqlite3_step (st) == SQLITE_ROW)
    {
      const char *id = (const char *) sqlite3_column_text (st, 0);

      if (store_layer_exists (s, id))
        continue;
      sqlite3_reset (del);
      db_bind_text (del, 1, id);
      if (db_step_done (s, del, "delete layer row", err) < 0)
        return -1;
    }
  return 0;
}

/* Temp files and directories whose owner no longer holds their lock.  */
static int
gc_tmp (struct berth_store *s, uint64_t *reclaimed, oci_error_t **err)
{
  cleanup_free char *dir = NULL;
  cleanup_dir DIR *d = NULL;
  struct dirent *de;

  xasprintf (&dir, "%s/tmp", s->root);
  d = opendir (dir);
  if (d == NULL)
    return oci_error_errno (err, errno, "open %s", dir);
  while ((de = readdir (d)) != NULL)
    {
      cleanup_free char *path = NULL;
      cleanup_close int fd = -1;
      struct stat st;

      if (streq (de->d_name, ".") || streq (de->d_name, ".."))
        continue;
      fd = openat (dirfd (d), de->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
      if (fd >= 0 && flock (fd, LOCK_EX | LOCK_NB) < 0)
        continue; /* in use */
      xasprintf (&path, "%s/%s", dir, de->d_name);
      if (fstatat (dirfd (d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG (st.st_mode))
        *reclaimed += st.st_size;
      if (remove_recursive (path, err) < 0)
        return -1;
    }
  return 0;
}

/* Container directories without a row, older than this, are leftovers of
   a create that crashed before its row was written.  */
#define CONTAINER_DIR_GRACE_S (10 * 60)

/* Whether <path> is mounted on (its device differs from its parent's).
   Kept here: gc.c must not depend on the container code.  */
static bool
gc_is_mountpoint (const char *path)
{
  cleanup_free char *parent = NULL;
  struct stat a, b;

  xasprintf (&parent, "%s/..", path);
  if (lstat (path, &a) < 0 || !S_ISDIR (a.st_mode) || stat (parent, &b) < 0)
    return false;
  return a.st_dev != b.st_dev;
}

static bool
container_dir_busy (int parent, const char *name, const char *path)
{
  cleanup_free char *merged = NULL;
  cleanup_close int fd = openat (parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  cleanup_close int lock = -1;
  struct stat st;

  if (fd < 0 || fstat (fd, &st) < 0 || st.st_mtime > time (NULL) - CONTAINER_DIR_GRACE_S)
    return true;
  xasprintf (&merged, "%s/merged", path);
  if (gc_is_mountpoint (merged))
    return true;
  /* A creator or mounter holds the directory's flock; a live monitor its
     monitor.lock.  */
  if (flock (fd, LOCK_EX | LOCK_NB) < 0)
    return true;
  lock = openat (fd, "monitor.lock", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  return lock >= 0 && flock (lock, LOCK_EX | LOCK_NB) < 0;
}

static int
gc_containers (struct berth_store *s, oci_error_t **err)
{
  cleanup_free char *dir = NULL;
  cleanup_dir DIR *d = NULL;
  struct dirent *de;

  xasprintf (&dir, "%s/containers", s->root);
  d = opendir (dir);
  if (d == NULL)
    return errno == ENOENT ? 0 : oci_error_errno (err, errno, "open %s", dir);
  while ((de = readdir (d)) != NULL)
    {
      cleanup_free char *path = NULL;
      bool used;

      if (de->d_name[0] == '.' || strlen (de->d_name) != 64)
        continue;
      if (gc_query_bool (s, "SELECT EXISTS (SELECT 1 FROM containers WHERE id = ?)", de->d_name, &used, err)
          < 0)
        return -1;
      xasprintf (&path, "%s/%s", dir, de->d_name);
      if (used || container_dir_busy (dirfd (d), de->d_name, path))
        continue;
      if (remove_recursive (path, err) < 0)
        return -1;
    }
  return 0;
}

int
store_gc (struct berth_store *s, uint64_t *reclaimed, oci_error_t **err)
{
  uint64_t total = 0;

  if (db_begin (s, err) < 0)
    return -1;
  if (gc_drop_dead_leases (s, err) < 0 || gc_blobs_of (s, "sha256", &total, err) < 0
      || gc_blobs_of (s, "sha512", &total, err) < 0 || gc_layers (s, &total, err) < 0
      || gc_layer_rows (s, err) < 0 || gc_tmp (s, &total, err) < 0 || gc_containers (s, err) < 0)
    {
      db_rollback (s);
      return oci_error_prefix (err, "garbage collection");
    }
  if (db_commit (s, err) < 0)
    return -1;
  if (reclaimed)
    *reclaimed = total;
  return 0;
}

/* --- check --- */

static void
check_blobs_of (struct berth_store *s, const char *alg, struct strbuf *report)
{
  cleanup_free char *dir = NULL;
  cleanup_dir DIR *d = NULL;
  struct dirent *de;

  xasprintf (&dir, "%s/blobs/%s", s->root, alg);
  d = opendir (dir);
  if (d == NULL)
    return;
  while ((de = readdir (d)) != NULL)
    {
      cleanup_free char *path = NULL;
      cleanup_free char *actual = NULL;
      cleanup_error oci_error_t *e = NULL;

      if (de->d_name[0] == '.')
        continue;
      xasprintf (&path, "%s/%s", dir, de->d_name);
      if (oci_digest_file (alg, path, &actual, NULL, &e) < 0)
        strbuf_addf (report, "blob %s:%s: %s\n", alg, de->d_name, e->msg);
      else if (!streq (actual + strlen (alg) + 1, de->d_name))
        strbuf_addf (report, "blob %s:%s: corrupted: content digest is %s\n", alg, de->d_name, actual);
    }
}

static void
check_image_refs (struct berth_store *s, struct strbuf *report)
{
  cleanup_stmt sqlite3_stmt *st = NULL;
  cleanup_error oci_error_t *e = NULL;

  if (db_prepare (s,
                  "SELECT id, 'manifest', manifest_digest FROM images UNION ALL "
                  "SELECT id, 'config', id FROM images UNION ALL "
                  "SELECT image_id, 'layer blob', blob_digest FROM image_layers UNION ALL "
                  "SELECT image_id, 'layer', diff_id FROM image_layers",
                  &st, &e)
      < 0)
    {
      strbuf_addf (report, "%s\n", e->msg);
      return;
    }
  while (sqlite3_step (st) == SQLITE_ROW)
    {
      const char *id = (const char *) sqlite3_column_text (st, 0);
      const char *kind = (const char *) sqlite3_column_text (st, 1);
      const char *ref = (const char *) sqlite3_column_text (st, 2);
      bool ok = streq (kind, "layer") ? store_layer_exists (s, ref) : store_blob_exists (s, ref);

      if (!ok)
        strbuf_addf (report, "image %s: %s %s is missing\n", id, kind, ref);
    }
}

static void
check_dangling (struct berth_store *s, struct strbuf *report)
{
  cleanup_stmt sqlite3_stmt *st = NULL;
  cleanup_error oci_error_t *e = NULL;

  if (db_prepare (s,
                  "SELECT 'name', name, image_id FROM names WHERE image_id NOT IN (SELECT id FROM images) "
                  "UNION ALL SELECT 'repo digest', repo_digest, image_id FROM repo_digests "
                  "WHERE image_id NOT IN (SELECT id FROM images) "
                  "UNION ALL SELECT 'image layer', image_id, diff_id FROM image_layers "
                  "WHERE image_id NOT IN (SELECT id FROM images)",
                  &st, &e)
      < 0)
    {
      strbuf_addf (report, "%s\n", e->msg);
      return;
    }
  while (sqlite3_step (st) == SQLITE_ROW)
    strbuf_addf (report, "%s %s: points to missing image %s\n", sqlite3_column_text (st, 0),
                 sqlite3_column_text (st, 1), sqlite3_column_text (st, 2));
}

static int
check_integrity (struct berth_store *s, struct strbuf *report, oci_error_t **err)
{
  cleanup_stmt sqlite3_stmt *st = NULL;

  if (db_prepare (s, "PRAGMA integrity_check", &st, err) < 0)
    return -1;
  while (sqlite3_step (st) == SQLITE_ROW)
    {
      const char *msg = (const char *) sqlite3_column_text (st, 0);

      if (msg && !streq (msg, "ok"))
        strbuf_addf (report, "database: %s\n", msg);
    }
  return 0;
}

int
store_check (struct berth_store *s, char **report, oci_error_t **err)
{
  struct strbuf sb = STRBUF_INIT;

  if (check_integrity (s, &sb, err) < 0)
    {
      strbuf_release (&sb);
      return -1;
    }
  check_blobs_of (s, "sha256", &sb);
  check_blobs_of (s, "sha512", &sb);
  check_image_refs (s, &sb);
  check_dangling (s, &sb);
  *report = strbuf_detach (&sb, NULL);
  return **report ? 1 : 0;
}
