#include "pg/spi_query.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <exception>

#include "core/errors.hpp"
#include "core/interrupt.hpp"
#include "pg/guard.hpp"
#include "pg/read_only.hpp"

extern "C" {
#include "catalog/namespace.h"
#include "nodes/makefuncs.h"
#include "utils/regproc.h"
}

namespace morpheus::pg {
namespace {

constexpr long kBatchRows = 10000;

// SPI_connect on construction; SPI_finish on normal exit. On an error path the transaction abort cleans SPI up.
class SpiSession {
 public:
  SpiSession() {
    const int rc = pg_call([] { return SPI_connect(); });
    if (rc != SPI_OK_CONNECT) throw Error(ErrorKind::Internal, "SPI_connect failed");
  }
  SpiSession(const SpiSession&) = delete;
  SpiSession& operator=(const SpiSession&) = delete;
  void finish() {
    pg_call([] { SPI_finish(); });
  }
};

bool is_integer_type(Oid t) { return t == INT2OID || t == INT4OID || t == INT8OID; }
bool is_float_type(Oid t) {
  return t == FLOAT8OID || t == FLOAT4OID || t == NUMERICOID || t == BOOLOID || is_integer_type(t);
}
bool is_text_type(Oid t) { return t == TEXTOID || t == VARCHAROID || t == BPCHAROID || t == NAMEOID; }

bool accepts(ColumnType want, Oid t) {
  switch (want) {
    case ColumnType::Float: return is_float_type(t);
    case ColumnType::Integer: return is_integer_type(t);
    case ColumnType::Key: return is_integer_type(t) || is_text_type(t);
    case ColumnType::Text: return is_text_type(t);
    case ColumnType::FloatArray: return t == FLOAT8ARRAYOID;
    case ColumnType::IntArray: return t == INT4ARRAYOID;
    case ColumnType::Feature: return is_float_type(t) || t == FLOAT8ARRAYOID;
  }
  return false;
}

const char* expected_text(ColumnType want) {
  switch (want) {
    case ColumnType::Float: return "a number (float8, numeric, an integer type or boolean)";
    case ColumnType::Integer: return "an integer (int2, int4 or int8)";
    case ColumnType::Key: return "a key (an integer or text)";
    case ColumnType::Text: return "text";
    case ColumnType::FloatArray: return "float8[]";
    case ColumnType::IntArray: return "int[]";
    case ColumnType::Feature: return "a number, a boolean or float8[]";
  }
  return "?";
}

const char* cast_hint(ColumnType want) {
  switch (want) {
    case ColumnType::Float: return "::float8";
    case ColumnType::Integer: return "::int";
    case ColumnType::Key: return "::int or ::text";
    case ColumnType::Text: return "::text";
    case ColumnType::FloatArray: return "::float8[]";
    case ColumnType::IntArray: return "::int[]";
    case ColumnType::Feature: return "::float8";
  }
  return "";
}

// One staged value of a fetched row: plain data only, filled while PostgreSQL may raise errors.
struct Staged {
  bool isnull;
  double num;
  std::int64_t i;
  const char* str;
  int len;
  ArrayType* arr;
};

struct BatchArgs {
  SPITupleTable* tuptable;
  TupleDesc desc;
  const int* fnums;
  const Oid* types;
  int ncols;
  std::uint64_t nrows;
  Staged* out;
};

// Extracts and converts one fetched batch (runs inside pg_call: no C++ objects, no throwing).
void stage_batch(const BatchArgs* a) {
  for (std::uint64_t r = 0; r < a->nrows; ++r) {
    HeapTuple tup = a->tuptable->vals[r];
    for (int c = 0; c < a->ncols; ++c) {
      Staged* s = &a->out[r * a->ncols + c];
      bool isnull = false;
      Datum d = SPI_getbinval(tup, a->desc, a->fnums[c], &isnull);
      s->isnull = isnull;
      s->num = 0;
      s->i = 0;
      s->str = nullptr;
      s->len = 0;
      s->arr = nullptr;
      if (isnull) continue;
      switch (a->types[c]) {
        case INT2OID:
          s->i = DatumGetInt16(d);
          s->num = static_cast<double>(s->i);
          break;
        case INT4OID:
          s->i = DatumGetInt32(d);
          s->num = static_cast<double>(s->i);
          break;
        case INT8OID:
          s->i = DatumGetInt64(d);
          s->num = static_cast<double>(s->i);
          break;
        case BOOLOID:
          s->i = DatumGetBool(d) ? 1 : 0;
          s->num = static_cast<double>(s->i);
          break;
        case FLOAT4OID: s->num = DatumGetFloat4(d); break;
        case FLOAT8OID: s->num = DatumGetFloat8(d); break;
        case NUMERICOID: s->num = DatumGetFloat8(DirectFunctionCall1(numeric_float8, d)); break;
        case FLOAT8ARRAYOID:
        case INT4ARRAYOID: s->arr = DatumGetArrayTypeP(d); break;
        default: {  // text-like
          text* t = DatumGetTextPP(d);
          s->str = VARDATA_ANY(t);
          s->len = static_cast<int>(VARSIZE_ANY_EXHDR(t));
        }
      }
    }
  }
}

void append_value(ColumnData& col, const Staged& s, std::int64_t row, const char* query_arg) {
  col.is_null.push_back(s.isnull ? 1 : 0);
  switch (col.type) {
    case ColumnType::Float: col.num.push_back(s.num); break;
    case ColumnType::Integer: col.ints.push_back(s.i); break;
    case ColumnType::Key:
      if (col.key_is_text)
        col.text.emplace_back(s.str != nullptr ? std::string(s.str, s.len) : std::string());
      else
        col.ints.push_back(s.i);
      break;
    case ColumnType::Text: col.text.emplace_back(s.str != nullptr ? std::string(s.str, s.len) : std::string()); break;
    case ColumnType::Feature:
      if (!col.is_array) {
        col.num.push_back(s.num);
        break;
      }
      [[fallthrough]];
    case ColumnType::FloatArray: {
      if (col.offsets.empty()) col.offsets.push_back(0);
      if (s.arr != nullptr && ARR_NDIM(s.arr) > 0) {
        if (ARR_NDIM(s.arr) != 1)
          throw invalid_parameter("column \"" + col.name + "\" of " + query_arg + " must hold 1-D arrays, row " +
                                      std::to_string(row + 1) + " has " + std::to_string(ARR_NDIM(s.arr)) +
                                      " dimensions",
                                  "Flatten the array, e.g. with array(SELECT unnest(x)).");
        if (ARR_HASNULL(s.arr))
          throw Error(
              ErrorKind::NullValue,
              "column \"" + col.name + "\" of " + query_arg + " has a NULL element in row " + std::to_string(row + 1),
              "Filter or impute NULL elements in the query.");
        const double* p = reinterpret_cast<const double*>(ARR_DATA_PTR(s.arr));
        col.values.insert(col.values.end(), p, p + ARR_DIMS(s.arr)[0]);
      }
      col.offsets.push_back(static_cast<std::int64_t>(col.values.size()));
      break;
    }
    case ColumnType::IntArray: {
      if (col.offsets.empty()) col.offsets.push_back(0);
      if (s.arr != nullptr && ARR_NDIM(s.arr) > 0) {
        if (ARR_NDIM(s.arr) != 1 || ARR_HASNULL(s.arr))
          throw invalid_parameter("column \"" + col.name + "\" of " + query_arg +
                                      " must hold 1-D arrays without NULL, row " + std::to_string(row + 1) +
                                      " does not",
                                  "Pass one int[] of column numbers per row, e.g. array_agg(col ORDER BY col).");
        const std::int32_t* p = reinterpret_cast<const std::int32_t*>(ARR_DATA_PTR(s.arr));
        col.ints.insert(col.ints.end(), p, p + ARR_DIMS(s.arr)[0]);
      }
      col.offsets.push_back(static_cast<std::int64_t>(col.ints.size()));
      break;
    }
  }
}

}  // namespace

const ColumnData& QueryTable::column(const std::string& name) const {
  for (const auto& c : columns)
    if (c.name == name) return c;
  throw Error(ErrorKind::Internal, "column " + name + " was not read");
}

bool QueryTable::has(const std::string& name) const {
  for (const auto& c : columns)
    if (c.name == name && c.present) return true;
  return false;
}

void QueryTable::require_no_nulls(const std::string& name, const char* query_arg) const {
  const ColumnData& c = column(name);
  for (std::size_t r = 0; r < c.is_null.size(); ++r)
    if (c.is_null[r])
      throw Error(ErrorKind::NullValue,
                  "column \"" + name + "\" of " + query_arg + " is NULL in row " + std::to_string(r + 1),
                  "Filter NULLs out in the query (WHERE " + name + " IS NOT NULL) or impute them.");
}

QueryReader::QueryReader(std::string sql, std::string query_arg, std::vector<ColumnRequest> wanted, ExtraColumns extra)
    : sql_(std::move(sql)), query_arg_(std::move(query_arg)), wanted_(std::move(wanted)), extra_(extra) {}

QueryReader::~QueryReader() {
  // An error path leaves the cursor and the context to the transaction abort; a normal exit closed them.
}

void QueryReader::open() {
  close();
  if (plan_ == nullptr) {
    const char* q = sql_.c_str();
    SPIPlanPtr plan = pg_call([q] { return SPI_prepare(q, 0, nullptr); });
    if (plan == nullptr)
      throw invalid_parameter(query_arg_ +
                              " could not be prepared: " + pg_call([] { return SPI_result_code_string(SPI_result); }));
    if (!pg_call([plan] { return SPI_is_cursor_plan(plan); }))
      throw invalid_parameter(query_arg_ + " must be a single query that returns rows",
                              "Pass a SELECT (or VALUES, TABLE ...) statement, or a table name.");
    require_read_only(plan, query_arg_.c_str());
    plan_ = plan;
    batch_cxt_ = pg_call(
        [] { return AllocSetContextCreate(CurrentMemoryContext, "morpheus query batch", ALLOCSET_DEFAULT_SIZES); });
  }
  SPIPlanPtr plan = static_cast<SPIPlanPtr>(plan_);
  // read_only: the cursor runs in the statement's snapshot, so every opening sees the same rows.
  Portal portal = pg_call([plan] { return SPI_cursor_open(nullptr, plan, nullptr, nullptr, true); });
  portal_ = portal;
  if (resolved_) return;
  resolved_ = true;
  TupleDesc desc = portal->tupDesc;
  std::string available_text;
  for (int i = 0; i < desc->natts; ++i)
    if (!TupleDescAttr(desc, i)->attisdropped)
      available_text += (available_text.empty() ? "" : ", ") + std::string(NameStr(TupleDescAttr(desc, i)->attname));
  const char* query_arg = query_arg_.c_str();
  for (const auto& req : wanted_) {
    ColumnData col;
    col.name = req.name;
    col.type = req.type;
    int fnum = 0;
    for (int i = 0; i < desc->natts; ++i)
      if (!TupleDescAttr(desc, i)->attisdropped && req.name == NameStr(TupleDescAttr(desc, i)->attname)) fnum = i + 1;
    if (fnum == 0) {
      if (req.required)
        throw Error(ErrorKind::UndefinedColumn,
                    query_arg_ + " returns no column \"" + req.name + "\" (it returns: " + available_text + ")",
                    "Alias a column of " + std::string(expected_text(req.type)) + " as " + req.name + ".");
      layout_.columns.push_back(col);
      continue;
    }
    const Oid t = TupleDescAttr(desc, fnum - 1)->atttypid;
    if (!accepts(req.type, t)) {
      const char* tname = pg_call([t] { return format_type_be(t); });
      throw Error(
          ErrorKind::DatatypeMismatch,
          "column \"" + req.name + "\" of " + query_arg + " is " + tname + ", expected " + expected_text(req.type),
          "Cast it in the query, e.g. " + req.name + cast_hint(req.type) + ".");
    }
    col.present = true;
    col.key_is_text = req.type == ColumnType::Key && is_text_type(t);
    col.is_boolean = t == BOOLOID;
    col.is_array = t == FLOAT8ARRAYOID;
    fnums_.push_back(fnum);
    types_.push_back(t);
    layout_.columns.push_back(col);
  }
  if (extra_ != ExtraColumns::None) {
    for (int i = 0; i < desc->natts; ++i) {
      const Form_pg_attribute att = TupleDescAttr(desc, i);
      if (att->attisdropped) continue;
      bool taken = false;
      for (const auto& req : wanted_) taken = taken || req.name == NameStr(att->attname);
      if (taken) continue;
      ColumnData col;
      col.name = NameStr(att->attname);
      if (extra_ == ExtraColumns::Numeric) {
        if (!is_float_type(att->atttypid) || att->atttypid == BOOLOID) continue;
        col.type = ColumnType::Float;
      } else {
        if (!accepts(ColumnType::Feature, att->atttypid)) {
          const Oid t = att->atttypid;
          const char* tname = pg_call([t] { return format_type_be(t); });
          throw Error(ErrorKind::DatatypeMismatch,
                      "column \"" + col.name + "\" of " + query_arg_ + " is " + tname +
                          ", but every column other than the key is a feature (a number, a boolean or float8[])",
                      "Select the feature columns in a query, e.g. 'SELECT id, age, income FROM ...'.");
        }
        col.type = ColumnType::Feature;
        col.is_boolean = att->atttypid == BOOLOID;
        col.is_array = att->atttypid == FLOAT8ARRAYOID;
      }
      col.present = true;
      fnums_.push_back(i + 1);
      types_.push_back(att->atttypid);
      layout_.columns.push_back(col);
    }
  }
}

bool QueryReader::fetch(QueryTable& into, long rows) {
  if (portal_ == nullptr) return false;
  check_interrupts();
  Portal portal = static_cast<Portal>(portal_);
  pg_call([portal, rows] { SPI_cursor_fetch(portal, true, rows); });
  const std::uint64_t n = SPI_processed;
  SPITupleTable* tt = SPI_tuptable;
  if (n == 0) {
    pg_call([tt] { SPI_freetuptable(tt); });
    close();
    return false;
  }
  std::vector<ColumnData*> present;
  for (auto& c : into.columns)
    if (c.present) present.push_back(&c);
  const int ncols = static_cast<int>(fnums_.size());
  if (static_cast<int>(present.size()) != ncols) throw Error(ErrorKind::Internal, "fetch into a foreign table layout");
  std::vector<Staged> staged(n * static_cast<std::uint64_t>(ncols));
  BatchArgs args{tt, portal->tupDesc, fnums_.data(), types_.data(), ncols, n, staged.data()};
  const BatchArgs* ap = &args;
  MemoryContext cxt = static_cast<MemoryContext>(batch_cxt_);
  pg_call([ap, cxt] {
    MemoryContext old = MemoryContextSwitchTo(cxt);
    stage_batch(ap);
    MemoryContextSwitchTo(old);
  });
  for (std::uint64_t r = 0; r < n; ++r)
    for (int c = 0; c < ncols; ++c)
      append_value(*present[c], staged[r * ncols + c], into.rows + static_cast<std::int64_t>(r), query_arg_.c_str());
  into.rows += static_cast<std::int64_t>(n);
  pg_call([tt, cxt] {
    SPI_freetuptable(tt);
    MemoryContextReset(cxt);
  });
  return true;
}

void QueryReader::close() {
  if (portal_ == nullptr) return;
  Portal p = static_cast<Portal>(portal_);
  portal_ = nullptr;
  pg_call([p] { SPI_cursor_close(p); });
}

QueryTable read_query(const std::string& sql, const std::string& query_arg, const std::vector<ColumnRequest>& wanted,
                      ExtraColumns extra) {
  SpiSession spi;
  QueryTable table;
  {
    QueryReader reader(sql, query_arg, wanted, extra);
    reader.open();
    table = reader.layout();
    while (reader.fetch(table, kBatchRows)) {
    }
  }
  spi.finish();
  for (auto& c : table.columns)
    if (c.present && (c.type == ColumnType::FloatArray || c.type == ColumnType::IntArray || c.is_array) &&
        c.offsets.empty())
      c.offsets.push_back(0);
  return table;
}

QueryTable read_query(const std::string& sql, const char* query_arg, const std::vector<ColumnRequest>& wanted,
                      bool extra_numeric) {
  return read_query(sql, std::string(query_arg), wanted, extra_numeric ? ExtraColumns::Numeric : ExtraColumns::None);
}

bool looks_like_query(const std::string& source) {
  std::size_t i = 0;
  while (i < source.size() && (std::isspace(static_cast<unsigned char>(source[i])) || source[i] == '(')) ++i;
  std::size_t j = i;
  while (j < source.size() && (std::isalnum(static_cast<unsigned char>(source[j])) || source[j] == '_')) ++j;
  std::string word = source.substr(i, j - i);
  for (auto& ch : word) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (word == "select" || word == "with" || word == "values" || word == "table") return true;
  // A relation name has no blank outside double quotes: anything else is a query, whose errors (a misspelt SELECT)
  // are PostgreSQL's own.
  bool quoted = false;
  for (char ch : source) {
    if (ch == '"') quoted = !quoted;
    if (!quoted && std::isspace(static_cast<unsigned char>(ch))) return true;
  }
  return false;
}

std::string source_query(const std::string& source, const std::string& arg) {
  if (looks_like_query(source)) {
    std::string q = source;  // a trailing semicolon, as typed in psql, is not part of the query
    while (!q.empty() && (q.back() == ';' || std::isspace(static_cast<unsigned char>(q.back())))) q.pop_back();
    return q;
  }
  const char* name = source.c_str();
  // The caller's search_path (also inside a pinned morpheus function), as for the query it stands for.
  const ReadOnlyScope caller_path;
  // Parses a possibly qualified, possibly quoted name; invalid syntax is PostgreSQL's own error (42602).
  const Oid relid = pg_call([name] {
    List* names = stringToQualifiedNameList(name);
    return RangeVarGetRelid(makeRangeVarFromNameList(names), NoLock, true);
  });
  if (relid == InvalidOid)
    throw Error(ErrorKind::UndefinedTable,
                arg + " \"" + source + "\" is neither a query nor a table or view on the search_path",
                "Pass a table or view name (schema-qualified if needed) or a query starting with SELECT, WITH, VALUES "
                "or TABLE.");
  const char* qualified = pg_call([relid] {
    return quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)), get_rel_name(relid));
  });
  return std::string("SELECT * FROM ") + qualified;
}

RowMatrix features_matrix(const ColumnData& c, std::int64_t rows, const std::string& query_arg) {
  const std::string col = "column \"" + c.name + "\" of " + query_arg;
  std::int64_t d = -1;
  for (std::int64_t r = 0; r < rows; ++r) {
    if (c.is_null[static_cast<size_t>(r)])
      throw Error(ErrorKind::NullValue, col + " is NULL in row " + std::to_string(r + 1),
                  "Every row needs a features array; use '{}' for none.");
    const std::int64_t len = c.offsets[static_cast<size_t>(r + 1)] - c.offsets[static_cast<size_t>(r)];
    if (d < 0) d = len;
    if (len != d)
      throw invalid_parameter(col + " has " + std::to_string(len) + " elements in row " + std::to_string(r + 1) +
                                  " but " + std::to_string(d) + " in row 1",
                              "Every row's features array must have the same length.");
  }
  RowMatrix m(rows, std::max<std::int64_t>(d, 0));
  if (m.size() > 0) std::memcpy(m.data(), c.values.data(), sizeof(double) * static_cast<size_t>(m.size()));
  if (!m.allFinite())
    throw invalid_parameter(col + " holds a NaN or infinite value", "Replace NaN and infinity in the query.");
  return m;
}

nm::Block sparse_features(const ColumnData& index, const ColumnData* value, std::int64_t rows, std::int64_t width,
                          const std::string& query_arg) {
  std::int64_t max_index = 0;
  for (std::int64_t r = 0; r < rows; ++r) {
    if (index.is_null[static_cast<size_t>(r)])
      throw Error(ErrorKind::NullValue, "column \"index\" of " + query_arg + " is NULL in row " + std::to_string(r + 1),
                  "Every row needs an index array; use '{}' for a row without stored entries.");
    const std::int64_t lo = index.offsets[static_cast<size_t>(r)], hi = index.offsets[static_cast<size_t>(r + 1)];
    if (value != nullptr) {
      if (value->is_null[static_cast<size_t>(r)])
        throw Error(ErrorKind::NullValue,
                    "column \"value\" of " + query_arg + " is NULL in row " + std::to_string(r + 1),
                    "Give one value per index, or omit the value column when every value is 1.");
      const std::int64_t vl = value->offsets[static_cast<size_t>(r + 1)] - value->offsets[static_cast<size_t>(r)];
      if (vl != hi - lo)
        throw invalid_parameter("row " + std::to_string(r + 1) + " of " + query_arg + " has " +
                                    std::to_string(hi - lo) + " indices but " + std::to_string(vl) + " values",
                                "The index and value arrays of a row must have the same length.");
    }
    for (std::int64_t e = lo; e < hi; ++e) {
      const std::int64_t j = index.ints[static_cast<size_t>(e)];
      if (j < 1 || (width >= 0 && j > width))
        throw Error(ErrorKind::Subscript,
                    "column \"index\" of " + query_arg + " holds " + std::to_string(j) + " in row " +
                        std::to_string(r + 1) + (width >= 0 ? " but width is " + std::to_string(width) : std::string()),
                    "Column numbers are 1-based" + std::string(width >= 0 ? " and at most width." : "."));
      max_index = std::max(max_index, j);
    }
  }
  const std::int64_t d = width >= 0 ? width : max_index;
  std::vector<std::int64_t> ri, ci;
  std::vector<double> v;
  const std::int64_t nnz = index.offsets[static_cast<size_t>(rows)];
  nm::check_value_size(24.0 * static_cast<double>(nnz), "sparse features of " + query_arg);
  ri.reserve(static_cast<size_t>(nnz));
  ci.reserve(static_cast<size_t>(nnz));
  v.reserve(static_cast<size_t>(nnz));
  for (std::int64_t r = 0; r < rows; ++r) {
    if (r % 16384 == 0) check_interrupts();
    const std::int64_t lo = index.offsets[static_cast<size_t>(r)], hi = index.offsets[static_cast<size_t>(r + 1)];
    const std::int64_t vlo = value != nullptr ? value->offsets[static_cast<size_t>(r)] : 0;
    for (std::int64_t e = lo; e < hi; ++e) {
      ri.push_back(r);
      ci.push_back(index.ints[static_cast<size_t>(e)] - 1);
      v.push_back(value != nullptr ? value->values[static_cast<size_t>(vlo + e - lo)] : 1.0);
    }
  }
  return nm::sparse_block(rows, d, ri, ci, v, query_arg.c_str());  // no copy: Eigen's copy allocates width ints
}

}  // namespace morpheus::pg
