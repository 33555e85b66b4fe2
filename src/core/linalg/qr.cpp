// Householder QR (blocked and column-pivoted) and the pseudo-inverse built on them; every loop checks for cancel
// between panels of reflectors or columns.
#include "core/linalg/qr.hpp"

#include <numeric>

#include "core/errors.hpp"

namespace morpheus::linalg {

void apply_householder(const ColMatrix& vectors, const Eigen::VectorXd& tau, Index count, Eigen::Ref<ColMatrix> b,
                       bool transpose) {
  const Index m = vectors.rows();
  if (b.rows() != m || count > vectors.cols() || count > m)
    throw Error(ErrorKind::Internal, "apply_householder: shapes do not match");
  const Index step = columns_per_chunk(2.0 * static_cast<double>(m) * static_cast<double>(kPanel));
  auto apply_panel = [&](Index k0, Index k1) {
    const Eigen::VectorXd coeffs = tau.segment(k0, k1 - k0);
    const auto seq = Eigen::householderSequence(vectors.block(k0, k0, m - k0, k1 - k0), coeffs);
    for (Index c = 0; c < b.cols(); c += step) {
      check_interrupts();
      auto block = b.block(k0, c, m - k0, std::min(step, b.cols() - c));
      if (transpose)
        seq.adjoint().applyThisOnTheLeft(block);
      else
        seq.applyThisOnTheLeft(block);
    }
  };
  if (transpose) {
    // Q' b = H_{count-1} ... H_0 b: the first panel first.
    for (Index k0 = 0; k0 < count; k0 += kPanel) apply_panel(k0, std::min(count, k0 + kPanel));
  } else {
    // Q b = H_0 (... (H_{count-1} b)): the last panel first.
    for (Index k1 = count; k1 > 0;) {
      const Index k0 = std::max<Index>(0, k1 - kPanel);
      apply_panel(k0, k1);
      k1 = k0;
    }
  }
}

HouseholderQr::HouseholderQr(ColMatrix a) : qr_(std::move(a)), tau_(Eigen::VectorXd::Zero(qr_.cols())) {
  const Index m = qr_.rows(), n = qr_.cols();
  if (m < n) throw Error(ErrorKind::Internal, "HouseholderQr: the matrix is wider than tall");
  Eigen::VectorXd work(std::max<Index>(n, 1));
  for (Index k = 0; k < n; k += kPanel) {
    const Index b = std::min(kPanel, n - k);
    for (Index j = k; j < k + b; ++j) {
      check_interrupts();
      double beta = 0;
      qr_.col(j).tail(m - j).makeHouseholderInPlace(tau_(j), beta);
      qr_(j, j) = beta;
      if (j + 1 < k + b)
        qr_.block(j, j + 1, m - j, k + b - j - 1)
            .applyHouseholderOnTheLeft(qr_.col(j).tail(m - j - 1), tau_(j), work.data());
    }
    if (k + b == n) break;
    // Trailing columns <- (H_k ... H_{k+b-1})' times them, as block reflectors (BLAS 3), in column chunks.
    const Eigen::VectorXd coeffs = tau_.segment(k, b);
    const auto seq = Eigen::householderSequence(qr_.block(k, k, m - k, b), coeffs).adjoint();
    const Index step = columns_per_chunk(2.0 * static_cast<double>(m - k) * static_cast<double>(b));
    for (Index c = k + b; c < n; c += step) {
      check_interrupts();
      auto block = qr_.block(k, c, m - k, std::min(step, n - c));
      seq.applyThisOnTheLeft(block);
    }
  }
}

void HouseholderQr::thin_q(Eigen::Ref<ColMatrix> out) const {
  const Index k = out.cols();
  if (out.rows() != rows() || k > cols()) throw Error(ErrorKind::Internal, "HouseholderQr::thin_q: wrong shape");
  out.setZero();
  out.topRows(k).setIdentity();
  // Reflectors j >= k leave [I_k; 0] unchanged (they act on rows j and below).
  apply_householder(qr_, tau_, k, out, false);
}

PivotedQr::PivotedQr(ColMatrix a, double rel_tol) : qr_(std::move(a)), tau_(Eigen::VectorXd::Zero(qr_.cols())) {
  const Index m = qr_.rows(), n = qr_.cols();
  if (m < n) throw Error(ErrorKind::Internal, "PivotedQr: the matrix is wider than tall");
  perm_.resize(static_cast<size_t>(n));
  std::iota(perm_.begin(), perm_.end(), Index(0));
  Eigen::VectorXd direct(n);
  for (Index j = 0; j < n; ++j) direct(j) = qr_.col(j).norm();
  Eigen::VectorXd updated = direct;
  check_interrupts();
  const double downdate_threshold = std::sqrt(std::numeric_limits<double>::epsilon());
  Eigen::VectorXd work(std::max<Index>(n, 1));
  double r00 = 0;
  for (Index k = 0; k < n; ++k) {
    check_interrupts();
    Index big = 0;
    const double big_norm = updated.tail(n - k).maxCoeff(&big);
    big += k;
    if (!(big_norm > 0) || (k > 0 && big_norm <= rel_tol * r00)) break;
    if (big != k) {
      qr_.col(k).swap(qr_.col(big));
      std::swap(updated(k), updated(big));
      std::swap(direct(k), direct(big));
      std::swap(perm_[static_cast<size_t>(k)], perm_[static_cast<size_t>(big)]);
    }
    double beta = 0;
    qr_.col(k).tail(m - k).makeHouseholderInPlace(tau_(k), beta);
    qr_(k, k) = beta;
    if (k == 0) r00 = std::abs(beta);
    // The downdated norms only choose pivots; |R(k,k)| decides the rank.
    if (k > 0 && !(std::abs(beta) > rel_tol * r00)) break;
    rank_ = k + 1;
    const Index step = columns_per_blas2_chunk(2.0 * static_cast<double>(m - k));
    for (Index c = k + 1; c < n; c += step) {
      check_interrupts();
      qr_.block(k, c, m - k, std::min(step, n - c))
          .applyHouseholderOnTheLeft(qr_.col(k).tail(m - k - 1), tau_(k), work.data());
    }
    // Column norms of the remaining rows, downdated as in LAPACK's xLAQP2 (recomputed when cancellation looms).
    for (Index j = k + 1; j < n; ++j) {
      if (updated(j) == 0) continue;
      double t = std::abs(qr_(k, j)) / updated(j);
      t = std::max(0.0, (1.0 + t) * (1.0 - t));
      const double ratio = updated(j) / direct(j);
      if (t * ratio * ratio <= downdate_threshold) {
        direct(j) = qr_.col(j).tail(m - k - 1).norm();
        updated(j) = direct(j);
      } else {
        updated(j) *= std::sqrt(t);
      }
    }
  }
}

ColMatrix PivotedQr::r_top() const { return qr_.topRows(rank_).triangularView<Eigen::Upper>(); }

void PivotedQr::thin_q(Eigen::Ref<ColMatrix> out) const {
  const Index k = out.cols();
  if (out.rows() != qr_.rows() || k > rank_) throw Error(ErrorKind::Internal, "PivotedQr::thin_q: wrong shape");
  out.setZero();
  out.topRows(k).setIdentity();
  apply_householder(qr_, tau_, k, out, false);
}

namespace {

// rows x cols chunks of a row-wise independent operation costing `work_per_row` multiply-adds per row.
template <class F>
void by_row_chunks(Index rows, double work_per_row, F f) {
  const Index step = columns_per_chunk(work_per_row);
  for (Index i = 0; i < rows; i += step) {
    check_interrupts();
    f(i, std::min(step, rows - i));
  }
}

}  // namespace

void tall_ginv_transposed(ColMatrix a, double rel_tol, Eigen::Ref<ColMatrix> yt) {
  const Index m = a.rows(), n = a.cols();
  if (m < n || yt.rows() != m || yt.cols() != n)
    throw Error(ErrorKind::Internal, "tall_ginv_transposed: shapes do not match");
  if (n == 0) return;
  const HouseholderQr qa(std::move(a));
  check_interrupts();
  const ColMatrix r = qa.packed().topRows(n).triangularView<Eigen::Upper>();
  const double norm1 = r.cwiseAbs().colwise().sum().maxCoeff();
  const double inv_norm1 = inverse_norm1_estimate(
      n,
      [&r](const Eigen::VectorXd& x) {
        Eigen::VectorXd y = x;
        r.triangularView<Eigen::Upper>().solveInPlace(y);
        return y;
      },
      [&r](const Eigen::VectorXd& x) {
        Eigen::VectorXd y = x;
        r.triangularView<Eigen::Upper>().transpose().solveInPlace(y);
        return y;
      });
  // cond_2 <= n cond_1, and the estimate is within a small factor of cond_1: a margin of 10 n keeps every singular
  // value clear of the cutoff rel_tol * sigma_max, where the truncated and the plain inverse agree.
  const double n_d = static_cast<double>(n);
  check_interrupts();
  if (std::isfinite(inv_norm1) && norm1 > 0 && norm1 * inv_norm1 * 10.0 * n_d * rel_tol < 1.0) {
    qa.thin_q(yt);  // yt = Q1, then yt R' = Q1 gives yt = Q1 R^{-T} = ginv(a)'
    by_row_chunks(m, 0.5 * n_d * n_d, [&](Index i, Index w) {
      auto block = yt.middleRows(i, w);
      r.triangularView<Eigen::Upper>().transpose().solveInPlace<Eigen::OnTheRight>(block);
    });
    return;
  }
  // Rank-revealing path: R P = Q2 [G; ~0] with G (rank x n), so a P = F G with F = Q [Q2(:, 1:rank); 0]
  // orthonormal and G of full row rank; G' = Z U (QR), hence ginv(a) = P Z U^{-T} F' and ginv(a)' = F U^{-1} (P Z)'.
  const PivotedQr pq(r, rel_tol);
  const Index rank = pq.rank();
  if (rank == 0) {
    yt.setZero();
    return;
  }
  const HouseholderQr qg(pq.r_top().transpose());
  const ColMatrix u = qg.packed().topRows(rank).triangularView<Eigen::Upper>();
  ColMatrix f = ColMatrix::Zero(m, rank);
  pq.thin_q(f.topRows(n));
  qa.apply_q(f);
  by_row_chunks(m, 0.5 * static_cast<double>(rank) * static_cast<double>(rank), [&](Index i, Index w) {
    auto block = f.middleRows(i, w);
    u.triangularView<Eigen::Upper>().solveInPlace<Eigen::OnTheRight>(block);
  });
  ColMatrix z(n, rank);
  qg.thin_q(z);
  const ColMatrix pz = permute_rows(z, pq.perm());
  paneled_product(yt, f, pz.transpose());
}

}  // namespace morpheus::linalg
