// Partition assignment, the fractional repetition code and the cyclic (DFT) code: encoders and decoders.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

#include "core/draco/draco.hpp"
#include "core/errors.hpp"
#include "core/interrupt.hpp"
#include "core/options.hpp"

namespace morpheus::draco {

void require_code_size(Rule rule, int n, int s) {
  const std::string ns = "workers = " + std::to_string(n) + " and max_adversaries s = " + std::to_string(s);
  if (s < 0)
    throw invalid_parameter("max_adversaries s = " + std::to_string(s) + " is negative", "Give max_adversaries >= 0.");
  if (n < 2 * s + 1)
    throw invalid_parameter(
        std::string(rule_name(rule)) + " code with " + ns + " needs workers >= 2s+1 = " + std::to_string(2 * s + 1),
        "Use at least " + std::to_string(2 * s + 1) + " workers or tolerate fewer adversaries.");
  if (rule == Rule::Cyclic && s > cyclic_max_tolerance(n))
    throw invalid_parameter(
        "cyclic code with " + ns + " is outside its numerically verified range" +
            (n > 300 ? " (at most 300 workers)"
                     : " (s <= " + std::to_string(cyclic_max_tolerance(n)) + " for " + std::to_string(n) + " workers)"),
        "The DFT code loses precision for large n and s; use aggregation => 'repetition' (exact for any size) or "
        "fewer workers.");
  if (rule == Rule::Repetition && n % (2 * s + 1) != 0) {
    const int r = 2 * s + 1;
    const int up = (n / r + 1) * r;
    throw invalid_parameter("repetition code with " + ns + " needs workers divisible by 2s+1 = " + std::to_string(r),
                            "Use workers = " + std::to_string(up) +
                                (n / r > 0 ? " or " + std::to_string(n / r * r) : "") +
                                ", or aggregation => 'cyclic', which works for any workers >= 2s+1.");
  }
}

int cyclic_max_tolerance(int n) {
  if (n <= 30) return (n - 1) / 2;
  if (n <= 45) return 6;
  if (n <= 64) return 5;
  if (n <= 100) return 4;
  if (n <= 150) return 3;
  if (n <= 200) return 2;
  if (n <= 300) return 1;
  return -1;
}

std::vector<int> assigned_partitions(Rule rule, int n, int s, int worker) {
  std::vector<int> out;
  const int r = 2 * s + 1;
  if (rule == Rule::Repetition) {
    const int g = worker / r;
    for (int j = 0; j < r; ++j) out.push_back(g * r + j);
  } else if (rule == Rule::Cyclic) {
    for (int j = 0; j < r; ++j) out.push_back((worker + j) % n);
  } else {
    out.push_back(worker);
  }
  return out;
}

namespace {
void partition_gradient(const Glm& g, const Dataset& d, const std::vector<std::int64_t>& rows, const double* w,
                        Vector& tmp) {
  tmp.setZero();
  glm_gradient(g, d, rows.data(), static_cast<std::int64_t>(rows.size()), w, tmp.data());
}
}  // namespace

void worker_message(const Glm& g, const Dataset& d, Rule rule, int n, int s, const CyclicCode* code, int worker,
                    const std::vector<std::vector<std::int64_t>>& part_rows, const double* w, double* re) {
  const Eigen::Index p = g.params();
  Eigen::Map<Vector> mre(re, p);
  mre.setZero();
  Vector tmp(p);
  if (rule == Rule::Cyclic) {
    for (int j : assigned_partitions(rule, n, s, worker)) {
      partition_gradient(g, d, part_rows[static_cast<std::size_t>(j)], w, tmp);
      mre += code->w(worker, j) * tmp;
    }
    return;
  }
  for (int j : assigned_partitions(rule, n, s, worker)) {
    partition_gradient(g, d, part_rows[static_cast<std::size_t>(j)], w, tmp);
    mre += tmp;
  }
}

// Majority vote per group by bitwise equality. The messages are compared in column blocks of 4096 coordinates:
// the group's members are partitioned into classes of messages equal on every block so far, and each block refines
// the partition (a member is compared with the representative, its smallest member, of each new class carved out of
// its old class). The r rows of a block stay in cache while they are compared, so each message is read from memory
// once, as in plain averaging; then the winners are summed, again block by block, groups in order.
RepetitionDecoded decode_repetition(const ConstRowMap& msg, int s) {
  const int n = static_cast<int>(msg.rows());
  const int r = 2 * s + 1;
  require_code_size(Rule::Repetition, n, s);
  const Eigen::Index d = msg.cols();
  constexpr Eigen::Index kBlock = 4096;
  RepetitionDecoded out;
  out.sum = Vector::Zero(d);
  std::vector<int> winners;
  std::vector<int> cls(static_cast<std::size_t>(r)), next(static_cast<std::size_t>(r)),
      size(static_cast<std::size_t>(r));
  for (int g0 = 0; g0 < n; g0 += r) {
    std::fill(cls.begin(), cls.end(), 0);  // cls[i]: the smallest member of i's class (0-based within the group)
    for (Eigen::Index c0 = 0; c0 < d; c0 += kBlock) {
      const std::size_t bytes = static_cast<std::size_t>(std::min(kBlock, d - c0)) * sizeof(double);
      next[0] = 0;
      for (int i = 1; i < r; ++i) {
        next[i] = i;
        const double* row = msg.row(g0 + i).data() + c0;
        for (int j = cls[i]; j < i; ++j)
          if (cls[j] == cls[i] && next[j] == j && std::memcmp(row, msg.row(g0 + j).data() + c0, bytes) == 0) {
            next[i] = j;
            break;
          }
      }
      cls.swap(next);
      if ((c0 / kBlock) % 64 == 63) check_interrupts();
    }
    std::fill(size.begin(), size.end(), 0);
    for (int i = 0; i < r; ++i) ++size[cls[i]];
    int win = 0;  // the largest class (ties: the one whose first member comes first)
    for (int i = 1; i < r; ++i)
      if (size[i] > size[win]) win = i;
    for (int i = 0; i < r; ++i)
      if (cls[i] != win) out.flagged.push_back(g0 + i);
    if (size[win] < s + 1) out.consistent = false;
    winners.push_back(g0 + win);
    check_interrupts();
  }
  for (Eigen::Index c0 = 0; c0 < d; c0 += kBlock) {
    auto acc = out.sum.segment(c0, std::min(kBlock, d - c0));
    for (int w : winners) acc += msg.row(w).segment(c0, acc.size()).transpose();
  }
  return out;
}

// ------------------------------------------------------------------------------------------------------------
// attacks
// ------------------------------------------------------------------------------------------------------------
namespace {
const std::initializer_list<Choice<Attack>> kAttacks = {{"none", Attack::None},         {"signflip", Attack::SignFlip},
                                                        {"constant", Attack::Constant}, {"gaussian", Attack::Gaussian},
                                                        {"alie", Attack::Alie},         {"ipm", Attack::Ipm}};
const std::initializer_list<Choice<Placement>> kPlacements = {
    {"random", Placement::Random}, {"fixed", Placement::Fixed}, {"omniscient", Placement::Omniscient}};
}  // namespace

Attack parse_attack(const std::string& name) { return parse_choice("attack", name, kAttacks); }
const char* attack_name(Attack a) { return choice_name(a, kAttacks); }

double default_attack_scale(Attack a) {
  switch (a) {
    case Attack::SignFlip: return 100.0;
    case Attack::Constant: return -100.0;
    case Attack::Gaussian: return 100.0;
    case Attack::Ipm: return 0.1;
    default: return std::numeric_limits<double>::quiet_NaN();
  }
}

namespace {
// Acklam's rational approximation of the standard normal quantile, refined by one Halley step (|error| < 1e-15).
double normal_quantile(double p) {
  static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,  -2.759285104469687e+02,
                             1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                             6.680131188771972e+01, -1.328068155288572e+01};
  static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                             -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  static const double dd[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                              3.754408661907416e+00};
  double x;
  if (p < 0.02425) {
    const double q = std::sqrt(-2 * std::log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((dd[0] * q + dd[1]) * q + dd[2]) * q + dd[3]) * q + 1);
  } else if (p > 1 - 0.02425) {
    const double q = std::sqrt(-2 * std::log(1 - p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((dd[0] * q + dd[1]) * q + dd[2]) * q + dd[3]) * q + 1);
  } else {
    const double q = p - 0.5, r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  }
  const double e = 0.5 * std::erfc(-x / std::sqrt(2.0)) - p;
  const double u = e * std::sqrt(2 * M_PI) * std::exp(x * x / 2);
  return x - u / (1 + x * u / 2);
}
}  // namespace

double alie_z(int n, int m) {
  if (n - m <= 0) return 1.0;
  const int sp = n / 2 + 1 - m;
  double p = static_cast<double>(n - m - sp) / static_cast<double>(n - m);
  p = std::min(std::max(p, 0.01), 0.99);
  return normal_quantile(p);
}

Placement parse_placement(const std::string& name) { return parse_choice("placement", name, kPlacements); }

std::vector<int> place_adversaries(Placement p, int n, int q, int s, Rng& rng) {
  std::vector<int> out;
  if (q <= 0) return out;
  q = std::min(q, n);
  if (p == Placement::Fixed) {
    for (int i = 0; i < q; ++i) out.push_back(i);
  } else if (p == Placement::Random) {
    std::vector<int> all(static_cast<std::size_t>(n));
    std::iota(all.begin(), all.end(), 0);
    for (int i = 0; i < q; ++i) std::swap(all[i], all[rng.between(i, n - 1)]);
    out.assign(all.begin(), all.begin() + q);
  } else {
    const int r = 2 * s + 1, need = s + 1;
    std::vector<char> used(static_cast<std::size_t>(n), 0);
    int left = q;
    for (int g0 = 0; g0 + r <= n && left > 0; g0 += r)
      for (int i = g0; i < g0 + need && left > 0; ++i, --left) used[i] = 1;
    for (int i = 0; i < n && left > 0; ++i)
      if (!used[i]) used[i] = 1, --left;
    for (int i = 0; i < n; ++i)
      if (used[i]) out.push_back(i);
  }
  std::sort(out.begin(), out.end());
  return out;
}

void apply_attack(Attack a, double scale, const std::vector<int>& adversaries, RowMatrix& m, Rng& rng) {
  if (a == Attack::None || adversaries.empty()) return;
  const Eigen::Index n = m.rows(), d = m.cols();
  std::vector<char> bad(static_cast<std::size_t>(n), 0);
  for (int i : adversaries) bad[i] = 1;
  Vector mu = Vector::Zero(d), sd = Vector::Zero(d);
  if (a == Attack::Alie || a == Attack::Ipm) {
    int h = 0;
    for (Eigen::Index i = 0; i < n; ++i)
      if (!bad[i]) mu += m.row(i).transpose(), ++h;
    if (h > 0) mu /= h;
    if (a == Attack::Alie && h > 1) {
      for (Eigen::Index i = 0; i < n; ++i)
        if (!bad[i]) sd += (m.row(i).transpose() - mu).cwiseAbs2();
      sd = (sd / (h - 1)).cwiseSqrt();
    }
  }
  for (int i : adversaries) {
    switch (a) {
      case Attack::None: break;
      case Attack::SignFlip: m.row(i) *= -scale; break;
      case Attack::Constant: m.row(i).setConstant(scale); break;
      case Attack::Gaussian:
        for (Eigen::Index c = 0; c < d; ++c) m(i, c) = scale * rng.normal();
        break;
      case Attack::Alie: m.row(i) = (mu - scale * sd).transpose(); break;
      case Attack::Ipm: m.row(i) = -scale * mu.transpose(); break;
    }
  }
}

void apply_attack(Attack a, double scale, const std::vector<int>& adversaries, Messages& m, Rng& rng) {
  apply_attack(a, scale, adversaries, m.re, rng);
}

void apply_attack(Attack a, double scale, const std::vector<int>& adversaries, Messages& m, std::mt19937_64& rng) {
  Rng r(rng());
  apply_attack(a, scale, adversaries, m.re, r);
}

}  // namespace morpheus::draco
