/* Containers in the store: one SQLite row per container (static data: name,
   image, command, runtime, the create.json record) and one directory
   <root>/containers/<id>/ (mode 0700) that is the container's OCI bundle.

   Every change is one transaction; names are unique by a UNIQUE constraint
   so that concurrent creators of the same name get exactly one success.  */
#ifndef BERTH_STORE_CONTAINERS_H
#define BERTH_STORE_CONTAINERS_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "store.h"

struct store_container
{
  char *id;         /* 64 hex */
  char *name;       /* no leading '/' */
  char *image_id;   /* "sha256:…" */
  char *image_name; /* as the user gave it ("busybox"), ps IMAGE column */
  char *command;    /* ps COMMAND: docker's quoting, e.g. "sh -c 'echo hi'" */
  int64_t created_ns;
  char *runtime;  /* absolute path of the OCI runtime of this container */
  char *record;   /* create.json text (record.h); always loaded */
  char **volumes; /* named/anonymous volumes it uses, NULL-terminated (may be NULL) */
};

/* Name in use → errno EEXIST, message exactly:
   the container name "NAME" is already in use by container "ID". You have to
   remove (or rename) that container to be able to reuse that name.  */
int store_container_add (struct berth_store *s, const struct store_container *c, oci_error_t **err);
/* ref: name (a leading '/' is ignored), full id, or unique id prefix.
   ENOENT: "No such container: REF"; ambiguous prefix: EINVAL
   "multiple containers match REF".  */
int store_container_lookup (struct berth_store *s, const char *ref, struct store_container **out,
                            oci_error_t **err);
/* Newest first.  */
int store_container_list (struct berth_store *s, struct store_container ***out, oci_error_t **err);
/* EEXIST as store_container_add.  */
int store_container_rename (struct berth_store *s, const char *id, const char *new_name, oci_error_t **err);
int store_container_set_record (struct berth_store *s, const char *id, const char *record, oci_error_t **err);
/* The row and its container_volumes rows.  */
int store_container_remove (struct berth_store *s, const char *id, oci_error_t **err);
void store_container_free (struct store_container *c);
void store_container_list_free (struct store_container **l);

/* <root>/containers/<id>; caller frees.  */
char *store_container_dir (struct berth_store *s, const char *id);
/* A random id and its new directory (mode 0700).  */
int store_container_dir_new (struct berth_store *s, char **id, char **dir, oci_error_t **err);
/* umount2 (merged, MNT_DETACH) when mounted, then remove the directory
   (a missing directory is fine).  */
int store_container_dir_remove (struct berth_store *s, const char *id, oci_error_t **err);
/* "adjective_surname", not used by any container.  */
int store_container_name_generate (struct berth_store *s, char **name, oci_error_t **err);
/* docker: [a-zA-Z0-9][a-zA-Z0-9_.-]+  */
bool store_container_name_valid (const char *name);
/* Ids of the containers created from image_id (NULL-terminated, may be
   empty; caller frees with strv_free).  */
int store_image_users (struct berth_store *s, const char *image_id, char ***container_ids, oci_error_t **err);

/* Overlay rootfs: lower = the image's layers (store_layer_path, top first),
   upper/work/merged in the container dir; idempotent (already mounted →
   just *merged).  An image without layers gets an empty lower dir.  */
/* A file of this name in the container dir makes the rootfs mount
   volatile (overlay's "volatile": no syncs; for --rm containers).  */
#define STORE_CONTAINER_VOLATILE_FILE "volatile"
int store_container_rootfs_mount (struct berth_store *s, const char *id, const char *image_id, char **merged,
                                  oci_error_t **err);
/* Not mounted is fine.  */
int store_container_rootfs_umount (struct berth_store *s, const char *id, oci_error_t **err);

/* Extras for the store's users.  */

/* Remove one image name but never the image itself (rmi -f of an image a
   container uses leaves it dangling).  ENOENT when the name is unknown.  */
int store_image_name_remove (struct berth_store *s, const char *name, oci_error_t **err);
/* 64 random hex digits (getrandom); caller frees.  */
char *store_random_id (void);
/* Whether path is the root of a mount point.  */
bool store_path_is_mountpoint (const char *path);

#endif
