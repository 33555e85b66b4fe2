// SQL entry points of the dense helpers: version, matmul, mat_transpose, mat_solve, mat_ginv.
#include "core/dense.hpp"
#include "core/version.hpp"
#include "pg/arrays.hpp"
#include "pg/guard.hpp"

namespace morpheus::pg {
namespace {

Datum version_body(FunctionCallInfo) { return text_datum(kVersion); }

Datum matmul_body(FunctionCallInfo fcinfo) {
  const MatrixArg a = matrix_arg(fcinfo, 0, "a");
  const MatrixArg b = matrix_arg(fcinfo, 1, "b");
  require_product_shapes(a.map(), b.map());
  MatrixResult r = new_matrix(a.rows, b.cols, "matmul result");
  morpheus::matmul(a.map(), b.map(), r.map());
  require_finite_result(ConstRowMap(r.data, r.rows, r.cols), "matmul");
  return r.datum();
}

Datum transpose_body(FunctionCallInfo fcinfo) {
  const MatrixArg a = matrix_arg(fcinfo, 0, "a", Finite::Allow);
  MatrixResult r = new_matrix(a.cols, a.rows, "mat_transpose result");
  morpheus::transpose(a.map(), r.map());
  return r.datum_as_is();  // moves values: NaN and infinities of the input are kept (docs/dense.md)
}

Datum solve_body(FunctionCallInfo fcinfo) {
  const MatrixArg a = matrix_arg(fcinfo, 0, "a");
  const MatrixArg b = matrix_arg(fcinfo, 1, "b");
  require_solve_shapes(a.map(), b.map());
  MatrixResult r = new_matrix(a.cols, b.cols, "mat_solve result");
  morpheus::solve(a.map(), b.map(), r.map());
  return r.datum();
}

Datum ginv_body(FunctionCallInfo fcinfo) {
  const MatrixArg a = matrix_arg(fcinfo, 0, "a");
  MatrixResult r = new_matrix(a.cols, a.rows, "mat_ginv result");
  morpheus::ginv(a.map(), r.map());
  return r.datum();
}

}  // namespace
}  // namespace morpheus::pg

MORPHEUS_FUNCTION(version, morpheus::pg::version_body)
MORPHEUS_FUNCTION(matmul, morpheus::pg::matmul_body)
MORPHEUS_FUNCTION(mat_transpose, morpheus::pg::transpose_body)
MORPHEUS_FUNCTION(mat_solve, morpheus::pg::solve_body)
MORPHEUS_FUNCTION(mat_ginv, morpheus::pg::ginv_body)
