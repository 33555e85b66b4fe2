#include "core/sweep/cost.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "core/errors.hpp"
#include "core/interrupt.hpp"

namespace morpheus::sweep {

namespace {

double ms_since(std::chrono::steady_clock::time_point t0) {
  return 1000.0 * std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

std::vector<CostRow> sweep_cost(std::int64_t rows, std::int64_t inputs, int classes, const SweepOptions& opt,
                                double expected_epochs, double rates_per_batch, double calibration_ms) {
  validate_sweep_grid(opt);
  if (rows < 1 || inputs < 1 || classes < 2) throw invalid_parameter("the data needs rows, features and two classes");
  for (auto b : opt.batch_sizes)
    if (b > rows)
      throw invalid_parameter(
          "batch_sizes contains " + std::to_string(b) + ", more than the " + std::to_string(rows) + " rows of source",
          "Batch sizes must be at most the number of training rows.");
  if (!(rates_per_batch >= 1) || !std::isfinite(rates_per_batch) || rates_per_batch > 1000)
    throw invalid_parameter("rates_per_batch = " + format_number(rates_per_batch) + " is outside 1..1000",
                            "The search tries at least 3 rates per batch (the start and both neighbours).");
  if (!std::isfinite(expected_epochs))
    throw invalid_parameter("expected_epochs must be finite", "Pass NULL for the upper bound (max_epochs).");
  const double epochs = expected_epochs > 0 ? std::min(expected_epochs, opt.max_epochs) : opt.max_epochs;
  const std::int64_t eval_rows = opt.eval_rows > 0 && opt.eval_rows < rows ? opt.eval_rows : rows;
  std::vector<std::int64_t> batches = opt.batch_sizes;
  std::sort(batches.begin(), batches.end());
  const double runs =
      rates_per_batch * static_cast<double>(opt.tuning_seeds.size()) + static_cast<double>(opt.seeds.size());
  std::vector<CostRow> out;
  for (const std::int64_t depth : opt.depths) {
    const Arch arch{inputs,     classes,           depth, width_for_budget(inputs, classes, depth, opt.param_budget),
                    opt.family, opt.residual_scale};
    validate_arch(arch);
    Network net(arch, 1, opt.init);
    const double fwd = Pass::forward_flops_per_sample(net);
    // Random data of the calibration's shape (values do not change the speed of dense products).
    const std::int64_t m = std::min<std::int64_t>(std::max<std::int64_t>(batches.back(), 1024), rows);
    Dataset d;
    d.classes = classes;
    d.x.resize(m, inputs);
    d.y.resize(static_cast<std::size_t>(m));
    Rng rng(7);
    for (std::int64_t i = 0; i < d.x.size(); ++i) d.x.data()[i] = rng.uniform();
    for (std::int64_t i = 0; i < m; ++i) d.y[static_cast<std::size_t>(i)] = static_cast<int>(i % classes);
    // Evaluation speed: one chunked pass over min(m, eval_rows) rows.
    Dataset ev = d;
    if (eval_rows < m) {
      ev.x = d.x.topRows(eval_rows);
      ev.y.resize(static_cast<std::size_t>(eval_rows));
    }
    auto t0 = std::chrono::steady_clock::now();
    evaluate(net, ev, opt.loss);
    const double eval_ms_per_row = ms_since(t0) / static_cast<double>(ev.rows());
    for (const std::int64_t batch : batches) {
      check_interrupts();
      Pass pass;
      Gradient g;
      RowMatrix x;
      std::vector<int> y;
      std::vector<std::int64_t> idx(static_cast<std::size_t>(batch));
      std::int64_t steps = 0;
      t0 = std::chrono::steady_clock::now();
      double elapsed = 0;
      do {
        for (std::int64_t k = 0; k < batch; ++k) idx[static_cast<std::size_t>(k)] = (steps * batch + k) % m;
        gather_batch(d, idx.data(), batch, x, y);
        g.reset(net);
        pass.forward(net, x, y.data(), opt.loss);
        pass.backward(net, &g, nullptr);
        ++steps;
        elapsed = ms_since(t0);
      } while (elapsed < calibration_ms);
      const double step_ms = elapsed / static_cast<double>(steps);
      CostRow c;
      c.depth = depth;
      c.width = arch.width;
      c.params = net.parameters();
      c.batch_size = batch;
      c.runs = runs;
      c.epochs_per_run = epochs;
      const double steps_per_epoch = static_cast<double>(rows) / static_cast<double>(batch);
      c.ms_per_epoch = steps_per_epoch * step_ms +
                       static_cast<double>(opt.evals_per_epoch) * static_cast<double>(eval_rows) * eval_ms_per_row;
      c.gflop = runs * epochs *
                (3.0 * fwd * static_cast<double>(rows) +
                 static_cast<double>(opt.evals_per_epoch) * fwd * static_cast<double>(eval_rows)) /
                1e9;
      c.minutes = runs * epochs * c.ms_per_epoch / 60000.0;
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace morpheus::sweep
