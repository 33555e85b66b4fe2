#include "core/sweep/sweep.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>
#include <string>

#include "core/errors.hpp"
#include "core/interrupt.hpp"
#include "core/random.hpp"
#include "core/sweep/stats.hpp"

namespace morpheus::sweep {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr std::int64_t kMaxSeeds = 1000;
constexpr std::int64_t kMaxTargets = 16;
// Seed of the fixed evaluation subset (the same subset in every call).
constexpr std::uint64_t kEvalSubsetSeed = 0x6576616c73756273ULL;  // "evalsubs"

std::string num(std::int64_t v) { return std::to_string(v); }

template <class T>
void require_unique(std::vector<T> v, const char* arg) {
  std::sort(v.begin(), v.end());
  for (std::size_t i = 1; i < v.size(); ++i)
    if (v[i] == v[i - 1]) throw invalid_parameter(std::string(arg) + " lists a value twice", "List each value once.");
}

// FNV-1a over bytes.
struct Fnv {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  void bytes(const void* p, std::size_t n) {
    const auto* c = static_cast<const unsigned char*>(p);
    for (std::size_t i = 0; i < n; ++i) {
      h ^= c[i];
      h *= 0x100000001b3ULL;
    }
  }
  template <class T>
  void value(const T& v) {
    bytes(&v, sizeof v);
  }
  void text(const std::string& s) {
    value(s.size());
    bytes(s.data(), s.size());
  }
};

}  // namespace

const char* role_name(Role r) { return r == Role::Tune ? "tune" : "eval"; }

void validate_sweep_grid(const SweepOptions& opt) {
  if (opt.param_budget < 1)
    throw invalid_parameter("param_budget = " + num(opt.param_budget) + " must be positive",
                            "Give the number of parameters every network should have.");
  if (opt.depths.empty()) throw invalid_parameter("depths is empty", "Give at least one depth, e.g. '{1,4}'.");
  if (opt.batch_sizes.empty())
    throw invalid_parameter("batch_sizes is empty", "Give at least one batch size, e.g. '{32,64,128}'.");
  if (opt.seeds.empty())
    throw invalid_parameter("seeds is empty", "Give at least one evaluation seed, e.g. '{1,2,3}'.");
  if (opt.tuning_seeds.empty())
    throw invalid_parameter("tuning_seeds is empty", "Give at least one tuning seed, e.g. '{101,102,103}'.");
  if (static_cast<std::int64_t>(opt.seeds.size()) > kMaxSeeds ||
      static_cast<std::int64_t>(opt.tuning_seeds.size()) > kMaxSeeds)
    throw Error(ErrorKind::LimitExceeded, "more than " + num(kMaxSeeds) + " seeds", "Use fewer seeds per call.");
  if (opt.target_losses.empty())
    throw invalid_parameter("target_losses is empty", "Give at least one training-loss target, e.g. '{0.5}'.");
  if (static_cast<std::int64_t>(opt.target_losses.size()) > kMaxTargets)
    throw invalid_parameter("target_losses has " + num(static_cast<std::int64_t>(opt.target_losses.size())) +
                                " values, more than " + num(kMaxTargets),
                            "Give a few targets.");
  for (auto d : opt.depths)
    if (d < 1 || d > kMaxDepth)
      throw invalid_parameter("depths contains " + num(d) + ", outside 1.." + num(kMaxDepth),
                              "Depths count hidden layers and must be positive.");
  for (auto b : opt.batch_sizes)
    if (b < 1)
      throw invalid_parameter("batch_sizes contains " + num(b) + ", which is not positive",
                              "Batch sizes must be positive and at most the number of training rows.");
  for (auto t : opt.target_losses)
    if (!(t >= 0) || !std::isfinite(t))
      throw invalid_parameter("target_losses contains " + format_number(t) + ", which is not non-negative and finite",
                              "Give the training-loss thresholds the runs race to.");
  require_unique(opt.depths, "depths");
  require_unique(opt.batch_sizes, "batch_sizes");
  require_unique(opt.seeds, "seeds");
  require_unique(opt.tuning_seeds, "tuning_seeds");
  require_unique(opt.target_losses, "target_losses");
  for (auto s : opt.seeds)
    if (std::find(opt.tuning_seeds.begin(), opt.tuning_seeds.end(), s) != opt.tuning_seeds.end())
      throw invalid_parameter("seed " + num(s) + " is both a tuning seed and an evaluation seed",
                              "Held-out evaluation needs seeds and tuning_seeds to be disjoint.");
  auto rate_ok = [](double r) { return r > 0 && std::isfinite(r); };
  if (!rate_ok(opt.learning_rate) || !rate_ok(opt.min_learning_rate) || !rate_ok(opt.max_learning_rate))
    throw invalid_parameter("learning_rate, min_learning_rate and max_learning_rate must be positive and finite",
                            "The search starts at learning_rate and stays within [min_learning_rate, "
                            "max_learning_rate].");
  if (!(opt.min_learning_rate <= opt.learning_rate && opt.learning_rate <= opt.max_learning_rate))
    throw invalid_parameter("learning_rate = " + format_number(opt.learning_rate) + " is outside [" +
                                format_number(opt.min_learning_rate) + ", " + format_number(opt.max_learning_rate) +
                                "]",
                            "Start the search within the allowed range.");
  if (!(opt.max_epochs > 0) || !std::isfinite(opt.max_epochs) || opt.max_epochs > 1e6)
    throw invalid_parameter("max_epochs = " + format_number(opt.max_epochs) + " must be positive",
                            "Cap the runs at a positive number of epochs.");
  if (opt.evals_per_epoch < 1 || opt.evals_per_epoch > 1000)
    throw invalid_parameter("evals_per_epoch = " + num(opt.evals_per_epoch) + " is outside 1..1000",
                            "Evaluate the training loss 1 to 1000 times per epoch.");
  if (opt.eval_rows < 0)
    throw invalid_parameter("eval_rows = " + num(opt.eval_rows) + " must be positive",
                            "Pass NULL to evaluate the loss on every training row.");
  if (!(opt.residual_scale > 0) || !std::isfinite(opt.residual_scale) || opt.residual_scale > 1e6)
    throw invalid_parameter("residual_scale = " + format_number(opt.residual_scale) + " is outside (0, 1e6]",
                            "Use 1, or e.g. 1/sqrt(depth).");
}

void validate_sweep(const SweepOptions& opt, const Dataset& data) {
  validate_sweep_grid(opt);
  for (auto b : opt.batch_sizes)
    if (b > data.rows())
      throw invalid_parameter(
          "batch_sizes contains " + num(b) + ", outside 1.." + num(data.rows()) + " (the number of rows of source)",
          "Batch sizes must be positive and at most the number of training rows.");
  if (opt.eval_rows > data.rows())
    throw invalid_parameter(
        "eval_rows = " + num(opt.eval_rows) + " exceeds the " + num(data.rows()) + " rows of source",
        "Use at most the number of training rows, or NULL for all of them.");
  for (auto d : opt.depths) {
    Arch a{data.x.cols(), data.classes,      d, width_for_budget(data.x.cols(), data.classes, d, opt.param_budget),
           opt.family,    opt.residual_scale};
    validate_arch(a);
  }
}

std::vector<std::int64_t> evaluation_rows(std::int64_t n, std::int64_t eval_rows) {
  std::vector<std::int64_t> idx(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) idx[static_cast<std::size_t>(i)] = i;
  if (eval_rows <= 0 || eval_rows >= n) return idx;
  Rng rng(kEvalSubsetSeed);
  rng.shuffle(idx.begin(), idx.end());
  idx.resize(static_cast<std::size_t>(eval_rows));
  std::sort(idx.begin(), idx.end());
  return idx;
}

std::string sweep_settings(const SweepOptions& opt, const Dataset& data) {
  Fnv f;
  f.text("morpheus.width_sweep.v1");
  f.value(data.rows());
  f.value(data.x.cols());
  f.value(data.classes);
  f.bytes(data.x.data(), static_cast<std::size_t>(data.x.size()) * sizeof(double));
  f.bytes(data.y.data(), data.y.size() * sizeof(int));
  f.value(opt.param_budget);
  std::vector<std::int64_t> batches = opt.batch_sizes;
  std::sort(batches.begin(), batches.end());
  for (auto b : batches) f.value(b);
  f.text("|");
  for (auto s : opt.tuning_seeds) f.value(s);
  f.text("|");
  for (auto t : opt.target_losses) f.value(t);
  f.text("|");
  f.value(opt.learning_rate);
  f.value(opt.min_learning_rate);
  f.value(opt.max_learning_rate);
  f.value(opt.max_epochs);
  f.text(family_name(opt.family));
  f.text(init_name(opt.init));
  f.value(opt.residual_scale);
  f.text(loss_name(opt.loss));
  f.value(opt.evals_per_epoch);
  f.value(opt.eval_rows <= 0 || opt.eval_rows >= data.rows() ? std::int64_t{0} : opt.eval_rows);
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(f.h));
  return buf;
}

namespace {

// One run (depth, batch, seed, rate) for a set of targets, with optional per-target cut-offs.
struct Runner {
  const Dataset& data;
  const Dataset* eval_data;
  const SweepOptions& opt;
  RunStore* store;
  Progress* progress;
  std::vector<RunRow>* out;
  std::int64_t done = 0;
  std::int64_t estimate = 0;

  std::vector<RunRow> run(const Arch& arch, std::int64_t depth, std::int64_t batch, std::int64_t seed, Role role,
                          double rate, const std::vector<double>& targets, const std::vector<double>& cutoffs,
                          const std::vector<bool>& edge = {}) {
    std::vector<RunRow> rows;
    std::vector<RunRow> found;
    if (store != nullptr && store->find(depth, batch, seed, role, rate, &found)) {
      // Reuse when every target has its row (stores need not keep the order).
      for (const double t : targets)
        for (const RunRow& r : found)
          if (r.target_loss == t) {
            rows.push_back(r);
            break;
          }
      if (rows.size() == targets.size()) {
        tick(rows);
        return rows;
      }
    }
    rows.clear();
    check_interrupts();
    const auto t0 = std::chrono::steady_clock::now();
    // The initial network of this seed (paired across batch sizes and rates), built only when the run is trained.
    Network net(arch, static_cast<std::uint64_t>(seed), opt.init);
    TrainOptions t;
    t.batch_size = batch;
    t.learning_rate = rate;
    t.max_epochs = opt.max_epochs;
    t.targets = targets;
    t.target_cutoffs = cutoffs;
    t.evals_per_epoch = opt.evals_per_epoch;
    t.loss = opt.loss;
    t.seed = static_cast<std::uint64_t>(seed);
    t.eval_data = eval_data;
    const TrainResult r = train(net, data, t);
    const double run_ms = 1000.0 * std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    for (std::size_t k = 0; k < targets.size(); ++k) {
      RunRow row;
      row.depth = depth;
      row.width = arch.width;
      row.params = net.parameters();
      row.batch_size = batch;
      row.seed = seed;
      row.role = role;
      row.learning_rate = rate;
      row.target_loss = targets[k];
      row.reached = r.hits[k].reached;
      row.epochs_to_target = r.hits[k].reached ? r.hits[k].epochs : 0;
      row.iterations_to_target = r.hits[k].reached ? r.hits[k].iterations : 0;
      row.final_loss = r.diverged || !std::isfinite(r.final_loss) ? kInf : r.final_loss;
      row.epochs_run =
          static_cast<double>(r.iterations) * static_cast<double>(batch) / static_cast<double>(data.rows());
      row.diverged = r.diverged;
      row.stopped_early = r.stopped_early;
      row.rate_at_edge = k < edge.size() && edge[k];
      row.train_ms = 1000.0 * r.train_seconds;
      row.run_ms = run_ms;
      row.train_gflop = r.train_flops / 1e9;
      rows.push_back(row);
    }
    if (store != nullptr) store->put(rows);
    tick(rows);
    return rows;
  }

  void tick(const std::vector<RunRow>& rows) {
    out->insert(out->end(), rows.begin(), rows.end());
    ++done;
    estimate = std::max(estimate, done);
    if (progress != nullptr) progress->step(done, estimate, rows.empty() ? 0.0 : rows.front().final_loss);
  }
};

// The tuning statistics of one rate: per target, the median epochs over the tuning seeds (+inf = not reached, cut or
// diverged), and the median final loss (tie-break among rates that reached no target).
struct Score {
  double rate = 0;
  std::vector<double> epochs;
  double final_loss = kInf;
};

bool better(const Score& a, const Score& b, std::size_t t) {
  if (a.epochs[t] < b.epochs[t]) return true;
  if (std::isinf(a.epochs[t]) && std::isinf(b.epochs[t])) return a.final_loss < b.final_loss;
  return false;
}

}  // namespace

std::vector<RunRow> width_sweep(const Dataset& data, const SweepOptions& opt, RunStore* store, Progress* progress) {
  validate_dataset(data);
  validate_sweep(opt, data);
  std::vector<std::int64_t> batches = opt.batch_sizes;
  std::sort(batches.begin(), batches.end());
  const std::vector<double>& targets = opt.target_losses;
  const std::size_t nt = targets.size();

  Dataset eval_subset;
  const Dataset* eval_data = nullptr;
  if (opt.eval_rows > 0 && opt.eval_rows < data.rows()) {
    eval_subset = subset(data, evaluation_rows(data.rows(), opt.eval_rows));
    eval_data = &eval_subset;
  }
  std::vector<RunRow> rows;
  Runner runner{data, eval_data, opt, store, progress, &rows};
  runner.estimate =
      static_cast<std::int64_t>(opt.depths.size() * batches.size() * (3 * opt.tuning_seeds.size() + opt.seeds.size()));
  const std::size_t k = opt.tuning_seeds.size();

  for (const std::int64_t depth : opt.depths) {
    const Arch arch{data.x.cols(), data.classes,
                    depth,         width_for_budget(data.x.cols(), data.classes, depth, opt.param_budget),
                    opt.family,    opt.residual_scale};
    double start = opt.learning_rate;
    for (const std::int64_t batch : batches) {
      // ---- tuning ----
      std::map<double, Score> scores;
      std::vector<double> best(nt, 0.0);  // best rate per target
      std::vector<bool> have(nt, false);
      auto evaluate_rate = [&](double rate) -> std::vector<bool> {
        // Cut-offs: a tuning run can stop once it cannot beat the best median for any unreached target. With an odd
        // number of seeds the median is an order statistic (cut at the best median); with an even number it is a mean
        // of two (cut at twice the best median, beyond which the mean cannot be lower).
        std::vector<double> cutoffs(nt, -1.0);
        for (std::size_t t = 0; t < nt; ++t)
          if (have[t] && std::isfinite(scores[best[t]].epochs[t]))
            cutoffs[t] = scores[best[t]].epochs[t] * (k % 2 == 1 ? 1.0 : 2.0);
        Score s;
        s.rate = rate;
        std::vector<std::vector<double>> per_target(nt);
        std::vector<double> finals;
        for (const std::int64_t seed : opt.tuning_seeds) {
          const std::vector<RunRow> r = runner.run(arch, depth, batch, seed, Role::Tune, rate, targets, cutoffs);
          for (std::size_t t = 0; t < nt; ++t) {
            // A reached value beyond the cut-off is exact but cannot win; keep it.
            per_target[t].push_back(r[t].reached ? r[t].epochs_to_target : kInf);
          }
          finals.push_back(r[0].final_loss);
        }
        for (std::size_t t = 0; t < nt; ++t) s.epochs.push_back(median(per_target[t]));
        s.final_loss = median(finals);
        if (std::isnan(s.final_loss)) s.final_loss = kInf;
        scores[rate] = s;
        std::vector<bool> improved(nt, false);
        for (std::size_t t = 0; t < nt; ++t) {
          if (!have[t] || better(s, scores[best[t]], t)) {
            improved[t] = have[t];
            best[t] = rate;
            have[t] = true;
          }
        }
        return improved;
      };
      auto any = [](const std::vector<bool>& v) { return std::find(v.begin(), v.end(), true) != v.end(); };
      auto all = [](const std::vector<bool>& v) { return std::find(v.begin(), v.end(), false) == v.end(); };
      evaluate_rate(start);
      bool all_up = false;
      {
        double r = start * 2.0;
        bool first = true;
        while (r <= opt.max_learning_rate * (1 + 1e-12)) {
          const std::vector<bool> imp = evaluate_rate(r);
          if (first) all_up = all(imp);
          first = false;
          if (!any(imp)) break;
          r *= 2.0;
        }
      }
      if (!all_up) {
        double r = start / 2.0;
        while (r >= opt.min_learning_rate * (1 - 1e-12)) {
          if (!any(evaluate_rate(r))) break;
          r /= 2.0;
        }
      }
      // ---- evaluation on the held-out seeds, at each target's best rate ----
      std::vector<double> rates;
      for (std::size_t t = 0; t < nt; ++t)
        if (std::find(rates.begin(), rates.end(), best[t]) == rates.end()) rates.push_back(best[t]);
      for (const double rate : rates) {
        std::vector<double> tt;
        std::vector<bool> edge;
        for (std::size_t t = 0; t < nt; ++t)
          if (best[t] == rate) {
            tt.push_back(targets[t]);
            // The neighbour on either side was not tried: the search was stopped by a bound.
            edge.push_back(scores.count(rate * 2.0) == 0 || scores.count(rate / 2.0) == 0);
          }
        for (const std::int64_t seed : opt.seeds) {
          const std::size_t first = rows.size();
          runner.run(arch, depth, batch, seed, Role::Eval, rate, tt, std::vector<double>(tt.size(), -1.0), edge);
          // Reused rows carry the flag as stored; the search that led here is the same, so set it again.
          for (std::size_t j = first; j < rows.size(); ++j) rows[j].rate_at_edge = edge[j - first];
        }
      }
      start = best[0];
      runner.estimate = std::max(runner.estimate, runner.done);
    }
  }
  return rows;
}

}  // namespace morpheus::sweep
