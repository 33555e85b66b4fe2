// SQL entry points of scoring: morpheus.predict(model, features float8[]) (and predict_probability, project) one row
// at a time, with the decoded model cached in fn_extra and reused while the model value is the same (length and
// bytes compared), and morpheus.predict(model, source, ...), which scores every row of a relation, reading its
// features by the model's feature columns (and its attribute relations, for a model trained on normalized data).
#include "core/model/predict.hpp"
// core headers first
#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "pg/arrays.hpp"
#include "pg/guard.hpp"
#include "pg/model/model_datum.hpp"
#include "pg/ml/relation_data.hpp"
#include "pg/spi_query.hpp"
#include "pg/srf.hpp"

namespace morpheus::pg {
namespace {

// The decoded model of the last call of this function (per query: fn_extra lives in fn_mcxt).
struct PredictCache {
  std::vector<char> bytes;  // the model value it was decoded from
  std::unique_ptr<model::Predictor> predictor;
};

void delete_cache(void* arg) { delete static_cast<PredictCache*>(arg); }

const model::Predictor& cached_predictor(FunctionCallInfo fcinfo) {
  require_not_null(fcinfo, 0, "model");
  const Datum d = PG_GETARG_DATUM(0);
  const varlena* v = pg_call([d] { return PG_DETOAST_DATUM(d); });
  const char* data = reinterpret_cast<const char*>(v);
  const std::size_t size = VARSIZE(v);
  FmgrInfo* flinfo = fcinfo->flinfo;
  auto* cache = static_cast<PredictCache*>(flinfo->fn_extra);
  if (cache != nullptr && cache->predictor && cache->bytes.size() == size &&
      std::memcmp(cache->bytes.data(), data, size) == 0)
    return *cache->predictor;
  if (cache == nullptr) {
    auto fresh = std::make_unique<PredictCache>();
    PredictCache* raw = fresh.get();
    pg_call([flinfo, raw] {
      auto* cb =
          static_cast<MemoryContextCallback*>(MemoryContextAlloc(flinfo->fn_mcxt, sizeof(MemoryContextCallback)));
      cb->func = delete_cache;
      cb->arg = raw;
      MemoryContextRegisterResetCallback(flinfo->fn_mcxt, cb);
    });
    flinfo->fn_extra = fresh.release();
    cache = raw;
  }
  cache->predictor.reset();
  cache->bytes.assign(data, data + size);
  cache->predictor = std::make_unique<model::Predictor>(model_from_datum(d));
  return *cache->predictor;
}

model::Prediction predict_row(FunctionCallInfo fcinfo, const model::Predictor& p) {
  const VectorArg x = vector_arg(fcinfo, 1, "features");
  if (x.size != p.inputs()) {
    std::string names;
    for (std::size_t j = 0; j < p.model().features.size() && j < 8; ++j)
      names += (j ? ", " : "") + p.model().features[j];
    if (p.model().features.size() > 8) names += ", ...";
    throw invalid_parameter("features has " + std::to_string(x.size) + " values but the model has " +
                                std::to_string(p.inputs()) + " features (" + names + ")",
                            "Pass the features in the order of (model).features.");
  }
  return p.predict(x.data);
}

// predict(model, features float8[]) -> float8
Datum predict_body(FunctionCallInfo fcinfo) {
  const model::Predictor& p = cached_predictor(fcinfo);
  const model::Prediction r = predict_row(fcinfo, p);
  if (!r.has_value)
    throw invalid_parameter("a " + std::string(model::kind_name(p.model().kind)) +
                                " model has no scalar prediction: it projects a row onto its factors",
                            "Use morpheus.project(model, features) or morpheus.predict(model, source).");
  return Float8GetDatum(r.value);
}

// predict_probability(model, features float8[]) -> float8
Datum predict_probability_body(FunctionCallInfo fcinfo) {
  const model::Predictor& p = cached_predictor(fcinfo);
  const model::Prediction r = predict_row(fcinfo, p);
  if (!r.has_probability)
    throw invalid_parameter("a " + std::string(model::kind_name(p.model().kind)) +
                                (p.model().family.empty() ? "" : " (" + p.model().family + ")") +
                                " model gives no class probabilities",
                            "Probabilities come from logistic, softmax and cross-entropy MLP models; use "
                            "morpheus.predict for the others.");
  return Float8GetDatum(r.probability);
}

// project(model, features float8[]) -> float8[]
Datum project_body(FunctionCallInfo fcinfo) {
  const model::Predictor& p = cached_predictor(fcinfo);
  const model::Prediction r = predict_row(fcinfo, p);
  if (!r.has_projection)
    throw invalid_parameter("a " + std::string(model::kind_name(p.model().kind)) + " model does not project rows",
                            "project scores gnmf models; use morpheus.predict for the others.");
  return float8_array_datum(r.projection.data(), static_cast<std::int64_t>(r.projection.size()), "projection");
}

std::vector<std::string> arg_or(FunctionCallInfo fcinfo, int argno, const char* name,
                                const std::vector<std::string>& fallback) {
  return PG_ARGISNULL(argno) ? fallback : text_array_arg(fcinfo, argno, name);
}

// The width every attribute relation had in training when it was read in the sparse form (its model features are
// "<prefix>index[1]" .. "<prefix>index[width]"), -1 for a dense one: a sparse relation scored must have that width.
std::vector<std::int64_t> sparse_widths(const model::Model& m, const std::vector<std::string>& prefixes,
                                        std::size_t relations) {
  std::vector<std::int64_t> widths(relations, -1);
  for (std::size_t k = 0; k < relations && k < prefixes.size(); ++k) {
    const std::string head = attribute_prefix(prefixes[k], k) + "index[";
    std::int64_t n = 0;
    for (const auto& f : m.features)
      if (f.compare(0, head.size(), head) == 0) ++n;
    if (n > 0) widths[k] = n;
  }
  return widths;
}

// predict(model, source, id, attributes, foreign_keys, attribute_keys)
//   -> (id text, prediction float8, probability float8, class text, cluster int, projection float8[])
Datum predict_relation_body(FunctionCallInfo fcinfo) {
  require_not_null(fcinfo, 0, "model");
  const Datum md = PG_GETARG_DATUM(0);
  const model::Predictor p(model_from_datum(md));
  const DataSpec spec = model_data_spec(md);
  RelationArgs a;
  a.source = string_arg(fcinfo, 1, "source");
  a.query = source_query(a.source, "source");
  a.id = PG_ARGISNULL(2) ? spec.id : string_arg(fcinfo, 2, "id");
  a.features = spec.features;
  a.features_given = true;
  a.attributes = arg_or(fcinfo, 3, "attributes", spec.attributes);
  a.foreign_keys = arg_or(fcinfo, 4, "foreign_keys", spec.foreign_keys);
  a.attribute_keys = arg_or(fcinfo, 5, "attribute_keys", spec.attribute_keys);
  if (a.foreign_keys.size() != a.attributes.size() || a.attribute_keys.size() != a.attributes.size())
    throw invalid_parameter("attributes, foreign_keys and attribute_keys have " + std::to_string(a.attributes.size()) +
                                ", " + std::to_string(a.foreign_keys.size()) + " and " +
                                std::to_string(a.attribute_keys.size()) + " elements",
                            "Give one foreign key and one key column per attribute relation.");
  // Attribute features are named as in training, so relations with the same columns may replace the model's.
  const std::vector<std::int64_t> widths = sparse_widths(p.model(), spec.attributes, a.attributes.size());
  const std::vector<AttributeRelation> attributes = read_attributes(a, &spec.attributes, &widths);
  SrfWriter out(fcinfo);
  const int rc = pg_call([] { return SPI_connect(); });
  if (rc != SPI_OK_CONNECT) throw Error(ErrorKind::Internal, "SPI_connect failed");
  QueryReader reader(a.query, "source", entity_requests(a));
  reader.open();
  MemoryContext rows_cxt = pg_call(
      [] { return AllocSetContextCreate(CurrentMemoryContext, "morpheus predict rows", ALLOCSET_DEFAULT_SIZES); });
  const model::Model& m = p.model();
  std::vector<std::int64_t> entity_widths;
  std::vector<std::string> names;
  std::int64_t first_row = 0;
  bool checked = false;
  std::vector<double> x(static_cast<std::size_t>(p.inputs()));
  for (;;) {
    QueryTable t = reader.layout();
    if (!reader.fetch(t, 10000)) break;
    const RowMatrix e = entity_features(t, a, first_row, checked ? nullptr : &names, &entity_widths);
    std::vector<std::vector<std::int32_t>> fk;
    for (std::size_t k = 0; k < attributes.size(); ++k)
      fk.push_back(foreign_key_rows(t, a, k, attributes[k], first_row));
    if (!checked) {
      for (const auto& r : attributes) names.insert(names.end(), r.names.begin(), r.names.end());
      for (std::size_t j = 0; j < std::max(names.size(), m.features.size()); ++j) {
        const std::string got = j < names.size() ? names[j] : "(none)";
        const std::string want = j < m.features.size() ? m.features[j] : "(none)";
        if (got != want)
          throw invalid_parameter("feature " + std::to_string(j + 1) + " of source is " + got +
                                      " but the model's feature " + std::to_string(j + 1) + " is " + want,
                                  "Score a relation with the feature columns the model was trained on (see "
                                  "(model).features and (model).options).");
      }
      checked = true;
    }
    const ColumnData* ids = a.id.empty() ? nullptr : &t.column(a.id);
    const MemoryContext old = pg_call([rows_cxt] { return MemoryContextSwitchTo(rows_cxt); });
    for (std::int64_t r = 0; r < t.rows; ++r) {
      if (r % 1024 == 0) check_interrupts();
      std::size_t at = 0;
      for (ml::Index j = 0; j < e.cols(); ++j) x[at++] = e(r, j);
      for (std::size_t k = 0; k < attributes.size(); ++k) {
        const nm::Block& f = attributes[k].features;
        const std::int32_t row = fk[k][static_cast<std::size_t>(r)];
        if (f.is_sparse()) {
          std::fill(x.begin() + static_cast<std::ptrdiff_t>(at), x.begin() + static_cast<std::ptrdiff_t>(at + f.cols()),
                    0.0);
          const nm::SparseMap sp = f.sparse();
          for (nm::SparseMap::InnerIterator it(sp, row); it; ++it)
            x[at + static_cast<std::size_t>(it.col())] = it.value();
        } else {
          const ConstRowMap d = f.dense();
          for (ml::Index j = 0; j < d.cols(); ++j) x[at + static_cast<std::size_t>(j)] = d(row, j);
        }
        at += static_cast<std::size_t>(f.cols());
      }
      const model::Prediction pr = p.predict(x.data());
      Datum values[6] = {};
      bool nulls[6] = {
          true, !pr.has_value, !pr.has_probability, pr.class_index < 0, pr.cluster == 0, !pr.has_projection};
      if (ids != nullptr && !ids->is_null[static_cast<std::size_t>(r)]) {
        nulls[0] = false;
        values[0] = text_datum(ids->key_is_text ? ids->text[static_cast<std::size_t>(r)]
                                                : std::to_string(ids->ints[static_cast<std::size_t>(r)]));
      }
      if (pr.has_value) values[1] = Float8GetDatum(pr.value);
      if (pr.has_probability) values[2] = Float8GetDatum(pr.probability);
      if (pr.class_index >= 0) values[3] = text_datum(m.classes[static_cast<std::size_t>(pr.class_index)]);
      if (pr.cluster > 0) values[4] = Int32GetDatum(pr.cluster);
      if (pr.has_projection)
        values[5] =
            float8_array_datum(pr.projection.data(), static_cast<std::int64_t>(pr.projection.size()), "projection");
      out.put(values, nulls);
    }
    pg_call([old, rows_cxt] {
      MemoryContextSwitchTo(old);
      MemoryContextReset(rows_cxt);
    });
    first_row += t.rows;
  }
  reader.close();
  pg_call([] { SPI_finish(); });
  return (Datum)0;
}

}  // namespace
}  // namespace morpheus::pg

MORPHEUS_FUNCTION(predict, morpheus::pg::predict_body)
MORPHEUS_FUNCTION(predict_probability, morpheus::pg::predict_probability_body)
MORPHEUS_FUNCTION(project, morpheus::pg::project_body)
MORPHEUS_FUNCTION(predict_relation, morpheus::pg::predict_relation_body)
