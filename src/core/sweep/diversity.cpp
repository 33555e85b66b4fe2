#include "core/sweep/diversity.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "core/errors.hpp"

namespace morpheus::sweep {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}

std::vector<TrajectoryPoint> diversity_trajectory(const Dataset& data, const TrajectoryOptions& opt) {
  validate_dataset(data);
  validate_arch(opt.arch);
  if (opt.seeds.empty()) throw invalid_parameter("seeds is empty", "Give at least one seed, e.g. '{1,2,3}'.");
  if (opt.checkpoints.empty())
    throw invalid_parameter("checkpoints is empty", "Give the epochs to measure at, e.g. '{0,1,2,4}'.");
  for (std::size_t i = 0; i < opt.checkpoints.size(); ++i) {
    const double c = opt.checkpoints[i];
    if (!(c >= 0) || c > 1e6 || (i > 0 && !(c > opt.checkpoints[i - 1])))
      throw invalid_parameter("checkpoints must be ascending epochs in 0..1e6",
                              "List the epochs to measure at in increasing order, e.g. '{0,1,2,4}'.");
  }
  if (opt.sample_rows < 0 || opt.sample_rows == 1)
    throw invalid_parameter("sample_rows = " + std::to_string(opt.sample_rows) + " must be at least 2",
                            "Pass NULL to use every row.");
  std::vector<TrajectoryPoint> out;
  for (const std::int64_t seed : opt.seeds) {
    Network net(opt.arch, static_cast<std::uint64_t>(seed), opt.init);
    // One SGD stream per seed: train from checkpoint to checkpoint. Each leg restarts the data order with a stream of
    // the seed and the leg number, so the run is reproducible leg by leg.
    double at = 0;
    for (std::size_t i = 0; i < opt.checkpoints.size(); ++i) {
      const double c = opt.checkpoints[i];
      if (c > at) {
        TrainOptions t;
        t.batch_size = opt.batch_size;
        t.learning_rate = opt.learning_rate;
        t.max_epochs = c - at;
        t.evals_per_epoch = 1;
        t.loss = opt.loss;
        t.seed = Rng::stream(static_cast<std::uint64_t>(seed), i)();
        const TrainResult r = train(net, data, t);
        if (r.diverged)
          throw out_of_range("training diverged before checkpoint " + format_number(c) + " (seed " +
                                 std::to_string(seed) + ", learning_rate = " + format_number(opt.learning_rate) + ")",
                             "Use a smaller learning_rate.");
        at = c;
      }
      TrajectoryPoint p;
      p.seed = seed;
      p.epoch = c;
      p.diversity = gradient_diversity(net, data, opt.loss, opt.sample_rows, static_cast<std::uint64_t>(seed));
      out.push_back(p);
    }
  }
  return out;
}

std::vector<TrajectorySummary> summarize_trajectory(const std::vector<TrajectoryPoint>& points, double confidence) {
  std::vector<TrajectorySummary> out;
  std::map<std::int64_t, std::vector<const TrajectoryPoint*>> by_seed;
  std::map<double, std::vector<const TrajectoryPoint*>> by_epoch;
  for (const TrajectoryPoint& p : points) {
    by_seed[p.seed].push_back(&p);
    by_epoch[p.epoch].push_back(&p);
    TrajectorySummary s;
    s.has_seed = s.has_epoch = true;
    s.seed = p.seed;
    s.epoch = p.epoch;
    s.samples = 1;
    s.mean_loss = p.diversity.loss;
    s.diversity = p.diversity.diversity;
    s.batch_size_bound = p.diversity.batch_size_bound;
    s.bound_sd = s.bound_lower = s.bound_upper = kNaN;
    out.push_back(s);
  }
  auto mean_of = [](const std::vector<const TrajectoryPoint*>& v, auto f) {
    double s = 0;
    for (const auto* p : v) s += f(*p);
    return s / static_cast<double>(v.size());
  };
  auto bound = [](const TrajectoryPoint& p) { return p.diversity.batch_size_bound; };
  auto div = [](const TrajectoryPoint& p) { return p.diversity.diversity; };
  auto loss = [](const TrajectoryPoint& p) { return p.diversity.loss; };
  // Per seed, averaged over checkpoints.
  std::vector<double> seed_bounds, seed_divs, seed_losses;
  for (const auto& [seed, v] : by_seed) {
    TrajectorySummary s;
    s.has_seed = true;
    s.seed = seed;
    s.samples = static_cast<std::int64_t>(v.size());
    s.mean_loss = mean_of(v, loss);
    s.diversity = mean_of(v, div);
    s.batch_size_bound = mean_of(v, bound);
    std::vector<double> b;
    for (const auto* p : v) b.push_back(bound(*p));
    s.bound_sd = t_interval(b, confidence).sd;
    s.bound_lower = s.bound_upper = kNaN;
    seed_bounds.push_back(s.batch_size_bound);
    seed_divs.push_back(s.diversity);
    seed_losses.push_back(s.mean_loss);
    out.push_back(s);
  }
  // Per checkpoint, over seeds.
  for (const auto& [epoch, v] : by_epoch) {
    TrajectorySummary s;
    s.has_epoch = true;
    s.epoch = epoch;
    s.samples = static_cast<std::int64_t>(v.size());
    s.mean_loss = mean_of(v, loss);
    s.diversity = mean_of(v, div);
    std::vector<double> b;
    for (const auto* p : v) b.push_back(bound(*p));
    const Interval iv = t_interval(b, confidence);
    s.batch_size_bound = iv.mean;
    s.bound_sd = iv.sd;
    s.bound_lower = iv.lower;
    s.bound_upper = iv.upper;
    out.push_back(s);
  }
  // Overall: the mean over seeds of each seed's checkpoint average.
  {
    TrajectorySummary s;
    const Interval iv = t_interval(seed_bounds, confidence);
    s.samples = iv.n;
    s.mean_loss = t_interval(seed_losses, confidence).mean;
    s.diversity = t_interval(seed_divs, confidence).mean;
    s.batch_size_bound = iv.mean;
    s.bound_sd = iv.sd;
    s.bound_lower = iv.lower;
    s.bound_upper = iv.upper;
    out.push_back(s);
  }
  return out;
}

}  // namespace morpheus::sweep
