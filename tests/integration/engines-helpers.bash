# Shared setup for the engine suites (engines-podman.bats,
# engines-containerd.bats): podman and containerd drive hull exactly as they
# drive runc, each on private state that teardown_file removes.
# Load with `load engines-helpers`.
#
#   engines_setup_file          $ENG_TMP, a busybox rootfs tarball
#                               ($ENG_ROOTFS_TAR) and a docker-archive of it
#                               ($ENG_IMAGE_TAR, docker.io/berthtest/busybox)
#   engines_teardown_file       unmounts whatever is left under $ENG_TMP and
#                               removes it
#   runtime_bin NAME            absolute path of runc, crun or hull
#   podman_setup_file / podman_teardown_file / podman_cleanup / podman_stop
#   pm ARGS...                  podman on the private storage (bounded)
#   containerd_setup_file / containerd_teardown_file / containerd_cleanup /
#   containerd_stop
#   ctrc ARGS...                ctr on the private containerd (bounded)
#   in_tty ARGV...              ARGV run under script(1) so that it has a
#                               terminal; output in $output
#   wait_for N CMD...           retries CMD every 0.1 s, at most N times
#   output_has_line RE          some line of $output matches RE

load hull-helpers

ENG_IMAGE=docker.io/berthtest/busybox:latest
ENG_NS=berthtest
# Every engine command is bounded: a hung runtime fails the test instead of
# hanging make check.
ENG_TIMEOUT=${ENG_TIMEOUT:-60}

runtime_bin() {
  case $1 in
    hull) echo "$HULL_BIN" ;;
    *) command -v "$1" ;;
  esac
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

# in_tty ARGV...: runs ARGV under script(1), which gives it a terminal;
# stdin is the caller's (what to type).  Exit status and output in $status
# and $output, with the terminal's CRLF line ends made LF.
in_tty() {
  run timeout "$ENG_TIMEOUT" script -qec "$(printf '%q ' "$@")" /dev/null
  output=${output//$'\r'/}
}

# Whether process $1 has ended (a zombie has).
proc_gone() {
  local st
  st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 0
  [ -z "$st" ] || [ "$st" = Z ]
}

# Whether some line of $output matches the extended regex $1.
output_has_line() {
  printf '%s\n' "$output" | grep -qE -- "$1"
}

# quiet CMD...: CMD's output only when it fails.
quiet() {
  local out
  out=$("$@" 2>&1) || {
    local rc=$?
    echo "# $*: exit $rc" >&2
    printf '%s\n' "$out" | sed 's/^/# /' >&2
    return $rc
  }
}

require_tools() {
  local tool
  for tool in "$@"; do
    if ! command -v "$tool" >/dev/null; then
      echo "# $tool not found: run tests/install-deps.sh" >&2
      return 1
    fi
  done
}

# A docker-archive (docker save layout: manifest.json, the config JSON named
# by its digest, one layer tar) of a busybox rootfs built like
# make_bundle's, tagged $ENG_IMAGE for linux/amd64.
build_image_archive() {
  local arch=$ENG_TMP/archive diff cfg
  make_bundle "$ENG_TMP/bundle"
  ENG_ROOTFS_TAR=$ENG_TMP/rootfs.tar
  tar -C "$ENG_TMP/bundle/rootfs" -cf "$ENG_ROOTFS_TAR" .
  mkdir -p "$arch"
  cp "$ENG_ROOTFS_TAR" "$arch/layer.tar"
  diff=sha256:$(sha256sum "$arch/layer.tar" | cut -d' ' -f1)
  jq -n --arg d "$diff" '{
      architecture: "amd64", os: "linux",
      config: {Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
               Cmd: ["sh"]},
      rootfs: {type: "layers", diff_ids: [$d]},
      history: [{created_by: "berth engines tests"}]}' >"$arch/config.json"
  cfg=$(sha256sum "$arch/config.json" | cut -d' ' -f1).json
  mv "$arch/config.json" "$arch/$cfg"
  jq -n --arg c "$cfg" --arg t "$ENG_IMAGE" \
    '[{Config: $c, RepoTags: [$t], Layers: ["layer.tar"]}]' >"$arch/manifest.json"
  ENG_IMAGE_TAR=$ENG_TMP/busybox-docker.tar
  tar -C "$arch" -cf "$ENG_IMAGE_TAR" manifest.json "$cfg" layer.tar
}

engines_setup_file() {
  [ "$(id -u)" -eq 0 ] || skip "needs root"
  [ -x "$HULL_BIN" ] || { echo "# hull not found on PATH: build first" >&2; return 1; }
  require_tools jq script timeout runc "$@" || return 1
  # once for both engines when one script sets up both (tests/bench)
  [ -n "${ENG_TMP:-}" ] && [ -d "$ENG_TMP" ] && return 0
  ENG_TMP=$(mktemp -d /tmp/berth-engines.XXXXXX)
  export ENG_TMP
  build_image_archive
  export ENG_ROOTFS_TAR ENG_IMAGE_TAR
}

# Unmounts everything below $ENG_TMP (deepest first) and removes it.
engines_teardown_file() {
  local mnt
  [ -n "${ENG_TMP:-}" ] && [ -d "$ENG_TMP" ] || return 0
  awk -v t="$ENG_TMP/" 'index($5, t) == 1 {print $5}' /proc/self/mountinfo | sort -r |
    while read -r mnt; do
      umount -l "$mnt" 2>/dev/null || true
    done
  rm -rf "$ENG_TMP"
}

# Removes the cgroup directory $1 (relative to each hierarchy) and its
# descendants where they are empty.
remove_cgroups() {
  local rel=$1 d
  for d in /sys/fs/cgroup/*/"$rel" /sys/fs/cgroup/"$rel"; do
    [ -d "$d" ] || continue
    find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true
  done
}

# ---- podman ---------------------------------------------------------------

# pm ARGS...: podman on the private storage.  pm_argv: its command line.
pm_argv() {
  PM=(podman --root "$PM_DIR/storage" --runroot "$PM_DIR/runroot" --tmpdir "$PM_DIR/tmp")
}

pm() {
  local PM
  pm_argv
  timeout "$ENG_TIMEOUT" "${PM[@]}" "$@"
}

# A podman of our own: storage, run root, lock files, events and network
# configuration all under $PM_DIR.  This VM lacks CAP_SYS_RESOURCE and its
# nofile hard limit is 20000, so podman's default ulimits (nofile 1048576)
# fail with every runtime; containers.conf sets limits the host allows.
podman_setup_file() {
  engines_setup_file podman conmon || return 1
  PM_DIR=$ENG_TMP/podman
  export PM_DIR
  mkdir -p "$PM_DIR"/{storage,runroot,tmp,net}
  cat >"$PM_DIR/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
netns = "none"

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$PM_DIR/events.log"
lock_type = "file"
tmp_dir = "$PM_DIR/tmp"
volume_path = "$PM_DIR/volumes"
static_dir = "$PM_DIR/storage/libpod"

[network]
network_config_dir = "$PM_DIR/net"
EOF
  cat >"$PM_DIR/storage.conf" <<EOF
[storage]
driver = "overlay"
runroot = "$PM_DIR/runroot"
graphroot = "$PM_DIR/storage"
EOF
  export CONTAINERS_CONF=$PM_DIR/containers.conf
  export CONTAINERS_STORAGE_CONF=$PM_DIR/storage.conf
  quiet pm import "$ENG_ROOTFS_TAR" "$ENG_IMAGE"
}

podman_cleanup() {
  [ -n "${PM_DIR:-}" ] && [ -d "$PM_DIR" ] || return 0
  pm rm --all --force --time 0 >/dev/null 2>&1 || true
}

podman_teardown_file() {
  podman_stop
  engines_teardown_file
}

podman_stop() {
  if [ -n "${PM_DIR:-}" ] && [ -d "$PM_DIR" ]; then
    podman_cleanup
    pm rmi --all --force >/dev/null 2>&1 || true
    # The overlay driver's private bind mount of its home, any leftover
    # layer mounts: engines_teardown_file unmounts all of them.
  fi
  remove_cgroups libpod_parent
}

# ---- containerd -----------------------------------------------------------

ctrc() {
  timeout "$ENG_TIMEOUT" ctr -a "$CTRD_DIR/containerd.sock" -n "$ENG_NS" "$@"
}

# `ctr run` on our containerd with runtime $1, runc state under $CTRD_DIR.
ctr_run() {
  local rt=$1
  shift
  ctrc run --runc-binary "$(runtime_bin "$rt")" --runc-root "$CTRD_DIR/runc-root" \
    --fifo-dir "$CTRD_DIR/fifo" "$@"
}

# A containerd of our own (no CRI plugin), its sockets and state under
# $CTRD_DIR; the busybox archive imported into namespace $ENG_NS.
containerd_setup_file() {
  engines_setup_file containerd ctr containerd-shim-runc-v2 || return 1
  CTRD_DIR=$ENG_TMP/containerd
  export CTRD_DIR
  # The shims put their sockets in /run/containerd/s: note whether it
  # existed, to remove only what these tests created.
  [ -d /run/containerd ] || touch "$ENG_TMP/made-run-containerd"
  mkdir -p "$CTRD_DIR"/{root,state,opt,fifo,runc-root}
  cat >"$CTRD_DIR/config.toml" <<EOF
version = 2
root = "$CTRD_DIR/root"
state = "$CTRD_DIR/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]

[grpc]
  address = "$CTRD_DIR/containerd.sock"

[ttrpc]
  address = "$CTRD_DIR/containerd.sock.ttrpc"

[debug]
  address = "$CTRD_DIR/debug.sock"

[plugins."io.containerd.internal.v1.opt"]
  path = "$CTRD_DIR/opt"
EOF
  # fd 3 is bats's: a daemon holding it open would stall bats.
  containerd --config "$CTRD_DIR/config.toml" >"$CTRD_DIR/containerd.log" 2>&1 3>&- &
  echo $! >"$CTRD_DIR/containerd.pid"
  if ! wait_for 200 ctrc version >/dev/null 2>&1; then
    echo "# containerd did not come up in 20 s:" >&2
    tail -n 20 "$CTRD_DIR/containerd.log" >&2
    return 1
  fi
  quiet ctrc image import "$ENG_IMAGE_TAR"
}

# Kills and deletes every task and container in $ENG_NS.
containerd_cleanup() {
  local id
  [ -n "${CTRD_DIR:-}" ] && [ -S "$CTRD_DIR/containerd.sock" ] || return 0
  for id in $(ctrc task ls -q 2>/dev/null); do
    ctrc task kill -s SIGKILL "$id" >/dev/null 2>&1 || true
    ctrc task resume "$id" >/dev/null 2>&1 || true
    ctrc task delete --force "$id" >/dev/null 2>&1 || true
  done
  for id in $(ctrc containers ls -q 2>/dev/null); do
    ctrc containers delete "$id" >/dev/null 2>&1 || true
  done
}

containerd_teardown_file() {
  containerd_stop
  engines_teardown_file
}

# Removes every task, container and the image, stops containerd.
containerd_stop() {
  local pid
  if [ -n "${CTRD_DIR:-}" ] && [ -f "$CTRD_DIR/containerd.pid" ]; then
    containerd_cleanup
    ctrc image rm "$ENG_IMAGE" >/dev/null 2>&1 || true
    pid=$(cat "$CTRD_DIR/containerd.pid")
    kill "$pid" 2>/dev/null || true
    wait_for 100 proc_gone "$pid" || kill -9 "$pid" 2>/dev/null || true
  fi
  remove_cgroups "$ENG_NS"
  if [ -n "${ENG_TMP:-}" ] && [ -f "$ENG_TMP/made-run-containerd" ]; then
    rmdir /run/containerd/s /run/containerd/fifo /run/containerd 2>/dev/null || true
  fi
}
