/* Kernel network plumbing over raw rtnetlink: bridges, veth pairs,
   addresses and routes.  */
#ifndef BERTH_NETLINK_H
#define BERTH_NETLINK_H

#include <stdbool.h>

#include "error.h"

/* Create the bridge NAME when missing, give it GATEWAY_CIDR
   ("10.89.0.1/24") and bring it up; sets net.ipv4.ip_forward=1 and
   net.ipv4.conf.NAME.route_localnet=1.  */
int nl_bridge_ensure (const char *name, const char *gateway_cidr, oci_error_t **err);
/* Delete the link NAME; a missing link is fine.  */
int nl_link_delete (const char *name, oci_error_t **err);
bool nl_link_exists (const char *name);
/* veth pair: host side VETH on BRIDGE and up; the peer made in the netns at
   NETNS_PATH as IFNAME, MAC set, address IP/PREFIX, up; default route via
   GATEWAY when GATEWAY != NULL.  On failure nothing is left behind.  */
int nl_endpoint_plumb (const char *netns_path, const char *bridge, const char *veth, const char *ifname,
                       const char *ip, int prefix, const char *mac, const char *gateway, oci_error_t **err);
/* Delete the host side VETH (the peer goes with it); missing is fine.  */
int nl_endpoint_unplumb (const char *veth, oci_error_t **err);

#endif
