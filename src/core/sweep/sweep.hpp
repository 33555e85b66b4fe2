// Width/batch sweeps at a fixed parameter budget, over several seeds. For each depth, the width that holds the
// parameter count at the budget. For each (depth, batch size), ascending in batch size:
//   1. tuning: a learning-rate search on the tuning seeds. It starts from the best rate of the neighbouring (next
//      smaller) batch (the first batch starts at learning_rate), and moves by x2 up, then down, until the median
//      epochs-to-target over the tuning seeds gets worse; each target gets its own best rate. A best rate whose
//      neighbour could not be tried because of min/max_learning_rate is flagged (rate_at_edge).
//   2. evaluation: each held-out seed trains once at each target's best rate; its epochs to every target are read
//      from that one training curve.
// Every finished run is handed to a RunStore (which persists it) before the next one starts, and a store can return
// the rows of runs finished by an earlier call with the same settings, so an interrupted sweep resumes exactly.
#pragma once
#include "core/no_postgres.hpp"

#include <cstdint>
#include <string>
#include <vector>

#include "core/progress.hpp"
#include "core/sweep/mlp.hpp"

namespace morpheus::sweep {

struct SweepOptions {
  std::int64_t param_budget = 0;
  std::vector<std::int64_t> depths;
  std::vector<std::int64_t> batch_sizes;
  std::vector<std::int64_t> seeds;         // held-out evaluation seeds (initialization and data order)
  std::vector<std::int64_t> tuning_seeds;  // seeds of the learning-rate search, disjoint from seeds
  std::vector<double> target_losses{0.5};
  double learning_rate = 0.1;  // where the search starts at the smallest batch
  double min_learning_rate = 1e-4;
  double max_learning_rate = 100;
  double max_epochs = 10;
  Family family = Family::Mlp;
  Init init = Init::He;
  double residual_scale = 1.0;
  LossKind loss = LossKind::CrossEntropy;
  std::int64_t evals_per_epoch = 4;
  std::int64_t eval_rows = 0;  // the loss is evaluated on a fixed seeded subset of this many rows (0: all rows)
};

enum class Role { Tune, Eval };
const char* role_name(Role r);

// One row per (run, target): a run is one training of (depth, batch size, seed, learning rate).
struct RunRow {
  std::int64_t depth = 0;
  std::int64_t width = 0;
  std::int64_t params = 0;
  std::int64_t batch_size = 0;
  std::int64_t seed = 0;
  Role role = Role::Eval;
  double learning_rate = 0;
  double target_loss = 0;
  bool reached = false;
  double epochs_to_target = 0;      // valid when reached
  double iterations_to_target = 0;  // valid when reached; epochs * n / batch_size, not rounded
  double final_loss = 0;            // at the last evaluation (+inf when diverged)
  double epochs_run = 0;
  bool diverged = false;
  bool stopped_early = false;  // a tuning run stopped once it could no longer beat the best rate
  bool rate_at_edge = false;   // evaluation rows: the search hit min/max_learning_rate next to this rate
  double train_ms = 0;         // SGD steps of the run (same on every row of a run)
  double run_ms = 0;           // the whole run, evaluations included
  double train_gflop = 0;
};

class RunStore {
 public:
  virtual ~RunStore() = default;
  // The rows (one per target of the run, in target order) of a run finished by an earlier call with the same
  // settings; false if there is none.
  virtual bool find(std::int64_t /*depth*/, std::int64_t /*batch_size*/, std::int64_t /*seed*/, Role /*role*/,
                    double /*learning_rate*/, std::vector<RunRow>* /*rows*/) {
    return false;
  }
  // Receives the rows of each newly finished run before the next run starts.
  virtual void put(const std::vector<RunRow>& rows) = 0;
};

// The checks that need no data (sizes, lists, ranges), so a bad call fails before its query runs.
void validate_sweep_grid(const SweepOptions& opt);
// All checks, including those against the data (batch sizes, the width each depth gets, eval_rows).
void validate_sweep(const SweepOptions& opt, const Dataset& data);

// The fixed evaluation subset: eval_rows distinct row indices (sorted) drawn with a fixed seed, or all rows.
std::vector<std::int64_t> evaluation_rows(std::int64_t n, std::int64_t eval_rows);

// A fingerprint of the data (shape, features, labels) and of every option that changes a run or the search path
// (everything but depths and seeds): 16 hex digits. Rows with the same fingerprint come from the same experiment.
std::string sweep_settings(const SweepOptions& opt, const Dataset& data);

// Runs the sweep (depths in the order given, batch sizes ascending) and returns every row, the reused ones included.
// Progress: one step per run, against an estimate of the number of runs.
std::vector<RunRow> width_sweep(const Dataset& data, const SweepOptions& opt, RunStore* store = nullptr,
                                Progress* progress = nullptr);

}  // namespace morpheus::sweep
