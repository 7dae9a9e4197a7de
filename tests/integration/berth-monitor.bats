#!/usr/bin/env bats
# berth-monitor driven directly (no berth): hull as the runtime, a busybox
# bundle, tests/integration/monitor-client.c as the attach.sock client.

load helpers
bats_require_minimum_version 1.5.0

MONITOR=${MONITOR:-$BUILDDIR/berth-monitor}

setup() {
  [ -x "$MONITOR" ] || skip "$MONITOR not built"
  [ -x "$HULL" ] || skip "$HULL not built"
  TMP=$(mktemp -d /tmp/berth-monitor-test.XXXXXX)
  CDIR=$TMP/c
  mkdir -p "$TMP/rt"
  "$SRCDIR/tests/fixtures/busybox-bundle.sh" --config "$SRCDIR/tests/fixtures/config.json" "$CDIR" >/dev/null
  cc -o "$TMP/client" -I"$SRCDIR" "$SRCDIR/tests/integration/monitor-client.c"
  CID=mon-$BATS_TEST_NUMBER-$$
}

teardown() {
  local id
  for id in $(ls "$TMP/rt" 2>/dev/null); do
    "$HULL" --root "$TMP/rt" delete --force "$id" >/dev/null 2>&1 || true
  done
  # Monitors end once their container is gone.
  wait_monitor_gone 50 || true
  rm -rf "$TMP"
}

# set_args ARG...: the container's process.args (one line each; a terminal
# when TTY=true).
set_args() {
  local json
  json=$(printf '%s\n' "$@" | jq -R . | jq -s .)
  jq --argjson a "$json" --argjson t "${TTY:-false}" '.process.args = $a | .process.terminal = $t' \
    "$CDIR/config.json" >"$TMP/config.json"
  mv "$TMP/config.json" "$CDIR/config.json"
}

monitor_args() {
  echo "$MONITOR" --id "$CID" --dir "$CDIR" --runtime "$HULL" --runtime-root "$TMP/rt"
}

# The monitor is gone when monitor.lock is free again.
wait_monitor_gone() {
  local i
  for i in $(seq "${1:-100}"); do
    flock -n "$CDIR/monitor.lock" true 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

wait_state() {
  local i
  for i in $(seq 100); do
    grep -q "status=$1 " "$CDIR/state" 2>/dev/null && return 0
    sleep 0.1
  done
  cat "$CDIR/state" >&2
  return 1
}

state_field() {
  tr ' ' '\n' <"$CDIR/state" | sed -n "s/^$1=//p"
}

# Start a monitor in its own session, stdio on files, as berth's launcher does.
start_detached() {
  setsid $(monitor_args) "$@" </dev/null >"$TMP/mon.out" 2>"$TMP/mon.err" 3>&- &
}

@test "berth-monitor: output to the log and the client, exit code, cleanup" {
  set_args sh -c 'echo out1; echo err1 >&2; echo out2; exit 3'
  run --separate-stderr "$TMP/client" sync "$CDIR" $(monitor_args) \
    --cleanup-cmd touch --cleanup-cmd "$TMP/cleaned"
  [ "$status" -eq 3 ]
  [ "$output" = "$(printf 'out1\nout2')" ]
  [[ "$stderr" == *"sync: created "* ]]
  [[ "$stderr" == *"sync: started"* ]]
  [[ "$stderr" == *err1* ]]
  wait_monitor_gone
  [ -e "$TMP/cleaned" ]
  [ ! -e "$CDIR/attach.sock" ]
  [ "$(state_field status)" = exited ]
  [ "$(state_field exit)" = 3 ]
  [ "$(state_field restarts)" = 0 ]
  [ "$(state_field pid)" = 0 ]
  [ "$(state_field started)" -gt 0 ]
  [ "$(state_field finished)" -ge "$(state_field started)" ]
  [ "$(grep -c . "$CDIR/ctr.log")" -eq 3 ]
  [ "$(jq -r 'select(.stream == "stdout") | .log' "$CDIR/ctr.log")" = "$(printf 'out1\n\nout2\n')" ]
  [ "$(jq -r 'select(.stream == "stderr") | .log' "$CDIR/ctr.log")" = "$(printf 'err1\n')" ]
  jq -r .time "$CDIR/ctr.log" | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}Z$'
  # The runtime no longer knows the container.
  run "$HULL" --root "$TMP/rt" state "$CID"
  [ "$status" -ne 0 ]
}

@test "berth-monitor: json-file escaping, partial lines and invalid UTF-8" {
  set_args sh -c 'printf "q\"b\\\\s\ttab\033esc<&>\n"; printf "\377bad é\n"; head -c 20000 /dev/zero | tr "\0" a; echo; printf "no newline"'
  run --separate-stderr "$TMP/client" sync "$CDIR" $(monitor_args)
  [ "$status" -eq 0 ]
  wait_monitor_gone
  jq -e . "$CDIR/ctr.log" >/dev/null
  grep -qF '"log":"q\"b\\s\ttab\u001besc\u003c\u0026\u003e\n"' "$CDIR/ctr.log"
  grep -qF '"log":"\ufffdbad é\n"' "$CDIR/ctr.log"
  grep -qF '"log":"no newline","stream":"stdout"' "$CDIR/ctr.log"
  # Docker's 16 KiB limit: a longer line is logged in two parts.
  [ "$(jq -r 'select(.log | startswith("aaa")) | .log | length' "$CDIR/ctr.log" | tr '\n' ' ')" = "16384 3617 " ]
}

@test "berth-monitor: SIGKILL of the monitor leaves the container running" {
  set_args sleep 1000
  start_detached
  wait_state running
  kill -9 "$(cat "$CDIR/monitor.pid")"
  wait_monitor_gone
  [ "$("$HULL" --root "$TMP/rt" state "$CID" | jq -r .status)" = running ]
}

@test "berth-monitor: a create error is reported on the sync fd and the cleanup runs" {
  set_args /nonexistent
  run --separate-stderr "$TMP/client" sync "$CDIR" $(monitor_args) \
    --cleanup-cmd touch --cleanup-cmd "$TMP/cleaned"
  [ "$status" -eq 125 ]
  [[ "$stderr" == *"sync: error "*"/nonexistent"* ]]
  wait_monitor_gone
  [ -e "$TMP/cleaned" ]
}

@test "berth-monitor: restart on-failure:2 restarts twice, the log is appended" {
  set_args sh -c 'echo run; exit 1'
  run $(monitor_args) --restart on-failure:2
  [ "$status" -eq 0 ]
  [ "$(state_field status)" = exited ]
  [ "$(state_field restarts)" = 2 ]
  [ "$(state_field exit)" = 1 ]
  [ "$(grep -c '"log":"run\\n"' "$CDIR/ctr.log")" -eq 3 ]
}

@test "berth-monitor: no restart for a zero exit with on-failure, nor once stopped" {
  set_args sh -c 'exit 0'
  run $(monitor_args) --restart on-failure
  [ "$status" -eq 0 ]
  [ "$(state_field restarts)" = 0 ]
  set_args sh -c 'sleep 0.5; exit 2'
  start_detached --restart always
  wait_state running
  touch "$CDIR/stopped"
  wait_monitor_gone
  [ "$(state_field status)" = exited ]
  [ "$(state_field exit)" = 2 ]
  [ "$(state_field restarts)" = 0 ]
}

@test "berth-monitor: the container survives its launcher; TERM does not stop the monitor" {
  set_args sh -c 'echo up; sleep 1000'
  bash -c "setsid $(monitor_args) </dev/null >/dev/null 2>&1 3>&- & sleep 1000" 3>&- &
  launcher=$!
  wait_state running
  kill -9 "$launcher"
  sleep 0.3
  mpid=$(cat "$CDIR/monitor.pid")
  kill -0 "$mpid"
  kill -TERM "$mpid"
  kill -HUP "$mpid"
  sleep 0.3
  kill -0 "$mpid"
  [ "$("$HULL" --root "$TMP/rt" state "$CID" | jq -r .status)" = running ]
  [ "$(state_field pid)" = "$(cat "$CDIR/pid")" ]
  "$HULL" --root "$TMP/rt" kill "$CID" KILL
  wait_monitor_gone
  [ "$(state_field status)" = exited ]
  [ "$(state_field exit)" = 137 ]
}

@test "berth-monitor: stdin is forwarded and its EOF closes the container's stdin" {
  set_args sh -c 'read a; echo "got:$a"; cat; echo done'
  run --separate-stderr "$TMP/client" sync "$CDIR" $(monitor_args) --stdin <<<"$(printf 'hello\nrest1\nrest2')"
  [ "$status" -eq 0 ]
  [ "$output" = "$(printf 'got:hello\nrest1\nrest2\ndone')" ]
}

@test "berth-monitor: a late client attaches, gets output and the exit code" {
  set_args sh -c 'read a; echo "got:$a"; exit 4'
  start_detached --stdin
  wait_state running
  run "$TMP/client" attach "$CDIR" <<<"late"
  [ "$status" -eq 4 ]
  [ "$output" = "got:late" ]
}

@test "berth-monitor: a tty container gets the pty, stdin and the window size" {
  TTY=true set_args sh -c 'read a; stty size; echo "got:$a"; exit 6'
  MC_SIZE="33 101" run --separate-stderr "$TMP/client" sync "$CDIR" $(monitor_args) --tty --stdin <<<"hi"
  [ "$status" -eq 6 ]
  [[ "$output" == *"33 101"* ]]
  [[ "$output" == *"got:hi"* ]]
  wait_monitor_gone
  [ ! -e "$CDIR/console.sock" ]
  grep -qF '"log":"33 101\r\n","stream":"stdout"' "$CDIR/ctr.log"
}

@test "berth-monitor: health checks run every interval; --log-driver none writes no log" {
  set_args sh -c 'echo x; sleep 1000'
  start_detached --log-driver none --health-interval 100 \
    --health-cmd sh --health-cmd -c --health-cmd "echo >>$TMP/checks"
  wait_state running
  sleep 1
  "$HULL" --root "$TMP/rt" kill "$CID" KILL
  wait_monitor_gone
  [ "$(wc -l <"$TMP/checks")" -ge 3 ]
  [ ! -e "$CDIR/ctr.log" ]
}

@test "berth-monitor: an OOM kill is recorded" {
  set_args tail /dev/zero
  jq --arg c "/berth/$CID" '.linux.cgroupsPath = $c | .linux.resources.memory.limit = 16777216' \
    "$CDIR/config.json" >"$TMP/config.json"
  mv "$TMP/config.json" "$CDIR/config.json"
  run $(monitor_args)
  [ "$status" -eq 0 ]
  [ "$(state_field exit)" = 137 ]
  [ "$(state_field oom)" = 1 ]
}

@test "berth-monitor: a second monitor for the same dir refuses to run" {
  set_args sleep 1000
  start_detached
  wait_state running
  run $(monitor_args) --cleanup-cmd touch --cleanup-cmd "$TMP/cleaned"
  [ "$status" -eq 1 ]
  [[ "$output" == *"another monitor is running"* ]]
  [ ! -e "$TMP/cleaned" ]
  "$HULL" --root "$TMP/rt" kill "$CID" KILL
  wait_monitor_gone
}
