// The interruptible factorizations of src/core/linalg against the Eigen decompositions they replace, side by side in
// interleaved rounds (median of the rounds), on one thread:
//   ginv (blocked QR, rank-revealing pivoted QR fallback)  vs  Eigen BDCSVD pseudo-inverse (0.1.0)
//                                                          and Eigen CompleteOrthogonalDecomposition
//   solve (blocked LU)                                     vs  Eigen PartialPivLU (0.1.0)
//   psd_solve (pivoted Cholesky)                           vs  SVD-based ginv of the Gram matrix (0.1.0), Eigen LDLT
// on full-rank random, rank-deficient (rank n/2) and constant matrices. For ours it also reports the largest CPU time
// between two cancel checks (the cancel latency a query sees, apart from scheduling), and, as the distance to the
// machine's limit, the GFLOP/s of one n x n x n matrix product (dgemm) in the same run.
//   build/linalg_bench [--sizes 500,1000,2000] [--rounds 3]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <functional>
#include <string>
#include <vector>

#include "core/dense.hpp"
#include "core/interrupt.hpp"
#include "core/linalg/cholesky.hpp"
#include "core/linalg/lu.hpp"
#include "core/random.hpp"

extern "C" void openblas_set_num_threads(int);

namespace {

using morpheus::ConstRowMap;
using morpheus::RowMap;
using morpheus::RowMatrix;
using morpheus::linalg::ColMatrix;

double cpu_seconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// The probe records the largest CPU time between consecutive checks; it never asks to stop.
double g_last = 0, g_max_gap = 0;
bool gap_probe() {
  const double now = cpu_seconds();
  g_max_gap = std::max(g_max_gap, now - g_last);
  g_last = now;
  return false;
}

RowMatrix random_matrix(Eigen::Index r, Eigen::Index c, std::uint64_t seed) {
  morpheus::Rng rng(seed);
  RowMatrix m(r, c);
  for (Eigen::Index i = 0; i < r; ++i)
    for (Eigen::Index j = 0; j < c; ++j) m(i, j) = rng.uniform(-1, 1);
  return m;
}

// The 0.1.0 pseudo-inverse: BDCSVD with the max(m, n) eps cutoff.
RowMatrix svd_ginv(const RowMatrix& a) {
  Eigen::BDCSVD<Eigen::MatrixXd> svd(a, Eigen::ComputeThinU | Eigen::ComputeThinV);
  Eigen::VectorXd s = svd.singularValues();
  const double cut = s.size() ? morpheus::ginv_default_tolerance(a.rows(), a.cols()) * s(0) : 0.0;
  for (Eigen::Index i = 0; i < s.size(); ++i) s(i) = s(i) > cut ? 1.0 / s(i) : 0.0;
  return svd.matrixV() * s.asDiagonal() * svd.matrixU().transpose();
}

struct Timing {
  std::vector<double> ms;
  double gap_ms = 0;  // largest, over the rounds
  bool finite = true;
  double median() {
    std::sort(ms.begin(), ms.end());
    return ms.empty() ? 0 : ms[ms.size() / 2];
  }
};

// Runs f once, timed (wall ms); with gaps, also the largest CPU time between cancel checks, including the time from
// the start to the first check and from the last check to the end.
void run(Timing& t, const std::function<bool()>& f, bool gaps) {
  morpheus::set_interrupt_probe(gaps ? gap_probe : nullptr);
  g_max_gap = 0;
  g_last = cpu_seconds();
  const auto a = std::chrono::steady_clock::now();
  t.finite = f() && t.finite;
  t.ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - a).count());
  if (gaps) t.gap_ms = std::max(t.gap_ms, 1000 * std::max(g_max_gap, cpu_seconds() - g_last));
  morpheus::set_interrupt_probe(nullptr);
}

std::vector<int> parse_sizes(const char* s) {
  std::vector<int> out;
  for (const char* p = s; *p;) {
    out.push_back(std::atoi(p));
    while (*p && *p != ',') ++p;
    if (*p == ',') ++p;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> sizes = {500, 1000, 2000};
  int rounds = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--sizes")) sizes = parse_sizes(argv[i + 1]);
    if (!std::strcmp(argv[i], "--rounds")) rounds = std::atoi(argv[i + 1]);
  }
  openblas_set_num_threads(1);
  std::printf("%-6s %-10s %-22s %10s %10s %10s %9s %10s\n", "n", "matrix", "operation", "ours ms", "0.1.0 ms",
              "other ms", "speed-up", "max gap ms");
  for (const int n : sizes) {
    // Machine limit: one dgemm of the same size.
    const RowMatrix g1 = random_matrix(n, n, 1), g2 = random_matrix(n, n, 2);
    RowMatrix g3(n, n);
    Timing gemm;
    for (int r = 0; r < rounds; ++r)
      run(
          gemm,
          [&] {
            g3.noalias() = g1 * g2;
            return true;
          },
          false);
    const double gflops = 2.0 * n * n * n / (gemm.median() * 1e6);
    struct Case {
      const char* name;
      RowMatrix a;
    };
    const RowMatrix full = random_matrix(n, n, 3);
    const RowMatrix half = random_matrix(n, n / 2, 4) * random_matrix(n / 2, n, 5);
    const Case cases[] = {{"random", full}, {"rank n/2", half}, {"constant", RowMatrix::Constant(n, n, 1.0)}};
    for (const Case& c : cases) {
      const ConstRowMap a(c.a.data(), n, n);
      const Eigen::MatrixXd gram = Eigen::MatrixXd(c.a.transpose()) * c.a;
      const Eigen::VectorXd rhs = gram * Eigen::VectorXd::Ones(n);
      RowMatrix out(n, n);
      Timing ours_ginv, old_ginv, cod_ginv, ours_solve, old_solve, ours_psd, old_psd, ldlt;
      for (int r = 0; r < rounds; ++r) {  // interleaved: every method once per round
        run(
            ours_ginv,
            [&] {
              morpheus::ginv(a, RowMap(out.data(), n, n));
              return out.allFinite();
            },
            true);
        // 0.1.0's BDCSVD reads out of bounds on the constant matrix (the crash of issue 12): not run there.
        const bool constant = c.name == std::string("constant");
        if (!constant)
          run(
              old_ginv, [&] { return svd_ginv(c.a).allFinite(); }, false);
        run(
            cod_ginv,
            [&] { return Eigen::MatrixXd(c.a.completeOrthogonalDecomposition().pseudoInverse()).allFinite(); }, false);
        run(
            ours_psd, [&] { return morpheus::linalg::psd_solve(gram, rhs).allFinite(); }, true);
        if (!constant)
          run(
              old_psd,
              [&] {
                const RowMatrix gr = gram;
                return Eigen::VectorXd(svd_ginv(gr) * rhs).allFinite();
              },
              false);
        run(
            ldlt, [&] { return Eigen::VectorXd(gram.ldlt().solve(rhs)).allFinite(); }, false);
        if (c.name == std::string("random")) {
          run(
              ours_solve,
              [&] {
                morpheus::linalg::Lu lu(full);
                ColMatrix x = full;
                lu.solve_in_place(x);
                return x.allFinite();
              },
              true);
          run(
              old_solve, [&] { return Eigen::MatrixXd(full.partialPivLu().solve(full)).allFinite(); }, false);
        }
      }
      auto line = [&](const char* op, Timing& ours, Timing& old, Timing* other) {
        const double o = ours.median(), p = old.median();
        const std::string other_ms = other ? std::to_string(static_cast<int>(other->median() + 0.5)) : "-";
        if (old.ms.empty()) {
          std::printf("%-6d %-10s %-22s %10.1f %10s %10s %9s %10.1f  (0.1.0 crashes)\n", n, c.name, op, o, "-",
                      other_ms.c_str(), "-", ours.gap_ms);
          return;
        }
        std::printf("%-6d %-10s %-22s %10.1f %10.1f %10s %8.2fx %10.1f%s\n", n, c.name, op, o, p, other_ms.c_str(),
                    p / o, ours.gap_ms, old.finite ? "" : "  (0.1.0 result not finite)");
      };
      line("ginv", ours_ginv, old_ginv, &cod_ginv);
      line("psd_solve (normal eq.)", ours_psd, old_psd, &ldlt);
      if (c.name == std::string("random")) line("solve (n rhs)", ours_solve, old_solve, nullptr);
    }
    std::printf("%-6d dgemm %.1f ms = %.1f GFLOP/s (the machine's limit for one core)\n", n, gemm.median(), gflops);
  }
  std::printf("other ms: Eigen CompleteOrthogonalDecomposition for ginv, Eigen LDLT for psd_solve.\n");
  return 0;
}
