// Shared pieces of the interruptible dense factorizations (lu, cholesky, qr): the work per uninterruptible BLAS
// call, products computed in column panels with a cancel check between panels, and the 1-norm condition estimate.
//
// Every factorization in src/core/linalg is written as a sequence of BLAS calls of bounded size (a panel of columns
// or of Householder reflectors) with check_interrupts() between them, so a cancel lands within a few tens of
// milliseconds whatever the matrix size (Eigen's and LAPACK's decompositions run to the end once started).
#pragma once
#include "core/no_postgres.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

#include "core/interrupt.hpp"

namespace morpheus::linalg {

using ColMatrix = Eigen::MatrixXd;
using Index = Eigen::Index;

// Multiply-adds per uninterruptible call. Matrix-matrix kernels (BLAS 3) run at about 2e10 multiply-adds per
// second on one core, so 2^27 takes about 7 ms; they get at least kMinChunk columns, below which their speed drops
// (a 1 GB operand then costs up to about 100 ms per call). Matrix-vector kernels (BLAS 2) are memory bound, about 2e9
// per second: 2^26 takes about 30 ms.
constexpr double kBlas3Work = 134217728.0;
constexpr double kBlas2Work = 67108864.0;
constexpr Index kMinChunk = 16;
// Panel width of the blocked factorizations.
constexpr Index kPanel = 64;

// Number of columns (or rows) per call of a matrix-matrix kernel costing `work_per_column` multiply-adds per column.
inline Index columns_per_chunk(double work_per_column) {
  const double c = kBlas3Work / std::max(1.0, work_per_column);
  return std::max(kMinChunk, static_cast<Index>(std::min(c, 1e9)));
}
// The same for a matrix-vector kernel.
inline Index columns_per_blas2_chunk(double work_per_column) {
  const double c = kBlas2Work / std::max(1.0, work_per_column);
  return static_cast<Index>(std::max(1.0, std::min(c, 1e9)));
}

// out = a * b, computed in panels (of rows of out for a row-major out, else of columns) with a cancel check before
// each panel.
template <class Out, class A, class B>
void paneled_product(Out&& out, const A& a, const B& b) {
  if (std::decay_t<Out>::IsRowMajor) {
    const Index step = columns_per_chunk(static_cast<double>(b.rows()) * static_cast<double>(b.cols()));
    for (Index r = 0; r < a.rows(); r += step) {
      check_interrupts();
      const Index w = std::min(step, a.rows() - r);
      out.middleRows(r, w).noalias() = a.middleRows(r, w) * b;
    }
    return;
  }
  const Index step = columns_per_chunk(static_cast<double>(a.rows()) * static_cast<double>(a.cols()));
  for (Index c = 0; c < b.cols(); c += step) {
    check_interrupts();
    const Index w = std::min(step, b.cols() - c);
    out.middleCols(c, w).noalias() = a * b.middleCols(c, w);
  }
}

// out.row(perm[i]) = v.row(i) (out = P v for the permutation matrix P with P(perm[i], i) = 1), column by column.
template <class Perm>
ColMatrix permute_rows(const ColMatrix& v, const Perm& perm) {
  ColMatrix out(v.rows(), v.cols());
  const Index step = columns_per_blas2_chunk(static_cast<double>(v.rows()) * 4.0);
  for (Index j = 0; j < v.cols(); ++j) {
    if (j % step == 0) check_interrupts();
    for (Index i = 0; i < v.rows(); ++i) out(perm[static_cast<size_t>(i)], j) = v(i, j);
  }
  return out;
}

// Estimate of ||A^{-1}||_1 for an n x n matrix A from solves x -> A^{-1} x and x -> A^{-T} x (Hager's method with
// Higham's refinements, as LAPACK's xLACN2): a lower bound, in practice within a factor of 3. Infinity when a
// solve gives a non-finite value (A singular).
template <class Solve, class SolveT>
double inverse_norm1_estimate(Index n, Solve solve, SolveT solve_t) {
  const double inf = std::numeric_limits<double>::infinity();
  if (n == 0) return 0.0;
  auto sign_of = [](const Eigen::VectorXd& v) {
    Eigen::VectorXd s(v.size());
    for (Index i = 0; i < v.size(); ++i) s(i) = v(i) >= 0 ? 1.0 : -1.0;
    return s;
  };
  Eigen::VectorXd x = Eigen::VectorXd::Constant(n, 1.0 / static_cast<double>(n));
  Eigen::VectorXd y = solve(x);
  if (!y.allFinite()) return inf;
  double est = y.lpNorm<1>();
  if (n > 1) {
    Eigen::VectorXd xi = sign_of(y);
    Eigen::VectorXd z = solve_t(xi);
    if (!z.allFinite()) return inf;
    Index j = 0;
    z.cwiseAbs().maxCoeff(&j);
    for (int iter = 0; iter < 4; ++iter) {
      x.setZero();
      x(j) = 1.0;
      y = solve(x);
      if (!y.allFinite()) return inf;
      const double next = y.lpNorm<1>();
      const Eigen::VectorXd xi_next = sign_of(y);
      if (next <= est || xi_next == xi) {
        est = std::max(est, next);
        break;
      }
      est = next;
      xi = xi_next;
      z = solve_t(xi);
      if (!z.allFinite()) return inf;
      Index jn = 0;
      const double zmax = z.cwiseAbs().maxCoeff(&jn);
      if (zmax <= std::abs(z(j))) break;
      j = jn;
    }
    // Higham's alternating-sign vector guards against the cases where the iteration stalls.
    for (Index i = 0; i < n; ++i)
      x(i) = (i % 2 == 0 ? 1.0 : -1.0) * (1.0 + static_cast<double>(i) / static_cast<double>(n - 1));
    y = solve(x);
    if (!y.allFinite()) return inf;
    est = std::max(est, 2.0 * y.lpNorm<1>() / (3.0 * static_cast<double>(n)));
  }
  return est;
}

}  // namespace morpheus::linalg
