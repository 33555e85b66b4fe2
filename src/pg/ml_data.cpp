#include "pg/ml_data.hpp"

#include "core/ml/normalized_data_matrix.hpp"
#include "core/ml/plan.hpp"
#include "pg/guard.hpp"
#include "pg/settings.hpp"

namespace morpheus::pg {

nm::NormalizedMatrix nmatrix_value(FunctionCallInfo fcinfo, int argno) {
  const Datum d = PG_GETARG_DATUM(argno);
  struct varlena* v = pg_call([d] { return PG_DETOAST_DATUM(d); });
  return nm::deserialize(VARDATA_ANY(v), static_cast<std::int64_t>(VARSIZE_ANY_EXHDR(v)), false,
                         ErrorKind::DataCorrupted);
}

std::unique_ptr<ml::DataMatrix> data_matrix_arg(FunctionCallInfo fcinfo, int argno, const char* name) {
  require_not_null(fcinfo, argno, name);
  FmgrInfo* flinfo = fcinfo->flinfo;
  const Oid type = pg_call([flinfo, argno] { return get_fn_expr_argtype(flinfo, argno); });
  if (type == FLOAT8ARRAYOID) {
    const MatrixArg m = matrix_arg(fcinfo, argno, name);
    return std::make_unique<ml::DenseDataMatrix>(m.map());
  }
  // The only other overload takes morpheus.nmatrix: run on the plan that morpheus.factorize asks for.
  nm::NormalizedMatrix t = nmatrix_value(fcinfo, argno);
  const ml::Plan plan = ml::make_plan(t, plan_options());
  return std::make_unique<ml::NormalizedDataMatrix>(ml::apply_plan(t, plan));
}

}  // namespace morpheus::pg
