// The one GLM module: families, per-row losses and their derivatives, inverse links and label coding, shared by the
// ML trainers (core/ml), the row aggregates (core/agg), DRACO and the distributed path (core/draco, core/dist) and
// prediction (core/model).
//
// A family is parsed by the one option parser: family => 'least_squares' | 'logistic' | 'softmax' | 'poisson'.
// For a row with linear predictor eta = x'w (+ b) and label y:
//   least_squares  loss 0.5 (eta - y)^2           d loss / d eta = eta - y           mean eta
//   logistic       loss log(1 + e^eta) - y01 eta  d loss / d eta = sigmoid(eta) - y01 mean sigmoid(eta)
//   poisson        loss e^eta - y eta             d loss / d eta = e^eta - y         mean e^eta
//   softmax        loss logsumexp(eta) - eta_y    d loss / d eta_c = p_c - [c = y]   mean p = softmax(eta)
// Logistic labels may be 0/1 or -1/+1 (booleans arrive as 0/1): y01 = 1 for y = 1, 0 for y = 0 or -1. The loss and
// its slope are evaluated as log(1 + e^-eta) and -sigmoid(-eta) for y01 = 1, log(1 + e^eta) and sigmoid(eta) for
// y01 = 0, without overflow or cancellation (sigmoid(eta) - 1 loses the small slopes of well-classified rows, and
// L-BFGS then needs several times the iterations to reach a tight tolerance).
#pragma once
#include "core/no_postgres.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace morpheus::glm {

enum class Family { LeastSquares, Logistic, Softmax, Poisson };

// "least_squares, logistic, softmax, poisson": the valid values.
std::string family_list();
// Parses value (the argument is named `argument` in the error: unknown family "x", HINT valid values: ...).
Family parse_family(std::string_view value, std::string_view argument = "family");
// The same, for a function that supports only the scalar families (least_squares, logistic, poisson).
Family parse_scalar_family(std::string_view value, std::string_view argument = "family");
const char* family_name(Family f);

// log(1 + e^eta) without overflow.
inline double softplus(double eta) { return eta > 0 ? eta + std::log1p(std::exp(-eta)) : std::log1p(std::exp(eta)); }

// 1 / (1 + e^-eta) without overflow.
inline double sigmoid(double eta) {
  if (eta >= 0) return 1.0 / (1.0 + std::exp(-eta));
  const double e = std::exp(eta);
  return e / (1.0 + e);
}

// The logistic label as 0/1: 1 for y = 1, 0 for y = 0 or -1 (callers check labels with check_label).
inline double logistic_y01(double y) { return y > 0 ? 1.0 : 0.0; }

// Per-row loss of a scalar family at eta.
inline double row_loss(Family f, double eta, double y) {
  switch (f) {
    case Family::LeastSquares: {
      const double r = eta - y;
      return 0.5 * r * r;
    }
    case Family::Logistic: return logistic_y01(y) > 0 ? softplus(-eta) : softplus(eta);
    case Family::Poisson: return std::exp(eta) - y * eta;
    case Family::Softmax: break;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

// d row_loss / d eta of a scalar family.
inline double row_slope(Family f, double eta, double y) {
  switch (f) {
    case Family::LeastSquares: return eta - y;
    case Family::Logistic: return logistic_y01(y) > 0 ? -sigmoid(-eta) : sigmoid(eta);
    case Family::Poisson: return std::exp(eta) - y;
    case Family::Softmax: break;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

// The mean of the response at eta (inverse link) of a scalar family.
inline double mean(Family f, double eta) {
  switch (f) {
    case Family::LeastSquares: return eta;
    case Family::Logistic: return sigmoid(eta);
    case Family::Poisson: return std::exp(eta);
    case Family::Softmax: break;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

// log sum_c e^eta_c without overflow (k >= 1).
inline double log_sum_exp(const double* eta, std::int64_t k) {
  double mx = -std::numeric_limits<double>::infinity();
  for (std::int64_t c = 0; c < k; ++c) mx = std::max(mx, eta[c]);
  double z = 0.0;
  for (std::int64_t c = 0; c < k; ++c) z += std::exp(eta[c] - mx);
  return mx + std::log(z);
}

// Softmax loss of one row with class `label` (0-based) over k linear predictors; when slope is not null, it receives
// d loss / d eta_c = p_c - [c = label] (k values).
inline double softmax_loss(const double* eta, std::int64_t k, std::int64_t label, double* slope) {
  const double lse = log_sum_exp(eta, k);
  if (slope != nullptr)
    for (std::int64_t c = 0; c < k; ++c) slope[c] = std::exp(eta[c] - lse) - (c == label ? 1.0 : 0.0);
  return lse - eta[label];
}

// The class probabilities softmax(eta) into p (k values).
inline void softmax_probabilities(const double* eta, std::int64_t k, double* p) {
  const double lse = log_sum_exp(eta, k);
  for (std::int64_t c = 0; c < k; ++c) p[c] = std::exp(eta[c] - lse);
}

// The index of the largest eta (the first on ties).
inline std::int64_t argmax(const double* eta, std::int64_t k) {
  std::int64_t best = 0;
  for (std::int64_t c = 1; c < k; ++c)
    if (eta[c] > eta[best]) best = c;
  return best;
}

// ---- labels ---------------------------------------------------------------------------------------------------

// How binary labels were written: 0/1, -1/+1 or boolean (read as 0/1).
enum class BinaryCoding { ZeroOne, PlusMinusOne, Boolean };

// The class names of a binary coding, negative first: {"0","1"}, {"-1","1"} or {"false","true"}.
const char* negative_class(BinaryCoding c);
const char* positive_class(BinaryCoding c);
// The label value of the negative class: 0 or -1 (booleans: 0).
inline double negative_value(BinaryCoding c) { return c == BinaryCoding::PlusMinusOne ? -1.0 : 0.0; }

// Whether y is a label of `family`: nullptr if so, else the reason to append to "<what> is <y>" (", not a binary
// label"); label_hint says how to fix it. Finite everywhere; logistic 0, 1 or -1; softmax an integer 0 .. 100000;
// poisson >= 0.
const char* label_problem(Family family, double y);
const char* label_hint(Family family);

// Checks the labels y[0..n) of `family` and names the first bad one as "<what> is <value> in row <r>" (1-based):
// finite everywhere; logistic 0/1 or -1/+1 (not both 0 and -1); softmax integers 0 .. 100000; poisson >= 0.
// Returns, for softmax, the number of classes (max label + 1, at least 2), otherwise 1. For logistic, *coding (if not
// null) receives the coding found (ZeroOne when the labels are all 1); `boolean` says the labels were booleans.
std::int64_t check_labels(Family family, const double* y, std::int64_t n, const std::string& what,
                          BinaryCoding* coding = nullptr, bool boolean = false);

}  // namespace morpheus::glm
