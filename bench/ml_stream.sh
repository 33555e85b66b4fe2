#!/usr/bin/env bash
# Streaming ML benchmark (not a test): linreg_stream / logreg_stream on a synthetic entity table of N_BIG rows
# (default 2e7) with two attribute tables, against the in-memory path (linreg_train / logreg_train) on its
# first N_SMALL rows (default 1e6). Prints wall time per pass, rows/s, the backend's peak memory (VmHWM) and the
# table sizes. Needs the extension installed and /proc readable (run as root or as the server's user); hold the
# install lock while it runs:
#   flock /tmp/morpheus-install.lock bash -c 'MORPHEUS_INSTALL_LOCKED=1 bash scripts/build.sh && bash bench/ml_stream.sh'
set -euo pipefail
cd "$(dirname "$0")/.."
N_BIG="${N_BIG:-20000000}"
N_SMALL="${N_SMALL:-1000000}"
scripts/with-cluster.sh -- psql -X -q -v n_big="$N_BIG" -v n_small="$N_SMALL" -f bench/ml_stream.sql
