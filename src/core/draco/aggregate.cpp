// Baseline aggregation rules: mean, coordinate-wise median, trimmed mean, geometric median (Weiszfeld with the
// Vardi-Zhang step), Krum, Multi-Krum, Bulyan.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/draco/draco.hpp"
#include "core/errors.hpp"
#include "core/interrupt.hpp"
#include "core/options.hpp"

namespace morpheus::draco {

namespace {
const std::initializer_list<Choice<Rule>> kRuleChoices = {{"mean", Rule::Mean},
                                                          {"median", Rule::Median},
                                                          {"trimmed_mean", Rule::TrimmedMean},
                                                          {"geometric_median", Rule::GeometricMedian},
                                                          {"krum", Rule::Krum},
                                                          {"multi_krum", Rule::MultiKrum},
                                                          {"bulyan", Rule::Bulyan}};
const std::initializer_list<Choice<Rule>> kAllRuleChoices = {
    {"cyclic", Rule::Cyclic}, {"repetition", Rule::Repetition},    {"mean", Rule::Mean},
    {"median", Rule::Median}, {"trimmed_mean", Rule::TrimmedMean}, {"geometric_median", Rule::GeometricMedian},
    {"krum", Rule::Krum},     {"multi_krum", Rule::MultiKrum},     {"bulyan", Rule::Bulyan}};
}  // namespace

Rule parse_rule(const std::string& name, bool allow_codes) {
  return allow_codes ? parse_choice("aggregation", name, kAllRuleChoices) : parse_choice("rule", name, kRuleChoices);
}

const char* rule_name(Rule r) { return choice_name(r, kAllRuleChoices); }

bool is_code(Rule r) { return r == Rule::Repetition || r == Rule::Cyclic; }

void require_rule_size(Rule rule, int n, int f) {
  if (f < 0)
    throw invalid_parameter("max_adversaries = " + std::to_string(f) + " is negative", "Give max_adversaries >= 0.");
  auto fail = [&](const std::string& need, int min_n) {
    throw invalid_parameter(std::string(rule_name(rule)) + " with max_adversaries f = " + std::to_string(f) +
                                " needs " + need + " inputs but got " + std::to_string(n),
                            "Give at least " + std::to_string(min_n) + " inputs or a smaller max_adversaries.");
  };
  switch (rule) {
    case Rule::TrimmedMean:
      if (n <= 2 * f) fail("n > 2f", 2 * f + 1);
      break;
    case Rule::Krum:
    case Rule::MultiKrum:
      if (n <= 2 * f + 2) fail("n > 2f + 2", 2 * f + 3);
      break;
    case Rule::Bulyan:
      if (n < 4 * f + 3) fail("n >= 4f + 3", 4 * f + 3);
      break;
    default: break;
  }
}

namespace {
// Mean of the rows, accumulated row by row (contiguous in row-major storage).
Vector row_mean(const ConstRowsView& v) {
  Vector out = Vector::Zero(v.cols());
  for (Eigen::Index i = 0; i < v.rows(); ++i) out += v.row(i).transpose();
  return out / static_cast<double>(v.rows());
}
}  // namespace

Vector coordinate_median(const ConstRowsView& v) {
  const auto n = v.rows(), d = v.cols();
  Vector out(d);
  std::vector<double> col(static_cast<std::size_t>(n));
  for (Eigen::Index c = 0; c < d; ++c) {
    for (Eigen::Index i = 0; i < n; ++i) col[i] = v(i, c);
    const auto mid = col.begin() + n / 2;
    std::nth_element(col.begin(), mid, col.end());
    if (n % 2 == 1) {
      out[c] = *mid;
    } else {
      const double hi = *mid;
      const double lo = *std::max_element(col.begin(), mid);
      out[c] = 0.5 * (lo + hi);
    }
    if ((c & 4095) == 4095) check_interrupts();
  }
  return out;
}

Vector trimmed_mean(const ConstRowsView& v, int b) {
  const auto n = v.rows(), d = v.cols();
  Vector out(d);
  std::vector<double> col(static_cast<std::size_t>(n));
  for (Eigen::Index c = 0; c < d; ++c) {
    for (Eigen::Index i = 0; i < n; ++i) col[i] = v(i, c);
    std::sort(col.begin(), col.end());
    double s = 0.0;
    for (Eigen::Index i = b; i < n - b; ++i) s += col[i];
    out[c] = s / static_cast<double>(n - 2 * b);
    if ((c & 4095) == 4095) check_interrupts();
  }
  return out;
}

// Weiszfeld's two passes per iteration (distances to z, then the weighted sum) run over column blocks, so z's and
// the new iterate's block stay in cache and each input is read once per pass.
GeometricMedianResult geometric_median(const ConstRowsView& v, const GeometricMedianOptions& o) {
  const auto n = v.rows(), d = v.cols();
  constexpr Eigen::Index kBlock = 2048;
  GeometricMedianResult res;
  res.z = row_mean(v);
  res.converged = false;
  Vector dist(n), weight(n);
  Vector next(d);
  for (int it = 1; it <= o.max_iterations; ++it) {
    check_interrupts();
    dist.setZero();
    for (Eigen::Index c0 = 0; c0 < d; c0 += kBlock) {
      const Eigen::Index w = std::min(kBlock, d - c0);
      const auto zb = res.z.segment(c0, w).transpose();
      for (Eigen::Index i = 0; i < n; ++i) dist[i] += (v.row(i).segment(c0, w) - zb).squaredNorm();
    }
    dist = dist.cwiseSqrt();
    const double scale = std::max(1.0, dist.maxCoeff());
    const double tiny = 1e-14 * scale;
    double wsum = 0.0;
    int eta = 0;  // multiplicity of z among the inputs
    for (Eigen::Index i = 0; i < n; ++i) {
      weight[i] = dist[i] <= tiny ? 0.0 : 1.0 / dist[i];
      eta += dist[i] <= tiny ? 1 : 0;
      wsum += weight[i];
    }
    res.iterations = it;
    if (wsum == 0.0) {  // all inputs coincide with z
      res.converged = true;
      break;
    }
    next.setZero();
    for (Eigen::Index c0 = 0; c0 < d; c0 += kBlock) {
      const Eigen::Index w = std::min(kBlock, d - c0);
      auto nb = next.segment(c0, w);
      for (Eigen::Index i = 0; i < n; ++i)
        if (weight[i] != 0.0) nb += weight[i] * v.row(i).segment(c0, w).transpose();
    }
    if (eta > 0) {
      const double r = (next - wsum * res.z).norm();  // || sum_{v_i != z} (v_i - z) / ||v_i - z|| ||
      if (r <= eta) {  // z is an input and the optimality condition holds: z is the median
        res.converged = true;
        break;
      }
      next /= wsum;  // Weiszfeld map over the inputs other than z
      const double a = static_cast<double>(eta) / r;
      next = (1.0 - a) * next + a * res.z;  // Vardi-Zhang
    } else {
      next /= wsum;
    }
    const double step = (next - res.z).norm();
    res.z.swap(next);
    if (step < o.tolerance) {
      res.converged = true;
      break;
    }
  }
  return res;
}

namespace {
// Squared distances between all pairs of rows, in column blocks so the n rows' block stays in cache while every
// pair is compared (one pass over the inputs instead of n/2).
RowMatrix pairwise_sq(const ConstRowsView& v) {
  const auto n = v.rows(), d = v.cols();
  constexpr Eigen::Index kBlock = 2048;
  RowMatrix d2 = RowMatrix::Zero(n, n);
  for (Eigen::Index c0 = 0; c0 < d; c0 += kBlock) {
    const Eigen::Index w = std::min(kBlock, d - c0);
    for (Eigen::Index i = 0; i < n; ++i)
      for (Eigen::Index j = i + 1; j < n; ++j)
        d2(i, j) += (v.row(i).segment(c0, w) - v.row(j).segment(c0, w)).squaredNorm();
    if ((c0 / kBlock) % 16 == 15) check_interrupts();
  }
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = 0; j < i; ++j) d2(i, j) = d2(j, i);
  check_interrupts();
  return d2;
}

std::vector<double> krum_scores_from(const RowMatrix& d2, const std::vector<int>& pool, int f) {
  const int m = static_cast<int>(pool.size());
  const int nb = std::max(0, m - f - 2);
  std::vector<double> scores(static_cast<std::size_t>(m));
  std::vector<double> others;
  for (int a = 0; a < m; ++a) {
    others.clear();
    for (int b = 0; b < m; ++b)
      if (b != a) others.push_back(d2(pool[a], pool[b]));
    std::sort(others.begin(), others.end());
    double s = 0.0;
    for (int k = 0; k < nb; ++k) s += others[k];
    scores[a] = s;
  }
  return scores;
}

std::vector<int> lowest(const std::vector<double>& scores, int m) {
  std::vector<int> idx(scores.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::stable_sort(idx.begin(), idx.end(), [&](int a, int b) { return scores[a] < scores[b]; });
  idx.resize(static_cast<std::size_t>(m));
  return idx;
}
}  // namespace

std::vector<double> krum_scores(const ConstRowsView& v, int f) {
  std::vector<int> pool(static_cast<std::size_t>(v.rows()));
  std::iota(pool.begin(), pool.end(), 0);
  return krum_scores_from(pairwise_sq(v), pool, f);
}

std::vector<int> multi_krum_select(const ConstRowsView& v, int f, int m) { return lowest(krum_scores(v, f), m); }

Vector bulyan(const ConstRowsView& v, int f) {
  const int n = static_cast<int>(v.rows());
  const RowMatrix d2 = pairwise_sq(v);
  std::vector<int> pool(static_cast<std::size_t>(n));
  std::iota(pool.begin(), pool.end(), 0);
  const int theta = n - 2 * f;
  std::vector<int> sel;
  for (int t = 0; t < theta; ++t) {
    const auto scores = krum_scores_from(d2, pool, f);
    const int best = lowest(scores, 1)[0];
    sel.push_back(pool[best]);
    pool.erase(pool.begin() + best);
  }
  const int beta = theta - 2 * f;
  // per coordinate: the mean of the beta selected values closest to their median, by selection (O(theta)) on column
  // blocks copied row by row (the selected rows are read sequentially)
  const Eigen::Index d = v.cols();
  constexpr Eigen::Index kBlock = 256;
  Vector out(d);
  RowMatrix buf(theta, kBlock);
  std::vector<double> col(static_cast<std::size_t>(theta)), dist(static_cast<std::size_t>(theta));
  std::vector<int> idx(static_cast<std::size_t>(theta));
  for (Eigen::Index c0 = 0; c0 < d; c0 += kBlock) {
    const Eigen::Index w = std::min(kBlock, d - c0);
    for (int k = 0; k < theta; ++k) buf.row(k).head(w) = v.row(sel[static_cast<std::size_t>(k)]).segment(c0, w);
    for (Eigen::Index c = 0; c < w; ++c) {
      for (int k = 0; k < theta; ++k) col[static_cast<std::size_t>(k)] = buf(k, c);
      const auto mid = col.begin() + theta / 2;
      std::nth_element(col.begin(), mid, col.end());
      const double med = theta % 2 == 1 ? *mid : 0.5 * (*std::max_element(col.begin(), mid) + *mid);
      for (int k = 0; k < theta; ++k) {
        dist[static_cast<std::size_t>(k)] = std::abs(col[static_cast<std::size_t>(k)] - med);
        idx[static_cast<std::size_t>(k)] = k;
      }
      std::nth_element(idx.begin(), idx.begin() + (beta - 1), idx.end(), [&](int a, int b) {
        return dist[static_cast<std::size_t>(a)] < dist[static_cast<std::size_t>(b)] ||
               (dist[static_cast<std::size_t>(a)] == dist[static_cast<std::size_t>(b)] && a < b);
      });
      double sum = 0.0;
      for (int k = 0; k < beta; ++k) sum += col[static_cast<std::size_t>(idx[static_cast<std::size_t>(k)])];
      out[c0 + c] = sum / beta;
    }
    if ((c0 / kBlock) % 16 == 15) check_interrupts();
  }
  return out;
}

Vector aggregate(Rule rule, const ConstRowsView& v, int f, int selected, const GeometricMedianOptions& median,
                 GeometricMedianResult* median_result) {
  const int n = static_cast<int>(v.rows());
  require_rule_size(rule, n, f);
  switch (rule) {
    case Rule::Mean: return row_mean(v);
    case Rule::Median: return coordinate_median(v);
    case Rule::TrimmedMean: return trimmed_mean(v, f);
    case Rule::GeometricMedian: {
      GeometricMedianResult r = geometric_median(v, median);
      Vector z = std::move(r.z);
      if (median_result) *median_result = std::move(r);
      return z;
    }
    case Rule::Krum: return v.row(multi_krum_select(v, f, 1)[0]).transpose();
    case Rule::MultiKrum: {
      const int mm = selected <= 0 ? n - f - 2 : selected;
      if (mm > n)
        throw invalid_parameter("selected = " + std::to_string(mm) + " exceeds the " + std::to_string(n) + " inputs",
                                "Give selected between 1 and the number of inputs.");
      Vector out = Vector::Zero(v.cols());
      for (int i : multi_krum_select(v, f, mm)) out += v.row(i).transpose();
      return out / mm;
    }
    case Rule::Bulyan: return bulyan(v, f);
    default:
      throw invalid_parameter(std::string("rule ") + rule_name(rule) + " is a code, not an aggregation rule",
                              "valid values: " + choice_list(kRuleChoices));
  }
}

Vector aggregate(Rule rule, const ConstRowMap& v, int f, int selected, const GeometricMedianOptions& median) {
  return aggregate(rule, rows_view(v), f, selected, median);
}

BlockAggregate aggregate_blocks(Rule rule, const ConstRowMap& v, const std::vector<Block>& blocks, int f, int selected,
                                const GeometricMedianOptions& median) {
  BlockAggregate out;
  out.value.resize(v.cols());
  std::int64_t next = 0;
  for (const Block& b : blocks) {
    if (b.offset != next || b.size < 1 || b.offset + b.size > v.cols())
      throw invalid_parameter("parameter blocks must tile the " + std::to_string(v.cols()) + " columns in order",
                              "Give block sizes >= 1 that add up to the gradient length.");
    next = b.offset + b.size;
    GeometricMedianResult gm;
    out.value.segment(b.offset, b.size) = aggregate(rule, column_block(v, b.offset, b.size), f, selected, median, &gm);
    if (rule == Rule::GeometricMedian) {
      out.median_iterations.push_back(gm.iterations);
      out.median_converged = out.median_converged && gm.converged;
    }
  }
  if (next != v.cols())
    throw invalid_parameter(
        "parameter blocks cover " + std::to_string(next) + " of the " + std::to_string(v.cols()) + " columns",
        "Give block sizes that add up to the gradient length.");
  return out;
}

}  // namespace morpheus::draco
