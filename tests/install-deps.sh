#!/bin/bash
# Installs what building and testing Berth needs on Debian 12 (bookworm).
# The one list of packages: .ci/run and the README both use this script.
# Run as root (sudo tests/install-deps.sh).  Safe to run again: when every
# package is already installed it does nothing.
set -euo pipefail

PACKAGES=(
  # build
  build-essential autoconf automake libtool pkg-config
  # libraries linked by liboci, hull and berth
  libyajl-dev libseccomp-dev libcap-dev libcurl4-openssl-dev libssl-dev
  libarchive-dev libyaml-dev libsqlite3-dev
  # unit tests (cmocka), integration tests (bats, jq), fuzzing (clang + libFuzzer)
  libcmocka-dev bats jq clang libclang-rt-14-dev
  # test fixtures and benchmarks: a static busybox for root filesystems,
  # runc and crun to compare with, hyperfine and time to measure
  busybox-static runc crun hyperfine time iproute2
  # engine suites and tests/bench/engines.sh: podman (with conmon) and
  # containerd (ctr, runc v2 shim) driving hull; containers use
  # --network none and images built locally
  podman conmon containerd
  # registry suites and tests/bench/pull.sh: docker-registry on loopback,
  # htpasswd (apache2-utils) for its basic auth, skopeo on the other side
  docker-registry apache2-utils skopeo
  # berth image tests: zstd-compressed root filesystem tars
  zstd
  # hull checkpoint/restore
  criu
  # berth networks: the firewall table (nft; iptables-nft is the fallback)
  nftables iptables
  # man pages: doc/*.1.md to roff (configure finds it; without it no man pages)
  go-md2man
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages are installed"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: run as root to install: ${missing[*]}" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq </dev/null
apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" </dev/null
