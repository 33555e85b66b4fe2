// Pivoted (rank-revealing) Cholesky factorization of symmetric positive semi-definite matrices, blocked and
// interruptible, and the minimum-norm solutions and pseudo-inverses built on it (normal equations, Gram matrices).
#pragma once
#include "core/no_postgres.hpp"

#include <vector>

#include "core/dense.hpp"
#include "core/linalg/blocking.hpp"

namespace morpheus::linalg {

// g(perm, perm) = L L' with L n x rank lower trapezoidal, for a symmetric positive semi-definite g (its lower
// triangle is read), as LAPACK's xPSTRF: at each step the largest remaining diagonal is the pivot; the
// factorization stops when it is at most rel_tol * max(diag(g)) (the numerical rank under that tolerance).
class PivotedCholesky {
 public:
  PivotedCholesky(ColMatrix g, double rel_tol);
  Index size() const { return a_.rows(); }
  Index rank() const { return rank_; }
  // perm()[k]: the row (and column) of g at position k.
  const std::vector<Index>& perm() const { return perm_; }
  // L (n x rank), zero above the diagonal.
  ColMatrix factor() const;
  // The lower triangle of the leading rank x rank block holds L's square part.
  const ColMatrix& packed() const { return a_; }

 private:
  ColMatrix a_;
  std::vector<Index> perm_;
  Index rank_ = 0;
};

// Default relative tolerance of the PSD routines for an n x n matrix: n * machine epsilon of the largest diagonal
// entry (LAPACK's xPSTRF default; the eigenvalue cutoff the SVD-based pseudo-inverse used before).
double psd_default_tolerance(Index n);

// x = g^+ b: the minimum-norm solution of g x = b for a symmetric positive semi-definite g (n x n) and b (n x k).
// Full numerical rank: two triangular solves with the pivoted Cholesky factor; rank r < n: g^+ = P (L^+)' L^+ P'
// with L^+ from the QR factorization of L. rel_tol < 0 selects psd_default_tolerance.
ColMatrix psd_solve(const ColMatrix& g, const ColMatrix& b, double rel_tol = -1.0);

// out (n x n) = g^+ for a symmetric positive semi-definite g, computed as P V V' P' (V = L^{-T}, or Q U^{-T} with
// L = Q U when rank deficient).
void psd_ginv(const ColMatrix& g, RowMap out, double rel_tol = -1.0);

}  // namespace morpheus::linalg
