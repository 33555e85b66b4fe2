#include "core/ml/kmeans.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <string>

#include "core/errors.hpp"

namespace morpheus::ml {
namespace {

// n x k squared distances between the rows of T and the columns of c (d x k).
Mat distances(const DataMatrix& t, const Vec& row_sq, const Mat& c) {
  Mat d = -2.0 * t.times(c);
  d.colwise() += row_sq;
  d.rowwise() += c.colwise().squaredNorm();
  return d.cwiseMax(0.0);
}

}  // namespace

KmeansResult kmeans(const DataMatrix& t, const KmeansOptions& o, Progress& progress) {
  const Index n = t.rows();
  if (o.k < 1) throw invalid_parameter("k must be at least 1, got " + std::to_string(o.k));
  if (o.k > n)
    throw invalid_parameter("k = " + std::to_string(o.k) + " but x has only " + std::to_string(n) + " rows",
                            "Choose k no larger than the number of rows.");
  if (o.max_iterations < 1)
    throw invalid_parameter("max_iterations must be at least 1, got " + std::to_string(o.max_iterations));
  const Vec row_sq = t.row_squared_norms();
  std::mt19937_64 gen(o.seed);

  // k-means++ seeding: first center uniform, then proportional to the squared distance to the nearest center.
  Mat c(t.cols(), o.k);
  std::uniform_int_distribution<Index> pick(0, n - 1);
  c.col(0) = t.row(pick(gen));
  Vec nearest = distances(t, row_sq, c.col(0)).col(0);
  for (int j = 1; j < o.k; ++j) {
    const double total = nearest.sum();
    Index chosen = 0;
    if (total > 0) {
      std::uniform_real_distribution<double> u(0, total);
      double target = u(gen), acc = 0;
      chosen = n - 1;
      for (Index i = 0; i < n; ++i) {
        acc += nearest(i);
        if (acc >= target && nearest(i) > 0) {
          chosen = i;
          break;
        }
      }
    } else {
      chosen = pick(gen);  // all points coincide with the centers so far
    }
    c.col(j) = t.row(chosen);
    nearest = nearest.cwiseMin(distances(t, row_sq, c.col(j)).col(0));
  }

  KmeansResult r;
  r.assignment.assign(static_cast<size_t>(n), -1);
  for (int it = 1; it <= o.max_iterations; ++it) {
    const Mat d = distances(t, row_sq, c);
    bool changed = false;
    double loss = 0;
    Vec best(n);
    for (Index i = 0; i < n; ++i) {
      Index arg = 0;
      d.row(i).minCoeff(&arg);  // first minimum: ties go to the lowest index
      best(i) = d(i, arg);
      loss += best(i);
      if (r.assignment[static_cast<size_t>(i)] != static_cast<int>(arg)) changed = true;
      r.assignment[static_cast<size_t>(i)] = static_cast<int>(arg);
    }
    r.trace.push_back({it, loss, std::nan("")});
    progress.step(it, o.max_iterations, loss);
    // Update: C = T' A / counts.
    Mat a = Mat::Zero(n, o.k);
    Vec counts = Vec::Zero(o.k);
    for (Index i = 0; i < n; ++i) {
      a(i, r.assignment[static_cast<size_t>(i)]) = 1;
      counts(r.assignment[static_cast<size_t>(i)]) += 1;
    }
    Mat sums = t.transpose_times(a);
    for (int j = 0; j < o.k; ++j) {
      if (counts(j) > 0) {
        c.col(j) = sums.col(j) / counts(j);
      } else {
        Index far = 0;
        best.maxCoeff(&far);
        c.col(j) = t.row(far);
        best(far) = 0;
        changed = true;
      }
    }
    if (!changed && it > 1) break;
  }
  r.centers = c.transpose();
  return r;
}

}  // namespace morpheus::ml
