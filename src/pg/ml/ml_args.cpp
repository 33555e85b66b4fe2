#include "pg/ml/ml_args.hpp"

#include <vector>

#include "core/dense.hpp"
#include "core/options.hpp"
#include "pg/srf.hpp"

namespace morpheus::pg {

double optional_float_arg(FunctionCallInfo fcinfo, int argno, const char* name, double if_null) {
  return PG_ARGISNULL(argno) ? if_null : float_arg(fcinfo, argno, name);
}

ml::LinregMethod linreg_method_arg(FunctionCallInfo fcinfo, int argno) {
  const std::string method = string_arg(fcinfo, argno, "method");
  return parse_choice<ml::LinregMethod>(
      "method", method, {{"normal", ml::LinregMethod::Normal}, {"gd", ml::LinregMethod::GradientDescent}});
}

ml::LogregMethod logreg_method_arg(FunctionCallInfo fcinfo, int argno) {
  const std::string method = string_arg(fcinfo, argno, "method");
  return parse_choice<ml::LogregMethod>(
      "method", method, {{"lbfgs", ml::LogregMethod::Lbfgs}, {"gd", ml::LogregMethod::GradientDescent}});
}

Datum trace_column(const ml::Trace& trace, bool grad) {
  std::vector<double> v;
  for (const auto& r : trace) v.push_back(grad ? r.grad_norm : r.loss);
  return float8_array_datum(v.data(), static_cast<std::int64_t>(v.size()), "loss history");
}

Datum regression_row(FunctionCallInfo fcinfo, const ml::Vec& weights, const ml::Trace& trace, bool converged) {
  SrfWriter out(fcinfo);
  Datum values[5] = {float8_array_datum(weights.data(), weights.size(), "coefficients"),
                     Int32GetDatum(trace.back().iteration), trace_column(trace, false), trace_column(trace, true),
                     BoolGetDatum(converged)};
  const bool nulls[5] = {false, false, false, false, false};
  out.put(values, nulls);
  return (Datum)0;
}

void require_gram_fits(std::int64_t d, const std::string& function, const std::string& hint) {
  check_allocation(8.0 * static_cast<double>(d) * static_cast<double>(d),
                   function + ": the " + std::to_string(d) + " x " + std::to_string(d) + " Gram matrix X'X", hint);
}

}  // namespace morpheus::pg
