/* Users, groups and executables of a container, looked up inside its
   rootfs the way runc and docker do (libcontainer/user semantics and Go's
   exec.LookPath), through inroot.h so that a symlinked /etc/passwd can
   never make us read a host file.  */
#include "config.h"
#include "user.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>

#include "inroot.h"
#include "strbuf.h"
#include "util.h"

#define ETC_FILE_MAX (16u * 1024 * 1024)
#define ID_MAX       2147483647L

/* Read a file of the rootfs; a missing one (or a missing directory on
   the way) gives *text NULL and success, like runc's empty passwd.  */
static int
read_in_root (int rootfd, const char *path, char **text, oci_error_t **err)
{
  cleanup_close int fd = -1;
  cleanup_strbuf struct strbuf sb = STRBUF_INIT;
  char buf[8192];
  ssize_t n;

  *text = NULL;
  fd = inroot_open (rootfd, path, O_RDONLY, 0, err);
  if (fd < 0)
    {
      if ((*err)->status == ENOENT || (*err)->status == ENOTDIR)
        {
          oci_error_free (err);
          return 0;
        }
      return -1;
    }
  while ((n = read (fd, buf, sizeof buf)) != 0)
    {
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return oci_error_errno (err, errno, "read %s of the container", path);
      if (sb.len + (size_t) n > ETC_FILE_MAX)
        return oci_error_set (err, EFBIG, "%s of the container is too large", path);
      strbuf_add (&sb, buf, (size_t) n);
    }
  *text = strbuf_detach (&sb, NULL);
  return 0;
}

/* A decimal id: 1 and *id when s is all digits, 0 when s is not a
   number, -1 (with err) when it is out of range.  */
static int
parse_id (const char *s, long *id, oci_error_t **err)
{
  char *end;
  long v;

  if (*s == '\0' || s[strspn (s, "0123456789")] != '\0')
    return 0;
  errno = 0;
  v = strtol (s, &end, 10);
  if (errno != 0 || v > ID_MAX)
    return oci_error_set (err, EINVAL, "uids and gids must be in range 0-%ld", ID_MAX);
  *id = v;
  return 1;
}

/* Split one line of an /etc file on ':' into at most max fields (the
   line is modified).  Returns the number of fields; comments and blank
   lines have none.  */
static size_t
split_fields (char *line, char **fields, size_t max)
{
  size_t n = 0;

  while (*line == ' ' || *line == '\t')
    line++;
  if (*line == '\0' || *line == '#')
    return 0;
  while (n < max)
    {
      fields[n++] = line;
      line = strchr (line, ':');
      if (line == NULL)
        break;
      *line++ = '\0';
    }
  return n;
}

/* The next line of text (modified in place), or NULL at the end.  */
static char *
next_line (char **cursor)
{
  char *line = *cursor, *nl;

  if (line == NULL || *line == '\0')
    return NULL;
  nl = strchr (line, '\n');
  if (nl)
    {
      *nl = '\0';
      *cursor = nl + 1;
    }
  else
    *cursor = line + strlen (line);
  return line;
}

static long
field_id (const char *s)
{
  char *end;
  long v;

  errno = 0;
  v = strtol (s, &end, 10);
  if (errno != 0 || end == s || v < 0 || v > ID_MAX)
    return -1;
  return v;
}

struct passwd_match
{
  char *name;
  long uid, gid;
  char *home;
};

/* The first passwd entry whose name is spec, or whose uid is id (when
   id >= 0).  */
static bool
passwd_find (const char *passwd, const char *spec, long id, struct passwd_match *m)
{
  cleanup_free char *copy = passwd ? xstrdup (passwd) : NULL;
  char *cursor = copy, *line;

  while ((line = next_line (&cursor)))
    {
      char *f[7] = { NULL };
      size_t n = split_fields (line, f, 7);
      long uid, gid;

      if (n < 4)
        continue;
      uid = field_id (f[2]);
      gid = field_id (f[3]);
      if (uid < 0 || gid < 0 || !(streq (f[0], spec) || (id >= 0 && uid == id)))
        continue;
      m->name = xstrdup (f[0]);
      m->uid = uid;
      m->gid = gid;
      m->home = xstrdup (n > 5 && *f[5] ? f[5] : "/");
      return true;
    }
  return false;
}

/* The gid of the first group named spec (or with gid id when id >= 0),
   or -1.  */
static long
group_find (const char *group, const char *spec, long id)
{
  cleanup_free char *copy = group ? xstrdup (group) : NULL;
  char *cursor = copy, *line;

  while ((line = next_line (&cursor)))
    {
      char *f[4] = { NULL };
      long gid;

      if (split_fields (line, f, 4) < 3 || (gid = field_id (f[2])) < 0)
        continue;
      if (streq (f[0], spec) || (id >= 0 && gid == id))
        return gid;
    }
  return -1;
}

static bool
member_of (char *members, const char *name)
{
  char *save = NULL;

  for (char *m = strtok_r (members, ",", &save); m; m = strtok_r (NULL, ",", &save))
    {
      m += strspn (m, " \t");
      m[strcspn (m, " \t\r")] = '\0';
      if (streq (m, name))
        return true;
    }
  return false;
}

static void
gid_append (gid_t **groups, size_t *n, gid_t gid)
{
  for (size_t i = 0; i < *n; i++)
    if ((*groups)[i] == gid)
      return;
  *groups = xreallocarray (*groups, *n + 1, sizeof (gid_t));
  (*groups)[(*n)++] = gid;
}

/* The groups listing name as a member (runc's supplementary groups).  */
static void
groups_of_member (const char *group, const char *name, gid_t **groups, size_t *n)
{
  cleanup_free char *copy = group ? xstrdup (group) : NULL;
  char *cursor = copy, *line;

  while ((line = next_line (&cursor)))
    {
      char *f[4] = { NULL };
      long gid;

      if (split_fields (line, f, 4) < 4 || (gid = field_id (f[2])) < 0)
        continue;
      if (member_of (f[3], name))
        gid_append (groups, n, (gid_t) gid);
    }
}

/* A group given by name or number: the matching entry, else the number
   itself.  what: "unable" or "Unable" (runc words the two cases so).  */
static int
group_resolve (const char *group, const char *spec, const char *what, gid_t *gid, oci_error_t **err)
{
  long id = -1, found;
  int r = parse_id (spec, &id, err);

  if (r < 0)
    return -1;
  found = group_find (group, spec, id);
  if (found < 0 && r == 0)
    return oci_error_set (err, ENOENT, "%s to find group %s: no matching entries in group file", what, spec);
  *gid = (gid_t) (found >= 0 ? found : id);
  return 0;
}

int
container_user_resolve (int rootfd, const char *user, char *const *group_add, uid_t *uid, gid_t *gid,
                        gid_t **groups, size_t *ngroups, char **home, oci_error_t **err)
{
  const char *colon = user ? strchr (user, ':') : NULL;
  /* ":GROUP" and "" are root's user part */
  cleanup_free char *spec = user && *user != '\0' && *user != ':'
                                ? xstrndup (user, colon ? (size_t) (colon - user) : strlen (user))
                                : xstrdup ("0");
  const char *gspec = colon ? colon + 1 : NULL;
  cleanup_free char *passwd = NULL, *group = NULL;
  cleanup_free gid_t *gids = NULL;
  struct passwd_match m = { NULL, 0, 0, NULL };
  size_t n = 0;
  long id = -1;
  int r;

  if (read_in_root (rootfd, "/etc/passwd", &passwd, err) < 0
      || read_in_root (rootfd, "/etc/group", &group, err) < 0)
    return -1;
  if ((r = parse_id (spec, &id, err)) < 0)
    return -1;
  if (!passwd_find (passwd, spec, id, &m))
    {
      if (r == 0)
        return oci_error_set (err, ENOENT, "unable to find user %s: no matching entries in passwd file",
                              spec);
      m.uid = id;
      m.gid = 0;
    }
  *uid = (uid_t) m.uid;
  *gid = (gid_t) m.gid;
  if (gspec && *gspec)
    {
      if (group_resolve (group, gspec, "unable", gid, err) < 0)
        goto fail;
    }
  else if (m.name)
    groups_of_member (group, m.name, &gids, &n);
  for (size_t i = 0; group_add && group_add[i]; i++)
    {
      gid_t g;
      if (group_resolve (group, group_add[i], "Unable", &g, err) < 0)
        goto fail;
      gid_append (&gids, &n, g);
    }
  *groups = steal_pointer (&gids);
  *ngroups = n;
  *home = m.home ? m.home : xstrdup ("/");
  free (m.name);
  return 0;
fail:
  free (m.name);
  free (m.home);
  return -1;
}

/* ------------------------------------------------------------ executables */

/* Go's findExecutable inside the root: 0 when path names a regular file
   with an execute bit; else -1 with errno (EACCES for a directory or a
   file without x bits).  */
static int
find_executable (int rootfd, const char *path)
{
  cleanup_error oci_error_t *err = NULL;
  cleanup_close int fd = inroot_open (rootfd, path, O_PATH, 0, &err);
  struct stat st;

  if (fd < 0)
    {
      errno = err->status;
      return -1;
    }
  if (fstat (fd, &st) < 0)
    return -1;
  if (!S_ISDIR (st.st_mode) && (st.st_mode & 0111) != 0)
    return 0;
  errno = EACCES;
  return -1;
}

static const char *
env_get (char *const *env, const char *key)
{
  size_t len = strlen (key);

  for (size_t i = 0; env && env[i]; i++)
    if (strncmp (env[i], key, len) == 0 && env[i][len] == '=')
      return env[i] + len + 1;
  return NULL;
}

/* dir/name made absolute against cwd.  */
static char *
join_path (const char *cwd, const char *dir, const char *name)
{
  struct strbuf sb = STRBUF_INIT;

  if (*dir != '/')
    {
      strbuf_addstr (&sb, cwd && *cwd ? cwd : "/");
      strbuf_addch (&sb, '/');
    }
  strbuf_addstr (&sb, *dir ? dir : ".");
  if (name)
    {
      strbuf_addch (&sb, '/');
      strbuf_addstr (&sb, name);
    }
  return strbuf_detach (&sb, NULL);
}

/* Go's wording of a failed stat: "stat X: no such file or directory".  */
static int
go_stat_error (const char *argv0, int errnum, oci_error_t **err)
{
  cleanup_free char *msg = xstrdup (strerror (errnum));

  if (msg[0] >= 'A' && msg[0] <= 'Z' && msg[1] >= 'a' && msg[1] <= 'z')
    msg[0] = (char) (msg[0] - 'A' + 'a');
  return oci_error_set (err, errnum, "exec: \"%s\": stat %s: %s", argv0, argv0, msg);
}

int
container_check_executable (int rootfd, const char *argv0, char *const *env, const char *cwd,
                            oci_error_t **err)
{
  const char *path;
  cleanup_free char *copy = NULL;
  char *save = NULL;

  if (argv0 == NULL || *argv0 == '\0')
    return oci_error_set (err, ENOENT, "exec: \"%s\": executable file not found in $PATH",
                          argv0 ? argv0 : "");
  if (strchr (argv0, '/'))
    {
      cleanup_free char *full = join_path (cwd, argv0, NULL);
      if (find_executable (rootfd, full) == 0)
        return 0;
      if (errno == EACCES)
        return oci_error_set (err, EACCES, "exec: \"%s\": permission denied", argv0);
      return go_stat_error (argv0, errno, err);
    }
  path = env_get (env, "PATH");
  copy = path && *path ? xstrdup (path) : NULL;
  /* strtok would skip empty elements, which mean "." for LookPath.  */
  for (char *dir = copy; dir; dir = save)
    {
      cleanup_free char *full = NULL;
      save = strchr (dir, ':');
      if (save)
        *save++ = '\0';
      full = join_path (cwd, dir, argv0);
      if (find_executable (rootfd, full) == 0)
        return 0;
    }
  return oci_error_set (err, ENOENT, "exec: \"%s\": executable file not found in $PATH", argv0);
}
