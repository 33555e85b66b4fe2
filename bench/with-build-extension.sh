#!/usr/bin/env bash
# Runs a command against a throwaway cluster (scripts/with-cluster.sh) into which the extension built in build/ is
# loaded from a private copy, as a plain script into schema morpheus: no installation and no install lock, so a
# benchmark never touches the system PostgreSQL's extension directory. Used by the benchmarks that need the server.
#   bench/with-build-extension.sh CMD [ARG ...]
set -euo pipefail
cd "$(dirname "$0")/.."
lib="$(pwd)/build/morpheus.so"
[ -f "$lib" ] && [ -f build/sql/morpheus--0.2.0.sql ] || { echo "build first: cmake --build build" >&2; exit 1; }
private="$(mktemp -d /tmp/morpheus-bench.XXXXXX)"
trap 'rm -rf "$private"' EXIT
cp "$lib" "$private/morpheus.so"
# Run as a plain script, not by CREATE EXTENSION: the saved-models table is not registered for pg_dump. The server
# runs as postgres, hence the readable private copy with MODULE_PATHNAME pointing at it.
grep -v -e '^\\echo' -e 'pg_extension_config_dump' build/sql/morpheus--0.2.0.sql |
  sed "s|MODULE_PATHNAME|$private/morpheus.so|g" >"$private/install.sql"
chmod -R a+rX "$private"
export MORPHEUS_BENCH_SQL="$private/install.sql"
scripts/with-cluster.sh -o shared_buffers=512MB -o work_mem=256MB -- bash -c \
  'psql -X -q -v ON_ERROR_STOP=1 -c "CREATE SCHEMA morpheus" -f "$MORPHEUS_BENCH_SQL" >/dev/null && "$@"' _ "$@"
