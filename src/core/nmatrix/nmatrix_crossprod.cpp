// crossprod (T'T), tcrossprod (TT') and ginv: the factorized Gram matrices of the reference.
#include "core/nmatrix/nmatrix.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/errors.hpp"
#include "core/interrupt.hpp"
#include "core/linalg/cholesky.hpp"
#include "core/nmatrix/nmatrix_internal.hpp"

namespace morpheus::nm {
namespace detail {

// a' c for blocks a (m x p) and c (m x q) of any kinds: p x q dense.
RowMatrix tprod(const Block& a, const Block& c) {
  if (!a.is_sparse() && !c.is_sparse()) return a.dense().transpose() * c.dense();
  if (a.is_sparse() && !c.is_sparse()) return RowMatrix(a.sparse().transpose() * c.dense());
  if (!a.is_sparse() && c.is_sparse()) return RowMatrix((c.sparse().transpose() * a.dense()).transpose());
  SparseMatrix p = (a.sparse().transpose() * c.sparse()).pruned(0.0, 0.0);
  return RowMatrix(p.toDense());
}

// (I_k' I_l) B_l: rows_k x d_l, of B_l's kind.
Block cooccurrence_times(const Part& k, const Part& l, std::int64_t n) {
  const std::int64_t rk = k.block.rows();
  auto row_k = [&](std::int64_t r) -> std::int64_t { return k.identity ? r : k.index[static_cast<size_t>(r)]; };
  auto row_l = [&](std::int64_t r) -> std::int64_t { return l.identity ? r : l.index[static_cast<size_t>(r)]; };
  if (!l.block.is_sparse()) {
    RowMatrix c = RowMatrix::Zero(rk, l.block.cols());
    const ConstRowMap b = l.block.dense();
    for (std::int64_t r = 0; r < n; ++r) {
      if (r % kCheckEvery == 0) check_interrupts();
      c.row(row_k(r)) += b.row(row_l(r));
    }
    return Block(std::move(c));
  }
  const SparseMap b = l.block.sparse();
  std::vector<Eigen::Triplet<double, int>> trip;
  trip.reserve(static_cast<size_t>(std::min<std::int64_t>(
      n * std::max<std::int64_t>(1, b.nonZeros() / std::max<std::int64_t>(1, b.rows())), 1 << 26)));
  for (std::int64_t r = 0; r < n; ++r) {
    if (r % kCheckEvery == 0) check_interrupts();
    const int dst = static_cast<int>(row_k(r));
    for (SparseMap::InnerIterator it(b, static_cast<int>(row_l(r))); it; ++it)
      trip.emplace_back(dst, it.col(), it.value());
  }
  SparseMatrix c(static_cast<int>(rk), static_cast<int>(l.block.cols()));
  c.setFromTriplets(trip.begin(), trip.end());
  return Block(std::move(c));
}

double avg_row_stored(const Block& b) { return b.rows() == 0 ? 0.0 : static_cast<double>(b.stored()) / b.rows(); }

void require_columns(const NormalizedMatrix& t, const char* what) {
  if (t.rows() == 0 || t.cols() == 0)
    throw invalid_parameter(
        std::string(what) + " needs a matrix with at least one row and one column, got " + shape(t.rows(), t.cols()),
        "Add attribute tables with morpheus.nm_join(t => ..., fk => ..., r => ...) first.");
}

RowMatrix base_crossprod(const NormalizedMatrix& t) {
  const std::int64_t d = t.base_cols();
  const std::int64_t n = t.base_rows();
  check_value_size(static_cast<double>(d) * d * 8.0, "crossprod result (" + shape(d, d) + ")");
  RowMatrix out = RowMatrix::Zero(d, d);
  const auto off = offsets(t);
  const auto& parts = t.parts();
  for (size_t k = 0; k < parts.size(); ++k) {
    const Part& p = parts[k];
    const std::int64_t dk = p.block.cols();
    if (dk == 0) continue;
    check_interrupts();
    // Diagonal block: crossprod(diag(colSums(I_k))^(1/2) B_k), symmetric rank update on the lower half.
    const Eigen::VectorXd w = counts(p, n).cwiseSqrt();
    if (p.block.is_sparse()) {
      const SparseMatrix ws = w.asDiagonal() * p.block.sparse();
      const SparseMatrix g = ws.transpose() * ws;
      out.block(off[k], off[k], dk, dk) = g.toDense();
    } else {
      const RowMatrix ws = w.asDiagonal() * p.block.dense();
      Eigen::MatrixXd g = Eigen::MatrixXd::Zero(dk, dk);
      g.selfadjointView<Eigen::Lower>().rankUpdate(ws.transpose());
      out.block(off[k], off[k], dk, dk) = g.selfadjointView<Eigen::Lower>();
    }
    // Off-diagonal blocks: B_k' (I_k' I_l) B_l, scattering into whichever side is cheaper.
    for (size_t l = k + 1; l < parts.size(); ++l) {
      const Part& q = parts[l];
      const std::int64_t dl = q.block.cols();
      if (dl == 0) continue;
      check_interrupts();
      const double cost_a = n * avg_row_stored(q.block) + static_cast<double>(p.block.stored()) * dl;
      const double cost_b = n * avg_row_stored(p.block) + static_cast<double>(q.block.stored()) * dk;
      RowMatrix blk;
      if (cost_a <= cost_b)
        blk = tprod(p.block, cooccurrence_times(p, q, n));
      else
        blk = tprod(cooccurrence_times(q, p, n), q.block);
      out.block(off[k], off[l], dk, dl) = blk;
      out.block(off[l], off[k], dl, dk) = blk.transpose();
    }
  }
  return out;
}

RowMatrix base_tcrossprod(const NormalizedMatrix& t) {
  const std::int64_t n = t.base_rows();
  check_value_size(static_cast<double>(n) * n * 8.0, "tcrossprod result (" + shape(n, n) + ")");
  RowMatrix out = RowMatrix::Zero(n, n);
  for (const Part& p : t.parts()) {
    if (p.block.cols() == 0) continue;
    check_interrupts();
    RowMatrix g;
    if (p.block.is_sparse()) {
      const SparseMatrix gs = p.block.sparse() * SparseMatrix(p.block.sparse().transpose());
      g = gs.toDense();
    } else {
      g = p.block.dense() * p.block.dense().transpose();
    }
    if (p.identity) {
      out += g;
      continue;
    }
    for (std::int64_t i = 0; i < n; ++i) {
      if (i % 256 == 0) check_interrupts();
      const double* gi = g.data() + static_cast<std::int64_t>(p.index[static_cast<size_t>(i)]) * g.cols();
      double* oi = out.data() + i * n;
      for (std::int64_t j = 0; j < n; ++j) oi[j] += gi[p.index[static_cast<size_t>(j)]];
    }
  }
  return out;
}

}  // namespace detail

using namespace detail;

RowMatrix crossprod(const NormalizedMatrix& t) { return t.transposed() ? base_tcrossprod(t) : base_crossprod(t); }

RowMatrix tcrossprod(const NormalizedMatrix& t) { return t.transposed() ? base_crossprod(t) : base_tcrossprod(t); }

RowMatrix ginv(const NormalizedMatrix& t) {
  require_columns(t, "ginv(nmatrix)");
  const std::int64_t n = t.base_rows(), d = t.base_cols();
  NormalizedMatrix base = t;
  base.set_transposed(false);
  // ginv(T) is d x n; ginv(T') = ginv(T)' is n x d. The result is written panel by panel in its final orientation
  // (no n x d temporary, no transposed copy), with a cancel check per panel.
  const bool transposed = t.transposed();
  RowMatrix out = transposed ? RowMatrix(n, d) : RowMatrix(d, n);
  constexpr std::int64_t kPanel = 64;
  if (d < n) {
    // ginv(T) = ginv(T'T) T' = (T ginv(T'T))'  (ginv of a symmetric matrix is symmetric): rows j0.. of ginv(T) are
    // (T C_j0..)' for a panel of columns of C = ginv(T'T)
    const RowMatrix c = base_crossprod(base);
    RowMatrix ci(d, d);
    linalg::psd_ginv(c, RowMap(ci.data(), d, d));
    for (std::int64_t j0 = 0; j0 < d; j0 += kPanel) {
      check_interrupts();
      const std::int64_t w = std::min(kPanel, d - j0);
      const RowMatrix panel = ci.middleCols(j0, w);                         // d x w
      const RowMatrix p = base_lmm(base, ConstRowMap(panel.data(), d, w));  // n x w
      if (transposed)
        out.middleCols(j0, w) = p;
      else
        out.middleRows(j0, w) = p.transpose();
    }
  } else {
    // ginv(T) = T' ginv(T T') = (ginv(T T') T)': columns i0.. of ginv(T) are (C_i0.. T)' for a panel of rows of C
    const RowMatrix c = base_tcrossprod(base);
    RowMatrix ci(n, n);
    linalg::psd_ginv(c, RowMap(ci.data(), n, n));
    for (std::int64_t i0 = 0; i0 < n; i0 += kPanel) {
      check_interrupts();
      const std::int64_t w = std::min(kPanel, n - i0);
      const RowMatrix p = base_rmm(ConstRowMap(ci.data() + i0 * n, w, n), base);  // w x d
      if (transposed)
        out.middleRows(i0, w) = p;
      else
        out.middleCols(i0, w) = p.transpose();
    }
  }
  return out;
}

}  // namespace morpheus::nm
