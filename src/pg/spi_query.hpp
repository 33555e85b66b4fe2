// Runs a user's query text through SPI (with the caller's rights) and returns the requested columns as C++ data.
// Columns are found by name and their types checked; a missing or mistyped column is an error naming it.
#pragma once

#include "core/dense.hpp"
#include "core/nmatrix/nmatrix.hpp"
// core headers first
#include <cstdint>
#include <string>
#include <vector>

namespace morpheus::pg {

enum class ColumnType {
  Float,       // float8, float4, numeric, int2/4/8: read as double
  Integer,     // int2, int4, int8: read as int64
  Key,         // int2/4/8 (into ints) or text/varchar (into text): a join key
  Text,        // text, varchar, char
  FloatArray,  // float8[] (1-D or empty): concatenated into values with offsets
  IntArray,    // int4[] (1-D or empty): concatenated into ints with offsets
};

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

// A FloatArray column (float8[] of equal lengths, no NULL, all finite) as a rows x d matrix; errors name the column,
// the row (1-based) and `query_arg`.
RowMatrix features_matrix(const ColumnData& c, std::int64_t rows, const std::string& query_arg);

// Sparse features: `index` (IntArray, 1-based column numbers) with `value` (FloatArray of the same lengths; nullptr:
// every value is 1) as a rows x width CSR matrix (duplicates summed). width < 0: the largest index. Errors name the
// column, the row (1-based) and `query_arg`.
nm::SparseMatrix sparse_features(const ColumnData& index, const ColumnData* value, std::int64_t rows,
                                 std::int64_t width, const std::string& query_arg);

}  // namespace morpheus::pg
