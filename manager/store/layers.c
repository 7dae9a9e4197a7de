/* Unpacking layer blobs into overlayfs-ready directories.

   The compressed blob is read by one libarchive reader (gzip or zstd
   filter, "raw" format) whose decompressed bytes feed a second reader (tar
   format) through a read callback that also hashes them: the diff_id is
   computed in the same pass as the extraction.

   Extraction never trusts the archive: paths are cleaned component by
   component (absolute paths and ".." are refused), parent directories are
   walked with O_NOFOLLOW (an entry below a symlink is refused, so nothing
   is ever written through one), hardlink targets must be inside the
   layer, and an existing entry is removed before a new one is created with
   O_EXCL.  OCI whiteouts become overlay whiteouts: ".wh.<name>" a 0:0
   character device, ".wh..wh..opq" the trusted.overlay.opaque=y xattr on
   its directory.  The layer is extracted under <root>/tmp/ and renamed to
   <root>/layers/<hex>/ only once complete.  */
#include "config.h"
#include "store_internal.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "digest.h"
#include "fileutil.h"
#include "strbuf.h"
#include "util.h"

#define WHITEOUT_PREFIX ".wh."
#define WHITEOUT_OPAQUE ".wh..wh..opq"

struct layer_reader
{
  struct archive *outer;
  struct oci_digester dg;
  char buf[65536];
};

struct layer_extract
{
  int rootfd;    /* O_PATH of the diff directory being filled */
  bool rootless; /* ownership and trusted xattrs may be refused */
  int64_t size;  /* bytes of regular files */
};

static la_ssize_t
layer_inner_read (struct archive *a, void *data, const void **buf)
{
  struct layer_reader *r = data;
  cleanup_error oci_error_t *err = NULL;
  la_ssize_t n = archive_read_data (r->outer, r->buf, sizeof r->buf);

  if (n < 0)
    {
      archive_set_error (a, EIO, "decompress: %s", archive_error_string (r->outer));
      return -1;
    }
  if (n > 0 && oci_digester_update (&r->dg, r->buf, n, &err) < 0)
    {
      archive_set_error (a, EIO, "%s", err->msg);
      return -1;
    }
  *buf = r->buf;
  return n;
}

/* "./a//b/" -> "a/b"; "." for the root; absolute paths and ".." refused.  */
static int
layer_clean_path (const char *raw, char **out, oci_error_t **err)
{
  cleanup_free char *copy = xstrdup (raw);
  struct strbuf sb = STRBUF_INIT;
  char *save = NULL;

  if (raw[0] == '/')
    return oci_error_set (err, EPERM, "absolute path refused");
  for (char *c = strtok_r (copy, "/", &save); c; c = strtok_r (NULL, "/", &save))
    {
      if (streq (c, "."))
        continue;
      if (streq (c, ".."))
        {
          strbuf_release (&sb);
          return oci_error_set (err, EPERM, "path with \"..\" refused");
        }
      if (sb.len)
        strbuf_addch (&sb, '/');
      strbuf_addstr (&sb, c);
    }
  if (sb.len == 0)
    strbuf_addch (&sb, '.');
  *out = strbuf_detach (&sb, NULL);
  return 0;
}

/* Open the directory holding path's last component without following any
   symlink; missing directories are created when create.  */
static int
layer_open_parent (int rootfd, const char *path, bool create, char **name, oci_error_t **err)
{
  cleanup_free char *copy = xstrdup (path);
  cleanup_close int fd = openat (rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  char *comp = copy, *slash;

  if (fd < 0)
    return oci_error_errno (err, errno, "open layer directory");
  while ((slash = strchr (comp, '/')) != NULL)
    {
      struct stat st;
      int next;

      *slash = '\0';
      if (fstatat (fd, comp, &st, AT_SYMLINK_NOFOLLOW) < 0)
        {
          if (errno != ENOENT || !create)
            return oci_error_errno (err, errno, "%s", copy);
          if (mkdirat (fd, comp, 0755) < 0 && errno != EEXIST)
            return oci_error_errno (err, errno, "mkdir %s", copy);
        }
      else if (S_ISLNK (st.st_mode))
        return oci_error_set (err, EPERM, "%s is a symlink: writing through it refused", copy);
      else if (!S_ISDIR (st.st_mode))
        return oci_error_set (err, ENOTDIR, "%s is not a directory", copy);
      next = openat (fd, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (next < 0)
        return oci_error_errno (err, errno, "open %s", copy);
      close (fd);
      fd = next;
      *slash = '/';
      comp = slash + 1;
    }
  *name = xstrdup (comp);
  return steal_fd (&fd);
}

static char *
proc_path (int dirfd, const char *name)
{
  char *p;

  if (name)
    xasprintf (&p, "/proc/self/fd/%d/%s", dirfd, name);
  else
    xasprintf (&p, "/proc/self/fd/%d", dirfd);
  return p;
}

/* Remove what is at name unless it is a directory and keep_dir.  */
static int
layer_remove_existing (int dirfd, const char *name, bool keep_dir, oci_error_t **err)
{
  struct stat st;

  if (fstatat (dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return errno == ENOENT ? 0 : oci_error_errno (err, errno, "stat %s", name);
  if (S_ISDIR (st.st_mode))
    {
      cleanup_free char *p = NULL;

      if (keep_dir)
        return 0;
      p = proc_path (dirfd, name);
      return remove_recursive (p, err);
    }
  if (unlinkat (dirfd, name, 0) < 0)
    return oci_error_errno (err, errno, "unlink %s", name);
  return 0;
}

static bool
layer_may_ignore (const struct layer_extract *x, int e)
{
  return x->rootless && (e == EPERM || e == EINVAL || e == ENOTSUP);
}

static int
layer_apply_xattrs (struct layer_extract *x, int dirfd, const char *name, struct archive_entry *e,
                    oci_error_t **err)
{
  cleanup_free char *p = proc_path (dirfd, name);
  const char *key;
  const void *value;
  size_t size;

  archive_entry_xattr_reset (e);
  while (archive_entry_xattr_next (e, &key, &value, &size) == ARCHIVE_OK)
    if (lsetxattr (p, key, value, size, 0) < 0 && !layer_may_ignore (x, errno))
      return oci_error_errno (err, errno, "set xattr %s", key);
  return 0;
}

static int
layer_apply_meta (struct layer_extract *x, int dirfd, const char *name, struct archive_entry *e,
                  oci_error_t **err)
{
  mode_t type = archive_entry_filetype (e);
  struct timespec ts[2];

  if (fchownat (dirfd, name, archive_entry_uid (e), archive_entry_gid (e), AT_SYMLINK_NOFOLLOW) < 0
      && !layer_may_ignore (x, errno))
    return oci_error_errno (err, errno, "chown");
  if (type != AE_IFLNK && fchmodat (dirfd, name, archive_entry_perm (e) & 07777, 0) < 0)
    return oci_error_errno (err, errno, "chmod");
  if (layer_apply_xattrs (x, dirfd, name, e, err) < 0)
    return -1;
  ts[1].tv_sec = archive_entry_mtime (e);
  ts[1].tv_nsec = archive_entry_mtime_nsec (e);
  ts[0] = ts[1];
  if (archive_entry_atime_is_set (e))
    {
      ts[0].tv_sec = archive_entry_atime (e);
      ts[0].tv_nsec = archive_entry_atime_nsec (e);
    }
  if (utimensat (dirfd, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
    return oci_error_errno (err, errno, "set times");
  return 0;
}

static int
layer_write_file (struct layer_extract *x, struct archive *a, int dirfd, const char *name, oci_error_t **err)
{
  cleanup_close int fd = openat (dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  const void *buf;
  size_t len;
  la_int64_t off, end = 0;
  int r;

  if (fd < 0)
    return oci_error_errno (err, errno, "create");
  while ((r = archive_read_data_block (a, &buf, &len, &off)) == ARCHIVE_OK)
    {
      const char *p = buf;

      for (size_t done = 0; done < len;)
        {
          ssize_t n = pwrite (fd, p + done, len - done, off + done);

          if (n < 0 && errno == EINTR)
            continue;
          if (n < 0)
            return oci_error_errno (err, errno, "write");
          done += n;
        }
      end = off + len;
    }
  if (r != ARCHIVE_EOF)
    return oci_error_set (err, EIO, "read: %s", archive_error_string (a));
  if (ftruncate (fd, end) < 0)
    return oci_error_errno (err, errno, "truncate");
  x->size += end;
  return 0;
}

static int
layer_whiteout (struct layer_extract *x, int dirfd, const char *name, oci_error_t **err)
{
  const char *victim = name + strlen (WHITEOUT_PREFIX);

  if (streq (name, WHITEOUT_OPAQUE))
    {
      cleanup_free char *p = proc_path (dirfd, NULL);

      if (setxattr (p, "trusted.overlay.opaque", "y", 1, 0) < 0 && !layer_may_ignore (x, errno))
        return oci_error_errno (err, errno, "set trusted.overlay.opaque");
      return 0;
    }
  if (*victim == '\0' || streq (victim, ".") || streq (victim, ".."))
    return oci_error_set (err, EINVAL, "invalid whiteout");
  if (layer_remove_existing (dirfd, victim, false, err) < 0)
    return -1;
  if (mknodat (dirfd, victim, S_IFCHR | 0000, makedev (0, 0)) < 0)
    return oci_error_errno (err, errno, "create whiteout device for %s", victim);
  return 0;
}

static int
layer_hardlink (struct layer_extract *x, struct archive_entry *e, int dirfd, const char *name,
                oci_error_t **err)
{
  cleanup_free char *target = NULL;
  cleanup_free char *tname = NULL;
  cleanup_close int tdir = -1;
  struct stat st;

  if (layer_clean_path (archive_entry_hardlink (e), &target, err) < 0)
    return oci_error_prefix (err, "hardlink target \"%s\"", archive_entry_hardlink (e));
  tdir = layer_open_parent (x->rootfd, target, false, &tname, err);
  if (tdir < 0)
    return oci_error_prefix (err, "hardlink target");
  if (fstatat (tdir, tname, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return oci_error_errno (err, errno, "hardlink target %s", target);
  if (S_ISDIR (st.st_mode))
    return oci_error_set (err, EPERM, "hardlink target %s is a directory", target);
  if (layer_remove_existing (dirfd, name, false, err) < 0)
    return -1;
  if (linkat (tdir, tname, dirfd, name, 0) < 0)
    return oci_error_errno (err, errno, "link to %s", target);
  return 0;
}

static int
layer_create_node (struct layer_extract *x, struct archive *a, struct archive_entry *e, int dirfd,
                   const char *name, oci_error_t **err)
{
  mode_t type = archive_entry_filetype (e);

  if (layer_remove_existing (dirfd, name, type == AE_IFDIR, err) < 0)
    return -1;
  switch (type)
    {
    case AE_IFDIR:
      if (mkdirat (dirfd, name, 0700) < 0 && errno != EEXIST)
        return oci_error_errno (err, errno, "mkdir");
      break;
    case AE_IFREG:
      if (layer_write_file (x, a, dirfd, name, err) < 0)
        return -1;
      break;
    case AE_IFLNK:
      if (symlinkat (archive_entry_symlink (e), dirfd, name) < 0)
        return oci_error_errno (err, errno, "symlink");
      break;
    case AE_IFCHR:
    case AE_IFBLK:
    case AE_IFIFO:
      if (mknodat (dirfd, name, type | 0600, archive_entry_rdev (e)) < 0)
        return oci_error_errno (err, errno, "mknod");
      break;
    default:
      return 0; /* sockets are not content */
    }
  return layer_apply_meta (x, dirfd, name, e, err);
}

static int
layer_extract_entry (struct layer_extract *x, struct archive *a, struct archive_entry *e, oci_error_t **err)
{
  cleanup_free char *path = NULL;
  cleanup_free char *name = NULL;
  cleanup_close int dirfd = -1;
  const char *base;

  if (layer_clean_path (archive_entry_pathname (e), &path, err) < 0)
    return -1;
  if (streq (path, "."))
    {
      cleanup_free char *p = proc_path (x->rootfd, NULL);

      if (chmod (p, archive_entry_perm (e) & 07777) < 0)
        return oci_error_errno (err, errno, "chmod layer root");
      return 0;
    }
  base = strrchr (path, '/');
  base = base ? base + 1 : path;
  dirfd = layer_open_parent (x->rootfd, path, true, &name, err);
  if (dirfd < 0)
    return -1;
  if (has_prefix (base, WHITEOUT_PREFIX))
    return layer_whiteout (x, dirfd, name, err);
  if (archive_entry_hardlink (e))
    return layer_hardlink (x, e, dirfd, name, err);
  return layer_create_node (x, a, e, dirfd, name, err);
}

static struct archive *
layer_outer_open (const char *blob_path, oci_error_t **err)
{
  struct archive *outer = archive_read_new ();

  archive_read_support_filter_gzip (outer);
  archive_read_support_filter_zstd (outer);
  archive_read_support_format_raw (outer);
  if (archive_read_open_filename (outer, blob_path, 65536) != ARCHIVE_OK)
    {
      oci_error_set (err, EIO, "%s: %s", blob_path, archive_error_string (outer));
      archive_read_free (outer);
      return NULL;
    }
  return outer;
}

/* Extract the blob into the directory rootfd; the diff_id is the digest of
   the decompressed stream (read to its end).  */
static int
layer_extract_blob (struct layer_extract *x, const char *blob_path, char **diff_id, oci_error_t **err)
{
  struct layer_reader *r = xzalloc (sizeof *r);
  struct archive *inner = NULL;
  struct archive_entry *e;
  int ret = -1, rc;

  r->outer = layer_outer_open (blob_path, err);
  if (r->outer == NULL || oci_digester_init (&r->dg, "sha256", err) < 0)
    goto out;
  if (archive_read_next_header (r->outer, &e) != ARCHIVE_OK)
    {
      oci_error_set (err, EIO, "%s: %s", blob_path, archive_error_string (r->outer));
      goto out;
    }
  inner = archive_read_new ();
  archive_read_support_format_tar (inner);
  if (archive_read_open (inner, r, NULL, layer_inner_read, NULL) != ARCHIVE_OK)
    {
      oci_error_set (err, EIO, "not a tar archive: %s", archive_error_string (inner));
      goto out;
    }
  while ((rc = archive_read_next_header (inner, &e)) == ARCHIVE_OK)
    if (layer_extract_entry (x, inner, e, err) < 0)
      {
        oci_error_prefix (err, "entry \"%s\"", archive_entry_pathname (e));
        goto out;
      }
  if (rc != ARCHIVE_EOF)
    {
      oci_error_set (err, EIO, "tar: %s", archive_error_string (inner));
      goto out;
    }
  const void *rest;
  while ((rc = layer_inner_read (inner, r, &rest)) > 0)
    ;
  if (rc < 0)
    {
      oci_error_set (err, EIO, "%s", archive_error_string (inner));
      goto out;
    }
  ret = oci_digester_final (&r->dg, diff_id, err);
out:
  if (inner)
    archive_read_free (inner);
  if (r->outer)
    archive_read_free (r->outer);
  oci_digester_release (&r->dg);
  free (r);
  return ret;
}

bool
store_layer_exists (struct berth_store *s, const char *diff_id)
{
  cleanup_free char *p = store_layer_path (s, diff_id);

  return p != NULL && access (p, F_OK) == 0;
}

char *
store_layer_path (struct berth_store *s, const char *diff_id)
{
  cleanup_free char *dir = store_digest_path (s, "layers", diff_id);
  char *p;

  if (dir == NULL)
    return NULL;
  xasprintf (&p, "%s/diff", dir);
  return p;
}

/* The diff_id of a blob already unpacked, or NULL.  */
static char *
layer_known_diff_id (struct berth_store *s, const char *blob_digest)
{
  cleanup_stmt sqlite3_stmt *st = NULL;
  cleanup_error oci_error_t *err = NULL;

  if (db_prepare (s, "SELECT diff_id FROM layers WHERE blob_digest = ?", &st, &err) < 0)
    return NULL;
  db_bind_text (st, 1, blob_digest);
  while (sqlite3_step (st) == SQLITE_ROW)
    {
      const char *d = (const char *) sqlite3_column_text (st, 0);

      if (d && store_layer_exists (s, d))
        return xstrdup (d);
    }
  return NULL;
}

static int
layer_record (struct berth_store *s, const char *diff_id, const char *blob_digest, int64_t size,
              oci_error_t **err)
{
  cleanup_stmt sqlite3_stmt *st = NULL;

  if (db_prepare (
          s,
          "INSERT INTO layers (diff_id, blob_digest, size) VALUES (?, ?, ?) "
          "ON CONFLICT (diff_id) DO UPDATE SET blob_digest = excluded.blob_digest, size = excluded.size",
          &st, err)
      < 0)
    return -1;
  db_bind_text (st, 1, diff_id);
  db_bind_text (st, 2, blob_digest);
  sqlite3_bind_int64 (st, 3, size);
  return db_step_done (s, st, "record layer", err);
}

/* Move the complete extraction tmpdir to layers/<hex> (or drop it when
   another process got there first).  */
static int
layer_publish (struct berth_store *s, const char *tmpdir, const char *diff_id, oci_error_t **err)
{
  cleanup_free char *dest = store_digest_path (s, "layers", diff_id);
  cleanup_free char *layers = NULL;
  cleanup_close int dfd = -1;

  if (rename (tmpdir, dest) < 0)
    {
      if (errno != EEXIST && errno != ENOTEMPTY)
        return oci_error_errno (err, errno, "rename %s to %s", tmpdir, dest);
      return remove_recursive (tmpdir, err);
    }
  xasprintf (&layers, "%s/layers", s->root);
  dfd = open (layers, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0 || fsync (dfd) < 0)
    return oci_error_errno (err, errno, "fsync %s", layers);
  return 0;
}

static int
layer_unpack_new (struct berth_store *s, const char *blob_digest, char **diff_id, oci_error_t **err)
{
  cleanup_free char *tmpdir = store_tmp_template (s, "layer-");
  cleanup_free char *blob = store_blob_path (s, blob_digest);
  cleanup_free char *diff = NULL;
  cleanup_free char *id = NULL;
  cleanup_close int lockfd = -1;
  struct layer_extract x = { .rootfd = -1, .rootless = geteuid () != 0 };
  int ret = -1;

  if (mkdtemp (tmpdir) == NULL)
    return oci_error_errno (err, errno, "mkdtemp %s", tmpdir);
  /* The lock tells store_gc this extraction is alive.  */
  lockfd = open (tmpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (lockfd < 0 || flock (lockfd, LOCK_EX) < 0)
    {
      oci_error_errno (err, errno, "lock %s", tmpdir);
      goto out;
    }
  xasprintf (&diff, "%s/diff", tmpdir);
  if (mkdir (diff, 0755) < 0)
    {
      oci_error_errno (err, errno, "mkdir %s", diff);
      goto out;
    }
  x.rootfd = open (diff, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (x.rootfd < 0)
    {
      oci_error_errno (err, errno, "open %s", diff);
      goto out;
    }
  /* The lease comes before the rename: the layer is never visible and
     collectable at the same time.  */
  if (layer_extract_blob (&x, blob, &id, err) < 0 || store_lease_add (s, id, err) < 0
      || layer_publish (s, tmpdir, id, err) < 0)
    goto out;
  if (layer_record (s, id, blob_digest, x.size, err) < 0)
    goto out;
  *diff_id = steal_pointer (&id);
  ret = 0;
out:
  if (x.rootfd >= 0)
    close (x.rootfd);
  if (ret < 0)
    {
      cleanup_error oci_error_t *ignored = NULL;

      remove_recursive (tmpdir, &ignored);
      oci_error_prefix (err, "layer %s", blob_digest);
    }
  return ret;
}

int
store_layer_unpack (struct berth_store *s, const char *blob_digest, const char *media_type, char **diff_id,
                    oci_error_t **err)
{
  char *known;

  if (media_type && oci_layer_media_type_compression (media_type) == OCI_LAYER_NOT_A_LAYER)
    return oci_error_set (err, EINVAL, "layer %s: media type \"%s\" is not a layer", blob_digest, media_type);
  if (!store_blob_exists (s, blob_digest))
    return oci_error_set (err, ENOENT, "layer %s: blob not in the store", blob_digest);
  known = layer_known_diff_id (s, blob_digest);
  if (known)
    {
      if (store_lease_add (s, known, err) < 0)
        {
          free (known);
          return -1;
        }
      *diff_id = known;
      return 0;
    }
  return layer_unpack_new (s, blob_digest, diff_id, err);
}

int64_t
store_layer_size (struct berth_store *s, const char *diff_id)
{
  cleanup_stmt sqlite3_stmt *st = NULL;
  cleanup_error oci_error_t *err = NULL;

  if (db_prepare (s, "SELECT size FROM layers WHERE diff_id = ?", &st, &err) < 0)
    return 0;
  db_bind_text (st, 1, diff_id);
  return sqlite3_step (st) == SQLITE_ROW ? sqlite3_column_int64 (st, 0) : 0;
}
