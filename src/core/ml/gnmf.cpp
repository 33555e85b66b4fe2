#include "core/ml/gnmf.hpp"

#include <cmath>
#include <limits>
#include <string>

#include "core/errors.hpp"
#include "core/random.hpp"

namespace morpheus::ml {

GnmfResult gnmf(const DataMatrix& t, const GnmfOptions& o, Progress& progress) {
  if (o.rank < 1) throw invalid_parameter("rank must be at least 1, got " + std::to_string(o.rank));
  if (o.max_iterations < 1)
    throw invalid_parameter("max_iterations must be at least 1, got " + std::to_string(o.max_iterations));
  const double lo = t.min_coeff();
  if (lo < 0)
    throw invalid_parameter("x has a negative entry (" + format_number(lo) + ")",
                            "Non-negative matrix factorization needs non-negative data.");
  // W (n x r) and H (d x r) and their products are held: refuse sizes that cannot fit before allocating them.
  constexpr double kMaxFactorEntries = 1 << 28;  // 2 GiB of doubles per factor
  if (static_cast<double>(t.rows() + t.cols()) * o.rank > kMaxFactorEntries)
    throw Error(ErrorKind::LimitExceeded,
                "rank = " + std::to_string(o.rank) + " would need " +
                    std::to_string((t.rows() + t.cols()) * static_cast<Index>(o.rank)) + " factor entries",
                "Choose a rank below min(rows, columns); the factors hold (rows + columns) x rank doubles.");
  if (!(o.tolerance >= 0)) throw invalid_parameter("tolerance must be non-negative, got " + format_number(o.tolerance));
  Rng gen(o.seed);
  GnmfResult r;
  r.w.resize(t.rows(), o.rank);
  r.h.resize(t.cols(), o.rank);
  for (Index j = 0; j < r.w.cols(); ++j)
    for (Index i = 0; i < r.w.rows(); ++i) r.w(i, j) = gen.uniform(0.1, 1.0);
  for (Index j = 0; j < r.h.cols(); ++j)
    for (Index i = 0; i < r.h.rows(); ++i) r.h(i, j) = gen.uniform(0.1, 1.0);
  const double t_sq = t.row_squared_norms().sum();
  const double tiny = std::numeric_limits<double>::min();
  for (int it = 1; it <= o.max_iterations; ++it) {
    const Mat tw = t.transpose_times(r.w);
    const Mat hww = r.h * (r.w.transpose() * r.w);
    r.h = r.h.cwiseProduct(tw).cwiseQuotient(hww.cwiseMax(tiny));
    const Mat th = t.times(r.h);
    const Mat hh = r.h.transpose() * r.h;
    const Mat whh = r.w * hh;
    r.w = r.w.cwiseProduct(th).cwiseQuotient(whh.cwiseMax(tiny));
    const double loss = t_sq - 2 * r.w.cwiseProduct(th).sum() + (r.w.transpose() * r.w).cwiseProduct(hh).sum();
    const double clipped = std::max(loss, 0.0);
    const double previous = r.trace.empty() ? std::numeric_limits<double>::infinity() : r.trace.back().loss;
    r.trace.push_back({it, clipped, std::nan("")});
    progress.step(it, o.max_iterations, loss);
    if (previous - clipped <= o.tolerance * clipped) {
      r.converged = true;
      break;
    }
  }
  return r;
}

}  // namespace morpheus::ml
