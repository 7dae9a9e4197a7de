#!/usr/bin/env bats
# berth network create/ls/inspect/rm/prune/connect/disconnect, berth port
# and the network flags of run/create (-p, -P, --network-alias, --ip):
# docker's outputs, messages and exit codes.  No traffic here (see
# berth-networks.bats); the only container started is the one whose
# published ports `berth port` lists.

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
  local n
  berth_cleanup
  for n in $(berth network ls -q --filter type=custom 2>/dev/null); do
    berth network rm -f "$n" >/dev/null 2>&1 || true
  done
  common_teardown
}

# --- create, ls, inspect ----------------------------------------------------

@test "network create prints the id; ls lists it after the default bridge" {
  run berth network create ndt-one
  [ "$status" -eq 0 ]
  [[ "$output" =~ ^[0-9a-f]{64}$ ]]
  id=$output
  run berth network ls
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "NETWORK ID     NAME      DRIVER    SCOPE" ]
  [[ "${lines[1]}" =~ ^[0-9a-f]{12}\ +bridge\ +bridge\ +local$ ]]
  output_has_line "^${id:0:12}   ndt-one   bridge    local$"
  run berth network create ndt-one
  [ "$status" -eq 125 ]
  [[ "$output" == *"network with name ndt-one already exists"* ]]
}

@test "network create --subnet --gateway --internal --label -o shows in inspect" {
  run berth network create --subnet 10.89.231.0/24 --gateway 10.89.231.254 --internal \
    --label team=a --label solo -o mtu=1400 ndt-two
  [ "$status" -eq 0 ]
  run berth network inspect ndt-two
  [ "$status" -eq 0 ]
  [[ "$output" == *'"Name": "ndt-two"'* ]]
  [[ "$output" == *'"Scope": "local"'* ]]
  [[ "$output" == *'"Driver": "bridge"'* ]]
  [[ "$output" == *'"EnableIPv6": false'* ]]
  [[ "$output" == *'"Internal": true'* ]]
  [[ "$output" == *'"Containers": {}'* ]]
  run berth network inspect -f '{{json .IPAM}}' ndt-two
  [ "$output" = '{"Config":[{"Gateway":"10.89.231.254","Subnet":"10.89.231.0/24"}],"Driver":"default","Options":{}}' ] ||
    [ "$output" = '{"Driver":"default","Options":{},"Config":[{"Subnet":"10.89.231.0/24","Gateway":"10.89.231.254"}]}' ]
  run berth network inspect -f '{{json .Labels}} {{json .Options}}' ndt-two
  [ "$output" = '{"solo":"","team":"a"} {"mtu":"1400"}' ]
  run berth network inspect --format '{{.Id}}' ndt-two
  [[ "$output" =~ ^[0-9a-f]{64}$ ]]
}

@test "network create refuses overlapping and IPv6 subnets, bad gateways, drivers and names" {
  berth network create --subnet 10.89.232.0/24 ndt-a >/dev/null
  run berth network create --subnet 10.89.232.128/25 ndt-b
  [ "$status" -eq 125 ]
  [[ "$output" == *"invalid pool request: Pool overlaps with other one on this address space"* ]]
  run berth network create --subnet fd00::/64 ndt-b
  [ "$status" -eq 125 ]
  [[ "$output" == *"IPv6 is not supported"* ]]
  run berth network create --subnet 10.89.233.0 ndt-b
  [ "$status" -eq 125 ]
  [[ "$output" == *"invalid CIDR address: 10.89.233.0"* ]]
  run berth network create --gateway 10.89.233.1 ndt-b
  [ "$status" -eq 125 ]
  [[ "$output" == *"every ip-range or gateway must have a corresponding subnet"* ]]
  run berth network create --subnet 10.89.233.0/24 --gateway 10.89.234.1 ndt-b
  [ "$status" -eq 125 ]
  run berth network create -d overlay ndt-b
  [ "$status" -eq 125 ]
  [[ "$output" == *'plugin "overlay" not found'* ]]
  run berth network create 'bad/name'
  [ "$status" -eq 125 ]
  run berth network create
  [ "$status" -eq 125 ]
  [[ "$output" == *'"berth network create" requires exactly 1 argument.'* ]]
  run berth network ls -q --filter name=ndt-b
  [ -z "$output" ]
}

@test "network ls -q, --no-trunc, --format and filters" {
  a=$(berth network create --label env=prod ndt-prod)
  b=$(berth network create --label env=dev ndt-dev)
  run berth network ls -q --filter type=custom
  [ "${#lines[@]}" -eq 2 ]
  [ "${lines[0]}" = "${a:0:12}" ]
  [ "${lines[1]}" = "${b:0:12}" ]
  run berth network ls -q --no-trunc --filter label=env=dev
  [ "$output" = "$b" ]
  run berth network ls -q --filter label=env --filter name=prod
  [ "$output" = "${a:0:12}" ]
  run berth network ls -q --filter id="${b:0:5}"
  [ "$output" = "${b:0:12}" ]
  run berth network ls --format '{{.Name}} {{.Driver}} {{.Scope}}' --filter type=builtin
  [ "$output" = "bridge bridge local" ]
  run berth network ls --format json --filter name=ndt-prod
  [[ "$output" == '{"CreatedAt":'*'"ID":"'"${a:0:12}"'"'*'"Labels":"env=prod","Name":"ndt-prod","Scope":"local"}' ]]
  run berth network ls --format 'table {{.ID}}\t{{.Name}}' --filter name=ndt-dev
  [ "${#lines[@]}" -eq 2 ]
  run berth network ls --filter color=red
  [ "$status" -eq 125 ]
  [[ "$output" == *"invalid filter 'color'"* ]]
  run berth network ls extra
  [ "$status" -eq 125 ]
}

@test "berth inspect finds networks after containers, images and volumes; --type network" {
  berth network create ndt-insp >/dev/null
  run berth inspect --format '{{.Name}} {{.Driver}}' ndt-insp
  [ "$status" -eq 0 ]
  [ "$output" = "ndt-insp bridge" ]
  run berth inspect --type network --format '{{.Name}}' bridge
  [ "$output" = bridge ]
  run berth inspect --type network ndt-nothing
  [ "$status" -eq 1 ]
  [[ "$output" == *"No such network: ndt-nothing"* ]]
  run berth network inspect ndt-insp ndt-nothing
  [ "$status" -eq 125 ]
  [[ "$output" == *'"Name": "ndt-insp"'* ]]
  [[ "$output" == *"network ndt-nothing not found"* ]]
}

# --- rm, prune ----------------------------------------------------------------

@test "network rm prints the names, keeps going, -f ignores missing ones, bridge is kept" {
  berth network create ndt-r1 >/dev/null
  berth network create ndt-r2 >/dev/null
  run berth network rm ndt-r1 ndt-missing ndt-r2
  [ "$status" -eq 125 ]
  output_has_line '^ndt-r1$'
  output_has_line '^ndt-r2$'
  [[ "$output" == *"network ndt-missing not found"* ]]
  run berth network rm -f ndt-missing
  [ "$status" -eq 0 ]
  [ -z "$output" ]
  run berth network rm bridge
  [ "$status" -eq 125 ]
  [[ "$output" == *"bridge is a pre-defined network and cannot be removed"* ]]
  run berth network ls -q --filter type=custom
  [ -z "$output" ]
}

@test "network rm of a network with a running container is docker's error; prune keeps it and bridge" {
  id=$(berth network create ndt-used)
  berth network create ndt-idle >/dev/null
  berth run -d --name ndt-c1 --network ndt-used "$BUSYBOX_IMAGE" sleep 300 >/dev/null
  run berth network rm ndt-used
  [ "$status" -eq 125 ]
  [[ "$output" == *"error while removing network: network ndt-used id $id has active endpoints"* ]]
  run berth network prune -f
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "Deleted Networks:" ]
  [ "${lines[1]}" = "ndt-idle" ]
  [ "${#lines[@]}" -eq 2 ]
  run berth network ls --format '{{.Name}}'
  output_has_line '^bridge$'
  output_has_line '^ndt-used$'
  berth rm -f ndt-c1 >/dev/null
  run berth network rm ndt-used
  [ "$status" -eq 0 ]
  [ "$output" = ndt-used ]
  run berth network prune -f
  [ "$status" -eq 0 ]
  [ "$output" = "" ]
}

@test "network prune --filter label and until" {
  berth network create --label keep=yes ndt-keep >/dev/null
  berth network create ndt-drop >/dev/null
  run berth network prune -f --filter label!=keep
  [ "${lines[1]}" = ndt-drop ]
  run berth network prune -f --filter until=1h
  [ "$output" = "" ]
  run berth network ls -q --filter name=ndt-keep
  [ -n "$output" ]
  run berth network prune -f --filter name=x
  [ "$status" -eq 125 ]
  [[ "$output" == *"invalid filter 'name'"* ]]
}

# --- connect, disconnect ------------------------------------------------------

@test "network connect/disconnect of a created container: inspect Containers, --ip, --alias" {
  nid=$(berth network create --subnet 10.89.235.0/24 ndt-conn)
  cid=$(berth create --name ndt-c2 "$BUSYBOX_IMAGE" true)
  run berth network connect --ip 10.89.235.77 --alias db,database ndt-conn ndt-c2
  [ "$status" -eq 0 ]
  [ -z "$output" ]
  run berth network inspect -f '{{json .Containers}}' ndt-conn
  [[ "$output" == '{"'"$cid"'":{"Name":"ndt-c2","EndpointID":"'* ]]
  [[ "$output" == *'"MacAddress":"02:42:0a:59:eb:4d","IPv4Address":"10.89.235.77/24","IPv6Address":""}}' ]]
  run berth network connect ndt-conn ndt-c2
  [ "$status" -eq 125 ]
  [[ "$output" == *"endpoint with name ndt-c2 already exists in network ndt-conn"* ]]
  run berth network rm ndt-conn
  [ "$status" -eq 125 ]
  [[ "$output" == *"network ndt-conn id $nid has active endpoints"* ]]
  run berth network disconnect ndt-conn ndt-c2
  [ "$status" -eq 0 ]
  run berth network inspect -f '{{json .Containers}}' ndt-conn
  [ "$output" = '{}' ]
  run berth network connect ndt-conn ndt-c2
  [ "$status" -eq 0 ]
  run berth network inspect -f '{{json .Containers}}' ndt-conn
  [[ "$output" == *'"IPv4Address":"10.89.235.2/24"'* ]]
}

@test "network connect refuses what docker refuses" {
  berth network create ndt-x >/dev/null
  berth create --name ndt-host --network host "$BUSYBOX_IMAGE" true >/dev/null
  berth create --name ndt-plain "$BUSYBOX_IMAGE" true >/dev/null
  run berth network connect ndt-x ndt-host
  [ "$status" -eq 125 ]
  [[ "$output" == *"container cannot be disconnected from host network or connected to host network"* ]]
  run berth network connect --alias a bridge ndt-plain
  [ "$status" -eq 125 ]
  [[ "$output" == *"network-scoped alias is supported only for containers in user defined networks"* ]]
  run berth network connect --ip 10.88.0.99 bridge ndt-plain
  [ "$status" -eq 125 ]
  [[ "$output" == *"user specified IP address is supported on user defined networks only"* ]]
  run berth network connect --ip fd00::5 ndt-x ndt-plain
  [ "$status" -eq 125 ]
  [[ "$output" == *"IPv6 is not supported"* ]]
  run berth network connect ndt-none ndt-plain
  [ "$status" -eq 125 ]
  [[ "$output" == *"network ndt-none not found"* ]]
  run berth network connect ndt-x ndt-nobody
  [ "$status" -eq 125 ]
  [[ "$output" == *"No such container: ndt-nobody"* ]]
  run berth network connect ndt-x
  [ "$status" -eq 125 ]
  [[ "$output" == *'"berth network connect" requires exactly 2 arguments.'* ]]
}

# --- run/create flags ---------------------------------------------------------

@test "-p syntax errors are docker's, exit 125, nothing created" {
  local spec msg
  while IFS='|' read -r spec msg; do
    run berth create -p "$spec" "$BUSYBOX_IMAGE" true
    [ "$status" -eq 125 ] || { echo "-p $spec: status $status" >&2; return 1; }
    [[ "$output" == *"$msg"* ]] || { echo "-p $spec: $output" >&2; return 1; }
  done <<'EOF'
abc|invalid containerPort: abc
x:80|invalid hostPort: x
70000|invalid containerPort: 70000
1.2.3:80:80|invalid IP address: 1.2.3
80/icmp|invalid proto: icmp
8080:|no port specified: 8080:<empty>
8080-8082:80-81|invalid ranges specified for container and host Ports: 80-81 and 8080-8082
[::1]:80:80|IPv6 is not supported for published ports
::1:8080:80|IPv6 is not supported for published ports
EOF
  run berth run --rm -p abc "$BUSYBOX_IMAGE" true
  [ "$status" -eq 125 ]
  run berth create --network container:x -p 80 "$BUSYBOX_IMAGE" true
  [ "$status" -eq 125 ]
  [[ "$output" == *"conflicting options: port publishing and the container type network mode"* ]]
  run berth create --ip 10.88.0.9 "$BUSYBOX_IMAGE" true
  [ "$status" -eq 125 ]
  [[ "$output" == *"user specified IP address is supported on user defined networks only"* ]]
  run berth create --network ndt-n --ip fd00::1 "$BUSYBOX_IMAGE" true
  [ "$status" -eq 125 ]
  [[ "$output" == *'invalid argument "fd00::1" for "--ip" flag'* ]]
  run berth ps -aq
  [ -z "$output" ]
}

@test "create -p/-P/--expose record docker's HostConfig and ExposedPorts" {
  berth network create ndt-rec >/dev/null
  berth create --name ndt-c3 --network ndt-rec --network-alias web --network-alias www \
    -p 127.0.0.1:8080:80 -p 9000-9001:90-91/udp -P --expose 7000 "$BUSYBOX_IMAGE" true >/dev/null
  run ctr_inspect ndt-c3 '{{json .HostConfig.PublishAllPorts}} {{json .Config.ExposedPorts}}'
  [ "$output" = 'true {"7000/tcp":{},"80/tcp":{},"90/udp":{},"91/udp":{}}' ]
  run berth port ndt-c3
  [ "$status" -eq 0 ]
  [ -z "$output" ]
}

# --- berth port -----------------------------------------------------------------

@test "port lists the mappings of a running container as docker does" {
  berth network create ndt-pub >/dev/null
  berth run -d --name ndt-web --network ndt-pub -p 127.0.0.1::80 -p 127.0.0.1::53/udp \
    "$BUSYBOX_IMAGE" sleep 300 >/dev/null
  wait_for 50 state_is ndt-web running
  run berth port ndt-web
  [ "$status" -eq 0 ]
  [ "${#lines[@]}" -eq 2 ]
  [[ "${lines[0]}" =~ ^53/udp\ -\>\ 127\.0\.0\.1:[0-9]+$ ]]
  [[ "${lines[1]}" =~ ^80/tcp\ -\>\ 127\.0\.0\.1:[0-9]+$ ]]
  hostport=${lines[1]##*:}
  [ "$hostport" -gt 0 ]
  run berth port ndt-web 80
  [ "$output" = "127.0.0.1:$hostport" ]
  run berth port ndt-web 80/tcp
  [ "$output" = "127.0.0.1:$hostport" ]
  run berth container port ndt-web 53/udp
  [[ "$output" =~ ^127\.0\.0\.1:[0-9]+$ ]]
  run berth port ndt-web 81
  [ "$status" -eq 125 ]
  [[ "$output" == *"No public port '81/tcp' published for ndt-web"* ]]
  run berth port ndt-web 80/xyz
  [ "$status" -eq 125 ]
  run berth port ndt-nobody
  [ "$status" -eq 125 ]
  [[ "$output" == *"No such container: ndt-nobody"* ]]
  berth stop -t 1 ndt-web >/dev/null
  run berth port ndt-web
  [ "$status" -eq 0 ]
  [ -z "$output" ]
}
