#!/usr/bin/env bats
# berth's local image commands on a private store: import, images, tag,
# inspect, history, rmi, image prune, system df and system check, plus
# concurrent imports and a kill -9 in the middle of one.

load helpers

setup() {
  common_setup
  BERTH_ROOT=$TEST_TMPDIR/store
  ROOTFS_TAR=$TEST_TMPDIR/busybox.tar
  make_rootfs_tar "$ROOTFS_TAR"
}

teardown() {
  local pid
  for pid in ${KILL_PIDS:-}; do
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  common_teardown
}

berth() {
  "$BERTH" --root "$BERTH_ROOT" "$@"
}

# A busybox root filesystem as a tar (like make_bundle in hull-helpers).
make_rootfs_tar() {
  local out=$1 dir=$TEST_TMPDIR/rootfs bb applet
  bb=$(command -v busybox || echo /bin/busybox)
  mkdir -p "$dir"/{bin,etc,tmp,root}
  cp "$bb" "$dir/bin/busybox"
  for applet in sh ls cat echo true; do ln -s busybox "$dir/bin/$applet"; done
  echo 'root:x:0:0:root:/root:/bin/sh' >"$dir/etc/passwd"
  tar -C "$dir" --numeric-owner -cf "$out" .
}

import_busybox() {
  run berth import -c 'CMD ["sh"]' -c 'ENV PATH=/bin' "$ROOTFS_TAR" "${1:-busybox}"
  [ "$status" -eq 0 ]
  [[ "$output" =~ ^sha256:[0-9a-f]{64}$ ]]
  IMAGE_ID=$output
}

blob_count() {
  ls "$BERTH_ROOT/blobs/sha256" | wc -l
}

@test "import: a rootfs tar becomes an image listed by images" {
  import_busybox
  run berth images
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" =~ ^REPOSITORY\ +TAG\ +IMAGE\ ID\ +CREATED\ +SIZE$ ]]
  [[ "${lines[1]}" =~ ^busybox\ +latest\ +${IMAGE_ID:7:12}\ +(Less\ than\ a\ second|[0-9]+\ seconds)\ ago\ +[0-9.]+[kM]B$ ]]
  [ "${#lines[@]}" -eq 2 ]
}

@test "images -q, --no-trunc, --digests and reference filter" {
  import_busybox
  run berth images -q
  [ "$status" -eq 0 ]
  [ "$output" = "${IMAGE_ID:7:12}" ]
  run berth images -q --no-trunc
  [ "$output" = "$IMAGE_ID" ]
  run berth images --digests
  [[ "${lines[0]}" =~ ^REPOSITORY\ +TAG\ +DIGEST\ +IMAGE\ ID ]]
  [[ "${lines[1]}" =~ ^busybox\ +latest\ +\<none\> ]]
  run berth images other
  [ "${#lines[@]}" -eq 1 ]
  run berth images --filter reference='busy*'
  [ "${#lines[@]}" -eq 2 ]
  run berth images --filter dangling=true -q
  [ "$output" = "" ]
}

@test "images --format json and templates" {
  import_busybox
  run berth images --format json
  [ "$status" -eq 0 ]
  [ "$(echo "$output" | jq -r .Repository)" = busybox ]
  [ "$(echo "$output" | jq -r .Tag)" = latest ]
  [ "$(echo "$output" | jq -r .ID)" = "${IMAGE_ID:7:12}" ]
  [[ "$(echo "$output" | jq -r .Size)" =~ ^[0-9.]+[kM]B$ ]]
  run berth images --format '{{.Repository}}:{{.Tag}} {{.ID}}'
  [ "$output" = "busybox:latest ${IMAGE_ID:7:12}" ]
  run berth images --format '{{json .Repository}}'
  [ "$output" = '"busybox"' ]
  run berth images --format '{{.NoSuchField}}'
  [ "$status" -eq 125 ]
  [[ "$output" == *"can't evaluate field NoSuchField"* ]]
}

@test "tag adds a name; image inspect prints docker-like JSON" {
  import_busybox
  run berth tag busybox 127.0.0.1:5000/x/y:1.0
  [ "$status" -eq 0 ]
  run berth images --format '{{.Repository}}:{{.Tag}}'
  [[ "$output" == *"127.0.0.1:5000/x/y:1.0"* ]]
  [[ "$output" == *"busybox:latest"* ]]
  run berth image inspect busybox
  [ "$status" -eq 0 ]
  local j=$output diff
  diff=sha256:$(sha256sum "$ROOTFS_TAR" | cut -d' ' -f1)
  [ "$(jq -r '.[0].Id' <<<"$j")" = "$IMAGE_ID" ]
  [ "$(jq -r '.[0].RepoTags | sort | join(",")' <<<"$j")" = "127.0.0.1:5000/x/y:1.0,busybox:latest" ]
  [ "$(jq -r '.[0].RepoDigests | length' <<<"$j")" = 0 ]
  [[ "$(jq -r '.[0].Created' <<<"$j")" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T ]]
  [ "$(jq -r '.[0].Size' <<<"$j")" -gt 500000 ]
  [ "$(jq -r '.[0].Os' <<<"$j")" = linux ]
  [ -n "$(jq -r '.[0].Architecture' <<<"$j")" ]
  [ "$(jq -c '.[0].Config.Cmd' <<<"$j")" = '["sh"]' ]
  [ "$(jq -c '.[0].Config.Env' <<<"$j")" = '["PATH=/bin"]' ]
  [ "$(jq -r '.[0].RootFS.Type' <<<"$j")" = layers ]
  [ "$(jq -r '.[0].RootFS.Layers[0]' <<<"$j")" = "$diff" ]
  # by short id, with a template, and an unknown name
  run berth inspect --format '{{.Id}} {{json .Config.Cmd}}' "${IMAGE_ID:7:8}"
  [ "$output" = "$IMAGE_ID [\"sh\"]" ]
  run berth inspect nope
  [ "$status" -eq 1 ]
  [[ "$output" == *"No such object: nope"* ]]
}

@test "import of gzip and zstd tars gives the same layer" {
  gzip -c "$ROOTFS_TAR" >"$TEST_TMPDIR/bb.tar.gz"
  zstd -q -c "$ROOTFS_TAR" >"$TEST_TMPDIR/bb.tar.zst"
  run berth import "$TEST_TMPDIR/bb.tar.gz" gz
  [ "$status" -eq 0 ]
  run berth import - zst <"$TEST_TMPDIR/bb.tar.zst"
  [ "$status" -eq 0 ]
  import_busybox plain
  local a b c
  a=$(berth inspect --format '{{json .RootFS.Layers}}' gz)
  b=$(berth inspect --format '{{json .RootFS.Layers}}' zst)
  c=$(berth inspect --format '{{json .RootFS.Layers}}' plain)
  [ "$a" = "$b" ]
  [ "$a" = "$c" ]
  # one layer directory and one (deterministic) layer blob for all three
  [ "$(ls "$BERTH_ROOT/layers" | wc -l)" -eq 1 ]
  [ "$(blob_count)" -eq 7 ]
}

@test "import refuses a tar that escapes its layer" {
  mkdir -p "$TEST_TMPDIR/evil"
  echo x >"$TEST_TMPDIR/evil/x"
  tar -C "$TEST_TMPDIR/evil" -cf "$TEST_TMPDIR/evil.tar" --transform 's|^\./x|../escaped|' ./x
  run berth import "$TEST_TMPDIR/evil.tar" evil
  [ "$status" -eq 125 ]
  [[ "$output" == *'entry "../escaped": path with ".." refused'* ]]
  [ ! -e "$BERTH_ROOT/escaped" ]
  [ ! -e "$BERTH_ROOT/tmp/../escaped" ]
  run berth images -q
  [ "$output" = "" ]
  run berth system check
  [ "$status" -eq 0 ]
}

@test "history shows the import" {
  run berth import -m "my rootfs" "$ROOTFS_TAR" busybox
  [ "$status" -eq 0 ]
  local id=${output:7:12}
  run berth history busybox
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" =~ ^IMAGE\ +CREATED\ +CREATED\ BY\ +SIZE\ +COMMENT$ ]]
  [[ "${lines[1]}" =~ ^$id\ +.*berth\ import.*\ +[0-9.]+[kM]B\ +my\ rootfs$ ]]
  run berth history --format json busybox
  [ "$(jq -r .Comment <<<"$output")" = "my rootfs" ]
  run berth image history -q busybox
  [ "$output" = "$id" ]
}

@test "rmi untags, removes with the last name, refuses ambiguous ids" {
  import_busybox
  berth tag busybox second:v1
  run berth rmi "${IMAGE_ID:7:12}"
  [ "$status" -eq 1 ]
  [[ "$output" == *"must be forced"* ]]
  run berth rmi second:v1
  [ "$status" -eq 0 ]
  [ "$output" = "Untagged: second:v1" ]
  [ "$(berth images -q)" = "${IMAGE_ID:7:12}" ]
  run berth rmi busybox
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "Untagged: busybox:latest" ]
  [ "${lines[1]}" = "Deleted: $IMAGE_ID" ]
  [ "$(berth images -q)" = "" ]
  # the layers and blobs went too
  [ "$(blob_count)" -eq 0 ]
  [ "$(ls "$BERTH_ROOT/layers" | wc -l)" -eq 0 ]
  run berth rmi nope
  [ "$status" -eq 1 ]
  [ "$output" = "Error: No such image: nope" ]
}

@test "rmi -f removes an image with several names" {
  import_busybox
  berth tag busybox second:v1
  run berth image rm -f "${IMAGE_ID:7:12}"
  [ "$status" -eq 0 ]
  [[ "$output" == *"Untagged: second:v1"* ]]
  [[ "$output" == *"Deleted: $IMAGE_ID"* ]]
  [ "$(berth images -q)" = "" ]
}

@test "image prune removes dangling images and their content" {
  import_busybox
  run berth import -m other "$ROOTFS_TAR"
  [ "$status" -eq 0 ]
  local dangling=$output
  run berth images --filter dangling=true -q --no-trunc
  [ "$output" = "$dangling" ]
  local before
  before=$(blob_count)
  run berth image prune -f
  [ "$status" -eq 0 ]
  [[ "$output" == *"deleted: $dangling"* ]]
  [[ "$output" == *"Total reclaimed space: "* ]]
  [ "$(blob_count)" -eq $((before - 2)) ]
  [ "$(berth images -q)" = "${IMAGE_ID:7:12}" ]
  run berth image prune -a -f
  [ "$status" -eq 0 ]
  [ "$(blob_count)" -eq 0 ]
}

@test "system df reports the images" {
  import_busybox
  berth import "$ROOTFS_TAR" again >/dev/null
  run berth system df
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" =~ ^TYPE\ +TOTAL\ +ACTIVE\ +SIZE\ +RECLAIMABLE$ ]]
  [[ "${lines[1]}" =~ ^Images\ +2\ +0\ +[0-9.]+[kM]B ]]
  [[ "${lines[2]}" =~ ^Containers\ +0\ +0\  ]]
  [[ "${lines[3]}" =~ ^Local\ Volumes\ +0\ +0\  ]]
  run berth system df --format json
  [ "$(jq -r 'select(.Type == "Images").TotalCount' <<<"$output")" = 2 ]
  [ "$(jq -r 'select(.Type == "Containers").TotalCount' <<<"$output")" = 0 ]
}

@test "system check is clean, then finds a corrupted blob" {
  import_busybox
  run berth system check
  [ "$status" -eq 0 ]
  [[ "$output" == *"is consistent"* ]]
  local blob=$BERTH_ROOT/blobs/sha256/${IMAGE_ID:7}
  printf 'X' | dd of="$blob" bs=1 seek=5 conv=notrunc 2>/dev/null
  run berth system check
  [ "$status" -eq 1 ]
  [[ "$output" == *"blob $IMAGE_ID: corrupted"* ]]
}

@test "two concurrent imports into one store both succeed" {
  cp "$ROOTFS_TAR" "$TEST_TMPDIR/b.tar"
  echo extra >"$TEST_TMPDIR/extra"
  tar -C "$TEST_TMPDIR" -rf "$TEST_TMPDIR/b.tar" ./extra
  berth images >/dev/null # create the store first
  berth import "$ROOTFS_TAR" one >"$TEST_TMPDIR/1.out" 2>&1 &
  local p1=$!
  berth import "$TEST_TMPDIR/b.tar" two >"$TEST_TMPDIR/2.out" 2>&1 &
  local p2=$!
  berth import "$ROOTFS_TAR" three >"$TEST_TMPDIR/3.out" 2>&1 &
  local p3=$!
  wait $p1
  wait $p2
  wait $p3
  run berth images --format '{{.Repository}}'
  [ "$(sort <<<"$output" | tr '\n' ' ')" = "one three two " ]
  run berth system check
  [ "$status" -eq 0 ]
}

@test "kill -9 during an import leaves a consistent store; a retry works" {
  berth images >/dev/null
  mkfifo "$TEST_TMPDIR/fifo"
  berth import "$TEST_TMPDIR/fifo" killed &
  local pid=$!
  KILL_PIDS=$pid
  exec 8>"$TEST_TMPDIR/fifo"
  head -c 300000 "$ROOTFS_TAR" >&8
  local i
  for i in $(seq 50); do
    [ -n "$(ls "$BERTH_ROOT/tmp")" ] && break
    sleep 0.1
  done
  [ -n "$(ls "$BERTH_ROOT/tmp")" ]
  kill -9 "$pid"
  wait "$pid" || true
  exec 8>&-
  run berth images -q
  [ "$output" = "" ]
  run berth system check
  [ "$status" -eq 0 ]
  import_busybox killed
  run berth system check
  [ "$status" -eq 0 ]
  # the partial upload was dropped by the collection rmi runs
  run berth rmi killed
  [ "$status" -eq 0 ]
  [ -z "$(ls "$BERTH_ROOT/tmp")" ]
  [ "$(blob_count)" -eq 0 ]
}

@test "every image command has --help" {
  local c
  for c in images rmi tag inspect history import "image ls" "image rm" "image tag" "image inspect" \
    "image history" "image import" "image prune" "system df" "system check"; do
    run berth $c --help
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" == Usage:\ berth* ]]
  done
}

@test "unknown image subcommand and bad usage exit 125" {
  run berth image frobnicate
  [ "$status" -eq 125 ]
  [[ "$output" == *'unknown command "frobnicate" for "berth image"'* ]]
  run berth tag onlyone
  [ "$status" -eq 125 ]
  [[ "$output" == *"requires exactly 2 arguments"* ]]
  run berth tag nope x:y
  [ "$status" -eq 125 ]
  [[ "$output" == *"No such image: nope"* ]]
}

@test "default data root: XDG data dir for a non-root user" {
  command -v setpriv >/dev/null || skip "setpriv not installed"
  setpriv --reuid 65534 --regid 65534 --clear-groups test -x "$BERTH" \
    || skip "the build directory is not reachable by an unprivileged user"
  local home=$TEST_TMPDIR/home
  chmod 755 "$TEST_TMPDIR"
  mkdir -p "$home"
  chown 65534:65534 "$home"
  run setpriv --reuid 65534 --regid 65534 --clear-groups env HOME="$home" XDG_DATA_HOME= "$BERTH" images -q
  [ "$status" -eq 0 ]
  [ -f "$home/.local/share/berth/berth.db" ]
  run setpriv --reuid 65534 --regid 65534 --clear-groups env HOME="$home" XDG_DATA_HOME="$home/xdg" "$BERTH" images -q
  [ "$status" -eq 0 ]
  [ -f "$home/xdg/berth/berth.db" ]
}

@test "global options: --log-level is checked, --root is honoured" {
  run "$BERTH" --log-level chatty images
  [ "$status" -eq 125 ]
  [[ "$output" == *'invalid --log-level "chatty"'* ]]
  run "$BERTH" --root "$TEST_TMPDIR/other" --runtime /usr/bin/runc --config "$TEST_TMPDIR/cfg" images -q
  [ "$status" -eq 0 ]
  [ -f "$TEST_TMPDIR/other/berth.db" ]
}
