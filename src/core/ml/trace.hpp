// One record per iteration of an ML algorithm, for the per-iteration loss that every algorithm exposes.
#pragma once
#include "core/no_postgres.hpp"

#include <vector>

namespace morpheus::ml {

struct IterationRecord {
  int iteration;     // 1-based
  double loss;       // the algorithm's objective after the iteration
  double grad_norm;  // norm of the gradient (NaN where the algorithm has none)
};

using Trace = std::vector<IterationRecord>;

}  // namespace morpheus::ml
