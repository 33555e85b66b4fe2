// Gaussian non-negative matrix factorization T ~ W H' (W n x r, H d x r) by Lee-Seung multiplicative updates:
//   H <- H o (T' W) / (H (W'W)),   W <- W o (T H) / (W (H'H))
// Only T' W and T H touch the data, so the updates factorize. Objective |T - W H'|_F^2, computed without forming
// W H': |T|^2 - 2 sum(W o (T H)) + sum((W'W) o (H'H)). T must be non-negative. The starting factors are uniform on
// [0.1, 1) from the portable generator (core/random.hpp): W column by column, then H.
#pragma once
#include "core/no_postgres.hpp"

#include <cstdint>

#include "core/ml/data_matrix.hpp"
#include "core/ml/trace.hpp"
#include "core/progress.hpp"

namespace morpheus::ml {

struct GnmfOptions {
  int rank = 2;
  int max_iterations = 100;
  // Stops when an iteration lowers the loss by at most tolerance * loss (relative change); 0 runs max_iterations.
  double tolerance = 1e-4;
  std::uint64_t seed = 1;
};

struct GnmfResult {
  Mat w;  // n x r
  Mat h;  // d x r
  Trace trace;
  bool converged = false;  // the relative change fell to tolerance before max_iterations ran out
};

GnmfResult gnmf(const DataMatrix& t, const GnmfOptions& options, Progress& progress);

}  // namespace morpheus::ml
