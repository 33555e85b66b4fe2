// DRACO repetition code: bit-exact decoding under every placement and attack, the limit beyond s; code sizes and
// adversary placement.
#include "test_draco_util.hpp"

TEST(DracoRepetition, BitExactUnderEveryPlacementAndAttack) {
  morpheus::Rng rng(3);
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
      for (dr::Attack a : attacks())
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
  morpheus::Rng rng(1);
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
  EXPECT_EQ(kind_of([] { dr::require_code_size(dr::Rule::Cyclic, 301, 1); }), morpheus::ErrorKind::InvalidParameter);
  EXPECT_EQ(kind_of([] { dr::require_code_size(dr::Rule::Cyclic, 65, 5); }), morpheus::ErrorKind::InvalidParameter);
  EXPECT_EQ(kind_of([] { dr::require_code_size(dr::Rule::Cyclic, 46, 6); }), morpheus::ErrorKind::InvalidParameter);
  for (auto [n, s] :
       std::vector<std::pair<int, int>>{{30, 14}, {45, 6}, {64, 5}, {100, 4}, {150, 3}, {200, 2}, {300, 1}})
    EXPECT_NO_THROW(dr::require_code_size(dr::Rule::Cyclic, n, s)) << n << "," << s;
  EXPECT_NO_THROW(dr::require_code_size(dr::Rule::Repetition, 110, 5));
  morpheus::Rng rng(1);
  EXPECT_EQ(dr::place_adversaries(dr::Placement::Omniscient, 15, 5, 2, rng), (std::vector<int>{0, 1, 2, 5, 6}));
  const auto r1 = dr::place_adversaries(dr::Placement::Random, 15, 4, 2, rng);
  EXPECT_EQ(r1.size(), 4u);
  EXPECT_TRUE(std::is_sorted(r1.begin(), r1.end()));
  EXPECT_NE(r1, dr::place_adversaries(dr::Placement::Random, 15, 4, 2, rng));  // redrawn (fails w.p. ~1/1365)
}
