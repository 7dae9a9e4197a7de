/* Kernel plumbing (runs as root): bridges, network namespaces and veth
   endpoints, made under test-specific names and removed afterwards.
   Traffic only goes to a namespace the test made.  */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <time.h>

#include "unit.h"
#include "manager/network/netlink.h"
#include "manager/network/netns.h"

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

struct fixture
{
  char dir[64];    /* parent of the namespaces (a private mount) */
  char ns[96];     /* a namespace path */
  char bridge[16]; /* btbr<pid> */
  char veth[16];   /* btv<pid> */
  char gw[32];     /* 10.251.N.1 */
  char gw_cidr[32];
  char ip[32]; /* 10.251.N.2 */
};

static int
setup (void **state)
{
  struct fixture *f = xzalloc (sizeof *f);
  int pid = getpid () % 100000;
  int n = getpid () % 200 + 20;

  snprintf (f->dir, sizeof f->dir, "/tmp/berth-nltest-%d/netns", getpid ());
  snprintf (f->ns, sizeof f->ns, "%s/ns1", f->dir);
  snprintf (f->bridge, sizeof f->bridge, "btbr%d", pid);
  snprintf (f->veth, sizeof f->veth, "btv%d", pid);
  snprintf (f->gw, sizeof f->gw, "10.251.%d.1", n);
  snprintf (f->gw_cidr, sizeof f->gw_cidr, "10.251.%d.1/24", n);
  snprintf (f->ip, sizeof f->ip, "10.251.%d.2", n);
  *state = f;
  return 0;
}

static int
teardown (void **state)
{
  struct fixture *f = *state;
  cleanup_error oci_error_t *err = NULL;
  char top[64];

  nl_endpoint_unplumb (f->veth, &err);
  oci_error_free (&err);
  netns_remove (f->ns, &err);
  oci_error_free (&err);
  nl_link_delete (f->bridge, &err);
  umount2 (f->dir, MNT_DETACH);
  rmdir (f->dir);
  snprintf (top, sizeof top, "/tmp/berth-nltest-%d", getpid ());
  rmdir (top);
  free (f);
  return 0;
}

static bool
is_mounted (const char *path)
{
  cleanup_file FILE *fp = fopen ("/proc/self/mountinfo", "re");
  char line[4096], needle[256];

  snprintf (needle, sizeof needle, " %s ", path);
  while (fp && fgets (line, sizeof line, fp))
    if (strstr (line, needle))
      return true;
  return false;
}

static int
if_flags (const char *name)
{
  cleanup_close int fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  struct ifreq ifr = { 0 };

  snprintf (ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
  if (ioctl (fd, SIOCGIFFLAGS, &ifr) < 0)
    return -1;
  return ifr.ifr_flags;
}

static void
if_addr (const char *name, char *buf, size_t len)
{
  cleanup_close int fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  struct ifreq ifr = { 0 };

  buf[0] = '\0';
  snprintf (ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
  ifr.ifr_addr.sa_family = AF_INET;
  if (ioctl (fd, SIOCGIFADDR, &ifr) == 0)
    inet_ntop (AF_INET, &((struct sockaddr_in *) &ifr.ifr_addr)->sin_addr, buf, len);
}

static void
read_first_line (const char *path, char *buf, size_t len)
{
  cleanup_file FILE *fp = fopen (path, "re");

  buf[0] = '\0';
  if (fp && fgets (buf, len, fp))
    buf[strcspn (buf, "\n")] = '\0';
}

static void
test_bridge (void **state)
{
  struct fixture *f = *state;
  cleanup_error oci_error_t *err = NULL;
  char buf[64], path[128];

  assert_false (nl_link_exists (f->bridge));
  assert_int_equal (nl_bridge_ensure (f->bridge, f->gw_cidr, &err), 0);
  assert_no_error (err);
  assert_true (nl_link_exists (f->bridge));
  /* idempotent */
  assert_int_equal (nl_bridge_ensure (f->bridge, f->gw_cidr, &err), 0);
  assert_no_error (err);
  if_addr (f->bridge, buf, sizeof buf);
  assert_string_equal (buf, f->gw);
  assert_true (if_flags (f->bridge) & IFF_UP);
  snprintf (path, sizeof path, "/sys/class/net/%s/bridge", f->bridge);
  assert_int_equal (access (path, F_OK), 0);
  snprintf (path, sizeof path, "/proc/sys/net/ipv4/conf/%s/route_localnet", f->bridge);
  read_first_line (path, buf, sizeof buf);
  assert_string_equal (buf, "1");
  read_first_line ("/proc/sys/net/ipv4/ip_forward", buf, sizeof buf);
  assert_string_equal (buf, "1");

  assert_int_equal (nl_link_delete (f->bridge, &err), 0);
  assert_no_error (err);
  assert_false (nl_link_exists (f->bridge));
  assert_int_equal (nl_link_delete (f->bridge, &err), 0);
  assert_no_error (err);

  assert_int_equal (nl_bridge_ensure (f->bridge, "10.251.0.1", &err), -1);
  assert_error_contains (err, "invalid CIDR address \"10.251.0.1\"");
  oci_error_free (&err);
  assert_int_equal (nl_bridge_ensure ("this-name-is-too-long", f->gw_cidr, &err), -1);
  assert_error_contains (err, "invalid interface name");
  assert_false (nl_link_exists ("this-name-is-too-long"));
}

static int
check_lo_up (void *data, oci_error_t **err)
{
  (void) data;
  if (!(if_flags ("lo") & IFF_UP))
    return oci_error_set (err, EINVAL, "lo is down");
  if (if_nametoindex ("lo") != 1 || if_nametoindex ("eth0") != 0)
    return oci_error_set (err, EINVAL, "not a fresh namespace");
  return 0;
}

static int
fail_in_ns (void *data, oci_error_t **err)
{
  return oci_error_set (err, EPERM, "boom in %s", (const char *) data);
}

static void
test_netns (void **state)
{
  struct fixture *f = *state;
  cleanup_error oci_error_t *err = NULL;
  struct statfs sfs;
  struct stat st;
  char self[64] = "", buf[64] = "";

  assert_true (readlink ("/proc/self/ns/net", self, sizeof self - 1) > 0);
  assert_int_equal (netns_create (f->ns, &err), 0);
  assert_no_error (err);
  /* the caller is back in its namespace */
  assert_true (readlink ("/proc/self/ns/net", buf, sizeof buf - 1) > 0);
  assert_string_equal (self, buf);
  assert_int_equal (statfs (f->ns, &sfs), 0);
  assert_int_equal (sfs.f_type, NSFS_MAGIC);
  assert_true (is_mounted (f->ns));
  assert_true (is_mounted (f->dir));
  assert_int_equal (netns_enter_run (f->ns, check_lo_up, NULL, &err), 0);
  assert_no_error (err);

  assert_int_equal (netns_enter_run (f->ns, fail_in_ns, "the test", &err), -1);
  assert_error_contains (err, "boom in the test");
  assert_int_equal (err->status, EPERM);
  oci_error_free (&err);

  assert_int_equal (netns_create (f->ns, &err), -1);
  assert_error_contains (err, "already exists");
  assert_int_equal (err->status, EEXIST);
  oci_error_free (&err);

  assert_int_equal (netns_remove (f->ns, &err), 0);
  assert_no_error (err);
  assert_int_equal (stat (f->ns, &st), -1);
  assert_false (is_mounted (f->ns));
  assert_int_equal (netns_remove (f->ns, &err), 0);
  assert_no_error (err);

  assert_int_equal (netns_enter_run (f->ns, check_lo_up, NULL, &err), -1);
  assert_error_contains (err, "open network namespace");
  oci_error_free (&err);
  /* a second create reuses the private parent mount */
  assert_int_equal (netns_create (f->ns, &err), 0);
  assert_no_error (err);
  assert_int_equal (netns_remove (f->ns, &err), 0);
}

struct expect
{
  const char *ip, *mac, *gw;
};

static int
check_endpoint (void *data, oci_error_t **err)
{
  struct expect *e = data;
  cleanup_close int fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  cleanup_file FILE *fp = NULL;
  struct ifreq ifr = { 0 };
  unsigned char *m = (unsigned char *) ifr.ifr_hwaddr.sa_data;
  char buf[64], line[256], dev[32];
  unsigned int dst, gw, flags;
  bool found = false;
  struct in_addr a;

  if_addr ("eth0", buf, sizeof buf);
  if (strcmp (buf, e->ip) != 0)
    return oci_error_set (err, EINVAL, "eth0 has address \"%s\"", buf);
  if (!(if_flags ("eth0") & IFF_UP))
    return oci_error_set (err, EINVAL, "eth0 is down");
  strcpy (ifr.ifr_name, "eth0");
  if (ioctl (fd, SIOCGIFHWADDR, &ifr) < 0)
    return oci_error_errno (err, errno, "SIOCGIFHWADDR");
  snprintf (buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
  if (strcmp (buf, e->mac) != 0)
    return oci_error_set (err, EINVAL, "eth0 has MAC %s", buf);
  fp = fopen ("/proc/net/route", "re");
  while (fp && fgets (line, sizeof line, fp))
    if (sscanf (line, "%31s %x %x %x", dev, &dst, &gw, &flags) == 4 && dst == 0 && streq (dev, "eth0"))
      {
        a.s_addr = gw;
        found = e->gw && streq (inet_ntop (AF_INET, &a, buf, sizeof buf), e->gw);
      }
  if (found != (e->gw != NULL))
    return oci_error_set (err, EINVAL, "default route %s", found ? "unexpected" : "missing");
  return 0;
}

/* A TCP listener on IP inside the namespace NS, started in a forked child;
   returns its pid, the port through *PORT.  */
static pid_t
start_server (const char *ns, const char *ip, int *port)
{
  int p[2];
  pid_t pid;

  assert_int_equal (pipe (p), 0);
  pid = fork ();
  assert_true (pid >= 0);
  if (pid == 0)
    {
      struct sockaddr_in sa = { .sin_family = AF_INET };
      socklen_t len = sizeof sa;
      int nsfd = open (ns, O_RDONLY), s, c;

      alarm (10);
      if (nsfd < 0 || setns (nsfd, CLONE_NEWNET) < 0)
        _exit (1);
      s = socket (AF_INET, SOCK_STREAM, 0);
      inet_pton (AF_INET, ip, &sa.sin_addr);
      if (bind (s, (struct sockaddr *) &sa, sizeof sa) < 0 || listen (s, 1) < 0
          || getsockname (s, (struct sockaddr *) &sa, &len) < 0)
        _exit (2);
      *port = ntohs (sa.sin_port);
      if (write (p[1], port, sizeof *port) != sizeof *port)
        _exit (3);
      c = accept (s, NULL, NULL);
      _exit (c >= 0 && write (c, "ok", 2) == 2 ? 0 : 4);
    }
  close (p[1]);
  assert_int_equal (read (p[0], port, sizeof *port), sizeof *port);
  close (p[0]);
  return pid;
}

static void
check_tcp_connect (const char *ns, const char *ip)
{
  struct sockaddr_in sa = { .sin_family = AF_INET };
  struct timeval tv = { .tv_sec = 5 };
  cleanup_close int s = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int port = 0, status = 0;
  char buf[4] = "";
  pid_t pid = start_server (ns, ip, &port);

  sa.sin_port = htons (port);
  inet_pton (AF_INET, ip, &sa.sin_addr);
  setsockopt (s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt (s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  assert_int_equal (connect (s, (struct sockaddr *) &sa, sizeof sa), 0);
  assert_int_equal (read (s, buf, 2), 2);
  assert_memory_equal (buf, "ok", 2);
  assert_int_equal (waitpid (pid, &status, 0), pid);
  assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
}

static void
test_endpoint (void **state)
{
  struct fixture *f = *state;
  cleanup_error oci_error_t *err = NULL;
  struct expect e = { .ip = f->ip, .mac = "02:42:0a:fb:00:02", .gw = f->gw };
  char path[128];

  assert_int_equal (nl_bridge_ensure (f->bridge, f->gw_cidr, &err), 0);
  assert_int_equal (netns_create (f->ns, &err), 0);
  assert_no_error (err);
  assert_int_equal (nl_endpoint_plumb (f->ns, f->bridge, f->veth, "eth0", f->ip, 24, e.mac, f->gw, &err), 0);
  assert_no_error (err);
  assert_true (nl_link_exists (f->veth));
  assert_true (if_flags (f->veth) & IFF_UP);
  snprintf (path, sizeof path, "/sys/class/net/%s/brif/%s", f->bridge, f->veth);
  assert_int_equal (access (path, F_OK), 0);
  assert_int_equal (netns_enter_run (f->ns, check_endpoint, &e, &err), 0);
  assert_no_error (err);
  check_tcp_connect (f->ns, f->ip);

  /* the same again: the name is taken */
  assert_int_equal (
      nl_endpoint_plumb (f->ns, f->bridge, f->veth, "eth1", "10.251.0.9", 24, e.mac, NULL, &err), -1);
  assert_error_contains (err, f->veth);
  assert_int_equal (err->status, EEXIST);
  oci_error_free (&err);
  assert_true (nl_link_exists (f->veth));

  assert_int_equal (nl_endpoint_unplumb (f->veth, &err), 0);
  assert_no_error (err);
  assert_false (nl_link_exists (f->veth));
  assert_int_equal (nl_endpoint_unplumb (f->veth, &err), 0);
  assert_no_error (err);

  /* plumbed again without a gateway (a second, internal network) */
  e.gw = NULL;
  assert_int_equal (nl_endpoint_plumb (f->ns, f->bridge, f->veth, "eth0", f->ip, 24, e.mac, NULL, &err), 0);
  assert_no_error (err);
  assert_int_equal (netns_enter_run (f->ns, check_endpoint, &e, &err), 0);
  assert_no_error (err);
  /* removing the namespace removes the veth pair */
  assert_int_equal (netns_remove (f->ns, &err), 0);
  for (int i = 0; i < 200 && nl_link_exists (f->veth); i++)
    usleep (5000);
  assert_false (nl_link_exists (f->veth));
}

static void
test_endpoint_failure (void **state)
{
  struct fixture *f = *state;
  cleanup_error oci_error_t *err = NULL;

  assert_int_equal (nl_bridge_ensure (f->bridge, f->gw_cidr, &err), 0);
  assert_int_equal (netns_create (f->ns, &err), 0);
  assert_no_error (err);
  /* a gateway outside the subnet: the route fails, nothing is left */
  assert_int_equal (nl_endpoint_plumb (f->ns, f->bridge, f->veth, "eth0", f->ip, 24, "02:42:0a:fb:00:02",
                                       "192.0.2.1", &err),
                    -1);
  assert_error_contains (err, "add default route via 192.0.2.1 dev eth0");
  oci_error_free (&err);
  assert_false (nl_link_exists (f->veth));

  assert_int_equal (
      nl_endpoint_plumb (f->ns, "btnosuch0", f->veth, "eth0", f->ip, 24, "02:42:0a:fb:00:02", NULL, &err),
      -1);
  assert_error_contains (err, "bridge btnosuch0");
  oci_error_free (&err);
  assert_int_equal (nl_endpoint_plumb (f->ns, f->bridge, f->veth, "eth0", f->ip, 24, "02:42:zz", NULL, &err),
                    -1);
  assert_error_contains (err, "invalid MAC address \"02:42:zz\"");
  oci_error_free (&err);
  assert_int_equal (nl_endpoint_plumb ("/nonexistent/ns", f->bridge, f->veth, "eth0", f->ip, 24,
                                       "02:42:0a:fb:00:02", NULL, &err),
                    -1);
  assert_error_contains (err, "open network namespace /nonexistent/ns");
  oci_error_free (&err);
  assert_false (nl_link_exists (f->veth));
}

static double
now_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* What network setup adds to a container start: the bridge exists, a
   namespace and one endpoint are made.  */
static void
test_setup_cost (void **state)
{
  struct fixture *f = *state;
  cleanup_error oci_error_t *err = NULL;
  double total = 0, worst = 0;
  const int rounds = 20;

  assert_int_equal (nl_bridge_ensure (f->bridge, f->gw_cidr, &err), 0);
  for (int i = 0; i < rounds; i++)
    {
      double t0 = now_ms (), t;

      assert_int_equal (nl_bridge_ensure (f->bridge, f->gw_cidr, &err), 0);
      assert_int_equal (netns_create (f->ns, &err), 0);
      assert_int_equal (
          nl_endpoint_plumb (f->ns, f->bridge, f->veth, "eth0", f->ip, 24, "02:42:0a:fb:00:02", f->gw, &err),
          0);
      assert_no_error (err);
      t = now_ms () - t0;
      total += t;
      worst = t > worst ? t : worst;
      assert_int_equal (nl_endpoint_unplumb (f->veth, &err), 0);
      assert_int_equal (netns_remove (f->ns, &err), 0);
    }
  print_message ("network setup (bridge ensure + netns + endpoint): mean %.2f ms, max %.2f ms over %d\n",
                 total / rounds, worst, rounds);
  assert_true (total / rounds < 100);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_bridge, setup, teardown),
    cmocka_unit_test_setup_teardown (test_netns, setup, teardown),
    cmocka_unit_test_setup_teardown (test_endpoint, setup, teardown),
    cmocka_unit_test_setup_teardown (test_endpoint_failure, setup, teardown),
    cmocka_unit_test_setup_teardown (test_setup_cost, setup, teardown),
  };

  if (geteuid () != 0)
    {
      fprintf (stderr, "test-netlink: needs root, skipped\n");
      return 77;
    }
  return cmocka_run_group_tests (tests, NULL, NULL);
}
