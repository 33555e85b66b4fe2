#include "core/sweep/sweep.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "core/errors.hpp"
#include "core/interrupt.hpp"

namespace morpheus::sweep {

namespace {

std::string num(std::int64_t v) { return std::to_string(v); }

template <class T>
void require_unique(std::vector<T> v, const char* arg) {
  std::sort(v.begin(), v.end());
  for (std::size_t i = 1; i < v.size(); ++i)
    if (v[i] == v[i - 1]) throw invalid_parameter(std::string(arg) + " lists a value twice", "List each value once.");
}

}  // namespace

void validate_sweep_grid(const SweepOptions& opt) {
  if (opt.param_budget < 1)
    throw invalid_parameter("param_budget = " + num(opt.param_budget) + " must be positive",
                            "Give the number of parameters every network should have.");
  if (opt.depths.empty()) throw invalid_parameter("depths is empty", "Give at least one depth, e.g. '{1,4}'.");
  if (opt.batch_sizes.empty())
    throw invalid_parameter("batch_sizes is empty", "Give at least one batch size, e.g. '{32,64,128}'.");
  if (opt.learning_rates.empty())
    throw invalid_parameter("learning_rates is empty", "Give at least one learning rate, e.g. '{0.05,0.1,0.2}'.");
  for (auto d : opt.depths)
    if (d < 1 || d > kMaxDepth)
      throw invalid_parameter("depths contains " + num(d) + ", outside 1.." + num(kMaxDepth),
                              "Depths count hidden layers and must be positive.");
  for (auto b : opt.batch_sizes)
    if (b < 1)
      throw invalid_parameter("batch_sizes contains " + num(b) + ", which is not positive",
                              "Batch sizes must be positive and at most the number of training rows.");
  for (auto r : opt.learning_rates)
    if (!(r > 0) || !std::isfinite(r))
      throw invalid_parameter("learning_rates contains " + format_number(r) + ", which is not positive and finite",
                              "Learning rates must be positive, e.g. a log grid '{0.025,0.05,0.1,0.2}'.");
  require_unique(opt.depths, "depths");
  require_unique(opt.batch_sizes, "batch_sizes");
  require_unique(opt.learning_rates, "learning_rates");
  if (!(opt.target_loss >= 0) || !std::isfinite(opt.target_loss))
    throw invalid_parameter("target_loss = " + format_number(opt.target_loss) + " must be non-negative and finite",
                            "Give the training-loss threshold the runs race to.");
  if (!(opt.max_epochs > 0) || !std::isfinite(opt.max_epochs) || opt.max_epochs > 1e6)
    throw invalid_parameter("max_epochs = " + format_number(opt.max_epochs) + " must be positive",
                            "Cap the runs at a positive number of epochs.");
  if (opt.evals_per_epoch < 1 || opt.evals_per_epoch > 1000)
    throw invalid_parameter("evals_per_epoch = " + num(opt.evals_per_epoch) + " is outside 1..1000");
  if (!(opt.critical_slack >= 0) || !std::isfinite(opt.critical_slack))
    throw invalid_parameter("critical_slack = " + format_number(opt.critical_slack) + " must be non-negative",
                            "Use e.g. 0.2: B_crit is the largest batch needing at most 20% more epochs.");
  if (opt.diversity_rows < 0)
    throw invalid_parameter("diversity_rows = " + num(opt.diversity_rows) + " must be >= 0 (0 = all rows)");
}

void validate_sweep(const SweepOptions& opt, const Dataset& data) {
  validate_sweep_grid(opt);
  for (auto b : opt.batch_sizes)
    if (b > data.rows())
      throw invalid_parameter(
          "batch_sizes contains " + num(b) + ", outside 1.." + num(data.rows()) + " (the number of rows of data_sql)",
          "Batch sizes must be positive and at most the number of training rows.");
  // Every depth must fit the budget and the limits before anything runs.
  for (auto d : opt.depths) {
    Arch a{data.x.cols(), data.classes, d, width_for_budget(data.x.cols(), data.classes, d, opt.param_budget),
           opt.family};
    validate_arch(a);
  }
}

std::vector<SweepRow> width_sweep(const Dataset& data, const SweepOptions& opt, Progress* progress) {
  validate_dataset(data);
  validate_sweep(opt, data);
  std::vector<std::int64_t> batches = opt.batch_sizes;
  std::sort(batches.begin(), batches.end());
  // Largest rate first: a fast run found early lets the slower ones stop at its epoch count (ties keep the larger
  // rate).
  std::vector<double> rates = opt.learning_rates;
  std::sort(rates.begin(), rates.end(), [](double a, double b) { return a > b; });
  const std::int64_t total = static_cast<std::int64_t>(opt.depths.size() * batches.size() * opt.learning_rates.size());
  std::int64_t done = 0;
  std::vector<SweepRow> rows;
  for (const std::int64_t depth : opt.depths) {
    Arch arch{data.x.cols(), data.classes, depth,
              width_for_budget(data.x.cols(), data.classes, depth, opt.param_budget), opt.family};
    const Network init(arch, opt.seed);
    const Diversity div = gradient_diversity(init, data, opt.loss, opt.diversity_rows, opt.seed);
    const std::size_t first = rows.size();
    for (const std::int64_t bsz : batches) {
      SweepRow row;
      row.depth = depth;
      row.width = arch.width;
      row.params = init.parameters();
      row.batch_size = bsz;
      row.gradient_diversity = div.diversity;
      row.batch_size_bound = div.batch_size_bound;
      row.final_loss = std::numeric_limits<double>::quiet_NaN();
      bool have = false;
      for (const double lr : rates) {
        Network net = init;
        TrainOptions t;
        t.batch_size = bsz;
        t.learning_rate = lr;
        // A run that has not reached the target by the best epochs so far cannot win: stop it there.
        t.max_epochs = opt.max_epochs;
        if (row.reached) t.stop_after_epochs = row.epochs_to_target;
        if (row.reached && row.epochs_to_target <= 0) {
          ++done;
          if (progress != nullptr) progress->step(done, total, row.final_loss);
          continue;
        }
        t.target_loss = opt.target_loss;
        t.evals_per_epoch = opt.evals_per_epoch;
        t.loss = opt.loss;
        t.seed = opt.seed;
        const TrainResult r = train(net, data, t);
        row.train_ms += 1000.0 * r.train_seconds;
        row.train_flops += r.train_flops;
        if (r.diverged) ++row.diverged_rates;
        // Best: reached with the fewest epochs; otherwise the lowest final loss among runs that did not diverge.
        bool better = false;
        if (!r.diverged || !have) {
          if (!have)
            better = true;
          else if (r.reached != row.reached)
            better = r.reached;
          else if (r.reached)
            better = r.epochs_to_target < row.epochs_to_target;
          else
            better = r.final_loss < row.final_loss || std::isnan(row.final_loss);
        }
        if (better) {
          have = !r.diverged;
          row.best_learning_rate = lr;
          row.reached = r.reached;
          row.epochs_to_target = r.epochs_to_target;
          row.iterations_to_target = r.iterations_to_target;
          row.final_loss = r.diverged ? std::numeric_limits<double>::quiet_NaN() : r.final_loss;
        }
        ++done;
        if (progress != nullptr) progress->step(done, total, row.final_loss);
      }
      rows.push_back(row);
    }
    // Speed-up against the smallest batch, and the critical batch size of this depth.
    SweepRow& base = rows[first];
    bool prefix_ok = base.reached;
    for (std::size_t i = first; i < rows.size(); ++i) {
      SweepRow& r = rows[i];
      if (base.reached && r.reached && r.iterations_to_target > 0) {
        r.has_speedup = true;
        r.speedup = base.iterations_to_target / r.iterations_to_target;
        r.efficiency = r.speedup * static_cast<double>(base.batch_size) / static_cast<double>(r.batch_size);
      }
      prefix_ok =
          prefix_ok && r.reached && r.epochs_to_target <= (1.0 + opt.critical_slack) * base.epochs_to_target + 1e-12;
      if (prefix_ok) {
        base.has_critical = true;
        base.critical_batch_size = r.batch_size;
      }
    }
    for (std::size_t i = first; i < rows.size(); ++i) {
      rows[i].has_critical = base.has_critical;
      rows[i].critical_batch_size = base.critical_batch_size;
    }
    check_interrupts();
  }
  return rows;
}

}  // namespace morpheus::sweep
