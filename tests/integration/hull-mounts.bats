#!/usr/bin/env bats
# hull's root filesystem: spec mounts and their options, /dev, pivot_root,
# masked and readonly paths, readonly root, sysctl, cgroup mounts and
# destinations that try to leave the rootfs.

load hull-helpers

setup() {
  setup_hull
}

teardown() {
  if [ -n "${HOST_SUBMOUNT:-}" ]; then
    umount -l "$HOST_SUBMOUNT" 2>/dev/null || true
  fi
  teardown_hull
}

# Run the container in the foreground with args; output in $output.
run_ctr() {
  set_args "$@"
  run hull run -b "$BUNDLE" "$(cid)"
}

# Append a mount: add_mount DEST TYPE SOURCE OPTIONS_JSON
add_mount() {
  set_config ".mounts += [{\"destination\": \"$1\", \"type\": \"$2\", \"source\": \"$3\", \"options\": $4}]"
}

# The mountinfo line of a mount point inside the container.
mountinfo_of() {
  echo "$output" | awk -v mp="$1" '$5 == mp'
}

@test "hull-mounts: default mounts and the readonly root" {
  add_mount /tmp tmpfs tmpfs '["nosuid", "nodev", "size=1m", "mode=1777"]'
  run_ctr sh -c 'cat /proc/self/mountinfo; touch /x && echo root-writable; touch /tmp/y && echo tmp-ok'
  [ "$status" -eq 0 ]
  [[ "$(mountinfo_of /)" == *" / ro,"* ]]
  [[ "$output" != *root-writable* ]]
  [[ "$output" == *tmp-ok* ]]
  [[ "$(mountinfo_of /proc)" == *" - proc "* ]]
  [[ "$(mountinfo_of /dev)" == *"nosuid"*" - tmpfs "*"mode=755"* ]]
  [[ "$(mountinfo_of /sys)" == *" ro,nosuid,nodev,noexec"*" - sysfs "* ]]
  [[ "$(mountinfo_of /dev/mqueue)" == *" - mqueue "* ]]
}

@test "hull-mounts: tmpfs size and mode" {
  add_mount /scratch tmpfs tmpfs '["size=2m", "mode=0710", "noexec"]'
  run_ctr sh -c 'cat /proc/self/mountinfo; stat -c "mode=%a" /scratch'
  [ "$status" -eq 0 ]
  line=$(mountinfo_of /scratch)
  [[ "$line" == *noexec* ]]
  [[ "$line" == *"size=2048k"* ]]
  [[ "$line" == *"mode=710"* ]]
  [[ "$output" == *"mode=710"* ]]
}

@test "hull-mounts: bind mount with ro, nosuid, nodev, noexec" {
  mkdir -p "$TEST_TMP/src"
  echo hello >"$TEST_TMP/src/file"
  add_mount /data bind "$TEST_TMP/src" '["bind", "ro", "nosuid", "nodev", "noexec"]'
  run_ctr sh -c 'cat /proc/self/mountinfo; cat /data/file; touch /data/new && echo writable; true'
  [ "$status" -eq 0 ]
  line=$(mountinfo_of /data)
  [[ "$line" == *" ro,nosuid,nodev,noexec"* ]]
  [[ "$output" == *hello* ]]
  [[ "$output" != *writable* ]]
  [ ! -e "$TEST_TMP/src/new" ]
}

@test "hull-mounts: a bind of a file creates a file mount point" {
  echo from-host >"$TEST_TMP/hostfile"
  add_mount /etc/hostfile bind "$TEST_TMP/hostfile" '["bind"]'
  run_ctr cat /etc/hostfile
  [ "$status" -eq 0 ]
  [ "$output" = from-host ]
}

@test "hull-mounts: rbind includes submounts, bind does not, rro makes them read-only" {
  mkdir -p "$TEST_TMP/src/sub"
  HOST_SUBMOUNT=$TEST_TMP/src/sub
  mount -t tmpfs -o size=1m tmpfs "$HOST_SUBMOUNT"
  echo in-sub >"$HOST_SUBMOUNT/f"
  add_mount /r bind "$TEST_TMP/src" '["rbind", "rro"]'
  add_mount /b bind "$TEST_TMP/src" '["bind"]'
  run_ctr sh -c 'cat /r/sub/f; ls /b/sub | wc -l; touch /r/sub/x && echo sub-writable; cat /proc/self/mountinfo'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = in-sub ]
  [ "${lines[1]}" = 0 ]
  [[ "$output" != *sub-writable* ]]
  [[ "$(mountinfo_of /r/sub)" == *" ro"* ]]
}

@test "hull-mounts: propagation options show in mountinfo" {
  add_mount /shared tmpfs tmpfs '["shared"]'
  add_mount /unbind tmpfs tmpfs '["unbindable"]'
  add_mount /private tmpfs tmpfs '["private"]'
  run_ctr cat /proc/self/mountinfo
  [ "$status" -eq 0 ]
  [[ "$(mountinfo_of /shared)" == *" shared:"* ]]
  [[ "$(mountinfo_of /unbind)" == *" unbindable "* ]]
  [[ "$(mountinfo_of /private)" != *"shared:"* ]]
}

@test "hull-mounts: tmpcopyup keeps the image's content" {
  mkdir -p "$BUNDLE/rootfs/opt/app"
  echo image-content >"$BUNDLE/rootfs/opt/app/file"
  add_mount /opt tmpfs tmpfs '["tmpcopyup", "size=1m"]'
  run_ctr sh -c 'cat /opt/app/file; echo new >/opt/app/file2 && echo written; grep " /opt " /proc/self/mountinfo'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = image-content ]
  [[ "$output" == *written* ]]
  [[ "$output" == *" - tmpfs "* ]]
  [ ! -e "$BUNDLE/rootfs/opt/app/file2" ]
}

@test "hull-mounts: maskedPaths read empty and readonlyPaths refuse writes" {
  run_ctr sh -c 'echo "keys=[$(cat /proc/keys 2>/dev/null)]"; echo "acpi=$(ls /proc/acpi 2>/dev/null | wc -l)"; echo x >/proc/sys/kernel/domainname && echo rp-writable; cat /proc/self/mountinfo'
  [ "$status" -eq 0 ]
  [[ "$output" == *"keys=[]"* ]]
  [[ "$output" != *rp-writable* ]]
  [[ "$(mountinfo_of /proc/sys)" == *" ro,"* ]]
  if [ -d /proc/acpi ]; then
    [[ "$output" == *"acpi=0"* ]]
  fi
}

@test "hull-mounts: default devices with their major:minor" {
  run_ctr sh -c 'for d in null zero full random urandom tty; do stat -c "%n %F %t:%T %a" /dev/$d; done'
  [ "$status" -eq 0 ]
  [[ "$output" == *"/dev/null character special file 1:3 666"* ]]
  [[ "$output" == *"/dev/zero character special file 1:5 666"* ]]
  [[ "$output" == *"/dev/full character special file 1:7 666"* ]]
  [[ "$output" == *"/dev/random character special file 1:8 666"* ]]
  [[ "$output" == *"/dev/urandom character special file 1:9 666"* ]]
  [[ "$output" == *"/dev/tty character special file 5:0 666"* ]]
}

@test "hull-mounts: linux.devices entries get their mode and owner" {
  set_config '.linux.devices = [{"path": "/dev/mydev", "type": "c", "major": 1, "minor": 7, "fileMode": 416, "uid": 1000, "gid": 1001},
                                {"path": "/dev/sub/myblk", "type": "b", "major": 7, "minor": 0, "fileMode": 384}]'
  run_ctr sh -c 'stat -c "%F %t:%T %a %u %g" /dev/mydev /dev/sub/myblk'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "character special file 1:7 640 1000 1001" ]
  [ "${lines[1]}" = "block special file 7:0 600 0 0" ]
}

@test "hull-mounts: /dev symlinks, /dev/pts and /dev/ptmx" {
  run_ctr sh -c 'for l in fd stdin stdout stderr ptmx; do readlink /dev/$l; done; ls /dev/pts/ptmx; grep " /dev/pts " /proc/self/mountinfo; echo hi >/dev/stdout'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = /proc/self/fd ]
  [ "${lines[1]}" = /proc/self/fd/0 ]
  [ "${lines[2]}" = /proc/self/fd/1 ]
  [ "${lines[3]}" = /proc/self/fd/2 ]
  [ "${lines[4]}" = pts/ptmx ]
  [ "${lines[5]}" = /dev/pts/ptmx ]
  [[ "${lines[6]}" == *" - devpts "*"ptmxmode=666"* ]]
  [ "${lines[7]}" = hi ]
}

@test "hull-mounts: a namespaced sysctl is written" {
  set_config '.linux.sysctl = {"net.ipv4.ip_forward": "1", "kernel.shmmni": "2048"}'
  run_ctr sh -c 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmni'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = 1 ]
  [ "${lines[1]}" = 2048 ]
}

@test "hull-mounts: a sysctl outside the container's namespaces is refused" {
  set_config '.linux.sysctl = {"vm.swappiness": "10"}'
  run_ctr true
  [ "$status" -ne 0 ]
  [[ "$output" == *'sysctl "vm.swappiness" is not in a separate kernel namespace'* ]]
  set_config '.linux.sysctl = {"net.ipv4.ip_forward": "1"} | .linux.namespaces |= map(select(.type != "network"))'
  run_ctr true
  [ "$status" -ne 0 ]
  [[ "$output" == *'sysctl "net.ipv4.ip_forward" is not in a separate kernel namespace'* ]]
}

@test "hull-mounts: a destination symlink to an absolute host path stays in the rootfs" {
  mkdir -p "$TEST_TMP/host-target"
  ln -s "$TEST_TMP/host-target" "$BUNDLE/rootfs/evil"
  add_mount /evil tmpfs tmpfs '["size=1m"]'
  run_ctr sh -c "touch /evil/pwned && echo ok; grep -c ' - tmpfs ' /proc/self/mountinfo >/dev/null; grep '$TEST_TMP/host-target' /proc/self/mountinfo"
  [ "$status" -eq 0 ]
  [[ "$output" == *ok* ]]
  [ -z "$(ls -A "$TEST_TMP/host-target")" ]
  ! grep -q "$TEST_TMP/host-target" /proc/self/mountinfo
  # the symlink's target was created inside the rootfs
  [ -d "$BUNDLE/rootfs$TEST_TMP/host-target" ]
}

@test "hull-mounts: a destination with .. components stays inside" {
  add_mount /../../../../../dotdot tmpfs tmpfs '["size=1m"]'
  run_ctr sh -c 'grep " /dotdot " /proc/self/mountinfo && touch /dotdot/f && echo ok'
  [ "$status" -eq 0 ]
  [[ "$output" == *ok* ]]
  [ ! -e /dotdot ]
}

@test "hull-mounts: a bind of a symlink destination to a file outside stays inside" {
  echo secret >"$TEST_TMP/host-file"
  echo replaced >"$TEST_TMP/src-file"
  ln -s "$TEST_TMP/host-file" "$BUNDLE/rootfs/etc/evil-file"
  add_mount /etc/evil-file bind "$TEST_TMP/src-file" '["bind"]'
  run_ctr cat /etc/evil-file
  [ "$status" -eq 0 ]
  [ "$output" = replaced ]
  [ "$(cat "$TEST_TMP/host-file")" = secret ]
  ! grep -q "$TEST_TMP/host-file" /proc/self/mountinfo
}

@test "hull-mounts: --no-pivot" {
  set_args sh -c "cat /proc/self/mountinfo; ls /bin/busybox; test -e '$BUNDLE' && echo host-visible; true"
  run hull run --no-pivot -b "$BUNDLE" "$(cid)"
  [ "$status" -eq 0 ]
  [[ "$output" == */bin/busybox* ]]
  [[ "$(mountinfo_of /proc)" == *" - proc "* ]]
  [[ "$output" != *host-visible* ]]
}

@test "hull-mounts: cgroup mount shows the controllers" {
  run_ctr sh -c 'ls /sys/fs/cgroup; grep " /sys/fs/cgroup" /proc/self/mountinfo'
  [ "$status" -eq 0 ]
  if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
    [[ "$output" == *cgroup.controllers* ]]
  else
    for c in $(ls /sys/fs/cgroup); do
      [[ "$output" == *"$c"* ]]
    done
    [[ "$output" == *" /sys/fs/cgroup/memory ro,"*" - cgroup "* ]]
  fi
}

@test "hull-mounts: cgroup2 mount type" {
  set_config '.mounts |= map(select(.destination != "/sys/fs/cgroup"))'
  add_mount /sys/fs/cgroup cgroup2 cgroup '["nosuid", "nodev", "noexec", "ro"]'
  run_ctr sh -c 'ls /sys/fs/cgroup; grep " /sys/fs/cgroup " /proc/self/mountinfo'
  [ "$status" -eq 0 ]
  [[ "$output" == *cgroup.procs* ]]
  [[ "$output" == *" - cgroup2 "* ]]
}

@test "hull-mounts: idmapped bind mount" {
  mkdir -p "$TEST_TMP/idsrc"
  touch "$TEST_TMP/idsrc/f"
  chown 0:0 "$TEST_TMP/idsrc/f"
  set_config ".mounts += [{\"destination\": \"/idm\", \"type\": \"bind\", \"source\": \"$TEST_TMP/idsrc\", \"options\": [\"bind\", \"idmap\"],
                           \"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 10}],
                           \"gidMappings\": [{\"containerID\": 0, \"hostID\": 2000, \"size\": 10}]}]"
  run_ctr stat -c '%u:%g' /idm/f
  [ "$status" -eq 0 ]
  [ "$output" = 1000:2000 ]
}

@test "hull-mounts: a missing bind source names the destination" {
  add_mount /data bind "$TEST_TMP/does-not-exist" '["bind"]'
  run_ctr true
  [ "$status" -ne 0 ]
  [[ "$output" == *"does-not-exist"*"/data"* ]]
}

@test "hull-mounts: a relative bind source is relative to the bundle" {
  mkdir -p "$BUNDLE/volume"
  echo in-bundle >"$BUNDLE/volume/f"
  add_mount /vol bind volume '["rbind"]'
  run_ctr cat /vol/f
  [ "$status" -eq 0 ]
  [ "$output" = in-bundle ]
}

@test "hull-mounts: rootfsPropagation is applied to the container's /" {
  set_config '.linux.rootfsPropagation = "rshared"'
  run_ctr cat /proc/self/mountinfo
  [ "$status" -eq 0 ]
  [[ "$(mountinfo_of /)" == *" shared:"* ]]
  [[ "$(mountinfo_of /proc)" == *" shared:"* ]]
  set_config '.linux.rootfsPropagation = "runbindable"'
  run_ctr cat /proc/self/mountinfo
  [ "$status" -eq 0 ]
  [[ "$(mountinfo_of /)" == *" unbindable "* ]]
  [[ "$(mountinfo_of /dev)" == *" unbindable "* ]]
}

@test "hull-mounts: container mounts do not propagate back to a shared host" {
  set_args true
  run unshare -m --propagation shared sh -c \
    "'$HULL_BIN' --root '$HULL_ROOT' run -b '$BUNDLE' '$(cid)' && grep -c '$BUNDLE' /proc/self/mountinfo"
  [ "$status" -ne 0 ] # grep -c found nothing
  [ "$output" = 0 ]
}

@test "hull-mounts: /dev without a tmpfs gets the default devices" {
  set_config '.mounts |= map(select(.destination | startswith("/dev") | not))'
  run_ctr sh -c 'stat -c "%t:%T" /dev/null; readlink /dev/ptmx; ls -d /dev/pts /dev/shm'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = 1:3 ]
  [ "${lines[1]}" = pts/ptmx ]
  [ -c "$BUNDLE/rootfs/dev/null" ]
}

@test "hull-mounts: in a user namespace devices are bind mounts and sysfs falls back to a bind" {
  chmod 755 "$TEST_TMP"
  set_config '.linux.namespaces += [{"type": "user"}]
              | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
              | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
              | .linux.namespaces |= map(select(.type != "network"))
              | .linux.devices = [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229}]'
  run_ctr sh -c 'stat -c "%t:%T" /dev/null /dev/fuse; cat /proc/self/mountinfo'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = 1:3 ]
  [ "${lines[1]}" = a:e5 ]
  [[ "$(mountinfo_of /dev/null)" == *" /null /dev/null "* ]]
  [[ "$(mountinfo_of /sys)" == *" ro,nosuid,nodev,noexec"*" - sysfs "* ]]
}

@test "hull-mounts: without a cgroup namespace the container's own cgroups are bound" {
  set_config '.linux.namespaces |= map(select(.type != "cgroup"))'
  run_ctr cat /proc/self/mountinfo
  [ "$status" -eq 0 ]
  [[ "$(mountinfo_of /sys/fs/cgroup)" == *" - tmpfs "* ]]
  if [ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ]; then
    # The default cgroupsPath: /hull/<id> in every hierarchy.
    [[ "$(mountinfo_of /sys/fs/cgroup/memory)" == *" /hull/$(cid) /sys/fs/cgroup/memory ro,"* ]]
  fi
}

@test "hull-mounts: idmap without a bind is refused with the option's name" {
  add_mount /x tmpfs tmpfs '["idmap"]'
  run_ctr true
  [ "$status" -ne 0 ]
  [[ "$output" == *"mount /x: option idmap needs a bind mount"* ]]
}
