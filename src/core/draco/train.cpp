// The training loop: batches, partition gradients, worker messages, attacks, decoding or aggregation, SGD steps.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

#include "core/draco/draco.hpp"
#include "core/errors.hpp"
#include "core/interrupt.hpp"

namespace morpheus::draco {

namespace {
double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}
std::string str(std::int64_t v) { return std::to_string(v); }

// Independent streams of one training run (core/random.hpp): batches, adversary sets, attack noise, projections.
enum Stream : std::uint64_t { kBatches = 1, kAdversaries = 2, kAttack = 3, kProjection = 4, kInit = 5 };
}  // namespace

std::unique_ptr<Learner> prepare_training(const TrainOptions& o, const Dataset& d) {
  if (d.rows() == 0) throw invalid_parameter("source returned no rows", "Give a source with training rows.");
  if (d.features() == 0)
    throw invalid_parameter("source returned no features", "Name feature columns or a float8[] column in features.");
  if (o.workers < 1 || o.workers > 1000)
    throw invalid_parameter("workers = " + str(o.workers) + " is out of range", "Give workers between 1 and 1000.");
  if (o.adversaries < 0 || o.adversaries > o.workers)
    throw invalid_parameter("adversaries = " + str(o.adversaries) + " is out of range for workers = " + str(o.workers),
                            "Give adversaries between 0 and workers.");
  const int s = o.s();
  if (is_code(o.rule))
    require_code_size(o.rule, o.workers, s);
  else
    require_rule_size(o.rule, o.workers, s);
  if (o.batch_size < 1 || static_cast<double>(o.batch_size) * o.workers > static_cast<double>(d.rows()))
    throw invalid_parameter("batch_size = " + str(o.batch_size) + " rows per worker times workers = " + str(o.workers) +
                                " is not between 1 and the " + str(d.rows()) + " rows of source",
                            "Each of the workers' partitions holds batch_size rows; the batch cannot exceed the data.");
  if (o.max_iterations < 1 || o.max_iterations > 10000000)
    throw invalid_parameter("max_iterations = " + str(o.max_iterations) + " is out of range",
                            "Give max_iterations >= 1.");
  if (!(o.learning_rate > 0) || !std::isfinite(o.learning_rate))
    throw invalid_parameter("learning_rate = " + format_number(o.learning_rate) + " must be positive and finite",
                            "Try learning_rate => 0.1.");
  if (!(o.momentum >= 0) || !(o.momentum < 1))
    throw invalid_parameter("momentum = " + format_number(o.momentum) + " must be in [0, 1)",
                            "Give momentum => 0 (plain SGD) or e.g. 0.9.");
  if (o.eval_every < 1)
    throw invalid_parameter("eval_every = " + str(o.eval_every) + " must be >= 1", "Give eval_every => 1.");
  if (!std::isnan(o.attack_scale) && !std::isfinite(o.attack_scale))
    throw invalid_parameter("attack_scale must be finite", "Omit attack_scale for the attack's default.");
  if (!(o.median.tolerance >= 0) || !std::isfinite(o.median.tolerance))
    throw invalid_parameter("median_tolerance = " + format_number(o.median.tolerance) + " must be >= 0 and finite",
                            "Give median_tolerance => 1e-8 (the DRACO authors' geometric median).");
  if (o.median.max_iterations < 1)
    throw invalid_parameter("median_max_iterations = " + str(o.median.max_iterations) + " must be >= 1",
                            "Give median_max_iterations => 1000.");
  if (o.rule == Rule::MultiKrum && o.selected > o.workers)
    throw invalid_parameter("selected = " + str(o.selected) + " exceeds workers = " + str(o.workers),
                            "Give selected between 1 and workers, or NULL for workers - max_adversaries - 2.");
  LearnerSpec spec;
  spec.family = o.family;
  spec.intercept = o.intercept;
  spec.hidden = o.hidden_layers;
  spec.features = d.features();
  spec.classes = family_classes(o.family, d.y, d.rows(), "source");
  auto learner = make_learner(spec);
  // the n x params partition gradients and messages must fit
  const double bytes = 2.0 * o.workers * static_cast<double>(learner->params()) * sizeof(double);
  if (bytes > 4e9)
    throw Error(ErrorKind::LimitExceeded,
                "workers = " + str(o.workers) + " messages of " + str(learner->params()) + " parameters need " +
                    format_number(bytes / 1e9) + " GB",
                "Use fewer workers or a smaller model (at most 4 GB of gradients and messages).");
  return learner;
}

void train(const TrainOptions& o, const Dataset& d, const Dataset* validation, Vector& weights,
           const std::function<void(const IterationResult&, const Vector&)>& on_iteration, Progress& progress) {
  const auto learner = prepare_training(o, d);
  if (validation && validation->features() != d.features())
    throw invalid_parameter(
        "validation has " + str(validation->features()) + " features but source has " + str(d.features()),
        "Give validation rows with the same feature columns.");
  if (validation) family_classes(o.family, validation->y, validation->rows(), "validation");
  const int n = o.workers;
  const int s = o.s();
  const Eigen::Index p = learner->params();
  const double scale = std::isnan(o.attack_scale)
                           ? (o.attack == Attack::Alie ? alie_z(n, o.adversaries) : default_attack_scale(o.attack))
                           : o.attack_scale;
  weights = learner->initial(Rng::stream(o.seed, kInit).operator()());
  Vector velocity = Vector::Zero(o.momentum > 0 ? p : 0);
  std::unique_ptr<CyclicCode> code;
  if (o.rule == Rule::Cyclic) code = std::make_unique<CyclicCode>(n, s);
  const std::vector<Block> blocks =
      o.per_layer ? learner->blocks() : std::vector<Block>{Block{0, static_cast<std::int64_t>(p), "all"}};

  BatchSampler sampler(d.rows(), Rng::stream(o.seed, kBatches)());
  Rng adv_rng = Rng::stream(o.seed, kAdversaries);
  Rng attack_rng = Rng::stream(o.seed, kAttack);
  Rng proj_rng = Rng::stream(o.seed, kProjection);

  const double batch = static_cast<double>(n) * static_cast<double>(o.batch_size);
  std::vector<std::vector<std::int64_t>> parts;
  RowMatrix g, coded;
  std::vector<double> partition_ms, worker_ms;
  Vector clean(p);

  for (int it = 1; it <= o.max_iterations; ++it) {
    IterationResult res;
    res.iteration = it;
    sampler.next(n, o.batch_size, parts);
    res.loss = partition_gradients(*learner, d, parts, weights.data(), g, partition_ms) / batch;
    clean_sum(o.rule, s, g, clean);

    // workers: the codes encode; the baselines send their partition's gradient (g itself)
    RowMatrix* messages = &g;
    if (is_code(o.rule)) {
      encode_messages(o.rule, s, code.get(), g, partition_ms, coded, worker_ms);
      messages = &coded;
    } else {
      worker_ms = partition_ms;
    }
    res.compute_ms = *std::max_element(worker_ms.begin(), worker_ms.end());
    {
      std::vector<double> sorted = partition_ms;
      std::nth_element(sorted.begin(), sorted.begin() + static_cast<long>(sorted.size() / 2), sorted.end());
      res.partition_ms = sorted[sorted.size() / 2];
    }

    res.adversaries = place_adversaries(o.placement, n, o.adversaries, s, adv_rng);
    apply_attack(o.attack, scale, res.adversaries, *messages, attack_rng);

    // server
    const auto t0 = std::chrono::steady_clock::now();
    ServerResult r =
        server_step(o.rule, s, code.get(), ConstRowMap(messages->data(), n, p), blocks, o.selected, o.median, proj_rng);
    res.aggregate_ms = ms_since(t0);
    res.flagged = std::move(r.flagged);
    res.flagged_known = r.flagged_known;
    res.consistent = r.consistent;
    res.median_iterations = std::move(r.median_iterations);
    res.median_converged = r.median_converged;

    if (res.consistent && r.sum.allFinite()) {
      res.grad_error = (r.sum - clean).norm() / batch;
      if (o.momentum > 0) {
        velocity = o.momentum * velocity + r.sum / batch;
        weights -= o.learning_rate * velocity;
      } else {
        weights -= (o.learning_rate / batch) * r.sum;
      }
    } else if (res.consistent) {
      res.consistent = false;  // a non-finite aggregate is not applied either
    }
    if (!weights.allFinite())
      throw out_of_range("training diverged at iteration " + str(it) + " (non-finite weights)", "Lower learning_rate.");
    if (it % o.eval_every == 0 || it == o.max_iterations) {
      if (o.evaluate_training) res.accuracy = learner->accuracy(d, weights.data());
      if (validation) res.validation_accuracy = learner->accuracy(*validation, weights.data());
    }
    progress.step(it, o.max_iterations, res.loss);
    on_iteration(res, weights);
  }
}

}  // namespace morpheus::draco
