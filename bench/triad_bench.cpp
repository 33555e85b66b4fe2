// The machine's memory bandwidth for the floor of bench/morpheus_real.sh: STREAM's triad a[i] = b[i] + s c[i] on
// three arrays far larger than the L3 cache, single thread, best of 10; 24 bytes per element (read b, c, write a).
//   build/triad_bench [MB per array, default 256]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

int main(int argc, char** argv) {
  const std::size_t mb = argc > 1 ? static_cast<std::size_t>(std::atol(argv[1])) : 256;
  const std::size_t n = mb * (1u << 20) / sizeof(double);
  std::vector<double> a(n, 0.0), b(n, 1.0), c(n, 2.0);
  double best = 1e30;
  for (int rep = 0; rep < 10; ++rep) {
    const double s = 1.0 + rep * 1e-3;
    const auto t0 = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < n; ++i) a[i] = b[i] + s * c[i];
    const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    best = std::min(best, sec);
  }
  std::printf("triad_gbps %.2f  (n = %zu doubles per array, best of 10, check %.1f)\n", 24.0 * n / best / 1e9, n,
              a[n / 2]);
  return 0;
}
