#!/usr/bin/env bats
# hull's cgroups: paths (default, absolute, relative, nested, systemd form),
# the hybrid layout, resources with their effects (memory OOM, pids, cpu
# quota, devices), update, pause/resume, ps, events, kill --all and the
# removal of the cgroup on delete.

load hull-helpers

CG=/sys/fs/cgroup

setup() {
  setup_hull
  set_config '.root.readonly = false'
  ID=$(cid)
  # Top-level cgroup directories a test may create (removed in teardown).
  TOP="hulltest-$$-$BATS_TEST_NUMBER"
  SLICE_EXISTED=$(ls -d $CG/pids/system.slice 2>/dev/null || true)
}

# Every hierarchy root: the v1 ones and the unified one.
hierarchies() {
  local d
  for d in "$CG"/*/; do
    [ -e "$d/cgroup.procs" ] && echo "${d%/}"
  done
}

rm_cgroup_tree() {
  local h
  for h in $(hierarchies); do
    [ -d "$h/$1" ] && find "$h/$1" -depth -type d -exec rmdir {} \; 2>/dev/null
  done
  return 0
}

teardown() {
  [ -n "${EVENTS_PID:-}" ] && kill "$EVENTS_PID" 2>/dev/null
  teardown_hull
  [ -n "${ESCAPED:-}" ] && kill -9 "$ESCAPED" 2>/dev/null
  rm_cgroup_tree "$TOP"
  [ -z "$SLICE_EXISTED" ] && rm_cgroup_tree system.slice
  true
}

hull_detached() {
  hull "$@" </dev/null >"$TEST_TMP/stdout" 2>"$TEST_TMP/stderr" 3>&-
}

run_bg() {
  set_args sh -c "$1"
  hull_detached run -d --bundle "$BUNDLE" "$ID"
}

# The container's directory for a controller (default path /hull/<id>).
cgdir() {
  echo "$CG/$1${2:-/hull/$ID}"
}

wait_until() {
  local i
  for i in $(seq 50); do
    eval "$1" && return 0
    sleep 0.1
  done
  return 1
}

status_of() {
  hull state "$1" | jq -r .status
}

@test "the default cgroup /hull/<id> is in every hierarchy while running and gone after delete" {
  run_bg 'sleep 100'
  pid=$(hull state "$ID" | jq .pid)
  for h in $(hierarchies); do
    [ -d "$h/hull/$ID" ]
    grep -qx "$pid" "$h/hull/$ID/cgroup.procs"
  done
  # hybrid: the unified hierarchy tracks the container too
  if [ "$(stat -f -c %T $CG/unified 2>/dev/null)" = cgroup2fs ]; then
    grep -qx "$pid" "$CG/unified/hull/$ID/cgroup.procs"
  fi
  hull_detached delete --force "$ID"
  for h in $(hierarchies); do
    [ ! -e "$h/hull/$ID" ]
  done
}

@test "the container's cgroup namespace root is its own cgroup" {
  run_bg 'cat /proc/self/cgroup > /tmp/cg; sleep 100'
  wait_until '[ -s "$BUNDLE/rootfs/tmp/cg" ]'
  ! grep -v ':/$' "$BUNDLE/rootfs/tmp/cg"
  grep -q '^0::/$' "$BUNDLE/rootfs/tmp/cg"
}

# Without a cgroup namespace /proc/self/cgroup shows the container's path
# on every line (v1 controllers and the unified one).
expect_own_cgroup_everywhere() {
  [ "$status" -eq 0 ]
  [ -n "$output" ]
  ! grep -v ":/hull/$ID\$" <<<"$output"
}

@test "the init is in its cgroup in every hierarchy: plain, in a new user namespace, in a pid namespace joined by path" {
  chmod 755 "$TEST_TMP" # the user namespace's root must reach the rootfs
  set_config '.linux.namespaces |= map(select(.type != "cgroup"))
    | .mounts |= map(select(.destination != "/sys/fs/cgroup"))'
  set_args cat /proc/self/cgroup
  run hull run --bundle "$BUNDLE" "$ID"
  expect_own_cgroup_everywhere

  cp "$BUNDLE/config.json" "$TEST_TMP/plain.json"
  set_config '.linux.namespaces += [{"type": "user"}]
    | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
  run hull run --bundle "$BUNDLE" "$ID"
  expect_own_cgroup_everywhere

  # The init forks into the joined pid namespace: the grandchild must be
  # born in the cgroup.
  cp "$TEST_TMP/plain.json" "$BUNDLE/config.json"
  unshare --pid --fork sleep 100 &
  ESCAPED=$!
  wait_until 'pgrep -P "$ESCAPED" sleep >/dev/null'
  inner=$(pgrep -P "$ESCAPED" sleep)
  set_config '.linux.namespaces |= map(if .type == "pid" then .path = "/proc/'"$inner"'/ns/pid" else . end)'
  run hull run --bundle "$BUNDLE" "$ID"
  kill -9 "$inner"
  expect_own_cgroup_everywhere
}

@test "create moves nothing by pid into the cgroup (no RCU grace period)" {
  command -v strace >/dev/null || skip "strace not installed"
  set_args true
  run strace -f -qq -e trace=openat -o "$TEST_TMP/trace" "$HULL_BIN" --root "$HULL_ROOT" run --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ]
  # v1: the init joins by writing "0" to every tasks file itself
  if [ -n "$(ls "$CG"/*/tasks 2>/dev/null)" ]; then
    grep -q '/tasks", O_WRONLY' "$TEST_TMP/trace"
  fi
  ! grep 'cgroup.procs".*O_WRONLY' "$TEST_TMP/trace"
}

@test "an absolute and nested cgroupsPath is created and removed" {
  set_config ".linux.cgroupsPath = \"/$TOP/a/b/$ID\""
  run_bg 'sleep 100'
  pid=$(hull state "$ID" | jq .pid)
  for h in $(hierarchies); do
    grep -qx "$pid" "$h/$TOP/a/b/$ID/cgroup.procs"
  done
  hull_detached delete --force "$ID"
  [ ! -e "$CG/pids/$TOP/a/b/$ID" ]
  [ -d "$CG/pids/$TOP/a/b" ]
}

@test "a relative cgroupsPath lands below hull's own cgroup" {
  set_config ".linux.cgroupsPath = \"$TOP/rel\""
  run_bg 'sleep 100'
  own=$(sed -n 's/^0:://p' /proc/self/cgroup)
  [ -n "$own" ] || own=$(sed -n 's/^[0-9]*:name=systemd://p' /proc/self/cgroup)
  [ "$own" = / ] && own=
  grep -qx "$(hull state "$ID" | jq .pid)" "$CG/pids$own/$TOP/rel/cgroup.procs"
  hull_detached delete --force "$ID"
  [ ! -e "$CG/pids$own/$TOP/rel" ]
}

@test "--systemd-cgroup maps slice:prefix:name to /system.slice/<prefix>-<name>.scope" {
  set_config ".linux.cgroupsPath = \"system.slice:hulltest:$ID\""
  set_args sleep 100
  "$HULL_BIN" --root "$HULL_ROOT" --systemd-cgroup run -d --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1 3>&-
  pid=$(hull state "$ID" | jq .pid)
  grep -qx "$pid" "$CG/pids/system.slice/hulltest-$ID.scope/cgroup.procs"
  grep -qx "$pid" "$CG/memory/system.slice/hulltest-$ID.scope/cgroup.procs"
  "$HULL_BIN" --root "$HULL_ROOT" --systemd-cgroup delete --force "$ID"
  [ ! -e "$CG/pids/system.slice/hulltest-$ID.scope" ]
}

@test "a process allocating past the memory limit is OOM-killed and events reports it" {
  set_config '.linux.resources.memory = {"limit": 33554432, "swap": 33554432}'
  set_args sh -c 'sleep 0.5; dd if=/dev/zero of=/dev/null bs=96M count=1; echo $? > /tmp/dd; sleep 100'
  hull_detached create --bundle "$BUNDLE" "$ID"
  [ "$(cat "$(cgdir memory)/memory.limit_in_bytes")" = 33554432 ]
  hull events --interval 10s "$ID" >"$TEST_TMP/events" 2>&1 3>&- &
  EVENTS_PID=$!
  sleep 0.3
  hull start "$ID"
  wait_until '[ -s "$BUNDLE/rootfs/tmp/dd" ]'
  [ "$(cat "$BUNDLE/rootfs/tmp/dd")" = 137 ]
  wait_until 'grep -q "\"type\":\"oom\"" "$TEST_TMP/events"'
  jq -e --arg id "$ID" 'select(.type == "oom") | .id == $id' "$TEST_TMP/events"
  [ "$(grep -o 'oom_kill [0-9]*' "$(cgdir memory)/memory.oom_control")" = "oom_kill 1" ]
}

@test "a fork bomb stops at pids.limit" {
  set_config '.linux.resources.pids = {"limit": 8}'
  # the shell forks until fork fails (ash gives up on the loop then)
  run_bg '(i=0; while [ $i -lt 30 ]; do sleep 100 & i=$((i+1)); done) 2>/tmp/err; sleep 100'
  wait_until 'grep -qi "fork\|resource temporarily" "$BUNDLE/rootfs/tmp/err"'
  [ "$(cat "$(cgdir pids)/pids.max")" = 8 ]
  [ "$(cat "$(cgdir pids)/pids.current")" -le 8 ]
  [ ! -e "$(cgdir pids)/pids.peak" ] || [ "$(cat "$(cgdir pids)/pids.peak")" -eq 8 ]
  # 30 sleeps were asked for: far fewer run
  [ "$(wc -l < "$(cgdir pids)/cgroup.procs")" -le 8 ]
  [ "$(awk '/^max/ {print $2}' "$(cgdir pids)/pids.events")" -gt 0 ]
}

@test "cpu quota throttles a busy loop" {
  set_config '.linux.resources.cpu = {"quota": 10000, "period": 100000}'
  run_bg 'while :; do :; done'
  [ "$(cat "$(cgdir cpu)/cpu.cfs_quota_us")" = 10000 ]
  sleep 1
  [ "$(awk '/^nr_throttled/ {print $2}' "$(cgdir cpu)/cpu.stat")" -gt 3 ]
  # under 10% of one CPU: at most ~0.1 s of CPU time in the second
  [ "$(cat "$(cgdir cpuacct)/cpuacct.usage")" -lt 400000000 ]
  hull events --stats "$ID" | jq -e '.data.cpu.throttling.throttled_periods > 3'
}

@test "a device not allowed in linux.resources.devices cannot be opened" {
  set_config '.linux.devices = [{"path": "/dev/net/tun", "type": "c", "major": 10, "minor": 200, "fileMode": 438}]'
  set_args sh -c 'echo x > /dev/null && echo null-ok; head -c1 /dev/net/tun'
  run hull run --bundle "$BUNDLE" "$ID"
  [[ "$output" == *null-ok* ]]
  [[ "$output" == *"Operation not permitted"* ]]
  # allowed, the same open reaches the driver (no EPERM from the cgroup)
  set_config '.linux.resources.devices += [{"allow": true, "type": "c", "major": 10, "minor": 200, "access": "rwm"}]'
  run hull run --bundle "$BUNDLE" "$ID"
  [[ "$output" == *null-ok* ]]
  [[ "$output" != *"Operation not permitted"* ]]
}

@test "update changes a running container's limits in the cgroup files" {
  run_bg 'sleep 100'
  hull update --memory 64m --memory-swap 128m --memory-reservation 32M --cpu-quota 20000 --cpu-period 100000 \
    --cpu-share 512 --cpuset-cpus 0 --pids-limit 42 --blkio-weight 300 "$ID"
  [ "$(cat "$(cgdir memory)/memory.limit_in_bytes")" = 67108864 ]
  [ "$(cat "$(cgdir memory)/memory.memsw.limit_in_bytes")" = 134217728 ]
  [ "$(cat "$(cgdir memory)/memory.soft_limit_in_bytes")" = 33554432 ]
  [ "$(cat "$(cgdir cpu)/cpu.cfs_quota_us")" = 20000 ]
  [ "$(cat "$(cgdir cpu)/cpu.shares")" = 512 ]
  [ "$(cat "$(cgdir cpuset)/cpuset.cpus")" = 0 ]
  [ "$(cat "$(cgdir pids)/pids.max")" = 42 ]
  hull update --pids-limit -1 --memory-swap -1 --memory -1 "$ID"
  [ "$(cat "$(cgdir pids)/pids.max")" = max ]
  [ "$(cat "$(cgdir memory)/memory.limit_in_bytes")" -gt 1000000000000 ]
  run hull update --memory lots "$ID"
  [ "$status" -eq 1 ]
  [[ "$output" == *"--memory"* ]]
}

@test "update -r applies a resources.json (and - reads stdin)" {
  run_bg 'sleep 100'
  echo '{"pids": {"limit": 17}, "memory": {"limit": 50331648}}' >"$TEST_TMP/res.json"
  hull update -r "$TEST_TMP/res.json" "$ID"
  [ "$(cat "$(cgdir pids)/pids.max")" = 17 ]
  [ "$(cat "$(cgdir memory)/memory.limit_in_bytes")" = 50331648 ]
  echo '{"cpu": {"shares": 256}}' | hull update -r - --pids-limit 19 "$ID"
  [ "$(cat "$(cgdir cpu)/cpu.shares")" = 256 ]
  [ "$(cat "$(cgdir pids)/pids.max")" = 19 ]
  echo '{"pids": {"limit": "x"}}' >"$TEST_TMP/bad.json"
  run hull update -r "$TEST_TMP/bad.json" "$ID"
  [ "$status" -eq 1 ]
}

@test "pause stops a busy loop, state shows paused, resume continues it" {
  run_bg 'while :; do :; done'
  sleep 0.3
  hull pause "$ID"
  [ "$(status_of "$ID")" = paused ]
  [ "$(cat "$(cgdir freezer)/freezer.state")" = FROZEN ]
  run hull start "$ID"
  [ "$status" -eq 1 ]
  [[ "$output" == *paused* ]]
  t1=$(cat "$(cgdir cpuacct)/cpuacct.usage")
  sleep 0.5
  t2=$(cat "$(cgdir cpuacct)/cpuacct.usage")
  [ "$t1" = "$t2" ]
  hull resume "$ID"
  [ "$(status_of "$ID")" = running ]
  sleep 0.5
  t3=$(cat "$(cgdir cpuacct)/cpuacct.usage")
  [ "$t3" -gt $((t2 + 100000000)) ]
  run hull resume "$ID"
  [ "$status" -eq 1 ]
  [[ "$output" == *"not paused"* ]]
}

@test "delete --force removes a paused container and its cgroup" {
  run_bg 'sleep 100'
  pid=$(hull state "$ID" | jq .pid)
  hull pause "$ID"
  hull delete --force "$ID"
  wait_until '[ ! -d /proc/$pid ]'
  [ ! -e "$(cgdir pids)" ]
}

@test "ps lists the container's processes (table and json)" {
  run_bg 'sleep 101 & sleep 102'
  wait_until '[ "$(hull ps --format json "$ID" | jq length)" = 2 ]'
  pids=$(hull ps --format json "$ID" | jq -r '.[]' | sort)
  [ "$pids" = "$(sort "$(cgdir pids)/cgroup.procs")" ]
  run hull ps "$ID"
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" == *PID*CMD* ]]
  [ "${#lines[@]}" -eq 3 ]
  [[ "$output" == *"sleep 101"* ]]
  [[ "$output" == *"sleep 102"* ]]
  run hull ps "$ID" -o pid,comm
  [ "${lines[0]}" = "    PID COMMAND" ] || [[ "${lines[0]}" == *PID*COMMAND* ]]
  [ "${#lines[@]}" -eq 3 ]
  run hull ps --format yaml "$ID"
  [ "$status" -eq 1 ]
}

@test "kill --all reaches a process that left the init (setsid, double fork)" {
  run_bg '(setsid sleep 1001 &) ; sleep 100'
  wait_until '[ "$(wc -l < "$(cgdir pids)/cgroup.procs")" -eq 2 ]'
  ESCAPED=$(pgrep -f 'sleep 1001')
  grep -qx "$ESCAPED" "$(cgdir pids)/cgroup.procs"
  hull kill --all "$ID" KILL
  wait_until '[ ! -d /proc/$ESCAPED ]'
  wait_until '[ "$(status_of "$ID")" = stopped ]'
}

@test "delete --force after the init was SIGKILLed from the host kills leftovers and removes the cgroup" {
  set_config 'del(.linux.namespaces[] | select(.type == "pid"))'
  run_bg '(setsid sleep 1002 &) ; sleep 100'
  wait_until '[ "$(wc -l < "$(cgdir pids)/cgroup.procs")" -eq 2 ]'
  ESCAPED=$(pgrep -f 'sleep 1002')
  kill -9 "$(hull state "$ID" | jq .pid)"
  wait_until '[ "$(status_of "$ID")" = stopped ]'
  [ -d /proc/"$ESCAPED" ]
  hull delete --force "$ID"
  wait_until '[ ! -d /proc/$ESCAPED ]'
  for h in $(hierarchies); do
    [ ! -e "$h/hull/$ID" ]
  done
}

@test "events --stats prints one runc stats event" {
  set_config '.linux.resources.pids = {"limit": 50}'
  run_bg 'sleep 100'
  run hull events --stats "$ID"
  [ "$status" -eq 0 ]
  [ "${#lines[@]}" -eq 1 ]
  echo "$output" | jq -e --arg id "$ID" '.type == "stats" and .id == $id'
  echo "$output" | jq -e '.data.memory.usage.usage > 0 and .data.pids.current == 1 and .data.pids.limit == 50'
  echo "$output" | jq -e '.data.cpu.usage.total > 0'
  timeout 1 "$HULL_BIN" --root "$HULL_ROOT" events --interval 200ms "$ID" >"$TEST_TMP/ev" 3>&- || true
  [ "$(jq -s 'map(select(.type == "stats")) | length' "$TEST_TMP/ev")" -ge 3 ]
  run hull events --interval soon "$ID"
  [ "$status" -eq 1 ]
  [[ "$output" == *interval* ]]
}

@test "events stops when the container stops; a failed create leaves no cgroup" {
  run_bg 'sleep 0.5'
  run timeout 5 "$HULL_BIN" --root "$HULL_ROOT" events --interval 100ms "$ID"
  [ "$status" -eq 0 ]
  hull delete "$ID"
  [ ! -e "$(cgdir pids)" ]
  set_config '.linux.resources.memory = {"limit": 16777216, "swap": 8388608}'
  set_args true
  run hull run --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 1 ]
  [[ "$output" == *swap* ]]
  [ ! -e "$(cgdir pids)" ]
  [ ! -e "$(cgdir memory)" ]
}
