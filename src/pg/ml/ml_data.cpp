#include "pg/ml/ml_data.hpp"

#include <string>

#include "core/ml/normalized_data_matrix.hpp"
#include "core/ml/plan.hpp"
#include "pg/guard.hpp"
#include "pg/nmatrix/nmatrix_datum.hpp"
#include "pg/settings.hpp"

namespace morpheus::pg {

std::unique_ptr<ml::DataMatrix> data_matrix_arg(FunctionCallInfo fcinfo, int argno) {
  FmgrInfo* flinfo = fcinfo->flinfo;
  const Oid type = pg_call([flinfo, argno] { return get_fn_expr_argtype(flinfo, argno); });
  require_not_null(fcinfo, argno, type == FLOAT8ARRAYOID ? "x" : "t");
  if (type == FLOAT8ARRAYOID) {
    const MatrixArg m = matrix_arg(fcinfo, argno, "x");
    return std::make_unique<ml::DenseDataMatrix>(m.map());
  }
  // The only other overload takes morpheus.nmatrix: run on the plan that morpheus.factorize asks for. Tables the
  // plan does not factorize run as the materialized join, row by row (the work of the join without its memory).
  nm::NormalizedMatrix t = nmatrix_value(fcinfo, argno);
  if (t.rows() == 0 || t.cols() == 0)
    throw invalid_parameter(std::string("t has no ") + (t.cols() == 0 ? "columns" : "rows") + " (" +
                                std::to_string(t.rows()) + "x" + std::to_string(t.cols()) + ")",
                            "Train on an nmatrix with at least one row and one column: add attribute tables with "
                            "morpheus.nm_join, or do not transpose a column-less nmatrix.");
  // Every algorithm keeps vectors of one entry per column (coefficients, centers): refuse widths whose results
  // could not be returned before allocating them.
  nm::check_value_size(8.0 * static_cast<double>(t.cols()), "a vector of one value per column of t");
  const ml::PlanOptions po = plan_options();
  // The calibrated costs (measured once per backend) only matter to the cost model's own decisions.
  const bool costs = po.mode == ml::FactorizeMode::Auto && po.model == ml::PlanModel::Cost;
  const ml::Plan plan = ml::make_plan(t, po, costs ? ml::calibrated_constants() : ml::CostConstants{});
  nm::KernelOptions options;
  options.threads = kernel_threads();
  options.streamed = ml::materialized_parts(t, plan);
  return std::make_unique<ml::NormalizedDataMatrix>(std::move(t), std::move(options));
}

}  // namespace morpheus::pg
