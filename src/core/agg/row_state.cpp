#include "core/agg/row_state.hpp"

#include <cmath>

#include "core/errors.hpp"

namespace morpheus::agg {

std::int64_t payload_size(StateKind kind, std::int64_t d) {
  switch (kind) {
    case StateKind::Crossprod: return d * d;
    case StateKind::ColSums: return d;
    case StateKind::NormalEq: return 1 + d + d * d;
    case StateKind::Gradient: return 1 + d;
    case StateKind::XtY: return d;
  }
  return 0;
}

void init_state(double* state, StateKind kind, std::int64_t d) {
  state[0] = static_cast<double>(kind);
  state[1] = static_cast<double>(d);
  state[2] = 0;
  for (std::int64_t i = 0; i < payload_size(kind, d); ++i) state[kHeader + i] = 0;
}

std::int64_t check_state(const double* state, std::int64_t size, StateKind kind, const char* what) {
  if (size < kHeader || state[0] != static_cast<double>(kind) || !(state[1] >= 0) || state[1] != std::floor(state[1]) ||
      state[1] > static_cast<double>(size) || size != state_size(kind, static_cast<std::int64_t>(state[1])))
    throw invalid_parameter(std::string(what) + " is not a partial state of this aggregate (" + std::to_string(size) +
                                " entries, kind " + std::to_string(size > 0 ? state[0] : 0) + ")",
                            "Merge only states produced by the same aggregate over rows of the same width.");
  return static_cast<std::int64_t>(state[1]);
}

void add_crossprod(double* state, const double* x) {
  const auto d = static_cast<std::int64_t>(state[1]);
  double* g = state + kHeader;
  for (std::int64_t i = 0; i < d; ++i) {
    const double xi = x[i];
    if (xi == 0) continue;
    double* row = g + i * d;
    for (std::int64_t j = 0; j < d; ++j) row[j] += xi * x[j];
  }
  state[2] += 1;
}

void add_col_sums(double* state, const double* x) {
  const auto d = static_cast<std::int64_t>(state[1]);
  for (std::int64_t i = 0; i < d; ++i) state[kHeader + i] += x[i];
  state[2] += 1;
}

void add_normal_eq(double* state, const double* x, double y) {
  const auto d = static_cast<std::int64_t>(state[1]);
  double* p = state + kHeader;
  p[0] += y * y;
  for (std::int64_t i = 0; i < d; ++i) p[1 + i] += x[i] * y;
  double* g = p + 1 + d;
  for (std::int64_t i = 0; i < d; ++i) {
    const double xi = x[i];
    if (xi == 0) continue;
    for (std::int64_t j = 0; j < d; ++j) g[i * d + j] += xi * x[j];
  }
  state[2] += 1;
}

void add_xty(double* state, const double* x, double y) {
  const auto d = static_cast<std::int64_t>(state[1]);
  for (std::int64_t i = 0; i < d; ++i) state[kHeader + i] += x[i] * y;
  state[2] += 1;
}

void add_gradient(double* state, const double* x, double y, const double* w, Glm model) {
  const auto d = static_cast<std::int64_t>(state[1]);
  double m = 0;
  for (std::int64_t i = 0; i < d; ++i) m += x[i] * w[i];
  double loss = 0, coef = 0;  // gradient of the row's loss = coef * x
  switch (model) {
    case Glm::Linear:
      loss = 0.5 * (m - y) * (m - y);
      coef = m - y;
      break;
    case Glm::Logistic: {
      if (y != 0 && y != 1 && y != -1)
        throw invalid_parameter("y = " + std::to_string(y) + " is not a class label",
                                "The logistic model takes labels 0/1 or -1/+1.");
      const double s = y > 0 ? 1.0 : -1.0;
      const double z = s * m;
      loss = z > 0 ? std::log1p(std::exp(-z)) : -z + std::log1p(std::exp(z));
      const double sig = z >= 0 ? std::exp(-z) / (1 + std::exp(-z)) : 1 / (1 + std::exp(z));  // sigma(-z)
      coef = -s * sig;
      break;
    }
    case Glm::Poisson: {
      if (!(y >= 0))
        throw invalid_parameter("y = " + std::to_string(y) + " is not a count",
                                "The Poisson model takes non-negative targets.");
      const double mu = std::exp(m);
      loss = mu - y * m;
      coef = mu - y;
      break;
    }
  }
  double* p = state + kHeader;
  p[0] += loss;
  for (std::int64_t i = 0; i < d; ++i) p[1 + i] += coef * x[i];
  state[2] += 1;
}

void combine(double* a, const double* b, std::int64_t size) {
  a[2] += b[2];
  for (std::int64_t i = kHeader; i < size; ++i) a[i] += b[i];
}

Glm glm_from_name(const std::string& name) {
  if (name == "linear") return Glm::Linear;
  if (name == "logistic") return Glm::Logistic;
  if (name == "poisson") return Glm::Poisson;
  throw invalid_parameter("model must be one of linear, logistic, poisson; got '" + name + "'");
}

}  // namespace morpheus::agg
