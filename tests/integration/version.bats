#!/usr/bin/env bats
# --version, --help and unknown commands of hull and berth.

load helpers

@test "hull --version prints version, commit, spec and libseccomp" {
  run "$HULL" --version
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "hull version $(package_version)" ]
  output_has_line '^commit: ([0-9a-f]{40}|unknown)$'
  output_has_line '^spec: 1\.2\.0$'
  output_has_line '^libseccomp: [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "hull -v is --version" {
  run "$HULL" -v
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "hull version $(package_version)" ]
}

@test "berth --version prints its version" {
  run "$BERTH" --version
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "berth version $(package_version)" ]
  output_has_line '^commit: ([0-9a-f]{40}|unknown)$'
  output_has_line '^spec: 1\.2\.0$'
}

@test "hull --help exits 0 and lists usage" {
  run "$HULL" --help
  [ "$status" -eq 0 ]
  output_has_line '^Usage: hull '
  output_has_line '^Commands:'
  output_has_line '--root DIR'
}

@test "berth --help exits 0 and lists usage" {
  run "$BERTH" --help
  [ "$status" -eq 0 ]
  output_has_line '^Usage: berth '
}

@test "hull: an unknown command exits 1 naming it" {
  run "$HULL" no-such-command
  [ "$status" -eq 1 ]
  output_has_line '^hull: .*no-such-command'
}

@test "berth: an unknown command exits 125 naming it" {
  run "$BERTH" no-such-command
  [ "$status" -eq 125 ]
  output_has_line '^berth: .*no-such-command'
}

@test "hull: an unknown global option exits 1" {
  run "$HULL" --no-such-option
  [ "$status" -eq 1 ]
  output_has_line 'no-such-option'
}
