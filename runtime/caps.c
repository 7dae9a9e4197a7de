/* process.capabilities with libcap.  */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "caps.h"
#include "util.h"

int
caps_from_name (const char *name)
{
  char lower[64];
  cap_value_t v;
  size_t i;

  if (!has_prefix (name, "CAP_") || strlen (name) >= sizeof (lower))
    return -1;
  for (i = 0; name[i]; i++)
    lower[i] = (char) tolower ((unsigned char) name[i]);
  lower[i] = '\0';
  if (cap_from_name (lower, &v) < 0 || v < 0 || v > 63)
    return -1;
  return v;
}

static uint64_t
mask_of (char **names, const char *list)
{
  uint64_t mask = 0;

  for (size_t i = 0; names && names[i]; i++)
    {
      int cap = caps_from_name (names[i]);
      if (cap < 0)
        {
          fprintf (stderr, "hull: warning: process.capabilities.%s: unknown capability \"%s\" skipped\n",
                   list, names[i]);
          continue;
        }
      mask |= UINT64_C (1) << cap;
    }
  return mask;
}

void
caps_parse (const struct oci_capabilities *c, struct caps_masks *out)
{
  out->bounding = mask_of (c->bounding, "bounding");
  out->effective = mask_of (c->effective, "effective");
  out->inheritable = mask_of (c->inheritable, "inheritable");
  out->permitted = mask_of (c->permitted, "permitted");
  out->ambient = mask_of (c->ambient, "ambient");
}

/* An error naming the capability; libcap's names are freed with cap_free.  */
static int
cap_error (oci_error_t **err, int errnum, const char *what, cap_value_t cap)
{
  char *name = cap_to_name (cap);
  oci_error_errno (err, errnum, "%s %s", what, name ? name : "capability");
  cap_free (name);
  return -1;
}

int
caps_drop_bounding (const struct caps_masks *m, oci_error_t **err)
{
  for (cap_value_t cap = 0; cap <= 63 && CAP_IS_SUPPORTED (cap); cap++)
    {
      if (m->bounding & (UINT64_C (1) << cap))
        continue;
      if (cap_drop_bound (cap) < 0 && errno != EINVAL)
        return cap_error (err, errno, "process.capabilities.bounding: dropping", cap);
    }
  return 0;
}

static int
set_flag_mask (cap_t caps, cap_flag_t flag, uint64_t mask)
{
  for (cap_value_t cap = 0; cap <= 63 && CAP_IS_SUPPORTED (cap); cap++)
    if (mask & (UINT64_C (1) << cap))
      if (cap_set_flag (caps, flag, 1, &cap, CAP_SET) < 0)
        return -1;
  return 0;
}

/* A capability can only be ambient when it is permitted and inheritable:
   others are skipped silently, as runc does.  */
static int
raise_ambient (uint64_t mask, oci_error_t **err)
{
  if (prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
    return oci_error_errno (err, errno, "process.capabilities.ambient: clearing the ambient set");
  for (cap_value_t cap = 0; cap <= 63; cap++)
    if (mask & (UINT64_C (1) << cap))
      if (cap_set_ambient (cap, CAP_SET) < 0)
        return cap_error (err, errno, "process.capabilities.ambient: raising", cap);
  return 0;
}

int
caps_apply (const struct caps_masks *m, oci_error_t **err)
{
  cap_t caps = cap_init ();
  int ret;

  if (caps == NULL)
    return oci_error_errno (err, errno, "process.capabilities: cap_init");
  if (set_flag_mask (caps, CAP_EFFECTIVE, m->effective) < 0
      || set_flag_mask (caps, CAP_PERMITTED, m->permitted) < 0
      || set_flag_mask (caps, CAP_INHERITABLE, m->inheritable) < 0)
    {
      cap_free (caps);
      return oci_error_errno (err, errno, "process.capabilities: cap_set_flag");
    }
  ret = cap_set_proc (caps);
  cap_free (caps);
  if (ret < 0)
    return oci_error_errno (
        err, errno,
        "process.capabilities: setting effective/permitted/inheritable (effective must be a "
        "subset of permitted, and permitted of bounding)");
  return raise_ambient (m->ambient & m->permitted & m->inheritable, err);
}
