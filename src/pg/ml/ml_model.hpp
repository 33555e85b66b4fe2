// What the relation trainers (ml_train_sql.cpp, ml_stream_sql.cpp) share: their arguments, the model they build from
// a core result (parameters in the model's layout, options, fit statistics), the WARNING of a solver that did not
// converge, and saving under model_name.
#pragma once

#include "core/ml/fit.hpp"
#include "core/ml/gnmf.hpp"
#include "core/ml/kmeans.hpp"
#include "core/ml/linreg.hpp"
#include "core/ml/logreg.hpp"
#include "core/model/model.hpp"
// core headers first
#include <string>
#include <vector>

#include "pg/ml/relation_data.hpp"

namespace morpheus::pg {

// The data a trainer ran on: feature names in data-matrix order, the position of the intercept column (-1: none),
// the columns read, the label coding and the rows.
struct TrainedOn {
  std::vector<std::string> entity_names;     // entity features (before the intercept column)
  std::vector<std::string> attribute_names;  // attribute features (after it)
  bool intercept = false;
  std::int64_t rows = 0;
  bool label_boolean = false;
  std::vector<std::string> feature_columns;  // the entity columns read (for predict)
  // Data-matrix position of model feature j, and of the intercept.
  std::int64_t matrix_cols() const;
  std::int64_t intercept_col() const { return intercept ? static_cast<std::int64_t>(entity_names.size()) : -1; }
};
TrainedOn trained_on(const RelationArgs& a, const std::vector<std::string>& entity_names,
                     const std::vector<AttributeRelation>& attributes, std::int64_t rows, bool label_boolean);

// The options of a model: how the data was read (features, id, attributes, foreign_keys, attribute_keys), then the
// hyper-parameters in `extra` (a Json object body, e.g. from model::Json).
model::Json data_options(const RelationArgs& a, const TrainedOn& on);

// The solver's hyper-parameters in a linear or logistic model's options: method, max_iterations, learning_rate (null
// when derived from the data), tolerance, l2.
void add_solver_options(model::Json& options, const ml::LinregOptions& o);
void add_solver_options(model::Json& options, const ml::LogregOptions& o);
// The hints of the solvers' "did not converge" warnings.
extern const char* const kLinregHint;
extern const char* const kLogregHint;

// Linear and logistic regression models from a weight vector in data-matrix order.
model::Model linear_model(model::Kind kind, const RelationArgs& a, const TrainedOn& on, const ml::Vec& w,
                          const ml::Trace& trace, bool converged, const model::Json& options,
                          const std::string& statistics, std::vector<std::string> classes);
// A k-means model: the centers (k x d, row by row) and the fit statistics.
model::Model kmeans_model(const RelationArgs& a, const TrainedOn& on, const ml::KmeansResult& r,
                          const ml::KmeansFit& fit, const model::Json& options);
// Fit statistics as JSON.
std::string least_squares_statistics(const ml::LeastSquaresFit& f, const TrainedOn& on);
std::string logistic_statistics(const ml::ScanSums& s);
std::string kmeans_statistics(const ml::KmeansFit& f);

// Classes of a binary label in the training coding, from the labels' values (checked: 0/1 or -1/+1 or boolean).
std::vector<std::string> binary_classes(const ml::Vec& y, bool boolean, const std::string& what);

// WARNING: `function` stopped at its iteration cap before meeting its tolerance.
void warn_not_converged(const std::string& function, std::int64_t iterations, const std::string& measure,
                        const std::string& hint);

// v with 3 significant digits (%.3g), for messages whose last digits depend on rounding.
std::string short_number(double v);

// The trace's losses as a vector.
std::vector<double> trace_losses(const ml::Trace& trace);

// model_name at argno: empty when NULL; an empty string is an error.
std::string model_name_arg(FunctionCallInfo fcinfo, int argno);

// The model as fcinfo's result, saved under name first when name is not empty.
Datum finish_model(FunctionCallInfo fcinfo, const model::Model& m, const std::string& name);

}  // namespace morpheus::pg
