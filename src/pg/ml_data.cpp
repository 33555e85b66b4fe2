#include "pg/ml_data.hpp"

#include "core/ml/normalized_data_matrix.hpp"
#include "core/ml/plan.hpp"
#include "pg/guard.hpp"
#include "pg/nmatrix_datum.hpp"
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
  // The only other overload takes morpheus.nmatrix: run on the plan that morpheus.factorize asks for.
  nm::NormalizedMatrix t = nmatrix_value(fcinfo, argno);
  const ml::Plan plan = ml::make_plan(t, plan_options());
  return std::make_unique<ml::NormalizedDataMatrix>(ml::apply_plan(t, plan));
}

}  // namespace morpheus::pg
