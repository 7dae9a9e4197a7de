#!/usr/bin/env bats
# Regressions for the known runtime escapes: overwriting the runtime binary
# through /proc/<pid>/exe (CVE-2019-5736), host fds leaking into the
# container, a cwd outside the rootfs (CVE-2024-21626), mount destinations
# swapped for symlinks during setup, and the masked/read-only /proc and
# /sys paths of `hull spec`.  Each test fails on a runtime with the bug.

load hull-helpers

setup() {
  [ "$(id -u)" = 0 ] || skip "needs root"
  setup_hull
  chmod 755 "$TEST_TMP"
  SWAPDIR=
}

teardown() {
  teardown_hull
  [ -n "$SWAPDIR" ] && rm -rf "$SWAPDIR"
  return 0
}

detached() {
  "$@" </dev/null >"$TEST_TMP/out" 2>&1 3>&-
}

# --- CVE-2019-5736 ---

@test "CVE-2019-5736: /proc/<init>/exe cannot be written after hull exited" {
  cp "$HULL_BIN" "$TEST_TMP/hull-copy"
  cp "$HULL_BIN" "$TEST_TMP/hull-orig"
  set_args sleep 100
  detached "$TEST_TMP/hull-copy" --root "$HULL_ROOT" create --pid-file "$TEST_TMP/pid" -b "$BUNDLE" "$(cid)"
  local pid
  pid=$(cat "$TEST_TMP/pid")
  exec 5<"/proc/$pid/exe"
  "$TEST_TMP/hull-copy" --root "$HULL_ROOT" delete --force "$(cid)"
  ! pgrep -f "$TEST_TMP/hull-copy" >/dev/null
  # No process runs the binary any more: only the mount refuses the write.
  run sh -c 'echo CORRUPTED >>/proc/self/fd/5' 5<&5
  exec 5<&-
  [ "$status" -ne 0 ]
  [[ "$output" == *"Read-only file system"* ]] || [[ "$output" == *"Operation not permitted"* ]]
  cmp "$TEST_TMP/hull-copy" "$TEST_TMP/hull-orig"
}

# The container's entrypoint is `#!/proc/self/exe`: the kernel runs hull's
# binary inside the container.  ld.so is made to block on a fifo
# (LD_DEBUG_OUTPUT) so a second container process can deterministically
# open /proc/<pid>/exe, then write it once that hull is gone.
@test "CVE-2019-5736: a #!/proc/self/exe entrypoint cannot modify the binary" {
  local rootfs=$BUNDLE/rootfs lib pid
  cp "$HULL_BIN" "$TEST_TMP/hull-copy"
  cp "$HULL_BIN" "$TEST_TMP/hull-orig"
  for lib in $(ldd "$HULL_BIN" | grep -o '/[^ ]*'); do
    mkdir -p "$rootfs$(dirname "$lib")"
    cp -L "$lib" "$rootfs$lib"
  done
  # no pid namespace: the watcher outlives the container's init
  set_config '.root.readonly = false | .process.args = ["/entry"]
    | .linux.namespaces -= [{"type": "pid"}]'
  printf '#!/bin/sh\n' >"$rootfs/entry"
  chmod 755 "$rootfs/entry"
  detached "$TEST_TMP/hull-copy" --root "$HULL_ROOT" create --pid-file "$TEST_TMP/pid" -b "$BUNDLE" "$(cid)"
  pid=$(cat "$TEST_TMP/pid")
  # The entrypoint runs hull itself in the container (the kernel resolves
  # the interpreter through the init's /proc/self/exe); hull then waits
  # writing its error to the --log fifo until the watcher has its fd.
  printf '#!/proc/self/exe --log=/dbg.%s\n' "$pid" >"$rootfs/entry"
  mkfifo "$rootfs/dbg.$pid"
  detached "$TEST_TMP/hull-copy" --root "$HULL_ROOT" start "$(cid)"
  cat >"$rootfs/watch" <<EOF
i=0
while [ \$i -lt 500 ]; do
  i=\$((i + 1))
  ( exec 3</proc/$pid/exe ) 2>/dev/null && break
  sleep 0.02
done
exec 3</proc/$pid/exe || { echo NOT-OPENED >/result; exit 1; }
cat /dbg.$pid >/dev/null
i=0
while [ -e /proc/$pid/exe ] && [ \$i -lt 500 ]; do i=\$((i + 1)); sleep 0.02; done
if echo CORRUPTED >>/proc/self/fd/3; then echo WROTE >/result; else echo REFUSED >/result; fi
EOF
  # detached: no hull process may run the binary while the watcher writes
  detached "$TEST_TMP/hull-copy" --root "$HULL_ROOT" exec -d "$(cid)" sh /watch
  for i in $(seq 100); do [ -s "$rootfs/result" ] && break; sleep 0.1; done
  [ "$(cat "$rootfs/result")" = REFUSED ]
  cmp "$TEST_TMP/hull-copy" "$TEST_TMP/hull-orig"
}

# --- fd leaks ---

fds_of() {
  ls "/proc/$1/fd" | sort -n | tr '\n' ' '
}

@test "no host fd leaks into the init, exec, exec -t and exec --process" {
  cc -o "$TEST_TMP/recvtty" "$SRCDIR/tests/integration/recvtty.c"
  set_args sleep 100
  # fds 3-9 open in hull's caller; none may reach the container.
  detached hull run -d --pid-file "$TEST_TMP/init" -b "$BUNDLE" "$(cid)" 4<"$BUNDLE/config.json" 7<"$TEST_TMP" 9>"$TEST_TMP/w"
  [ "$(fds_of "$(cat "$TEST_TMP/init")")" = "0 1 2 " ]
  detached hull exec -d --pid-file "$TEST_TMP/e1" "$(cid)" sleep 100 4<"$BUNDLE/config.json" 7<"$TEST_TMP"
  [ "$(fds_of "$(cat "$TEST_TMP/e1")")" = "0 1 2 " ]
  echo '{"args": ["sleep", "100"], "cwd": "/", "env": ["PATH=/bin"], "user": {"uid": 0, "gid": 0}}' >"$TEST_TMP/p.json"
  detached hull exec -d --process "$TEST_TMP/p.json" --pid-file "$TEST_TMP/e2" "$(cid)" 4<"$BUNDLE/config.json" 7<"$TEST_TMP"
  [ "$(fds_of "$(cat "$TEST_TMP/e2")")" = "0 1 2 " ]
  "$TEST_TMP/recvtty" "$TEST_TMP/c.sock" "$TEST_TMP/ptyname" "$TEST_TMP/ttyout" 3>&- &
  for i in $(seq 50); do [ -S "$TEST_TMP/c.sock" ] && break; sleep 0.1; done
  detached hull exec -t -d --console-socket "$TEST_TMP/c.sock" --pid-file "$TEST_TMP/e3" "$(cid)" sleep 100 \
    4<"$BUNDLE/config.json" 7<"$TEST_TMP"
  [ "$(fds_of "$(cat "$TEST_TMP/e3")")" = "0 1 2 " ]
  [[ "$(readlink /proc/$(cat "$TEST_TMP/e3")/fd/0)" == /dev/pts/* ]]
  hull kill "$(cid)" KILL
  wait
}

# --- cwd outside the rootfs (CVE-2024-21626 class) ---

@test "process.cwd through a leaked fd (/proc/self/fd/N) is not the host" {
  mkdir "$TEST_TMP/hostdir"
  touch "$TEST_TMP/hostdir/HOST-FILE"
  set_args sh -c 'pwd; ls'
  local n
  for n in 3 4 5 6 7 8 9; do
    set_config ".process.cwd = \"/proc/self/fd/$n\""
    # refused (the process fails with 127) or confined: never the host's directory
    output=$(hull run -b "$BUNDLE" "$(cid)-$n" 2>&1 3<"$TEST_TMP/hostdir" 4<"$TEST_TMP/hostdir" \
      5<"$TEST_TMP/hostdir" 6<"$TEST_TMP/hostdir" 7<"$TEST_TMP/hostdir" 8<"$TEST_TMP/hostdir" \
      9<"$TEST_TMP/hostdir") || true
    [[ "$output" != *HOST-FILE* ]]
  done
  # exec --cwd likewise
  set_args sleep 100
  set_config '.process.cwd = "/"'
  detached hull run -d -b "$BUNDLE" "$(cid)"
  for n in 3 4 5 6 7 8 9; do
    run hull exec --cwd "/proc/self/fd/$n" "$(cid)" ls 3<"$TEST_TMP/hostdir" 4<"$TEST_TMP/hostdir" \
      5<"$TEST_TMP/hostdir" 6<"$TEST_TMP/hostdir" 7<"$TEST_TMP/hostdir" 8<"$TEST_TMP/hostdir" 9<"$TEST_TMP/hostdir"
    [[ "$output" != *HOST-FILE* ]]
  done
}

@test "process.cwd through a symlink to /../.. stays in the rootfs" {
  ln -s /../../../../../.. "$BUNDLE/rootfs/escape"
  set_args sh -c 'pwd; ls'
  set_config '.process.cwd = "/escape"'
  run hull run -b "$BUNDLE" "$(cid)"
  [[ "$output" != *work* ]]
  if [ "$status" -eq 0 ]; then
    [[ "$output" == *busybox* ]] || [[ "$output" == *bin* ]]
  fi
}

# --- mount destination swapped for a symlink during setup ---

@test "a bind destination swapped for a symlink to the host after parsing stays inside" {
  SWAPDIR=$(mktemp -d /tmp/hull-swap-target.XXXXXX)
  echo untouched >"$SWAPDIR/file"
  mkdir -p "$BUNDLE/rootfs/mnt/dest" "$TEST_TMP/src"
  echo FROM-SOURCE >"$TEST_TMP/src/file"
  # createRuntime runs after config.json was parsed and before the mounts:
  # swap /mnt/dest for a symlink to the host directory.
  cat >"$TEST_TMP/swap.sh" <<EOF
#!/bin/sh
rmdir "$BUNDLE/rootfs/mnt/dest" && ln -s "$SWAPDIR" "$BUNDLE/rootfs/mnt/dest"
EOF
  chmod +x "$TEST_TMP/swap.sh"
  set_config ".root.readonly = false
    | .hooks.createRuntime = [{\"path\": \"$TEST_TMP/swap.sh\"}]
    | .mounts += [{\"destination\": \"/mnt/dest\", \"type\": \"bind\", \"source\": \"$TEST_TMP/src\", \"options\": [\"bind\"]}]"
  set_args sh -c 'cat /mnt/dest/file; echo WRITTEN >/mnt/dest/file'
  run hull run -b "$BUNDLE" "$(cid)"
  [ -L "$BUNDLE/rootfs/mnt/dest" ]
  # the host's target is neither mounted over nor written
  [ "$(cat "$SWAPDIR/file")" = untouched ]
  ! findmnt -rn -o TARGET | grep -qF "$SWAPDIR"
}

# --- masked and read-only paths of `hull spec` ---

@test "hull spec: masked paths equal docker's defaults and are masked; read-only paths refuse writes" {
  mkdir "$TEST_TMP/spec"
  hull spec --bundle "$TEST_TMP/spec"
  local docker='["/proc/acpi","/proc/asound","/proc/interrupts","/proc/kcore","/proc/keys","/proc/latency_stats","/proc/sched_debug","/proc/scsi","/proc/timer_list","/proc/timer_stats","/sys/devices/virtual/powercap","/sys/firmware"]'
  [ "$(jq -c '.linux.maskedPaths | sort' "$TEST_TMP/spec/config.json")" = "$docker" ]
  [ "$(jq -c '.linux.readonlyPaths | sort' "$TEST_TMP/spec/config.json")" = \
    '["/proc/bus","/proc/fs","/proc/irq","/proc/sys","/proc/sysrq-trigger"]' ]
  jq --argjson m "$(jq .linux.maskedPaths "$TEST_TMP/spec/config.json")" \
    --argjson r "$(jq .linux.readonlyPaths "$TEST_TMP/spec/config.json")" \
    '.linux.maskedPaths = $m | .linux.readonlyPaths = $r
     | .process.capabilities.bounding += ["CAP_SYS_ADMIN", "CAP_DAC_OVERRIDE"]
     | .process.capabilities.effective += ["CAP_SYS_ADMIN", "CAP_DAC_OVERRIDE"]
     | .process.capabilities.permitted += ["CAP_SYS_ADMIN", "CAP_DAC_OVERRIDE"]' \
    "$BUNDLE/config.json" >"$TEST_TMP/c.json"
  mv "$TEST_TMP/c.json" "$BUNDLE/config.json"
  cat >"$BUNDLE/rootfs/check.sh" <<'EOF'
    for f in /proc/kcore /proc/keys /proc/timer_list /proc/sched_debug; do
      [ -e $f ] || continue; [ -s $f ] && echo "VISIBLE $f"; head -c 1 $f 2>/dev/null | grep -q . && echo "READ $f"; done
    for d in /sys/firmware /proc/scsi; do [ -d $d ] && [ -n "$(ls -A $d)" ] && echo "VISIBLE $d"; done
    echo 1 >/proc/sys/kernel/ns_last_pid 2>/dev/null && echo "WROTE /proc/sys"
    echo h >/proc/sysrq-trigger 2>/dev/null && echo "WROTE sysrq"
    for d in /proc/irq /proc/bus; do touch $d/x 2>/dev/null && echo "WROTE $d"; done
    grep -E " /proc/(sys|irq|bus|sysrq-trigger) " /proc/self/mounts | grep -v " ro," | sed "s/^/RW-MOUNT /"
    echo DONE
EOF
  set_args sh /check.sh
  run hull run -b "$BUNDLE" "$(cid)"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *DONE* ]]
  [[ "$output" != *VISIBLE* ]]
  [[ "$output" != *READ* ]]
  [[ "$output" != *WROTE* ]]
  [[ "$output" != *RW-MOUNT* ]]
}
