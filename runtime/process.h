/* The container process: everything between the finished rootfs and
   execve.  */
#ifndef HULL_PROCESS_H
#define HULL_PROCESS_H

#include "init.h"

/* In the runtime (parent) before the container process is cloned or
   forked, which inherits the result: linux.seccomp compiled to BPF (or
   taken from the cache under root, see seccomp_cache.h) and its seccomp(2)
   flags checked against the kernel.  A no-op without linux.seccomp.  */
int process_prepare_seccomp (const char *root, const struct oci_spec *spec, oci_error_t **err);
/* While still privileged: rlimits (errors name the limit and the host's
   hard limit), oomScoreAdj, personality, ioPriority, scheduler, apparmor
   and selinux labels for the exec (the seccomp filter comes compiled from
   process_prepare_seccomp; compiled here only when that was skipped).  */
int process_prepare (struct hull_init_ctx *ctx, const struct oci_process *proc, oci_error_t **err);
/* The last steps, then execve: cwd (created if missing and checked to be
   inside the container), user (setgroups/setresgid/setresuid with the
   capabilities kept as configured), capabilities (bounding, effective,
   inheritable, permitted, ambient), noNewPrivileges, close every fd but
   0-2 and the preserved ones, seccomp (loaded last), execve (args[0] looked
   up in the container's PATH from process.env).  Returns only on failure.  */
int process_exec (struct hull_init_ctx *ctx, const struct oci_process *proc, oci_error_t **err);

#endif
