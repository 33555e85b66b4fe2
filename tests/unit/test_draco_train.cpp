// DRACO training: the weights under attack equal adversary-free training; the mean breaks; inconsistency skips
// the step; bad options.
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
    o.model = dr::Model::Softmax;
    o.workers = rule == dr::Rule::Repetition ? 10 : 9;
    o.tolerance = 2;
    o.rule = rule;
    o.batch_size = 90;
    o.iterations = 15;
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
  o.model = dr::Model::Logistic;
  o.workers = 7;
  o.adversaries = 1;
  o.batch_size = 140;
  o.iterations = 30;
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
  o.tolerance = 1;
  o.attack = dr::Attack::Gaussian;
  o.batch_size = 70;
  o.iterations = 4;
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
  o.batch_size = 51;
  EXPECT_EQ(kind_of([&] { dr::prepare_training(o, d); }), morpheus::ErrorKind::InvalidParameter);
  o = dr::TrainOptions();
  o.batch_size = 40;
  o.learning_rate = -1;
  EXPECT_EQ(kind_of([&] { dr::prepare_training(o, d); }), morpheus::ErrorKind::InvalidParameter);
  dr::Dataset empty{ConstRowMap(nullptr, 0, 3), nullptr};
  EXPECT_EQ(kind_of([&] { dr::prepare_training(dr::TrainOptions(), empty); }), morpheus::ErrorKind::InvalidParameter);
}
