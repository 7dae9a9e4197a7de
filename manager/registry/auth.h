/* Registry authentication: WWW-Authenticate challenges, basic auth and
   the bearer token flow (token requested from the challenge's realm with
   service and scope, cached per scope until it expires).  */
#ifndef BERTH_REGISTRY_AUTH_H
#define BERTH_REGISTRY_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "error.h"

struct http_client;

struct auth_challenge
{
  char *scheme; /* lowercase: "basic", "bearer" */
  char *realm;
  char *service;
  char *scope;
  char *error; /* error="insufficient_scope" etc. */
};

/* Parse the first challenge of a WWW-Authenticate value: a scheme and
   comma-separated key=value or key="quoted, \"escaped\"" parameters.  */
int auth_challenge_parse (const char *header, struct auth_challenge **out, oci_error_t **err);
void auth_challenge_free (struct auth_challenge *c);

/* Standard base64 with padding.  */
char *auth_base64_encode (const void *data, size_t len);
int auth_base64_decode (const char *s, char **out, size_t *len, oci_error_t **err);
/* base64("user:password") and back; decode splits at the first ':'.  */
char *auth_basic_encode (const char *user, const char *password);
int auth_basic_decode (const char *b64, char **user, char **password, oci_error_t **err);

struct registry_auth;

/* user/password may be NULL (anonymous).  */
struct registry_auth *registry_auth_new (const char *user, const char *password);
void registry_auth_free (struct registry_auth *a);
bool registry_auth_has_credentials (const struct registry_auth *a);
/* Answer a challenge for scope (may be NULL: the challenge's own scope):
   remember the scheme, fetch a bearer token when needed.  Errors say
   "unauthorized: ..." when the credentials were refused.  */
int registry_auth_challenge (struct registry_auth *a, struct http_client *http, const char *challenge_header,
                             const char *scope, oci_error_t **err);
/* *out gets the "Authorization: ..." header for scope, NULL when none
   applies (anonymous, or no challenge seen yet).  A bearer token for a
   scope not yet cached is fetched first.  */
int registry_auth_header (struct registry_auth *a, struct http_client *http, const char *scope, char **out,
                          oci_error_t **err);

#endif
