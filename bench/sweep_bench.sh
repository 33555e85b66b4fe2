#!/usr/bin/env bash
# Runs the width/batch sweep benchmark on a Fashion-MNIST training subset and draws the plot:
#   bench/sweep_bench.sh [sweep_bench options]      (defaults: 8192 rows, budget 100000, depths 1 and 8, B = 32..4096)
# Writes bench/results/sweep_fashion_mnist.{txt,csv} and docs/img/sweep_fashion_mnist.png. Needs a CMake build in
# build/ (cmake -S . -B build && cmake --build build -j2 --target sweep_bench) and gnuplot. About 6 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/results docs/img
OPENBLAS_NUM_THREADS=1 build/sweep_bench --rows 8192 --budget 100000 --depths 1,8 \
  --batches 32,64,128,256,512,1024,2048,4096 --rates 0.05,0.1,0.2,0.4,0.8,1.6 --target 0.6 --max-epochs 20 \
  --evals 2 --seed 1 --csv bench/results/sweep_fashion_mnist.csv "$@" | tee bench/results/sweep_fashion_mnist.txt
depths="$(awk -F, 'NR > 1 && !seen[$1]++ {printf "%s ", $1}' bench/results/sweep_fashion_mnist.csv)"
gnuplot -e "csv='bench/results/sweep_fashion_mnist.csv'; png='docs/img/sweep_fashion_mnist.png'; depths='${depths% }'" \
  bench/sweep_plot.gp
echo "plot: docs/img/sweep_fashion_mnist.png"
