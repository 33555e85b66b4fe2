#!/usr/bin/env bash
# Installs every Debian package morpheus needs to build, test, benchmark and demo.
# Idempotent: packages already installed are skipped; safe to run again. Uses sudo when not root.
set -euo pipefail

PG_MAJOR="${PG_MAJOR:-15}"
PACKAGES=(
  build-essential cmake pkg-config git ca-certificates
  "postgresql-${PG_MAJOR}" "postgresql-server-dev-${PG_MAJOR}" postgresql-common
  "postgresql-${PG_MAJOR}-pgtap" libtap-parser-sourcehandler-pgtap-perl
  "postgresql-${PG_MAJOR}-plproxy"
  libeigen3-dev libopenblas-dev libboost-dev
  libgtest-dev googletest
  clang-14 libclang-rt-14-dev clang-format
  python3 gnuplot-nox
  dataset-fashion-mnist
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: not root and no sudo" >&2; exit 1; }
  SUDO="sudo"
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

# Never let the postgresql package create and start a default cluster: our scripts make throwaway ones.
conf=/etc/postgresql-common/createcluster.conf
if [ -f "$conf" ]; then
  grep -q '^create_main_cluster = false' "$conf" ||
    $SUDO sed -i 's/^#\?\s*create_main_cluster.*/create_main_cluster = false/' "$conf"
else
  $SUDO mkdir -p /etc/postgresql-common
  echo "create_main_cluster = false" | $SUDO tee "$conf" >/dev/null
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends -o Dpkg::Options::=--force-confold "${missing[@]}"
