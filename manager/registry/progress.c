/* Pull/push progress output: see progress.h.  */
#include "config.h"
#include "progress.h"

#include <time.h>

#include "util.h"

#define PROGRESS_BAR_WIDTH 50
#define PROGRESS_REDRAW_NS 100000000LL

struct progress_line
{
  char id[13];
  char *text;
};

struct progress
{
  FILE *out;
  bool tty;
  bool quiet;
  struct progress_line *lines;
  size_t n;
  size_t drawn; /* lines currently on screen below the cursor's start */
  int64_t last_draw;
  bool dirty;    /* a throttled update is not on screen yet */
  bool finished; /* later output follows: draw no more */
};

struct progress *
progress_new (FILE *out, bool tty, bool quiet)
{
  struct progress *p = xzalloc (sizeof *p);

  p->out = out;
  p->tty = tty;
  p->quiet = quiet;
  return p;
}

static int64_t
now_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void
redraw (struct progress *p)
{
  if (p->finished)
    return;
  if (p->drawn > 0)
    fprintf (p->out, "\033[%zuA", p->drawn);
  for (size_t i = 0; i < p->n; i++)
    fprintf (p->out, "\033[2K\r%s: %s\n", p->lines[i].id, p->lines[i].text);
  p->drawn = p->n;
  p->dirty = false;
  p->last_draw = now_ns ();
  fflush (p->out);
}

void
progress_finish (struct progress *p)
{
  if (p == NULL || p->finished)
    return;
  if (p->tty && !p->quiet && p->dirty)
    redraw (p);
  p->finished = true;
}

void
progress_free (struct progress *p)
{
  if (p == NULL)
    return;
  progress_finish (p);
  for (size_t i = 0; i < p->n; i++)
    free (p->lines[i].text);
  free (p->lines);
  free (p);
}

static void
short_id (char dst[13], const char *id)
{
  const char *colon = strchr (id, ':');
  snprintf (dst, 13, "%s", colon ? colon + 1 : id);
}

int
progress_add (struct progress *p, const char *id, const char *status)
{
  struct progress_line *l;

  p->lines = xreallocarray (p->lines, p->n + 1, sizeof *p->lines);
  l = &p->lines[p->n];
  short_id (l->id, id);
  l->text = xstrdup (status);
  p->n++;
  if (p->quiet)
    return p->n - 1;
  if (p->tty)
    redraw (p);
  else
    {
      fprintf (p->out, "%s: %s\n", l->id, status);
      fflush (p->out);
    }
  return p->n - 1;
}

void
progress_status (struct progress *p, int line, const char *status)
{
  struct progress_line *l = &p->lines[line];

  if (streq (l->text, status))
    return;
  free (l->text);
  l->text = xstrdup (status);
  if (p->quiet)
    return;
  if (p->tty)
    redraw (p);
  else
    {
      fprintf (p->out, "%s: %s\n", l->id, status);
      fflush (p->out);
    }
}

void
progress_format_size (char *buf, size_t len, int64_t n)
{
  static const char *const units[] = { "B", "kB", "MB", "GB", "TB" };
  double v = n;
  size_t u = 0;

  while (v >= 1000 && u + 1 < ARRAY_SIZE (units))
    {
      v /= 1000;
      u++;
    }
  if (u == 0)
    snprintf (buf, len, "%lldB", (long long) n);
  else
    snprintf (buf, len, "%.4g%s", v, units[u]);
}

void
progress_bytes (struct progress *p, int line, const char *action, int64_t now, int64_t total)
{
  char bar[PROGRESS_BAR_WIDTH + 1], a[32], b[32];
  struct progress_line *l = &p->lines[line];
  int fill = 0;

  if (p->quiet || !p->tty || p->finished)
    return;
  if (total > 0)
    fill = (int) (now * PROGRESS_BAR_WIDTH / total);
  if (fill > PROGRESS_BAR_WIDTH)
    fill = PROGRESS_BAR_WIDTH;
  for (int i = 0; i < PROGRESS_BAR_WIDTH; i++)
    bar[i] = i < fill - 1 ? '=' : (i == fill - 1 || (i == 0 && fill == 0) ? '>' : ' ');
  bar[PROGRESS_BAR_WIDTH] = '\0';
  progress_format_size (a, sizeof a, now);
  progress_format_size (b, sizeof b, total);
  free (l->text);
  xasprintf (&l->text, "%-11s [%s] %s/%s", action, bar, a, b);
  p->dirty = true;
  if (now_ns () - p->last_draw >= PROGRESS_REDRAW_NS || now >= total)
    redraw (p);
}
