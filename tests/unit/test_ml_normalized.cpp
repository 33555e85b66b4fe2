// Factorized = materialized: every ML algorithm run on a normalized matrix (factorized operators) gives the model it
// gives on the materialized join, dense and sparse, to 1e-9 relative error, across schema shapes.
#include <gtest/gtest.h>

#include <functional>
#include <random>
#include <string>

#include "core/ml/gnmf.hpp"
#include "core/ml/kmeans.hpp"
#include "core/ml/linreg.hpp"
#include "core/ml/logreg.hpp"
#include "core/ml/normalized_data_matrix.hpp"

using namespace morpheus;
using namespace morpheus::ml;

namespace {

RowMatrix uniform(Index r, Index c, std::mt19937& gen, double lo, double hi) {
  std::uniform_real_distribution<double> u(lo, hi);
  RowMatrix m(r, c);
  for (Index i = 0; i < r; ++i)
    for (Index j = 0; j < c; ++j) m(i, j) = u(gen);
  return m;
}

std::vector<std::int32_t> keys(Index n, Index n_r, std::mt19937& gen) {
  std::uniform_int_distribution<std::int32_t> u(0, static_cast<std::int32_t>(n_r - 1));
  std::vector<std::int32_t> fk(static_cast<size_t>(n));
  for (auto& k : fk) k = u(gen);
  return fk;
}

nm::Block sparse_onehot(Index rows, Index cols, std::mt19937& gen) {
  std::vector<std::int64_t> ri, ci;
  std::vector<double> v;
  std::uniform_int_distribution<Index> u(0, cols - 1);
  std::uniform_real_distribution<double> val(0.5, 1.5);
  for (Index r = 0; r < rows; ++r)
    for (int k = 0; k < 2; ++k) ri.push_back(r), ci.push_back(u(gen)), v.push_back(val(gen));
  return nm::sparse_block(rows, cols, ri, ci, v, "r");
}

struct Case {
  std::string name;
  nm::NormalizedMatrix t;
};

std::vector<Case> cases() {
  std::mt19937 gen(2024);
  std::vector<Case> out;
  const Index n = 60;
  {  // single PK-FK join, dense
    auto t = nm::NormalizedMatrix::from_entity(nm::Block(uniform(n, 3, gen, 0, 1)));
    t.join(keys(n, 7, gen), nm::Block(uniform(7, 4, gen, 0, 1)));
    out.push_back({"pkfk_dense", t});
  }
  {  // star schema, d_S = 0, one sparse and one dense attribute table, n_R = 1 for one of them
    auto t = nm::NormalizedMatrix::with_rows(n);
    t.join(keys(n, 9, gen), sparse_onehot(9, 6, gen));
    t.join(keys(n, 1, gen), nm::Block(uniform(1, 2, gen, 0, 1)));
    t.join(keys(n, 5, gen), nm::Block(uniform(5, 3, gen, 0, 1)));
    out.push_back({"star_ds0_sparse", t});
  }
  {  // attribute rows never referenced
    auto t = nm::NormalizedMatrix::from_entity(nm::Block(uniform(n, 2, gen, 0, 1)));
    t.join(keys(n, 4, gen), nm::Block(uniform(10, 3, gen, 0, 1)));  // rows 4..9 unreferenced
    out.push_back({"unreferenced_rows", t});
  }
  {  // M:N
    std::vector<std::int32_t> s_rows = keys(n, 8, gen), r_rows = keys(n, 6, gen);
    out.push_back({"many_to_many", nm::NormalizedMatrix::many_to_many(nm::Block(uniform(8, 2, gen, 0, 1)), s_rows,
                                                                      nm::Block(uniform(6, 3, gen, 0, 1)), r_rows)});
  }
  return out;
}

Vec targets(Index n, unsigned seed, bool binary) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> u(0, 1);
  Vec y(n);
  for (Index i = 0; i < n; ++i) y(i) = binary ? (u(gen) < 0.5 ? 0 : 1) : u(gen) * 3;
  return y;
}

double rel(const Mat& a, const Mat& b) { return (a - b).norm() / (1 + b.norm()); }

// Runs f on the factorized matrix, the dense materialization and the sparse materialization; compares results.
void expect_same(const nm::NormalizedMatrix& t, const std::function<Mat(const DataMatrix&)>& f,
                 const std::string& what) {
  const RowMatrix dense = nm::materialize(t);
  const Mat fact = f(NormalizedDataMatrix(t));
  const Mat mat = f(DenseDataMatrix(ConstRowMap(dense.data(), dense.rows(), dense.cols())));
  const Mat sp = f(SparseDataMatrix(materialize_sparse(t)));
  EXPECT_LT(rel(fact, mat), 1e-9) << what;
  EXPECT_LT(rel(sp, mat), 1e-9) << what << " (sparse materialization)";
}

}  // namespace

TEST(FactorizedMl, AdapterOperationsMatchMaterialized) {
  for (const auto& c : cases()) {
    const RowMatrix d = nm::materialize(c.t);
    NormalizedDataMatrix f(c.t);
    std::mt19937 gen(1);
    const Mat x = uniform(d.cols(), 3, gen, -1, 1), p = uniform(d.rows(), 2, gen, -1, 1);
    EXPECT_LT(rel(f.times(x), d * x), 1e-12) << c.name;
    EXPECT_LT(rel(f.transpose_times(p), d.transpose() * p), 1e-12) << c.name;
    EXPECT_LT(rel(f.crossprod(), d.transpose() * d), 1e-12) << c.name;
    EXPECT_LT(rel(f.row_squared_norms(), d.rowwise().squaredNorm()), 1e-12) << c.name;
    EXPECT_LT(rel(f.row(17), d.row(17).transpose()), 1e-15) << c.name;
    EXPECT_EQ(f.min_coeff(), d.minCoeff()) << c.name;
    const nm::SparseMatrix s = materialize_sparse(c.t);
    EXPECT_LT(rel(Mat(s), d), 1e-15) << c.name;
    const nm::NormalizedMatrix tt = nm::transpose(c.t);
    const Mat p2 = uniform(d.cols(), 2, gen, -1, 1);
    EXPECT_LT(rel(NormalizedDataMatrix(tt).times(p), d.transpose() * p), 1e-12) << c.name << " transposed";
    EXPECT_LT(rel(NormalizedDataMatrix(tt).transpose_times(p2), d * p2), 1e-12) << c.name << " transposed";
    EXPECT_LT(rel(Mat(materialize_sparse(tt)), d.transpose()), 1e-15) << c.name << " transposed";
  }
}

TEST(FactorizedMl, LinregNormalAndGd) {
  for (const auto& c : cases()) {
    const Vec y = targets(c.t.rows(), 3, false);
    NoProgress np;
    expect_same(
        c.t, [&](const DataMatrix& m) { return Mat(linreg(m, y, LinregOptions{}, np).weights); },
        c.name + " linreg normal");
    LinregOptions o;
    o.method = LinregMethod::GradientDescent;
    o.max_iterations = 30;
    o.learning_rate = 0.05;
    expect_same(
        c.t, [&](const DataMatrix& m) { return Mat(linreg(m, y, o, np).weights); }, c.name + " linreg gd");
  }
}

TEST(FactorizedMl, LogregLbfgsAndGd) {
  for (const auto& c : cases()) {
    const Vec y = targets(c.t.rows(), 4, true);
    NoProgress np;
    LogregOptions o;
    o.l2 = 0.05;
    o.max_iterations = 25;
    expect_same(
        c.t, [&](const DataMatrix& m) { return Mat(logreg(m, y, o, np).weights); }, c.name + " lbfgs");
    o.method = LogregMethod::GradientDescent;
    o.learning_rate = 0.5;
    expect_same(
        c.t, [&](const DataMatrix& m) { return Mat(logreg(m, y, o, np).weights); }, c.name + " gd");
  }
}

TEST(FactorizedMl, KmeansAndGnmf) {
  for (const auto& c : cases()) {
    NoProgress np;
    KmeansOptions k;
    k.k = 3;
    k.max_iterations = 10;
    k.seed = 9;
    expect_same(
        c.t, [&](const DataMatrix& m) { return kmeans(m, k, np).centers; }, c.name + " kmeans");
    GnmfOptions g;
    g.rank = 2;
    g.max_iterations = 15;
    expect_same(
        c.t,
        [&](const DataMatrix& m) {
          const auto r = gnmf(m, g, np);
          Mat both(r.w.rows() + r.h.rows(), 2);
          both << r.w, r.h;
          return both;
        },
        c.name + " gnmf");
  }
}
