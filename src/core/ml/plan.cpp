#include "core/ml/plan.hpp"

#include <algorithm>
#include <chrono>
#include <limits>
#include <random>

#include "core/interrupt.hpp"

namespace morpheus::ml {
namespace {

template <class F>
double best_seconds(F&& f, int reps) {
  double best = std::numeric_limits<double>::infinity();
  for (int r = 0; r < reps; ++r) {
    const auto a = std::chrono::steady_clock::now();
    f();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - a).count());
  }
  return best;
}

CostConstants measure() {
  CostConstants c;
  std::mt19937 gen(7);
  std::uniform_real_distribution<double> u(0, 1);
  volatile double sink = 0;
  {  // dense row-major block times a vector
    RowMatrix b = RowMatrix::NullaryExpr(4000, 64, [&] { return u(gen); });
    Eigen::VectorXd x = Eigen::VectorXd::Ones(64), y(4000);
    c.dense_entry = best_seconds(
                        [&] {
                          y.noalias() = b * x;
                          sink = sink + y(0);
                        },
                        5) /
                    static_cast<double>(b.size());
  }
  {  // CSR block (5 stored entries per row) times a vector
    std::vector<Eigen::Triplet<double, int>> trip;
    std::uniform_int_distribution<int> col(0, 4999);
    for (int r = 0; r < 40000; ++r)
      for (int k = 0; k < 5; ++k) trip.emplace_back(r, col(gen), 1.0);
    nm::SparseMatrix s(40000, 5000);
    s.setFromTriplets(trip.begin(), trip.end());
    Eigen::VectorXd x = Eigen::VectorXd::Ones(5000), y(40000);
    c.sparse_entry = best_seconds(
                         [&] {
                           y.noalias() = s * x;
                           sink = sink + y(0);
                         },
                         5) /
                     static_cast<double>(s.nonZeros());
  }
  {  // gather through a key: y[i] = v[key[i]]
    std::uniform_int_distribution<int> key(0, 9999);
    std::vector<int> k(200000);
    for (auto& v : k) v = key(gen);
    Eigen::VectorXd v = Eigen::VectorXd::Ones(10000), y(200000);
    c.gather_row = best_seconds(
                       [&] {
                         for (size_t i = 0; i < k.size(); ++i) y(static_cast<Eigen::Index>(i)) = v(k[i]);
                         sink = sink + y(0);
                       },
                       5) /
                   static_cast<double>(k.size());
  }
  c.measured = true;
  return c;
}

double entry_cost(const nm::Block& b, const CostConstants& c) { return b.is_sparse() ? c.sparse_entry : c.dense_entry; }

// Gathers the rows of block b through index (one row per entry): the materialized K R.
nm::Block gather(const nm::Block& b, const nm::IndexVec& index) {
  const auto n = static_cast<Eigen::Index>(index.size());
  if (!b.is_sparse()) {
    RowMatrix out(n, b.cols());
    for (Eigen::Index i = 0; i < n; ++i) {
      if (i % 65536 == 0) check_interrupts();
      out.row(i) = b.dense().row(index[static_cast<size_t>(i)]);
    }
    return nm::Block(std::move(out));
  }
  const nm::SparseMap s = b.sparse();
  std::int64_t nnz = 0;
  for (std::int32_t r : index) nnz += s.outerIndexPtr()[r + 1] - s.outerIndexPtr()[r];
  nm::check_value_size(12.0 * static_cast<double>(nnz), "materialized attribute table");
  nm::SparseMatrix out(n, s.cols());
  std::vector<Eigen::Triplet<double, int>> trip;
  trip.reserve(static_cast<size_t>(nnz));
  for (Eigen::Index i = 0; i < n; ++i) {
    if (i % 65536 == 0) check_interrupts();
    for (nm::SparseMap::InnerIterator it(s, index[static_cast<size_t>(i)]); it; ++it)
      trip.emplace_back(static_cast<int>(i), static_cast<int>(it.col()), it.value());
  }
  out.setFromTriplets(trip.begin(), trip.end());
  return nm::Block(std::move(out));
}

}  // namespace

const CostConstants& calibrated_constants() {
  static const CostConstants constants = measure();
  return constants;
}

bool Plan::any_factorized() const {
  return std::any_of(tables.begin(), tables.end(), [](const TableDecision& d) { return d.factorize; });
}

bool Plan::all_factorized() const {
  return std::all_of(tables.begin(), tables.end(), [](const TableDecision& d) { return d.factorize; });
}

Plan make_plan(const nm::NormalizedMatrix& t, const PlanOptions& o, const CostConstants& c) {
  Plan plan;
  const auto& parts = t.parts();
  const double n = static_cast<double>(t.base_rows());
  plan.many_to_many = !parts.empty() && !parts[0].identity;
  // Stored entries per row of the entity block (0 without one, or for M:N).
  const double s_per_row = plan.many_to_many ? 0.0 : static_cast<double>(parts[0].block.stored()) / n;
  for (size_t k = plan.many_to_many ? 0 : 1; k < parts.size(); ++k) {
    const nm::Block& b = parts[k].block;
    if (parts[k].identity) continue;  // already materialized
    TableDecision d{};
    d.table = static_cast<int>(plan.many_to_many ? k + 1 : k);
    const double rows = static_cast<double>(b.rows());
    const double per_row = static_cast<double>(b.stored()) / rows;
    d.tuple_ratio = n / rows;
    d.feature_ratio = s_per_row > 0 ? per_row / s_per_row : std::numeric_limits<double>::infinity();
    d.sparsity = b.cols() > 0 ? static_cast<double>(b.stored()) / (rows * static_cast<double>(b.cols())) : 1.0;
    const double d_s = plan.many_to_many ? 0.0 : static_cast<double>(parts[0].block.cols());
    const double width = o.gram ? static_cast<double>(b.cols()) / 2 + d_s : 1.0;
    const double keys = o.gram ? d_s + 1 : 1.0;
    d.factorized_cost = static_cast<double>(b.stored()) * entry_cost(b, c) * width + n * c.gather_row * keys;
    d.materialized_cost = n * per_row * entry_cost(b, c) * width;
    d.rule_factorize = d.tuple_ratio >= o.tuple_ratio_min && d.feature_ratio >= o.feature_ratio_min;
    d.cost_factorize = d.factorized_cost < d.materialized_cost;
    switch (o.mode) {
      case FactorizeMode::Always: d.factorize = true; break;
      case FactorizeMode::Never: d.factorize = false; break;
      case FactorizeMode::Auto: d.factorize = o.model == PlanModel::Rule ? d.rule_factorize : d.cost_factorize; break;
    }
    plan.tables.push_back(d);
  }
  if (plan.many_to_many && o.mode == FactorizeMode::Auto) {
    // Both sides of an M:N join go together: factorize when the whole pass is predicted cheaper (cost model) or
    // when every side passes the rule.
    double f = 0, m = 0;
    bool rule = true;
    for (const auto& d : plan.tables) f += d.factorized_cost, m += d.materialized_cost, rule = rule && d.rule_factorize;
    const bool together = o.model == PlanModel::Rule ? rule : f < m;
    for (auto& d : plan.tables) d.factorize = together;
  }
  return plan;
}

nm::NormalizedMatrix apply_plan(const nm::NormalizedMatrix& t, const Plan& plan) {
  if (plan.all_factorized()) return t;
  nm::NormalizedMatrix out = t;
  auto& parts = out.parts();
  size_t next = 0;
  for (size_t k = 0; k < parts.size(); ++k) {
    if (parts[k].identity) continue;
    const TableDecision& d = plan.tables[next++];
    if (d.factorize) continue;
    parts[k].block = gather(parts[k].block, parts[k].index);
    parts[k].index.clear();
    parts[k].identity = true;
  }
  return out;
}

}  // namespace morpheus::ml
