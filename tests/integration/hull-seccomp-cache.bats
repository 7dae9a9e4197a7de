#!/usr/bin/env bats
# hull: compiled seccomp filters cached under <root>/@seccomp/<key>.bpf,
# reused by later containers and by exec, never trusted when damaged.

load hull-helpers

setup() {
  [ "$(id -u)" = 0 ] || skip "needs root"
  setup_hull
  CACHE=$HULL_ROOT/@seccomp
  set_config '.root.readonly = false | .linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
    "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
    "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}]}'
  set_args sh -c 'mkdir /tmp/x; echo "rc=$?"'
}

teardown() {
  teardown_hull
}

# Run a container; the ERRNO rule must still answer mkdir with ENOSYS.
run_filtered() {
  run hull run -b "$BUNDLE" "$(cid)-$1"
  [ "$status" -eq 0 ]
  [[ "$output" == *"Function not implemented"* ]]
  [[ "$output" == *"rc=1"* ]]
}

entries() {
  find "$CACHE" -maxdepth 1 -type f -name '*.bpf' | sort
}

entry() {
  local e
  e=$(entries)
  [ "$(echo "$e" | wc -l)" -eq 1 ] && [ -n "$e" ]
  echo "$e"
}

@test "seccomp cache: the first container creates one entry, 0700 directory, 0600 file" {
  [ ! -e "$CACHE" ]
  run_filtered 1
  [ "$(stat -c %a "$CACHE")" = 700 ]
  [ "$(entries | wc -l)" -eq 1 ]
  local f
  f=$(entry)
  [ "$(stat -c %a "$f")" = 600 ]
  [[ "$(basename "$f")" =~ ^[0-9a-f]{16}\.bpf$ ]]
  # header: magic, the key (the file's name), the count, the material's
  # length; the material (padded to 8 bytes, it holds the profile); then
  # 8-byte instructions
  [ "$(head -c 8 "$f")" = HULLBPF2 ]
  [ "$(dd if="$f" bs=1 skip=8 count=16 status=none)" = "$(basename "$f" .bpf)" ]
  local size count mlen
  size=$(stat -c %s "$f")
  count=$(od -An -t u4 -j 24 -N 4 "$f" | tr -d ' ')
  mlen=$(od -An -t u4 -j 28 -N 4 "$f" | tr -d ' ')
  [ "$count" -gt 0 ]
  [ "$size" -eq $((32 + (mlen + 7) / 8 * 8 + 8 * count)) ]
  grep -q SCMP_ACT_ERRNO "$f"
  # no temporary files left behind, and `list` does not take it for a container
  [ "$(ls -A "$CACHE" | wc -l)" -eq 1 ]
  run hull list -q
  [[ "$output" != *seccomp* ]]
}

@test "seccomp cache: a second container reuses the entry and the filter still applies" {
  run_filtered 1
  local f before
  f=$(entry)
  before=$(stat -c '%i %y' "$f")
  sleep 0.05
  run_filtered 2
  [ "$(entry)" = "$f" ]
  [ "$(stat -c '%i %y' "$f")" = "$before" ]
}

@test "seccomp cache: exec reuses the container's entry" {
  set_args sleep 100
  hull run -d -b "$BUNDLE" "$(cid)" </dev/null >/dev/null 2>&1 3>&-
  local f before
  f=$(entry)
  before=$(stat -c '%i %y' "$f")
  run hull exec "$(cid)" sh -c 'mkdir /tmp/e; echo "rc=$?"'
  [[ "$output" == *"Function not implemented"* ]]
  [[ "$output" == *"rc=1"* ]]
  [ "$(entry)" = "$f" ]
  [ "$(stat -c '%i %y' "$f")" = "$before" ]
}

@test "seccomp cache: a changed profile makes a second entry" {
  run_filtered 1
  local first
  first=$(entry)
  set_config '.linux.seccomp.syscalls[0].errnoRet = 95'
  set_args sh -c 'mkdir /tmp/x 2>&1; echo "rc=$?"'
  run hull run -b "$BUNDLE" "$(cid)-2"
  [ "$status" -eq 0 ]
  [[ "$output" == *"not supported"* ]]
  [ "$(entries | wc -l)" -eq 2 ]
  [ -e "$first" ]
}

@test "seccomp cache: listenerPath and listenerMetadata are not part of the key" {
  # Without an SCMP_ACT_NOTIFY rule the listener is never contacted.
  set_config '.linux.seccomp.listenerPath = "/nonexistent/a" | .linux.seccomp.listenerMetadata = "a"'
  run_filtered 1
  local f
  f=$(entry)
  set_config '.linux.seccomp.listenerPath = "/nonexistent/b" | .linux.seccomp.listenerMetadata = "b"'
  run_filtered 2
  [ "$(entry)" = "$f" ]
}

@test "seccomp cache: a truncated entry is ignored and rewritten" {
  run_filtered 1
  local f
  f=$(entry)
  cp "$f" "$TEST_TMP/good"
  local size
  size=$(stat -c %s "$f")
  for cut in $((size - 1)) $((size - 8)) 33 32 20 0; do
    truncate -s "$cut" "$f"
    run_filtered "cut$cut"
    cmp "$f" "$TEST_TMP/good"
  done
}

@test "seccomp cache: a damaged header is ignored and rewritten" {
  run_filtered 1
  local f
  f=$(entry)
  cp "$f" "$TEST_TMP/good"
  # offset 0: magic; 8: key; 24: instruction count; 28: material length;
  # 32: the material (the profile this entry was compiled from)
  for off in 0 8 23 24 28 32 60; do
    cp "$TEST_TMP/good" "$f"
    printf '\x7f' | dd of="$f" bs=1 seek="$off" conv=notrunc status=none
    ! cmp -s "$f" "$TEST_TMP/good"
    run_filtered "off$off"
    cmp "$f" "$TEST_TMP/good"
  done
}

@test "seccomp cache: an entry of another profile under this profile's name is not loaded" {
  run_filtered 1
  local mine other
  mine=$(entry)
  cp "$mine" "$TEST_TMP/good"
  # Compile an allow-everything profile into the cache, then plant it under
  # the name of the ERRNO profile's entry: its key does not match the name.
  cp "$BUNDLE/config.json" "$TEST_TMP/config.json"
  set_config '.linux.seccomp.syscalls[0].action = "SCMP_ACT_ALLOW"'
  set_args true
  hull run -b "$BUNDLE" "$(cid)-allow"
  other=$(entries | grep -v "$mine")
  cp "$other" "$mine"
  cp "$TEST_TMP/config.json" "$BUNDLE/config.json"
  run_filtered 2
  cmp "$mine" "$TEST_TMP/good"
  # A colliding name is not enough either: the other entry with this
  # entry's key in its header still holds the other profile.
  cp "$other" "$mine"
  printf '%s' "$(basename "$mine" .bpf)" | dd of="$mine" bs=1 seek=8 conv=notrunc status=none
  run_filtered 3
  cmp "$mine" "$TEST_TMP/good"
}

@test "seccomp cache: a symlink in place of an entry is not followed" {
  run_filtered 1
  local f
  f=$(entry)
  cp "$f" "$TEST_TMP/good"
  printf 'HULLBPF1garbage' >"$TEST_TMP/target"
  rm "$f"
  ln -s "$TEST_TMP/target" "$f"
  run_filtered 2
  [ ! -L "$f" ]
  cmp "$f" "$TEST_TMP/good"
  [ "$(cat "$TEST_TMP/target")" = HULLBPF1garbage ]
}

@test "seccomp cache: no profile, no cache directory" {
  set_config 'del(.linux.seccomp)'
  set_args true
  run hull run -b "$BUNDLE" "$(cid)"
  [ "$status" -eq 0 ]
  [ ! -e "$CACHE" ]
}
