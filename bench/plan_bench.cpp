// Plan choice on a grid: for tuple ratio TR in {1,2,5,10,20} and feature ratio FR in {0.5,1,2,4}, dense, plus one-hot
// sparse attribute tables, time 10 gradient-descent iterations of logistic regression factorized and materialized
// in the same run, and report what the reference's rule and the calibrated cost model choose, and how much each loses
// against the better plan. Sizes: d_S = 20, n_R = 5000 (dense) scaled to 2 cores and 24 GB.
//   build/plan_bench [n_R]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>

#include "core/ml/logreg.hpp"
#include "core/ml/normalized_data_matrix.hpp"
#include "core/ml/plan.hpp"

extern "C" void openblas_set_num_threads(int);

using namespace morpheus;
using namespace morpheus::ml;

namespace {

double time_logreg(const DataMatrix& m, const Eigen::VectorXd& y) {
  LogregOptions o;
  o.method = LogregMethod::GradientDescent;
  o.max_iterations = 10;
  o.learning_rate = 0.1;
  o.tolerance = 0;
  NoProgress np;
  double best = 1e300;
  for (int r = 0; r < 2; ++r) {
    const auto a = std::chrono::steady_clock::now();
    logreg(m, y, o, np);
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - a).count());
  }
  return best;
}

nm::NormalizedMatrix make(std::int64_t n_s, std::int64_t d_s, std::int64_t n_r, std::int64_t d_r, bool onehot,
                          std::mt19937& gen) {
  std::uniform_real_distribution<double> u(-1, 1);
  auto t =
      nm::NormalizedMatrix::from_entity(nm::Block(RowMatrix(RowMatrix::NullaryExpr(n_s, d_s, [&] { return u(gen); }))));
  std::vector<std::int32_t> fk(static_cast<size_t>(n_s));
  for (std::int64_t i = 0; i < n_s; ++i)
    fk[static_cast<size_t>(i)] = static_cast<std::int32_t>(i < n_r ? i : gen() % n_r);
  if (onehot) {  // an identity block (the key as a feature) plus 3 one-hot attribute columns per row
    std::vector<std::int64_t> ri, ci;
    std::vector<double> v;
    for (std::int64_t r = 0; r < n_r; ++r) {
      ri.push_back(r), ci.push_back(r), v.push_back(1);
      for (int k = 0; k < 3; ++k)
        ri.push_back(r), ci.push_back(n_r + static_cast<std::int64_t>(gen() % d_r)), v.push_back(1);
    }
    t.join(fk, nm::sparse_block(n_r, n_r + d_r, ri, ci, v, "r"));
  } else {
    t.join(fk, nm::Block(RowMatrix(RowMatrix::NullaryExpr(n_r, d_r, [&] { return u(gen); }))));
  }
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  openblas_set_num_threads(1);
  const std::int64_t n_r = argc > 1 ? std::atoll(argv[1]) : 5000;
  const std::int64_t d_s = 20;
  std::mt19937 gen(1);
  const CostConstants& c = calibrated_constants();
  std::printf(
      "plan_bench: logreg GD x10, d_S = %lld, n_R = %lld; calibrated ns/entry dense %.3f sparse %.3f, ns/key %.3f\n",
      static_cast<long long>(d_s), static_cast<long long>(n_r), c.dense_entry * 1e9, c.sparse_entry * 1e9,
      c.gather_row * 1e9);
  std::printf("%-7s %5s %5s %9s %9s %8s %5s %5s %9s %9s\n", "kind", "TR", "FR", "fact_s", "mat_s", "speedup", "rule",
              "cost", "rule_loss", "cost_loss");
  double worst_rule = 0, worst_cost = 0, sum_rule = 0, sum_cost = 0;
  int cells = 0, rule_wrong = 0, cost_wrong = 0;
  for (int onehot = 0; onehot <= 1; ++onehot) {
    for (double tr : {1.0, 2.0, 5.0, 10.0, 20.0}) {
      for (double fr : {0.5, 1.0, 2.0, 4.0}) {
        const std::int64_t n_s = static_cast<std::int64_t>(tr * static_cast<double>(n_r));
        const std::int64_t d_r = static_cast<std::int64_t>(fr * static_cast<double>(d_s));
        const nm::NormalizedMatrix t = make(n_s, d_s, onehot ? n_r / 5 : n_r, onehot ? d_r * 50 : d_r, onehot, gen);
        Eigen::VectorXd y(n_s);
        for (std::int64_t i = 0; i < n_s; ++i) y(i) = gen() % 2;
        const Plan plan = make_plan(t, PlanOptions{});
        const double tf = time_logreg(NormalizedDataMatrix(t), y);
        PlanOptions never;
        never.mode = FactorizeMode::Never;
        const double tm = time_logreg(NormalizedDataMatrix(apply_plan(t, make_plan(t, never))), y);
        const bool rule = plan.tables[0].rule_factorize, cost = plan.tables[0].cost_factorize;
        const double best = std::min(tf, tm);
        const double rule_loss = (rule ? tf : tm) / best - 1, cost_loss = (cost ? tf : tm) / best - 1;
        worst_rule = std::max(worst_rule, rule_loss);
        worst_cost = std::max(worst_cost, cost_loss);
        sum_rule += rule_loss, sum_cost += cost_loss, ++cells;
        rule_wrong += rule != (tf < tm), cost_wrong += cost != (tf < tm);
        std::printf("%-7s %5.0f %5.1f %9.4f %9.4f %7.2fx %5s %5s %8.1f%% %8.1f%%\n", onehot ? "one-hot" : "dense",
                    static_cast<double>(n_s) / static_cast<double>(onehot ? n_r / 5 : n_r), fr, tf, tm, tm / tf,
                    rule ? "F" : "M", cost ? "F" : "M", rule_loss * 100, cost_loss * 100);
        std::fflush(stdout);
      }
    }
  }
  std::printf(
      "summary over %d cells: rule picks the slower plan in %d (worst loss %.1f%%, mean %.1f%%); cost model in %d "
      "(worst %.1f%%, mean %.1f%%)\n",
      cells, rule_wrong, worst_rule * 100, sum_rule / cells * 100, cost_wrong, worst_cost * 100,
      sum_cost / cells * 100);
  return 0;
}
