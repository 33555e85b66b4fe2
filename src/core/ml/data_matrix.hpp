// The abstract data matrix T (n x d) that the ML algorithms are written against. An algorithm that uses only these
// operations runs unchanged on a dense matrix, a materialized join, or a normalized matrix whose operations are
// factorized: the implementation decides how each product is computed.
#pragma once
#include "core/no_postgres.hpp"

#include <Eigen/Dense>

#include "core/dense.hpp"
#include "core/row_op.hpp"

namespace morpheus::ml {

using Index = Eigen::Index;
using Mat = Eigen::MatrixXd;  // column-major intermediates (n x c or d x c)
using Vec = Eigen::VectorXd;

class DataMatrix {
 public:
  virtual ~DataMatrix() = default;
  virtual Index rows() const = 0;
  virtual Index cols() const = 0;
  // T X (X is d x c): left matrix multiplication.
  virtual Mat times(const Mat& x) const = 0;
  // T' P (P is n x c): the transposed left multiplication, an RMM on T.
  virtual Mat transpose_times(const Mat& p) const = 0;
  // T' T.
  virtual Mat crossprod() const = 0;
  // rowSums(T o T): squared norm of every row.
  virtual Vec row_squared_norms() const = 0;
  // Row i of T as a vector of length d.
  virtual Vec row(Index i) const = 0;
  // The smallest entry of T.
  virtual double min_coeff() const = 0;
  // Fixed row blocks of a fused pass with c columns: a RowOp keeps per-block state for this many blocks.
  virtual int pass_blocks(int c) const { return 1; }
  // Fused pass (core/row_op.hpp): M = T X (X is d x c) handed to op tile by tile; returns T' P (d x c) when want_tp
  // (else an empty matrix). The default computes times(), op over all rows as block 0, then transpose_times().
  virtual Mat fused_pass(const Mat& x, RowOp& op, bool want_tp) const;
};

// A plain dense matrix, mapped (not copied).
class DenseDataMatrix final : public DataMatrix {
 public:
  explicit DenseDataMatrix(ConstRowMap t) : t_(t) {}
  Index rows() const override { return t_.rows(); }
  Index cols() const override { return t_.cols(); }
  Mat times(const Mat& x) const override;
  Mat transpose_times(const Mat& p) const override;
  Mat crossprod() const override;
  Vec row_squared_norms() const override { return t_.rowwise().squaredNorm(); }
  Vec row(Index i) const override { return t_.row(i).transpose(); }
  double min_coeff() const override { return t_.minCoeff(); }

 private:
  ConstRowMap t_;
};

}  // namespace morpheus::ml
