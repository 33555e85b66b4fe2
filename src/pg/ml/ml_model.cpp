#include "pg/ml/ml_model.hpp"

#include "core/glm/glm.hpp"
// core headers first
#include <cmath>

#include "pg/guard.hpp"
#include "pg/model/model_datum.hpp"

namespace morpheus::pg {

std::int64_t TrainedOn::matrix_cols() const {
  return static_cast<std::int64_t>(entity_names.size() + attribute_names.size()) + (intercept ? 1 : 0);
}

TrainedOn trained_on(const RelationArgs& a, const std::vector<std::string>& entity_names,
                     const std::vector<AttributeRelation>& attributes, std::int64_t rows, bool label_boolean) {
  TrainedOn on;
  on.entity_names = entity_names;
  for (const auto& r : attributes) on.attribute_names.insert(on.attribute_names.end(), r.names.begin(), r.names.end());
  on.intercept = a.intercept;
  on.rows = rows;
  on.label_boolean = label_boolean;
  if (a.features_given || !entity_names.empty()) on.feature_columns = a.features;
  return on;
}

namespace {
template <class Options>
void add_solver(model::Json& options, const char* method, const Options& o) {
  options.add("method", method).add("max_iterations", o.max_iterations);
  options.add("learning_rate", o.learning_rate > 0 ? o.learning_rate : NAN)
      .add("tolerance", o.tolerance)
      .add("l2", o.l2);
}
}  // namespace

void add_solver_options(model::Json& options, const ml::LinregOptions& o) {
  add_solver(options, o.method == ml::LinregMethod::Normal ? "normal" : "gd", o);
}

void add_solver_options(model::Json& options, const ml::LogregOptions& o) {
  add_solver(options, o.method == ml::LogregMethod::Lbfgs ? "lbfgs" : "gd", o);
}

const char* const kLinregHint =
    "Raise max_iterations, scale the features (mean 0, standard deviation 1), or use method => 'normal'.";
const char* const kLogregHint =
    "Raise max_iterations, scale the features, or add a penalty (l2 => 0.01): separable classes have no finite "
    "optimum.";

model::Json data_options(const RelationArgs& a, const TrainedOn& on) {
  model::Json j;
  j.add("features", on.feature_columns);
  if (a.id.empty())
    j.add_null("id");
  else
    j.add("id", a.id);
  j.add("attributes", a.attributes);
  j.add("foreign_keys", a.foreign_keys);
  j.add("attribute_keys", a.attribute_keys);
  return j;
}

namespace {

// The data-matrix vector v (entity, [intercept], attributes) in the model's order (entity, attributes, intercept);
// the intercept entry is `none` when the model has none.
std::vector<double> model_order(const TrainedOn& on, const ml::Vec& v, double none) {
  std::vector<double> out;
  const auto m = static_cast<ml::Index>(on.entity_names.size());
  const ml::Index off = m + (on.intercept ? 1 : 0);
  for (ml::Index j = 0; j < m; ++j) out.push_back(v(j));
  for (ml::Index j = off; j < v.size(); ++j) out.push_back(v(j));
  out.push_back(on.intercept ? v(m) : none);
  return out;
}

}  // namespace

model::Model linear_model(model::Kind kind, const RelationArgs& a, const TrainedOn& on, const ml::Vec& w,
                          const ml::Trace& trace, bool converged, const model::Json& options,
                          const std::string& statistics, std::vector<std::string> classes) {
  model::Model m;
  m.kind = kind;
  m.family = kind == model::Kind::Logreg ? "logistic" : "least_squares";
  m.label = a.label;
  m.features = on.entity_names;
  m.features.insert(m.features.end(), on.attribute_names.begin(), on.attribute_names.end());
  m.intercept = on.intercept;
  m.classes = std::move(classes);
  m.shape = {1, static_cast<std::int64_t>(m.features.size()) + 1};
  m.parameters = model_order(on, w, 0.0);
  m.source = a.source;
  m.options = options.str();
  m.rows = on.rows;
  m.iterations = trace.back().iteration;
  m.converged = converged;
  m.loss = trace_losses(trace);
  m.statistics = statistics;
  model::validate(m, "the trained model");
  return m;
}

model::Model kmeans_model(const RelationArgs& a, const TrainedOn& on, const ml::KmeansResult& r,
                          const ml::KmeansFit& fit, const model::Json& options) {
  model::Model m;
  m.kind = model::Kind::Kmeans;
  m.features = on.entity_names;
  m.features.insert(m.features.end(), on.attribute_names.begin(), on.attribute_names.end());
  m.shape = {r.centers.rows(), r.centers.cols()};
  const RowMatrix centers = r.centers;
  m.parameters.assign(centers.data(), centers.data() + centers.size());
  m.source = a.source;
  m.options = options.str();
  m.rows = on.rows;
  m.iterations = r.trace.back().iteration;
  m.converged = r.converged;
  m.loss = trace_losses(r.trace);
  m.statistics = kmeans_statistics(fit);
  model::validate(m, "the trained model");
  return m;
}

std::string least_squares_statistics(const ml::LeastSquaresFit& f, const TrainedOn& on) {
  model::Json j;
  j.add("r2", f.r2).add("adjusted_r2", f.adjusted_r2).add("sse", f.sse).add("sigma", f.sigma);
  j.add("rank", static_cast<std::int64_t>(f.rank)).add("condition_number", f.condition_number);
  j.add("std_errors", model_order(on, f.std_errors, std::nan("")));
  return j.str();
}

std::string logistic_statistics(const ml::ScanSums& s) {
  model::Json j;
  j.add("log_likelihood", s.log_likelihood);
  j.add("accuracy", s.n > 0 ? static_cast<double>(s.correct) / static_cast<double>(s.n) : std::nan(""));
  return j.str();
}

std::string kmeans_statistics(const ml::KmeansFit& f) {
  model::Json j;
  j.add("within_ss", f.total);
  j.add("cluster_within_ss", std::vector<double>(f.within.data(), f.within.data() + f.within.size()));
  std::vector<std::int64_t> sizes;
  for (ml::Index c = 0; c < f.sizes.size(); ++c) sizes.push_back(static_cast<std::int64_t>(f.sizes(c)));
  j.add("cluster_sizes", sizes);
  return j.str();
}

std::vector<std::string> binary_classes(const ml::Vec& y, bool boolean, const std::string& what) {
  glm::BinaryCoding coding = glm::BinaryCoding::ZeroOne;
  glm::check_labels(glm::Family::Logistic, y.data(), y.size(), what, &coding, boolean);
  return {glm::negative_class(coding), glm::positive_class(coding)};
}

void warn_not_converged(const std::string& function, std::int64_t iterations, const std::string& measure,
                        const std::string& hint) {
  const std::string message =
      function + " did not converge: it stopped at max_iterations = " + std::to_string(iterations) + " with " + measure;
  const char* msg = message.c_str();
  const char* h = hint.c_str();
  pg_call([msg, h] { ereport(WARNING, (errmsg("%s", msg), errhint("%s", h))); });
}

std::string short_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

std::vector<double> trace_losses(const ml::Trace& trace) {
  std::vector<double> out;
  for (const auto& r : trace) out.push_back(r.loss);
  return out;
}

std::string model_name_arg(FunctionCallInfo fcinfo, int argno) {
  if (PG_ARGISNULL(argno)) return {};
  const std::string name = string_arg(fcinfo, argno, "model_name");
  if (name.empty()) throw invalid_parameter("model_name is empty", "Name the model, or pass NULL not to save it.");
  return name;
}

Datum finish_model(FunctionCallInfo fcinfo, const model::Model& m, const std::string& name) {
  const Datum d = model_result(fcinfo, m);
  if (!name.empty()) save_model(name, d);
  return d;
}

}  // namespace morpheus::pg
