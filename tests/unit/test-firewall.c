/* The firewall renderer, port reservation and backend choice of
   manager/network/firewall.c (included for its static helpers); the store
   functions it calls when syncing are not used here and are stubbed.  */
#include "config.h"
#include "unit.h"

#include "manager/network/firewall.c"

char *
berth_runroot (struct berth_globals *g)
{
  return xstrdup (g->runroot);
}

#define STUB(decl)                                                                                           \
  decl                                                                                                       \
  {                                                                                                          \
    abort ();                                                                                                \
  }
STUB (int cli_store (struct berth_globals *g, struct berth_store **o, oci_error_t **e))
STUB (int container_state_read (const char *c, struct container_state *st, oci_error_t **e))
STUB (char *store_container_dir (struct berth_store *s, const char *id))
STUB (int store_network_list (struct berth_store *s, struct store_network ***o, oci_error_t **e))
STUB (int store_port_list (struct berth_store *s, const char *c, struct store_port ***o, oci_error_t **e))
STUB (int store_endpoint_list_container (struct berth_store *s, const char *c, struct store_endpoint ***o,
                                         oci_error_t **e))
STUB (void store_endpoint_list_free (struct store_endpoint **l))
STUB (void store_port_list_free (struct store_port **l))
STUB (void store_network_list_free (struct store_network **l))

#define CHECK(c) assert_true (c)

static struct firewall_net nets[] = { { "10.88.0.0/16", "berth0", false },
                                      { "10.89.0.0/24", "br-0123456789ab", true },
                                      { "10.89.1.0/24", "br-aaaaaaaaaaaa", false } };
static struct firewall_dnat d[] = { { "tcp", "0.0.0.0", 8080, "10.88.0.2", 80, "berth0" },
                                    { "udp", "127.0.0.1", 5353, "10.89.1.3", 53, "br-aaaaaaaaaaaa" } };
static struct firewall_model m = { NULL, nets, 3, d, 2 };
static struct firewall_model empty = { 0 };

static void
test_render_nft (void **state)
{
  oci_error_t *err = NULL;

  (void) state;
  cleanup_strbuf struct strbuf t = STRBUF_INIT;
  CHECK (firewall_render (&m, true, &t, &err) == 0);
  CHECK (strstr (t.buf, "table ip berth {}\nflush table ip berth\ntable ip berth {\n") == t.buf);
  CHECK (strstr (t.buf, "ip saddr 10.88.0.0/16 oifname != \"berth0\" masquerade"));
  CHECK (!strstr (t.buf, "ip saddr 10.89.0.0/24"));
  CHECK (strstr (t.buf, "iifname \"br-0123456789ab\" oifname != \"br-0123456789ab\" drop"));
  CHECK (strstr (t.buf, "oifname \"br-0123456789ab\" iifname != \"br-0123456789ab\" drop"));
  CHECK (strstr (t.buf, "iifname \"berth0\" oifname != \"berth0\" jump isolation"));
  CHECK (strstr (t.buf, "\t\ttcp dport 8080 dnat to 10.88.0.2:80\n"));
  CHECK (strstr (t.buf, "ip daddr 127.0.0.1 udp dport 5353 dnat to 10.89.1.3:53"));
  CHECK (strstr (t.buf, "ip daddr 127.0.0.1 udp") < strstr (t.buf, "tcp dport 8080"));
  CHECK (strstr (t.buf, "ip saddr 127.0.0.0/8 oifname \"berth0\" masquerade"));
}

static void
test_render_iptables (void **state)
{
  oci_error_t *err = NULL;

  (void) state;
  cleanup_strbuf struct strbuf t = STRBUF_INIT;
  CHECK (firewall_render (&m, false, &t, &err) == 0);
  CHECK (strstr (t.buf, "-A BERTH-PORTS -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.88.0.2:80\n"));
  CHECK (strstr (
      t.buf,
      "-A BERTH-PORTS -d 127.0.0.1/32 -p udp -m udp --dport 5353 -j DNAT --to-destination 10.89.1.3:53\n"));
  CHECK (strstr (t.buf, "-A BERTH-FORWARD ! -i br-0123456789ab -o br-0123456789ab -j DROP\n"));
  CHECK (strstr (t.buf, "*filter\n") && strstr (t.buf, "COMMIT\n"));
}

static void
test_render_empty (void **state)
{
  oci_error_t *err = NULL;

  (void) state;
  cleanup_strbuf struct strbuf t = STRBUF_INIT;
  CHECK (firewall_render (&empty, true, &t, &err) == 0);
  CHECK (streq (t.buf, "table ip berth {}\ndelete table ip berth\n"));
}

static void
test_render_rejects_bad_input (void **state)
{
  oci_error_t *err = NULL;

  (void) state;
  struct firewall_net bad[] = { { "10.88.0.0/16", "berth0\" accept", false } };
  struct firewall_model mb = { NULL, bad, 1, NULL, 0 };
  cleanup_strbuf struct strbuf t = STRBUF_INIT;
  CHECK (firewall_render (&mb, true, &t, &err) < 0 && err->status == EINVAL);
  oci_error_free (&err);
  bad[0] = (struct firewall_net){ "10.88.0.0/33", "berth0", false };
  CHECK (firewall_render (&mb, true, &t, &err) < 0);
  oci_error_free (&err);
  struct firewall_dnat bd[] = { { "sctp", "0.0.0.0", 80, "10.88.0.2", 80, "berth0" } };
  struct firewall_model md = { NULL, nets, 1, bd, 1 };
  CHECK (firewall_render (&md, true, &t, &err) < 0);
  oci_error_free (&err);
  bd[0] = (struct firewall_dnat){ "tcp", "::", 80, "10.88.0.2", 80, "berth0" };
  CHECK (firewall_render (&md, true, &t, &err) < 0);
  oci_error_free (&err);
}

static void
test_ports_reserve (void **state)
{
  oci_error_t *err = NULL;

  (void) state;
  /* ports_reserve: random, in use, CLOEXEC */
  struct store_port p1 = { (char *) "c", (char *) "tcp", (char *) "127.0.0.1", 0, 80 };
  struct store_port p2 = { (char *) "c", (char *) "udp", (char *) "0.0.0.0", 0, 53 };
  struct store_port *ps[] = { &p1, &p2 };
  int *fds = NULL;
  CHECK (ports_reserve (ps, 2, "web", &fds, &err) == 0);
  CHECK (p1.host_port > 0 && p2.host_port > 0);
  CHECK (fcntl (fds[0], F_GETFD) & FD_CLOEXEC);
  struct store_port p3 = { (char *) "c", (char *) "tcp", (char *) "127.0.0.1", p1.host_port, 80 };
  struct store_port p4 = { (char *) "c", (char *) "tcp", (char *) "0.0.0.0", 0, 81 };
  struct store_port *ps2[] = { &p4, &p3 };
  int *fds2 = NULL;
  CHECK (ports_reserve (ps2, 2, "web2", &fds2, &err) < 0 && err->status == EADDRINUSE);
  char want[200];
  snprintf (want, sizeof want,
            "driver failed programming external connectivity on endpoint web2: Bind for 127.0.0.1:%d failed: "
            "port is already allocated",
            p1.host_port);
  CHECK (err && streq (err->msg, want));
  oci_error_free (&err);
  struct store_port p5 = { (char *) "c", (char *) "tcp", (char *) "0.0.0.0", p1.host_port, 80 };
  struct store_port *ps3[] = { &p5 };
  CHECK (ports_reserve (ps3, 1, "web3", &fds2, &err) < 0 && err->status == EADDRINUSE);
  oci_error_free (&err);
  struct store_port p6 = { (char *) "c", (char *) "tcp", (char *) "192.0.2.1", 8080, 80 };
  struct store_port *ps4[] = { &p6 };
  CHECK (ports_reserve (ps4, 1, "web4", &fds2, &err) < 0 && err->status == EADDRNOTAVAIL);
  oci_error_free (&err);
  close (fds[0]);
  close (fds[1]);
  free (fds);
  /* released: can bind again */
  p3.host_port = p1.host_port;
  struct store_port *ps5[] = { &p3 };
  CHECK (ports_reserve (ps5, 1, "web5", &fds2, &err) == 0);
  close (fds2[0]);
  free (fds2);
}

static void
test_table_tags (void **state)
{
  oci_error_t *err = NULL;

  (void) state;
  /* tags */
  struct firewall_model mt = m;
  cleanup_strbuf struct strbuf t = STRBUF_INIT, u = STRBUF_INIT;
  mt.tag = "0a1b2c3d";
  CHECK (firewall_render (&mt, true, &t, &err) == 0);
  CHECK (
      strstr (t.buf, "table ip berth_0a1b2c3d {}\nflush table ip berth_0a1b2c3d\ntable ip berth_0a1b2c3d {\n")
      == t.buf);
  CHECK (firewall_render (&mt, false, &u, &err) == 0);
  CHECK (strstr (u.buf, ":BERTH_0a1b2c3d-PORTS - [0:0]\n"));
  CHECK (strstr (u.buf, "-A BERTH_0a1b2c3d-FORWARD -i berth0 ! -o berth0 -j BERTH_0a1b2c3d-ISOLATION\n"));
  CHECK (!strstr (u.buf, "BERTH-"));
  mt.tag = "x;y";
  CHECK (firewall_render (&mt, true, &t, &err) < 0);
  oci_error_free (&err);
  struct berth_globals g1 = { .runroot = "/run/berth" }, g2 = { .runroot = "/tmp/x/run" };
  char *t1 = fw_tag (&g1), *t2 = fw_tag (&g2);
  CHECK (t1 == NULL && t2 && strlen (t2) == 8);
  free (t2);
}

static void
test_backend_choice (void **state)
{
  oci_error_t *err = NULL;

  (void) state;
  setenv ("BERTH_FIREWALL", "bogus", 1);
  bool nft;
  char *tool = NULL;
  CHECK (backend_pick (&nft, &tool, &err) < 0);
  oci_error_free (&err);
  setenv ("BERTH_FIREWALL", "iptables", 1);
  CHECK (backend_pick (&nft, &tool, &err) == 0 && !nft && strstr (tool, "iptables-restore"));
  free (tool);
  unsetenv ("BERTH_FIREWALL");
  CHECK (backend_pick (&nft, &tool, &err) == 0 && nft && strstr (tool, "/nft"));
  free (tool);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_render_nft),     cmocka_unit_test (test_render_iptables),
    cmocka_unit_test (test_render_empty),   cmocka_unit_test (test_render_rejects_bad_input),
    cmocka_unit_test (test_ports_reserve),  cmocka_unit_test (test_table_tags),
    cmocka_unit_test (test_backend_choice),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
