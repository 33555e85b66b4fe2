// Unit tests of the normalized matrix against published reference values (the MorpheusPy fixture), and of its
// error handling, text format and binary storage (layouts v1 and v2).
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "core/errors.hpp"
#include "core/nmatrix/nmatrix.hpp"

using morpheus::ConstRowMap;
using morpheus::RowMatrix;
using namespace morpheus::nm;

namespace {

RowMatrix col(const Eigen::VectorXd& v) { return RowMatrix(v); }
// --- the reference fixture (MorpheusPy test_normalized_matrix.py) -------------------------------------------------

NormalizedMatrix fixture(bool two_tables) {
  RowMatrix s(5, 2);
  s << 1, 2, 4, 3, 5, 6, 8, 7, 9, 1;
  RowMatrix r(2, 2);
  r << 1.1, 2.2, 3.3, 4.4;
  NormalizedMatrix t = NormalizedMatrix::from_entity(Block(s));
  t.join({0, 1, 1, 0, 1}, Block(r));
  if (two_tables) {
    RowMatrix r2(2, 2);
    r2 << .1, .2, .3, .4;
    t.join({0, 1, 1, 1, 0}, Block(r2));
  }
  return t;
}

void expect_near(const RowMatrix& got, const RowMatrix& want, double tol) {
  ASSERT_EQ(got.rows(), want.rows());
  ASSERT_EQ(got.cols(), want.cols());
  EXPECT_LE((got - want).cwiseAbs().maxCoeff(), tol) << got << "\nvs\n" << want;
}

TEST(NmatrixFixture, SingleJoinReferenceValues) {
  NormalizedMatrix t = fixture(false);
  RowMatrix tm(5, 4);
  tm << 1, 2, 1.1, 2.2, 4, 3, 3.3, 4.4, 5, 6, 3.3, 4.4, 8, 7, 1.1, 2.2, 9, 1, 3.3, 4.4;
  expect_near(materialize(t), tm, 1e-15);
  RowMatrix rs(5, 1), cs(4, 1);
  rs << 6.3, 14.7, 18.7, 18.3, 17.7;
  cs << 27, 19, 12.1, 17.6;
  expect_near(col(row_sums(t)), rs, 1e-12);
  expect_near(col(col_sums(t)), cs, 1e-12);
  EXPECT_NEAR(sum(t), 75.7, 1e-12);
  RowMatrix x(4, 1), want(5, 1);
  x << 1, 2, 3, 4;
  want << 17.1, 37.5, 44.5, 34.1, 38.5;
  expect_near(lmm(t, ConstRowMap(x.data(), 4, 1)), want, 1e-12);
  RowMatrix xt = x.transpose();
  expect_near(rmm(ConstRowMap(xt.data(), 1, 4), transpose(t)), want.transpose(), 1e-12);
  RowMatrix y(5, 1), want2(4, 1);
  y << 1, 2, 3, 4, 5;
  want2 << 101, 59, 38.5, 55;
  expect_near(lmm(transpose(t), ConstRowMap(y.data(), 5, 1)), want2, 1e-12);
  RowMatrix yt = y.transpose();
  expect_near(rmm(ConstRowMap(yt.data(), 1, 5), t), want2.transpose(), 1e-12);
  RowMatrix cp(4, 4);
  cp << 187, 109, 69.3, 99, 109, 99, 42.9, 63.8, 69.3, 42.9, 35.09, 48.4, 99, 63.8, 48.4, 67.76;
  expect_near(crossprod(t), cp, 1e-12);
  RowMatrix tc(5, 5);
  tc << 11.05, 23.31, 30.31, 28.05, 24.31, 23.31, 55.25, 68.25, 66.31, 69.25, 30.31, 68.25, 91.25, 95.31, 81.25, 28.05,
      66.31, 95.31, 119.05, 92.31, 24.31, 69.25, 81.25, 92.31, 112.25;
  expect_near(tcrossprod(t), tc, 1e-12);
  expect_near(crossprod(transpose(t)), tc, 1e-12);
  RowMatrix gi(4, 5);
  gi << -0.0745353, -0.0529740, -0.0533457, 0.0745353, 0.1063197, -0.0741636, 0.0046468, 0.1239777, 0.0741636,
      -0.1286245, -1.4944238, 0.1824941, 0.7962149, -0.3237580, -0.0696181, 1.2786414, 0.0076039, -0.5425820, 0.0849949,
      0.0804326;
  expect_near(ginv(t), gi, 1e-6);  // the reference rounds to 7 decimals
  expect_near(ginv(transpose(t)), gi.transpose(), 1e-6);
}

TEST(NmatrixFixture, TwoTablesReferenceValues) {
  NormalizedMatrix t = fixture(true);
  RowMatrix rs(5, 1), cs(6, 1), x(6, 1), want(5, 1);
  rs << 6.6, 15.4, 19.4, 19.0, 18.0;
  cs << 27, 19, 12.1, 17.6, 1.1, 1.6;
  x << 1, 2, 3, 4, 5, 6;
  want << 18.8, 41.4, 48.4, 38.0, 40.2;
  expect_near(col(row_sums(t)), rs, 1e-12);
  expect_near(col(col_sums(t)), cs, 1e-12);
  EXPECT_NEAR(sum(t), 78.4, 1e-12);
  expect_near(lmm(t, ConstRowMap(x.data(), 6, 1)), want, 1e-12);
  RowMatrix cp = crossprod(t);
  RowMatrix last(2, 6);
  last << 6.1, 5.1, 2.75, 3.96, 0.29, 0.4, 8.8, 7.0, 3.96, 5.72, 0.4, 0.56;
  expect_near(cp.bottomRows(2), last, 1e-12);
  RowMatrix ul(4, 4);
  ul << 187, 109, 69.3, 99, 109, 99, 42.9, 63.8, 69.3, 42.9, 35.09, 48.4, 99, 63.8, 48.4, 67.76;
  expect_near(cp.topLeftCorner(4, 4), ul, 1e-12);
}

TEST(NmatrixFixture, ManyToManyReferenceValues) {
  RowMatrix s(3, 2), r(3, 1);
  s << 1, 2, 3, 4, 5, 6;
  r << 10, 20, 30;
  NormalizedMatrix t = NormalizedMatrix::many_to_many(Block(s), {0, 0, 1, 2, 2}, Block(r), {0, 1, 2, 0, 1});
  RowMatrix tm(5, 3);
  tm << 1, 2, 10, 1, 2, 20, 3, 4, 30, 5, 6, 10, 5, 6, 20;
  expect_near(materialize(t), tm, 0);
  RowMatrix cp(3, 3);
  cp << 61, 76, 270, 76, 96, 360, 270, 360, 1900;
  expect_near(crossprod(t), cp, 1e-12);
  RowMatrix rs(5, 1), cs(3, 1), x(3, 1), want(5, 1), y(1, 5), want2(1, 3);
  rs << 13, 23, 37, 21, 31;
  cs << 15, 20, 90;
  x << 1, -1, 2;
  want << 19, 39, 59, 19, 39;
  y << 1, 2, 3, 4, 5;
  want2 << 57, 72, 280;
  expect_near(col(row_sums(t)), rs, 1e-12);
  expect_near(col(col_sums(t)), cs, 1e-12);
  expect_near(lmm(t, ConstRowMap(x.data(), 3, 1)), want, 1e-12);
  expect_near(rmm(ConstRowMap(y.data(), 1, 5), t), want2, 1e-12);
}

// --- constructors, validation, storage ------------------------------------------------------------------------

TEST(NmatrixErrors, JoinRejectsBadKeysAndShapes) {
  NormalizedMatrix t = NormalizedMatrix::with_rows(3);
  try {
    t.join({0, 8, 1}, Block(RowMatrix::Ones(8, 2)));
    FAIL();
  } catch (const morpheus::Error& e) {
    EXPECT_EQ(e.kind(), morpheus::ErrorKind::Subscript);
    EXPECT_STREQ(e.what(), "fk[2] = 9 but r has 8 rows");
  }
  EXPECT_EQ(t.parts().size(), 1u);  // a failed join leaves the value unchanged
  EXPECT_THROW(t.join({0, 1}, Block(RowMatrix::Ones(8, 2))), morpheus::Error);
  EXPECT_THROW(t.join({0, -1, 1}, Block(RowMatrix::Ones(8, 2))), morpheus::Error);
  RowMatrix nan = RowMatrix::Ones(2, 2);
  nan(1, 1) = std::nan("");
  EXPECT_THROW(t.join({0, 1, 1}, Block(nan)), morpheus::Error);
  EXPECT_THROW(NormalizedMatrix::with_rows(0), morpheus::Error);
  EXPECT_THROW(sparse_block(2, 2, {0, 2}, {0, 0}, {1, 1}, "r"), morpheus::Error);
  EXPECT_THROW(sparse_block(2, 2, {0}, {0, 0}, {1, 1}, "r"), morpheus::Error);
  try {
    sparse_block(300000000, 1, {}, {}, {}, "r");
    FAIL();
  } catch (const morpheus::Error& e) {
    EXPECT_EQ(e.kind(), morpheus::ErrorKind::LimitExceeded);
  }
  NormalizedMatrix tt = transpose(NormalizedMatrix::with_rows(3));
  EXPECT_THROW(tt.join({0, 0, 0}, Block(RowMatrix::Ones(1, 1))), morpheus::Error);
}

TEST(NmatrixErrors, OperatorsRejectBadShapesAndResults) {
  NormalizedMatrix t = fixture(false);
  RowMatrix x(3, 1);
  x.setOnes();
  EXPECT_THROW(lmm(t, ConstRowMap(x.data(), 3, 1)), morpheus::Error);
  EXPECT_THROW(rmm(ConstRowMap(x.data(), 1, 3), t), morpheus::Error);
  EXPECT_THROW(matmul(t, t), morpheus::Error);
  try {
    scalar_op(t, ScalarOp::Div, 0.0, false);
    FAIL();
  } catch (const morpheus::Error& e) {
    EXPECT_EQ(e.kind(), morpheus::ErrorKind::OutOfRange);
  }
  EXPECT_THROW(elementwise(scalar_op(t, ScalarOp::Mul, -1.0, false), Func::Log), morpheus::Error);
  EXPECT_THROW(ginv(NormalizedMatrix::with_rows(3)), morpheus::Error);
  // Sparse blocks stay sparse when f(0) = 0 and become dense otherwise.
  NormalizedMatrix s = NormalizedMatrix::with_rows(4);
  s.join({0, 1, 0, 1}, sparse_block(2, 3, {0, 1}, {2, 0}, {1.5, -2}, "r"));
  EXPECT_TRUE(scalar_op(s, ScalarOp::Mul, 3.0, true).parts()[1].block.is_sparse());
  EXPECT_FALSE(scalar_op(s, ScalarOp::Add, 3.0, false).parts()[1].block.is_sparse());
}

TEST(NmatrixText, FormatAndErrors) {
  NormalizedMatrix t = NormalizedMatrix::with_rows(3);
  t.join({0, 1, 0}, Block(RowMatrix::Constant(2, 1, 0.1)));
  t.join({1, 1, 0}, sparse_block(2, 3, {1}, {2}, {1e-300}, "r"));
  EXPECT_EQ(to_text(t),
            "nmatrix v1 rows=3 transposed=false; identity dense 3x0 {}; index {1,2,1} dense 2x1 {{0.1},{0.1}}; "
            "index {2,2,1} sparse 2x3 {(2,3,1e-300)}");
  const char* bad[] = {
      "",
      "nmatrix v2 rows=3 transposed=false; identity dense 3x0 {}",
      "nmatrix v1 rows=3 transposed=maybe; identity dense 3x0 {}",
      "nmatrix v1 rows=3 transposed=false",
      "nmatrix v1 rows=3 transposed=false; identity dense 2x0 {}",
      "nmatrix v1 rows=2 transposed=false; identity dense 2x1 {{1},{2}",
      "nmatrix v1 rows=2 transposed=false; identity dense 2x1 {{1},{x}}",
      "nmatrix v1 rows=2 transposed=false; identity dense 2x1 {{1},{nan}}",
      "nmatrix v1 rows=2 transposed=false; identity dense 2x1 {{1},{1e999}}",
      "nmatrix v1 rows=2 transposed=false; index {1,3} dense 2x1 {{1},{2}}",
      "nmatrix v1 rows=2 transposed=false; index {1} dense 2x1 {{1},{2}}",
      "nmatrix v1 rows=2 transposed=false; index {1,2} sparse 2x2 {(1,1,1),(1,1,2)}",
      "nmatrix v1 rows=2 transposed=false; index {1,2} sparse 2x2 {(3,1,1)}",
      "nmatrix v1 rows=2 transposed=false; identity dense 2x1 {{1},{2}} extra",
      "nmatrix v1 rows=2 transposed=false; identity dense 2x1 {{1},{2}};",
  };
  for (const char* b : bad) {
    try {
      from_text(b);
      ADD_FAILURE() << "accepted: " << b;
    } catch (const morpheus::Error& e) {
      EXPECT_EQ(e.kind(), morpheus::ErrorKind::InvalidText) << b << ": " << e.what();
    }
  }
}

TEST(NmatrixStorage, RejectsCorruptBytes) {
  NormalizedMatrix t = fixture(true);
  std::vector<char> buf(static_cast<size_t>(serialized_size(t, kWireVersion)));
  serialize(t, buf.data(), static_cast<std::int64_t>(buf.size()), false, kWireVersion);
  auto expect_bad = [&](std::vector<char> b) {
    EXPECT_THROW(deserialize(b.data(), static_cast<std::int64_t>(b.size()), false, morpheus::ErrorKind::DataCorrupted),
                 morpheus::Error);
  };
  auto b = buf;
  b[0] ^= 1;  // magic
  expect_bad(b);
  b = buf;
  b[4] = 3;  // version
  expect_bad(b);
  b = buf;
  b[8] = 1;  // reserved
  expect_bad(b);
  b = buf;
  b.pop_back();  // truncated
  expect_bad(b);
  b = buf;
  b.push_back(0);  // trailing
  expect_bad(b);
  // Corrupt an index entry of the first attribute table (after the 24-byte header, the 32-byte S header and S's
  // 5x2 doubles, then the next 32-byte block header).
  b = buf;
  const size_t idx_at = 24 + 32 + 80 + 32;
  std::int32_t v = 7;
  std::memcpy(b.data() + idx_at, &v, 4);
  expect_bad(b);
  std::memcpy(&v, buf.data() + idx_at, 4);
  EXPECT_EQ(v, 0);  // that really was fk[1]
}

// Version 2 pads with zero bytes: header 24 bytes + 4 (then S's 32-byte header at 28, S's 5x2 doubles at 60, the
// next block header at 140 and its index at 172, all 8-aligned counting the 4-byte varlena header).
TEST(NmatrixStorage, Version2LayoutAndPadding) {
  NormalizedMatrix t = fixture(true);
  const std::int64_t size = serialized_size(t, kStorageVersion);
  std::vector<char> buf(static_cast<size_t>(size));
  serialize(t, buf.data(), size, false, kStorageVersion);
  std::uint16_t version = 0;
  std::memcpy(&version, buf.data() + 4, 2);
  EXPECT_EQ(version, 2);
  double s00 = 0;
  std::memcpy(&s00, buf.data() + 60, 8);
  EXPECT_EQ(s00, 1.0);  // s[1][1]
  std::int32_t fk2 = 0;
  std::memcpy(&fk2, buf.data() + 172 + 4, 4);
  EXPECT_EQ(fk2, 1);  // fk[2] = 2, 0-based
  for (size_t i = 24; i < 28; ++i) EXPECT_EQ(buf[i], 0);
  auto b = buf;
  b[25] = 1;  // padding must be zero
  EXPECT_THROW(deserialize(b.data(), size, false, morpheus::ErrorKind::DataCorrupted), morpheus::Error);
  b = buf;
  b.pop_back();  // the final padding is part of the value
  EXPECT_THROW(deserialize(b.data(), size - 1, false, morpheus::ErrorKind::DataCorrupted), morpheus::Error);
  b = buf;
  std::int32_t bad = 2;  // fk[1] out of range, also when read in place
  std::memcpy(b.data() + 172, &bad, 4);
  EXPECT_THROW(deserialize(b.data(), size, false, morpheus::ErrorKind::DataCorrupted, true), morpheus::Error);
}

// A value stored by the previous release (layout version 1, native little-endian byte order), captured as bytes from
// that release: T = [S, K1 R1, K2 R2] with S 3x2 dense, R1 2x1 dense, R2 3x3 sparse. It must still load, in place
// or copied.
TEST(NmatrixStorage, LoadsVersion1StoredValue) {
  if (std::uint16_t one = 1; *reinterpret_cast<unsigned char*>(&one) != 1) GTEST_SKIP() << "captured on little-endian";
  const std::string hex =
      "54414d4e0100000000000000030000000300000000000000010000000000000003000000000000000200000000000000000000000000"
      "0000000000000000f03f0000000000000040000000000000084000000000000010400000000000001440000000000000184000000000"
      "00000000020000000000000001000000000000000000000000000000010000000000000001000000000000000000e03f000000000000"
      "f8bf00010000000000000300000000000000030000000000000003000000000000000200000002000000000000000000000001000000"
      "02000000030000000100000002000000000000000000000000001c40000000000000d03f00000000000000c0";
  std::vector<std::uint64_t> backing(hex.size() / 16 + 2);
  char* bytes = reinterpret_cast<char*>(backing.data()) + 4;
  for (size_t i = 0; i < hex.size() / 2; ++i)
    bytes[i] = static_cast<char>(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
  RowMatrix want(3, 6);
  want << 1, 2, -1.5, -2, 0, 0,  // fk1 = {2,1,2}, fk2 = {3,3,1}: rows 3, 3, 1 of R2
      3, 4, 0.5, -2, 0, 0,       //
      5, 6, -1.5, 0, 7, 0;
  for (bool borrow : {false, true}) {
    const NormalizedMatrix t = deserialize(bytes, static_cast<std::int64_t>(hex.size() / 2), false,
                                           morpheus::ErrorKind::DataCorrupted, borrow);
    EXPECT_EQ(materialize(t), want);
    EXPECT_EQ(to_text(t),
              "nmatrix v1 rows=3 transposed=false; identity dense 3x2 {{1,2},{3,4},{5,6}}; index {2,1,2} dense 2x1 "
              "{{0.5},{-1.5}}; index {3,3,1} sparse 3x3 {(1,2,7),(2,3,0.25),(3,1,-2)}");
  }
}

}  // namespace
