#include "core/sweep/stats.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/errors.hpp"

namespace morpheus::sweep {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Continued fraction of the incomplete beta function (modified Lentz), valid for x < (a + 1) / (a + b + 2).
double beta_cf(double a, double b, double x) {
  constexpr double tiny = 1e-300;
  double c = 1.0;
  double d = 1.0 - (a + b) * x / (a + 1.0);
  if (std::fabs(d) < tiny) d = tiny;
  d = 1.0 / d;
  double h = d;
  for (int m = 1; m <= 10000; ++m) {
    const double m2 = 2.0 * m;
    double aa = m * (b - m) * x / ((a + m2 - 1.0) * (a + m2));
    d = 1.0 + aa * d;
    if (std::fabs(d) < tiny) d = tiny;
    c = 1.0 + aa / c;
    if (std::fabs(c) < tiny) c = tiny;
    d = 1.0 / d;
    h *= d * c;
    aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0));
    d = 1.0 + aa * d;
    if (std::fabs(d) < tiny) d = tiny;
    c = 1.0 + aa / c;
    if (std::fabs(c) < tiny) c = tiny;
    d = 1.0 / d;
    const double del = d * c;
    h *= del;
    if (std::fabs(del - 1.0) < 1e-16) break;
  }
  return h;
}

// P(T <= t) for Student's t with df degrees of freedom.
double t_cdf(double t, double df) {
  const double x = df / (df + t * t);
  const double tail = 0.5 * incomplete_beta(0.5 * df, 0.5, x);
  return t >= 0 ? 1.0 - tail : tail;
}
}  // namespace

double median(std::vector<double> v) {
  if (v.empty()) return kNaN;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  if (n % 2 == 1) return v[n / 2];
  const double a = v[n / 2 - 1];
  const double b = v[n / 2];
  if (std::isinf(b)) return b;
  return 0.5 * (a + b);
}

double incomplete_beta(double a, double b, double x) {
  if (!(a > 0) || !(b > 0) || !(x >= 0 && x <= 1)) return kNaN;
  if (x == 0 || x == 1) return x;
  const double lbeta = std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b);
  const double front = std::exp(lbeta + a * std::log(x) + b * std::log1p(-x));
  if (x < (a + 1.0) / (a + b + 2.0)) return front * beta_cf(a, b, x) / a;
  return 1.0 - front * beta_cf(b, a, 1.0 - x) / b;
}

double t_quantile(double p, double df) {
  if (!(p > 0 && p < 1) || !(df > 0)) return kNaN;
  if (p == 0.5) return 0.0;
  if (p < 0.5) return -t_quantile(1.0 - p, df);
  // Bracket, then bisect on the CDF (monotone); 200 halvings reach double precision.
  double lo = 0.0;
  double hi = 1.0;
  while (t_cdf(hi, df) < p && hi < 1e300) hi *= 2.0;
  for (int i = 0; i < 200 && hi - lo > 1e-15 * std::max(1.0, hi); ++i) {
    const double mid = 0.5 * (lo + hi);
    if (t_cdf(mid, df) < p)
      lo = mid;
    else
      hi = mid;
  }
  return 0.5 * (lo + hi);
}

Interval t_interval(const std::vector<double>& v, double confidence) {
  Interval r;
  r.n = static_cast<std::int64_t>(v.size());
  if (v.empty()) {
    r.mean = r.sd = r.lower = r.upper = r.median = kNaN;
    return r;
  }
  double s = 0;
  for (double x : v) s += x;
  r.mean = s / static_cast<double>(r.n);
  r.median = median(v);
  if (r.n < 2) {
    r.sd = r.lower = r.upper = kNaN;
    return r;
  }
  double ss = 0;
  for (double x : v) ss += (x - r.mean) * (x - r.mean);
  r.sd = std::sqrt(ss / static_cast<double>(r.n - 1));
  const double half =
      t_quantile(0.5 * (1.0 + confidence), static_cast<double>(r.n - 1)) * r.sd / std::sqrt(static_cast<double>(r.n));
  r.lower = r.mean - half;
  r.upper = r.mean + half;
  return r;
}

double ols_slope(const std::vector<double>& x, const std::vector<double>& y) {
  const std::size_t n = x.size();
  if (n < 2 || y.size() != n) return kNaN;
  double mx = 0, my = 0;
  for (std::size_t i = 0; i < n; ++i) {
    mx += x[i];
    my += y[i];
  }
  mx /= static_cast<double>(n);
  my /= static_cast<double>(n);
  double sxy = 0, sxx = 0;
  for (std::size_t i = 0; i < n; ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
  }
  return sxx > 0 ? sxy / sxx : kNaN;
}

CriticalFit fit_critical_batch(const std::vector<double>& batch_sizes, const std::vector<double>& steps) {
  CriticalFit f;
  if (batch_sizes.size() != steps.size()) throw Error(ErrorKind::Internal, "fit: batch sizes and steps differ");
  // Weighted least squares of steps on (1, 1/B) with weights 1/steps^2: the normal equations in the scaled variables
  // u_i = 1/steps_i, v_i = 1/(B_i steps_i): minimize sum (1 - S u_i - E v_i)^2.
  double suu = 0, suv = 0, svv = 0, su = 0, sv = 0;
  double bmin = std::numeric_limits<double>::infinity(), bmax = 0;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const double s = steps[i];
    const double b = batch_sizes[i];
    if (!(s > 0) || !std::isfinite(s) || !(b > 0) || !std::isfinite(b)) continue;
    const double u = 1.0 / s;
    const double v = 1.0 / (b * s);
    suu += u * u;
    suv += u * v;
    svv += v * v;
    su += u;
    sv += v;
    bmin = std::min(bmin, b);
    bmax = std::max(bmax, b);
    ++f.points;
  }
  f.b_crit = f.s_min = f.e_min = kNaN;
  if (f.points < 2 || !(bmax > bmin)) {
    f.note = "fewer than two batch sizes reached the target";
    return f;
  }
  const double det = suu * svv - suv * suv;
  if (!(det > 0)) {
    f.note = "the fit is singular";
    return f;
  }
  f.s_min = (su * svv - sv * suv) / det;
  f.e_min = (sv * suu - su * suv) / det;
  if (!(f.e_min > 0)) {
    f.note = "steps do not fall with the batch size (E_min <= 0)";
    return f;
  }
  if (!(f.s_min > 0)) {
    f.note = "no saturation within the grid (S_min <= 0): the critical batch is beyond the largest batch";
    return f;
  }
  f.b_crit = f.e_min / f.s_min;
  f.valid = true;
  return f;
}

std::int64_t slack_critical_batch(const std::vector<std::int64_t>& batch_sizes, const std::vector<double>& epochs,
                                  double slack) {
  if (batch_sizes.empty() || batch_sizes.size() != epochs.size()) return 0;
  const double e0 = epochs[0];
  if (!std::isfinite(e0)) return 0;
  std::int64_t crit = 0;
  for (std::size_t i = 0; i < batch_sizes.size(); ++i) {
    if (!std::isfinite(epochs[i]) || epochs[i] > (1.0 + slack) * e0 + 1e-12) break;
    crit = batch_sizes[i];
  }
  return crit;
}

double slack_rule_bound(double b0, double b_crit, double slack) { return (1.0 + slack) * b0 + slack * b_crit; }

}  // namespace morpheus::sweep
