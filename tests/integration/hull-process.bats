#!/usr/bin/env bats
# hull: the container process and its isolation, checked from inside the
# container with busybox: capabilities, user and groups, umask, rlimits,
# oom_score_adj, env and cwd, user/time namespaces, joining namespaces by
# path, hostname, personality, seccomp, fds and exec errors.

load hull-helpers

setup() {
  [ "$(id -u)" = 0 ] || skip "needs root"
  setup_hull
}

teardown() {
  [ -n "${SLEEPER:-}" ] && kill "$SLEEPER" 2>/dev/null
  teardown_hull
}

run_container() {
  run hull run -b "$BUNDLE" "$(cid)"
}

# Hex mask of capability numbers, as /proc/self/status prints it.
cap_mask() {
  local m=0 c
  for c in "$@"; do m=$((m | (1 << c))); done
  printf '%016x' "$m"
}

status_field() {
  echo "$output" | awk -v f="$1:" '$1 == f { print $2 }'
}

@test "capabilities: bounding, effective, permitted, inheritable and ambient sets" {
  # CAP_KILL=5 CAP_NET_BIND_SERVICE=10 CAP_AUDIT_WRITE=29 CAP_CHOWN=0
  set_config '.process.capabilities = {
    "bounding": ["CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_AUDIT_WRITE", "CAP_CHOWN"],
    "effective": ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
    "permitted": ["CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_AUDIT_WRITE"],
    "inheritable": ["CAP_KILL"],
    "ambient": ["CAP_KILL"]}'
  set_args grep Cap /proc/self/status
  run_container
  [ "$status" -eq 0 ]
  [ "$(status_field CapBnd)" = "$(cap_mask 5 10 29 0)" ]
  [ "$(status_field CapPrm)" = "$(cap_mask 5 10 29)" ]
  [ "$(status_field CapInh)" = "$(cap_mask 5)" ]
  [ "$(status_field CapAmb)" = "$(cap_mask 5)" ]
  # root: effective after execve is the permitted set
  [ "$(status_field CapEff)" = "$(cap_mask 5 10 29)" ]
}

@test "capabilities: a non-root user keeps its ambient capabilities" {
  set_config '.process.user = {"uid": 1000, "gid": 1000}
    | .process.capabilities.inheritable = .process.capabilities.permitted'
  set_args grep Cap /proc/self/status
  run_container
  [ "$status" -eq 0 ]
  [ "$(status_field CapAmb)" = "$(cap_mask 5 10 29)" ]
  [ "$(status_field CapEff)" = "$(cap_mask 5 10 29)" ]
  [ "$(status_field CapBnd)" = "$(cap_mask 5 10 29)" ]
}

@test "capabilities: an unknown capability name is skipped" {
  set_config '.process.capabilities.bounding += ["CAP_FROM_THE_FUTURE"]'
  set_args grep CapBnd /proc/self/status
  run_container
  [ "$status" -eq 0 ]
  [ "$(status_field CapBnd)" = "$(cap_mask 5 10 29)" ]
}

@test "noNewPrivileges sets NoNewPrivs" {
  set_args grep NoNewPrivs /proc/self/status
  run_container
  [ "$status" -eq 0 ]
  [ "$(status_field NoNewPrivs)" = 1 ]
  set_config '.process.noNewPrivileges = false'
  run hull run -b "$BUNDLE" "$(cid)-b"
  [ "$status" -eq 0 ]
  [ "$(status_field NoNewPrivs)" = 0 ]
}

@test "user: uid, gid and additional groups" {
  set_config '.process.user = {"uid": 1000, "gid": 1001, "additionalGids": [10, 20]}'
  set_args sh -c 'echo "$(id -u) $(id -g) $(id -G)"'
  run_container
  [ "$status" -eq 0 ]
  [[ "$output" == "1000 1001 "* ]]
  [[ " $output " == *" 10 "* ]]
  [[ " $output " == *" 20 "* ]]
}

@test "umask from process.user.umask" {
  set_config '.process.user.umask = 23'
  set_args sh -c umask
  run_container
  [ "$status" -eq 0 ]
  [ "$output" = "0027" ]
}

@test "rlimits: RLIMIT_NOFILE soft limit" {
  set_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 512, "hard": 1024}]'
  set_args sh -c 'ulimit -n; ulimit -Hn'
  run_container
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = 512 ]
  [ "${lines[1]}" = 1024 ]
}

@test "rlimits: a hard limit above the host's fails naming the limit" {
  local host_hard
  host_hard=$(ulimit -Hn)
  [ "$host_hard" != unlimited ] && [ "$host_hard" -lt 1048576 ] || skip "host hard limit is high"
  capsh --has-p=cap_sys_resource 2>/dev/null && skip "we have CAP_SYS_RESOURCE"
  set_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 1048576, "hard": 1048576}]'
  set_args true
  run_container
  [ "$status" -ne 0 ]
  [[ "$output" == *"RLIMIT_NOFILE: cannot raise the hard limit to 1048576 above the current hard limit $host_hard"* ]]
}

@test "oomScoreAdj" {
  set_config '.process.oomScoreAdj = 500'
  set_args cat /proc/self/oom_score_adj
  run_container
  [ "$status" -eq 0 ]
  [ "$output" = 500 ]
}

@test "env: process.env, HOME from /etc/passwd, PATH default" {
  set_config '.process.env = ["FOO=bar baz"]'
  set_args /bin/sh -c 'echo "$FOO|$HOME|$PATH"'
  run_container
  [ "$status" -eq 0 ]
  [ "$output" = "bar baz|/root|/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" ]
}

@test "cwd is created inside the container when missing" {
  set_config '.root.readonly = false | .process.cwd = "/work/dir"'
  set_args readlink /proc/self/cwd
  run_container
  [ "$status" -eq 0 ]
  [ "$output" = /work/dir ]
  [ -d "$BUNDLE/rootfs/work/dir" ]
}

@test "cwd: a symlink to /../../ stays inside the container" {
  ln -s ../../../../../ "$BUNDLE/rootfs/escape"
  set_config '.process.cwd = "/escape"'
  set_args sh -c 'readlink /proc/self/cwd; ls'
  run_container
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = / ]
  [[ "$output" == *escape* ]]
}

@test "user namespace: uid_map and ownership of created files" {
  chmod 755 "$TEST_TMP" # the container's root must reach its rootfs
  mkdir -p "$TEST_TMP/data" "$BUNDLE/rootfs/data"
  chmod 777 "$TEST_TMP/data"
  set_config '.linux.namespaces += [{"type": "user"}]
    | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    | .mounts |= map(select(.destination != "/sys/fs/cgroup"))
    | .mounts += [{"destination": "/data", "type": "bind", "source": "'"$TEST_TMP/data"'", "options": ["rbind", "rw"]}]'
  # setgroups stays allowed (hull runs as root): additionalGids work.
  set_config '.process.user.additionalGids = [5] | .process.oomScoreAdj = 100'
  set_args sh -c 'cat /proc/self/uid_map; touch /data/f; id -u; id -G; cat /proc/self/oom_score_adj'
  run_container
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" =~ ^\ +0\ +100000\ +65536$ ]]
  [ "${lines[1]}" = 0 ]
  [[ " ${lines[2]} " == *" 5 "* ]]
  [ "${lines[3]}" = 100 ]
  [ "$(stat -c %u:%g "$TEST_TMP/data/f")" = 100000:100000 ]
}

@test "time namespace: boottime offset" {
  [ -e /proc/self/ns/time ] || skip "no time namespaces"
  set_config '.linux.namespaces += [{"type": "time"}]
    | .linux.timeOffsets = {"boottime": {"secs": 86400, "nanosecs": 0}}'
  set_args cat /proc/uptime
  run_container
  [ "$status" -eq 0 ]
  local inside host
  inside=${output%%.*}
  host=$(cut -d. -f1 /proc/uptime)
  [ "$inside" -ge $((host + 86400 - 5)) ]
}

@test "time namespace inside a user namespace" {
  [ -e /proc/self/ns/time ] || skip "no time namespaces"
  chmod 755 "$TEST_TMP"
  set_config '.linux.namespaces += [{"type": "user"}, {"type": "time"}]
    | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    | .mounts |= map(select(.destination != "/sys/fs/cgroup"))
    | .linux.timeOffsets = {"monotonic": {"secs": -100, "nanosecs": 5}, "boottime": {"secs": 86400, "nanosecs": 0}}'
  set_args cat /proc/self/timens_offsets
  run_container
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" =~ ^monotonic\ +-100\ +5$ ]]
  [[ "${lines[1]}" =~ ^boottime\ +86400\ +0$ ]]
}

@test "timeOffsets without a time namespace is an error" {
  set_config '.linux.timeOffsets = {"boottime": {"secs": 1, "nanosecs": 0}}'
  set_args true
  run_container
  [ "$status" -ne 0 ]
  [[ "$output" == *"timeOffsets"* ]]
}

@test "joining a network namespace by path" {
  unshare --net sleep 100 &
  SLEEPER=$!
  sleep 0.3
  set_config '.linux.namespaces |= map(if .type == "network" then .path = "/proc/'"$SLEEPER"'/ns/net" else . end)'
  set_args readlink /proc/self/ns/net
  run_container
  [ "$status" -eq 0 ]
  [ "$output" = "$(readlink /proc/$SLEEPER/ns/net)" ]
}

@test "joining a pid namespace by path" {
  unshare --pid --fork sleep 100 &
  SLEEPER=$!
  sleep 0.3
  local inner
  inner=$(pgrep -P "$SLEEPER" sleep)
  set_config '.linux.namespaces |= map(if .type == "pid" then .path = "/proc/'"$inner"'/ns/pid" else . end)'
  set_args readlink /proc/self/ns/pid
  run_container
  [ "$status" -eq 0 ]
  [ "$output" = "$(readlink /proc/$inner/ns/pid)" ]
}

@test "a namespace path of the wrong type is an error" {
  set_config '.linux.namespaces |= map(if .type == "ipc" then .path = "/proc/self/ns/net" else . end)'
  set_args true
  run_container
  [ "$status" -ne 0 ]
  [[ "$output" == *"is not a namespace of that type"* ]]
}

@test "hostname and domainname" {
  set_config '.hostname = "box" | .domainname = "example.org"'
  set_args sh -c 'hostname; cat /proc/sys/kernel/domainname'
  run_container
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = box ]
  [ "${lines[1]}" = example.org ]
}

@test "hostname without a UTS namespace is an error" {
  set_config '.linux.namespaces |= map(select(.type != "uts"))'
  set_args true
  run_container
  [ "$status" -ne 0 ]
  [[ "$output" == *"unable to set hostname without a private UTS namespace"* ]]
}

@test "personality LINUX32" {
  set_config '.linux.personality = {"domain": "LINUX32"}'
  set_args uname -m
  run_container
  [ "$status" -eq 0 ]
  [ "$output" = i686 ]
}

@test "seccomp: SCMP_ACT_ERRNO with errnoRet, default allow" {
  set_config '.root.readonly = false | .linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
    "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
    "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}]}'
  set_args sh -c 'mkdir /tmp/x; echo "rc=$?"; touch /tmp/y && echo touched'
  run_container
  [ "$status" -eq 0 ]
  [[ "$output" == *"Function not implemented"* ]]
  [[ "$output" == *"rc=1"* ]]
  [[ "$output" == *touched* ]]
}

@test "seccomp: SCMP_CMP_MASKED_EQ argument rule" {
  # kill(pid, sig) with (sig & 0xff) == 9 fails, other signals go through.
  set_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
    "syscalls": [{"names": ["kill"], "action": "SCMP_ACT_ERRNO",
      "args": [{"index": 1, "value": 255, "valueTwo": 9, "op": "SCMP_CMP_MASKED_EQ"}]}]}'
  set_args sh -c 'sleep 100 & p=$!; kill -9 $p; echo "kill9=$?"; kill -15 $p; echo "kill15=$?"'
  run_container
  [ "$status" -eq 0 ]
  [[ "$output" == *"kill9=1"* ]]
  [[ "$output" == *"kill15=0"* ]]
}

@test "seccomp: default SCMP_ACT_ERRNO with an allow-list" {
  set_config '.root.readonly = false | .linux.seccomp = {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38,
    "syscalls": [{"action": "SCMP_ACT_ALLOW", "names": ["execve", "brk", "arch_prctl", "set_tid_address",
      "set_robust_list", "rseq", "prlimit64", "mmap", "mprotect", "munmap", "read", "write", "writev",
      "exit", "exit_group", "getpid", "getppid", "getuid", "geteuid", "getgid", "getegid", "rt_sigaction",
      "rt_sigprocmask", "rt_sigreturn", "uname", "ioctl", "fcntl", "close", "newfstatat", "fstat", "stat",
      "lstat", "statx", "getcwd", "readlink", "readlinkat", "open", "openat", "access", "faccessat",
      "faccessat2", "dup2", "dup3", "sigaltstack", "futex", "getrandom", "lseek", "poll", "wait4", "clone",
      "fork", "vfork", "getdents64", "getpgrp", "setpgid", "time", "gettimeofday", "clock_gettime"]}]}'
  set_args sh -c 'echo alive; mkdir /tmp/z; echo "rc=$?"'
  run_container
  [ "$status" -eq 0 ]
  [[ "$output" == *alive* ]]
  [[ "$output" == *"Function not implemented"* ]]
  [[ "$output" == *"rc=1"* ]]
}

@test "seccomp: SCMP_ACT_KILL_PROCESS kills the process" {
  set_config '.root.readonly = false | .linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
    "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_KILL_PROCESS"}]}'
  set_args mkdir /tmp/killed
  run_container
  [ "$status" -ne 0 ]
  [ ! -e "$BUNDLE/rootfs/tmp/killed" ]
}

@test "seccomp: unknown syscall names are skipped" {
  set_config '.root.readonly = false | .linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
    "syscalls": [{"names": ["no_such_syscall_1"], "action": "SCMP_ACT_KILL"},
                 {"names": ["no_such_syscall_2", "mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}'
  set_args sh -c 'echo alive; mkdir /tmp/q'
  run_container
  [[ "$output" == *alive* ]]
  [[ "$output" == *"Operation not permitted"* ]]
}

@test "seccomp: an unknown action is an error" {
  set_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_SOMETIMES"}'
  set_args true
  run_container
  [ "$status" -ne 0 ]
  [[ "$output" == *"SCMP_ACT_SOMETIMES"* ]]
}

@test "seccomp: loaded while privileged when noNewPrivileges is off" {
  set_config '.root.readonly = false | .process.noNewPrivileges = false
    | .process.user = {"uid": 1000, "gid": 1000}
    | .linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
      "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}]}'
  set_args sh -c 'grep -E "NoNewPrivs|Seccomp:" /proc/self/status; mkdir /tmp/x'
  run_container
  [[ "$(status_field NoNewPrivs)" = 0 ]]
  [[ "$(status_field Seccomp)" = 2 ]]
  [[ "$output" == *"Function not implemented"* ]]
}

@test "seccomp: listenerPath receives the notify fd and the container state" {
  command -v python3 >/dev/null || skip "no python3"
  local sock=$TEST_TMP/listener.sock
  python3 - "$sock" "$TEST_TMP/received.json" <<'PY' &
import array, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(1)
c, _ = s.accept()
fds = array.array("i")
msg, anc, _, _ = c.recvmsg(65536, socket.CMSG_SPACE(4))
for level, kind, data in anc:
    fds.frombytes(data[:4])
open(sys.argv[2], "w").write(msg.decode() + "\n" + str(len(fds)) + "\n")
PY
  SLEEPER=$!
  for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
  set_config '.root.readonly = false | .linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
    "listenerPath": "'"$sock"'", "listenerMetadata": "meta \"data\"",
    "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_NOTIFY"}]}'
  set_args sh -c 'sleep 1; mkdir /tmp/n'
  run_container
  # The listener closed the notify fd: notified syscalls fail with ENOSYS.
  [[ "$output" == *"Function not implemented"* ]]
  wait "$SLEEPER" || true
  SLEEPER=
  [ "$(sed -n 2p "$TEST_TMP/received.json")" = 1 ]
  head -1 "$TEST_TMP/received.json" | jq -e '.fds == ["seccompFd"] and .metadata == "meta \"data\"" and .state.id == "'"$(cid)"'" and .pid > 0'
}

@test "execCPUAffinity, ioPriority and scheduler" {
  [ "$(nproc)" -ge 2 ] || skip "needs 2 cpus"
  set_config '.process.execCPUAffinity = {"initial": "0", "final": "1"}
    | .process.ioPriority = {"class": "IOPRIO_CLASS_BE", "priority": 6}
    | .process.scheduler = {"policy": "SCHED_BATCH", "nice": 5}'
  set_args sh -c 'grep Cpus_allowed_list /proc/self/status; ionice; cut -d" " -f19,41 /proc/self/stat'
  run_container
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" =~ Cpus_allowed_list:[[:space:]]+1$ ]]
  [[ "${lines[1]}" == *"best-effort: prio 6"* ]]
  [ "${lines[2]}" = "5 3" ]
}

@test "apparmor and selinux labels fail when the LSM is off" {
  [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ] && skip "AppArmor is enabled"
  set_config '.process.apparmorProfile = "hull-test"'
  set_args true
  run_container
  [ "$status" -ne 0 ]
  [[ "$output" == *'apparmor profile "hull-test" requested but AppArmor is not enabled on this host'* ]]
  [ -e /sys/fs/selinux/enforce ] && return 0
  set_config 'del(.process.apparmorProfile) | .process.selinuxLabel = "system_u:system_r:container_t:s0"'
  run hull run -b "$BUNDLE" "$(cid)-b"
  [ "$status" -ne 0 ]
  [[ "$output" == *"SELinux is not enabled"* ]]
}

@test "fds: only 0-2 are open in the container" {
  # fd 3 is ls's own directory fd.
  set_args ls /proc/self/fd
  run hull run -b "$BUNDLE" "$(cid)" 5</etc/hostname 7</etc/hostname
  [ "$status" -eq 0 ]
  [ "$(echo $output)" = "0 1 2 3" ]
}

@test "fds: --preserve-fds passes fds 3.." {
  echo preserved-ok >"$TEST_TMP/preserved"
  set_args sh -c 'cat /proc/self/fd/3; ls /proc/self/fd | wc -l'
  run hull run --preserve-fds 1 -b "$BUNDLE" "$(cid)" 3<"$TEST_TMP/preserved"
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = preserved-ok ]
  # 0 1 2 3 and ls's own fd
  [ "${lines[1]}" = 5 ]
}

@test "exec: a missing binary fails with runc's message" {
  set_args foo
  run_container
  [ "$status" -ne 0 ]
  [[ "$output" == *'exec: "foo": executable file not found in $PATH'* ]]
  set_args /bin/foo
  run hull run -b "$BUNDLE" "$(cid)-b"
  [ "$status" -ne 0 ]
  [[ "$output" == *'exec: "/bin/foo": stat /bin/foo: no such file or directory'* ]]
  set_args /etc/passwd
  run hull run -b "$BUNDLE" "$(cid)-c"
  [ "$status" -ne 0 ]
  [[ "$output" == *'exec: "/etc/passwd": permission denied'* ]]
}
