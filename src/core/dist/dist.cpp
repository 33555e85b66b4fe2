// Distributed DRACO: deterministic batches, per-node encoding, single-node attacks, decoding and the SGD step.
#include "core/dist/dist.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <string>

#include "core/errors.hpp"
#include "core/interrupt.hpp"

namespace morpheus::dist {
namespace {

std::string str(std::int64_t v) { return std::to_string(v); }

std::uint64_t splitmix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

}  // namespace

void check_schedule(const Schedule& sc) {
  if (!dr::is_code(sc.rule))
    throw invalid_parameter(std::string("aggregation = '") + dr::rule_name(sc.rule) + "' is not a code",
                            "Distributed training decodes a DRACO code: give aggregation => 'cyclic' or 'repetition'.");
  if (sc.workers < 1 || sc.workers > 1000)
    throw invalid_parameter("workers = " + str(sc.workers) + " is out of range", "Give workers between 1 and 1000.");
  if (sc.tolerance < 0)
    throw invalid_parameter("max_adversaries = " + str(sc.tolerance) + " is negative", "Give max_adversaries >= 0.");
  dr::require_code_size(sc.rule, sc.workers, sc.tolerance);
  if (sc.batch_size < sc.workers)
    throw invalid_parameter("batch_size = " + str(sc.batch_size) + " is smaller than workers = " + str(sc.workers),
                            "Each partition needs at least one batch row per iteration: give batch_size >= workers.");
}

std::int64_t partition_batch(const Schedule& sc, int partition) {
  const std::int64_t n = sc.workers;
  return sc.batch_size / n + (partition < sc.batch_size % n ? 1 : 0);
}

std::uint64_t mix_seed(std::uint64_t seed, std::uint64_t a, std::uint64_t b, std::uint64_t c) {
  std::uint64_t h = splitmix(seed);
  h = splitmix(h ^ a);
  h = splitmix(h ^ (b + 0x632BE59BD9B4E019ULL));
  return splitmix(h ^ (c + 0x8CB92BA72F3D8DD7ULL));
}

std::vector<std::int64_t> select_batch(std::uint64_t seed, int iteration, int partition,
                                       const std::vector<std::int64_t>& rows, const std::int64_t* row_ids,
                                       std::int64_t take) {
  std::vector<std::int64_t> order(rows);
  std::sort(order.begin(), order.end(), [&](std::int64_t a, std::int64_t b) { return row_ids[a] < row_ids[b]; });
  for (std::size_t k = 1; k < order.size(); ++k)
    if (row_ids[order[k]] == row_ids[order[k - 1]])
      throw invalid_parameter("row_id " + str(row_ids[order[k]]) + " appears twice in partition " + str(partition + 1),
                              "Give every row a unique, stable row_id: the batch is drawn by row id.");
  const std::int64_t m = static_cast<std::int64_t>(order.size());
  const std::int64_t t = std::min(take, m);
  std::mt19937_64 rng(mix_seed(seed, static_cast<std::uint64_t>(iteration), static_cast<std::uint64_t>(partition), 1));
  for (std::int64_t k = 0; k < t; ++k) {
    const std::uint64_t range = static_cast<std::uint64_t>(m - k);
    const std::int64_t j = k + static_cast<std::int64_t>(rng() % range);
    std::swap(order[static_cast<std::size_t>(k)], order[static_cast<std::size_t>(j)]);
  }
  order.resize(static_cast<std::size_t>(t));
  return order;
}

void partition_message(const dr::Glm& g, const LocalData& ld, const Schedule& sc, int iteration, int partition,
                       const std::vector<std::int64_t>& rows, const double* w, double* out) {
  const std::vector<std::int64_t> batch =
      select_batch(sc.seed, iteration, partition, rows, ld.row_id, partition_batch(sc, partition));
  const Eigen::Index p = g.params();
  Vector grad = Vector::Zero(p);
  const double loss =
      dr::glm_gradient(g, ld.data, batch.data(), static_cast<std::int64_t>(batch.size()), w, grad.data());
  for (Eigen::Index k = 0; k < p; ++k) out[k] += grad[k];
  out[p] += loss;
  out[p + 1] += static_cast<double>(batch.size());
}

void encode_message(const dr::Glm& g, const LocalData& ld, const Schedule& sc, const dr::CyclicCode* code,
                    int iteration, int worker, const double* w, double* re) {
  const Eigen::Index d = g.params() + 2;
  std::vector<std::vector<std::int64_t>> rows(static_cast<std::size_t>(sc.workers));
  for (std::int64_t r = 0; r < ld.data.rows(); ++r) {
    const std::int64_t j = ld.partition[r];
    if (j >= 0 && j < sc.workers) rows[static_cast<std::size_t>(j)].push_back(r);
  }
  Eigen::Map<Vector> mre(re, d);
  mre.setZero();
  Vector v(d);
  for (int j : dr::assigned_partitions(sc.rule, sc.workers, sc.tolerance, worker)) {
    const auto& pr = rows[static_cast<std::size_t>(j)];
    if (pr.empty())
      throw invalid_parameter("worker " + str(worker + 1) + " holds no row of partition " + str(j + 1) +
                                  ", which the " + dr::rule_name(sc.rule) + " code assigns to it",
                              "Load the rows of every partition that dist_partitions lists for this worker.");
    v.setZero();
    partition_message(g, ld, sc, iteration, j, pr, w, v.data());
    if (sc.rule == dr::Rule::Cyclic) {
      mre += code->w(worker, j) * v;
    } else {
      mre += v;
    }
    check_interrupts();
  }
}

void attack_message(dr::Attack a, double scale, std::uint64_t seed, int iteration, int worker, double* re,
                    Eigen::Index d) {
  if (a == dr::Attack::None) return;
  if (a == dr::Attack::Alie || a == dr::Attack::Ipm)
    throw invalid_parameter(std::string("attack '") + dr::attack_name(a) + "' needs the other workers' messages",
                            "A single node can mount signflip, constant or gaussian.");
  if (std::isnan(scale)) scale = dr::default_attack_scale(a);
  dr::Messages m;
  m.re = RowMatrix(ConstRowMap(re, 1, d));
  std::mt19937_64 rng(mix_seed(seed, static_cast<std::uint64_t>(iteration), static_cast<std::uint64_t>(worker), 7));
  dr::apply_attack(a, scale, {0}, m, rng);
  Eigen::Map<Vector>(re, d) = m.re.row(0).transpose();
}

Step decode_step(const Schedule& sc, const dr::CyclicCode* code, int iteration, const dr::Messages& m,
                 const Vector& weights, double learning_rate) {
  const Eigen::Index d = m.re.cols();
  if (m.re.rows() != sc.workers || d < 3)
    throw invalid_parameter("messages are " + str(m.re.rows()) + " x " + str(d) + " but workers = " + str(sc.workers) +
                                " need " + str(sc.workers) + " rows of at least 3 values",
                            "Pass one message per worker, as dist_worker_message returns them.");
  const Eigen::Index p = d - 2;
  if (weights.size() != 0 && weights.size() != p)
    throw invalid_parameter("weights have " + str(weights.size()) + " values but the messages carry " + str(p),
                            "Pass the weights of the previous step, or an empty array to start from zeros.");
  Step out;
  out.weights = weights.size() == 0 ? Vector(Vector::Zero(p)) : weights;
  Vector sum;
  if (sc.rule == dr::Rule::Cyclic) {
    std::mt19937_64 rng(mix_seed(sc.seed, static_cast<std::uint64_t>(iteration), 0, 3));
    dr::CyclicCode::Decoded r = code->decode(m, rng);
    sum = std::move(r.sum);
    out.flagged = std::move(r.flagged);
    out.consistent = r.consistent;
  } else {
    dr::RepetitionDecoded r = dr::decode_repetition(ConstRowMap(m.re.data(), m.re.rows(), d), sc.tolerance);
    sum = std::move(r.sum);
    out.flagged = std::move(r.flagged);
    out.consistent = r.consistent;
  }
  const double count = sum.size() == d ? std::round(sum[p + 1]) : 0.0;
  if (!out.consistent || !sum.allFinite() || count < 1) {
    out.consistent = false;
    out.loss = std::numeric_limits<double>::quiet_NaN();
    return out;
  }
  out.batch_rows = static_cast<std::int64_t>(count);
  out.loss = sum[p] / count;
  const Vector next = out.weights - (learning_rate / count) * sum.head(p);
  if (!next.allFinite())
    throw out_of_range("training diverged at iteration " + str(iteration) + " (non-finite weights)",
                       "Lower learning_rate.");
  out.weights = next;
  return out;
}

}  // namespace morpheus::dist
