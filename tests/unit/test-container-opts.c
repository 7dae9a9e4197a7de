/* berth run/create flags (manager/container/opts.c) and the container
   record (record.c): value syntaxes, docker's messages, precedence rules,
   the image merge and the create.json round trip.  */
#include "config.h"
#include "unit.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "manager/container/opts.h"
#include "manager/container/record.h"
#include "manager/store/networks.h"
#include "strbuf.h"

/* Parse "run" (or "create") + the NULL-terminated arguments.  */
static int
parse_args (bool is_run, struct container_opts **o, oci_error_t **err, const char *const *args)
{
  char *argv[64];
  int argc = 0;

  argv[argc++] = (char *) (is_run ? "run" : "create");
  for (size_t i = 0; args[i]; i++)
    argv[argc++] = (char *) args[i];
  argv[argc] = NULL;
  return container_opts_parse (argc, argv, is_run, o, err);
}

#define RUN(...) parse_args (true, &o, &err, (const char *const[]){ __VA_ARGS__, NULL })

/* Parse and expect an error whose message contains msg.  */
static void
expect_error_ (const char *msg, const char *const *args)
{
  struct container_opts *o = NULL;
  oci_error_t *err = NULL;

  assert_int_equal (parse_args (true, &o, &err, args), -1);
  assert_null (o);
  assert_error_contains (err, msg);
  oci_error_free (&err);
}
#define EXPECT_ERROR(msg, ...) expect_error_ (msg, (const char *const[]){ __VA_ARGS__, NULL })

static struct container_opts *
run_ok_ (const char *const *args)
{
  struct container_opts *o = NULL;
  oci_error_t *err = NULL;

  assert_int_equal (parse_args (true, &o, &err, args), 0);
  assert_no_error (err);
  assert_non_null (o);
  return o;
}
#define RUN_OK(...) run_ok_ ((const char *const[]){ __VA_ARGS__, NULL })

static void
test_sizes (void **state)
{
  static const struct
  {
    const char *in;
    int64_t out;
  } ok[] = {
    { "1024", 1024 },       { "512m", 512LL << 20 },
    { "1g", 1LL << 30 },    { "1.5k", 1536 },
    { "10MB", 10LL << 20 }, { "2GiB", 2LL << 30 },
    { "3 k", 3072 },        { "7b", 7 },
    { "1t", 1LL << 40 },    { "0", 0 },
  };
  oci_error_t *err = NULL;
  int64_t v;
  (void) state;

  for (size_t i = 0; i < ARRAY_SIZE (ok); i++)
    {
      assert_int_equal (container_parse_size (ok[i].in, false, &v, &err), 0);
      assert_int_equal (v, ok[i].out);
    }
  assert_int_equal (container_parse_size ("-1", true, &v, &err), 0);
  assert_int_equal (v, -1);
  assert_int_equal (container_parse_size ("-1", false, &v, &err), -1);
  assert_string_equal (err->msg, "invalid size: '-1'");
  oci_error_free (&err);
  assert_int_equal (container_parse_size ("abc", false, &v, &err), -1);
  assert_string_equal (err->msg, "invalid size: 'abc'");
  oci_error_free (&err);
  assert_int_equal (container_parse_size ("12x", false, &v, &err), -1);
  oci_error_free (&err);
}

static void
test_durations (void **state)
{
  oci_error_t *err = NULL;
  int64_t v;
  (void) state;

  assert_int_equal (container_parse_duration ("30s", &v, &err), 0);
  assert_int_equal (v, 30000000000LL);
  assert_int_equal (container_parse_duration ("1m30s", &v, &err), 0);
  assert_int_equal (v, 90000000000LL);
  assert_int_equal (container_parse_duration ("500ms", &v, &err), 0);
  assert_int_equal (v, 500000000LL);
  assert_int_equal (container_parse_duration ("1.5h", &v, &err), 0);
  assert_int_equal (v, 5400000000000LL);
  assert_int_equal (container_parse_duration ("0", &v, &err), 0);
  assert_int_equal (v, 0);
  assert_int_equal (container_parse_duration ("2us", &v, &err), 0);
  assert_int_equal (v, 2000);
  assert_int_equal (container_parse_duration ("abc", &v, &err), -1);
  assert_string_equal (err->msg, "time: invalid duration \"abc\"");
  oci_error_free (&err);
  assert_int_equal (container_parse_duration ("10", &v, &err), -1);
  assert_string_equal (err->msg, "time: missing unit in duration \"10\"");
  oci_error_free (&err);
  assert_int_equal (container_parse_duration ("10x", &v, &err), -1);
  assert_string_equal (err->msg, "time: unknown unit \"x\" in duration \"10x\"");
  oci_error_free (&err);
}

static void
test_basic_flags (void **state)
{
  struct container_opts *o = RUN_OK (
      "-d", "-it", "--name", "/web", "--rm", "-h", "box", "--domainname", "example.org", "-u", "1000:1000",
      "-w", "/srv//app/", "--pull=never", "--platform", "linux/amd64", "--cidfile", "/tmp/cid", "--runtime",
      "runc", "--detach-keys", "ctrl-x", "--sig-proxy=false", "busybox", "echo", "hi there");
  struct container_config *c = o->record->config;
  struct container_host_config *h = o->record->host_config;
  (void) state;

  assert_true (o->detach && o->interactive && o->tty && o->rm);
  assert_false (o->sig_proxy);
  assert_string_equal (o->name, "web");
  assert_string_equal (o->image, "busybox");
  assert_string_equal (o->command[0], "echo");
  assert_string_equal (o->command[1], "hi there");
  assert_null (o->command[2]);
  assert_string_equal (c->cmd[1], "hi there");
  assert_string_equal (c->hostname, "box");
  assert_string_equal (c->domainname, "example.org");
  assert_string_equal (c->user, "1000:1000");
  assert_string_equal (c->working_dir, "/srv/app");
  assert_string_equal (o->pull, "never");
  assert_string_equal (o->platform, "linux/amd64");
  assert_string_equal (o->cidfile, "/tmp/cid");
  assert_string_equal (h->container_id_file, "/tmp/cid");
  assert_string_equal (h->runtime, "runc");
  assert_string_equal (o->detach_keys, "ctrl-x");
  assert_true (c->tty && c->open_stdin);
  assert_false (c->attach_stdin || c->attach_stdout || c->attach_stderr);
  assert_true (h->auto_remove);
  container_opts_free (o);

  o = RUN_OK ("-i", "busybox");
  assert_true (o->record->config->attach_stdin && o->record->config->attach_stdout);
  assert_true (o->record->config->stdin_once);
  assert_string_equal (o->pull, "missing");
  assert_true (o->sig_proxy);
  assert_null (o->command);
  assert_null (o->record->config->cmd);
  container_opts_free (o);

  o = RUN_OK ("-m=1g", "-eA=1", "-itd", "busybox");
  assert_int_equal (o->record->host_config->memory, 1LL << 30);
  assert_string_equal (o->record->config->env[0], "A=1");
  assert_true (o->interactive && o->tty && o->detach);
  container_opts_free (o);

  o = RUN_OK ("-a", "STDERR", "busybox");
  assert_false (o->record->config->attach_stdout);
  assert_true (o->record->config->attach_stderr);
  assert_string_equal (o->attach[0], "stderr");
  container_opts_free (o);
}

static void
test_operands_and_help (void **state)
{
  struct container_opts *o = NULL;
  oci_error_t *err = NULL;
  (void) state;

  assert_int_equal (RUN ("--help"), 1);
  assert_null (o);
  assert_int_equal (RUN ("-d", "--help", "--bogus"), 1);
  o = RUN_OK ("busybox", "ls", "--help", "-d");
  assert_false (o->detach);
  assert_string_equal (o->command[1], "--help");
  assert_string_equal (o->command[2], "-d");
  container_opts_free (o);
  o = RUN_OK ("--", "busybox", "-x");
  assert_string_equal (o->image, "busybox");
  assert_string_equal (o->command[0], "-x");
  container_opts_free (o);

  EXPECT_ERROR ("\"berth run\" requires at least 1 argument.\nSee 'berth run --help'.", "-d");
  assert_int_equal (parse_args (false, &o, &err, (const char *const[]){ NULL }), -1);
  assert_error_contains (err, "\"berth create\" requires at least 1 argument.");
  oci_error_free (&err);
  assert_int_equal (parse_args (false, &o, &err, (const char *const[]){ "-d", "busybox", NULL }), -1);
  assert_string_equal (err->msg, "unknown shorthand flag: 'd' in -d\nSee 'berth create --help'.");
  oci_error_free (&err);
  assert_int_equal (parse_args (false, &o, &err, (const char *const[]){ "--sig-proxy", "busybox", NULL }),
                    -1);
  assert_error_contains (err, "unknown flag: --sig-proxy");
  oci_error_free (&err);
}

static void
test_flag_errors (void **state)
{
  (void) state;
  EXPECT_ERROR ("unknown flag: --foo\nSee 'berth run --help'.", "--foo", "busybox");
  EXPECT_ERROR ("unknown flag: --foo", "--foo=bar", "busybox");
  EXPECT_ERROR ("unknown flag: --memor", "--memor", "1g", "busybox");
  EXPECT_ERROR ("unknown flag: --init", "--init", "busybox");
  EXPECT_ERROR ("unknown shorthand flag: 'X' in -iX", "-iX", "busybox");
  EXPECT_ERROR ("flag needs an argument: --name", "--name");
  EXPECT_ERROR ("flag needs an argument: 'm' in -m", "-m");
  EXPECT_ERROR (
      "invalid argument \"abc\" for \"-m, --memory\" flag: invalid size: 'abc'\nSee 'berth run --help'.",
      "-m", "abc", "busybox");
  EXPECT_ERROR ("invalid argument \"x\" for \"--shm-size\" flag: invalid size: 'x'", "--shm-size", "x",
                "busybox");
  EXPECT_ERROR (
      "invalid argument \"maybe\" for \"--rm\" flag: strconv.ParseBool: parsing \"maybe\": invalid syntax",
      "--rm=maybe", "busybox");
  EXPECT_ERROR (
      "invalid argument \"x\" for \"-c, --cpu-shares\" flag: strconv.ParseInt: parsing \"x\": invalid "
      "syntax",
      "-c", "x", "busybox");
  EXPECT_ERROR ("invalid argument \"abc\" for \"--cpus\" flag: failed to parse abc as a rational number",
                "--cpus", "abc", "busybox");
  EXPECT_ERROR ("invalid argument \"0.0000000001\" for \"--cpus\" flag: value is too precise", "--cpus",
                "0.0000000001", "busybox");
  EXPECT_ERROR ("invalid argument \"x\" for \"--health-interval\" flag: time: invalid duration \"x\"",
                "--health-interval", "x", "busybox");
  EXPECT_ERROR (
      "invalid argument \"x\" for \"-a, --attach\" flag: valid streams are STDIN, STDOUT and STDERR", "-a",
      "x", "busybox");
  EXPECT_ERROR (
      "invalid argument \"x\" for \"--blkio-weight\" flag: strconv.ParseUint: parsing \"x\": invalid syntax",
      "--blkio-weight", "x", "busybox");
  EXPECT_ERROR ("Range of blkio weight is from 10 to 1000", "--blkio-weight", "5", "busybox");
  EXPECT_ERROR ("Invalid value 2000, range for oom score adj is [-1000, 1000]", "--oom-score-adj", "2000",
                "busybox");
  EXPECT_ERROR ("Invalid container name (-x), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", "--name=-x",
                "busybox");
  EXPECT_ERROR ("the working directory 'rel' is invalid, it needs to be an absolute path", "-w", "rel",
                "busybox");
  EXPECT_ERROR ("invalid pull option: 'sometimes': must be one of \"always\", \"missing\" or \"never\"",
                "--pull", "sometimes", "busybox");
  EXPECT_ERROR ("logger: no log driver named 'syslog' is registered", "--log-driver", "syslog", "busybox");
  EXPECT_ERROR ("Invalid signal: SIGFOO", "--stop-signal", "SIGFOO", "busybox");
  EXPECT_ERROR ("Conflicting options: -a and -d", "-d", "-a", "stdout", "busybox");
  EXPECT_ERROR ("Invalid value 1-x for cpuset cpus", "--cpuset-cpus", "1-x", "busybox");
}

static void
test_restart (void **state)
{
  struct container_opts *o;
  (void) state;

  o = RUN_OK ("--restart", "on-failure:3", "busybox");
  assert_string_equal (o->record->host_config->restart_policy->name, "on-failure");
  assert_int_equal (o->record->host_config->restart_policy->maximum_retry_count, 3);
  container_opts_free (o);
  o = RUN_OK ("--restart=unless-stopped", "busybox");
  assert_string_equal (o->record->host_config->restart_policy->name, "unless-stopped");
  container_opts_free (o);
  o = RUN_OK ("busybox");
  assert_string_equal (o->record->host_config->restart_policy->name, "no");
  container_opts_free (o);
  o = RUN_OK ("--rm", "--restart", "no", "busybox");
  assert_true (o->rm);
  container_opts_free (o);

  EXPECT_ERROR ("Conflicting options: --restart and --rm", "--rm", "--restart", "always", "busybox");
  EXPECT_ERROR ("Conflicting options: --restart and --rm", "--restart", "on-failure", "--rm", "busybox");
  EXPECT_ERROR (
      "invalid restart policy: unknown policy 'sometimes'; use one of 'no', 'always', 'on-failure', or "
      "'unless-stopped'",
      "--restart", "sometimes", "busybox");
  EXPECT_ERROR ("invalid restart policy: maximum retry count can only be used with 'on-failure'", "--restart",
                "always:3", "busybox");
  EXPECT_ERROR ("invalid restart policy format: maximum retry count must be an integer", "--restart",
                "on-failure:x", "busybox");
  EXPECT_ERROR ("invalid restart policy: maximum retry count cannot be negative", "--restart",
                "on-failure:-1", "busybox");
  EXPECT_ERROR ("invalid restart policy format: no policy provided before colon", "--restart", ":3",
                "busybox");
}

static char *
write_temp (const char *content)
{
  char *path = xstrdup ("/tmp/berth-opts-XXXXXX");
  int fd = mkstemp (path);

  assert_true (fd >= 0);
  assert_int_equal (write (fd, content, strlen (content)), (ssize_t) strlen (content));
  close (fd);
  return path;
}

static void
test_env (void **state)
{
  cleanup_free char *file
      = write_temp ("# comment\n\n  A=file\nB=file with spaces \nFROM_HOST\nUNSET_VAR_XYZ\r\nC=\"q\"\n");
  struct container_opts *o;
  (void) state;

  setenv ("FROM_HOST", "host-value", 1);
  unsetenv ("UNSET_VAR_XYZ");
  o = RUN_OK ("-e", "B=flag", "--env-file", file, "-e", "FROM_HOST", "-e", "UNSET_VAR_XYZ", "-e",
              "D=", "busybox");
  char **env = o->record->config->env;
  assert_string_equal (env[0], "A=file");
  assert_string_equal (env[1], "B=file with spaces ");
  assert_string_equal (env[2], "FROM_HOST=host-value");
  assert_string_equal (env[3], "C=\"q\"");
  assert_string_equal (env[4], "B=flag");
  assert_string_equal (env[5], "FROM_HOST=host-value");
  assert_string_equal (env[6], "D=");
  assert_null (env[7]);
  container_opts_free (o);

  EXPECT_ERROR ("invalid environment variable: =x", "-e", "=x", "busybox");
  EXPECT_ERROR ("open /nonexistent/env: No such file or directory", "--env-file", "/nonexistent/env",
                "busybox");
  cleanup_free char *bad = write_temp ("BAD KEY=1\n");
  EXPECT_ERROR ("poorly formatted environment: variable 'BAD KEY' contains whitespaces", "--env-file", bad,
                "busybox");
  unlink (file);
  unlink (bad);
}

static void
test_labels (void **state)
{
  cleanup_free char *file = write_temp ("a=file\n# c\nb=file\nbare\n");
  struct container_opts *o;
  (void) state;

  o = RUN_OK ("-l", "b=flag", "--label-file", file, "--label", "empty", "busybox");
  const struct oci_map *l = &o->record->config->labels;
  assert_string_equal (oci_map_get (l, "a"), "file");
  assert_string_equal (oci_map_get (l, "b"), "flag");
  assert_string_equal (oci_map_get (l, "empty"), "");
  assert_null (oci_map_get (l, "bare"));
  container_opts_free (o);
  EXPECT_ERROR ("invalid label '=x': empty name", "-l", "=x", "busybox");
  unlink (file);
}

static void
test_volumes (void **state)
{
  struct container_opts *o;
  struct container_mount_point *m;
  cleanup_free char *cwd = getcwd (NULL, 0), *rel = NULL;
  (void) state;

  o = RUN_OK ("-v", "/srv/data:/data:ro", "-v", "vol1:/vol:nocopy", "-v", "/anon/", "-v", "./here:/here",
              "busybox");
  assert_int_equal (o->record->mounts_len, 4);
  m = &o->record->mounts[0];
  assert_string_equal (m->type, "bind");
  assert_string_equal (m->source, "/srv/data");
  assert_string_equal (m->destination, "/data");
  assert_false (m->rw);
  assert_string_equal (m->mode, "ro");
  assert_string_equal (m->propagation, "rprivate");
  m = &o->record->mounts[1];
  assert_string_equal (m->type, "volume");
  assert_string_equal (m->name, "vol1");
  assert_string_equal (m->driver, "local");
  assert_true (m->rw);
  assert_non_null (strstr (m->mode, "nocopy"));
  m = &o->record->mounts[2];
  assert_string_equal (m->type, "volume");
  assert_string_equal (m->name, "");
  assert_string_equal (m->destination, "/anon");
  m = &o->record->mounts[3];
  xasprintf (&rel, "%s/here", cwd);
  assert_string_equal (m->source, rel);
  assert_string_equal (o->record->config->volumes[0], "/anon");
  assert_string_equal (o->record->host_config->binds[0], "/srv/data:/data:ro");
  assert_string_equal (o->record->host_config->binds[1], "vol1:/vol:nocopy");
  assert_int_equal (strv_len (o->record->host_config->binds), 3);
  assert_int_equal (strv_len (o->volume_specs), 4);
  container_opts_free (o);

  o = RUN_OK ("-v", "/a:/b:rshared,rw", "busybox");
  assert_string_equal (o->record->mounts[0].propagation, "rshared");
  assert_true (o->record->mounts[0].rw);
  container_opts_free (o);

  EXPECT_ERROR ("invalid volume specification: '/a:/b:ro:x'", "-v", "/a:/b:ro:x", "busybox");
  EXPECT_ERROR ("invalid volume specification: '/data:ro'", "-v", "/data:ro", "busybox");
  EXPECT_ERROR ("invalid volume specification: ':/x'", "-v", ":/x", "busybox");
  EXPECT_ERROR ("invalid mode: bogus", "-v", "/a:/b:bogus", "busybox");
  EXPECT_ERROR ("invalid mode: ro,rw", "-v", "/a:/b:ro,rw", "busybox");
  EXPECT_ERROR ("invalid mount path: 'rel' mount path must be absolute", "-v", "/a:rel", "busybox");
  EXPECT_ERROR ("Duplicate mount point: /x", "-v", "/a:/x", "-v", "v:/x/", "busybox");
  EXPECT_ERROR ("Duplicate mount point: /x", "-v", "/a:/x", "--tmpfs", "/x", "busybox");
  EXPECT_ERROR ("includes invalid characters for a local volume name", "-v", "bad@name:/x", "busybox");
  EXPECT_ERROR ("destination can't be '/'", "-v", "/a:/", "busybox");
}

static void
test_mounts (void **state)
{
  struct container_opts *o;
  struct container_host_config *h;
  (void) state;

  o = RUN_OK ("--mount", "type=bind,source=/tmp,target=/t,readonly,bind-propagation=rslave", "--mount",
              "type=volume,src=data,dst=/d,volume-nocopy,volume-label=a=b", "--mount",
              "type=tmpfs,destination=/run,tmpfs-size=64m,tmpfs-mode=1770", "--mount", "target=/anon",
              "busybox");
  h = o->record->host_config;
  assert_int_equal (o->record->mounts_len, 4);
  assert_string_equal (o->record->mounts[0].type, "bind");
  assert_string_equal (o->record->mounts[0].source, "/tmp");
  assert_false (o->record->mounts[0].rw);
  assert_string_equal (o->record->mounts[0].propagation, "rslave");
  assert_string_equal (o->record->mounts[1].name, "data");
  assert_string_equal (o->record->mounts[1].mode, "nocopy");
  assert_string_equal (o->record->mounts[2].type, "tmpfs");
  assert_string_equal (o->record->mounts[2].mode, "size=67108864,mode=1770");
  assert_string_equal (o->record->mounts[3].type, "volume");
  assert_string_equal (o->record->mounts[3].name, "");
  assert_int_equal (h->mounts_len, 4);
  assert_true (h->mounts[0].read_only);
  assert_string_equal (h->mounts[0].bind_options->propagation, "rslave");
  assert_true (h->mounts[1].volume_options->no_copy);
  assert_string_equal (oci_map_get (&h->mounts[1].volume_options->labels, "a"), "b");
  assert_int_equal (h->mounts[2].tmpfs_options->size_bytes, 64 << 20);
  assert_int_equal (h->mounts[2].tmpfs_options->mode, 01770);
  container_opts_free (o);

  o = RUN_OK ("--tmpfs", "/run:rw,size=64m,mode=1777", "--tmpfs", "/tmp", "busybox");
  assert_string_equal (oci_map_get (&o->record->host_config->tmpfs, "/run"), "rw,size=64m,mode=1777");
  assert_string_equal (oci_map_get (&o->record->host_config->tmpfs, "/tmp"), "");
  assert_int_equal (o->record->mounts_len, 0);
  container_opts_free (o);

  EXPECT_ERROR ("invalid argument \"type=bind,src=/tmp\" for \"--mount\" flag: target is required", "--mount",
                "type=bind,src=/tmp", "busybox");
  EXPECT_ERROR ("unexpected key 'foo' in 'foo=bar'", "--mount", "target=/x,foo=bar", "busybox");
  EXPECT_ERROR ("invalid field 'type' must be a key=value pair", "--mount", "type,target=/x", "busybox");
  EXPECT_ERROR ("cannot mix 'volume-*' options with mount type 'bind'", "--mount",
                "type=bind,src=/tmp,dst=/x,volume-nocopy", "busybox");
  EXPECT_ERROR ("cannot mix 'tmpfs-*' options with mount type 'volume'", "--mount", "dst=/x,tmpfs-size=1m",
                "busybox");
  EXPECT_ERROR ("invalid mount config for type \"bind\": bind source path does not exist: /nonexistent/x",
                "--mount", "type=bind,src=/nonexistent/x,dst=/x", "busybox");
  EXPECT_ERROR ("invalid mount config for type \"bind\": field Source must not be empty", "--mount",
                "type=bind,dst=/x", "busybox");
  EXPECT_ERROR ("invalid mount config for type \"tmpfs\": field Source must not be specified", "--mount",
                "type=tmpfs,src=x,dst=/x", "busybox");
  EXPECT_ERROR ("invalid mount config for type \"nfs\": mount type unknown", "--mount", "type=nfs,dst=/x",
                "busybox");
  EXPECT_ERROR ("invalid mount path: 'rel' mount path must be absolute", "--tmpfs", "rel", "busybox");
  EXPECT_ERROR ("invalid tmpfs option \"bogus\"", "--tmpfs", "/x:bogus", "busybox");
}

static void
test_resources (void **state)
{
  struct container_opts *o;
  struct container_host_config *h;
  (void) state;

  o = RUN_OK ("-m", "512m", "--memory-reservation", "256m", "--cpus", "1.5", "-c", "512", "--cpuset-cpus",
              "0-1,3", "--cpuset-mems", "0", "--pids-limit", "100", "--blkio-weight", "300", "--shm-size",
              "128m", "--oom-score-adj", "-500", "--oom-kill-disable", "--ulimit", "nofile=1024:2048",
              "--ulimit", "nproc=50", "--ulimit", "nofile=10", "busybox");
  h = o->record->host_config;
  assert_int_equal (h->memory, 512LL << 20);
  assert_int_equal (h->memory_swap, 1024LL << 20);
  assert_int_equal (h->memory_reservation, 256LL << 20);
  assert_int_equal (h->nano_cpus, 1500000000LL);
  assert_int_equal (h->cpu_shares, 512);
  assert_string_equal (h->cpuset_cpus, "0-1,3");
  assert_string_equal (h->cpuset_mems, "0");
  assert_true (h->pids_limit_present);
  assert_int_equal (h->pids_limit, 100);
  assert_int_equal (h->blkio_weight, 300);
  assert_int_equal (h->shm_size, 128LL << 20);
  assert_int_equal (h->oom_score_adj, -500);
  assert_true (h->oom_kill_disable);
  assert_int_equal (h->ulimits_len, 2);
  assert_string_equal (h->ulimits[0].name, "nofile");
  assert_int_equal (h->ulimits[0].soft, 10);
  assert_int_equal (h->ulimits[0].hard, 10);
  assert_int_equal (h->ulimits[1].soft, 50);
  container_opts_free (o);

  o = RUN_OK ("-m", "1g", "--memory-swap", "-1", "busybox");
  assert_int_equal (o->record->host_config->memory_swap, -1);
  container_opts_free (o);
  o = RUN_OK ("busybox");
  assert_int_equal (o->record->host_config->shm_size, 64LL << 20);
  assert_false (o->record->host_config->pids_limit_present);
  container_opts_free (o);

  EXPECT_ERROR ("Minimum memory limit allowed is 6MB", "-m", "1k", "busybox");
  EXPECT_ERROR ("You should always set the Memory limit when using Memoryswap limit, see usage",
                "--memory-swap", "1g", "busybox");
  EXPECT_ERROR ("Minimum memoryswap limit should be larger than memory limit, see usage", "-m", "1g",
                "--memory-swap", "512m", "busybox");
  EXPECT_ERROR ("Minimum memory limit can not be less than memory reservation limit, see usage", "-m", "64m",
                "--memory-reservation", "128m", "busybox");
  EXPECT_ERROR ("invalid argument \"nofile\" for \"--ulimit\" flag: invalid ulimit argument: nofile",
                "--ulimit", "nofile", "busybox");
  EXPECT_ERROR ("invalid ulimit type: bogus", "--ulimit", "bogus=1", "busybox");
  EXPECT_ERROR ("ulimit soft limit must be less than or equal to hard limit: 10 > 5", "--ulimit",
                "nofile=10:5", "busybox");
  EXPECT_ERROR ("too many limit value arguments - 1:2:3, can only have up to two, `soft[:hard]`", "--ulimit",
                "nofile=1:2:3", "busybox");
  EXPECT_ERROR ("Range of CPUs is from 0.01 to", "--cpus", "100000", "busybox");
}

static void
test_security (void **state)
{
  cleanup_free char *profile = write_temp ("{\"defaultAction\":\"SCMP_ACT_ALLOW\"}");
  cleanup_free char *seccomp = NULL;
  struct container_opts *o;
  struct container_host_config *h;
  (void) state;

  xasprintf (&seccomp, "seccomp=%s", profile);
  o = RUN_OK ("--cap-add", "net_admin", "--cap-add", "CAP_SYS_TIME", "--cap-drop", "all", "--privileged",
              "--read-only", "--security-opt", "no-new-privileges", "--security-opt",
              "no-new-privileges:false", "--security-opt", seccomp, "--security-opt", "seccomp=unconfined",
              "--security-opt", "label=disable", "--security-opt", "systempaths=unconfined", "--device",
              "/dev/fuse", "--device", "/dev/sda:/dev/xvda:r", "--device", "/dev/null:rw", "--sysctl",
              "net.ipv4.ip_forward=1", "--sysctl", "kernel.shmmax=1024", "--userns", "keep-id", "--group-add",
              "audio", "busybox");
  h = o->record->host_config;
  assert_string_equal (h->cap_add[0], "CAP_NET_ADMIN");
  assert_string_equal (h->cap_add[1], "CAP_SYS_TIME");
  assert_string_equal (h->cap_drop[0], "ALL");
  assert_true (h->privileged && h->readonly_rootfs);
  assert_string_equal (h->security_opt[0], "no-new-privileges");
  assert_string_equal (h->security_opt[1], "no-new-privileges=false");
  assert_string_equal (h->security_opt[2], seccomp);
  assert_string_equal (h->security_opt[3], "seccomp=unconfined");
  assert_string_equal (h->security_opt[4], "label=disable");
  assert_string_equal (h->security_opt[5], "systempaths=unconfined");
  assert_int_equal (h->devices_len, 3);
  assert_string_equal (h->devices[0].path_in_container, "/dev/fuse");
  assert_string_equal (h->devices[0].cgroup_permissions, "rwm");
  assert_string_equal (h->devices[1].path_on_host, "/dev/sda");
  assert_string_equal (h->devices[1].path_in_container, "/dev/xvda");
  assert_string_equal (h->devices[1].cgroup_permissions, "r");
  assert_string_equal (h->devices[2].path_in_container, "/dev/null");
  assert_string_equal (h->devices[2].cgroup_permissions, "rw");
  assert_string_equal (oci_map_get (&h->sysctls, "net.ipv4.ip_forward"), "1");
  assert_string_equal (oci_map_get (&h->sysctls, "kernel.shmmax"), "1024");
  assert_string_equal (h->userns_mode, "keep-id");
  assert_string_equal (h->group_add[0], "audio");
  container_opts_free (o);
  unlink (profile);

  EXPECT_ERROR ("unknown capability: \"CAP_BOGUS\"", "--cap-add", "bogus", "busybox");
  EXPECT_ERROR ("invalid --security-opt 2: \"foo=bar\"", "--security-opt", "foo=bar", "busybox");
  EXPECT_ERROR ("Invalid --security-opt: \"seccomp\"", "--security-opt", "seccomp", "busybox");
  EXPECT_ERROR ("opening seccomp profile (/nonexistent.json) failed", "--security-opt",
                "seccomp=/nonexistent.json", "busybox");
  EXPECT_ERROR ("bad mode specified: rwx", "--device", "/dev/a:/dev/b:rwx", "busybox");
  EXPECT_ERROR ("dev/b is not an absolute path", "--device", "/dev/a:dev/b", "busybox");
  EXPECT_ERROR (
      "invalid argument \"kernel.foo=1\" for \"--sysctl\" flag: sysctl 'kernel.foo=1' is not allowed",
      "--sysctl", "kernel.foo=1", "busybox");
  EXPECT_ERROR ("--userns: invalid USER mode", "--userns", "private", "busybox");
}

static void
test_network_namespaces (void **state)
{
  struct container_opts *o;
  struct container_host_config *h;
  (void) state;

  o = RUN_OK ("--network", "host", "--dns", "1.1.1.1", "--dns", "::1", "--dns-search", "example.com",
              "--dns-option", "ndots:2", "--add-host", "db:10.0.0.2", "--add-host", "v6=[::1]", "--add-host",
              "gw:host-gateway", "--ipc", "host", "--pid", "container:other", "--uts", "host", "--expose",
              "80", "--expose", "8000-8001/udp", "busybox");
  h = o->record->host_config;
  assert_string_equal (h->network_mode, "host");
  assert_string_equal (h->dns[1], "::1");
  assert_string_equal (h->dns_search[0], "example.com");
  assert_string_equal (h->dns_options[0], "ndots:2");
  assert_string_equal (h->extra_hosts[0], "db:10.0.0.2");
  assert_string_equal (h->extra_hosts[1], "v6:::1");
  assert_string_equal (h->extra_hosts[2], "gw:host-gateway");
  assert_string_equal (h->ipc_mode, "host");
  assert_string_equal (h->pid_mode, "container:other");
  assert_string_equal (h->uts_mode, "host");
  assert_string_equal (o->record->config->exposed_ports[0], "80/tcp");
  assert_string_equal (o->record->config->exposed_ports[2], "8001/udp");
  container_opts_free (o);

  o = RUN_OK ("--net", "none", "busybox");
  assert_string_equal (o->record->host_config->network_mode, "none");
  container_opts_free (o);
  o = RUN_OK ("busybox");
  assert_string_equal (o->record->host_config->network_mode, "bridge");
  assert_string_equal (o->record->host_config->ipc_mode, "private");
  container_opts_free (o);

  EXPECT_ERROR ("invalid container format container:<name|id>", "--network", "container:", "busybox");
  EXPECT_ERROR ("conflicting options: dns and the network mode", "--network", "container:x", "--dns",
                "1.1.1.1", "busybox");
  EXPECT_ERROR ("conflicting options: hostname and the network mode", "--network", "container:x", "-h", "n",
                "busybox");
  EXPECT_ERROR ("--ipc: invalid IPC mode", "--ipc", "bogus", "busybox");
  EXPECT_ERROR ("--pid: invalid PID mode", "--pid", "private", "busybox");
  EXPECT_ERROR ("--uts: invalid UTS mode", "--uts", "x", "busybox");
  EXPECT_ERROR ("bad format for add-host: \"nohost\"", "--add-host", "nohost", "busybox");
  EXPECT_ERROR ("invalid IP address in add-host: \"999.1.1.1\"", "--add-host", "h:999.1.1.1", "busybox");
  EXPECT_ERROR ("IP address is not correctly formatted: x", "--dns", "x", "busybox");
  EXPECT_ERROR ("-bad is not a valid domain", "--dns-search", "-bad", "busybox");
  EXPECT_ERROR ("invalid range format for --expose: 90-80", "--expose", "90-80", "busybox");
  EXPECT_ERROR ("invalid port format for --expose: 1:2", "--expose", "1:2", "busybox");
}

static void
test_health_and_stop (void **state)
{
  struct container_opts *o;
  struct oci_image_healthcheck *hc;
  (void) state;

  o = RUN_OK ("--health-cmd", "curl -f localhost", "--health-interval", "30s", "--health-timeout", "5s",
              "--health-start-period", "1m", "--health-retries", "3", "--stop-signal", "SIGUSR1",
              "--stop-timeout", "20", "busybox");
  hc = o->record->config->healthcheck;
  assert_string_equal (hc->test[0], "CMD-SHELL");
  assert_string_equal (hc->test[1], "curl -f localhost");
  assert_int_equal (hc->interval, 30000000000LL);
  assert_int_equal (hc->timeout, 5000000000LL);
  assert_int_equal (hc->start_period, 60000000000LL);
  assert_int_equal (hc->retries, 3);
  assert_string_equal (o->record->config->stop_signal, "SIGUSR1");
  assert_int_equal (o->record->config->stop_timeout, 20);
  assert_true (o->record->config->stop_timeout_present);
  container_opts_free (o);

  o = RUN_OK ("--no-healthcheck", "--stop-signal", "9", "busybox");
  assert_string_equal (o->record->config->healthcheck->test[0], "NONE");
  assert_null (o->record->config->healthcheck->test[1]);
  container_opts_free (o);
  o = RUN_OK ("--stop-signal", "rtmin+3", "busybox");
  container_opts_free (o);

  EXPECT_ERROR ("--no-healthcheck conflicts with --health-* options", "--no-healthcheck", "--health-retries",
                "2", "busybox");
  EXPECT_ERROR ("--health-interval cannot be negative", "--health-interval", "-1s", "busybox");
  EXPECT_ERROR ("--health-retries cannot be negative", "--health-retries", "-1", "busybox");
  EXPECT_ERROR ("Interval in Healthcheck cannot be less than 1ms", "--health-interval", "10us", "busybox");
}

/* --- the record --- */

static struct oci_image_config *
image_config (char **entrypoint, char **cmd)
{
  struct oci_image_config *img = xzalloc (sizeof *img);
  struct oci_image_exec_config *c = img->config = xzalloc (sizeof *c);

  c->entrypoint = entrypoint ? strv_dup (entrypoint) : NULL;
  c->cmd = cmd ? strv_dup (cmd) : NULL;
  c->env = strv_dup ((char *[]){ "PATH=/usr/bin:/bin", "A=image", "I=image", NULL });
  c->working_dir = xstrdup ("/image");
  c->user = xstrdup ("daemon");
  c->stop_signal = xstrdup ("SIGQUIT");
  c->volumes = strv_dup ((char *[]){ "/data", "/cache", NULL });
  c->exposed_ports = strv_dup ((char *[]){ "443/tcp", NULL });
  oci_map_set (&c->labels, "a", "image");
  oci_map_set (&c->labels, "img", "yes");
  c->healthcheck = xzalloc (sizeof *c->healthcheck);
  c->healthcheck->test = strv_dup ((char *[]){ "CMD", "true", NULL });
  c->healthcheck->interval = 1000000000;
  c->healthcheck->interval_present = true;
  c->healthcheck->retries = 5;
  c->healthcheck->retries_present = true;
  return img;
}

/* Parse args (ending with the image operand and command), apply an image
   with entrypoint/cmd, and compare Path + Args with want (NULL: expect
   "no command specified").  */
static void
check_command (const char *const *args, char **ep, char **cmd, const char *const *want)
{
  struct container_opts *o = NULL;
  oci_error_t *err = NULL;
  struct oci_image_config *img = image_config (ep, cmd);
  int ret;

  assert_int_equal (parse_args (true, &o, &err, args), 0);
  ret = container_record_apply_image (o->record, img, "busybox", &err);
  if (want == NULL)
    {
      assert_int_equal (ret, -1);
      assert_string_equal (err->msg, "no command specified");
      assert_int_equal (err->status, EINVAL);
      oci_error_free (&err);
    }
  else
    {
      assert_int_equal (ret, 0);
      assert_string_equal (o->record->path, want[0]);
      for (size_t i = 1; want[i]; i++)
        assert_string_equal (o->record->args[i - 1], want[i]);
      assert_int_equal (strv_len (o->record->args), strv_len ((char **) want) - 1);
    }
  oci_image_config_free (img);
  container_opts_free (o);
}

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define STRV(...) ((char *[]){ __VA_ARGS__, NULL })

static void
test_entrypoint_cmd_matrix (void **state)
{
  (void) state;
  /* image CMD only */
  check_command (ARGS ("busybox"), NULL, STRV ("sh"), ARGS ("sh"));
  check_command (ARGS ("busybox", "ls", "-l"), NULL, STRV ("sh"), ARGS ("ls", "-l"));
  /* image ENTRYPOINT + CMD */
  check_command (ARGS ("busybox"), STRV ("/ep", "-x"), STRV ("a", "b"), ARGS ("/ep", "-x", "a", "b"));
  check_command (ARGS ("busybox", "c"), STRV ("/ep", "-x"), STRV ("a", "b"), ARGS ("/ep", "-x", "c"));
  /* --entrypoint replaces ENTRYPOINT and drops the image CMD */
  check_command (ARGS ("--entrypoint", "/new", "busybox"), STRV ("/ep"), STRV ("a"), ARGS ("/new"));
  check_command (ARGS ("--entrypoint", "/new", "busybox", "x"), STRV ("/ep"), STRV ("a"), ARGS ("/new", "x"));
  check_command (ARGS ("--entrypoint", "/new", "busybox"), NULL, STRV ("sh"), ARGS ("/new"));
  /* --entrypoint "" clears it */
  check_command (ARGS ("--entrypoint", "", "busybox", "echo", "hi"), STRV ("/ep"), STRV ("a"),
                 ARGS ("echo", "hi"));
  check_command (ARGS ("--entrypoint=", "busybox"), STRV ("/ep"), STRV ("a"), NULL);
  /* nothing at all */
  check_command (ARGS ("busybox"), NULL, NULL, NULL);
  check_command (ARGS ("busybox"), STRV ("/ep"), NULL, ARGS ("/ep"));
}

static void
test_apply_image (void **state)
{
  struct container_opts *o = RUN_OK ("-e", "A=flag", "-e", "F=1", "-e", "F=2", "-l", "a=flag", "-v",
                                     "/host:/data", "--health-cmd", "check", "--expose", "80", "busybox");
  struct oci_image_config *img = image_config (NULL, STRV ("sh"));
  struct container_config *c = o->record->config;
  oci_error_t *err = NULL;
  (void) state;

  assert_int_equal (container_record_apply_image (o->record, img, "docker.io/library/busybox", &err), 0);
  assert_string_equal (c->image, "docker.io/library/busybox");
  assert_string_equal (c->env[0], "A=flag");
  assert_string_equal (c->env[1], "F=2");
  assert_string_equal (c->env[2], "PATH=/usr/bin:/bin");
  assert_string_equal (c->env[3], "I=image");
  assert_null (c->env[4]);
  assert_string_equal (c->working_dir, "/image");
  assert_string_equal (c->user, "daemon");
  assert_string_equal (c->stop_signal, "SIGQUIT");
  assert_string_equal (oci_map_get (&c->labels, "a"), "flag");
  assert_string_equal (oci_map_get (&c->labels, "img"), "yes");
  assert_string_equal (c->healthcheck->test[1], "check");
  assert_int_equal (c->healthcheck->interval, 1000000000);
  assert_int_equal (c->healthcheck->retries, 5);
  assert_int_equal (strv_len (c->exposed_ports), 2);
  /* /data is covered by the bind: only /cache becomes an anonymous volume */
  assert_int_equal (o->record->mounts_len, 2);
  assert_string_equal (o->record->mounts[0].type, "bind");
  assert_string_equal (o->record->mounts[1].type, "volume");
  assert_string_equal (o->record->mounts[1].name, "");
  assert_string_equal (o->record->mounts[1].destination, "/cache");
  assert_int_equal (strv_len (c->volumes), 2);
  oci_image_config_free (img);
  container_opts_free (o);

  /* flags win over the image; --no-healthcheck survives the merge */
  o = RUN_OK ("-w", "/w", "-u", "root", "--stop-signal", "TERM", "--no-healthcheck", "busybox");
  img = image_config (NULL, STRV ("sh"));
  assert_int_equal (container_record_apply_image (o->record, img, "busybox", &err), 0);
  assert_string_equal (o->record->config->working_dir, "/w");
  assert_string_equal (o->record->config->user, "root");
  assert_string_equal (o->record->config->stop_signal, "TERM");
  assert_string_equal (o->record->config->healthcheck->test[0], "NONE");
  oci_image_config_free (img);
  container_opts_free (o);

  /* no image config at all */
  o = RUN_OK ("busybox", "true");
  assert_int_equal (container_record_apply_image (o->record, NULL, "scratch", &err), 0);
  assert_string_equal (o->record->path, "true");
  assert_null (o->record->args[0]);
  container_opts_free (o);
}

static void
test_record_round_trip (void **state)
{
  struct container_opts *o
      = RUN_OK ("--name", "rt", "-it", "-e", "A=1", "-l", "k=v", "-v", "/h:/c:ro", "-v", "/anon", "--mount",
                "type=tmpfs,dst=/t,tmpfs-size=1m", "--tmpfs", "/run", "-m", "64m", "--cpus", "0.5",
                "--ulimit", "nofile=1:2", "--device", "/dev/null", "--cap-add", "SYS_ADMIN", "--restart",
                "on-failure:2", "--health-cmd", "true", "--sysctl", "net.core.somaxconn=1024", "--pids-limit",
                "-1", "--stop-timeout", "3", "--add-host", "a:1.2.3.4", "busybox", "sh", "-c", "echo hi");
  struct oci_image_config *img = image_config (NULL, STRV ("sh"));
  cleanup_free char *json1 = NULL, *json2 = NULL, *pretty = NULL;
  struct container_record *parsed = NULL, *copy = NULL;
  oci_error_t *err = NULL;
  size_t len1, len2;
  (void) state;

  assert_int_equal (container_record_apply_image (o->record, img, "busybox", &err), 0);
  assert_int_equal (container_record_emit (o->record, false, &json1, &len1, &err), 0);
  assert_int_equal (container_record_parse (json1, len1, "create.json", &parsed, &err), 0);
  assert_no_error (err);
  assert_int_equal (container_record_emit (parsed, false, &json2, &len2, &err), 0);
  assert_string_equal (json1, json2);
  assert_true (oci_json_equal (&container_config_type, o->record->config, parsed->config));
  assert_true (oci_json_equal (&container_host_config_type, o->record->host_config, parsed->host_config));
  assert_true (oci_json_equal (&container_record_type, o->record, parsed));
  assert_int_equal (container_record_dup (parsed, &copy, &err), 0);
  assert_true (oci_json_equal (&container_record_type, copy, parsed));

  /* docker's member names */
  const char *const names[] = {
    "\"Path\":\"sh\"",
    "\"Args\":[\"-c\",\"echo hi\"]",
    "\"HostConfig\":{\"Binds\":[\"/h:/c:ro\"]",
    "\"RestartPolicy\":{\"Name\":\"on-failure\",\"MaximumRetryCount\":2}",
    "\"NanoCpus\":500000000",
    "\"Memory\":67108864",
    "\"MemorySwap\":134217728",
    "\"Ulimits\":[{\"Name\":\"nofile\",\"Hard\":2,\"Soft\":1}]",
    "\"Devices\":[{\"PathOnHost\":\"/dev/null\",\"PathInContainer\":\"/dev/"
    "null\",\"CgroupPermissions\":\"rwm\"}]",
    "\"Tmpfs\":{\"/run\":\"\"}",
    "\"Healthcheck\":{\"Test\":[\"CMD-SHELL\",\"true\"]",
    "\"StopTimeout\":3",
    "\"Tty\":true",
    "\"OpenStdin\":true",
    "\"PidsLimit\":-1",
    "\"CapAdd\":[\"CAP_SYS_ADMIN\"]",
    "\"LogConfig\":{\"Type\":\"json-file\"}",
    "\"NetworkMode\":\"bridge\"",
    "\"ShmSize\":67108864",
    "\"TmpfsOptions\":{\"SizeBytes\":1048576}",
    "\"Volumes\":{\"/anon\":{},\"/cache\":{},\"/data\":{}}",
    "\"ExtraHosts\":[\"a:1.2.3.4\"]",
    "\"Sysctls\":{\"net.core.somaxconn\":\"1024\"}",
    "\"Labels\":{\"a\":\"image\",\"img\":\"yes\",\"k\":\"v\"}",
    "\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/h\",\"Destination\":\"/c\"",
    NULL,
  };
  for (size_t i = 0; names[i]; i++)
    if (strstr (json1, names[i]) == NULL)
      fail_msg ("%s not in %s", names[i], json1);
  assert_int_equal (container_record_emit (parsed, true, &pretty, NULL, &err), 0);
  assert_non_null (strstr (pretty, "\n"));

  container_record_free (copy);
  container_record_free (parsed);
  oci_image_config_free (img);
  container_opts_free (o);

  assert_int_equal (container_record_parse ("{\"Path\":1}", 10, "create.json", &parsed, &err), -1);
  assert_error_contains (err, "create.json");
  oci_error_free (&err);
}

static void
test_command_string (void **state)
{
  struct container_record *r = container_record_new ();
  cleanup_free char *empty = container_record_command_string (r);
  (void) state;

  assert_string_equal (empty, "");
  r->path = xstrdup ("sh");
  r->args = strv_dup (STRV ("-c", "echo hi", "x"));
  cleanup_free char *s = container_record_command_string (r);
  assert_string_equal (s, "sh -c 'echo hi' x");
  container_record_free (r);
}

static void
test_path_clean (void **state)
{
  static const char *const cases[][2] = {
    { "/a//b/../c/", "/a/c" }, { "/", "/" },         { "/..", "/" },   { "", "." },
    { "a/../..", ".." },       { "./x/./y", "x/y" }, { "/a/.", "/a" }, { "../../a", "../../a" },
    { "a/b/../../..", ".." },
  };
  (void) state;

  for (size_t i = 0; i < ARRAY_SIZE (cases); i++)
    {
      cleanup_free char *c = container_path_clean (cases[i][0]);
      assert_string_equal (c, cases[i][1]);
    }
}

static char *
usage_text (bool is_run)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&buf, &len);

  container_opts_usage (f, is_run);
  fclose (f);
  return buf;
}

/* -p: docker's ParsePortSpec forms, ranges and errors; IPv4 only.  */
static void
test_publish (void **state)
{
  struct container_opts *o;
  struct container_port_binding *b;
  cleanup_free char *json = NULL;
  (void) state;

  o = RUN_OK ("-p", "8080:80", "-p", "127.0.0.1:9000-9001:90-91/udp", "--publish=53", "-p", "127.0.0.1::7",
              "-p", "8081:80", "img");
  assert_int_equal (o->record->port_bindings_len, 6);
  b = o->record->port_bindings;
  assert_string_equal (b[0].container_port, "80/tcp");
  assert_string_equal (b[0].host_ip, "");
  assert_string_equal (b[0].host_port, "8080");
  assert_string_equal (b[1].container_port, "90/udp");
  assert_string_equal (b[1].host_ip, "127.0.0.1");
  assert_string_equal (b[1].host_port, "9000");
  assert_string_equal (b[2].container_port, "91/udp");
  assert_string_equal (b[2].host_port, "9001");
  assert_string_equal (b[3].container_port, "53/tcp");
  assert_string_equal (b[3].host_port, "");
  assert_string_equal (b[4].host_ip, "127.0.0.1");
  assert_string_equal (b[4].host_port, "");
  assert_true (oci_strv_contains ((const char *const *) o->record->config->exposed_ports, "91/udp"));
  json = container_record_port_bindings_json (o->record);
  assert_string_equal (
      json, "{\"53/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"\"}],"
            "\"7/tcp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"\"}],"
            "\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"8080\"},{\"HostIp\":\"\",\"HostPort\":\"8081\"}],"
            "\"90/udp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"9000\"}],"
            "\"91/udp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"9001\"}]}");
  container_opts_free (o);

  o = RUN_OK ("-p", "8000-8010:80", "img");
  assert_int_equal (o->record->port_bindings_len, 1);
  assert_string_equal (o->record->port_bindings[0].host_port, "8000-8010");
  container_opts_free (o);

  EXPECT_ERROR ("invalid containerPort: abc", "-p", "abc", "img");
  EXPECT_ERROR ("invalid hostPort: x", "-p", "x:80", "img");
  EXPECT_ERROR ("invalid containerPort: 70000", "-p", "70000", "img");
  EXPECT_ERROR ("invalid IP address: 1.2.3", "-p", "1.2.3:80:80", "img");
  EXPECT_ERROR ("invalid proto: icmp", "-p", "80/icmp", "img");
  EXPECT_ERROR ("no port specified: 8080:<empty>", "-p", "8080:", "img");
  EXPECT_ERROR ("invalid ranges specified for container and host Ports: 80-81 and 8080-8082", "-p",
                "8080-8082:80-81", "img");
  EXPECT_ERROR ("IPv6 is not supported", "-p", "[::1]:80:80", "img");
  EXPECT_ERROR ("IPv6 is not supported", "-p", "::1:80:80", "img");
  EXPECT_ERROR ("flag needs an argument: 'p' in -p", "-p");
  EXPECT_ERROR ("port publishing and the container type network mode", "--network", "container:x", "-p", "80",
                "img");
}

static void
free_ports (struct store_port **ports)
{
  for (size_t i = 0; ports && ports[i]; i++)
    {
      free (ports[i]->container_id);
      free (ports[i]->proto);
      free (ports[i]->host_ip);
      free (ports[i]);
    }
  free (ports);
}

/* The mappings to publish: -p as given, -P adds every exposed port.  */
static void
test_ports_to_publish (void **state)
{
  struct container_opts *o;
  struct store_port **ports = NULL;
  size_t n;
  (void) state;

  o = RUN_OK ("-p", "127.0.0.1:8080:80", "-p", "53/udp", "img");
  assert_false (o->record->host_config->publish_all_ports);
  container_record_ports_to_publish (o->record, &ports, &n);
  assert_int_equal (n, 2);
  assert_null (ports[2]);
  assert_string_equal (ports[0]->proto, "tcp");
  assert_string_equal (ports[0]->host_ip, "127.0.0.1");
  assert_int_equal (ports[0]->host_port, 8080);
  assert_int_equal (ports[0]->container_port, 80);
  assert_string_equal (ports[1]->proto, "udp");
  assert_string_equal (ports[1]->host_ip, "0.0.0.0");
  assert_int_equal (ports[1]->host_port, 0);
  assert_int_equal (ports[1]->container_port, 53);
  free_ports (ports);
  container_opts_free (o);

  o = RUN_OK ("-P", "--expose", "80", "--expose", "90-91/udp", "-p", "9999:80", "img");
  assert_true (o->record->host_config->publish_all_ports);
  container_record_ports_to_publish (o->record, &ports, &n);
  assert_int_equal (n, 3);
  assert_int_equal (ports[0]->host_port, 9999);
  assert_int_equal (ports[1]->container_port, 90);
  assert_string_equal (ports[1]->proto, "udp");
  assert_int_equal (ports[1]->host_port, 0);
  assert_int_equal (ports[2]->container_port, 91);
  free_ports (ports);
  container_opts_free (o);

  o = RUN_OK ("img");
  container_record_ports_to_publish (o->record, &ports, &n);
  assert_int_equal (n, 0);
  assert_non_null (ports);
  assert_null (ports[0]);
  free_ports (ports);
  container_opts_free (o);
}

/* --network-alias and --ip: the endpoint request of the --network.  */
static void
test_endpoint_request (void **state)
{
  struct container_opts *o;
  const struct container_endpoint_config *e;
  struct container_record *copy = NULL;
  oci_error_t *err = NULL;
  cleanup_free char *json = NULL;
  size_t len;
  (void) state;

  o = RUN_OK ("--network", "net1", "--network-alias", "web", "--network-alias=www", "--ip", "10.89.0.9",
              "img");
  e = container_record_endpoint (o->record, "net1");
  assert_non_null (e);
  assert_string_equal (e->aliases[0], "web");
  assert_string_equal (e->aliases[1], "www");
  assert_null (e->aliases[2]);
  assert_string_equal (e->ipam_config->ipv4_address, "10.89.0.9");
  assert_null (container_record_endpoint (o->record, "bridge"));
  assert_int_equal (container_record_emit (o->record, false, &json, &len, &err), 0);
  assert_non_null (strstr (json, "\"EndpointsConfig\":{\"net1\":{\"Aliases\":[\"web\",\"www\"],"
                                 "\"IPAMConfig\":{\"IPv4Address\":\"10.89.0.9\"}}}"));
  assert_non_null (strstr (json, "\"PublishAllPorts\":false"));
  assert_int_equal (container_record_dup (o->record, &copy, &err), 0);
  assert_non_null (container_record_endpoint (copy, "net1"));
  container_record_set_endpoint (copy, "net1", NULL, "10.89.0.10");
  e = container_record_endpoint (copy, "net1");
  assert_null (e->aliases);
  assert_string_equal (e->ipam_config->ipv4_address, "10.89.0.10");
  container_record_set_endpoint (copy, "net2", (char *const[]){ (char *) "db", NULL }, NULL);
  assert_string_equal (container_record_endpoint (copy, "net2")->aliases[0], "db");
  assert_null (container_record_endpoint (copy, "net2")->ipam_config);
  container_record_free (copy);
  container_opts_free (o);

  EXPECT_ERROR (
      "invalid argument \"10.1\" for \"--ip\" flag: invalid string being converted to IP address: 10.1",
      "--network", "n", "--ip", "10.1", "img");
  EXPECT_ERROR ("IPv6 is not supported", "--network", "n", "--ip", "fd00::2", "img");
  EXPECT_ERROR ("user specified IP address is supported on user defined networks only", "--ip", "10.88.0.5",
                "img");
  EXPECT_ERROR ("network-scoped alias is supported only for containers in user defined networks", "--network",
                "host", "--network-alias", "a", "img");
}

static void
test_usage (void **state)
{
  cleanup_free char *run = usage_text (true), *create = usage_text (false);
  (void) state;

  assert_true (has_prefix (run, "Usage:  berth run [OPTIONS] IMAGE [COMMAND] [ARG...]\n"));
  assert_true (has_prefix (create, "Usage:  berth create [OPTIONS] IMAGE [COMMAND] [ARG...]\n"));
  assert_non_null (strstr (run, "\n  -m, --memory bytes "));
  assert_non_null (strstr (run, "\n  -d, --detach "));
  assert_non_null (strstr (run, "\n      --sig-proxy "));
  assert_null (strstr (create, "--detach"));
  assert_null (strstr (create, "--sig-proxy"));
  assert_null (strstr (run, "--net "));
  assert_null (strstr (run, "--init"));
  assert_non_null (strstr (create, "\n  -v, --volume list "));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_sizes),
    cmocka_unit_test (test_durations),
    cmocka_unit_test (test_basic_flags),
    cmocka_unit_test (test_operands_and_help),
    cmocka_unit_test (test_flag_errors),
    cmocka_unit_test (test_restart),
    cmocka_unit_test (test_env),
    cmocka_unit_test (test_labels),
    cmocka_unit_test (test_volumes),
    cmocka_unit_test (test_mounts),
    cmocka_unit_test (test_resources),
    cmocka_unit_test (test_security),
    cmocka_unit_test (test_network_namespaces),
    cmocka_unit_test (test_health_and_stop),
    cmocka_unit_test (test_entrypoint_cmd_matrix),
    cmocka_unit_test (test_apply_image),
    cmocka_unit_test (test_record_round_trip),
    cmocka_unit_test (test_command_string),
    cmocka_unit_test (test_path_clean),
    cmocka_unit_test (test_publish),
    cmocka_unit_test (test_ports_to_publish),
    cmocka_unit_test (test_endpoint_request),
    cmocka_unit_test (test_usage),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
