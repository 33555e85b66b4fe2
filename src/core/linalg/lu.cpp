// Right-looking blocked LU with partial pivoting: each panel of kPanel columns is factored column by column, then
// the trailing matrix is updated (a triangular solve and a product) in column chunks, with a cancel check between
// columns and between chunks.
#include "core/linalg/lu.hpp"

#include "core/errors.hpp"

namespace morpheus::linalg {

Lu::Lu(ColMatrix a) : lu_(std::move(a)) {
  const Index n = lu_.rows();
  if (lu_.cols() != n) throw Error(ErrorKind::Internal, "Lu: the matrix is not square");
  norm1_ = n > 0 ? lu_.cwiseAbs().colwise().sum().maxCoeff() : 0.0;
  swaps_.resize(static_cast<size_t>(n));
  for (Index k = 0; k < n; k += kPanel) {
    const Index b = std::min(kPanel, n - k);
    for (Index j = k; j < k + b; ++j) {
      check_interrupts();
      Index p = 0;
      const double pmax = lu_.col(j).tail(n - j).cwiseAbs().maxCoeff(&p);
      p += j;
      swaps_[static_cast<size_t>(j)] = p;
      if (p != j) lu_.row(j).swap(lu_.row(p));
      if (!(pmax > 0)) {
        zero_pivot_ = true;
        continue;
      }
      lu_.col(j).tail(n - j - 1) /= lu_(j, j);
      if (j + 1 < k + b)
        lu_.block(j + 1, j + 1, n - j - 1, k + b - j - 1).noalias() -=
            lu_.col(j).tail(n - j - 1) * lu_.row(j).segment(j + 1, k + b - j - 1);
    }
    const Index rest = n - k - b;
    if (rest == 0) break;
    const Index step = columns_per_chunk(static_cast<double>(n - k) * static_cast<double>(b));
    for (Index c = k + b; c < n; c += step) {
      check_interrupts();
      const Index w = std::min(step, n - c);
      auto u12 = lu_.block(k, c, b, w);
      lu_.block(k, k, b, b).triangularView<Eigen::UnitLower>().solveInPlace(u12);
      lu_.block(k + b, c, rest, w).noalias() -= lu_.block(k + b, k, rest, b) * u12;
    }
  }
}

void Lu::apply_rows(Eigen::Ref<ColMatrix> b) const {
  for (size_t i = 0; i < swaps_.size(); ++i) {
    const Index p = swaps_[i];
    if (p != static_cast<Index>(i)) b.row(static_cast<Index>(i)).swap(b.row(p));
  }
}

void Lu::solve_in_place(Eigen::Ref<ColMatrix> b) const {
  const Index n = size();
  if (b.rows() != n) throw Error(ErrorKind::Internal, "Lu::solve: wrong number of rows");
  const Index step = columns_per_chunk(static_cast<double>(n) * static_cast<double>(n));
  for (Index c = 0; c < b.cols(); c += step) {
    check_interrupts();
    auto panel = b.middleCols(c, std::min(step, b.cols() - c));
    apply_rows(panel);
    lu_.triangularView<Eigen::UnitLower>().solveInPlace(panel);
    lu_.triangularView<Eigen::Upper>().solveInPlace(panel);
  }
}

double Lu::rcond() const {
  const Index n = size();
  if (n == 0) return 1.0;
  if (zero_pivot_ || !(norm1_ > 0)) return 0.0;
  const double inv = inverse_norm1_estimate(
      n,
      [this](const Eigen::VectorXd& x) {
        ColMatrix y = x;
        apply_rows(y);
        lu_.triangularView<Eigen::UnitLower>().solveInPlace(y);
        lu_.triangularView<Eigen::Upper>().solveInPlace(y);
        return Eigen::VectorXd(y);
      },
      [this](const Eigen::VectorXd& x) {
        // a' = U' L' P: solve U' z = x, L' w = z, then undo the row swaps in reverse order.
        Eigen::VectorXd y = x;
        lu_.triangularView<Eigen::Upper>().transpose().solveInPlace(y);
        lu_.triangularView<Eigen::UnitLower>().transpose().solveInPlace(y);
        for (size_t i = swaps_.size(); i-- > 0;) {
          const Index p = swaps_[i];
          if (p != static_cast<Index>(i)) std::swap(y(static_cast<Index>(i)), y(p));
        }
        return y;
      });
  if (!std::isfinite(inv) || !(inv > 0)) return 0.0;
  return 1.0 / (norm1_ * inv);
}

}  // namespace morpheus::linalg
