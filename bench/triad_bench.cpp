// The machine's memory bandwidth for the floor of bench/morpheus_real.sh: STREAM's triad a[i] = b[i] + s c[i] on
// three arrays far larger than the L3 cache, single thread, best of 10; 24 bytes per element (read b, c, write a).
//   build/triad_bench [MB per array, default 256]
// and what a second thread can add (the ceiling of morpheus.threads = 2 on this machine), best of 5 rounds:
//   build/triad_bench threads
// prints, for a compute-bound loop and for the triad with working sets in L2, in L3 and in DRAM, the throughput of
// two threads (each on its own arrays) over one thread's.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double triad(std::vector<double>& a, const std::vector<double>& b, const std::vector<double>& c, int reps) {
  const std::size_t n = a.size();
  for (int r = 0; r < reps; ++r) {
    const double s = 1.0 + r * 1e-3;
    for (std::size_t i = 0; i < n; ++i) a[i] = b[i] + s * c[i];
  }
  return a[n / 2];
}

// Eight independent multiply-add chains: bound by the core's arithmetic, not by memory.
double compute(long iters) {
  double v[8] = {1, 1, 1, 1, 1, 1, 1, 1};
  for (long i = 0; i < iters; ++i)
    for (double& x : v) x = x * 0.9999999 + 1e-9;
  double s = 0;
  for (double x : v) s += x;
  return s;
}

// Seconds for `threads` threads each running work(t) once, started together.
template <class Work>
double timed(int threads, const Work& work) {
  std::vector<double> sink(static_cast<std::size_t>(threads));
  const auto t0 = Clock::now();
  std::vector<std::thread> team;
  for (int t = 0; t < threads; ++t) team.emplace_back([&, t] { sink[static_cast<std::size_t>(t)] = work(t); });
  for (auto& th : team) th.join();
  const double sec = std::chrono::duration<double>(Clock::now() - t0).count();
  if (sink[0] == 12345.678) std::printf(" ");  // keeps the work
  return sec;
}

int threads_mode() {
  std::printf("two threads over one (same work per thread; > 1.9 means the second vCPU is a full core for it)\n");
  double best1 = 1e30, best2 = 1e30;
  for (int r = 0; r < 5; ++r) {
    best1 = std::min(best1, timed(1, [](int) { return compute(100000000); }));
    best2 = std::min(best2, timed(2, [](int) { return compute(100000000); }));
  }
  std::printf("compute-bound loop              %5.2fx\n", 2 * best1 / best2);
  const struct {
    const char* what;
    std::size_t doubles;  // per array per thread
  } sizes[] = {{"triad, 0.75 MB per thread (L2)", 32768},
               {"triad, 12 MB per thread (L3)", 524288},
               {"triad, 384 MB per thread (DRAM)", 16777216}};
  for (const auto& sz : sizes) {
    const int reps = static_cast<int>(std::max<std::size_t>(1, (std::size_t{1} << 27) / sz.doubles));
    std::vector<std::vector<double>> a(2, std::vector<double>(sz.doubles, 0.0)),
        b(2, std::vector<double>(sz.doubles, 1.0)), c(2, std::vector<double>(sz.doubles, 2.0));
    best1 = 1e30, best2 = 1e30;
    for (int r = 0; r < 5; ++r) {
      best1 = std::min(best1, timed(1, [&](int t) { return triad(a[t], b[t], c[t], reps); }));
      best2 = std::min(best2, timed(2, [&](int t) { return triad(a[t], b[t], c[t], reps); }));
    }
    const double bytes = 24.0 * static_cast<double>(sz.doubles) * reps;
    std::printf("%-31s %5.2fx  (1 thread %.1f GB/s, 2 threads %.1f GB/s)\n", sz.what, 2 * best1 / best2,
                bytes / best1 / 1e9, 2 * bytes / best2 / 1e9);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "threads") == 0) return threads_mode();
  const std::size_t mb = argc > 1 ? static_cast<std::size_t>(std::atol(argv[1])) : 256;
  const std::size_t n = mb * (1u << 20) / sizeof(double);
  std::vector<double> a(n, 0.0), b(n, 1.0), c(n, 2.0);
  double best = 1e30;
  for (int rep = 0; rep < 10; ++rep) best = std::min(best, timed(1, [&](int) { return triad(a, b, c, 1); }));
  std::printf("triad_gbps %.2f  (n = %zu doubles per array, best of 10, check %.1f)\n", 24.0 * n / best / 1e9, n,
              a[n / 2]);
  return 0;
}
