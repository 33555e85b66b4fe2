// Blocked pivoted Cholesky (LAPACK's xPSTRF, lower variant): inside a panel of kPanel columns each column is computed
// left-looking from the panel alone; after the panel, the trailing matrix is updated (a symmetric rank-kPanel
// product) in column chunks. Cancel is checked at every column and every chunk.
#include "core/linalg/cholesky.hpp"

#include <numeric>

#include "core/errors.hpp"
#include "core/linalg/qr.hpp"

namespace morpheus::linalg {

double psd_default_tolerance(Index n) {
  return static_cast<double>(std::max<Index>(n, 1)) * std::numeric_limits<double>::epsilon();
}

PivotedCholesky::PivotedCholesky(ColMatrix g, double rel_tol) : a_(std::move(g)) {
  const Index n = a_.rows();
  if (a_.cols() != n) throw Error(ErrorKind::Internal, "PivotedCholesky: the matrix is not square");
  perm_.resize(static_cast<size_t>(n));
  std::iota(perm_.begin(), perm_.end(), Index(0));
  if (n == 0) return;
  bool finite = true;
  for (Index j = 0; j < n && finite; ++j) finite = a_.col(j).tail(n - j).allFinite();
  if (!finite)
    throw out_of_range("the Gram matrix holds a non-finite value (its entries overflowed)",
                       "Scale the inputs down (for example, standardize the columns).");
  const double dmax = a_.diagonal().maxCoeff();
  if (!(dmax > 0)) return;  // g = 0 (positive semi-definite with a non-positive diagonal): rank 0
  const double dstop = rel_tol * dmax;
  Eigen::VectorXd dots = Eigen::VectorXd::Zero(n), cand(n);
  for (Index k = 0; k < n; k += kPanel) {
    const Index jb = std::min(kPanel, n - k);
    dots.segment(k, n - k).setZero();
    for (Index j = k; j < k + jb; ++j) {
      check_interrupts();
      for (Index i = j; i < n; ++i) {
        if (j > k) dots(i) += a_(i, j - 1) * a_(i, j - 1);
        cand(i) = a_(i, i) - dots(i);
      }
      Index p = 0;
      double ajj = cand.segment(j, n - j).maxCoeff(&p);
      p += j;
      if (!(ajj > dstop)) {
        rank_ = j;
        return;
      }
      if (p != j) {
        a_(p, p) = a_(j, j);
        a_.row(j).head(j).swap(a_.row(p).head(j));
        if (p + 1 < n) a_.col(j).tail(n - p - 1).swap(a_.col(p).tail(n - p - 1));
        for (Index i = j + 1; i < p; ++i) std::swap(a_(i, j), a_(p, i));
        std::swap(dots(j), dots(p));
        std::swap(perm_[static_cast<size_t>(j)], perm_[static_cast<size_t>(p)]);
      }
      ajj = std::sqrt(ajj);
      a_(j, j) = ajj;
      if (j + 1 < n) {
        if (j > k)
          a_.col(j).tail(n - j - 1).noalias() -=
              a_.block(j + 1, k, n - j - 1, j - k) * a_.row(j).segment(k, j - k).transpose();
        a_.col(j).tail(n - j - 1) /= ajj;
      }
    }
    rank_ = k + jb;
    const Index j0 = k + jb;
    if (j0 == n) break;
    const Index step = columns_per_chunk(static_cast<double>(n - j0) * static_cast<double>(jb));
    for (Index c = j0; c < n; c += step) {
      check_interrupts();
      const Index w = std::min(step, n - c);
      a_.block(c, c, n - c, w).noalias() -= a_.block(c, k, n - c, jb) * a_.block(c, k, w, jb).transpose();
    }
  }
}

ColMatrix PivotedCholesky::factor() const { return a_.leftCols(rank_).triangularView<Eigen::Lower>(); }

namespace {

template <class F>
void by_column_chunks(Index cols, double work_per_column, F f) {
  const Index step = columns_per_chunk(work_per_column);
  for (Index c = 0; c < cols; c += step) {
    check_interrupts();
    f(c, std::min(step, cols - c));
  }
}

void require_square(const ColMatrix& g, const char* what) {
  if (g.rows() != g.cols()) throw Error(ErrorKind::Internal, std::string(what) + ": the matrix is not square");
}

}  // namespace

ColMatrix psd_solve(const ColMatrix& g, const ColMatrix& b, double rel_tol) {
  require_square(g, "psd_solve");
  const Index n = g.rows(), k = b.cols();
  if (b.rows() != n) throw Error(ErrorKind::Internal, "psd_solve: b has the wrong number of rows");
  if (rel_tol < 0) rel_tol = psd_default_tolerance(n);
  const PivotedCholesky pc(g, rel_tol);
  const Index r = pc.rank();
  if (r == 0) return ColMatrix::Zero(n, k);
  const std::vector<Index>& perm = pc.perm();
  ColMatrix y(n, k);
  for (Index j = 0; j < k; ++j) {
    check_interrupts();
    for (Index i = 0; i < n; ++i) y(i, j) = b(perm[static_cast<size_t>(i)], j);
  }
  const double nd = static_cast<double>(n);
  if (r == n) {
    const auto l = pc.packed().triangularView<Eigen::Lower>();
    by_column_chunks(k, nd * nd, [&](Index c, Index w) {
      auto panel = y.middleCols(c, w);
      l.solveInPlace(panel);
      l.transpose().solveInPlace(panel);
    });
  } else {
    // g_p^+ = Q U^{-T} U^{-1} Q' with L = Q U.
    const HouseholderQr ql(pc.factor());
    ql.apply_qt(y);
    ColMatrix z = y.topRows(r);
    const auto u = ql.packed().topRows(r).triangularView<Eigen::Upper>();
    by_column_chunks(k, static_cast<double>(r) * static_cast<double>(r), [&](Index c, Index w) {
      auto panel = z.middleCols(c, w);
      u.solveInPlace(panel);
      u.transpose().solveInPlace(panel);
    });
    y.setZero();
    y.topRows(r) = z;
    ql.apply_q(y);
  }
  return permute_rows(y, perm);
}

void psd_ginv(const ColMatrix& g, RowMap out, double rel_tol) {
  require_square(g, "psd_ginv");
  const Index n = g.rows();
  if (out.rows() != n || out.cols() != n) throw Error(ErrorKind::Internal, "psd_ginv: wrong output shape");
  if (rel_tol < 0) rel_tol = psd_default_tolerance(n);
  const PivotedCholesky pc(g, rel_tol);
  const Index r = pc.rank();
  if (r == 0) {
    out.setZero();
    return;
  }
  // g_p^+ = V V' with V = L^{-T} (full rank) or V = Q U^{-T} (L = Q U, rank deficient).
  ColMatrix v = ColMatrix::Zero(n, r);
  if (r == n) {
    v.setIdentity();
    const auto lt = pc.packed().triangularView<Eigen::Lower>().transpose();
    by_column_chunks(n, 0.5 * static_cast<double>(n) * static_cast<double>(n), [&](Index c, Index w) {
      auto panel = v.middleCols(c, w);
      lt.solveInPlace(panel);
    });
  } else {
    const HouseholderQr ql(pc.factor());
    ColMatrix ut = ColMatrix::Identity(r, r);
    const auto u_t = ql.packed().topRows(r).triangularView<Eigen::Upper>().transpose();
    by_column_chunks(r, 0.5 * static_cast<double>(r) * static_cast<double>(r), [&](Index c, Index w) {
      auto panel = ut.middleCols(c, w);
      u_t.solveInPlace(panel);
    });
    v.topRows(r) = ut;
    ql.apply_q(v);
  }
  const ColMatrix pv = permute_rows(v, pc.perm());
  paneled_product(out, pv, pv.transpose());
}

}  // namespace morpheus::linalg
