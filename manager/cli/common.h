/* What every berth command shares: the global options, opening the store,
   image references in docker's display form, sizes and times as docker
   prints them, and --format (table, json, Go-template-like).  */
#ifndef BERTH_CLI_COMMON_H
#define BERTH_CLI_COMMON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"
#include "manager/store/store.h"
#include "strbuf.h"

struct berth_globals
{
  const char *root;       /* --root */
  const char *runtime;    /* --runtime (NULL: see runtime_resolve) */
  const char *runroot;    /* --runroot (NULL: see berth_runroot) */
  const char *config_dir; /* --config (docker config dir) */
  const char *log_level;  /* --log-level */
  struct berth_store *store;
};

/* Exit codes (docker's).  */
#define BERTH_EXIT_ERROR      125
#define BERTH_EXIT_CANNOT_RUN 126 /* the command cannot be invoked */
#define BERTH_EXIT_NOT_FOUND  127 /* the command was not found */

/* Open the store at --root once; later calls return it.  */
int cli_store (struct berth_globals *g, struct berth_store **out, oci_error_t **err);

/* "busybox" -> "docker.io/library/busybox:latest" (the stored form).
   With allow_digest false, references with a digest are refused.  */
int cli_name_normalize (const char *ref, bool allow_digest, char **out, oci_error_t **err);
/* A stored name in docker's short form: repository and tag (or digest).  */
void cli_name_split (const char *stored, char **repo, char **tag);
/* The familiar form of a stored name ("busybox:latest").  */
char *cli_name_familiar (const char *stored);
/* Find an image by name, full or short id, or digest.  */
int cli_image_lookup (struct berth_store *s, const char *ref, struct store_image **out, oci_error_t **err);

/* "4.26MB" (decimal units, 3 significant digits, like docker).  */
char *cli_human_size (int64_t bytes);
/* "2 hours ago", "About a minute ago".  */
char *cli_since (int64_t when);
/* "2024-01-02 03:04:05 +0000 UTC" */
char *cli_time_string (int64_t when);
/* First 12 hex digits of an id (after "sha256:").  */
char *cli_short_id (const char *id);

/* Append a copy of s to the NULL-terminated *v (which may be NULL).  */
void cli_strv_append (char ***v, const char *s);
/* Go's time.Time in JSON as docker prints creation times (RFC 3339,
   seconds, local zone: "2024-01-02T03:04:05Z" or "...+01:00").  */
char *cli_go_time (int64_t when);
/* {"k":"v",...} of "k=v" strings, keys sorted as Go encodes maps.  */
void cli_json_kv_object (struct strbuf *sb, char *const *kv);
/* A --filter label=KEY (any value) or label=KEY=VALUE (exact) against
   "k=v" labels.  */
bool cli_labels_match (char *const *have, const char *want);

/* JSON string with quotes.  */
void cli_json_string (struct strbuf *sb, const char *s);
/* Re-indent JSON as docker prints it (4 spaces).  */
int cli_json_pretty (const char *json, struct strbuf *out, oci_error_t **err);
/* Append the JSON of one top-level member of an object (null when
   absent).  */
int cli_json_member (const char *json, const char *key, struct strbuf *out, oci_error_t **err);

/* --format: "table" (default when NULL), "json" or a template.  */
enum cli_format_kind
{
  CLI_FORMAT_TABLE,
  CLI_FORMAT_JSON,
  CLI_FORMAT_TEMPLATE,
};
enum cli_format_kind cli_format_kind (const char *format);
/* Render a template ({{.Field}}, {{.A.B}}, {{json .}}, {{json .Field}},
   \t and \n escapes, a leading "table " prints a header row) for one
   JSON object.  Unknown fields are errors.  */
int cli_template_render (const char *tmpl, const char *json, struct strbuf *out, oci_error_t **err);
/* The header line of a "table ..." template (field names upper-cased).  */
void cli_template_header (const char *tmpl, struct strbuf *out);

/* Column printing: widths from all rows, 3 spaces between columns.  */
struct cli_table
{
  size_t ncols;
  size_t nrows;
  char ***rows; /* rows[r][c], row 0 is the header */
};
void cli_table_init (struct cli_table *t, const char *const *header, size_t ncols);
void cli_table_add (struct cli_table *t, char **cells); /* takes the strings */
void cli_table_print (struct cli_table *t, FILE *out);
void cli_table_free (struct cli_table *t);

/* Standard option helpers.  */
bool cli_wants_help (int argc, char **argv);
int cli_usage_error (const char *cmd, const char *msg, oci_error_t **err);
/* Ask "question [y/N] " on stderr; true on y/yes.  */
bool cli_confirm (const char *question);

#endif
