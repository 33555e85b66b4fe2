#!/usr/bin/env bash
# sqlsmith against morpheus (issue 12; not part of scripts/test.sh): random SQL built from the catalog, as an ordinary
# role, on a throwaway cluster with the extension and tables holding nmatrix values and float8 arrays. Counts the
# queries sqlsmith sent and the crashes the server log records (a backend "terminated by signal"); after a crash the
# run goes on with the next seed. Needs morpheus installed (scripts/build.sh); installs sqlsmith (Debian package).
#   bash bench/sqlsmith.sh [QUERIES=50000] [CHUNK=5000]
# Set MORPHEUS_PGPORT to keep clusters of concurrent checkouts apart. The statements that crashed the server go to
# $MORPHEUS_SQLSMITH_OUT (default build/sqlsmith-crashes.txt). Results go to docs/testing.md by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
total="${1:-50000}"
chunk="${2:-5000}"
out="${MORPHEUS_SQLSMITH_OUT:-$PWD/build/sqlsmith-crashes.txt}"
mkdir -p "$(dirname "$out")"
command -v sqlsmith >/dev/null || { apt-get install -y sqlsmith >/dev/null || sudo apt-get install -y sqlsmith >/dev/null; }

run() {
  set -euo pipefail
  psql -X -q -v ON_ERROR_STOP=1 -c 'CREATE DATABASE smith'
  psql -X -q -v ON_ERROR_STOP=1 -d smith <<'SQL'
CREATE EXTENSION morpheus;
CREATE ROLE smith LOGIN;
ALTER ROLE smith SET statement_timeout = '1s';
CREATE TABLE nm(id int, t morpheus.nmatrix);
INSERT INTO nm VALUES
  (1, morpheus.nmatrix('{{1,2},{3,4},{5,6}}'::float8[])),
  (2, morpheus.nm_join(morpheus.nmatrix(4), '{1,2,1,2}', '{{1,0.5},{2,-1}}')),
  (3, morpheus.nm_join(morpheus.nmatrix('{{1},{2},{3}}'::float8[]), '{2,1,2}', '{{0,1,2},{3,4,5}}')),
  (4, morpheus.nmatrix_sparse(3, 4, '{1,3}', '{2,4}', '{1.5,-2}')),
  (5, NULL);
CREATE TABLE arr(id int, x float8[], y float8[], k int, v float8, s text);
INSERT INTO arr VALUES
  (1, '{{1,2},{3,4},{5,7}}', '{1,0,1}', 2, 0.5, 'logistic'),
  (2, '{{0,0},{0,0}}', '{0,0}', 0, 0, ''),
  (3, '{{1e308,-1e308},{NaN,Infinity}}', '{NaN,1}', -1, 'Infinity', 'least_squares'),
  (4, '{}', '{}', 2147483647, -1, 'cyclic'),
  (5, NULL, NULL, NULL, NULL, NULL);
CREATE TABLE rows(id int, label int, features float8[], fk int, partition int, row_id bigint);
INSERT INTO rows SELECT g, g % 2, ARRAY[g / 10.0, 1 - g / 20.0], 1 + g % 2, 1 + g % 3, g FROM generate_series(1, 30) g;
GRANT SELECT ON nm, arr, rows TO smith;
SQL
  local done=0 seed=1 log
  log="$MORPHEUS_CLUSTER_DIR/server.log"
  while [ "$done" -lt "$total" ]; do
    local n=$((total - done < chunk ? total - done : chunk))
    sqlsmith --target="host=$PGHOST port=$PGPORT dbname=smith user=smith" --exclude-catalog --seed="$seed" \
      --max-queries="$n" --verbose >"$MORPHEUS_CLUSTER_DIR/smith.$seed.log" 2>&1 || true
    tail -n 3 "$MORPHEUS_CLUSTER_DIR/smith.$seed.log" | tr '\r' '\n' | tail -n 2
    # sqlsmith stops early when its connection breaks (a crash); wait for the restart
    for _ in $(seq 120); do pg_isready -q && psql -X -q -d smith -c 'SELECT 1' >/dev/null 2>&1 && break; sleep 0.5; done
    done=$((done + n))
    seed=$((seed + 1))
  done
  local crashes ours
  crashes=$(grep -c 'terminated by signal' "$log" || true)
  # each crash with the statement that was running (the DETAIL lines up to the next log line)
  awk '/terminated by signal/ {on = 1; print "----"; print; next}
       on && /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] / {on = 0}
       on {print}' "$log" >"$out"
  ours=$(awk '/^----/ {if (s ~ /morpheus/) n++; s = ""; next} {s = s $0} END {if (s ~ /morpheus/) n++; print n + 0}' "$out")
  echo "sqlsmith: $total queries requested in $((seed - 1)) runs of up to $chunk, $crashes crashes (server log)," \
    "$ours of them in a statement that calls morpheus; statements in $out"
  grep -B1 -A3 'terminated by signal' "$out" | head -n 40 || true
  psql -X -q -d smith -At -c "SELECT 'morpheus functions in the catalog: ' || count(*) FROM pg_proc
                                WHERE pronamespace = 'morpheus'::regnamespace"
}
SECONDS=0
scripts/with-cluster.sh -- bash -c "total=$total chunk=$chunk out=$out; $(declare -f run); run"
echo "wall time: ${SECONDS}s; load: $(uptime)"
