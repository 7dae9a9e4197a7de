/* The host's cgroup mounts (layout, v1 hierarchies from mountinfo) and
   small read/write helpers for cgroup files.  */
#include "config.h"
#include "cgroup_internal.h"
#include "cgroup_convert.h"
#include "fileutil.h"
#include "strbuf.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/magic.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/vfs.h>

static char *cgroup_mountpoint = NULL;

void
cgroup_set_mountpoint (const char *mountpoint)
{
  free (cgroup_mountpoint);
  cgroup_mountpoint = mountpoint ? xstrdup (mountpoint) : NULL;
}

const char *
cgroup_get_mountpoint (void)
{
  return cgroup_mountpoint ? cgroup_mountpoint : "/sys/fs/cgroup";
}

int
cgroup_detect_layout (const char *mountpoint, enum cgroup_layout *out, oci_error_t **err)
{
  cleanup_free char *unified = NULL;
  struct statfs st;

  if (statfs (mountpoint, &st) < 0)
    return oci_error_errno (err, errno, "statfs `%s`", mountpoint);
  if (st.f_type == CGROUP2_SUPER_MAGIC)
    {
      *out = CGROUP_LAYOUT_V2;
      return 0;
    }
  if (st.f_type != TMPFS_MAGIC)
    return oci_error_set (err, EINVAL, "`%s` is neither a cgroup2 mount nor a tmpfs of cgroup v1 mounts",
                          mountpoint);
  xasprintf (&unified, "%s/unified", mountpoint);
  if (statfs (unified, &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC)
    *out = CGROUP_LAYOUT_HYBRID;
  else
    *out = CGROUP_LAYOUT_V1;
  return 0;
}

/* Undo the octal escapes (\040) of /proc/self/mountinfo in place.  */
static void
unescape_mountinfo (char *s)
{
  char *w = s;

  for (char *r = s; *r; r++)
    {
      if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' && r[3] >= '0'
          && r[3] <= '7')
        {
          *w++ = (char) (((r[1] - '0') << 6) | ((r[2] - '0') << 3) | (r[3] - '0'));
          r += 3;
        }
      else
        *w++ = *r;
    }
  *w = '\0';
}

static bool
is_controller_option (const char *opt)
{
  static const char *const not_controllers[]
      = { "rw", "ro", "noprefix", "clone_children", "xattr", "cpuset_v2_mode", "favordynmods", NULL };

  if (has_prefix (opt, "release_agent="))
    return false;
  for (size_t i = 0; not_controllers[i]; i++)
    if (streq (opt, not_controllers[i]))
      return false;
  return true;
}

static char **
split_controllers (char *opts)
{
  char **v = xzalloc (sizeof (char *));
  size_t n = 0;
  char *save = NULL;

  for (char *o = strtok_r (opts, ",", &save); o; o = strtok_r (NULL, ",", &save))
    if (is_controller_option (o))
      {
        v = xreallocarray (v, n + 2, sizeof (char *));
        v[n++] = xstrdup (o);
        v[n] = NULL;
      }
  return v;
}

static bool
hierarchy_known (const struct cgroup_host *h, char **controllers)
{
  for (size_t i = 0; i < h->v1_len; i++)
    if (controllers[0] && streq (h->v1[i].controllers[0], controllers[0]))
      return true;
  return false;
}

/* One mountinfo line: "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS ... - FSTYPE SOURCE SUPEROPTS".  */
static void
parse_mountinfo_line (struct cgroup_host *h, char *line, const char *below)
{
  char *fields[5], *save = NULL, *sep, *fstype, *super;
  size_t i;

  sep = strstr (line, " - ");
  if (sep == NULL)
    return;
  *sep = '\0';
  fstype = strtok_r (sep + 3, " ", &save);
  strtok_r (NULL, " ", &save);
  super = strtok_r (NULL, " \n", &save);
  if (fstype == NULL || super == NULL || !streq (fstype, "cgroup"))
    return;
  save = NULL;
  for (i = 0; i < 5; i++)
    if ((fields[i] = strtok_r (i ? NULL : line, " ", &save)) == NULL)
      return;
  unescape_mountinfo (fields[3]);
  unescape_mountinfo (fields[4]);
  if (!has_prefix (fields[4], below) || fields[4][strlen (below)] != '/')
    return;
  cleanup_strv char **controllers = split_controllers (super);
  if (controllers[0] == NULL || hierarchy_known (h, controllers))
    return;
  h->v1 = xreallocarray (h->v1, h->v1_len + 1, sizeof *h->v1);
  h->v1[h->v1_len].controllers = steal_pointer (&controllers);
  h->v1[h->v1_len].mountpoint = xstrdup (fields[4]);
  h->v1[h->v1_len].root = xstrdup (fields[3]);
  h->v1_len++;
}

static int
load_v1_hierarchies (struct cgroup_host *h, const char *below, oci_error_t **err)
{
  cleanup_file FILE *f = fopen ("/proc/self/mountinfo", "re");
  cleanup_free char *line = NULL;
  size_t cap = 0;

  if (f == NULL)
    return oci_error_errno (err, errno, "open `/proc/self/mountinfo`");
  while (getline (&line, &cap, f) > 0)
    parse_mountinfo_line (h, line, below);
  return 0;
}

int
cgroup_host_load (struct cgroup_host *h, oci_error_t **err)
{
  const char *mnt = cgroup_get_mountpoint ();

  memset (h, 0, sizeof *h);
  if (cgroup_detect_layout (mnt, &h->layout, err) < 0)
    return -1;
  if (h->layout == CGROUP_LAYOUT_V2)
    h->unified = xstrdup (mnt);
  else if (h->layout == CGROUP_LAYOUT_HYBRID)
    xasprintf (&h->unified, "%s/unified", mnt);
  if (h->layout != CGROUP_LAYOUT_V2 && load_v1_hierarchies (h, mnt, err) < 0)
    {
      cgroup_host_free (h);
      return -1;
    }
  return 0;
}

void
cgroup_host_free (struct cgroup_host *h)
{
  for (size_t i = 0; i < h->v1_len; i++)
    {
      strv_free (h->v1[i].controllers);
      free (h->v1[i].mountpoint);
      free (h->v1[i].root);
    }
  free (h->v1);
  free (h->unified);
  memset (h, 0, sizeof *h);
}

char *
cgroup_v1_dir_at (const struct cgroup_host *h, size_t i, const char *path)
{
  const struct cgroup_v1_hierarchy *hy = &h->v1[i];
  size_t rootlen = strlen (hy->root);
  char *dir = NULL;

  /* A mount of a sub-tree (inside a container): paths are below its root. */
  if (!streq (hy->root, "/") && has_prefix (path, hy->root)
      && (path[rootlen] == '/' || path[rootlen] == '\0'))
    path += rootlen;
  xasprintf (&dir, "%s%s%s", hy->mountpoint, path[0] == '/' ? "" : "/", path);
  return dir;
}

char *
cgroup_v1_dir (const struct cgroup_host *h, const char *controller, const char *path)
{
  for (size_t i = 0; i < h->v1_len; i++)
    for (char **c = h->v1[i].controllers; *c; c++)
      if (streq (*c, controller))
        return cgroup_v1_dir_at (h, i, path);
  return NULL;
}

char *
cgroup_v2_dir (const struct cgroup_host *h, const char *path)
{
  char *dir = NULL;

  if (h->unified == NULL)
    return NULL;
  xasprintf (&dir, "%s%s%s", h->unified, path[0] == '/' ? "" : "/", path);
  return dir;
}

int
cgroup_write (const char *dir, const char *file, const char *value, oci_error_t **err)
{
  cleanup_close int fd = -1;
  cleanup_free char *path = NULL;
  size_t len = strlen (value);
  ssize_t n;

  xasprintf (&path, "%s/%s", dir, file);
  fd = open (path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return oci_error_errno (err, errno, "write %s = %s", path, value);
  /* One write(2): the kernel parses each write as a whole value.  */
  do
    n = write (fd, value, len);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return oci_error_errno (err, errno, "write %s = %s", path, value);
  if ((size_t) n != len)
    return oci_error_set (err, EIO, "write %s = %s: short write", path, value);
  return 0;
}

int
cgroup_writef (const char *dir, const char *file, oci_error_t **err, const char *fmt, ...)
{
  cleanup_free char *value = NULL;
  struct strbuf sb = STRBUF_INIT;
  va_list ap;

  va_start (ap, fmt);
  strbuf_vaddf (&sb, fmt, ap);
  va_end (ap);
  value = strbuf_detach (&sb, NULL);
  return cgroup_write (dir, file, value, err);
}

int
cgroup_read (const char *dir, const char *file, char **out, oci_error_t **err)
{
  cleanup_free char *path = NULL;
  size_t len = 0;

  xasprintf (&path, "%s/%s", dir, file);
  if (read_file_max (path, 4 * 1024 * 1024, out, &len, err) < 0)
    return -1;
  /* read_file_max leaves an empty file's buffer unterminated.  */
  (*out)[len] = '\0';
  while (len > 0 && ((*out)[len - 1] == '\n' || (*out)[len - 1] == ' '))
    (*out)[--len] = '\0';
  return 0;
}

static int
parse_u64 (const char *s, uint64_t *out)
{
  char *end = NULL;

  if (streq (s, "max"))
    {
      *out = UINT64_MAX;
      return 0;
    }
  errno = 0;
  *out = strtoull (s, &end, 10);
  if (errno != 0 || end == s || (*end != '\0' && *end != '\n' && *end != ' '))
    return -1;
  return 0;
}

int
cgroup_read_u64 (const char *dir, const char *file, uint64_t *out, oci_error_t **err)
{
  cleanup_free char *s = NULL;

  if (cgroup_read (dir, file, &s, err) < 0)
    return -1;
  if (parse_u64 (s, out) < 0)
    return oci_error_set (err, EINVAL, "read %s/%s: not a number: `%s`", dir, file, s);
  return 0;
}

int
cgroup_read_keyed (const char *dir, const char *file, const char *key, uint64_t *out, oci_error_t **err)
{
  cleanup_free char *s = NULL;
  size_t klen = strlen (key);

  if (cgroup_read (dir, file, &s, err) < 0)
    return -1;
  for (char *line = s; line && *line; line = strchr (line, '\n') ? strchr (line, '\n') + 1 : NULL)
    if (strncmp (line, key, klen) == 0 && line[klen] == ' ')
      {
        if (parse_u64 (line + klen + 1, out) < 0)
          break;
        return 0;
      }
  return oci_error_set (err, ENOENT, "read %s/%s: no key `%s`", dir, file, key);
}

bool
cgroup_file_exists (const char *dir, const char *file)
{
  cleanup_free char *path = NULL;

  xasprintf (&path, "%s/%s", dir, file);
  return access (path, F_OK) == 0;
}

int
cgroup_check_limit_not_below_usage (const char *dir, const char *usage_file, int64_t limit, oci_error_t **err)
{
  uint64_t usage;

  if (limit < 0)
    return 0;
  if (cgroup_read_u64 (dir, usage_file, &usage, err) < 0)
    return -1;
  if ((uint64_t) limit < usage)
    return oci_error_set (err, EBUSY,
                          "linux.resources.memory.limit: %" PRId64 " is below the current usage %" PRIu64
                          " (checkBeforeUpdate)",
                          limit, usage);
  return 0;
}

int
cgroup_write_hugepage_limits (const char *dir, const struct oci_resources *res, const char *suffix,
                              oci_error_t **err)
{
  for (size_t i = 0; i < res->hugepage_limits_len; i++)
    {
      const struct oci_hugepage_limit *l = &res->hugepage_limits[i];
      cleanup_free char *file = NULL;
      if (l->page_size == NULL || !cgroup_hugepage_size_valid (l->page_size))
        return oci_error_set (err, EINVAL, "linux.resources.hugepageLimits[%zu].pageSize: invalid `%s`", i,
                              l->page_size ? l->page_size : "");
      xasprintf (&file, "hugetlb.%s.%s", l->page_size, suffix);
      if (cgroup_writef (dir, file, err, "%" PRIu64, l->limit) < 0)
        return -1;
    }
  return 0;
}
