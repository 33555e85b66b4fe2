#include "pg/srf.hpp"

#include <cmath>
#include <string>

#include "core/interrupt.hpp"
#include "pg/arrays.hpp"
#include "pg/guard.hpp"

namespace morpheus::pg {

SrfWriter::SrfWriter(FunctionCallInfo fcinfo) {
  pg_call([fcinfo] { InitMaterializedSRF(fcinfo, 0); });
  rsinfo_ = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
  natts_ = rsinfo_->setDesc->natts;
}

void SrfWriter::put(const Datum* values, const bool* nulls) {
  ReturnSetInfo* rs = rsinfo_;
  for (int c = 0; c < natts_; ++c) {
    if (nulls[c]) continue;
    const Form_pg_attribute att = TupleDescAttr(rs->setDesc, c);
    const double* v = nullptr;
    std::int64_t rows = 1, cols = 1;
    double scalar = 0;
    if (att->atttypid == FLOAT8OID) {
      scalar = DatumGetFloat8(values[c]);
      v = &scalar;
    } else if (att->atttypid == FLOAT8ARRAYOID) {
      // Arrays built by the result builders are plain (not toasted) and have no NULL elements; check others too.
      ArrayType* a = reinterpret_cast<ArrayType*>(pg_call([&] { return PG_DETOAST_DATUM(values[c]); }));
      if (ARR_HASNULL(a) || ARR_ELEMTYPE(a) != FLOAT8OID || ARR_NDIM(a) < 1) continue;
      cols = ARR_NDIM(a) == 2 ? ARR_DIMS(a)[1] : 1;
      rows = cols > 0
                 ? pg_call([a] { return static_cast<std::int64_t>(ArrayGetNItems(ARR_NDIM(a), ARR_DIMS(a))); }) / cols
                 : 0;
      v = reinterpret_cast<const double*>(ARR_DATA_PTR(a));
    } else {
      continue;
    }
    bool finite = true;
    for (std::int64_t k = 0; k < rows * cols && finite; ++k) finite = std::isfinite(v[k]);
    if (!finite)
      require_finite_values(v, rows, cols, (std::string("column \"") + NameStr(att->attname) + "\"").c_str());
  }
  pg_call([rs, values, nulls] {
    tuplestore_putvalues(rs->setResult, rs->setDesc, const_cast<Datum*>(values), const_cast<bool*>(nulls));
  });
  // A long result (a million generated rows) honours a cancel while it is written.
  if ((++rows_written_ & 1023) == 0) check_interrupts();
}

}  // namespace morpheus::pg
