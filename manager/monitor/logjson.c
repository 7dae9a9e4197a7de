/* berth-monitor: container output → ctr.log in docker's json-file format,
   one JSON object per line:
   {"log":"text\n","stream":"stdout","time":"2026-11-27T22:00:00.123456789Z"}  */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "monitor.h"

static const char hex[] = "0123456789abcdef";

/* Length of the valid UTF-8 sequence at S (at most LEN bytes), 0 when the
   bytes there are not one.  */
static size_t
utf8_len (const unsigned char *s, size_t len)
{
  size_t n, i;
  unsigned char lo = 0x80, hi = 0xbf;

  if (s[0] < 0x80)
    return 1;
  if (s[0] >= 0xc2 && s[0] <= 0xdf)
    n = 2;
  else if (s[0] >= 0xe0 && s[0] <= 0xef)
    {
      n = 3;
      lo = s[0] == 0xe0 ? 0xa0 : 0x80;
      hi = s[0] == 0xed ? 0x9f : 0xbf;
    }
  else if (s[0] >= 0xf0 && s[0] <= 0xf4)
    {
      n = 4;
      lo = s[0] == 0xf0 ? 0x90 : 0x80;
      hi = s[0] == 0xf4 ? 0x8f : 0xbf;
    }
  else
    return 0;
  if (len < n || s[1] < lo || s[1] > hi)
    return 0;
  for (i = 2; i < n; i++)
    if (s[i] < 0x80 || s[i] > 0xbf)
      return 0;
  return n;
}

/* Escape one character of SRC (LEN bytes left) into DST, which has room
   for at least 6 bytes; returns the bytes written, *used the bytes eaten.
   Control characters, quotes, backslashes and (like docker) <, > and &
   are escaped; an invalid UTF-8 byte becomes \ufffd.  */
static size_t
escape_one (char *dst, const unsigned char *src, size_t len, size_t *used)
{
  size_t n = utf8_len (src, len);
  unsigned char c = src[0];

  *used = n == 0 ? 1 : n;
  if (n == 0)
    {
      memcpy (dst, "\\ufffd", 6);
      return 6;
    }
  if (n > 1)
    {
      memcpy (dst, src, n);
      return n;
    }
  switch (c)
    {
    case '"':
      memcpy (dst, "\\\"", 2);
      return 2;
    case '\\':
      memcpy (dst, "\\\\", 2);
      return 2;
    case '\n':
      memcpy (dst, "\\n", 2);
      return 2;
    case '\r':
      memcpy (dst, "\\r", 2);
      return 2;
    case '\t':
      memcpy (dst, "\\t", 2);
      return 2;
    default:
      break;
    }
  if (c < 0x20 || c == 0x7f || c == '<' || c == '>' || c == '&')
    {
      memcpy (dst, "\\u00", 4);
      dst[4] = hex[c >> 4];
      dst[5] = hex[c & 15];
      return 6;
    }
  dst[0] = (char) c;
  return 1;
}

/* Escape as much of SRC as fits in DST; returns the bytes written and
   sets *used to the source bytes consumed.  */
size_t
mon_json_escape (char *dst, size_t dstsz, const char *src, size_t len, size_t *used)
{
  size_t out = 0, in = 0, eaten;

  while (in < len && out + 6 <= dstsz)
    {
      out += escape_one (dst + out, (const unsigned char *) src + in, len - in, &eaten);
      in += eaten;
    }
  *used = in;
  return out;
}

static void
put (int fd, const char *buf, size_t len)
{
  ssize_t n;

  while (len > 0 && (n = write (fd, buf, len)) > 0)
    {
      buf += n;
      len -= n;
    }
}

/* RFC 3339 UTC time with nanoseconds; days → civil date after Howard
   Hinnant's algorithm (no gmtime: it would load the time zone code).  */
static char *
timestamp (char *p)
{
  int64_t ns = mon_now_ns (), secs = ns / 1000000000, days = secs / 86400, rem = secs % 86400;
  int64_t z = days + 719468, era = z / 146097, doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
  int64_t d = doy - (153 * mp + 2) / 5 + 1, mo = mp < 10 ? mp + 3 : mp - 9, y = yoe + era * 400 + (mo <= 2);

  p = mon_fmt_pad (p, y, 4);
  *p++ = '-';
  p = mon_fmt_pad (p, mo, 2);
  *p++ = '-';
  p = mon_fmt_pad (p, d, 2);
  *p++ = 'T';
  p = mon_fmt_pad (p, rem / 3600, 2);
  *p++ = ':';
  p = mon_fmt_pad (p, rem / 60 % 60, 2);
  *p++ = ':';
  p = mon_fmt_pad (p, rem % 60, 2);
  *p++ = '.';
  p = mon_fmt_pad (p, ns % 1000000000, 9);
  *p++ = 'Z';
  return p;
}

static void
emit (struct mon *m, struct mon_stream *s)
{
  char out[4096], *p;
  size_t n = 0, in = 0, used;

  if (m->log_fd < 0 || s->len == 0)
    return;
  memcpy (out, "{\"log\":\"", 8);
  n = 8;
  while (in < s->len)
    {
      n += mon_json_escape (out + n, sizeof out - n, s->line + in, s->len - in, &used);
      in += used;
      if (in < s->len)
        {
          put (m->log_fd, out, n);
          n = 0;
        }
    }
  if (n + 96 > sizeof out)
    {
      put (m->log_fd, out, n);
      n = 0;
    }
  p = mon_fmt_str (out + n, "\",\"stream\":\"");
  p = mon_fmt_str (p, s->name);
  p = mon_fmt_str (p, "\",\"time\":\"");
  p = mon_fmt_str (timestamp (p), "\"}\n");
  put (m->log_fd, out, (size_t) (p - out));
}

/* Append container output; every complete line is logged, and a line that
   fills the buffer is logged as a partial one (docker does the same at
   16 KiB).  */
void
mon_log_output (struct mon *m, struct mon_stream *s, const char *buf, size_t len)
{
  const char *nl;
  size_t take;

  while (len > 0)
    {
      nl = memchr (buf, '\n', len);
      take = nl != NULL ? (size_t) (nl - buf) + 1 : len;
      if (take > sizeof s->line - s->len)
        take = sizeof s->line - s->len;
      memcpy (s->line + s->len, buf, take);
      s->len += take;
      buf += take;
      len -= take;
      if (s->line[s->len - 1] == '\n' || s->len == sizeof s->line)
        {
          emit (m, s);
          s->len = 0;
        }
    }
}

void
mon_log_flush (struct mon *m, struct mon_stream *s)
{
  emit (m, s);
  s->len = 0;
}
