#!/bin/bash
# Engine benchmark: the time podman and containerd take to run a busybox
# container executing `true` with hull, crun and runc as their OCI runtime,
# all in one run.  Prints each mean and hull's ratio to crun and to runc
# for each engine.
#
#   tests/bench/engines.sh [RUNS]   (root; default 20 runs per command; hull,
#                                   crun, runc, podman, conmon, containerd,
#                                   ctr and hyperfine on PATH)
#
#   podman --runtime R run --rm IMAGE true
#   ctr run --rm --runc-binary R IMAGE ID true
#
# podman and containerd run on private state (tests/integration/
# engines-helpers.bash sets both up: storage, sockets and the image under
# one temporary directory, removed at exit).
#
# crun 1.8 refuses to run on a cgroup hybrid host ("cgroups in hybrid mode
# not supported, drop all controllers from cgroupv2").  The whole benchmark
# therefore runs in a private mount namespace with a tmpfs over
# /sys/fs/cgroup/unified, as tests/bench/runtime-start.sh does: podman,
# containerd and every runtime then see the same pure-v1 layout, and the
# host's mounts are not touched.  The engines are started inside that
# namespace so that their mounts (overlay layers, rootfs) die with it.
set -euo pipefail
RUNS=${1:-20}
SRCDIR=$(cd "$(dirname "$0")/../.." && pwd)
RUNTIMES=(hull crun runc)
for tool in hull crun runc podman conmon containerd ctr hyperfine jq unshare; do
  command -v "$tool" >/dev/null || { echo "engines: $tool not found on PATH" >&2; exit 2; }
done
[ "$(id -u)" -eq 0 ] || { echo "engines: run as root" >&2; exit 2; }
case $RUNS in
  '' | *[!0-9]*) echo "engines: RUNS must be a number, not '$RUNS'" >&2; exit 2 ;;
esac

if [ -z "${BENCH_IN_NS:-}" ]; then
  exec unshare -m env BENCH_IN_NS=1 "$0" "$@"
fi
mount --make-rprivate /
if [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
  mount -t tmpfs none /sys/fs/cgroup/unified
fi

# engines-helpers.bash is written for bats: give it bats's `load`.
BATS_TEST_DIRNAME=$SRCDIR/tests/integration
export SRCDIR
load() {
  # shellcheck disable=SC1090
  source "$BATS_TEST_DIRNAME/$1.bash"
}
load engines-helpers

cleanup() {
  containerd_stop >/dev/null 2>&1 || true
  podman_stop >/dev/null 2>&1 || true
  engines_teardown_file
}
trap cleanup EXIT
podman_setup_file
containerd_setup_file
work=$ENG_TMP

# Every command once, so that a runtime that fails stops the benchmark with
# its error instead of hyperfine's "non-zero exit code".
for rt in "${RUNTIMES[@]}"; do
  pm --runtime "$(runtime_bin "$rt")" run --rm "$ENG_IMAGE" true ||
    { echo "engines: podman with $rt failed" >&2; exit 1; }
  ctr_run "$rt" --rm "$ENG_IMAGE" "check-$rt" true ||
    { echo "engines: ctr with $rt failed" >&2; exit 1; }
done

# podman names its containers itself: no shell needed (-N).
pm_argv
podman_cmd() { echo "${PM[*]} --runtime $(runtime_bin "$1") run --rm $ENG_IMAGE true"; }
# ctr needs an id that no live container has: hyperfine runs each ctr
# command through sh, where $$ is that run's own pid; hyperfine subtracts
# the shell's start-up time from the measurement.
ctr_cmd() {
  echo "ctr -a $CTRD_DIR/containerd.sock -n $ENG_NS run --rm --runc-binary $(runtime_bin "$1")" \
    "--runc-root $CTRD_DIR/runc-root --fifo-dir $CTRD_DIR/fifo $ENG_IMAGE b\$\$ true"
}

pm_cmds=() ctr_cmds=()
for rt in "${RUNTIMES[@]}"; do
  pm_cmds+=(-n "podman --runtime $rt" "$(podman_cmd "$rt")")
  ctr_cmds+=(-n "ctr run --runc-binary $rt" "$(ctr_cmd "$rt")")
done
hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$work/podman.json" \
  "${pm_cmds[@]}" >&2
hyperfine --warmup 3 --runs "$RUNS" --export-json "$work/ctr.json" \
  "${ctr_cmds[@]}" >&2

# mean FILE INDEX: mean in ms of the INDEX-th command of FILE.
mean() {
  jq -r --argjson i "$2" '.results[$i].mean * 1000' "$1"
}

printf '\n%-11s %-6s %10s %10s\n' engine runtime "mean (ms)" "+/- (ms)"
for engine in podman ctr; do
  declare -A m=()
  for i in "${!RUNTIMES[@]}"; do
    rt=${RUNTIMES[$i]}
    m[$rt]=$(mean "$work/$engine.json" "$i")
    printf '%-11s %-6s %10.2f %10.2f\n' "$engine" "$rt" "${m[$rt]}" \
      "$(jq -r --argjson i "$i" '.results[$i].stddev * 1000' "$work/$engine.json")"
  done
  awk -v e="$engine" -v h="${m[hull]}" -v c="${m[crun]}" -v r="${m[runc]}" 'BEGIN {
    printf "%s: hull/crun %.3f, hull/runc %.3f (target: hull fastest, both < 1)\n", e, h / c, h / r }'
  unset m
done
