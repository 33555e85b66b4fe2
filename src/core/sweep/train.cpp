// Plain mini-batch SGD on a Network (declared in mlp.hpp): the training curve, the crossing of one or several target
// losses read from that one curve, and the early stop a learning-rate search uses.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "core/errors.hpp"
#include "core/interrupt.hpp"
#include "core/sweep/mlp.hpp"

namespace morpheus::sweep {

namespace {

std::string num(std::int64_t v) { return std::to_string(v); }

}  // namespace

TrainResult train(Network& net, const Dataset& data, const TrainOptions& opt, Progress* progress) {
  const std::int64_t n = data.rows();
  const std::int64_t bsz = opt.batch_size;
  if (bsz < 1 || bsz > n)
    throw invalid_parameter("batch_size = " + num(bsz) + " must be between 1 and the number of rows (" + num(n) + ")",
                            "Use smaller batches or more data.");
  if (!(opt.learning_rate > 0) || !std::isfinite(opt.learning_rate))
    throw invalid_parameter("learning_rate = " + format_number(opt.learning_rate) + " must be positive and finite");
  if (!(opt.max_epochs > 0) || !std::isfinite(opt.max_epochs))
    throw invalid_parameter("max_epochs = " + format_number(opt.max_epochs) + " must be positive");
  if (opt.evals_per_epoch < 1)
    throw invalid_parameter("evals_per_epoch = " + num(opt.evals_per_epoch) + " must be at least 1");
  if (!opt.target_cutoffs.empty() && opt.target_cutoffs.size() != opt.targets.size())
    throw Error(ErrorKind::Internal, "target_cutoffs and targets differ in length");
  for (const double t : opt.targets)
    if (!(t >= 0) || !std::isfinite(t))
      throw invalid_parameter("target loss " + format_number(t) + " must be non-negative and finite");
  const Dataset& eval_data = opt.eval_data != nullptr ? *opt.eval_data : data;

  TrainResult r;
  const double nd = static_cast<double>(n);
  const std::int64_t max_iter = static_cast<std::int64_t>(std::ceil(opt.max_epochs * nd / static_cast<double>(bsz)));
  const double eval_interval = nd / static_cast<double>(opt.evals_per_epoch);  // in samples

  // Targets: the explicit list, else the single target_loss (if any).
  std::vector<double> targets = opt.targets;
  const bool multi = !targets.empty();
  if (!multi && opt.target_loss >= 0) targets.push_back(opt.target_loss);
  r.hits.resize(targets.size());
  for (std::size_t k = 0; k < targets.size(); ++k) r.hits[k].target = targets[k];
  // The legacy fields follow the lowest target (the last one a run reaches).
  std::size_t lowest = 0;
  for (std::size_t k = 1; k < targets.size(); ++k)
    if (targets[k] < targets[lowest]) lowest = k;

  const Evaluation e0 = evaluate(net, eval_data, opt.loss);
  r.curve.push_back({0.0, 0, e0.loss, e0.accuracy});
  const double initial = e0.loss;
  std::size_t reached_count = 0;
  // Marks every target crossed between the previous curve point and the last one (linear interpolation in iterations).
  auto mark_hits = [&]() {
    const CurvePoint& cur = r.curve.back();
    const CurvePoint& prev = r.curve.size() >= 2 ? r.curve[r.curve.size() - 2] : cur;
    for (std::size_t k = 0; k < targets.size(); ++k) {
      TargetHit& h = r.hits[k];
      if (h.reached || !(cur.loss <= h.target)) continue;
      double ti = 0;
      if (r.curve.size() >= 2) {
        const double frac = prev.loss > cur.loss ? (prev.loss - h.target) / (prev.loss - cur.loss) : 1.0;
        ti = static_cast<double>(prev.iteration) +
             std::clamp(frac, 0.0, 1.0) * static_cast<double>(cur.iteration - prev.iteration);
      }
      h.reached = true;
      h.iterations = ti;
      h.epochs = ti * static_cast<double>(bsz) / nd;
      ++reached_count;
    }
  };
  mark_hits();
  auto all_reached = [&]() { return !targets.empty() && reached_count == targets.size(); };
  // Whether the cut-offs stop the run at `epoch`: every unreached target has a cut-off that has passed.
  auto cut = [&](double epoch) {
    if (!multi) return opt.stop_after_epochs >= 0 && epoch >= opt.stop_after_epochs;
    if (opt.target_cutoffs.empty()) return false;
    for (std::size_t k = 0; k < targets.size(); ++k) {
      if (r.hits[k].reached) continue;
      const double c = opt.target_cutoffs[k];
      if (!(c >= 0) || epoch < c) return false;
    }
    return true;
  };

  Rng rng(opt.seed);
  std::vector<std::int64_t> perm(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) perm[static_cast<std::size_t>(i)] = i;
  rng.shuffle(perm.begin(), perm.end());
  std::int64_t pos = 0;
  std::vector<std::int64_t> batch(static_cast<std::size_t>(bsz));
  Pass pass;
  Gradient g;
  RowMatrix x;
  std::vector<int> y;
  const double step = opt.learning_rate / static_cast<double>(bsz);
  const double flops_per_iter = 3.0 * Pass::forward_flops_per_sample(net) * static_cast<double>(bsz);
  double next_eval = eval_interval;
  const std::int64_t total_evals = static_cast<std::int64_t>(std::ceil(opt.max_epochs * opt.evals_per_epoch));
  std::int64_t evals = 0;

  std::int64_t t = 0;
  while (!all_reached() && t < max_iter) {
    check_interrupts();
    const auto t0 = std::chrono::steady_clock::now();
    for (std::int64_t k = 0; k < bsz; ++k) {
      if (pos == n) {
        rng.shuffle(perm.begin(), perm.end());
        pos = 0;
      }
      batch[static_cast<std::size_t>(k)] = perm[static_cast<std::size_t>(pos++)];
    }
    gather_batch(data, batch.data(), bsz, x, y);
    g.reset(net);
    pass.forward(net, x, y.data(), opt.loss);
    pass.backward(net, &g, nullptr);
    for (std::size_t l = 0; l < net.w.size(); ++l) {
      net.w[l].noalias() -= step * g.w[l];
      net.b[l].noalias() -= step * g.b[l];
    }
    ++t;
    r.train_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    r.train_flops += flops_per_iter;
    const double seen = static_cast<double>(t) * static_cast<double>(bsz);
    if (seen + 1e-9 < next_eval && t < max_iter) continue;
    while (next_eval <= seen + 1e-9) next_eval += eval_interval;
    const Evaluation e = evaluate(net, eval_data, opt.loss);
    r.curve.push_back({seen / nd, t, e.loss, e.accuracy});
    ++evals;
    if (progress != nullptr) progress->step(std::min(evals, total_evals), total_evals, e.loss);
    if (!std::isfinite(e.loss) || e.loss > 1e6 * std::max(initial, 1e-300)) {
      r.diverged = true;
      break;
    }
    mark_hits();
    if (!all_reached() && cut(seen / nd)) {
      r.stopped_early = true;
      break;
    }
  }
  r.iterations = t;
  r.final_loss = r.curve.back().loss;
  if (!targets.empty()) {
    const TargetHit& h = r.hits[lowest];
    r.reached = h.reached;
    r.epochs_to_target = h.epochs;
    r.iterations_to_target = h.iterations;
  }
  if (!multi) r.hits.clear();
  return r;
}

}  // namespace morpheus::sweep
