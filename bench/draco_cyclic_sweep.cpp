// Sweep of the cyclic decoder over its allowed (n, s) range: every n <= 64, n = 65, 72, ..., 296 and the range
// edges 100, 150, 200, 300; every allowed s,
// 24 trials each (s liars or fewer, random or fixed placement, ALIE / signflip / IPM / Gaussian). Prints every trial
// whose relative error exceeds 1e-9 or that reports a false inconsistency, and the worst error (docs/draco.md quotes
// it).
#include <cstdio>
#include <random>
#include <vector>

#include "core/draco/draco.hpp"
namespace dr = morpheus::draco;
int main() {
  morpheus::Rng rng(2);
  double overall = 0;
  std::vector<int> sizes;
  for (int n = 3; n <= 300; n += (n < 65 ? 1 : 7)) sizes.push_back(n);
  for (int n : {100, 150, 200, 300}) sizes.push_back(n);
  for (int n : sizes) {
    for (int s = 1; s <= dr::cyclic_max_tolerance(n); ++s) {
      dr::CyclicCode code(n, s);
      morpheus::RowMatrix g(n, 8);
      for (int i = 0; i < g.size(); ++i) g.data()[i] = rng.normal();
      morpheus::Vector truth = g.colwise().sum().transpose();
      const morpheus::RowMatrix r = code.wreal() * g;
      for (int rep = 0; rep < 24; ++rep) {
        dr::Messages m;
        m.re = r;
        int q = rep < 4 ? s : rep % s;
        auto adv = dr::place_adversaries(rep % 3 == 1 ? dr::Placement::Fixed : dr::Placement::Random, n, q, s, rng);
        dr::Attack a = rep % 4 == 0   ? dr::Attack::Alie
                       : rep % 4 == 1 ? dr::Attack::SignFlip
                       : rep % 4 == 2 ? dr::Attack::Ipm
                                      : dr::Attack::Gaussian;
        dr::apply_attack(a, a == dr::Attack::Alie ? 1.0 : dr::default_attack_scale(a), adv, m, rng);
        auto d = code.decode(m, rng);
        double e = (d.sum - truth).norm() / truth.norm() + (d.consistent ? 0 : 1e9);
        if (e > 1e-9)
          std::printf("FAIL n=%d s=%d q=%d attack=%s err=%.3g residual=%.3g flagged=%zu\n", n, s, q, dr::attack_name(a),
                      e, d.residual, d.flagged.size());
        overall = std::max(overall, e);
      }
    }
  }
  std::printf("worst %.3g\n", overall);
}
