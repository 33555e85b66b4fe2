// DataMatrix implementations over a normalized matrix: factorized (every operation through the Morpheus rewrites
// in core/nmatrix) and materialized as a sparse CSR join (the baseline for one-hot data, as MorpheusPy's SciPy).
#pragma once
#include "core/no_postgres.hpp"

#include "core/ml/data_matrix.hpp"
#include "core/nmatrix/nmatrix.hpp"

namespace morpheus::ml {

class NormalizedDataMatrix final : public DataMatrix {
 public:
  explicit NormalizedDataMatrix(nm::NormalizedMatrix t) : t_(std::move(t)) {}
  Index rows() const override { return t_.rows(); }
  Index cols() const override { return t_.cols(); }
  Mat times(const Mat& x) const override;
  Mat transpose_times(const Mat& p) const override;
  Mat crossprod() const override;
  Vec row_squared_norms() const override;
  Vec row(Index i) const override;
  double min_coeff() const override;

 private:
  nm::NormalizedMatrix t_;
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
