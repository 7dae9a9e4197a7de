/* Networks, endpoints (IPAM) and published ports in the store.  */
#include "config.h"
#include "networks.h"
#include "containers.h"
#include "store_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "json.h"
#include "util.h"

#define NETWORK_COLUMNS                                                                                      \
  "id, name, driver, subnet, gateway, bridge, internal, created, labels_json, options_json"
#define ENDPOINT_COLUMNS "network_id, container_id, ip, mac, ifname, veth, aliases_json, position"
#define PORT_COLUMNS     "container_id, proto, host_ip, host_port, container_port"

#define MSG_OVERLAP "invalid pool request: Pool overlaps with other one on this address space"
#define MSG_NO_POOL                                                                                          \
  "could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the "      \
  "network"

const char *store_network_route_file = "/proc/net/route";

/* CIDR helpers.  */

int
ipv4_parse (const char *text, uint32_t *ip, oci_error_t **err)
{
  struct in_addr a;

  if (text == NULL || inet_pton (AF_INET, text, &a) != 1)
    return oci_error_set (err, EINVAL, "invalid IPv4 address: %s", text ? text : "");
  *ip = ntohl (a.s_addr);
  return 0;
}

char *
ipv4_format (uint32_t ip)
{
  char *p;

  xasprintf (&p, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xff, (ip >> 8) & 0xff, ip & 0xff);
  return p;
}

uint32_t
cidr4_mask (int prefix)
{
  return prefix <= 0 ? 0 : prefix >= 32 ? 0xffffffffu : ~((1u << (32 - prefix)) - 1);
}

uint32_t
cidr4_broadcast (const struct cidr4 *c)
{
  return c->addr | ~cidr4_mask (c->prefix);
}

static int
cidr4_parse_prefix (const char *p, int *prefix)
{
  char *end = NULL;
  long v;

  if (*p < '0' || *p > '9' || strlen (p) > 2)
    return -1;
  errno = 0;
  v = strtol (p, &end, 10);
  if (errno != 0 || *end != '\0' || v < 0 || v > 32)
    return -1;
  *prefix = (int) v;
  return 0;
}

/* Like cidr4_parse, but keeps the host bits (to tell the user).  */
static int
cidr4_parse_raw (const char *text, struct cidr4 *out, oci_error_t **err)
{
  const char *slash = text ? strchr (text, '/') : NULL;
  cleanup_free char *addr = NULL;
  cleanup_error oci_error_t *ignored = NULL;

  if (slash == NULL)
    return oci_error_set (err, EINVAL, "invalid CIDR address: %s", text ? text : "");
  addr = xstrndup (text, slash - text);
  if (ipv4_parse (addr, &out->addr, &ignored) < 0 || cidr4_parse_prefix (slash + 1, &out->prefix) < 0)
    return oci_error_set (err, EINVAL, "invalid CIDR address: %s", text);
  return 0;
}

int
cidr4_parse (const char *text, struct cidr4 *out, oci_error_t **err)
{
  if (cidr4_parse_raw (text, out, err) < 0)
    return -1;
  out->addr &= cidr4_mask (out->prefix);
  return 0;
}

char *
cidr4_format (const struct cidr4 *c)
{
  cleanup_free char *ip = ipv4_format (c->addr);
  char *p;

  xasprintf (&p, "%s/%d", ip, c->prefix);
  return p;
}

bool
cidr4_contains (const struct cidr4 *c, uint32_t ip)
{
  return (ip & cidr4_mask (c->prefix)) == (c->addr & cidr4_mask (c->prefix));
}

bool
cidr4_overlap (const struct cidr4 *a, const struct cidr4 *b)
{
  int p = a->prefix < b->prefix ? a->prefix : b->prefix;

  return (a->addr & cidr4_mask (p)) == (b->addr & cidr4_mask (p));
}

int
cidr4_nth (const struct cidr4 *c, uint64_t n, uint32_t *ip, oci_error_t **err)
{
  uint64_t size = (uint64_t) 1 << (32 - c->prefix);

  if (n >= size)
    return oci_error_set (err, ERANGE, "address %" PRIu64 " is outside %u.%u.%u.%u/%d", n, c->addr >> 24,
                          (c->addr >> 16) & 0xff, (c->addr >> 8) & 0xff, c->addr & 0xff, c->prefix);
  *ip = (c->addr & cidr4_mask (c->prefix)) + (uint32_t) n;
  return 0;
}

uint64_t
cidr4_hosts (const struct cidr4 *c)
{
  uint64_t size = (uint64_t) 1 << (32 - c->prefix);

  return c->prefix >= 31 ? size : size - 2;
}

int
cidr4_prefix_of (const char *subnet)
{
  struct cidr4 c;
  cleanup_error oci_error_t *err = NULL;

  if (cidr4_parse (subnet, &c, &err) < 0)
    return -1;
  return c.prefix;
}

char *
store_endpoint_mac_for (const char *ip)
{
  cleanup_error oci_error_t *err = NULL;
  uint32_t a = 0;
  char *p;

  if (ipv4_parse (ip, &a, &err) < 0)
    return NULL;
  xasprintf (&p, "02:42:%02x:%02x:%02x:%02x", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
  return p;
}

/* Frees.  */

void
store_network_free (struct store_network *n)
{
  if (n == NULL)
    return;
  free (n->id);
  free (n->name);
  free (n->driver);
  free (n->subnet);
  free (n->gateway);
  free (n->bridge);
  strv_free (n->labels);
  strv_free (n->options);
  free (n);
}

void
store_network_list_free (struct store_network **l)
{
  for (size_t i = 0; l && l[i]; i++)
    store_network_free (l[i]);
  free (l);
}

void
store_endpoint_free (struct store_endpoint *e)
{
  if (e == NULL)
    return;
  free (e->network_id);
  free (e->container_id);
  free (e->ip);
  free (e->mac);
  free (e->ifname);
  free (e->veth);
  strv_free (e->aliases);
  free (e);
}

void
store_endpoint_list_free (struct store_endpoint **l)
{
  for (size_t i = 0; l && l[i]; i++)
    store_endpoint_free (l[i]);
  free (l);
}

void
store_port_free (struct store_port *p)
{
  if (p == NULL)
    return;
  free (p->container_id);
  free (p->proto);
  free (p->host_ip);
  free (p);
}

void
store_port_list_free (struct store_port **l)
{
  for (size_t i = 0; l && l[i]; i++)
    store_port_free (l[i]);
  free (l);
}

/* JSON columns: labels/options as objects {"k":"v"}, aliases as arrays;
   the JSON engine handles them as the members of a wrapper object.  */
struct net_json
{
  struct oci_map m;
  char **a;
};

static const struct oci_json_field net_json_fields[] = {
  OCI_F_STRMAP (struct net_json, "m", m, 0),
  OCI_F_STRV (struct net_json, "a", a, 0),
};
static OCI_JSON_DEFINE_TYPE (net_json_type, struct net_json, net_json_fields, NULL);

/* {"m":X} or {"a":X} → X  */
static char *
net_json_member (struct net_json *w, const char *empty)
{
  cleanup_free char *out = NULL;
  cleanup_error oci_error_t *err = NULL;
  size_t len = 0;

  if (oci_json_emit (&net_json_type, w, false, &out, &len, &err) < 0 || len < 7)
    return xstrdup (empty);
  return xstrndup (out + 5, len - 6);
}

static char *
kv_to_json (char *const *kv)
{
  struct net_json w = { 0 };
  char *json;

  for (size_t i = 0; kv && kv[i]; i++)
    {
      const char *eq = strchr (kv[i], '=');
      cleanup_free char *key = eq ? xstrndup (kv[i], eq - kv[i]) : xstrdup (kv[i]);

      oci_map_set (&w.m, key, eq ? eq + 1 : "");
    }
  json = w.m.keys ? net_json_member (&w, "{}") : xstrdup ("{}");
  oci_map_clear (&w.m);
  return json;
}

static char *
strv_to_json (char *const *v)
{
  struct net_json w = { .a = (char **) v };

  if (v == NULL || v[0] == NULL)
    return xstrdup ("[]");
  return net_json_member (&w, "[]");
}

static struct net_json *
net_json_parse (const char *key, const char *json, const char *empty)
{
  struct net_json *w = NULL;
  cleanup_free char *doc = NULL;
  cleanup_error oci_error_t *err = NULL;

  xasprintf (&doc, "{\"%s\":%s}", key, json && *json ? json : empty);
  if (oci_json_parse (&net_json_type, doc, strlen (doc), "network", (void **) &w, &err) < 0)
    return NULL;
  return w;
}

static char **
kv_from_json (const char *json)
{
  struct net_json *w = net_json_parse ("m", json, "{}");
  char **v;

  if (w == NULL)
    return xzalloc (sizeof (char *));
  v = xcalloc (w->m.len + 1, sizeof (char *));
  for (size_t i = 0; i < w->m.len; i++)
    xasprintf (&v[i], "%s=%s", w->m.keys[i], w->m.values[i]);
  oci_json_free (&net_json_type, w);
  return v;
}

static char **
strv_from_json (const char *json)
{
  struct net_json *w = net_json_parse ("a", json, "[]");
  char **v;

  if (w == NULL || w->a == NULL)
    {
      if (w)
        oci_json_free (&net_json_type, w);
      return xzalloc (sizeof (char *));
    }
  v = strv_dup (w->a);
  oci_json_free (&net_json_type, w);
  return v;
}

/* Rows.  */

static char *
col_dup (sqlite3_stmt *st, int i)
{
  const char *t = (const char *) sqlite3_column_text (st, i);

  return xstrdup (t ? t : "");
}

static struct store_network *
network_from_row (sqlite3_stmt *st)
{
  struct store_network *n = xzalloc (sizeof *n);

  n->id = col_dup (st, 0);
  n->name = col_dup (st, 1);
  n->driver = col_dup (st, 2);
  n->subnet = col_dup (st, 3);
  n->gateway = col_dup (st, 4);
  n->bridge = col_dup (st, 5);
  n->internal = sqlite3_column_int (st, 6) != 0;
  n->created = sqlite3_column_int64 (st, 7);
  n->labels = kv_from_json ((const char *) sqlite3_column_text (st, 8));
  n->options = kv_from_json ((const char *) sqlite3_column_text (st, 9));
  return n;
}

static struct store_endpoint *
endpoint_from_row (sqlite3_stmt *st)
{
  struct store_endpoint *e = xzalloc (sizeof *e);

  e->network_id = col_dup (st, 0);
  e->container_id = col_dup (st, 1);
  e->ip = col_dup (st, 2);
  e->mac = col_dup (st, 3);
  e->ifname = col_dup (st, 4);
  e->veth = col_dup (st, 5);
  e->aliases = strv_from_json ((const char *) sqlite3_column_text (st, 6));
  e->position = sqlite3_column_int (st, 7);
  return e;
}

static struct store_port *
port_from_row (sqlite3_stmt *st)
{
  struct store_port *p = xzalloc (sizeof *p);

  p->container_id = col_dup (st, 0);
  p->proto = col_dup (st, 1);
  p->host_ip = col_dup (st, 2);
  p->host_port = sqlite3_column_int (st, 3);
  p->container_port = sqlite3_column_int (st, 4);
  return p;
}

/* Run sql (up to two text parameters, NULL = none) and collect the rows
   with from_row into a NULL-terminated array.  */
static int
query_rows (struct berth_store *s, const char *sql, const char *p1, const char *p2,
            void *(*from_row) (sqlite3_stmt *), void ***out, oci_error_t **err)
{
  cleanup_stmt sqlite3_stmt *st = NULL;
  void **v = xzalloc (sizeof (void *));
  size_t n = 0;
  int rc;

  if (db_prepare (s, sql, &st, err) < 0)
    {
      free (v);
      return -1;
    }
  if (p1)
    db_bind_text (st, 1, p1);
  if (p2)
    db_bind_text (st, 2, p2);
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      v = xreallocarray (v, n + 2, sizeof (void *));
      v[n++] = from_row (st);
      v[n] = NULL;
    }
  *out = v;
  if (rc != SQLITE_DONE)
    return db_fail (s, sql, err);
  return 0;
}

static void *
network_row (sqlite3_stmt *st)
{
  return network_from_row (st);
}

static void *
endpoint_row (sqlite3_stmt *st)
{
  return endpoint_from_row (st);
}

static void *
port_row (sqlite3_stmt *st)
{
  return port_from_row (st);
}

static int
query_networks (struct berth_store *s, const char *where, const char *p1, struct store_network ***out,
                oci_error_t **err)
{
  cleanup_free char *sql = NULL;
  struct store_network **l = NULL;

  xasprintf (&sql, "SELECT " NETWORK_COLUMNS " FROM networks %s ORDER BY name <> '%s', created, rowid", where,
             STORE_NETWORK_DEFAULT_NAME);
  if (query_rows (s, sql, p1, NULL, network_row, (void ***) &l, err) < 0)
    {
      store_network_list_free (l);
      return -1;
    }
  *out = l;
  return 0;
}

int
store_network_list (struct berth_store *s, struct store_network ***out, oci_error_t **err)
{
  return query_networks (s, "", NULL, out, err);
}

/* The one network matching where/p1 (1), none (0).  */
static int
network_find (struct berth_store *s, const char *where, const char *p1, struct store_network **out,
              oci_error_t **err)
{
  struct store_network **l = NULL;

  if (query_networks (s, where, p1, &l, err) < 0)
    return -1;
  if (l[0] == NULL)
    {
      free (l);
      return 0;
    }
  if (out)
    *out = steal_pointer (&l[0]);
  store_network_list_free (l);
  return 1;
}

static bool
is_hex (const char *s)
{
  return s[strspn (s, "0123456789abcdef")] == '\0';
}

int
store_network_lookup (struct berth_store *s, const char *ref, struct store_network **out, oci_error_t **err)
{
  struct store_network **l = NULL;
  cleanup_free char *pattern = NULL;
  size_t n;
  int r;

  r = network_find (s, "WHERE name = ?", ref, out, err);
  if (r == 0 && *ref && is_hex (ref))
    {
      xasprintf (&pattern, "%s*", ref);
      if (query_networks (s, "WHERE id GLOB ?", pattern, &l, err) < 0)
        return -1;
      n = strv_len ((char **) l);
      if (n > 1)
        {
          store_network_list_free (l);
          return oci_error_set (err, EINVAL, "network %s is ambiguous (%zu matches found based on ID prefix)",
                                ref, n);
        }
      r = n == 1;
      if (r)
        *out = steal_pointer (&l[0]);
      store_network_list_free (l);
    }
  if (r == 0)
    return oci_error_set (err, ENOENT, "network %s not found", ref);
  return r < 0 ? -1 : 0;
}

/* Host routes (/proc/net/route): destination/mask of every route but the
   default one and those of the interface skip_iface.  */
static int
read_routes (const char *skip_iface, struct cidr4 **out, size_t *n_out, oci_error_t **err)
{
  cleanup_file FILE *f = fopen (store_network_route_file, "re");
  cleanup_free char *line = NULL;
  size_t cap = 0, n = 0;
  struct cidr4 *v = NULL;

  *out = NULL;
  *n_out = 0;
  if (f == NULL)
    return errno == ENOENT ? 0 : oci_error_errno (err, errno, "open %s", store_network_route_file);
  while (getline (&line, &cap, f) > 0)
    {
      char iface[64];
      unsigned int dst, gw, flags, mask;
      int refcnt, use, metric;

      if (sscanf (line, "%63s %x %x %x %d %d %d %x", iface, &dst, &gw, &flags, &refcnt, &use, &metric, &mask)
          != 8)
        continue; /* the header */
      if (mask == 0 || (skip_iface && streq (iface, skip_iface)))
        continue;
      v = xreallocarray (v, n + 1, sizeof *v);
      v[n].addr = ntohl (dst) & ntohl (mask);
      v[n].prefix = __builtin_popcount (mask);
      n++;
    }
  *out = v;
  *n_out = n;
  return 0;
}

/* The address space in use: host routes (but those of skip_iface) and
   the subnets of berth networks.  */
static int
taken_subnets (struct berth_store *s, const char *skip_iface, struct cidr4 **out, size_t *n_out,
               oci_error_t **err)
{
  struct store_network **l = NULL;
  struct cidr4 *v = NULL;
  size_t n = 0;

  if (read_routes (skip_iface, &v, &n, err) < 0)
    return -1;
  if (store_network_list (s, &l, err) < 0)
    {
      free (v);
      return -1;
    }
  for (size_t i = 0; l[i]; i++)
    {
      cleanup_error oci_error_t *ignored = NULL;

      v = xreallocarray (v, n + 1, sizeof *v);
      if (cidr4_parse (l[i]->subnet, &v[n], &ignored) == 0)
        n++;
    }
  store_network_list_free (l);
  *out = v;
  *n_out = n;
  return 0;
}

static bool
subnet_taken (const struct cidr4 *c, const struct cidr4 *taken, size_t n_taken)
{
  for (size_t i = 0; i < n_taken; i++)
    if (cidr4_overlap (c, &taken[i]))
      return true;
  return false;
}

/* The first free subnet among 10.b.c.0/prefix, b from first_b, c stepping
   by the size of the prefix within the second octet.  */
static int
subnet_pick (struct berth_store *s, int first_b, int prefix, const char *skip_iface, struct cidr4 *out,
             oci_error_t **err)
{
  cleanup_free struct cidr4 *taken = NULL;
  size_t n_taken = 0;
  int step = prefix >= 24 ? 1 : 256;

  if (taken_subnets (s, skip_iface, &taken, &n_taken, err) < 0)
    return -1;
  for (int b = first_b; b <= 255; b++)
    for (int c = 0; c <= 255; c += step)
      {
        struct cidr4 cand
            = { .addr = (10u << 24) | ((uint32_t) b << 16) | ((uint32_t) c << 8), .prefix = prefix };

        if (!subnet_taken (&cand, taken, n_taken))
          {
            *out = cand;
            return 0;
          }
      }
  return oci_error_set (err, ENOSPC, MSG_NO_POOL);
}

static int
subnet_check (struct berth_store *s, const struct cidr4 *c, oci_error_t **err)
{
  cleanup_free struct cidr4 *taken = NULL;
  size_t n_taken = 0;

  if (taken_subnets (s, NULL, &taken, &n_taken, err) < 0)
    return -1;
  if (subnet_taken (c, taken, n_taken))
    return oci_error_set (err, EINVAL, MSG_OVERLAP);
  return 0;
}

/* The subnet (user's or picked) and gateway of a new network.  */
static int
network_addresses (struct berth_store *s, const char *subnet, const char *gateway, struct cidr4 *c,
                   uint32_t *gw, oci_error_t **err)
{
  if (subnet)
    {
      struct cidr4 raw;

      if (cidr4_parse_raw (subnet, &raw, err) < 0)
        return -1;
      *c = raw;
      c->addr &= cidr4_mask (c->prefix);
      if (raw.addr != c->addr)
        {
          cleanup_free char *want = cidr4_format (c);

          return oci_error_set (err, EINVAL, "invalid subnet %s: it should be %s", subnet, want);
        }
      if (c->prefix > 30)
        return oci_error_set (err, EINVAL,
                              "invalid subnet %s: too small, the prefix length must be at most 30", subnet);
      if (subnet_check (s, c, err) < 0)
        return -1;
    }
  else if (gateway)
    return oci_error_set (err, EINVAL, "every ip-range or gateway must have a corresponding subnet");
  else if (subnet_pick (s, 89, 24, NULL, c, err) < 0)
    return -1;
  if (gateway == NULL)
    return cidr4_nth (c, 1, gw, err);
  if (ipv4_parse (gateway, gw, err) < 0)
    return -1;
  if (!cidr4_contains (c, *gw) || *gw == c->addr || *gw == cidr4_broadcast (c))
    return oci_error_set (err, EINVAL, "no matching subnet for gateway %s", gateway);
  return 0;
}

static int
network_insert (struct berth_store *s, const struct store_network *n, char *const *labels,
                char *const *options, oci_error_t **err)
{
  cleanup_stmt sqlite3_stmt *st = NULL;
  cleanup_free char *labels_json = kv_to_json (labels);
  cleanup_free char *options_json = kv_to_json (options);

  if (db_prepare (s, "INSERT INTO networks (" NETWORK_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &st,
                  err)
      < 0)
    return -1;
  db_bind_text (st, 1, n->id);
  db_bind_text (st, 2, n->name);
  db_bind_text (st, 3, n->driver);
  db_bind_text (st, 4, n->subnet);
  db_bind_text (st, 5, n->gateway);
  db_bind_text (st, 6, n->bridge);
  sqlite3_bind_int (st, 7, n->internal);
  sqlite3_bind_int64 (st, 8, n->created);
  db_bind_text (st, 9, labels_json);
  db_bind_text (st, 10, options_json);
  return db_step_done (s, st, "add network", err);
}

/* Inside a transaction: name check, addresses, row.  */
static int
network_create_txn (struct berth_store *s, const char *name, const char *subnet, const char *gateway,
                    bool internal, char *const *labels, char *const *options, const char *bridge,
                    struct store_network **out, oci_error_t **err)
{
  struct store_network n = { .name = (char *) name, .driver = (char *) "bridge", .internal = internal };
  cleanup_free char *id = store_random_id ();
  cleanup_free char *br = NULL;
  cleanup_free char *sub = NULL;
  cleanup_free char *gws = NULL;
  struct cidr4 c;
  uint32_t gw = 0;
  int r = network_find (s, "WHERE name = ?", name, NULL, err);

  if (r != 0)
    return r < 0 ? -1 : oci_error_set (err, EEXIST, "network with name %s already exists", name);
  if (bridge == NULL && network_addresses (s, subnet, gateway, &c, &gw, err) < 0)
    return -1;
  if (bridge != NULL && (subnet_pick (s, 88, 16, bridge, &c, err) < 0 || cidr4_nth (&c, 1, &gw, err) < 0))
    return -1;
  if (bridge == NULL)
    xasprintf (&br, "br-%.12s", id);
  n.id = id;
  n.bridge = bridge ? (char *) bridge : br;
  n.subnet = sub = cidr4_format (&c);
  n.gateway = gws = ipv4_format (gw);
  n.created = time (NULL);
  if (network_insert (s, &n, labels, options, err) < 0)
    return -1;
  return out ? network_find (s, "WHERE id = ?", id, out, err) : 0;
}

static int
network_create (struct berth_store *s, const char *name, const char *subnet, const char *gateway,
                bool internal, char *const *labels, char *const *options, const char *bridge,
                struct store_network **out, oci_error_t **err)
{
  struct store_network *n = NULL;

  if (db_begin (s, err) < 0)
    return -1;
  if (network_create_txn (s, name, subnet, gateway, internal, labels, options, bridge, &n, err) < 0
      || db_commit (s, err) < 0)
    {
      db_rollback (s);
      store_network_free (n);
      return -1;
    }
  if (out)
    *out = n;
  else
    store_network_free (n);
  return 0;
}

/* [a-zA-Z0-9][a-zA-Z0-9_.-]*  */
static bool
network_name_valid (const char *name)
{
  static const char alnum[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  size_t len = strlen (name);

  return len > 0 && len <= 128 && strchr (alnum, name[0]) != NULL
         && strspn (name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == len;
}

int
store_network_create (struct berth_store *s, const char *name, const char *subnet, const char *gateway,
                      bool internal, char *const *labels, char *const *options, struct store_network **out,
                      oci_error_t **err)
{
  if (name == NULL || !network_name_valid (name))
    return oci_error_set (err, EINVAL, "invalid network name \"%s\"", name ? name : "");
  /* Docker's predefined networks always exist.  */
  if (streq (name, STORE_NETWORK_DEFAULT_NAME) || streq (name, "host") || streq (name, "none"))
    return oci_error_set (err, EEXIST, "network with name %s already exists", name);
  return network_create (s, name, subnet, gateway, internal, labels, options, NULL, out, err);
}

int
store_network_default (struct berth_store *s, struct store_network **out, oci_error_t **err)
{
  cleanup_error oci_error_t *create_err = NULL;
  int r = network_find (s, "WHERE name = ?", STORE_NETWORK_DEFAULT_NAME, out, err);

  if (r != 0)
    return r < 0 ? -1 : 0;
  if (network_create (s, STORE_NETWORK_DEFAULT_NAME, NULL, NULL, false, NULL, NULL,
                      STORE_NETWORK_DEFAULT_BRIDGE, out, &create_err)
      == 0)
    return 0;
  /* A concurrent creator won the race: use its network.  */
  r = network_find (s, "WHERE name = ?", STORE_NETWORK_DEFAULT_NAME, out, err);
  if (r == 0)
    {
      *err = steal_pointer (&create_err);
      return -1;
    }
  return r < 0 ? -1 : 0;
}

static int
count_where (struct berth_store *s, const char *sql, const char *p1, const char *p2, int64_t *count,
             oci_error_t **err)
{
  cleanup_stmt sqlite3_stmt *st = NULL;

  if (db_prepare (s, sql, &st, err) < 0)
    return -1;
  db_bind_text (st, 1, p1);
  if (p2)
    db_bind_text (st, 2, p2);
  if (sqlite3_step (st) != SQLITE_ROW)
    return db_fail (s, sql, err);
  *count = sqlite3_column_int64 (st, 0);
  return 0;
}

static int
exec_where (struct berth_store *s, const char *sql, const char *p1, const char *p2, oci_error_t **err)
{
  cleanup_stmt sqlite3_stmt *st = NULL;

  if (db_prepare (s, sql, &st, err) < 0)
    return -1;
  db_bind_text (st, 1, p1);
  if (p2)
    db_bind_text (st, 2, p2);
  return db_step_done (s, st, sql, err);
}

static int
network_remove_txn (struct berth_store *s, const char *id, oci_error_t **err)
{
  struct store_network *n = NULL;
  int64_t users = 0;
  int r = network_find (s, "WHERE id = ?", id, &n, err);

  if (r <= 0)
    return r < 0 ? -1 : oci_error_set (err, ENOENT, "network %s not found", id);
  if (streq (n->name, STORE_NETWORK_DEFAULT_NAME))
    r = oci_error_set (err, EPERM, "%s is a pre-defined network and cannot be removed", n->name);
  else if (count_where (s, "SELECT count(*) FROM endpoints WHERE network_id = ?", id, NULL, &users, err) < 0)
    r = -1;
  else if (users > 0)
    r = oci_error_set (err, EBUSY, "error while removing network: network %s id %s has active endpoints",
                       n->name, n->id);
  else
    r = exec_where (s, "DELETE FROM networks WHERE id = ?", id, NULL, err);
  store_network_free (n);
  return r;
}

int
store_network_remove (struct berth_store *s, const char *id, oci_error_t **err)
{
  if (db_begin (s, err) < 0)
    return -1;
  if (network_remove_txn (s, id, err) < 0)
    {
      db_rollback (s);
      return -1;
    }
  return db_commit (s, err);
}

/* Endpoints.  */

static int
endpoints_query (struct berth_store *s, const char *where, const char *p1, const char *p2,
                 struct store_endpoint ***out, oci_error_t **err)
{
  cleanup_free char *sql = NULL;
  struct store_endpoint **l = NULL;

  xasprintf (&sql, "SELECT " ENDPOINT_COLUMNS " FROM endpoints WHERE %s ORDER BY position, container_id",
             where);
  if (query_rows (s, sql, p1, p2, endpoint_row, (void ***) &l, err) < 0)
    {
      store_endpoint_list_free (l);
      return -1;
    }
  *out = l;
  return 0;
}

int
store_endpoint_list_container (struct berth_store *s, const char *container_id, struct store_endpoint ***out,
                               oci_error_t **err)
{
  return endpoints_query (s, "container_id = ?", container_id, NULL, out, err);
}

int
store_endpoint_list_network (struct berth_store *s, const char *network_id, struct store_endpoint ***out,
                             oci_error_t **err)
{
  return endpoints_query (s, "network_id = ?", network_id, NULL, out, err);
}

static int
cmp_u32 (const void *a, const void *b)
{
  uint32_t x = *(const uint32_t *) a, y = *(const uint32_t *) b;

  return x < y ? -1 : x > y;
}

/* The addresses in use on the network, sorted.  */
static int
used_addresses (struct berth_store *s, const char *network_id, uint32_t **out, size_t *n_out,
                oci_error_t **err)
{
  cleanup_stmt sqlite3_stmt *st = NULL;
  uint32_t *v = NULL;
  size_t n = 0;
  int rc;

  if (db_prepare (s, "SELECT ip FROM endpoints WHERE network_id = ?", &st, err) < 0)
    return -1;
  db_bind_text (st, 1, network_id);
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      cleanup_error oci_error_t *ignored = NULL;
      uint32_t ip = 0;

      if (ipv4_parse ((const char *) sqlite3_column_text (st, 0), &ip, &ignored) < 0)
        continue;
      v = xreallocarray (v, n + 1, sizeof *v);
      v[n++] = ip;
    }
  if (rc != SQLITE_DONE)
    {
      free (v);
      return db_fail (s, "list addresses", err);
    }
  if (n > 1)
    qsort (v, n, sizeof *v, cmp_u32);
  *out = v;
  *n_out = n;
  return 0;
}

static bool
address_used (const uint32_t *used, size_t n, uint32_t ip)
{
  return n > 0 && bsearch (&ip, used, n, sizeof *used, cmp_u32) != NULL;
}

/* The requested address (checked) or the lowest free one.  */
static int
address_pick (struct berth_store *s, const struct store_network *n, const char *want, uint32_t *out,
              oci_error_t **err)
{
  cleanup_free uint32_t *used = NULL;
  size_t n_used = 0;
  struct cidr4 c;
  uint32_t gw = 0, bcast;

  if (cidr4_parse (n->subnet, &c, err) < 0 || ipv4_parse (n->gateway, &gw, err) < 0)
    return oci_error_prefix (err, "network %s", n->name);
  bcast = cidr4_broadcast (&c);
  if (used_addresses (s, n->id, &used, &n_used, err) < 0)
    return -1;
  if (want)
    {
      if (ipv4_parse (want, out, err) < 0)
        return -1;
      if (!cidr4_contains (&c, *out) || *out == c.addr || *out == bcast)
        return oci_error_set (err, EINVAL, "no configured subnet or ip-range contain the IP address %s",
                              want);
      if (*out == gw || address_used (used, n_used, *out))
        return oci_error_set (err, EADDRINUSE, "Address already in use");
      return 0;
    }
  for (uint32_t ip = c.addr + 1; ip < bcast; ip++)
    if (ip != gw && !address_used (used, n_used, ip))
      {
        *out = ip;
        return 0;
      }
  return oci_error_set (err, ENOSPC, "no available IPv4 addresses on this network's address pools");
}

static char *
random_veth (void)
{
  unsigned char raw[4] = { 0 };
  char *p;

  while (getrandom (raw, sizeof raw, 0) != (ssize_t) sizeof raw)
    ;
  xasprintf (&p, "veth%02x%02x%02x%02x", raw[0], raw[1], raw[2], raw[3]);
  return p;
}

/* A veth name no endpoint uses.  */
static int
veth_pick (struct berth_store *s, char **out, oci_error_t **err)
{
  for (;;)
    {
      cleanup_free char *v = random_veth ();
      int64_t count = 0;

      if (count_where (s, "SELECT count(*) FROM endpoints WHERE veth = ?", v, NULL, &count, err) < 0)
        return -1;
      if (count == 0)
        {
          *out = steal_pointer (&v);
          return 0;
        }
    }
}

static int
endpoint_insert (struct berth_store *s, const struct store_endpoint *e, oci_error_t **err)
{
  cleanup_stmt sqlite3_stmt *st = NULL;
  cleanup_free char *aliases = strv_to_json (e->aliases);

  if (db_prepare (s, "INSERT INTO endpoints (" ENDPOINT_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)", &st, err)
      < 0)
    return -1;
  db_bind_text (st, 1, e->network_id);
  db_bind_text (st, 2, e->container_id);
  db_bind_text (st, 3, e->ip);
  db_bind_text (st, 4, e->mac);
  db_bind_text (st, 5, e->ifname);
  db_bind_text (st, 6, e->veth);
  db_bind_text (st, 7, aliases);
  sqlite3_bind_int (st, 8, e->position);
  return db_step_done (s, st, "add endpoint", err);
}

/* The container's name (1), or 0 when there is no such container.  */
static int
container_name (struct berth_store *s, const char *id, char **name, oci_error_t **err)
{
  cleanup_stmt sqlite3_stmt *st = NULL;
  int rc;

  if (db_prepare (s, "SELECT name FROM containers WHERE id = ?", &st, err) < 0)
    return -1;
  db_bind_text (st, 1, id);
  rc = sqlite3_step (st);
  if (rc == SQLITE_DONE)
    return 0;
  if (rc != SQLITE_ROW)
    return db_fail (s, "look up container", err);
  *name = col_dup (st, 0);
  return 1;
}

static int
endpoint_add_txn (struct berth_store *s, const struct store_network *n, const char *container_id,
                  const char *ip, char *const *aliases, oci_error_t **err)
{
  struct store_endpoint e
      = { .network_id = n->id, .container_id = (char *) container_id, .aliases = (char **) aliases };
  cleanup_free char *cname = NULL;
  cleanup_free char *ips = NULL;
  cleanup_free char *veth = NULL;
  cleanup_free char *ifname = NULL;
  cleanup_free char *mac = NULL;
  int64_t count = 0;
  uint32_t addr = 0;
  int r = container_name (s, container_id, &cname, err);

  if (r <= 0)
    return r < 0 ? -1 : oci_error_set (err, ENOENT, "No such container: %s", container_id);
  if (count_where (s, "SELECT count(*) FROM endpoints WHERE container_id = ? AND network_id = ?",
                   container_id, n->id, &count, err)
      < 0)
    return -1;
  if (count > 0)
    return oci_error_set (err, EEXIST, "endpoint with name %s already exists in network %s", cname, n->name);
  if (address_pick (s, n, ip, &addr, err) < 0 || veth_pick (s, &veth, err) < 0
      || count_where (s, "SELECT coalesce(max(position) + 1, 0) FROM endpoints WHERE container_id = ?",
                      container_id, NULL, &count, err)
             < 0)
    return -1;
  e.ip = ips = ipv4_format (addr);
  e.mac = mac = store_endpoint_mac_for (ips);
  e.position = (int) count;
  xasprintf (&ifname, "eth%d", e.position);
  e.ifname = ifname;
  e.veth = veth;
  return endpoint_insert (s, &e, err);
}

int
store_endpoint_add (struct berth_store *s, const char *network_id, const char *container_id, const char *ip,
                    char *const *aliases, struct store_endpoint **out, oci_error_t **err)
{
  struct store_network *n = NULL;
  struct store_endpoint **l = NULL;
  int r;

  if (db_begin (s, err) < 0)
    return -1;
  r = network_find (s, "WHERE id = ?", network_id, &n, err);
  if (r == 0)
    r = oci_error_set (err, ENOENT, "network %s not found", network_id);
  if (r > 0)
    r = endpoint_add_txn (s, n, container_id, ip, aliases, err);
  if (r >= 0 && out)
    r = endpoints_query (s, "network_id = ? AND container_id = ?", network_id, container_id, &l, err);
  store_network_free (n);
  if (r < 0 || db_commit (s, err) < 0)
    {
      db_rollback (s);
      store_endpoint_list_free (l);
      return -1;
    }
  if (out)
    *out = steal_pointer (&l[0]);
  store_endpoint_list_free (l);
  return 0;
}

int
store_endpoint_remove (struct berth_store *s, const char *network_id, const char *container_id,
                       oci_error_t **err)
{
  if (db_begin (s, err) < 0)
    return -1;
  if (exec_where (s, "DELETE FROM endpoints WHERE network_id = ? AND container_id = ?", network_id,
                  container_id, err)
      < 0)
    {
      db_rollback (s);
      return -1;
    }
  if (sqlite3_changes (s->db) == 0)
    {
      db_rollback (s);
      return oci_error_set (err, ENOENT, "container %s is not connected to network %s", container_id,
                            network_id);
    }
  return db_commit (s, err);
}

/* Ports.  */

int
store_port_list (struct berth_store *s, const char *container_id, struct store_port ***out, oci_error_t **err)
{
  struct store_port **l = NULL;
  const char *sql = container_id ? "SELECT " PORT_COLUMNS " FROM ports WHERE container_id = ?"
                                   " ORDER BY container_port, proto, host_ip, host_port"
                                 : "SELECT " PORT_COLUMNS " FROM ports"
                                   " ORDER BY container_id, container_port, proto, host_ip, host_port";

  if (query_rows (s, sql, container_id, NULL, port_row, (void ***) &l, err) < 0)
    {
      store_port_list_free (l);
      return -1;
    }
  *out = l;
  return 0;
}

/* Another container holding the port (same proto and port, same address
   or either one the wildcard) → EADDRINUSE.  */
static int
port_conflict_check (struct berth_store *s, const char *container_id, const struct store_port *p,
                     oci_error_t **err)
{
  cleanup_stmt sqlite3_stmt *st = NULL;
  int rc;

  if (db_prepare (s,
                  "SELECT 1 FROM ports WHERE container_id <> ? AND proto = ? AND host_port = ?"
                  " AND (host_ip = ? OR host_ip = '0.0.0.0' OR ? = '0.0.0.0') LIMIT 1",
                  &st, err)
      < 0)
    return -1;
  db_bind_text (st, 1, container_id);
  db_bind_text (st, 2, p->proto);
  sqlite3_bind_int (st, 3, p->host_port);
  db_bind_text (st, 4, p->host_ip);
  db_bind_text (st, 5, p->host_ip);
  rc = sqlite3_step (st);
  if (rc == SQLITE_ROW)
    return oci_error_set (err, EADDRINUSE, "Bind for %s:%d failed: port is already allocated", p->host_ip,
                          p->host_port);
  if (rc != SQLITE_DONE)
    return db_fail (s, "check port", err);
  return 0;
}

static int
port_insert (struct berth_store *s, const char *container_id, const struct store_port *in, oci_error_t **err)
{
  cleanup_stmt sqlite3_stmt *st = NULL;
  struct store_port norm = *in;
  const struct store_port *p = &norm;
  int rc;

  if (norm.host_ip == NULL || *norm.host_ip == '\0')
    norm.host_ip = (char *) "0.0.0.0";
  if (p->proto == NULL || (!streq (p->proto, "tcp") && !streq (p->proto, "udp")))
    return oci_error_set (err, EINVAL, "invalid protocol \"%s\"", p->proto ? p->proto : "");
  if (p->host_port < 1 || p->host_port > 65535 || p->container_port < 1 || p->container_port > 65535)
    return oci_error_set (err, EINVAL, "invalid port mapping %s:%d:%d/%s", p->host_ip, p->host_port,
                          p->container_port, p->proto);
  if (port_conflict_check (s, container_id, p, err) < 0)
    return -1;
  if (db_prepare (s, "INSERT INTO ports (" PORT_COLUMNS ") VALUES (?, ?, ?, ?, ?)", &st, err) < 0)
    return -1;
  db_bind_text (st, 1, container_id);
  db_bind_text (st, 2, p->proto);
  db_bind_text (st, 3, p->host_ip);
  sqlite3_bind_int (st, 4, p->host_port);
  sqlite3_bind_int (st, 5, p->container_port);
  rc = sqlite3_step (st);
  if (rc == SQLITE_CONSTRAINT)
    return oci_error_set (err, EADDRINUSE, "Bind for %s:%d failed: port is already allocated", p->host_ip,
                          p->host_port);
  if (rc != SQLITE_DONE)
    return db_fail (s, "add port", err);
  return 0;
}

int
store_port_set (struct berth_store *s, const char *container_id, struct store_port *const *ports, size_t n,
                oci_error_t **err)
{
  cleanup_free char *cname = NULL;
  int r;

  if (db_begin (s, err) < 0)
    return -1;
  r = container_name (s, container_id, &cname, err);
  if (r == 0)
    oci_error_set (err, ENOENT, "No such container: %s", container_id);
  if (r <= 0 || exec_where (s, "DELETE FROM ports WHERE container_id = ?", container_id, NULL, err) < 0)
    goto fail;
  for (size_t i = 0; i < n; i++)
    if (port_insert (s, container_id, ports[i], err) < 0)
      goto fail;
  return db_commit (s, err);
fail:
  db_rollback (s);
  return -1;
}

int
store_port_clear (struct berth_store *s, const char *container_id, oci_error_t **err)
{
  if (db_begin (s, err) < 0)
    return -1;
  if (exec_where (s, "DELETE FROM ports WHERE container_id = ?", container_id, NULL, err) < 0)
    {
      db_rollback (s);
      return -1;
    }
  return db_commit (s, err);
}
