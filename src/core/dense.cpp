#include "core/dense.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "core/errors.hpp"
#include "core/interrupt.hpp"
#include "core/linalg/lu.hpp"
#include "core/linalg/qr.hpp"

namespace morpheus {

std::string format_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

void check_allocation(double bytes, const std::string& what, const std::string& hint) {
  if (!(bytes <= kMaxAllocationBytes))
    throw Error(ErrorKind::LimitExceeded,
                what + " would need " +
                    (bytes < 9e18 ? std::to_string(static_cast<long long>(bytes)) : format_number(bytes)) +
                    " bytes, over the 1 GB limit of one allocation",
                hint);
}

void require_finite(const ConstRowMap& a, const char* name) {
  for (Eigen::Index i = 0; i < a.rows(); ++i)
    for (Eigen::Index j = 0; j < a.cols(); ++j)
      if (!std::isfinite(a(i, j)))
        throw invalid_parameter(std::string(name) + "[" + std::to_string(i + 1) + "][" + std::to_string(j + 1) +
                                    "] is " + (std::isnan(a(i, j)) ? "NaN" : "infinite"),
                                "Remove or impute non-finite values before calling this function.");
}

void require_finite(const double* v, std::int64_t n, const char* name) {
  for (std::int64_t i = 0; i < n; ++i)
    if (!std::isfinite(v[i]))
      throw invalid_parameter(
          std::string(name) + "[" + std::to_string(i + 1) + "] is " + (std::isnan(v[i]) ? "NaN" : "infinite"),
          "Remove or impute non-finite values before calling this function.");
}

void require_finite_result(const ConstRowMap& r, const char* what) {
  if (!r.allFinite())
    throw out_of_range(std::string(what) + " overflowed: the result holds a non-finite value",
                       "Scale the inputs down.");
}

void require_product_shapes(const ConstRowMap& a, const ConstRowMap& b, const char* a_name, const char* b_name) {
  if (a.cols() != b.rows())
    throw invalid_parameter(
        std::string("cannot multiply ") + a_name + " (" + std::to_string(a.rows()) + "x" + std::to_string(a.cols()) +
            ") by " + b_name + " (" + std::to_string(b.rows()) + "x" + std::to_string(b.cols()) + ")",
        std::string("The number of columns of ") + a_name + " must equal the number of rows of " + b_name + ".");
}

void require_solve_shapes(const ConstRowMap& a, const ConstRowMap& b) {
  if (a.rows() != a.cols())
    throw invalid_parameter("a must be square, but it is " + std::to_string(a.rows()) + "x" + std::to_string(a.cols()),
                            "For a least-squares solution of a non-square system use mat_ginv(a) with matmul.");
  if (b.rows() != a.rows())
    throw invalid_parameter("a has " + std::to_string(a.rows()) + " rows but b has " + std::to_string(b.rows()),
                            "b must have one row per equation, as many as a has rows.");
}

void matmul(const ConstRowMap& a, const ConstRowMap& b, RowMap out, const char* a_name, const char* b_name) {
  require_product_shapes(a, b, a_name, b_name);
  if (out.rows() != a.rows() || out.cols() != b.cols())
    throw Error(ErrorKind::Internal, "matmul: output buffer has the wrong shape");
  // Panels of about 2^26 multiply-adds keep each uninterruptible BLAS call well under a second.
  const double per_row = std::max<double>(1.0, static_cast<double>(a.cols()) * static_cast<double>(b.cols()));
  const Eigen::Index panel = std::max<Eigen::Index>(1, static_cast<Eigen::Index>(67108864.0 / per_row));
  for (Eigen::Index r0 = 0; r0 < a.rows(); r0 += panel) {
    check_interrupts();
    const Eigen::Index nr = std::min(panel, a.rows() - r0);
    out.middleRows(r0, nr).noalias() = a.middleRows(r0, nr) * b;
  }
}

void transpose(const ConstRowMap& a, RowMap out) {
  if (out.rows() != a.cols() || out.cols() != a.rows())
    throw Error(ErrorKind::Internal, "transpose: output buffer has the wrong shape");
  out = a.transpose();
}

void solve(const ConstRowMap& a, const ConstRowMap& b, RowMap out) {
  require_solve_shapes(a, b);
  if (out.rows() != a.cols() || out.cols() != b.cols())
    throw Error(ErrorKind::Internal, "solve: output buffer has the wrong shape");
  const linalg::Lu lu(a);  // blocked, honours cancel between panels
  const double rcond = lu.rcond();
  if (!(rcond > std::numeric_limits<double>::epsilon()))
    throw invalid_parameter(
        "a is singular or numerically singular (reciprocal condition number " + format_number(rcond) + ")",
        "Use mat_ginv(a) for the minimum-norm least-squares solution.");
  linalg::ColMatrix x = b;
  lu.solve_in_place(x);
  out = x;
  require_finite_result(ConstRowMap(out.data(), out.rows(), out.cols()), "mat_solve");
}

double ginv_default_tolerance(std::int64_t rows, std::int64_t cols) {
  return static_cast<double>(std::max(rows, cols)) * std::numeric_limits<double>::epsilon();
}

void ginv(const ConstRowMap& a, RowMap out, double rel_tol) {
  if (out.rows() != a.cols() || out.cols() != a.rows())
    throw Error(ErrorKind::Internal, "ginv: output buffer has the wrong shape");
  check_interrupts();
  if (rel_tol < 0) rel_tol = ginv_default_tolerance(a.rows(), a.cols());
  const Eigen::Index m = a.rows(), n = a.cols();
  if (m == 0 || n == 0) return;
  if (m >= n) {
    // out (n x m, row-major) has the memory of ginv(a)' (m x n, column-major).
    linalg::tall_ginv_transposed(linalg::ColMatrix(a), rel_tol, Eigen::Map<linalg::ColMatrix>(out.data(), m, n));
  } else {
    // ginv(a) = ginv(a')'.
    linalg::ColMatrix y(n, m);
    linalg::tall_ginv_transposed(a.transpose(), rel_tol, y);
    out = y;
  }
  require_finite_result(ConstRowMap(out.data(), out.rows(), out.cols()), "mat_ginv");
}

}  // namespace morpheus
