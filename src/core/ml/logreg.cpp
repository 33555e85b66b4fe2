#include "core/ml/logreg.hpp"

#include <cmath>
#include <algorithm>
#include <deque>
#include <string>

#include "core/errors.hpp"
#include "core/glm/glm.hpp"
#include "core/ml/linreg.hpp"
#include "core/simd_math.hpp"

namespace morpheus::ml {
namespace {

struct Eval {
  double loss;
  Vec grad;
};

constexpr std::int64_t kTerms = 256;  // rows of the logistic terms computed at once (vectorized)

// Sum of log(1 + exp(-y m)) over rows, in the fixed order of the fused pass (per block, then blocks in order).
double mean_of(const std::vector<double>& block_sums, double n) {
  double s = 0;
  for (double v : block_sums) s += v;
  return s / n;
}

// The fused pass of one line-search direction: td = T d, the margins m1 = m + td of the unit step, their mean loss
// and the scaled gradient coefficients -y sigmoid(-y m1) / n as P, so that the pass also returns the gradient at
// the unit step (used when the line search accepts a = 1, as gradient descent with a safe step always does).
class LineOp final : public RowOp {
 public:
  LineOp(const Vec& ypm, const Vec& margins, Vec& td, Vec& m1, int blocks)
      : ypm_(ypm.data()),
        margins_(margins.data()),
        td_(td.data()),
        m1_(m1.data()),
        n_(ypm.size()),
        loss_(static_cast<size_t>(blocks), 0.0),
        z_(static_cast<size_t>(blocks) * kTerms),
        l_(static_cast<size_t>(blocks) * kTerms),
        s_(static_cast<size_t>(blocks) * kTerms) {}
  void apply(int block, std::int64_t row0, std::int64_t rows, const double* m, double* p) override {
    double* z = z_.data() + static_cast<size_t>(block) * kTerms;
    double* l = l_.data() + static_cast<size_t>(block) * kTerms;
    double* s = s_.data() + static_cast<size_t>(block) * kTerms;
    double acc = 0;
    const double inv_n = 1.0 / static_cast<double>(n_);
    for (std::int64_t i0 = 0; i0 < rows; i0 += kTerms) {
      const std::int64_t len = std::min(kTerms, rows - i0);
      const std::int64_t r0 = row0 + i0;
      std::copy(m + i0, m + i0 + len, td_ + r0);
      for (std::int64_t i = 0; i < len; ++i) {
        const double m1 = margins_[r0 + i] + m[i0 + i];
        m1_[r0 + i] = m1;
        z[i] = ypm_[r0 + i] * m1;
      }
      simd::logistic_terms(z, l, s, len);
      for (std::int64_t i = 0; i < len; ++i) {
        acc += l[i];
        p[i0 + i] = -ypm_[r0 + i] * s[i] * inv_n;
      }
    }
    loss_[static_cast<size_t>(block)] += acc;
  }
  double mean_loss() const { return mean_of(loss_, static_cast<double>(n_)); }

 private:
  const double* ypm_;
  const double* margins_;
  double* td_;
  double* m1_;
  Index n_;
  std::vector<double> loss_, z_, l_, s_;
};

// The in-memory passes: margins T w and T d kept as vectors (allocated once), products through the DataMatrix.
class MemoryLogistic final : public LogisticPasses {
 public:
  MemoryLogistic(const DataMatrix& t, Vec ypm)
      : t_(t),
        ypm_(std::move(ypm)),
        margins_(Vec::Zero(t.rows())),
        td_(t.rows()),
        m_new_(t.rows()),
        z_(t.rows()),
        l_(t.rows()),
        s_(t.rows()) {}
  Index rows() override { return t_.rows(); }
  Index cols() const override { return t_.cols(); }
  double start(Vec& gradient) override {
    margins_.setZero();
    gradient = gradient_at(margins_);
    return mean_loss(margins_);
  }
  void set_line(const Vec&, const Vec& direction) override {
    LineOp op(ypm_, margins_, td_, m_new_, t_.pass_blocks(1));
    unit_gradient_ = t_.fused_pass(direction, op, true);
    unit_loss_ = op.mean_loss();
    unit_valid_ = true;
    new_is_unit_ = true;
  }
  double line_loss(double a, const Vec&) override {
    if (a == 1.0 && unit_valid_) {
      if (!new_is_unit_) m_new_ = margins_ + td_;
      new_is_unit_ = true;
      return unit_loss_;
    }
    m_new_ = margins_ + a * td_;
    new_is_unit_ = false;
    return mean_loss(m_new_);
  }
  Vec accept(double a, const Vec&) override {
    margins_.swap(m_new_);
    unit_valid_ = false;
    if (a == 1.0 && new_is_unit_) return unit_gradient_;
    return gradient_at(margins_);
  }
  double curvature() override { return estimate_curvature(t_); }

 private:
  // The loss in the same order as the fused pass (per block of pass_blocks, then blocks in order).
  double mean_loss(const Vec& margins) {
    const Index n = ypm_.size();
    z_ = ypm_.cwiseProduct(margins);
    simd::logistic_terms(z_.data(), l_.data(), s_.data(), n);
    const int nb = t_.pass_blocks(1);
    std::vector<double> sums(static_cast<size_t>(nb), 0.0);
    for (int b = 0; b < nb; ++b) {
      const Index lo = n * b / nb, hi = n * (b + 1) / nb;
      double acc = 0;
      for (Index i = lo; i < hi; ++i) acc += l_(i);
      sums[static_cast<size_t>(b)] = acc;
    }
    return mean_of(sums, static_cast<double>(n));
  }
  Vec gradient_at(const Vec& margins) {
    const double n = static_cast<double>(ypm_.size());
    z_ = ypm_.cwiseProduct(margins);
    simd::logistic_terms(z_.data(), l_.data(), s_.data(), ypm_.size());
    const Vec coef = -ypm_.cwiseProduct(s_) * (1.0 / n);
    return t_.transpose_times(coef);
  }

  const DataMatrix& t_;
  Vec ypm_;
  Vec margins_, td_, m_new_;
  Vec z_, l_, s_;  // scratch of the element-wise passes
  Vec unit_gradient_;
  double unit_loss_ = 0;
  bool unit_valid_ = false, new_is_unit_ = false;
};

}  // namespace

Vec logistic_labels(const Vec& y) {
  glm::check_labels(glm::Family::Logistic, y.data(), y.size(), "y");
  Vec out(y.size());
  for (Index i = 0; i < y.size(); ++i) out(i) = y(i) > 0 ? 1.0 : -1.0;
  return out;
}

double logistic_objective(const Vec& margins, const Vec& ypm, const Vec& w, double l2) {
  double s = 0;
  for (Index i = 0; i < ypm.size(); ++i) s += logistic_row_loss(ypm(i), margins(i));
  return s / static_cast<double>(ypm.size()) + 0.5 * l2 * w.squaredNorm();
}

double logistic_row_loss(double y, double m) { return glm::row_loss(glm::Family::Logistic, m, y); }
double logistic_row_slope(double y, double m) { return glm::row_slope(glm::Family::Logistic, m, y); }

LogregResult logreg(const DataMatrix& t, const Vec& y, const LogregOptions& o, Progress& progress) {
  if (y.size() != t.rows())
    throw invalid_parameter(
        "y has " + std::to_string(y.size()) + " elements but x has " + std::to_string(t.rows()) + " rows",
        "Pass one label per row of x.");
  if (o.max_iterations < 1)
    throw invalid_parameter("max_iterations must be at least 1, got " + std::to_string(o.max_iterations));
  MemoryLogistic data(t, logistic_labels(y));
  return logreg(data, o, progress);
}

LogregResult logreg(LogisticPasses& data, const LogregOptions& o, Progress& progress) {
  if (o.max_iterations < 1)
    throw invalid_parameter("max_iterations must be at least 1, got " + std::to_string(o.max_iterations));
  LogregResult r;
  Vec w = Vec::Zero(data.cols());
  Eval cur;
  cur.loss = data.start(cur.grad) + 0.5 * o.l2 * w.squaredNorm();
  cur.grad += o.l2 * w;
  const double g0 = cur.grad.norm();
  double step = o.learning_rate;
  if (o.method == LogregMethod::GradientDescent && !(step > 0)) {
    const double curvature = data.curvature() / 4 + o.l2;
    step = curvature > 0 ? 1.0 / (1.1 * curvature) : 1.0;
  }
  std::deque<Vec> s_hist, y_hist;
  for (int done = 0;; ++done) {  // done: steps taken so far
    if (cur.grad.norm() <= o.tolerance * (1 + g0)) {
      r.converged = true;
      break;
    }
    if (done == o.max_iterations) break;
    const int it = done + 1;
    Vec direction;
    if (o.method == LogregMethod::GradientDescent) {
      direction = -step * cur.grad;
    } else {
      // L-BFGS two-loop recursion.
      Vec q = cur.grad;
      std::vector<double> alpha(s_hist.size());
      for (int k = static_cast<int>(s_hist.size()) - 1; k >= 0; --k) {
        alpha[k] = s_hist[k].dot(q) / y_hist[k].dot(s_hist[k]);
        q -= alpha[k] * y_hist[k];
      }
      double gamma = 1.0;
      if (!s_hist.empty())
        gamma = s_hist.back().dot(y_hist.back()) / y_hist.back().squaredNorm();
      else
        gamma = 1.0 / std::max(1.0, cur.grad.norm());
      Vec z = gamma * q;
      for (size_t k = 0; k < s_hist.size(); ++k) {
        const double beta = y_hist[k].dot(z) / y_hist[k].dot(s_hist[k]);
        z += s_hist[k] * (alpha[k] - beta);
      }
      direction = -z;
    }
    // Backtracking line search (Armijo); gradient descent with a safe step accepts the first trial.
    data.set_line(w, direction);
    const double slope = cur.grad.dot(direction);
    double a = 1.0;
    Vec w_new;
    double loss_new = 0;
    bool decreased = false;
    for (int tries = 0; tries < 30; ++tries) {
      w_new = w + a * direction;
      loss_new = data.line_loss(a, w_new) + 0.5 * o.l2 * w_new.squaredNorm();
      if (loss_new <= cur.loss + 1e-4 * a * slope) {
        decreased = true;
        break;
      }
      a *= 0.5;
    }
    // No step along the direction lowers the loss: the iterate is optimal to the precision of the loss.
    if (!decreased || !(slope < 0)) {
      r.converged = true;
      break;
    }
    Eval next;
    next.loss = loss_new;
    next.grad = data.accept(a, w_new) + o.l2 * w_new;
    if (o.method == LogregMethod::Lbfgs) {
      Vec sv = w_new - w, yv = next.grad - cur.grad;
      if (sv.dot(yv) > 1e-12 * sv.norm() * yv.norm()) {
        s_hist.push_back(std::move(sv));
        y_hist.push_back(std::move(yv));
        if (static_cast<int>(s_hist.size()) > o.memory) {
          s_hist.pop_front();
          y_hist.pop_front();
        }
      }
    }
    w = std::move(w_new);
    cur = std::move(next);
    r.trace.push_back({it, cur.loss, cur.grad.norm()});
    progress.step(it, o.max_iterations, cur.loss);
  }
  if (r.trace.empty()) r.trace.push_back({0, cur.loss, cur.grad.norm()});
  r.weights = w;
  r.final_grad_norm = cur.grad.norm();
  return r;
}

}  // namespace morpheus::ml
