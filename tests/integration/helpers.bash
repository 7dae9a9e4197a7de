# Common setup for the bats suites: `load helpers` at the top of a .bats
# file.  make check (tests/run-tests.sh) exports BUILDDIR and SRCDIR; run
# by hand, they default to the source tree.
#   HULL, BERTH   the binaries under test ($BUILDDIR/hull, $BUILDDIR/berth)
#   TEST_TMPDIR   a directory of the test's own, removed in teardown
# A suite that needs more setup defines setup()/teardown() calling
# common_setup/common_teardown.

SRCDIR=${SRCDIR:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
BUILDDIR=${BUILDDIR:-$SRCDIR}
HULL=${HULL:-$BUILDDIR/hull}
BERTH=${BERTH:-$BUILDDIR/berth}

common_setup() {
  local bin
  for bin in "$HULL" "$BERTH"; do
    if [ ! -x "$bin" ]; then
      echo "# $bin not found: build first, or set BUILDDIR" >&2
      return 1
    fi
  done
  TEST_TMPDIR=$(mktemp -d "${BATS_TMPDIR:-/tmp}/berth-test.XXXXXX")
}

common_teardown() {
  if [ -n "${TEST_TMPDIR:-}" ] && [ -d "$TEST_TMPDIR" ]; then
    rm -rf "$TEST_TMPDIR"
  fi
}

setup() {
  common_setup
}

teardown() {
  common_teardown
}

# The package version from configure.ac (AC_INIT's second argument).
package_version() {
  sed -n 's/^AC_INIT(\[[^]]*\], *\[\([^]]*\)\].*/\1/p' "$SRCDIR/configure.ac"
}

# Whether some line of $output matches the extended regex $1.
output_has_line() {
  printf '%s\n' "$output" | grep -qE -- "$1"
}
