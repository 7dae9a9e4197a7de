/* Checkpoint and restore with the criu binary.  Dump: the init's process
   tree with its namespaces; bind mounts are external (criu cannot dump
   their sources) and are mapped back to their sources on restore.  Restore:
   the bundle's rootfs is bind-mounted under the state directory as criu's
   --root, criu restores the tree as hull's sibling-child (so a foreground
   restore can wait for it) and hull records the new init in its state.  */
#include "config.h"
#include "checkpoint.h"
#include "container.h"
#include "fileutil.h"
#include "log.h"
#include "state.h"
#include "strbuf.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CRIU_OUTPUT_MAX (1u << 20)

/* Run criu with argv (argv[0] "criu"); its stdout and stderr together in
 *out.  Returns its exit status, -1 with err when it cannot be run.  */
static int
criu_run (char **argv, char **out, oci_error_t **err)
{
  struct strbuf sb = STRBUF_INIT;
  int pfd[2], status;
  pid_t pid;
  char buf[4096];
  ssize_t n;

  if (pipe2 (pfd, O_CLOEXEC) < 0)
    return oci_error_errno (err, errno, "pipe");
  pid = fork ();
  if (pid < 0)
    return oci_error_errno (err, errno, "cannot fork criu");
  if (pid == 0)
    {
      dup2 (pfd[1], 1);
      dup2 (pfd[1], 2);
      execvp (argv[0], argv);
      fprintf (stderr, "cannot run criu: %s\n", strerror (errno));
      _exit (127);
    }
  close (pfd[1]);
  while ((n = read (pfd[0], buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
    if (n > 0 && sb.len < CRIU_OUTPUT_MAX)
      strbuf_add (&sb, buf, (size_t) n);
  close (pfd[0]);
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return oci_error_errno (err, errno, "waitpid criu");
  *out = strbuf_detach (&sb, NULL);
  if (WIFEXITED (status) && WEXITSTATUS (status) == 127 && strstr (*out, "cannot run criu"))
    return oci_error_set (err, ENOENT, "checkpoint/restore needs the criu binary (package criu): %s", *out);
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}

/* criu's first "Error" line (the cause; what follows are consequences),
   else its last non-empty line.  */
static char *
criu_reason (const char *text)
{
  const char *line = strstr (text, "Error");
  const char *end;

  if (line == NULL)
    {
      const char *p = text + strlen (text);
      while (p > text && (p[-1] == '\n' || p[-1] == ' '))
        p--;
      end = p;
      while (p > text && p[-1] != '\n')
        p--;
      line = p;
    }
  else
    {
      while (line > text && line[-1] != '\n')
        line--;
      end = strchrnul (line, '\n');
    }
  return xstrndup (line, (size_t) (end - line));
}

static int
criu_check (oci_error_t **err)
{
  char *argv[] = { (char *) "criu", (char *) "check", NULL };
  cleanup_free char *out = NULL, *why = NULL;
  int st = criu_run (argv, &out, err);

  if (st < 0)
    return -1;
  if (st == 0)
    return 0;
  why = criu_reason (out);
  return oci_error_set (err, ENOTSUP, "criu cannot checkpoint/restore on this host (`criu check` failed): %s",
                        *why ? why : "no reason given");
}

static void
push (char ***v, size_t *n, const char *s)
{
  *v = xreallocarray (*v, *n + 2, sizeof (char *));
  (*v)[(*n)++] = xstrdup (s);
  (*v)[*n] = NULL;
}

static void
push_pair (char ***v, size_t *n, const char *a, const char *b)
{
  cleanup_free char *s = NULL;

  xasprintf (&s, "%s:%s", a, b);
  push (v, n, s);
}

static void
push_common (char ***v, size_t *n, const struct hull_criu_opts *o, const char *image, const char *work)
{
  push (v, n, "--images-dir");
  push (v, n, image);
  push (v, n, "--work-dir");
  push (v, n, work);
  push (v, n, "--manage-cgroups");
  push (v, n, "-v4");
  if (o->tcp_established)
    push (v, n, "--tcp-established");
  if (o->ext_unix_sk)
    push (v, n, "--ext-unix-sk");
  if (o->shell_job)
    push (v, n, "--shell-job");
  if (o->file_locks)
    push (v, n, "--file-locks");
}

static bool
is_bind (const struct oci_mount *m)
{
  if (m->type && streq (m->type, "bind"))
    return true;
  for (size_t i = 0; m->options && m->options[i]; i++)
    if (streq (m->options[i], "bind") || streq (m->options[i], "rbind"))
      return true;
  return false;
}

/* Bind mounts are external: "DEST:DEST" on dump, "DEST:SOURCE" on restore.  */
static void
push_ext_mounts (char ***v, size_t *n, const struct oci_spec *spec, bool restore)
{
  for (size_t i = 0; i < spec->mounts_len; i++)
    {
      const struct oci_mount *m = &spec->mounts[i];
      if (!is_bind (m) || m->destination == NULL || m->source == NULL)
        continue;
      push (v, n, "--ext-mount-map");
      push_pair (v, n, m->destination, restore ? m->source : m->destination);
    }
}

static int
run_criu_step (const char *what, char **argv, const char *work, const char *log, oci_error_t **err)
{
  cleanup_free char *out = NULL, *logtext = NULL, *why = NULL, *logpath = NULL;
  cleanup_error oci_error_t *ignored = NULL;
  int st = criu_run (argv, &out, err);

  if (st < 0)
    return -1;
  if (st == 0)
    return 0;
  xasprintf (&logpath, "%s/%s", work, log);
  if (read_file_max (logpath, CRIU_OUTPUT_MAX, &logtext, NULL, &ignored) < 0)
    logtext = steal_pointer (&out);
  why = criu_reason (logtext ? logtext : "");
  return oci_error_set (err, EIO, "criu %s failed (see %s): %s", what, logpath, why);
}

static char *
absolute (const char *path)
{
  char cwd[PATH_MAX];
  char *s;

  if (path[0] == '/' || getcwd (cwd, sizeof cwd) == NULL)
    return xstrdup (path);
  xasprintf (&s, "%s/%s", cwd, path);
  return s;
}

static int
load_saved_spec (const struct hull_container *c, struct oci_spec **spec, oci_error_t **err)
{
  cleanup_free char *path = NULL;

  xasprintf (&path, "%s/%s", c->dir, HULL_CONFIG_FILE);
  return oci_spec_parse_file (path, spec, err);
}

static int
dump (const struct hull_container *c, const struct hull_criu_opts *o, const char *image, const char *work,
      oci_error_t **err)
{
  struct oci_spec *spec = NULL;
  cleanup_strv char **argv = NULL;
  size_t n = 0;
  char pid[16];
  int ret;

  if (load_saved_spec (c, &spec, err) < 0)
    return -1;
  snprintf (pid, sizeof pid, "%d", (int) c->state->init_pid);
  push (&argv, &n, "criu");
  push (&argv, &n, "dump");
  push (&argv, &n, "--tree");
  push (&argv, &n, pid);
  push (&argv, &n, "--root");
  push (&argv, &n, c->state->rootfs);
  push (&argv, &n, "--log-file");
  push (&argv, &n, "dump.log");
  push_common (&argv, &n, o, image, work);
  push_ext_mounts (&argv, &n, spec, false);
  if (o->leave_running)
    push (&argv, &n, "--leave-running");
  oci_spec_free (spec);
  ret = run_criu_step ("dump", argv, work, "dump.log", err);
  return ret;
}

int
container_checkpoint (struct hull_globals *g, const struct hull_criu_opts *o, oci_error_t **err)
{
  struct hull_container c;
  cleanup_free char *image = absolute (o->image_path ? o->image_path : "checkpoint");
  cleanup_free char *work
      = absolute (o->work_path ? o->work_path : (o->image_path ? o->image_path : "checkpoint"));
  int ret = -1;

  if (state_open (g->root, o->id, &c, err) < 0)
    goto out;
  if (state_status (&c) != HULL_STATUS_RUNNING)
    {
      oci_error_set (err, EINVAL, "container %s is not running: only running containers can be checkpointed",
                     o->id);
      goto out;
    }
  if (criu_check (err) < 0 || mkdir_p (image, 0700, err) < 0 || mkdir_p (work, 0700, err) < 0)
    goto out;
  ret = dump (&c, o, image, work, err);
  if (ret == 0)
    hull_log (HULL_LOG_DEBUG, "container %s checkpointed to %s", o->id, image);
out:
  state_container_clear (&c);
  return ret;
}

/* --- restore --- */

struct restore_run
{
  struct hull_container c;
  struct oci_spec *spec;
  char *bundle;
  char *rootfs;
  char *criu_root; /* the rootfs bind-mounted for criu's --root */
  bool mounted;
  bool dir_created;
  pid_t pid;
};

static int
restore_load (struct restore_run *r, const struct hull_criu_opts *o, oci_error_t **err)
{
  char buf[PATH_MAX];
  cleanup_free char *config = NULL, *joined = NULL;

  if (state_validate_id (o->id, err) < 0)
    return -1;
  if (realpath (o->bundle ? o->bundle : ".", buf) == NULL)
    return oci_error_errno (err, errno, "bundle %s", o->bundle ? o->bundle : ".");
  r->bundle = xstrdup (buf);
  xasprintf (&config, "%s/config.json", r->bundle);
  if (oci_spec_parse_file (config, &r->spec, err) < 0)
    return -1;
  if (r->spec->root == NULL || r->spec->root->path == NULL)
    return oci_error_set (err, EINVAL, "%s: root.path: missing", config);
  if (r->spec->root->path[0] == '/')
    joined = xstrdup (r->spec->root->path);
  else
    xasprintf (&joined, "%s/%s", r->bundle, r->spec->root->path);
  if (realpath (joined, buf) == NULL)
    return oci_error_errno (err, errno, "rootfs %s", joined);
  r->rootfs = xstrdup (buf);
  return 0;
}

static int
restore_prepare_dir (struct restore_run *r, struct hull_globals *g, const char *id, oci_error_t **err)
{
  cleanup_free char *src = NULL, *data = NULL;
  size_t len;

  if (state_create_dir (g->root, id, &r->c, err) < 0)
    return -1;
  r->dir_created = true;
  xasprintf (&src, "%s/config.json", r->bundle);
  if (read_file_max (src, OCI_JSON_MAX_SIZE, &data, &len, err) < 0
      || write_file_atomic_at (r->c.dirfd, HULL_CONFIG_FILE, data, len, 0600, err) < 0)
    return -1;
  xasprintf (&r->criu_root, "%s/criu-root", r->c.dir);
  if (mkdir (r->criu_root, 0755) < 0)
    return oci_error_errno (err, errno, "mkdir %s", r->criu_root);
  if (mount (r->rootfs, r->criu_root, NULL, MS_BIND | MS_REC, NULL) < 0)
    return oci_error_errno (err, errno, "cannot bind-mount the rootfs %s for criu", r->rootfs);
  r->mounted = true;
  return 0;
}

static int
restore_criu (struct restore_run *r, const struct hull_criu_opts *o, const char *image, const char *work,
              oci_error_t **err)
{
  cleanup_strv char **argv = NULL;
  cleanup_free char *pidfile = NULL, *pidtext = NULL;
  size_t n = 0;

  xasprintf (&pidfile, "%s/criu.pid", r->c.dir);
  push (&argv, &n, "criu");
  push (&argv, &n, "restore");
  push (&argv, &n, "--root");
  push (&argv, &n, r->criu_root);
  push (&argv, &n, "--restore-detached");
  push (&argv, &n, "--restore-sibling");
  push (&argv, &n, "--pidfile");
  push (&argv, &n, pidfile);
  push (&argv, &n, "--log-file");
  push (&argv, &n, "restore.log");
  push_common (&argv, &n, o, image, work);
  push_ext_mounts (&argv, &n, r->spec, true);
  if (run_criu_step ("restore", argv, work, "restore.log", err) < 0)
    return -1;
  if (read_file_max (pidfile, 64, &pidtext, NULL, err) < 0)
    return -1;
  r->pid = (pid_t) atoi (pidtext);
  if (r->pid <= 0)
    return oci_error_set (err, EIO, "criu restore wrote no pid to %s", pidfile);
  return 0;
}

static int
restore_record (struct restore_run *r, const struct hull_criu_opts *o, oci_error_t **err)
{
  struct hull_state *st = xzalloc (sizeof *st);
  struct timespec now;

  r->c.state = st;
  st->id = xstrdup (o->id);
  st->init_pid = r->pid;
  st->init_pid_present = true;
  if (state_proc_start_time (r->pid, &st->init_start_time) < 0)
    return oci_error_set (err, ESRCH, "the restored init (pid %d) exited", (int) r->pid);
  st->init_start_time_present = true;
  st->bundle = xstrdup (r->bundle);
  st->rootfs = xstrdup (r->rootfs);
  clock_gettime (CLOCK_REALTIME, &now);
  st->created = hull_time_rfc3339 (&now, true);
  st->owner = state_owner_name ();
  st->own_pid_ns = oci_spec_find_namespace (r->spec, "pid") != NULL;
  st->own_pid_ns_present = true;
  for (size_t i = 0; i < r->spec->annotations.len; i++)
    oci_map_set (&st->annotations, r->spec->annotations.keys[i], r->spec->annotations.values[i]);
  if (state_save (&r->c, err) < 0)
    return -1;
  return state_write_pid_file (o->pid_file, r->pid, err);
}

static void
restore_release (struct restore_run *r, bool failed)
{
  cleanup_error oci_error_t *err = NULL;

  if (r->mounted)
    umount2 (r->criu_root, MNT_DETACH);
  if (r->criu_root)
    rmdir (r->criu_root);
  if (failed && r->pid > 0)
    kill (r->pid, SIGKILL);
  if (failed && r->dir_created)
    (void) state_remove (&r->c, &err);
  state_container_clear (&r->c);
  oci_spec_free (r->spec);
  free (r->bundle);
  free (r->rootfs);
  free (r->criu_root);
}

int
container_restore (struct hull_globals *g, const struct hull_criu_opts *o, oci_error_t **err)
{
  struct restore_run r = { 0 };
  cleanup_free char *image = absolute (o->image_path ? o->image_path : "checkpoint");
  cleanup_free char *work
      = absolute (o->work_path ? o->work_path : (o->image_path ? o->image_path : "checkpoint"));
  cleanup_error oci_error_t *del_err = NULL;
  pid_t pid;
  int ret;

  r.c.dirfd = -1;
  ret = restore_load (&r, o, err);
  if (ret == 0 && access (image, R_OK | X_OK) < 0)
    ret = oci_error_errno (err, errno, "checkpoint image directory %s", image);
  if (ret == 0)
    ret = criu_check (err);
  if (ret == 0)
    ret = restore_prepare_dir (&r, g, o->id, err);
  if (ret == 0)
    ret = restore_criu (&r, o, image, work, err);
  if (ret == 0)
    ret = restore_record (&r, o, err);
  pid = r.pid;
  restore_release (&r, ret < 0);
  if (ret < 0 || o->detach)
    return ret;
  ret = container_wait_foreground (pid, -1, err);
  if (container_delete (g, o->id, true, &del_err) < 0)
    hull_warn ("%s", del_err->msg);
  return ret;
}
