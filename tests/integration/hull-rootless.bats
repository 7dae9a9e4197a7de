#!/usr/bin/env bats
# Rootless hull: an unprivileged user (created here) runs a container from
# `hull spec --rootless` with its state under $XDG_RUNTIME_DIR.  Inside, the
# process is root of a user namespace that maps only that user; setgroups is
# denied and no cgroup is made.

load hull-helpers

RUSER=hulltest

setup() {
  [ "$(id -u)" = 0 ] || skip "needs root to create the test user"
  command -v setpriv >/dev/null || skip "no setpriv"
  CREATED_USER=
  if ! id "$RUSER" >/dev/null 2>&1; then
    useradd -M -s /bin/sh "$RUSER"
    CREATED_USER=1
  fi
  RUID=$(id -u "$RUSER")
  RGID=$(id -g "$RUSER")
  setup_hull
  chmod 755 "$TEST_TMP"
  cp "$HULL_BIN" "$TEST_TMP/hull"
  chmod 755 "$TEST_TMP/hull"
  rm "$BUNDLE/config.json"
  mkdir -p "$TEST_TMP/xdg"
  chown -R "$RUID:$RGID" "$BUNDLE" "$TEST_TMP/xdg"
  as_user "$TEST_TMP/hull" spec --rootless --bundle "$BUNDLE"
}

teardown() {
  local id
  for id in $(ls "$TEST_TMP/xdg/hull" 2>/dev/null); do
    as_user "$TEST_TMP/hull" delete --force "$id" >/dev/null 2>&1 || true
  done
  teardown_hull
  if [ -n "${CREATED_USER:-}" ]; then userdel "$RUSER" 2>/dev/null || true; fi
  return 0
}

as_user() {
  (cd "$BUNDLE" && setpriv --reuid="$RUID" --regid="$RGID" --init-groups \
    env XDG_RUNTIME_DIR="$TEST_TMP/xdg" HOME=/ "$@")
}

user_args() {
  local json tmp
  json=$(printf '%s\n' "$@" | jq -R . | jq -s .)
  tmp=$(mktemp)
  jq ".process.args = $json | .process.terminal = false" "$BUNDLE/config.json" >"$tmp"
  chown "$RUID:$RGID" "$tmp"
  chmod 644 "$tmp"
  mv "$tmp" "$BUNDLE/config.json"
}

@test "rootless: uid 0 inside maps to the user, setgroups is denied" {
  user_args sh -c 'id -u; cat /proc/self/uid_map; cat /proc/self/gid_map; cat /proc/self/setgroups'
  run as_user "$TEST_TMP/hull" run "$(cid)"
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = 0 ]
  [ "$(echo "${lines[1]}" | tr -s ' ' | sed 's/^ //')" = "0 $RUID 1" ]
  [ "$(echo "${lines[2]}" | tr -s ' ' | sed 's/^ //')" = "0 $RGID 1" ]
  [ "${lines[3]}" = deny ]
}

@test "rootless: state under \$XDG_RUNTIME_DIR, no cgroup, exec joins the user namespace" {
  user_args sleep 100
  as_user "$TEST_TMP/hull" run -d "$(cid)" </dev/null >/dev/null 2>&1 3>&-
  [ -f "$TEST_TMP/xdg/hull/$(cid)/state.json" ]
  [ "$(jq -r '.cgroup_path // "none"' "$TEST_TMP/xdg/hull/$(cid)/state.json")" = none ]
  [ ! -e "/sys/fs/cgroup/pids/hull/$(cid)" ]
  [ ! -e "/sys/fs/cgroup/unified/hull/$(cid)" ]
  local pid
  pid=$(as_user "$TEST_TMP/hull" state "$(cid)" | jq -r .pid)
  [ "$(stat -c %u /proc/$pid)" = "$RUID" ] || [ "$(awk '/^Uid:/ {print $2}' /proc/$pid/status)" = "$RUID" ]
  run as_user "$TEST_TMP/hull" exec "$(cid)" sh -c 'id -u; readlink /proc/self/ns/user'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = 0 ]
  [ "${lines[1]}" = "$(readlink /proc/$pid/ns/user)" ]
  as_user "$TEST_TMP/hull" delete --force "$(cid)"
  [ ! -e "$TEST_TMP/xdg/hull/$(cid)" ]
}
