/* Helpers of the registry commands: see registry_cli.h.  */
#include "config.h"
#include "registry_cli.h"

#include "util.h"

int
registry_cli_fail (oci_error_t **err)
{
  fprintf (stderr, "Error: %s\n", (*err)->msg);
  oci_error_free (err);
  return 1;
}

int
registry_cli_tls_option (int opt, const char *arg, struct registry_session_opts *o, oci_error_t **err)
{
  switch (opt)
    {
    case REGISTRY_CLI_OPT_TLS_VERIFY:
      return registry_parse_tls_verify (arg, &o->tls_verify, err) < 0 ? -1 : 1;
    case REGISTRY_CLI_OPT_CERT_DIR:
      o->cert_dir = arg;
      return 1;
    default:
      return 0;
    }
}
