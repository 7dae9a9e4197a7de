#include "config.h"
#include "util.h"

#include <errno.h>
#include <stdint.h>
#include <stdarg.h>

static void __attribute__ ((noreturn)) out_of_memory (void)
{
  static const char msg[] = "fatal: out of memory\n";
  if (write (STDERR_FILENO, msg, sizeof msg - 1) < 0)
    _exit (255);
  abort ();
}

void *
xmalloc (size_t size)
{
  void *p = malloc (size ? size : 1);
  if (p == NULL)
    out_of_memory ();
  return p;
}

void *
xzalloc (size_t size)
{
  return xcalloc (1, size);
}

void *
xcalloc (size_t nmemb, size_t size)
{
  void *p = calloc (nmemb ? nmemb : 1, size ? size : 1);
  if (p == NULL)
    out_of_memory ();
  return p;
}

void *
xrealloc (void *ptr, size_t size)
{
  void *p = realloc (ptr, size ? size : 1);
  if (p == NULL)
    out_of_memory ();
  return p;
}

void *
xreallocarray (void *ptr, size_t nmemb, size_t size)
{
  if (size && nmemb > SIZE_MAX / size)
    out_of_memory ();
  return xrealloc (ptr, nmemb * size);
}

char *
xstrdup (const char *s)
{
  char *p = strdup (s);
  if (p == NULL)
    out_of_memory ();
  return p;
}

char *
xstrndup (const char *s, size_t n)
{
  char *p = strndup (s, n);
  if (p == NULL)
    out_of_memory ();
  return p;
}

int
xasprintf (char **out, const char *fmt, ...)
{
  va_list ap;
  int ret;

  va_start (ap, fmt);
  ret = vasprintf (out, fmt, ap);
  va_end (ap);
  if (ret < 0)
    out_of_memory ();
  return ret;
}

void
cleanup_freep (void *p)
{
  void **pp = (void **) p;
  free (*pp);
  *pp = NULL;
}

void
cleanup_closep (int *fd)
{
  if (*fd >= 0)
    {
      int saved = errno;
      close (*fd);
      errno = saved;
      *fd = -1;
    }
}

void
cleanup_dirp (DIR **dir)
{
  if (*dir)
    closedir (*dir);
  *dir = NULL;
}

void
cleanup_filep (FILE **f)
{
  if (*f)
    fclose (*f);
  *f = NULL;
}

void
strv_free (char **v)
{
  if (v == NULL)
    return;
  for (char **it = v; *it; it++)
    free (*it);
  free (v);
}

void
cleanup_strvp (char ***v)
{
  strv_free (*v);
  *v = NULL;
}

size_t
strv_len (char *const *v)
{
  size_t n = 0;
  if (v)
    while (v[n])
      n++;
  return n;
}

char **
strv_dup (char *const *v)
{
  size_t n = strv_len (v);
  char **r;

  if (v == NULL)
    return NULL;
  r = xcalloc (n + 1, sizeof (char *));
  for (size_t i = 0; i < n; i++)
    r[i] = xstrdup (v[i]);
  return r;
}
