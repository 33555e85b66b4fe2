#include "core/ml/gnmf.hpp"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "core/random.hpp"
#include "core/row_op.hpp"

namespace morpheus::ml {
namespace {

// The W update as one fused pass over the rows: m = T H tile by tile; row i of W becomes
// w_i o m_i / max(w_i (H'H), tiny); P is the new W, so the pass returns T' W for the next H update. Per block it
// sums w_i . m_i (the loss's cross term) and W'W (r x r) of the new W.
class WUpdateOp final : public RowOp {
 public:
  WUpdateOp(RowMatrix& w, const RowMatrix& hh, int blocks)
      : w_(w),
        hh_(hh),
        r_(static_cast<int>(w.cols())),
        cross_(static_cast<size_t>(blocks), 0.0),
        ww_(static_cast<size_t>(blocks) * r_ * r_, 0.0),
        whh_(static_cast<size_t>(blocks) * r_, 0.0) {}
  void apply(int block, std::int64_t row0, std::int64_t rows, const double* m, double* p) override {
    const double tiny = std::numeric_limits<double>::min();
    double* whh = whh_.data() + static_cast<size_t>(block) * r_;
    double* ww = ww_.data() + static_cast<size_t>(block) * r_ * r_;
    double cross = 0;
    for (std::int64_t i = 0; i < rows; ++i) {
      double* wi = w_.data() + (row0 + i) * r_;
      const double* mi = m + i * r_;
      for (int j = 0; j < r_; ++j) {
        double acc = 0;
        for (int l = 0; l < r_; ++l) acc += wi[l] * hh_(l, j);
        whh[j] = acc;
      }
      double* pi = p + i * r_;
      for (int j = 0; j < r_; ++j) {
        wi[j] = wi[j] * mi[j] / std::max(whh[j], tiny);
        pi[j] = wi[j];
        cross += wi[j] * mi[j];
      }
      for (int a = 0; a < r_; ++a)
        for (int b = 0; b < r_; ++b) ww[a * r_ + b] += wi[a] * wi[b];
    }
    cross_[static_cast<size_t>(block)] += cross;
  }
  // Sum over blocks in block order.
  double cross() const {
    double s = 0;
    for (double v : cross_) s += v;
    return s;
  }
  Mat ww() const {
    Mat out = Mat::Zero(r_, r_);
    for (size_t b = 0; b < cross_.size(); ++b)
      for (int a = 0; a < r_; ++a)
        for (int c = 0; c < r_; ++c) out(a, c) += ww_[b * r_ * r_ + a * r_ + c];
    return out;
  }

 private:
  RowMatrix& w_;
  const RowMatrix& hh_;
  int r_;
  std::vector<double> cross_, ww_, whh_;
};

}  // namespace

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
  // ... and the rank x rank products W'W and H'H.
  if (static_cast<double>(t.rows() + t.cols()) * o.rank > kMaxFactorEntries ||
      static_cast<double>(o.rank) * o.rank > kMaxFactorEntries)
    throw Error(ErrorKind::LimitExceeded,
                "rank = " + std::to_string(o.rank) + " would need " +
                    std::to_string((t.rows() + t.cols() + o.rank) * static_cast<Index>(o.rank)) + " factor entries",
                "Choose a rank below min(rows, columns); the factors hold (rows + columns + rank) x rank doubles.");
  if (!(o.tolerance >= 0)) throw invalid_parameter("tolerance must be non-negative, got " + format_number(o.tolerance));
  Rng gen(o.seed);
  GnmfResult r;
  const int k = o.rank;
  // W and H start uniform on [0.1, 1), each column by column (W first).
  RowMatrix w(t.rows(), k);
  Mat h(t.cols(), k);
  for (Index j = 0; j < k; ++j)
    for (Index i = 0; i < w.rows(); ++i) w(i, j) = gen.uniform(0.1, 1.0);
  for (Index j = 0; j < k; ++j)
    for (Index i = 0; i < h.rows(); ++i) h(i, j) = gen.uniform(0.1, 1.0);
  const double t_sq = t.row_squared_norms().sum();
  const double tiny = std::numeric_limits<double>::min();
  // T' W and W'W of the current W: from the previous W update's pass after the first iteration.
  Mat tw = t.transpose_times(Mat(w));
  Mat ww = w.transpose() * w;
  for (int it = 1; it <= o.max_iterations; ++it) {
    const Mat hww = h * ww;
    h = h.cwiseProduct(tw).cwiseQuotient(hww.cwiseMax(tiny));
    const RowMatrix hh = h.transpose() * h;
    WUpdateOp op(w, hh, t.pass_blocks(k));
    const bool last = it == o.max_iterations;
    Mat next_tw = t.fused_pass(h, op, !last);  // T H through op; T' W_new unless this is the last iteration
    if (!last) tw = std::move(next_tw);
    ww = op.ww();
    const double loss = t_sq - 2 * op.cross() + ww.cwiseProduct(Mat(hh)).sum();
    const double clipped = std::max(loss, 0.0);
    const double previous = r.trace.empty() ? std::numeric_limits<double>::infinity() : r.trace.back().loss;
    r.trace.push_back({it, clipped, std::nan("")});
    progress.step(it, o.max_iterations, loss);
    if (previous - clipped <= o.tolerance * clipped) {
      r.converged = true;
      break;
    }
  }
  r.w = w;
  r.h = h;
  return r;
}

}  // namespace morpheus::ml
