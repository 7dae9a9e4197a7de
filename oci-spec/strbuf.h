/* A growable NUL-terminated byte buffer.  */
#ifndef OCI_STRBUF_H
#define OCI_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct strbuf
{
  char *buf; /* always NUL-terminated once anything was added */
  size_t len;
  size_t alloc;
};

#define STRBUF_INIT                                                                                          \
  {                                                                                                          \
    NULL, 0, 0                                                                                               \
  }

void strbuf_grow (struct strbuf *sb, size_t extra);
void strbuf_add (struct strbuf *sb, const void *data, size_t len);
void strbuf_addstr (struct strbuf *sb, const char *s);
void strbuf_addch (struct strbuf *sb, char c);
void strbuf_addf (struct strbuf *sb, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
void strbuf_vaddf (struct strbuf *sb, const char *fmt, va_list ap) __attribute__ ((format (printf, 2, 0)));
void strbuf_setlen (struct strbuf *sb, size_t len);
void strbuf_reset (struct strbuf *sb);
/* The contents, or "" when empty; never NULL.  */
const char *strbuf_str (const struct strbuf *sb);
/* Hand the buffer to the caller (never NULL) and reset sb.  */
char *strbuf_detach (struct strbuf *sb, size_t *len);
void strbuf_release (struct strbuf *sb);

#define cleanup_strbuf __attribute__ ((cleanup (strbuf_release)))

#endif
