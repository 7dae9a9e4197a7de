/* Image metadata: images, their layers, names and repo digests.  */
#include "config.h"
#include "store_internal.h"

#include <errno.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "digest.h"
#include "fileutil.h"
#include "util.h"

#define MANIFEST_MAX (4u * 1024 * 1024)
#define CONFIG_MAX   (8u * 1024 * 1024)

void
store_image_free (struct store_image *img)
{
  if (img == NULL)
    return;
  free (img->id);
  free (img->manifest_digest);
  free (img->manifest_media_type);
  strv_free (img->names);
  strv_free (img->digests);
  strv_free (img->diff_ids);
  free (img);
}

void
store_image_list_free (struct store_image **imgs)
{
  if (imgs == NULL)
    return;
  for (size_t i = 0; imgs[i]; i++)
    store_image_free (imgs[i]);
  free (imgs);
}

/* RFC 3339 ("2024-01-02T03:04:05.5+01:00") to unix seconds; 0 when
   absent or unparsable (Docker shows such images as created long ago).  */
int64_t
store_parse_time (const char *s)
{
  struct tm tm = { 0 };
  int n = 0, oh = 0, om = 0;
  const char *p;
  int64_t t;

  if (s == NULL
      || sscanf (s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                 &tm.tm_min, &tm.tm_sec, &n)
             != 6)
    return 0;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  t = timegm (&tm);
  p = s + n;
  if (*p == '.')
    for (p++; *p >= '0' && *p <= '9'; p++)
      ;
  if ((*p == '+' || *p == '-') && sscanf (p + 1, "%2d:%2d", &oh, &om) == 2)
    t += (*p == '+' ? -1 : 1) * (oh * 3600 + om * 60);
  return t;
}

static char **
db_column_strv (struct berth_store *s, const char *sql, const char *key)
{
  cleanup_stmt sqlite3_stmt *st = NULL;
  cleanup_error oci_error_t *err = NULL;
  char **v = xzalloc (sizeof (char *));
  size_t n = 0;

  if (db_prepare (s, sql, &st, &err) < 0)
    return v;
  db_bind_text (st, 1, key);
  while (sqlite3_step (st) == SQLITE_ROW)
    {
      v = xreallocarray (v, n + 2, sizeof (char *));
      v[n++] = xstrdup ((const char *) sqlite3_column_text (st, 0));
      v[n] = NULL;
    }
  return v;
}

static int
image_load (struct berth_store *s, const char *id, struct store_image **out, oci_error_t **err)
{
  cleanup_stmt sqlite3_stmt *st = NULL;
  struct store_image *img;

  if (db_prepare (
          s,
          "SELECT i.id, i.manifest_digest, i.manifest_media_type, i.created, "
          "(SELECT COALESCE(SUM(l.size), 0) FROM image_layers il JOIN layers l ON l.diff_id = il.diff_id "
          " WHERE il.image_id = i.id) FROM images i WHERE i.id = ?",
          &st, err)
      < 0)
    return -1;
  db_bind_text (st, 1, id);
  if (sqlite3_step (st) != SQLITE_ROW)
    return oci_error_set (err, ENOENT, "No such image: %s", id);
  img = xzalloc (sizeof *img);
  img->id = xstrdup ((const char *) sqlite3_column_text (st, 0));
  img->manifest_digest = xstrdup ((const char *) sqlite3_column_text (st, 1));
  img->manifest_media_type = xstrdup ((const char *) sqlite3_column_text (st, 2));
  img->created = sqlite3_column_int64 (st, 3);
  img->size = sqlite3_column_int64 (st, 4);
  img->names = db_column_strv (s, "SELECT name FROM names WHERE image_id = ? ORDER BY added, name", id);
  img->digests = db_column_strv (s, "SELECT repo_digest FROM repo_digests WHERE image_id = ? ORDER BY 1", id);
  img->diff_ids = db_column_strv (s, "SELECT diff_id FROM image_layers WHERE image_id = ? ORDER BY idx", id);
  *out = img;
  return 0;
}

int
store_manifest_layers (struct berth_store *s, const char *manifest_digest, char **config_digest,
                       char ***layer_digests, char **media_type, oci_error_t **err)
{
  cleanup_free char *data = NULL;
  size_t len;
  enum oci_manifest_kind kind;
  char **layers;

  if (store_blob_read (s, manifest_digest, MANIFEST_MAX, &data, &len, err) < 0)
    return -1;
  kind = oci_manifest_sniff (data, len, NULL);
  if (kind == OCI_MANIFEST_KIND_OCI_MANIFEST)
    {
      cleanup_oci_image_manifest struct oci_image_manifest *m = NULL;

      if (oci_image_manifest_parse (data, len, manifest_digest, &m, err) < 0)
        return -1;
      layers = xcalloc (m->layers_len + 1, sizeof (char *));
      for (size_t i = 0; i < m->layers_len; i++)
        layers[i] = xstrdup (m->layers[i].digest);
      *config_digest = xstrdup (m->config->digest);
    }
  else if (kind == OCI_MANIFEST_KIND_DOCKER_MANIFEST)
    {
      cleanup_docker_manifest struct docker_manifest *m = NULL;

      if (docker_manifest_parse (data, len, manifest_digest, &m, err) < 0)
        return -1;
      layers = xcalloc (m->layers_len + 1, sizeof (char *));
      for (size_t i = 0; i < m->layers_len; i++)
        layers[i] = xstrdup (m->layers[i].digest);
      *config_digest = xstrdup (m->config->digest);
    }
  else
    return oci_error_set (err, EINVAL, "manifest %s: not an image manifest (an index or an unknown type)",
                          manifest_digest);
  *layer_digests = layers;
  if (media_type)
    *media_type = xstrdup (oci_manifest_kind_media_type (kind));
  return 0;
}

struct image_parts
{
  char *config_digest;
  char **layer_digests;
  char *media_type;
  struct oci_image_config *config;
};

static void
image_parts_clear (struct image_parts *p)
{
  free (p->config_digest);
  strv_free (p->layer_digests);
  free (p->media_type);
  oci_image_config_free (p->config);
}

static int
image_parts_load (struct berth_store *s, const char *manifest_digest, struct image_parts *p,
                  oci_error_t **err)
{
  cleanup_free char *data = NULL;
  size_t len, n;

  if (store_manifest_layers (s, manifest_digest, &p->config_digest, &p->layer_digests, &p->media_type, err)
      < 0)
    return -1;
  if (store_blob_read (s, p->config_digest, CONFIG_MAX, &data, &len, err) < 0
      || oci_image_config_parse (data, len, p->config_digest, &p->config, err) < 0)
    return -1;
  n = p->config->rootfs ? strv_len (p->config->rootfs->diff_ids) : 0;
  if (n != strv_len (p->layer_digests))
    return oci_error_set (err, EINVAL, "image %s: %zu layers in the manifest but %zu diff_ids in the config",
                          p->config_digest, strv_len (p->layer_digests), n);
  return 0;
}

/* Inside the transaction: everything the rows will reference exists.  */
static int
image_parts_present (struct berth_store *s, const char *manifest_digest, const struct image_parts *p,
                     oci_error_t **err)
{
  if (!store_blob_exists (s, manifest_digest))
    return oci_error_set (err, ENOENT, "manifest blob %s is missing", manifest_digest);
  if (!store_blob_exists (s, p->config_digest))
    return oci_error_set (err, ENOENT, "config blob %s is missing", p->config_digest);
  for (size_t i = 0; p->layer_digests[i]; i++)
    {
      if (!store_blob_exists (s, p->layer_digests[i]))
        return oci_error_set (err, ENOENT, "layer blob %s is missing", p->layer_digests[i]);
      if (!store_layer_exists (s, p->config->rootfs->diff_ids[i]))
        return oci_error_set (err, ENOENT, "layer %s is not unpacked", p->config->rootfs->diff_ids[i]);
    }
  return 0;
}

static int
image_insert (struct berth_store *s, const char *manifest_digest, const struct image_parts *p,
              oci_error_t **err)
{
  cleanup_stmt sqlite3_stmt *st = NULL;

  if (db_prepare (s,
                  "INSERT OR IGNORE INTO images (id, manifest_digest, manifest_media_type, created, added) "
                  "VALUES (?, ?, ?, ?, ?)",
                  &st, err)
      < 0)
    return -1;
  db_bind_text (st, 1, p->config_digest);
  db_bind_text (st, 2, manifest_digest);
  db_bind_text (st, 3, p->media_type);
  sqlite3_bind_int64 (st, 4, store_parse_time (p->config->created));
  sqlite3_bind_int64 (st, 5, time (NULL));
  if (db_step_done (s, st, "insert image", err) < 0)
    return -1;
  if (sqlite3_changes (s->db) == 0)
    return 0; /* already there, with its layers */
  sqlite3_finalize (st);
  st = NULL;
  if (db_prepare (s, "INSERT INTO image_layers (image_id, idx, blob_digest, diff_id) VALUES (?, ?, ?, ?)",
                  &st, err)
      < 0)
    return -1;
  for (size_t i = 0; p->layer_digests[i]; i++)
    {
      sqlite3_reset (st);
      db_bind_text (st, 1, p->config_digest);
      sqlite3_bind_int (st, 2, (int) i);
      db_bind_text (st, 3, p->layer_digests[i]);
      db_bind_text (st, 4, p->config->rootfs->diff_ids[i]);
      if (db_step_done (s, st, "insert image layer", err) < 0)
        return -1;
    }
  return 0;
}

static int
image_point (struct berth_store *s, const char *sql, const char *key, const char *image_id, oci_error_t **err)
{
  cleanup_stmt sqlite3_stmt *st = NULL;

  if (db_prepare (s, sql, &st, err) < 0)
    return -1;
  db_bind_text (st, 1, key);
  db_bind_text (st, 2, image_id);
  sqlite3_bind_int64 (st, 3, time (NULL));
  return db_step_done (s, st, sql, err);
}

#define SQL_SET_NAME   "INSERT OR REPLACE INTO names (name, image_id, added) VALUES (?, ?, ?)"
#define SQL_SET_DIGEST "INSERT OR REPLACE INTO repo_digests (repo_digest, image_id) VALUES (?1, ?2)"

static void
image_release_leases (struct berth_store *s, const char *manifest_digest, const struct image_parts *p)
{
  cleanup_stmt sqlite3_stmt *st = NULL;
  cleanup_error oci_error_t *err = NULL;
  size_t n = strv_len (p->layer_digests);
  cleanup_free const char **digests = xcalloc (2 * n + 2, sizeof (char *));

  if (db_prepare (s, "DELETE FROM leases WHERE pid = ? AND digest = ?", &st, &err) < 0)
    return;
  digests[0] = manifest_digest;
  digests[1] = p->config_digest;
  for (size_t i = 0; i < n; i++)
    {
      digests[2 + 2 * i] = p->layer_digests[i];
      digests[3 + 2 * i] = p->config->rootfs->diff_ids[i];
    }
  for (size_t i = 0; i < 2 * n + 2; i++)
    {
      sqlite3_reset (st);
      sqlite3_bind_int64 (st, 1, getpid ());
      db_bind_text (st, 2, digests[i]);
      sqlite3_step (st);
    }
}

int
store_image_add (struct berth_store *s, const char *manifest_digest, const char *name,
                 const char *repo_digest, struct store_image **out, oci_error_t **err)
{
  struct image_parts p = { 0 };
  int ret = -1;

  if (image_parts_load (s, manifest_digest, &p, err) < 0)
    goto out;
  if (db_begin (s, err) < 0)
    goto out;
  if (image_parts_present (s, manifest_digest, &p, err) < 0 || image_insert (s, manifest_digest, &p, err) < 0
      || (name && image_point (s, SQL_SET_NAME, name, p.config_digest, err) < 0)
      || (repo_digest && image_point (s, SQL_SET_DIGEST, repo_digest, p.config_digest, err) < 0))
    {
      db_rollback (s);
      goto out;
    }
  image_release_leases (s, manifest_digest, &p);
  if (db_commit (s, err) < 0)
    goto out;
  ret = out ? image_load (s, p.config_digest, out, err) : 0;
out:
  image_parts_clear (&p);
  return ret;
}

static char *
lookup_one (struct berth_store *s, const char *sql, const char *key, int *count)
{
  cleanup_stmt sqlite3_stmt *st = NULL;
  cleanup_error oci_error_t *err = NULL;
  char *id = NULL;

  *count = 0;
  if (db_prepare (s, sql, &st, &err) < 0)
    return NULL;
  db_bind_text (st, 1, key);
  while (sqlite3_step (st) == SQLITE_ROW)
    {
      if ((*count)++ == 0)
        id = xstrdup ((const char *) sqlite3_column_text (st, 0));
    }
  return id;
}

static bool
is_hex_prefix (const char *s)
{
  size_t n = strspn (s, "0123456789abcdef");

  return n > 0 && n <= 64 && s[n] == '\0';
}

int
store_image_lookup (struct berth_store *s, const char *ref, struct store_image **out, oci_error_t **err)
{
  cleanup_free char *id = NULL;
  int count = 0;

  if (oci_digest_valid (ref))
    id = lookup_one (s, "SELECT id FROM images WHERE id = ?1 OR manifest_digest = ?1", ref, &count);
  else if (strchr (ref, '@'))
    id = lookup_one (s, "SELECT image_id FROM repo_digests WHERE repo_digest = ?", ref, &count);
  else
    id = lookup_one (s, "SELECT image_id FROM names WHERE name = ?", ref, &count);
  if (id == NULL)
    {
      const char *hex = has_prefix (ref, "sha256:") ? ref + 7 : ref;

      if (is_hex_prefix (hex))
        {
          cleanup_free char *pattern = NULL;

          xasprintf (&pattern, "sha256:%s%%", hex);
          id = lookup_one (s, "SELECT id FROM images WHERE id LIKE ?", pattern, &count);
          if (count > 1)
            return oci_error_set (err, EINVAL, "short image id \"%s\" is ambiguous (%d images)", ref, count);
        }
    }
  if (id == NULL)
    return oci_error_set (err, ENOENT, "No such image: %s", ref);
  return image_load (s, id, out, err);
}

int
store_image_list (struct berth_store *s, struct store_image ***out, oci_error_t **err)
{
  cleanup_strv char **ids = NULL;
  struct store_image **imgs;
  size_t n;

  ids = db_column_strv (s, "SELECT id FROM images WHERE ?1 IS NULL ORDER BY created DESC, added DESC", NULL);
  n = strv_len (ids);
  imgs = xcalloc (n + 1, sizeof *imgs);
  for (size_t i = 0; i < n; i++)
    if (image_load (s, ids[i], &imgs[i], err) < 0)
      {
        store_image_list_free (imgs);
        return -1;
      }
  *out = imgs;
  return 0;
}

int
store_image_tag (struct berth_store *s, const char *image_id, const char *name, oci_error_t **err)
{
  int count;
  cleanup_free char *id = lookup_one (s, "SELECT id FROM images WHERE id = ?", image_id, &count);

  if (id == NULL)
    return oci_error_set (err, ENOENT, "No such image: %s", image_id);
  return image_point (s, SQL_SET_NAME, name, image_id, err);
}

static int
image_delete_row (struct berth_store *s, const char *image_id, oci_error_t **err)
{
  cleanup_stmt sqlite3_stmt *st = NULL;

  if (db_prepare (s, "DELETE FROM images WHERE id = ?", &st, err) < 0)
    return -1;
  db_bind_text (st, 1, image_id);
  if (db_step_done (s, st, "delete image", err) < 0)
    return -1;
  if (sqlite3_changes (s->db) == 0)
    return oci_error_set (err, ENOENT, "No such image: %s", image_id);
  return 0;
}

/* Returns 1 when the image went with its last name, 0 when it stays.  */
int
store_image_untag (struct berth_store *s, const char *name, oci_error_t **err)
{
  cleanup_free char *id = NULL;
  cleanup_strv char **left = NULL;
  cleanup_stmt sqlite3_stmt *st = NULL;
  int count, ret = 0;

  if (db_begin (s, err) < 0)
    return -1;
  id = lookup_one (s, "SELECT image_id FROM names WHERE name = ?", name, &count);
  if (id == NULL)
    {
      db_rollback (s);
      return oci_error_set (err, ENOENT, "No such image: %s", name);
    }
  if (db_prepare (s, "DELETE FROM names WHERE name = ?", &st, err) < 0)
    goto fail;
  db_bind_text (st, 1, name);
  if (db_step_done (s, st, "delete name", err) < 0)
    goto fail;
  left = db_column_strv (s, "SELECT name FROM names WHERE image_id = ?", id);
  if (left[0] == NULL)
    {
      if (image_delete_row (s, id, err) < 0)
        goto fail;
      ret = 1;
    }
  if (db_commit (s, err) < 0)
    return -1;
  return ret;
fail:
  db_rollback (s);
  return -1;
}

int
store_image_remove (struct berth_store *s, const char *image_id, oci_error_t **err)
{
  return image_delete_row (s, image_id, err);
}

int
store_image_config (struct berth_store *s, const struct store_image *img, struct oci_image_config **out,
                    oci_error_t **err)
{
  cleanup_free char *data = NULL;
  size_t len;

  if (store_blob_read (s, img->id, CONFIG_MAX, &data, &len, err) < 0)
    return -1;
  return oci_image_config_parse (data, len, img->id, out, err);
}
