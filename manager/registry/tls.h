/* TLS settings of a registry, docker's certs.d layout:

     <dir>/<host:port>/ca.crt, *.crt     CAs trusted besides the system ones
     <dir>/<host:port>/client.cert       client certificate, with
     <dir>/<host:port>/client.key        its key (any NAME.cert + NAME.key)

   with <dir> /etc/containers/certs.d and /etc/docker/certs.d, or one
   directory given with --cert-dir (its files used directly, as podman
   does).  */
#ifndef BERTH_REGISTRY_TLS_H
#define BERTH_REGISTRY_TLS_H

#include <stdbool.h>

#include "error.h"
#include "http.h"

#define TLS_SYSTEM_BUNDLE "/etc/ssl/certs/ca-certificates.crt"

int tls_config_load (const char *domain, const char *cert_dir, bool verify, struct http_tls *out,
                     oci_error_t **err);
void tls_config_release (struct http_tls *tls);

#endif
