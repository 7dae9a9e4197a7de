/* OCI distribution client: see client.h.  */
#include "config.h"
#include "client.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <yajl/yajl_tree.h>

#include "auth.h"
#include "credentials.h"
#include "digest.h"
#include "http.h"
#include "image_spec.h"
#include "progress.h"
#include "tls.h"
#include "util.h"

#define MANIFEST_ACCEPT                                                                                      \
  "Accept: " OCI_MEDIA_TYPE_IMAGE_INDEX ", " OCI_MEDIA_TYPE_IMAGE_MANIFEST                                   \
  ", " DOCKER_MEDIA_TYPE_MANIFEST_LIST ", " DOCKER_MEDIA_TYPE_MANIFEST

struct registry_client
{
  char *domain;
  char *host;   /* host:port connected to (docker.io -> registry-1.docker.io) */
  char *scheme; /* "https" or "http"; fixed by the first exchange */
  bool insecure;
  bool scheme_known;
  char *scope;
  struct http_client *http;
  struct registry_auth *auth;
};

int
registry_client_new (const char *domain, const struct registry_options *o, struct registry_client **out,
                     oci_error_t **err)
{
  struct registry_client *c;
  struct http_tls tls;
  cleanup_free char *user = NULL, *password = NULL;
  bool insecure = o->tls_verify == 0 || (o->tls_verify < 0 && registries_conf_is_insecure (o->conf, domain));
  int r;

  if (tls_config_load (domain, o->cert_dir, !insecure, &tls, err) < 0)
    return -1;
  c = xzalloc (sizeof *c);
  c->domain = xstrdup (domain);
  c->host = xstrdup (streq (domain, "docker.io") ? "registry-1.docker.io" : domain);
  c->scheme = xstrdup ("https");
  c->insecure = insecure;
  r = http_client_new (&tls, REGISTRY_PARALLEL, &c->http, err);
  tls_config_release (&tls);
  if (r < 0)
    goto fail;
  if (o->username)
    c->auth = registry_auth_new (o->username, o->password ? o->password : "");
  else
    {
      r = credentials_lookup (o->auth_config_dir, domain, &user, &password, err);
      if (r < 0)
        goto fail;
      c->auth = registry_auth_new (user, password);
      if (password)
        explicit_bzero (password, strlen (password));
    }
  *out = c;
  return 0;

fail:
  registry_client_free (c);
  return -1;
}

void
registry_client_free (struct registry_client *c)
{
  if (c == NULL)
    return;
  http_client_free (c->http);
  registry_auth_free (c->auth);
  free (c->domain);
  free (c->host);
  free (c->scheme);
  free (c->scope);
  free (c);
}

void
registry_client_set_scope (struct registry_client *c, const char *scope)
{
  free (c->scope);
  c->scope = scope ? xstrdup (scope) : NULL;
}

void
registry_manifest_release (struct registry_manifest *m)
{
  free (m->data);
  free (m->media_type);
  free (m->digest);
  memset (m, 0, sizeof *m);
}

/* --- requests --- */

static char *
make_url (struct registry_client *c, const char *path)
{
  char *url;

  if (has_prefix (path, "http://") || has_prefix (path, "https://"))
    return xstrdup (path);
  xasprintf (&url, "%s://%s%s", c->scheme, c->host, path);
  return url;
}

/* "code: message" from a registry's JSON error body, else the status.  */
static int
registry_error (const struct http_response *r, const char *what, oci_error_t **err)
{
  static const char *errors_path[] = { "errors", NULL };
  static const char *code_path[] = { "code", NULL };
  static const char *message_path[] = { "message", NULL };
  char errbuf[128];
  yajl_val tree = r->body.len ? yajl_tree_parse (strbuf_str (&r->body), errbuf, sizeof errbuf) : NULL;
  yajl_val errors = tree ? yajl_tree_get (tree, errors_path, yajl_t_array) : NULL;
  int status = r->status == 401 || r->status == 403 ? EACCES : r->status == 404 ? ENOENT : EPROTO;

  if (errors && errors->u.array.len > 0)
    {
      yajl_val code = yajl_tree_get (errors->u.array.values[0], code_path, yajl_t_string);
      yajl_val msg = yajl_tree_get (errors->u.array.values[0], message_path, yajl_t_string);
      cleanup_free char *lc = xstrdup (code ? YAJL_GET_STRING (code) : "error");
      for (char *p = lc; *p; p++)
        *p = *p == '_' ? ' ' : tolower ((unsigned char) *p);
      oci_error_set (err, status, "%s: %s: %s", what, lc, msg ? YAJL_GET_STRING (msg) : "");
    }
  else if (r->status == 401)
    oci_error_set (err, status, "%s: unauthorized: authentication required", what);
  else
    oci_error_set (err, status, "%s: HTTP status %ld", what, r->status);
  yajl_tree_free (tree);
  return -1;
}

/* Headers of req plus the Authorization for the current scope.  */
static int
build_headers (struct registry_client *c, char *const *extra, char ***out, oci_error_t **err)
{
  size_t n = extra ? strv_len (extra) : 0;
  char **h = xcalloc (n + 2, sizeof (char *)), *auth = NULL;

  for (size_t i = 0; i < n; i++)
    h[i] = xstrdup (extra[i]);
  if (registry_auth_header (c->auth, c->http, c->scope, &auth, err) < 0)
    {
      strv_free (h);
      return -1;
    }
  h[n] = auth;
  *out = h;
  return 0;
}

static void
wipe_strv (char **v)
{
  for (size_t i = 0; v && v[i]; i++)
    explicit_bzero (v[i], strlen (v[i]));
  strv_free (v);
}

static int
perform_once (struct registry_client *c, struct http_request *req, const char *path, char *const *extra,
              struct http_response *resp, oci_error_t **err)
{
  cleanup_free char *url = make_url (c, path);
  char **headers = NULL;
  int r;

  if (build_headers (c, extra, &headers, err) < 0)
    return -1;
  req->url = url;
  req->headers = headers;
  r = http_perform (c->http, req, resp, err);
  req->url = NULL;
  req->headers = NULL;
  wipe_strv (headers);
  return r;
}

/* The first exchange with an insecure registry decides between https
   (unverified) and plain http.  */
static int
perform_probe_scheme (struct registry_client *c, struct http_request *req, const char *path,
                      char *const *extra, struct http_response *resp, oci_error_t **err)
{
  int r = perform_once (c, req, path, extra, resp, err);

  if (c->scheme_known)
    return r;
  if (r < 0 && c->insecure && http_response_tls_failure (resp))
    {
      oci_error_free (err);
      free (c->scheme);
      c->scheme = xstrdup ("http");
      r = perform_once (c, req, path, extra, resp, err);
    }
  if (r == 0)
    c->scheme_known = true;
  else if (http_response_tls_failure (resp))
    oci_error_prefix (err,
                      "TLS connection to %s failed (use --cert-dir with the registry's CA, or "
                      "--tls-verify=false)",
                      c->domain);
  return r;
}

/* One request with authentication: a 401 challenge is answered once.  */
static int
registry_request (struct registry_client *c, struct http_request *req, const char *path, char *const *extra,
                  struct http_response *resp, oci_error_t **err)
{
  if (perform_probe_scheme (c, req, path, extra, resp, err) < 0)
    return -1;
  if (resp->status != 401 || resp->www_authenticate == NULL)
    return 0;
  if (registry_auth_challenge (c->auth, c->http, resp->www_authenticate, c->scope, err) < 0)
    return oci_error_prefix (err, "%s", c->domain);
  return perform_once (c, req, path, extra, resp, err);
}

int
registry_ping (struct registry_client *c, oci_error_t **err)
{
  struct http_request req = HTTP_REQUEST_INIT;
  struct http_response resp = { .content_length = -1 };
  int r = registry_request (c, &req, "/v2/", NULL, &resp, err);

  if (r == 0 && resp.status == 401)
    r = oci_error_set (err, EACCES, "unauthorized: %s",
                       registry_auth_has_credentials (c->auth) ? "incorrect username or password"
                                                               : "authentication required");
  else if (r == 0 && resp.status != 200)
    r = registry_error (&resp, c->domain, err);
  http_response_reset (&resp);
  return r;
}

/* --- manifests --- */

static int
verify_manifest (const char *what, const char *data, size_t len, const char *expected, const char *header,
                 char **digest, oci_error_t **err)
{
  cleanup_free char *alg = NULL;

  if (expected && oci_digest_parse (expected, &alg, NULL, err) < 0)
    return -1;
  if (oci_digest_buffer (alg, data, len, digest, err) < 0)
    return -1;
  if (expected && !oci_digest_equal (*digest, expected))
    return oci_error_set (err, EBADMSG, "%s: manifest digest mismatch: got %s", what, *digest);
  if (header && oci_digest_valid (header) && has_prefix (header, "sha256:") && has_prefix (*digest, "sha256:")
      && !oci_digest_equal (*digest, header))
    return oci_error_set (err, EBADMSG, "%s: manifest digest %s differs from Docker-Content-Digest %s", what,
                          *digest, header);
  return 0;
}

int
registry_manifest_get (struct registry_client *c, const char *repo, const char *reference,
                       struct registry_manifest *out, oci_error_t **err)
{
  struct http_request req = HTTP_REQUEST_INIT;
  struct http_response resp = { .content_length = -1 };
  char *extra[] = { (char *) MANIFEST_ACCEPT, NULL };
  cleanup_free char *path = NULL, *what = NULL;
  enum oci_manifest_kind kind;
  int r;

  xasprintf (&path, "/v2/%s/manifests/%s", repo, reference);
  xasprintf (&what, "%s/%s%s%s", c->domain, repo, oci_digest_valid (reference) ? "@" : ":", reference);
  req.max_body = REGISTRY_MANIFEST_MAX;
  r = registry_request (c, &req, path, extra, &resp, err);
  if (r == 0 && resp.status != 200)
    r = registry_error (&resp, what, err);
  if (r == 0)
    r = verify_manifest (what, strbuf_str (&resp.body), resp.body.len,
                         oci_digest_valid (reference) ? reference : NULL, resp.docker_digest, &out->digest,
                         err);
  if (r == 0)
    {
      kind = oci_manifest_sniff (strbuf_str (&resp.body), resp.body.len, resp.content_type);
      if (kind == OCI_MANIFEST_KIND_UNKNOWN || kind == OCI_MANIFEST_KIND_DOCKER_V1)
        r = oci_error_set (err, ENOTSUP, "%s: unsupported manifest type \"%s\"", what,
                           resp.content_type ? resp.content_type : "unknown");
      else
        {
          out->media_type = xstrdup (oci_manifest_kind_media_type (kind));
          out->len = resp.body.len;
          out->data = strbuf_detach (&resp.body, NULL);
        }
    }
  if (r < 0)
    {
      free (out->digest);
      out->digest = NULL;
    }
  http_response_reset (&resp);
  return r;
}

int
registry_manifest_put (struct registry_client *c, const char *repo, const char *reference, const char *data,
                       size_t len, const char *media_type, oci_error_t **err)
{
  struct http_request req = HTTP_REQUEST_INIT;
  struct http_response resp = { .content_length = -1 };
  cleanup_free char *path = NULL, *ct = NULL, *what = NULL;
  char *extra[] = { NULL, NULL };
  int r;

  xasprintf (&path, "/v2/%s/manifests/%s", repo, reference);
  xasprintf (&ct, "Content-Type: %s", media_type);
  xasprintf (&what, "%s/%s: put manifest", c->domain, repo);
  extra[0] = ct;
  req.method = "PUT";
  req.body = data;
  req.body_len = len;
  r = registry_request (c, &req, path, extra, &resp, err);
  if (r == 0 && resp.status != 201 && resp.status != 200)
    r = registry_error (&resp, what, err);
  http_response_reset (&resp);
  return r;
}

/* --- blobs --- */

int
registry_blob_get (struct registry_client *c, const char *repo, const char *digest, int64_t size, char **data,
                   size_t *len, oci_error_t **err)
{
  struct http_request req = HTTP_REQUEST_INIT;
  struct http_response resp = { .content_length = -1 };
  cleanup_free char *path = NULL, *got = NULL, *alg = NULL, *what = NULL;
  int r;

  xasprintf (&path, "/v2/%s/blobs/%s", repo, digest);
  xasprintf (&what, "%s/%s: blob %s", c->domain, repo, digest);
  req.max_body = size > 0 && size < (int64_t) OCI_JSON_MAX_SIZE ? (size_t) size : OCI_JSON_MAX_SIZE;
  r = registry_request (c, &req, path, NULL, &resp, err);
  if (r == 0 && resp.status != 200)
    r = resp.curl_code == CURLE_WRITE_ERROR
            ? oci_error_set (err, EFBIG, "%s: larger than %lld bytes", what, (long long) size)
            : registry_error (&resp, what, err);
  if (r == 0 && oci_digest_parse (digest, &alg, NULL, err) == 0
      && oci_digest_buffer (alg, strbuf_str (&resp.body), resp.body.len, &got, err) == 0)
    {
      if (!oci_digest_equal (got, digest) || (size >= 0 && (int64_t) resp.body.len != size))
        r = oci_error_set (err, EBADMSG, "%s: digest mismatch: got %s (%zu bytes)", what, got, resp.body.len);
      else
        {
          *len = resp.body.len;
          *data = strbuf_detach (&resp.body, NULL);
        }
    }
  else if (r == 0)
    r = -1;
  http_response_reset (&resp);
  return r;
}

int
registry_blob_exists (struct registry_client *c, const char *repo, const char *digest, bool *exists,
                      oci_error_t **err)
{
  struct http_request req = HTTP_REQUEST_INIT;
  struct http_response resp = { .content_length = -1 };
  cleanup_free char *path = NULL, *what = NULL;
  int r;

  xasprintf (&path, "/v2/%s/blobs/%s", repo, digest);
  xasprintf (&what, "%s/%s: blob %s", c->domain, repo, digest);
  req.method = "HEAD";
  r = registry_request (c, &req, path, NULL, &resp, err);
  if (r == 0)
    {
      *exists = resp.status == 200;
      if (resp.status != 200 && resp.status != 404)
        r = registry_error (&resp, what, err);
    }
  http_response_reset (&resp);
  return r;
}

/* POST an upload session; *location gets where to send the data.  */
static int
upload_start (struct registry_client *c, const char *path, long *status, char **location, oci_error_t **err)
{
  struct http_request req = HTTP_REQUEST_INIT;
  struct http_response resp = { .content_length = -1 };
  int r;

  req.method = "POST";
  r = registry_request (c, &req, path, NULL, &resp, err);
  if (r == 0)
    {
      *status = resp.status;
      if (resp.status != 201 && resp.status != 202)
        r = registry_error (&resp, c->domain, err);
      else if (resp.status == 202 && resp.location == NULL)
        r = oci_error_set (err, EPROTO, "%s: upload started without a Location", c->domain);
      else
        *location = steal_pointer (&resp.location);
    }
  http_response_reset (&resp);
  return r;
}

int
registry_blob_mount (struct registry_client *c, const char *repo, const char *digest, const char *from,
                     bool *mounted, oci_error_t **err)
{
  cleanup_free char *path = NULL, *location = NULL;
  long status = 0;

  xasprintf (&path, "/v2/%s/blobs/uploads/?mount=%s&from=%s", repo, digest, from);
  if (upload_start (c, path, &status, &location, err) < 0)
    return oci_error_prefix (err, "mount %s from %s", digest, from);
  *mounted = status == 201;
  return 0;
}

struct upload_progress
{
  struct progress *progress;
  int line;
  int64_t base, total;
};

static void
upload_progress_cb (void *arg, int64_t now, int64_t total)
{
  struct upload_progress *u = arg;

  if (u->progress && u->line >= 0)
    progress_bytes (u->progress, u->line, "Pushing", u->base + now, u->total);
}

/* PATCH or PUT [offset, offset+len) of fd to *location (updated).  */
static int
upload_send (struct registry_client *c, char **location, const char *method, const char *query, int fd,
             int64_t offset, int64_t len, struct upload_progress *up, oci_error_t **err)
{
  struct http_request req = HTTP_REQUEST_INIT;
  struct http_response resp = { .content_length = -1 };
  cleanup_free char *path = NULL, *range = NULL;
  char *extra[] = { (char *) "Content-Type: application/octet-stream", NULL, NULL };
  int r;

  xasprintf (&path, "%s%s%s", *location, query ? (strchr (*location, '?') ? "&" : "?") : "",
             query ? query : "");
  if (streq (method, "PATCH"))
    {
      xasprintf (&range, "Content-Range: %lld-%lld", (long long) offset, (long long) (offset + len - 1));
      extra[1] = range;
    }
  req.method = method;
  req.body_fd = len > 0 ? fd : -1;
  req.body_offset = offset;
  req.body_len = len;
  up->base = offset;
  req.progress = upload_progress_cb;
  req.progress_arg = up;
  r = registry_request (c, &req, path, extra, &resp, err);
  if (r == 0 && resp.status != 201 && resp.status != 202 && resp.status != 204)
    r = registry_error (&resp, c->domain, err);
  if (r == 0 && resp.location)
    {
      free (*location);
      *location = steal_pointer (&resp.location);
    }
  http_response_reset (&resp);
  return r;
}

int
registry_blob_upload (struct registry_client *c, const char *repo, const char *digest, int fd, int64_t size,
                      int64_t chunk_size, struct progress *progress, int progress_line, oci_error_t **err)
{
  cleanup_free char *path = NULL, *location = NULL, *query = NULL;
  struct upload_progress up = { progress, progress_line, 0, size };
  long status = 0;
  int64_t off = 0;

  xasprintf (&path, "/v2/%s/blobs/uploads/", repo);
  xasprintf (&query, "digest=%s", digest);
  if (upload_start (c, path, &status, &location, err) < 0)
    return oci_error_prefix (err, "upload %s", digest);
  if (chunk_size <= 0 || size <= chunk_size)
    {
      if (upload_send (c, &location, "PUT", query, fd, 0, size, &up, err) < 0)
        return oci_error_prefix (err, "upload %s", digest);
      return 0;
    }
  for (off = 0; off < size; off += chunk_size)
    {
      int64_t len = size - off < chunk_size ? size - off : chunk_size;
      if (upload_send (c, &location, "PATCH", NULL, fd, off, len, &up, err) < 0)
        return oci_error_prefix (err, "upload %s: chunk at %lld", digest, (long long) off);
    }
  if (upload_send (c, &location, "PUT", query, fd, size, 0, &up, err) < 0)
    return oci_error_prefix (err, "upload %s", digest);
  return 0;
}

/* Parallel blob download lives in blobfetch.c; it needs these.  */
struct http_client *
registry_client_http (struct registry_client *c)
{
  return c->http;
}

int
registry_client_prepare (struct registry_client *c, const char *path, char **url, char **auth_header,
                         oci_error_t **err)
{
  *url = make_url (c, path);
  return registry_auth_header (c->auth, c->http, c->scope, auth_header, err);
}

int
registry_client_reauth (struct registry_client *c, const char *challenge, oci_error_t **err)
{
  return registry_auth_challenge (c->auth, c->http, challenge, c->scope, err);
}

const char *
registry_client_domain (const struct registry_client *c)
{
  return c->domain;
}
