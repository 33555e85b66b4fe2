// Turns an SQL argument into the DataMatrix the ML algorithms run on.
#pragma once

#include <memory>

#include "core/ml/data_matrix.hpp"
#include "pg/arrays.hpp"

namespace morpheus::pg {

// The argument x as float8[][] (mapped in place) or t as morpheus.nmatrix (executed on the plan morpheus.factorize
// asks for).
std::unique_ptr<ml::DataMatrix> data_matrix_arg(FunctionCallInfo fcinfo, int argno);

}  // namespace morpheus::pg
