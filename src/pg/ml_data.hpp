// Turns an SQL argument into the DataMatrix the ML algorithms run on: a float8[][] is mapped in place.
#pragma once

#include <memory>

#include "core/ml/data_matrix.hpp"
#include "pg/arrays.hpp"

namespace morpheus::pg {

std::unique_ptr<ml::DataMatrix> data_matrix_arg(FunctionCallInfo fcinfo, int argno, const char* name);

}  // namespace morpheus::pg
