/* process.capabilities with libcap: names -> masks, then the bounding set,
   effective/permitted/inheritable and ambient sets of the container
   process.  Private to process.c.  */
#ifndef HULL_CAPS_H
#define HULL_CAPS_H

#include <stdbool.h>
#include <stdint.h>

#include "runtime_spec.h"

struct caps_masks
{
  uint64_t bounding, effective, inheritable, permitted, ambient;
};

/* "CAP_KILL" -> CAP_KILL; -1 when libcap does not know the name.  */
int caps_from_name (const char *name);
/* The five lists as bit masks.  Unknown names are skipped with a warning
   on stderr (a capability newer than libcap), as runc does.  */
void caps_parse (const struct oci_capabilities *c, struct caps_masks *out);
/* Drop every capability outside m->bounding from the bounding set (needs
   CAP_SETPCAP: call while still privileged).  */
int caps_drop_bounding (const struct caps_masks *m, oci_error_t **err);
/* Set effective, permitted and inheritable, then raise the ambient ones.  */
int caps_apply (const struct caps_masks *m, oci_error_t **err);

#endif
