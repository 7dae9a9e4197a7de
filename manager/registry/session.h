/* What pull, push and login share: the --tls-verify / --cert-dir options
   and opening a client for a registry with registries.conf applied.  */
#ifndef BERTH_REGISTRY_SESSION_H
#define BERTH_REGISTRY_SESSION_H

#include <stdbool.h>

#include "client.h"
#include "error.h"

struct registry_session_opts
{
  int tls_verify;         /* -1 default, 0, 1 */
  const char *cert_dir;   /* NULL: certs.d */
  const char *config_dir; /* docker config dir (berth --config) */
  const char *username;
  const char *password;
};

/* Parse "--tls-verify[=true|false]" values.  */
int registry_parse_tls_verify (const char *value, int *out, oci_error_t **err);
/* registries.conf's default registry ("docker.io" when none).  The
   returned string is owned by a process-wide copy of the file.  */
int registry_default_domain (const char **out, oci_error_t **err);
int registry_session_open (const char *domain, const struct registry_session_opts *o,
                           struct registry_client **out, oci_error_t **err);
/* The host platform as os/architecture/variant (variant may be NULL).  */
void registry_host_platform (const char **os, const char **arch, const char **variant);
/* Split "os/arch[/variant]" into new strings.  */
int registry_parse_platform (const char *s, char **os, char **arch, char **variant, oci_error_t **err);

#endif
