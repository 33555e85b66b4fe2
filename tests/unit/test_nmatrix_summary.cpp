// nm::summarize against counts taken on the materialized join (nm::materialize) and on the serialized value.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/nmatrix/nmatrix.hpp"
#include "core/nmatrix/nmatrix_summary.hpp"

using morpheus::RowMatrix;
using namespace morpheus::nm;

namespace {

std::int64_t dense_nonzeros(const RowMatrix& m) {
  std::int64_t c = 0;
  for (std::int64_t i = 0; i < m.rows(); ++i)
    for (std::int64_t j = 0; j < m.cols(); ++j) c += m(i, j) != 0.0;
  return c;
}

NormalizedMatrix star() {
  RowMatrix s(5, 2);
  s << 1, 0, 4, 3, 0, 6, 8, 7, 9, 1;
  NormalizedMatrix t = NormalizedMatrix::from_entity(Block(s));
  RowMatrix r(3, 2);
  r << 1.1, 0, 3.3, 4.4, 7, 7;
  t.join({0, 1, 1, 0, 1}, Block(r));
  // a sparse one-hot table, 4 rows x 6 columns, row 3 never referenced
  t.join({0, 1, 3, 3, 0}, sparse_block(4, 6, {0, 1, 2, 3, 3}, {0, 5, 2, 1, 4}, {1, 1, 1, 1, 0.5}, "r2"));
  return t;
}

TEST(NmatrixSummary, StarAgainstMaterialized) {
  const NormalizedMatrix t = star();
  const Summary s = summarize(t);
  const RowMatrix m = materialize(t);
  EXPECT_EQ(s.rows, m.rows());
  EXPECT_EQ(s.cols, m.cols());
  EXPECT_EQ(s.nnz, dense_nonzeros(m));
  EXPECT_DOUBLE_EQ(s.density(), static_cast<double>(dense_nonzeros(m)) / static_cast<double>(m.size()));
  EXPECT_EQ(s.form, "pk-fk");
  EXPECT_EQ(s.attribute_tables, 2);
  ASSERT_EQ(s.blocks.size(), 3u);
  EXPECT_EQ(s.blocks[0].describe(), "S 5x2 dense");
  EXPECT_EQ(s.blocks[1].describe(), "R1 3x2 dense, 2 of 3 rows referenced");
  EXPECT_EQ(s.blocks[2].describe(), "R2 4x6 sparse (5 stored), 3 of 4 rows referenced");
  EXPECT_EQ(s.stored_entries, 10 + 6 + 5);
  EXPECT_EQ(s.stored_bytes, serialized_size(t, kStorageVersion) + 4);
  EXPECT_DOUBLE_EQ(s.materialized_bytes, 8.0 * static_cast<double>(m.size()));
  EXPECT_FALSE(s.transposed);
}

TEST(NmatrixSummary, TransposeSwapsShapeOnly) {
  const NormalizedMatrix t = star();
  const Summary a = summarize(t), b = summarize(transpose(t));
  EXPECT_TRUE(b.transposed);
  EXPECT_EQ(b.rows, a.cols);
  EXPECT_EQ(b.cols, a.rows);
  EXPECT_EQ(b.nnz, a.nnz);
  EXPECT_EQ(b.nnz, dense_nonzeros(materialize(transpose(t))));
}

TEST(NmatrixSummary, ManyToManyAndEmptyEntity) {
  RowMatrix s(2, 1), r(3, 2);
  s << 1, 0;
  r << 1, 2, 0, 0, 5, 0;
  const NormalizedMatrix mn = NormalizedMatrix::many_to_many(Block(s), {0, 0, 1, 1}, Block(r), {0, 1, 1, 2});
  const Summary a = summarize(mn);
  EXPECT_EQ(a.form, "m:n");
  EXPECT_EQ(a.attribute_tables, 0);
  EXPECT_EQ(a.nnz, dense_nonzeros(materialize(mn)));
  EXPECT_EQ(a.blocks[0].describe(), "S 2x1 dense, 2 of 2 rows referenced");
  EXPECT_EQ(a.blocks[1].describe(), "R 3x2 dense, 3 of 3 rows referenced");

  const Summary e = summarize(NormalizedMatrix::with_rows(4));
  EXPECT_EQ(e.form, "entity");
  EXPECT_EQ(e.cols, 0);
  EXPECT_EQ(e.nnz, 0);
  EXPECT_TRUE(std::isnan(e.density()));
}

}  // namespace
