// Shared helpers of the DRACO unit tests (test_draco_*.cpp): random matrices, the reference fixture, honest
// messages of both codes, the attacks, and which adversaries an attack actually changed.
#pragma once
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <numeric>
#include <vector>

#include "core/draco/draco.hpp"
#include "core/errors.hpp"
#include "core/random.hpp"

namespace dr = morpheus::draco;
using morpheus::ConstRowMap;
using morpheus::RowMatrix;
using morpheus::Vector;

namespace draco_test {

inline RowMatrix randn(int r, int c, unsigned seed, double sd = 1.0) {
  morpheus::Rng gen(seed);
  RowMatrix m(r, c);
  for (int i = 0; i < r; ++i)
    for (int j = 0; j < c; ++j) m(i, j) = sd * gen.normal();
  return m;
}
inline ConstRowMap view(const RowMatrix& m) { return ConstRowMap(m.data(), m.rows(), m.cols()); }

// the reference's fixture (section 6): n = 7, f = 1, d = 2
inline RowMatrix fixture() {
  RowMatrix v(7, 2);
  v << 0, 0, 1, 0, 0, 2, 1, 1, 2, 1, 0.5, 0.5, 50, -50;
  return v;
}

inline morpheus::ErrorKind kind_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const morpheus::Error& e) {
    return e.kind();
  }
  return morpheus::ErrorKind::Internal;
}

// Honest messages of the cyclic code for partition gradients g (n x d): W g, computed as a dense product.
inline dr::Messages cyclic_messages(const dr::CyclicCode& code, const RowMatrix& g) {
  dr::Messages m;
  m.re = code.wreal() * g;
  return m;
}

inline dr::Messages repetition_messages(int n, int s, const RowMatrix& g) {
  dr::Messages m;
  m.re.resize(n, g.cols());
  for (int i = 0; i < n; ++i) {
    m.re.row(i).setZero();
    for (int j : dr::assigned_partitions(dr::Rule::Repetition, n, s, i)) m.re.row(i) += g.row(j);
  }
  return m;
}

inline const std::vector<dr::Attack>& attacks() {
  static const std::vector<dr::Attack> all{dr::Attack::SignFlip, dr::Attack::Constant, dr::Attack::Gaussian,
                                           dr::Attack::Alie, dr::Attack::Ipm};
  return all;
}

// The adversaries whose message the attack actually changed (ALIE with z = 0 against identical honest messages,
// for instance, is a no-op and cannot be flagged).
inline std::vector<int> changed(const dr::Messages& clean, const dr::Messages& attacked, const std::vector<int>& adv) {
  std::vector<int> out;
  for (int i : adv) {
    const double diff = (clean.re.row(i) - attacked.re.row(i)).norm();
    const double size = clean.re.row(i).norm();
    if (diff > 1e-9 * size) out.push_back(i);
  }
  return out;
}

inline double attack_scale(dr::Attack a, int n, int q) {
  return a == dr::Attack::Alie ? dr::alie_z(n, q) : dr::default_attack_scale(a);
}

}  // namespace draco_test

using namespace draco_test;  // NOLINT
