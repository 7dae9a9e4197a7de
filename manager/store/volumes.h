/* Local volumes: one row in the store's volumes table and a directory
   <root>/volumes/<name>/_data.  Containers reference volumes through the
   container_volumes table (see store_container_add).  */
#ifndef BERTH_STORE_VOLUMES_H
#define BERTH_STORE_VOLUMES_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "store.h"

struct store_volume
{
  char *name;
  char *driver;    /* "local" */
  int64_t created; /* unix s */
  bool anonymous;
  char **labels;  /* "k=v" NULL-terminated */
  char **options; /* "k=v" */
};

/* name NULL: anonymous, 64 hex.  An existing name returns the existing
   volume (docker's behaviour), *out filled; creates
   <root>/volumes/<name>/_data (0755).  */
int store_volume_create (struct berth_store *s, const char *name, char *const *labels, char *const *options,
                         struct store_volume **out, oci_error_t **err);
/* ENOENT "no such volume: NAME".  */
int store_volume_lookup (struct berth_store *s, const char *name, struct store_volume **out,
                         oci_error_t **err);
int store_volume_list (struct berth_store *s, struct store_volume ***out, oci_error_t **err);
/* Used by a container (even stopped) → EBUSY "volume is in use - [ID, …]"
   unless force.  */
int store_volume_remove (struct berth_store *s, const char *name, bool force, oci_error_t **err);
/* Ids of the containers using the volume (NULL-terminated; strv_free).  */
int store_volume_users (struct berth_store *s, const char *name, char ***container_ids, oci_error_t **err);
/* <root>/volumes/<name>/_data; caller frees.  */
char *store_volume_path (struct berth_store *s, const char *name);
/* [a-zA-Z0-9][a-zA-Z0-9_.-]+  */
bool store_volume_name_valid (const char *name);
void store_volume_free (struct store_volume *v);
void store_volume_list_free (struct store_volume **l);
/* Bytes of the volume's data, for system df (0 when unknown).  */
int64_t store_volume_size (struct berth_store *s, const char *name);

/* Bytes of the regular files under a directory, not following symlinks
   (0 when unreadable).  */
int64_t store_dir_size (const char *path);

#endif
