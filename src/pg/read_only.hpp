// Query texts given as arguments are read, never run for their side effects (docs/conventions.md): every reader of
// a query text (spi_query.cpp, ml_stream_source.cpp) prepares it, refuses a statement that could write, and runs it
// inside a read-only scope so that functions the query calls cannot write either. Both refusals are SQLSTATE 25006
// read_only_sql_transaction.
#pragma once

#include "pg/pg_includes.hpp"

namespace morpheus::pg {

// Refuses a prepared query (SPI_prepare) that is not a plain read: INSERT/UPDATE/DELETE/MERGE (also with RETURNING),
// a data-modifying WITH, SELECT ... FOR UPDATE/SHARE, SELECT INTO, or any utility statement (EXPLAIN ANALYZE, ...).
// The error (25006) names `query_arg` and the statement kind.
void require_read_only(SPIPlanPtr plan, const char* query_arg);

// While alive, the transaction is read-only (transaction_read_only = on at a new GUC nest level): a volatile function
// called by the query cannot write either (PostgreSQL's 25006). The destructor restores the previous setting; on an
// error the transaction or subtransaction abort restores it.
class ReadOnlyScope {
 public:
  ReadOnlyScope();
  ~ReadOnlyScope();
  ReadOnlyScope(const ReadOnlyScope&) = delete;
  ReadOnlyScope& operator=(const ReadOnlyScope&) = delete;

 private:
  int nest_level_ = -1;
};

}  // namespace morpheus::pg
