#!/usr/bin/env bash
# Loads one dataset in the Morpheus file format (MLY.csv, MLFK<i>.csv, MLR<i>Sparse.txt, optional MLSSparse.txt or
# MLSraw.txt; see docs/ml.md) into schema SCHEMA of the database the libpq variables (PGHOST, PGPORT, PGUSER,
# PGDATABASE) name:
#   SCHEMA.entity(id int PRIMARY KEY, y float8, fk1 int, ..., fkq int)   fk_i: 1-based row of attribute table i
#   SCHEMA.s(row int, col int, val float8)      entity features S as triplets (absent rows/cols are 0); may be empty
#   SCHEMA.r1(row int, col int, val float8) ... attribute table i as triplets (MatrixMarket pattern: val = 1)
#   SCHEMA.shape(block text, n_rows int, n_cols int, nnz bigint)           one row per block ('s', 'r1', ...)
#   scripts/load-morpheus-dataset.sh DIR SCHEMA
set -euo pipefail
dir="${1:?usage: $0 DATASET_DIR SCHEMA}"
schema="${2:?usage: $0 DATASET_DIR SCHEMA}"
[ -f "$dir/MLY.csv" ] || { echo "$dir has no MLY.csv: not a Morpheus dataset directory" >&2; exit 1; }
[[ "$schema" =~ ^[a-z_][a-z0-9_]*$ ]] || { echo "schema must be a lower-case identifier" >&2; exit 1; }
q=$(ls "$dir"/MLFK*.csv | wc -l)
[ "$q" -ge 1 ] || { echo "$dir has no MLFK<i>.csv" >&2; exit 1; }

psql() { command psql -X -q -v ON_ERROR_STOP=1 "$@"; }
fk_cols=$(for i in $(seq 1 "$q"); do printf ', fk%d int NOT NULL' "$i"; done)
{
  echo "DROP SCHEMA IF EXISTS $schema CASCADE; CREATE SCHEMA $schema;"
  echo "CREATE TABLE $schema.entity (id int PRIMARY KEY, y float8 NOT NULL $fk_cols);"
  echo "CREATE TABLE $schema.shape (block text PRIMARY KEY, n_rows int, n_cols int, nnz bigint);"
  echo "CREATE TABLE $schema.s (row int NOT NULL, col int NOT NULL, val float8 NOT NULL);"
  for i in $(seq 1 "$q"); do echo "CREATE TABLE $schema.r$i (row int NOT NULL, col int NOT NULL, val float8 NOT NULL);"; done
} | psql

# entity: id, y, fk1..fkq (files are one value per line after a header line)
python3 - "$dir" "$q" <<'PY' | psql -c "COPY $schema.entity FROM STDIN"
import sys, itertools
d, q = sys.argv[1], int(sys.argv[2])
files = [open(f"{d}/MLY.csv")] + [open(f"{d}/MLFK{i}.csv") for i in range(1, q + 1)]
for f in files: f.readline()  # header "V1"
for n, vals in enumerate(zip(*files), start=1):
    out = [v.strip().strip('"') for v in vals]
    sys.stdout.write("%d\t%s\n" % (n, "\t".join(out)))
PY

shapes="$(mktemp)"
trap 'rm -f "$shapes"' EXIT
load_mm() { # file table block: MatrixMarket coordinate file -> triplet table; appends "block n d nnz" to $shapes
  python3 - "$1" "$3" "$shapes" <<'PY' | psql -c "COPY $2 FROM STDIN"
import sys
path, block, shapes = sys.argv[1], sys.argv[2], sys.argv[3]
with open(path) as f:
    pattern = "pattern" in f.readline()
    line = f.readline()
    while line.startswith("%"):
        line = f.readline()
    n, d, nnz = (int(x) for x in line.split())
    for line in f:
        p = line.split()
        if p:
            sys.stdout.write(f"{p[0]}\t{p[1]}\t{1 if pattern else p[2]}\n")
with open(shapes, "a") as out:
    out.write(f"{block}\t{n}\t{d}\t{nnz}\n")
PY
}
for i in $(seq 1 "$q"); do load_mm "$dir/MLR${i}Sparse.txt" "$schema.r$i" "r$i"; done
n_s=$(psql -At -c "SELECT count(*) FROM $schema.entity")
if [ -f "$dir/MLSSparse.txt" ]; then
  load_mm "$dir/MLSSparse.txt" "$schema.s" s
elif [ -f "$dir/MLSraw.txt" ]; then
  python3 - "$dir/MLSraw.txt" <<'PY' | psql -c "COPY $schema.s FROM STDIN"
import sys
with open(sys.argv[1]) as f:
    f.readline()
    for n, line in enumerate(f, start=1):
        v = line.strip().strip('"')
        if v and float(v) != 0:
            sys.stdout.write(f"{n}\t1\t{v}\n")
PY
  printf 's\t%s\t1\t%s\n' "$n_s" "$(psql -At -c "SELECT count(*) FROM $schema.s")" >>"$shapes"
else
  printf 's\t%s\t0\t0\n' "$n_s" >>"$shapes"
fi
psql -c "COPY $schema.shape FROM STDIN" <"$shapes"
psql -At -c "SELECT format('%s: %s x %s, nnz %s', block, n_rows, n_cols, nnz) FROM $schema.shape ORDER BY block"
