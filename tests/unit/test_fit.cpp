// Fit statistics (core/ml/fit) against textbook formulas computed independently (explicit inverse, SVD, brute force),
// and the honest-solver flags of the ML algorithms (converged false when the iteration cap stops them).
#include <gtest/gtest.h>

#include <cmath>

#include "core/ml/data_matrix.hpp"
#include "core/ml/fit.hpp"
#include "core/ml/gnmf.hpp"
#include "core/ml/kmeans.hpp"
#include "core/ml/linreg.hpp"
#include "core/ml/logreg.hpp"
#include "core/random.hpp"

using namespace morpheus;
using namespace morpheus::ml;

namespace {

RowMatrix design(Index n, Index d, std::uint64_t seed, bool intercept) {
  Rng rng(seed);
  RowMatrix x(n, d);
  for (Index i = 0; i < n; ++i)
    for (Index j = 0; j < d; ++j) x(i, j) = intercept && j == d - 1 ? 1.0 : rng.normal();
  return x;
}

ConstRowMap view(const RowMatrix& m) { return ConstRowMap(m.data(), m.rows(), m.cols()); }

}  // namespace

TEST(Fit, LeastSquaresStatisticsMatchTextbookFormulas) {
  const Index n = 40, d = 4;
  const RowMatrix x = design(n, d, 21, true);
  Rng rng(22);
  Vec y(n);
  for (Index i = 0; i < n; ++i) y(i) = 1 + 2 * x(i, 0) - x(i, 1) + 0.5 * rng.normal();
  NoProgress np;
  const DenseDataMatrix t(view(x));
  const LinregResult r = linreg(t, y, LinregOptions{}, np);
  const ScanSums s = scan_sums(t, y, r.weights, false);
  const LeastSquaresFit f = least_squares_fit(r.gram, s, true, 0);
  // textbook: beta = (X'X)^-1 X'y, e = y - X beta, sigma^2 = e'e / (n - p), se = sqrt(diag(sigma^2 (X'X)^-1))
  const Mat xd = x;
  const Mat inv = (xd.transpose() * xd).inverse();
  const Vec beta = inv * xd.transpose() * y;
  const Vec e = y - xd * beta;
  const double sse = e.squaredNorm();
  const double sst = (y.array() - y.mean()).matrix().squaredNorm();
  EXPECT_NEAR(f.sse, sse, 1e-10 * sse);
  EXPECT_NEAR(f.r2, 1 - sse / sst, 1e-12);
  EXPECT_NEAR(f.adjusted_r2, 1 - (sse / (n - d)) / (sst / (n - 1)), 1e-12);
  EXPECT_EQ(f.rank, d);
  for (Index j = 0; j < d; ++j) EXPECT_NEAR(f.std_errors(j), std::sqrt(sse / (n - d) * inv(j, j)), 1e-10);
  const Eigen::JacobiSVD<Mat> svd(xd);
  EXPECT_NEAR(f.condition_number, svd.singularValues()(0) / svd.singularValues()(d - 1), 1e-8);
  // ridge: no textbook standard errors
  const LeastSquaresFit ridge = least_squares_fit(r.gram, s, true, 0.1);
  EXPECT_TRUE(std::isnan(ridge.std_errors(0)));
}

TEST(Fit, RankDeficientColumnsHaveNoStandardError) {
  const Index n = 30;
  RowMatrix x = design(n, 4, 23, true);
  x.col(2) = x.col(1);  // a duplicated column: neither copy is estimable, the others are
  Rng rng(24);
  Vec y(n);
  for (Index i = 0; i < n; ++i) y(i) = x(i, 0) + rng.normal();
  NoProgress np;
  const DenseDataMatrix t(view(x));
  const LinregResult r = linreg(t, y, LinregOptions{}, np);
  const LeastSquaresFit f = least_squares_fit(r.gram, scan_sums(t, y, r.weights, false), true, 0);
  EXPECT_EQ(f.rank, 3);
  EXPECT_TRUE(std::isnan(f.condition_number));
  EXPECT_TRUE(std::isnan(f.std_errors(1)));
  EXPECT_TRUE(std::isnan(f.std_errors(2)));
  // the estimable coefficients: the same as the regression without the duplicate
  RowMatrix x3(n, 3);
  x3 << x.col(0), x.col(1), x.col(3);
  const Mat inv = (Mat(x3).transpose() * Mat(x3)).inverse();
  const double sigma2 = f.sse / (n - 3);
  EXPECT_NEAR(f.std_errors(0), std::sqrt(sigma2 * inv(0, 0)), 1e-9);
  EXPECT_NEAR(f.std_errors(3), std::sqrt(sigma2 * inv(2, 2)), 1e-9);
}

TEST(Fit, LogisticLogLikelihoodAndAccuracy) {
  const RowMatrix x = design(25, 2, 25, true);
  Vec y(25);
  for (Index i = 0; i < 25; ++i) y(i) = x(i, 0) + 0.3 * std::sin(static_cast<double>(i)) > 0 ? 1 : -1;
  const Vec w = (Vec(2) << 1.5, 0.2).finished();
  const ScanSums s = scan_sums(DenseDataMatrix(view(x)), y, w, true);
  double ll = 0;
  int ok = 0;
  for (Index i = 0; i < 25; ++i) {
    const double p = 1 / (1 + std::exp(-(x(i, 0) * 1.5 + 0.2)));
    ll += y(i) > 0 ? std::log(p) : std::log(1 - p);
    ok += (p >= 0.5) == (y(i) > 0) ? 1 : 0;
  }
  EXPECT_NEAR(s.log_likelihood, ll, 1e-12);
  EXPECT_EQ(s.correct, ok);
  EXPECT_TRUE(s.minus_one);
}

TEST(Fit, KmeansWithinSumsByBruteForce) {
  const RowMatrix x = design(50, 2, 26, false);
  Mat centers(3, 2);
  centers << 0, 0, 1, 1, -1, 0.5;
  const KmeansFit f = kmeans_fit(DenseDataMatrix(view(x)), centers);
  Vec within = Vec::Zero(3), sizes = Vec::Zero(3);
  for (Index i = 0; i < 50; ++i) {
    Index best = 0;
    double bd = 1e300;
    for (Index c = 0; c < 3; ++c) {
      const double dd = (x.row(i).transpose() - centers.row(c).transpose()).squaredNorm();
      if (dd < bd) bd = dd, best = c;
    }
    within(best) += bd;
    sizes(best) += 1;
  }
  EXPECT_LT((f.within - within).norm(), 1e-10);
  EXPECT_EQ(f.sizes, sizes);
  EXPECT_NEAR(f.total, within.sum(), 1e-10);
}

TEST(Fit, SolversSayWhetherTheyConverged) {
  const RowMatrix x = design(60, 3, 27, true);
  Rng rng(28);
  Vec y(60);
  for (Index i = 0; i < 60; ++i) y(i) = x(i, 0) - x(i, 1) + 0.1 * rng.normal();
  const DenseDataMatrix t(view(x));
  NoProgress np;
  EXPECT_TRUE(linreg(t, y, LinregOptions{}, np).converged);
  LinregOptions gd;
  gd.method = LinregMethod::GradientDescent;
  gd.max_iterations = 3;
  const LinregResult few = linreg(t, y, gd, np);
  EXPECT_FALSE(few.converged);
  EXPECT_EQ(few.trace.back().iteration, 3);
  EXPECT_GT(few.final_grad_norm, 0);
  gd.max_iterations = 100000;
  gd.tolerance = 1e-8;
  EXPECT_TRUE(linreg(t, y, gd, np).converged);

  Vec labels(60);
  for (Index i = 0; i < 60; ++i) labels(i) = x(i, 0) + 0.5 * rng.normal() > 0 ? 1 : 0;
  LogregOptions lo;
  EXPECT_TRUE(logreg(t, labels, lo, np).converged);
  lo.max_iterations = 1;
  EXPECT_FALSE(logreg(t, labels, lo, np).converged);

  KmeansOptions ko;
  ko.k = 2;
  EXPECT_TRUE(kmeans(t, ko, np).converged);
  ko.k = 5;
  ko.max_iterations = 1;
  EXPECT_FALSE(kmeans(t, ko, np).converged);

  RowMatrix pos = x.cwiseAbs();
  GnmfOptions go;
  go.rank = 2;
  go.max_iterations = 2000;
  EXPECT_TRUE(gnmf(DenseDataMatrix(view(pos)), go, np).converged);
  go.max_iterations = 2;
  go.tolerance = 0;
  EXPECT_FALSE(gnmf(DenseDataMatrix(view(pos)), go, np).converged);
}
