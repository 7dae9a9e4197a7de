#!/bin/bash
# berth vs podman (issue #7's benchmark):
#   1. `berth run --rm IMAGE true` vs `podman run --rm IMAGE true` on the
#      same busybox image, in one hyperfine run: means and berth's ratio
#      (target <= 0.25).
#   2. N detached `sleep` containers (default 100) with each engine: the
#      total and per-container RSS of berth's monitors (berth-monitor)
#      against podman's (conmon), and the ratio (target <= 1 MiB each).
#
#   tests/bench/run.sh [RUNS] [N]   (root; berth and berth-monitor built in
#                                   $BUILDDIR or on PATH; hull, podman,
#                                   conmon, hyperfine, jq, unshare)
#
# Both engines run on private state under one temporary directory that is
# removed at exit (podman's comes from tests/integration/engines-helpers.bash,
# so the host's podman storage is never touched).  podman uses its default
# runtime, berth its own (hull).  crun 1.8 (podman's default) refuses
# cgroup-hybrid hosts, so, as tests/bench/engines.sh does, the benchmark
# runs in a private mount namespace with a tmpfs over /sys/fs/cgroup/unified:
# both engines see the same pure-v1 layout and the host's mounts stay as
# they are.  PODMAN_LIMIT_S (default 300) bounds the time spent starting
# podman's detached containers: fewer than N are started (and the report
# says so) when podman is slower than that.
set -euo pipefail
RUNS=${1:-30}
N=${2:-100}
PODMAN_LIMIT_S=${PODMAN_LIMIT_S:-300}
SRCDIR=$(cd "$(dirname "$0")/../.." && pwd)
BUILDDIR=${BUILDDIR:-$SRCDIR}
BERTH=${BERTH:-$BUILDDIR/berth}
[ -x "$BERTH" ] || BERTH=$(command -v berth) || { echo "run.sh: berth not built (set BUILDDIR)" >&2; exit 2; }
export HULL_BIN=${HULL_BIN:-$(dirname "$BERTH")/hull}
[ -x "$HULL_BIN" ] || HULL_BIN=$(command -v hull) || true
for tool in podman conmon hyperfine jq unshare runc; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool not found on PATH" >&2; exit 2; }
done
[ "$(id -u)" -eq 0 ] || { echo "run.sh: run as root" >&2; exit 2; }
for v in "$RUNS" "$N"; do
  case $v in '' | *[!0-9]*) echo "run.sh: RUNS and N must be numbers" >&2; exit 2 ;; esac
done

if [ -z "${BENCH_IN_NS:-}" ]; then
  exec unshare -m env BENCH_IN_NS=1 "$0" "$@"
fi
mount --make-rprivate /
if [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
  mount -t tmpfs none /sys/fs/cgroup/unified
fi

# engines-helpers.bash is written for bats: give it bats's `load`/`skip`.
BATS_TEST_DIRNAME=$SRCDIR/tests/integration
export SRCDIR
load() {
  # shellcheck disable=SC1090
  source "$BATS_TEST_DIRNAME/$1.bash"
}
skip() {
  echo "run.sh: $*" >&2
  exit 2
}
load engines-helpers

B_DIR=""
berth_b() { timeout 60 "$BERTH" --root "$B_DIR/root" --runroot "$B_DIR/run" "$@"; }

cleanup() {
  set +e
  if [ -n "$B_DIR" ] && [ -d "$B_DIR/root" ]; then
    berth_b ps -aq --no-trunc 2>/dev/null | xargs -r -n 20 timeout 120 "$BERTH" --root "$B_DIR/root" \
      --runroot "$B_DIR/run" rm -f >/dev/null 2>&1
  fi
  podman_stop >/dev/null 2>&1
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

# Each once, so a failure stops here with its error.
berth_b run --rm "$BERTH_IMAGE" true || { echo "run.sh: berth run failed" >&2; exit 1; }
pm run --rm "$ENG_IMAGE" true || { echo "run.sh: podman run failed" >&2; exit 1; }

# --- 1. run --rm true -------------------------------------------------------
pm_argv
berth_cmd="$BERTH --root $B_DIR/root --runroot $B_DIR/run run --rm $BERTH_IMAGE true"
podman_cmd="${PM[*]} run --rm $ENG_IMAGE true"
hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$ENG_TMP/h.json" "$berth_cmd" "$podman_cmd" >&2
mean() { jq -r --arg c "$1" '.results[] | select(.command == $c) | .mean * 1000' "$ENG_TMP/h.json"; }
bm=$(mean "$berth_cmd")
pmn=$(mean "$podman_cmd")
echo "== run --rm IMAGE true ($RUNS runs each)"
awk -v b="$bm" -v p="$pmn" 'BEGIN {
  printf "berth  %8.1f ms\npodman %8.1f ms\nberth/podman time: %.3f (target <= 0.25)\n", b, p, b / p }'

# --- 2. N detached sleep containers ------------------------------------------
# rss_sum NAME FILTER: sum of VmRSS (KiB) and count of the NAME processes
# whose command line contains FILTER.
rss_sum() {
  local p total=0 count=0 kib
  for p in $(pgrep -x "$1"); do
    tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -qF -- "$2" || continue
    kib=$(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null) || continue
    total=$((total + ${kib:-0}))
    count=$((count + 1))
  done
  echo "$total $count"
}

for i in $(seq 1 "$N"); do
  berth_b run -d "$BERTH_IMAGE" sleep 3600 >/dev/null
done
sleep 1
read -r b_kib b_n < <(rss_sum berth-monitor "$B_DIR/root/")

start=$SECONDS pn=0
for i in $(seq 1 "$N"); do
  if [ $((SECONDS - start)) -ge "$PODMAN_LIMIT_S" ]; then break; fi
  pm run -d "$ENG_IMAGE" sleep 3600 >/dev/null
  pn=$i
done
sleep 1
read -r p_kib p_n < <(rss_sum conmon "$PM_DIR")

echo "== $N detached sleep containers"
[ "$pn" -eq "$N" ] || echo "podman: only $pn containers started within ${PODMAN_LIMIT_S}s (podman is slow here)"
awk -v bk="$b_kib" -v bn="$b_n" -v pk="$p_kib" -v pn="$p_n" 'BEGIN {
  ba = bn ? bk / bn : 0; pa = pn ? pk / pn : 0
  printf "berth-monitor: %d processes, total RSS %.1f MiB, %.0f KiB each (target <= 1024 KiB)\n", bn, bk / 1024, ba
  printf "conmon:        %d processes, total RSS %.1f MiB, %.0f KiB each\n", pn, pk / 1024, pa
  if (pa > 0) printf "berth-monitor/conmon RSS per container: %.3f\n", ba / pa }'
