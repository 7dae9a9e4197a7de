/* The per-container /etc/hosts, /etc/hostname and /etc/resolv.conf,
   written into the container dir and bind-mounted by the runtime.  */
#ifndef BERTH_CONTAINER_ETCFILES_H
#define BERTH_CONTAINER_ETCFILES_H

#include "error.h"
#include "record.h"

/* <cdir>/hosts, <cdir>/hostname, <cdir>/resolv.conf from the record
   (Config.Hostname, HostConfig.ExtraHosts, Dns, DnsSearch, DnsOptions,
   NetworkMode), each written atomically.  */
int container_etc_files_write (const struct container_record *r, const char *cdir, oci_error_t **err);

/* The contents alone (for tests and for callers with other places).
   host_hosts / host_resolv: the host's /etc/hosts and /etc/resolv.conf
   texts (NULL: none).  */
char *container_hosts_content (const struct container_record *r, const char *host_hosts);
/* The same on a network: own_ip (NULL: 127.0.1.1) for the container's
   hostname, then peers ("IP\tname shortid alias...\n" lines, may be
   NULL) appended.  */
char *container_hosts_content_net (const struct container_record *r, const char *host_hosts,
                                   const char *own_ip, const char *peers);
/* Rewrite <cdir>/hosts in place (truncate + write: a running container
   has it bind-mounted) with container_hosts_content_net.  Not for
   --network host.  */
int container_hosts_rewrite (const struct container_record *r, const char *cdir, const char *own_ip,
                             const char *peers, oci_error_t **err);
char *container_resolv_content (const struct container_record *r, const char *host_resolv);

#endif
