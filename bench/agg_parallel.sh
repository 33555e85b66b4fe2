#!/usr/bin/env bash
# Parallel aggregates: the same aggregate over the same table with 0 and 2 parallel workers, in one run.
#   bash bench/agg_parallel.sh [rows] [features]      (default 2,000,000 x 20)
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-2000000}"
d="${2:-20}"
exec 9>/tmp/morpheus-install.lock
flock 9
MORPHEUS_INSTALL_LOCKED=1 bash scripts/build.sh >/dev/null
scripts/with-cluster.sh -o max_parallel_workers_per_gather=2 -o shared_buffers=1GB -- bash -c "
set -euo pipefail
psql -X -q -v ON_ERROR_STOP=1 <<SQL
CREATE EXTENSION morpheus;
CREATE TABLE t AS SELECT array(SELECT random() FROM generate_series(1, $d) WHERE i > 0)::float8[] AS x,
                         random() AS y, (random() > 0.5)::int::float8 AS label
                  FROM generate_series(1, $rows) i;
ALTER TABLE t SET (parallel_workers = 2);
VACUUM ANALYZE t;
SQL
printf '%-26s %10s %10s %8s\n' aggregate serial_ms parallel_ms speedup
w=\$(psql -X -At -c \"SELECT array_fill(0.01::float8, ARRAY[$d])\")
for q in \"morpheus.crossprod_agg(x)\" \"morpheus.col_sums_agg(x)\" \"morpheus.linreg_agg(x, y)\" \
         \"morpheus.glm_gradient_agg(x, label, '\$w', 'logistic')\"; do
  t() { psql -X -At -c \"SET max_parallel_workers_per_gather = \$1\" -c '\\timing on' -c \"SELECT \$q IS NOT NULL FROM t\" \
        | sed -n 's/^Time: \\([0-9.]*\\) ms.*/\\1/p' | tail -1; }
  t 0 >/dev/null; s=\$(t 0); p=\$(t 2)
  awk -v q=\"\${q%%(*}\" -v s=\"\$s\" -v p=\"\$p\" 'BEGIN { printf \"%-26s %10.0f %10.0f %7.2fx\\n\", q, s, p, s / p }'
done"
