#include "pg/sweep/sweep_source.hpp"

#include <algorithm>
#include <cctype>

#include "core/errors.hpp"
#include "pg/guard.hpp"
#include "pg/pg_includes.hpp"
#include "pg/spi_query.hpp"

extern "C" {
#include "catalog/namespace.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"
}

namespace morpheus::pg {

namespace {

std::string num(std::int64_t v) { return std::to_string(v); }

}  // namespace

std::string quoted_relation(const std::string& name, const char* arg, bool* exists) {
  if (name.empty())
    throw invalid_parameter(std::string(arg) + " is empty", "Name a table (optionally schema-qualified).");
  const char* n = name.c_str();
  char* quoted = nullptr;
  bool found = false;
  pg_call([n, &quoted, &found] {
    List* names = stringToQualifiedNameList(n);
    RangeVar* rv = makeRangeVarFromNameList(names);
    const Oid relid = RangeVarGetRelid(rv, NoLock, true);
    if (OidIsValid(relid)) {
      found = true;
      quoted = pstrdup(quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)), get_rel_name(relid)));
    } else {
      const char* schema = rv->schemaname;
      quoted =
          pstrdup(schema != nullptr ? quote_qualified_identifier(schema, rv->relname) : quote_identifier(rv->relname));
    }
  });
  if (exists != nullptr) *exists = found;
  return quoted;
}

sweep::Dataset read_labelled_source(const SourceSpec& spec) {
  if (spec.features.empty())
    throw invalid_parameter("features is empty",
                            "Name one float8[] column, e.g. '{features}', or two or more numeric columns.");
  if (spec.label.empty()) throw invalid_parameter("label is empty", "Name the label column, e.g. 'label'.");
  const std::string sql = source_query(spec.source, "source");
  std::vector<ColumnRequest> req{{spec.label, ColumnType::Integer}};
  const bool array_column = spec.features.size() == 1;
  for (const std::string& f : spec.features) {
    if (f == spec.label)
      throw invalid_parameter("column \"" + f + "\" is both the label and a feature",
                              "Remove the label from features.");
    req.push_back({f, array_column ? ColumnType::FloatArray : ColumnType::Float});
  }
  {
    std::vector<std::string> sorted = spec.features;
    std::sort(sorted.begin(), sorted.end());
    for (std::size_t i = 1; i < sorted.size(); ++i)
      if (sorted[i] == sorted[i - 1])
        throw invalid_parameter("features lists column \"" + sorted[i] + "\" twice", "List each column once.");
  }
  const QueryTable t = read_query(sql, "source", req);
  if (t.rows == 0) throw invalid_parameter("source returned no rows", "The query must return the training rows.");
  for (const auto& r : req) t.require_no_nulls(r.name, "source");
  sweep::Dataset data;
  if (array_column) {
    data.x = features_matrix(t.column(spec.features[0]), t.rows, "source");
  } else {
    data.x.resize(t.rows, static_cast<std::int64_t>(spec.features.size()));
    for (std::size_t j = 0; j < spec.features.size(); ++j) {
      const ColumnData& c = t.column(spec.features[j]);
      for (std::int64_t r = 0; r < t.rows; ++r) data.x(r, static_cast<std::int64_t>(j)) = c.num[static_cast<size_t>(r)];
    }
  }
  const ColumnData& l = t.column(spec.label);
  std::int64_t max_label = 0;
  const std::int64_t cap = spec.classes > 0 ? spec.classes : 100000;
  for (std::int64_t r = 0; r < t.rows; ++r) {
    const std::int64_t y = l.ints[static_cast<size_t>(r)];
    if (y < 0 || y >= cap)
      throw invalid_parameter("column \"" + spec.label + "\" is " + num(y) + " in row " + num(r + 1) +
                                  " of source, outside 0.." + num(cap - 1),
                              spec.classes > 0 ? "Labels must be 0 .. classes - 1: fix the labels or raise classes."
                                               : "Labels must be class numbers 0, 1, 2, ... (at most 100000 classes).");
    max_label = std::max(max_label, y);
  }
  data.classes = static_cast<int>(spec.classes > 0 ? spec.classes : max_label + 1);
  if (data.classes < 2)
    throw invalid_parameter("source has only label 0: a classifier needs at least two classes",
                            "Return rows of several classes, or pass classes => 2 or more.");
  data.y.resize(static_cast<std::size_t>(t.rows));
  for (std::int64_t r = 0; r < t.rows; ++r)
    data.y[static_cast<std::size_t>(r)] = static_cast<int>(l.ints[static_cast<size_t>(r)]);
  sweep::validate_dataset(data, "source");
  return data;
}

}  // namespace morpheus::pg
