#!/usr/bin/env bash
# The width experiment of docs/benchmarks.md ("sweep"), reproducible from scratch:
#   bench/width_experiment.sh [width_experiment options]
# Defaults: Fashion-MNIST (Debian package dataset-fashion-mnist), the first 8192 training images pooled 2 x 2 to
# 14 x 14, 100,000 parameters, depths 1/2/4/8 (widths 483/228/150/105), batches 16..1024, targets 0.45 and 0.35 on a
# fixed 2048-row evaluation subset, 3 tuning seeds, 5 held-out evaluation seeds, at most 60 epochs per run.
# Steps:
#   1. builds bench target width_experiment (CMake build in build/);
#   2. prints the predicted cost (width_sweep_cost's model) and runs the sweep, appending every finished run to
#      bench/results/width_experiment.csv (resumable: run the script again after an interruption, or with more
#      --seeds to narrow an interval; only missing runs are trained);
#   3. prints the summaries, fits and verdicts, B_S along training per depth (3 seeds), and draws
#      docs/img/width_experiment.png (gnuplot).
# Hours on a shared 2-core machine: run it in the background (nohup bench/width_experiment.sh > log 2>&1 &).
# The same sweep from SQL: CALL morpheus.width_sweep_run(...) on a table loaded by
# scripts/load-fashion-mnist.sh --train-limit 8192 --test-limit 0 --pool 2 (see docs/sweep.md).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/results docs/img
if [ -z "${WIDTH_EXPERIMENT_BIN:-}" ]; then
  cmake --build build -j2 --target width_experiment
  WIDTH_EXPERIMENT_BIN=build/width_experiment
fi
csv=bench/results/width_experiment.csv
plot=bench/results/width_experiment_plot.csv
export OPENBLAS_NUM_THREADS=1
"$WIDTH_EXPERIMENT_BIN" --csv "$csv" --cost "$@"
"$WIDTH_EXPERIMENT_BIN" --csv "$csv" --plot "$plot" --diversity "$@" | tee bench/results/width_experiment.txt
gnuplot -e "csv='$plot'; png='docs/img/width_experiment.png'" bench/width_plot.gp
echo "plot: docs/img/width_experiment.png"
