/* libarchive, loaded on first use.

   Like libcurl (manager/registry/curl_lazy.c), libarchive brings a dozen
   shared libraries (libxml2 with ICU and libstdc++, lzma, bz2, lz4, acl,
   nettle, ...) into every berth process, ~2 ms of dynamic loading on
   commands that never read or write a tar (run, ps, stop, ...).  berth
   does not link it: these definitions of the libarchive functions berth
   uses load libarchive.so.13 with dlopen(3) on first use and forward to
   it.  The prototypes come from libarchive's own headers.  Should the
   library be missing, berth says so and exits 125, as the dynamic loader
   would have refused to start it.  Each wrapper forwards its arguments
   (named by position) unchanged; a libarchive function berth starts to
   use needs its wrapper here, or berth does not link.  */
#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#define LIBARCHIVE_SONAME "libarchive.so.13"

/* The address of a libarchive function; exits when the library or the
   function is missing.  */
static void *
archive_sym (const char *name)
{
  static void *lib;
  void *fn;

  if (lib == NULL)
    lib = dlopen (LIBARCHIVE_SONAME, RTLD_NOW | RTLD_LOCAL);
  fn = lib ? dlsym (lib, name) : NULL;
  if (fn == NULL)
    {
      fprintf (stderr, "Error: cannot load %s from %s (install libarchive13): %s\n", name, LIBARCHIVE_SONAME,
               dlerror ());
      exit (125);
    }
  return fn;
}

/* fn_NAME: libarchive's NAME, resolved once.  */
#define ARCHIVE_FN(name)                                                                                     \
  static __typeof__ (&name) fn_##name;                                                                       \
  if (fn_##name == NULL)                                                                                     \
  fn_##name = (__typeof__ (&name)) archive_sym (#name)

time_t
archive_entry_atime (struct archive_entry *a0)
{
  ARCHIVE_FN (archive_entry_atime);
  return fn_archive_entry_atime (a0);
}

int
archive_entry_atime_is_set (struct archive_entry *a0)
{
  ARCHIVE_FN (archive_entry_atime_is_set);
  return fn_archive_entry_atime_is_set (a0);
}

long
archive_entry_atime_nsec (struct archive_entry *a0)
{
  ARCHIVE_FN (archive_entry_atime_nsec);
  return fn_archive_entry_atime_nsec (a0);
}

void
archive_entry_copy_stat (struct archive_entry *a0, const struct stat *a1)
{
  ARCHIVE_FN (archive_entry_copy_stat);
  fn_archive_entry_copy_stat (a0, a1);
}

void
archive_entry_copy_symlink (struct archive_entry *a0, const char *a1)
{
  ARCHIVE_FN (archive_entry_copy_symlink);
  fn_archive_entry_copy_symlink (a0, a1);
}

__LA_MODE_T
archive_entry_filetype (struct archive_entry *a0)
{
  ARCHIVE_FN (archive_entry_filetype);
  return fn_archive_entry_filetype (a0);
}

void
archive_entry_free (struct archive_entry *a0)
{
  ARCHIVE_FN (archive_entry_free);
  fn_archive_entry_free (a0);
}

la_int64_t
archive_entry_gid (struct archive_entry *a0)
{
  ARCHIVE_FN (archive_entry_gid);
  return fn_archive_entry_gid (a0);
}

const char *
archive_entry_hardlink (struct archive_entry *a0)
{
  ARCHIVE_FN (archive_entry_hardlink);
  return fn_archive_entry_hardlink (a0);
}

time_t
archive_entry_mtime (struct archive_entry *a0)
{
  ARCHIVE_FN (archive_entry_mtime);
  return fn_archive_entry_mtime (a0);
}

long
archive_entry_mtime_nsec (struct archive_entry *a0)
{
  ARCHIVE_FN (archive_entry_mtime_nsec);
  return fn_archive_entry_mtime_nsec (a0);
}

struct archive_entry *
archive_entry_new (void)
{
  ARCHIVE_FN (archive_entry_new);
  return fn_archive_entry_new ();
}

const char *
archive_entry_pathname (struct archive_entry *a0)
{
  ARCHIVE_FN (archive_entry_pathname);
  return fn_archive_entry_pathname (a0);
}

__LA_MODE_T
archive_entry_perm (struct archive_entry *a0)
{
  ARCHIVE_FN (archive_entry_perm);
  return fn_archive_entry_perm (a0);
}

dev_t
archive_entry_rdev (struct archive_entry *a0)
{
  ARCHIVE_FN (archive_entry_rdev);
  return fn_archive_entry_rdev (a0);
}

void
archive_entry_set_dev (struct archive_entry *a0, dev_t a1)
{
  ARCHIVE_FN (archive_entry_set_dev);
  fn_archive_entry_set_dev (a0, a1);
}

void
archive_entry_set_filetype (struct archive_entry *a0, unsigned int a1)
{
  ARCHIVE_FN (archive_entry_set_filetype);
  fn_archive_entry_set_filetype (a0, a1);
}

void
archive_entry_set_gid (struct archive_entry *a0, la_int64_t a1)
{
  ARCHIVE_FN (archive_entry_set_gid);
  fn_archive_entry_set_gid (a0, a1);
}

void
archive_entry_set_ino (struct archive_entry *a0, la_int64_t a1)
{
  ARCHIVE_FN (archive_entry_set_ino);
  fn_archive_entry_set_ino (a0, a1);
}

void
archive_entry_set_mtime (struct archive_entry *a0, time_t a1, long a2)
{
  ARCHIVE_FN (archive_entry_set_mtime);
  fn_archive_entry_set_mtime (a0, a1, a2);
}

void
archive_entry_set_nlink (struct archive_entry *a0, unsigned int a1)
{
  ARCHIVE_FN (archive_entry_set_nlink);
  fn_archive_entry_set_nlink (a0, a1);
}

void
archive_entry_set_pathname (struct archive_entry *a0, const char *a1)
{
  ARCHIVE_FN (archive_entry_set_pathname);
  fn_archive_entry_set_pathname (a0, a1);
}

void
archive_entry_set_perm (struct archive_entry *a0, __LA_MODE_T a1)
{
  ARCHIVE_FN (archive_entry_set_perm);
  fn_archive_entry_set_perm (a0, a1);
}

void
archive_entry_set_size (struct archive_entry *a0, la_int64_t a1)
{
  ARCHIVE_FN (archive_entry_set_size);
  fn_archive_entry_set_size (a0, a1);
}

void
archive_entry_set_uid (struct archive_entry *a0, la_int64_t a1)
{
  ARCHIVE_FN (archive_entry_set_uid);
  fn_archive_entry_set_uid (a0, a1);
}

const struct stat *
archive_entry_stat (struct archive_entry *a0)
{
  ARCHIVE_FN (archive_entry_stat);
  return fn_archive_entry_stat (a0);
}

const char *
archive_entry_symlink (struct archive_entry *a0)
{
  ARCHIVE_FN (archive_entry_symlink);
  return fn_archive_entry_symlink (a0);
}

la_int64_t
archive_entry_uid (struct archive_entry *a0)
{
  ARCHIVE_FN (archive_entry_uid);
  return fn_archive_entry_uid (a0);
}

void
archive_entry_unset_atime (struct archive_entry *a0)
{
  ARCHIVE_FN (archive_entry_unset_atime);
  fn_archive_entry_unset_atime (a0);
}

void
archive_entry_unset_birthtime (struct archive_entry *a0)
{
  ARCHIVE_FN (archive_entry_unset_birthtime);
  fn_archive_entry_unset_birthtime (a0);
}

void
archive_entry_unset_ctime (struct archive_entry *a0)
{
  ARCHIVE_FN (archive_entry_unset_ctime);
  fn_archive_entry_unset_ctime (a0);
}

int
archive_entry_xattr_next (struct archive_entry *a0, const char **a1, const void **a2, size_t *a3)
{
  ARCHIVE_FN (archive_entry_xattr_next);
  return fn_archive_entry_xattr_next (a0, a1, a2, a3);
}

int
archive_entry_xattr_reset (struct archive_entry *a0)
{
  ARCHIVE_FN (archive_entry_xattr_reset);
  return fn_archive_entry_xattr_reset (a0);
}

const char *
archive_error_string (struct archive *a0)
{
  ARCHIVE_FN (archive_error_string);
  return fn_archive_error_string (a0);
}

la_ssize_t
archive_read_data (struct archive *a0, void *a1, size_t a2)
{
  ARCHIVE_FN (archive_read_data);
  return fn_archive_read_data (a0, a1, a2);
}

int
archive_read_data_block (struct archive *a0, const void **a1, size_t *a2, la_int64_t *a3)
{
  ARCHIVE_FN (archive_read_data_block);
  return fn_archive_read_data_block (a0, a1, a2, a3);
}

int
archive_read_free (struct archive *a0)
{
  ARCHIVE_FN (archive_read_free);
  return fn_archive_read_free (a0);
}

struct archive *
archive_read_new (void)
{
  ARCHIVE_FN (archive_read_new);
  return fn_archive_read_new ();
}

int
archive_read_next_header (struct archive *a0, struct archive_entry **a1)
{
  ARCHIVE_FN (archive_read_next_header);
  return fn_archive_read_next_header (a0, a1);
}

int
archive_read_open (struct archive *a0, void *a1, archive_open_callback *a2, archive_read_callback *a3,
                   archive_close_callback *a4)
{
  ARCHIVE_FN (archive_read_open);
  return fn_archive_read_open (a0, a1, a2, a3, a4);
}

int
archive_read_open_fd (struct archive *a0, int a1, size_t a2)
{
  ARCHIVE_FN (archive_read_open_fd);
  return fn_archive_read_open_fd (a0, a1, a2);
}

int
archive_read_open_filename (struct archive *a0, const char *a1, size_t a2)
{
  ARCHIVE_FN (archive_read_open_filename);
  return fn_archive_read_open_filename (a0, a1, a2);
}

int
archive_read_support_filter_all (struct archive *a0)
{
  ARCHIVE_FN (archive_read_support_filter_all);
  return fn_archive_read_support_filter_all (a0);
}

int
archive_read_support_filter_gzip (struct archive *a0)
{
  ARCHIVE_FN (archive_read_support_filter_gzip);
  return fn_archive_read_support_filter_gzip (a0);
}

int
archive_read_support_filter_zstd (struct archive *a0)
{
  ARCHIVE_FN (archive_read_support_filter_zstd);
  return fn_archive_read_support_filter_zstd (a0);
}

int
archive_read_support_format_raw (struct archive *a0)
{
  ARCHIVE_FN (archive_read_support_format_raw);
  return fn_archive_read_support_format_raw (a0);
}

int
archive_read_support_format_tar (struct archive *a0)
{
  ARCHIVE_FN (archive_read_support_format_tar);
  return fn_archive_read_support_format_tar (a0);
}

void
archive_set_error (struct archive *a, int err, const char *fmt, ...)
{
  char msg[1024];
  va_list ap;

  ARCHIVE_FN (archive_set_error);
  va_start (ap, fmt);
  vsnprintf (msg, sizeof msg, fmt, ap);
  va_end (ap);
  fn_archive_set_error (a, err, "%s", msg);
}

const char *
archive_version_string (void)
{
  ARCHIVE_FN (archive_version_string);
  return fn_archive_version_string ();
}

int
archive_write_add_filter_gzip (struct archive *a0)
{
  ARCHIVE_FN (archive_write_add_filter_gzip);
  return fn_archive_write_add_filter_gzip (a0);
}

int
archive_write_close (struct archive *a0)
{
  ARCHIVE_FN (archive_write_close);
  return fn_archive_write_close (a0);
}

la_ssize_t
archive_write_data (struct archive *a0, const void *a1, size_t a2)
{
  ARCHIVE_FN (archive_write_data);
  return fn_archive_write_data (a0, a1, a2);
}

int
archive_write_free (struct archive *a0)
{
  ARCHIVE_FN (archive_write_free);
  return fn_archive_write_free (a0);
}

int
archive_write_header (struct archive *a0, struct archive_entry *a1)
{
  ARCHIVE_FN (archive_write_header);
  return fn_archive_write_header (a0, a1);
}

struct archive *
archive_write_new (void)
{
  ARCHIVE_FN (archive_write_new);
  return fn_archive_write_new ();
}

int
archive_write_open (struct archive *a0, void *a1, archive_open_callback *a2, archive_write_callback *a3,
                    archive_close_callback *a4)
{
  ARCHIVE_FN (archive_write_open);
  return fn_archive_write_open (a0, a1, a2, a3, a4);
}

int
archive_write_open_fd (struct archive *a0, int a1)
{
  ARCHIVE_FN (archive_write_open_fd);
  return fn_archive_write_open_fd (a0, a1);
}

int
archive_write_set_bytes_in_last_block (struct archive *a0, int a1)
{
  ARCHIVE_FN (archive_write_set_bytes_in_last_block);
  return fn_archive_write_set_bytes_in_last_block (a0, a1);
}

int
archive_write_set_filter_option (struct archive *a0, const char *a1, const char *a2, const char *a3)
{
  ARCHIVE_FN (archive_write_set_filter_option);
  return fn_archive_write_set_filter_option (a0, a1, a2, a3);
}

int
archive_write_set_format_pax_restricted (struct archive *a0)
{
  ARCHIVE_FN (archive_write_set_format_pax_restricted);
  return fn_archive_write_set_format_pax_restricted (a0);
}

int
archive_write_set_format_raw (struct archive *a0)
{
  ARCHIVE_FN (archive_write_set_format_raw);
  return fn_archive_write_set_format_raw (a0);
}
