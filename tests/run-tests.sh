#!/bin/bash
# Runs the cmocka unit tests and the bats integration suites, then prints
# one summary line: "N passed, N failed, N skipped".
#   UNIT_TESTS   space-separated unit test programs (relative to BUILDDIR)
#   BUILDDIR     the build tree (hull and berth are taken from here)
#   SRCDIR       the source tree
#   INTEGRATION  "no" to run only the unit tests
#   BATS_FILTER  optional: only integration files matching this glob
set -u
BUILDDIR=${BUILDDIR:-$PWD}
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
passed=0 failed=0 skipped=0
failures=()

# count_tap NAME FILE: adds the TAP results in FILE to the totals.
count_tap() {
  local name=$1 file=$2 p f s
  p=$(grep -E '^ok ' "$file" | grep -vciE '# skip' || true)
  s=$(grep -E '^ok ' "$file" | grep -ciE '# skip' || true)
  f=$(grep -cE '^not ok ' "$file" || true)
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
  if [ "$f" -gt 0 ]; then
    failures+=("$name")
    grep -E '^not ok ' "$file" | sed "s|^|  $name: |"
  fi
}

logdir=$(mktemp -d /tmp/berth-tests.XXXXXX)
for t in ${UNIT_TESTS:-}; do
  name=$(basename "$t")
  out="$logdir/$name.tap"
  CMOCKA_MESSAGE_OUTPUT=TAP "$BUILDDIR/$t" >"$out" 2>&1
  rc=$?
  count_tap "$name" "$out"
  if [ $rc -ne 0 ] && ! grep -qE '^not ok ' "$out"; then
    # Crashed or aborted outside a test: count it as one failure.
    failed=$((failed + 1)); failures+=("$name (exit $rc)")
  fi
  if [ $rc -ne 0 ]; then tail -n 40 "$out" | sed "s#^#  $name: #"; fi
done

if [ "${INTEGRATION:-yes}" != no ]; then
  files=$(ls "$SRCDIR"/tests/integration/${BATS_FILTER:-*}.bats 2>/dev/null)
  if [ -n "$files" ]; then
    out="$logdir/integration.tap"
    PATH="$BUILDDIR:$PATH" BUILDDIR="$BUILDDIR" SRCDIR="$SRCDIR" \
      bats --tap $files >"$out" 2>&1
    count_tap integration "$out"
    grep -E '^#' "$out" | head -n 200
  fi
fi

rm -rf "$logdir"
[ ${#failures[@]} -gt 0 ] && echo "failed: ${failures[*]}"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
