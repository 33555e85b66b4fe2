// Models from DRACO and the sweep networks (core/model/sources): each model's predictions against the trainers' own
// forward code (draco::Mlp::logits, sweep::forward_outputs) or hand-written linear predictors, so a layout mismatch
// between a trainer and the model (block order, missing intercepts, the residual scale) shows as a wrong score.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <vector>

#include "core/draco/draco.hpp"
#include "core/draco/mlp.hpp"
#include "core/errors.hpp"
#include "core/model/predict.hpp"
#include "core/model/sources.hpp"
#include "core/random.hpp"
#include "core/sweep/mlp.hpp"

using namespace morpheus;
using model::Predictor;

namespace {

RowMatrix random_rows(Eigen::Index n, Eigen::Index d, std::uint64_t seed) {
  RowMatrix x(n, d);
  Rng rng(seed);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = rng.normal();
  return x;
}

std::vector<double> random_vector(std::size_t n, std::uint64_t seed) {
  std::vector<double> v(n);
  Rng rng(seed);
  for (double& e : v) e = rng.normal();
  return v;
}

}  // namespace

TEST(ModelSources, DracoMlpGivesDracosOwnLogits) {
  const draco::Mlp net({5, 7, 4, 3});
  // random weights and biases (the initial biases are zero, which would hide a bias misplaced in the layout)
  const std::vector<double> w = random_vector(static_cast<std::size_t>(net.params()), 11);
  const Predictor pr(model::model_from_draco(draco::Family::Mlp, true, {7, 4}, 5, 3, w, {}));
  EXPECT_EQ(pr.model().shape, (std::vector<std::int64_t>{5, 7, 4, 3}));
  const RowMatrix x = random_rows(9, 5, 12);
  RowMatrix logits;
  net.logits(ConstRowMap(x.data(), x.rows(), x.cols()), w.data(), logits);
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    const auto r = pr.predict(x.row(i).data());
    ASSERT_EQ(r.scores.size(), 3u);
    for (int c = 0; c < 3; ++c) EXPECT_NEAR(r.scores[static_cast<std::size_t>(c)], logits(i, c), 1e-12);
    Eigen::Index best = 0;
    logits.row(i).maxCoeff(&best);
    EXPECT_EQ(r.class_index, best);
  }
}

TEST(ModelSources, DracoGlmsWithAndWithoutIntercept) {
  const RowMatrix x = random_rows(6, 4, 21);
  for (bool intercept : {true, false}) {
    // logistic: P = sigmoid(x'w + b), by hand
    const std::vector<double> w = random_vector(intercept ? 5 : 4, 22);
    const model::Model lm = model::model_from_draco(draco::Family::Logistic, intercept, {}, 4, 1, w, {});
    EXPECT_EQ(lm.intercept, intercept);
    EXPECT_EQ(lm.parameters.size(), 5u);
    EXPECT_EQ(lm.parameters[4], intercept ? w[4] : 0.0);
    const Predictor lp(lm);
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
      double eta = intercept ? w[4] : 0.0;
      for (int j = 0; j < 4; ++j) eta += x(i, j) * w[static_cast<std::size_t>(j)];
      EXPECT_NEAR(lp.predict(x.row(i).data()).probability, 1 / (1 + std::exp(-eta)), 1e-14);
    }
    // softmax with 3 classes: block c holds [w_c1 .. w_c4 (, b_c)]
    const std::int64_t block = intercept ? 5 : 4;
    const std::vector<double> ws = random_vector(static_cast<std::size_t>(3 * block), 23);
    const Predictor sp(model::model_from_draco(draco::Family::Softmax, intercept, {}, 4, 3, ws, {}));
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
      const auto r = sp.predict(x.row(i).data());
      ASSERT_EQ(r.scores.size(), 3u);
      for (int c = 0; c < 3; ++c) {
        double eta = intercept ? ws[static_cast<std::size_t>(c * block + 4)] : 0.0;
        for (int j = 0; j < 4; ++j) eta += x(i, j) * ws[static_cast<std::size_t>(c * block + j)];
        EXPECT_NEAR(r.scores[static_cast<std::size_t>(c)], eta, 1e-14);
      }
    }
    // poisson: exp(eta)
    const Predictor pp(model::model_from_draco(draco::Family::Poisson, intercept, {}, 4, 1, w, {}));
    double eta = intercept ? w[4] : 0.0;
    for (int j = 0; j < 4; ++j) eta += x(0, j) * w[static_cast<std::size_t>(j)];
    EXPECT_NEAR(pp.predict(x.row(0).data()).value, std::exp(eta), 1e-13 * std::exp(eta));
  }
  // a weight count that does not fit the layout is an internal error, never a wrong model
  try {
    model::model_from_draco(draco::Family::Logistic, true, {}, 4, 1, std::vector<double>(4, 0.0), {});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Internal);
  }
}

TEST(ModelSources, SweepNetworksGiveTheTrainingCodesOutputs) {
  for (auto family : {sweep::Family::Mlp, sweep::Family::Resnet, sweep::Family::Linear}) {
    for (double alpha : {1.0, 0.37}) {
      sweep::Arch arch;
      arch.inputs = 3;
      arch.outputs = 4;
      arch.depth = 5;
      arch.width = 6;
      arch.family = family;
      arch.residual_scale = alpha;
      sweep::Network net(arch, 9, sweep::Init::Torch);  // non-zero biases
      const model::Model m = model::model_from_network(net, {});
      EXPECT_EQ(m.family, sweep::family_name(family));
      const Predictor pr(m);
      const RowMatrix x = random_rows(8, 3, 31);
      const RowMatrix out = sweep::forward_outputs(net, x);
      for (Eigen::Index i = 0; i < x.rows(); ++i) {
        const auto r = pr.predict(x.row(i).data());
        ASSERT_EQ(r.scores.size(), 4u);
        for (int c = 0; c < 4; ++c)
          EXPECT_NEAR(r.scores[static_cast<std::size_t>(c)], out(i, c), 1e-12 * (1 + std::abs(out(i, c))))
              << sweep::family_name(family) << " alpha " << alpha;
      }
    }
  }
}
