// The sparse form of a relation's features, shared by nmatrix_from_sparse (every relation) and the relation reader
// (relation_data.hpp: attribute relations of the trainers, nmatrix_from_sql and predict): `index int[]` (1-based
// column numbers), optional `value float8[]` (one value per index; default every value 1) and optional `width int`
// (the column count, one value on every row; default the largest index). Read into a CSR block directly.
#pragma once

#include "core/nmatrix/nmatrix.hpp"
// core headers first
#include <cstdint>
#include <string>
#include <vector>

#include "pg/spi_query.hpp"

namespace morpheus::pg {

// The columns of the sparse form in a query result (nullptr: absent). value may be a FloatArray column or a Feature
// column (then it must hold float8[]); width an Integer column or a Feature column (then a whole number).
struct SparseColumns {
  const ColumnData* index = nullptr;
  const ColumnData* value = nullptr;
  const ColumnData* width = nullptr;
};

// The rows x width CSR block of the sparse form (duplicates summed). Errors name `qname`: index values < 1 or
// > width (2202E), value and index lengths that differ (22023), NULLs (22004), a width that is not one whole number
// >= 0 on every row (22023). expected_width >= 0 (a model's): a declared width that differs, or an index beyond it
// without a declared width, is 22023 naming qname; the result then has expected_width columns.
nm::Block read_sparse_form(const SparseColumns& c, std::int64_t rows, const std::string& qname,
                           std::int64_t expected_width = -1);

// The columns nmatrix_from_sparse asks of every relation: dense `features float8[]`, or the sparse form.
void want_features(std::vector<ColumnRequest>& want);

// The features of a query read with want_features; `required`: one of the two forms must be present.
bool features_block(const QueryTable& q, const std::string& qname, bool required, nm::Block& out);

}  // namespace morpheus::pg
