#include "core/ml/data_matrix.hpp"

#include "core/interrupt.hpp"

namespace morpheus::ml {

Mat DataMatrix::fused_pass(const Mat& x, RowOp& op, bool want_tp) const {
  const RowMatrix m = times(x);
  RowMatrix p(m.rows(), m.cols());
  op.apply(0, 0, m.rows(), m.data(), p.data());
  if (!want_tp) return Mat();
  return transpose_times(Mat(p));
}

Mat DenseDataMatrix::times(const Mat& x) const {
  check_interrupts();
  Mat out = t_ * x;
  return out;
}

Mat DenseDataMatrix::transpose_times(const Mat& p) const {
  check_interrupts();
  Mat out = t_.transpose() * p;
  return out;
}

Mat DenseDataMatrix::crossprod() const {
  check_interrupts();
  Mat out = Mat::Zero(t_.cols(), t_.cols());
  out.selfadjointView<Eigen::Lower>().rankUpdate(t_.transpose());
  out.triangularView<Eigen::StrictlyUpper>() = out.transpose();
  return out;
}

}  // namespace morpheus::ml
