// DRACO cyclic code: construction properties against independent computations, and the blocked decoder's
// guarantee (exhaustive small code, grid of sizes, every attack, liars in one block only, non-finite messages).
#include "test_draco_util.hpp"

namespace {
// Real rank of m (singular values above 1e-9 of the largest).
int rank_of(const Eigen::MatrixXd& m) {
  const Eigen::JacobiSVD<Eigen::MatrixXd> svd(m);
  const auto& sv = svd.singularValues();
  int r = 0;
  for (Eigen::Index i = 0; i < sv.size(); ++i) r += sv[i] > 1e-9 * sv[0];
  return r;
}
}  // namespace

TEST(DracoCyclic, ConstructionProperties) {
  // odd n (circulant) and even n (negacyclic)
  for (auto [n, s] : std::vector<std::pair<int, int>>{
           {3, 1}, {4, 1}, {5, 2}, {7, 2}, {8, 3}, {9, 3}, {10, 1}, {12, 5}, {15, 7}, {16, 4}, {45, 5}, {46, 4}}) {
    dr::CyclicCode code(n, s);
    const int k = n - 2 * s;
    const Eigen::MatrixXd& w = code.wreal();
    for (int i = 0; i < n; ++i) {
      const auto part = dr::assigned_partitions(dr::Rule::Cyclic, n, s, i);
      for (int j = 0; j < n; ++j) {
        const bool on = std::find(part.begin(), part.end(), j) != part.end();
        if (on) {
          EXPECT_GT(std::abs(w(i, j)), 0.0);
        } else {
          EXPECT_EQ(w(i, j), 0.0);
        }
      }
    }
    const double wn = w.norm();
    // column sums 1: the all-ones combination of all n honest messages is the sum of the partition gradients
    EXPECT_LT((Vector::Ones(n).transpose() * w - Eigen::RowVectorXd::Ones(n)).norm(), 1e-12 * n) << n << "," << s;
    // rank k = n - 2s, parity checks annihilate W, W lies in the span of the data bases
    EXPECT_EQ(rank_of(w), k) << n << "," << s;
    EXPECT_LT((code.cr().adjoint() * w).norm(), 1e-12 * wn) << n << "," << s;
    EXPECT_LT((code.cl() * (code.cl().adjoint() * w) - w).norm(), 1e-12 * wn);
    const Eigen::MatrixXd& bas = code.basis();
    EXPECT_LT((bas.transpose() * bas - Eigen::MatrixXd::Identity(k, k)).norm(), 1e-12 * k);
    EXPECT_LT((bas * (bas.transpose() * w) - w).norm(), 1e-12 * wn);
    // [C_L C_R] is unitary
    Eigen::MatrixXcd c(n, n);
    c << code.cl(), code.cr();
    EXPECT_LT((c.adjoint() * c - Eigen::MatrixXcd::Identity(n, n)).norm(), 1e-12 * n);
    // the parity frequencies are consecutive: column m+1 = column m times exp(-2 pi i row / n), so the syndromes of
    // an error vector are a sum of exponentials in m (what the error locator needs)
    for (int m = 0; m + 1 < 2 * s; ++m)
      for (int i = 0; i < n; ++i)
        EXPECT_LT(std::abs(code.cr()(i, m + 1) - code.cr()(i, m) * std::polar(1.0, -2.0 * M_PI * i / n)), 1e-13);
  }
}

TEST(DracoCyclic, MaximumDistanceSeparable) {
  // any k = n - 2s workers determine the codeword (every k x k minor of the basis is nonsingular), so a nonzero
  // error on at most 2s workers is never a codeword: exhaustive over all subsets for small codes
  for (auto [n, s] : std::vector<std::pair<int, int>>{{5, 1}, {6, 2}, {8, 2}, {9, 3}, {10, 3}, {11, 4}, {12, 2}}) {
    dr::CyclicCode code(n, s);
    const int k = n - 2 * s;
    int subsets = 0;
    for (int mask = 0; mask < (1 << n); ++mask) {
      if (__builtin_popcount(mask) != k) continue;
      Eigen::MatrixXd sub(k, k);
      for (int i = 0, r = 0; i < n; ++i)
        if (mask >> i & 1) sub.row(r++) = code.basis().row(i);
      EXPECT_EQ(rank_of(sub), k) << n << "," << s << " mask " << mask;
      ++subsets;
    }
    EXPECT_GT(subsets, 0);
  }
}

TEST(DracoCyclic, ExhaustiveSmallCode) {
  // n = 7, s = 2 (circulant) and n = 8, s = 3 (negacyclic): every adversarial set of size 0 .. s, every attack
  for (auto [n, s] : std::vector<std::pair<int, int>>{{7, 2}, {8, 3}}) {
    const int d = 9;
    dr::CyclicCode code(n, s);
    const RowMatrix g = randn(n, d, 4);
    const Vector truth = g.colwise().sum().transpose();
    morpheus::Rng rng(1);
    int cases = 0;
    for (int mask = 0; mask < (1 << n); ++mask) {
      if (__builtin_popcount(mask) > s) continue;
      std::vector<int> adv;
      for (int i = 0; i < n; ++i)
        if (mask >> i & 1) adv.push_back(i);
      for (dr::Attack a : attacks()) {
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
    EXPECT_EQ(cases, n == 7 ? 5 * (1 + 7 + 21) : 5 * (1 + 8 + 28 + 56));
  }
}

TEST(DracoCyclic, GridOfSizesAndAttacks) {
  morpheus::Rng rng(11);
  for (auto [n, s] : std::vector<std::pair<int, int>>{{3, 1},
                                                      {4, 1},
                                                      {5, 1},
                                                      {9, 3},
                                                      {10, 2},
                                                      {15, 3},
                                                      {15, 7},
                                                      {16, 7},
                                                      {21, 5},
                                                      {30, 14},
                                                      {31, 6},
                                                      {44, 6},
                                                      {45, 6},
                                                      {56, 5},
                                                      {64, 5},
                                                      {100, 4},
                                                      {150, 3},
                                                      {200, 2},
                                                      {300, 1}}) {
    dr::CyclicCode code(n, s);
    const int d = 50;
    const RowMatrix g = randn(n, d, 100 + n + s);
    const Vector truth = g.colwise().sum().transpose();
    for (int q = 0; q <= s; ++q) {
      for (dr::Attack a : attacks()) {
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
  morpheus::Rng rng(5);
  for (auto [n, s] : std::vector<std::pair<int, int>>{{7, 1}, {7, 2}, {11, 2}, {15, 3}, {45, 5}}) {
    dr::CyclicCode code(n, s);
    const RowMatrix g = randn(n, 20, 7 + n);
    for (int q = s + 1; q <= 2 * s; ++q)
      for (dr::Attack a : attacks())
        for (int rep = 0; rep < 3; ++rep) {
          auto adv = dr::place_adversaries(dr::Placement::Random, n, q, s, rng);
          dr::Messages m = cyclic_messages(code, g);
          dr::apply_attack(a, attack_scale(a, n, q), adv, m, rng);
          EXPECT_FALSE(code.decode(m, rng).consistent) << n << "," << s << " q=" << q << " " << dr::attack_name(a);
        }
  }
}

namespace {
// Messages of n workers over d coordinates with their clean sum.
struct Coded {
  dr::CyclicCode code;
  RowMatrix g;
  Vector truth;
  dr::Messages clean;
  Coded(int n, int s, int d, unsigned seed) : code(n, s), g(randn(n, d, seed)) {
    truth = g.colwise().sum().transpose();
    clean = cyclic_messages(code, g);
  }
};
}  // namespace

TEST(DracoCyclic, BlockSizesGiveTheSameExactSum) {
  // the decoder works block by block; every block size (1 coordinate, a few, uneven tail, one block) is exact
  for (auto [n, s] : std::vector<std::pair<int, int>>{{9, 2}, {12, 3}}) {
    Coded c(n, s, 300, 17);
    morpheus::Rng rng(4);
    dr::Messages m = c.clean;
    const auto adv = dr::place_adversaries(dr::Placement::Random, n, s, s, rng);
    dr::apply_attack(dr::Attack::SignFlip, 100, adv, m, rng);
    for (Eigen::Index block : {1, 7, 64, 299, 300, 1000, 0}) {
      const auto dec = c.code.decode(view(m.re), rng, block);
      EXPECT_TRUE(dec.consistent) << block;
      EXPECT_LE((dec.sum - c.truth).norm(), 1e-9 * c.truth.norm()) << block;
      EXPECT_EQ(dec.flagged, adv) << block;
      const Eigen::Index b = block <= 0 ? 300 : std::min<Eigen::Index>(block, 300);
      EXPECT_EQ(dec.blocks, static_cast<int>((300 + b - 1) / b)) << block;
    }
  }
}

TEST(DracoCyclic, LiarsInOneBlockOnlyAreCaught) {
  // an adversary that lies on a few coordinates of one block (honest elsewhere) is located in that block, flagged,
  // and excluded there; two adversaries lying in different blocks likewise
  const int n = 11, s = 2, d = 1000;
  Coded c(n, s, d, 23);
  morpheus::Rng rng(8);
  dr::Messages m = c.clean;
  for (int col = 700; col < 705; ++col) m.re(3, col) += 1e3;
  m.re(8, 20) = -m.re(8, 20) * 50 + 1;
  const auto dec = c.code.decode(view(m.re), rng, 64);
  EXPECT_TRUE(dec.consistent);
  EXPECT_LE((dec.sum - c.truth).norm(), 1e-9 * c.truth.norm());
  EXPECT_EQ(dec.flagged, (std::vector<int>{3, 8}));
  // a tiny lie (relative 1e-6 of one message) is located too, and the sum stays exact to 1e-9
  m = c.clean;
  m.re.row(5) *= 1 + 1e-6;
  const auto tiny = c.code.decode(view(m.re), rng, 64);
  EXPECT_LE((tiny.sum - c.truth).norm(), 1e-9 * c.truth.norm());
  EXPECT_EQ(tiny.flagged, (std::vector<int>{5}));
  // s + 1 liars within a single block: that block is inconsistent, so the whole decode is
  m = c.clean;
  for (int i : {1, 4, 9}) m.re(i, 130 + i) += 10.0 * (i + 1);
  EXPECT_FALSE(c.code.decode(view(m.re), rng, 64).consistent);
}

TEST(DracoCyclic, NonFiniteMessagesAreLocated) {
  // Inf and NaN come only from liars: their projection is set to zero, which the locator finds like any error
  for (auto [n, s] : std::vector<std::pair<int, int>>{{7, 2}, {10, 2}}) {
    Coded c(n, s, 200, 31);
    morpheus::Rng rng(2);
    dr::Messages m = c.clean;
    m.re(1, 5) = std::numeric_limits<double>::infinity();
    m.re(4, 150) = std::numeric_limits<double>::quiet_NaN();
    m.re(4, 151) = -std::numeric_limits<double>::infinity();
    const auto dec = c.code.decode(view(m.re), rng, 50);
    EXPECT_TRUE(dec.consistent);
    EXPECT_TRUE(dec.sum.allFinite());
    EXPECT_LE((dec.sum - c.truth).norm(), 1e-9 * c.truth.norm());
    EXPECT_EQ(dec.flagged, (std::vector<int>{1, 4}));
  }
}

TEST(DracoCyclic, ShapesChecked) {
  Coded c(9, 3, 40, 3);
  morpheus::Rng rng(6);
  const RowMatrix eight = randn(8, 40, 1);
  EXPECT_EQ(kind_of([&] { c.code.decode(view(eight), rng); }), morpheus::ErrorKind::InvalidParameter);
  // no coordinates: an empty, consistent sum
  const RowMatrix none(9, 0);
  const auto empty = c.code.decode(view(none), rng);
  EXPECT_EQ(empty.sum.size(), 0);
  EXPECT_TRUE(empty.consistent);
}
