// morpheus.explain(t nmatrix, operation): the plan choice for a normalized matrix, one row per attribute table.
#include <cmath>
#include <string>

#include "core/ml/plan.hpp"
#include "core/options.hpp"
#include "pg/arrays.hpp"
#include "pg/guard.hpp"
#include "pg/nmatrix/nmatrix_datum.hpp"
#include "pg/settings.hpp"
#include "pg/srf.hpp"

namespace morpheus::pg {
namespace {

const char* const kOperations[] = {"lmm", "rmm",    "crossprod", "tcrossprod", "ginv",   "row_sums", "col_sums",
                                   "sum", "scalar", "linreg",    "logreg",     "kmeans", "gnmf"};

bool is_gram(const std::string& op) { return op == "crossprod" || op == "tcrossprod" || op == "ginv"; }

Datum explain_body(FunctionCallInfo fcinfo) {
  require_not_null(fcinfo, 0, "t");
  require_not_null(fcinfo, 1, "operation");
  const std::string op = text_arg(fcinfo, 1);
  bool known = false;
  std::string valid;
  for (const char* k : kOperations) {
    known = known || op == k;
    valid += (valid.empty() ? "" : ", ") + std::string(k);
  }
  if (!known) throw unknown_choice("operation", op, valid);
  const nm::NormalizedMatrix t = nmatrix_value(fcinfo, 0);
  ml::PlanOptions o = plan_options();
  o.gram = is_gram(op);
  const ml::Plan plan = ml::make_plan(t, o);
  SrfWriter out(fcinfo);
  for (const ml::TableDecision& d : plan.tables) {
    const std::string decision = d.factorize ? "factorize" : "materialize";
    Datum values[9] = {Int32GetDatum(d.table),
                       Float8GetDatum(d.tuple_ratio),
                       Float8GetDatum(d.feature_ratio),
                       Float8GetDatum(d.sparsity),
                       Float8GetDatum(d.factorized_cost * 1000),
                       Float8GetDatum(d.materialized_cost * 1000),
                       BoolGetDatum(d.rule_factorize),
                       BoolGetDatum(d.cost_factorize),
                       text_datum(decision)};
    // A ratio with a zero denominator (no entity features, FR) is undefined: NULL, not Infinity.
    const bool nulls[9] = {
        false, !std::isfinite(d.tuple_ratio), !std::isfinite(d.feature_ratio), false, false, false, false, false,
        false};
    out.put(values, nulls);
  }
  return (Datum)0;
}

}  // namespace
}  // namespace morpheus::pg

MORPHEUS_FUNCTION(explain, morpheus::pg::explain_body)
