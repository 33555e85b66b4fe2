// The interruptible factorizations of src/core/linalg against independent computations: Eigen's JacobiSVD (a
// one-sided Jacobi SVD, a different algorithm from ours) for pseudo-inverses and minimum-norm solutions, the four
// Penrose conditions, closed forms (the constant matrix), residuals of solves; and cancel checks inside them.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <tuple>

#include "core/dense.hpp"
#include "core/errors.hpp"
#include "core/interrupt.hpp"
#include "core/linalg/cholesky.hpp"
#include "core/linalg/lu.hpp"
#include "core/linalg/qr.hpp"
#include "core/random.hpp"

using morpheus::ConstRowMap;
using morpheus::RowMap;
using morpheus::RowMatrix;
using morpheus::linalg::ColMatrix;

namespace {

ColMatrix random_matrix(Eigen::Index r, Eigen::Index c, std::uint64_t seed) {
  morpheus::Rng rng(seed);
  ColMatrix m(r, c);
  for (Eigen::Index j = 0; j < c; ++j)
    for (Eigen::Index i = 0; i < r; ++i) m(i, j) = rng.normal();
  return m;
}

// Pseudo-inverse by JacobiSVD with an explicit relative cutoff (the reference).
ColMatrix svd_pinv(const ColMatrix& a, double rel_cut) {
  Eigen::JacobiSVD<ColMatrix> svd(a, Eigen::ComputeThinU | Eigen::ComputeThinV);
  Eigen::VectorXd s = svd.singularValues();
  const double cut = s.size() > 0 ? rel_cut * s(0) : 0.0;
  for (Eigen::Index i = 0; i < s.size(); ++i) s(i) = s(i) > cut ? 1.0 / s(i) : 0.0;
  return svd.matrixV() * s.asDiagonal() * svd.matrixU().transpose();
}

RowMatrix ginv_of(const ColMatrix& a) {
  const RowMatrix ar = a;
  RowMatrix x(a.cols(), a.rows());
  morpheus::ginv(ConstRowMap(ar.data(), ar.rows(), ar.cols()), RowMap(x.data(), x.rows(), x.cols()));
  return x;
}

double rel_err(const ColMatrix& got, const ColMatrix& want) {
  return (got - want).norm() / std::max(1e-300, want.norm());
}

// max over the four Penrose conditions, relative to the norms involved.
double penrose(const ColMatrix& a, const ColMatrix& x) {
  const ColMatrix ax = a * x, xa = x * a;
  const double e1 = (ax * a - a).norm() / a.norm();
  const double e2 = (xa * x - x).norm() / std::max(1e-300, x.norm());
  const double e3 = (ax - ax.transpose()).norm() / std::max(1.0, ax.norm());
  const double e4 = (xa - xa.transpose()).norm() / std::max(1.0, xa.norm());
  return std::max(std::max(e1, e2), std::max(e3, e4));
}

// Rank-r matrix m x n: a product of random m x r and r x n factors.
ColMatrix low_rank(Eigen::Index m, Eigen::Index n, Eigen::Index r, std::uint64_t seed) {
  return random_matrix(m, r, seed) * random_matrix(r, n, seed + 1);
}

long g_checks = 0;
long g_fire_at = -1;
bool counting_probe() {
  ++g_checks;
  return g_fire_at >= 0 && g_checks >= g_fire_at;
}

struct ProbeScope {
  explicit ProbeScope(long fire_at) {
    g_checks = 0;
    g_fire_at = fire_at;
    morpheus::set_interrupt_probe(counting_probe);
  }
  ~ProbeScope() { morpheus::set_interrupt_probe(nullptr); }
};

}  // namespace

TEST(Linalg, GinvMatchesJacobiSvdOnFullRankShapes) {
  std::uint64_t seed = 10;
  for (Eigen::Index m : {1, 2, 5, 63, 64, 65, 100})
    for (Eigen::Index n : {1, 3, 64, 100}) {
      const ColMatrix a = random_matrix(m, n, ++seed);
      const ColMatrix x = ginv_of(a);
      EXPECT_LT(rel_err(x, svd_pinv(a, 1e-12)), 1e-10) << m << "x" << n;
      EXPECT_LT(penrose(a, x), 1e-11) << m << "x" << n;
    }
}

TEST(Linalg, GinvOfRankDeficientMatricesMatchesJacobiSvd) {
  std::uint64_t seed = 100;
  for (Eigen::Index m : {7, 80, 130})
    for (Eigen::Index n : {5, 70, 100})
      for (Eigen::Index r : {Eigen::Index(1), std::min(m, n) / 2, std::min(m, n) - 1}) {
        if (r < 1) continue;
        const ColMatrix a = low_rank(m, n, r, seed += 2);
        const ColMatrix x = ginv_of(a);
        // The reference cutoff sits in the wide gap between the rank-r singular values and the rounding noise.
        EXPECT_LT(rel_err(x, svd_pinv(a, 1e-9)), 1e-8) << m << "x" << n << " rank " << r;
        EXPECT_LT(penrose(a, x), 1e-10) << m << "x" << n << " rank " << r;
      }
}

TEST(Linalg, GinvOfConstantMatrixHasClosedForm) {
  // ginv(c 1 1') = 1 1' / (c m n): the crash of issue 12 was this matrix at m = n = 1000.
  for (auto [m, n, c] : {std::tuple<int, int, double>{1, 1, 3.0}, {3, 7, -2.0}, {300, 200, 1.0}, {200, 300, 0.5}}) {
    const ColMatrix a = ColMatrix::Constant(m, n, c);
    const ColMatrix want = ColMatrix::Constant(n, m, 1.0 / (c * m * n));
    EXPECT_LT(rel_err(ginv_of(a), want), 1e-12) << m << "x" << n;
  }
}

TEST(Linalg, GinvOfDuplicatedAndOneHotColumns) {
  // Regression data: an intercept, a one-hot group (sums to the intercept) and a duplicated column.
  const Eigen::Index m = 120;
  ColMatrix a(m, 6);
  const ColMatrix z = random_matrix(m, 1, 7);
  for (Eigen::Index i = 0; i < m; ++i) {
    a(i, 0) = 1.0;
    a(i, 1) = i % 3 == 0;
    a(i, 2) = i % 3 == 1;
    a(i, 3) = i % 3 == 2;
    a(i, 4) = z(i, 0);
    a(i, 5) = z(i, 0);
  }
  const ColMatrix x = ginv_of(a);
  EXPECT_LT(rel_err(x, svd_pinv(a, 1e-10)), 1e-10);
  EXPECT_LT(penrose(a, x), 1e-12);
}

TEST(Linalg, GinvOfIllConditionedMatrixMatchesSvdAwayFromTheCutoff) {
  // Singular values 1 .. 1e-10 (above the cutoff max(m,n) eps): nothing is truncated, the result is the inverse.
  const Eigen::Index n = 40;
  const ColMatrix u = random_matrix(n, n, 3).householderQr().householderQ();
  const ColMatrix v = random_matrix(n, n, 4).householderQr().householderQ();
  Eigen::VectorXd s(n);
  for (Eigen::Index i = 0; i < n; ++i) s(i) = std::pow(10.0, -10.0 * static_cast<double>(i) / (n - 1));
  const ColMatrix a = u * s.asDiagonal() * v.transpose();
  const ColMatrix x = ginv_of(a);
  const ColMatrix want = v * s.cwiseInverse().asDiagonal() * u.transpose();
  EXPECT_LT(rel_err(x, want), 1e-4);                   // condition 1e10: relative error up to cond * eps
  EXPECT_LT((a * x * a - a).norm() / a.norm(), 1e-6);  // cond * eps = 2e-6
  // Singular values down to 1e-20 (below the cutoff): they count as zero, as in the SVD definition.
  for (Eigen::Index i = n / 2; i < n; ++i) s(i) = 1e-20;
  const ColMatrix b = u * s.asDiagonal() * v.transpose();
  EXPECT_LT(rel_err(ginv_of(b), svd_pinv(b, 1e-14)), 1e-6);
}

TEST(Linalg, GinvOfZeroAndEmptyMatrices) {
  EXPECT_EQ(ginv_of(ColMatrix::Zero(4, 3)).norm(), 0.0);
  EXPECT_EQ(ginv_of(ColMatrix(3, 0)).size(), 0);
  EXPECT_EQ(ginv_of(ColMatrix(0, 3)).size(), 0);
}

TEST(Linalg, LuSolvesAndEstimatesCondition) {
  std::uint64_t seed = 40;
  for (Eigen::Index n : {1, 2, 63, 64, 65, 200}) {
    const ColMatrix a = random_matrix(n, n, ++seed), b = random_matrix(n, 3, ++seed);
    const morpheus::linalg::Lu lu(a);
    ColMatrix x = b;
    lu.solve_in_place(x);
    EXPECT_LT((a * x - b).norm() / b.norm(), 1e-10) << n;
    // The estimate is a lower bound of the true reciprocal 1-norm condition number, within a factor of 10.
    const double true_rcond =
        1.0 / (a.cwiseAbs().colwise().sum().maxCoeff() * a.inverse().cwiseAbs().colwise().sum().maxCoeff());
    EXPECT_GE(lu.rcond(), true_rcond * (1 - 1e-9)) << n;
    EXPECT_LE(lu.rcond(), true_rcond * 10) << n;
  }
  ColMatrix singular = random_matrix(30, 30, 5);
  singular.col(7) = singular.col(3);
  EXPECT_LT(morpheus::linalg::Lu(singular).rcond(), 1e-14);
}

TEST(Linalg, PsdSolveIsTheMinimumNormSolution) {
  std::uint64_t seed = 70;
  for (Eigen::Index d : {1, 5, 64, 65, 90})
    for (Eigen::Index r : {d, std::max<Eigen::Index>(1, d / 2), Eigen::Index(1)}) {
      const ColMatrix x = low_rank(2 * d + 10, d, r, seed += 2);
      const ColMatrix g = x.transpose() * x;
      const ColMatrix rhs = x.transpose() * random_matrix(2 * d + 10, 2, seed + 100);
      const ColMatrix w = morpheus::linalg::psd_solve(g, rhs);
      EXPECT_LT(rel_err(w, svd_pinv(g, 1e-9) * rhs), 1e-7) << "d " << d << " rank " << r;
      RowMatrix gi(d, d);
      morpheus::linalg::psd_ginv(g, RowMap(gi.data(), d, d));
      EXPECT_LT(rel_err(ColMatrix(gi), svd_pinv(g, 1e-9)), 1e-7) << "d " << d << " rank " << r;
    }
}

TEST(Linalg, PsdGinvOfConstantGramHasClosedForm) {
  const Eigen::Index d = 300;
  const ColMatrix g = ColMatrix::Constant(d, d, 5.0);  // 5 * 1 1': ginv = 1 1' / (5 d^2)
  RowMatrix gi(d, d);
  morpheus::linalg::psd_ginv(g, RowMap(gi.data(), d, d));
  EXPECT_LT(rel_err(ColMatrix(gi), ColMatrix::Constant(d, d, 1.0 / (5.0 * d * d))), 1e-12);
  const morpheus::linalg::PivotedCholesky pc(g, morpheus::linalg::psd_default_tolerance(d));
  EXPECT_EQ(pc.rank(), 1);
}

TEST(Linalg, PsdSolveOfFullRankSystemEqualsTheInverse) {
  const ColMatrix x = random_matrix(400, 90, 9);
  const ColMatrix g = x.transpose() * x, b = random_matrix(90, 1, 10);
  EXPECT_LT(rel_err(morpheus::linalg::psd_solve(g, b), g.llt().solve(b)), 1e-12);
}

TEST(Linalg, NonFiniteGramIsOutOfRange) {
  ColMatrix g = ColMatrix::Identity(3, 3);
  g(2, 1) = std::numeric_limits<double>::infinity();
  try {
    morpheus::linalg::psd_solve(g, ColMatrix::Ones(3, 1));
    ADD_FAILURE() << "no error";
  } catch (const morpheus::Error& e) {
    EXPECT_EQ(e.kind(), morpheus::ErrorKind::OutOfRange);
  }
}

TEST(Linalg, FactorizationsCheckForCancelThroughout) {
  // Each factorization of a 300 x 300 matrix checks many times (panels, columns, chunks), and a cancel seen at any
  // check stops it with Interrupted.
  const ColMatrix a = random_matrix(300, 300, 11);
  const ColMatrix g = a.transpose() * a;
  const ColMatrix c = ColMatrix::Constant(300, 300, 1.0);
  struct Case {
    const char* name;
    std::function<void()> run;
  };
  const Case cases[] = {
      {"ginv", [&] { ginv_of(a); }},
      {"ginv rank-deficient", [&] { ginv_of(low_rank(300, 300, 150, 12)); }},
      {"ginv constant", [&] { ginv_of(c); }},
      {"lu", [&] { morpheus::linalg::Lu lu(a); }},
      {"psd_solve", [&] { morpheus::linalg::psd_solve(g, ColMatrix::Ones(300, 1)); }},
      {"psd_ginv",
       [&] {
         RowMatrix out(300, 300);
         morpheus::linalg::psd_ginv(g, RowMap(out.data(), 300, 300));
       }},
  };
  for (const Case& k : cases) {
    long total = 0;
    {
      ProbeScope scope(-1);
      k.run();
      total = g_checks;
    }
    EXPECT_GE(total, 100) << k.name;
    for (long at : {1L, total / 2, total}) {
      ProbeScope scope(at);
      EXPECT_THROW(k.run(), morpheus::Interrupted) << k.name << " at check " << at;
    }
  }
}
