/* The container record (create.json): docker inspect's Path, Args, Config,
   HostConfig and Mounts as typed structs described for oci-spec/json.h, so
   the file round-trips (emit → parse → emit gives the same bytes).

   JSON member names are docker's exactly.  Conventions are json.h's:
   strings NULL when absent, scalars with a `<member>_present` companion
   (container_record_new sets it for the fields docker always shows),
   NULL-terminated string arrays, `struct oci_map` for string maps, string
   sets (`{"80/tcp": {}}`) as NULL-terminated arrays, arrays of objects as
   `T *member` + `size_t member_len`.  Durations are nanoseconds.  */
#ifndef BERTH_CONTAINER_RECORD_H
#define BERTH_CONTAINER_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "image_spec.h"
#include "json.h"

/* --- Config --- */

struct container_config
{
  char *hostname;   /* "Hostname": NULL until create.c sets the short id */
  char *domainname; /* "Domainname" */
  char *user;       /* "User": as given, "name[:group]" or "uid[:gid]" */
  bool attach_stdin;
  bool attach_stdin_present;
  bool attach_stdout;
  bool attach_stdout_present;
  bool attach_stderr;
  bool attach_stderr_present;
  char **exposed_ports; /* "ExposedPorts": set of "80/tcp" */
  bool tty;             /* "Tty" */
  bool tty_present;
  bool open_stdin; /* "OpenStdin" (-i) */
  bool open_stdin_present;
  bool stdin_once; /* "StdinOnce" */
  bool stdin_once_present;
  char **env;                                /* "Env": "K=V"; after apply_image the merged list */
  char **cmd;                                /* "Cmd" */
  struct oci_image_healthcheck *healthcheck; /* "Healthcheck": Test {"NONE"} disables */
  char *image;                               /* "Image": the reference as the user gave it */
  char **volumes;                            /* "Volumes": set of paths (image VOLUMEs, -v /path) */
  char *working_dir;                         /* "WorkingDir" */
  char **entrypoint;     /* "Entrypoint": before apply_image non-NULL ({NULL} for "") iff --entrypoint */
  struct oci_map labels; /* "Labels" */
  char *stop_signal;     /* "StopSignal": as given ("SIGTERM", "15", "TERM") */
  int32_t stop_timeout;  /* "StopTimeout" seconds; absent: 10 */
  bool stop_timeout_present;
};

/* --- HostConfig --- */

struct container_log_config
{
  char *type;            /* "Type": "json-file" | "none" */
  struct oci_map config; /* "Config" */
};

struct container_restart_policy
{
  char *name;                  /* "Name": "no" | "always" | "unless-stopped" | "on-failure" */
  int32_t maximum_retry_count; /* "MaximumRetryCount" */
  bool maximum_retry_count_present;
};

struct container_ulimit
{
  char *name; /* "Name": "nofile", "nproc", ... */
  int64_t soft;
  bool soft_present;
  int64_t hard;
  bool hard_present;
};

struct container_device
{
  char *path_on_host;       /* "PathOnHost" */
  char *path_in_container;  /* "PathInContainer" */
  char *cgroup_permissions; /* "CgroupPermissions": "rwm" by default */
};

struct container_bind_options
{
  char *propagation; /* "Propagation": rprivate private rshared shared rslave slave */
};

struct container_volume_options
{
  bool no_copy; /* "NoCopy" */
  bool no_copy_present;
  struct oci_map labels; /* "Labels" */
};

struct container_tmpfs_options
{
  int64_t size_bytes; /* "SizeBytes" */
  bool size_bytes_present;
  uint32_t mode; /* "Mode": permission bits, e.g. 01777 */
  bool mode_present;
};

/* HostConfig.Mounts: one --mount as given (docker's mount.Mount).  */
struct container_mount
{
  char *type;     /* "Type": bind | volume | tmpfs */
  char *source;   /* "Source": host path, volume name, or NULL */
  char *target;   /* "Target" */
  bool read_only; /* "ReadOnly" */
  bool read_only_present;
  struct container_bind_options *bind_options;
  struct container_volume_options *volume_options;
  struct container_tmpfs_options *tmpfs_options;
};

struct container_host_config
{
  char **binds;                            /* "Binds": -v specs of bind mounts and named volumes, as given */
  char *container_id_file;                 /* "ContainerIDFile" (--cidfile) */
  struct container_log_config *log_config; /* "LogConfig" */
  char *network_mode;                      /* "NetworkMode": bridge none host container:X NAME */
  struct container_restart_policy *restart_policy; /* "RestartPolicy" */
  bool auto_remove;                                /* "AutoRemove" (--rm) */
  bool auto_remove_present;
  char **cap_add;        /* "CapAdd": normalized "CAP_NET_ADMIN", or "ALL" */
  char **cap_drop;       /* "CapDrop" */
  char **dns;            /* "Dns" */
  char **dns_options;    /* "DnsOptions" */
  char **dns_search;     /* "DnsSearch" */
  char **extra_hosts;    /* "ExtraHosts": "host:ip" (ip may be "host-gateway") */
  char **group_add;      /* "GroupAdd" */
  char *ipc_mode;        /* "IpcMode": "private" (default) | host | container:X | shareable | none */
  int32_t oom_score_adj; /* "OomScoreAdj" */
  bool oom_score_adj_present;
  char *pid_mode;  /* "PidMode": "" | host | container:X */
  bool privileged; /* "Privileged" */
  bool privileged_present;
  bool readonly_rootfs; /* "ReadonlyRootfs" */
  bool readonly_rootfs_present;
  char **security_opt;  /* "SecurityOpt", normalized: "no-new-privileges" (true),
                           "no-new-privileges=false", "seccomp=unconfined|builtin|/abs/path.json",
                           "label=…", "apparmor=…" (accepted, no effect) */
  struct oci_map tmpfs; /* "Tmpfs": --tmpfs path → options ("" or "size=64m,mode=1777") */
  char *uts_mode;       /* "UTSMode": "" | host */
  char *userns_mode;    /* "UsernsMode": "" | host | keep-id */
  int64_t shm_size;     /* "ShmSize" bytes (default 64 MiB) */
  bool shm_size_present;
  struct oci_map sysctls; /* "Sysctls" */
  char *runtime;          /* "Runtime": the runtime name or path given with --runtime, else NULL */
  int64_t cpu_shares;     /* "CpuShares" */
  bool cpu_shares_present;
  int64_t memory; /* "Memory" bytes, 0: unlimited */
  bool memory_present;
  int64_t nano_cpus; /* "NanoCpus": --cpus 1.5 → 1500000000 */
  bool nano_cpus_present;
  uint16_t blkio_weight; /* "BlkioWeight": 10..1000, 0: unset */
  bool blkio_weight_present;
  char *cpuset_cpus;                /* "CpusetCpus" */
  char *cpuset_mems;                /* "CpusetMems" */
  struct container_device *devices; /* "Devices" */
  size_t devices_len;
  int64_t memory_reservation; /* "MemoryReservation" */
  bool memory_reservation_present;
  int64_t memory_swap; /* "MemorySwap": -1 unlimited, 0 unset (default: twice Memory) */
  bool memory_swap_present;
  bool oom_kill_disable; /* "OomKillDisable" */
  bool oom_kill_disable_present;
  int64_t pids_limit; /* "PidsLimit": absent or <= 0: unlimited */
  bool pids_limit_present;
  struct container_ulimit *ulimits; /* "Ulimits" */
  size_t ulimits_len;
  struct container_mount *mounts; /* "Mounts": the --mount flags */
  size_t mounts_len;
  bool publish_all_ports; /* "PublishAllPorts" (-P) */
  bool publish_all_ports_present;
};

/* --- Mounts (resolved) --- */

/* docker's .Mounts entry.  The record's `mounts` holds every -v, --mount
   and image VOLUME (not --tmpfs, see HostConfig.Tmpfs), in flag order then
   image volumes.  Conventions besides docker's:
   - bind: Source is the absolute host path (relative -v paths are refused
     by docker; --mount src is made absolute by the parser).
   - volume: Name is the volume name, empty ("") for an anonymous volume
     until create.c creates it; create.c fills Name, Source
     (<root>/volumes/<name>/_data) and Driver "local".  Mode contains
     "nocopy" when the volume must not be copied up from the image.
   - tmpfs (from --mount type=tmpfs): Mode holds the tmpfs mount options
     ("size=1048576,mode=1777", "" when none).
   RW false = read-only.  Propagation: binds default "rprivate", volumes "". */
struct container_mount_point
{
  char *type;        /* "Type": bind | volume | tmpfs */
  char *name;        /* "Name" */
  char *source;      /* "Source" */
  char *destination; /* "Destination": absolute, cleaned */
  char *driver;      /* "Driver" */
  char *mode;        /* "Mode" */
  bool rw;           /* "RW" */
  bool rw_present;
  char *propagation; /* "Propagation" */
};

/* --- networks (issue #8) --- */

/* One -p mapping (top-level "PortBindings" of create.json, in flag
   order): docker's HostConfig.PortBindings is a map of arrays
   ({"80/tcp": [{"HostIp": "", "HostPort": "8080"}]}), which json.h cannot
   describe; container_record_port_bindings_json renders that shape.  */
struct container_port_binding
{
  char *container_port; /* "ContainerPort": "80/tcp" */
  char *host_ip;        /* "HostIp": "" (all addresses) or an IPv4 address */
  char *host_port;      /* "HostPort": "" (random), "8080", or "8080-8090" (first free of the range) */
};

struct container_ipam_config
{
  char *ipv4_address; /* "IPv4Address" (--ip) */
};

/* The endpoint requested for one network (top-level "EndpointsConfig":
   {"NAME": {"Aliases": [...], "IPAMConfig": {"IPv4Address": "..."}}}).  */
struct container_endpoint_config
{
  char *network;                             /* the key: network name as given */
  char **aliases;                            /* "Aliases" (--network-alias) */
  struct container_ipam_config *ipam_config; /* "IPAMConfig" (--ip) */
};

/* --- the record --- */

struct container_record
{
  char *path;                                /* "Path": argv[0] of the effective command */
  char **args;                               /* "Args": the rest */
  struct container_config *config;           /* "Config" */
  struct container_host_config *host_config; /* "HostConfig" */
  struct container_mount_point *mounts;      /* "Mounts" */
  size_t mounts_len;
  struct container_port_binding *port_bindings; /* "PortBindings": the -p flags */
  size_t port_bindings_len;
  struct container_endpoint_config *endpoints_config; /* "EndpointsConfig" */
  size_t endpoints_config_len;
};

extern const struct oci_json_type container_record_type;
extern const struct oci_json_type container_config_type;
extern const struct oci_json_type container_host_config_type;
extern const struct oci_json_type container_mount_point_type;

OCI_DECLARE_JSON_WRAPPERS (container_record, struct container_record);
int container_record_dup (const struct container_record *r, struct container_record **out, oci_error_t **err);
void container_record_freep (struct container_record **r);
#define cleanup_container_record __attribute__ ((cleanup (container_record_freep)))

/* A new record with empty Config and HostConfig carrying docker's
   defaults: the always-shown scalars present (0/false), NetworkMode
   "bridge", RestartPolicy {"no", 0}, LogConfig {"json-file"}, IpcMode
   "private", ShmSize 64 MiB.  */
struct container_record *container_record_new (void);

/* Append a mount point (copies the strings; NULL stays NULL).  */
struct container_mount_point *container_record_add_mount (struct container_record *r, const char *type,
                                                          const char *name, const char *source,
                                                          const char *destination, const char *mode, bool rw,
                                                          const char *propagation);
/* The mount point whose Destination is dest (after cleaning), or NULL.  */
struct container_mount_point *container_record_find_mount (const struct container_record *r,
                                                           const char *dest);

/* Merge the image config into the record as docker does:
   - Env: image first, then the record's (--env-file then -e); the same key
     → the later wins.
   - Entrypoint/Cmd: --entrypoint (Entrypoint non-NULL) replaces the image's
     ENTRYPOINT ("" clears it) and drops the image's CMD; COMMAND operands
     (Cmd non-NULL) replace CMD.
   - WorkingDir, User, StopSignal: the flag's, else the image's.
   - Labels: image's, then the flags' (flags win).
   - Healthcheck: the flags' fields, zero ones taken from the image;
     --no-healthcheck keeps Test {"NONE"}.
   - Volumes: image VOLUMEs become anonymous volume mount points (Type
     "volume", Name "") unless a mount covers the path; added to
     Config.Volumes.
   - ExposedPorts: image's plus the record's.
   - Image = image_ref.  Path/Args = Entrypoint + Cmd.
   img may be NULL (no image config).  Empty argv → EINVAL
   "no command specified".  */
int container_record_apply_image (struct container_record *r, const struct oci_image_config *img,
                                  const char *image_ref, oci_error_t **err);

/* ps COMMAND: Path and Args joined by spaces, each argument quoted like
   docker (shell-quoted when it contains spaces or quotes): sh -c 'echo hi'.
   Never NULL ("" without a command).  */
char *container_record_command_string (const struct container_record *r);

/* The path cleaned like Go's filepath.Clean ("/a//b/../c/" → "/a/c").  */
char *container_path_clean (const char *path);

/* -v, --mount and --tmpfs values (docker's syntax and checks), added to
   r->mounts / HostConfig (Binds, Mounts, Tmpfs) / Config.Volumes.
   Errors are docker's ("invalid volume specification: '…'", "Duplicate mount
   point: /x", "invalid mount config for type \"bind\": bind source path
   does not exist: /x").  A -v bind source need not exist (create.c makes
   the directory, like docker); a --mount bind source must.
   container_record_add_mount_spec returns -2 for a syntax error of the CSV
   value (the caller prefixes the flag), -1 for other errors.  */
int container_record_add_volume_spec (struct container_record *r, const char *spec, oci_error_t **err);
int container_record_add_mount_spec (struct container_record *r, const char *spec, oci_error_t **err);
int container_record_add_tmpfs_spec (struct container_record *r, const char *spec, oci_error_t **err);

/* -p/--publish (go-connections' ParsePortSpec, IPv4 only):
   [ip:][hostPort:]containerPort[/tcp|udp], ranges "8080-8081:80-81";
   adds one binding per container port and the ports to
   Config.ExposedPorts.  Errors are docker's: "invalid containerPort: x",
   "invalid hostPort: x", "invalid IP address: x", "invalid proto: x",
   "no port specified: x<empty>", "invalid ranges specified for container
   and host Ports: 80-81 and 8080"; an IPv6 address → EINVAL "invalid IP
   address: ::1: IPv6 is not supported for published ports".  */
int container_record_add_port_spec (struct container_record *r, const char *spec, oci_error_t **err);
/* --expose: "80", "80/udp", "8000-8010/tcp" → Config.ExposedPorts.  */
int container_record_add_expose_spec (struct container_record *r, const char *spec, oci_error_t **err);
/* docker's HostConfig.PortBindings of the record: {} when none.  */
char *container_record_port_bindings_json (const struct container_record *r);

struct store_port;
/* The mappings to publish at start: every PortBindings entry (HostIp ""
   → "0.0.0.0", HostPort "" → 0 = random, a range → its first port), and
   with PublishAllPorts every Config.ExposedPorts port not bound yet with
   a random host port on 0.0.0.0.  container_id is left NULL.  *out is
   NULL-terminated (store_port_list_free), *n its length.  */
void container_record_ports_to_publish (const struct container_record *r, struct store_port ***out,
                                        size_t *n);

/* The endpoint requested for network `name` (--network-alias, --ip,
   connect), NULL when none; add creates or replaces it (aliases and ip
   copied, both may be NULL).  */
const struct container_endpoint_config *container_record_endpoint (const struct container_record *r,
                                                                   const char *name);
void container_record_set_endpoint (struct container_record *r, const char *name, char *const *aliases,
                                    const char *ip);

/* The EndpointID shown by inspect for the endpoint of a container on a
   network: sha256 hex of "NETWORK_ID:CONTAINER_ID" (stable, 64 hex).  */
char *container_endpoint_id (const char *network_id, const char *container_id);

/* Value syntaxes shared by the commands.  */
/* docker's RAMInBytes: "512m", "1g", "1024", "1.5k" (binary units, b k m g t
   p, optional "i" and "b"); "-1" only when allow_minus_one.  Error:
   "invalid size: 'abc'".  */
int container_parse_size (const char *s, bool allow_minus_one, int64_t *out, oci_error_t **err);
/* Go's time.ParseDuration: "30s", "1m30s", "500ms", "1h", "1.5s", "0" →
   nanoseconds.  Error: "time: invalid duration \"x\"".  */
int container_parse_duration (const char *s, int64_t *out, oci_error_t **err);
/* Go's strconv.ParseBool; NULL is true (a bare boolean flag).  */
int container_parse_bool (const char *s, bool *out, oci_error_t **err);
/* [a-zA-Z0-9][a-zA-Z0-9_.-]+ (container and volume names).  */
bool container_name_valid (const char *s);
/* Whether the len bytes at s are valid UTF-8.  */
bool container_utf8_valid (const char *s, size_t len);
/* A DNS search domain (docker's validateDomain label grammar).  */
bool container_domain_valid (const char *s);
/* Add s to a sorted string set (Volumes, ExposedPorts) unless present.  */
void container_strset_add (char ***set, const char *s);
/* Whether w is one of the words of a space-separated list " a b c ".  */
bool container_word_in (const char *list, const char *w);

#endif
