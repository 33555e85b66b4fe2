// Aggregate states: accumulation against direct sums, and merging is exact and associative.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "core/agg/row_state.hpp"
#include "core/errors.hpp"

using namespace morpheus::agg;

namespace {
std::vector<double> fresh(StateKind k, std::int64_t d) {
  std::vector<double> s(static_cast<size_t>(state_size(k, d)));
  init_state(s.data(), k, d);
  return s;
}
}  // namespace

TEST(RowState, NormalEquationsMatchDirectSumsAndMergeAssociatively) {
  std::mt19937 gen(5);
  std::uniform_int_distribution<int> u(-4, 4);  // small integers: every sum is exact in double
  const int d = 3, n = 30;
  std::vector<std::vector<double>> xs(n, std::vector<double>(d));
  std::vector<double> ys(n);
  for (int i = 0; i < n; ++i) {
    for (auto& v : xs[i]) v = u(gen);
    ys[i] = u(gen);
  }
  auto whole = fresh(StateKind::NormalEq, d), a = whole, b = whole, c = whole;
  for (int i = 0; i < n; ++i) {
    add_normal_eq(whole.data(), xs[i].data(), ys[i]);
    add_normal_eq((i < 10 ? a : i < 20 ? b : c).data(), xs[i].data(), ys[i]);
  }
  double yy = 0;
  std::vector<double> xty(d, 0), gram(d * d, 0);
  for (int i = 0; i < n; ++i) {
    yy += ys[i] * ys[i];
    for (int j = 0; j < d; ++j) {
      xty[j] += xs[i][j] * ys[i];
      for (int k = 0; k < d; ++k) gram[j * d + k] += xs[i][j] * xs[i][k];
    }
  }
  EXPECT_EQ(whole[2], n);
  EXPECT_EQ(whole[kHeader], yy);
  for (int j = 0; j < d; ++j) EXPECT_EQ(whole[kHeader + 1 + j], xty[j]);
  for (int j = 0; j < d * d; ++j) EXPECT_EQ(whole[kHeader + 1 + d + j], gram[j]);
  auto left = a, bc = b;
  combine(bc.data(), c.data(), static_cast<std::int64_t>(bc.size()));
  combine(left.data(), bc.data(), static_cast<std::int64_t>(left.size()));  // a + (b + c)
  auto right = a;
  combine(right.data(), b.data(), static_cast<std::int64_t>(right.size()));
  combine(right.data(), c.data(), static_cast<std::int64_t>(right.size()));  // (a + b) + c
  EXPECT_EQ(left, whole);
  EXPECT_EQ(right, whole);
}

TEST(RowState, GradientsMatchClosedForms) {
  const double x[2] = {1.0, 2.0}, w[2] = {0.5, -0.25};  // margin 0
  auto s = fresh(StateKind::Gradient, 2);
  add_gradient(s.data(), x, 1.0, w, morpheus::glm::Family::Logistic);  // loss log 2, gradient -x / 2
  EXPECT_NEAR(s[kHeader], std::log(2.0), 1e-15);
  EXPECT_NEAR(s[kHeader + 1], -0.5, 1e-15);
  EXPECT_NEAR(s[kHeader + 2], -1.0, 1e-15);
  auto p = fresh(StateKind::Gradient, 2);
  add_gradient(p.data(), x, 3.0, w, morpheus::glm::Family::Poisson);  // mu = 1: loss 1, gradient (1 - 3) x
  EXPECT_NEAR(p[kHeader], 1.0, 1e-15);
  EXPECT_NEAR(p[kHeader + 2], -4.0, 1e-15);
  auto l = fresh(StateKind::Gradient, 2);
  add_gradient(l.data(), x, 2.0, w, morpheus::glm::Family::LeastSquares);  // residual -2: loss 2, gradient -2 x
  EXPECT_NEAR(l[kHeader], 2.0, 1e-15);
  EXPECT_NEAR(l[kHeader + 1], -2.0, 1e-15);
  EXPECT_THROW(add_gradient(l.data(), x, 0.5, w, morpheus::glm::Family::Logistic), morpheus::Error);
  EXPECT_THROW(add_gradient(l.data(), x, -1.0, w, morpheus::glm::Family::Poisson), morpheus::Error);
}

TEST(RowState, CheckStateRejectsForeignArrays) {
  auto s = fresh(StateKind::ColSums, 4);
  EXPECT_EQ(check_state(s.data(), static_cast<std::int64_t>(s.size()), StateKind::ColSums, "s"), 4);
  EXPECT_THROW(check_state(s.data(), static_cast<std::int64_t>(s.size()), StateKind::Crossprod, "s"), morpheus::Error);
  EXPECT_THROW(check_state(s.data(), static_cast<std::int64_t>(s.size()) - 1, StateKind::ColSums, "s"),
               morpheus::Error);
}
