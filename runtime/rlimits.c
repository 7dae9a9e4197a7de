/* process.rlimits.  */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <sys/capability.h>
#include <sys/resource.h>

#include "rlimits.h"
#include "util.h"

static const struct
{
  const char *name;
  int resource;
} rlimit_names[] = {
  { "RLIMIT_AS", RLIMIT_AS },
  { "RLIMIT_CORE", RLIMIT_CORE },
  { "RLIMIT_CPU", RLIMIT_CPU },
  { "RLIMIT_DATA", RLIMIT_DATA },
  { "RLIMIT_FSIZE", RLIMIT_FSIZE },
  { "RLIMIT_LOCKS", RLIMIT_LOCKS },
  { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },
  { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
  { "RLIMIT_NICE", RLIMIT_NICE },
  { "RLIMIT_NOFILE", RLIMIT_NOFILE },
  { "RLIMIT_NPROC", RLIMIT_NPROC },
  { "RLIMIT_RSS", RLIMIT_RSS },
  { "RLIMIT_RTPRIO", RLIMIT_RTPRIO },
  { "RLIMIT_RTTIME", RLIMIT_RTTIME },
  { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
  { "RLIMIT_STACK", RLIMIT_STACK },
};

int
rlimit_from_name (const char *name)
{
  for (size_t i = 0; i < ARRAY_SIZE (rlimit_names); i++)
    if (streq (rlimit_names[i].name, name))
      return rlimit_names[i].resource;
  return -1;
}

static bool
have_sys_resource (void)
{
  cap_flag_value_t v = CAP_CLEAR;
  cap_t caps = cap_get_proc ();

  if (caps == NULL)
    return false;
  cap_get_flag (caps, CAP_SYS_RESOURCE, CAP_EFFECTIVE, &v);
  cap_free (caps);
  return v == CAP_SET;
}

static int
apply_one (const struct oci_rlimit *l, size_t idx, oci_error_t **err)
{
  int resource = l->type ? rlimit_from_name (l->type) : -1;
  struct rlimit cur, want;

  if (resource < 0)
    return oci_error_set (err, EINVAL, "process.rlimits[%zu].type: unknown rlimit \"%s\"", idx,
                          l->type ? l->type : "");
  want.rlim_cur = l->soft;
  want.rlim_max = l->hard;
  if (want.rlim_cur > want.rlim_max)
    return oci_error_set (err, EINVAL,
                          "process.rlimits: %s: the soft limit %" PRIu64 " is above the hard limit %" PRIu64,
                          l->type, l->soft, l->hard);
  if (getrlimit (resource, &cur) < 0)
    return oci_error_errno (err, errno, "process.rlimits: %s: getrlimit", l->type);
  if (setrlimit (resource, &want) == 0)
    return 0;
  if (errno == EPERM && want.rlim_max > cur.rlim_max && !have_sys_resource ())
    return oci_error_set (err, EPERM,
                          "process.rlimits: %s: cannot raise the hard limit to %" PRIu64
                          " above the current hard limit %" PRIu64 " (needs CAP_SYS_RESOURCE)",
                          l->type, l->hard, (uint64_t) cur.rlim_max);
  if (errno == EPERM && resource == RLIMIT_NOFILE)
    return oci_error_set (err, EPERM,
                          "process.rlimits: %s: cannot set the hard limit to %" PRIu64 " (above fs.nr_open?)",
                          l->type, l->hard);
  return oci_error_errno (err, errno, "process.rlimits: %s: setrlimit soft %" PRIu64 " hard %" PRIu64,
                          l->type, l->soft, l->hard);
}

int
rlimits_apply (const struct oci_rlimit *limits, size_t n, oci_error_t **err)
{
  for (size_t i = 0; i < n; i++)
    if (apply_one (&limits[i], i, err) < 0)
      return -1;
  return 0;
}
