#include "config.h"
#include "error.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int
oci_error_setv (oci_error_t **err, int status, bool append_strerror, const char *fmt, va_list ap)
{
  char *msg = NULL;

  if (err == NULL)
    return -1;
  if (*err != NULL)
    oci_error_free (err);
  if (vasprintf (&msg, fmt, ap) < 0)
    msg = NULL;
  if (msg && append_strerror && status)
    {
      char *full = NULL;
      xasprintf (&full, "%s: %s", msg, strerror (status));
      free (msg);
      msg = full;
    }
  *err = xzalloc (sizeof (oci_error_t));
  (*err)->status = status;
  (*err)->msg = msg ? msg : xstrdup ("out of memory");
  return -1;
}

int
oci_error_set (oci_error_t **err, int status, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  oci_error_setv (err, status, false, fmt, ap);
  va_end (ap);
  return -1;
}

int
oci_error_errno (oci_error_t **err, int status, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  oci_error_setv (err, status, true, fmt, ap);
  va_end (ap);
  return -1;
}

int
oci_error_prefix (oci_error_t **err, const char *fmt, ...)
{
  cleanup_free char *prefix = NULL;
  char *full = NULL;
  va_list ap;

  if (err == NULL || *err == NULL)
    return -1;
  va_start (ap, fmt);
  if (vasprintf (&prefix, fmt, ap) < 0)
    prefix = NULL;
  va_end (ap);
  if (prefix == NULL)
    return -1;
  xasprintf (&full, "%s: %s", prefix, (*err)->msg);
  free ((*err)->msg);
  (*err)->msg = full;
  return -1;
}

void
oci_error_free (oci_error_t **err)
{
  if (err == NULL || *err == NULL)
    return;
  free ((*err)->msg);
  free (*err);
  *err = NULL;
}

char *
oci_error_steal_msg (oci_error_t **err)
{
  char *msg;

  if (err == NULL || *err == NULL)
    return NULL;
  msg = (*err)->msg;
  free (*err);
  *err = NULL;
  return msg;
}
