// DRACO training: the weights under attack equal adversary-free training (GLMs and MLPs, with and without
// momentum); the mean breaks; inconsistency skips the step; per-worker compute times; bad options.
#include "test_draco_util.hpp"

// ---------------------------------------------------------------------------------------------------------------
// Training: the trained weights equal adversary-free training
// ---------------------------------------------------------------------------------------------------------------
namespace {
struct Data {
  RowMatrix x;
  std::vector<double> y;
};
Data make_data(int rows, int p, int classes, unsigned seed) {
  Data d{randn(rows, p, seed), std::vector<double>(rows)};
  const RowMatrix wt = randn(classes, p, seed + 1);
  for (int r = 0; r < rows; ++r) {
    Eigen::Index best;
    (wt * d.x.row(r).transpose()).maxCoeff(&best);
    d.y[r] = classes == 1 ? (d.x.row(r).sum() > 0 ? 1.0 : 0.0) : static_cast<double>(best);
  }
  return d;
}
Vector run(const dr::TrainOptions& o, const Data& data, std::vector<dr::IterationResult>* out = nullptr) {
  dr::Dataset d{view(data.x), data.y.data()};
  if (o.family == dr::Family::Logistic) {
    for (double y : data.y) EXPECT_TRUE(y == 0.0 || y == 1.0);
  }
  Vector w;
  morpheus::NoProgress np;
  dr::train(
      o, d, w,
      [&](const dr::IterationResult& r, const Vector&) {
        if (out) out->push_back(r);
      },
      np);
  return w;
}
}  // namespace

TEST(DracoTrain, WeightsEqualAdversaryFreeTraining) {
  const Data data = make_data(300, 5, 3, 21);
  for (dr::Rule rule : {dr::Rule::Repetition, dr::Rule::Cyclic}) {
    dr::TrainOptions o;
    o.family = dr::Family::Softmax;
    o.workers = rule == dr::Rule::Repetition ? 10 : 9;
    o.max_adversaries = 2;
    o.rule = rule;
    o.batch_size = 10;
    o.max_iterations = 15;
    o.learning_rate = 0.5;
    o.adversaries = 0;
    o.attack = dr::Attack::None;
    const Vector clean = run(o, data);
    for (dr::Attack a : attacks())
      for (int q = 1; q <= 2; ++q) {
        o.adversaries = q;
        o.attack = a;
        std::vector<dr::IterationResult> its;
        const Vector w = run(o, data, &its);
        if (rule == dr::Rule::Repetition) {
          EXPECT_EQ(std::memcmp(w.data(), clean.data(), w.size() * sizeof(double)), 0) << dr::attack_name(a);
          for (const auto& it : its) EXPECT_EQ(it.grad_error, 0.0);
        } else {
          EXPECT_LE((w - clean).norm(), 1e-9 * clean.norm()) << dr::attack_name(a);
        }
        for (const auto& it : its) {
          EXPECT_TRUE(it.consistent);
          EXPECT_EQ(it.flagged, it.adversaries);
        }
      }
  }
}

TEST(DracoTrain, MeanIsBrokenAndDracoLearns) {
  const Data data = make_data(400, 4, 1, 5);
  dr::TrainOptions o;
  o.family = dr::Family::Logistic;
  o.workers = 7;
  o.adversaries = 1;
  o.batch_size = 20;
  o.max_iterations = 30;
  o.learning_rate = 0.5;
  std::vector<dr::IterationResult> mean_its, draco_its;
  o.rule = dr::Rule::Mean;
  run(o, data, &mean_its);
  o.rule = dr::Rule::Cyclic;
  run(o, data, &draco_its);
  EXPECT_GT(draco_its.back().accuracy, 0.9);
  EXPECT_LT(mean_its.back().accuracy, draco_its.back().accuracy);
  EXPECT_GT(mean_its.back().grad_error, 1.0);
  EXPECT_LT(draco_its.back().grad_error, 1e-12);
}

TEST(DracoTrain, InconsistencyIsReportedAndStepSkipped) {
  const Data data = make_data(200, 3, 1, 6);
  dr::TrainOptions o;
  o.workers = 7;
  o.adversaries = 3;
  o.max_adversaries = 1;
  o.attack = dr::Attack::Gaussian;
  o.batch_size = 10;
  o.max_iterations = 4;
  std::vector<dr::IterationResult> its;
  const Vector w = run(o, data, &its);
  for (const auto& it : its) {
    EXPECT_FALSE(it.consistent);
    EXPECT_TRUE(std::isnan(it.grad_error));
  }
  EXPECT_EQ(w.norm(), 0.0);  // no step applied
}

TEST(DracoTrain, BadOptions) {
  const Data data = make_data(50, 3, 1, 6);
  dr::Dataset d{view(data.x), data.y.data()};
  dr::TrainOptions o;
  o.workers = 4;
  o.adversaries = 2;
  EXPECT_EQ(kind_of([&] { dr::prepare_training(o, d); }), morpheus::ErrorKind::InvalidParameter);
  o = dr::TrainOptions();
  o.batch_size = 8;  // 7 x 8 > 50 rows
  EXPECT_EQ(kind_of([&] { dr::prepare_training(o, d); }), morpheus::ErrorKind::InvalidParameter);
  o = dr::TrainOptions();
  o.batch_size = 0;
  EXPECT_EQ(kind_of([&] { dr::prepare_training(o, d); }), morpheus::ErrorKind::InvalidParameter);
  o = dr::TrainOptions();
  o.momentum = 1.0;
  EXPECT_EQ(kind_of([&] { dr::prepare_training(o, d); }), morpheus::ErrorKind::InvalidParameter);
  o = dr::TrainOptions();
  o.median.max_iterations = 0;
  EXPECT_EQ(kind_of([&] { dr::prepare_training(o, d); }), morpheus::ErrorKind::InvalidParameter);
  o = dr::TrainOptions();
  o.family = dr::Family::Mlp;  // no hidden layers
  EXPECT_EQ(kind_of([&] { dr::prepare_training(o, d); }), morpheus::ErrorKind::InvalidParameter);
  o = dr::TrainOptions();
  o.learning_rate = -1;
  EXPECT_EQ(kind_of([&] { dr::prepare_training(o, d); }), morpheus::ErrorKind::InvalidParameter);
  dr::Dataset empty{ConstRowMap(nullptr, 0, 3), nullptr};
  EXPECT_EQ(kind_of([&] { dr::prepare_training(dr::TrainOptions(), empty); }), morpheus::ErrorKind::InvalidParameter);
}

// ---------------------------------------------------------------------------------------------------------------
// MLPs: exact under attack, with plain and momentum SGD
// ---------------------------------------------------------------------------------------------------------------
TEST(DracoTrain, MlpExactUnderAttack) {
  const Data data = make_data(400, 6, 3, 31);
  for (dr::Rule rule : {dr::Rule::Repetition, dr::Rule::Cyclic})
    for (double momentum : {0.0, 0.9}) {
      dr::TrainOptions o;
      o.family = dr::Family::Mlp;
      o.hidden_layers = {8, 5};
      o.workers = rule == dr::Rule::Repetition ? 10 : 11;
      o.max_adversaries = 2;
      o.rule = rule;
      o.batch_size = 4;
      o.max_iterations = 12;
      o.learning_rate = 0.05;
      o.momentum = momentum;
      o.adversaries = 0;
      o.attack = dr::Attack::None;
      std::vector<dr::IterationResult> clean_its;
      const Vector clean = run(o, data, &clean_its);
      ASSERT_EQ(clean.size(), 6 * 8 + 8 + 8 * 5 + 5 + 5 * 3 + 3);
      for (dr::Attack a : attacks()) {
        o.adversaries = 2;
        o.attack = a;
        std::vector<dr::IterationResult> its;
        const Vector w = run(o, data, &its);
        if (rule == dr::Rule::Repetition) {
          EXPECT_EQ(std::memcmp(w.data(), clean.data(), w.size() * sizeof(double)), 0) << dr::attack_name(a);
          for (const auto& it : its) EXPECT_EQ(it.grad_error, 0.0);
        } else {
          EXPECT_LE((w - clean).norm(), 1e-9 * clean.norm()) << dr::attack_name(a);
          for (const auto& it : its) EXPECT_LT(it.grad_error, 1e-9);
        }
        for (std::size_t k = 0; k < its.size(); ++k) {
          EXPECT_TRUE(its[k].consistent);
          EXPECT_EQ(its[k].flagged, its[k].adversaries);
          // the loss is computed before the step: the same weights (bit for bit with repetition)
          if (rule == dr::Rule::Repetition) {
            EXPECT_EQ(its[k].loss, clean_its[k].loss);
          } else {
            EXPECT_NEAR(its[k].loss, clean_its[k].loss, 1e-9 * clean_its[k].loss);
          }
        }
      }
    }
}

TEST(DracoTrain, MomentumIsHeavyBall) {
  // independent recomputation of two steps of heavy-ball SGD on the same batches (the clean run with the mean rule
  // at zero adversaries applies the exact mean gradient up to rounding)
  const Data data = make_data(200, 4, 1, 9);
  dr::TrainOptions o;
  o.workers = 5;
  o.max_adversaries = 0;
  o.adversaries = 0;
  o.attack = dr::Attack::None;
  o.rule = dr::Rule::Mean;
  o.batch_size = 8;
  o.max_iterations = 3;
  o.learning_rate = 0.3;
  o.momentum = 0.5;
  const Vector w3 = run(o, data);
  // replay: the same sampler and learner
  dr::Dataset d{view(data.x), data.y.data()};
  auto learner = dr::prepare_training(o, d);
  dr::BatchSampler sampler(d.rows(), morpheus::Rng::stream(o.seed, 1)());
  Vector w = Vector::Zero(5), v = Vector::Zero(5);
  std::vector<std::vector<std::int64_t>> parts;
  for (int it = 0; it < 3; ++it) {
    sampler.next(5, 8, parts);
    Vector g = Vector::Zero(5);
    for (const auto& p : parts) learner->gradient(d, p.data(), 8, w.data(), g.data());
    v = 0.5 * v + g / 40.0;
    w -= 0.3 * v;
  }
  EXPECT_LT((w - w3).norm(), 1e-12 * w.norm());
}

TEST(DracoTrain, PerWorkerComputeAndMedianIterations) {
  const Data data = make_data(300, 5, 3, 4);
  dr::TrainOptions o;
  o.family = dr::Family::Mlp;
  o.hidden_layers = {6};
  o.workers = 9;
  o.adversaries = 2;
  o.max_adversaries = 2;
  o.batch_size = 5;
  o.max_iterations = 3;
  o.rule = dr::Rule::GeometricMedian;
  o.per_layer = true;
  std::vector<dr::IterationResult> its;
  run(o, data, &its);
  for (const auto& it : its) {
    EXPECT_EQ(it.median_iterations.size(), 4u);  // w[0], b[0], w[1], b[1]
    for (int k : it.median_iterations) EXPECT_GE(k, 1);
    EXPECT_GT(it.compute_ms, 0.0);
    EXPECT_TRUE(std::isnan(it.grad_error) || it.grad_error >= 0);
  }
  o.per_layer = false;
  its.clear();
  run(o, data, &its);
  for (const auto& it : its) EXPECT_EQ(it.median_iterations.size(), 1u);
  o.rule = dr::Rule::Krum;
  its.clear();
  run(o, data, &its);
  for (const auto& it : its) EXPECT_TRUE(it.median_iterations.empty());
}

TEST(DracoTrain, EncodedMessagesAndWorkerTimes) {
  // repetition members send the group's sum; cyclic workers sum_j W[i, j] g_j; worker time = its partitions + encode
  const int n = 9, s = 1;
  const RowMatrix g = randn(n, 6, 3);
  std::vector<double> pms(n);
  for (int j = 0; j < n; ++j) pms[j] = 1.0 + j;
  RowMatrix m;
  std::vector<double> wms;
  dr::encode_messages(dr::Rule::Repetition, s, nullptr, g, pms, m, wms);
  const dr::Messages rep = repetition_messages(n, s, g);
  EXPECT_EQ(m, rep.re);
  for (int i = 0; i < n; ++i) {
    const int g0 = i / 3 * 3;
    EXPECT_GE(wms[i], pms[g0] + pms[g0 + 1] + pms[g0 + 2]);
    EXPECT_LT(wms[i], pms[g0] + pms[g0 + 1] + pms[g0 + 2] + 50.0);  // + a tiny encoding time
  }
  const dr::CyclicCode code(n, s);
  dr::encode_messages(dr::Rule::Cyclic, s, &code, g, pms, m, wms);
  EXPECT_LT((m - cyclic_messages(code, g).re).norm(), 1e-13 * m.norm());
  for (int i = 0; i < n; ++i) EXPECT_GE(wms[i], pms[i] + pms[(i + 1) % n] + pms[(i + 2) % n]);
  dr::encode_messages(dr::Rule::Krum, s, nullptr, g, pms, m, wms);
  EXPECT_EQ(m, g);
  EXPECT_EQ(wms, pms);
  // the clean sum of the repetition code has the decoder's association: bit-identical
  Vector clean;
  dr::clean_sum(dr::Rule::Repetition, s, g, clean);
  const auto dec = dr::decode_repetition(view(rep.re), s);
  EXPECT_EQ(std::memcmp(clean.data(), dec.sum.data(), sizeof(double) * 6), 0);
}
