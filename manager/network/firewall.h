/* The host firewall of berth: ONE nftables table `ip berth` rendered from
   the store (masquerade, isolation between berth bridges, internal
   networks, DNAT of published ports) and applied atomically; the
   iptables-nft fallback (BERTH-* chains) when nft is missing.  And the
   reservation of published host ports (a bound socket per mapping).  */
#ifndef BERTH_NETWORK_FIREWALL_H
#define BERTH_NETWORK_FIREWALL_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "strbuf.h"
#include "manager/cli/common.h"

struct store_port;

/* A network as the firewall sees it.  */
struct firewall_net
{
  const char *subnet; /* "10.89.0.0/24" */
  const char *bridge; /* "br-0123456789ab" */
  bool internal;
};

/* A published port of an active container, resolved to its address on
   its first network.  */
struct firewall_dnat
{
  const char *proto;   /* "tcp" | "udp" */
  const char *host_ip; /* "0.0.0.0" (any local address) or an address */
  int host_port;
  const char *ip; /* the container's address on its first network */
  int container_port;
  const char *bridge; /* that network's bridge */
};

struct firewall_model
{
  /* NULL: table ip berth, iptables chains BERTH-*; else (at most 16 lower
     hex digits) table ip berth_TAG, chains BERTH_TAG-*.  firewall_sync
     uses a tag for every runroot but the default /run/berth (8 hex of a
     hash of its path): stores used side by side (tests, --root) keep their
     rules apart.  The name is written to <runroot>/firewall.table when
     nft applies it.  */
  const char *tag;
  const struct firewall_net *nets;
  size_t n_nets;
  const struct firewall_dnat *dnats;
  size_t n_dnats;
};

/* Pure: append the ruleset for the model to out.  nft true: an `nft -f`
   script (table ip berth {} + flush table ip berth + the full table); false:
   an `iptables-restore --noflush` input (*nat and *filter with the BERTH-*
   chains flushed and refilled).  Fails (EINVAL) on a malformed field (names
   and addresses are checked, nothing is quoted).  */
int firewall_render (const struct firewall_model *m, bool nft, struct strbuf *out, oci_error_t **err);

/* Render the berth table from the store: every network, and the ports
   (rows of the ports table) of active containers, DNATed to the address on
   their first network (none when that network is internal), and apply it
   atomically.  Active: endpoint rows exist, <runroot>/netns/<id> exists
   (network_container_setup made it, teardown removes it: this covers the
   start before the monitor wrote "running" and restarts), and the state is
   not DEAD nor EXITED by a monitor that died without cleanup.  nft
   preferred; iptables-restore fallback; env BERTH_FIREWALL=nft|iptables
   forces one.  Serialized by flock on <runroot>/firewall.lock.  With nft,
   a script identical to the last one applied (<runroot>/firewall.rules)
   while the kernel's ruleset generation has not moved since execs
   nothing.  Nothing to render:
   the table is deleted.  */
int firewall_sync (struct berth_globals *g, oci_error_t **err);

/* Remove everything berth installed (the table / chains and jumps), e.g.
   when no network is left.  Nothing installed is fine.  */
int firewall_flush (struct berth_globals *g, oci_error_t **err);

/* Port reservation: bind a socket per mapping (SO_REUSEADDR off; tcp
   SOCK_STREAM bind only, udp SOCK_DGRAM bind); host_port 0 → random, the
   port bound is written back.  EADDRINUSE → docker's "driver failed
   programming external connectivity on endpoint NAME: Bind for IP:PORT
   failed: port is already allocated".  *fds (n of them, caller frees the
   array and closes them) are O_CLOEXEC: clearing it for the monitor is the
   caller's job.  On failure nothing stays open.  */
int ports_reserve (struct store_port **ports, size_t n, const char *ctr_name, int **fds, oci_error_t **err);

#endif
