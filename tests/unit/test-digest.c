/* sha256/sha512 digests: known vectors, streaming, files and parsing.  */
#include "config.h"
#include "unit.h"
#include "digest.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#define SHA256_EMPTY     "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SHA256_ABC       "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define SHA256_MILLION_A "sha256:cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
#define SHA512_EMPTY                                                                                         \
  "sha512:"                                                                                                  \
  "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63"       \
  "b931bd47417a81a538327af927da3e"
#define SHA512_ABC                                                                                           \
  "sha512:"                                                                                                  \
  "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd45"       \
  "4d4423643ce80e2a9ac94fa54ca49f"
#define SHA512_MILLION_A                                                                                     \
  "sha512:"                                                                                                  \
  "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973ebde0ff244877ea60a4cb0432ce577c31beb"       \
  "009c5c2c49aa2e4eadb217ad8cc09b"

#define MILLION 1000000

static char *
million_a (void)
{
  char *buf = xmalloc (MILLION);
  memset (buf, 'a', MILLION);
  return buf;
}

static void
assert_buffer_digest (const char *algorithm, const void *data, size_t len, const char *expected)
{
  cleanup_error oci_error_t *err = NULL;
  cleanup_free char *digest = NULL;

  assert_int_equal (oci_digest_buffer (algorithm, data, len, &digest, &err), 0);
  assert_no_error (err);
  assert_string_equal (digest, expected);
}

static void
test_known_vectors (void **state)
{
  cleanup_free char *a = million_a ();

  assert_buffer_digest ("sha256", "", 0, SHA256_EMPTY);
  assert_buffer_digest ("sha256", "abc", 3, SHA256_ABC);
  assert_buffer_digest ("sha256", a, MILLION, SHA256_MILLION_A);
  assert_buffer_digest ("sha512", "", 0, SHA512_EMPTY);
  assert_buffer_digest ("sha512", "abc", 3, SHA512_ABC);
  assert_buffer_digest ("sha512", a, MILLION, SHA512_MILLION_A);
  /* NULL means the OCI default, sha256.  */
  assert_buffer_digest (NULL, "abc", 3, SHA256_ABC);
}

/* Feed data in chunks of the given sizes (cycling) and return the digest.  */
static char *
stream_digest (const char *algorithm, const char *data, size_t len, const size_t *chunks, size_t n_chunks)
{
  cleanup_error oci_error_t *err = NULL;
  cleanup_digester struct oci_digester d = OCI_DIGESTER_INIT;
  char *digest = NULL;
  size_t off = 0, i = 0;

  assert_int_equal (oci_digester_init (&d, algorithm, &err), 0);
  assert_no_error (err);
  while (off < len)
    {
      size_t n = chunks[i++ % n_chunks];
      if (n > len - off)
        n = len - off;
      assert_int_equal (oci_digester_update (&d, data + off, n, &err), 0);
      off += n;
    }
  assert_int_equal (d.size, len);
  assert_int_equal (oci_digester_final (&d, &digest, &err), 0);
  assert_no_error (err);
  return digest;
}

static void
test_streaming_chunks (void **state)
{
  static const size_t odd[] = { 1, 7, 63, 64, 65, 127, 4099, 0, 3 };
  static const size_t single[] = { 1 };
  static const size_t big[] = { 333331 };
  cleanup_free char *a = million_a ();
  const char *algs[] = { "sha256", "sha512" };
  const char *expect[] = { SHA256_MILLION_A, SHA512_MILLION_A };

  for (size_t k = 0; k < 2; k++)
    {
      cleanup_free char *d1 = stream_digest (algs[k], a, MILLION, odd, ARRAY_SIZE (odd));
      cleanup_free char *d2 = stream_digest (algs[k], a, MILLION, big, 1);
      cleanup_free char *d3 = stream_digest (algs[k], "abc", 3, single, 1);
      cleanup_free char *one_shot = NULL;
      cleanup_error oci_error_t *err = NULL;

      assert_string_equal (d1, expect[k]);
      assert_string_equal (d2, expect[k]);
      assert_string_equal (d3, k == 0 ? SHA256_ABC : SHA512_ABC);
      /* Streaming a varied buffer equals the one-shot digest of it.  */
      for (size_t i = 0; i < 5000; i++)
        a[i] = (char) (i * 31 + 7);
      cleanup_free char *d4 = stream_digest (algs[k], a, 5000, odd, ARRAY_SIZE (odd));
      assert_int_equal (oci_digest_buffer (algs[k], a, 5000, &one_shot, &err), 0);
      assert_string_equal (d4, one_shot);
      assert_string_not_equal (d4, expect[k]);
      memset (a, 'a', 5000);
    }
}

static void
test_digester_reinit_and_errors (void **state)
{
  cleanup_error oci_error_t *err = NULL;
  cleanup_digester struct oci_digester d = OCI_DIGESTER_INIT;
  cleanup_free char *first = NULL;
  cleanup_free char *second = NULL;
  char *none = (char *) "x";

  assert_int_equal (oci_digester_init (&d, "sha256", &err), 0);
  assert_int_equal (oci_digester_update (&d, "ab", 2, &err), 0);
  assert_int_equal (oci_digester_update (&d, "c", 1, &err), 0);
  assert_int_equal (oci_digester_final (&d, &first, &err), 0);
  assert_string_equal (first, SHA256_ABC);
  /* final consumed the context: another final fails cleanly.  */
  assert_int_equal (oci_digester_final (&d, &none, &err), -1);
  assert_null (none);
  assert_error_contains (err, "not initialised");
  oci_error_free (&err);
  assert_int_equal (oci_digester_update (&d, "x", 1, &err), -1);
  oci_error_free (&err);
  /* A digester can be initialised again.  */
  assert_int_equal (oci_digester_init (&d, "sha512", &err), 0);
  assert_int_equal (oci_digester_final (&d, &second, &err), 0);
  assert_string_equal (second, SHA512_EMPTY);

  assert_int_equal (oci_digester_init (&d, "md5", &err), -1);
  assert_error_contains (err, "unsupported digest algorithm `md5`");
  assert_int_equal (err->status, EINVAL);
  oci_error_free (&err);
  none = (char *) "x";
  assert_int_equal (oci_digest_buffer ("sha1", "abc", 3, &none, &err), -1);
  assert_null (none);
  assert_error_contains (err, "sha1");
}

static void
test_file_and_fd (void **state)
{
  cleanup_error oci_error_t *err = NULL;
  cleanup_free char *a = million_a ();
  char path[] = "/tmp/test-digest.XXXXXX";
  cleanup_close int fd = mkstemp (path);
  cleanup_free char *d256 = NULL;
  cleanup_free char *d512 = NULL;
  cleanup_free char *dfd = NULL;
  char *missing = (char *) "x";
  uint64_t size = 0;

  assert_true (fd >= 0);
  assert_int_equal (write (fd, a, MILLION), MILLION);
  assert_int_equal (oci_digest_file ("sha256", path, &d256, &size, &err), 0);
  assert_no_error (err);
  assert_string_equal (d256, SHA256_MILLION_A);
  assert_int_equal (size, MILLION);
  assert_int_equal (oci_digest_file ("sha512", path, &d512, NULL, &err), 0);
  assert_string_equal (d512, SHA512_MILLION_A);

  /* The fd variant reads from the current offset.  */
  assert_int_equal (lseek (fd, MILLION - 3, SEEK_SET), MILLION - 3);
  assert_int_equal (oci_digest_fd ("sha256", fd, &dfd, &size, &err), 0);
  assert_int_equal (size, 3);
  assert_string_equal (dfd, "sha256:9834876dcfb05cb167a5c24953eba58c4ac89b1adf57f28f2f9d09af107ee8f0");
  unlink (path);

  assert_int_equal (oci_digest_file ("sha256", path, &missing, NULL, &err), -1);
  assert_null (missing);
  assert_error_contains (err, path);
  assert_int_equal (err->status, ENOENT);
  oci_error_free (&err);

  missing = (char *) "x";
  assert_int_equal (oci_digest_fd ("sha256", -1, &missing, NULL, &err), -1);
  assert_null (missing);
  assert_error_contains (err, "fd -1");
}

static void
test_parse_valid (void **state)
{
  cleanup_error oci_error_t *err = NULL;
  cleanup_free char *alg = NULL;
  cleanup_free char *hex = NULL;

  assert_int_equal (oci_digest_parse (SHA256_ABC, &alg, &hex, &err), 0);
  assert_no_error (err);
  assert_string_equal (alg, "sha256");
  assert_string_equal (hex, &SHA256_ABC[7]);
  free (alg);
  free (hex);
  alg = hex = NULL;
  assert_int_equal (oci_digest_parse (SHA512_MILLION_A, &alg, &hex, &err), 0);
  assert_string_equal (alg, "sha512");
  assert_int_equal (strlen (hex), 128);
  /* Outputs are optional.  */
  assert_int_equal (oci_digest_parse (SHA256_EMPTY, NULL, NULL, &err), 0);
  assert_true (oci_digest_valid (SHA512_EMPTY));
  assert_int_equal (oci_digest_hex_len ("sha256"), 64);
  assert_int_equal (oci_digest_hex_len ("sha512"), 128);
  assert_int_equal (oci_digest_hex_len ("md5"), 0);
}

static void
parse_fails (const char *s, const char *reason)
{
  cleanup_error oci_error_t *err = NULL;
  char *alg = (char *) "x";
  char *hex = (char *) "x";

  assert_int_equal (oci_digest_parse (s, &alg, &hex, &err), -1);
  assert_null (alg);
  assert_null (hex);
  assert_int_equal (err->status, EINVAL);
  if (s)
    assert_error_contains (err, s);
  assert_error_contains (err, reason);
  assert_false (oci_digest_valid (s));
}

static void
test_parse_errors (void **state)
{
  parse_fails ("sha256:BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD", "lowercase");
  parse_fails ("SHA256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "lowercase");
  parse_fails ("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a", "exactly 64");
  parse_fails ("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad0", "exactly 64");
  parse_fails ("sha256:", "exactly 64");
  parse_fails ("sha512:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "exactly 128");
  parse_fails ("sha384:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
               "unsupported algorithm");
  parse_fails ("md5:900150983cd24fb0d6963f7d28e17f72", "unsupported algorithm");
  parse_fails ("blake3-very-long:00", "unsupported algorithm");
  parse_fails (":ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "empty algorithm");
  parse_fails ("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "<algorithm>:<hex>");
  parse_fails ("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ag", "not a hex digit");
  parse_fails ("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f2001:ad", "not a hex digit");
  parse_fails ("", "<algorithm>:<hex>");
  parse_fails (NULL, "missing");
}

static void
test_equal (void **state)
{
  char copy[] = SHA256_ABC;
  char upper[] = SHA256_ABC;

  upper[10] = 'B';
  assert_true (oci_digest_equal (SHA256_ABC, copy));
  assert_true (oci_digest_equal (SHA512_EMPTY, SHA512_EMPTY));
  assert_false (oci_digest_equal (SHA256_ABC, SHA256_EMPTY));
  assert_false (oci_digest_equal (SHA256_ABC, SHA512_ABC));
  assert_false (oci_digest_equal (upper, upper));
  assert_false (oci_digest_equal (SHA256_ABC, NULL));
  assert_false (oci_digest_equal (NULL, NULL));
  assert_false (oci_digest_equal ("md5:00", "md5:00"));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_known_vectors),
    cmocka_unit_test (test_streaming_chunks),
    cmocka_unit_test (test_digester_reinit_and_errors),
    cmocka_unit_test (test_file_and_fd),
    cmocka_unit_test (test_parse_valid),
    cmocka_unit_test (test_parse_errors),
    cmocka_unit_test (test_equal),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
