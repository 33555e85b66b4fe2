// SQL entry points of the streaming ML functions: linreg_stream, logreg_stream, kmeans_stream. The entity query is
// read through a read-only cursor batch_rows at a time on every pass (ml_stream_source.hpp); the attribute queries
// are read once into memory. The algorithms are the ones of morpheus.linreg/logreg/kmeans (core/ml), run over the
// streaming pass interfaces of core/ml/stream.hpp.
#include "core/ml/stream.hpp"
// core headers first
#include <memory>
#include <string>
#include <vector>

#include "pg/arrays.hpp"
#include "pg/guard.hpp"
#include "pg/ml_args.hpp"
#include "pg/ml_stream_source.hpp"
#include "pg/settings.hpp"
#include "pg/srf.hpp"

namespace morpheus::pg {
namespace {

constexpr std::int64_t kMaxBatchRows = 10000000;

// The arguments every streaming function shares, read and checked before any query runs.
struct StreamArgs {
  StreamQuery query;
  std::vector<std::string> attribute_sql;
};

StreamArgs stream_args(FunctionCallInfo fcinfo, int entity, int attrs, int fks, int y_column, int batch_rows) {
  StreamArgs a;
  require_not_null(fcinfo, entity, "entity_sql");
  a.query.entity_sql = text_arg(fcinfo, entity);
  a.attribute_sql = text_array_arg(fcinfo, attrs, "attribute_sql");
  a.query.fk_columns = text_array_arg(fcinfo, fks, "fk_columns");
  if (a.attribute_sql.size() != a.query.fk_columns.size())
    throw invalid_parameter("attribute_sql has " + std::to_string(a.attribute_sql.size()) +
                                " queries but fk_columns has " + std::to_string(a.query.fk_columns.size()) + " names",
                            "Name one foreign-key column of entity_sql per attribute query.");
  if (y_column >= 0) {
    a.query.y_column = string_arg(fcinfo, y_column, "y_column");
    if (a.query.y_column.empty())
      throw invalid_parameter("y_column is empty", "Name the label column of entity_sql, e.g. y_column => 'y'.");
  }
  const std::int64_t b = int_arg(fcinfo, batch_rows, "batch_rows");
  if (b < 1 || b > kMaxBatchRows)
    throw invalid_parameter(
        "batch_rows must be between 1 and " + std::to_string(kMaxBatchRows) + ", got " + std::to_string(b),
        "Memory grows with batch_rows; 100000 is a good default.");
  a.query.batch_rows = b;
  return a;
}

// The streamed table: attribute tables in memory, the entity cursor open (SPI connected until finish()).
struct Stream {
  std::vector<AttributeTable> attributes;
  std::unique_ptr<SpiCursorSource> source;
  std::unique_ptr<ml::StreamTable> table;

  explicit Stream(StreamArgs args) {
    for (size_t k = 0; k < args.attribute_sql.size(); ++k)
      attributes.push_back(read_attribute_table(args.attribute_sql[k], "attribute_sql[" + std::to_string(k + 1) + "]"));
    const std::string y = args.query.y_column;
    source = std::make_unique<SpiCursorSource>(std::move(args.query), &attributes);
    if (source->empty())
      throw invalid_parameter("entity_sql returned no rows", "The entity query must return at least one row.");
    std::vector<RowMatrix> blocks;
    for (auto& a : attributes) blocks.push_back(std::move(a.features));
    table = std::make_unique<ml::StreamTable>(*source, source->entity_cols(), std::move(blocks),
                                              ml::StreamNames{"entity_sql", "column \"" + y + "\" of entity_sql"});
  }
};

// The solver arguments at 6 .. 9 (max_iterations, learning_rate, tolerance, l2), checked before any query runs.
template <class Options>
void read_stream_solver_args(FunctionCallInfo fcinfo, Options& o) {
  read_solver_args(fcinfo, 6, o);
  if (o.max_iterations < 1)
    throw invalid_parameter("max_iterations must be at least 1, got " + std::to_string(o.max_iterations));
}

// linreg_stream(entity_sql, attribute_sql, fk_columns, y_column, batch_rows, method, max_iterations, learning_rate,
//               tolerance, l2) -> (coefficients, iterations, loss[], grad_norm[])
Datum linreg_stream_body(FunctionCallInfo fcinfo) {
  StreamArgs args = stream_args(fcinfo, 0, 1, 2, 3, 4);
  ml::LinregOptions o;
  o.method = linreg_method_arg(fcinfo, 5);
  read_stream_solver_args(fcinfo, o);
  Stream s(std::move(args));
  ml::StreamLeastSquares passes(*s.table);
  NoticeProgress progress("linreg_stream");
  const ml::LinregResult r = ml::linreg(passes, o, progress);
  s.source->finish();
  return regression_row(fcinfo, r.weights, r.trace);
}

Datum logreg_stream_body(FunctionCallInfo fcinfo) {
  StreamArgs args = stream_args(fcinfo, 0, 1, 2, 3, 4);
  ml::LogregOptions o;
  o.method = logreg_method_arg(fcinfo, 5);
  read_stream_solver_args(fcinfo, o);
  Stream s(std::move(args));
  ml::StreamLogistic passes(*s.table);
  NoticeProgress progress("logreg_stream");
  const ml::LogregResult r = ml::logreg(passes, o, progress);
  s.source->finish();
  return regression_row(fcinfo, r.weights, r.trace);
}

// kmeans_stream(entity_sql, k, attribute_sql, fk_columns, batch_rows, max_iterations, seed, with_assignment)
//   -> (centers, assignment (NULL without with_assignment), iterations, loss[])
Datum kmeans_stream_body(FunctionCallInfo fcinfo) {
  ml::KmeansOptions o;
  o.k = int_arg(fcinfo, 1, "k");
  StreamArgs args = stream_args(fcinfo, 0, 2, 3, -1, 4);
  o.max_iterations = int_arg(fcinfo, 5, "max_iterations");
  o.seed = static_cast<std::uint64_t>(int_arg(fcinfo, 6, "seed"));
  require_not_null(fcinfo, 7, "with_assignment");
  const bool with_assignment = PG_GETARG_BOOL(7);
  if (o.k < 1) throw invalid_parameter("k must be at least 1, got " + std::to_string(o.k));
  if (o.max_iterations < 1)
    throw invalid_parameter("max_iterations must be at least 1, got " + std::to_string(o.max_iterations));
  Stream s(std::move(args));
  ml::StreamKmeans passes(*s.table, with_assignment);
  NoticeProgress progress("kmeans_stream");
  const ml::KmeansResult r = ml::kmeans(passes, o, progress);
  s.source->finish();
  std::vector<std::int32_t> assignment(r.assignment.size());
  for (size_t i = 0; i < assignment.size(); ++i) assignment[i] = r.assignment[i] + 1;
  const RowMatrix centers = r.centers;
  SrfWriter out(fcinfo);
  Datum values[4] = {
      float8_matrix_datum(ConstRowMap(centers.data(), centers.rows(), centers.cols()), "centers"),
      with_assignment ? int4_array_datum(assignment.data(), static_cast<std::int64_t>(assignment.size()), "assignment")
                      : (Datum)0,
      Int32GetDatum(r.trace.back().iteration), trace_column(r.trace, false)};
  const bool nulls[4] = {false, !with_assignment, false, false};
  out.put(values, nulls);
  return (Datum)0;
}

}  // namespace
}  // namespace morpheus::pg

MORPHEUS_FUNCTION(linreg_stream, morpheus::pg::linreg_stream_body)
MORPHEUS_FUNCTION(logreg_stream, morpheus::pg::logreg_stream_body)
MORPHEUS_FUNCTION(kmeans_stream, morpheus::pg::kmeans_stream_body)
