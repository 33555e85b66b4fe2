#!/usr/bin/env bash
# Sparse attribute relations from SQL on the real datasets (issue 14, "Reach"; not a test): each dataset is loaded
# into a throwaway cluster with scripts/load-morpheus-dataset.sh, its attribute tables kept as tables in the sparse
# form (key, index int[], width), and bench/sparse_relations.py times, in interleaved rounds,
#   rel : logreg_train / kmeans_train / gnmf_train reading the relations (sparse attribute relations, CSR blocks)
#   nm  : nmatrix_from_sparse over the same tables + logreg / kmeans / gnmf on the nmatrix (the existing path)
# checks that both give the same parameters, and reports the backend's peak memory (VmHWM) next to the bytes the
# attribute tables would need dense. The extension is the one built in build/, loaded from there (no install lock).
#   bash bench/sparse_relations.sh /work/shared/data/morpheus [DATASET ...]     (env: ROUNDS=3)
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:?usage: $0 DATA_DIR [DATASET ...]}"
shift
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load: $(cut -d' ' -f1-3 /proc/loadavg)"
bench/with-build-extension.sh /usr/bin/python3 bench/sparse_relations.py "$data" "$@"
