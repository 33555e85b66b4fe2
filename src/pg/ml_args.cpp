#include "pg/ml_args.hpp"

#include <vector>

#include "pg/srf.hpp"

namespace morpheus::pg {

double optional_float_arg(FunctionCallInfo fcinfo, int argno, const char* name, double if_null) {
  return PG_ARGISNULL(argno) ? if_null : float_arg(fcinfo, argno, name);
}

ml::LinregMethod linreg_method_arg(FunctionCallInfo fcinfo, int argno) {
  const std::string method = string_arg(fcinfo, argno, "method");
  if (method == "normal") return ml::LinregMethod::Normal;
  if (method == "gd") return ml::LinregMethod::GradientDescent;
  throw invalid_parameter("method must be 'normal' or 'gd', got '" + method + "'");
}

ml::LogregMethod logreg_method_arg(FunctionCallInfo fcinfo, int argno) {
  const std::string method = string_arg(fcinfo, argno, "method");
  if (method == "lbfgs") return ml::LogregMethod::Lbfgs;
  if (method == "gd") return ml::LogregMethod::GradientDescent;
  throw invalid_parameter("method must be 'lbfgs' or 'gd', got '" + method + "'");
}

Datum trace_column(const ml::Trace& trace, bool grad) {
  std::vector<double> v;
  for (const auto& r : trace) v.push_back(grad ? r.grad_norm : r.loss);
  return float8_array_datum(v.data(), static_cast<std::int64_t>(v.size()), "loss history");
}

Datum regression_row(FunctionCallInfo fcinfo, const ml::Vec& weights, const ml::Trace& trace) {
  SrfWriter out(fcinfo);
  Datum values[4] = {float8_array_datum(weights.data(), weights.size(), "coefficients"),
                     Int32GetDatum(trace.back().iteration), trace_column(trace, false), trace_column(trace, true)};
  const bool nulls[4] = {false, false, false, false};
  out.put(values, nulls);
  return (Datum)0;
}

}  // namespace morpheus::pg
