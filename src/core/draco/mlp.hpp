// A fully-connected ReLU network with a softmax cross-entropy output, as DRACO trains it: float64, row-major,
// products through BLAS (Eigen with EIGEN_USE_BLAS). Layers sizes {inputs, hidden..., classes}; parameters flat
// in the layout w[0], b[0], w[1], b[1], ... with w[l] (out_l x in_l) row-major (core/sweep/mlp.hpp's layout).
#pragma once
#include "core/no_postgres.hpp"

#include <cstdint>
#include <vector>

#include "core/dense.hpp"
#include "core/draco/learner.hpp"

namespace morpheus::draco {

class Mlp final : public Learner {
 public:
  // sizes = {inputs, h_1, ..., h_L, classes}, L >= 1, every size >= 1, classes >= 2. Checks the parameter count
  // against kMaxLearnerParams (LimitExceeded) before anything is allocated.
  explicit Mlp(std::vector<std::int64_t> sizes);

  const std::vector<std::int64_t>& sizes() const { return sizes_; }
  std::int64_t layers() const { return static_cast<std::int64_t>(sizes_.size()) - 1; }
  // offset of w[l] and of b[l] in the flat layout
  std::int64_t weight_offset(std::int64_t l) const { return blocks_[static_cast<std::size_t>(2 * l)].offset; }
  std::int64_t bias_offset(std::int64_t l) const { return blocks_[static_cast<std::size_t>(2 * l + 1)].offset; }

  std::int64_t params() const override { return params_; }
  // one block per tensor: w[0], b[0], w[1], b[1], ... (the authors' per-layer messages)
  const std::vector<Block>& blocks() const override { return blocks_; }
  // He-normal: w[l] ~ N(0, 2 / in_l) for hidden layers, N(0, 1 / in_l) for the output layer; biases 0. Drawn from
  // morpheus::Rng(seed) in layout order.
  Vector initial(std::uint64_t seed) const override;
  double gradient(const Dataset& d, const std::int64_t* rows, std::int64_t count, const double* w,
                  double* grad) const override;
  double accuracy(const Dataset& d, const double* w) const override;
  double flops_per_row() const override;

  // Summed softmax cross-entropy over the rows (no gradient).
  double loss(const Dataset& d, const std::int64_t* rows, std::int64_t count, const double* w) const;
  // Class scores (logits) of the rows of x (rows x inputs) into out (rows x classes).
  void logits(const ConstRowMap& x, const double* w, RowMatrix& out) const;

 private:
  std::vector<std::int64_t> sizes_;
  std::int64_t params_ = 0;
  std::vector<Block> blocks_;
};

}  // namespace morpheus::draco
