#!/usr/bin/env bash
# Cost of calling the dense helpers through SQL versus calling the core directly, in the same run:
# per-call overhead on a tiny matrix, and the overhead share on larger products (array conversion, detoasting,
# result construction). Needs a build in build/ (scripts/build.sh) and starts its own throwaway cluster.
#   bash bench/sql_overhead.sh
set -euo pipefail
cd "$(dirname "$0")/.."
exec 9>/tmp/morpheus-install.lock
flock 9
MORPHEUS_INSTALL_LOCKED=1 bash scripts/build.sh >/dev/null
scripts/with-cluster.sh -- bash -c '
set -euo pipefail
psql -X -q -c "CREATE EXTENSION morpheus"
printf "%6s %12s %12s %10s\n" n core_ms sql_ms overhead
for n in 1 64 256 512 1024; do
  reps=$([ $n -le 64 ] && echo 500 || echo 5)
  core=$(build/dense_bench --core-only $n)
  sql=$(psql -X -q -At -v n=$n -v reps=$reps -f bench/sql_overhead.sql)
  awk -v n=$n -v c=$core -v s=$sql "BEGIN { printf \"%6d %12.4f %12.4f %9.1f%%\n\", n, c, s, (s - c) / s * 100 }"
done'
