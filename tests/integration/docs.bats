#!/usr/bin/env bats
# The manual pages in doc/: every command that hull and berth list in their
# --help has a page, each page documents every long option its command's
# --help prints, and the pages convert to roff (go-md2man) and render
# (man -l) when those tools are installed.

load helpers

DOC="$SRCDIR/doc"

# The command names of a "Commands:" list in the --help output of "$@".
help_commands() {
  "$@" --help | awk '/^Commands:/ { on = 1; next } on && /^$/ { exit }
                     on && /^  [a-z]/ { print $1 }'
}

# The summary of command $1 in the --help command list of "${@:2}".
help_summary() {
  local name=$1
  shift
  "$@" --help | awk -v n="$name" '/^Commands:/ { on = 1; next } on && /^$/ { exit }
                                   on && $1 == n { $1 = ""; sub(/^ +/, ""); print }'
}

# Every long option named in the --help output of "$@", one per line.
help_long_options() {
  "$@" --help | grep -oE -- '--[a-z][a-z-]*' | sort -u
}

# The OPTIONS (or GLOBAL OPTIONS) section of a page.
options_section() {
  awk '/^# (GLOBAL )?OPTIONS/ { on = 1; next } /^# / { on = 0 } on' "$1"
}

# Fails naming the options of "${@:2}" --help that page $1 does not document.
check_options() {
  local page=$1 opt missing=()
  shift
  if [ ! -f "$page" ]; then
    echo "no page documents: $* (${page:-none found})" >&2
    return 1
  fi
  for opt in $(help_long_options "$@"); do
    options_section "$page" | grep -qE -- "${opt}([^a-z-]|$)" || missing+=("$opt")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "${page##*/}: OPTIONS lacks ${missing[*]} (from: $* --help)" >&2
    return 1
  fi
}

# The page that documents "berth GROUP SUB": its own page, the page of the
# top-level command with the same summary (image ls is images, container
# run is run), or the page of the same name or the group page when its
# SYNOPSIS names "GROUP SUB" (image inspect, system df, volume create).
berth_group_page() {
  local group=$1 sub=$2 summary top page
  if [ -f "$DOC/berth-$group-$sub.1.md" ]; then
    echo "$DOC/berth-$group-$sub.1.md"
    return
  fi
  summary=$(help_summary "$sub" "$BERTH" "$group")
  for top in $(help_commands "$BERTH"); do
    if [ -n "$summary" ] && [ "$(help_summary "$top" "$BERTH")" = "$summary" ] \
       && [ -f "$DOC/berth-$top.1.md" ]; then
      echo "$DOC/berth-$top.1.md"
      return
    fi
  done
  for page in "$DOC/berth-$sub.1.md" "$DOC/berth-$group.1.md"; do
    if [ -f "$page" ] \
       && awk '/^# SYNOPSIS/ { on = 1; next } /^# / { on = 0 } on' "$page" | grep -qE "$group $sub\b"; then
      echo "$page"
      return
    fi
  done
}

# Every page: "PROG-CMD" (or "PROG") for each command of hull and berth.
all_page_names() {
  local prog cmd
  for prog in hull berth; do
    echo "$prog"
  done
  for cmd in $(help_commands "$HULL"); do echo "hull-$cmd"; done
  for cmd in $(help_commands "$BERTH"); do echo "berth-$cmd"; done
}

@test "docs: the command lists are parsed from --help" {
  run help_commands "$HULL"
  [ "$status" -eq 0 ]
  [[ " $(echo $output) " == *" create "* ]]
  [[ " $(echo $output) " == *" exec "* ]]
  run help_commands "$BERTH"
  [ "$status" -eq 0 ]
  [[ " $(echo $output) " == *" pull "* ]]
  run help_commands "$BERTH" image
  [[ " $(echo $output) " == *" prune "* ]]
}

@test "docs: every hull and berth command has a page" {
  local name missing=()
  for name in $(all_page_names); do
    [ -f "$DOC/$name.1.md" ] || missing+=("doc/$name.1.md")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "missing man pages: ${missing[*]}" >&2
    return 1
  fi
}

@test "docs: every subcommand of berth's command groups is documented" {
  local group sub page missing=()
  for group in image system container volume healthcheck; do
    for sub in $(help_commands "$BERTH" "$group"); do
      page=$(berth_group_page "$group" "$sub")
      [ -n "$page" ] || missing+=("berth $group $sub")
    done
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "no page documents: ${missing[*]}" >&2
    return 1
  fi
}

@test "docs: each page has the title line and the standard sections" {
  local page name title section bad=()
  for page in "$DOC"/*.1.md; do
    name=$(basename "$page" .1.md)
    title=$(echo "$name" | tr '[:lower:]' '[:upper:]')
    head -n 1 "$page" | grep -qE "^% $title 1( |$)" || bad+=("$name: title line")
    for section in NAME SYNOPSIS DESCRIPTION "EXIT STATUS" EXAMPLES "SEE ALSO"; do
      grep -qx "# $section" "$page" || bad+=("$name: $section")
    done
    grep -qE '^# (GLOBAL )?OPTIONS$' "$page" || bad+=("$name: OPTIONS")
  done
  if [ ${#bad[@]} -gt 0 ]; then
    echo "pages lacking: ${bad[*]}" >&2
    return 1
  fi
}

@test "docs: every page is built and installed by Makefile.am" {
  local page missing=()
  for page in "$DOC"/*.1.md; do
    grep -q "doc/$(basename "$page")" "$SRCDIR/Makefile.am" || missing+=("${page##*/}")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "not in MAN1_MD of Makefile.am: ${missing[*]}" >&2
    return 1
  fi
}

@test "docs: hull pages document every option of --help" {
  local cmd failed=0
  check_options "$DOC/hull.1.md" "$HULL" || failed=1
  for cmd in $(help_commands "$HULL"); do
    check_options "$DOC/hull-$cmd.1.md" "$HULL" "$cmd" || failed=1
  done
  [ "$failed" -eq 0 ]
}

@test "docs: berth pages document every option of --help" {
  local cmd group sub failed=0
  check_options "$DOC/berth.1.md" "$BERTH" || failed=1
  for cmd in $(help_commands "$BERTH"); do
    check_options "$DOC/berth-$cmd.1.md" "$BERTH" "$cmd" || failed=1
  done
  for group in image system container volume healthcheck; do
    for sub in $(help_commands "$BERTH" "$group"); do
      check_options "$(berth_group_page "$group" "$sub")" "$BERTH" "$group" "$sub" || failed=1
    done
  done
  [ "$failed" -eq 0 ]
}

@test "docs: the option check catches an undocumented option" {
  # A page without the OPTIONS entries of hull create must fail the check.
  sed '/^# OPTIONS/,/^# EXIT STATUS/{/--pid-file/d}' "$DOC/hull-create.1.md" >"$TEST_TMPDIR/page.md"
  run check_options "$TEST_TMPDIR/page.md" "$HULL" create
  [ "$status" -ne 0 ]
  [[ "$output" == *"--pid-file"* ]]
}

@test "docs: the pages convert with go-md2man and render with man" {
  command -v go-md2man >/dev/null || skip "go-md2man is not installed"
  local page name out errs
  for page in "$DOC"/*.1.md; do
    name=$(basename "$page" .md)
    out="$TEST_TMPDIR/$name"
    go-md2man -in "$page" -out "$out"
    [ -s "$out" ]
    grep -q '^\.TH ' "$out"
    grep -q '^\.SH NAME' "$out"
  done
  command -v man >/dev/null || skip "man (man-db) is not installed"
  for page in "$TEST_TMPDIR"/*.1; do
    errs=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
    if [ -n "$errs" ]; then
      echo "${page##*/}: $errs" >&2
      return 1
    fi
    MANWIDTH=80 man -l "$page" | grep -q '^NAME'
  done
}
