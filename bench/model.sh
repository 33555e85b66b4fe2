#!/usr/bin/env bash
# Models benchmark: predict per row and by relation against SQL arithmetic and a plain scan, linreg_train on a table
# against the array form fed by array_agg; interleaved rounds, medians and ratios (bench/model.sql).
#   bash bench/model.sh [rows] [rounds]      (default 1,000,000 rows, 5 rounds)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-1000000}"
rounds="${2:-5}"
exec 9>/tmp/morpheus-install.lock
flock 9
MORPHEUS_INSTALL_LOCKED=1 bash scripts/build.sh >/dev/null
uptime
scripts/with-cluster.sh -o shared_buffers=512MB -- psql -X -q -v n="$n" -v rounds="$rounds" -f bench/model.sql
