// Vectorized transcendental functions for the per-row passes (the logistic loss and sigmoid). AVX2 + FMA when the
// build targets them, else the same operations in scalar code: both paths perform the same correctly rounded
// operations (explicit fma), so they give identical bits, and results never depend on where a vector tail falls.
// Accuracy: within a few ulp of the exact value (tested against std::exp / std::log1p).
#pragma once
#include "core/no_postgres.hpp"

#include <cstdint>

namespace morpheus::simd {

// out[i] = exp(x[i]) for x[i] <= 0 (x below -745 gives 0; NaN is not expected).
void exp_nonpositive(const double* x, double* out, std::int64_t n);
// out[i] = log1p(e[i]) for e[i] in [0, 1].
void log1p_unit(const double* e, double* out, std::int64_t n);
// For margins z: loss[i] = log(1 + exp(-z[i])) and s[i] = 1 / (1 + exp(z[i])), stable for every finite z.
void logistic_terms(const double* z, double* loss, double* s, std::int64_t n);

}  // namespace morpheus::simd
