// SQL entry points of the streaming trainers: linreg_stream, logreg_stream, kmeans_stream. They take the arguments of
// linreg_train, logreg_train and kmeans_train plus batch_rows: the source relation is read through a read-only
// cursor batch_rows at a time on every pass (ml_stream_source.hpp), the attribute relations once into memory. The
// algorithms are the ones of the in-memory trainers (core/ml), run over the streaming pass interfaces of
// core/ml/stream.hpp, and the result is the same morpheus.model (fit statistics cost one more pass).
#include "core/dense.hpp"
#include "core/ml/fit.hpp"
#include "core/ml/stream.hpp"
// core headers first
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "pg/arrays.hpp"
#include "pg/guard.hpp"
#include "pg/ml/ml_args.hpp"
#include "pg/ml/ml_model.hpp"
#include "pg/ml/ml_stream_source.hpp"
#include "pg/ml/relation_data.hpp"
#include "pg/settings.hpp"

namespace morpheus::pg {
namespace {

constexpr std::int64_t kMaxBatchRows = 10000000;

// linreg_stream / logreg_stream (source, label, features, id, intercept, attributes, foreign_keys, attribute_keys,
//                                batch_rows, method, max_iterations, learning_rate, tolerance, l2, model_name)
constexpr RelationArgPositions kRegression{0, 1, 2, 3, 4, 5, 6, 7};
// kmeans_stream (source, k, features, id, attributes, foreign_keys, attribute_keys, batch_rows, max_iterations, seed,
//                model_name)
constexpr RelationArgPositions kKmeans{0, -1, 2, 3, -1, 4, 5, 6};

std::int64_t batch_rows_arg(FunctionCallInfo fcinfo, int argno) {
  const std::int64_t b = int_arg(fcinfo, argno, "batch_rows");
  if (b < 1 || b > kMaxBatchRows)
    throw invalid_parameter(
        "batch_rows must be between 1 and " + std::to_string(kMaxBatchRows) + ", got " + std::to_string(b),
        "Memory grows with batch_rows; 100000 is a good default.");
  return b;
}

// The attribute features of relation k as the streaming passes take them (dense; a sparse relation is expanded,
// after the size its width implies is checked). The keys stay for the cursor.
RowMatrix dense_block(AttributeRelation& r, std::size_t k) {
  if (r.sparse) {
    check_allocation(8.0 * static_cast<double>(r.features.rows()) * static_cast<double>(r.features.cols()),
                     "attributes[" + std::to_string(k + 1) + "] (sparse, " + std::to_string(r.features.rows()) + " x " +
                         std::to_string(r.features.cols()) + ") as the dense block the streaming trainers use",
                     "Train with the in-memory trainer (linreg_train, logreg_train, kmeans_train, gnmf_train), which "
                     "keeps sparse attribute relations sparse.");
  }
  RowMatrix m = r.features.to_dense();
  r.features = nm::Block();
  return m;
}

// The streamed relation: attribute relations in memory, the source cursor open (SPI connected until finish()).
struct Stream {
  std::vector<AttributeRelation> attributes;
  std::unique_ptr<SpiCursorSource> source;
  std::unique_ptr<ml::StreamTable> table;

  Stream(const RelationArgs& a, std::int64_t batch_rows) {
    attributes = read_attributes(a);
    source = std::make_unique<SpiCursorSource>(a, &attributes, batch_rows);
    if (source->empty()) throw invalid_parameter("source returned no rows", "Train on at least one row.");
    std::vector<RowMatrix> blocks;
    for (std::size_t k = 0; k < attributes.size(); ++k) blocks.push_back(dense_block(attributes[k], k));
    table = std::make_unique<ml::StreamTable>(*source, source->entity_cols(), std::move(blocks),
                                              ml::StreamNames{"source", "column \"" + a.label + "\" of source"});
    if (table->cols() < 1)
      throw invalid_parameter(
          "source has no feature columns",
          "Name the feature columns with features => ARRAY['a', 'b'], or give attribute relations.");
  }
  TrainedOn on(const RelationArgs& a) const {
    return trained_on(a, source->entity_names(), attributes, table->rows(), source->label_boolean());
  }
};

Datum linreg_stream_body(FunctionCallInfo fcinfo) {
  const RelationArgs a = relation_args(fcinfo, kRegression);
  const std::int64_t batch_rows = batch_rows_arg(fcinfo, 8);
  ml::LinregOptions o;
  o.method = linreg_method_arg(fcinfo, 9);
  read_solver_args(fcinfo, 10, o);
  if (o.max_iterations < 1)
    throw invalid_parameter("max_iterations must be at least 1, got " + std::to_string(o.max_iterations));
  const std::string name = model_name_arg(fcinfo, 14);
  Stream s(a, batch_rows);
  require_gram_fits(s.table->cols(), "linreg_stream (normal equations and fit statistics)",
                    "Use fewer feature columns (drop rare one-hot columns), or logreg_stream or kmeans_stream, which "
                    "need no Gram matrix.");
  ml::StreamLeastSquares passes(*s.table);
  NoticeProgress progress("linreg_stream");
  const ml::LinregResult r = ml::linreg(passes, o, progress);
  if (!r.converged)
    warn_not_converged("linreg_stream", r.trace.back().iteration, "gradient norm " + short_number(r.final_grad_norm),
                       kLinregHint);
  ml::Mat gram = r.gram;
  if (gram.size() == 0) s.table->crossprod(gram, nullptr);
  const ml::ScanSums sums = ml::scan_sums(*s.table, r.weights, false);
  const TrainedOn on = s.on(a);
  s.source->finish();
  const ml::LeastSquaresFit fit = ml::least_squares_fit(gram, sums, a.intercept, o.l2);
  model::Json options = data_options(a, on);
  options.add("batch_rows", batch_rows);
  add_solver_options(options, o);
  const model::Model m = linear_model(model::Kind::Linreg, a, on, r.weights, r.trace, r.converged, options,
                                      least_squares_statistics(fit, on), {});
  return finish_model(fcinfo, m, name);
}

Datum logreg_stream_body(FunctionCallInfo fcinfo) {
  const RelationArgs a = relation_args(fcinfo, kRegression);
  const std::int64_t batch_rows = batch_rows_arg(fcinfo, 8);
  ml::LogregOptions o;
  o.method = logreg_method_arg(fcinfo, 9);
  read_solver_args(fcinfo, 10, o);
  if (o.max_iterations < 1)
    throw invalid_parameter("max_iterations must be at least 1, got " + std::to_string(o.max_iterations));
  const std::string name = model_name_arg(fcinfo, 14);
  Stream s(a, batch_rows);
  ml::StreamLogistic passes(*s.table);
  NoticeProgress progress("logreg_stream");
  const ml::LogregResult r = ml::logreg(passes, o, progress);
  if (!r.converged)
    warn_not_converged("logreg_stream", r.trace.back().iteration, "gradient norm " + short_number(r.final_grad_norm),
                       kLogregHint);
  const ml::ScanSums sums = ml::scan_sums(*s.table, r.weights, true);
  const TrainedOn on = s.on(a);
  s.source->finish();
  const glm::BinaryCoding coding = on.label_boolean ? glm::BinaryCoding::Boolean
                                   : sums.minus_one ? glm::BinaryCoding::PlusMinusOne
                                                    : glm::BinaryCoding::ZeroOne;
  model::Json options = data_options(a, on);
  options.add("batch_rows", batch_rows);
  add_solver_options(options, o);
  const model::Model m =
      linear_model(model::Kind::Logreg, a, on, r.weights, r.trace, r.converged, options, logistic_statistics(sums),
                   {glm::negative_class(coding), glm::positive_class(coding)});
  return finish_model(fcinfo, m, name);
}

Datum kmeans_stream_body(FunctionCallInfo fcinfo) {
  const RelationArgs a = relation_args(fcinfo, kKmeans);
  ml::KmeansOptions o;
  o.k = int_arg(fcinfo, 1, "k");
  const std::int64_t batch_rows = batch_rows_arg(fcinfo, 7);
  o.max_iterations = int_arg(fcinfo, 8, "max_iterations");
  const std::int32_t seed = int_arg(fcinfo, 9, "seed");
  o.seed = static_cast<std::uint64_t>(static_cast<std::int64_t>(seed));
  if (o.k < 1) throw invalid_parameter("k must be at least 1, got " + std::to_string(o.k), "Ask for k >= 1 clusters.");
  if (o.max_iterations < 1)
    throw invalid_parameter("max_iterations must be at least 1, got " + std::to_string(o.max_iterations));
  const std::string name = model_name_arg(fcinfo, 10);
  Stream s(a, batch_rows);
  ml::StreamKmeans passes(*s.table, false);
  NoticeProgress progress("kmeans_stream");
  const ml::KmeansResult r = ml::kmeans(passes, o, progress);
  if (!r.converged)
    warn_not_converged("kmeans_stream", r.trace.back().iteration, "cluster assignments still changing",
                       "Raise max_iterations.");
  const ml::KmeansFit fit = ml::kmeans_fit(*s.table, r.centers);
  const TrainedOn on = s.on(a);
  s.source->finish();
  model::Json options = data_options(a, on);
  options.add("batch_rows", batch_rows).add("k", o.k).add("max_iterations", o.max_iterations).add("seed", seed);
  const model::Model m = kmeans_model(a, on, r, fit, options);
  return finish_model(fcinfo, m, name);
}

}  // namespace
}  // namespace morpheus::pg

MORPHEUS_FUNCTION(linreg_stream, morpheus::pg::linreg_stream_body)
MORPHEUS_FUNCTION(logreg_stream, morpheus::pg::logreg_stream_body)
MORPHEUS_FUNCTION(kmeans_stream, morpheus::pg::kmeans_stream_body)
