#include "pg/nmatrix/sparse_features.hpp"

#include "core/errors.hpp"
// core headers first
#include <cmath>
#include <limits>

#include "pg/guard.hpp"

namespace morpheus::pg {
namespace {

// The declared width of every row (one value >= 0, the same on every row; -1 without rows).
std::int64_t declared_width(const ColumnData& w, std::int64_t rows, const std::string& qname) {
  if (w.type == ColumnType::Feature && w.is_array)
    throw Error(ErrorKind::DatatypeMismatch, "column \"width\" of " + qname + " is float8[], expected an integer",
                "Return the number of feature columns as an int, e.g. 82000 AS width.");
  std::int64_t first = -1;
  for (std::int64_t r = 0; r < rows; ++r) {
    const auto i = static_cast<std::size_t>(r);
    if (w.is_null[i])
      throw Error(ErrorKind::NullValue, "column \"width\" of " + qname + " is NULL in row " + std::to_string(r + 1),
                  "Return the number of feature columns on every row, or omit width.");
    double v = 0;
    if (w.type == ColumnType::Feature || w.type == ColumnType::Float)
      v = w.num[i];
    else
      v = static_cast<double>(w.ints[i]);
    if (!(v >= 0) || v != std::floor(v) || v > static_cast<double>(std::numeric_limits<std::int32_t>::max()) ||
        (first >= 0 && static_cast<std::int64_t>(v) != first))
      throw invalid_parameter("column \"width\" of " + qname + " must be one whole number >= 0 on every row, row " +
                                  std::to_string(r + 1) + " has " + format_number(v),
                              "Return the number of feature columns, the same on every row.");
    first = static_cast<std::int64_t>(v);
  }
  return first;
}

// The largest index of the column (0 without entries).
std::int64_t largest_index(const ColumnData& index, std::int64_t rows) {
  std::int64_t m = 0;
  const std::int64_t n = rows > 0 ? index.offsets[static_cast<std::size_t>(rows)] : 0;
  for (std::int64_t e = 0; e < n; ++e) m = std::max<std::int64_t>(m, index.ints[static_cast<std::size_t>(e)]);
  return m;
}

}  // namespace

nm::Block read_sparse_form(const SparseColumns& c, std::int64_t rows, const std::string& qname,
                           std::int64_t expected_width) {
  if (c.value != nullptr && c.value->type == ColumnType::Feature && !c.value->is_array)
    throw Error(ErrorKind::DatatypeMismatch,
                "column \"value\" of " + qname + " is a scalar, expected float8[] (one value per index)",
                "Return value float8[] beside index int[], e.g. array_agg(v ORDER BY j) AS value.");
  std::int64_t width = c.width != nullptr ? declared_width(*c.width, rows, qname) : -1;
  if (expected_width >= 0) {
    if (width >= 0 && width != expected_width)
      throw invalid_parameter(qname + " has width " + std::to_string(width) + " but the model was trained with width " +
                                  std::to_string(expected_width),
                              "Score a relation with the model's feature columns: the same width and column numbers.");
    if (width < 0) {
      const std::int64_t largest = largest_index(*c.index, rows);
      if (largest > expected_width)
        throw invalid_parameter(
            qname + " has the column number " + std::to_string(largest) + " but the model was trained with width " +
                std::to_string(expected_width),
            "Score a relation with the model's feature columns: the same width and column numbers.");
      width = expected_width;
    }
  }
  return sparse_features(*c.index, c.value, rows, width, qname);
}

void want_features(std::vector<ColumnRequest>& want) {
  want.push_back({"features", ColumnType::FloatArray, false});
  want.push_back({"index", ColumnType::IntArray, false});
  want.push_back({"value", ColumnType::FloatArray, false});
  want.push_back({"width", ColumnType::Integer, false});
}

bool features_block(const QueryTable& q, const std::string& qname, bool required, nm::Block& out) {
  if (q.has("index")) {
    if (q.has("features"))
      throw invalid_parameter(qname + " returns both \"features\" and \"index\"",
                              "Return dense features float8[], or sparse index int[] (with value float8[]), not both.");
    SparseColumns c;
    c.index = &q.column("index");
    if (q.has("value")) c.value = &q.column("value");
    if (q.has("width")) c.width = &q.column("width");
    out = read_sparse_form(c, q.rows, qname);
    return true;
  }
  if (q.has("value") || q.has("width"))
    throw invalid_parameter(qname + " returns \"value\" or \"width\" without \"index\"",
                            "Sparse features need index int[] (1-based column numbers).");
  if (q.has("features")) {
    out = nm::Block(features_matrix(q.column("features"), q.rows, qname));
    return true;
  }
  if (required)
    throw Error(ErrorKind::UndefinedColumn, qname + " returns no column \"features\" or \"index\"",
                "Return dense features float8[], or sparse index int[] (with value float8[]).");
  return false;
}

}  // namespace morpheus::pg
