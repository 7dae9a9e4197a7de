/* berth create: from an image and the flags to a container directory (the
   OCI bundle) and a store row; berth start: the monitor that runs it;
   container cleanup: what the monitor asks for after the container ended.

   A container becomes visible (the store row) only after its directory is
   complete, so a crash at any point leaves at worst a directory without a
   row, which store_gc removes.  */
#include "config.h"
#include "create.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "fileutil.h"
#include "inroot.h"
#include "manager/cli/commands.h"
#include "manager/container/etcfiles.h"
#include "manager/container/monitor_proto.h"
#include "manager/container/attach.h"
#include "manager/container/runtime.h"
#include "manager/container/spec.h"
#include "manager/container/state.h"
#include "manager/container/user.h"
#include "manager/network/setup.h"
#include "manager/store/volumes.h"
#include "strbuf.h"
#include "util.h"

#ifndef BERTH_LIBEXECDIR
#define BERTH_LIBEXECDIR "/usr/local/libexec/berth"
#endif

#define RECORD_FILE          "create.json"
#define CONFIG_JSON          "config.json"
#define HEALTH_DEFAULT_MS    30000
#define COPY_BUF_SIZE        65536
#define MONITOR_EXIT_WAIT_MS 30000
#define SYNC_LINE_MAX        4096

/* Everything container_create builds up, released in one place.  */
struct create_ctx
{
  struct berth_globals *g;
  struct berth_store *s;
  struct container_opts *o;
  struct container_record *r; /* o->record */
  struct store_image *img;
  char *name, *runtime, *id, *cdir, *merged;
  char **volumes;      /* names for the store row */
  char **anon_created; /* anonymous volumes made here: removed on failure */
  int rootfd;
  int cidfd;
};

/* --- the image --- */

/* `berth pull` with its output on stderr (stdout is the container's).
   Returns 0, or -1 (*err set) or 1 (the pull printed its own error).  */
static int
pull_image (struct berth_globals *g, const char *ref, const char *platform, oci_error_t **err)
{
  char *argv[5];
  int argc = 0, saved, ret;

  argv[argc++] = (char *) "pull";
  if (platform)
    {
      argv[argc++] = (char *) "--platform";
      argv[argc++] = (char *) platform;
    }
  argv[argc++] = (char *) ref;
  argv[argc] = NULL;
  fflush (stdout);
  saved = dup (STDOUT_FILENO);
  if (saved < 0 || dup2 (STDERR_FILENO, STDOUT_FILENO) < 0)
    {
      if (saved >= 0)
        close (saved);
      return oci_error_errno (err, errno, "redirect the pull output");
    }
  optind = 0;
  ret = cmd_pull (g, argc, argv, err);
  optind = 0;
  fflush (stdout);
  dup2 (saved, STDOUT_FILENO);
  close (saved);
  return ret;
}

/* The familiar name docker prints in "Unable to find image 'x' locally".  */
static char *
image_display_name (const char *ref)
{
  cleanup_error oci_error_t *e = NULL;
  cleanup_free char *full = NULL;

  if (cli_name_normalize (ref, true, &full, &e) < 0)
    return xstrdup (ref);
  return cli_name_familiar (full);
}

static int
image_get (struct create_ctx *x, oci_error_t **err)
{
  const char *pull = x->o->pull ? x->o->pull : "missing";
  cleanup_error oci_error_t *lerr = NULL;
  int ret;

  if (!streq (pull, "always") && cli_image_lookup (x->s, x->o->image, &x->img, &lerr) == 0)
    return 0;
  if (lerr && (lerr->status != ENOENT || streq (pull, "never")))
    {
      *err = steal_pointer (&lerr);
      return -1;
    }
  if (lerr)
    {
      cleanup_free char *shown = image_display_name (x->o->image);

      fprintf (stderr, "Unable to find image '%s' locally\n", shown);
    }
  {
    cleanup_error oci_error_t *nerr = NULL;
    cleanup_free char *full = NULL;

    /* the full name: docker prints no "Using default tag" here */
    if (cli_name_normalize (x->o->image, true, &full, &nerr) < 0)
      full = xstrdup (x->o->image);
    ret = pull_image (x->g, full, x->o->platform, err);
  }
  if (ret != 0)
    return -1; /* ret 1: the pull printed its error, *err stays NULL */
  return cli_image_lookup (x->s, x->o->image, &x->img, err);
}

/* --- names --- */

static int
name_choose (struct create_ctx *x, oci_error_t **err)
{
  struct store_container *other = NULL;
  cleanup_error oci_error_t *lerr = NULL;
  const char *name = x->o->name;

  if (name == NULL)
    return store_container_name_generate (x->s, &x->name, err);
  if (*name == '/')
    name++;
  if (!store_container_name_valid (name))
    return oci_error_set (
        err, EINVAL, "Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", x->o->name);
  if (store_container_lookup (x->s, name, &other, &lerr) == 0)
    {
      bool taken = streq (other->name, name);

      if (taken)
        oci_error_set (err, EEXIST,
                       "the container name \"%s\" is already in use by container \"%s\". You have to remove "
                       "(or rename) that container to be able to reuse that name.",
                       name, other->id);
      store_container_free (other);
      if (taken)
        return -1;
    }
  x->name = xstrdup (name);
  return 0;
}

/* --- volumes --- */

static int copy_tree (int src, int dst, oci_error_t **err);

static int
copy_data (int in, int out, const char *name, oci_error_t **err)
{
  char buf[COPY_BUF_SIZE];
  ssize_t n;

  while ((n = read (in, buf, sizeof buf)) != 0)
    {
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return oci_error_errno (err, errno, "copy-up: read %s", name);
        }
      if (write_all (out, buf, n) < 0)
        return oci_error_errno (err, errno, "copy-up: write %s", name);
    }
  return 0;
}

static int
copy_file (int src, int dst, const char *name, const struct stat *st, oci_error_t **err)
{
  cleanup_close int in = openat (src, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  cleanup_close int out = -1;

  if (in < 0)
    return oci_error_errno (err, errno, "copy-up: open %s", name);
  out = openat (dst, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, st->st_mode & 07777);
  if (out < 0)
    return oci_error_errno (err, errno, "copy-up: create %s", name);
  if (copy_data (in, out, name, err) < 0)
    return -1;
  if (fchown (out, st->st_uid, st->st_gid) < 0 || fchmod (out, st->st_mode & 07777) < 0)
    return oci_error_errno (err, errno, "copy-up: set the owner of %s", name);
  return 0;
}

static int
copy_dir (int src, int dst, const char *name, const struct stat *st, oci_error_t **err)
{
  cleanup_close int in = -1, out = -1;

  if (mkdirat (dst, name, 0700) < 0)
    return oci_error_errno (err, errno, "copy-up: mkdir %s", name);
  in = openat (src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  out = openat (dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (in < 0 || out < 0)
    return oci_error_errno (err, errno, "copy-up: open directory %s", name);
  if (copy_tree (in, out, err) < 0)
    return -1;
  if (fchown (out, st->st_uid, st->st_gid) < 0 || fchmod (out, st->st_mode & 07777) < 0)
    return oci_error_errno (err, errno, "copy-up: set the owner of %s", name);
  return 0;
}

static int
copy_special (int src, int dst, const char *name, const struct stat *st, oci_error_t **err)
{
  if (S_ISLNK (st->st_mode))
    {
      char target[PATH_MAX];
      ssize_t n = readlinkat (src, name, target, sizeof target - 1);

      if (n < 0)
        return oci_error_errno (err, errno, "copy-up: readlink %s", name);
      target[n] = '\0';
      if (symlinkat (target, dst, name) < 0)
        return oci_error_errno (err, errno, "copy-up: symlink %s", name);
    }
  else if (mknodat (dst, name, st->st_mode, st->st_rdev) < 0)
    return oci_error_errno (err, errno, "copy-up: mknod %s", name);
  if (fchownat (dst, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0)
    return oci_error_errno (err, errno, "copy-up: set the owner of %s", name);
  return 0;
}

static int
copy_entry (int src, int dst, const char *name, oci_error_t **err)
{
  struct stat st;
  struct timespec times[2];
  int ret;

  if (fstatat (src, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return oci_error_errno (err, errno, "copy-up: stat %s", name);
  if (S_ISDIR (st.st_mode))
    ret = copy_dir (src, dst, name, &st, err);
  else if (S_ISREG (st.st_mode))
    ret = copy_file (src, dst, name, &st, err);
  else if (S_ISSOCK (st.st_mode))
    return 0;
  else
    ret = copy_special (src, dst, name, &st, err);
  if (ret < 0)
    return -1;
  times[0] = st.st_atim;
  times[1] = st.st_mtim;
  utimensat (dst, name, times, AT_SYMLINK_NOFOLLOW);
  return 0;
}

/* Copy the content of directory src into dst.  Nothing is followed: every
   entry is opened relative to its already-open parent with O_NOFOLLOW, so
   symlinks in the image are copied as symlinks, never resolved.  */
static int
copy_tree (int src, int dst, oci_error_t **err)
{
  cleanup_dir DIR *d = NULL;
  int fd = dup (src);
  struct dirent *de;

  if (fd < 0 || (d = fdopendir (fd)) == NULL)
    {
      if (fd >= 0)
        close (fd);
      return oci_error_errno (err, errno, "copy-up: read directory");
    }
  while ((errno = 0, de = readdir (d)) != NULL)
    {
      if (streq (de->d_name, ".") || streq (de->d_name, ".."))
        continue;
      if (copy_entry (src, dst, de->d_name, err) < 0)
        return -1;
    }
  if (errno)
    return oci_error_errno (err, errno, "copy-up: read directory");
  return 0;
}

static bool
dir_is_empty (int dirfd)
{
  cleanup_dir DIR *d = NULL;
  int fd = dup (dirfd);
  struct dirent *de;

  if (fd < 0 || (d = fdopendir (fd)) == NULL)
    {
      if (fd >= 0)
        close (fd);
      return false;
    }
  while ((de = readdir (d)) != NULL)
    if (!streq (de->d_name, ".") && !streq (de->d_name, ".."))
      return false;
  return true;
}

/* docker's copy-up: an empty volume mounted over a directory of the
   image gets that directory's content (and its owner and mode).  */
static int
volume_copy_up (struct create_ctx *x, const char *volpath, const char *dest, oci_error_t **err)
{
  cleanup_error oci_error_t *lerr = NULL;
  cleanup_close int src = -1, dst = -1;
  struct stat st;

  src = inroot_open (x->rootfd, dest, O_RDONLY | O_DIRECTORY, 0, &lerr);
  if (src < 0)
    return 0; /* nothing in the image at that path */
  dst = open (volpath, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dst < 0)
    return oci_error_errno (err, errno, "open %s", volpath);
  if (!dir_is_empty (dst))
    return 0;
  if (copy_tree (src, dst, err) < 0)
    return oci_error_prefix (err, "copy the image content at %s into the volume", dest);
  if (fstat (src, &st) == 0
      && (fchown (dst, st.st_uid, st.st_gid) < 0 || fchmod (dst, st.st_mode & 07777) < 0))
    return oci_error_errno (err, errno, "set the owner of %s", volpath);
  return 0;
}

static int
mount_volume (struct create_ctx *x, struct container_mount_point *m, oci_error_t **err)
{
  struct store_volume *v = NULL;
  bool anonymous = m->name == NULL || *m->name == '\0';
  bool nocopy = m->mode && strstr (m->mode, "nocopy");

  if (!anonymous && !store_volume_name_valid (m->name))
    return oci_error_set (
        err, EINVAL,
        "create %s: \"%s\" includes invalid characters for a local volume name, only "
        "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, "
        "use absolute path",
        m->name, m->name);
  if (store_volume_create (x->s, anonymous ? NULL : m->name, NULL, NULL, &v, err) < 0)
    return -1;
  free (m->name);
  m->name = xstrdup (v->name);
  free (m->source);
  m->source = store_volume_path (x->s, v->name);
  free (m->driver);
  m->driver = xstrdup (v->driver ? v->driver : "local");
  if (anonymous)
    {
      size_t n = strv_len (x->anon_created);

      x->anon_created = xreallocarray (x->anon_created, n + 2, sizeof (char *));
      x->anon_created[n] = xstrdup (v->name);
      x->anon_created[n + 1] = NULL;
    }
  {
    size_t n = strv_len (x->volumes);

    x->volumes = xreallocarray (x->volumes, n + 2, sizeof (char *));
    x->volumes[n] = xstrdup (v->name);
    x->volumes[n + 1] = NULL;
  }
  store_volume_free (v);
  return nocopy ? 0 : volume_copy_up (x, m->source, m->destination, err);
}

/* Whether the bind at dest came from --mount (whose missing sources are
   errors) rather than -v (whose missing sources are created).  */
static bool
bind_from_mount_flag (const struct container_record *r, const char *dest)
{
  const struct container_host_config *h = r->host_config;

  for (size_t i = 0; h && i < h->mounts_len; i++)
    {
      cleanup_free char *t = NULL;

      if (h->mounts[i].type == NULL || !streq (h->mounts[i].type, "bind") || h->mounts[i].target == NULL)
        continue;
      t = container_path_clean (h->mounts[i].target);
      if (streq (t, dest))
        return true;
    }
  return false;
}

static int
mount_bind (struct create_ctx *x, struct container_mount_point *m, oci_error_t **err)
{
  struct stat st;

  if (m->source == NULL || m->source[0] != '/')
    return oci_error_set (err, EINVAL, "invalid mount config for type \"bind\": invalid source path: %s",
                          m->source ? m->source : "");
  if (stat (m->source, &st) == 0)
    return 0;
  if (errno != ENOENT)
    return oci_error_errno (err, errno, "stat %s", m->source);
  if (bind_from_mount_flag (x->r, m->destination))
    return oci_error_set (err, ENOENT,
                          "invalid mount config for type \"bind\": bind source path does not exist: %s",
                          m->source);
  return mkdir_p (m->source, 0755, err);
}

static int
mounts_prepare (struct create_ctx *x, oci_error_t **err)
{
  for (size_t i = 0; i < x->r->mounts_len; i++)
    {
      struct container_mount_point *m = &x->r->mounts[i];

      if (m->type && streq (m->type, "volume"))
        {
          if (mount_volume (x, m, err) < 0)
            return -1;
        }
      else if (m->type && streq (m->type, "bind"))
        {
          if (mount_bind (x, m, err) < 0)
            return -1;
        }
    }
  return 0;
}

/* --- namespaces of other containers --- */

static int
ns_path (struct create_ctx *x, const char *mode, const char *what, const char *ns, char **out,
         oci_error_t **err)
{
  struct store_container *other = NULL;
  struct container_state st;
  cleanup_free char *odir = NULL;
  int ret;

  *out = NULL;
  if (mode == NULL || !has_prefix (mode, "container:"))
    return 0;
  if (store_container_lookup (x->s, mode + strlen ("container:"), &other, err) < 0)
    return -1;
  odir = store_container_dir (x->s, other->id);
  ret = container_state_read (odir, &st, err);
  if (ret == 0 && (st.status != CONTAINER_RUNNING && st.status != CONTAINER_PAUSED))
    ret = oci_error_set (err, EINVAL, "cannot join %s of a non running container: %s", what, other->id);
  if (ret == 0 && streq (ns, "net"))
    {
      /* The namespace berth made for it outlives its restarts.  */
      cleanup_free char *made = network_netns_path (x->g, other->id);

      if (access (made, F_OK) == 0)
        *out = steal_pointer (&made);
    }
  if (ret == 0 && *out == NULL)
    xasprintf (out, "/proc/%d/ns/%s", (int) st.pid, ns);
  store_container_free (other);
  return ret;
}

/* --- writing the bundle --- */

static int
write_config_json (struct create_ctx *x, const struct container_ns_join *join, oci_error_t **err)
{
  struct oci_spec *spec = NULL;
  cleanup_free char *json = NULL, *path = NULL;
  size_t len = 0;
  int ret;

  if (container_spec_build (x->r, x->id, x->merged, x->cdir, join, &spec, err) < 0)
    return -1;
  ret = oci_spec_emit (spec, false, &json, &len, err);
  oci_spec_free (spec);
  if (ret < 0)
    return -1;
  xasprintf (&path, "%s/%s", x->cdir, CONFIG_JSON);
  return write_file_replace (path, json, len, 0600, err);
}

static const char *
mode_or_bridge (const struct container_host_config *h)
{
  return h && h->network_mode && *h->network_mode ? h->network_mode : "bridge";
}

/* config.json (netns: the network namespace berth makes at start, NULL:
   <runroot>/netns/<id> unless --network host or container:), and
   with etc the hosts, hostname and resolv.conf files.  */
static int
write_config_ns (struct create_ctx *x, const char *netns, bool etc, oci_error_t **err)
{
  const struct container_host_config *h = x->r->host_config;
  cleanup_free char *net = NULL, *ipc = NULL, *pid = NULL;
  struct container_ns_join join;

  if (ns_path (x, h ? h->network_mode : NULL, "network", "net", &net, err) < 0
      || ns_path (x, h ? h->ipc_mode : NULL, "IPC", "ipc", &ipc, err) < 0
      || ns_path (x, h ? h->pid_mode : NULL, "PID", "pid", &pid, err) < 0)
    return -1;
  if (netns == NULL && net == NULL && !streq (mode_or_bridge (h), "host"))
    net = network_netns_path (x->g, x->id);
  join.net = netns ? netns : net, join.ipc = ipc, join.pid = pid;
  if (write_config_json (x, &join, err) < 0)
    return -1;
  return etc ? container_etc_files_write (x->r, x->cdir, err) : 0;
}

static int
write_config (struct create_ctx *x, oci_error_t **err)
{
  return write_config_ns (x, NULL, true, err);
}

static int
write_record (struct create_ctx *x, char **json, oci_error_t **err)
{
  cleanup_free char *path = NULL;
  size_t len = 0;

  if (container_record_emit (x->r, false, json, &len, err) < 0)
    return -1;
  xasprintf (&path, "%s/%s", x->cdir, RECORD_FILE);
  return write_file_replace (path, *json, len, 0600, err);
}

/* The PATH the container's process gets (spec.c's default when the
   image and the flags set none).  */
static const char *
container_path_env (char *const *env)
{
  for (size_t i = 0; env && env[i]; i++)
    if (has_prefix (env[i], "PATH="))
      return env[i];
  return "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
}

/* -127 / -126 when the command is missing / not executable.  */
static int
check_command (struct create_ctx *x, oci_error_t **err)
{
  const struct container_config *c = x->r->config;
  const char *cwd = c && c->working_dir && *c->working_dir ? c->working_dir : "/";
  char *env[] = { (char *) container_path_env (c ? c->env : NULL), NULL };

  if (container_check_executable (x->rootfd, x->r->path, env, cwd, err) == 0)
    return 0;
  if ((*err)->status == ENOENT)
    return -BERTH_EXIT_NOT_FOUND;
  if ((*err)->status == EACCES)
    return -BERTH_EXIT_CANNOT_RUN;
  return -1;
}

static int
cidfile_open (struct create_ctx *x, oci_error_t **err)
{
  const char *path = x->o->cidfile;

  if (path == NULL)
    return 0;
  x->cidfd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (x->cidfd >= 0)
    return 0;
  if (errno == EEXIST)
    return oci_error_set (err, EEXIST,
                          "container ID file found, make sure the other container isn't running or delete %s",
                          path);
  return oci_error_errno (err, errno, "failed to create the container ID file %s", path);
}

static int
cidfile_write (struct create_ctx *x, oci_error_t **err)
{
  if (x->cidfd < 0)
    return 0;
  if (write_all (x->cidfd, x->id, strlen (x->id)) < 0)
    return oci_error_errno (err, errno, "write the container ID file %s", x->o->cidfile);
  return 0;
}

/* The bundle: directory, rootfs, volumes, config.json, etc files.  */
static int
build_bundle (struct create_ctx *x, oci_error_t **err)
{
  int ret;

  if (store_container_dir_new (x->s, &x->id, &x->cdir, err) < 0)
    return -1;
  if (x->r->config->hostname == NULL || *x->r->config->hostname == '\0')
    {
      free (x->r->config->hostname);
      x->r->config->hostname = xstrndup (x->id, 12);
    }
  if (x->r->host_config && x->r->host_config->auto_remove)
    {
      cleanup_free char *marker = NULL;

      xasprintf (&marker, "%s/%s", x->cdir, STORE_CONTAINER_VOLATILE_FILE);
      if (write_file_replace (marker, "", 0, 0600, err) < 0)
        return -1;
    }
  if (store_container_rootfs_mount (x->s, x->id, x->img->id, &x->merged, err) < 0)
    return -1;
  x->rootfd = open (x->merged, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (x->rootfd < 0)
    return oci_error_errno (err, errno, "open %s", x->merged);
  if (mounts_prepare (x, err) < 0)
    return -1;
  ret = check_command (x, err);
  if (ret < 0)
    return ret;
  return write_config (x, err);
}

static int64_t
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_REALTIME, &ts);
  return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int
add_row (struct create_ctx *x, struct store_container **out, oci_error_t **err)
{
  struct store_container *c = xzalloc (sizeof *c);

  c->id = xstrdup (x->id);
  c->name = xstrdup (x->name);
  c->image_id = xstrdup (x->img->id);
  c->image_name = xstrdup (x->o->image);
  c->command = container_record_command_string (x->r);
  c->created_ns = now_ns ();
  c->runtime = xstrdup (x->runtime);
  c->volumes = strv_dup (x->volumes);
  if (write_record (x, &c->record, err) < 0 || store_container_add (x->s, c, err) < 0)
    {
      store_container_free (c);
      return -1;
    }
  *out = c;
  return 0;
}

static void
create_undo (struct create_ctx *x)
{
  cleanup_error oci_error_t *e = NULL;

  if (x->id)
    {
      store_container_dir_remove (x->s, x->id, &e);
      oci_error_free (&e);
    }
  for (size_t i = 0; x->anon_created && x->anon_created[i]; i++)
    {
      store_volume_remove (x->s, x->anon_created[i], true, &e);
      oci_error_free (&e);
    }
  if (x->cidfd >= 0)
    unlink (x->o->cidfile);
}

static void
create_ctx_release (struct create_ctx *x)
{
  store_image_free (x->img);
  free (x->name);
  free (x->runtime);
  free (x->id);
  free (x->cdir);
  free (x->merged);
  strv_free (x->volumes);
  strv_free (x->anon_created);
  if (x->rootfd >= 0)
    close (x->rootfd);
  if (x->cidfd >= 0)
    close (x->cidfd);
}

static int
create_steps (struct create_ctx *x, struct store_container **out, oci_error_t **err)
{
  cleanup_oci_image_config struct oci_image_config *icfg = NULL;
  const char *rt = x->r->host_config ? x->r->host_config->runtime : NULL;
  int ret;

  if (cli_store (x->g, &x->s, err) < 0 || image_get (x, err) < 0)
    return -1;
  if (store_image_config (x->s, x->img, &icfg, err) < 0
      || container_record_apply_image (x->r, icfg, x->o->image, err) < 0)
    return -1;
  if (name_choose (x, err) < 0 || runtime_resolve (x->g, rt, &x->runtime, err) < 0)
    return -1;
  if (x->r->host_config && x->r->host_config->runtime == NULL)
    x->r->host_config->runtime = xstrdup (x->runtime);
  if (cidfile_open (x, err) < 0)
    return -1;
  ret = build_bundle (x, err);
  if (ret == 0)
    ret = add_row (x, out, err);
  if (ret == 0)
    ret = cidfile_write (x, err);
  if (ret < 0)
    create_undo (x);
  return ret;
}

int
container_create (struct berth_globals *g, struct container_opts *o, struct store_container **out,
                  oci_error_t **err)
{
  struct create_ctx x = { .g = g, .o = o, .r = o->record, .rootfd = -1, .cidfd = -1 };
  int ret;

  *out = NULL;
  ret = create_steps (&x, out, err);
  if (ret < 0 && *out)
    {
      cleanup_error oci_error_t *e = NULL;

      store_container_remove (x.s, (*out)->id, &e);
      store_container_free (*out);
      *out = NULL;
    }
  create_ctx_release (&x);
  return ret;
}

/* --- start --- */

/* $BERTH_MONITOR, next to berth, or the install location.  */
static int
monitor_path (char **path, oci_error_t **err)
{
  const char *env = getenv ("BERTH_MONITOR");
  char self[PATH_MAX];
  ssize_t n;

  if (env && *env)
    {
      *path = xstrdup (env);
      return 0;
    }
  n = readlink ("/proc/self/exe", self, sizeof self - 1);
  if (n > 0)
    {
      char *slash;

      self[n] = '\0';
      slash = strrchr (self, '/');
      if (slash)
        {
          xasprintf (path, "%.*s/berth-monitor", (int) (slash - self), self);
          if (access (*path, X_OK) == 0)
            return 0;
          free (*path);
        }
    }
  xasprintf (path, "%s/berth-monitor", BERTH_LIBEXECDIR);
  if (access (*path, X_OK) == 0)
    return 0;
  free (*path);
  *path = NULL;
  return oci_error_set (err, ENOENT, "berth-monitor not found (next to berth, in %s, or $BERTH_MONITOR)",
                        BERTH_LIBEXECDIR);
}

struct argv_builder
{
  char **v;
  size_t n;
};

static void
argv_add (struct argv_builder *a, const char *s)
{
  a->v = xreallocarray (a->v, a->n + 2, sizeof (char *));
  a->v[a->n++] = xstrdup (s);
  a->v[a->n] = NULL;
}

/* `berth --root R --runroot RR` + words, each word after `flag`.  */
static void
argv_add_berth (struct argv_builder *a, const char *flag, const char *self, const char *root,
                const char *runroot, const char *const *words)
{
  const char *pre[] = { self, "--root", root, "--runroot", runroot };

  for (size_t i = 0; i < ARRAY_SIZE (pre); i++)
    argv_add (a, flag), argv_add (a, pre[i]);
  for (size_t i = 0; words[i]; i++)
    argv_add (a, flag), argv_add (a, words[i]);
}

struct start_paths
{
  char *self, *root, *runroot, *state_root, *monitor, *cdir;
};

static void
start_paths_free (struct start_paths *p)
{
  free (p->self);
  free (p->root);
  free (p->runroot);
  free (p->state_root);
  free (p->monitor);
  free (p->cdir);
}

static int
start_paths_get (struct berth_globals *g, struct berth_store *s, const char *id, struct start_paths *p,
                 oci_error_t **err)
{
  cleanup_free char *runroot = berth_runroot (g);
  char buf[PATH_MAX];
  ssize_t n;

  p->state_root = runtime_state_root (g);
  p->cdir = store_container_dir (s, id);
  if (mkdir_p (p->state_root, 0700, err) < 0 || monitor_path (&p->monitor, err) < 0)
    return -1;
  n = readlink ("/proc/self/exe", buf, sizeof buf - 1);
  if (n < 0)
    return oci_error_errno (err, errno, "readlink /proc/self/exe");
  buf[n] = '\0';
  p->self = xstrdup (buf);
  if (realpath (store_root (s), buf) == NULL)
    return oci_error_errno (err, errno, "realpath %s", store_root (s));
  p->root = xstrdup (buf);
  if (realpath (runroot, buf) == NULL)
    return oci_error_errno (err, errno, "realpath %s", runroot);
  p->runroot = xstrdup (buf);
  return 0;
}

static bool
health_enabled (const struct container_record *r)
{
  const struct oci_image_healthcheck *h = r->config ? r->config->healthcheck : NULL;

  return h && h->test && h->test[0] && !streq (h->test[0], "NONE");
}

/* docker resets the health to "starting" on every start.  */
static int
health_reset (const struct container_record *r, const char *cdir, oci_error_t **err)
{
  static const char starting[] = "{\"Status\":\"starting\",\"FailingStreak\":0,\"Log\":[]}";
  cleanup_close int dfd = -1;

  if (!health_enabled (r))
    return 0;
  dfd = open (cdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return oci_error_errno (err, errno, "open %s", cdir);
  return write_file_replace_at (dfd, MONITOR_HEALTH_FILE, starting, strlen (starting), 0600, err);
}

static void
monitor_argv_health (struct argv_builder *a, const struct container_record *r, const struct start_paths *p,
                     const char *id)
{
  const struct oci_image_healthcheck *h = r->config ? r->config->healthcheck : NULL;
  const char *const words[] = { "healthcheck", "run", id, NULL };
  char ms[32];

  if (!health_enabled (r))
    return;
  snprintf (ms, sizeof ms, "%lld",
            (long long) (h->interval_present && h->interval > 0 ? h->interval / 1000000 : HEALTH_DEFAULT_MS));
  argv_add (a, "--health-interval");
  argv_add (a, ms);
  argv_add_berth (a, "--health-cmd", p->self, p->root, p->runroot, words);
}

/* The published host ports berth reserved (network_container_setup),
   held by the monitor for its life.  */
struct hold_fds
{
  int *fds;
  size_t n;
};

static char **
monitor_argv (const struct store_container *c, const struct container_record *r, const struct start_paths *p,
              int sync_fd, const struct hold_fds *hold)
{
  const struct container_host_config *h = r->host_config;
  const struct container_restart_policy *rp = h ? h->restart_policy : NULL;
  const char *const cleanup_words[] = { "container", "cleanup", c->id, NULL };
  struct argv_builder a = { NULL, 0 };
  char num[64];

  argv_add (&a, p->monitor);
  argv_add (&a, "--id"), argv_add (&a, c->id);
  argv_add (&a, "--dir"), argv_add (&a, p->cdir);
  argv_add (&a, "--runtime"), argv_add (&a, c->runtime);
  argv_add (&a, "--runtime-root"), argv_add (&a, p->state_root);
  if (r->config && r->config->tty)
    argv_add (&a, "--tty");
  if (r->config && r->config->open_stdin)
    argv_add (&a, "--stdin");
  if (rp && rp->name && *rp->name && !streq (rp->name, "no"))
    {
      if (streq (rp->name, "on-failure") && rp->maximum_retry_count > 0)
        snprintf (num, sizeof num, "on-failure:%d", (int) rp->maximum_retry_count);
      else
        snprintf (num, sizeof num, "%s", rp->name);
      argv_add (&a, "--restart"), argv_add (&a, num);
    }
  snprintf (num, sizeof num, "%d", sync_fd);
  argv_add (&a, "--sync-fd"), argv_add (&a, num);
  if (h && h->log_config && h->log_config->type)
    argv_add (&a, "--log-driver"), argv_add (&a, h->log_config->type);
  for (size_t i = 0; i < hold->n; i++)
    {
      snprintf (num, sizeof num, "%d", hold->fds[i]);
      argv_add (&a, "--keep-fd"), argv_add (&a, num);
    }
  monitor_argv_health (&a, r, p, c->id);
  argv_add_berth (&a, "--cleanup-cmd", p->self, p->root, p->runroot, cleanup_words);
  return a.v;
}

/* Double fork: the monitor is reparented to init (or a subreaper) and
   lives in its own session, so nothing of ours waits for it.  */
static int
monitor_spawn (char **argv, int sync_fd, const struct hold_fds *hold, oci_error_t **err)
{
  pid_t pid = fork ();
  int status;

  if (pid < 0)
    return oci_error_errno (err, errno, "fork");
  if (pid == 0)
    {
      sigset_t none;
      int devnull;

      setsid ();
      if (fork () != 0)
        _exit (0);
      sigemptyset (&none);
      sigprocmask (SIG_SETMASK, &none, NULL);
      devnull = open ("/dev/null", O_RDWR);
      if (devnull < 0 || dup2 (devnull, 0) < 0 || dup2 (devnull, 1) < 0 || dup2 (devnull, 2) < 0)
        _exit (127);
      if (devnull > 2)
        close (devnull);
      fcntl (sync_fd, F_SETFD, 0);
      for (size_t i = 0; i < hold->n; i++)
        fcntl (hold->fds[i], F_SETFD, 0);
      execv (argv[0], argv);
      _exit (127);
    }
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return oci_error_errno (err, errno, "waitpid");
  return 0;
}

/* One line from the monitor; "" at EOF.  */
static int
sync_read_line (int fd, char *buf, size_t size, oci_error_t **err)
{
  size_t n = 0;

  while (n + 1 < size)
    {
      ssize_t r = read (fd, buf + n, 1);

      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return oci_error_errno (err, errno, "read from berth-monitor");
      if (r == 0 || buf[n] == '\n')
        break;
      n++;
    }
  buf[n] = '\0';
  return 0;
}

static int
sync_expect (int fd, const char *word, oci_error_t **err)
{
  char line[SYNC_LINE_MAX];

  if (sync_read_line (fd, line, sizeof line, err) < 0)
    return -1;
  if (has_prefix (line, word))
    return 0;
  if (has_prefix (line, "error "))
    return oci_error_set (err, EIO, "%s", line + strlen ("error "));
  return oci_error_set (err, EIO, "berth-monitor exited before the container %s", word);
}

static int
monitor_sync (int fd, const char *cdir, int *attach_fd, oci_error_t **err)
{
  if (sync_expect (fd, "created", err) < 0)
    return -1;
  if (attach_fd && attach_connect (cdir, attach_fd, err) < 0)
    return -1;
  while (send (fd, "s", 1, MSG_NOSIGNAL) < 0)
    if (errno != EINTR)
      return oci_error_errno (err, errno, "write to berth-monitor");
  return sync_expect (fd, "started", err);
}

/* Markers and files of a previous run that must not confuse this one.  */
static void
remove_stale (struct berth_globals *g, const struct store_container *c, const struct start_paths *p)
{
  const char *const names[] = { MONITOR_STOPPED_FILE, MONITOR_PAUSED_FILE, MONITOR_RUNTIME_PID_FILE };
  cleanup_free char *rstate = NULL;
  int dfd = open (p->cdir, O_PATH | O_DIRECTORY | O_CLOEXEC);

  for (size_t i = 0; dfd >= 0 && i < ARRAY_SIZE (names); i++)
    unlinkat (dfd, names[i], 0);
  if (dfd >= 0)
    close (dfd);
  xasprintf (&rstate, "%s/%s", p->state_root, c->id);
  if (access (rstate, F_OK) == 0)
    {
      char *args[] = { (char *) "delete", (char *) "--force", c->id, NULL };
      cleanup_error oci_error_t *e = NULL;

      runtime_run (g, c->runtime, args, NULL, &e);
    }
}

static int
start_monitor (struct berth_globals *g, const struct store_container *c, const struct container_record *r,
               const struct start_paths *p, const struct hold_fds *hold, int *attach_fd, oci_error_t **err)
{
  cleanup_close int mine = -1, theirs = -1;
  int sv[2];
  char **argv;
  int ret;

  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
    return oci_error_errno (err, errno, "socketpair");
  mine = sv[0];
  theirs = sv[1];
  if (theirs < 3)
    {
      int moved = fcntl (theirs, F_DUPFD_CLOEXEC, 3);

      if (moved < 0)
        return oci_error_errno (err, errno, "fcntl");
      close (theirs);
      theirs = moved;
    }
  argv = monitor_argv (c, r, p, theirs, hold);
  ret = monitor_spawn (argv, theirs, hold, err);
  strv_free (argv);
  if (ret < 0)
    return -1;
  close (steal_fd (&theirs));
  return monitor_sync (mine, p->cdir, attach_fd, err);
}

/* The monitor of the previous run may still be finishing (cleanup):
   wait for it to release monitor.lock, at most MONITOR_EXIT_WAIT_MS.  */
static int
wait_old_monitor (const char *cdir, oci_error_t **err)
{
  cleanup_free char *lock = NULL;
  cleanup_close int fd = -1;
  struct timespec tick = { 0, 10 * 1000 * 1000 };

  xasprintf (&lock, "%s/%s", cdir, MONITOR_LOCK_FILE);
  fd = open (lock, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  for (int waited = 0; waited < MONITOR_EXIT_WAIT_MS; waited += 10)
    {
      if (flock (fd, LOCK_SH | LOCK_NB) == 0)
        return 0;
      nanosleep (&tick, NULL);
    }
  return oci_error_set (err, EBUSY, "the monitor of the previous run of the container is still running (%s)",
                        lock);
}

static bool already_running (const char *cdir);

static bool
is_container_mode (const char *mode)
{
  return mode && has_prefix (mode, "container:");
}

/* config.json names /proc/PID/ns/... of the containers it joins: their
   pids change when they restart, so it is written again at each start
   (with netns, the network namespace berth made, when there is one).  */
static int
refresh_joins (struct berth_globals *g, struct berth_store *s, const struct store_container *c,
               struct container_record *r, const char *cdir, const char *merged, const char *netns,
               oci_error_t **err)
{
  const struct container_host_config *h = r->host_config;
  struct create_ctx x = { .g = g, .s = s, .r = r, .rootfd = -1, .cidfd = -1 };
  bool joins = h
               && (is_container_mode (h->network_mode) || is_container_mode (h->ipc_mode)
                   || is_container_mode (h->pid_mode));

  /* The network namespace path is known at create already.  */
  if (!joins)
    return 0;
  x.id = (char *) c->id;
  x.cdir = (char *) cdir;
  x.merged = (char *) merged;
  return write_config_ns (&x, netns, netns == NULL, err);
}

static void
hold_fds_close (struct hold_fds *hold)
{
  for (size_t i = 0; i < hold->n; i++)
    close (hold->fds[i]);
  free (hold->fds);
  hold->fds = NULL;
  hold->n = 0;
}

/* Network setup, config.json, the monitor; on failure the network is
   torn down again (a port in use leaves nothing behind).  */
static int
start_networked (struct berth_globals *g, struct berth_store *s, const struct store_container *c,
                 struct container_record *r, const struct start_paths *p, const char *merged, int *attach_fd,
                 oci_error_t **err)
{
  struct hold_fds hold = { NULL, 0 };
  cleanup_free char *netns = NULL;
  int ret;

  if (network_container_setup (g, c, r, &netns, &hold.fds, &hold.n, err) < 0)
    return -1;
  ret = refresh_joins (g, s, c, r, p->cdir, merged, netns, err);
  if (ret == 0)
    ret = start_monitor (g, c, r, p, &hold, attach_fd, err);
  hold_fds_close (&hold);
  if (ret == 0)
    return network_container_started (g, c, err);
  if (!already_running (p->cdir))
    {
      cleanup_error oci_error_t *e = NULL;
      network_container_teardown (g, c, &e);
    }
  return -1;
}

/* The container runs (or restarts) already, with or without a monitor.  */
static bool
already_running (const char *cdir)
{
  struct container_state st;
  cleanup_error oci_error_t *e = NULL;

  if (container_state_read (cdir, &st, &e) < 0)
    return false;
  return st.status == CONTAINER_RUNNING || st.status == CONTAINER_PAUSED || st.status == CONTAINER_RESTARTING;
}

int
container_start (struct berth_globals *g, const struct store_container *c, int *attach_fd, oci_error_t **err)
{
  cleanup_container_record struct container_record *r = NULL;
  struct start_paths p = { 0 };
  cleanup_free char *merged = NULL;
  struct berth_store *s;
  int ret = -1;

  if (attach_fd)
    *attach_fd = -1;
  if (cli_store (g, &s, err) < 0
      || container_record_parse (c->record, strlen (c->record), RECORD_FILE, &r, err) < 0)
    return -1;
  if (start_paths_get (g, s, c->id, &p, err) < 0)
    goto out;
  if (already_running (p.cdir))
    {
      ret = attach_fd ? attach_connect (p.cdir, attach_fd, err) : 0;
      goto out;
    }
  if (wait_old_monitor (p.cdir, err) < 0
      || store_container_rootfs_mount (s, c->id, c->image_id, &merged, err) < 0)
    goto out;
  remove_stale (g, c, &p);
  if (health_reset (r, p.cdir, err) < 0)
    goto out;
  ret = start_networked (g, s, c, r, &p, merged, attach_fd, err);
  if (ret < 0 && attach_fd && *attach_fd >= 0)
    {
      close (*attach_fd);
      *attach_fd = -1;
    }
out:
  start_paths_free (&p);
  return ret;
}

/* --- cleanup --- */

/* --rm: the row (first: a crash leaves a dir that gc removes), the
   directory and the anonymous volumes no other container uses.  Not
   container_remove: that waits for the monitor, which is our caller.  */
static int
auto_remove (struct berth_store *s, const struct store_container *c, oci_error_t **err)
{
  if (store_container_remove (s, c->id, err) < 0)
    {
      if ((*err)->status != ENOENT)
        return -1;
      oci_error_free (err);
    }
  if (store_container_dir_remove (s, c->id, err) < 0)
    return -1;
  for (size_t i = 0; c->volumes && c->volumes[i]; i++)
    {
      cleanup_error oci_error_t *e = NULL;
      struct store_volume *v = NULL;

      if (store_volume_lookup (s, c->volumes[i], &v, &e) < 0)
        continue;
      if (v->anonymous)
        store_volume_remove (s, v->name, false, &e);
      store_volume_free (v);
    }
  return 0;
}

int
container_cleanup (struct berth_globals *g, const struct store_container *c, oci_error_t **err)
{
  cleanup_container_record struct container_record *r = NULL;
  char *args[] = { (char *) "delete", (char *) "--force", c->id, NULL };
  cleanup_error oci_error_t *derr = NULL;
  struct berth_store *s;

  cleanup_free char *state_root = runtime_state_root (g), *rstate = NULL;

  if (cli_store (g, &s, err) < 0)
    return -1;
  /* Runtimes keep a container's state in <root>/<id>: the monitor deleted
     it already unless it died first.  */
  xasprintf (&rstate, "%s/%s", state_root, c->id);
  if (access (rstate, F_OK) == 0 && runtime_run (g, c->runtime, args, NULL, &derr) < 0
      && derr->status != ENOENT)
    {
      *err = steal_pointer (&derr);
      return -1;
    }
  if (network_container_teardown (g, c, err) < 0 || store_container_rootfs_umount (s, c->id, err) < 0)
    return -1;
  if (container_record_parse (c->record, strlen (c->record), RECORD_FILE, &r, err) < 0)
    return -1;
  if (r->host_config && r->host_config->auto_remove)
    return auto_remove (s, c, err);
  return 0;
}
