/* berth network create, ls, inspect, rm, prune, connect, disconnect and
   berth port: docker's flags, outputs and messages.  The rows live in the
   store (manager/store/networks.h); attaching a container goes through
   manager/network/setup.h.  */
#include "config.h"
#include "commands.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "manager/container/record.h"
#include "manager/network/firewall.h"
#include "manager/network/netlink.h"
#include "manager/network/setup.h"
#include "manager/store/containers.h"
#include "manager/store/networks.h"
#include "util.h"

static const char create_help[]
    = "Usage:  berth network create [OPTIONS] NETWORK\n\n"
      "Create a network\n\n"
      "Options:\n"
      "  -d, --driver string     Driver to manage the Network (default \"bridge\")\n"
      "      --gateway string    IPv4 Gateway for the master subnet\n"
      "      --internal          Restrict external access to the network\n"
      "      --label list        Set metadata on a network\n"
      "  -o, --opt map           Set driver specific options (default map[])\n"
      "      --subnet string     Subnet in CIDR format that represents a network segment\n";

static const char ls_help[]
    = "Usage:  berth network ls [OPTIONS]\n\n"
      "List networks\n\n"
      "Aliases:\n  berth network ls, berth network list\n\n"
      "Options:\n"
      "  -f, --filter filter   Provide filter values (e.g. \"driver=bridge\", \"name=NAME\",\n"
      "                        \"id=ID\", \"label=KEY[=VALUE]\", \"type=custom|builtin\")\n"
      "      --format string   Format output using a custom template:\n"
      "                        'table', 'json' or a Go-like template ({{.ID}} {{.Name}}\n"
      "                        {{.Driver}} {{.Scope}} {{.Internal}} {{.Labels}} {{json .}})\n"
      "      --no-trunc        Do not truncate the output\n"
      "  -q, --quiet           Only display network IDs\n";

static const char inspect_help[] = "Usage:  berth network inspect [OPTIONS] NETWORK [NETWORK...]\n\n"
                                   "Display detailed information on one or more networks\n\n"
                                   "Options:\n"
                                   "  -f, --format string   Format output using a custom template:\n"
                                   "                        'json' or a Go-like template ({{.Name}}\n"
                                   "                        {{.IPAM.Config}} {{json .Containers}})\n"
                                   "  -v, --verbose         Verbose output for diagnostics\n";

static const char rm_help[] = "Usage:  berth network rm [OPTIONS] NETWORK [NETWORK...]\n\n"
                              "Remove one or more networks\n\n"
                              "Aliases:\n  berth network rm, berth network remove\n\n"
                              "Options:\n"
                              "  -f, --force   Do not error if the network does not exist\n";

static const char prune_help[] = "Usage:  berth network prune [OPTIONS]\n\n"
                                 "Remove all unused networks\n\n"
                                 "Options:\n"
                                 "      --filter filter   Provide filter values (e.g. \"until=24h\",\n"
                                 "                        \"label=KEY[=VALUE]\", \"label!=KEY\")\n"
                                 "  -f, --force           Do not prompt for confirmation\n";

static const char connect_help[] = "Usage:  berth network connect [OPTIONS] NETWORK CONTAINER\n\n"
                                   "Connect a container to a network\n\n"
                                   "Options:\n"
                                   "      --alias strings   Add network-scoped alias for the container\n"
                                   "      --ip string       IPv4 address (e.g., \"172.30.100.104\")\n";

static const char disconnect_help[] = "Usage:  berth network disconnect [OPTIONS] NETWORK CONTAINER\n\n"
                                      "Disconnect a container from a network\n\n"
                                      "Options:\n"
                                      "  -f, --force   Force the container to disconnect from a network\n";

static const char port_help[] = "Usage:  berth port CONTAINER [PRIVATE_PORT[/PROTO]]\n\n"
                                "List port mappings or a specific mapping for the container\n";

static bool
network_builtin (const struct store_network *n)
{
  return streq (n->name, STORE_NETWORK_DEFAULT_NAME);
}

/* --- JSON --- */

static void
json_network_containers (struct strbuf *sb, struct berth_store *s, const struct store_network *n)
{
  struct store_endpoint **eps = NULL;
  cleanup_error oci_error_t *err = NULL;
  int prefix = cidr4_prefix_of (n->subnet);

  strbuf_addch (sb, '{');
  if (store_endpoint_list_network (s, n->id, &eps, &err) == 0)
    for (size_t i = 0; eps[i]; i++)
      {
        struct store_container *c = NULL;
        cleanup_error oci_error_t *e = NULL;
        cleanup_free char *epid = container_endpoint_id (n->id, eps[i]->container_id);

        strbuf_addstr (sb, i ? "," : "");
        cli_json_string (sb, eps[i]->container_id);
        strbuf_addstr (sb, ":{\"Name\":");
        cli_json_string (sb, store_container_lookup (s, eps[i]->container_id, &c, &e) == 0 ? c->name : "");
        strbuf_addstr (sb, ",\"EndpointID\":");
        cli_json_string (sb, epid);
        strbuf_addstr (sb, ",\"MacAddress\":");
        cli_json_string (sb, eps[i]->mac ? eps[i]->mac : "");
        strbuf_addf (sb, ",\"IPv4Address\":\"%s/%d\",\"IPv6Address\":\"\"}", eps[i]->ip, prefix);
        store_container_free (c);
      }
  store_endpoint_list_free (eps);
  strbuf_addch (sb, '}');
}

static char *
network_inspect_json (struct berth_store *s, const struct store_network *n)
{
  cleanup_strbuf struct strbuf sb = STRBUF_INIT;
  cleanup_free char *created = cli_go_time (n->created);

  strbuf_addstr (&sb, "{\"Name\":");
  cli_json_string (&sb, n->name);
  strbuf_addstr (&sb, ",\"Id\":");
  cli_json_string (&sb, n->id);
  strbuf_addstr (&sb, ",\"Created\":");
  cli_json_string (&sb, created);
  strbuf_addstr (&sb, ",\"Scope\":\"local\",\"Driver\":");
  cli_json_string (&sb, n->driver ? n->driver : "bridge");
  strbuf_addstr (
      &sb, ",\"EnableIPv6\":false,\"IPAM\":{\"Driver\":\"default\",\"Options\":{},\"Config\":[{\"Subnet\":");
  cli_json_string (&sb, n->subnet);
  strbuf_addstr (&sb, ",\"Gateway\":");
  cli_json_string (&sb, n->gateway);
  strbuf_addf (&sb,
               "}]},\"Internal\":%s,\"Attachable\":false,\"Ingress\":false,\"ConfigFrom\":{\"Network\":\"\"},"
               "\"ConfigOnly\":false,\"Containers\":",
               n->internal ? "true" : "false");
  json_network_containers (&sb, s, n);
  strbuf_addstr (&sb, ",\"Options\":");
  if (network_builtin (n))
    {
      cleanup_strv char **opts = strv_dup (n->options ? n->options : (char *[]){ NULL });
      cleanup_free char *name = NULL;
      xasprintf (&name, "com.docker.network.bridge.name=%s", n->bridge);
      cli_strv_append (&opts, name);
      cli_json_kv_object (&sb, opts);
    }
  else
    cli_json_kv_object (&sb, n->options);
  strbuf_addstr (&sb, ",\"Labels\":");
  cli_json_kv_object (&sb, n->labels);
  strbuf_addch (&sb, '}');
  return strbuf_detach (&sb, NULL);
}

/* docker network ls --format json's object.  */
static char *
network_ls_json (const struct store_network *n, bool no_trunc)
{
  cleanup_strbuf struct strbuf sb = STRBUF_INIT;
  cleanup_free char *created = cli_time_string (n->created);

  strbuf_addstr (&sb, "{\"CreatedAt\":");
  cli_json_string (&sb, created);
  strbuf_addstr (&sb, ",\"Driver\":");
  cli_json_string (&sb, n->driver ? n->driver : "bridge");
  strbuf_addf (&sb, ",\"ID\":\"%.*s\",\"IPv4\":\"true\",\"IPv6\":\"false\",\"Internal\":\"%s\",\"Labels\":",
               no_trunc ? 64 : 12, n->id, n->internal ? "true" : "false");
  {
    cleanup_strbuf struct strbuf lb = STRBUF_INIT;
    for (size_t i = 0; n->labels && n->labels[i]; i++)
      strbuf_addf (&lb, "%s%s", i ? "," : "", n->labels[i]);
    cli_json_string (&sb, strbuf_str (&lb));
  }
  strbuf_addstr (&sb, ",\"Name\":");
  cli_json_string (&sb, n->name);
  strbuf_addstr (&sb, ",\"Scope\":\"local\"}");
  return strbuf_detach (&sb, NULL);
}

/* --- filters --- */

struct network_filter
{
  char **names, **ids, **drivers, **labels, **not_labels, **types;
  int64_t until; /* 0: none */
};

static void
network_filter_clear (struct network_filter *f)
{
  strv_free (f->names);
  strv_free (f->ids);
  strv_free (f->drivers);
  strv_free (f->labels);
  strv_free (f->not_labels);
  strv_free (f->types);
}

static int
filter_until (struct network_filter *f, const char *val, oci_error_t **err)
{
  int64_t ns;
  char *end;
  long long secs = strtoll (val, &end, 10);

  if (*val && *end == '\0')
    {
      f->until = secs;
      return 0;
    }
  if (container_parse_duration (val, &ns, NULL) < 0)
    return oci_error_set (err, EINVAL, "invalid filter 'until=%s'", val);
  f->until = (int64_t) time (NULL) - ns / 1000000000;
  return 0;
}

static int
network_filter_add (struct network_filter *f, const char *kv, bool prune, oci_error_t **err)
{
  const char *eq = strchr (kv, '=');
  cleanup_free char *key = eq ? xstrndup (kv, eq - kv) : NULL;
  const char *val = eq ? eq + 1 : NULL;

  if (key == NULL)
    return oci_error_set (err, EINVAL, "bad format of filter \"%s\" (expected name=value)", kv);
  if (streq (key, "label"))
    cli_strv_append (&f->labels, val);
  else if (streq (key, "label!"))
    cli_strv_append (&f->not_labels, val);
  else if (streq (key, "until") && prune)
    return filter_until (f, val, err);
  else if (prune)
    return oci_error_set (err, EINVAL, "invalid filter '%s'", key);
  else if (streq (key, "name"))
    cli_strv_append (&f->names, val);
  else if (streq (key, "id"))
    cli_strv_append (&f->ids, val);
  else if (streq (key, "driver"))
    cli_strv_append (&f->drivers, val);
  else if (streq (key, "type") && (streq (val, "custom") || streq (val, "builtin")))
    cli_strv_append (&f->types, val);
  else if (streq (key, "type"))
    return oci_error_set (err, EINVAL, "invalid filter: 'type'='%s'", val);
  else
    return oci_error_set (err, EINVAL, "invalid filter '%s'", key);
  return 0;
}

static bool
any_match (char *const *pats, const char *s, bool prefix_only, bool exact)
{
  for (size_t i = 0; pats[i]; i++)
    if (exact ? streq (s, pats[i]) : prefix_only ? has_prefix (s, pats[i]) : strstr (s, pats[i]) != NULL)
      return true;
  return false;
}

static bool
network_selected (const struct network_filter *f, const struct store_network *n)
{
  if (f->names && !any_match (f->names, n->name, false, false))
    return false;
  if (f->ids && !any_match (f->ids, n->id, true, false))
    return false;
  if (f->drivers && !any_match (f->drivers, n->driver ? n->driver : "bridge", false, true))
    return false;
  if (f->types && !any_match (f->types, network_builtin (n) ? "builtin" : "custom", false, true))
    return false;
  for (size_t i = 0; f->labels && f->labels[i]; i++)
    if (!cli_labels_match (n->labels, f->labels[i]))
      return false;
  for (size_t i = 0; f->not_labels && f->not_labels[i]; i++)
    if (cli_labels_match (n->labels, f->not_labels[i]))
      return false;
  return f->until == 0 || n->created < f->until;
}

/* --- create --- */

struct create_args
{
  const char *driver, *subnet, *gateway;
  bool internal;
  char **labels, **opts;
};

static int
check_ipv4 (const char *flag, const char *v, bool cidr, oci_error_t **err)
{
  unsigned char buf[sizeof (struct in6_addr)];
  cleanup_free char *addr = cidr && strchr (v, '/') ? xstrndup (v, strchr (v, '/') - v) : xstrdup (v);

  if (inet_pton (AF_INET6, addr, buf) == 1)
    return oci_error_set (err, EINVAL, "invalid %s %s: IPv6 is not supported", flag, v);
  if (cidr)
    {
      struct cidr4 c;
      cleanup_error oci_error_t *e = NULL;
      if (strchr (v, '/') == NULL || cidr4_parse (v, &c, &e) < 0)
        return oci_error_set (err, EINVAL, "invalid CIDR address: %s", v);
      return 0;
    }
  if (inet_pton (AF_INET, v, buf) != 1)
    return oci_error_set (err, EINVAL, "invalid %s %s: not an IPv4 address", flag, v);
  return 0;
}

static int
network_create_run (struct berth_globals *g, const char *name, struct create_args *a, oci_error_t **err)
{
  struct berth_store *s;
  struct store_network *n = NULL;

  if (!streq (a->driver, "bridge"))
    return oci_error_set (err, ENOENT, "plugin \"%s\" not found (only the \"bridge\" driver is available)",
                          a->driver);
  if (a->gateway && a->subnet == NULL)
    return oci_error_set (err, EINVAL, "every ip-range or gateway must have a corresponding subnet");
  if ((a->subnet && check_ipv4 ("subnet", a->subnet, true, err) < 0)
      || (a->gateway && check_ipv4 ("gateway", a->gateway, false, err) < 0))
    return -1;
  for (size_t i = 0; a->opts && a->opts[i]; i++)
    if (strchr (a->opts[i], '=') == NULL)
      return oci_error_set (err, EINVAL,
                            "invalid argument \"%s\" for \"-o, --opt\" flag: %s is not a key=value pair",
                            a->opts[i], a->opts[i]);
  if (!store_container_name_valid (name))
    return oci_error_set (
        err, EINVAL, "invalid network name \"%s\": only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed", name);
  if (cli_store (g, &s, err) < 0
      || store_network_create (s, name, a->subnet, a->gateway, a->internal, a->labels, a->opts, &n, err) < 0)
    return -1;
  printf ("%s\n", n->id);
  store_network_free (n);
  return 0;
}

int
cmd_network_create (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  enum
  {
    OPT_GATEWAY = 256,
    OPT_INTERNAL,
    OPT_LABEL,
    OPT_SUBNET,
  };
  static const struct option opts[] = {
    { "driver", required_argument, NULL, 'd' },
    { "gateway", required_argument, NULL, OPT_GATEWAY },
    { "internal", no_argument, NULL, OPT_INTERNAL },
    { "label", required_argument, NULL, OPT_LABEL },
    { "opt", required_argument, NULL, 'o' },
    { "subnet", required_argument, NULL, OPT_SUBNET },
    { NULL, 0, NULL, 0 },
  };
  struct create_args a = { .driver = "bridge" };
  int c, ret;

  if (cli_wants_help (argc, argv))
    {
      fputs (create_help, stdout);
      return 0;
    }
  while ((c = getopt_long (argc, argv, "+d:o:", opts, NULL)) != -1)
    switch (c)
      {
      case 'd':
        a.driver = optarg;
        break;
      case 'o':
        cli_strv_append (&a.opts, optarg);
        break;
      case OPT_GATEWAY:
        a.gateway = optarg;
        break;
      case OPT_INTERNAL:
        a.internal = true;
        break;
      case OPT_LABEL:
        cli_strv_append (&a.labels, optarg);
        break;
      case OPT_SUBNET:
        if (a.subnet)
          {
            strv_free (a.labels);
            strv_free (a.opts);
            return oci_error_set (err, EINVAL, "only one --subnet is supported (IPv4)");
          }
        a.subnet = optarg;
        break;
      default:
        strv_free (a.labels);
        strv_free (a.opts);
        return cli_usage_error ("network create", "invalid option", err);
      }
  if (argc - optind != 1)
    ret = cli_usage_error ("network create", "\"berth network create\" requires exactly 1 argument.", err);
  else
    ret = network_create_run (g, argv[optind], &a, err);
  strv_free (a.labels);
  strv_free (a.opts);
  return ret;
}

/* --- ls --- */

/* docker's tabwriter: minimum width 10, padding 3.  */
static void
network_ls_table (struct store_network **nets, bool no_trunc)
{
  size_t w[3] = { strlen ("NETWORK ID"), strlen ("NAME"), strlen ("DRIVER") };

  if (no_trunc)
    w[0] = 64;
  else if (w[0] < 12)
    w[0] = 12;
  for (size_t i = 0; nets[i]; i++)
    {
      if (strlen (nets[i]->name) > w[1])
        w[1] = strlen (nets[i]->name);
      if (strlen (nets[i]->driver ? nets[i]->driver : "bridge") > w[2])
        w[2] = strlen (nets[i]->driver);
    }
  for (size_t k = 0; k < 3; k++)
    w[k] = w[k] + 3 < 10 ? 10 : w[k] + 3;
  printf ("%-*s%-*s%-*s%s\n", (int) w[0], "NETWORK ID", (int) w[1], "NAME", (int) w[2], "DRIVER", "SCOPE");
  for (size_t i = 0; nets[i]; i++)
    printf ("%-*.*s%-*s%-*s%s\n", (int) w[0], no_trunc ? 64 : 12, nets[i]->id, (int) w[1], nets[i]->name,
            (int) w[2], nets[i]->driver ? nets[i]->driver : "bridge", "local");
}

static int
network_ls_print (struct store_network **nets, bool quiet, bool no_trunc, const char *format,
                  oci_error_t **err)
{
  enum cli_format_kind kind = cli_format_kind (format);

  if (quiet)
    {
      for (size_t i = 0; nets[i]; i++)
        printf ("%.*s\n", no_trunc ? 64 : 12, nets[i]->id);
      return 0;
    }
  if (kind == CLI_FORMAT_TABLE)
    {
      network_ls_table (nets, no_trunc);
      return 0;
    }
  if (kind == CLI_FORMAT_TEMPLATE && has_prefix (format, "table "))
    {
      cleanup_strbuf struct strbuf h = STRBUF_INIT;
      cli_template_header (format, &h);
      printf ("%s\n", strbuf_str (&h));
    }
  for (size_t i = 0; nets[i]; i++)
    {
      cleanup_free char *json = network_ls_json (nets[i], no_trunc);
      cleanup_strbuf struct strbuf line = STRBUF_INIT;

      if (kind == CLI_FORMAT_JSON)
        strbuf_addstr (&line, json);
      else if (cli_template_render (format, json, &line, err) < 0)
        return -1;
      printf ("%s\n", strbuf_str (&line));
    }
  return 0;
}

/* Every network, the default one made when missing (docker always lists
   it).  */
static int
network_list_all (struct berth_globals *g, struct berth_store **s, struct store_network ***nets,
                  oci_error_t **err)
{
  struct store_network *def = NULL;

  if (cli_store (g, s, err) < 0 || store_network_default (*s, &def, err) < 0)
    return -1;
  store_network_free (def);
  return store_network_list (*s, nets, err);
}

static int
network_ls_run (struct berth_globals *g, const struct network_filter *f, bool quiet, bool no_trunc,
                const char *format, oci_error_t **err)
{
  struct berth_store *s;
  struct store_network **nets = NULL;
  size_t kept = 0;
  int ret;

  if (network_list_all (g, &s, &nets, err) < 0)
    return -1;
  for (size_t i = 0; nets[i]; i++)
    {
      if (network_selected (f, nets[i]))
        nets[kept++] = nets[i];
      else
        store_network_free (nets[i]);
    }
  nets[kept] = NULL;
  ret = network_ls_print (nets, quiet, no_trunc, format, err);
  store_network_list_free (nets);
  return ret;
}

int
cmd_network_ls (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  enum
  {
    OPT_FORMAT = 256,
    OPT_NO_TRUNC,
  };
  static const struct option opts[] = {
    { "filter", required_argument, NULL, 'f' },
    { "format", required_argument, NULL, OPT_FORMAT },
    { "no-trunc", no_argument, NULL, OPT_NO_TRUNC },
    { "quiet", no_argument, NULL, 'q' },
    { NULL, 0, NULL, 0 },
  };
  struct network_filter f = { 0 };
  const char *format = NULL;
  bool quiet = false, no_trunc = false;
  int c, ret = 0;

  if (cli_wants_help (argc, argv))
    {
      fputs (ls_help, stdout);
      return 0;
    }
  while (ret == 0 && (c = getopt_long (argc, argv, "+f:q", opts, NULL)) != -1)
    switch (c)
      {
      case 'f':
        ret = network_filter_add (&f, optarg, false, err);
        break;
      case OPT_FORMAT:
        format = optarg;
        break;
      case OPT_NO_TRUNC:
        no_trunc = true;
        break;
      case 'q':
        quiet = true;
        break;
      default:
        ret = cli_usage_error ("network ls", "invalid option", err);
        break;
      }
  if (ret == 0 && optind < argc)
    ret = cli_usage_error ("network ls", "\"berth network ls\" accepts no arguments.", err);
  if (ret == 0)
    ret = network_ls_run (g, &f, quiet, no_trunc, format, err);
  network_filter_clear (&f);
  return ret;
}

/* --- inspect --- */

/* The inspect JSON of network REF (`berth inspect`, inspect.c): 0, or -1
   with ENOENT "network REF not found".  */
int
network_inspect_lookup (struct berth_store *s, const char *ref, char **json, oci_error_t **err)
{
  struct store_network *n = NULL;

  if (store_network_lookup (s, ref, &n, err) < 0)
    return -1;
  *json = network_inspect_json (s, n);
  store_network_free (n);
  return 0;
}

/* Also `berth inspect --type network` (inspect.c).  */
int network_inspect_print (struct berth_globals *g, char **refs, const char *format, oci_error_t **err);

int
network_inspect_print (struct berth_globals *g, char **refs, const char *format, oci_error_t **err)
{
  cleanup_strbuf struct strbuf array = STRBUF_INIT;
  cleanup_strbuf struct strbuf pretty = STRBUF_INIT;
  bool tmpl = format && cli_format_kind (format) == CLI_FORMAT_TEMPLATE;
  oci_error_t *first = NULL;
  struct berth_store *s;
  size_t n = 0;

  if (cli_store (g, &s, err) < 0)
    return -1;
  strbuf_addch (&array, '[');
  for (size_t i = 0; refs[i]; i++)
    {
      struct store_network *net = NULL;
      oci_error_t *e = NULL;
      cleanup_free char *json = NULL;
      cleanup_strbuf struct strbuf line = STRBUF_INIT;

      if (store_network_lookup (s, refs[i], &net, &e) == 0)
        {
          json = network_inspect_json (s, net);
          store_network_free (net);
          if (!tmpl)
            strbuf_addf (&array, "%s%s", n++ ? "," : "", json);
          else if (cli_template_render (format, json, &line, &e) == 0)
            printf ("%s\n", strbuf_str (&line));
        }
      if (e && first)
        oci_error_free (&e);
      else if (e)
        first = e;
    }
  strbuf_addch (&array, ']');
  if (!tmpl && cli_json_pretty (strbuf_str (&array), &pretty, err) == 0)
    printf ("%s\n", strbuf_str (&pretty));
  if (first)
    *err = first;
  return first ? -1 : 0;
}

int
cmd_network_inspect (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  static const struct option opts[] = {
    { "format", required_argument, NULL, 'f' },
    { "verbose", no_argument, NULL, 'v' },
    { NULL, 0, NULL, 0 },
  };
  const char *format = NULL;
  int c;

  if (cli_wants_help (argc, argv))
    {
      fputs (inspect_help, stdout);
      return 0;
    }
  while ((c = getopt_long (argc, argv, "+f:v", opts, NULL)) != -1)
    switch (c)
      {
      case 'f':
        format = optarg;
        break;
      case 'v':
        break;
      default:
        return cli_usage_error ("network inspect", "invalid option", err);
      }
  if (optind >= argc)
    return cli_usage_error ("network inspect", "\"berth network inspect\" requires at least 1 argument.",
                            err);
  return network_inspect_print (g, argv + optind, format, err);
}

/* --- rm --- */

/* The bridge and firewall rules of a removed network go away with it.  */
static void
network_forget (struct berth_globals *g, const struct store_network *n)
{
  cleanup_error oci_error_t *e = NULL;

  nl_link_delete (n->bridge, &e);
  oci_error_free (&e);
  firewall_sync (g, &e);
}

static int
network_rm_one (struct berth_globals *g, struct berth_store *s, const char *ref, bool force,
                oci_error_t **err)
{
  struct store_network *n = NULL;
  int ret;

  if (store_network_lookup (s, ref, &n, err) < 0)
    {
      if (force && (*err)->status == ENOENT)
        {
          oci_error_free (err);
          return 0;
        }
      return -1;
    }
  ret = store_network_remove (s, n->id, err);
  if (ret == 0)
    {
      network_forget (g, n);
      printf ("%s\n", ref);
    }
  store_network_free (n);
  return ret;
}

/* Keep going after a failure like docker; report every failure at the
   end, one per line.  */
static int
network_rm_run (struct berth_globals *g, char **refs, bool force, oci_error_t **err)
{
  cleanup_strbuf struct strbuf failures = STRBUF_INIT;
  struct berth_store *s;
  int code = 0;

  if (cli_store (g, &s, err) < 0)
    return -1;
  for (size_t i = 0; refs[i]; i++)
    {
      cleanup_error oci_error_t *e = NULL;

      if (network_rm_one (g, s, refs[i], force, &e) == 0)
        continue;
      strbuf_addf (&failures, "%s%s", failures.len ? "\n" : "", e->msg);
      code = e->status;
    }
  if (failures.len)
    return oci_error_set (err, code, "%s", strbuf_str (&failures));
  return 0;
}

int
cmd_network_rm (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  static const struct option opts[] = {
    { "force", no_argument, NULL, 'f' },
    { NULL, 0, NULL, 0 },
  };
  bool force = false;
  int c;

  if (cli_wants_help (argc, argv))
    {
      fputs (rm_help, stdout);
      return 0;
    }
  while ((c = getopt_long (argc, argv, "+f", opts, NULL)) != -1)
    switch (c)
      {
      case 'f':
        force = true;
        break;
      default:
        return cli_usage_error ("network rm", "invalid option", err);
      }
  if (optind >= argc)
    return cli_usage_error ("network rm", "\"berth network rm\" requires at least 1 argument.", err);
  return network_rm_run (g, argv + optind, force, err);
}

/* --- prune --- */

static bool
network_unused (struct berth_store *s, const struct store_network *n)
{
  struct store_endpoint **eps = NULL;
  cleanup_error oci_error_t *err = NULL;
  bool unused;

  if (store_endpoint_list_network (s, n->id, &eps, &err) < 0)
    return false; /* unknown: never treat as unused */
  unused = eps[0] == NULL;
  store_endpoint_list_free (eps);
  return unused;
}

static int
network_prune_run (struct berth_globals *g, const struct network_filter *f, oci_error_t **err)
{
  struct berth_store *s;
  struct store_network **nets = NULL;
  bool header = false;

  if (cli_store (g, &s, err) < 0 || store_network_list (s, &nets, err) < 0)
    return -1;
  for (size_t i = 0; nets[i]; i++)
    {
      cleanup_error oci_error_t *e = NULL;

      if (network_builtin (nets[i]) || !network_selected (f, nets[i]) || !network_unused (s, nets[i])
          || store_network_remove (s, nets[i]->id, &e) < 0)
        continue;
      network_forget (g, nets[i]);
      if (!header)
        printf ("Deleted Networks:\n");
      header = true;
      printf ("%s\n", nets[i]->name);
    }
  store_network_list_free (nets);
  printf ("\n");
  return 0;
}

int
cmd_network_prune (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  enum
  {
    OPT_FILTER = 256,
  };
  static const struct option opts[] = {
    { "filter", required_argument, NULL, OPT_FILTER },
    { "force", no_argument, NULL, 'f' },
    { NULL, 0, NULL, 0 },
  };
  struct network_filter f = { 0 };
  bool force = false;
  int c, ret = 0;

  if (cli_wants_help (argc, argv))
    {
      fputs (prune_help, stdout);
      return 0;
    }
  while (ret == 0 && (c = getopt_long (argc, argv, "+f", opts, NULL)) != -1)
    switch (c)
      {
      case 'f':
        force = true;
        break;
      case OPT_FILTER:
        ret = network_filter_add (&f, optarg, true, err);
        break;
      default:
        ret = cli_usage_error ("network prune", "invalid option", err);
        break;
      }
  if (ret == 0 && optind < argc)
    ret = cli_usage_error ("network prune", "\"berth network prune\" accepts no arguments.", err);
  else if (ret == 0
           && (force
               || cli_confirm (
                   "WARNING! This will remove all custom networks not used by at least one container.\n"
                   "Are you sure you want to continue?")))
    ret = network_prune_run (g, &f, err);
  network_filter_clear (&f);
  return ret;
}

/* --- connect, disconnect --- */

/* The network and the container of "NETWORK CONTAINER".  */
static int
lookup_pair (struct berth_globals *g, char **args, struct store_network **n, struct store_container **c,
             oci_error_t **err)
{
  struct berth_store *s;

  if (cli_store (g, &s, err) < 0)
    return -1;
  if (streq (args[0], STORE_NETWORK_DEFAULT_NAME))
    {
      if (store_network_default (s, n, err) < 0)
        return -1;
    }
  else if (store_network_lookup (s, args[0], n, err) < 0)
    return -1;
  if (store_container_lookup (s, args[1], c, err) < 0)
    {
      store_network_free (*n);
      *n = NULL;
      return -1;
    }
  return 0;
}

/* docker refuses to attach a container of network mode host, none or
   container:X to a network.  */
static int
check_attachable (const struct store_container *c, oci_error_t **err)
{
  cleanup_container_record struct container_record *r = NULL;
  const char *mode;

  if (container_record_parse (c->record, strlen (c->record), "create.json", &r, err) < 0)
    return -1;
  mode = r->host_config && r->host_config->network_mode ? r->host_config->network_mode : "bridge";
  if (streq (mode, "host"))
    return oci_error_set (err, EPERM,
                          "container cannot be disconnected from host network or connected to host network");
  if (streq (mode, "none"))
    return oci_error_set (
        err, EPERM,
        "container cannot be connected to multiple networks with one of the networks in private "
        "(none) mode");
  if (has_prefix (mode, "container:"))
    return oci_error_set (err, EPERM,
                          "conflicting options: container type network can't be used with multiple networks");
  return 0;
}

static int
network_connect_run (struct berth_globals *g, char **args, char **aliases, const char *ip, oci_error_t **err)
{
  struct store_network *n = NULL;
  struct store_container *c = NULL;
  int ret;

  if (ip && check_ipv4 ("IPv4 address", ip, false, err) < 0)
    return -1;
  if (lookup_pair (g, args, &n, &c, err) < 0)
    return -1;
  if (ip && network_builtin (n))
    ret = oci_error_set (err, EINVAL, "user specified IP address is supported on user defined networks only");
  else if (aliases && network_builtin (n))
    ret = oci_error_set (err, EINVAL,
                         "network-scoped alias is supported only for containers in user defined networks");
  else
    ret = check_attachable (c, err);
  if (ret == 0)
    ret = network_container_connect (g, c, n, aliases, ip, err);
  store_network_free (n);
  store_container_free (c);
  return ret;
}

int
cmd_network_connect (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  enum
  {
    OPT_ALIAS = 256,
    OPT_IP,
  };
  static const struct option opts[] = {
    { "alias", required_argument, NULL, OPT_ALIAS },
    { "ip", required_argument, NULL, OPT_IP },
    { NULL, 0, NULL, 0 },
  };
  cleanup_strv char **aliases = NULL;
  const char *ip = NULL;
  int c;

  if (cli_wants_help (argc, argv))
    {
      fputs (connect_help, stdout);
      return 0;
    }
  while ((c = getopt_long (argc, argv, "+", opts, NULL)) != -1)
    switch (c)
      {
      case OPT_ALIAS:
        for (char *tok = optarg, *end; tok; tok = end ? end + 1 : NULL)
          {
            cleanup_free char *one = NULL;
            end = strchr (tok, ',');
            one = end ? xstrndup (tok, end - tok) : xstrdup (tok);
            if (*one)
              cli_strv_append (&aliases, one);
          }
        break;
      case OPT_IP:
        ip = optarg;
        break;
      default:
        return cli_usage_error ("network connect", "invalid option", err);
      }
  if (argc - optind != 2)
    return cli_usage_error ("network connect", "\"berth network connect\" requires exactly 2 arguments.",
                            err);
  return network_connect_run (g, argv + optind, aliases, ip, err);
}

int
cmd_network_disconnect (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  static const struct option opts[] = {
    { "force", no_argument, NULL, 'f' },
    { NULL, 0, NULL, 0 },
  };
  struct store_network *n = NULL;
  struct store_container *ctr = NULL;
  bool force = false;
  int c, ret;

  if (cli_wants_help (argc, argv))
    {
      fputs (disconnect_help, stdout);
      return 0;
    }
  while ((c = getopt_long (argc, argv, "+f", opts, NULL)) != -1)
    switch (c)
      {
      case 'f':
        force = true;
        break;
      default:
        return cli_usage_error ("network disconnect", "invalid option", err);
      }
  if (argc - optind != 2)
    return cli_usage_error ("network disconnect",
                            "\"berth network disconnect\" requires exactly 2 arguments.", err);
  if (lookup_pair (g, argv + optind, &n, &ctr, err) < 0)
    return -1;
  ret = network_container_disconnect (g, ctr, n, force, err);
  store_network_free (n);
  store_container_free (ctr);
  return ret;
}

/* --- port --- */

/* "80", "80/udp" → port and protocol; docker's errors.  */
static int
parse_private_port (const char *s, int *port, const char **proto, oci_error_t **err)
{
  const char *slash = strchr (s, '/');
  cleanup_free char *num = slash ? xstrndup (s, slash - s) : xstrdup (s);
  char *end;
  long v = strtol (num, &end, 10);

  *proto = slash ? slash + 1 : "tcp";
  if (*num == '\0' || *end || v < 1 || v > 65535)
    return oci_error_set (err, EINVAL, "invalid port: %s", num);
  if (!streq (*proto, "tcp") && !streq (*proto, "udp") && !streq (*proto, "sctp"))
    return oci_error_set (err, EINVAL, "invalid proto: %s", *proto);
  *port = (int) v;
  return 0;
}

static int
port_run (struct berth_globals *g, const char *ref, const char *private_port, oci_error_t **err)
{
  struct berth_store *s;
  struct store_container *c = NULL;
  struct store_port **ports = NULL;
  const char *proto = NULL;
  int want = 0;
  bool found = false;

  if (private_port && parse_private_port (private_port, &want, &proto, err) < 0)
    return -1;
  if (cli_store (g, &s, err) < 0 || store_container_lookup (s, ref, &c, err) < 0)
    return -1;
  if (store_port_list (s, c->id, &ports, err) < 0)
    {
      store_container_free (c);
      return -1;
    }
  for (size_t i = 0; ports[i]; i++)
    {
      struct store_port *p = ports[i];
      if (private_port && (p->container_port != want || !streq (p->proto, proto)))
        continue;
      found = true;
      if (private_port)
        printf ("%s:%d\n", p->host_ip, p->host_port);
      else
        printf ("%d/%s -> %s:%d\n", p->container_port, p->proto, p->host_ip, p->host_port);
    }
  store_port_list_free (ports);
  if (private_port && !found)
    oci_error_set (err, ENOENT, "No public port '%d/%s' published for %s", want, proto, ref);
  store_container_free (c);
  return private_port && !found ? -1 : 0;
}

int
cmd_port (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  static const struct option opts[] = {
    { NULL, 0, NULL, 0 },
  };
  int c;

  if (cli_wants_help (argc, argv))
    {
      fputs (port_help, stdout);
      return 0;
    }
  while ((c = getopt_long (argc, argv, "+", opts, NULL)) != -1)
    return cli_usage_error ("port", "invalid option", err);
  if (argc - optind < 1 || argc - optind > 2)
    return cli_usage_error ("port", "\"berth port\" requires at least 1 and at most 2 arguments.", err);
  return port_run (g, argv[optind], argc - optind == 2 ? argv[optind + 1] : NULL, err);
}
