// The one random generator of the extension: every random process (initializations, mini-batches, attacks, user
// drops, data generators) draws from morpheus::Rng, so `seed => s` gives the same result on every platform and
// standard library. std:: distributions and std::shuffle are not used anywhere: their algorithms are unspecified.
//
// Engine: xoshiro256** (Blackman and Vigna), seeded through splitmix64. Integers, uniforms and shuffles use integer
// and exact floating-point arithmetic only, so they are bit-identical everywhere; normal() uses the polar method,
// whose only library calls are sqrt (exact in IEEE 754) and log.
#pragma once
#include "core/no_postgres.hpp"

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <utility>

namespace morpheus {

// splitmix64 step: a bijective mix of 64 bits, used for seeding and for deriving independent streams.
constexpr std::uint64_t splitmix64(std::uint64_t x) noexcept {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

// 128-bit product for below(); __extension__ keeps -Wpedantic quiet about the GCC/Clang type.
__extension__ typedef unsigned __int128 Uint128;

class Rng {
 public:
  using result_type = std::uint64_t;

  // A generator for `seed`; streams derived with stream() are independent of it and of each other.
  explicit Rng(std::uint64_t seed = 1) noexcept { reseed(seed); }

  // The generator of stream (seed, a, b, c): e.g. (seed, iteration, worker, purpose). The same tuple always gives the
  // same stream, whatever was drawn before; use it where work may run in any order or on other nodes.
  static Rng stream(std::uint64_t seed, std::uint64_t a, std::uint64_t b = 0, std::uint64_t c = 0) noexcept {
    std::uint64_t h = splitmix64(seed);
    h = splitmix64(h ^ a);
    h = splitmix64(h ^ (b + 0x632BE59BD9B4E019ULL));
    h = splitmix64(h ^ (c + 0x8CB92BA72F3D8DD7ULL));
    return Rng(h);
  }

  void reseed(std::uint64_t seed) noexcept {
    std::uint64_t x = seed;
    for (auto& w : s_) w = splitmix64(x += 0x9E3779B97F4A7C15ULL);
    has_spare_ = false;
  }

  static constexpr result_type min() noexcept { return 0; }
  static constexpr result_type max() noexcept { return std::numeric_limits<result_type>::max(); }

  // 64 random bits.
  result_type operator()() noexcept {
    const std::uint64_t out = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return out;
  }

  // Uniform on [0, 1): the top 53 bits as a double (exact).
  double uniform() noexcept { return static_cast<double>((*this)() >> 11) * 0x1.0p-53; }
  // Uniform on [lo, hi).
  double uniform(double lo, double hi) noexcept { return lo + (hi - lo) * uniform(); }

  // Uniform integer in [0, n), unbiased (Lemire's multiply-and-reject); n > 0.
  std::uint64_t below(std::uint64_t n) noexcept {
    Uint128 m = static_cast<Uint128>((*this)()) * n;
    auto low = static_cast<std::uint64_t>(m);
    if (low < n) {
      const std::uint64_t threshold = (0 - n) % n;
      while (low < threshold) {
        m = static_cast<Uint128>((*this)()) * n;
        low = static_cast<std::uint64_t>(m);
      }
    }
    return static_cast<std::uint64_t>(m >> 64);
  }
  // Uniform integer in [lo, hi] (inclusive), lo <= hi.
  std::int64_t between(std::int64_t lo, std::int64_t hi) noexcept {
    return lo + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(hi - lo) + 1));
  }

  // Standard normal draw (Marsaglia's polar method; pairs are cached).
  double normal() noexcept {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u, v, s;
    do {
      u = 2.0 * uniform() - 1.0;
      v = 2.0 * uniform() - 1.0;
      s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    const double f = std::sqrt(-2.0 * std::log(s) / s);
    spare_ = v * f;
    has_spare_ = true;
    return u * f;
  }
  double normal(double mean, double sd) noexcept { return mean + sd * normal(); }

  // true with probability p.
  bool bernoulli(double p) noexcept { return uniform() < p; }

  // Fisher-Yates shuffle of [first, last) (random-access iterators).
  template <class It>
  void shuffle(It first, It last) noexcept {
    const auto n = last - first;
    for (decltype(last - first) i = n - 1; i > 0; --i) {
      const auto j = static_cast<decltype(i)>(below(static_cast<std::uint64_t>(i) + 1));
      using std::swap;
      swap(first[i], first[j]);
    }
  }

 private:
  static constexpr std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4];
  double spare_ = 0.0;
  bool has_spare_ = false;
};

}  // namespace morpheus
