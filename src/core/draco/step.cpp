// The pieces of one DRACO iteration: batches, partition gradients, the clean sum, honest encoding with per-worker
// compute times, and the server's decode or aggregation.
#include <algorithm>
#include <chrono>
#include <numeric>

#include "core/draco/draco.hpp"
#include "core/errors.hpp"
#include "core/interrupt.hpp"

namespace morpheus::draco {

namespace {
double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

BatchSampler::BatchSampler(std::int64_t rows, std::uint64_t seed) : rng_(seed), perm_(static_cast<std::size_t>(rows)) {
  std::iota(perm_.begin(), perm_.end(), std::int64_t{0});
  rng_.shuffle(perm_.begin(), perm_.end());
}

void BatchSampler::next(int workers, std::int64_t batch_size, std::vector<std::vector<std::int64_t>>& parts) {
  const std::int64_t total = static_cast<std::int64_t>(workers) * batch_size;
  if (total > static_cast<std::int64_t>(perm_.size()))
    throw invalid_parameter(
        "a batch of " + std::to_string(total) + " rows exceeds the " + std::to_string(perm_.size()) + " rows",
        "Lower batch_size or workers.");
  if (cursor_ + total > static_cast<std::int64_t>(perm_.size())) {
    rng_.shuffle(perm_.begin(), perm_.end());
    cursor_ = 0;
  }
  parts.resize(static_cast<std::size_t>(workers));
  for (int j = 0; j < workers; ++j) {
    const auto lo = perm_.begin() + cursor_ + j * batch_size;
    parts[static_cast<std::size_t>(j)].assign(lo, lo + batch_size);
  }
  cursor_ += total;
}

double partition_gradients(const Learner& l, const Dataset& d, const std::vector<std::vector<std::int64_t>>& parts,
                           const double* w, RowMatrix& g, std::vector<double>& partition_ms) {
  const auto n = static_cast<Eigen::Index>(parts.size());
  if (g.rows() != n || g.cols() != l.params()) g.resize(n, l.params());
  partition_ms.assign(parts.size(), 0.0);
  double loss = 0.0;
  for (Eigen::Index j = 0; j < n; ++j) {
    const auto t0 = std::chrono::steady_clock::now();
    g.row(j).setZero();
    const auto& rows = parts[static_cast<std::size_t>(j)];
    loss += l.gradient(d, rows.data(), static_cast<std::int64_t>(rows.size()), w, g.row(j).data());
    partition_ms[static_cast<std::size_t>(j)] = ms_since(t0);
    check_interrupts();
  }
  return loss;
}

void clean_sum(Rule rule, int s, const RowMatrix& g, Vector& out) {
  const auto n = g.rows();
  out.setZero(g.cols());
  if (rule == Rule::Repetition) {
    const int r = 2 * s + 1;
    Vector group(g.cols());
    for (Eigen::Index g0 = 0; g0 < n; g0 += r) {
      group.setZero();
      for (Eigen::Index j = g0; j < g0 + r; ++j) group += g.row(j).transpose();
      out += group;
    }
    return;
  }
  for (Eigen::Index j = 0; j < n; ++j) out += g.row(j).transpose();
}

void encode_messages(Rule rule, int s, const CyclicCode* code, const RowMatrix& g,
                     const std::vector<double>& partition_ms, RowMatrix& messages, std::vector<double>& worker_ms) {
  const int n = static_cast<int>(g.rows());
  const Eigen::Index d = g.cols();
  if (messages.rows() != n || messages.cols() != d) messages.resize(n, d);
  worker_ms.assign(static_cast<std::size_t>(n), 0.0);
  if (rule == Rule::Repetition) {
    const int r = 2 * s + 1;
    for (int g0 = 0; g0 < n; g0 += r) {
      const auto t0 = std::chrono::steady_clock::now();
      auto first = messages.row(g0);
      first.setZero();
      for (int j = g0; j < g0 + r; ++j) first += g.row(j);
      const double enc = ms_since(t0);
      double parts = 0.0;
      for (int j = g0; j < g0 + r; ++j) parts += partition_ms[static_cast<std::size_t>(j)];
      for (int i = g0; i < g0 + r; ++i) {
        if (i > g0) messages.row(i) = first;  // every honest member computes the same bits
        worker_ms[static_cast<std::size_t>(i)] = parts + enc;
      }
      check_interrupts();
    }
    return;
  }
  if (rule == Rule::Cyclic) {
    for (int i = 0; i < n; ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      auto row = messages.row(i);
      row.setZero();
      double parts = 0.0;
      for (int j : assigned_partitions(rule, n, s, i)) {
        row += code->w(i, j) * g.row(j);
        parts += partition_ms[static_cast<std::size_t>(j)];
      }
      worker_ms[static_cast<std::size_t>(i)] = parts + ms_since(t0);
      check_interrupts();
    }
    return;
  }
  messages = g;
  worker_ms = partition_ms;
}

ServerResult server_step(Rule rule, int s, const CyclicCode* code, const ConstRowMap& messages,
                         const std::vector<Block>& blocks, int selected, const GeometricMedianOptions& median,
                         Rng& projection_rng) {
  ServerResult out;
  const int n = static_cast<int>(messages.rows());
  if (rule == Rule::Repetition) {
    RepetitionDecoded r = decode_repetition(messages, s);
    out.sum = std::move(r.sum);
    out.flagged = std::move(r.flagged);
    out.consistent = r.consistent;
    out.flagged_known = true;
  } else if (rule == Rule::Cyclic) {
    CyclicCode::Decoded r = code->decode(messages, projection_rng);
    out.sum = std::move(r.sum);
    out.flagged = std::move(r.flagged);
    out.consistent = r.consistent;
    out.flagged_known = true;
  } else {
    const std::vector<Block> whole{{0, messages.cols(), "all"}};
    BlockAggregate a = aggregate_blocks(rule, messages, blocks.empty() ? whole : blocks, s, selected, median);
    out.sum = a.value * static_cast<double>(n);
    out.median_iterations = std::move(a.median_iterations);
    out.median_converged = a.median_converged;
  }
  return out;
}

}  // namespace morpheus::draco
