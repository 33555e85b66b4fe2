// Arguments and result rows shared by the in-memory (ml_sql.cpp) and streaming (ml_stream_sql.cpp) ML entry points.
#pragma once
#include "core/ml/linreg.hpp"
#include "core/ml/logreg.hpp"
#include "core/ml/trace.hpp"
// core headers first
#include <string>

#include "pg/arrays.hpp"

namespace morpheus::pg {

// An optional float8 argument: NULL means "automatic" (if_null).
double optional_float_arg(FunctionCallInfo fcinfo, int argno, const char* name, double if_null);

// method => 'normal' | 'gd' (linreg), 'lbfgs' | 'gd' (logreg), parsed by core/options.hpp (unknown method "x").
ml::LinregMethod linreg_method_arg(FunctionCallInfo fcinfo, int argno);
ml::LogregMethod logreg_method_arg(FunctionCallInfo fcinfo, int argno);

// The solver arguments of linreg and logreg, at first .. first + 3: max_iterations, learning_rate (NULL: derived
// from the data), tolerance (NULL: the options' default), l2 (>= 0).
template <class Options>
void read_solver_args(FunctionCallInfo fcinfo, int first, Options& o) {
  o.max_iterations = int_arg(fcinfo, first, "max_iterations");
  o.learning_rate = optional_float_arg(fcinfo, first + 1, "learning_rate", -1);
  o.tolerance = optional_float_arg(fcinfo, first + 2, "tolerance", o.tolerance);
  o.l2 = optional_float_arg(fcinfo, first + 3, "l2", 0);
  if (o.l2 < 0) throw invalid_parameter("l2 must be non-negative, got " + format_number(o.l2), "Give l2 >= 0.");
  if (!(o.tolerance >= 0))
    throw invalid_parameter("tolerance must be non-negative, got " + format_number(o.tolerance),
                            "Give tolerance >= 0.");
  if (PG_ARGISNULL(first + 1) == false && !(o.learning_rate > 0))
    throw invalid_parameter("learning_rate must be positive, got " + format_number(o.learning_rate),
                            "Give learning_rate > 0, or NULL to derive it from the data.");
}

// A per-iteration history column: the losses, or the gradient norms.
Datum trace_column(const ml::Trace& trace, bool grad);

// Least squares by the normal equations, and the fit statistics of linreg_train / linreg_stream, form the d x d Gram
// matrix X'X: refused (54000, naming `function`) before it is allocated when it would pass the 1 GB value limit
// (wide one-hot data: 55,000 columns would need 24 GB). `hint` says what to use instead.
void require_gram_fits(std::int64_t d, const std::string& function, const std::string& hint);

// The one result row of linreg and logreg: (coefficients, iterations, loss[], grad_norm[], converged).
Datum regression_row(FunctionCallInfo fcinfo, const ml::Vec& weights, const ml::Trace& trace, bool converged);

}  // namespace morpheus::pg
