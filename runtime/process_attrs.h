/* Per-process attributes set while hull is still privileged: personality,
   I/O priority, scheduler, CPU affinity, oom_score_adj and the AppArmor and
   SELinux labels of the exec.  Private to process.c.  */
#ifndef HULL_PROCESS_ATTRS_H
#define HULL_PROCESS_ATTRS_H

#include <sched.h>

#include "runtime_spec.h"

/* open(path, O_WRONLY) of a /proc/self file.  hull's init is not dumpable
   (nobody may open its /proc/<pid>/exe), which makes /proc/self files owned
   by the host's root: in a new user namespace even the namespace's root
   could not open them.  The init is made dumpable for the open only,
   before any other process runs in the container.  */
int proc_self_open_write (const char *path);
int attrs_set_personality (const struct oci_personality *p, oci_error_t **err);
int attrs_set_io_priority (const struct oci_io_priority *io, oci_error_t **err);
int attrs_set_scheduler (const struct oci_scheduler *s, oci_error_t **err);
int attrs_set_oom_score_adj (int value, oci_error_t **err);
/* "0-3,7" -> a cpu set; field names the JSON field for errors.  */
int attrs_parse_cpu_list (const char *list, const char *field, cpu_set_t *out, oci_error_t **err);
int attrs_set_cpu_affinity (const char *list, const char *field, oci_error_t **err);
int attrs_set_apparmor (const char *profile, oci_error_t **err);
int attrs_set_selinux (const char *label, oci_error_t **err);

#endif
