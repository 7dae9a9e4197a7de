/* The container's cgroup across the host's hierarchies: path resolution,
   create, enter, freeze, pids, kill-all and destroy.  The resource files
   are written by cgroup_v1.c and cgroup_v2.c.  */
#include "config.h"
#include "cgroup.h"
#include "cgroup_convert.h"
#include "cgroup_internal.h"
#include "fileutil.h"
#include "strbuf.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The caller's own cgroup: the v2 entry ("0::/x") when there is one, else
   the name=systemd hierarchy, else the first line.  */
static int
own_cgroup (char **out, oci_error_t **err)
{
  cleanup_free char *data = NULL;
  char *first = NULL, *systemd = NULL, *unified = NULL, *save = NULL;
  size_t len;

  if (read_file_max ("/proc/self/cgroup", 1024 * 1024, &data, &len, err) < 0)
    return -1;
  for (char *line = strtok_r (data, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      char *colon = strchr (line, ':');
      char *path = colon ? strchr (colon + 1, ':') : NULL;
      if (path == NULL)
        continue;
      path++;
      if (has_prefix (line, "0::"))
        unified = path;
      else if (strstr (colon, ":name=systemd:") == colon)
        systemd = path;
      else if (first == NULL)
        first = path;
    }
  if (unified == NULL)
    unified = systemd ? systemd : first;
  if (unified == NULL)
    return oci_error_set (err, ENOENT, "/proc/self/cgroup: no cgroup found");
  *out = xstrdup (unified);
  return 0;
}

int
cgroup_resolve_path (const char *cgroups_path, const char *id, bool systemd_cgroup, char **out,
                     oci_error_t **err)
{
  cleanup_free char *own = NULL;
  cleanup_free char *mapped = NULL;

  *out = NULL;
  if (cgroups_path == NULL || *cgroups_path == '\0')
    {
      if (strchr (id, '/') != NULL || streq (id, "..") || streq (id, "."))
        return oci_error_set (err, EINVAL, "container id `%s` cannot name a cgroup", id);
      if (systemd_cgroup)
        xasprintf (&mapped, "system.slice:hull:%s", id);
      else
        xasprintf (&mapped, "/hull/%s", id);
      cgroups_path = mapped;
      if (!systemd_cgroup)
        return cgroup_normalize_path (cgroups_path, out, err);
    }
  if (systemd_cgroup)
    return cgroup_systemd_path (cgroups_path, out, err);
  if (cgroups_path[0] == '/')
    return cgroup_normalize_path (cgroups_path, out, err);
  if (own_cgroup (&own, err) < 0)
    return -1;
  return cgroup_join_path (own, cgroups_path, out, err);
}

static int
check_path (const char *path, oci_error_t **err)
{
  cleanup_free char *norm = NULL;

  if (path == NULL || path[0] != '/')
    return oci_error_set (err, EINVAL, "cgroup path `%s` is not absolute", path ? path : "(null)");
  return cgroup_normalize_path (path, &norm, err);
}

/* Every directory of path: one per v1 hierarchy, then the v2 one.  */
static char **
cgroup_dirs (const struct cgroup_host *h, const char *path)
{
  char **v = xcalloc (h->v1_len + 2, sizeof (char *));
  size_t n = 0;

  for (size_t i = 0; i < h->v1_len; i++)
    v[n++] = cgroup_v1_dir_at (h, i, path);
  if (h->unified)
    v[n++] = cgroup_v2_dir (h, path);
  return v;
}

static int
make_dirs (char **dirs, bool *created, oci_error_t **err)
{
  for (size_t i = 0; dirs[i]; i++)
    {
      /* Usually only the last component is new: one mkdir.  */
      created[i] = mkdir (dirs[i], 0755) == 0;
      if (created[i] || errno == EEXIST)
        continue;
      if (errno != ENOENT)
        return oci_error_errno (err, errno, "create cgroup: mkdir `%s`", dirs[i]);
      created[i] = true;
      if (mkdir_p (dirs[i], 0755, err) < 0)
        return oci_error_prefix (err, "create cgroup");
    }
  return 0;
}

static int
add_pid (const char *dir, pid_t pid, oci_error_t **err)
{
  return cgroup_writef (dir, "cgroup.procs", err, "%d", (int) pid);
}

static int
apply_resources (const struct cgroup_host *h, const char *path, const struct oci_resources *res, bool update,
                 oci_error_t **err)
{
  cleanup_free char *v2 = cgroup_v2_dir (h, path);

  if (res == NULL)
    return 0;
  if (h->layout == CGROUP_LAYOUT_V2)
    return cgroup_v2_apply (v2, res, update, err);
  if (cgroup_v1_apply (h, path, res, update, err) < 0)
    return -1;
  if (res->unified.len == 0)
    return 0;
  if (h->layout == CGROUP_LAYOUT_V1)
    return oci_error_set (err, ENOTSUP,
                          "linux.resources.unified.%s: the host has no cgroup v2 hierarchy (cgroup v1 only)",
                          res->unified.keys[0]);
  /* Hybrid: only the unified keys go to the v2 hierarchy.  */
  struct oci_resources unified_only = { .unified = res->unified };
  return cgroup_v2_apply (v2, &unified_only, update, err);
}

static int
create_in (const struct cgroup_host *h, const char *path, char **dirs, bool *created,
           const struct oci_resources *res, pid_t pid, oci_error_t **err)
{
  cleanup_free char *v2 = cgroup_v2_dir (h, path);

  if (make_dirs (dirs, created, err) < 0)
    return -1;
  if (h->layout != CGROUP_LAYOUT_V2 && cgroup_v1_cpuset_prepare (h, path, err) < 0)
    return -1;
  if (h->layout == CGROUP_LAYOUT_V2 && cgroup_v2_enable_controllers (h, path, res, err) < 0)
    return -1;
  if (apply_resources (h, path, res, false, err) < 0)
    return -1;
  if (pid <= 0)
    return 0;
  for (size_t i = 0; dirs[i]; i++)
    if (add_pid (dirs[i], pid, err) < 0)
      return -1;
  return 0;
}

static void
fill_placement (const struct cgroup_host *h, const char *path, struct cgroup_placement *place)
{
  place->v1_dirs = xcalloc (h->v1_len + 1, sizeof (char *));
  for (size_t i = 0; i < h->v1_len; i++)
    place->v1_dirs[i] = cgroup_v1_dir_at (h, i, path);
  place->v2_dir = cgroup_v2_dir (h, path);
  /* Without it the v2 directory is joined by a cgroup.procs write.  */
  if (place->v2_dir)
    place->v2_fd = open (place->v2_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

static int
create_common (const char *path, const struct oci_resources *res, pid_t pid, struct cgroup_placement *place,
               oci_error_t **err)
{
  cleanup_cgroup_host struct cgroup_host h = { 0 };
  cleanup_strv char **dirs = NULL;
  cleanup_free bool *created = NULL;

  if (check_path (path, err) < 0 || cgroup_host_load (&h, err) < 0)
    return -1;
  dirs = cgroup_dirs (&h, path);
  created = xcalloc (strv_len (dirs) + 1, sizeof (bool));
  if (create_in (&h, path, dirs, created, res, pid, err) == 0)
    {
      if (place)
        fill_placement (&h, path, place);
      return 0;
    }
  /* Undo: remove the leaves this call made (still empty).  */
  for (size_t i = 0; dirs[i]; i++)
    if (created[i])
      rmdir (dirs[i]);
  return -1;
}

int
cgroup_create (const char *path, const struct oci_resources *res, pid_t pid, oci_error_t **err)
{
  return create_common (path, res, pid, NULL, err);
}

int
cgroup_create_placed (const char *path, const struct oci_resources *res, struct cgroup_placement *place,
                      oci_error_t **err)
{
  *place = (struct cgroup_placement){ .v2_fd = -1 };
  return create_common (path, res, 0, place, err);
}

void
cgroup_placement_free (struct cgroup_placement *place)
{
  if (place->v2_fd >= 0)
    close (place->v2_fd);
  place->v2_fd = -1;
  free (place->v2_dir);
  place->v2_dir = NULL;
  strv_free (place->v1_dirs);
  place->v1_dirs = NULL;
}

int
cgroup_placement_add_pid (const struct cgroup_placement *place, pid_t pid, bool v1, bool v2,
                          oci_error_t **err)
{
  for (size_t i = 0; v1 && place->v1_dirs && place->v1_dirs[i]; i++)
    if (add_pid (place->v1_dirs[i], pid, err) < 0)
      return -1;
  if (v2 && place->v2_dir && add_pid (place->v2_dir, pid, err) < 0)
    return -1;
  return 0;
}

int
cgroup_placement_join_v1_self (const struct cgroup_placement *place, oci_error_t **err)
{
  /* "0" in tasks moves only the writer, without the threadgroup lock that
     a pid (or any write to cgroup.procs) takes.  */
  for (size_t i = 0; place->v1_dirs && place->v1_dirs[i]; i++)
    if (cgroup_write (place->v1_dirs[i], "tasks", "0", err) < 0)
      return -1;
  return 0;
}

int
cgroup_apply_resources (const char *path, const struct oci_resources *res, oci_error_t **err)
{
  cleanup_cgroup_host struct cgroup_host h = { 0 };

  if (check_path (path, err) < 0 || cgroup_host_load (&h, err) < 0)
    return -1;
  if (h.layout == CGROUP_LAYOUT_V2 && res && cgroup_v2_enable_controllers (&h, path, res, err) < 0)
    return -1;
  return apply_resources (&h, path, res, true, err);
}

int
cgroup_enter (const char *path, const char *sub, pid_t pid, oci_error_t **err)
{
  cleanup_cgroup_host struct cgroup_host h = { 0 };
  cleanup_strv char **dirs = NULL;

  if (check_path (path, err) < 0 || cgroup_host_load (&h, err) < 0)
    return -1;
  if (sub && (strchr (sub, '/') != NULL || streq (sub, "..") || streq (sub, ".") || *sub == '\0'))
    return oci_error_set (err, EINVAL, "invalid sub-cgroup name `%s`", sub);
  dirs = cgroup_dirs (&h, path);
  for (size_t i = 0; sub && dirs[i]; i++)
    {
      cleanup_free char *dir = NULL;
      xasprintf (&dir, "%s/%s", dirs[i], sub);
      if (mkdir (dir, 0755) < 0 && errno != EEXIST)
        return oci_error_errno (err, errno, "mkdir `%s`", dir);
    }
  if (sub)
    {
      cleanup_free char *full = NULL;
      xasprintf (&full, "%s/%s", path, sub);
      /* A new v1 cpuset cgroup is empty: no process may join it.  */
      if (h.layout != CGROUP_LAYOUT_V2 && cgroup_v1_cpuset_prepare (&h, full, err) < 0)
        return -1;
    }
  for (size_t i = 0; dirs[i]; i++)
    {
      cleanup_free char *dir = NULL;
      if (sub)
        xasprintf (&dir, "%s/%s", dirs[i], sub);
      if (add_pid (dir ? dir : dirs[i], pid, err) < 0)
        return -1;
    }
  return 0;
}

static void
sleep_ms (long ms)
{
  struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

  nanosleep (&ts, NULL);
}

static int
freeze_v1 (const char *dir, bool frozen, oci_error_t **err)
{
  const char *want = frozen ? "FROZEN" : "THAWED";

  for (int i = 0; i < 2000; i++)
    {
      cleanup_free char *state = NULL;
      /* Re-ask now and then: a fork racing the freeze can leave it FREEZING. */
      if (i % 50 == 0 && cgroup_write (dir, "freezer.state", want, err) < 0)
        return -1;
      if (cgroup_read (dir, "freezer.state", &state, err) < 0)
        return -1;
      if (streq (state, want))
        return 0;
      sleep_ms (i < 10 ? 1 : 5);
    }
  return oci_error_set (err, ETIMEDOUT, "%s/freezer.state: timed out waiting for %s", dir, want);
}

static int
freeze_v2 (const char *dir, bool frozen, oci_error_t **err)
{
  const char *want = frozen ? "frozen 1" : "frozen 0";

  if (cgroup_write (dir, "cgroup.freeze", frozen ? "1" : "0", err) < 0)
    return -1;
  for (int i = 0; i < 2000; i++)
    {
      cleanup_free char *events = NULL;
      if (cgroup_read (dir, "cgroup.events", &events, err) < 0)
        return -1;
      for (char *line = events; line; line = strchr (line, '\n') ? strchr (line, '\n') + 1 : NULL)
        if (strncmp (line, want, strlen (want)) == 0)
          return 0;
      sleep_ms (i < 10 ? 1 : 5);
    }
  return oci_error_set (err, ETIMEDOUT, "%s/cgroup.events: timed out waiting for \"%s\"", dir, want);
}

/* The freezer of path: v1 freezer.state when mounted, else cgroup.freeze. */
static int
freezer_dir (const struct cgroup_host *h, const char *path, char **dir, bool *v1, oci_error_t **err)
{
  *dir = cgroup_v1_dir (h, "freezer", path);
  *v1 = *dir != NULL;
  if (*dir == NULL)
    *dir = cgroup_v2_dir (h, path);
  if (*dir == NULL || !cgroup_file_exists (*dir, *v1 ? "freezer.state" : "cgroup.freeze"))
    return oci_error_set (err, ENOTSUP, "cgroup `%s`: no freezer available", path);
  return 0;
}

int
cgroup_freeze (const char *path, bool frozen, oci_error_t **err)
{
  cleanup_cgroup_host struct cgroup_host h = { 0 };
  cleanup_free char *dir = NULL;
  bool v1;

  if (check_path (path, err) < 0 || cgroup_host_load (&h, err) < 0)
    return -1;
  if (freezer_dir (&h, path, &dir, &v1, err) < 0)
    return -1;
  return v1 ? freeze_v1 (dir, frozen, err) : freeze_v2 (dir, frozen, err);
}

int
cgroup_is_frozen (const char *path, bool *frozen, oci_error_t **err)
{
  cleanup_cgroup_host struct cgroup_host h = { 0 };
  cleanup_free char *dir = NULL;
  cleanup_free char *state = NULL;
  bool v1;

  *frozen = false;
  if (check_path (path, err) < 0 || cgroup_host_load (&h, err) < 0)
    return -1;
  if (freezer_dir (&h, path, &dir, &v1, err) < 0)
    return -1;
  if (cgroup_read (dir, v1 ? "freezer.state" : "cgroup.freeze", &state, err) < 0)
    return -1;
  *frozen = v1 ? streq (state, "FROZEN") : streq (state, "1");
  return 0;
}

/* The directory whose cgroup.procs (recursively) lists the container's
   processes: the v2 one when there is one, it sees every process.  */
static char *
procs_dir (const struct cgroup_host *h, const char *path)
{
  static const char *const preferred[] = { "pids", "freezer", "memory", "cpu", "devices" };
  char *dir = cgroup_v2_dir (h, path);

  for (size_t i = 0; dir == NULL && i < ARRAY_SIZE (preferred); i++)
    dir = cgroup_v1_dir (h, preferred[i], path);
  if (dir == NULL && h->v1_len > 0)
    dir = cgroup_v1_dir_at (h, 0, path);
  return dir;
}

struct pid_list
{
  pid_t *pids;
  size_t n;
};

static int
collect_pids (const char *dir, struct pid_list *l, int depth, oci_error_t **err)
{
  cleanup_free char *procs = NULL;
  cleanup_dir DIR *d = NULL;
  struct dirent *de;

  if (depth > 64)
    return oci_error_set (err, ELOOP, "cgroup `%s` nests too deep", dir);
  if (cgroup_read (dir, "cgroup.procs", &procs, err) < 0)
    return -1;
  for (char *p = procs; *p;)
    {
      char *end;
      long pid = strtol (p, &end, 10);
      if (end == p)
        break;
      l->pids = xreallocarray (l->pids, l->n + 1, sizeof (pid_t));
      l->pids[l->n++] = (pid_t) pid;
      p = end + (*end == '\n');
    }
  d = opendir (dir);
  if (d == NULL)
    return oci_error_errno (err, errno, "opendir `%s`", dir);
  while ((de = readdir (d)) != NULL)
    {
      cleanup_free char *sub = NULL;
      if (de->d_type != DT_DIR || streq (de->d_name, ".") || streq (de->d_name, ".."))
        continue;
      xasprintf (&sub, "%s/%s", dir, de->d_name);
      if (collect_pids (sub, l, depth + 1, err) < 0)
        return -1;
    }
  return 0;
}

static int
pids_in (const struct cgroup_host *h, const char *path, struct pid_list *l, oci_error_t **err)
{
  cleanup_free char *dir = procs_dir (h, path);

  if (dir == NULL)
    return oci_error_set (err, ENOENT, "no cgroup hierarchy is mounted");
  return collect_pids (dir, l, 0, err);
}

int
cgroup_pids (const char *path, pid_t **pids, size_t *n, oci_error_t **err)
{
  cleanup_cgroup_host struct cgroup_host h = { 0 };
  struct pid_list l = { NULL, 0 };

  *pids = NULL;
  *n = 0;
  if (check_path (path, err) < 0 || cgroup_host_load (&h, err) < 0)
    return -1;
  if (pids_in (&h, path, &l, err) < 0)
    {
      free (l.pids);
      return -1;
    }
  *pids = l.pids;
  *n = l.n;
  return 0;
}

static int
kill_listed (const struct cgroup_host *h, const char *path, int sig, oci_error_t **err)
{
  struct pid_list l = { NULL, 0 };
  int ret = pids_in (h, path, &l, err);

  for (size_t i = 0; ret == 0 && i < l.n; i++)
    if (kill (l.pids[i], sig) < 0 && errno != ESRCH)
      ret = oci_error_errno (err, errno, "kill %d", (int) l.pids[i]);
  free (l.pids);
  return ret;
}

int
cgroup_kill_all (const char *path, int sig, oci_error_t **err)
{
  cleanup_cgroup_host struct cgroup_host h = { 0 };
  cleanup_free char *v2 = NULL;
  cleanup_free char *fdir = NULL;
  bool v1, can_freeze;
  int ret;

  if (check_path (path, err) < 0 || cgroup_host_load (&h, err) < 0)
    return -1;
  v2 = cgroup_v2_dir (&h, path);
  if (sig == SIGKILL && v2 && cgroup_file_exists (v2, "cgroup.kill"))
    return cgroup_write (v2, "cgroup.kill", "1", err);
  {
    cleanup_error oci_error_t *ignored = NULL;
    can_freeze = freezer_dir (&h, path, &fdir, &v1, &ignored) == 0;
  }
  if (can_freeze && (v1 ? freeze_v1 (fdir, true, err) : freeze_v2 (fdir, true, err)) < 0)
    return -1;
  ret = kill_listed (&h, path, sig, err);
  if (can_freeze)
    {
      cleanup_error oci_error_t *thaw_err = NULL;
      if ((v1 ? freeze_v1 (fdir, false, &thaw_err) : freeze_v2 (fdir, false, &thaw_err)) < 0 && ret == 0)
        {
          *err = steal_pointer (&thaw_err);
          ret = -1;
        }
    }
  return ret;
}

/* rmdir, retrying while the last processes exit.  */
static int
rmdir_retry (const char *dir, oci_error_t **err)
{
  for (int i = 0;; i++)
    {
      if (rmdir (dir) == 0 || errno == ENOENT)
        return 0;
      if (errno != EBUSY || i >= 200)
        return oci_error_errno (err, errno, "rmdir `%s`", dir);
      sleep_ms (i < 10 ? 1 : 10);
    }
}

/* Remove dir and its sub-cgroups, leaves first.  */
static int
remove_cgroup_tree (const char *dir, int depth, oci_error_t **err)
{
  cleanup_dir DIR *d = opendir (dir);
  struct dirent *de;

  if (d == NULL)
    return errno == ENOENT ? 0 : oci_error_errno (err, errno, "opendir `%s`", dir);
  if (depth > 64)
    return oci_error_set (err, ELOOP, "cgroup `%s` nests too deep", dir);
  while ((de = readdir (d)) != NULL)
    {
      cleanup_free char *sub = NULL;
      if (de->d_type != DT_DIR || streq (de->d_name, ".") || streq (de->d_name, ".."))
        continue;
      xasprintf (&sub, "%s/%s", dir, de->d_name);
      if (remove_cgroup_tree (sub, depth + 1, err) < 0)
        return -1;
    }
  return rmdir_retry (dir, err);
}

int
cgroup_destroy (const char *path, oci_error_t **err)
{
  cleanup_cgroup_host struct cgroup_host h = { 0 };
  cleanup_strv char **dirs = NULL;
  int ret = 0;

  if (check_path (path, err) < 0 || cgroup_host_load (&h, err) < 0)
    return -1;
  if (streq (path, "/"))
    return oci_error_set (err, EINVAL, "refusing to remove the root cgroup");
  dirs = cgroup_dirs (&h, path);
  for (size_t i = 0; dirs[i]; i++)
    {
      cleanup_error oci_error_t *one = NULL;
      /* Go on with the other hierarchies; report the first failure.  */
      if (remove_cgroup_tree (dirs[i], 0, &one) < 0 && ret == 0)
        {
          *err = steal_pointer (&one);
          ret = -1;
        }
    }
  return ret;
}
