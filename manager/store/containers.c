/* Containers in the store: their rows (one transaction per change, names
   unique by constraint), their directories and their overlay rootfs.  */
#include "config.h"
#include "containers.h"
#include "store_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileutil.h"
#include "strbuf.h"
#include "util.h"

#define NAME_CONFLICT_FMT                                                                                    \
  "the container name \"%s\" is already in use by container \"%s\". You have to remove (or rename) that "    \
  "container to be able to reuse that name."
#define INVALID_NAME_FMT "Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"

#define CONTAINER_COLUMNS "id, name, image_id, image_name, command, created_ns, runtime, record"

/* --- names --- */

static bool
name_char_first (char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool
store_container_name_valid (const char *name)
{
  if (name == NULL || !name_char_first (name[0]) || name[1] == '\0')
    return false;
  for (const char *p = name + 1; *p; p++)
    if (!name_char_first (*p) && *p != '_' && *p != '.' && *p != '-')
      return false;
  return true;
}

static const char *
name_strip (const char *name)
{
  return name[0] == '/' ? name + 1 : name;
}

static const char *const name_adjectives[]
    = { "admiring",  "agile",    "amazing",  "awesome",       "blissful",   "bold",     "brave",
        "busy",      "charming", "clever",   "compassionate", "cool",       "dazzling", "determined",
        "eager",     "elastic",  "elegant",  "epic",          "fervent",    "focused",  "friendly",
        "gallant",   "gentle",   "gifted",   "goofy",         "gracious",   "happy",    "hopeful",
        "humble",    "jolly",    "keen",     "kind",          "laughing",   "loving",   "lucid",
        "magical",   "modest",   "nifty",    "nostalgic",     "optimistic", "peaceful", "pensive",
        "practical", "quirky",   "relaxed",  "serene",        "sharp",      "silly",    "stoic",
        "sweet",     "tender",   "trusting", "upbeat",        "vibrant",    "wizardly", "zealous" };

static const char *const name_surnames[]
    = { "agnesi",   "babbage",  "banach",   "bardeen",  "bell",       "bohr",     "boole",   "cartwright",
        "cerf",     "curie",    "darwin",   "dijkstra", "einstein",   "euclid",   "euler",   "fermat",
        "feynman",  "franklin", "galileo",  "gauss",    "goldberg",   "hamilton", "hawking", "hopper",
        "hypatia",  "johnson",  "kepler",   "knuth",    "lamarr",     "lamport",  "leakey",  "liskov",
        "lovelace", "mayer",    "mccarthy", "meitner",  "mirzakhani", "newton",   "noether", "pascal",
        "pasteur",  "perlman",  "poincare", "ritchie",  "shannon",    "sinoussi", "tesla",   "thompson",
        "torvalds", "turing",   "volta",    "wiles",    "wing",       "wozniak",  "yalow",   "zhukovsky" };

static uint32_t
random_u32 (void)
{
  uint32_t v = 0;

  while (getrandom (&v, sizeof v, 0) < 0 && errno == EINTR)
    ;
  return v;
}

static int
name_in_use (struct berth_store *s, const char *name, bool *used, oci_error_t **err)
{
  cleanup_stmt sqlite3_stmt *st = NULL;

  if (db_prepare (s, "SELECT EXISTS (SELECT 1 FROM containers WHERE name = ?)", &st, err) < 0)
    return -1;
  db_bind_text (st, 1, name);
  if (sqlite3_step (st) != SQLITE_ROW)
    return db_fail (s, "look up container name", err);
  *used = sqlite3_column_int (st, 0) != 0;
  return 0;
}

int
store_container_name_generate (struct berth_store *s, char **name, oci_error_t **err)
{
  for (unsigned attempt = 0; attempt < 1000; attempt++)
    {
      cleanup_free char *candidate = NULL;
      const char *adj = name_adjectives[random_u32 () % ARRAY_SIZE (name_adjectives)];
      const char *sur = name_surnames[random_u32 () % ARRAY_SIZE (name_surnames)];
      bool used = false;

      /* Like docker: plain names first, then with a random digit suffix.  */
      if (attempt < 10)
        xasprintf (&candidate, "%s_%s", adj, sur);
      else
        xasprintf (&candidate, "%s_%s%u", adj, sur, random_u32 () % (attempt < 100 ? 10 : 1000));
      if (name_in_use (s, candidate, &used, err) < 0)
        return -1;
      if (!used)
        {
          *name = steal_pointer (&candidate);
          return 0;
        }
    }
  return oci_error_set (err, EEXIST, "cannot generate an unused container name");
}

/* --- rows --- */

void
store_container_free (struct store_container *c)
{
  if (c == NULL)
    return;
  free (c->id);
  free (c->name);
  free (c->image_id);
  free (c->image_name);
  free (c->command);
  free (c->runtime);
  free (c->record);
  strv_free (c->volumes);
  free (c);
}

void
store_container_list_free (struct store_container **l)
{
  if (l == NULL)
    return;
  for (size_t i = 0; l[i]; i++)
    store_container_free (l[i]);
  free (l);
}

static char *
column_dup (sqlite3_stmt *st, int col)
{
  const char *v = (const char *) sqlite3_column_text (st, col);

  return xstrdup (v ? v : "");
}

/* Values of a one-column query with one text parameter; NULL when no row
   and empty_is_null, else a NULL-terminated (possibly empty) vector.  */
static int
query_strv (struct berth_store *s, const char *sql, const char *key, bool empty_is_null, char ***out,
            oci_error_t **err)
{
  cleanup_stmt sqlite3_stmt *st = NULL;
  cleanup_strv char **v = xzalloc (sizeof (char *));
  size_t n = 0;
  int rc;

  if (db_prepare (s, sql, &st, err) < 0)
    return -1;
  db_bind_text (st, 1, key);
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      v = xreallocarray (v, n + 2, sizeof (char *));
      v[n++] = column_dup (st, 0);
      v[n] = NULL;
    }
  if (rc != SQLITE_DONE)
    return db_fail (s, sql, err);
  *out = (n == 0 && empty_is_null) ? NULL : steal_pointer (&v);
  return 0;
}

static int
container_from_row (struct berth_store *s, sqlite3_stmt *st, struct store_container **out, oci_error_t **err)
{
  struct store_container *c = xzalloc (sizeof *c);

  c->id = column_dup (st, 0);
  c->name = column_dup (st, 1);
  c->image_id = column_dup (st, 2);
  c->image_name = column_dup (st, 3);
  c->command = column_dup (st, 4);
  c->created_ns = sqlite3_column_int64 (st, 5);
  c->runtime = column_dup (st, 6);
  c->record = column_dup (st, 7);
  if (query_strv (s, "SELECT volume_name FROM container_volumes WHERE container_id = ? ORDER BY rowid", c->id,
                  true, &c->volumes, err)
      < 0)
    {
      store_container_free (c);
      return -1;
    }
  *out = c;
  return 0;
}

/* The container whose `column` equals key: 1 found, 0 not found.  */
static int
container_load_by (struct berth_store *s, const char *where, const char *key, struct store_container **out,
                   oci_error_t **err)
{
  cleanup_stmt sqlite3_stmt *st = NULL;
  cleanup_free char *sql = NULL;
  int rc;

  xasprintf (&sql, "SELECT " CONTAINER_COLUMNS " FROM containers WHERE %s", where);
  if (db_prepare (s, sql, &st, err) < 0)
    return -1;
  db_bind_text (st, 1, key);
  rc = sqlite3_step (st);
  if (rc == SQLITE_DONE)
    return 0;
  if (rc != SQLITE_ROW)
    return db_fail (s, "look up container", err);
  if (container_from_row (s, st, out, err) < 0)
    return -1;
  return 1;
}

static int
name_conflict (struct berth_store *s, const char *name, oci_error_t **err)
{
  struct store_container *other = NULL;
  int r = container_load_by (s, "name = ?", name, &other, err);

  if (r < 0)
    return -1;
  if (r == 0)
    return db_fail (s, "add container", err);
  oci_error_set (err, EEXIST, NAME_CONFLICT_FMT, name, other->id);
  store_container_free (other);
  return -1;
}

static bool
is_constraint_error (struct berth_store *s)
{
  return (sqlite3_errcode (s->db) & 0xff) == SQLITE_CONSTRAINT;
}

static int
container_link_volumes (struct berth_store *s, const char *id, char *const *volumes, oci_error_t **err)
{
  cleanup_stmt sqlite3_stmt *st = NULL;

  if (volumes == NULL || volumes[0] == NULL)
    return 0;
  if (db_prepare (s, "INSERT OR IGNORE INTO container_volumes (container_id, volume_name) VALUES (?, ?)", &st,
                  err)
      < 0)
    return -1;
  for (size_t i = 0; volumes[i]; i++)
    {
      sqlite3_reset (st);
      db_bind_text (st, 1, id);
      db_bind_text (st, 2, volumes[i]);
      if (db_step_done (s, st, "add container volume", err) < 0)
        return -1;
    }
  return 0;
}

static bool
id_in_use (struct berth_store *s, const char *id)
{
  cleanup_stmt sqlite3_stmt *st = NULL;
  cleanup_error oci_error_t *err = NULL;

  if (db_prepare (s, "SELECT 1 FROM containers WHERE id = ?", &st, &err) < 0)
    return false;
  db_bind_text (st, 1, id);
  return sqlite3_step (st) == SQLITE_ROW;
}

static int
container_insert (struct berth_store *s, const struct store_container *c, const char *name, oci_error_t **err)
{
  cleanup_stmt sqlite3_stmt *st = NULL;

  if (db_prepare (s, "INSERT INTO containers (" CONTAINER_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)", &st,
                  err)
      < 0)
    return -1;
  db_bind_text (st, 1, c->id);
  db_bind_text (st, 2, name);
  db_bind_text (st, 3, c->image_id ? c->image_id : "");
  db_bind_text (st, 4, c->image_name ? c->image_name : "");
  db_bind_text (st, 5, c->command ? c->command : "");
  sqlite3_bind_int64 (st, 6, c->created_ns);
  db_bind_text (st, 7, c->runtime ? c->runtime : "");
  db_bind_text (st, 8, c->record ? c->record : "");
  if (sqlite3_step (st) == SQLITE_DONE)
    return 0;
  if (!is_constraint_error (s))
    return db_fail (s, "add container", err);
  if (id_in_use (s, c->id))
    return oci_error_set (err, EEXIST, "a container with id %s already exists", c->id);
  return name_conflict (s, name, err);
}

static bool
is_container_id (const char *id)
{
  return id && strlen (id) == 64 && strspn (id, "0123456789abcdef") == 64;
}

int
store_container_add (struct berth_store *s, const struct store_container *c, oci_error_t **err)
{
  const char *name = c->name ? name_strip (c->name) : NULL;

  if (!is_container_id (c->id))
    return oci_error_set (err, EINVAL, "invalid container id \"%s\"", c->id ? c->id : "");
  if (!store_container_name_valid (name))
    return oci_error_set (err, EINVAL, INVALID_NAME_FMT, c->name ? c->name : "");
  if (db_begin (s, err) < 0)
    return -1;
  if (container_insert (s, c, name, err) < 0 || container_link_volumes (s, c->id, c->volumes, err) < 0)
    {
      db_rollback (s);
      return -1;
    }
  return db_commit (s, err);
}

static bool
is_hex_prefix (const char *s)
{
  size_t n = strspn (s, "0123456789abcdef");

  return n > 0 && n <= 64 && s[n] == '\0';
}

static int
lookup_prefix (struct berth_store *s, const char *ref, const char *hex, struct store_container **out,
               oci_error_t **err)
{
  cleanup_strv char **ids = NULL;
  cleanup_free char *pattern = NULL;
  int r;

  xasprintf (&pattern, "%s*", hex);
  if (query_strv (s, "SELECT id FROM containers WHERE id GLOB ? LIMIT 2", pattern, false, &ids, err) < 0)
    return -1;
  if (ids[0] == NULL)
    return oci_error_set (err, ENOENT, "No such container: %s", ref);
  if (ids[1] != NULL)
    return oci_error_set (err, EINVAL, "multiple containers match %s", ref);
  r = container_load_by (s, "id = ?", ids[0], out, err);
  if (r == 0)
    return oci_error_set (err, ENOENT, "No such container: %s", ref);
  return r < 0 ? -1 : 0;
}

int
store_container_lookup (struct berth_store *s, const char *ref, struct store_container **out,
                        oci_error_t **err)
{
  const char *key;
  int r;

  if (ref == NULL || *ref == '\0')
    return oci_error_set (err, ENOENT, "No such container: %s", ref ? ref : "");
  /* docker's order: full id, then name, then id prefix.  */
  if (is_container_id (ref))
    {
      r = container_load_by (s, "id = ?", ref, out, err);
      if (r != 0)
        return r < 0 ? -1 : 0;
    }
  key = name_strip (ref);
  r = container_load_by (s, "name = ?", key, out, err);
  if (r != 0)
    return r < 0 ? -1 : 0;
  if (is_hex_prefix (ref))
    return lookup_prefix (s, ref, ref, out, err);
  return oci_error_set (err, ENOENT, "No such container: %s", ref);
}

int
store_container_list (struct berth_store *s, struct store_container ***out, oci_error_t **err)
{
  cleanup_stmt sqlite3_stmt *st = NULL;
  struct store_container **l = xzalloc (sizeof *l);
  size_t n = 0;
  int rc;

  if (db_prepare (s, "SELECT " CONTAINER_COLUMNS " FROM containers ORDER BY created_ns DESC, rowid DESC", &st,
                  err)
      < 0)
    goto fail;
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      l = xreallocarray (l, n + 2, sizeof *l);
      l[n] = l[n + 1] = NULL;
      if (container_from_row (s, st, &l[n], err) < 0)
        goto fail;
      n++;
    }
  if (rc != SQLITE_DONE)
    {
      db_fail (s, "list containers", err);
      goto fail;
    }
  *out = l;
  return 0;
fail:
  store_container_list_free (l);
  return -1;
}

/* UPDATE containers SET <set> WHERE id = ?2 with ?1 = value.  */
static int
container_update (struct berth_store *s, const char *id, const char *set, const char *value,
                  oci_error_t **err)
{
  cleanup_stmt sqlite3_stmt *st = NULL;
  cleanup_free char *sql = NULL;

  xasprintf (&sql, "UPDATE containers SET %s WHERE id = ?2", set);
  if (db_prepare (s, sql, &st, err) < 0)
    return -1;
  db_bind_text (st, 1, value);
  db_bind_text (st, 2, id);
  if (sqlite3_step (st) != SQLITE_DONE)
    {
      if (is_constraint_error (s) && streq (set, "name = ?1"))
        return name_conflict (s, value, err);
      return db_fail (s, sql, err);
    }
  if (sqlite3_changes (s->db) == 0)
    return oci_error_set (err, ENOENT, "No such container: %s", id);
  return 0;
}

static int
container_update_txn (struct berth_store *s, const char *id, const char *set, const char *value,
                      oci_error_t **err)
{
  if (db_begin (s, err) < 0)
    return -1;
  if (container_update (s, id, set, value, err) < 0)
    {
      db_rollback (s);
      return -1;
    }
  return db_commit (s, err);
}

int
store_container_rename (struct berth_store *s, const char *id, const char *new_name, oci_error_t **err)
{
  const char *name = new_name ? name_strip (new_name) : NULL;

  if (!store_container_name_valid (name))
    return oci_error_set (err, EINVAL, INVALID_NAME_FMT, new_name ? new_name : "");
  return container_update_txn (s, id, "name = ?1", name, err);
}

int
store_container_set_record (struct berth_store *s, const char *id, const char *record, oci_error_t **err)
{
  return container_update_txn (s, id, "record = ?1", record ? record : "", err);
}

static int
delete_where (struct berth_store *s, const char *sql, const char *key, oci_error_t **err)
{
  cleanup_stmt sqlite3_stmt *st = NULL;

  if (db_prepare (s, sql, &st, err) < 0)
    return -1;
  db_bind_text (st, 1, key);
  return db_step_done (s, st, sql, err);
}

int
store_container_remove (struct berth_store *s, const char *id, oci_error_t **err)
{
  if (db_begin (s, err) < 0)
    return -1;
  if (delete_where (s, "DELETE FROM container_volumes WHERE container_id = ?", id, err) < 0
      || delete_where (s, "DELETE FROM containers WHERE id = ?", id, err) < 0)
    goto fail;
  if (sqlite3_changes (s->db) == 0)
    {
      oci_error_set (err, ENOENT, "No such container: %s", id);
      goto fail;
    }
  return db_commit (s, err);
fail:
  db_rollback (s);
  return -1;
}

int
store_image_users (struct berth_store *s, const char *image_id, char ***container_ids, oci_error_t **err)
{
  return query_strv (s, "SELECT id FROM containers WHERE image_id = ? ORDER BY created_ns, rowid", image_id,
                     false, container_ids, err);
}

int
store_image_name_remove (struct berth_store *s, const char *name, oci_error_t **err)
{
  if (db_begin (s, err) < 0)
    return -1;
  if (delete_where (s, "DELETE FROM names WHERE name = ?", name, err) < 0)
    {
      db_rollback (s);
      return -1;
    }
  if (sqlite3_changes (s->db) == 0)
    {
      db_rollback (s);
      return oci_error_set (err, ENOENT, "No such image: %s", name);
    }
  return db_commit (s, err);
}

/* --- directories --- */

char *
store_container_dir (struct berth_store *s, const char *id)
{
  char *p;

  xasprintf (&p, "%s/containers/%s", s->root, id);
  return p;
}

static char *
random_hex_id (void)
{
  unsigned char raw[32];
  char *hex = xmalloc (65);
  size_t got = 0;

  while (got < sizeof raw)
    {
      ssize_t r = getrandom (raw + got, sizeof raw - got, 0);

      if (r > 0)
        got += (size_t) r;
    }
  for (size_t i = 0; i < sizeof raw; i++)
    snprintf (hex + 2 * i, 3, "%02x", raw[i]);
  return hex;
}

char *
store_random_id (void)
{
  return random_hex_id ();
}

int
store_container_dir_new (struct berth_store *s, char **id, char **dir, oci_error_t **err)
{
  cleanup_free char *parent = NULL;

  xasprintf (&parent, "%s/containers", s->root);
  if (mkdir_p (parent, 0700, err) < 0)
    return -1;
  for (int attempt = 0; attempt < 16; attempt++)
    {
      cleanup_free char *new_id = random_hex_id ();
      cleanup_free char *path = store_container_dir (s, new_id);

      /* An id shorter prefixes of which collide is fine; a full collision
         (or a leftover dir) just draws again.  */
      if (mkdir (path, 0700) < 0)
        {
          if (errno == EEXIST)
            continue;
          return oci_error_errno (err, errno, "mkdir `%s`", path);
        }
      *id = steal_pointer (&new_id);
      if (dir)
        *dir = steal_pointer (&path);
      return 0;
    }
  return oci_error_set (err, EEXIST, "cannot create a unique container directory in %s", parent);
}

/* Whether path is the root of a mount (its device differs from its
   parent's).  */
bool
store_path_is_mountpoint (const char *path)
{
  cleanup_free char *parent = NULL;
  struct stat a, b;

  xasprintf (&parent, "%s/..", path);
  if (lstat (path, &a) < 0 || !S_ISDIR (a.st_mode) || stat (parent, &b) < 0)
    return false;
  return a.st_dev != b.st_dev || a.st_ino == b.st_ino;
}

static int
merged_umount (const char *cdir, oci_error_t **err)
{
  cleanup_free char *merged = NULL;

  xasprintf (&merged, "%s/merged", cdir);
  for (int i = 0; i < 8 && store_path_is_mountpoint (merged); i++)
    if (umount2 (merged, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
      return oci_error_errno (err, errno, "unmount `%s`", merged);
  if (store_path_is_mountpoint (merged))
    return oci_error_set (err, EBUSY, "unmount `%s`: still mounted", merged);
  return 0;
}

int
store_container_dir_remove (struct berth_store *s, const char *id, oci_error_t **err)
{
  cleanup_free char *dir = NULL;

  if (!is_container_id (id))
    return oci_error_set (err, EINVAL, "invalid container id \"%s\"", id ? id : "");
  dir = store_container_dir (s, id);
  if (access (dir, F_OK) < 0 && errno == ENOENT)
    return 0;
  if (merged_umount (dir, err) < 0)
    return -1;
  return remove_recursive (dir, err);
}

int
store_container_rootfs_umount (struct berth_store *s, const char *id, oci_error_t **err)
{
  cleanup_free char *dir = NULL;

  if (!is_container_id (id))
    return oci_error_set (err, EINVAL, "invalid container id \"%s\"", id ? id : "");
  dir = store_container_dir (s, id);
  return merged_umount (dir, err);
}

/* --- overlay rootfs --- */

/* Overlay options split on ',' and lowerdirs on ':': escape those.  */
static void
add_escaped (struct strbuf *sb, const char *path)
{
  for (const char *p = path; *p; p++)
    {
      if (*p == ',' || *p == ':' || *p == '\\')
        strbuf_addch (sb, '\\');
      strbuf_addch (sb, *p);
    }
}

/* lowerdir list, top layer first: absolute paths, or the short links
   "l/<n>" of the container dir (see layer_links).  */
static char *
lowerdir_list (struct berth_store *s, char *const *diff_ids, const char *empty_lower, bool short_links)
{
  struct strbuf sb = STRBUF_INIT;
  size_t n = strv_len (diff_ids);

  if (n == 0)
    add_escaped (&sb, empty_lower);
  for (size_t i = n; i-- > 0;)
    {
      cleanup_free char *path = store_layer_path (s, diff_ids[i]);

      if (sb.len)
        strbuf_addch (&sb, ':');
      if (short_links)
        strbuf_addf (&sb, "l/%zu", n - 1 - i);
      else
        add_escaped (&sb, path);
    }
  return strbuf_detach (&sb, NULL);
}

/* upperdir/workdir: absolute, or relative to the container dir.  */
static char *
overlay_options (const char *lower, const char *cdir, bool vol)
{
  struct strbuf sb = STRBUF_INIT;

  strbuf_addstr (&sb, "lowerdir=");
  strbuf_addstr (&sb, lower);
  strbuf_addstr (&sb, ",upperdir=");
  if (cdir)
    {
      add_escaped (&sb, cdir);
      strbuf_addch (&sb, '/');
    }
  strbuf_addstr (&sb, "upper,workdir=");
  if (cdir)
    {
      add_escaped (&sb, cdir);
      strbuf_addch (&sb, '/');
    }
  strbuf_addstr (&sb, "work");
  if (vol)
    strbuf_addstr (&sb, ",volatile");
  return strbuf_detach (&sb, NULL);
}

/* Containers that are removed when they exit (--rm) mount their rootfs
   "volatile": overlay then never syncs the upper dir, which makes the
   unmount ~5 ms faster; a crash loses only what is thrown away anyway.
   The kernel refuses a later mount while work/incompat/volatile exists
   (its mark of a volatile mount), so that goes first.  */
static bool
overlay_volatile (const char *cdir)
{
  cleanup_free char *marker = NULL, *mark = NULL, *incompat = NULL;

  xasprintf (&marker, "%s/%s", cdir, STORE_CONTAINER_VOLATILE_FILE);
  if (access (marker, F_OK) < 0)
    return false;
  xasprintf (&incompat, "%s/work/incompat", cdir);
  xasprintf (&mark, "%s/volatile", incompat);
  rmdir (mark);
  rmdir (incompat);
  return true;
}

/* Many layers make the option string longer than a page (the limit of
   mount(2) data): <cdir>/l/<n> are short symlinks to the layers, top
   first, as docker's overlay2 does.  */
static int
layer_links (struct berth_store *s, const char *cdir, char *const *diff_ids, oci_error_t **err)
{
  cleanup_free char *dir = NULL;
  size_t n = strv_len (diff_ids);

  xasprintf (&dir, "%s/l", cdir);
  if (remove_recursive (dir, err) < 0)
    return -1;
  if (mkdir (dir, 0700) < 0)
    return oci_error_errno (err, errno, "mkdir `%s`", dir);
  for (size_t i = 0; i < n; i++)
    {
      cleanup_free char *target = store_layer_path (s, diff_ids[n - 1 - i]);
      cleanup_free char *link = NULL;

      xasprintf (&link, "%s/%zu", dir, i);
      if (symlink (target, link) < 0)
        return oci_error_errno (err, errno, "symlink `%s`", link);
    }
  return 0;
}

/* Mount with paths relative to the container dir: the process's cwd moves
   there for the mount(2) call only.  */
static int
overlay_mount_relative (const char *cdir, const char *merged, const char *opts, oci_error_t **err)
{
  cleanup_close int cwd = open (".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  int r, saved;

  if (cwd < 0)
    return oci_error_errno (err, errno, "open the current directory");
  if (chdir (cdir) < 0)
    return oci_error_errno (err, errno, "chdir `%s`", cdir);
  r = mount ("overlay", merged, "overlay", 0, opts);
  saved = errno;
  if (fchdir (cwd) < 0)
    return oci_error_errno (err, errno, "return to the current directory");
  if (r < 0)
    return oci_error_errno (err, saved, "mount overlay on `%s`", merged);
  return 0;
}

static int
overlay_mount (struct berth_store *s, const char *cdir, const char *merged, char *const *diff_ids,
               oci_error_t **err)
{
  long page = sysconf (_SC_PAGESIZE);
  bool vol;
  cleanup_free char *empty = NULL;
  cleanup_free char *lower = NULL;
  cleanup_free char *opts = NULL;

  xasprintf (&empty, "%s/lower", cdir);
  if (diff_ids == NULL || diff_ids[0] == NULL)
    {
      if (mkdir (empty, 0755) < 0 && errno != EEXIST)
        return oci_error_errno (err, errno, "mkdir `%s`", empty);
    }
  lower = lowerdir_list (s, diff_ids, empty, false);
  vol = overlay_volatile (cdir);
  opts = overlay_options (lower, cdir, vol);
  if ((long) strlen (opts) < page)
    {
      if (mount ("overlay", merged, "overlay", 0, opts) < 0)
        return oci_error_errno (err, errno, "mount overlay on `%s`", merged);
      return 0;
    }
  free (lower);
  free (opts);
  lower = lowerdir_list (s, diff_ids, empty, true);
  opts = overlay_options (lower, NULL, vol);
  if ((long) strlen (opts) >= page)
    return oci_error_set (err, E2BIG, "mount overlay on `%s`: too many layers (%zu)", merged,
                          strv_len (diff_ids));
  if (layer_links (s, cdir, diff_ids, err) < 0)
    return -1;
  return overlay_mount_relative (cdir, merged, opts, err);
}

/* The container's root directory takes the owner and mode of the image's
   top layer root (overlay shows the upper dir's).  */
static int
upper_create (struct berth_store *s, const char *cdir, char *const *diff_ids, oci_error_t **err)
{
  cleanup_free char *upper = NULL;
  struct stat top;
  size_t n = strv_len (diff_ids);

  xasprintf (&upper, "%s/upper", cdir);
  if (mkdir (upper, 0755) < 0)
    return errno == EEXIST ? 0 : oci_error_errno (err, errno, "mkdir `%s`", upper);
  if (n > 0)
    {
      cleanup_free char *path = store_layer_path (s, diff_ids[n - 1]);

      if (stat (path, &top) == 0
          && (chmod (upper, top.st_mode & 07777) < 0 || chown (upper, top.st_uid, top.st_gid) < 0))
        return oci_error_errno (err, errno, "set the mode of `%s`", upper);
    }
  return 0;
}

static int
rootfs_dirs (struct berth_store *s, const char *cdir, char *const *diff_ids, oci_error_t **err)
{
  static const char *const dirs[] = { "work", "merged" };

  if (upper_create (s, cdir, diff_ids, err) < 0)
    return -1;
  for (size_t i = 0; i < ARRAY_SIZE (dirs); i++)
    {
      cleanup_free char *p = NULL;

      xasprintf (&p, "%s/%s", cdir, dirs[i]);
      if (mkdir (p, 0755) < 0 && errno != EEXIST)
        return oci_error_errno (err, errno, "mkdir `%s`", p);
    }
  return 0;
}

/* Until the container's row exists, nothing else keeps the image's layers
   from the garbage collector: lease them for this process's lifetime.  */
static int
lease_layers (struct berth_store *s, char *const *diff_ids, oci_error_t **err)
{
  if (diff_ids == NULL || diff_ids[0] == NULL)
    return 0;
  if (db_begin (s, err) < 0)
    return -1;
  for (size_t i = 0; diff_ids[i]; i++)
    if (store_lease_add (s, diff_ids[i], err) < 0)
      {
        db_rollback (s);
        return -1;
      }
  return db_commit (s, err);
}

static int
rootfs_mount_locked (struct berth_store *s, const char *cdir, const char *image_id, const char *merged,
                     oci_error_t **err)
{
  struct store_image *img = NULL;
  int ret = -1;

  if (store_path_is_mountpoint (merged))
    return 0;
  if (store_image_lookup (s, image_id, &img, err) < 0)
    return -1;
  for (size_t i = 0; img->diff_ids[i]; i++)
    if (!store_layer_exists (s, img->diff_ids[i]))
      {
        oci_error_set (err, ENOENT, "image %s: layer %s is not unpacked", img->id, img->diff_ids[i]);
        goto out;
      }
  if (lease_layers (s, img->diff_ids, err) < 0 || rootfs_dirs (s, cdir, img->diff_ids, err) < 0
      || overlay_mount (s, cdir, merged, img->diff_ids, err) < 0)
    goto out;
  ret = 0;
out:
  store_image_free (img);
  return ret;
}

int
store_container_rootfs_mount (struct berth_store *s, const char *id, const char *image_id, char **merged,
                              oci_error_t **err)
{
  cleanup_free char *cdir = NULL;
  cleanup_free char *path = NULL;
  cleanup_close int fd = -1;

  if (!is_container_id (id))
    return oci_error_set (err, EINVAL, "invalid container id \"%s\"", id ? id : "");
  cdir = store_container_dir (s, id);
  xasprintf (&path, "%s/merged", cdir);
  /* The directory's flock serialises concurrent mounters (and keeps the
     garbage collector away).  */
  fd = open (cdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return oci_error_errno (err, errno, "open `%s`", cdir);
  if (flock (fd, LOCK_EX) < 0)
    return oci_error_errno (err, errno, "lock `%s`", cdir);
  if (rootfs_mount_locked (s, cdir, image_id, path, err) < 0)
    return oci_error_prefix (err, "container %s rootfs", id);
  if (merged)
    *merged = steal_pointer (&path);
  return 0;
}
