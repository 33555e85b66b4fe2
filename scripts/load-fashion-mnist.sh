#!/usr/bin/env bash
# Loads Fashion-MNIST (Debian package dataset-fashion-mnist) into a table of the database that the usual libpq
# variables (PGHOST, PGPORT, PGUSER, PGDATABASE) name:
#   fashion_mnist(id int PRIMARY KEY, split text, label int, pixels float8[])
# id: 1..60000 for the training split, 60001..70000 for the test split; label 0..9; pixels: 784 values in [0, 1]
# (row-major 28x28, byte / 255). With --pool F the pixels are pooled by F x F blocks (mean) with morpheus.pool_image
# (the extension must be installed in the database), e.g. --pool 2 gives 14 x 14 = 196 values.
#   scripts/load-fashion-mnist.sh [--table NAME] [--train-limit N] [--test-limit N] [--pool F]
set -euo pipefail
table=fashion_mnist
train_limit=60000
test_limit=10000
pool=1
while [ $# -gt 0 ]; do
  case "$1" in
    --table) table="$2"; shift 2 ;;
    --train-limit) train_limit="$2"; shift 2 ;;
    --test-limit) test_limit="$2"; shift 2 ;;
    --pool) pool="$2"; shift 2 ;;
    *) echo "usage: $0 [--table NAME] [--train-limit N] [--test-limit N] [--pool F]" >&2; exit 2 ;;
  esac
done
src="${FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}"
[ -f "$src/train-images-idx3-ubyte.gz" ] || { echo "Fashion-MNIST not found in $src: apt-get install dataset-fashion-mnist" >&2; exit 1; }

psql -X -q -v ON_ERROR_STOP=1 -c "DROP TABLE IF EXISTS $table" \
  -c "CREATE TABLE $table (id int PRIMARY KEY, split text NOT NULL, label int NOT NULL, pixels float8[] NOT NULL)"
python3 - "$src" "$train_limit" "$test_limit" <<'PY' | psql -X -q -v ON_ERROR_STOP=1 -c "COPY $table FROM STDIN"
import gzip, struct, sys
src, limits = sys.argv[1], {"train": int(sys.argv[2]), "t10k": int(sys.argv[3])}
out = sys.stdout
offset = {"train": 0, "t10k": 60000}
for prefix, split in (("train", "train"), ("t10k", "test")):
    with gzip.open(f"{src}/{prefix}-images-idx3-ubyte.gz") as fi, gzip.open(f"{src}/{prefix}-labels-idx1-ubyte.gz") as fl:
        magic, n, rows, cols = struct.unpack(">IIII", fi.read(16))
        lmagic, ln = struct.unpack(">II", fl.read(8))
        assert magic == 2051 and lmagic == 2049 and n == ln, "not an IDX image/label pair"
        labels = fl.read(ln)
        for i in range(min(n, limits[prefix])):
            px = fi.read(rows * cols)
            vals = ",".join("0" if b == 0 else repr(b / 255.0) for b in px)
            out.write(f"{offset[prefix] + i + 1}\t{split}\t{labels[i]}\t{{{vals}}}\n")
PY
if [ "$pool" != 1 ]; then
  psql -X -q -v ON_ERROR_STOP=1 -c "UPDATE $table SET pixels = morpheus.pool_image(pixels, 28, 28, $pool)"
fi
psql -X -q -At -c "SELECT 'loaded ' || count(*) || ' rows into $table' FROM $table"
