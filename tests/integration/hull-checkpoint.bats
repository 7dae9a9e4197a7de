#!/usr/bin/env bats
# hull checkpoint / restore with criu.  Where `criu check` passes, a busybox
# counter loop is checkpointed and restored and keeps counting from where it
# was; where it does not (criu too old for the kernel, no CAP_CHECKPOINT...),
# both commands fail with criu's reason.

load hull-helpers

setup() {
  [ "$(id -u)" = 0 ] || skip "needs root"
  command -v criu >/dev/null || skip "criu not installed (tests/install-deps.sh)"
  setup_hull
  set_config '.root.readonly = false'
  set_args sh -c 'i=0; while true; do i=$((i + 1)); echo $i >/count; sleep 0.1; done'
}

teardown() {
  teardown_hull
}

criu_works() {
  criu check >/dev/null 2>&1
}

@test "checkpoint and restore keep the state of a counter loop (or fail with criu's reason)" {
  hull run -d -b "$BUNDLE" "$(cid)" </dev/null >/dev/null 2>&1 3>&-
  sleep 0.5
  if ! criu_works; then
    local reason
    reason=$(criu check 2>&1 | grep -m1 Error || criu check 2>&1 | tail -n1)
    run hull checkpoint --image-path "$TEST_TMP/img" "$(cid)"
    [ "$status" -eq 1 ]
    [[ "$output" == *"criu check"* ]]
    [[ "$output" == *"$reason"* ]]
    # the container was not touched
    [ "$(hull state "$(cid)" | jq -r .status)" = running ]
    hull delete -f "$(cid)"
    mkdir "$TEST_TMP/img"
    run hull restore --image-path "$TEST_TMP/img" -d -b "$BUNDLE" "$(cid)"
    [ "$status" -eq 1 ]
    [[ "$output" == *"$reason"* ]]
    # a failed restore leaves no container behind
    run hull state "$(cid)"
    [ "$status" -eq 1 ]
    return 0
  fi
  hull checkpoint --image-path "$TEST_TMP/img" --work-path "$TEST_TMP/work" "$(cid)"
  local before after
  before=$(cat "$BUNDLE/rootfs/count")
  [ "$(hull state "$(cid)" | jq -r .status)" = stopped ]
  hull delete "$(cid)"
  hull restore -d --image-path "$TEST_TMP/img" --work-path "$TEST_TMP/work" -b "$BUNDLE" "$(cid)" \
    </dev/null >/dev/null 2>&1 3>&-
  [ "$(hull state "$(cid)" | jq -r .status)" = running ]
  sleep 0.5
  after=$(cat "$BUNDLE/rootfs/count")
  # it went on from the checkpointed value, not from 1
  [ "$after" -gt "$before" ]
  [ "$after" -lt $((before + 30)) ]
}

@test "checkpoint of a container that is not running fails" {
  run hull checkpoint --image-path "$TEST_TMP/img" nosuch
  [ "$status" -eq 1 ]
  [[ "$output" == *"does not exist"* ]]
}
