/* Path resolution inside a root.  Every test runs twice: once with
   openat2(RESOLVE_IN_ROOT) (when the kernel has it) and once with the
   component-by-component fallback.  Each run gets a fresh tree:

     TMP/secret                 a file outside the root
     TMP/root/etc/passwd        "inside"
     TMP/root/file              a regular file
     TMP/root/a/b/              directories
   plus the symlinks each test makes.  An escape would reach TMP/secret or
   the host's /etc, whose contents differ from the root's.  */
#include "config.h"
#include "unit.h"
#include "fileutil.h"
#include "inroot.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

struct fixture
{
  bool fallback;
  char tmp[64];
  char *root; /* TMP/root */
  int rootfd; /* O_PATH */
};

static bool use_openat2 = false;
static bool use_fallback = true;

static void
write_text (const char *dir, const char *name, const char *text)
{
  cleanup_free char *path = NULL;
  cleanup_error oci_error_t *err = NULL;

  xasprintf (&path, "%s/%s", dir, name);
  assert_int_equal (write_file_atomic (path, text, strlen (text), 0644, &err), 0);
}

static int
setup (void **state)
{
  struct fixture *f = xzalloc (sizeof *f);
  bool *fallback = *state;
  cleanup_free char *dirs = NULL;
  cleanup_error oci_error_t *err = NULL;

  f->fallback = *fallback;
  umask (022);
  inroot_force_fallback = f->fallback;
  strcpy (f->tmp, "/tmp/test-inroot.XXXXXX");
  assert_non_null (mkdtemp (f->tmp));
  xasprintf (&f->root, "%s/root", f->tmp);
  xasprintf (&dirs, "%s/a/b", f->root);
  assert_int_equal (mkdir_p (dirs, 0755, &err), 0);
  free (dirs);
  xasprintf (&dirs, "%s/etc", f->root);
  assert_int_equal (mkdir (dirs, 0755), 0);
  write_text (f->tmp, "secret", "outside");
  write_text (f->root, "etc/passwd", "inside");
  write_text (f->root, "file", "plain");
  f->rootfd = open (f->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  assert_true (f->rootfd >= 0);
  *state = f;
  return 0;
}

static int
teardown (void **state)
{
  struct fixture *f = *state;
  cleanup_error oci_error_t *err = NULL;

  close (f->rootfd);
  assert_int_equal (remove_recursive (f->tmp, &err), 0);
  free (f->root);
  free (f);
  inroot_force_fallback = false;
  return 0;
}

/* ln -s target root/name  */
static void
symlink_in (struct fixture *f, const char *target, const char *name)
{
  assert_int_equal (symlinkat (target, f->rootfd, name), 0);
}

static void
assert_mode_used (struct fixture *f)
{
  if (f->fallback)
    assert_false (inroot_have_openat2 ());
  else if (!inroot_have_openat2 ())
    print_message ("note: the kernel has no openat2, both runs use the fallback\n");
}

/* fd refers to root/expected (not following a last symlink).  */
static void
assert_fd_is (struct fixture *f, int fd, const char *expected)
{
  struct stat a, b;

  assert_true (fd >= 0);
  assert_int_equal (fstat (fd, &a), 0);
  assert_int_equal (fstatat (f->rootfd, expected, &b, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH), 0);
  if (a.st_dev != b.st_dev || a.st_ino != b.st_ino)
    fail_msg ("fd is not %s/%s", f->root, expected);
}

/* Opening path for reading inside the root gives root/expected.  */
static void
open_is (struct fixture *f, const char *path, const char *expected)
{
  cleanup_error oci_error_t *err = NULL;
  cleanup_free char *resolved = NULL;
  cleanup_close int fd = inroot_open (f->rootfd, path, O_RDONLY, 0, &err);

  if (fd < 0)
    fail_msg ("inroot_open `%s`: %s", path, err->msg);
  assert_fd_is (f, fd, expected);
  assert_int_equal (inroot_resolve (f->rootfd, path, &resolved, &err), 0);
  assert_no_error (err);
  assert_string_equal (resolved, expected);
}

/* Reading path inside the root gives text.  */
static void
read_is (struct fixture *f, const char *path, const char *text)
{
  cleanup_error oci_error_t *err = NULL;
  cleanup_close int fd = inroot_open (f->rootfd, path, O_RDONLY, 0, &err);
  char buf[64] = "";

  if (fd < 0)
    fail_msg ("inroot_open `%s`: %s", path, err->msg);
  assert_true (read (fd, buf, sizeof buf - 1) >= 0);
  assert_string_equal (buf, text);
}

/* Opening and resolving path fail with errno e and a message naming it.  */
static void
open_fails (struct fixture *f, const char *path, int flags, int e)
{
  cleanup_error oci_error_t *err = NULL;
  cleanup_error oci_error_t *err2 = NULL;
  char *resolved = (char *) "x";
  int fd = inroot_open (f->rootfd, path, flags, 0644, &err);

  if (fd >= 0)
    fail_msg ("inroot_open `%s` succeeded, expected %s", path, strerror (e));
  assert_non_null (err);
  if (err->status != e)
    fail_msg ("inroot_open `%s`: %s, expected %s", path, err->msg, strerror (e));
  assert_error_contains (err, path);
  if (flags != O_RDONLY)
    return;
  assert_int_equal (inroot_resolve (f->rootfd, path, &resolved, &err2), -1);
  assert_null (resolved);
  if (err2->status != e)
    fail_msg ("inroot_resolve `%s`: %s, expected %s", path, err2->msg, strerror (e));
}

static bool
exists_in_tmp (struct fixture *f, const char *rel)
{
  cleanup_free char *p = NULL;
  struct stat st;

  xasprintf (&p, "%s/%s", f->tmp, rel);
  return lstat (p, &st) == 0;
}

static void
test_plain_paths (void **state)
{
  struct fixture *f = *state;
  cleanup_error oci_error_t *err = NULL;
  cleanup_free char *resolved = NULL;

  assert_mode_used (f);
  open_is (f, "etc/passwd", "etc/passwd");
  open_is (f, "/etc/passwd", "etc/passwd");
  open_is (f, "//etc///./passwd", "etc/passwd");
  open_is (f, "a/b", "a/b");
  open_is (f, "a/b/", "a/b");
  open_is (f, "/", ".");
  open_is (f, ".", ".");
  open_is (f, "", ".");
  read_is (f, "/etc/passwd", "inside");
  open_fails (f, "missing", O_RDONLY, ENOENT);
  open_fails (f, "a/missing/x", O_RDONLY, ENOENT);
  /* A regular file used as a directory.  */
  open_fails (f, "file/x", O_RDONLY, ENOTDIR);
  open_fails (f, "file/", O_RDONLY, ENOTDIR);
  open_fails (f, "file/..", O_RDONLY, ENOTDIR);
  assert_int_equal (inroot_resolve (f->rootfd, "a/b/../b/./", &resolved, &err), 0);
  assert_string_equal (resolved, "a/b");
}

static void
test_dotdot_stays_inside (void **state)
{
  struct fixture *f = *state;

  assert_mode_used (f);
  open_is (f, "..", ".");
  open_is (f, "../../../../..", ".");
  open_is (f, "../../../etc/passwd", "etc/passwd");
  open_is (f, "/../../etc/./passwd", "etc/passwd");
  open_is (f, "a/b/../../../../etc/passwd", "etc/passwd");
  open_is (f, "a/../a/b/../../..", ".");
  read_is (f, "../../../etc/passwd", "inside");
  /* TMP/secret exists, but only outside.  */
  open_fails (f, "../secret", O_RDONLY, ENOENT);
  open_fails (f, "a/../../secret", O_RDONLY, ENOENT);
}

static void
test_absolute_symlinks (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *host_secret = NULL;

  assert_mode_used (f);
  symlink_in (f, "/etc", "abs");
  symlink_in (f, "/etc/passwd", "a/b/pw");
  symlink_in (f, "/", "rootlink");
  xasprintf (&host_secret, "%s/secret", f->tmp);
  symlink_in (f, host_secret, "hostpath");
  open_is (f, "abs/passwd", "etc/passwd");
  open_is (f, "abs", "etc");
  open_is (f, "a/b/pw", "etc/passwd");
  open_is (f, "rootlink/rootlink/etc/passwd", "etc/passwd");
  open_is (f, "rootlink/..", ".");
  open_is (f, "abs/../abs/../etc", "etc");
  read_is (f, "abs/passwd", "inside");
  read_is (f, "/a/b/pw", "inside");
  /* The host path of the secret is looked up inside the root.  */
  open_fails (f, "hostpath", O_RDONLY, ENOENT);
}

static void
test_relative_symlinks_to_dotdot (void **state)
{
  struct fixture *f = *state;

  assert_mode_used (f);
  symlink_in (f, "..", "a/b/up");
  symlink_in (f, "../..", "a/b/up2");
  symlink_in (f, "../../../../../../..", "deep");
  symlink_in (f, "../secret", "esc");
  symlink_in (f, "a/b/up/../../../secret", "esc2");
  symlink_in (f, "../etc", "a/etc");
  open_is (f, "a/b/up", "a");
  open_is (f, "a/b/up2", ".");
  open_is (f, "a/b/up/b/up/b/up/b/up/b", "a/b");
  open_is (f, "a/b/up2/a/b/up2/a/b/up2/etc/passwd", "etc/passwd");
  open_is (f, "a/b/up/b/up/b/up", "a");
  open_fails (f, "a/b/up/up", O_RDONLY, ENOENT);
  open_is (f, "deep/deep/etc/passwd", "etc/passwd");
  open_is (f, "a/etc/passwd", "etc/passwd");
  read_is (f, "deep/etc/passwd", "inside");
  open_fails (f, "esc", O_RDONLY, ENOENT);
  open_fails (f, "esc2", O_RDONLY, ENOENT);
  open_fails (f, "deep/secret", O_RDONLY, ENOENT);
}

static void
test_symlink_loops (void **state)
{
  struct fixture *f = *state;

  assert_mode_used (f);
  symlink_in (f, "self", "self");
  symlink_in (f, "loop2", "loop1");
  symlink_in (f, "/loop1", "loop2");
  symlink_in (f, "dirloop/x", "dirloop");
  symlink_in (f, "../../a/b/../b/ping", "a/b/pong");
  symlink_in (f, "/a/b/pong", "a/b/ping");
  open_fails (f, "self", O_RDONLY, ELOOP);
  open_fails (f, "loop1", O_RDONLY, ELOOP);
  open_fails (f, "loop2/x", O_RDONLY, ELOOP);
  open_fails (f, "dirloop", O_RDONLY, ELOOP);
  open_fails (f, "a/b/ping", O_RDONLY, ELOOP);
  open_fails (f, "self", O_WRONLY | O_CREAT, ELOOP);
}

static void
test_long_chains (void **state)
{
  struct fixture *f = *state;
  char name[32], target[32];

  assert_mode_used (f);
  /* l0 -> /etc/passwd, l1 -> l0 (alternating absolute and relative) ...  */
  symlink_in (f, "/etc/passwd", "l0");
  for (int i = 1; i <= 45; i++)
    {
      snprintf (name, sizeof name, "l%d", i);
      snprintf (target, sizeof target, i % 2 ? "l%d" : "/a/../l%d", i - 1);
      symlink_in (f, target, name);
    }
  /* l39 takes 40 symlinks: the kernel's limit; l40 takes 41.  */
  open_is (f, "l39", "etc/passwd");
  read_is (f, "l39", "inside");
  open_fails (f, "l40", O_RDONLY, ELOOP);
  open_fails (f, "l45", O_RDONLY, ELOOP);
  /* The limit counts every symlink of the resolution, not per component.  */
  symlink_in (f, "/etc", "e0");
  for (int i = 1; i <= 30; i++)
    {
      snprintf (name, sizeof name, "e%d", i);
      snprintf (target, sizeof target, "e%d", i - 1);
      symlink_in (f, target, name);
    }
  open_is (f, "e20/../l15", "etc/passwd");
  open_fails (f, "e20/../l25", O_RDONLY, ELOOP);
}

static void
test_dangling_symlinks (void **state)
{
  struct fixture *f = *state;
  cleanup_error oci_error_t *err = NULL;
  cleanup_close int fd = -1;
  cleanup_close int fd2 = -1;
  struct stat st;

  assert_mode_used (f);
  symlink_in (f, "/created", "dangling");
  symlink_in (f, "../../../created-rel", "a/dangling-rel");
  symlink_in (f, "/nodir/x", "dangling-deep");
  open_fails (f, "dangling", O_RDONLY, ENOENT);
  open_fails (f, "a/dangling-rel", O_RDONLY, ENOENT);
  open_fails (f, "dangling/x", O_RDONLY, ENOENT);
  /* Creating through a dangling symlink creates its target in the root.  */
  fd = inroot_open (f->rootfd, "dangling", O_WRONLY | O_CREAT, 0600, &err);
  assert_no_error (err);
  assert_fd_is (f, fd, "created");
  assert_int_equal (fstatat (f->rootfd, "created", &st, 0), 0);
  assert_true (S_ISREG (st.st_mode));
  assert_int_equal (st.st_mode & 07777, 0600);
  fd2 = inroot_open (f->rootfd, "a/dangling-rel", O_WRONLY | O_CREAT, 0644, &err);
  assert_no_error (err);
  assert_fd_is (f, fd2, "created-rel");
  assert_false (exists_in_tmp (f, "created-rel"));
  /* Parents of the target are not created.  */
  open_fails (f, "dangling-deep", O_WRONLY | O_CREAT, ENOENT);
}

static void
test_open_flags (void **state)
{
  struct fixture *f = *state;
  cleanup_error oci_error_t *err = NULL;
  cleanup_close int fd = -1;
  cleanup_close int pfd = -1;
  struct stat st;

  assert_mode_used (f);
  symlink_in (f, "/etc/passwd", "pwlink");
  symlink_in (f, "/new-excl", "excl");
  /* O_NOFOLLOW applies to the last component only.  */
  open_fails (f, "pwlink", O_RDONLY | O_NOFOLLOW, ELOOP);
  pfd = inroot_open (f->rootfd, "pwlink", O_PATH | O_NOFOLLOW, 0, &err);
  assert_no_error (err);
  assert_int_equal (fstat (pfd, &st), 0);
  assert_true (S_ISLNK (st.st_mode));
  /* O_EXCL: the symlink itself exists.  */
  open_fails (f, "excl", O_WRONLY | O_CREAT | O_EXCL, EEXIST);
  open_fails (f, "etc/passwd", O_WRONLY | O_CREAT | O_EXCL, EEXIST);
  assert_int_equal (faccessat (f->rootfd, "new-excl", F_OK, AT_SYMLINK_NOFOLLOW), -1);
  /* A new file in an existing directory, reached through ".." and a link.  */
  symlink_in (f, "/a", "alink");
  fd = inroot_open (f->rootfd, "../alink/b/../new", O_WRONLY | O_CREAT | O_EXCL, 0640, &err);
  assert_no_error (err);
  assert_fd_is (f, fd, "a/new");
  assert_int_equal (write (fd, "x", 1), 1);
  /* The result is close-on-exec.  */
  assert_true (fcntl (fd, F_GETFD) & FD_CLOEXEC);
  /* Directories: O_DIRECTORY on a file fails.  */
  open_fails (f, "file", O_RDONLY | O_DIRECTORY, ENOTDIR);
}

/* The O_PATH directory fd returned by inroot_mkdir_p is root/expected.  */
static void
mkdir_is (struct fixture *f, const char *path, const char *expected)
{
  cleanup_error oci_error_t *err = NULL;
  cleanup_close int fd = inroot_mkdir_p (f->rootfd, path, 0751, &err);
  struct stat st;

  if (fd < 0)
    fail_msg ("inroot_mkdir_p `%s`: %s", path, err->msg);
  assert_fd_is (f, fd, expected);
  assert_true (fcntl (fd, F_GETFL) & O_PATH);
  assert_int_equal (fstat (fd, &st), 0);
  assert_true (S_ISDIR (st.st_mode));
}

static void
mkdir_fails (struct fixture *f, const char *path, int e)
{
  cleanup_error oci_error_t *err = NULL;
  int fd = inroot_mkdir_p (f->rootfd, path, 0755, &err);

  assert_int_equal (fd, -1);
  if (err->status != e)
    fail_msg ("inroot_mkdir_p `%s`: %s, expected %s", path, err->msg, strerror (e));
  assert_error_contains (err, path);
}

static void
test_mkdir_p (void **state)
{
  struct fixture *f = *state;
  struct stat st;

  assert_mode_used (f);
  symlink_in (f, "/etc", "abs");
  symlink_in (f, "/made/here", "ddir");
  symlink_in (f, "../secret", "esc");
  symlink_in (f, "../../..", "a/b/up");
  symlink_in (f, "loop", "loop");
  mkdir_is (f, "a/b", "a/b");
  mkdir_is (f, "/", ".");
  mkdir_is (f, "new/x/y/", "new/x/y");
  assert_int_equal (fstatat (f->rootfd, "new/x", &st, 0), 0);
  assert_int_equal (st.st_mode & 0777, 0751 & ~(mode_t) 022 & 0777);
  mkdir_is (f, "abs/sub", "etc/sub");
  mkdir_is (f, "../../a/b/up/top", "top");
  /* Dangling symlinks: their target is created, inside the root.  */
  mkdir_is (f, "ddir/sub", "made/here/sub");
  mkdir_is (f, "ddir", "made/here");
  mkdir_is (f, "esc/inner", "secret/inner");
  assert_false (exists_in_tmp (f, "secret/inner"));
  mkdir_fails (f, "file", ENOTDIR);
  mkdir_fails (f, "file/x", ENOTDIR);
  mkdir_fails (f, "etc/passwd/x", ENOTDIR);
  mkdir_fails (f, "loop/x", ELOOP);
}

static void
test_open_parent (void **state)
{
  struct fixture *f = *state;
  cleanup_error oci_error_t *err = NULL;
  static const char *const no_name[] = { "", "/", "a/", "a/b/..", "a/.", ".", "..", "/a/b//" };

  assert_mode_used (f);
  symlink_in (f, "/dev2/console-target", "console");
  symlink_in (f, "/", "rootlink");
  symlink_in (f, "../secret", "esc");
  /* Existing parent, last component missing.  */
  {
    cleanup_free char *name = NULL;
    cleanup_close int fd = inroot_open_parent (f->rootfd, "a/b/newfile", 0, 0755, &name, &err);
    assert_no_error (err);
    assert_fd_is (f, fd, "a/b");
    assert_string_equal (name, "newfile");
    assert_true (fcntl (fd, F_GETFL) & O_PATH);
  }
  /* A missing parent is created with INROOT_MKDIR_PARENTS only.  */
  {
    cleanup_free char *name = NULL;
    int fd = inroot_open_parent (f->rootfd, "/dev/pts/0", 0, 0755, &name, &err);
    assert_int_equal (fd, -1);
    assert_null (name);
    assert_int_equal (err->status, ENOENT);
    assert_error_contains (err, "/dev/pts/0");
    oci_error_free (&err);
  }
  {
    cleanup_free char *name = NULL;
    cleanup_close int fd
        = inroot_open_parent (f->rootfd, "rootlink/../dev/pts/0", INROOT_MKDIR_PARENTS, 0755, &name, &err);
    assert_no_error (err);
    assert_fd_is (f, fd, "dev/pts");
    assert_string_equal (name, "0");
  }
  /* A dangling symlink as the last component: its target's place.  */
  {
    cleanup_free char *name = NULL;
    cleanup_close int fd
        = inroot_open_parent (f->rootfd, "/console", INROOT_MKDIR_PARENTS, 0755, &name, &err);
    cleanup_close int file = -1;
    assert_no_error (err);
    assert_fd_is (f, fd, "dev2");
    assert_string_equal (name, "console-target");
    /* The fd is usable to create the mount target.  */
    cleanup_close int dirfd = openat (fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    assert_true (dirfd >= 0);
    file = openat (dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    assert_true (file >= 0);
    assert_int_equal (faccessat (f->rootfd, "dev2/console-target", F_OK, 0), 0);
  }
  /* ... or the symlink itself with INROOT_NOFOLLOW.  */
  {
    cleanup_free char *name = NULL;
    cleanup_close int fd = inroot_open_parent (f->rootfd, "/console", INROOT_NOFOLLOW, 0755, &name, &err);
    assert_no_error (err);
    assert_fd_is (f, fd, ".");
    assert_string_equal (name, "console");
  }
  /* A symlink out of the root lands inside it.  */
  {
    cleanup_free char *name = NULL;
    cleanup_close int fd = inroot_open_parent (f->rootfd, "esc", 0, 0755, &name, &err);
    assert_no_error (err);
    assert_fd_is (f, fd, ".");
    assert_string_equal (name, "secret");
  }
  /* A file as a parent.  */
  {
    cleanup_free char *name = NULL;
    int fd = inroot_open_parent (f->rootfd, "file/x", INROOT_MKDIR_PARENTS, 0755, &name, &err);
    assert_int_equal (fd, -1);
    assert_int_equal (err->status, ENOTDIR);
    oci_error_free (&err);
  }
  for (size_t i = 0; i < ARRAY_SIZE (no_name); i++)
    {
      cleanup_free char *name = NULL;
      int fd = inroot_open_parent (f->rootfd, no_name[i], INROOT_MKDIR_PARENTS, 0755, &name, &err);
      assert_int_equal (fd, -1);
      assert_null (name);
      assert_int_equal (err->status, EINVAL);
      oci_error_free (&err);
    }
  /* A symlink to a directory path has no name either.  */
  {
    cleanup_free char *name = NULL;
    int fd = inroot_open_parent (f->rootfd, "rootlink", 0, 0755, &name, &err);
    assert_int_equal (fd, -1);
    assert_int_equal (err->status, EINVAL);
    assert_error_contains (err, "rootlink");
    oci_error_free (&err);
  }
}

/* The resolved path never leaves the root, whatever the input.  */
static void
test_resolve_paths (void **state)
{
  struct fixture *f = *state;
  static const struct
  {
    const char *path, *expected;
  } cases[] = {
    { "abs", "etc" },        { "abs/", "etc" },   { "abs/passwd", "etc/passwd" },
    { "up/up/abs", "etc" },  { "a/b/up", "a" },   { "a/b/up/b/pw", "etc/passwd" },
    { "/../a/./b/..", "a" }, { "rootlink", "." }, { "rootlink/a/b/up/..", "." },
  };

  assert_mode_used (f);
  symlink_in (f, "/etc", "abs");
  symlink_in (f, "..", "up");
  symlink_in (f, "..", "a/b/up");
  symlink_in (f, "../../../etc/passwd", "a/b/pw");
  symlink_in (f, "///", "rootlink");
  for (size_t i = 0; i < ARRAY_SIZE (cases); i++)
    {
      cleanup_error oci_error_t *err = NULL;
      cleanup_free char *resolved = NULL;
      if (inroot_resolve (f->rootfd, cases[i].path, &resolved, &err) < 0)
        fail_msg ("resolve `%s`: %s", cases[i].path, err->msg);
      if (!streq (resolved, cases[i].expected))
        fail_msg ("resolve `%s`: got `%s`, expected `%s`", cases[i].path, resolved, cases[i].expected);
    }
}

/* Each test under both resolvers, named apart in the TAP output.  */
/* clang-format off */
#define BOTH(fn)                                                \
  { #fn " [openat2]", fn, setup, teardown, &use_openat2 },      \
  { #fn " [fallback]", fn, setup, teardown, &use_fallback }
/* clang-format on */

int
main (void)
{
  const struct CMUnitTest tests[] = {
    BOTH (test_plain_paths),       BOTH (test_dotdot_stays_inside),
    BOTH (test_absolute_symlinks), BOTH (test_relative_symlinks_to_dotdot),
    BOTH (test_symlink_loops),     BOTH (test_long_chains),
    BOTH (test_dangling_symlinks), BOTH (test_open_flags),
    BOTH (test_mkdir_p),           BOTH (test_open_parent),
    BOTH (test_resolve_paths),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
