/* Registry settings of berth: $BERTH_CONFIG_DIR/registries.conf (default
   /etc/berth/registries.conf).  A missing file means the defaults.  The
   format is a small subset of TOML, one setting per line:

     # the registry of names without one ("busybox"); default docker.io
     default-registry = "docker.io"
     # registries reached without TLS verification (and over plain HTTP
     # when they do not speak TLS), as host[:port]
     insecure = ["127.0.0.1:5000", "registry.lan"]
*/
#ifndef BERTH_REGISTRY_REGISTRIES_H
#define BERTH_REGISTRY_REGISTRIES_H

#include <stdbool.h>

#include "error.h"

struct registries_conf
{
  char *default_registry; /* never NULL after load */
  char **insecure;        /* NULL-terminated */
};

/* Load the file at path (NULL: $BERTH_CONFIG_DIR/registries.conf or
   /etc/berth/registries.conf).  Errors name the file and line.  */
int registries_conf_load (const char *path, struct registries_conf **out, oci_error_t **err);
/* Parse the text of a registries.conf; source names it in errors.  */
int registries_conf_parse (const char *text, const char *source, struct registries_conf **out,
                           oci_error_t **err);
void registries_conf_free (struct registries_conf *c);
bool registries_conf_is_insecure (const struct registries_conf *c, const char *domain);

#endif
