#!/usr/bin/env bats
# berth save and berth load: docker-archive and oci-archive round trips
# between private stores, deterministic output, interoperability with
# skopeo and podman, and refusal of tampered, escaping or oversized
# archives without storing anything.

load helpers

setup() {
  common_setup
  BERTH_ROOT=$TEST_TMPDIR/store
  ROOT2=$TEST_TMPDIR/store2
  ROOTFS_TAR=$TEST_TMPDIR/busybox.tar
  make_rootfs_tar "$ROOTFS_TAR"
  run berth import -c 'CMD ["sh"]' -c 'ENV PATH=/bin' "$ROOTFS_TAR" busybox:1.0
  [ "$status" -eq 0 ]
  IMAGE_ID=$output
}

teardown() {
  if [ -n "${PM_DIR:-}" ] && [ -d "$PM_DIR" ]; then
    pm rmi --all --force >/dev/null 2>&1 || true
  fi
  common_teardown
}

berth() {
  "$BERTH" --root "$BERTH_ROOT" "$@"
}

berth2() {
  "$BERTH" --root "$ROOT2" "$@"
}

make_rootfs_tar() {
  local out=$1 dir=$TEST_TMPDIR/rootfs bb applet
  bb=$(command -v busybox || echo /bin/busybox)
  mkdir -p "$dir"/{bin,etc,tmp,root}
  cp "$bb" "$dir/bin/busybox"
  for applet in sh ls cat echo true; do ln -s busybox "$dir/bin/$applet"; done
  echo 'root:x:0:0:root:/root:/bin/sh' >"$dir/etc/passwd"
  tar -C "$dir" --numeric-owner -cf "$out" .
}

# The store holds no image and is consistent.
store2_empty_and_clean() {
  run berth2 images -q
  [ "$status" -eq 0 ]
  [ "$output" = "" ]
  run berth2 system check
  [ "$status" -eq 0 ]
  run berth2 image prune -a -f
  [ "$(find "$ROOT2/blobs" -type f | wc -l)" -eq 0 ]
}

# podman on private storage (vfs: no mounts to clean up).
pm() {
  timeout 120 podman --root "$PM_DIR/storage" --runroot "$PM_DIR/runroot" --tmpdir "$PM_DIR/tmp" \
    --storage-driver vfs "$@"
}

pm_setup() {
  PM_DIR=$TEST_TMPDIR/podman
  mkdir -p "$PM_DIR"/{storage,runroot,tmp}
  printf '[storage]\ndriver = "vfs"\nrunroot = "%s"\ngraphroot = "%s"\n' "$PM_DIR/runroot" \
    "$PM_DIR/storage" >"$PM_DIR/storage.conf"
  export CONTAINERS_STORAGE_CONF=$PM_DIR/storage.conf
}

sha() {
  sha256sum "$1" | cut -d' ' -f1
}

@test "save/load docker-archive: same image in a second store" {
  run berth save -o "$TEST_TMPDIR/img.tar" busybox:1.0
  [ "$status" -eq 0 ]
  run tar -tf "$TEST_TMPDIR/img.tar"
  [ "$status" -eq 0 ]
  diff <(printf '%s\n' "${lines[@]}") <(printf '%s\n' "${lines[@]}" | LC_ALL=C sort)
  output_has_line '^[0-9a-f]{64}/layer\.tar$'
  output_has_line "^${IMAGE_ID#sha256:}\.json$"
  output_has_line '^manifest\.json$'
  output_has_line '^repositories$'
  run tar -xOf "$TEST_TMPDIR/img.tar" manifest.json
  [ "$(jq -r '.[0].RepoTags[0]' <<<"$output")" = "busybox:1.0" ]
  layer=$(jq -r '.[0].Layers[0]' <<<"$output")
  diff_id=$(berth image inspect --format '{{json .RootFS.Layers}}' busybox:1.0 | jq -r '.[0]')
  # docker's format: the layer is an uncompressed tar whose digest is its diff_id
  [ "sha256:$(tar -xOf "$TEST_TMPDIR/img.tar" "$layer" | sha256sum | cut -d' ' -f1)" = "$diff_id" ]

  run berth2 load -i "$TEST_TMPDIR/img.tar"
  [ "$status" -eq 0 ]
  [ "$output" = "Loaded image: busybox:1.0" ]
  [ "$(berth2 images -q --no-trunc busybox:1.0)" = "$IMAGE_ID" ]
  for f in '{{json .Config}}' '{{json .RootFS}}' '{{.Created}}' '{{.Architecture}}'; do
    [ "$(berth2 image inspect --format "$f" busybox:1.0)" = "$(berth image inspect --format "$f" busybox:1.0)" ]
  done
  run berth2 system check
  [ "$status" -eq 0 ]
}

@test "save: deterministic, stdout equals -o, and multiple names" {
  berth tag busybox:1.0 example.com/team/bb:v2
  berth save -o "$TEST_TMPDIR/a.tar" busybox:1.0 example.com/team/bb:v2
  sleep 1
  berth save busybox:1.0 example.com/team/bb:v2 >"$TEST_TMPDIR/b.tar"
  cmp "$TEST_TMPDIR/a.tar" "$TEST_TMPDIR/b.tar"
  run tar -xOf "$TEST_TMPDIR/a.tar" manifest.json
  [ "$(jq -c '.[0].RepoTags' <<<"$output")" = '["busybox:1.0","example.com/team/bb:v2"]' ]
  [ "$(jq length <<<"$output")" -eq 1 ]
  run tar -xOf "$TEST_TMPDIR/a.tar" repositories
  [ "$(jq -r '.busybox["1.0"]' <<<"$output")" = "$(jq -r '."example.com/team/bb".v2' <<<"$output")" ]
  run tar -tvf "$TEST_TMPDIR/a.tar"
  ! output_has_line ' 20[0-9][0-9]-'
  run berth2 load <"$TEST_TMPDIR/b.tar"
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "Loaded image: busybox:1.0" ]
  [ "${lines[1]}" = "Loaded image: example.com/team/bb:v2" ]
}

@test "save by id: no tags, load prints the image id" {
  berth save -o "$TEST_TMPDIR/id.tar" "${IMAGE_ID:7:12}"
  run tar -xOf "$TEST_TMPDIR/id.tar" manifest.json
  [ "$(jq -c '.[0].RepoTags' <<<"$output")" = null ]
  run berth2 load -q -i "$TEST_TMPDIR/id.tar"
  [ "$status" -eq 0 ]
  [ "$output" = "Loaded image ID: $IMAGE_ID" ]
}

@test "save/load oci-archive: manifest digest kept" {
  digest=$(berth image inspect --format '{{.Descriptor.digest}}' busybox:1.0)
  run berth image save --format oci-archive -o "$TEST_TMPDIR/oci.tar" busybox:1.0
  [ "$status" -eq 0 ]
  run tar -xOf "$TEST_TMPDIR/oci.tar" index.json
  [ "$(jq -r '.manifests[0].digest' <<<"$output")" = "$digest" ]
  [ "$(jq -r '.manifests[0].annotations["org.opencontainers.image.ref.name"]' <<<"$output")" = "1.0" ]
  [ "$(tar -xOf "$TEST_TMPDIR/oci.tar" oci-layout | jq -r .imageLayoutVersion)" = "1.0.0" ]
  # every blob is stored under its digest
  mkdir "$TEST_TMPDIR/x"
  tar -C "$TEST_TMPDIR/x" -xf "$TEST_TMPDIR/oci.tar"
  for f in "$TEST_TMPDIR"/x/blobs/sha256/*; do [ "$(sha "$f")" = "$(basename "$f")" ]; done

  run berth2 image load -i "$TEST_TMPDIR/oci.tar"
  [ "$status" -eq 0 ]
  [ "$output" = "Loaded image: busybox:1.0" ]
  [ "$(berth2 image inspect --format '{{.Descriptor.digest}}' busybox:1.0)" = "$digest" ]
  [ "$(berth2 images -q --no-trunc)" = "$IMAGE_ID" ]
  run skopeo inspect "oci-archive:$TEST_TMPDIR/oci.tar:1.0"
  [ "$status" -eq 0 ]
  [ "$(jq -r .Digest <<<"$output")" = "$digest" ]
}

@test "load: gzip and zstd compressed archives from stdin" {
  berth save -o "$TEST_TMPDIR/img.tar" busybox:1.0
  gzip -c "$TEST_TMPDIR/img.tar" | berth2 load
  zstd -q -c "$TEST_TMPDIR/img.tar" >"$TEST_TMPDIR/img.tar.zst"
  berth2 rmi busybox:1.0
  run berth2 load -i "$TEST_TMPDIR/img.tar.zst"
  [ "$status" -eq 0 ]
  [ "$output" = "Loaded image: busybox:1.0" ]
}

@test "skopeo reads berth's docker-archive" {
  berth save -o "$TEST_TMPDIR/img.tar" busybox:1.0
  diff_id=$(berth image inspect --format '{{json .RootFS.Layers}}' busybox:1.0 | jq -r '.[0]')
  run skopeo inspect "docker-archive:$TEST_TMPDIR/img.tar"
  [ "$status" -eq 0 ]
  [ "$(jq -r '.Layers[0]' <<<"$output")" = "$diff_id" ]
  run skopeo copy "docker-archive:$TEST_TMPDIR/img.tar" "oci:$TEST_TMPDIR/layout:bb"
  [ "$status" -eq 0 ]
  run skopeo inspect --config "oci:$TEST_TMPDIR/layout:bb"
  [ "$(jq -c .config.Cmd <<<"$output")" = '["sh"]' ]
}

# An OCI image layout written by hand (gzip layer, config, manifest,
# index), turned into a docker-archive by skopeo.
make_oci_layout() {
  local dir=$1 layer cfg man ldig diff cdig mdig
  mkdir -p "$dir/blobs/sha256"
  gzip -n -c "$ROOTFS_TAR" >"$dir/layer"
  ldig=$(sha "$dir/layer")
  diff=$(sha "$ROOTFS_TAR")
  mv "$dir/layer" "$dir/blobs/sha256/$ldig"
  cfg='{"architecture":"amd64","os":"linux","config":{"Cmd":["/bin/sh"],"Labels":{"made":"by-hand"}},"rootfs":{"type":"layers","diff_ids":["sha256:'$diff'"]}}'
  printf '%s' "$cfg" >"$dir/cfg"
  cdig=$(sha "$dir/cfg")
  mv "$dir/cfg" "$dir/blobs/sha256/$cdig"
  man='{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:'$cdig'","size":'${#cfg}'},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:'$ldig'","size":'$(stat -c %s "$dir/blobs/sha256/$ldig")'}]}'
  printf '%s' "$man" >"$dir/man"
  mdig=$(sha "$dir/man")
  mv "$dir/man" "$dir/blobs/sha256/$mdig"
  printf '{"imageLayoutVersion":"1.0.0"}' >"$dir/oci-layout"
  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%d,"annotations":{"org.opencontainers.image.ref.name":"v1"}}]}' \
    "$mdig" "${#man}" >"$dir/index.json"
  CONFIG_ID=sha256:$cdig
}

@test "load: a docker-archive written by skopeo from an OCI layout" {
  make_oci_layout "$TEST_TMPDIR/hand"
  run skopeo copy "oci:$TEST_TMPDIR/hand:v1" "docker-archive:$TEST_TMPDIR/sk.tar:example.com/hand:v1"
  [ "$status" -eq 0 ]
  run berth2 load -i "$TEST_TMPDIR/sk.tar"
  [ "$status" -eq 0 ]
  [ "$output" = "Loaded image: example.com/hand:v1" ]
  [ "$(berth2 images -q --no-trunc example.com/hand:v1)" = "$CONFIG_ID" ]
  [ "$(berth2 image inspect --format '{{json .Config.Labels}}' example.com/hand:v1)" = '{"made":"by-hand"}' ]
  # the OCI layout itself, as an oci-archive: digests kept, unnamed (bare tag)
  tar -C "$TEST_TMPDIR/hand" -cf "$TEST_TMPDIR/hand.tar" .
  run berth2 load -i "$TEST_TMPDIR/hand.tar"
  [ "$status" -eq 0 ]
  [ "$output" = "Loaded image ID: $CONFIG_ID" ]
  run berth2 system check
  [ "$status" -eq 0 ]
}

@test "podman loads berth's archive and berth loads podman's" {
  pm_setup
  berth save -o "$TEST_TMPDIR/img.tar" busybox:1.0
  run pm load -i "$TEST_TMPDIR/img.tar"
  [ "$status" -eq 0 ]
  [[ "$output" == *"Loaded image: "*"busybox:1.0"* ]]
  [ "$(pm image inspect --format '{{.Id}}' busybox:1.0)" = "${IMAGE_ID#sha256:}" ]
  pm tag busybox:1.0 example.com/from/podman:p1
  run pm save -o "$TEST_TMPDIR/pm.tar" example.com/from/podman:p1
  [ "$status" -eq 0 ]
  run berth2 load -i "$TEST_TMPDIR/pm.tar"
  [ "$status" -eq 0 ]
  [ "$output" = "Loaded image: example.com/from/podman:p1" ]
  [ "$(berth2 images -q --no-trunc)" = "$IMAGE_ID" ]
  run pm save --format oci-archive -o "$TEST_TMPDIR/pm-oci.tar" example.com/from/podman:p1
  [ "$status" -eq 0 ]
  run berth2 load -i "$TEST_TMPDIR/pm-oci.tar"
  [ "$status" -eq 0 ]
  [ "$(berth2 images -q --no-trunc | sort -u)" = "$IMAGE_ID" ]
}

@test "load: a tampered layer is refused, naming it, and nothing is stored" {
  berth save -o "$TEST_TMPDIR/img.tar" busybox:1.0
  mkdir "$TEST_TMPDIR/x"
  tar -C "$TEST_TMPDIR/x" -xf "$TEST_TMPDIR/img.tar"
  layer=$(tar -xOf "$TEST_TMPDIR/img.tar" manifest.json | jq -r '.[0].Layers[0]')
  echo evil >"$TEST_TMPDIR/evil"
  tar -C "$TEST_TMPDIR" -rf "$TEST_TMPDIR/x/$layer" evil
  tar -C "$TEST_TMPDIR/x" -cf "$TEST_TMPDIR/bad.tar" .
  run berth2 load -i "$TEST_TMPDIR/bad.tar"
  [ "$status" -eq 125 ]
  [[ "$output" == *"$layer"*"sha256:$(sha "$TEST_TMPDIR/x/$layer")"*"does not match"* ]]
  store2_empty_and_clean
}

@test "load: a tampered oci-archive blob is refused" {
  berth save --format oci-archive -o "$TEST_TMPDIR/oci.tar" busybox:1.0
  mkdir "$TEST_TMPDIR/x"
  tar -C "$TEST_TMPDIR/x" -xf "$TEST_TMPDIR/oci.tar"
  cfg=$(berth image inspect --format '{{.Id}}' busybox:1.0)
  sed -i 's/"sh"/"id"/' "$TEST_TMPDIR/x/blobs/sha256/${cfg#sha256:}"
  tar -C "$TEST_TMPDIR/x" -cf "$TEST_TMPDIR/bad.tar" .
  run berth2 load -i "$TEST_TMPDIR/bad.tar"
  [ "$status" -eq 125 ]
  [[ "$output" == *"blob $cfg: content digest"*"does not match"* ]]
  store2_empty_and_clean
}

@test "load: entries outside the archive and oversized JSON are refused" {
  mkdir -p "$TEST_TMPDIR/a/b"
  echo x >"$TEST_TMPDIR/a/evil"
  (cd "$TEST_TMPDIR/a/b" && tar -P -cf "$TEST_TMPDIR/evil.tar" ../evil)
  tar -tf "$TEST_TMPDIR/evil.tar" | grep -qx '../evil'
  run berth2 load -i "$TEST_TMPDIR/evil.tar"
  [ "$status" -eq 125 ]
  [[ "$output" == *'archive entry "../evil": refusing a path outside the archive'* ]]
  tar -P -cf "$TEST_TMPDIR/abs.tar" "$TEST_TMPDIR/a/evil"
  run berth2 load -i "$TEST_TMPDIR/abs.tar"
  [ "$status" -eq 125 ]
  [[ "$output" == *"refusing a path outside the archive"* ]]
  ln -s ../../etc/passwd "$TEST_TMPDIR/a/manifest.json"
  tar -C "$TEST_TMPDIR/a" -cf "$TEST_TMPDIR/link.tar" manifest.json
  run berth2 load -i "$TEST_TMPDIR/link.tar"
  [ "$status" -eq 125 ]
  [[ "$output" == *"symlink to \"../../etc/passwd\" outside the archive"* ]]
  mkdir "$TEST_TMPDIR/big"
  truncate -s 65M "$TEST_TMPDIR/big/manifest.json"
  tar -C "$TEST_TMPDIR/big" -czf "$TEST_TMPDIR/big.tar.gz" manifest.json
  run berth2 load -i "$TEST_TMPDIR/big.tar.gz"
  [ "$status" -eq 125 ]
  [[ "$output" == *"manifest.json: 68157440 bytes, larger than the 67108864 bytes allowed"* ]]
  store2_empty_and_clean
  [ "$(ls -A "$ROOT2/tmp")" = "" ]
}

@test "save refuses a terminal; usage errors" {
  run script -qec "$BERTH --root $BERTH_ROOT save busybox:1.0" /dev/null
  [[ "$output" == *"cowardly refusing to save to a terminal. Use the -o flag or redirect"* ]]
  run berth save
  [ "$status" -eq 125 ]
  [[ "$output" == *'"berth save" requires at least 1 argument.'* ]]
  run berth save --format tarball -o "$TEST_TMPDIR/x.tar" busybox:1.0
  [ "$status" -eq 125 ]
  run berth save -o "$TEST_TMPDIR/x.tar" nosuch:latest
  [ "$status" -eq 125 ]
  [[ "$output" == *"No such image: nosuch:latest"* ]]
  [ ! -e "$TEST_TMPDIR/x.tar" ]
  [ -z "$(ls "$TEST_TMPDIR" | grep berth-)" ]
  run berth load -i "$TEST_TMPDIR/busybox.tar"
  [ "$status" -eq 125 ]
  [[ "$output" == *"neither a docker-archive"* ]]
}
