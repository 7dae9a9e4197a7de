#!/bin/bash
# Network setup overhead (issue #8's benchmark), in one hyperfine run:
#   berth run --rm --network bridge IMAGE true
#   berth run --rm --network none IMAGE true
#   podman run --rm --network <its bridge> IMAGE true
#   podman run --rm --network none IMAGE true
# and the milliseconds the bridge adds to a start for each engine (berth's
# target: <= 15 ms).
#
#   tests/bench/network.sh [RUNS]   (root; berth, berth-monitor and hull built
#                                   in $BUILDDIR or on PATH; podman, conmon,
#                                   hyperfine, jq, unshare)
#
# Both engines run on private state under one temporary directory that is
# removed at exit (podman's from tests/integration/engines-helpers.bash, as
# tests/bench/run.sh does).  podman's default network uses 10.88.0.0/16,
# berth's default too, so podman gets a bridge network of its own on
# 10.199.77.0/24 (CNI or netavark, whichever it has).  The default bridge
# berth0 and the `ip berth` nft table are removed at exit when they were
# not there before.
set -euo pipefail
RUNS=${1:-30}
SRCDIR=$(cd "$(dirname "$0")/../.." && pwd)
BUILDDIR=${BUILDDIR:-$SRCDIR}
BERTH=${BERTH:-$BUILDDIR/berth}
[ -x "$BERTH" ] || BERTH=$(command -v berth) || { echo "network.sh: berth not built (set BUILDDIR)" >&2; exit 2; }
export HULL_BIN=${HULL_BIN:-$(dirname "$BERTH")/hull}
[ -x "$HULL_BIN" ] || HULL_BIN=$(command -v hull) || true
for tool in podman conmon hyperfine jq unshare nft; do
  command -v "$tool" >/dev/null || { echo "network.sh: $tool not found on PATH" >&2; exit 2; }
done
[ "$(id -u)" -eq 0 ] || { echo "network.sh: run as root" >&2; exit 2; }
case $RUNS in '' | *[!0-9]*) echo "network.sh: RUNS must be a number" >&2; exit 2 ;; esac

if [ -z "${BENCH_IN_NS:-}" ]; then
  exec unshare -m env BENCH_IN_NS=1 "$0" "$@"
fi
mount --make-rprivate /
if [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
  mount -t tmpfs none /sys/fs/cgroup/unified
fi

BATS_TEST_DIRNAME=$SRCDIR/tests/integration
export SRCDIR
load() {
  # shellcheck disable=SC1090
  source "$BATS_TEST_DIRNAME/$1.bash"
}
skip() {
  echo "network.sh: $*" >&2
  exit 2
}
load engines-helpers

HAD_BRIDGE=0 HAD_TABLE=0
ip link show berth0 >/dev/null 2>&1 && HAD_BRIDGE=1
nft list table ip berth >/dev/null 2>&1 && HAD_TABLE=1
PM_NET=berthbench

B_DIR=""
berth_b() { timeout 60 "$BERTH" --root "$B_DIR/root" --runroot "$B_DIR/run" "$@"; }

cleanup() {
  set +e
  if [ -n "$B_DIR" ] && [ -d "$B_DIR/root" ]; then
    berth_b ps -aq --no-trunc 2>/dev/null | xargs -r timeout 120 "$BERTH" --root "$B_DIR/root" \
      --runroot "$B_DIR/run" rm -f >/dev/null 2>&1
  fi
  podman_stop >/dev/null 2>&1
  pm network rm -f "$PM_NET" >/dev/null 2>&1
  [ "$HAD_BRIDGE" = 1 ] || ip link delete berth0 2>/dev/null
  [ "$HAD_TABLE" = 1 ] || nft delete table ip berth 2>/dev/null
  engines_teardown_file
}
trap cleanup EXIT
podman_setup_file
B_DIR=$ENG_TMP/berth
mkdir -p "$B_DIR"
BERTH_IMAGE=berthtest/busybox
export BERTH_CONFIG_DIR=$B_DIR/conf
mkdir -p "$BERTH_CONFIG_DIR"
berth_b import --change 'CMD ["sh"]' "$ENG_ROOTFS_TAR" "$BERTH_IMAGE" >/dev/null
pm network create --subnet 10.199.77.0/24 "$PM_NET" >/dev/null

# Each once, so a failure stops here with its error.
for net in bridge none; do
  berth_b run --rm --network "$net" "$BERTH_IMAGE" true || { echo "network.sh: berth --network $net failed" >&2; exit 1; }
done
for net in "$PM_NET" none; do
  pm run --rm --network "$net" "$ENG_IMAGE" true || { echo "network.sh: podman --network $net failed" >&2; exit 1; }
done

pm_argv
b="$BERTH --root $B_DIR/root --runroot $B_DIR/run run --rm"
cmds=("$b --network bridge $BERTH_IMAGE true" "$b --network none $BERTH_IMAGE true"
  "${PM[*]} run --rm --network $PM_NET $ENG_IMAGE true" "${PM[*]} run --rm --network none $ENG_IMAGE true")
hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$ENG_TMP/h.json" "${cmds[@]}" >&2
mean() { jq -r --arg c "$1" '.results[] | select(.command == $c) | .mean * 1000' "$ENG_TMP/h.json"; }
bb=$(mean "${cmds[0]}") bn=$(mean "${cmds[1]}") pb=$(mean "${cmds[2]}") pn=$(mean "${cmds[3]}")
echo "== run --rm IMAGE true ($RUNS runs each)"
awk -v bb="$bb" -v bn="$bn" -v pb="$pb" -v pn="$pn" 'BEGIN {
  printf "berth  --network bridge %8.1f ms\nberth  --network none   %8.1f ms\n", bb, bn
  printf "podman --network bridge %8.1f ms\npodman --network none   %8.1f ms\n", pb, pn
  printf "bridge adds: berth %.1f ms (target <= 15), podman %.1f ms\n", bb - bn, pb - pn }'
