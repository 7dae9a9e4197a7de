#!/usr/bin/env bats
# The README's first container: a bundle from busybox-static, run by hull.

load hull-helpers

setup() {
  TEST_TMP=$(mktemp -d /tmp/quickstart.XXXXXX)
  HULL_ROOT=$TEST_TMP/state
}

teardown() {
  "$HULL_BIN" --root "$HULL_ROOT" delete --force hello >/dev/null 2>&1 || true
  rm -rf "$TEST_TMP"
}

@test "quickstart: busybox bundle from hull spec runs and prints" {
  run "$SRCDIR/tests/fixtures/busybox-bundle.sh" "$TEST_TMP/hello" echo hello from hull
  [ "$status" -eq 0 ]
  [ -x "$TEST_TMP/hello/rootfs/bin/busybox" ]
  run hull run --bundle "$TEST_TMP/hello" hello
  [ "$status" -eq 0 ]
  [ "$output" = "hello from hull" ]
  # run without --keep deletes the container afterwards
  run hull state hello
  [ "$status" -ne 0 ]
}

@test "quickstart: without a command the bundle keeps hull spec's shell on a terminal" {
  run "$SRCDIR/tests/fixtures/busybox-bundle.sh" "$TEST_TMP/sh"
  [ "$status" -eq 0 ]
  [ "$(jq -r '.process.terminal' "$TEST_TMP/sh/config.json")" = true ]
  [ "$(jq -c '.process.args' "$TEST_TMP/sh/config.json")" = '["sh"]' ]
}

@test "quickstart: a dynamic busybox is refused with the package to install" {
  mkdir -p "$TEST_TMP/bin"
  cp "$(readlink -f /bin/sh)" "$TEST_TMP/bin/busybox"
  run env PATH="$TEST_TMP/bin:$PATH" "$SRCDIR/tests/fixtures/busybox-bundle.sh" "$TEST_TMP/x" true
  [ "$status" -ne 0 ]
  [[ "$output" == *"busybox-static"* ]]
}
