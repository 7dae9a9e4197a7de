#!/usr/bin/env bats
# berth's containers end to end, as docker documents them: run and its exit
# codes, environment, user, hostname, /etc files, entrypoint/cmd, detached
# containers and logs, monitors that outlive berth, restart policies, --rm,
# crash safety (kill -9 of berth, concurrent names), the lifecycle commands,
# limits and security seen from inside the container, exec, cp, diff,
# commit (and push/pull through a local registry), health checks and
# `system boot`.  One private store per file (berth-helpers.bash).

bats_require_minimum_version 1.5.0

load registry-helpers
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
  [ -z "${REG_ROOT:-}" ] || registry_stop_all
  common_teardown
}

# --- run: output and exit codes -------------------------------------------

@test "run: prints the container's output and removes it with --rm" {
  run berth run --rm --name rm-me "$BUSYBOX_IMAGE" echo hello berth
  [ "$status" -eq 0 ]
  [ "$output" = "hello berth" ]
  run berth ps -a --format '{{.Names}}'
  [ "$status" -eq 0 ]
  output_lacks_line '^rm-me$'
}

@test "run: the image's CMD runs without a command" {
  run berth run --rm -i "$BUSYBOX_IMAGE" <<<'echo from-stdin-shell'
  [ "$status" -eq 0 ]
  [ "$output" = "from-stdin-shell" ]
}

@test "run: exit code is the container's own" {
  run berth run --rm "$BUSYBOX_IMAGE" sh -c 'exit 3'
  [ "$status" -eq 3 ]
  run berth run --rm "$BUSYBOX_IMAGE" false
  [ "$status" -eq 1 ]
  # killed by a signal from outside: 128 + signal (pid 1 cannot be
  # killed from inside its own namespace)
  berth run --name killed "$BUSYBOX_IMAGE" sleep 300 >"$TEST_TMPDIR/killed.out" 2>&1 &
  p=$!
  wait_for 100 state_is killed running
  kill -9 "$(ctr_inspect killed '{{.State.Pid}}')"
  rc=0
  wait "$p" || rc=$?
  [ "$rc" -eq 137 ]
}

@test "run: 125 for a bad flag and for a missing image" {
  run berth run --rm --no-such-flag "$BUSYBOX_IMAGE" true
  [ "$status" -eq 125 ]
  [[ "$output" == *"unknown flag: --no-such-flag"* ]]
  run berth run --rm --pull never berthtest/no-such-image true
  [ "$status" -eq 125 ]
  [[ "$output" == *"No such image"* ]] || [[ "$output" == *"no such image"* ]]
  run berth run --rm -m notasize "$BUSYBOX_IMAGE" true
  [ "$status" -eq 125 ]
  [[ "$output" == *"--memory"* ]]
}

@test "run: 126 for a command that cannot be invoked, 127 for a missing one" {
  run berth run --rm "$BUSYBOX_IMAGE" /etc/passwd
  [ "$status" -eq 126 ]
  [[ "$output" == *"permission denied"* ]]
  run -127 berth run --rm "$BUSYBOX_IMAGE" no-such-command
  [[ "$output" == *'"no-such-command": executable file not found in $PATH'* ]]
  run -127 berth run --rm "$BUSYBOX_IMAGE" /no/such/file
  # nothing of the failed runs is left behind
  run berth ps -aq
  [ "$output" = "" ]
}

# --- environment, user, working dir, hostname, /etc files ------------------

@test "run: default environment (PATH, HOSTNAME, HOME)" {
  run berth run --rm --hostname envhost "$BUSYBOX_IMAGE" env
  [ "$status" -eq 0 ]
  output_has_line '^PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin$'
  output_has_line '^HOSTNAME=envhost$'
  output_has_line '^HOME=/root$'
}

@test "run: env precedence image < --env-file < -e, and host values for bare names" {
  berth import --change 'CMD ["sh"]' --change 'ENV A=image' --change 'ENV B=image' \
    --change 'ENV C=image' "$BERTH_DIR/rootfs.tar" berthtest/envimg >/dev/null
  printf '# a comment\nB=file\nC=file\n\nFROMHOST\n' >"$TEST_TMPDIR/env.list"
  FROMHOST=host-value BARE=bare-value run berth run --rm --env-file "$TEST_TMPDIR/env.list" \
    -e C=flag -e BARE -e 'SPACED=a b' berthtest/envimg env
  [ "$status" -eq 0 ]
  output_has_line '^A=image$'
  output_has_line '^B=file$'
  output_has_line '^C=flag$'
  output_has_line '^FROMHOST=host-value$'
  output_has_line '^BARE=bare-value$'
  output_has_line '^SPACED=a b$'
  # an unset bare name is simply absent
  run berth run --rm -e NOT_SET_ANYWHERE_X "$BUSYBOX_IMAGE" env
  output_lacks_line '^NOT_SET_ANYWHERE_X'
  berth rmi berthtest/envimg >/dev/null
}

@test "run: -w sets (and creates) the working directory" {
  run berth run --rm -w /tmp "$BUSYBOX_IMAGE" pwd
  [ "$output" = "/tmp" ]
  run berth run --rm --workdir /new/dir "$BUSYBOX_IMAGE" pwd
  [ "$status" -eq 0 ]
  [ "$output" = "/new/dir" ]
}

@test "run: -u resolves users and groups through the image's /etc/passwd and /etc/group" {
  run berth run --rm -u bob "$BUSYBOX_IMAGE" sh -c 'id; echo $HOME'
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" == "uid=1000(bob) gid=1000(bob)"* ]]
  # supplementary groups of bob from /etc/group
  [[ "${lines[0]}" == *"100(users)"* ]]
  [ "${lines[1]}" = "/home/bob" ]
  run berth run --rm -u 1000:100 "$BUSYBOX_IMAGE" id -u
  [ "$output" = "1000" ]
  run berth run --rm -u bob:users "$BUSYBOX_IMAGE" id -g
  [ "$output" = "100" ]
  run berth run --rm -u 4242 "$BUSYBOX_IMAGE" id -u
  [ "$status" -eq 0 ]
  [ "$output" = "4242" ]
  run berth run --rm -u nosuchuser "$BUSYBOX_IMAGE" true
  [ "$status" -ne 0 ]
  [[ "$output" == *"unable to find user nosuchuser"* ]]
}

@test "run: --hostname, /etc/hostname, /etc/hosts and /etc/resolv.conf" {
  run berth run --rm --hostname box1 "$BUSYBOX_IMAGE" sh -c \
    'hostname; cat /etc/hostname; grep -c box1 /etc/hosts; grep -c localhost /etc/hosts; test -f /etc/resolv.conf && echo resolv'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = box1 ]
  [ "${lines[1]}" = box1 ]
  [ "${lines[2]}" -ge 1 ]
  [ "${lines[3]}" -ge 1 ]
  [ "${lines[4]}" = resolv ]
  # bind-mounted per container, not in the image
  run berth run --rm "$BUSYBOX_IMAGE" sh -c 'grep -E " /etc/(hosts|hostname|resolv.conf) " /proc/self/mountinfo | wc -l'
  [ "$output" -eq 3 ]
  # the default hostname is the short id
  id=$(berth run -d "$BUSYBOX_IMAGE" sleep 30)
  run berth exec "$id" hostname
  [ "$output" = "${id:0:12}" ]
}

@test "run: --add-host and --dns end up in /etc/hosts and /etc/resolv.conf" {
  run berth run --rm --add-host db.example:10.1.2.3 --dns 10.9.9.9 "$BUSYBOX_IMAGE" \
    sh -c 'grep db.example /etc/hosts; grep nameserver /etc/resolv.conf'
  [ "$status" -eq 0 ]
  output_has_line '^10\.1\.2\.3[[:space:]]+db\.example$'
  output_has_line '^nameserver 10\.9\.9\.9$'
}

@test "run: ENTRYPOINT / CMD / --entrypoint matrix" {
  berth import --change 'ENTRYPOINT ["echo", "ep"]' --change 'CMD ["default"]' \
    "$BERTH_DIR/rootfs.tar" berthtest/epimg >/dev/null
  run berth run --rm berthtest/epimg
  [ "$output" = "ep default" ]
  # trailing args replace CMD, keep ENTRYPOINT
  run berth run --rm berthtest/epimg a b
  [ "$output" = "ep a b" ]
  # --entrypoint replaces ENTRYPOINT and drops the image's CMD
  run berth run --rm --entrypoint echo berthtest/epimg
  [ "$status" -eq 0 ]
  [ "$output" = "" ]
  run berth run --rm --entrypoint echo berthtest/epimg x y
  [ "$output" = "x y" ]
  # --entrypoint "" clears it: the args are the whole command
  run berth run --rm --entrypoint "" berthtest/epimg echo cleared
  [ "$output" = "cleared" ]
  # the shell-form CMD image: args after the image replace CMD
  run berth run --rm "$BUSYBOX_IMAGE" echo replaced
  [ "$output" = "replaced" ]
  id=$(berth create berthtest/epimg z)
  [ "$(ctr_inspect "$id" '{{.Path}}')" = echo ]
  [ "$(ctr_inspect "$id" '{{json .Args}}')" = '["ep","z"]' ]
  berth rm "$id" >/dev/null
  berth rmi berthtest/epimg >/dev/null
}

@test "run: options after the image belong to the command" {
  run berth run --rm "$BUSYBOX_IMAGE" echo --help -d
  [ "$status" -eq 0 ]
  [ "$output" = "--help -d" ]
}

# --- detached containers, ps, logs ---------------------------------------

@test "run -d prints the full id and ps lists the container" {
  run berth run -d --name detached1 "$BUSYBOX_IMAGE" sleep 60
  [ "$status" -eq 0 ]
  [[ "$output" =~ ^[0-9a-f]{64}$ ]]
  id=$output
  run berth ps
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" == "CONTAINER ID"*"IMAGE"*"COMMAND"*"CREATED"*"STATUS"*"PORTS"*"NAMES" ]]
  output_has_line "^${id:0:12} .*berthtest/busybox.*\"sleep 60\".*Up .*detached1$"
  run berth ps -q
  [ "$output" = "${id:0:12}" ]
  run berth ps --no-trunc -q
  [ "$output" = "$id" ]
  run berth ps --format '{{.Names}} {{.Status}}'
  [[ "$output" == "detached1 Up "* ]]
  [ "$(ctr_state detached1)" = running ]
  run berth ps --format json
  [ "$(printf '%s\n' "$output" | jq -r .Names)" = detached1 ]
  # a stopped container is only in ps -a
  berth run --name exited1 "$BUSYBOX_IMAGE" sh -c 'exit 2' || true
  run berth ps --format '{{.Names}}'
  output_lacks_line '^exited1$'
  run berth ps -a --format '{{.Names}} {{.Status}}'
  output_has_line '^exited1 Exited \(2\) '
  run berth ps -a --filter status=exited --format '{{.Names}}'
  [ "$output" = exited1 ]
}

@test "logs: stdout and stderr, -t, --tail, logs after the container exited" {
  berth run -d --name logger "$BUSYBOX_IMAGE" sh -c 'for i in 1 2 3 4 5; do echo out$i; done; echo err1 >&2'
  run berth wait logger
  [ "$output" = 0 ]
  run berth logs logger
  [ "$status" -eq 0 ]
  output_has_line '^out1$'
  output_has_line '^out5$'
  output_has_line '^err1$'
  # the streams stay apart
  run sh -c "'$BERTH' --root '$BERTH_ROOT' --runroot '$BERTH_RUNROOT' logs logger 2>/dev/null"
  output_lacks_line '^err1$'
  output_has_line '^out3$'
  run berth logs --tail 2 logger
  [ "${#lines[@]}" -eq 2 ]
  run berth logs -t logger
  [[ "${lines[0]}" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]+Z\ out1$ ]]
}

@test "logs -f follows until the container exits" {
  berth run -d --name follower "$BUSYBOX_IMAGE" sh -c 'echo first; sleep 2; echo second'
  SECONDS=0
  run berth logs -f follower
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = first ]
  [ "${lines[1]}" = second ]
  [ "$SECONDS" -ge 1 ]
}

@test "logs survive berth exiting: output written while no berth runs is logged" {
  berth run -d --name late "$BUSYBOX_IMAGE" sh -c 'sleep 1; echo written-later'
  wait_for 50 state_is late exited
  run berth logs late
  [ "$output" = written-later ]
}

@test "a container keeps running after every berth process is killed" {
  id=$(berth run -d "$BUSYBOX_IMAGE" sleep 300)
  pid=$(ctr_inspect "$id" '{{.State.Pid}}')
  [ "$pid" -gt 0 ]
  # a berth stuck in logs -f, then kill -9 of every berth of this store
  berth logs -f "$id" >/dev/null 2>&1 &
  sleep 0.3
  for p in $(pgrep -x berth); do
    tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -qF -- "$BERTH_ROOT" && kill -9 "$p"
  done
  wait 2>/dev/null || true
  sleep 0.5
  kill -0 "$pid"
  [ "$(ctr_state "$id")" = running ]
  # its monitor is berth-monitor, untouched
  [ -n "$(monitor_pids)" ]
}

# --- restart policies, --rm, crash safety ------------------------------------

@test "restart on-failure:2 restarts twice, then stays exited" {
  berth run -d --name onfail --restart on-failure:2 "$BUSYBOX_IMAGE" sh -c 'exit 1'
  wait_for 100 sh -c "[ \"\$('$BERTH' --root '$BERTH_ROOT' --runroot '$BERTH_RUNROOT' inspect --format '{{.RestartCount}} {{.State.Status}}' onfail)\" = '2 exited' ]"
  sleep 1
  [ "$(ctr_inspect onfail '{{.RestartCount}}')" = 2 ]
  [ "$(ctr_inspect onfail '{{.State.ExitCode}}')" = 1 ]
  [ "$(ctr_inspect onfail '{{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}')" = on-failure:2 ]
}

@test "restart on-failure does not restart a successful exit" {
  berth run -d --name onfail0 --restart on-failure "$BUSYBOX_IMAGE" true
  wait_for 50 state_is onfail0 exited
  sleep 0.5
  [ "$(ctr_inspect onfail0 '{{.RestartCount}}')" = 0 ]
}

@test "restart always brings the container back after its process is killed" {
  berth run -d --name always1 --restart always "$BUSYBOX_IMAGE" sleep 300
  pid=$(ctr_inspect always1 '{{.State.Pid}}')
  kill -9 "$pid"
  wait_for 100 sh -c "p=\$('$BERTH' --root '$BERTH_ROOT' --runroot '$BERTH_RUNROOT' inspect --format '{{.State.Pid}}' always1); [ \"\$p\" -gt 0 ] && [ \"\$p\" != $pid ]"
  [ "$(ctr_state always1)" = running ]
  [ "$(ctr_inspect always1 '{{.RestartCount}}')" -ge 1 ]
  # stop is final even for always
  berth stop -t 1 always1 >/dev/null
  sleep 1
  [ "$(ctr_state always1)" = exited ]
}

@test "run -d --rm: the container is removed when it exits" {
  id=$(berth run -d --rm "$BUSYBOX_IMAGE" sh -c 'sleep 0.5')
  wait_for 100 sh -c "! '$BERTH' --root '$BERTH_ROOT' --runroot '$BERTH_RUNROOT' inspect '$id' >/dev/null 2>&1"
  run berth ps -aq --no-trunc
  output_lacks_line "^$id$"
  [ ! -d "$BERTH_ROOT/containers/$id" ]
}

@test "kill -9 of berth during run leaves no half-created container" {
  for i in 1 2 3 4 5 6 7 8; do
    # berth itself, not the timeout wrapper, is what gets killed
    "$BERTH" --root "$BERTH_ROOT" --runroot "$BERTH_RUNROOT" run --name "crash$i" "$BUSYBOX_IMAGE" sleep 30 >/dev/null 2>&1 &
    p=$!
    sleep "$(awk -v i="$i" 'BEGIN { print i * 0.012 }')"
    kill -9 "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  run berth ps -a --no-trunc --format '{{.ID}} {{.Names}}'
  [ "$status" -eq 0 ]
  # every listed container is complete: it can be inspected, started and removed
  while read -r id name; do
    [ -n "$id" ] || continue
    berth inspect "$id" >/dev/null
    if [ "$(ctr_state "$id")" != running ]; then
      berth start "$id" >/dev/null
    fi
    berth rm -f "$id" >/dev/null
  done <<<"$output"
  run berth ps -aq
  [ "$output" = "" ]
  # the names are free again
  run berth run --rm --name crash1 "$BUSYBOX_IMAGE" true
  [ "$status" -eq 0 ]
}

@test "two concurrent runs with the same --name: one succeeds, one is refused" {
  berth run -d --name same "$BUSYBOX_IMAGE" sleep 60 >"$TEST_TMPDIR/a.out" 2>&1 &
  a=$!
  berth run -d --name same "$BUSYBOX_IMAGE" sleep 60 >"$TEST_TMPDIR/b.out" 2>&1 &
  b=$!
  sa=0 sb=0
  wait "$a" || sa=$?
  wait "$b" || sb=$?
  if [ "$sa" -eq 0 ]; then ok=a bad=b sbad=$sb; else ok=b bad=a sbad=$sa; fi
  [ $((sa == 0)) -ne $((sb == 0)) ]
  [ "$sbad" -eq 125 ]
  grep -q 'the container name "same" is already in use by container' "$TEST_TMPDIR/$bad.out"
  [[ "$(cat "$TEST_TMPDIR/$ok.out")" =~ ^[0-9a-f]{64}$ ]]
  run berth ps -a --format '{{.Names}}'
  [ "$output" = same ]
}

# --- lifecycle --------------------------------------------------------------

@test "stop: SIGTERM, then SIGKILL after -t seconds" {
  # sleep as pid 1 ignores SIGTERM: killed after the timeout
  berth run -d --name stopme "$BUSYBOX_IMAGE" sleep 300
  SECONDS=0
  run berth stop -t 1 stopme
  [ "$status" -eq 0 ]
  [ "$output" = stopme ]
  [ "$SECONDS" -lt 8 ]
  [ "$(ctr_state stopme)" = exited ]
  [ "$(ctr_inspect stopme '{{.State.ExitCode}}')" = 137 ]
  # a process that handles SIGTERM exits with its own code
  berth run -d --name trapper "$BUSYBOX_IMAGE" sh -c 'trap "exit 7" TERM; while :; do sleep 0.1; done'
  sleep 0.5
  run berth stop trapper
  [ "$status" -eq 0 ]
  [ "$(ctr_inspect trapper '{{.State.ExitCode}}')" = 7 ]
  # stopping a stopped container is fine
  run berth stop trapper
  [ "$status" -eq 0 ]
}

@test "kill -s sends the signal; kill defaults to SIGKILL" {
  berth run -d --name sig "$BUSYBOX_IMAGE" sh -c 'trap "exit 10" USR1; while :; do sleep 0.1; done'
  sleep 0.5
  run berth kill -s USR1 sig
  [ "$status" -eq 0 ]
  [ "$output" = sig ]
  run berth wait sig
  [ "$output" = 10 ]
  berth run -d --name sig9 "$BUSYBOX_IMAGE" sleep 300
  berth kill sig9 >/dev/null
  run berth wait sig9
  [ "$output" = 137 ]
  run berth kill sig9
  [ "$status" -ne 0 ]
  [[ "$output" == *"is not running"* ]]
}

@test "wait prints the exit code" {
  berth run -d --name waiter "$BUSYBOX_IMAGE" sh -c 'sleep 1; exit 5'
  run berth wait waiter
  [ "$status" -eq 0 ]
  [ "$output" = 5 ]
  # and of an already exited container
  run berth wait waiter
  [ "$output" = 5 ]
}

@test "create + start, restart" {
  id=$(berth create --name created1 "$BUSYBOX_IMAGE" sleep 300)
  [ "$(ctr_state created1)" = created ]
  run berth ps -a --format '{{.Names}} {{.Status}}'
  output_has_line '^created1 Created$'
  run berth start created1
  [ "$output" = created1 ]
  [ "$(ctr_state created1)" = running ]
  pid1=$(ctr_inspect created1 '{{.State.Pid}}')
  run berth restart -t 1 created1
  [ "$status" -eq 0 ]
  [ "$(ctr_state created1)" = running ]
  [ "$(ctr_inspect created1 '{{.State.Pid}}')" != "$pid1" ]
  [ "$(ctr_inspect "$id" '{{.Name}}')" = /created1 ]
  # start -a runs in the foreground with the exit code
  berth create --name attached "$BUSYBOX_IMAGE" sh -c 'echo attached-out; exit 4' >/dev/null
  run berth start -a attached
  [ "$status" -eq 4 ]
  [ "$output" = attached-out ]
}

@test "rm: refuses a running container, -f removes it" {
  berth run -d --name busy "$BUSYBOX_IMAGE" sleep 300
  run berth rm busy
  [ "$status" -ne 0 ]
  [[ "$output" == *"container is running"* ]]
  run berth rm -f busy
  [ "$status" -eq 0 ]
  [ "$output" = busy ]
  run berth inspect busy
  [ "$status" -ne 0 ]
  [[ "$output" == *"No such container: busy"* ]] || [[ "$output" == *"No such object: busy"* ]]
  [ -z "$(monitor_pids)" ]
  run berth rm no-such-container
  [ "$status" -ne 0 ]
  [[ "$output" == *"No such container: no-such-container"* ]]
}

@test "pause and unpause" {
  berth run -d --name pausable "$BUSYBOX_IMAGE" sleep 300
  run berth pause pausable
  [ "$status" -eq 0 ]
  [ "$output" = pausable ]
  [ "$(ctr_state pausable)" = paused ]
  [ "$(ctr_inspect pausable '{{.State.Paused}}')" = true ]
  run berth ps --format '{{.Status}}'
  [[ "$output" == *"(Paused)" ]]
  run berth unpause pausable
  [ "$status" -eq 0 ]
  [ "$(ctr_state pausable)" = running ]
  [ "$(ctr_inspect pausable '{{.State.Paused}}')" = false ]
}

@test "rename" {
  berth run -d --name before "$BUSYBOX_IMAGE" sleep 300
  berth run -d --name taken "$BUSYBOX_IMAGE" sleep 300
  run berth rename before taken
  [ "$status" -ne 0 ]
  [[ "$output" == *'"taken" is already in use'* ]]
  run berth rename before after
  [ "$status" -eq 0 ]
  [ "$(ctr_inspect after '{{.Name}}')" = /after ]
  run berth inspect before
  [ "$status" -ne 0 ]
}

@test "container prune removes stopped containers only" {
  berth run -d --name keep-running "$BUSYBOX_IMAGE" sleep 300
  stopped=$(berth create --name stopped1 "$BUSYBOX_IMAGE" true)
  berth run --name exited2 "$BUSYBOX_IMAGE" true
  run berth container prune -f
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "Deleted Containers:" ]
  output_has_line "^$stopped$"
  output_has_line '^Total reclaimed space: '
  run berth ps -a --format '{{.Names}}'
  [ "$output" = keep-running ]
}

# --- limits, seen from inside -----------------------------------------------

@test "limits: --memory" {
  run berth run --rm -m 64m "$BUSYBOX_IMAGE" sh -c \
    'cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max'
  [ "$status" -eq 0 ]
  [ "$output" = 67108864 ]
  id=$(berth create -m 64m --memory-swap 128m "$BUSYBOX_IMAGE")
  [ "$(ctr_inspect "$id" '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}}')" = "67108864 134217728" ]
}

@test "limits: --pids-limit stops a fork loop" {
  run berth run --rm --pids-limit 10 "$BUSYBOX_IMAGE" sh -c \
    'cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max; i=0; while [ $i -lt 30 ]; do sleep 5 & i=$((i+1)); done; echo loop-done'
  [ "${lines[0]}" = 10 ]
  [[ "$output" == *"fork"* ]] || [[ "$output" == *"Resource temporarily unavailable"* ]]
}

@test "limits: --cpus and --cpu-shares" {
  run berth run --rm --cpus 0.5 --cpu-shares 512 "$BUSYBOX_IMAGE" sh -c \
    'cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.shares 2>/dev/null || cat /sys/fs/cgroup/cpu.max'
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" == 50000* ]]
  if [ "${#lines[@]}" -gt 1 ]; then [ "${lines[1]}" = 512 ]; fi
}

@test "limits: --ulimit nofile=1024:2048" {
  run berth run --rm --ulimit nofile=1024:2048 "$BUSYBOX_IMAGE" sh -c 'ulimit -n; ulimit -Hn'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = 1024 ]
  [ "${lines[1]}" = 2048 ]
}

@test "limits: --shm-size and the 64m default" {
  run berth run --rm --shm-size 32m "$BUSYBOX_IMAGE" sh -c "df -k /dev/shm | awk 'NR==2 {print \$2}'"
  [ "$output" = 32768 ]
  run berth run --rm "$BUSYBOX_IMAGE" sh -c "df -k /dev/shm | awk 'NR==2 {print \$2}'"
  [ "$output" = 65536 ]
}

@test "limits: --oom-score-adj" {
  run berth run --rm --oom-score-adj 500 "$BUSYBOX_IMAGE" cat /proc/self/oom_score_adj
  [ "$output" = 500 ]
}

# --- security -----------------------------------------------------------------

@test "security: docker's default capabilities" {
  run berth run --rm "$BUSYBOX_IMAGE" grep CapEff /proc/self/status
  [ "$status" -eq 0 ]
  [[ "$output" =~ CapEff:[[:space:]]+00000000a80425fb$ ]]
}

@test "security: --cap-add and --cap-drop" {
  run berth run --rm --cap-add SYS_ADMIN "$BUSYBOX_IMAGE" grep CapEff /proc/self/status
  [[ "$output" =~ 00000000a82425fb$ ]]
  run berth run --rm --cap-drop NET_RAW --cap-drop chown "$BUSYBOX_IMAGE" grep CapEff /proc/self/status
  [[ "$output" =~ 00000000a80405fa$ ]]
  run berth run --rm --cap-drop ALL "$BUSYBOX_IMAGE" grep CapEff /proc/self/status
  [[ "$output" =~ 0000000000000000$ ]]
  run berth run --rm --cap-drop ALL --cap-add CAP_KILL "$BUSYBOX_IMAGE" grep CapEff /proc/self/status
  [[ "$output" =~ 0000000000000020$ ]]
  # without CAP_CHOWN chown fails
  run berth run --rm --cap-drop CHOWN "$BUSYBOX_IMAGE" chown 1000 /tmp
  [ "$status" -ne 0 ]
}

@test "security: the default seccomp profile denies unshare and mount, --privileged allows them" {
  run berth run --rm "$BUSYBOX_IMAGE" grep '^Seccomp:' /proc/self/status
  [[ "$output" =~ Seccomp:[[:space:]]+2 ]]
  # (capabilities alone would refuse these too: Seccomp 2 above and the
  # keyctl probe below show the filter itself)
  run berth run --rm "$BUSYBOX_IMAGE" unshare -m true
  [ "$status" -ne 0 ]
  run berth run --rm "$BUSYBOX_IMAGE" mount -t tmpfs none /mnt
  [ "$status" -ne 0 ]
  run berth run --rm --privileged "$BUSYBOX_IMAGE" sh -c 'unshare -m true && mkdir -p /mnt && mount -t tmpfs none /mnt && echo allowed'
  [ "$status" -eq 0 ]
  [ "$output" = allowed ]
  run berth run --rm --privileged "$BUSYBOX_IMAGE" grep '^Seccomp:' /proc/self/status
  [[ "$output" =~ Seccomp:[[:space:]]+0 ]]
  run berth run --rm --security-opt seccomp=unconfined "$BUSYBOX_IMAGE" grep '^Seccomp:' /proc/self/status
  [[ "$output" =~ Seccomp:[[:space:]]+0 ]]
}

@test "security: keyctl is denied by default, allowed with --privileged" {
  [ -x "$BERTH_DIR/rootfs/bin/syscall-probe" ] || skip "no static C toolchain to build syscall-probe"
  run berth run --rm "$BUSYBOX_IMAGE" syscall-probe keyctl
  [ "$status" -eq 1 ]
  [ "$output" = "keyctl: Operation not permitted" ]
  # the filter, not a capability: with CAP_SYS_ADMIN it is still denied
  run berth run --rm --cap-add SYS_ADMIN "$BUSYBOX_IMAGE" syscall-probe keyctl
  [ "$status" -eq 1 ]
  run berth run --rm --privileged "$BUSYBOX_IMAGE" syscall-probe keyctl
  [ "$status" -eq 0 ]
  [ "$output" = ok ]
}

@test "security: --security-opt no-new-privileges" {
  run berth run --rm --security-opt no-new-privileges "$BUSYBOX_IMAGE" grep NoNewPrivs /proc/self/status
  [[ "$output" =~ NoNewPrivs:[[:space:]]+1 ]]
}

@test "security: --read-only root, --tmpfs" {
  run berth run --rm --read-only "$BUSYBOX_IMAGE" touch /newfile
  [ "$status" -ne 0 ]
  [[ "$output" == *"Read-only file system"* ]]
  run berth run --rm --read-only --tmpfs /scratch "$BUSYBOX_IMAGE" sh -c 'touch /scratch/f && grep " /scratch " /proc/mounts'
  [ "$status" -eq 0 ]
  [[ "$output" == "tmpfs /scratch tmpfs rw,"* ]]
  [[ "$output" == *noexec* ]]
  run berth run --rm --tmpfs /scratch:size=1m "$BUSYBOX_IMAGE" sh -c "df -k /scratch | awk 'NR==2 {print \$2}'"
  [ "$output" = 1024 ]
}

@test "security: masked and read-only /proc paths" {
  # docker's masked files are /dev/null binds (1:3), its masked dirs
  # empty read-only tmpfs; /proc/kcore only exists on some kernels
  run berth run --rm "$BUSYBOX_IMAGE" sh -c \
    'stat -c %t:%T /proc/keys /proc/timer_list; grep " /proc/sys " /proc/mounts; ls /proc/acpi | wc -l; [ ! -e /proc/kcore ] || wc -c </proc/kcore'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = 1:3 ]
  [ "${lines[1]}" = 1:3 ]
  [[ "${lines[2]}" == *" ro,"* ]]
  [ "${lines[3]}" = 0 ]
  if [ "${#lines[@]}" -gt 4 ]; then [ "${lines[4]}" = 0 ]; fi
  run berth run --rm "$BUSYBOX_IMAGE" sh -c 'echo 1 >/proc/sysrq-trigger'
  [ "$status" -ne 0 ]
  run berth run --rm "$BUSYBOX_IMAGE" touch /sys/firmware/x
  [ "$status" -ne 0 ]
  # --privileged unmasks
  run berth run --rm --privileged "$BUSYBOX_IMAGE" stat -c %F /proc/keys
  [ "$output" = "regular empty file" ]
}

@test "security: --sysctl sets a namespaced sysctl" {
  run berth run --rm --sysctl kernel.shm_rmid_forced=1 "$BUSYBOX_IMAGE" cat /proc/sys/kernel/shm_rmid_forced
  [ "$status" -eq 0 ]
  [ "$output" = 1 ]
  run berth run --rm "$BUSYBOX_IMAGE" cat /proc/sys/kernel/shm_rmid_forced
  [ "$output" = 0 ]
}

@test "security: --device /dev/null:/dev/mynull" {
  run berth run --rm --device /dev/null:/dev/mynull "$BUSYBOX_IMAGE" sh -c 'test -c /dev/mynull && echo x >/dev/mynull && echo ok'
  [ "$status" -eq 0 ]
  [ "$output" = ok ]
  run berth run --rm "$BUSYBOX_IMAGE" test -e /dev/mynull
  [ "$status" -ne 0 ]
}

@test "network: none has lo only, the default bridge adds eth0, --network host shares the host's" {
  run berth run --rm --network none "$BUSYBOX_IMAGE" sh -c 'ls /sys/class/net'
  [ "$output" = lo ]
  run berth run --rm "$BUSYBOX_IMAGE" sh -c 'ls /sys/class/net | tr "\n" " "'
  [ "$output" = "eth0 lo " ]
  run berth run --rm --network host "$BUSYBOX_IMAGE" readlink /proc/self/ns/net
  [ "$output" = "$(readlink /proc/self/ns/net)" ]
}

# --- exec ---------------------------------------------------------------------

@test "exec: exit codes, -e, -u, -w, -d" {
  berth run -d --name ex "$BUSYBOX_IMAGE" sleep 300
  run berth exec ex sh -c 'exit 4'
  [ "$status" -eq 4 ]
  run berth exec -e FOO=bar ex sh -c 'echo $FOO'
  [ "$output" = bar ]
  run berth exec -u bob ex id -un
  [ "$output" = bob ]
  run berth exec -w /tmp ex pwd
  [ "$output" = /tmp ]
  run -127 berth exec ex no-such-command
  run berth exec ex /etc/passwd
  [ "$status" -eq 126 ]
  run berth exec -d ex sh -c 'echo detached >/tmp/exec-d'
  [ "$status" -eq 0 ]
  wait_for 30 berth exec ex test -f /tmp/exec-d
  run berth exec -i ex cat <<<"via-stdin"
  [ "$output" = via-stdin ]
  berth stop -t 0 ex >/dev/null
  run berth exec ex true
  [ "$status" -ne 0 ]
  [[ "$output" == *"is not running"* ]]
}

# --- terminals, attach, top, stats -------------------------------------------

# in_tty INPUT ARGV...: ARGV on a terminal (script(1)); INPUT is typed in
# chunks separated by "|" a second apart (printf %b escapes).  Output with
# CRLF made LF in $output, exit status in $status.
in_tty() {
  local chunk feed="sleep 1"
  local IFS='|'
  for chunk in $1; do
    feed+="; printf '%b' $(printf '%q' "$chunk"); sleep 1"
  done
  unset IFS
  shift
  run bash -c "($feed) | timeout 20 script -qec $(printf '%q' "$(printf '%q ' "$BERTH" --root "$BERTH_ROOT" --runroot "$BERTH_RUNROOT" "$@")") /dev/null"
  output=${output//$'\r'/}
}

@test "run -t gives the container a terminal" {
  command -v script >/dev/null || skip "script(1) not installed"
  in_tty '' run -t --rm "$BUSYBOX_IMAGE" sh -c 'tty; test -t 0 && echo is-a-tty'
  [ "$status" -eq 0 ]
  output_has_line '^/dev/pts/[0-9]+$'
  output_has_line '^is-a-tty$'
  run berth run --rm "$BUSYBOX_IMAGE" sh -c 'test -t 1 || echo no-tty'
  [ "$output" = no-tty ]
}

@test "run -it: ctrl-p ctrl-q detaches, attach reconnects" {
  command -v script >/dev/null || skip "script(1) not installed"
  in_tty 'echo in-tty\n|\020\021' run -it --name det "$BUSYBOX_IMAGE" sh
  [ "$status" -eq 0 ]
  output_has_line '^in-tty$'
  [ "$(ctr_state det)" = running ]
  in_tty 'echo attached-again\nexit 5\n' attach det
  output_has_line '^attached-again$'
  [ "$status" -eq 5 ]
  [ "$(ctr_inspect det '{{.State.Status}} {{.State.ExitCode}}')" = "exited 5" ]
}

@test "top and stats --no-stream" {
  berth run -d --name watched "$BUSYBOX_IMAGE" sleep 300 >/dev/null
  run berth top watched
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" == "UID"*"PID"*"CMD" ]]
  output_has_line 'sleep 300$'
  run berth stats --no-stream --format '{{.Name}} {{.PIDs}}' watched
  [ "$status" -eq 0 ]
  [ "$output" = "watched 1" ]
}

@test "restart unless-stopped: restarts, but not after stop" {
  berth run -d --name unless --restart unless-stopped "$BUSYBOX_IMAGE" sh -c 'sleep 0.3; exit 2' >/dev/null
  wait_for 100 sh -c "[ \"\$('$BERTH' --root '$BERTH_ROOT' --runroot '$BERTH_RUNROOT' inspect --format '{{.RestartCount}}' unless)\" -ge 2 ]"
  berth stop -t 1 unless >/dev/null
  n=$(ctr_inspect unless '{{.RestartCount}}')
  sleep 1.5
  [ "$(ctr_state unless)" = exited ]
  [ "$(ctr_inspect unless '{{.RestartCount}}')" = "$n" ]
}

# --- cp, diff, commit -----------------------------------------------------------

@test "cp: both directions, on a running and a stopped container" {
  berth run -d --name cpc "$BUSYBOX_IMAGE" sleep 300
  echo from-host >"$TEST_TMPDIR/in.txt"
  run berth cp "$TEST_TMPDIR/in.txt" cpc:/tmp/in.txt
  [ "$status" -eq 0 ]
  run berth exec cpc cat /tmp/in.txt
  [ "$output" = from-host ]
  run berth cp cpc:/data/hello.txt "$TEST_TMPDIR/out.txt"
  [ "$status" -eq 0 ]
  [ "$(cat "$TEST_TMPDIR/out.txt")" = "from the image" ]
  # a directory
  run berth cp cpc:/data "$TEST_TMPDIR/datadir"
  [ -f "$TEST_TMPDIR/datadir/hello.txt" ]
  berth stop -t 0 cpc >/dev/null
  run berth cp cpc:/tmp/in.txt "$TEST_TMPDIR/again.txt"
  [ "$status" -eq 0 ]
  [ "$(cat "$TEST_TMPDIR/again.txt")" = from-host ]
  run berth cp cpc:/no/such "$TEST_TMPDIR/x"
  [ "$status" -ne 0 ]
}

@test "cp: symlinks inside the container never lead out of its rootfs" {
  mkdir -p "$TEST_TMPDIR/hostdir"
  berth run -d --name esc "$BUSYBOX_IMAGE" sh -c \
    "ln -s /../../../../../../etc /tmp/up; ln -s '$TEST_TMPDIR/hostdir' /tmp/abs; sleep 300"
  wait_for 30 berth exec esc test -L /tmp/abs
  # reading through ../ resolves inside the container: its own passwd
  run berth cp esc:/tmp/up/passwd "$TEST_TMPDIR/passwd"
  [ "$status" -eq 0 ]
  grep -q '^bob:' "$TEST_TMPDIR/passwd"
  # writing through an absolute link does not reach the host path
  echo escaped >"$TEST_TMPDIR/payload"
  berth cp "$TEST_TMPDIR/payload" esc:/tmp/abs/payload || true
  [ ! -e "$TEST_TMPDIR/hostdir/payload" ]
}

@test "diff lists added, changed and deleted paths" {
  berth run --name differ "$BUSYBOX_IMAGE" sh -c 'touch /tmp/new-file; rm /data/hello.txt'
  run berth diff differ
  [ "$status" -eq 0 ]
  output_has_line '^A /tmp/new-file$'
  output_has_line '^D /data/hello.txt$'
  output_has_line '^C /tmp$'
}

@test "commit, then run the committed image and see the change" {
  berth run --name tocommit "$BUSYBOX_IMAGE" sh -c 'echo committed-content >/data/c.txt'
  run berth commit tocommit berthtest/committed:v1
  [ "$status" -eq 0 ]
  [[ "$output" =~ ^sha256:[0-9a-f]{64}$ ]]
  run berth run --rm berthtest/committed:v1 cat /data/c.txt
  [ "$status" -eq 0 ]
  [ "$output" = committed-content ]
  # like docker, the image's config is the container's: its command is CMD
  [ "$(berth image inspect --format '{{json .Config.Cmd}}' berthtest/committed:v1)" = \
    '["sh","-c","echo committed-content \u003e/data/c.txt"]' ]
  # --change overrides it
  berth commit --change 'CMD ["cat", "/data/c.txt"]' tocommit berthtest/committed:v2 >/dev/null
  run berth run --rm berthtest/committed:v2
  [ "$output" = committed-content ]
}

@test "commit + push to a local registry, pull into a fresh store, run" {
  require_registry_tools
  REG_ROOT=$(mktemp -d /tmp/berth-ctr-reg.XXXXXX)
  export REG_ROOT
  registry_start plain plain
  reg=127.0.0.1:$REG_plain_PORT
  printf 'insecure = ["%s"]\n' "$reg" >"$BERTH_CONFIG_DIR/registries.conf"
  berth run --name topush "$BUSYBOX_IMAGE" sh -c 'echo pushed-content >/data/p.txt'
  berth commit topush "$reg/berthtest/pushed:1" >/dev/null
  run berth push "$reg/berthtest/pushed:1"
  [ "$status" -eq 0 ]
  run berth push "$BUSYBOX_IMAGE" "$reg/berthtest/busybox:1"
  [ "$status" -eq 0 ]
  fresh=$TEST_TMPDIR/fresh
  fb() { timeout 60 "$BERTH" --root "$fresh/root" --runroot "$fresh/run" "$@"; }
  run fb pull "$reg/berthtest/pushed:1"
  [ "$status" -eq 0 ]
  run fb run --rm "$reg/berthtest/pushed:1" cat /data/p.txt
  [ "$status" -eq 0 ]
  [ "$output" = pushed-content ]
  # a busybox image from the local registry runs (pulled by run itself)
  run fb run --rm "$reg/berthtest/busybox:1" echo from-registry
  [ "$status" -eq 0 ]
  [ "${lines[-1]}" = from-registry ]
  run fb ps -aq
  [ "$output" = "" ]
  rm -f "$BERTH_CONFIG_DIR/registries.conf"
  awk -v t="$fresh/" 'index($5, t) == 1 {print $5}' /proc/self/mountinfo | xargs -r umount -l
}

# --- health checks, system boot ----------------------------------------------

@test "health check: starting, then healthy" {
  berth run -d --name healthy1 --health-cmd 'test -f /tmp/ready' --health-interval 1s \
    "$BUSYBOX_IMAGE" sh -c 'sleep 2; touch /tmp/ready; sleep 300'
  [ "$(ctr_inspect healthy1 '{{.State.Health.Status}}')" = starting ]
  wait_for 150 sh -c "[ \"\$('$BERTH' --root '$BERTH_ROOT' --runroot '$BERTH_RUNROOT' inspect --format '{{.State.Health.Status}}' healthy1)\" = healthy ]"
  run berth ps --format '{{.Status}}' --filter name=healthy1
  [[ "$output" == *"(healthy)" ]]
}

@test "health check: unhealthy after --health-retries failures" {
  berth run -d --name sick --health-cmd 'exit 1' --health-interval 1s --health-retries 2 \
    "$BUSYBOX_IMAGE" sleep 300
  wait_for 150 sh -c "[ \"\$('$BERTH' --root '$BERTH_ROOT' --runroot '$BERTH_RUNROOT' inspect --format '{{.State.Health.Status}}' sick)\" = unhealthy ]"
  [ "$(ctr_inspect sick '{{.State.Health.FailingStreak}}')" -ge 2 ]
  run berth ps --format '{{.Status}}' --filter name=sick
  [[ "$output" == *"(unhealthy)" ]]
}

@test "system boot restarts an always container whose monitor and process were killed" {
  id=$(berth run -d --name booted --restart always "$BUSYBOX_IMAGE" sleep 300)
  pid=$(ctr_inspect booted '{{.State.Pid}}')
  mon=$(cat "$BERTH_ROOT/containers/$id/monitor.pid")
  # a reboot: the monitor dies first, then the container
  kill -9 "$mon"
  kill -9 "$pid"
  wait_for 50 sh -c "! kill -0 $pid 2>/dev/null"
  wait_for 50 sh -c "[ \"\$('$BERTH' --root '$BERTH_ROOT' --runroot '$BERTH_RUNROOT' inspect --format '{{.State.Running}}' booted)\" = false ]"
  # a container stopped by the user stays stopped
  berth run -d --name userstopped --restart always "$BUSYBOX_IMAGE" sleep 300 >/dev/null
  berth stop -t 0 userstopped >/dev/null
  run berth system boot
  [ "$status" -eq 0 ]
  wait_for 50 state_is booted running
  [ "$(ctr_inspect booted '{{.State.Pid}}')" != "$pid" ]
  [ "$(ctr_state userstopped)" = exited ]
}
