// The factorized passes at the memory floor: T X (LMM), T' P (the transposed LMM, an RMM on T) and a fused pass that
// computes T X tile by tile, hands each tile to the caller (loss, residual, sigmoid, argmin, ...), and scatters the
// caller's rows P back into T' P, so that one iteration of an ML algorithm reads every foreign key once.
//
// Execution of a base (untransposed) T = [I_1 B_1, ..., I_p B_p]:
// - index parts (factorized): Y_k = B_k X_k once per pass, then row i gathers Y_k[idx_k[i]]; the transposed product
//   scatters P's rows into Z_k (rows_k x c) and multiplies B_k' Z_k;
// - identity parts, and index parts marked `streamed` (the materialized plan executed without building the join):
//   row i reads its block row (i, or idx_k[i]) directly, the work of the joined matrix without its memory.
// Loops are written for the shapes that occur: CSR blocks whose stored values are all 1 (one-hot) skip the values,
// and one column is a specialised path. Nothing is allocated inside a pass once the scratch has been sized.
//
// Threads (morpheus.threads): rows are cut into a fixed number of blocks that depends on the data only; every block
// accumulates into its own scratch, and blocks are reduced in block order, so results are identical in every bit for
// any thread count. Workers never call PostgreSQL; the calling thread polls check_interrupts (core/parallel.hpp).
#pragma once
#include "core/no_postgres.hpp"

#include <cstdint>
#include <memory>
#include <vector>

#include "core/nmatrix/nmatrix.hpp"
#include "core/parallel.hpp"
#include "core/row_op.hpp"

namespace morpheus::nm {

struct KernelOptions {
  int threads = 1;
  // Rows per block at least: 1, 2 or 4 blocks (fewer when the per-block scratch would exceed 64 MB).
  std::int64_t block_rows = 32768;
  // Per part (empty: none): execute the part row by row, as the materialized join would, instead of factorized.
  std::vector<bool> streamed;
};

class Kernels {
 public:
  // t: the base matrix (its transpose flag is ignored). t must outlive the Kernels.
  Kernels(const NormalizedMatrix& t, KernelOptions options = {});
  ~Kernels();
  Kernels(const Kernels&) = delete;
  Kernels& operator=(const Kernels&) = delete;

  std::int64_t rows() const { return n_; }
  std::int64_t cols() const { return d_; }
  // Fixed row blocks of a pass with c columns: block b covers rows [block_begin(b, c), block_begin(b + 1, c)).
  int blocks(int c) const;
  std::int64_t block_begin(int b, int c) const;
  int threads() const { return team_.threads(); }

  // out (n x c, row-major) = T X, x: d x c row-major.
  void lmm(const double* x, int c, double* out);
  // out (d x c, row-major) = T' P, p: n x c row-major.
  void tmm(const double* p, int c, double* out);
  // Fused: T X tile by tile through op, then T' P of op's rows into tp (d x c; nullptr: no transposed product).
  void pass(const double* x, int c, RowOp& op, double* tp);
  // rowSums(T o T).
  Eigen::VectorXd row_squared_norms();

  struct Part;  // prepared part (kernels.cpp)

 private:
  void run_blocks(const double* x, const double* p_in, int c, RowOp* op, double* m_out, bool scatter);
  void compute_y(const double* x, int c);
  void reduce_and_multiply(int c, double* tp);
  void size_scratch(int c);

  std::int64_t n_ = 0, d_ = 0;
  std::vector<std::unique_ptr<Part>> parts_;
  std::int64_t block_rows_;
  std::int64_t index_rows_ = 0;   // sum of rows of factorized index parts
  std::int64_t direct_cols_ = 0;  // sum of columns of identity and streamed parts
  ThreadTeam team_;
  // scratch, sized for the largest c seen
  std::vector<double> z_;     // blocks x index_rows_ x c
  std::vector<double> o_;     // blocks x direct_cols_ x c
  std::vector<double> tile_;  // blocks x 2 x kTile x c
};

}  // namespace morpheus::nm
