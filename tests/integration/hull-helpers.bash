# Shared setup for hull's bats tests: a busybox bundle per test and a
# private state root.  Load with `load hull-helpers`.
#   make_bundle DIR      busybox rootfs + tests/fixtures/config.json
#   set_config 'JQ'      edit $BUNDLE/config.json with a jq program
#   set_args a b c       process.args
#   hull ...             the hull under test with --root $HULL_ROOT

SRCDIR=${SRCDIR:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
HULL_BIN=${HULL_BIN:-$(command -v hull)}

make_bundle() {
  "$SRCDIR/tests/fixtures/busybox-bundle.sh" --config "$SRCDIR/tests/fixtures/config.json" "$1"
}

setup_hull() {
  TEST_TMP=$(mktemp -d /tmp/hull-test.XXXXXX)
  HULL_ROOT=$TEST_TMP/state
  BUNDLE=$TEST_TMP/bundle
  mkdir -p "$HULL_ROOT"
  make_bundle "$BUNDLE"
}

teardown_hull() {
  local id
  if [ -d "${HULL_ROOT:-}" ]; then
    for id in $(ls "$HULL_ROOT" 2>/dev/null); do
      "$HULL_BIN" --root "$HULL_ROOT" delete --force "$id" >/dev/null 2>&1 || true
    done
  fi
  [ -n "${TEST_TMP:-}" ] && rm -rf "$TEST_TMP"
}

hull() {
  "$HULL_BIN" --root "$HULL_ROOT" "$@"
}

set_config() {
  local tmp
  tmp=$(mktemp)
  jq "$1" "$BUNDLE/config.json" >"$tmp" && mv "$tmp" "$BUNDLE/config.json"
}

set_args() {
  local json
  json=$(printf '%s\n' "$@" | jq -R . | jq -s .)
  set_config ".process.args = $json"
}

# Unique container id for this test.
cid() {
  echo "t${BATS_TEST_NUMBER}-$$"
}
