#!/usr/bin/env bats
# berth with another OCI runtime: the core of berth-containers.bats (exit
# code, -e, -d + stop, logs, exec, rm) with `--runtime $(command -v runc)`
# and with crun.
#
# crun 1.8 refuses this kind of host ("cgroups in hybrid mode not
# supported"), so every crun-driven berth command runs in a private mount
# namespace with a tmpfs over /sys/fs/cgroup/unified (as
# tests/bench/runtime-start.sh does): crun then sees a pure cgroup v1
# layout.  The host's mounts are untouched; the monitors started there keep
# that namespace.

bats_require_minimum_version 1.5.0

load berth-helpers

setup_file() {
  berth_setup_file
}

teardown_file() {
  berth_teardown_file
}

setup() {
  common_setup
}

teardown() {
  local id
  for id in $(berth ps -aq --no-trunc 2>/dev/null); do
    in_rt_ns "$BERTH" --root "$BERTH_ROOT" --runroot "$BERTH_RUNROOT" rm -f -v "$id" >/dev/null 2>&1 || true
  done
  berth_cleanup
  common_teardown
}

# in_rt_ns ARGV...: ARGV in the namespace crun needs when $RT is crun and
# the host has a cgroup2 mount at /sys/fs/cgroup/unified; as is otherwise.
in_rt_ns() {
  if [ "${RT:-}" = crun ] && [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
    unshare -m sh -c 'mount -t tmpfs none /sys/fs/cgroup/unified && exec "$@"' sh "$@"
  else
    "$@"
  fi
}

# rberth ARGS...: berth with --runtime $RT_PATH (inside the namespace for crun).
rberth() {
  timeout -k 5 "$BERTH_TIMEOUT" sh -c '
    rt=$1; shift
    if [ "$rt" = crun ] && [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
      exec unshare -m sh -c "mount -t tmpfs none /sys/fs/cgroup/unified && exec \"\$@\"" sh "$@"
    fi
    exec "$@"' sh "$RT" "$BERTH" --root "$BERTH_ROOT" --runroot "$BERTH_RUNROOT" --runtime "$RT_PATH" "$@"
}

use_runtime() {
  RT=$1
  RT_PATH=$(command -v "$1") || skip "$1 is not installed"
}

# The core checks, for the runtime set by use_runtime.
core_run_exit_code() {
  run rberth run --rm "$BUSYBOX_IMAGE" echo "hello from $RT"
  if [ "$RT" = crun ] && [[ "$output" == *"hybrid"* ]]; then
    skip "crun refuses this cgroup-hybrid host even in a private mount namespace: $output"
  fi
  [ "$status" -eq 0 ] || {
    echo "berth --runtime $RT_PATH run: exit $status: $output"
    false
  }
  [ "$output" = "hello from $RT" ]
  run rberth run --rm "$BUSYBOX_IMAGE" sh -c 'exit 3'
  [ "$status" -eq 3 ]
  run -127 rberth run --rm "$BUSYBOX_IMAGE" no-such-command
}

core_env() {
  run rberth run --rm -e FOO=bar -e A=1 "$BUSYBOX_IMAGE" sh -c 'echo $FOO$A'
  [ "$status" -eq 0 ]
  [ "$output" = bar1 ]
}

core_detach_stop_logs() {
  run rberth run -d --name "d-$RT" "$BUSYBOX_IMAGE" sh -c 'echo started; trap "echo stopping; exit 0" TERM; while :; do sleep 0.1; done'
  [ "$status" -eq 0 ]
  [[ "$output" =~ ^[0-9a-f]{64}$ ]]
  id=$output
  [ "$(berth inspect --format '{{.HostConfig.Runtime}}' "$id")" = "$RT_PATH" ] ||
    [ "$(berth inspect --format '{{.HostConfig.Runtime}}' "$id")" = "$RT" ]
  wait_for 50 state_is "d-$RT" running
  sleep 0.3
  run rberth stop "d-$RT"
  [ "$status" -eq 0 ]
  [ "$(ctr_state "d-$RT")" = exited ]
  [ "$(ctr_inspect "d-$RT" '{{.State.ExitCode}}')" = 0 ]
  run rberth logs "d-$RT"
  [ "${lines[0]}" = started ]
  [ "${lines[1]}" = stopping ]
  run rberth rm "d-$RT"
  [ "$status" -eq 0 ]
}

core_exec() {
  rberth run -d --name "x-$RT" "$BUSYBOX_IMAGE" sleep 300 >/dev/null
  run rberth exec -e E=1 -u bob -w /tmp "x-$RT" sh -c 'echo $E $(id -u) $(pwd)'
  [ "$status" -eq 0 ]
  [ "$output" = "1 1000 /tmp" ]
  run rberth exec "x-$RT" sh -c 'exit 6'
  [ "$status" -eq 6 ]
  run rberth rm -f "x-$RT"
  [ "$status" -eq 0 ]
  [ -z "$(monitor_pids)" ]
}

@test "runc: run output and exit codes" {
  use_runtime runc
  core_run_exit_code
}

@test "runc: -e" {
  use_runtime runc
  core_env
}

@test "runc: -d, stop, logs, rm" {
  use_runtime runc
  core_detach_stop_logs
}

@test "runc: exec -e -u -w and exit code" {
  use_runtime runc
  core_exec
}

@test "crun: run output and exit codes" {
  use_runtime crun
  core_run_exit_code
}

@test "crun: -e" {
  use_runtime crun
  core_run_exit_code >/dev/null
  core_env
}

@test "crun: -d, stop, logs, rm" {
  use_runtime crun
  core_run_exit_code >/dev/null
  core_detach_stop_logs
}

@test "crun: exec -e -u -w and exit code" {
  use_runtime crun
  core_run_exit_code >/dev/null
  core_exec
}
