#include "core/ml/normalized_data_matrix.hpp"

#include <algorithm>
#include <limits>

#include "core/errors.hpp"
#include "core/interrupt.hpp"
#include "core/ml/plan.hpp"

namespace morpheus::ml {

NormalizedDataMatrix::NormalizedDataMatrix(nm::NormalizedMatrix t, nm::KernelOptions options) : t_(std::move(t)) {
  streamed_ = options.streamed;
  streamed_.resize(t_.parts().size(), false);
  if (t_.transposed()) {
    // The transposed value runs through the general operators; parts not factorized are gathered, as before.
    if (std::find(streamed_.begin(), streamed_.end(), true) != streamed_.end()) t_ = materialize_parts(t_, streamed_);
    streamed_.assign(t_.parts().size(), false);
    return;
  }
  options.streamed = streamed_;
  kernels_ = std::make_unique<nm::Kernels>(t_, options);
}

NormalizedDataMatrix::~NormalizedDataMatrix() = default;

// The kernels take row-major operands. One column is the same in either layout and is passed as it is; wider
// operands are copied into scratch kept between calls (an iteration allocates nothing but its result).
const double* NormalizedDataMatrix::row_major(const Mat& x) const {
  if (x.cols() == 1) return x.data();
  x_scratch_ = x;
  return x_scratch_.data();
}

Mat NormalizedDataMatrix::from_row_major(Index rows, Index cols, const std::function<void(double*)>& fill) const {
  Mat out(rows, cols);
  if (cols == 1) {
    fill(out.data());
    return out;
  }
  out_scratch_.resize(rows, cols);
  fill(out_scratch_.data());
  out = out_scratch_;
  return out;
}

Mat NormalizedDataMatrix::times(const Mat& x) const {
  if (!kernels_) {
    const RowMatrix xr = x;
    return nm::lmm(t_, ConstRowMap(xr.data(), xr.rows(), xr.cols()));
  }
  if (x.rows() != cols()) throw Error(ErrorKind::Internal, "NormalizedDataMatrix::times: wrong shape");
  const double* xr = row_major(x);
  return from_row_major(rows(), x.cols(), [&](double* out) { kernels_->lmm(xr, static_cast<int>(x.cols()), out); });
}

Mat NormalizedDataMatrix::transpose_times(const Mat& p) const {
  if (!kernels_) {
    // T' P = (P' T)': a right multiplication on T, factorized.
    const RowMatrix pt = p.transpose();
    return nm::rmm(ConstRowMap(pt.data(), pt.rows(), pt.cols()), t_).transpose();
  }
  if (p.rows() != rows()) throw Error(ErrorKind::Internal, "NormalizedDataMatrix::transpose_times: wrong shape");
  const double* pr = row_major(p);
  return from_row_major(cols(), p.cols(), [&](double* out) { kernels_->tmm(pr, static_cast<int>(p.cols()), out); });
}

int NormalizedDataMatrix::pass_blocks(int c) const { return kernels_ ? kernels_->blocks(c) : 1; }

Mat NormalizedDataMatrix::fused_pass(const Mat& x, RowOp& op, bool want_tp) const {
  if (!kernels_) return DataMatrix::fused_pass(x, op, want_tp);
  if (x.rows() != cols()) throw Error(ErrorKind::Internal, "NormalizedDataMatrix::fused_pass: wrong shape");
  const int c = static_cast<int>(x.cols());
  const double* xr = row_major(x);
  if (!want_tp) {
    kernels_->pass(xr, c, op, nullptr);
    return Mat();
  }
  return from_row_major(cols(), c, [&](double* tp) { kernels_->pass(xr, c, op, tp); });
}

Mat NormalizedDataMatrix::crossprod() const {
  // A Gram matrix of the materialized parts is computed on their gathered rows (the plan's materialized cost).
  if (std::find(streamed_.begin(), streamed_.end(), true) != streamed_.end())
    return nm::crossprod(materialize_parts(t_, streamed_));
  return nm::crossprod(t_);
}

Vec NormalizedDataMatrix::row_squared_norms() const {
  if (kernels_) return kernels_->row_squared_norms();
  return nm::row_sums(nm::elementwise(t_, nm::Func::Square));
}

Vec NormalizedDataMatrix::row(Index i) const {
  // e_i' T, a one-row right multiplication: factorized and correct for transposed values too.
  RowMatrix e = RowMatrix::Zero(1, t_.rows());
  e(0, i) = 1;
  return nm::rmm(ConstRowMap(e.data(), 1, e.cols()), t_).row(0).transpose();
}

double NormalizedDataMatrix::min_coeff() const {
  // The entries of T are the entries of the referenced rows of each block (and, for sparse blocks, the zeros of
  // rows with fewer stored entries than columns).
  double lo = std::numeric_limits<double>::infinity();
  for (const nm::Part& part : t_.parts()) {
    const nm::Block& b = part.block;
    if (b.cols() == 0) continue;
    std::vector<char> used(static_cast<size_t>(b.rows()), part.identity ? 1 : 0);
    if (!part.identity)
      for (std::int32_t r : part.index) used[static_cast<size_t>(r)] = 1;
    for (Index r = 0; r < b.rows(); ++r) {
      if (!used[static_cast<size_t>(r)]) continue;
      if (b.is_sparse()) {
        Index stored = 0;
        for (nm::SparseMap::InnerIterator it(b.sparse(), r); it; ++it, ++stored) lo = std::min(lo, it.value());
        if (stored < b.cols()) lo = std::min(lo, 0.0);
      } else {
        lo = std::min(lo, b.dense().row(r).minCoeff());
      }
    }
  }
  return lo;
}

nm::SparseMatrix materialize_sparse(const nm::NormalizedMatrix& t) {
  const Index n = t.base_rows();
  std::vector<Eigen::Triplet<double, int>> trip;
  Index offset = 0;
  for (const nm::Part& part : t.parts()) {
    const nm::Block& b = part.block;
    for (Index i = 0; i < n; ++i) {
      if (i % 65536 == 0) check_interrupts();
      const Index r = part.identity ? i : part.index[static_cast<size_t>(i)];
      if (b.is_sparse()) {
        for (nm::SparseMap::InnerIterator it(b.sparse(), r); it; ++it)
          trip.emplace_back(static_cast<int>(i), static_cast<int>(offset + it.col()), it.value());
      } else {
        for (Index c = 0; c < b.cols(); ++c)
          if (b.dense()(r, c) != 0)
            trip.emplace_back(static_cast<int>(i), static_cast<int>(offset + c), b.dense()(r, c));
      }
    }
    offset += b.cols();
  }
  nm::SparseMatrix m(n, offset);
  m.setFromTriplets(trip.begin(), trip.end());
  if (t.transposed()) {
    nm::SparseMatrix tt = m.transpose();
    return tt;
  }
  return m;
}

Mat SparseDataMatrix::times(const Mat& x) const {
  check_interrupts();
  return t_ * x;
}

Mat SparseDataMatrix::transpose_times(const Mat& p) const {
  check_interrupts();
  return t_.transpose() * p;
}

Mat SparseDataMatrix::crossprod() const {
  check_interrupts();
  return Mat(t_.transpose() * t_);
}

Vec SparseDataMatrix::row_squared_norms() const {
  Vec out = Vec::Zero(t_.rows());
  for (Index r = 0; r < t_.outerSize(); ++r)
    for (nm::SparseMatrix::InnerIterator it(t_, r); it; ++it) out(r) += it.value() * it.value();
  return out;
}

double SparseDataMatrix::min_coeff() const {
  double lo = std::numeric_limits<double>::infinity();
  for (Index r = 0; r < t_.outerSize(); ++r) {
    Index stored = 0;
    for (nm::SparseMatrix::InnerIterator it(t_, r); it; ++it, ++stored) lo = std::min(lo, it.value());
    if (stored < t_.cols()) lo = std::min(lo, 0.0);
  }
  return lo;
}

}  // namespace morpheus::ml
