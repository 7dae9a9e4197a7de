#!/usr/bin/env bats
# The commands that work on a container's insides: exec (env, env-file,
# privileged, tty), top, stats, cp (docker's path rules, tar streams,
# symlinks that point out of the rootfs), diff, commit (--change, message)
# and `healthcheck run`.  One private store (berth-helpers.bash).

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
  berth_cleanup
  common_teardown
}

@test "exec: environment of the container, -e, --env-file, HOME" {
  berth run -d --name envc -e FROMRUN=1 "$BUSYBOX_IMAGE" sleep 300
  printf 'A=from-file\n# comment\n\nB=2\n' >"$TEST_TMPDIR/env"
  run berth exec --env-file "$TEST_TMPDIR/env" -e B=3 envc sh -c 'echo $FROMRUN $A $B $HOME'
  [ "$status" -eq 0 ]
  [ "$output" = "1 from-file 3 /root" ]
  run berth exec -u bob envc sh -c 'echo $HOME; id -u'
  [ "${lines[0]}" = /home/bob ]
  [ "${lines[1]}" = 1000 ]
}

@test "exec: --privileged gives all capabilities" {
  berth run -d --name privc "$BUSYBOX_IMAGE" sleep 300
  run berth exec privc sh -c 'grep CapEff /proc/self/status'
  plain=$output
  run berth exec --privileged privc sh -c 'grep CapEff /proc/self/status'
  [ "$status" -eq 0 ]
  [ "$output" != "$plain" ]
}

@test "exec: -t gives the command a terminal" {
  berth run -d --name ttyc "$BUSYBOX_IMAGE" sleep 300
  run berth exec -t ttyc sh -c 'test -t 1 && echo tty; exit 3'
  [ "$status" -eq 3 ]
  [[ "$output" == *tty* ]]
  run berth exec ttyc sh -c 'test -t 1 && echo tty || echo notty'
  [ "$output" = notty ]
}

@test "exec: usage errors and an unknown container" {
  run berth exec
  [ "$status" -eq 125 ]
  run berth exec no-such-container true
  [ "$status" -eq 125 ]
  [[ "$output" == *"No such container"* ]]
  run berth exec --help
  [ "$status" -eq 0 ]
  [[ "$output" == *--detach-keys* ]]
}

@test "top lists the container's processes" {
  berth run -d --name topc "$BUSYBOX_IMAGE" sleep 300
  run berth top topc
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" == UID*PID*PPID*C*STIME*TTY*TIME*CMD ]]
  [[ "$output" == *"sleep 300"* ]]
  run berth top topc -o pid,args
  [ "$status" -eq 0 ]
  [[ "$output" == *"sleep 300"* ]]
  [ "${#lines[@]}" -eq 2 ]
}

@test "stats --no-stream prints docker's columns" {
  berth run -d --name statc "$BUSYBOX_IMAGE" sleep 300
  run berth stats --no-stream statc
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" == "CONTAINER ID"*NAME*"CPU %"*"MEM USAGE / LIMIT"*"MEM %"*"NET I/O"*"BLOCK I/O"*PIDS ]]
  [[ "${lines[1]}" == *statc* ]]
  run berth stats --no-stream --format '{{.Name}} {{.PIDs}}' statc
  [ "$output" = "statc 1" ]
  run berth stats --no-stream --format json statc
  [[ "$output" == *'"Name":"statc"'* ]]
}

@test "cp: docker's directory rules and /." {
  berth run -d --name cpr "$BUSYBOX_IMAGE" sleep 300
  mkdir -p "$TEST_TMPDIR/src/sub"
  echo one >"$TEST_TMPDIR/src/sub/one"
  # a directory into an existing directory: copied into it
  berth cp -q "$TEST_TMPDIR/src" cpr:/tmp
  run berth exec cpr cat /tmp/src/sub/one
  [ "$output" = one ]
  # /. copies the content only
  berth exec cpr mkdir /tmp/content
  berth cp -q "$TEST_TMPDIR/src/." cpr:/tmp/content
  run berth exec cpr cat /tmp/content/sub/one
  [ "$output" = one ]
  # a missing destination directory is created for a directory source
  berth cp -q cpr:/tmp/src "$TEST_TMPDIR/newdir"
  [ -f "$TEST_TMPDIR/newdir/sub/one" ]
  # a directory onto a file is refused
  run berth cp cpr:/tmp/src "$TEST_TMPDIR/src/sub/one"
  [ "$status" -ne 0 ]
  # the message names the size and the destination
  run berth cp "$TEST_TMPDIR/src/sub/one" cpr:/tmp/one
  [[ "$output" == "Successfully copied "*" to cpr:/tmp/one" ]]
}

@test "cp: tar streams on stdin and stdout" {
  berth run -d --name cpt "$BUSYBOX_IMAGE" sleep 300
  berth cp cpt:/data - >"$TEST_TMPDIR/data.tar"
  tar -tf "$TEST_TMPDIR/data.tar" | grep -q '^data/hello.txt$'
  mkdir -p "$TEST_TMPDIR/t"
  echo streamed >"$TEST_TMPDIR/t/s.txt"
  tar -C "$TEST_TMPDIR/t" -cf - s.txt | berth cp - cpt:/tmp
  run berth exec cpt cat /tmp/s.txt
  [ "$output" = streamed ]
}

@test "cp: a symlink to /etc copies the container's /etc, never the host's" {
  berth run -d --name cpe "$BUSYBOX_IMAGE" sh -c 'ln -s /etc /evil; ln -s ../../../../etc/passwd /tmp/rel; sleep 300'
  wait_for 30 berth exec cpe test -L /evil
  run berth cp -L cpe:/evil "$TEST_TMPDIR/evil"
  [ "$status" -eq 0 ]
  grep -q '^bob:' "$TEST_TMPDIR/evil/passwd"
  ! grep -q '^bob:' /etc/passwd || skip "the host has a user bob"
  run berth cp cpe:/evil/passwd "$TEST_TMPDIR/p1"
  grep -q '^bob:' "$TEST_TMPDIR/p1"
  run berth cp -L cpe:/tmp/rel "$TEST_TMPDIR/p2"
  grep -q '^bob:' "$TEST_TMPDIR/p2"
  # without -L the link itself is copied
  berth cp cpe:/evil "$TEST_TMPDIR/link"
  [ -L "$TEST_TMPDIR/link" ]
}

@test "cp on a stopped container mounts and unmounts its rootfs" {
  berth create --name cps "$BUSYBOX_IMAGE" true >/dev/null
  run berth cp cps:/data/hello.txt "$TEST_TMPDIR/h.txt"
  [ "$status" -eq 0 ]
  [ "$(cat "$TEST_TMPDIR/h.txt")" = "from the image" ]
}

@test "diff and commit with --change and a message" {
  berth run --name cm "$BUSYBOX_IMAGE" sh -c 'mkdir /newdir; echo x >/newdir/f; rm /data/hello.txt'
  run berth diff cm
  [ "$status" -eq 0 ]
  output_has_line '^A /newdir$'
  output_has_line '^A /newdir/f$'
  output_has_line '^C /data$'
  output_has_line '^D /data/hello.txt$'
  run berth commit -m "my message" -a me -c 'CMD ["cat", "/newdir/f"]' -c 'ENV K=v' cm berthtest/cm:1
  [ "$status" -eq 0 ]
  [[ "$output" =~ ^sha256:[0-9a-f]{64}$ ]]
  run berth run --rm berthtest/cm:1
  [ "$output" = x ]
  run berth run --rm berthtest/cm:1 sh -c 'echo $K; test -e /data/hello.txt || echo gone'
  [ "${lines[0]}" = v ]
  [ "${lines[1]}" = gone ]
  run berth history berthtest/cm:1
  [[ "$output" == *"my message"* ]]
}

@test "commit of a running container pauses it and it keeps running" {
  berth run -d --name cmr "$BUSYBOX_IMAGE" sh -c 'echo r >/r; sleep 300'
  wait_for 30 berth exec cmr test -f /r
  run berth commit cmr
  [ "$status" -eq 0 ]
  [ "$(ctr_state cmr)" = running ]
  berth run --rm "${output#sha256:}" cat /r
}

@test "healthcheck run: health.json in docker's shape" {
  berth run -d --name hc --health-cmd 'exit 1' --health-interval 1h --health-retries 2 \
    "$BUSYBOX_IMAGE" sleep 300
  run berth healthcheck run hc
  [ "$status" -eq 0 ]
  run berth healthcheck run hc
  [ "$status" -eq 1 ]
  [ "$(ctr_inspect hc '{{.State.Health.Status}}')" = unhealthy ]
  [ "$(ctr_inspect hc '{{.State.Health.FailingStreak}}')" -ge 2 ]
  run berth healthcheck run --help
  [ "$status" -eq 0 ]
}
