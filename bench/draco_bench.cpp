// DRACO benchmark: parameter-server aggregation time per rule for n workers and gradient dimension d, under a
// sign-flip attack by s workers. DRACO's decoders (repetition, cyclic) are compared with plain averaging and the
// robust baselines; every line prints the time and its ratio to the mean. The decoders' error against the clean sum
// is printed too (repetition must be exactly 0).
//   draco_bench [--quick]
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "core/draco/draco.hpp"

namespace dr = morpheus::draco;
using morpheus::ConstRowMap;
using morpheus::RowMatrix;
using morpheus::Vector;

namespace {

double now_ms() {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

template <class F>
double time_ms(int reps, F&& f) {
  double best = 1e300;
  for (int r = 0; r < reps; ++r) {
    const double t0 = now_ms();
    f();
    best = std::min(best, now_ms() - t0);
  }
  return best;
}

void fill_random(RowMatrix& m, morpheus::Rng& rng) {
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = rng.normal();
}

}  // namespace

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  std::printf("%-18s %5s %3s %9s %12s %10s %12s\n", "rule", "n", "s", "d", "time_ms", "x_mean", "rel_error");
  struct Case {
    int n, s;
  };
  const std::vector<Case> cases{{15, 2}, {45, 4}, {100, 2}};
  const std::vector<long> dims = quick ? std::vector<long>{1000, 100000} : std::vector<long>{1000, 100000, 1000000};
  morpheus::Rng rng(1);
  for (long d : dims) {
    const int reps = d >= 1000000 ? 9 : d >= 100000 ? 5 : 20;  // the baselines run once at d = 1e6 (below)
    for (const Case& c : cases) {
      const int n = c.n, s = c.s;
      morpheus::Rng adv_rng(7);
      const auto adv = dr::place_adversaries(dr::Placement::Random, n, s, s, adv_rng);
      // partition gradients
      dr::Messages plain, rep, cyc;
      plain.re.resize(n, d);
      fill_random(plain.re, rng);
      const Vector truth = [&] {
        Vector t = Vector::Zero(d);
        for (int i = 0; i < n; ++i) t += plain.re.row(i).transpose();
        return t;
      }();
      rep.re.resize(n, d);
      for (int i = 0; i < n; ++i) {
        rep.re.row(i).setZero();
        for (int j : dr::assigned_partitions(dr::Rule::Repetition, n, s, i)) rep.re.row(i) += plain.re.row(j);
      }
      dr::CyclicCode code(n, s);
      cyc.re.resize(n, d);
      cyc.re.noalias() = code.wreal() * plain.re;  // real messages
      morpheus::Rng arng(3);
      dr::apply_attack(dr::Attack::SignFlip, 100, adv, plain, arng);
      dr::apply_attack(dr::Attack::SignFlip, 100, adv, rep, arng);
      dr::apply_attack(dr::Attack::SignFlip, 100, adv, cyc, arng);
      const ConstRowMap pv(plain.re.data(), n, d);
      // mean and the two decoders are timed interleaved (one run of each per round, best of `reps` rounds), so
      // that load from other processes on the shared machine biases none of them
      Vector out, out_rep, out_cyc;
      morpheus::Rng prng(5);
      double t_mean = 1e300, t_rep = 1e300, t_cyc = 1e300;
      for (int round = 0; round < reps; ++round) {
        t_mean = std::min(t_mean, time_ms(1, [&] { out = dr::aggregate(dr::Rule::Mean, pv, s); }));
        t_rep = std::min(t_rep, time_ms(1, [&] {
                           auto r = dr::decode_repetition(ConstRowMap(rep.re.data(), n, d), s);
                           out_rep = std::move(r.sum);
                         }));
        t_cyc = std::min(t_cyc, time_ms(1, [&] { out_cyc = code.decode(cyc, prng).sum; }));
      }
      auto line = [&](const char* name, double t, double err) {
        std::printf("%-18s %5d %3d %9ld %12.3f %10.2f %12.3g\n", name, n, s, d, t, t / t_mean, err);
        std::fflush(stdout);
      };
      line("mean", t_mean, std::nan(""));
      line("draco_repetition", t_rep, (out_rep - truth).norm() / truth.norm());
      line("draco_cyclic", t_cyc, (out_cyc - truth).norm() / truth.norm());
      double err = 0;
      rep = dr::Messages();
      cyc = dr::Messages();
      const bool big = d >= 1000000;
      for (dr::Rule r : {dr::Rule::Median, dr::Rule::TrimmedMean, dr::Rule::GeometricMedian, dr::Rule::Krum,
                         dr::Rule::MultiKrum, dr::Rule::Bulyan}) {
        if (r == dr::Rule::Bulyan && n < 4 * s + 3) continue;
        if (big && quick) continue;
        int iters = 0;
        // at d = 1e6 the baselines run once (the geometric median, which the targets compare with, best of 3)
        const double t = time_ms(big ? (r == dr::Rule::GeometricMedian ? 3 : 1) : reps, [&] {
          if (r == dr::Rule::GeometricMedian) {
            auto g = dr::geometric_median(pv);
            iters = g.iterations;
            out = g.z;
          } else {
            out = dr::aggregate(r, pv, s);
          }
        });
        err = (out * n - truth).norm() / truth.norm();
        std::string name = dr::rule_name(r);
        if (r == dr::Rule::GeometricMedian) name += "(" + std::to_string(iters) + "it)";
        line(name.c_str(), t, err);
      }
    }
  }
  return 0;
}
