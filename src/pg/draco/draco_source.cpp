// Reading DRACO's labelled rows from a source: the column types are looked up in the planned query's result
// description (nothing is executed), a query selecting label and a float8[] of the features is built from them, and
// the relation reader runs it.
#include "pg/draco/draco_source.hpp"

#include <algorithm>
#include <cctype>

#include "core/errors.hpp"
#include "pg/guard.hpp"
#include "pg/spi_query.hpp"
// PostgreSQL last
#include "pg/pg_includes.hpp"

extern "C" {
#include "catalog/namespace.h"
#include "utils/plancache.h"
#include "utils/regproc.h"
}

namespace morpheus::pg {

namespace {

struct ColumnInfo {
  std::string name;
  Oid type = InvalidOid;
};

std::string quote_ident(const std::string& s) {
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// The result columns of a query, from its plan (the query is parsed and planned, not run).
std::vector<ColumnInfo> describe(const std::string& sql, const char* arg) {
  // on an error the (sub)transaction abort closes the SPI connection, as for spi_query.cpp's sessions
  const int rc = pg_call([] { return SPI_connect(); });
  if (rc != SPI_OK_CONNECT) throw Error(ErrorKind::Internal, "SPI_connect failed");
  const ReadOnlyScope read_only;  // names resolve in the caller's search_path
  const char* q = sql.c_str();
  SPIPlanPtr plan = pg_call([q] { return SPI_prepare(q, 0, nullptr); });
  if (plan == nullptr)
    throw invalid_parameter(std::string(arg) + " could not be prepared",
                            "Give a table or view name, or a single SELECT query.");
  require_read_only(plan, arg);
  const TupleDesc desc = pg_call([plan]() -> TupleDesc {
    List* sources = SPI_plan_get_plan_sources(plan);
    if (list_length(sources) != 1) return nullptr;
    return static_cast<CachedPlanSource*>(linitial(sources))->resultDesc;
  });
  if (desc == nullptr)
    throw invalid_parameter(std::string(arg) + " must be a single query that returns rows",
                            "Pass a SELECT (or VALUES, TABLE ...) statement.");
  std::vector<ColumnInfo> cols;
  for (int i = 0; i < desc->natts; ++i) {
    const Form_pg_attribute a = TupleDescAttr(desc, i);
    if (!a->attisdropped) cols.push_back({NameStr(a->attname), a->atttypid});
  }
  pg_call([] { SPI_finish(); });
  return cols;
}

bool numeric_type(Oid t) {
  return t == FLOAT8OID || t == FLOAT4OID || t == NUMERICOID || t == INT2OID || t == INT4OID || t == INT8OID;
}
bool numeric_array_type(Oid t) {
  return t == FLOAT8ARRAYOID || t == FLOAT4ARRAYOID || t == NUMERICARRAYOID || t == INT2ARRAYOID || t == INT4ARRAYOID ||
         t == INT8ARRAYOID;
}

std::string type_name(Oid t) {
  return std::string(pg_call([t] { return format_type_be(t); }));
}

const ColumnInfo& find(const std::vector<ColumnInfo>& cols, const std::string& name, const char* arg,
                       const char* role) {
  for (const auto& c : cols)
    if (c.name == name) return c;
  std::string avail;
  for (const auto& c : cols) avail += (avail.empty() ? "" : ", ") + c.name;
  throw Error(ErrorKind::UndefinedColumn,
              std::string(arg) + " has no column \"" + name + "\" (" + role + "; it has: " + avail + ")",
              std::string("Name an existing column in ") + role + ".");
}

}  // namespace

LabelledRows read_labelled_rows(const std::string& source, const char* source_arg, const std::string& label,
                                const std::vector<std::string>& features) {
  if (features.empty())
    throw invalid_parameter("features is empty", "Name a float8[] column or one or more numeric columns.");
  const std::string base = source_query(source, source_arg);
  const std::vector<ColumnInfo> cols = describe(base, source_arg);

  const ColumnInfo& lab = find(cols, label, source_arg, "label");
  std::string label_expr;
  if (lab.type == BOOLOID)
    label_expr = quote_ident(label) + "::int::float8";
  else if (numeric_type(lab.type))
    label_expr = quote_ident(label) + "::float8";
  else
    throw Error(ErrorKind::DatatypeMismatch,
                "label column \"" + label + "\" of " + source_arg + " is " + type_name(lab.type) +
                    ", expected a number or boolean",
                "Cast it in a query, e.g. " + label + "::int.");

  std::string features_expr;
  const ColumnInfo& first = find(cols, features[0], source_arg, "features");
  if (features.size() == 1 && numeric_array_type(first.type)) {
    features_expr = quote_ident(features[0]) + "::float8[]";
  } else {
    features_expr = "ARRAY[";
    for (std::size_t i = 0; i < features.size(); ++i) {
      const ColumnInfo& c = find(cols, features[i], source_arg, "features");
      if (c.type == BOOLOID)
        features_expr += (i ? ", " : "") + quote_ident(c.name) + "::int::float8";
      else if (numeric_type(c.type))
        features_expr += (i ? ", " : "") + quote_ident(c.name) + "::float8";
      else
        throw Error(ErrorKind::DatatypeMismatch,
                    "feature column \"" + c.name + "\" of " + source_arg + " is " + type_name(c.type) +
                        ", expected a number or boolean" + (features.size() > 1 ? "" : " or a numeric array"),
                    "Cast it in a query, or name numeric columns.");
    }
    features_expr += "]::float8[]";
  }
  const std::string sql =
      "SELECT " + label_expr + " AS label, " + features_expr + " AS features FROM (" + base + ") AS morpheus_source";
  const QueryTable t =
      read_query(sql, source_arg, {{"label", ColumnType::Float, true}, {"features", ColumnType::FloatArray, true}});
  const ColumnData& l = t.column("label");
  for (std::int64_t r = 0; r < t.rows; ++r)
    if (l.is_null[static_cast<std::size_t>(r)])
      throw Error(ErrorKind::NullValue,
                  "label \"" + label + "\" of " + source_arg + " is NULL in row " + std::to_string(r + 1),
                  "Filter NULL labels out in a query.");
  LabelledRows out;
  out.x = features_matrix(t.column("features"), t.rows, source_arg);
  out.y = l.num;
  out.label_boolean = lab.type == BOOLOID;
  if (features.size() == 1 && numeric_array_type(first.type)) {
    for (Eigen::Index j = 0; j < out.x.cols(); ++j) out.names.push_back(first.name + "[" + std::to_string(j + 1) + "]");
  } else {
    for (const std::string& f : features) out.names.push_back(find(cols, f, source_arg, "features").name);
  }
  return out;
}

}  // namespace morpheus::pg
