// morpheus.summary(t nmatrix): one row describing a value (shape, blocks, sparsity, sizes, the ratios that decide
// factorization) so that psql users need not print the value itself.
#include "core/ml/plan.hpp"
#include "core/nmatrix/nmatrix_summary.hpp"
// core headers first
#include <cmath>
#include <string>
#include <vector>

#include "pg/arrays.hpp"
#include "pg/guard.hpp"
#include "pg/nmatrix/nmatrix_datum.hpp"

namespace morpheus::pg {
namespace {

// float8[] whose non-finite entries (a ratio with a zero denominator) are NULL elements.
Datum ratio_array(const std::vector<double>& v) {
  const int n = static_cast<int>(v.size());
  if (n == 0) return PointerGetDatum(pg_call([] { return construct_empty_array(FLOAT8OID); }));
  std::vector<Datum> elems(v.size());
  std::vector<char> nulls(v.size());  // bool, without vector<bool>'s packing
  for (size_t i = 0; i < v.size(); ++i) {
    nulls[i] = !std::isfinite(v[i]);
    elems[i] = Float8GetDatum(nulls[i] ? 0.0 : v[i]);
  }
  Datum* e = elems.data();
  bool* nl = reinterpret_cast<bool*>(nulls.data());
  return pg_call([e, nl, n] {
    int dims[1] = {n};
    int lbs[1] = {1};
    return PointerGetDatum(construct_md_array(e, nl, 1, dims, lbs, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
  });
}

Datum text_array(const std::vector<std::string>& v) {
  std::vector<Datum> elems;
  for (const std::string& s : v) elems.push_back(text_datum(s));
  Datum* e = elems.data();
  const int n = static_cast<int>(elems.size());
  return pg_call([e, n] { return PointerGetDatum(construct_array(e, n, TEXTOID, -1, false, TYPALIGN_INT)); });
}

enum Column {
  kRows,
  kCols,
  kTransposed,
  kForm,
  kAttributeTables,
  kBlocks,
  kStoredEntries,
  kNnz,
  kDensity,
  kStoredBytes,
  kMaterializedBytes,
  kTupleRatios,
  kFeatureRatios,
  kColumns
};

Datum summary_body(FunctionCallInfo fcinfo) {
  const nm::NormalizedMatrix t = nmatrix_value(fcinfo, 0);
  const nm::Summary s = nm::summarize(t);
  // The ratios exactly as morpheus.explain computes them (they depend on the value only, not on any setting).
  const ml::Plan plan = ml::make_plan(t, ml::PlanOptions{}, ml::CostConstants{});
  std::vector<double> tuple_ratios, feature_ratios;
  for (const ml::TableDecision& d : plan.tables) {
    tuple_ratios.push_back(d.tuple_ratio);
    feature_ratios.push_back(d.feature_ratio);
  }
  std::vector<std::string> blocks;
  for (const nm::BlockSummary& b : s.blocks) blocks.push_back(b.describe());

  TupleDesc desc = nullptr;
  const TypeFuncClass cls = pg_call([fcinfo, &desc] { return get_call_result_type(fcinfo, nullptr, &desc); });
  if (cls != TYPEFUNC_COMPOSITE || desc->natts != kColumns)
    throw Error(ErrorKind::Internal, "summary: the SQL declaration does not match the library");
  Datum values[kColumns];
  bool nulls[kColumns] = {};
  values[kRows] = Int64GetDatum(s.rows);
  values[kCols] = Int64GetDatum(s.cols);
  values[kTransposed] = BoolGetDatum(s.transposed);
  values[kForm] = text_datum(s.form);
  values[kAttributeTables] = Int32GetDatum(s.attribute_tables);
  values[kBlocks] = text_array(blocks);
  values[kStoredEntries] = Int64GetDatum(s.stored_entries);
  values[kNnz] = Int64GetDatum(s.nnz);
  const double density = s.density();
  nulls[kDensity] = !std::isfinite(density);  // no cells: undefined
  values[kDensity] = Float8GetDatum(nulls[kDensity] ? 0.0 : density);
  values[kStoredBytes] = Int64GetDatum(s.stored_bytes);
  values[kMaterializedBytes] = Float8GetDatum(s.materialized_bytes);
  values[kTupleRatios] = ratio_array(tuple_ratios);
  values[kFeatureRatios] = ratio_array(feature_ratios);
  Datum* vp = values;
  bool* np = nulls;
  return pg_call([desc, vp, np] { return HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc), vp, np)); });
}

}  // namespace
}  // namespace morpheus::pg

MORPHEUS_FUNCTION(nm_summary, morpheus::pg::summary_body)
