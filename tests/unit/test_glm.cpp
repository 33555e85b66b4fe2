// The GLM module (core/glm): family parsing through the one option parser, per-row losses against textbook formulas,
// derivatives against central differences, stability at extreme linear predictors, and label coding.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "core/errors.hpp"
#include "core/glm/glm.hpp"

using namespace morpheus;
using glm::Family;

TEST(Glm, FamiliesParseThroughTheOptionParser) {
  EXPECT_EQ(glm::parse_family("least_squares"), Family::LeastSquares);
  EXPECT_EQ(glm::parse_family("poisson"), Family::Poisson);
  EXPECT_STREQ(glm::family_name(Family::Softmax), "softmax");
  EXPECT_EQ(glm::family_list(), "least_squares, logistic, softmax, poisson");
  try {
    glm::parse_family("linear");
    FAIL() << "linear is no family";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidParameter);
    EXPECT_STREQ(e.what(), "unknown family \"linear\"");
    EXPECT_EQ(e.hint(), "valid values: least_squares, logistic, softmax, poisson");
  }
  try {
    glm::parse_scalar_family("softmax");
    FAIL() << "softmax is not scalar";
  } catch (const Error& e) {
    EXPECT_EQ(e.hint(), "valid values: least_squares, logistic, poisson");
  }
}

TEST(Glm, RowLossesMatchTextbookFormulas) {
  for (double eta : {-3.0, -0.4, 0.0, 0.7, 2.5}) {
    EXPECT_NEAR(glm::row_loss(Family::LeastSquares, eta, 1.5), 0.5 * (eta - 1.5) * (eta - 1.5), 1e-15);
    const double p = 1 / (1 + std::exp(-eta));
    // negative log-likelihood of a Bernoulli(p)
    EXPECT_NEAR(glm::row_loss(Family::Logistic, eta, 1), -std::log(p), 1e-14);
    EXPECT_NEAR(glm::row_loss(Family::Logistic, eta, 0), -std::log(1 - p), 1e-14);
    EXPECT_EQ(glm::row_loss(Family::Logistic, eta, -1), glm::row_loss(Family::Logistic, eta, 0));
    // Poisson negative log-likelihood without log(y!)
    EXPECT_NEAR(glm::row_loss(Family::Poisson, eta, 3), std::exp(eta) - 3 * eta, 1e-13);
    EXPECT_NEAR(glm::mean(Family::Logistic, eta), p, 1e-15);
    EXPECT_NEAR(glm::mean(Family::Poisson, eta), std::exp(eta), 1e-13);
    EXPECT_EQ(glm::mean(Family::LeastSquares, eta), eta);
  }
}

TEST(Glm, SlopesAreDerivativesOfTheLosses) {
  const double h = 1e-6;
  for (Family f : {Family::LeastSquares, Family::Logistic, Family::Poisson})
    for (double y : {0.0, 1.0, 2.0})
      for (double eta : {-2.0, -0.3, 0.5, 1.7}) {
        if (f == Family::Logistic && y > 1) continue;
        const double fd = (glm::row_loss(f, eta + h, y) - glm::row_loss(f, eta - h, y)) / (2 * h);
        EXPECT_NEAR(glm::row_slope(f, eta, y), fd, 1e-7) << glm::family_name(f) << " y=" << y << " eta=" << eta;
      }
}

TEST(Glm, LogisticIsStableAtExtremePredictors) {
  // log(1 + e^-40) = e^-40 to double precision: no cancellation, no overflow at +-800
  EXPECT_NEAR(glm::row_loss(Family::Logistic, 40, 1) / std::exp(-40.0), 1.0, 1e-12);
  EXPECT_NEAR(glm::row_loss(Family::Logistic, -40, 0) / std::exp(-40.0), 1.0, 1e-12);
  EXPECT_EQ(glm::row_loss(Family::Logistic, 800, 0), 800);
  EXPECT_EQ(glm::row_loss(Family::Logistic, -800, 1), 800);
  EXPECT_TRUE(std::isfinite(glm::row_slope(Family::Logistic, -800, 1)));
  EXPECT_EQ(glm::sigmoid(-800), 0);
  EXPECT_EQ(glm::sigmoid(800), 1);
}

TEST(Glm, SoftmaxLossProbabilitiesAndSlopes) {
  const double eta[3] = {0.2, -1.0, 0.7};
  double p[3], slope[3];
  glm::softmax_probabilities(eta, 3, p);
  const double z = std::exp(0.2) + std::exp(-1.0) + std::exp(0.7);
  EXPECT_NEAR(p[0], std::exp(0.2) / z, 1e-15);
  EXPECT_NEAR(p[0] + p[1] + p[2], 1.0, 1e-15);
  EXPECT_NEAR(glm::softmax_loss(eta, 3, 2, slope), std::log(z) - 0.7, 1e-15);
  const double h = 1e-6;
  for (int c = 0; c < 3; ++c) {
    double up[3] = {eta[0], eta[1], eta[2]}, down[3] = {eta[0], eta[1], eta[2]};
    up[c] += h;
    down[c] -= h;
    const double fd = (glm::softmax_loss(up, 3, 2, nullptr) - glm::softmax_loss(down, 3, 2, nullptr)) / (2 * h);
    EXPECT_NEAR(slope[c], fd, 1e-8);
  }
  const double big[2] = {1000, 999};
  EXPECT_NEAR(glm::softmax_loss(big, 2, 1, nullptr), std::log1p(std::exp(1.0)), 1e-12);
  EXPECT_EQ(glm::argmax(eta, 3), 2);
}

TEST(Glm, LabelCodings) {
  glm::BinaryCoding c{};
  const double zero_one[] = {0, 1, 1};
  glm::check_labels(Family::Logistic, zero_one, 3, "y", &c);
  EXPECT_EQ(c, glm::BinaryCoding::ZeroOne);
  const double pm[] = {-1, 1, 1};
  glm::check_labels(Family::Logistic, pm, 3, "y", &c);
  EXPECT_EQ(c, glm::BinaryCoding::PlusMinusOne);
  EXPECT_STREQ(glm::negative_class(c), "-1");
  glm::check_labels(Family::Logistic, zero_one, 3, "y", &c, true);
  EXPECT_EQ(c, glm::BinaryCoding::Boolean);
  EXPECT_STREQ(glm::positive_class(c), "true");
  const double mixed[] = {0, -1, 1};
  try {
    glm::check_labels(Family::Logistic, mixed, 3, "column \"y\"");
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "column \"y\" mixes 0 (row 1) and -1 (row 2) labels");
  }
  const double two[] = {0, 2};
  try {
    glm::check_labels(Family::Logistic, two, 2, "y");
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "y is 2 in row 2, not a binary label");
    EXPECT_EQ(e.kind(), ErrorKind::InvalidParameter);
  }
  const double classes[] = {0, 3, 1};
  EXPECT_EQ(glm::check_labels(Family::Softmax, classes, 3, "y"), 4);
  const double frac[] = {0.5};
  EXPECT_THROW(glm::check_labels(Family::Softmax, frac, 1, "y"), Error);
  const double neg[] = {-1};
  EXPECT_THROW(glm::check_labels(Family::Poisson, neg, 1, "y"), Error);
  const double inf[] = {INFINITY};
  EXPECT_THROW(glm::check_labels(Family::LeastSquares, inf, 1, "y"), Error);
  EXPECT_EQ(glm::label_problem(Family::LeastSquares, -7), nullptr);
}
