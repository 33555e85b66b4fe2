#!/usr/bin/env bash
# For every upgrade path extension/upgrade/morpheus--A--V.sql (V = the default version): installs release A (its
# install script is kept in extension/), stores a value of every type A had, runs ALTER EXTENSION morpheus UPDATE,
# and checks that
#   - the catalog equals a fresh install of V: members, and for every function its arguments, result, labels,
#     settings, privileges, body and comment, for aggregates their support functions, comments of types/operators;
#   - the stored values read back unchanged.
# Needs a running server (PGHOST etc.) with the extension files installed. Prints "upgrade ok: A -> V" per path.
set -uo pipefail
cd "$(dirname "$0")/.."
ver="$(sed -n "s/^default_version = '\(.*\)'/\1/p" extension/morpheus.control)"
catalog="
SELECT 'member ' || pg_describe_object(classid, objid, 0) FROM pg_depend
 WHERE refobjid = (SELECT oid FROM pg_extension WHERE extname = 'morpheus') AND deptype = 'e'
UNION ALL
SELECT format('function %s(%s) -> %s | %s %s %s secdef=%s rows=%s cost=%s config=%s acl=%s | %s | %s',
              p.proname, pg_get_function_arguments(p.oid), pg_get_function_result(p.oid), p.provolatile,
              p.proisstrict, p.proparallel, p.prosecdef, p.prorows, p.procost, p.proconfig, p.proacl,
              obj_description(p.oid, 'pg_proc'), md5(p.prosrc || coalesce(p.probin, '')))
  FROM pg_proc p WHERE p.pronamespace = 'morpheus'::regnamespace
UNION ALL
SELECT format('aggregate %s: %s %s %s %s %s %s', a.aggfnoid::regprocedure, a.aggtransfn, a.aggfinalfn,
              a.aggcombinefn, a.aggtranstype::regtype, a.agginitval, a.aggkind)
  FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid WHERE p.pronamespace = 'morpheus'::regnamespace
UNION ALL
SELECT format('type %s | %s', t.typname, obj_description(t.oid, 'pg_type'))
  FROM pg_type t WHERE t.typnamespace = 'morpheus'::regnamespace
UNION ALL
SELECT format('operator %s | %s', o.oid::regoperator, obj_description(o.oid, 'pg_operator'))
  FROM pg_operator o WHERE o.oprnamespace = 'morpheus'::regnamespace
UNION ALL
SELECT format('schema acl %s', n.nspacl) FROM pg_namespace n WHERE n.nspname = 'morpheus'
ORDER BY 1"
stored="SELECT morpheus.nmatrix_out(v)::text FROM upgrade_values ORDER BY id"
# NOTICEs (DROP ... IF EXISTS) would land in the captured outputs and make them differ: warnings and errors only.
q() { PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning" psql -X -q -At -v ON_ERROR_STOP=1 -d morpheus_upgrade "$@"; }

psql -X -q -v ON_ERROR_STOP=1 -c 'DROP DATABASE IF EXISTS morpheus_upgrade' -c 'CREATE DATABASE morpheus_upgrade'
q -c 'CREATE EXTENSION morpheus' -c "$catalog" >/tmp/morpheus-fresh.$$
shopt -s nullglob
paths=(extension/upgrade/morpheus--*--"$ver".sql)
rc=0
for f in "${paths[@]}"; do
  from="$(basename "$f" .sql | sed 's/^morpheus--\(.*\)--.*$/\1/')"
  ok=1
  q -c 'SET client_min_messages = warning' -c 'DROP EXTENSION morpheus CASCADE' -c 'DROP TABLE IF EXISTS upgrade_values' \
    -c "CREATE EXTENSION morpheus VERSION '$from'" \
    -c "CREATE TABLE upgrade_values (id int, v morpheus.nmatrix)" \
    -c "INSERT INTO upgrade_values VALUES
          (1, morpheus.nm_join(morpheus.nmatrix('{{1,2},{3,4},{5,6}}'::float8[]), '{2,1,2}', '{{7},{8}}')),
          (2, morpheus.nmatrix_sparse(3, 4, '{1,3}', '{2,4}', '{0.5,-1.25}')),
          (3, morpheus.t(morpheus.nm_mn('{{1},{2}}', '{1,2,2}', '{{3,4},{5,6}}', '{2,1,1}')))" \
    -c "$stored" >/tmp/morpheus-before.$$ 2>&1 || ok=0
  if [ $ok = 1 ]; then
    q -c "ALTER EXTENSION morpheus UPDATE TO '$ver'" -c "$catalog" >/tmp/morpheus-upgraded.$$ 2>&1 &&
      diff -u /tmp/morpheus-fresh.$$ /tmp/morpheus-upgraded.$$ || ok=0
  fi
  if [ $ok = 1 ]; then
    q -c "$stored" >/tmp/morpheus-after.$$ 2>&1 && diff -u /tmp/morpheus-before.$$ /tmp/morpheus-after.$$ || ok=0
  fi
  if [ $ok = 1 ]; then
    echo "upgrade ok: $from -> $ver ($(wc -l </tmp/morpheus-fresh.$$) catalog lines equal, $(wc -l </tmp/morpheus-before.$$) stored values read back)"
  else
    cat /tmp/morpheus-before.$$ /tmp/morpheus-upgraded.$$ 2>/dev/null | tail -n 30
    echo "upgrade FAILED: $from -> $ver"; rc=1
  fi
done
[ ${#paths[@]} -gt 0 ] || echo "upgrades: no upgrade scripts yet; nothing to check"
rm -f /tmp/morpheus-fresh.$$ /tmp/morpheus-upgraded.$$ /tmp/morpheus-before.$$ /tmp/morpheus-after.$$
psql -X -q -c 'DROP DATABASE morpheus_upgrade'
exit $rc
