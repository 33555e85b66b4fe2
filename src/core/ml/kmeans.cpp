#include "core/ml/kmeans.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/errors.hpp"
#include "core/random.hpp"

namespace morpheus::ml {
namespace {

// n x k squared distances between the rows of T and the columns of c (d x k).
Mat distances(const DataMatrix& t, const Vec& row_sq, const Mat& c) {
  Mat d = -2.0 * t.times(c);
  d.colwise() += row_sq;
  d.rowwise() += c.colwise().squaredNorm();
  return d.cwiseMax(0.0);
}

class MemoryKmeans final : public KmeansPasses {
 public:
  explicit MemoryKmeans(const DataMatrix& t) : t_(t), row_sq_(t.row_squared_norms()) {
    assignment_.assign(static_cast<size_t>(t.rows()), -1);
  }
  Index rows() override { return t_.rows(); }
  Index cols() const override { return t_.cols(); }
  Vec row(Index i) override { return t_.row(i); }
  double add_seed(const Vec& center) override {
    const Vec d = distances(t_, row_sq_, center).col(0);
    nearest_ = nearest_.size() == 0 ? d : Vec(nearest_.cwiseMin(d));
    return nearest_.sum();
  }
  Index pick_seed(double target) override {
    const Index n = t_.rows();
    double acc = 0;
    for (Index i = 0; i < n; ++i) {
      acc += nearest_(i);
      if (acc >= target && nearest_(i) > 0) return i;
    }
    return n - 1;
  }
  Step assign(const Mat& c) override {
    const Index n = t_.rows();
    const int k = static_cast<int>(c.cols());
    const Mat d = distances(t_, row_sq_, c);
    Step s;
    best_.resize(n);
    for (Index i = 0; i < n; ++i) {
      Index arg = 0;
      d.row(i).minCoeff(&arg);  // first minimum: ties go to the lowest index
      best_(i) = d(i, arg);
      s.loss += best_(i);
      if (assignment_[static_cast<size_t>(i)] != static_cast<int>(arg)) s.changed = true;
      assignment_[static_cast<size_t>(i)] = static_cast<int>(arg);
    }
    // Update: C = T' A / counts.
    Mat a = Mat::Zero(n, k);
    s.counts = Vec::Zero(k);
    for (Index i = 0; i < n; ++i) {
      a(i, assignment_[static_cast<size_t>(i)]) = 1;
      s.counts(assignment_[static_cast<size_t>(i)]) += 1;
    }
    s.sums = t_.transpose_times(a);
    return s;
  }
  Vec farthest() override {
    Index far = 0;
    best_.maxCoeff(&far);
    best_(far) = 0;
    return t_.row(far);
  }
  std::vector<int> assignment() override { return assignment_; }

 private:
  const DataMatrix& t_;
  Vec row_sq_;
  Vec nearest_;
  Vec best_;
  std::vector<int> assignment_;
};

}  // namespace

KmeansResult kmeans(const DataMatrix& t, const KmeansOptions& o, Progress& progress) {
  MemoryKmeans data(t);
  return kmeans(data, o, progress);
}

KmeansResult kmeans(KmeansPasses& data, const KmeansOptions& o, Progress& progress) {
  if (o.k < 1) throw invalid_parameter("k must be at least 1, got " + std::to_string(o.k));
  if (o.max_iterations < 1)
    throw invalid_parameter("max_iterations must be at least 1, got " + std::to_string(o.max_iterations));
  const Index n = data.rows();
  if (o.k > n)
    throw invalid_parameter("k = " + std::to_string(o.k) + " but x has only " + std::to_string(n) + " rows",
                            "Choose k no larger than the number of rows.");
  Rng gen(o.seed);
  const auto pick = [&gen, n] { return static_cast<Index>(gen.below(static_cast<std::uint64_t>(n))); };

  // k-means++ seeding: first center uniform, then proportional to the squared distance to the nearest center.
  Mat c(data.cols(), o.k);
  c.col(0) = data.row(pick());
  double total = data.add_seed(c.col(0));
  for (int j = 1; j < o.k; ++j) {
    Index chosen = 0;
    if (total > 0) {
      chosen = data.pick_seed(gen.uniform() * total);
    } else {
      chosen = pick();  // all points coincide with the centers so far
    }
    c.col(j) = data.row(chosen);
    if (j + 1 < o.k) total = data.add_seed(c.col(j));
  }

  KmeansResult r;
  for (int it = 1; it <= o.max_iterations; ++it) {
    const KmeansPasses::Step s = data.assign(c);
    bool changed = s.changed;
    r.trace.push_back({it, s.loss, std::nan("")});
    progress.step(it, o.max_iterations, s.loss);
    for (int j = 0; j < o.k; ++j) {
      if (s.counts(j) > 0) {
        c.col(j) = s.sums.col(j) / s.counts(j);
      } else {
        c.col(j) = data.farthest();
        changed = true;
      }
    }
    if (!changed && it > 1) {
      r.converged = true;
      break;
    }
  }
  r.assignment = data.assignment();
  r.centers = c.transpose();
  return r;
}

}  // namespace morpheus::ml
