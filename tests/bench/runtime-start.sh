#!/bin/bash
# Container start benchmark: `run` of a busybox bundle executing /bin/true
# with hull, crun and runc in one hyperfine run, then the peak RSS of each
# runtime process (GNU time).  Prints means and hull's ratios to crun.
#
#   tests/bench/runtime-start.sh [RUNS]      (root; hull, crun, runc, hyperfine on PATH)
#
# crun 1.8 refuses to run on a cgroup hybrid host ("cgroups in hybrid mode
# not supported").  The whole benchmark therefore runs in a private mount
# namespace with a tmpfs over /sys/fs/cgroup/unified: every runtime then sees
# the same pure-v1 layout.  The host's mounts are not touched.
set -euo pipefail
RUNS=${1:-50}
SRCDIR=$(cd "$(dirname "$0")/../.." && pwd)
for tool in hull crun runc hyperfine jq; do
  command -v "$tool" >/dev/null || { echo "runtime-start: $tool not found on PATH" >&2; exit 2; }
done
[ -x /usr/bin/time ] || { echo "runtime-start: /usr/bin/time missing (apt-get install time)" >&2; exit 2; }

if [ -z "${BENCH_IN_NS:-}" ]; then
  exec unshare -m env BENCH_IN_NS=1 "$0" "$@"
fi
mount --make-rprivate /
if [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
  mount -t tmpfs none /sys/fs/cgroup/unified
fi

work=$(mktemp -d /tmp/hull-bench.XXXXXX)
trap 'umount "$work/roots" 2>/dev/null; rm -rf "$work"' EXIT
# shellcheck source=../integration/hull-helpers.bash
SRCDIR=$SRCDIR source "$SRCDIR/tests/integration/hull-helpers.bash"
make_bundle "$work/bundle"
# 1.0.2: the newest version crun 1.8 accepts.
jq '.ociVersion = "1.0.2" | .process.args = ["/bin/true"] | .process.terminal = false' \
  "$work/bundle/config.json" >"$work/c.json" && mv "$work/c.json" "$work/bundle/config.json"
cd "$work/bundle"

# State roots on a tmpfs, as /run is in production for all three.
mkdir -p "$work/roots"
mount -t tmpfs tmpfs "$work/roots"
declare -A root=([hull]=$work/roots/hull [crun]=$work/roots/crun [runc]=$work/roots/runc)
cmd() { echo "$1 --root ${root[$1]} run bench-$1"; }

hyperfine -N --warmup 5 --runs "$RUNS" --export-json "$work/h.json" \
  "$(cmd hull)" "$(cmd crun)" "$(cmd runc)" >&2

mean() { jq -r --arg c "$(cmd "$1")" '.results[] | select(.command == $c) | .mean * 1000' "$work/h.json"; }
rss() {
  local best=0 kib
  for _ in 1 2 3 4 5; do
    kib=$( { /usr/bin/time -v $(cmd "$1") >/dev/null; } 2>&1 | awk -F: '/Maximum resident/ {gsub(/ /, "", $2); print $2}')
    [ "$kib" -gt "$best" ] && best=$kib
  done
  echo "$best"
}

declare -A m r
printf '%-6s %12s %14s\n' runtime "mean (ms)" "peak RSS (KiB)"
for rt in hull crun runc; do
  m[$rt]=$(mean $rt); r[$rt]=$(rss $rt)
  printf '%-6s %12.2f %14d\n' "$rt" "${m[$rt]}" "${r[$rt]}"
done
awk -v h="${m[hull]}" -v c="${m[crun]}" -v r="${m[runc]}" -v hr="${r[hull]}" -v cr="${r[crun]}" 'BEGIN {
  printf "hull/crun time: %.2f (target <= 0.80)\nhull/runc time: %.2f\nhull/crun peak RSS: %.2f (target <= 1.00)\n", h / c, h / r, hr / cr }'
