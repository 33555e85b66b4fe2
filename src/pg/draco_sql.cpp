// SQL entry points of DRACO: draco_train (Byzantine-robust GLM training from a query), robust_aggregate (a baseline
// rule over gradients the user has) and glm_predict.
#include "core/draco/draco.hpp"
#include "core/errors.hpp"
#include "pg/arrays.hpp"
#include "pg/guard.hpp"
#include "pg/settings.hpp"
#include "pg/spi_query.hpp"
#include "pg/srf.hpp"

namespace morpheus::pg {
namespace {

namespace dr = morpheus::draco;

Datum int_list(const std::vector<int>& v, const char* what) {
  std::vector<std::int32_t> one_based(v.begin(), v.end());
  for (auto& x : one_based) ++x;
  return int4_array_datum(one_based.data(), static_cast<std::int64_t>(one_based.size()), what);
}

// draco_train(data_sql, model, workers, adversaries, attack, aggregation, batch_size, iterations, learning_rate,
//             seed, tolerance, placement, attack_scale, eval_every)
Datum draco_train_body(FunctionCallInfo fcinfo) {
  dr::TrainOptions o;
  const std::string sql = string_arg(fcinfo, 0, "data_sql");
  o.model = dr::parse_model(string_arg(fcinfo, 1, "model"));
  o.workers = int_arg(fcinfo, 2, "workers");
  o.adversaries = int_arg(fcinfo, 3, "adversaries");
  o.attack = dr::parse_attack(string_arg(fcinfo, 4, "attack"));
  o.rule = dr::parse_rule(string_arg(fcinfo, 5, "aggregation"), true);
  o.batch_size = int_arg(fcinfo, 6, "batch_size");
  o.iterations = int_arg(fcinfo, 7, "iterations");
  o.learning_rate = float_arg(fcinfo, 8, "learning_rate");
  o.seed = static_cast<std::uint64_t>(static_cast<std::int64_t>(int_arg(fcinfo, 9, "seed")));
  o.tolerance = PG_ARGISNULL(10) ? -1 : PG_GETARG_INT32(10);
  if (!PG_ARGISNULL(10) && o.tolerance < 0)
    throw invalid_parameter("tolerance = " + std::to_string(o.tolerance) + " is negative",
                            "Give tolerance >= 0, or NULL to use adversaries.");
  o.placement = dr::parse_placement(string_arg(fcinfo, 11, "placement"));
  if (!PG_ARGISNULL(12)) o.attack_scale = PG_GETARG_FLOAT8(12);
  o.eval_every = int_arg(fcinfo, 13, "eval_every");

  // cheap checks before reading the data
  if (o.workers < 1 || o.workers > 1000)
    throw invalid_parameter("workers = " + std::to_string(o.workers) + " is out of range",
                            "Give workers between 1 and 1000.");
  const int s = o.tolerance < 0 ? o.adversaries : o.tolerance;
  if (o.adversaries < 0 || o.adversaries > o.workers)
    throw invalid_parameter("adversaries = " + std::to_string(o.adversaries) +
                                " is out of range for workers = " + std::to_string(o.workers),
                            "Give adversaries between 0 and workers.");
  if (dr::is_code(o.rule)) dr::require_code_size(o.rule, o.workers, s);

  const QueryTable t = read_query(
      sql, "data_sql", {{"label", ColumnType::Float, true}, {"features", ColumnType::FloatArray, false}}, true);
  t.require_no_nulls("label", "data_sql");
  const std::int64_t rows = t.rows;
  RowMatrix x;
  if (t.has("features")) {
    t.require_no_nulls("features", "data_sql");
    const ColumnData& f = t.column("features");
    const std::int64_t p = rows > 0 ? f.offsets[1] - f.offsets[0] : 0;
    for (std::int64_t r = 0; r < rows; ++r) {
      const std::int64_t len = f.offsets[r + 1] - f.offsets[r];
      if (len != p)
        throw invalid_parameter("features of row " + std::to_string(r + 1) + " of data_sql have " +
                                    std::to_string(len) + " values but row 1 has " + std::to_string(p),
                                "Every row needs the same number of features.");
    }
    x = ConstRowMap(f.values.data(), rows, p);
  } else {
    std::vector<const ColumnData*> cols;
    for (const auto& c : t.columns)
      if (c.present && c.name != "label" && c.name != "features") cols.push_back(&c);
    if (cols.empty())
      throw Error(ErrorKind::UndefinedColumn, "data_sql returns neither a features column nor numeric columns",
                  "Return features float8[] (or numeric columns) and label.");
    x.resize(rows, static_cast<Eigen::Index>(cols.size()));
    for (std::size_t c = 0; c < cols.size(); ++c) {
      t.require_no_nulls(cols[c]->name, "data_sql");
      for (std::int64_t r = 0; r < rows; ++r) x(r, static_cast<Eigen::Index>(c)) = cols[c]->num[r];
    }
  }
  require_finite(ConstRowMap(x.data(), x.rows(), x.cols()), "features");
  const std::vector<double>& y = t.column("label").num;
  dr::Dataset d{ConstRowMap(x.data(), x.rows(), x.cols()), y.data()};

  SrfWriter w(fcinfo);
  NoticeProgress progress("draco_train");
  Vector weights;
  dr::train(
      o, d, weights,
      [&](const dr::IterationResult& r, const Vector& wts) {
        Datum v[10];
        bool nulls[10] = {false, false, false, false, false, false, false, false, false, false};
        v[0] = Int32GetDatum(r.iteration);
        v[1] = Float8GetDatum(r.loss);
        nulls[2] = std::isnan(r.accuracy);
        v[2] = Float8GetDatum(r.accuracy);
        nulls[3] = std::isnan(r.grad_error);
        v[3] = Float8GetDatum(r.grad_error);
        v[4] = Float8GetDatum(r.aggregate_ms);
        v[5] = Float8GetDatum(r.compute_ms);
        v[6] = int_list(r.adversaries, "adversarial_workers");
        nulls[7] = !r.flagged_known;
        v[7] = r.flagged_known ? int_list(r.flagged, "flagged_workers") : Datum(0);
        v[8] = BoolGetDatum(r.consistent);
        nulls[9] = r.iteration != o.iterations;
        v[9] = nulls[9] ? Datum(0) : float8_array_datum(wts.data(), wts.size(), "weights");
        w.put(v, nulls);
      },
      progress);
  return Datum(0);
}

Datum robust_aggregate_body(FunctionCallInfo fcinfo) {
  require_not_null(fcinfo, 0, "gradients");
  const MatrixArg g = matrix_arg(fcinfo, 0, "gradients");
  const dr::Rule rule = dr::parse_rule(string_arg(fcinfo, 1, "rule"), false);
  const int f = int_arg(fcinfo, 2, "f");
  const int m = PG_ARGISNULL(3) ? 0 : PG_GETARG_INT32(3);
  if (!PG_ARGISNULL(3) && (m < 1 || m > g.rows))
    throw invalid_parameter(
        "m = " + std::to_string(m) + " is out of range for " + std::to_string(g.rows) + " gradients",
        "Give m between 1 and the number of gradients, or NULL for n - f - 2.");
  const Vector out = dr::aggregate(rule, g.map(), f, m);
  return float8_array_datum(out.data(), out.size(), "robust_aggregate result");
}

Datum glm_predict_body(FunctionCallInfo fcinfo) {
  const VectorArg w = vector_arg(fcinfo, 0, "weights");
  const VectorArg x = vector_arg(fcinfo, 1, "features");
  dr::Glm g;
  g.model = dr::parse_model(text_arg(fcinfo, 2));
  g.features = x.size;
  if (g.model == dr::Model::Softmax) {
    if (w.size % (x.size + 1) != 0 || w.size / (x.size + 1) < 2)
      throw invalid_parameter("weights have " + std::to_string(w.size) + " values but softmax over " +
                                  std::to_string(x.size) + " features needs K * " + std::to_string(x.size + 1) +
                                  " (K >= 2 classes)",
                              "Pass the weights draco_train returned for the same features.");
    g.classes = w.size / (x.size + 1);
  } else if (w.size != x.size + 1) {
    throw invalid_parameter("weights have " + std::to_string(w.size) + " values but " + std::to_string(x.size) +
                                " features need " + std::to_string(x.size + 1) + " (the last is the intercept)",
                            "Pass the weights draco_train returned for the same features.");
  }
  return float8_result(dr::glm_predict(g, x.data, w.data), "glm_predict result");
}

}  // namespace
}  // namespace morpheus::pg

MORPHEUS_FUNCTION(draco_train, morpheus::pg::draco_train_body)
MORPHEUS_FUNCTION(robust_aggregate, morpheus::pg::robust_aggregate_body)
MORPHEUS_FUNCTION(glm_predict, morpheus::pg::glm_predict_body)
