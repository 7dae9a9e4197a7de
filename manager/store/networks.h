/* Networks in the store (issue #8): bridge networks, the endpoints
   (attachments with their IP allocation) of containers on them and the
   published ports of containers.  Rows only; the kernel side is
   manager/network/.

   Every change is one IMMEDIATE transaction.  Endpoints and ports
   reference containers(id) ON DELETE CASCADE: removing a container row
   releases its addresses and ports in the same transaction.  IPv4 only.  */
#ifndef BERTH_STORE_NETWORKS_H
#define BERTH_STORE_NETWORKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "store.h"

/* The default network: name, Linux bridge and preferred subnet.  */
#define STORE_NETWORK_DEFAULT_NAME   "bridge"
#define STORE_NETWORK_DEFAULT_BRIDGE "berth0"
#define STORE_NETWORK_DEFAULT_SUBNET "10.88.0.0/16"

struct store_network
{
  char *id;      /* 64 hex */
  char *name;    /* unique */
  char *driver;  /* "bridge" */
  char *subnet;  /* "10.89.0.0/24" */
  char *gateway; /* "10.89.0.1" */
  char *bridge;  /* Linux interface name: "berth0" or "br-" + 12 hex */
  bool internal;
  int64_t created; /* unix seconds */
  char **labels;   /* "k=v", NULL-terminated */
  char **options;  /* "k=v" */
};

struct store_endpoint
{
  char *network_id;
  char *container_id;
  char *ip;       /* "10.89.0.2" (prefix length from the network) */
  char *mac;      /* "02:42:0a:59:00:02" */
  char *ifname;   /* in the container: "eth0", "eth1", ... */
  char *veth;     /* host side name, "veth" + 8 hex */
  char **aliases; /* --network-alias / connect --alias, NULL-terminated */
  int position;   /* order of attachment (0 = first network: default route) */
};

struct store_port
{
  char *container_id;
  char *proto;   /* "tcp" | "udp" */
  char *host_ip; /* "0.0.0.0" or a given address */
  int host_port;
  int container_port;
};

/* name taken → EEXIST "network with name NAME already exists"; subnet
   overlapping another berth network or a host route → EINVAL "invalid pool
   request: Pool overlaps with other one on this address space"; validates
   the CIDR and that the gateway is inside the subnet.  subnet NULL: the
   first free 10.89.N.0/24; gateway NULL: the first host address.  Picks the
   bridge name "br-" + 12 hex of the id.  */
int store_network_create (struct berth_store *s, const char *name, const char *subnet, const char *gateway,
                          bool internal, char *const *labels, char *const *options,
                          struct store_network **out, oci_error_t **err);
/* "bridge" (bridge berth0, 10.88.0.0/16 or the next free 10.(88+k).0.0/16
   when a host route overlaps), created when missing.  */
int store_network_default (struct berth_store *s, struct store_network **out, oci_error_t **err);
/* ref: name, full id or unique id prefix (exact name first).  ENOENT
   "network REF not found"; ambiguous prefix: EINVAL "network REF is
   ambiguous (N matches found based on ID prefix)".  */
int store_network_lookup (struct berth_store *s, const char *ref, struct store_network **out,
                          oci_error_t **err);
/* Ordered by creation (the default network first when it exists).  */
int store_network_list (struct berth_store *s, struct store_network ***out, oci_error_t **err);
/* EBUSY "error while removing network: network NAME id ID has active
   endpoints" when any container is attached; "bridge": EPERM "bridge is a
   pre-defined network and cannot be removed"; unknown: ENOENT.  */
int store_network_remove (struct berth_store *s, const char *id, oci_error_t **err);

/* Attachments (membership, persistent while the container exists).
   ip NULL: the lowest free address of the subnet except network, gateway
   and broadcast.  Already attached → EEXIST "endpoint with name CTR already
   exists in network NET"; requested IP in use → EADDRINUSE "Address already
   in use"; requested IP outside the subnet (or network/gateway/broadcast) →
   EINVAL; full → ENOSPC "no available IPv4 addresses on this network's
   address pools".  ifname "eth<position>", position = number of the
   container's endpoints (max + 1).  */
int store_endpoint_add (struct berth_store *s, const char *network_id, const char *container_id,
                        const char *ip, char *const *aliases, struct store_endpoint **out, oci_error_t **err);
/* ENOENT when the container is not attached to the network.  */
int store_endpoint_remove (struct berth_store *s, const char *network_id, const char *container_id,
                           oci_error_t **err);
/* Ordered by position.  */
int store_endpoint_list_container (struct berth_store *s, const char *container_id,
                                   struct store_endpoint ***out, oci_error_t **err);
/* Ordered by position, then container.  */
int store_endpoint_list_network (struct berth_store *s, const char *network_id, struct store_endpoint ***out,
                                 oci_error_t **err);

/* Replaces the container's ports.  A (proto, host_ip, host_port) held by
   another container → EADDRINUSE "Bind for IP:PORT failed: port is already
   allocated".  port->container_id is ignored (container_id is used).  */
int store_port_set (struct berth_store *s, const char *container_id, struct store_port *const *ports,
                    size_t n, oci_error_t **err);
int store_port_clear (struct berth_store *s, const char *container_id, oci_error_t **err);
/* container_id NULL: all.  Ordered by container, container_port, proto,
   host_ip, host_port.  */
int store_port_list (struct berth_store *s, const char *container_id, struct store_port ***out,
                     oci_error_t **err);

void store_network_free (struct store_network *n);
void store_network_list_free (struct store_network **l);
void store_endpoint_free (struct store_endpoint *e);
void store_endpoint_list_free (struct store_endpoint **l);
void store_port_free (struct store_port *p);
void store_port_list_free (struct store_port **l);

/* The host's route table read when picking and checking subnets;
   "/proc/net/route" unless set (tests point it at a fake file).  */
extern const char *store_network_route_file;

/* IPv4 CIDR helpers.  Addresses are host byte order.  */
struct cidr4
{
  uint32_t addr; /* network address (host bits cleared by cidr4_parse) */
  int prefix;    /* 0..32 */
};

/* "a.b.c.d" → *ip.  EINVAL on anything else.  */
int ipv4_parse (const char *text, uint32_t *ip, oci_error_t **err);
/* "a.b.c.d"; caller frees.  */
char *ipv4_format (uint32_t ip);
/* "a.b.c.d/n" (n 0..32) → *out with the host bits cleared.  EINVAL
   "invalid CIDR address: TEXT".  */
int cidr4_parse (const char *text, struct cidr4 *out, oci_error_t **err);
/* "a.b.c.d/n"; caller frees.  */
char *cidr4_format (const struct cidr4 *c);
uint32_t cidr4_mask (int prefix);
uint32_t cidr4_broadcast (const struct cidr4 *c);
bool cidr4_contains (const struct cidr4 *c, uint32_t ip);
bool cidr4_overlap (const struct cidr4 *a, const struct cidr4 *b);
/* The nth address of the subnet (0 = the network address): -1 (ERANGE)
   when n is past the broadcast address.  */
int cidr4_nth (const struct cidr4 *c, uint64_t n, uint32_t *ip, oci_error_t **err);
/* Number of usable host addresses (network/broadcast excluded; /31 and
   /32 count all).  */
uint64_t cidr4_hosts (const struct cidr4 *c);
/* Prefix length of "a.b.c.d/n" (-1 when invalid): IPPrefixLen.  */
int cidr4_prefix_of (const char *subnet);
/* "02:42:0a:59:00:02" for 10.89.0.2; NULL for an invalid address.  */
char *store_endpoint_mac_for (const char *ip);

#endif
