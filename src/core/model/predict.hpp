// Scoring a model (model.hpp): one feature vector at a time, with the model decoded and checked once (a Predictor
// is built per model value and reused for every row).
//   linreg, glm least_squares   value = eta = x'w + b
//   glm poisson                 value = e^eta (the mean)
//   logreg, glm logistic        probability = P(positive class) = sigmoid(eta); class = positive when >= 0.5;
//                               value = the class as a number in the training coding (0/1, -1/+1; booleans 0/1)
//   glm softmax, mlp            class = argmax of the scores; probability = its softmax probability (an MLP trained
//                               with the squared loss has no probability); value = the class as a number
//   kmeans                      cluster = the nearest center (1-based; ties: the lowest); value = the cluster
//   gnmf                        projection = argmin_{h >= 0} |x - H h|^2 (non-negative least squares); no value
// A non-finite value or probability is an OutOfRange error (SQLSTATE 22003), never returned.
#pragma once
#include "core/no_postgres.hpp"

#include <Eigen/Dense>
#include <cstdint>
#include <vector>

#include "core/model/model.hpp"

namespace morpheus::model {

struct Prediction {
  bool has_value = false;
  double value = 0;
  bool has_probability = false;
  double probability = 0;
  std::int64_t class_index = -1;  // index into Model::classes, -1 for models without classes
  std::int32_t cluster = 0;       // 1-based, 0 for models without clusters
  bool has_projection = false;
  std::vector<double> projection;
  std::vector<double> scores;  // softmax and mlp: the class scores (linear predictors, network outputs)
};

class Predictor {
 public:
  // Validates the model (model.hpp) and precomputes what scoring needs.
  explicit Predictor(Model m);
  const Model& model() const { return m_; }
  // Number of features a row must have.
  std::int64_t inputs() const { return static_cast<std::int64_t>(m_.features.size()); }
  // Scores the feature vector x (inputs() values, finite: the caller checks).
  Prediction predict(const double* x) const;
  // The numeric value of class c in the training coding ("true" is 1, "false" 0).
  double class_value(std::int64_t c) const { return class_values_[static_cast<size_t>(c)]; }

 private:
  Model m_;
  glm::Family family_ = glm::Family::LeastSquares;
  bool probabilities_ = true;  // mlp: trained with the cross-entropy loss
  std::vector<double> class_values_;
  Eigen::MatrixXd h_;    // gnmf: d x r
  Eigen::MatrixXd hth_;  // gnmf: H'H
  mutable std::vector<double> scratch_;
};

// Non-negative least squares on the normal equations: argmin_{z >= 0} 0.5 z'G z - c'z, i.e. argmin |x - H z|^2 for
// G = H'H and c = H'x (Lawson and Hanson's active-set method; exact in at most a few r steps).
Eigen::VectorXd nnls(const Eigen::MatrixXd& g, const Eigen::VectorXd& c);

}  // namespace morpheus::model
