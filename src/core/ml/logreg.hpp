// Logistic regression over a DataMatrix with the true logistic-loss gradient.
// Labels are 0/1 or -1/+1 (mapped to -1/+1). Objective: mean(log(1 + exp(-y o (T w)))) + 0.5 * l2 * |w|^2.
// Solvers: gradient descent (step 1/L, L = curvature bound) and L-BFGS with a backtracking (Armijo) line search,
// which converges in a few tens of passes. Both use only T w and T' p, so they factorize. Both stop when the
// gradient is small or when the line search finds no step that lowers the loss (optimal to rounding).
#pragma once
#include "core/no_postgres.hpp"

#include "core/ml/data_matrix.hpp"
#include "core/ml/trace.hpp"
#include "core/progress.hpp"

namespace morpheus::ml {

enum class LogregMethod { GradientDescent, Lbfgs };

struct LogregOptions {
  LogregMethod method = LogregMethod::Lbfgs;
  int max_iterations = 100;
  double learning_rate = -1;  // gradient descent; <= 0 picks 1/L with L = lambda_max(T'T)/(4n) + l2
  double tolerance = 1e-8;    // stop when |grad| <= tolerance * (1 + |grad_0|)
  double l2 = 0;
  int memory = 10;  // L-BFGS history
};

struct LogregResult {
  Vec weights;
  Trace trace;
};

// Maps 0/1 or -1/+1 labels to -1/+1; any other value (or NaN) is an error naming its position.
Vec logistic_labels(const Vec& y);

// Objective and gradient at w (margins = T w), exposed for tests.
double logistic_objective(const Vec& margins, const Vec& ypm, const Vec& w, double l2);

LogregResult logreg(const DataMatrix& t, const Vec& y, const LogregOptions& options, Progress& progress);

}  // namespace morpheus::ml
