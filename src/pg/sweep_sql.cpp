// SQL entry points of the width/batch sweep module: param_count, width_for_budget, synthetic_classification,
// train_mlp, gradient_diversity, width_sweep. Data comes from a query text (data_sql) with a float8[] column
// "features" and an integer column "label".
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "core/sweep/mlp.hpp"
#include "core/sweep/sweep.hpp"
#include "pg/arrays.hpp"
#include "pg/guard.hpp"
#include "pg/settings.hpp"
#include "pg/spi_query.hpp"
#include "pg/srf.hpp"

namespace morpheus::pg {
namespace {

using namespace morpheus::sweep;

std::string num(std::int64_t v) { return std::to_string(v); }

std::int32_t positive(std::int32_t v, const char* name) {
  if (v < 1) throw invalid_parameter(std::string(name) + " = " + num(v) + " must be positive");
  return v;
}

std::uint64_t seed_arg(FunctionCallInfo fcinfo, int argno) {
  return static_cast<std::uint64_t>(static_cast<std::int64_t>(int_arg(fcinfo, argno, "seed")));
}

// Reads data_sql into a data set; classes_arg <= 0 infers classes = max(label) + 1.
Dataset read_dataset(const std::string& sql, std::int64_t classes_arg) {
  const QueryTable t =
      read_query(sql, "data_sql", {{"features", ColumnType::FloatArray}, {"label", ColumnType::Integer}});
  t.require_no_nulls("features", "data_sql");
  t.require_no_nulls("label", "data_sql");
  if (t.rows == 0) throw invalid_parameter("data_sql returned no rows", "The query must return the training rows.");
  const ColumnData& f = t.column("features");
  const ColumnData& l = t.column("label");
  const std::int64_t d = f.offsets[1] - f.offsets[0];
  if (d == 0)
    throw invalid_parameter("column \"features\" of data_sql is empty in row 1",
                            "Every row needs the same non-empty features array.");
  for (std::int64_t r = 1; r < t.rows; ++r) {
    const std::int64_t len = f.offsets[r + 1] - f.offsets[r];
    if (len != d)
      throw invalid_parameter("column \"features\" of data_sql has " + num(len) + " values in row " + num(r + 1) +
                                  " but " + num(d) + " in row 1",
                              "Every row needs a features array of the same length.");
  }
  std::int64_t max_label = 0;
  for (std::int64_t r = 0; r < t.rows; ++r) {
    const std::int64_t y = l.ints[r];
    if (y < 0 || (classes_arg > 0 && y >= classes_arg) || y >= 100000)
      throw invalid_parameter("label = " + num(y) + " in row " + num(r + 1) + " of data_sql is outside 0.." +
                                  num((classes_arg > 0 ? classes_arg : 100000) - 1),
                              classes_arg > 0 ? "Labels must be 0 .. classes - 1: fix the labels or raise classes."
                                              : "Labels must be class numbers 0, 1, 2, ... (at most 100000 classes).");
    max_label = std::max(max_label, y);
  }
  Dataset data;
  data.classes = static_cast<int>(classes_arg > 0 ? classes_arg : max_label + 1);
  if (data.classes < 2)
    throw invalid_parameter("data_sql has only label 0: a classifier needs at least two classes",
                            "Return rows of several classes, or pass classes => 2 or more.");
  data.x = ConstRowMap(f.values.data(), t.rows, d);
  data.y.resize(static_cast<std::size_t>(t.rows));
  for (std::int64_t r = 0; r < t.rows; ++r) data.y[static_cast<std::size_t>(r)] = static_cast<int>(l.ints[r]);
  validate_dataset(data);
  return data;
}

std::int64_t classes_arg(FunctionCallInfo fcinfo, int argno) {
  if (PG_ARGISNULL(argno)) return 0;
  const std::int32_t c = PG_GETARG_INT32(argno);
  if (c < 2 || c > 100000)
    throw invalid_parameter("classes = " + num(c) + " is outside 2..100000",
                            "Pass the number of classes, or NULL to use max(label) + 1.");
  return c;
}

void require_int_range(std::int64_t v, std::int64_t lo, std::int64_t hi, const char* name, const char* hint) {
  if (v < lo || v > hi)
    throw invalid_parameter(std::string(name) + " = " + num(v) + " is outside " + num(lo) + ".." + num(hi), hint);
}

// ---- param_count(inputs, outputs, depth, width) -------------------------------------------------------------------
Datum param_count_body(FunctionCallInfo fcinfo) {
  const std::int32_t d = positive(PG_GETARG_INT32(0), "inputs");
  const std::int32_t c = positive(PG_GETARG_INT32(1), "outputs");
  const std::int32_t depth = PG_GETARG_INT32(2);
  const std::int32_t width = PG_GETARG_INT32(3);
  require_int_range(depth, 1, kMaxDepth, "depth", "depth counts hidden layers.");
  require_int_range(width, 1, kMaxWidth, "width", "width is the size of every hidden layer.");
  return Int64GetDatum(param_count(d, c, depth, width));
}

// ---- width_for_budget(inputs, outputs, depth, param_budget) -------------------------------------------------------
Datum width_for_budget_body(FunctionCallInfo fcinfo) {
  const std::int32_t d = positive(PG_GETARG_INT32(0), "inputs");
  const std::int32_t c = positive(PG_GETARG_INT32(1), "outputs");
  const std::int32_t depth = PG_GETARG_INT32(2);
  const std::int32_t budget = positive(PG_GETARG_INT32(3), "param_budget");
  return Int32GetDatum(static_cast<std::int32_t>(width_for_budget(d, c, depth, budget)));
}

// ---- synthetic_classification(n, n_features, n_classes, spread, seed) ---------------------------------------------
Datum synthetic_body(FunctionCallInfo fcinfo) {
  const Dataset data =
      synthetic_classification(PG_GETARG_INT32(0), PG_GETARG_INT32(1), PG_GETARG_INT32(2), PG_GETARG_FLOAT8(3),
                               static_cast<std::uint64_t>(std::int64_t{PG_GETARG_INT32(4)}));
  SrfWriter w(fcinfo);
  for (std::int64_t i = 0; i < data.rows(); ++i) {
    Datum values[3];
    bool nulls[3] = {false, false, false};
    values[0] = Int32GetDatum(static_cast<std::int32_t>(i + 1));
    values[1] = float8_array_datum(data.x.row(i).data(), data.x.cols(), "features");
    values[2] = Int32GetDatum(data.y[static_cast<std::size_t>(i)]);
    w.put(values, nulls);
    if (i % 1024 == 0) check_interrupts();
  }
  return Datum(0);
}

// ---- train_mlp(data_sql, depth, width, batch_size, learning_rate, max_epochs, family, loss, target_loss, classes,
//                evals_per_epoch, seed) ---------------------------------------------------------------------------
Datum train_mlp_body(FunctionCallInfo fcinfo) {
  const std::string sql = string_arg(fcinfo, 0, "data_sql");
  const std::int32_t depth = int_arg(fcinfo, 1, "depth");
  const std::int32_t width = int_arg(fcinfo, 2, "width");
  const std::int32_t batch = int_arg(fcinfo, 3, "batch_size");
  const double lr = float_arg(fcinfo, 4, "learning_rate");
  const std::int32_t epochs = int_arg(fcinfo, 5, "max_epochs");
  const Family family = parse_family(string_arg(fcinfo, 6, "family"));
  const LossKind loss = parse_loss(string_arg(fcinfo, 7, "loss"));
  const double target = PG_ARGISNULL(8) ? -1.0 : float_arg(fcinfo, 8, "target_loss");
  if (!PG_ARGISNULL(8) && target < 0)
    throw invalid_parameter("target_loss = " + format_number(target) + " must be non-negative",
                            "Pass NULL to train for max_epochs.");
  const std::int64_t classes = classes_arg(fcinfo, 9);
  const std::int32_t evals = int_arg(fcinfo, 10, "evals_per_epoch");
  const std::uint64_t seed = seed_arg(fcinfo, 11);
  require_int_range(depth, 1, kMaxDepth, "depth", "depth counts hidden layers.");
  require_int_range(width, 1, kMaxWidth, "width", "width is the size of every hidden layer.");
  require_int_range(batch, 1, std::numeric_limits<std::int32_t>::max(), "batch_size", "Use a positive batch size.");
  require_int_range(epochs, 1, 1000000, "max_epochs", "Train for at least one epoch.");
  require_int_range(evals, 1, 1000, "evals_per_epoch", "Evaluate the training loss 1 to 1000 times per epoch.");
  if (!(lr > 0)) throw invalid_parameter("learning_rate = " + format_number(lr) + " must be positive");

  const Dataset data = read_dataset(sql, classes);
  if (batch > data.rows())
    throw invalid_parameter("batch_size = " + num(batch) + " exceeds the " + num(data.rows()) + " rows of data_sql",
                            "Use a batch size of at most the number of training rows.");
  Network net(Arch{data.x.cols(), data.classes, depth, width, family}, seed);
  TrainOptions opt;
  opt.batch_size = batch;
  opt.learning_rate = lr;
  opt.max_epochs = epochs;
  opt.target_loss = target;
  opt.evals_per_epoch = evals;
  opt.loss = loss;
  opt.seed = seed;
  NoticeProgress progress("train_mlp");
  const TrainResult r = train(net, data, opt, &progress);
  SrfWriter w(fcinfo);
  for (const CurvePoint& p : r.curve) {
    Datum values[4] = {Float8GetDatum(p.epoch), Int64GetDatum(p.iteration), Float8GetDatum(p.loss),
                       Float8GetDatum(p.accuracy)};
    bool nulls[4] = {false, false, !std::isfinite(p.loss), !std::isfinite(p.loss)};
    w.put(values, nulls);
  }
  return Datum(0);
}

// ---- gradient_diversity(data_sql, depth, width, family, loss, classes, sample_rows, seed, after_epochs, batch_size,
//                         learning_rate) ----------------------------------------------------------------------------
Datum gradient_diversity_body(FunctionCallInfo fcinfo) {
  const std::string sql = string_arg(fcinfo, 0, "data_sql");
  const std::int32_t depth = int_arg(fcinfo, 1, "depth");
  const std::int32_t width = int_arg(fcinfo, 2, "width");
  const Family family = parse_family(string_arg(fcinfo, 3, "family"));
  const LossKind loss = parse_loss(string_arg(fcinfo, 4, "loss"));
  const std::int64_t classes = classes_arg(fcinfo, 5);
  const std::int32_t sample = PG_ARGISNULL(6) ? 0 : PG_GETARG_INT32(6);
  if (!PG_ARGISNULL(6) && sample < 2)
    throw invalid_parameter("sample_rows = " + num(sample) + " must be at least 2",
                            "Pass NULL to use every row of data_sql.");
  const std::uint64_t seed = seed_arg(fcinfo, 7);
  const double after = float_arg(fcinfo, 8, "after_epochs");
  const std::int32_t batch = int_arg(fcinfo, 9, "batch_size");
  const double lr = float_arg(fcinfo, 10, "learning_rate");
  require_int_range(depth, 1, kMaxDepth, "depth", "depth counts hidden layers.");
  require_int_range(width, 1, kMaxWidth, "width", "width is the size of every hidden layer.");
  if (after < 0 || after > 1e6)
    throw invalid_parameter("after_epochs = " + format_number(after) + " is outside 0..1e6",
                            "Use 0 for the initial network, or the epochs of SGD to run first.");
  if (!(lr > 0)) throw invalid_parameter("learning_rate = " + format_number(lr) + " must be positive");
  if (batch < 1) throw invalid_parameter("batch_size = " + num(batch) + " must be positive");

  const Dataset data = read_dataset(sql, classes);
  Network net(Arch{data.x.cols(), data.classes, depth, width, family}, seed);
  if (after > 0) {
    TrainOptions opt;
    opt.batch_size = batch;
    opt.learning_rate = lr;
    opt.max_epochs = after;
    opt.evals_per_epoch = 1;
    opt.loss = loss;
    opt.seed = seed;
    NoticeProgress progress("gradient_diversity (training)");
    const TrainResult r = train(net, data, opt, &progress);
    if (r.diverged)
      throw out_of_range(
          "training diverged before the diversity was measured (learning_rate = " + format_number(lr) + ")",
          "Use a smaller learning_rate.");
  }
  const Diversity dv = gradient_diversity(net, data, loss, sample, seed);
  SrfWriter w(fcinfo);
  Datum values[8] = {Int64GetDatum(dv.rows),
                     Int64GetDatum(net.parameters()),
                     Float8GetDatum(dv.loss),
                     Float8GetDatum(dv.sum_sq_norms),
                     Float8GetDatum(dv.sq_norm_of_sum),
                     Float8GetDatum(dv.diversity),
                     Float8GetDatum(dv.batch_size_bound),
                     Float8GetDatum(dv.unbiased_bound)};
  bool nulls[8] = {false,
                   false,
                   false,
                   false,
                   false,
                   !std::isfinite(dv.diversity),
                   !std::isfinite(dv.batch_size_bound),
                   !std::isfinite(dv.unbiased_bound)};
  w.put(values, nulls);
  return Datum(0);
}

// ---- width_sweep(data_sql, param_budget, depths, batch_sizes, learning_rates, target_loss, max_epochs, family, seed,
//                  loss, classes, evals_per_epoch, critical_slack, diversity_rows) ------------------------------------
std::vector<std::int64_t> int_list(FunctionCallInfo fcinfo, int argno, const char* name) {
  const IntVectorArg a = int_vector_arg(fcinfo, argno, name, true);
  return std::vector<std::int64_t>(a.data, a.data + a.size);
}

Datum width_sweep_body(FunctionCallInfo fcinfo) {
  const std::string sql = string_arg(fcinfo, 0, "data_sql");
  SweepOptions opt;
  opt.param_budget = int_arg(fcinfo, 1, "param_budget");
  opt.depths = int_list(fcinfo, 2, "depths");
  opt.batch_sizes = int_list(fcinfo, 3, "batch_sizes");
  const VectorArg lrs = vector_arg(fcinfo, 4, "learning_rates", Finite::Require, true);
  opt.learning_rates.assign(lrs.data, lrs.data + lrs.size);
  opt.target_loss = float_arg(fcinfo, 5, "target_loss");
  opt.max_epochs = int_arg(fcinfo, 6, "max_epochs");
  opt.family = parse_family(string_arg(fcinfo, 7, "family"));
  opt.seed = seed_arg(fcinfo, 8);
  opt.loss = parse_loss(string_arg(fcinfo, 9, "loss"));
  const std::int64_t classes = classes_arg(fcinfo, 10);
  opt.evals_per_epoch = int_arg(fcinfo, 11, "evals_per_epoch");
  opt.critical_slack = float_arg(fcinfo, 12, "critical_slack");
  opt.diversity_rows = PG_ARGISNULL(13) ? 0 : PG_GETARG_INT32(13);
  if (!PG_ARGISNULL(13) && opt.diversity_rows < 2)
    throw invalid_parameter("diversity_rows = " + num(opt.diversity_rows) + " must be at least 2",
                            "Pass NULL to measure the diversity over every row.");
  validate_sweep_grid(opt);  // fails a bad grid before the query runs

  const Dataset data = read_dataset(sql, classes);
  validate_sweep(opt, data);
  NoticeProgress progress("width_sweep configuration");
  const std::vector<SweepRow> rows = width_sweep(data, opt, &progress);
  SrfWriter w(fcinfo);
  for (const SweepRow& r : rows) {
    constexpr int kCols = 17;
    Datum v[kCols] = {Int32GetDatum(static_cast<std::int32_t>(r.depth)),
                      Int32GetDatum(static_cast<std::int32_t>(r.width)),
                      Int64GetDatum(r.params),
                      Int32GetDatum(static_cast<std::int32_t>(r.batch_size)),
                      Float8GetDatum(r.best_learning_rate),
                      BoolGetDatum(r.reached),
                      Float8GetDatum(r.epochs_to_target),
                      Float8GetDatum(r.iterations_to_target),
                      Float8GetDatum(r.speedup),
                      Float8GetDatum(r.efficiency),
                      Int32GetDatum(static_cast<std::int32_t>(r.critical_batch_size)),
                      Float8GetDatum(r.gradient_diversity),
                      Float8GetDatum(r.batch_size_bound),
                      Float8GetDatum(r.final_loss),
                      Int32GetDatum(static_cast<std::int32_t>(r.diverged_rates)),
                      Float8GetDatum(r.train_ms),
                      Float8GetDatum(r.train_flops / 1e9)};
    bool n[kCols] = {false};
    n[6] = n[7] = !r.reached;
    n[8] = n[9] = !r.has_speedup;
    n[10] = !r.has_critical;
    n[11] = !std::isfinite(r.gradient_diversity);
    n[12] = !std::isfinite(r.batch_size_bound);
    n[13] = !std::isfinite(r.final_loss);
    w.put(v, n);
  }
  return Datum(0);
}

}  // namespace
}  // namespace morpheus::pg

MORPHEUS_FUNCTION(param_count, morpheus::pg::param_count_body)
MORPHEUS_FUNCTION(width_for_budget, morpheus::pg::width_for_budget_body)
MORPHEUS_FUNCTION(synthetic_classification, morpheus::pg::synthetic_body)
MORPHEUS_FUNCTION(train_mlp, morpheus::pg::train_mlp_body)
MORPHEUS_FUNCTION(gradient_diversity, morpheus::pg::gradient_diversity_body)
MORPHEUS_FUNCTION(width_sweep, morpheus::pg::width_sweep_body)
