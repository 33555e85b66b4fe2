// k-means (Lloyd) over a DataMatrix with factorized distances:
//   D = rowSums(T o T) 1' - 2 T C + 1 colSums(C o C)   (C is d x k)
// seeded k-means++ initialization; ties go to the lowest cluster index; an empty cluster is re-seeded with the
// point farthest from its center. Objective: sum of squared distances to the assigned centers.
#pragma once
#include "core/no_postgres.hpp"

#include <cstdint>
#include <vector>

#include "core/ml/data_matrix.hpp"
#include "core/ml/trace.hpp"
#include "core/progress.hpp"

namespace morpheus::ml {

struct KmeansOptions {
  int k = 2;
  int max_iterations = 100;
  std::uint64_t seed = 1;
};

struct KmeansResult {
  Mat centers;                  // k x d
  std::vector<int> assignment;  // 0-based cluster of every row
  Trace trace;                  // loss = objective after each iteration's assignment
};

KmeansResult kmeans(const DataMatrix& t, const KmeansOptions& options, Progress& progress);

}  // namespace morpheus::ml
