/* Docker image references: every accepted form, normalisation, display
   forms, invalid references with clear errors, and registries.conf.  */
#include "config.h"
#include "unit.h"

#include "manager/registry/reference.h"
#include "manager/registry/registries.h"

#define D64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

struct ref_case
{
  const char *in;
  const char *domain, *path, *tag, *digest;
  const char *full, *familiar;
};

static void
test_valid_forms (void **state)
{
  static const struct ref_case cases[] = {
    { "busybox", "docker.io", "library/busybox", "latest", NULL, "docker.io/library/busybox:latest",
      "busybox:latest" },
    { "busybox:1.36", "docker.io", "library/busybox", "1.36", NULL, "docker.io/library/busybox:1.36",
      "busybox:1.36" },
    { "library/busybox:1.36", "docker.io", "library/busybox", "1.36", NULL, "docker.io/library/busybox:1.36",
      "busybox:1.36" },
    { "docker.io/busybox", "docker.io", "library/busybox", "latest", NULL, "docker.io/library/busybox:latest",
      "busybox:latest" },
    { "index.docker.io/library/busybox", "docker.io", "library/busybox", "latest", NULL,
      "docker.io/library/busybox:latest", "busybox:latest" },
    { "ns/repo", "docker.io", "ns/repo", "latest", NULL, "docker.io/ns/repo:latest", "ns/repo:latest" },
    { "localhost/repo:tag", "localhost", "repo", "tag", NULL, "localhost/repo:tag", "localhost/repo:tag" },
    { "localhost:5000/a/b/c", "localhost:5000", "a/b/c", "latest", NULL, "localhost:5000/a/b/c:latest",
      "localhost:5000/a/b/c:latest" },
    { "host:5000/ns/repo@sha256:" D64, "host:5000", "ns/repo", NULL, "sha256:" D64,
      "host:5000/ns/repo@sha256:" D64, "host:5000/ns/repo@sha256:" D64 },
    { "quay.io/ns/repo:v1@sha256:" D64, "quay.io", "ns/repo", "v1", "sha256:" D64,
      "quay.io/ns/repo:v1@sha256:" D64, "quay.io/ns/repo:v1@sha256:" D64 },
    { "127.0.0.1:5000/busybox", "127.0.0.1:5000", "busybox", "latest", NULL, "127.0.0.1:5000/busybox:latest",
      "127.0.0.1:5000/busybox:latest" },
    { "[::1]:5000/busybox:x", "[::1]:5000", "busybox", "x", NULL, "[::1]:5000/busybox:x",
      "[::1]:5000/busybox:x" },
    { "a-b.c.d/e--f_g__h.i", "a-b.c.d", "e--f_g__h.i", "latest", NULL, "a-b.c.d/e--f_g__h.i:latest",
      "a-b.c.d/e--f_g__h.i:latest" },
    { "Registry/repo", "Registry", "repo", "latest", NULL, "Registry/repo:latest", "Registry/repo:latest" },
    { "repo:TAG_1.2-x", "docker.io", "library/repo", "TAG_1.2-x", NULL, "docker.io/library/repo:TAG_1.2-x",
      "repo:TAG_1.2-x" },
  };

  for (size_t i = 0; i < ARRAY_SIZE (cases); i++)
    {
      const struct ref_case *c = &cases[i];
      struct registry_ref *r = NULL;
      oci_error_t *err = NULL;
      char *s;

      if (reference_parse (c->in, NULL, &r, &err) < 0)
        fail_msg ("%s: %s", c->in, err->msg);
      assert_string_equal (r->domain, c->domain);
      assert_string_equal (r->path, c->path);
      if (c->tag)
        assert_string_equal (r->tag, c->tag);
      else
        assert_null (r->tag);
      if (c->digest)
        assert_string_equal (r->digest, c->digest);
      else
        assert_null (r->digest);
      s = reference_string (r);
      assert_string_equal (s, c->full);
      free (s);
      s = reference_familiar (r);
      assert_string_equal (s, c->familiar);
      free (s);
      reference_free (r);
    }
}

static void
test_defaults (void **state)
{
  struct registry_ref *r = NULL;
  oci_error_t *err = NULL;
  char *s;

  assert_int_equal (reference_parse ("busybox", NULL, &r, &err), 0);
  assert_true (r->tag_defaulted);
  s = reference_familiar_repo (r);
  assert_string_equal (s, "library/busybox");
  free (s);
  s = reference_with_digest (r, "sha256:" D64);
  assert_string_equal (s, "docker.io/library/busybox@sha256:" D64);
  free (s);
  reference_free (r);

  /* Another default registry: no "library/" there.  */
  assert_int_equal (reference_parse ("busybox:1", "registry.lan:5000", &r, &err), 0);
  assert_false (r->tag_defaulted);
  assert_string_equal (r->domain, "registry.lan:5000");
  assert_string_equal (r->path, "busybox");
  s = reference_familiar_repo (r);
  assert_string_equal (s, "registry.lan:5000/busybox");
  free (s);
  reference_free (r);

  assert_int_equal (reference_parse ("x@sha256:" D64, NULL, &r, &err), 0);
  assert_false (r->tag_defaulted);
  assert_null (r->tag);
  assert_string_equal (reference_tag_or_digest (r), "sha256:" D64);
  reference_free (r);
}

static void
test_invalid (void **state)
{
  static const struct
  {
    const char *in, *msg;
  } cases[] = {
    { "", "empty reference" },
    { "Busybox", "must be lowercase" },
    { "docker.io/Library/busybox", "must be lowercase" },
    { "busybox:", "invalid tag \"\"" },
    { "busybox:-x", "invalid tag" },
    { "busybox:a/b", "invalid registry \"busybox:a\"" },
    { "a_b.c/d", "invalid registry \"a_b.c\"" },
    { "busybox@sha256:abc", "invalid digest \"sha256:abc\"" },
    { "busybox@md5:" D64, "invalid digest" },
    { "a//b", "invalid repository name component \"\"" },
    { "a/b/", "invalid repository name component" },
    { "-a/b", "invalid repository name component \"-a\"" },
    { "a..b/c", "invalid registry \"a..b\"" },
    { "host:port/x", "invalid registry \"host:port\"" },
    { "host:5000/", "invalid repository name component" },
    { ":tag", "missing repository name" },
    { "a_-b", "invalid repository name component" },
    { "a___b", "invalid repository name component" },
  };

  for (size_t i = 0; i < ARRAY_SIZE (cases); i++)
    {
      struct registry_ref *r = NULL;
      oci_error_t *err = NULL;

      if (reference_parse (cases[i].in, NULL, &r, &err) == 0)
        fail_msg ("\"%s\" was accepted", cases[i].in);
      assert_null (r);
      assert_error_contains (err, cases[i].msg);
      oci_error_free (&err);
    }
}

static void
test_length_limits (void **state)
{
  char name[300], tag[140];
  struct registry_ref *r = NULL;
  oci_error_t *err = NULL;

  memset (name, 'a', sizeof name - 1);
  name[sizeof name - 1] = '\0';
  assert_int_equal (reference_parse (name, NULL, &r, &err), -1);
  assert_error_contains (err, "longer than 255");
  oci_error_free (&err);

  memset (tag, 'x', sizeof tag);
  memcpy (tag, "busybox:", 8);
  tag[8 + 128] = '\0';
  assert_int_equal (reference_parse (tag, NULL, &r, &err), 0);
  reference_free (r);
  tag[8 + 128] = 'x';
  tag[8 + 129] = '\0';
  assert_int_equal (reference_parse (tag, NULL, &r, &err), -1);
  assert_error_contains (err, "invalid tag");
  oci_error_free (&err);
}

static void
test_registries_conf (void **state)
{
  struct registries_conf *c = NULL;
  oci_error_t *err = NULL;

  assert_int_equal (registries_conf_parse ("# comment\n\ndefault-registry = \"registry.lan:5000\"\n"
                                           "insecure = [\"127.0.0.1:5000\", \"registry.lan:5000\"]  # x\n",
                                           "test.conf", &c, &err),
                    0);
  assert_string_equal (c->default_registry, "registry.lan:5000");
  assert_true (registries_conf_is_insecure (c, "127.0.0.1:5000"));
  assert_true (registries_conf_is_insecure (c, "registry.lan:5000"));
  assert_false (registries_conf_is_insecure (c, "127.0.0.1:5001"));
  registries_conf_free (c);

  assert_int_equal (registries_conf_parse ("", "empty.conf", &c, &err), 0);
  assert_string_equal (c->default_registry, "docker.io");
  assert_false (registries_conf_is_insecure (c, "docker.io"));
  registries_conf_free (c);

  assert_int_equal (registries_conf_parse ("\nmirrors = 1\n", "bad.conf", &c, &err), -1);
  assert_error_contains (err, "bad.conf:2: unknown setting \"mirrors\"");
  oci_error_free (&err);
  assert_int_equal (registries_conf_parse ("insecure = [\"a\"", "bad.conf", &c, &err), -1);
  assert_error_contains (err, "bad.conf:1: insecure");
  oci_error_free (&err);
  assert_int_equal (registries_conf_parse ("default-registry = \"a b\"", "bad.conf", &c, &err), -1);
  assert_error_contains (err, "default-registry");
  oci_error_free (&err);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_valid_forms),     cmocka_unit_test (test_defaults),
    cmocka_unit_test (test_invalid),         cmocka_unit_test (test_length_limits),
    cmocka_unit_test (test_registries_conf),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
