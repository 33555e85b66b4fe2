// Data in by relation (docs/conventions.md): the entity relation `source` (a table name or a query) carries the label,
// the features (column names, numeric types cast to float8, booleans as 0/1, or float8[] columns expanded), an
// optional id and the foreign keys of normalized data; the attribute relations (`attributes`, table names or
// queries) carry their key column (`attribute_keys`, default id) and features (every other column, or the sparse
// form of sparse_features.hpp when they return a column `index int[]`: a CSR block). Everything is
// read through the one relation reader (spi_query.hpp): label and features of a row travel together, and a foreign
// key is matched to its attribute row by value, so no row can be paired with another row's label.
#pragma once

#include "core/ml/data_matrix.hpp"
#include "core/nmatrix/nmatrix.hpp"
// core headers first
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "pg/arrays.hpp"
#include "pg/spi_query.hpp"

namespace morpheus::pg {

struct RelationArgs {
  std::string source;                   // as given (table name or query)
  std::string query;                    // source_query(source)
  std::string label;                    // empty: no label is read
  std::vector<std::string> features;    // feature columns of the entity relation
  bool features_given = false;          // false: the argument was NULL, i.e. the column "features" (optional when
                                        // attributes are given: an entity without features of its own)
  std::string id;                       // empty: none
  bool intercept = false;               // a column of ones after the entity features
  std::vector<std::string> attributes;  // table names or queries
  std::vector<std::string> foreign_keys;
  std::vector<std::string> attribute_keys;
};

// Positions of the data-in arguments in a function's argument list (-1: the function has no such argument).
struct RelationArgPositions {
  int source = 0;
  int label = -1;
  int features = -1;
  int id = -1;
  int intercept = -1;
  int attributes = -1;
  int foreign_keys = -1;
  int attribute_keys = -1;
};

// Reads and checks the data-in arguments (NULLs, lengths of the normalized-data arrays, empty names); resolves the
// source (a table name becomes SELECT * FROM schema.name).
RelationArgs relation_args(FunctionCallInfo fcinfo, const RelationArgPositions& at);

// An attribute relation in memory: its features (n_R x d_R; a dense block of every column but the key, or a CSR
// block read in the sparse form of sparse_features.hpp when the relation returns a column `index` of type int[]),
// their names ("<relation>.<column>", or "attributes[k].<column>" for a query; "<prefix>index[j]" for j = 1..width
// in the sparse form) and the row of every key.
struct AttributeRelation {
  nm::Block features;
  bool sparse = false;
  std::vector<std::string> names;
  std::vector<std::string> columns;  // the feature columns, as read
  bool text_keys = false;
  std::unordered_map<std::int64_t, std::int32_t> int_rows;
  std::unordered_map<std::string, std::int32_t> text_rows;
};

// Reads attributes[k] with its key column attribute_keys[k] (unique, not NULL) for every k. Feature names are
// prefixed with attribute_prefix(prefixes[k], k) when prefixes is given (a model's training relations), else with
// attribute_prefix(attributes[k], k). widths (a model's, when given): (*widths)[k] >= 0 is the width relation k had
// in training when it was read in the sparse form; a sparse relation of another width is an error naming it.
std::vector<AttributeRelation> read_attributes(const RelationArgs& a,
                                               const std::vector<std::string>* prefixes = nullptr,
                                               const std::vector<std::int64_t>* widths = nullptr);
// "<relation>." for a relation name, "attributes[k]." (1-based) for a query.
std::string attribute_prefix(const std::string& relation, std::size_t k);

// The columns the entity relation must return: label (Float), features (Feature), id (Key), foreign keys (Key).
std::vector<ColumnRequest> entity_requests(const RelationArgs& a);

// The entity features of the rows of t (a whole result or one batch whose first row is first_row, 0-based, for
// messages), with a column of ones appended when a.intercept. *names receives the feature names (scalar column:
// its name; float8[] column x of length m: x[1] .. x[m]); *width fixes the length of every float8[] column (-1 on
// the first call: taken from the first row).
RowMatrix entity_features(const QueryTable& t, const RelationArgs& a, std::int64_t first_row,
                          std::vector<std::string>* names, std::vector<std::int64_t>* widths);

// The labels of the rows of t (NULL is an error naming the row); finite values are checked by the trainer.
ml::Vec entity_labels(const QueryTable& t, const RelationArgs& a, std::int64_t first_row);

// The 0-based attribute row of every entity row's foreign key k (NULL or dangling keys are errors naming the row).
std::vector<std::int32_t> foreign_key_rows(const QueryTable& t, const RelationArgs& a, std::size_t k,
                                           const AttributeRelation& r, std::int64_t first_row);

// A whole relation in memory: the entity block (features and the intercept column), the attribute relations and
// the foreign-key rows, the labels.
struct RelationData {
  std::int64_t rows = 0;
  RowMatrix entity;                         // rows x (m + intercept)
  std::vector<std::string> entity_names;    // m
  std::vector<std::int64_t> entity_widths;  // width of every float8[] feature column
  std::vector<AttributeRelation> attributes;
  std::vector<std::vector<std::int32_t>> fk;
  ml::Vec y;                   // empty without a label
  bool label_boolean = false;  // the label column is boolean
  // The feature names in the order of the columns of the data matrix, without the intercept.
  std::vector<std::string> feature_names() const;
  // Columns of the data matrix: entity features, the intercept (if any), the attribute features.
  std::int64_t matrix_cols() const;
};

// Reads the entity relation and the attribute relations. The entity must return at least one row.
RelationData read_relation(const RelationArgs& a);

// The normalized matrix [S, K_1 R_1, ..., K_q R_q] of the relation (S: the entity block, may have 0 columns).
nm::NormalizedMatrix relation_nmatrix(RelationData& d);

// The matrix a trainer runs on: the entity block itself (no attributes) or the normalized matrix executed on the
// plan morpheus.factorize asks for.
struct TrainingMatrix {
  RowMatrix dense;
  std::unique_ptr<ml::DataMatrix> t;
};
TrainingMatrix training_matrix(RelationData& d);

}  // namespace morpheus::pg
