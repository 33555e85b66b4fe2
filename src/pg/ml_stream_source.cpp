#include "pg/ml_stream_source.hpp"

#include <cmath>
#include <string>

#include "core/errors.hpp"
#include "core/interrupt.hpp"
#include "pg/guard.hpp"
#include "pg/read_only.hpp"
#include "pg/spi_query.hpp"

namespace morpheus::pg {
namespace {

bool is_integer_type(Oid t) { return t == INT2OID || t == INT4OID || t == INT8OID; }
bool is_text_type(Oid t) { return t == TEXTOID || t == VARCHAROID || t == BPCHAROID || t == NAMEOID; }
bool is_number_type(Oid t) { return is_integer_type(t) || t == FLOAT4OID || t == FLOAT8OID || t == NUMERICOID; }

std::string key_text(const ColumnData& c, std::int64_t r) {
  return c.key_is_text ? c.text[static_cast<size_t>(r)] : std::to_string(c.ints[static_cast<size_t>(r)]);
}

// One fetched batch, extracted while PostgreSQL may raise errors: plain pointers and values only.
struct StageArgs {
  SPITupleTable* tuptable;
  TupleDesc desc;
  std::uint64_t rows;
  int features_fnum;
  int nfk;
  const int* fk_fnums;
  const Oid* fk_types;
  int y_fnum;
  Oid y_type;
  ArrayType** arrays;    // rows
  bool* feature_null;    // rows
  std::int64_t* fk_int;  // rows * nfk
  const char** fk_str;   // rows * nfk
  int* fk_len;           // rows * nfk
  bool* fk_null;         // rows * nfk
  double* y;             // rows
  bool* y_null;          // rows
};

double number_value(Datum d, Oid type) {
  switch (type) {
    case INT2OID: return DatumGetInt16(d);
    case INT4OID: return DatumGetInt32(d);
    case INT8OID: return static_cast<double>(DatumGetInt64(d));
    case FLOAT4OID: return DatumGetFloat4(d);
    case FLOAT8OID: return DatumGetFloat8(d);
    default: return DatumGetFloat8(DirectFunctionCall1(numeric_float8, d));
  }
}

// Runs inside pg_call: no C++ objects, no throwing.
void stage(const StageArgs* a) {
  for (std::uint64_t r = 0; r < a->rows; ++r) {
    HeapTuple tup = a->tuptable->vals[r];
    bool isnull = false;
    if (a->features_fnum > 0) {
      Datum d = SPI_getbinval(tup, a->desc, a->features_fnum, &isnull);
      a->feature_null[r] = isnull;
      a->arrays[r] = isnull ? nullptr : DatumGetArrayTypeP(d);
    }
    for (int k = 0; k < a->nfk; ++k) {
      const std::uint64_t at = r * static_cast<std::uint64_t>(a->nfk) + static_cast<std::uint64_t>(k);
      Datum d = SPI_getbinval(tup, a->desc, a->fk_fnums[k], &isnull);
      a->fk_null[at] = isnull;
      a->fk_int[at] = 0;
      a->fk_str[at] = nullptr;
      a->fk_len[at] = 0;
      if (isnull) continue;
      if (is_integer_type(a->fk_types[k])) {
        a->fk_int[at] = a->fk_types[k] == INT2OID   ? DatumGetInt16(d)
                        : a->fk_types[k] == INT4OID ? DatumGetInt32(d)
                                                    : DatumGetInt64(d);
      } else {
        text* t = DatumGetTextPP(d);
        a->fk_str[at] = VARDATA_ANY(t);
        a->fk_len[at] = static_cast<int>(VARSIZE_ANY_EXHDR(t));
      }
    }
    if (a->y_fnum > 0) {
      Datum d = SPI_getbinval(tup, a->desc, a->y_fnum, &isnull);
      a->y_null[r] = isnull;
      a->y[r] = isnull ? 0 : number_value(d, a->y_type);
    }
  }
}

std::string column_list(TupleDesc desc) {
  std::string out;
  for (int i = 0; i < desc->natts; ++i)
    if (!TupleDescAttr(desc, i)->attisdropped)
      out += (out.empty() ? "" : ", ") + std::string(NameStr(TupleDescAttr(desc, i)->attname));
  return out;
}

int find_column(TupleDesc desc, const std::string& name) {
  for (int i = 0; i < desc->natts; ++i)
    if (!TupleDescAttr(desc, i)->attisdropped && name == NameStr(TupleDescAttr(desc, i)->attname)) return i + 1;
  return 0;
}

// NaN and infinity as PostgreSQL prints them.
std::string value_text(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  return format_number(v);
}

std::string type_name(Oid t) {
  const char* s = pg_call([t] { return format_type_be(t); });
  return s;
}

}  // namespace

AttributeTable read_attribute_table(const std::string& sql, const std::string& query_arg) {
  const QueryTable a =
      read_query(sql, query_arg.c_str(), {{"key", ColumnType::Key, true}, {"features", ColumnType::FloatArray, true}});
  if (a.rows < 1)
    throw invalid_parameter(query_arg + " returned no rows", "Each attribute query must return at least one row.");
  a.require_no_nulls("key", query_arg.c_str());
  AttributeTable out;
  out.features = features_matrix(a.column("features"), a.rows, query_arg);
  if (out.features.cols() == 0)
    throw invalid_parameter("column \"features\" of " + query_arg + " has no elements",
                            "Each attribute row needs at least one feature.");
  const ColumnData& key = a.column("key");
  out.text_keys = key.key_is_text;
  for (std::int64_t r = 0; r < a.rows; ++r) {
    const bool fresh = out.text_keys ? out.text_rows.emplace(key.text[static_cast<size_t>(r)], r).second
                                     : out.int_rows.emplace(key.ints[static_cast<size_t>(r)], r).second;
    if (!fresh)
      throw invalid_parameter("column \"key\" of " + query_arg + " has the duplicate value '" + key_text(key, r) +
                                  "' (row " + std::to_string(r + 1) + ")",
                              "Attribute keys must be unique (a primary key).");
  }
  return out;
}

SpiCursorSource::SpiCursorSource(StreamQuery query, const std::vector<AttributeTable>* attributes)
    : q_(std::move(query)), attributes_(attributes) {
  const int rc = pg_call([] { return SPI_connect(); });
  if (rc != SPI_OK_CONNECT) throw Error(ErrorKind::Internal, "SPI_connect failed");
  connected_ = true;
  batch_cxt_ = pg_call(
      [] { return AllocSetContextCreate(CurrentMemoryContext, "morpheus stream batch", ALLOCSET_DEFAULT_SIZES); });
  entity_cols_ = -1;
  open();
  pending_ = fetch(first_);
  if (entity_cols_ < 0) entity_cols_ = 0;
}

void SpiCursorSource::open() {
  if (plan_ == nullptr) {
    const char* sql = q_.entity_sql.c_str();
    plan_ = pg_call([sql] { return SPI_prepare(sql, 0, nullptr); });
    if (plan_ == nullptr)
      throw invalid_parameter("entity_sql could not be prepared: " +
                              std::string(pg_call([] { return SPI_result_code_string(SPI_result); })));
    SPIPlanPtr plan = plan_;
    if (!pg_call([plan] { return SPI_is_cursor_plan(plan); }))
      throw invalid_parameter("entity_sql must be a single query that returns rows",
                              "Pass a SELECT (or VALUES, TABLE ...) statement.");
    require_read_only(plan, "entity_sql");
  }
  SPIPlanPtr plan = plan_;
  // read_only: the cursor runs in the statement's snapshot, so every pass sees the same rows.
  portal_ = pg_call([plan] { return SPI_cursor_open(nullptr, plan, nullptr, nullptr, true); });
  row_ = 0;
  if (resolved_) return;
  resolved_ = true;
  TupleDesc desc = portal_->tupDesc;
  const std::string available = column_list(desc);
  features_fnum_ = find_column(desc, "features");
  if (features_fnum_ > 0 && TupleDescAttr(desc, features_fnum_ - 1)->atttypid != FLOAT8ARRAYOID)
    throw Error(ErrorKind::DatatypeMismatch,
                "column \"features\" of entity_sql is " + type_name(TupleDescAttr(desc, features_fnum_ - 1)->atttypid) +
                    ", expected float8[]",
                "Cast it in the query, e.g. features::float8[].");
  for (size_t k = 0; k < q_.fk_columns.size(); ++k) {
    const std::string& name = q_.fk_columns[k];
    const int f = find_column(desc, name);
    if (f == 0)
      throw Error(ErrorKind::UndefinedColumn,
                  "entity_sql returns no column \"" + name + "\" (it returns: " + available + ")",
                  "fk_columns[" + std::to_string(k + 1) + "] must name a key column of entity_sql.");
    const Oid t = TupleDescAttr(desc, f - 1)->atttypid;
    const bool text_keys = (*attributes_)[k].text_keys;
    if (text_keys ? !is_text_type(t) : !is_integer_type(t))
      throw Error(ErrorKind::DatatypeMismatch,
                  "column \"" + name + "\" of entity_sql is " + type_name(t) + " but the keys of attribute_sql[" +
                      std::to_string(k + 1) + "] are " + (text_keys ? "text" : "integers"),
                  "Cast the key columns to the same type, e.g. " + name + (text_keys ? "::text." : "::int."));
    fk_fnums_.push_back(f);
    fk_types_.push_back(t);
  }
  if (!q_.y_column.empty()) {
    y_fnum_ = find_column(desc, q_.y_column);
    if (y_fnum_ == 0)
      throw Error(ErrorKind::UndefinedColumn,
                  "entity_sql returns no column \"" + q_.y_column + "\" (it returns: " + available + ")",
                  "Name the label column with y_column.");
    y_type_ = TupleDescAttr(desc, y_fnum_ - 1)->atttypid;
    if (!is_number_type(y_type_))
      throw Error(ErrorKind::DatatypeMismatch,
                  "column \"" + q_.y_column + "\" of entity_sql is " + type_name(y_type_) +
                      ", expected a number (float8, numeric or an integer type)",
                  "Cast it in the query, e.g. " + q_.y_column + "::float8.");
  }
}

void SpiCursorSource::close() {
  if (portal_ == nullptr) return;
  Portal p = portal_;
  portal_ = nullptr;
  pg_call([p] { SPI_cursor_close(p); });
}

void SpiCursorSource::rewind() {
  if (pending_) return;  // the first batch, fetched at construction, starts the first pass
  close();
  open();
}

bool SpiCursorSource::next(ml::RowBatch& batch) {
  if (pending_) {
    pending_ = false;
    batch = std::move(first_);
    return true;
  }
  return fetch(batch);
}

bool SpiCursorSource::fetch(ml::RowBatch& batch) {
  if (portal_ == nullptr) return false;
  check_interrupts();
  Portal portal = portal_;
  const long count = static_cast<long>(q_.batch_rows);
  pg_call([portal, count] { SPI_cursor_fetch(portal, true, count); });
  const std::uint64_t n = SPI_processed;
  SPITupleTable* tt = SPI_tuptable;
  if (n == 0) {
    pg_call([tt] { SPI_freetuptable(tt); });
    close();
    return false;
  }
  const int nfk = static_cast<int>(fk_fnums_.size());
  std::vector<ArrayType*> arrays(n, nullptr);
  std::unique_ptr<bool[]> feature_null(new bool[n]());
  std::vector<std::int64_t> fk_int(n * static_cast<std::uint64_t>(nfk));
  std::vector<const char*> fk_str(fk_int.size());
  std::vector<int> fk_len(fk_int.size());
  std::unique_ptr<bool[]> fk_null(new bool[fk_int.size() + 1]());
  std::vector<double> y(n);
  std::unique_ptr<bool[]> y_null(new bool[n]());
  StageArgs args{tt,
                 portal_->tupDesc,
                 n,
                 features_fnum_,
                 nfk,
                 fk_fnums_.data(),
                 fk_types_.data(),
                 y_fnum_,
                 y_type_,
                 arrays.data(),
                 feature_null.get(),
                 fk_int.data(),
                 fk_str.data(),
                 fk_len.data(),
                 fk_null.get(),
                 y.data(),
                 y_null.get()};
  const StageArgs* ap = &args;
  MemoryContext cxt = batch_cxt_;
  pg_call([ap, cxt] {
    MemoryContext old = MemoryContextSwitchTo(cxt);
    stage(ap);
    MemoryContextSwitchTo(old);
  });

  // Convert and validate (C++ may throw from here on; the transaction abort frees the tuple table).
  const auto rows = static_cast<Index>(n);
  if (entity_cols_ < 0) {
    entity_cols_ = 0;
    if (features_fnum_ > 0 && !feature_null[0] && ARR_NDIM(arrays[0]) == 1) entity_cols_ = ARR_DIMS(arrays[0])[0];
  }
  batch.s.resize(rows, entity_cols_);
  for (Index r = 0; r < rows; ++r) {
    const std::string where = " in row " + std::to_string(row_ + r + 1);
    if (features_fnum_ > 0) {
      if (feature_null[r])
        throw Error(ErrorKind::NullValue, "column \"features\" of entity_sql is NULL" + where,
                    "Every row needs a features array; use '{}' for none.");
      ArrayType* a = arrays[static_cast<size_t>(r)];
      const int ndim = ARR_NDIM(a);
      const std::int64_t len = ndim == 0 ? 0 : ARR_DIMS(a)[0];
      if (ndim > 1)
        throw invalid_parameter("column \"features\" of entity_sql has " + std::to_string(ndim) + " dimensions" + where,
                                "Pass a 1-D float8[] per row.");
      if (ARR_HASNULL(a))
        throw Error(ErrorKind::NullValue, "column \"features\" of entity_sql has a NULL element" + where,
                    "Filter or impute NULL elements in the query.");
      if (len != entity_cols_)
        throw invalid_parameter("column \"features\" of entity_sql has " + std::to_string(len) + " elements" + where +
                                    " but " + std::to_string(entity_cols_) + " in row 1",
                                "Every row's features array must have the same length.");
      const double* p = reinterpret_cast<const double*>(ARR_DATA_PTR(a));
      for (std::int64_t j = 0; j < len; ++j) {
        if (!std::isfinite(p[j]))
          throw invalid_parameter("column \"features\" of entity_sql holds " + value_text(p[j]) + where,
                                  "Replace NaN and infinity in the query.");
        batch.s(r, j) = p[j];
      }
    }
  }
  batch.fk.resize(static_cast<size_t>(nfk));
  for (int k = 0; k < nfk; ++k) {
    const AttributeTable& at = (*attributes_)[static_cast<size_t>(k)];
    std::vector<std::int32_t>& out = batch.fk[static_cast<size_t>(k)];
    out.resize(n);
    for (Index r = 0; r < rows; ++r) {
      const size_t i = static_cast<size_t>(r) * static_cast<size_t>(nfk) + static_cast<size_t>(k);
      const std::string& col = q_.fk_columns[static_cast<size_t>(k)];
      if (fk_null[i])
        throw Error(ErrorKind::NullValue,
                    "column \"" + col + "\" of entity_sql is NULL in row " + std::to_string(row_ + r + 1),
                    "Filter NULL keys out in the query (an inner join drops them).");
      std::int32_t found = -1;
      if (at.text_keys) {
        auto it = at.text_rows.find(std::string(fk_str[i], static_cast<size_t>(fk_len[i])));
        if (it != at.text_rows.end()) found = it->second;
      } else {
        auto it = at.int_rows.find(fk_int[i]);
        if (it != at.int_rows.end()) found = it->second;
      }
      if (found < 0) {
        const std::string key =
            at.text_keys ? std::string(fk_str[i], static_cast<size_t>(fk_len[i])) : std::to_string(fk_int[i]);
        throw invalid_parameter("column \"" + col + "\" of entity_sql has the dangling key '" + key + "' in row " +
                                    std::to_string(row_ + r + 1) + ": no row of attribute_sql[" +
                                    std::to_string(k + 1) + "] has that key",
                                "Every foreign key must match a key of the attribute query (an inner join).");
      }
      out[static_cast<size_t>(r)] = found;
    }
  }
  if (y_fnum_ > 0) {
    batch.y.resize(rows);
    for (Index r = 0; r < rows; ++r) {
      const std::string where = " in row " + std::to_string(row_ + r + 1);
      if (y_null[r])
        throw Error(ErrorKind::NullValue, "column \"" + q_.y_column + "\" of entity_sql is NULL" + where,
                    "Filter rows without a label out in the query.");
      if (!std::isfinite(y[static_cast<size_t>(r)]))
        throw invalid_parameter(
            "column \"" + q_.y_column + "\" of entity_sql is " + value_text(y[static_cast<size_t>(r)]) + where,
            "Labels must be finite numbers.");
      batch.y(r) = y[static_cast<size_t>(r)];
    }
  } else {
    batch.y.resize(0);
  }
  row_ += rows;
  pg_call([tt, cxt] {
    SPI_freetuptable(tt);
    MemoryContextReset(cxt);
  });
  return true;
}

void SpiCursorSource::finish() {
  close();
  if (!connected_) return;
  connected_ = false;
  pg_call([] { SPI_finish(); });
}

}  // namespace morpheus::pg
