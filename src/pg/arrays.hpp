// float8[] / float8[][] / int4[] arguments mapped in place (no copy), and result arrays that C++ writes into directly.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/dense.hpp"
#include "pg/pg_includes.hpp"

namespace morpheus::pg {

// A read-only view of a 2-D float8 argument (row-major, as PostgreSQL stores it).
struct MatrixArg {
  const double* data = nullptr;
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  ConstRowMap map() const { return ConstRowMap(data, rows, cols); }
};

// A read-only view of a 1-D float8 argument.
struct VectorArg {
  const double* data = nullptr;
  std::int64_t size = 0;
  ConstVectorMap map() const { return ConstVectorMap(data, size); }
};

// A read-only view of a 1-D int4 argument.
struct IntVectorArg {
  const std::int32_t* data = nullptr;
  std::int64_t size = 0;
};

enum class Finite { Require, Allow };

// Argument `argno` (named `name` in messages) as a non-empty 2-D float8 array without NULL elements; with
// Finite::Require, NaN and infinity are rejected naming the element.
MatrixArg matrix_arg(FunctionCallInfo fcinfo, int argno, const char* name, Finite finite = Finite::Require);

// Argument `argno` as a 1-D float8 array without NULL elements. allow_empty accepts '{}' (size 0).
VectorArg vector_arg(FunctionCallInfo fcinfo, int argno, const char* name, Finite finite = Finite::Require,
                     bool allow_empty = false);

// Argument `argno` as a 1-D int4 array without NULL elements.
IntVectorArg int_vector_arg(FunctionCallInfo fcinfo, int argno, const char* name, bool allow_empty = false);

// Argument `argno` detoasted (guarded); read-only.
ArrayType* array_arg(FunctionCallInfo fcinfo, int argno);

// Throws NullValue naming the argument if it is SQL NULL (for functions that are not STRICT).
void require_not_null(FunctionCallInfo fcinfo, int argno, const char* name);

// Scalar arguments that must not be NULL (null_value_not_allowed naming the argument otherwise).
std::int32_t int_arg(FunctionCallInfo fcinfo, int argno, const char* name);
// Also rejects NaN and infinity (invalid_parameter_value naming the argument).
double float_arg(FunctionCallInfo fcinfo, int argno, const char* name);
std::string string_arg(FunctionCallInfo fcinfo, int argno, const char* name);
// A 1-D text[] argument without NULL elements (errors name the argument and the element).
std::vector<std::string> text_array_arg(FunctionCallInfo fcinfo, int argno, const char* name);

// A float8 array allocated in the current memory context; C++ writes into data / map() and returns datum().
// The elements are NOT initialized: write every one (or call map().setZero()).
// The rule for non-finite results (docs/conventions.md): datum() refuses a NaN or an infinity with 22003 naming
// `what` and the element, so no function returns one silently. Only a function that moves its input's values
// without computing (mat_transpose) uses datum_as_is().
struct MatrixResult {
  ArrayType* array = nullptr;
  double* data = nullptr;
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  const char* what = "result";
  RowMap map() const { return RowMap(data, rows, cols); }
  Datum datum() const;
  Datum datum_as_is() const { return PointerGetDatum(array); }
};

// Throws OutOfRange (22003) if values[0..n) holds a NaN or an infinity: "<what> overflowed: element [i] is
// infinite" (rows x cols >= 2 columns: [i][j]), with a hint to scale the inputs.
void require_finite_values(const double* values, std::int64_t rows, std::int64_t cols, const char* what);
// A scalar float8 result under the same rule.
Datum float8_result(double v, const char* what);

// A 2-D result (rows x cols >= 1 each). Sizes over PostgreSQL's 1 GB allocation limit raise program_limit_exceeded
// naming `what`.
MatrixResult new_matrix(std::int64_t rows, std::int64_t cols, const char* what);
// A 1-D result of n >= 0 elements (n = 0 gives '{}'); map() is n x 1.
MatrixResult new_vector(std::int64_t n, const char* what);

// float8[] / float8[][] results copied from C++ memory; non-finite values are refused as in MatrixResult::datum().
Datum float8_array_datum(const double* values, std::int64_t n, const char* what);
Datum float8_matrix_datum(const ConstRowMap& m, const char* what);
Datum int4_array_datum(const std::int32_t* values, std::int64_t n, const char* what);
Datum text_datum(const std::string& s);
std::string text_arg(FunctionCallInfo fcinfo, int argno);

}  // namespace morpheus::pg
