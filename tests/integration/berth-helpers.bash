# Shared setup for berth's container suites (berth-containers.bats,
# berth-volumes.bats, berth-runtimes.bats, quickstart.bats): one private
# store per test file with a busybox-static image imported once, and a
# teardown that force-removes every container so no berth-monitor stays
# behind.  Load with `load berth-helpers` (it loads helpers).
#
#   berth_setup_file      $BERTH_DIR, $BERTH_ROOT, $BERTH_RUNROOT and the image
#                         $BUSYBOX_IMAGE (berthtest/busybox, CMD ["sh"])
#   berth_cleanup         rm -f of every container, leftover monitors killed
#   berth_teardown_file   berth_cleanup, unmount and remove $BERTH_DIR
#   berth ARGS...         the berth under test on the file's private roots
#   make_busybox_rootfs DIR   the image's root filesystem (also the README's)
#   wait_for N CMD...     retries CMD every 0.1 s, at most N times
#   ctr_state NAME        .State.Status of a container
#   ctr_inspect NAME TPL  berth inspect --format TPL NAME
#   monitor_pids          pids of the berth-monitor processes of this file

load helpers

BUSYBOX_IMAGE=berthtest/busybox
# Every berth command is bounded: a hang fails the test instead of the suite.
BERTH_TIMEOUT=${BERTH_TIMEOUT:-60}

berth() {
  timeout -k 5 "$BERTH_TIMEOUT" "$BERTH" --root "$BERTH_ROOT" --runroot "$BERTH_RUNROOT" "$@"
}

# A busybox-static root filesystem: every applet as a symlink in /bin,
# root and bob (uid 1000) in /etc/passwd, their groups, /tmp, and a file
# /data/hello.txt (image content for the volume copy-up tests).
make_busybox_rootfs() {
  local dir=$1 bb applet
  bb=$(command -v busybox || echo /bin/busybox)
  if ldd "$bb" >/dev/null 2>&1; then
    echo "# $bb is not static: apt-get install busybox-static" >&2
    return 1
  fi
  mkdir -p "$dir"/{bin,etc,tmp,root,home/bob,data,proc,sys,dev}
  chmod 1777 "$dir/tmp"
  cp "$bb" "$dir/bin/busybox"
  for applet in $("$dir/bin/busybox" --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$dir/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nbob:x:1000:1000:Bob:/home/bob:/bin/sh\n' >"$dir/etc/passwd"
  printf 'root:x:0:\nusers:x:100:bob\nbob:x:1000:\n' >"$dir/etc/group"
  chown 1000:1000 "$dir/home/bob"
  echo "from the image" >"$dir/data/hello.txt"
}

# syscall-probe (a static helper for the seccomp tests) into DIR/bin, when a
# C compiler with a static libc is there; the tests that need it skip
# otherwise.
add_syscall_probe() {
  local cc=${CC:-cc}
  command -v "$cc" >/dev/null || return 0
  "$cc" -static -O2 -o "$1/bin/syscall-probe" "$SRCDIR/tests/integration/syscall-probe.c" 2>/dev/null || true
}

berth_setup_file() {
  [ "$(id -u)" -eq 0 ] || skip "needs root"
  [ -x "$BERTH" ] || {
    echo "# $BERTH not found: build first, or set BUILDDIR" >&2
    return 1
  }
  BERTH_DIR=$(mktemp -d /tmp/berth-ctr.XXXXXX)
  BERTH_ROOT=$BERTH_DIR/root
  BERTH_RUNROOT=$BERTH_DIR/run
  export BERTH_DIR BERTH_ROOT BERTH_RUNROOT BUSYBOX_IMAGE
  # No host configuration leaks in (default runtime, registries).
  export BERTH_CONFIG_DIR=$BERTH_DIR/conf DOCKER_CONFIG=$BERTH_DIR/docker
  mkdir -p "$BERTH_CONFIG_DIR"
  make_busybox_rootfs "$BERTH_DIR/rootfs" || return 1
  add_syscall_probe "$BERTH_DIR/rootfs"
  tar -C "$BERTH_DIR/rootfs" --numeric-owner -cf "$BERTH_DIR/rootfs.tar" . || return 1
  berth import --change 'CMD ["sh"]' "$BERTH_DIR/rootfs.tar" "$BUSYBOX_IMAGE" >/dev/null || return 1
}

# The berth-monitor processes started for this file's store.
monitor_pids() {
  local p
  for p in $(pgrep -x berth-monitor); do
    tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -qF -- "$BERTH_ROOT/" && echo "$p"
  done
  return 0
}

berth_cleanup() {
  local id p
  [ -n "${BERTH_ROOT:-}" ] && [ -d "$BERTH_ROOT" ] || return 0
  for id in $(berth ps -aq --no-trunc 2>/dev/null); do
    berth rm -f -v "$id" >/dev/null 2>&1 || true
  done
  # Whatever survived (a test that broke the store on purpose).
  for p in $(monitor_pids); do
    kill -9 "$p" 2>/dev/null || true
  done
  return 0
}

berth_teardown_file() {
  local mnt id
  [ -n "${BERTH_DIR:-}" ] && [ -d "$BERTH_DIR" ] || return 0
  berth_cleanup
  for id in "$BERTH_RUNROOT"/runtime/*; do
    [ -d "$id" ] || continue
    "$HULL" --root "$BERTH_RUNROOT/runtime" delete --force "${id##*/}" >/dev/null 2>&1 || true
  done
  # The store's firewall table (named after its runroot) and its user
  # networks' bridges go with it; berth0, shared like docker0, stays.
  for id in $("$BERTH" --root "$BERTH_ROOT" --runroot "$BERTH_RUNROOT" network ls -q --no-trunc 2>/dev/null); do
    "$BERTH" --root "$BERTH_ROOT" --runroot "$BERTH_RUNROOT" network rm "$id" >/dev/null 2>&1 || true
  done
  if [ -s "$BERTH_RUNROOT/firewall.table" ] && command -v nft >/dev/null; then
    nft delete table ip "$(cat "$BERTH_RUNROOT/firewall.table")" 2>/dev/null || true
  fi
  awk -v t="$BERTH_DIR/" 'index($5, t) == 1 {print $5}' /proc/self/mountinfo | sort -r |
    while read -r mnt; do
      umount -l "$mnt" 2>/dev/null || true
    done
  rm -rf "$BERTH_DIR"
}

# output_lacks_line RE: no line of $output matches (`! cmd` does not fail
# a bats test).
output_lacks_line() {
  # shellcheck disable=SC2154 # $output is bats's
  ! printf '%s\n' "$output" | grep -qE -- "$1"
}

wait_for() {
  local n=$1 i
  shift
  for ((i = 0; i < n; i++)); do
    "$@" && return 0
    sleep 0.1
  done
  return 1
}

ctr_inspect() {
  berth inspect --format "$2" "$1"
}

ctr_state() {
  ctr_inspect "$1" '{{.State.Status}}'
}

# state_is NAME STATUS: for wait_for.
state_is() {
  [ "$(ctr_state "$1" 2>/dev/null)" = "$2" ]
}

# The cgroup v1 or v2 file of a controller as the container sees it.
cgroup_file() {
  case $1 in
    memory) echo "/sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/memory.max" ;;
    cpu) echo "/sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us /sys/fs/cgroup/cpu.max" ;;
  esac
}
