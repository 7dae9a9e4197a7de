#!/usr/bin/env bats
# podman drives hull as it drives runc: `podman --runtime R` for R in runc
# (proving the test itself) and hull.  Each scenario is one function run
# once per runtime.  podman runs on private storage with cgroupfs, file
# events and --network none (containers.conf in engines-helpers.bash).

bats_require_minimum_version 1.5.0
load engines-helpers

setup_file() {
  podman_setup_file
}

teardown_file() {
  podman_teardown_file
}

setup() {
  OUT=$(mktemp -d "$ENG_TMP/out.XXXXXX")
  NAME=c${BATS_TEST_NUMBER}
}

teardown() {
  podman_cleanup
  [ -n "${OUT:-}" ] && rm -rf "$OUT"
}

# use_runtime R: pmr runs podman with --runtime R.
use_runtime() {
  RT=$1
  RT_BIN=$(runtime_bin "$1")
}

pmr() {
  pm --runtime "$RT_BIN" "$@"
}

state_of() {
  pm inspect -f '{{.State.Status}}' "$1"
}

# A container that counts in /out/count ten times a second and, on SIGUSR1,
# writes /out/usr1; /out is $OUT.
start_worker() {
  pmr run -d --name "$NAME" -v "$OUT:/out" "$ENG_IMAGE" sh -c '
    trap "echo got >/out/usr1" USR1
    n=0
    while :; do n=$((n + 1)); echo $n >/out/count; sleep 0.1; done' >/dev/null
  wait_for 100 test -s "$OUT/count"
}

count() {
  cat "$OUT/count" 2>/dev/null
}

scenario_run_rm() {
  use_runtime "$1"
  run --separate-stderr pmr run --rm "$ENG_IMAGE" echo hi
  [ "$status" -eq 0 ]
  [ "$output" = hi ]
  run pmr run --rm "$ENG_IMAGE" sh -c 'exit 3'
  [ "$status" -eq 3 ]
  run pmr run --rm "$ENG_IMAGE" true
  [ "$status" -eq 0 ]
  # --rm removed every container again
  run pm ps -a -q
  [ "$status" -eq 0 ]
  [ -z "$output" ]
}

scenario_run_tty() {
  local PM
  use_runtime "$1"
  pm_argv
  in_tty "${PM[@]}" --runtime "$RT_BIN" run --rm -t "$ENG_IMAGE" tty </dev/null
  [ "$status" -eq 0 ]
  [ "$output" = /dev/pts/0 ]
  # -it: what is typed reaches the container's shell on its terminal
  in_tty "${PM[@]}" --runtime "$RT_BIN" run --rm -it "$ENG_IMAGE" sh \
    < <(printf 'tty; echo typed-$((6 * 7))\nexit 5\n')
  [ "$status" -eq 5 ]
  output_has_line '^/dev/pts/0$'
  output_has_line '^typed-42$'
}

scenario_exec() {
  local PM
  use_runtime "$1"
  pmr run -d --name "$NAME" "$ENG_IMAGE" sleep 1000 >/dev/null
  # podman drives the runtime under test
  [ "$(pm inspect -f '{{.OCIRuntime}}' "$NAME")" = "$RT_BIN" ]
  run --separate-stderr pmr exec "$NAME" sh -c 'echo in-$$; exit 4'
  [ "$status" -eq 4 ]
  [[ $output =~ ^in-[0-9]+$ ]]
  [ "$output" != in-1 ]
  run --separate-stderr pmr exec "$NAME" cat /proc/1/comm
  [ "$status" -eq 0 ]
  [ "$output" = sleep ]
  pm_argv
  in_tty "${PM[@]}" --runtime "$RT_BIN" exec -it "$NAME" sh \
    < <(printf 'tty; echo typed-$((6 * 7))\nexit 6\n')
  [ "$status" -eq 6 ]
  output_has_line '^/dev/pts/[0-9]+$'
  output_has_line '^typed-42$'
  [ "$(state_of "$NAME")" = running ]
}

scenario_stop() {
  use_runtime "$1"
  # SIGTERM ends a container that handles it: exit code 0 from its trap.
  pmr run -d --name "$NAME" "$ENG_IMAGE" sh -c \
    'trap "exit 0" TERM; while :; do sleep 0.1; done' >/dev/null
  run pmr stop -t 20 "$NAME"
  [ "$status" -eq 0 ]
  [ "$(state_of "$NAME")" = exited ]
  [ "$(pm inspect -f '{{.State.ExitCode}}' "$NAME")" -eq 0 ]
  # pid 1 ignores SIGTERM without a handler: stop falls back to SIGKILL.
  pmr run -d --name "$NAME-k" "$ENG_IMAGE" sleep 1000 >/dev/null
  run pmr stop -t 1 "$NAME-k"
  [ "$status" -eq 0 ]
  [ "$(state_of "$NAME-k")" = exited ]
  [ "$(pm inspect -f '{{.State.ExitCode}}' "$NAME-k")" -eq 137 ]
}

scenario_kill_usr1() {
  use_runtime "$1"
  start_worker
  [ ! -e "$OUT/usr1" ]
  run pmr kill -s USR1 "$NAME"
  [ "$status" -eq 0 ]
  wait_for 100 test -s "$OUT/usr1"
  [ "$(cat "$OUT/usr1")" = got ]
  # the trap returned: the container still runs
  [ "$(state_of "$NAME")" = running ]
  run pmr kill "$NAME"
  [ "$status" -eq 0 ]
  wait_for 100 eval '[ "$(state_of "$NAME")" = exited ]'
}

scenario_pause() {
  local a b
  use_runtime "$1"
  start_worker
  run pmr pause "$NAME"
  [ "$status" -eq 0 ]
  [ "$(state_of "$NAME")" = paused ]
  a=$(count)
  sleep 0.5
  b=$(count)
  [ "$a" = "$b" ]
  run pmr unpause "$NAME"
  [ "$status" -eq 0 ]
  [ "$(state_of "$NAME")" = running ]
  wait_for 50 eval '[ "$(count)" -gt "$b" ]'
}

scenario_rm_force() {
  use_runtime "$1"
  start_worker
  [ "$(state_of "$NAME")" = running ]
  run pmr rm -f "$NAME"
  [ "$status" -eq 0 ]
  run pm container exists "$NAME"
  [ "$status" -eq 1 ]
  run pm ps -a -q
  [ -z "$output" ]
  # the container's processes are gone: the counter stopped
  local a
  a=$(count)
  sleep 0.3
  [ "$(count)" = "$a" ]
}

scenario_rlimit_error() {
  use_runtime "$1"
  # nofile above the hard limit this VM allows (no CAP_SYS_RESOURCE): the
  # runtime's error has to reach podman's user.
  run pmr run --rm --ulimit nofile=30000:30000 "$ENG_IMAGE" true
  [ "$status" -ne 0 ]
  echo "$output" | grep -qiE 'rlimit'
  if [ "$RT" = hull ]; then
    # which limit, the value asked for, and why it cannot be had
    echo "$output" | grep -qE 'RLIMIT_NOFILE.*30000.*20000.*CAP_SYS_RESOURCE'
  fi
}

@test "podman runc: run --rm: output, exit code, removed" { scenario_run_rm runc; }
@test "podman hull: run --rm: output, exit code, removed" { scenario_run_rm hull; }
@test "podman runc: run -t and -it with a terminal" { scenario_run_tty runc; }
@test "podman hull: run -t and -it with a terminal" { scenario_run_tty hull; }
@test "podman runc: exec and exec -it" { scenario_exec runc; }
@test "podman hull: exec and exec -it" { scenario_exec hull; }
@test "podman runc: stop (SIGTERM, then SIGKILL)" { scenario_stop runc; }
@test "podman hull: stop (SIGTERM, then SIGKILL)" { scenario_stop hull; }
@test "podman runc: kill -s USR1 reaches the container" { scenario_kill_usr1 runc; }
@test "podman hull: kill -s USR1 reaches the container" { scenario_kill_usr1 hull; }
@test "podman runc: pause and unpause" { scenario_pause runc; }
@test "podman hull: pause and unpause" { scenario_pause hull; }
@test "podman runc: rm -f a running container" { scenario_rm_force runc; }
@test "podman hull: rm -f a running container" { scenario_rm_force hull; }
@test "podman runc: an rlimit above the hard limit fails with a reason" { scenario_rlimit_error runc; }
@test "podman hull: an rlimit above the hard limit fails with a reason" { scenario_rlimit_error hull; }
