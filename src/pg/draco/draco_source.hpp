// DRACO's training data from a `source` (a table or view name resolved with the caller's search_path, or a query
// text) with a `label` column and `features` (one float8[]/numeric[] column, or a list of numeric or boolean
// columns), read through the relation reader (spi_query.hpp): read-only, with the caller's rights.
#pragma once

#include <string>
#include <vector>

#include "core/dense.hpp"

namespace morpheus::pg {

struct LabelledRows {
  RowMatrix x;
  std::vector<double> y;
  // the feature names as the relation reader names them (a column, or array[1] .. array[d] for an array column)
  std::vector<std::string> names;
  bool label_boolean = false;
};

// `source_arg` names the argument in messages ("source", "validation"). Boolean labels read as 0/1; the column
// types are checked before any row is read (42703 missing column, 42804 wrong type), NULLs are 22004 naming the row,
// ragged or non-finite features 22023.
LabelledRows read_labelled_rows(const std::string& source, const char* source_arg, const std::string& label,
                                const std::vector<std::string>& features);

}  // namespace morpheus::pg
