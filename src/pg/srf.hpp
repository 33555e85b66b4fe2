// Set-returning functions in materialize mode: C++ computes rows, the writer appends them to the tuplestore.
#pragma once

#include "pg/pg_includes.hpp"

namespace morpheus::pg {

class SrfWriter {
 public:
  // Sets up materialize mode for the calling set-returning function (RETURNS TABLE / OUT parameters).
  explicit SrfWriter(FunctionCallInfo fcinfo);
  // Number of result columns.
  int columns() const { return natts_; }
  // Appends one row; values and nulls have columns() entries. A float8 or float8[] column holding a NaN or an
  // infinity is refused with 22003 naming the column (and the guard adds the function, docs/conventions.md): a value
  // that is undefined on purpose (not evaluated, diverged) is written as SQL NULL instead.
  void put(const Datum* values, const bool* nulls);

 private:
  ReturnSetInfo* rsinfo_ = nullptr;
  int natts_ = 0;
  std::int64_t rows_written_ = 0;
};

}  // namespace morpheus::pg
