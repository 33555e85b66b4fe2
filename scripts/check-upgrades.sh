#!/usr/bin/env bash
# For every upgrade script extension/morpheus--A--B.sql: installs version A (its install script must be kept in
# extension/), runs ALTER EXTENSION morpheus UPDATE, and checks that the extension's members equal a fresh install
# of the default version. Needs a running server (PGHOST etc.) with the extension files installed.
set -uo pipefail
cd "$(dirname "$0")/.."
members="SELECT pg_describe_object(classid, objid, 0) FROM pg_depend
          WHERE refobjid = (SELECT oid FROM pg_extension WHERE extname = 'morpheus') AND deptype = 'e' ORDER BY 1"
psql -X -q -v ON_ERROR_STOP=1 -c 'DROP DATABASE IF EXISTS morpheus_upgrade' -c 'CREATE DATABASE morpheus_upgrade'
psql -X -q -At -v ON_ERROR_STOP=1 -d morpheus_upgrade -c 'CREATE EXTENSION morpheus' -c "$members" >/tmp/morpheus-fresh.$$
shopt -s nullglob
paths=(extension/morpheus--*--*.sql)
rc=0
for f in "${paths[@]}"; do
  from="$(basename "$f" .sql | sed 's/^morpheus--\(.*\)--.*$/\1/')"
  if psql -X -q -At -v ON_ERROR_STOP=1 -d morpheus_upgrade -c 'DROP EXTENSION morpheus' \
       -c "CREATE EXTENSION morpheus VERSION '$from'" -c 'ALTER EXTENSION morpheus UPDATE' -c "$members" \
       >/tmp/morpheus-upgraded.$$ 2>&1 && diff -u /tmp/morpheus-fresh.$$ /tmp/morpheus-upgraded.$$; then
    echo "upgrade ok: $from -> default"
  else
    echo "upgrade FAILED: $from -> default"; rc=1
  fi
done
[ ${#paths[@]} -gt 0 ] || echo "upgrades: no upgrade scripts yet; nothing to check"
rm -f /tmp/morpheus-fresh.$$ /tmp/morpheus-upgraded.$$
psql -X -q -c 'DROP DATABASE morpheus_upgrade'
exit $rc
