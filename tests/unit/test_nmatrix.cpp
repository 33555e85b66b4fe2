// Every factorized operator of the normalized matrix against the same operator on the materialized matrix, which
// is built here independently (gathering rows by hand), on random shapes and on the reference's fixtures.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <random>

#include "core/errors.hpp"
#include "core/nmatrix/nmatrix.hpp"

using morpheus::ConstRowMap;
using morpheus::RowMatrix;
using namespace morpheus::nm;

namespace {

// Independent materialization: row r of T is [B_1[idx_1[r]], ..., B_p[idx_p[r]]], transposed if flagged.
RowMatrix reference_dense(const NormalizedMatrix& t) {
  const std::int64_t n = t.base_rows();
  RowMatrix m(n, t.base_cols());
  std::int64_t off = 0;
  for (const Part& p : t.parts()) {
    const RowMatrix b = p.block.is_sparse() ? RowMatrix(p.block.sparse().toDense()) : RowMatrix(p.block.dense());
    for (std::int64_t r = 0; r < n; ++r)
      for (std::int64_t j = 0; j < b.cols(); ++j) m(r, off + j) = b(p.identity ? r : p.index[r], j);
    off += b.cols();
  }
  if (t.transposed()) return m.transpose();
  return m;
}

double rel_err(const RowMatrix& got, const RowMatrix& want) {
  EXPECT_EQ(got.rows(), want.rows());
  EXPECT_EQ(got.cols(), want.cols());
  if (got.rows() != want.rows() || got.cols() != want.cols()) return 1e300;
  return (got - want).norm() / std::max(1.0, want.norm());
}

RowMatrix col(const Eigen::VectorXd& v) { return RowMatrix(v); }

RowMatrix random_dense(std::mt19937& g, std::int64_t r, std::int64_t c) {
  std::uniform_real_distribution<double> u(-2.0, 2.0);
  RowMatrix m(r, c);
  for (std::int64_t i = 0; i < m.size(); ++i) m.data()[i] = u(g);
  return m;
}

Block random_block(std::mt19937& g, std::int64_t r, std::int64_t c, bool sparse) {
  if (!sparse) return Block(random_dense(g, r, c));
  std::uniform_real_distribution<double> u(-2.0, 2.0);
  std::bernoulli_distribution keep(0.3);
  std::vector<std::int64_t> ri, ci;
  std::vector<double> v;
  for (std::int64_t i = 0; i < r; ++i)
    for (std::int64_t j = 0; j < c; ++j)
      if (keep(g)) {
        ri.push_back(i);
        ci.push_back(j);
        v.push_back(u(g));
      }
  return sparse_block(r, c, ri, ci, v, "r");
}

std::vector<std::int32_t> random_index(std::mt19937& g, std::int64_t n, std::int64_t rows, bool all_used) {
  std::uniform_int_distribution<int> u(0, static_cast<int>(rows) - 1);
  std::vector<std::int32_t> idx(n);
  for (auto& v : idx) v = u(g);
  if (all_used)
    for (std::int64_t i = 0; i < std::min(n, rows); ++i) idx[i] = static_cast<std::int32_t>(i);
  return idx;
}

// A normalized matrix of exactly rows x cols: 0 PK-FK (dense S, sparse R), 1 star with d_S = 0 (dense and sparse
// attribute tables), 2 M:N, 3 a transposed PK-FK.
NormalizedMatrix random_nm(std::mt19937& g, std::int64_t rows, std::int64_t cols, int kind) {
  if (kind == 3) return transpose(random_nm(g, cols, rows, 0));
  const std::int64_t ds = (cols + 1) / 2, dr = cols - ds;
  NormalizedMatrix t;
  if (kind == 0) {
    t = NormalizedMatrix::from_entity(random_block(g, rows, ds, false));
    if (dr > 0) t.join(random_index(g, rows, 3, true), random_block(g, 3, dr, true));
  } else if (kind == 1) {
    t = NormalizedMatrix::with_rows(rows);
    t.join(random_index(g, rows, 4, true), random_block(g, 4, ds, false));
    if (dr > 0) t.join(random_index(g, rows, 2, true), random_block(g, 2, dr, true));
  } else {
    t = NormalizedMatrix::many_to_many(random_block(g, 5, ds, false), random_index(g, rows, 5, true),
                                       random_block(g, 3, dr, dr % 2 == 1), random_index(g, rows, 3, true));
  }
  return t;
}

struct Shape {
  const char* name;
  std::int64_t n, ds;
  std::vector<std::pair<std::int64_t, std::int64_t>> attrs;  // (n_R, d_R)
  bool sparse_s, sparse_r, transposed, mn, unreferenced;
};

NormalizedMatrix make(std::mt19937& g, const Shape& s) {
  NormalizedMatrix t;
  if (s.mn) {
    const auto [nr, dr] = s.attrs.at(0);
    t = NormalizedMatrix::many_to_many(random_block(g, 7, s.ds, s.sparse_s), random_index(g, s.n, 7, true),
                                       random_block(g, nr, dr, s.sparse_r), random_index(g, s.n, nr, true));
    for (size_t k = 1; k < s.attrs.size(); ++k)
      t.join(random_index(g, s.n, s.attrs[k].first, true),
             random_block(g, s.attrs[k].first, s.attrs[k].second, s.sparse_r));
  } else {
    t = s.ds == 0 ? NormalizedMatrix::with_rows(s.n)
                  : NormalizedMatrix::from_entity(random_block(g, s.n, s.ds, s.sparse_s));
    for (const auto& [nr, dr] : s.attrs)
      t.join(random_index(g, s.n, s.unreferenced ? nr + 3 : nr, !s.unreferenced),
             random_block(g, s.unreferenced ? nr + 3 : nr, dr, s.sparse_r));
  }
  t.set_transposed(s.transposed);
  return t;
}

const std::vector<Shape>& shapes() {
  static const std::vector<Shape> v = {
      {"single", 40, 3, {{8, 5}}, false, false, false, false, false},
      {"single_transposed", 40, 3, {{8, 5}}, false, false, true, false, false},
      {"ds0", 30, 0, {{6, 4}}, false, false, false, false, false},
      {"ds0_transposed", 30, 0, {{6, 4}}, false, false, true, false, false},
      {"nr1", 25, 2, {{1, 3}}, false, false, false, false, false},
      {"unreferenced", 20, 2, {{5, 3}}, false, false, false, false, true},
      {"star3", 50, 2, {{7, 3}, {4, 2}, {9, 4}}, false, false, false, false, false},
      {"star3_transposed", 50, 2, {{7, 3}, {4, 2}, {9, 4}}, false, false, true, false, false},
      {"sparse_r", 45, 3, {{6, 7}, {5, 6}}, false, true, false, false, false},
      {"sparse_all", 45, 4, {{6, 7}, {5, 6}}, true, true, false, false, false},
      {"sparse_transposed", 45, 4, {{6, 7}}, true, true, true, false, false},
      {"mn", 30, 2, {{5, 3}}, false, false, false, true, false},
      {"mn_transposed", 30, 2, {{5, 3}}, false, false, true, true, false},
      {"mn_multi_sparse", 30, 2, {{5, 3}, {4, 2}}, true, true, false, true, false},
      {"wide", 6, 3, {{3, 9}}, false, false, false, false, false},
      {"wide_transposed", 6, 3, {{3, 9}}, false, true, true, false, false},
  };
  return v;
}

constexpr double kTol = 1e-10;

class Ops : public ::testing::TestWithParam<size_t> {
 protected:
  void SetUp() override {
    std::mt19937 g(1234 + static_cast<unsigned>(GetParam()));
    t = make(g, shapes()[GetParam()]);
    m = reference_dense(t);
    gen = g;
  }
  NormalizedMatrix t;
  RowMatrix m;
  std::mt19937 gen;
};

TEST_P(Ops, ShapeAndMaterialize) {
  EXPECT_EQ(nrow(t), m.rows());
  EXPECT_EQ(ncol(t), m.cols());
  EXPECT_EQ(materialize(t), m);
}

TEST_P(Ops, ScalarOpsBothSides) {
  for (ScalarOp op : {ScalarOp::Add, ScalarOp::Sub, ScalarOp::Mul, ScalarOp::Div}) {
    for (bool left : {false, true}) {
      if (op == ScalarOp::Div && left) continue;  // x / T divides by the zeros of sparse blocks
      const double x = 1.7;
      RowMatrix want = m.unaryExpr([&](double v) { return left ? apply_op(op, x, v) : apply_op(op, v, x); });
      EXPECT_LT(rel_err(materialize(scalar_op(t, op, x, left)), want), kTol) << op_symbol(op) << left;
    }
  }
  RowMatrix sq = m.array().square().matrix();
  EXPECT_LT(rel_err(materialize(scalar_op(t, ScalarOp::Pow, 2.0, false)), sq), kTol);
  RowMatrix pw = m.unaryExpr([](double v) { return std::pow(1.5, v); });
  EXPECT_LT(rel_err(materialize(scalar_op(t, ScalarOp::Pow, 1.5, true)), pw), kTol);
}

TEST_P(Ops, ElementwiseFunctions) {
  for (Func f :
       {Func::Exp, Func::Abs, Func::Sin, Func::Cos, Func::Tanh, Func::Sign, Func::Square, Func::Sigmoid, Func::Expm1}) {
    RowMatrix want = m.unaryExpr([f](double v) { return apply_func(f, v); });
    EXPECT_LT(rel_err(materialize(elementwise(t, f)), want), kTol) << func_name(f);
  }
  NormalizedMatrix pos = elementwise(elementwise(t, Func::Abs), Func::Exp);  // > 0 everywhere
  RowMatrix mp = m.array().abs().exp().matrix();
  EXPECT_LT(rel_err(materialize(elementwise(pos, Func::Log)), mp.array().log().matrix()), kTol);
  EXPECT_LT(rel_err(materialize(elementwise(pos, Func::Sqrt)), mp.array().sqrt().matrix()), kTol);
}

TEST_P(Ops, Aggregates) {
  EXPECT_LT(rel_err(col(row_sums(t)), col(m.rowwise().sum().transpose())), kTol);
  EXPECT_LT(rel_err(col(col_sums(t)), col(m.colwise().sum().transpose())), kTol);
  EXPECT_NEAR(sum(t), m.sum(), kTol * (1 + std::abs(m.sum())));
}

TEST_P(Ops, LeftAndRightMultiply) {
  for (std::int64_t c : {1, 4}) {
    RowMatrix x = random_dense(gen, m.cols(), c);
    EXPECT_LT(rel_err(lmm(t, ConstRowMap(x.data(), x.rows(), x.cols())), m * x), kTol);
    RowMatrix y = random_dense(gen, c, m.rows());
    EXPECT_LT(rel_err(rmm(ConstRowMap(y.data(), y.rows(), y.cols()), t), y * m), kTol);
    // Into caller memory (pre-filled with garbage: every element must be written).
    RowMatrix into = RowMatrix::Constant(m.rows(), c, 1e300);
    lmm_into(t, ConstRowMap(x.data(), x.rows(), x.cols()), morpheus::RowMap(into.data(), into.rows(), into.cols()));
    EXPECT_LT(rel_err(into, m * x), kTol);
  }
  RowMatrix rs = RowMatrix::Constant(m.rows(), 1, 1e300);
  row_sums_into(t, morpheus::RowMap(rs.data(), rs.rows(), 1));
  EXPECT_LT(rel_err(rs, m.rowwise().sum()), kTol);
}

TEST_P(Ops, CrossprodAndTcrossprod) {
  EXPECT_LT(rel_err(crossprod(t), m.transpose() * m), kTol);
  EXPECT_LT(rel_err(tcrossprod(t), m * m.transpose()), kTol);
}

TEST_P(Ops, Ginv) {
  // The four Penrose conditions characterize the pseudo-inverse uniquely, at any rank.
  // ginv goes through crossprod (T'T or TT'), which squares the condition number: the tolerance scales with it.
  Eigen::JacobiSVD<Eigen::MatrixXd> svd(m);
  const auto& sv = svd.singularValues();
  const double cond = sv.maxCoeff() / sv.minCoeff();
  const double tol = std::max(1e-10, 1e-14 * cond * cond);
  const RowMatrix g = ginv(t);
  ASSERT_EQ(g.rows(), m.cols());
  ASSERT_EQ(g.cols(), m.rows());
  EXPECT_LT(rel_err(m * g * m, m), tol) << cond;
  EXPECT_LT(rel_err(g * m * g, g), tol) << cond;
  EXPECT_LT(rel_err(RowMatrix((m * g).transpose()), m * g), tol) << cond;
  EXPECT_LT(rel_err(RowMatrix((g * m).transpose()), g * m), tol) << cond;
  // And the dense SVD pseudo-inverse of the materialized matrix.
  RowMatrix want(m.cols(), m.rows());
  morpheus::ginv(ConstRowMap(m.data(), m.rows(), m.cols()), morpheus::RowMap(want.data(), want.rows(), want.cols()));
  EXPECT_LT(rel_err(g, want), tol) << cond;
}

TEST_P(Ops, TransposeRoundTrip) {
  NormalizedMatrix tt = transpose(t);
  EXPECT_EQ(materialize(tt), RowMatrix(m.transpose()));
  EXPECT_EQ(materialize(transpose(tt)), m);
}

TEST_P(Ops, DoubleMatrixMultiplication) {
  std::mt19937 g(99);
  // t %*% t' and t' %*% t, both factorized operands.
  EXPECT_LT(rel_err(matmul(t, transpose(t)), m * m.transpose()), kTol);
  EXPECT_LT(rel_err(matmul(transpose(t), t), m.transpose() * m), kTol);
  // With a second, independent normalized matrix whose row count equals ncol(t).
  NormalizedMatrix b = NormalizedMatrix::from_entity(Block(random_dense(g, m.cols(), 2)));
  b.join(random_index(g, m.cols(), 3, true), Block(random_dense(g, 3, 2)));
  const RowMatrix bm = reference_dense(b);
  EXPECT_LT(rel_err(matmul(t, b), m * bm), kTol);
  EXPECT_LT(rel_err(matmul(transpose(b), transpose(t)), bm.transpose() * m.transpose()), kTol);
  // Second operands of every structure with the shape the product needs, on both sides: with the suite's transposed
  // shapes this covers A B, A' B', A' B (same base rows) and A B' (same base columns, split at other columns).
  for (int kind = 0; kind < 4; ++kind) {
    SCOPED_TRACE("kind " + std::to_string(kind));
    const NormalizedMatrix x = random_nm(g, m.cols(), 5, kind);
    EXPECT_LT(rel_err(matmul(t, x), m * reference_dense(x)), kTol);
    const NormalizedMatrix y = random_nm(g, 4, m.rows(), kind);
    EXPECT_LT(rel_err(matmul(y, t), reference_dense(y) * m), kTol);
  }
  EXPECT_THROW(matmul(t, random_nm(g, m.cols() + 1, 2, 0)), morpheus::Error);
}

TEST_P(Ops, ElementwiseWithDense) {
  RowMatrix x = random_dense(gen, m.rows(), m.cols());
  ConstRowMap xm(x.data(), x.rows(), x.cols());
  EXPECT_LT(rel_err(elementwise_matrix(t, ScalarOp::Mul, xm, false), m.cwiseProduct(x)), kTol);
  EXPECT_LT(rel_err(elementwise_matrix(t, ScalarOp::Sub, xm, true), x - m), kTol);
  EXPECT_LT(rel_err(elementwise_matrix(t, ScalarOp::Add, xm, false), m + x), kTol);
  RowMatrix bad = random_dense(gen, m.rows() + 1, m.cols());
  EXPECT_THROW(elementwise_matrix(t, ScalarOp::Add, ConstRowMap(bad.data(), bad.rows(), bad.cols()), false),
               morpheus::Error);
}

TEST_P(Ops, BinaryAndTextRoundTrip) {
  for (std::uint16_t version : {kWireVersion, kStorageVersion})
    for (bool be : {false, true}) {
      std::vector<char> buf(static_cast<size_t>(serialized_size(t, version)));
      serialize(t, buf.data(), static_cast<std::int64_t>(buf.size()), be, version);
      NormalizedMatrix back =
          deserialize(buf.data(), static_cast<std::int64_t>(buf.size()), be, morpheus::ErrorKind::DataCorrupted);
      EXPECT_EQ(materialize(back), m);
      EXPECT_EQ(to_text(back), to_text(t));
      for (const Part& p : back.parts()) EXPECT_FALSE(p.block.is_view() || p.index.is_view());
    }
  const std::string text = to_text(t);
  NormalizedMatrix parsed = from_text(text);
  EXPECT_EQ(to_text(parsed), text);
  EXPECT_EQ(materialize(parsed), m);  // shortest round-trip doubles: exact
}

// Storage version 2 read in place: at an address where the layout's 4-byte prefix is 8-aligned (as in a palloc'd
// varlena) every block and index vector is a view of the buffer; at shifted addresses the misaligned arrays are
// copied instead (what UBSan checks). Every operator gives the same result as on the owning value.
TEST_P(Ops, StoredValueReadInPlace) {
  const std::int64_t size = serialized_size(t, kStorageVersion);
  std::vector<std::uint64_t> backing(static_cast<size_t>(size / 8 + 3));
  RowMatrix x = random_dense(gen, t.cols(), 3), y = random_dense(gen, 2, t.rows());
  const ConstRowMap xm(x.data(), x.rows(), x.cols()), ym(y.data(), y.rows(), y.cols());
  for (std::int64_t shift : {4, 5, 6, 8, 12}) {
    SCOPED_TRACE("shift " + std::to_string(shift));
    char* at = reinterpret_cast<char*>(backing.data()) + shift;
    serialize(t, at, size, false, kStorageVersion);
    const NormalizedMatrix v = deserialize(at, size, false, morpheus::ErrorKind::DataCorrupted, true);
    for (const Part& p : v.parts()) {
      const bool aligned8 = shift % 8 == 4, aligned4 = shift % 4 == 0;
      // dense values and sparse blocks need 8-byte alignment; an index vector needs 4.
      EXPECT_EQ(p.block.is_view(), aligned8);
      if (!p.identity) {
        EXPECT_EQ(p.index.is_view(), aligned4);
      }
      if (p.block.is_view() && !p.block.is_sparse()) {
        EXPECT_GE(static_cast<const void*>(p.block.dense().data()), static_cast<const void*>(at));
      }
    }
    EXPECT_EQ(materialize(v), m);
    // Products may round differently (vectorized loops peel differently on 8- and 16-aligned data).
    EXPECT_LT(rel_err(lmm(v, xm), lmm(t, xm)), kTol);
    EXPECT_LT(rel_err(rmm(ym, v), rmm(ym, t)), kTol);
    EXPECT_LT(rel_err(crossprod(v), crossprod(t)), kTol);
    EXPECT_LT(rel_err(col(row_sums(v)), col(row_sums(t))), kTol);
    EXPECT_LT(rel_err(col(col_sums(v)), col(col_sums(t))), kTol);
    EXPECT_EQ(materialize(scalar_op(v, ScalarOp::Mul, 3.0, false)),
              materialize(scalar_op(t, ScalarOp::Mul, 3.0, false)));
    EXPECT_EQ(to_text(v), to_text(t));
    // A view re-serializes to the same bytes.
    std::vector<char> again(static_cast<size_t>(size));
    serialize(v, again.data(), size, false, kStorageVersion);
    EXPECT_EQ(std::memcmp(again.data(), at, static_cast<size_t>(size)), 0);
  }
}

INSTANTIATE_TEST_SUITE_P(Shapes, Ops, ::testing::Range<size_t>(0, 16),
                         [](const ::testing::TestParamInfo<size_t>& i) { return std::string(shapes()[i.param].name); });

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
