// The training loop: batches, partitions, worker messages, attacks, decoding or aggregation, SGD steps.
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
}  // namespace

Glm prepare_training(const TrainOptions& o, const Dataset& d) {
  if (d.rows() == 0) throw invalid_parameter("data_sql returned no rows", "Give a query that returns training rows.");
  if (d.features() == 0)
    throw invalid_parameter("data_sql returned no features", "Return a features float8[] column or numeric columns.");
  if (o.workers < 1 || o.workers > 1000)
    throw invalid_parameter("workers = " + str(o.workers) + " is out of range", "Give workers between 1 and 1000.");
  if (o.adversaries < 0 || o.adversaries > o.workers)
    throw invalid_parameter("adversaries = " + str(o.adversaries) + " is out of range for workers = " + str(o.workers),
                            "Give adversaries between 0 and workers.");
  const int s = o.tolerance < 0 ? o.adversaries : o.tolerance;
  if (is_code(o.rule))
    require_code_size(o.rule, o.workers, s);
  else
    require_rule_size(o.rule, o.workers, s);
  if (o.batch_size < o.workers || o.batch_size > d.rows())
    throw invalid_parameter("batch_size = " + str(o.batch_size) + " must be between workers = " + str(o.workers) +
                                " and the " + str(d.rows()) + " rows of data_sql",
                            "Each worker's partition needs at least one row; the batch cannot exceed the data.");
  if (o.iterations < 1 || o.iterations > 10000000)
    throw invalid_parameter("iterations = " + str(o.iterations) + " is out of range", "Give iterations >= 1.");
  if (!(o.learning_rate > 0) || !std::isfinite(o.learning_rate))
    throw invalid_parameter("learning_rate = " + format_number(o.learning_rate) + " must be positive and finite",
                            "Try learning_rate => 0.1.");
  if (o.eval_every < 1)
    throw invalid_parameter("eval_every = " + str(o.eval_every) + " must be >= 1", "Give eval_every => 1.");
  if (!std::isnan(o.attack_scale) && !std::isfinite(o.attack_scale))
    throw invalid_parameter("attack_scale must be finite", "Omit attack_scale for the attack's default.");
  Glm g;
  g.model = o.model;
  g.features = d.features();
  g.classes = check_labels(o.model, d.y, d.rows(), "data_sql");
  if (g.params() > 50000000)
    throw Error(ErrorKind::LimitExceeded, "the model would have " + str(g.params()) + " parameters",
                "Use fewer features or classes (at most 50 million parameters).");
  return g;
}

void train(const TrainOptions& o, const Dataset& d, Vector& weights,
           const std::function<void(const IterationResult&, const Vector&)>& on_iteration, Progress& progress) {
  const Glm g = prepare_training(o, d);
  const int n = o.workers;
  const int s = o.tolerance < 0 ? o.adversaries : o.tolerance;
  const Eigen::Index p = g.params();
  const double scale = std::isnan(o.attack_scale)
                           ? (o.attack == Attack::Alie ? alie_z(n, o.adversaries) : default_attack_scale(o.attack))
                           : o.attack_scale;
  weights = Vector::Zero(p);
  std::unique_ptr<CyclicCode> code;
  if (o.rule == Rule::Cyclic) code = std::make_unique<CyclicCode>(n, s);

  std::mt19937_64 batch_rng(o.seed * 0x9E3779B97F4A7C15ULL + 1);
  std::mt19937_64 adv_rng(o.seed * 0x9E3779B97F4A7C15ULL + 2);
  std::mt19937_64 attack_rng(o.seed * 0x9E3779B97F4A7C15ULL + 3);
  std::mt19937_64 proj_rng(o.seed * 0x9E3779B97F4A7C15ULL + 4);

  std::vector<std::int64_t> perm(static_cast<std::size_t>(d.rows()));
  std::iota(perm.begin(), perm.end(), 0);
  std::shuffle(perm.begin(), perm.end(), batch_rng);
  std::int64_t cursor = 0;
  const std::int64_t b = o.batch_size;

  Messages msg;
  msg.re.resize(n, p);
  std::vector<std::vector<std::int64_t>> parts(static_cast<std::size_t>(n));
  Vector clean(p), tmp(p), applied(p);

  for (int it = 1; it <= o.iterations; ++it) {
    IterationResult res;
    res.iteration = it;
    if (cursor + b > d.rows()) {
      std::shuffle(perm.begin(), perm.end(), batch_rng);
      cursor = 0;
    }
    for (int j = 0; j < n; ++j) {
      const std::int64_t lo = cursor + j * b / n, hi = cursor + (j + 1) * b / n;
      parts[j].assign(perm.begin() + lo, perm.begin() + hi);
    }
    cursor += b;

    // the clean sum, with the association of the code (bit-identical to an honest decode of the repetition code)
    clean.setZero();
    double loss = 0.0;
    if (o.rule == Rule::Repetition) {
      for (int g0 = 0; g0 < n; g0 += 2 * s + 1) {
        Vector group = Vector::Zero(p);
        for (int j = g0; j < g0 + 2 * s + 1; ++j) {
          tmp.setZero();
          loss += glm_gradient(g, d, parts[j].data(), static_cast<std::int64_t>(parts[j].size()), weights.data(),
                               tmp.data());
          group += tmp;
        }
        clean += group;
      }
    } else {
      for (int j = 0; j < n; ++j) {
        tmp.setZero();
        loss +=
            glm_gradient(g, d, parts[j].data(), static_cast<std::int64_t>(parts[j].size()), weights.data(), tmp.data());
        clean += tmp;
      }
    }
    res.loss = loss / static_cast<double>(b);
    check_interrupts();

    // workers
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i) {
      worker_message(g, d, o.rule, n, s, code.get(), i, parts, weights.data(), msg.re.row(i).data());
      check_interrupts();
    }
    res.compute_ms = ms_since(t0);

    res.adversaries = place_adversaries(o.placement, n, o.adversaries, s, adv_rng);
    apply_attack(o.attack, scale, res.adversaries, msg, attack_rng);

    // server
    t0 = std::chrono::steady_clock::now();
    const ConstRowMap plain(msg.re.data(), n, p);
    if (o.rule == Rule::Repetition) {
      RepetitionDecoded r = decode_repetition(plain, s);
      applied = r.sum;
      res.flagged = std::move(r.flagged);
      res.consistent = r.consistent;
      res.flagged_known = true;
    } else if (o.rule == Rule::Cyclic) {
      CyclicCode::Decoded r = code->decode(msg, proj_rng);
      applied = r.sum;
      res.flagged = std::move(r.flagged);
      res.consistent = r.consistent;
      res.flagged_known = true;
    } else {
      applied = aggregate(o.rule, plain, s) * static_cast<double>(n);
    }
    res.aggregate_ms = ms_since(t0);

    if (res.consistent && applied.allFinite()) {
      res.grad_error = (applied - clean).norm() / static_cast<double>(b);
      weights -= (o.learning_rate / static_cast<double>(b)) * applied;
    } else if (res.consistent) {
      res.consistent = false;  // a non-finite aggregate is not applied either
    }
    if (!weights.allFinite())
      throw out_of_range("training diverged at iteration " + str(it) + " (non-finite weights)", "Lower learning_rate.");
    if (it % o.eval_every == 0 || it == o.iterations) res.accuracy = glm_accuracy(g, d, weights.data());
    progress.step(it, o.iterations, res.loss);
    on_iteration(res, weights);
  }
}

}  // namespace morpheus::draco
