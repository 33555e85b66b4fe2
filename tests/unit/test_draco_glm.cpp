// DRACO GLMs: gradients against finite differences, losses against textbook formulas, label checks.
#include "test_draco_util.hpp"

TEST(DracoGlm, GradientsMatchFiniteDifferences) {
  const int rows = 20, p = 4;
  const RowMatrix x = randn(rows, p, 1, 0.7);
  morpheus::Rng gen(2);
  for (dr::Model m : {dr::Model::LeastSquares, dr::Model::Logistic, dr::Model::Softmax, dr::Model::Poisson}) {
    std::vector<double> y(rows);
    for (int r = 0; r < rows; ++r) {
      switch (m) {
        case dr::Model::LeastSquares: y[r] = gen.normal(0, 2); break;
        case dr::Model::Logistic: y[r] = r % 2; break;
        case dr::Model::Softmax: y[r] = r % 3; break;
        case dr::Model::Poisson: y[r] = r % 4; break;
      }
    }
    dr::Dataset d{view(x), y.data()};
    dr::Glm g;
    g.model = m;
    g.features = p;
    g.classes = dr::check_labels(m, y.data(), rows, "data_sql");
    EXPECT_EQ(g.classes, m == dr::Model::Softmax ? 3 : 1);
    const Vector w = randn(1, static_cast<int>(g.params()), 3, 0.3).row(0).transpose();
    std::vector<std::int64_t> all(rows);
    std::iota(all.begin(), all.end(), 0);
    Vector grad = Vector::Zero(g.params());
    const double loss = dr::glm_gradient(g, d, all.data(), rows, w.data(), grad.data());
    EXPECT_DOUBLE_EQ(loss, dr::glm_loss(g, d, all.data(), rows, w.data()));
    for (Eigen::Index k = 0; k < g.params(); ++k) {
      const double h = 1e-6;
      Vector wp = w, wm = w;
      wp[k] += h;
      wm[k] -= h;
      const double fd =
          (dr::glm_loss(g, d, all.data(), rows, wp.data()) - dr::glm_loss(g, d, all.data(), rows, wm.data())) / (2 * h);
      EXPECT_NEAR(grad[k], fd, 1e-6 * (1 + std::abs(fd))) << dr::model_name(m) << " param " << k;
    }
  }
}

TEST(DracoGlm, LossesAgainstTextbookFormulas) {
  RowMatrix x(1, 2);
  x << 1.0, -2.0;
  const double w[] = {0.5, 0.25, 0.1};  // eta = 0.5 - 0.5 + 0.1 = 0.1
  std::int64_t row = 0;
  const double eta = 0.1;
  auto loss = [&](dr::Model m, double y, std::int64_t classes = 1) {
    dr::Glm g;
    g.model = m;
    g.features = 2;
    g.classes = classes;
    dr::Dataset d{view(x), &y};
    return dr::glm_loss(g, d, &row, 1, w);
  };
  EXPECT_NEAR(loss(dr::Model::LeastSquares, 2.0), 0.5 * (eta - 2) * (eta - 2), 1e-15);
  EXPECT_NEAR(loss(dr::Model::Logistic, 1.0), std::log(1 + std::exp(-eta)), 1e-15);
  EXPECT_NEAR(loss(dr::Model::Poisson, 3.0), std::exp(eta) - 3 * eta, 1e-15);
  const double w2[] = {0.5, 0.25, 0.1, -1.0, 0.0, 0.3};  // class 1 eta = -1 + 0.3 = -0.7
  dr::Glm g{dr::Model::Softmax, 2, 2};
  double y = 1.0;
  dr::Dataset d{view(x), &y};
  EXPECT_NEAR(dr::glm_loss(g, d, &row, 1, w2), std::log(std::exp(0.1) + std::exp(-0.7)) + 0.7, 1e-15);
  EXPECT_DOUBLE_EQ(dr::glm_predict(g, x.data(), w2), 0.0);
}

TEST(DracoGlm, LabelChecks) {
  const double bad01[] = {0, 1, 2};
  EXPECT_EQ(kind_of([&] { dr::check_labels(dr::Model::Logistic, bad01, 3, "data_sql"); }),
            morpheus::ErrorKind::InvalidParameter);
  const double frac[] = {0, 1.5};
  EXPECT_EQ(kind_of([&] { dr::check_labels(dr::Model::Softmax, frac, 2, "data_sql"); }),
            morpheus::ErrorKind::InvalidParameter);
  const double neg[] = {-1};
  EXPECT_EQ(kind_of([&] { dr::check_labels(dr::Model::Poisson, neg, 1, "data_sql"); }),
            morpheus::ErrorKind::InvalidParameter);
  EXPECT_EQ(kind_of([] { dr::parse_model("svm"); }), morpheus::ErrorKind::InvalidParameter);
}

// ---------------------------------------------------------------------------------------------------------------
