/* CVE-2019-5736: a container process that reaches hull's binary (through
   /proc/<pid>/exe of a hull process in the container, or by making hull
   exec itself with a `#!/proc/self/exe` entrypoint) must not be able to
   overwrite it.  Commands that enter a container run from a copy of hull
   that cannot be written: a read-only detached bind mount of the binary
   (open_tree + mount_setattr, no copy), else a sealed memfd copy.  */
#ifndef HULL_SELFEXE_H
#define HULL_SELFEXE_H

#include "error.h"

/* Whether /proc/self/exe cannot be written: on a read-only mount, or a
   memfd sealed against writes.  */
int selfexe_is_protected (void);
/* When not protected, re-exec hull with argv from a protected copy;
   returns only on failure (or 0 when already protected).  */
int selfexe_ensure_protected (char **argv, oci_error_t **err);

#endif
