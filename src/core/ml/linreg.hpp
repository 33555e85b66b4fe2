// Linear regression over a DataMatrix: normal equations (crossprod + pseudo-inverse) or gradient descent.
// Objective: 0.5 * mean((T w - y)^2) + 0.5 * l2 * |w|^2.
#pragma once
#include "core/no_postgres.hpp"

#include <functional>

#include "core/ml/data_matrix.hpp"
#include "core/ml/trace.hpp"
#include "core/progress.hpp"

namespace morpheus::ml {

enum class LinregMethod { Normal, GradientDescent };

struct LinregOptions {
  LinregMethod method = LinregMethod::Normal;
  int max_iterations = 1000;  // gradient descent only
  double learning_rate = -1;  // gradient descent; <= 0 picks 1/L from a power-iteration estimate of L
  double tolerance = 1e-10;   // gradient descent stops when |grad| <= tolerance * (1 + |grad_0|)
  double l2 = 0;              // ridge penalty
};

struct LinregResult {
  Vec weights;
  Trace trace;
  // false when gradient descent stopped at max_iterations before |grad| <= tolerance * (1 + |grad_0|); the normal
  // equations are solved directly (true).
  bool converged = true;
  double final_grad_norm = 0;  // |grad| at the returned weights (gradient descent)
  // The normal method's T'T and T'y (unscaled), kept for fit statistics; empty after gradient descent.
  Mat gram;
  Vec rhs;
};

// Largest eigenvalue of T'T / n by power iteration through times/transpose_times (used for step sizes).
double estimate_curvature(const DataMatrix& t, int iterations = 20);
// The same power iteration over any product v -> T'T v (d columns, n rows).
double power_iteration(const std::function<Vec(const Vec&)>& gram_times, Index d, Index n, int iterations = 20);

// What linreg reads from the data (T, y). Every call is one pass over the rows: the in-memory implementation wraps
// a DataMatrix and y; a streaming one (stream.hpp) reads the rows in batches with memory independent of n.
class LeastSquaresPasses {
 public:
  virtual ~LeastSquaresPasses() = default;
  // Number of rows n (known after the first pass) and columns d.
  virtual Index rows() = 0;
  virtual Index cols() const = 0;
  // T'T and T'y.
  virtual void normal_equations(Mat& gram, Vec& rhs) = 0;
  // |T w - y|^2, and T'(T w - y) in gradient.
  virtual double residual(const Vec& w, Vec& gradient) = 0;
  // estimate_curvature of T (largest eigenvalue of T'T / n).
  virtual double curvature() = 0;
};

LinregResult linreg(const DataMatrix& t, const Vec& y, const LinregOptions& options, Progress& progress);
LinregResult linreg(LeastSquaresPasses& data, const LinregOptions& options, Progress& progress);

}  // namespace morpheus::ml
