#include "core/ml/linreg.hpp"

#include <cmath>
#include <limits>
#include <string>

#include "core/errors.hpp"
#include "core/linalg/cholesky.hpp"
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

// One fused pass of the residual: r = T w - y row by row (written as P, so the pass returns T' r) and |r|^2 summed
// per block, then in block order.
class ResidualOp final : public RowOp {
 public:
  ResidualOp(const Vec& y, int blocks) : y_(y.data()), sse_(static_cast<size_t>(blocks), 0.0) {}
  void apply(int block, std::int64_t row0, std::int64_t rows, const double* m, double* p) override {
    const double* y = y_ + row0;
    double s = 0;
    for (std::int64_t i = 0; i < rows; ++i) {
      const double r = m[i] - y[i];
      p[i] = r;
      s += r * r;
    }
    sse_[static_cast<size_t>(block)] += s;
  }
  double sse() const {
    double s = 0;
    for (double v : sse_) s += v;
    return s;
  }

 private:
  const double* y_;
  std::vector<double> sse_;
};

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
    ResidualOp op(y_, t_.pass_blocks(1));
    gradient = t_.fused_pass(w, op, true);
    return op.sse();
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
    const double d = static_cast<double>(data.cols());
    check_allocation(8.0 * d * d,
                     "the normal equations of " + std::to_string(data.cols()) + " columns (a d x d matrix)",
                     "Use method => 'gd' for very wide data.");
    Mat gram;
    Vec rhs;
    data.normal_equations(gram, rhs);  // pass 1
    r.gram = gram;
    r.rhs = rhs;
    const double n = static_cast<double>(data.rows());
    Mat g = gram / n;
    g.diagonal().array() += o.l2;
    rhs /= n;
    // Minimum-norm solution ginv(g) rhs by pivoted Cholesky (rank-revealing, interruptible).
    r.weights = linalg::psd_solve(g, rhs);
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
