// GLM losses, gradients and predictions (least squares, logistic, multinomial softmax, Poisson).
#include <algorithm>
#include <cmath>

#include "core/draco/draco.hpp"
#include "core/errors.hpp"

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

std::int64_t check_labels(Model m, const double* y, std::int64_t n, const char* query_arg) {
  double max_label = 0.0;
  for (std::int64_t r = 0; r < n; ++r) {
    const double v = y[r];
    const std::string where = std::string("label of row ") + std::to_string(r + 1) + " of " + query_arg;
    if (!std::isfinite(v)) throw invalid_parameter(where + " is " + format_number(v), "Labels must be finite.");
    if (m == Model::Logistic && v != 0.0 && v != 1.0)
      throw invalid_parameter(where + " is " + format_number(v) + " but model logistic needs 0 or 1",
                              "Recode the label as 0/1, or use model => 'softmax' for several classes.");
    if (m == Model::Softmax && (v < 0.0 || v != std::floor(v) || v > 100000.0))
      throw invalid_parameter(where + " is " + format_number(v) + " but model softmax needs a class 0, 1, 2, ...",
                              "Recode the classes as integers 0 .. K-1.");
    if (m == Model::Poisson && v < 0.0)
      throw invalid_parameter(where + " is " + format_number(v) + " but model poisson needs a count >= 0",
                              "Use model => 'least_squares' for signed responses.");
    max_label = std::max(max_label, v);
  }
  if (m == Model::Softmax) return std::max<std::int64_t>(2, static_cast<std::int64_t>(max_label) + 1);
  return 1;
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

// log(1 + exp(eta)) without overflow.
inline double softplus(double eta) { return eta > 0 ? eta + std::log1p(std::exp(-eta)) : std::log1p(std::exp(eta)); }

inline double sigmoid(double eta) {
  if (eta >= 0) return 1.0 / (1.0 + std::exp(-eta));
  const double e = std::exp(eta);
  return e / (1.0 + e);
}

// One row: adds the gradient (if grad) and returns the loss.
double row_loss_grad(const Glm& g, const double* x, double y, const double* w, double* grad, double* scratch) {
  const std::int64_t p = g.features;
  switch (g.model) {
    case Model::LeastSquares: {
      const double r = dot_row(x, w, p) - y;
      if (grad) axpy_row(r, x, grad, p);
      return 0.5 * r * r;
    }
    case Model::Logistic: {
      const double eta = dot_row(x, w, p);
      if (grad) axpy_row(sigmoid(eta) - y, x, grad, p);
      return softplus(eta) - y * eta;
    }
    case Model::Poisson: {
      const double eta = dot_row(x, w, p);
      const double mu = std::exp(eta);
      if (grad) axpy_row(mu - y, x, grad, p);
      return mu - y * eta;
    }
    case Model::Softmax: {
      const std::int64_t k = g.classes;
      double mx = -std::numeric_limits<double>::infinity();
      for (std::int64_t c = 0; c < k; ++c) {
        scratch[c] = dot_row(x, w + c * (p + 1), p);
        mx = std::max(mx, scratch[c]);
      }
      double z = 0.0;
      for (std::int64_t c = 0; c < k; ++c) z += std::exp(scratch[c] - mx);
      const double lse = mx + std::log(z);
      const auto label = static_cast<std::int64_t>(y);
      const double loss = lse - scratch[label];
      if (grad)
        for (std::int64_t c = 0; c < k; ++c) {
          const double pc = std::exp(scratch[c] - lse) - (c == label ? 1.0 : 0.0);
          axpy_row(pc, x, grad + c * (p + 1), p);
        }
      return loss;
    }
  }
  return 0.0;
}

}  // namespace

double glm_gradient(const Glm& g, const Dataset& d, const std::int64_t* rows, std::int64_t count, const double* w,
                    double* grad) {
  std::vector<double> scratch(static_cast<std::size_t>(g.classes));
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
  switch (g.model) {
    case Model::LeastSquares: return dot_row(x, w, p);
    case Model::Logistic: return sigmoid(dot_row(x, w, p));
    case Model::Poisson: return std::exp(dot_row(x, w, p));
    case Model::Softmax: {
      std::int64_t best = 0;
      double best_eta = -std::numeric_limits<double>::infinity();
      for (std::int64_t c = 0; c < g.classes; ++c) {
        const double eta = dot_row(x, w + c * (p + 1), p);
        if (eta > best_eta) best_eta = eta, best = c;
      }
      return static_cast<double>(best);
    }
  }
  return 0.0;
}

double glm_accuracy(const Glm& g, const Dataset& d, const double* w) {
  if (g.model != Model::Logistic && g.model != Model::Softmax) return std::numeric_limits<double>::quiet_NaN();
  if (d.rows() == 0) return std::numeric_limits<double>::quiet_NaN();
  std::int64_t ok = 0;
  for (std::int64_t r = 0; r < d.rows(); ++r) {
    const double pred = glm_predict(g, d.x.data() + r * d.features(), w);
    const double cls = g.model == Model::Logistic ? (pred >= 0.5 ? 1.0 : 0.0) : pred;
    ok += cls == d.y[r] ? 1 : 0;
  }
  return static_cast<double>(ok) / static_cast<double>(d.rows());
}

}  // namespace morpheus::draco
