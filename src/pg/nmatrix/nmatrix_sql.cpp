// SQL surface of the normalized matrix: the morpheus.nmatrix type (varlena holding the core's versioned binary
// layout), its constructors and the factorized operators.
#include "core/ml/normalized_data_matrix.hpp"
#include "core/ml/plan.hpp"
#include "core/nmatrix/nmatrix.hpp"
// core headers first
#include <cmath>
#include <string>
#include <unordered_map>
#include <vector>

#include "pg/arrays.hpp"
#include "pg/guard.hpp"
#include "pg/nmatrix/nmatrix_datum.hpp"
#include "pg/nmatrix/sparse_features.hpp"
#include "pg/ml/relation_data.hpp"
#include "pg/settings.hpp"
#include "pg/spi_query.hpp"
#include "pg/srf.hpp"

namespace morpheus::pg {
namespace {

using nm::NormalizedMatrix;

// ---- datum <-> NormalizedMatrix -------------------------------------------------------------------------------

Datum nm_datum(const NormalizedMatrix& t) {
  const std::int64_t size = nm::serialized_size(t, nm::kStorageVersion);  // checks the 1 GB limit
  const Size total = static_cast<Size>(size) + VARHDRSZ;
  char* p = pg_call([total] { return static_cast<char*>(palloc(total)); });  // MAXALIGNed: arrays 8-aligned
  SET_VARSIZE(p, total);
  nm::serialize(t, p + VARHDRSZ, size, false, nm::kStorageVersion);
  return PointerGetDatum(p);
}

Datum matrix_datum(const RowMatrix& m, const char* what) {
  return float8_matrix_datum(ConstRowMap(m.data(), m.rows(), m.cols()), what);
}

Datum vector_datum(const Eigen::VectorXd& v, const char* what) { return float8_array_datum(v.data(), v.size(), what); }

// 1-based SQL row numbers -> 0-based int32 (range checks happen in NormalizedMatrix::validate, which names fk[i]).
std::vector<std::int32_t> index_arg(FunctionCallInfo fcinfo, int argno, const char* name) {
  const IntVectorArg a = int_vector_arg(fcinfo, argno, name);
  std::vector<std::int32_t> out(static_cast<size_t>(a.size));
  for (std::int64_t i = 0; i < a.size; ++i) {
    const std::int32_t v = a.data[i];
    if (v < 1)
      throw Error(ErrorKind::Subscript,
                  std::string(name) + "[" + std::to_string(i + 1) + "] = " + std::to_string(v) + " is not a row number",
                  "Row numbers are 1-based.");
    out[static_cast<size_t>(i)] = v - 1;
  }
  return out;
}

nm::Block dense_arg(FunctionCallInfo fcinfo, int argno, const char* name) {
  const MatrixArg m = matrix_arg(fcinfo, argno, name);
  return nm::Block(RowMatrix(m.map()));
}

std::int64_t int_arg(FunctionCallInfo fcinfo, int argno) { return PG_GETARG_INT32(argno); }

// Sparse block from (n_rows, n_cols, i[], j[], v[]) starting at argument argno; indices 1-based.
nm::Block sparse_arg(FunctionCallInfo fcinfo, int argno, const char* name) {
  const std::int64_t rows = int_arg(fcinfo, argno), cols = int_arg(fcinfo, argno + 1);
  const IntVectorArg i = int_vector_arg(fcinfo, argno + 2, "i", true);
  const IntVectorArg j = int_vector_arg(fcinfo, argno + 3, "j", true);
  const VectorArg v = vector_arg(fcinfo, argno + 4, "v", Finite::Require, true);
  std::vector<std::int64_t> ri(i.data, i.data + i.size), ci(j.data, j.data + j.size);
  for (auto& x : ri) --x;
  for (auto& x : ci) --x;
  return nm::sparse_block(rows, cols, ri, ci, std::vector<double>(v.data, v.data + v.size), name);
}

// ---- type I/O -------------------------------------------------------------------------------------------------

Datum in_body(FunctionCallInfo fcinfo) {
  const char* s = PG_GETARG_CSTRING(0);
  return nm_datum(nm::from_text(std::string(s)));
}

Datum out_body(FunctionCallInfo fcinfo) {
  const std::string s = nm::to_text(nmatrix_value(fcinfo, 0));
  const size_t n = s.size();
  char* out = pg_call([n] { return static_cast<char*>(palloc(n + 1)); });
  std::memcpy(out, s.c_str(), n + 1);
  return CStringGetDatum(out);
}

Datum recv_body(FunctionCallInfo fcinfo) {
  StringInfo buf = reinterpret_cast<StringInfo>(PG_GETARG_POINTER(0));
  const char* data = buf->data + buf->cursor;
  const std::int64_t len = buf->len - buf->cursor;
  NormalizedMatrix t = nm::deserialize(data, len, true, ErrorKind::InvalidBinary);
  buf->cursor = buf->len;
  return nm_datum(t);
}

Datum send_body(FunctionCallInfo fcinfo) {
  const NormalizedMatrix t = nmatrix_value(fcinfo, 0);
  const std::int64_t size = nm::serialized_size(t, nm::kWireVersion);
  const Size total = static_cast<Size>(size) + VARHDRSZ;
  char* p = pg_call([total] { return static_cast<char*>(palloc(total)); });
  SET_VARSIZE(p, total);
  nm::serialize(t, p + VARHDRSZ, size, true, nm::kWireVersion);
  return PointerGetDatum(p);
}

// ---- constructors ---------------------------------------------------------------------------------------------

Datum from_s_body(FunctionCallInfo fcinfo) {
  return nm_datum(NormalizedMatrix::from_entity(dense_arg(fcinfo, 0, "s")));
}

Datum from_rows_body(FunctionCallInfo fcinfo) { return nm_datum(NormalizedMatrix::with_rows(int_arg(fcinfo, 0))); }

Datum sparse_body(FunctionCallInfo fcinfo) {
  return nm_datum(NormalizedMatrix::from_entity(sparse_arg(fcinfo, 0, "s")));
}

Datum join_body(FunctionCallInfo fcinfo) {
  NormalizedMatrix t = nmatrix_value(fcinfo, 0);
  std::vector<std::int32_t> fk = index_arg(fcinfo, 1, "fk");
  t.join(std::move(fk), dense_arg(fcinfo, 2, "r"));
  return nm_datum(t);
}

Datum join_sparse_body(FunctionCallInfo fcinfo) {
  NormalizedMatrix t = nmatrix_value(fcinfo, 0);
  std::vector<std::int32_t> fk = index_arg(fcinfo, 1, "fk");
  t.join(std::move(fk), sparse_arg(fcinfo, 2, "r"));
  return nm_datum(t);
}

Datum mn_body(FunctionCallInfo fcinfo) {
  nm::Block s = dense_arg(fcinfo, 0, "s");
  std::vector<std::int32_t> si = index_arg(fcinfo, 1, "s_rows");
  nm::Block r = dense_arg(fcinfo, 2, "r");
  std::vector<std::int32_t> ri = index_arg(fcinfo, 3, "r_rows");
  return nm_datum(NormalizedMatrix::many_to_many(std::move(s), std::move(si), std::move(r), std::move(ri)));
}

// The one block of an nmatrix built by nmatrix(s => ...) or nmatrix_sparse(...): a side of nm_mn_blocks. The block
// may be a view of the argument's datum, which outlives this call.
nm::Block single_block(FunctionCallInfo fcinfo, int argno, const char* name) {
  NormalizedMatrix t = nmatrix_value(fcinfo, argno);
  if (t.parts().size() != 1 || !t.parts()[0].identity || t.transposed())
    throw invalid_parameter(std::string(name) + " must be a single block, but it has " +
                                std::to_string(t.parts().size() - 1) + " attribute table(s)" +
                                (t.transposed() ? " and is transposed" : ""),
                            std::string("Build ") + name +
                                " with morpheus.nmatrix(s => ...) or morpheus.nmatrix_sparse(...), without nm_join.");
  return std::move(t.parts()[0].block);
}

Datum mn_blocks_body(FunctionCallInfo fcinfo) {
  nm::Block s = single_block(fcinfo, 0, "s");
  std::vector<std::int32_t> si = index_arg(fcinfo, 1, "s_rows");
  nm::Block r = single_block(fcinfo, 2, "r");
  std::vector<std::int32_t> ri = index_arg(fcinfo, 3, "r_rows");
  return nm_datum(NormalizedMatrix::many_to_many(std::move(s), std::move(si), std::move(r), std::move(ri)));
}

std::string key_text(const ColumnData& c, std::int64_t r) {
  return c.key_is_text ? c.text[static_cast<size_t>(r)] : std::to_string(c.ints[static_cast<size_t>(r)]);
}

// nmatrix_from_sparse(source, attributes, foreign_keys, attribute_keys): the sparse form of nmatrix_from_sql. Every
// relation gives its features as index int[] (1-based column numbers) with optional value float8[] (default 1) and
// width int (default the largest index); the source also returns the foreign keys, every attribute relation its key.
Datum from_sparse_body(FunctionCallInfo fcinfo) {
  require_not_null(fcinfo, 0, "source");
  require_not_null(fcinfo, 1, "attributes");
  require_not_null(fcinfo, 2, "foreign_keys");
  const std::string source = text_arg(fcinfo, 0);
  const std::vector<std::string> attrs = text_array_arg(fcinfo, 1, "attributes");
  const std::vector<std::string> fk_cols = text_array_arg(fcinfo, 2, "foreign_keys");
  std::vector<std::string> attr_keys(attrs.size(), "id");
  if (!PG_ARGISNULL(3)) attr_keys = text_array_arg(fcinfo, 3, "attribute_keys");
  if (attrs.size() != fk_cols.size())
    throw invalid_parameter("attributes has " + std::to_string(attrs.size()) + " relations but foreign_keys has " +
                                std::to_string(fk_cols.size()) + " names",
                            "Name one foreign-key column of source per attribute relation.");
  if (attr_keys.size() != attrs.size())
    throw invalid_parameter("attribute_keys has " + std::to_string(attr_keys.size()) + " names but attributes has " +
                                std::to_string(attrs.size()) + " relations",
                            "Name the key column of every attribute relation, or pass NULL for id everywhere.");
  std::vector<ColumnRequest> want;
  want_features(want);
  for (const auto& c : fk_cols) want.push_back({c, ColumnType::Key, true});
  const QueryTable e = read_query(source_query(source, "source"), "source", want);
  if (e.rows < 1) throw invalid_parameter("source returned no rows", "The entity relation needs at least one row.");
  nm::Block s_block;
  NormalizedMatrix t = features_block(e, "source", false, s_block) ? NormalizedMatrix::from_entity(std::move(s_block))
                                                                   : NormalizedMatrix::with_rows(e.rows);
  for (size_t k = 0; k < attrs.size(); ++k) {
    const std::string qname = "attributes[" + std::to_string(k + 1) + "]";
    e.require_no_nulls(fk_cols[k], "source");
    std::vector<ColumnRequest> awant{{attr_keys[k], ColumnType::Key, true}};
    want_features(awant);
    const QueryTable a = read_query(source_query(attrs[k], qname), qname.c_str(), awant);
    if (a.rows < 1)
      throw invalid_parameter(qname + " returned no rows", "Each attribute relation needs at least one row.");
    a.require_no_nulls(attr_keys[k], qname.c_str());
    const ColumnData& ak = a.column(attr_keys[k]);
    std::unordered_map<std::string, std::int32_t> row_of;
    for (std::int64_t r = 0; r < a.rows; ++r) {
      if (!row_of.emplace(key_text(ak, r), static_cast<std::int32_t>(r)).second)
        throw invalid_parameter("column \"" + attr_keys[k] + "\" of " + qname + " has the duplicate value '" +
                                    key_text(ak, r) + "' (row " + std::to_string(r + 1) + ")",
                                "Attribute keys must be unique (a primary key).");
    }
    const ColumnData& fk = e.column(fk_cols[k]);
    std::vector<std::int32_t> idx(static_cast<size_t>(e.rows));
    for (std::int64_t r = 0; r < e.rows; ++r) {
      if (r % 16384 == 0) check_interrupts();
      auto it = row_of.find(key_text(fk, r));
      if (it == row_of.end())
        throw invalid_parameter("column \"" + fk_cols[k] + "\" of source has the dangling key '" + key_text(fk, r) +
                                    "' in row " + std::to_string(r + 1) + ": no row of " + qname + " has that key",
                                "Every foreign key must match a key of the attribute relation (an inner join).");
      idx[static_cast<size_t>(r)] = it->second;
    }
    nm::Block r_block;
    features_block(a, qname, true, r_block);
    t.join(std::move(idx), std::move(r_block));
  }
  return nm_datum(t);
}

// nmatrix_from_sql(source, attributes, foreign_keys, attribute_keys, features): the relations read as the trainers
// read them (relation_data.hpp), without label and intercept.
Datum from_sql_body(FunctionCallInfo fcinfo) {
  RelationArgPositions at;
  at.source = 0;
  at.attributes = 1;
  at.foreign_keys = 2;
  at.attribute_keys = 3;
  at.features = 4;
  const RelationArgs a = relation_args(fcinfo, at);
  RelationData d = read_relation(a);
  if (d.matrix_cols() < 1)
    throw invalid_parameter("source has no feature columns and no attribute relations",
                            "Name feature columns of source (features => ARRAY['a', 'b']) or give attributes.");
  return nm_datum(relation_nmatrix(d));
}

// ---- operators ------------------------------------------------------------------------------------------------

template <nm::ScalarOp Op, bool ScalarLeft>
Datum scalar_body(FunctionCallInfo fcinfo) {
  const int targ = ScalarLeft ? 1 : 0;
  const double x = PG_GETARG_FLOAT8(ScalarLeft ? 0 : 1);
  return nm_datum(nm::scalar_op(nmatrix_value(fcinfo, targ), Op, x, ScalarLeft));
}

template <nm::ScalarOp Op, bool MatrixLeft>
Datum ew_matrix_body(FunctionCallInfo fcinfo) {
  const NormalizedMatrix t = nmatrix_value(fcinfo, MatrixLeft ? 1 : 0);
  const MatrixArg x = matrix_arg(fcinfo, MatrixLeft ? 0 : 1, "x");
  return matrix_datum(nm::elementwise_matrix(t, Op, x.map(), MatrixLeft), "element-wise result");
}

template <nm::Func F>
Datum func_body(FunctionCallInfo fcinfo) {
  return nm_datum(nm::elementwise(nmatrix_value(fcinfo, 0), F));
}

// The matrix an operator executes under morpheus.factorize (docs/settings.md): attribute tables the plan does not
// factorize are gathered into materialized parts, so the operator computes the same value on the materialized
// layout. `gram`: crossprod-like cost (crossprod, ginv). A DEBUG1 line names the materialized tables.
NormalizedMatrix planned(NormalizedMatrix t, const char* op, bool gram = false) {
  ml::PlanOptions o = plan_options();
  if (o.mode == ml::FactorizeMode::Always || t.parts().size() < 2) return t;
  o.gram = gram;
  const ml::Plan plan = ml::make_plan(t, o);
  if (plan.all_factorized()) return t;
  std::string tables;
  for (const auto& d : plan.tables)
    if (!d.factorize) tables += (tables.empty() ? "" : ", ") + std::to_string(d.table);
  const std::string msg = std::string(op) + ": attribute table(s) " + tables + " materialized by the plan";
  pg_call([&msg] { elog(DEBUG1, "%s", msg.c_str()); });
  return ml::apply_plan(t, plan);
}

Datum row_sums_body(FunctionCallInfo fcinfo) {
  const NormalizedMatrix t = planned(nmatrix_value(fcinfo, 0), "row_sums");
  const MatrixResult out = new_vector(t.rows(), "row_sums");
  nm::row_sums_into(t, out.map());
  return out.datum();
}
Datum col_sums_body(FunctionCallInfo fcinfo) {
  const NormalizedMatrix t = planned(nmatrix_value(fcinfo, 0), "col_sums");
  nm::check_value_size(8.0 * t.cols(), "col_sums result");  // before the vector is allocated
  return vector_datum(nm::col_sums(t), "col_sums");
}
Datum sum_body(FunctionCallInfo fcinfo) {
  return float8_result(nm::sum(planned(nmatrix_value(fcinfo, 0), "sum")), "sum(nmatrix) result");
}
Datum nrow_body(FunctionCallInfo fcinfo) { return Int64GetDatum(nm::nrow(nmatrix_value(fcinfo, 0))); }
Datum ncol_body(FunctionCallInfo fcinfo) { return Int64GetDatum(nm::ncol(nmatrix_value(fcinfo, 0))); }
Datum t_body(FunctionCallInfo fcinfo) { return nm_datum(nm::transpose(nmatrix_value(fcinfo, 0))); }

void require_columns(const NormalizedMatrix& t, const char* what) {
  if (t.cols() == 0 || t.rows() == 0)
    throw invalid_parameter(std::string(what) + " of an nmatrix with no columns (" + std::to_string(t.rows()) + "x" +
                                std::to_string(t.cols()) + ") has no array form",
                            "Add attribute tables with morpheus.nm_join first.");
}

Datum materialize_body(FunctionCallInfo fcinfo) {
  const NormalizedMatrix t = nmatrix_value(fcinfo, 0);
  require_columns(t, "materialize");
  nm::check_value_size(8.0 * t.rows() * t.cols(), "materialize result");
  return matrix_datum(nm::materialize(t), "materialize result");
}

Datum crossprod_body(FunctionCallInfo fcinfo) {
  const NormalizedMatrix t = planned(nmatrix_value(fcinfo, 0), "crossprod", true);
  require_columns(t, "crossprod");
  nm::check_value_size(8.0 * t.cols() * t.cols(), "crossprod result");
  return matrix_datum(nm::crossprod(t), "crossprod result");
}

// crossprod_sparse(t) -> nmatrix: T'T as one sparse block (the plan does not apply: the sparse Gram matrix is always
// computed by the factorized algorithm, which never repeats the join's rows).
Datum crossprod_sparse_body(FunctionCallInfo fcinfo) {
  const NormalizedMatrix t = nmatrix_value(fcinfo, 0);
  require_columns(t, "crossprod_sparse");
  return nm_datum(NormalizedMatrix::from_entity(nm::Block(nm::crossprod_sparse(t))));
}

// entries(t) -> (i int, j int, v float8): the stored entries of the logical matrix, 1-based, row by row.
Datum entries_body(FunctionCallInfo fcinfo) {
  const NormalizedMatrix t = nmatrix_value(fcinfo, 0);
  const nm::SparseMatrix m = ml::materialize_sparse(t);
  SrfWriter out(fcinfo);
  const bool nulls[3] = {false, false, false};
  for (int r = 0; r < m.outerSize(); ++r) {
    if (r % 1024 == 0) check_interrupts();
    for (nm::SparseMatrix::InnerIterator it(m, r); it; ++it) {
      Datum values[3] = {Int32GetDatum(r + 1), Int32GetDatum(static_cast<int>(it.col()) + 1),
                         Float8GetDatum(it.value())};
      out.put(values, nulls);
    }
  }
  return (Datum)0;
}

Datum tcrossprod_body(FunctionCallInfo fcinfo) {
  const NormalizedMatrix t = planned(nmatrix_value(fcinfo, 0), "tcrossprod");
  require_columns(t, "tcrossprod");
  nm::check_value_size(8.0 * t.rows() * t.rows(), "tcrossprod result");
  return matrix_datum(nm::tcrossprod(t), "tcrossprod result");
}

Datum ginv_body(FunctionCallInfo fcinfo) {
  const NormalizedMatrix t = planned(nmatrix_value(fcinfo, 0), "ginv", true);
  require_columns(t, "ginv");
  nm::check_value_size(8.0 * t.rows() * t.cols(), "ginv result");
  return matrix_datum(nm::ginv(t), "ginv result");
}

Datum lmm_body(FunctionCallInfo fcinfo) {
  const NormalizedMatrix t = planned(nmatrix_value(fcinfo, 0), "nmatrix %*% float8[][]");
  const MatrixArg x = matrix_arg(fcinfo, 1, "x");
  require_columns(t, "nmatrix %*% float8[][]");
  nm::check_value_size(8.0 * t.rows() * x.cols, "nmatrix %*% float8[][] result");
  const MatrixResult out = new_matrix(t.rows(), x.cols, "nmatrix %*% float8[][] result");
  nm::lmm_into(t, x.map(), out.map());  // computed in the result array itself
  return out.datum();
}

Datum rmm_body(FunctionCallInfo fcinfo) {
  const MatrixArg x = matrix_arg(fcinfo, 0, "x");
  const NormalizedMatrix t = planned(nmatrix_value(fcinfo, 1), "float8[][] %*% nmatrix");
  require_columns(t, "float8[][] %*% nmatrix");
  nm::check_value_size(8.0 * x.rows * t.cols(), "float8[][] %*% nmatrix result");
  return matrix_datum(nm::rmm(x.map(), t), "float8[][] %*% nmatrix result");
}

Datum matmul_body(FunctionCallInfo fcinfo) {
  const NormalizedMatrix a = nmatrix_value(fcinfo, 0);
  const NormalizedMatrix b = nmatrix_value(fcinfo, 1);
  require_columns(a, "nmatrix %*% nmatrix (left)");
  require_columns(b, "nmatrix %*% nmatrix (right)");
  nm::check_value_size(8.0 * a.rows() * b.cols(), "nmatrix %*% nmatrix result");
  return matrix_datum(nm::matmul(a, b), "nmatrix %*% nmatrix result");
}

}  // namespace
}  // namespace morpheus::pg

using morpheus::nm::Func;
using morpheus::nm::ScalarOp;
namespace mp = morpheus::pg;

MORPHEUS_FUNCTION(nmatrix_in, mp::in_body)
MORPHEUS_FUNCTION(nmatrix_out, mp::out_body)
MORPHEUS_FUNCTION(nmatrix_recv, mp::recv_body)
MORPHEUS_FUNCTION(nmatrix_send, mp::send_body)
MORPHEUS_FUNCTION(nmatrix_from_s, mp::from_s_body)
MORPHEUS_FUNCTION(nmatrix_from_rows, mp::from_rows_body)
MORPHEUS_FUNCTION(nmatrix_sparse, mp::sparse_body)
MORPHEUS_FUNCTION(nm_join, mp::join_body)
MORPHEUS_FUNCTION(nm_join_sparse, mp::join_sparse_body)
MORPHEUS_FUNCTION(nm_mn, mp::mn_body)
MORPHEUS_FUNCTION(nm_mn_blocks, mp::mn_blocks_body)
MORPHEUS_FUNCTION(nmatrix_from_sql, mp::from_sql_body)
MORPHEUS_FUNCTION(nmatrix_from_sparse, mp::from_sparse_body)

MORPHEUS_FUNCTION(nm_add_s, (mp::scalar_body<ScalarOp::Add, false>))
MORPHEUS_FUNCTION(nm_sub_s, (mp::scalar_body<ScalarOp::Sub, false>))
MORPHEUS_FUNCTION(nm_mul_s, (mp::scalar_body<ScalarOp::Mul, false>))
MORPHEUS_FUNCTION(nm_div_s, (mp::scalar_body<ScalarOp::Div, false>))
MORPHEUS_FUNCTION(nm_pow_s, (mp::scalar_body<ScalarOp::Pow, false>))
MORPHEUS_FUNCTION(nm_s_add, (mp::scalar_body<ScalarOp::Add, true>))
MORPHEUS_FUNCTION(nm_s_sub, (mp::scalar_body<ScalarOp::Sub, true>))
MORPHEUS_FUNCTION(nm_s_mul, (mp::scalar_body<ScalarOp::Mul, true>))
MORPHEUS_FUNCTION(nm_s_div, (mp::scalar_body<ScalarOp::Div, true>))
MORPHEUS_FUNCTION(nm_s_pow, (mp::scalar_body<ScalarOp::Pow, true>))

MORPHEUS_FUNCTION(nm_add_m, (mp::ew_matrix_body<ScalarOp::Add, false>))
MORPHEUS_FUNCTION(nm_sub_m, (mp::ew_matrix_body<ScalarOp::Sub, false>))
MORPHEUS_FUNCTION(nm_mul_m, (mp::ew_matrix_body<ScalarOp::Mul, false>))
MORPHEUS_FUNCTION(nm_div_m, (mp::ew_matrix_body<ScalarOp::Div, false>))
MORPHEUS_FUNCTION(nm_pow_m, (mp::ew_matrix_body<ScalarOp::Pow, false>))
MORPHEUS_FUNCTION(nm_m_add, (mp::ew_matrix_body<ScalarOp::Add, true>))
MORPHEUS_FUNCTION(nm_m_sub, (mp::ew_matrix_body<ScalarOp::Sub, true>))
MORPHEUS_FUNCTION(nm_m_mul, (mp::ew_matrix_body<ScalarOp::Mul, true>))
MORPHEUS_FUNCTION(nm_m_div, (mp::ew_matrix_body<ScalarOp::Div, true>))
MORPHEUS_FUNCTION(nm_m_pow, (mp::ew_matrix_body<ScalarOp::Pow, true>))

MORPHEUS_FUNCTION(nm_exp, mp::func_body<Func::Exp>)
MORPHEUS_FUNCTION(nm_log, mp::func_body<Func::Log>)
MORPHEUS_FUNCTION(nm_sqrt, mp::func_body<Func::Sqrt>)
MORPHEUS_FUNCTION(nm_abs, mp::func_body<Func::Abs>)
MORPHEUS_FUNCTION(nm_sin, mp::func_body<Func::Sin>)
MORPHEUS_FUNCTION(nm_cos, mp::func_body<Func::Cos>)
MORPHEUS_FUNCTION(nm_tan, mp::func_body<Func::Tan>)
MORPHEUS_FUNCTION(nm_tanh, mp::func_body<Func::Tanh>)
MORPHEUS_FUNCTION(nm_sign, mp::func_body<Func::Sign>)
MORPHEUS_FUNCTION(nm_square, mp::func_body<Func::Square>)
MORPHEUS_FUNCTION(nm_sigmoid, mp::func_body<Func::Sigmoid>)
MORPHEUS_FUNCTION(nm_log1p, mp::func_body<Func::Log1p>)
MORPHEUS_FUNCTION(nm_expm1, mp::func_body<Func::Expm1>)

MORPHEUS_FUNCTION(nm_row_sums, mp::row_sums_body)
MORPHEUS_FUNCTION(nm_col_sums, mp::col_sums_body)
MORPHEUS_FUNCTION(nm_sum, mp::sum_body)
MORPHEUS_FUNCTION(nm_nrow, mp::nrow_body)
MORPHEUS_FUNCTION(nm_ncol, mp::ncol_body)
MORPHEUS_FUNCTION(nm_t, mp::t_body)
MORPHEUS_FUNCTION(nm_materialize, mp::materialize_body)
MORPHEUS_FUNCTION(nm_crossprod, mp::crossprod_body)
MORPHEUS_FUNCTION(nm_tcrossprod, mp::tcrossprod_body)
MORPHEUS_FUNCTION(nm_crossprod_sparse, mp::crossprod_sparse_body)
MORPHEUS_FUNCTION(nm_entries, mp::entries_body)
MORPHEUS_FUNCTION(nm_ginv, mp::ginv_body)
MORPHEUS_FUNCTION(nm_lmm, mp::lmm_body)
MORPHEUS_FUNCTION(nm_rmm, mp::rmm_body)
MORPHEUS_FUNCTION(nm_matmul, mp::matmul_body)
