// Multi-seed width sweeps against independent computations: Student-t quantiles from tables, the critical-batch fit on
// synthetic steps/samples curves, aggregates and verdicts recomputed by hand, the learning-rate search checked from
// its own tuning rows and by single training runs, resumption after an interruption, the teacher generator against
// a loop-based forward pass, pooling by hand, and the diversity trajectory against gradient_diversity.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <set>

#include "core/errors.hpp"
#include "core/sweep/analysis.hpp"
#include "core/sweep/cost.hpp"
#include "core/sweep/data.hpp"
#include "core/sweep/diversity.hpp"
#include "core/sweep/mlp.hpp"
#include "core/sweep/stats.hpp"
#include "core/sweep/sweep.hpp"

using namespace morpheus::sweep;
using morpheus::RowMatrix;
using morpheus::Vector;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

morpheus::ErrorKind kind_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const morpheus::Error& e) {
    return e.kind();
  }
  return morpheus::ErrorKind::Internal;
}

Dataset blobs(std::int64_t n, std::int64_t d, int classes, std::uint64_t seed, double spread = 1.0) {
  Rng rng(seed);
  Dataset data;
  data.classes = classes;
  data.x.resize(n, d);
  data.y.resize(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    const int k = static_cast<int>(i % classes);
    data.y[static_cast<std::size_t>(i)] = k;
    for (std::int64_t j = 0; j < d; ++j) data.x(i, j) = spread * rng.normal() + (j == k % d ? 2.0 : 0.0);
  }
  return data;
}

// An evaluation row of a model curve: steps = s_min + e_min / B (n = 1024 rows).
RunRow model_row(std::int64_t depth, std::int64_t width, std::int64_t seed, std::int64_t b, double s_min, double e_min,
                 double target = 0.5) {
  RunRow r;
  r.depth = depth;
  r.width = width;
  r.params = 1000;
  r.batch_size = b;
  r.seed = seed;
  r.role = Role::Eval;
  r.learning_rate = 0.1;
  r.target_loss = target;
  r.reached = true;
  r.iterations_to_target = s_min + e_min / static_cast<double>(b);
  r.epochs_to_target = r.iterations_to_target * static_cast<double>(b) / 1024.0;
  return r;
}

}  // namespace

// ---- statistics --------------------------------------------------------------------------------------------------
TEST(SweepStats, StudentQuantilesMatchTables) {
  EXPECT_NEAR(t_quantile(0.975, 1), 12.706204736174707, 1e-9);
  EXPECT_NEAR(t_quantile(0.975, 2), 4.302652729749464, 1e-10);
  EXPECT_NEAR(t_quantile(0.975, 4), 2.7764451051977934, 1e-10);
  EXPECT_NEAR(t_quantile(0.975, 10), 2.2281388519862744, 1e-10);
  EXPECT_NEAR(t_quantile(0.95, 30), 1.6972608865939587, 1e-10);  // checked by quadrature of the density
  EXPECT_NEAR(t_quantile(0.025, 4), -2.7764451051977934, 1e-10);
  EXPECT_EQ(t_quantile(0.5, 3), 0.0);
  EXPECT_NEAR(t_quantile(0.975, 1e7), 1.959963984540054, 1e-6);  // the normal limit
  EXPECT_NEAR(incomplete_beta(1, 1, 0.3), 0.3, 1e-14);
  EXPECT_NEAR(incomplete_beta(2.5, 2.5, 0.5), 0.5, 1e-14);
  EXPECT_TRUE(std::isnan(t_quantile(1.0, 3)));
}

TEST(SweepStats, MediansIntervalsAndSlopes) {
  EXPECT_EQ(median({3, 1, 2}), 2);
  EXPECT_EQ(median({4, 1, 3, 2}), 2.5);
  EXPECT_EQ(median({1, kInf, 2}), 2);
  EXPECT_EQ(median({1, kInf}), kInf);
  EXPECT_TRUE(std::isnan(median({})));
  // 1..5: mean 3, sd sqrt(2.5), half-width t(0.975, 4) sd / sqrt(5).
  const Interval iv = t_interval({1, 2, 3, 4, 5});
  const double half = 2.7764451051977934 * std::sqrt(2.5) / std::sqrt(5.0);
  EXPECT_DOUBLE_EQ(iv.mean, 3);
  EXPECT_NEAR(iv.sd, std::sqrt(2.5), 1e-14);
  EXPECT_NEAR(iv.lower, 3 - half, 1e-9);
  EXPECT_NEAR(iv.upper, 3 + half, 1e-9);
  EXPECT_TRUE(std::isnan(t_interval({7}).lower));
  EXPECT_NEAR(ols_slope({0, 1, 2, 3}, {1, 3, 5, 7}), 2.0, 1e-14);
  EXPECT_TRUE(std::isnan(ols_slope({1, 1}, {2, 3})));
}

// ---- the critical batch --------------------------------------------------------------------------------------------
TEST(SweepFit, RecoversSminAndEminFromModelCurves) {
  const std::vector<double> b = {16, 32, 64, 128, 256, 512, 1024};
  for (const auto& [s_min, e_min] : std::vector<std::pair<double, double>>{{50, 20000}, {10, 90000}, {300, 3000}}) {
    std::vector<double> steps;
    for (double x : b) steps.push_back(s_min + e_min / x);
    const CriticalFit f = fit_critical_batch(b, steps);
    ASSERT_TRUE(f.valid);
    EXPECT_EQ(f.points, 7);
    EXPECT_NEAR(f.s_min, s_min, 1e-9 * s_min);
    EXPECT_NEAR(f.e_min, e_min, 1e-9 * e_min);
    EXPECT_NEAR(f.b_crit, e_min / s_min, 1e-9 * e_min / s_min);
  }
  // Multiplicative noise of 3%: the relative fit stays within 15% of B_crit = 400 over 20 seeded draws.
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    Rng rng(seed);
    std::vector<double> steps;
    for (double x : b) steps.push_back((50 + 20000 / x) * std::exp(0.03 * rng.normal()));
    const CriticalFit f = fit_critical_batch(b, steps);
    ASSERT_TRUE(f.valid);
    EXPECT_NEAR(f.b_crit, 400, 60) << "seed " << seed;
  }
  // Pure 1/B scaling (no saturation in the grid), rising steps, and too few points are not valid fits.
  std::vector<double> linear, rising;
  for (double x : b) {
    linear.push_back(20000 / x);
    rising.push_back(x);
  }
  linear.back() *= 0.9;  // S_min < 0
  EXPECT_FALSE(fit_critical_batch(b, linear).valid);
  EXPECT_FALSE(fit_critical_batch(b, rising).valid);
  EXPECT_FALSE(fit_critical_batch({64}, {100}).valid);
  EXPECT_FALSE(fit_critical_batch({64, 64}, {100, 110}).valid);
}

TEST(SweepFit, SlackRuleHasAFloorNearOnePointTwoB0) {
  const std::vector<std::int64_t> grid = {32, 64, 128, 256, 512, 1024, 2048};
  for (const double b_crit : {50.0, 200.0, 400.0, 460.0, 1000.0, 3000.0, 20000.0}) {
    const double s_min = 100, e_min = b_crit * s_min;
    std::vector<double> epochs;
    for (auto x : grid) epochs.push_back((s_min * static_cast<double>(x) + e_min) / 8192.0);
    const std::int64_t got = slack_critical_batch(grid, epochs, 0.2);
    // The largest grid point at or below 1.2 B0 + 0.2 B_crit.
    const double bound = slack_rule_bound(32, b_crit, 0.2);
    std::int64_t want = 0;
    for (auto x : grid)
      if (static_cast<double>(x) <= bound) want = x;
    EXPECT_EQ(got, want) << "B_crit " << b_crit;
    if (b_crit < 448) {
      EXPECT_LE(got, 64) << "the rule cannot tell B_crit = " << b_crit << " from 64";
    }
  }
  EXPECT_EQ(slack_critical_batch({32, 64}, {kInf, 1.0}, 0.2), 0);
  EXPECT_EQ(slack_critical_batch({32, 64, 128}, {1.0, kInf, 1.0}, 0.2), 32);
}

// ---- aggregates and the verdict, recomputed by hand ---------------------------------------------------------------
TEST(SweepAnalysis, AggregatesEqualHandComputations) {
  // Two depths (widths 400 and 100), three seeds, batches 16..1024; B_crit per (depth, seed) known exactly.
  const std::map<std::int64_t, std::int64_t> width = {{1, 400}, {4, 100}};
  const double crit[2][3] = {{800, 500, 640}, {200, 250, 160}};
  std::vector<RunRow> rows;
  for (int di = 0; di < 2; ++di)
    for (int s = 0; s < 3; ++s)
      for (std::int64_t b = 16; b <= 1024; b *= 2) {
        const std::int64_t depth = di == 0 ? 1 : 4;
        rows.push_back(model_row(depth, width.at(depth), s + 1, b, 40, 40 * crit[di][s]));
      }
  // A tuning row must be ignored by every reading.
  RunRow tune = model_row(1, 400, 101, 16, 1, 1);
  tune.role = Role::Tune;
  rows.push_back(tune);
  validate_results(rows);

  const FitReport fr = fit_report(rows, 0.2, 0.95);
  ASSERT_EQ(fr.seeds.size(), 6u);
  ASSERT_EQ(fr.depths.size(), 2u);
  for (const SeedFit& f : fr.seeds) {
    const double want = crit[f.depth == 1 ? 0 : 1][f.seed - 1];
    EXPECT_NEAR(f.fit.b_crit, want, 1e-8 * want);
    EXPECT_EQ(f.batches, 7);
  }
  for (int di = 0; di < 2; ++di) {
    const DepthFit& a = fr.depths[static_cast<std::size_t>(di)];
    double m = 0;
    for (double c : crit[di]) m += std::log(c) / 3;
    double ss = 0;
    for (double c : crit[di]) ss += (std::log(c) - m) * (std::log(c) - m);
    const double half = 4.302652729749464 * std::sqrt(ss / 2) / std::sqrt(3.0);
    EXPECT_EQ(a.valid, 3);
    EXPECT_NEAR(a.b_crit_geomean, std::exp(m), 1e-8 * std::exp(m));
    EXPECT_NEAR(a.b_crit_lower, std::exp(m - half), 1e-7 * std::exp(m));
    EXPECT_NEAR(a.b_crit_upper, std::exp(m + half), 1e-7 * std::exp(m));
    std::vector<double> sorted(crit[di], crit[di] + 3);
    std::sort(sorted.begin(), sorted.end());
    EXPECT_NEAR(a.b_crit_median, sorted[1], 1e-8 * sorted[1]);
  }

  // Summary of depth 1 at B = 64: steps 40 + 40 crit / 64 per seed.
  const std::vector<BatchSummary> sum = batch_summary(rows, 0.95);
  ASSERT_EQ(sum.size(), 14u);
  const BatchSummary& s64 = sum[2];
  ASSERT_EQ(s64.batch_size, 64);
  ASSERT_EQ(s64.depth, 1);
  std::vector<double> st;
  for (double c : crit[0]) st.push_back(40 + 40 * c / 64);
  double lm = 0;
  for (double v : st) lm += std::log(v) / 3;
  std::sort(st.begin(), st.end());
  EXPECT_NEAR(s64.steps_median, st[1], 1e-9);
  EXPECT_NEAR(s64.steps_geomean, std::exp(lm), 1e-9 * std::exp(lm));
  EXPECT_EQ(s64.reached, 3);

  // The verdict: per seed, slope = log(crit_wide / crit_deep) / log(400 / 100); mean and t-interval over seeds.
  const std::vector<Reading> v = width_verdict(rows, 0.5);
  ASSERT_EQ(v.size(), 2u);
  std::vector<double> slopes;
  for (int s = 0; s < 3; ++s) slopes.push_back(std::log(crit[0][s] / crit[1][s]) / std::log(4.0));
  const Interval iv = t_interval(slopes);
  EXPECT_EQ(v[0].reading, "critical_batch");
  EXPECT_NEAR(v[0].estimate, iv.mean, 1e-8);
  EXPECT_NEAR(v[0].lower, iv.lower, 1e-7);
  EXPECT_NEAR(v[0].upper, iv.upper, 1e-7);
  EXPECT_EQ(v[0].seeds_used, 3);
  EXPECT_EQ(v[0].verdict, iv.lower > 0 ? "holds" : (iv.upper < 0.15 ? "fails" : "inconclusive"));
  EXPECT_EQ(v[0].verdict, "holds");
  // Steps at the largest batch (1024, reached everywhere): slope of log steps.
  EXPECT_EQ(v[1].reading, "steps_at_large_batch");
  EXPECT_EQ(v[1].batch_size, 1024);
  std::vector<double> ss;
  for (int s = 0; s < 3; ++s)
    ss.push_back(std::log((40 + 40 * crit[0][s] / 1024) / (40 + 40 * crit[1][s] / 1024)) / std::log(4.0));
  EXPECT_NEAR(v[1].estimate, t_interval(ss).mean, 1e-9);
  EXPECT_EQ(v[1].verdict, t_interval(ss).lower > -0.15 ? "fails" : "inconclusive");

  // No width effect (the same B_CRIT at both depths, seed noise only): the interval straddles 0 and lies below 0.15.
  std::vector<RunRow> flat;
  const double c2[3] = {300, 310, 290};
  for (std::int64_t depth : {1, 4})
    for (int s = 0; s < 3; ++s)
      for (std::int64_t b = 16; b <= 1024; b *= 2)
        flat.push_back(model_row(depth, width.at(depth), s + 1, b, 40, 40 * c2[s] * (depth == 1 ? 1.0 : 1.01)));
  EXPECT_EQ(width_verdict(flat, 0.5)[0].verdict, "fails");
  // Bad calls.
  EXPECT_EQ(kind_of([&] { width_verdict(rows, 0.7); }), morpheus::ErrorKind::InvalidParameter);
  std::vector<RunRow> dup = rows;
  dup.push_back(rows.front());
  EXPECT_EQ(kind_of([&] { validate_results(dup); }), morpheus::ErrorKind::InvalidParameter);
}

// ---- training with several targets ---------------------------------------------------------------------------------
TEST(SweepTrain, SeveralTargetsFromOneCurveEqualSeparateRuns) {
  const Dataset data = blobs(200, 6, 3, 29, 0.5);
  TrainOptions opt;
  opt.batch_size = 16;
  opt.learning_rate = 0.1;
  opt.max_epochs = 20;
  opt.targets = {0.3, 0.1};
  Network a(Arch{6, 3, 2, 16, Family::Mlp}, 31);
  const TrainResult both = train(a, data, opt);
  ASSERT_EQ(both.hits.size(), 2u);
  for (std::size_t k = 0; k < 2; ++k) {
    Network b(Arch{6, 3, 2, 16, Family::Mlp}, 31);
    TrainOptions one = opt;
    one.targets.clear();
    one.target_loss = opt.targets[k];
    const TrainResult r = train(b, data, one);
    ASSERT_TRUE(r.reached);
    EXPECT_TRUE(both.hits[k].reached);
    EXPECT_EQ(both.hits[k].epochs, r.epochs_to_target);
    EXPECT_EQ(both.hits[k].iterations, r.iterations_to_target);
  }
  EXPECT_LT(both.hits[0].epochs, both.hits[1].epochs);
  // Cut-offs: target 0.1 cut at 0.5 epochs stops the run (0.3 reached or cut too).
  Network c(Arch{6, 3, 2, 16, Family::Mlp}, 31);
  opt.target_cutoffs = {0.25, 0.5};
  const TrainResult cut = train(c, data, opt);
  EXPECT_TRUE(cut.stopped_early);
  EXPECT_FALSE(cut.hits[1].reached);
  EXPECT_GE(cut.curve.back().epoch, 0.5);
  // A cut-off of -1 on an unreached target never stops the run.
  Network d(Arch{6, 3, 2, 16, Family::Mlp}, 31);
  opt.target_cutoffs = {0.25, -1};
  const TrainResult nocut = train(d, data, opt);
  EXPECT_FALSE(nocut.stopped_early);
  EXPECT_EQ(nocut.hits[1].epochs, both.hits[1].epochs);
}

// ---- the sweep driver ----------------------------------------------------------------------------------------------
namespace {

SweepOptions small_sweep() {
  SweepOptions o;
  o.param_budget = 400;
  o.depths = {1, 3};
  o.batch_sizes = {40, 10, 120};
  o.seeds = {1, 2};
  o.tuning_seeds = {11, 12, 13};
  o.target_losses = {0.6, 0.35};
  o.learning_rate = 0.1;
  o.min_learning_rate = 0.0125;
  o.max_learning_rate = 1.6;
  o.max_epochs = 12;
  o.evals_per_epoch = 2;
  return o;
}

class Recorder final : public RunStore {
 public:
  std::vector<std::vector<RunRow>> puts;
  std::int64_t fail_after = -1;  // throw Interrupted at this put (simulated cancel)
  std::map<std::tuple<std::int64_t, std::int64_t, std::int64_t, int, double>, std::vector<RunRow>> saved;
  bool find(std::int64_t d, std::int64_t b, std::int64_t s, Role r, double lr, std::vector<RunRow>* rows) override {
    auto it = saved.find({d, b, s, static_cast<int>(r), lr});
    if (it == saved.end()) return false;
    *rows = it->second;
    return true;
  }
  void put(const std::vector<RunRow>& rows) override {
    if (fail_after >= 0 && static_cast<std::int64_t>(puts.size()) == fail_after) throw morpheus::Interrupted{};
    puts.push_back(rows);
    const RunRow& r = rows.front();
    saved[{r.depth, r.batch_size, r.seed, static_cast<int>(r.role), r.learning_rate}] = rows;
  }
};

}  // namespace

TEST(SweepDriver, SearchEvaluationAndRowsAreConsistent) {
  const Dataset data = blobs(240, 8, 3, 47, 0.9);
  const SweepOptions opt = small_sweep();
  Recorder rec;
  const std::vector<RunRow> rows = width_sweep(data, opt, &rec);
  std::size_t put_rows = 0;
  for (const auto& p : rec.puts) put_rows += p.size();
  EXPECT_EQ(put_rows, rows.size());
  // Evaluation rows: one per (depth, batch, seed, target).
  std::int64_t evals = 0;
  for (const RunRow& r : rows) evals += r.role == Role::Eval;
  EXPECT_EQ(evals, 2 * 3 * 2 * 2);
  for (const RunRow& r : rows) {
    EXPECT_EQ(r.width, width_for_budget(8, 3, r.depth, 400));
    EXPECT_EQ(r.params, param_count(8, 3, r.depth, r.width));
    EXPECT_GE(r.learning_rate, opt.min_learning_rate);
    EXPECT_LE(r.learning_rate, opt.max_learning_rate);
    if (r.reached) {
      EXPECT_NEAR(r.iterations_to_target, r.epochs_to_target * 240 / r.batch_size, 1e-9);
    }
  }
  // For each (depth, batch, target): the evaluated rate minimizes the median over tuning seeds of the tuning rows'
  // epochs (unreached = inf), both neighbours of it were tried unless flagged at an edge, and every evaluation row is
  // reproduced by one independent training run.
  using K = std::tuple<std::int64_t, std::int64_t, double>;
  std::map<K, std::map<double, std::vector<double>>> tuned;
  std::map<K, double> chosen;
  std::map<K, bool> edge;
  for (const RunRow& r : rows) {
    const K k{r.depth, r.batch_size, r.target_loss};
    if (r.role == Role::Tune)
      tuned[k][r.learning_rate].push_back(r.reached ? r.epochs_to_target : kInf);
    else {
      chosen[k] = r.learning_rate;
      edge[k] = r.rate_at_edge;
    }
  }
  ASSERT_EQ(chosen.size(), 12u);
  for (const auto& [k, rate] : chosen) {
    const auto& by_rate = tuned[k];
    ASSERT_TRUE(by_rate.count(rate));
    const double best = median(by_rate.at(rate));
    for (const auto& [r2, v] : by_rate) {
      EXPECT_EQ(v.size(), 3u);
      EXPECT_GE(median(v), best) << "rate " << r2 << " beats the chosen " << rate;
    }
    const bool both = by_rate.count(rate * 2) && by_rate.count(rate / 2);
    EXPECT_EQ(edge[k], !both);
    if (!both) {
      EXPECT_TRUE(rate * 2 > opt.max_learning_rate || rate / 2 < opt.min_learning_rate);
    }
  }
  for (const RunRow& r : rows) {
    if (r.role != Role::Eval) continue;
    Network net(Arch{8, 3, r.depth, r.width, Family::Mlp}, static_cast<std::uint64_t>(r.seed));
    TrainOptions t;
    t.batch_size = r.batch_size;
    t.learning_rate = r.learning_rate;
    t.max_epochs = opt.max_epochs;
    t.evals_per_epoch = opt.evals_per_epoch;
    t.target_loss = r.target_loss;
    t.seed = static_cast<std::uint64_t>(r.seed);
    const TrainResult one = train(net, data, t);
    EXPECT_EQ(one.reached, r.reached);
    if (r.reached) {
      EXPECT_EQ(one.epochs_to_target, r.epochs_to_target);
    }
  }
  // Warm start: the first rate tried at each batch after the first is the best rate (first target) of the previous
  // batch.
  std::map<std::int64_t, std::vector<const RunRow*>> by_depth;
  for (const RunRow& r : rows)
    if (r.role == Role::Tune && r.target_loss == 0.6) by_depth[r.depth].push_back(&r);
  for (const auto& [depth, list] : by_depth) {
    EXPECT_EQ(list.front()->learning_rate, opt.learning_rate);
    std::int64_t prev_b = list.front()->batch_size;
    for (const RunRow* r : list)
      if (r->batch_size != prev_b) {
        EXPECT_EQ(r->learning_rate, chosen.at(K{depth, prev_b, 0.6}));
        prev_b = r->batch_size;
      }
  }
}

TEST(SweepDriver, AnInterruptedSweepResumesToTheSameRows) {
  const Dataset data = blobs(240, 8, 3, 47, 0.9);
  SweepOptions opt = small_sweep();
  opt.depths = {2};
  opt.target_losses = {0.6};
  Recorder full;
  const std::vector<RunRow> want = width_sweep(data, opt, &full);
  Recorder cut;
  cut.fail_after = 7;
  EXPECT_THROW(width_sweep(data, opt, &cut), morpheus::Interrupted);
  EXPECT_EQ(cut.puts.size(), 7u);  // the finished runs were handed over before the interruption
  cut.fail_after = -1;
  const std::vector<RunRow> again = width_sweep(data, opt, &cut);
  EXPECT_EQ(cut.puts.size(), full.puts.size());  // only the missing runs ran
  ASSERT_EQ(again.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(again[i].learning_rate, want[i].learning_rate);
    EXPECT_EQ(again[i].seed, want[i].seed);
    EXPECT_EQ(again[i].reached, want[i].reached);
    EXPECT_EQ(again[i].epochs_to_target, want[i].epochs_to_target);
  }
  // More evaluation seeds later: the tuning runs are reused, only the new seed's runs are new.
  opt.seeds = {1, 2, 3};
  Recorder more = cut;
  const std::size_t before = more.puts.size();
  width_sweep(data, opt, &more);
  EXPECT_EQ(more.puts.size() - before, 3u);  // one evaluation run per batch size
  EXPECT_EQ(sweep_settings(opt, data), sweep_settings(small_sweep().depths == opt.depths ? opt : opt, data));
  SweepOptions other = opt;
  other.max_epochs = 13;
  EXPECT_NE(sweep_settings(opt, data), sweep_settings(other, data));
  other = opt;
  other.seeds = {9};
  other.depths = {1, 5};
  EXPECT_EQ(sweep_settings(opt, data), sweep_settings(other, data));  // depths and seeds do not change a run
}

TEST(SweepDriver, EvaluationSubsetIsFixedAndUsed) {
  const std::vector<std::int64_t> a = evaluation_rows(100, 30), b = evaluation_rows(100, 30);
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.size(), 30u);
  EXPECT_TRUE(std::is_sorted(a.begin(), a.end()));
  EXPECT_EQ(std::set<std::int64_t>(a.begin(), a.end()).size(), 30u);
  EXPECT_EQ(evaluation_rows(10, 0).size(), 10u);
  // The loss a sweep reads is the subset's: the first curve point equals the initial network's loss on the subset.
  const Dataset data = blobs(120, 5, 3, 3);
  Network net(Arch{5, 3, 1, 6, Family::Mlp}, 1);
  const Dataset sub = subset(data, evaluation_rows(120, 40));
  TrainOptions t;
  t.batch_size = 10;
  t.max_epochs = 1;
  t.eval_data = &sub;
  Network copy = net;
  const TrainResult r = train(copy, data, t);
  EXPECT_EQ(r.curve.front().loss, evaluate(net, sub, LossKind::CrossEntropy).loss);
}

TEST(SweepDriver, RejectsBadOptions) {
  const Dataset data = blobs(50, 4, 3, 53);
  SweepOptions opt = small_sweep();
  opt.batch_sizes = {8};
  auto bad = [&](const std::function<void(SweepOptions&)>& edit) {
    SweepOptions o = opt;
    edit(o);
    return kind_of([&] { validate_sweep(o, data); });
  };
  EXPECT_EQ(bad([](SweepOptions&) {}), morpheus::ErrorKind::Internal);  // no error
  EXPECT_EQ(bad([](SweepOptions& o) { o.param_budget = 10; }), morpheus::ErrorKind::InvalidParameter);
  EXPECT_EQ(bad([](SweepOptions& o) { o.depths.clear(); }), morpheus::ErrorKind::InvalidParameter);
  EXPECT_EQ(bad([](SweepOptions& o) { o.batch_sizes = {0}; }), morpheus::ErrorKind::InvalidParameter);
  EXPECT_EQ(bad([](SweepOptions& o) { o.batch_sizes = {51}; }), morpheus::ErrorKind::InvalidParameter);
  EXPECT_EQ(bad([](SweepOptions& o) { o.seeds = {1, 11}; }), morpheus::ErrorKind::InvalidParameter);
  EXPECT_EQ(bad([](SweepOptions& o) { o.seeds.clear(); }), morpheus::ErrorKind::InvalidParameter);
  EXPECT_EQ(bad([](SweepOptions& o) { o.tuning_seeds = {3, 3}; }), morpheus::ErrorKind::InvalidParameter);
  EXPECT_EQ(bad([](SweepOptions& o) { o.target_losses = {-1}; }), morpheus::ErrorKind::InvalidParameter);
  EXPECT_EQ(bad([](SweepOptions& o) { o.learning_rate = 10; }), morpheus::ErrorKind::InvalidParameter);
  EXPECT_EQ(bad([](SweepOptions& o) { o.depths = {2, 2}; }), morpheus::ErrorKind::InvalidParameter);
  EXPECT_EQ(bad([](SweepOptions& o) { o.max_epochs = 0; }), morpheus::ErrorKind::InvalidParameter);
  EXPECT_EQ(bad([](SweepOptions& o) { o.eval_rows = 51; }), morpheus::ErrorKind::InvalidParameter);
  EXPECT_EQ(bad([](SweepOptions& o) { o.residual_scale = -1; }), morpheus::ErrorKind::InvalidParameter);
}

TEST(SweepCost, CountsRunsAndWork) {
  SweepOptions opt = small_sweep();
  const std::vector<CostRow> rows = sweep_cost(240, 8, 3, opt, 0, 3.5, 1);
  ASSERT_EQ(rows.size(), 6u);
  for (const CostRow& c : rows) {
    EXPECT_DOUBLE_EQ(c.runs, 3.5 * 3 + 2);
    EXPECT_DOUBLE_EQ(c.epochs_per_run, 12);
    Network net(Arch{8, 3, c.depth, c.width, Family::Mlp}, 1);
    const double fwd = 2.0 * static_cast<double>(net.parameters() - (c.depth * c.width + 3));  // weights only
    EXPECT_NEAR(c.gflop, c.runs * 12 * (3 * fwd * 240 + 2 * fwd * 240) / 1e9, 1e-12);
    EXPECT_GT(c.minutes, 0);
    EXPECT_NEAR(c.minutes, c.runs * 12 * c.ms_per_epoch / 60000, 1e-12);
  }
  EXPECT_DOUBLE_EQ(sweep_cost(240, 8, 3, opt, 5, 3, 1)[0].epochs_per_run, 5);
}

// ---- data ----------------------------------------------------------------------------------------------------------
TEST(SweepData, TeacherLabelsAreTheTeachersArgmax) {
  TeacherOptions t;
  t.rows = 200;
  t.inputs = 5;
  t.classes = 4;
  t.depth = 2;
  t.width = 7;
  t.seed = 3;
  const Dataset d = teacher_classification(t);
  const Network teacher = teacher_network(t);
  std::vector<int> counts(4, 0);
  for (std::int64_t i = 0; i < d.rows(); ++i) {
    // A loop-based forward pass.
    std::vector<double> h(d.x.row(i).data(), d.x.row(i).data() + 5);
    for (std::size_t l = 0; l < teacher.w.size(); ++l) {
      std::vector<double> next(static_cast<std::size_t>(teacher.w[l].rows()));
      for (std::int64_t r = 0; r < teacher.w[l].rows(); ++r) {
        double s = teacher.b[l](r);
        for (std::int64_t c = 0; c < teacher.w[l].cols(); ++c) s += teacher.w[l](r, c) * h[static_cast<size_t>(c)];
        next[static_cast<std::size_t>(r)] = l + 1 < teacher.w.size() ? std::max(s, 0.0) : s;
      }
      h = next;
    }
    const int arg = static_cast<int>(std::max_element(h.begin(), h.end()) - h.begin());
    EXPECT_EQ(d.y[static_cast<std::size_t>(i)], arg);
    ++counts[static_cast<std::size_t>(arg)];
  }
  const Dataset again = teacher_classification(t);
  EXPECT_EQ(again.x, d.x);
  EXPECT_EQ(again.y, d.y);
  // Inputs are standard normal: mean near 0, variance near 1 over 1000 values.
  EXPECT_NEAR(d.x.mean(), 0.0, 0.1);
  EXPECT_NEAR((d.x.array() * d.x.array()).mean(), 1.0, 0.15);
  // Label noise 1: labels no longer follow the teacher (about 1/4 agree).
  t.label_noise = 1;
  const Dataset noisy = teacher_classification(t);
  EXPECT_EQ(noisy.x, d.x);
  int agree = 0;
  for (std::size_t i = 0; i < d.y.size(); ++i) agree += noisy.y[i] == d.y[i];
  EXPECT_LT(agree, 90);
  t.label_noise = 1.5;
  EXPECT_EQ(kind_of([&] { teacher_classification(t); }), morpheus::ErrorKind::InvalidParameter);
}

TEST(SweepData, PoolingByHand) {
  const double img[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  EXPECT_EQ(pool_image(img, 16, 4, 4, 2, PoolKind::Mean), (std::vector<double>{3.5, 5.5, 11.5, 13.5}));
  EXPECT_EQ(pool_image(img, 16, 4, 4, 2, PoolKind::Max), (std::vector<double>{6, 8, 14, 16}));
  EXPECT_EQ(pool_image(img, 16, 4, 4, 1, PoolKind::Mean), std::vector<double>(img, img + 16));
  // 3 x 5 by 2: blocks 2x2, 2x2, 2x1 / 1x2, 1x2, 1x1: (1+2+6+7)/4, (3+4+8+9)/4, (5+10)/2, (11+12)/2, ...
  const double r[15] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
  EXPECT_EQ(pool_image(r, 15, 3, 5, 2, PoolKind::Mean), (std::vector<double>{4, 6, 7.5, 11.5, 13.5, 15}));
  EXPECT_EQ(kind_of([&] { pool_image(img, 16, 4, 5, 2, PoolKind::Mean); }), morpheus::ErrorKind::InvalidParameter);
  EXPECT_EQ(kind_of([&] { pool_image(img, 16, 4, 4, 0, PoolKind::Mean); }), morpheus::ErrorKind::InvalidParameter);
  EXPECT_EQ(kind_of([] { parse_pool("median"); }), morpheus::ErrorKind::InvalidParameter);
}

TEST(SweepData, TorchInitializationIsUniformWithinItsBound) {
  Network net(Arch{50, 3, 2, 40, Family::Mlp}, 5, Init::Torch);
  for (std::size_t l = 0; l < net.w.size(); ++l) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(net.w[l].cols()));
    EXPECT_LE(net.w[l].cwiseAbs().maxCoeff(), bound);
    EXPECT_LE(net.b[l].cwiseAbs().maxCoeff(), bound);
    EXPECT_GT(net.b[l].cwiseAbs().maxCoeff(), 0.0);
    // Uniform on [-u, u]: mean square u^2 / 3.
    EXPECT_NEAR(net.w[l].squaredNorm() / static_cast<double>(net.w[l].size()), bound * bound / 3, 0.15 * bound * bound);
  }
  // forward_outputs equals the rows of a forward pass.
  const Dataset data = blobs(2500, 50, 3, 9);
  const RowMatrix out = forward_outputs(net, data.x);
  Pass pass;
  RowMatrix x = data.x.middleRows(2400, 100);
  pass.forward(net, x, data.y.data() + 2400, LossKind::CrossEntropy);
  EXPECT_LT((out.middleRows(2400, 100) - pass.outputs()).cwiseAbs().maxCoeff(), 1e-12);
}

// ---- the diversity trajectory --------------------------------------------------------------------------------------
TEST(SweepDiversity, TrajectoryAndItsSummaries) {
  const Dataset data = blobs(90, 5, 3, 61);
  TrajectoryOptions opt;
  opt.arch = Arch{5, 3, 2, 6, Family::Mlp};
  opt.seeds = {1, 2, 3};
  opt.checkpoints = {0, 1, 2};
  opt.batch_size = 10;
  opt.learning_rate = 0.05;
  const std::vector<TrajectoryPoint> pts = diversity_trajectory(data, opt);
  ASSERT_EQ(pts.size(), 9u);
  // Checkpoint 0 is the initial network of the seed.
  for (int s = 1; s <= 3; ++s) {
    const Diversity d0 = gradient_diversity(Network(opt.arch, static_cast<std::uint64_t>(s)), data, opt.loss);
    EXPECT_EQ(pts[static_cast<std::size_t>(3 * (s - 1))].diversity.batch_size_bound, d0.batch_size_bound);
  }
  const std::vector<TrajectorySummary> sum = summarize_trajectory(pts, 0.95);
  ASSERT_EQ(sum.size(), 9u + 3 + 3 + 1);
  // Per seed: the mean over its checkpoints.
  for (int s = 0; s < 3; ++s) {
    const TrajectorySummary& ps = sum[9 + static_cast<std::size_t>(s)];
    EXPECT_TRUE(ps.has_seed && !ps.has_epoch);
    double m = 0;
    for (int c = 0; c < 3; ++c) m += pts[static_cast<std::size_t>(3 * s + c)].diversity.batch_size_bound / 3;
    EXPECT_NEAR(ps.batch_size_bound, m, 1e-12 * m);
  }
  // Per checkpoint: the t-interval over seeds.
  for (int c = 0; c < 3; ++c) {
    const TrajectorySummary& pc = sum[12 + static_cast<std::size_t>(c)];
    EXPECT_TRUE(!pc.has_seed && pc.has_epoch);
    std::vector<double> v;
    for (int s = 0; s < 3; ++s) v.push_back(pts[static_cast<std::size_t>(3 * s + c)].diversity.batch_size_bound);
    const Interval iv = t_interval(v);
    EXPECT_NEAR(pc.batch_size_bound, iv.mean, 1e-12 * iv.mean);
    EXPECT_NEAR(pc.bound_lower, iv.lower, 1e-9 * std::abs(iv.mean));
  }
  const TrajectorySummary& all = sum.back();
  EXPECT_TRUE(!all.has_seed && !all.has_epoch);
  EXPECT_NEAR(all.batch_size_bound, (sum[9].batch_size_bound + sum[10].batch_size_bound + sum[11].batch_size_bound) / 3,
              1e-12 * all.batch_size_bound);
  opt.checkpoints = {1, 0};
  EXPECT_EQ(kind_of([&] { diversity_trajectory(data, opt); }), morpheus::ErrorKind::InvalidParameter);
}
