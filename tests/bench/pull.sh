#!/bin/bash
# Pull benchmark: a multi-layer image of a few hundred MB (random data, so
# it does not compress) served by docker-registry on loopback, pulled into
# an empty store by berth, podman (private --root/--runroot) and skopeo
# (copy to an OCI layout), in one hyperfine run.  Prints each tool's mean
# time and throughput, berth's ratios, and the time of a re-pull of an
# image berth already has.
#
#   tests/bench/pull.sh [RUNS] [LAYER_MB] [LAYERS]   (defaults 3, 75, 4)
#
# Needs docker-registry, skopeo, podman, hyperfine, jq, busybox-static
# (tests/install-deps.sh) and a built berth on PATH or in $BERTH.
set -euo pipefail
RUNS=${1:-3}
LAYER_MB=${2:-75}
NLAYERS=${3:-4}
SRCDIR=$(cd "$(dirname "$0")/../.." && pwd)
BERTH=${BERTH:-$(command -v berth || true)}
[ -x "$BERTH" ] || { echo "pull.sh: berth not found: set BERTH=/path/to/berth" >&2; exit 2; }
for tool in docker-registry skopeo podman hyperfine jq openssl htpasswd busybox; do
  command -v "$tool" >/dev/null || { echo "pull.sh: $tool not found (tests/install-deps.sh)" >&2; exit 2; }
done

work=$(mktemp -d /tmp/berth-pull-bench.XXXXXX)
REG_ROOT=$work/reg
mkdir -p "$REG_ROOT"
cleanup() {
  registry_stop_all
  rm -rf "$work"
}
trap cleanup EXIT
# The registry fixture of the integration tests (it needs no bats).
load() { :; }
BATS_TEST_DIRNAME=$SRCDIR/tests/integration
# shellcheck source=../integration/registry-helpers.bash
source "$SRCDIR/tests/integration/registry-helpers.bash"

registry_start bench plain
reg=127.0.0.1:$REG_bench_PORT

echo "pull.sh: building a $NLAYERS x $LAYER_MB MB image" >&2
img=$work/img
# One busybox layer plus NLAYERS random ones.
LAYERS="" DIFFS=""
mkdir -p "$img"
echo '{"imageLayoutVersion": "1.0.0"}' >"$img/oci-layout"
mkdir -p "$img/blobs/sha256" "$work/rootfs/bin"
cp /bin/busybox "$work/rootfs/bin/busybox"
tar -C "$work/rootfs" --sort=name --mtime=@0 --owner=0 --group=0 -cf "$work/base.tar" .
add_layer "$img" "$work/base.tar"
for i in $(seq 1 "$NLAYERS"); do
  mkdir -p "$work/l$i/data"
  head -c "$((LAYER_MB * 1024 * 1024))" /dev/urandom >"$work/l$i/data/blob$i.bin"
  tar -C "$work/l$i" --sort=name --mtime=@0 --owner=0 --group=0 -cf "$work/l$i.tar" .
  rm -rf "$work/l$i"
  add_layer "$img" "$work/l$i.tar"
  rm -f "$work/l$i.tar"
done
jq -n --argjson diffs "[$DIFFS]" '{architecture: "amd64", os: "linux", config: {Cmd: ["/bin/sh"]},
  rootfs: {type: "layers", diff_ids: $diffs}}' >"$work/config.json"
cd_=$(sha256sum "$work/config.json" | cut -d' ' -f1)
cp "$work/config.json" "$img/blobs/sha256/$cd_"
jq -n --arg cd "sha256:$cd_" --argjson cs "$(stat -c %s "$work/config.json")" --argjson layers "[$LAYERS]" \
  '{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $cd, size: $cs}, layers: $layers}' \
  >"$work/manifest.json"
md=$(sha256sum "$work/manifest.json" | cut -d' ' -f1)
cp "$work/manifest.json" "$img/blobs/sha256/$md"
jq -n --arg md "sha256:$md" --argjson ms "$(stat -c %s "$work/manifest.json")" \
  '{schemaVersion: 2, manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $md, size: $ms}]}' \
  >"$img/index.json"
skopeo_push "$img" "$reg/bench/big:1"
bytes=$(jq '([.layers[].size] | add) + .config.size' "$work/manifest.json")
calc() { awk "BEGIN { print $1 }"; }
mb=$(calc "$bytes / 1000000")
printf 'pull.sh: image %s: %d layers, %.1f MB compressed\n' "$reg/bench/big:1" "$((NLAYERS + 1))" "$mb" >&2

b="$work/berth" p="$work/podman" s="$work/skopeo"
hyperfine --runs "$RUNS" --export-json "$work/h.json" \
  --prepare "rm -rf $b $s; podman --root $p/root --runroot $p/run --storage-driver overlay rmi -af >/dev/null 2>&1 || true" \
  -n berth "$BERTH --root $b pull -q --tls-verify=false $reg/bench/big:1" \
  -n podman "podman --root $p/root --runroot $p/run --storage-driver overlay pull -q --tls-verify=false $reg/bench/big:1" \
  -n skopeo "skopeo copy -q --src-tls-verify=false docker://$reg/bench/big:1 oci:$s:latest" >&2
podman --root "$p/root" --runroot "$p/run" --storage-driver overlay rmi -af >/dev/null 2>&1 || true

"$BERTH" --root "$b" pull -q --tls-verify=false "$reg/bench/big:1" >/dev/null
hyperfine --runs 20 --warmup 2 --export-json "$work/r.json" -n berth-repull \
  "$BERTH --root $b pull -q --tls-verify=false $reg/bench/big:1" >&2

mean() { jq -r --arg n "$1" '.results[] | select(.command == $n) | .mean' "$2"; }
tb=$(mean berth "$work/h.json") tp=$(mean podman "$work/h.json") ts=$(mean skopeo "$work/h.json")
tr=$(mean berth-repull "$work/r.json")
echo
printf '%-8s %8.2f s  %8.1f MB/s\n' berth "$tb" "$(calc "$mb / $tb")"
printf '%-8s %8.2f s  %8.1f MB/s\n' podman "$tp" "$(calc "$mb / $tp")"
printf '%-8s %8.2f s  %8.1f MB/s\n' skopeo "$ts" "$(calc "$mb / $ts")"
printf 'berth throughput / podman: %.2fx (target >= 1.5x)\n' "$(calc "$tp / $tb")"
printf 'berth throughput / skopeo: %.2fx\n' "$(calc "$ts / $tb")"
printf 'berth re-pull of a present image: %.1f ms (target < 50 ms)\n' "$(calc "$tr * 1000")"
