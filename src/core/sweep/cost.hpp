// What a width sweep costs before it runs: the runs it makes, their floating-point work, and minutes at the speed
// this machine measures now for each network and batch size.
#pragma once
#include "core/no_postgres.hpp"

#include <cstdint>
#include <vector>

#include "core/sweep/sweep.hpp"

namespace morpheus::sweep {

struct CostRow {
  std::int64_t depth = 0;
  std::int64_t width = 0;
  std::int64_t params = 0;
  std::int64_t batch_size = 0;
  double runs = 0;            // tuning runs (rates_per_batch x tuning seeds) + evaluation runs (seeds)
  double epochs_per_run = 0;  // the epochs assumed per run
  double gflop = 0;           // SGD steps and loss evaluations of all runs
  double ms_per_epoch = 0;    // measured: SGD steps and evaluations of one epoch
  double minutes = 0;         // runs x epochs_per_run x ms_per_epoch
};

// One row per (depth, batch size). expected_epochs <= 0: every run goes to max_epochs (an upper bound: tuning runs
// stop early and runs stop at the target). rates_per_batch: learning rates the search tries per batch (at least 3:
// the start and both neighbours). The speed is measured with calibration_ms of SGD steps per (depth, batch) on
// random data of the same shape (at least one step), and one evaluation pass.
std::vector<CostRow> sweep_cost(std::int64_t rows, std::int64_t inputs, int classes, const SweepOptions& opt,
                                double expected_epochs, double rates_per_batch, double calibration_ms = 40);

}  // namespace morpheus::sweep
