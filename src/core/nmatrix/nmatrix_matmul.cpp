// Double matrix multiplication (reference §2.5): nmatrix %*% nmatrix with both operands kept factorized, for the
// four combinations of transpose flags. In the base (untransposed) form A = [I_1 X_1, ..., I_p X_p] and
// B = [J_1 C_1, ..., J_q C_q]:
//   A B   : rows of B are columns of A; part k of A meets part l of B through X_k J_l[cols of k] (X_k's columns
//           scattered to C_l's rows): A B = sum_k I_k [ (X_k J_l[k]) C_l ]_l. With A = [S_A, K_A R_A], B = [S_B, K_B
//           R_B] this is the reference's [S_A S_B1 + K_A (R_A S_B2), (S_A K_B1) R_B + K_A ((R_A K_B2) R_B)].
//   A' B' : (B A)'.
//   A' B  : block (k, l) = X_k' (I_k' J_l) C_l, the off-diagonal rule of crossprod (the reference's A'B).
//   A B'  : sum over pairs of parts whose column ranges overlap of I_k (X_k[, o] C_l[, o]') J_l' (the reference's
//           A B' for d_SA =, <, > d_SB, for any number of parts).
// Nothing of size n_A x d_A or n_B x d_B is built; results are dense.
#include <algorithm>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "core/interrupt.hpp"
#include "core/nmatrix/nmatrix.hpp"
#include "core/nmatrix/nmatrix_internal.hpp"

namespace morpheus::nm {
namespace {

using namespace detail;

std::int64_t src_row(const Part& p, std::int64_t r) { return p.identity ? r : p.index[static_cast<size_t>(r)]; }

// x y for blocks of any kinds, dense result.
RowMatrix block_product(const Block& x, const Block& y) {
  if (x.is_sparse() && y.is_sparse()) return RowMatrix(SparseMatrix(x.sparse() * y.sparse()).toDense());
  if (x.is_sparse()) return RowMatrix(x.sparse() * y.dense());
  return times_block(x.dense(), y);
}

// Rows [lo, lo + len) of a block, as an owned block of the same kind.
Block row_slice(const Block& b, std::int64_t lo, std::int64_t len) {
  if (b.is_sparse()) return Block(SparseMatrix(b.sparse().middleRows(lo, len)));
  return Block(RowMatrix(b.dense().middleRows(lo, len)));
}

// Columns [lo, lo + len) of a block, dense.
RowMatrix col_slice(const Block& b, std::int64_t lo, std::int64_t len) {
  if (!b.is_sparse()) return b.dense().middleCols(lo, len);
  RowMatrix out = RowMatrix::Zero(b.rows(), len);
  const SparseMap s = b.sparse();
  for (int i = 0; i < s.outerSize(); ++i)
    for (SparseMap::InnerIterator it(s, i); it; ++it)
      if (it.col() >= lo && it.col() < lo + len) out(i, it.col() - lo) = it.value();
  return out;
}

// X J_l restricted to the rows [lo, lo + d) of B: column j of X is added to column idx_l[lo + j] (r_x x rows(C_l)).
RowMatrix scatter_block_cols(const Block& x, const Part& l, std::int64_t lo) {
  const std::int64_t rl = l.block.rows();
  check_value_size(8.0 * x.rows() * rl, "nmatrix %*% nmatrix intermediate (" + shape(x.rows(), rl) + ")");
  RowMatrix z = RowMatrix::Zero(x.rows(), rl);
  std::vector<std::int64_t> target(static_cast<size_t>(x.cols()));
  for (std::int64_t j = 0; j < x.cols(); ++j) target[static_cast<size_t>(j)] = src_row(l, lo + j);
  if (x.is_sparse()) {
    const SparseMap s = x.sparse();
    for (int i = 0; i < s.outerSize(); ++i) {
      if (i % kCheckEvery == 0) check_interrupts();
      for (SparseMap::InnerIterator it(s, i); it; ++it) z(i, target[static_cast<size_t>(it.col())]) += it.value();
    }
  } else {
    const ConstRowMap d = x.dense();
    for (std::int64_t i = 0; i < d.rows(); ++i) {
      if (i % 1024 == 0) check_interrupts();
      for (std::int64_t j = 0; j < d.cols(); ++j) z(i, target[static_cast<size_t>(j)]) += d(i, j);
    }
  }
  return z;
}

// A B, both base; a.base_cols() == b.base_rows().
RowMatrix base_ab(const NormalizedMatrix& a, const NormalizedMatrix& b) {
  const auto offa = offsets(a), offb = offsets(b);
  RowMatrix out = RowMatrix::Zero(a.base_rows(), b.base_cols());
  for (size_t k = 0; k < a.parts().size(); ++k) {
    const Part& pk = a.parts()[k];
    const std::int64_t dk = pk.block.cols();
    if (dk == 0) continue;
    for (size_t l = 0; l < b.parts().size(); ++l) {
      const Part& ql = b.parts()[l];
      const std::int64_t dl = ql.block.cols();
      if (dl == 0) continue;
      check_interrupts();
      RowMatrix w;  // X_k J_l[k] C_l: rows_k x d_l
      if (ql.identity)
        w = block_product(pk.block, row_slice(ql.block, offa[k], dk));
      else
        w = times_block(scatter_block_cols(pk.block, ql, offa[k]), ql.block);
      gather_add(pk, w, out.middleCols(offb[l], dl));
    }
  }
  return out;
}

// A' B, both base with the same row count.
RowMatrix base_atb(const NormalizedMatrix& a, const NormalizedMatrix& b) {
  const std::int64_t n = a.base_rows();
  const auto offa = offsets(a), offb = offsets(b);
  RowMatrix out = RowMatrix::Zero(a.base_cols(), b.base_cols());
  for (size_t k = 0; k < a.parts().size(); ++k) {
    const Part& pk = a.parts()[k];
    const std::int64_t dk = pk.block.cols();
    if (dk == 0) continue;
    for (size_t l = 0; l < b.parts().size(); ++l) {
      const Part& ql = b.parts()[l];
      const std::int64_t dl = ql.block.cols();
      if (dl == 0) continue;
      check_interrupts();
      // Scatter into whichever side is cheaper, as crossprod does.
      const double cost_a =
          static_cast<double>(ql.block.stored()) / ql.block.rows() * n + static_cast<double>(pk.block.stored()) * dl;
      const double cost_b =
          static_cast<double>(pk.block.stored()) / pk.block.rows() * n + static_cast<double>(ql.block.stored()) * dk;
      out.block(offa[k], offb[l], dk, dl) = cost_a <= cost_b ? tprod(pk.block, cooccurrence_times(pk, ql, n))
                                                             : tprod(cooccurrence_times(ql, pk, n), ql.block);
    }
  }
  return out;
}

// A B', both base with the same column count.
RowMatrix base_abt(const NormalizedMatrix& a, const NormalizedMatrix& b) {
  const std::int64_t na = a.base_rows(), nb = b.base_rows();
  const auto offa = offsets(a), offb = offsets(b);
  RowMatrix out = RowMatrix::Zero(na, nb);
  for (size_t k = 0; k < a.parts().size(); ++k) {
    const Part& pk = a.parts()[k];
    for (size_t l = 0; l < b.parts().size(); ++l) {
      const Part& ql = b.parts()[l];
      const std::int64_t lo = std::max(offa[k], offb[l]);
      const std::int64_t hi = std::min(offa[k] + pk.block.cols(), offb[l] + ql.block.cols());
      if (hi <= lo) continue;
      check_interrupts();
      const RowMatrix xk = col_slice(pk.block, lo - offa[k], hi - lo);
      const RowMatrix cl = col_slice(ql.block, lo - offb[l], hi - lo);
      const RowMatrix g = xk * cl.transpose();  // rows_k x rows_l
      for (std::int64_t i = 0; i < na; ++i) {
        if (i % 256 == 0) check_interrupts();
        const double* gi = g.data() + src_row(pk, i) * g.cols();
        double* oi = out.data() + i * nb;
        if (ql.identity) {
          for (std::int64_t j = 0; j < nb; ++j) oi[j] += gi[j];
        } else {
          for (std::int64_t j = 0; j < nb; ++j) oi[j] += gi[ql.index[static_cast<size_t>(j)]];
        }
      }
    }
  }
  return out;
}

}  // namespace

RowMatrix matmul(const NormalizedMatrix& a, const NormalizedMatrix& b) {
  if (a.cols() != b.rows())
    throw invalid_parameter(
        "nmatrix %*% nmatrix: left is " + shape(a.rows(), a.cols()) + " but right is " + shape(b.rows(), b.cols()),
        "The left operand needs as many columns as the right one has rows.");
  check_value_size(8.0 * a.rows() * b.cols(), "nmatrix %*% nmatrix result (" + shape(a.rows(), b.cols()) + ")");
  // The kernels read the base (untransposed) structure of their operands and ignore the flags.
  if (!a.transposed() && !b.transposed()) return base_ab(a, b);
  if (a.transposed() && b.transposed()) return base_ab(b, a).transpose();
  if (a.transposed()) return base_atb(a, b);
  return base_abt(a, b);
}

}  // namespace morpheus::nm
