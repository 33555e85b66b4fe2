// Householder QR factorizations, interruptible: blocked QR (A = Q R, BLAS 3) and rank-revealing QR with column
// pivoting (A P = Q R, BLAS 2, stopping at the numerical rank), and the pseudo-inverse built on them.
#pragma once
#include "core/no_postgres.hpp"

#include <vector>

#include "core/dense.hpp"
#include "core/linalg/blocking.hpp"

namespace morpheus::linalg {

// Q = H_0 H_1 ... H_{count-1}, the reflectors stored below the diagonal of `vectors` (LAPACK's layout) with their
// coefficients in tau. b <- Q b (transpose = false) or Q' b, in panels of reflectors and of columns of b.
void apply_householder(const ColMatrix& vectors, const Eigen::VectorXd& tau, Index count, Eigen::Ref<ColMatrix> b,
                       bool transpose);

// A = Q R for an m x n matrix with m >= n, blocked (panels of kPanel columns).
class HouseholderQr {
 public:
  explicit HouseholderQr(ColMatrix a);
  Index rows() const { return qr_.rows(); }
  Index cols() const { return qr_.cols(); }
  // The upper triangle of the top n rows holds R.
  const ColMatrix& packed() const { return qr_; }
  // b (m x k) <- Q b or Q' b.
  void apply_q(Eigen::Ref<ColMatrix> b) const { apply_householder(qr_, tau_, cols(), b, false); }
  void apply_qt(Eigen::Ref<ColMatrix> b) const { apply_householder(qr_, tau_, cols(), b, true); }
  // Writes the first k columns of Q into out (m x k).
  void thin_q(Eigen::Ref<ColMatrix> out) const;

 private:
  ColMatrix qr_;
  Eigen::VectorXd tau_;
};

// A P = Q R with column pivoting (the column of largest remaining norm first), for an m x n matrix with m >= n.
// The factorization stops when every remaining column norm is at most rel_tol * |R(0,0)|: rank() columns are
// factored, the rest is treated as zero (the numerical rank under that tolerance).
class PivotedQr {
 public:
  PivotedQr(ColMatrix a, double rel_tol);
  Index rank() const { return rank_; }
  // perm()[k]: the column of A at position k of A P.
  const std::vector<Index>& perm() const { return perm_; }
  // The first rank() rows of R (upper trapezoidal, rank() x n).
  ColMatrix r_top() const;
  // Writes the first k <= rank() columns of Q into out (m x k).
  void thin_q(Eigen::Ref<ColMatrix> out) const;

 private:
  ColMatrix qr_;
  Eigen::VectorXd tau_;
  std::vector<Index> perm_;
  Index rank_ = 0;
};

// The transpose of the Moore-Penrose pseudo-inverse of a tall a (m x n, m >= n), written into yt (m x n).
// Blocked QR first; when the estimated condition number of R shows that no singular value is near rel_tol * sigma_max,
// ginv(a) = R^{-1} Q'. Otherwise the rank r comes from the column-pivoted QR of R and ginv(a) is the pseudo-inverse
// of the rank-r factorization (a complete orthogonal decomposition).
void tall_ginv_transposed(ColMatrix a, double rel_tol, Eigen::Ref<ColMatrix> yt);

}  // namespace morpheus::linalg
