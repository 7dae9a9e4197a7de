/* The state store of hull: directories, state.json, locking, status.  */
#include "config.h"
#include "state.h"
#include "cgroup.h"
#include "fileutil.h"
#include "runtime_spec.h"
#include "strbuf.h"
#include "util.h"
#include "version.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct oci_json_field hull_state_fields[] = {
  OCI_F_STRING (struct hull_state, "id", id, OCI_JSON_REQUIRED),
  OCI_F_I32 (struct hull_state, "init_pid", init_pid, 0),
  OCI_F_U64 (struct hull_state, "init_start_time", init_start_time, 0),
  OCI_F_STRING (struct hull_state, "bundle", bundle, 0),
  OCI_F_STRING (struct hull_state, "rootfs", rootfs, 0),
  OCI_F_STRING (struct hull_state, "created", created, 0),
  OCI_F_STRING (struct hull_state, "owner", owner, 0),
  OCI_F_BOOL (struct hull_state, "own_pid_ns", own_pid_ns, 0),
  OCI_F_STRING (struct hull_state, "cgroup_path", cgroup_path, 0),
  OCI_F_STRMAP (struct hull_state, "annotations", annotations, 0),
};
OCI_JSON_DEFINE_TYPE (hull_state_type, struct hull_state, hull_state_fields, NULL);

/* runc's `state` / `list --format json` object, fields in runc's order.  */
struct runc_state
{
  char *oci_version;
  char *id;
  int32_t pid;
  bool pid_present;
  char *status;
  char *bundle;
  char *rootfs;
  char *created;
  char *owner;
  struct oci_map annotations;
};

static const struct oci_json_field runc_state_fields[] = {
  OCI_F_STRING (struct runc_state, "ociVersion", oci_version, 0),
  OCI_F_STRING (struct runc_state, "id", id, 0),
  OCI_F_I32 (struct runc_state, "pid", pid, 0),
  OCI_F_STRING (struct runc_state, "status", status, 0),
  OCI_F_STRING (struct runc_state, "bundle", bundle, 0),
  OCI_F_STRING (struct runc_state, "rootfs", rootfs, 0),
  OCI_F_STRING (struct runc_state, "created", created, 0),
  OCI_F_STRING (struct runc_state, "owner", owner, 0),
  OCI_F_STRMAP (struct runc_state, "annotations", annotations, 0),
};
static OCI_JSON_DEFINE_TYPE (runc_state_type, struct runc_state, runc_state_fields, NULL);

int
state_validate_id (const char *id, oci_error_t **err)
{
  size_t len = strlen (id);

  if (len == 0)
    return oci_error_set (err, EINVAL, "container id cannot be empty");
  if (len > 1024)
    return oci_error_set (err, EINVAL, "invalid container id: longer than 1024 characters");
  if (streq (id, ".") || streq (id, ".."))
    return oci_error_set (err, EINVAL, "invalid container id: %s", id);
  for (const char *p = id; *p; p++)
    {
      char ch = *p;
      bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_'
                || ch == '+' || ch == '-' || ch == '.';
      if (!ok)
        return oci_error_set (err, EINVAL, "invalid container id: %s: only [A-Za-z0-9_+.-] allowed", id);
    }
  return 0;
}

static int
lock_dir (struct hull_container *c, oci_error_t **err)
{
  while (flock (c->dirfd, LOCK_EX) < 0)
    if (errno != EINTR)
      return oci_error_errno (err, errno, "cannot lock %s", c->dir);
  return 0;
}

int
state_create_dir (const char *root, const char *id, struct hull_container *c, oci_error_t **err)
{
  memset (c, 0, sizeof *c);
  c->dirfd = -1;
  if (state_validate_id (id, err) < 0)
    return -1;
  if (mkdir_p (root, 0700, err) < 0)
    return -1;
  c->id = xstrdup (id);
  xasprintf (&c->dir, "%s/%s", root, id);
  if (mkdir (c->dir, 0711) < 0)
    {
      if (errno == EEXIST)
        return oci_error_set (err, EEXIST, "container with id exists: %s", id);
      return oci_error_errno (err, errno, "cannot create the state directory %s", c->dir);
    }
  c->dirfd = open (c->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (c->dirfd < 0)
    return oci_error_errno (err, errno, "cannot open %s", c->dir);
  return lock_dir (c, err);
}

int
state_open (const char *root, const char *id, struct hull_container *c, oci_error_t **err)
{
  cleanup_free char *path = NULL;
  struct hull_state *st = NULL;

  memset (c, 0, sizeof *c);
  c->dirfd = -1;
  if (state_validate_id (id, err) < 0)
    return -1;
  c->id = xstrdup (id);
  xasprintf (&c->dir, "%s/%s", root, id);
  c->dirfd = open (c->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (c->dirfd < 0)
    {
      if (errno == ENOENT || errno == ENOTDIR)
        return oci_error_set (err, ENOENT, "container does not exist: %s", id);
      return oci_error_errno (err, errno, "cannot open %s", c->dir);
    }
  if (lock_dir (c, err) < 0)
    return -1;
  /* A concurrent delete may have removed it while we waited, or a create
     was killed before it wrote state.json.  */
  xasprintf (&path, "%s/%s", c->dir, HULL_STATE_FILE);
  if (access (path, F_OK) < 0 && errno == ENOENT)
    {
      struct stat st_dir;
      c->abandoned = fstat (c->dirfd, &st_dir) == 0 && st_dir.st_nlink > 0;
      return oci_error_set (err, ENOENT, "container does not exist: %s", id);
    }
  if (oci_json_parse_file (&hull_state_type, path, (void **) &st, err) < 0)
    return -1;
  c->state = st;
  return 0;
}

int
state_save (struct hull_container *c, oci_error_t **err)
{
  cleanup_free char *json = NULL;
  size_t len;

  if (oci_json_emit (&hull_state_type, c->state, false, &json, &len, err) < 0)
    return -1;
  if (write_file_replace_at (c->dirfd, HULL_STATE_FILE, json, len, 0600, err) < 0)
    return oci_error_prefix (err, "%s", c->dir);
  return 0;
}

int
state_remove (struct hull_container *c, oci_error_t **err)
{
  if (c->dir == NULL)
    return 0;
  return remove_recursive (c->dir, err);
}

void
state_container_clear (struct hull_container *c)
{
  if (c->dirfd >= 0)
    close (c->dirfd);
  c->dirfd = -1;
  free (c->id);
  free (c->dir);
  oci_json_free (&hull_state_type, c->state);
  memset (c, 0, sizeof *c);
  c->dirfd = -1;
}

int
state_proc_start_time (pid_t pid, uint64_t *start_time)
{
  char path[64];
  cleanup_free char *buf = NULL;
  cleanup_error oci_error_t *err = NULL;
  char *p, state;
  unsigned long long v;
  int i;

  snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
  if (read_file_max (path, 8192, &buf, NULL, &err) < 0)
    return -1;
  /* comm may hold spaces and parentheses: fields resume after the last ')'.  */
  p = strrchr (buf, ')');
  if (p == NULL || sscanf (p + 1, " %c", &state) != 1 || state == 'Z' || state == 'X')
    return -1;
  p += 2; /* field 3, the state */
  for (i = 3; i < 22 && p; i++)
    {
      p = strchr (p, ' ');
      if (p)
        p++;
    }
  if (p == NULL || sscanf (p, "%llu", &v) != 1)
    return -1;
  *start_time = v;
  return 0;
}

bool
state_init_alive (const struct hull_container *c)
{
  uint64_t start;

  if (c->state == NULL || !c->state->init_pid_present || c->state->init_pid <= 0)
    return false;
  if (state_proc_start_time (c->state->init_pid, &start) < 0)
    return false;
  return start == c->state->init_start_time;
}

enum hull_status
state_status (const struct hull_container *c)
{
  struct stat st;

  bool frozen = false;
  cleanup_error oci_error_t *err = NULL;

  if (!state_init_alive (c))
    return HULL_STATUS_STOPPED;
  if (c->state->cgroup_path && cgroup_is_frozen (c->state->cgroup_path, &frozen, &err) == 0 && frozen)
    return HULL_STATUS_PAUSED;
  if (fstatat (c->dirfd, HULL_EXEC_FIFO, &st, AT_SYMLINK_NOFOLLOW) == 0)
    return HULL_STATUS_CREATED;
  return HULL_STATUS_RUNNING;
}

const char *
state_status_name (enum hull_status s)
{
  switch (s)
    {
    case HULL_STATUS_CREATING:
      return "creating";
    case HULL_STATUS_CREATED:
      return "created";
    case HULL_STATUS_RUNNING:
      return "running";
    case HULL_STATUS_PAUSED:
      return "paused";
    default:
      return "stopped";
    }
}

char *
state_hook_json (const char *id, const char *status, pid_t pid, const char *bundle,
                 const struct oci_map *annotations)
{
  struct oci_state st = { 0 };
  cleanup_error oci_error_t *err = NULL;
  char *out = NULL;

  st.oci_version = (char *) OCI_SPEC_VERSION;
  st.id = (char *) id;
  st.status = (char *) status;
  st.pid = pid;
  st.pid_present = pid > 0;
  st.bundle = (char *) bundle;
  if (annotations)
    st.annotations = *annotations;
  if (oci_json_emit (&oci_state_type, &st, false, &out, NULL, &err) < 0)
    out = xstrdup ("{}");
  return out;
}

/* yajl indents with tabs; runc with two spaces.  Tabs inside strings are
   escaped by the generator, so every raw tab is indentation.  */
static char *
tabs_to_spaces (const char *s)
{
  struct strbuf sb = STRBUF_INIT;

  for (; *s; s++)
    if (*s == '\t')
      strbuf_addstr (&sb, "  ");
    else
      strbuf_addch (&sb, *s);
  return strbuf_detach (&sb, NULL);
}

char *
state_runc_json (const struct hull_container *c, bool pretty)
{
  struct runc_state rs = { 0 };
  enum hull_status s = state_status (c);
  cleanup_error oci_error_t *err = NULL;
  cleanup_free char *out = NULL;

  rs.oci_version = (char *) OCI_SPEC_VERSION;
  rs.id = c->id;
  rs.pid = s == HULL_STATUS_STOPPED ? 0 : c->state->init_pid;
  rs.pid_present = true;
  rs.status = (char *) state_status_name (s);
  rs.bundle = c->state->bundle ? c->state->bundle : (char *) "";
  rs.rootfs = c->state->rootfs ? c->state->rootfs : (char *) "";
  rs.created = c->state->created ? c->state->created : (char *) "";
  rs.owner = c->state->owner && !pretty ? c->state->owner : (char *) "";
  if (c->state->annotations.len > 0)
    rs.annotations = c->state->annotations;
  if (oci_json_emit (&runc_state_type, &rs, pretty, &out, NULL, &err) < 0)
    return xstrdup ("{}");
  return pretty ? tabs_to_spaces (out) : steal_pointer (&out);
}

int
state_write_pid_file (const char *path, pid_t pid, oci_error_t **err)
{
  char buf[32];
  int n = snprintf (buf, sizeof buf, "%d", (int) pid);

  if (path == NULL)
    return 0;
  return write_file_replace_at (AT_FDCWD, path, buf, (size_t) n, 0644, err);
}

char *
state_owner_name (void)
{
  cleanup_file FILE *f = fopen ("/etc/passwd", "re");
  cleanup_free char *line = NULL;
  size_t cap = 0;
  uid_t uid = geteuid ();
  char *s;

  while (f && getline (&line, &cap, f) > 0)
    {
      /* name:password:uid:... */
      char *name_end = strchr (line, ':');
      char *uid_field = name_end ? strchr (name_end + 1, ':') : NULL;
      char *end = NULL;
      unsigned long v;

      if (uid_field == NULL)
        continue;
      errno = 0;
      v = strtoul (uid_field + 1, &end, 10);
      if (errno == 0 && end != uid_field + 1 && *end == ':' && v == (unsigned long) uid)
        return xstrndup (line, (size_t) (name_end - line));
    }
  xasprintf (&s, "#%u", (unsigned) uid);
  return s;
}
