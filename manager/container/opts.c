/* The flags of `berth run` and `berth create`: one table drives the
   getopt_long parse and the --help text; values are checked the way
   docker checks them, with docker's messages.  See opts.h.  */
#include "config.h"
#include "opts.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <sys/stat.h>

#include "strbuf.h"
#include "util.h"

/* --- value syntaxes --- */

/* strconv.ParseInt (base 0) and its messages.  */
static int
parse_int (const char *s, int64_t min, int64_t max, int64_t *out, oci_error_t **err)
{
  char *end;
  long long v;

  errno = 0;
  v = strtoll (s, &end, 0);
  if (*s == '\0' || *end != '\0' || isspace ((unsigned char) *s))
    return oci_error_set (err, EINVAL, "strconv.ParseInt: parsing \"%s\": invalid syntax", s);
  if (errno == ERANGE || v < min || v > max)
    return oci_error_set (err, ERANGE, "strconv.ParseInt: parsing \"%s\": value out of range", s);
  *out = v;
  return 0;
}

/* --cpus: a decimal with at most 9 fractional digits → nanocpus.  */
static int
parse_nano_cpus (const char *s, int64_t *out, oci_error_t **err)
{
  const char *p = s;
  int64_t whole = 0, frac = 0, scale = 100000000;
  bool neg = *p == '-', any = false;

  if (*p == '-' || *p == '+')
    p++;
  for (; isdigit ((unsigned char) *p); p++, any = true)
    {
      if (whole > INT64_MAX / 10000000000LL)
        return oci_error_set (err, ERANGE, "value is too large");
      whole = whole * 10 + (*p - '0');
    }
  if (*p == '.')
    for (p++; isdigit ((unsigned char) *p); p++, any = true)
      {
        if (scale == 0 && *p != '0')
          return oci_error_set (err, EINVAL, "value is too precise");
        frac += (*p - '0') * scale;
        scale /= 10;
      }
  if (!any || *p != '\0')
    return oci_error_set (err, EINVAL, "failed to parse %s as a rational number", s);
  *out = (whole * 1000000000LL + frac) * (neg ? -1 : 1);
  return 0;
}

/* --- the flag table --- */

/* clang-format off */
enum flag_id
{
  F_ADD_HOST = 1000, F_ATTACH, F_BLKIO_WEIGHT, F_CAP_ADD, F_CAP_DROP, F_CIDFILE, F_CPU_SHARES, F_CPUS,
  F_CPUSET_CPUS, F_CPUSET_MEMS, F_DETACH, F_DETACH_KEYS, F_DEVICE, F_DNS, F_DNS_OPTION, F_DNS_SEARCH,
  F_DOMAINNAME, F_ENTRYPOINT, F_ENV, F_ENV_FILE, F_EXPOSE, F_IP, F_NETWORK_ALIAS, F_PUBLISH, F_PUBLISH_ALL, F_GROUP_ADD, F_HEALTH_CMD, F_HEALTH_INTERVAL,
  F_HEALTH_RETRIES, F_HEALTH_START_PERIOD, F_HEALTH_TIMEOUT, F_HELP, F_HOSTNAME, F_INTERACTIVE, F_IPC,
  F_LABEL, F_LABEL_FILE, F_LOG_DRIVER, F_MEMORY, F_MEMORY_RESERVATION, F_MEMORY_SWAP, F_MOUNT, F_NAME,
  F_NETWORK, F_NO_HEALTHCHECK, F_OOM_KILL_DISABLE, F_OOM_SCORE_ADJ, F_PID, F_PIDS_LIMIT, F_PLATFORM,
  F_PRIVILEGED, F_PULL, F_READ_ONLY, F_RESTART, F_RM, F_RUNTIME, F_SECURITY_OPT, F_SHM_SIZE, F_SIG_PROXY,
  F_STOP_SIGNAL, F_STOP_TIMEOUT, F_SYSCTL, F_TMPFS, F_TTY, F_ULIMIT, F_USER, F_USERNS, F_UTS, F_VOLUME,
  F_WORKDIR
};
/* clang-format on */

#define FL_RUN_ONLY 1u
#define FL_HIDDEN   2u
#define UNUSED      __attribute__ ((unused))

struct parse_ctx;

struct flag_def
{
  const char *name;
  char shortc;
  const char *type; /* NULL: a boolean flag */
  const char *help;
  unsigned flags;
  enum flag_id id;
  int (*set) (struct parse_ctx *ctx, const struct flag_def *f, const char *value, oci_error_t **err);
};

static const char *
cmd_name (bool is_run)
{
  return is_run ? "run" : "create";
}

/* --- parse state --- */

struct parse_ctx
{
  struct container_opts *o;
  bool is_run;
  char **env_files, **envs, **label_files, **labels;
  bool health_flags; /* any --health-* given */
  bool restart_given;
  char **aliases, *ip; /* --network-alias, --ip */
};

static void
strv_push (char ***v, const char *s)
{
  size_t n = *v ? strv_len (*v) : 0;

  *v = xreallocarray (*v, n + 2, sizeof (char *));
  (*v)[n] = xstrdup (s);
  (*v)[n + 1] = NULL;
}

static void
str_replace (char **field, const char *s)
{
  free (*field);
  *field = s ? xstrdup (s) : NULL;
}

/* `invalid argument "V" for "-m, --memory" flag: MSG` + See '…'.  */
static int flag_error (struct parse_ctx *ctx, const struct flag_def *f, const char *value, oci_error_t **err,
                       const char *fmt, ...) __attribute__ ((format (printf, 5, 6)));

static int
flag_error (struct parse_ctx *ctx, const struct flag_def *f, const char *value, oci_error_t **err,
            const char *fmt, ...)
{
  cleanup_free char *msg = NULL;
  va_list ap;

  va_start (ap, fmt);
  if (vasprintf (&msg, fmt, ap) < 0)
    abort ();
  va_end (ap);
  if (f->shortc)
    return oci_error_set (err, EINVAL,
                          "invalid argument \"%s\" for \"-%c, --%s\" flag: %s\nSee 'berth %s --help'.", value,
                          f->shortc, f->name, msg, cmd_name (ctx->is_run));
  return oci_error_set (err, EINVAL, "invalid argument \"%s\" for \"--%s\" flag: %s\nSee 'berth %s --help'.",
                        value, f->name, msg, cmd_name (ctx->is_run));
}

/* Turn a parser's error into a flag error.  */
static int
flag_error_from (struct parse_ctx *ctx, const struct flag_def *f, const char *value, oci_error_t **err,
                 oci_error_t **inner)
{
  cleanup_free char *msg = oci_error_steal_msg (inner);
  return flag_error (ctx, f, value, err, "%s", msg);
}

/* --- files: --env-file, --label-file (docker's parseKeyValueFile) --- */

static int
kv_file_line (const char *file, char *line, size_t lineno, bool from_env, char ***out, oci_error_t **err)
{
  size_t len = strlen (line);
  char *eq;

  if (len && line[len - 1] == '\r')
    line[--len] = '\0';
  if (!container_utf8_valid (line, len))
    return oci_error_set (err, EINVAL, "env file %s contains invalid utf8 bytes at line %zu", file, lineno);
  if (lineno == 1 && has_prefix (line, "\xef\xbb\xbf"))
    line += 3;
  while (isspace ((unsigned char) *line))
    line++;
  if (*line == '\0' || *line == '#')
    return 0;
  eq = strchr (line, '=');
  if (strcspn (line, " \t\n\v\f\r") < (eq ? (size_t) (eq - line) : strlen (line)))
    return oci_error_set (err, EINVAL, "poorly formatted environment: variable '%.*s' contains whitespaces",
                          (int) (eq ? eq - line : (ptrdiff_t) strlen (line)), line);
  if (eq == line)
    return oci_error_set (err, EINVAL, "poorly formatted environment: no variable name on line '%s'", line);
  if (eq)
    strv_push (out, line);
  else if (from_env && getenv (line))
    {
      cleanup_free char *kv = NULL;
      xasprintf (&kv, "%s=%s", line, getenv (line));
      strv_push (out, kv);
    }
  return 0;
}

static int
read_kv_file (const char *file, bool from_env, char ***out, oci_error_t **err)
{
  cleanup_file FILE *f = fopen (file, "re");
  cleanup_free char *line = NULL;
  size_t cap = 0, lineno = 0;

  if (f == NULL)
    return oci_error_set (err, errno, "open %s: %s", file, strerror (errno));
  while (getline (&line, &cap, f) > 0)
    {
      size_t len = strlen (line);
      if (len && line[len - 1] == '\n')
        line[len - 1] = '\0';
      if (kv_file_line (file, line, ++lineno, from_env, out, err) < 0)
        return -1;
    }
  if (ferror (f))
    return oci_error_set (err, errno, "read %s: %s", file, strerror (errno));
  return 0;
}

/* --- simple values --- */

static int
set_env (struct parse_ctx *ctx, const struct flag_def *f UNUSED, const char *v, oci_error_t **err)
{
  const char *eq = strchr (v, '=');

  if (eq == v || *v == '\0')
    return oci_error_set (err, EINVAL, "invalid environment variable: %s", v);
  if (eq)
    strv_push (&ctx->envs, v);
  else if (getenv (v))
    {
      cleanup_free char *kv = NULL;
      xasprintf (&kv, "%s=%s", v, getenv (v));
      strv_push (&ctx->envs, kv);
    }
  return 0;
}

static int
set_label (struct parse_ctx *ctx, const struct flag_def *f UNUSED, const char *v, oci_error_t **err)
{
  size_t klen = strcspn (v, "=");
  const char *k = v;

  while (klen && isspace ((unsigned char) *k))
    k++, klen--;
  while (klen && isspace ((unsigned char) k[klen - 1]))
    klen--;
  if (klen == 0)
    return oci_error_set (err, EINVAL, "invalid label '%s': empty name", v);
  strv_push (&ctx->labels, v);
  return 0;
}

static int
set_attach (struct parse_ctx *ctx, const struct flag_def *f, const char *v, oci_error_t **err)
{
  static const char *const streams[] = { "stdin", "stdout", "stderr" };
  cleanup_free char *lower = xstrdup (v);

  for (char *p = lower; *p; p++)
    *p = tolower ((unsigned char) *p);
  for (size_t i = 0; i < ARRAY_SIZE (streams); i++)
    if (streq (lower, streams[i]))
      {
        strv_push (&ctx->o->attach, lower);
        return 0;
      }
  return flag_error (ctx, f, v, err, "valid streams are STDIN, STDOUT and STDERR");
}

static int
set_name (struct parse_ctx *ctx, const struct flag_def *f UNUSED, const char *v, oci_error_t **err)
{
  const char *n = v[0] == '/' ? v + 1 : v;

  if (!container_name_valid (n))
    return oci_error_set (err, EINVAL,
                          "Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", n);
  str_replace (&ctx->o->name, n);
  return 0;
}

static int
set_workdir (struct parse_ctx *ctx, const struct flag_def *f UNUSED, const char *v, oci_error_t **err)
{
  if (v[0] != '/')
    return oci_error_set (err, EINVAL,
                          "the working directory '%s' is invalid, it needs to be an absolute path", v);
  free (ctx->o->record->config->working_dir);
  ctx->o->record->config->working_dir = container_path_clean (v);
  return 0;
}

static int
set_restart (struct parse_ctx *ctx, const struct flag_def *f UNUSED, const char *v, oci_error_t **err)
{
  struct container_restart_policy *rp = ctx->o->record->host_config->restart_policy;
  const char *colon = strchr (v, ':');
  cleanup_free char *name = colon ? xstrndup (v, colon - v) : xstrdup (v);
  int64_t count = 0;

  if (colon && colon == v)
    return oci_error_set (err, EINVAL, "invalid restart policy format: no policy provided before colon");
  if (colon && colon[1] && parse_int (colon + 1, INT32_MIN, INT32_MAX, &count, NULL) < 0)
    return oci_error_set (err, EINVAL,
                          "invalid restart policy format: maximum retry count must be an integer");
  if (*name == '\0')
    str_replace (&name, "no");
  if (!streq (name, "no") && !streq (name, "always") && !streq (name, "unless-stopped")
      && !streq (name, "on-failure"))
    return oci_error_set (
        err, EINVAL,
        "invalid restart policy: unknown policy '%s'; use one of 'no', 'always', 'on-failure', or "
        "'unless-stopped'",
        name);
  if (count != 0 && !streq (name, "on-failure"))
    return oci_error_set (err, EINVAL,
                          "invalid restart policy: maximum retry count can only be used with 'on-failure'");
  if (count < 0)
    return oci_error_set (err, EINVAL, "invalid restart policy: maximum retry count cannot be negative");
  str_replace (&rp->name, name);
  rp->maximum_retry_count = (int32_t) count;
  ctx->restart_given = !streq (name, "no");
  return 0;
}

static int
set_pull (struct parse_ctx *ctx, const struct flag_def *f UNUSED, const char *v, oci_error_t **err)
{
  if (!streq (v, "missing") && !streq (v, "always") && !streq (v, "never"))
    return oci_error_set (
        err, EINVAL, "invalid pull option: '%s': must be one of \"always\", \"missing\" or \"never\"", v);
  str_replace (&ctx->o->pull, v);
  return 0;
}

static int
set_logging (struct parse_ctx *ctx, const struct flag_def *f UNUSED, const char *v, oci_error_t **err)
{
  if (!streq (v, "json-file") && !streq (v, "none"))
    return oci_error_set (err, EINVAL, "logger: no log driver named '%s' is registered", v);
  str_replace (&ctx->o->log_driver, v);
  str_replace (&ctx->o->record->host_config->log_config->type, v);
  return 0;
}

/* Go's signal.ParseSignal: a number or a name with or without SIG.  */
static bool
signal_valid (const char *s)
{
  static const char names[]
      = " ABRT ALRM BUS CHLD CLD CONT FPE HUP ILL INT IO IOT KILL PIPE POLL PROF PWR QUIT RTMAX RTMIN SEGV "
        "STKFLT STOP SYS TERM TRAP TSTP TTIN TTOU URG USR1 USR2 VTALRM WINCH XCPU XFSZ ";
  cleanup_free char *up = xstrdup (s);
  const char *n = up;
  int64_t num;

  if (parse_int (s, 1, 64, &num, NULL) == 0)
    return true;
  for (char *p = up; *p; p++)
    *p = toupper ((unsigned char) *p);
  if (has_prefix (n, "SIG"))
    n += 3;
  if ((has_prefix (n, "RTMIN+") || has_prefix (n, "RTMAX-")) && parse_int (n + 6, 1, 30, &num, NULL) == 0)
    return true;
  return container_word_in (names, n);
}

static int
set_stop_signal (struct parse_ctx *ctx, const struct flag_def *f UNUSED, const char *v, oci_error_t **err)
{
  if (!signal_valid (v))
    return oci_error_set (err, EINVAL, "Invalid signal: %s", v);
  str_replace (&ctx->o->record->config->stop_signal, v);
  return 0;
}

static struct oci_image_healthcheck *
healthcheck (struct parse_ctx *ctx)
{
  struct container_config *c = ctx->o->record->config;

  if (c->healthcheck == NULL)
    c->healthcheck = xzalloc (sizeof *c->healthcheck);
  ctx->health_flags = true;
  return c->healthcheck;
}

static int
set_int (struct parse_ctx *ctx, const struct flag_def *f, const char *v, oci_error_t **err)
{
  struct container_host_config *h = ctx->o->record->host_config;
  struct container_config *c = ctx->o->record->config;
  cleanup_error oci_error_t *inner = NULL;
  int64_t n = 0;
  bool is32 = f->id == F_OOM_SCORE_ADJ || f->id == F_STOP_TIMEOUT || f->id == F_HEALTH_RETRIES;

  if (parse_int (v, is32 ? INT32_MIN : INT64_MIN, is32 ? INT32_MAX : INT64_MAX, &n, &inner) < 0)
    return flag_error_from (ctx, f, v, err, &inner);
  switch (f->id)
    {
    case F_CPU_SHARES:
      h->cpu_shares = n;
      break;
    case F_PIDS_LIMIT:
      h->pids_limit = n;
      h->pids_limit_present = true;
      break;
    case F_OOM_SCORE_ADJ:
      if (n < -1000 || n > 1000)
        return oci_error_set (err, EINVAL,
                              "Invalid value %" PRId64 ", range for oom score adj is [-1000, 1000]", n);
      h->oom_score_adj = (int32_t) n;
      break;
    case F_STOP_TIMEOUT:
      c->stop_timeout = (int32_t) n;
      c->stop_timeout_present = true;
      break;
    default: /* F_HEALTH_RETRIES */
      if (n < 0)
        return oci_error_set (err, EINVAL, "--health-retries cannot be negative");
      healthcheck (ctx)->retries = n;
      c->healthcheck->retries_present = true;
      break;
    }
  return 0;
}

static int
set_blkio (struct parse_ctx *ctx, const struct flag_def *f, const char *v, oci_error_t **err)
{
  int64_t n = 0;

  if (v[0] == '-' || parse_int (v, 0, INT64_MAX, &n, NULL) < 0)
    return flag_error (ctx, f, v, err, "strconv.ParseUint: parsing \"%s\": invalid syntax", v);
  if (n > UINT16_MAX)
    return flag_error (ctx, f, v, err, "strconv.ParseUint: parsing \"%s\": value out of range", v);
  if (n > 0 && (n < 10 || n > 1000))
    return oci_error_set (err, EINVAL, "Range of blkio weight is from 10 to 1000");
  ctx->o->record->host_config->blkio_weight = (uint16_t) n;
  return 0;
}

static int
set_size (struct parse_ctx *ctx, const struct flag_def *f, const char *v, oci_error_t **err)
{
  struct container_host_config *h = ctx->o->record->host_config;
  cleanup_error oci_error_t *inner = NULL;
  int64_t n = 0;

  if (container_parse_size (v, f->id == F_MEMORY_SWAP, &n, &inner) < 0)
    return flag_error_from (ctx, f, v, err, &inner);
  switch (f->id)
    {
    case F_MEMORY:
      h->memory = n;
      break;
    case F_MEMORY_RESERVATION:
      h->memory_reservation = n;
      break;
    case F_MEMORY_SWAP:
      h->memory_swap = n;
      break;
    default: /* F_SHM_SIZE */
      if (n <= 0)
        return oci_error_set (err, EINVAL, "SHM size can not be less or equal than 0");
      h->shm_size = n;
      break;
    }
  return 0;
}

static int
set_cpus (struct parse_ctx *ctx, const struct flag_def *f, const char *v, oci_error_t **err)
{
  cleanup_error oci_error_t *inner = NULL;
  long ncpu = sysconf (_SC_NPROCESSORS_ONLN);
  int64_t n = 0;

  if (parse_nano_cpus (v, &n, &inner) < 0)
    return flag_error_from (ctx, f, v, err, &inner);
  if (ncpu < 1)
    ncpu = 1;
  if (n < 0 || n > ncpu * 1000000000LL || (n > 0 && n < 10000000))
    return oci_error_set (err, EINVAL,
                          "Range of CPUs is from 0.01 to %ld.00, as there are only %ld CPUs available", ncpu,
                          ncpu);
  ctx->o->record->host_config->nano_cpus = n;
  return 0;
}

/* "0-3,5" */
static bool
cpuset_valid (const char *p)
{
  if (*p == '\0')
    return true;
  for (;;)
    {
      if (!isdigit ((unsigned char) *p))
        return false;
      while (isdigit ((unsigned char) *p))
        p++;
      if (*p == '-')
        {
          if (!isdigit ((unsigned char) *++p))
            return false;
          while (isdigit ((unsigned char) *p))
            p++;
        }
      if (*p == '\0')
        return true;
      if (*p++ != ',')
        return false;
    }
}

static int
set_cpuset (struct parse_ctx *ctx, const struct flag_def *f, const char *v, oci_error_t **err)
{
  struct container_host_config *h = ctx->o->record->host_config;

  if (!cpuset_valid (v))
    return oci_error_set (err, EINVAL, "Invalid value %s for cpuset %s", v,
                          f->id == F_CPUSET_CPUS ? "cpus" : "mems");
  str_replace (f->id == F_CPUSET_CPUS ? &h->cpuset_cpus : &h->cpuset_mems, v);
  return 0;
}

static int
set_health (struct parse_ctx *ctx, const struct flag_def *f, const char *v, oci_error_t **err)
{
  struct oci_image_healthcheck *hc = healthcheck (ctx);
  cleanup_error oci_error_t *inner = NULL;
  int64_t ns;

  if (f->id == F_HEALTH_CMD)
    {
      strv_free (hc->test);
      hc->test = NULL;
      if (*v)
        {
          strv_push (&hc->test, "CMD-SHELL");
          strv_push (&hc->test, v);
        }
      return 0;
    }
  if (container_parse_duration (v, &ns, &inner) < 0)
    return flag_error_from (ctx, f, v, err, &inner);
  if (ns < 0)
    return oci_error_set (err, EINVAL, "--%s cannot be negative", f->name);
  if (f->id == F_HEALTH_INTERVAL)
    hc->interval = ns, hc->interval_present = true;
  else if (f->id == F_HEALTH_TIMEOUT)
    hc->timeout = ns, hc->timeout_present = true;
  else
    hc->start_period = ns, hc->start_period_present = true;
  return 0;
}

/* --- namespaces and network --- */

static bool
container_ref_mode (const char *v)
{
  return has_prefix (v, "container:") && v[strlen ("container:")] != '\0';
}

static int
set_ns_mode (struct parse_ctx *ctx, const struct flag_def *f, const char *v, oci_error_t **err)
{
  struct container_host_config *h = ctx->o->record->host_config;

  switch (f->id)
    {
    case F_IPC:
      if (!(*v == '\0' || streq (v, "none") || streq (v, "private") || streq (v, "shareable")
            || streq (v, "host") || container_ref_mode (v)))
        return oci_error_set (err, EINVAL, "--ipc: invalid IPC mode");
      str_replace (&h->ipc_mode, *v ? v : "private");
      break;
    case F_PID:
      if (!(*v == '\0' || streq (v, "host") || container_ref_mode (v)))
        return oci_error_set (err, EINVAL, "--pid: invalid PID mode");
      str_replace (&h->pid_mode, v);
      break;
    case F_UTS:
      if (!(*v == '\0' || streq (v, "host")))
        return oci_error_set (err, EINVAL, "--uts: invalid UTS mode");
      str_replace (&h->uts_mode, v);
      break;
    default: /* F_USERNS */
      if (!(*v == '\0' || streq (v, "host") || streq (v, "keep-id")))
        return oci_error_set (err, EINVAL, "--userns: invalid USER mode");
      str_replace (&h->userns_mode, v);
      break;
    }
  return 0;
}

static int
set_network (struct parse_ctx *ctx, const struct flag_def *f UNUSED, const char *v, oci_error_t **err)
{
  if (*v == '\0' || (has_prefix (v, "container:") && !container_ref_mode (v)))
    return oci_error_set (err, EINVAL, "invalid container format container:<name|id>");
  str_replace (&ctx->o->record->host_config->network_mode, streq (v, "default") ? "bridge" : v);
  return 0;
}

static bool
ip_valid (const char *s)
{
  unsigned char buf[sizeof (struct in6_addr)];
  return inet_pton (AF_INET, s, buf) == 1 || inet_pton (AF_INET6, s, buf) == 1;
}

static int
set_add_host (struct parse_ctx *ctx, const struct flag_def *f, const char *v, oci_error_t **err)
{
  const char *sep = strchr (v, '=');
  cleanup_free char *ip = NULL, *host = NULL, *entry = NULL;
  size_t len;

  if (sep == NULL)
    sep = strchr (v, ':');
  if (sep == NULL || sep == v)
    return flag_error (ctx, f, v, err, "bad format for add-host: \"%s\"", v);
  host = xstrndup (v, sep - v);
  ip = xstrdup (sep + 1);
  len = strlen (ip);
  if (len > 2 && ip[0] == '[' && ip[len - 1] == ']')
    {
      memmove (ip, ip + 1, len - 2);
      ip[len - 2] = '\0';
    }
  if (!streq (ip, "host-gateway") && !ip_valid (ip))
    return flag_error (ctx, f, v, err, "invalid IP address in add-host: \"%s\"", ip);
  xasprintf (&entry, "%s:%s", host, ip);
  strv_push (&ctx->o->record->host_config->extra_hosts, entry);
  return 0;
}

static int
set_dns (struct parse_ctx *ctx, const struct flag_def *f, const char *v, oci_error_t **err)
{
  struct container_host_config *h = ctx->o->record->host_config;

  if (f->id == F_DNS)
    {
      if (!ip_valid (v))
        return flag_error (ctx, f, v, err, "IP address is not correctly formatted: %s", v);
      strv_push (&h->dns, v);
    }
  else if (f->id == F_DNS_SEARCH)
    {
      if (!streq (v, ".") && !container_domain_valid (v))
        return flag_error (ctx, f, v, err, "%s is not a valid domain", v);
      strv_push (&h->dns_search, v);
    }
  else
    strv_push (&h->dns_options, v);
  return 0;
}

static int
set_port (struct parse_ctx *ctx, const struct flag_def *f, const char *v, oci_error_t **err)
{
  unsigned char buf[sizeof (struct in6_addr)];

  if (f->id == F_EXPOSE)
    return container_record_add_expose_spec (ctx->o->record, v, err);
  if (f->id == F_PUBLISH)
    return container_record_add_port_spec (ctx->o->record, v, err);
  if (f->id == F_NETWORK_ALIAS)
    {
      strv_push (&ctx->aliases, v);
      return 0;
    }
  if (inet_pton (AF_INET6, v, buf) == 1)
    return flag_error (ctx, f, v, err, "IPv6 is not supported: use an IPv4 address");
  if (inet_pton (AF_INET, v, buf) != 1)
    return flag_error (ctx, f, v, err, "invalid string being converted to IP address: %s", v);
  str_replace (&ctx->ip, v);
  return 0;
}

/* --- security --- */

static const char capability_names[]
    = " CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID SETPCAP "
      "LINUX_IMMUTABLE NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW IPC_LOCK IPC_OWNER "
      "SYS_MODULE SYS_RAWIO SYS_CHROOT SYS_PTRACE SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE "
      "SYS_RESOURCE SYS_TIME SYS_TTY_CONFIG MKNOD LEASE AUDIT_WRITE AUDIT_CONTROL SETFCAP "
      "MAC_OVERRIDE MAC_ADMIN SYSLOG WAKE_ALARM BLOCK_SUSPEND AUDIT_READ PERFMON BPF "
      "CHECKPOINT_RESTORE ";

static int
set_cap (struct parse_ctx *ctx, const struct flag_def *f, const char *v, oci_error_t **err)
{
  struct container_host_config *h = ctx->o->record->host_config;
  cleanup_free char *up = xstrdup (v), *cap = NULL;

  for (char *p = up; *p; p++)
    *p = toupper ((unsigned char) *p);
  if (streq (up, "ALL"))
    cap = xstrdup ("ALL");
  else
    {
      const char *bare = has_prefix (up, "CAP_") ? up + 4 : up;
      xasprintf (&cap, "CAP_%s", bare);
      if (!container_word_in (capability_names, bare))
        return oci_error_set (err, EINVAL, "unknown capability: \"%s\"", cap);
    }
  strv_push (f->id == F_CAP_ADD ? &h->cap_add : &h->cap_drop, cap);
  return 0;
}

static int
set_security_opt (struct parse_ctx *ctx, const struct flag_def *f UNUSED, const char *v, oci_error_t **err)
{
  struct container_host_config *h = ctx->o->record->host_config;
  size_t klen = strcspn (v, "=:");
  cleanup_free char *key = xstrndup (v, klen), *val = xstrdup (v[klen] ? v + klen + 1 : ""), *opt = NULL;
  bool b;

  if (streq (key, "no-new-privileges"))
    {
      if (v[klen] && container_parse_bool (val, &b, NULL) < 0)
        return oci_error_set (err, EINVAL, "invalid --security-opt 2: \"%s\"", v);
      strv_push (&h->security_opt, v[klen] == '\0' || b ? "no-new-privileges" : "no-new-privileges=false");
      return 0;
    }
  if (*val == '\0')
    return oci_error_set (err, EINVAL, "Invalid --security-opt: \"%s\"", v);
  if (streq (key, "seccomp") && !streq (val, "unconfined") && !streq (val, "builtin"))
    {
      cleanup_free char *abs = realpath (val, NULL);
      if (abs == NULL || access (abs, R_OK) < 0)
        return oci_error_set (err, errno, "opening seccomp profile (%s) failed: open %s: %s", val, val,
                              strerror (errno));
      xasprintf (&opt, "seccomp=%s", abs);
    }
  else if (streq (key, "seccomp") || streq (key, "label") || streq (key, "apparmor")
           || (streq (key, "systempaths") && streq (val, "unconfined")))
    xasprintf (&opt, "%s=%s", key, val);
  else
    return oci_error_set (err, EINVAL, "invalid --security-opt 2: \"%s\"", v);
  strv_push (&h->security_opt, opt);
  return 0;
}

static bool
device_mode_valid (const char *m)
{
  if (*m == '\0')
    return false;
  for (const char *p = m; *p; p++)
    if (!strchr ("rwm", *p) || strchr (p + 1, *p))
      return false;
  return true;
}

/* /host[:/ctr][:rwm]  */
static int
set_device (struct parse_ctx *ctx, const struct flag_def *f, const char *v, oci_error_t **err)
{
  struct container_host_config *h = ctx->o->record->host_config;
  cleanup_strv char **parts = NULL;
  const char *src, *dst, *mode = "rwm";
  struct container_device *d;
  size_t n = 0;

  for (const char *p = v;; p++)
    {
      size_t len = strcspn (p, ":");
      cleanup_free char *part = xstrndup (p, len);
      strv_push (&parts, part);
      n++;
      p += len;
      if (*p == '\0')
        break;
    }
  if (n > 3 || *parts[0] == '\0')
    return flag_error (ctx, f, v, err, "bad format for path: %s", v);
  src = dst = parts[0];
  if (n == 2 && device_mode_valid (parts[1]))
    mode = parts[1];
  else if (n >= 2)
    dst = parts[1];
  if (n == 3 && !device_mode_valid (parts[2]))
    return flag_error (ctx, f, v, err, "bad mode specified: %s", parts[2]);
  if (n == 3)
    mode = parts[2];
  if (dst[0] != '/')
    return flag_error (ctx, f, v, err, "%s is not an absolute path", dst);
  h->devices = xreallocarray (h->devices, h->devices_len + 1, sizeof *h->devices);
  d = &h->devices[h->devices_len++];
  d->path_on_host = xstrdup (src);
  d->path_in_container = container_path_clean (dst);
  d->cgroup_permissions = xstrdup (mode);
  return 0;
}

static int
set_sysctl (struct parse_ctx *ctx, const struct flag_def *f, const char *v, oci_error_t **err)
{
  static const char allowed[] = " kernel.msgmax kernel.msgmnb kernel.msgmni kernel.sem kernel.shmall "
                                "kernel.shmmax kernel.shmmni kernel.shm_rmid_forced ";
  const char *eq = strchr (v, '=');
  cleanup_free char *key = eq ? xstrndup (v, eq - v) : NULL;

  if (key == NULL
      || !(container_word_in (allowed, key) || has_prefix (key, "net.") || has_prefix (key, "fs.mqueue.")))
    return flag_error (ctx, f, v, err, "sysctl '%s' is not allowed", v);
  oci_map_set (&ctx->o->record->host_config->sysctls, key, eq + 1);
  return 0;
}

/* go-units ParseUlimit: name=soft[:hard]  */
static int
set_ulimit (struct parse_ctx *ctx, const struct flag_def *f, const char *v, oci_error_t **err)
{
  static const char names[] = " as core cpu data fsize locks memlock msgqueue nice nofile nproc rss rtprio "
                              "rttime sigpending stack ";
  struct container_host_config *h = ctx->o->record->host_config;
  const char *eq = strchr (v, '='), *colon;
  cleanup_free char *name = eq ? xstrndup (v, eq - v) : NULL, *soft_s = NULL;
  cleanup_error oci_error_t *inner = NULL;
  int64_t soft, hard;
  struct container_ulimit *u = NULL;

  if (name == NULL)
    return flag_error (ctx, f, v, err, "invalid ulimit argument: %s", v);
  if (!container_word_in (names, name))
    return flag_error (ctx, f, v, err, "invalid ulimit type: %s", name);
  colon = strchr (eq + 1, ':');
  if (colon && strchr (colon + 1, ':'))
    return flag_error (ctx, f, v, err,
                       "too many limit value arguments - %s, can only have up to two, `soft[:hard]`", eq + 1);
  soft_s = colon ? xstrndup (eq + 1, colon - eq - 1) : xstrdup (eq + 1);
  if ((colon && parse_int (colon + 1, INT64_MIN, INT64_MAX, &hard, &inner) < 0)
      || parse_int (soft_s, INT64_MIN, INT64_MAX, &soft, &inner) < 0)
    return flag_error_from (ctx, f, v, err, &inner);
  if (!colon)
    hard = soft;
  if (hard != -1 && soft > hard)
    return flag_error (ctx, f, v, err,
                       "ulimit soft limit must be less than or equal to hard limit: %" PRId64 " > %" PRId64,
                       soft, hard);
  for (size_t i = 0; i < h->ulimits_len && u == NULL; i++)
    if (streq (h->ulimits[i].name, name))
      u = &h->ulimits[i];
  if (u == NULL)
    {
      h->ulimits = xreallocarray (h->ulimits, h->ulimits_len + 1, sizeof *h->ulimits);
      u = &h->ulimits[h->ulimits_len++];
      memset (u, 0, sizeof *u);
      u->name = xstrdup (name);
    }
  u->soft = soft;
  u->hard = hard;
  u->soft_present = u->hard_present = true;
  return 0;
}

/* --- dispatch --- */

static int
set_bool (struct parse_ctx *ctx, const struct flag_def *f, const char *v, oci_error_t **err)
{
  struct container_opts *o = ctx->o;
  struct container_host_config *h = o->record->host_config;
  cleanup_error oci_error_t *inner = NULL;
  bool b;

  if (container_parse_bool (v, &b, &inner) < 0)
    return flag_error_from (ctx, f, v, err, &inner);
  switch (f->id)
    {
    case F_DETACH:
      o->detach = b;
      break;
    case F_INTERACTIVE:
      o->interactive = b;
      break;
    case F_TTY:
      o->tty = b;
      break;
    case F_RM:
      o->rm = b;
      break;
    case F_SIG_PROXY:
      o->sig_proxy = b;
      break;
    case F_NO_HEALTHCHECK:
      o->no_healthcheck = b;
      break;
    case F_PRIVILEGED:
      h->privileged = b;
      break;
    case F_READ_ONLY:
      h->readonly_rootfs = b;
      break;
    case F_PUBLISH_ALL:
      h->publish_all_ports = b;
      break;
    default: /* F_OOM_KILL_DISABLE */
      h->oom_kill_disable = b;
      break;
    }
  return 0;
}

static int
set_str (struct parse_ctx *ctx, const struct flag_def *f, const char *v, oci_error_t **err UNUSED)
{
  struct container_opts *o = ctx->o;
  struct container_config *c = o->record->config;
  struct container_host_config *h = o->record->host_config;

  switch (f->id)
    {
    case F_CIDFILE:
      str_replace (&o->cidfile, v);
      str_replace (&h->container_id_file, v);
      break;
    case F_DETACH_KEYS:
      str_replace (&o->detach_keys, v);
      break;
    case F_DOMAINNAME:
      str_replace (&c->domainname, v);
      break;
    case F_HOSTNAME:
      str_replace (&c->hostname, v);
      break;
    case F_USER:
      str_replace (&c->user, v);
      break;
    case F_PLATFORM:
      str_replace (&o->platform, v);
      break;
    case F_RUNTIME:
      str_replace (&o->runtime, v);
      str_replace (&h->runtime, v);
      break;
    case F_GROUP_ADD:
      strv_push (&h->group_add, v);
      break;
    case F_DNS_OPTION:
      strv_push (&h->dns_options, v);
      break;
    case F_ENV_FILE:
      strv_push (&ctx->env_files, v);
      break;
    case F_LABEL_FILE:
      strv_push (&ctx->label_files, v);
      break;
    default: /* F_ENTRYPOINT */
      strv_free (c->entrypoint);
      c->entrypoint = xcalloc (2, sizeof (char *));
      if (*v)
        c->entrypoint[0] = xstrdup (v);
      o->entrypoint_set = true;
      break;
    }
  return 0;
}

static int
set_storage (struct parse_ctx *ctx, const struct flag_def *f, const char *v, oci_error_t **err)
{
  cleanup_error oci_error_t *inner = NULL;
  int ret;

  strv_push (&ctx->o->volume_specs, v);
  if (f->id == F_VOLUME)
    return container_record_add_volume_spec (ctx->o->record, v, err);
  if (f->id == F_TMPFS)
    return container_record_add_tmpfs_spec (ctx->o->record, v, err);
  ret = container_record_add_mount_spec (ctx->o->record, v, &inner);
  if (ret == -2)
    return flag_error_from (ctx, f, v, err, &inner);
  if (ret < 0)
    *err = steal_pointer (&inner);
  return ret < 0 ? -1 : 0;
}

/* Sorted by long name, like docker's help.  */
static const struct flag_def flag_defs[] = {
  { "add-host", 0, "list", "Add a custom host-to-IP mapping (host:ip)", 0, F_ADD_HOST, set_add_host },
  { "attach", 'a', "list", "Attach to STDIN, STDOUT or STDERR", 0, F_ATTACH, set_attach },
  { "blkio-weight", 0, "uint16",
    "Block IO (relative weight), between 10 and 1000, or 0 to disable (default 0)", 0, F_BLKIO_WEIGHT,
    set_blkio },
  { "cap-add", 0, "list", "Add Linux capabilities", 0, F_CAP_ADD, set_cap },
  { "cap-drop", 0, "list", "Drop Linux capabilities", 0, F_CAP_DROP, set_cap },
  { "cidfile", 0, "string", "Write the container ID to the file", 0, F_CIDFILE, set_str },
  { "cpu-shares", 'c', "int", "CPU shares (relative weight)", 0, F_CPU_SHARES, set_int },
  { "cpus", 0, "decimal", "Number of CPUs", 0, F_CPUS, set_cpus },
  { "cpuset-cpus", 0, "string", "CPUs in which to allow execution (0-3, 0,1)", 0, F_CPUSET_CPUS, set_cpuset },
  { "cpuset-mems", 0, "string", "MEMs in which to allow execution (0-3, 0,1)", 0, F_CPUSET_MEMS, set_cpuset },
  { "detach", 'd', NULL, "Run container in background and print container ID", FL_RUN_ONLY, F_DETACH,
    set_bool },
  { "detach-keys", 0, "string", "Override the key sequence for detaching a container", FL_RUN_ONLY,
    F_DETACH_KEYS, set_str },
  { "device", 0, "list", "Add a host device to the container", 0, F_DEVICE, set_device },
  { "dns", 0, "list", "Set custom DNS servers", 0, F_DNS, set_dns },
  { "dns-option", 0, "list", "Set DNS options", 0, F_DNS_OPTION, set_str },
  { "dns-search", 0, "list", "Set custom DNS search domains", 0, F_DNS_SEARCH, set_dns },
  { "domainname", 0, "string", "Container NIS domain name", 0, F_DOMAINNAME, set_str },
  { "entrypoint", 0, "string", "Overwrite the default ENTRYPOINT of the image", 0, F_ENTRYPOINT, set_str },
  { "env", 'e', "list", "Set environment variables", 0, F_ENV, set_env },
  { "env-file", 0, "list", "Read in a file of environment variables", 0, F_ENV_FILE, set_str },
  { "expose", 0, "list", "Expose a port or a range of ports", 0, F_EXPOSE, set_port },
  { "group-add", 0, "list", "Add additional groups to join", 0, F_GROUP_ADD, set_str },
  { "health-cmd", 0, "string", "Command to run to check health", 0, F_HEALTH_CMD, set_health },
  { "health-interval", 0, "duration", "Time between running the check (ms|s|m|h) (default 0s)", 0,
    F_HEALTH_INTERVAL, set_health },
  { "health-retries", 0, "int", "Consecutive failures needed to report unhealthy", 0, F_HEALTH_RETRIES,
    set_int },
  { "health-start-period", 0, "duration",
    "Start period for the container to initialize before starting health-retries countdown (ms|s|m|h) "
    "(default 0s)",
    0, F_HEALTH_START_PERIOD, set_health },
  { "health-timeout", 0, "duration", "Maximum time to allow one check to run (ms|s|m|h) (default 0s)", 0,
    F_HEALTH_TIMEOUT, set_health },
  { "help", 0, NULL, "Print usage", 0, F_HELP, NULL },
  { "hostname", 'h', "string", "Container host name", 0, F_HOSTNAME, set_str },
  { "interactive", 'i', NULL, "Keep STDIN open even if not attached", 0, F_INTERACTIVE, set_bool },
  { "ip", 0, "ip", "IPv4 address (e.g., 172.30.100.104)", 0, F_IP, set_port },
  { "ipc", 0, "string", "IPC mode to use", 0, F_IPC, set_ns_mode },
  { "label", 'l', "list", "Set meta data on a container", 0, F_LABEL, set_label },
  { "label-file", 0, "list", "Read in a line delimited file of labels", 0, F_LABEL_FILE, set_str },
  { "log-driver", 0, "string", "Logging driver for the container (\"json-file\", \"none\")", 0, F_LOG_DRIVER,
    set_logging },
  { "memory", 'm', "bytes", "Memory limit", 0, F_MEMORY, set_size },
  { "memory-reservation", 0, "bytes", "Memory soft limit", 0, F_MEMORY_RESERVATION, set_size },
  { "memory-swap", 0, "bytes", "Swap limit equal to memory plus swap: '-1' to enable unlimited swap", 0,
    F_MEMORY_SWAP, set_size },
  { "mount", 0, "mount", "Attach a filesystem mount to the container", 0, F_MOUNT, set_storage },
  { "name", 0, "string", "Assign a name to the container", 0, F_NAME, set_name },
  { "net", 0, "network", "Connect a container to a network", FL_HIDDEN, F_NETWORK, set_network },
  { "network", 0, "network", "Connect a container to a network (none, host, bridge, container:NAME)", 0,
    F_NETWORK, set_network },
  { "network-alias", 0, "list", "Add network-scoped alias for the container", 0, F_NETWORK_ALIAS, set_port },
  { "no-healthcheck", 0, NULL, "Disable any container-specified HEALTHCHECK", 0, F_NO_HEALTHCHECK, set_bool },
  { "oom-kill-disable", 0, NULL, "Disable OOM Killer", 0, F_OOM_KILL_DISABLE, set_bool },
  { "oom-score-adj", 0, "int", "Tune host's OOM preferences (-1000 to 1000)", 0, F_OOM_SCORE_ADJ, set_int },
  { "pid", 0, "string", "PID namespace to use", 0, F_PID, set_ns_mode },
  { "pids-limit", 0, "int", "Tune container pids limit (set -1 for unlimited)", 0, F_PIDS_LIMIT, set_int },
  { "platform", 0, "string", "Set platform if server is multi-platform capable", 0, F_PLATFORM, set_str },
  { "privileged", 0, NULL, "Give extended privileges to this container", 0, F_PRIVILEGED, set_bool },
  { "publish", 'p', "list", "Publish a container's port(s) to the host", 0, F_PUBLISH, set_port },
  { "publish-all", 'P', NULL, "Publish all exposed ports to random ports", 0, F_PUBLISH_ALL, set_bool },
  { "pull", 0, "string",
    "Pull image before running (\"always\", \"missing\", \"never\") (default \"missing\")", 0, F_PULL,
    set_pull },
  { "read-only", 0, NULL, "Mount the container's root filesystem as read only", 0, F_READ_ONLY, set_bool },
  { "restart", 0, "string", "Restart policy to apply when a container exits (default \"no\")", 0, F_RESTART,
    set_restart },
  { "rm", 0, NULL, "Automatically remove the container and its associated anonymous volumes when it exits", 0,
    F_RM, set_bool },
  { "runtime", 0, "string", "Runtime to use for this container", 0, F_RUNTIME, set_str },
  { "security-opt", 0, "list", "Security Options", 0, F_SECURITY_OPT, set_security_opt },
  { "shm-size", 0, "bytes", "Size of /dev/shm", 0, F_SHM_SIZE, set_size },
  { "sig-proxy", 0, NULL, "Proxy received signals to the process (default true)", FL_RUN_ONLY, F_SIG_PROXY,
    set_bool },
  { "stop-signal", 0, "string", "Signal to stop the container", 0, F_STOP_SIGNAL, set_stop_signal },
  { "stop-timeout", 0, "int", "Timeout (in seconds) to stop a container", 0, F_STOP_TIMEOUT, set_int },
  { "sysctl", 0, "map", "Sysctl options (default map[])", 0, F_SYSCTL, set_sysctl },
  { "tmpfs", 0, "list", "Mount a tmpfs directory", 0, F_TMPFS, set_storage },
  { "tty", 't', NULL, "Allocate a pseudo-TTY", 0, F_TTY, set_bool },
  { "ulimit", 0, "ulimit", "Ulimit options (default [])", 0, F_ULIMIT, set_ulimit },
  { "user", 'u', "string", "Username or UID (format: <name|uid>[:<group|gid>])", 0, F_USER, set_str },
  { "userns", 0, "string", "User namespace to use (host, keep-id)", 0, F_USERNS, set_ns_mode },
  { "uts", 0, "string", "UTS namespace to use", 0, F_UTS, set_ns_mode },
  { "volume", 'v', "list", "Bind mount a volume", 0, F_VOLUME, set_storage },
  { "workdir", 'w', "string", "Working directory inside the container", 0, F_WORKDIR, set_workdir },
};

static const struct flag_def *
flag_by_id (enum flag_id id)
{
  for (size_t i = 0; i < ARRAY_SIZE (flag_defs); i++)
    if (flag_defs[i].id == id && !(flag_defs[i].flags & FL_HIDDEN))
      return &flag_defs[i];
  return NULL;
}

static const struct flag_def *
flag_by_short (int c)
{
  for (size_t i = 0; i < ARRAY_SIZE (flag_defs); i++)
    if (flag_defs[i].shortc == c)
      return &flag_defs[i];
  return NULL;
}

/* --- after the flags: files, precedence and cross-flag checks --- */

static int
finish_env_labels (struct parse_ctx *ctx, oci_error_t **err)
{
  struct container_config *c = ctx->o->record->config;
  cleanup_strv char **labels = NULL;

  for (size_t i = 0; ctx->env_files && ctx->env_files[i]; i++)
    if (read_kv_file (ctx->env_files[i], true, &c->env, err) < 0)
      return -1;
  for (size_t i = 0; ctx->envs && ctx->envs[i]; i++)
    strv_push (&c->env, ctx->envs[i]);
  for (size_t i = 0; ctx->label_files && ctx->label_files[i]; i++)
    if (read_kv_file (ctx->label_files[i], false, &labels, err) < 0)
      return -1;
  for (size_t i = 0; ctx->labels && ctx->labels[i]; i++)
    strv_push (&labels, ctx->labels[i]);
  for (size_t i = 0; labels && labels[i]; i++)
    {
      size_t k = strcspn (labels[i], "=");
      cleanup_free char *key = xstrndup (labels[i], k);
      oci_map_set (&c->labels, key, labels[i][k] ? labels[i] + k + 1 : "");
    }
  return 0;
}

static int
finish_health (struct parse_ctx *ctx, oci_error_t **err)
{
  struct container_config *c = ctx->o->record->config;

  if (ctx->o->no_healthcheck)
    {
      if (ctx->health_flags)
        return oci_error_set (err, EINVAL, "--no-healthcheck conflicts with --health-* options");
      if (c->healthcheck)
        strv_free (c->healthcheck->test);
      free (c->healthcheck);
      c->healthcheck = xzalloc (sizeof *c->healthcheck);
      strv_push (&c->healthcheck->test, "NONE");
      return 0;
    }
  if (c->healthcheck && c->healthcheck->interval_present && c->healthcheck->interval > 0
      && c->healthcheck->interval < 1000000)
    return oci_error_set (err, EINVAL, "Interval in Healthcheck cannot be less than 1ms");
  if (c->healthcheck && c->healthcheck->timeout_present && c->healthcheck->timeout > 0
      && c->healthcheck->timeout < 1000000)
    return oci_error_set (err, EINVAL, "Timeout in Healthcheck cannot be less than 1ms");
  return 0;
}

static int
finish_memory (struct container_host_config *h, oci_error_t **err)
{
  const int64_t min = 6 * 1024 * 1024;

  if (h->memory > 0 && h->memory < min)
    return oci_error_set (err, EINVAL, "Minimum memory limit allowed is 6MB");
  if (h->memory_swap > 0 && h->memory == 0)
    return oci_error_set (err, EINVAL,
                          "You should always set the Memory limit when using Memoryswap limit, see usage");
  if (h->memory > 0 && h->memory_swap > 0 && h->memory_swap < h->memory)
    return oci_error_set (err, EINVAL,
                          "Minimum memoryswap limit should be larger than memory limit, see usage");
  if (h->memory_reservation > 0 && h->memory_reservation < min)
    return oci_error_set (err, EINVAL, "Minimum memory reservation allowed is 6MB");
  if (h->memory > 0 && h->memory_reservation > 0 && h->memory < h->memory_reservation)
    return oci_error_set (err, EINVAL,
                          "Minimum memory limit can not be less than memory reservation limit, see usage");
  if (h->memory > 0 && h->memory_swap == 0)
    h->memory_swap = 2 * h->memory;
  return 0;
}

static int
finish_conflicts (struct parse_ctx *ctx, oci_error_t **err)
{
  struct container_opts *o = ctx->o;
  struct container_host_config *h = o->record->host_config;

  if (o->rm && ctx->restart_given)
    return oci_error_set (err, EINVAL, "Conflicting options: --restart and --rm");
  if (o->detach && o->attach)
    return oci_error_set (err, EINVAL, "Conflicting options: -a and -d");
  if (has_prefix (h->network_mode, "container:"))
    {
      if (h->dns || h->dns_search || h->dns_options)
        return oci_error_set (err, EINVAL, "conflicting options: dns and the network mode");
      if (h->extra_hosts)
        return oci_error_set (err, EINVAL,
                              "conflicting options: custom host-to-IP mapping and the network mode");
      if (o->record->config->hostname)
        return oci_error_set (err, EINVAL, "conflicting options: hostname and the network mode");
    }
  return 0;
}

/* --network-alias and --ip go to the endpoint of the --network.  */
static int
finish_network (struct parse_ctx *ctx, oci_error_t **err)
{
  struct container_record *r = ctx->o->record;
  const char *mode = r->host_config->network_mode;
  bool user_net = !(streq (mode, "bridge") || streq (mode, "none") || streq (mode, "host")
                    || has_prefix (mode, "container:"));

  if (r->port_bindings_len && has_prefix (mode, "container:"))
    return oci_error_set (err, EINVAL,
                          "conflicting options: port publishing and the container type network mode");
  if (ctx->ip && !user_net)
    return oci_error_set (err, EINVAL,
                          "user specified IP address is supported on user defined networks only");
  if (ctx->aliases && !user_net)
    return oci_error_set (err, EINVAL,
                          "network-scoped alias is supported only for containers in user defined networks");
  if (ctx->ip || ctx->aliases)
    container_record_set_endpoint (r, mode, ctx->aliases, ctx->ip);
  return 0;
}

static void
finish_streams (struct container_opts *o)
{
  struct container_config *c = o->record->config;
  char *const *a = o->attach;

  c->tty = o->tty;
  c->open_stdin = o->interactive;
  o->record->host_config->auto_remove = o->rm;
  if (o->detach)
    c->attach_stdin = c->attach_stdout = c->attach_stderr = false;
  else if (a)
    {
      c->attach_stdin = oci_strv_contains ((const char *const *) a, "stdin");
      c->attach_stdout = oci_strv_contains ((const char *const *) a, "stdout");
      c->attach_stderr = oci_strv_contains ((const char *const *) a, "stderr");
    }
  else
    {
      c->attach_stdin = o->interactive;
      c->attach_stdout = c->attach_stderr = true;
    }
  c->stdin_once = c->open_stdin && c->attach_stdin;
}

static int
parse_finish (struct parse_ctx *ctx, oci_error_t **err)
{
  if (finish_env_labels (ctx, err) < 0 || finish_health (ctx, err) < 0
      || finish_memory (ctx->o->record->host_config, err) < 0 || finish_conflicts (ctx, err) < 0
      || finish_network (ctx, err) < 0)
    return -1;
  finish_streams (ctx->o);
  return 0;
}

/* --- the parse loop --- */

static struct option *
long_options (bool is_run)
{
  struct option *opts = xcalloc (ARRAY_SIZE (flag_defs) + 1, sizeof *opts);
  size_t n = 0;

  for (size_t i = 0; i < ARRAY_SIZE (flag_defs); i++)
    {
      const struct flag_def *f = &flag_defs[i];
      if ((f->flags & FL_RUN_ONLY) && !is_run)
        continue;
      opts[n++]
          = (struct option){ f->name, f->type ? required_argument : optional_argument, NULL, (int) f->id };
    }
  return opts;
}

static char *
short_options (bool is_run)
{
  cleanup_strbuf struct strbuf sb = STRBUF_INIT;

  strbuf_addstr (&sb, "+:");
  for (size_t i = 0; i < ARRAY_SIZE (flag_defs); i++)
    {
      const struct flag_def *f = &flag_defs[i];
      if (f->shortc == 0 || ((f->flags & FL_RUN_ONLY) && !is_run))
        continue;
      strbuf_addch (&sb, f->shortc);
      if (f->type)
        strbuf_addch (&sb, ':');
    }
  return strbuf_detach (&sb, NULL);
}

/* The error of a '?' or ':' from getopt_long; token is the argument
   being parsed.  */
static int
getopt_error (struct parse_ctx *ctx, int c, const char *token, oci_error_t **err)
{
  const char *cmd = cmd_name (ctx->is_run);
  size_t len = strcspn (token, "=");

  if (c == ':' && optopt > 0 && optopt < 256)
    return oci_error_set (err, EINVAL, "flag needs an argument: '%c' in -%c\nSee 'berth %s --help'.", optopt,
                          optopt, cmd);
  if (c == ':')
    return oci_error_set (err, EINVAL, "flag needs an argument: %.*s\nSee 'berth %s --help'.", (int) len,
                          token, cmd);
  if (optopt > 0 && optopt < 256)
    return oci_error_set (err, EINVAL, "unknown shorthand flag: '%c' in %s\nSee 'berth %s --help'.", optopt,
                          token, cmd);
  return oci_error_set (err, EINVAL, "unknown flag: %.*s\nSee 'berth %s --help'.", (int) len, token, cmd);
}

static const struct flag_def *
flag_for (int c, const struct option *opts, int longindex, const char *token)
{
  if (c < 256)
    return flag_by_short (c);
  /* getopt_long accepts unique prefixes; docker does not.  */
  if (!has_prefix (token, "--") || strcspn (token + 2, "=") != strlen (opts[longindex].name)
      || strncmp (token + 2, opts[longindex].name, strlen (opts[longindex].name)) != 0)
    return NULL;
  return flag_by_id (c);
}

static int
parse_flags (struct parse_ctx *ctx, int argc, char **argv, oci_error_t **err)
{
  cleanup_free struct option *opts = long_options (ctx->is_run);
  cleanup_free char *shorts = short_options (ctx->is_run);
  int c, longindex = -1, prev;

  optind = 0;
  opterr = 0;
  for (prev = optind ? optind : 1; (c = getopt_long (argc, argv, shorts, opts, &longindex)) != -1;
       prev = optind, longindex = -1)
    {
      const char *token = argv[prev];
      const struct flag_def *f;

      if (c == '?' || c == ':')
        return getopt_error (ctx, c, token, err);
      f = flag_for (c, opts, longindex, token);
      if (f == NULL)
        {
          optopt = 0;
          return getopt_error (ctx, '?', token, err);
        }
      if (f->id == F_HELP)
        return 1;
      /* pflag takes -m=1g as -m 1g */
      if (c < 256 && optarg && optarg == token + 2 && *optarg == '=')
        optarg++;
      if (f->set (ctx, f, optarg, err) < 0)
        return -1;
    }
  return 0;
}

static int
parse_operands (struct parse_ctx *ctx, int argc, char **argv, oci_error_t **err)
{
  struct container_opts *o = ctx->o;
  const char *cmd = cmd_name (ctx->is_run);

  if (optind >= argc)
    return oci_error_set (err, EINVAL, "\"berth %s\" requires at least 1 argument.\nSee 'berth %s --help'.",
                          cmd, cmd);
  o->image = xstrdup (argv[optind]);
  if (optind + 1 < argc)
    {
      o->command = strv_dup (argv + optind + 1);
      o->record->config->cmd = strv_dup (o->command);
    }
  return 0;
}

static void
parse_ctx_clear (struct parse_ctx *ctx)
{
  strv_free (ctx->env_files);
  strv_free (ctx->envs);
  strv_free (ctx->label_files);
  strv_free (ctx->labels);
  strv_free (ctx->aliases);
  free (ctx->ip);
}

int
container_opts_parse (int argc, char **argv, bool is_run, struct container_opts **out, oci_error_t **err)
{
  cleanup_container_opts struct container_opts *o = xzalloc (sizeof *o);
  struct parse_ctx ctx = { .o = o, .is_run = is_run };
  int ret;

  *out = NULL;
  o->record = container_record_new ();
  o->sig_proxy = true;
  o->pull = xstrdup ("missing");
  ret = parse_flags (&ctx, argc, argv, err);
  if (ret == 0)
    ret = parse_operands (&ctx, argc, argv, err);
  if (ret == 0)
    ret = parse_finish (&ctx, err);
  parse_ctx_clear (&ctx);
  if (ret == 0)
    *out = steal_pointer (&o);
  return ret;
}

void
container_opts_free (struct container_opts *o)
{
  if (o == NULL)
    return;
  container_record_free (o->record);
  free (o->name);
  free (o->image);
  strv_free (o->command);
  free (o->pull);
  free (o->detach_keys);
  free (o->cidfile);
  free (o->platform);
  strv_free (o->attach);
  strv_free (o->volume_specs);
  free (o->runtime);
  free (o->log_driver);
  free (o);
}

void
container_opts_freep (struct container_opts **o)
{
  container_opts_free (*o);
  *o = NULL;
}

/* --- help --- */

static char *
flag_usage_left (const struct flag_def *f)
{
  char *s = NULL;

  if (f->shortc)
    xasprintf (&s, "  -%c, --%s%s%s", f->shortc, f->name, f->type ? " " : "", f->type ? f->type : "");
  else
    xasprintf (&s, "      --%s%s%s", f->name, f->type ? " " : "", f->type ? f->type : "");
  return s;
}

void
container_opts_usage (FILE *out, bool is_run)
{
  size_t width = 0;

  fprintf (out, "Usage:  berth %s [OPTIONS] IMAGE [COMMAND] [ARG...]\n\n%s\n\nOptions:\n", cmd_name (is_run),
           is_run ? "Create and run a new container from an image" : "Create a new container");
  for (size_t i = 0; i < ARRAY_SIZE (flag_defs); i++)
    {
      cleanup_free char *left = flag_usage_left (&flag_defs[i]);
      if (strlen (left) > width)
        width = strlen (left);
    }
  for (size_t i = 0; i < ARRAY_SIZE (flag_defs); i++)
    {
      const struct flag_def *f = &flag_defs[i];
      cleanup_free char *left = NULL;

      if ((f->flags & FL_HIDDEN) || ((f->flags & FL_RUN_ONLY) && !is_run))
        continue;
      left = flag_usage_left (f);
      fprintf (out, "%-*s   %s\n", (int) width, left, f->help);
    }
}
