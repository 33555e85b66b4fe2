// Dense helpers: morpheus::matmul (Eigen, products routed to OpenBLAS) against a naive triple loop, and the
// pseudo-inverse and solve, timed in the same run. Prints GFLOP/s and ratios.
//   build/dense_bench [--sizes 128,256,512,1024] [--threads 1]
// With --core-only N, prints the median time of one N x N matmul in ms (used by bench/sql_overhead.sh).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "core/dense.hpp"

extern "C" void openblas_set_num_threads(int);

namespace {

using morpheus::ConstRowMap;
using morpheus::RowMap;
using morpheus::RowMatrix;

RowMatrix random_matrix(int n, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> d(-1, 1);
  RowMatrix m(n, n);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) m(i, j) = d(gen);
  return m;
}

template <class F>
double median_ms(F&& f, int reps) {
  std::vector<double> t;
  for (int r = 0; r < reps; ++r) {
    const auto a = std::chrono::steady_clock::now();
    f();
    t.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - a).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

void naive_matmul(const RowMatrix& a, const RowMatrix& b, RowMatrix& c) {
  const int n = static_cast<int>(a.rows());
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      double s = 0;
      for (int k = 0; k < n; ++k) s += a(i, k) * b(k, j);
      c(i, j) = s;
    }
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> sizes = {128, 256, 512, 1024};
  int threads = 1;
  int core_only = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--threads")) threads = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--core-only")) core_only = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--sizes")) {
      sizes.clear();
      for (char* tok = std::strtok(argv[i + 1], ","); tok; tok = std::strtok(nullptr, ","))
        sizes.push_back(std::atoi(tok));
    }
  }
  openblas_set_num_threads(threads);
  if (core_only > 0) {
    RowMatrix a = random_matrix(core_only, 1), b = random_matrix(core_only, 2), c(core_only, core_only);
    const double ms = median_ms(
        [&] {
          morpheus::matmul(ConstRowMap(a.data(), core_only, core_only), ConstRowMap(b.data(), core_only, core_only),
                           RowMap(c.data(), core_only, core_only));
        },
        9);
    std::printf("%.4f\n", ms);
    return 0;
  }
  std::printf("dense_bench: OpenBLAS threads = %d\n", threads);
  std::printf("%6s %12s %12s %10s %12s %9s %12s %12s\n", "n", "matmul_ms", "GFLOP/s", "naive_ms", "naive_GF/s",
              "speedup", "solve_ms", "ginv_ms");
  for (int n : sizes) {
    RowMatrix a = random_matrix(n, 1), b = random_matrix(n, 2), c(n, n), d(n, n);
    ConstRowMap av(a.data(), n, n), bv(b.data(), n, n);
    const int reps = n <= 256 ? 9 : 3;
    const double mm = median_ms([&] { morpheus::matmul(av, bv, RowMap(c.data(), n, n)); }, reps);
    const double nv = n <= 512 ? median_ms([&] { naive_matmul(a, b, d); }, n <= 256 ? 3 : 1) : -1;
    const double sv = median_ms([&] { morpheus::solve(av, bv, RowMap(d.data(), n, n)); }, reps);
    const double gv = median_ms([&] { morpheus::ginv(av, RowMap(d.data(), n, n)); }, n <= 512 ? 3 : 1);
    const double flops = 2.0 * n * n * static_cast<double>(n);
    if (nv > 0)
      std::printf("%6d %12.3f %12.2f %10.1f %12.2f %8.1fx %12.3f %12.3f\n", n, mm, flops / mm / 1e6, nv,
                  flops / nv / 1e6, nv / mm, sv, gv);
    else
      std::printf("%6d %12.3f %12.2f %10s %12s %9s %12.3f %12.3f\n", n, mm, flops / mm / 1e6, "-", "-", "-", sv, gv);
  }
  return 0;
}
