/* Content-addressed blobs: <root>/blobs/<alg>/<hex>.  Content arrives in
   a temp file under <root>/tmp/, is hashed as it is written, verified,
   fsynced and renamed into place: a blob path never shows partial or
   unverified bytes.  */
#include "config.h"
#include "store_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "digest.h"
#include "fileutil.h"
#include "util.h"

struct store_ingest
{
  struct berth_store *s;
  char *digest;   /* expected, NULL when computed */
  int64_t size;   /* expected, -1 when unknown */
  char *tmp_path; /* <root>/tmp/ingest-<alg>-<hex> or a mkstemp name */
  int fd;         /* flock()ed while the ingest lives */
  struct oci_digester dg;
};

bool
store_blob_exists (struct berth_store *s, const char *digest)
{
  cleanup_free char *p = store_digest_path (s, "blobs", digest);

  return p != NULL && access (p, F_OK) == 0;
}

char *
store_blob_path (struct berth_store *s, const char *digest)
{
  return store_digest_path (s, "blobs", digest);
}

int
store_blob_read (struct berth_store *s, const char *digest, size_t max, char **data, size_t *len,
                 oci_error_t **err)
{
  cleanup_free char *p = store_digest_path (s, "blobs", digest);

  if (p == NULL)
    return oci_error_set (err, EINVAL, "invalid digest \"%s\"", digest ? digest : "");
  if (read_file_max (p, max, data, len, err) < 0)
    return oci_error_prefix (err, "blob %s", digest);
  return 0;
}

static void
ingest_free (struct store_ingest *in)
{
  if (in->fd >= 0)
    close (in->fd);
  oci_digester_release (&in->dg);
  free (in->digest);
  free (in->tmp_path);
  free (in);
}

/* Hash what a resumed partial file already holds.  */
static int
ingest_rehash (struct store_ingest *in, int64_t *offset, oci_error_t **err)
{
  char buf[65536];
  ssize_t n;

  if (lseek (in->fd, 0, SEEK_SET) < 0)
    return oci_error_errno (err, errno, "seek %s", in->tmp_path);
  while ((n = read (in->fd, buf, sizeof buf)) > 0)
    if (oci_digester_update (&in->dg, buf, n, err) < 0)
      return -1;
  if (n < 0)
    return oci_error_errno (err, errno, "read %s", in->tmp_path);
  *offset = (int64_t) in->dg.size;
  return 0;
}

static int
ingest_open_tmp (struct store_ingest *in, const char *digest, oci_error_t **err)
{
  if (digest)
    {
      cleanup_free char *alg = NULL;
      cleanup_free char *hex = NULL;

      if (oci_digest_parse (digest, &alg, &hex, err) < 0)
        return -1;
      xasprintf (&in->tmp_path, "%s/tmp/ingest-%s-%s", in->s->root, alg, hex);
      in->fd = open (in->tmp_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    }
  else
    {
      in->tmp_path = store_tmp_template (in->s, "ingest-");
      in->fd = mkostemp (in->tmp_path, O_CLOEXEC);
    }
  if (in->fd < 0)
    return oci_error_errno (err, errno, "create %s", in->tmp_path);
  if (flock (in->fd, LOCK_EX | LOCK_NB) < 0)
    return oci_error_errno (err, errno == EWOULDBLOCK ? EBUSY : errno,
                            "%s: another berth process is storing this blob", in->tmp_path);
  return 0;
}

int
store_ingest_begin (struct berth_store *s, const char *digest, int64_t size, struct store_ingest **out,
                    int64_t *offset, oci_error_t **err)
{
  struct store_ingest *in = xzalloc (sizeof *in);
  cleanup_free char *alg = NULL;
  int64_t have = 0;

  in->s = s;
  in->fd = -1;
  in->size = size;
  if (digest && oci_digest_parse (digest, &alg, NULL, err) < 0)
    goto fail;
  in->digest = digest ? xstrdup (digest) : NULL;
  if (oci_digester_init (&in->dg, alg ? alg : "sha256", err) < 0 || ingest_open_tmp (in, digest, err) < 0
      || ingest_rehash (in, &have, err) < 0)
    goto fail;
  if (size >= 0 && have > size)
    {
      /* A partial longer than the blob cannot be right: start over.  */
      oci_digester_release (&in->dg);
      if (ftruncate (in->fd, 0) < 0 || lseek (in->fd, 0, SEEK_SET) < 0)
        {
          oci_error_errno (err, errno, "truncate %s", in->tmp_path);
          goto fail;
        }
      if (oci_digester_init (&in->dg, alg ? alg : "sha256", err) < 0)
        goto fail;
      have = 0;
    }
  if (offset)
    *offset = have;
  else if (have > 0)
    {
      /* The caller cannot resume: restart from zero.  */
      store_ingest_abort (in, false);
      return store_ingest_begin (s, digest, size, out, NULL, err);
    }
  *out = in;
  return 0;
fail:
  ingest_free (in);
  return -1;
}

int
store_ingest_write (struct store_ingest *in, const void *data, size_t len, oci_error_t **err)
{
  if (in->size >= 0 && in->dg.size + len > (uint64_t) in->size)
    return oci_error_set (err, EFBIG, "blob %s: more than the expected %lld bytes",
                          in->digest ? in->digest : "(new)", (long long) in->size);
  if (write_all (in->fd, data, len) < 0)
    return oci_error_errno (err, errno, "write %s", in->tmp_path);
  return oci_digester_update (&in->dg, data, len, err);
}

static int
ingest_verify (struct store_ingest *in, char **digest, oci_error_t **err)
{
  if (oci_digester_final (&in->dg, digest, err) < 0)
    return -1;
  if (in->size >= 0 && in->dg.size != (uint64_t) in->size)
    return oci_error_set (err, EIO, "blob %s: size mismatch: got %llu bytes, expected %lld",
                          in->digest ? in->digest : *digest, (unsigned long long) in->dg.size,
                          (long long) in->size);
  if (in->digest && !streq (in->digest, *digest))
    return oci_error_set (err, EIO, "blob %s: digest mismatch: content is %s", in->digest, *digest);
  return 0;
}

static int
fsync_dir_of (const char *path)
{
  cleanup_free char *dir = xstrdup (path);
  cleanup_close int fd = -1;
  char *slash = strrchr (dir, '/');

  if (slash)
    *slash = '\0';
  fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 || fsync (fd) < 0)
    return -1;
  return 0;
}

/* Verify, fsync, rename into place; *out_digest (optional) gets the
   digest.  The ingest is freed whatever happens.  */
static int
ingest_commit (struct store_ingest *in, char **out_digest, oci_error_t **err)
{
  cleanup_free char *digest = NULL;
  cleanup_free char *dest = NULL;
  int ret = -1;

  if (ingest_verify (in, &digest, err) < 0)
    {
      store_ingest_abort (in, false);
      return -1;
    }
  dest = store_digest_path (in->s, "blobs", digest);
  if (fsync (in->fd) < 0)
    oci_error_errno (err, errno, "fsync %s", in->tmp_path);
  else if (fchmod (in->fd, 0644) < 0)
    oci_error_errno (err, errno, "chmod %s", in->tmp_path);
  else if (store_lease_add (in->s, digest, err) < 0)
    ;
  else if (rename (in->tmp_path, dest) < 0)
    oci_error_errno (err, errno, "rename %s to %s", in->tmp_path, dest);
  else if (fsync_dir_of (dest) < 0)
    oci_error_errno (err, errno, "fsync directory of %s", dest);
  else
    ret = 0;
  if (ret < 0)
    unlink (in->tmp_path);
  if (ret == 0 && out_digest)
    *out_digest = steal_pointer (&digest);
  ingest_free (in);
  return ret;
}

int
store_ingest_commit (struct store_ingest *in, oci_error_t **err)
{
  return ingest_commit (in, NULL, err);
}

int
store_ingest_commit_digest (struct store_ingest *in, char **digest, oci_error_t **err)
{
  return ingest_commit (in, digest, err);
}

void
store_ingest_abort (struct store_ingest *in, bool keep_partial)
{
  if (in == NULL)
    return;
  if (!keep_partial || in->digest == NULL)
    unlink (in->tmp_path);
  ingest_free (in);
}

int
store_blob_put (struct berth_store *s, const void *data, size_t len, const char *digest, char **out_digest,
                oci_error_t **err)
{
  struct store_ingest *in = NULL;
  cleanup_free char *computed = NULL;

  if (digest == NULL)
    {
      if (oci_digest_buffer ("sha256", data, len, &computed, err) < 0)
        return -1;
      digest = computed;
    }
  if (store_blob_exists (s, digest))
    {
      /* Same name, so the same content (verified when it was stored).  */
      if (store_lease_add (s, digest, err) < 0)
        return -1;
    }
  else
    {
      if (store_ingest_begin (s, digest, (int64_t) len, &in, NULL, err) < 0)
        return -1;
      if (store_ingest_write (in, data, len, err) < 0)
        {
          store_ingest_abort (in, false);
          return -1;
        }
      if (store_ingest_commit (in, err) < 0)
        return -1;
    }
  if (out_digest)
    *out_digest = xstrdup (digest);
  return 0;
}
