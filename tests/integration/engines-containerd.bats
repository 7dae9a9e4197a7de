#!/usr/bin/env bats
# containerd drives hull as it drives runc: `ctr run --runc-binary R` for R
# in runc (proving the test itself) and hull, through containerd's runc v2
# shim.  The file starts a containerd of its own (engines-helpers.bash) on
# private sockets and state, with the busybox image imported.

bats_require_minimum_version 1.5.0
load engines-helpers

setup_file() {
  containerd_setup_file
}

teardown_file() {
  containerd_teardown_file
}

setup() {
  OUT=$(mktemp -d "$ENG_TMP/out.XXXXXX")
  ID=c${BATS_TEST_NUMBER}
}

teardown() {
  containerd_cleanup
  [ -n "${OUT:-}" ] && rm -rf "$OUT"
}

# ctr_argv R: CTR, the `ctr run` command line for runtime R.
ctr_argv() {
  CTR=(ctr -a "$CTRD_DIR/containerd.sock" -n "$ENG_NS")
  CTR_RUN=("${CTR[@]}" run --runc-binary "$(runtime_bin "$1")"
    --runc-root "$CTRD_DIR/runc-root" --fifo-dir "$CTRD_DIR/fifo")
}

# task_field ID COLUMN: PID or STATUS of task ID from `ctr task ls`.
task_field() {
  ctrc task ls | awk -v id="$1" -v col="$2" '
    NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i; next }
    $1 == id { print $c }'
}

# A detached task that counts in /out/count ten times a second and, on
# SIGUSR1, writes /out/usr1; /out is $OUT.
start_worker() {
  ctr_run "$1" -d --mount "type=bind,src=$OUT,dst=/out,options=rbind:rw" \
    "$ENG_IMAGE" "$ID" sh -c '
    trap "echo got >/out/usr1" USR1
    n=0
    while :; do n=$((n + 1)); echo $n >/out/count; sleep 0.1; done' >/dev/null
  wait_for 100 test -s "$OUT/count"
}

count() {
  cat "$OUT/count" 2>/dev/null
}

scenario_run_rm() {
  run --separate-stderr ctr_run "$1" --rm "$ENG_IMAGE" "$ID" echo hi
  [ "$status" -eq 0 ]
  [ "$output" = hi ]
  run ctr_run "$1" --rm "$ENG_IMAGE" "$ID-3" sh -c 'exit 3'
  [ "$status" -eq 3 ]
  run ctr_run "$1" --rm "$ENG_IMAGE" "$ID-t" true
  [ "$status" -eq 0 ]
  # --rm removed the containers and their tasks
  [ -z "$(ctrc containers ls -q)" ]
  [ -z "$(ctrc task ls -q)" ]
}

scenario_run_tty() {
  local CTR CTR_RUN
  ctr_argv "$1"
  in_tty "${CTR_RUN[@]}" --rm -t "$ENG_IMAGE" "$ID" tty </dev/null
  [ "$status" -eq 0 ]
  # ctr's raw terminal echoes script's end of input as ^@
  [[ $output =~ ^(\^@)?/dev/pts/0$ ]]
  # what is typed reaches the container's shell on its terminal
  in_tty "${CTR_RUN[@]}" --rm -t "$ENG_IMAGE" "$ID-i" sh \
    < <(printf 'tty; echo typed-$((6 * 7))\nexit 5\n')
  [ "$status" -eq 5 ]
  output_has_line '^/dev/pts/0$'
  output_has_line '^typed-42$'
}

scenario_exec() {
  local CTR CTR_RUN
  ctr_run "$1" -d "$ENG_IMAGE" "$ID" sleep 1000 >/dev/null
  run --separate-stderr ctrc task exec --fifo-dir "$CTRD_DIR/fifo" --exec-id e1 \
    "$ID" sh -c 'echo in-$$; cat /proc/1/comm; exit 4'
  [ "$status" -eq 4 ]
  [[ ${lines[0]} =~ ^in-[0-9]+$ ]]
  [ "${lines[0]}" != in-1 ]
  [ "${lines[1]}" = sleep ]
  ctr_argv "$1"
  in_tty "${CTR[@]}" task exec --fifo-dir "$CTRD_DIR/fifo" --exec-id e2 -t "$ID" sh \
    < <(printf 'tty; echo typed-$((6 * 7))\nexit 6\n')
  [ "$status" -eq 6 ]
  output_has_line '^/dev/pts/[0-9]+$'
  output_has_line '^typed-42$'
  [ "$(task_field "$ID" STATUS)" = RUNNING ]
}

scenario_ps() {
  local pid
  ctr_run "$1" -d "$ENG_IMAGE" "$ID" sleep 1000 >/dev/null
  pid=$(task_field "$ID" PID)
  [ -n "$pid" ]
  [ "$(cat "/proc/$pid/comm")" = sleep ]
  # the shim drove the runtime under test: its state names the task running
  run "$(runtime_bin "$1")" --root "$CTRD_DIR/runc-root/$ENG_NS" state "$ID"
  [ "$status" -eq 0 ]
  [ "$(echo "$output" | jq -r .status)" = running ]
  [ "$(echo "$output" | jq -r .pid)" = "$pid" ]
  run ctrc task ps "$ID"
  [ "$status" -eq 0 ]
  # a header and exactly the one process, the task's init
  [ "${#lines[@]}" -eq 2 ]
  [ "$(echo "${lines[1]}" | awk '{print $1}')" = "$pid" ]
}

scenario_pause() {
  local a b
  start_worker "$1"
  run ctrc task pause "$ID"
  [ "$status" -eq 0 ]
  [ "$(task_field "$ID" STATUS)" = PAUSED ]
  a=$(count)
  sleep 0.5
  b=$(count)
  [ "$a" = "$b" ]
  run ctrc task resume "$ID"
  [ "$status" -eq 0 ]
  [ "$(task_field "$ID" STATUS)" = RUNNING ]
  wait_for 50 eval '[ "$(count)" -gt "$b" ]'
}

scenario_kill() {
  start_worker "$1"
  [ ! -e "$OUT/usr1" ]
  run ctrc task kill -s SIGUSR1 "$ID"
  [ "$status" -eq 0 ]
  wait_for 100 test -s "$OUT/usr1"
  [ "$(cat "$OUT/usr1")" = got ]
  [ "$(task_field "$ID" STATUS)" = RUNNING ]
  run ctrc task kill -s SIGKILL "$ID"
  [ "$status" -eq 0 ]
  wait_for 100 eval '[ "$(task_field "$ID" STATUS)" = STOPPED ]'
  run ctrc task delete "$ID"
  [ "$status" -eq 0 ]
  [ -z "$(ctrc task ls -q)" ]
  run ctrc containers delete "$ID"
  [ "$status" -eq 0 ]
}

@test "containerd runc: ctr run --rm: output, exit code, removed" { scenario_run_rm runc; }
@test "containerd hull: ctr run --rm: output, exit code, removed" { scenario_run_rm hull; }
@test "containerd runc: ctr run -t with a terminal" { scenario_run_tty runc; }
@test "containerd hull: ctr run -t with a terminal" { scenario_run_tty hull; }
@test "containerd runc: ctr task exec and exec -t" { scenario_exec runc; }
@test "containerd hull: ctr task exec and exec -t" { scenario_exec hull; }
@test "containerd runc: ctr task ps" { scenario_ps runc; }
@test "containerd hull: ctr task ps" { scenario_ps hull; }
@test "containerd runc: ctr task pause and resume" { scenario_pause runc; }
@test "containerd hull: ctr task pause and resume" { scenario_pause hull; }
@test "containerd runc: ctr task kill SIGUSR1, then SIGKILL" { scenario_kill runc; }
@test "containerd hull: ctr task kill SIGUSR1, then SIGKILL" { scenario_kill hull; }
