/* berth cp: copy between a container and the host with docker's path
   rules.  Both sides are "roots": the host is "/", the container its
   /proc/PID/root when running (volumes included) or its merged rootfs
   (mounted for the copy).  Every path is resolved with inroot.h, and
   below the top the walk uses *at calls that never follow a symlink, so
   a symlink in the container can never lead the copy out of it.  A
   producer (a tree walk, or a tar on stdin) feeds entries to a sink (a
   directory, or a tar on stdout).  */
#include "config.h"
#include "commands.h"
#include "tools.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "fileutil.h"
#include "inroot.h"
#include "util.h"

struct cp_entry
{
  const char *rel; /* "" for the top, else "a/b" */
  struct stat st;
  const char *link;     /* symlink target */
  const char *hardlink; /* tar hardlink target (rel form) */
  ssize_t (*read) (void *ctx, void *buf, size_t n);
  void *rctx;
};

struct cp_sink
{
  int (*put) (struct cp_sink *k, const struct cp_entry *e, oci_error_t **err);
  /* after a directory's children (NULL: nothing to do) */
  void (*dir_done) (struct cp_sink *k, const struct cp_entry *e);
  int rootfd;         /* dir sink */
  const char *target; /* dir sink: where the top lands (path in root) */
  struct archive *ar; /* tar sink */
  const char *prefix; /* tar sink: name of the top */
  bool archive_mode;  /* -a: keep uid/gid */
  int64_t bytes;
};

/* --- sinks --- */

static char *
sink_path (const char *base, const char *rel)
{
  char *p = NULL;

  if (*rel == '\0')
    return xstrdup (base);
  xasprintf (&p, "%s%s%s", base, base[strlen (base) - 1] == '/' ? "" : "/", rel);
  return p;
}

static int
put_data (int fd, const struct cp_entry *e, struct cp_sink *k, const char *path, oci_error_t **err)
{
  char buf[65536];
  ssize_t n;

  while ((n = e->read (e->rctx, buf, sizeof buf)) > 0)
    {
      if (write_all (fd, buf, (size_t) n) < 0)
        return oci_error_errno (err, errno, "write %s", path);
      k->bytes += n;
    }
  if (n < 0)
    return oci_error_errno (err, errno, "read %s", e->rel);
  return 0;
}

static int
put_node (int pfd, const char *name, const struct cp_entry *e, struct cp_sink *k, const char *path,
          oci_error_t **err)
{
  struct stat cur;
  mode_t mode = e->st.st_mode;

  if (S_ISDIR (mode))
    {
      if (mkdirat (pfd, name, mode & 07777) < 0
          && !(errno == EEXIST && fstatat (pfd, name, &cur, AT_SYMLINK_NOFOLLOW) == 0
               && S_ISDIR (cur.st_mode)))
        return oci_error_errno (err, errno, "mkdir %s", path);
      return 0;
    }
  if (fstatat (pfd, name, &cur, AT_SYMLINK_NOFOLLOW) == 0)
    {
      if (S_ISDIR (cur.st_mode))
        return oci_error_set (err, EISDIR, "cannot overwrite directory \"%s\" with non-directory", path);
      unlinkat (pfd, name, 0);
    }
  if (e->hardlink)
    return 0;
  if (S_ISLNK (mode))
    return symlinkat (e->link, pfd, name) < 0 ? oci_error_errno (err, errno, "symlink %s", path) : 0;
  if (S_ISREG (mode))
    {
      cleanup_close int fd = openat (pfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

      if (fd < 0)
        return oci_error_errno (err, errno, "create %s", path);
      return put_data (fd, e, k, path, err);
    }
  if (mknodat (pfd, name, mode, e->st.st_rdev) < 0)
    return oci_error_errno (err, errno, "mknod %s", path);
  return 0;
}

static int
put_hardlink (struct cp_sink *k, int pfd, const char *name, const struct cp_entry *e, oci_error_t **err)
{
  cleanup_free char *tpath = sink_path (k->target, e->hardlink);
  cleanup_free char *tname = NULL;
  cleanup_close int tfd = inroot_open_parent (k->rootfd, tpath, INROOT_NOFOLLOW, 0755, &tname, err);

  if (tfd < 0)
    return -1;
  if (linkat (tfd, tname, pfd, name, 0) < 0)
    return oci_error_errno (err, errno, "link %s", tpath);
  return 0;
}

static int
dir_put (struct cp_sink *k, const struct cp_entry *e, oci_error_t **err)
{
  cleanup_free char *path = sink_path (k->target, e->rel);
  cleanup_free char *name = NULL;
  cleanup_close int pfd = -1;
  struct timespec ts[2];
  uid_t uid = k->archive_mode ? e->st.st_uid : 0;
  gid_t gid = k->archive_mode ? e->st.st_gid : 0;

  pfd = inroot_open_parent (k->rootfd, path, INROOT_NOFOLLOW | (*e->rel ? INROOT_MKDIR_PARENTS : 0), 0755,
                            &name, err);
  if (pfd < 0 || put_node (pfd, name, e, k, path, err) < 0)
    return -1;
  if (e->hardlink)
    return put_hardlink (k, pfd, name, e, err);
  if (fchownat (pfd, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
    return oci_error_errno (err, errno, "chown %s", path);
  if (!S_ISLNK (e->st.st_mode) && fchmodat (pfd, name, e->st.st_mode & 07777, 0) < 0)
    return oci_error_errno (err, errno, "chmod %s", path);
  ts[0] = e->st.st_atim;
  ts[1] = e->st.st_mtim;
  utimensat (pfd, name, ts, AT_SYMLINK_NOFOLLOW);
  return 0;
}

/* The children changed the directory's mtime: set it again.  */
static void
dir_times (struct cp_sink *k, const struct cp_entry *e)
{
  cleanup_free char *path = sink_path (k->target, e->rel);
  cleanup_free char *name = NULL;
  cleanup_close int pfd = inroot_open_parent (k->rootfd, path, INROOT_NOFOLLOW, 0755, &name, NULL);
  struct timespec ts[2] = { e->st.st_atim, e->st.st_mtim };

  if (pfd >= 0)
    utimensat (pfd, name, ts, AT_SYMLINK_NOFOLLOW);
}

static int
tar_put (struct cp_sink *k, const struct cp_entry *e, oci_error_t **err)
{
  cleanup_free char *path = sink_path (k->prefix, e->rel);
  struct archive_entry *ae = archive_entry_new ();
  char buf[65536];
  ssize_t n;
  int r;

  archive_entry_copy_stat (ae, &e->st);
  archive_entry_set_pathname (ae, path);
  archive_entry_set_nlink (ae, 1);
  if (!S_ISREG (e->st.st_mode))
    archive_entry_set_size (ae, 0);
  if (e->link)
    archive_entry_copy_symlink (ae, e->link);
  r = archive_write_header (k->ar, ae);
  archive_entry_free (ae);
  if (r < ARCHIVE_WARN)
    return oci_error_set (err, EIO, "tar %s: %s", path, archive_error_string (k->ar));
  while (S_ISREG (e->st.st_mode) && (n = e->read (e->rctx, buf, sizeof buf)) > 0)
    {
      if (archive_write_data (k->ar, buf, (size_t) n) < 0)
        return oci_error_set (err, EIO, "tar %s: %s", path, archive_error_string (k->ar));
      k->bytes += n;
    }
  return 0;
}

/* --- producers --- */

static ssize_t
fd_read (void *ctx, void *buf, size_t n)
{
  return read (*(int *) ctx, buf, n);
}

static int walk_dir (int dfd, const char *rel, struct cp_sink *k, oci_error_t **err);

/* Send (pfd, name) as rel, then its children.  */
static int
walk_one (int pfd, const char *name, const char *rel, struct cp_sink *k, oci_error_t **err)
{
  struct cp_entry e = { .rel = rel, .read = fd_read };
  cleanup_close int fd = -1;
  char link[4096];

  if (fstatat (pfd, name, &e.st, AT_SYMLINK_NOFOLLOW) < 0)
    return oci_error_errno (err, errno, "lstat %s", rel);
  if (S_ISSOCK (e.st.st_mode))
    return 0;
  if (S_ISLNK (e.st.st_mode))
    {
      ssize_t n = readlinkat (pfd, name, link, sizeof link - 1);

      if (n < 0)
        return oci_error_errno (err, errno, "readlink %s", rel);
      link[n] = '\0';
      e.link = link;
    }
  if (S_ISREG (e.st.st_mode) || S_ISDIR (e.st.st_mode))
    {
      fd = openat (pfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | (S_ISDIR (e.st.st_mode) ? O_DIRECTORY : 0));
      if (fd < 0)
        return oci_error_errno (err, errno, "open %s", rel);
      e.rctx = &fd;
    }
  if (k->put (k, &e, err) < 0)
    return -1;
  if (S_ISDIR (e.st.st_mode))
    {
      if (walk_dir (steal_fd (&fd), rel, k, err) < 0)
        return -1;
      if (k->dir_done)
        k->dir_done (k, &e);
    }
  return 0;
}

static int
walk_dir (int dfd, const char *rel, struct cp_sink *k, oci_error_t **err)
{
  cleanup_dir DIR *d = fdopendir (dfd);
  struct dirent *de;

  if (d == NULL)
    {
      close (dfd);
      return oci_error_errno (err, errno, "opendir %s", rel);
    }
  while ((errno = 0, de = readdir (d)) != NULL)
    {
      cleanup_free char *child = NULL;

      if (streq (de->d_name, ".") || streq (de->d_name, ".."))
        continue;
      xasprintf (&child, "%s%s%s", rel, *rel ? "/" : "", de->d_name);
      if (walk_one (dirfd (d), de->d_name, child, k, err) < 0)
        return -1;
    }
  return 0;
}

struct ar_ctx
{
  struct archive *ar;
};

static ssize_t
ar_read (void *ctx, void *buf, size_t n)
{
  la_ssize_t r = archive_read_data (((struct ar_ctx *) ctx)->ar, buf, n);

  if (r < 0)
    errno = EIO;
  return r < 0 ? -1 : r;
}

/* "./a/b/" → "a/b"; refuses "..".  */
static char *
tar_rel (const char *p, oci_error_t **err)
{
  struct strbuf sb = STRBUF_INIT;
  cleanup_free char *copy = xstrdup (p);
  char *save = NULL;

  for (char *c = strtok_r (copy, "/", &save); c; c = strtok_r (NULL, "/", &save))
    {
      if (streq (c, "."))
        continue;
      if (streq (c, ".."))
        {
          strbuf_release (&sb);
          oci_error_set (err, EINVAL, "tar entry %s: \"..\" is not allowed", p);
          return NULL;
        }
      strbuf_addf (&sb, "%s%s", sb.len ? "/" : "", c);
    }
  return strbuf_detach (&sb, NULL);
}

static int
tar_extract (int fd, struct cp_sink *k, oci_error_t **err)
{
  struct archive *ar = archive_read_new ();
  struct ar_ctx ctx = { ar };
  struct archive_entry *ae;
  int r, ret = 0;

  archive_read_support_filter_all (ar);
  archive_read_support_format_tar (ar);
  if (archive_read_open_fd (ar, fd, 65536) != ARCHIVE_OK)
    ret = oci_error_set (err, EIO, "read tar from stdin: %s", archive_error_string (ar));
  while (ret == 0 && (r = archive_read_next_header (ar, &ae)) == ARCHIVE_OK)
    {
      cleanup_free char *rel = tar_rel (archive_entry_pathname (ae), err);
      cleanup_free char *hl = NULL;
      struct cp_entry e = { .read = ar_read, .rctx = &ctx };

      if (rel == NULL)
        ret = -1;
      else if (archive_entry_hardlink (ae) && (hl = tar_rel (archive_entry_hardlink (ae), err)) == NULL)
        ret = -1;
      else
        {
          e.rel = rel;
          e.st = *archive_entry_stat (ae);
          e.link = archive_entry_symlink (ae);
          e.hardlink = hl;
          if (*rel == '\0' && !S_ISDIR (e.st.st_mode))
            continue;
          ret = k->put (k, &e, err);
        }
    }
  if (ret == 0 && r != ARCHIVE_EOF)
    ret = oci_error_set (err, EIO, "read tar from stdin: %s", archive_error_string (ar));
  archive_read_free (ar);
  return ret;
}

/* --- operands --- */

struct cp_side
{
  char *ctr;  /* container ref, NULL for the host */
  char *path; /* "-" for a tar stream */
};

static void
cp_split (const char *arg, struct cp_side *s)
{
  const char *colon = strchr (arg, ':');

  if (arg[0] == '/' || arg[0] == '.' || colon == NULL || colon == arg)
    {
      s->path = xstrdup (arg);
      return;
    }
  s->ctr = xstrndup (arg, (size_t) (colon - arg));
  s->path = xstrdup (*(colon + 1) ? colon + 1 : "/");
}

static char *
abs_in_ctr (const char *p)
{
  char *out = NULL;

  if (p[0] == '/')
    return xstrdup (p);
  xasprintf (&out, "/%s", p);
  return out;
}

static char *
abs_on_host (const char *p)
{
  char cwd[4096];
  char *out = NULL;

  if (p[0] == '/' || getcwd (cwd, sizeof cwd) == NULL)
    return xstrdup (p);
  xasprintf (&out, "%s/%s", cwd, p);
  return out;
}

static bool
ends_with (const char *s, const char *suffix)
{
  size_t a = strlen (s), b = strlen (suffix);

  return a >= b && streq (s + a - b, suffix);
}

/* The last name of a path ("/a/b/" → "b", "/a/b/." → "b").  */
static char *
path_base (const char *p)
{
  cleanup_free char *copy = xstrdup (p);
  size_t n = strlen (copy);
  char *slash;

  while (n > 1 && (copy[n - 1] == '/' || (copy[n - 1] == '.' && copy[n - 2] == '/')))
    copy[--n] = '\0';
  slash = strrchr (copy, '/');
  return xstrdup (slash && slash[1] ? slash + 1 : copy);
}

/* --- the copy --- */

struct cp_run
{
  struct berth_globals *g;
  struct tool_ctr t;
  bool have_ctr, unmount;
  int ctr_root;
  bool follow, archive, quiet;
};

static bool
is_mounted (const char *dir, const char *parent)
{
  struct stat a, b;

  return stat (dir, &a) == 0 && stat (parent, &b) == 0 && a.st_dev != b.st_dev;
}

/* /proc/PID/root of a running container (its volumes are visible there),
   else the merged rootfs, mounted for the copy when needed.  */
static int
ctr_root_open (struct cp_run *r, const char *ref, oci_error_t **err)
{
  cleanup_free char *merged = NULL;
  cleanup_free char *mpath = NULL;

  if (tool_ctr_open (r->g, ref, &r->t, err) < 0)
    return -1;
  r->have_ctr = true;
  if ((r->t.st.status == CONTAINER_RUNNING || r->t.st.status == CONTAINER_PAUSED) && r->t.st.pid > 0)
    {
      cleanup_free char *proot = NULL;

      xasprintf (&proot, "/proc/%d/root", (int) r->t.st.pid);
      r->ctr_root = open (proot, O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (r->ctr_root >= 0)
        return 0;
    }
  xasprintf (&merged, "%s/merged", r->t.cdir);
  if (!is_mounted (merged, r->t.cdir))
    {
      if (store_container_rootfs_mount (r->g->store, r->t.c->id, r->t.c->image_id, &mpath, err) < 0)
        return -1;
      r->unmount = true;
    }
  r->ctr_root = open (merged, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (r->ctr_root < 0)
    return oci_error_errno (err, errno, "open %s", merged);
  return 0;
}

static void
cp_run_clear (struct cp_run *r)
{
  if (r->ctr_root >= 0)
    close (r->ctr_root);
  if (r->unmount)
    store_container_rootfs_umount (r->g->store, r->t.c->id, NULL);
  if (r->have_ctr)
    tool_ctr_clear (&r->t);
}

struct cp_src
{
  int pfd; /* parent dir (or the root itself with name ".") */
  char *name;
  struct stat st;
  bool contents; /* SRC ends with "/." */
  char *base;
};

static int
src_not_found (const struct cp_side *s, oci_error_t **err)
{
  if (s->ctr)
    return oci_error_set (err, ENOENT, "Could not find the file %s in container %s", s->path, s->ctr);
  return oci_error_set (err, ENOENT, "lstat %s: no such file or directory", s->path);
}

static int
src_open (const struct cp_run *r, int root, const struct cp_side *s, const char *path, struct cp_src *out,
          oci_error_t **err)
{
  cleanup_free char *p = xstrdup (path);
  size_t n = strlen (p);
  bool want_dir = false;
  oci_error_t *xerr = NULL;

  out->contents = ends_with (p, "/.") || streq (p, ".");
  out->base = path_base (p);
  while (n > 1 && (p[n - 1] == '/' || (p[n - 1] == '.' && p[n - 2] == '/')))
    {
      want_dir = true;
      p[--n] = '\0';
    }
  if (streq (p, "/"))
    {
      out->pfd = dup (root);
      out->name = xstrdup (".");
    }
  else
    out->pfd = inroot_open_parent (root, p, r->follow ? 0 : INROOT_NOFOLLOW, 0755, &out->name, &xerr);
  if (out->pfd < 0 || fstatat (out->pfd, out->name, &out->st, AT_SYMLINK_NOFOLLOW) < 0)
    {
      int status = xerr ? xerr->status : errno;

      if (status != ENOENT && xerr)
        {
          *err = xerr;
          return -1;
        }
      oci_error_free (&xerr);
      return status == ENOENT ? src_not_found (s, err) : oci_error_errno (err, status, "stat %s", s->path);
    }
  if (want_dir && !S_ISDIR (out->st.st_mode))
    return oci_error_set (err, ENOTDIR, "%s: not a directory", s->path);
  return 0;
}

/* Where the source's top lands (docker's rules).  */
static int
dest_target (int root, const char *dpath, const struct cp_src *src, char **target, oci_error_t **err)
{
  oci_error_t *xerr = NULL;
  cleanup_close int fd = inroot_open (root, dpath, O_PATH, 0, &xerr);
  bool src_dir = S_ISDIR (src->st.st_mode);
  struct stat st;
  size_t n;

  if (fd >= 0 && fstat (fd, &st) == 0)
    {
      if (S_ISDIR (st.st_mode))
        {
          *target = src_dir && src->contents ? xstrdup (dpath) : sink_path (dpath, src->base);
          return 0;
        }
      if (src_dir)
        return oci_error_set (err, ENOTDIR, "cannot copy a directory to a file: %s", dpath);
      *target = xstrdup (dpath);
      return 0;
    }
  if (xerr && xerr->status != ENOENT)
    {
      *err = xerr;
      return -1;
    }
  oci_error_free (&xerr);
  if (ends_with (dpath, "/") && !src_dir)
    return oci_error_set (err, ENOENT, "no such directory: %s", dpath);
  *target = xstrdup (dpath);
  n = strlen (*target);
  while (n > 1 && (*target)[n - 1] == '/')
    (*target)[--n] = '\0';
  return 0;
}

static int
cp_to_stdout (struct cp_run *r, int sroot, const struct cp_side *s, const char *spath, oci_error_t **err)
{
  struct cp_src src = { .pfd = -1 };
  struct cp_sink k = { .put = tar_put, .archive_mode = true };
  int ret;

  if (src_open (r, sroot, s, spath, &src, err) < 0)
    ret = -1;
  else
    {
      k.prefix = src.contents ? "." : src.base;
      k.ar = archive_write_new ();
      archive_write_set_format_pax_restricted (k.ar);
      if (archive_write_open_fd (k.ar, STDOUT_FILENO) != ARCHIVE_OK)
        ret = oci_error_set (err, EIO, "write tar: %s", archive_error_string (k.ar));
      else
        ret = walk_one (src.pfd, src.name, "", &k, err);
      if (archive_write_close (k.ar) != ARCHIVE_OK && ret == 0)
        ret = oci_error_set (err, EIO, "write tar: %s", archive_error_string (k.ar));
      archive_write_free (k.ar);
    }
  if (src.pfd >= 0)
    close (src.pfd);
  free (src.name);
  free (src.base);
  return ret;
}

static int
cp_from_stdin (struct cp_run *r, int droot, const char *dpath, oci_error_t **err)
{
  struct cp_sink k = { .put = dir_put, .rootfd = droot, .target = dpath, .archive_mode = true };
  cleanup_close int fd = inroot_open (droot, dpath, O_PATH | O_DIRECTORY, 0, err);

  (void) r;
  if (fd < 0)
    return -1;
  return tar_extract (STDIN_FILENO, &k, err);
}

static int
cp_tree (struct cp_run *r, int sroot, const struct cp_side *s, const char *spath, int droot,
         const char *dpath, int64_t *bytes, oci_error_t **err)
{
  struct cp_src src = { .pfd = -1 };
  struct cp_sink k = { .put = dir_put, .dir_done = dir_times, .rootfd = droot, .archive_mode = r->archive };
  cleanup_free char *target = NULL;
  int ret = src_open (r, sroot, s, spath, &src, err);

  if (ret == 0)
    ret = dest_target (droot, dpath, &src, &target, err);
  if (ret == 0)
    {
      k.target = target;
      ret = walk_one (src.pfd, src.name, "", &k, err);
      *bytes = k.bytes;
    }
  if (src.pfd >= 0)
    close (src.pfd);
  free (src.name);
  free (src.base);
  return ret;
}

static int
cp_do (struct cp_run *r, const struct cp_side *src, const struct cp_side *dst, const char *dst_arg,
       oci_error_t **err)
{
  cleanup_close int host = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  const struct cp_side *cs = src->ctr ? src : dst;
  cleanup_free char *sp = NULL;
  cleanup_free char *dp = NULL;
  int sroot, droot;
  int64_t bytes = 0;

  if (ctr_root_open (r, cs->ctr, err) < 0)
    return -1;
  sroot = src->ctr ? r->ctr_root : host;
  droot = dst->ctr ? r->ctr_root : host;
  if (streq (dst->path, "-"))
    return cp_to_stdout (r, sroot, src, src->path, err);
  dp = dst->ctr ? abs_in_ctr (dst->path) : abs_on_host (dst->path);
  if (streq (src->path, "-"))
    return cp_from_stdin (r, droot, dp, err);
  sp = src->ctr ? abs_in_ctr (src->path) : abs_on_host (src->path);
  if (cp_tree (r, sroot, src, sp, droot, dp, &bytes, err) < 0)
    return -1;
  if (!r->quiet)
    {
      cleanup_free char *h = cli_human_size (bytes);

      fprintf (stderr, "Successfully copied %s to %s\n", h, dst_arg);
    }
  return 0;
}

static const char cp_help[] = "Usage:  berth cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n"
                              "        berth cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH\n\n"
                              "Copy files/folders between a container and the local filesystem\n\n"
                              "Use '-' as the source to read a tar archive from stdin\n"
                              "and extract it to a directory destination in a container.\n"
                              "Use '-' as the destination to stream a tar archive of a\n"
                              "container source to stdout.\n\n"
                              "Aliases:\n  berth container cp, berth cp\n\n"
                              "Options:\n"
                              "  -a, --archive       Archive mode (copy all uid/gid information)\n"
                              "  -L, --follow-link   Always follow symbol link in SRC_PATH\n"
                              "  -q, --quiet         Suppress progress output during copy. Progress output "
                              "is automatically suppressed if\n"
                              "                      no terminal is attached\n";

int
cmd_cp (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  static const struct option opts[] = {
    { "archive", no_argument, NULL, 'a' },
    { "follow-link", no_argument, NULL, 'L' },
    { "quiet", no_argument, NULL, 'q' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  struct cp_run r = { .g = g, .ctr_root = -1 };
  struct cp_side src = { NULL, NULL }, dst = { NULL, NULL };
  int c, ret;

  opterr = 0;
  while ((c = getopt_long (argc, argv, "+aLqh", opts, NULL)) != -1)
    switch (c)
      {
      case 'a':
        r.archive = true;
        break;
      case 'L':
        r.follow = true;
        break;
      case 'q':
        r.quiet = true;
        break;
      case 'h':
        fputs (cp_help, stdout);
        return 0;
      default:
        return cli_usage_error ("cp", "unknown flag", err);
      }
  if (argc - optind != 2)
    return cli_usage_error ("cp", "\"berth cp\" requires exactly 2 arguments.", err);
  cp_split (argv[optind], &src);
  cp_split (argv[optind + 1], &dst);
  if (src.ctr && dst.ctr)
    ret = oci_error_set (err, EINVAL, "copying between containers is not supported");
  else if (!src.ctr && !dst.ctr)
    ret = oci_error_set (err, EINVAL, "must specify at least one container source");
  else if (streq (src.path, "-") && streq (dst.path, "-"))
    ret = oci_error_set (err, EINVAL, "invalid use of \"-\": at most one side may be a stream");
  else
    ret = cp_do (&r, &src, &dst, argv[optind + 1], err);
  cp_run_clear (&r);
  free (src.ctr);
  free (src.path);
  free (dst.ctr);
  free (dst.path);
  return ret;
}
