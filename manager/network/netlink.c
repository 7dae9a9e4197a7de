/* Raw rtnetlink: every request carries NLM_F_ACK and a sequence number,
   and its acknowledgement (with the kernel's extended message when there
   is one) is read back before the next request.  */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "netlink.h"
#include "netns.h"
#include "util.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

#define NL_REQ_SIZE   1024
#define NL_REPLY_SIZE 16384

struct nl_req
{
  struct nlmsghdr *hdr;
  char buf[NL_REQ_SIZE] __attribute__ ((aligned (NLMSG_ALIGNTO)));
};

/* What a request got back: 0 or an errno, the kernel's message.  */
struct nl_result
{
  int error;
  char ext[256];
  int ifindex; /* from an RTM_NEWLINK reply (RTM_GETLINK) */
};

static uint32_t nl_seq;

static void
nl_req_init (struct nl_req *r, uint16_t type, uint16_t flags, const void *body, size_t len)
{
  memset (r->buf, 0, sizeof r->buf);
  r->hdr = (struct nlmsghdr *) r->buf;
  r->hdr->nlmsg_type = type;
  r->hdr->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
  r->hdr->nlmsg_len = NLMSG_LENGTH (len);
  memcpy (NLMSG_DATA (r->hdr), body, len);
}

static struct rtattr *
nl_put (struct nl_req *r, uint16_t type, const void *data, size_t len)
{
  struct rtattr *rta = (struct rtattr *) (r->buf + NLMSG_ALIGN (r->hdr->nlmsg_len));

  if (NLMSG_ALIGN (r->hdr->nlmsg_len) + RTA_SPACE (len) > sizeof r->buf)
    abort (); /* requests are small and bounded: a bug */
  rta->rta_type = type;
  rta->rta_len = RTA_LENGTH (len);
  if (len)
    memcpy (RTA_DATA (rta), data, len);
  r->hdr->nlmsg_len = NLMSG_ALIGN (r->hdr->nlmsg_len) + RTA_SPACE (len);
  return rta;
}

static void
nl_put_str (struct nl_req *r, uint16_t type, const char *s)
{
  nl_put (r, type, s, strlen (s) + 1);
}

static void
nl_put_u32 (struct nl_req *r, uint16_t type, uint32_t v)
{
  nl_put (r, type, &v, sizeof v);
}

static struct rtattr *
nl_nest_begin (struct nl_req *r, uint16_t type)
{
  return nl_put (r, type, NULL, 0);
}

static void
nl_nest_end (struct nl_req *r, struct rtattr *nest)
{
  nest->rta_len = (char *) r->hdr + r->hdr->nlmsg_len - (char *) nest;
}

static int
nl_open (oci_error_t **err)
{
  int one = 1;
  int fd = socket (AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

  if (fd < 0)
    return oci_error_errno (err, errno, "open rtnetlink socket");
  setsockopt (fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
  setsockopt (fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
  return fd;
}

static void
nl_parse_ack (const struct nlmsghdr *h, struct nl_result *res)
{
  const struct nlmsgerr *e = NLMSG_DATA (h);
  const struct rtattr *rta;
  size_t off;
  int len;

  res->error = -e->error;
  if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
    return;
  off = sizeof *e;
  if (!(h->nlmsg_flags & NLM_F_CAPPED))
    off += e->msg.nlmsg_len - sizeof e->msg;
  off = NLMSG_ALIGN (off);
  if (NLMSG_LENGTH (off) > h->nlmsg_len)
    return;
  rta = (const struct rtattr *) ((const char *) NLMSG_DATA (h) + off);
  len = h->nlmsg_len - NLMSG_LENGTH (off);
  for (; RTA_OK (rta, len); rta = RTA_NEXT (rta, len))
    if (rta->rta_type == NLMSGERR_ATTR_MSG)
      snprintf (res->ext, sizeof res->ext, "%.*s", (int) RTA_PAYLOAD (rta), (const char *) RTA_DATA (rta));
}

/* Send R on FD and read until its acknowledgement.  -1 with *ERR only for
   a failure of the socket itself; the kernel's answer is in RES.  */
static int
nl_talk (int fd, struct nl_req *r, struct nl_result *res, oci_error_t **err)
{
  char reply[NL_REPLY_SIZE] __attribute__ ((aligned (NLMSG_ALIGNTO)));
  struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
  uint32_t seq;

  if (nl_seq == 0)
    nl_seq = (uint32_t) time (NULL);
  seq = ++nl_seq;
  r->hdr->nlmsg_seq = seq;
  memset (res, 0, sizeof *res);
  if (sendto (fd, r->buf, r->hdr->nlmsg_len, 0, (struct sockaddr *) &kernel, sizeof kernel) < 0)
    return oci_error_errno (err, errno, "send rtnetlink request");
  for (;;)
    {
      ssize_t n = recv (fd, reply, sizeof reply, 0);
      struct nlmsghdr *h;
      int len;

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return oci_error_errno (err, errno, "read rtnetlink reply");
      len = (int) n;
      for (h = (struct nlmsghdr *) reply; NLMSG_OK (h, len); h = NLMSG_NEXT (h, len))
        {
          if (h->nlmsg_seq != seq)
            continue;
          if (h->nlmsg_type == RTM_NEWLINK && h->nlmsg_len >= NLMSG_LENGTH (sizeof (struct ifinfomsg)))
            res->ifindex = ((struct ifinfomsg *) NLMSG_DATA (h))->ifi_index;
          if (h->nlmsg_type == NLMSG_ERROR)
            {
              nl_parse_ack (h, res);
              return 0;
            }
        }
    }
}

/* Set *ERR for a request the kernel refused: "WHAT: strerror (detail)".  */
static int __attribute__ ((format (printf, 3, 4)))
nl_fail (oci_error_t **err, const struct nl_result *res, const char *fmt, ...)
{
  cleanup_free char *what = NULL;
  va_list ap;
  int ret;

  va_start (ap, fmt);
  ret = vasprintf (&what, fmt, ap);
  va_end (ap);
  if (ret < 0)
    what = NULL;
  if (res->ext[0])
    return oci_error_set (err, res->error, "%s: %s (%s)", what ? what : "rtnetlink", strerror (res->error),
                          res->ext);
  return oci_error_set (err, res->error, "%s: %s", what ? what : "rtnetlink", strerror (res->error));
}

static int
nl_link_up (int fd, int ifindex, const char *name, oci_error_t **err)
{
  struct ifinfomsg ifi
      = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex, .ifi_flags = IFF_UP, .ifi_change = IFF_UP };
  struct nl_result res;
  struct nl_req r;

  nl_req_init (&r, RTM_NEWLINK, 0, &ifi, sizeof ifi);
  if (nl_talk (fd, &r, &res, err) < 0)
    return -1;
  if (res.error)
    return nl_fail (err, &res, "bring %s up", name);
  return 0;
}

/* RTM_GETLINK by name: the index of NAME in the namespace of FD.  */
static int
nl_link_index (int fd, const char *name, oci_error_t **err)
{
  struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
  struct nl_result res;
  struct nl_req r;

  nl_req_init (&r, RTM_GETLINK, 0, &ifi, sizeof ifi);
  nl_put_str (&r, IFLA_IFNAME, name);
  if (nl_talk (fd, &r, &res, err) < 0)
    return -1;
  if (res.error == 0 && res.ifindex <= 0)
    res.error = ENODEV;
  if (res.error)
    return nl_fail (err, &res, "find interface %s", name);
  return res.ifindex;
}

/* RTM_NEWADDR ADDR/PREFIX (with its broadcast) on IFINDEX.  With
   EXIST_OK an address already there is fine.  */
static int
nl_addr_add (int fd, int ifindex, const char *name, struct in_addr addr, int prefix, bool exist_ok,
             oci_error_t **err)
{
  struct ifaddrmsg ifa = { .ifa_family = AF_INET, .ifa_prefixlen = prefix, .ifa_index = ifindex };
  uint32_t mask = prefix ? htonl (~0U << (32 - prefix)) : 0;
  struct in_addr brd = { .s_addr = addr.s_addr | ~mask };
  struct nl_result res;
  struct nl_req r;
  char buf[INET_ADDRSTRLEN];

  nl_req_init (&r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, &ifa, sizeof ifa);
  nl_put (&r, IFA_LOCAL, &addr, sizeof addr);
  nl_put (&r, IFA_ADDRESS, &addr, sizeof addr);
  if (prefix < 31)
    nl_put (&r, IFA_BROADCAST, &brd, sizeof brd);
  if (nl_talk (fd, &r, &res, err) < 0)
    return -1;
  if (res.error == EEXIST && exist_ok)
    return 0;
  if (res.error)
    return nl_fail (err, &res, "add address %s/%d to %s", inet_ntop (AF_INET, &addr, buf, sizeof buf), prefix,
                    name);
  return 0;
}

static int
nl_default_route_add (int fd, int ifindex, const char *name, struct in_addr gw, oci_error_t **err)
{
  struct rtmsg rtm = { .rtm_family = AF_INET,
                       .rtm_table = RT_TABLE_MAIN,
                       .rtm_protocol = RTPROT_BOOT,
                       .rtm_scope = RT_SCOPE_UNIVERSE,
                       .rtm_type = RTN_UNICAST };
  struct nl_result res;
  struct nl_req r;
  char buf[INET_ADDRSTRLEN];

  nl_req_init (&r, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, &rtm, sizeof rtm);
  nl_put (&r, RTA_GATEWAY, &gw, sizeof gw);
  nl_put_u32 (&r, RTA_OIF, ifindex);
  if (nl_talk (fd, &r, &res, err) < 0)
    return -1;
  if (res.error)
    return nl_fail (err, &res, "add default route via %s dev %s", inet_ntop (AF_INET, &gw, buf, sizeof buf),
                    name);
  return 0;
}

static int
parse_ipv4 (const char *s, struct in_addr *out, oci_error_t **err)
{
  if (s == NULL || inet_pton (AF_INET, s, out) != 1)
    return oci_error_set (err, EINVAL, "invalid IPv4 address \"%s\"", s ? s : "");
  return 0;
}

/* "10.89.0.1/24" */
static int
parse_cidr (const char *s, struct in_addr *addr, int *prefix, oci_error_t **err)
{
  cleanup_free char *copy = xstrdup (s);
  char *slash = strchr (copy, '/');
  char *end = NULL;
  long n;

  if (slash == NULL)
    return oci_error_set (err, EINVAL, "invalid CIDR address \"%s\"", s);
  *slash = '\0';
  errno = 0;
  n = strtol (slash + 1, &end, 10);
  if (errno || end == slash + 1 || *end || n < 0 || n > 32 || inet_pton (AF_INET, copy, addr) != 1)
    return oci_error_set (err, EINVAL, "invalid CIDR address \"%s\"", s);
  *prefix = (int) n;
  return 0;
}

static int
parse_mac (const char *s, unsigned char mac[6], oci_error_t **err)
{
  unsigned int b[6];
  char tail;
  int i;

  if (s == NULL
      || sscanf (s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &tail) != 6)
    return oci_error_set (err, EINVAL, "invalid MAC address \"%s\"", s ? s : "");
  for (i = 0; i < 6; i++)
    mac[i] = (unsigned char) b[i];
  return 0;
}

static int
check_ifname (const char *name, oci_error_t **err)
{
  if (name == NULL || *name == '\0' || strlen (name) >= IFNAMSIZ || strchr (name, '/') || strchr (name, ' '))
    return oci_error_set (err, EINVAL, "invalid interface name \"%s\"", name ? name : "");
  return 0;
}

static int
write_sysctl (const char *path, oci_error_t **err)
{
  cleanup_close int fd = open (path, O_WRONLY | O_CLOEXEC);

  if (fd < 0)
    return oci_error_errno (err, errno, "open %s", path);
  if (write (fd, "1\n", 2) != 2)
    return oci_error_errno (err, errno, "write %s", path);
  return 0;
}

static int
bridge_sysctls (const char *name, oci_error_t **err)
{
  cleanup_free char *path = NULL;

  if (write_sysctl ("/proc/sys/net/ipv4/ip_forward", err) < 0)
    return -1;
  xasprintf (&path, "/proc/sys/net/ipv4/conf/%s/route_localnet", name);
  return write_sysctl (path, err);
}

static bool
is_bridge (const char *name)
{
  cleanup_free char *path = NULL;

  xasprintf (&path, "/sys/class/net/%s/bridge", name);
  return access (path, F_OK) == 0;
}

static int
bridge_create (int fd, const char *name, oci_error_t **err)
{
  struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
  struct nl_result res;
  struct rtattr *info;
  struct nl_req r;

  nl_req_init (&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof ifi);
  nl_put_str (&r, IFLA_IFNAME, name);
  info = nl_nest_begin (&r, IFLA_LINKINFO);
  nl_put_str (&r, IFLA_INFO_KIND, "bridge");
  nl_nest_end (&r, info);
  if (nl_talk (fd, &r, &res, err) < 0)
    return -1;
  if (res.error && res.error != EEXIST)
    return nl_fail (err, &res, "create bridge %s", name);
  return 0;
}

int
nl_bridge_ensure (const char *name, const char *gateway_cidr, oci_error_t **err)
{
  cleanup_close int fd = -1;
  struct in_addr addr;
  int prefix = 0, ifindex;

  if (check_ifname (name, err) < 0 || parse_cidr (gateway_cidr, &addr, &prefix, err) < 0)
    return -1;
  fd = nl_open (err);
  if (fd < 0)
    return -1;
  ifindex = (int) if_nametoindex (name);
  if (ifindex > 0 && !is_bridge (name))
    return oci_error_set (err, EEXIST, "create bridge %s: an interface that is not a bridge has that name",
                          name);
  if (ifindex == 0)
    {
      if (bridge_create (fd, name, err) < 0)
        return -1;
      ifindex = nl_link_index (fd, name, err);
      if (ifindex < 0)
        return -1;
    }
  if (nl_addr_add (fd, ifindex, name, addr, prefix, true, err) < 0 || nl_link_up (fd, ifindex, name, err) < 0)
    return -1;
  return bridge_sysctls (name, err);
}

static int
link_delete (int fd, const char *name, const char *what, oci_error_t **err)
{
  struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
  struct nl_result res;
  struct nl_req r;

  nl_req_init (&r, RTM_DELLINK, 0, &ifi, sizeof ifi);
  nl_put_str (&r, IFLA_IFNAME, name);
  if (nl_talk (fd, &r, &res, err) < 0)
    return -1;
  if (res.error && res.error != ENODEV)
    return nl_fail (err, &res, "delete %s %s", what, name);
  return 0;
}

int
nl_link_delete (const char *name, oci_error_t **err)
{
  cleanup_close int fd = -1;

  if (check_ifname (name, err) < 0)
    return -1;
  fd = nl_open (err);
  if (fd < 0)
    return -1;
  return link_delete (fd, name, "link", err);
}

bool
nl_link_exists (const char *name)
{
  return name && strlen (name) < IFNAMSIZ && if_nametoindex (name) != 0;
}

struct endpoint
{
  const char *netns_path, *bridge, *veth, *ifname;
  struct in_addr ip, gw;
  int prefix;
  bool has_gw;
  unsigned char mac[6];
};

/* One request: the veth pair, host side VETH up on the bridge, the peer
   made directly in the namespace as IFNAME with its MAC.  */
static int
veth_create (int fd, const struct endpoint *ep, int bridge_index, int nsfd, oci_error_t **err)
{
  struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_flags = IFF_UP, .ifi_change = IFF_UP };
  struct ifinfomsg peer_ifi = { .ifi_family = AF_UNSPEC };
  struct rtattr *info, *data, *peer;
  struct nl_result res;
  struct nl_req r;

  nl_req_init (&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof ifi);
  nl_put_str (&r, IFLA_IFNAME, ep->veth);
  nl_put_u32 (&r, IFLA_MASTER, bridge_index);
  info = nl_nest_begin (&r, IFLA_LINKINFO);
  nl_put_str (&r, IFLA_INFO_KIND, "veth");
  data = nl_nest_begin (&r, IFLA_INFO_DATA);
  /* the peer cannot go up here: veth_open fails until the pair is linked */
  peer = nl_put (&r, VETH_INFO_PEER, &peer_ifi, sizeof peer_ifi);
  nl_put_str (&r, IFLA_IFNAME, ep->ifname);
  nl_put (&r, IFLA_ADDRESS, ep->mac, sizeof ep->mac);
  nl_put_u32 (&r, IFLA_NET_NS_FD, nsfd);
  nl_nest_end (&r, peer);
  nl_nest_end (&r, data);
  nl_nest_end (&r, info);
  if (nl_talk (fd, &r, &res, err) < 0)
    return -1;
  if (res.error)
    return nl_fail (err, &res, "create veth %s (peer %s in %s)", ep->veth, ep->ifname, ep->netns_path);
  return 0;
}

/* Inside the namespace, over a socket opened there: address, up, route.  */
static int
endpoint_configure (const struct endpoint *ep, oci_error_t **err)
{
  cleanup_close int fd = netns_socket (ep->netns_path, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE, err);
  int one = 1, ifindex;

  if (fd < 0)
    return -1;
  setsockopt (fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
  setsockopt (fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
  ifindex = nl_link_index (fd, ep->ifname, err);
  if (ifindex < 0)
    return -1;
  if (nl_addr_add (fd, ifindex, ep->ifname, ep->ip, ep->prefix, false, err) < 0
      || nl_link_up (fd, ifindex, ep->ifname, err) < 0)
    return -1;
  if (ep->has_gw && nl_default_route_add (fd, ifindex, ep->ifname, ep->gw, err) < 0)
    return -1;
  return 0;
}

static int
endpoint_parse (struct endpoint *ep, const char *ip, int prefix, const char *mac, const char *gateway,
                oci_error_t **err)
{
  if (check_ifname (ep->bridge, err) < 0 || check_ifname (ep->veth, err) < 0
      || check_ifname (ep->ifname, err) < 0)
    return -1;
  if (prefix < 0 || prefix > 32)
    return oci_error_set (err, EINVAL, "invalid prefix length %d", prefix);
  ep->prefix = prefix;
  if (parse_ipv4 (ip, &ep->ip, err) < 0 || parse_mac (mac, ep->mac, err) < 0)
    return -1;
  ep->has_gw = gateway != NULL;
  return ep->has_gw ? parse_ipv4 (gateway, &ep->gw, err) : 0;
}

int
nl_endpoint_plumb (const char *netns_path, const char *bridge, const char *veth, const char *ifname,
                   const char *ip, int prefix, const char *mac, const char *gateway, oci_error_t **err)
{
  struct endpoint ep = { .netns_path = netns_path, .bridge = bridge, .veth = veth, .ifname = ifname };
  cleanup_close int nsfd = -1;
  cleanup_close int fd = -1;
  int bridge_index;

  if (endpoint_parse (&ep, ip, prefix, mac, gateway, err) < 0)
    return -1;
  bridge_index = (int) if_nametoindex (bridge);
  if (bridge_index == 0)
    return oci_error_errno (err, errno, "bridge %s", bridge);
  nsfd = open (netns_path, O_RDONLY | O_CLOEXEC);
  if (nsfd < 0)
    return oci_error_errno (err, errno, "open network namespace %s", netns_path);
  fd = nl_open (err);
  if (fd < 0 || veth_create (fd, &ep, bridge_index, nsfd, err) < 0)
    return -1;
  if (endpoint_configure (&ep, err) < 0)
    {
      cleanup_error oci_error_t *ignored = NULL;
      link_delete (fd, veth, "veth", &ignored);
      return -1;
    }
  return 0;
}

int
nl_endpoint_unplumb (const char *veth, oci_error_t **err)
{
  cleanup_close int fd = -1;

  if (check_ifname (veth, err) < 0)
    return -1;
  fd = nl_open (err);
  if (fd < 0)
    return -1;
  return link_delete (fd, veth, "veth", err);
}
