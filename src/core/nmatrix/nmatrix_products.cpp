// Aggregations, materialization and the products with a dense matrix (LMM, RMM) and with another nmatrix.
#include "core/nmatrix/nmatrix.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/errors.hpp"
#include "core/interrupt.hpp"
#include "core/nmatrix/nmatrix_internal.hpp"

namespace morpheus::nm {
namespace detail {

// out (n x c) += I_k m (m: rows_k x c).
void gather_add(const Part& p, const RowMatrix& m, Eigen::Ref<RowMatrix, 0, Eigen::OuterStride<>> out) {
  if (p.identity) {
    out += m;
    return;
  }
  const std::int64_t n = static_cast<std::int64_t>(p.index.size());
  for (std::int64_t r = 0; r < n; ++r) {
    if (r % kCheckEvery == 0) check_interrupts();
    out.row(r) += m.row(p.index[static_cast<size_t>(r)]);
  }
}

// X I_k for X (m x n): column j of the result sums the columns r of X with idx[r] = j.
RowMatrix scatter_cols(const Part& p, const ConstRowMap& x) {
  RowMatrix z = RowMatrix::Zero(x.rows(), p.block.rows());
  const std::int64_t n = static_cast<std::int64_t>(p.index.size());
  for (std::int64_t i = 0; i < x.rows(); ++i) {
    check_interrupts();
    const double* xr = x.data() + i * x.cols();
    double* zr = z.data() + i * z.cols();
    for (std::int64_t r = 0; r < n; ++r) zr[p.index[static_cast<size_t>(r)]] += xr[r];
  }
  return z;
}

// Block times dense, dense times block, block' times dense/sparse, all with dense results.
RowMatrix block_times(const Block& b, const Eigen::Ref<const RowMatrix, 0, Eigen::OuterStride<>>& x) {
  if (b.is_sparse()) return RowMatrix(b.sparse() * x);
  return b.dense() * x;
}

RowMatrix times_block(const Eigen::Ref<const RowMatrix, 0, Eigen::OuterStride<>>& x, const Block& b) {
  if (b.is_sparse()) return RowMatrix(x * b.sparse());
  return x * b.dense();
}

std::vector<std::int64_t> offsets(const NormalizedMatrix& t) {
  std::vector<std::int64_t> off;
  std::int64_t o = 0;
  for (const Part& p : t.parts()) {
    off.push_back(o);
    o += p.block.cols();
  }
  return off;
}

Eigen::VectorXd counts(const Part& p, std::int64_t n) {
  if (p.identity) return Eigen::VectorXd::Ones(n);
  Eigen::VectorXd c = Eigen::VectorXd::Zero(p.block.rows());
  for (std::int32_t i : p.index) c[i] += 1.0;
  return c;
}

void base_row_sums_into(const NormalizedMatrix& t, RowMap out) {
  out.setZero();
  for (const Part& p : t.parts()) {
    RowMatrix rs = p.block.row_sums();
    gather_add(p, rs, out);
  }
}

Eigen::VectorXd base_row_sums(const NormalizedMatrix& t) {
  Eigen::VectorXd out(t.base_rows());
  base_row_sums_into(t, RowMap(out.data(), out.size(), 1));
  return out;
}

Eigen::VectorXd base_col_sums(const NormalizedMatrix& t) {
  Eigen::VectorXd out(t.base_cols());
  const auto off = offsets(t);
  for (size_t k = 0; k < t.parts().size(); ++k) {
    const Part& p = t.parts()[k];
    if (p.block.cols() == 0) continue;
    const Eigen::VectorXd c = counts(p, t.base_rows());
    if (p.block.is_sparse())
      out.segment(off[k], p.block.cols()) = p.block.sparse().transpose() * c;
    else
      out.segment(off[k], p.block.cols()) = p.block.dense().transpose() * c;
  }
  return out;
}

// T X, X: base_cols x c.
void base_lmm_into(const NormalizedMatrix& t, const ConstRowMap& x, RowMap out) {
  out.setZero();
  const auto off = offsets(t);
  for (size_t k = 0; k < t.parts().size(); ++k) {
    const Part& p = t.parts()[k];
    if (p.block.cols() == 0) continue;
    check_interrupts();
    RowMatrix y = block_times(p.block, x.middleRows(off[k], p.block.cols()));  // R_k X_k first: never K R
    gather_add(p, y, out);
  }
}

RowMatrix base_lmm(const NormalizedMatrix& t, const ConstRowMap& x) {
  RowMatrix out(t.base_rows(), x.cols());
  base_lmm_into(t, x, RowMap(out.data(), out.rows(), out.cols()));
  return out;
}

// X T, X: m x base_rows.
RowMatrix base_rmm(const ConstRowMap& x, const NormalizedMatrix& t) {
  RowMatrix out(x.rows(), t.base_cols());
  const auto off = offsets(t);
  for (size_t k = 0; k < t.parts().size(); ++k) {
    const Part& p = t.parts()[k];
    if (p.block.cols() == 0) continue;
    check_interrupts();
    if (p.identity) {
      out.middleCols(off[k], p.block.cols()) = times_block(x, p.block);
    } else {
      const RowMatrix z = scatter_cols(p, x);  // (X K) first: never X (K R)
      out.middleCols(off[k], p.block.cols()) = times_block(z, p.block);
    }
  }
  return out;
}

RowMatrix base_materialize(const NormalizedMatrix& t) {
  const std::int64_t n = t.base_rows();
  RowMatrix out = RowMatrix::Zero(n, t.base_cols());
  const auto off = offsets(t);
  for (size_t k = 0; k < t.parts().size(); ++k) {
    const Part& p = t.parts()[k];
    if (p.block.cols() == 0) continue;
    for (std::int64_t r = 0; r < n; ++r) {
      if (r % kCheckEvery == 0) check_interrupts();
      const std::int64_t src = p.identity ? r : p.index[static_cast<size_t>(r)];
      if (p.block.is_sparse()) {
        for (SparseMap::InnerIterator it(p.block.sparse(), static_cast<int>(src)); it; ++it)
          out(r, off[k] + it.col()) = it.value();
      } else {
        out.row(r).segment(off[k], p.block.cols()) = p.block.dense().row(src);
      }
    }
  }
  return out;
}

}  // namespace detail

using namespace detail;

Eigen::VectorXd row_sums(const NormalizedMatrix& t) { return t.transposed() ? base_col_sums(t) : base_row_sums(t); }

Eigen::VectorXd col_sums(const NormalizedMatrix& t) { return t.transposed() ? base_row_sums(t) : base_col_sums(t); }

double sum(const NormalizedMatrix& t) {
  double s = 0.0;
  for (const Part& p : t.parts()) s += counts(p, t.base_rows()).dot(p.block.row_sums());
  return s;
}

RowMatrix lmm(const NormalizedMatrix& t, const ConstRowMap& x) {
  if (x.rows() != t.cols())
    throw invalid_parameter(
        "nmatrix %*% x: nmatrix is " + shape(t.rows(), t.cols()) + " but x is " + shape(x.rows(), x.cols()),
        "x needs as many rows as the nmatrix has columns.");
  if (!t.transposed()) return base_lmm(t, x);
  // T' X = (X' T)'
  const RowMatrix xt = x.transpose();
  return base_rmm(ConstRowMap(xt.data(), xt.rows(), xt.cols()), t).transpose();
}

void lmm_into(const NormalizedMatrix& t, const ConstRowMap& x, RowMap out) {
  if (x.rows() != t.cols())
    throw invalid_parameter(
        "nmatrix %*% x: nmatrix is " + shape(t.rows(), t.cols()) + " but x is " + shape(x.rows(), x.cols()),
        "x needs as many rows as the nmatrix has columns.");
  if (out.rows() != t.rows() || out.cols() != x.cols())
    throw Error(ErrorKind::Internal, "lmm_into: output has the wrong shape");
  if (!t.transposed())
    base_lmm_into(t, x, out);
  else
    out = lmm(t, x);
}

void row_sums_into(const NormalizedMatrix& t, RowMap out) {
  if (out.rows() != t.rows() || out.cols() != 1) throw Error(ErrorKind::Internal, "row_sums_into: wrong shape");
  if (!t.transposed())
    base_row_sums_into(t, out);
  else
    out = base_col_sums(t);
}

RowMatrix rmm(const ConstRowMap& x, const NormalizedMatrix& t) {
  if (x.cols() != t.rows())
    throw invalid_parameter(
        "x %*% nmatrix: x is " + shape(x.rows(), x.cols()) + " but nmatrix is " + shape(t.rows(), t.cols()),
        "x needs as many columns as the nmatrix has rows.");
  if (!t.transposed()) return base_rmm(x, t);
  // X T' = (T X')'
  const RowMatrix xt = x.transpose();
  return base_lmm(t, ConstRowMap(xt.data(), xt.rows(), xt.cols())).transpose();
}

RowMatrix materialize(const NormalizedMatrix& t) {
  check_value_size(8.0 * t.rows() * t.cols(), "materialized nmatrix (" + shape(t.rows(), t.cols()) + ")");
  RowMatrix m = base_materialize(t);
  if (t.transposed()) return m.transpose();
  return m;
}

}  // namespace morpheus::nm
