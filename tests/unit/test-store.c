/* berth's image store: verified ingestion, resumable partials, safe layer
   extraction (malicious tars, whiteouts, metadata), images, gc, check and
   crash consistency.  */
#include "config.h"
#include "unit.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "digest.h"
#include "fileutil.h"
#include "manager/store/store.h"
#include "manager/store/store_internal.h"
#include "strbuf.h"

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

  strcpy (f->dir, "/tmp/test-store.XXXXXX");
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
reopen (struct fixture *f)
{
  cleanup_error oci_error_t *err = NULL;

  store_close (f->s);
  assert_int_equal (store_open (f->root, &f->s, &err), 0);
}

/* --- tar building --- */

struct tentry
{
  char type; /* f file, d dir, l symlink, h hardlink, c char device, p fifo */
  const char *path;
  const char *link; /* symlink or hardlink target */
  const char *data;
  mode_t mode;
  uid_t uid;
  gid_t gid;
  const char *xattr; /* "name=value" */
  dev_t rdev;
};

enum tar_filter
{
  TAR_PLAIN,
  TAR_GZIP,
  TAR_ZSTD
};

static char *
build_tar (struct fixture *f, const char *name, const struct tentry *entries, size_t n,
           enum tar_filter filter)
{
  struct archive *a = archive_write_new ();
  char *path;

  xasprintf (&path, "%s/%s", f->dir, name);
  archive_write_set_format_pax (a);
  if (filter == TAR_GZIP)
    archive_write_add_filter_gzip (a);
  else if (filter == TAR_ZSTD)
    assert_int_equal (archive_write_add_filter_zstd (a), ARCHIVE_OK);
  assert_int_equal (archive_write_open_filename (a, path), ARCHIVE_OK);
  for (size_t i = 0; i < n; i++)
    {
      const struct tentry *t = &entries[i];
      struct archive_entry *e = archive_entry_new ();
      size_t len = t->data ? strlen (t->data) : 0;

      archive_entry_set_pathname (e, t->path);
      archive_entry_set_perm (e, t->mode ? t->mode : (t->type == 'd' ? 0755 : 0644));
      archive_entry_set_uid (e, t->uid);
      archive_entry_set_gid (e, t->gid);
      archive_entry_set_mtime (e, 1700000000, 0);
      switch (t->type)
        {
        case 'd':
          archive_entry_set_filetype (e, AE_IFDIR);
          break;
        case 'l':
          archive_entry_set_filetype (e, AE_IFLNK);
          archive_entry_set_symlink (e, t->link);
          break;
        case 'h':
          archive_entry_set_filetype (e, AE_IFREG);
          archive_entry_set_hardlink (e, t->link);
          break;
        case 'c':
          archive_entry_set_filetype (e, AE_IFCHR);
          archive_entry_set_rdev (e, t->rdev);
          break;
        case 'p':
          archive_entry_set_filetype (e, AE_IFIFO);
          break;
        default:
          archive_entry_set_filetype (e, AE_IFREG);
          archive_entry_set_size (e, len);
        }
      if (t->xattr)
        {
          const char *eq = strchr (t->xattr, '=');
          cleanup_free char *k = xstrndup (t->xattr, eq - t->xattr);

          archive_entry_xattr_add_entry (e, k, eq + 1, strlen (eq + 1));
        }
      assert_int_equal (archive_write_header (a, e), ARCHIVE_OK);
      if (t->type == 'f' && len)
        assert_int_equal (archive_write_data (a, t->data, len), (la_ssize_t) len);
      archive_entry_free (e);
    }
  assert_int_equal (archive_write_close (a), ARCHIVE_OK);
  archive_write_free (a);
  return path;
}

/* Store a file as a blob; returns its digest.  */
static char *
put_file (struct fixture *f, const char *path)
{
  cleanup_error oci_error_t *err = NULL;
  cleanup_free char *data = NULL;
  char *digest = NULL;
  size_t len;

  assert_int_equal (read_file_max (path, 64 << 20, &data, &len, &err), 0);
  assert_int_equal (store_blob_put (f->s, data, len, NULL, &digest, &err), 0);
  assert_no_error (err);
  return digest;
}

static char *
unpack_ok (struct fixture *f, const char *tar_path)
{
  cleanup_error oci_error_t *err = NULL;
  cleanup_free char *blob = put_file (f, tar_path);
  char *diff_id = NULL;

  if (store_layer_unpack (f->s, blob, NULL, &diff_id, &err) < 0)
    fail_msg ("unpack: %s", err->msg);
  return diff_id;
}

static bool
dir_is_empty (const char *path)
{
  cleanup_dir DIR *d = opendir (path);
  struct dirent *de;

  assert_non_null (d);
  while ((de = readdir (d)) != NULL)
    if (!streq (de->d_name, ".") && !streq (de->d_name, ".."))
      return false;
  return true;
}

static void
assert_store_dir_empty (struct fixture *f, const char *sub)
{
  cleanup_free char *p = NULL;

  xasprintf (&p, "%s/%s", f->root, sub);
  if (!dir_is_empty (p))
    fail_msg ("%s is not empty", p);
}

/* --- ingestion --- */

static void
test_ingest_verifies (void **state)
{
  struct fixture *f = *state;
  cleanup_error oci_error_t *err = NULL;
  cleanup_free char *digest = NULL;
  cleanup_free char *got = NULL;
  struct store_ingest *in = NULL;

  assert_int_equal (oci_digest_buffer ("sha256", "hello", 5, &digest, &err), 0);
  /* One tampered byte: refused, nothing visible.  */
  assert_int_equal (store_ingest_begin (f->s, digest, 5, &in, NULL, &err), 0);
  assert_int_equal (store_ingest_write (in, "hellp", 5, &err), 0);
  assert_int_equal (store_ingest_commit (in, &err), -1);
  assert_error_contains (err, "digest mismatch");
  oci_error_free (&err);
  assert_false (store_blob_exists (f->s, digest));
  assert_store_dir_empty (f, "tmp");
  assert_store_dir_empty (f, "blobs/sha256");
  /* Wrong size: too short, then too long.  */
  assert_int_equal (store_ingest_begin (f->s, digest, 6, &in, NULL, &err), 0);
  assert_int_equal (store_ingest_write (in, "hello", 5, &err), 0);
  assert_int_equal (store_ingest_commit (in, &err), -1);
  assert_error_contains (err, "size mismatch");
  oci_error_free (&err);
  assert_int_equal (store_ingest_begin (f->s, digest, 4, &in, NULL, &err), 0);
  assert_int_equal (store_ingest_write (in, "hello", 5, &err), -1);
  assert_error_contains (err, "more than the expected 4 bytes");
  oci_error_free (&err);
  store_ingest_abort (in, false);
  assert_false (store_blob_exists (f->s, digest));
  /* The right bytes.  */
  assert_int_equal (store_blob_put (f->s, "hello", 5, digest, &got, &err), 0);
  assert_string_equal (got, digest);
  assert_true (store_blob_exists (f->s, digest));
  assert_store_dir_empty (f, "tmp");
}

static void
test_ingest_resume (void **state)
{
  struct fixture *f = *state;
  cleanup_error oci_error_t *err = NULL;
  cleanup_free char *digest = NULL;
  cleanup_free char *data = NULL;
  struct store_ingest *in = NULL;
  int64_t offset = -1;
  size_t len;

  assert_int_equal (oci_digest_buffer ("sha256", "0123456789", 10, &digest, &err), 0);
  assert_int_equal (store_ingest_begin (f->s, digest, 10, &in, &offset, &err), 0);
  assert_int_equal (offset, 0);
  assert_int_equal (store_ingest_write (in, "01234", 5, &err), 0);
  store_ingest_abort (in, true);
  assert_false (store_blob_exists (f->s, digest));
  /* A second process resumes where the first stopped.  */
  assert_int_equal (store_ingest_begin (f->s, digest, 10, &in, &offset, &err), 0);
  assert_int_equal (offset, 5);
  assert_int_equal (store_ingest_write (in, "56789", 5, &err), 0);
  assert_int_equal (store_ingest_commit (in, &err), 0);
  assert_no_error (err);
  assert_int_equal (store_blob_read (f->s, digest, 100, &data, &len, &err), 0);
  assert_int_equal (len, 10);
  assert_memory_equal (data, "0123456789", 10);
}

static void
test_ingest_locked (void **state)
{
  struct fixture *f = *state;
  cleanup_error oci_error_t *err = NULL;
  cleanup_free char *digest = NULL;
  struct store_ingest *a = NULL, *b = NULL;
  int64_t offset;

  assert_int_equal (oci_digest_buffer ("sha256", "x", 1, &digest, &err), 0);
  assert_int_equal (store_ingest_begin (f->s, digest, 1, &a, &offset, &err), 0);
  /* flock is per open file description: a second ingest is refused.  */
  assert_int_equal (store_ingest_begin (f->s, digest, 1, &b, &offset, &err), -1);
  assert_error_contains (err, "another berth process");
  store_ingest_abort (a, false);
}

/* --- malicious layers --- */

static void
assert_unpack_refused (struct fixture *f, const struct tentry *e, size_t n, const char *needle)
{
  cleanup_free char *tar = build_tar (f, "evil.tar", e, n, TAR_PLAIN);
  cleanup_free char *blob = put_file (f, tar);
  cleanup_error oci_error_t *err = NULL;
  char *diff_id = NULL;

  assert_int_equal (store_layer_unpack (f->s, blob, OCI_MEDIA_TYPE_IMAGE_LAYER, &diff_id, &err), -1);
  assert_null (diff_id);
  assert_error_contains (err, needle);
  assert_error_contains (err, blob);
  assert_store_dir_empty (f, "layers");
  assert_store_dir_empty (f, "tmp");
}

static void
test_refuse_dotdot (void **state)
{
  struct fixture *f = *state;
  const struct tentry e[] = { { .type = 'f', .path = "../evil", .data = "x" } };
  cleanup_free char *outside = NULL;

  assert_unpack_refused (f, e, 1, "\"..\"");
  xasprintf (&outside, "%s/root/tmp/../evil", f->dir);
  assert_int_equal (access (outside, F_OK), -1);
}

static void
test_refuse_absolute (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *abs = NULL;

  xasprintf (&abs, "%s/abs-evil", f->dir);
  {
    const struct tentry e[] = { { .type = 'f', .path = abs, .data = "x" } };

    assert_unpack_refused (f, e, 1, "absolute path refused");
  }
  assert_int_equal (access (abs, F_OK), -1);
}

static void
test_refuse_symlink_abs (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *target = NULL;
  cleanup_free char *written = NULL;

  xasprintf (&target, "%s/outside", f->dir);
  assert_int_equal (mkdir (target, 0755), 0);
  {
    const struct tentry e[] = {
      { .type = 'l', .path = "l", .link = target },
      { .type = 'f', .path = "l/x", .data = "pwned" },
    };

    assert_unpack_refused (f, e, 2, "l is a symlink");
  }
  xasprintf (&written, "%s/x", target);
  assert_int_equal (access (written, F_OK), -1);
}

static void
test_refuse_symlink_rel (void **state)
{
  struct fixture *f = *state;
  const struct tentry e[] = {
    { .type = 'l', .path = "l", .link = "../.." },
    { .type = 'f', .path = "l/x", .data = "pwned" },
  };
  cleanup_free char *written = NULL;

  assert_unpack_refused (f, e, 2, "l is a symlink");
  xasprintf (&written, "%s/root/x", f->dir);
  assert_int_equal (access (written, F_OK), -1);
}

static void
test_refuse_hardlink_outside (void **state)
{
  struct fixture *f = *state;
  const struct tentry e[] = { { .type = 'h', .path = "passwd", .link = "../../etc/passwd" } };

  assert_unpack_refused (f, e, 1, "hardlink target \"../../etc/passwd\"");
}

static void
test_refuse_hardlink_via_symlink (void **state)
{
  struct fixture *f = *state;
  const struct tentry e[] = {
    { .type = 'l', .path = "etc", .link = "/etc" },
    { .type = 'h', .path = "passwd", .link = "etc/passwd" },
  };

  assert_unpack_refused (f, e, 2, "etc is a symlink");
}

static void
test_file_replaces_symlink (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *victim = NULL;
  cleanup_free char *tar = NULL;
  cleanup_free char *diff_id = NULL;
  cleanup_free char *layer = NULL;
  cleanup_free char *content = NULL;
  cleanup_error oci_error_t *err = NULL;
  struct stat st;
  size_t len;

  xasprintf (&victim, "%s/victim", f->dir);
  assert_int_equal (write_file_atomic (victim, "safe", 4, 0644, &err), 0);
  {
    const struct tentry e[] = {
      { .type = 'l', .path = "s", .link = victim },
      { .type = 'f', .path = "s", .data = "overwritten" },
    };

    tar = build_tar (f, "replace.tar", e, 2, TAR_PLAIN);
  }
  diff_id = unpack_ok (f, tar);
  layer = store_layer_path (f->s, diff_id);
  assert_int_equal (read_file_max (victim, 100, &content, &len, &err), 0);
  assert_string_equal (content, "safe");
  free (content);
  free (victim);
  xasprintf (&victim, "%s/s", layer); /* now the file in the layer */
  assert_int_equal (lstat (victim, &st), 0);
  assert_true (S_ISREG (st.st_mode));
  assert_int_equal (read_file_max (victim, 100, &content, &len, &err), 0);
  assert_string_equal (content, "overwritten");
}

/* --- whiteouts, metadata, diff_id --- */

static char *
layer_file (struct fixture *f, const char *diff_id, const char *rel)
{
  cleanup_free char *layer = store_layer_path (f->s, diff_id);
  char *p;

  xasprintf (&p, "%s/%s", layer, rel);
  return p;
}

static void
test_metadata_preserved (void **state)
{
  struct fixture *f = *state;
  const struct tentry e[] = {
    { .type = 'd', .path = "./", .mode = 0755 },
    { .type = 'd', .path = "bin", .mode = 0711, .uid = 1000, .gid = 1001 },
    { .type = 'f', .path = "bin/tool", .data = "#!/bin/sh\n", .mode = 04755, .uid = 1000, .gid = 1001 },
    { .type = 'h', .path = "bin/tool2", .link = "bin/tool" },
    { .type = 'l', .path = "bin/link", .link = "tool" },
    { .type = 'f', .path = "xattr", .data = "x", .xattr = "trusted.berth=yes" },
    { .type = 'c', .path = "null", .rdev = makedev (1, 3), .mode = 0666 },
    { .type = 'p', .path = "fifo", .mode = 0600 },
  };
  cleanup_free char *tar = build_tar (f, "meta.tar", e, ARRAY_SIZE (e), TAR_PLAIN);
  cleanup_free char *diff_id = unpack_ok (f, tar);
  cleanup_free char *tool = layer_file (f, diff_id, "bin/tool");
  cleanup_free char *tool2 = layer_file (f, diff_id, "bin/tool2");
  cleanup_free char *link = layer_file (f, diff_id, "bin/link");
  cleanup_free char *bin = layer_file (f, diff_id, "bin");
  cleanup_free char *xa = layer_file (f, diff_id, "xattr");
  cleanup_free char *null = layer_file (f, diff_id, "null");
  cleanup_free char *fifo = layer_file (f, diff_id, "fifo");
  struct stat a, b;
  char buf[64];
  ssize_t n;

  assert_int_equal (stat (tool, &a), 0);
  assert_int_equal (stat (tool2, &b), 0);
  assert_int_equal (a.st_ino, b.st_ino);
  assert_int_equal (a.st_mode & 07777, 04755);
  assert_int_equal (a.st_uid, 1000);
  assert_int_equal (a.st_gid, 1001);
  assert_int_equal (a.st_mtime, 1700000000);
  assert_int_equal (stat (bin, &a), 0);
  assert_int_equal (a.st_mode & 07777, 0711);
  assert_int_equal (a.st_uid, 1000);
  n = readlink (link, buf, sizeof buf - 1);
  assert_int_equal (n, 4);
  buf[n] = '\0';
  assert_string_equal (buf, "tool");
  n = getxattr (xa, "trusted.berth", buf, sizeof buf);
  assert_int_equal (n, 3);
  assert_memory_equal (buf, "yes", 3);
  assert_int_equal (lstat (null, &a), 0);
  assert_true (S_ISCHR (a.st_mode));
  assert_int_equal (a.st_rdev, makedev (1, 3));
  assert_int_equal (a.st_mode & 0777, 0666);
  assert_int_equal (lstat (fifo, &a), 0);
  assert_true (S_ISFIFO (a.st_mode));
  assert_int_equal (store_layer_size (f->s, diff_id), 11);
}

static void
test_diff_id_all_compressions (void **state)
{
  struct fixture *f = *state;
  const struct tentry e[]
      = { { .type = 'd', .path = "etc" }, { .type = 'f', .path = "etc/hostname", .data = "box\n" } };
  cleanup_free char *plain = build_tar (f, "l.tar", e, 2, TAR_PLAIN);
  cleanup_free char *gz = build_tar (f, "l.tar.gz", e, 2, TAR_GZIP);
  cleanup_free char *zst = build_tar (f, "l.tar.zst", e, 2, TAR_ZSTD);
  cleanup_free char *expected = NULL;
  cleanup_error oci_error_t *err = NULL;
  const char *tars[] = { plain, gz, zst };

  assert_int_equal (oci_digest_file ("sha256", plain, &expected, NULL, &err), 0);
  for (size_t i = 0; i < 3; i++)
    {
      cleanup_free char *diff_id = unpack_ok (f, tars[i]);
      cleanup_free char *host = layer_file (f, diff_id, "etc/hostname");

      assert_string_equal (diff_id, expected);
      assert_int_equal (access (host, F_OK), 0);
    }
  assert_store_dir_empty (f, "tmp");
}

/* A manifest + config for layer tars (bottom to top); returns the
   manifest digest.  */
static char *
make_image (struct fixture *f, const char *const *tars, size_t n, const char *created)
{
  cleanup_strbuf struct strbuf cfg = STRBUF_INIT;
  cleanup_strbuf struct strbuf man = STRBUF_INIT;
  cleanup_error oci_error_t *err = NULL;
  cleanup_free char *cfg_digest = NULL;
  char *man_digest = NULL;

  strbuf_addf (&cfg,
               "{\"created\":\"%s\",\"architecture\":\"amd64\",\"os\":\"linux\","
               "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[",
               created);
  strbuf_addstr (&man,
                 "{\"schemaVersion\":2,\"mediaType\":\"" OCI_MEDIA_TYPE_IMAGE_MANIFEST "\",\"layers\":[");
  for (size_t i = 0; i < n; i++)
    {
      cleanup_free char *blob = put_file (f, tars[i]);
      cleanup_free char *path = store_blob_path (f->s, blob);
      cleanup_free char *diff_id = NULL;
      struct stat st;

      assert_int_equal (store_layer_unpack (f->s, blob, NULL, &diff_id, &err), 0);
      assert_int_equal (stat (path, &st), 0);
      strbuf_addf (&cfg, "%s\"%s\"", i ? "," : "", diff_id);
      strbuf_addf (&man,
                   "%s{\"mediaType\":\"" OCI_MEDIA_TYPE_IMAGE_LAYER "\",\"digest\":\"%s\",\"size\":%lld}",
                   i ? "," : "", blob, (long long) st.st_size);
    }
  strbuf_addstr (&cfg, "]}}");
  assert_int_equal (store_blob_put (f->s, cfg.buf, cfg.len, NULL, &cfg_digest, &err), 0);
  strbuf_addf (&man,
               "],\"config\":{\"mediaType\":\"" OCI_MEDIA_TYPE_IMAGE_CONFIG
               "\",\"digest\":\"%s\",\"size\":%zu}}",
               cfg_digest, cfg.len);
  assert_int_equal (store_blob_put (f->s, man.buf, man.len, NULL, &man_digest, &err), 0);
  assert_no_error (err);
  return man_digest;
}

static void
test_whiteouts_multilayer (void **state)
{
  struct fixture *f = *state;
  const struct tentry l1[] = {
    { .type = 'd', .path = "a" },
    { .type = 'f', .path = "a/gone", .data = "1" },
    { .type = 'f', .path = "a/kept", .data = "2" },
    { .type = 'd', .path = "b" },
    { .type = 'f', .path = "b/old", .data = "3" },
  };
  const struct tentry l2[] = {
    { .type = 'f', .path = "a/.wh.gone" },
    { .type = 'f', .path = "b/.wh..wh..opq" },
    { .type = 'f', .path = "b/new", .data = "4" },
  };
  cleanup_free char *t1 = build_tar (f, "l1.tar", l1, ARRAY_SIZE (l1), TAR_GZIP);
  cleanup_free char *t2 = build_tar (f, "l2.tar", l2, ARRAY_SIZE (l2), TAR_PLAIN);
  const char *tars[] = { t1, t2 };
  cleanup_free char *manifest = make_image (f, tars, 2, "2024-01-02T03:04:05Z");
  cleanup_error oci_error_t *err = NULL;
  struct store_image *img = NULL;
  cleanup_free char *wh = NULL;
  cleanup_free char *b = NULL;
  cleanup_free char *whfile = NULL;
  cleanup_free char *opqfile = NULL;
  struct stat st;
  char val[8];

  assert_int_equal (store_image_add (f->s, manifest, "docker.io/library/multi:latest", NULL, &img, &err), 0);
  assert_no_error (err);
  assert_int_equal (strv_len (img->diff_ids), 2);
  assert_int_equal (img->created, 1704164645);
  wh = layer_file (f, img->diff_ids[1], "a/gone");
  assert_int_equal (lstat (wh, &st), 0);
  assert_true (S_ISCHR (st.st_mode));
  assert_int_equal (st.st_rdev, makedev (0, 0));
  whfile = layer_file (f, img->diff_ids[1], "a/.wh.gone");
  assert_int_equal (access (whfile, F_OK), -1);
  b = layer_file (f, img->diff_ids[1], "b");
  assert_int_equal (getxattr (b, "trusted.overlay.opaque", val, sizeof val), 1);
  assert_int_equal (val[0], 'y');
  opqfile = layer_file (f, img->diff_ids[1], "b/.wh..wh..opq");
  assert_int_equal (access (opqfile, F_OK), -1);
  store_image_free (img);
}

/* --- images, gc, check --- */

static char *
simple_image (struct fixture *f, const char *name, const char *content, const char *created)
{
  const struct tentry e[] = { { .type = 'f', .path = name, .data = content } };
  cleanup_free char *tar = NULL;
  cleanup_free char *tarname = NULL;
  const char *tars[1];

  xasprintf (&tarname, "%s.tar", name);
  tar = build_tar (f, tarname, e, 1, TAR_GZIP);
  tars[0] = tar;
  return make_image (f, tars, 1, created);
}

static void
test_images_lookup_tag_untag (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *m = simple_image (f, "one", "1", "2024-01-01T00:00:00Z");
  cleanup_error oci_error_t *err = NULL;
  struct store_image *img = NULL, *got = NULL, **list = NULL;
  cleanup_free char *short_id = NULL;
  cleanup_free char *repo_digest = NULL;

  xasprintf (&repo_digest, "docker.io/library/one@%s", m);
  assert_int_equal (store_image_add (f->s, m, "docker.io/library/one:latest", repo_digest, &img, &err), 0);
  assert_string_equal (img->manifest_digest, m);
  assert_string_equal (img->digests[0], repo_digest);
  short_id = xstrndup (img->id + 7, 12);
  const char *refs[] = { "docker.io/library/one:latest", img->id, short_id, m, repo_digest };
  for (size_t i = 0; i < ARRAY_SIZE (refs); i++)
    {
      assert_int_equal (store_image_lookup (f->s, refs[i], &got, &err), 0);
      assert_string_equal (got->id, img->id);
      store_image_free (got);
    }
  assert_int_equal (store_image_lookup (f->s, "docker.io/library/two:latest", &got, &err), -1);
  assert_int_equal (err->status, ENOENT);
  assert_error_contains (err, "No such image");
  oci_error_free (&err);
  assert_int_equal (store_image_tag (f->s, img->id, "127.0.0.1:5000/x/y:tag", &err), 0);
  assert_int_equal (
      store_image_tag (f->s, "sha256:0000000000000000000000000000000000000000000000000000000000000000", "a:b",
                       &err),
      -1);
  oci_error_free (&err);
  assert_int_equal (store_image_list (f->s, &list, &err), 0);
  assert_non_null (list[0]);
  assert_null (list[1]);
  assert_int_equal (strv_len (list[0]->names), 2);
  store_image_list_free (list);
  /* Untag: the image stays while a name is left, goes with the last.  */
  assert_int_equal (store_image_untag (f->s, "docker.io/library/one:latest", &err), 0);
  assert_int_equal (store_image_lookup (f->s, img->id, &got, &err), 0);
  store_image_free (got);
  assert_int_equal (store_image_untag (f->s, "127.0.0.1:5000/x/y:tag", &err), 1);
  assert_int_equal (store_image_lookup (f->s, img->id, &got, &err), -1);
  oci_error_free (&err);
  assert_int_equal (store_image_lookup (f->s, repo_digest, &got, &err), -1);
  store_image_free (img);
}

static void
test_image_add_missing_layer (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *m = simple_image (f, "one", "1", "2024-01-01T00:00:00Z");
  cleanup_error oci_error_t *err = NULL;
  struct store_image *img = NULL, **list = NULL;
  cleanup_free char *layers = NULL;

  /* Remove the unpacked layers: the image must not be recorded.  */
  xasprintf (&layers, "%s/layers", f->root);
  assert_int_equal (remove_recursive (layers, &err), 0);
  assert_int_equal (mkdir (layers, 0700), 0);
  assert_int_equal (store_image_add (f->s, m, "docker.io/library/one:latest", NULL, &img, &err), -1);
  assert_error_contains (err, "is not unpacked");
  assert_int_equal (store_image_list (f->s, &list, &err), 0);
  assert_null (list[0]);
  store_image_list_free (list);
}

static size_t
count_entries (struct fixture *f, const char *sub)
{
  cleanup_free char *p = NULL;
  cleanup_dir DIR *d = NULL;
  struct dirent *de;
  size_t n = 0;

  xasprintf (&p, "%s/%s", f->root, sub);
  d = opendir (p);
  assert_non_null (d);
  while ((de = readdir (d)) != NULL)
    n += de->d_name[0] != '.';
  return n;
}

static void
test_gc_removes_only_unreferenced (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *m1 = simple_image (f, "one", "1", "2024-01-01T00:00:00Z");
  cleanup_free char *m2 = simple_image (f, "two", "2", "2024-01-01T00:00:00Z");
  cleanup_error oci_error_t *err = NULL;
  cleanup_free char *report = NULL;
  cleanup_free char *stale = NULL;
  struct store_image *i1 = NULL, *i2 = NULL;
  uint64_t reclaimed = 0;

  assert_int_equal (store_image_add (f->s, m1, "docker.io/library/one:latest", NULL, &i1, &err), 0);
  assert_int_equal (store_image_add (f->s, m2, "docker.io/library/two:latest", NULL, &i2, &err), 0);
  /* An orphan blob (leased by this live process until the store closes)
     and a stale temp file.  */
  assert_int_equal (store_blob_put (f->s, "orphan", 6, NULL, NULL, &err), 0);
  xasprintf (&stale, "%s/tmp/ingest-stale", f->root);
  assert_int_equal (write_file_atomic (stale, "zz", 2, 0600, &err), 0);
  assert_int_equal (store_gc (f->s, &reclaimed, &err), 0);
  assert_int_equal (count_entries (f, "blobs/sha256"), 7); /* 2 x (manifest, config, layer) + orphan */
  assert_int_equal (count_entries (f, "tmp"), 0);
  reopen (f);
  assert_int_equal (store_image_remove (f->s, i1->id, &err), 0);
  assert_int_equal (store_gc (f->s, &reclaimed, &err), 0);
  assert_true (reclaimed > 0);
  assert_int_equal (count_entries (f, "blobs/sha256"), 3);
  assert_int_equal (count_entries (f, "layers"), 1);
  assert_true (store_blob_exists (f->s, m2));
  assert_true (store_blob_exists (f->s, i2->id));
  assert_true (store_layer_exists (f->s, i2->diff_ids[0]));
  assert_false (store_layer_exists (f->s, i1->diff_ids[0]));
  assert_int_equal (store_check (f->s, &report, &err), 0);
  store_image_free (i1);
  store_image_free (i2);
}

static void
test_check_detects_problems (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *m = simple_image (f, "one", "1", "2024-01-01T00:00:00Z");
  cleanup_error oci_error_t *err = NULL;
  cleanup_free char *report = NULL;
  cleanup_free char *cfg_path = NULL;
  cleanup_free char *man_path = NULL;
  struct store_image *img = NULL;
  cleanup_close int fd = -1;

  assert_int_equal (store_image_add (f->s, m, "docker.io/library/one:latest", NULL, &img, &err), 0);
  assert_int_equal (store_check (f->s, &report, &err), 0);
  assert_string_equal (report, "");
  free (report);
  /* Flip one byte of the config.  */
  cfg_path = store_blob_path (f->s, img->id);
  fd = open (cfg_path, O_WRONLY);
  assert_true (fd >= 0);
  assert_int_equal (pwrite (fd, "X", 1, 1), 1);
  assert_int_equal (store_check (f->s, &report, &err), 1);
  assert_non_null (strstr (report, "corrupted"));
  assert_non_null (strstr (report, img->id));
  free (report);
  /* A dangling reference: the manifest blob vanished.  */
  man_path = store_blob_path (f->s, m);
  assert_int_equal (unlink (man_path), 0);
  assert_int_equal (store_check (f->s, &report, &err), 1);
  assert_non_null (strstr (report, "manifest"));
  assert_non_null (strstr (report, "is missing"));
  store_image_free (img);
}

/* --- crash consistency --- */

static void
child_killed_in_transaction (struct fixture *f, const char *manifest)
{
  cleanup_error oci_error_t *err = NULL;
  cleanup_stmt sqlite3_stmt *st = NULL;

  (void) manifest;
  if (db_begin (f->s, &err) < 0
      || db_exec (f->s, "INSERT INTO images VALUES ('sha256:half', 'sha256:none', 'x', 0, 0)", &err) < 0
      || db_exec (f->s, "INSERT INTO names VALUES ('docker.io/library/half:latest', 'sha256:half', 0)", &err)
             < 0)
    _exit (2);
  kill (getpid (), SIGKILL);
}

static void
child_killed_mid_ingest (struct fixture *f)
{
  cleanup_error oci_error_t *err = NULL;
  struct store_ingest *in = NULL;

  if (store_ingest_begin (f->s, NULL, -1, &in, NULL, &err) < 0
      || store_ingest_write (in, "partial", 7, &err) < 0)
    _exit (2);
  kill (getpid (), SIGKILL);
}

static void
test_kill9_leaves_consistent_store (void **state)
{
  struct fixture *f = *state;
  cleanup_error oci_error_t *err = NULL;
  cleanup_free char *report = NULL;
  struct store_image **list = NULL;
  int status;

  for (int round = 0; round < 3; round++)
    {
      pid_t pid = fork ();

      assert_true (pid >= 0);
      if (pid == 0)
        {
          struct berth_store *s = NULL;
          cleanup_error oci_error_t *cerr = NULL;

          /* The child gets its own connection, like another berth.  */
          f->s = NULL;
          if (store_open (f->root, &s, &cerr) < 0)
            _exit (2);
          f->s = s;
          if (round == 0)
            {
              /* Between ingest+unpack and image_add.  */
              cleanup_free char *m = simple_image (f, "one", "1", "2024-01-01T00:00:00Z");
              kill (getpid (), SIGKILL);
            }
          else if (round == 1)
            child_killed_in_transaction (f, NULL);
          else
            child_killed_mid_ingest (f);
          _exit (3);
        }
      assert_int_equal (waitpid (pid, &status, 0), pid);
      assert_true (WIFSIGNALED (status));
      assert_int_equal (WTERMSIG (status), SIGKILL);
    }
  reopen (f);
  assert_int_equal (store_image_list (f->s, &list, &err), 0);
  assert_null (list[0]);
  store_image_list_free (list);
  assert_int_equal (store_check (f->s, &report, &err), 0);
  /* The dead children's leases and temp files protect nothing.  */
  assert_int_equal (store_gc (f->s, NULL, &err), 0);
  assert_int_equal (count_entries (f, "blobs/sha256"), 0);
  assert_int_equal (count_entries (f, "layers"), 0);
  assert_int_equal (count_entries (f, "tmp"), 0);
  /* And a retry works.  */
  {
    cleanup_free char *m = simple_image (f, "one", "1", "2024-01-01T00:00:00Z");
    struct store_image *img = NULL;

    assert_int_equal (store_image_add (f->s, m, "docker.io/library/one:latest", NULL, &img, &err), 0);
    store_image_free (img);
  }
}

static void
test_schema_version (void **state)
{
  struct fixture *f = *state;
  cleanup_error oci_error_t *err = NULL;
  struct berth_store *other = NULL;

  assert_int_equal (db_exec (f->s, "PRAGMA user_version = 99", &err), 0);
  assert_int_equal (store_open (f->root, &other, &err), -1);
  assert_error_contains (err, "schema version 99 is newer");
}

#define T(fn) cmocka_unit_test_setup_teardown (fn, setup, teardown)

int
main (void)
{
  const struct CMUnitTest tests[] = {
    T (test_ingest_verifies),
    T (test_ingest_resume),
    T (test_ingest_locked),
    T (test_refuse_dotdot),
    T (test_refuse_absolute),
    T (test_refuse_symlink_abs),
    T (test_refuse_symlink_rel),
    T (test_refuse_hardlink_outside),
    T (test_refuse_hardlink_via_symlink),
    T (test_file_replaces_symlink),
    T (test_metadata_preserved),
    T (test_diff_id_all_compressions),
    T (test_whiteouts_multilayer),
    T (test_images_lookup_tag_untag),
    T (test_image_add_missing_layer),
    T (test_gc_removes_only_unreferenced),
    T (test_check_detects_problems),
    T (test_kill9_leaves_consistent_store),
    T (test_schema_version),
  };

  if (geteuid () != 0)
    {
      printf ("1..1\nok 1 # skip test-store needs root (device nodes, ownership, trusted xattrs)\n");
      return 0;
    }
  return cmocka_run_group_tests (tests, NULL, NULL);
}
