// The factorized kernels (core/nmatrix/kernels.hpp) against the materialized product on random shapes (dense and
// CSR blocks, one-hot and valued, empty rows, unreferenced attribute rows, M:N, streamed parts), thread counts that
// give identical bits, the fused pass, the thread team's error and cancel paths, and the vectorized exp/log1p.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/interrupt.hpp"
#include "core/ml/normalized_data_matrix.hpp"
#include "core/nmatrix/kernels.hpp"
#include "core/parallel.hpp"
#include "core/random.hpp"
#include "core/simd_math.hpp"

using namespace morpheus;

namespace {

RowMatrix uniform(std::int64_t r, std::int64_t c, Rng& g, double lo = -1, double hi = 1) {
  RowMatrix m(r, c);
  for (std::int64_t i = 0; i < m.size(); ++i) m.data()[i] = g.uniform(lo, hi);
  return m;
}

std::vector<std::int32_t> keys(std::int64_t n, std::int64_t used, Rng& g) {
  std::vector<std::int32_t> k(static_cast<size_t>(n));
  for (auto& v : k) v = static_cast<std::int32_t>(g.below(static_cast<std::uint64_t>(used)));
  return k;
}

// rows x cols CSR with per_row entries per row (some rows empty), values 1 (one-hot) or random.
nm::Block csr(std::int64_t rows, std::int64_t cols, int per_row, bool ones, Rng& g) {
  std::vector<std::int64_t> ri, ci;
  std::vector<double> v;
  for (std::int64_t r = 0; r < rows; ++r) {
    if (r % 7 == 3) continue;  // empty rows
    for (int k = 0; k < per_row; ++k) {
      ri.push_back(r);
      ci.push_back(static_cast<std::int64_t>(g.below(static_cast<std::uint64_t>(cols))));
      v.push_back(ones ? 1.0 : g.uniform(-2, 2));
    }
  }
  if (ones) {  // duplicates would sum to 2: keep one-hot rows one-hot
    std::vector<std::int64_t> r2, c2;
    std::vector<double> v2;
    for (size_t i = 0; i < ri.size(); ++i) {
      bool dup = false;
      for (size_t j = 0; j < i; ++j) dup = dup || (ri[j] == ri[i] && ci[j] == ci[i]);
      if (!dup) r2.push_back(ri[i]), c2.push_back(ci[i]), v2.push_back(1.0);
    }
    ri = r2, ci = c2, v = v2;
  }
  return nm::sparse_block(rows, cols, ri, ci, v, "r");
}

struct Case {
  std::string name;
  nm::NormalizedMatrix t;
  std::vector<bool> streamed;
};

std::vector<Case> cases() {
  Rng g(77);
  std::vector<Case> out;
  const std::int64_t n = 1000;
  {
    auto t = nm::NormalizedMatrix::from_entity(nm::Block(uniform(n, 3, g)));
    t.join(keys(n, 40, g), nm::Block(uniform(40, 5, g)));
    out.push_back({"dense_pkfk", t, {}});
  }
  {
    auto t = nm::NormalizedMatrix::with_rows(n);
    t.join(keys(n, 90, g), csr(90, 120, 3, true, g));
    t.join(keys(n, 30, g), csr(30, 50, 2, false, g));
    t.join(keys(n, 1, g), nm::Block(uniform(1, 1, g)));
    out.push_back({"star_onehot_valued_ds0", t, {}});
  }
  {
    auto t = nm::NormalizedMatrix::from_entity(csr(n, 20, 2, false, g));
    t.join(keys(n, 25, g), csr(60, 70, 4, true, g));  // rows 25..59 unreferenced
    t.join(keys(n, 10, g), nm::Block(uniform(10, 1, g)));
    out.push_back({"sparse_s_unreferenced", t, {}});
  }
  {
    auto t = nm::NormalizedMatrix::from_entity(nm::Block(uniform(n, 1, g)));
    t.join(keys(n, 50, g), csr(50, 80, 5, true, g));
    t.join(keys(n, 8, g), nm::Block(uniform(8, 6, g)));
    out.push_back({"streamed_parts", t, {false, true, true}});
    out.push_back({"streamed_one", t, {false, false, true}});
  }
  {
    out.push_back({"many_to_many",
                   nm::NormalizedMatrix::many_to_many(nm::Block(uniform(40, 2, g)), keys(n, 40, g),
                                                      nm::Block(uniform(30, 3, g)), keys(n, 30, g)),
                   {}});
  }
  return out;
}

double rel(const RowMatrix& a, const RowMatrix& b) { return (a - b).norm() / (1e-300 + b.norm()); }

bool same_bits(const RowMatrix& a, const RowMatrix& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         std::memcmp(a.data(), b.data(), sizeof(double) * static_cast<size_t>(a.size())) == 0;
}

// p = 2 m + row index (per column), and copies m: a fused op whose result is checkable.
class TestOp final : public RowOp {
 public:
  TestOp(std::int64_t n, int c) : m(n, c) {}
  void apply(int, std::int64_t row0, std::int64_t rows, const double* mm, double* p) override {
    const auto c = m.cols();
    for (std::int64_t i = 0; i < rows; ++i)
      for (std::int64_t j = 0; j < c; ++j) {
        m(row0 + i, j) = mm[i * c + j];
        p[i * c + j] = 2 * mm[i * c + j] + static_cast<double>(row0 + i);
      }
  }
  RowMatrix m;
};

}  // namespace

TEST(Kernels, ProductsMatchMaterialized) {
  for (const auto& cs : cases()) {
    const RowMatrix d = nm::materialize(cs.t);
    Rng g(5);
    for (int c : {1, 2, 5, 11}) {  // 5 and 11: groups of four columns and a rest
      nm::KernelOptions o;
      o.streamed = cs.streamed;
      o.block_rows = 250;  // 4 blocks
      nm::Kernels k(cs.t, o);
      const RowMatrix x = uniform(d.cols(), c, g), p = uniform(d.rows(), c, g);
      RowMatrix tx(d.rows(), c), tp(d.cols(), c);
      k.lmm(x.data(), c, tx.data());
      k.tmm(p.data(), c, tp.data());
      EXPECT_LT(rel(tx, d * x), 1e-12) << cs.name << " c=" << c;
      EXPECT_LT(rel(tp, d.transpose() * p), 1e-12) << cs.name << " c=" << c;
      // against the existing operators
      EXPECT_LT(rel(tx, nm::lmm(cs.t, ConstRowMap(x.data(), x.rows(), x.cols()))), 1e-12) << cs.name;
      // fused: m = T X, P = 2 m + i, returns T' P
      TestOp op(d.rows(), c);
      RowMatrix fp(d.cols(), c);
      k.pass(x.data(), c, op, fp.data());
      RowMatrix pe = 2 * (d * x);
      for (std::int64_t i = 0; i < pe.rows(); ++i) pe.row(i).array() += static_cast<double>(i);
      EXPECT_LT(rel(op.m, d * x), 1e-12) << cs.name;
      EXPECT_LT(rel(fp, d.transpose() * pe), 1e-12) << cs.name;
    }
    nm::Kernels k(cs.t);
    const Eigen::VectorXd sq = k.row_squared_norms();
    EXPECT_LT((sq - d.rowwise().squaredNorm()).norm(), 1e-12 * d.squaredNorm()) << cs.name;
  }
}

TEST(Kernels, ThreadCountsGiveIdenticalBits) {
  for (const auto& cs : cases()) {
    Rng g(9);
    for (int c : {1, 3, 6}) {
      const RowMatrix x = uniform(cs.t.base_cols(), c, g), p = uniform(cs.t.base_rows(), c, g);
      RowMatrix tx1, tp1, fp1;
      for (int threads : {1, 2, 3}) {
        nm::KernelOptions o;
        o.threads = threads;
        o.block_rows = 128;
        o.streamed = cs.streamed;
        nm::Kernels k(cs.t, o);
        EXPECT_EQ(k.blocks(c), 4) << cs.name;  // 1000 rows / 128 rows: 4 blocks, independent of threads
        RowMatrix tx(cs.t.base_rows(), c), tp(cs.t.base_cols(), c), fp(cs.t.base_cols(), c);
        for (int rep = 0; rep < 2; ++rep) {  // scratch reused
          k.lmm(x.data(), c, tx.data());
          k.tmm(p.data(), c, tp.data());
          TestOp op(cs.t.base_rows(), c);
          k.pass(x.data(), c, op, fp.data());
        }
        if (threads == 1) {
          tx1 = tx, tp1 = tp, fp1 = fp;
          continue;
        }
        EXPECT_TRUE(same_bits(tx, tx1)) << cs.name << " threads=" << threads;
        EXPECT_TRUE(same_bits(tp, tp1)) << cs.name << " threads=" << threads;
        EXPECT_TRUE(same_bits(fp, fp1)) << cs.name << " threads=" << threads;
      }
    }
  }
}

TEST(Kernels, DataMatrixAdapterUsesKernels) {
  for (const auto& cs : cases()) {
    const RowMatrix d = nm::materialize(cs.t);
    nm::KernelOptions o;
    o.streamed = cs.streamed;
    o.threads = 2;
    ml::NormalizedDataMatrix f(cs.t, o);
    Rng g(3);
    const RowMatrix x = uniform(d.cols(), 2, g);
    EXPECT_LT(rel(RowMatrix(f.times(ml::Mat(x))), d * x), 1e-12) << cs.name;
    EXPECT_LT(rel(RowMatrix(f.crossprod()), d.transpose() * d), 1e-12) << cs.name;
  }
}

TEST(ThreadTeam, RunsEveryTaskOnceAndRethrows) {
  for (int threads : {1, 2, 4}) {
    ThreadTeam team(threads);
    std::vector<int> hits(1000, 0);
    for (int rep = 0; rep < 50; ++rep) team.run(1000, [&](std::int64_t i) { ++hits[static_cast<size_t>(i)]; });
    for (int h : hits) EXPECT_EQ(h, 50);
    EXPECT_THROW(team.run(100,
                          [&](std::int64_t i) {
                            if (i == 37) throw std::runtime_error("boom");
                          }),
                 std::runtime_error);
    team.run(3, [&](std::int64_t) {});  // usable after an error
  }
}

namespace {
int g_polls = 0;
bool cancel_after_some() { return ++g_polls > 3; }
}  // namespace

TEST(ThreadTeam, CancelReachesTheMainThread) {
  ThreadTeam team(2);
  g_polls = 0;
  set_interrupt_probe(cancel_after_some);
  EXPECT_THROW(team.run(1000,
                        [&](std::int64_t) {
                          volatile double s = 0;
                          for (int i = 0; i < 10000; ++i) s = s + i;
                        }),
               Interrupted);
  set_interrupt_probe(nullptr);
  team.run(3, [&](std::int64_t) {});
}

TEST(SimdMath, ExpAndLog1pMatchLibm) {
  std::vector<double> x, e, l, loss, s;
  for (double v = -750; v <= 0; v += 0.0137) x.push_back(v);
  for (double v : {-0.0, -1e-300, -1e-17, -1e-9, -0.5, -708.39, -708.4, -745.0, -745.13, -746.0}) x.push_back(v);
  e.resize(x.size());
  simd::exp_nonpositive(x.data(), e.data(), static_cast<std::int64_t>(x.size()));
  for (size_t i = 0; i < x.size(); ++i) {
    const double ref = std::exp(x[i]);
    if (ref > 1e-300)
      EXPECT_LE(std::fabs(e[i] - ref), 4e-16 * ref) << x[i];
    else
      EXPECT_LE(std::fabs(e[i] - ref), 1e-300) << x[i];
  }
  std::vector<double> u;
  for (double v = 0; v <= 1; v += 0.000731) u.push_back(v);
  for (double v : {1e-320, 1e-300, 1e-17, 1e-16, 1e-9, 0.41421356, 0.41421357, 1.0}) u.push_back(v);
  l.resize(u.size());
  simd::log1p_unit(u.data(), l.data(), static_cast<std::int64_t>(u.size()));
  for (size_t i = 0; i < u.size(); ++i) EXPECT_LE(std::fabs(l[i] - std::log1p(u[i])), 4e-16 * std::log1p(u[i])) << u[i];
  std::vector<double> z;
  for (double v = -800; v <= 800; v += 0.377) z.push_back(v);
  loss.resize(z.size());
  s.resize(z.size());
  simd::logistic_terms(z.data(), loss.data(), s.data(), static_cast<std::int64_t>(z.size()));
  for (size_t i = 0; i < z.size(); ++i) {
    const double rl = z[i] > 0 ? std::log1p(std::exp(-z[i])) : -z[i] + std::log1p(std::exp(z[i]));
    const double rs = 1 / (1 + std::exp(z[i]));
    EXPECT_LE(std::fabs(loss[i] - rl), 1e-15 * rl + 1e-300) << z[i];
    EXPECT_LE(std::fabs(s[i] - rs), 1e-15 * rs + 1e-300) << z[i];
  }
  // The vector and scalar paths agree bit for bit: any split of the same data gives the same values.
  std::vector<double> a(z.size()), b(z.size()), a2(z.size()), b2(z.size());
  simd::logistic_terms(z.data(), a.data(), b.data(), static_cast<std::int64_t>(z.size()));
  for (size_t i = 0; i < z.size(); ++i) simd::logistic_terms(z.data() + i, a2.data() + i, b2.data() + i, 1);
  EXPECT_EQ(0, std::memcmp(a.data(), a2.data(), a.size() * sizeof(double)));
  EXPECT_EQ(0, std::memcmp(b.data(), b2.data(), b.size() * sizeof(double)));
}

TEST(CrossprodSparse, EqualsDenseCrossprod) {
  for (const auto& cs : cases()) {
    const RowMatrix d = nm::materialize(cs.t);
    const RowMatrix g = RowMatrix(nm::crossprod_sparse(cs.t).toDense());
    const RowMatrix ref = d.transpose() * d;
    EXPECT_LT((g - ref).cwiseAbs().maxCoeff(), 1e-12 * (1 + ref.cwiseAbs().maxCoeff())) << cs.name;
    EXPECT_LT((g - nm::crossprod(cs.t)).cwiseAbs().maxCoeff(), 1e-12 * (1 + ref.cwiseAbs().maxCoeff())) << cs.name;
    // exact zeros are not stored
    const nm::SparseMatrix s = nm::crossprod_sparse(cs.t);
    for (int r = 0; r < s.outerSize(); ++r)
      for (nm::SparseMatrix::InnerIterator it(s, r); it; ++it) EXPECT_NE(it.value(), 0.0) << cs.name;
    const RowMatrix gt = RowMatrix(nm::crossprod_sparse(nm::transpose(cs.t)).toDense());
    const RowMatrix reft = d * d.transpose();
    EXPECT_LT((gt - reft).cwiseAbs().maxCoeff(), 1e-12 * (1 + reft.cwiseAbs().maxCoeff())) << cs.name << " transposed";
  }
}
