#!/usr/bin/env bash
# Cancel latency of the slowest functions: each runs under a statement_timeout that lands inside its main
# computation; the latency is the time from the timeout to the error (57014), measured in the backend. Five rounds
# per case, interleaved; prints the median and the maximum, and how long the call takes without a timeout.
#   scripts/with-cluster.sh -- bash bench/cancel_latency.sh      (after installing the build, under the install lock)
#   PGHOST=... PGPORT=... bash bench/cancel_latency.sh           (any database where CREATE EXTENSION morpheus works)
# Decision rule stated before running (docs/conventions.md): every case stops within about 100 ms of the timeout.
set -euo pipefail
rounds="${ROUNDS:-5}"
db="morpheus_cancel_bench"
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
run() { psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }
run -c "CREATE EXTENSION morpheus"
echo "setting up the data (random matrices built in SQL; takes a while)..."
run <<'SQL'
CREATE FUNCTION rand_matrix(m int, n int, seed float8) RETURNS float8[] LANGUAGE sql AS $$
  SELECT setseed(seed); SELECT array_agg(r ORDER BY i) FROM (SELECT i, array_agg(random() ORDER BY j) r
    FROM generate_series(1, m) i, generate_series(1, n) j GROUP BY i) s $$;
CREATE TABLE big AS SELECT rand_matrix(2500, 2500, 0.1) AS a;
-- 20000 x 1000 of rank 40 (collinear columns), as a product: the normal equations of linreg take the rank-revealing path.
CREATE TABLE wide AS SELECT morpheus.matmul(rand_matrix(20000, 40, 0.2), rand_matrix(40, 1000, 0.3)) AS x,
                            (SELECT array_agg(random()) FROM generate_series(1, 20000)) AS y;
CREATE TABLE rows AS SELECT i, (SELECT array_agg(random()) FROM generate_series(1, 1500) g WHERE i > 0) AS x, random() AS y
  FROM generate_series(1, 3000) i;
CREATE TABLE star AS SELECT morpheus.nm_join(morpheus.nmatrix(s => rand_matrix(20000, 20, 0.4)),
                                             (SELECT array_agg(1 + (i % 500)) FROM generate_series(1, 20000) i),
                                             rand_matrix(500, 1500, 0.5)) AS t;
CREATE FUNCTION cancel_ms(q text) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz := clock_timestamp();
BEGIN
  EXECUTE q;
  RETURN -1;  -- finished before the timeout
EXCEPTION WHEN query_canceled THEN
  RETURN extract(epoch FROM clock_timestamp() - t0) * 1000;
END $$;
CREATE FUNCTION full_ms(q text) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz := clock_timestamp();
BEGIN
  EXECUTE q;
  RETURN extract(epoch FROM clock_timestamp() - t0) * 1000;
END $$;
SQL
cases=(
  "mat_ginv 2500x2500|1000|SELECT morpheus.mat_ginv(a) FROM big"
  "mat_solve 2500x2500, 2500 rhs|300|SELECT morpheus.mat_solve(a, a) FROM big"
  "linreg normal 20000x1000 rank 40|1000|SELECT r.* FROM wide, morpheus.linreg(x, y) r"
  "linreg gd 20000x1000|1000|SELECT r.* FROM wide, morpheus.linreg(x, y, method => 'gd', max_iterations => 50) r"
  "kmeans 20000x1000 k=20|1000|SELECT r.* FROM wide, morpheus.kmeans(x, 20, max_iterations => 20) r"
  "linreg_agg 3000 rows x 1500|1000|SELECT morpheus.linreg_agg(x, y) FROM rows"
  "crossprod(nmatrix) 20000x1520|500|SELECT morpheus.crossprod(t) FROM star"
  "ginv(nmatrix) 20000x1520|1000|SELECT morpheus.ginv(t) FROM star"
)
printf '%-36s %9s %12s %12s %12s\n' "case" "timeout" "full ms" "median ms" "max ms"
for c in "${cases[@]}"; do
  IFS='|' read -r name timeout q <<<"$c"
  full=$(run -At -c "SELECT round(full_ms(\$q\$$q\$q\$)::numeric, 0)")
  # the timeout must land inside the computation: at most half of its full time
  half=$(( ${full%.*} / 2 ))
  if [ "$half" -lt "$timeout" ]; then timeout=$(( half > 20 ? half : 20 )); fi
  lat=()
  for ((r = 0; r < rounds; r++)); do
    ms=$(run -At -c "SET statement_timeout = '${timeout}ms'" -c "SELECT cancel_ms(\$q\$$q\$q\$)")
    if [ "${ms%.*}" = "-1" ]; then lat+=("finished"); else lat+=("$(awk -v m="$ms" -v t="$timeout" 'BEGIN{printf "%.1f", m - t}')"); fi
  done
  stats=$(printf '%s\n' "${lat[@]}" | { grep -v finished || true; } | sort -g | awk '{a[NR]=$1} END {if (NR) printf "%.1f %.1f", a[int((NR+1)/2)], a[NR]; else print "- -"}')
  printf '%-36s %7sms %12s %12s %12s\n' "$name" "$timeout" "$full" ${stats}
done
psql -X -q -d postgres -c "DROP DATABASE $db"
