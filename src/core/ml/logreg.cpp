#include "core/ml/logreg.hpp"

#include <cmath>
#include <deque>
#include <string>

#include "core/errors.hpp"
#include "core/glm/glm.hpp"
#include "core/ml/linreg.hpp"

namespace morpheus::ml {
namespace {

struct Eval {
  double loss;
  Vec grad;
};

// The in-memory passes: margins T w and T d kept as vectors, products through the DataMatrix.
class MemoryLogistic final : public LogisticPasses {
 public:
  MemoryLogistic(const DataMatrix& t, Vec ypm) : t_(t), ypm_(std::move(ypm)), margins_(Vec::Zero(t.rows())) {}
  Index rows() override { return t_.rows(); }
  Index cols() const override { return t_.cols(); }
  double start(Vec& gradient) override {
    margins_.setZero();
    gradient = gradient_at(margins_);
    return mean_loss(margins_);
  }
  void set_line(const Vec&, const Vec& direction) override { td_ = t_.times(direction); }
  double line_loss(double a, const Vec&) override {
    m_new_ = margins_ + a * td_;
    return mean_loss(m_new_);
  }
  Vec accept(double, const Vec&) override {
    margins_ = std::move(m_new_);
    return gradient_at(margins_);
  }
  double curvature() override { return estimate_curvature(t_); }

 private:
  double mean_loss(const Vec& margins) const {
    double s = 0;
    for (Index i = 0; i < ypm_.size(); ++i) s += logistic_row_loss(ypm_(i), margins(i));
    return s / static_cast<double>(ypm_.size());
  }
  Vec gradient_at(const Vec& margins) const {
    const double n = static_cast<double>(ypm_.size());
    Vec coef(ypm_.size());
    for (Index i = 0; i < ypm_.size(); ++i) coef(i) = logistic_row_slope(ypm_(i), margins(i)) / n;
    return t_.transpose_times(coef);
  }

  const DataMatrix& t_;
  Vec ypm_;
  Vec margins_, td_, m_new_;
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
