#!/usr/bin/env bash
# The Morpheus real-data benchmark (issue 14; not a test): ours from SQL (always / never / auto) against numpy/scipy
# factorized, a scipy CSR materialized loop and R + Matrix crossprod, interleaved rounds, one table of ratios with
# the memory floor (bench/morpheus_real.py). The datasets are read from DATA_DIR and loaded into a throwaway cluster;
# nothing is copied into the repository. The extension is the one built in build/ (cmake --build build), loaded into
# the throwaway cluster from there: no installation, no install lock.
#   bash bench/morpheus_real.sh /work/shared/data/morpheus [DATASET ...]
# Env: ROUNDS (3), THREADS (morpheus.threads, 1), THREADS_COMPARE=1 (threads 1 against 2 on LS and LR instead),
#      TRIAD_GBPS (measured by build/triad_bench when unset).
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:?usage: $0 DATA_DIR [DATASET ...]}"
shift
PY=/usr/bin/python3  # Debian's, which python3-numpy and python3-scipy install into
[ -x "$PY" ] || PY=python3
need=()
"$PY" -c 'import numpy, scipy' 2>/dev/null || need+=(python3-numpy python3-scipy)
command -v Rscript >/dev/null || need+=(r-base-core)
Rscript -e 'library(Matrix)' >/dev/null 2>&1 || need+=(r-cran-matrix)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
cmake --build build --target triad_bench >/dev/null
if [ -z "${TRIAD_GBPS:-}" ]; then
  TRIAD_GBPS=$(build/triad_bench | awk '{print $2}')
fi
export TRIAD_GBPS PY OPENBLAS_NUM_THREADS=1
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load: $(cut -d' ' -f1-3 /proc/loadavg), triad ${TRIAD_GBPS} GB/s"
bench/with-build-extension.sh "$PY" bench/morpheus_real.py "$data" "$@"
