#include "core/ml/gnmf.hpp"

#include <cmath>
#include <limits>
#include <random>
#include <string>

#include "core/errors.hpp"

namespace morpheus::ml {

GnmfResult gnmf(const DataMatrix& t, const GnmfOptions& o, Progress& progress) {
  if (o.rank < 1) throw invalid_parameter("rank must be at least 1, got " + std::to_string(o.rank));
  if (o.max_iterations < 1)
    throw invalid_parameter("max_iterations must be at least 1, got " + std::to_string(o.max_iterations));
  const double lo = t.min_coeff();
  if (lo < 0)
    throw invalid_parameter("x has a negative entry (" + format_number(lo) + ")",
                            "Non-negative matrix factorization needs non-negative data.");
  std::mt19937_64 gen(o.seed);
  std::uniform_real_distribution<double> u(0.1, 1.0);
  GnmfResult r;
  r.w = Mat::NullaryExpr(t.rows(), o.rank, [&] { return u(gen); });
  r.h = Mat::NullaryExpr(t.cols(), o.rank, [&] { return u(gen); });
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
    r.trace.push_back({it, std::max(loss, 0.0), std::nan("")});
    progress.step(it, o.max_iterations, loss);
  }
  return r;
}

}  // namespace morpheus::ml
