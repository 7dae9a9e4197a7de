#!/usr/bin/env bats
# hull's container lifecycle: create/start/run/state/kill/delete/list/spec,
# hooks, logs, preserved fds and the console socket.

load hull-helpers

setup() {
  setup_hull
  set_config '.root.readonly = false'
}

teardown() {
  teardown_hull
}

# create/run -d leave a process behind that must not hold bats' pipes:
# its stdio goes to files, fd 3 (bats' own) is closed.
hull_detached() {
  hull "$@" </dev/null >"$TEST_TMP/stdout" 2>"$TEST_TMP/stderr" 3>&-
}

state_field() {
  hull state "$1" | jq -r ".$2"
}

wait_for_file() {
  local i
  for i in $(seq 50); do
    [ -s "$1" ] && return 0
    sleep 0.1
  done
  return 1
}

wait_stopped() {
  local i
  for i in $(seq 50); do
    [ "$(state_field "$1" status)" = stopped ] && return 0
    sleep 0.1
  done
  return 1
}

assert_no_state_dir() {
  [ -z "$(ls -A "$HULL_ROOT")" ]
}

@test "create, start, kill and delete walk through the states" {
  id=$(cid)
  set_args sh -c 'echo started > /tmp/out; exec sleep 100'
  hull_detached create --bundle "$BUNDLE" --pid-file "$TEST_TMP/pid" "$id"
  [ "$(state_field "$id" status)" = created ]
  pid=$(state_field "$id" pid)
  [ "$pid" -gt 0 ]
  [ "$(cat "$TEST_TMP/pid")" = "$pid" ]
  [ -d "/proc/$pid" ]
  [ ! -e "$BUNDLE/rootfs/tmp/out" ]

  run hull start "$id"
  [ "$status" -eq 0 ]
  wait_for_file "$BUNDLE/rootfs/tmp/out"
  [ "$(cat "$BUNDLE/rootfs/tmp/out")" = started ]
  [ "$(state_field "$id" status)" = running ]
  [ "$(state_field "$id" bundle)" = "$BUNDLE" ]
  [ "$(state_field "$id" rootfs)" = "$BUNDLE/rootfs" ]

  run hull kill "$id" KILL
  [ "$status" -eq 0 ]
  wait_stopped "$id"
  [ "$(state_field "$id" pid)" = 0 ]

  run hull delete "$id"
  [ "$status" -eq 0 ]
  run hull state "$id"
  [ "$status" -eq 1 ]
  [[ "$output" == *"does not exist"* ]]
  assert_no_state_dir
}

@test "run in the foreground returns the exit code and deletes the container" {
  id=$(cid)
  set_args sh -c 'echo hello; exit 7'
  run hull run --bundle "$BUNDLE" "$id"
  [ "$status" -eq 7 ]
  [[ "$output" == *hello* ]]
  assert_no_state_dir
}

@test "run reports a killing signal as 128+signal and --keep keeps the state" {
  id=$(cid)
  set_args sleep 100
  hull run --keep -b "$BUNDLE" "$id" </dev/null >"$TEST_TMP/out" 2>&1 3>&- &
  runner=$!
  for i in $(seq 50); do
    [ "$(state_field "$id" status 2>/dev/null)" = running ] && break
    sleep 0.1
  done
  hull kill "$id" KILL
  rc=0
  wait "$runner" || rc=$?
  [ "$rc" -eq 137 ]
  [ "$(state_field "$id" status)" = stopped ]
  hull delete "$id"
  assert_no_state_dir
}

@test "a foreground run forwards SIGTERM to the container" {
  id=$(cid)
  set_args sh -c 'trap "exit 42" TERM; while :; do sleep 0.1; done'
  # The binary itself (not the hull() wrapper) so that $! is hull's pid.
  "$HULL_BIN" --root "$HULL_ROOT" run -b "$BUNDLE" "$id" </dev/null >"$TEST_TMP/out" 2>&1 3>&- &
  runner=$!
  for i in $(seq 50); do
    [ "$(state_field "$id" status 2>/dev/null)" = running ] && break
    sleep 0.1
  done
  sleep 0.3
  kill -TERM "$runner"
  rc=0
  wait "$runner" || rc=$?
  [ "$rc" -eq 42 ]
  assert_no_state_dir
}

@test "run -d, list as table, json and quiet" {
  id=$(cid)
  set_args sleep 100
  hull_detached run -d -b "$BUNDLE" "$id"
  run hull list
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" == "ID"*"PID"*"STATUS"*"BUNDLE"*"CREATED"*"OWNER" ]]
  [[ "${lines[1]}" == "$id "*running*"$BUNDLE"* ]]
  run hull list --format json
  [ "$status" -eq 0 ]
  [ "$(echo "$output" | jq -r '.[0].id')" = "$id" ]
  [ "$(echo "$output" | jq -r '.[0].status')" = running ]
  [ "$(echo "$output" | jq -r '.[0].pid')" = "$(state_field "$id" pid)" ]
  run hull list -q
  [ "$output" = "$id" ]
}

@test "start twice fails, start of a stopped container fails" {
  id=$(cid)
  set_args sleep 100
  hull_detached create -b "$BUNDLE" "$id"
  hull start "$id"
  run hull start "$id"
  [ "$status" -eq 1 ]
  [[ "$output" == *"already running"* ]]
  hull kill "$id" 9
  wait_stopped "$id"
  run hull start "$id"
  [ "$status" -eq 1 ]
  [[ "$output" == *"cannot start a container that has stopped"* ]]
}

@test "delete of a running container needs --force" {
  id=$(cid)
  set_args sleep 100
  hull_detached run -d -b "$BUNDLE" "$id"
  pid=$(state_field "$id" pid)
  run hull delete "$id"
  [ "$status" -eq 1 ]
  [[ "$output" == *"cannot delete container $id that is not stopped"* ]]
  [ -d "/proc/$pid" ]
  run hull delete --force "$id"
  [ "$status" -eq 0 ]
  ! [ -d "/proc/$pid" ] || grep -q '^State:.*Z' "/proc/$pid/status"
  assert_no_state_dir
}

@test "kill by name, SIG name and number; kill of a stopped container fails" {
  id=$(cid)
  set_args sh -c 'trap "echo usr1 >> /tmp/sig" USR1; trap "echo term >> /tmp/sig; exit 0" TERM; while :; do sleep 0.1; done'
  hull_detached run -d -b "$BUNDLE" "$id"
  sleep 0.3
  hull kill "$id" USR1
  sleep 0.3
  hull kill "$id" SIGUSR1
  sleep 0.3
  hull kill "$id" 15
  wait_stopped "$id"
  [ "$(cat "$BUNDLE/rootfs/tmp/sig")" = "$(printf 'usr1\nusr1\nterm')" ]
  run hull kill "$id"
  [ "$status" -eq 1 ]
  [[ "$output" == *"container not running"* ]]
  run hull kill "$id" NOSUCHSIG
  [ "$status" -eq 1 ]
}

@test "kill --all signals every process of the container" {
  id=$(cid)
  set_args sh -c 'sleep 100 & sleep 100 & wait'
  hull_detached run -d -b "$BUNDLE" "$id"
  sleep 0.3
  run hull kill --all "$id" KILL
  [ "$status" -eq 0 ]
  wait_stopped "$id"
}

@test "duplicate id fails and keeps the first container" {
  id=$(cid)
  set_args sleep 100
  hull_detached create -b "$BUNDLE" "$id"
  run hull create -b "$BUNDLE" "$id"
  [ "$status" -eq 1 ]
  [[ "$output" == *"container with id exists: $id"* ]]
  [ "$(state_field "$id" status)" = created ]
}

@test "invalid ids are refused and leave nothing behind" {
  run hull create -b "$BUNDLE" a/b
  [ "$status" -eq 1 ]
  [[ "$output" == *"invalid container id"* ]]
  run hull create -b "$BUNDLE" ..
  [ "$status" -eq 1 ]
  run hull create -b "$BUNDLE" "$(printf 'a%.0s' $(seq 1025))"
  [ "$status" -eq 1 ]
  [[ "$output" == *"1024"* ]]
  assert_no_state_dir
}

@test "a missing bundle and a malformed config.json give one-line errors" {
  run hull create -b "$TEST_TMP/nonexistent" "$(cid)"
  [ "$status" -eq 1 ]
  [[ "$output" == *"$TEST_TMP/nonexistent"* ]]
  echo '{"ociVersion": ' >"$BUNDLE/config.json"
  run hull create -b "$BUNDLE" "$(cid)"
  [ "$status" -eq 1 ]
  [ "${#lines[@]}" -eq 1 ]
  [[ "$output" == *config.json* ]]
  assert_no_state_dir
}

@test "an unknown namespace names its field" {
  set_config '.linux.namespaces += [{"type": "foo"}]'
  run hull create -b "$BUNDLE" "$(cid)"
  [ "$status" -eq 1 ]
  [[ "$output" == *"linux.namespaces["*"].type: unknown namespace"* ]]
  assert_no_state_dir
}

@test "usage errors name the argument" {
  run hull create
  [ "$status" -eq 1 ]
  [[ "$output" == *"missing argument"* ]]
  run hull delete --bogus x
  [ "$status" -eq 1 ]
  [[ "$output" == *"--bogus"* ]]
  run hull list --format yaml
  [ "$status" -eq 1 ]
  [[ "$output" == *yaml* ]]
}

# A hook that appends its stdin (the state JSON) to $TEST_TMP/hooks.<kind>.
add_hook() {
  local kind=$1
  set_config ".hooks.$kind += [{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"cat > $TEST_TMP/hooks.$kind\"]}]"
}

@test "all six hooks run with the state on stdin" {
  id=$(cid)
  set_args sh -c 'exit 0'
  for kind in prestart createRuntime createContainer startContainer poststart poststop; do
    add_hook "$kind"
  done
  # startContainer runs inside the container: give it a path there.
  set_config ".hooks.startContainer[0].args = [\"sh\", \"-c\", \"cat > /tmp/hook.startContainer\"]"
  run hull run -b "$BUNDLE" "$id"
  [ "$status" -eq 0 ]
  for kind in prestart createRuntime createContainer poststart poststop; do
    [ "$(jq -r .id "$TEST_TMP/hooks.$kind")" = "$id" ]
    [ "$(jq -r .bundle "$TEST_TMP/hooks.$kind")" = "$BUNDLE" ]
  done
  [ "$(jq -r .id "$BUNDLE/rootfs/tmp/hook.startContainer")" = "$id" ]
  [ "$(jq -r .status "$TEST_TMP/hooks.prestart")" = creating ]
  [ "$(jq -r .status "$TEST_TMP/hooks.poststart")" = running ]
  [ "$(jq -r .status "$TEST_TMP/hooks.poststop")" = stopped ]
  [ "$(jq -r .pid "$TEST_TMP/hooks.createRuntime")" -gt 0 ]
}

@test "a failing createRuntime hook fails create and leaves nothing" {
  set_config '.hooks.createRuntime = [{"path": "/bin/sh", "args": ["sh", "-c", "exit 3"]}]'
  run hull create -b "$BUNDLE" "$(cid)"
  [ "$status" -eq 1 ]
  [[ "$output" == *"createRuntime hook #0 (/bin/sh): exit status 3"* ]]
  assert_no_state_dir
}

@test "a hook that outlives its timeout is killed" {
  set_config '.hooks.prestart = [{"path": "/bin/sh", "args": ["sh", "-c", "sleep 30"], "timeout": 1}]'
  start=$(date +%s)
  run hull create -b "$BUNDLE" "$(cid)"
  [ "$status" -eq 1 ]
  [[ "$output" == *"timed out after 1s"* ]]
  [ $(($(date +%s) - start)) -lt 10 ]
  assert_no_state_dir
}

@test "--log-format json logs a failing command as a JSON error line" {
  run hull --log "$TEST_TMP/log.json" --log-format json delete nosuchcontainer
  [ "$status" -eq 1 ]
  [ "$(jq -r .level "$TEST_TMP/log.json")" = error ]
  [[ "$(jq -r .msg "$TEST_TMP/log.json")" == *"does not exist"* ]]
  [[ "$(jq -r .time "$TEST_TMP/log.json")" == 20*T*Z ]]
  run hull --log "$TEST_TMP/log.txt" state nosuchcontainer
  grep -q '^time=".*" level=error msg="container does not exist' "$TEST_TMP/log.txt"
}

@test "--preserve-fds passes fd 3 to the container" {
  echo preserved-content >"$TEST_TMP/fd3"
  set_args sh -c 'cat /proc/self/fd/3'
  run hull run --preserve-fds 1 -b "$BUNDLE" "$(cid)" 3<"$TEST_TMP/fd3"
  [ "$status" -eq 0 ]
  [[ "$output" == *preserved-content* ]]
  # Without --preserve-fds fd 3 is closed.
  set_args sh -c 'test -e /proc/self/fd/3 && echo leaked || echo closed'
  run hull run -b "$BUNDLE" "$(cid)x" 3<"$TEST_TMP/fd3"
  [[ "$output" == *closed* ]]
}

@test "--preserve-fds with a closed fd is refused: hull's own fds never fill the gap" {
  set_args true
  # fds 3..6 closed: without the check the locked state directory and the
  # sync socket would take those numbers and reach the container.
  run hull run --preserve-fds 4 -b "$BUNDLE" "$(cid)" 3>&- 4>&- 5>&- 6>&-
  [ "$status" -ne 0 ]
  [[ "$output" == *"--preserve-fds 4: fd 3 is not open"* ]]
  [ ! -e "$HULL_ROOT/$(cid)" ]
  run hull exec --preserve-fds 2 nosuch true 3>&- 4>&-
  [ "$status" -ne 0 ]
  [[ "$output" == *"--preserve-fds 2: fd 3 is not open"* ]]
}

@test "--console-socket receives the pty master and the container has a tty" {
  cc -o "$TEST_TMP/recvtty" "$SRCDIR/tests/integration/recvtty.c"
  "$TEST_TMP/recvtty" "$TEST_TMP/console.sock" "$TEST_TMP/ptyname" "$TEST_TMP/ttyout" 3>&- &
  for i in $(seq 50); do [ -S "$TEST_TMP/console.sock" ] && break; sleep 0.1; done
  set_config '.process.terminal = true'
  set_args sh -c 'tty; test -t 0 && echo IS-A-TTY'
  hull_detached run -d --console-socket "$TEST_TMP/console.sock" -b "$BUNDLE" "$(cid)"
  wait
  grep -q '^/dev/pts/[0-9]' "$TEST_TMP/ptyname"
  grep -q '/dev/pts/0' "$TEST_TMP/ttyout"
  grep -q IS-A-TTY "$TEST_TMP/ttyout"
}

@test "a terminal without a console socket is refused when detaching" {
  set_config '.process.terminal = true'
  run hull create -b "$BUNDLE" "$(cid)"
  [ "$status" -eq 1 ]
  [[ "$output" == *"console socket"* ]]
  assert_no_state_dir
}

@test "hull spec writes a config that parses and runs" {
  mkdir "$TEST_TMP/spec"
  run hull spec --bundle "$TEST_TMP/spec"
  [ "$status" -eq 0 ]
  jq -e '.process.args == ["sh"] and .process.terminal == true and .root.path == "rootfs"' "$TEST_TMP/spec/config.json"
  run hull spec --bundle "$TEST_TMP/spec"
  [ "$status" -eq 1 ]
  [[ "$output" == *"File config.json exists. Remove it first"* ]]
  rm "$TEST_TMP/spec/config.json"
  hull spec -b "$TEST_TMP/spec" --rootless
  jq -e '.linux.uidMappings[0].hostID == 0 and ([.linux.namespaces[].type] | index("user")) and ([.linux.namespaces[].type] | index("network") | not)' "$TEST_TMP/spec/config.json"
  # The default spec runs the busybox bundle (without a terminal).
  cp "$TEST_TMP/spec/config.json" "$BUNDLE/config.json"
  rm "$TEST_TMP/spec/config.json"
  hull spec -b "$TEST_TMP/spec"
  cp "$TEST_TMP/spec/config.json" "$BUNDLE/config.json"
  set_config '.process.terminal = false | .root.readonly = false'
  set_args sh -c 'echo spec-ok'
  run hull run -b "$BUNDLE" "$(cid)"
  [ "$status" -eq 0 ]
  [[ "$output" == *spec-ok* ]]
}

@test "delete of a created container kills it without --force, as runc" {
  id=$(cid)
  set_args sleep 100
  hull_detached create -b "$BUNDLE" "$id"
  pid=$(state_field "$id" pid)
  run hull delete "$id"
  [ "$status" -eq 0 ]
  ! [ -d "/proc/$pid" ] || grep -q '^State:.*Z' "/proc/$pid/status"
  assert_no_state_dir
}

@test "the remains of a killed create can be deleted" {
  mkdir "$HULL_ROOT/leftover"
  run hull delete leftover
  [ "$status" -eq 0 ]
  assert_no_state_dir
  run hull delete leftover
  [ "$status" -eq 1 ]
  [[ "$output" == *"does not exist"* ]]
}

@test "an error in the container's init is reported by create and leaves nothing" {
  set_args /bin/no-such-binary
  set_config '.mounts += [{"destination": "/mnt", "type": "no-such-fs", "source": "none"}]'
  run hull create -b "$BUNDLE" "$(cid)"
  [ "$status" -eq 1 ]
  [ "${#lines[@]}" -eq 1 ]
  [[ "$output" == hull:*mnt* ]]
  assert_no_state_dir
}

@test "--debug writes debug lines to the log" {
  set_args true
  run hull --debug --log "$TEST_TMP/debug.log" run -b "$BUNDLE" "$(cid)"
  [ "$status" -eq 0 ]
  grep -q 'level=debug msg="container .* created, init pid [0-9]*"' "$TEST_TMP/debug.log"
  run hull --log "$TEST_TMP/quiet.log" run -b "$BUNDLE" "$(cid)x"
  [ "$status" -eq 0 ]
  ! grep -q 'level=debug' "$TEST_TMP/quiet.log" 2>/dev/null
}

@test "a foreground run with a terminal keeps the pty in hull" {
  command -v script >/dev/null || skip "script(1) is not installed"
  set_config '.process.terminal = true'
  set_args sh -c 'tty; test -t 1 && echo IS-A-TTY; exit 3'
  run script -qec "$HULL_BIN --root $HULL_ROOT run -b $BUNDLE $(cid)" /dev/null </dev/null
  [[ "$output" == *"/dev/pts/0"* ]]
  [[ "$output" == *IS-A-TTY* ]]
  assert_no_state_dir
}

@test "delete --force of a container that does not exist succeeds, as runc" {
  run hull delete --force nosuchcontainer
  [ "$status" -eq 0 ]
  run hull delete nosuchcontainer
  [ "$status" -eq 1 ]
}

@test "the container process sees only its stdio and preserved fds" {
  set_args sh -c 'ls /proc/self/fd | tr "\n" " "'
  run hull run -b "$BUNDLE" "$(cid)" 5</dev/null 7>/dev/null
  [ "$status" -eq 0 ]
  # 0-2, and 3: the directory ls is reading.
  [ "$output" = "0 1 2 3 " ]
}

@test "concurrent deletes of one container: one wins, none fails badly" {
  id=$(cid)
  set_args sleep 100
  hull_detached run -d -b "$BUNDLE" "$id"
  for i in 1 2 3 4; do
    ( hull delete "$id" --force >"$TEST_TMP/del.$i" 2>&1; echo $? >"$TEST_TMP/rc.$i" ) 3>&- &
  done
  wait
  [ "$(cat "$TEST_TMP"/rc.* | tr -d '\n')" = 0000 ]
  assert_no_state_dir
}

@test "concurrent creates of one id: exactly one succeeds" {
  id=$(cid)
  set_args sleep 100
  for i in 1 2 3 4; do
    ( "$HULL_BIN" --root "$HULL_ROOT" create -b "$BUNDLE" "$id" </dev/null >/dev/null 2>"$TEST_TMP/err.$i"
      echo $? >"$TEST_TMP/rc.$i" ) 3>&- &
  done
  wait
  [ "$(grep -l '^0$' "$TEST_TMP"/rc.* | wc -l)" -eq 1 ]
  [ "$(grep -l 'container with id exists' "$TEST_TMP"/err.* | wc -l)" -eq 3 ]
  [ "$(state_field "$id" status)" = created ]
}

@test "an unreachable console socket fails create and leaves nothing" {
  set_config '.process.terminal = true'
  run hull create --console-socket "$TEST_TMP/nosuch.sock" -b "$BUNDLE" "$(cid)"
  [ "$status" -eq 1 ]
  [[ "$output" == *"nosuch.sock"* ]]
  assert_no_state_dir
}

@test "options may follow the id and take --flag=value" {
  id=$(cid)
  set_args true
  hull_detached create "$id" --bundle="$BUNDLE" --pid-file="$TEST_TMP/pid"
  [ "$(cat "$TEST_TMP/pid")" = "$(state_field "$id" pid)" ]
  hull delete "$id" --force
  assert_no_state_dir
}

@test "socket activation: LISTEN_FDS fds are passed on and announced" {
  echo activated >"$TEST_TMP/fd3"
  set_args sh -c 'echo "$LISTEN_FDS $LISTEN_PID"; cat /proc/self/fd/3'
  run bash -c 'export LISTEN_FDS=1 LISTEN_PID=$$; exec "$0" --root "$1" run -b "$2" "$3" 3<"$4"' \
    "$HULL_BIN" "$HULL_ROOT" "$BUNDLE" "$(cid)" "$TEST_TMP/fd3"
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "1 1" ]
  [ "${lines[1]}" = activated ]
}
