// Gradient diversity along training, over several seeds: B_S = n x diversity measured at checkpoints (epochs of plain
// SGD), averaged over the checkpoints of each seed, then over seeds with a Student-t interval (seeds are the
// independent units; checkpoints of one run are not).
#pragma once
#include "core/no_postgres.hpp"

#include <cstdint>
#include <vector>

#include "core/sweep/mlp.hpp"
#include "core/sweep/stats.hpp"

namespace morpheus::sweep {

struct TrajectoryOptions {
  Arch arch;
  Init init = Init::He;
  LossKind loss = LossKind::CrossEntropy;
  std::vector<std::int64_t> seeds;  // initialization, data order and the diversity sample
  std::vector<double> checkpoints;  // epochs, ascending, >= 0 (0 = the initial network)
  std::int64_t batch_size = 32;
  double learning_rate = 0.1;
  std::int64_t sample_rows = 0;  // rows of the diversity estimate (0: all)
};

struct TrajectoryPoint {
  std::int64_t seed = 0;
  double epoch = 0;
  Diversity diversity;
};

struct TrajectorySummary {
  bool has_seed = false;  // false: an aggregate over seeds
  std::int64_t seed = 0;
  bool has_epoch = false;  // false: averaged over the checkpoints
  double epoch = 0;
  std::int64_t samples = 0;  // measurements (or seeds) averaged
  double mean_loss = 0;
  double diversity = 0;         // mean
  double batch_size_bound = 0;  // mean B_S
  double bound_sd = 0;          // spread: sd over seeds (aggregates) or over checkpoints (a seed's average)
  double bound_lower = 0;       // t-interval over seeds (aggregates only; NaN otherwise)
  double bound_upper = 0;
};

// Measures every (seed, checkpoint): SGD from the seeded network to each checkpoint in turn (one run per seed),
// diversity over sample_rows rows drawn with the seed. Throws OutOfRange when training diverges before a checkpoint.
std::vector<TrajectoryPoint> diversity_trajectory(const Dataset& data, const TrajectoryOptions& opt);

// Rows: each measurement; each seed averaged over its checkpoints; each checkpoint averaged over seeds; and the mean
// over seeds of the per-seed averages (with its interval).
std::vector<TrajectorySummary> summarize_trajectory(const std::vector<TrajectoryPoint>& points,
                                                    double confidence = 0.95);

}  // namespace morpheus::sweep
