/* Compiled seccomp filters cached per host: <root>/@seccomp/<key>.bpf
   ('@' keeps the directory apart from every valid container id).

   Compiling a large profile with libseccomp costs more than the rest of a
   container's creation; the BPF it produces depends only on the profile,
   the native architecture, the libseccomp and hull versions and the
   kernel.  Those inputs (the "material") are stored in the file and
   compared byte for byte on every lookup, so the file name only needs a
   fast hash (64-bit FNV-1a, no crypto library in hull: it would cost
   every start more than it saves) and a crafted colliding profile can
   never load another profile's filter.  A file holds a header (magic
   "HULLBPF2", the key, the instruction count, the material's length), the
   material padded to 8 bytes, and the program.  A file that fails any
   check (size, count, key, material, owner, type) is ignored and
   rewritten, never loaded.  */
#ifndef HULL_SECCOMP_CACHE_H
#define HULL_SECCOMP_CACHE_H

#include "error.h"
#include "runtime_spec.h"
#include "seccomp_filter.h"

#define SECCOMP_CACHE_DIR     "@seccomp"
#define SECCOMP_CACHE_KEY_LEN 16 /* 64-bit FNV-1a of the material, lowercase hex */

/* The cache key of a profile (hex, NUL-terminated) and the material it
   hashes (caller frees).  */
int seccomp_cache_key (const struct oci_seccomp *spec, char key[SECCOMP_CACHE_KEY_LEN + 1], char **material,
                       size_t *material_len, oci_error_t **err);

/* The compiled filter of spec: from <root>/@seccomp/ when a valid entry
   exists, else compiled with libseccomp and saved there.  Errors are those
   of the profile; a cache that cannot be read or written only costs the
   compile (a warning in the log).  root NULL: compile, no cache.  */
int seccomp_cache_get (const char *root, const struct oci_seccomp *spec, struct seccomp_bpf *out,
                       oci_error_t **err);

#endif
