/* The process of `hull exec`: from a --process file, or the container's
   own config.json process changed by the command-line flags, as runc
   does (env appended, --cap added to the bounding, effective and
   permitted sets, and to ambient when the config has inheritable ones).  */
#include "config.h"
#include "exec_internal.h"
#include "cgroup.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

static char **
strv_append (char **v, char *const *more)
{
  size_t n = strv_len (v), m = strv_len (more);

  v = xreallocarray (v, n + m + 1, sizeof (char *));
  for (size_t i = 0; i < m; i++)
    v[n + i] = xstrdup (more[i]);
  v[n + m] = NULL;
  return v;
}

/* "uid[:gid]", numbers only (runc's rule).  */
static int
parse_user (const char *s, struct oci_user *u, oci_error_t **err)
{
  char *end;
  unsigned long uid, gid;

  errno = 0;
  uid = strtoul (s, &end, 10);
  if (end == s || errno || uid > UINT32_MAX || (*end && *end != ':'))
    return oci_error_set (err, EINVAL, "invalid --user \"%s\": use uid[:gid]", s);
  u->uid = (uint32_t) uid;
  u->uid_present = true;
  if (*end == ':')
    {
      const char *g = end + 1;
      gid = strtoul (g, &end, 10);
      if (end == g || *end || errno || gid > UINT32_MAX)
        return oci_error_set (err, EINVAL, "invalid --user \"%s\": use uid[:gid]", s);
      u->gid = (uint32_t) gid;
      u->gid_present = true;
    }
  return 0;
}

static void
add_caps (struct oci_process *p, char *const *caps)
{
  struct oci_capabilities *c;

  if (caps == NULL || caps[0] == NULL)
    return;
  if (p->capabilities == NULL)
    p->capabilities = xzalloc (sizeof *p->capabilities);
  c = p->capabilities;
  c->bounding = strv_append (c->bounding, caps);
  c->effective = strv_append (c->effective, caps);
  c->permitted = strv_append (c->permitted, caps);
  /* Ambient capabilities need inheritable ones, which --cap does not set.  */
  if (c->inheritable)
    c->ambient = strv_append (c->ambient, caps);
}

static void
replace_string (char **field, const char *value)
{
  if (value == NULL)
    return;
  free (*field);
  *field = xstrdup (value);
}

static int
apply_flags (struct oci_process *p, const struct hull_exec_opts *o, oci_error_t **err)
{
  if (o->args && o->args[0])
    {
      strv_free (p->args);
      p->args = strv_dup (o->args);
    }
  if (p->args == NULL || p->args[0] == NULL)
    return oci_error_set (err, EINVAL,
                          "exec: no command given; usage: hull exec [options] ID COMMAND [ARGS]");
  p->env = strv_append (p->env, o->env);
  replace_string (&p->cwd, o->cwd);
  replace_string (&p->apparmor_profile, o->apparmor);
  replace_string (&p->selinux_label, o->process_label);
  if (p->user == NULL)
    p->user = xzalloc (sizeof *p->user);
  if (o->user && parse_user (o->user, p->user, err) < 0)
    return -1;
  if (o->gids_len)
    {
      free (p->user->additional_gids);
      p->user->additional_gids = xcalloc (o->gids_len, sizeof (uint32_t));
      memcpy (p->user->additional_gids, o->gids, o->gids_len * sizeof (uint32_t));
      p->user->additional_gids_len = o->gids_len;
    }
  add_caps (p, o->caps);
  if (o->no_new_privs)
    p->no_new_privileges = p->no_new_privileges_present = true;
  return 0;
}

int
exec_load_process (const struct hull_container *c, const struct hull_exec_opts *o, struct oci_spec **out,
                   oci_error_t **err)
{
  cleanup_free char *path = NULL;
  struct oci_spec *spec = NULL;
  struct oci_process *proc = NULL;

  *out = NULL;
  xasprintf (&path, "%s/%s", c->dir, HULL_CONFIG_FILE);
  if (oci_spec_parse_file (path, &spec, err) < 0)
    return -1;
  if (o->process_file)
    {
      if (oci_process_parse_file (o->process_file, &proc, err) < 0)
        goto fail;
      oci_process_free (spec->process);
      spec->process = proc;
      if (proc->args == NULL || proc->args[0] == NULL)
        {
          oci_error_set (err, EINVAL, "%s: args: must not be empty", o->process_file);
          goto fail;
        }
    }
  else if (spec->process == NULL)
    spec->process = xzalloc (sizeof *spec->process);
  if (!o->process_file && apply_flags (spec->process, o, err) < 0)
    goto fail;
  if (spec->process->cwd == NULL || spec->process->cwd[0] == '\0')
    replace_string (&spec->process->cwd, "/");
  if (o->tty)
    spec->process->terminal = spec->process->terminal_present = true;
  *out = spec;
  return 0;
fail:
  oci_spec_free (spec);
  return -1;
}

int
exec_enter_cgroup (const struct hull_container *c, const char *sub, pid_t pid, oci_error_t **err)
{
  const char *path = c->state->cgroup_path;
  const char *colon = sub ? strchr (sub, ':') : NULL;

  /* "ctrl[,ctrl]:sub": the sub-cgroup is made in every hierarchy.  */
  if (colon)
    sub = colon + 1;
  if (path == NULL)
    {
      if (sub)
        return oci_error_set (err, ENOENT, "--cgroup %s: container %s has no cgroup", sub, c->id);
      return 0;
    }
  if (cgroup_enter (path, sub, pid, err) < 0)
    return oci_error_prefix (err, "cannot join the cgroup of container %s", c->id);
  return 0;
}
