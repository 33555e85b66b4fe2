#include "core/ml/linreg.hpp"

#include <cmath>
#include <limits>
#include <string>

#include "core/errors.hpp"
#include "core/random.hpp"

namespace morpheus::ml {
namespace {

// sse = |T w - y|^2 over n rows.
double objective(double sse, double n, const Vec& w, double l2) { return 0.5 * sse / n + 0.5 * l2 * w.squaredNorm(); }

}  // namespace

double power_iteration(const std::function<Vec(const Vec&)>& gram_times, Index d, Index n, int iterations) {
  Rng gen(12345);
  Vec v(d);
  for (Index i = 0; i < v.size(); ++i) v(i) = gen.normal();
  double lambda = 0;
  for (int k = 0; k < iterations; ++k) {
    const double nv = v.norm();
    if (nv == 0) return 0;
    v /= nv;
    Vec next = gram_times(v);
    lambda = v.dot(next) / static_cast<double>(n);
    v = next;
  }
  return lambda;
}

double estimate_curvature(const DataMatrix& t, int iterations) {
  return power_iteration([&t](const Vec& v) -> Vec { return t.transpose_times(t.times(v)); }, t.cols(), t.rows(),
                         iterations);
}

namespace {

// The in-memory passes: products through the DataMatrix (factorized or not), y held as a vector.
class MemoryLeastSquares final : public LeastSquaresPasses {
 public:
  MemoryLeastSquares(const DataMatrix& t, const Vec& y) : t_(t), y_(y) {}
  Index rows() override { return t_.rows(); }
  Index cols() const override { return t_.cols(); }
  void normal_equations(Mat& gram, Vec& rhs) override {
    gram = t_.crossprod();
    rhs = t_.transpose_times(y_);
  }
  double residual(const Vec& w, Vec& gradient) override {
    const Vec r = t_.times(w) - y_;
    gradient = t_.transpose_times(r);
    return r.squaredNorm();
  }
  double curvature() override { return estimate_curvature(t_); }

 private:
  const DataMatrix& t_;
  const Vec& y_;
};

}  // namespace

LinregResult linreg(const DataMatrix& t, const Vec& y, const LinregOptions& o, Progress& progress) {
  if (y.size() != t.rows())
    throw invalid_parameter(
        "y has " + std::to_string(y.size()) + " elements but x has " + std::to_string(t.rows()) + " rows",
        "Pass one target value per row of x.");
  MemoryLeastSquares data(t, y);
  return linreg(data, o, progress);
}

LinregResult linreg(LeastSquaresPasses& data, const LinregOptions& o, Progress& progress) {
  LinregResult r;
  if (o.method == LinregMethod::Normal) {
    Mat gram;
    Vec rhs;
    data.normal_equations(gram, rhs);  // pass 1
    r.gram = gram;
    r.rhs = rhs;
    const double n = static_cast<double>(data.rows());
    Mat g = gram / n;
    g.diagonal().array() += o.l2;
    rhs /= n;
    RowMatrix gi(g.cols(), g.rows());
    RowMatrix gr = g;
    ginv(ConstRowMap(gr.data(), gr.rows(), gr.cols()), RowMap(gi.data(), gi.rows(), gi.cols()));
    r.weights = gi * rhs;
    Vec tr;
    const double sse = data.residual(r.weights, tr);  // pass 2
    const Vec grad = tr / n + o.l2 * r.weights;
    r.trace.push_back({1, objective(sse, n, r.weights, o.l2), grad.norm()});
    r.final_grad_norm = grad.norm();
    progress.step(1, 1, r.trace.back().loss);
    return r;
  }
  if (o.max_iterations < 1)
    throw invalid_parameter("max_iterations must be at least 1, got " + std::to_string(o.max_iterations));
  double step = o.learning_rate;
  if (!(step > 0)) {
    const double curvature = data.curvature() + o.l2;
    // Power iteration approaches the top eigenvalue from below: keep a margin.
    step = curvature > 0 ? 1.0 / (1.1 * curvature) : 1.0;
  }
  Vec w = Vec::Zero(data.cols());
  Vec tr;
  const double sse0 = data.residual(w, tr);
  const double n = static_cast<double>(data.rows());
  double loss = objective(sse0, n, w, o.l2);
  double g0 = -1;
  double gn = 0;
  r.converged = false;
  for (int done = 0;; ++done) {  // done: steps taken so far; tr holds the residual gradient at w
    const Vec grad = tr / n + o.l2 * w;
    gn = grad.norm();
    if (g0 < 0) g0 = gn;
    if (gn <= o.tolerance * (1 + g0)) {
      r.converged = true;
      break;
    }
    if (done == o.max_iterations) break;
    const int it = done + 1;
    Vec w_new = w - step * grad;
    Vec tr_new;
    const double sse = data.residual(w_new, tr_new);  // one pass: the loss here and the next gradient
    double loss_new = objective(sse, n, w_new, o.l2);
    if (!std::isfinite(loss_new))
      throw out_of_range("gradient descent diverged at iteration " + std::to_string(it),
                         "Lower learning_rate, or leave it unset to derive it from the data.");
    w = std::move(w_new);
    tr = std::move(tr_new);
    loss = loss_new;
    r.trace.push_back({it, loss, gn});
    progress.step(it, o.max_iterations, loss);
  }
  r.weights = w;
  if (r.trace.empty()) r.trace.push_back({0, loss, gn});
  r.final_grad_norm = gn;
  return r;
}

}  // namespace morpheus::ml
