#!/usr/bin/env bats
# berth volume create/ls/inspect/rm/prune with docker's outputs, and
# volumes used by containers: named volumes persist and are copied-up from
# the image on first use, :ro, bind mounts, --mount, anonymous volumes
# (image VOLUME and -v /path) removed by rm -v only, in-use refusals.

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
  local v
  berth_cleanup
  for v in $(berth volume ls -q 2>/dev/null); do
    berth volume rm -f "$v" >/dev/null 2>&1 || true
  done
  common_teardown
}

# --- the volume commands --------------------------------------------------

@test "volume create prints the name; without one a random 64-hex name; existing is reused" {
  run berth volume create v1
  [ "$status" -eq 0 ]
  [ "$output" = v1 ]
  [ -d "$BERTH_ROOT/volumes/v1/_data" ]
  run berth volume create v1
  [ "$status" -eq 0 ]
  [ "$output" = v1 ]
  run berth volume create
  [ "$status" -eq 0 ]
  [[ "$output" =~ ^[0-9a-f]{64}$ ]]
  run berth volume create --driver local -l a=b v2
  [ "$output" = v2 ]
}

@test "volume create refuses bad names and unknown drivers" {
  run berth volume create 'bad/name'
  [ "$status" -eq 125 ]
  [[ "$output" == *'"bad/name" includes invalid characters for a local volume name'* ]]
  run berth volume create -d nosuchdriver v3
  [ "$status" -eq 125 ]
  [[ "$output" == *'plugin "nosuchdriver" not found'* ]]
  run berth volume create a b
  [ "$status" -eq 125 ]
  run berth volume create --bogus v3
  [ "$status" -eq 125 ]
}

@test "volume ls: docker's table, -q, --format, filters" {
  berth volume create -l env=prod lsa >/dev/null
  berth volume create -l env=dev -l team lsb >/dev/null
  run berth volume ls
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "DRIVER    VOLUME NAME" ]
  output_has_line '^local     lsa$'
  output_has_line '^local     lsb$'
  run berth volume ls -q
  [ "$(printf '%s\n' "$output" | sort | tr '\n' ' ')" = "lsa lsb " ]
  run berth volume ls --format '{{.Name}}:{{.Driver}}:{{.Scope}}' --filter name=lsa
  [ "$output" = lsa:local:local ]
  run berth volume ls -q --filter label=env=dev
  [ "$output" = lsb ]
  run berth volume ls -q --filter label=team
  [ "$output" = lsb ]
  run berth volume ls -q --filter label=env
  [ "${#lines[@]}" -eq 2 ]
  run berth volume ls --format json --filter name=lsb
  [ "$(printf '%s' "$output" | jq -r '.Name + " " + .Driver + " " + .Mountpoint')" = "lsb local $BERTH_ROOT/volumes/lsb/_data" ]
  run berth volume ls --filter bogus=1
  [ "$status" -eq 125 ]
}

@test "volume ls --filter dangling" {
  berth volume create unused >/dev/null
  berth create -v used:/u "$BUSYBOX_IMAGE" true >/dev/null
  run berth volume ls -q --filter dangling=true
  [ "$output" = unused ]
  run berth volume ls -q --filter dangling=false
  [ "$output" = used ]
}

@test "volume inspect: docker's JSON" {
  berth volume create -l a=b -o type=tmpfs -o device=tmpfs insp >/dev/null
  run berth volume inspect insp
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "[" ]
  [ "${lines[1]}" = "    {" ]
  [ "$(printf '%s' "$output" | jq -r 'length')" = 1 ]
  [ "$(printf '%s' "$output" | jq -r '.[0].Name')" = insp ]
  [ "$(printf '%s' "$output" | jq -r '.[0].Driver')" = local ]
  [ "$(printf '%s' "$output" | jq -r '.[0].Scope')" = local ]
  [ "$(printf '%s' "$output" | jq -r '.[0].Mountpoint')" = "$BERTH_ROOT/volumes/insp/_data" ]
  [ "$(printf '%s' "$output" | jq -c '.[0].Labels')" = '{"a":"b"}' ]
  [ "$(printf '%s' "$output" | jq -c '.[0].Options')" = '{"device":"tmpfs","type":"tmpfs"}' ]
  [[ "$(printf '%s' "$output" | jq -r '.[0].CreatedAt')" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})$ ]]
  [ "$(printf '%s' "$output" | jq -r '.[0] | keys | join(",")')" = "CreatedAt,Driver,Labels,Mountpoint,Name,Options,Scope" ]
  run berth volume inspect --format '{{.Name}} {{.Mountpoint}}' insp
  [ "$output" = "insp $BERTH_ROOT/volumes/insp/_data" ]
  # several, and a missing one is an error
  berth volume create insp2 >/dev/null
  run berth volume inspect insp insp2
  [ "$(printf '%s' "$output" | jq -r 'length')" = 2 ]
  run berth volume inspect nosuchvol
  [ "$status" -ne 0 ]
  [[ "$output" == *"no such volume"* ]]
  # berth inspect finds volumes too
  run berth inspect --type volume --format '{{.Name}}' insp
  [ "$output" = insp ]
}

@test "volume rm: removes, refuses missing ones unless -f" {
  berth volume create gone >/dev/null
  run berth volume rm gone
  [ "$status" -eq 0 ]
  [ "$output" = gone ]
  [ ! -e "$BERTH_ROOT/volumes/gone" ]
  run berth volume rm gone
  [ "$status" -ne 0 ]
  [[ "$output" == *"no such volume"* ]]
  run berth volume rm -f gone
  [ "$status" -eq 0 ]
}

@test "volume rm refuses a volume in use, even by a stopped container" {
  id=$(berth create --name user1 -v inuse:/data "$BUSYBOX_IMAGE" true)
  run berth volume rm inuse
  [ "$status" -ne 0 ]
  [[ "$output" == *"remove inuse: volume is in use - [$id]"* ]]
  run berth volume rm -f inuse
  [ "$status" -ne 0 ]
  [[ "$output" == *"volume is in use"* ]]
  berth rm user1 >/dev/null
  run berth volume rm inuse
  [ "$status" -eq 0 ]
}

@test "volume prune: anonymous unused volumes only, -a for all, --filter label" {
  berth volume create named1 >/dev/null
  berth volume create -l keep=yes named2 >/dev/null
  # a random name from volume create is still a named volume (docker >= 23)
  rand=$(berth volume create)
  # an anonymous volume left behind by rm without -v
  id=$(berth create -v /anonleft "$BUSYBOX_IMAGE" true)
  anon=$(berth inspect "$id" | jq -r '.[0].Mounts[] | select(.Destination == "/anonleft") | .Name')
  berth rm "$id" >/dev/null
  # volumes of an existing (stopped) container are in use
  berth create -v /busyanon -v named3:/n "$BUSYBOX_IMAGE" true >/dev/null
  run berth volume prune -f
  [ "$status" -eq 0 ]
  [ "$output" = "Deleted Volumes:
$anon

Total reclaimed space: 0B" ]
  run berth volume ls -q
  [ "${#lines[@]}" -eq 5 ]
  run berth volume prune -f -a --filter label=keep=yes
  [ "$output" = "Deleted Volumes:
named2

Total reclaimed space: 0B" ]
  run berth volume prune -f --all
  [ "${lines[0]}" = "Deleted Volumes:" ]
  output_has_line '^named1$'
  output_has_line "^$rand$"
  output_lacks_line '^named3$'
  run berth volume ls -q
  [ "${#lines[@]}" -eq 2 ]
  # nothing left to prune
  run berth volume prune -f -a
  [ "$output" = "Total reclaimed space: 0B" ]
}

@test "volume prune asks first" {
  berth volume create -l x=y asked >/dev/null
  run sh -c "echo n | '$BERTH' --root '$BERTH_ROOT' --runroot '$BERTH_RUNROOT' volume prune -a"
  [ "$status" -eq 0 ]
  [[ "$output" == *"WARNING! This will remove all local volumes not used by at least one container."* ]]
  run berth volume ls -q
  [ "$output" = asked ]
}

@test "volume --help of every subcommand" {
  for sub in create ls inspect rm prune; do
    run berth volume "$sub" --help
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" == "Usage:"*"berth volume $sub"* ]]
  done
}

# --- volumes in containers --------------------------------------------------

@test "a named volume is created on first use and persists across containers" {
  run berth run --rm -v data:/vol "$BUSYBOX_IMAGE" sh -c 'echo persisted >/vol/f'
  [ "$status" -eq 0 ]
  run berth volume ls -q
  [ "$output" = data ]
  run berth run --rm -v data:/other "$BUSYBOX_IMAGE" cat /other/f
  [ "$output" = persisted ]
  [ "$(cat "$BERTH_ROOT/volumes/data/_data/f")" = persisted ]
  # --rm does not remove named volumes
  run berth volume inspect --format '{{.Name}}' data
  [ "$output" = data ]
}

@test "an empty named volume is filled from the image path on first mount" {
  run berth run --rm -v fresh:/data "$BUSYBOX_IMAGE" cat /data/hello.txt
  [ "$status" -eq 0 ]
  [ "$output" = "from the image" ]
  [ -f "$BERTH_ROOT/volumes/fresh/_data/hello.txt" ]
  # not again once it has content
  berth run --rm -v fresh:/data "$BUSYBOX_IMAGE" sh -c 'rm /data/hello.txt; echo mine >/data/own'
  run berth run --rm -v fresh:/data "$BUSYBOX_IMAGE" ls /data
  [ "$output" = own ]
  # a bind mount hides the image content and copies nothing
  mkdir -p "$TEST_TMPDIR/bind"
  run berth run --rm -v "$TEST_TMPDIR/bind:/data" "$BUSYBOX_IMAGE" ls /data
  [ "$output" = "" ]
  [ ! -e "$TEST_TMPDIR/bind/hello.txt" ]
}

@test ":ro volumes and bind mounts are read-only" {
  berth volume create rovol >/dev/null
  run berth run --rm -v rovol:/v:ro "$BUSYBOX_IMAGE" touch /v/x
  [ "$status" -ne 0 ]
  [[ "$output" == *"Read-only file system"* ]]
  mkdir -p "$TEST_TMPDIR/robind"
  run berth run --rm -v "$TEST_TMPDIR/robind:/b:ro" "$BUSYBOX_IMAGE" touch /b/x
  [ "$status" -ne 0 ]
  run berth run --rm -v "$TEST_TMPDIR/robind:/b" "$BUSYBOX_IMAGE" sh -c 'echo w >/b/x'
  [ "$status" -eq 0 ]
  [ "$(cat "$TEST_TMPDIR/robind/x")" = w ]
}

@test "--mount type=volume, type=bind, type=tmpfs" {
  mkdir -p "$TEST_TMPDIR/mb"
  run berth run --rm --mount type=volume,source=mvol,target=/mv \
    --mount "type=bind,source=$TEST_TMPDIR/mb,target=/mb,readonly" \
    --mount type=tmpfs,destination=/mt,tmpfs-size=1m "$BUSYBOX_IMAGE" sh -c \
    'echo v >/mv/f && ! touch /mb/f 2>/dev/null && grep " /mt " /proc/mounts'
  [ "$status" -eq 0 ]
  [[ "$output" == "tmpfs /mt tmpfs "* ]]
  [ "$(cat "$BERTH_ROOT/volumes/mvol/_data/f")" = v ]
  run berth run --rm --mount type=bind,source=/no/such/dir,target=/x "$BUSYBOX_IMAGE" true
  [ "$status" -eq 125 ]
  [[ "$output" == *"/no/such/dir"* ]]
}

@test "inspect .Mounts shows named and anonymous volumes and binds" {
  mkdir -p "$TEST_TMPDIR/ib"
  id=$(berth create -v named-m:/n -v /anon-m -v "$TEST_TMPDIR/ib:/b:ro" "$BUSYBOX_IMAGE" true)
  run berth inspect --format '{{json .Mounts}}' "$id"
  [ "$status" -eq 0 ]
  m=$output
  [ "$(jq -r '.[] | select(.Destination == "/n") | .Type + " " + .Name + " " + (.RW | tostring)' <<<"$m")" = "volume named-m true" ]
  [ "$(jq -r '.[] | select(.Destination == "/n") | .Source' <<<"$m")" = "$BERTH_ROOT/volumes/named-m/_data" ]
  [[ "$(jq -r '.[] | select(.Destination == "/anon-m") | .Name' <<<"$m")" =~ ^[0-9a-f]{64}$ ]]
  [ "$(jq -r '.[] | select(.Destination == "/b") | .Type + " " + .Source + " " + (.RW | tostring)' <<<"$m")" = "bind $TEST_TMPDIR/ib false" ]
}

@test "rm -v removes anonymous volumes only; rm keeps them" {
  id=$(berth create -v /anon1 -v keepme:/k "$BUSYBOX_IMAGE" true)
  anon=$(berth inspect --format '{{range .Mounts}}{{if eq .Destination "/anon1"}}{{.Name}}{{end}}{{end}}' "$id" 2>/dev/null ||
    berth inspect "$id" | jq -r '.[0].Mounts[] | select(.Destination == "/anon1") | .Name')
  [[ "$anon" =~ ^[0-9a-f]{64}$ ]]
  run berth rm -v "$id"
  [ "$status" -eq 0 ]
  run berth volume ls -q
  [ "$output" = keepme ]
  # without -v the anonymous volume stays (prune takes it)
  id=$(berth create -v /anon2 "$BUSYBOX_IMAGE" true)
  berth rm "$id" >/dev/null
  run berth volume ls -q
  [ "${#lines[@]}" -eq 2 ]
  # --rm removes the anonymous volumes too, like docker
  berth run --rm -v /anon3 -v keepme:/k "$BUSYBOX_IMAGE" true
  run berth volume ls -q
  [ "${#lines[@]}" -eq 2 ]
}

@test "an image VOLUME becomes an anonymous volume with the image's content" {
  berth import --change 'CMD ["sh"]' --change 'VOLUME /data' "$BERTH_DIR/rootfs.tar" berthtest/withvol >/dev/null
  id=$(berth run -d berthtest/withvol sleep 300)
  run berth exec "$id" cat /data/hello.txt
  [ "$output" = "from the image" ]
  name=$(berth inspect "$id" | jq -r '.[0].Mounts[] | select(.Destination == "/data") | .Name')
  [[ "$name" =~ ^[0-9a-f]{64}$ ]]
  [ -f "$BERTH_ROOT/volumes/$name/_data/hello.txt" ]
  # a named volume given for the path replaces the anonymous one
  run berth run --rm -v over:/data berthtest/withvol ls /data
  [ "$output" = hello.txt ]
  berth rm -f -v "$id" >/dev/null
  run berth volume ls -q
  [ "$output" = over ]
  berth rmi berthtest/withvol >/dev/null
}

@test "system df counts local volumes" {
  berth volume create dfvol >/dev/null
  run berth system df
  [ "$status" -eq 0 ]
  output_has_line '^Local Volumes +1 '
}
