/* Registry credentials in the docker config.json format:

     {"auths": {"host:port": {"auth": "<base64 of user:password>"}}}

   Read from $REGISTRY_AUTH_FILE, the docker config (<--config dir> or
   $DOCKER_CONFIG or ~/.docker, file config.json) and podman's
   $XDG_RUNTIME_DIR/containers/auth.json, in that order; written to the
   docker config only (mode 0600), keeping every other key of the file.
   Docker Hub is stored under "https://index.docker.io/v1/" as docker does.
   Credential helpers ("credsStore", "credHelpers") are not supported.  */
#ifndef BERTH_REGISTRY_CREDENTIALS_H
#define BERTH_REGISTRY_CREDENTIALS_H

#include <stdbool.h>

#include "error.h"

/* The docker config file for config_dir (may be NULL); caller frees.  */
char *credentials_config_path (const char *config_dir);
/* The key of domain in "auths".  */
const char *credentials_server_key (const char *domain);
/* 1 (with *user and *password set) when found, 0 when not, -1 on a broken file.  */
int credentials_lookup (const char *config_dir, const char *domain, char **user, char **password,
                        oci_error_t **err);
int credentials_store (const char *config_dir, const char *domain, const char *user, const char *password,
                       oci_error_t **err);
/* *removed tells whether an entry was there.  */
int credentials_remove (const char *config_dir, const char *domain, bool *removed, oci_error_t **err);

#endif
