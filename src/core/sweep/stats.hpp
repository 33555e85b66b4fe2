// Small statistics for sweeps: medians, Student-t intervals, least-squares slopes, and the critical batch size of a
// steps-to-target curve (the fitted steps/samples model and the slack rule).
#pragma once
#include "core/no_postgres.hpp"

#include <cstdint>
#include <vector>

namespace morpheus::sweep {

// Median of the values (mean of the two middle ones for an even count); NaN when empty. +inf values sort last, so a
// censored value ("not reached") counts as larger than every reached one.
double median(std::vector<double> v);

// The p-quantile of Student's t distribution with df > 0 degrees of freedom (p in (0, 1)), to about 1e-12.
double t_quantile(double p, double df);
// Regularized incomplete beta function I_x(a, b) (a, b > 0, x in [0, 1]).
double incomplete_beta(double a, double b, double x);

// Mean with a two-sided Student-t confidence interval: mean +- t_{(1+c)/2, n-1} sd / sqrt(n). With n = 1 the bounds
// are NaN (no spread); with n = 0 everything is NaN.
struct Interval {
  std::int64_t n = 0;
  double mean = 0;
  double sd = 0;  // sample standard deviation (n - 1 in the denominator)
  double lower = 0;
  double upper = 0;
  double median = 0;
};
Interval t_interval(const std::vector<double>& v, double confidence = 0.95);

// Ordinary least-squares slope of y on x (NaN when x has no spread or fewer than two points).
double ols_slope(const std::vector<double>& x, const std::vector<double>& y);

// The steps/samples model of large-batch training (McCandlish et al. 2018; Shallue et al. 2018):
//   steps(B) = S_min + E_min / B,  so  samples(B) = B steps(B) = S_min B + E_min,  critical batch B_crit = E_min /
//   S_min
// (at B_crit a run needs 2 S_min steps and 2 E_min samples). The fit minimizes the relative squared error
//   sum_i ((steps_i - S_min - E_min / B_i) / steps_i)^2          (weighted least squares, weights 1 / steps_i^2)
// over the points given (the batches that reached the target). valid needs at least two distinct batch sizes and
// S_min > 0, E_min > 0; otherwise b_crit is NaN and `note` says why (S_min <= 0: steps still fall like 1/B at the
// largest batches, i.e. B_crit is beyond the grid).
struct CriticalFit {
  std::int64_t points = 0;
  double s_min = 0;
  double e_min = 0;
  double b_crit = 0;
  bool valid = false;
  const char* note = "";
};
CriticalFit fit_critical_batch(const std::vector<double>& batch_sizes, const std::vector<double>& steps);

// The slack rule: the largest batch B of the (ascending) grid such that every B' <= B reached the target within
// (1 + slack) epochs(B_0), B_0 the smallest batch (epochs NaN or inf = not reached); 0 when B_0 did not reach it.
// Under the steps/samples model, epochs(B) / epochs(B_0) = (S_min B + E_min) / (S_min B_0 + E_min), so the rule returns
// the largest grid point at or below (1 + slack) B_0 + slack B_crit: about 1.2 B_0 + 0.2 B_crit for slack 0.2. On a
// grid of powers of two it returns more than 2 B_0 only if B_crit >= (3 - slack) B_0 / slack (448 for B_0 = 32), so it
// resolves B_crit only when slack B_crit is large against B_0: it has a floor near 1.2 B_0.
std::int64_t slack_critical_batch(const std::vector<std::int64_t>& batch_sizes, const std::vector<double>& epochs,
                                  double slack);
// The continuous bound of the slack rule under the model: (1 + slack) B_0 + slack B_crit.
double slack_rule_bound(double b0, double b_crit, double slack);

}  // namespace morpheus::sweep
