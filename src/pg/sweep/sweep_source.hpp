// Reads the training data of the sweep module from `source` (a table or view name, or a query text) with a `label`
// column (integer classes 0..c-1) and `features` (one float8[] column, or two or more numeric columns), into a
// sweep::Dataset. Table names are resolved with the caller's search_path; everything runs with the caller's rights
// through the one relation reader (spi_query).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/sweep/mlp.hpp"

namespace morpheus::pg {

struct SourceSpec {
  std::string source;
  std::string label = "label";
  std::vector<std::string> features{"features"};
  std::int64_t classes = 0;  // <= 0: max(label) + 1
};

sweep::Dataset read_labelled_source(const SourceSpec& spec);

// The qualified, quoted name of an existing relation (nullptr-free); creates nothing.
std::string quoted_relation(const std::string& name, const char* arg, bool* exists);

}  // namespace morpheus::pg
