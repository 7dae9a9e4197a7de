/* Helpers of the registry commands (pull, push, login, logout).  */
#ifndef BERTH_CLI_REGISTRY_CLI_H
#define BERTH_CLI_REGISTRY_CLI_H

#include "common.h"
#include "manager/registry/session.h"

/* Registry failures exit 1 as docker's do: print "Error: <message>" and
   return 1.  */
int registry_cli_fail (oci_error_t **err);
/* Handle --tls-verify[=BOOL] and --cert-dir; 1 when opt was one of them,
   0 when not, -1 on a bad value.  */
int registry_cli_tls_option (int opt, const char *arg, struct registry_session_opts *o, oci_error_t **err);

#define REGISTRY_CLI_OPT_TLS_VERIFY 1001
#define REGISTRY_CLI_OPT_CERT_DIR   1002
#define REGISTRY_CLI_TLS_LONGOPTS                                                                            \
  { "tls-verify", optional_argument, NULL, REGISTRY_CLI_OPT_TLS_VERIFY },                                    \
  {                                                                                                          \
    "cert-dir", required_argument, NULL, REGISTRY_CLI_OPT_CERT_DIR                                           \
  }
#define REGISTRY_CLI_TLS_HELP                                                                                \
  "      --tls-verify[=BOOL]   verify the registry's TLS certificate (default true; false also\n"            \
  "                            allows plain HTTP)\n"                                                         \
  "      --cert-dir DIR        use the CA (*.crt) and client certificate (*.cert, *.key) in DIR\n"

#endif
