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

}  // namespace
