#!/bin/bash
# Runs every libFuzzer target of a fuzzing build for a while.
#   usage: tests/fuzz/run-fuzzers.sh BUILDDIR [SECONDS]
# BUILDDIR is a tree configured with CC=clang --enable-fuzzing and built;
# each tests/fuzz/fuzz-NAME program there runs for SECONDS (default 60),
# seeded from tests/fuzz/corpus/NAME/ when that directory exists.  The seed
# corpus is only read: new inputs go to a temporary directory.  A crash,
# leak or timeout fails the target; its reproducer is kept and reported.
# Ends with "N passed, N failed, 0 skipped" and exits 1 if any target failed.
set -uo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: $0 BUILDDIR [SECONDS]" >&2
  exit 2
fi
BUILDDIR=$(cd "$1" && pwd) || exit 2
SECONDS_EACH=${2:-60}
SRCDIR=$(cd "$(dirname "$0")/../.." && pwd)
ARTIFACTS=${FUZZ_ARTIFACTS:-$(mktemp -d /tmp/berth-fuzz.XXXXXX)}
mkdir -p "$ARTIFACTS"

passed=0 failed=0
failures=()
for prog in "$BUILDDIR"/tests/fuzz/fuzz-*; do
  if [ ! -f "$prog" ] || [ ! -x "$prog" ]; then continue; fi
  name=$(basename "$prog")
  short=${name#fuzz-}
  work="$ARTIFACTS/$name"
  mkdir -p "$work/corpus"
  seeds=()
  [ -d "$SRCDIR/tests/fuzz/corpus/$short" ] && seeds=("$SRCDIR/tests/fuzz/corpus/$short")
  echo "fuzz: $name for ${SECONDS_EACH}s (seeds: ${seeds[*]:-none})"
  "$prog" -max_total_time="$SECONDS_EACH" -timeout=30 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$work/" "$work/corpus" "${seeds[@]}" </dev/null >"$work/log" 2>&1
  rc=$?
  if [ $rc -eq 0 ]; then
    passed=$((passed + 1))
    echo "ok $name: $(grep -m1 -E '^stat::number_of_executed_units' "$work/log" | sed 's/.*: *//') runs"
    rm -rf "$work"
  else
    failed=$((failed + 1))
    failures+=("$name")
    echo "not ok $name (exit $rc); log and reproducer in $work"
    tail -n 60 "$work/log" | sed "s|^|  $name: |"
  fi
done

[ $((passed + failed)) -eq 0 ] && echo "fuzz: no fuzz-* programs in $BUILDDIR/tests/fuzz"
[ ${#failures[@]} -gt 0 ] && echo "failed: ${failures[*]}"
[ $failed -eq 0 ] && [ -z "${FUZZ_ARTIFACTS:-}" ] && rm -rf "$ARTIFACTS"
echo "$passed passed, $failed failed, 0 skipped"
[ $failed -eq 0 ]
