/* The JSON engine itself, on a small described type.  */
#include "config.h"
#include "unit.h"
#include "json.h"

struct item
{
  char *name;
  int64_t n;
  bool n_present;
};

struct doc
{
  char *kind;
  bool flag;
  bool flag_present;
  uint16_t small;
  bool small_present;
  uint64_t big;
  bool big_present;
  char **list;
  struct oci_map labels;
  char **ports;
  struct item *one;
  struct item *items;
  size_t items_len;
};

static const char *const kinds[] = { "a", "b", NULL };

static const struct oci_json_field item_fields[] = {
  OCI_F_STRING (struct item, "name", name, OCI_JSON_REQUIRED),
  OCI_F_I64 (struct item, "n", n, 0),
};
static OCI_JSON_DEFINE_TYPE (item_type, struct item, item_fields, NULL);

static const struct oci_json_field doc_fields[] = {
  OCI_F_ENUM (struct doc, "kind", kind, kinds, "kind", 0),
  OCI_F_BOOL (struct doc, "flag", flag, 0),
  OCI_F_U16 (struct doc, "small", small, 0),
  OCI_F_U64 (struct doc, "big", big, 0),
  OCI_F_STRV (struct doc, "list", list, 0),
  OCI_F_STRMAP (struct doc, "labels", labels, 0),
  OCI_F_STRSET (struct doc, "ports", ports, 0),
  OCI_F_OBJECT (struct doc, "one", one, item_type, 0),
  OCI_F_ARRAY (struct doc, "items", items, item_type, 0),
};
static OCI_JSON_DEFINE_TYPE (doc_type, struct doc, doc_fields, NULL);

static struct doc *
parse_ok (const char *json)
{
  cleanup_error oci_error_t *err = NULL;
  void *out = NULL;
  int ret = oci_json_parse (&doc_type, json, strlen (json), "t.json", &out, &err);
  assert_no_error (err);
  assert_int_equal (ret, 0);
  return out;
}

static void
parse_fails (const char *json, const char *msg)
{
  cleanup_error oci_error_t *err = NULL;
  void *out = NULL;
  int ret = oci_json_parse (&doc_type, json, strlen (json), "t.json", &out, &err);
  assert_true (ret < 0);
  assert_null (out);
  assert_error_contains (err, msg);
}

static void
test_roundtrip (void **state)
{
  const char *json = "{\"kind\":\"b\",\"flag\":false,\"small\":65535,\"big\":18446744073709551615,"
                     "\"list\":[\"x\",\"\"],\"labels\":{\"z\":\"1\",\"a\":\"2\"},\"ports\":{\"80/tcp\":{}},"
                     "\"one\":{\"name\":\"o\",\"n\":-9223372036854775808},\"items\":[],\"unknown\":[1,{}]}";
  struct doc *d = parse_ok (json);
  cleanup_free char *out = NULL;
  cleanup_error oci_error_t *err = NULL;
  void *again = NULL;
  size_t len;

  assert_string_equal (d->kind, "b");
  assert_true (d->flag_present);
  assert_false (d->flag);
  assert_int_equal (d->small, 65535);
  assert_true (d->big == UINT64_MAX);
  assert_int_equal (strv_len (d->list), 2);
  assert_string_equal (oci_map_get (&d->labels, "a"), "2");
  assert_string_equal (d->ports[0], "80/tcp");
  assert_true (d->one->n == INT64_MIN);
  assert_non_null (d->items);
  assert_int_equal (d->items_len, 0);

  assert_int_equal (oci_json_emit (&doc_type, d, false, &out, &len, &err), 0);
  /* Canonical: table order, sorted map keys, unknown fields dropped.  */
  assert_string_equal (out,
                       "{\"kind\":\"b\",\"flag\":false,\"small\":65535,\"big\":18446744073709551615,"
                       "\"list\":[\"x\",\"\"],\"labels\":{\"a\":\"2\",\"z\":\"1\"},\"ports\":{\"80/tcp\":{}},"
                       "\"one\":{\"name\":\"o\",\"n\":-9223372036854775808},\"items\":[]}");
  assert_int_equal (oci_json_parse (&doc_type, out, len, "again", &again, &err), 0);
  assert_true (oci_json_equal (&doc_type, d, again));
  oci_json_free (&doc_type, again);
  assert_int_equal (oci_json_dup (&doc_type, d, &again, &err), 0);
  assert_true (oci_json_equal (&doc_type, d, again));
  ((struct doc *) again)->one->n = 1;
  assert_false (oci_json_equal (&doc_type, d, again));
  oci_json_free (&doc_type, again);
  oci_json_free (&doc_type, d);
}

static void
test_errors (void **state)
{
  parse_fails ("{\"kind\":\"c\"}", "t.json: kind: unknown kind \"c\"");
  parse_fails ("{\"items\":[{\"name\":\"a\"},{\"n\":1}]}",
               "t.json: items[1].name: required field is missing");
  parse_fails ("{\"items\":[{\"name\":\"a\",\"n\":1.5}]}", "items[0].n: expected an integer, got 1.5");
  parse_fails ("{\"small\":65536}", "small: integer 65536 out of range");
  parse_fails ("{\"big\":-1}", "big: expected a non-negative integer");
  parse_fails ("{\"big\":18446744073709551616}", "big: integer 18446744073709551616 out of range");
  parse_fails ("{\"one\":{\"name\":\"a\",\"n\":99999999999999999999}}", "one.n: integer");
  parse_fails ("{\"flag\":\"yes\"}", "flag: expected a boolean, got a string");
  parse_fails ("{\"list\":[\"a\",3]}", "list[1]: expected a string, got a number");
  parse_fails ("{\"labels\":{\"a\":1}}", "labels[\"a\"]: expected a string");
  parse_fails ("{\"kind\":\"a\",\"kind\":\"b\"}", "duplicate key \"kind\"");
  parse_fails ("{\"labels\":{\"a\":\"1\",\"a\":\"2\"}}", "labels: duplicate key \"a\"");
  parse_fails ("{\"kind\":\"a\"", "t.json: invalid JSON");
  parse_fails ("", "t.json: invalid JSON");
  parse_fails ("[]", "t.json: expected an object, got an array");
  parse_fails ("{\"list\":[\"a\\u0000b\"]}", "\\u0000");
  {
    static const char nul[] = "{\"kind\":\"a\0\"}";
    cleanup_error oci_error_t *err = NULL;
    void *out = NULL;
    assert_true (oci_json_parse (&doc_type, nul, sizeof nul - 1, "t.json", &out, &err) < 0);
    assert_error_contains (err, "NUL byte at offset 10");
  }
}

static void
test_deep_nesting (void **state)
{
  size_t depth = 100000;
  char *json = xmalloc (depth * 2 + 1);
  cleanup_error oci_error_t *err = NULL;
  void *out = NULL;

  memset (json, '[', depth);
  memset (json + depth, ']', depth);
  json[depth * 2] = '\0';
  assert_true (oci_json_parse (&doc_type, json, depth * 2, "deep.json", &out, &err) < 0);
  assert_error_contains (err, "nesting deeper than");
  free (json);
}

static void
test_map (void **state)
{
  struct oci_map m = { 0 };

  oci_map_set (&m, "b", "1");
  oci_map_set (&m, "a", "2");
  oci_map_set (&m, "c", "3");
  oci_map_set (&m, "b", "4");
  assert_int_equal (m.len, 3);
  assert_string_equal (m.keys[0], "a");
  assert_string_equal (oci_map_get (&m, "b"), "4");
  assert_true (oci_map_remove (&m, "a"));
  assert_false (oci_map_remove (&m, "a"));
  assert_null (oci_map_get (&m, "a"));
  oci_map_clear (&m);
  assert_null (m.keys);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_roundtrip),
    cmocka_unit_test (test_errors),
    cmocka_unit_test (test_deep_nesting),
    cmocka_unit_test (test_map),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
