/* hull spec [--bundle DIR] [--rootless]: write runc's default config.json
   (with hull as the hostname); --rootless maps the caller's uid and gid in
   a user namespace, drops the network namespace and cgroup resources and
   bind-mounts /sys, as runc does.  The text is written directly in runc's
   layout (tab indentation) so it needs nothing but this file.  */
#include "config.h"
#include "commands.h"
#include "fileutil.h"
#include "../log.h"
#include "strbuf.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static const char spec_usage[] = "[options]";
static const struct option spec_longopts[] = {
  { "bundle", required_argument, NULL, 'b' },
  { "rootless", no_argument, NULL, 'r' },
  { "help", no_argument, NULL, 'h' },
  { NULL, 0, NULL, 0 },
};

/* Append a JSON string array, one element per line, at indent depth.  */
static void
add_strings (struct strbuf *sb, int depth, const char *const *v)
{
  strbuf_addstr (sb, "[\n");
  for (size_t i = 0; v[i]; i++)
    {
      for (int d = 0; d <= depth; d++)
        strbuf_addch (sb, '\t');
      strbuf_addf (sb, "\"%s\"%s\n", v[i], v[i + 1] ? "," : "");
    }
  for (int d = 0; d < depth; d++)
    strbuf_addch (sb, '\t');
  strbuf_addch (sb, ']');
}

static void
add_process (struct strbuf *sb)
{
  static const char *const caps[] = { "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL };
  static const char *const env[]
      = { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm", NULL };
  static const char *const kinds[] = { "bounding", "effective", "permitted", "ambient" };

  strbuf_addstr (sb, "\t\"process\": {\n\t\t\"terminal\": true,\n\t\t\"user\": {\n\t\t\t\"uid\": 0,\n"
                     "\t\t\t\"gid\": 0\n\t\t},\n\t\t\"args\": [\n\t\t\t\"sh\"\n\t\t],\n\t\t\"env\": ");
  add_strings (sb, 2, env);
  strbuf_addstr (sb, ",\n\t\t\"cwd\": \"/\",\n\t\t\"capabilities\": {\n");
  for (size_t i = 0; i < ARRAY_SIZE (kinds); i++)
    {
      strbuf_addf (sb, "\t\t\t\"%s\": ", kinds[i]);
      add_strings (sb, 3, caps);
      strbuf_addstr (sb, i + 1 < ARRAY_SIZE (kinds) ? ",\n" : "\n");
    }
  strbuf_addstr (sb, "\t\t},\n\t\t\"rlimits\": [\n\t\t\t{\n\t\t\t\t\"type\": \"RLIMIT_NOFILE\",\n"
                     "\t\t\t\t\"hard\": 1024,\n\t\t\t\t\"soft\": 1024\n\t\t\t}\n\t\t],\n"
                     "\t\t\"noNewPrivileges\": true\n\t},\n");
}

struct default_mount
{
  const char *destination, *type, *source;
  const char *const options[8];
};

static void
add_mounts (struct strbuf *sb, bool rootless)
{
  static const struct default_mount mounts[] = {
    { "/proc", "proc", "proc", { NULL } },
    { "/dev", "tmpfs", "tmpfs", { "nosuid", "strictatime", "mode=755", "size=65536k", NULL } },
    { "/dev/pts",
      "devpts",
      "devpts",
      { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5", NULL } },
    { "/dev/shm", "tmpfs", "shm", { "nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL } },
    { "/dev/mqueue", "mqueue", "mqueue", { "nosuid", "noexec", "nodev", NULL } },
    { "/sys", "sysfs", "sysfs", { "nosuid", "noexec", "nodev", "ro", NULL } },
    { "/sys/fs/cgroup", "cgroup", "cgroup", { "nosuid", "noexec", "nodev", "relatime", "ro", NULL } },
  };
  static const struct default_mount sys_bind
      = { "/sys", "none", "/sys", { "rbind", "nosuid", "noexec", "nodev", "ro", NULL } };

  strbuf_addstr (sb, "\t\"mounts\": [\n");
  for (size_t i = 0; i < ARRAY_SIZE (mounts); i++)
    {
      const struct default_mount *m
          = rootless && streq (mounts[i].destination, "/sys") ? &sys_bind : &mounts[i];
      const char *opts[8];
      size_t n = 0;

      for (size_t j = 0; m->options[j]; j++)
        if (!rootless || (!has_prefix (m->options[j], "gid=") && !has_prefix (m->options[j], "uid=")))
          opts[n++] = m->options[j];
      opts[n] = NULL;
      strbuf_addf (
          sb, "\t\t{\n\t\t\t\"destination\": \"%s\",\n\t\t\t\"type\": \"%s\",\n\t\t\t\"source\": \"%s\"%s",
          m->destination, m->type, m->source, n ? ",\n\t\t\t\"options\": " : "\n");
      if (n)
        {
          add_strings (sb, 3, opts);
          strbuf_addch (sb, '\n');
        }
      strbuf_addstr (sb, i + 1 < ARRAY_SIZE (mounts) ? "\t\t},\n" : "\t\t}\n");
    }
  strbuf_addstr (sb, "\t],\n");
}

static void
add_id_mapping (struct strbuf *sb, const char *name, unsigned id)
{
  strbuf_addf (sb,
               "\t\t\"%s\": [\n\t\t\t{\n\t\t\t\t\"containerID\": 0,\n\t\t\t\t\"hostID\": %u,\n"
               "\t\t\t\t\"size\": 1\n\t\t\t}\n\t\t],\n",
               name, id);
}

static void
add_linux (struct strbuf *sb, bool rootless)
{
  static const char *const masked[] = { "/proc/acpi",
                                        "/proc/asound",
                                        "/proc/interrupts",
                                        "/proc/kcore",
                                        "/proc/keys",
                                        "/proc/latency_stats",
                                        "/proc/timer_list",
                                        "/proc/timer_stats",
                                        "/proc/sched_debug",
                                        "/sys/firmware",
                                        "/sys/devices/virtual/powercap",
                                        "/proc/scsi",
                                        NULL };
  static const char *const readonly[]
      = { "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL };
  const char *const *ns = rootless ? (const char *const[]){ "pid", "ipc", "uts", "mount", "user", NULL }
                                   : (const char *const[]){ "pid", "network", "ipc", "uts", "mount", NULL };

  strbuf_addstr (sb, "\t\"linux\": {\n");
  if (rootless)
    {
      add_id_mapping (sb, "uidMappings", (unsigned) geteuid ());
      add_id_mapping (sb, "gidMappings", (unsigned) getegid ());
    }
  else
    strbuf_addstr (sb, "\t\t\"resources\": {\n\t\t\t\"devices\": [\n\t\t\t\t{\n\t\t\t\t\t\"allow\": false,\n"
                       "\t\t\t\t\t\"access\": \"rwm\"\n\t\t\t\t}\n\t\t\t]\n\t\t},\n");
  strbuf_addstr (sb, "\t\t\"namespaces\": [\n");
  for (size_t i = 0; ns[i]; i++)
    strbuf_addf (sb, "\t\t\t{\n\t\t\t\t\"type\": \"%s\"\n\t\t\t}%s\n", ns[i], ns[i + 1] ? "," : "");
  strbuf_addstr (sb, "\t\t],\n\t\t\"maskedPaths\": ");
  add_strings (sb, 2, masked);
  strbuf_addstr (sb, ",\n\t\t\"readonlyPaths\": ");
  add_strings (sb, 2, readonly);
  strbuf_addstr (sb, "\n\t}\n");
}

static char *
default_spec (bool rootless)
{
  struct strbuf sb = STRBUF_INIT;

  strbuf_addf (&sb, "{\n\t\"ociVersion\": \"%s\",\n", OCI_SPEC_VERSION);
  add_process (&sb);
  strbuf_addstr (&sb, "\t\"root\": {\n\t\t\"path\": \"rootfs\",\n\t\t\"readonly\": true\n\t},\n"
                      "\t\"hostname\": \"hull\",\n");
  add_mounts (&sb, rootless);
  add_linux (&sb, rootless);
  strbuf_addstr (&sb, "}");
  return strbuf_detach (&sb, NULL);
}

int
cmd_spec (struct hull_globals *g, int argc, char **argv, oci_error_t **err)
{
  const char *bundle = ".";
  cleanup_free char *path = NULL;
  cleanup_free char *text = NULL;
  bool rootless = false;
  struct stat st;
  int c;

  hull_log_init (g);
  while ((c = cli_getopt (argc, argv, ":b:h", spec_longopts, err)) != -1)
    switch (c)
      {
      case 'b':
        bundle = optarg;
        break;
      case 'r':
        rootless = true;
        break;
      case 'h':
        cli_help ("spec", spec_usage, "Write a default config.json into the bundle.",
                  "  -b, --bundle DIR          where to write config.json (default: .)\n"
                  "      --rootless            a spec for a rootless container\n");
        return 0;
      default:
        return -1;
      }
  if (cli_operands ("spec", spec_usage, argc, argv, 0, 0, err) < 0)
    return -1;
  if (stat (bundle, &st) < 0)
    return oci_error_errno (err, errno, "bundle %s", bundle);
  if (!S_ISDIR (st.st_mode))
    return oci_error_set (err, ENOTDIR, "bundle %s: not a directory", bundle);
  xasprintf (&path, "%s/config.json", bundle);
  if (access (path, F_OK) == 0)
    return oci_error_set (err, EEXIST, "File config.json exists. Remove it first");
  text = default_spec (rootless);
  return write_file_atomic (path, text, strlen (text), 0666 & ~0022, err);
}
