/* The container record (create.json): field tables for docker inspect's
   Config, HostConfig and Mounts, and docker's rules for merging an image
   config into them.  See record.h.  */
#include "config.h"
#include "record.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <sys/stat.h>

#include "digest.h"
#include "manager/store/networks.h"
#include "strbuf.h"
#include "util.h"

/* --- field tables (docker's member order) --- */

typedef struct oci_image_healthcheck healthcheck_t;
static const struct oci_json_field healthcheck_fields[] = {
  OCI_F_STRV (healthcheck_t, "Test", test, 0),
  OCI_F_I64 (healthcheck_t, "Interval", interval, 0),
  OCI_F_I64 (healthcheck_t, "Timeout", timeout, 0),
  OCI_F_I64 (healthcheck_t, "StartPeriod", start_period, 0),
  OCI_F_I64 (healthcheck_t, "StartInterval", start_interval, 0),
  OCI_F_I64 (healthcheck_t, "Retries", retries, 0),
};
static OCI_JSON_DEFINE_TYPE (healthcheck_type, healthcheck_t, healthcheck_fields, NULL);

typedef struct container_config config_t;
static const struct oci_json_field config_fields[] = {
  OCI_F_STRING (config_t, "Hostname", hostname, 0),
  OCI_F_STRING (config_t, "Domainname", domainname, 0),
  OCI_F_STRING (config_t, "User", user, 0),
  OCI_F_BOOL (config_t, "AttachStdin", attach_stdin, 0),
  OCI_F_BOOL (config_t, "AttachStdout", attach_stdout, 0),
  OCI_F_BOOL (config_t, "AttachStderr", attach_stderr, 0),
  OCI_F_STRSET (config_t, "ExposedPorts", exposed_ports, 0),
  OCI_F_BOOL (config_t, "Tty", tty, 0),
  OCI_F_BOOL (config_t, "OpenStdin", open_stdin, 0),
  OCI_F_BOOL (config_t, "StdinOnce", stdin_once, 0),
  OCI_F_STRV (config_t, "Env", env, 0),
  OCI_F_STRV (config_t, "Cmd", cmd, 0),
  OCI_F_OBJECT (config_t, "Healthcheck", healthcheck, healthcheck_type, 0),
  OCI_F_STRING (config_t, "Image", image, 0),
  OCI_F_STRSET (config_t, "Volumes", volumes, 0),
  OCI_F_STRING (config_t, "WorkingDir", working_dir, 0),
  OCI_F_STRV (config_t, "Entrypoint", entrypoint, 0),
  OCI_F_STRMAP (config_t, "Labels", labels, 0),
  OCI_F_STRING (config_t, "StopSignal", stop_signal, 0),
  OCI_F_I32 (config_t, "StopTimeout", stop_timeout, 0),
};
OCI_JSON_DEFINE_TYPE (container_config_type, config_t, config_fields, NULL);

typedef struct container_log_config log_config_t;
static const struct oci_json_field log_config_fields[] = {
  OCI_F_STRING (log_config_t, "Type", type, 0),
  OCI_F_STRMAP (log_config_t, "Config", config, 0),
};
static OCI_JSON_DEFINE_TYPE (log_config_type, log_config_t, log_config_fields, NULL);

typedef struct container_restart_policy restart_policy_t;
static const struct oci_json_field restart_policy_fields[] = {
  OCI_F_STRING (restart_policy_t, "Name", name, 0),
  OCI_F_I32 (restart_policy_t, "MaximumRetryCount", maximum_retry_count, 0),
};
static OCI_JSON_DEFINE_TYPE (restart_policy_type, restart_policy_t, restart_policy_fields, NULL);

typedef struct container_ulimit ulimit_t;
static const struct oci_json_field ulimit_fields[] = {
  OCI_F_STRING (ulimit_t, "Name", name, 0),
  OCI_F_I64 (ulimit_t, "Hard", hard, 0),
  OCI_F_I64 (ulimit_t, "Soft", soft, 0),
};
static OCI_JSON_DEFINE_TYPE (ulimit_type, ulimit_t, ulimit_fields, NULL);

typedef struct container_device device_t;
static const struct oci_json_field device_fields[] = {
  OCI_F_STRING (device_t, "PathOnHost", path_on_host, 0),
  OCI_F_STRING (device_t, "PathInContainer", path_in_container, 0),
  OCI_F_STRING (device_t, "CgroupPermissions", cgroup_permissions, 0),
};
static OCI_JSON_DEFINE_TYPE (device_type, device_t, device_fields, NULL);

typedef struct container_bind_options bind_options_t;
static const struct oci_json_field bind_options_fields[] = {
  OCI_F_STRING (bind_options_t, "Propagation", propagation, 0),
};
static OCI_JSON_DEFINE_TYPE (bind_options_type, bind_options_t, bind_options_fields, NULL);

typedef struct container_volume_options volume_options_t;
static const struct oci_json_field volume_options_fields[] = {
  OCI_F_BOOL (volume_options_t, "NoCopy", no_copy, 0),
  OCI_F_STRMAP (volume_options_t, "Labels", labels, 0),
};
static OCI_JSON_DEFINE_TYPE (volume_options_type, volume_options_t, volume_options_fields, NULL);

typedef struct container_tmpfs_options tmpfs_options_t;
static const struct oci_json_field tmpfs_options_fields[] = {
  OCI_F_I64 (tmpfs_options_t, "SizeBytes", size_bytes, 0),
  OCI_F_U32 (tmpfs_options_t, "Mode", mode, 0),
};
static OCI_JSON_DEFINE_TYPE (tmpfs_options_type, tmpfs_options_t, tmpfs_options_fields, NULL);

typedef struct container_mount mount_t;
static const struct oci_json_field mount_fields[] = {
  OCI_F_STRING (mount_t, "Type", type, 0),
  OCI_F_STRING (mount_t, "Source", source, 0),
  OCI_F_STRING (mount_t, "Target", target, 0),
  OCI_F_BOOL (mount_t, "ReadOnly", read_only, 0),
  OCI_F_OBJECT (mount_t, "BindOptions", bind_options, bind_options_type, 0),
  OCI_F_OBJECT (mount_t, "VolumeOptions", volume_options, volume_options_type, 0),
  OCI_F_OBJECT (mount_t, "TmpfsOptions", tmpfs_options, tmpfs_options_type, 0),
};
static OCI_JSON_DEFINE_TYPE (mount_type, mount_t, mount_fields, NULL);

typedef struct container_host_config host_config_t;
static const struct oci_json_field host_config_fields[] = {
  OCI_F_STRV (host_config_t, "Binds", binds, 0),
  OCI_F_STRING (host_config_t, "ContainerIDFile", container_id_file, 0),
  OCI_F_OBJECT (host_config_t, "LogConfig", log_config, log_config_type, 0),
  OCI_F_STRING (host_config_t, "NetworkMode", network_mode, 0),
  OCI_F_OBJECT (host_config_t, "RestartPolicy", restart_policy, restart_policy_type, 0),
  OCI_F_BOOL (host_config_t, "AutoRemove", auto_remove, 0),
  OCI_F_STRV (host_config_t, "CapAdd", cap_add, 0),
  OCI_F_STRV (host_config_t, "CapDrop", cap_drop, 0),
  OCI_F_STRV (host_config_t, "Dns", dns, 0),
  OCI_F_STRV (host_config_t, "DnsOptions", dns_options, 0),
  OCI_F_STRV (host_config_t, "DnsSearch", dns_search, 0),
  OCI_F_STRV (host_config_t, "ExtraHosts", extra_hosts, 0),
  OCI_F_STRV (host_config_t, "GroupAdd", group_add, 0),
  OCI_F_STRING (host_config_t, "IpcMode", ipc_mode, 0),
  OCI_F_I32 (host_config_t, "OomScoreAdj", oom_score_adj, 0),
  OCI_F_STRING (host_config_t, "PidMode", pid_mode, 0),
  OCI_F_BOOL (host_config_t, "Privileged", privileged, 0),
  OCI_F_BOOL (host_config_t, "ReadonlyRootfs", readonly_rootfs, 0),
  OCI_F_STRV (host_config_t, "SecurityOpt", security_opt, 0),
  OCI_F_STRMAP (host_config_t, "Tmpfs", tmpfs, 0),
  OCI_F_STRING (host_config_t, "UTSMode", uts_mode, 0),
  OCI_F_STRING (host_config_t, "UsernsMode", userns_mode, 0),
  OCI_F_I64 (host_config_t, "ShmSize", shm_size, 0),
  OCI_F_STRMAP (host_config_t, "Sysctls", sysctls, 0),
  OCI_F_STRING (host_config_t, "Runtime", runtime, 0),
  OCI_F_I64 (host_config_t, "CpuShares", cpu_shares, 0),
  OCI_F_I64 (host_config_t, "Memory", memory, 0),
  OCI_F_I64 (host_config_t, "NanoCpus", nano_cpus, 0),
  OCI_F_U16 (host_config_t, "BlkioWeight", blkio_weight, 0),
  OCI_F_STRING (host_config_t, "CpusetCpus", cpuset_cpus, 0),
  OCI_F_STRING (host_config_t, "CpusetMems", cpuset_mems, 0),
  OCI_F_ARRAY (host_config_t, "Devices", devices, device_type, 0),
  OCI_F_I64 (host_config_t, "MemoryReservation", memory_reservation, 0),
  OCI_F_I64 (host_config_t, "MemorySwap", memory_swap, 0),
  OCI_F_BOOL (host_config_t, "OomKillDisable", oom_kill_disable, 0),
  OCI_F_I64 (host_config_t, "PidsLimit", pids_limit, 0),
  OCI_F_ARRAY (host_config_t, "Ulimits", ulimits, ulimit_type, 0),
  OCI_F_ARRAY (host_config_t, "Mounts", mounts, mount_type, 0),
  OCI_F_BOOL (host_config_t, "PublishAllPorts", publish_all_ports, 0),
};
OCI_JSON_DEFINE_TYPE (container_host_config_type, host_config_t, host_config_fields, NULL);

typedef struct container_mount_point mount_point_t;
static const struct oci_json_field mount_point_fields[] = {
  OCI_F_STRING (mount_point_t, "Type", type, 0),
  OCI_F_STRING (mount_point_t, "Name", name, 0),
  OCI_F_STRING (mount_point_t, "Source", source, 0),
  OCI_F_STRING (mount_point_t, "Destination", destination, 0),
  OCI_F_STRING (mount_point_t, "Driver", driver, 0),
  OCI_F_STRING (mount_point_t, "Mode", mode, 0),
  OCI_F_BOOL (mount_point_t, "RW", rw, 0),
  OCI_F_STRING (mount_point_t, "Propagation", propagation, 0),
};
OCI_JSON_DEFINE_TYPE (container_mount_point_type, mount_point_t, mount_point_fields, NULL);

typedef struct container_port_binding port_binding_t;
static const struct oci_json_field port_binding_fields[] = {
  OCI_F_STRING (port_binding_t, "ContainerPort", container_port, 0),
  OCI_F_STRING (port_binding_t, "HostIp", host_ip, 0),
  OCI_F_STRING (port_binding_t, "HostPort", host_port, 0),
};
static OCI_JSON_DEFINE_TYPE (port_binding_type, port_binding_t, port_binding_fields, NULL);

typedef struct container_ipam_config ipam_config_t;
static const struct oci_json_field ipam_config_fields[] = {
  OCI_F_STRING (ipam_config_t, "IPv4Address", ipv4_address, 0),
};
static OCI_JSON_DEFINE_TYPE (ipam_config_type, ipam_config_t, ipam_config_fields, NULL);

typedef struct container_endpoint_config endpoint_config_t;
static const struct oci_json_field endpoint_config_fields[] = {
  OCI_F_MAPKEY (endpoint_config_t, network),
  OCI_F_STRV (endpoint_config_t, "Aliases", aliases, 0),
  OCI_F_OBJECT (endpoint_config_t, "IPAMConfig", ipam_config, ipam_config_type, 0),
};
static OCI_JSON_DEFINE_TYPE (endpoint_config_type, endpoint_config_t, endpoint_config_fields, NULL);

typedef struct container_record record_t;
static const struct oci_json_field record_fields[] = {
  OCI_F_STRING (record_t, "Path", path, 0),
  OCI_F_STRV (record_t, "Args", args, 0),
  OCI_F_OBJECT (record_t, "Config", config, container_config_type, 0),
  OCI_F_OBJECT (record_t, "HostConfig", host_config, container_host_config_type, 0),
  OCI_F_ARRAY (record_t, "Mounts", mounts, container_mount_point_type, 0),
  OCI_F_ARRAY (record_t, "PortBindings", port_bindings, port_binding_type, 0),
  OCI_F_OBJMAP (record_t, "EndpointsConfig", endpoints_config, endpoint_config_type, 0),
};
OCI_JSON_DEFINE_TYPE (container_record_type, record_t, record_fields, NULL);

OCI_DEFINE_JSON_WRAPPERS (container_record, struct container_record, container_record_type)

int
container_record_dup (const struct container_record *r, struct container_record **out, oci_error_t **err)
{
  void *copy = NULL;
  int ret = oci_json_dup (&container_record_type, r, &copy, err);

  *out = copy;
  return ret;
}

void
container_record_freep (struct container_record **r)
{
  container_record_free (*r);
  *r = NULL;
}

/* --- construction --- */

#define SET_PRESENT(obj, m, v)                                                                               \
  do                                                                                                         \
    {                                                                                                        \
      (obj)->m = (v);                                                                                        \
      (obj)->m##_present = true;                                                                             \
    }                                                                                                        \
  while (0)

struct container_record *
container_record_new (void)
{
  struct container_record *r = xzalloc (sizeof *r);
  struct container_config *c = r->config = xzalloc (sizeof *c);
  struct container_host_config *h = r->host_config = xzalloc (sizeof *h);

  SET_PRESENT (c, attach_stdin, false);
  SET_PRESENT (c, attach_stdout, false);
  SET_PRESENT (c, attach_stderr, false);
  SET_PRESENT (c, tty, false);
  SET_PRESENT (c, open_stdin, false);
  SET_PRESENT (c, stdin_once, false);

  h->log_config = xzalloc (sizeof *h->log_config);
  h->log_config->type = xstrdup ("json-file");
  h->network_mode = xstrdup ("bridge");
  h->restart_policy = xzalloc (sizeof *h->restart_policy);
  h->restart_policy->name = xstrdup ("no");
  SET_PRESENT (h->restart_policy, maximum_retry_count, 0);
  h->ipc_mode = xstrdup ("private");
  h->pid_mode = xstrdup ("");
  h->uts_mode = xstrdup ("");
  h->userns_mode = xstrdup ("");
  SET_PRESENT (h, auto_remove, false);
  SET_PRESENT (h, oom_score_adj, 0);
  SET_PRESENT (h, privileged, false);
  SET_PRESENT (h, publish_all_ports, false);
  SET_PRESENT (h, readonly_rootfs, false);
  SET_PRESENT (h, shm_size, 64 * 1024 * 1024);
  SET_PRESENT (h, cpu_shares, 0);
  SET_PRESENT (h, memory, 0);
  SET_PRESENT (h, nano_cpus, 0);
  SET_PRESENT (h, blkio_weight, 0);
  SET_PRESENT (h, memory_reservation, 0);
  SET_PRESENT (h, memory_swap, 0);
  SET_PRESENT (h, oom_kill_disable, false);
  return r;
}

static char *
xstrdup_null (const char *s)
{
  return s ? xstrdup (s) : NULL;
}

struct container_mount_point *
container_record_add_mount (struct container_record *r, const char *type, const char *name,
                            const char *source, const char *destination, const char *mode, bool rw,
                            const char *propagation)
{
  struct container_mount_point *m;

  r->mounts = xreallocarray (r->mounts, r->mounts_len + 1, sizeof *r->mounts);
  m = &r->mounts[r->mounts_len++];
  memset (m, 0, sizeof *m);
  m->type = xstrdup_null (type);
  m->name = xstrdup_null (name);
  m->source = xstrdup_null (source);
  m->destination = container_path_clean (destination);
  m->driver = streq (type, "volume") ? xstrdup ("local") : xstrdup ("");
  m->mode = xstrdup (mode ? mode : "");
  SET_PRESENT (m, rw, rw);
  m->propagation = xstrdup (propagation ? propagation : "");
  return m;
}

struct container_mount_point *
container_record_find_mount (const struct container_record *r, const char *dest)
{
  cleanup_free char *clean = container_path_clean (dest);

  for (size_t i = 0; i < r->mounts_len; i++)
    if (r->mounts[i].destination && streq (r->mounts[i].destination, clean))
      return &r->mounts[i];
  return NULL;
}

/* --- paths --- */

/* Go's filepath.Clean: a stack of the path's elements.  */
char *
container_path_clean (const char *path)
{
  cleanup_strbuf struct strbuf sb = STRBUF_INIT;
  cleanup_free const char **elem = xcalloc (strlen (path) / 2 + 2, sizeof (char *));
  cleanup_free size_t *elen = xcalloc (strlen (path) / 2 + 2, sizeof (size_t));
  bool rooted = path[0] == '/';
  size_t n = 0, fixed = 0; /* fixed: leading ".." of a relative path */

  for (const char *p = path; *p;)
    {
      size_t len = strcspn (p, "/");

      if (len == 2 && p[0] == '.' && p[1] == '.')
        {
          if (n > fixed)
            n--;
          else if (!rooted)
            {
              elem[n] = p;
              elen[n++] = 2;
              fixed = n;
            }
        }
      else if (len > 0 && !(len == 1 && p[0] == '.'))
        {
          elem[n] = p;
          elen[n++] = len;
        }
      p += len;
      p += *p == '/';
    }
  if (rooted)
    strbuf_addch (&sb, '/');
  for (size_t i = 0; i < n; i++)
    {
      if (i > 0)
        strbuf_addch (&sb, '/');
      strbuf_add (&sb, elem[i], elen[i]);
    }
  if (sb.len == 0)
    strbuf_addch (&sb, '.');
  return strbuf_detach (&sb, NULL);
}

static void
strv_append (char ***v, const char *s)
{
  size_t n = *v ? strv_len (*v) : 0;

  *v = xreallocarray (*v, n + 2, sizeof (char *));
  (*v)[n] = xstrdup (s);
  (*v)[n + 1] = NULL;
}

static void
str_replace (char **field, const char *s)
{
  free (*field);
  *field = s ? xstrdup (s) : NULL;
}

/* Sets are kept sorted, as they are emitted and parsed.  */
void
container_strset_add (char ***set, const char *s)
{
  size_t n = *set ? strv_len (*set) : 0, at = 0;

  while (at < n && strcmp ((*set)[at], s) < 0)
    at++;
  if (at < n && streq ((*set)[at], s))
    return;
  *set = xreallocarray (*set, n + 2, sizeof (char *));
  (*set)[n] = NULL;
  memmove (*set + at + 1, *set + at, (n + 1 - at) * sizeof (char *));
  (*set)[at] = xstrdup (s);
}

/* --- value syntaxes --- */

/* go-units RAMInBytes: ^(\d+(\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$  */
int
container_parse_size (const char *s, bool allow_minus_one, int64_t *out, oci_error_t **err)
{
  static const char units[] = "kmgtp";
  const char *p = s, *u;
  long double v, mult = 1;
  char *end;

  if (allow_minus_one && streq (s, "-1"))
    {
      *out = -1;
      return 0;
    }
  if (!isdigit ((unsigned char) *p))
    return oci_error_set (err, EINVAL, "invalid size: '%s'", s);
  while (isdigit ((unsigned char) *p))
    p++;
  while (*p == '.' && isdigit ((unsigned char) p[1]))
    for (p++; isdigit ((unsigned char) *p);)
      p++;
  errno = 0;
  v = strtold (s, &end);
  if (end != p || errno != 0)
    return oci_error_set (err, EINVAL, "invalid size: '%s'", s);
  if (*p == ' ')
    p++;
  if (*p && (u = strchr (units, tolower ((unsigned char) *p))) != NULL)
    {
      for (int i = 0; i <= u - units; i++)
        mult *= 1024;
      p++;
    }
  if (*p == 'i' || *p == 'I')
    p++;
  if (*p == 'b' || *p == 'B')
    p++;
  if (*p != '\0' || v * mult >= (long double) INT64_MAX)
    return oci_error_set (err, EINVAL, "invalid size: '%s'", s);
  *out = (int64_t) (v * mult);
  return 0;
}

static int64_t
duration_unit (const char *u, size_t len)
{
  static const struct
  {
    const char *name;
    int64_t ns;
  } units[] = {
    { "ns", 1 },       { "us", 1000 },      { "\xc2\xb5s", 1000 },      { "\xce\xbcs", 1000 },
    { "ms", 1000000 }, { "s", 1000000000 }, { "m", 60 * 1000000000LL }, { "h", 3600 * 1000000000LL },
  };

  for (size_t i = 0; i < ARRAY_SIZE (units); i++)
    if (strlen (units[i].name) == len && strncmp (units[i].name, u, len) == 0)
      return units[i].ns;
  return 0;
}

/* Go's time.ParseDuration, with its messages.  */
int
container_parse_duration (const char *s, int64_t *out, oci_error_t **err)
{
  const char *p = s;
  long double total = 0;
  bool neg = false;

  if (*p == '-' || *p == '+')
    neg = *p++ == '-';
  if (streq (p, "0"))
    {
      *out = 0;
      return 0;
    }
  if (*p == '\0')
    return oci_error_set (err, EINVAL, "time: invalid duration \"%s\"", s);
  while (*p)
    {
      const char *num = p, *unit;
      char *end;
      long double v;
      int64_t ns;

      while (isdigit ((unsigned char) *p) || *p == '.')
        p++;
      if (p == num || (p == num + 1 && *num == '.'))
        return oci_error_set (err, EINVAL, "time: invalid duration \"%s\"", s);
      v = strtold (num, &end);
      if (end != p)
        return oci_error_set (err, EINVAL, "time: invalid duration \"%s\"", s);
      unit = p;
      while (*p && *p != '.' && !isdigit ((unsigned char) *p))
        p++;
      if (p == unit)
        return oci_error_set (err, EINVAL, "time: missing unit in duration \"%s\"", s);
      ns = duration_unit (unit, p - unit);
      if (ns == 0)
        return oci_error_set (err, EINVAL, "time: unknown unit \"%.*s\" in duration \"%s\"", (int) (p - unit),
                              unit, s);
      total += v * ns;
      if (total > (long double) INT64_MAX)
        return oci_error_set (err, EINVAL, "time: invalid duration \"%s\"", s);
    }
  *out = (int64_t) (neg ? -total : total);
  return 0;
}

int
container_parse_bool (const char *s, bool *out, oci_error_t **err)
{
  static const char *const yes[] = { "1", "t", "T", "true", "TRUE", "True", NULL };
  static const char *const no[] = { "0", "f", "F", "false", "FALSE", "False", NULL };

  if (s == NULL || oci_strv_contains (yes, s))
    *out = true;
  else if (oci_strv_contains (no, s))
    *out = false;
  else
    return oci_error_set (err, EINVAL, "strconv.ParseBool: parsing \"%s\": invalid syntax", s);
  return 0;
}

/* Whether w is one of the space-separated words of list (" a b c ").  */
bool
container_word_in (const char *list, const char *w)
{
  size_t len = strlen (w);

  if (len == 0 || strchr (w, ' '))
    return false;
  for (const char *p = strstr (list, w); p; p = strstr (p + 1, w))
    if (p[-1] == ' ' && p[len] == ' ')
      return true;
  return false;
}

/* [a-zA-Z0-9][a-zA-Z0-9_.-]+  */
bool
container_name_valid (const char *s)
{
  if (!isalnum ((unsigned char) s[0]) || s[1] == '\0')
    return false;
  for (const char *p = s + 1; *p; p++)
    if (!isalnum ((unsigned char) *p) && !strchr ("_.-", *p))
      return false;
  return true;
}

/* --- storage: -v, --mount, --tmpfs --- */

static int
add_mount_point (struct container_record *r, const char *spec, const char *type, const char *name,
                 const char *source, const char *dest, const char *mode, bool rw, const char *propagation,
                 oci_error_t **err)
{
  cleanup_free char *clean = container_path_clean (dest);

  if (dest[0] != '/')
    return oci_error_set (
        err, EINVAL,
        "invalid volume specification: '%s': invalid mount config for type \"%s\": invalid mount "
        "path: '%s' mount path must be absolute",
        spec, type, dest);
  if (streq (clean, "/"))
    return oci_error_set (err, EINVAL, "invalid specification: destination can't be '/'");
  if (container_record_find_mount (r, clean) || oci_map_get (&r->host_config->tmpfs, clean))
    return oci_error_set (err, EINVAL, "Duplicate mount point: %s", clean);
  container_record_add_mount (r, type, name, source, clean, mode, rw, propagation);
  return 0;
}

static bool
volume_mode_valid (const char *mode, bool *ro, const char **propagation, bool *nocopy)
{
  static const char *const props[] = { "shared", "rshared", "slave", "rslave", "private", "rprivate", NULL };
  static const char *const consistency[] = { "consistent", "cached", "delegated", NULL };
  int n_rw = 0, n_label = 0, n_prop = 0, n_copy = 0, n_cons = 0;
  cleanup_free char *copy = xstrdup (mode);
  char *save = NULL;

  *ro = *nocopy = false;
  *propagation = NULL;
  for (char *m = strtok_r (copy, ",", &save); m; m = strtok_r (NULL, ",", &save))
    {
      if (streq (m, "rw") || streq (m, "ro"))
        n_rw++, *ro = streq (m, "ro");
      else if (streq (m, "z") || streq (m, "Z"))
        n_label++;
      else if (oci_strv_contains (props, m))
        n_prop++, *propagation = mode + (m - copy);
      else if (streq (m, "nocopy"))
        n_copy++, *nocopy = true;
      else if (oci_strv_contains (consistency, m))
        n_cons++;
      else
        return false;
    }
  return n_rw <= 1 && n_label <= 1 && n_prop <= 1 && n_copy <= 1 && n_cons <= 1;
}

static int
volume_name_check (const char *spec, const char *name, oci_error_t **err)
{
  if (!container_name_valid (name) && !(isalnum ((unsigned char) name[0]) && name[1] == '\0'))
    return oci_error_set (
        err, EINVAL,
        "invalid volume specification: '%s': \"%s\" includes invalid characters for a local volume "
        "name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host "
        "directory, use absolute path",
        spec, name);
  return 0;
}

/* A relative host path given as ./x or ../x becomes absolute (docker's CLI).  */
static char *
host_path_abs (const char *src)
{
  cleanup_free char *cwd = NULL, *joined = NULL;

  if (src[0] == '/')
    return container_path_clean (src);
  cwd = getcwd (NULL, 0);
  xasprintf (&joined, "%s/%s", cwd ? cwd : "/", src);
  return container_path_clean (joined);
}

/* -v [SOURCE:]DEST[:MODE]  */
int
container_record_add_volume_spec (struct container_record *r, const char *v, oci_error_t **err)
{
  cleanup_strv char **parts = NULL;
  cleanup_free char *src = NULL, *prop_s = NULL;
  const char *dest, *mode = "", *prop;
  bool ro, nocopy;
  size_t n = 0;

  for (const char *p = v;; p++)
    {
      size_t len = strcspn (p, ":");
      cleanup_free char *part = xstrndup (p, len);
      if (len == 0 || n == 3)
        return oci_error_set (err, EINVAL, "invalid volume specification: '%s'", v);
      strv_append (&parts, part);
      n++;
      p += len;
      if (*p == '\0')
        break;
    }
  if (n == 2 && volume_mode_valid (parts[1], &ro, &prop, &nocopy))
    return oci_error_set (err, EINVAL, "invalid volume specification: '%s'", v);
  if (n == 3)
    mode = parts[2];
  if (!volume_mode_valid (mode, &ro, &prop, &nocopy))
    return oci_error_set (err, EINVAL, "invalid mode: %s", mode);
  prop_s = prop ? xstrndup (prop, strcspn (prop, ",")) : NULL;
  if (n == 1)
    {
      if (add_mount_point (r, v, "volume", "", "", parts[0], "", true, "", err) < 0)
        return -1;
      cleanup_free char *clean = container_path_clean (parts[0]);
      container_strset_add (&r->config->volumes, clean);
      return 0;
    }
  dest = parts[1];
  if (parts[0][0] == '/' || parts[0][0] == '.')
    {
      src = host_path_abs (parts[0]);
      if (add_mount_point (r, v, "bind", NULL, src, dest, mode, !ro, prop_s ? prop_s : "rprivate", err) < 0)
        return -1;
    }
  else if (volume_name_check (v, parts[0], err) < 0
           || add_mount_point (r, v, "volume", parts[0], "", dest, mode, !ro, "", err) < 0)
    return -1;
  strv_append (&r->host_config->binds, v);
  return 0;
}

/* One field of a --mount CSV value (double quotes as encoding/csv).  */
static char *
csv_next (const char **p)
{
  cleanup_strbuf struct strbuf sb = STRBUF_INIT;
  const char *s = *p;

  if (*s == '"')
    {
      for (s++; *s && !(*s == '"' && s[1] != '"'); s++)
        {
          if (*s == '"')
            s++;
          strbuf_addch (&sb, *s);
        }
      if (*s == '"')
        s++;
    }
  while (*s && *s != ',')
    strbuf_addch (&sb, *s++);
  *p = *s == ',' ? s + 1 : s;
  return strbuf_detach (&sb, NULL);
}

struct mount_spec
{
  char *type, *source, *target, *propagation;
  bool read_only, nocopy, bind_opts, volume_opts, tmpfs_opts;
  int64_t tmpfs_size;
  uint32_t tmpfs_mode;
  bool tmpfs_size_set, tmpfs_mode_set;
  struct oci_map labels;
};

static void
mount_spec_clear (struct mount_spec *m)
{
  free (m->type);
  free (m->source);
  free (m->target);
  free (m->propagation);
  oci_map_clear (&m->labels);
}

static int
mount_field (struct mount_spec *m, const char *key, const char *val, const char *field, oci_error_t **err)
{
  bool b;

  if (val == NULL && !streq (key, "readonly") && !streq (key, "ro") && !streq (key, "volume-nocopy")
      && !streq (key, "bind-nonrecursive"))
    return oci_error_set (err, EINVAL, "invalid field '%s' must be a key=value pair", field);
  if (streq (key, "type"))
    str_replace (&m->type, val);
  else if (streq (key, "source") || streq (key, "src"))
    str_replace (&m->source, val);
  else if (streq (key, "target") || streq (key, "dst") || streq (key, "destination"))
    str_replace (&m->target, val);
  else if (streq (key, "readonly") || streq (key, "ro") || streq (key, "volume-nocopy")
           || streq (key, "bind-nonrecursive"))
    {
      if (container_parse_bool (val, &b, NULL) < 0)
        return oci_error_set (err, EINVAL, "invalid value for %s: %s", key, val);
      if (streq (key, "volume-nocopy"))
        m->nocopy = b, m->volume_opts = true;
      else if (streq (key, "bind-nonrecursive"))
        m->bind_opts = true;
      else
        m->read_only = b;
    }
  else if (streq (key, "consistency"))
    ;
  else if (streq (key, "bind-propagation"))
    str_replace (&m->propagation, val), m->bind_opts = true;
  else if (streq (key, "volume-label"))
    {
      size_t k = strcspn (val, "=");
      cleanup_free char *lk = xstrndup (val, k);
      oci_map_set (&m->labels, lk, val[k] ? val + k + 1 : "");
      m->volume_opts = true;
    }
  else if (streq (key, "volume-driver") || streq (key, "volume-opt"))
    m->volume_opts = true;
  else if (streq (key, "tmpfs-size"))
    {
      if (container_parse_size (val, false, &m->tmpfs_size, NULL) < 0)
        return oci_error_set (err, EINVAL, "invalid value for %s: %s", key, val);
      m->tmpfs_size_set = m->tmpfs_opts = true;
    }
  else if (streq (key, "tmpfs-mode"))
    {
      char *end;
      unsigned long mode = strtoul (val, &end, 8);
      if (*val == '\0' || *end || mode > 07777)
        return oci_error_set (err, EINVAL, "invalid value for %s: %s", key, val);
      m->tmpfs_mode = mode;
      m->tmpfs_mode_set = m->tmpfs_opts = true;
    }
  else
    return oci_error_set (err, EINVAL, "unexpected key '%s' in '%s'", key, field);
  return 0;
}

static int
mount_spec_parse (struct mount_spec *m, const char *v, oci_error_t **err)
{
  const char *p = v;

  m->type = xstrdup ("volume");
  while (*p)
    {
      cleanup_free char *field = csv_next (&p), *key = NULL;
      char *eq = strchr (field, '=');

      key = eq ? xstrndup (field, eq - field) : xstrdup (field);
      for (char *k = key; *k; k++)
        *k = tolower ((unsigned char) *k);
      if (mount_field (m, key, eq ? eq + 1 : NULL, field, err) < 0)
        return -1;
    }
  if (m->target == NULL || *m->target == '\0')
    return oci_error_set (err, EINVAL, "target is required");
  if (m->volume_opts && !streq (m->type, "volume"))
    return oci_error_set (err, EINVAL, "cannot mix 'volume-*' options with mount type '%s'", m->type);
  if (m->bind_opts && !streq (m->type, "bind"))
    return oci_error_set (err, EINVAL, "cannot mix 'bind-*' options with mount type '%s'", m->type);
  if (m->tmpfs_opts && !streq (m->type, "tmpfs"))
    return oci_error_set (err, EINVAL, "cannot mix 'tmpfs-*' options with mount type '%s'", m->type);
  return 0;
}

static char *
tmpfs_mount_options (const struct mount_spec *m)
{
  cleanup_strbuf struct strbuf sb = STRBUF_INIT;

  if (m->tmpfs_size_set)
    strbuf_addf (&sb, "size=%" PRId64, m->tmpfs_size);
  if (m->tmpfs_mode_set)
    strbuf_addf (&sb, "%smode=%o", sb.len ? "," : "", m->tmpfs_mode);
  return strbuf_detach (&sb, NULL);
}

/* The checks of docker's daemon on one parsed --mount; adds the mount point.  */
static int
mount_spec_apply (struct container_record *r, struct mount_spec *m, const char *v, oci_error_t **err)
{
  static const char *const props[] = { "shared", "rshared", "slave", "rslave", "private", "rprivate", NULL };
  const char *t = m->type;
  cleanup_free char *src = NULL, *opts = NULL;
  struct stat st;

  if (!streq (t, "bind") && !streq (t, "volume") && !streq (t, "tmpfs"))
    return oci_error_set (err, EINVAL, "invalid mount config for type \"%s\": mount type unknown", t);
  if (m->target[0] != '/')
    return oci_error_set (
        err, EINVAL,
        "invalid mount config for type \"%s\": invalid mount path: '%s' mount path must be absolute", t,
        m->target);
  if (streq (t, "bind"))
    {
      if (m->source == NULL || *m->source == '\0')
        return oci_error_set (err, EINVAL,
                              "invalid mount config for type \"bind\": field Source must not be empty");
      if (m->propagation && !oci_strv_contains (props, m->propagation))
        return oci_error_set (err, EINVAL, "invalid propagation mode: %s", m->propagation);
      src = host_path_abs (m->source);
      if (stat (src, &st) < 0)
        return oci_error_set (
            err, ENOENT, "invalid mount config for type \"bind\": bind source path does not exist: %s", src);
      return add_mount_point (r, v, "bind", NULL, src, m->target, "", !m->read_only,
                              m->propagation ? m->propagation : "rprivate", err);
    }
  if (streq (t, "tmpfs"))
    {
      if (m->source && *m->source)
        return oci_error_set (err, EINVAL,
                              "invalid mount config for type \"tmpfs\": field Source must not be specified");
      opts = tmpfs_mount_options (m);
      return add_mount_point (r, v, "tmpfs", NULL, "", m->target, opts, !m->read_only, "", err);
    }
  if (m->source && *m->source && volume_name_check (v, m->source, err) < 0)
    return -1;
  return add_mount_point (r, v, "volume", m->source ? m->source : "", "", m->target,
                          m->nocopy ? "nocopy" : "", !m->read_only, "", err);
}

static void
mount_spec_record (struct container_record *r, struct mount_spec *m)
{
  struct container_host_config *h = r->host_config;
  struct container_mount *hm;

  h->mounts = xreallocarray (h->mounts, h->mounts_len + 1, sizeof *h->mounts);
  hm = &h->mounts[h->mounts_len++];
  memset (hm, 0, sizeof *hm);
  hm->type = xstrdup (m->type);
  hm->source = m->source ? xstrdup (m->source) : NULL;
  hm->target = xstrdup (m->target);
  hm->read_only = m->read_only;
  hm->read_only_present = m->read_only;
  if (m->bind_opts && m->propagation)
    {
      hm->bind_options = xzalloc (sizeof *hm->bind_options);
      hm->bind_options->propagation = xstrdup (m->propagation);
    }
  if (m->volume_opts)
    {
      hm->volume_options = xzalloc (sizeof *hm->volume_options);
      hm->volume_options->no_copy = m->nocopy;
      hm->volume_options->no_copy_present = m->nocopy;
      for (size_t i = 0; i < m->labels.len; i++)
        oci_map_set (&hm->volume_options->labels, m->labels.keys[i], m->labels.values[i]);
    }
  if (m->tmpfs_opts)
    {
      hm->tmpfs_options = xzalloc (sizeof *hm->tmpfs_options);
      hm->tmpfs_options->size_bytes = m->tmpfs_size;
      hm->tmpfs_options->size_bytes_present = m->tmpfs_size_set;
      hm->tmpfs_options->mode = m->tmpfs_mode;
      hm->tmpfs_options->mode_present = m->tmpfs_mode_set;
    }
}

int
container_record_add_mount_spec (struct container_record *r, const char *spec, oci_error_t **err)
{
  struct mount_spec m = { 0 };
  int ret;

  if (mount_spec_parse (&m, spec, err) < 0)
    ret = -2;
  else
    ret = mount_spec_apply (r, &m, spec, err);
  if (ret == 0)
    mount_spec_record (r, &m);
  mount_spec_clear (&m);
  return ret;
}

static bool
tmpfs_option_valid (const char *o)
{
  static const char flags[]
      = " ro rw exec noexec suid nosuid dev nodev sync async dirsync remount mand nomand atime noatime "
        "diratime nodiratime relatime norelatime strictatime nostrictatime private rprivate shared rshared "
        "slave rslave unbindable runbindable tmpcopyup notmpcopyup ";
  static const char keys[] = " size mode uid gid nr_inodes nr_blocks mpol huge ";
  size_t k = strcspn (o, "=");
  cleanup_free char *key = xstrndup (o, k);

  return o[k] ? container_word_in (keys, key) : container_word_in (flags, o);
}

/* --tmpfs /path[:options]  */
int
container_record_add_tmpfs_spec (struct container_record *r, const char *v, oci_error_t **err)
{
  const char *colon = strchr (v, ':');
  cleanup_free char *dest = colon ? xstrndup (v, colon - v) : xstrdup (v), *clean = NULL, *opts = NULL;
  char *save = NULL;

  if (dest[0] != '/')
    return oci_error_set (err, EINVAL, "invalid mount path: '%s' mount path must be absolute", dest);
  clean = container_path_clean (dest);
  opts = xstrdup (colon ? colon + 1 : "");
  for (char *o = strtok_r (opts, ",", &save); o; o = strtok_r (NULL, ",", &save))
    if (!tmpfs_option_valid (o))
      return oci_error_set (err, EINVAL, "invalid tmpfs option \"%s\"", o);
  if (container_record_find_mount (r, clean) || oci_map_get (&r->host_config->tmpfs, clean))
    return oci_error_set (err, EINVAL, "Duplicate mount point: %s", clean);
  oci_map_set (&r->host_config->tmpfs, clean, colon ? colon + 1 : "");
  return 0;
}

/* --- merging the image config --- */

static size_t
env_key_len (const char *kv)
{
  return strcspn (kv, "=");
}

static ssize_t
env_find (char *const *env, const char *kv)
{
  size_t klen = env_key_len (kv);

  for (size_t i = 0; env && env[i]; i++)
    if (env_key_len (env[i]) == klen && strncmp (env[i], kv, klen) == 0)
      return (ssize_t) i;
  return -1;
}

/* Docker's merge: the container's variables (a later duplicate replaces
   the earlier value in place), then the image's whose name is not set.  */
static void
merge_env (struct container_config *c, char *const *image_env)
{
  char **merged = NULL;

  for (size_t i = 0; c->env && c->env[i]; i++)
    {
      ssize_t at = env_find (merged, c->env[i]);
      if (at < 0)
        strv_append (&merged, c->env[i]);
      else
        {
          free (merged[at]);
          merged[at] = xstrdup (c->env[i]);
        }
    }
  for (size_t i = 0; image_env && image_env[i]; i++)
    if (env_find (merged, image_env[i]) < 0)
      strv_append (&merged, image_env[i]);
  strv_free (c->env);
  c->env = merged;
}

static void
merge_set (char ***dst, char *const *src)
{
  for (size_t i = 0; src && src[i]; i++)
    container_strset_add (dst, src[i]);
}

static void
merge_healthcheck (struct container_config *c, const struct oci_image_healthcheck *img)
{
  struct oci_image_healthcheck *h = c->healthcheck;

  if (img == NULL)
    return;
  if (h == NULL)
    {
      oci_error_t *err = NULL;
      void *copy = NULL;
      if (oci_json_dup (&healthcheck_type, img, &copy, &err) < 0)
        oci_error_free (&err);
      c->healthcheck = copy;
      return;
    }
  if (h->test == NULL || h->test[0] == NULL)
    {
      strv_free (h->test);
      h->test = strv_dup (img->test);
    }
#define MERGE_DURATION(m)                                                                                    \
  if ((!h->m##_present || h->m == 0) && img->m##_present)                                                    \
  SET_PRESENT (h, m, img->m)
  MERGE_DURATION (interval);
  MERGE_DURATION (timeout);
  MERGE_DURATION (start_period);
  MERGE_DURATION (start_interval);
  MERGE_DURATION (retries);
#undef MERGE_DURATION
}

static void
merge_labels (struct container_config *c, const struct oci_map *img)
{
  for (size_t i = 0; i < img->len; i++)
    if (oci_map_get (&c->labels, img->keys[i]) == NULL)
      oci_map_set (&c->labels, img->keys[i], img->values[i]);
}

/* Image VOLUMEs: anonymous volumes unless a mount already covers the path.  */
static void
merge_volumes (struct container_record *r, char *const *volumes)
{
  for (size_t i = 0; volumes && volumes[i]; i++)
    {
      if (container_record_find_mount (r, volumes[i]) == NULL)
        container_record_add_mount (r, "volume", "", "", volumes[i], "", true, "");
      container_strset_add (&r->config->volumes, volumes[i]);
    }
}

/* Entrypoint and Cmd, then Path/Args.  */
static int
merge_command (struct container_record *r, const struct oci_image_exec_config *ic, oci_error_t **err)
{
  struct container_config *c = r->config;
  size_t n_ep, n_cmd;

  if (c->entrypoint == NULL)
    {
      c->entrypoint = strv_dup (ic ? ic->entrypoint : NULL);
      if (c->cmd == NULL)
        c->cmd = strv_dup (ic ? ic->cmd : NULL);
    }
  else if (c->entrypoint[0] == NULL)
    {
      free (c->entrypoint);
      c->entrypoint = NULL;
    }
  n_ep = c->entrypoint ? strv_len (c->entrypoint) : 0;
  n_cmd = c->cmd ? strv_len (c->cmd) : 0;
  if (n_ep + n_cmd == 0)
    return oci_error_set (err, EINVAL, "no command specified");

  free (r->path);
  strv_free (r->args);
  r->path = xstrdup (n_ep ? c->entrypoint[0] : c->cmd[0]);
  r->args = xcalloc (n_ep + n_cmd, sizeof (char *));
  size_t k = 0;
  for (size_t i = 1; i < n_ep; i++)
    r->args[k++] = xstrdup (c->entrypoint[i]);
  for (size_t i = n_ep ? 0 : 1; i < n_cmd; i++)
    r->args[k++] = xstrdup (c->cmd[i]);
  r->args[k] = NULL;
  return 0;
}

int
container_record_apply_image (struct container_record *r, const struct oci_image_config *img,
                              const char *image_ref, oci_error_t **err)
{
  const struct oci_image_exec_config *ic = img ? img->config : NULL;
  struct container_config *c;

  if (r->config == NULL)
    r->config = xzalloc (sizeof *r->config);
  c = r->config;
  if (image_ref)
    {
      free (c->image);
      c->image = xstrdup (image_ref);
    }
  if (ic)
    {
      if (c->user == NULL && ic->user)
        c->user = xstrdup (ic->user);
      if (c->working_dir == NULL && ic->working_dir)
        c->working_dir = xstrdup (ic->working_dir);
      if (c->stop_signal == NULL && ic->stop_signal)
        c->stop_signal = xstrdup (ic->stop_signal);
      merge_set (&c->exposed_ports, ic->exposed_ports);
      merge_labels (c, &ic->labels);
      merge_healthcheck (c, ic->healthcheck);
      merge_volumes (r, ic->volumes);
    }
  merge_env (c, ic ? ic->env : NULL);
  return merge_command (r, ic, err);
}

/* --- ps COMMAND --- */

char *
container_record_command_string (const struct container_record *r)
{
  cleanup_strbuf struct strbuf sb = STRBUF_INIT;

  if (r == NULL || r->path == NULL)
    return xstrdup ("");
  strbuf_addstr (&sb, r->path);
  for (size_t i = 0; r->args && r->args[i]; i++)
    {
      if (strchr (r->args[i], ' '))
        strbuf_addf (&sb, " '%s'", r->args[i]);
      else
        strbuf_addf (&sb, " %s", r->args[i]);
    }
  return strbuf_detach (&sb, NULL);
}

/* --- name syntaxes --- */

bool
container_utf8_valid (const char *s, size_t len)
{
  for (size_t i = 0; i < len;)
    {
      unsigned char c = s[i];
      size_t n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;

      if (n == 0 || (n == 2 && c < 0xc2) || i + n > len)
        return false;
      for (size_t k = 1; k < n; k++)
        if (((unsigned char) s[i + k] & 0xc0) != 0x80)
          return false;
      i += n;
    }
  return true;
}

/* The label grammar of docker's validateDomain.  */
bool
container_domain_valid (const char *s)
{
  size_t len = strlen (s);

  if (len == 0 || len > 255)
    return false;
  if (s[len - 1] == '.')
    len--;
  for (size_t i = 0; i < len;)
    {
      size_t n = 0;
      while (i + n < len && s[i + n] != '.')
        {
          if (!isalnum ((unsigned char) s[i + n]) && s[i + n] != '-')
            return false;
          n++;
        }
      if (n == 0 || s[i] == '-' || s[i + n - 1] == '-')
        return false;
      i += n + 1;
    }
  return true;
}

/* --- published ports and endpoints (issue #8) --- */

/* go-connections' ParsePortRange: "80" or "80-81", 0..65535.  */
static int
port_range_parse (const char *s, int *start, int *end)
{
  const char *dash = strchr (s, '-');
  cleanup_free char *first = dash ? xstrndup (s, dash - s) : xstrdup (s);
  const char *parts[2] = { first, dash ? dash + 1 : first };
  int v[2];

  for (int i = 0; i < 2; i++)
    {
      char *end_ptr;
      long n;
      if (!isdigit ((unsigned char) parts[i][0]))
        return -1;
      errno = 0;
      n = strtol (parts[i], &end_ptr, 10);
      if (errno || *end_ptr || n > 65535)
        return -1;
      v[i] = (int) n;
    }
  if (v[1] < v[0])
    return -1;
  *start = v[0];
  *end = v[1];
  return 0;
}

static bool
proto_valid (const char *p)
{
  return streq (p, "tcp") || streq (p, "udp") || streq (p, "sctp");
}

/* "80/udp" → port "80", proto "udp" (SplitProtoPort); "80" and "80/" → tcp.  */
static void
split_proto (const char *s, char **port, char **proto)
{
  const char *slash = strchr (s, '/');

  *port = slash ? xstrndup (s, slash - s) : xstrdup (s);
  *proto = xstrdup (slash && slash[1] ? slash + 1 : "tcp");
  for (char *p = *proto; *p; p++)
    *p = tolower ((unsigned char) *p);
}

static int
check_publish_ip (const char *ip, oci_error_t **err)
{
  unsigned char buf[sizeof (struct in6_addr)];
  cleanup_free char *bare = NULL;
  size_t len = strlen (ip);

  if (*ip == '\0' || inet_pton (AF_INET, ip, buf) == 1)
    return 0;
  bare = (len > 2 && ip[0] == '[' && ip[len - 1] == ']') ? xstrndup (ip + 1, len - 2) : xstrdup (ip);
  if (inet_pton (AF_INET6, bare, buf) == 1)
    return oci_error_set (err, EINVAL, "invalid IP address: %s: IPv6 is not supported for published ports",
                          bare);
  return oci_error_set (err, EINVAL, "invalid IP address: %s", ip);
}

static void
add_binding (struct container_record *r, const char *cport, const char *ip, const char *hport)
{
  struct container_port_binding *b;

  r->port_bindings = xreallocarray (r->port_bindings, r->port_bindings_len + 1, sizeof *r->port_bindings);
  b = &r->port_bindings[r->port_bindings_len++];
  b->container_port = xstrdup (cport);
  b->host_ip = xstrdup (ip);
  b->host_port = xstrdup (hport);
  container_strset_add (&r->config->exposed_ports, cport);
}

struct port_spec
{
  char *ip;
  char *host;
  char *cport;
  char *proto;
};

static void
port_spec_clear (struct port_spec *ps)
{
  free (ps->ip);
  free (ps->host);
  free (ps->cport);
  free (ps->proto);
}

/* splitParts: the last ':' part is the container port, the one before the
   host port, everything before that the IP ("::1:80:80" keeps "::1").  */
static void
port_spec_split (const char *spec, struct port_spec *ps)
{
  const char *last = strrchr (spec, ':'), *prev = NULL;

  for (const char *p = spec; last && p < last; p++)
    if (*p == ':')
      prev = p;
  split_proto (last ? last + 1 : spec, &ps->cport, &ps->proto);
  ps->host
      = last ? (prev ? xstrndup (prev + 1, last - prev - 1) : xstrndup (spec, last - spec)) : xstrdup ("");
  ps->ip = prev ? xstrndup (spec, prev - spec) : xstrdup ("");
}

static int add_port_spec (struct container_record *r, const char *spec, struct port_spec *ps,
                          oci_error_t **err);

int
container_record_add_port_spec (struct container_record *r, const char *spec, oci_error_t **err)
{
  struct port_spec ps = { 0 };
  int ret;

  port_spec_split (spec, &ps);
  ret = add_port_spec (r, spec, &ps, err);
  port_spec_clear (&ps);
  return ret;
}

static int
add_port_spec (struct container_record *r, const char *spec, struct port_spec *p, oci_error_t **err)
{
  struct port_spec ps = *p;
  int cs, ce, hs = 0, he = 0;

  if (check_publish_ip (ps.ip, err) < 0)
    return -1;
  if (*ps.cport == '\0')
    return oci_error_set (err, EINVAL, "no port specified: %s<empty>", spec);
  if (port_range_parse (ps.cport, &cs, &ce) < 0)
    return oci_error_set (err, EINVAL, "invalid containerPort: %s", ps.cport);
  if (*ps.host && port_range_parse (ps.host, &hs, &he) < 0)
    return oci_error_set (err, EINVAL, "invalid hostPort: %s", ps.host);
  if (*ps.host && ce - cs != he - hs && ce != cs)
    return oci_error_set (err, EINVAL, "invalid ranges specified for container and host Ports: %s and %s",
                          ps.cport, ps.host);
  if (!proto_valid (ps.proto))
    return oci_error_set (err, EINVAL, "invalid proto: %s", ps.proto);
  if (streq (ps.proto, "sctp"))
    return oci_error_set (err, EINVAL, "invalid proto: sctp: only tcp and udp ports can be published");
  for (int i = 0; i <= ce - cs; i++)
    {
      cleanup_free char *cport = NULL, *hport = NULL;
      xasprintf (&cport, "%d/%s", cs + i, ps.proto);
      if (*ps.host == '\0')
        hport = xstrdup ("");
      else if (ce - cs == he - hs)
        xasprintf (&hport, "%d", hs + i);
      else
        hport = xstrdup (ps.host);
      add_binding (r, cport, ps.ip, hport);
    }
  return 0;
}

int
container_record_add_expose_spec (struct container_record *r, const char *spec, oci_error_t **err)
{
  cleanup_free char *range = NULL, *proto = NULL;
  int start, end;

  if (strchr (spec, ':'))
    return oci_error_set (err, EINVAL, "invalid port format for --expose: %s", spec);
  split_proto (spec, &range, &proto);
  if (port_range_parse (range, &start, &end) < 0 || !proto_valid (proto))
    return oci_error_set (err, EINVAL, "invalid range format for --expose: %s", spec);
  for (int p = start; p <= end; p++)
    {
      cleanup_free char *port = NULL;
      xasprintf (&port, "%d/%s", p, proto);
      container_strset_add (&r->config->exposed_ports, port);
    }
  return 0;
}

char *
container_record_port_bindings_json (const struct container_record *r)
{
  cleanup_strbuf struct strbuf sb = STRBUF_INIT;
  cleanup_strv char **keys = NULL;

  for (size_t i = 0; i < r->port_bindings_len; i++)
    container_strset_add (&keys, r->port_bindings[i].container_port);
  strbuf_addch (&sb, '{');
  for (size_t k = 0; keys && keys[k]; k++)
    {
      const char *sep = "";
      strbuf_addf (&sb, "%s\"%s\":[", k ? "," : "", keys[k]);
      for (size_t i = 0; i < r->port_bindings_len; i++)
        {
          const struct container_port_binding *b = &r->port_bindings[i];
          if (!streq (b->container_port, keys[k]))
            continue;
          strbuf_addf (&sb, "%s{\"HostIp\":\"%s\",\"HostPort\":\"%s\"}", sep, b->host_ip ? b->host_ip : "",
                       b->host_port ? b->host_port : "");
          sep = ",";
        }
      strbuf_addch (&sb, ']');
    }
  strbuf_addch (&sb, '}');
  return strbuf_detach (&sb, NULL);
}

static void
push_port (struct store_port ***out, size_t *n, const char *cport, const char *ip, int host_port)
{
  struct store_port *p = xzalloc (sizeof *p);
  const char *slash = strchr (cport, '/');

  p->proto = xstrdup (slash ? slash + 1 : "tcp");
  p->container_port = atoi (cport);
  p->host_ip = xstrdup (ip && *ip ? ip : "0.0.0.0");
  p->host_port = host_port;
  *out = xreallocarray (*out, *n + 2, sizeof **out);
  (*out)[(*n)++] = p;
  (*out)[*n] = NULL;
}

void
container_record_ports_to_publish (const struct container_record *r, struct store_port ***out, size_t *n)
{
  char **exposed = r->config ? r->config->exposed_ports : NULL;

  *out = xzalloc (sizeof **out);
  *n = 0;
  for (size_t i = 0; i < r->port_bindings_len; i++)
    {
      const struct container_port_binding *b = &r->port_bindings[i];
      push_port (out, n, b->container_port, b->host_ip, b->host_port ? atoi (b->host_port) : 0);
    }
  if (r->host_config == NULL || !r->host_config->publish_all_ports)
    return;
  for (size_t i = 0; exposed && exposed[i]; i++)
    {
      bool bound = false;
      for (size_t j = 0; j < r->port_bindings_len && !bound; j++)
        bound = streq (r->port_bindings[j].container_port, exposed[i]);
      if (!bound && strstr (exposed[i], "/sctp") == NULL)
        push_port (out, n, exposed[i], NULL, 0);
    }
}

const struct container_endpoint_config *
container_record_endpoint (const struct container_record *r, const char *name)
{
  for (size_t i = 0; i < r->endpoints_config_len; i++)
    if (streq (r->endpoints_config[i].network, name))
      return &r->endpoints_config[i];
  return NULL;
}

void
container_record_set_endpoint (struct container_record *r, const char *name, char *const *aliases,
                               const char *ip)
{
  struct container_endpoint_config *e
      = (struct container_endpoint_config *) container_record_endpoint (r, name);

  if (e == NULL)
    {
      r->endpoints_config
          = xreallocarray (r->endpoints_config, r->endpoints_config_len + 1, sizeof *r->endpoints_config);
      e = &r->endpoints_config[r->endpoints_config_len++];
      memset (e, 0, sizeof *e);
      e->network = xstrdup (name);
    }
  strv_free (e->aliases);
  e->aliases = aliases ? strv_dup (aliases) : NULL;
  if (e->ipam_config)
    free (e->ipam_config->ipv4_address);
  free (e->ipam_config);
  e->ipam_config = NULL;
  if (ip)
    {
      e->ipam_config = xzalloc (sizeof *e->ipam_config);
      e->ipam_config->ipv4_address = xstrdup (ip);
    }
}

char *
container_endpoint_id (const char *network_id, const char *container_id)
{
  cleanup_free char *in = NULL, *digest = NULL;
  cleanup_error oci_error_t *err = NULL;

  xasprintf (&in, "%s:%s", network_id, container_id);
  if (oci_digest_buffer ("sha256", in, strlen (in), &digest, &err) < 0)
    return xstrdup ("");
  return xstrdup (has_prefix (digest, "sha256:") ? digest + 7 : digest);
}
