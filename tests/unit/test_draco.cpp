// DRACO core: GLM gradients against finite differences, baseline rules against their brute-force definitions and
// the reference fixture, the cyclic code's algebraic properties, and the decoders' guarantee under every attack.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "core/draco/draco.hpp"
#include "core/errors.hpp"

namespace dr = morpheus::draco;
using morpheus::ConstRowMap;
using morpheus::RowMatrix;
using morpheus::Vector;

namespace {

RowMatrix randn(int r, int c, unsigned seed, double sd = 1.0) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> nd(0.0, sd);
  RowMatrix m(r, c);
  for (int i = 0; i < r; ++i)
    for (int j = 0; j < c; ++j) m(i, j) = nd(gen);
  return m;
}
ConstRowMap view(const RowMatrix& m) { return ConstRowMap(m.data(), m.rows(), m.cols()); }

RowMatrix fixture() {
  RowMatrix v(7, 2);
  v << 0, 0, 1, 0, 0, 2, 1, 1, 2, 1, 0.5, 0.5, 50, -50;
  return v;
}

morpheus::ErrorKind kind_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const morpheus::Error& e) {
    return e.kind();
  }
  return morpheus::ErrorKind::Internal;
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------------
// GLM gradients
// ---------------------------------------------------------------------------------------------------------------
TEST(DracoGlm, GradientsMatchFiniteDifferences) {
  const int rows = 20, p = 4;
  const RowMatrix x = randn(rows, p, 1, 0.7);
  std::mt19937_64 gen(2);
  for (dr::Model m : {dr::Model::LeastSquares, dr::Model::Logistic, dr::Model::Softmax, dr::Model::Poisson}) {
    std::vector<double> y(rows);
    for (int r = 0; r < rows; ++r) {
      switch (m) {
        case dr::Model::LeastSquares: y[r] = std::normal_distribution<double>(0, 2)(gen); break;
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
// Baseline rules
// ---------------------------------------------------------------------------------------------------------------
TEST(DracoRules, ReferenceFixture) {
  const RowMatrix v = fixture();
  const Vector mean = dr::aggregate(dr::Rule::Mean, view(v), 1);
  EXPECT_NEAR(mean[0], 7.785714285714286, 1e-12);
  EXPECT_NEAR(mean[1], -6.5, 1e-12);
  const Vector med = dr::aggregate(dr::Rule::Median, view(v), 1);
  EXPECT_DOUBLE_EQ(med[0], 1.0);
  EXPECT_DOUBLE_EQ(med[1], 0.5);
  const Vector tm = dr::aggregate(dr::Rule::TrimmedMean, view(v), 1);
  EXPECT_NEAR(tm[0], 0.9, 1e-15);
  EXPECT_NEAR(tm[1], 0.5, 1e-15);
  const auto scores = dr::krum_scores(view(v), 1);
  const double want[] = {7.5, 4.5, 13.5, 4.5, 10.5, 4.0, 19806.5};
  for (int i = 0; i < 7; ++i) EXPECT_DOUBLE_EQ(scores[i], want[i]);
  const Vector krum = dr::aggregate(dr::Rule::Krum, view(v), 1);
  EXPECT_DOUBLE_EQ(krum[0], 0.5);
  EXPECT_DOUBLE_EQ(krum[1], 0.5);
  auto sel = dr::multi_krum_select(view(v), 1, 4);
  EXPECT_EQ(sel, (std::vector<int>{5, 1, 3, 0}));
  const Vector mk = dr::aggregate(dr::Rule::MultiKrum, view(v), 1, 4);
  EXPECT_NEAR(mk[0], 0.625, 1e-15);
  EXPECT_NEAR(mk[1], 0.375, 1e-15);
  const auto gm = dr::geometric_median(view(v), 1e-15);
  EXPECT_NEAR(gm.z[0], 0.811620, 1e-6);
  EXPECT_NEAR(gm.z[1], 0.505058, 1e-6);
}

TEST(DracoRules, MedianAndTrimmedMeanBruteForce) {
  for (int n : {4, 5, 9, 10}) {
    const RowMatrix v = randn(n, 6, 10 + n);
    const Vector med = dr::coordinate_median(view(v));
    for (int b = 0; 2 * b < n; ++b) {
      const Vector tm = dr::trimmed_mean(view(v), b);
      for (int c = 0; c < 6; ++c) {
        std::vector<double> col(n);
        for (int i = 0; i < n; ++i) col[i] = v(i, c);
        std::sort(col.begin(), col.end());
        // brute force: average of the middle n - 2b values
        double s = 0;
        for (int i = b; i < n - b; ++i) s += col[i];
        EXPECT_NEAR(tm[c], s / (n - 2 * b), 1e-14);
        // median: a value with at least half the inputs on each side
        int le = 0, ge = 0;
        for (double x : col) le += x <= med[c], ge += x >= med[c];
        EXPECT_GE(2 * le, n);
        EXPECT_GE(2 * ge, n);
        const double expect = n % 2 ? col[n / 2] : 0.5 * (col[n / 2 - 1] + col[n / 2]);
        EXPECT_DOUBLE_EQ(med[c], expect);
      }
    }
  }
}

TEST(DracoRules, GeometricMedianOptimality) {
  // collinear points: the geometric median is the 1-D median
  RowMatrix line(5, 3);
  const double dir[] = {1, 2, -1};
  for (int i = 0; i < 5; ++i)
    for (int c = 0; c < 3; ++c) line(i, c) = (std::pow(2.0, i) - 3.0) * dir[c];
  const auto gl = dr::geometric_median(view(line));
  EXPECT_NEAR(std::abs(gl.z[0] - 1) + std::abs(gl.z[1] - 2) + std::abs(gl.z[2] + 1), 0.0,
              1e-8);  // median of -2, -1, 1, 5, 13
  // random points: the gradient of sum ||z - v_i|| vanishes, and the objective beats nearby points
  const RowMatrix v = randn(11, 5, 99);
  const auto gm = dr::geometric_median(view(v), 1e-14);
  Vector grad = Vector::Zero(5);
  auto obj = [&](const Vector& z) {
    double s = 0;
    for (int i = 0; i < 11; ++i) s += (v.row(i).transpose() - z).norm();
    return s;
  };
  for (int i = 0; i < 11; ++i) grad += (gm.z - v.row(i).transpose()).normalized();
  EXPECT_LT(grad.norm(), 1e-8);
  const RowMatrix dirs = randn(20, 5, 7, 1e-3);
  for (int k = 0; k < 20; ++k) EXPECT_LE(obj(gm.z), obj(gm.z + dirs.row(k).transpose()));
  // a majority at one point: the median is that point (Vardi-Zhang stop)
  RowMatrix maj(5, 2);
  maj << 1, 1, 1, 1, 1, 1, 10, -3, -4, 7;
  const Vector mz = dr::geometric_median(view(maj)).z;
  EXPECT_NEAR(std::abs(mz[0] - 1) + std::abs(mz[1] - 1), 0.0, 1e-9);
}

TEST(DracoRules, PermutationInvariance) {
  const RowMatrix v = randn(11, 4, 5);
  RowMatrix perm(11, 4);
  for (int i = 0; i < 11; ++i) perm.row(i) = v.row((i * 4 + 3) % 11);
  for (dr::Rule r : {dr::Rule::Mean, dr::Rule::Median, dr::Rule::TrimmedMean, dr::Rule::GeometricMedian, dr::Rule::Krum,
                     dr::Rule::MultiKrum, dr::Rule::Bulyan})
    EXPECT_LT((dr::aggregate(r, view(v), 2) - dr::aggregate(r, view(perm), 2)).norm(), 1e-9) << dr::rule_name(r);
}

TEST(DracoRules, BulyanBruteForce) {
  const int n = 11, f = 2, d = 3;
  RowMatrix v = randn(n, d, 17);
  v.row(4).setConstant(40.0);
  v.row(8).setConstant(-40.0);
  // independent: repeated Krum by full recomputation on explicit sub-matrices
  std::vector<int> pool(n);
  std::iota(pool.begin(), pool.end(), 0);
  std::vector<int> sel;
  for (int t = 0; t < n - 2 * f; ++t) {
    RowMatrix sub(pool.size(), d);
    for (std::size_t a = 0; a < pool.size(); ++a) sub.row(a) = v.row(pool[a]);
    const int m = static_cast<int>(pool.size());
    int best = 0;
    double best_score = 1e300;
    for (int a = 0; a < m; ++a) {
      std::vector<double> dist;
      for (int b = 0; b < m; ++b)
        if (b != a) dist.push_back((sub.row(a) - sub.row(b)).squaredNorm());
      std::sort(dist.begin(), dist.end());
      double s = 0;
      for (int k = 0; k < std::max(0, m - f - 2); ++k) s += dist[k];
      if (s < best_score) best_score = s, best = a;
    }
    sel.push_back(pool[best]);
    pool.erase(pool.begin() + best);
  }
  EXPECT_EQ(std::count(sel.begin(), sel.end(), 4) + std::count(sel.begin(), sel.end(), 8), 0);
  const int theta = n - 2 * f, beta = theta - 2 * f;
  const Vector got = dr::bulyan(view(v), f);
  for (int c = 0; c < d; ++c) {
    std::vector<double> col;
    for (int i : sel) col.push_back(v(i, c));
    std::sort(col.begin(), col.end());
    const double med = col[theta / 2];
    // brute force: the beta values closest to the median
    std::vector<double> byd = col;
    std::sort(byd.begin(), byd.end(), [&](double a, double b) { return std::abs(a - med) < std::abs(b - med); });
    double s = 0;
    for (int k = 0; k < beta; ++k) s += byd[k];
    EXPECT_NEAR(got[c], s / beta, 1e-14);
  }
}

TEST(DracoRules, SizeRequirements) {
  const RowMatrix v = randn(6, 2, 1);
  EXPECT_EQ(kind_of([&] { dr::aggregate(dr::Rule::Krum, view(v), 2); }), morpheus::ErrorKind::InvalidParameter);
  EXPECT_EQ(kind_of([&] { dr::aggregate(dr::Rule::Bulyan, view(v), 1); }), morpheus::ErrorKind::InvalidParameter);
  EXPECT_EQ(kind_of([&] { dr::aggregate(dr::Rule::TrimmedMean, view(v), 3); }), morpheus::ErrorKind::InvalidParameter);
  EXPECT_NO_THROW(dr::aggregate(dr::Rule::Krum, view(v), 1));
  EXPECT_EQ(kind_of([] { dr::parse_rule("average", false); }), morpheus::ErrorKind::InvalidParameter);
  EXPECT_EQ(kind_of([] { dr::parse_rule("cyclic", false); }), morpheus::ErrorKind::InvalidParameter);
  EXPECT_EQ(kind_of([] { dr::parse_attack("flip"); }), morpheus::ErrorKind::InvalidParameter);
}

// ---------------------------------------------------------------------------------------------------------------
// Codes
// ---------------------------------------------------------------------------------------------------------------
TEST(DracoCyclic, ConstructionProperties) {
  for (auto [n, s] : std::vector<std::pair<int, int>>{{3, 1}, {5, 2}, {7, 2}, {9, 3}, {10, 1}, {15, 7}, {45, 5}}) {
    dr::CyclicCode code(n, s);
    const Eigen::MatrixXcd& w = code.wmat();
    for (int i = 0; i < n; ++i) {
      const auto part = dr::assigned_partitions(dr::Rule::Cyclic, n, s, i);
      for (int j = 0; j < n; ++j) {
        const bool on = std::find(part.begin(), part.end(), j) != part.end();
        if (on) {
          EXPECT_GT(std::abs(w(i, j)), 0.0);
        } else {
          EXPECT_EQ(std::abs(w(i, j)), 0.0);
        }
      }
    }
    const double wn = w.norm();
    EXPECT_LT((code.cr().adjoint() * w).norm(), 1e-12 * wn) << n << "," << s;
    // W = C_L Q with first row of Q all ones
    const Eigen::MatrixXcd q = code.cl().adjoint() * w;
    EXPECT_LT((code.cl() * q - w).norm(), 1e-12 * wn);
    for (int j = 0; j < n; ++j) EXPECT_NEAR(std::abs(q(0, j) - 1.0), 0.0, 1e-10);
  }
}

namespace {

// Honest messages of the cyclic code for partition gradients g (n x d).
dr::Messages cyclic_messages(const dr::CyclicCode& code, const RowMatrix& g) {
  const Eigen::MatrixXcd r = code.wmat() * g.cast<std::complex<double>>();
  dr::Messages m;
  m.re = r.real();
  m.im = r.imag();
  return m;
}

dr::Messages repetition_messages(int n, int s, const RowMatrix& g) {
  dr::Messages m;
  m.re.resize(n, g.cols());
  for (int i = 0; i < n; ++i) {
    m.re.row(i).setZero();
    for (int j : dr::assigned_partitions(dr::Rule::Repetition, n, s, i)) m.re.row(i) += g.row(j);
  }
  return m;
}

const dr::Attack kAttacks[] = {dr::Attack::SignFlip, dr::Attack::Constant, dr::Attack::Gaussian, dr::Attack::Alie,
                               dr::Attack::Ipm};

// The adversaries whose message the attack actually changed (ALIE with z = 0 against identical honest messages,
// for instance, is a no-op and cannot be flagged).
std::vector<int> changed(const dr::Messages& clean, const dr::Messages& attacked, const std::vector<int>& adv) {
  std::vector<int> out;
  for (int i : adv) {
    double diff = (clean.re.row(i) - attacked.re.row(i)).norm();
    double size = clean.re.row(i).norm();
    if (clean.complex()) {
      diff += (clean.im.row(i) - attacked.im.row(i)).norm();
      size += clean.im.row(i).norm();
    }
    if (diff > 1e-9 * size) out.push_back(i);
  }
  return out;
}

double attack_scale(dr::Attack a, int n, int q) {
  return a == dr::Attack::Alie ? dr::alie_z(n, q) : dr::default_attack_scale(a);
}

}  // namespace

TEST(DracoCyclic, ExhaustiveSmallCode) {
  // n = 7, s = 2: every adversarial set of size 0, 1, 2 and every attack
  const int n = 7, s = 2, d = 9;
  dr::CyclicCode code(n, s);
  const RowMatrix g = randn(n, d, 4);
  const Vector truth = g.colwise().sum().transpose();
  std::mt19937_64 rng(1);
  int cases = 0;
  for (int mask = 0; mask < (1 << n); ++mask) {
    if (__builtin_popcount(mask) > s) continue;
    std::vector<int> adv;
    for (int i = 0; i < n; ++i)
      if (mask >> i & 1) adv.push_back(i);
    for (dr::Attack a : kAttacks) {
      const dr::Messages clean = cyclic_messages(code, g);
      dr::Messages m = clean;
      dr::apply_attack(a, attack_scale(a, n, static_cast<int>(adv.size())), adv, m, rng);
      const auto dec = code.decode(m, rng);
      EXPECT_TRUE(dec.consistent);
      EXPECT_LE((dec.sum - truth).norm(), 1e-9 * (1 + truth.norm())) << "mask " << mask;
      EXPECT_EQ(dec.flagged, changed(clean, m, adv)) << "mask " << mask << " attack " << dr::attack_name(a);
      ++cases;
    }
  }
  EXPECT_EQ(cases, 5 * (1 + 7 + 21));
}

TEST(DracoCyclic, GridOfSizesAndAttacks) {
  std::mt19937_64 rng(11);
  for (auto [n, s] : std::vector<std::pair<int, int>>{
           {3, 1}, {5, 1}, {9, 3}, {10, 2}, {15, 3}, {15, 7}, {21, 5}, {31, 6}, {45, 6}, {56, 4}, {100, 2}}) {
    dr::CyclicCode code(n, s);
    const int d = 50;
    const RowMatrix g = randn(n, d, 100 + n + s);
    const Vector truth = g.colwise().sum().transpose();
    for (int q = 0; q <= s; ++q) {
      for (dr::Attack a : kAttacks) {
        for (int rep = 0; rep < 2; ++rep) {
          auto adv = dr::place_adversaries(dr::Placement::Random, n, q, s, rng);
          const dr::Messages clean = cyclic_messages(code, g);
          dr::Messages m = clean;
          dr::apply_attack(a, attack_scale(a, n, q), adv, m, rng);
          const auto dec = code.decode(m, rng);
          EXPECT_TRUE(dec.consistent) << n << "," << s << " q=" << q << " " << dr::attack_name(a);
          EXPECT_LE((dec.sum - truth).norm(), 1e-9 * truth.norm())
              << n << "," << s << " q=" << q << " " << dr::attack_name(a);
          EXPECT_EQ(dec.flagged, changed(clean, m, adv)) << n << "," << s << " q=" << q << " " << dr::attack_name(a);
        }
      }
    }
  }
}

TEST(DracoCyclic, MoreThanSAdversariesIsDetected) {
  std::mt19937_64 rng(5);
  for (auto [n, s] : std::vector<std::pair<int, int>>{{7, 1}, {7, 2}, {11, 2}, {15, 3}, {45, 5}}) {
    dr::CyclicCode code(n, s);
    const RowMatrix g = randn(n, 20, 7 + n);
    for (int q = s + 1; q <= 2 * s; ++q)
      for (dr::Attack a : kAttacks)
        for (int rep = 0; rep < 3; ++rep) {
          auto adv = dr::place_adversaries(dr::Placement::Random, n, q, s, rng);
          dr::Messages m = cyclic_messages(code, g);
          dr::apply_attack(a, attack_scale(a, n, q), adv, m, rng);
          EXPECT_FALSE(code.decode(m, rng).consistent) << n << "," << s << " q=" << q << " " << dr::attack_name(a);
        }
  }
}

TEST(DracoRepetition, BitExactUnderEveryPlacementAndAttack) {
  std::mt19937_64 rng(3);
  for (auto [n, s] : std::vector<std::pair<int, int>>{{3, 1}, {6, 1}, {9, 1}, {15, 2}, {10, 2}, {21, 3}, {45, 2}}) {
    const RowMatrix g = randn(n, 30, n * 7 + s);
    const dr::Messages clean = repetition_messages(n, s, g);
    const auto ref = dr::decode_repetition(view(clean.re), s);
    EXPECT_TRUE(ref.consistent);
    EXPECT_TRUE(ref.flagged.empty());
    // the clean sum computed independently, with the same association (group sums, then groups in order)
    Vector truth = Vector::Zero(30);
    for (int g0 = 0; g0 < n; g0 += 2 * s + 1) truth += clean.re.row(g0).transpose();
    EXPECT_EQ(std::memcmp(ref.sum.data(), truth.data(), 30 * sizeof(double)), 0);
    EXPECT_LT((truth - g.colwise().sum().transpose()).norm(), 1e-12 * truth.norm());
    for (int q = 0; q <= s; ++q)
      for (dr::Attack a : kAttacks)
        for (dr::Placement p : {dr::Placement::Random, dr::Placement::Fixed, dr::Placement::Omniscient}) {
          auto adv = dr::place_adversaries(p, n, q, s, rng);
          dr::Messages m = clean;
          dr::apply_attack(a, attack_scale(a, n, q), adv, m, rng);
          const auto dec = dr::decode_repetition(view(m.re), s);
          EXPECT_TRUE(dec.consistent);
          EXPECT_EQ(std::memcmp(dec.sum.data(), truth.data(), 30 * sizeof(double)), 0)
              << n << "," << s << " q=" << q << " " << dr::attack_name(a);
          EXPECT_EQ(dec.flagged, changed(clean, m, adv));
        }
  }
}

TEST(DracoRepetition, BeyondSAdversaries) {
  const int n = 9, s = 1;
  const RowMatrix g = randn(n, 5, 8);
  const dr::Messages clean = repetition_messages(n, s, g);
  std::mt19937_64 rng(1);
  // omniscient placement of s+1 identical sign-flipped messages in one group flips that group: the limit of DRACO
  auto adv = dr::place_adversaries(dr::Placement::Omniscient, n, s + 1, s, rng);
  EXPECT_EQ(adv, (std::vector<int>{0, 1}));
  dr::Messages m = clean;
  dr::apply_attack(dr::Attack::SignFlip, 100, adv, m, rng);
  const auto flipped = dr::decode_repetition(view(m.re), s);
  EXPECT_TRUE(flipped.consistent);
  EXPECT_GT((flipped.sum - g.colwise().sum().transpose()).norm(), 1.0);
  EXPECT_EQ(flipped.flagged, (std::vector<int>{2}));
  // s+1 distinct bad messages in one group leave no majority: reported, not silently summed
  m = clean;
  dr::apply_attack(dr::Attack::Gaussian, 100, adv, m, rng);
  EXPECT_FALSE(dr::decode_repetition(view(m.re), s).consistent);
}

TEST(DracoCodes, SizeChecksAndPlacement) {
  EXPECT_EQ(kind_of([] { dr::require_code_size(dr::Rule::Cyclic, 4, 2); }), morpheus::ErrorKind::InvalidParameter);
  EXPECT_EQ(kind_of([] { dr::require_code_size(dr::Rule::Repetition, 7, 1); }), morpheus::ErrorKind::InvalidParameter);
  EXPECT_NO_THROW(dr::require_code_size(dr::Rule::Cyclic, 7, 1));
  // the cyclic code is limited to its numerically verified range; repetition is exact at any size
  EXPECT_EQ(kind_of([] { dr::require_code_size(dr::Rule::Cyclic, 100, 5); }), morpheus::ErrorKind::InvalidParameter);
  EXPECT_EQ(kind_of([] { dr::require_code_size(dr::Rule::Cyclic, 201, 1); }), morpheus::ErrorKind::InvalidParameter);
  EXPECT_NO_THROW(dr::require_code_size(dr::Rule::Repetition, 110, 5));
  std::mt19937_64 rng(1);
  EXPECT_EQ(dr::place_adversaries(dr::Placement::Omniscient, 15, 5, 2, rng), (std::vector<int>{0, 1, 2, 5, 6}));
  const auto r1 = dr::place_adversaries(dr::Placement::Random, 15, 4, 2, rng);
  EXPECT_EQ(r1.size(), 4u);
  EXPECT_TRUE(std::is_sorted(r1.begin(), r1.end()));
  EXPECT_NE(r1, dr::place_adversaries(dr::Placement::Random, 15, 4, 2, rng));  // redrawn (fails w.p. ~1/1365)
}

TEST(DracoAttacks, Definitions) {
  dr::Messages m;
  m.re = randn(6, 4, 2);
  const RowMatrix orig = m.re;
  std::mt19937_64 rng(1);
  const std::vector<int> adv{1, 4};
  Vector mu = Vector::Zero(4), sd = Vector::Zero(4);
  for (int i : {0, 2, 3, 5}) mu += orig.row(i).transpose() / 4;
  for (int i : {0, 2, 3, 5}) sd += (orig.row(i).transpose() - mu).cwiseAbs2() / 3;
  sd = sd.cwiseSqrt();
  dr::Messages a = m;
  dr::apply_attack(dr::Attack::SignFlip, 100, adv, a, rng);
  EXPECT_EQ(a.re.row(1), (-100 * orig.row(1)).eval());
  EXPECT_EQ(a.re.row(0), orig.row(0));
  a = m;
  dr::apply_attack(dr::Attack::Alie, 1.5, adv, a, rng);
  EXPECT_LT((a.re.row(4).transpose() - (mu - 1.5 * sd)).norm(), 1e-14);
  a = m;
  dr::apply_attack(dr::Attack::Ipm, 0.1, adv, a, rng);
  EXPECT_LT((a.re.row(1).transpose() + 0.1 * mu).norm(), 1e-14);
  a = m;
  dr::apply_attack(dr::Attack::Constant, -100, adv, a, rng);
  EXPECT_EQ(a.re.row(4), Eigen::RowVectorXd::Constant(4, -100.0));
  // ALIE's z_max: n = 50, m = 12 (Baruch et al.): s' = 14, Phi^{-1}(24/38) = 0.33569...
  EXPECT_NEAR(dr::alie_z(50, 12), 0.3356, 1e-3);
  EXPECT_NEAR(dr::alie_z(20, 0), -0.1256613468550741, 1e-12);  // s' = 11: Phi^{-1}(9/20)
}

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
    for (dr::Attack a : kAttacks)
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
