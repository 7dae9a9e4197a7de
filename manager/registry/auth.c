/* Registry authentication: see auth.h.  */
#include "config.h"
#include "auth.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <openssl/evp.h>
#include <yajl/yajl_tree.h>

#include "http.h"
#include "strbuf.h"
#include "util.h"

#define AUTH_MAX_TOKENS 16

void
auth_challenge_free (struct auth_challenge *c)
{
  if (c == NULL)
    return;
  free (c->scheme);
  free (c->realm);
  free (c->service);
  free (c->scope);
  free (c->error);
  free (c);
}

static const char *
skip_space (const char *p)
{
  while (*p == ' ' || *p == '\t')
    p++;
  return p;
}

/* A token or quoted string at *p (advanced past it).  */
static char *
parse_value (const char **p)
{
  const char *s = *p;
  struct strbuf sb = STRBUF_INIT;

  if (*s != '"')
    {
      const char *e = s;
      while (*e && *e != ',' && *e != ' ' && *e != '\t')
        e++;
      *p = e;
      return xstrndup (s, e - s);
    }
  for (s++; *s && *s != '"'; s++)
    {
      if (*s == '\\' && s[1])
        s++;
      strbuf_addch (&sb, *s);
    }
  if (*s != '"')
    {
      strbuf_release (&sb);
      return NULL;
    }
  *p = s + 1;
  return strbuf_detach (&sb, NULL);
}

static void
set_param (struct auth_challenge *c, const char *key, size_t klen, char *value)
{
  char **slot = NULL;

  if (klen == 5 && strncasecmp (key, "realm", 5) == 0)
    slot = &c->realm;
  else if (klen == 7 && strncasecmp (key, "service", 7) == 0)
    slot = &c->service;
  else if (klen == 5 && strncasecmp (key, "scope", 5) == 0)
    slot = &c->scope;
  else if (klen == 5 && strncasecmp (key, "error", 5) == 0)
    slot = &c->error;
  if (slot == NULL)
    {
      free (value);
      return;
    }
  free (*slot);
  *slot = value;
}

int
auth_challenge_parse (const char *header, struct auth_challenge **out, oci_error_t **err)
{
  struct auth_challenge *c;
  const char *p = skip_space (header ? header : ""), *e;

  e = p;
  while (*e && *e != ' ' && *e != '\t' && *e != ',')
    e++;
  if (e == p)
    return oci_error_set (err, EINVAL, "WWW-Authenticate: empty challenge");
  c = xzalloc (sizeof *c);
  c->scheme = xstrndup (p, e - p);
  for (char *s = c->scheme; *s; s++)
    *s = tolower ((unsigned char) *s);
  p = e;
  for (;;)
    {
      p = skip_space (p);
      while (*p == ',' || *p == ' ')
        p++;
      if (*p == '\0')
        break;
      const char *key = p;
      while (*p && *p != '=' && *p != ',' && *p != ' ')
        p++;
      size_t klen = p - key;
      p = skip_space (p);
      if (*p != '=')
        {
          /* A new challenge (another scheme) starts: only the first counts.  */
          break;
        }
      p = skip_space (p + 1);
      char *value = parse_value (&p);
      if (value == NULL)
        {
          auth_challenge_free (c);
          return oci_error_set (err, EINVAL, "WWW-Authenticate: unterminated quoted value of \"%.*s\"",
                                (int) klen, key);
        }
      set_param (c, key, klen, value);
    }
  *out = c;
  return 0;
}

char *
auth_base64_encode (const void *data, size_t len)
{
  char *out = xmalloc (4 * ((len + 2) / 3) + 1);

  EVP_EncodeBlock ((unsigned char *) out, data, len);
  return out;
}

int
auth_base64_decode (const char *s, char **out, size_t *len, oci_error_t **err)
{
  size_t n = strlen (s), pad = 0;
  cleanup_free unsigned char *buf = NULL;
  int r;

  if (n % 4 != 0)
    return oci_error_set (err, EINVAL, "invalid base64: length %zu is not a multiple of 4", n);
  buf = xmalloc (n / 4 * 3 + 1);
  r = EVP_DecodeBlock (buf, (const unsigned char *) s, n);
  if (r < 0)
    return oci_error_set (err, EINVAL, "invalid base64 data");
  if (n >= 1 && s[n - 1] == '=')
    pad++;
  if (n >= 2 && s[n - 2] == '=')
    pad++;
  r -= pad;
  buf[r] = '\0';
  if (len)
    *len = r;
  *out = (char *) steal_pointer (&buf);
  return 0;
}

char *
auth_basic_encode (const char *user, const char *password)
{
  cleanup_free char *plain = NULL;
  char *out;

  xasprintf (&plain, "%s:%s", user, password);
  out = auth_base64_encode (plain, strlen (plain));
  explicit_bzero (plain, strlen (plain));
  return out;
}

int
auth_basic_decode (const char *b64, char **user, char **password, oci_error_t **err)
{
  cleanup_free char *plain = NULL;
  size_t len;
  char *colon;

  if (auth_base64_decode (b64, &plain, &len, err) < 0)
    return -1;
  colon = memchr (plain, ':', len);
  if (colon == NULL || strlen (plain) != len)
    {
      explicit_bzero (plain, len);
      return oci_error_set (err, EINVAL, "invalid auth entry: not base64 of \"user:password\"");
    }
  *user = xstrndup (plain, colon - plain);
  *password = xstrdup (colon + 1);
  explicit_bzero (plain, len);
  return 0;
}

/* --- token flow --- */

struct auth_token
{
  char *scope;
  char *token;
  time_t expires;
};

struct registry_auth
{
  char *user;
  char *password;
  char *scheme; /* from the last challenge */
  char *realm;
  char *service;
  struct auth_token tokens[AUTH_MAX_TOKENS];
  size_t n_tokens;
};

struct registry_auth *
registry_auth_new (const char *user, const char *password)
{
  struct registry_auth *a = xzalloc (sizeof *a);

  if (user && password)
    {
      a->user = xstrdup (user);
      a->password = xstrdup (password);
    }
  return a;
}

static void
wipe_free (char *s)
{
  if (s)
    explicit_bzero (s, strlen (s));
  free (s);
}

void
registry_auth_free (struct registry_auth *a)
{
  if (a == NULL)
    return;
  wipe_free (a->user);
  wipe_free (a->password);
  free (a->scheme);
  free (a->realm);
  free (a->service);
  for (size_t i = 0; i < a->n_tokens; i++)
    {
      free (a->tokens[i].scope);
      wipe_free (a->tokens[i].token);
    }
  free (a);
}

bool
registry_auth_has_credentials (const struct registry_auth *a)
{
  return a->user != NULL;
}

static struct auth_token *
find_token (struct registry_auth *a, const char *scope)
{
  const char *key = scope ? scope : "";

  for (size_t i = 0; i < a->n_tokens; i++)
    if (streq (a->tokens[i].scope, key))
      return &a->tokens[i];
  return NULL;
}

static void
store_token (struct registry_auth *a, const char *scope, char *token, long expires_in)
{
  struct auth_token *t = find_token (a, scope);

  if (t == NULL)
    {
      if (a->n_tokens == AUTH_MAX_TOKENS)
        {
          /* Drop the oldest.  */
          free (a->tokens[0].scope);
          wipe_free (a->tokens[0].token);
          memmove (&a->tokens[0], &a->tokens[1], sizeof a->tokens[0] * (AUTH_MAX_TOKENS - 1));
          a->n_tokens--;
        }
      t = &a->tokens[a->n_tokens++];
      t->scope = xstrdup (scope ? scope : "");
    }
  else
    wipe_free (t->token);
  t->token = token;
  /* Docker's minimum lifetime is 60 s; renew 10 s early.  */
  t->expires = time (NULL) + (expires_in >= 60 ? expires_in : 60) - 10;
}

static char *
token_url (const struct registry_auth *a, const char *scope)
{
  struct strbuf sb = STRBUF_INIT;
  char sep = strchr (a->realm, '?') ? '&' : '?';

  strbuf_addstr (&sb, a->realm);
  if (a->service)
    {
      char *esc = curl_easy_escape (NULL, a->service, 0);
      strbuf_addf (&sb, "%cservice=%s", sep, esc);
      curl_free (esc);
      sep = '&';
    }
  /* Several scopes are separated by spaces: one parameter each.  */
  for (const char *p = scope; p && *p;)
    {
      const char *e = strchr (p, ' ');
      size_t len = e ? (size_t) (e - p) : strlen (p);
      char *esc = curl_easy_escape (NULL, p, len);
      strbuf_addf (&sb, "%cscope=%s", sep, esc);
      curl_free (esc);
      sep = '&';
      p = e ? e + 1 : p + len;
    }
  return strbuf_detach (&sb, NULL);
}

static int
parse_token_response (const struct http_response *r, char **token, long *expires_in, oci_error_t **err)
{
  static const char *token_path[] = { "token", NULL };
  static const char *access_path[] = { "access_token", NULL };
  static const char *expires_path[] = { "expires_in", NULL };
  char errbuf[256];
  yajl_val tree, v;

  tree = yajl_tree_parse (strbuf_str (&r->body), errbuf, sizeof errbuf);
  if (tree == NULL)
    return oci_error_set (err, EPROTO, "token server: invalid JSON response");
  v = yajl_tree_get (tree, token_path, yajl_t_string);
  if (v == NULL || *YAJL_GET_STRING (v) == '\0')
    v = yajl_tree_get (tree, access_path, yajl_t_string);
  if (v == NULL || *YAJL_GET_STRING (v) == '\0')
    {
      yajl_tree_free (tree);
      return oci_error_set (err, EPROTO, "token server: response has no token");
    }
  *token = xstrdup (YAJL_GET_STRING (v));
  v = yajl_tree_get (tree, expires_path, yajl_t_number);
  *expires_in = v && YAJL_IS_INTEGER (v) ? (long) YAJL_GET_INTEGER (v) : 60;
  yajl_tree_free (tree);
  return 0;
}

static int
fetch_token (struct registry_auth *a, struct http_client *http, const char *scope, oci_error_t **err)
{
  cleanup_free char *url = token_url (a, scope), *basic = NULL, *hdr = NULL;
  char *headers[2] = { NULL, NULL };
  struct http_request req = HTTP_REQUEST_INIT;
  struct http_response resp = { .content_length = -1 };
  char *token = NULL;
  long expires_in = 0;
  int ret;

  if (a->user)
    {
      basic = auth_basic_encode (a->user, a->password);
      xasprintf (&hdr, "Authorization: Basic %s", basic);
      headers[0] = hdr;
    }
  req.url = url;
  req.headers = headers;
  ret = http_perform (http, &req, &resp, err);
  if (hdr)
    explicit_bzero (hdr, strlen (hdr));
  if (ret < 0)
    {
      http_response_reset (&resp);
      return oci_error_prefix (err, "get a token from %s", a->realm);
    }
  if (resp.status == 401 || resp.status == 403)
    ret = oci_error_set (err, EACCES, "unauthorized: %s",
                         a->user ? "incorrect username or password" : "authentication required");
  else if (resp.status != 200)
    ret = oci_error_set (err, EPROTO, "token server %s: HTTP status %ld", a->realm, resp.status);
  else if ((ret = parse_token_response (&resp, &token, &expires_in, err)) == 0)
    store_token (a, scope, token, expires_in);
  http_response_reset (&resp);
  return ret;
}

static void
replace (char **slot, const char *v)
{
  free (*slot);
  *slot = v ? xstrdup (v) : NULL;
}

int
registry_auth_challenge (struct registry_auth *a, struct http_client *http, const char *challenge_header,
                         const char *scope, oci_error_t **err)
{
  struct auth_challenge *c = NULL;
  int ret = 0;

  if (auth_challenge_parse (challenge_header, &c, err) < 0)
    return -1;
  replace (&a->scheme, c->scheme);
  replace (&a->realm, c->realm);
  replace (&a->service, c->service);
  if (streq (c->scheme, "basic"))
    {
      if (a->user == NULL)
        ret = oci_error_set (err, EACCES, "unauthorized: authentication required");
    }
  else if (streq (c->scheme, "bearer"))
    {
      if (c->realm == NULL)
        ret = oci_error_set (err, EPROTO, "WWW-Authenticate: bearer challenge without realm");
      else
        ret = fetch_token (a, http, scope ? scope : c->scope, err);
    }
  else
    ret = oci_error_set (err, ENOTSUP, "WWW-Authenticate: unsupported authentication scheme \"%s\"",
                         c->scheme);
  auth_challenge_free (c);
  return ret;
}

int
registry_auth_header (struct registry_auth *a, struct http_client *http, const char *scope, char **out,
                      oci_error_t **err)
{
  struct auth_token *t;

  *out = NULL;
  if (a->scheme == NULL)
    return 0;
  if (streq (a->scheme, "basic"))
    {
      if (a->user)
        {
          cleanup_free char *basic = auth_basic_encode (a->user, a->password);
          xasprintf (out, "Authorization: Basic %s", basic);
          explicit_bzero (basic, strlen (basic));
        }
      return 0;
    }
  if (!streq (a->scheme, "bearer") || a->realm == NULL)
    return 0;
  t = find_token (a, scope);
  if (t == NULL || t->expires <= time (NULL))
    {
      if (fetch_token (a, http, scope, err) < 0)
        return -1;
      t = find_token (a, scope);
    }
  xasprintf (out, "Authorization: Bearer %s", t->token);
  return 0;
}
