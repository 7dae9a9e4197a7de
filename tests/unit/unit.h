/* Common includes for the cmocka unit tests.  */
#ifndef BERTH_UNIT_H
#define BERTH_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "error.h"
#include "util.h"

/* Assert that an oci_error_t is NULL, printing its message if not.  */
#define assert_no_error(err)                                                                                 \
  do                                                                                                         \
    {                                                                                                        \
      if ((err) != NULL)                                                                                     \
        fail_msg ("unexpected error: %s", (err)->msg);                                                       \
    }                                                                                                        \
  while (0)

/* Assert that err is set and its message contains `needle`.  */
#define assert_error_contains(err, needle)                                                                   \
  do                                                                                                         \
    {                                                                                                        \
      if ((err) == NULL)                                                                                     \
        fail_msg ("expected an error containing \"%s\"", (needle));                                          \
      if (strstr ((err)->msg, (needle)) == NULL)                                                             \
        fail_msg ("error \"%s\" does not contain \"%s\"", (err)->msg, (needle));                             \
    }                                                                                                        \
  while (0)

#endif
