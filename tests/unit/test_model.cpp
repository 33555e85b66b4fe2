// The model object (core/model): validation of the encoding, and prediction of every kind against independent
// computations: hand-written dot products and sigmoids, brute-force nearest centers, brute-force non-negative least
// squares over every active set, a hand forward pass of a tiny network and the training code's own forward pass
// (core/sweep), and DRACO's glm_predict on the same weights.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

#include "core/draco/draco.hpp"
#include "core/errors.hpp"
#include "core/model/model.hpp"
#include "core/model/predict.hpp"
#include "core/random.hpp"
#include "core/sweep/mlp.hpp"

using namespace morpheus;
using model::Kind;
using model::Model;
using model::Predictor;

namespace {

Model linear(Kind kind, const std::string& family, std::vector<double> params, std::vector<std::string> classes = {}) {
  Model m;
  m.kind = kind;
  m.family = family;
  m.features = {"a", "b"};
  m.intercept = true;
  m.classes = std::move(classes);
  m.shape = {static_cast<std::int64_t>(params.size() / 3), 3};
  m.parameters = std::move(params);
  return m;
}

ErrorKind kind_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.kind();
  }
  return ErrorKind::Internal;
}

}  // namespace

TEST(Model, LinearAndLogisticPredictions) {
  const double x[2] = {2.0, -1.0};
  const Predictor lin(linear(Kind::Linreg, "least_squares", {0.5, 3.0, -1.0}));
  const auto p = lin.predict(x);
  EXPECT_TRUE(p.has_value);
  EXPECT_DOUBLE_EQ(p.value, 0.5 * 2 + 3.0 * -1 - 1.0);
  EXPECT_FALSE(p.has_probability);

  const Predictor log(linear(Kind::Logreg, "logistic", {0.5, 3.0, 1.2}, {"-1", "1"}));
  const auto q = log.predict(x);
  const double eta = 0.5 * 2 - 3.0 + 1.2;
  EXPECT_NEAR(q.probability, 1 / (1 + std::exp(-eta)), 1e-15);
  EXPECT_EQ(q.class_index, 0);  // eta = -0.8 < 0
  EXPECT_EQ(q.value, -1);       // the class in the training coding

  const Predictor boolean(linear(Kind::Logreg, "logistic", {0.5, 3.0, 3.2}, {"false", "true"}));
  EXPECT_EQ(boolean.predict(x).value, 1);

  const Predictor poisson(linear(Kind::Glm, "poisson", {0.1, 0.2, 0.3}));
  EXPECT_NEAR(poisson.predict(x).value, std::exp(0.2 - 0.2 + 0.3), 1e-15);
}

TEST(Model, GlmLayoutAgreesWithDraco) {
  Rng rng(3);
  const std::int64_t p = 3, k = 4;
  std::vector<double> w(static_cast<size_t>(k * (p + 1)));
  for (double& v : w) v = rng.normal();
  std::vector<double> x(static_cast<size_t>(p));
  for (double& v : x) v = rng.normal();
  for (auto [family, model, classes] :
       {std::tuple{glm::Family::LeastSquares, draco::Model::LeastSquares, std::int64_t{1}},
        std::tuple{glm::Family::Logistic, draco::Model::Logistic, std::int64_t{1}},
        std::tuple{glm::Family::Poisson, draco::Model::Poisson, std::int64_t{1}},
        std::tuple{glm::Family::Softmax, draco::Model::Softmax, k}}) {
    std::vector<double> wk(w.begin(), w.begin() + classes * (p + 1));
    const Predictor pr(model::model_from_glm(family, p, classes, wk, {}));
    draco::Glm g;
    g.model = model;
    g.features = p;
    g.classes = classes;
    const double expected = draco::glm_predict(g, x.data(), wk.data());
    const auto r = pr.predict(x.data());
    if (family == glm::Family::Logistic)
      EXPECT_DOUBLE_EQ(r.probability, expected);  // DRACO predicts P(y = 1)
    else
      EXPECT_DOUBLE_EQ(r.value, expected) << glm::family_name(family);
  }
}

TEST(Model, SoftmaxProbabilities) {
  Model m = linear(Kind::Glm, "softmax", {1, 0, 0, 0, 1, 0, 0, 0, 0.5}, {"0", "1", "2"});
  const Predictor pr(m);
  const double x[2] = {0.2, 0.9};
  const auto r = pr.predict(x);
  const double e[3] = {0.2, 0.9, 0.5};
  const double z = std::exp(e[0]) + std::exp(e[1]) + std::exp(e[2]);
  EXPECT_EQ(r.class_index, 1);
  EXPECT_EQ(r.value, 1);
  EXPECT_NEAR(r.probability, std::exp(0.9) / z, 1e-15);
}

TEST(Model, KmeansNearestCenterByBruteForce) {
  Model m;
  m.kind = Kind::Kmeans;
  m.features = {"u", "v"};
  m.shape = {3, 2};
  m.parameters = {0, 0, 4, 0, 0, 4};
  const Predictor pr(m);
  Rng rng(5);
  for (int t = 0; t < 200; ++t) {
    const double x[2] = {rng.uniform(-2, 6), rng.uniform(-2, 6)};
    int best = 0;
    double bd = std::numeric_limits<double>::infinity();
    for (int c = 0; c < 3; ++c) {
      const double d = std::hypot(x[0] - m.parameters[2 * c], x[1] - m.parameters[2 * c + 1]);
      if (d < bd) bd = d, best = c;
    }
    EXPECT_EQ(pr.predict(x).cluster, best + 1);
  }
  const double tie[2] = {2, 0};  // equidistant from centers 1 and 2: the lowest wins
  EXPECT_EQ(pr.predict(tie).cluster, 1);
}

TEST(Model, NnlsMatchesBruteForceOverActiveSets) {
  Rng rng(11);
  for (int trial = 0; trial < 60; ++trial) {
    const int d = 6, r = 1 + trial % 4;
    Eigen::MatrixXd h(d, r);
    Eigen::VectorXd x(d);
    for (int i = 0; i < d; ++i) {
      x(i) = rng.normal();
      for (int j = 0; j < r; ++j) h(i, j) = rng.uniform();
    }
    const Eigen::VectorXd z = model::nnls(h.transpose() * h, h.transpose() * x);
    // brute force: the best feasible unconstrained solution over every support
    double best = std::numeric_limits<double>::infinity();
    for (int mask = 0; mask < (1 << r); ++mask) {
      Eigen::VectorXd cand = Eigen::VectorXd::Zero(r);
      std::vector<int> idx;
      for (int j = 0; j < r; ++j)
        if (mask & (1 << j)) idx.push_back(j);
      if (!idx.empty()) {
        Eigen::MatrixXd hs(d, static_cast<Eigen::Index>(idx.size()));
        for (size_t a = 0; a < idx.size(); ++a) hs.col(static_cast<Eigen::Index>(a)) = h.col(idx[a]);
        const Eigen::VectorXd s = hs.colPivHouseholderQr().solve(x);
        if (s.minCoeff() < 0) continue;
        for (size_t a = 0; a < idx.size(); ++a) cand(idx[a]) = s(static_cast<Eigen::Index>(a));
      }
      best = std::min(best, (x - h * cand).squaredNorm());
    }
    EXPECT_GE(z.minCoeff(), 0);
    EXPECT_NEAR((x - h * z).squaredNorm(), best, 1e-10 * (1 + best)) << "trial " << trial;
  }
}

TEST(Model, GnmfProjection) {
  Model m;
  m.kind = Kind::Gnmf;
  m.features = {"a", "b", "c"};
  m.shape = {3, 2};
  m.parameters = {1, 0, 0, 1, 1, 1};  // H = [[1,0],[0,1],[1,1]]
  const Predictor pr(m);
  const double x[3] = {2, 3, 5};  // exactly H (2, 3)
  const auto r = pr.predict(x);
  ASSERT_TRUE(r.has_projection);
  EXPECT_NEAR(r.projection[0], 2, 1e-12);
  EXPECT_NEAR(r.projection[1], 3, 1e-12);
  EXPECT_FALSE(r.has_value);
  const double neg[3] = {-1, -1, -2};  // the best non-negative projection is 0
  const auto z = pr.predict(neg);
  EXPECT_EQ(z.projection[0], 0);
  EXPECT_EQ(z.projection[1], 0);
}

TEST(Model, MlpForwardByHand) {
  // 2 inputs -> 2 hidden (ReLU) -> 2 outputs; w[l] is out x in row-major, then b[l]
  const std::vector<double> flat = {1,   -1,   0.5, 2,  // w0
                                    0.1, -0.2,          // b0
                                    1,   1,    -1,  2,  // w1
                                    0,   0.3};          // b1
  const Model m = model::model_from_mlp({2, 2, 2}, false, flat, {});
  const Predictor pr(m);
  const double x[2] = {0.3, 0.1};
  const double h0 = std::max(0.0, 1 * 0.3 - 1 * 0.1 + 0.1), h1 = std::max(0.0, 0.5 * 0.3 + 2 * 0.1 - 0.2);
  const double o0 = h0 + h1, o1 = -h0 + 2 * h1 + 0.3;
  const auto r = pr.predict(x);
  EXPECT_EQ(r.class_index, o1 > o0 ? 1 : 0);
  const double pc = std::exp(o1 > o0 ? o1 : o0) / (std::exp(o0) + std::exp(o1));
  EXPECT_NEAR(r.probability, pc, 1e-15);
}

TEST(Model, MlpAndResnetForwardAgreeWithTheTrainingCode) {
  for (auto family : {sweep::Family::Mlp, sweep::Family::Resnet}) {
    sweep::Arch arch;
    arch.inputs = 3;
    arch.outputs = 4;
    arch.depth = 5;
    arch.width = 6;
    arch.family = family;
    const sweep::Network net(arch, 9);
    std::vector<std::int64_t> layers = {3, 6, 6, 6, 6, 6, 4};
    const Eigen::VectorXd flat = net.flat();
    const Predictor pr(model::model_from_mlp(layers, family == sweep::Family::Resnet,
                                             std::vector<double>(flat.data(), flat.data() + flat.size()), {}));
    RowMatrix x(8, 3);
    Rng rng(4);
    for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = rng.normal();
    std::vector<int> y(8);
    for (int i = 0; i < 8; ++i) y[static_cast<size_t>(i)] = i % 4;
    sweep::Pass pass;
    const double loss = pass.forward(net, x, y.data(), sweep::LossKind::CrossEntropy);
    // the summed cross-entropy from our forward pass's scores, and the rows classified correctly
    double ours = 0;
    std::int64_t correct = 0;
    for (int i = 0; i < 8; ++i) {
      const auto r = pr.predict(x.row(i).data());
      ASSERT_EQ(r.scores.size(), 4u);
      ours += glm::log_sum_exp(r.scores.data(), 4) - r.scores[static_cast<size_t>(y[static_cast<size_t>(i)])];
      correct += r.class_index == y[static_cast<size_t>(i)] ? 1 : 0;
    }
    EXPECT_NEAR(ours, loss, 1e-12 * (1 + loss));
    EXPECT_EQ(correct, pass.correct());
  }
}

TEST(Model, ValidationRejectsInconsistentValues) {
  Model m = linear(Kind::Linreg, "least_squares", {1, 2, 3});
  EXPECT_NO_THROW(model::validate(m));
  Model bad = m;
  bad.parameters.pop_back();
  EXPECT_EQ(kind_of([&] { model::validate(bad); }), ErrorKind::InvalidParameter);
  bad = m;
  bad.parameters[0] = std::nan("");
  EXPECT_EQ(kind_of([&] { model::validate(bad); }), ErrorKind::InvalidParameter);
  bad = m;
  bad.family = "logistic";
  EXPECT_EQ(kind_of([&] { model::validate(bad); }), ErrorKind::InvalidParameter);
  bad = m;
  bad.intercept = false;  // a non-zero intercept parameter
  EXPECT_EQ(kind_of([&] { model::validate(bad); }), ErrorKind::InvalidParameter);
  bad = m;
  bad.shape = {1, 4};
  EXPECT_EQ(kind_of([&] { model::validate(bad); }), ErrorKind::InvalidParameter);
  EXPECT_EQ(kind_of([] { model::parse_kind("svm"); }), ErrorKind::InvalidParameter);
  const Model lr = linear(Kind::Logreg, "logistic", {1, 2, 3}, {"0"});
  EXPECT_EQ(kind_of([&] { model::validate(lr); }), ErrorKind::InvalidParameter);
  // an overflowing prediction is 22003, never returned
  const Predictor huge(linear(Kind::Glm, "poisson", {1000, 0, 0}));
  const double x[2] = {1, 0};
  EXPECT_EQ(kind_of([&] { huge.predict(x); }), ErrorKind::OutOfRange);
}

TEST(Model, JsonIsValidAndRoundTripsNumbers) {
  model::Json j;
  j.add("a", 0.1).add("b", std::nan("")).add("s", "q\"uote\\\n").add("v", std::vector<double>{1.5, INFINITY});
  j.add("n", std::int64_t{7}).add("t", true).add_null("z").add("l", std::vector<std::string>{"x", "y"});
  EXPECT_EQ(j.str(),
            "{\"a\": 0.1, \"b\": null, \"s\": \"q\\\"uote\\\\\\n\", \"v\": [1.5, null], \"n\": 7, \"t\": true, "
            "\"z\": null, \"l\": [\"x\", \"y\"]}");
  for (double v : {0.1, 1.0 / 3, 1e-300, 123456789.123456789, -2.5e17})
    EXPECT_EQ(std::strtod(model::Json::number(v).c_str(), nullptr), v);
}
