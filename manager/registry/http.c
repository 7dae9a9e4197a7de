/* libcurl wrapper: see http.h.  */
#include "config.h"
#include "http.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <time.h>

#include "util.h"

#define HTTP_MAX_BODY_DEFAULT (16u * 1024 * 1024)
#define HTTP_RETRIES          4

struct http_client
{
  CURLM *multi;
  struct http_tls tls;
  int running;
};

struct http_transfer
{
  CURL *easy;
  struct curl_slist *headers;
  const struct http_request *req;
  struct http_response resp;
  char errbuf[CURL_ERROR_SIZE];
  int64_t uploaded;
  bool attached;
  bool sink_failed;
  void *user;
};

static void
curl_init_once (void)
{
  static bool done;

  if (!done)
    {
      curl_global_init (CURL_GLOBAL_DEFAULT);
      done = true;
    }
}

int
http_client_new (const struct http_tls *tls, int max_connections, struct http_client **out, oci_error_t **err)
{
  struct http_client *c;

  curl_init_once ();
  c = xzalloc (sizeof *c);
  c->multi = curl_multi_init ();
  if (c->multi == NULL)
    {
      free (c);
      return oci_error_set (err, ENOMEM, "cannot create a curl multi handle");
    }
  curl_multi_setopt (c->multi, CURLMOPT_PIPELINING, (long) CURLPIPE_MULTIPLEX);
  curl_multi_setopt (c->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
                     (long) (max_connections > 0 ? max_connections : 4));
  c->tls.verify = tls ? tls->verify : true;
  if (tls && tls->ca_bundle)
    {
      c->tls.ca_bundle = xmalloc (tls->ca_bundle_len + 1);
      memcpy (c->tls.ca_bundle, tls->ca_bundle, tls->ca_bundle_len);
      c->tls.ca_bundle[tls->ca_bundle_len] = '\0';
      c->tls.ca_bundle_len = tls->ca_bundle_len;
    }
  c->tls.client_cert = tls && tls->client_cert ? xstrdup (tls->client_cert) : NULL;
  c->tls.client_key = tls && tls->client_key ? xstrdup (tls->client_key) : NULL;
  *out = c;
  return 0;
}

void
http_client_free (struct http_client *c)
{
  if (c == NULL)
    return;
  curl_multi_cleanup (c->multi);
  free (c->tls.ca_bundle);
  free (c->tls.client_cert);
  free (c->tls.client_key);
  free (c);
}

void
http_response_reset (struct http_response *r)
{
  free (r->error);
  free (r->content_type);
  free (r->docker_digest);
  free (r->location);
  free (r->www_authenticate);
  strbuf_release (&r->body);
  memset (r, 0, sizeof *r);
  r->content_length = -1;
}

static void
set_header_value (char **slot, const char *v, size_t len)
{
  free (*slot);
  *slot = xstrndup (v, len);
}

static size_t
header_cb (char *data, size_t size, size_t n, void *arg)
{
  struct http_transfer *t = arg;
  size_t len = size * n, vlen;
  const char *colon, *v;

  if (len >= 5 && strncmp (data, "HTTP/", 5) == 0)
    {
      /* A new response (after a redirect or 100): forget the old headers.  */
      struct strbuf keep = t->resp.body;
      t->resp.body = (struct strbuf) STRBUF_INIT;
      http_response_reset (&t->resp);
      t->resp.body = keep;
      return len;
    }
  colon = memchr (data, ':', len);
  if (colon == NULL)
    return len;
  v = colon + 1;
  while (v < data + len && (*v == ' ' || *v == '\t'))
    v++;
  vlen = data + len - v;
  while (vlen > 0 && isspace ((unsigned char) v[vlen - 1]))
    vlen--;
#define IS_HEADER(name)                                                                                      \
  ((size_t) (colon - data) == strlen (name) && strncasecmp (data, name, strlen (name)) == 0)
  if (IS_HEADER ("content-type"))
    set_header_value (&t->resp.content_type, v, vlen);
  else if (IS_HEADER ("docker-content-digest"))
    set_header_value (&t->resp.docker_digest, v, vlen);
  else if (IS_HEADER ("location"))
    set_header_value (&t->resp.location, v, vlen);
  else if (IS_HEADER ("www-authenticate") && t->resp.www_authenticate == NULL)
    set_header_value (&t->resp.www_authenticate, v, vlen);
  else if (IS_HEADER ("content-length"))
    t->resp.content_length = strtoll (v, NULL, 10);
#undef IS_HEADER
  return len;
}

static size_t
write_cb (char *data, size_t size, size_t n, void *arg)
{
  struct http_transfer *t = arg;
  size_t len = size * n, max;
  long status = 0;

  curl_easy_getinfo (t->easy, CURLINFO_RESPONSE_CODE, &status);
  if (t->req->sink && status >= 200 && status < 300)
    {
      if (!t->req->sink (t->req->sink_arg, status, data, len))
        {
          t->sink_failed = true;
          return 0;
        }
      return len;
    }
  max = t->req->max_body ? t->req->max_body : HTTP_MAX_BODY_DEFAULT;
  if (t->resp.body.len + len > max)
    return 0;
  strbuf_add (&t->resp.body, data, len);
  return len;
}

static size_t
read_cb (char *buf, size_t size, size_t n, void *arg)
{
  struct http_transfer *t = arg;
  int64_t left = (int64_t) t->req->body_len - t->uploaded;
  size_t want = size * n;
  ssize_t r;

  if (left <= 0)
    return 0;
  if ((int64_t) want > left)
    want = left;
  do
    r = pread (t->req->body_fd, buf, want, t->req->body_offset + t->uploaded);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return CURL_READFUNC_ABORT;
  t->uploaded += r;
  return r;
}

static int
xferinfo_cb (void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
  struct http_transfer *t = arg;

  if (t->req->progress)
    {
      if (ultotal > 0)
        t->req->progress (t->req->progress_arg, ulnow, ultotal);
      else
        t->req->progress (t->req->progress_arg, dlnow, dltotal);
    }
  return 0;
}

static void
setup_tls (struct http_client *c, CURL *e)
{
  if (!c->tls.verify)
    {
      curl_easy_setopt (e, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt (e, CURLOPT_SSL_VERIFYHOST, 0L);
    }
  if (c->tls.ca_bundle)
    {
      struct curl_blob blob = { c->tls.ca_bundle, c->tls.ca_bundle_len, CURL_BLOB_NOCOPY };
      curl_easy_setopt (e, CURLOPT_CAINFO_BLOB, &blob);
    }
  if (c->tls.client_cert)
    curl_easy_setopt (e, CURLOPT_SSLCERT, c->tls.client_cert);
  if (c->tls.client_key)
    curl_easy_setopt (e, CURLOPT_SSLKEY, c->tls.client_key);
}

static void
setup_method (struct http_transfer *t, const struct http_request *req)
{
  CURL *e = t->easy;

  if (streq (req->method, "HEAD"))
    curl_easy_setopt (e, CURLOPT_NOBODY, 1L);
  else if (req->body_fd >= 0)
    {
      curl_easy_setopt (e, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt (e, CURLOPT_READFUNCTION, read_cb);
      curl_easy_setopt (e, CURLOPT_READDATA, t);
      curl_easy_setopt (e, CURLOPT_INFILESIZE_LARGE, (curl_off_t) req->body_len);
      curl_easy_setopt (e, CURLOPT_CUSTOMREQUEST, req->method);
    }
  else if (!streq (req->method, "GET"))
    {
      curl_easy_setopt (e, CURLOPT_POSTFIELDS, req->body ? req->body : "");
      curl_easy_setopt (e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) req->body_len);
      curl_easy_setopt (e, CURLOPT_CUSTOMREQUEST, req->method);
    }
}

static struct http_transfer *
transfer_new (struct http_client *c, const struct http_request *req)
{
  struct http_transfer *t = xzalloc (sizeof *t);
  CURL *e;

  t->req = req;
  t->resp.content_length = -1;
  e = t->easy = curl_easy_init ();
  if (e == NULL)
    {
      free (t);
      return NULL;
    }
  curl_easy_setopt (e, CURLOPT_URL, req->url);
  curl_easy_setopt (e, CURLOPT_PRIVATE, t);
  curl_easy_setopt (e, CURLOPT_ERRORBUFFER, t->errbuf);
  curl_easy_setopt (e, CURLOPT_HTTP_VERSION, (long) CURL_HTTP_VERSION_2TLS);
  curl_easy_setopt (e, CURLOPT_PIPEWAIT, 1L);
  curl_easy_setopt (e, CURLOPT_FOLLOWLOCATION,
                    streq (req->method, "GET") || streq (req->method, "HEAD") ? 1L : 0L);
  curl_easy_setopt (e, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt (e, CURLOPT_CONNECTTIMEOUT, 30L);
  curl_easy_setopt (e, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt (e, CURLOPT_LOW_SPEED_TIME, 60L);
  curl_easy_setopt (e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (e, CURLOPT_USERAGENT, "berth/" PACKAGE_VERSION);
  curl_easy_setopt (e, CURLOPT_HEADERFUNCTION, header_cb);
  curl_easy_setopt (e, CURLOPT_HEADERDATA, t);
  curl_easy_setopt (e, CURLOPT_WRITEFUNCTION, write_cb);
  curl_easy_setopt (e, CURLOPT_WRITEDATA, t);
  curl_easy_setopt (e, CURLOPT_NOPROGRESS, req->progress ? 0L : 1L);
  curl_easy_setopt (e, CURLOPT_XFERINFOFUNCTION, xferinfo_cb);
  curl_easy_setopt (e, CURLOPT_XFERINFODATA, t);
  setup_tls (c, e);
  setup_method (t, req);
  t->headers = curl_slist_append (NULL, "Expect:");
  for (size_t i = 0; req->headers && req->headers[i]; i++)
    t->headers = curl_slist_append (t->headers, req->headers[i]);
  curl_easy_setopt (e, CURLOPT_HTTPHEADER, t->headers);
  if (req->range_start > 0)
    {
      char range[64];
      snprintf (range, sizeof range, "%lld-", (long long) req->range_start);
      curl_easy_setopt (e, CURLOPT_RANGE, range);
    }
  return t;
}

int
http_transfer_start (struct http_client *c, const struct http_request *req, void *user,
                     struct http_transfer **out, oci_error_t **err)
{
  struct http_transfer *t = transfer_new (c, req);
  CURLMcode mc;

  if (t == NULL)
    return oci_error_set (err, ENOMEM, "cannot create a curl handle for %s", req->url);
  t->user = user;
  mc = curl_multi_add_handle (c->multi, t->easy);
  if (mc != CURLM_OK)
    {
      http_transfer_free (c, t);
      return oci_error_set (err, EIO, "%s: %s", req->url, curl_multi_strerror (mc));
    }
  t->attached = true;
  *out = t;
  return 0;
}

static void
finish_transfer (struct http_transfer *t, CURLcode code)
{
  long status = 0;

  curl_easy_getinfo (t->easy, CURLINFO_RESPONSE_CODE, &status);
  t->resp.status = status;
  t->resp.curl_code = code;
  if (code != CURLE_OK)
    {
      free (t->resp.error);
      t->resp.error = xstrdup (t->errbuf[0] ? t->errbuf : curl_easy_strerror (code));
      size_t l = strlen (t->resp.error);
      if (l > 0 && t->resp.error[l - 1] == '\n')
        t->resp.error[l - 1] = '\0';
    }
}

/* A finished transfer from the multi handle's messages, or NULL.  */
static struct http_transfer *
take_done (struct http_client *c)
{
  CURLMsg *msg;
  int left;

  while ((msg = curl_multi_info_read (c->multi, &left)))
    if (msg->msg == CURLMSG_DONE)
      {
        struct http_transfer *t;
        CURLcode code = msg->data.result;
        curl_easy_getinfo (msg->easy_handle, CURLINFO_PRIVATE, (char **) &t);
        curl_multi_remove_handle (c->multi, t->easy);
        t->attached = false;
        finish_transfer (t, code);
        return t;
      }
  return NULL;
}

int
http_client_poll (struct http_client *c, int timeout_ms, struct http_transfer **done, oci_error_t **err)
{
  CURLMcode mc;
  bool waited = false;

  for (;;)
    {
      if ((*done = take_done (c)) != NULL)
        return 0;
      mc = curl_multi_perform (c->multi, &c->running);
      if (mc != CURLM_OK)
        return oci_error_set (err, EIO, "curl: %s", curl_multi_strerror (mc));
      if ((*done = take_done (c)) != NULL)
        return 0;
      if (c->running == 0 || waited || timeout_ms <= 0)
        return 0;
      mc = curl_multi_poll (c->multi, NULL, 0, timeout_ms, NULL);
      if (mc != CURLM_OK)
        return oci_error_set (err, EIO, "curl: %s", curl_multi_strerror (mc));
      waited = true;
    }
}

struct http_response *
http_transfer_response (struct http_transfer *t)
{
  return &t->resp;
}

void *
http_transfer_user (struct http_transfer *t)
{
  return t->user;
}

void
http_transfer_free (struct http_client *c, struct http_transfer *t)
{
  if (t == NULL)
    return;
  if (t->attached)
    curl_multi_remove_handle (c->multi, t->easy);
  curl_easy_cleanup (t->easy);
  curl_slist_free_all (t->headers);
  http_response_reset (&t->resp);
  free (t);
}

bool
http_response_transient (const struct http_response *r)
{
  switch (r->curl_code)
    {
    case CURLE_OK:
      return r->status == 429 || r->status >= 500;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    default:
      return false;
    }
}

bool
http_response_tls_failure (const struct http_response *r)
{
  switch (r->curl_code)
    {
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
      return true;
    default:
      return false;
    }
}

void
http_backoff (int attempt)
{
  long ms = 200L << (attempt > 5 ? 5 : attempt - 1);
  struct timespec ts;

  if (ms > 5000)
    ms = 5000;
  ts.tv_sec = ms / 1000;
  ts.tv_nsec = (ms % 1000) * 1000000L;
  while (nanosleep (&ts, &ts) < 0 && errno == EINTR)
    ;
}

static bool
retryable_request (const struct http_request *req)
{
  return req->sink == NULL && (streq (req->method, "GET") || streq (req->method, "HEAD"));
}

int
http_perform (struct http_client *c, const struct http_request *req, struct http_response *resp,
              oci_error_t **err)
{
  for (int attempt = 1;; attempt++)
    {
      struct http_transfer *t = NULL, *done = NULL;
      if (http_transfer_start (c, req, NULL, &t, err) < 0)
        return -1;
      while (done == NULL)
        if (http_client_poll (c, 1000, &done, err) < 0)
          {
            http_transfer_free (c, t);
            return -1;
          }
      http_response_reset (resp);
      *resp = t->resp;
      memset (&t->resp, 0, sizeof t->resp);
      http_transfer_free (c, t);
      if (attempt < HTTP_RETRIES && retryable_request (req) && http_response_transient (resp))
        {
          http_backoff (attempt);
          continue;
        }
      if (resp->curl_code != CURLE_OK)
        return oci_error_set (err, EIO, "%s %s: %s", req->method, req->url, resp->error);
      return 0;
    }
}
