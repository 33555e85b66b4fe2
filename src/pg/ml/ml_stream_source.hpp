// The entity rows of the streaming trainers: the source relation read by the one relation reader (spi_query.hpp) as
// a read-only cursor, batch_rows at a time, every pass in the statement's snapshot; the attribute relations are held
// in memory and the foreign keys mapped to their rows by value (relation_data.hpp).
#pragma once

#include "core/ml/stream.hpp"
// core headers first
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "pg/ml/relation_data.hpp"
#include "pg/spi_query.hpp"

namespace morpheus::pg {

// Connects SPI on construction (finish() disconnects; an error's transaction abort cleans up otherwise). Every
// rewind reopens the cursor. The first batch is fetched at construction to learn the entity features.
class SpiCursorSource final : public ml::RowSource {
 public:
  SpiCursorSource(const RelationArgs& args, const std::vector<AttributeRelation>* attributes, std::int64_t batch_rows);
  ~SpiCursorSource() override = default;
  SpiCursorSource(const SpiCursorSource&) = delete;
  SpiCursorSource& operator=(const SpiCursorSource&) = delete;

  // Number of entity columns of every batch (features, and the intercept column when asked for).
  std::int64_t entity_cols() const { return entity_cols_; }
  // Names of the entity features (without the intercept).
  const std::vector<std::string>& entity_names() const { return names_; }
  // The label column is boolean.
  bool label_boolean() const { return label_boolean_; }
  // True when the query returned no rows at all.
  bool empty() const { return !pending_ && row_ == 0; }
  void rewind() override;
  bool next(ml::RowBatch& batch) override;
  // Closes the cursor and disconnects SPI.
  void finish();

 private:
  bool fetch(ml::RowBatch& batch);

  const RelationArgs& args_;
  const std::vector<AttributeRelation>* attributes_;
  std::int64_t batch_rows_;
  std::unique_ptr<QueryReader> reader_;
  bool connected_ = false;
  std::vector<std::int64_t> widths_;
  std::vector<std::string> names_;
  std::int64_t entity_cols_ = 0;
  bool label_boolean_ = false;
  std::int64_t row_ = 0;  // rows returned so far in this pass
  bool pending_ = false;  // the first batch, fetched at construction, is waiting for the first pass
  ml::RowBatch first_;
};

}  // namespace morpheus::pg
