#include "pg/nmatrix/nmatrix_datum.hpp"

#include "pg/guard.hpp"

namespace morpheus::pg {

nm::NormalizedMatrix nmatrix_value(FunctionCallInfo fcinfo, int argno) {
  const Datum d = PG_GETARG_DATUM(argno);
  struct varlena* v = pg_call([d] { return PG_DETOAST_DATUM(d); });
  // The detoasted value lives in the calling function's memory context until the call returns: the result's blocks
  // and index vectors read it in place (arrays at an unaligned address, or from an old layout, are copied).
  return nm::deserialize(VARDATA_ANY(v), static_cast<std::int64_t>(VARSIZE_ANY_EXHDR(v)), false,
                         ErrorKind::DataCorrupted, true);
}

}  // namespace morpheus::pg
