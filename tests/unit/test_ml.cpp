// ML algorithms over the DataMatrix interface, checked against independent computations on dense data:
// least squares by QR, logistic regression by an independent Newton (IRLS) solve, k-means against brute-force
// assignment, GNMF objective against the explicit residual and monotone decrease.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "core/errors.hpp"
#include "core/ml/data_matrix.hpp"
#include "core/ml/gnmf.hpp"
#include "core/ml/kmeans.hpp"
#include "core/ml/linreg.hpp"
#include "core/ml/logreg.hpp"

using namespace morpheus;
using namespace morpheus::ml;

namespace {

RowMatrix random_matrix(Index n, Index d, unsigned seed, double lo = -1, double hi = 1) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> u(lo, hi);
  RowMatrix m(n, d);
  for (Index i = 0; i < n; ++i)
    for (Index j = 0; j < d; ++j) m(i, j) = u(gen);
  return m;
}

ConstRowMap view(const RowMatrix& m) { return ConstRowMap(m.data(), m.rows(), m.cols()); }

double rel(const Vec& a, const Vec& b) { return (a - b).norm() / (1 + b.norm()); }

}  // namespace

TEST(DataMatrix, DenseOperationsMatchEigen) {
  const RowMatrix t = random_matrix(7, 4, 1);
  DenseDataMatrix m(view(t));
  const Mat x = random_matrix(4, 3, 2);
  const Mat p = random_matrix(7, 2, 3);
  EXPECT_LT((m.times(x) - t * x).norm(), 1e-13);
  EXPECT_LT((m.transpose_times(p) - t.transpose() * p).norm(), 1e-13);
  EXPECT_LT((m.crossprod() - t.transpose() * t).norm(), 1e-13);
  EXPECT_LT((m.row_squared_norms() - t.rowwise().squaredNorm()).norm(), 1e-13);
  EXPECT_EQ(m.row(3), Vec(t.row(3).transpose()));
  EXPECT_EQ(m.min_coeff(), t.minCoeff());
}

TEST(Linreg, NormalEquationsMatchQrLeastSquares) {
  const RowMatrix t = random_matrix(50, 6, 4);
  Vec y = random_matrix(50, 1, 5).col(0);
  NoProgress np;
  const auto r = linreg(DenseDataMatrix(view(t)), y, LinregOptions{}, np);
  const Vec qr = Mat(t).colPivHouseholderQr().solve(y);
  EXPECT_LT(rel(r.weights, qr), 1e-10);
}

TEST(Linreg, GradientDescentConvergesToLeastSquares) {
  const RowMatrix t = random_matrix(80, 4, 6);
  const Vec truth = (Vec(4) << 1, -2, 0.5, 3).finished();
  const Vec y = t * truth;
  LinregOptions o;
  o.method = LinregMethod::GradientDescent;
  o.max_iterations = 5000;
  o.tolerance = 1e-12;
  NoProgress np;
  const auto r = linreg(DenseDataMatrix(view(t)), y, o, np);
  EXPECT_LT(rel(r.weights, truth), 1e-8);
  for (size_t i = 1; i < r.trace.size(); ++i) EXPECT_LE(r.trace[i].loss, r.trace[i - 1].loss * (1 + 1e-12));
}

TEST(Linreg, RidgeMatchesClosedForm) {
  const RowMatrix t = random_matrix(30, 5, 7);
  const Vec y = random_matrix(30, 1, 8).col(0);
  LinregOptions o;
  o.l2 = 0.3;
  NoProgress np;
  const auto r = linreg(DenseDataMatrix(view(t)), y, o, np);
  const Mat a = Mat(t.transpose() * t) / 30.0 + 0.3 * Mat::Identity(5, 5);
  const Vec want = a.ldlt().solve(Vec(t.transpose() * y) / 30.0);
  EXPECT_LT(rel(r.weights, want), 1e-10);
}

TEST(Linreg, LengthMismatchIsInvalid) {
  const RowMatrix t = random_matrix(5, 2, 9);
  NoProgress np;
  EXPECT_THROW(linreg(DenseDataMatrix(view(t)), Vec::Zero(4), LinregOptions{}, np), Error);
}

// Independent reference: Newton's method (IRLS) on the materialized data.
Vec newton_logreg(const RowMatrix& t, const Vec& ypm, double l2) {
  const Index n = t.rows(), d = t.cols();
  Vec w = Vec::Zero(d);
  for (int it = 0; it < 100; ++it) {
    Vec grad = l2 * w;
    Mat h = l2 * Mat::Identity(d, d);
    for (Index i = 0; i < n; ++i) {
      const double m = t.row(i).dot(w);
      const double p = 1 / (1 + std::exp(ypm(i) * m));  // sigma(-y m)
      grad -= ypm(i) * p * t.row(i).transpose() / static_cast<double>(n);
      h += p * (1 - p) * t.row(i).transpose() * t.row(i) / static_cast<double>(n);
    }
    const Vec step = h.ldlt().solve(grad);
    w -= step;
    if (step.norm() < 1e-14) break;
  }
  return w;
}

TEST(Logreg, LbfgsMatchesIndependentNewtonSolve) {
  const RowMatrix t = random_matrix(120, 5, 10);
  std::mt19937 gen(11);
  std::uniform_real_distribution<double> u(0, 1);
  const Vec truth = (Vec(5) << 1.5, -1, 0.5, 2, -0.5).finished();
  Vec y(120);
  for (Index i = 0; i < 120; ++i) y(i) = u(gen) < 1 / (1 + std::exp(-t.row(i).dot(truth))) ? 1 : 0;
  LogregOptions o;
  o.tolerance = 1e-12;
  o.max_iterations = 500;
  o.l2 = 0.01;
  NoProgress np;
  const auto r = logreg(DenseDataMatrix(view(t)), y, o, np);
  const Vec want = newton_logreg(t, logistic_labels(y), 0.01);
  EXPECT_LT(rel(r.weights, want), 1e-7);
  EXPECT_LT(r.trace.size(), 60u) << "L-BFGS should need few passes";
}

TEST(Logreg, GradientDescentDecreasesAndApproachesOptimum) {
  const RowMatrix t = random_matrix(60, 3, 12);
  Vec y(60);
  for (Index i = 0; i < 60; ++i) y(i) = t(i, 0) + 0.3 * t(i, 1) > 0 ? 1 : -1;
  LogregOptions o;
  o.method = LogregMethod::GradientDescent;
  o.l2 = 0.1;
  o.max_iterations = 3000;
  o.tolerance = 1e-10;
  NoProgress np;
  const auto r = logreg(DenseDataMatrix(view(t)), y, o, np);
  for (size_t i = 1; i < r.trace.size(); ++i) EXPECT_LE(r.trace[i].loss, r.trace[i - 1].loss + 1e-15);
  EXPECT_LT(rel(r.weights, newton_logreg(t, y, 0.1)), 1e-6);
}

TEST(Logreg, RejectsBadLabels) {
  Vec y(3);
  y << 0, 1, 2;
  EXPECT_THROW(logistic_labels(y), Error);
  y << 0, -1, 1;
  EXPECT_THROW(logistic_labels(y), Error);
  y << 0, std::nan(""), 1;
  EXPECT_THROW(logistic_labels(y), Error);
}

TEST(Kmeans, AssignmentsMatchBruteForceAndCentersAreMeans) {
  // three well-separated blobs plus noise
  RowMatrix t = random_matrix(90, 2, 13, -0.5, 0.5);
  for (Index i = 0; i < 90; ++i) t(i, 0) += 5.0 * static_cast<double>(i % 3);
  KmeansOptions o;
  o.k = 3;
  o.seed = 42;
  NoProgress np;
  const auto r = kmeans(DenseDataMatrix(view(t)), o, np);
  // Lloyd's last step updates the centers after the final assignment; at convergence they agree.
  double loss = 0;
  for (Index i = 0; i < 90; ++i) {
    int best = -1;
    double bd = 1e300;
    for (int j = 0; j < 3; ++j) {
      double dist = 0;
      for (Index c = 0; c < 2; ++c) dist += (t(i, c) - r.centers(j, c)) * (t(i, c) - r.centers(j, c));
      if (dist < bd) bd = dist, best = j;
    }
    EXPECT_EQ(r.assignment[static_cast<size_t>(i)], best) << "row " << i;
    loss += bd;
  }
  for (int j = 0; j < 3; ++j) {
    Vec mean = Vec::Zero(2);
    int count = 0;
    for (Index i = 0; i < 90; ++i)
      if (r.assignment[static_cast<size_t>(i)] == j) mean += t.row(i).transpose(), ++count;
    ASSERT_GT(count, 0);
    EXPECT_LT((mean / count - Vec(r.centers.row(j).transpose())).norm(), 1e-12);
  }
  EXPECT_NEAR(r.trace.back().loss, loss, 1e-9 * (1 + loss));
  // the blobs are recovered: every cluster holds exactly one residue class
  for (Index i = 3; i < 90; ++i)
    EXPECT_EQ(r.assignment[static_cast<size_t>(i)], r.assignment[static_cast<size_t>(i % 3)]);
}

TEST(Kmeans, SeededRunsAreReproducibleAndKIsChecked) {
  const RowMatrix t = random_matrix(40, 3, 14);
  KmeansOptions o;
  o.k = 4;
  o.seed = 7;
  NoProgress np;
  const auto a = kmeans(DenseDataMatrix(view(t)), o, np);
  const auto b = kmeans(DenseDataMatrix(view(t)), o, np);
  EXPECT_EQ(a.assignment, b.assignment);
  EXPECT_EQ(a.centers, b.centers);
  o.k = 41;
  EXPECT_THROW(kmeans(DenseDataMatrix(view(t)), o, np), Error);
  o.k = 0;
  EXPECT_THROW(kmeans(DenseDataMatrix(view(t)), o, np), Error);
}

TEST(Gnmf, ObjectiveIsExactAndNonIncreasing) {
  const RowMatrix t = random_matrix(30, 8, 15, 0, 2);
  GnmfOptions o;
  o.rank = 3;
  o.max_iterations = 60;
  NoProgress np;
  const auto r = gnmf(DenseDataMatrix(view(t)), o, np);
  const double direct = (Mat(t) - r.w * r.h.transpose()).squaredNorm();
  EXPECT_NEAR(r.trace.back().loss, direct, 1e-9 * (1 + direct));
  for (size_t i = 1; i < r.trace.size(); ++i) EXPECT_LE(r.trace[i].loss, r.trace[i - 1].loss * (1 + 1e-12));
  EXPECT_GE(r.w.minCoeff(), 0);
  EXPECT_GE(r.h.minCoeff(), 0);
}

TEST(Gnmf, RejectsNegativeDataAndBadRank) {
  RowMatrix t = random_matrix(5, 3, 16, 0, 1);
  GnmfOptions o;
  NoProgress np;
  o.rank = 0;
  EXPECT_THROW(gnmf(DenseDataMatrix(view(t)), o, np), Error);
  o.rank = 2;
  t(1, 1) = -0.5;
  EXPECT_THROW(gnmf(DenseDataMatrix(view(t)), o, np), Error);
}
