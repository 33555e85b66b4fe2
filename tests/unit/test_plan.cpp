// Plan choice: the statistics against hand-computed values, the rule's thresholds, the sparsity extension, the cost
// model with known constants, and that applying any plan leaves the matrix's value unchanged.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "core/ml/plan.hpp"

using namespace morpheus;
using namespace morpheus::ml;
using Eigen::Index;

namespace {

nm::NormalizedMatrix star(Index n, Index d_s, Index n_r, Index d_r, unsigned seed, bool sparse_onehot = false) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> u(0.5, 1.5);
  RowMatrix s = RowMatrix::NullaryExpr(n, d_s, [&] { return u(gen); });
  auto t = d_s > 0 ? nm::NormalizedMatrix::from_entity(nm::Block(s)) : nm::NormalizedMatrix::with_rows(n);
  std::vector<std::int32_t> fk(static_cast<size_t>(n));
  for (Index i = 0; i < n; ++i) fk[static_cast<size_t>(i)] = static_cast<std::int32_t>(i % n_r);
  if (sparse_onehot) {
    std::vector<std::int64_t> ri, ci;
    std::vector<double> v;
    for (Index r = 0; r < n_r; ++r) ri.push_back(r), ci.push_back(r % d_r), v.push_back(1);
    t.join(fk, nm::sparse_block(n_r, d_r, ri, ci, v, "r"));
  } else {
    t.join(fk, nm::Block(RowMatrix(RowMatrix::NullaryExpr(n_r, d_r, [&] { return u(gen); }))));
  }
  return t;
}

}  // namespace

PlanOptions rule_options() {
  PlanOptions o;
  o.model = PlanModel::Rule;
  return o;
}

TEST(Plan, StatisticsAndRule) {
  const auto t = star(100, 2, 10, 3, 1);
  const Plan p = make_plan(t, rule_options());
  ASSERT_EQ(p.tables.size(), 1u);
  EXPECT_DOUBLE_EQ(p.tables[0].tuple_ratio, 10.0);
  EXPECT_DOUBLE_EQ(p.tables[0].feature_ratio, 1.5);
  EXPECT_DOUBLE_EQ(p.tables[0].sparsity, 1.0);
  EXPECT_TRUE(p.tables[0].rule_factorize);
  EXPECT_TRUE(p.tables[0].factorize);
  const auto low_tr = star(100, 2, 25, 3, 2);  // TR = 4
  EXPECT_FALSE(make_plan(low_tr, rule_options()).tables[0].factorize);
  const auto low_fr = star(100, 4, 10, 3, 3);  // FR = 0.75
  EXPECT_FALSE(make_plan(low_fr, rule_options()).tables[0].factorize);
  PlanOptions loose = rule_options();
  loose.tuple_ratio_min = 3;
  loose.feature_ratio_min = 0.5;
  EXPECT_TRUE(make_plan(low_tr, loose).tables[0].factorize);
  EXPECT_TRUE(make_plan(low_fr, loose).tables[0].factorize);
}

TEST(Plan, FeatureRatioCountsStoredEntriesNotColumns) {
  // 50 one-hot columns but one stored entry per attribute row, against 5 dense entity columns: FR = 1/5.
  const auto t = star(200, 5, 20, 50, 4, true);
  const Plan p = make_plan(t, PlanOptions{});
  EXPECT_DOUBLE_EQ(p.tables[0].feature_ratio, 0.2);
  EXPECT_DOUBLE_EQ(p.tables[0].sparsity, 1.0 / 50.0);
  EXPECT_FALSE(p.tables[0].rule_factorize);
  // d_S = 0: FR is infinite
  EXPECT_TRUE(std::isinf(make_plan(star(200, 0, 20, 50, 5, true), PlanOptions{}).tables[0].feature_ratio));
}

TEST(Plan, CostModelWithKnownConstants) {
  CostConstants c;
  c.dense_entry = 1;
  c.sparse_entry = 1;
  c.gather_row = 1;
  PlanOptions o;
  o.model = PlanModel::Cost;
  // n = 100, R 10 x 3 dense: factorized 30 + 100 = 130, materialized 100 * 3 = 300 -> factorize
  Plan p = make_plan(star(100, 2, 10, 3, 6), o, c);
  EXPECT_DOUBLE_EQ(p.tables[0].factorized_cost, 130);
  EXPECT_DOUBLE_EQ(p.tables[0].materialized_cost, 300);
  EXPECT_TRUE(p.tables[0].factorize);
  // one column: factorized 10 + 100 = 110 > materialized 100 -> materialize, although the rule (TR 10, FR 1) says
  // factorize: the gather dominates when d_R is small.
  p = make_plan(star(100, 1, 10, 1, 7), o, c);
  EXPECT_FALSE(p.tables[0].cost_factorize);
  EXPECT_TRUE(p.tables[0].rule_factorize);
}

TEST(Plan, ModesAndApplyingKeepTheValue) {
  for (bool sparse : {false, true}) {
    auto t = star(60, 2, 6, 4, 8, sparse);
    std::mt19937 gen(3);
    std::vector<std::int32_t> fk2(60);
    for (auto& k : fk2) k = static_cast<std::int32_t>(gen() % 30);
    t.join(fk2, nm::Block(RowMatrix(RowMatrix::Random(30, 2))));  // TR = 2: the rule materializes this one
    const RowMatrix want = nm::materialize(t);
    for (auto mode : {FactorizeMode::Auto, FactorizeMode::Always, FactorizeMode::Never}) {
      PlanOptions o = rule_options();
      o.mode = mode;
      const Plan p = make_plan(t, o);
      ASSERT_EQ(p.tables.size(), 2u);
      if (mode == FactorizeMode::Always) {
        EXPECT_TRUE(p.all_factorized());
      }
      if (mode == FactorizeMode::Never) {
        EXPECT_FALSE(p.any_factorized());
      }
      if (mode == FactorizeMode::Auto) {
        // dense: TR 10, FR 4/2 -> factorize; one-hot: one stored entry per row against 2 entity columns, FR 0.5
        EXPECT_EQ(p.tables[0].factorize, !sparse);
        EXPECT_FALSE(p.tables[1].factorize);  // TR 2
      }
      const nm::NormalizedMatrix applied = apply_plan(t, p);
      EXPECT_EQ(nm::materialize(applied), want);
      const RowMatrix x = RowMatrix::Random(want.cols(), 2);
      EXPECT_LT((nm::lmm(applied, ConstRowMap(x.data(), x.rows(), x.cols())) - want * x).norm(), 1e-12);
      const nm::NormalizedMatrix tt = apply_plan(nm::transpose(t), p);
      EXPECT_EQ(nm::materialize(tt), RowMatrix(want.transpose()));
    }
  }
}

TEST(Plan, CalibrationMeasuresPositiveConstants) {
  const CostConstants& c = calibrated_constants();
  EXPECT_TRUE(c.measured);
  EXPECT_GT(c.dense_entry, 0);
  EXPECT_GT(c.sparse_entry, 0);
  EXPECT_GT(c.gather_row, 0);
  EXPECT_LT(c.dense_entry, 1e-6);
}
