// Dense linear-algebra helpers shared by every module: products, transpose, solve, pseudo-inverse, and the checks
// the SQL surface needs (shapes, finite values). Matrices are row-major, like PostgreSQL's float8[][].
#pragma once
#include "core/no_postgres.hpp"

#include <Eigen/Dense>
#include <cstdint>
#include <string>

namespace morpheus {

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstRowMap = Eigen::Map<const RowMatrix>;
using RowMap = Eigen::Map<RowMatrix>;
using Vector = Eigen::VectorXd;
using ConstVectorMap = Eigen::Map<const Eigen::VectorXd>;

// A double for messages: 6 significant digits (1e-17, 0.25, 3.14159e+08).
std::string format_number(double v);

// Largest single allocation the core makes for a result or a work matrix whose size follows from the arguments
// (PostgreSQL's 1 GB limit for one value): larger ones are refused before they are made.
#ifdef MORPHEUS_MAX_VALUE_BYTES
constexpr double kMaxAllocationBytes = MORPHEUS_MAX_VALUE_BYTES;
#else
constexpr double kMaxAllocationBytes = 1073741823.0;
#endif
// Throws LimitExceeded (54000) when `bytes` exceeds kMaxAllocationBytes: "<what> would need N bytes, over ...".
void check_allocation(double bytes, const std::string& what, const std::string& hint);

// Throws InvalidParameter naming `name[i][j]` (1-based) at the first NaN or infinity.
void require_finite(const ConstRowMap& a, const char* name);
void require_finite(const double* v, std::int64_t n, const char* name);

// Throws OutOfRange naming `what` if the result holds a NaN or infinity (an overflow in the computation).
void require_finite_result(const ConstRowMap& r, const char* what);

// Shape checks, usable before any result is allocated.
void require_product_shapes(const ConstRowMap& a, const ConstRowMap& b, const char* a_name = "a",
                            const char* b_name = "b");
void require_solve_shapes(const ConstRowMap& a, const ConstRowMap& b);

// out (a.rows x b.cols) = a * b. Shapes are checked; the product is computed in row panels so a cancel request is
// honoured between panels.
void matmul(const ConstRowMap& a, const ConstRowMap& b, RowMap out, const char* a_name = "a", const char* b_name = "b");

// out (a.cols x a.rows) = a'.
void transpose(const ConstRowMap& a, RowMap out);

// out (n x k) solves a x = b for square, non-singular a (n x n) and b (n x k), by a blocked LU with partial pivoting
// (cancel is honoured between panels). A singular or numerically singular a (estimated reciprocal condition number
// at most machine epsilon) is an error whose hint points at the pseudo-inverse.
void solve(const ConstRowMap& a, const ConstRowMap& b, RowMap out);

// Default relative tolerance of ginv: max(m, n) * machine epsilon (the singular-value cutoff of NumPy's and MATLAB's
// pinv).
double ginv_default_tolerance(std::int64_t rows, std::int64_t cols);

// out (a.cols x a.rows) = Moore-Penrose pseudo-inverse of a (linalg::tall_ginv_transposed): a blocked QR, and
// when R is too ill-conditioned to invert safely, the numerical rank from a column-pivoted QR (diagonal entries of R at
// most rel_tol * |R(1,1)| count as zero) and the pseudo-inverse of that rank-r factorization. Interruptible.
// rel_tol < 0 selects ginv_default_tolerance.
void ginv(const ConstRowMap& a, RowMap out, double rel_tol = -1.0);

}  // namespace morpheus
