// Width/batch sweep core against independent computations: closed-form parameter counts (and the reference table),
// a loop-based forward pass, central finite differences, per-sample gradients from one-row passes, the definition of
// gradient diversity, and the sweep's bookkeeping.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "core/errors.hpp"
#include "core/sweep/mlp.hpp"

using namespace morpheus::sweep;
using morpheus::RowMatrix;
using morpheus::Vector;

namespace {

morpheus::ErrorKind kind_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const morpheus::Error& e) {
    return e.kind();
  }
  return morpheus::ErrorKind::Internal;
}

// Gaussian blobs: class k centred at 2 e_(k mod d), seeded.
Dataset blobs(std::int64_t n, std::int64_t d, int classes, std::uint64_t seed, double spread = 1.0) {
  Rng rng(seed);
  Dataset data;
  data.classes = classes;
  data.x.resize(n, d);
  data.y.resize(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    const int k = static_cast<int>(i % classes);
    data.y[static_cast<std::size_t>(i)] = k;
    for (std::int64_t j = 0; j < d; ++j) data.x(i, j) = spread * rng.normal() + (j == k % d ? 2.0 : 0.0);
  }
  return data;
}

// Mean loss by explicit loops, independent of the GEMM code (skips as documented in mlp.hpp).
double naive_loss(const Network& net, const Dataset& data, LossKind loss) {
  const Arch& a = net.arch();
  double total = 0;
  for (std::int64_t i = 0; i < data.rows(); ++i) {
    std::vector<std::vector<double>> h(static_cast<std::size_t>(a.depth + 1));
    h[0].assign(data.x.row(i).data(), data.x.row(i).data() + a.inputs);
    for (std::int64_t j = 1; j <= a.depth; ++j) {
      const RowMatrix& w = net.w[static_cast<std::size_t>(j - 1)];
      h[j].assign(static_cast<std::size_t>(a.width), 0.0);
      for (std::int64_t r = 0; r < w.rows(); ++r) {
        double s = net.b[static_cast<std::size_t>(j - 1)](r);
        for (std::int64_t c = 0; c < w.cols(); ++c) s += w(r, c) * h[j - 1][static_cast<std::size_t>(c)];
        if (a.family == Family::Resnet && j >= 3 && j % 2 == 1)
          s = a.residual_scale * s + h[j - 2][static_cast<std::size_t>(r)];
        h[j][static_cast<std::size_t>(r)] = a.family == Family::Linear || s > 0 ? s : 0;
      }
    }
    const RowMatrix& w = net.w.back();
    std::vector<double> o(static_cast<std::size_t>(a.outputs));
    for (std::int64_t r = 0; r < w.rows(); ++r) {
      double s = net.b.back()(r);
      for (std::int64_t c = 0; c < w.cols(); ++c) s += w(r, c) * h[a.depth][static_cast<std::size_t>(c)];
      o[static_cast<std::size_t>(r)] = s;
    }
    const int y = data.y[static_cast<std::size_t>(i)];
    if (loss == LossKind::CrossEntropy) {
      double z = 0;
      for (double v : o) z += std::exp(v);
      total += std::log(z) - o[static_cast<std::size_t>(y)];
    } else {
      for (std::size_t r = 0; r < o.size(); ++r) {
        const double e = o[r] - (static_cast<int>(r) == y ? 1.0 : 0.0);
        total += 0.5 * e * e;
      }
    }
  }
  return total / static_cast<double>(data.rows());
}

Vector batch_gradient(const Network& net, const Dataset& data, LossKind loss, Vector* per_sample = nullptr) {
  Pass pass;
  Gradient g;
  g.reset(net);
  pass.forward(net, data.x, data.y.data(), loss);
  pass.backward(net, &g, per_sample);
  return g.flat();
}

Dataset row_of(const Dataset& data, std::int64_t i) {
  Dataset one;
  one.classes = data.classes;
  one.x = data.x.middleRows(i, 1);
  one.y = {data.y[static_cast<std::size_t>(i)]};
  return one;
}

// Every architecture variant: plain, residual (unscaled and scaled branch) and deep linear.
struct Variant {
  Family family;
  double alpha;
};
const Variant kVariants[] = {{Family::Mlp, 1.0}, {Family::Resnet, 1.0}, {Family::Resnet, 0.3}, {Family::Linear, 1.0}};

}  // namespace

TEST(SweepParams, ClosedFormMatchesLayerCount) {
  for (std::int64_t L : {1, 2, 3, 5})
    for (std::int64_t K : {1, 3, 17}) {
      Network net(Arch{7, 4, L, K, Family::Resnet}, 1);
      EXPECT_EQ(param_count(7, 4, L, K), net.parameters()) << L << " " << K;
      EXPECT_EQ(net.flat().size(), net.parameters());
    }
}

TEST(SweepParams, ReferenceTableMnist) {
  // Parallels reference section 6: d = 784, c = 10; "K used" and parameter counts.
  EXPECT_EQ(param_count(784, 10, 1, 1000), 795010);
  EXPECT_EQ(param_count(784, 10, 2, 578), 794182);
  EXPECT_EQ(param_count(784, 10, 3, 462), 795112);
  EXPECT_EQ(param_count(784, 10, 4, 399), 796015);
  EXPECT_EQ(param_count(784, 10, 6, 327), 796255);
  EXPECT_EQ(param_count(784, 10, 8, 285), 797155);
}

TEST(SweepParams, WidthSolverLandsWithinBudget) {
  for (std::int64_t budget : {795010, 100000, 12345, 200000})
    for (std::int64_t L : {1, 2, 3, 4, 6, 8}) {
      const std::int64_t k = width_for_budget(784, 10, L, budget);
      EXPECT_LE(param_count(784, 10, L, k), budget);
      EXPECT_GT(param_count(784, 10, L, k + 1), budget);
    }
  EXPECT_EQ(width_for_budget(784, 10, 1, 795010), 1000);
  EXPECT_EQ(width_for_budget(784, 10, 2, 795010), 578);
  // Width 1 at depth 3 needs 784 + 1 + 2 * 2 + 10 + 10 = 809 parameters.
  EXPECT_EQ(param_count(784, 10, 3, 1), 809);
  EXPECT_EQ(width_for_budget(784, 10, 3, 809), 1);
  EXPECT_EQ(kind_of([] { width_for_budget(784, 10, 3, 808); }), morpheus::ErrorKind::InvalidParameter);
  EXPECT_EQ(kind_of([] { width_for_budget(784, 10, 0, 1000); }), morpheus::ErrorKind::InvalidParameter);
}

TEST(SweepParams, ParsesChoices) {
  EXPECT_EQ(parse_family("mlp"), Family::Mlp);
  EXPECT_EQ(parse_family("resnet"), Family::Resnet);
  EXPECT_EQ(parse_family("linear"), Family::Linear);
  EXPECT_EQ(parse_loss("squared"), LossKind::Squared);
  EXPECT_EQ(parse_init("pytorch"), Init::Torch);
  EXPECT_EQ(kind_of([] { parse_family("cnn"); }), morpheus::ErrorKind::InvalidParameter);
  EXPECT_EQ(kind_of([] { parse_init("xavier"); }), morpheus::ErrorKind::InvalidParameter);
  try {
    parse_family("cnn");
  } catch (const morpheus::Error& e) {
    EXPECT_STREQ(e.what(), "unknown architecture \"cnn\"");
    EXPECT_EQ(e.hint(), "valid values: mlp, resnet, linear");
  }
  EXPECT_EQ(kind_of([] {
              validate_arch(Arch{4, 3, 3, 5, Family::Resnet, 0.0});
            }),
            morpheus::ErrorKind::InvalidParameter);
  EXPECT_EQ(kind_of([] { parse_loss("hinge"); }), morpheus::ErrorKind::InvalidParameter);
  EXPECT_EQ(kind_of([] { validate_arch(Arch{784, 10, 2, 50000, Family::Mlp}); }), morpheus::ErrorKind::LimitExceeded);
}

TEST(SweepGradient, ForwardMatchesLoops) {
  const Dataset data = blobs(13, 5, 3, 3);
  for (const Variant& v : kVariants)
    for (LossKind l : {LossKind::CrossEntropy, LossKind::Squared}) {
      Network net(Arch{5, 3, 5, 6, v.family, v.alpha}, 11);
      const Evaluation e = evaluate(net, data, l);
      EXPECT_NEAR(e.loss, naive_loss(net, data, l), 1e-12 * (1 + e.loss));
    }
}

TEST(SweepGradient, MatchesFiniteDifferences) {
  const Dataset data = blobs(9, 4, 3, 5);
  for (const Variant& v : kVariants)
    for (LossKind l : {LossKind::CrossEntropy, LossKind::Squared}) {
      const Family f = v.family;
      // PyTorch's initialization draws nonzero biases; He's are zero, so set them.
      Network net(Arch{4, 3, 5, 5, f, v.alpha}, 21, l == LossKind::Squared ? Init::Torch : Init::He);
      if (l == LossKind::CrossEntropy)
        for (auto& b : net.b) b.setConstant(0.05);  // nonzero biases are part of the test
      const Vector g = batch_gradient(net, data, l) / static_cast<double>(data.rows());  // gradient of the mean
      const Vector p0 = net.flat();
      const double h = 1e-6;
      double worst = 0;
      for (std::int64_t k = 0; k < p0.size(); ++k) {
        Vector p = p0;
        p(k) += h;
        net.set_flat(p);
        const double up = naive_loss(net, data, l);
        p(k) -= 2 * h;
        net.set_flat(p);
        const double down = naive_loss(net, data, l);
        worst = std::max(worst, std::abs((up - down) / (2 * h) - g(k)));
      }
      net.set_flat(p0);
      EXPECT_LT(worst, 1e-7) << family_name(f) << " alpha " << v.alpha << " " << loss_name(l);
    }
}

TEST(SweepGradient, PerSampleNormsMatchPerSampleLoop) {
  const Dataset data = blobs(17, 6, 4, 7);
  for (const Variant& v : kVariants) {
    Network net(Arch{6, 4, 5, 7, v.family, v.alpha}, 9);
    for (auto& b : net.b) b.setConstant(-0.02);
    Vector sq;
    const Vector total = batch_gradient(net, data, LossKind::CrossEntropy, &sq);
    Vector sum = Vector::Zero(total.size());
    for (std::int64_t i = 0; i < data.rows(); ++i) {
      const Vector gi = batch_gradient(net, row_of(data, i), LossKind::CrossEntropy);
      EXPECT_NEAR(sq(i), gi.squaredNorm(), 1e-10 * (1 + gi.squaredNorm()));
      sum += gi;
    }
    EXPECT_LT((sum - total).norm(), 1e-10 * (1 + total.norm()));
  }
}

TEST(SweepDiversity, MatchesDefinition) {
  const Dataset data = blobs(23, 4, 3, 13);
  for (Family f : {Family::Mlp, Family::Resnet}) {
    Network net(Arch{4, 3, 3, 5, f}, 17);
    double sum_sq = 0;
    Vector sum = Vector::Zero(net.parameters());
    for (std::int64_t i = 0; i < data.rows(); ++i) {
      // Gradient of the mean loss: g_i / n.
      const Vector gi = batch_gradient(net, row_of(data, i), LossKind::Squared) / static_cast<double>(data.rows());
      sum_sq += gi.squaredNorm();
      sum += gi;
    }
    const double delta = sum_sq / sum.squaredNorm();
    const Diversity d = gradient_diversity(net, data, LossKind::Squared);
    EXPECT_EQ(d.rows, 23);
    EXPECT_NEAR(d.diversity, delta, 1e-10 * delta);
    EXPECT_NEAR(d.batch_size_bound, 23 * delta, 1e-9 * delta);
    EXPECT_GE(d.batch_size_bound, 1.0 - 1e-12);  // Cauchy-Schwarz
    EXPECT_LE(d.diversity, 1.0 + 1e-12);         // plug-in B_S <= n unless gradients cancel
  }
}

TEST(SweepDiversity, SampleEstimate) {
  const Dataset data = blobs(40, 4, 3, 19);
  Network net(Arch{4, 3, 2, 6, Family::Mlp}, 23);
  const Diversity d = gradient_diversity(net, data, LossKind::CrossEntropy, 12, 5);
  EXPECT_EQ(d.rows, 12);
  // Recompute from the same sample: the rows are the first 12 of the seeded permutation.
  Rng rng(5);
  std::vector<std::int64_t> idx(40);
  for (int i = 0; i < 40; ++i) idx[static_cast<std::size_t>(i)] = i;
  rng.shuffle(idx.begin(), idx.end());
  double sum_sq = 0;
  Vector sum = Vector::Zero(net.parameters());
  for (int k = 0; k < 12; ++k) {
    const Vector gi = batch_gradient(net, row_of(data, idx[static_cast<std::size_t>(k)]), LossKind::CrossEntropy);
    sum_sq += gi.squaredNorm();
    sum += gi;
  }
  EXPECT_NEAR(d.batch_size_bound, 12 * sum_sq / sum.squaredNorm(), 1e-9 * d.batch_size_bound);
  const double unbiased = 11 * sum_sq / (sum.squaredNorm() - sum_sq);
  if (sum.squaredNorm() > sum_sq) {
    EXPECT_NEAR(d.unbiased_bound, unbiased, 1e-9 * std::abs(unbiased));
  } else {
    EXPECT_TRUE(std::isnan(d.unbiased_bound));
  }
}

TEST(SweepTrain, ReachesTargetAndCountsIterations) {
  const Dataset data = blobs(200, 6, 3, 29, 0.5);
  Network net(Arch{6, 3, 2, 16, Family::Mlp}, 31);
  TrainOptions opt;
  opt.batch_size = 16;
  opt.learning_rate = 0.1;
  opt.max_epochs = 20;
  opt.target_loss = 0.1;
  const TrainResult r = train(net, data, opt);
  ASSERT_TRUE(r.reached);
  EXPECT_FALSE(r.diverged);
  EXPECT_LE(r.final_loss, 0.1);
  EXPECT_LT(r.curve.back().loss, r.curve.front().loss);
  EXPECT_NEAR(r.iterations_to_target, r.epochs_to_target * 200 / 16.0, 1e-9);
  // The crossing lies between the last two evaluations.
  const CurvePoint& last = r.curve.back();
  const CurvePoint& prev = r.curve[r.curve.size() - 2];
  EXPECT_LE(r.iterations_to_target, static_cast<double>(last.iteration) + 1e-9);
  EXPECT_GE(r.iterations_to_target, static_cast<double>(prev.iteration) - 1e-9);
  EXPECT_GT(prev.loss, 0.1);
  // Evaluations every quarter epoch: 50 samples = 3.125 batches, so iterations 4, 7, 10, 13 ...
  EXPECT_EQ(r.curve[1].iteration, 4);
  EXPECT_EQ(r.curve[2].iteration, 7);
  EXPECT_DOUBLE_EQ(r.curve[1].epoch, 4 * 16 / 200.0);
}

TEST(SweepTrain, ReproduciblePerSeed) {
  const Dataset data = blobs(120, 5, 3, 37);
  TrainOptions opt;
  opt.batch_size = 10;
  opt.learning_rate = 0.05;
  opt.max_epochs = 3;
  auto run = [&](std::uint64_t init_seed, std::uint64_t order_seed) {
    Network net(Arch{5, 3, 3, 8, Family::Resnet}, init_seed);
    TrainOptions o = opt;
    o.seed = order_seed;
    return train(net, data, o);
  };
  const TrainResult a = run(1, 2), b = run(1, 2), c = run(1, 3), d = run(4, 2);
  ASSERT_EQ(a.curve.size(), b.curve.size());
  for (std::size_t i = 0; i < a.curve.size(); ++i) EXPECT_EQ(a.curve[i].loss, b.curve[i].loss);
  EXPECT_NE(a.curve.back().loss, c.curve.back().loss);
  EXPECT_NE(a.curve.back().loss, d.curve.back().loss);
}

TEST(SweepTrain, StopAfterEpochsKeepsTheSchedule) {
  const Dataset data = blobs(200, 6, 3, 29, 0.5);
  TrainOptions opt;
  opt.batch_size = 16;
  opt.learning_rate = 0.1;
  opt.max_epochs = 20;
  opt.target_loss = 0.1;
  Network a(Arch{6, 3, 2, 16, Family::Mlp}, 31);
  const TrainResult full = train(a, data, opt);
  ASSERT_TRUE(full.reached);
  // A cut after the crossing changes nothing; a cut before it stops unreached at the first evaluation past the cut.
  Network b(Arch{6, 3, 2, 16, Family::Mlp}, 31);
  opt.stop_after_epochs = full.epochs_to_target + 0.3;
  const TrainResult late = train(b, data, opt);
  EXPECT_TRUE(late.reached);
  EXPECT_EQ(late.epochs_to_target, full.epochs_to_target);
  Network c(Arch{6, 3, 2, 16, Family::Mlp}, 31);
  opt.stop_after_epochs = 0.6;
  const TrainResult early = train(c, data, opt);
  EXPECT_FALSE(early.reached);
  EXPECT_GE(early.curve.back().epoch, 0.6);
  EXPECT_LT(early.curve[early.curve.size() - 2].epoch, 0.6);
  for (std::size_t i = 0; i < early.curve.size(); ++i) EXPECT_EQ(early.curve[i].loss, full.curve[i].loss);
}

TEST(SweepTrain, DivergenceIsReported) {
  const Dataset data = blobs(60, 4, 3, 41);
  Network net(Arch{4, 3, 3, 8, Family::Mlp}, 43);
  TrainOptions opt;
  opt.batch_size = 60;
  opt.learning_rate = 1e6;
  opt.max_epochs = 20;
  opt.loss = LossKind::Squared;
  const TrainResult r = train(net, data, opt);
  EXPECT_TRUE(r.diverged);
  EXPECT_FALSE(r.reached);
}

TEST(SweepTrain, RejectsBadOptions) {
  const Dataset data = blobs(30, 4, 3, 41);
  Network net(Arch{4, 3, 1, 4, Family::Mlp}, 1);
  TrainOptions opt;
  opt.batch_size = 31;
  EXPECT_EQ(kind_of([&] { train(net, data, opt); }), morpheus::ErrorKind::InvalidParameter);
  opt.batch_size = 0;
  EXPECT_EQ(kind_of([&] { train(net, data, opt); }), morpheus::ErrorKind::InvalidParameter);
  opt.batch_size = 4;
  opt.learning_rate = -1;
  EXPECT_EQ(kind_of([&] { train(net, data, opt); }), morpheus::ErrorKind::InvalidParameter);
  Dataset bad = data;
  bad.y[7] = 3;
  EXPECT_EQ(kind_of([&] { validate_dataset(bad); }), morpheus::ErrorKind::InvalidParameter);
}

TEST(SweepSynthetic, SeededAndShaped) {
  const Dataset a = synthetic_classification(300, 4, 3, 0.0, 9);
  const Dataset b = synthetic_classification(300, 4, 3, 0.0, 9);
  const Dataset c = synthetic_classification(300, 4, 3, 0.5, 9);
  EXPECT_EQ(a.x, b.x);
  EXPECT_EQ(a.y, b.y);
  EXPECT_EQ(a.y[4], 1);
  // spread 0: every row equals its class centre, so rows i and i + 3 coincide; with noise they do not.
  EXPECT_EQ(a.x.row(4), a.x.row(7));
  EXPECT_NE(c.x.row(4), c.x.row(7));
  // Noise around the same centres: class means of c are close to the centres (300/3 rows, sd 0.5/10).
  for (int k = 0; k < 3; ++k) {
    Vector mean = Vector::Zero(4);
    for (int i = k; i < 300; i += 3) mean += c.x.row(i).transpose();
    mean /= 100.0;
    EXPECT_LT((mean - a.x.row(k).transpose()).cwiseAbs().maxCoeff(), 0.25);
  }
  EXPECT_EQ(kind_of([] { synthetic_classification(0, 4, 3, 1, 1); }), morpheus::ErrorKind::InvalidParameter);
  EXPECT_EQ(kind_of([] { synthetic_classification(10, 4, 1, 1, 1); }), morpheus::ErrorKind::InvalidParameter);
  EXPECT_EQ(kind_of([] { synthetic_classification(10, 4, 3, -1, 1); }), morpheus::ErrorKind::InvalidParameter);
  EXPECT_EQ(kind_of([] { synthetic_classification(100000000, 4, 3, 1, 1); }), morpheus::ErrorKind::LimitExceeded);
}

TEST(SweepRng, IsTheExtensionsGenerator) {
  Rng a(17);
  morpheus::Rng b(17);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(a.next(), b());
  EXPECT_EQ(a.normal(), b.normal());
  std::vector<std::int64_t> v = {0, 1, 2, 3, 4, 5, 6, 7}, w = v;
  a.shuffle(v);
  b.shuffle(w.begin(), w.end());
  EXPECT_EQ(v, w);
}
