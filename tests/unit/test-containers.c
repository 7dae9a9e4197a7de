/* Containers and volumes in the store (rows, names, lookups, concurrency,
   schema migration, overlay rootfs) and the reader of the monitor's state
   files (statuses, lock liveness, health, docker's status wording).  */
#include "config.h"
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fileutil.h"
#include "manager/container/state.h"
#include "manager/store/containers.h"
#include "manager/store/store.h"
#include "manager/store/store_internal.h"
#include "manager/store/volumes.h"

#define ID_A                                                                                                 \
  "aaaa1111"                                                                                                 \
  "0000000000000000000000000000000000000000000000000000000a"
#define ID_B                                                                                                 \
  "aaaa2222"                                                                                                 \
  "0000000000000000000000000000000000000000000000000000000b"
#define ID_C                                                                                                 \
  "cccc0000"                                                                                                 \
  "0000000000000000000000000000000000000000000000000000000c"
#define ID_D                                                                                                 \
  "dddd0000"                                                                                                 \
  "0000000000000000000000000000000000000000000000000000000d"
#define IMAGE_ID                                                                                             \
  "sha256:"                                                                                                  \
  "1111111111111111111111111111111111111111111111111111111111111111"
#define SEC ((int64_t) 1000000000)

struct fixture
{
  char dir[64];
  char *root;
  struct berth_store *s;
};

static int
setup (void **state)
{
  struct fixture *f = xzalloc (sizeof *f);
  oci_error_t *err = NULL;

  strcpy (f->dir, "/tmp/test-containers.XXXXXX");
  if (mkdtemp (f->dir) == NULL)
    return -1;
  xasprintf (&f->root, "%s/root", f->dir);
  if (store_open (f->root, &f->s, &err) < 0)
    {
      fprintf (stderr, "%s\n", err->msg);
      return -1;
    }
  *state = f;
  return 0;
}

static int
teardown (void **state)
{
  struct fixture *f = *state;
  cleanup_error oci_error_t *err = NULL;

  store_close (f->s);
  remove_recursive (f->dir, &err);
  free (f->root);
  free (f);
  return 0;
}

static void
add (struct fixture *f, const char *id, const char *name, int64_t created, char **volumes)
{
  cleanup_error oci_error_t *err = NULL;
  struct store_container c = { .id = (char *) id,
                               .name = (char *) name,
                               .image_id = (char *) IMAGE_ID,
                               .image_name = (char *) "busybox",
                               .command = (char *) "sh -c 'echo hi'",
                               .created_ns = created,
                               .runtime = (char *) "/usr/bin/hull",
                               .record = (char *) "{\"Path\":\"sh\"}",
                               .volumes = volumes };

  assert_int_equal (store_container_add (f->s, &c, &err), 0);
  assert_no_error (err);
}

static struct store_container *
lookup_ok (struct fixture *f, const char *ref)
{
  cleanup_error oci_error_t *err = NULL;
  struct store_container *c = NULL;

  if (store_container_lookup (f->s, ref, &c, &err) < 0)
    fail_msg ("lookup %s: %s", ref, err->msg);
  return c;
}

static void
lookup_fails (struct fixture *f, const char *ref, int status, const char *msg)
{
  cleanup_error oci_error_t *err = NULL;
  struct store_container *c = NULL;

  assert_int_equal (store_container_lookup (f->s, ref, &c, &err), -1);
  assert_null (c);
  assert_int_equal (err->status, status);
  assert_string_equal (err->msg, msg);
}

/* --- rows --- */

static void
test_add_lookup (void **state)
{
  struct fixture *f = *state;
  char *vols[] = { (char *) "data", (char *) "cache", NULL };
  struct store_container *c;

  add (f, ID_A, "web", 100, vols);
  add (f, ID_B, "/db", 200, NULL);
  c = lookup_ok (f, "web");
  assert_string_equal (c->id, ID_A);
  assert_string_equal (c->name, "web");
  assert_string_equal (c->image_id, IMAGE_ID);
  assert_string_equal (c->image_name, "busybox");
  assert_string_equal (c->command, "sh -c 'echo hi'");
  assert_int_equal (c->created_ns, 100);
  assert_string_equal (c->runtime, "/usr/bin/hull");
  assert_string_equal (c->record, "{\"Path\":\"sh\"}");
  assert_non_null (c->volumes);
  assert_string_equal (c->volumes[0], "data");
  assert_string_equal (c->volumes[1], "cache");
  assert_null (c->volumes[2]);
  store_container_free (c);

  c = lookup_ok (f, "/web");
  assert_string_equal (c->id, ID_A);
  store_container_free (c);
  c = lookup_ok (f, "db"); /* the leading '/' of --name was dropped */
  assert_string_equal (c->name, "db");
  assert_null (c->volumes);
  store_container_free (c);
  c = lookup_ok (f, ID_B);
  assert_string_equal (c->name, "db");
  store_container_free (c);
  c = lookup_ok (f, "aaaa1");
  assert_string_equal (c->name, "web");
  store_container_free (c);
}

static void
test_lookup_errors (void **state)
{
  struct fixture *f = *state;

  add (f, ID_A, "web", 1, NULL);
  add (f, ID_B, "db", 2, NULL);
  lookup_fails (f, "aaaa", EINVAL, "multiple containers match aaaa");
  lookup_fails (f, "nothere", ENOENT, "No such container: nothere");
  lookup_fails (f, "ccc", ENOENT, "No such container: ccc");
  lookup_fails (f, "", ENOENT, "No such container: ");
  lookup_fails (f, "AAAA1", ENOENT, "No such container: AAAA1");
}

/* A name that looks like an id prefix: docker prefers the name.  */
static void
test_lookup_name_before_prefix (void **state)
{
  struct fixture *f = *state;
  struct store_container *c;

  add (f, ID_A, "cccc", 1, NULL);
  add (f, ID_C, "other", 2, NULL);
  c = lookup_ok (f, "cccc");
  assert_string_equal (c->id, ID_A);
  store_container_free (c);
  c = lookup_ok (f, "ccc");
  assert_string_equal (c->id, ID_C);
  store_container_free (c);
}

static void
test_name_conflict (void **state)
{
  struct fixture *f = *state;
  cleanup_error oci_error_t *err = NULL;
  struct store_container c = { .id = (char *) ID_B, .name = (char *) "web", .image_id = (char *) IMAGE_ID };
  struct store_container **l = NULL;

  add (f, ID_A, "web", 1, NULL);
  assert_int_equal (store_container_add (f->s, &c, &err), -1);
  assert_int_equal (err->status, EEXIST);
  assert_string_equal (err->msg, "the container name \"web\" is already in use by container \"" ID_A
                                 "\". You have to remove (or rename) that container to be able to reuse "
                                 "that name.");
  oci_error_free (&err);
  c.name = (char *) "x";
  assert_int_equal (store_container_add (f->s, &c, &err), -1);
  assert_int_equal (err->status, EINVAL);
  assert_string_equal (err->msg, "Invalid container name (x), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
  oci_error_free (&err);
  c.name = (char *) "other";
  c.id = (char *) ID_A;
  assert_int_equal (store_container_add (f->s, &c, &err), -1);
  assert_int_equal (err->status, EEXIST);
  oci_error_free (&err);
  /* Nothing of the failed adds is left.  */
  assert_int_equal (store_container_list (f->s, &l, &err), 0);
  assert_non_null (l[0]);
  assert_null (l[1]);
  store_container_list_free (l);
}

/* Two processes create the same name at once: exactly one wins.  */
static void
test_name_race (void **state)
{
  struct fixture *f = *state;
  const char *ids[] = { ID_A, ID_B };
  pid_t pids[2];
  int ok = 0, conflict = 0;

  for (int i = 0; i < 2; i++)
    {
      pids[i] = fork ();
      assert_true (pids[i] >= 0);
      if (pids[i] == 0)
        {
          struct berth_store *s = NULL;
          oci_error_t *err = NULL;
          struct store_container c
              = { .id = (char *) ids[i], .name = (char *) "same", .image_id = (char *) IMAGE_ID };

          if (store_open (f->root, &s, &err) < 0)
            _exit (3);
          if (store_container_add (s, &c, &err) == 0)
            _exit (0);
          _exit (err->status == EEXIST && strstr (err->msg, "is already in use by container") ? 1 : 2);
        }
    }
  for (int i = 0; i < 2; i++)
    {
      int status;

      assert_int_equal (waitpid (pids[i], &status, 0), pids[i]);
      assert_true (WIFEXITED (status));
      ok += WEXITSTATUS (status) == 0;
      conflict += WEXITSTATUS (status) == 1;
    }
  assert_int_equal (ok, 1);
  assert_int_equal (conflict, 1);
}

static void
test_list_rename_remove (void **state)
{
  struct fixture *f = *state;
  cleanup_error oci_error_t *err = NULL;
  char *vols[] = { (char *) "v1", NULL };
  struct store_container **l = NULL;
  struct store_container *c;

  add (f, ID_A, "first", 100, vols);
  add (f, ID_B, "second", 300, NULL);
  add (f, ID_C, "third", 200, NULL);
  assert_int_equal (store_container_list (f->s, &l, &err), 0);
  assert_string_equal (l[0]->name, "second");
  assert_string_equal (l[1]->name, "third");
  assert_string_equal (l[2]->name, "first");
  assert_string_equal (l[2]->volumes[0], "v1");
  assert_null (l[3]);
  store_container_list_free (l);

  assert_int_equal (store_container_rename (f->s, ID_A, "renamed", &err), 0);
  c = lookup_ok (f, "renamed");
  assert_string_equal (c->id, ID_A);
  store_container_free (c);
  lookup_fails (f, "first", ENOENT, "No such container: first");
  assert_int_equal (store_container_rename (f->s, ID_A, "second", &err), -1);
  assert_int_equal (err->status, EEXIST);
  assert_non_null (strstr (err->msg, "\"second\" is already in use by container \"" ID_B "\""));
  oci_error_free (&err);
  assert_int_equal (store_container_rename (f->s, ID_A, "bad name", &err), -1);
  assert_int_equal (err->status, EINVAL);
  oci_error_free (&err);
  assert_int_equal (store_container_rename (f->s, ID_A, "first", &err), 0); /* the old name is free */

  assert_int_equal (store_container_set_record (f->s, ID_A, "{\"new\":1}", &err), 0);
  c = lookup_ok (f, ID_A);
  assert_string_equal (c->record, "{\"new\":1}");
  store_container_free (c);

  assert_int_equal (store_container_remove (f->s, ID_A, &err), 0);
  lookup_fails (f, ID_A, ENOENT, "No such container: " ID_A);
  assert_int_equal (store_container_remove (f->s, ID_A, &err), -1);
  assert_int_equal (err->status, ENOENT);
  oci_error_free (&err);
  assert_int_equal (store_container_set_record (f->s, ID_A, "{}", &err), -1);
  assert_int_equal (err->status, ENOENT);
  oci_error_free (&err);
  /* The name is free again, the volume link is gone.  */
  add (f, ID_D, "first", 1, NULL);
  {
    cleanup_strv char **users = NULL;

    assert_int_equal (store_volume_users (f->s, "v1", &users, &err), 0);
    assert_null (users[0]);
  }
}

static void
test_names (void **state)
{
  struct fixture *f = *state;
  cleanup_error oci_error_t *err = NULL;

  assert_true (store_container_name_valid ("ab"));
  assert_true (store_container_name_valid ("a.b_c-d9"));
  assert_true (store_container_name_valid ("0x"));
  assert_false (store_container_name_valid ("a"));
  assert_false (store_container_name_valid ("_ab"));
  assert_false (store_container_name_valid ("a b"));
  assert_false (store_container_name_valid ("a/b"));
  assert_false (store_container_name_valid (""));
  assert_false (store_container_name_valid (NULL));
  for (int i = 0; i < 20; i++)
    {
      cleanup_free char *name = NULL;
      char *us;

      assert_int_equal (store_container_name_generate (f->s, &name, &err), 0);
      assert_true (store_container_name_valid (name));
      us = strchr (name, '_');
      assert_non_null (us);
      assert_null (strchr (us + 1, '_'));
    }
}

static void
test_image_users (void **state)
{
  struct fixture *f = *state;
  cleanup_error oci_error_t *err = NULL;
  cleanup_strv char **users = NULL;
  cleanup_strv char **none = NULL;

  add (f, ID_B, "two", 2, NULL);
  add (f, ID_A, "one", 1, NULL);
  assert_int_equal (store_image_users (f->s, IMAGE_ID, &users, &err), 0);
  assert_string_equal (users[0], ID_A);
  assert_string_equal (users[1], ID_B);
  assert_null (users[2]);
  assert_int_equal (store_image_users (f->s, "sha256:00", &none, &err), 0);
  assert_null (none[0]);
}

/* --- directories --- */

static void
test_dirs (void **state)
{
  struct fixture *f = *state;
  cleanup_error oci_error_t *err = NULL;
  cleanup_free char *id = NULL;
  cleanup_free char *dir = NULL;
  cleanup_free char *again = NULL;
  cleanup_free char *file = NULL;
  struct stat st;

  assert_int_equal (store_container_dir_new (f->s, &id, &dir, &err), 0);
  assert_int_equal (strlen (id), 64);
  assert_int_equal (strspn (id, "0123456789abcdef"), 64);
  again = store_container_dir (f->s, id);
  assert_string_equal (dir, again);
  assert_int_equal (stat (dir, &st), 0);
  assert_int_equal (st.st_mode & 07777, 0700);
  xasprintf (&file, "%s/config.json", dir);
  assert_int_equal (write_file_atomic (file, "{}", 2, 0600, &err), 0);
  assert_int_equal (store_container_dir_remove (f->s, id, &err), 0);
  assert_int_equal (stat (dir, &st), -1);
  assert_int_equal (store_container_dir_remove (f->s, id, &err), 0); /* missing is fine */
  assert_int_equal (store_container_dir_remove (f->s, "../x", &err), -1);
}

/* --- migration --- */

static const char v1_schema[]
    = "CREATE TABLE images (id TEXT PRIMARY KEY, manifest_digest TEXT NOT NULL,"
      " manifest_media_type TEXT NOT NULL, created INTEGER NOT NULL,"
      " added INTEGER NOT NULL);"
      "CREATE TABLE image_layers (image_id TEXT NOT NULL REFERENCES images(id)"
      " ON DELETE CASCADE, idx INTEGER NOT NULL, blob_digest TEXT NOT NULL,"
      " diff_id TEXT NOT NULL, PRIMARY KEY (image_id, idx));"
      "CREATE INDEX image_layers_diff ON image_layers(diff_id);"
      "CREATE TABLE names (name TEXT PRIMARY KEY, image_id TEXT NOT NULL"
      " REFERENCES images(id) ON DELETE CASCADE, added INTEGER NOT NULL);"
      "CREATE TABLE repo_digests (repo_digest TEXT PRIMARY KEY, image_id TEXT"
      " NOT NULL REFERENCES images(id) ON DELETE CASCADE);"
      "CREATE TABLE layers (diff_id TEXT PRIMARY KEY, blob_digest TEXT,"
      " size INTEGER NOT NULL);"
      "CREATE INDEX layers_blob ON layers(blob_digest);"
      "CREATE TABLE leases (digest TEXT NOT NULL, pid INTEGER NOT NULL,"
      " PRIMARY KEY (digest, pid));"
      "INSERT INTO images VALUES ('" IMAGE_ID "', 'sha256:22', 'm', 1, 2);"
      "INSERT INTO names VALUES ('docker.io/library/busybox:latest', '" IMAGE_ID "', 3);"
      "PRAGMA user_version = 1;";

static int
user_version (sqlite3 *db)
{
  sqlite3_stmt *st = NULL;
  int v = -1;

  assert_int_equal (sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &st, NULL), SQLITE_OK);
  if (sqlite3_step (st) == SQLITE_ROW)
    v = sqlite3_column_int (st, 0);
  sqlite3_finalize (st);
  return v;
}

static void
test_migration_v1 (void **state)
{
  cleanup_error oci_error_t *err = NULL;
  char dir[] = "/tmp/test-containers-v1.XXXXXX";
  cleanup_free char *dbpath = NULL;
  struct berth_store *s = NULL;
  struct store_image *img = NULL;
  sqlite3 *db = NULL;

  (void) state;
  assert_non_null (mkdtemp (dir));
  xasprintf (&dbpath, "%s/berth.db", dir);
  assert_int_equal (sqlite3_open (dbpath, &db), SQLITE_OK);
  assert_int_equal (sqlite3_exec (db, v1_schema, NULL, NULL, NULL), SQLITE_OK);
  assert_int_equal (user_version (db), 1);
  sqlite3_close (db);

  assert_int_equal (store_open (dir, &s, &err), 0);
  assert_no_error (err);
  assert_int_equal (user_version (s->db), STORE_SCHEMA_VERSION);
  assert_int_equal (store_image_lookup (s, "docker.io/library/busybox:latest", &img, &err), 0);
  assert_string_equal (img->id, IMAGE_ID);
  store_image_free (img);
  {
    struct store_container c = { .id = (char *) ID_A, .name = (char *) "web", .image_id = (char *) IMAGE_ID };
    struct store_volume *v = NULL;

    assert_int_equal (store_container_add (s, &c, &err), 0);
    assert_int_equal (store_volume_create (s, "vol", NULL, NULL, &v, &err), 0);
    store_volume_free (v);
    /* The image a container uses cannot go (rmi -f leaves it dangling).  */
    assert_int_equal (store_image_remove (s, IMAGE_ID, &err), -1);
    assert_non_null (strstr (err->msg, "the image is used by a container"));
    oci_error_free (&err);
    assert_int_equal (store_image_name_remove (s, "docker.io/library/busybox:latest", &err), 0);
    assert_int_equal (store_image_lookup (s, IMAGE_ID, &img, &err), 0);
    assert_null (img->names[0]);
    store_image_free (img);
    assert_int_equal (store_container_remove (s, ID_A, &err), 0);
    assert_int_equal (store_image_remove (s, IMAGE_ID, &err), 0);
  }
  store_close (s);
  /* Reopening an up-to-date store changes nothing.  */
  assert_int_equal (store_open (dir, &s, &err), 0);
  assert_int_equal (user_version (s->db), STORE_SCHEMA_VERSION);
  store_close (s);
  remove_recursive (dir, &err);
}

/* --- volumes --- */

static void
test_volumes (void **state)
{
  struct fixture *f = *state;
  cleanup_error oci_error_t *err = NULL;
  char *labels[] = { (char *) "b=2", (char *) "a=1", (char *) "flag", NULL };
  char *opts[] = { (char *) "type=tmpfs", NULL };
  struct store_volume *v = NULL, *again = NULL, *anon = NULL;
  struct store_volume **l = NULL;
  cleanup_free char *path = NULL;
  cleanup_free char *file = NULL;
  struct stat st;

  assert_int_equal (store_volume_create (f->s, "data", labels, opts, &v, &err), 0);
  assert_string_equal (v->name, "data");
  assert_string_equal (v->driver, "local");
  assert_false (v->anonymous);
  assert_true (v->created > 0);
  assert_string_equal (v->labels[0], "a=1");
  assert_string_equal (v->labels[1], "b=2");
  assert_string_equal (v->labels[2], "flag=");
  assert_null (v->labels[3]);
  assert_string_equal (v->options[0], "type=tmpfs");
  path = store_volume_path (f->s, "data");
  assert_int_equal (stat (path, &st), 0);
  assert_true (S_ISDIR (st.st_mode));
  assert_int_equal (st.st_mode & 07777, 0755);
  xasprintf (&file, "%s/f", path);
  assert_int_equal (write_file_atomic (file, "12345", 5, 0644, &err), 0);
  assert_int_equal (store_volume_size (f->s, "data"), 5);

  /* An existing name gives the existing volume, unchanged.  */
  assert_int_equal (store_volume_create (f->s, "data", NULL, NULL, &again, &err), 0);
  assert_string_equal (again->labels[0], "a=1");
  assert_int_equal (stat (file, &st), 0);

  assert_int_equal (store_volume_create (f->s, NULL, NULL, NULL, &anon, &err), 0);
  assert_int_equal (strlen (anon->name), 64);
  assert_true (anon->anonymous);
  assert_null (anon->labels[0]);

  assert_int_equal (store_volume_list (f->s, &l, &err), 0);
  assert_non_null (l[0]);
  assert_non_null (l[1]);
  assert_null (l[2]);
  store_volume_list_free (l);

  assert_int_equal (store_volume_create (f->s, "a", NULL, NULL, &v, &err), -1);
  assert_string_equal (err->msg, "create a: volume name is too short, names should be at least two "
                                 "alphanumeric characters");
  oci_error_free (&err);
  assert_int_equal (store_volume_create (f->s, "a/b", NULL, NULL, &v, &err), -1);
  assert_non_null (strstr (err->msg, "\"a/b\" includes invalid characters for a local volume name"));
  oci_error_free (&err);
  assert_int_equal (store_volume_lookup (f->s, "nope", &v, &err), -1);
  assert_int_equal (err->status, ENOENT);
  assert_string_equal (err->msg, "no such volume: nope");
  store_volume_free (v);
  store_volume_free (again);
  store_volume_free (anon);
}

static void
test_volume_in_use (void **state)
{
  struct fixture *f = *state;
  cleanup_error oci_error_t *err = NULL;
  char *vols[] = { (char *) "data", NULL };
  cleanup_strv char **users = NULL;
  cleanup_free char *path = NULL;
  struct store_volume *v = NULL;
  struct stat st;

  assert_int_equal (store_volume_create (f->s, "data", NULL, NULL, NULL, &err), 0);
  add (f, ID_A, "one", 1, vols);
  add (f, ID_B, "two", 2, vols);
  assert_int_equal (store_volume_users (f->s, "data", &users, &err), 0);
  assert_string_equal (users[0], ID_A);
  assert_string_equal (users[1], ID_B);
  assert_null (users[2]);
  assert_int_equal (store_volume_remove (f->s, "data", false, &err), -1);
  assert_int_equal (err->status, EBUSY);
  assert_string_equal (err->msg, "volume is in use - [" ID_A ", " ID_B "]");
  oci_error_free (&err);

  /* Removing a container frees its link.  */
  assert_int_equal (store_container_remove (f->s, ID_A, &err), 0);
  assert_int_equal (store_volume_remove (f->s, "data", false, &err), -1);
  assert_string_equal (err->msg, "volume is in use - [" ID_B "]");
  oci_error_free (&err);

  assert_int_equal (store_volume_remove (f->s, "data", true, &err), 0);
  assert_no_error (err);
  path = store_volume_path (f->s, "data");
  assert_int_equal (stat (path, &st), -1);
  assert_int_equal (store_volume_lookup (f->s, "data", &v, &err), -1);
  oci_error_free (&err);
  assert_int_equal (store_volume_remove (f->s, "data", false, &err), -1);
  assert_int_equal (err->status, ENOENT);
  assert_string_equal (err->msg, "no such volume: data");
}

/* --- overlay rootfs --- */

/* A layer directory whose diff_id is n in hex, with one file.  */
static char *
fake_layer (struct fixture *f, unsigned n, const char *file, const char *content)
{
  cleanup_error oci_error_t *err = NULL;
  cleanup_free char *dir = NULL;
  cleanup_free char *path = NULL;
  char *diff_id;

  xasprintf (&diff_id, "sha256:%064x", n);
  dir = store_layer_path (f->s, diff_id);
  assert_int_equal (mkdir_p (dir, 0755, &err), 0);
  if (file)
    {
      xasprintf (&path, "%s/%s", dir, file);
      assert_int_equal (write_file_atomic (path, content, strlen (content), 0644, &err), 0);
    }
  return diff_id;
}

static void
fake_image (struct fixture *f, char *const *diff_ids)
{
  sqlite3_stmt *st = NULL;

  assert_int_equal (sqlite3_exec (f->s->db,
                                  "INSERT INTO images VALUES ('" IMAGE_ID "', 'sha256:22', 'm', 1, 2)", NULL,
                                  NULL, NULL),
                    SQLITE_OK);
  assert_int_equal (sqlite3_prepare_v2 (f->s->db,
                                        "INSERT INTO image_layers VALUES ('" IMAGE_ID "', ?, 'b', ?)", -1,
                                        &st, NULL),
                    SQLITE_OK);
  for (int i = 0; diff_ids[i]; i++)
    {
      sqlite3_reset (st);
      sqlite3_bind_int (st, 1, i);
      sqlite3_bind_text (st, 2, diff_ids[i], -1, SQLITE_TRANSIENT);
      assert_int_equal (sqlite3_step (st), SQLITE_DONE);
    }
  sqlite3_finalize (st);
}

static char *
read_in (const char *dir, const char *name)
{
  cleanup_error oci_error_t *err = NULL;
  cleanup_free char *path = NULL;
  char *text = NULL;
  size_t len;

  xasprintf (&path, "%s/%s", dir, name);
  if (read_file_max (path, 4096, &text, &len, &err) < 0)
    return NULL;
  return text;
}

static bool
overlay_available (void)
{
  return geteuid () == 0 && access ("/sys/module/overlay", F_OK) == 0;
}

static void
test_rootfs_mount (void **state)
{
  struct fixture *f = *state;
  cleanup_error oci_error_t *err = NULL;
  cleanup_strv char **layers = xcalloc (3, sizeof (char *));
  cleanup_free char *id = NULL;
  cleanup_free char *dir = NULL;
  cleanup_free char *merged = NULL;
  cleanup_free char *merged2 = NULL;
  cleanup_free char *a = NULL;
  cleanup_free char *b = NULL;

  if (!overlay_available ())
    skip ();
  layers[0] = fake_layer (f, 1, "file", "bottom");
  layers[1] = fake_layer (f, 2, "file", "top");
  fake_image (f, layers);
  assert_int_equal (store_container_dir_new (f->s, &id, &dir, &err), 0);
  if (store_container_rootfs_mount (f->s, id, IMAGE_ID, &merged, &err) < 0)
    fail_msg ("%s", err->msg);
  a = read_in (merged, "file");
  assert_string_equal (a, "top"); /* the top layer wins */
  b = store_layer_path (f->s, layers[0]);
  assert_true (store_path_is_mountpoint (merged));
  /* Idempotent.  */
  assert_int_equal (store_container_rootfs_mount (f->s, id, IMAGE_ID, &merged2, &err), 0);
  assert_string_equal (merged, merged2);
  assert_int_equal (store_container_rootfs_umount (f->s, id, &err), 0);
  assert_false (store_path_is_mountpoint (merged));
  assert_int_equal (store_container_rootfs_umount (f->s, id, &err), 0);
  /* dir_remove unmounts first.  */
  assert_int_equal (store_container_rootfs_mount (f->s, id, IMAGE_ID, NULL, &err), 0);
  assert_int_equal (store_container_dir_remove (f->s, id, &err), 0);
  assert_int_equal (access (dir, F_OK), -1);
  /* The layers are untouched.  */
  free (a);
  a = read_in (b, "file");
  assert_string_equal (a, "bottom");
}

/* More layers than fit in one page of absolute lowerdirs.  */
static void
test_rootfs_many_layers (void **state)
{
  struct fixture *f = *state;
  cleanup_error oci_error_t *err = NULL;
  cleanup_strv char **layers = xcalloc (81, sizeof (char *));
  cleanup_free char *id = NULL;
  cleanup_free char *merged = NULL;
  cleanup_free char *top = NULL;
  cleanup_free char *bottom = NULL;

  if (!overlay_available ())
    skip ();
  for (unsigned i = 0; i < 80; i++)
    layers[i] = fake_layer (f, 0x100 + i, i == 0 ? "bottom" : (i == 79 ? "top" : NULL), "x");
  fake_image (f, layers);
  assert_int_equal (store_container_dir_new (f->s, &id, NULL, &err), 0);
  if (store_container_rootfs_mount (f->s, id, IMAGE_ID, &merged, &err) < 0)
    fail_msg ("%s", err->msg);
  top = read_in (merged, "top");
  bottom = read_in (merged, "bottom");
  assert_string_equal (top, "x");
  assert_string_equal (bottom, "x");
  assert_int_equal (store_container_dir_remove (f->s, id, &err), 0);
}

static void
test_rootfs_no_layers (void **state)
{
  struct fixture *f = *state;
  cleanup_error oci_error_t *err = NULL;
  char *none[] = { NULL };
  cleanup_free char *id = NULL;
  cleanup_free char *merged = NULL;

  if (!overlay_available ())
    skip ();
  fake_image (f, none);
  assert_int_equal (store_container_dir_new (f->s, &id, NULL, &err), 0);
  if (store_container_rootfs_mount (f->s, id, IMAGE_ID, &merged, &err) < 0)
    fail_msg ("%s", err->msg);
  assert_true (store_path_is_mountpoint (merged));
  assert_int_equal (store_container_dir_remove (f->s, id, &err), 0);
}

/* gc removes old container dirs without a row, keeps the others.  */
static void
test_gc_orphans (void **state)
{
  struct fixture *f = *state;
  cleanup_error oci_error_t *err = NULL;
  cleanup_free char *old_id = NULL, *old_dir = NULL;
  cleanup_free char *new_id = NULL, *new_dir = NULL;
  cleanup_free char *row_id = NULL, *row_dir = NULL;
  struct timespec times[2] = { { .tv_sec = 1000 }, { .tv_sec = 1000 } };

  assert_int_equal (store_container_dir_new (f->s, &old_id, &old_dir, &err), 0);
  assert_int_equal (store_container_dir_new (f->s, &new_id, &new_dir, &err), 0);
  assert_int_equal (store_container_dir_new (f->s, &row_id, &row_dir, &err), 0);
  add (f, row_id, "kept", 1, NULL);
  assert_int_equal (utimensat (AT_FDCWD, old_dir, times, 0), 0);
  assert_int_equal (utimensat (AT_FDCWD, row_dir, times, 0), 0);
  assert_int_equal (store_gc (f->s, NULL, &err), 0);
  assert_no_error (err);
  assert_int_equal (access (old_dir, F_OK), -1);
  assert_int_equal (access (new_dir, F_OK), 0);
  assert_int_equal (access (row_dir, F_OK), 0);
}

/* --- state --- */

static char *
state_dir (void)
{
  char *dir = xstrdup ("/tmp/test-state.XXXXXX");

  assert_non_null (mkdtemp (dir));
  return dir;
}

static void
put (const char *dir, const char *name, const char *content)
{
  cleanup_error oci_error_t *err = NULL;
  cleanup_free char *path = NULL;

  xasprintf (&path, "%s/%s", dir, name);
  assert_int_equal (write_file_atomic (path, content, strlen (content), 0644, &err), 0);
}

static void
read_state (const char *dir, struct container_state *st)
{
  cleanup_error oci_error_t *err = NULL;

  if (container_state_read (dir, st, &err) < 0)
    fail_msg ("%s", err->msg);
}

/* A child that holds <dir>/monitor.lock until killed.  */
static pid_t
hold_lock (const char *dir)
{
  cleanup_free char *path = NULL;
  int ready[2];
  char c;
  pid_t pid;

  xasprintf (&path, "%s/monitor.lock", dir);
  assert_int_equal (pipe (ready), 0);
  pid = fork ();
  assert_true (pid >= 0);
  if (pid == 0)
    {
      int fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

      if (fd < 0 || flock (fd, LOCK_EX) < 0)
        _exit (1);
      if (write (ready[1], "r", 1) != 1)
        _exit (1);
      pause ();
      _exit (0);
    }
  close (ready[1]);
  assert_int_equal (read (ready[0], &c, 1), 1);
  close (ready[0]);
  return pid;
}

static void
release_lock (pid_t pid)
{
  kill (pid, SIGKILL);
  waitpid (pid, NULL, 0);
}

static void
test_state_created (void **state)
{
  cleanup_free char *dir = state_dir ();
  cleanup_error oci_error_t *err = NULL;
  struct container_state st;

  (void) state;
  read_state (dir, &st);
  assert_int_equal (st.status, CONTAINER_CREATED);
  assert_false (st.monitor_alive);
  assert_int_equal (st.pid, 0);
  assert_string_equal (st.health, "");
  put (dir, "state", "status=created\n");
  read_state (dir, &st);
  assert_int_equal (st.status, CONTAINER_CREATED);
  remove_recursive (dir, &err);
}

static void
test_state_running (void **state)
{
  cleanup_free char *dir = state_dir ();
  cleanup_free char *line = NULL;
  cleanup_error oci_error_t *err = NULL;
  struct container_state st;
  pid_t monitor = hold_lock (dir);

  (void) state;
  xasprintf (&line,
             "status=running pid=%d started=1700000000000000000 finished=0 exit=0 restarts=2 oom=0 "
             "future=thing bogus\n",
             monitor);
  put (dir, "state", line);
  free (line);
  xasprintf (&line, "%d\n", monitor);
  put (dir, "monitor.pid", line);
  read_state (dir, &st);
  assert_int_equal (st.status, CONTAINER_RUNNING);
  assert_true (st.monitor_alive);
  assert_int_equal (st.monitor_pid, monitor);
  assert_int_equal (st.pid, monitor);
  assert_int_equal (st.started_ns, 1700000000000000000LL);
  assert_int_equal (st.restart_count, 2);
  assert_false (st.oom_killed);

  put (dir, "paused", "");
  read_state (dir, &st);
  assert_int_equal (st.status, CONTAINER_PAUSED);
  assert_string_equal (container_status_name (st.status), "paused");

  put (dir, "state", "status=restarting pid=0 started=1 finished=2 exit=1 restarts=3 oom=0\n");
  read_state (dir, &st);
  assert_int_equal (st.status, CONTAINER_RESTARTING);
  assert_int_equal (st.exit_code, 1);
  assert_int_equal (st.restart_count, 3);

  release_lock (monitor);
  read_state (dir, &st);
  assert_false (st.monitor_alive);
  assert_int_equal (st.monitor_pid, 0);
  remove_recursive (dir, &err);
}

static void
test_state_dead_monitor (void **state)
{
  cleanup_free char *dir = state_dir ();
  cleanup_free char *line = NULL;
  cleanup_error oci_error_t *err = NULL;
  struct container_state st;
  pid_t gone = fork ();

  (void) state;
  assert_true (gone >= 0);
  if (gone == 0)
    _exit (0);
  waitpid (gone, NULL, 0);

  /* The container's init still runs (here: this process).  */
  xasprintf (&line, "status=running pid=%d started=5 finished=0 exit=0 restarts=0 oom=0\n", getpid ());
  put (dir, "state", line);
  free (line);
  read_state (dir, &st);
  assert_int_equal (st.status, CONTAINER_RUNNING);
  assert_false (st.monitor_alive);
  assert_int_equal (st.pid, getpid ());

  /* Monitor and container gone without a recorded exit: 255.  */
  xasprintf (&line, "status=running pid=%d started=5 finished=0 exit=0 restarts=0 oom=0\n", gone);
  put (dir, "state", line);
  put (dir, "monitor.lock", "");
  read_state (dir, &st);
  assert_int_equal (st.status, CONTAINER_EXITED);
  assert_int_equal (st.exit_code, 255);
  assert_int_equal (st.pid, 0);

  free (line);
  xasprintf (&line, "status=restarting pid=%d started=5 finished=9 exit=3 restarts=1 oom=0\n", gone);
  put (dir, "state", line);
  read_state (dir, &st);
  assert_int_equal (st.status, CONTAINER_EXITED);
  assert_int_equal (st.exit_code, 3);
  remove_recursive (dir, &err);
}

static void
test_state_exited (void **state)
{
  cleanup_free char *dir = state_dir ();
  cleanup_error oci_error_t *err = NULL;
  struct container_state st;

  (void) state;
  put (dir, "state", "status=exited pid=0 started=10 finished=20 exit=137 restarts=0 oom=1");
  put (dir, "paused", ""); /* stale marker: ignored when not running */
  read_state (dir, &st);
  assert_int_equal (st.status, CONTAINER_EXITED);
  assert_int_equal (st.exit_code, 137);
  assert_true (st.oom_killed);
  assert_int_equal (st.started_ns, 10);
  assert_int_equal (st.finished_ns, 20);
  assert_string_equal (container_status_name (st.status), "exited");

  put (dir, "state", "status=weird pid=x started=abc");
  read_state (dir, &st);
  assert_int_equal (st.status, CONTAINER_DEAD);
  assert_int_equal (st.started_ns, 0);
  remove_recursive (dir, &err);
}

static void
test_state_health (void **state)
{
  cleanup_free char *dir = state_dir ();
  cleanup_error oci_error_t *err = NULL;
  struct container_state st;
  pid_t monitor = hold_lock (dir);
  cleanup_free char *line = NULL;
  cleanup_free char *human = NULL;

  (void) state;
  xasprintf (&line, "status=running pid=%d started=%lld", monitor, (long long) 1000 * SEC);
  put (dir, "state", line);
  put (dir, "health.json",
       "{\"Status\":\"unhealthy\",\"FailingStreak\":4,\"Log\":[{\"Start\":\"x\",\"ExitCode\":1,\"Output\":"
       "\"no\"}]}");
  read_state (dir, &st);
  assert_string_equal (st.health, "unhealthy");
  assert_int_equal (st.health_failing_streak, 4);
  human = container_status_human_at (&st, 1120 * SEC);
  assert_string_equal (human, "Up 2 minutes (unhealthy)");
  put (dir, "health.json", "{\"Status\":\"bogus-and-very-long-status\"}");
  read_state (dir, &st);
  assert_string_equal (st.health, "");
  put (dir, "health.json", "not json");
  read_state (dir, &st);
  assert_string_equal (st.health, "");
  release_lock (monitor);
  remove_recursive (dir, &err);
}

static void
check_human (enum container_status status, int64_t started, int64_t finished, int exit_code,
             const char *health, int64_t now, const char *expected)
{
  struct container_state st
      = { .status = status, .started_ns = started, .finished_ns = finished, .exit_code = exit_code };
  cleanup_free char *s = NULL;

  snprintf (st.health, sizeof st.health, "%s", health);
  s = container_status_human_at (&st, now);
  assert_string_equal (s, expected);
}

static void
test_status_human (void **state)
{
  int64_t t0 = 1700000000 * SEC;

  (void) state;
  check_human (CONTAINER_CREATED, 0, 0, 0, "", t0, "Created");
  check_human (CONTAINER_RUNNING, t0, 0, 0, "", t0 + SEC / 2, "Up Less than a second");
  check_human (CONTAINER_RUNNING, t0, 0, 0, "", t0 + SEC, "Up 1 second");
  check_human (CONTAINER_RUNNING, t0, 0, 0, "", t0 + 5 * SEC, "Up 5 seconds");
  check_human (CONTAINER_RUNNING, t0, 0, 0, "", t0 + 59 * SEC, "Up 59 seconds");
  check_human (CONTAINER_RUNNING, t0, 0, 0, "", t0 + 60 * SEC, "Up About a minute");
  check_human (CONTAINER_RUNNING, t0, 0, 0, "", t0 + 180 * SEC, "Up 3 minutes");
  check_human (CONTAINER_RUNNING, t0, 0, 0, "", t0 + 3599 * SEC, "Up 59 minutes");
  check_human (CONTAINER_RUNNING, t0, 0, 0, "", t0 + 3600 * SEC, "Up About an hour");
  check_human (CONTAINER_RUNNING, t0, 0, 0, "", t0 + 5 * 3600 * SEC, "Up 5 hours");
  check_human (CONTAINER_RUNNING, t0, 0, 0, "", t0 + 3 * 86400 * SEC, "Up 3 days");
  check_human (CONTAINER_RUNNING, t0, 0, 0, "", t0 + 15 * 86400 * SEC, "Up 2 weeks");
  check_human (CONTAINER_RUNNING, t0, 0, 0, "", t0 + 90 * 86400 * SEC, "Up 3 months");
  check_human (CONTAINER_RUNNING, t0, 0, 0, "", t0 + 800 * 86400 * SEC, "Up 2 years");
  check_human (CONTAINER_RUNNING, t0, 0, 0, "healthy", t0 + 120 * SEC, "Up 2 minutes (healthy)");
  check_human (CONTAINER_RUNNING, t0, 0, 0, "starting", t0 + 3 * SEC, "Up 3 seconds (health: starting)");
  check_human (CONTAINER_PAUSED, t0, 0, 0, "healthy", t0 + 5 * SEC, "Up 5 seconds (Paused)");
  check_human (CONTAINER_EXITED, t0, t0 + SEC, 0, "", t0 + 3 * SEC, "Exited (0) 2 seconds ago");
  check_human (CONTAINER_EXITED, t0, t0 + SEC, 137, "", t0 + SEC, "Exited (137) Less than a second ago");
  check_human (CONTAINER_EXITED, 0, 0, 127, "", t0, "Created");
  check_human (CONTAINER_RESTARTING, t0, t0 + SEC, 1, "", t0 + 4 * SEC, "Restarting (1) 3 seconds ago");
  check_human (CONTAINER_DEAD, t0, t0, 0, "", t0, "Dead");
  assert_string_equal (container_status_name (CONTAINER_CREATED), "created");
  assert_string_equal (container_status_name (CONTAINER_RUNNING), "running");
  assert_string_equal (container_status_name (CONTAINER_RESTARTING), "restarting");
  assert_string_equal (container_status_name (CONTAINER_DEAD), "dead");
}

#define T(fn) cmocka_unit_test_setup_teardown (fn, setup, teardown)

int
main (void)
{
  const struct CMUnitTest tests[] = {
    T (test_add_lookup),
    T (test_lookup_errors),
    T (test_lookup_name_before_prefix),
    T (test_name_conflict),
    T (test_name_race),
    T (test_list_rename_remove),
    T (test_names),
    T (test_image_users),
    T (test_dirs),
    cmocka_unit_test (test_migration_v1),
    T (test_volumes),
    T (test_volume_in_use),
    T (test_rootfs_mount),
    T (test_rootfs_many_layers),
    T (test_rootfs_no_layers),
    T (test_gc_orphans),
    cmocka_unit_test (test_state_created),
    cmocka_unit_test (test_state_running),
    cmocka_unit_test (test_state_dead_monitor),
    cmocka_unit_test (test_state_exited),
    cmocka_unit_test (test_state_health),
    cmocka_unit_test (test_status_human),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
