#include "pg/ml_data.hpp"

#include "pg/guard.hpp"

namespace morpheus::pg {

std::unique_ptr<ml::DataMatrix> data_matrix_arg(FunctionCallInfo fcinfo, int argno, const char* name) {
  const MatrixArg m = matrix_arg(fcinfo, argno, name);
  return std::make_unique<ml::DenseDataMatrix>(m.map());
}

}  // namespace morpheus::pg
