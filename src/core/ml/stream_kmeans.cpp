// The k-means passes over a streamed table: every call is one pass over the entity rows, with memory O(k d) (plus
// 4 bytes per row when the assignment is recorded).
#include <string>

#include "core/errors.hpp"
#include "core/ml/stream.hpp"

namespace morpheus::ml {

Mat StreamKmeans::distances(const RowBatch& b, const StreamTable::Product& tc, const Vec& row_sq, const Mat& c) const {
  Mat d = -2.0 * tc.apply(b);
  d.colwise() += row_sq;
  d.rowwise() += c.colwise().squaredNorm();
  return d.cwiseMax(0.0);
}

Vec StreamKmeans::row(Index i) {
  if (i == cached_index_) return cached_row_;
  bool found = false;
  t_.pass([&](const RowBatch& b, Index at) {
    if (i >= at + b.rows()) return true;
    cached_row_ = t_.row(b, i - at);
    cached_index_ = i;
    found = true;
    return false;
  });
  if (!found) throw Error(ErrorKind::Internal, "row " + std::to_string(i + 1) + " is past the last entity row");
  return cached_row_;
}

double StreamKmeans::add_seed(const Vec& center) {
  seeds_.conservativeResize(t_.cols(), seeds_.cols() + 1);
  seeds_.col(seeds_.cols() - 1) = center;
  const StreamTable::Product tc(t_, seeds_);
  double total = 0;
  t_.pass([&](const RowBatch& b, Index) {
    const Vec nearest = distances(b, tc, t_.row_squared_norms(b), seeds_).rowwise().minCoeff();
    for (Index r = 0; r < b.rows(); ++r) total += nearest(r);
    return true;
  });
  return total;
}

Index StreamKmeans::pick_seed(double target) {
  const StreamTable::Product tc(t_, seeds_);
  double acc = 0;
  Index chosen = -1;
  t_.pass([&](const RowBatch& b, Index at) {
    const Vec nearest = distances(b, tc, t_.row_squared_norms(b), seeds_).rowwise().minCoeff();
    for (Index r = 0; r < b.rows(); ++r) {
      acc += nearest(r);
      if (acc >= target && nearest(r) > 0) {
        chosen = at + r;
        cached_row_ = t_.row(b, r);
        cached_index_ = chosen;
        return false;
      }
    }
    // Keep the last row seen: it is the pick when no row reaches the target (rounding).
    cached_row_ = t_.row(b, b.rows() - 1);
    cached_index_ = at + b.rows() - 1;
    return true;
  });
  return chosen >= 0 ? chosen : t_.rows() - 1;
}

KmeansPasses::Step StreamKmeans::assign(const Mat& c) {
  const Index k = c.cols();
  const StreamTable::Product tc(t_, c);
  Mat previous = have_previous_ ? previous_ : Mat(c);
  const StreamTable::Product tp(t_, previous);
  StreamTable::TransposeSum sums(t_, k);
  Step s;
  s.counts = Vec::Zero(k);
  s.changed = !have_previous_;
  far_.clear();
  first_zero_ = Candidate{0, -1, Vec()};
  assignment_.clear();
  t_.pass([&](const RowBatch& b, Index at) {
    const Vec row_sq = t_.row_squared_norms(b);
    const Mat d = distances(b, tc, row_sq, c);
    Mat dp;
    if (have_previous_ && !s.changed) dp = distances(b, tp, row_sq, previous);  // until a change is seen
    for (Index r = 0; r < b.rows(); ++r) {
      Index arg = 0;
      d.row(r).minCoeff(&arg);  // first minimum: ties go to the lowest index
      const double best = d(r, arg);
      s.loss += best;
      s.counts(arg) += 1;
      sums.add_row(b, r, arg);
      if (have_previous_ && !s.changed) {
        Index before = 0;
        dp.row(r).minCoeff(&before);
        if (before != arg) s.changed = true;
      }
      if (record_) assignment_.push_back(static_cast<int>(arg));
      const Index index = at + r;
      if (best == 0 && first_zero_.index < 0) first_zero_ = Candidate{0, index, t_.row(b, r)};
      // The k farthest rows so far, by decreasing distance then increasing index.
      if (static_cast<Index>(far_.size()) < k || best > far_.back().value) {
        Candidate cand{best, index, t_.row(b, r)};
        auto pos = far_.begin();
        while (pos != far_.end() && pos->value >= best) ++pos;
        far_.insert(pos, std::move(cand));
        if (static_cast<Index>(far_.size()) > k) far_.pop_back();
      }
    }
    return true;
  });
  s.sums = sums.result();
  previous_ = c;
  have_previous_ = true;
  return s;
}

Vec StreamKmeans::farthest() {
  // The in-memory rule: the first row of largest distance, whose distance is then set to 0. Rows outside far_ are
  // no farther than its last entry; among rows at distance 0 the first is first_zero_ or one of far_.
  Candidate* pick = nullptr;
  for (Candidate& cand : far_)
    if (pick == nullptr || cand.value > pick->value || (cand.value == pick->value && cand.index < pick->index))
      pick = &cand;
  if (first_zero_.index >= 0 &&
      (pick == nullptr || pick->value < 0 || (pick->value == 0 && first_zero_.index < pick->index)))
    pick = &first_zero_;
  if (pick == nullptr) throw Error(ErrorKind::Internal, "kmeans: no row to re-seed an empty cluster with");
  pick->value = 0;
  return pick->row;
}

}  // namespace morpheus::ml
