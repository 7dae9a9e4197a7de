/* Image references in every form docker accepts:

     busybox                        docker.io/library/busybox:latest
     library/busybox:1.36           docker.io/library/busybox:1.36
     host:5000/ns/repo@sha256:...   host:5000/ns/repo@sha256:...
     localhost/repo:tag             localhost/repo:tag

   The first path component is a registry when it contains '.' or ':' or
   is "localhost"; otherwise the default registry (docker.io unless
   registries.conf says otherwise) is used and, on docker.io, single names
   get "library/".  A reference without tag or digest gets "latest".  */
#ifndef BERTH_REGISTRY_REFERENCE_H
#define BERTH_REGISTRY_REFERENCE_H

#include <stdbool.h>

#include "error.h"

#define REFERENCE_DOCKER_DOMAIN "docker.io"
#define REFERENCE_NAME_MAX      255
#define REFERENCE_DEFAULT_TAG   "latest"

struct registry_ref
{
  char *domain;       /* "docker.io", "127.0.0.1:5000" */
  char *path;         /* "library/busybox" */
  char *tag;          /* NULL when only a digest was given */
  char *digest;       /* NULL when absent */
  bool tag_defaulted; /* "latest" was added */
};

/* Parse s; default_domain (NULL for docker.io) is used when s names no
   registry.  Errors quote s and say what is wrong.  */
int reference_parse (const char *s, const char *default_domain, struct registry_ref **out, oci_error_t **err);
void reference_free (struct registry_ref *ref);
void reference_freep (struct registry_ref **ref);
#define cleanup_reference __attribute__ ((cleanup (reference_freep)))

/* "domain/path" */
char *reference_name (const struct registry_ref *ref);
/* "domain/path:tag", "domain/path@digest" or both; the key images are
   stored under.  */
char *reference_string (const struct registry_ref *ref);
/* "domain/path@digest" for any digest.  */
char *reference_with_digest (const struct registry_ref *ref, const char *digest);
/* Docker's short display form: "busybox:latest", "ns/repo:1",
   "host:5000/repo@sha256:...".  */
char *reference_familiar (const struct registry_ref *ref);
/* The repository as docker prints it in "Pulling from": "library/busybox"
   on docker.io, "host:5000/repo" elsewhere.  */
char *reference_familiar_repo (const struct registry_ref *ref);
/* The tag, or the digest when there is no tag.  */
const char *reference_tag_or_digest (const struct registry_ref *ref);

/* Whether s is a valid tag ([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}).  */
bool reference_tag_valid (const char *s);
/* Whether s is a valid registry host[:port].  */
bool reference_domain_valid (const char *s);

#endif
