/* libFuzzer target: the bytes go to every image-spec and Docker parser;
   whatever parses must emit, parse back to an equal object and emit the
   same bytes again.  Also exercises sniffing and platform selection.  */
#include "config.h"
#include "image_spec.h"

#include <stdint.h>
#include <stdlib.h>

static const struct oci_json_type *const types[] = {
  &oci_image_descriptor_type, &oci_image_index_type, &oci_image_manifest_type,   &oci_image_config_type,
  &oci_image_layout_type,     &docker_manifest_type, &docker_manifest_list_type,
};

static void
roundtrip (const struct oci_json_type *type, const uint8_t *data, size_t size)
{
  oci_error_t *err = NULL;
  void *a = NULL, *b = NULL, *c = NULL;
  char *out1 = NULL, *out2 = NULL, *pretty = NULL;
  size_t len1 = 0, len2 = 0, plen = 0;

  if (oci_json_parse (type, (const char *) data, size, "fuzz", &a, &err) < 0)
    {
      if (err == NULL || a != NULL)
        abort ();
      oci_error_free (&err);
      return;
    }
  /* Parsed input always emits: strings were validated as UTF-8.  */
  if (oci_json_emit (type, a, false, &out1, &len1, &err) < 0)
    abort ();
  if (oci_json_parse (type, out1, len1, "emitted", &b, &err) < 0)
    abort ();
  if (!oci_json_equal (type, a, b))
    abort ();
  if (oci_json_emit (type, b, false, &out2, &len2, &err) < 0)
    abort ();
  if (len1 != len2 || memcmp (out1, out2, len1) != 0)
    abort ();
  if (oci_json_emit (type, a, true, &pretty, &plen, &err) < 0)
    abort ();
  if (oci_json_parse (type, pretty, plen, "pretty", &c, &err) < 0 || !oci_json_equal (type, a, c))
    abort ();

  if (type == &oci_image_index_type)
    {
      const struct oci_image_descriptor *d = NULL;
      if (oci_image_index_select (a, "linux", "arm", NULL, &d, &err) < 0)
        oci_error_free (&err);
      else if (d == NULL || d->platform == NULL)
        abort ();
    }
  else if (type == &docker_manifest_list_type)
    {
      const struct docker_descriptor *d = NULL;
      if (docker_manifest_list_select (a, "linux", "arm64", NULL, &d, &err) < 0)
        oci_error_free (&err);
      else if (d == NULL || !oci_platform_matches (d->platform, "linux", "arm64", "v8"))
        abort ();
    }

  free (out1);
  free (out2);
  free (pretty);
  oci_json_free (type, a);
  oci_json_free (type, b);
  oci_json_free (type, c);
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  for (size_t i = 0; i < ARRAY_SIZE (types); i++)
    roundtrip (types[i], data, size);
  (void) oci_manifest_sniff ((const char *) data, size, NULL);
  return 0;
}
