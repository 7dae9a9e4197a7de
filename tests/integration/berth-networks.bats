#!/usr/bin/env bats
# Networks in the container lifecycle: published ports (-p, berth port, ps,
# inspect), user networks (names, aliases, isolation, --internal),
# --network none and container:, and the teardown after rm, after kill -9
# of the container, and of its monitor.  Traffic goes only to 127.0.0.1
# and to the containers this file made.

load berth-helpers

bats_require_minimum_version 1.5.0

setup_file() {
  berth_setup_file
  # What this file must not remove afterwards: the default bridge and the
  # firewall table when they were there before.
  NET_HAD_BRIDGE=0
  ip link show berth0 >/dev/null 2>&1 && NET_HAD_BRIDGE=1
  NET_PORT=$((20000 + RANDOM % 20000))
  export NET_HAD_BRIDGE NET_PORT
}

teardown_file() {
  local n
  berth_cleanup
  for n in $(berth network ls -q --filter name=bnt- 2>/dev/null); do
    berth network rm "$n" >/dev/null 2>&1 || true
  done
  [ "${NET_HAD_BRIDGE:-1}" = 1 ] || ip link delete berth0 2>/dev/null || true
  # This file's store has its own firewall table (its runroot is not
  # /run/berth): remove it with the store.
  if [ -s "$BERTH_RUNROOT/firewall.table" ]; then
    nft delete table ip "$(cat "$BERTH_RUNROOT/firewall.table")" 2>/dev/null || true
  fi
  berth_teardown_file
}

setup() {
  common_setup
}

teardown() {
  berth_cleanup
  common_teardown
}

# The rules of this file's store: berth names its nftables table after the
# runroot unless that is /run/berth, and notes the name in firewall.table.
fw_rules() {
  nft list table ip "$(cat "$BERTH_RUNROOT/firewall.table")" 2>/dev/null
}

# A container serving "hello NAME" with busybox httpd on port 80.
web_cmd='mkdir -p /www && echo "hello $HOSTNAME" >/www/index.html && exec httpd -f -p 80 -h /www'

# wget from the host (only 127.0.0.1 is used).  In the containers busybox
# wget runs under `timeout`: its -T crashes the static busybox.
host_get() {
  wget -q -T 2 -O - "http://127.0.0.1:$1/"
}

ctr_id() {
  berth inspect --format '{{.Id}}' "$1"
}

# The host side of eth0 of a running container: its ifindex from the
# container's iflink, then the name.
veth_of() {
  local idx
  idx=$(berth exec "$1" cat /sys/class/net/eth0/iflink) || return 1
  ip -o link show | awk -F': ' -v i="$idx" '$1 == i {sub(/@.*/, "", $2); print $2}'
}

netns_file() {
  echo "$BERTH_RUNROOT/netns/$1"
}

# nothing_left ID VETH PORT: no veth, netns mount or file, nft rule or
# port row of the container is left.
nothing_left() {
  local id=$1 veth=$2 port=$3
  [ -z "$veth" ] || ! ip link show "$veth" >/dev/null 2>&1
  [ ! -e "$(netns_file "$id")" ]
  ! grep -qF "$(netns_file "$id")" /proc/self/mountinfo
  ! fw_rules | grep -qw "dport $port"
}

restarted() {
  [ "$(ctr_inspect "$1" '{{.RestartCount}}')" -ge 1 ]
}

port_free() {
  local id
  id=$(berth run -d -p "127.0.0.1:$1:80" "$BUSYBOX_IMAGE" sleep 1) || return 1
  berth rm -f "$id" >/dev/null
}

@test "-p 127.0.0.1:PORT:80: busybox httpd answers wget from the host" {
  berth run -d --name web -p "127.0.0.1:$NET_PORT:80" "$BUSYBOX_IMAGE" sh -c "$web_cmd"
  wait_for 50 host_get "$NET_PORT"
  run host_get "$NET_PORT"
  [ "$status" -eq 0 ]
  [[ "$output" == "hello "* ]]
  run berth port web
  [ "$output" = "80/tcp -> 127.0.0.1:$NET_PORT" ]
  run berth ps --format '{{.Ports}}'
  [ "$output" = "127.0.0.1:$NET_PORT->80/tcp" ]
  run ctr_inspect web '{{json .NetworkSettings.Ports}}'
  [ "$output" = "{\"80/tcp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"$NET_PORT\"}]}" ]
  run ctr_inspect web '{{json .HostConfig.PortBindings}}'
  [ "$output" = "{\"80/tcp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"$NET_PORT\"}]}" ]
}

@test "-p 80: a random host port, shown by berth port, reachable on 127.0.0.1" {
  local port
  berth run -d --name rnd -p 80 "$BUSYBOX_IMAGE" sh -c "$web_cmd"
  run berth port rnd 80
  [ "$status" -eq 0 ]
  [[ "$output" =~ ^0\.0\.0\.0:([0-9]+)$ ]]
  port=${BASH_REMATCH[1]}
  [ "$port" -gt 0 ]
  wait_for 50 host_get "$port"
}

@test "bridge: address, gateway route, hosts and resolv.conf of the container" {
  berth run -d --name b1 "$BUSYBOX_IMAGE" sleep 60
  run berth exec b1 ip -4 -o addr show eth0
  [[ "$output" == *"inet 10.88."* ]]
  run berth exec b1 ip route
  [[ "$output" == *"default via 10.88.0.1 dev eth0"* ]]
  run berth exec b1 cat /etc/resolv.conf
  output_lacks_line '^nameserver 127\.'
  ip=$(ctr_inspect b1 '{{.NetworkSettings.IPAddress}}')
  run berth exec b1 cat /etc/hosts
  [[ "$output" == *"$ip"$'\t'"$(ctr_id b1 | cut -c1-12)"* ]]
  [ "$(ctr_inspect b1 '{{.NetworkSettings.Networks.bridge.IPAddress}}')" = "$ip" ]
  [ "$(ctr_inspect b1 '{{.NetworkSettings.SandboxKey}}')" = "$(netns_file "$(ctr_id b1)")" ]
}

@test "user network: containers reach each other by name and by alias" {
  berth network create bnt-a >/dev/null
  berth run -d --name srv --network bnt-a --network-alias websrv "$BUSYBOX_IMAGE" sh -c "$web_cmd"
  run berth run --rm --network bnt-a "$BUSYBOX_IMAGE" sh -c \
    'for i in 1 2 3 4 5 6 7 8 9 10; do timeout 3 wget -qO- http://srv/ && break; sleep 0.2; done; timeout 3 wget -qO- http://websrv/'
  [ "$status" -eq 0 ]
  [ "$(printf '%s\n' "$output" | grep -c '^hello ')" -eq 2 ]
  # nc over the alias too, and the peer appears in srv's hosts file.
  berth run -d --name cli --network bnt-a "$BUSYBOX_IMAGE" sleep 60
  run berth exec srv cat /etc/hosts
  [[ "$output" == *$'\t'"cli $(ctr_id cli | cut -c1-12)"* ]]
  run berth exec cli sh -c 'echo -e "GET / HTTP/1.0\r\n\r" | nc websrv 80'
  [[ "$output" == *"hello "* ]]
  # cli gone: srv's hosts file no longer lists it.
  berth rm -f cli >/dev/null
  run berth exec srv cat /etc/hosts
  output_lacks_line $'\tcli '
}

@test "user network: a container on another network cannot reach it" {
  local ip
  berth network create bnt-b >/dev/null
  berth network create bnt-c >/dev/null
  berth run -d --name iso --network bnt-b "$BUSYBOX_IMAGE" sh -c "$web_cmd"
  ip=$(ctr_inspect iso '{{.NetworkSettings.IPAddress}}')
  [ -n "$ip" ]
  run berth run --rm --network bnt-b "$BUSYBOX_IMAGE" sh -c \
    "for i in 1 2 3 4 5 6 7 8 9 10; do timeout 3 wget -qO- http://$ip/ && exit 0; sleep 0.2; done; exit 1"
  [ "$status" -eq 0 ]
  run berth run --rm --network bnt-c "$BUSYBOX_IMAGE" timeout 3 wget -qO- "http://$ip/"
  [ "$status" -ne 0 ]
  run berth run --rm --network bnt-c "$BUSYBOX_IMAGE" timeout 3 wget -qO- http://iso/
  [ "$status" -ne 0 ]
}

@test "--internal: no default route" {
  berth network create --internal bnt-i >/dev/null
  run berth run --rm --network bnt-i "$BUSYBOX_IMAGE" cat /proc/net/route
  [ "$status" -eq 0 ]
  [[ "$output" == *eth0* ]]
  output_lacks_line $'^eth0\t00000000\t'
  run berth run --rm "$BUSYBOX_IMAGE" cat /proc/net/route
  [[ "$output" == *$'eth0\t00000000\t'* ]]
}

@test "--network none: only lo, and lo is up" {
  run berth run --rm --network none "$BUSYBOX_IMAGE" ls /sys/class/net
  [ "$status" -eq 0 ]
  [ "$output" = "lo" ]
  run berth run --rm --network none "$BUSYBOX_IMAGE" sh -c \
    'mkdir /www && echo local >/www/index.html && httpd -p 127.0.0.1:8080 -h /www && sleep 0.2 && timeout 3 wget -qO- http://127.0.0.1:8080/'
  [ "$status" -eq 0 ]
  [ "$output" = "local" ]
}

@test "container:NAME shares the network namespace" {
  berth run -d --name owner "$BUSYBOX_IMAGE" sleep 60
  run berth run --rm --network container:owner "$BUSYBOX_IMAGE" readlink /proc/self/ns/net
  [ "$output" = "$(berth exec owner readlink /proc/self/ns/net)" ]
  run berth run --rm --network container:owner "$BUSYBOX_IMAGE" ip -4 -o addr show eth0
  [[ "$output" == *"$(ctr_inspect owner '{{.NetworkSettings.IPAddress}}')/"* ]]
}

@test "rm -f: no veth, netns, nft rule or port row left, the port is free" {
  local id veth port=$((NET_PORT + 1))
  id=$(berth run -d -p "127.0.0.1:$port:80" "$BUSYBOX_IMAGE" sh -c "$web_cmd")
  veth=$(veth_of "$id")
  [ -n "$veth" ]
  ip link show "$veth" >/dev/null
  [ -e "$(netns_file "$id")" ]
  fw_rules | grep -qw "dport $port"
  berth rm -f "$id"
  # The veth is deleted in the background (an RCU grace period).
  wait_for 50 nothing_left "$id" "$veth" "$port"
  port_free "$port"
}

@test "kill -9 of the container: the monitor tears its network down" {
  local id veth pid port=$((NET_PORT + 2))
  id=$(berth run -d -p "127.0.0.1:$port:80" "$BUSYBOX_IMAGE" sleep 60)
  veth=$(veth_of "$id")
  pid=$(ctr_inspect "$id" '{{.State.Pid}}')
  kill -9 "$pid"
  wait_for 50 state_is "$id" exited
  wait_for 50 nothing_left "$id" "$veth" "$port"
  [ -z "$(berth port "$id")" ]
  port_free "$port"
  berth rm "$id"
}

@test "kill -9 of the monitor and the container, then rm -f: nothing left" {
  local id veth pid mon port=$((NET_PORT + 3))
  id=$(berth run -d -p "127.0.0.1:$port:80" "$BUSYBOX_IMAGE" sleep 60)
  veth=$(veth_of "$id")
  pid=$(ctr_inspect "$id" '{{.State.Pid}}')
  mon=$(cat "$BERTH_ROOT/containers/$id/monitor.pid")
  kill -9 "$mon" "$pid"
  sleep 0.2
  berth rm -f "$id"
  # The veth is deleted in the background (an RCU grace period).
  wait_for 50 nothing_left "$id" "$veth" "$port"
  port_free "$port"
}

@test "host port in use: docker's error, exit 125, the container stays Created, nothing left" {
  local port=$((NET_PORT + 4)) n
  berth run -d --name holder -p "127.0.0.1:$port:80" "$BUSYBOX_IMAGE" sleep 60
  n=$(ip -o link show | grep -c veth || true)
  run berth run -d --name second -p "127.0.0.1:$port:80" "$BUSYBOX_IMAGE" sleep 60
  [ "$status" -eq 125 ]
  [[ "$output" == *"driver failed programming external connectivity on endpoint second"*"Bind for 127.0.0.1:$port failed: port is already allocated"* ]]
  [ "$(ctr_state second)" = created ]
  [ "$(ip -o link show | grep -c veth || true)" -eq "$n" ]
  [ ! -e "$(netns_file "$(ctr_id second)")" ]
  berth rm -f holder >/dev/null
  berth start second
  [ "$(berth port second)" = "80/tcp -> 127.0.0.1:$port" ]
}

@test "restart policy: networking survives the restarts" {
  local port=$((NET_PORT + 5)) ip
  berth run -d --name rs --restart always -p "127.0.0.1:$port:80" "$BUSYBOX_IMAGE" \
    sh -c "mkdir -p /www; echo up >/www/index.html; httpd -p 80 -h /www; sleep 1; exit 3"
  ip=$(ctr_inspect rs '{{.NetworkSettings.IPAddress}}')
  wait_for 100 restarted rs
  wait_for 50 host_get "$port"
  [ "$(ctr_inspect rs '{{.NetworkSettings.IPAddress}}')" = "$ip" ]
}

@test "published ports are released on stop and taken again on start" {
  local port=$((NET_PORT + 6))
  berth run -d --name st -p "127.0.0.1:$port:80" "$BUSYBOX_IMAGE" sh -c "$web_cmd"
  wait_for 50 host_get "$port"
  berth stop -t 1 st >/dev/null
  [ -z "$(berth port st)" ]
  run berth ps -a --format '{{.Ports}}' --filter name=st
  [ "$output" = "" ]
  port_free "$port"
  berth start st
  wait_for 50 host_get "$port"
}

@test "network connect/disconnect of a running container: eth1, peers' hosts files" {
  berth network create bnt-x >/dev/null
  berth run -d --name c1 "$BUSYBOX_IMAGE" sleep 60
  berth run -d --name c2 --network bnt-x "$BUSYBOX_IMAGE" sleep 60
  berth network connect --alias cee bnt-x c1
  run berth exec c1 ip -4 -o addr show eth1
  [[ "$output" == *"inet 10.89."* ]]
  run berth exec c1 ip route
  [[ "$output" == *"default via 10.88.0.1 dev eth0"* ]]
  run berth exec c2 cat /etc/hosts
  [[ "$output" == *$'\t'"c1 $(ctr_id c1 | cut -c1-12) cee"* ]]
  berth exec c2 ping -c 1 -W 2 cee
  berth network disconnect bnt-x c1
  run berth exec c1 ls /sys/class/net
  output_lacks_line '^eth1$'
  run berth exec c2 cat /etc/hosts
  output_lacks_line $'\tc1 '
}

@test "restart: same address, the veth of the previous run is replaced" {
  local ip
  berth run -d --name rr "$BUSYBOX_IMAGE" sleep 60
  ip=$(ctr_inspect rr '{{.NetworkSettings.IPAddress}}')
  berth restart -t 0 rr >/dev/null
  berth restart -t 0 rr >/dev/null
  [ "$(ctr_inspect rr '{{.NetworkSettings.IPAddress}}')" = "$ip" ]
  run berth exec rr ip -4 -o addr show eth0
  [[ "$output" == *"inet $ip/"* ]]
}
