/* berth run, create, start, attach; berth system boot; the hidden
   `berth container cleanup ID` that a container's monitor runs when it
   is done.  */
#include "config.h"
#include "commands.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <sys/file.h>

#include "manager/container/attach.h"
#include "manager/container/control.h"
#include "manager/container/create.h"
#include "manager/container/monitor_proto.h"
#include "manager/container/opts.h"
#include "manager/container/record.h"
#include "manager/container/runtime.h"
#include "manager/container/state.h"
#include "manager/store/containers.h"
#include "strbuf.h"
#include "util.h"

static const char start_help[]
    = "Usage:  berth start [OPTIONS] CONTAINER [CONTAINER...]\n\n"
      "Start one or more stopped containers\n\n"
      "Aliases:\n  berth container start, berth start\n\n"
      "Options:\n"
      "  -a, --attach               Attach STDOUT/STDERR and forward signals\n"
      "      --detach-keys string   Override the key sequence for detaching a container\n"
      "  -i, --interactive          Attach container's STDIN\n";

static const char attach_help[]
    = "Usage:  berth attach [OPTIONS] CONTAINER\n\n"
      "Attach local standard input, output, and error streams to a running container\n\n"
      "Aliases:\n  berth container attach, berth attach\n\n"
      "Options:\n"
      "      --detach-keys string   Override the key sequence for detaching a container\n"
      "      --no-stdin             Do not attach STDIN\n"
      "      --sig-proxy            Proxy all received signals to the process (default true)\n";

static const char boot_help[] = "Usage:  berth system boot\n\n"
                                "Start the containers that must run after a reboot: those with the restart\n"
                                "policy \"always\" or \"unless-stopped\" that are not running and were not\n"
                                "stopped by a user.  Meant for a systemd unit or an init script.\n";

/* --- signal proxying and waiting --- */

struct proxy
{
  struct berth_globals *g;
  const struct store_container *c;
};

/* sig-proxy: what berth receives goes to the container (runtime kill).  */
static void
proxy_signal (int sig, void *data)
{
  struct proxy *p = data;
  cleanup_error oci_error_t *e = NULL;
  char num[16];
  char *args[] = { (char *) "kill", p->c->id, num, NULL };

  snprintf (num, sizeof num, "%d", sig);
  runtime_run (p->g, p->c->runtime, args, NULL, &e);
}

/* Block until the container's monitor is gone (it holds monitor.lock for
   its whole life, cleanup included).  */
static void
wait_monitor_gone (struct berth_globals *g, const char *id)
{
  cleanup_free char *cdir = NULL, *lock = NULL;
  cleanup_close int fd = -1;
  struct berth_store *s;
  cleanup_error oci_error_t *e = NULL;

  if (cli_store (g, &s, &e) < 0)
    return;
  cdir = store_container_dir (s, id);
  xasprintf (&lock, "%s/%s", cdir, MONITOR_LOCK_FILE);
  fd = open (lock, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return;
  while (flock (fd, LOCK_SH) < 0 && errno == EINTR)
    ;
}

/* Stream the container's stdio until it exits (its exit code) or the
   user detaches (0).  */
static int
stream (struct berth_globals *g, const struct store_container *c, int fd, const struct attach_opts *base,
        bool sig_proxy, bool *detached, oci_error_t **err)
{
  struct proxy p = { g, c };
  struct attach_opts o = *base;
  int code = 0, ret;

  if (sig_proxy && !o.tty)
    {
      o.signal_cb = proxy_signal;
      o.signal_data = &p;
    }
  ret = attach_stream (fd, &o, &code, err);
  if (ret < 0)
    return -1;
  *detached = ret == 1;
  return ret == 1 ? 0 : code;
}

static int
record_of (const struct store_container *c, struct container_record **r, oci_error_t **err)
{
  return container_record_parse (c->record, strlen (c->record), "create.json", r, err);
}

/* --- run / create --- */

/* container_create's result as an exit code: 126/127 print docker's
   message themselves.  */
static int
create_failed (int ret, oci_error_t **err)
{
  if (ret == -BERTH_EXIT_NOT_FOUND || ret == -BERTH_EXIT_CANNOT_RUN)
    {
      fprintf (stderr, "Error: %s\n", (*err)->msg);
      oci_error_free (err);
      return -ret;
    }
  return -1;
}

static int
parse_opts (int argc, char **argv, bool is_run, struct container_opts **o, oci_error_t **err)
{
  int ret;

  optind = 0;
  ret = container_opts_parse (argc, argv, is_run, o, err);
  if (ret == 1)
    container_opts_usage (stdout, is_run);
  return ret;
}

int
cmd_create (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  cleanup_container_opts struct container_opts *o = NULL;
  struct store_container *c = NULL;
  int ret;

  ret = parse_opts (argc, argv, false, &o, err);
  if (ret != 0)
    return ret < 0 ? -1 : 0;
  ret = container_create (g, o, &c, err);
  if (ret < 0)
    return create_failed (ret, err);
  printf ("%s\n", c->id);
  store_container_free (c);
  return 0;
}

static bool
attach_wants (const struct container_opts *o, const char *stream)
{
  return o->attach == NULL || oci_strv_contains ((const char *const *) o->attach, stream);
}

/* A foreground run of a container without a restart policy cleans up
   after it itself (saving the monitor a berth process): it holds the
   waiter lock so that the monitor skips its cleanup command.  Returns the
   locked fd, or -1 when the monitor keeps the job.  */
static int
waiter_lock (struct berth_globals *g, const struct container_opts *o, const struct store_container *c)
{
  const struct container_host_config *hc = o->record->host_config;
  cleanup_free char *cdir = NULL, *path = NULL;
  struct berth_store *s;
  cleanup_error oci_error_t *e = NULL;
  int fd;

  if (hc && hc->restart_policy && hc->restart_policy->name && !streq (hc->restart_policy->name, "no"))
    return -1;
  if (cli_store (g, &s, &e) < 0)
    return -1;
  cdir = store_container_dir (s, c->id);
  xasprintf (&path, "%s/%s", cdir, MONITOR_WAITER_LOCK_FILE);
  fd = open (path, O_RDONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd >= 0 && flock (fd, LOCK_SH) < 0)
    {
      close (fd);
      return -1;
    }
  return fd;
}

static int
run_foreground (struct berth_globals *g, struct container_opts *o, const struct store_container *c,
                oci_error_t **err)
{
  struct attach_opts ao = {
    .use_stdin = o->interactive || (o->attach && attach_wants (o, "stdin")),
    .tty = o->tty,
    .drop_stdout = !attach_wants (o, "stdout"),
    .drop_stderr = !attach_wants (o, "stderr"),
    .detach_keys = o->detach_keys,
  };
  cleanup_close int fd = -1;
  cleanup_close int waiter = waiter_lock (g, o, c);
  cleanup_error oci_error_t *cerr = NULL;
  bool detached = false;
  int code;

  if (container_start (g, c, &fd, err) < 0)
    return -1;
  code = stream (g, c, fd, &ao, o->sig_proxy, &detached, err);
  if (code < 0 || detached)
    return code;
  if (waiter >= 0)
    {
      /* The container ended for good: once the monitor is gone, do its
         cleanup (unmount, and removal for --rm).  */
      wait_monitor_gone (g, c->id);
      if (container_cleanup (g, c, &cerr) < 0)
        fprintf (stderr, "Error: %s\n", cerr->msg);
    }
  else if (o->rm)
    wait_monitor_gone (g, c->id);
  return code;
}

/* A container that could not start is removed for --rm, as docker does.  */
static void
run_start_failed (struct berth_globals *g, const struct container_opts *o, const struct store_container *c)
{
  cleanup_error oci_error_t *e = NULL;

  if (o->rm)
    container_remove (g, c, true, true, &e);
}

int
cmd_run (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  cleanup_container_opts struct container_opts *o = NULL;
  struct store_container *c = NULL;
  int ret;

  ret = parse_opts (argc, argv, true, &o, err);
  if (ret != 0)
    return ret < 0 ? -1 : 0;
  ret = container_create (g, o, &c, err);
  if (ret < 0)
    return create_failed (ret, err);
  if (o->detach)
    {
      ret = container_start (g, c, NULL, err);
      if (ret == 0)
        printf ("%s\n", c->id);
    }
  else
    ret = run_foreground (g, o, c, err);
  if (ret < 0)
    run_start_failed (g, o, c);
  store_container_free (c);
  return ret;
}

/* --- start --- */

struct start_opts
{
  bool attach, interactive;
  const char *detach_keys;
};

static int
start_attached (struct berth_globals *g, const struct store_container *c, const struct start_opts *so,
                oci_error_t **err)
{
  cleanup_container_record struct container_record *r = NULL;
  struct attach_opts ao = { .detach_keys = so->detach_keys };
  cleanup_close int fd = -1;
  bool detached = false, rm;
  int code;

  if (record_of (c, &r, err) < 0)
    return -1;
  ao.tty = r->config && r->config->tty;
  ao.use_stdin = so->interactive && r->config && r->config->open_stdin;
  rm = r->host_config && r->host_config->auto_remove;
  if (container_start (g, c, &fd, err) < 0)
    return -1;
  code = stream (g, c, fd, &ao, true, &detached, err);
  if (code >= 0 && rm && !detached)
    wait_monitor_gone (g, c->id);
  return code;
}

static int
start_parse (int argc, char **argv, struct start_opts *so, oci_error_t **err)
{
  enum
  {
    OPT_DETACH_KEYS = 256
  };
  static const struct option opts[] = {
    { "attach", no_argument, NULL, 'a' },
    { "interactive", no_argument, NULL, 'i' },
    { "detach-keys", required_argument, NULL, OPT_DETACH_KEYS },
    { NULL, 0, NULL, 0 },
  };
  int c;

  while ((c = getopt_long (argc, argv, "+ai", opts, NULL)) != -1)
    switch (c)
      {
      case 'a':
        so->attach = true;
        break;
      case 'i':
        so->interactive = true;
        break;
      case OPT_DETACH_KEYS:
        so->detach_keys = optarg;
        break;
      default:
        return cli_usage_error ("start", "invalid option", err);
      }
  if (optind >= argc)
    return cli_usage_error ("start", "\"berth start\" requires at least 1 argument.", err);
  if ((so->attach || so->interactive) && argc - optind > 1)
    return oci_error_set (err, EINVAL, "you cannot start and attach multiple containers at once");
  return 0;
}

int
cmd_start (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  struct start_opts so = { false, false, NULL };
  cleanup_strbuf struct strbuf failed = STRBUF_INIT;
  struct berth_store *s;

  if (cli_wants_help (argc, argv))
    {
      fputs (start_help, stdout);
      return 0;
    }
  if (start_parse (argc, argv, &so, err) < 0 || cli_store (g, &s, err) < 0)
    return -1;
  for (int i = optind; i < argc; i++)
    {
      cleanup_error oci_error_t *e = NULL;
      struct store_container *c = NULL;
      int ret = store_container_lookup (s, argv[i], &c, &e);

      if (ret == 0 && (so.attach || so.interactive))
        {
          ret = start_attached (g, c, &so, &e);
          store_container_free (c);
          if (ret >= 0)
            return ret;
        }
      else if (ret == 0)
        {
          ret = container_start (g, c, NULL, &e);
          store_container_free (c);
        }
      if (ret == 0)
        printf ("%s\n", argv[i]);
      else
        {
          fprintf (stderr, "Error: %s\n", e->msg);
          strbuf_addf (&failed, "%s%s", failed.len ? ", " : "", argv[i]);
        }
    }
  if (failed.len == 0)
    return 0;
  /* docker's status for a partial failure */
  fprintf (stderr, "Error: failed to start containers: %s\n", strbuf_str (&failed));
  return 1;
}

/* --- attach --- */

struct attach_cli
{
  bool no_stdin, sig_proxy;
  const char *detach_keys;
};

static int
parse_bool_flag (const char *flag, const char *arg, bool *out, oci_error_t **err)
{
  if (arg == NULL || streq (arg, "true") || streq (arg, "1"))
    *out = true;
  else if (streq (arg, "false") || streq (arg, "0"))
    *out = false;
  else
    return oci_error_set (err, EINVAL,
                          "invalid argument \"%s\" for \"%s\" flag: strconv.ParseBool: parsing \"%s\": "
                          "invalid syntax",
                          arg, flag, arg);
  return 0;
}

static int
attach_parse (int argc, char **argv, struct attach_cli *ac, oci_error_t **err)
{
  enum
  {
    OPT_DETACH_KEYS = 256,
    OPT_NO_STDIN,
    OPT_SIG_PROXY,
  };
  static const struct option opts[] = {
    { "detach-keys", required_argument, NULL, OPT_DETACH_KEYS },
    { "no-stdin", no_argument, NULL, OPT_NO_STDIN },
    { "sig-proxy", optional_argument, NULL, OPT_SIG_PROXY },
    { NULL, 0, NULL, 0 },
  };
  int c;

  while ((c = getopt_long (argc, argv, "+", opts, NULL)) != -1)
    switch (c)
      {
      case OPT_DETACH_KEYS:
        ac->detach_keys = optarg;
        break;
      case OPT_NO_STDIN:
        ac->no_stdin = true;
        break;
      case OPT_SIG_PROXY:
        if (parse_bool_flag ("--sig-proxy", optarg, &ac->sig_proxy, err) < 0)
          return -1;
        break;
      default:
        return cli_usage_error ("attach", "invalid option", err);
      }
  if (argc - optind != 1)
    return cli_usage_error ("attach", "\"berth attach\" requires exactly 1 argument.", err);
  return 0;
}

static int
attach_check_running (struct berth_store *s, const struct store_container *c, oci_error_t **err)
{
  cleanup_free char *cdir = store_container_dir (s, c->id);
  struct container_state st;

  if (container_state_read (cdir, &st, err) < 0)
    return -1;
  if (st.status == CONTAINER_PAUSED)
    return oci_error_set (err, EINVAL, "You cannot attach to a paused container, unpause it first");
  if (st.status != CONTAINER_RUNNING && st.status != CONTAINER_RESTARTING)
    return oci_error_set (err, EINVAL, "You cannot attach to a stopped container, start it first");
  return 0;
}

static int
attach_run (struct berth_globals *g, const struct store_container *c, const struct attach_cli *ac,
            oci_error_t **err)
{
  cleanup_container_record struct container_record *r = NULL;
  cleanup_free char *cdir = NULL;
  cleanup_close int fd = -1;
  struct attach_opts ao = { .detach_keys = ac->detach_keys };
  struct berth_store *s;
  bool detached = false;
  int code;

  if (cli_store (g, &s, err) < 0 || record_of (c, &r, err) < 0 || attach_check_running (s, c, err) < 0)
    return -1;
  ao.tty = r->config && r->config->tty;
  ao.use_stdin = !ac->no_stdin && r->config && r->config->open_stdin;
  cdir = store_container_dir (s, c->id);
  if (attach_connect (cdir, &fd, err) < 0)
    return -1;
  code = stream (g, c, fd, &ao, ac->sig_proxy, &detached, err);
  if (code >= 0 && detached)
    {
      fprintf (stderr, "read escape sequence\n");
      return 1;
    }
  return code;
}

int
cmd_attach (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  struct attach_cli ac = { false, true, NULL };
  struct store_container *c = NULL;
  struct berth_store *s;
  int ret;

  if (cli_wants_help (argc, argv))
    {
      fputs (attach_help, stdout);
      return 0;
    }
  if (attach_parse (argc, argv, &ac, err) < 0 || cli_store (g, &s, err) < 0
      || store_container_lookup (s, argv[optind], &c, err) < 0)
    return -1;
  ret = attach_run (g, c, &ac, err);
  store_container_free (c);
  return ret;
}

/* --- system boot --- */

/* Whether the container must be started at boot.  */
static bool
boot_wanted (struct berth_store *s, const struct store_container *c)
{
  cleanup_container_record struct container_record *r = NULL;
  cleanup_error oci_error_t *e = NULL;
  cleanup_free char *cdir = NULL, *stopped = NULL;
  const struct container_restart_policy *rp;
  struct container_state st;

  if (record_of (c, &r, &e) < 0 || r->host_config == NULL || r->host_config->restart_policy == NULL)
    return false;
  rp = r->host_config->restart_policy;
  if (rp->name == NULL || (!streq (rp->name, "always") && !streq (rp->name, "unless-stopped")))
    return false;
  cdir = store_container_dir (s, c->id);
  if (container_state_read (cdir, &st, &e) < 0 || st.monitor_alive || st.status == CONTAINER_RUNNING
      || st.status == CONTAINER_PAUSED)
    return false;
  xasprintf (&stopped, "%s/%s", cdir, MONITOR_STOPPED_FILE);
  return access (stopped, F_OK) < 0;
}

int
cmd_system_boot (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  struct store_container **list = NULL;
  cleanup_strbuf struct strbuf failed = STRBUF_INIT;
  struct berth_store *s;

  if (cli_wants_help (argc, argv))
    {
      fputs (boot_help, stdout);
      return 0;
    }
  if (argc > 1)
    return cli_usage_error ("system boot", "\"berth system boot\" accepts no arguments.", err);
  if (cli_store (g, &s, err) < 0 || store_container_list (s, &list, err) < 0)
    return -1;
  for (size_t i = 0; list[i]; i++)
    {
      cleanup_error oci_error_t *e = NULL;

      if (!boot_wanted (s, list[i]))
        continue;
      if (container_start (g, list[i], NULL, &e) == 0)
        printf ("%s\n", list[i]->name);
      else
        {
          fprintf (stderr, "Error: %s: %s\n", list[i]->name, e->msg);
          strbuf_addf (&failed, "%s%s", failed.len ? ", " : "", list[i]->name);
        }
    }
  store_container_list_free (list);
  if (failed.len == 0)
    return 0;
  return oci_error_set (err, EIO, "failed to start containers: %s", strbuf_str (&failed));
}

/* --- container cleanup (run by the monitor) --- */

int
cmd_container_cleanup (struct berth_globals *g, int argc, char **argv, oci_error_t **err)
{
  struct store_container *c = NULL;
  cleanup_error oci_error_t *lerr = NULL;
  struct berth_store *s;
  int ret;

  if (argc != 2)
    return cli_usage_error ("container cleanup", "\"berth container cleanup\" requires exactly 1 argument.",
                            err);
  if (cli_store (g, &s, err) < 0)
    return -1;
  if (store_container_lookup (s, argv[1], &c, &lerr) < 0)
    return lerr->status == ENOENT ? 0 : (*err = steal_pointer (&lerr), -1);
  ret = container_cleanup (g, c, err);
  store_container_free (c);
  return ret;
}
