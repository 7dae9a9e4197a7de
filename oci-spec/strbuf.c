#include "config.h"
#include "strbuf.h"
#include "util.h"

#include <stdio.h>
#include <stdint.h>

void
strbuf_grow (struct strbuf *sb, size_t extra)
{
  size_t need;

  if (extra > SIZE_MAX - sb->len - 1)
    abort ();
  need = sb->len + extra + 1;
  if (need <= sb->alloc)
    return;
  if (sb->alloc < 64)
    sb->alloc = 64;
  while (sb->alloc < need)
    sb->alloc = sb->alloc < SIZE_MAX / 2 ? sb->alloc * 2 : need;
  sb->buf = xrealloc (sb->buf, sb->alloc);
  sb->buf[sb->len] = '\0';
}

void
strbuf_add (struct strbuf *sb, const void *data, size_t len)
{
  strbuf_grow (sb, len);
  if (len)
    memcpy (sb->buf + sb->len, data, len);
  sb->len += len;
  sb->buf[sb->len] = '\0';
}

void
strbuf_addstr (struct strbuf *sb, const char *s)
{
  strbuf_add (sb, s, strlen (s));
}

void
strbuf_addch (struct strbuf *sb, char c)
{
  strbuf_add (sb, &c, 1);
}

void
strbuf_vaddf (struct strbuf *sb, const char *fmt, va_list ap)
{
  va_list cp;
  int n;

  va_copy (cp, ap);
  strbuf_grow (sb, 64);
  n = vsnprintf (sb->buf + sb->len, sb->alloc - sb->len, fmt, cp);
  va_end (cp);
  if (n < 0)
    abort ();
  if ((size_t) n >= sb->alloc - sb->len)
    {
      strbuf_grow (sb, (size_t) n);
      n = vsnprintf (sb->buf + sb->len, sb->alloc - sb->len, fmt, ap);
      if (n < 0)
        abort ();
    }
  sb->len += (size_t) n;
}

void
strbuf_addf (struct strbuf *sb, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  strbuf_vaddf (sb, fmt, ap);
  va_end (ap);
}

void
strbuf_setlen (struct strbuf *sb, size_t len)
{
  if (len > sb->len)
    abort ();
  sb->len = len;
  if (sb->buf)
    sb->buf[len] = '\0';
}

void
strbuf_reset (struct strbuf *sb)
{
  strbuf_setlen (sb, 0);
}

const char *
strbuf_str (const struct strbuf *sb)
{
  return sb->buf ? sb->buf : "";
}

char *
strbuf_detach (struct strbuf *sb, size_t *len)
{
  char *r;

  if (sb->buf == NULL)
    strbuf_grow (sb, 0);
  r = sb->buf;
  if (len)
    *len = sb->len;
  sb->buf = NULL;
  sb->len = sb->alloc = 0;
  return r;
}

void
strbuf_release (struct strbuf *sb)
{
  free (sb->buf);
  sb->buf = NULL;
  sb->len = sb->alloc = 0;
}
