/* /etc/hosts, /etc/hostname and /etc/resolv.conf of a container, as
   docker writes them: written once into the container dir at create time
   and bind-mounted over the image's files by the runtime.  */
#include "config.h"
#include "etcfiles.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "fileutil.h"
#include "strbuf.h"
#include "util.h"

#define ETC_HOST_FILE_MAX (1024u * 1024)

static const char *const default_hosts[][2] = {
  { "127.0.0.1", "localhost" },  { "::1", "localhost ip6-localhost ip6-loopback" },
  { "fe00::0", "ip6-localnet" }, { "ff00::0", "ip6-mcastprefix" },
  { "ff02::1", "ip6-allnodes" }, { "ff02::2", "ip6-allrouters" },
};

static const char *
network_mode (const struct container_record *r)
{
  const char *m = r->host_config ? r->host_config->network_mode : NULL;
  return m && *m ? m : "bridge";
}

static bool
host_network (const struct container_record *r)
{
  return streq (network_mode (r), "host");
}

/* The container's hostname: Config.Hostname, else the host's name on the
   host network.  */
static char *
container_hostname (const struct container_record *r)
{
  char buf[256] = "";

  if (r->config && r->config->hostname && *r->config->hostname)
    return xstrdup (r->config->hostname);
  if (gethostname (buf, sizeof buf - 1) < 0)
    strcpy (buf, "localhost");
  return xstrdup (buf);
}

/* An --add-host entry "name:ip" (docker also takes "name=ip"): the IP may
   itself contain colons (IPv6), so the first separator splits.  */
static void
add_extra_host (struct strbuf *sb, const char *spec)
{
  const char *sep = strpbrk (spec, "=:");

  if (sep == NULL)
    return;
  strbuf_addf (sb, "%s\t%.*s\n", sep + 1, (int) (sep - spec), spec);
}

char *
container_hosts_content (const struct container_record *r, const char *host_hosts)
{
  return container_hosts_content_net (r, host_hosts, NULL, NULL);
}

char *
container_hosts_content_net (const struct container_record *r, const char *host_hosts, const char *own_ip,
                             const char *peers)
{
  struct strbuf sb = STRBUF_INIT;
  char **extra = r->host_config ? r->host_config->extra_hosts : NULL;
  const char *domain = r->config ? r->config->domainname : NULL;

  if (host_network (r))
    {
      strbuf_addstr (&sb, host_hosts ? host_hosts : "");
      if (sb.len > 0 && sb.buf[sb.len - 1] != '\n')
        strbuf_addch (&sb, '\n');
    }
  else
    for (size_t i = 0; i < ARRAY_SIZE (default_hosts); i++)
      strbuf_addf (&sb, "%s\t%s\n", default_hosts[i][0], default_hosts[i][1]);
  for (size_t i = 0; extra && extra[i]; i++)
    add_extra_host (&sb, extra[i]);
  if (!host_network (r))
    {
      cleanup_free char *hostname = container_hostname (r);
      const char *ip = own_ip && *own_ip ? own_ip : "127.0.1.1";

      if (domain && *domain)
        strbuf_addf (&sb, "%s\t%s.%s %s\n", ip, hostname, domain, hostname);
      else
        strbuf_addf (&sb, "%s\t%s\n", ip, hostname);
    }
  strbuf_addstr (&sb, peers ? peers : "");
  return strbuf_detach (&sb, NULL);
}

/* ------------------------------------------------------------ resolv.conf */

/* The first word after a keyword on a resolv.conf line, or NULL when the
   line is not "keyword ...".  */
static const char *
line_value (const char *line, const char *keyword)
{
  size_t len = strlen (keyword);

  line += strspn (line, " \t");
  if (strncmp (line, keyword, len) != 0 || (line[len] != ' ' && line[len] != '\t'))
    return NULL;
  return line + len + strspn (line + len, " \t");
}

/* docker drops the host's loopback resolvers in a private network
   namespace (they are not reachable there), and IPv6 ones as long as its
   networks have no IPv6.  */
static bool
unreachable_nameserver (const char *ns)
{
  return has_prefix (ns, "127.") || has_prefix (ns, "::1") || strchr (ns, ':') != NULL;
}

static void
add_words (struct strbuf *sb, const char *keyword, char *const *words)
{
  strbuf_addstr (sb, keyword);
  for (size_t i = 0; words[i]; i++)
    strbuf_addf (sb, " %s", words[i]);
  strbuf_addch (sb, '\n');
}

/* The words of the host's lines with this keyword: every nameserver
   line's address (the unreachable ones dropped in a private network
   namespace); for search and options the last line's words, as the
   resolver reads them.  */
static char **
host_words (const char *host, const char *keyword, bool private_net)
{
  cleanup_free char *copy = xstrdup (host ? host : "");
  bool nameserver = streq (keyword, "nameserver");
  char **v = xzalloc (sizeof (char *));
  size_t n = 0;
  char *save = NULL;

  for (char *line = strtok_r (copy, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      const char *value = line_value (line, keyword);
      cleanup_free char *words = value ? xstrdup (value) : NULL;
      char *wsave = NULL;

      if (value == NULL)
        continue;
      if (!nameserver)
        {
          strv_free (v);
          v = xzalloc (sizeof (char *));
          n = 0;
        }
      for (char *w = strtok_r (words, " \t\r", &wsave); w; w = strtok_r (NULL, " \t\r", &wsave))
        {
          if (*w == '#' || *w == ';')
            break;
          if (!(nameserver && private_net && unreachable_nameserver (w)))
            {
              v = xreallocarray (v, n + 2, sizeof (char *));
              v[n++] = xstrdup (w);
              v[n] = NULL;
            }
          if (nameserver)
            break;
        }
    }
  return v;
}

/* docker's filtered copy when no --dns* flag is given: the host file
   minus the unreachable nameservers, with Google's resolvers when none
   is left.  */
static char *
resolv_filtered (const char *host, bool private_net)
{
  struct strbuf sb = STRBUF_INIT;
  cleanup_free char *copy = xstrdup (host ? host : "");
  bool have_ns = false;
  char *cursor = copy;

  while (*cursor)
    {
      char *line = cursor, *nl = strchr (cursor, '\n');
      const char *ns;

      if (nl)
        *nl = '\0';
      cursor = nl ? nl + 1 : line + strlen (line);
      ns = line_value (line, "nameserver");
      if (ns && private_net)
        {
          cleanup_free char *addr = xstrndup (ns, strcspn (ns, " \t\r#;"));
          if (unreachable_nameserver (addr))
            continue;
        }
      have_ns |= ns != NULL;
      strbuf_addstr (&sb, line);
      strbuf_addch (&sb, '\n');
    }
  if (!have_ns)
    strbuf_addstr (&sb, "\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n");
  return strbuf_detach (&sb, NULL);
}

char *
container_resolv_content (const struct container_record *r, const char *host_resolv)
{
  const struct container_host_config *hc = r->host_config;
  bool private_net = !host_network (r);
  struct strbuf sb = STRBUF_INIT;
  cleanup_strv char **ns = NULL, **search = NULL, **options = NULL;

  if (hc == NULL
      || (strv_len (hc->dns) == 0 && strv_len (hc->dns_search) == 0 && strv_len (hc->dns_options) == 0))
    return resolv_filtered (host_resolv, private_net);
  ns = strv_len (hc->dns) ? strv_dup (hc->dns) : host_words (host_resolv, "nameserver", private_net);
  search = strv_len (hc->dns_search) ? strv_dup (hc->dns_search) : host_words (host_resolv, "search", false);
  options
      = strv_len (hc->dns_options) ? strv_dup (hc->dns_options) : host_words (host_resolv, "options", false);
  if (ns[0] == NULL && private_net)
    {
      strv_free (ns);
      ns = strv_dup ((char *const[]){ (char *) "8.8.8.8", (char *) "8.8.4.4", NULL });
    }
  /* --dns-search . means no search domains.  */
  if (search[0] && streq (search[0], ".") && search[1] == NULL)
    search[0] = (free (search[0]), NULL);
  if (search[0])
    add_words (&sb, "search", search);
  for (size_t i = 0; ns[i]; i++)
    strbuf_addf (&sb, "nameserver %s\n", ns[i]);
  if (options[0])
    add_words (&sb, "options", options);
  return strbuf_detach (&sb, NULL);
}

/* The host's resolv.conf; behind systemd-resolved's stub (127.0.0.53)
   the file listing the real upstream servers, as docker does.  */
static char *
host_resolv_conf (void)
{
  cleanup_error oci_error_t *err = NULL;
  char *text = NULL;
  char *upstream = NULL;

  if (read_file_max ("/etc/resolv.conf", ETC_HOST_FILE_MAX, &text, NULL, &err) < 0)
    return NULL;
  if (strstr (text, "nameserver 127.0.0.53")
      && read_file_max ("/run/systemd/resolve/resolv.conf", ETC_HOST_FILE_MAX, &upstream, NULL, &err) == 0)
    {
      free (text);
      return upstream;
    }
  return text;
}

static int
write_in_dir (const char *cdir, const char *name, const char *text, oci_error_t **err)
{
  cleanup_free char *path = NULL;

  xasprintf (&path, "%s/%s", cdir, name);
  return write_file_replace (path, text, strlen (text), 0644, err);
}

int
container_etc_files_write (const struct container_record *r, const char *cdir, oci_error_t **err)
{
  cleanup_error oci_error_t *ignored = NULL;
  cleanup_free char *host_hosts = NULL, *host_resolv = host_resolv_conf ();
  cleanup_free char *hosts = NULL, *resolv = NULL, *hostname = NULL, *hostname_line = NULL;

  if (host_network (r) && read_file_max ("/etc/hosts", ETC_HOST_FILE_MAX, &host_hosts, NULL, &ignored) < 0)
    host_hosts = NULL;
  hosts = container_hosts_content (r, host_hosts);
  resolv = container_resolv_content (r, host_resolv);
  hostname = container_hostname (r);
  xasprintf (&hostname_line, "%s\n", hostname);
  if (write_in_dir (cdir, "hosts", hosts, err) < 0 || write_in_dir (cdir, "hostname", hostname_line, err) < 0
      || write_in_dir (cdir, "resolv.conf", resolv, err) < 0)
    return -1;
  return 0;
}

/* In place: the file is bind-mounted into the running container, its
   inode must stay.  */
int
container_hosts_rewrite (const struct container_record *r, const char *cdir, const char *own_ip,
                         const char *peers, oci_error_t **err)
{
  cleanup_free char *path = NULL, *text = NULL;
  cleanup_close int fd = -1;
  size_t len, done = 0;

  xasprintf (&path, "%s/hosts", cdir);
  text = container_hosts_content_net (r, NULL, own_ip, peers);
  len = strlen (text);
  fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return oci_error_errno (err, errno, "open %s", path);
  while (done < len)
    {
      ssize_t n = write (fd, text + done, len - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return oci_error_errno (err, errno, "write %s", path);
      done += n;
    }
  return 0;
}
