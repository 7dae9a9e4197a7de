/* Compiled seccomp filters cached per host (see seccomp_cache.h).  */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "fileutil.h"
#include "log.h"
#include "seccomp_cache.h"
#include "strbuf.h"
#include "util.h"

#define CACHE_MAGIC     "HULLBPF2"
#define CACHE_MAX_INSNS 4096 /* BPF_MAXINSNS: the kernel loads no more */

/* Bumped whenever the translation of a profile into rules changes.  */
#define CACHE_FORMAT "hull-seccomp-cache 1"

struct cache_header
{
  char magic[8];
  char key[SECCOMP_CACHE_KEY_LEN];
  uint32_t count;
  uint32_t material_len;
};

#define PAD8(n)            (((n) + 7) & ~(size_t) 7)
#define CACHE_MAX_MATERIAL (1024 * 1024)

_Static_assert(sizeof (struct cache_header) % sizeof (struct sock_filter) == 0,
               "the program starts on an instruction boundary");

/* linux.seccomp as canonical JSON (a spec holding only that field),
   without listenerPath and listenerMetadata: they do not change the
   program, and a per-container socket path would mean one entry per
   container.  */
static int
profile_json (const struct oci_seccomp *spec, char **out, size_t *len, oci_error_t **err)
{
  struct oci_seccomp rules = *spec;
  struct oci_linux lx = { .seccomp = &rules };
  struct oci_spec only = { .linux = &lx };

  rules.listener_path = NULL;
  rules.listener_metadata = NULL;
  return oci_spec_emit (&only, false, out, len, err);
}

static uint64_t
fnv1a64 (const void *data, size_t len)
{
  const unsigned char *p = data;
  uint64_t h = UINT64_C (0xcbf29ce484222325);

  for (size_t i = 0; i < len; i++)
    h = (h ^ p[i]) * UINT64_C (0x100000001b3);
  return h;
}

int
seccomp_cache_key (const struct oci_seccomp *spec, char key[SECCOMP_CACHE_KEY_LEN + 1], char **material,
                   size_t *material_len, oci_error_t **err)
{
  const struct scmp_version *v = seccomp_version ();
  struct strbuf sb = STRBUF_INIT;
  cleanup_free char *json = NULL;
  struct utsname uts;
  size_t json_len, len;

  if (profile_json (spec, &json, &json_len, err) < 0)
    return oci_error_prefix (err, "linux.seccomp: cache key");
  if (uname (&uts) < 0)
    memset (&uts, 0, sizeof uts);
  strbuf_addf (&sb, "%s\nhull %s %s\nlibseccomp %u.%u.%u\narch %u\nkernel %s\n", CACHE_FORMAT,
               PACKAGE_VERSION, GIT_COMMIT, v ? v->major : 0, v ? v->minor : 0, v ? v->micro : 0,
               seccomp_arch_native (), uts.release);
  strbuf_add (&sb, json, json_len);
  *material = strbuf_detach (&sb, &len);
  *material_len = len;
  snprintf (key, SECCOMP_CACHE_KEY_LEN + 1, "%016" PRIx64, fnv1a64 (*material, len));
  return 0;
}

struct cache_entry
{
  char key[SECCOMP_CACHE_KEY_LEN + 1];
  char *material;
  size_t material_len;
};

static void
cache_encode (const struct cache_entry *e, const struct seccomp_bpf *bpf, void **data, size_t *len)
{
  struct cache_header h = { .count = (uint32_t) bpf->len, .material_len = (uint32_t) e->material_len };
  size_t prog = bpf->len * sizeof (struct sock_filter), mat = PAD8 (e->material_len);
  char *buf = xzalloc (sizeof h + mat + prog);

  memcpy (h.magic, CACHE_MAGIC, sizeof h.magic);
  memcpy (h.key, e->key, sizeof h.key);
  memcpy (buf, &h, sizeof h);
  memcpy (buf + sizeof h, e->material, e->material_len);
  memcpy (buf + sizeof h + mat, bpf->insns, prog);
  *data = buf;
  *len = sizeof h + mat + prog;
}

/* The header and program of a file, checked against key; false when
   anything is off.  */
static bool
cache_decode (const void *data, size_t len, const struct cache_entry *e, struct seccomp_bpf *out)
{
  const char *bytes = data;
  struct cache_header h;
  size_t prog, mat;

  if (len < sizeof h)
    return false;
  memcpy (&h, data, sizeof h);
  mat = PAD8 ((size_t) h.material_len);
  if (memcmp (h.magic, CACHE_MAGIC, sizeof h.magic) != 0 || memcmp (h.key, e->key, sizeof h.key) != 0
      || h.material_len != e->material_len || len - sizeof h < mat
      || memcmp (bytes + sizeof h, e->material, e->material_len) != 0)
    return false;
  for (size_t i = sizeof h + e->material_len; i < sizeof h + mat; i++)
    if (bytes[i] != '\0')
      return false;
  prog = len - sizeof h - mat;
  if (prog % sizeof (struct sock_filter) != 0 || h.count == 0 || h.count > CACHE_MAX_INSNS
      || h.count != prog / sizeof (struct sock_filter))
    return false;
  out->len = h.count;
  out->insns = xmalloc (prog);
  memcpy (out->insns, bytes + sizeof h + mat, prog);
  return true;
}

/* <root>/@seccomp, made 0700 if missing; only a directory we own is used
   (anybody else could plant a filter in it).  */
static int
open_cache_dir (const char *root, oci_error_t **err)
{
  cleanup_free char *dir = NULL;
  cleanup_close int fd = -1;
  struct stat st;

  xasprintf (&dir, "%s/%s", root, SECCOMP_CACHE_DIR);
  if (mkdir_p (dir, 0700, err) < 0)
    return -1;
  fd = open (dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 || fstat (fd, &st) < 0)
    return oci_error_errno (err, errno, "open %s", dir);
  if (st.st_uid != geteuid ())
    return oci_error_set (err, EPERM, "%s is owned by uid %u, not by us", dir, (unsigned) st.st_uid);
  if ((st.st_mode & 07777) != 0700 && fchmod (fd, 0700) < 0)
    return oci_error_errno (err, errno, "chmod 0700 %s", dir);
  return steal_fd (&fd);
}

/* The entry's bytes, or false: missing, not a regular file of ours, too big.  */
static bool
read_entry (int dirfd, const char *name, char **data, size_t *len)
{
  size_t max
      = sizeof (struct cache_header) + CACHE_MAX_MATERIAL + CACHE_MAX_INSNS * sizeof (struct sock_filter);
  cleanup_close int fd = openat (dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  struct stat st;
  ssize_t n;

  if (fd < 0 || fstat (fd, &st) < 0 || !S_ISREG (st.st_mode) || st.st_uid != geteuid ()
      || (size_t) st.st_size > max)
    return false;
  *data = xmalloc ((size_t) st.st_size + 1);
  n = read_all (fd, *data, (size_t) st.st_size + 1);
  if (n != st.st_size)
    {
      free (*data);
      *data = NULL;
      return false;
    }
  *len = (size_t) n;
  return true;
}

static bool
cache_lookup (int dirfd, const struct cache_entry *e, const char *name, struct seccomp_bpf *out)
{
  cleanup_free char *data = NULL;
  size_t len;

  if (!read_entry (dirfd, name, &data, &len))
    return false;
  if (cache_decode (data, len, e, out))
    return true;
  hull_log (HULL_LOG_WARN, "seccomp cache: ignoring the invalid entry %s", name);
  return false;
}

static void
cache_store (int dirfd, const struct cache_entry *e, const char *name, const struct seccomp_bpf *bpf)
{
  cleanup_error oci_error_t *err = NULL;
  cleanup_free void *data = NULL;
  size_t len;

  if (bpf->len == 0 || bpf->len > CACHE_MAX_INSNS || e->material_len > CACHE_MAX_MATERIAL)
    return; /* the kernel refuses it anyway, or too big to be worth keeping */
  cache_encode (e, bpf, &data, &len);
  if (write_file_replace_at (dirfd, name, data, len, 0600, &err) < 0)
    hull_log (HULL_LOG_WARN, "seccomp cache: %s", err->msg);
}

int
seccomp_cache_get (const char *root, const struct oci_seccomp *spec, struct seccomp_bpf *out,
                   oci_error_t **err)
{
  cleanup_error oci_error_t *cache_err = NULL;
  cleanup_close int dirfd = -1;
  struct cache_entry e = { 0 };
  cleanup_free char *material = NULL;
  char name[SECCOMP_CACHE_KEY_LEN + 8];

  out->insns = NULL;
  out->len = 0;
  if (root == NULL)
    return seccomp_filter_compile (spec, out, err);
  if (seccomp_cache_key (spec, e.key, &material, &e.material_len, err) < 0)
    return -1;
  e.material = material;
  snprintf (name, sizeof name, "%s.bpf", e.key);
  dirfd = open_cache_dir (root, &cache_err);
  if (dirfd < 0)
    hull_log (HULL_LOG_WARN, "seccomp cache unavailable: %s", cache_err->msg);
  else if (cache_lookup (dirfd, &e, name, out))
    {
      hull_log (HULL_LOG_DEBUG, "seccomp cache: hit %s", name);
      return 0;
    }
  if (seccomp_filter_compile (spec, out, err) < 0)
    return -1;
  if (dirfd >= 0)
    {
      hull_log (HULL_LOG_DEBUG, "seccomp cache: compiled %s (%zu instructions)", name, out->len);
      cache_store (dirfd, &e, name, out);
    }
  return 0;
}
