// SQL entry points of the relation trainers: linreg_train, logreg_train, kmeans_train, gnmf_train. Each reads its
// data by relation (relation_data.hpp: the label and the features of a row travel together), runs the algorithm of
// core/ml on the entity block or on the normalized matrix (factorized per morpheus.factorize), and returns a
// morpheus.model with fit statistics, saved under model_name when one is given.
#include "core/ml/fit.hpp"
#include "core/ml/gnmf.hpp"
#include "core/ml/kmeans.hpp"
#include "core/ml/linreg.hpp"
#include "core/ml/logreg.hpp"
// core headers first
#include <cmath>
#include <string>

#include "pg/arrays.hpp"
#include "pg/guard.hpp"
#include "pg/ml/ml_args.hpp"
#include "pg/ml/ml_model.hpp"
#include "pg/ml/relation_data.hpp"
#include "pg/settings.hpp"

namespace morpheus::pg {
namespace {

// linreg_train / logreg_train (source, label, features, id, intercept, attributes, foreign_keys, attribute_keys,
//                              method, max_iterations, learning_rate, tolerance, l2, model_name)
constexpr RelationArgPositions kRegression{0, 1, 2, 3, 4, 5, 6, 7};
// kmeans_train (source, k, features, id, attributes, foreign_keys, attribute_keys, max_iterations, seed, model_name)
// gnmf_train (source, rank, features, id, attributes, foreign_keys, attribute_keys, max_iterations, tolerance, seed,
//             model_name)
constexpr RelationArgPositions kUnsupervised{0, -1, 2, 3, -1, 4, 5, 6};

void require_columns(std::int64_t d) {
  if (d < 1)
    throw invalid_parameter("source has no feature columns",
                            "Name the feature columns with features => ARRAY['a', 'b'], or give attribute relations.");
}

Datum linreg_train_body(FunctionCallInfo fcinfo) {
  const RelationArgs a = relation_args(fcinfo, kRegression);
  ml::LinregOptions o;
  o.method = linreg_method_arg(fcinfo, 8);
  read_solver_args(fcinfo, 9, o);
  if (o.max_iterations < 1)
    throw invalid_parameter("max_iterations must be at least 1, got " + std::to_string(o.max_iterations));
  const std::string name = model_name_arg(fcinfo, 13);
  RelationData d = read_relation(a);
  require_columns(d.matrix_cols() - (a.intercept ? 1 : 0));
  glm::check_labels(glm::Family::LeastSquares, d.y.data(), d.y.size(), "column \"" + a.label + "\" of source");
  const TrainedOn on = trained_on(a, d.entity_names, d.attributes, d.rows, d.label_boolean);
  require_gram_fits(d.matrix_cols(), "linreg_train (normal equations and fit statistics)",
                    "Use fewer feature columns (drop rare one-hot columns), or logreg_train, kmeans_train or "
                    "gnmf_train, which need no Gram matrix.");
  TrainingMatrix tm = training_matrix(d);
  NoticeProgress progress("linreg_train");
  const ml::LinregResult r = ml::linreg(*tm.t, d.y, o, progress);
  if (!r.converged)
    warn_not_converged("linreg_train", r.trace.back().iteration, "gradient norm " + short_number(r.final_grad_norm),
                       kLinregHint);
  const ml::Mat gram = r.gram.size() > 0 ? r.gram : tm.t->crossprod();
  const ml::ScanSums s = ml::scan_sums(*tm.t, d.y, r.weights, false);
  const ml::LeastSquaresFit fit = ml::least_squares_fit(gram, s, a.intercept, o.l2);
  model::Json options = data_options(a, on);
  add_solver_options(options, o);
  const model::Model m = linear_model(model::Kind::Linreg, a, on, r.weights, r.trace, r.converged, options,
                                      least_squares_statistics(fit, on), {});
  return finish_model(fcinfo, m, name);
}

Datum logreg_train_body(FunctionCallInfo fcinfo) {
  const RelationArgs a = relation_args(fcinfo, kRegression);
  ml::LogregOptions o;
  o.method = logreg_method_arg(fcinfo, 8);
  read_solver_args(fcinfo, 9, o);
  if (o.max_iterations < 1)
    throw invalid_parameter("max_iterations must be at least 1, got " + std::to_string(o.max_iterations));
  const std::string name = model_name_arg(fcinfo, 13);
  RelationData d = read_relation(a);
  require_columns(d.matrix_cols() - (a.intercept ? 1 : 0));
  std::vector<std::string> classes = binary_classes(d.y, d.label_boolean, "column \"" + a.label + "\" of source");
  const TrainedOn on = trained_on(a, d.entity_names, d.attributes, d.rows, d.label_boolean);
  TrainingMatrix tm = training_matrix(d);
  NoticeProgress progress("logreg_train");
  const ml::LogregResult r = ml::logreg(*tm.t, d.y, o, progress);
  if (!r.converged)
    warn_not_converged("logreg_train", r.trace.back().iteration, "gradient norm " + short_number(r.final_grad_norm),
                       kLogregHint);
  const ml::ScanSums s = ml::scan_sums(*tm.t, d.y, r.weights, true);
  model::Json options = data_options(a, on);
  add_solver_options(options, o);
  const model::Model m = linear_model(model::Kind::Logreg, a, on, r.weights, r.trace, r.converged, options,
                                      logistic_statistics(s), std::move(classes));
  return finish_model(fcinfo, m, name);
}

Datum kmeans_train_body(FunctionCallInfo fcinfo) {
  const RelationArgs a = relation_args(fcinfo, kUnsupervised);
  ml::KmeansOptions o;
  o.k = int_arg(fcinfo, 1, "k");
  o.max_iterations = int_arg(fcinfo, 7, "max_iterations");
  const std::int32_t seed = int_arg(fcinfo, 8, "seed");
  o.seed = static_cast<std::uint64_t>(static_cast<std::int64_t>(seed));
  if (o.k < 1) throw invalid_parameter("k must be at least 1, got " + std::to_string(o.k), "Ask for k >= 1 clusters.");
  if (o.max_iterations < 1)
    throw invalid_parameter("max_iterations must be at least 1, got " + std::to_string(o.max_iterations));
  const std::string name = model_name_arg(fcinfo, 9);
  RelationData d = read_relation(a);
  require_columns(d.matrix_cols());
  const TrainedOn on = trained_on(a, d.entity_names, d.attributes, d.rows, false);
  TrainingMatrix tm = training_matrix(d);
  NoticeProgress progress("kmeans_train");
  const ml::KmeansResult r = ml::kmeans(*tm.t, o, progress);
  if (!r.converged)
    warn_not_converged("kmeans_train", r.trace.back().iteration, "cluster assignments still changing",
                       "Raise max_iterations.");
  const ml::KmeansFit fit = ml::kmeans_fit(*tm.t, r.centers);
  model::Json options = data_options(a, on);
  options.add("k", o.k).add("max_iterations", o.max_iterations).add("seed", seed);
  const model::Model m = kmeans_model(a, on, r, fit, options);
  return finish_model(fcinfo, m, name);
}

Datum gnmf_train_body(FunctionCallInfo fcinfo) {
  const RelationArgs a = relation_args(fcinfo, kUnsupervised);
  ml::GnmfOptions o;
  o.rank = int_arg(fcinfo, 1, "rank");
  o.max_iterations = int_arg(fcinfo, 7, "max_iterations");
  o.tolerance = float_arg(fcinfo, 8, "tolerance");
  const std::int32_t seed = int_arg(fcinfo, 9, "seed");
  o.seed = static_cast<std::uint64_t>(static_cast<std::int64_t>(seed));
  if (o.rank < 1) throw invalid_parameter("rank must be at least 1, got " + std::to_string(o.rank));
  if (o.max_iterations < 1)
    throw invalid_parameter("max_iterations must be at least 1, got " + std::to_string(o.max_iterations));
  if (!(o.tolerance >= 0)) throw invalid_parameter("tolerance must be non-negative, got " + short_number(o.tolerance));
  const std::string name = model_name_arg(fcinfo, 10);
  RelationData d = read_relation(a);
  require_columns(d.matrix_cols());
  const TrainedOn on = trained_on(a, d.entity_names, d.attributes, d.rows, false);
  TrainingMatrix tm = training_matrix(d);
  NoticeProgress progress("gnmf_train");
  const ml::GnmfResult r = ml::gnmf(*tm.t, o, progress);
  const double norm_sq = tm.t->row_squared_norms().sum();
  if (!r.converged) {
    const auto& tr = r.trace;
    const double change = tr.size() >= 2 ? (tr[tr.size() - 2].loss - tr.back().loss) / tr.back().loss : NAN;
    warn_not_converged("gnmf_train", tr.back().iteration,
                       "relative loss change " + short_number(change) + " > tolerance " + short_number(o.tolerance),
                       "Raise max_iterations, or tolerance.");
  }
  model::Json options = data_options(a, on);
  options.add("rank", o.rank).add("max_iterations", o.max_iterations).add("tolerance", o.tolerance).add("seed", seed);
  model::Json stats;
  stats.add("loss", r.trace.back().loss);
  stats.add("relative_error", norm_sq > 0 ? std::sqrt(r.trace.back().loss / norm_sq) : NAN);
  model::Model m;
  m.kind = model::Kind::Gnmf;
  m.features = on.entity_names;
  m.features.insert(m.features.end(), on.attribute_names.begin(), on.attribute_names.end());
  m.shape = {r.h.rows(), r.h.cols()};
  const RowMatrix h = r.h;
  m.parameters.assign(h.data(), h.data() + h.size());
  m.source = a.source;
  m.options = options.str();
  m.rows = d.rows;
  m.iterations = r.trace.back().iteration;
  m.converged = r.converged;
  m.loss = trace_losses(r.trace);
  m.statistics = stats.str();
  model::validate(m, "the trained model");
  return finish_model(fcinfo, m, name);
}

}  // namespace
}  // namespace morpheus::pg

MORPHEUS_FUNCTION(linreg_train, morpheus::pg::linreg_train_body)
MORPHEUS_FUNCTION(logreg_train, morpheus::pg::logreg_train_body)
MORPHEUS_FUNCTION(kmeans_train, morpheus::pg::kmeans_train_body)
MORPHEUS_FUNCTION(gnmf_train, morpheus::pg::gnmf_train_body)
