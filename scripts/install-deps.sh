#!/usr/bin/env bash
# Installs the Debian 12 packages the build, the tests and the demo need, if any is missing.
set -euo pipefail
packages=(
  build-essential cmake g++ pkg-config
  libssl-dev zlib1g-dev libbz2-dev libcli11-dev nlohmann-json3-dev libmnl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-dev
  iproute2 nftables iptables libnetfilter-queue-dev procps util-linux python3
  help2man debhelper dpkg-dev fakeroot lintian
  heartbeat resource-agents cluster-glue prometheus
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
