#include "core/ml/linreg.hpp"

#include <cmath>
#include <limits>
#include <random>
#include <string>

#include "core/errors.hpp"

namespace morpheus::ml {
namespace {

double objective(const Vec& residual, const Vec& w, double l2) {
  return 0.5 * residual.squaredNorm() / static_cast<double>(residual.size()) + 0.5 * l2 * w.squaredNorm();
}

}  // namespace

double estimate_curvature(const DataMatrix& t, int iterations) {
  std::mt19937_64 gen(12345);
  std::normal_distribution<double> normal;
  Vec v(t.cols());
  for (Index i = 0; i < v.size(); ++i) v(i) = normal(gen);
  double lambda = 0;
  for (int k = 0; k < iterations; ++k) {
    const double nv = v.norm();
    if (nv == 0) return 0;
    v /= nv;
    Vec tv = t.times(v);
    Vec next = t.transpose_times(tv);
    lambda = v.dot(next) / static_cast<double>(t.rows());
    v = next;
  }
  return lambda;
}

LinregResult linreg(const DataMatrix& t, const Vec& y, const LinregOptions& o, Progress& progress) {
  if (y.size() != t.rows())
    throw invalid_parameter(
        "y has " + std::to_string(y.size()) + " elements but x has " + std::to_string(t.rows()) + " rows",
        "Pass one target value per row of x.");
  const double n = static_cast<double>(t.rows());
  LinregResult r;
  if (o.method == LinregMethod::Normal) {
    Mat g = t.crossprod() / n;
    g.diagonal().array() += o.l2;
    Mat rhs = t.transpose_times(y) / n;
    RowMatrix gi(g.cols(), g.rows());
    RowMatrix gr = g;
    ginv(ConstRowMap(gr.data(), gr.rows(), gr.cols()), RowMap(gi.data(), gi.rows(), gi.cols()));
    r.weights = gi * rhs;
    const Vec residual = t.times(r.weights) - y;
    const Vec grad = t.transpose_times(residual) / n + o.l2 * r.weights;
    r.trace.push_back({1, objective(residual, r.weights, o.l2), grad.norm()});
    progress.step(1, 1, r.trace.back().loss);
    return r;
  }
  if (o.max_iterations < 1)
    throw invalid_parameter("max_iterations must be at least 1, got " + std::to_string(o.max_iterations));
  double step = o.learning_rate;
  if (!(step > 0)) {
    const double curvature = estimate_curvature(t) + o.l2;
    // Power iteration approaches the top eigenvalue from below: keep a margin.
    step = curvature > 0 ? 1.0 / (1.1 * curvature) : 1.0;
  }
  Vec w = Vec::Zero(t.cols());
  Vec residual = -y;
  double loss = objective(residual, w, o.l2);
  double g0 = -1;
  double gn = 0;
  for (int it = 1; it <= o.max_iterations; ++it) {
    const Vec grad = t.transpose_times(residual) / n + o.l2 * w;
    gn = grad.norm();
    if (g0 < 0) g0 = gn;
    if (gn <= o.tolerance * (1 + g0)) break;
    Vec w_new = w - step * grad;
    Vec res_new = t.times(w_new) - y;
    double loss_new = objective(res_new, w_new, o.l2);
    if (!std::isfinite(loss_new))
      throw out_of_range("gradient descent diverged at iteration " + std::to_string(it),
                         "Lower learning_rate, or leave it unset to derive it from the data.");
    w = std::move(w_new);
    residual = std::move(res_new);
    loss = loss_new;
    r.trace.push_back({it, loss, gn});
    progress.step(it, o.max_iterations, loss);
  }
  r.weights = w;
  if (r.trace.empty()) r.trace.push_back({0, loss, gn});
  return r;
}

}  // namespace morpheus::ml
