// The caller's part of a fused pass over the rows of a data matrix (core/nmatrix/kernels.hpp, ml/data_matrix.hpp):
// the pass computes M = T X tile by tile, apply() turns each tile into the rows of P, and the pass returns T' P.
#pragma once
#include "core/no_postgres.hpp"

#include <cstdint>

namespace morpheus {

class RowOp {
 public:
  virtual ~RowOp() = default;
  // m: rows [row0, row0 + rows) of M (rows x c, row-major); fill p (rows x c) with the same rows of P. `block` is one
  // of the pass's fixed row blocks (0-based): apply() may run concurrently for different blocks, so it writes only p,
  // its rows of its own outputs and per-block state of its own. It must not throw (run it on checked data).
  virtual void apply(int block, std::int64_t row0, std::int64_t rows, const double* m, double* p) = 0;
};

}  // namespace morpheus
