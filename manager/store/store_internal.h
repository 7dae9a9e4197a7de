/* Internals shared by the files of manager/store/: the store handle and
   small SQLite helpers.  Not for use outside manager/store/.  */
#ifndef BERTH_STORE_INTERNAL_H
#define BERTH_STORE_INTERNAL_H

#include <sqlite3.h>

#include "store.h"

struct berth_store
{
  char *root;
  int rootfd;
  sqlite3 *db;
};

/* The schema version db.c migrates to (PRAGMA user_version).  */
#define STORE_SCHEMA_VERSION 3

/* Run SQL without results.  */
int db_exec (struct berth_store *s, const char *sql, oci_error_t **err);
/* Prepare a statement; errors name the SQL.  */
int db_prepare (struct berth_store *s, const char *sql, sqlite3_stmt **stmt, oci_error_t **err);
/* Fill *err from the connection's last error, prefixed by what; -1.  */
int db_fail (struct berth_store *s, const char *what, oci_error_t **err);
/* BEGIN IMMEDIATE (waits up to the busy timeout for the write lock).  */
int db_begin (struct berth_store *s, oci_error_t **err);
int db_commit (struct berth_store *s, oci_error_t **err);
void db_rollback (struct berth_store *s);
/* Step a statement that returns no rows (SQLITE_DONE expected).  */
int db_step_done (struct berth_store *s, sqlite3_stmt *stmt, const char *what, oci_error_t **err);
/* Bind helpers: NULL text binds SQL NULL.  */
void db_bind_text (sqlite3_stmt *stmt, int idx, const char *text);

void db_finalizep (sqlite3_stmt **stmt);
#define cleanup_stmt __attribute__ ((cleanup (db_finalizep)))

/* Leases keep a blob or layer that this process just stored from being
   collected before an image references it (they die with the process).  */
int store_lease_add (struct berth_store *s, const char *digest, oci_error_t **err);
void store_lease_release_all (struct berth_store *s);

/* "<root>/<dir>/<hex>" for a digest; NULL when the digest is invalid.  */
char *store_digest_path (struct berth_store *s, const char *dir, const char *digest);
/* A fresh temp path "<root>/tmp/<prefix>XXXXXX" for mkstemp/mkdtemp.  */
char *store_tmp_template (struct berth_store *s, const char *prefix);

/* The layer blobs and diff_ids of a stored manifest (OCI or Docker).  */
int store_manifest_layers (struct berth_store *s, const char *manifest_digest, char **config_digest,
                           char ***layer_digests, char **media_type, oci_error_t **err);

#endif
