/* Parallel, verified, resumable blob downloads into the store (see
   registry_blobs_fetch in client.h).  */
#include "config.h"
#include "client.h"

#include <errno.h>

#include "http.h"
#include "manager/store/store.h"
#include "progress.h"
#include "util.h"

#define FETCH_ATTEMPTS 5

struct fetch
{
  struct registry_blob_job *job;
  struct registry_client *client;
  struct progress *progress;
  struct berth_store *store;
  const char *repo;
  struct store_ingest *ingest;
  int64_t offset;   /* bytes stored before this attempt */
  int64_t received; /* bytes of this attempt */
  int attempts;
  oci_error_t *sink_err;
  struct http_request req;
  char *url;
  char *headers[2];
  struct http_transfer *transfer;
};

static bool
fetch_sink (void *arg, long status, const void *data, size_t len)
{
  struct fetch *f = arg;

  if (status == 200 && f->offset > 0 && f->received == 0)
    {
      /* The server ignored the Range: start the blob again.  */
      store_ingest_abort (f->ingest, false);
      f->ingest = NULL;
      if (store_ingest_begin (f->store, f->job->digest, f->job->size, &f->ingest, &f->offset, &f->sink_err)
          < 0)
        return false;
      if (f->offset != 0)
        {
          oci_error_set (&f->sink_err, EIO, "blob %s: cannot restart the partial download", f->job->digest);
          return false;
        }
    }
  if (f->job->size >= 0 && f->offset + f->received + (int64_t) len > f->job->size)
    {
      oci_error_set (&f->sink_err, EBADMSG, "blob %s: the registry sent more than its size of %lld bytes",
                     f->job->digest, (long long) f->job->size);
      return false;
    }
  if (store_ingest_write (f->ingest, data, len, &f->sink_err) < 0)
    return false;
  f->received += len;
  if (f->progress && f->job->progress_line >= 0)
    progress_bytes (f->progress, f->job->progress_line, "Downloading", f->offset + f->received, f->job->size);
  return true;
}

static void
fetch_release_request (struct fetch *f)
{
  free (f->url);
  f->url = NULL;
  if (f->headers[0])
    explicit_bzero (f->headers[0], strlen (f->headers[0]));
  free (f->headers[0]);
  f->headers[0] = NULL;
}

static int fetch_commit (struct fetch *f, oci_error_t **err);

/* Start (or restart) the download of f: 0 when running, 1 when the blob
   was complete already, -1 on failure.  */
static int
fetch_start (struct fetch *f, oci_error_t **err)
{
  cleanup_free char *path = NULL;

  if (f->ingest == NULL
      && store_ingest_begin (f->store, f->job->digest, f->job->size, &f->ingest, &f->offset, err) < 0)
    return -1;
  if (f->job->size >= 0 && f->offset == f->job->size)
    return fetch_commit (f, err) < 0 ? -1 : 1; /* complete already: only the commit was left */
  f->received = 0;
  fetch_release_request (f);
  xasprintf (&path, "/v2/%s/blobs/%s", f->repo, f->job->digest);
  if (registry_client_prepare (f->client, path, &f->url, &f->headers[0], err) < 0)
    return -1;
  f->req = (struct http_request) HTTP_REQUEST_INIT;
  f->req.url = f->url;
  f->req.headers = f->headers;
  f->req.range_start = f->offset;
  f->req.sink = fetch_sink;
  f->req.sink_arg = f;
  f->req.max_body = 64 * 1024;
  if (f->progress && f->job->progress_line >= 0)
    progress_status (f->progress, f->job->progress_line, f->offset > 0 ? "Resuming download" : "Downloading");
  return http_transfer_start (registry_client_http (f->client), &f->req, f, &f->transfer, err);
}

static int
fetch_commit (struct fetch *f, oci_error_t **err)
{
  struct store_ingest *in = steal_pointer (&f->ingest);

  if (f->progress && f->job->progress_line >= 0)
    progress_status (f->progress, f->job->progress_line, "Verifying Checksum");
  if (store_ingest_commit (in, err) < 0)
    return oci_error_prefix (err, "blob %s", f->job->digest);
  if (f->progress && f->job->progress_line >= 0)
    progress_status (f->progress, f->job->progress_line, "Download complete");
  return 0;
}

/* A transfer ended: 1 when it must be started again, 0 when done, -1 on
   failure.  */
static int
fetch_finished (struct fetch *f, struct http_response *r, oci_error_t **err)
{
  f->transfer = NULL;
  if (f->sink_err)
    {
      *err = steal_pointer (&f->sink_err);
      if ((*err)->status == EBADMSG && f->ingest)
        {
          store_ingest_abort (f->ingest, false);
          f->ingest = NULL;
        }
      return -1;
    }
  if (r->curl_code == 0 && (r->status == 200 || r->status == 206))
    return fetch_commit (f, err);
  if (r->curl_code == 0 && r->status == 401 && r->www_authenticate && f->attempts++ < FETCH_ATTEMPTS)
    return registry_client_reauth (f->client, r->www_authenticate, err) < 0 ? -1 : 1;
  if (http_response_transient (r) && ++f->attempts < FETCH_ATTEMPTS)
    {
      /* Keep what arrived; the next attempt asks for the rest.  */
      store_ingest_abort (f->ingest, true);
      f->ingest = NULL;
      http_backoff (f->attempts);
      return 1;
    }
  if (r->curl_code != 0)
    return oci_error_set (err, EIO, "blob %s: %s", f->job->digest, r->error);
  return oci_error_set (err, r->status == 404 ? ENOENT : EPROTO, "%s/%s: blob %s: HTTP status %ld",
                        registry_client_domain (f->client), f->repo, f->job->digest, r->status);
}

static void
fetch_cleanup (struct registry_client *c, struct fetch *fs, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      if (fs[i].transfer)
        http_transfer_free (registry_client_http (c), fs[i].transfer);
      if (fs[i].ingest)
        store_ingest_abort (fs[i].ingest, true);
      fetch_release_request (&fs[i]);
      oci_error_free (&fs[i].sink_err);
    }
  free (fs);
}

int
registry_blobs_fetch (struct registry_client *c, const char *repo, struct registry_blob_job *jobs, size_t n,
                      struct berth_store *store, struct progress *progress, oci_error_t **err)
{
  struct fetch *fs = xcalloc (n ? n : 1, sizeof *fs);
  size_t next = 0, active = 0, done_count = 0;
  int ret = 0;

  for (size_t i = 0; i < n; i++)
    fs[i]
        = (struct fetch){ .job = &jobs[i], .client = c, .progress = progress, .store = store, .repo = repo };
  while (done_count < n && ret == 0)
    {
      struct http_transfer *t = NULL;
      while (active < REGISTRY_PARALLEL && next < n && ret == 0)
        {
          ret = fetch_start (&fs[next++], err);
          if (ret == 0)
            active++;
          else if (ret == 1)
            {
              done_count++;
              ret = 0;
            }
        }
      if (ret < 0 || (ret = http_client_poll (registry_client_http (c), 1000, &t, err)) < 0 || t == NULL)
        continue;
      struct fetch *f = http_transfer_user (t);
      int r = fetch_finished (f, http_transfer_response (t), err);
      http_transfer_free (registry_client_http (c), t);
      active--;
      if (r < 0)
        ret = -1;
      else if (r == 0)
        done_count++;
      else if ((ret = fetch_start (f, err)) >= 0)
        {
          if (ret == 0)
            active++;
          else
            done_count++;
          ret = 0;
        }
    }
  fetch_cleanup (c, fs, n);
  return ret;
}
