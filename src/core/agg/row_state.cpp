#include "core/agg/row_state.hpp"

#include <cmath>

#include "core/dense.hpp"
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

void add_gradient(double* state, const double* x, double y, const double* w, glm::Family family) {
  const auto d = static_cast<std::int64_t>(state[1]);
  if (const char* why = glm::label_problem(family, y))
    throw invalid_parameter("y is " + format_number(y) + why, glm::label_hint(family));
  double m = 0;
  for (std::int64_t i = 0; i < d; ++i) m += x[i] * w[i];
  const double loss = glm::row_loss(family, m, y);
  const double coef = glm::row_slope(family, m, y);  // gradient of the row's loss = coef * x
  double* p = state + kHeader;
  p[0] += loss;
  for (std::int64_t i = 0; i < d; ++i) p[1 + i] += coef * x[i];
  state[2] += 1;
}

void combine(double* a, const double* b, std::int64_t size) {
  a[2] += b[2];
  for (std::int64_t i = kHeader; i < size; ++i) a[i] += b[i];
}

}  // namespace morpheus::agg
