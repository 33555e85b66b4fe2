// A morpheus.nmatrix argument decoded into the core's NormalizedMatrix (detoasted, parsed and validated).
#pragma once

#include "core/nmatrix/nmatrix.hpp"
#include "pg/pg_includes.hpp"

namespace morpheus::pg {

nm::NormalizedMatrix nmatrix_value(FunctionCallInfo fcinfo, int argno);

}  // namespace morpheus::pg
