/* Small helpers shared by every part of Berth: cleanup attributes and
   allocation wrappers that abort on out-of-memory.  */
#ifndef OCI_UTIL_H
#define OCI_UTIL_H

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void *xmalloc (size_t size);
void *xzalloc (size_t size);
void *xcalloc (size_t nmemb, size_t size);
void *xrealloc (void *ptr, size_t size);
void *xreallocarray (void *ptr, size_t nmemb, size_t size);
char *xstrdup (const char *s);
char *xstrndup (const char *s, size_t n);
int xasprintf (char **out, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

void cleanup_freep (void *p);
void cleanup_closep (int *fd);
void cleanup_dirp (DIR **dir);
void cleanup_filep (FILE **f);
void strv_free (char **v);
void cleanup_strvp (char ***v);

#define cleanup_free  __attribute__ ((cleanup (cleanup_freep)))
#define cleanup_close __attribute__ ((cleanup (cleanup_closep)))
#define cleanup_dir   __attribute__ ((cleanup (cleanup_dirp)))
#define cleanup_file  __attribute__ ((cleanup (cleanup_filep)))
#define cleanup_strv  __attribute__ ((cleanup (cleanup_strvp)))

/* Hand ownership out of a cleanup variable.  */
#define steal_pointer(pp)                                                                                    \
  ({                                                                                                         \
    __typeof__ (*(pp)) _stolen = *(pp);                                                                      \
    *(pp) = NULL;                                                                                            \
    _stolen;                                                                                                 \
  })
#define steal_fd(fdp)                                                                                        \
  ({                                                                                                         \
    int _stolen_fd = *(fdp);                                                                                 \
    *(fdp) = -1;                                                                                             \
    _stolen_fd;                                                                                              \
  })

size_t strv_len (char *const *v);
char **strv_dup (char *const *v);

#define ARRAY_SIZE(a) (sizeof (a) / sizeof ((a)[0]))
#define streq(a, b)   (strcmp ((a), (b)) == 0)

static inline bool
has_prefix (const char *s, const char *prefix)
{
  return strncmp (s, prefix, strlen (prefix)) == 0;
}

#endif
