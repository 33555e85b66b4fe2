// DRACO baseline rules against the reference fixture and their brute-force definitions; size requirements.
#include "test_draco_util.hpp"

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
  const Vector mz = dr::geometric_median(view(maj), 1e-14).z;
  EXPECT_NEAR(std::abs(mz[0] - 1) + std::abs(mz[1] - 1), 0.0, 1e-9);
}

TEST(DracoRules, PermutationInvariance) {
  const RowMatrix v = randn(11, 4, 5);
  RowMatrix perm(11, 4);
  for (int i = 0; i < 11; ++i) perm.row(i) = v.row((i * 4 + 3) % 11);
  // Bulyan is left out: its later Krum rounds score each input by its nearest neighbour only (n - f - 2 = 1 of the
  // remaining pool), so two mutual nearest neighbours tie exactly and the tie rule (lowest index) depends on the order
  for (dr::Rule r : {dr::Rule::Mean, dr::Rule::Median, dr::Rule::TrimmedMean, dr::Rule::GeometricMedian, dr::Rule::Krum,
                     dr::Rule::MultiKrum})
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
// The geometric median's stopping rule and the per-layer (per-block) rules
// ---------------------------------------------------------------------------------------------------------------
namespace {
// Textbook Weiszfeld from the mean with hdmedians' rule (stop when ||z_{t+1} - z_t|| < eps, at most max_iter
// iterations), for inputs that never coincide with an iterate; counts the iterations.
std::pair<Vector, int> weiszfeld(const RowMatrix& v, double eps, int max_iter) {
  Vector z = v.colwise().mean().transpose();
  int it = 0;
  while (it < max_iter) {
    ++it;
    Vector num = Vector::Zero(v.cols());
    double den = 0;
    for (Eigen::Index i = 0; i < v.rows(); ++i) {
      const double w = 1.0 / (v.row(i).transpose() - z).norm();
      num += w * v.row(i).transpose();
      den += w;
    }
    const Vector next = num / den;
    const double step = (next - z).norm();
    z = next;
    if (step < eps) break;
  }
  return {z, it};
}
}  // namespace

TEST(DracoRules, GeometricMedianStoppingRuleAndIterations) {
  RowMatrix v = randn(15, 40, 3);
  for (int i = 0; i < 3; ++i) v.row(i) *= -100;  // three reverse-gradient attackers
  for (double eps : {1e-4, 1e-8, 1e-12}) {
    const auto [ref, ref_it] = weiszfeld(v, eps, 1000);
    const auto gm = dr::geometric_median(view(v), eps, 1000);
    EXPECT_TRUE(gm.converged);
    EXPECT_NEAR(gm.iterations, ref_it, 1) << eps;  // the same iteration, up to rounding at the threshold
    EXPECT_LT((gm.z - ref).norm(), 10 * eps + 1e-12) << eps;
  }
  // stopped at the cap: not converged, exactly max_iterations done
  const auto capped = dr::geometric_median(view(v), 1e-300, 7);
  EXPECT_FALSE(capped.converged);
  EXPECT_EQ(capped.iterations, 7);
  const auto [ref7, it7] = weiszfeld(v, 0, 7);
  EXPECT_EQ(it7, 7);
  EXPECT_LT((capped.z - ref7).norm(), 1e-12 * ref7.norm());
}

TEST(DracoRules, PerLayerGeometricMedianEqualsWeiszfeldPerBlock) {
  RowMatrix v = randn(9, 23, 12);
  v.row(2) *= -100;
  v.row(7).setConstant(-100);
  const std::vector<dr::Block> blocks{{0, 10, "w[0]"}, {10, 3, "b[0]"}, {13, 8, "w[1]"}, {21, 2, "b[1]"}};
  const dr::BlockAggregate per = dr::aggregate_blocks(dr::Rule::GeometricMedian, view(v), blocks, 2);
  ASSERT_EQ(per.median_iterations.size(), 4u);
  EXPECT_TRUE(per.median_converged);
  for (std::size_t b = 0; b < blocks.size(); ++b) {
    const RowMatrix part = v.middleCols(blocks[b].offset, blocks[b].size);  // an explicit copy of the block
    const auto [ref, ref_it] = weiszfeld(part, 1e-8, 1000);
    EXPECT_LT((per.value.segment(blocks[b].offset, blocks[b].size) - ref).norm(), 1e-7) << blocks[b].name;
    EXPECT_NEAR(per.median_iterations[b], ref_it, 1) << blocks[b].name;
  }
  // one block is the whole-vector median; per block differs from it
  const dr::BlockAggregate whole = dr::aggregate_blocks(dr::Rule::GeometricMedian, view(v), {{0, 23, "all"}}, 2);
  EXPECT_LT((whole.value - dr::geometric_median(view(v)).z).norm(), 1e-14);
  EXPECT_GT((whole.value - per.value).norm(), 1e-6);
  // Krum per block picks a (possibly different) input per block
  const dr::BlockAggregate krum = dr::aggregate_blocks(dr::Rule::Krum, view(v), blocks, 2);
  for (const auto& b : blocks) {
    const RowMatrix part = v.middleCols(b.offset, b.size);
    EXPECT_EQ(krum.value.segment(b.offset, b.size), dr::aggregate(dr::Rule::Krum, view(part), 2));
  }
  EXPECT_TRUE(krum.median_iterations.empty());
  // blocks must tile the columns
  EXPECT_EQ(kind_of([&] {
              dr::aggregate_blocks(dr::Rule::Mean, view(v), {{0, 10, "a"}, {11, 12, "b"}}, 2);
            }),
            morpheus::ErrorKind::InvalidParameter);
  EXPECT_EQ(kind_of([&] {
              dr::aggregate_blocks(dr::Rule::Mean, view(v), {{0, 10, "a"}}, 2);
            }),
            morpheus::ErrorKind::InvalidParameter);
}

TEST(DracoRules, OptionErrorsNameTheArgument) {
  try {
    dr::parse_rule("average", true);
    FAIL();
  } catch (const morpheus::Error& e) {
    EXPECT_STREQ(e.what(), "unknown aggregation \"average\"");
    EXPECT_EQ(
        e.hint(),
        "valid values: cyclic, repetition, mean, median, trimmed_mean, geometric_median, krum, multi_krum, bulyan");
  }
  try {
    dr::parse_attack("flip");
    FAIL();
  } catch (const morpheus::Error& e) {
    EXPECT_STREQ(e.what(), "unknown attack \"flip\"");
    EXPECT_EQ(e.hint(), "valid values: none, signflip, constant, gaussian, alie, ipm");
  }
  EXPECT_EQ(kind_of([] { dr::parse_placement("worst"); }), morpheus::ErrorKind::InvalidParameter);
}
