#!/usr/bin/env bash
# Benchmark of distributed DRACO on loopback: a coordinator and 9 worker nodes (throwaway local clusters, Unix
# sockets), PL/Proxy clusters of 3, 5, 7 and 9 workers (cyclic code, s = 1, node 2 Byzantine), 10 iterations of
# logistic regression on ROWS x FEATURES rows (every worker holds the 2s+1 = 3 partitions its code assigns).
# Prints per-iteration time split into compute (slowest worker: reading its partitions + gradients + encoding),
# network (the rest of the fan-out: connections, parameter and result transfer, PL/Proxy) and decode, next to the
# single-session alternatives: the same schedule with all workers in the coordinator session (cluster => NULL) and
# draco_train (one read, in-process simulation). Needs morpheus installed; run under the install lock:
#   flock /tmp/morpheus-install.lock bash -c 'MORPHEUS_INSTALL_LOCKED=1 bash scripts/build.sh && bash bench/dist_bench.sh'
set -uo pipefail
cd "$(dirname "$0")/.."
ROWS="${ROWS:-20000}"
FEATURES="${FEATURES:-20}"
ITER="${ITER:-10}"
BATCH="${BATCH:-1260}" # divisible by 3, 5, 7, 9
BIN="$(pg_config --bindir)"
dir="$(mktemp -d /tmp/morpheus-distbench.XXXXXX)"
as_owner=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres: "$dir"
  as_owner=(runuser -u postgres --)
fi
chmod 700 "$dir"
nodes=(0 1 2 3 4 5 6 7 8 9)
base=5700
stop_all() {
  local rc=$?
  for k in "${nodes[@]}"; do
    [ -f "$dir/n$k/postmaster.pid" ] && "${as_owner[@]}" "$BIN/pg_ctl" -D "$dir/n$k" -m immediate -w stop >/dev/null 2>&1
  done
  rm -rf "$dir"
  exit $rc
}
trap stop_all EXIT
trap 'exit 130' INT TERM
q() { local k=$1; shift; psql -X -q -v ON_ERROR_STOP=1 -h "$dir" -p $((base + k)) -U postgres -d postgres "$@"; }

"${as_owner[@]}" "$BIN/initdb" -D "$dir/template" -U postgres --auth=trust --no-locale -E UTF8 >/dev/null 2>&1 || exit 1
for k in "${nodes[@]}"; do
  "${as_owner[@]}" cp -a "$dir/template" "$dir/n$k"
  "${as_owner[@]}" "$BIN/pg_ctl" -D "$dir/n$k" -l "$dir/n$k.log" -w -t 60 start \
    -o "-c listen_addresses='' -c unix_socket_directories='$dir' -p $((base + k)) -c fsync=off -c max_connections=20 \
        -c shared_buffers=32MB -c max_worker_processes=2" >/dev/null || exit 1
done

servers=""
for n in 3 5 7 9; do
  opts=""
  for ((i = 0; i < n; i++)); do opts+=", p$i 'host=$dir port=$((base + i + 1)) dbname=postgres user=postgres'"; done
  servers+="CREATE SERVER c$n FOREIGN DATA WRAPPER plproxy OPTIONS (modular_mapping '1'$opts);
CREATE USER MAPPING FOR PUBLIC SERVER c$n;
"
done
q 0 >/dev/null <<SQL || exit 1
CREATE EXTENSION morpheus; CREATE EXTENSION plproxy;
CREATE TABLE src AS
  SELECT r::bigint AS row_id,
         (CASE WHEN sin(r) + cos(0.7 * r) > 0 THEN 1 ELSE 0 END)::float8 AS label,
         (SELECT array_agg(sin(r * (j + 1) * 0.37)) FROM generate_series(1, $FEATURES) j)::float8[] AS features
    FROM generate_series(1, $ROWS) r;
$servers
SELECT morpheus.dist_setup('c3');
SQL
coord="host=$dir port=$base dbname=postgres user=postgres"
for k in 1 2 3 4 5 6 7 8 9; do
  load=""
  for n in 3 5 7 9; do
    [ "$k" -le "$n" ] || continue
    load+="CREATE TABLE d$n AS SELECT * FROM dblink('$coord',
      'SELECT 1 + (row_id % $n)::int AS partition, row_id, label, features FROM src')
      AS t(partition int, row_id bigint, label float8, features float8[])
      WHERE partition IN (SELECT partition FROM morpheus.dist_partitions($n, 1, 'cyclic') WHERE worker = $k);
"
  done
  q "$k" >/dev/null <<SQL || exit 1
CREATE EXTENSION morpheus; CREATE EXTENSION dblink;
ALTER SYSTEM SET morpheus.worker_id = $k;
$([ "$k" -eq 2 ] && echo "ALTER SYSTEM SET morpheus.worker_attack = 'signflip';")
SELECT pg_reload_conf();
$load
SQL
done

echo "distributed DRACO, logistic, $ROWS rows x $FEATURES features, batch $BATCH, $ITER iterations, cyclic s = 1, node 2 Byzantine"
echo "per-iteration means in ms; local = same schedule, all workers in the coordinator session; draco_train = in-process simulation"
printf '%3s %10s %10s %10s %10s | %10s %8s | %12s %8s | %s\n' n compute network decode total local 'local/x' draco_train 'dt/x' flagged
for n in 3 5 7 9; do
  row=$(q 0 -t -A -F ' ' <<SQL
SELECT avg(compute_ms), avg(network_ms), avg(decode_ms), avg(total_ms),
       (SELECT avg(total_ms) FROM morpheus.draco_train_distributed(
          workers => $n, source => 'SELECT 1 + (row_id % $n)::int AS partition, row_id, label, features FROM src',
          batch_size => $BATCH, max_iterations => $ITER)),
       (SELECT extract(epoch FROM clock_timestamp() - t0) * 1000 / $ITER
          FROM (SELECT clock_timestamp() AS t0) s,
               LATERAL (SELECT count(*) FROM morpheus.draco_train('SELECT label, features FROM src', workers => $n,
                          adversaries => 0, tolerance => 1, batch_size => $BATCH, iterations => $ITER, eval_every => 1000000)
                        WHERE s.t0 IS NOT NULL) c),
       max(flagged_workers::text)
  FROM morpheus.draco_train_distributed(cluster => 'c$n', source => 'SELECT partition, row_id, label, features FROM d$n',
                                        batch_size => $BATCH, max_iterations => $ITER);
SQL
  ) || exit 1
  read -r c nw de to lo dt fl <<<"$row"
  printf '%3s %10.1f %10.1f %10.2f %10.1f | %10.1f %8.2f | %12.1f %8.2f | %s\n' "$n" "$c" "$nw" "$de" "$to" "$lo" \
    "$(echo "$lo / $to" | bc -l)" "$dt" "$(echo "$dt / $to" | bc -l)" "$fl"
done
