// Distributed DRACO core: batches depend only on (seed, iteration, partition, row ids); nodes holding only their
// partitions send the same messages as a node holding everything; the decoded step equals the textbook logistic
// gradient over the batch rows; one Byzantine or erased worker is tolerated, more are reported.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <random>
#include <set>

#include "core/dist/dist.hpp"
#include "core/errors.hpp"

namespace dr = morpheus::draco;
namespace ds = morpheus::dist;
using morpheus::ConstRowMap;
using morpheus::RowMatrix;
using morpheus::Vector;

namespace {

// A full data set: rows with ids 1000 + 7r (not contiguous), partition = r % n.
struct Full {
  RowMatrix x;
  std::vector<double> y;
  std::vector<std::int64_t> part, id;
};

Full make_full(int rows, int p, int n, unsigned seed) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> nd(0, 1);
  Full f;
  f.x.resize(rows, p);
  for (int r = 0; r < rows; ++r) {
    double eta = 0;
    for (int c = 0; c < p; ++c) {
      f.x(r, c) = nd(gen);
      eta += (c + 1) * 0.3 * f.x(r, c);
    }
    f.y.push_back(eta + 0.5 * nd(gen) > 0 ? 1.0 : 0.0);
    f.part.push_back(r % n);
    f.id.push_back(1000 + 7 * r);
  }
  return f;
}

// The rows of `f` in the given partitions, in reversed order (a node's table has its own physical order).
Full node_copy(const Full& f, const std::vector<int>& parts) {
  Full o;
  std::vector<int> keep;
  for (int r = static_cast<int>(f.y.size()) - 1; r >= 0; --r)
    if (std::find(parts.begin(), parts.end(), f.part[r]) != parts.end()) keep.push_back(r);
  o.x.resize(static_cast<Eigen::Index>(keep.size()), f.x.cols());
  for (std::size_t k = 0; k < keep.size(); ++k) {
    o.x.row(static_cast<Eigen::Index>(k)) = f.x.row(keep[k]);
    o.y.push_back(f.y[keep[k]]);
    o.part.push_back(f.part[keep[k]]);
    o.id.push_back(f.id[keep[k]]);
  }
  return o;
}

ds::LocalData local(const Full& f) {
  return ds::LocalData{dr::Dataset{ConstRowMap(f.x.data(), f.x.rows(), f.x.cols()), f.y.data()}, f.part.data(),
                       f.id.data()};
}

dr::Glm logistic(int p) {
  dr::Glm g;
  g.model = dr::Model::Logistic;
  g.features = p;
  return g;
}

dr::Messages all_messages(const ds::Schedule& sc, const dr::CyclicCode* code, const dr::Glm& g, const Full& f,
                          bool per_node, int it, const Vector& w) {
  const Eigen::Index d = g.params() + 2;
  dr::Messages m;
  m.re = RowMatrix::Zero(sc.workers, d);
  for (int i = 0; i < sc.workers; ++i) {
    const Full node = per_node ? node_copy(f, dr::assigned_partitions(sc.rule, sc.workers, sc.tolerance, i)) : f;
    ds::encode_message(g, local(node), sc, code, it, i, w.data(), m.re.row(i).data());
  }
  return m;
}

}  // namespace

TEST(DistBatch, DependsOnRowIdsNotOnRowOrder) {
  std::vector<std::int64_t> ids = {50, 10, 40, 20, 30, 60, 70};
  std::vector<std::int64_t> rows(ids.size());
  std::iota(rows.begin(), rows.end(), 0);
  const auto a = ds::select_batch(9, 3, 2, rows, ids.data(), 4);
  ASSERT_EQ(a.size(), 4u);
  std::set<std::int64_t> picked;
  for (auto r : a) picked.insert(ids[r]);
  EXPECT_EQ(picked.size(), 4u);  // without replacement
  // the same ids in another physical order pick the same ids in the same order
  std::vector<std::int64_t> ids2(ids.rbegin(), ids.rend());
  const auto b = ds::select_batch(9, 3, 2, rows, ids2.data(), 4);
  for (std::size_t k = 0; k < a.size(); ++k) EXPECT_EQ(ids[a[k]], ids2[b[k]]);
  // another iteration or partition draws differently (some order differs over a few tries)
  bool differs = false;
  for (int it = 4; it < 10; ++it) {
    const auto c = ds::select_batch(9, it, 2, rows, ids.data(), 4);
    for (std::size_t k = 0; k < c.size(); ++k) differs |= ids[c[k]] != ids[a[k]];
  }
  EXPECT_TRUE(differs);
  // fewer rows than asked: all of them
  EXPECT_EQ(ds::select_batch(9, 3, 2, rows, ids.data(), 100).size(), ids.size());
  ids[3] = 50;
  EXPECT_THROW(ds::select_batch(9, 3, 2, rows, ids.data(), 4), morpheus::Error);
}

TEST(DistBatch, EveryRowIsDrawnOverManyIterations) {
  std::vector<std::int64_t> ids = {5, 1, 9, 3, 7};
  std::vector<std::int64_t> rows = {0, 1, 2, 3, 4};
  std::vector<int> hits(5, 0);
  for (int it = 1; it <= 400; ++it)
    for (auto r : ds::select_batch(1, it, 0, rows, ids.data(), 2)) ++hits[static_cast<std::size_t>(r)];
  for (int h : hits) EXPECT_NEAR(h, 160, 45);  // 400 * 2 / 5 draws each, binomial sd ~ 11
}

TEST(DistEncode, NodeWithOnlyItsPartitionsSendsTheSameMessage) {
  const Full f = make_full(60, 3, 5, 11);
  const dr::Glm g = logistic(3);
  const Vector w = Vector::LinSpaced(4, -0.2, 0.3);
  for (dr::Rule rule : {dr::Rule::Repetition, dr::Rule::Cyclic}) {
    ds::Schedule sc{rule, rule == dr::Rule::Cyclic ? 5 : 3, 1, 20, 4};
    const Full ff = rule == dr::Rule::Cyclic ? f : make_full(60, 3, 3, 11);
    dr::CyclicCode code(sc.workers, 1);
    const dr::CyclicCode* c = rule == dr::Rule::Cyclic ? &code : nullptr;
    const dr::Messages all = all_messages(sc, c, g, ff, false, 2, w);
    const dr::Messages split = all_messages(sc, c, g, ff, true, 2, w);
    EXPECT_EQ(std::memcmp(all.re.data(), split.re.data(), sizeof(double) * all.re.size()), 0);
  }
}

TEST(DistDecode, StepEqualsTextbookLogisticGradientOverTheBatch) {
  const int n = 5, p = 3, it = 6;
  const Full f = make_full(80, p, n, 3);
  const dr::Glm g = logistic(p);
  const Vector w = Vector::LinSpaced(p + 1, 0.4, -0.1);
  for (dr::Rule rule : {dr::Rule::Repetition, dr::Rule::Cyclic}) {
    const int nn = rule == dr::Rule::Cyclic ? n : 3;
    const Full ff = make_full(80, p, nn, 3);
    ds::Schedule sc{rule, nn, 1, 23, 5};
    dr::CyclicCode code(nn, 1);
    const dr::CyclicCode* c = rule == dr::Rule::Cyclic ? &code : nullptr;
    // textbook: sum over the batch rows of (sigmoid(x w + b) - y) [x, 1], loss log(1 + e^eta) - y eta
    Vector grad = Vector::Zero(p + 1);
    double loss = 0, count = 0;
    for (int j = 0; j < nn; ++j) {
      std::vector<std::int64_t> rows;
      for (std::int64_t r = 0; r < static_cast<std::int64_t>(ff.y.size()); ++r)
        if (ff.part[r] == j) rows.push_back(r);
      for (auto r : ds::select_batch(sc.seed, it, j, rows, ff.id.data(), ds::partition_batch(sc, j))) {
        double eta = w[p];
        for (int k = 0; k < p; ++k) eta += ff.x(r, k) * w[k];
        const double mu = 1 / (1 + std::exp(-eta));
        for (int k = 0; k < p; ++k) grad[k] += (mu - ff.y[r]) * ff.x(r, k);
        grad[p] += mu - ff.y[r];
        loss += std::log1p(std::exp(eta)) - ff.y[r] * eta;
        count += 1;
      }
    }
    EXPECT_EQ(count, 23);
    const dr::Messages m = all_messages(sc, c, g, ff, true, it, w);
    const ds::Step st = ds::decode_step(sc, c, it, m, w, 0.5);
    ASSERT_TRUE(st.consistent);
    EXPECT_EQ(st.batch_rows, 23);
    EXPECT_NEAR(st.loss, loss / count, 1e-10);
    const Vector want = w - (0.5 / count) * grad;
    EXPECT_LT((st.weights - want).cwiseAbs().maxCoeff(), 1e-10) << dr::rule_name(rule);
    EXPECT_TRUE(st.flagged.empty());
  }
}

TEST(DistDecode, OneByzantineOrErasedWorkerIsToleratedTwoAreReported) {
  const int p = 2, it = 1;
  const dr::Glm g = logistic(p);
  const Vector w = Vector::Constant(p + 1, 0.1);
  for (dr::Rule rule : {dr::Rule::Repetition, dr::Rule::Cyclic}) {
    const int n = rule == dr::Rule::Cyclic ? 5 : 6;
    const Full f = make_full(70, p, n, 8);
    ds::Schedule sc{rule, n, 1, 30, 2};
    dr::CyclicCode code(n, 1);
    const dr::CyclicCode* c = rule == dr::Rule::Cyclic ? &code : nullptr;
    const dr::Messages clean = all_messages(sc, c, g, f, true, it, w);
    const ds::Step honest = ds::decode_step(sc, c, it, clean, w, 0.1);
    const Eigen::Index d = clean.re.cols();
    for (dr::Attack a : {dr::Attack::SignFlip, dr::Attack::Constant, dr::Attack::Gaussian}) {
      dr::Messages m = clean;
      ds::attack_message(a, std::nan(""), sc.seed, it, 1, m.re.row(1).data(), d);
      EXPECT_NE(m.re(1, 0), clean.re(1, 0));
      const ds::Step st = ds::decode_step(sc, c, it, m, w, 0.1);
      ASSERT_TRUE(st.consistent);
      EXPECT_EQ(st.flagged, std::vector<int>{1});
      if (rule == dr::Rule::Repetition) {
        EXPECT_EQ(std::memcmp(st.weights.data(), honest.weights.data(), sizeof(double) * (p + 1)), 0);
      } else {
        EXPECT_LT((st.weights - honest.weights).cwiseAbs().maxCoeff(), 1e-9);
      }
    }
    // an erased (zero) worker, then an erased worker plus a Byzantine one in the same group of the code
    dr::Messages m = clean;
    m.re.row(0).setZero();
    const ds::Step er = ds::decode_step(sc, c, it, m, w, 0.1);
    ASSERT_TRUE(er.consistent);
    EXPECT_LT((er.weights - honest.weights).cwiseAbs().maxCoeff(), 1e-9);
    ds::attack_message(dr::Attack::SignFlip, std::nan(""), sc.seed, it, 1, m.re.row(1).data(), d);
    const ds::Step two = ds::decode_step(sc, c, it, m, w, 0.1);
    EXPECT_FALSE(two.consistent) << dr::rule_name(rule);
    EXPECT_EQ(two.weights, w);  // nothing applied
  }
}

TEST(DistEncode, MissingPartitionAndBadScheduleAreErrors) {
  const Full f = make_full(30, 2, 5, 1);
  const Full node = node_copy(f, {0, 1});  // worker 0 of cyclic n=5 s=1 needs partitions 0, 1, 2
  ds::Schedule sc{dr::Rule::Cyclic, 5, 1, 10, 1};
  dr::CyclicCode code(5, 1);
  Vector re(5), w = Vector::Zero(3);
  EXPECT_THROW(ds::encode_message(logistic(2), local(node), sc, &code, 1, 0, w.data(), re.data()), morpheus::Error);
  ds::Schedule bad{dr::Rule::Mean, 5, 1, 10, 1};
  EXPECT_THROW(ds::check_schedule(bad), morpheus::Error);
  bad = ds::Schedule{dr::Rule::Repetition, 5, 1, 10, 1};  // 3 does not divide 5
  EXPECT_THROW(ds::check_schedule(bad), morpheus::Error);
  bad = ds::Schedule{dr::Rule::Cyclic, 5, 1, 4, 1};
  EXPECT_THROW(ds::check_schedule(bad), morpheus::Error);
  EXPECT_THROW(ds::attack_message(dr::Attack::Alie, 1, 1, 1, 0, re.data(), 5), morpheus::Error);
}
