// The one relation reader: runs a user's query text (or reads a table named by the user) through SPI with the
// caller's rights, read-only, and returns the requested columns as C++ data. Columns are found by name and their
// types checked; a missing or mistyped column is an error naming it. Keys may be integers or text alike.
// read_query reads a whole result; QueryReader reads it in batches, as often as needed (the streaming trainers).
#pragma once

#include "core/dense.hpp"
#include "core/nmatrix/nmatrix.hpp"
// core headers first
#include <cstdint>
#include <string>
#include <vector>

#include "pg/read_only.hpp"

namespace morpheus::pg {

enum class ColumnType {
  Float,       // float8, float4, numeric, int2/4/8, boolean (0/1): read as double
  Integer,     // int2, int4, int8: read as int64
  Key,         // int2/4/8 (into ints) or text/varchar (into text): a join key
  Text,        // text, varchar, char
  FloatArray,  // float8[] (1-D or empty): concatenated into values with offsets
  IntArray,    // int4[] (1-D or empty): concatenated into ints with offsets
  Feature,     // a Float column (into num) or a float8[] column (into values/offsets, is_array)
};

// Columns of the result beyond the requested ones: ignored, read as Float when numeric (others ignored), or read
// as Feature (any other type is an error naming the column).
enum class ExtraColumns { None, Numeric, Features };

struct ColumnRequest {
  std::string name;
  ColumnType type;
  bool required = true;
};

struct ColumnData {
  std::string name;
  ColumnType type = ColumnType::Float;
  bool present = false;
  bool key_is_text = false;  // ColumnType::Key only
  bool is_boolean = false;   // a boolean column read as 0/1
  bool is_array = false;     // ColumnType::Feature: a float8[] column
  std::vector<double> num;
  std::vector<std::int64_t> ints;
  std::vector<std::string> text;
  std::vector<double> values;          // FloatArray: row i is values[offsets[i], offsets[i+1])
  std::vector<std::int64_t> offsets;   // FloatArray, IntArray: rows + 1 entries (IntArray elements are in ints)
  std::vector<unsigned char> is_null;  // one flag per row
};

class QueryTable {
 public:
  std::int64_t rows = 0;
  std::vector<ColumnData> columns;  // in request order, then extra numeric columns

  const ColumnData& column(const std::string& name) const;
  bool has(const std::string& name) const;
  // Throws null_value_not_allowed naming the first NULL in `name` (1-based row of `query_arg`).
  void require_no_nulls(const std::string& name, const char* query_arg) const;
};

// Executes `sql` (the argument named `query_arg` in messages) and reads the requested columns. With
// extra_numeric, every other column of a numeric type is read as Float too and appended in query order.
// Honors cancel requests between batches.
QueryTable read_query(const std::string& sql, const char* query_arg, const std::vector<ColumnRequest>& wanted,
                      bool extra_numeric = false);
QueryTable read_query(const std::string& sql, const std::string& query_arg, const std::vector<ColumnRequest>& wanted,
                      ExtraColumns extra);

// The query text of a `source` argument: a query (text starting with SELECT, WITH, VALUES or TABLE, in any case,
// after blanks and opening parentheses, or any text with a blank outside double quotes) as given; otherwise the
// name of a table or view, resolved with the caller's search_path (an unknown relation is error 42P01 naming `arg`),
// as SELECT * FROM schema.name.
std::string source_query(const std::string& source, const std::string& arg);
// Whether source_query takes `source` for a query (rather than a relation name).
bool looks_like_query(const std::string& source);

// A query read in batches: prepared once, opened as often as needed (every opening runs in the statement's
// snapshot, so every pass sees the same rows). SPI must be connected by the caller for the reader's lifetime. The
// query is read, never run for its side effects: a statement that could write is refused (25006), and for the
// reader's whole lifetime the transaction is read-only with the caller's search_path (read_only.hpp), so readers
// must be destroyed in the reverse order of their construction (as scoped objects are).
class QueryReader {
 public:
  QueryReader(std::string sql, std::string query_arg, std::vector<ColumnRequest> wanted,
              ExtraColumns extra = ExtraColumns::None);
  ~QueryReader();
  QueryReader(const QueryReader&) = delete;
  QueryReader& operator=(const QueryReader&) = delete;

  // Opens (or reopens) the cursor at the first row; the first opening finds the columns by name and checks types.
  void open();
  // Appends up to `rows` rows to `into` (whose columns must come from layout()); false (and the cursor closed) at
  // the end of the result.
  bool fetch(QueryTable& into, long rows);
  void close();
  // The columns found (no rows): copy it to start a table for fetch.
  const QueryTable& layout() const { return layout_; }
  const std::string& query_arg() const { return query_arg_; }

 private:
  ReadOnlyScope read_only_;  // first: set before the query is parsed, restored after everything else
  std::string sql_;
  std::string query_arg_;
  std::vector<ColumnRequest> wanted_;
  ExtraColumns extra_;
  void* plan_ = nullptr;    // SPIPlanPtr
  void* portal_ = nullptr;  // Portal
  void* batch_cxt_ = nullptr;
  bool resolved_ = false;
  std::vector<int> fnums_;
  std::vector<unsigned int> types_;  // Oid
  QueryTable layout_;
};

// A FloatArray column (float8[] of equal lengths, no NULL, all finite) as a rows x d matrix; errors name the column,
// the row (1-based) and `query_arg`. rows may be a prefix of the column's rows.
RowMatrix features_matrix(const ColumnData& c, std::int64_t rows, const std::string& query_arg);

// Sparse features: `index` (IntArray, 1-based column numbers) with `value` (FloatArray of the same lengths; nullptr:
// every value is 1) as a rows x width CSR block (duplicates summed). width < 0: the largest index. Errors name the
// column, the row (1-based) and `query_arg`. The result is a sparse (CSR) block.
nm::Block sparse_features(const ColumnData& index, const ColumnData* value, std::int64_t rows, std::int64_t width,
                          const std::string& query_arg);

}  // namespace morpheus::pg
