// Helpers shared by the operator files of the normalized matrix (not part of the public API).
#pragma once
#include "core/no_postgres.hpp"

#include <string>
#include <vector>

#include "core/nmatrix/nmatrix.hpp"

namespace morpheus::nm::detail {

constexpr std::int64_t kCheckEvery = 1 << 14;  // rows between interrupt checks in gather/scatter loops

inline std::string num(std::int64_t v) { return std::to_string(v); }
inline std::string shape(std::int64_t r, std::int64_t c) { return num(r) + "x" + num(c); }

// Column offset of each part within the base (untransposed) matrix.
std::vector<std::int64_t> offsets(const NormalizedMatrix& t);
// colSums(I_k): how often each row of the block is used.
Eigen::VectorXd counts(const Part& p, std::int64_t n);

// Kernels on the base (untransposed) matrix; the public operators rewrite a transposed value into these.
Eigen::VectorXd base_row_sums(const NormalizedMatrix& t);
Eigen::VectorXd base_col_sums(const NormalizedMatrix& t);
RowMatrix base_lmm(const NormalizedMatrix& t, const ConstRowMap& x);  // T X, X: base_cols x c
RowMatrix base_rmm(const ConstRowMap& x, const NormalizedMatrix& t);  // X T, X: m x base_rows
RowMatrix base_crossprod(const NormalizedMatrix& t);
RowMatrix base_tcrossprod(const NormalizedMatrix& t);
RowMatrix base_materialize(const NormalizedMatrix& t);

}  // namespace morpheus::nm::detail
