/* berth login [-u USER] [-p PASS | --password-stdin] [SERVER]
   berth logout [SERVER]  */
#include "config.h"
#include "commands.h"
#include "registry_cli.h"

#include <errno.h>
#include <getopt.h>
#include <termios.h>

#include "manager/registry/credentials.h"
#include "manager/registry/reference.h"
#include "util.h"

static const char login_help[]
    = "Usage: berth login [OPTIONS] [SERVER]\n\n"
      "Log in to a registry (default: the default registry, docker.io).  The\n"
      "credentials are checked against the registry, then stored in the docker\n"
      "config file (--config DIR, $DOCKER_CONFIG or ~/.docker: config.json).\n\n"
      "Options:\n"
      "  -u, --username USER       the user name\n"
      "  -p, --password PASS       the password (insecure: prefer --password-stdin)\n"
      "      --password-stdin      read the password from stdin\n" REGISTRY_CLI_TLS_HELP;

static const char logout_help[] = "Usage: berth logout [SERVER]\n\n"
                                  "Remove the stored credentials of a registry (default: docker.io).\n";

/* "https://host:5000/v1/" -> "host:5000"; docker.io's aliases folded.  */
static int
server_domain (const char *server, char **out, oci_error_t **err)
{
  const char *p = server, *def;
  char *d;

  if (server == NULL)
    {
      if (registry_default_domain (&def, err) < 0)
        return -1;
      *out = xstrdup (def);
      return 0;
    }
  if (has_prefix (p, "https://"))
    p += 8;
  else if (has_prefix (p, "http://"))
    p += 7;
  d = xstrndup (p, strcspn (p, "/"));
  if (streq (d, "index.docker.io") || streq (d, "registry-1.docker.io"))
    {
      free (d);
      d = xstrdup (REFERENCE_DOCKER_DOMAIN);
    }
  if (!reference_domain_valid (d))
    {
      oci_error_set (err, EINVAL, "invalid registry \"%s\"", server);
      free (d);
      return -1;
    }
  *out = d;
  return 0;
}

/* One line from f without the newline, echo off when it is a terminal.  */
static char *
read_line (FILE *f, const char *prompt, bool secret)
{
  struct termios old, quiet;
  bool tty = isatty (fileno (f));
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;

  if (prompt && tty)
    {
      fputs (prompt, stderr);
      fflush (stderr);
    }
  if (secret && tty && tcgetattr (fileno (f), &old) == 0)
    {
      quiet = old;
      quiet.c_lflag &= ~ECHO;
      tcsetattr (fileno (f), TCSAFLUSH, &quiet);
    }
  else
    secret = false;
  n = getline (&line, &cap, f);
  if (secret)
    {
      tcsetattr (fileno (f), TCSAFLUSH, &old);
      fputc ('\n', stderr);
    }
  if (n < 0)
    {
      free (line);
      return NULL;
    }
  while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
    line[--n] = '\0';
  return line;
}

static int
login_run (struct berth_globals *g, const char *server, const char *user, char *password,
           struct registry_session_opts *so, oci_error_t **err)
{
  cleanup_free char *domain = NULL;
  struct registry_client *client = NULL;
  int ret;

  if (server_domain (server, &domain, err) < 0)
    return -1;
  so->config_dir = g->config_dir;
  so->username = user;
  so->password = password;
  ret = registry_session_open (domain, so, &client, err);
  if (ret == 0)
    ret = registry_ping (client, err);
  if (ret == 0)
    ret = credentials_store (g->config_dir, domain, user, password, err);
  registry_client_free (client);
  if (ret < 0)
    return registry_cli_fail (err);
  printf ("Login Succeeded\n");
  return 0;
}

int
cmd_login (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  enum
  {
    OPT_PASSWORD_STDIN = 2000
  };
  static const struct option opts[] = {
    { "username", required_argument, NULL, 'u' },
    { "password", required_argument, NULL, 'p' },
    { "password-stdin", no_argument, NULL, OPT_PASSWORD_STDIN },
    { "help", no_argument, NULL, 'h' },
    REGISTRY_CLI_TLS_LONGOPTS,
    { NULL, 0, NULL, 0 },
  };
  struct registry_session_opts so = { .tls_verify = -1 };
  cleanup_free char *user = NULL, *password = NULL;
  bool from_stdin = false;
  int c, r;

  while ((c = getopt_long (argc, argv, "+u:p:h", opts, NULL)) != -1)
    {
      if ((r = registry_cli_tls_option (c, optarg, &so, err)) != 0)
        {
          if (r < 0)
            return -1;
          continue;
        }
      switch (c)
        {
        case 'u':
          free (user);
          user = xstrdup (optarg);
          break;
        case 'p':
          free (password);
          password = xstrdup (optarg);
          break;
        case OPT_PASSWORD_STDIN:
          from_stdin = true;
          break;
        case 'h':
          fputs (login_help, stdout);
          return 0;
        default:
          return cli_usage_error ("login", "invalid option", err);
        }
    }
  if (argc - optind > 1)
    return cli_usage_error ("login", "\"berth login\" requires at most 1 argument.", err);
  if (from_stdin && password)
    return cli_usage_error ("login", "--password and --password-stdin are mutually exclusive", err);
  if (from_stdin && user == NULL)
    return cli_usage_error ("login", "Must provide --username with --password-stdin", err);
  if (password && !from_stdin)
    fprintf (stderr, "WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n");
  if (user == NULL && (user = read_line (stdin, "Username: ", false)) == NULL)
    return oci_error_set (err, EINVAL, "login: no username given (use -u)");
  if (password == NULL && (password = read_line (stdin, "Password: ", !from_stdin)) == NULL)
    return oci_error_set (err, EINVAL, "login: no password given (use --password-stdin)");
  if (*user == '\0' || *password == '\0')
    return oci_error_set (err, EINVAL, "login: username and password must not be empty");
  r = login_run (g, argc > optind ? argv[optind] : NULL, user, password, &so, err);
  explicit_bzero (password, strlen (password));
  return r;
}

int
cmd_logout (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  cleanup_free char *domain = NULL;
  bool removed = false;

  if (cli_wants_help (argc, argv))
    {
      fputs (logout_help, stdout);
      return 0;
    }
  if (argc > 2 || (argc == 2 && argv[1][0] == '-'))
    return cli_usage_error ("logout", "\"berth logout\" takes only an optional SERVER argument.", err);
  if (server_domain (argc == 2 ? argv[1] : NULL, &domain, err) < 0)
    return -1;
  if (credentials_remove (g->config_dir, domain, &removed, err) < 0)
    return -1;
  if (removed)
    printf ("Removing login credentials for %s\n", credentials_server_key (domain));
  else
    printf ("Not logged in to %s\n", credentials_server_key (domain));
  return 0;
}
