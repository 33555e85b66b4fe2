// Factorize or materialize? Per attribute table of a PK-FK / star normalized matrix:
// - the reference's rule: factorize table i iff TR_i = n_S / n_Ri >= tau and FR_i >= rho, with FR measured in stored
//   entries per row (nnz(R_i)/n_Ri over nnz(S)/n_S; infinite when S stores nothing), so that one-hot data is judged
//   by its non-zeros rather than its column count;
// - a cost model calibrated on this machine: estimated seconds of one pass (T x or x T) with the table factorized
//   (its block once, plus the gather/scatter through the key) versus materialized (its entries repeated n_S times),
//   from measured per-entry costs of dense and sparse kernels and of the key gather.
// A table that is not factorized is folded into the entity block (S <- [S, K_i R_i]), so every operator still runs
// through the same code; "materialize everything" folds every table. An M:N matrix is all-or-nothing.
#pragma once
#include "core/no_postgres.hpp"

#include <string>
#include <vector>

#include "core/nmatrix/nmatrix.hpp"

namespace morpheus::ml {

enum class FactorizeMode { Auto, Always, Never };
enum class PlanModel { Rule, Cost };

struct PlanOptions {
  FactorizeMode mode = FactorizeMode::Auto;
  PlanModel model = PlanModel::Cost;
  double tuple_ratio_min = 5;
  double feature_ratio_min = 1;
  // crossprod-like operation (crossprod, ginv): work per stored entry grows with the width, d_Ri / 2 + d_S, and the
  // key is applied d_S + 1 times; otherwise one pass (T x, x T, aggregates, the ML algorithms' iterations).
  bool gram = false;
};

// Seconds per unit of work, measured on this machine (see calibrate()).
struct CostConstants {
  double dense_entry = 1e-9;   // one multiply-add over a dense row-major block
  double sparse_entry = 3e-9;  // one multiply-add over a CSR block
  double gather_row = 2e-9;    // one key lookup in a gather or scatter
  bool measured = false;
};

// Measures the constants with small in-memory kernels (about 20 ms) and caches them for the process.
const CostConstants& calibrated_constants();

struct TableDecision {
  int table;                 // 1-based attribute table
  double tuple_ratio;        // n_S / n_Ri
  double feature_ratio;      // stored entries per row of R_i over stored entries per row of S
  double sparsity;           // fraction of R_i's entries that are stored (1 for dense)
  double factorized_cost;    // estimated seconds of one pass, factorized
  double materialized_cost;  // estimated seconds of one pass, materialized
  bool rule_factorize;
  bool cost_factorize;
  bool factorize;  // the decision under the options
};

struct Plan {
  bool many_to_many = false;
  std::vector<TableDecision> tables;
  bool any_factorized() const;
  bool all_factorized() const;
};

Plan make_plan(const nm::NormalizedMatrix& t, const PlanOptions& options,
               const CostConstants& constants = calibrated_constants());

// The matrix the plan executes: tables not factorized are folded into the entity block. The logical value (and the
// transpose flag) is unchanged.
nm::NormalizedMatrix apply_plan(const nm::NormalizedMatrix& t, const Plan& plan);

// Per part of t: true where the plan does not factorize it (the materialized plan). The ML passes run such parts
// row by row through the join (nm::KernelOptions::streamed) instead of gathering them.
std::vector<bool> materialized_parts(const nm::NormalizedMatrix& t, const Plan& plan);
// t with the parts marked in `which` gathered into identity parts (K R built): the logical value is unchanged.
nm::NormalizedMatrix materialize_parts(const nm::NormalizedMatrix& t, const std::vector<bool>& which);

}  // namespace morpheus::ml
