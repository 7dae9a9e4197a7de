/* certs.d lookup: see tls.h.  */
#include "config.h"
#include "tls.h"

#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>

#include "fileutil.h"
#include "strbuf.h"
#include "util.h"

#define TLS_MAX_PEM (4u * 1024 * 1024)

void
tls_config_release (struct http_tls *tls)
{
  free (tls->ca_bundle);
  free (tls->client_cert);
  free (tls->client_key);
  memset (tls, 0, sizeof *tls);
}

static bool
has_suffix (const char *s, const char *suffix)
{
  size_t ls = strlen (s), lx = strlen (suffix);
  return ls >= lx && streq (s + ls - lx, suffix);
}

static int
add_file (struct strbuf *sb, const char *path, oci_error_t **err)
{
  cleanup_free char *text = NULL;
  size_t len;

  if (read_file_max (path, TLS_MAX_PEM, &text, &len, err) < 0)
    return -1;
  strbuf_add (sb, text, len);
  strbuf_addch (sb, '\n');
  return 0;
}

static int
add_client_cert (struct http_tls *tls, const char *dir, const char *name, oci_error_t **err)
{
  cleanup_free char *cert = NULL, *key = NULL;
  struct stat st;

  xasprintf (&cert, "%s/%s", dir, name);
  xasprintf (&key, "%s/%.*s.key", dir, (int) (strlen (name) - 5), name);
  if (stat (key, &st) < 0)
    return oci_error_errno (err, errno, "client certificate `%s` has no key `%s`", cert, key);
  if (tls->client_cert == NULL)
    {
      tls->client_cert = steal_pointer (&cert);
      tls->client_key = steal_pointer (&key);
    }
  return 0;
}

/* Read one certs.d directory; *found tells whether it existed.  */
static int
scan_dir (struct http_tls *tls, const char *dir, struct strbuf *cas, bool *found, oci_error_t **err)
{
  cleanup_dir DIR *d = opendir (dir);
  struct dirent *de;

  if (d == NULL)
    {
      if (errno == ENOENT || errno == ENOTDIR)
        return 0;
      return oci_error_errno (err, errno, "open certificate directory `%s`", dir);
    }
  *found = true;
  while ((de = readdir (d)))
    {
      cleanup_free char *path = NULL;
      if (de->d_name[0] == '.')
        continue;
      xasprintf (&path, "%s/%s", dir, de->d_name);
      if (has_suffix (de->d_name, ".crt") && add_file (cas, path, err) < 0)
        return -1;
      if (has_suffix (de->d_name, ".cert") && add_client_cert (tls, dir, de->d_name, err) < 0)
        return -1;
    }
  return 0;
}

int
tls_config_load (const char *domain, const char *cert_dir, bool verify, struct http_tls *out,
                 oci_error_t **err)
{
  static const char *const roots[] = { "/etc/containers/certs.d", "/etc/docker/certs.d" };
  cleanup_strbuf struct strbuf cas = STRBUF_INIT;
  struct http_tls tls = { .verify = verify };
  bool found = false;

  if (cert_dir)
    {
      struct stat st;
      if (stat (cert_dir, &st) < 0 || !S_ISDIR (st.st_mode))
        return oci_error_errno (err, stat (cert_dir, &st) < 0 ? errno : ENOTDIR, "--cert-dir `%s`", cert_dir);
      if (scan_dir (&tls, cert_dir, &cas, &found, err) < 0)
        goto fail;
    }
  else
    for (size_t i = 0; i < ARRAY_SIZE (roots); i++)
      {
        cleanup_free char *dir = NULL;
        xasprintf (&dir, "%s/%s", roots[i], domain);
        if (scan_dir (&tls, dir, &cas, &found, err) < 0)
          goto fail;
      }
  if (cas.len > 0)
    {
      /* Extra CAs are trusted besides the system ones, as docker does.  */
      cleanup_strbuf struct strbuf all = STRBUF_INIT;
      oci_error_t *ignored = NULL;
      if (add_file (&all, TLS_SYSTEM_BUNDLE, &ignored) < 0)
        oci_error_free (&ignored);
      strbuf_add (&all, cas.buf, cas.len);
      tls.ca_bundle = strbuf_detach (&all, &tls.ca_bundle_len);
    }
  *out = tls;
  return 0;

fail:
  tls_config_release (&tls);
  return -1;
}
