// SQL entry points of the sweep module's building blocks: param_count, width_for_budget, synthetic_classification,
// teacher_classification, pool_image, train_mlp, gradient_diversity, gradient_diversity_trajectory. Training data
// comes from `source` (table or query) with `label` and `features` (see pg/sweep/sweep_source.hpp).
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "core/sweep/data.hpp"
#include "core/sweep/diversity.hpp"
#include "core/model/sources.hpp"
#include "core/sweep/mlp.hpp"
#include "pg/arrays.hpp"
#include "pg/guard.hpp"
#include "pg/model/model_datum.hpp"
#include "pg/settings.hpp"
#include "pg/srf.hpp"
#include "pg/sweep/sweep_args.hpp"
#include "pg/sweep/sweep_source.hpp"

namespace morpheus::pg {
namespace {

using namespace morpheus::sweep;

std::string num(std::int64_t v) { return std::to_string(v); }

std::int32_t positive(std::int32_t v, const char* name) {
  if (v < 1) throw invalid_parameter(std::string(name) + " = " + num(v) + " must be positive");
  return v;
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

void put_dataset(FunctionCallInfo fcinfo, const Dataset& data) {
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
}

// ---- synthetic_classification(rows, inputs, classes, spread, seed) --------------------------------------------------
Datum synthetic_body(FunctionCallInfo fcinfo) {
  put_dataset(fcinfo, synthetic_classification(PG_GETARG_INT32(0), PG_GETARG_INT32(1), PG_GETARG_INT32(2),
                                               PG_GETARG_FLOAT8(3), seed_arg(fcinfo, 4)));
  return Datum(0);
}

// ---- teacher_classification(rows, inputs, classes, depth, width, architecture, initialization, label_noise, seed) ---
Datum teacher_body(FunctionCallInfo fcinfo) {
  TeacherOptions t;
  t.rows = int_arg(fcinfo, 0, "rows");
  t.inputs = int_arg(fcinfo, 1, "inputs");
  t.classes = int_arg(fcinfo, 2, "classes");
  t.depth = int_arg(fcinfo, 3, "depth");
  t.width = int_arg(fcinfo, 4, "width");
  t.family = parse_family(string_arg(fcinfo, 5, "architecture"));
  t.init = parse_init(string_arg(fcinfo, 6, "initialization"));
  t.label_noise = float_arg(fcinfo, 7, "label_noise");
  t.seed = seed_arg(fcinfo, 8);
  require_int_range(t.depth, 1, kMaxDepth, "depth", "depth counts the teacher's hidden layers.");
  require_int_range(t.width, 1, kMaxWidth, "width", "width is the size of every hidden layer of the teacher.");
  put_dataset(fcinfo, teacher_classification(t));
  return Datum(0);
}

// ---- pool_image(pixels, height, width, factor, method) --------------------------------------------------------------
Datum pool_image_body(FunctionCallInfo fcinfo) {
  const VectorArg px = vector_arg(fcinfo, 0, "pixels");
  const std::int32_t h = PG_GETARG_INT32(1);
  const std::int32_t w = PG_GETARG_INT32(2);
  const std::int32_t f = PG_GETARG_INT32(3);
  const PoolKind kind = parse_pool(string_arg(fcinfo, 4, "method"));
  const std::vector<double> out = pool_image(px.data, px.size, h, w, f, kind);
  return float8_array_datum(out.data(), static_cast<std::int64_t>(out.size()), "pooled image");
}

// ---- train_mlp(source, depth, width, label, features, batch_size, learning_rate, max_epochs, architecture,
//                loss_function, target_loss, classes, evals_per_epoch, seed, initialization, residual_scale) ---------
Datum train_mlp_body(FunctionCallInfo fcinfo) {
  SourceSpec spec;
  spec.source = string_arg(fcinfo, 0, "source");
  const std::int32_t depth = int_arg(fcinfo, 1, "depth");
  const std::int32_t width = int_arg(fcinfo, 2, "width");
  spec.label = string_arg(fcinfo, 3, "label");
  spec.features = text_array_arg(fcinfo, 4, "features");
  const std::int32_t batch = int_arg(fcinfo, 5, "batch_size");
  const double lr = float_arg(fcinfo, 6, "learning_rate");
  const std::int32_t epochs = int_arg(fcinfo, 7, "max_epochs");
  const Family family = parse_family(string_arg(fcinfo, 8, "architecture"));
  const LossKind loss = parse_loss(string_arg(fcinfo, 9, "loss_function"));
  const double target = PG_ARGISNULL(10) ? -1.0 : float_arg(fcinfo, 10, "target_loss");
  if (!PG_ARGISNULL(10) && target < 0)
    throw invalid_parameter("target_loss = " + format_number(target) + " must be non-negative",
                            "Pass NULL to train for max_epochs.");
  spec.classes = classes_arg(fcinfo, 11);
  const std::int32_t evals = int_arg(fcinfo, 12, "evals_per_epoch");
  const std::uint64_t seed = seed_arg(fcinfo, 13);
  const Init init = parse_init(string_arg(fcinfo, 14, "initialization"));
  const double alpha = float_arg(fcinfo, 15, "residual_scale");
  require_int_range(depth, 1, kMaxDepth, "depth", "depth counts hidden layers.");
  require_int_range(width, 1, kMaxWidth, "width", "width is the size of every hidden layer.");
  require_int_range(batch, 1, std::numeric_limits<std::int32_t>::max(), "batch_size", "Use a positive batch size.");
  require_int_range(epochs, 1, 1000000, "max_epochs", "Train for at least one epoch.");
  require_int_range(evals, 1, 1000, "evals_per_epoch", "Evaluate the training loss 1 to 1000 times per epoch.");
  if (!(lr > 0)) throw invalid_parameter("learning_rate = " + format_number(lr) + " must be positive");

  const Dataset data = read_labelled_source(spec);
  if (batch > data.rows())
    throw invalid_parameter("batch_size = " + num(batch) + " exceeds the " + num(data.rows()) + " rows of source",
                            "Use a batch size of at most the number of training rows.");
  Network net(Arch{data.x.cols(), data.classes, depth, width, family, alpha}, seed, init);
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
  if (r.diverged)
    pg_call([lr] {
      ereport(WARNING,
              (errmsg("train_mlp diverged (learning_rate = %g): the last loss is not finite or grew by 1e6", lr),
               errhint("Use a smaller learning_rate; the parameters are not returned.")));
    });
  // The model: converged says whether target_loss was met; without a target the run is a fixed number of epochs
  // and converged is NULL (docs/conventions.md).
  if (!r.diverged && target >= 0 && !r.reached)
    pg_call([target, epochs] {
      ereport(WARNING, (errmsg("train_mlp did not converge: it stopped at max_epochs = %d before target_loss = %g",
                               epochs, target),
                        errhint("Raise max_epochs or learning_rate, or give a higher target_loss.")));
    });
  const Vector flat = net.flat();
  const bool finite = !r.diverged && flat.allFinite();
  Datum model = Datum(0);
  if (finite && !r.curve.empty()) {
    model::Provenance p;
    p.label = spec.label;
    if (spec.features.size() == 1)
      for (Eigen::Index j = 0; j < data.x.cols(); ++j) p.features.push_back(spec.features[0] + "[" + num(j + 1) + "]");
    else
      p.features = spec.features;
    p.source = spec.source;
    model::Json o;
    o.add("features", spec.features).add_null("id");
    o.add("attributes", std::vector<std::string>{});
    o.add("foreign_keys", std::vector<std::string>{});
    o.add("attribute_keys", std::vector<std::string>{});
    o.add("trainer", "train_mlp").add("architecture", family_name(family)).add("depth", depth).add("width", width);
    o.add("residual_scale", alpha).add("loss_function", loss_name(loss)).add("initialization", init_name(init));
    o.add("batch_size", batch).add("learning_rate", lr).add("max_epochs", epochs);
    if (target >= 0)
      o.add("target_loss", target);
    else
      o.add_null("target_loss");
    o.add("classes", static_cast<std::int64_t>(data.classes)).add("evals_per_epoch", evals);
    o.add("seed", static_cast<std::int64_t>(seed));
    p.options = o.str();
    p.rows = data.rows();
    p.iterations = r.curve.back().iteration;
    p.converged = target >= 0 && r.reached;
    p.convergence_tested = target >= 0;
    for (const CurvePoint& c : r.curve) p.loss.push_back(c.loss);
    model::Json st;
    st.add("loss", r.curve.back().loss).add("accuracy", r.curve.back().accuracy);
    st.add("epochs", r.curve.back().epoch);
    p.statistics = st.str();
    model = model_value(model::model_from_network(net, std::move(p)));
  }
  SrfWriter w(fcinfo);
  for (std::size_t i = 0; i < r.curve.size(); ++i) {
    const CurvePoint& p = r.curve[i];
    const bool last = i + 1 == r.curve.size();
    const bool with_params = last && finite;
    Datum values[6] = {Float8GetDatum(p.epoch),
                       Int64GetDatum(p.iteration),
                       Float8GetDatum(p.loss),
                       Float8GetDatum(p.accuracy),
                       with_params ? float8_array_datum(flat.data(), flat.size(), "parameters") : Datum(0),
                       with_params ? model : Datum(0)};
    bool nulls[6] = {false, false, !std::isfinite(p.loss), !std::isfinite(p.loss), !with_params, !with_params};
    w.put(values, nulls);
  }
  return Datum(0);
}

// ---- gradient_diversity(source, depth, width, label, features, architecture, loss_function, classes, sample_rows,
//                         seed, after_epochs, batch_size, learning_rate, initialization, residual_scale) ------------
Datum gradient_diversity_body(FunctionCallInfo fcinfo) {
  SourceSpec spec;
  spec.source = string_arg(fcinfo, 0, "source");
  const std::int32_t depth = int_arg(fcinfo, 1, "depth");
  const std::int32_t width = int_arg(fcinfo, 2, "width");
  spec.label = string_arg(fcinfo, 3, "label");
  spec.features = text_array_arg(fcinfo, 4, "features");
  const Family family = parse_family(string_arg(fcinfo, 5, "architecture"));
  const LossKind loss = parse_loss(string_arg(fcinfo, 6, "loss_function"));
  spec.classes = classes_arg(fcinfo, 7);
  const std::int32_t sample = PG_ARGISNULL(8) ? 0 : PG_GETARG_INT32(8);
  if (!PG_ARGISNULL(8) && sample < 2)
    throw invalid_parameter("sample_rows = " + num(sample) + " must be at least 2",
                            "Pass NULL to use every row of source.");
  const std::uint64_t seed = seed_arg(fcinfo, 9);
  const double after = float_arg(fcinfo, 10, "after_epochs");
  const std::int32_t batch = int_arg(fcinfo, 11, "batch_size");
  const double lr = float_arg(fcinfo, 12, "learning_rate");
  const Init init = parse_init(string_arg(fcinfo, 13, "initialization"));
  const double alpha = float_arg(fcinfo, 14, "residual_scale");
  require_int_range(depth, 1, kMaxDepth, "depth", "depth counts hidden layers.");
  require_int_range(width, 1, kMaxWidth, "width", "width is the size of every hidden layer.");
  if (after < 0 || after > 1e6)
    throw invalid_parameter("after_epochs = " + format_number(after) + " is outside 0..1e6",
                            "Use 0 for the initial network, or the epochs of SGD to run first.");
  if (!(lr > 0)) throw invalid_parameter("learning_rate = " + format_number(lr) + " must be positive");
  if (batch < 1) throw invalid_parameter("batch_size = " + num(batch) + " must be positive");

  const Dataset data = read_labelled_source(spec);
  Network net(Arch{data.x.cols(), data.classes, depth, width, family, alpha}, seed, init);
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
  if (!std::isfinite(dv.diversity))
    throw out_of_range("the gradient diversity is not finite (the mean gradient is zero)",
                       "Measure at another point of training (after_epochs) or on other rows.");
  SrfWriter w(fcinfo);
  Datum values[8] = {Int64GetDatum(dv.rows),
                     Int64GetDatum(net.parameters()),
                     Float8GetDatum(dv.loss),
                     Float8GetDatum(dv.sum_sq_norms),
                     Float8GetDatum(dv.sq_norm_of_sum),
                     Float8GetDatum(dv.diversity),
                     Float8GetDatum(dv.batch_size_bound),
                     Float8GetDatum(dv.unbiased_bound)};
  bool nulls[8] = {false, false, false, false, false, false, false, !std::isfinite(dv.unbiased_bound)};
  w.put(values, nulls);
  return Datum(0);
}

// ---- gradient_diversity_trajectory(source, depth, width, checkpoints, seeds, batch_size, learning_rate, label,
//      features, architecture, loss_function, classes, sample_rows, initialization, residual_scale, confidence) ------
Datum trajectory_body(FunctionCallInfo fcinfo) {
  SourceSpec spec;
  spec.source = string_arg(fcinfo, 0, "source");
  const std::int32_t depth = int_arg(fcinfo, 1, "depth");
  const std::int32_t width = int_arg(fcinfo, 2, "width");
  TrajectoryOptions opt;
  const VectorArg cps = vector_arg(fcinfo, 3, "checkpoints");
  opt.checkpoints.assign(cps.data, cps.data + cps.size);
  opt.seeds = int_list(fcinfo, 4, "seeds");
  opt.batch_size = int_arg(fcinfo, 5, "batch_size");
  opt.learning_rate = float_arg(fcinfo, 6, "learning_rate");
  spec.label = string_arg(fcinfo, 7, "label");
  spec.features = text_array_arg(fcinfo, 8, "features");
  const Family family = parse_family(string_arg(fcinfo, 9, "architecture"));
  opt.loss = parse_loss(string_arg(fcinfo, 10, "loss_function"));
  spec.classes = classes_arg(fcinfo, 11);
  opt.sample_rows = PG_ARGISNULL(12) ? 0 : PG_GETARG_INT32(12);
  if (!PG_ARGISNULL(12) && opt.sample_rows < 2)
    throw invalid_parameter("sample_rows = " + num(opt.sample_rows) + " must be at least 2",
                            "Pass NULL to use every row of source.");
  opt.init = parse_init(string_arg(fcinfo, 13, "initialization"));
  const double alpha = float_arg(fcinfo, 14, "residual_scale");
  const double confidence = float_arg(fcinfo, 15, "confidence");
  require_int_range(depth, 1, kMaxDepth, "depth", "depth counts hidden layers.");
  require_int_range(width, 1, kMaxWidth, "width", "width is the size of every hidden layer.");
  if (opt.batch_size < 1) throw invalid_parameter("batch_size = " + num(opt.batch_size) + " must be positive");
  if (!(opt.learning_rate > 0))
    throw invalid_parameter("learning_rate = " + format_number(opt.learning_rate) + " must be positive");
  check_confidence(confidence);
  require_unique_ints(opt.seeds, "seeds");
  const Dataset data = read_labelled_source(spec);
  if (opt.batch_size > data.rows())
    throw invalid_parameter(
        "batch_size = " + num(opt.batch_size) + " exceeds the " + num(data.rows()) + " rows of source",
        "Use a batch size of at most the number of training rows.");
  opt.arch = Arch{data.x.cols(), data.classes, depth, width, family, alpha};
  const std::vector<TrajectoryPoint> points = diversity_trajectory(data, opt);
  const std::vector<TrajectorySummary> rows = summarize_trajectory(points, confidence);
  SrfWriter w(fcinfo);
  for (const TrajectorySummary& s : rows) {
    constexpr int kCols = 9;
    Datum v[kCols] = {Int32GetDatum(static_cast<std::int32_t>(s.seed)),
                      Float8GetDatum(s.epoch),
                      Int64GetDatum(s.samples),
                      Float8GetDatum(s.mean_loss),
                      Float8GetDatum(s.diversity),
                      Float8GetDatum(s.batch_size_bound),
                      Float8GetDatum(s.bound_sd),
                      Float8GetDatum(s.bound_lower),
                      Float8GetDatum(s.bound_upper)};
    bool n[kCols] = {!s.has_seed,
                     !s.has_epoch,
                     false,
                     !std::isfinite(s.mean_loss),
                     !std::isfinite(s.diversity),
                     !std::isfinite(s.batch_size_bound),
                     !std::isfinite(s.bound_sd),
                     !std::isfinite(s.bound_lower),
                     !std::isfinite(s.bound_upper)};
    w.put(v, n);
  }
  return Datum(0);
}

}  // namespace
}  // namespace morpheus::pg

MORPHEUS_FUNCTION(param_count, morpheus::pg::param_count_body)
MORPHEUS_FUNCTION(width_for_budget, morpheus::pg::width_for_budget_body)
MORPHEUS_FUNCTION(synthetic_classification, morpheus::pg::synthetic_body)
MORPHEUS_FUNCTION(teacher_classification, morpheus::pg::teacher_body)
MORPHEUS_FUNCTION(pool_image, morpheus::pg::pool_image_body)
MORPHEUS_FUNCTION(train_mlp, morpheus::pg::train_mlp_body)
MORPHEUS_FUNCTION(gradient_diversity, morpheus::pg::gradient_diversity_body)
MORPHEUS_FUNCTION(gradient_diversity_trajectory, morpheus::pg::trajectory_body)
