#!/usr/bin/env bash
# DRACO at paper scale (bench/draco_paper.cpp): decompresses Debian's Fashion-MNIST (dataset-fashion-mnist) into
# OUT/data, runs build/draco_paper with the given options (resumable: finished runs are skipped), then writes
# OUT/report.md with bench/draco_paper_report.py. Long: run it in the background, e.g.
#   nohup bench/draco_paper.sh /tmp/draco_paper --phase all > /tmp/draco_paper.log 2>&1 &
# Every run and iteration is appended to OUT/*.csv as it finishes, so a cancel keeps the work done.
set -euo pipefail
out=${1:-/tmp/draco_paper}
shift || true
src=${FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}
mkdir -p "$out/data"
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  [ -s "$out/data/$f" ] || gunzip -c "$src/$f.gz" > "$out/data/$f"
done
export OPENBLAS_NUM_THREADS=1
{ date -u; uptime; } >> "$out/uptime.txt"
build/draco_paper --data "$out/data" --out "$out" "$@"
{ date -u; uptime; } >> "$out/uptime.txt"


python3 bench/draco_paper_report.py "$out" ${REPORT_TARGETS:+--targets "$REPORT_TARGETS"} > "$out/report.md"
echo "report: $out/report.md"
