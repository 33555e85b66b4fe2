// Per-row accumulation states for aggregates over rows (x float8[], ...): exact associative sums, so partial states
// from parallel workers or from other servers merge by element-wise addition. Layout of every state:
//   [kind, d, n, payload...]   kind: StateKind, d: features, n: rows accumulated
// with payload, by kind:
//   Crossprod: X'X (d*d, row-major)          ColSums: sum of rows (d)
//   NormalEq:  sum y^2, X'y (d), X'X (d*d)   Gradient: sum of losses, sum of gradients (d)
//   XtY: X'y (d)
#pragma once
#include "core/no_postgres.hpp"

#include <cstdint>
#include <string>

#include "core/glm/glm.hpp"

namespace morpheus::agg {

enum class StateKind { Crossprod = 1, ColSums = 2, NormalEq = 3, Gradient = 4, XtY = 5 };

constexpr std::int64_t kHeader = 3;

// Payload length for a kind and width.
std::int64_t payload_size(StateKind kind, std::int64_t d);
inline std::int64_t state_size(StateKind kind, std::int64_t d) { return kHeader + payload_size(kind, d); }

// Writes the header and zeroes the payload (state has state_size(kind, d) entries).
void init_state(double* state, StateKind kind, std::int64_t d);

// Checks that `state` (of `size` entries) is a state of `kind`; returns its d. Errors name `what`.
std::int64_t check_state(const double* state, std::int64_t size, StateKind kind, const char* what);

// Accumulates one row. x has d entries; y is the target; w (d entries) the weights for Gradient, whose loss and
// derivative are the GLM module's (core/glm) for a scalar family. Logistic labels are 0/1 or -1/+1, Poisson targets
// non-negative counts; other values are errors.
void add_crossprod(double* state, const double* x);
void add_col_sums(double* state, const double* x);
void add_normal_eq(double* state, const double* x, double y);
void add_xty(double* state, const double* x, double y);
void add_gradient(double* state, const double* x, double y, const double* w, glm::Family family);

// a += b (same kind and d, checked by the caller with check_state).
void combine(double* a, const double* b, std::int64_t size);

}  // namespace morpheus::agg
