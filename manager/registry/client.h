/* The OCI distribution protocol for one registry: manifests, blobs,
   uploads, authentication and TLS/plain-HTTP selection.  */
#ifndef BERTH_REGISTRY_CLIENT_H
#define BERTH_REGISTRY_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "registries.h"

struct berth_store;
struct progress;
struct http_client;

#define REGISTRY_MANIFEST_MAX (4u * 1024 * 1024)
#define REGISTRY_PARALLEL     4

struct registry_options
{
  const char *cert_dir;        /* --cert-dir, NULL: certs.d */
  int tls_verify;              /* -1: default (on unless insecure in conf), 0, 1 */
  const char *auth_config_dir; /* docker config dir, NULL: default */
  const struct registries_conf *conf;
  const char *username; /* when set, used instead of stored credentials */
  const char *password;
};

struct registry_client;

int registry_client_new (const char *domain, const struct registry_options *o, struct registry_client **out,
                         oci_error_t **err);
void registry_client_free (struct registry_client *c);
/* Token scope(s) of the next requests, e.g. "repository:library/busybox:pull";
   several separated by spaces.  */
void registry_client_set_scope (struct registry_client *c, const char *scope);

/* GET /v2/ with authentication: checks the registry and the credentials.  */
int registry_ping (struct registry_client *c, oci_error_t **err);

struct registry_manifest
{
  char *data;
  size_t len;
  char *media_type; /* from the document, else Content-Type */
  char *digest;     /* computed from the bytes */
};
void registry_manifest_release (struct registry_manifest *m);

/* GET a manifest by tag or digest: the bytes are verified against the
   digest asked for and against Docker-Content-Digest.  */
int registry_manifest_get (struct registry_client *c, const char *repo, const char *reference,
                           struct registry_manifest *out, oci_error_t **err);
int registry_manifest_put (struct registry_client *c, const char *repo, const char *reference,
                           const char *data, size_t len, const char *media_type, oci_error_t **err);

/* A small blob (a config) into memory, verified.  */
int registry_blob_get (struct registry_client *c, const char *repo, const char *digest, int64_t size,
                       char **data, size_t *len, oci_error_t **err);

struct registry_blob_job
{
  const char *digest;
  int64_t size;
  int progress_line; /* -1: none */
};
/* Download blobs into the store, REGISTRY_PARALLEL at once, each
   streamed into store_ingest (verified there against digest and size),
   resumed with a Range after transient errors and after an interrupted
   earlier run.  On failure the partial downloads are kept for a retry,
   except the one that failed verification.  */
int registry_blobs_fetch (struct registry_client *c, const char *repo, struct registry_blob_job *jobs,
                          size_t n, struct berth_store *store, struct progress *progress, oci_error_t **err);

/* HEAD /v2/<repo>/blobs/<digest>.  */
int registry_blob_exists (struct registry_client *c, const char *repo, const char *digest, bool *exists,
                          oci_error_t **err);
/* Mount digest from another repository of the same registry; *mounted is
   false when the registry declined (then upload it).  */
int registry_blob_mount (struct registry_client *c, const char *repo, const char *digest, const char *from,
                         bool *mounted, oci_error_t **err);
/* Upload size bytes of fd: monolithic up to chunk_size, chunked (PATCH)
   beyond.  */
int registry_blob_upload (struct registry_client *c, const char *repo, const char *digest, int fd,
                          int64_t size, int64_t chunk_size, struct progress *progress, int progress_line,
                          oci_error_t **err);

/* For the parallel downloader (blobfetch.c): the HTTP client, a full URL
   for path with the Authorization header of the current scope (may be
   NULL), and answering a new 401 challenge.  */
struct http_client *registry_client_http (struct registry_client *c);
int registry_client_prepare (struct registry_client *c, const char *path, char **url, char **auth_header,
                             oci_error_t **err);
int registry_client_reauth (struct registry_client *c, const char *challenge, oci_error_t **err);
const char *registry_client_domain (const struct registry_client *c);

#endif
