#include "pg/arrays.hpp"

#include <cmath>
#include <cstring>

#include "core/errors.hpp"
#include "pg/guard.hpp"

namespace morpheus::pg {
namespace {

constexpr std::int64_t kMaxArrayItems = static_cast<std::int64_t>(MaxArraySize);

ArrayType* detoast_array(FunctionCallInfo fcinfo, int argno) {
  Datum d = PG_GETARG_DATUM(argno);
  return pg_call([d] { return DatumGetArrayTypeP(d); });
}

std::string dims_text(const ArrayType* a) {
  std::string s;
  for (int i = 0; i < ARR_NDIM(a); ++i) s += (i ? "x" : "") + std::to_string(ARR_DIMS(a)[i]);
  return s;
}

// Throws NullValue naming the first NULL element (1-based, row-major subscripts).
void reject_nulls(const ArrayType* a, const char* name) {
  if (!ARR_HASNULL(a)) return;
  const bits8* bitmap = ARR_NULLBITMAP(a);
  std::int64_t n = 1;
  for (int i = 0; i < ARR_NDIM(a); ++i) n *= ARR_DIMS(a)[i];
  for (std::int64_t k = 0; k < n; ++k) {
    if ((bitmap[k / 8] & (1 << (k % 8))) == 0) {
      std::string where;
      if (ARR_NDIM(a) == 2) {
        const int cols = ARR_DIMS(a)[1];
        where = "[" + std::to_string(k / cols + 1) + "][" + std::to_string(k % cols + 1) + "]";
      } else {
        where = "[" + std::to_string(k + 1) + "]";
      }
      throw Error(ErrorKind::NullValue, std::string(name) + where + " is NULL",
                  "Arrays passed to morpheus must not contain NULL elements; filter or impute them first.");
    }
  }
}

void require_type(const ArrayType* a, Oid type, const char* name, const char* type_name) {
  if (ARR_ELEMTYPE(a) != type)
    throw Error(ErrorKind::DatatypeMismatch, std::string(name) + " must be an array of " + type_name);
}

ArrayType* alloc_array(int ndim, const int* dims, Oid elemtype, int elemsize, std::int64_t n, const char* what) {
  const double bytes = static_cast<double>(ARR_OVERHEAD_NONULLS(ndim)) + static_cast<double>(n) * elemsize;
  if (bytes > static_cast<double>(MaxAllocSize))
    throw Error(ErrorKind::LimitExceeded,
                std::string(what) + " would need " + std::to_string(static_cast<long long>(bytes)) +
                    " bytes, over PostgreSQL's 1 GB limit for one value",
                "Work on smaller blocks of the data.");
  const Size size = static_cast<Size>(bytes);
  // Only the header is zeroed: the caller writes every element, and zeroing a large result costs a full pass.
  const Size header = static_cast<Size>(ARR_OVERHEAD_NONULLS(ndim));
  ArrayType* a = pg_call([size] { return static_cast<ArrayType*>(palloc(size)); });
  std::memset(a, 0, header);
  SET_VARSIZE(a, size);
  a->ndim = ndim;
  a->dataoffset = 0;
  a->elemtype = elemtype;
  for (int i = 0; i < ndim; ++i) {
    ARR_DIMS(a)[i] = dims[i];
    ARR_LBOUND(a)[i] = 1;
  }
  return a;
}

}  // namespace

ArrayType* array_arg(FunctionCallInfo fcinfo, int argno) { return detoast_array(fcinfo, argno); }

void require_not_null(FunctionCallInfo fcinfo, int argno, const char* name) {
  if (PG_ARGISNULL(argno))
    throw Error(ErrorKind::NullValue, std::string(name) + " must not be NULL",
                std::string("Pass a value for ") + name + " or omit it to use its default.");
}

std::int32_t int_arg(FunctionCallInfo fcinfo, int argno, const char* name) {
  require_not_null(fcinfo, argno, name);
  return PG_GETARG_INT32(argno);
}

double float_arg(FunctionCallInfo fcinfo, int argno, const char* name) {
  require_not_null(fcinfo, argno, name);
  const double v = PG_GETARG_FLOAT8(argno);
  if (!std::isfinite(v))
    throw invalid_parameter(std::string(name) + " = " + format_number(v) + " is not finite", "Pass a finite number.");
  return v;
}

std::string string_arg(FunctionCallInfo fcinfo, int argno, const char* name) {
  require_not_null(fcinfo, argno, name);
  return text_arg(fcinfo, argno);
}

MatrixArg matrix_arg(FunctionCallInfo fcinfo, int argno, const char* name, Finite finite) {
  require_not_null(fcinfo, argno, name);
  ArrayType* a = detoast_array(fcinfo, argno);
  require_type(a, FLOAT8OID, name, "float8");
  if (ARR_NDIM(a) == 0)
    throw invalid_parameter(std::string(name) + " is empty", "Pass a non-empty 2-D array such as '{{1,2},{3,4}}'.");
  if (ARR_NDIM(a) != 2)
    throw invalid_parameter(std::string(name) + " must be a 2-D array (float8[][]) but has " +
                                std::to_string(ARR_NDIM(a)) + " dimension" + (ARR_NDIM(a) == 1 ? "" : "s") + " (" +
                                dims_text(a) + ")",
                            "Write a matrix as '{{1,2},{3,4}}'; a single row as '{{1,2,3}}'.");
  reject_nulls(a, name);
  MatrixArg m;
  m.data = reinterpret_cast<const double*>(ARR_DATA_PTR(a));
  m.rows = ARR_DIMS(a)[0];
  m.cols = ARR_DIMS(a)[1];
  if (finite == Finite::Require) require_finite(m.map(), name);
  return m;
}

VectorArg vector_arg(FunctionCallInfo fcinfo, int argno, const char* name, Finite finite, bool allow_empty) {
  require_not_null(fcinfo, argno, name);
  ArrayType* a = detoast_array(fcinfo, argno);
  require_type(a, FLOAT8OID, name, "float8");
  VectorArg v;
  if (ARR_NDIM(a) == 0) {
    if (!allow_empty)
      throw invalid_parameter(std::string(name) + " is empty", "Pass a non-empty array such as '{1,2,3}'.");
    return v;
  }
  if (ARR_NDIM(a) != 1)
    throw invalid_parameter(std::string(name) + " must be a 1-D array (float8[]) but has " +
                                std::to_string(ARR_NDIM(a)) + " dimensions (" + dims_text(a) + ")",
                            "Write a vector as '{1,2,3}'.");
  reject_nulls(a, name);
  v.data = reinterpret_cast<const double*>(ARR_DATA_PTR(a));
  v.size = ARR_DIMS(a)[0];
  if (finite == Finite::Require) require_finite(v.data, v.size, name);
  return v;
}

IntVectorArg int_vector_arg(FunctionCallInfo fcinfo, int argno, const char* name, bool allow_empty) {
  require_not_null(fcinfo, argno, name);
  ArrayType* a = detoast_array(fcinfo, argno);
  require_type(a, INT4OID, name, "int4");
  IntVectorArg v;
  if (ARR_NDIM(a) == 0) {
    if (!allow_empty)
      throw invalid_parameter(std::string(name) + " is empty", "Pass a non-empty array such as '{1,2,3}'.");
    return v;
  }
  if (ARR_NDIM(a) != 1)
    throw invalid_parameter(std::string(name) + " must be a 1-D array (int[]) but has " + std::to_string(ARR_NDIM(a)) +
                                " dimensions (" + dims_text(a) + ")",
                            "Write an index vector as '{1,2,3}'.");
  reject_nulls(a, name);
  v.data = reinterpret_cast<const std::int32_t*>(ARR_DATA_PTR(a));
  v.size = ARR_DIMS(a)[0];
  return v;
}

MatrixResult new_matrix(std::int64_t rows, std::int64_t cols, const char* what) {
  if (rows < 1 || cols < 1 || rows > kMaxArrayItems || cols > kMaxArrayItems)
    throw Error(ErrorKind::LimitExceeded, std::string(what) + " would have shape " + std::to_string(rows) + "x" +
                                              std::to_string(cols) + ", which a PostgreSQL array cannot hold");
  const int dims[2] = {static_cast<int>(rows), static_cast<int>(cols)};
  MatrixResult r;
  r.array = alloc_array(2, dims, FLOAT8OID, sizeof(double), rows * cols, what);
  r.data = reinterpret_cast<double*>(ARR_DATA_PTR(r.array));
  r.rows = rows;
  r.cols = cols;
  r.what = what;
  return r;
}

MatrixResult new_vector(std::int64_t n, const char* what) {
  if (n < 0 || n > kMaxArrayItems)
    throw Error(ErrorKind::LimitExceeded,
                std::string(what) + " would have " + std::to_string(n) + " elements, over PostgreSQL's array limit");
  MatrixResult r;
  r.what = what;
  if (n == 0) {
    r.array = pg_call([] { return construct_empty_array(FLOAT8OID); });
    r.cols = 1;  // map() is 0 x 1, the shape of an empty column
    return r;
  }
  const int dims[1] = {static_cast<int>(n)};
  r.array = alloc_array(1, dims, FLOAT8OID, sizeof(double), n, what);
  r.data = reinterpret_cast<double*>(ARR_DATA_PTR(r.array));
  r.rows = n;
  r.cols = 1;
  r.what = what;
  return r;
}

void require_finite_values(const double* values, std::int64_t rows, std::int64_t cols, const char* what) {
  const std::int64_t n = rows * cols;
  for (std::int64_t k = 0; k < n; ++k) {
    if (std::isfinite(values[k])) continue;
    const std::string at = cols > 1 ? "[" + std::to_string(k / cols + 1) + "][" + std::to_string(k % cols + 1) + "]"
                                    : "[" + std::to_string(k + 1) + "]";
    throw out_of_range(
        std::string(what) + " overflowed: element " + at + " is " + (std::isnan(values[k]) ? "NaN" : "infinite"),
        "The computation left the range of float8: scale the inputs down (for example, standardize "
        "the columns) or, for iterative methods, lower the learning rate.");
  }
}

Datum float8_result(double v, const char* what) {
  require_finite_values(&v, 1, 1, what);
  return Float8GetDatum(v);
}

Datum MatrixResult::datum() const {
  if (data != nullptr) require_finite_values(data, rows, cols, what);
  return PointerGetDatum(array);
}

Datum float8_array_datum(const double* values, std::int64_t n, const char* what) {
  MatrixResult r = new_vector(n, what);
  if (n > 0) std::memcpy(r.data, values, static_cast<size_t>(n) * sizeof(double));
  return r.datum();
}

Datum float8_matrix_datum(const ConstRowMap& m, const char* what) {
  MatrixResult r = new_matrix(m.rows(), m.cols(), what);
  r.map() = m;
  return r.datum();
}

Datum int4_array_datum(const std::int32_t* values, std::int64_t n, const char* what) {
  if (n == 0) return PointerGetDatum(pg_call([] { return construct_empty_array(INT4OID); }));
  if (n > kMaxArrayItems)
    throw Error(ErrorKind::LimitExceeded, std::string(what) + " has too many elements for a PostgreSQL array");
  const int dims[1] = {static_cast<int>(n)};
  ArrayType* a = alloc_array(1, dims, INT4OID, sizeof(std::int32_t), n, what);
  std::memcpy(ARR_DATA_PTR(a), values, static_cast<size_t>(n) * sizeof(std::int32_t));
  return PointerGetDatum(a);
}

Datum text_datum(const std::string& s) {
  const char* p = s.data();
  const int len = static_cast<int>(s.size());
  return PointerGetDatum(pg_call([p, len] { return cstring_to_text_with_len(p, len); }));
}

std::string text_arg(FunctionCallInfo fcinfo, int argno) {
  Datum d = PG_GETARG_DATUM(argno);
  text* t = pg_call([d] { return DatumGetTextPP(d); });
  return std::string(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
}

std::vector<std::string> text_array_arg(FunctionCallInfo fcinfo, int argno, const char* name) {
  require_not_null(fcinfo, argno, name);
  const Datum d = PG_GETARG_DATUM(argno);
  ArrayType* a = pg_call([d] { return DatumGetArrayTypeP(d); });
  if (ARR_NDIM(a) > 1)
    throw invalid_parameter(std::string(name) + " must be a 1-D text array", "Pass ARRAY['...', ...].");
  Datum* elems = nullptr;
  bool* nulls = nullptr;
  int n = 0;
  pg_call([a, &elems, &nulls, &n] { deconstruct_array(a, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n); });
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) {
    if (nulls[i])
      throw Error(ErrorKind::NullValue, std::string(name) + "[" + std::to_string(i + 1) + "] is NULL",
                  std::string("Remove the NULL elements of ") + name + ".");
    const text* t = reinterpret_cast<const text*>(DatumGetPointer(elems[i]));
    out.emplace_back(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
  }
  return out;
}

}  // namespace morpheus::pg
