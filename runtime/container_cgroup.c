/* The container's cgroup in the lifecycle: the resources create applies
   (linux.resources plus runc's always-allowed devices), creating the
   cgroup (before the init exists, or around it), and removing it (every
   process killed first).  */
#include "config.h"
#include "cgroup.h"
#include "container.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <signal.h>

/* runc's AllowedDevices, appended after the spec's rules (the last
   matching rule decides, so a spec cannot deny these, as with runc).  */
static const struct
{
  const char *type;
  int64_t major, minor; /* -1: any */
} allowed_devices[] = {
  { "c", -1, -1 },  /* mknod only */
  { "b", -1, -1 },  /* mknod only */
  { "c", 1, 3 },    /* /dev/null */
  { "c", 1, 8 },    /* /dev/random */
  { "c", 1, 7 },    /* /dev/full */
  { "c", 5, 0 },    /* /dev/tty */
  { "c", 1, 5 },    /* /dev/zero */
  { "c", 1, 9 },    /* /dev/urandom */
  { "c", 5, 1 },    /* /dev/console */
  { "c", 136, -1 }, /* /dev/pts/N */
  { "c", 5, 2 },    /* /dev/ptmx */
};

/* A shallow copy of spec's resources whose device list ends with the
   always-allowed devices; free it with free_effective.  */
static struct oci_resources *
effective_resources (const struct oci_spec *spec)
{
  const struct oci_resources *res = spec->linux ? spec->linux->resources : NULL;
  struct oci_resources *eff = xzalloc (sizeof *eff);
  size_t n = res ? res->devices_len : 0;

  if (res)
    *eff = *res;
  eff->devices = xcalloc (n + ARRAY_SIZE (allowed_devices), sizeof *eff->devices);
  for (size_t i = 0; i < n; i++)
    eff->devices[i] = res->devices[i];
  for (size_t i = 0; i < ARRAY_SIZE (allowed_devices); i++)
    {
      struct oci_device_cgroup *d = &eff->devices[n + i];
      bool mknod_only = allowed_devices[i].major < 0;
      d->allow = d->allow_present = true;
      d->type = (char *) allowed_devices[i].type;
      d->major = allowed_devices[i].major;
      d->major_present = allowed_devices[i].major >= 0;
      d->minor = allowed_devices[i].minor;
      d->minor_present = allowed_devices[i].minor >= 0;
      d->access = (char *) (mknod_only ? "m" : "rwm");
    }
  eff->devices_len = n + ARRAY_SIZE (allowed_devices);
  return eff;
}

static bool
resources_requested (const struct oci_spec *spec)
{
  const struct oci_resources *r = spec->linux ? spec->linux->resources : NULL;

  return r
         && (r->memory || r->cpu || r->pids || r->block_io || r->hugepage_limits_len || r->network
             || r->rdma_len || r->unified.len || r->devices_len);
}

int
container_cgroup_setup (const struct oci_spec *spec, const char *id, bool systemd_cgroup, bool rootless,
                        pid_t pid, struct cgroup_placement *place, char **path, oci_error_t **err)
{
  const char *requested = spec->linux ? spec->linux->cgroups_path : NULL;
  struct oci_resources *eff;
  int ret, e;

  *path = NULL;
  if (cgroup_resolve_path (requested, id, systemd_cgroup, path, err) < 0)
    return oci_error_prefix (err, "linux.cgroupsPath");
  eff = effective_resources (spec);
  ret = place ? cgroup_create_placed (*path, eff, place, err) : cgroup_create (*path, eff, pid, err);
  free (eff->devices);
  free (eff);
  if (ret == 0)
    return 0;
  e = (*err)->status;
  /* As runc: a rootless container that asked for no limits runs without a
     cgroup of its own when it may not make one.  */
  if (rootless && !resources_requested (spec) && (e == EACCES || e == EPERM || e == EROFS))
    {
      hull_log (HULL_LOG_DEBUG, "rootless: no cgroup for %s: %s", id, (*err)->msg);
      oci_error_free (err);
      free (*path);
      *path = NULL;
      return 0;
    }
  free (*path);
  *path = NULL;
  return -1;
}

int
container_cgroup_kill (const char *path, int sig, oci_error_t **err)
{
  cleanup_error oci_error_t *ignored = NULL;
  bool frozen = false;

  if (cgroup_kill_all (path, sig, err) < 0)
    return -1;
  /* A paused container's processes die only once thawed (v1 freezer).  */
  if (sig == SIGKILL && cgroup_is_frozen (path, &frozen, &ignored) == 0 && frozen)
    return cgroup_freeze (path, false, err);
  return 0;
}

int
container_cgroup_remove (const char *path, oci_error_t **err)
{
  cleanup_error oci_error_t *kill_err = NULL;

  if (path == NULL)
    return 0;
  /* Whatever lingers (forked away, left the pid namespace) goes first; a
     cgroup that is gone already has nothing to kill.  */
  if (container_cgroup_kill (path, SIGKILL, &kill_err) < 0 && kill_err->status != ENOENT)
    hull_log (HULL_LOG_DEBUG, "cgroup %s: %s", path, kill_err->msg);
  return cgroup_destroy (path, err);
}

int
container_open_cgroup (struct hull_globals *g, const char *id, struct hull_container *c, oci_error_t **err)
{
  if (state_open (g->root, id, c, err) < 0)
    return -1;
  if (c->state->cgroup_path == NULL)
    return oci_error_set (err, ENOTSUP, "container %s has no cgroup of its own (rootless without access)",
                          id);
  return 0;
}
