// Closure operators (transpose, scalar ops, element-wise functions) and the non-factorizable element-wise ops
// with a dense matrix.
#include "core/nmatrix/nmatrix.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/errors.hpp"
#include "core/interrupt.hpp"
#include "core/nmatrix/nmatrix_internal.hpp"

namespace morpheus::nm {
namespace {

using detail::shape;

void check_finite_blocks(const NormalizedMatrix& t, const std::string& what) {
  for (const Part& p : t.parts()) {
    const bool ok =
        p.block.is_sparse()
            ? Eigen::Map<const Eigen::VectorXd>(p.block.sparse().valuePtr(), p.block.sparse().nonZeros()).allFinite()
            : p.block.dense().allFinite();
    if (!ok)
      throw out_of_range(what + " produced a NaN or infinite value",
                         "Check the operand's domain (division by zero, log of a non-positive value, overflow).");
  }
}

// Applies f to every element. dense_kernel(src) computes f on a whole dense block (vectorized where possible).
// The result is built block by block from the source: nothing is copied twice.
template <class F, class K>
NormalizedMatrix map_values(const NormalizedMatrix& t, F f, K dense_kernel, const std::string& what) {
  NormalizedMatrix out;
  out.set_base_rows(t.base_rows());
  out.set_transposed(t.transposed());
  const double at_zero = f(0.0);
  for (const Part& src : t.parts()) {
    check_interrupts();
    Part p;
    p.identity = src.identity;
    p.index = src.index;
    if (src.block.is_sparse() && at_zero != 0.0) {
      check_value_size(8.0 * src.block.rows() * src.block.cols(),
                       what + " on a sparse block of " + shape(src.block.rows(), src.block.cols()) + " (made dense)");
      const RowMatrix d = src.block.to_dense();
      p.block = Block(RowMatrix(dense_kernel(ConstRowMap(d.data(), d.rows(), d.cols()))));
    } else if (src.block.is_sparse()) {
      SparseMatrix s(src.block.sparse());
      double* v = s.valuePtr();
      for (std::int64_t i = 0; i < s.nonZeros(); ++i) v[i] = f(v[i]);
      p.block = Block(std::move(s));
    } else {
      p.block = Block(RowMatrix(dense_kernel(src.block.dense())));
    }
    out.parts().push_back(std::move(p));
  }
  check_finite_blocks(out, what);
  return out;
}

}  // namespace

const char* op_symbol(ScalarOp op) {
  switch (op) {
    case ScalarOp::Add: return "+";
    case ScalarOp::Sub: return "-";
    case ScalarOp::Mul: return "*";
    case ScalarOp::Div: return "/";
    case ScalarOp::Pow: return "^";
  }
  return "?";
}

const char* func_name(Func f) {
  switch (f) {
    case Func::Exp: return "exp";
    case Func::Log: return "log";
    case Func::Sqrt: return "sqrt";
    case Func::Abs: return "abs";
    case Func::Sin: return "sin";
    case Func::Cos: return "cos";
    case Func::Tan: return "tan";
    case Func::Tanh: return "tanh";
    case Func::Sign: return "sign";
    case Func::Square: return "square";
    case Func::Sigmoid: return "sigmoid";
    case Func::Log1p: return "log1p";
    case Func::Expm1: return "expm1";
  }
  return "?";
}

double apply_op(ScalarOp op, double a, double b) {
  switch (op) {
    case ScalarOp::Add: return a + b;
    case ScalarOp::Sub: return a - b;
    case ScalarOp::Mul: return a * b;
    case ScalarOp::Div: return a / b;
    case ScalarOp::Pow: return std::pow(a, b);
  }
  return 0.0;
}

double apply_func(Func f, double v) {
  switch (f) {
    case Func::Exp: return std::exp(v);
    case Func::Log: return std::log(v);
    case Func::Sqrt: return std::sqrt(v);
    case Func::Abs: return std::fabs(v);
    case Func::Sin: return std::sin(v);
    case Func::Cos: return std::cos(v);
    case Func::Tan: return std::tan(v);
    case Func::Tanh: return std::tanh(v);
    case Func::Sign: return v > 0 ? 1.0 : (v < 0 ? -1.0 : 0.0);
    case Func::Square: return v * v;
    case Func::Sigmoid: return 1.0 / (1.0 + std::exp(-v));
    case Func::Log1p: return std::log1p(v);
    case Func::Expm1: return std::expm1(v);
  }
  return 0.0;
}

NormalizedMatrix transpose(const NormalizedMatrix& t) {
  NormalizedMatrix out = t;
  out.set_transposed(!t.transposed());
  return out;
}

NormalizedMatrix scalar_op(const NormalizedMatrix& t, ScalarOp op, double x, bool scalar_left) {
  const std::string what = scalar_left ? "float8 " + std::string(op_symbol(op)) + " nmatrix"
                                       : "nmatrix " + std::string(op_symbol(op)) + " float8";
  if (!std::isfinite(x)) throw invalid_parameter("the scalar of " + what + " is not finite", "Pass a finite float8.");
  auto f = [op, x, scalar_left](double v) { return scalar_left ? apply_op(op, x, v) : apply_op(op, v, x); };
  auto kernel = [op, x, scalar_left, f](const ConstRowMap& d) -> RowMatrix {
    switch (op) {
      case ScalarOp::Add: return (d.array() + x).matrix();
      case ScalarOp::Sub:
        return scalar_left ? RowMatrix((x - d.array()).matrix()) : RowMatrix((d.array() - x).matrix());
      case ScalarOp::Mul: return d * x;
      case ScalarOp::Div: return scalar_left ? RowMatrix((x / d.array()).matrix()) : RowMatrix(d / x);
      case ScalarOp::Pow: break;
    }
    return d.unaryExpr(f);
  };
  return map_values(t, f, kernel, what);
}

NormalizedMatrix elementwise(const NormalizedMatrix& t, Func f) {
  auto g = [f](double v) { return apply_func(f, v); };
  return map_values(
      t, g, [g](const ConstRowMap& d) -> RowMatrix { return d.unaryExpr(g); }, std::string(func_name(f)) + "(nmatrix)");
}

RowMatrix elementwise_matrix(const NormalizedMatrix& t, ScalarOp op, const ConstRowMap& x, bool matrix_left) {
  const std::string what = matrix_left ? "float8[][] " + std::string(op_symbol(op)) + " nmatrix"
                                       : "nmatrix " + std::string(op_symbol(op)) + " float8[][]";
  if (x.rows() != t.rows() || x.cols() != t.cols())
    throw invalid_parameter(
        what + ": nmatrix is " + shape(t.rows(), t.cols()) + " but the array is " + shape(x.rows(), x.cols()),
        "Element-wise operations need operands of the same shape.");
  RowMatrix m = materialize(t);
  for (std::int64_t i = 0; i < m.rows(); ++i) {
    if (i % 1024 == 0) check_interrupts();
    for (std::int64_t j = 0; j < m.cols(); ++j)
      m(i, j) = matrix_left ? apply_op(op, x(i, j), m(i, j)) : apply_op(op, m(i, j), x(i, j));
  }
  if (!m.allFinite())
    throw out_of_range(what + " produced a NaN or infinite value",
                       "Check the operands' domain (division by zero, overflow).");
  return m;
}

}  // namespace morpheus::nm
