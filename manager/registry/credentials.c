/* docker config.json / podman auth.json credentials: see credentials.h.  */
#include "config.h"
#include "credentials.h"

#include <errno.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "auth.h"
#include "fileutil.h"
#include "reference.h"
#include "util.h"

#define CREDENTIALS_MAX_FILE (4u * 1024 * 1024)
#define DOCKER_HUB_KEY       "https://index.docker.io/v1/"

char *
credentials_config_path (const char *config_dir)
{
  const char *env = getenv ("DOCKER_CONFIG"), *home = getenv ("HOME");
  char *path;

  if (config_dir && *config_dir)
    xasprintf (&path, "%s/config.json", config_dir);
  else if (env && *env)
    xasprintf (&path, "%s/config.json", env);
  else
    xasprintf (&path, "%s/.docker/config.json", home && *home ? home : "/root");
  return path;
}

const char *
credentials_server_key (const char *domain)
{
  return streq (domain, REFERENCE_DOCKER_DOMAIN) ? DOCKER_HUB_KEY : domain;
}

/* The registry host of an "auths" key: scheme and path dropped, Docker
   Hub's aliases folded into docker.io.  */
static char *
key_domain (const char *key)
{
  const char *p = key, *slash;
  char *d;

  if (has_prefix (p, "https://"))
    p += 8;
  else if (has_prefix (p, "http://"))
    p += 7;
  slash = strchr (p, '/');
  d = slash ? xstrndup (p, slash - p) : xstrdup (p);
  if (streq (d, "index.docker.io") || streq (d, "registry-1.docker.io"))
    {
      free (d);
      d = xstrdup (REFERENCE_DOCKER_DOMAIN);
    }
  return d;
}

/* Parse path; *tree is NULL when the file does not exist.  */
static int
load_tree (const char *path, yajl_val *tree, oci_error_t **err)
{
  cleanup_free char *text = NULL;
  char errbuf[256];

  *tree = NULL;
  if (read_file_max (path, CREDENTIALS_MAX_FILE, &text, NULL, err) < 0)
    {
      if ((*err)->status != ENOENT)
        return -1;
      oci_error_free (err);
      return 0;
    }
  *tree = yajl_tree_parse (text, errbuf, sizeof errbuf);
  if (*tree == NULL || !YAJL_IS_OBJECT (*tree))
    {
      yajl_tree_free (*tree);
      *tree = NULL;
      return oci_error_set (err, EINVAL, "%s: invalid JSON", path);
    }
  return 0;
}

static int
lookup_in_file (const char *path, const char *domain, char **user, char **password, oci_error_t **err)
{
  static const char *auths_path[] = { "auths", NULL };
  static const char *auth_path[] = { "auth", NULL };
  yajl_val tree = NULL, auths;
  int ret = 0;

  if (load_tree (path, &tree, err) < 0)
    return -1;
  if (tree == NULL)
    return 0;
  auths = yajl_tree_get (tree, auths_path, yajl_t_object);
  for (size_t i = 0; auths && i < auths->u.object.len && ret == 0; i++)
    {
      cleanup_free char *d = key_domain (auths->u.object.keys[i]);
      yajl_val auth;
      if (!streq (d, domain))
        continue;
      auth = yajl_tree_get (auths->u.object.values[i], auth_path, yajl_t_string);
      if (auth == NULL || *YAJL_GET_STRING (auth) == '\0')
        continue;
      if (auth_basic_decode (YAJL_GET_STRING (auth), user, password, err) < 0)
        ret = oci_error_prefix (err, "%s: auths.\"%s\"", path, auths->u.object.keys[i]);
      else
        ret = 1;
    }
  yajl_tree_free (tree);
  return ret;
}

int
credentials_lookup (const char *config_dir, const char *domain, char **user, char **password,
                    oci_error_t **err)
{
  cleanup_free char *docker = credentials_config_path (config_dir), *podman = NULL;
  const char *env = getenv ("REGISTRY_AUTH_FILE"), *xdg = getenv ("XDG_RUNTIME_DIR");
  const char *files[3];
  size_t n = 0;

  if (env && *env)
    files[n++] = env;
  files[n++] = docker;
  if (xdg && *xdg)
    {
      xasprintf (&podman, "%s/containers/auth.json", xdg);
      files[n++] = podman;
    }
  for (size_t i = 0; i < n; i++)
    {
      int r = lookup_in_file (files[i], domain, user, password, err);
      if (r != 0)
        return r;
    }
  return 0;
}

/* --- writing --- */

static void
gen_value (yajl_gen g, yajl_val v)
{
  if (YAJL_IS_STRING (v))
    yajl_gen_string (g, (const unsigned char *) v->u.string, strlen (v->u.string));
  else if (YAJL_IS_NUMBER (v))
    yajl_gen_number (g, v->u.number.r, strlen (v->u.number.r));
  else if (YAJL_IS_TRUE (v))
    yajl_gen_bool (g, 1);
  else if (YAJL_IS_FALSE (v))
    yajl_gen_bool (g, 0);
  else if (YAJL_IS_ARRAY (v))
    {
      yajl_gen_array_open (g);
      for (size_t i = 0; i < v->u.array.len; i++)
        gen_value (g, v->u.array.values[i]);
      yajl_gen_array_close (g);
    }
  else if (YAJL_IS_OBJECT (v))
    {
      yajl_gen_map_open (g);
      for (size_t i = 0; i < v->u.object.len; i++)
        {
          yajl_gen_string (g, (const unsigned char *) v->u.object.keys[i], strlen (v->u.object.keys[i]));
          gen_value (g, v->u.object.values[i]);
        }
      yajl_gen_map_close (g);
    }
  else
    yajl_gen_null (g);
}

static void
gen_str (yajl_gen g, const char *s)
{
  yajl_gen_string (g, (const unsigned char *) s, strlen (s));
}

/* Emit the auths object: the old entries except those of domain, plus
   (when auth != NULL) the new one.  */
static bool
gen_auths (yajl_gen g, yajl_val old, const char *domain, const char *auth)
{
  bool removed = false;

  yajl_gen_map_open (g);
  for (size_t i = 0; old && YAJL_IS_OBJECT (old) && i < old->u.object.len; i++)
    {
      cleanup_free char *d = key_domain (old->u.object.keys[i]);
      if (streq (d, domain))
        {
          removed = true;
          continue;
        }
      gen_str (g, old->u.object.keys[i]);
      gen_value (g, old->u.object.values[i]);
    }
  if (auth)
    {
      gen_str (g, credentials_server_key (domain));
      yajl_gen_map_open (g);
      gen_str (g, "auth");
      gen_str (g, auth);
      yajl_gen_map_close (g);
    }
  yajl_gen_map_close (g);
  return removed;
}

static int
rewrite (const char *config_dir, const char *domain, const char *auth, bool *removed, oci_error_t **err)
{
  cleanup_free char *path = credentials_config_path (config_dir), *dir = NULL;
  yajl_val tree = NULL, auths = NULL;
  const unsigned char *buf;
  size_t len;
  bool had = false, seen_auths = false;
  yajl_gen g;
  int ret;

  if (load_tree (path, &tree, err) < 0)
    return -1;
  g = yajl_gen_alloc (NULL);
  yajl_gen_config (g, yajl_gen_beautify, 1);
  yajl_gen_config (g, yajl_gen_indent_string, "\t");
  yajl_gen_map_open (g);
  for (size_t i = 0; tree && i < tree->u.object.len; i++)
    {
      gen_str (g, tree->u.object.keys[i]);
      if (streq (tree->u.object.keys[i], "auths"))
        {
          auths = tree->u.object.values[i];
          had = gen_auths (g, auths, domain, auth);
          seen_auths = true;
        }
      else
        gen_value (g, tree->u.object.values[i]);
    }
  if (!seen_auths)
    {
      gen_str (g, "auths");
      gen_auths (g, NULL, domain, auth);
    }
  yajl_gen_map_close (g);
  yajl_gen_get_buf (g, &buf, &len);
  dir = xstrdup (path);
  *strrchr (dir, '/') = '\0';
  ret = 0;
  if (auth || had)
    {
      ret = mkdir_p (dir, 0700, err);
      if (ret == 0)
        ret = write_file_atomic (path, buf, len, 0600, err);
    }
  explicit_bzero ((void *) buf, len);
  yajl_gen_free (g);
  yajl_tree_free (tree);
  if (removed)
    *removed = had;
  return ret;
}

int
credentials_store (const char *config_dir, const char *domain, const char *user, const char *password,
                   oci_error_t **err)
{
  cleanup_free char *auth = auth_basic_encode (user, password);
  int ret = rewrite (config_dir, domain, auth, NULL, err);

  explicit_bzero (auth, strlen (auth));
  return ret;
}

int
credentials_remove (const char *config_dir, const char *domain, bool *removed, oci_error_t **err)
{
  return rewrite (config_dir, domain, NULL, removed, err);
}
