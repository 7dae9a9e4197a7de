/* Controlling containers: stop, kill, remove, wait.  berth talks to the
   OCI runtime directly (runtime_run) and reads the files the monitor
   writes in the container dir (state.h); no daemon is involved.  */
#ifndef BERTH_CONTAINER_CONTROL_H
#define BERTH_CONTAINER_CONTROL_H

#include <stdbool.h>

#include "error.h"
#include "manager/cli/common.h"
#include "manager/store/containers.h"

/* Touch <cdir>/stopped, send the stop signal (Config.StopSignal or
   SIGTERM) through `runtime kill`, wait up to timeout_s seconds (< 0:
   Config.StopTimeout, else 10) for the container to exit, then SIGKILL;
   finally wait for the monitor to record the exit.  A container that is
   not running: no-op (success).  */
int container_stop (struct berth_globals *g, const struct store_container *c, int timeout_s,
                    oci_error_t **err);

/* container_stop with SIGNAL (NULL: the container's stop signal).  */
int container_stop_signal (struct berth_globals *g, const struct store_container *c, int timeout_s,
                           const char *signal, oci_error_t **err);

/* Send SIGNAL ("KILL", "SIGTERM", "9"; NULL: KILL) to a running container.
   Not running → EINVAL "Cannot kill container: REF: container ID is not
   running".  */
int container_kill (struct berth_globals *g, const struct store_container *c, const char *signal,
                    oci_error_t **err);

/* Remove a container: running and !force → EBUSY "cannot remove container
   \"NAME\": container is running: stop the container before removing or
   force remove"; force kills it first.  Deletes the runtime state, the
   store row (before the dir), the rootfs mount and dir; with volumes, the
   anonymous volumes it used.  */
int container_remove (struct berth_globals *g, const struct store_container *c, bool force, bool volumes,
                      oci_error_t **err);

/* Block until the container is not running; *exit_code is its exit code
   (0 for a container that never ran).  */
int container_wait (struct berth_globals *g, const struct store_container *c, int *exit_code,
                    oci_error_t **err);

/* pause: `runtime pause` + the paused marker; !pause: `runtime resume`
   and the marker removed.  Docker's errors: "Container ID is not
   running", "… is already paused", "… is not paused".  */
int container_pause (struct berth_globals *g, const struct store_container *c, bool pause, oci_error_t **err);

/* Remove the <cdir>/stopped marker (before a restart).  */
void container_clear_stopped (struct berth_globals *g, const struct store_container *c);

/* Helpers shared by the container commands.  */

/* "KILL", "SIGKILL", "kill", "9" → 9; -1 with EINVAL "Invalid signal: X".  */
int container_parse_signal (const char *s, oci_error_t **err);

/* The member at PATH (e.g. {"Config", "StopSignal", NULL}) of the
   container's create.json: a string (NULL when absent or not a string),
   an integer (dflt when absent).  */
char *container_record_string (const struct store_container *c, const char *const *path);
long long container_record_int (const struct store_container *c, const char *const *path, long long dflt);

/* Go's RFC 3339 with nanoseconds, trailing zeros trimmed, UTC
   ("2026-11-27T22:00:00.123456789Z"); 0 → "0001-01-01T00:00:00Z".  */
char *container_time_rfc3339 (int64_t ns);

/* Bytes used by the files under PATH (not following symlinks, hard links
   counted once per name); 0 when missing.  */
int64_t container_dir_size (const char *path);

/* Docker duration/time for --since, --until, until=: "10m", "1h30m",
   "2s", a Unix timestamp ("1700000000[.5]") or RFC 3339.  Returns the
   absolute time in ns relative to now_ns; -1 with *err when invalid.  */
int container_parse_time (const char *s, int64_t now_ns, int64_t *out_ns, oci_error_t **err);

/* label=K[=V] filters (all must match) and label!=K[=V] (none may) on
   the Config.Labels of the container's record.  */
bool container_labels_match (const struct store_container *c, char *const *labels, char *const *not_labels);

/* CLOCK_REALTIME in ns.  */
int64_t container_now_ns (void);

#endif
