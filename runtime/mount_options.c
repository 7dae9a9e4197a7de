/* Mount options of config.json "mounts", with runc's vocabulary: MS_*
   flags, propagation, recursive attributes (mount_setattr), bind/rbind,
   tmpcopyup, idmap/ridmap; anything else is filesystem data.  */
#include "config.h"

#include <errno.h>
#include <sys/mount.h>

#include "mount_internal.h"
#include "strbuf.h"
#include "util.h"

struct flag_option
{
  const char *name;
  bool clear;         /* the option turns the flag off */
  unsigned long flag; /* MS_* */
};

static const struct flag_option flag_options[] = {
  { "ro", false, MS_RDONLY },
  { "rw", true, MS_RDONLY },
  { "nosuid", false, MS_NOSUID },
  { "suid", true, MS_NOSUID },
  { "nodev", false, MS_NODEV },
  { "dev", true, MS_NODEV },
  { "noexec", false, MS_NOEXEC },
  { "exec", true, MS_NOEXEC },
  { "sync", false, MS_SYNCHRONOUS },
  { "async", true, MS_SYNCHRONOUS },
  { "dirsync", false, MS_DIRSYNC },
  { "remount", false, MS_REMOUNT },
  { "mand", false, MS_MANDLOCK },
  { "nomand", true, MS_MANDLOCK },
  { "noatime", false, MS_NOATIME },
  { "atime", true, MS_NOATIME },
  { "nodiratime", false, MS_NODIRATIME },
  { "diratime", true, MS_NODIRATIME },
  { "relatime", false, MS_RELATIME },
  { "norelatime", true, MS_RELATIME },
  { "strictatime", false, MS_STRICTATIME },
  { "nostrictatime", true, MS_STRICTATIME },
  { "lazytime", false, MS_LAZYTIME },
  { "nolazytime", true, MS_LAZYTIME },
  { "nosymfollow", false, MS_NOSYMFOLLOW },
  { "symfollow", true, MS_NOSYMFOLLOW },
};

struct propagation_option
{
  const char *name;
  unsigned long flags;
};

static const struct propagation_option propagation_options[] = {
  { "private", MS_PRIVATE },       { "rprivate", MS_PRIVATE | MS_REC },
  { "shared", MS_SHARED },         { "rshared", MS_SHARED | MS_REC },
  { "slave", MS_SLAVE },           { "rslave", MS_SLAVE | MS_REC },
  { "unbindable", MS_UNBINDABLE }, { "runbindable", MS_UNBINDABLE | MS_REC },
};

/* Recursive attributes: set==true adds attr, else clears it.  For the
   atime modes, attr is the mode and the whole MOUNT_ATTR__ATIME field is
   cleared first.  */
struct rattr_option
{
  const char *name;
  bool clear;
  bool atime;
  uint64_t attr;
};

static const struct rattr_option rattr_options[] = {
  { "rro", false, false, MOUNT_ATTR_RDONLY },
  { "rrw", true, false, MOUNT_ATTR_RDONLY },
  { "rnosuid", false, false, MOUNT_ATTR_NOSUID },
  { "rsuid", true, false, MOUNT_ATTR_NOSUID },
  { "rnodev", false, false, MOUNT_ATTR_NODEV },
  { "rdev", true, false, MOUNT_ATTR_NODEV },
  { "rnoexec", false, false, MOUNT_ATTR_NOEXEC },
  { "rexec", true, false, MOUNT_ATTR_NOEXEC },
  { "rnodiratime", false, false, MOUNT_ATTR_NODIRATIME },
  { "rdiratime", true, false, MOUNT_ATTR_NODIRATIME },
  { "rnosymfollow", false, false, MOUNT_ATTR_NOSYMFOLLOW },
  { "rsymfollow", true, false, MOUNT_ATTR_NOSYMFOLLOW },
  { "rrelatime", false, true, MOUNT_ATTR_RELATIME },
  { "rnorelatime", false, true, MOUNT_ATTR_STRICTATIME },
  { "rnoatime", false, true, MOUNT_ATTR_NOATIME },
  { "ratime", false, true, MOUNT_ATTR_RELATIME },
  { "rstrictatime", false, true, MOUNT_ATTR_STRICTATIME },
  { "rnostrictatime", false, true, MOUNT_ATTR_RELATIME },
};

static bool
parse_flag_option (const char *o, struct mount_opts *opts)
{
  for (size_t i = 0; i < ARRAY_SIZE (flag_options); i++)
    if (streq (o, flag_options[i].name))
      {
        if (flag_options[i].clear)
          {
            opts->flags &= ~flag_options[i].flag;
            opts->clear |= flag_options[i].flag;
          }
        else
          {
            opts->flags |= flag_options[i].flag;
            opts->clear &= ~flag_options[i].flag;
          }
        return true;
      }
  return false;
}

static int
parse_propagation_option (const char *o, struct mount_opts *opts, bool *found, oci_error_t **err)
{
  *found = false;
  for (size_t i = 0; i < ARRAY_SIZE (propagation_options); i++)
    if (streq (o, propagation_options[i].name))
      {
        *found = true;
        if (opts->n_propagation == MOUNT_MAX_PROPAGATION)
          return oci_error_set (err, EINVAL, "too many propagation options (at most %d)",
                                MOUNT_MAX_PROPAGATION);
        opts->propagation[opts->n_propagation++] = propagation_options[i].flags;
        return 0;
      }
  return 0;
}

static bool
parse_rattr_option (const char *o, struct mount_opts *opts)
{
  for (size_t i = 0; i < ARRAY_SIZE (rattr_options); i++)
    {
      const struct rattr_option *r = &rattr_options[i];

      if (!streq (o, r->name))
        continue;
      if (r->atime)
        {
          opts->rattr_clr |= MOUNT_ATTR__ATIME;
          opts->rattr_set = (opts->rattr_set & ~MOUNT_ATTR__ATIME) | r->attr;
        }
      else if (r->clear)
        {
          opts->rattr_clr |= r->attr;
          opts->rattr_set &= ~r->attr;
        }
      else
        {
          opts->rattr_set |= r->attr;
          opts->rattr_clr &= ~r->attr;
        }
      return true;
    }
  return false;
}

static bool
parse_special_option (const char *o, struct mount_opts *opts)
{
  if (streq (o, "bind") || streq (o, "rbind"))
    {
      opts->bind = true;
      opts->recursive = opts->recursive || streq (o, "rbind");
    }
  else if (streq (o, "tmpcopyup"))
    opts->tmpcopyup = true;
  else if (streq (o, "idmap") || streq (o, "ridmap"))
    {
      opts->idmap = true;
      opts->ridmap = opts->ridmap || streq (o, "ridmap");
    }
  else if (streq (o, "defaults"))
    ;
  else
    return false;
  return true;
}

/* The MOUNT_ATTR_* equivalent of the MS_* flags, for bind mounts where the
   attributes of the new mount are set with mount_setattr.  */
static void
flags_to_attrs (struct mount_opts *opts)
{
  static const struct
  {
    unsigned long ms;
    uint64_t attr;
  } map[] = {
    { MS_RDONLY, MOUNT_ATTR_RDONLY },         { MS_NOSUID, MOUNT_ATTR_NOSUID },
    { MS_NODEV, MOUNT_ATTR_NODEV },           { MS_NOEXEC, MOUNT_ATTR_NOEXEC },
    { MS_NODIRATIME, MOUNT_ATTR_NODIRATIME }, { MS_NOSYMFOLLOW, MOUNT_ATTR_NOSYMFOLLOW },
  };

  for (size_t i = 0; i < ARRAY_SIZE (map); i++)
    {
      if (opts->flags & map[i].ms)
        opts->attr_set |= map[i].attr;
      else if (opts->clear & map[i].ms)
        opts->attr_clr |= map[i].attr;
    }
  if (opts->flags & (MS_NOATIME | MS_RELATIME | MS_STRICTATIME))
    {
      opts->attr_clr |= MOUNT_ATTR__ATIME;
      if (opts->flags & MS_NOATIME)
        opts->attr_set |= MOUNT_ATTR_NOATIME;
      else if (opts->flags & MS_STRICTATIME)
        opts->attr_set |= MOUNT_ATTR_STRICTATIME;
    }
}

int
mount_opts_parse (char *const *options, struct mount_opts *opts, oci_error_t **err)
{
  cleanup_strbuf struct strbuf data = STRBUF_INIT;

  memset (opts, 0, sizeof *opts);
  for (size_t i = 0; options && options[i]; i++)
    {
      const char *o = options[i];
      bool found;

      if (*o == '\0')
        continue;
      if (parse_flag_option (o, opts) || parse_rattr_option (o, opts) || parse_special_option (o, opts))
        continue;
      if (parse_propagation_option (o, opts, &found, err) < 0)
        return -1;
      if (found)
        continue;
      if (data.len)
        strbuf_addch (&data, ',');
      strbuf_addstr (&data, o);
    }
  flags_to_attrs (opts);
  if (data.len)
    opts->data = strbuf_detach (&data, NULL);
  return 0;
}

void
mount_opts_release (struct mount_opts *opts)
{
  free (opts->data);
  opts->data = NULL;
}

int
mount_propagation_from_name (const char *name, unsigned long *flags, oci_error_t **err)
{
  *flags = 0;
  if (name == NULL || *name == '\0')
    return 0;
  for (size_t i = 0; i < ARRAY_SIZE (propagation_options); i++)
    if (streq (name, propagation_options[i].name))
      {
        *flags = propagation_options[i].flags;
        return 0;
      }
  return oci_error_set (err, EINVAL, "linux.rootfsPropagation: unknown propagation \"%s\"", name);
}

char **
mount_options_known (void)
{
  static const char *const special[] = { "bind", "rbind", "tmpcopyup", "idmap", "ridmap", "defaults" };
  size_t n = 0, max = ARRAY_SIZE (flag_options) + ARRAY_SIZE (propagation_options) + ARRAY_SIZE (rattr_options)
                      + ARRAY_SIZE (special) + 1;
  char **v = xcalloc (max, sizeof (char *));

  for (size_t i = 0; i < ARRAY_SIZE (flag_options); i++)
    v[n++] = xstrdup (flag_options[i].name);
  for (size_t i = 0; i < ARRAY_SIZE (propagation_options); i++)
    v[n++] = xstrdup (propagation_options[i].name);
  for (size_t i = 0; i < ARRAY_SIZE (rattr_options); i++)
    v[n++] = xstrdup (rattr_options[i].name);
  for (size_t i = 0; i < ARRAY_SIZE (special); i++)
    v[n++] = xstrdup (special[i]);
  return v;
}
