/* config.json generation (spec.c), users and executables in a rootfs
   (user.c), the default seccomp profile and profile files
   (seccomp_default.c) and the etc files (etcfiles.c).

   Each test gets a fresh tree:
     TMP/secret-passwd         a passwd outside the rootfs ("evil", 4242)
     TMP/host-tool             an executable outside the rootfs
     TMP/root/etc/passwd       root, daemon, alice (1000)
     TMP/root/etc/group        root, wheel(root,alice), audio(alice), staff
     TMP/root/bin/sh           0755      TMP/root/bin/noexec  0644
     TMP/root/bin/dir/         a directory
     TMP/root/usr/bin/tool     0755      TMP/root/bin/link -> /usr/bin/tool
     TMP/evil/etc/passwd -> ../../secret-passwd (escapes when followed)
     TMP/evil2/etc/passwd -> TMP/secret-passwd (absolute)
     TMP/root/bin/escape -> ../../../host-tool
     TMP/cdir/                 the container dir  */
#include "config.h"
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "manager/container/etcfiles.h"
#include "fileutil.h"
#include "manager/container/record.h"
#include "manager/container/spec.h"
#include "manager/container/user.h"

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

struct fixture
{
  char tmp[64];
  char *root, *cdir;
  int rootfd;
  struct container_record *r;
};

static void
write_text (const char *dir, const char *name, const char *text, mode_t mode)
{
  cleanup_free char *path = NULL;
  cleanup_error oci_error_t *err = NULL;

  xasprintf (&path, "%s/%s", dir, name);
  assert_int_equal (write_file_atomic (path, text, strlen (text), mode, &err), 0);
}

static void
make_dirs (const char *base, const char *rel)
{
  cleanup_free char *path = NULL;
  cleanup_error oci_error_t *err = NULL;

  xasprintf (&path, "%s/%s", base, rel);
  assert_int_equal (mkdir_p (path, 0755, &err), 0);
}

static void
make_link (const char *target, const char *base, const char *rel)
{
  cleanup_free char *path = NULL;

  xasprintf (&path, "%s/%s", base, rel);
  assert_int_equal (symlink (target, path), 0);
}

static int
setup (void **state)
{
  struct fixture *f = xzalloc (sizeof *f);
  cleanup_free char *abs = NULL;

  umask (022);
  strcpy (f->tmp, "/tmp/test-container-spec.XXXXXX");
  assert_non_null (mkdtemp (f->tmp));
  xasprintf (&f->root, "%s/root", f->tmp);
  xasprintf (&f->cdir, "%s/cdir", f->tmp);
  make_dirs (f->tmp, "root/etc");
  make_dirs (f->tmp, "root/bin/dir");
  make_dirs (f->tmp, "root/usr/bin");
  make_dirs (f->tmp, "evil/etc");
  make_dirs (f->tmp, "evil2/etc");
  make_dirs (f->tmp, "cdir");
  write_text (f->tmp, "secret-passwd", "evil:x:4242:4242::/evil:/bin/sh\nroot:x:0:0::/evil-root:/bin/sh\n",
              0644);
  write_text (f->tmp, "host-tool", "#!/bin/sh\n", 0755);
  write_text (f->root, "etc/passwd",
              "root:x:0:0:root:/root:/bin/sh\n"
              "# a comment\n"
              "daemon:x:1:1:daemon:/usr/sbin:/bin/false\n"
              "alice:x:1000:1000:Alice:/home/alice:/bin/sh\n",
              0644);
  write_text (f->root, "etc/group",
              "root:x:0:root\nwheel:x:10:root,alice\naudio:x:29:alice\nalice:x:1000:\nstaff:x:50:\n", 0644);
  write_text (f->root, "bin/sh", "#!\n", 0755);
  write_text (f->root, "bin/noexec", "data\n", 0644);
  write_text (f->root, "usr/bin/tool", "#!\n", 0755);
  make_link ("/usr/bin/tool", f->root, "bin/link");
  make_link ("../../../host-tool", f->root, "bin/escape");
  make_link ("../../secret-passwd", f->tmp, "evil/etc/passwd");
  xasprintf (&abs, "%s/secret-passwd", f->tmp);
  make_link (abs, f->tmp, "evil2/etc/passwd");
  f->rootfd = open (f->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  assert_true (f->rootfd >= 0);
  f->r = container_record_new ();
  f->r->path = xstrdup ("sh");
  f->r->args = strv_dup ((char *const[]){ (char *) "-c", (char *) "true", NULL });
  *state = f;
  return 0;
}

static int
teardown (void **state)
{
  struct fixture *f = *state;
  cleanup_error oci_error_t *err = NULL;

  close (f->rootfd);
  assert_int_equal (remove_recursive (f->tmp, &err), 0);
  container_record_free (f->r);
  free (f->root);
  free (f->cdir);
  free (f);
  return 0;
}

/* ------------------------------------------------------------ users */

struct resolved
{
  uid_t uid;
  gid_t gid;
  gid_t *groups;
  size_t n;
  char *home;
};

static int
resolve (int rootfd, const char *user, char *const *add, struct resolved *out, oci_error_t **err)
{
  memset (out, 0, sizeof *out);
  return container_user_resolve (rootfd, user, add, &out->uid, &out->gid, &out->groups, &out->n, &out->home,
                                 err);
}

static void
resolved_clear (struct resolved *r)
{
  free (r->groups);
  free (r->home);
}

static void
test_user_default_root (void **state)
{
  struct fixture *f = *state;
  cleanup_error oci_error_t *err = NULL;
  struct resolved r;

  assert_int_equal (resolve (f->rootfd, NULL, NULL, &r, &err), 0);
  assert_int_equal (r.uid, 0);
  assert_int_equal (r.gid, 0);
  assert_string_equal (r.home, "/root");
  assert_int_equal (r.n, 2);
  assert_int_equal (r.groups[0], 0);
  assert_int_equal (r.groups[1], 10);
  resolved_clear (&r);
}

static void
test_user_name_and_uid (void **state)
{
  struct fixture *f = *state;
  cleanup_error oci_error_t *err = NULL;
  struct resolved r;

  assert_int_equal (resolve (f->rootfd, "alice", NULL, &r, &err), 0);
  assert_int_equal (r.uid, 1000);
  assert_int_equal (r.gid, 1000);
  assert_string_equal (r.home, "/home/alice");
  assert_int_equal (r.n, 2);
  assert_int_equal (r.groups[0], 10);
  assert_int_equal (r.groups[1], 29);
  resolved_clear (&r);

  assert_int_equal (resolve (f->rootfd, "1000", NULL, &r, &err), 0);
  assert_int_equal (r.uid, 1000);
  assert_string_equal (r.home, "/home/alice");
  assert_int_equal (r.n, 2);
  resolved_clear (&r);
}

static void
test_user_with_group (void **state)
{
  struct fixture *f = *state;
  cleanup_error oci_error_t *err = NULL;
  struct resolved r;

  assert_int_equal (resolve (f->rootfd, "alice:staff", NULL, &r, &err), 0);
  assert_int_equal (r.uid, 1000);
  assert_int_equal (r.gid, 50);
  assert_int_equal (r.n, 0); /* an explicit group: no supplementary groups (runc) */
  resolved_clear (&r);

  assert_int_equal (resolve (f->rootfd, "1000:10", NULL, &r, &err), 0);
  assert_int_equal (r.gid, 10);
  resolved_clear (&r);

  assert_int_equal (resolve (f->rootfd, ":audio", NULL, &r, &err), 0);
  assert_int_equal (r.uid, 0);
  assert_int_equal (r.gid, 29);
  assert_string_equal (r.home, "/root");
  resolved_clear (&r);
}

static void
test_user_numeric_unknown (void **state)
{
  struct fixture *f = *state;
  cleanup_error oci_error_t *err = NULL;
  struct resolved r;

  assert_int_equal (resolve (f->rootfd, "1234", NULL, &r, &err), 0);
  assert_int_equal (r.uid, 1234);
  assert_int_equal (r.gid, 0);
  assert_string_equal (r.home, "/");
  assert_int_equal (r.n, 0);
  resolved_clear (&r);

  assert_int_equal (resolve (f->rootfd, "1234:5678", NULL, &r, &err), 0);
  assert_int_equal (r.uid, 1234);
  assert_int_equal (r.gid, 5678);
  resolved_clear (&r);
}

static void
test_user_errors (void **state)
{
  struct fixture *f = *state;
  struct resolved r;

  {
    cleanup_error oci_error_t *err = NULL;
    assert_int_equal (resolve (f->rootfd, "bob", NULL, &r, &err), -1);
    assert_int_equal (err->status, ENOENT);
    assert_string_equal (err->msg, "unable to find user bob: no matching entries in passwd file");
  }
  {
    cleanup_error oci_error_t *err = NULL;
    assert_int_equal (resolve (f->rootfd, "alice:nogroup", NULL, &r, &err), -1);
    assert_string_equal (err->msg, "unable to find group nogroup: no matching entries in group file");
  }
  {
    cleanup_error oci_error_t *err = NULL;
    assert_int_equal (resolve (f->rootfd, "2147483648", NULL, &r, &err), -1);
    assert_error_contains (err, "uids and gids must be in range 0-2147483647");
  }
  {
    cleanup_error oci_error_t *err = NULL;
    assert_int_equal (resolve (f->rootfd, "root", (char *const[]){ (char *) "nosuch", NULL }, &r, &err), -1);
    assert_string_equal (err->msg, "Unable to find group nosuch: no matching entries in group file");
  }
}

static void
test_user_group_add (void **state)
{
  struct fixture *f = *state;
  cleanup_error oci_error_t *err = NULL;
  struct resolved r;

  assert_int_equal (
      resolve (f->rootfd, "daemon", (char *const[]){ (char *) "audio", (char *) "4242", NULL }, &r, &err), 0);
  assert_int_equal (r.uid, 1);
  assert_int_equal (r.gid, 1);
  assert_int_equal (r.n, 2);
  assert_int_equal (r.groups[0], 29);
  assert_int_equal (r.groups[1], 4242);
  resolved_clear (&r);
}

/* A passwd symlinked out of the rootfs must be resolved inside it: the
   host file's "evil" user stays unknown.  */
static void
test_user_passwd_symlink_escape (void **state)
{
  struct fixture *f = *state;
  const char *roots[] = { "evil", "evil2" };

  for (size_t i = 0; i < 2; i++)
    {
      cleanup_free char *path = NULL;
      cleanup_close int fd = -1;
      cleanup_error oci_error_t *err = NULL;
      struct resolved r;

      xasprintf (&path, "%s/%s", f->tmp, roots[i]);
      fd = open (path, O_PATH | O_DIRECTORY | O_CLOEXEC);
      assert_true (fd >= 0);
      assert_int_equal (resolve (fd, "evil", NULL, &r, &err), -1);
      assert_int_equal (err->status, ENOENT);
      oci_error_free (&err);
      assert_int_equal (resolve (fd, "0", NULL, &r, &err), 0);
      assert_int_equal (r.uid, 0);
      assert_string_equal (r.home, "/"); /* not the host file's /evil-root */
      resolved_clear (&r);
    }
}

/* ------------------------------------------------------------ executables */

static char *const path_env[] = { (char *) "HOME=/", (char *) "PATH=/usr/local/bin:/usr/bin:/bin", NULL };

static void
test_exec_found (void **state)
{
  struct fixture *f = *state;
  cleanup_error oci_error_t *err = NULL;

  assert_int_equal (container_check_executable (f->rootfd, "sh", path_env, "/", &err), 0);
  assert_int_equal (container_check_executable (f->rootfd, "tool", path_env, "/", &err), 0);
  assert_int_equal (container_check_executable (f->rootfd, "/bin/link", path_env, "/", &err), 0);
  assert_int_equal (container_check_executable (f->rootfd, "./sh", path_env, "/bin", &err), 0);
  assert_int_equal (container_check_executable (f->rootfd, "bin/sh", path_env, "/", &err), 0);
  assert_no_error (err);
}

static void
test_exec_not_found (void **state)
{
  struct fixture *f = *state;

  {
    cleanup_error oci_error_t *err = NULL;
    assert_int_equal (container_check_executable (f->rootfd, "nosuch", path_env, "/", &err), -1);
    assert_int_equal (err->status, ENOENT);
    assert_string_equal (err->msg, "exec: \"nosuch\": executable file not found in $PATH");
  }
  {
    /* a non-executable file in PATH does not count */
    cleanup_error oci_error_t *err = NULL;
    assert_int_equal (container_check_executable (f->rootfd, "noexec", path_env, "/", &err), -1);
    assert_int_equal (err->status, ENOENT);
  }
  {
    cleanup_error oci_error_t *err = NULL;
    assert_int_equal (container_check_executable (f->rootfd, "/nosuch", path_env, "/", &err), -1);
    assert_int_equal (err->status, ENOENT);
    assert_string_equal (err->msg, "exec: \"/nosuch\": stat /nosuch: no such file or directory");
  }
  {
    /* resolved inside the root: the host's file is not reachable */
    cleanup_error oci_error_t *err = NULL;
    assert_int_equal (container_check_executable (f->rootfd, "/bin/escape", path_env, "/", &err), -1);
    assert_int_equal (err->status, ENOENT);
  }
  {
    cleanup_error oci_error_t *err = NULL;
    assert_int_equal (container_check_executable (f->rootfd, "sh", (char *const[]){ NULL }, "/", &err), -1);
    assert_int_equal (err->status, ENOENT);
  }
}

static void
test_exec_permission (void **state)
{
  struct fixture *f = *state;

  {
    cleanup_error oci_error_t *err = NULL;
    assert_int_equal (container_check_executable (f->rootfd, "/bin/noexec", path_env, "/", &err), -1);
    assert_int_equal (err->status, EACCES);
    assert_string_equal (err->msg, "exec: \"/bin/noexec\": permission denied");
  }
  {
    cleanup_error oci_error_t *err = NULL;
    assert_int_equal (container_check_executable (f->rootfd, "/bin/dir", path_env, "/", &err), -1);
    assert_int_equal (err->status, EACCES);
    assert_string_equal (err->msg, "exec: \"/bin/dir\": permission denied");
  }
}

/* ------------------------------------------------------------ spec */

static struct oci_spec *
build (struct fixture *f, const struct container_ns_join *join)
{
  cleanup_error oci_error_t *err = NULL;
  struct oci_spec *s = NULL;

  if (container_spec_build (f->r, ID, f->root, f->cdir, join, &s, &err) < 0)
    fail_msg ("container_spec_build: %s", err->msg);
  return s;
}

static char *
build_error (struct fixture *f)
{
  cleanup_error oci_error_t *err = NULL;
  struct oci_spec *s = NULL;

  assert_int_equal (container_spec_build (f->r, ID, f->root, f->cdir, NULL, &s, &err), -1);
  assert_null (s);
  return oci_error_steal_msg (&err);
}

static bool
strv_has (char *const *v, const char *s)
{
  return v && oci_strv_contains ((const char *const *) v, s);
}

static const struct oci_mount *
find_mount (const struct oci_spec *s, const char *dest)
{
  for (size_t i = 0; i < s->mounts_len; i++)
    if (streq (s->mounts[i].destination, dest))
      return &s->mounts[i];
  return NULL;
}

static size_t
mount_index (const struct oci_spec *s, const char *dest)
{
  for (size_t i = 0; i < s->mounts_len; i++)
    if (streq (s->mounts[i].destination, dest))
      return i;
  fail_msg ("no mount at %s", dest);
  return 0;
}

static const struct oci_seccomp_syscall *
find_rule (const struct oci_seccomp *sc, const char *name, size_t skip)
{
  for (size_t i = 0; i < sc->syscalls_len; i++)
    if (strv_has (sc->syscalls[i].names, name) && skip-- == 0)
      return &sc->syscalls[i];
  return NULL;
}

/* Every spec must round-trip through the runtime's parser (its checks).  */
static void
assert_round_trip (const struct oci_spec *s)
{
  cleanup_error oci_error_t *err = NULL;
  cleanup_free char *json = NULL;
  struct oci_spec *back = NULL;
  size_t len = 0;

  assert_int_equal (oci_spec_emit (s, false, &json, &len, &err), 0);
  if (oci_spec_parse (json, len, "config.json", &back, &err) < 0)
    fail_msg ("%s", err->msg);
  assert_true (oci_json_equal (&oci_spec_type, s, back));
  oci_spec_free (back);
}

static void
test_spec_defaults (void **state)
{
  struct fixture *f = *state;
  struct oci_spec *s = build (f, NULL);
  const char *order[] = { "/proc",       "/dev",     "/dev/pts",         "/sys",          "/sys/fs/cgroup",
                          "/dev/mqueue", "/dev/shm", "/etc/resolv.conf", "/etc/hostname", "/etc/hosts" };
  const struct oci_process *p = s->process;
  const struct oci_linux *l = s->linux;
  cleanup_free char *hosts_src = NULL;

  assert_string_equal (s->oci_version, "1.0.2");
  assert_string_equal (s->root->path, f->root);
  assert_false (s->root->readonly);
  assert_string_equal (s->hostname, "0123456789ab");
  /* process */
  assert_string_equal (p->args[0], "sh");
  assert_string_equal (p->args[2], "true");
  assert_null (p->args[3]);
  assert_false (p->terminal);
  assert_string_equal (p->cwd, "/");
  assert_string_equal (p->env[0], "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  assert_string_equal (p->env[1], "HOSTNAME=0123456789ab");
  assert_string_equal (p->env[2], "HOME=/root");
  assert_null (p->env[3]);
  assert_int_equal (p->user->uid, 0);
  assert_int_equal (p->user->gid, 0);
  assert_int_equal (strv_len (p->capabilities->bounding), 14);
  for (size_t i = 0; container_default_caps[i]; i++)
    {
      assert_string_equal (p->capabilities->bounding[i], container_default_caps[i]);
      assert_string_equal (p->capabilities->effective[i], container_default_caps[i]);
      assert_string_equal (p->capabilities->permitted[i], container_default_caps[i]);
    }
  assert_null (p->capabilities->ambient);
  assert_null (p->capabilities->inheritable);
  assert_false (p->no_new_privileges);
  assert_int_equal (p->rlimits_len, 0);
  /* mounts, in order */
  assert_int_equal (s->mounts_len, ARRAY_SIZE (order));
  for (size_t i = 0; i < ARRAY_SIZE (order); i++)
    assert_string_equal (s->mounts[i].destination, order[i]);
  assert_true (strv_has (find_mount (s, "/sys")->options, "ro"));
  assert_true (strv_has (find_mount (s, "/sys/fs/cgroup")->options, "ro"));
  assert_true (strv_has (find_mount (s, "/dev/shm")->options, "size=67108864"));
  assert_string_equal (find_mount (s, "/dev/shm")->type, "tmpfs");
  xasprintf (&hosts_src, "%s/hosts", f->cdir);
  assert_string_equal (find_mount (s, "/etc/hosts")->source, hosts_src);
  assert_string_equal (find_mount (s, "/etc/hosts")->type, "bind");
  assert_false (strv_has (find_mount (s, "/etc/hosts")->options, "ro"));
  /* linux */
  assert_string_equal (l->cgroups_path, "/berth/" ID);
  assert_non_null (oci_spec_find_namespace (s, "pid"));
  assert_non_null (oci_spec_find_namespace (s, "network"));
  assert_non_null (oci_spec_find_namespace (s, "ipc"));
  assert_non_null (oci_spec_find_namespace (s, "uts"));
  assert_non_null (oci_spec_find_namespace (s, "mount"));
  assert_null (oci_spec_find_namespace (s, "user"));
  assert_null (oci_spec_find_namespace (s, "network")->path);
  assert_true (strv_len (l->masked_paths) >= 12);
  assert_string_equal (l->masked_paths[0], "/proc/asound");
  assert_true (strv_has (l->masked_paths, "/proc/kcore"));
  assert_true (strv_has (l->masked_paths, "/proc/keys"));
  assert_true (strv_has (l->masked_paths, "/sys/firmware"));
  assert_int_equal (strv_len (l->readonly_paths), 5);
  assert_string_equal (l->readonly_paths[3], "/proc/sys");
  assert_non_null (l->seccomp);
  assert_string_equal (l->seccomp->default_action, "SCMP_ACT_ERRNO");
  assert_int_equal (l->seccomp->default_errno_ret, EPERM);
  assert_false (l->resources->devices[0].allow);
  assert_string_equal (l->resources->devices[0].access, "rwm");
  assert_null (l->resources->memory);
  assert_null (l->resources->cpu);
  assert_null (l->resources->pids);
  assert_int_equal (l->devices_len, 0);
  assert_round_trip (s);
  oci_spec_free (s);
}

static void
test_spec_privileged (void **state)
{
  struct fixture *f = *state;
  struct oci_spec *s;
  size_t ncaps = 0;
  bool have_null = false;

  f->r->host_config->privileged = true;
  s = build (f, NULL);
  assert_null (s->linux->seccomp);
  assert_null (s->linux->masked_paths);
  assert_null (s->linux->readonly_paths);
  assert_false (strv_has (find_mount (s, "/sys")->options, "ro"));
  assert_true (strv_has (find_mount (s, "/sys/fs/cgroup")->options, "rw"));
  ncaps = strv_len (s->process->capabilities->bounding);
  assert_true (ncaps > 14);
  assert_true (strv_has (s->process->capabilities->bounding, "CAP_SYS_ADMIN"));
  assert_true (s->linux->resources->devices[0].allow);
  assert_null (s->linux->resources->devices[0].type);
  for (size_t i = 0; i < s->linux->devices_len; i++)
    {
      have_null |= streq (s->linux->devices[i].path, "/dev/null");
      assert_false (streq (s->linux->devices[i].path, "/dev/console"));
      assert_false (has_prefix (s->linux->devices[i].path, "/dev/pts/"));
    }
  assert_true (have_null);
  assert_round_trip (s);
  oci_spec_free (s);
}

static void
test_spec_security_opts (void **state)
{
  struct fixture *f = *state;
  struct oci_spec *s;
  cleanup_free char *msg = NULL;

  f->r->host_config->security_opt
      = strv_dup ((char *const[]){ (char *) "seccomp=unconfined", (char *) "no-new-privileges", NULL });
  s = build (f, NULL);
  assert_null (s->linux->seccomp);
  assert_non_null (s->linux->masked_paths);
  assert_true (s->process->no_new_privileges);
  oci_spec_free (s);

  strv_free (f->r->host_config->security_opt);
  f->r->host_config->security_opt = strv_dup (
      (char *const[]){ (char *) "no-new-privileges:false", (char *) "systempaths=unconfined", NULL });
  s = build (f, NULL);
  assert_non_null (s->linux->seccomp);
  assert_null (s->linux->masked_paths);
  assert_false (s->process->no_new_privileges);
  oci_spec_free (s);

  strv_free (f->r->host_config->security_opt);
  f->r->host_config->security_opt = strv_dup ((char *const[]){ (char *) "bogus=1", NULL });
  msg = build_error (f);
  assert_string_equal (msg, "invalid --security-opt 2: \"bogus=1\"");
}

static void
test_spec_caps (void **state)
{
  struct fixture *f = *state;
  struct container_host_config *hc = f->r->host_config;
  struct oci_spec *s;
  cleanup_free char *msg = NULL;

  hc->cap_add = strv_dup ((char *const[]){ (char *) "net_admin", (char *) "CAP_SYS_PTRACE", NULL });
  hc->cap_drop = strv_dup ((char *const[]){ (char *) "CHOWN", NULL });
  s = build (f, NULL);
  assert_true (strv_has (s->process->capabilities->effective, "CAP_NET_ADMIN"));
  assert_true (strv_has (s->process->capabilities->effective, "CAP_SYS_PTRACE"));
  assert_false (strv_has (s->process->capabilities->effective, "CAP_CHOWN"));
  assert_int_equal (strv_len (s->process->capabilities->bounding), 15);
  /* CAP_SYS_PTRACE brings back kcmp */
  assert_non_null (find_rule (s->linux->seccomp, "kcmp", 0));
  oci_spec_free (s);

  strv_free (hc->cap_add);
  strv_free (hc->cap_drop);
  hc->cap_add = strv_dup ((char *const[]){ (char *) "NET_BIND_SERVICE", NULL });
  hc->cap_drop = strv_dup ((char *const[]){ (char *) "all", NULL });
  s = build (f, NULL);
  assert_int_equal (strv_len (s->process->capabilities->bounding), 1);
  assert_string_equal (s->process->capabilities->bounding[0], "CAP_NET_BIND_SERVICE");
  oci_spec_free (s);

  strv_free (hc->cap_add);
  strv_free (hc->cap_drop);
  hc->cap_add = strv_dup ((char *const[]){ (char *) "ALL", NULL });
  hc->cap_drop = strv_dup ((char *const[]){ (char *) "SYS_ADMIN", NULL });
  s = build (f, NULL);
  assert_true (strv_len (s->process->capabilities->bounding) > 30);
  assert_false (strv_has (s->process->capabilities->bounding, "CAP_SYS_ADMIN"));
  assert_true (strv_has (s->process->capabilities->bounding, "CAP_SYS_MODULE"));
  oci_spec_free (s);

  strv_free (hc->cap_drop);
  hc->cap_drop = strv_dup ((char *const[]){ (char *) "FOO", NULL });
  msg = build_error (f);
  assert_string_equal (msg, "unknown capability: \"CAP_FOO\"");
}

static void
test_seccomp_default (void **state)
{
  char *const caps[] = { (char *) "CAP_CHOWN", NULL };
  char *const admin[] = { (char *) "CAP_SYS_ADMIN", NULL };
  struct oci_seccomp *sc = container_seccomp_default (caps);
  const struct oci_seccomp_syscall *r;
  const char *denied[] = { "mount",       "umount2",    "unshare",     "setns",  "keyctl", "add_key",
                           "request_key", "pivot_root", "init_module", "reboot", "bpf",    "clock_settime" };

  (void) state;
  assert_true (strv_has (sc->architectures, "SCMP_ARCH_X86_64")
               || strv_has (sc->architectures, "SCMP_ARCH_AARCH64"));
  r = find_rule (sc, "read", 0);
  assert_non_null (r);
  assert_string_equal (r->action, "SCMP_ACT_ALLOW");
  assert_true (strv_len (r->names) > 250);
  assert_non_null (find_rule (sc, "execve", 0));
  assert_non_null (find_rule (sc, "wait4", 0));
  for (size_t i = 0; i < ARRAY_SIZE (denied); i++)
    if (find_rule (sc, denied[i], 0))
      fail_msg ("%s is allowed in the default profile", denied[i]);
  /* clone: allowed only without namespace flags */
  r = find_rule (sc, "clone", 0);
  assert_non_null (r);
  assert_string_equal (r->action, "SCMP_ACT_ALLOW");
  assert_int_equal (r->args_len, 1);
  assert_string_equal (r->args[0].op, "SCMP_CMP_MASKED_EQ");
  assert_int_equal (r->args[0].value, 0);
  assert_int_equal (r->args[0].value_two, 0x7E020000);
  r = find_rule (sc, "clone3", 0);
  assert_string_equal (r->action, "SCMP_ACT_ERRNO");
  assert_int_equal (r->errno_ret, ENOSYS);
  /* personality: a few values only */
  r = find_rule (sc, "personality", 0);
  assert_int_equal (r->args_len, 1);
  assert_string_equal (r->args[0].op, "SCMP_CMP_EQ");
  assert_null (find_rule (sc, "personality", 5));
  container_seccomp_free (sc);

  sc = container_seccomp_default (admin);
  assert_non_null (find_rule (sc, "mount", 0));
  assert_non_null (find_rule (sc, "unshare", 0));
  r = find_rule (sc, "clone", 0);
  assert_int_equal (r->args_len, 0);
  assert_string_equal (find_rule (sc, "clone3", 0)->action, "SCMP_ACT_ALLOW");
  assert_null (find_rule (sc, "keyctl", 0));
  container_seccomp_free (sc);
}

static void
test_seccomp_profile_file (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *path = NULL, *bad = NULL, *opt = NULL, *msg = NULL;
  const struct oci_seccomp *sc;
  struct oci_spec *s;

  write_text (
      f->tmp, "profile.json",
      "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1,"
      "\"archMap\":[{\"architecture\":\"SCMP_ARCH_X86_64\",\"subArchitectures\":[\"SCMP_ARCH_X86\"]},"
      "{\"architecture\":\"SCMP_ARCH_AARCH64\",\"subArchitectures\":[\"SCMP_ARCH_ARM\"]}],"
      "\"syscalls\":[{\"names\":[\"read\",\"write\"],\"action\":\"SCMP_ACT_ALLOW\",\"comment\":\"x\"},"
      "{\"name\":\"getpid\",\"action\":\"SCMP_ACT_ALLOW\"},"
      "{\"names\":[\"mount\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"caps\":[\"CAP_SYS_ADMIN\"]}},"
      "{\"names\":[\"chroot\"],\"action\":\"SCMP_ACT_ALLOW\",\"excludes\":{\"caps\":[\"CAP_CHOWN\"]}},"
      "{\"names\":[\"uname\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"minKernel\":\"99.0\"}},"
      "{\"names\":[\"socket\"],\"action\":\"SCMP_ACT_ALLOW\","
      "\"args\":[{\"index\":0,\"value\":40,\"op\":\"SCMP_CMP_NE\"}]}]}",
      0644);
  xasprintf (&path, "%s/profile.json", f->tmp);
  xasprintf (&opt, "seccomp=%s", path);
  f->r->host_config->security_opt = strv_dup ((char *const[]){ opt, NULL });
  s = build (f, NULL);
  sc = s->linux->seccomp;
  assert_non_null (sc);
  assert_string_equal (sc->default_action, "SCMP_ACT_ERRNO");
  assert_int_equal (sc->default_errno_ret, 1);
#if defined(__x86_64__)
  assert_int_equal (strv_len (sc->architectures), 2);
  assert_string_equal (sc->architectures[0], "SCMP_ARCH_X86_64");
#endif
  assert_non_null (find_rule (sc, "read", 0));
  assert_non_null (find_rule (sc, "getpid", 0));
  assert_null (find_rule (sc, "mount", 0));  /* no CAP_SYS_ADMIN */
  assert_null (find_rule (sc, "chroot", 0)); /* CAP_CHOWN is held */
  assert_null (find_rule (sc, "uname", 0));  /* kernel too old */
  assert_int_equal (find_rule (sc, "socket", 0)->args[0].value, 40);
  assert_round_trip (s);
  oci_spec_free (s);

  /* the profile's text itself, as docker's CLI sends it */
  strv_free (f->r->host_config->security_opt);
  f->r->host_config->security_opt = strv_dup ((char *const[]){
      (char *) "seccomp={\"defaultAction\":\"SCMP_ACT_LOG\",\"syscalls\":[{\"names\":[\"read\"],"
               "\"action\":\"SCMP_ACT_ALLOW\"}]}",
      NULL });
  s = build (f, NULL);
  assert_string_equal (s->linux->seccomp->default_action, "SCMP_ACT_LOG");
  assert_non_null (find_rule (s->linux->seccomp, "read", 0));
  oci_spec_free (s);

  write_text (f->tmp, "bad.json", "{\"defaultAction\":\"SCMP_ACT_NOPE\"}", 0644);
  xasprintf (&bad, "seccomp=%s/bad.json", f->tmp);
  strv_free (f->r->host_config->security_opt);
  f->r->host_config->security_opt = strv_dup ((char *const[]){ bad, NULL });
  msg = build_error (f);
  assert_non_null (strstr (msg, "decoding seccomp profile failed"));
  assert_non_null (strstr (msg, "SCMP_ACT_NOPE"));
}

static void
test_spec_memory (void **state)
{
  struct fixture *f = *state;
  struct container_host_config *hc = f->r->host_config;
  struct oci_spec *s;
  int64_t m512 = 512ll * 1024 * 1024;

  hc->memory = m512;
  s = build (f, NULL);
  assert_int_equal (s->linux->resources->memory->limit, m512);
  assert_int_equal (s->linux->resources->memory->swap, 2 * m512);
  oci_spec_free (s);

  hc->memory_swap = -1;
  hc->memory_swap_present = true;
  s = build (f, NULL);
  assert_int_equal (s->linux->resources->memory->swap, -1);
  oci_spec_free (s);

  hc->memory_swap = 3 * m512;
  hc->memory_reservation = 256ll * 1024 * 1024;
  hc->memory_reservation_present = true;
  hc->oom_kill_disable = hc->oom_kill_disable_present = true;
  s = build (f, NULL);
  assert_int_equal (s->linux->resources->memory->swap, 3 * m512);
  assert_int_equal (s->linux->resources->memory->reservation, 256ll * 1024 * 1024);
  assert_true (s->linux->resources->memory->disable_oom_killer);
  assert_round_trip (s);
  oci_spec_free (s);

  {
    cleanup_free char *msg = NULL;
    hc->memory_swap = m512 / 2;
    msg = build_error (f);
    assert_string_equal (msg, "Minimum memoryswap limit should be larger than memory limit, see usage");
  }
  {
    cleanup_free char *msg = NULL;
    hc->memory = 0;
    hc->memory_reservation_present = false;
    msg = build_error (f);
    assert_string_equal (msg,
                         "You should always set the Memory limit when using Memoryswap limit, see usage");
  }
  {
    cleanup_free char *msg = NULL;
    hc->memory = 1024 * 1024;
    hc->memory_swap_present = false;
    msg = build_error (f);
    assert_string_equal (msg, "Minimum memory limit allowed is 6MB");
  }
}

static void
test_spec_cpu_pids_blkio (void **state)
{
  struct fixture *f = *state;
  struct container_host_config *hc = f->r->host_config;
  struct oci_spec *s;
  long ncpu = sysconf (_SC_NPROCESSORS_ONLN);

  hc->nano_cpus = 500000000; /* --cpus 0.5 */
  hc->cpu_shares = 512;
  hc->cpuset_cpus = xstrdup ("0");
  hc->pids_limit = 100;
  hc->pids_limit_present = true;
  hc->blkio_weight = 300;
  hc->blkio_weight_present = true;
  s = build (f, NULL);
  assert_int_equal (s->linux->resources->cpu->period, 100000);
  assert_int_equal (s->linux->resources->cpu->quota, 50000);
  assert_int_equal (s->linux->resources->cpu->shares, 512);
  assert_string_equal (s->linux->resources->cpu->cpus, "0");
  assert_int_equal (s->linux->resources->pids->limit, 100);
  assert_int_equal (s->linux->resources->block_io->weight, 300);
  oci_spec_free (s);

  hc->nano_cpus = 1500000000; /* --cpus 1.5: 150ms per 100ms */
  if (ncpu >= 2)
    {
      s = build (f, NULL);
      assert_int_equal (s->linux->resources->cpu->quota, 150000);
      oci_spec_free (s);
    }
  {
    cleanup_free char *msg = NULL, *want = NULL;
    hc->nano_cpus = (ncpu + 1) * 1000000000ll;
    msg = build_error (f);
    xasprintf (&want, "Range of CPUs is from 0.01 to %ld.00, as there are only %ld CPUs available", ncpu,
               ncpu);
    assert_string_equal (msg, want);
  }
}

static void
test_spec_user_env_tty (void **state)
{
  struct fixture *f = *state;
  struct container_config *cfg = f->r->config;
  struct oci_spec *s;

  cfg->user = xstrdup ("alice");
  cfg->tty = true;
  cfg->working_dir = xstrdup ("/home/alice");
  cfg->hostname = xstrdup ("box");
  cfg->env = strv_dup ((char *const[]){ (char *) "PATH=/custom/bin", (char *) "FOO=bar", NULL });
  f->r->host_config->group_add = strv_dup ((char *const[]){ (char *) "staff", NULL });
  s = build (f, NULL);
  assert_true (s->process->terminal);
  assert_string_equal (s->process->cwd, "/home/alice");
  assert_string_equal (s->hostname, "box");
  assert_string_equal (s->process->env[0], "PATH=/custom/bin");
  assert_string_equal (s->process->env[1], "HOSTNAME=box");
  assert_string_equal (s->process->env[2], "TERM=xterm");
  assert_string_equal (s->process->env[3], "FOO=bar");
  assert_string_equal (s->process->env[4], "HOME=/home/alice");
  assert_null (s->process->env[5]);
  assert_int_equal (s->process->user->uid, 1000);
  assert_int_equal (s->process->user->gid, 1000);
  assert_int_equal (s->process->user->additional_gids_len, 3);
  assert_int_equal (s->process->user->additional_gids[2], 50);
  oci_spec_free (s);

  strv_free (cfg->env);
  cfg->env = strv_dup ((char *const[]){ (char *) "HOME=/elsewhere", (char *) "TERM", NULL });
  s = build (f, NULL);
  assert_string_equal (s->process->env[2], "HOME=/elsewhere");
  assert_null (s->process->env[3]); /* "TERM" alone removed TERM=xterm */
  oci_spec_free (s);

  free (cfg->user);
  cfg->user = xstrdup ("nobody");
  {
    cleanup_free char *msg = build_error (f);
    assert_string_equal (msg, "unable to find user nobody: no matching entries in passwd file");
  }
}

static void
test_spec_user_mounts (void **state)
{
  struct fixture *f = *state;
  struct container_host_config *hc = f->r->host_config;
  const struct oci_mount *m;
  struct oci_spec *s;

  container_record_add_mount (f->r, "bind", NULL, "/srv/sub", "/data/sub", "", true, "");
  container_record_add_mount (f->r, "volume", "vol", "/var/lib/berth/volumes/vol/_data", "/data", "", false,
                              "");
  container_record_add_mount (f->r, "bind", NULL, "/srv/hosts", "/etc/hosts", "", true, "rslave");
  container_record_add_mount (f->r, "tmpfs", NULL, NULL, "/scratch", "size=1048576,mode=1777", true, "");
  oci_map_set (&hc->tmpfs, "/run", "size=64m,exec");
  hc->shm_size = 1024 * 1024;
  hc->readonly_rootfs = true;
  s = build (f, NULL);
  assert_true (s->root->readonly);
  assert_true (mount_index (s, "/data") < mount_index (s, "/data/sub"));
  assert_true (mount_index (s, "/dev/shm") < mount_index (s, "/data"));
  m = find_mount (s, "/data");
  assert_string_equal (m->type, "bind");
  assert_string_equal (m->source, "/var/lib/berth/volumes/vol/_data");
  assert_string_equal (m->options[0], "rbind");
  assert_string_equal (m->options[1], "ro");
  assert_string_equal (m->options[2], "rprivate");
  m = find_mount (s, "/data/sub");
  assert_false (strv_has (m->options, "ro"));
  m = find_mount (s, "/etc/hosts");
  assert_string_equal (m->source, "/srv/hosts"); /* the user's, not ours */
  assert_true (strv_has (m->options, "rslave"));
  assert_string_equal (s->linux->rootfs_propagation, "rslave");
  assert_true (strv_has (find_mount (s, "/etc/hostname")->options, "ro")); /* --read-only */
  m = find_mount (s, "/scratch");
  assert_string_equal (m->type, "tmpfs");
  assert_true (strv_has (m->options, "size=1048576"));
  assert_true (strv_has (m->options, "mode=1777"));
  assert_true (strv_has (m->options, "noexec"));
  m = find_mount (s, "/run");
  assert_true (strv_has (m->options, "exec"));
  assert_false (strv_has (m->options, "noexec"));
  assert_true (strv_has (m->options, "nosuid"));
  assert_true (strv_has (m->options, "size=64m"));
  assert_true (strv_has (find_mount (s, "/dev/shm")->options, "size=1048576"));
  assert_round_trip (s);
  oci_spec_free (s);
}

static void
test_spec_user_mounts_dev (void **state)
{
  struct fixture *f = *state;
  struct oci_spec *s;

  container_record_add_mount (f->r, "bind", NULL, "/dev", "/dev", "", true, "");
  s = build (f, NULL);
  assert_null (find_mount (s, "/dev/pts"));
  assert_null (find_mount (s, "/dev/shm"));
  assert_string_equal (find_mount (s, "/dev")->type, "bind");
  assert_non_null (find_mount (s, "/proc"));
  oci_spec_free (s);
}

static void
test_spec_namespaces (void **state)
{
  struct fixture *f = *state;
  struct container_host_config *hc = f->r->host_config;
  struct container_ns_join join = { "/proc/42/ns/net", "/proc/42/ns/ipc", "/proc/42/ns/pid" };
  char host[256] = "";
  struct oci_spec *s;

  free (hc->network_mode);
  hc->network_mode = xstrdup ("host");
  s = build (f, NULL);
  assert_null (oci_spec_find_namespace (s, "network"));
  assert_int_equal (gethostname (host, sizeof host - 1), 0);
  assert_string_equal (s->hostname, host);
  oci_spec_free (s);

  free (hc->network_mode);
  free (hc->ipc_mode);
  free (hc->pid_mode);
  free (hc->uts_mode);
  hc->network_mode = xstrdup ("container:web");
  hc->ipc_mode = xstrdup ("container:web");
  hc->pid_mode = xstrdup ("host");
  hc->uts_mode = xstrdup ("host");
  s = build (f, &join);
  assert_string_equal (oci_spec_find_namespace (s, "network")->path, "/proc/42/ns/net");
  assert_string_equal (oci_spec_find_namespace (s, "ipc")->path, "/proc/42/ns/ipc");
  assert_null (oci_spec_find_namespace (s, "pid"));
  assert_null (oci_spec_find_namespace (s, "uts"));
  assert_null (s->hostname);
  assert_string_equal (find_mount (s, "/dev/shm")->source, "/proc/42/root/dev/shm");
  assert_round_trip (s);
  oci_spec_free (s);

  free (hc->network_mode);
  hc->network_mode = xstrdup ("none");
  free (hc->ipc_mode);
  hc->ipc_mode = xstrdup ("none");
  s = build (f, NULL);
  assert_non_null (oci_spec_find_namespace (s, "network"));
  assert_null (find_mount (s, "/dev/shm"));
  oci_spec_free (s);

  if (geteuid () == 0)
    {
      cleanup_free char *msg = NULL;
      free (hc->userns_mode);
      hc->userns_mode = xstrdup ("keep-id");
      msg = build_error (f);
      assert_string_equal (msg, "keep-id is only supported in rootless mode");
    }
}

static void
test_spec_devices_ulimits (void **state)
{
  struct fixture *f = *state;
  struct container_host_config *hc = f->r->host_config;
  const struct oci_device_cgroup *rule;
  struct oci_spec *s;

  hc->devices = xcalloc (1, sizeof *hc->devices);
  hc->devices_len = 1;
  hc->devices[0].path_on_host = xstrdup ("/dev/null");
  hc->devices[0].path_in_container = xstrdup ("/dev/mynull");
  hc->devices[0].cgroup_permissions = xstrdup ("rw");
  hc->ulimits = xcalloc (1, sizeof *hc->ulimits);
  hc->ulimits_len = 1;
  hc->ulimits[0] = (struct container_ulimit){ xstrdup ("nofile"), 1024, true, 2048, true };
  s = build (f, NULL);
  assert_int_equal (s->linux->devices_len, 1);
  assert_string_equal (s->linux->devices[0].path, "/dev/mynull");
  assert_string_equal (s->linux->devices[0].type, "c");
  assert_int_equal (s->linux->devices[0].major, 1);
  assert_int_equal (s->linux->devices[0].minor, 3);
  rule = &s->linux->resources->devices[s->linux->resources->devices_len - 1];
  assert_true (rule->allow);
  assert_string_equal (rule->access, "rw");
  assert_int_equal (rule->major, 1);
  assert_int_equal (s->process->rlimits_len, 1);
  assert_string_equal (s->process->rlimits[0].type, "RLIMIT_NOFILE");
  assert_int_equal (s->process->rlimits[0].soft, 1024);
  assert_int_equal (s->process->rlimits[0].hard, 2048);
  assert_round_trip (s);
  oci_spec_free (s);

  free (hc->devices[0].path_on_host);
  hc->devices[0].path_on_host = xstrdup ("/etc/passwd");
  {
    cleanup_free char *msg = build_error (f);
    assert_string_equal (msg,
                         "error gathering device information while adding custom device \"/etc/passwd\": "
                         "not a device node");
  }
}

static void
test_spec_write (void **state)
{
  struct fixture *f = *state;
  struct oci_spec *s = build (f, NULL), *back = NULL;
  cleanup_error oci_error_t *err = NULL;
  cleanup_free char *path = NULL;

  assert_int_equal (container_spec_write (s, f->cdir, &err), 0);
  xasprintf (&path, "%s/config.json", f->cdir);
  assert_int_equal (oci_spec_parse_file (path, &back, &err), 0);
  assert_true (oci_json_equal (&oci_spec_type, s, back));
  oci_spec_free (back);
  oci_spec_free (s);
}

/* In a child with a new network namespace, where lo starts down.  */
static int
loopback_child (void)
{
  cleanup_error oci_error_t *err = NULL;
  struct ifreq ifr = { 0 };
  int sock;

  if (unshare (CLONE_NEWNET) < 0)
    return 2;
  if (container_netns_loopback_up ("/proc/self/ns/net", &err) < 0)
    return 3;
  /* twice is fine */
  if (container_netns_loopback_up ("/proc/self/ns/net", &err) < 0)
    return 4;
  sock = socket (AF_INET, SOCK_DGRAM, 0);
  strcpy (ifr.ifr_name, "lo");
  if (sock < 0 || ioctl (sock, SIOCGIFFLAGS, &ifr) < 0)
    return 5;
  return (ifr.ifr_flags & IFF_UP) ? 0 : 6;
}

static void
test_netns_loopback_up (void **state)
{
  cleanup_error oci_error_t *err = NULL;
  int status = 0;
  pid_t pid;

  (void) state;
  if (geteuid () != 0)
    skip ();
  pid = fork ();
  assert_true (pid >= 0);
  if (pid == 0)
    _exit (loopback_child ());
  assert_int_equal (waitpid (pid, &status, 0), pid);
  assert_true (WIFEXITED (status));
  assert_int_equal (WEXITSTATUS (status), 0);
  assert_int_equal (container_netns_loopback_up ("/nonexistent/ns/net", &err), -1);
  assert_int_equal (err->status, ENOENT);
}

/* ------------------------------------------------------------ etc files */

static void
test_etc_hosts (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *hosts = NULL, *host_net = NULL;

  f->r->config->hostname = xstrdup ("box");
  f->r->host_config->extra_hosts
      = strv_dup ((char *const[]){ (char *) "db:10.0.0.5", (char *) "v6:fe80::1", NULL });
  hosts = container_hosts_content (f->r, NULL);
  assert_string_equal (hosts, "127.0.0.1\tlocalhost\n"
                              "::1\tlocalhost ip6-localhost ip6-loopback\n"
                              "fe00::0\tip6-localnet\n"
                              "ff00::0\tip6-mcastprefix\n"
                              "ff02::1\tip6-allnodes\n"
                              "ff02::2\tip6-allrouters\n"
                              "10.0.0.5\tdb\n"
                              "fe80::1\tv6\n"
                              "127.0.1.1\tbox\n");
  free (f->r->host_config->network_mode);
  f->r->host_config->network_mode = xstrdup ("host");
  host_net = container_hosts_content (f->r, "127.0.0.1 localhost\n10.1.1.1 myhost");
  assert_string_equal (host_net, "127.0.0.1 localhost\n10.1.1.1 myhost\n10.0.0.5\tdb\nfe80::1\tv6\n");
}

static void
test_etc_resolv (void **state)
{
  struct fixture *f = *state;
  struct container_host_config *hc = f->r->host_config;
  const char *host
      = "# generated\nnameserver 127.0.0.53\nnameserver ::1\nsearch example.com\noptions edns0\n";
  const char *host2 = "nameserver 10.0.0.2\nnameserver 127.0.0.1\nnameserver 2001:db8::1\n";

  {
    cleanup_free char *c = container_resolv_content (f->r, host);
    assert_string_equal (
        c, "# generated\nsearch example.com\noptions edns0\n\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n");
  }
  {
    cleanup_free char *c = container_resolv_content (f->r, host2);
    assert_string_equal (c, "nameserver 10.0.0.2\n");
  }
  hc->dns = strv_dup ((char *const[]){ (char *) "1.1.1.1", NULL });
  hc->dns_options = strv_dup ((char *const[]){ (char *) "ndots:2", NULL });
  {
    cleanup_free char *c = container_resolv_content (f->r, host);
    assert_string_equal (c, "search example.com\nnameserver 1.1.1.1\noptions ndots:2\n");
  }
  hc->dns_search = strv_dup ((char *const[]){ (char *) ".", NULL });
  {
    cleanup_free char *c = container_resolv_content (f->r, host);
    assert_string_equal (c, "nameserver 1.1.1.1\noptions ndots:2\n");
  }
  strv_free (hc->dns);
  hc->dns = NULL;
  {
    /* the host's nameservers, the unreachable ones dropped */
    cleanup_free char *c = container_resolv_content (f->r, host2);
    assert_string_equal (c, "nameserver 10.0.0.2\noptions ndots:2\n");
  }
  free (hc->network_mode);
  hc->network_mode = xstrdup ("host");
  strv_free (hc->dns_search);
  strv_free (hc->dns_options);
  hc->dns_search = hc->dns_options = NULL;
  {
    cleanup_free char *c = container_resolv_content (f->r, host);
    assert_string_equal (c, host);
  }
}

static void
test_etc_files_write (void **state)
{
  struct fixture *f = *state;
  cleanup_error oci_error_t *err = NULL;
  cleanup_free char *hostname = NULL, *hosts = NULL, *resolv = NULL, *p1 = NULL, *p2 = NULL, *p3 = NULL;

  f->r->config->hostname = xstrdup ("0123456789ab");
  assert_int_equal (container_etc_files_write (f->r, f->cdir, &err), 0);
  xasprintf (&p1, "%s/hostname", f->cdir);
  xasprintf (&p2, "%s/hosts", f->cdir);
  xasprintf (&p3, "%s/resolv.conf", f->cdir);
  assert_int_equal (read_file_max (p1, 4096, &hostname, NULL, &err), 0);
  assert_string_equal (hostname, "0123456789ab\n");
  assert_int_equal (read_file_max (p2, 65536, &hosts, NULL, &err), 0);
  assert_non_null (strstr (hosts, "127.0.0.1\tlocalhost\n"));
  assert_non_null (strstr (hosts, "127.0.1.1\t0123456789ab\n"));
  assert_int_equal (read_file_max (p3, 65536, &resolv, NULL, &err), 0);
  assert_non_null (strstr (resolv, "nameserver"));
  assert_null (strstr (resolv, "nameserver 127."));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_user_default_root, setup, teardown),
    cmocka_unit_test_setup_teardown (test_user_name_and_uid, setup, teardown),
    cmocka_unit_test_setup_teardown (test_user_with_group, setup, teardown),
    cmocka_unit_test_setup_teardown (test_user_numeric_unknown, setup, teardown),
    cmocka_unit_test_setup_teardown (test_user_errors, setup, teardown),
    cmocka_unit_test_setup_teardown (test_user_group_add, setup, teardown),
    cmocka_unit_test_setup_teardown (test_user_passwd_symlink_escape, setup, teardown),
    cmocka_unit_test_setup_teardown (test_exec_found, setup, teardown),
    cmocka_unit_test_setup_teardown (test_exec_not_found, setup, teardown),
    cmocka_unit_test_setup_teardown (test_exec_permission, setup, teardown),
    cmocka_unit_test_setup_teardown (test_spec_defaults, setup, teardown),
    cmocka_unit_test_setup_teardown (test_spec_privileged, setup, teardown),
    cmocka_unit_test_setup_teardown (test_spec_security_opts, setup, teardown),
    cmocka_unit_test_setup_teardown (test_spec_caps, setup, teardown),
    cmocka_unit_test (test_seccomp_default),
    cmocka_unit_test_setup_teardown (test_seccomp_profile_file, setup, teardown),
    cmocka_unit_test_setup_teardown (test_spec_memory, setup, teardown),
    cmocka_unit_test_setup_teardown (test_spec_cpu_pids_blkio, setup, teardown),
    cmocka_unit_test_setup_teardown (test_spec_user_env_tty, setup, teardown),
    cmocka_unit_test_setup_teardown (test_spec_user_mounts, setup, teardown),
    cmocka_unit_test_setup_teardown (test_spec_user_mounts_dev, setup, teardown),
    cmocka_unit_test_setup_teardown (test_spec_namespaces, setup, teardown),
    cmocka_unit_test_setup_teardown (test_spec_devices_ulimits, setup, teardown),
    cmocka_unit_test_setup_teardown (test_spec_write, setup, teardown),
    cmocka_unit_test (test_netns_loopback_up),
    cmocka_unit_test_setup_teardown (test_etc_hosts, setup, teardown),
    cmocka_unit_test_setup_teardown (test_etc_resolv, setup, teardown),
    cmocka_unit_test_setup_teardown (test_etc_files_write, setup, teardown),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
