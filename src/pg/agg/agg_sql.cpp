// Aggregates over rows with a float8[] state (core/agg/row_state.hpp): transition functions update the state in
// place inside the aggregate's memory context, the combine function adds states, so PostgreSQL's parallel query and
// any fan-out engine can merge partial states.
#include <cmath>
#include <cstring>
#include <string>

#include "core/agg/row_state.hpp"
#include "core/linalg/cholesky.hpp"
#include "pg/arrays.hpp"
#include "pg/guard.hpp"

namespace morpheus::pg {
namespace {

using agg::StateKind;

MemoryContext aggregate_context(FunctionCallInfo fcinfo, const char* fn) {
  MemoryContext aggctx = nullptr;
  const int in_agg = pg_call([fcinfo, &aggctx] { return AggCheckCallContext(fcinfo, &aggctx); });
  if (in_agg == 0)
    throw invalid_parameter(std::string(fn) + " is an aggregate support function and cannot be called directly",
                            "Call the aggregate (e.g. morpheus.crossprod_agg) instead.");
  return aggctx;
}

// A state array as stored by these aggregates: one dimension, no NULL element (the data area then holds every entry).
ArrayType* state_arg(FunctionCallInfo fcinfo, int argno, const char* what) {
  ArrayType* a = array_arg(fcinfo, argno);
  if (ARR_NDIM(a) > 1 || ARR_HASNULL(a))
    throw invalid_parameter(
        std::string(what) + " is not a partial state of this aggregate (" +
            (ARR_HASNULL(a) ? std::string("it has NULL entries") : std::to_string(ARR_NDIM(a)) + " dimensions") + ")",
        "Merge only states produced by the same aggregate over rows of the same width.");
  return a;
}

struct State {
  ArrayType* array;
  double* data;
  std::int64_t size;
};

// The state argument: the initial '{}' becomes a fresh state of `kind` and width d in the aggregate context;
// otherwise the existing state, checked, updated in place.
State transition_state(FunctionCallInfo fcinfo, StateKind kind, std::int64_t d, const char* fn) {
  const MemoryContext aggctx = aggregate_context(fcinfo, fn);
  ArrayType* a = state_arg(fcinfo, 0, "state");
  if (ARR_NDIM(a) == 0) {
    const std::int64_t n = agg::state_size(kind, d);
    const Size bytes = ARR_OVERHEAD_NONULLS(1) + static_cast<Size>(n) * sizeof(double);
    if (bytes > MaxAllocSize)
      throw Error(ErrorKind::LimitExceeded,
                  std::string(fn) + ": rows of " + std::to_string(d) + " features need a state over 1 GB",
                  "Use fewer features.");
    ArrayType* s = pg_call([aggctx, bytes] { return static_cast<ArrayType*>(MemoryContextAllocZero(aggctx, bytes)); });
    SET_VARSIZE(s, bytes);
    s->ndim = 1;
    s->dataoffset = 0;
    s->elemtype = FLOAT8OID;
    ARR_DIMS(s)[0] = static_cast<int>(n);
    ARR_LBOUND(s)[0] = 1;
    double* data = reinterpret_cast<double*>(ARR_DATA_PTR(s));
    agg::init_state(data, kind, d);
    return {s, data, n};
  }
  double* data = reinterpret_cast<double*>(ARR_DATA_PTR(a));
  const std::int64_t n = ARR_DIMS(a)[0];
  const std::int64_t have = agg::check_state(data, n, kind, "state");
  if (have != d)
    throw invalid_parameter("x has " + std::to_string(d) + " elements but earlier rows had " + std::to_string(have),
                            "Every row must have the same number of features.");
  return {a, data, n};
}

Datum crossprod_sfunc(FunctionCallInfo fcinfo) {
  const VectorArg x = vector_arg(fcinfo, 1, "x");
  State s = transition_state(fcinfo, StateKind::Crossprod, x.size, "crossprod_agg");
  agg::add_crossprod(s.data, x.data);
  return PointerGetDatum(s.array);
}

Datum col_sums_sfunc(FunctionCallInfo fcinfo) {
  const VectorArg x = vector_arg(fcinfo, 1, "x");
  State s = transition_state(fcinfo, StateKind::ColSums, x.size, "col_sums_agg");
  agg::add_col_sums(s.data, x.data);
  return PointerGetDatum(s.array);
}

double target(FunctionCallInfo fcinfo, int argno) {
  require_not_null(fcinfo, argno, "y");
  const double y = PG_GETARG_FLOAT8(argno);
  if (!std::isfinite(y)) throw invalid_parameter("y is " + std::string(std::isnan(y) ? "NaN" : "infinite"));
  return y;
}

Datum xty_sfunc(FunctionCallInfo fcinfo) {
  const VectorArg x = vector_arg(fcinfo, 1, "x");
  const double y = target(fcinfo, 2);
  State s = transition_state(fcinfo, StateKind::XtY, x.size, "xty_agg");
  agg::add_xty(s.data, x.data, y);
  return PointerGetDatum(s.array);
}

Datum normal_eq_sfunc(FunctionCallInfo fcinfo) {
  const VectorArg x = vector_arg(fcinfo, 1, "x");
  const double y = target(fcinfo, 2);
  State s = transition_state(fcinfo, StateKind::NormalEq, x.size, "linreg_agg");
  agg::add_normal_eq(s.data, x.data, y);
  return PointerGetDatum(s.array);
}

Datum gradient_sfunc(FunctionCallInfo fcinfo) {
  const VectorArg x = vector_arg(fcinfo, 1, "x");
  const double y = target(fcinfo, 2);
  const VectorArg w = vector_arg(fcinfo, 3, "w");
  require_not_null(fcinfo, 4, "family");
  const glm::Family family = glm::parse_scalar_family(text_arg(fcinfo, 4));
  if (w.size != x.size)
    throw invalid_parameter("w has " + std::to_string(w.size) + " elements but x has " + std::to_string(x.size),
                            "Pass one weight per feature.");
  State s = transition_state(fcinfo, StateKind::Gradient, x.size, "glm_gradient_agg");
  agg::add_gradient(s.data, x.data, y, w.data, family);
  return PointerGetDatum(s.array);
}

// combine(a, b): a + b; an empty side returns the other.
Datum combine_body(FunctionCallInfo fcinfo) {
  aggregate_context(fcinfo, "morpheus._state_combine");
  if (PG_ARGISNULL(0)) {
    if (PG_ARGISNULL(1)) PG_RETURN_NULL();
    return PG_GETARG_DATUM(1);
  }
  if (PG_ARGISNULL(1)) return PG_GETARG_DATUM(0);
  ArrayType* a = state_arg(fcinfo, 0, "the first state");
  ArrayType* b = state_arg(fcinfo, 1, "the second state");
  if (ARR_NDIM(b) == 0) return PointerGetDatum(a);
  if (ARR_NDIM(a) == 0) return PointerGetDatum(b);
  double* da = reinterpret_cast<double*>(ARR_DATA_PTR(a));
  const double* db = reinterpret_cast<const double*>(ARR_DATA_PTR(b));
  const std::int64_t na = ARR_DIMS(a)[0], nb = ARR_DIMS(b)[0];
  if (!(da[0] >= 0 && da[0] <= 64))  // a kind tag: a small non-negative integer (checked fully below)
    throw invalid_parameter("the first state is not a partial state of a morpheus aggregate",
                            "Merge only states produced by the same aggregate over rows of the same width.");
  const auto kind = static_cast<StateKind>(static_cast<int>(da[0]));
  agg::check_state(da, na, kind, "the first state");
  agg::check_state(db, nb, kind, "the second state");
  if (na != nb) throw invalid_parameter("states of different widths cannot be merged");
  agg::combine(da, db, na);
  return PointerGetDatum(a);
}

// Final functions read the state; an empty state (no rows) gives NULL.
const double* final_state(FunctionCallInfo fcinfo, StateKind kind, std::int64_t* d) {
  if (PG_ARGISNULL(0)) return nullptr;
  ArrayType* a = state_arg(fcinfo, 0, "state");
  if (ARR_NDIM(a) == 0) return nullptr;
  const double* data = reinterpret_cast<const double*>(ARR_DATA_PTR(a));
  *d = agg::check_state(data, ARR_DIMS(a)[0], kind, "state");
  return data;
}

Datum crossprod_final(FunctionCallInfo fcinfo) {
  std::int64_t d = 0;
  const double* s = final_state(fcinfo, StateKind::Crossprod, &d);
  if (s == nullptr || d == 0) PG_RETURN_NULL();
  return float8_matrix_datum(ConstRowMap(s + agg::kHeader, d, d), "crossprod_agg result");
}

Datum col_sums_final(FunctionCallInfo fcinfo) {
  std::int64_t d = 0;
  const double* s = final_state(fcinfo, StateKind::ColSums, &d);
  if (s == nullptr) PG_RETURN_NULL();
  return float8_array_datum(s + agg::kHeader, d, "col_sums_agg result");
}

Datum xty_final(FunctionCallInfo fcinfo) {
  std::int64_t d = 0;
  const double* s = final_state(fcinfo, StateKind::XtY, &d);
  if (s == nullptr) PG_RETURN_NULL();
  return float8_array_datum(s + agg::kHeader, d, "xty_agg result");
}

// Coefficients of least squares: the minimum-norm solution ginv(X'X) X'y.
Datum linreg_final(FunctionCallInfo fcinfo) {
  std::int64_t d = 0;
  const double* s = final_state(fcinfo, StateKind::NormalEq, &d);
  if (s == nullptr || d == 0) PG_RETURN_NULL();
  const double* xty = s + agg::kHeader + 1;
  const ConstRowMap gram(xty + d, d, d);
  Eigen::VectorXd w;
  try {
    w = linalg::psd_solve(gram, ConstVectorMap(xty, d));
  } catch (const Error& e) {
    throw Error(e.kind(), std::string("linreg_agg: ") + e.what(), e.hint());
  }
  return float8_array_datum(w.data(), d, "linreg_agg result");
}

Datum gradient_final(FunctionCallInfo fcinfo) {
  std::int64_t d = 0;
  const double* s = final_state(fcinfo, StateKind::Gradient, &d);
  if (s == nullptr || s[2] == 0) PG_RETURN_NULL();
  Eigen::VectorXd g = ConstVectorMap(s + agg::kHeader + 1, d) / s[2];
  return float8_array_datum(g.data(), d, "glm_gradient_agg result");
}

Datum loss_final(FunctionCallInfo fcinfo) {
  std::int64_t d = 0;
  const double* s = final_state(fcinfo, StateKind::Gradient, &d);
  if (s == nullptr || s[2] == 0) PG_RETURN_NULL();
  return float8_result(s[agg::kHeader] / s[2], "glm_loss_agg result");
}

}  // namespace
}  // namespace morpheus::pg

MORPHEUS_FUNCTION(_crossprod_sfunc, morpheus::pg::crossprod_sfunc)
MORPHEUS_FUNCTION(_col_sums_sfunc, morpheus::pg::col_sums_sfunc)
MORPHEUS_FUNCTION(_xty_sfunc, morpheus::pg::xty_sfunc)
MORPHEUS_FUNCTION(_normal_eq_sfunc, morpheus::pg::normal_eq_sfunc)
MORPHEUS_FUNCTION(_gradient_sfunc, morpheus::pg::gradient_sfunc)
MORPHEUS_FUNCTION(_state_combine, morpheus::pg::combine_body)
MORPHEUS_FUNCTION(_crossprod_final, morpheus::pg::crossprod_final)
MORPHEUS_FUNCTION(_col_sums_final, morpheus::pg::col_sums_final)
MORPHEUS_FUNCTION(_xty_final, morpheus::pg::xty_final)
MORPHEUS_FUNCTION(_linreg_final, morpheus::pg::linreg_final)
MORPHEUS_FUNCTION(_gradient_final, morpheus::pg::gradient_final)
MORPHEUS_FUNCTION(_loss_final, morpheus::pg::loss_final)
