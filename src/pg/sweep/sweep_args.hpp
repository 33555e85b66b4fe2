// Argument helpers shared by the sweep module's SQL entry points.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/sweep/sweep.hpp"
#include "pg/pg_includes.hpp"
#include "pg/sweep/sweep_source.hpp"

namespace morpheus::pg {

// `seed` (int, not NULL) as the generator's seed (negative values are sign-extended).
std::uint64_t seed_arg(FunctionCallInfo fcinfo, int argno);
// `classes`: NULL -> 0 (from the data), else 2..100000.
std::int64_t classes_arg(FunctionCallInfo fcinfo, int argno);
void require_int_range(std::int64_t v, std::int64_t lo, std::int64_t hi, const char* name, const char* hint);
// An int[] argument (not NULL, may be empty) as int64 values.
std::vector<std::int64_t> int_list(FunctionCallInfo fcinfo, int argno, const char* name);
void require_unique_ints(std::vector<std::int64_t> v, const char* name);
void check_confidence(double c);

// The arguments shared by width_sweep, width_sweep_run and width_sweep_cost, starting at argument `base`:
//   source, param_budget, depths, batch_sizes, seeds, tuning_seeds, target_losses, learning_rate, min_learning_rate,
//   max_learning_rate, max_epochs, label, features, architecture, loss_function, classes, evals_per_epoch, eval_rows,
//   initialization, residual_scale
inline constexpr int kSweepArgs = 20;
struct SweepCall {
  SourceSpec spec;
  sweep::SweepOptions opt;
};
SweepCall sweep_args(FunctionCallInfo fcinfo, int base);

}  // namespace morpheus::pg
