// Query texts given as arguments are read, never run for their side effects (docs/conventions.md): every reader of
// a query text (spi_query.cpp, ml_stream_source.cpp) prepares it, refuses a statement that could write, and runs it
// inside a read-only scope so that functions the query calls cannot write either. Both refusals are SQLSTATE 25006
// read_only_sql_transaction.
#pragma once

#include <string>

#include "pg/pg_includes.hpp"

namespace morpheus::pg {

// Refuses a prepared query (SPI_prepare) that is not a plain read: INSERT/UPDATE/DELETE/MERGE (also with RETURNING),
// a data-modifying WITH, SELECT ... FOR UPDATE/SHARE, SELECT INTO, or any utility statement (EXPLAIN ANALYZE, ...).
// The error (25006) names `query_arg` and the statement kind.
void require_read_only(SPIPlanPtr plan, const char* query_arg);

// The search_path of the SQL that called into the extension. Inside a morpheus SQL or PL/pgSQL function, whose SET
// clause pins search_path = pg_catalog, pg_temp, that is the value the caller had, found on the setting's stack below
// the pinned levels; elsewhere the current value.
std::string caller_search_path();

// While alive, a query text runs as its author expects and cannot write: search_path is the caller's (names in the
// query resolve as they would in the caller's own SQL, also when a pinned morpheus function passed the query on) and
// the transaction is read-only (transaction_read_only = on), so a volatile function called by the query cannot write
// either (PostgreSQL's 25006). Both are set at a new GUC nest level, as a function's SET clause does; the destructor
// restores them, and on an error the transaction or subtransaction abort does. Construct it before SPI_prepare:
// names are resolved when the query is parsed.
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
