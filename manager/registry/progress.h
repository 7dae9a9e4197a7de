/* docker-like per-item progress: on a terminal one line per layer,
   redrawn in place ("a1b2c3d4e5f6: Downloading [=====>     ] 1.2MB/4.5MB");
   otherwise one plain line per status change, no bars.  */
#ifndef BERTH_REGISTRY_PROGRESS_H
#define BERTH_REGISTRY_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct progress;

/* quiet: print nothing at all.  tty: draw bars (normally isatty (out)).  */
struct progress *progress_new (FILE *out, bool tty, bool quiet);
/* Draw what is pending; nothing is drawn after this, so other output
   can follow.  progress_free does it too.  */
void progress_finish (struct progress *p);
void progress_free (struct progress *p);
/* A new line for id (a digest: its first 12 hex digits are shown).  */
int progress_add (struct progress *p, const char *id, const char *status);
void progress_status (struct progress *p, int line, const char *status);
/* "Downloading", "Pushing", "Extracting" with a bar; redraws at most every
   100 ms.  */
void progress_bytes (struct progress *p, int line, const char *action, int64_t now, int64_t total);
/* "1.2MB", "512B", docker's units (powers of 1000).  */
void progress_format_size (char *buf, size_t len, int64_t n);

#endif
