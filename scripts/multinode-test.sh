#!/usr/bin/env bash
# Multi-node tests of distributed DRACO on loopback only: starts a coordinator and 5 worker nodes as throwaway local
# clusters (one temp directory, Unix sockets only, own ports; as user postgres when run as root), installs plproxy and
# morpheus, defines two PL/Proxy clusters (cyclic code over nodes 1..5, repetition code over nodes 1..3), loads each
# node's partitions by the code's assignment (dist_partitions, pulled over dblink), then runs the checks in
# tests/multinode/*.sql against the coordinator. Node 2 is Byzantine (morpheus.worker_attack = signflip). Roles alice
# and bob exist on every node; on the workers only bob may read the data, and carol (the connection user of cluster
# cyc_carol) may act as bob only.
# Everything it starts it stops (trap EXIT), on success or failure. Needs morpheus installed (scripts/build.sh).
# Writes "multinode PASSED FAILED" to $1/multinode.counts when given an output directory.
set -uo pipefail
cd "$(dirname "$0")/.."
out="${1:-}"
BIN="$(pg_config --bindir)"
dir="$(mktemp -d /tmp/morpheus-multinode.XXXXXX)"
as_owner=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres: "$dir"
  as_owner=(runuser -u postgres --)
fi
chmod 700 "$dir"
nodes=(0 1 2 3 4 5) # 0 = coordinator
base=${MORPHEUS_MULTINODE_BASE:-5600} # ports base .. base+5 (set it to keep concurrent runs apart)

stop_all() {
  local rc=$?
  for k in "${nodes[@]}"; do
    if [ -f "$dir/n$k/postmaster.pid" ]; then
      "${as_owner[@]}" "$BIN/pg_ctl" -D "$dir/n$k" -m immediate -w stop >/dev/null 2>&1 || true
    fi
  done
  if [ $rc -ne 0 ]; then
    for k in "${nodes[@]}"; do
      [ -f "$dir/n$k.log" ] && { echo "--- node $k log (tail)"; tail -n 8 "$dir/n$k.log"; }
    done
  fi
  rm -rf "$dir"
  exit $rc
}
trap stop_all EXIT
trap 'exit 130' INT TERM

start_node() { # k
  "${as_owner[@]}" "$BIN/pg_ctl" -D "$dir/n$1" -l "$dir/n$1.log" -w -t 60 start \
    -o "-c listen_addresses='' -c unix_socket_directories='$dir' -p $((base + $1)) -c fsync=off \
        -c max_connections=20 -c shared_buffers=16MB -c max_worker_processes=2" >/dev/null
}
q() { # node sql...
  local k=$1
  shift
  psql -X -q -v ON_ERROR_STOP=1 -h "$dir" -p $((base + k)) -U postgres -d postgres "$@"
}

"${as_owner[@]}" "$BIN/initdb" -D "$dir/template" -U postgres --auth=trust --no-locale -E UTF8 >"$dir/initdb.log" 2>&1 ||
  { cat "$dir/initdb.log"; exit 1; }
for k in "${nodes[@]}"; do
  "${as_owner[@]}" cp -a "$dir/template" "$dir/n$k"
  start_node "$k"
done

# a worker query running past 2 s is cancelled on the worker (libpq options in the connection string): an erasure
slow="options=''-c statement_timeout=2000''"
# coordinator: the data and the PL/Proxy clusters
q 0 >"$dir/setup.log" <<SQL
CREATE EXTENSION morpheus;
CREATE EXTENSION plproxy;
CREATE EXTENSION dblink;
CREATE EXTENSION pgtap;
-- 240 labelled rows, stable row ids, partition by row id for each code
CREATE TABLE src AS
  SELECT r::bigint AS row_id,
         CASE WHEN sin(r) + 0.6 * cos(3 * r) - 0.2 * ((r % 7) / 7.0) > 0 THEN 1.0 ELSE 0.0 END::float8 AS label,
         ARRAY[sin(r), cos(3 * r), (r % 7) / 7.0]::float8[] AS features
    FROM generate_series(1, 240) r;
CREATE VIEW src_cyc AS SELECT 1 + (row_id % 5)::int AS partition, row_id, label, features FROM src;
CREATE VIEW src_rep AS SELECT 1 + (row_id % 3)::int AS partition, row_id, label, features FROM src;
-- a star schema for the factorized operators: entity rows with a foreign key into a small attribute table
CREATE TABLE attr AS SELECT k AS key, ARRAY[k * 0.25, cos(k)]::float8[] AS features FROM generate_series(1, 12) k;
CREATE TABLE ent AS
  SELECT i AS id, 1 + (i * 7 % 12) AS fk, ARRAY[sin(i), (i % 5) / 5.0]::float8[] AS features,
         (sin(i) + cos(0.3 * i))::float8 AS y, (CASE WHEN sin(3 * i) > 0 THEN 1 ELSE 0 END)::float8 AS label
    FROM generate_series(1, 300) i;
CREATE SERVER cyc FOREIGN DATA WRAPPER plproxy OPTIONS (modular_mapping '1', query_timeout '2',
  p0 'host=$dir port=$((base + 1)) dbname=postgres user=postgres $slow',
  p1 'host=$dir port=$((base + 2)) dbname=postgres user=postgres $slow',
  p2 'host=$dir port=$((base + 3)) dbname=postgres user=postgres $slow',
  p3 'host=$dir port=$((base + 4)) dbname=postgres user=postgres $slow',
  p4 'host=$dir port=$((base + 5)) dbname=postgres user=postgres $slow');
CREATE SERVER rep FOREIGN DATA WRAPPER plproxy OPTIONS (modular_mapping '1',
  p0 'host=$dir port=$((base + 1)) dbname=postgres user=postgres',
  p1 'host=$dir port=$((base + 2)) dbname=postgres user=postgres',
  p2 'host=$dir port=$((base + 3)) dbname=postgres user=postgres');
-- the same nodes reached as carol, a non-superuser that may act as bob (GRANT bob TO carol) but not as alice
CREATE SERVER cyc_carol FOREIGN DATA WRAPPER plproxy OPTIONS (modular_mapping '1',
  p0 'host=$dir port=$((base + 1)) dbname=postgres user=carol',
  p1 'host=$dir port=$((base + 2)) dbname=postgres user=carol',
  p2 'host=$dir port=$((base + 3)) dbname=postgres user=carol',
  p3 'host=$dir port=$((base + 4)) dbname=postgres user=carol',
  p4 'host=$dir port=$((base + 5)) dbname=postgres user=carol');
CREATE USER MAPPING FOR PUBLIC SERVER cyc;
CREATE USER MAPPING FOR PUBLIC SERVER rep;
CREATE USER MAPPING FOR PUBLIC SERVER cyc_carol;
-- rights (tests/multinode/40_rights.sql): alice and bob may use the clusters; on the workers only bob reads the data
CREATE ROLE alice LOGIN;
CREATE ROLE bob LOGIN;
GRANT USAGE ON FOREIGN SERVER cyc, rep, cyc_carol TO alice, bob;
SELECT morpheus.dist_setup(cluster => 'cyc') AS workers \gset
SQL
[ $? -eq 0 ] || { cat "$dir/setup.log"; exit 1; }

# workers: identity, Byzantine node 2, and the rows of their partitions pulled from the coordinator
coord="host=$dir port=$base dbname=postgres user=postgres"
for k in 1 2 3 4 5; do
  q "$k" >>"$dir/setup.log" <<SQL || exit 1
CREATE EXTENSION morpheus;
CREATE EXTENSION dblink;
ALTER SYSTEM SET morpheus.worker_id = $k;
$([ "$k" -eq 2 ] && echo "ALTER SYSTEM SET morpheus.worker_attack = 'signflip';")
SELECT pg_reload_conf();
CREATE TABLE dist_data AS
  SELECT * FROM dblink('$coord', 'SELECT partition, row_id, label, features FROM src_cyc')
           AS t(partition int, row_id bigint, label float8, features float8[])
   WHERE partition IN (SELECT partition FROM morpheus.dist_partitions(5, 1, 'cyclic') WHERE worker = $k);
CREATE TABLE dist_rep AS
  SELECT * FROM dblink('$coord', 'SELECT partition, row_id, label, features FROM src_rep')
           AS t(partition int, row_id bigint, label float8, features float8[])
   WHERE partition IN (SELECT partition FROM morpheus.dist_partitions(3, 1, 'repetition') WHERE worker = $k);
-- entity table sharded by id, attribute table replicated
CREATE TABLE ent AS
  SELECT * FROM dblink('$coord', 'SELECT id, fk, features, y, label FROM ent')
           AS t(id int, fk int, features float8[], y float8, label float8)
   WHERE id % 5 = $k - 1;
CREATE TABLE attr AS SELECT * FROM dblink('$coord', 'SELECT key, features FROM attr') AS t(key int, features float8[]);
CREATE ROLE alice;
CREATE ROLE bob;
CREATE ROLE carol LOGIN;
GRANT bob TO carol;
GRANT SELECT ON dist_data, dist_rep, ent, attr TO bob;
SQL
done

# the checks: each file prints lines "ok - ..." / "not ok - ..."; shell steps between them stop and start nodes
export MULTINODE_DIR="$dir" MULTINODE_BASE="$base"
pass=0
fail=0
run_checks() { # pgTAP file
  local f=$1 log total bad
  log="$(pg_prove -h "$dir" -p "$base" -U postgres -d postgres --failures "$f" 2>&1)"
  local rc=$?
  echo "$log"
  total=$(echo "$log" | sed -n 's/^Files=[0-9]*, Tests=\([0-9]*\),.*/\1/p')
  bad=$(echo "$log" | grep -oE 'Failed [0-9]+/[0-9]+ subtests' | awk '{split($2,a,"/"); s+=a[1]} END {print s+0}')
  [ "$rc" -eq 0 ] || [ "$bad" -gt 0 ] || bad=1
  pass=$((pass + ${total:-0} - bad))
  fail=$((fail + bad))
}
t0=$SECONDS
stop_node() { "${as_owner[@]}" "$BIN/pg_ctl" -D "$dir/n$1" -m fast -w stop >/dev/null; }
set_attack() { q "$1" -c "ALTER SYSTEM SET morpheus.worker_attack = '$2'" -c "SELECT pg_reload_conf()" >/dev/null; }
run_checks tests/multinode/10_train.sql        # all up, node 2 Byzantine
stop_node 4
run_checks tests/multinode/20_down_byzantine.sql  # node 4 down + node 2 Byzantine: more than s = 1
set_attack 2 none
run_checks tests/multinode/21_erasure.sql      # node 4 down, nobody Byzantine: an erasure within s
start_node 4
run_checks tests/multinode/22_slow.sql         # node 3 past the cluster's query_timeout: an erasure
stop_node 4
stop_node 5
run_checks tests/multinode/23_two_down.sql     # nodes 4 and 5 down: clear error naming them
start_node 4
start_node 5
run_checks tests/multinode/30_factorized.sql   # sharded entity table, replicated attributes
run_checks tests/multinode/40_rights.sql       # worker queries run as the caller's role
echo "multinode: $pass passed, $fail failed ($((SECONDS - t0)) s of checks)"
[ -n "$out" ] && echo "multinode $pass $fail" >"$out/multinode.counts"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
