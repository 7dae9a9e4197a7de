/* image-spec v1.1 and Docker schema2 types: parsing real-looking documents,
   canonical round trips, validation errors with their JSON paths, manifest
   kind sniffing and platform selection.  */
#include "config.h"
#include "unit.h"
#include "fileutil.h"
#include "image_spec.h"

#define FIXTURE(name) FIXTURES_DIR "/image/" name

#define SHA_A     "sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4"
#define SHA_B     "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
#define SHA_HEX_5 "5555555555555555555555555555555555555555555555555555555555555555"
#define SHA_HEX_6 "6666666666666666666666666666666666666666666666666666666666666666"

struct doc_case
{
  const char *file;
  const struct oci_json_type *type;
};

static const struct doc_case fixtures[] = {
  { "busybox-list.json", &docker_manifest_list_type }, { "docker-manifest.json", &docker_manifest_type },
  { "ghcr-index.json", &oci_image_index_type },        { "oci-manifest.json", &oci_image_manifest_type },
  { "image-config.json", &oci_image_config_type },     { "oci-layout", &oci_image_layout_type },
};

static char *
read_fixture (const char *file, size_t *len)
{
  cleanup_error oci_error_t *err = NULL;
  cleanup_free char *path = NULL;
  char *data = NULL;

  xasprintf (&path, "%s/image/%s", FIXTURES_DIR, file);
  assert_int_equal (read_file_max (path, 1 << 20, &data, len, &err), 0);
  assert_no_error (err);
  return data;
}

static void
test_docker_list (void **state)
{
  cleanup_error oci_error_t *err = NULL;
  cleanup_docker_manifest_list struct docker_manifest_list *l = NULL;

  assert_int_equal (docker_manifest_list_parse_file (FIXTURE ("busybox-list.json"), &l, &err), 0);
  assert_no_error (err);
  assert_int_equal (l->schema_version, 2);
  assert_string_equal (l->media_type, DOCKER_MEDIA_TYPE_MANIFEST_LIST);
  assert_int_equal (l->manifests_len, 10);
  assert_string_equal (l->manifests[0].media_type, DOCKER_MEDIA_TYPE_MANIFEST);
  assert_int_equal (l->manifests[0].size, 528);
  assert_string_equal (l->manifests[0].platform->architecture, "amd64");
  assert_null (l->manifests[0].platform->variant);
  assert_string_equal (l->manifests[4].platform->variant, "v8");
}

static void
test_docker_manifest (void **state)
{
  cleanup_error oci_error_t *err = NULL;
  cleanup_docker_manifest struct docker_manifest *m = NULL;

  assert_int_equal (docker_manifest_parse_file (FIXTURE ("docker-manifest.json"), &m, &err), 0);
  assert_no_error (err);
  assert_string_equal (m->config->media_type, DOCKER_MEDIA_TYPE_CONFIG);
  assert_int_equal (m->config->size, 1457);
  assert_int_equal (m->layers_len, 1);
  assert_int_equal (m->layers[0].size, 2591575);
  assert_int_equal (oci_layer_media_type_compression (m->layers[0].media_type), OCI_LAYER_GZIP);
}

static void
test_oci_index (void **state)
{
  cleanup_error oci_error_t *err = NULL;
  cleanup_oci_image_index struct oci_image_index *x = NULL;

  assert_int_equal (oci_image_index_parse_file (FIXTURE ("ghcr-index.json"), &x, &err), 0);
  assert_no_error (err);
  assert_int_equal (x->manifests_len, 5);
  assert_string_equal (x->manifests[2].platform->os, "windows");
  assert_string_equal (x->manifests[2].platform->os_version, "10.0.20348.2227");
  assert_string_equal (x->manifests[2].platform->os_features[0], "win32k");
  assert_string_equal (oci_map_get (&x->manifests[3].annotations, "vnd.docker.reference.type"),
                       "attestation-manifest");
  assert_string_equal (oci_map_get (&x->annotations, OCI_ANNOTATION_SOURCE),
                       "https://github.com/example/app");
  assert_null (x->subject);
}

static void
test_oci_manifest (void **state)
{
  cleanup_error oci_error_t *err = NULL;
  cleanup_oci_image_manifest struct oci_image_manifest *m = NULL;

  assert_int_equal (oci_image_manifest_parse_file (FIXTURE ("oci-manifest.json"), &m, &err), 0);
  assert_no_error (err);
  assert_string_equal (m->artifact_type, "application/spdx+json");
  assert_string_equal (m->config->media_type, OCI_MEDIA_TYPE_EMPTY);
  assert_string_equal (m->config->data, "e30=");
  assert_int_equal (m->layers_len, 2);
  assert_string_equal (oci_map_get (&m->layers[0].annotations, OCI_ANNOTATION_TITLE), "sbom.spdx.json");
  assert_string_equal (m->layers[1].urls[0], "https://mirror.example.com/blobs/x");
  assert_int_equal (oci_layer_media_type_compression (m->layers[1].media_type), OCI_LAYER_ZSTD);
  assert_non_null (m->subject);
  assert_int_equal (m->subject->size, 1610);
  assert_string_equal (oci_map_get (&m->annotations, "org.example.sbom.format"), "spdx-2.3");
}

static void
test_image_config (void **state)
{
  cleanup_error oci_error_t *err = NULL;
  cleanup_oci_image_config struct oci_image_config *c = NULL;
  const struct oci_image_exec_config *x;

  assert_int_equal (oci_image_config_parse_file (FIXTURE ("image-config.json"), &c, &err), 0);
  assert_no_error (err);
  assert_string_equal (c->architecture, "amd64");
  assert_string_equal (c->os, "linux");
  x = c->config;
  assert_string_equal (x->user, "app");
  assert_int_equal (strv_len (x->exposed_ports), 2);
  assert_string_equal (x->exposed_ports[0], "8080/tcp");
  assert_string_equal (x->exposed_ports[1], "9090/udp");
  assert_string_equal (x->volumes[0], "/data");
  assert_null (x->volumes[1]);
  assert_string_equal (x->entrypoint[0], "/usr/local/bin/app");
  assert_string_equal (x->cmd[1], "8080");
  assert_null (x->on_build); /* "OnBuild": null is absent */
  assert_true (x->args_escaped_present && x->args_escaped);
  assert_false (x->memory_present);
  assert_string_equal (x->healthcheck->test[0], "CMD-SHELL");
  assert_true (x->healthcheck->interval == 30000000000LL);
  assert_true (x->healthcheck->start_interval == 2000000000LL);
  assert_int_equal (x->healthcheck->retries, 3);
  assert_string_equal (x->shell[1], "-c");
  assert_string_equal (oci_map_get (&x->labels, "maintainer"), "ops@example.com");
  assert_string_equal (c->rootfs->type, "layers");
  assert_int_equal (strv_len (c->rootfs->diff_ids), 2);
  assert_int_equal (c->history_len, 4);
  assert_true (c->history[1].empty_layer);
  assert_false (c->history[0].empty_layer_present);
  assert_string_equal (c->history[2].comment, "buildkit.dockerfile.v0");
}

static void
test_layout (void **state)
{
  cleanup_error oci_error_t *err = NULL;
  struct oci_image_layout *l = NULL;
  cleanup_free char *out = NULL;

  assert_int_equal (oci_image_layout_parse_file (FIXTURE ("oci-layout"), &l, &err), 0);
  assert_string_equal (l->image_layout_version, "1.0.0");
  assert_int_equal (oci_image_layout_emit (l, false, &out, NULL, &err), 0);
  assert_string_equal (out, "{\"imageLayoutVersion\":\"1.0.0\"}");
  oci_image_layout_freep (&l);
  assert_null (l);
}

/* parse(emit(x)) == x, emit is byte-stable, pretty output parses back to
   the same thing, and dup copies.  */
static void
test_roundtrip (void **state)
{
  for (size_t i = 0; i < ARRAY_SIZE (fixtures); i++)
    {
      const struct oci_json_type *t = fixtures[i].type;
      cleanup_error oci_error_t *err = NULL;
      cleanup_free char *data = NULL, *out1 = NULL, *out2 = NULL, *pretty = NULL;
      void *a = NULL, *b = NULL, *c = NULL, *d = NULL;
      size_t len, len1, len2, plen;

      data = read_fixture (fixtures[i].file, &len);
      assert_int_equal (oci_json_parse (t, data, len, fixtures[i].file, &a, &err), 0);
      assert_int_equal (oci_json_emit (t, a, false, &out1, &len1, &err), 0);
      assert_int_equal (oci_json_parse (t, out1, len1, "emitted", &b, &err), 0);
      assert_no_error (err);
      if (!oci_json_equal (t, a, b))
        fail_msg ("%s: parse(emit(x)) differs", fixtures[i].file);
      assert_int_equal (oci_json_emit (t, b, false, &out2, &len2, &err), 0);
      assert_int_equal (len1, len2);
      assert_memory_equal (out1, out2, len1);
      assert_int_equal (oci_json_emit (t, a, true, &pretty, &plen, &err), 0);
      assert_int_equal (oci_json_parse (t, pretty, plen, "pretty", &c, &err), 0);
      assert_true (oci_json_equal (t, a, c));
      assert_int_equal (oci_json_dup (t, a, &d, &err), 0);
      assert_true (oci_json_equal (t, a, d));
      oci_json_free (t, a);
      oci_json_free (t, b);
      oci_json_free (t, c);
      oci_json_free (t, d);
    }
}

/* The canonical form is what we promise for digests: check one exactly.  */
static void
test_canonical_docker_manifest (void **state)
{
  cleanup_error oci_error_t *err = NULL;
  cleanup_docker_manifest struct docker_manifest *m = NULL;
  cleanup_free char *out = NULL;

  assert_int_equal (docker_manifest_parse_file (FIXTURE ("docker-manifest.json"), &m, &err), 0);
  assert_int_equal (docker_manifest_emit (m, false, &out, NULL, &err), 0);
  assert_string_equal (
      out, "{\"schemaVersion\":2,\"mediaType\":\"" DOCKER_MEDIA_TYPE_MANIFEST "\","
           "\"config\":{\"mediaType\":\"" DOCKER_MEDIA_TYPE_CONFIG "\",\"size\":1457,"
           "\"digest\":\"sha256:75b28b301258c561f22899ba499b40ea5bf69a1afd583c77bb4315626a09dc9a\"},"
           "\"layers\":[{\"mediaType\":\"" DOCKER_MEDIA_TYPE_LAYER_GZIP "\",\"size\":2591575,"
           "\"digest\":\"sha256:6445239817336dd6cd2d1cb2dc89ff94c39f96c59a7da2fcf89f2d26bf5cb3f0\"}]}");
}

/* Every strict prefix of a fixture is invalid JSON.  */
static void
test_truncated (void **state)
{
  for (size_t i = 0; i < ARRAY_SIZE (fixtures); i++)
    {
      cleanup_free char *data = NULL;
      size_t len;

      data = read_fixture (fixtures[i].file, &len);
      while (len && strchr (" \n\t", data[len - 1]))
        len--;
      for (size_t n = 0; n < len; n++)
        {
          cleanup_error oci_error_t *err = NULL;
          void *obj = NULL;
          if (oci_json_parse (fixtures[i].type, data, n, "cut.json", &obj, &err) == 0)
            fail_msg ("%s truncated to %zu bytes parsed", fixtures[i].file, n);
          assert_null (obj);
          assert_error_contains (err, "cut.json: invalid JSON");
        }
    }
}

static void
expect_error (const struct oci_json_type *type, const char *json, const char *msg)
{
  cleanup_error oci_error_t *err = NULL;
  void *obj = NULL;

  if (oci_json_parse (type, json, strlen (json), "manifest.json", &obj, &err) == 0)
    fail_msg ("parsed but expected \"%s\": %s", msg, json);
  assert_null (obj);
  assert_error_contains (err, msg);
}

#define DESC(digest, size)                                                                                   \
  "{\"mediaType\":\"" OCI_MEDIA_TYPE_IMAGE_LAYER_GZIP "\",\"digest\":\"" digest "\",\"size\":" size "}"
#define CONFIG_DESC "{\"mediaType\":\"" OCI_MEDIA_TYPE_IMAGE_CONFIG "\",\"digest\":\"" SHA_A "\",\"size\":7}"
#define MANIFEST(extra, layers)                                                                              \
  "{\"schemaVersion\":2" extra ",\"config\":" CONFIG_DESC ",\"layers\":[" layers "]}"

static void
test_manifest_errors (void **state)
{
  const struct oci_json_type *t = &oci_image_manifest_type;

  expect_error (t, MANIFEST ("", DESC (SHA_A, "1") "," DESC ("sha256:xyz", "2")),
                "manifest.json: layers[1].digest: invalid digest \"sha256:xyz\"");
  expect_error (
      t, MANIFEST ("", DESC ("sha256:A3ED95CAEB02FFE68CDD9FD84406680AE93D633CB16422D00E8A7C22955B46D4", "1")),
      "manifest.json: layers[0].digest: invalid digest");
  expect_error (t, MANIFEST ("", DESC ("sha512:abcd", "1")),
                "layers[0].digest: invalid digest \"sha512:abcd\"");
  expect_error (t,
                MANIFEST ("", DESC ("a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4", "1")),
                "layers[0].digest: invalid digest");
  expect_error (t, MANIFEST ("", DESC (SHA_A, "-1")),
                "manifest.json: layers[0].size: must not be negative, got -1");
  expect_error (t, MANIFEST ("", DESC (SHA_A, "1.5")), "layers[0].size: expected an integer, got 1.5");
  expect_error (t, MANIFEST ("", "{\"mediaType\":\"a/b\",\"size\":1}"),
                "manifest.json: layers[0].digest: required field is missing");
  expect_error (t, MANIFEST ("", "{\"digest\":\"" SHA_A "\",\"size\":1}"),
                "layers[0].mediaType: required field");
  expect_error (t, MANIFEST ("", "{\"mediaType\":\"a/b\",\"digest\":\"" SHA_A "\"}"),
                "layers[0].size: required field is missing");
  expect_error (t, MANIFEST ("", "{\"mediaType\":\"not a type\",\"digest\":\"" SHA_A "\",\"size\":1}"),
                "layers[0].mediaType: invalid media type \"not a type\"");
  expect_error (t, "{\"schemaVersion\":1,\"config\":" CONFIG_DESC ",\"layers\":[]}",
                "manifest.json: schemaVersion: must be 2, got 1");
  expect_error (t, "{\"config\":" CONFIG_DESC ",\"layers\":[]}",
                "manifest.json: schemaVersion: required field is missing");
  expect_error (t, "{\"schemaVersion\":2,\"layers\":[]}", "manifest.json: config: required field is missing");
  expect_error (t, "{\"schemaVersion\":2,\"config\":" CONFIG_DESC "}",
                "manifest.json: layers: required field is missing");
  expect_error (t, MANIFEST (",\"mediaType\":\"" OCI_MEDIA_TYPE_IMAGE_INDEX "\"", ""),
                "mediaType: expected \"" OCI_MEDIA_TYPE_IMAGE_MANIFEST "\", got \"" OCI_MEDIA_TYPE_IMAGE_INDEX
                "\"");
  expect_error (t, MANIFEST (",\"subject\":" DESC ("sha256:1", "3"), ""),
                "subject.digest: invalid digest \"sha256:1\"");
  expect_error (t, MANIFEST (",\"artifactType\":\"x\"", ""), "artifactType: invalid media type \"x\"");
  expect_error (t,
                "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"" OCI_MEDIA_TYPE_EMPTY
                "\",\"digest\":\"" SHA_B "\",\"size\":2},\"layers\":[]}",
                "manifest.json: artifactType: required when config.mediaType is");
  expect_error (
      t,
      "{\"schemaVersion\":2,\"artifactType\":\"a/b\",\"config\":{\"mediaType\":\"" OCI_MEDIA_TYPE_EMPTY
      "\",\"digest\":\"" SHA_B "\",\"size\":2,\"data\":\"e30\"},\"layers\":[]}",
      "config.data: invalid base64");
  expect_error (
      t,
      "{\"schemaVersion\":2,\"artifactType\":\"a/b\",\"config\":{\"mediaType\":\"" OCI_MEDIA_TYPE_EMPTY
      "\",\"digest\":\"" SHA_B "\",\"size\":3,\"data\":\"e30=\"},\"layers\":[]}",
      "config.data: decodes to 2 bytes but size is 3");
  expect_error (t, MANIFEST (",\"annotations\":{\"a\":1}", ""),
                "annotations[\"a\"]: expected a string, got a number");
  expect_error (t, MANIFEST ("", DESC (SHA_A, "\"12\"")),
                "layers[0].size: expected an integer, got a string");
  expect_error (t, "{\"schemaVersion\":2,\"config\":[],\"layers\":[]}",
                "config: expected an object, got an array");
  expect_error (t, "{\"schemaVersion\":\"2\",\"config\":" CONFIG_DESC ",\"layers\":[]}",
                "schemaVersion: expected an integer, got a string");
  expect_error (t, MANIFEST ("", "\"" SHA_A "\""), "layers[0]: expected an object, got a string");
  expect_error (t, "[" MANIFEST ("", "") "]", "manifest.json: expected an object, got an array");
}

static void
test_index_errors (void **state)
{
  const struct oci_json_type *t = &oci_image_index_type;

  expect_error (t, "{\"schemaVersion\":2}", "manifest.json: manifests: required field is missing");
  expect_error (t, "{\"schemaVersion\":3,\"manifests\":[]}", "schemaVersion: must be 2, got 3");
  expect_error (t,
                "{\"schemaVersion\":2,\"manifests\":[" DESC (
                    SHA_A, "1") ",{\"mediaType\":\"a/b\",\"digest\":\"" SHA_A
                                "\",\"size\":1,\"platform\":{\"architecture\":\"amd64\"}}]}",
                "manifest.json: manifests[1].platform.os: required field is missing");
  expect_error (t,
                "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"a/b\",\"digest\":\"" SHA_A
                "\",\"size\":1,\"platform\":{\"architecture\":\"\",\"os\":\"linux\"}}]}",
                "manifests[0].platform.architecture: must not be empty");
  expect_error (
      t, "{\"schemaVersion\":2,\"mediaType\":\"" DOCKER_MEDIA_TYPE_MANIFEST_LIST "\",\"manifests\":[]}",
      "mediaType: expected \"" OCI_MEDIA_TYPE_IMAGE_INDEX "\"");
  expect_error (t, "{\"schemaVersion\":2,\"manifests\":{}}", "manifests: expected an array, got an object");
  expect_error (t, "{\"schemaVersion\":2,\"manifests\":[" DESC ("sha256:" SHA_A, "1") "]}",
                "manifests[0].digest: invalid digest");
}

static void
test_config_errors (void **state)
{
  const struct oci_json_type *t = &oci_image_config_type;
#define ROOTFS ",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" SHA_A "\"]}"

  expect_error (t, "{\"os\":\"linux\"" ROOTFS "}", "manifest.json: architecture: required field is missing");
  expect_error (t, "{\"architecture\":\"amd64\"" ROOTFS "}", "manifest.json: os: required field is missing");
  expect_error (t, "{\"architecture\":\"amd64\",\"os\":\"linux\"}",
                "manifest.json: rootfs: required field is missing");
  expect_error (t, "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\"}}",
                "rootfs.diff_ids: required field is missing");
  expect_error (t, "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"diff_ids\":[]}}",
                "rootfs.type: required field is missing");
  expect_error (t,
                "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"tar\",\"diff_ids\":[]}}",
                "manifest.json: rootfs.type: unknown rootfs type \"tar\"");
  expect_error (
      t,
      "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" SHA_A
      "\",\"sha256:nope\"]}}",
      "manifest.json: rootfs.diff_ids[1]: invalid digest \"sha256:nope\"");
  expect_error (t,
                "{\"architecture\":\"amd64\",\"os\":\"linux\"" ROOTFS
                ",\"config\":{\"Healthcheck\":{\"Interval\":-5}}}",
                "manifest.json: config.Healthcheck.Interval: must not be negative, got -5");
  expect_error (t,
                "{\"architecture\":\"amd64\",\"os\":\"linux\"" ROOTFS
                ",\"config\":{\"Healthcheck\":{\"Retries\":-1}}}",
                "config.Healthcheck.Retries: must not be negative");
  expect_error (
      t, "{\"architecture\":\"amd64\",\"os\":\"linux\"" ROOTFS ",\"config\":{\"ExposedPorts\":[\"80/tcp\"]}}",
      "config.ExposedPorts: expected an object, got an array");
  expect_error (t, "{\"architecture\":\"amd64\",\"os\":\"linux\"" ROOTFS ",\"config\":{\"Env\":\"A=1\"}}",
                "config.Env: expected an array of strings, got a string");
  expect_error (t,
                "{\"architecture\":\"amd64\",\"os\":\"linux\"" ROOTFS ",\"history\":[{\"empty_layer\":1}]}",
                "history[0].empty_layer: expected a boolean, got a number");
#undef ROOTFS
}

static void
test_layout_and_docker_errors (void **state)
{
  expect_error (&oci_image_layout_type, "{\"imageLayoutVersion\":\"2.0.0\"}",
                "manifest.json: imageLayoutVersion: unknown image layout version \"2.0.0\"");
  expect_error (&oci_image_layout_type, "{}", "imageLayoutVersion: required field is missing");

  expect_error (&docker_manifest_type,
                "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a/b\",\"size\":1,\"digest\":\"" SHA_A
                "\"},\"layers\":[]}",
                "manifest.json: mediaType: required field is missing");
  expect_error (&docker_manifest_type,
                "{\"schemaVersion\":2,\"mediaType\":\"" DOCKER_MEDIA_TYPE_MANIFEST
                "\",\"config\":{\"mediaType\":\"a/b\",\"size\":1,\"digest\":\"" SHA_A
                "\"},\"layers\":[{\"mediaType\":\"a/b\",\"size\":-2,\"digest\":\"" SHA_A "\"}]}",
                "manifest.json: layers[0].size: must not be negative, got -2");
  expect_error (&docker_manifest_type,
                "{\"schemaVersion\":2,\"mediaType\":\"" OCI_MEDIA_TYPE_IMAGE_MANIFEST
                "\",\"config\":{\"mediaType\":\"a/b\",\"size\":1,\"digest\":\"" SHA_A "\"},\"layers\":[]}",
                "mediaType: expected \"" DOCKER_MEDIA_TYPE_MANIFEST "\"");
  expect_error (
      &docker_manifest_list_type,
      "{\"schemaVersion\":2,\"mediaType\":\"" DOCKER_MEDIA_TYPE_MANIFEST_LIST
      "\",\"manifests\":[{\"mediaType\":\"a/b\",\"size\":1,\"digest\":\"" SHA_A
      "\",\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}},{\"mediaType\":\"a/b\",\"size\":1,"
      "\"digest\":\"" SHA_A "\"}]}",
      "manifest.json: manifests[1].platform: required field is missing");
  expect_error (&docker_manifest_list_type,
                "{\"schemaVersion\":2,\"mediaType\":\"" DOCKER_MEDIA_TYPE_MANIFEST_LIST
                "\",\"manifests\":[{\"mediaType\":\"a/b\",\"size\":1,\"digest\":\"md5:\"}]}",
                "manifests[0].digest: invalid digest \"md5:\"");
  expect_error (&docker_manifest_list_type,
                "{\"schemaVersion\":1,\"mediaType\":\"" DOCKER_MEDIA_TYPE_MANIFEST_LIST
                "\",\"manifests\":[]}",
                "schemaVersion: must be 2, got 1");
}

static void
test_digest_valid (void **state)
{
  assert_true (oci_digest_string_valid (SHA_A));
  assert_true (oci_digest_string_valid ("sha512:"
                                        "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
                                        "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"));
  assert_true (oci_digest_string_valid ("multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8"));
  assert_true (oci_digest_string_valid ("sha256+b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564"));
  assert_true (oci_digest_string_valid ("blake3:abc=_-"));
  assert_false (oci_digest_string_valid (NULL));
  assert_false (oci_digest_string_valid (""));
  assert_false (oci_digest_string_valid ("sha256"));
  assert_false (oci_digest_string_valid ("sha256:"));
  assert_false (oci_digest_string_valid (":abc"));
  assert_false (oci_digest_string_valid ("SHA256:abc"));
  assert_false (oci_digest_string_valid ("sha256:xyz"));
  assert_false (oci_digest_string_valid (SHA_A "0"));
  assert_false (
      oci_digest_string_valid ("sha256:A3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4"));
  assert_false (oci_digest_string_valid ("sha512:"
                                         "a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4"));
  assert_false (oci_digest_string_valid ("sha256+:abc"));
  assert_false (oci_digest_string_valid ("+sha256:abc"));
  assert_false (oci_digest_string_valid ("sha..256:abc"));
  assert_false (oci_digest_string_valid ("foo:a/b"));
  assert_false (oci_digest_string_valid ("foo:a:b"));
  assert_false (oci_digest_string_valid ("foo:ab\xc3\xa9"));
}

static void
test_media_types (void **state)
{
  assert_int_equal (oci_layer_media_type_compression (OCI_MEDIA_TYPE_IMAGE_LAYER), OCI_LAYER_UNCOMPRESSED);
  assert_int_equal (oci_layer_media_type_compression (OCI_MEDIA_TYPE_IMAGE_LAYER_NONDISTRIBUTABLE_GZIP),
                    OCI_LAYER_GZIP);
  assert_int_equal (oci_layer_media_type_compression (DOCKER_MEDIA_TYPE_FOREIGN_LAYER_GZIP), OCI_LAYER_GZIP);
  assert_int_equal (oci_layer_media_type_compression (OCI_MEDIA_TYPE_IMAGE_CONFIG), OCI_LAYER_NOT_A_LAYER);
  assert_int_equal (oci_layer_media_type_compression (NULL), OCI_LAYER_NOT_A_LAYER);

  assert_int_equal (oci_manifest_kind_from_media_type (OCI_MEDIA_TYPE_IMAGE_INDEX),
                    OCI_MANIFEST_KIND_OCI_INDEX);
  assert_int_equal (oci_manifest_kind_from_media_type (
                        " Application/VND.docker.distribution.manifest.v2+json ; charset=utf-8"),
                    OCI_MANIFEST_KIND_DOCKER_MANIFEST);
  assert_int_equal (oci_manifest_kind_from_media_type (DOCKER_MEDIA_TYPE_MANIFEST_V1),
                    OCI_MANIFEST_KIND_DOCKER_V1);
  assert_int_equal (oci_manifest_kind_from_media_type (OCI_MEDIA_TYPE_IMAGE_MANIFEST "x"),
                    OCI_MANIFEST_KIND_UNKNOWN);
  assert_int_equal (oci_manifest_kind_from_media_type ("application/json"), OCI_MANIFEST_KIND_UNKNOWN);
  assert_int_equal (oci_manifest_kind_from_media_type (NULL), OCI_MANIFEST_KIND_UNKNOWN);
  for (int k = OCI_MANIFEST_KIND_OCI_MANIFEST; k <= OCI_MANIFEST_KIND_DOCKER_V1; k++)
    assert_int_equal (oci_manifest_kind_from_media_type (oci_manifest_kind_media_type (k)), k);
  assert_null (oci_manifest_kind_media_type (OCI_MANIFEST_KIND_UNKNOWN));
}

static enum oci_manifest_kind
sniff (const char *json, const char *content_type)
{
  return oci_manifest_sniff (json, json ? strlen (json) : 0, content_type);
}

static void
test_sniff (void **state)
{
  static const struct
  {
    const char *file;
    enum oci_manifest_kind kind;
  } cases[] = {
    { "busybox-list.json", OCI_MANIFEST_KIND_DOCKER_LIST },
    { "docker-manifest.json", OCI_MANIFEST_KIND_DOCKER_MANIFEST },
    { "ghcr-index.json", OCI_MANIFEST_KIND_OCI_INDEX },
    { "oci-manifest.json", OCI_MANIFEST_KIND_OCI_MANIFEST },
  };

  for (size_t i = 0; i < ARRAY_SIZE (cases); i++)
    {
      cleanup_free char *data = NULL;
      size_t len;
      data = read_fixture (cases[i].file, &len);
      /* The body's own mediaType wins over a generic or wrong header.  */
      assert_int_equal (oci_manifest_sniff (data, len, NULL), cases[i].kind);
      assert_int_equal (oci_manifest_sniff (data, len, "application/json"), cases[i].kind);
      assert_int_equal (oci_manifest_sniff (data, len, OCI_MEDIA_TYPE_IMAGE_CONFIG), cases[i].kind);
    }
  /* No mediaType in the body: the Content-Type decides, then the shape.  */
  assert_int_equal (sniff ("{\"schemaVersion\":2,\"manifests\":[]}", DOCKER_MEDIA_TYPE_MANIFEST_LIST),
                    OCI_MANIFEST_KIND_DOCKER_LIST);
  assert_int_equal (sniff ("{\"schemaVersion\":2,\"manifests\":[]}", NULL), OCI_MANIFEST_KIND_OCI_INDEX);
  assert_int_equal (sniff ("{\"schemaVersion\":2,\"config\":{},\"layers\":[]}", "text/plain"),
                    OCI_MANIFEST_KIND_OCI_MANIFEST);
  assert_int_equal (sniff ("{\"schemaVersion\":1,\"name\":\"x\",\"fsLayers\":[]}", NULL),
                    OCI_MANIFEST_KIND_DOCKER_V1);
  assert_int_equal (sniff ("{\"mediaType\":\"application/x-unknown\",\"layers\":[]}", NULL),
                    OCI_MANIFEST_KIND_UNKNOWN);
  assert_int_equal (sniff ("not json", OCI_MEDIA_TYPE_IMAGE_INDEX), OCI_MANIFEST_KIND_OCI_INDEX);
  assert_int_equal (sniff ("not json", NULL), OCI_MANIFEST_KIND_UNKNOWN);
  assert_int_equal (sniff (NULL, DOCKER_MEDIA_TYPE_MANIFEST), OCI_MANIFEST_KIND_DOCKER_MANIFEST);
  assert_int_equal (sniff ("{}", NULL), OCI_MANIFEST_KIND_UNKNOWN);
}

static const char *
list_select (const struct docker_manifest_list *l, const char *os, const char *arch, const char *variant)
{
  cleanup_error oci_error_t *err = NULL;
  const struct docker_descriptor *d = NULL;

  assert_int_equal (docker_manifest_list_select (l, os, arch, variant, &d, &err), 0);
  assert_no_error (err);
  return d->digest;
}

static void
test_select_docker_list (void **state)
{
  cleanup_error oci_error_t *err = NULL;
  cleanup_docker_manifest_list struct docker_manifest_list *l = NULL;
  const struct docker_descriptor *d = (void *) 1;

  assert_int_equal (docker_manifest_list_parse_file (FIXTURE ("busybox-list.json"), &l, &err), 0);
  assert_ptr_equal (list_select (l, "linux", "amd64", NULL), l->manifests[0].digest);
  assert_ptr_equal (list_select (l, "linux", "x86_64", NULL), l->manifests[0].digest);
  assert_ptr_equal (list_select (l, "linux", "amd64", "v1"), l->manifests[0].digest);
  /* arm64 means arm64/v8.  */
  assert_ptr_equal (list_select (l, "linux", "arm64", NULL), l->manifests[4].digest);
  assert_ptr_equal (list_select (l, "linux", "aarch64", "v8"), l->manifests[4].digest);
  /* arm means arm/v7.  */
  assert_ptr_equal (list_select (l, "linux", "arm", NULL), l->manifests[3].digest);
  assert_ptr_equal (list_select (l, "linux", "arm", "v6"), l->manifests[2].digest);
  assert_ptr_equal (list_select (l, "linux", "arm", "5"), l->manifests[1].digest);
  assert_ptr_equal (list_select (l, "linux", "386", NULL), l->manifests[5].digest);
  assert_ptr_equal (list_select (l, "linux", "s390x", NULL), l->manifests[9].digest);

  assert_int_equal (docker_manifest_list_select (l, "linux", "sparc64", NULL, &d, &err), -1);
  assert_null (d);
  assert_error_contains (err, "no manifest for platform linux/sparc64; available: linux/amd64, linux/arm/v5");
  assert_error_contains (err, "linux/s390x");
  oci_error_free (&err);
  assert_int_equal (docker_manifest_list_select (l, "windows", "amd64", NULL, &d, &err), -1);
  assert_error_contains (err, "no manifest for platform windows/amd64");
  oci_error_free (&err);
  assert_int_equal (docker_manifest_list_select (l, "linux", "amd64", "v3", &d, &err), -1);
  assert_error_contains (err, "no manifest for platform linux/amd64/v3");
}

/* An armv7 host runs armv6 and armv5 images when there is no v7 entry,
   preferring the closest; never the other way round.  */
static void
test_select_arm_fallback (void **state)
{
  static const char json[]
      = "{\"schemaVersion\":2,\"mediaType\":\"" DOCKER_MEDIA_TYPE_MANIFEST_LIST "\",\"manifests\":["
        "{\"mediaType\":\"a/b\",\"size\":1,\"digest\":\"sha256:" SHA_HEX_5 "\","
        "\"platform\":{\"architecture\":\"arm\",\"os\":\"linux\",\"variant\":\"v5\"}},"
        "{\"mediaType\":\"a/b\",\"size\":1,\"digest\":\"sha256:" SHA_HEX_6 "\","
        "\"platform\":{\"architecture\":\"arm\",\"os\":\"linux\",\"variant\":\"v6\"}}]}";
  cleanup_error oci_error_t *err = NULL;
  cleanup_docker_manifest_list struct docker_manifest_list *l = NULL;
  const struct docker_descriptor *d = NULL;

  assert_int_equal (docker_manifest_list_parse (json, strlen (json), "list.json", &l, &err), 0);
  assert_no_error (err);
  assert_ptr_equal (list_select (l, "linux", "arm", NULL), l->manifests[1].digest);
  assert_ptr_equal (list_select (l, "linux", "arm", "v8"), l->manifests[1].digest);
  assert_ptr_equal (list_select (l, "linux", "arm", "v6"), l->manifests[1].digest);
  assert_ptr_equal (list_select (l, "linux", "arm", "v5"), l->manifests[0].digest);
  free (l->manifests[1].platform->variant);
  l->manifests[1].platform->variant = xstrdup ("v9");
  assert_ptr_equal (list_select (l, "linux", "arm", "v7"), l->manifests[0].digest);
  assert_int_equal (docker_manifest_list_select (l, "linux", "arm64", NULL, &d, &err), -1);
  assert_error_contains (err, "no manifest for platform linux/arm64; available: linux/arm/v5, linux/arm/v9");
}

static void
test_select_index (void **state)
{
  cleanup_error oci_error_t *err = NULL;
  cleanup_oci_image_index struct oci_image_index *x = NULL;
  const struct oci_image_descriptor *d = NULL;

  assert_int_equal (oci_image_index_parse_file (FIXTURE ("ghcr-index.json"), &x, &err), 0);
  assert_int_equal (oci_image_index_select (x, "linux", "amd64", NULL, &d, &err), 0);
  assert_ptr_equal (d, &x->manifests[0]);
  assert_int_equal (oci_image_index_select (x, "linux", "arm64", NULL, &d, &err), 0);
  assert_ptr_equal (d, &x->manifests[1]);
  assert_int_equal (oci_image_index_select (x, "windows", "amd64", NULL, &d, &err), 0);
  assert_ptr_equal (d, &x->manifests[2]);
  /* No arm entry at all; attestations (unknown/unknown) never match.  */
  assert_int_equal (oci_image_index_select (x, "linux", "arm", "v7", &d, &err), -1);
  assert_null (d);
  assert_error_contains (err,
                         "no manifest for platform linux/arm/v7; available: linux/amd64, linux/arm64/v8, "
                         "windows/amd64, unknown/unknown, unknown/unknown");
  oci_error_free (&err);

  /* Entries without a platform are skipped; an index without any fails.  */
  {
    static const char json[] = "{\"schemaVersion\":2,\"manifests\":[" DESC (SHA_A, "1") "]}";
    cleanup_oci_image_index struct oci_image_index *bare = NULL;
    assert_int_equal (oci_image_index_parse (json, strlen (json), "bare.json", &bare, &err), 0);
    assert_int_equal (oci_image_index_select (bare, "linux", "amd64", NULL, &d, &err), -1);
    assert_error_contains (err, "no manifest for platform linux/amd64; available: none");
  }
}

static void
test_platform_matches (void **state)
{
  struct oci_image_platform p = { .architecture = "arm", .os = "linux" };

  assert_true (oci_platform_matches (&p, "linux", "arm", "v7"));
  assert_false (oci_platform_matches (&p, "linux", "arm", "v6"));
  assert_false (oci_platform_matches (&p, "windows", "arm", NULL));
  p.architecture = "arm64";
  p.variant = "v8";
  assert_true (oci_platform_matches (&p, "linux", "arm64", NULL));
  assert_true (oci_platform_matches (&p, "linux", "arm64", "8"));
  assert_false (oci_platform_matches (&p, "linux", "arm64", "v9"));
  p.architecture = "amd64";
  p.variant = NULL;
  assert_true (oci_platform_matches (&p, "linux", "amd64", ""));
  assert_false (oci_platform_matches (&p, "linux", "amd64", "v2"));
  assert_false (oci_platform_matches (NULL, "linux", "amd64", NULL));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_docker_list),
    cmocka_unit_test (test_docker_manifest),
    cmocka_unit_test (test_oci_index),
    cmocka_unit_test (test_oci_manifest),
    cmocka_unit_test (test_image_config),
    cmocka_unit_test (test_layout),
    cmocka_unit_test (test_roundtrip),
    cmocka_unit_test (test_canonical_docker_manifest),
    cmocka_unit_test (test_truncated),
    cmocka_unit_test (test_manifest_errors),
    cmocka_unit_test (test_index_errors),
    cmocka_unit_test (test_config_errors),
    cmocka_unit_test (test_layout_and_docker_errors),
    cmocka_unit_test (test_digest_valid),
    cmocka_unit_test (test_media_types),
    cmocka_unit_test (test_sniff),
    cmocka_unit_test (test_select_docker_list),
    cmocka_unit_test (test_select_arm_fallback),
    cmocka_unit_test (test_select_index),
    cmocka_unit_test (test_platform_matches),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
