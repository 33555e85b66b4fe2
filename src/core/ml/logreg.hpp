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
  // true when |grad| <= tolerance * (1 + |grad_0|) at the returned weights, or when no step along the search
  // direction lowers the loss (optimal to the precision of the loss); false when max_iterations ran out first.
  bool converged = false;
  double final_grad_norm = 0;  // |grad| (with the l2 term) at the returned weights
};

// Maps 0/1 or -1/+1 labels to -1/+1; any other value (or NaN) is an error naming its position.
Vec logistic_labels(const Vec& y);

// Objective at w (margins = T w), exposed for tests.
double logistic_objective(const Vec& margins, const Vec& ypm, const Vec& w, double l2);

// What logreg reads from the data (T, labels). The in-memory implementation keeps the margins T w and T d; a
// streaming one (stream.hpp) makes each call one fused pass over the rows (loss and gradient together) and keeps
// no vector of length n. Losses and gradients are means over the rows, without the l2 term.
class LogisticPasses {
 public:
  virtual ~LogisticPasses() = default;
  virtual Index rows() = 0;  // known after the first pass
  virtual Index cols() const = 0;
  // Loss at w = 0, and its gradient.
  virtual double start(Vec& gradient) = 0;
  // The line search that follows starts at w (the last point accepted) along direction.
  virtual void set_line(const Vec& w, const Vec& direction) = 0;
  // Loss at w_new = w + a * direction.
  virtual double line_loss(double a, const Vec& w_new) = 0;
  // Moves to w_new = w + a * direction (a was the last argument of line_loss) and returns the gradient there.
  virtual Vec accept(double a, const Vec& w_new) = 0;
  // estimate_curvature of T.
  virtual double curvature() = 0;
};

// Per row with label y (+-1, or 0 for -1) and margin m: the loss log(1 + exp(-y m)) and its derivative in m, the GLM
// module's logistic row loss and slope (core/glm).
double logistic_row_loss(double y, double m);
double logistic_row_slope(double y, double m);

LogregResult logreg(const DataMatrix& t, const Vec& y, const LogregOptions& options, Progress& progress);
LogregResult logreg(LogisticPasses& data, const LogregOptions& options, Progress& progress);

}  // namespace morpheus::ml
