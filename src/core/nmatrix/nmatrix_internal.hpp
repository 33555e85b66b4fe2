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

// out (n x c) += I_k m (m: rows_k x c).
void gather_add(const Part& p, const RowMatrix& m, Eigen::Ref<RowMatrix, 0, Eigen::OuterStride<>> out);
// X I_k for X (m x n): column j of the result sums the columns r of X with idx[r] = j.
RowMatrix scatter_cols(const Part& p, const ConstRowMap& x);
// x b (dense result) for a block b of either kind.
RowMatrix times_block(const Eigen::Ref<const RowMatrix, 0, Eigen::OuterStride<>>& x, const Block& b);
// a' c for blocks a (m x p) and c (m x q) of any kinds: p x q dense.
RowMatrix tprod(const Block& a, const Block& c);
// (I_k' I_l) B_l: rows_k x d_l, of B_l's kind (k and l may come from two matrices with n rows each).
Block cooccurrence_times(const Part& k, const Part& l, std::int64_t n);

// Kernels on the base (untransposed) matrix; the public operators rewrite a transposed value into these.
Eigen::VectorXd base_row_sums(const NormalizedMatrix& t);
Eigen::VectorXd base_col_sums(const NormalizedMatrix& t);
void base_row_sums_into(const NormalizedMatrix& t, RowMap out);       // out: base_rows x 1
RowMatrix base_lmm(const NormalizedMatrix& t, const ConstRowMap& x);  // T X, X: base_cols x c
void base_lmm_into(const NormalizedMatrix& t, const ConstRowMap& x, RowMap out);
RowMatrix base_rmm(const ConstRowMap& x, const NormalizedMatrix& t);  // X T, X: m x base_rows
RowMatrix base_crossprod(const NormalizedMatrix& t);
RowMatrix base_tcrossprod(const NormalizedMatrix& t);
RowMatrix base_materialize(const NormalizedMatrix& t);

}  // namespace morpheus::nm::detail
