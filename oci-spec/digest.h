/* Content digests as the OCI image-spec writes them: "<algorithm>:<hex>".
   Only sha256 and sha512 are supported (OpenSSL EVP underneath); the hex
   part is always lowercase and of the algorithm's exact length.  */
#ifndef OCI_DIGEST_H
#define OCI_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define OCI_DIGEST_SHA256_HEX_LEN 64
#define OCI_DIGEST_SHA512_HEX_LEN 128
/* The longest digest string, "sha512:" + 128 hex digits, without the NUL.  */
#define OCI_DIGEST_MAX_LEN (7 + OCI_DIGEST_SHA512_HEX_LEN)

struct evp_md_ctx_st;

/* A streaming digest: init, update any number of times, final once.
   Release it (or use cleanup_digester) on every path, even after final.  */
struct oci_digester
{
  struct evp_md_ctx_st *ctx;
  const char *algorithm; /* "sha256" or "sha512" (static string) */
  uint64_t size;         /* bytes fed so far */
};

#define OCI_DIGESTER_INIT                                                                                    \
  {                                                                                                          \
    NULL, NULL, 0                                                                                            \
  }

/* Start a digest; algorithm is "sha256" or "sha512" (NULL means sha256).  */
int oci_digester_init (struct oci_digester *d, const char *algorithm, oci_error_t **err);
int oci_digester_update (struct oci_digester *d, const void *data, size_t len, oci_error_t **err);
/* Finish and return the digest string ("sha256:<hex>", owned by the
   caller).  The digester must be initialised again before reuse.  */
int oci_digester_final (struct oci_digester *d, char **digest, oci_error_t **err);
void oci_digester_release (struct oci_digester *d);

#define cleanup_digester __attribute__ ((cleanup (oci_digester_release)))

/* One-shot digests.  size (may be NULL) receives the number of bytes read.
   The fd variant reads from the current offset to EOF.  */
int oci_digest_buffer (const char *algorithm, const void *data, size_t len, char **digest, oci_error_t **err);
int oci_digest_fd (const char *algorithm, int fd, char **digest, uint64_t *size, oci_error_t **err);
int oci_digest_file (const char *algorithm, const char *path, char **digest, uint64_t *size,
                     oci_error_t **err);

/* Split and validate "sha256:<64 lowercase hex>" or "sha512:<128 lowercase
   hex>".  algorithm and hex (either may be NULL) receive new strings.  */
int oci_digest_parse (const char *s, char **algorithm, char **hex, oci_error_t **err);
/* Whether s is a valid digest in the sense of oci_digest_parse.  */
bool oci_digest_valid (const char *s);
/* Whether two digests are the same; false when either is NULL or invalid.  */
bool oci_digest_equal (const char *a, const char *b);
/* Hex length of a supported algorithm, 0 for anything else.  */
size_t oci_digest_hex_len (const char *algorithm);

#endif
