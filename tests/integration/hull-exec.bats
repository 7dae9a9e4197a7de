#!/usr/bin/env bats
# hull exec: a process in a running container joins its namespaces, cgroup
# and root, with the container's process settings or a --process file.

load hull-helpers

setup() {
  [ "$(id -u)" = 0 ] || skip "needs root"
  setup_hull
}

teardown() {
  teardown_hull
}

# Start a detached container running `sleep 1000`; sets ID and INIT.
start_sleeper() {
  ID=$(cid)
  set_args sleep 1000
  hull run -d --pid-file "$TEST_TMP/init.pid" -b "$BUNDLE" "$ID" </dev/null >"$TEST_TMP/run.out" 2>&1 3>&- || { cat "$TEST_TMP/run.out"; return 1; }
  INIT=$(cat "$TEST_TMP/init.pid")
}

status_field() {
  echo "$output" | awk -v f="$1:" '$1 == f { print $2 }'
}

@test "exec: the exit code of the process is hull's, 128+signal when killed" {
  start_sleeper
  run hull exec "$ID" sh -c 'exit 7'
  [ "$status" -eq 7 ]
  run hull exec "$ID" sh -c 'kill -9 $$'
  [ "$status" -eq 137 ]
  run hull exec "$ID" true
  [ "$status" -eq 0 ]
}

@test "exec: --env, --cwd and --user; defaults from the container's process" {
  start_sleeper
  run hull exec --env FOO=bar -e BAZ=qux --cwd /tmp -u 1000:1000 "$ID" \
    sh -c 'echo "$FOO $BAZ $TERM"; pwd; id -u; id -g'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "bar qux xterm" ]
  [ "${lines[1]}" = /tmp ]
  [ "${lines[2]}" = 1000 ]
  [ "${lines[3]}" = 1000 ]
  # Without flags: the container's user (root) and cwd (/).
  run hull exec "$ID" sh -c 'id -u; pwd'
  [ "${lines[0]}" = 0 ]
  [ "${lines[1]}" = / ]
}

@test "exec: --additional-gids, --cap and --no-new-privs" {
  start_sleeper
  set_config '.process.noNewPrivileges = false'
  run hull exec -u 1000:1000 --additional-gids 20 --additional-gids 30 "$ID" cat /proc/self/status
  [ "$(status_field Groups)" = 20 ]
  [[ "$output" == *"Groups:	20 30"* ]]
  # CAP_SYS_ADMIN (21) added to the container's CAP_KILL, AUDIT_WRITE, NET_BIND_SERVICE
  run hull exec --cap CAP_SYS_ADMIN "$ID" cat /proc/self/status
  [ "$status" -eq 0 ]
  [ "$(status_field CapEff)" = "$(printf '%016x' $(((1 << 21) | (1 << 5) | (1 << 10) | (1 << 29))))" ]
  [ "$(status_field NoNewPrivs)" = 1 ]
}

@test "exec --process: args, env, cwd, caps and noNewPrivileges from the file" {
  start_sleeper
  cat >"$TEST_TMP/process.json" <<'EOF'
{"args": ["sh", "-c", "echo $GREETING; pwd; grep -E 'CapEff|NoNewPrivs' /proc/self/status"],
 "env": ["PATH=/bin", "GREETING=hello"], "cwd": "/etc", "user": {"uid": 0, "gid": 0},
 "capabilities": {"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"]},
 "noNewPrivileges": true}
EOF
  run hull exec --process "$TEST_TMP/process.json" "$ID"
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = hello ]
  [ "${lines[1]}" = /etc ]
  [ "$(status_field CapEff)" = 0000000000000020 ]
  [ "$(status_field NoNewPrivs)" = 1 ]
  # a broken file is a clear error
  echo '{"args": 5}' >"$TEST_TMP/bad.json"
  run hull exec --process "$TEST_TMP/bad.json" "$ID"
  [ "$status" -eq 1 ]
  [[ "$output" == *bad.json* ]]
}

@test "exec: joins every namespace of the container's init" {
  start_sleeper
  run hull exec "$ID" sh -c 'for n in pid net ipc uts mnt cgroup user; do readlink /proc/self/ns/$n; done'
  [ "$status" -eq 0 ]
  local i=0 n
  for n in pid net ipc uts mnt cgroup user; do
    [ "${lines[$i]}" = "$(readlink /proc/$INIT/ns/$n)" ]
    i=$((i + 1))
  done
  # and it sees the container's root, not the host's
  run hull exec "$ID" sh -c 'cat /proc/1/cmdline | tr "\0" " "; test -e /work && echo HOST'
  [[ "$output" == "sleep 1000"* ]]
  [[ "$output" != *HOST* ]]
}

@test "exec: a user namespace is joined first" {
  chmod 755 "$TEST_TMP"
  set_config '.linux.namespaces += [{"type": "user"}]
    | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
  start_sleeper
  run hull exec "$ID" sh -c 'id -u; cat /proc/self/uid_map; readlink /proc/self/ns/user'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = 0 ]
  [[ "${lines[1]}" == *"0"*"100000"*"65536" ]]
  [ "${lines[2]}" = "$(readlink /proc/$INIT/ns/user)" ]
}

@test "exec --detach --pid-file: returns at once, the pid is the process's" {
  start_sleeper
  # the detached process keeps hull's stdio: not bats' pipes
  hull exec -d --pid-file "$TEST_TMP/exec.pid" "$ID" sleep 300 </dev/null >/dev/null 2>&1 3>&-
  local pid
  pid=$(cat "$TEST_TMP/exec.pid")
  [ "$(tr '\0' ' ' </proc/$pid/cmdline)" = "sleep 300 " ]
  [ "$(readlink /proc/$pid/ns/pid)" = "$(readlink /proc/$INIT/ns/pid)" ]
  [ "$(readlink /proc/$pid/root)" = / ]
  [ "$(stat -L -c %i /proc/$pid/root/)" = "$(stat -L -c %i /proc/$INIT/root/)" ]
}

@test "exec -t --console-socket: the process has a tty" {
  start_sleeper
  cc -o "$TEST_TMP/recvtty" "$SRCDIR/tests/integration/recvtty.c"
  "$TEST_TMP/recvtty" "$TEST_TMP/console.sock" "$TEST_TMP/ptyname" "$TEST_TMP/ttyout" 3>&- &
  for i in $(seq 50); do [ -S "$TEST_TMP/console.sock" ] && break; sleep 0.1; done
  hull exec -t -d --console-socket "$TEST_TMP/console.sock" "$ID" sh -c 'tty; test -t 0 && echo IS-A-TTY' \
    </dev/null >/dev/null 2>&1 3>&-
  wait
  grep -q '^/dev/pts/[0-9]' "$TEST_TMP/ptyname"
  grep -q IS-A-TTY "$TEST_TMP/ttyout"
}

@test "exec -t in the foreground copies the pty; -t -d without a socket is refused" {
  start_sleeper
  run hull exec -t "$ID" sh -c 'test -t 1 && echo IS-A-TTY; exit 3'
  [ "$status" -eq 3 ]
  [[ "$output" == *IS-A-TTY* ]]
  run hull exec -t -d "$ID" true
  [ "$status" -eq 1 ]
  [[ "$output" == *"console socket"* ]]
}

@test "exec: the container's seccomp filter applies" {
  set_config '.root.readonly = false | .linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
    "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}'
  start_sleeper
  run hull exec "$ID" mkdir /newdir
  [ "$status" -ne 0 ]
  [[ "$output" == *"Operation not permitted"* ]]
  [ ! -e "$BUNDLE/rootfs/newdir" ]
  run hull exec "$ID" grep Seccomp: /proc/self/status
  [[ "$output" == *2 ]]
}

@test "exec into a stopped container fails" {
  ID=$(cid)
  set_args true
  hull run -d -b "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1 3>&-
  for i in $(seq 50); do [ "$(hull state "$ID" | jq -r .status)" = stopped ] && break; sleep 0.1; done
  run hull exec "$ID" true
  [ "$status" -eq 1 ]
  [[ "$output" == *"cannot exec in a stopped container"* ]]
  run hull exec nosuchcontainer true
  [ "$status" -eq 1 ]
  [[ "$output" == *"does not exist"* ]]
}

@test "exec into a paused container needs --ignore-paused" {
  hull pause --help >/dev/null 2>&1 || skip "no hull pause"
  start_sleeper
  hull pause "$ID" || skip "cannot freeze here"
  run hull exec "$ID" true
  [ "$status" -eq 1 ]
  [[ "$output" == *paused* ]]
  hull exec -d --ignore-paused --pid-file "$TEST_TMP/p" "$ID" sleep 100 </dev/null >/dev/null 2>&1 3>&-
  [ -s "$TEST_TMP/p" ]
  hull resume "$ID"
}

@test "exec --preserve-fds passes fd 3; other fds never leak" {
  start_sleeper
  echo preserved-content >"$TEST_TMP/fd3"
  run hull exec --preserve-fds 1 "$ID" sh -c 'cat /proc/self/fd/3' 3<"$TEST_TMP/fd3"
  [ "$status" -eq 0 ]
  [ "$output" = preserved-content ]
  # seen from the host: the process has exactly 0-2 (+ the preserved fd 3)
  hull exec -d --pid-file "$TEST_TMP/p1" "$ID" sleep 300 </dev/null >/dev/null 2>&1 3<"$TEST_TMP/fd3" 4<"$TEST_TMP/fd3"
  [ "$(ls /proc/$(cat "$TEST_TMP/p1")/fd | sort -n | tr '\n' ' ')" = "0 1 2 " ]
  hull exec -d --preserve-fds 1 --pid-file "$TEST_TMP/p2" "$ID" sleep 300 </dev/null >/dev/null 2>&1 3<"$TEST_TMP/fd3" 4<"$TEST_TMP/fd3"
  [ "$(ls /proc/$(cat "$TEST_TMP/p2")/fd | sort -n | tr '\n' ' ')" = "0 1 2 3 " ]
}

@test "exec --cwd through a symlink that points outside stays in the container" {
  set_config '.root.readonly = false'
  start_sleeper
  ln -s /../../../../.. "$BUNDLE/rootfs/tmp/escape"
  touch "/tmp/hull-exec-host-marker-$$"
  run hull exec --cwd /tmp/escape "$ID" sh -c "pwd; ls /tmp/hull-exec-host-marker-$$ 2>&1; ls -d bin"
  rm -f "/tmp/hull-exec-host-marker-$$"
  # the host's /tmp/marker is not visible; the cwd is the container's root
  [[ "${lines[1]}" == *"No such file"* ]]
  [ "${lines[2]}" = bin ]
  [ -d "$BUNDLE/rootfs/bin" ]
}

@test "exec: bad flags are clear errors" {
  start_sleeper
  run hull exec -u abc "$ID" true
  [ "$status" -eq 1 ]
  [[ "$output" == *"invalid --user"* ]]
  run hull exec "$ID"
  [ "$status" -eq 1 ]
  [[ "$output" == *"no command"* ]]
  run hull exec --cgroup sub "$ID" true
  [ "$status" -eq 0 ] || [[ "$output" == *cgroup* ]]
}
