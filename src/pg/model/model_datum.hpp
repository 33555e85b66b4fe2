// morpheus.model values (the composite type of extension/sql/12_model.type.sql) to and from core/model's Model, the
// data-in description a model keeps in its options, and saving a model under a name (morpheus.save_model).
#pragma once

#include "core/model/model.hpp"
// core headers first
#include <string>
#include <vector>

#include "pg/pg_includes.hpp"

namespace morpheus::pg {

// Decodes a morpheus.model value; NULL required fields and inconsistent values are errors naming `what`.
model::Model model_from_datum(Datum d, const std::string& what = "model");

// The value of `m` as the composite `desc` describes (the result type of the calling function).
Datum model_datum(const model::Model& m, TupleDesc desc);
// The value of `m` as the result of fcinfo's function (declared RETURNS morpheus.model); the same as model_value.
Datum model_result(FunctionCallInfo fcinfo, const model::Model& m);
// The value of `m` as a morpheus.model datum for any use (e.g. a column of a RETURNS TABLE result).
Datum model_value(const model::Model& m);
// The oid of type morpheus.model.
Oid model_type_oid();

// How a model read its training relation (the keys of options written by the trainers); predict reads a relation
// the same way.
struct DataSpec {
  std::vector<std::string> features;  // the feature columns of the entity relation, as read
  std::string id;
  std::vector<std::string> attributes, foreign_keys, attribute_keys;
};
DataSpec model_data_spec(Datum model);

// Saves `model` (a morpheus.model datum) as morpheus.save_model(name, model) does: one row per owner and name in
// morpheus.models, replacing an older model of the same name.
void save_model(const std::string& name, Datum model);

}  // namespace morpheus::pg
