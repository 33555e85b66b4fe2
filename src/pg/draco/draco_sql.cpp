// SQL entry points of DRACO: draco_train (Byzantine-robust training of a GLM or an MLP from a source),
// robust_aggregate (a baseline rule over gradients the user has), glm_predict and mlp_predict.
#include <cmath>
#include <limits>

#include "core/draco/draco.hpp"
#include "core/draco/mlp.hpp"
#include "core/errors.hpp"
#include "core/model/sources.hpp"
#include "pg/arrays.hpp"
#include "pg/draco/draco_source.hpp"
#include "pg/guard.hpp"
#include "pg/model/model_datum.hpp"
#include "pg/settings.hpp"
#include "pg/srf.hpp"

namespace morpheus::pg {
namespace {

namespace dr = morpheus::draco;

Datum int_list(const std::vector<int>& v, const char* what, int base) {
  std::vector<std::int32_t> out(v.begin(), v.end());
  for (auto& x : out) x += base;
  return int4_array_datum(out.data(), static_cast<std::int64_t>(out.size()), what);
}

std::vector<std::int64_t> layer_list(FunctionCallInfo fcinfo, int argno, const char* name) {
  const IntVectorArg a = int_vector_arg(fcinfo, argno, name);
  std::vector<std::int64_t> out(a.data, a.data + a.size);
  for (std::size_t i = 0; i < out.size(); ++i)
    if (out[i] < 1)
      throw invalid_parameter(
          std::string(name) + "[" + std::to_string(i + 1) + "] = " + std::to_string(out[i]) + " is not a layer width",
          "Give widths >= 1, e.g. '{800, 500}'.");
  return out;
}

// Labels -1/+1 of a binary family are recoded 0/1 (the convention accepts 0/1, -1/+1 and boolean); returns whether
// they were.
bool recode_signed_labels(dr::Family f, std::vector<double>& y) {
  if (f != dr::Family::Logistic || y.empty()) return false;
  bool signed_pm = false;
  for (double v : y) {
    if (v != 1.0 && v != -1.0) return false;
    signed_pm = signed_pm || v == -1.0;
  }
  if (signed_pm)
    for (double& v : y) v = v > 0 ? 1.0 : 0.0;
  return signed_pm;
}

const char* placement_name(dr::Placement p) {
  switch (p) {
    case dr::Placement::Random: return "random";
    case dr::Placement::Fixed: return "fixed";
    case dr::Placement::Omniscient: return "omniscient";
  }
  return "?";
}

// The model's options: how the data was read (the keys predict(model, source) reads) and the hyper-parameters.
std::string draco_options(const dr::TrainOptions& o, const std::vector<std::string>& features,
                          const std::string& validation) {
  model::Json j;
  j.add("features", features).add_null("id");
  j.add("attributes", std::vector<std::string>{});
  j.add("foreign_keys", std::vector<std::string>{});
  j.add("attribute_keys", std::vector<std::string>{});
  j.add("trainer", "draco_train").add("family", dr::family_name(o.family));
  if (o.family == dr::Family::Mlp) j.add("hidden_layers", o.hidden_layers);
  j.add("intercept", o.intercept).add("workers", o.workers).add("adversaries", o.adversaries);
  j.add("max_adversaries", o.s()).add("attack", dr::attack_name(o.attack));
  if (std::isnan(o.attack_scale))
    j.add_null("attack_scale");
  else
    j.add("attack_scale", o.attack_scale);
  j.add("placement", placement_name(o.placement)).add("aggregation", dr::rule_name(o.rule));
  j.add("per_layer", o.per_layer);
  if (o.rule == dr::Rule::MultiKrum) j.add("selected", o.selected);
  j.add("batch_size", o.batch_size).add("max_iterations", o.max_iterations);
  j.add("learning_rate", o.learning_rate).add("momentum", o.momentum);
  j.add("seed", static_cast<std::int64_t>(o.seed));
  if (validation.empty())
    j.add_null("validation");
  else
    j.add("validation", validation);
  return j.str();
}

// The trained model for the last row; NULL (with a WARNING) when the weights are not finite.
bool draco_model(const dr::TrainOptions& o, const LabelledRows& data, std::int64_t classes, bool signed_labels,
                 const Vector& weights, model::Provenance p, Datum* out) {
  if (!weights.allFinite()) {
    pg_call([] {
      ereport(WARNING, (errmsg("draco_train diverged: the final weights are not finite, so model is NULL"),
                        errhint("Use a smaller learning_rate, or an aggregation rule that tolerates the attack.")));
    });
    return false;
  }
  if (o.family == dr::Family::Logistic && data.label_boolean) p.classes = {"false", "true"};
  if (o.family == dr::Family::Logistic && signed_labels) p.classes = {"-1", "1"};
  const std::vector<double> w(weights.data(), weights.data() + weights.size());
  *out = model_value(
      model::model_from_draco(o.family, o.intercept, o.hidden_layers, data.x.cols(), classes, w, std::move(p)));
  return true;
}

// draco_train(source, label, features, family, hidden_layers, intercept, workers, adversaries, max_adversaries,
//             attack, aggregation, batch_size, max_iterations, learning_rate, momentum, seed, placement,
//             attack_scale, eval_every, validation, per_layer, selected, median_tolerance, median_max_iterations)
Datum draco_train_body(FunctionCallInfo fcinfo) {
  dr::TrainOptions o;
  const std::string source = string_arg(fcinfo, 0, "source");
  const std::string label = string_arg(fcinfo, 1, "label");
  require_not_null(fcinfo, 2, "features");
  const std::vector<std::string> features = text_array_arg(fcinfo, 2, "features");
  o.family = dr::parse_family(string_arg(fcinfo, 3, "family"));
  if (!PG_ARGISNULL(4)) o.hidden_layers = layer_list(fcinfo, 4, "hidden_layers");
  if (o.family == dr::Family::Mlp && PG_ARGISNULL(4)) o.hidden_layers = {800, 500};
  require_not_null(fcinfo, 5, "intercept");
  o.intercept = PG_GETARG_BOOL(5);
  o.workers = int_arg(fcinfo, 6, "workers");
  o.adversaries = int_arg(fcinfo, 7, "adversaries");
  o.max_adversaries = PG_ARGISNULL(8) ? -1 : PG_GETARG_INT32(8);
  if (!PG_ARGISNULL(8) && o.max_adversaries < 0)
    throw invalid_parameter("max_adversaries = " + std::to_string(o.max_adversaries) + " is negative",
                            "Give max_adversaries >= 0, or NULL to use adversaries.");
  o.attack = dr::parse_attack(string_arg(fcinfo, 9, "attack"));
  o.rule = dr::parse_rule(string_arg(fcinfo, 10, "aggregation"), true);
  o.batch_size = int_arg(fcinfo, 11, "batch_size");
  o.max_iterations = int_arg(fcinfo, 12, "max_iterations");
  o.learning_rate = float_arg(fcinfo, 13, "learning_rate");
  o.momentum = float_arg(fcinfo, 14, "momentum");
  o.seed = static_cast<std::uint64_t>(static_cast<std::int64_t>(int_arg(fcinfo, 15, "seed")));
  o.placement = dr::parse_placement(string_arg(fcinfo, 16, "placement"));
  if (!PG_ARGISNULL(17)) o.attack_scale = float_arg(fcinfo, 17, "attack_scale");
  o.eval_every = int_arg(fcinfo, 18, "eval_every");
  const bool has_validation = !PG_ARGISNULL(19);
  const std::string validation = has_validation ? string_arg(fcinfo, 19, "validation") : std::string();
  require_not_null(fcinfo, 20, "per_layer");
  o.per_layer = PG_GETARG_BOOL(20);
  o.selected = PG_ARGISNULL(21) ? 0 : PG_GETARG_INT32(21);
  if (!PG_ARGISNULL(21) && o.selected < 1)
    throw invalid_parameter("selected = " + std::to_string(o.selected) + " must be >= 1",
                            "Give selected between 1 and workers, or NULL for workers - max_adversaries - 2.");
  o.median.tolerance = float_arg(fcinfo, 22, "median_tolerance");
  o.median.max_iterations = int_arg(fcinfo, 23, "median_max_iterations");

  // cheap checks before reading the data
  if (o.workers < 1 || o.workers > 1000)
    throw invalid_parameter("workers = " + std::to_string(o.workers) + " is out of range",
                            "Give workers between 1 and 1000.");
  if (o.adversaries < 0 || o.adversaries > o.workers)
    throw invalid_parameter("adversaries = " + std::to_string(o.adversaries) +
                                " is out of range for workers = " + std::to_string(o.workers),
                            "Give adversaries between 0 and workers.");
  if (dr::is_code(o.rule))
    dr::require_code_size(o.rule, o.workers, o.s());
  else
    dr::require_rule_size(o.rule, o.workers, o.s());

  LabelledRows data = read_labelled_rows(source, "source", label, features);
  const bool signed_labels = recode_signed_labels(o.family, data.y);
  const dr::Dataset d{ConstRowMap(data.x.data(), data.x.rows(), data.x.cols()), data.y.data()};
  LabelledRows held;
  std::unique_ptr<dr::Dataset> vd;
  if (has_validation) {
    held = read_labelled_rows(validation, "validation", label, features);
    recode_signed_labels(o.family, held.y);
    vd = std::make_unique<dr::Dataset>(
        dr::Dataset{ConstRowMap(held.x.data(), held.x.rows(), held.x.cols()), held.y.data()});
  }

  // DRACO runs max_iterations steps with no convergence test: the model's converged is NULL (docs/conventions.md)
  model::Provenance prov;
  prov.label = label;
  prov.features = data.names;
  prov.source = source;
  prov.options = draco_options(o, features, validation);
  prov.rows = data.x.rows();
  prov.iterations = o.max_iterations;
  prov.converged = false;
  prov.convergence_tested = false;
  double last_accuracy = std::numeric_limits<double>::quiet_NaN(), last_validation = last_accuracy;

  SrfWriter w(fcinfo);
  NoticeProgress progress("draco_train");
  Vector weights;
  dr::train(
      o, d, vd.get(), weights,
      [&](const dr::IterationResult& r, const Vector& wts) {
        prov.loss.push_back(r.loss);
        if (!std::isnan(r.accuracy)) last_accuracy = r.accuracy;
        if (!std::isnan(r.validation_accuracy)) last_validation = r.validation_accuracy;
        constexpr int kCols = 13;
        Datum v[kCols];
        bool nulls[kCols] = {};
        v[0] = Int32GetDatum(r.iteration);
        v[1] = Float8GetDatum(r.loss);
        nulls[2] = std::isnan(r.accuracy);
        v[2] = Float8GetDatum(r.accuracy);
        nulls[3] = std::isnan(r.validation_accuracy);
        v[3] = Float8GetDatum(r.validation_accuracy);
        nulls[4] = std::isnan(r.grad_error);
        v[4] = Float8GetDatum(r.grad_error);
        v[5] = Float8GetDatum(r.compute_ms);
        v[6] = Float8GetDatum(r.aggregate_ms);
        nulls[7] = r.median_iterations.empty();
        v[7] = nulls[7] ? Datum(0) : int_list(r.median_iterations, "median_iterations", 0);
        v[8] = int_list(r.adversaries, "adversarial_workers", 1);
        nulls[9] = !r.flagged_known;
        v[9] = r.flagged_known ? int_list(r.flagged, "flagged_workers", 1) : Datum(0);
        v[10] = BoolGetDatum(r.consistent);
        nulls[11] = r.iteration != o.max_iterations;
        v[11] = nulls[11] ? Datum(0) : float8_array_datum(wts.data(), wts.size(), "weights");
        nulls[12] = true;
        if (!nulls[11]) {
          model::Json stats;
          stats.add("accuracy", last_accuracy).add("validation_accuracy", last_validation);
          prov.statistics = stats.str();
          const std::int64_t classes = dr::family_classes(o.family, data.y.data(), data.x.rows(), "source");
          nulls[12] = !draco_model(o, data, classes, signed_labels, wts, prov, &v[12]);
        }
        w.put(v, nulls);
      },
      progress);
  return Datum(0);
}

// robust_aggregate(gradients, rule, max_adversaries, selected, blocks, tolerance, max_iterations)
Datum robust_aggregate_body(FunctionCallInfo fcinfo) {
  require_not_null(fcinfo, 0, "gradients");
  const MatrixArg g = matrix_arg(fcinfo, 0, "gradients");
  const dr::Rule rule = dr::parse_rule(string_arg(fcinfo, 1, "rule"), false);
  const int f = int_arg(fcinfo, 2, "max_adversaries");
  const int m = PG_ARGISNULL(3) ? 0 : PG_GETARG_INT32(3);
  if (!PG_ARGISNULL(3) && (m < 1 || m > g.rows))
    throw invalid_parameter(
        "selected = " + std::to_string(m) + " is out of range for " + std::to_string(g.rows) + " gradients",
        "Give selected between 1 and the number of gradients, or NULL for n - max_adversaries - 2.");
  std::vector<dr::Block> blocks;
  if (!PG_ARGISNULL(4)) {
    const IntVectorArg b = int_vector_arg(fcinfo, 4, "blocks");
    std::int64_t off = 0;
    for (std::int64_t i = 0; i < b.size; ++i) {
      if (b.data[i] < 1 || off + b.data[i] > g.cols)
        throw invalid_parameter("blocks[" + std::to_string(i + 1) + "] = " + std::to_string(b.data[i]) +
                                    " does not fit the " + std::to_string(g.cols) + " columns",
                                "Give block lengths >= 1 that add up to the gradient length.");
      blocks.push_back({off, b.data[i], "block"});
      off += b.data[i];
    }
    if (off != g.cols)
      throw invalid_parameter(
          "blocks add up to " + std::to_string(off) + " but the gradients have " + std::to_string(g.cols) + " columns",
          "Give block lengths that add up to the gradient length.");
  } else {
    blocks.push_back({0, g.cols, "all"});
  }
  dr::GeometricMedianOptions gm;
  gm.tolerance = float_arg(fcinfo, 5, "tolerance");
  gm.max_iterations = int_arg(fcinfo, 6, "max_iterations");
  if (gm.tolerance < 0) throw invalid_parameter("tolerance must be >= 0", "Give tolerance => 1e-8.");
  if (gm.max_iterations < 1) throw invalid_parameter("max_iterations must be >= 1", "Give max_iterations => 1000.");
  const dr::BlockAggregate out = dr::aggregate_blocks(rule, g.map(), blocks, f, m, gm);
  return float8_array_datum(out.value.data(), out.value.size(), "robust_aggregate result");
}

// glm_predict(weights, features, family, intercept)
Datum glm_predict_body(FunctionCallInfo fcinfo) {
  const VectorArg w = vector_arg(fcinfo, 0, "weights");
  const VectorArg x = vector_arg(fcinfo, 1, "features");
  const dr::Family f = dr::parse_family(text_arg(fcinfo, 2));
  if (f == dr::Family::Mlp)
    throw invalid_parameter("glm_predict does not score an mlp", "Use mlp_predict(weights, features, layers).");
  const bool intercept = PG_GETARG_BOOL(3);
  dr::Glm g;
  g.model = dr::parse_model(dr::family_name(f));
  g.features = x.size;
  const std::int64_t block = x.size + (intercept ? 1 : 0);
  if (g.model == dr::Model::Softmax) {
    if (w.size % block != 0 || w.size / block < 2)
      throw invalid_parameter("weights have " + std::to_string(w.size) + " values but softmax over " +
                                  std::to_string(x.size) + " features needs K * " + std::to_string(block) +
                                  " (K >= 2 classes)",
                              "Pass the weights draco_train returned for the same features and intercept.");
    g.classes = w.size / block;
  } else if (w.size != block) {
    throw invalid_parameter("weights have " + std::to_string(w.size) + " values but " + std::to_string(x.size) +
                                " features need " + std::to_string(block) +
                                (intercept ? " (the last is the intercept)" : " (no intercept)"),
                            "Pass the weights draco_train returned for the same features and intercept.");
  }
  if (intercept) return float8_result(dr::glm_predict(g, x.data, w.data), "glm_predict result");
  Vector full = Vector::Zero(g.params());
  for (std::int64_t c = 0; c < g.classes; ++c)
    for (std::int64_t j = 0; j < x.size; ++j) full[c * (x.size + 1) + j] = w.data[c * x.size + j];
  return float8_result(dr::glm_predict(g, x.data, full.data()), "glm_predict result");
}

// mlp_predict(weights, features, layers): the most likely class
Datum mlp_predict_body(FunctionCallInfo fcinfo) {
  const VectorArg w = vector_arg(fcinfo, 0, "weights");
  const VectorArg x = vector_arg(fcinfo, 1, "features");
  const std::vector<std::int64_t> layers = layer_list(fcinfo, 2, "layers");
  const dr::Mlp net(layers);
  if (layers.front() != x.size)
    throw invalid_parameter("features have " + std::to_string(x.size) +
                                " values but layers[1] = " + std::to_string(layers.front()) + " inputs",
                            "Give layers = {inputs, hidden..., classes} of the trained network.");
  if (w.size != net.params()) {
    std::string ls;
    for (std::int64_t v : layers) ls += (ls.empty() ? "" : ", ") + std::to_string(v);
    throw invalid_parameter("weights have " + std::to_string(w.size) + " values but layers {" + ls + "} need " +
                                std::to_string(net.params()),
                            "Pass the weights draco_train returned for the same layers.");
  }
  RowMatrix out;
  net.logits(ConstRowMap(x.data, 1, x.size), w.data, out);
  Eigen::Index best = 0;
  out.row(0).maxCoeff(&best);
  return Int32GetDatum(static_cast<std::int32_t>(best));
}

}  // namespace
}  // namespace morpheus::pg

MORPHEUS_FUNCTION(draco_train, morpheus::pg::draco_train_body)
MORPHEUS_FUNCTION(robust_aggregate, morpheus::pg::robust_aggregate_body)
MORPHEUS_FUNCTION(glm_predict, morpheus::pg::glm_predict_body)
MORPHEUS_FUNCTION(mlp_predict, morpheus::pg::mlp_predict_body)
