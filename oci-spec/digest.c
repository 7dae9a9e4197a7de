#include "config.h"
#include "digest.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

/* Digests longer than this are shortened in error messages.  */
#define DIGEST_QUOTE_MAX 200

static const EVP_MD *
digest_md (const char *algorithm, const char **name)
{
  if (algorithm == NULL || streq (algorithm, "sha256"))
    {
      *name = "sha256";
      return EVP_sha256 ();
    }
  if (streq (algorithm, "sha512"))
    {
      *name = "sha512";
      return EVP_sha512 ();
    }
  return NULL;
}

size_t
oci_digest_hex_len (const char *algorithm)
{
  if (algorithm == NULL)
    return 0;
  if (streq (algorithm, "sha256"))
    return OCI_DIGEST_SHA256_HEX_LEN;
  if (streq (algorithm, "sha512"))
    return OCI_DIGEST_SHA512_HEX_LEN;
  return 0;
}

int
oci_digester_init (struct oci_digester *d, const char *algorithm, oci_error_t **err)
{
  const char *name = NULL;
  const EVP_MD *md = digest_md (algorithm, &name);

  d->ctx = NULL;
  d->algorithm = NULL;
  d->size = 0;
  if (md == NULL)
    return oci_error_set (err, EINVAL, "unsupported digest algorithm `%s` (use sha256 or sha512)", algorithm);
  d->ctx = EVP_MD_CTX_new ();
  if (d->ctx == NULL)
    return oci_error_set (err, ENOMEM, "%s: cannot allocate a digest context", name);
  if (EVP_DigestInit_ex (d->ctx, md, NULL) != 1)
    {
      oci_digester_release (d);
      return oci_error_set (err, EIO, "%s: cannot initialise the digest", name);
    }
  d->algorithm = name;
  return 0;
}

int
oci_digester_update (struct oci_digester *d, const void *data, size_t len, oci_error_t **err)
{
  if (d->ctx == NULL)
    return oci_error_set (err, EINVAL, "digest update on a digester that is not initialised");
  if (len == 0)
    return 0;
  if (EVP_DigestUpdate (d->ctx, data, len) != 1)
    return oci_error_set (err, EIO, "%s: digest update failed", d->algorithm);
  d->size += len;
  return 0;
}

int
oci_digester_final (struct oci_digester *d, char **digest, oci_error_t **err)
{
  static const char hexdigits[] = "0123456789abcdef";
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  size_t prefix;
  char *out;

  *digest = NULL;
  if (d->ctx == NULL)
    return oci_error_set (err, EINVAL, "digest final on a digester that is not initialised");
  if (EVP_DigestFinal_ex (d->ctx, md, &md_len) != 1)
    {
      oci_digester_release (d);
      return oci_error_set (err, EIO, "%s: digest final failed", d->algorithm);
    }
  prefix = strlen (d->algorithm) + 1;
  out = xmalloc (prefix + 2 * (size_t) md_len + 1);
  memcpy (out, d->algorithm, prefix - 1);
  out[prefix - 1] = ':';
  for (unsigned int i = 0; i < md_len; i++)
    {
      out[prefix + 2 * i] = hexdigits[md[i] >> 4];
      out[prefix + 2 * i + 1] = hexdigits[md[i] & 0xf];
    }
  out[prefix + 2 * (size_t) md_len] = '\0';
  EVP_MD_CTX_free (d->ctx);
  d->ctx = NULL;
  *digest = out;
  return 0;
}

void
oci_digester_release (struct oci_digester *d)
{
  if (d->ctx)
    EVP_MD_CTX_free (d->ctx);
  d->ctx = NULL;
}

int
oci_digest_buffer (const char *algorithm, const void *data, size_t len, char **digest, oci_error_t **err)
{
  cleanup_digester struct oci_digester d = OCI_DIGESTER_INIT;

  *digest = NULL;
  if (oci_digester_init (&d, algorithm, err) < 0 || oci_digester_update (&d, data, len, err) < 0)
    return -1;
  return oci_digester_final (&d, digest, err);
}

static int
digest_fd_named (const char *algorithm, int fd, const char *name, char **digest, uint64_t *size,
                 oci_error_t **err)
{
  cleanup_digester struct oci_digester d = OCI_DIGESTER_INIT;
  cleanup_free char *buf = xmalloc (65536);

  *digest = NULL;
  if (oci_digester_init (&d, algorithm, err) < 0)
    return -1;
  for (;;)
    {
      ssize_t n = read (fd, buf, 65536);
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return oci_error_errno (err, errno, "read `%s`", name);
        }
      if (n == 0)
        break;
      if (oci_digester_update (&d, buf, (size_t) n, err) < 0)
        return oci_error_prefix (err, "%s", name);
    }
  if (size)
    *size = d.size;
  return oci_digester_final (&d, digest, err);
}

int
oci_digest_fd (const char *algorithm, int fd, char **digest, uint64_t *size, oci_error_t **err)
{
  cleanup_free char *name = NULL;

  xasprintf (&name, "fd %d", fd);
  return digest_fd_named (algorithm, fd, name, digest, size, err);
}

int
oci_digest_file (const char *algorithm, const char *path, char **digest, uint64_t *size, oci_error_t **err)
{
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

  *digest = NULL;
  if (fd < 0)
    return oci_error_errno (err, errno, "open `%s`", path);
  return digest_fd_named (algorithm, fd, path, digest, size, err);
}

/* Why s is not a valid digest, or NULL when it is.  */
static const char *
digest_problem (const char *s, size_t *alg_len)
{
  const char *colon = strchr (s, ':');
  size_t want, have;
  char alg[8];

  if (colon == NULL)
    return "expected <algorithm>:<hex>";
  *alg_len = (size_t) (colon - s);
  if (*alg_len == 0)
    return "empty algorithm";
  if (*alg_len >= sizeof alg)
    return "unsupported algorithm (use sha256 or sha512)";
  memcpy (alg, s, *alg_len);
  alg[*alg_len] = '\0';
  want = oci_digest_hex_len (alg);
  if (want == 0)
    {
      for (size_t i = 0; i < *alg_len; i++)
        if (s[i] >= 'A' && s[i] <= 'Z')
          return "algorithm must be lowercase";
      return "unsupported algorithm (use sha256 or sha512)";
    }
  for (const char *p = colon + 1; *p; p++)
    {
      if (*p >= 'A' && *p <= 'F')
        return "hex digits must be lowercase";
      if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
        return "not a hex digit";
    }
  have = strlen (colon + 1);
  if (have != want)
    return want == OCI_DIGEST_SHA256_HEX_LEN ? "sha256 needs exactly 64 hex digits"
                                             : "sha512 needs exactly 128 hex digits";
  return NULL;
}

int
oci_digest_parse (const char *s, char **algorithm, char **hex, oci_error_t **err)
{
  const char *problem;
  size_t alg_len = 0;

  if (algorithm)
    *algorithm = NULL;
  if (hex)
    *hex = NULL;
  if (s == NULL)
    return oci_error_set (err, EINVAL, "invalid digest: missing");
  problem = digest_problem (s, &alg_len);
  if (problem)
    {
      size_t n = strlen (s);
      return oci_error_set (err, EINVAL, "invalid digest \"%.*s%s\": %s",
                            (int) (n > DIGEST_QUOTE_MAX ? DIGEST_QUOTE_MAX : n), s,
                            n > DIGEST_QUOTE_MAX ? "..." : "", problem);
    }
  if (algorithm)
    *algorithm = xstrndup (s, alg_len);
  if (hex)
    *hex = xstrdup (s + alg_len + 1);
  return 0;
}

bool
oci_digest_valid (const char *s)
{
  size_t alg_len;
  return s != NULL && digest_problem (s, &alg_len) == NULL;
}

bool
oci_digest_equal (const char *a, const char *b)
{
  return oci_digest_valid (a) && oci_digest_valid (b) && streq (a, b);
}
