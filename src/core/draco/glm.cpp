// GLM losses, gradients and predictions (least squares, logistic, multinomial softmax, Poisson) in DRACO's parameter
// layout; the per-row losses and derivatives are the ones of the GLM module (core/glm).
#include <algorithm>
#include <cmath>

#include "core/draco/draco.hpp"
#include "core/errors.hpp"
#include "core/glm/glm.hpp"

namespace morpheus::draco {

Model parse_model(const std::string& name) {
  if (name == "least_squares") return Model::LeastSquares;
  if (name == "logistic") return Model::Logistic;
  if (name == "softmax") return Model::Softmax;
  if (name == "poisson") return Model::Poisson;
  throw invalid_parameter("model \"" + name + "\" is not supported",
                          "Valid models: least_squares, logistic, softmax, poisson.");
}

const char* model_name(Model m) {
  switch (m) {
    case Model::LeastSquares: return "least_squares";
    case Model::Logistic: return "logistic";
    case Model::Softmax: return "softmax";
    case Model::Poisson: return "poisson";
  }
  return "?";
}

namespace {

glm::Family glm_family(Model m) {
  switch (m) {
    case Model::LeastSquares: return glm::Family::LeastSquares;
    case Model::Logistic: return glm::Family::Logistic;
    case Model::Softmax: return glm::Family::Softmax;
    case Model::Poisson: return glm::Family::Poisson;
  }
  return glm::Family::LeastSquares;
}

}  // namespace

std::int64_t check_labels(Model m, const double* y, std::int64_t n, const char* query_arg) {
  return glm::check_labels(glm_family(m), y, n, std::string("the label of ") + query_arg);
}

namespace {

inline double dot_row(const double* x, const double* w, std::int64_t p) {
  double eta = w[p];  // intercept
  for (std::int64_t j = 0; j < p; ++j) eta += x[j] * w[j];
  return eta;
}

inline void axpy_row(double a, const double* x, double* g, std::int64_t p) {
  for (std::int64_t j = 0; j < p; ++j) g[j] += a * x[j];
  g[p] += a;
}

// One row: adds the gradient (if grad) and returns the loss.
double row_loss_grad(const Glm& g, const double* x, double y, const double* w, double* grad, double* scratch) {
  const std::int64_t p = g.features;
  if (g.model == Model::Softmax) {
    const std::int64_t k = g.classes;
    for (std::int64_t c = 0; c < k; ++c) scratch[c] = dot_row(x, w + c * (p + 1), p);
    const auto label = static_cast<std::int64_t>(y);
    const double loss = glm::softmax_loss(scratch, k, label, grad != nullptr ? scratch + k : nullptr);
    if (grad)
      for (std::int64_t c = 0; c < k; ++c) axpy_row(scratch[k + c], x, grad + c * (p + 1), p);
    return loss;
  }
  const glm::Family f = glm_family(g.model);
  const double eta = dot_row(x, w, p);
  if (grad) axpy_row(glm::row_slope(f, eta, y), x, grad, p);
  return glm::row_loss(f, eta, y);
}

}  // namespace

double glm_gradient(const Glm& g, const Dataset& d, const std::int64_t* rows, std::int64_t count, const double* w,
                    double* grad) {
  std::vector<double> scratch(static_cast<std::size_t>(2 * g.classes));
  double loss = 0.0;
  for (std::int64_t i = 0; i < count; ++i) {
    const std::int64_t r = rows[i];
    loss += row_loss_grad(g, d.x.data() + r * d.features(), d.y[r], w, grad, scratch.data());
  }
  return loss;
}

double glm_loss(const Glm& g, const Dataset& d, const std::int64_t* rows, std::int64_t count, const double* w) {
  return glm_gradient(g, d, rows, count, w, nullptr);
}

double glm_predict(const Glm& g, const double* x, const double* w) {
  const std::int64_t p = g.features;
  if (g.model == Model::Softmax) {
    std::int64_t best = 0;
    double best_eta = -std::numeric_limits<double>::infinity();
    for (std::int64_t c = 0; c < g.classes; ++c) {
      const double eta = dot_row(x, w + c * (p + 1), p);
      if (eta > best_eta) best_eta = eta, best = c;
    }
    return static_cast<double>(best);
  }
  return glm::mean(glm_family(g.model), dot_row(x, w, p));
}

double glm_accuracy(const Glm& g, const Dataset& d, const double* w) {
  if (g.model != Model::Logistic && g.model != Model::Softmax) return std::numeric_limits<double>::quiet_NaN();
  if (d.rows() == 0) return std::numeric_limits<double>::quiet_NaN();
  std::int64_t ok = 0;
  for (std::int64_t r = 0; r < d.rows(); ++r) {
    const double pred = glm_predict(g, d.x.data() + r * d.features(), w);
    const double cls = g.model == Model::Logistic ? (pred >= 0.5 ? 1.0 : 0.0) : pred;
    const double label = g.model == Model::Logistic ? glm::logistic_y01(d.y[r]) : d.y[r];
    ok += cls == label ? 1 : 0;
  }
  return static_cast<double>(ok) / static_cast<double>(d.rows());
}

}  // namespace morpheus::draco
