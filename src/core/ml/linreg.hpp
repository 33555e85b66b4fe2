// Linear regression over a DataMatrix: normal equations (crossprod + pseudo-inverse) or gradient descent.
// Objective: 0.5 * mean((T w - y)^2) + 0.5 * l2 * |w|^2.
#pragma once
#include "core/no_postgres.hpp"

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
};

// Largest eigenvalue of T'T / n by power iteration through times/transpose_times (used for step sizes).
double estimate_curvature(const DataMatrix& t, int iterations = 20);

LinregResult linreg(const DataMatrix& t, const Vec& y, const LinregOptions& options, Progress& progress);

}  // namespace morpheus::ml
