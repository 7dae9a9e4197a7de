/* hull exec's process: the container's config.json process changed by the
   command-line flags (runc's merge rules), or a --process file.  */
#include "config.h"
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "exec_internal.h"
#include "fileutil.h"

static const char config_json[]
    = "{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"rootfs\"},"
      " \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\", \"env\": [\"A=1\"], \"user\": {\"uid\": 0, "
      "\"gid\": 0},"
      " \"capabilities\": {\"bounding\": [\"CAP_KILL\"], \"effective\": [\"CAP_KILL\"],"
      " \"permitted\": [\"CAP_KILL\"], \"inheritable\": [\"CAP_KILL\"]}}}";

struct fixture
{
  char dir[64];
  struct hull_container c;
  struct hull_state st;
};

static int
setup (void **state)
{
  struct fixture *f = xzalloc (sizeof *f);
  oci_error_t *err = NULL;
  char path[128];

  snprintf (f->dir, sizeof f->dir, "/tmp/hull-exec-unit.XXXXXX");
  assert_non_null (mkdtemp (f->dir));
  snprintf (path, sizeof path, "%s/config.json", f->dir);
  assert_int_equal (write_file_atomic (path, config_json, strlen (config_json), 0600, &err), 0);
  f->c.dir = f->dir;
  f->c.id = (char *) "c1";
  f->c.state = &f->st;
  *state = f;
  return 0;
}

static int
teardown (void **state)
{
  struct fixture *f = *state;
  char path[128];

  snprintf (path, sizeof path, "%s/config.json", f->dir);
  unlink (path);
  snprintf (path, sizeof path, "%s/process.json", f->dir);
  unlink (path);
  rmdir (f->dir);
  free (f);
  return 0;
}

static bool
has (char **v, const char *s)
{
  for (size_t i = 0; v && v[i]; i++)
    if (streq (v[i], s))
      return true;
  return false;
}

static void
test_flags_merge_into_container_process (void **state)
{
  struct fixture *f = *state;
  char *args[] = { (char *) "id", (char *) "-u", NULL };
  char *env[] = { (char *) "B=2", NULL };
  char *caps[] = { (char *) "CAP_SYS_ADMIN", NULL };
  uint32_t gids[] = { 20, 30 };
  struct hull_exec_opts o = { .id = "c1",
                              .args = args,
                              .env = env,
                              .caps = caps,
                              .user = "1000:1001",
                              .gids = gids,
                              .gids_len = 2,
                              .cwd = "/tmp",
                              .no_new_privs = true,
                              .tty = true };
  struct oci_spec *spec = NULL;
  oci_error_t *err = NULL;
  struct oci_process *p;

  assert_int_equal (exec_load_process (&f->c, &o, &spec, &err), 0);
  assert_no_error (err);
  p = spec->process;
  assert_string_equal (p->args[0], "id");
  assert_string_equal (p->args[1], "-u");
  assert_true (has (p->env, "A=1") && has (p->env, "B=2"));
  assert_string_equal (p->cwd, "/tmp");
  assert_int_equal (p->user->uid, 1000);
  assert_int_equal (p->user->gid, 1001);
  assert_int_equal (p->user->additional_gids_len, 2);
  assert_int_equal (p->user->additional_gids[1], 30);
  assert_true (has (p->capabilities->bounding, "CAP_SYS_ADMIN"));
  assert_true (has (p->capabilities->effective, "CAP_SYS_ADMIN"));
  assert_true (has (p->capabilities->permitted, "CAP_SYS_ADMIN"));
  /* ambient too, since the config has inheritable capabilities (runc)  */
  assert_true (has (p->capabilities->ambient, "CAP_SYS_ADMIN"));
  assert_false (has (p->capabilities->inheritable, "CAP_SYS_ADMIN"));
  assert_true (p->no_new_privileges);
  assert_true (p->terminal);
  oci_spec_free (spec);
}

static void
test_defaults_come_from_the_container (void **state)
{
  struct fixture *f = *state;
  char *args[] = { (char *) "true", NULL };
  struct hull_exec_opts o = { .id = "c1", .args = args };
  struct oci_spec *spec = NULL;
  oci_error_t *err = NULL;

  assert_int_equal (exec_load_process (&f->c, &o, &spec, &err), 0);
  assert_string_equal (spec->process->cwd, "/");
  assert_int_equal (spec->process->user->uid, 0);
  assert_true (has (spec->process->capabilities->bounding, "CAP_KILL"));
  assert_false (spec->process->terminal);
  oci_spec_free (spec);
}

static void
test_process_file_replaces (void **state)
{
  struct fixture *f = *state;
  static const char proc[] = "{\"args\": [\"ls\"], \"cwd\": \"/etc\", \"user\": {\"uid\": 5, \"gid\": 6}}";
  char path[128];
  char *args[] = { (char *) "ignored", NULL };
  struct hull_exec_opts o = { .id = "c1", .process_file = path, .args = args };
  struct oci_spec *spec = NULL;
  oci_error_t *err = NULL;

  snprintf (path, sizeof path, "%s/process.json", f->dir);
  assert_int_equal (write_file_atomic (path, proc, strlen (proc), 0600, &err), 0);
  assert_int_equal (exec_load_process (&f->c, &o, &spec, &err), 0);
  assert_string_equal (spec->process->args[0], "ls");
  assert_string_equal (spec->process->cwd, "/etc");
  assert_int_equal (spec->process->user->uid, 5);
  assert_null (spec->process->capabilities);
  oci_spec_free (spec);
}

static void
test_bad_input (void **state)
{
  struct fixture *f = *state;
  char *args[] = { (char *) "true", NULL };
  const char *bad_users[] = { "abc", "1:x", "1:", ":1", "99999999999" };
  struct oci_spec *spec = NULL;
  oci_error_t *err = NULL;

  for (size_t i = 0; i < ARRAY_SIZE (bad_users); i++)
    {
      struct hull_exec_opts o = { .id = "c1", .args = args, .user = bad_users[i] };
      assert_int_equal (exec_load_process (&f->c, &o, &spec, &err), -1);
      assert_error_contains (err, "invalid --user");
      assert_null (spec);
      oci_error_free (&err);
    }
  {
    struct hull_exec_opts o = { .id = "c1", .process_file = "/nonexistent/process.json" };
    assert_int_equal (exec_load_process (&f->c, &o, &spec, &err), -1);
    assert_error_contains (err, "/nonexistent/process.json");
    oci_error_free (&err);
  }
}

static void
test_enter_cgroup_without_cgroup (void **state)
{
  struct fixture *f = *state;
  oci_error_t *err = NULL;

  /* no cgroup (rootless): nothing to join, unless a sub-cgroup is asked  */
  assert_int_equal (exec_enter_cgroup (&f->c, NULL, getpid (), &err), 0);
  assert_int_equal (exec_enter_cgroup (&f->c, "cpu:sub", getpid (), &err), -1);
  assert_error_contains (err, "has no cgroup");
  oci_error_free (&err);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_flags_merge_into_container_process, setup, teardown),
    cmocka_unit_test_setup_teardown (test_defaults_come_from_the_container, setup, teardown),
    cmocka_unit_test_setup_teardown (test_process_file_replaces, setup, teardown),
    cmocka_unit_test_setup_teardown (test_bad_input, setup, teardown),
    cmocka_unit_test_setup_teardown (test_enter_cgroup_without_cgroup, setup, teardown),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
