// DataMatrix implementations over a normalized matrix: factorized (the products and fused passes of
// core/nmatrix/kernels.hpp; parts marked `streamed` run as the materialized join, row by row, without building it)
// and materialized as a sparse CSR join (the baseline for one-hot data, as MorpheusPy's SciPy).
#pragma once
#include "core/no_postgres.hpp"

#include <functional>
#include <memory>

#include "core/ml/data_matrix.hpp"
#include "core/nmatrix/kernels.hpp"
#include "core/nmatrix/nmatrix.hpp"

namespace morpheus::ml {

class NormalizedDataMatrix final : public DataMatrix {
 public:
  // options.streamed: per part of t, run it as the materialized join (the plan's "not factorized").
  explicit NormalizedDataMatrix(nm::NormalizedMatrix t, nm::KernelOptions options = {});
  ~NormalizedDataMatrix() override;
  NormalizedDataMatrix(const NormalizedDataMatrix&) = delete;
  NormalizedDataMatrix& operator=(const NormalizedDataMatrix&) = delete;
  Index rows() const override { return t_.rows(); }
  Index cols() const override { return t_.cols(); }
  Mat times(const Mat& x) const override;
  Mat transpose_times(const Mat& p) const override;
  Mat crossprod() const override;
  Vec row_squared_norms() const override;
  Vec row(Index i) const override;
  double min_coeff() const override;
  int pass_blocks(int c) const override;
  Mat fused_pass(const Mat& x, RowOp& op, bool want_tp) const override;

 private:
  nm::NormalizedMatrix t_;
  std::vector<bool> streamed_;
  std::unique_ptr<nm::Kernels> kernels_;  // over t_'s base matrix, when t_ is not transposed
  const double* row_major(const Mat& x) const;
  Mat from_row_major(Index rows, Index cols, const std::function<void(double*)>& fill) const;
  mutable RowMatrix x_scratch_, out_scratch_;  // the products' row-major operands (one caller at a time)
};

// The join built as one CSR matrix (T, or T' when the value is transposed).
nm::SparseMatrix materialize_sparse(const nm::NormalizedMatrix& t);

class SparseDataMatrix final : public DataMatrix {
 public:
  explicit SparseDataMatrix(nm::SparseMatrix t) : t_(std::move(t)) {}
  Index rows() const override { return t_.rows(); }
  Index cols() const override { return t_.cols(); }
  Mat times(const Mat& x) const override;
  Mat transpose_times(const Mat& p) const override;
  Mat crossprod() const override;
  Vec row_squared_norms() const override;
  Vec row(Index i) const override { return Vec(t_.row(i).transpose()); }
  double min_coeff() const override;

 private:
  nm::SparseMatrix t_;
};

}  // namespace morpheus::ml
