#!/usr/bin/env bats
# berth pull / push / login / logout against real docker-registry
# instances (plain HTTP, htpasswd basic auth, TLS with a test CA, bearer
# tokens), with skopeo on the other side to prove interoperability.

load registry-helpers

setup_file() {
  require_registry_tools
  REG_ROOT=$(mktemp -d "${BATS_TMPDIR:-/tmp}/berth-registry.XXXXXX")
  export REG_ROOT
  registry_start plain plain
  registry_start basic basic
  registry_start tls tls
  registry_start token token
  export TOKEN_PORT
  make_oci_image "$REG_ROOT/busybox" 2
  export BUSYBOX_DIGEST=$IMAGE_MANIFEST_DIGEST
  skopeo_push "$REG_ROOT/busybox" "127.0.0.1:$REG_plain_PORT/test/busybox:1"
}

teardown_file() {
  registry_stop_all
}

setup() {
  common_setup
  BERTH_ROOT=$TEST_TMPDIR/store
  export DOCKER_CONFIG=$TEST_TMPDIR/docker XDG_RUNTIME_DIR=$TEST_TMPDIR/xdg BERTH_CONFIG_DIR=$TEST_TMPDIR/conf
  unset REGISTRY_AUTH_FILE
  mkdir -p "$BERTH_CONFIG_DIR" "$XDG_RUNTIME_DIR"
  printf 'insecure = ["127.0.0.1:%s", "localhost:%s", "127.0.0.1:%s", "127.0.0.1:%s"]\n' \
    "$REG_plain_PORT" "$REG_plain_PORT" "$REG_basic_PORT" "$REG_token_PORT" >"$BERTH_CONFIG_DIR/registries.conf"
  PLAIN=127.0.0.1:$REG_plain_PORT
}

teardown() {
  common_teardown
}

# The layer digests of a manifest in an OCI layout.
layout_layers() {
  local hex=${2#sha256:}
  jq -r '.layers[].digest' "$1/blobs/sha256/$hex"
}

@test "pull from a plain registry stores verified layers, lists the image, re-pull is up to date" {
  run berth pull "$PLAIN/test/busybox:1"
  [ "$status" -eq 0 ]
  output_has_line "^1: Pulling from $PLAIN/test/busybox$"
  output_has_line "^Digest: $BUSYBOX_DIGEST$"
  output_has_line "^Status: Downloaded newer image for $PLAIN/test/busybox:1$"
  [ "${lines[-1]}" = "$PLAIN/test/busybox:1" ]
  for d in $(layout_layers "$REG_ROOT/busybox" "$BUSYBOX_DIGEST"); do
    output_has_line "^${d:7:12}: Pull complete$"
    [ "$(sha256sum "$BERTH_ROOT/blobs/sha256/${d#sha256:}" | cut -d' ' -f1)" = "${d#sha256:}" ]
  done
  run berth images
  output_has_line "^$PLAIN/test/busybox +1 "
  run berth pull "$PLAIN/test/busybox:1"
  [ "$status" -eq 0 ]
  output_has_line "^Status: Image is up to date for $PLAIN/test/busybox:1$"
  ! output_has_line "Pull complete"
}

@test "pull by digest, and -q prints only the name" {
  run berth pull -q "$PLAIN/test/busybox@$BUSYBOX_DIGEST"
  [ "$status" -eq 0 ]
  [ "$output" = "$PLAIN/test/busybox@$BUSYBOX_DIGEST" ]
  run berth images --digests
  [[ "$output" == *"$BUSYBOX_DIGEST"* ]]
}

@test "pull of a missing tag or repository fails with the registry's error" {
  run berth pull "$PLAIN/test/busybox:nope"
  [ "$status" -eq 1 ]
  [[ "$output" == *"manifest unknown"* ]]
  run berth pull "bad//ref"
  [ "$status" -eq 125 ]
  [[ "$output" == *"invalid reference format"* ]]
}

@test "push to a new repository, pull back into a second store, skopeo reads it" {
  berth pull -q "$PLAIN/test/busybox:1"
  run berth push "$PLAIN/test/busybox:1" "$PLAIN/roundtrip/bb:v2"
  [ "$status" -eq 0 ]
  output_has_line "^The push refers to repository \[$PLAIN/roundtrip/bb\]$"
  output_has_line "^v2: digest: $BUSYBOX_DIGEST size: [0-9]+$"
  run skopeo inspect --tls-verify=false "docker://$PLAIN/roundtrip/bb:v2"
  [ "$status" -eq 0 ]
  [ "$(echo "$output" | jq -r .Digest)" = "$BUSYBOX_DIGEST" ]
  run "$BERTH" --root "$TEST_TMPDIR/store2" pull "$PLAIN/roundtrip/bb:v2"
  [ "$status" -eq 0 ]
  output_has_line "^Digest: $BUSYBOX_DIGEST$"
  run "$BERTH" --root "$TEST_TMPDIR/store2" system check
  [ "$status" -eq 0 ]
}

@test "push of a skopeo-pushed, berth-pulled image mounts blobs across repositories" {
  berth pull -q "$PLAIN/test/busybox:1"
  local before
  before=$(grep -c 'mount=sha256' "$REG_plain_DIR/registry.log" || true)
  run berth push "$PLAIN/test/busybox:1" "$PLAIN/mounted/bb:1"
  [ "$status" -eq 0 ]
  output_has_line ": Mounted from test/busybox$"
  [ "$(grep -c 'mount=sha256' "$REG_plain_DIR/registry.log")" -gt "$before" ]
  # Pushing again: everything is there already.
  run berth push "$PLAIN/test/busybox:1" "$PLAIN/mounted/bb:1"
  [ "$status" -eq 0 ]
  output_has_line ": Layer already exists$"
}

@test "push uploads in chunks when a blob is larger than BERTH_PUSH_CHUNK_SIZE" {
  # Pulled through "localhost": the registry "127.0.0.1" has no repository
  # to mount from, so every blob is uploaded.
  berth pull -q "localhost:$REG_plain_PORT/test/busybox:1"
  BERTH_PUSH_CHUNK_SIZE=65536 run berth push "localhost:$REG_plain_PORT/test/busybox:1" "$PLAIN/chunked/bb:1"
  [ "$status" -eq 0 ]
  output_has_line ": Pushed$"
  grep -q 'PATCH /v2/chunked/bb/blobs/uploads/' "$REG_plain_DIR/registry.log"
  run skopeo inspect --tls-verify=false "docker://$PLAIN/chunked/bb:1"
  [ "$(echo "$output" | jq -r .Digest)" = "$BUSYBOX_DIGEST" ]
}

@test "a tampered blob in the registry is rejected, naming its digest, and nothing is stored" {
  make_oci_image "$TEST_TMPDIR/tamper" 1
  skopeo_push "$TEST_TMPDIR/tamper" "$PLAIN/test/tamper:1"
  local layer hex data
  layer=$(layout_layers "$TEST_TMPDIR/tamper" "$IMAGE_MANIFEST_DIGEST" | tail -1)
  hex=${layer#sha256:}
  data="$REG_plain_DIR/storage/docker/registry/v2/blobs/sha256/${hex:0:2}/$hex/data"
  [ -f "$data" ]
  printf 'XXXXXXXX' | dd of="$data" bs=1 seek=1000 conv=notrunc status=none
  run berth pull "$PLAIN/test/tamper:1"
  [ "$status" -eq 1 ]
  [[ "$output" == *"$layer"* ]]
  [[ "$output" == *"digest mismatch"* ]]
  [ ! -e "$BERTH_ROOT/blobs/sha256/$hex" ]
  run berth images
  ! output_has_line "test/tamper"
}

@test "a manifest list pull selects the platform: host default, --platform, unknown lists the available" {
  make_oci_image "$TEST_TMPDIR/amd" 0 amd64
  local amd=$IMAGE_MANIFEST_DIGEST
  make_oci_image "$TEST_TMPDIR/arm" 0 arm64
  local arm=$IMAGE_MANIFEST_DIGEST
  skopeo_push "$TEST_TMPDIR/amd" "$PLAIN/test/multi:amd64"
  skopeo_push "$TEST_TMPDIR/arm" "$PLAIN/test/multi:arm64"
  local sa sb
  sa=$(stat -c %s "$TEST_TMPDIR/amd/blobs/sha256/${amd#sha256:}")
  sb=$(stat -c %s "$TEST_TMPDIR/arm/blobs/sha256/${arm#sha256:}")
  jq -n --arg a "$amd" --argjson sa "$sa" --arg b "$arm" --argjson sb "$sb" \
    '{schemaVersion: 2, mediaType: "application/vnd.docker.distribution.manifest.list.v2+json",
      manifests: [
        {mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $a, size: $sa, platform: {os: "linux", architecture: "amd64"}},
        {mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $b, size: $sb, platform: {os: "linux", architecture: "arm64", variant: "v8"}}]}' \
    >"$TEST_TMPDIR/list.json"
  curl -sf -X PUT -H "Content-Type: application/vnd.docker.distribution.manifest.list.v2+json" \
    --data-binary "@$TEST_TMPDIR/list.json" "http://$PLAIN/v2/test/multi/manifests/latest"
  local list
  list=sha256:$(sha256sum "$TEST_TMPDIR/list.json" | cut -d' ' -f1)

  [ "$(uname -m)" = x86_64 ] || skip "the default-platform check assumes an amd64 host"
  run berth pull "$PLAIN/test/multi"
  [ "$status" -eq 0 ]
  output_has_line "^Using default tag: latest$"
  output_has_line "^Digest: $list$"
  [ -f "$BERTH_ROOT/blobs/sha256/${amd#sha256:}" ]
  [ ! -f "$BERTH_ROOT/blobs/sha256/${arm#sha256:}" ]

  run "$BERTH" --root "$TEST_TMPDIR/arm-store" pull --platform linux/arm64 "$PLAIN/test/multi"
  [ "$status" -eq 0 ]
  [ -f "$TEST_TMPDIR/arm-store/blobs/sha256/${arm#sha256:}" ]
  [ ! -f "$TEST_TMPDIR/arm-store/blobs/sha256/${amd#sha256:}" ]

  run berth pull --platform linux/s390x "$PLAIN/test/multi"
  [ "$status" -eq 1 ]
  [[ "$output" == *"no manifest for platform linux/s390x"* ]]
  [[ "$output" == *"linux/amd64"* ]]
  [[ "$output" == *"linux/arm64"* ]]
  run berth pull --platform linux "$PLAIN/test/multi"
  [ "$status" -eq 125 ]
  [[ "$output" == *"expected os/architecture"* ]]
}

@test "basic auth: unauthorized without login, wrong password refused, login/pull/logout" {
  local reg=127.0.0.1:$REG_basic_PORT
  skopeo_push "$REG_ROOT/busybox" "$reg/secure/bb:1" --dest-creds "$REG_USER:$REG_PASS"
  run berth pull "$reg/secure/bb:1"
  [ "$status" -eq 1 ]
  [[ "$output" == *"unauthorized"* ]]

  run berth login -u "$REG_USER" -p wrong "$reg"
  [ "$status" -eq 1 ]
  [[ "$output" == *"unauthorized: incorrect username or password"* ]]
  [ ! -e "$DOCKER_CONFIG/config.json" ]

  run berth login -u "$REG_USER" --password-stdin "$reg" <<<"$REG_PASS"
  [ "$status" -eq 0 ]
  [ "${lines[-1]}" = "Login Succeeded" ]
  [[ "$output" != *"$REG_PASS"* ]]
  [ "$(jq -r --arg r "$reg" '.auths[$r].auth' "$DOCKER_CONFIG/config.json" | base64 -d)" = "$REG_USER:$REG_PASS" ]
  [ "$(stat -c %a "$DOCKER_CONFIG/config.json")" = 600 ]

  run berth pull "$reg/secure/bb:1"
  [ "$status" -eq 0 ]
  [[ "$output" != *"$REG_PASS"* ]]
  run berth push "$reg/secure/bb:1" "$reg/secure/copy:1"
  [ "$status" -eq 0 ]

  run berth logout "$reg"
  [ "$status" -eq 0 ]
  [ "$output" = "Removing login credentials for $reg" ]
  run "$BERTH" --root "$TEST_TMPDIR/store3" pull "$reg/secure/bb:1"
  [ "$status" -eq 1 ]
  [[ "$output" == *"unauthorized"* ]]
  run berth logout "$reg"
  [ "$output" = "Not logged in to $reg" ]
}

@test "credentials are read from podman's auth.json and REGISTRY_AUTH_FILE" {
  local reg=127.0.0.1:$REG_basic_PORT auth
  skopeo_push "$REG_ROOT/busybox" "$reg/secure/bb:1" --dest-creds "$REG_USER:$REG_PASS"
  auth=$(printf '%s:%s' "$REG_USER" "$REG_PASS" | base64 -w0)
  mkdir -p "$XDG_RUNTIME_DIR/containers"
  jq -n --arg r "$reg" --arg a "$auth" '{auths: {($r): {auth: $a}}}' >"$XDG_RUNTIME_DIR/containers/auth.json"
  run berth pull -q "$reg/secure/bb:1"
  [ "$status" -eq 0 ]
  rm "$XDG_RUNTIME_DIR/containers/auth.json"
  jq -n --arg r "http://$reg/v2/" --arg a "$auth" '{auths: {($r): {auth: $a}}}' >"$TEST_TMPDIR/auth.json"
  REGISTRY_AUTH_FILE=$TEST_TMPDIR/auth.json run "$BERTH" --root "$TEST_TMPDIR/s2" pull -q "$reg/secure/bb:1"
  [ "$status" -eq 0 ]
}

@test "TLS: unknown CA is a certificate error naming the host; --cert-dir and --tls-verify=false work" {
  local reg=127.0.0.1:$REG_tls_PORT
  skopeo_push "$REG_ROOT/busybox" "$reg/tls/bb:1"
  run berth pull "$reg/tls/bb:1"
  [ "$status" -eq 1 ]
  [[ "$output" == *"$reg"* ]]
  [[ "$output" == *"certificate"* ]]
  run berth pull --cert-dir "$REG_tls_DIR/certs" "$reg/tls/bb:1"
  [ "$status" -eq 0 ]
  output_has_line "^Status: Downloaded newer image"
  run "$BERTH" --root "$TEST_TMPDIR/s2" pull --tls-verify=false "$reg/tls/bb:1"
  [ "$status" -eq 0 ]
  run berth push --cert-dir "$REG_tls_DIR/certs" "$reg/tls/bb:1" "$reg/tls/copy:1"
  [ "$status" -eq 0 ]
  run berth pull --cert-dir "$TEST_TMPDIR/missing" "$reg/tls/bb:1"
  [ "$status" -eq 125 ]
  [[ "$output" == *"--cert-dir"* ]]
}

@test "bearer tokens: anonymous refused, login then pull and push with per-scope tokens" {
  local reg=127.0.0.1:$REG_token_PORT
  run berth pull "$reg/tok/bb:1"
  [ "$status" -eq 1 ]
  [[ "$output" == *"unauthorized"* ]]
  run berth login -u "$REG_USER" -p wrong "$reg"
  [ "$status" -eq 1 ]
  [[ "$output" == *"unauthorized"* ]]
  run berth login -u "$REG_USER" --password-stdin "$reg" <<<"$REG_PASS"
  [ "$status" -eq 0 ]
  berth pull -q "$PLAIN/test/busybox:1"
  run berth push "$PLAIN/test/busybox:1" "$reg/tok/bb:1"
  [ "$status" -eq 0 ]
  output_has_line "^1: digest: $BUSYBOX_DIGEST size: [0-9]+$"
  grep -q '"name":"tok/bb","actions":\["pull","push"\]' "$REG_token_DIR/token-requests.log"
  run "$BERTH" --root "$TEST_TMPDIR/s2" pull "$reg/tok/bb:1"
  [ "$status" -eq 0 ]
  output_has_line "^Digest: $BUSYBOX_DIGEST$"
}

@test "kill -9 during a pull, then the retry succeeds and the store checks clean" {
  make_oci_image "$TEST_TMPDIR/big" 96
  skopeo_push "$TEST_TMPDIR/big" "$PLAIN/test/big:1"
  "$BERTH" --root "$BERTH_ROOT" pull -q "$PLAIN/test/big:1" >/dev/null 2>&1 &
  local pid=$! i
  for i in $(seq 1 500); do
    if find "$BERTH_ROOT/tmp" -type f -size +1k 2>/dev/null | grep -q .; then break; fi
    sleep 0.01
  done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  run berth pull "$PLAIN/test/big:1"
  [ "$status" -eq 0 ]
  output_has_line "^Digest: $IMAGE_MANIFEST_DIGEST$"
  run berth system check
  [ "$status" -eq 0 ]
}
