/* Manifests for pull and push: see manifest.h.  */
#include "config.h"
#include "manifest.h"

#include <errno.h>

#include "image_spec.h"
#include "util.h"

bool
registry_manifest_is_index (const char *media_type)
{
  enum oci_manifest_kind k = oci_manifest_kind_from_media_type (media_type);
  return k == OCI_MANIFEST_KIND_OCI_INDEX || k == OCI_MANIFEST_KIND_DOCKER_LIST;
}

void
registry_manifest_free (struct registry_image_manifest *m)
{
  if (m == NULL)
    return;
  free (m->config.digest);
  free (m->config.media_type);
  for (size_t i = 0; i < m->n_layers; i++)
    {
      free (m->layers[i].digest);
      free (m->layers[i].media_type);
    }
  free (m->layers);
  free (m);
}

static void
set_ref (struct registry_blob_ref *r, const char *digest, const char *media_type, int64_t size)
{
  r->digest = xstrdup (digest);
  r->media_type = xstrdup (media_type ? media_type : "");
  r->size = size;
}

int
registry_manifest_parse (const char *data, size_t len, const char *media_type, const char *source,
                         struct registry_image_manifest **out, oci_error_t **err)
{
  enum oci_manifest_kind k = oci_manifest_kind_from_media_type (media_type);
  struct registry_image_manifest *m;

  if (k == OCI_MANIFEST_KIND_OCI_MANIFEST)
    {
      cleanup_oci_image_manifest struct oci_image_manifest *om = NULL;
      if (oci_image_manifest_parse (data, len, source, &om, err) < 0)
        return -1;
      m = xzalloc (sizeof *m);
      set_ref (&m->config, om->config->digest, om->config->media_type, om->config->size);
      m->layers = xcalloc (om->layers_len + 1, sizeof *m->layers);
      for (size_t i = 0; i < om->layers_len; i++)
        set_ref (&m->layers[i], om->layers[i].digest, om->layers[i].media_type, om->layers[i].size);
      m->n_layers = om->layers_len;
    }
  else if (k == OCI_MANIFEST_KIND_DOCKER_MANIFEST)
    {
      cleanup_docker_manifest struct docker_manifest *dm = NULL;
      if (docker_manifest_parse (data, len, source, &dm, err) < 0)
        return -1;
      m = xzalloc (sizeof *m);
      set_ref (&m->config, dm->config->digest, dm->config->media_type, dm->config->size);
      m->layers = xcalloc (dm->layers_len + 1, sizeof *m->layers);
      for (size_t i = 0; i < dm->layers_len; i++)
        set_ref (&m->layers[i], dm->layers[i].digest, dm->layers[i].media_type, dm->layers[i].size);
      m->n_layers = dm->layers_len;
    }
  else
    return oci_error_set (err, ENOTSUP, "%s: not an image manifest (media type \"%s\")", source,
                          media_type ? media_type : "");
  for (size_t i = 0; i < m->n_layers; i++)
    if (oci_layer_media_type_compression (m->layers[i].media_type) == OCI_LAYER_NOT_A_LAYER)
      {
        oci_error_set (err, ENOTSUP, "%s: layers[%zu]: unsupported layer media type \"%s\"", source, i,
                       m->layers[i].media_type);
        registry_manifest_free (m);
        return -1;
      }
  *out = m;
  return 0;
}

int
registry_manifest_select (const char *data, size_t len, const char *media_type, const char *source,
                          const char *os, const char *arch, const char *variant, char **digest,
                          oci_error_t **err)
{
  enum oci_manifest_kind k = oci_manifest_kind_from_media_type (media_type);

  if (k == OCI_MANIFEST_KIND_OCI_INDEX)
    {
      cleanup_oci_image_index struct oci_image_index *idx = NULL;
      const struct oci_image_descriptor *d;
      if (oci_image_index_parse (data, len, source, &idx, err) < 0)
        return -1;
      if (oci_image_index_select (idx, os, arch, variant, &d, err) < 0)
        return oci_error_prefix (err, "%s", source);
      *digest = xstrdup (d->digest);
      return 0;
    }
  if (k == OCI_MANIFEST_KIND_DOCKER_LIST)
    {
      cleanup_docker_manifest_list struct docker_manifest_list *list = NULL;
      const struct docker_descriptor *d;
      if (docker_manifest_list_parse (data, len, source, &list, err) < 0)
        return -1;
      if (docker_manifest_list_select (list, os, arch, variant, &d, err) < 0)
        return oci_error_prefix (err, "%s", source);
      *digest = xstrdup (d->digest);
      return 0;
    }
  return oci_error_set (err, EINVAL, "%s: not an index or manifest list", source);
}
