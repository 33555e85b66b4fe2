#include "pg/model/model_datum.hpp"

#include <limits>

#include "pg/arrays.hpp"
#include "pg/guard.hpp"

extern "C" {
#include "catalog/namespace.h"
#include "utils/jsonb.h"
#include "utils/syscache.h"
#include "utils/typcache.h"
}

namespace morpheus::pg {
namespace {

// Field numbers (0-based) of morpheus.model, in the order of CREATE TYPE morpheus.model.
enum Field {
  kKind,
  kFamily,
  kLabel,
  kFeatures,
  kIntercept,
  kClasses,
  kShape,
  kParameters,
  kSource,
  kOptions,
  kRows,
  kIterations,
  kConverged,
  kLoss,
  kStatistics,
  kFields
};
constexpr const char* kFieldNames[kFields] = {"kind",    "family",     "label",      "features", "intercept",
                                              "classes", "shape",      "parameters", "source",   "options",
                                              "rows",    "iterations", "converged",  "loss",     "statistics"};

constexpr const char* kHint = "Use a model returned by a morpheus trainer (or morpheus.load_model), unchanged.";

std::string text_value(Datum d) {
  const text* t = pg_call([d] { return DatumGetTextPP(d); });
  return std::string(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
}

// Elements of a 1-D array datum of `type` (NULL elements are errors naming the field).
struct Elements {
  Datum* values = nullptr;
  bool* nulls = nullptr;
  int n = 0;
};
Elements elements(Datum d, Oid type, int len, bool byval, char align, const std::string& what) {
  ArrayType* a = pg_call([d] { return DatumGetArrayTypeP(d); });
  if (ARR_NDIM(a) > 1) throw invalid_parameter(what + " is not a one-dimensional array", kHint);
  if (ARR_ELEMTYPE(a) != type) throw invalid_parameter(what + " has the wrong element type", kHint);
  Elements e;
  pg_call(
      [a, type, len, byval, align, &e] { deconstruct_array(a, type, len, byval, align, &e.values, &e.nulls, &e.n); });
  for (int i = 0; i < e.n; ++i)
    if (e.nulls[i]) throw Error(ErrorKind::NullValue, what + "[" + std::to_string(i + 1) + "] is NULL", kHint);
  return e;
}

std::vector<std::string> text_array_value(Datum d, const std::string& what) {
  const Elements e = elements(d, TEXTOID, -1, false, TYPALIGN_INT, what);
  std::vector<std::string> out;
  for (int i = 0; i < e.n; ++i) out.push_back(text_value(e.values[i]));
  return out;
}

std::vector<double> float_array_value(Datum d, const std::string& what) {
  const Elements e = elements(d, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, what);
  std::vector<double> out(static_cast<size_t>(e.n));
  for (int i = 0; i < e.n; ++i) out[static_cast<size_t>(i)] = DatumGetFloat8(e.values[i]);
  return out;
}

std::vector<std::int64_t> int_array_value(Datum d, const std::string& what) {
  const Elements e = elements(d, INT4OID, 4, true, TYPALIGN_INT, what);
  std::vector<std::int64_t> out(static_cast<size_t>(e.n));
  for (int i = 0; i < e.n; ++i) out[static_cast<size_t>(i)] = DatumGetInt32(e.values[i]);
  return out;
}

std::string jsonb_text(Datum d) {
  const char* s = pg_call([d] {
    Jsonb* jb = DatumGetJsonbP(d);
    return JsonbToCString(nullptr, &jb->root, VARSIZE(jb));
  });
  return s;
}

Datum text_array_datum(const std::vector<std::string>& v) {
  std::vector<Datum> elems;
  for (const auto& s : v) elems.push_back(text_datum(s));
  const Datum* p = elems.data();
  const int n = static_cast<int>(elems.size());
  return pg_call(
      [p, n] { return PointerGetDatum(construct_array(const_cast<Datum*>(p), n, TEXTOID, -1, false, TYPALIGN_INT)); });
}

Datum jsonb_datum(const std::string& json) {
  const char* s = json.c_str();
  return pg_call([s] { return DirectFunctionCall1(jsonb_in, CStringGetDatum(s)); });
}

// The deformed fields of a model value.
struct Fields {
  Datum values[kFields];
  bool nulls[kFields];
};

Fields deform(Datum d, const std::string& what) {
  HeapTupleHeader th = pg_call([d] { return DatumGetHeapTupleHeader(d); });
  const Oid type = HeapTupleHeaderGetTypeId(th);
  const int32 typmod = HeapTupleHeaderGetTypMod(th);
  TupleDesc desc = pg_call([type, typmod] { return lookup_rowtype_tupdesc(type, typmod); });
  int live = 0;
  for (int i = 0; i < desc->natts; ++i) live += TupleDescAttr(desc, i)->attisdropped ? 0 : 1;
  if (desc->natts != kFields || live != kFields) {
    pg_call([desc] { ReleaseTupleDesc(desc); });
    throw invalid_parameter(what + " is not a morpheus.model value (" + std::to_string(live) + " fields)", kHint);
  }
  Fields f;
  HeapTupleData tuple;
  tuple.t_len = HeapTupleHeaderGetDatumLength(th);
  ItemPointerSetInvalid(&tuple.t_self);
  tuple.t_tableOid = InvalidOid;
  tuple.t_data = th;
  HeapTupleData* tp = &tuple;
  Fields* fp = &f;
  pg_call([tp, desc, fp] {
    heap_deform_tuple(tp, desc, fp->values, fp->nulls);
    ReleaseTupleDesc(desc);
  });
  return f;
}

}  // namespace

model::Model model_from_datum(Datum d, const std::string& what) {
  const Fields f = deform(d, what);
  auto field = [&](Field i) { return what + "." + kFieldNames[i]; };
  for (Field i : {kKind, kFeatures, kIntercept, kShape, kParameters})
    if (f.nulls[i]) throw Error(ErrorKind::NullValue, field(i) + " is NULL", kHint);
  model::Model m;
  m.kind = model::parse_kind(text_value(f.values[kKind]));
  if (!f.nulls[kFamily]) m.family = text_value(f.values[kFamily]);
  if (!f.nulls[kLabel]) m.label = text_value(f.values[kLabel]);
  m.features = text_array_value(f.values[kFeatures], field(kFeatures));
  m.intercept = DatumGetBool(f.values[kIntercept]);
  if (!f.nulls[kClasses]) m.classes = text_array_value(f.values[kClasses], field(kClasses));
  m.shape = int_array_value(f.values[kShape], field(kShape));
  m.parameters = float_array_value(f.values[kParameters], field(kParameters));
  if (!f.nulls[kSource]) m.source = text_value(f.values[kSource]);
  m.options = f.nulls[kOptions] ? "{}" : jsonb_text(f.values[kOptions]);
  if (!f.nulls[kRows]) m.rows = DatumGetInt64(f.values[kRows]);
  if (!f.nulls[kIterations]) m.iterations = DatumGetInt32(f.values[kIterations]);
  m.convergence_tested = !f.nulls[kConverged];
  if (!f.nulls[kConverged]) m.converged = DatumGetBool(f.values[kConverged]);
  if (!f.nulls[kLoss]) m.loss = float_array_value(f.values[kLoss], field(kLoss));
  m.statistics = f.nulls[kStatistics] ? "{}" : jsonb_text(f.values[kStatistics]);
  return m;
}

Datum model_datum(const model::Model& m, TupleDesc desc) {
  if (desc->natts != kFields) throw Error(ErrorKind::Internal, "morpheus.model has an unexpected number of fields");
  std::vector<std::int32_t> shape;
  for (std::int64_t s : m.shape) {
    if (s > std::numeric_limits<std::int32_t>::max())
      throw Error(ErrorKind::LimitExceeded, "a model dimension is " + std::to_string(s), "Dimensions fit in int4.");
    shape.push_back(static_cast<std::int32_t>(s));
  }
  Datum values[kFields];
  bool nulls[kFields] = {};
  values[kKind] = text_datum(model::kind_name(m.kind));
  nulls[kFamily] = m.family.empty();
  values[kFamily] = m.family.empty() ? (Datum)0 : text_datum(m.family);
  nulls[kLabel] = m.label.empty();
  values[kLabel] = m.label.empty() ? (Datum)0 : text_datum(m.label);
  values[kFeatures] = text_array_datum(m.features);
  values[kIntercept] = BoolGetDatum(m.intercept);
  nulls[kClasses] = m.classes.empty();
  values[kClasses] = m.classes.empty() ? (Datum)0 : text_array_datum(m.classes);
  values[kShape] = int4_array_datum(shape.data(), static_cast<std::int64_t>(shape.size()), "shape");
  values[kParameters] =
      float8_array_datum(m.parameters.data(), static_cast<std::int64_t>(m.parameters.size()), "parameters");
  nulls[kSource] = m.source.empty();
  values[kSource] = m.source.empty() ? (Datum)0 : text_datum(m.source);
  values[kOptions] = jsonb_datum(m.options.empty() ? "{}" : m.options);
  values[kRows] = Int64GetDatum(m.rows);
  values[kIterations] = Int32GetDatum(
      static_cast<std::int32_t>(std::min<std::int64_t>(m.iterations, std::numeric_limits<std::int32_t>::max())));
  nulls[kConverged] = !m.convergence_tested;
  values[kConverged] = BoolGetDatum(m.converged);
  values[kLoss] = float8_array_datum(m.loss.data(), static_cast<std::int64_t>(m.loss.size()), "loss");
  values[kStatistics] = jsonb_datum(m.statistics.empty() ? "{}" : m.statistics);
  Datum* vp = values;
  bool* np = nulls;
  return pg_call([desc, vp, np] {
    TupleDesc blessed = BlessTupleDesc(desc);
    return HeapTupleGetDatum(heap_form_tuple(blessed, vp, np));
  });
}

Datum model_result(FunctionCallInfo, const model::Model& m) { return model_value(m); }

Datum model_value(const model::Model& m) {
  const Oid type = model_type_oid();
  TupleDesc desc = pg_call([type] { return lookup_rowtype_tupdesc_copy(type, -1); });
  return model_datum(m, desc);
}

Oid model_type_oid() {
  return pg_call([] {
    const Oid ns = get_namespace_oid("morpheus", false);
    return GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid, CStringGetDatum("model"), ObjectIdGetDatum(ns));
  });
}

DataSpec model_data_spec(Datum model) {
  const Fields f = deform(model, "model");
  DataSpec spec;
  if (f.nulls[kOptions]) return spec;
  const Datum options = f.values[kOptions];
  Jsonb* jb = pg_call([options] { return DatumGetJsonbP(options); });
  auto get = [jb](const char* key) -> JsonbValue* {
    return pg_call(
        [jb, key] { return getKeyJsonValueFromContainer(&jb->root, key, static_cast<int>(strlen(key)), nullptr); });
  };
  auto str = [](const JsonbValue* v) { return std::string(v->val.string.val, static_cast<size_t>(v->val.string.len)); };
  auto list = [&](const char* key) {
    std::vector<std::string> out;
    JsonbValue* v = get(key);
    if (v == nullptr || v->type != jbvBinary) return out;
    JsonbContainer* c = v->val.binary.data;
    if (!JsonContainerIsArray(c))
      throw invalid_parameter("model.options." + std::string(key) + " is not an array", kHint);
    const auto n = static_cast<std::uint32_t>(JsonContainerSize(c));
    for (std::uint32_t i = 0; i < n; ++i) {
      JsonbValue* e = pg_call([c, i] { return getIthJsonbValueFromContainer(c, i); });
      if (e == nullptr || e->type != jbvString)
        throw invalid_parameter("model.options." + std::string(key) + " holds a non-text element", kHint);
      out.push_back(str(e));
    }
    return out;
  };
  spec.features = list("features");
  if (JsonbValue* id = get("id"); id != nullptr && id->type == jbvString) spec.id = str(id);
  spec.attributes = list("attributes");
  spec.foreign_keys = list("foreign_keys");
  spec.attribute_keys = list("attribute_keys");
  return spec;
}

void save_model(const std::string& name, Datum model) {
  const Oid type = model_type_oid();
  const std::string n = name;
  const char* np = n.c_str();
  const int rc = pg_call([np, model, type] {
    if (SPI_connect() != SPI_OK_CONNECT) return -1;
    Oid types[2] = {TEXTOID, type};
    Datum values[2] = {CStringGetTextDatum(np), model};
    const int r = SPI_execute_with_args("SELECT morpheus.save_model($1, $2)", 2, types, values, nullptr, false, 1);
    SPI_finish();
    return r;
  });
  if (rc != SPI_OK_SELECT)
    throw Error(ErrorKind::Internal, "saving the model failed (SPI code " + std::to_string(rc) + ")");
}

}  // namespace morpheus::pg
