#include "core/ml/data_matrix.hpp"

#include <algorithm>

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
  // T'T as a sum of symmetric rank updates over row panels, so that a cancel is honoured between panels.
  Mat out = Mat::Zero(t_.cols(), t_.cols());
  const double d = static_cast<double>(std::max<Index>(1, t_.cols()));
  const Index panel = std::max<Index>(1, static_cast<Index>(67108864.0 / (d * d)));
  for (Index r0 = 0; r0 < t_.rows(); r0 += panel) {
    check_interrupts();
    out.selfadjointView<Eigen::Lower>().rankUpdate(t_.middleRows(r0, std::min(panel, t_.rows() - r0)).transpose());
  }
  out.triangularView<Eigen::StrictlyUpper>() = out.transpose();
  return out;
}

}  // namespace morpheus::ml
