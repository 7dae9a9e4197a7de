/* libFuzzer target: the bytes go to the config.json, process.json,
   resources, state.json and features.json parsers; whatever parses must
   emit (compact and pretty), parse back to an equal object and emit the
   same bytes again.  */
#include "config.h"
#include "runtime_spec.h"

#include <stdint.h>
#include <stdlib.h>

static const struct oci_json_type *const types[] = {
  &oci_spec_type, &oci_process_type, &oci_resources_type, &oci_state_type, &oci_features_type,
};

static void *
reparse (const struct oci_json_type *type, const void *obj, bool pretty, char **text, size_t *len)
{
  oci_error_t *err = NULL;
  void *again = NULL;

  if (oci_json_emit (type, obj, pretty, text, len, &err) < 0)
    abort ();
  if (oci_json_parse (type, *text, *len, "emitted", &again, &err) < 0)
    abort ();
  if (!oci_json_equal (type, obj, again))
    abort ();
  return again;
}

static void
roundtrip (const struct oci_json_type *type, const uint8_t *data, size_t size)
{
  oci_error_t *err = NULL;
  void *a = NULL, *b, *c;
  char *out1 = NULL, *out2 = NULL, *pretty = NULL;
  size_t len1 = 0, len2 = 0, plen = 0;

  if (oci_json_parse (type, (const char *) data, size, "fuzz", &a, &err) < 0)
    {
      if (err == NULL || a != NULL)
        abort ();
      oci_error_free (&err);
      return;
    }
  b = reparse (type, a, false, &out1, &len1);
  if (oci_json_emit (type, b, false, &out2, &len2, &err) < 0)
    abort ();
  if (len1 != len2 || memcmp (out1, out2, len1) != 0)
    abort ();
  c = reparse (type, a, true, &pretty, &plen);

  if (type == &oci_spec_type)
    for (size_t i = 0; oci_namespace_types[i]; i++)
      {
        const struct oci_namespace *ns = oci_spec_find_namespace (a, oci_namespace_types[i]);
        if (ns && !streq (ns->type, oci_namespace_types[i]))
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
  return 0;
}
