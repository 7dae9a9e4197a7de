/* Registry auth: WWW-Authenticate parsing, base64 and basic auth, and
   credentials in docker config.json / podman auth.json.  */
#include "config.h"
#include "unit.h"

#include <stdlib.h>
#include <sys/stat.h>

#include "fileutil.h"
#include "manager/registry/auth.h"
#include "manager/registry/credentials.h"

static void
test_challenge_bearer (void **state)
{
  struct auth_challenge *c = NULL;
  oci_error_t *err = NULL;

  assert_int_equal (
      auth_challenge_parse ("Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
                            "scope=\"repository:samalba/my-app:pull,push\"",
                            &c, &err),
      0);
  assert_string_equal (c->scheme, "bearer");
  assert_string_equal (c->realm, "https://auth.docker.io/token");
  assert_string_equal (c->service, "registry.docker.io");
  /* The comma inside the quotes belongs to the value.  */
  assert_string_equal (c->scope, "repository:samalba/my-app:pull,push");
  assert_null (c->error);
  auth_challenge_free (c);

  assert_int_equal (auth_challenge_parse ("bearer  realm=\"http://127.0.0.1:1/t?a=1\" , service=reg ,"
                                          " error=\"insufficient_scope\", x=\"a \\\"q\\\" b\"",
                                          &c, &err),
                    0);
  assert_string_equal (c->scheme, "bearer");
  assert_string_equal (c->realm, "http://127.0.0.1:1/t?a=1");
  assert_string_equal (c->service, "reg");
  assert_string_equal (c->error, "insufficient_scope");
  assert_null (c->scope);
  auth_challenge_free (c);
}

static void
test_challenge_basic_and_errors (void **state)
{
  struct auth_challenge *c = NULL;
  oci_error_t *err = NULL;

  assert_int_equal (auth_challenge_parse ("Basic realm=\"Registry Realm\"", &c, &err), 0);
  assert_string_equal (c->scheme, "basic");
  assert_string_equal (c->realm, "Registry Realm");
  auth_challenge_free (c);

  /* Only the first of several challenges counts.  */
  assert_int_equal (auth_challenge_parse ("Basic realm=\"a\", Bearer realm=\"b\"", &c, &err), 0);
  assert_string_equal (c->scheme, "basic");
  assert_string_equal (c->realm, "a");
  auth_challenge_free (c);

  assert_int_equal (auth_challenge_parse ("", &c, &err), -1);
  assert_error_contains (err, "empty challenge");
  oci_error_free (&err);
  assert_int_equal (auth_challenge_parse ("Bearer realm=\"unterminated", &c, &err), -1);
  assert_error_contains (err, "unterminated quoted value of \"realm\"");
  oci_error_free (&err);
}

static void
test_base64 (void **state)
{
  static const struct
  {
    const char *plain, *b64;
  } v[] = { { "", "" },        { "f", "Zg==" },        { "fo", "Zm8=" },
            { "foo", "Zm9v" }, { "foob", "Zm9vYg==" }, { "user:pass", "dXNlcjpwYXNz" } };
  oci_error_t *err = NULL;

  for (size_t i = 0; i < ARRAY_SIZE (v); i++)
    {
      char *enc = auth_base64_encode (v[i].plain, strlen (v[i].plain)), *dec = NULL;
      size_t len = 99;
      assert_string_equal (enc, v[i].b64);
      assert_int_equal (auth_base64_decode (enc, &dec, &len, &err), 0);
      assert_int_equal (len, strlen (v[i].plain));
      assert_memory_equal (dec, v[i].plain, len);
      free (enc);
      free (dec);
    }
  char *dec = NULL;
  assert_int_equal (auth_base64_decode ("abc", &dec, NULL, &err), -1);
  assert_error_contains (err, "multiple of 4");
  oci_error_free (&err);
  assert_int_equal (auth_base64_decode ("ab!?", &dec, NULL, &err), -1);
  assert_error_contains (err, "invalid base64");
  oci_error_free (&err);
}

static void
test_basic_round_trip (void **state)
{
  char *b64 = auth_basic_encode ("alice", "p:a ss,w\"rd"), *user = NULL, *pass = NULL;
  oci_error_t *err = NULL;

  assert_int_equal (auth_basic_decode (b64, &user, &pass, &err), 0);
  assert_string_equal (user, "alice");
  assert_string_equal (pass, "p:a ss,w\"rd"); /* split at the first colon only */
  free (b64);
  free (user);
  free (pass);

  b64 = auth_base64_encode ("nocolon", 7);
  assert_int_equal (auth_basic_decode (b64, &user, &pass, &err), -1);
  assert_error_contains (err, "user:password");
  oci_error_free (&err);
  free (b64);
}

static char *
make_tmpdir (void)
{
  char tmpl[] = "/tmp/test-registry-auth-XXXXXX";
  char *d = mkdtemp (tmpl);
  assert_non_null (d);
  return xstrdup (d);
}

static void
test_credentials_store_lookup_remove (void **state)
{
  char *dir = make_tmpdir (), *path = NULL, *text = NULL, *user = NULL, *pass = NULL;
  oci_error_t *err = NULL;
  bool removed = false;
  struct stat st;

  unsetenv ("REGISTRY_AUTH_FILE");
  unsetenv ("XDG_RUNTIME_DIR");
  xasprintf (&path, "%s/config.json", dir);
  /* Other keys of the file survive.  */
  assert_int_equal (
      write_file_atomic (path, "{\"psFormat\":\"x\",\"n\":1.5,\"auths\":{\"other:1\":{\"auth\":\"YTpi\"}}}",
                         60, 0600, &err),
      0);
  assert_int_equal (credentials_lookup (dir, "127.0.0.1:5000", &user, &pass, &err), 0);
  assert_int_equal (credentials_store (dir, "127.0.0.1:5000", "bob", "s3cret", &err), 0);
  assert_int_equal (credentials_store (dir, "docker.io", "hub", "pw", &err), 0);
  assert_int_equal (stat (path, &st), 0);
  assert_int_equal (st.st_mode & 0777, 0600);
  assert_int_equal (read_file_max (path, 1 << 20, &text, NULL, &err), 0);
  assert_non_null (strstr (text, "\"psFormat\""));
  assert_non_null (strstr (text, "1.5"));
  assert_non_null (strstr (text, "\"https://index.docker.io/v1/\""));
  assert_null (strstr (text, "s3cret")); /* base64 only */
  free (text);

  assert_int_equal (credentials_lookup (dir, "127.0.0.1:5000", &user, &pass, &err), 1);
  assert_string_equal (user, "bob");
  assert_string_equal (pass, "s3cret");
  free (user);
  free (pass);
  assert_int_equal (credentials_lookup (dir, "docker.io", &user, &pass, &err), 1);
  assert_string_equal (user, "hub");
  free (user);
  free (pass);
  assert_int_equal (credentials_lookup (dir, "other:1", &user, &pass, &err), 1);
  assert_string_equal (user, "a");
  assert_string_equal (pass, "b");
  free (user);
  free (pass);

  assert_int_equal (credentials_remove (dir, "127.0.0.1:5000", &removed, &err), 0);
  assert_true (removed);
  assert_int_equal (credentials_lookup (dir, "127.0.0.1:5000", &user, &pass, &err), 0);
  assert_int_equal (credentials_remove (dir, "127.0.0.1:5000", &removed, &err), 0);
  assert_false (removed);
  assert_int_equal (credentials_lookup (dir, "other:1", &user, &pass, &err), 1);
  free (user);
  free (pass);

  assert_int_equal (remove_recursive (dir, &err), 0);
  free (path);
  free (dir);
}

static void
test_credentials_podman_files (void **state)
{
  char *dir = make_tmpdir (), *xdg = NULL, *authfile = NULL, *user = NULL, *pass = NULL, *docker = NULL;
  oci_error_t *err = NULL;

  xasprintf (&docker, "%s/docker", dir);
  xasprintf (&xdg, "%s/containers", dir);
  assert_int_equal (mkdir_p (xdg, 0700, &err), 0);
  free (xdg);
  xasprintf (&xdg, "%s/containers/auth.json", dir);
  /* podman writes keys without scheme; "dTpw" is u:p.  */
  assert_int_equal (
      write_file_atomic (xdg, "{\"auths\":{\"reg.lan:5000\":{\"auth\":\"dTpw\"}}}", 42, 0600, &err), 0);
  setenv ("XDG_RUNTIME_DIR", dir, 1);
  assert_int_equal (credentials_lookup (docker, "reg.lan:5000", &user, &pass, &err), 1);
  assert_string_equal (user, "u");
  assert_string_equal (pass, "p");
  free (user);
  free (pass);

  xasprintf (&authfile, "%s/auth-file.json", dir);
  assert_int_equal (write_file_atomic (authfile,
                                       "{\"auths\":{\"http://reg.lan:5000/v2/\":{\"auth\":\"eDp5\"}}}", 53,
                                       0600, &err),
                    0);
  setenv ("REGISTRY_AUTH_FILE", authfile, 1);
  assert_int_equal (credentials_lookup (docker, "reg.lan:5000", &user, &pass, &err), 1);
  assert_string_equal (user, "x"); /* $REGISTRY_AUTH_FILE comes first */
  free (user);
  free (pass);

  assert_int_equal (write_file_atomic (authfile, "{not json", 9, 0600, &err), 0);
  assert_int_equal (credentials_lookup (docker, "reg.lan:5000", &user, &pass, &err), -1);
  assert_error_contains (err, "invalid JSON");
  oci_error_free (&err);
  unsetenv ("REGISTRY_AUTH_FILE");
  unsetenv ("XDG_RUNTIME_DIR");

  assert_int_equal (remove_recursive (dir, &err), 0);
  free (authfile);
  free (xdg);
  free (docker);
  free (dir);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_challenge_bearer),
    cmocka_unit_test (test_challenge_basic_and_errors),
    cmocka_unit_test (test_base64),
    cmocka_unit_test (test_basic_round_trip),
    cmocka_unit_test (test_credentials_store_lookup_remove),
    cmocka_unit_test (test_credentials_podman_files),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
