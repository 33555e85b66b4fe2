// The portable generator: reference streams from an independent implementation (tests/unit/reference/
// random_reference.py, written from the xoshiro256** and splitmix64 papers), and the statistics of every draw kind.
// The option parser's message format.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "core/options.hpp"
#include "core/random.hpp"

namespace morpheus {
namespace {

TEST(Random, MatchesReferenceStream) {
  Rng a(1);
  EXPECT_EQ(a(), 0xf9d20113ec80c6d5ULL);
  EXPECT_EQ(a(), 0xd16e236e5cdc6563ULL);
  EXPECT_EQ(a(), 0x68a40f278366062aULL);
  Rng b(42);
  EXPECT_EQ(b(), 0xbe15272cdf80b6c2ULL);
  EXPECT_EQ(b(), 0xaf6e2ee49ff5d0e3ULL);
  EXPECT_EQ(b(), 0xca56edd0338a318fULL);
}

TEST(Random, BelowUniformAndStreamMatchReference) {
  Rng r(7);
  const std::vector<std::uint64_t> want{3, 4, 9, 3, 5, 5, 5, 7, 8, 6};
  for (auto w : want) EXPECT_EQ(r.below(10), w);
  Rng u(7);
  EXPECT_EQ(u.uniform(), 0.38152029564861734);
  EXPECT_EQ(u.uniform(), 0.4698630073730329);
  Rng s = Rng::stream(1, 2, 3, 4);
  EXPECT_EQ(s(), Rng(0xd5a7c9c31bdab298ULL)());
}

TEST(Random, SameSeedSameStreamOtherSeedOtherStream) {
  Rng a(5), b(5), c(6);
  for (int i = 0; i < 100; ++i) {
    const auto x = a();
    EXPECT_EQ(x, b());
    EXPECT_NE(x, c());
  }
}

TEST(Random, UniformMomentsAndRange) {
  Rng r(3);
  const int n = 200000;
  double sum = 0, sq = 0;
  for (int i = 0; i < n; ++i) {
    const double x = r.uniform();
    ASSERT_GE(x, 0.0);
    ASSERT_LT(x, 1.0);
    sum += x;
    sq += x * x;
  }
  const double mean = sum / n, var = sq / n - mean * mean;
  EXPECT_NEAR(mean, 0.5, 4 * std::sqrt(1.0 / 12 / n));
  EXPECT_NEAR(var, 1.0 / 12, 0.002);
}

TEST(Random, NormalMomentsAndTails) {
  Rng r(11);
  const int n = 200000;
  double sum = 0, sq = 0;
  int beyond2 = 0;
  for (int i = 0; i < n; ++i) {
    const double x = r.normal();
    sum += x;
    sq += x * x;
    beyond2 += std::abs(x) > 2;
  }
  const double mean = sum / n, var = sq / n - mean * mean;
  EXPECT_NEAR(mean, 0.0, 4 / std::sqrt(n));
  EXPECT_NEAR(var, 1.0, 0.02);
  // P(|Z| > 2) = 0.0455 (textbook table).
  EXPECT_NEAR(beyond2 / static_cast<double>(n), 0.0455, 0.003);
}

TEST(Random, BelowIsUnbiasedChiSquare) {
  Rng r(13);
  const int k = 7, n = 70000;
  std::vector<int> counts(k, 0);
  for (int i = 0; i < n; ++i) ++counts[r.below(k)];
  double chi2 = 0;
  for (int c : counts) chi2 += (c - n / k) * (c - n / k) / static_cast<double>(n / k);
  EXPECT_LT(chi2, 22.46);  // chi-square, 6 degrees of freedom, p = 0.001
  for (int i = 0; i < 1000; ++i) {
    const auto v = r.between(-3, 3);
    ASSERT_GE(v, -3);
    ASSERT_LE(v, 3);
  }
}

TEST(Random, ShuffleIsAPermutationWithUniformPositions) {
  Rng r(17);
  const int n = 5, trials = 50000;
  std::vector<std::vector<int>> where(n, std::vector<int>(n, 0));
  for (int t = 0; t < trials; ++t) {
    std::vector<int> v(n);
    std::iota(v.begin(), v.end(), 0);
    r.shuffle(v.begin(), v.end());
    std::vector<int> sorted = v;
    std::sort(sorted.begin(), sorted.end());
    for (int i = 0; i < n; ++i) ASSERT_EQ(sorted[i], i);
    for (int i = 0; i < n; ++i) ++where[v[i]][i];
  }
  for (int a = 0; a < n; ++a)
    for (int i = 0; i < n; ++i) EXPECT_NEAR(where[a][i] / static_cast<double>(trials), 1.0 / n, 0.015);
}

enum class Fruit { Apple, Pear };

TEST(Options, ParsesKnownAndNamesTheArgumentAndValidValues) {
  const auto table = {Choice<Fruit>{"apple", Fruit::Apple}, Choice<Fruit>{"pear", Fruit::Pear}};
  EXPECT_EQ(parse_choice("fruit", "pear", table), Fruit::Pear);
  EXPECT_STREQ(choice_name(Fruit::Apple, table), "apple");
  try {
    parse_choice("fruit", "Pear", table);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidParameter);
    EXPECT_STREQ(e.what(), "unknown fruit \"Pear\"");
    EXPECT_EQ(e.hint(), "valid values: apple, pear");
  }
}

}  // namespace
}  // namespace morpheus
