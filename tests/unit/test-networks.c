/* Networks in the store: CIDR helpers, subnet picking against berth
   networks and a fake host route table, IP allocation, endpoints,
   published ports, cascades with container rows and the v3 migration.  */
#include "config.h"
#include "unit.h"

#include <arpa/inet.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fileutil.h"
#include "manager/store/containers.h"
#include "manager/store/networks.h"
#include "manager/store/store.h"
#include "manager/store/store_internal.h"

#define ID_A                                                                                                 \
  "aaaa1111"                                                                                                 \
  "0000000000000000000000000000000000000000000000000000000a"
#define ID_B                                                                                                 \
  "bbbb2222"                                                                                                 \
  "0000000000000000000000000000000000000000000000000000000b"
#define ID_C                                                                                                 \
  "cccc3333"                                                                                                 \
  "0000000000000000000000000000000000000000000000000000000c"
#define IMAGE_ID                                                                                             \
  "sha256:"                                                                                                  \
  "1111111111111111111111111111111111111111111111111111111111111111"

#define ROUTE_HEADER "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"

struct fixture
{
  char dir[64];
  char *root;
  char *routes;
  struct berth_store *s;
};

/* /proc/net/route prints the network-order address as a native integer:
   on little-endian 10.88.0.0 is 0000580A.  */
static void
write_routes (struct fixture *f, const char *body)
{
  FILE *fp = fopen (f->routes, "w");

  assert_non_null (fp);
  fputs (ROUTE_HEADER, fp);
  fputs (body, fp);
  fclose (fp);
}

static void
route_line (char *buf, size_t len, const char *iface, const char *cidr)
{
  cleanup_error oci_error_t *err = NULL;
  struct cidr4 c;
  uint32_t dst, mask;

  assert_int_equal (cidr4_parse (cidr, &c, &err), 0);
  dst = htonl (c.addr);
  mask = htonl (cidr4_mask (c.prefix));
  snprintf (buf, len, "%s\t%08X\t00000000\t0001\t0\t0\t0\t%08X\t0\t0\t0\n", iface, dst, mask);
}

static void
set_routes (struct fixture *f, const char *const *iface_cidr)
{
  char body[4096] = "eth0\t00000000\t0100A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n";

  for (size_t i = 0; iface_cidr && iface_cidr[i]; i += 2)
    {
      char line[256];

      route_line (line, sizeof line, iface_cidr[i], iface_cidr[i + 1]);
      strcat (body, line);
    }
  write_routes (f, body);
}

static int
setup (void **state)
{
  struct fixture *f = xzalloc (sizeof *f);
  oci_error_t *err = NULL;

  strcpy (f->dir, "/tmp/test-networks.XXXXXX");
  if (mkdtemp (f->dir) == NULL)
    return -1;
  xasprintf (&f->root, "%s/root", f->dir);
  xasprintf (&f->routes, "%s/route", f->dir);
  store_network_route_file = f->routes;
  set_routes (f, NULL);
  if (store_open (f->root, &f->s, &err) < 0)
    {
      fprintf (stderr, "%s\n", err->msg);
      return -1;
    }
  *state = f;
  return 0;
}

static int
teardown (void **state)
{
  struct fixture *f = *state;
  cleanup_error oci_error_t *err = NULL;

  store_close (f->s);
  remove_recursive (f->dir, &err);
  store_network_route_file = "/proc/net/route";
  free (f->root);
  free (f->routes);
  free (f);
  return 0;
}

static void
add_container (struct fixture *f, const char *id, const char *name)
{
  cleanup_error oci_error_t *err = NULL;
  struct store_container c = { .id = (char *) id,
                               .name = (char *) name,
                               .image_id = (char *) IMAGE_ID,
                               .image_name = (char *) "busybox",
                               .command = (char *) "sh",
                               .created_ns = 1,
                               .runtime = (char *) "/usr/bin/hull",
                               .record = (char *) "{}" };

  assert_int_equal (store_container_add (f->s, &c, &err), 0);
  assert_no_error (err);
}

static struct store_network *
create_ok (struct fixture *f, const char *name, const char *subnet, const char *gateway)
{
  cleanup_error oci_error_t *err = NULL;
  struct store_network *n = NULL;

  if (store_network_create (f->s, name, subnet, gateway, false, NULL, NULL, &n, &err) < 0)
    fail_msg ("create %s: %s", name, err->msg);
  return n;
}

static void
create_fails (struct fixture *f, const char *name, const char *subnet, const char *gateway, int status,
              const char *msg)
{
  cleanup_error oci_error_t *err = NULL;
  struct store_network *n = NULL;

  assert_int_equal (store_network_create (f->s, name, subnet, gateway, false, NULL, NULL, &n, &err), -1);
  assert_null (n);
  assert_int_equal (err->status, status);
  assert_string_equal (err->msg, msg);
}

static struct store_endpoint *
attach_ok (struct fixture *f, const struct store_network *n, const char *ctr, const char *ip)
{
  cleanup_error oci_error_t *err = NULL;
  struct store_endpoint *e = NULL;

  if (store_endpoint_add (f->s, n->id, ctr, ip, NULL, &e, &err) < 0)
    fail_msg ("attach %s: %s", ctr, err->msg);
  return e;
}

static void
attach_fails (struct fixture *f, const struct store_network *n, const char *ctr, const char *ip, int status,
              const char *msg)
{
  cleanup_error oci_error_t *err = NULL;
  struct store_endpoint *e = NULL;

  assert_int_equal (store_endpoint_add (f->s, n->id, ctr, ip, NULL, &e, &err), -1);
  assert_null (e);
  assert_string_equal (err->msg, msg);
  assert_int_equal (err->status, status);
}

static void
assert_attach_ip (struct fixture *f, const struct store_network *n, const char *ctr, const char *ip)
{
  struct store_endpoint *e = attach_ok (f, n, ctr, NULL);

  assert_string_equal (e->ip, ip);
  store_endpoint_free (e);
}

static void
test_cidr (void **state)
{
  cleanup_error oci_error_t *err = NULL;
  cleanup_free char *text = NULL;
  cleanup_free char *mac = NULL;
  struct cidr4 a, b;
  uint32_t ip;
  static const char *const bad[] = { "10.89.0.0",   "10.89.0.0/33", "300.1.1.1/8", "10.0.0.0/",   "abc/8",
                                     "10.0.0.0/2x", "10.0.0/8",     "10.0.0.0/-1", "10.0.0.0/ 8", "" };

  (void) state;
  assert_int_equal (cidr4_parse ("10.89.3.7/24", &a, &err), 0);
  assert_int_equal (a.addr, 0x0a590300);
  assert_int_equal (a.prefix, 24);
  text = cidr4_format (&a);
  assert_string_equal (text, "10.89.3.0/24");
  assert_int_equal (cidr4_broadcast (&a), 0x0a5903ff);
  assert_int_equal (cidr4_hosts (&a), 254);
  for (size_t i = 0; i < ARRAY_SIZE (bad); i++)
    {
      assert_int_equal (cidr4_parse (bad[i], &b, &err), -1);
      assert_int_equal (err->status, EINVAL);
      assert_error_contains (err, "invalid CIDR address");
      oci_error_free (&err);
    }
  assert_int_equal (ipv4_parse ("1.2.3", &ip, &err), -1);
  oci_error_free (&err);

  assert_int_equal (ipv4_parse ("10.89.3.200", &ip, &err), 0);
  assert_true (cidr4_contains (&a, ip));
  assert_int_equal (ipv4_parse ("10.89.4.1", &ip, &err), 0);
  assert_false (cidr4_contains (&a, ip));

  assert_int_equal (cidr4_parse ("10.88.0.0/16", &b, &err), 0);
  assert_false (cidr4_overlap (&a, &b));
  assert_int_equal (cidr4_parse ("10.88.200.0/24", &a, &err), 0);
  assert_true (cidr4_overlap (&a, &b));
  assert_true (cidr4_overlap (&b, &a));
  assert_int_equal (cidr4_parse ("0.0.0.0/0", &a, &err), 0);
  assert_true (cidr4_overlap (&a, &b));
  assert_int_equal (cidr4_hosts (&a), ((uint64_t) 1 << 32) - 2);

  assert_int_equal (cidr4_parse ("192.168.7.4/30", &a, &err), 0);
  assert_int_equal (cidr4_hosts (&a), 2);
  assert_int_equal (cidr4_nth (&a, 0, &ip, &err), 0);
  assert_int_equal (ip, 0xc0a80704);
  assert_int_equal (cidr4_nth (&a, 3, &ip, &err), 0);
  assert_int_equal (ip, 0xc0a80707);
  assert_int_equal (cidr4_nth (&a, 4, &ip, &err), -1);
  assert_int_equal (err->status, ERANGE);
  oci_error_free (&err);
  assert_int_equal (cidr4_prefix_of ("10.89.0.0/24"), 24);
  assert_int_equal (cidr4_prefix_of ("nope"), -1);

  free (text);
  text = ipv4_format (0x0a590002);
  assert_string_equal (text, "10.89.0.2");
  mac = store_endpoint_mac_for ("10.89.0.2");
  assert_string_equal (mac, "02:42:0a:59:00:02");
  assert_null (store_endpoint_mac_for ("10.89.0"));
}

static void
test_default_network (void **state)
{
  struct fixture *f = *state;
  cleanup_error oci_error_t *err = NULL;
  struct store_network *n = NULL, *again = NULL;

  assert_int_equal (store_network_default (f->s, &n, &err), 0);
  assert_string_equal (n->name, "bridge");
  assert_string_equal (n->bridge, "berth0");
  assert_string_equal (n->subnet, "10.88.0.0/16");
  assert_string_equal (n->gateway, "10.88.0.1");
  assert_string_equal (n->driver, "bridge");
  assert_false (n->internal);
  assert_int_equal (strlen (n->id), 64);
  assert_true (n->id[strspn (n->id, "0123456789abcdef")] == '\0');
  assert_int_equal (store_network_default (f->s, &again, &err), 0);
  assert_string_equal (again->id, n->id);
  store_network_free (again);

  /* Not removable.  */
  assert_int_equal (store_network_remove (f->s, n->id, &err), -1);
  assert_int_equal (err->status, EPERM);
  assert_string_equal (err->msg, "bridge is a pre-defined network and cannot be removed");
  oci_error_free (&err);
  /* Its subnet is taken for user networks.  */
  create_fails (f, "x", "10.88.1.0/24", NULL, EINVAL,
                "invalid pool request: Pool overlaps with other one on this address space");
  store_network_free (n);
}

static void
test_default_network_route_overlap (void **state)
{
  struct fixture *f = *state;
  cleanup_error oci_error_t *err = NULL;
  struct store_network *n = NULL;
  /* A host route in 10.88/16 (not on berth0) moves it; one on berth0 (the
     shared default bridge of another store) does not count.  */
  static const char *const routes[] = { "eth1", "10.88.3.0/24", "berth0", "10.89.0.0/16", NULL };

  set_routes (f, routes);
  assert_int_equal (store_network_default (f->s, &n, &err), 0);
  assert_string_equal (n->subnet, "10.89.0.0/16");
  assert_string_equal (n->gateway, "10.89.0.1");
  store_network_free (n);
}

static void
test_user_network_pick (void **state)
{
  struct fixture *f = *state;
  cleanup_error oci_error_t *err = NULL;
  struct store_network *a, *b, *c, *d, *l = NULL;
  struct store_network **all = NULL;
  static const char *const routes[] = { "eth1", "10.89.1.0/24", "br-other", "10.89.3.0/25", NULL };

  set_routes (f, routes);
  a = create_ok (f, "net-a", NULL, NULL);
  assert_string_equal (a->subnet, "10.89.0.0/24");
  assert_string_equal (a->gateway, "10.89.0.1");
  assert_int_equal (strlen (a->bridge), 15);
  assert_true (strncmp (a->bridge, "br-", 3) == 0);
  assert_true (strncmp (a->bridge + 3, a->id, 12) == 0);
  b = create_ok (f, "net-b", NULL, NULL);
  assert_string_equal (b->subnet, "10.89.2.0/24");
  c = create_ok (f, "net-c", NULL, NULL);
  assert_string_equal (c->subnet, "10.89.4.0/24");
  create_fails (f, "net-a", NULL, NULL, EEXIST, "network with name net-a already exists");
  create_fails (f, "bridge", NULL, NULL, EEXIST, "network with name bridge already exists");
  create_fails (f, "host", NULL, NULL, EEXIST, "network with name host already exists");
  create_fails (f, "none", NULL, NULL, EEXIST, "network with name none already exists");
  assert_int_equal (store_network_remove (f->s, a->id, &err), 0);
  d = create_ok (f, "net-d", NULL, NULL);
  assert_string_equal (d->subnet, "10.89.0.0/24");

  /* Lookups: name, id, prefix; unknown.  */
  assert_int_equal (store_network_lookup (f->s, "net-b", &l, &err), 0);
  assert_string_equal (l->id, b->id);
  store_network_free (l);
  assert_int_equal (store_network_lookup (f->s, c->id, &l, &err), 0);
  assert_string_equal (l->name, "net-c");
  store_network_free (l);
  {
    char prefix[13];

    memcpy (prefix, d->id, 12);
    prefix[12] = '\0';
    assert_int_equal (store_network_lookup (f->s, prefix, &l, &err), 0);
    assert_string_equal (l->name, "net-d");
    store_network_free (l);
  }
  assert_int_equal (store_network_lookup (f->s, "net-a", &l, &err), -1);
  assert_int_equal (err->status, ENOENT);
  assert_string_equal (err->msg, "network net-a not found");
  oci_error_free (&err);

  assert_int_equal (store_network_list (f->s, &all, &err), 0);
  assert_int_equal (strv_len ((char **) all), 3);
  store_network_list_free (all);
  store_network_free (a);
  store_network_free (b);
  store_network_free (c);
  store_network_free (d);
}

static void
test_lookup_ambiguous (void **state)
{
  struct fixture *f = *state;
  cleanup_error oci_error_t *err = NULL;
  struct store_network *n = NULL;

  assert_int_equal (db_exec (f->s,
                             "INSERT INTO networks VALUES ('abc1', 'n1', 'bridge', '10.7.1.0/24', '10.7.1.1',"
                             " 'br-abc1', 0, 1, '{}', '{}');"
                             "INSERT INTO networks VALUES ('abc2', 'n2', 'bridge', '10.7.2.0/24', '10.7.2.1',"
                             " 'br-abc2', 0, 2, '{}', '{}');",
                             &err),
                    0);
  assert_int_equal (store_network_lookup (f->s, "abc", &n, &err), -1);
  assert_int_equal (err->status, EINVAL);
  assert_string_equal (err->msg, "network abc is ambiguous (2 matches found based on ID prefix)");
  oci_error_free (&err);
  assert_int_equal (store_network_lookup (f->s, "abc2", &n, &err), 0);
  assert_string_equal (n->name, "n2");
  assert_null (n->labels[0]);
  store_network_free (n);
}

/* Concurrent allocations (processes) on one network get distinct
   addresses: every allocation is one IMMEDIATE transaction.  */
static void
test_concurrent_allocation (void **state)
{
  struct fixture *f = *state;
  cleanup_error oci_error_t *err = NULL;
  struct store_network *n = create_ok (f, "busy", NULL, NULL);
  static const char *const ids[] = { ID_A, ID_B, ID_C };
  struct store_endpoint **l = NULL;
  pid_t pids[3];

  add_container (f, ID_A, "alpha");
  add_container (f, ID_B, "beta");
  add_container (f, ID_C, "gamma");
  for (int i = 0; i < 3; i++)
    {
      pids[i] = fork ();
      assert_true (pids[i] >= 0);
      if (pids[i] == 0)
        {
          struct berth_store *s = NULL;
          oci_error_t *e = NULL;
          int ok = store_open (f->root, &s, &e) == 0
                   && store_endpoint_add (s, n->id, ids[i], NULL, NULL, NULL, &e) == 0;

          store_close (s);
          oci_error_free (&e);
          store_network_free (n);
          _exit (ok ? 0 : 1);
        }
    }
  for (int i = 0; i < 3; i++)
    {
      int status = 0;

      assert_int_equal (waitpid (pids[i], &status, 0), pids[i]);
      assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
    }
  assert_int_equal (store_endpoint_list_network (f->s, n->id, &l, &err), 0);
  assert_int_equal (strv_len ((char **) l), 3);
  for (int i = 0; i < 3; i++)
    for (int j = i + 1; j < 3; j++)
      assert_string_not_equal (l[i]->ip, l[j]->ip);
  store_endpoint_list_free (l);
  store_network_free (n);
}

static void
test_no_free_pool (void **state)
{
  struct fixture *f = *state;
  cleanup_error oci_error_t *err = NULL;
  struct store_network *n = NULL;
  static const char *const routes[] = { "eth1", "10.0.0.0/8", NULL };
  const char *msg = "could not find an available, non-overlapping IPv4 address pool among the defaults to "
                    "assign to the network";

  set_routes (f, routes);
  create_fails (f, "net", NULL, NULL, ENOSPC, msg);
  assert_int_equal (store_network_default (f->s, &n, &err), -1);
  assert_null (n);
  assert_int_equal (err->status, ENOSPC);
  assert_string_equal (err->msg, msg);
}

static void
test_user_subnet (void **state)
{
  struct fixture *f = *state;
  cleanup_error oci_error_t *err = NULL;
  struct store_network *a, *b, *n = NULL;
  static const char *const routes[] = { "eth1", "192.168.50.0/24", NULL };
  static const char *const labels[] = { "team=infra", "empty=", NULL };
  static const char *const options[] = { "com.docker.network.bridge.name=x", NULL };
  const char *overlap = "invalid pool request: Pool overlaps with other one on this address space";

  set_routes (f, routes);
  a = create_ok (f, "a", "172.30.0.0/16", "172.30.255.254");
  assert_string_equal (a->subnet, "172.30.0.0/16");
  assert_string_equal (a->gateway, "172.30.255.254");
  create_fails (f, "b", "172.30.8.0/24", NULL, EINVAL, overlap);
  create_fails (f, "b", "172.0.0.0/8", NULL, EINVAL, overlap);
  create_fails (f, "b", "192.168.50.128/25", NULL, EINVAL, overlap);
  create_fails (f, "b", "192.168.0.0/16", NULL, EINVAL, overlap);
  create_fails (f, "b", "10.1.0.0", NULL, EINVAL, "invalid CIDR address: 10.1.0.0");
  create_fails (f, "b", "10.1.0.5/24", NULL, EINVAL, "invalid subnet 10.1.0.5/24: it should be 10.1.0.0/24");
  create_fails (f, "b", "10.1.0.0/24", "10.1.1.1", EINVAL, "no matching subnet for gateway 10.1.1.1");
  create_fails (f, "b", "10.1.0.0/24", "10.1.0.255", EINVAL, "no matching subnet for gateway 10.1.0.255");
  create_fails (f, "b", NULL, "10.1.0.1", EINVAL,
                "every ip-range or gateway must have a corresponding subnet");
  create_fails (f, "b", "10.1.0.0/31", NULL, EINVAL,
                "invalid subnet 10.1.0.0/31: too small, the prefix length must be at most 30");
  create_fails (f, "b/c", NULL, NULL, EINVAL, "invalid network name \"b/c\"");

  assert_int_equal (store_network_create (f->s, "b", "10.1.0.0/24", NULL, true, (char *const *) labels,
                                          (char *const *) options, &b, &err),
                    0);
  assert_true (b->internal);
  assert_string_equal (b->gateway, "10.1.0.1");
  assert_int_equal (store_network_lookup (f->s, "b", &n, &err), 0);
  assert_true (n->internal);
  assert_string_equal (n->labels[0], "empty=");
  assert_string_equal (n->labels[1], "team=infra");
  assert_null (n->labels[2]);
  assert_string_equal (n->options[0], "com.docker.network.bridge.name=x");
  assert_null (n->options[1]);
  assert_true (n->created > 0);
  store_network_free (n);
  store_network_free (a);
  store_network_free (b);
}

static void
test_allocation (void **state)
{
  struct fixture *f = *state;
  cleanup_error oci_error_t *err = NULL;
  struct store_network *n = create_ok (f, "small", "10.5.0.0/29", NULL);
  struct store_endpoint *e;
  struct store_endpoint **l = NULL;
  static const char *const aliases[] = { "web", "www", NULL };

  add_container (f, ID_A, "alpha");
  add_container (f, ID_B, "beta");
  add_container (f, ID_C, "gamma");
  assert_int_equal (store_endpoint_add (f->s, n->id, ID_A, NULL, (char *const *) aliases, &e, &err), 0);
  assert_string_equal (e->ip, "10.5.0.2");
  assert_string_equal (e->mac, "02:42:0a:05:00:02");
  assert_string_equal (e->ifname, "eth0");
  assert_int_equal (e->position, 0);
  assert_int_equal (strlen (e->veth), 12);
  assert_true (strncmp (e->veth, "veth", 4) == 0);
  assert_true (e->veth[4 + strspn (e->veth + 4, "0123456789abcdef")] == '\0');
  assert_string_equal (e->aliases[0], "web");
  assert_string_equal (e->aliases[1], "www");
  assert_null (e->aliases[2]);
  assert_string_equal (e->network_id, n->id);
  assert_string_equal (e->container_id, ID_A);
  store_endpoint_free (e);
  assert_attach_ip (f, n, ID_B, "10.5.0.3");
  assert_attach_ip (f, n, ID_C, "10.5.0.4");
  attach_fails (f, n, ID_A, NULL, EEXIST, "endpoint with name alpha already exists in network small");
  attach_fails (f, n, "nope", NULL, ENOENT, "No such container: nope");

  /* Release and reuse the lowest.  */
  assert_int_equal (store_endpoint_remove (f->s, n->id, ID_B, &err), 0);
  assert_int_equal (store_endpoint_remove (f->s, n->id, ID_B, &err), -1);
  assert_int_equal (err->status, ENOENT);
  oci_error_free (&err);
  attach_fails (f, n, ID_B, "10.5.0.4", EADDRINUSE, "Address already in use");
  attach_fails (f, n, ID_B, "10.5.0.1", EADDRINUSE, "Address already in use");
  attach_fails (f, n, ID_B, "10.5.0.9", EINVAL,
                "no configured subnet or ip-range contain the IP address 10.5.0.9");
  attach_fails (f, n, ID_B, "10.5.0.7", EINVAL,
                "no configured subnet or ip-range contain the IP address 10.5.0.7");
  attach_fails (f, n, ID_B, "10.5.0.0", EINVAL,
                "no configured subnet or ip-range contain the IP address 10.5.0.0");
  e = attach_ok (f, n, ID_B, "10.5.0.6");
  assert_string_equal (e->ip, "10.5.0.6");
  store_endpoint_free (e);

  assert_int_equal (store_endpoint_list_network (f->s, n->id, &l, &err), 0);
  assert_int_equal (strv_len ((char **) l), 3);
  store_endpoint_list_free (l);
  store_network_free (n);
}

static void
test_exhaustion (void **state)
{
  struct fixture *f = *state;
  struct store_network *n = create_ok (f, "tiny", "10.6.0.0/30", NULL);

  add_container (f, ID_A, "alpha");
  add_container (f, ID_B, "beta");
  assert_string_equal (n->gateway, "10.6.0.1");
  assert_attach_ip (f, n, ID_A, "10.6.0.2");
  attach_fails (f, n, ID_B, NULL, ENOSPC, "no available IPv4 addresses on this network's address pools");
  store_network_free (n);
}

static void
test_positions_and_cascade (void **state)
{
  struct fixture *f = *state;
  cleanup_error oci_error_t *err = NULL;
  struct store_network *dflt = NULL, *n1 = create_ok (f, "one", NULL, NULL);
  struct store_endpoint **l = NULL;
  struct store_endpoint *e;
  struct store_port p
      = { .proto = (char *) "tcp", .host_ip = (char *) "0.0.0.0", .host_port = 8080, .container_port = 80 };
  struct store_port *pp[] = { &p };
  struct store_port **ports = NULL;

  assert_int_equal (store_network_default (f->s, &dflt, &err), 0);
  add_container (f, ID_A, "alpha");
  add_container (f, ID_B, "beta");
  assert_attach_ip (f, dflt, ID_A, "10.88.0.2");
  e = attach_ok (f, n1, ID_A, NULL);
  assert_string_equal (e->ifname, "eth1");
  assert_int_equal (e->position, 1);
  store_endpoint_free (e);
  assert_int_equal (store_endpoint_list_container (f->s, ID_A, &l, &err), 0);
  assert_string_equal (l[0]->network_id, dflt->id);
  assert_string_equal (l[0]->ifname, "eth0");
  assert_string_equal (l[1]->network_id, n1->id);
  assert_null (l[2]);
  store_endpoint_list_free (l);
  assert_int_equal (store_port_set (f->s, ID_A, pp, 1, &err), 0);

  /* Network with endpoints cannot go.  */
  assert_int_equal (store_network_remove (f->s, n1->id, &err), -1);
  assert_int_equal (err->status, EBUSY);
  {
    cleanup_free char *want = NULL;

    xasprintf (&want, "error while removing network: network one id %s has active endpoints", n1->id);
    assert_string_equal (err->msg, want);
  }
  oci_error_free (&err);

  /* Removing the container row releases addresses and ports.  */
  assert_int_equal (store_container_remove (f->s, ID_A, &err), 0);
  assert_no_error (err);
  assert_int_equal (store_endpoint_list_container (f->s, ID_A, &l, &err), 0);
  assert_null (l[0]);
  store_endpoint_list_free (l);
  assert_int_equal (store_port_list (f->s, NULL, &ports, &err), 0);
  assert_null (ports[0]);
  store_port_list_free (ports);
  assert_attach_ip (f, dflt, ID_B, "10.88.0.2");
  assert_int_equal (store_port_set (f->s, ID_B, pp, 1, &err), 0);
  assert_int_equal (store_network_remove (f->s, n1->id, &err), 0);
  assert_int_equal (store_network_remove (f->s, n1->id, &err), -1);
  assert_int_equal (err->status, ENOENT);
  store_network_free (dflt);
  store_network_free (n1);
}

static void
test_ports (void **state)
{
  struct fixture *f = *state;
  cleanup_error oci_error_t *err = NULL;
  struct store_port p1
      = { .proto = (char *) "tcp", .host_ip = (char *) "127.0.0.1", .host_port = 8080, .container_port = 80 };
  struct store_port p2
      = { .proto = (char *) "udp", .host_ip = (char *) "0.0.0.0", .host_port = 5353, .container_port = 53 };
  struct store_port p3
      = { .proto = (char *) "tcp", .host_ip = (char *) "0.0.0.0", .host_port = 8080, .container_port = 80 };
  struct store_port p4
      = { .proto = (char *) "udp", .host_ip = (char *) "0.0.0.0", .host_port = 8080, .container_port = 80 };
  struct store_port p5
      = { .proto = (char *) "sctp", .host_ip = (char *) "0.0.0.0", .host_port = 1, .container_port = 1 };
  struct store_port *a[] = { &p1, &p2 };
  struct store_port *b[] = { &p4, &p3 };
  struct store_port *c[] = { &p4 };
  struct store_port p6
      = { .proto = (char *) "tcp", .host_ip = (char *) "", .host_port = 9090, .container_port = 90 };
  struct store_port *bad[] = { &p5 };
  struct store_port *wild[] = { &p6 };
  struct store_port **l = NULL;

  add_container (f, ID_A, "alpha");
  add_container (f, ID_B, "beta");
  add_container (f, ID_C, "gamma");
  assert_int_equal (store_port_set (f->s, ID_A, a, 2, &err), 0);
  assert_int_equal (store_port_list (f->s, ID_A, &l, &err), 0);
  assert_string_equal (l[0]->proto, "udp");
  assert_int_equal (l[0]->host_port, 5353);
  assert_int_equal (l[0]->container_port, 53);
  assert_string_equal (l[1]->host_ip, "127.0.0.1");
  assert_string_equal (l[1]->container_id, ID_A);
  assert_null (l[2]);
  store_port_list_free (l);

  /* 0.0.0.0:8080/tcp collides with 127.0.0.1:8080/tcp; nothing of B is
     stored (one transaction).  */
  assert_int_equal (store_port_set (f->s, ID_B, b, 2, &err), -1);
  assert_int_equal (err->status, EADDRINUSE);
  assert_string_equal (err->msg, "Bind for 0.0.0.0:8080 failed: port is already allocated");
  oci_error_free (&err);
  assert_int_equal (store_port_list (f->s, ID_B, &l, &err), 0);
  assert_null (l[0]);
  store_port_list_free (l);
  /* Same port, other protocol: fine.  Setting again replaces.  */
  assert_int_equal (store_port_set (f->s, ID_B, c, 1, &err), 0);
  assert_int_equal (store_port_set (f->s, ID_B, c, 1, &err), 0);
  assert_int_equal (store_port_set (f->s, ID_A, c, 1, &err), -1);
  assert_int_equal (err->status, EADDRINUSE);
  oci_error_free (&err);
  assert_int_equal (store_port_set (f->s, ID_A, bad, 1, &err), -1);
  assert_int_equal (err->status, EINVAL);
  oci_error_free (&err);
  assert_int_equal (store_port_set (f->s, "nope", c, 1, &err), -1);
  assert_int_equal (err->status, ENOENT);
  oci_error_free (&err);
  /* A failed set left A's ports as they were.  */
  assert_int_equal (store_port_list (f->s, NULL, &l, &err), 0);
  assert_int_equal (strv_len ((char **) l), 3);
  store_port_list_free (l);

  /* An empty host address is the wildcard.  */
  assert_int_equal (store_port_set (f->s, ID_C, wild, 1, &err), 0);
  assert_int_equal (store_port_list (f->s, ID_C, &l, &err), 0);
  assert_string_equal (l[0]->host_ip, "0.0.0.0");
  store_port_list_free (l);
  assert_int_equal (store_port_clear (f->s, ID_C, &err), 0);

  assert_int_equal (store_port_clear (f->s, ID_A, &err), 0);
  assert_int_equal (store_port_clear (f->s, "gone", &err), 0);
  assert_int_equal (store_port_list (f->s, NULL, &l, &err), 0);
  assert_string_equal (l[0]->container_id, ID_B);
  assert_null (l[1]);
  store_port_list_free (l);
  /* The store enforces uniqueness itself too.  */
  assert_int_equal (db_exec (f->s, "INSERT INTO ports VALUES ('" ID_A "', 'udp', '0.0.0.0', 8080, 80)", &err),
                    -1);
  oci_error_free (&err);
}

static int
user_version (struct berth_store *s)
{
  sqlite3_stmt *st = NULL;
  int v = -1;

  assert_int_equal (sqlite3_prepare_v2 (s->db, "PRAGMA user_version", -1, &st, NULL), SQLITE_OK);
  if (sqlite3_step (st) == SQLITE_ROW)
    v = sqlite3_column_int (st, 0);
  sqlite3_finalize (st);
  return v;
}

static void
test_migration_v2 (void **state)
{
  struct fixture *f = *state;
  cleanup_error oci_error_t *err = NULL;
  struct store_container *c = NULL;
  struct store_network *n = NULL;

  /* Make the store a v2 one (what the v2 migration left) with a container.  */
  add_container (f, ID_A, "alpha");
  assert_int_equal (db_exec (f->s,
                             "DROP TABLE ports; DROP TABLE endpoints; DROP TABLE networks;"
                             " PRAGMA user_version = 2;",
                             &err),
                    0);
  store_close (f->s);
  f->s = NULL;
  assert_int_equal (store_open (f->root, &f->s, &err), 0);
  assert_no_error (err);
  assert_int_equal (user_version (f->s), 3);
  assert_int_equal (store_container_lookup (f->s, "alpha", &c, &err), 0);
  store_container_free (c);
  assert_int_equal (store_network_default (f->s, &n, &err), 0);
  assert_attach_ip (f, n, ID_A, "10.88.0.2");
  store_network_free (n);
  store_close (f->s);
  /* Reopening an up-to-date store changes nothing.  */
  assert_int_equal (store_open (f->root, &f->s, &err), 0);
  assert_int_equal (user_version (f->s), 3);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_cidr),
    cmocka_unit_test_setup_teardown (test_default_network, setup, teardown),
    cmocka_unit_test_setup_teardown (test_default_network_route_overlap, setup, teardown),
    cmocka_unit_test_setup_teardown (test_user_network_pick, setup, teardown),
    cmocka_unit_test_setup_teardown (test_lookup_ambiguous, setup, teardown),
    cmocka_unit_test_setup_teardown (test_concurrent_allocation, setup, teardown),
    cmocka_unit_test_setup_teardown (test_no_free_pool, setup, teardown),
    cmocka_unit_test_setup_teardown (test_user_subnet, setup, teardown),
    cmocka_unit_test_setup_teardown (test_allocation, setup, teardown),
    cmocka_unit_test_setup_teardown (test_exhaustion, setup, teardown),
    cmocka_unit_test_setup_teardown (test_positions_and_cascade, setup, teardown),
    cmocka_unit_test_setup_teardown (test_ports, setup, teardown),
    cmocka_unit_test_setup_teardown (test_migration_v2, setup, teardown),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
