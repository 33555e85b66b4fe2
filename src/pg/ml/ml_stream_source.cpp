#include "pg/ml/ml_stream_source.hpp"

#include <string>

#include "core/errors.hpp"
#include "core/interrupt.hpp"
#include "pg/guard.hpp"

namespace morpheus::pg {

SpiCursorSource::SpiCursorSource(const RelationArgs& args, const std::vector<AttributeRelation>* attributes,
                                 std::int64_t batch_rows)
    : args_(args), attributes_(attributes), batch_rows_(batch_rows) {
  const int rc = pg_call([] { return SPI_connect(); });
  if (rc != SPI_OK_CONNECT) throw Error(ErrorKind::Internal, "SPI_connect failed");
  connected_ = true;
  reader_ = std::make_unique<QueryReader>(args_.query, "source", entity_requests(args_));
  reader_->open();
  if (!args_.label.empty()) label_boolean_ = reader_->layout().column(args_.label).is_boolean;
  pending_ = fetch(first_);
  if (!pending_) entity_cols_ = 0;
}

void SpiCursorSource::rewind() {
  if (pending_) return;  // the first batch, fetched at construction, starts the first pass
  reader_->open();
  row_ = 0;
}

bool SpiCursorSource::next(ml::RowBatch& batch) {
  if (pending_) {
    pending_ = false;
    batch = std::move(first_);
    return true;
  }
  return fetch(batch);
}

bool SpiCursorSource::fetch(ml::RowBatch& batch) {
  QueryTable t = reader_->layout();
  if (!reader_->fetch(t, static_cast<long>(batch_rows_))) return false;
  const bool first = names_.empty() && widths_.empty();
  batch.s = entity_features(t, args_, row_, first ? &names_ : nullptr, &widths_);
  if (first) entity_cols_ = batch.s.cols();
  batch.fk.clear();
  for (std::size_t k = 0; k < attributes_->size(); ++k)
    batch.fk.push_back(foreign_key_rows(t, args_, k, (*attributes_)[k], row_));
  if (!args_.label.empty())
    batch.y = entity_labels(t, args_, row_);
  else
    batch.y.resize(0);
  row_ += t.rows;
  return true;
}

void SpiCursorSource::finish() {
  // Destroying the reader ends its read-only scope, so that a trainer can then save its model (model_name).
  if (reader_) reader_->close();
  reader_.reset();
  if (!connected_) return;
  connected_ = false;
  pg_call([] { SPI_finish(); });
}

}  // namespace morpheus::pg
