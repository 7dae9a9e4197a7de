/* berth: a daemonless, Docker-compatible container manager.  */
#include "config.h"
#include "util.h"
#include "version.h"

#include <archive.h>
#include <curl/curl.h>
#include <getopt.h>
#include <sqlite3.h>
#include <stdio.h>
#include <yaml.h>

static void
print_version (void)
{
  printf ("berth version %s\n", PACKAGE_VERSION);
  printf ("commit: %s\n", GIT_COMMIT);
  printf ("spec: %s\n", OCI_SPEC_VERSION);
  printf ("libcurl: %s\n", curl_version_info (CURLVERSION_NOW)->version);
  printf ("libarchive: %s\n", archive_version_string ());
  printf ("sqlite: %s\n", sqlite3_libversion ());
  printf ("libyaml: %s\n", yaml_get_version_string ());
  printf ("features: +CURL +ARCHIVE +SQLITE +YAML %s\n", BERTH_FEATURES_COMMON);
}

static void
print_help (FILE *out)
{
  fprintf (out, "Usage: berth [OPTIONS] COMMAND\n\n"
                "A daemonless, Docker-compatible container manager.\n\n"
                "Options:\n"
                "  -v, --version   print the version\n"
                "  -h, --help      print this help\n");
}

int
main (int argc, char **argv)
{
  static const struct option opts[] = {
    { "version", no_argument, NULL, 'v' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  int c;

  while ((c = getopt_long (argc, argv, "+vh", opts, NULL)) != -1)
    {
      switch (c)
        {
        case 'v':
          print_version ();
          return 0;
        case 'h':
          print_help (stdout);
          return 0;
        default:
          print_help (stderr);
          return 125;
        }
    }
  if (optind < argc)
    {
      fprintf (stderr, "berth: unknown command `%s` (see berth --help)\n", argv[optind]);
      return 125;
    }
  print_help (stderr);
  return 125;
}
