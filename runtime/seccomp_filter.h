/* linux.seccomp -> a libseccomp filter.  */
#ifndef HULL_SECCOMP_FILTER_H
#define HULL_SECCOMP_FILTER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/filter.h>
#include <seccomp.h>

#include "runtime_spec.h"

/* Build (not load) the filter; unknown syscall names are skipped as runc
   does, unknown actions/archs/operators are errors naming the field.  */
int seccomp_filter_build (const struct oci_seccomp *spec, scmp_filter_ctx *out, oci_error_t **err);

/* A compiled filter: the classic BPF program the kernel loads.  */
struct seccomp_bpf
{
  struct sock_filter *insns;
  size_t len; /* instructions */
};

/* The filter's BPF program as libseccomp generates it for seccomp_load.  */
int seccomp_filter_export (scmp_filter_ctx ctx, struct seccomp_bpf *out, oci_error_t **err);
/* build + export in one step.  */
int seccomp_filter_compile (const struct oci_seccomp *spec, struct seccomp_bpf *out, oci_error_t **err);
void seccomp_bpf_clear (struct seccomp_bpf *bpf);
/* The seccomp(2) flags the spec asks for (linux.seccomp.flags, plus
   NEW_LISTENER when a rule uses SCMP_ACT_NOTIFY), each checked against
   this kernel: an unsupported one is an error naming it.  */
int seccomp_filter_kernel_flags (const struct oci_seccomp *spec, unsigned int *flags, oci_error_t **err);
/* Load a compiled filter with seccomp(2) and those flags; with
   listenerPath, send the notify fd and the runtime-spec
   containerProcessState (pid, listenerMetadata and state_json, the
   container's state) to the listener.  Returns 0 or -1.  */
int seccomp_filter_load_bpf (const struct oci_seccomp *spec, const struct seccomp_bpf *bpf,
                             unsigned int flags, pid_t pid, const char *state_json, oci_error_t **err);
/* Connect to linux.seccomp.listenerPath (a path on the host) now, while
   the init still sees the host's filesystem; seccomp_filter_load sends
   over this connection.  A no-op without a listener.  */
int seccomp_listener_connect (const struct oci_seccomp *spec, oci_error_t **err);
/* Name lookups, exported for the unit tests: 0 or -1 when unknown.  An
   absent errnoRet means EPERM for SCMP_ACT_ERRNO and SCMP_ACT_TRACE.  */
int seccomp_action_from_name (const char *name, bool errno_present, uint32_t errno_ret, uint32_t *out);
int seccomp_arch_from_name (const char *name, uint32_t *out);

#endif
