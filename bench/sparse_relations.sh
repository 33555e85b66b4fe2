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
lib="$(pwd)/build/morpheus.so"
[ -f "$lib" ] && [ -f build/sql/morpheus--0.2.0.sql ] || { echo "build first: cmake --build build" >&2; exit 1; }
private="$(mktemp -d /tmp/morpheus-bench.XXXXXX)"
trap 'rm -rf "$private"' EXIT
cp "$lib" "$private/morpheus.so"
grep -v -e '^\\echo' -e 'pg_extension_config_dump' build/sql/morpheus--0.2.0.sql | sed "s|MODULE_PATHNAME|$private/morpheus.so|g" >"$private/install.sql"
chmod -R a+rX "$private"
export MORPHEUS_BENCH_SQL="$private/install.sql"
scripts/with-cluster.sh -o shared_buffers=512MB -o work_mem=256MB -- bash -c \
  'psql -X -q -v ON_ERROR_STOP=1 -c "CREATE SCHEMA morpheus" -f "$MORPHEUS_BENCH_SQL" >/dev/null &&
   /usr/bin/python3 bench/sparse_relations.py "$@"' _ "$data" "$@"
