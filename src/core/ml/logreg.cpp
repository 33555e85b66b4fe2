#include "core/ml/logreg.hpp"

#include <cmath>
#include <deque>
#include <string>

#include "core/errors.hpp"
#include "core/ml/linreg.hpp"

namespace morpheus::ml {
namespace {

// log(1 + exp(-z)), stable for large |z|.
double log1pexp_neg(double z) { return z > 0 ? std::log1p(std::exp(-z)) : -z + std::log1p(std::exp(z)); }

// 1 / (1 + exp(z)), stable.
double sigmoid_neg(double z) {
  if (z >= 0) {
    const double e = std::exp(-z);
    return e / (1 + e);
  }
  return 1 / (1 + std::exp(z));
}

struct Eval {
  double loss;
  Vec grad;
};

Eval evaluate(const DataMatrix& t, const Vec& ypm, const Vec& w, const Vec& margins, double l2) {
  const double n = static_cast<double>(ypm.size());
  Vec coef(ypm.size());
  for (Index i = 0; i < ypm.size(); ++i) coef(i) = -ypm(i) * sigmoid_neg(ypm(i) * margins(i)) / n;
  Eval e;
  e.loss = logistic_objective(margins, ypm, w, l2);
  e.grad = t.transpose_times(coef) + l2 * w;
  return e;
}

}  // namespace

Vec logistic_labels(const Vec& y) {
  bool zero_one = false, minus_one = false;
  Vec out(y.size());
  for (Index i = 0; i < y.size(); ++i) {
    const double v = y(i);
    if (v == 1) {
      out(i) = 1;
    } else if (v == 0) {
      out(i) = -1;
      zero_one = true;
    } else if (v == -1) {
      out(i) = -1;
      minus_one = true;
    } else {
      throw invalid_parameter("y[" + std::to_string(i + 1) + "] = " + format_number(v) + " is not a class label",
                              "Logistic regression takes labels 0/1 or -1/+1.");
    }
  }
  if (zero_one && minus_one)
    throw invalid_parameter("y mixes 0 and -1 labels", "Use either 0/1 or -1/+1 labels, not both.");
  return out;
}

double logistic_objective(const Vec& margins, const Vec& ypm, const Vec& w, double l2) {
  double s = 0;
  for (Index i = 0; i < ypm.size(); ++i) s += log1pexp_neg(ypm(i) * margins(i));
  return s / static_cast<double>(ypm.size()) + 0.5 * l2 * w.squaredNorm();
}

LogregResult logreg(const DataMatrix& t, const Vec& y, const LogregOptions& o, Progress& progress) {
  if (y.size() != t.rows())
    throw invalid_parameter(
        "y has " + std::to_string(y.size()) + " elements but x has " + std::to_string(t.rows()) + " rows",
        "Pass one label per row of x.");
  if (o.max_iterations < 1)
    throw invalid_parameter("max_iterations must be at least 1, got " + std::to_string(o.max_iterations));
  const Vec ypm = logistic_labels(y);
  LogregResult r;
  Vec w = Vec::Zero(t.cols());
  Vec margins = Vec::Zero(t.rows());
  Eval cur = evaluate(t, ypm, w, margins, o.l2);
  const double g0 = cur.grad.norm();
  double step = o.learning_rate;
  if (o.method == LogregMethod::GradientDescent && !(step > 0)) {
    const double curvature = estimate_curvature(t) / 4 + o.l2;
    step = curvature > 0 ? 1.0 / (1.1 * curvature) : 1.0;
  }
  std::deque<Vec> s_hist, y_hist;
  for (int it = 1; it <= o.max_iterations; ++it) {
    if (cur.grad.norm() <= o.tolerance * (1 + g0)) break;
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
    const Vec td = t.times(direction);
    const double slope = cur.grad.dot(direction);
    double a = 1.0;
    Vec w_new, m_new;
    double loss_new = 0;
    bool decreased = false;
    for (int tries = 0; tries < 30; ++tries) {
      w_new = w + a * direction;
      m_new = margins + a * td;
      loss_new = logistic_objective(m_new, ypm, w_new, o.l2);
      if (loss_new <= cur.loss + 1e-4 * a * slope) {
        decreased = true;
        break;
      }
      a *= 0.5;
    }
    // No step along the direction lowers the loss: the iterate is optimal to the precision of the loss.
    if (!decreased || !(slope < 0)) break;
    Eval next = evaluate(t, ypm, w_new, m_new, o.l2);
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
    margins = std::move(m_new);
    cur = std::move(next);
    r.trace.push_back({it, cur.loss, cur.grad.norm()});
    progress.step(it, o.max_iterations, cur.loss);
  }
  if (r.trace.empty()) r.trace.push_back({0, cur.loss, cur.grad.norm()});
  r.weights = w;
  return r;
}

}  // namespace morpheus::ml
