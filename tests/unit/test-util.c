/* strbuf, error and file helpers.  */
#include "config.h"
#include "unit.h"
#include "fileutil.h"
#include "strbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

static void
test_strbuf (void **state)
{
  cleanup_strbuf struct strbuf sb = STRBUF_INIT;
  char *detached;
  size_t len;

  assert_string_equal (strbuf_str (&sb), "");
  strbuf_addstr (&sb, "abc");
  strbuf_addch (&sb, '-');
  strbuf_addf (&sb, "%d:%s", 42, "x");
  assert_string_equal (sb.buf, "abc-42:x");
  assert_int_equal (sb.len, 8);
  for (int i = 0; i < 1000; i++)
    strbuf_addf (&sb, "%04d", i);
  assert_int_equal (sb.len, 8 + 4000);
  assert_int_equal (strlen (sb.buf), sb.len);
  strbuf_setlen (&sb, 3);
  assert_string_equal (sb.buf, "abc");
  detached = strbuf_detach (&sb, &len);
  assert_int_equal (len, 3);
  assert_string_equal (detached, "abc");
  assert_null (sb.buf);
  free (detached);
  /* A buffer that only grew is still a valid empty string.  */
  strbuf_grow (&sb, 10);
  assert_string_equal (sb.buf, "");
}

static void
test_error_prefix (void **state)
{
  cleanup_error oci_error_t *err = NULL;

  assert_int_equal (oci_error_errno (&err, ENOENT, "open `%s`", "x.json"), -1);
  assert_int_equal (err->status, ENOENT);
  assert_string_equal (err->msg, "open `x.json`: No such file or directory");
  oci_error_prefix (&err, "bundle %s", "/b");
  assert_string_equal (err->msg, "bundle /b: open `x.json`: No such file or directory");
}

static char *
make_tmpdir (void)
{
  char tmpl[] = "/tmp/berth-unit.XXXXXX";
  assert_non_null (mkdtemp (tmpl));
  return xstrdup (tmpl);
}

static void
test_files (void **state)
{
  cleanup_free char *dir = make_tmpdir ();
  cleanup_free char *path = NULL, *deep = NULL, *data = NULL;
  cleanup_error oci_error_t *err = NULL;
  struct stat st;
  size_t len = 99;

  xasprintf (&path, "%s/f", dir);
  assert_int_equal (write_file_atomic (path, "", 0, 0640, &err), 0);
  assert_int_equal (read_file_max (path, 10, &data, &len, &err), 0);
  assert_int_equal (len, 0);
  assert_string_equal (data, "");
  free (data);
  data = NULL;

  assert_int_equal (write_file_atomic (path, "hello", 5, 0600, &err), 0);
  assert_int_equal (stat (path, &st), 0);
  assert_int_equal (st.st_mode & 0777, 0600);
  assert_int_equal (read_file_max (path, 5, &data, &len, &err), 0);
  assert_string_equal (data, "hello");
  free (data);
  data = NULL;
  assert_true (read_file_max (path, 4, &data, &len, &err) < 0);
  assert_error_contains (err, "larger than 4 bytes");
  oci_error_free (&err);

  xasprintf (&deep, "%s/a/b/c", dir);
  assert_int_equal (mkdir_p (deep, 0755, &err), 0);
  assert_int_equal (stat (deep, &st), 0);
  assert_true (S_ISDIR (st.st_mode));
  assert_int_equal (remove_recursive (dir, &err), 0);
  assert_true (stat (dir, &st) < 0 && errno == ENOENT);
  assert_true (read_file_max (path, 4, &data, &len, &err) < 0);
  assert_error_contains (err, "No such file or directory");
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_strbuf),
    cmocka_unit_test (test_error_prefix),
    cmocka_unit_test (test_files),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
