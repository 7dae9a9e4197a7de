/* The store's metadata database: opening, schema migrations, transactions
   and the small helpers the other store files use.  */
#include "config.h"
#include "store_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "digest.h"
#include "fileutil.h"
#include "util.h"

#define STORE_BUSY_TIMEOUT_MS 10000

/* Version 1: images, their layers, names, repo digests, unpacked layers
   and the leases of processes that are storing content.  */
static const char schema_v1[] = "CREATE TABLE images ("
                                "  id TEXT PRIMARY KEY,"
                                "  manifest_digest TEXT NOT NULL,"
                                "  manifest_media_type TEXT NOT NULL,"
                                "  created INTEGER NOT NULL,"
                                "  added INTEGER NOT NULL);"
                                "CREATE TABLE image_layers ("
                                "  image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,"
                                "  idx INTEGER NOT NULL,"
                                "  blob_digest TEXT NOT NULL,"
                                "  diff_id TEXT NOT NULL,"
                                "  PRIMARY KEY (image_id, idx));"
                                "CREATE INDEX image_layers_diff ON image_layers(diff_id);"
                                "CREATE TABLE names ("
                                "  name TEXT PRIMARY KEY,"
                                "  image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,"
                                "  added INTEGER NOT NULL);"
                                "CREATE TABLE repo_digests ("
                                "  repo_digest TEXT PRIMARY KEY,"
                                "  image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE);"
                                "CREATE TABLE layers ("
                                "  diff_id TEXT PRIMARY KEY,"
                                "  blob_digest TEXT,"
                                "  size INTEGER NOT NULL);"
                                "CREATE INDEX layers_blob ON layers(blob_digest);"
                                "CREATE TABLE leases ("
                                "  digest TEXT NOT NULL,"
                                "  pid INTEGER NOT NULL,"
                                "  PRIMARY KEY (digest, pid));";

/* Version 2: containers (name unique by constraint), the volumes they
   use and local volumes.  An image a container uses cannot be deleted:
   `rmi -f` leaves it dangling instead.  */
static const char schema_v2[] = "CREATE TABLE containers ("
                                "  id TEXT PRIMARY KEY,"
                                "  name TEXT NOT NULL UNIQUE,"
                                "  image_id TEXT NOT NULL,"
                                "  image_name TEXT NOT NULL,"
                                "  command TEXT NOT NULL,"
                                "  created_ns INTEGER NOT NULL,"
                                "  runtime TEXT NOT NULL,"
                                "  record TEXT NOT NULL);"
                                "CREATE INDEX containers_image ON containers(image_id);"
                                "CREATE TABLE container_volumes ("
                                "  container_id TEXT NOT NULL REFERENCES containers(id) ON DELETE CASCADE,"
                                "  volume_name TEXT NOT NULL,"
                                "  PRIMARY KEY (container_id, volume_name));"
                                "CREATE INDEX container_volumes_volume ON container_volumes(volume_name);"
                                "CREATE TABLE volumes ("
                                "  name TEXT PRIMARY KEY,"
                                "  driver TEXT NOT NULL,"
                                "  created INTEGER NOT NULL,"
                                "  anonymous INTEGER NOT NULL,"
                                "  labels_json TEXT NOT NULL,"
                                "  options_json TEXT NOT NULL);"
                                "CREATE TRIGGER images_in_use BEFORE DELETE ON images"
                                "  WHEN EXISTS (SELECT 1 FROM containers WHERE image_id = OLD.id)"
                                "  BEGIN SELECT RAISE(ABORT, 'the image is used by a container'); END;";

/* Version 3: networks, the endpoints (IP allocations) of containers on
   them and published ports.  Endpoints and ports go with their container
   row; a network with endpoints cannot be deleted (no cascade).  */
static const char schema_v3[] = "CREATE TABLE networks ("
                                "  id TEXT PRIMARY KEY,"
                                "  name TEXT NOT NULL UNIQUE,"
                                "  driver TEXT NOT NULL,"
                                "  subnet TEXT NOT NULL,"
                                "  gateway TEXT NOT NULL,"
                                "  bridge TEXT NOT NULL UNIQUE,"
                                "  internal INTEGER NOT NULL,"
                                "  created INTEGER NOT NULL,"
                                "  labels_json TEXT NOT NULL,"
                                "  options_json TEXT NOT NULL);"
                                "CREATE TABLE endpoints ("
                                "  network_id TEXT NOT NULL REFERENCES networks(id),"
                                "  container_id TEXT NOT NULL REFERENCES containers(id) ON DELETE CASCADE,"
                                "  ip TEXT NOT NULL,"
                                "  mac TEXT NOT NULL,"
                                "  ifname TEXT NOT NULL,"
                                "  veth TEXT NOT NULL UNIQUE,"
                                "  aliases_json TEXT NOT NULL,"
                                "  position INTEGER NOT NULL,"
                                "  PRIMARY KEY (network_id, container_id),"
                                "  UNIQUE (network_id, ip),"
                                "  UNIQUE (container_id, position));"
                                "CREATE TABLE ports ("
                                "  container_id TEXT NOT NULL REFERENCES containers(id) ON DELETE CASCADE,"
                                "  proto TEXT NOT NULL,"
                                "  host_ip TEXT NOT NULL,"
                                "  host_port INTEGER NOT NULL,"
                                "  container_port INTEGER NOT NULL,"
                                "  UNIQUE (proto, host_ip, host_port));"
                                "CREATE INDEX ports_container ON ports(container_id);";

static const char *const migrations[] = { schema_v1, schema_v2, schema_v3 };
_Static_assert(ARRAY_SIZE (migrations) == STORE_SCHEMA_VERSION, "one migration per schema version");

void
db_finalizep (sqlite3_stmt **stmt)
{
  if (*stmt)
    sqlite3_finalize (*stmt);
}

int
db_fail (struct berth_store *s, const char *what, oci_error_t **err)
{
  int code = sqlite3_errcode (s->db);
  int status = (code == SQLITE_BUSY || code == SQLITE_LOCKED) ? EBUSY : EIO;

  return oci_error_set (err, status, "%s/berth.db: %s: %s", s->root, what, sqlite3_errmsg (s->db));
}

int
db_exec (struct berth_store *s, const char *sql, oci_error_t **err)
{
  if (sqlite3_exec (s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    return db_fail (s, sql, err);
  return 0;
}

int
db_prepare (struct berth_store *s, const char *sql, sqlite3_stmt **stmt, oci_error_t **err)
{
  if (sqlite3_prepare_v2 (s->db, sql, -1, stmt, NULL) != SQLITE_OK)
    return db_fail (s, sql, err);
  return 0;
}

int
db_step_done (struct berth_store *s, sqlite3_stmt *stmt, const char *what, oci_error_t **err)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return db_fail (s, what, err);
  return 0;
}

void
db_bind_text (sqlite3_stmt *stmt, int idx, const char *text)
{
  if (text)
    sqlite3_bind_text (stmt, idx, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, idx);
}

int
db_begin (struct berth_store *s, oci_error_t **err)
{
  return db_exec (s, "BEGIN IMMEDIATE", err);
}

int
db_commit (struct berth_store *s, oci_error_t **err)
{
  if (db_exec (s, "COMMIT", err) < 0)
    {
      db_rollback (s);
      return -1;
    }
  return 0;
}

void
db_rollback (struct berth_store *s)
{
  if (!sqlite3_get_autocommit (s->db))
    sqlite3_exec (s->db, "ROLLBACK", NULL, NULL, NULL);
}

static int
db_user_version (struct berth_store *s, int *version, oci_error_t **err)
{
  cleanup_stmt sqlite3_stmt *st = NULL;

  if (db_prepare (s, "PRAGMA user_version", &st, err) < 0)
    return -1;
  if (sqlite3_step (st) != SQLITE_ROW)
    return db_fail (s, "PRAGMA user_version", err);
  *version = sqlite3_column_int (st, 0);
  return 0;
}

/* Apply the migrations the database has not seen, each in the same
   transaction as the user_version bump.  */
static int
db_migrate (struct berth_store *s, oci_error_t **err)
{
  int version = 0;

  if (db_begin (s, err) < 0)
    return -1;
  if (db_user_version (s, &version, err) < 0)
    goto fail;
  if (version > STORE_SCHEMA_VERSION)
    {
      oci_error_set (err, EPROTO, "%s/berth.db: schema version %d is newer than this berth (%d)", s->root,
                     version, STORE_SCHEMA_VERSION);
      goto fail;
    }
  for (; version < STORE_SCHEMA_VERSION; version++)
    {
      char pragma[64];

      if (db_exec (s, migrations[version], err) < 0)
        goto fail;
      snprintf (pragma, sizeof pragma, "PRAGMA user_version = %d", version + 1);
      if (db_exec (s, pragma, err) < 0)
        goto fail;
    }
  return db_commit (s, err);
fail:
  db_rollback (s);
  return -1;
}

static int
store_make_dirs (const char *root, oci_error_t **err)
{
  static const char *const subdirs[] = { "blobs/sha256", "blobs/sha512", "layers", "tmp" };

  if (mkdir_p (root, 0700, err) < 0)
    return -1;
  for (size_t i = 0; i < ARRAY_SIZE (subdirs); i++)
    {
      cleanup_free char *p = NULL;

      xasprintf (&p, "%s/%s", root, subdirs[i]);
      if (mkdir_p (p, 0700, err) < 0)
        return -1;
    }
  return 0;
}

static int
db_open (struct berth_store *s, oci_error_t **err)
{
  cleanup_free char *path = NULL;

  xasprintf (&path, "%s/berth.db", s->root);
  if (sqlite3_open_v2 (path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL)
      != SQLITE_OK)
    {
      oci_error_set (err, EIO, "%s: cannot open: %s", path, s->db ? sqlite3_errmsg (s->db) : "out of memory");
      return -1;
    }
  sqlite3_busy_timeout (s->db, STORE_BUSY_TIMEOUT_MS);
  /* WAL with synchronous=NORMAL: a killed process never loses or tears a
     commit; a power loss may lose the last commits but never corrupts the
     database, and every file a row points to was made durable before the
     row was written, so what remains is consistent (gc collects what lost
     its row).  FULL would fsync the WAL on every commit of every command.  */
  if (db_exec (s, "PRAGMA journal_mode = WAL", err) < 0 || db_exec (s, "PRAGMA synchronous = NORMAL", err) < 0
      || db_exec (s, "PRAGMA foreign_keys = ON", err) < 0)
    return -1;
  return db_migrate (s, err);
}

int
store_open (const char *root, struct berth_store **out, oci_error_t **err)
{
  struct berth_store *s;

  if (root == NULL || *root == '\0')
    return oci_error_set (err, EINVAL, "store root: empty path");
  if (store_make_dirs (root, err) < 0)
    return oci_error_prefix (err, "store %s", root);
  s = xzalloc (sizeof *s);
  s->root = xstrdup (root);
  s->rootfd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (s->rootfd < 0)
    {
      oci_error_errno (err, errno, "open %s", root);
      store_close (s);
      return -1;
    }
  if (db_open (s, err) < 0)
    {
      store_close (s);
      return -1;
    }
  *out = s;
  return 0;
}

void
store_close (struct berth_store *s)
{
  if (s == NULL)
    return;
  if (s->db)
    {
      store_lease_release_all (s);
      sqlite3_close_v2 (s->db);
    }
  if (s->rootfd >= 0)
    close (s->rootfd);
  free (s->root);
  free (s);
}

const char *
store_root (const struct berth_store *s)
{
  return s->root;
}

int
store_lease_add (struct berth_store *s, const char *digest, oci_error_t **err)
{
  cleanup_stmt sqlite3_stmt *st = NULL;

  if (db_prepare (s, "INSERT OR IGNORE INTO leases (digest, pid) VALUES (?, ?)", &st, err) < 0)
    return -1;
  db_bind_text (st, 1, digest);
  sqlite3_bind_int64 (st, 2, getpid ());
  return db_step_done (s, st, "add lease", err);
}

void
store_lease_release_all (struct berth_store *s)
{
  cleanup_stmt sqlite3_stmt *st = NULL;
  cleanup_error oci_error_t *err = NULL;

  if (db_prepare (s, "DELETE FROM leases WHERE pid = ?", &st, &err) < 0)
    return;
  sqlite3_bind_int64 (st, 1, getpid ());
  sqlite3_step (st);
}

char *
store_digest_path (struct berth_store *s, const char *dir, const char *digest)
{
  cleanup_free char *alg = NULL;
  cleanup_free char *hex = NULL;
  cleanup_error oci_error_t *err = NULL;
  char *p;

  if (digest == NULL || oci_digest_parse (digest, &alg, &hex, &err) < 0)
    return NULL;
  if (streq (dir, "blobs"))
    xasprintf (&p, "%s/blobs/%s/%s", s->root, alg, hex);
  else
    xasprintf (&p, "%s/%s/%s", s->root, dir, hex);
  return p;
}

char *
store_tmp_template (struct berth_store *s, const char *prefix)
{
  char *p;

  xasprintf (&p, "%s/tmp/%sXXXXXX", s->root, prefix);
  return p;
}
