/* berth exec: run a process in a running container through the runtime's
   `exec --process`.  With -t berth listens on a console socket itself,
   receives the pty master and proxies it to its own terminal.  Also the
   helpers of tools.h shared by top, stats, cp, diff, commit and
   healthcheck.  */
#include "config.h"
#include "commands.h"
#include "tools.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "fileutil.h"
#include "manager/container/runtime.h"
#include "manager/container/spec.h"
#include "manager/container/user.h"
#include "runtime_spec.h"
#include "util.h"

/* --- tools.h --- */

int
tool_ctr_open (struct berth_globals *g, const char *ref, struct tool_ctr *t, oci_error_t **err)
{
  struct berth_store *s;
  cleanup_free char *cfg = NULL;
  struct strbuf sb = STRBUF_INIT;
  char errbuf[128];
  int ret;

  memset (t, 0, sizeof *t);
  if (cli_store (g, &s, err) < 0 || store_container_lookup (s, ref, &t->c, err) < 0)
    return -1;
  t->cdir = store_container_dir (s, t->c->id);
  if (container_state_read (t->cdir, &t->st, err) < 0)
    return -1;
  t->record = yajl_tree_parse (t->c->record, errbuf, sizeof errbuf);
  if (t->record == NULL)
    return oci_error_set (err, EINVAL, "%s/create.json: %s", t->cdir, errbuf);
  if (cli_json_member (t->c->record, "Config", &sb, err) < 0)
    return -1;
  /* Docker's Config has the shape of an image's config member.  */
  xasprintf (&cfg,
             "{\"architecture\":\"-\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},"
             "\"config\":%s}",
             streq (strbuf_str (&sb), "null") ? "{}" : strbuf_str (&sb));
  strbuf_release (&sb);
  ret = oci_image_config_parse (cfg, strlen (cfg), "create.json", &t->wrap, err);
  if (ret == 0 && t->wrap->config == NULL)
    t->wrap->config = xzalloc (sizeof *t->wrap->config);
  return ret;
}

void
tool_ctr_clear (struct tool_ctr *t)
{
  store_container_free (t->c);
  free (t->cdir);
  oci_image_config_free (t->wrap);
  yajl_tree_free (t->record);
  memset (t, 0, sizeof *t);
}

int
tool_ctr_require_running (const struct tool_ctr *t, bool allow_paused, oci_error_t **err)
{
  if (t->st.status == CONTAINER_PAUSED && !allow_paused)
    return oci_error_set (err, EINVAL, "container %s is paused, unpause the container before exec", t->c->id);
  if (t->st.status != CONTAINER_RUNNING && t->st.status != CONTAINER_PAUSED)
    return oci_error_set (err, EINVAL, "container %s is not running", t->c->id);
  return 0;
}

yajl_val
tool_ctr_host_config (const struct tool_ctr *t, const char *key)
{
  const char *path[] = { "HostConfig", key, NULL };

  return yajl_tree_get (t->record, path, yajl_t_any);
}

char **
tool_runtime_argv (struct berth_globals *g, const struct tool_ctr *t, char *const *args)
{
  size_t n = strv_len (args), i = 0;
  char **argv = xcalloc (n + 4, sizeof (char *));

  argv[i++] = xstrdup (t->c->runtime);
  argv[i++] = xstrdup ("--root");
  argv[i++] = runtime_state_root (g);
  for (size_t j = 0; j < n; j++)
    argv[i++] = xstrdup (args[j]);
  return argv;
}

pid_t
tool_spawn (char *const *argv, bool null_stdin, bool null_stdout, oci_error_t **err)
{
  pid_t pid = fork ();

  if (pid < 0)
    return oci_error_errno (err, errno, "fork");
  if (pid == 0)
    {
      int nul = open ("/dev/null", O_RDWR);

      if (nul >= 0 && null_stdin)
        dup2 (nul, STDIN_FILENO);
      if (nul >= 0 && null_stdout)
        {
          dup2 (nul, STDOUT_FILENO);
          dup2 (nul, STDERR_FILENO);
        }
      signal (SIGPIPE, SIG_DFL);
      execv (argv[0], argv);
      fprintf (stderr, "Error: exec %s: %s\n", argv[0], strerror (errno));
      _exit (BERTH_EXIT_CANNOT_RUN);
    }
  return pid;
}

int
tool_wait (pid_t pid)
{
  int status;

  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return BERTH_EXIT_ERROR;
  if (WIFSIGNALED (status))
    return 128 + WTERMSIG (status);
  return WEXITSTATUS (status);
}

char *
tool_tmpdir (const char *tag, oci_error_t **err)
{
  char *dir = NULL;

  xasprintf (&dir, "/tmp/berth-%s-XXXXXX", tag);
  if (mkdtemp (dir) == NULL)
    {
      oci_error_errno (err, errno, "mkdtemp %s", dir);
      free (dir);
      return NULL;
    }
  return dir;
}

/* --- exec options --- */

static const char exec_help[]
    = "Usage:  berth exec [OPTIONS] CONTAINER COMMAND [ARG...]\n\n"
      "Execute a command in a running container\n\n"
      "Aliases:\n  berth container exec, berth exec\n\n"
      "Options:\n"
      "  -d, --detach               Detached mode: run command in the background\n"
      "      --detach-keys string   Override the key sequence for detaching a container\n"
      "  -e, --env list             Set environment variables\n"
      "      --env-file list        Read in a file of environment variables\n"
      "  -i, --interactive          Keep STDIN open even if not attached\n"
      "      --privileged           Give extended privileges to the command\n"
      "  -t, --tty                  Allocate a pseudo-TTY\n"
      "  -u, --user string          Username or UID (format: \"<name|uid>[:<group|gid>]\")\n"
      "  -w, --workdir string       Working directory inside the container\n";

struct exec_opts
{
  bool detach, interactive, tty, privileged;
  const char *detach_keys, *user, *workdir;
  char **env; /* -e and --env-file, in order */
  char **argv;
};

static void
strv_push (char ***v, char *s)
{
  size_t n = *v ? strv_len (*v) : 0;

  *v = xreallocarray (*v, n + 2, sizeof (char *));
  (*v)[n] = s;
  (*v)[n + 1] = NULL;
}

/* "KEY" alone takes the value from our environment (dropped when unset).  */
static void
env_add_arg (char ***env, const char *arg)
{
  const char *v;
  char *kv = NULL;

  if (strchr (arg, '=') != NULL)
    {
      strv_push (env, xstrdup (arg));
      return;
    }
  v = getenv (arg);
  if (v == NULL)
    return;
  xasprintf (&kv, "%s=%s", arg, v);
  strv_push (env, kv);
}

static int
env_file_read (char ***env, const char *path, oci_error_t **err)
{
  cleanup_free char *data = NULL;
  char *save = NULL;

  if (read_file_max (path, 1 << 20, &data, NULL, err) < 0)
    return -1;
  for (char *line = strtok_r (data, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      size_t len;

      line += strspn (line, " \t");
      len = strlen (line);
      while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
        line[--len] = '\0';
      if (*line == '\0' || *line == '#')
        continue;
      if (*line == '=')
        return oci_error_set (err, EINVAL, "invalid environment variable: %s", line);
      env_add_arg (env, line);
    }
  return 0;
}

/* Replace KEY=... in env or append.  */
static void
env_set (char ***env, const char *kv)
{
  size_t klen = strcspn (kv, "=");

  for (size_t i = 0; *env && (*env)[i]; i++)
    if (strncmp ((*env)[i], kv, klen) == 0 && (*env)[i][klen] == '=')
      {
        free ((*env)[i]);
        (*env)[i] = xstrdup (kv);
        return;
      }
  strv_push (env, xstrdup (kv));
}

static bool
env_has (char *const *env, const char *key)
{
  size_t klen = strlen (key);

  for (size_t i = 0; env && env[i]; i++)
    if (strncmp (env[i], key, klen) == 0 && env[i][klen] == '=')
      return true;
  return false;
}

static int
exec_parse (int argc, char **argv, struct exec_opts *o, bool *help, oci_error_t **err)
{
  enum
  {
    OPT_DETACH_KEYS = 256,
    OPT_ENV_FILE,
    OPT_PRIVILEGED,
  };
  static const struct option opts[] = {
    { "detach", no_argument, NULL, 'd' },
    { "detach-keys", required_argument, NULL, OPT_DETACH_KEYS },
    { "env", required_argument, NULL, 'e' },
    { "env-file", required_argument, NULL, OPT_ENV_FILE },
    { "interactive", no_argument, NULL, 'i' },
    { "privileged", no_argument, NULL, OPT_PRIVILEGED },
    { "tty", no_argument, NULL, 't' },
    { "user", required_argument, NULL, 'u' },
    { "workdir", required_argument, NULL, 'w' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  int c;

  opterr = 0;
  while ((c = getopt_long (argc, argv, "+de:itu:w:h", opts, NULL)) != -1)
    switch (c)
      {
      case 'd':
        o->detach = true;
        break;
      case OPT_DETACH_KEYS:
        o->detach_keys = optarg;
        break;
      case 'e':
        env_add_arg (&o->env, optarg);
        break;
      case OPT_ENV_FILE:
        if (env_file_read (&o->env, optarg, err) < 0)
          return -1;
        break;
      case 'i':
        o->interactive = true;
        break;
      case OPT_PRIVILEGED:
        o->privileged = true;
        break;
      case 't':
        o->tty = true;
        break;
      case 'u':
        o->user = optarg;
        break;
      case 'w':
        o->workdir = optarg;
        break;
      case 'h':
        *help = true;
        return 0;
      default:
        return cli_usage_error ("exec", "unknown flag or missing argument", err);
      }
  if (argc - optind < 2)
    return cli_usage_error ("exec", "\"berth exec\" requires at least 2 arguments.", err);
  if (o->tty && o->interactive && !o->detach && !isatty (STDIN_FILENO))
    return oci_error_set (err, ENOTTY, "the input device is not a TTY");
  o->argv = argv + optind;
  return 0;
}

/* --- the process --- */

static void
caps_all (struct oci_process *p)
{
  struct oci_capabilities *c = p->capabilities;

  if (c == NULL)
    c = p->capabilities = xzalloc (sizeof *c);
  strv_free (c->bounding);
  strv_free (c->effective);
  strv_free (c->permitted);
  c->bounding = container_caps_available ();
  c->effective = container_caps_available ();
  c->permitted = container_caps_available ();
}

static char **
exec_env (const struct tool_ctr *t, const struct exec_opts *o, const char *home)
{
  const char *hpath[] = { "Config", "Hostname", NULL };
  yajl_val hn = yajl_tree_get (t->record, hpath, yajl_t_string);
  char **env = NULL;
  char *kv = NULL;

  strv_push (&env, xstrdup ("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
  if (hn && YAJL_GET_STRING (hn))
    {
      xasprintf (&kv, "HOSTNAME=%s", YAJL_GET_STRING (hn));
      strv_push (&env, kv);
    }
  if (o->tty)
    strv_push (&env, xstrdup ("TERM=xterm"));
  for (size_t i = 0; t->wrap->config->env && t->wrap->config->env[i]; i++)
    env_set (&env, t->wrap->config->env[i]);
  for (size_t i = 0; o->env && o->env[i]; i++)
    env_set (&env, o->env[i]);
  if (!env_has (env, "HOME"))
    {
      xasprintf (&kv, "HOME=%s", home && *home ? home : "/");
      strv_push (&env, kv);
    }
  return env;
}

static char **
group_add_list (const struct tool_ctr *t)
{
  yajl_val ga = tool_ctr_host_config (t, "GroupAdd");
  char **out = xcalloc (1, sizeof (char *));

  if (ga == NULL || !YAJL_IS_ARRAY (ga))
    return out;
  for (size_t i = 0; i < ga->u.array.len; i++)
    if (YAJL_IS_STRING (ga->u.array.values[i]))
      strv_push (&out, xstrdup (YAJL_GET_STRING (ga->u.array.values[i])));
  return out;
}

static int
exec_user (const struct tool_ctr *t, const struct exec_opts *o, int rootfd, struct oci_process *p,
           char **home, oci_error_t **err)
{
  const char *user = o->user ? o->user : t->wrap->config->user;
  cleanup_strv char **ga = group_add_list (t);

  return container_process_set_user (p, rootfd, user, ga, home, err);
}

/* The container's process (caps, rlimits, no_new_privs...) with our
   command, env, user and cwd.  A command that cannot run: *code is set to
   126 or 127 and the error says why.  */
static int
exec_process (const struct tool_ctr *t, const struct exec_opts *o, struct oci_process **out, int *code,
              oci_error_t **err)
{
  cleanup_free char *cfgpath = NULL;
  cleanup_free char *merged = NULL;
  cleanup_free char *home = NULL;
  cleanup_close int rootfd = -1;
  struct oci_spec *spec = NULL;
  struct oci_process *p;

  *code = 0;
  xasprintf (&cfgpath, "%s/config.json", t->cdir);
  if (oci_spec_parse_file (cfgpath, &spec, err) < 0)
    return -1;
  p = spec->process ? spec->process : xzalloc (sizeof *p);
  spec->process = NULL;
  oci_spec_free (spec);
  *out = p;
  /* The container's own view of its root (its mount namespace may be one
     the rootfs mount of the host is not visible in), else the rootfs.  */
  if (t->st.pid > 0)
    xasprintf (&merged, "/proc/%d/root", (int) t->st.pid);
  else
    xasprintf (&merged, "%s/merged", t->cdir);
  rootfd = open (merged, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return oci_error_errno (err, errno, "open %s", merged);
  if (exec_user (t, o, rootfd, p, &home, err) < 0)
    return -1;
  strv_free (p->env);
  p->env = exec_env (t, o, home);
  strv_free (p->args);
  p->args = strv_dup (o->argv);
  free (p->cwd);
  p->cwd = xstrdup (o->workdir ? o->workdir
                    : t->wrap->config->working_dir && *t->wrap->config->working_dir
                        ? t->wrap->config->working_dir
                        : "/");
  p->terminal = o->tty && !o->detach;
  p->terminal_present = true;
  free (p->console_size);
  p->console_size = NULL;
  if (o->privileged)
    caps_all (p);
  if (container_check_executable (rootfd, p->args[0], p->env, p->cwd, err) < 0)
    {
      *code = (*err)->status == ENOENT ? BERTH_EXIT_NOT_FOUND : BERTH_EXIT_CANNOT_RUN;
      return -1;
    }
  return 0;
}

static int
exec_write_process (const char *tmp, struct oci_process *p, char **path, oci_error_t **err)
{
  cleanup_free char *json = NULL;
  size_t len;

  xasprintf (path, "%s/process.json", tmp);
  if (oci_process_emit (p, false, &json, &len, err) < 0)
    return -1;
  return write_file_atomic (*path, json, len, 0600, err);
}

/* A temp dir with process.json for o; *code as exec_process.  */
static int
exec_prepare (const struct tool_ctr *t, const struct exec_opts *o, char **tmp, char **pfile, int *code,
              oci_error_t **err)
{
  struct oci_process *p = NULL;
  int ret = exec_process (t, o, &p, code, err);

  if (ret == 0)
    *tmp = tool_tmpdir ("exec", err);
  if (ret == 0 && (*tmp == NULL || exec_write_process (*tmp, p, pfile, err) < 0))
    ret = -1;
  oci_process_free (p);
  if (ret < 0 && *tmp)
    {
      remove_recursive (*tmp, NULL);
      free (*tmp);
      *tmp = NULL;
    }
  return ret;
}

int
tool_exec_prepare (const struct tool_ctr *t, char **cmd, char **tmpdir, char **process_file, int *code,
                   oci_error_t **err)
{
  struct exec_opts o = { .argv = cmd };

  *tmpdir = NULL;
  return exec_prepare (t, &o, tmpdir, process_file, code, err);
}

/* --- the terminal --- */

static volatile sig_atomic_t got_winch;

static void
on_winch (int sig)
{
  (void) sig;
  got_winch = 1;
}

static void
resize (int master)
{
  struct winsize ws;

  if (ioctl (STDIN_FILENO, TIOCGWINSZ, &ws) == 0 || ioctl (STDOUT_FILENO, TIOCGWINSZ, &ws) == 0)
    ioctl (master, TIOCSWINSZ, &ws);
}

/* "ctrl-p,ctrl-q" → bytes {0x10, 0x11}.  */
static int
detach_keys_parse (const char *spec, char *keys, size_t max, size_t *n, oci_error_t **err)
{
  cleanup_free char *copy = xstrdup (spec);
  char *save = NULL;

  *n = 0;
  for (char *k = strtok_r (copy, ",", &save); k; k = strtok_r (NULL, ",", &save))
    {
      if (*n == max)
        return oci_error_set (err, EINVAL, "invalid detach keys (%s): too long", spec);
      if (strlen (k) == 1)
        keys[(*n)++] = k[0];
      else if (has_prefix (k, "ctrl-") && strlen (k) == 6)
        {
          char ch = k[5];

          if (ch >= 'a' && ch <= 'z')
            keys[(*n)++] = (char) (ch - 'a' + 1);
          else if (ch == '@' || (ch >= '[' && ch <= '_'))
            keys[(*n)++] = (char) (ch == '@' ? 0 : ch - '@');
          else
            return oci_error_set (err, EINVAL, "invalid detach keys (%s)", spec);
        }
      else
        return oci_error_set (err, EINVAL, "invalid detach keys (%s)", spec);
    }
  return 0;
}

static int
console_listen (const char *path, oci_error_t **err)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int fd;

  if (strlen (path) >= sizeof addr.sun_path)
    return oci_error_set (err, ENAMETOOLONG, "console socket path too long: %s", path);
  strcpy (addr.sun_path, path);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return oci_error_errno (err, errno, "socket");
  if (bind (fd, (struct sockaddr *) &addr, sizeof addr) < 0 || listen (fd, 1) < 0)
    {
      oci_error_errno (err, errno, "listen on %s", path);
      close (fd);
      return -1;
    }
  return fd;
}

static int
recv_fd (int sock, oci_error_t **err)
{
  char buf[256];
  char cbuf[CMSG_SPACE (sizeof (int))];
  struct iovec iov = { buf, sizeof buf };
  struct msghdr msg
      = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf };
  struct cmsghdr *cm;
  int fd;

  if (recvmsg (sock, &msg, MSG_CMSG_CLOEXEC) < 0)
    return oci_error_errno (err, errno, "receive the pty master");
  cm = CMSG_FIRSTHDR (&msg);
  if (cm == NULL || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
    return oci_error_set (err, EIO, "receive the pty master: no file descriptor");
  memcpy (&fd, CMSG_DATA (cm), sizeof fd);
  return fd;
}

/* Wait for the runtime to connect and send the master; -2 when the
   runtime exited first (*status set).  */
static int
console_accept (int lfd, pid_t child, int *status, oci_error_t **err)
{
  for (;;)
    {
      struct pollfd pfd = { lfd, POLLIN, 0 };
      int n = poll (&pfd, 1, 100);

      if (n > 0)
        {
          cleanup_close int c = accept4 (lfd, NULL, NULL, SOCK_CLOEXEC);

          if (c < 0)
            return oci_error_errno (err, errno, "accept on the console socket");
          return recv_fd (c, err);
        }
      if (waitpid (child, status, WNOHANG) == child)
        return -2;
    }
}

struct proxy
{
  int master;
  pid_t child;
  bool use_stdin;
  char keys[16];
  size_t nkeys, matched;
};

/* Copy stdin to the master; returns 1 on the detach sequence, -1 on EOF.  */
static int
proxy_stdin (struct proxy *p)
{
  char buf[4096];
  ssize_t n = read (STDIN_FILENO, buf, sizeof buf);

  if (n <= 0)
    return -1;
  for (ssize_t i = 0; i < n && p->nkeys > 0; i++)
    {
      p->matched = buf[i] == p->keys[p->matched] ? p->matched + 1 : (buf[i] == p->keys[0] ? 1 : 0);
      if (p->matched == p->nkeys)
        return 1;
    }
  write_all (p->master, buf, (size_t) n);
  return 0;
}

static bool
proxy_master (struct proxy *p)
{
  char buf[8192];
  ssize_t n = read (p->master, buf, sizeof buf);

  if (n <= 0)
    return n < 0 && errno == EINTR;
  write_all (STDOUT_FILENO, buf, (size_t) n);
  return true;
}

/* Returns the exit code, or -1 when the user detached.  */
static int
proxy_run (struct proxy *p)
{
  bool stdin_open = p->use_stdin;
  int status;

  for (;;)
    {
      struct pollfd pfd[2] = { { p->master, POLLIN, 0 }, { STDIN_FILENO, POLLIN, 0 } };
      int n;

      if (got_winch)
        {
          got_winch = 0;
          resize (p->master);
        }
      n = poll (pfd, stdin_open ? 2 : 1, 200);
      if (n < 0 && errno != EINTR)
        break;
      if (n > 0 && pfd[0].revents && !proxy_master (p))
        break;
      if (n > 0 && stdin_open && pfd[1].revents)
        {
          int r = proxy_stdin (p);

          if (r == 1)
            return -1;
          if (r < 0)
            stdin_open = false;
        }
      if (waitpid (p->child, &status, WNOHANG) == p->child)
        {
          fcntl (p->master, F_SETFL, O_NONBLOCK);
          while (proxy_master (p))
            ;
          return WIFSIGNALED (status) ? 128 + WTERMSIG (status) : WEXITSTATUS (status);
        }
    }
  return tool_wait (p->child);
}

static int
exec_tty (char **argv, const char *sock, const struct exec_opts *o, oci_error_t **err)
{
  cleanup_close int lfd = console_listen (sock, err);
  cleanup_close int master = -1;
  struct proxy p = { .use_stdin = o->interactive };
  struct termios saved, raw;
  bool is_tty = isatty (STDIN_FILENO);
  int status = 0, code;

  if (lfd < 0
      || detach_keys_parse (o->detach_keys ? o->detach_keys : "ctrl-p,ctrl-q", p.keys, sizeof p.keys,
                            &p.nkeys, err)
             < 0)
    return -1;
  p.child = tool_spawn (argv, !o->interactive, false, err);
  if (p.child < 0)
    return -1;
  master = console_accept (lfd, p.child, &status, err);
  if (master == -2)
    return WIFSIGNALED (status) ? 128 + WTERMSIG (status) : WEXITSTATUS (status);
  if (master < 0)
    return -1;
  p.master = master;
  signal (SIGWINCH, on_winch);
  resize (master);
  if (is_tty && o->interactive && tcgetattr (STDIN_FILENO, &saved) == 0)
    {
      raw = saved;
      cfmakeraw (&raw);
      tcsetattr (STDIN_FILENO, TCSADRAIN, &raw);
    }
  else
    is_tty = false;
  code = proxy_run (&p);
  if (is_tty)
    tcsetattr (STDIN_FILENO, TCSADRAIN, &saved);
  if (code == -1)
    {
      fputs ("\nread escape sequence\n", stderr);
      return 0;
    }
  return code;
}

static int
exec_run (struct berth_globals *g, struct tool_ctr *t, const struct exec_opts *o, oci_error_t **err)
{
  cleanup_free char *tmp = NULL;
  cleanup_free char *pfile = NULL;
  cleanup_free char *pidfile = NULL;
  cleanup_free char *sock = NULL;
  cleanup_strv char **argv = NULL;
  const char *args[12];
  size_t n = 0;
  int ret, code;

  if (exec_prepare (t, o, &tmp, &pfile, &code, err) < 0)
    {
      if (code == 0)
        return -1;
      fprintf (stderr, "Error: %s\n", (*err)->msg);
      oci_error_free (err);
      return code;
    }
  args[n++] = "exec";
  args[n++] = "--process";
  args[n++] = pfile;
  if (o->detach)
    {
      xasprintf (&pidfile, "%s/pid", tmp);
      args[n++] = "--detach";
      args[n++] = "--pid-file";
      args[n++] = pidfile;
    }
  else if (o->tty)
    {
      xasprintf (&sock, "%s/console.sock", tmp);
      args[n++] = "--tty";
      args[n++] = "--console-socket";
      args[n++] = sock;
    }
  args[n++] = t->c->id;
  args[n] = NULL;
  argv = tool_runtime_argv (g, t, (char *const *) args);
  if (o->tty && !o->detach)
    ret = exec_tty (argv, sock, o, err);
  else
    {
      pid_t pid = tool_spawn (argv, o->detach || !o->interactive, o->detach, err);

      ret = pid < 0 ? -1 : tool_wait (pid);
      if (o->detach && ret != 0)
        ret = oci_error_set (err, EIO, "exec in container %s failed (runtime exit status %d)", t->c->id, ret);
    }
  remove_recursive (tmp, NULL);
  return ret;
}

int
cmd_exec (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  struct exec_opts o = { 0 };
  struct tool_ctr t;
  bool help = false;
  int ret;

  if (exec_parse (argc, argv, &o, &help, err) < 0)
    {
      strv_free (o.env);
      return -1;
    }
  if (help)
    {
      fputs (exec_help, stdout);
      strv_free (o.env);
      return 0;
    }
  ret = tool_ctr_open (g, o.argv[0], &t, err);
  o.argv++;
  if (ret == 0)
    ret = tool_ctr_require_running (&t, false, err);
  if (ret == 0)
    ret = exec_run (g, &t, &o, err);
  tool_ctr_clear (&t);
  strv_free (o.env);
  return ret;
}
