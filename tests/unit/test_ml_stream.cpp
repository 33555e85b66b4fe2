// Streaming = in memory: linreg, logreg and kmeans run on a normalized matrix whose entity rows are streamed in
// batches (core/ml/stream.hpp) give the models of the in-memory runs (on the factorized NormalizedDataMatrix and on
// the dense materialization) to 1e-9, for batch sizes 1, 7 (n is not a multiple), n and more than n.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "core/ml/normalized_data_matrix.hpp"
#include "core/ml/stream.hpp"

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

// A star schema: n entity rows with d_s features, attribute tables of the given shapes, random keys and labels.
struct Data {
  RowMatrix s;
  std::vector<RowMatrix> r;
  std::vector<std::vector<std::int32_t>> fk;
  Vec y, label;
  nm::NormalizedMatrix t = nm::NormalizedMatrix::with_rows(1);
};

Data make(Index n, Index d_s, const std::vector<std::pair<Index, Index>>& shapes, unsigned seed) {
  std::mt19937 gen(seed);
  Data d;
  d.s = uniform(n, d_s, gen, -1, 1);
  d.t = d_s > 0 ? nm::NormalizedMatrix::from_entity(nm::Block(d.s)) : nm::NormalizedMatrix::with_rows(n);
  for (const auto& [n_r, d_r] : shapes) {
    d.r.push_back(uniform(n_r, d_r, gen, -1, 1));
    std::uniform_int_distribution<std::int32_t> key(0, static_cast<std::int32_t>(n_r - 1));
    std::vector<std::int32_t> fk(static_cast<size_t>(n));
    for (auto& k : fk) k = key(gen);
    d.fk.push_back(fk);
    d.t.join(fk, nm::Block(d.r.back()));
  }
  const RowMatrix x = nm::materialize(d.t);
  const Vec w = uniform(x.cols(), 1, gen, -1, 1).col(0);
  std::normal_distribution<double> noise(0, 0.3);
  d.y.resize(n);
  d.label.resize(n);
  for (Index i = 0; i < n; ++i) {
    d.y(i) = x.row(i).dot(w) + noise(gen);
    d.label(i) = d.y(i) + noise(gen) > 0 ? 1 : 0;
  }
  return d;
}

double rel(const Mat& a, const Mat& b) { return (a - b).norm() / (1 + b.norm()); }

std::vector<Data> datasets() {
  return {make(53, 2, {{5, 3}, {11, 2}}, 1), make(40, 0, {{4, 2}, {9, 3}}, 2), make(30, 3, {}, 3)};
}

std::vector<Index> batch_sizes(Index n) { return {1, 7, n, n + 5}; }

StreamNames names() { return {"entity_sql", "column \"y\" of entity_sql"}; }

void expect_trace_equal(const Trace& a, const Trace& b, const std::string& what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].iteration, b[i].iteration) << what;
    EXPECT_LT(std::abs(a[i].loss - b[i].loss), 1e-9 * (1 + std::abs(b[i].loss))) << what << " loss " << i;
  }
}

}  // namespace

TEST(StreamMl, ProductsMatchMaterialized) {
  for (const Data& d : datasets()) {
    const RowMatrix x = nm::materialize(d.t);
    for (Index batch : batch_sizes(x.rows())) {
      MemoryRowSource src(d.s, d.fk, d.y, batch);
      StreamTable t(src, d.s.cols(), d.r);
      std::mt19937 gen(5);
      const Mat w = uniform(x.cols(), 3, gen, -1, 1);
      const StreamTable::Product tw(t, w);
      StreamTable::TransposeSum acc(t, 3);
      Mat tx(x.rows(), 3);
      const Mat p = uniform(x.rows(), 3, gen, -1, 1);
      Vec norms(x.rows());
      t.pass([&](const RowBatch& b, Index at) {
        tx.middleRows(at, b.rows()) = tw.apply(b);
        acc.add(b, p.middleRows(at, b.rows()));
        norms.segment(at, b.rows()) = t.row_squared_norms(b);
        EXPECT_EQ(Mat(t.materialize(b)), Mat(x.middleRows(at, b.rows())));
        return true;
      });
      EXPECT_LT(rel(tx, x * w), 1e-14);
      EXPECT_LT(rel(acc.result(), x.transpose() * p), 1e-14);
      EXPECT_LT(rel(norms, x.rowwise().squaredNorm()), 1e-14);
      Mat g;
      Vec rhs;
      t.crossprod(g, &rhs);
      EXPECT_LT(rel(g, x.transpose() * x), 1e-14);
      EXPECT_LT(rel(rhs, x.transpose() * d.y), 1e-14);
      EXPECT_EQ(t.rows(), x.rows());
    }
  }
}

TEST(StreamMl, LinregNormalGdAndRidgeEqualInMemory) {
  NoProgress np;
  for (const Data& d : datasets()) {
    const RowMatrix x = nm::materialize(d.t);
    for (LinregOptions o : {LinregOptions{}, LinregOptions{LinregMethod::GradientDescent, 200, -1, 1e-10, 0},
                            LinregOptions{LinregMethod::GradientDescent, 50, 0.05, 1e-10, 0.1},
                            LinregOptions{LinregMethod::Normal, 1, -1, 0, 0.5}}) {
      const LinregResult mem = linreg(NormalizedDataMatrix(d.t), d.y, o, np);
      const LinregResult dense = linreg(DenseDataMatrix(ConstRowMap(x.data(), x.rows(), x.cols())), d.y, o, np);
      EXPECT_LT(rel(mem.weights, dense.weights), 1e-9);
      for (Index batch : batch_sizes(x.rows())) {
        MemoryRowSource src(d.s, d.fk, d.y, batch);
        StreamTable t(src, d.s.cols(), d.r, names());
        StreamLeastSquares passes(t);
        const LinregResult st = linreg(passes, o, np);
        const std::string what = "batch " + std::to_string(batch) + " method " + std::to_string(int(o.method));
        EXPECT_LT(rel(st.weights, mem.weights), 1e-9) << what;
        expect_trace_equal(st.trace, mem.trace, what);
      }
    }
  }
}

TEST(StreamMl, LogregLbfgsAndGdEqualInMemory) {
  NoProgress np;
  for (const Data& d : datasets()) {
    const RowMatrix x = nm::materialize(d.t);
    LogregOptions lbfgs;
    lbfgs.l2 = 0.01;
    LogregOptions gd;
    gd.method = LogregMethod::GradientDescent;
    gd.max_iterations = 40;
    for (const LogregOptions& o : {lbfgs, gd}) {
      const LogregResult mem = logreg(NormalizedDataMatrix(d.t), d.label, o, np);
      for (Index batch : batch_sizes(x.rows())) {
        MemoryRowSource src(d.s, d.fk, d.label, batch);
        StreamTable t(src, d.s.cols(), d.r, names());
        StreamLogistic passes(t);
        const LogregResult st = logreg(passes, o, np);
        const std::string what = "batch " + std::to_string(batch) + " method " + std::to_string(int(o.method));
        EXPECT_LT(rel(st.weights, mem.weights), 1e-9) << what;
        expect_trace_equal(st.trace, mem.trace, what);
      }
    }
  }
}

TEST(StreamMl, LogregRejectsBadAndMixedLabels) {
  NoProgress np;
  Data d = make(20, 2, {{3, 2}}, 4);
  for (double bad : {2.0, 0.5, std::nan("")}) {
    Vec y = d.label;
    y(12) = bad;
    MemoryRowSource src(d.s, d.fk, y, 6);
    StreamTable t(src, d.s.cols(), d.r, names());
    StreamLogistic passes(t);
    try {
      logreg(passes, LogregOptions{}, np);
      ADD_FAILURE() << "label " << bad << " accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::InvalidParameter);
      EXPECT_NE(std::string(e.what()).find("in row 13"), std::string::npos) << e.what();
    }
  }
  Vec y = d.label;
  y(3) = -1;
  y(4) = 0;
  MemoryRowSource src(d.s, d.fk, y, 6);
  StreamTable t(src, d.s.cols(), d.r, names());
  StreamLogistic passes(t);
  EXPECT_THROW(logreg(passes, LogregOptions{}, np), Error);
}

TEST(StreamMl, KmeansEqualsInMemory) {
  NoProgress np;
  for (const Data& d : datasets()) {
    const RowMatrix x = nm::materialize(d.t);
    for (int k : {1, 3, 5}) {
      KmeansOptions o;
      o.k = k;
      o.seed = 7;
      const KmeansResult mem = kmeans(NormalizedDataMatrix(d.t), o, np);
      for (Index batch : batch_sizes(x.rows())) {
        MemoryRowSource src(d.s, d.fk, Vec(), batch);
        StreamTable t(src, d.s.cols(), d.r, names());
        StreamKmeans passes(t, true);
        const KmeansResult st = kmeans(passes, o, np);
        const std::string what = "k " + std::to_string(k) + " batch " + std::to_string(batch);
        EXPECT_LT(rel(st.centers, mem.centers), 1e-9) << what;
        EXPECT_EQ(st.assignment, mem.assignment) << what;
        expect_trace_equal(st.trace, mem.trace, what);
      }
    }
  }
}

TEST(StreamMl, KmeansReseedsEmptyClustersAsInMemory) {
  // Three distinct points, each repeated: with k = 5 the seeding runs out of distinct points, so some clusters start
  // empty and are re-seeded with the farthest rows (here all at distance 0).
  NoProgress np;
  RowMatrix s(12, 2);
  for (Index i = 0; i < 12; ++i) s.row(i) << static_cast<double>(i % 3), static_cast<double>((i % 3) * (i % 3));
  const std::vector<RowMatrix> none;
  const std::vector<std::vector<std::int32_t>> no_fk;
  for (int k : {4, 5}) {
    KmeansOptions o;
    o.k = k;
    o.seed = 3;
    const KmeansResult mem = kmeans(DenseDataMatrix(ConstRowMap(s.data(), s.rows(), s.cols())), o, np);
    for (Index batch : {1, 5, 12}) {
      MemoryRowSource src(s, no_fk, Vec(), batch);
      StreamTable t(src, 2, none, names());
      StreamKmeans passes(t, true);
      const KmeansResult st = kmeans(passes, o, np);
      EXPECT_LT(rel(st.centers, mem.centers), 1e-12) << k << " " << batch;
      EXPECT_EQ(st.assignment, mem.assignment) << k << " " << batch;
      expect_trace_equal(st.trace, mem.trace, "reseed");
    }
  }
  // Without recording, the assignment is empty and the model is the same.
  MemoryRowSource src(s, no_fk, Vec(), 5);
  StreamTable t(src, 2, none, names());
  StreamKmeans passes(t, false);
  KmeansOptions o;
  o.k = 2;
  const KmeansResult st = kmeans(passes, o, np);
  EXPECT_TRUE(st.assignment.empty());
}

namespace {

// A source whose second pass returns one row fewer (a query that is not deterministic).
class ShrinkingSource final : public RowSource {
 public:
  ShrinkingSource(const RowMatrix& s, const Vec& y) : s_(s), y_(y) {}
  void rewind() override {
    ++passes_;
    done_ = false;
  }
  bool next(RowBatch& b) override {
    if (done_) return false;
    const Index n = s_.rows() - (passes_ > 1 ? 1 : 0);
    b.s = s_.topRows(n);
    b.y = y_.head(n);
    b.fk.clear();
    done_ = true;
    return true;
  }

 private:
  const RowMatrix& s_;
  const Vec& y_;
  int passes_ = 0;
  bool done_ = false;
};

}  // namespace

TEST(StreamMl, BadSourcesAreErrors) {
  NoProgress np;
  Data d = make(10, 2, {{3, 2}}, 6);
  const Vec empty_y;
  const RowMatrix empty_s(0, 2);
  const std::vector<std::vector<std::int32_t>> empty_fk{{}};
  MemoryRowSource empty(empty_s, empty_fk, empty_y, 4);
  StreamTable t0(empty, 2, d.r, names());
  StreamLeastSquares ls0(t0);
  try {
    linreg(ls0, LinregOptions{}, np);
    ADD_FAILURE() << "empty source accepted";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "entity_sql returned no rows");
  }
  ShrinkingSource shrinking(d.s, d.y);
  StreamTable t1(shrinking, 2, {}, names());
  StreamLeastSquares ls1(t1);
  EXPECT_THROW(linreg(ls1, LinregOptions{}, np), Error);
  std::vector<std::vector<std::int32_t>> bad_fk = d.fk;
  bad_fk[0][4] = 3;  // the attribute table has rows 0..2
  MemoryRowSource dangling(d.s, bad_fk, d.y, 4);
  StreamTable t2(dangling, 2, d.r, names());
  StreamLeastSquares ls2(t2);
  try {
    linreg(ls2, LinregOptions{}, np);
    ADD_FAILURE() << "out-of-range key accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Subscript);
  }
  EXPECT_THROW(MemoryRowSource(d.s, d.fk, d.y, 0), Error);
  const std::vector<RowMatrix> none;
  const RowMatrix no_features(3, 0);
  EXPECT_THROW(StreamTable(empty, 0, none, names()), Error);
  (void)no_features;
}

TEST(StreamMl, KmeansPassesMatchBruteForce) {
  // One Lloyd pass against brute force: loss, sums, counts, and the farthest-row rule used to re-seed empty
  // clusters (largest distance first, lowest index on ties, a picked row's distance then counts as 0).
  std::mt19937 gen(9);
  RowMatrix s = uniform(23, 2, gen, -1, 1);
  s.row(15) = s.row(4);  // equal distances: the lower index goes first
  s.row(7) << 3, 3;
  s.row(18) << 3, 3;
  Mat c(2, 3);
  c << 0, 0.5, 50, 0, -0.5, 50;  // the third center is far from every row: its cluster is empty
  const std::vector<RowMatrix> none;
  const std::vector<std::vector<std::int32_t>> no_fk;
  for (Index batch : {1, 4, 23}) {
    MemoryRowSource src(s, no_fk, Vec(), batch);
    StreamTable t(src, 2, none, names());
    StreamKmeans passes(t, true);
    const KmeansPasses::Step step = passes.assign(c);
    Vec best(23);
    Mat sums = Mat::Zero(2, 3);
    Vec counts = Vec::Zero(3);
    double loss = 0;
    for (Index i = 0; i < 23; ++i) {
      Index arg = 0;
      double b = 1e300;
      for (Index j = 0; j < 3; ++j) {
        const double d = (s.row(i).transpose() - c.col(j)).squaredNorm();
        if (d < b) b = d, arg = j;
      }
      best(i) = b;
      loss += b;
      sums.col(arg) += s.row(i).transpose();
      counts(arg) += 1;
      EXPECT_EQ(passes.assignment()[static_cast<size_t>(i)], static_cast<int>(arg));
    }
    EXPECT_NEAR(step.loss, loss, 1e-12);
    EXPECT_LT(rel(step.sums, sums), 1e-14);
    EXPECT_EQ(step.counts, counts);
    EXPECT_TRUE(step.changed);
    for (int pick = 0; pick < 3; ++pick) {
      Index far = 0;
      best.maxCoeff(&far);
      best(far) = 0;
      EXPECT_EQ(passes.farthest(), Vec(s.row(far).transpose())) << "pick " << pick << " batch " << batch;
    }
    // The same centers again: no row changes.
    EXPECT_FALSE(passes.assign(c).changed);
  }
}
