// LU factorization with partial pivoting (P A = L U) of a square matrix, blocked and interruptible.
#pragma once
#include "core/no_postgres.hpp"

#include <vector>

#include "core/linalg/blocking.hpp"

namespace morpheus::linalg {

class Lu {
 public:
  // Factors the square matrix a; honours cancel between panels.
  explicit Lu(ColMatrix a);

  Index size() const { return lu_.rows(); }
  // Estimate of the reciprocal 1-norm condition number (0 when a pivot is exactly zero), as LAPACK's xGECON.
  double rcond() const;
  // Solves a x = b in place (b: n x k), in panels of columns.
  void solve_in_place(Eigen::Ref<ColMatrix> b) const;

 private:
  void apply_rows(Eigen::Ref<ColMatrix> b) const;
  ColMatrix lu_;
  std::vector<Index> swaps_;  // row i was swapped with row swaps_[i], in order
  double norm1_ = 0;
  bool zero_pivot_ = false;
};

}  // namespace morpheus::linalg
