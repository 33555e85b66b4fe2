// DRACO's fully-connected network: gradients against central finite differences and against the sweep module's
// independent network (same layout), parameter layout and blocks, predictions, limits; the learner interface for
// GLMs without intercept.
#include "core/draco/mlp.hpp"

#include "core/sweep/mlp.hpp"
#include "test_draco_util.hpp"

namespace {
struct Labelled {
  RowMatrix x;
  std::vector<double> y;
  dr::Dataset view() const { return dr::Dataset{ConstRowMap(x.data(), x.rows(), x.cols()), y.data()}; }
};
Labelled labelled(int rows, int p, int classes, unsigned seed) {
  Labelled d{randn(rows, p, seed), std::vector<double>(static_cast<std::size_t>(rows))};
  for (int r = 0; r < rows; ++r) d.y[static_cast<std::size_t>(r)] = (r * 7 + 3) % classes;
  return d;
}
std::vector<std::int64_t> iota_rows(int n) {
  std::vector<std::int64_t> r(static_cast<std::size_t>(n));
  std::iota(r.begin(), r.end(), 0);
  return r;
}
}  // namespace

TEST(DracoMlp, LayoutAndBlocks) {
  const dr::Mlp net({784, 800, 500, 10});
  EXPECT_EQ(net.params(), 800 * 785 + 500 * 801 + 10 * 501);  // 1,033,510: the DRACO paper's network
  ASSERT_EQ(net.blocks().size(), 6u);
  std::int64_t next = 0;
  const char* names[] = {"w[0]", "b[0]", "w[1]", "b[1]", "w[2]", "b[2]"};
  const std::int64_t sizes[] = {800 * 784, 800, 500 * 800, 500, 10 * 500, 10};
  for (std::size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(net.blocks()[i].offset, next);
    EXPECT_EQ(net.blocks()[i].size, sizes[i]);
    EXPECT_EQ(net.blocks()[i].name, names[i]);
    next += sizes[i];
  }
  EXPECT_EQ(next, net.params());
  // He-normal initialization: biases zero, weight spread sqrt(2 / fan_in) (hidden) and sqrt(1 / fan_in) (output)
  const dr::Mlp small({50, 40, 30, 5});
  const Vector w = small.initial(3);
  EXPECT_EQ(w.segment(small.bias_offset(0), 40).norm(), 0.0);
  const auto sd = [&](std::int64_t l, std::int64_t n) {
    return std::sqrt(w.segment(small.weight_offset(l), n).squaredNorm() / static_cast<double>(n));
  };
  EXPECT_NEAR(sd(0, 2000), std::sqrt(2.0 / 50), 0.1 * std::sqrt(2.0 / 50));
  EXPECT_NEAR(sd(2, 150), std::sqrt(1.0 / 30), 0.2 * std::sqrt(1.0 / 30));
  EXPECT_EQ(w, small.initial(3));
  EXPECT_NE(w, small.initial(4));
}

TEST(DracoMlp, GradientMatchesFiniteDifferences) {
  const Labelled data = labelled(9, 5, 3, 11);
  const dr::Dataset d = data.view();
  const auto rows = iota_rows(9);
  for (const auto& sizes : std::vector<std::vector<std::int64_t>>{{5, 4, 3}, {5, 6, 4, 3}, {5, 3, 7, 2, 3}}) {
    const dr::Mlp net(sizes);
    // weights away from ReLU kinks: no pre-activation within the finite-difference step of 0
    const Vector w = net.initial(5) + 0.05 * randn(1, static_cast<int>(net.params()), 6).row(0).transpose();
    Vector g = Vector::Zero(net.params());
    const double loss = net.gradient(d, rows.data(), 9, w.data(), g.data());
    EXPECT_NEAR(loss, net.loss(d, rows.data(), 9, w.data()), 1e-12 * std::abs(loss));
    const double h = 1e-6;
    double worst = 0;
    for (Eigen::Index k = 0; k < net.params(); ++k) {
      Vector wp = w, wm = w;
      wp[k] += h;
      wm[k] -= h;
      const double fd = (net.loss(d, rows.data(), 9, wp.data()) - net.loss(d, rows.data(), 9, wm.data())) / (2 * h);
      worst = std::max(worst, std::abs(fd - g[k]) / (1.0 + std::abs(g[k])));
    }
    EXPECT_LT(worst, 1e-6) << sizes.size() - 2 << " hidden layers";
  }
}

TEST(DracoMlp, GradientEqualsTheSweepNetwork) {
  // the sweep module's Network (uniform widths) shares the layout: same loss and gradient to rounding
  const Labelled data = labelled(300, 6, 4, 2);  // > 256 rows: two chunks
  const dr::Dataset d = data.view();
  const auto rows = iota_rows(300);
  const dr::Mlp net({6, 8, 8, 4});
  morpheus::sweep::Arch arch;
  arch.inputs = 6;
  arch.outputs = 4;
  arch.depth = 2;
  arch.width = 8;
  morpheus::sweep::Network ref(arch, 9);
  ASSERT_EQ(ref.parameters(), net.params());
  const Vector w = ref.flat();
  Vector g = Vector::Zero(net.params());
  const double loss = net.gradient(d, rows.data(), 300, w.data(), g.data());
  std::vector<int> y(300);
  for (int r = 0; r < 300; ++r) y[static_cast<std::size_t>(r)] = static_cast<int>(data.y[static_cast<std::size_t>(r)]);
  morpheus::sweep::Pass pass;
  const double ref_loss = pass.forward(ref, data.x, y.data(), morpheus::sweep::LossKind::CrossEntropy);
  morpheus::sweep::Gradient rg;
  rg.reset(ref);
  pass.backward(ref, &rg, nullptr);
  EXPECT_NEAR(loss, ref_loss, 1e-12 * ref_loss);
  EXPECT_LT((g - rg.flat()).norm(), 1e-11 * rg.flat().norm());
  // accuracy = share of argmax hits, as the sweep pass counts them
  EXPECT_DOUBLE_EQ(net.accuracy(d, w.data()), static_cast<double>(pass.correct()) / 300.0);
}

TEST(DracoMlp, DeterministicAndAdditiveOverPartitions) {
  const Labelled data = labelled(40, 5, 3, 4);
  const dr::Dataset d = data.view();
  const dr::Mlp net({5, 7, 3});
  const Vector w = net.initial(1);
  const auto rows = iota_rows(40);
  Vector a = Vector::Zero(net.params()), b = Vector::Zero(net.params()), parts = Vector::Zero(net.params());
  net.gradient(d, rows.data(), 40, w.data(), a.data());
  net.gradient(d, rows.data(), 40, w.data(), b.data());
  EXPECT_EQ(std::memcmp(a.data(), b.data(), sizeof(double) * a.size()), 0);  // bit-identical
  net.gradient(d, rows.data(), 25, w.data(), parts.data());
  net.gradient(d, rows.data() + 25, 15, w.data(), parts.data());
  EXPECT_LT((parts - a).norm(), 1e-12 * a.norm());
}

TEST(DracoMlp, BadShapesAndLimits) {
  EXPECT_EQ(kind_of([] { dr::Mlp({5, 3}); }), morpheus::ErrorKind::InvalidParameter);     // no hidden layer
  EXPECT_EQ(kind_of([] { dr::Mlp({5, 3, 1}); }), morpheus::ErrorKind::InvalidParameter);  // one class
  EXPECT_EQ(kind_of([] { dr::Mlp({5, 0, 2}); }), morpheus::ErrorKind::InvalidParameter);  // empty layer
  EXPECT_EQ(kind_of([] { dr::Mlp({100000, 100000, 2}); }), morpheus::ErrorKind::LimitExceeded);
  const Labelled data = labelled(10, 4, 3, 1);
  const dr::Mlp wrong({5, 3, 3});
  const Vector w = wrong.initial(1);
  std::int64_t r = 0;
  Vector g = Vector::Zero(wrong.params());
  EXPECT_EQ(kind_of([&] { wrong.gradient(data.view(), &r, 1, w.data(), g.data()); }),
            morpheus::ErrorKind::InvalidParameter);
  const dr::Mlp two({4, 3, 2});
  const Vector w2 = two.initial(1);
  Vector g2 = Vector::Zero(two.params());
  r = 2;  // label (2 * 7 + 3) % 3 = 2 with 2 classes
  EXPECT_EQ(kind_of([&] { two.gradient(data.view(), &r, 1, w2.data(), g2.data()); }),
            morpheus::ErrorKind::InvalidParameter);
}

TEST(DracoLearner, FamiliesAndGlmWithoutIntercept) {
  EXPECT_EQ(dr::parse_family("mlp"), dr::Family::Mlp);
  try {
    dr::parse_family("svm");
    FAIL();
  } catch (const morpheus::Error& e) {
    EXPECT_STREQ(e.what(), "unknown family \"svm\"");
    EXPECT_EQ(e.hint(), "valid values: least_squares, logistic, softmax, poisson, mlp");
  }
  // without intercept: the gradient is the GLM's with the intercept entries dropped, at zero intercepts
  const Labelled data = labelled(30, 3, 3, 8);
  const dr::Dataset d = data.view();
  dr::LearnerSpec spec;
  spec.family = dr::Family::Softmax;
  spec.features = 3;
  spec.classes = 3;
  spec.intercept = false;
  const auto l = dr::make_learner(spec);
  ASSERT_EQ(l->params(), 9);
  const Vector w = randn(1, 9, 2).row(0).transpose();
  const auto rows = iota_rows(30);
  Vector g = Vector::Zero(9);
  const double loss = l->gradient(d, rows.data(), 30, w.data(), g.data());
  // textbook softmax regression without intercept
  double ref_loss = 0;
  Vector ref = Vector::Zero(9);
  for (int r = 0; r < 30; ++r) {
    Vector eta(3);
    for (int c = 0; c < 3; ++c) eta[c] = data.x.row(r).dot(w.segment(3 * c, 3));
    const double lse = std::log(eta.array().exp().sum());
    const int y = static_cast<int>(data.y[static_cast<std::size_t>(r)]);
    ref_loss += lse - eta[y];
    for (int c = 0; c < 3; ++c)
      ref.segment(3 * c, 3) += (std::exp(eta[c] - lse) - (c == y ? 1.0 : 0.0)) * data.x.row(r).transpose();
  }
  EXPECT_NEAR(loss, ref_loss, 1e-12 * ref_loss);
  EXPECT_LT((g - ref).norm(), 1e-12 * ref.norm());
  spec.hidden = {4};
  EXPECT_EQ(kind_of([&] { dr::make_learner(spec); }), morpheus::ErrorKind::InvalidParameter);
  spec.family = dr::Family::Mlp;
  spec.hidden = {};
  EXPECT_EQ(kind_of([&] { dr::make_learner(spec); }), morpheus::ErrorKind::InvalidParameter);
}
