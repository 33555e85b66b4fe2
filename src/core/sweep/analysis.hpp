// Reading a multi-seed width sweep (the evaluation rows of width_sweep): the fitted critical batch per (depth, seed)
// beside the slack rule, aggregates over seeds with Student-t intervals, and the verdict statistics of the width
// claim (Chen et al. 2018): the elasticity of the critical batch in width, and the elasticity of the steps to target at
// a large batch in width.
#pragma once
#include "core/no_postgres.hpp"

#include <cstdint>
#include <string>
#include <vector>

#include "core/sweep/stats.hpp"
#include "core/sweep/sweep.hpp"

namespace morpheus::sweep {

// Checks the rows of a results table (positive sizes and batch sizes, finite rates and targets, at most one row per
// (depth, batch, seed, target) among the evaluation rows, one width per depth); names `arg` in messages.
void validate_results(const std::vector<RunRow>& rows, const char* arg = "results");

// Per (depth, seed, target), from the evaluation rows: the weighted fit of steps = S_min + E_min / B over the batches
// that reached the target, and the slack rule.
struct SeedFit {
  std::int64_t depth = 0;
  std::int64_t width = 0;
  std::int64_t params = 0;
  std::int64_t seed = 0;
  double target_loss = 0;
  CriticalFit fit;
  std::int64_t slack_batch = 0;  // 0: the smallest batch did not reach the target
  std::int64_t batches = 0;      // batch sizes run
};
// Aggregate over seeds per (depth, target): medians and the t-interval of log b_crit (reported as a geometric mean
// with its interval) over the seeds whose fit is valid.
struct DepthFit {
  std::int64_t depth = 0;
  std::int64_t width = 0;
  std::int64_t params = 0;
  double target_loss = 0;
  std::int64_t seeds = 0;
  std::int64_t valid = 0;
  double s_min_median = 0;
  double e_min_median = 0;
  double b_crit_median = 0;
  double b_crit_geomean = 0;
  double b_crit_lower = 0;
  double b_crit_upper = 0;
  double slack_batch_median = 0;
};
struct FitReport {
  std::vector<SeedFit> seeds;    // ordered by depth, target, seed
  std::vector<DepthFit> depths;  // ordered by depth, target
};
FitReport fit_report(const std::vector<RunRow>& rows, double slack = 0.2, double confidence = 0.95);

// Per (depth, batch, target) over the evaluation seeds.
struct BatchSummary {
  std::int64_t depth = 0;
  std::int64_t width = 0;
  std::int64_t batch_size = 0;
  double target_loss = 0;
  double learning_rate = 0;  // the tuned rate (the same on every seed)
  bool rate_at_edge = false;
  std::int64_t seeds = 0;
  std::int64_t reached = 0;
  double steps_median = 0;  // +inf when half or more of the seeds did not reach the target
  double epochs_median = 0;
  // Geometric mean of the steps with the t-interval of log steps; NaN unless every seed reached the target.
  double steps_geomean = 0;
  double steps_lower = 0;
  double steps_upper = 0;
};
std::vector<BatchSummary> batch_summary(const std::vector<RunRow>& rows, double confidence = 0.95);

// The verdict statistics for one target.
struct Reading {
  std::string reading;  // "critical_batch" or "steps_at_large_batch"
  double target_loss = 0;
  std::int64_t batch_size = 0;  // steps reading: the batch compared (0 for the critical-batch reading)
  double estimate = 0;          // mean over seeds of the per-seed elasticity (OLS slope in log-log over depths)
  double lower = 0;
  double upper = 0;
  std::int64_t seeds_used = 0;
  std::int64_t seeds_total = 0;
  double ratio = 0;     // widest / narrowest network: geometric mean over the seeds used of b_crit (or steps) ratios
  std::string verdict;  // holds | fails | inconclusive
  std::string rule;
};
// large_batch <= 0: the largest batch size that every (depth, seed) reached the target at. threshold: the effect size
// below which the critical-batch reading fails (0.15 in the stated rule).
std::vector<Reading> width_verdict(const std::vector<RunRow>& rows, double target_loss, std::int64_t large_batch = 0,
                                   double confidence = 0.95, double threshold = 0.15);

}  // namespace morpheus::sweep
