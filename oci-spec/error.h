/* The one error convention of Berth: a function that can fail returns a
   negative value and fills *err with a message built once, at the failure
   site, plus the errno that caused it (0 when none).  Callers add context
   with oci_error_prefix; the CLI prints the message once and frees it.  */
#ifndef OCI_ERROR_H
#define OCI_ERROR_H

#include <stdarg.h>
#include <stdbool.h>

typedef struct oci_error
{
  int status; /* errno value, or 0 */
  char *msg;
} oci_error_t;

/* Set *err (which must be NULL) and return -1.  */
int oci_error_set (oci_error_t **err, int status, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));
/* Like oci_error_set with errno: ": strerror(errno)" is appended.  */
int oci_error_errno (oci_error_t **err, int status, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));
int oci_error_setv (oci_error_t **err, int status, bool append_strerror, const char *fmt, va_list ap)
    __attribute__ ((format (printf, 4, 0)));
/* Prepend "<context>: " to an existing error; return -1.  */
int oci_error_prefix (oci_error_t **err, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
void oci_error_free (oci_error_t **err);
/* Release and return the message (the caller owns it).  */
char *oci_error_steal_msg (oci_error_t **err);

#define cleanup_error __attribute__ ((cleanup (oci_error_free)))

#endif
