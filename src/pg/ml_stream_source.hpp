// The entity rows of the streaming ML functions: a read-only SPI cursor over the entity query, fetched batch_rows
// at a time, with the foreign keys mapped to rows of the attribute tables (held in memory) through hash maps.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/ml/stream.hpp"
#include "pg/pg_includes.hpp"
#include "pg/read_only.hpp"

namespace morpheus::pg {

// An attribute query read into memory: its features (n_R x d_R) and the row of every key.
struct AttributeTable {
  RowMatrix features;
  bool text_keys = false;
  std::unordered_map<std::int64_t, std::int32_t> int_rows;
  std::unordered_map<std::string, std::int32_t> text_rows;
};

// Runs attribute_sql[k] (columns key int/text and features float8[]), as morpheus.nmatrix_from_sql does.
AttributeTable read_attribute_table(const std::string& sql, const std::string& query_arg);

struct StreamQuery {
  std::string entity_sql;
  std::vector<std::string> fk_columns;  // one per attribute table
  std::string y_column;                 // empty: no labels
  std::int64_t batch_rows = 100000;
};

// Connects SPI on construction (finish() disconnects; an error's transaction abort cleans up otherwise). Every
// rewind reopens the cursor: all passes run in the statement's snapshot. The first batch is fetched at
// construction to learn the number of entity features.
class SpiCursorSource final : public ml::RowSource {
 public:
  SpiCursorSource(StreamQuery query, const std::vector<AttributeTable>* attributes);
  ~SpiCursorSource() override = default;
  SpiCursorSource(const SpiCursorSource&) = delete;
  SpiCursorSource& operator=(const SpiCursorSource&) = delete;

  // Number of entity features (length of the features arrays; 0 without a features column).
  std::int64_t entity_cols() const { return entity_cols_; }
  // True when the query returned no rows at all.
  bool empty() const { return !pending_ && row_ == 0; }
  void rewind() override;
  bool next(ml::RowBatch& batch) override;
  // Closes the cursor and disconnects SPI.
  void finish();

 private:
  void open();
  void close();
  bool fetch(ml::RowBatch& batch);

  ReadOnlyScope read_only_;  // the query and every pass over it run read-only
  StreamQuery q_;
  const std::vector<AttributeTable>* attributes_;
  SPIPlanPtr plan_ = nullptr;
  Portal portal_ = nullptr;
  MemoryContext batch_cxt_ = nullptr;
  bool connected_ = false;
  bool resolved_ = false;  // columns looked up (on the first open)
  int features_fnum_ = 0;  // 0: no features column
  std::vector<int> fk_fnums_;
  std::vector<Oid> fk_types_;
  int y_fnum_ = 0;
  Oid y_type_ = InvalidOid;
  std::int64_t entity_cols_ = 0;
  std::int64_t row_ = 0;  // rows returned so far in this pass
  bool pending_ = false;  // the first batch, fetched at construction, is waiting for the first pass
  ml::RowBatch first_;
};

}  // namespace morpheus::pg
