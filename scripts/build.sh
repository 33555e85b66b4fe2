#!/usr/bin/env bash
# Builds morpheus with CMake into build/ and installs it into the PostgreSQL that pg_config names
# (sudo when not root). Extra arguments go to the CMake configure step.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
jobs="$(nproc 2>/dev/null || echo 2)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >build.configure.log 2>&1 ||
  { cat build.configure.log >&2; exit 1; }
rm -f build.configure.log
cmake --build build -j"$jobs"
[ "${MORPHEUS_NO_INSTALL:-0}" = 1 ] && exit 0
# Installation is serialized so concurrent checkouts on one machine cannot interleave their files; a caller that
# already holds the lock (scripts/test.sh, scripts/demo.sh) sets MORPHEUS_INSTALL_LOCKED=1.
if [ "${MORPHEUS_INSTALL_LOCKED:-0}" != 1 ]; then
  exec 9>/tmp/morpheus-install.lock
  flock 9
fi
$SUDO cmake --install build >/dev/null
