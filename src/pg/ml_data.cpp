#include "pg/ml_data.hpp"

#include "core/ml/normalized_data_matrix.hpp"
#include "core/ml/plan.hpp"
#include "pg/guard.hpp"
#include "pg/nmatrix_datum.hpp"
#include "pg/settings.hpp"

namespace morpheus::pg {

std::unique_ptr<ml::DataMatrix> data_matrix_arg(FunctionCallInfo fcinfo, int argno, const char* name) {
  require_not_null(fcinfo, argno, name);
  FmgrInfo* flinfo = fcinfo->flinfo;
  const Oid type = pg_call([flinfo, argno] { return get_fn_expr_argtype(flinfo, argno); });
  if (type == FLOAT8ARRAYOID) {
    const MatrixArg m = matrix_arg(fcinfo, argno, name);
    return std::make_unique<ml::DenseDataMatrix>(m.map());
  }
  // The only other overload takes morpheus.nmatrix: run on the plan that morpheus.factorize asks for. Tables the
  // plan does not factorize run as the materialized join, row by row (the work of the join without its memory).
  nm::NormalizedMatrix t = nmatrix_value(fcinfo, argno);
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
