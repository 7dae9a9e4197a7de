#include "config.h"
#include "cgroup_convert.h"
#include "strbuf.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>

uint64_t
cgroup_shares_to_weight (uint64_t shares)
{
  if (shares == 0)
    return 0;
  if (shares < 2)
    shares = 2;
  if (shares > 262144)
    shares = 262144;
  return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t
cgroup_blkio_weight_to_io_weight (uint64_t weight)
{
  if (weight == 0)
    return 0;
  if (weight < 10)
    weight = 10;
  if (weight > 1000)
    weight = 1000;
  return 1 + ((weight - 10) * 9999) / 990;
}

char *
cgroup_cpu_max (const struct oci_cpu *cpu)
{
  bool quota = cpu->quota_present && cpu->quota != 0;
  bool period = cpu->period_present && cpu->period != 0;
  struct strbuf sb = STRBUF_INIT;

  if (!quota && !period)
    return NULL;
  if (quota && cpu->quota > 0)
    strbuf_addf (&sb, "%" PRId64, cpu->quota);
  else
    strbuf_addstr (&sb, "max");
  if (period)
    strbuf_addf (&sb, " %" PRIu64, cpu->period);
  return strbuf_detach (&sb, NULL);
}

char *
cgroup_v2_limit (int64_t value)
{
  char *s = NULL;

  if (value < 0)
    return xstrdup ("max");
  xasprintf (&s, "%" PRId64, value);
  return s;
}

int
cgroup_v2_swap_max (const struct oci_memory *mem, char **out, oci_error_t **err)
{
  int64_t limit = mem->limit_present ? mem->limit : 0;

  *out = NULL;
  if (!mem->swap_present)
    return 0;
  if (mem->swap == -1 || (mem->swap == 0 && limit == -1))
    {
      *out = xstrdup ("max");
      return 0;
    }
  if (mem->swap < 0)
    return oci_error_set (err, EINVAL, "linux.resources.memory.swap: invalid value %" PRId64, mem->swap);
  if (limit <= 0)
    return oci_error_set (err, EINVAL,
                          "linux.resources.memory.swap: cannot set a swap limit without a memory limit");
  if (mem->swap < limit)
    return oci_error_set (err, EINVAL,
                          "linux.resources.memory.swap: memory+swap limit %" PRId64
                          " is lower than the memory limit %" PRId64,
                          mem->swap, limit);
  xasprintf (out, "%" PRId64, mem->swap - limit);
  return 0;
}

char *
cgroup_hugepage_size_name (uint64_t bytes)
{
  static const char *const units[] = { "B", "KB", "MB", "GB", "TB", "PB" };
  size_t u = 0;
  char *s = NULL;

  while (bytes >= 1024 && bytes % 1024 == 0 && u + 1 < ARRAY_SIZE (units))
    {
      bytes /= 1024;
      u++;
    }
  xasprintf (&s, "%" PRIu64 "%s", bytes, units[u]);
  return s;
}

bool
cgroup_hugepage_size_valid (const char *name)
{
  const char *p = name;

  if (!isdigit ((unsigned char) *p))
    return false;
  while (isdigit ((unsigned char) *p))
    p++;
  return streq (p, "KB") || streq (p, "MB") || streq (p, "GB");
}

static bool
slice_name_valid (const char *slice)
{
  size_t len = strlen (slice);

  if (len <= strlen (".slice") || !streq (slice + len - strlen (".slice"), ".slice"))
    return false;
  if (strchr (slice, '/') != NULL || slice[0] == '-' || strstr (slice, "--") != NULL)
    return false;
  return slice[len - strlen (".slice") - 1] != '-';
}

int
cgroup_systemd_expand_slice (const char *slice, char **out, oci_error_t **err)
{
  struct strbuf sb = STRBUF_INIT;
  const char *end;

  *out = NULL;
  if (streq (slice, "-.slice"))
    {
      *out = xstrdup ("");
      return 0;
    }
  if (!slice_name_valid (slice))
    return oci_error_set (err, EINVAL, "invalid systemd slice name `%s`", slice);
  end = slice + strlen (slice) - strlen (".slice");
  for (const char *p = slice; p <= end; p++)
    if (p == end || *p == '-')
      {
        strbuf_addch (&sb, '/');
        strbuf_add (&sb, slice, (size_t) (p - slice));
        strbuf_addstr (&sb, ".slice");
      }
  *out = strbuf_detach (&sb, NULL);
  return 0;
}

int
cgroup_systemd_path (const char *spec, char **out, oci_error_t **err)
{
  cleanup_free char *copy = xstrdup (spec);
  cleanup_free char *slice_dir = NULL;
  char *prefix, *name, *slice = copy;

  *out = NULL;
  prefix = strchr (copy, ':');
  name = prefix ? strchr (prefix + 1, ':') : NULL;
  if (prefix == NULL || name == NULL || strchr (name + 1, ':') != NULL)
    return oci_error_set (err, EINVAL, "cgroupsPath `%s`: expected \"slice:prefix:name\" for systemd cgroups",
                          spec);
  *prefix++ = '\0';
  *name++ = '\0';
  if (*name == '\0' || strchr (name, '/') != NULL || strchr (prefix, '/') != NULL || streq (name, "..")
      || streq (name, "."))
    return oci_error_set (err, EINVAL, "cgroupsPath `%s`: invalid unit name", spec);
  if (cgroup_systemd_expand_slice (*slice ? slice : "system.slice", &slice_dir, err) < 0)
    return oci_error_prefix (err, "cgroupsPath `%s`", spec);
  if (has_prefix (name, "-") || (strlen (name) > 6 && streq (name + strlen (name) - 6, ".slice")))
    {
      cleanup_free char *unit_dir = NULL;
      if (cgroup_systemd_expand_slice (name, &unit_dir, err) < 0)
        return oci_error_prefix (err, "cgroupsPath `%s`", spec);
      /* A slice unit nests below its parents by name already.  */
      xasprintf (out, "%s", *unit_dir ? unit_dir : "/");
      return 0;
    }
  if (*prefix)
    xasprintf (out, "%s/%s-%s.scope", slice_dir, prefix, name);
  else
    xasprintf (out, "%s/%s.scope", slice_dir, name);
  return 0;
}

int
cgroup_normalize_path (const char *path, char **out, oci_error_t **err)
{
  struct strbuf sb = STRBUF_INIT;
  const char *p = path;

  *out = NULL;
  while (*p)
    {
      const char *slash = strchrnul (p, '/');
      size_t len = (size_t) (slash - p);

      if (len == 2 && p[0] == '.' && p[1] == '.')
        {
          strbuf_release (&sb);
          return oci_error_set (err, EINVAL, "cgroup path `%s`: \"..\" is not allowed", path);
        }
      if (len > 0 && !(len == 1 && p[0] == '.'))
        {
          if (sb.len > 0 || path[0] == '/')
            strbuf_addch (&sb, '/');
          strbuf_add (&sb, p, len);
        }
      p = *slash ? slash + 1 : slash;
    }
  if (sb.len == 0 && path[0] == '/')
    strbuf_addch (&sb, '/');
  *out = strbuf_detach (&sb, NULL);
  return 0;
}

int
cgroup_join_path (const char *base, const char *rel, char **out, oci_error_t **err)
{
  cleanup_free char *joined = NULL;

  if (rel[0] == '/')
    return cgroup_normalize_path (rel, out, err);
  xasprintf (&joined, "%s/%s", base, rel);
  return cgroup_normalize_path (joined, out, err);
}

static void
add_device_number (struct strbuf *sb, bool present, int64_t n)
{
  if (!present || n < 0)
    strbuf_addch (sb, '*');
  else
    strbuf_addf (sb, "%" PRId64, n);
}

char *
cgroup_device_rule (const struct oci_device_cgroup *d)
{
  struct strbuf sb = STRBUF_INIT;
  const char *type = d->type && *d->type ? d->type : "a";

  strbuf_addf (&sb, "%s ", type);
  add_device_number (&sb, d->major_present, d->major);
  strbuf_addch (&sb, ':');
  add_device_number (&sb, d->minor_present, d->minor);
  strbuf_addf (&sb, " %s", d->access && *d->access ? d->access : "rwm");
  return strbuf_detach (&sb, NULL);
}

char *
cgroup_rdma_max (const struct oci_rdma *r)
{
  struct strbuf sb = STRBUF_INIT;

  if (!r->hca_handles_present && !r->hca_objects_present)
    return NULL;
  strbuf_addstr (&sb, r->device);
  if (r->hca_handles_present)
    strbuf_addf (&sb, " hca_handle=%u", r->hca_handles);
  if (r->hca_objects_present)
    strbuf_addf (&sb, " hca_object=%u", r->hca_objects);
  return strbuf_detach (&sb, NULL);
}
