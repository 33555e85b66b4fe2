#!/usr/bin/env bash
# Fashion-MNIST time-to-accuracy for DRACO and the baselines (softmax regression). Needs the installed extension;
# run it as: flock /tmp/morpheus-install.lock scripts/with-cluster.sh -- bash bench/draco_fmnist.sh [TRAIN] [TEST]
set -euo pipefail
train=${1:-6000}
test=${2:-1000}
psql -X -q -c 'CREATE EXTENSION IF NOT EXISTS morpheus'
bash scripts/load-fashion-mnist.sh --train-limit "$train" --test-limit "$test"
time psql -X -v ON_ERROR_STOP=1 -f bench/draco_fmnist.sql
