#!/bin/bash
# Seccomp benchmark: `run` of a busybox bundle executing /bin/true under a
# docker-like profile (default SCMP_ACT_ERRNO, an allow-list of ~300
# syscalls, the argument rules of tests/unit/fixtures/runtime/docker.json,
# three architectures) with hull (cold: its compiled-filter cache removed
# before every run; warm: the cache kept), crun and runc; hull without any
# profile for reference.  Prints means and hull's ratios.
#
#   tests/bench/seccomp.sh [RUNS]      (root; hull, crun, runc, hyperfine, jq on PATH)
#
# Runs in a private mount namespace with a tmpfs over /sys/fs/cgroup/unified
# (crun 1.8 refuses a cgroup hybrid host), as runtime-start.sh does.
set -euo pipefail
RUNS=${1:-30}
SRCDIR=$(cd "$(dirname "$0")/../.." && pwd)
for tool in hull crun runc hyperfine jq; do
  command -v "$tool" >/dev/null || { echo "seccomp bench: $tool not found on PATH" >&2; exit 2; }
done
UNISTD=/usr/include/x86_64-linux-gnu/asm/unistd_64.h
[ -r "$UNISTD" ] || { echo "seccomp bench: $UNISTD missing (apt-get install linux-libc-dev)" >&2; exit 2; }

if [ -z "${BENCH_IN_NS:-}" ]; then
  exec unshare -m env BENCH_IN_NS=1 "$0" "$@"
fi
mount --make-rprivate /
if [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
  mount -t tmpfs none /sys/fs/cgroup/unified
fi

work=$(mktemp -d /tmp/hull-bench-seccomp.XXXXXX)
trap 'rm -rf "$work"' EXIT
# shellcheck source=../integration/hull-helpers.bash
SRCDIR=$SRCDIR source "$SRCDIR/tests/integration/hull-helpers.bash"

# The profile: docker.json's rules, its allow-list widened with the kernel's
# syscall table minus what docker denies by default.  Names with an
# argument-conditional ALLOW rule keep only that rule; an ERRNO rule on an
# allowed name is dropped (libseccomp, hence runc and crun too, refuses
# the pair: "File exists").
deny='kexec_load kexec_file_load reboot swapon swapoff init_module finit_module delete_module
  create_module query_module get_kernel_syms acct add_key request_key keyctl lookup_dcookie
  mount umount2 move_mount open_tree fsopen fsconfig fsmount fspick pivot_root nfsservctl
  open_by_handle_at perf_event_open quotactl quotactl_fd setns unshare settimeofday clock_settime
  adjtimex clock_adjtime stime uselib userfaultfd ustat vm86 vm86old sysfs _sysctl afs_syscall
  bpf iopl ioperm ptrace process_vm_readv process_vm_writev kcmp name_to_handle_at vhangup
  syslog tuxcall security putpmsg getpmsg epoll_ctl_old epoll_wait_old'
sed -n 's/^#define __NR_\([a-z0-9_]*\) .*/\1/p' "$UNISTD" >"$work/all"
tr -s ' \n' '\n' <<<"$deny" | sed '/^$/d' >"$work/deny"
jq --rawfile all "$work/all" --rawfile deny "$work/deny" '
  .linux.seccomp as $s
  | ([$s.syscalls[1:][] | select(.action == "SCMP_ACT_ALLOW") | .names[]]) as $conditional
  | ($all | split("\n") | map(select(. != ""))) as $table
  | ($deny | split("\n") | map(select(. != ""))) as $denied
  | ([$s.syscalls[0].names[], $table[]] | unique
     | map(select(. as $n | ($denied | index([$n]) | not) and ($conditional | index([$n]) | not)))) as $allow
  | $s | .syscalls = [{names: $allow, action: "SCMP_ACT_ALLOW"}]
      + [$s.syscalls[1:][] | select(.action == "SCMP_ACT_ALLOW" or ([.names[] | select(. as $n | $allow | index([$n]))] | length) == 0)]' \
  "$SRCDIR/tests/unit/fixtures/runtime/docker.json" >"$work/profile.json"
nallow=$(jq '.syscalls[0].names | length' "$work/profile.json")
nrules=$(jq '[.syscalls[].names | length] | add' "$work/profile.json")

make_bundle "$work/bundle"
# 1.0.2: the newest version crun 1.8 accepts.
jq --slurpfile p "$work/profile.json" '.ociVersion = "1.0.2" | .process.args = ["/bin/true"]
  | .process.terminal = false | .linux.seccomp = $p[0]' \
  "$work/bundle/config.json" >"$work/c.json" && mv "$work/c.json" "$work/bundle/config.json"
cp -a "$work/bundle" "$work/plain"
jq 'del(.linux.seccomp)' "$work/plain/config.json" >"$work/c.json" && mv "$work/c.json" "$work/plain/config.json"
cd "$work/bundle"

declare -A root=([hull]=$work/hull-root [crun]=$work/crun-root [runc]=$work/runc-root)
cmd() { echo "$1 --root ${root[$1]} run bench-$1"; }
cold="$(cmd hull)"
plain="hull --root $work/plain-root run --bundle $work/plain bench-plain"

# Check that the profile works with every runtime before timing it.
for rt in hull crun runc; do
  command $(cmd "$rt") || { echo "seccomp bench: $rt cannot run the profile" >&2; exit 1; }
done

echo "profile: $nallow allowed syscalls in one rule, $nrules names in all" >&2
hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$work/cold.json" \
  --prepare "rm -rf ${root[hull]}/@seccomp" --command-name "hull (cold)" "$cold" >&2
hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$work/warm.json" \
  --command-name "hull (warm)" "$(cmd hull)" --command-name crun "$(cmd crun)" \
  --command-name runc "$(cmd runc)" --command-name "hull (no seccomp)" "$plain" >&2

mean() { jq -r --arg c "$2" '.results[] | select(.command == $c) | .mean * 1000' "$work/$1.json"; }
declare -A m
m[cold]=$(mean cold "hull (cold)")
m[warm]=$(mean warm "hull (warm)")
m[crun]=$(mean warm crun)
m[runc]=$(mean warm runc)
m[plain]=$(mean warm "hull (no seccomp)")
printf '%-18s %10s\n' runtime "mean (ms)"
for k in "hull (cold):cold" "hull (warm):warm" "crun:crun" "runc:runc" "hull (no seccomp):plain"; do
  printf '%-18s %10.2f\n' "${k%%:*}" "${m[${k##*:}]}"
done
awk -v c="${m[cold]}" -v w="${m[warm]}" -v cr="${m[crun]}" -v r="${m[runc]}" -v p="${m[plain]}" 'BEGIN {
  printf "hull warm/cold: %.2f\nhull cold/crun: %.2f\nhull warm/crun: %.2f\nhull warm/runc: %.2f\n", w / c, c / cr, w / cr, w / r
  printf "seccomp cost in hull: cold %.2f ms, warm %.2f ms\n", c - p, w - p }'
