/* libcurl, loaded on first use.

   Linking libcurl pulls ~35 shared libraries (TLS, LDAP, Kerberos, SSH,
   IDN, ...) into every berth process: 4-5 ms of dynamic loading on each
   command, also on `berth run` and on the commands the monitor runs,
   which never speak HTTP.  berth therefore does not link libcurl: these
   definitions of the libcurl functions berth uses load libcurl.so.4 with
   dlopen(3) when the first one is called and forward to it.  The headers
   are libcurl's own, so the prototypes are checked by the compiler.

   curl_easy_setopt, curl_easy_getinfo and curl_multi_setopt take exactly
   one argument after the option: a long, a curl_off_t, a pointer or a
   function pointer, all passed in one integer register on the ABIs Linux
   runs on (x86-64 SysV, AAPCS64, RISC-V, ppc64, s390x), so forwarding it
   as a pointer-sized integer passes it unchanged.  */
#include "config.h"

#define CURL_DISABLE_TYPECHECK 1

#include <curl/curl.h>
#include <dlfcn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define LIBCURL_SONAME "libcurl.so.4"

/* The library handle, or NULL with a message printed once.  */
static void *
curl_lib (void)
{
  static void *lib;
  static int failed;

  if (lib == NULL && !failed)
    {
      lib = dlopen (LIBCURL_SONAME, RTLD_NOW | RTLD_LOCAL);
      if (lib == NULL)
        {
          failed = 1;
          fprintf (stderr, "berth: cannot load %s (install libcurl4): %s\n", LIBCURL_SONAME, dlerror ());
        }
    }
  return lib;
}

/* The address of a libcurl function, or NULL.  */
static void *
curl_sym (const char *name)
{
  void *lib = curl_lib ();

  return lib ? dlsym (lib, name) : NULL;
}

/* Declares `fn`, a pointer to libcurl's function `name` of type `type`,
   resolved once.  */
#define CURL_FN(type, name)                                                                                  \
  static __typeof__ (type) fn_##name;                                                                        \
  if (fn_##name == NULL)                                                                                     \
  fn_##name = (type) curl_sym (#name)

CURLcode
curl_global_init (long flags)
{
  CURL_FN (CURLcode (*) (long), curl_global_init);
  return fn_curl_global_init ? fn_curl_global_init (flags) : CURLE_FAILED_INIT;
}

CURL *
curl_easy_init (void)
{
  CURL_FN (CURL * (*) (void), curl_easy_init);
  return fn_curl_easy_init ? fn_curl_easy_init () : NULL;
}

CURLcode
curl_easy_setopt (CURL *curl, CURLoption option, ...)
{
  CURL_FN (CURLcode (*) (CURL *, CURLoption, ...), curl_easy_setopt);
  va_list ap;
  uintptr_t arg;

  va_start (ap, option);
  arg = va_arg (ap, uintptr_t);
  va_end (ap);
  return fn_curl_easy_setopt ? fn_curl_easy_setopt (curl, option, arg) : CURLE_FAILED_INIT;
}

CURLcode
curl_easy_getinfo (CURL *curl, CURLINFO info, ...)
{
  CURL_FN (CURLcode (*) (CURL *, CURLINFO, ...), curl_easy_getinfo);
  va_list ap;
  void *arg;

  va_start (ap, info);
  arg = va_arg (ap, void *);
  va_end (ap);
  return fn_curl_easy_getinfo ? fn_curl_easy_getinfo (curl, info, arg) : CURLE_FAILED_INIT;
}

void
curl_easy_cleanup (CURL *curl)
{
  CURL_FN (void (*) (CURL *), curl_easy_cleanup);
  if (fn_curl_easy_cleanup)
    fn_curl_easy_cleanup (curl);
}

const char *
curl_easy_strerror (CURLcode code)
{
  CURL_FN (const char *(*) (CURLcode), curl_easy_strerror);
  return fn_curl_easy_strerror ? fn_curl_easy_strerror (code) : "libcurl is not available";
}

char *
curl_easy_escape (CURL *curl, const char *string, int length)
{
  CURL_FN (char *(*) (CURL *, const char *, int), curl_easy_escape);
  return fn_curl_easy_escape ? fn_curl_easy_escape (curl, string, length) : NULL;
}

void
curl_free (void *p)
{
  CURL_FN (void (*) (void *), curl_free);
  if (fn_curl_free)
    fn_curl_free (p);
}

struct curl_slist *
curl_slist_append (struct curl_slist *list, const char *data)
{
  CURL_FN (struct curl_slist * (*) (struct curl_slist *, const char *), curl_slist_append);
  return fn_curl_slist_append ? fn_curl_slist_append (list, data) : NULL;
}

void
curl_slist_free_all (struct curl_slist *list)
{
  CURL_FN (void (*) (struct curl_slist *), curl_slist_free_all);
  if (fn_curl_slist_free_all)
    fn_curl_slist_free_all (list);
}

CURLM *
curl_multi_init (void)
{
  CURL_FN (CURLM * (*) (void), curl_multi_init);
  return fn_curl_multi_init ? fn_curl_multi_init () : NULL;
}

CURLMcode
curl_multi_setopt (CURLM *multi, CURLMoption option, ...)
{
  CURL_FN (CURLMcode (*) (CURLM *, CURLMoption, ...), curl_multi_setopt);
  va_list ap;
  uintptr_t arg;

  va_start (ap, option);
  arg = va_arg (ap, uintptr_t);
  va_end (ap);
  return fn_curl_multi_setopt ? fn_curl_multi_setopt (multi, option, arg) : CURLM_INTERNAL_ERROR;
}

CURLMcode
curl_multi_add_handle (CURLM *multi, CURL *curl)
{
  CURL_FN (CURLMcode (*) (CURLM *, CURL *), curl_multi_add_handle);
  return fn_curl_multi_add_handle ? fn_curl_multi_add_handle (multi, curl) : CURLM_INTERNAL_ERROR;
}

CURLMcode
curl_multi_remove_handle (CURLM *multi, CURL *curl)
{
  CURL_FN (CURLMcode (*) (CURLM *, CURL *), curl_multi_remove_handle);
  return fn_curl_multi_remove_handle ? fn_curl_multi_remove_handle (multi, curl) : CURLM_INTERNAL_ERROR;
}

CURLMcode
curl_multi_perform (CURLM *multi, int *running)
{
  CURL_FN (CURLMcode (*) (CURLM *, int *), curl_multi_perform);
  return fn_curl_multi_perform ? fn_curl_multi_perform (multi, running) : CURLM_INTERNAL_ERROR;
}

CURLMcode
curl_multi_poll (CURLM *multi, struct curl_waitfd extra_fds[], unsigned int extra_nfds, int timeout_ms,
                 int *ret)
{
  CURL_FN (CURLMcode (*) (CURLM *, struct curl_waitfd *, unsigned int, int, int *), curl_multi_poll);
  return fn_curl_multi_poll ? fn_curl_multi_poll (multi, extra_fds, extra_nfds, timeout_ms, ret)
                            : CURLM_INTERNAL_ERROR;
}

CURLMsg *
curl_multi_info_read (CURLM *multi, int *msgs_in_queue)
{
  CURL_FN (CURLMsg * (*) (CURLM *, int *), curl_multi_info_read);
  return fn_curl_multi_info_read ? fn_curl_multi_info_read (multi, msgs_in_queue) : NULL;
}

CURLMcode
curl_multi_cleanup (CURLM *multi)
{
  CURL_FN (CURLMcode (*) (CURLM *), curl_multi_cleanup);
  return fn_curl_multi_cleanup ? fn_curl_multi_cleanup (multi) : CURLM_INTERNAL_ERROR;
}

const char *
curl_multi_strerror (CURLMcode code)
{
  CURL_FN (const char *(*) (CURLMcode), curl_multi_strerror);
  return fn_curl_multi_strerror ? fn_curl_multi_strerror (code) : "libcurl is not available";
}

curl_version_info_data *
curl_version_info (CURLversion age)
{
  static curl_version_info_data unavailable = { .version = "not available" };
  CURL_FN (curl_version_info_data * (*) (CURLversion), curl_version_info);
  return fn_curl_version_info ? fn_curl_version_info (age) : &unavailable;
}
