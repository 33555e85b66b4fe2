// Width/batch sweeps at a fixed parameter budget: for each depth, the width that holds the parameter count at the
// budget; for each batch size, plain SGD with every learning rate of the grid, the best one (fewest epochs to the
// training-loss target) kept; speed-up against the smallest batch; gradient diversity and the batch-size bound of the
// initial network; the critical batch size per depth.
#pragma once
#include "core/no_postgres.hpp"

#include <cstdint>
#include <vector>

#include "core/progress.hpp"
#include "core/sweep/mlp.hpp"

namespace morpheus::sweep {

struct SweepOptions {
  std::int64_t param_budget = 0;
  std::vector<std::int64_t> depths;
  std::vector<std::int64_t> batch_sizes;
  std::vector<double> learning_rates;
  double target_loss = 0.5;
  double max_epochs = 10;
  Family family = Family::Mlp;
  LossKind loss = LossKind::CrossEntropy;
  std::uint64_t seed = 1;
  std::int64_t evals_per_epoch = 4;
  double critical_slack = 0.2;      // delta of B_crit: epochs(B) <= (1 + delta) epochs(B_0)
  std::int64_t diversity_rows = 0;  // rows for the diversity estimate (0: all)
};

struct SweepRow {
  std::int64_t depth = 0;
  std::int64_t width = 0;
  std::int64_t params = 0;
  std::int64_t batch_size = 0;
  double best_learning_rate = 0;
  bool reached = false;
  double epochs_to_target = 0;      // valid when reached
  double iterations_to_target = 0;  // valid when reached
  bool has_speedup = false;
  double speedup = 0;     // iterations(B_0) / iterations(B), B_0 the smallest batch of the grid
  double efficiency = 0;  // speedup / (B / B_0) = epochs(B_0) / epochs(B)
  double gradient_diversity = 0;
  double batch_size_bound = 0;
  bool has_critical = false;
  std::int64_t critical_batch_size = 0;  // per depth (same on every row of a depth)
  double final_loss = 0;                 // of the best run; NaN when every rate diverged
  std::int64_t diverged_rates = 0;       // how many rates of the grid diverged
  double train_ms = 0;                   // wall time of all runs of the row
  double train_flops = 0;
};

// Checks the options against the data (InvalidParameter with hints), before any training.
// The checks that need no data (sizes, grids, ranges), so a bad call fails before its query runs.
void validate_sweep_grid(const SweepOptions& opt);
// All checks, including those against the data (batch sizes, the width each depth gets).
void validate_sweep(const SweepOptions& opt, const Dataset& data);

// Rows are ordered by depth (as given), then batch size ascending. Rates are tried largest first; once a run reached
// the target, later runs of the row stop at its epoch count (they cannot beat it), and ties keep the larger rate.
// Progress: one step per training run (configuration k of depths x batch sizes x rates).
std::vector<SweepRow> width_sweep(const Dataset& data, const SweepOptions& opt, Progress* progress = nullptr);

}  // namespace morpheus::sweep
