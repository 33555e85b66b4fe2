#!/usr/bin/env bash
# Developer shortcut: installs the build in build/ (under the install lock, held until the tests end) and runs the
# named test files on a throwaway cluster:
#   bash scripts/pg-test-some.sh tests/pgtap/20_ml.sql sql/nmatrix.sql ...
# pgTAP files (tests/pgtap/*.sql) run through pg_prove; pg_regress files (sql/NAME.sql) against expected/NAME.out.
# Set MORPHEUS_PGPORT to keep clusters of concurrent checkouts apart. The full run is scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || { echo "usage: $0 FILE..." >&2; exit 2; }
exec 9>/tmp/morpheus-install.lock
flock 9
cmake --build build -j"$(nproc)" >/dev/null
cmake --install build >/dev/null
bash scripts/install-test-extension.sh
tap=()
regress=()
for f in "$@"; do
  case "$f" in
    tests/pgtap/*) tap+=("$f") ;;
    sql/*.sql) regress+=("$(basename "$f" .sql)") ;;
    *) echo "not a test file: $f" >&2; exit 2 ;;
  esac
done
run() {
  set -e
  local rc=0
  if [ ${#regress[@]} -gt 0 ]; then
    local pgxs out
    pgxs="$(dirname "$(pg_config --pgxs)")/.."
    out="$(pwd)/build/regress-some"
    rm -rf "$out"
    mkdir -p "$out"
    "$pgxs/test/regress/pg_regress" --inputdir=. --outputdir="$out" --bindir="$(pg_config --bindir)" \
      --dbname=morpheus_regress --load-extension=morpheus "${regress[@]}" ||
      { rc=1; [ -f "$out/regression.diffs" ] && head -n 100 "$out/regression.diffs"; }
  fi
  if [ ${#tap[@]} -gt 0 ]; then
    psql -X -q -v ON_ERROR_STOP=1 -c 'CREATE DATABASE morpheus_tap'
    psql -X -q -v ON_ERROR_STOP=1 -d morpheus_tap -c 'CREATE EXTENSION pgtap; CREATE EXTENSION morpheus; CREATE EXTENSION morpheus_test; CREATE EXTENSION dblink;'
    pg_prove -d morpheus_tap --failures "${tap[@]}" || rc=1
  fi
  return $rc
}
scripts/with-cluster.sh -- bash -c "$(declare -p regress tap); $(declare -f run); run"
