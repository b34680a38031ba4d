#!/usr/bin/env bash
# Installs the Debian 12 packages gcra needs to build and test, skipping the
# ones already present. Usage: scripts/deps.sh [extra packages...]
set -euo pipefail

packages=(
  g++ cmake make pkg-config git
  libgtest-dev libgmock-dev librapidcheck-dev libbenchmark-dev   # tests, benchmarks
  libhiredis-dev redis-server redis-tools                        # Redis store
  libcpp-httplib-dev nlohmann-json3-dev libssl-dev               # HTTP integration
  libboost-all-dev libyaml-cpp-dev libcli11-dev                  # gcra-server, gcra tool
  nginx curl                                                     # end-to-end tests behind nginx
  "$@"
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "deps: installing ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "deps: run as root (or install the packages above yourself)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
