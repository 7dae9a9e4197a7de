#!/usr/bin/env bats
# Controlling and listing containers (stop, kill, rm, wait, pause, rename,
# container prune, ps, logs, inspect): the edges that berth-containers.bats
# does not cover.

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

@test "control: several operands, one unknown: the others are processed, exit 1" {
  berth run -d --name op1 "$BUSYBOX_IMAGE" sleep 300
  berth run -d --name op2 "$BUSYBOX_IMAGE" sleep 300
  run berth stop -t 0 op1 nope op2
  [ "$status" -eq 1 ]
  output_has_line '^op1$'
  output_has_line '^op2$'
  output_has_line 'No such container: nope'
  [ "$(ctr_state op1)" = exited ]
  [ "$(ctr_state op2)" = exited ]
  run berth rm op1 nope op2
  [ "$status" -eq 1 ]
  run berth ps -aq
  [ -z "$output" ]
  # rm -f of a missing name is reported, not an error
  run berth rm -f nope
  [ "$status" -eq 0 ]
}

@test "control: stop -s, kill with an invalid signal, kill of a stopped container" {
  berth run -d --name sigint "$BUSYBOX_IMAGE" sh -c 'trap "exit 12" INT; while :; do sleep 0.1; done'
  sleep 0.5
  run berth stop -s SIGINT -t 5 sigint
  [ "$status" -eq 0 ]
  [ "$(ctr_inspect sigint '{{.State.ExitCode}}')" = 12 ]
  run berth kill -s NOSUCH sigint
  [ "$status" -eq 125 ]
  [[ "$output" == *"Invalid signal: NOSUCH"* ]]
  run berth kill sigint
  [ "$status" -eq 1 ]
  [[ "$output" == *"Cannot kill container: "*"is not running"* ]]
  run berth stop -t abc sigint
  [ "$status" -eq 125 ]
}

@test "control: pause errors, stop of a paused container" {
  berth run -d --name pz "$BUSYBOX_IMAGE" sleep 300
  run berth unpause pz
  [ "$status" -eq 1 ]
  [[ "$output" == *"is not paused"* ]]
  berth pause pz
  run berth pause pz
  [ "$status" -eq 1 ]
  [[ "$output" == *"is already paused"* ]]
  run berth stop -t 1 pz
  [ "$status" -eq 0 ]
  [ "$(ctr_state pz)" = exited ]
  run berth pause pz
  [ "$status" -eq 1 ]
  [[ "$output" == *"is not running"* ]]
}

@test "control: wait on a created container and on several" {
  berth create --name w0 "$BUSYBOX_IMAGE" true >/dev/null
  run berth wait w0
  [ "$output" = 0 ]
  berth run -d --name w1 "$BUSYBOX_IMAGE" sh -c 'exit 1' >/dev/null
  berth run -d --name w2 "$BUSYBOX_IMAGE" sh -c 'sleep 0.5; exit 2' >/dev/null
  run berth wait w1 w2
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = 1 ]
  [ "${lines[1]}" = 2 ]
}

@test "control: rename refuses invalid and identical names" {
  berth create --name rn "$BUSYBOX_IMAGE" true >/dev/null
  run berth rename rn 'bad name'
  [ "$status" -eq 125 ]
  [[ "$output" == *"Invalid container name"* ]]
  run berth rename rn rn
  [ "$status" -eq 125 ]
  run berth rename rn /rn2
  [ "$status" -eq 0 ]
  [ "$(ctr_inspect rn2 '{{.Name}}')" = /rn2 ]
}

@test "ps: -n, -l, filters and json keys" {
  berth create --name p1 --label tier=db "$BUSYBOX_IMAGE" true >/dev/null
  berth create --name p2 --label tier=web "$BUSYBOX_IMAGE" sh -c 'echo a very long command line here' >/dev/null
  run berth ps -l --format '{{.Names}}'
  [ "$output" = p2 ]
  run berth ps -n 2 --format '{{.Names}}'
  [ "${lines[0]}" = p2 ]
  [ "${lines[1]}" = p1 ]
  run berth ps -a -f label=tier=db --format '{{.Names}}'
  [ "$output" = p1 ]
  run berth ps -a -f label!=tier=db --format '{{.Names}}'
  [ "$output" = p2 ]
  run berth ps -a -f name=p1 -f name=p2 --format '{{.Names}}'
  [ "${#lines[@]}" -eq 2 ]
  run berth ps -a -f 'name=^p[2-9]$' --format '{{.Names}}'
  [ "$output" = p2 ]
  run berth ps -a -f 'name=(' --format '{{.Names}}'
  [ "$status" -eq 125 ]
  run berth ps -f status=created --format '{{.Names}}'
  [ "${#lines[@]}" -eq 2 ]
  run berth ps -a -f ancestor="$BUSYBOX_IMAGE" -q
  [ "${#lines[@]}" -eq 2 ]
  run berth ps -a -f bogus=1
  [ "$status" -eq 125 ]
  run berth ps -a -f name=p2 --format '{{.Command}}'
  [ "$output" = '"sh -c '"'"'echo a very …"' ]
  run berth ps -a -f name=p2 --format json
  for k in Command CreatedAt ID Image Labels LocalVolumes Mounts Names Networks Ports RunningFor Size State Status; do
    printf '%s\n' "$output" | jq -e "has(\"$k\")" >/dev/null
  done
  [ "$(printf '%s\n' "$output" | jq -r .State)" = created ]
  [ "$(printf '%s\n' "$output" | jq -r .Labels)" = tier=web ]
  run berth ps -a -s --format '{{.Size}}'
  [[ "${lines[0]}" == *"(virtual "* ]]
  run berth ps --format '{{.Nope}}'
  [ "$status" -eq 125 ]
}

@test "logs: --since, --until, -n 0, --log-driver none" {
  berth run --name lg "$BUSYBOX_IMAGE" sh -c 'echo one; echo two' >/dev/null
  run berth logs --since 1h lg
  [ "${#lines[@]}" -eq 2 ]
  run berth logs --until 1h lg
  [ -z "$output" ]
  run berth logs --since 2000000000 lg
  [ -z "$output" ]
  run berth logs -n 0 lg
  [ -z "$output" ]
  run berth logs --since bogus lg
  [ "$status" -eq 125 ]
  berth run --name nolog --log-driver none "$BUSYBOX_IMAGE" true >/dev/null || skip "no --log-driver"
  run berth logs nolog
  [ "$status" -eq 125 ]
  [[ "$output" == *"does not support reading"* ]]
}

@test "inspect: container shape, --type, -s, volumes" {
  berth run -d --name insp "$BUSYBOX_IMAGE" sleep 300 >/dev/null
  run berth inspect insp
  [ "$status" -eq 0 ]
  for k in Id Created Path Args State Image ResolvConfPath HostnamePath HostsPath LogPath Name \
           RestartCount Driver Platform HostConfig GraphDriver Mounts Config NetworkSettings; do
    printf '%s\n' "$output" | jq -e ".[0] | has(\"$k\")" >/dev/null
  done
  [ "$(printf '%s\n' "$output" | jq -r '.[0].State.Running')" = true ]
  [ "$(printf '%s\n' "$output" | jq -r '.[0].State.FinishedAt')" = 0001-01-01T00:00:00Z ]
  [ "$(printf '%s\n' "$output" | jq -r '.[0].Path')" = sleep ]
  [ "$(printf '%s\n' "$output" | jq -r '.[0].Driver')" = overlay ]
  [[ "$(printf '%s\n' "$output" | jq -r '.[0].Created')" =~ ^[0-9]{4}-.*T.*Z$ ]]
  run berth container inspect -s -f '{{.SizeRw}}' insp
  [[ "$output" =~ ^[0-9]+$ ]]
  run berth inspect --type image insp
  [ "$status" -eq 1 ]
  [[ "$output" == *"No such image: insp"* ]]
  run berth inspect --type container -f '{{.Config.Image}}' insp
  [ "$status" -eq 0 ]
  run berth inspect -f '{{.Id}}' "$BUSYBOX_IMAGE"
  [[ "$output" == sha256:* ]]
  berth volume create vinsp >/dev/null || skip "no volume create"
  run berth inspect vinsp
  [ "$(printf '%s\n' "$output" | jq -r '.[0].Scope')" = local ]
  [ "$(printf '%s\n' "$output" | jq -r '.[0].Driver')" = local ]
  run berth inspect --type volume -f '{{.Name}}' vinsp
  [ "$output" = vinsp ]
  run berth inspect --type bogus insp
  [ "$status" -eq 125 ]
  run berth inspect nothing-here
  [ "$status" -eq 1 ]
  [[ "$output" == *"No such object: nothing-here"* ]]
}

@test "rm -v removes anonymous volumes only" {
  berth volume create named1 >/dev/null || skip "no volume create"
  berth create --name vols -v named1:/n -v /anon "$BUSYBOX_IMAGE" true >/dev/null
  anon=$(ctr_inspect vols '{{json .Mounts}}' | jq -r '.[] | select(.Destination == "/anon") | .Name')
  [[ "$anon" =~ ^[0-9a-f]{64}$ ]]
  run berth volume ls -q
  output_has_line "^$anon\$"
  berth rm -v vols
  run berth volume ls -q
  output_has_line '^named1$'
  output_lacks_line "^$anon\$"
  berth volume rm named1
}

@test "container prune --filter label and until" {
  berth create --name keepme --label keep=1 "$BUSYBOX_IMAGE" true >/dev/null
  berth create --name dropme "$BUSYBOX_IMAGE" true >/dev/null
  run berth container prune -f --filter until=1h
  [ "$status" -eq 0 ]
  output_lacks_line '^Deleted Containers:'
  run berth container prune -f --filter label!=keep
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "Deleted Containers:" ]
  run berth ps -a --format '{{.Names}}'
  [ "$output" = keepme ]
  run berth container prune -f --filter bogus=1
  [ "$status" -eq 125 ]
}
