/* Networks in the container lifecycle: the netns, endpoints, published
   ports and hosts files of a container at start, and their teardown.  */
#ifndef BERTH_NETWORK_SETUP_H
#define BERTH_NETWORK_SETUP_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "manager/cli/common.h"
#include "manager/container/record.h"
#include "manager/store/containers.h"
#include "manager/store/networks.h"

/* At start, before the monitor: netns (+ endpoints allocated when
   missing, plumbed), ports reserved (fds returned for the monitor to
   hold), firewall_sync, hosts files of the network's members refreshed.
   *netns_path: the path for config.json (NULL for host / container:
   modes).  */
int network_container_setup (struct berth_globals *g, const struct store_container *c,
                             const struct container_record *r, char **netns_path, int **hold_fds,
                             size_t *n_hold, oci_error_t **err);

/* After the monitor started the container: the firewall (its published
   ports are DNATed only while it runs) and the hosts files of its peers
   and its own.  */
int network_container_started (struct berth_globals *g, const struct store_container *c, oci_error_t **err);

/* After the end (cleanup, rm, failed start): unplumb veths, remove netns,
   clear ports, firewall_sync, refresh peers' hosts files.  Idempotent;
   never fails because something is already gone.  */
int network_container_teardown (struct berth_globals *g, const struct store_container *c, oci_error_t **err);

/* Attach c to n (store endpoint); when c is running: plumbed live and the
   hosts files refreshed.  */
int network_container_connect (struct berth_globals *g, const struct store_container *c,
                               const struct store_network *n, char *const *aliases, const char *ip,
                               oci_error_t **err);
int network_container_disconnect (struct berth_globals *g, const struct store_container *c,
                                  const struct store_network *n, bool force, oci_error_t **err);

/* Rewrite in place the hosts file of every running member of the
   network.  */
int network_hosts_refresh (struct berth_globals *g, const char *network_id, oci_error_t **err);

/* <runroot>/netns/<id>; caller frees.  */
char *network_netns_path (struct berth_globals *g, const char *container_id);

/* docker's EndpointID of a container on a network (stable, 64 hex).  */
char *network_endpoint_id (const char *network_id, const char *container_id);

/* docker inspect's NetworkSettings object of the container.  */
char *network_settings_json (struct berth_globals *g, const struct store_container *c);

#endif
