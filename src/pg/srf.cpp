#include "pg/srf.hpp"

#include "pg/guard.hpp"

namespace morpheus::pg {

SrfWriter::SrfWriter(FunctionCallInfo fcinfo) {
  pg_call([fcinfo] { InitMaterializedSRF(fcinfo, 0); });
  rsinfo_ = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
  natts_ = rsinfo_->setDesc->natts;
}

void SrfWriter::put(const Datum* values, const bool* nulls) {
  ReturnSetInfo* rs = rsinfo_;
  pg_call([rs, values, nulls] {
    tuplestore_putvalues(rs->setResult, rs->setDesc, const_cast<Datum*>(values), const_cast<bool*>(nulls));
  });
}

}  // namespace morpheus::pg
