// A morpheus.nmatrix argument decoded into the core's NormalizedMatrix (detoasted, parsed and validated). Its blocks
// and index vectors are views of the detoasted argument where it is aligned: use the result within the call only.
#pragma once

#include "core/nmatrix/nmatrix.hpp"
#include "pg/pg_includes.hpp"

namespace morpheus::pg {

nm::NormalizedMatrix nmatrix_value(FunctionCallInfo fcinfo, int argno);

}  // namespace morpheus::pg
