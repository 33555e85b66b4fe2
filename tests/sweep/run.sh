#!/usr/bin/env bash
# The bad-input sweep (docs/testing.md): calls every function and aggregate of extension morpheus with bad values of
# each argument, one argument at a time (tests/sweep/sweep.sql builds the calls from the catalog), each under
# statement_timeout = 200ms, and fails on any lost connection (a crash), any XX000, any call that runs more than 300 ms
# twice, or a call that ignores a cancel. Needs a running server with morpheus installed (PGHOST/PGPORT/PGUSER: a
# superuser); scripts/pg-tests.sh runs it inside the test cluster. Writes "sweep PASSED FAILED" to OUT/sweep.counts.
# Calls listed in tests/sweep/known.txt are skipped (SWEEP_RUN_KNOWN=1 runs them too, to see whether they still fail).
#   tests/sweep/run.sh [OUT]
set -uo pipefail
cd "$(dirname "$0")/../.."
out="${1:-}"
db=morpheus_sweep
log="$(mktemp /tmp/morpheus-sweep.XXXXXX)"
trap 'rm -f "$log"' EXIT
SECONDS=0
q() { psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" || exit 1
q -c 'CREATE EXTENSION morpheus' -c 'CREATE EXTENSION dblink' -f tests/sweep/sweep.sql || exit 1
sed -e '/^#/d' -e '/^[[:space:]]*$/d' tests/sweep/known.txt | q -c '\copy sweep.known FROM pstdin' || exit 1
total=$(q -At -c 'SELECT sweep.generate()') || exit 1
echo "sweep: $total calls"

start=1
crashes=0
while :; do
  if q -c "CALL sweep.run($start, ${SWEEP_RUN_KNOWN:-0}::int::boolean)" >"$log" 2>&1; then break; fi
  if ! grep -qE 'server closed the connection|terminating connection because of crash|connection to server .* lost|no connection to the server' "$log"; then
    echo "sweep: the driver failed:"; cat "$log"; exit 1
  fi
  for _ in $(seq 120); do pg_isready -q -d "$db" && q -c 'SELECT 1' >/dev/null 2>&1 && break; sleep 0.5; done
  next=$(q -At -c 'SELECT min(c.id) FROM sweep.calls c WHERE NOT EXISTS (SELECT 1 FROM sweep.outcomes o WHERE o.id = c.id)')
  [ -n "$next" ] || break
  q -c "INSERT INTO sweep.outcomes VALUES ($next, 'CRASH', 'the server lost the connection', NULL, false)" || exit 1
  crashes=$((crashes + 1))
  if [ "$crashes" -ge 25 ]; then echo "sweep: 25 crashes, giving up"; break; fi
  start=$((next + 1))
done

q -P pager=off <<'SQL'
CREATE TEMP VIEW bad AS
  SELECT c.id, c.fn, c.arg, c.value, o.sqlstate, o.ms, o.message, c.sql,
         CASE WHEN o.sqlstate = 'CRASH' THEN 'crash' WHEN o.sqlstate = 'XX000' THEN 'XX000'
              WHEN o.sqlstate = 'HANG' THEN 'ignores cancel' WHEN o.ms > 300 THEN 'overrun' END AS failure,
         EXISTS (SELECT 1 FROM sweep.known k WHERE k.fn = c.fn AND k.arg = c.arg AND k.value = c.value) AS known
    FROM sweep.calls c JOIN sweep.outcomes o USING (id)
   WHERE o.sqlstate IN ('CRASH', 'XX000', 'HANG') OR o.ms > 300;
\echo 'outcomes by SQLSTATE:'
SELECT o.sqlstate, count(*) FROM sweep.outcomes o GROUP BY 1 ORDER BY 2 DESC;
\echo 'slowest calls (ms):'
SELECT c.fn, c.arg, c.value, o.sqlstate, round(o.ms::numeric, 1) AS ms
  FROM sweep.calls c JOIN sweep.outcomes o USING (id) ORDER BY o.ms DESC NULLS LAST LIMIT 5;
\echo 'failures:'
SELECT failure, known, fn, arg, value, sqlstate, round(ms::numeric) AS ms, left(message, 120) AS message,
       left(sql, 200) AS call
  FROM bad ORDER BY known, id;
\echo 'time by bad value (s):'
SELECT c.value, count(*) AS calls, round(sum(o.ms)::numeric / 1000, 1) AS s
  FROM sweep.calls c JOIN sweep.outcomes o USING (id) GROUP BY 1 ORDER BY 3 DESC NULLS LAST LIMIT 8;
\echo 'known failures that ran and no longer fail (remove them from tests/sweep/known.txt):'
SELECT k.* FROM sweep.known k
 WHERE EXISTS (SELECT 1 FROM sweep.calls c JOIN sweep.outcomes o USING (id)
                WHERE c.fn = k.fn AND c.arg = k.arg AND c.value = k.value AND o.sqlstate <> 'KNOWN')
   AND NOT EXISTS (SELECT 1 FROM bad b WHERE b.fn = k.fn AND b.arg = k.arg AND b.value = k.value);
SQL
[ -n "$out" ] && q -c "\\copy (SELECT c.id, c.fn, c.arg, c.value, o.sqlstate, o.ms, o.message FROM sweep.calls c JOIN sweep.outcomes o USING (id) ORDER BY c.id) TO '$out/sweep-outcomes.csv' CSV HEADER"
if [ -n "${MORPHEUS_CLUSTER_DIR:-}" ] && [ -f "$MORPHEUS_CLUSTER_DIR/server.log" ]; then
  grep -E 'terminated by signal|was terminated' "$MORPHEUS_CLUSTER_DIR/server.log" | head -n 10
fi
ran=$(q -At -c 'SELECT count(*) FROM sweep.outcomes')
failed=$(q -At -c "SELECT count(*) FROM sweep.calls c JOIN sweep.outcomes o USING (id)
                    WHERE (o.sqlstate IN ('CRASH', 'XX000', 'HANG') OR o.ms > 300)
                      AND NOT EXISTS (SELECT 1 FROM sweep.known k WHERE k.fn = c.fn AND k.arg = c.arg AND k.value = c.value)")
known=$(q -At -c "SELECT count(*) FROM sweep.calls c JOIN sweep.outcomes o USING (id)
                   WHERE EXISTS (SELECT 1 FROM sweep.known k WHERE k.fn = c.fn AND k.arg = c.arg AND k.value = c.value)
                     AND (o.sqlstate IN ('KNOWN', 'CRASH', 'XX000', 'HANG') OR o.ms > 300)")
[ "$ran" -eq "$total" ] || { echo "sweep: only $ran of $total calls ran"; failed=$((failed + total - ran)); }
echo "sweep: $ran calls in ${SECONDS}s, $crashes crashes, $failed failures, $known known (tests/sweep/known.txt)"
[ -n "$out" ] && echo "sweep $((ran - failed)) $failed" >"$out/sweep.counts"
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
[ "$failed" -eq 0 ]
