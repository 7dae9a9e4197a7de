/* Networks in the container lifecycle.  At start (before the monitor runs
   `runtime create`): the container's network namespace, bind-mounted at
   <runroot>/netns/<id>, one veth per attached network, the published
   ports reserved; after the end: all of it removed again.  Endpoint rows
   (the IP allocations) stay in the store until the container is removed.
   The hosts files of the running members of a network are rewritten in
   place whenever a member comes or goes.  */
#include "config.h"
#include "setup.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fileutil.h"
#include "manager/container/etcfiles.h"
#include "manager/container/runtime.h"
#include "manager/container/state.h"
#include "manager/network/firewall.h"
#include "manager/network/netlink.h"
#include "manager/network/netns.h"
#include "strbuf.h"
#include "util.h"

#define RECORD_FILE "create.json"

enum net_kind
{
  NET_HOST,
  NET_CONTAINER,
  NET_NONE,
  NET_BRIDGE, /* the default network or a user network */
};

static const char *
net_mode (const struct container_record *r)
{
  const char *m = r->host_config ? r->host_config->network_mode : NULL;
  return m && *m ? m : "bridge";
}

static enum net_kind
net_kind (const struct container_record *r)
{
  const char *m = net_mode (r);

  if (streq (m, "host"))
    return NET_HOST;
  if (has_prefix (m, "container:"))
    return NET_CONTAINER;
  if (streq (m, "none"))
    return NET_NONE;
  return NET_BRIDGE;
}

static bool
is_default_mode (const char *m)
{
  return streq (m, "bridge") || streq (m, "default");
}

char *
network_netns_path (struct berth_globals *g, const char *container_id)
{
  cleanup_free char *runroot = berth_runroot (g);
  char *path;

  xasprintf (&path, "%s/netns/%s", runroot, container_id);
  return path;
}

/* "10.89.0.0/24" → 24.  */
static int
subnet_prefix (const char *subnet)
{
  const char *slash = strchr (subnet ? subnet : "", '/');
  return slash ? atoi (slash + 1) : 32;
}

static int
network_get (struct berth_store *s, const char *mode, struct store_network **out, oci_error_t **err)
{
  if (is_default_mode (mode))
    return store_network_default (s, out, err);
  return store_network_lookup (s, mode, out, err);
}

/* The container's record (create.json).  */
static int
record_of (const struct store_container *c, struct container_record **r, oci_error_t **err)
{
  return container_record_parse (c->record, strlen (c->record), RECORD_FILE, r, err);
}

/* --- the state of the members --- */

/* Running (or about to run again) and plumbed: its netns exists.  */
static bool
member_active (struct berth_globals *g, struct berth_store *s, const char *id)
{
  cleanup_free char *cdir = store_container_dir (s, id), *ns = network_netns_path (g, id);
  cleanup_error oci_error_t *e = NULL;
  struct container_state st;

  if (access (ns, F_OK) < 0 || container_state_read (cdir, &st, &e) < 0)
    return false;
  return st.status == CONTAINER_RUNNING || st.status == CONTAINER_PAUSED || st.status == CONTAINER_RESTARTING;
}

/* "IP\tname shortid alias...\n" for every active member of the network
   other than self.  */
static int
peers_of_network (struct berth_globals *g, struct berth_store *s, const char *network_id, const char *self,
                  struct strbuf *sb, oci_error_t **err)
{
  struct store_endpoint **eps = NULL;

  if (store_endpoint_list_network (s, network_id, &eps, err) < 0)
    return -1;
  for (size_t i = 0; eps[i]; i++)
    {
      struct store_endpoint *ep = eps[i];
      struct store_container *peer = NULL;
      cleanup_error oci_error_t *e = NULL;

      if (streq (ep->container_id, self) || !member_active (g, s, ep->container_id)
          || store_container_lookup (s, ep->container_id, &peer, &e) < 0)
        continue;
      strbuf_addf (sb, "%s\t%s %.12s", ep->ip, peer->name, peer->id);
      for (size_t j = 0; ep->aliases && ep->aliases[j]; j++)
        strbuf_addf (sb, " %s", ep->aliases[j]);
      strbuf_addch (sb, '\n');
      store_container_free (peer);
    }
  store_endpoint_list_free (eps);
  return 0;
}

/* Rewrite the hosts file of one active container: its own address on its
   first network, then its peers on every network.  */
static int
hosts_refresh_one (struct berth_globals *g, struct berth_store *s, const char *id, oci_error_t **err)
{
  cleanup_container_record struct container_record *r = NULL;
  struct store_container *c = NULL;
  struct store_endpoint **eps = NULL;
  struct strbuf peers = STRBUF_INIT;
  cleanup_free char *cdir = NULL;
  int ret = -1;

  if (store_container_lookup (s, id, &c, err) < 0)
    return -1;
  if (record_of (c, &r, err) < 0 || store_endpoint_list_container (s, id, &eps, err) < 0)
    goto out;
  for (size_t i = 0; eps[i]; i++)
    if (peers_of_network (g, s, eps[i]->network_id, id, &peers, err) < 0)
      goto out;
  cdir = store_container_dir (s, id);
  ret = container_hosts_rewrite (r, cdir, eps[0] ? eps[0]->ip : NULL, strbuf_str (&peers), err);
out:
  strbuf_release (&peers);
  store_endpoint_list_free (eps);
  store_container_free (c);
  return ret;
}

/* The active members of the network but skip (NULL: all).  */
static int
hosts_refresh_network (struct berth_globals *g, struct berth_store *s, const char *network_id,
                       const char *skip, oci_error_t **err)
{
  struct store_endpoint **eps = NULL;
  int ret = 0;

  if (store_endpoint_list_network (s, network_id, &eps, err) < 0)
    return -1;
  for (size_t i = 0; eps[i] && ret == 0; i++)
    if ((skip == NULL || !streq (skip, eps[i]->container_id)) && member_active (g, s, eps[i]->container_id))
      ret = hosts_refresh_one (g, s, eps[i]->container_id, err);
  store_endpoint_list_free (eps);
  return ret;
}

int
network_hosts_refresh (struct berth_globals *g, const char *network_id, oci_error_t **err)
{
  struct berth_store *s;

  if (cli_store (g, &s, err) < 0)
    return -1;
  return hosts_refresh_network (g, s, network_id, NULL, err);
}

/* The peers on every network of the container (its endpoints), and the
   container itself when it is active.  Errors are not the caller's
   concern: a stale hosts file must not fail a start or a removal.  */
static void
hosts_refresh_around (struct berth_globals *g, struct berth_store *s, const char *id,
                      struct store_endpoint *const *eps)
{
  for (size_t i = 0; eps && eps[i]; i++)
    {
      cleanup_error oci_error_t *e = NULL;
      hosts_refresh_network (g, s, eps[i]->network_id, id, &e);
    }
  if (member_active (g, s, id))
    {
      cleanup_error oci_error_t *e = NULL;
      hosts_refresh_one (g, s, id, &e);
    }
}

/* --- endpoints --- */

/* The aliases and address asked for on network `name` at create
   (EndpointsConfig of the record).  */
static void
requested_endpoint (const struct container_record *r, const char *name, char *const **aliases,
                    const char **ip)
{
  const struct container_endpoint_config *ec = container_record_endpoint (r, name);

  *aliases = ec ? ec->aliases : NULL;
  *ip = ec && ec->ipam_config ? ec->ipam_config->ipv4_address : NULL;
}

/* The first start attaches the container to the network of its
   NetworkMode; later ones find the endpoint.  A container with endpoints
   already (`network connect` before the first start, or a primary network
   disconnected) keeps what it has.  */
static int
endpoints_ensure (struct berth_store *s, const struct store_container *c, const struct container_record *r,
                  struct store_endpoint ***eps, oci_error_t **err)
{
  struct store_network *n = NULL;
  struct store_endpoint *ep = NULL;
  char *const *aliases;
  const char *ip;
  int ret;

  if (store_endpoint_list_container (s, c->id, eps, err) < 0)
    return -1;
  if ((*eps)[0] != NULL)
    return 0;
  store_endpoint_list_free (*eps);
  *eps = NULL;
  if (network_get (s, net_mode (r), &n, err) < 0)
    return -1;
  requested_endpoint (r, net_mode (r), &aliases, &ip);
  if (aliases == NULL && ip == NULL && !streq (n->name, net_mode (r)))
    requested_endpoint (r, n->name, &aliases, &ip);
  ret = store_endpoint_add (s, n->id, c->id, ip, aliases, &ep, err);
  store_network_free (n);
  store_endpoint_free (ep);
  if (ret < 0)
    return -1;
  return store_endpoint_list_container (s, c->id, eps, err);
}

/* Bridge up, veth in the netns; gateway: the default route to add, or
   NULL.  *bridge_made: the bridge did not exist before.  */
static int
plumb_one (const char *netns, const struct store_network *n, const struct store_endpoint *ep, bool route,
           bool *bridge_made, oci_error_t **err)
{
  cleanup_free char *gw_cidr = NULL;
  int prefix = subnet_prefix (n->subnet);

  xasprintf (&gw_cidr, "%s/%d", n->gateway, prefix);
  if (!nl_link_exists (n->bridge))
    *bridge_made = true;
  if (nl_bridge_ensure (n->bridge, gw_cidr, err) < 0)
    return -1;
  return nl_endpoint_plumb (netns, n->bridge, ep->veth, ep->ifname, ep->ip, prefix, ep->mac,
                            route ? n->gateway : NULL, err);
}

/* Plumb every endpoint; the default route via the first non-internal
   network.  */
static int
plumb_all (struct berth_store *s, const char *netns, struct store_endpoint *const *eps, bool *bridge_made,
           oci_error_t **err)
{
  bool routed = false;

  for (size_t i = 0; eps[i]; i++)
    {
      struct store_network *n = NULL;
      int ret;

      if (store_network_lookup (s, eps[i]->network_id, &n, err) < 0)
        return -1;
      ret = plumb_one (netns, n, eps[i], !routed && !n->internal, bridge_made, err);
      routed |= !n->internal;
      store_network_free (n);
      if (ret < 0)
        return -1;
    }
  return 0;
}

static void
unplumb_veths (struct store_endpoint *const *eps)
{
  for (size_t i = 0; eps && eps[i]; i++)
    {
      cleanup_error oci_error_t *e = NULL;
      nl_endpoint_unplumb (eps[i]->veth, &e);
    }
}

#define UNPLUMB_LOCK "unplumb.lock"

/* Held by the background deletion of the container's veths: the next
   start waits for it before it makes veths of the same names.  */
static int
unplumb_lock (struct berth_store *s, const char *id)
{
  cleanup_free char *cdir = store_container_dir (s, id), *path = NULL;
  int fd;

  xasprintf (&path, "%s/%s", cdir, UNPLUMB_LOCK);
  fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd >= 0 && flock (fd, LOCK_EX) < 0)
    {
      close (fd);
      return -1;
    }
  return fd;
}

/* Deleting a veth waits for an RCU grace period (~10 ms): a detached
   grandchild does it while the caller goes on, holding the unplumb lock.
   false: it could not be started.  */
static bool
unplumb_detached (struct berth_store *s, const char *id, struct store_endpoint *const *eps)
{
  cleanup_close int lock = unplumb_lock (s, id);
  pid_t pid;
  int status;

  if (lock < 0)
    return false;
  pid = fork ();
  if (pid < 0)
    return false;
  if (pid == 0)
    {
      if (fork () != 0)
        _exit (0);
      if (dup2 (lock, 3) < 0)
        _exit (1);
      close_range (4, ~0U, 0);
      unplumb_veths (eps);
      _exit (0);
    }
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  return true;
}

/* The veths (even when a container: joiner keeps the namespace alive),
   then the namespace.  Without the namespace there is nothing: its veths
   went with it.  wait false: the veths are deleted in the background.
   Returns whether there was a namespace.  */
static bool
unplumb_all (struct berth_globals *g, struct berth_store *s, const char *id,
             struct store_endpoint *const *eps, bool wait)
{
  cleanup_free char *netns = network_netns_path (g, id);
  cleanup_error oci_error_t *e = NULL;

  if (access (netns, F_OK) < 0)
    return false;
  if (wait || eps == NULL || eps[0] == NULL || !unplumb_detached (s, id, eps))
    unplumb_veths (eps);
  netns_remove (netns, &e);
  return true;
}

/* --- ports --- */

static void
close_all (int *fds, size_t n)
{
  for (size_t i = 0; fds && i < n; i++)
    if (fds[i] >= 0)
      close (fds[i]);
}

/* Reserve the ports the record publishes and store the mappings.  */
static int
ports_setup (struct berth_store *s, const struct store_container *c, const struct container_record *r,
             int **hold_fds, size_t *n_hold, oci_error_t **err)
{
  struct store_port **ports = NULL;
  size_t n = 0;
  int ret = 0;

  container_record_ports_to_publish (r, &ports, &n);
  if (n > 0)
    {
      ret = ports_reserve (ports, n, c->name, hold_fds, err);
      if (ret == 0)
        {
          *n_hold = n;
          ret = store_port_set (s, c->id, ports, n, err);
          if (ret < 0)
            {
              close_all (*hold_fds, n);
              free (*hold_fds);
              *hold_fds = NULL;
              *n_hold = 0;
            }
        }
    }
  store_port_list_free (ports);
  return ret;
}

/* --- setup and teardown --- */

static int teardown (struct berth_globals *g, const struct store_container *c, bool wait, oci_error_t **err);

static int
setup_bridged (struct berth_globals *g, struct berth_store *s, const struct store_container *c,
               const struct container_record *r, const char *netns, oci_error_t **err)
{
  struct store_endpoint **eps = NULL;
  bool bridge_made = false;
  int ret;

  ret = endpoints_ensure (s, c, r, &eps, err);
  if (ret == 0)
    ret = plumb_all (s, netns, eps, &bridge_made, err);
  if (ret == 0 && bridge_made)
    ret = firewall_sync (g, err);
  if (ret == 0)
    {
      /* Its own address and the peers already there, before it runs.  */
      cleanup_error oci_error_t *e = NULL;
      hosts_refresh_one (g, s, c->id, &e);
    }
  store_endpoint_list_free (eps);
  return ret;
}

int
network_container_setup (struct berth_globals *g, const struct store_container *c,
                         const struct container_record *r, char **netns_path, int **hold_fds, size_t *n_hold,
                         oci_error_t **err)
{
  enum net_kind kind = net_kind (r);
  cleanup_free char *netns = NULL;
  struct berth_store *s;
  int ret, lock;

  *netns_path = NULL;
  *hold_fds = NULL;
  *n_hold = 0;
  if (kind == NET_HOST || kind == NET_CONTAINER)
    return 0;
  if (cli_store (g, &s, err) < 0)
    return -1;
  /* What a previous run killed abruptly may have left, and the veths
     of the previous run being deleted: gone before the same names are
     made again.  */
  if (teardown (g, c, true, err) < 0)
    return -1;
  lock = unplumb_lock (s, c->id);
  if (lock >= 0)
    close (lock);
  if (kind == NET_BRIDGE && ports_setup (s, c, r, hold_fds, n_hold, err) < 0)
    return -1;
  netns = network_netns_path (g, c->id);
  ret = netns_create (netns, err);
  if (ret == 0 && kind == NET_BRIDGE)
    ret = setup_bridged (g, s, c, r, netns, err);
  if (ret < 0)
    {
      cleanup_error oci_error_t *e = NULL;

      close_all (*hold_fds, *n_hold);
      free (*hold_fds);
      *hold_fds = NULL;
      *n_hold = 0;
      network_container_teardown (g, c, &e);
      return -1;
    }
  *netns_path = steal_pointer (&netns);
  return 0;
}

int
network_container_started (struct berth_globals *g, const struct store_container *c, oci_error_t **err)
{
  struct store_endpoint **eps = NULL;
  struct store_port **ports = NULL;
  struct berth_store *s;
  int ret = 0;

  if (cli_store (g, &s, err) < 0 || store_endpoint_list_container (s, c->id, &eps, err) < 0)
    return -1;
  if (store_port_list (s, c->id, &ports, err) < 0)
    ret = -1;
  else if (ports[0] != NULL)
    ret = firewall_sync (g, err);
  if (ret == 0)
    hosts_refresh_around (g, s, c->id, eps);
  store_port_list_free (ports);
  store_endpoint_list_free (eps);
  return ret;
}

static int
teardown (struct berth_globals *g, const struct store_container *c, bool wait, oci_error_t **err)
{
  struct store_endpoint **eps = NULL;
  struct store_port **ports = NULL;
  struct berth_store *s;
  bool had_ports, had_netns;
  int ret = 0;

  if (cli_store (g, &s, err) < 0)
    return -1;
  if (store_endpoint_list_container (s, c->id, &eps, err) < 0)
    return -1;
  had_netns = unplumb_all (g, s, c->id, eps, wait);
  if (store_port_list (s, c->id, &ports, err) < 0)
    ret = -1;
  had_ports = ret == 0 && ports[0] != NULL;
  store_port_list_free (ports);
  if (ret == 0 && had_ports)
    ret = store_port_clear (s, c->id, err);
  if (ret == 0 && had_ports)
    ret = firewall_sync (g, err);
  if (ret == 0 && had_netns)
    hosts_refresh_around (g, s, c->id, eps);
  store_endpoint_list_free (eps);
  return ret;
}

int
network_container_teardown (struct berth_globals *g, const struct store_container *c, oci_error_t **err)
{
  return teardown (g, c, false, err);
}

/* --- connect / disconnect --- */

static int
refuse_mode (const struct store_container *c, oci_error_t **err)
{
  cleanup_container_record struct container_record *r = NULL;
  enum net_kind kind;

  if (record_of (c, &r, err) < 0)
    return -1;
  kind = net_kind (r);
  if (kind == NET_HOST)
    return oci_error_set (err, EINVAL,
                          "container cannot be disconnected from host network or connected to host network");
  if (kind == NET_CONTAINER)
    return oci_error_set (err, EINVAL,
                          "container sharing network namespace with another container or host cannot be "
                          "connected to any other network");
  if (kind == NET_NONE)
    return oci_error_set (
        err, EINVAL,
        "container cannot be connected to multiple networks with one of the networks in private (none) mode");
  return 0;
}

/* The endpoint of c on n, or NULL.  */
static struct store_endpoint *
endpoint_find (struct store_endpoint **eps, const char *network_id)
{
  for (size_t i = 0; eps[i]; i++)
    if (streq (eps[i]->network_id, network_id))
      return eps[i];
  return NULL;
}

static bool
has_route (struct berth_store *s, struct store_endpoint *const *eps, const char *except_network)
{
  for (size_t i = 0; eps[i]; i++)
    {
      struct store_network *n = NULL;
      cleanup_error oci_error_t *e = NULL;
      bool routed;

      if (streq (eps[i]->network_id, except_network)
          || store_network_lookup (s, eps[i]->network_id, &n, &e) < 0)
        continue;
      routed = !n->internal;
      store_network_free (n);
      if (routed)
        return true;
    }
  return false;
}

static int
connect_live (struct berth_globals *g, struct berth_store *s, const struct store_container *c,
              const struct store_network *n, oci_error_t **err)
{
  cleanup_free char *netns = network_netns_path (g, c->id);
  struct store_endpoint **eps = NULL;
  struct store_endpoint *ep;
  bool bridge_made = false;
  int ret;

  if (store_endpoint_list_container (s, c->id, &eps, err) < 0)
    return -1;
  ep = endpoint_find (eps, n->id);
  ret = ep ? plumb_one (netns, n, ep, !n->internal && !has_route (s, eps, n->id), &bridge_made, err) : 0;
  if (ret == 0 && bridge_made)
    ret = firewall_sync (g, err);
  if (ret == 0)
    hosts_refresh_around (g, s, c->id, eps);
  store_endpoint_list_free (eps);
  return ret;
}

int
network_container_connect (struct berth_globals *g, const struct store_container *c,
                           const struct store_network *n, char *const *aliases, const char *ip,
                           oci_error_t **err)
{
  cleanup_container_record struct container_record *r = NULL;
  struct store_endpoint **eps = NULL;
  struct store_endpoint *ep = NULL;
  struct berth_store *s;
  cleanup_error oci_error_t *e = NULL;

  if (refuse_mode (c, err) < 0 || cli_store (g, &s, err) < 0 || record_of (c, &r, err) < 0)
    return -1;
  /* Before the first start: the network of its NetworkMode comes first.  */
  if (endpoints_ensure (s, c, r, &eps, err) < 0)
    return -1;
  store_endpoint_list_free (eps);
  if (store_endpoint_add (s, n->id, c->id, ip, aliases, &ep, err) < 0)
    return -1;
  store_endpoint_free (ep);
  if (!member_active (g, s, c->id))
    return 0;
  if (connect_live (g, s, c, n, err) < 0)
    {
      store_endpoint_remove (s, n->id, c->id, &e);
      return -1;
    }
  return 0;
}

int
network_container_disconnect (struct berth_globals *g, const struct store_container *c,
                              const struct store_network *n, bool force, oci_error_t **err)
{
  struct store_endpoint **eps = NULL;
  struct store_endpoint *ep;
  struct berth_store *s;
  bool active;
  int ret = 0;

  if (cli_store (g, &s, err) < 0 || store_endpoint_list_container (s, c->id, &eps, err) < 0)
    return -1;
  ep = endpoint_find (eps, n->id);
  if (ep == NULL)
    {
      store_endpoint_list_free (eps);
      return oci_error_set (err, ENOENT, "container %s is not connected to network %s", c->id, n->name);
    }
  active = member_active (g, s, c->id);
  if (active && nl_endpoint_unplumb (ep->veth, err) < 0)
    {
      if (!force)
        ret = -1;
      else
        oci_error_free (err);
    }
  if (ret == 0)
    ret = store_endpoint_remove (s, n->id, c->id, err);
  if (ret == 0)
    {
      cleanup_error oci_error_t *e = NULL, *e2 = NULL;

      network_hosts_refresh (g, n->id, &e);
      if (active)
        hosts_refresh_one (g, s, c->id, &e2);
    }
  store_endpoint_list_free (eps);
  return ret;
}

/* --- inspect --- */

char *
network_endpoint_id (const char *network_id, const char *container_id)
{
  char *id;

  xasprintf (&id, "%.32s%.32s", network_id, container_id);
  return id;
}

static void
json_str_kv (struct strbuf *sb, bool comma, const char *key, const char *value)
{
  if (comma)
    strbuf_addch (sb, ',');
  cli_json_string (sb, key);
  strbuf_addch (sb, ':');
  cli_json_string (sb, value ? value : "");
}

/* "Ports": {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8080"}]}.  */
static void
ports_json (struct strbuf *sb, struct store_port *const *ports)
{
  strbuf_addstr (sb, "\"Ports\":{");
  for (size_t i = 0; ports && ports[i]; i++)
    {
      bool first = true;
      char key[32], hp[16];

      for (size_t j = 0; j < i; j++)
        if (ports[j]->container_port == ports[i]->container_port && streq (ports[j]->proto, ports[i]->proto))
          first = false;
      if (!first)
        continue;
      snprintf (key, sizeof key, "%d/%s", ports[i]->container_port, ports[i]->proto);
      if (i)
        strbuf_addch (sb, ',');
      cli_json_string (sb, key);
      strbuf_addstr (sb, ":[");
      for (size_t j = i; ports[j]; j++)
        {
          if (ports[j]->container_port != ports[i]->container_port
              || !streq (ports[j]->proto, ports[i]->proto))
            continue;
          if (j != i)
            strbuf_addch (sb, ',');
          snprintf (hp, sizeof hp, "%d", ports[j]->host_port);
          strbuf_addch (sb, '{');
          json_str_kv (sb, false, "HostIp", ports[j]->host_ip);
          json_str_kv (sb, true, "HostPort", hp);
          strbuf_addch (sb, '}');
        }
      strbuf_addch (sb, ']');
    }
  strbuf_addch (sb, '}');
}

/* The address fields of one endpoint (empty when not active).  */
static void
endpoint_fields_json (struct strbuf *sb, const struct store_network *n, const struct store_endpoint *ep,
                      const char *container_id, bool active)
{
  cleanup_free char *epid = active ? network_endpoint_id (n->id, container_id) : NULL;
  char prefix[16];

  snprintf (prefix, sizeof prefix, "%d", active ? subnet_prefix (n->subnet) : 0);
  json_str_kv (sb, true, "EndpointID", epid);
  json_str_kv (sb, true, "Gateway", active ? n->gateway : "");
  json_str_kv (sb, true, "IPAddress", active ? ep->ip : "");
  strbuf_addf (sb, ",\"IPPrefixLen\":%s", prefix);
  json_str_kv (sb, true, "IPv6Gateway", "");
  json_str_kv (sb, true, "GlobalIPv6Address", "");
  strbuf_addstr (sb, ",\"GlobalIPv6PrefixLen\":0");
  json_str_kv (sb, true, "MacAddress", active ? ep->mac : "");
}

static void
network_entry_json (struct strbuf *sb, const struct store_network *n, const struct store_endpoint *ep,
                    const char *container_id, bool active)
{
  cli_json_string (sb, n->name);
  strbuf_addstr (sb, ":{\"IPAMConfig\":null,\"Links\":null,\"Aliases\":");
  if (ep && ep->aliases && ep->aliases[0])
    {
      strbuf_addch (sb, '[');
      for (size_t i = 0; ep->aliases[i]; i++)
        {
          if (i)
            strbuf_addch (sb, ',');
          cli_json_string (sb, ep->aliases[i]);
        }
      strbuf_addch (sb, ']');
    }
  else
    strbuf_addstr (sb, "null");
  json_str_kv (sb, true, "NetworkID", n->id);
  endpoint_fields_json (sb, n, ep, container_id, active && ep);
  strbuf_addstr (sb, ",\"DriverOpts\":null}");
}

/* Networks {NAME: {...}} and, from the first one, the top-level address
   fields.  */
static void
networks_json (struct strbuf *sb, struct berth_store *s, const struct store_container *c,
               struct store_endpoint *const *eps, bool active)
{
  struct store_network *first = NULL;
  struct strbuf nets = STRBUF_INIT;

  for (size_t i = 0; eps && eps[i]; i++)
    {
      struct store_network *n = NULL;
      cleanup_error oci_error_t *e = NULL;

      if (store_network_lookup (s, eps[i]->network_id, &n, &e) < 0)
        continue;
      if (nets.len)
        strbuf_addch (&nets, ',');
      network_entry_json (&nets, n, eps[i], c->id, active);
      if (first == NULL)
        first = n;
      else
        store_network_free (n);
    }
  if (first)
    endpoint_fields_json (sb, first, eps[0], c->id, active);
  else
    {
      struct store_endpoint none = { 0 };
      struct store_network empty = { .id = (char *) "", .subnet = (char *) "", .gateway = (char *) "" };

      endpoint_fields_json (sb, &empty, &none, c->id, false);
    }
  strbuf_addstr (sb, ",\"Networks\":{");
  strbuf_addstr (sb, strbuf_str (&nets));
  strbuf_addch (sb, '}');
  strbuf_release (&nets);
  store_network_free (first);
}

char *
network_settings_json (struct berth_globals *g, const struct store_container *c)
{
  struct strbuf sb = STRBUF_INIT;
  struct store_endpoint **eps = NULL;
  struct store_port **ports = NULL;
  cleanup_free char *netns = network_netns_path (g, c->id);
  cleanup_error oci_error_t *e = NULL, *e2 = NULL, *e3 = NULL;
  struct berth_store *s = NULL;
  bool active = false;

  if (cli_store (g, &s, &e) == 0)
    {
      active = member_active (g, s, c->id);
      if (store_endpoint_list_container (s, c->id, &eps, &e2) < 0)
        eps = NULL;
      if (store_port_list (s, c->id, &ports, &e3) < 0)
        ports = NULL;
    }
  strbuf_addstr (&sb, "{\"Bridge\":\"\",\"SandboxID\":\"\"");
  json_str_kv (&sb, true, "SandboxKey", active ? netns : "");
  strbuf_addch (&sb, ',');
  ports_json (&sb, active ? ports : NULL);
  strbuf_addstr (&sb, ",\"HairpinMode\":false,\"LinkLocalIPv6Address\":\"\",\"LinkLocalIPv6PrefixLen\":0,"
                      "\"SecondaryIPAddresses\":null,\"SecondaryIPv6Addresses\":null");
  if (s)
    networks_json (&sb, s, c, eps, active);
  else
    strbuf_addstr (&sb, ",\"Networks\":{}");
  strbuf_addch (&sb, '}');
  store_endpoint_list_free (eps);
  store_port_list_free (ports);
  return strbuf_detach (&sb, NULL);
}
