// crossprod (T'T) with a sparse result, for wide one-hot matrices whose d x d Gram matrix cannot be dense: the blocks
// of the reference's Algorithm 2 as sparse products, assembled row band by row band into one CSR matrix.
//   diagonal  (k, k): B_k' diag(colSums(I_k)) B_k
//   off-diag  (k, l): B_k' (I_k' I_l) B_l, and (l, k) its transpose
// A transposed value (T T', n x n) goes through the sparse join: M M'.
#include <algorithm>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "core/interrupt.hpp"
#include "core/ml/normalized_data_matrix.hpp"
#include "core/nmatrix/nmatrix.hpp"
#include "core/nmatrix/nmatrix_internal.hpp"

namespace morpheus::nm {
namespace {

using namespace detail;
using Triplet = Eigen::Triplet<double, int>;

SparseMatrix as_sparse(const Block& b) {
  if (b.is_sparse()) return SparseMatrix(b.sparse());
  return b.dense().sparseView(0.0, 0.0);
}

double entries_per_row(const SparseMatrix& b) {
  return b.rows() == 0 ? 0.0 : static_cast<double>(b.nonZeros()) / static_cast<double>(b.rows());
}

// I_k' I_l (rows_k x rows_l): co-occurrence counts of the two parts' rows.
SparseMatrix cooccurrence(const Part& k, const Part& l, std::int64_t n) {
  std::vector<Triplet> trip;
  trip.reserve(static_cast<size_t>(n));
  for (std::int64_t r = 0; r < n; ++r) {
    if (r % kCheckEvery == 0) check_interrupts();
    const int a = static_cast<int>(k.identity ? r : k.index[static_cast<size_t>(r)]);
    const int b = static_cast<int>(l.identity ? r : l.index[static_cast<size_t>(r)]);
    trip.emplace_back(a, b, 1.0);
  }
  SparseMatrix c(static_cast<int>(k.block.rows()), static_cast<int>(l.block.rows()));
  c.setFromTriplets(trip.begin(), trip.end());
  return c;
}

void check_nnz(double nnz, std::int64_t d) {
  if (nnz > static_cast<double>(kMaxDim))
    throw Error(ErrorKind::LimitExceeded,
                "crossprod_sparse: the " + shape(d, d) + " result would have about " + format_number(nnz) +
                    " stored entries, more than 2^31 - 1",
                "Compute the Gram matrix of fewer columns (a subset of the attribute tables).");
  check_value_size(12.0 * nnz + 4.0 * static_cast<double>(d), "crossprod_sparse result (" + shape(d, d) + ")");
}

}  // namespace

SparseMatrix crossprod_sparse(const NormalizedMatrix& t) {
  if (t.transposed()) {
    NormalizedMatrix base = t;
    base.set_transposed(false);
    const SparseMatrix m = ml::materialize_sparse(base);
    check_value_size(12.0 * static_cast<double>(m.nonZeros()), "crossprod_sparse intermediate");
    check_interrupts();
    SparseMatrix out = (m * SparseMatrix(m.transpose())).pruned(0.0, 0.0);
    check_nnz(static_cast<double>(out.nonZeros()), out.rows());
    return out;
  }
  const std::int64_t n = t.base_rows(), d = t.base_cols();
  const auto off = offsets(t);
  const auto& parts = t.parts();
  const size_t p = parts.size();
  std::vector<SparseMatrix> b(p);
  for (size_t k = 0; k < p; ++k) b[k] = as_sparse(parts[k].block);
  // band[k][l] = block (k, l) of the result, rows_k-band of T'T restricted to part l's columns.
  std::vector<std::vector<SparseMatrix>> band(p, std::vector<SparseMatrix>(p));
  double nnz = 0;
  for (size_t k = 0; k < p; ++k) {
    if (parts[k].block.cols() == 0) continue;
    check_interrupts();
    const Eigen::VectorXd c = counts(parts[k], n);
    const SparseMatrix cb = c.asDiagonal() * b[k];
    band[k][k] = b[k].transpose() * cb;  // exact zeros are dropped when the bands are assembled
    nnz += static_cast<double>(band[k][k].nonZeros());
    check_nnz(nnz, d);
    for (size_t l = k + 1; l < p; ++l) {
      if (parts[l].block.cols() == 0) continue;
      // Block (a, z) = B_a' ((I_a' I_z) B_z), (z, a) its transpose. The middle product costs the co-occurrences
      // times B_z's entries per row: z is the part with fewer entries per row (an entity block S of a few
      // columns, never a wide attribute table, whose product would be as large as the join).
      const bool swap = entries_per_row(b[k]) < entries_per_row(b[l]);
      const size_t a = swap ? l : k, z = swap ? k : l;
      check_interrupts();
      const SparseMatrix co = cooccurrence(parts[a], parts[z], n);
      const SparseMatrix right = co * b[z];  // (I_a' I_z) B_z: rows_a x d_z
      check_interrupts();
      band[a][z] = b[a].transpose() * right;
      band[z][a] = band[a][z].transpose();
      nnz += 2.0 * static_cast<double>(band[a][z].nonZeros());
      check_nnz(nnz, d);
    }
  }
  // The bands assembled row by row into the result's own arrays (nnz counts exact zeros: an upper bound).
  SparseMatrix out(static_cast<int>(d), static_cast<int>(d));
  out.resizeNonZeros(static_cast<Eigen::Index>(nnz));
  int* outer = out.outerIndexPtr();
  int* inner = out.innerIndexPtr();
  double* values = out.valuePtr();
  int stored = 0;
  for (size_t k = 0; k < p; ++k) {
    const std::int64_t dk = parts[k].block.cols();
    for (std::int64_t r = 0; r < dk; ++r) {
      if (r % kCheckEvery == 0) check_interrupts();
      for (size_t l = 0; l < p; ++l) {
        if (parts[l].block.cols() == 0 || band[k][l].rows() == 0) continue;
        for (SparseMatrix::InnerIterator it(band[k][l], static_cast<int>(r)); it; ++it) {
          if (it.value() == 0.0) continue;
          inner[stored] = static_cast<int>(off[l] + it.col());
          values[stored] = it.value();
          ++stored;
        }
      }
      outer[off[k] + r + 1] = stored;
    }
  }
  out.resizeNonZeros(stored);
  return out;
}

}  // namespace morpheus::nm
