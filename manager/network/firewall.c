/* The host firewall of berth.  The whole ruleset is rendered from the
   store on every change and applied in one transaction: nft's table
   `ip berth` (`nft -f -`), or, without nft, BERTH-* chains loaded with
   `iptables-restore --noflush`.  Plus the reservation of published host
   ports by bound sockets.  */
#include "config.h"
#include "firewall.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <spawn.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fileutil.h"
#include "util.h"
#include "manager/container/runtime.h"
#include "manager/container/state.h"
#include "manager/store/containers.h"
#include "manager/store/networks.h"

extern char **environ;

#define FW_TABLE           "berth"
#define FW_LOCK_FILE       "firewall.lock"
#define FW_CACHE_FILE      "firewall.rules"
#define FW_TABLE_FILE      "firewall.table"
#define FW_OUTPUT_MAX      (4u * 1024 * 1024)
#define FW_LOOPBACK        "127.0.0.0/8"
#define FW_ANY_ADDRESS     "0.0.0.0"
#define FW_TAG_MAX         16
#define FW_DEFAULT_RUNROOT "/run/berth"

/* Validation: everything rendered is checked, nothing is quoted.  */

static bool
ifname_valid (const char *s)
{
  size_t n = s ? strlen (s) : 0;

  if (n == 0 || n >= IFNAMSIZ)
    return false;
  for (size_t i = 0; i < n; i++)
    if (!isalnum ((unsigned char) s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
      return false;
  return true;
}

static bool
ipv4_valid (const char *s)
{
  struct in_addr a;

  return s && inet_pton (AF_INET, s, &a) == 1;
}

static bool
cidr_valid (const char *s)
{
  const char *slash = s ? strchr (s, '/') : NULL;
  char addr[INET_ADDRSTRLEN];
  char *end;
  long prefix;

  if (slash == NULL || (size_t) (slash - s) >= sizeof addr || slash[1] == '\0')
    return false;
  memcpy (addr, s, slash - s);
  addr[slash - s] = '\0';
  errno = 0;
  prefix = strtol (slash + 1, &end, 10);
  return ipv4_valid (addr) && *end == '\0' && errno == 0 && isdigit ((unsigned char) slash[1]) && prefix >= 0
         && prefix <= 32;
}

static bool
proto_valid (const char *p)
{
  return p && (streq (p, "tcp") || streq (p, "udp"));
}

static bool
port_valid (int p)
{
  return p > 0 && p <= 65535;
}

static bool
host_ip_any (const char *ip)
{
  return ip == NULL || *ip == '\0' || streq (ip, FW_ANY_ADDRESS);
}

static bool
tag_valid (const char *tag)
{
  size_t n = tag ? strlen (tag) : 0;

  if (tag == NULL)
    return true;
  if (n == 0 || n > FW_TAG_MAX)
    return false;
  for (size_t i = 0; i < n; i++)
    if (!isdigit ((unsigned char) tag[i]) && !(tag[i] >= 'a' && tag[i] <= 'f'))
      return false;
  return true;
}

static int
model_check (const struct firewall_model *m, oci_error_t **err)
{
  if (!tag_valid (m->tag))
    return oci_error_set (err, EINVAL, "firewall: invalid tag `%s`", m->tag);
  for (size_t i = 0; i < m->n_nets; i++)
    {
      if (!cidr_valid (m->nets[i].subnet))
        return oci_error_set (err, EINVAL, "firewall: invalid subnet `%s`",
                              m->nets[i].subnet ? m->nets[i].subnet : "");
      if (!ifname_valid (m->nets[i].bridge))
        return oci_error_set (err, EINVAL, "firewall: invalid bridge name `%s`",
                              m->nets[i].bridge ? m->nets[i].bridge : "");
    }
  for (size_t i = 0; i < m->n_dnats; i++)
    {
      const struct firewall_dnat *d = &m->dnats[i];

      if (!proto_valid (d->proto) || !port_valid (d->host_port) || !port_valid (d->container_port)
          || !ipv4_valid (d->ip) || !ifname_valid (d->bridge)
          || !(host_ip_any (d->host_ip) || ipv4_valid (d->host_ip)))
        return oci_error_set (err, EINVAL, "firewall: invalid port mapping %s:%d -> %s:%d/%s",
                              d->host_ip ? d->host_ip : "", d->host_port, d->ip ? d->ip : "",
                              d->container_port, d->proto ? d->proto : "");
    }
  return 0;
}

/* nft.  */

static void
nft_forward (const struct firewall_model *m, struct strbuf *out)
{
  strbuf_addstr (out, "\tchain forward {\n\t\ttype filter hook forward priority filter; policy accept;\n");
  for (size_t i = 0; i < m->n_nets; i++)
    {
      const char *b = m->nets[i].bridge;

      if (m->nets[i].internal)
        strbuf_addf (out,
                     "\t\tiifname \"%s\" oifname != \"%s\" drop\n\t\toifname \"%s\" iifname != \"%s\" drop\n",
                     b, b, b, b);
      else
        strbuf_addf (out, "\t\tiifname \"%s\" oifname != \"%s\" jump isolation\n", b, b);
    }
  strbuf_addstr (out, "\t}\n\tchain isolation {\n");
  for (size_t i = 0; i < m->n_nets; i++)
    strbuf_addf (out, "\t\toifname \"%s\" drop\n", m->nets[i].bridge);
  strbuf_addstr (out, "\t}\n");
}

static void
nft_ports (const struct firewall_model *m, struct strbuf *out)
{
  strbuf_addstr (out, "\tchain ports {\n");
  /* Specific addresses first: they are more precise than 0.0.0.0.  */
  for (int any = 0; any < 2; any++)
    for (size_t i = 0; i < m->n_dnats; i++)
      {
        const struct firewall_dnat *d = &m->dnats[i];

        if (host_ip_any (d->host_ip) != (bool) any)
          continue;
        strbuf_addstr (out, "\t\t");
        if (!any)
          strbuf_addf (out, "ip daddr %s ", d->host_ip);
        strbuf_addf (out, "%s dport %d dnat to %s:%d\n", d->proto, d->host_port, d->ip, d->container_port);
      }
  strbuf_addstr (out, "\t}\n"
                      "\tchain prerouting {\n\t\ttype nat hook prerouting priority dstnat; policy accept;\n"
                      "\t\tfib daddr type local jump ports\n\t}\n"
                      "\tchain output {\n\t\ttype nat hook output priority -100; policy accept;\n"
                      "\t\tfib daddr type local jump ports\n\t}\n");
}

static void
nft_postrouting (const struct firewall_model *m, struct strbuf *out)
{
  strbuf_addstr (out,
                 "\tchain postrouting {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n");
  for (size_t i = 0; i < m->n_nets; i++)
    {
      const struct firewall_net *n = &m->nets[i];

      if (n->internal)
        continue;
      /* Outbound; published ports reached from the same bridge (hairpin);
         published ports reached through 127.0.0.1 (route_localnet).  */
      strbuf_addf (out,
                   "\t\tip saddr %s oifname != \"%s\" masquerade\n"
                   "\t\tip saddr %s oifname \"%s\" ct status dnat masquerade\n"
                   "\t\tip saddr " FW_LOOPBACK " oifname \"%s\" masquerade\n",
                   n->subnet, n->bridge, n->subnet, n->bridge, n->bridge);
    }
  strbuf_addstr (out, "\t}\n");
}

/* The names of one berth instance: table ip berth and chains BERTH-*, or
   with the model's tag (a non-default runroot) berth_TAG and BERTH_TAG-*,
   so that stores used side by side (tests) do not replace each other's
   rules.  */
struct fw_names
{
  char table[48];
  char chain[48]; /* prefix: "BERTH" or "BERTH_TAG" */
};

static void
fw_names_get (const char *tag, struct fw_names *n)
{
  snprintf (n->table, sizeof n->table, "%s%s%s", FW_TABLE, tag ? "_" : "", tag ? tag : "");
  snprintf (n->chain, sizeof n->chain, "BERTH%s%s", tag ? "_" : "", tag ? tag : "");
}

static void
nft_render (const struct firewall_model *m, struct strbuf *out)
{
  struct fw_names nm;

  fw_names_get (m->tag, &nm);
  /* Creating the table first makes the flush valid when it is missing; the
     whole script is one transaction.  */
  strbuf_addf (out, "table ip %s {}\n", nm.table);
  if (m->n_nets == 0 && m->n_dnats == 0)
    {
      strbuf_addf (out, "delete table ip %s\n", nm.table);
      return;
    }
  strbuf_addf (out, "flush table ip %s\ntable ip %s {\n", nm.table, nm.table);
  nft_forward (m, out);
  nft_ports (m, out);
  nft_postrouting (m, out);
  strbuf_addstr (out, "}\n");
}

/* iptables-restore --noflush.  Chains: "<prefix>-<suffix>".  */

static const char *const ipt_nat_chains[] = { "PREROUTING", "OUTPUT", "POSTROUTING", "PORTS" };
static const char *const ipt_filter_chains[] = { "FORWARD", "ISOLATION" };

/* The jumps from the built-in chains: table, built-in chain, berth chain
   suffix.  */
static const char *const ipt_jumps[][3] = {
  { "nat", "PREROUTING", "PREROUTING" },
  { "nat", "OUTPUT", "OUTPUT" },
  { "nat", "POSTROUTING", "POSTROUTING" },
  { "filter", "FORWARD", "FORWARD" },
};

static void
ipt_declare (const char *c, const char *const *chains, size_t n, struct strbuf *out)
{
  /* Declaring an existing chain under --noflush does not empty it.  */
  for (size_t i = 0; i < n; i++)
    strbuf_addf (out, ":%s-%s - [0:0]\n", c, chains[i]);
  for (size_t i = 0; i < n; i++)
    strbuf_addf (out, "-F %s-%s\n", c, chains[i]);
}

static void
ipt_nat (const struct firewall_model *m, const char *c, struct strbuf *out)
{
  strbuf_addf (out,
               "-A %s-PREROUTING -m addrtype --dst-type LOCAL -j %s-PORTS\n"
               "-A %s-OUTPUT -m addrtype --dst-type LOCAL -j %s-PORTS\n",
               c, c, c, c);
  for (int any = 0; any < 2; any++)
    for (size_t i = 0; i < m->n_dnats; i++)
      {
        const struct firewall_dnat *d = &m->dnats[i];

        if (host_ip_any (d->host_ip) != (bool) any)
          continue;
        strbuf_addf (out, "-A %s-PORTS ", c);
        if (!any)
          strbuf_addf (out, "-d %s/32 ", d->host_ip);
        strbuf_addf (out, "-p %s -m %s --dport %d -j DNAT --to-destination %s:%d\n", d->proto, d->proto,
                     d->host_port, d->ip, d->container_port);
      }
  for (size_t i = 0; i < m->n_nets; i++)
    {
      const struct firewall_net *n = &m->nets[i];

      if (n->internal)
        continue;
      strbuf_addf (out,
                   "-A %s-POSTROUTING -s %s ! -o %s -j MASQUERADE\n"
                   "-A %s-POSTROUTING -s %s -o %s -m conntrack --ctstate DNAT -j MASQUERADE\n"
                   "-A %s-POSTROUTING -s " FW_LOOPBACK " -o %s -j MASQUERADE\n",
                   c, n->subnet, n->bridge, c, n->subnet, n->bridge, c, n->bridge);
    }
}

static void
ipt_filter (const struct firewall_model *m, const char *c, struct strbuf *out)
{
  for (size_t i = 0; i < m->n_nets; i++)
    {
      const char *b = m->nets[i].bridge;

      if (m->nets[i].internal)
        strbuf_addf (out,
                     "-A %s-FORWARD -i %s ! -o %s -j DROP\n-A %s-FORWARD ! -i %s -o %s -j DROP\n"
                     "-A %s-FORWARD -i %s -o %s -j ACCEPT\n",
                     c, b, b, c, b, b, c, b, b);
      else
        strbuf_addf (out, "-A %s-FORWARD -i %s ! -o %s -j %s-ISOLATION\n", c, b, b, c);
      strbuf_addf (out, "-A %s-ISOLATION -o %s -j DROP\n", c, b);
    }
  /* What is not dropped is accepted, whatever the FORWARD policy.  */
  for (size_t i = 0; i < m->n_nets; i++)
    if (!m->nets[i].internal)
      strbuf_addf (out, "-A %s-FORWARD -i %s -j ACCEPT\n-A %s-FORWARD -o %s -j ACCEPT\n", c,
                   m->nets[i].bridge, c, m->nets[i].bridge);
}

/* jumps: lines inserting the missing jumps, per table ("nat", "filter"),
   NULL for none.  */
static void
ipt_render (const struct firewall_model *m, const char *nat_jumps, const char *filter_jumps,
            struct strbuf *out)
{
  struct fw_names nm;

  fw_names_get (m->tag, &nm);
  strbuf_addstr (out, "*nat\n");
  ipt_declare (nm.chain, ipt_nat_chains, ARRAY_SIZE (ipt_nat_chains), out);
  ipt_nat (m, nm.chain, out);
  if (nat_jumps)
    strbuf_addstr (out, nat_jumps);
  strbuf_addstr (out, "COMMIT\n*filter\n");
  ipt_declare (nm.chain, ipt_filter_chains, ARRAY_SIZE (ipt_filter_chains), out);
  ipt_filter (m, nm.chain, out);
  if (filter_jumps)
    strbuf_addstr (out, filter_jumps);
  strbuf_addstr (out, "COMMIT\n");
}

int
firewall_render (const struct firewall_model *m, bool nft, struct strbuf *out, oci_error_t **err)
{
  if (model_check (m, err) < 0)
    return -1;
  if (nft)
    nft_render (m, out);
  else
    ipt_render (m, NULL, NULL, out);
  return 0;
}

/* Running the tools: stdin from a memfd holding the input, stdout and
   stderr into memfds read after the exit (no pipes, no deadlock).  */

static int
memfd_with (const char *name, const char *data, int *fd, oci_error_t **err)
{
  *fd = memfd_create (name, MFD_CLOEXEC);
  if (*fd < 0)
    return oci_error_errno (err, errno, "memfd_create");
  if (data && (write_all (*fd, data, strlen (data)) < 0 || lseek (*fd, 0, SEEK_SET) < 0))
    {
      close (*fd);
      *fd = -1;
      return oci_error_errno (err, errno, "memfd write");
    }
  return 0;
}

static char *
memfd_text (int fd)
{
  struct stat st;
  size_t n;
  char *s;

  if (fstat (fd, &st) < 0 || lseek (fd, 0, SEEK_SET) < 0)
    return xstrdup ("");
  n = st.st_size > (off_t) FW_OUTPUT_MAX ? FW_OUTPUT_MAX : (size_t) st.st_size;
  s = xmalloc (n + 1);
  {
    ssize_t r = read_all (fd, s, n);
    s[r > 0 ? (size_t) r : 0] = '\0';
  }
  return s;
}

/* The first line of the tool's stderr (nft prints the offending input
   after the message), without nft's "Error: ", or NULL.  */
static char *
tool_error (const char *text)
{
  size_t n;

  while (*text == '\n')
    text++;
  if (has_prefix (text, "Error: "))
    text += strlen ("Error: ");
  n = strcspn (text, "\n");
  return n ? xstrndup (text, n) : NULL;
}

static int
tool_run (const char *path, char *const *argv, const char *input, char **out, oci_error_t **err)
{
  cleanup_close int in = -1, o = -1, e = -1;
  posix_spawn_file_actions_t fa;
  cleanup_free char *errtext = NULL, *line = NULL;
  int status, r;
  pid_t pid;

  if (memfd_with ("berth-fw-in", input ? input : "", &in, err) < 0
      || memfd_with ("berth-fw-out", NULL, &o, err) < 0 || memfd_with ("berth-fw-err", NULL, &e, err) < 0)
    return -1;
  posix_spawn_file_actions_init (&fa);
  posix_spawn_file_actions_adddup2 (&fa, in, STDIN_FILENO);
  posix_spawn_file_actions_adddup2 (&fa, o, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2 (&fa, e, STDERR_FILENO);
  r = posix_spawn (&pid, path, &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy (&fa);
  if (r != 0)
    return oci_error_set (err, r, "exec %s: %s", path, strerror (r));
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return oci_error_errno (err, errno, "waitpid %s", path);
  if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
    {
      if (out)
        *out = memfd_text (o);
      return 0;
    }
  errtext = memfd_text (e);
  line = tool_error (errtext);
  if (line)
    return oci_error_set (err, EIO, "%s: %s", argv[0], line);
  if (WIFSIGNALED (status))
    return oci_error_set (err, EIO, "%s: killed by signal %d", argv[0], WTERMSIG (status));
  return oci_error_set (err, EIO, "%s: exit status %d", argv[0], WEXITSTATUS (status));
}

/* The tool name through $PATH (sbin dirs included: berth may run with a
   user's PATH under sudo).  NULL when missing.  */
static char *
tool_find (const char *name)
{
  const char *path = getenv ("PATH");
  cleanup_free char *all = NULL;

  xasprintf (&all, "%s:/usr/local/sbin:/usr/sbin:/sbin",
             path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
  for (const char *p = all; *p;)
    {
      size_t n = strcspn (p, ":");
      char *cand = NULL;

      if (n > 0)
        {
          xasprintf (&cand, "%.*s/%s", (int) n, p, name);
          if (access (cand, X_OK) == 0)
            return cand;
          free (cand);
        }
      p += n;
      if (*p == ':')
        p++;
    }
  return NULL;
}

/* The backend: BERTH_FIREWALL=nft|iptables, else nft when installed.  */
static int
backend_pick (bool *nft, char **tool, oci_error_t **err)
{
  const char *env = getenv ("BERTH_FIREWALL");

  if (env && *env && !streq (env, "nft") && !streq (env, "iptables"))
    return oci_error_set (err, EINVAL, "BERTH_FIREWALL: `%s` is neither `nft` nor `iptables`", env);
  *nft = env && *env ? streq (env, "nft") : true;
  *tool = tool_find (*nft ? "nft" : "iptables-restore");
  if (*tool == NULL && !(env && *env) && *nft)
    {
      *nft = false;
      *tool = tool_find ("iptables-restore");
    }
  if (*tool == NULL)
    return oci_error_set (err, ENOENT, "firewall: neither nft nor iptables-restore found in PATH");
  return 0;
}

static int
nft_apply (const char *nft, const char *script, oci_error_t **err)
{
  char *argv[] = { (char *) "nft", (char *) "-f", (char *) "-", NULL };

  return tool_run (nft, argv, script, NULL, err);
}

/* What iptables-save shows of berth: *has_chain / *has_jump per jump.  */
static int
ipt_inspect (const char *restore, const char *c, bool has_chain[], bool has_jump[], oci_error_t **err)
{
  cleanup_free char *dir = xstrdup (restore), *save = NULL, *text = NULL;
  char *argv[] = { (char *) "iptables-save", NULL };
  char *slash = strrchr (dir, '/');

  *slash = '\0';
  xasprintf (&save, "%s/%s", dir, "iptables-save");
  if (tool_run (save, argv, NULL, &text, err) < 0)
    return -1;
  for (size_t i = 0; i < ARRAY_SIZE (ipt_jumps); i++)
    {
      cleanup_free char *decl = NULL, *jump = NULL;

      xasprintf (&decl, "\n:%s-%s ", c, ipt_jumps[i][2]);
      xasprintf (&jump, "\n-A %s -j %s-%s\n", ipt_jumps[i][1], c, ipt_jumps[i][2]);
      has_chain[i] = strstr (text, decl) != NULL;
      has_jump[i] = strstr (text, jump) != NULL;
    }
  return 0;
}

static int
ipt_apply (const char *restore, const struct firewall_model *m, oci_error_t **err)
{
  char *argv[] = { (char *) "iptables-restore", (char *) "--noflush", NULL };
  cleanup_strbuf struct strbuf nat = STRBUF_INIT, filter = STRBUF_INIT, all = STRBUF_INIT;
  bool has_chain[ARRAY_SIZE (ipt_jumps)], has_jump[ARRAY_SIZE (ipt_jumps)];
  struct fw_names nm;

  fw_names_get (m->tag, &nm);
  if (ipt_inspect (restore, nm.chain, has_chain, has_jump, err) < 0)
    return -1;
  for (size_t i = 0; i < ARRAY_SIZE (ipt_jumps); i++)
    if (!has_jump[i])
      strbuf_addf (streq (ipt_jumps[i][0], "nat") ? &nat : &filter, "-I %s -j %s-%s\n", ipt_jumps[i][1],
                   nm.chain, ipt_jumps[i][2]);
  ipt_render (m, nat.len ? nat.buf : NULL, filter.len ? filter.buf : NULL, &all);
  return tool_run (restore, argv, strbuf_str (&all), NULL, err);
}

static int
ipt_remove (const char *restore, const char *tag, oci_error_t **err)
{
  char *argv[] = { (char *) "iptables-restore", (char *) "--noflush", NULL };
  cleanup_strbuf struct strbuf in = STRBUF_INIT;
  bool has_chain[ARRAY_SIZE (ipt_jumps)], has_jump[ARRAY_SIZE (ipt_jumps)];
  bool any = false;
  struct fw_names nm;

  fw_names_get (tag, &nm);
  if (ipt_inspect (restore, nm.chain, has_chain, has_jump, err) < 0)
    return -1;
  for (size_t i = 0; i < ARRAY_SIZE (ipt_jumps); i++)
    any = any || has_chain[i] || has_jump[i];
  if (!any)
    return 0;
  for (int t = 0; t < 2; t++)
    {
      const char *table = t == 0 ? "nat" : "filter";
      const char *const *chains = t == 0 ? ipt_nat_chains : ipt_filter_chains;
      size_t n = t == 0 ? ARRAY_SIZE (ipt_nat_chains) : ARRAY_SIZE (ipt_filter_chains);

      strbuf_addf (&in, "*%s\n", table);
      for (size_t i = 0; i < ARRAY_SIZE (ipt_jumps); i++)
        if (streq (ipt_jumps[i][0], table) && has_jump[i])
          strbuf_addf (&in, "-D %s -j %s-%s\n", ipt_jumps[i][1], nm.chain, ipt_jumps[i][2]);
      /* Declared (created when missing) so that -F/-X cannot fail.  */
      ipt_declare (nm.chain, chains, n, &in);
      for (size_t i = 0; i < n; i++)
        strbuf_addf (&in, "-X %s-%s\n", nm.chain, chains[i]);
      strbuf_addstr (&in, "COMMIT\n");
    }
  return tool_run (restore, argv, strbuf_str (&in), NULL, err);
}

/* The tag of this runroot: none for the default one (table ip berth),
   else 8 hex digits of a hash of its path.  */
static char *
fw_tag (struct berth_globals *g)
{
  cleanup_free char *runroot = berth_runroot (g);
  uint32_t h = 2166136261u; /* FNV-1a */
  char *tag;

  if (streq (runroot, FW_DEFAULT_RUNROOT))
    return NULL;
  for (const char *p = runroot; *p; p++)
    h = (h ^ (unsigned char) *p) * 16777619u;
  xasprintf (&tag, "%08x", h);
  return tag;
}

/* Serialization of berth processes changing the firewall.  */
static int
fw_lock (struct berth_globals *g, int *fd, oci_error_t **err)
{
  cleanup_free char *runroot = berth_runroot (g), *path = NULL;

  if (mkdir_p (runroot, 0700, err) < 0)
    return -1;
  xasprintf (&path, "%s/%s", runroot, FW_LOCK_FILE);
  *fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (*fd < 0)
    return oci_error_errno (err, errno, "open `%s`", path);
  while (flock (*fd, LOCK_EX) < 0)
    if (errno != EINTR)
      return oci_error_errno (err, errno, "flock `%s`", path);
  return 0;
}

/* Skipping unchanged rulesets.  The kernel counts nf_tables commits (the
   ruleset generation, any table, any tool).  <runroot>/firewall.rules
   holds the last script applied with nft after a key naming the boot, the
   network namespace and the generation right after that commit.  A sync
   with the same script while the generation has not moved (nothing at all
   changed since) execs nothing: most container starts change no rule.  */

/* The ruleset generation, or -1 when the kernel cannot tell.  One
   netlink round trip (NFT_MSG_GETGEN).  */
static int64_t
nft_generation (void)
{
  struct
  {
    struct nlmsghdr nh;
    struct nfgenmsg nf;
  } req = { 0 };
  struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
  char buf[4096] __attribute__ ((aligned (NLMSG_ALIGNTO)));
  struct nlmsghdr *nh = (struct nlmsghdr *) buf;
  cleanup_close int fd = socket (AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
  ssize_t n;

  if (fd < 0)
    return -1;
  req.nh.nlmsg_len = sizeof req;
  req.nh.nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETGEN;
  req.nh.nlmsg_flags = NLM_F_REQUEST;
  req.nh.nlmsg_seq = 1;
  req.nf.nfgen_family = AF_UNSPEC;
  req.nf.version = NFNETLINK_V0;
  if (sendto (fd, &req, sizeof req, 0, (struct sockaddr *) &kernel, sizeof kernel) < 0)
    return -1;
  do
    n = recv (fd, buf, sizeof buf, 0);
  while (n < 0 && errno == EINTR);
  if (n < (ssize_t) NLMSG_LENGTH (sizeof (struct nfgenmsg)) || !NLMSG_OK (nh, (size_t) n)
      || nh->nlmsg_type != ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWGEN))
    return -1;
  for (struct nlattr *a
       = (struct nlattr *) ((char *) NLMSG_DATA (nh) + NLMSG_ALIGN (sizeof (struct nfgenmsg)));
       (char *) a + NLA_HDRLEN <= (char *) nh + nh->nlmsg_len && a->nla_len >= NLA_HDRLEN;
       a = (struct nlattr *) ((char *) a + NLA_ALIGN (a->nla_len)))
    if ((a->nla_type & NLA_TYPE_MASK) == NFTA_GEN_ID && a->nla_len >= NLA_HDRLEN + sizeof (uint32_t))
      {
        uint32_t gen;

        memcpy (&gen, (char *) a + NLA_HDRLEN, sizeof gen);
        return ntohl (gen);
      }
  return -1;
}

static char *
fw_cache_key (int64_t generation)
{
  cleanup_free char *boot = NULL;
  struct stat st = { 0 };
  cleanup_error oci_error_t *e = NULL;
  char *key;

  if (read_file_max ("/proc/sys/kernel/random/boot_id", 64, &boot, NULL, &e) < 0)
    boot = xstrdup ("?");
  stat ("/proc/self/ns/net", &st);
  xasprintf (&key, "# berth firewall %.*s %lu %lld\n", (int) strcspn (boot, "\n"), boot,
             (unsigned long) st.st_ino, (long long) generation);
  return key;
}

static char *
fw_cache_path (struct berth_globals *g)
{
  cleanup_free char *runroot = berth_runroot (g);
  char *path;

  xasprintf (&path, "%s/%s", runroot, FW_CACHE_FILE);
  return path;
}

/* Whether the script is in force already.  */
static bool
fw_cache_hit (const char *path, int64_t generation, const char *script)
{
  cleanup_free char *old = NULL, *key = NULL;
  cleanup_error oci_error_t *e = NULL;

  if (generation < 0 || read_file_max (path, FW_OUTPUT_MAX, &old, NULL, &e) < 0)
    return false;
  key = fw_cache_key (generation);
  return has_prefix (old, key) && streq (old + strlen (key), script);
}

/* <runroot>/firewall.table: the table's name, for tests and humans.  */
static void
fw_table_note (struct berth_globals *g, const char *script)
{
  cleanup_free char *runroot = berth_runroot (g), *path = NULL;
  cleanup_error oci_error_t *e = NULL;
  size_t skip = strlen ("table ip "), n = strcspn (script + skip, " ");
  char name[64];

  snprintf (name, sizeof name, "%.*s\n", (int) n, script + skip);
  xasprintf (&path, "%s/%s", runroot, FW_TABLE_FILE);
  write_file_replace (path, name, strlen (name), 0644, &e);
}

static int
nft_sync (struct berth_globals *g, const char *nft, const char *script, oci_error_t **err)
{
  cleanup_free char *path = fw_cache_path (g), *key = NULL, *text = NULL;
  cleanup_error oci_error_t *e = NULL;
  int64_t before = nft_generation (), after;

  if (fw_cache_hit (path, before, script))
    return 0;
  unlink (path);
  if (nft_apply (nft, script, err) < 0)
    return -1;
  fw_table_note (g, script);
  /* Cached only when that commit was the only one in between: a change by
     someone else right after ours must not be mistaken for ours.  */
  after = nft_generation ();
  if (before < 0 || after != before + 1)
    return 0;
  key = fw_cache_key (after);
  xasprintf (&text, "%s%s", key, script);
  if (write_file_replace (path, text, strlen (text), 0600, &e) < 0)
    unlink (path);
  return 0;
}

/* The model from the store.  */

struct fw_store_model
{
  struct store_network **nets;
  struct store_port **ports;
  struct store_endpoint ***eps; /* per port: the container's endpoints (or NULL), shared by its ports */
  struct firewall_net *fnets;
  struct firewall_dnat *dnats;
  char *tag;
  struct firewall_model m;
};

static void
fw_store_model_release (struct fw_store_model *x)
{
  for (size_t i = 0; x->ports && x->ports[i]; i++)
    if (x->eps[i] && (i == 0 || x->eps[i] != x->eps[i - 1]))
      store_endpoint_list_free (x->eps[i]);
  free (x->eps);
  store_port_list_free (x->ports);
  store_network_list_free (x->nets);
  free (x->fnets);
  free (x->dnats);
  free (x->tag);
}

/* Active: its endpoints exist, its netns exists (made at start before the
   monitor runs, removed at teardown: it covers the starting window and
   restarts), and it has not died without cleanup (a monitor gone while
   the state said running: EXITED without a finished time), nor DEAD.  */
static bool
container_active (struct berth_globals *g, struct berth_store *s, const char *id)
{
  cleanup_free char *runroot = berth_runroot (g), *netns = NULL, *cdir = store_container_dir (s, id);
  cleanup_error oci_error_t *e = NULL;
  struct container_state st;

  xasprintf (&netns, "%s/netns/%s", runroot, id);
  if (access (netns, F_OK) < 0 || container_state_read (cdir, &st, &e) < 0)
    return false;
  if (st.status == CONTAINER_DEAD)
    return false;
  return !(st.status == CONTAINER_EXITED && !st.monitor_alive && st.finished_ns == 0);
}

static const struct store_network *
net_by_id (struct store_network **nets, const char *id)
{
  for (size_t i = 0; nets[i]; i++)
    if (streq (nets[i]->id, id))
      return nets[i];
  return NULL;
}

static int
fw_store_model_load (struct berth_globals *g, struct berth_store *s, struct fw_store_model *x,
                     oci_error_t **err)
{
  size_t nn, np;

  if (store_network_list (s, &x->nets, err) < 0 || store_port_list (s, NULL, &x->ports, err) < 0)
    return -1;
  for (nn = 0; x->nets[nn]; nn++)
    ;
  for (np = 0; x->ports[np]; np++)
    ;
  x->fnets = xcalloc (nn + 1, sizeof *x->fnets);
  x->dnats = xcalloc (np + 1, sizeof *x->dnats);
  x->eps = xcalloc (np + 1, sizeof *x->eps);
  for (size_t i = 0; i < nn; i++)
    x->fnets[i] = (struct firewall_net){ x->nets[i]->subnet, x->nets[i]->bridge, x->nets[i]->internal };
  x->tag = fw_tag (g);
  x->m.tag = x->tag;
  x->m.nets = x->fnets;
  x->m.n_nets = nn;
  x->m.dnats = x->dnats;
  for (size_t i = 0; i < np; i++)
    {
      struct store_port *p = x->ports[i];
      const struct store_network *n;

      /* Ports are ordered by container: one lookup per container.  */
      if (i > 0 && streq (p->container_id, x->ports[i - 1]->container_id))
        x->eps[i] = x->eps[i - 1];
      else if (container_active (g, s, p->container_id)
               && store_endpoint_list_container (s, p->container_id, &x->eps[i], err) < 0)
        return -1;
      if (x->eps[i] == NULL || x->eps[i][0] == NULL)
        continue;
      n = net_by_id (x->nets, x->eps[i][0]->network_id);
      if (n == NULL || n->internal)
        continue;
      x->dnats[x->m.n_dnats++] = (struct firewall_dnat){ p->proto,         p->host_ip,        p->host_port,
                                                         x->eps[i][0]->ip, p->container_port, n->bridge };
    }
  return 0;
}

int
firewall_sync (struct berth_globals *g, oci_error_t **err)
{
  struct fw_store_model x = { 0 };
  cleanup_strbuf struct strbuf text = STRBUF_INIT;
  cleanup_free char *tool = NULL;
  cleanup_close int lock = -1;
  struct berth_store *s;
  bool nft;
  int ret = -1;

  if (backend_pick (&nft, &tool, err) < 0 || cli_store (g, &s, err) < 0 || fw_lock (g, &lock, err) < 0)
    return -1;
  if (fw_store_model_load (g, s, &x, err) < 0 || firewall_render (&x.m, nft, &text, err) < 0)
    goto out;
  if (nft)
    ret = nft_sync (g, tool, strbuf_str (&text), err);
  else if (x.m.n_nets == 0 && x.m.n_dnats == 0)
    ret = ipt_remove (tool, x.tag, err);
  else
    ret = ipt_apply (tool, &x.m, err);
out:
  fw_store_model_release (&x);
  return ret;
}

int
firewall_flush (struct berth_globals *g, oci_error_t **err)
{
  struct firewall_model empty = { 0 };
  cleanup_strbuf struct strbuf text = STRBUF_INIT;
  cleanup_free char *tool = NULL, *cache = NULL, *tag = NULL;
  cleanup_close int lock = -1;
  bool nft;

  if (backend_pick (&nft, &tool, err) < 0 || fw_lock (g, &lock, err) < 0)
    return -1;
  cache = fw_cache_path (g);
  unlink (cache);
  tag = fw_tag (g);
  if (!nft)
    return ipt_remove (tool, tag, err);
  empty.tag = tag;
  nft_render (&empty, &text);
  return nft_apply (tool, strbuf_str (&text), err);
}

/* Port reservation.  */

static int
port_bind_error (const struct store_port *p, const char *ip, int e, const char *ctr_name, oci_error_t **err)
{
  cleanup_free char *msg = xstrdup (strerror (e));

  if (e == EADDRINUSE)
    return oci_error_set (
        err, e,
        "driver failed programming external connectivity on endpoint %s: Bind for %s:%d failed: "
        "port is already allocated",
        ctr_name, ip, p->host_port);
  msg[0] = tolower ((unsigned char) msg[0]);
  return oci_error_set (
      err, e,
      "driver failed programming external connectivity on endpoint %s: Error starting userland "
      "proxy: listen %s4 %s:%d: bind: %s",
      ctr_name, p->proto, ip, p->host_port, msg);
}

static int
port_bind (struct store_port *p, const char *ctr_name, int *fd, oci_error_t **err)
{
  const char *ip = host_ip_any (p->host_ip) ? FW_ANY_ADDRESS : p->host_ip;
  struct sockaddr_in sa = { .sin_family = AF_INET };
  socklen_t len = sizeof sa;

  if (!proto_valid (p->proto) || p->host_port < 0 || p->host_port > 65535
      || inet_pton (AF_INET, ip, &sa.sin_addr) != 1)
    return oci_error_set (err, EINVAL, "invalid port mapping %s:%d/%s", ip, p->host_port,
                          p->proto ? p->proto : "");
  sa.sin_port = htons (p->host_port);
  *fd = socket (AF_INET, (streq (p->proto, "tcp") ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);
  if (*fd < 0)
    return oci_error_errno (err, errno, "socket");
  if (bind (*fd, (struct sockaddr *) &sa, sizeof sa) < 0)
    return port_bind_error (p, ip, errno, ctr_name, err);
  if (p->host_port == 0)
    {
      if (getsockname (*fd, (struct sockaddr *) &sa, &len) < 0)
        return oci_error_errno (err, errno, "getsockname");
      p->host_port = ntohs (sa.sin_port);
    }
  return 0;
}

int
ports_reserve (struct store_port **ports, size_t n, const char *ctr_name, int **fds, oci_error_t **err)
{
  int *v = xcalloc (n + 1, sizeof *v);

  for (size_t i = 0; i < n; i++)
    v[i] = -1;
  for (size_t i = 0; i < n; i++)
    if (port_bind (ports[i], ctr_name, &v[i], err) < 0)
      {
        for (size_t j = 0; j <= i; j++)
          if (v[j] >= 0)
            close (v[j]);
        free (v);
        return -1;
      }
  *fds = v;
  return 0;
}
