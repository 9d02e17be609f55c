#!/usr/bin/env bash
# Installs, from Debian's packages, everything the project builds, runs and tests with.
# Idempotent: installs only what is missing. Needs root (or sudo) for apt-get.
set -euo pipefail
pkgs=(build-essential cmake pkg-config libboost1.81-dev libboost-url1.81-dev
      libboost-json1.81-dev libhiredis-dev libsimdjson-dev libfmt-dev uuid-dev
      libgtest-dev libgmock-dev libbenchmark-dev nginx-light haproxy redis-server curl
      clang libclang-rt-14-dev python3-yaml)
pkgs+=("$@")
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "install-deps: installing ${missing[*]}"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
