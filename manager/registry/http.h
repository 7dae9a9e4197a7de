/* A small HTTP layer over libcurl for the registry client.

   One http_client per registry: its curl multi handle keeps the
   connection cache (keep-alive, HTTP/2 multiplexing when the server offers
   it over TLS) for every request, single or parallel.  Nothing here logs
   request headers, so Authorization values never reach a log.  */
#ifndef BERTH_REGISTRY_HTTP_H
#define BERTH_REGISTRY_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "strbuf.h"

struct http_tls
{
  bool verify;     /* verify peer and host name */
  char *ca_bundle; /* PEM CAs to trust (system + certs.d), NULL: curl's default */
  size_t ca_bundle_len;
  char *client_cert; /* PEM file paths, NULL when none */
  char *client_key;
};

/* Receives a response body as it arrives; returns false (after recording
   its own error) to abort the transfer.  Only called for 2xx responses.  */
typedef bool (*http_sink_fn) (void *arg, long status, const void *data, size_t len);
/* Upload/download progress; bytes counted in the current attempt.  */
typedef void (*http_progress_fn) (void *arg, int64_t now, int64_t total);

struct http_request
{
  const char *method; /* GET, HEAD, POST, PUT, PATCH, DELETE */
  const char *url;
  char **headers;   /* "Name: value", NULL-terminated, may be NULL */
  const char *body; /* in-memory body (may be NULL) */
  size_t body_len;
  int body_fd; /* or a file body: body_fd >= 0, from body_offset, body_len bytes */
  int64_t body_offset;
  int64_t range_start; /* > 0: ask for bytes from here on */
  http_sink_fn sink;   /* NULL: the body goes to response.body */
  void *sink_arg;
  http_progress_fn progress;
  void *progress_arg;
  size_t max_body; /* limit of a buffered body, 0: 16 MiB */
};
#define HTTP_REQUEST_INIT                                                                                    \
  {                                                                                                          \
    .method = "GET", .body_fd = -1                                                                           \
  }

struct http_response
{
  long status;   /* 0 when no response arrived */
  int curl_code; /* CURLE_OK when the exchange completed */
  char *error;   /* curl's message when curl_code != OK */
  char *content_type;
  char *docker_digest; /* Docker-Content-Digest */
  char *location;
  char *www_authenticate;
  int64_t content_length; /* -1 when unknown */
  struct strbuf body;
};

void http_response_reset (struct http_response *r);

struct http_client;
struct http_transfer;

int http_client_new (const struct http_tls *tls, int max_connections, struct http_client **out,
                     oci_error_t **err);
void http_client_free (struct http_client *c);

/* One request, waiting for its end.  GET and HEAD without a sink are
   retried with backoff on connection errors, 429 and 5xx.  Returns 0 once
   any HTTP response arrived (check status), -1 on transport errors.  */
int http_perform (struct http_client *c, const struct http_request *req, struct http_response *resp,
                  oci_error_t **err);

/* Parallel transfers: add any number, then poll until each is done.  The
   request must stay valid until the transfer is freed.  */
int http_transfer_start (struct http_client *c, const struct http_request *req, void *user,
                         struct http_transfer **out, oci_error_t **err);
/* Run transfers for at most timeout_ms; *done gets a finished transfer (or
   NULL).  -1 only on a failure of the multi handle itself.  */
int http_client_poll (struct http_client *c, int timeout_ms, struct http_transfer **done, oci_error_t **err);
struct http_response *http_transfer_response (struct http_transfer *t);
void *http_transfer_user (struct http_transfer *t);
/* Detach from the client (when running) and free.  */
void http_transfer_free (struct http_client *c, struct http_transfer *t);

/* Whether a finished exchange is worth retrying: connection-level errors,
   429 and 5xx.  */
bool http_response_transient (const struct http_response *r);
/* Whether the failure was in the TLS handshake (wrong protocol, bad
   certificate).  */
bool http_response_tls_failure (const struct http_response *r);
/* Sleep before retry number attempt (1-based): 200 ms doubling, max 5 s.  */
void http_backoff (int attempt);

#endif
