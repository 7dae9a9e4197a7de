/* The contract between hull's parent process (container.c, in the runtime
   namespaces) and the container's init (init.c, the one cloned child that
   becomes the container process).  The parent fills a struct hull_init_ctx
   before clone; the child reads it from its copy of memory.  */
#ifndef HULL_INIT_H
#define HULL_INIT_H

#include <stdbool.h>
#include <sys/types.h>

#include "cgroup.h"
#include "error.h"
#include "runtime_spec.h"

struct hull_init_ctx
{
  const char *id;
  struct oci_spec *spec;
  const char *bundle; /* absolute path */
  char *rootfs;       /* absolute host path of root.path (resolved against the bundle) */
  char *state_dir;    /* <root>/<id> */

  bool no_pivot;
  bool no_new_keyring;
  bool rootless;    /* --rootless resolved to true/false */
  int preserve_fds; /* fds 3 .. 3+preserve_fds-1 stay open */

  int sync_fd;           /* the child's end of the parent<->child socketpair */
  int console_socket_fd; /* connected console socket, -1 when none */
  int exec_fifo_fd;      /* O_PATH fd of <state_dir>/exec.fifo, -1 when start is not awaited */

  unsigned long clone_flags; /* namespaces created by clone() */
  /* Rootless with a new user namespace: the unprivileged parent can only
     write the id mappings of a dumpable child, which becomes non-dumpable
     right after SYNC_USERNS_MAPPED.  */
  bool dumpable_until_mapped;
  pid_t host_pid; /* the child's pid in the runtime's pid namespace (sent by the parent) */
  /* The container's cgroup made before clone (NULL: made by the parent
     around the child); with cgroup_join_v1 the child joins its v1
     directories itself first of all ("0" > tasks, see cgroup.h).  */
  const struct cgroup_placement *cgroup_place;
  bool cgroup_join_v1;

  /* Filled by the child while it works.  */
  int rootfs_fd;       /* O_PATH fd of the rootfs before pivot */
  bool cgroup_entered; /* SYNC_CGROUP_DONE received (and the cgroup ns unshared) */
};

/* The child's entry point after clone: never returns; on failure it reports
   the error to the parent over sync_fd and _exit(1)s.  */
int hull_init_main (void *arg);

/* In the child: wait (once) until it is in its cgroup (SYNC_CGROUP_DONE:
   whatever the parent had to move by pid is moved), then unshare the new
   cgroup namespace if the spec has one, so that the namespace's root is
   the container's cgroup.  A move by pid costs the parent an RCU grace
   period; the child builds its rootfs meanwhile and calls this only where
   it needs the cgroup: before a cgroup mount, before hooks, after the
   mounts.  */
int hull_init_enter_cgroup (struct hull_init_ctx *ctx, oci_error_t **err);

/* Messages on the sync socket (one byte type, then optional payload).  */
enum hull_sync_msg
{
  SYNC_HOST_PID = 'P',      /* parent -> child: pid_t of the child in the runtime pid ns */
  SYNC_USERNS_MAPPED = 'M', /* parent -> child: uid_map/gid_map written */
  SYNC_CGROUP_DONE = 'R',   /* parent -> child: the child is in its cgroup (always after 'P' and 'M') */
  SYNC_NS_READY = 'N',      /* child -> parent: namespaces exist; run prestart/createRuntime hooks */
  SYNC_HOOKS_DONE = 'H',    /* parent -> child: hooks ran, continue with the mounts (sent only when
                               there are prestart/createRuntime hooks) */
  SYNC_CREATED = 'C',       /* child -> parent: ready, waiting for start */
  SYNC_ERROR = 'E',         /* child -> parent: uint32 length + message, then the child exits */
  SYNC_CHILD_PID = 'G',     /* intermediate -> parent: pid_t (runtime pid ns) of the grandchild that is
                               now the container's init; sent only when a pid namespace is joined by path
                               (or unshared after joining a user ns by path); the intermediate then exits 0
                               and the grandchild is reparented: the parent should be a child subreaper */
};

/* Helpers of the sync protocol, shared by both sides.  Every message is
   one SOCK_SEQPACKET record: the type byte, then the payload.  */
int hull_sync_send (int fd, enum hull_sync_msg type, const void *payload, size_t len, oci_error_t **err);
/* Receive one message of any type into *type and payload (at most max
   bytes, *len set); SYNC_ERROR from the other side is turned into *err
   carrying its message.  */
int hull_sync_recv (int fd, char *type, void *payload, size_t max, size_t *len, oci_error_t **err);
/* Receive one message; expect `type` (SYNC_ERROR from the other side is
   turned into *err carrying its message).  payload may be NULL.  */
int hull_sync_expect (int fd, enum hull_sync_msg type, void *payload, size_t len, oci_error_t **err);

#endif
