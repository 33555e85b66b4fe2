#!/bin/sh
# Installs the test-only extension morpheus_test (tests/extension: the boundary probes _raise, _spin,
# _destructors_run, _blas_info, declared against the morpheus library) into the PostgreSQL of pg_config. Only the test
# scripts call it (scripts/test.sh, scripts/pg-test-some.sh); production installs never carry these probes.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
dest="$(${PG_CONFIG:-pg_config} --sharedir)/extension"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO install -m 644 "$here/tests/extension/morpheus_test.control" "$here/tests/extension/morpheus_test--1.0.sql" "$dest/"
