#include "pg/ml/relation_data.hpp"

#include "core/ml/normalized_data_matrix.hpp"
#include "core/ml/plan.hpp"
// core headers first
#include <cmath>
#include <set>

#include "pg/guard.hpp"
#include "pg/nmatrix/sparse_features.hpp"
#include "pg/settings.hpp"

namespace morpheus::pg {
namespace {

std::string row_text(std::int64_t first_row, std::int64_t r) { return " in row " + std::to_string(first_row + r + 1); }

std::string value_text(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  return format_number(v);
}

std::string key_text(const ColumnData& c, std::int64_t r) {
  return c.key_is_text ? c.text[static_cast<size_t>(r)] : std::to_string(c.ints[static_cast<size_t>(r)]);
}

// The features of columns cols (Feature columns of t) for the rows of t, plus a column of ones when intercept. names
// (if not null and empty) receives "<prefix><column>" or "<prefix><column>[j]"; widths fixes every array's length.
RowMatrix assemble(const QueryTable& t, const std::vector<const ColumnData*>& cols, const std::string& arg,
                   std::int64_t first_row, bool intercept, const std::string& prefix, std::vector<std::string>* names,
                   std::vector<std::int64_t>* widths) {
  const std::int64_t n = t.rows;
  if (widths->size() != cols.size()) widths->assign(cols.size(), -1);
  for (std::size_t k = 0; k < cols.size(); ++k) {
    const ColumnData& c = *cols[k];
    if (!c.is_array) {
      (*widths)[k] = 1;
      continue;
    }
    if ((*widths)[k] < 0 && n > 0) {
      if (c.is_null[0])
        throw Error(ErrorKind::NullValue, "column \"" + c.name + "\" of " + arg + " is NULL" + row_text(first_row, 0),
                    "Filter rows without features out, or impute them.");
      (*widths)[k] = c.offsets[1] - c.offsets[0];
    }
  }
  std::int64_t d = intercept ? 1 : 0;
  for (std::int64_t w : *widths) d += std::max<std::int64_t>(w, 0);
  RowMatrix x(n, d);
  std::int64_t at = 0;
  for (std::size_t k = 0; k < cols.size(); ++k) {
    const ColumnData& c = *cols[k];
    const std::string where = "column \"" + c.name + "\" of " + arg;
    const std::int64_t w = (*widths)[k];
    for (std::int64_t r = 0; r < n; ++r) {
      if (r % 65536 == 0) check_interrupts();
      if (c.is_null[static_cast<size_t>(r)])
        throw Error(ErrorKind::NullValue, where + " is NULL" + row_text(first_row, r),
                    "Filter rows with NULL features out (WHERE " + c.name + " IS NOT NULL), or impute them.");
      if (!c.is_array) {
        const double v = c.num[static_cast<size_t>(r)];
        if (!std::isfinite(v))
          throw invalid_parameter(where + " is " + value_text(v) + row_text(first_row, r),
                                  "Replace NaN and infinity in the query.");
        x(r, at) = v;
        continue;
      }
      const std::int64_t b = c.offsets[static_cast<size_t>(r)], e = c.offsets[static_cast<size_t>(r + 1)];
      if (e - b != w)
        throw invalid_parameter(where + " has " + std::to_string(e - b) + " elements" + row_text(first_row, r) +
                                    " but " + std::to_string(w) + " in the first row",
                                "Every row's " + c.name + " array must have the same length.");
      for (std::int64_t j = 0; j < w; ++j) {
        const double v = c.values[static_cast<size_t>(b + j)];
        if (!std::isfinite(v))
          throw invalid_parameter(where + " holds " + value_text(v) + row_text(first_row, r),
                                  "Replace NaN and infinity in the query.");
        x(r, at + j) = v;
      }
    }
    if (names != nullptr) {
      if (!c.is_array) {
        names->push_back(prefix + c.name);
      } else {
        for (std::int64_t j = 0; j < w; ++j) names->push_back(prefix + c.name + "[" + std::to_string(j + 1) + "]");
      }
    }
    at += w;
  }
  if (intercept && n > 0) x.col(d - 1).setOnes();
  return x;
}

std::string attribute_arg(std::size_t k) { return "attributes[" + std::to_string(k + 1) + "]"; }

void check_name(const std::string& value, const char* arg) {
  if (value.empty()) throw invalid_parameter(std::string(arg) + " is empty", "Name a column of the source.");
}

}  // namespace

RelationArgs relation_args(FunctionCallInfo fcinfo, const RelationArgPositions& at) {
  RelationArgs a;
  a.source = string_arg(fcinfo, at.source, "source");
  if (a.source.find_first_not_of(" \t\r\n") == std::string::npos)
    throw invalid_parameter("source is empty", "Pass a table or view name, or a query.");
  if (at.label >= 0) {
    a.label = string_arg(fcinfo, at.label, "label");
    check_name(a.label, "label");
  }
  if (at.features >= 0 && !PG_ARGISNULL(at.features)) {
    a.features = text_array_arg(fcinfo, at.features, "features");
    a.features_given = true;
    std::set<std::string> seen;
    for (const auto& f : a.features) {
      check_name(f, "a features element");
      if (!seen.insert(f).second)
        throw invalid_parameter("features names the column \"" + f + "\" twice", "Name every feature column once.");
    }
  } else if (at.features >= 0) {
    a.features = {"features"};
  }
  if (at.id >= 0 && !PG_ARGISNULL(at.id)) {
    a.id = string_arg(fcinfo, at.id, "id");
    check_name(a.id, "id");
  }
  if (at.intercept >= 0) {
    require_not_null(fcinfo, at.intercept, "intercept");
    a.intercept = PG_GETARG_BOOL(at.intercept);
  }
  if (at.attributes >= 0) {
    a.attributes = text_array_arg(fcinfo, at.attributes, "attributes");
    a.foreign_keys = text_array_arg(fcinfo, at.foreign_keys, "foreign_keys");
    if (a.foreign_keys.size() != a.attributes.size())
      throw invalid_parameter("attributes has " + std::to_string(a.attributes.size()) +
                                  " relations but foreign_keys has " + std::to_string(a.foreign_keys.size()) + " names",
                              "Name one foreign-key column of source per attribute relation.");
    if (PG_ARGISNULL(at.attribute_keys)) {
      a.attribute_keys.assign(a.attributes.size(), "id");
    } else {
      a.attribute_keys = text_array_arg(fcinfo, at.attribute_keys, "attribute_keys");
      if (a.attribute_keys.size() != a.attributes.size())
        throw invalid_parameter("attributes has " + std::to_string(a.attributes.size()) +
                                    " relations but attribute_keys has " + std::to_string(a.attribute_keys.size()) +
                                    " names",
                                "Name the key column of every attribute relation (or leave attribute_keys NULL for "
                                "id).");
    }
    for (const auto& k : a.foreign_keys) check_name(k, "a foreign_keys element");
    for (const auto& k : a.attribute_keys) check_name(k, "an attribute_keys element");
  }
  for (const auto& f : a.features) {
    if (!a.label.empty() && f == a.label)
      throw invalid_parameter("the label column \"" + f + "\" is also named in features",
                              "A model cannot use its label as a feature: remove it from features.");
    if (!a.id.empty() && f == a.id)
      throw invalid_parameter("the id column \"" + f + "\" is also named in features",
                              "An id identifies a row and is not a feature: remove it from features.");
  }
  a.query = source_query(a.source, "source");
  return a;
}

std::string attribute_prefix(const std::string& relation, std::size_t k) {
  return (looks_like_query(relation) ? attribute_arg(k) : relation) + ".";
}

namespace {

// The sparse form of attributes[k] (the result t returns a column "index" of type int[]): index, value, width and
// nothing else beside the key.
void read_sparse_attribute(const QueryTable& t, const std::string& arg, const std::string& key,
                           const std::string& prefix, std::int64_t expected_width, AttributeRelation& r) {
  SparseColumns c;
  c.index = &t.column("index");
  for (const auto& col : t.columns) {
    if (!col.present || col.name == key || col.name == "index") continue;
    if (col.name == "value") {
      c.value = &col;
    } else if (col.name == "width") {
      c.width = &col;
    } else {
      throw invalid_parameter(arg + " returns the column \"" + col.name + "\" beside \"index\"",
                              "A sparse attribute relation returns its key, index int[] (1-based column numbers) and "
                              "optionally value float8[] and width int, nothing else: select only those columns.");
    }
    r.columns.push_back(col.name);
  }
  r.columns.insert(r.columns.begin(), "index");
  nm::Block m = read_sparse_form(c, t.rows, arg, expected_width);  // O(rows + entries): no width-sized array
  const std::int64_t width = m.cols();
  // The names "<prefix>index[j]", one per column, are what the declared width makes us allocate (and what a
  // model stores in its features text[]): checked before they are made.
  const double name_bytes = static_cast<double>(width) * (static_cast<double>(prefix.size()) + 40.0);
  if (name_bytes > static_cast<double>(nm::kMaxValueBytes))
    throw Error(ErrorKind::LimitExceeded,
                arg + " has width " + std::to_string(width) + ": its feature names would need about " +
                    std::to_string(static_cast<long long>(name_bytes)) + " bytes, over the 1 GB limit of one value",
                "Return a width no larger than the number of feature columns (renumber the columns 1..d), or omit "
                "width to use the largest index.");
  r.sparse = true;
  r.features = std::move(m);
  r.names.reserve(static_cast<std::size_t>(width));
  for (std::int64_t j = 1; j <= width; ++j) {
    if (j % 65536 == 0) check_interrupts();
    r.names.push_back(prefix + "index[" + std::to_string(j) + "]");
  }
}

}  // namespace

std::vector<AttributeRelation> read_attributes(const RelationArgs& a, const std::vector<std::string>* prefixes,
                                               const std::vector<std::int64_t>* widths) {
  std::vector<AttributeRelation> out;
  for (std::size_t k = 0; k < a.attributes.size(); ++k) {
    const std::string arg = attribute_arg(k);
    const std::string query = source_query(a.attributes[k], arg);
    const std::string& key = a.attribute_keys[k];
    // A column "index" (unless it is the key) is the sparse form and must be int[] (42804 otherwise); every other
    // column is a feature.
    std::vector<ColumnRequest> want{{key, ColumnType::Key, true}};
    if (key != "index") want.push_back({"index", ColumnType::IntArray, false});
    const QueryTable t = read_query(query, arg, want, ExtraColumns::Features);
    if (t.rows < 1)
      throw invalid_parameter(arg + " returned no rows", "Each attribute relation must have at least one row.");
    if (t.rows > std::numeric_limits<std::int32_t>::max())
      throw Error(ErrorKind::LimitExceeded, arg + " has " + std::to_string(t.rows) + " rows",
                  "Attribute relations are limited to 2^31 - 1 rows.");
    t.require_no_nulls(key, arg.c_str());
    AttributeRelation r;
    const std::string prefix = prefixes != nullptr && k < prefixes->size() ? attribute_prefix((*prefixes)[k], k)
                                                                           : attribute_prefix(a.attributes[k], k);
    const std::int64_t expected_width = widths != nullptr && k < widths->size() ? (*widths)[k] : -1;
    if (key != "index" && t.has("index")) {
      read_sparse_attribute(t, arg, key, prefix, expected_width, r);
    } else {
      std::vector<const ColumnData*> cols;
      for (const auto& c : t.columns)
        if (c.present && c.name != key) cols.push_back(&c);
      if (cols.empty())
        throw invalid_parameter(arg + " has no feature column besides its key \"" + key + "\"",
                                "Every column of an attribute relation other than its key is a feature (or return "
                                "index int[] for sparse features).");
      std::vector<std::int64_t> col_widths;
      r.features = nm::Block(assemble(t, cols, arg, 0, false, prefix, &r.names, &col_widths));
      for (const auto* c : cols) r.columns.push_back(c->name);
    }
    const ColumnData& kc = t.column(key);
    r.text_keys = kc.key_is_text;
    for (std::int64_t row = 0; row < t.rows; ++row) {
      const bool fresh = r.text_keys ? r.text_rows.emplace(kc.text[static_cast<size_t>(row)], row).second
                                     : r.int_rows.emplace(kc.ints[static_cast<size_t>(row)], row).second;
      if (!fresh)
        throw invalid_parameter("column \"" + key + "\" of " + arg + " has the duplicate value '" + key_text(kc, row) +
                                    "' (row " + std::to_string(row + 1) + ")",
                                "Attribute keys must be unique (a primary key).");
    }
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<ColumnRequest> entity_requests(const RelationArgs& a) {
  std::vector<ColumnRequest> want;
  if (!a.label.empty()) want.push_back({a.label, ColumnType::Float, true});
  for (const auto& f : a.features) want.push_back({f, ColumnType::Feature, a.features_given || a.attributes.empty()});
  if (!a.id.empty()) want.push_back({a.id, ColumnType::Key, true});
  for (const auto& k : a.foreign_keys) want.push_back({k, ColumnType::Key, true});
  return want;
}

RowMatrix entity_features(const QueryTable& t, const RelationArgs& a, std::int64_t first_row,
                          std::vector<std::string>* names, std::vector<std::int64_t>* widths) {
  std::vector<const ColumnData*> cols;
  for (const auto& f : a.features) {
    const ColumnData& c = t.column(f);
    if (c.present) cols.push_back(&c);
  }
  return assemble(t, cols, "source", first_row, a.intercept, "", names, widths);
}

ml::Vec entity_labels(const QueryTable& t, const RelationArgs& a, std::int64_t first_row) {
  const ColumnData& c = t.column(a.label);
  ml::Vec y(t.rows);
  for (std::int64_t r = 0; r < t.rows; ++r) {
    if (c.is_null[static_cast<size_t>(r)])
      throw Error(ErrorKind::NullValue, "column \"" + a.label + "\" of source is NULL" + row_text(first_row, r),
                  "Filter rows without a label out (WHERE " + a.label + " IS NOT NULL).");
    const double v = c.num[static_cast<size_t>(r)];
    if (!std::isfinite(v))
      throw invalid_parameter("column \"" + a.label + "\" of source is " + value_text(v) + row_text(first_row, r),
                              "Labels must be finite numbers.");
    y(r) = v;
  }
  return y;
}

std::vector<std::int32_t> foreign_key_rows(const QueryTable& t, const RelationArgs& a, std::size_t k,
                                           const AttributeRelation& rel, std::int64_t first_row) {
  const std::string& name = a.foreign_keys[k];
  const ColumnData& fk = t.column(name);
  if (fk.key_is_text != rel.text_keys)
    throw Error(ErrorKind::DatatypeMismatch,
                "column \"" + name + "\" of source holds " + (fk.key_is_text ? "text" : "integers") +
                    " but the keys of " + attribute_arg(k) + " are " + (rel.text_keys ? "text" : "integers"),
                "Cast the key columns to the same type, e.g. " + name + (rel.text_keys ? "::text." : "::int."));
  std::vector<std::int32_t> rows(static_cast<size_t>(t.rows));
  for (std::int64_t r = 0; r < t.rows; ++r) {
    if (r % 65536 == 0) check_interrupts();
    if (fk.is_null[static_cast<size_t>(r)])
      throw Error(ErrorKind::NullValue, "column \"" + name + "\" of source is NULL" + row_text(first_row, r),
                  "Filter NULL keys out in the query (an inner join drops them).");
    std::int32_t found = -1;
    if (rel.text_keys) {
      auto it = rel.text_rows.find(fk.text[static_cast<size_t>(r)]);
      if (it != rel.text_rows.end()) found = it->second;
    } else {
      auto it = rel.int_rows.find(fk.ints[static_cast<size_t>(r)]);
      if (it != rel.int_rows.end()) found = it->second;
    }
    if (found < 0)
      throw invalid_parameter("column \"" + name + "\" of source has the dangling key '" + key_text(fk, r) + "'" +
                                  row_text(first_row, r) + ": no row of " + attribute_arg(k) + " has that key",
                              "Every foreign key must match a key of the attribute relation (an inner join).");
    rows[static_cast<size_t>(r)] = found;
  }
  return rows;
}

std::vector<std::string> RelationData::feature_names() const {
  std::vector<std::string> names = entity_names;
  for (const auto& r : attributes) names.insert(names.end(), r.names.begin(), r.names.end());
  return names;
}

std::int64_t RelationData::matrix_cols() const {
  std::int64_t d = entity.cols();
  for (const auto& r : attributes) d += static_cast<std::int64_t>(r.names.size());
  return d;
}

RelationData read_relation(const RelationArgs& a) {
  RelationData d;
  d.attributes = read_attributes(a);
  const QueryTable t = read_query(a.query, std::string("source"), entity_requests(a), ExtraColumns::None);
  if (t.rows < 1) throw invalid_parameter("source returned no rows", "Train on at least one row.");
  if (!a.attributes.empty() && t.rows > std::numeric_limits<std::int32_t>::max())
    throw Error(ErrorKind::LimitExceeded, "source has " + std::to_string(t.rows) + " rows",
                "Normalized data is limited to 2^31 - 1 entity rows; use the streaming trainers.");
  d.rows = t.rows;
  d.entity = entity_features(t, a, 0, &d.entity_names, &d.entity_widths);
  if (!a.label.empty()) {
    d.y = entity_labels(t, a, 0);
    d.label_boolean = t.column(a.label).is_boolean;
  }
  for (std::size_t k = 0; k < a.attributes.size(); ++k) d.fk.push_back(foreign_key_rows(t, a, k, d.attributes[k], 0));
  return d;
}

nm::NormalizedMatrix relation_nmatrix(RelationData& d) {
  nm::NormalizedMatrix t = d.entity.cols() > 0 ? nm::NormalizedMatrix::from_entity(nm::Block(std::move(d.entity)))
                                               : nm::NormalizedMatrix::with_rows(d.rows);
  for (std::size_t k = 0; k < d.attributes.size(); ++k)
    t.join(std::move(d.fk[k]), std::move(d.attributes[k].features));  // a CSR block joins as is
  return t;
}

TrainingMatrix training_matrix(RelationData& d) {
  TrainingMatrix m;
  if (d.attributes.empty()) {
    m.dense = std::move(d.entity);
    m.t = std::make_unique<ml::DenseDataMatrix>(ConstRowMap(m.dense.data(), m.dense.rows(), m.dense.cols()));
    return m;
  }
  nm::NormalizedMatrix t = relation_nmatrix(d);
  const ml::Plan plan = ml::make_plan(t, plan_options());
  m.t = std::make_unique<ml::NormalizedDataMatrix>(ml::apply_plan(t, plan));
  return m;
}

}  // namespace morpheus::pg
