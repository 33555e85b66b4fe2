// Dense helpers against hand-computed values and independent methods.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "core/dense.hpp"
#include "core/errors.hpp"

using morpheus::ConstRowMap;
using morpheus::RowMap;
using morpheus::RowMatrix;

namespace {

RowMatrix random_matrix(int r, int c, unsigned seed) {
  std::mt19937 gen(seed);
  std::normal_distribution<double> d;
  RowMatrix m(r, c);
  for (int i = 0; i < r; ++i)
    for (int j = 0; j < c; ++j) m(i, j) = d(gen);
  return m;
}

ConstRowMap view(const RowMatrix& m) { return ConstRowMap(m.data(), m.rows(), m.cols()); }

morpheus::ErrorKind kind_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const morpheus::Error& e) {
    return e.kind();
  }
  ADD_FAILURE() << "no morpheus::Error thrown";
  return morpheus::ErrorKind::Internal;
}

}  // namespace

TEST(Dense, MatmulHandComputed) {
  RowMatrix a(2, 3), b(3, 2), out(2, 2);
  a << 1, 2, 3, 4, 5, 6;
  b << 7, 8, 9, 10, 11, 12;
  morpheus::matmul(view(a), view(b), RowMap(out.data(), 2, 2));
  EXPECT_DOUBLE_EQ(out(0, 0), 58);
  EXPECT_DOUBLE_EQ(out(0, 1), 64);
  EXPECT_DOUBLE_EQ(out(1, 0), 139);
  EXPECT_DOUBLE_EQ(out(1, 1), 154);
}

TEST(Dense, MatmulMatchesTripleLoopOnRandomShapes) {
  for (int trial = 0; trial < 20; ++trial) {
    const int m = 1 + trial % 7, k = 1 + (trial * 3) % 11, n = 1 + (trial * 5) % 9;
    RowMatrix a = random_matrix(m, k, trial), b = random_matrix(k, n, 100 + trial), out(m, n);
    morpheus::matmul(view(a), view(b), RowMap(out.data(), m, n));
    for (int i = 0; i < m; ++i)
      for (int j = 0; j < n; ++j) {
        double s = 0;
        for (int t = 0; t < k; ++t) s += a(i, t) * b(t, j);
        EXPECT_NEAR(out(i, j), s, 1e-12 * (1 + std::abs(s)));
      }
  }
}

TEST(Dense, MatmulShapeMismatchIsInvalidParameter) {
  RowMatrix a(2, 3), b(2, 2), out(2, 2);
  EXPECT_EQ(kind_of([&] { morpheus::matmul(view(a), view(b), RowMap(out.data(), 2, 2)); }),
            morpheus::ErrorKind::InvalidParameter);
  try {
    morpheus::require_product_shapes(view(a), view(b));
  } catch (const morpheus::Error& e) {
    EXPECT_NE(std::string(e.what()).find("2x3"), std::string::npos);
    EXPECT_FALSE(e.hint().empty());
  }
}

TEST(Dense, Transpose) {
  RowMatrix a(2, 3), out(3, 2);
  a << 1, 2, 3, 4, 5, 6;
  morpheus::transpose(view(a), RowMap(out.data(), 3, 2));
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j) EXPECT_EQ(out(j, i), a(i, j));
}

TEST(Dense, SolveHandComputed) {
  // 2x + y = 5, x + 3y = 10  =>  x = 1, y = 3
  RowMatrix a(2, 2), b(2, 1), x(2, 1);
  a << 2, 1, 1, 3;
  b << 5, 10;
  morpheus::solve(view(a), view(b), RowMap(x.data(), 2, 1));
  EXPECT_NEAR(x(0, 0), 1.0, 1e-14);
  EXPECT_NEAR(x(1, 0), 3.0, 1e-14);
}

TEST(Dense, SolveResidualOnRandomSystems) {
  for (int n = 1; n <= 12; ++n) {
    RowMatrix a = random_matrix(n, n, n), b = random_matrix(n, 3, 50 + n), x(n, 3);
    a += RowMatrix::Identity(n, n) * n;  // well conditioned
    morpheus::solve(view(a), view(b), RowMap(x.data(), n, 3));
    EXPECT_LT((a * x - b).norm(), 1e-10 * (1 + b.norm()));
  }
}

TEST(Dense, SolveRejectsSingularAndNonSquare) {
  RowMatrix a(2, 2), b(2, 1), x(2, 1);
  a << 1, 2, 2, 4;
  b << 1, 2;
  EXPECT_EQ(kind_of([&] { morpheus::solve(view(a), view(b), RowMap(x.data(), 2, 1)); }),
            morpheus::ErrorKind::InvalidParameter);
  RowMatrix r(2, 3), rb(2, 1), rx(3, 1);
  EXPECT_EQ(kind_of([&] { morpheus::solve(view(r), view(rb), RowMap(rx.data(), 3, 1)); }),
            morpheus::ErrorKind::InvalidParameter);
}

// The four Penrose conditions define the pseudo-inverse uniquely: an independent check of the SVD route.
void expect_penrose(const RowMatrix& a, const RowMatrix& g) {
  const double tol = 1e-10 * (1 + a.norm()) * (1 + g.norm());
  EXPECT_LT((a * g * a - a).norm(), tol);
  EXPECT_LT((g * a * g - g).norm(), tol);
  EXPECT_LT(((a * g).transpose() - a * g).norm(), tol);
  EXPECT_LT(((g * a).transpose() - g * a).norm(), tol);
}

TEST(Dense, GinvSatisfiesPenroseConditions) {
  for (int trial = 0; trial < 15; ++trial) {
    const int m = 1 + trial % 6, n = 1 + (trial * 7) % 5;
    RowMatrix a = random_matrix(m, n, 7 * trial + 1), g(n, m);
    morpheus::ginv(view(a), RowMap(g.data(), n, m));
    expect_penrose(a, g);
  }
}

TEST(Dense, GinvOfRankDeficientMatrix) {
  // Rank 1: a = u v'. Its pseudo-inverse is v u' / (|u|^2 |v|^2).
  RowMatrix u(3, 1), v(1, 2);
  u << 1, 2, 2;
  v << 3, 4;
  RowMatrix a = u * v, g(2, 3);
  morpheus::ginv(view(a), RowMap(g.data(), 2, 3));
  RowMatrix want = v.transpose() * u.transpose() / (9.0 * 25.0);
  EXPECT_LT((g - want).norm(), 1e-14);
  expect_penrose(a, g);
}

TEST(Dense, GinvEqualsInverseForNonSingular) {
  RowMatrix a(2, 2), g(2, 2);
  a << 4, 7, 2, 6;  // det 10
  morpheus::ginv(view(a), RowMap(g.data(), 2, 2));
  EXPECT_NEAR(g(0, 0), 0.6, 1e-14);
  EXPECT_NEAR(g(0, 1), -0.7, 1e-14);
  EXPECT_NEAR(g(1, 0), -0.2, 1e-14);
  EXPECT_NEAR(g(1, 1), 0.4, 1e-14);
}

TEST(Dense, GinvOfZeroMatrixIsZero) {
  RowMatrix a = RowMatrix::Zero(2, 3), g(3, 2);
  morpheus::ginv(view(a), RowMap(g.data(), 3, 2));
  EXPECT_EQ(g.norm(), 0.0);
}

TEST(Dense, RequireFiniteNamesTheElement) {
  RowMatrix a(2, 2);
  a << 1, 2, std::numeric_limits<double>::quiet_NaN(), 4;
  try {
    morpheus::require_finite(view(a), "x");
    FAIL();
  } catch (const morpheus::Error& e) {
    EXPECT_EQ(e.kind(), morpheus::ErrorKind::InvalidParameter);
    EXPECT_STREQ(e.what(), "x[2][1] is NaN");
  }
}

TEST(Dense, OverflowIsOutOfRange) {
  RowMatrix a(1, 1), b(1, 1), out(1, 1);
  a << 1e200;
  b << 1e200;
  morpheus::matmul(view(a), view(b), RowMap(out.data(), 1, 1));
  EXPECT_EQ(kind_of([&] { morpheus::require_finite_result(view(out), "matmul"); }), morpheus::ErrorKind::OutOfRange);
}
