#!/usr/bin/env bats
# The README's first command after the build: a bundle from busybox-static
# run by hull, then its root filesystem imported as the image `busybox` and
# run by berth (on a private store here, /var/lib/berth in the README).

load hull-helpers

BERTH=${BERTH:-${BUILDDIR:-$SRCDIR}/berth}

setup() {
  TEST_TMP=$(mktemp -d /tmp/quickstart.XXXXXX)
  HULL_ROOT=$TEST_TMP/state
}

teardown() {
  local id mnt
  "$HULL_BIN" --root "$HULL_ROOT" delete --force hello >/dev/null 2>&1 || true
  if [ -d "$TEST_TMP/berth" ]; then
    for id in $(qberth ps -aq --no-trunc 2>/dev/null); do
      qberth rm -f "$id" >/dev/null 2>&1 || true
    done
    awk -v t="$TEST_TMP/" 'index($5, t) == 1 {print $5}' /proc/self/mountinfo | sort -r |
      while read -r mnt; do umount -l "$mnt" 2>/dev/null || true; done
  fi
  rm -rf "$TEST_TMP"
}

qberth() {
  timeout 60 "$BERTH" --root "$TEST_TMP/berth/root" --runroot "$TEST_TMP/berth/run" "$@"
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

@test "quickstart: the bundle's rootfs imported into berth runs a first container" {
  [ -x "$BERTH" ] || skip "berth not built"
  run "$SRCDIR/tests/fixtures/busybox-bundle.sh" "$TEST_TMP/hello" echo hello from hull
  [ "$status" -eq 0 ]
  run hull run --bundle "$TEST_TMP/hello" hello
  [ "$output" = "hello from hull" ]
  # the README's pipeline, word for word but for the store
  run sh -c "tar -C '$TEST_TMP/hello/rootfs' -c . | timeout 60 '$BERTH' --root '$TEST_TMP/berth/root' --runroot '$TEST_TMP/berth/run' import --change 'CMD [\"sh\"]' - busybox"
  [ "$status" -eq 0 ]
  [[ "$output" =~ ^sha256:[0-9a-f]{64}$ ]]
  run qberth run --rm busybox echo hello from berth
  [ "$status" -eq 0 ]
  [ "$output" = "hello from berth" ]
  # --rm: nothing left; the image's CMD is the shell
  run qberth ps -aq
  [ "$output" = "" ]
  run qberth run --rm -i busybox <<<'echo from the shell'
  [ "$output" = "from the shell" ]
}

@test "quickstart: the README's first command is the one this suite checks" {
  local first
  first=$(awk '/^## Quick start/ { on = 1 } on && /^sudo tests\/install-deps.sh/ { print; exit }' "$SRCDIR/README.md")
  [[ "$first" == *"tests/fixtures/busybox-bundle.sh /tmp/hello echo hello from hull"* ]]
  [[ "$first" == *"tar -C /tmp/hello/rootfs -c . | sudo berth import --change 'CMD [\"sh\"]' - busybox"* ]]
  [[ "$first" == *"sudo berth run --rm busybox echo hello from berth" ]]
}
