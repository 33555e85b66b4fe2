#include "core/ml/kmeans.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/errors.hpp"
#include "core/random.hpp"
#include "core/row_op.hpp"

namespace morpheus::ml {
namespace {

// n x k squared distances between the rows of T and the columns of c (d x k).
Mat distances(const DataMatrix& t, const Vec& row_sq, const Mat& c) {
  Mat d = -2.0 * t.times(c);
  d.colwise() += row_sq;
  d.rowwise() += c.colwise().squaredNorm();
  return d.cwiseMax(0.0);
}

// One fused Lloyd assignment: m = T C tile by tile; row i takes the first center minimizing
// max((-2 m_ij + |x_i|^2) + |c_j|^2, 0) (the order of the unfused expression); P is the one-hot assignment, so the
// pass returns T' A, the per-center sums. Loss, counts and "changed" are kept per block.
class AssignOp final : public RowOp {
 public:
  AssignOp(const Vec& row_sq, const Vec& c_sq, Vec& best, std::vector<int>& assignment, int blocks)
      : row_sq_(row_sq.data()),
        c_sq_(c_sq.data()),
        k_(static_cast<int>(c_sq.size())),
        best_(best.data()),
        assignment_(assignment.data()),
        loss_(static_cast<size_t>(blocks), 0.0),
        counts_(static_cast<size_t>(blocks) * static_cast<size_t>(c_sq.size()), 0.0),
        changed_(static_cast<size_t>(blocks), 0),
        dist_(static_cast<size_t>(blocks) * static_cast<size_t>(c_sq.size())) {}
  void apply(int block, std::int64_t row0, std::int64_t rows, const double* m, double* p) override {
    double loss = 0;
    double* counts = counts_.data() + static_cast<size_t>(block) * k_;
    bool changed = false;
    double* dist = dist_.data() + static_cast<size_t>(block) * k_;
    for (std::int64_t i = 0; i < rows; ++i) {
      const std::int64_t r = row0 + i;
      const double* mi = m + i * k_;
      const double rs = row_sq_[r];
      // The k distances first (a branch-free loop the compiler vectorizes), then the first minimum.
      for (int j = 0; j < k_; ++j) dist[j] = std::max((-2.0 * mi[j] + rs) + c_sq_[j], 0.0);
      int arg = 0;
      double lo = dist[0];
      for (int j = 1; j < k_; ++j)
        if (dist[j] < lo) lo = dist[j], arg = j;
      best_[r] = lo;
      loss += lo;
      changed = changed || assignment_[r] != arg;
      assignment_[r] = arg;
      counts[arg] += 1;
      double* pi = p + i * k_;
      for (int j = 0; j < k_; ++j) pi[j] = 0;
      pi[arg] = 1;
    }
    loss_[static_cast<size_t>(block)] += loss;
    if (changed) changed_[static_cast<size_t>(block)] = 1;
  }
  void finish(KmeansPasses::Step& s) const {
    s.loss = 0;
    s.counts = Vec::Zero(k_);
    s.changed = false;
    for (size_t b = 0; b < loss_.size(); ++b) {
      s.loss += loss_[b];
      for (int j = 0; j < k_; ++j) s.counts(j) += counts_[b * k_ + j];
      s.changed = s.changed || changed_[b] != 0;
    }
  }

 private:
  const double* row_sq_;
  const double* c_sq_;
  int k_;
  double* best_;
  int* assignment_;
  std::vector<double> loss_, counts_;
  std::vector<char> changed_;
  std::vector<double> dist_;  // per block: the current row's k distances
};

class MemoryKmeans final : public KmeansPasses {
 public:
  explicit MemoryKmeans(const DataMatrix& t) : t_(t), row_sq_(t.row_squared_norms()), best_(t.rows()) {
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
    const int k = static_cast<int>(c.cols());
    const Vec c_sq = c.colwise().squaredNorm().transpose();
    AssignOp op(row_sq_, c_sq, best_, assignment_, t_.pass_blocks(k));
    Step s;
    s.sums = t_.fused_pass(c, op, true);
    op.finish(s);
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
