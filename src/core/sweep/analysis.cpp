#include "core/sweep/analysis.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <tuple>

#include "core/errors.hpp"

namespace morpheus::sweep {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

std::string num(std::int64_t v) { return std::to_string(v); }

// Evaluation rows indexed by (depth, target, seed, batch).
using Key = std::tuple<std::int64_t, double, std::int64_t, std::int64_t>;

std::map<Key, const RunRow*> index_eval(const std::vector<RunRow>& rows) {
  std::map<Key, const RunRow*> m;
  for (const RunRow& r : rows)
    if (r.role == Role::Eval) m[Key{r.depth, r.target_loss, r.seed, r.batch_size}] = &r;
  return m;
}

double steps_of(const RunRow& r) { return r.reached ? r.iterations_to_target : kInf; }

}  // namespace

void validate_results(const std::vector<RunRow>& rows, const char* arg) {
  const std::string a(arg);
  std::set<Key> seen;
  std::map<std::int64_t, std::int64_t> width_of;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const RunRow& r = rows[i];
    const std::string where = " in row " + num(static_cast<std::int64_t>(i + 1)) + " of " + a;
    if (r.depth < 1 || r.width < 1 || r.batch_size < 1)
      throw invalid_parameter("depth, width and batch_size must be positive" + where,
                              "Pass the rows written by morpheus.width_sweep or width_sweep_run.");
    if (!std::isfinite(r.target_loss) || !(r.learning_rate > 0) || !std::isfinite(r.learning_rate))
      throw invalid_parameter("target_loss and learning_rate must be finite (and the rate positive)" + where);
    if (r.reached && (!(r.iterations_to_target >= 0) || !std::isfinite(r.iterations_to_target) ||
                      !(r.epochs_to_target >= 0) || !std::isfinite(r.epochs_to_target)))
      throw invalid_parameter("a reached row needs finite, non-negative epochs_to_target and iterations_to_target" +
                              where);
    auto w = width_of.emplace(r.depth, r.width);
    if (w.first->second != r.width)
      throw invalid_parameter(
          "depth " + num(r.depth) + " has widths " + num(w.first->second) + " and " + num(r.width) + " in " + a,
          "The rows mix sweeps: select the rows of one sweep (one settings value).");
    if (r.role != Role::Eval) continue;
    if (!seen.insert(Key{r.depth, r.target_loss, r.seed, r.batch_size}).second)
      throw invalid_parameter("two evaluation rows for depth " + num(r.depth) + ", batch_size " + num(r.batch_size) +
                                  ", seed " + num(r.seed) + ", target_loss " + format_number(r.target_loss) + " in " +
                                  a,
                              "The rows mix sweeps: select the rows of one sweep (one settings value).");
  }
}

FitReport fit_report(const std::vector<RunRow>& rows, double slack, double confidence) {
  FitReport rep;
  const auto idx = index_eval(rows);
  // Groups (depth, target) -> seed -> batch -> row, in key order.
  std::map<std::pair<std::int64_t, double>, std::map<std::int64_t, std::vector<const RunRow*>>> groups;
  for (const auto& [key, row] : idx) groups[{std::get<0>(key), std::get<1>(key)}][std::get<2>(key)].push_back(row);
  for (const auto& [dt, seeds] : groups) {
    DepthFit agg;
    agg.depth = dt.first;
    agg.target_loss = dt.second;
    std::vector<double> s_mins, e_mins, crits, log_crits, slacks;
    for (const auto& [seed, list] : seeds) {  // list is ascending in batch size (map order)
      SeedFit f;
      f.depth = dt.first;
      f.target_loss = dt.second;
      f.seed = seed;
      f.width = list.front()->width;
      f.params = list.front()->params;
      f.batches = static_cast<std::int64_t>(list.size());
      std::vector<double> b, s, epochs;
      std::vector<std::int64_t> grid;
      for (const RunRow* r : list) {
        grid.push_back(r->batch_size);
        epochs.push_back(r->reached ? r->epochs_to_target : kInf);
        if (r->reached) {
          b.push_back(static_cast<double>(r->batch_size));
          s.push_back(r->iterations_to_target);
        }
      }
      f.fit = fit_critical_batch(b, s);
      f.slack_batch = slack_critical_batch(grid, epochs, slack);
      agg.width = f.width;
      agg.params = f.params;
      ++agg.seeds;
      slacks.push_back(static_cast<double>(f.slack_batch));
      if (f.fit.valid) {
        ++agg.valid;
        s_mins.push_back(f.fit.s_min);
        e_mins.push_back(f.fit.e_min);
        crits.push_back(f.fit.b_crit);
        log_crits.push_back(std::log(f.fit.b_crit));
      }
      rep.seeds.push_back(f);
    }
    agg.s_min_median = median(s_mins);
    agg.e_min_median = median(e_mins);
    agg.b_crit_median = median(crits);
    const Interval li = t_interval(log_crits, confidence);
    agg.b_crit_geomean = std::exp(li.mean);
    agg.b_crit_lower = std::exp(li.lower);
    agg.b_crit_upper = std::exp(li.upper);
    agg.slack_batch_median = median(slacks);
    rep.depths.push_back(agg);
  }
  return rep;
}

std::vector<BatchSummary> batch_summary(const std::vector<RunRow>& rows, double confidence) {
  std::map<std::tuple<std::int64_t, std::int64_t, double>, std::vector<const RunRow*>> groups;
  for (const RunRow& r : rows)
    if (r.role == Role::Eval) groups[{r.depth, r.batch_size, r.target_loss}].push_back(&r);
  std::vector<BatchSummary> out;
  for (const auto& [key, list] : groups) {
    BatchSummary s;
    s.depth = std::get<0>(key);
    s.batch_size = std::get<1>(key);
    s.target_loss = std::get<2>(key);
    s.width = list.front()->width;
    std::vector<double> steps, epochs, logs, rates;
    for (const RunRow* r : list) {
      ++s.seeds;
      s.rate_at_edge = s.rate_at_edge || r->rate_at_edge;
      rates.push_back(r->learning_rate);
      steps.push_back(steps_of(*r));
      epochs.push_back(r->reached ? r->epochs_to_target : kInf);
      if (r->reached) {
        ++s.reached;
        logs.push_back(std::log(std::max(r->iterations_to_target, 1e-300)));
      }
    }
    s.learning_rate = median(rates);
    s.steps_median = median(steps);
    s.epochs_median = median(epochs);
    if (s.reached == s.seeds) {
      const Interval li = t_interval(logs, confidence);
      s.steps_geomean = std::exp(li.mean);
      s.steps_lower = std::exp(li.lower);
      s.steps_upper = std::exp(li.upper);
    } else {
      s.steps_geomean = s.steps_lower = s.steps_upper = kNaN;
    }
    out.push_back(s);
  }
  return out;
}

std::vector<Reading> width_verdict(const std::vector<RunRow>& rows, double target_loss, std::int64_t large_batch,
                                   double confidence, double threshold) {
  if (!std::isfinite(target_loss)) throw invalid_parameter("target_loss must be finite");
  if (!(confidence > 0 && confidence < 1))
    throw invalid_parameter("confidence = " + format_number(confidence) + " is outside (0, 1)", "Use e.g. 0.95.");
  if (!(threshold >= 0) || !std::isfinite(threshold))
    throw invalid_parameter("threshold = " + format_number(threshold) + " must be non-negative and finite",
                            "Use 0.15 for the stated rule.");
  // Depths, widths, seeds and batches present for this target.
  std::map<std::int64_t, std::int64_t> width_of;
  std::set<std::int64_t> seeds;
  std::set<std::int64_t> batches;
  for (const RunRow& r : rows)
    if (r.role == Role::Eval && r.target_loss == target_loss) {
      width_of[r.depth] = r.width;
      seeds.insert(r.seed);
      batches.insert(r.batch_size);
    }
  if (width_of.empty())
    throw invalid_parameter("no evaluation rows for target_loss = " + format_number(target_loss),
                            "Use one of the target_losses of the sweep.");
  std::set<std::int64_t> distinct_widths;
  for (const auto& [d, w] : width_of) distinct_widths.insert(w);
  if (distinct_widths.size() < 2)
    throw invalid_parameter("the rows for target_loss = " + format_number(target_loss) +
                                " have only one width: an elasticity in width needs at least two",
                            "Sweep at least two depths.");
  const auto idx = index_eval(rows);
  auto row_at = [&](std::int64_t depth, std::int64_t seed, std::int64_t batch) -> const RunRow* {
    auto it = idx.find(Key{depth, target_loss, seed, batch});
    return it == idx.end() ? nullptr : it->second;
  };
  const std::int64_t widest_depth =
      std::max_element(width_of.begin(), width_of.end(), [](auto& a, auto& b) { return a.second < b.second; })->first;
  const std::int64_t narrowest_depth =
      std::min_element(width_of.begin(), width_of.end(), [](auto& a, auto& b) { return a.second < b.second; })->first;
  std::vector<Reading> out;

  // ---- the critical batch: per seed, OLS slope of log b_crit_fit on log width over the depths ----
  {
    const FitReport fr = fit_report(rows, 0.2, confidence);
    std::map<std::int64_t, std::map<std::int64_t, double>> crit;  // seed -> depth -> b_crit
    for (const SeedFit& f : fr.seeds)
      if (f.target_loss == target_loss && f.fit.valid) crit[f.seed][f.depth] = f.fit.b_crit;
    std::vector<double> slopes, ratios;
    for (const std::int64_t seed : seeds) {
      const auto& m = crit[seed];
      if (m.size() != width_of.size()) continue;  // a depth without a valid fit: the seed is left out
      std::vector<double> x, y;
      for (const auto& [d, b] : m) {
        x.push_back(std::log(static_cast<double>(width_of[d])));
        y.push_back(std::log(b));
      }
      slopes.push_back(ols_slope(x, y));
      ratios.push_back(std::log(m.at(widest_depth) / m.at(narrowest_depth)));
    }
    const Interval iv = t_interval(slopes, confidence);
    Reading r;
    r.reading = "critical_batch";
    r.target_loss = target_loss;
    r.estimate = iv.mean;
    r.lower = iv.lower;
    r.upper = iv.upper;
    r.seeds_used = iv.n;
    r.seeds_total = static_cast<std::int64_t>(seeds.size());
    r.ratio = ratios.empty() ? kNaN : std::exp(t_interval(ratios, confidence).mean);
    if (iv.n >= 2 && iv.lower > 0)
      r.verdict = "holds";
    else if (iv.n >= 2 && iv.upper < threshold)
      r.verdict = "fails";
    else
      r.verdict = "inconclusive";
    r.rule = "holds if the " + format_number(100 * confidence) +
             "% interval of d log b_crit / d log width is above 0; fails if it is below " + format_number(threshold) +
             "; otherwise inconclusive";
    out.push_back(r);
  }

  // ---- the steps at a large batch: per seed, OLS slope of log steps on log width ----
  {
    std::int64_t b = large_batch;
    if (b <= 0) {
      for (auto it = batches.rbegin(); it != batches.rend() && b <= 0; ++it) {
        bool all = true;
        for (const auto& [d, w] : width_of)
          for (const std::int64_t s : seeds) {
            const RunRow* r = row_at(d, s, *it);
            all = all && r != nullptr && r->reached;
          }
        if (all) b = *it;
      }
    }
    std::vector<double> slopes, ratios;
    for (const std::int64_t seed : seeds) {
      if (b <= 0) break;
      std::vector<double> x, y;
      bool ok = true;
      for (const auto& [d, w] : width_of) {
        const RunRow* r = row_at(d, seed, b);
        if (r == nullptr || !r->reached || !(r->iterations_to_target > 0)) {
          ok = false;
          break;
        }
        x.push_back(std::log(static_cast<double>(w)));
        y.push_back(std::log(r->iterations_to_target));
      }
      if (!ok) continue;
      slopes.push_back(ols_slope(x, y));
      ratios.push_back(std::log(row_at(widest_depth, seed, b)->iterations_to_target /
                                row_at(narrowest_depth, seed, b)->iterations_to_target));
    }
    const Interval iv = t_interval(slopes, confidence);
    Reading r;
    r.reading = "steps_at_large_batch";
    r.target_loss = target_loss;
    r.batch_size = std::max<std::int64_t>(b, 0);
    r.estimate = iv.mean;
    r.lower = iv.lower;
    r.upper = iv.upper;
    r.seeds_used = iv.n;
    r.seeds_total = static_cast<std::int64_t>(seeds.size());
    r.ratio = ratios.empty() ? kNaN : std::exp(t_interval(ratios, confidence).mean);
    if (iv.n >= 2 && iv.upper < 0)
      r.verdict = "holds";
    else if (iv.n >= 2 && iv.lower > -threshold)
      r.verdict = "fails";
    else
      r.verdict = "inconclusive";
    r.rule = "holds if the " + format_number(100 * confidence) +
             "% interval of d log steps / d log width at the batch is below 0; fails if it is above -" +
             format_number(threshold) + "; otherwise inconclusive";
    out.push_back(r);
  }
  return out;
}

}  // namespace morpheus::sweep
