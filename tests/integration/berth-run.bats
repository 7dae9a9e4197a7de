#!/usr/bin/env bats
# run, create, start, attach, `system boot` and `container cleanup` in the
# details berth-containers.bats leaves out: names and --cidfile, start of
# several containers, attach errors, bind sources, namespaces of other
# containers, the runtime configuration and --runroot.

load berth-helpers

bats_require_minimum_version 1.5.0

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
  berth_cleanup
  common_teardown
}

@test "run: a taken --name is refused with docker's message and exit 125" {
  id=$(berth run -d --name taken "$BUSYBOX_IMAGE" sleep 60)
  run berth run --name taken "$BUSYBOX_IMAGE" true
  [ "$status" -eq 125 ]
  [[ "$output" == *"the container name \"taken\" is already in use by container \"$id\". You have to remove (or rename) that container to be able to reuse that name."* ]]
  run berth run --name 'bad name' "$BUSYBOX_IMAGE" true
  [ "$status" -eq 125 ]
  [[ "$output" == *"Invalid container name (bad name)"* ]]
  run berth ps -aq
  [ "$(printf '%s\n' "$output" | grep -c .)" -eq 1 ]
}

@test "run -a: only the attached streams reach the terminal" {
  run --separate-stderr berth run --rm -a stdout "$BUSYBOX_IMAGE" sh -c 'echo out; echo err >&2'
  [ "$status" -eq 0 ]
  [ "$output" = out ]
  [ -z "$stderr" ]
  run --separate-stderr berth run --rm -a stderr "$BUSYBOX_IMAGE" sh -c 'echo out; echo err >&2'
  [ "$status" -eq 0 ]
  [ -z "$output" ]
  [ "$stderr" = err ]
  run --separate-stderr berth run --rm "$BUSYBOX_IMAGE" sh -c 'echo out; echo err >&2'
  [ "$output" = out ]
  [ "$stderr" = err ]
}

@test "create: prints the id, writes --cidfile, refuses an existing one" {
  run berth create --cidfile "$TEST_TMPDIR/cid" "$BUSYBOX_IMAGE" true
  [ "$status" -eq 0 ]
  [[ "$output" =~ ^[0-9a-f]{64}$ ]]
  [ "$(cat "$TEST_TMPDIR/cid")" = "$output" ]
  [ -f "$BERTH_ROOT/containers/$output/config.json" ]
  [ -f "$BERTH_ROOT/containers/$output/create.json" ]
  run berth create --cidfile "$TEST_TMPDIR/cid" "$BUSYBOX_IMAGE" true
  [ "$status" -eq 125 ]
  [[ "$output" == *"container ID file found"* ]]
}

@test "create: 127 for a missing command leaves nothing behind" {
  run -127 berth create "$BUSYBOX_IMAGE" no-such-command
  [ "$status" -eq 127 ]
  [[ "$output" == *'exec: "no-such-command": executable file not found in $PATH'* ]]
  run berth ps -aq
  [ "$output" = "" ]
  [ -z "$(ls "$BERTH_ROOT/containers")" ]
}

@test "start: several containers, an already running one, a missing one" {
  berth create --name s1 "$BUSYBOX_IMAGE" sleep 60 >/dev/null
  berth run -d --name s2 "$BUSYBOX_IMAGE" sleep 60 >/dev/null
  run berth start s1 s2
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = s1 ]
  [ "${lines[1]}" = s2 ]
  [ "$(ctr_state s1)" = running ]
  run berth start s1 no-such-ctr
  [ "$status" -eq 1 ]
  [[ "$output" == *"No such container: no-such-ctr"* ]]
  [[ "$output" == *"failed to start containers: no-such-ctr"* ]]
  run berth start -a s1 s2
  [ "$status" -eq 125 ]
}

@test "start again: an exited container runs once more with its writable layer" {
  berth run --name again "$BUSYBOX_IMAGE" sh -c 'echo x >>/count; wc -l </count' >/dev/null
  run berth start -a again
  [ "$status" -eq 0 ]
  [ "$output" = 2 ]
}

@test "run --rm returns the exit code after the container is gone" {
  run berth run --rm --name gone "$BUSYBOX_IMAGE" sh -c 'exit 5'
  [ "$status" -eq 5 ]
  run berth inspect gone
  [ "$status" -ne 0 ]
}

@test "attach: refuses a stopped container; streams a running one until it exits" {
  berth create --name idle "$BUSYBOX_IMAGE" true >/dev/null
  run berth attach idle
  [ "$status" -eq 125 ]
  [[ "$output" == *"You cannot attach to a stopped container, start it first"* ]]
  berth run -d --name talker "$BUSYBOX_IMAGE" sh -c 'sleep 1; echo late; exit 7' >/dev/null
  run berth attach --no-stdin talker
  [ "$status" -eq 7 ]
  [ "$output" = late ]
}

@test "bind mounts: -v creates a missing host dir, --mount refuses it" {
  run berth run --rm -v "$TEST_TMPDIR/newdir:/mnt" "$BUSYBOX_IMAGE" sh -c 'echo hi >/mnt/f'
  [ "$status" -eq 0 ]
  [ "$(cat "$TEST_TMPDIR/newdir/f")" = hi ]
  run berth run --rm --mount "type=bind,src=$TEST_TMPDIR/missing,dst=/mnt" "$BUSYBOX_IMAGE" true
  [ "$status" -eq 125 ]
  [[ "$output" == *"bind source path does not exist: $TEST_TMPDIR/missing"* ]]
}

@test "volume copy-up keeps symlinks as symlinks" {
  run berth run --rm -v vol-links:/data "$BUSYBOX_IMAGE" sh -c 'ln -s /etc/passwd /data/link; true'
  [ "$status" -eq 0 ]
  run berth run --rm -v vol-fresh:/bin "$BUSYBOX_IMAGE" ls -l /bin/sh
  [ "$status" -eq 0 ]
  [[ "$output" == *"/bin/sh -> busybox"* ]]
  [ -L "$BERTH_ROOT/volumes/vol-fresh/_data/sh" ]
}

@test "--network container:NAME joins the other container's network namespace" {
  berth run -d --name netowner "$BUSYBOX_IMAGE" sleep 60 >/dev/null
  pid=$(ctr_inspect netowner '{{.State.Pid}}')
  run berth run --rm --network container:netowner "$BUSYBOX_IMAGE" readlink /proc/self/ns/net
  [ "$status" -eq 0 ]
  [ "$output" = "$(readlink "/proc/$pid/ns/net")" ]
  berth create --name notrunning "$BUSYBOX_IMAGE" true >/dev/null
  run berth run --rm --network container:notrunning "$BUSYBOX_IMAGE" true
  [ "$status" -eq 125 ]
  [[ "$output" == *"cannot join network of a non running container"* ]]
}

@test "runtime: berth.conf sets the default, --runtime overrides, runtime state is under --runroot" {
  printf '# test\nruntime = /no/such/runtime\n' >"$BERTH_CONFIG_DIR/berth.conf"
  run berth run --rm "$BUSYBOX_IMAGE" true
  [ "$status" -eq 125 ]
  [[ "$output" == *"/no/such/runtime"* ]]
  run berth --runtime "$HULL" run --rm "$BUSYBOX_IMAGE" echo ok
  [ "$status" -eq 0 ]
  [ "$output" = ok ]
  printf 'runtime = %s  # ours\n' "$HULL" >"$BERTH_CONFIG_DIR/berth.conf"
  id=$(berth run -d "$BUSYBOX_IMAGE" sleep 60)
  [ -d "$BERTH_RUNROOT/runtime/$id" ]
  rm -f "$BERTH_CONFIG_DIR/berth.conf"
}

@test "container cleanup is idempotent and quiet for a missing container" {
  id=$(berth run -d "$BUSYBOX_IMAGE" true)
  wait_for 50 state_is "$id" exited
  run berth container cleanup "$id"
  [ "$status" -eq 0 ]
  run berth container cleanup "$id"
  [ "$status" -eq 0 ]
  run berth container cleanup 0123456789abcdef
  [ "$status" -eq 0 ]
  [ "$output" = "" ]
  # unmounted by the monitor's cleanup, mounted again by start
  run berth start -a "$id"
  [ "$status" -eq 0 ]
}

@test "system boot: unless-stopped comes back, a container without a policy stays down" {
  u=$(berth run -d --name boot-u --restart unless-stopped "$BUSYBOX_IMAGE" sleep 300)
  berth run -d --name boot-no "$BUSYBOX_IMAGE" sleep 300 >/dev/null
  for c in boot-u boot-no; do
    kill -9 "$(cat "$BERTH_ROOT/containers/$(ctr_inspect $c '{{.Id}}')/monitor.pid")"
    kill -9 "$(ctr_inspect $c '{{.State.Pid}}')"
  done
  wait_for 50 sh -c "[ \"\$('$BERTH' --root '$BERTH_ROOT' --runroot '$BERTH_RUNROOT' inspect --format '{{.State.Running}}' boot-u)\" = false ]"
  run berth system boot
  [ "$status" -eq 0 ]
  [ "$output" = boot-u ]
  wait_for 50 state_is boot-u running
  [ "$(ctr_state boot-no)" != running ]
  # nothing to do the second time
  run berth system boot
  [ "$status" -eq 0 ]
  [ "$output" = "" ]
  [ -n "$u" ]
}

@test "run -it: the detach keys leave it running (exit 0), attach gets its exit code" {
  command -v script >/dev/null || skip "script (util-linux) is not installed"
  (sleep 1; printf 'echo in-tty\r'; sleep 0.5; printf '\020\021'; sleep 0.5) |
    timeout 20 script -qec "$BERTH --root $BERTH_ROOT --runroot $BERTH_RUNROOT run -it --name itc $BUSYBOX_IMAGE sh" /dev/null >"$TEST_TMPDIR/out"
  grep -q in-tty "$TEST_TMPDIR/out"
  [ "$(ctr_state itc)" = running ]
  (sleep 1; printf 'exit 9\r'; sleep 1) |
    timeout 20 script -qec "$BERTH --root $BERTH_ROOT --runroot $BERTH_RUNROOT attach itc; echo rc=\$?" /dev/null >"$TEST_TMPDIR/out2"
  grep -q 'rc=9' "$TEST_TMPDIR/out2"
}

@test "health: starting right after run" {
  berth run -d --name hc --health-cmd true --health-interval 1s "$BUSYBOX_IMAGE" sleep 60 >/dev/null
  [ "$(ctr_inspect hc '{{.State.Health.Status}}')" = starting ]
}

@test "help of start, attach, system boot" {
  run berth start --help
  [ "$status" -eq 0 ]
  [[ "$output" == "Usage:  berth start"* ]]
  run berth attach --help
  [[ "$output" == "Usage:  berth attach"* ]]
  run berth system boot --help
  [[ "$output" == "Usage:  berth system boot"* ]]
}
