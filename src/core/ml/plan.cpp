#include "core/ml/plan.hpp"

#include <algorithm>
#include <chrono>
#include <limits>

#include "core/interrupt.hpp"
#include "core/nmatrix/kernels.hpp"
#include "core/random.hpp"

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

// Seconds per unit of work of the kernels the passes run (core/nmatrix/kernels.hpp), one thread, one column.
CostConstants measure() {
  CostConstants c;
  Rng gen(7);
  volatile double sink = 0;
  auto lmm_seconds = [&](const nm::NormalizedMatrix& t) {
    nm::Kernels k(t);
    std::vector<double> x(static_cast<size_t>(t.base_cols()), 1.0), y(static_cast<size_t>(t.base_rows()));
    return best_seconds(
        [&] {
          k.lmm(x.data(), 1, y.data());
          sink = sink + y[0];
        },
        5);
  };
  {  // dense row-major entity block: one multiply-add per entry
    RowMatrix b(4000, 64);
    for (Eigen::Index i = 0; i < b.size(); ++i) b.data()[i] = gen.uniform();
    c.dense_entry = lmm_seconds(nm::NormalizedMatrix::from_entity(nm::Block(std::move(b)))) / (4000.0 * 64);
  }
  {  // CSR entity block, 5 stored entries per row (valued)
    std::vector<std::int64_t> ri, ci;
    std::vector<double> v;
    for (int r = 0; r < 40000; ++r)
      for (int k = 0; k < 5; ++k)
        ri.push_back(r), ci.push_back(static_cast<std::int64_t>(gen.below(5000))), v.push_back(0.5);
    c.sparse_entry =
        lmm_seconds(nm::NormalizedMatrix::from_entity(nm::sparse_block(40000, 5000, ri, ci, v, "calibration"))) /
        static_cast<double>(ri.size());
  }
  {  // key gather: 200,000 entity rows through a key into a one-column table of 10,000 rows
    std::vector<std::int32_t> key(200000);
    for (auto& k : key) k = static_cast<std::int32_t>(gen.below(10000));
    RowMatrix r(10000, 1);
    r.setOnes();
    nm::NormalizedMatrix t = nm::NormalizedMatrix::with_rows(200000);
    t.join(std::move(key), nm::Block(std::move(r)));
    c.gather_row = std::max(0.0, lmm_seconds(t) - 10000 * c.dense_entry) / 200000.0;
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

std::vector<bool> materialized_parts(const nm::NormalizedMatrix& t, const Plan& plan) {
  std::vector<bool> out(t.parts().size(), false);
  size_t next = 0;
  for (size_t k = 0; k < t.parts().size(); ++k) {
    if (t.parts()[k].identity) continue;
    if (next < plan.tables.size() && !plan.tables[next].factorize) out[k] = true;
    ++next;
  }
  return out;
}

nm::NormalizedMatrix materialize_parts(const nm::NormalizedMatrix& t, const std::vector<bool>& which) {
  nm::NormalizedMatrix out = t;
  auto& parts = out.parts();
  for (size_t k = 0; k < parts.size() && k < which.size(); ++k) {
    if (parts[k].identity || !which[k]) continue;
    parts[k].block = gather(parts[k].block, parts[k].index);
    parts[k].index.clear();
    parts[k].identity = true;
  }
  return out;
}

nm::NormalizedMatrix apply_plan(const nm::NormalizedMatrix& t, const Plan& plan) {
  if (plan.all_factorized()) return t;
  return materialize_parts(t, materialized_parts(t, plan));
}

}  // namespace morpheus::ml
