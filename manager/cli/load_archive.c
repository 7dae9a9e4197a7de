/* Unpacking an image archive for berth load: see load_archive.h.  */
#include "config.h"
#include "load_archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "digest.h"
#include "fileutil.h"
#include "json.h"
#include "strbuf.h"
#include "util.h"

#define LOAD_MAX_LINK_HOPS 16

/* Join base and rel, dropping "" and "." components.  ".." pops a
   component when allow_dotdot, else it is refused; so is popping past the
   top and an absolute rel.  *out is "" for the top itself.  */
static int
load_clean_path (const char *base, const char *rel, bool allow_dotdot, char **out)
{
  struct strbuf sb = STRBUF_INIT;
  cleanup_free char *copy = NULL;
  char *save = NULL;

  if (rel[0] == '/')
    return -1;
  xasprintf (&copy, "%s/%s", base, rel);
  for (char *c = strtok_r (copy, "/", &save); c; c = strtok_r (NULL, "/", &save))
    {
      if (streq (c, "."))
        continue;
      if (streq (c, ".."))
        {
          char *slash;

          if (!allow_dotdot || sb.len == 0)
            {
              strbuf_release (&sb);
              return -1;
            }
          slash = strrchr (strbuf_str (&sb), '/');
          strbuf_setlen (&sb, slash ? (size_t) (slash - strbuf_str (&sb)) : 0);
          continue;
        }
      if (sb.len)
        strbuf_addch (&sb, '/');
      strbuf_addstr (&sb, c);
    }
  *out = strbuf_detach (&sb, NULL);
  return 0;
}

static struct load_file *
load_file_add (struct load_archive *ar, char *name)
{
  struct load_file *f = NULL;

  for (size_t i = 0; i < ar->n_files && f == NULL; i++)
    if (streq (ar->files[i].name, name))
      f = &ar->files[i];
  if (f)
    {
      /* A later entry of the same name replaces the earlier one.  */
      free (name);
      free (f->link);
      free (f->digest);
      f->link = f->digest = NULL;
      if (f->path)
        unlink (f->path);
      return f;
    }
  ar->files = xreallocarray (ar->files, ar->n_files + 1, sizeof *ar->files);
  f = &ar->files[ar->n_files++];
  memset (f, 0, sizeof *f);
  f->name = name;
  return f;
}

static int
load_unpack_data (struct load_archive *ar, struct archive *a, struct load_file *f, oci_error_t **err)
{
  cleanup_close int fd = -1;
  struct oci_digester d;
  char buf[65536];
  la_ssize_t n;
  int ret = -1;

  if (f->path == NULL)
    xasprintf (&f->path, "%s/%zu", ar->dir, (size_t) (f - ar->files));
  fd = open (f->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return oci_error_errno (err, errno, "create %s", f->path);
  if (oci_digester_init (&d, "sha256", err) < 0)
    return -1;
  f->size = 0;
  while ((n = archive_read_data (a, buf, sizeof buf)) > 0)
    {
      if (write_all (fd, buf, (size_t) n) < 0)
        {
          oci_error_errno (err, errno, "write %s", f->path);
          goto out;
        }
      if (oci_digester_update (&d, buf, (size_t) n, err) < 0)
        goto out;
      f->size += n;
    }
  if (n < 0)
    {
      oci_error_set (err, EIO, "%s: %s", f->name, archive_error_string (a));
      goto out;
    }
  ret = oci_digester_final (&d, &f->digest, err);
out:
  oci_digester_release (&d);
  return ret;
}

static int
load_unpack_entry (struct load_archive *ar, struct archive *a, struct archive_entry *e, oci_error_t **err)
{
  const char *raw = archive_entry_pathname (e);
  const char *hard = archive_entry_hardlink (e);
  mode_t type = archive_entry_filetype (e);
  char *name = NULL, *target = NULL;
  struct load_file *f;

  if (raw == NULL)
    return oci_error_set (err, EIO, "an archive entry without a valid name (corrupt archive?): %s",
                          archive_error_string (a) ? archive_error_string (a) : "no name");
  if (load_clean_path ("", raw, false, &name) < 0)
    return oci_error_set (err, EPERM, "archive entry \"%s\": refusing a path outside the archive", raw);
  if (*name == '\0' || (type == AE_IFDIR && hard == NULL))
    {
      free (name);
      return 0;
    }
  if (hard && load_clean_path ("", hard, false, &target) < 0)
    {
      oci_error_set (err, EPERM, "archive entry \"%s\": hard link to \"%s\" outside the archive", raw, hard);
      free (name);
      return -1;
    }
  if (hard == NULL && type == AE_IFLNK)
    {
      cleanup_free char *dir = xstrdup (name);
      char *slash = strrchr (dir, '/');
      const char *to = archive_entry_symlink (e);

      *(slash ? slash : dir) = '\0';
      if (to == NULL || load_clean_path (dir, to, true, &target) < 0)
        {
          oci_error_set (err, EPERM, "archive entry \"%s\": symlink to \"%s\" outside the archive", raw,
                         to ? to : "");
          free (name);
          return -1;
        }
    }
  if (target == NULL && type != AE_IFREG)
    {
      free (name); /* devices, fifos: nothing an image archive needs */
      return 0;
    }
  f = load_file_add (ar, name);
  f->link = target;
  return target ? 0 : load_unpack_data (ar, a, f, err);
}

static int
load_make_dir (struct berth_store *s, struct load_archive *ar, oci_error_t **err)
{
  xasprintf (&ar->dir, "%s/tmp/load-XXXXXX", store_root (s));
  if (mkdtemp (ar->dir) == NULL)
    {
      oci_error_errno (err, errno, "mkdtemp %s", ar->dir);
      free (steal_pointer (&ar->dir));
      return -1;
    }
  ar->dirfd = open (ar->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (ar->dirfd < 0 || flock (ar->dirfd, LOCK_EX) < 0)
    return oci_error_errno (err, errno, "open %s", ar->dir);
  return 0;
}

int
load_archive_unpack (struct berth_store *s, int fd, const char *source, struct load_archive *ar,
                     oci_error_t **err)
{
  struct archive *a;
  struct archive_entry *e;
  int r, ret = 0;

  memset (ar, 0, sizeof *ar);
  ar->dirfd = -1;
  if (load_make_dir (s, ar, err) < 0)
    return -1;
  a = archive_read_new ();
  archive_read_support_filter_all (a);
  archive_read_support_format_tar (a);
  if (archive_read_open_fd (a, fd, 65536) != ARCHIVE_OK)
    ret = oci_error_set (err, EIO, "%s: %s", source, archive_error_string (a));
  while (ret == 0 && (r = archive_read_next_header (a, &e)) != ARCHIVE_EOF)
    {
      if (r < ARCHIVE_WARN)
        ret = oci_error_set (err, EIO, "%s: %s", source, archive_error_string (a));
      else
        ret = load_unpack_entry (ar, a, e, err);
    }
  archive_read_free (a);
  if (ret < 0)
    oci_error_prefix (err, "%s", source);
  return ret;
}

void
load_archive_release (struct load_archive *ar)
{
  cleanup_error oci_error_t *err = NULL;

  for (size_t i = 0; i < ar->n_files; i++)
    {
      free (ar->files[i].name);
      free (ar->files[i].link);
      free (ar->files[i].path);
      free (ar->files[i].digest);
      free (ar->files[i].diff_id);
      free (ar->files[i].stored);
    }
  free (ar->files);
  if (ar->dir)
    remove_recursive (ar->dir, &err);
  if (ar->dirfd >= 0)
    close (ar->dirfd);
  free (ar->dir);
  memset (ar, 0, sizeof *ar);
  ar->dirfd = -1;
}

struct load_file *
load_archive_lookup (struct load_archive *ar, const char *name)
{
  cleanup_free char *cur = NULL;

  if (load_clean_path ("", name, false, &cur) < 0)
    return NULL;
  for (int hop = 0; hop <= LOAD_MAX_LINK_HOPS; hop++)
    {
      struct load_file *f = NULL;

      for (size_t i = 0; i < ar->n_files && f == NULL; i++)
        if (streq (ar->files[i].name, cur))
          f = &ar->files[i];
      if (f == NULL)
        return NULL;
      if (f->link == NULL)
        return f;
      free (cur);
      cur = xstrdup (f->link);
    }
  return NULL;
}

int
load_archive_find (struct load_archive *ar, const char *name, struct load_file **out, oci_error_t **err)
{
  *out = load_archive_lookup (ar, name);
  if (*out == NULL)
    return oci_error_set (err, ENOENT, "\"%s\" is not in the archive", name);
  return 0;
}

int
load_archive_find_blob (struct load_archive *ar, const char *digest, struct load_file **out,
                        oci_error_t **err)
{
  cleanup_free char *alg = NULL, *hex = NULL, *name = NULL, *actual = NULL;
  const char *got;

  if (oci_digest_parse (digest, &alg, &hex, err) < 0)
    return -1;
  xasprintf (&name, "blobs/%s/%s", alg, hex);
  if (load_archive_find (ar, name, out, err) < 0)
    return oci_error_prefix (err, "blob %s", digest);
  got = (*out)->digest;
  if (!streq (alg, "sha256"))
    {
      if (oci_digest_file (alg, (*out)->path, &actual, NULL, err) < 0)
        return -1;
      got = actual;
    }
  if (!streq (got, digest))
    return oci_error_set (
        err, EBADMSG, "blob %s: content digest %s does not match (corrupt or tampered archive)", digest, got);
  return 0;
}

int
load_archive_read_json (struct load_archive *ar, const struct load_file *f, char **data, size_t *len,
                        oci_error_t **err)
{
  (void) ar;
  if (f->size > (int64_t) OCI_JSON_MAX_SIZE)
    return oci_error_set (err, EFBIG, "%s: %lld bytes, larger than the %u bytes allowed for a JSON document",
                          f->name, (long long) f->size, OCI_JSON_MAX_SIZE);
  return read_file_max (f->path, OCI_JSON_MAX_SIZE, data, len, err);
}

int
load_archive_diff_id (struct load_archive *ar, struct load_file *f, oci_error_t **err)
{
  struct archive *a = archive_read_new ();
  struct archive_entry *e;
  struct oci_digester d;
  char buf[65536];
  la_ssize_t n;
  int ret = -1;

  (void) ar;
  archive_read_support_filter_all (a);
  archive_read_support_format_raw (a);
  if (oci_digester_init (&d, "sha256", err) < 0)
    {
      archive_read_free (a);
      return -1;
    }
  if (archive_read_open_filename (a, f->path, 65536) != ARCHIVE_OK
      || archive_read_next_header (a, &e) != ARCHIVE_OK)
    {
      oci_error_set (err, EIO, "%s: %s", f->name, archive_error_string (a));
      goto out;
    }
  while ((n = archive_read_data (a, buf, sizeof buf)) > 0)
    if (oci_digester_update (&d, buf, (size_t) n, err) < 0)
      goto out;
  if (n < 0)
    oci_error_set (err, EIO, "%s: %s", f->name, archive_error_string (a));
  else
    ret = oci_digester_final (&d, &f->diff_id, err);
out:
  oci_digester_release (&d);
  archive_read_free (a);
  return ret;
}
