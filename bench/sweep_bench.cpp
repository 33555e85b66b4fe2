// Width/batch sweep on Fashion-MNIST (a training subset) with the same core code as morpheus.width_sweep:
//   1. GEMM peak of this machine (OpenBLAS dgemm through Eigen, one thread), and training throughput in GFLOP/s of
//      the sweep's networks beside it;
//   2. the sweep: for each depth at one parameter budget, batch sizes 32..4096 with the learning rate tuned per
//      (depth, batch size); epochs and iterations to a training-loss target, speed-up, critical batch size, gradient
//      diversity and B_S of the initial network;
//   3. the verdict on the claim (wider => larger critical batch and larger B_S), and a CSV for the plot.
// Usage: sweep_bench [--rows N] [--budget P] [--depths 1,8] [--batches 32,64,...] [--rates 0.05,...] [--target T]
//                    [--max-epochs E] [--evals K] [--seed S] [--slack D] [--csv FILE] [--data DIR]
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/sweep/mlp.hpp"
#include "core/sweep/sweep.hpp"

extern "C" void openblas_set_num_threads(int num_threads);

using namespace morpheus::sweep;
using morpheus::RowMatrix;
using Clock = std::chrono::steady_clock;

namespace {

std::vector<unsigned char> gunzip(const std::string& path) {
  const std::string cmd = "gzip -dc '" + path + "'";
  FILE* f = popen(cmd.c_str(), "r");
  if (f == nullptr) throw std::runtime_error("cannot run " + cmd);
  std::vector<unsigned char> out;
  unsigned char buf[1 << 16];
  size_t got;
  while ((got = fread(buf, 1, sizeof buf, f)) > 0) out.insert(out.end(), buf, buf + got);
  if (pclose(f) != 0) throw std::runtime_error("failed: " + cmd);
  return out;
}

std::uint32_t be32(const unsigned char* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

// The first `rows` training images (pixels / 255) and labels, as scripts/load-fashion-mnist.sh loads them.
Dataset load_fashion(const std::string& dir, std::int64_t rows) {
  const auto img = gunzip(dir + "/train-images-idx3-ubyte.gz");
  const auto lab = gunzip(dir + "/train-labels-idx1-ubyte.gz");
  if (img.size() < 16 || be32(img.data()) != 2051 || lab.size() < 8 || be32(lab.data()) != 2049)
    throw std::runtime_error("not an IDX image/label pair in " + dir);
  const std::int64_t n = std::min<std::int64_t>(rows, be32(img.data() + 4));
  const std::int64_t d = std::int64_t{be32(img.data() + 8)} * be32(img.data() + 12);
  Dataset data;
  data.classes = 10;
  data.x.resize(n, d);
  data.y.resize(static_cast<size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    for (std::int64_t j = 0; j < d; ++j) data.x(i, j) = img[static_cast<size_t>(16 + i * d + j)] / 255.0;
    data.y[static_cast<size_t>(i)] = lab[static_cast<size_t>(8 + i)];
  }
  return data;
}

template <class T>
std::vector<T> parse_list(const char* s) {
  std::vector<T> v;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) v.push_back(static_cast<T>(std::stod(item)));
  return v;
}

double gemm_gflops(std::int64_t m, std::int64_t k, std::int64_t n, double seconds_min) {
  RowMatrix a = RowMatrix::Random(m, k), b = RowMatrix::Random(k, n), c(m, n);
  c.noalias() = a * b;  // warm-up
  int reps = 0;
  const auto t0 = Clock::now();
  double el = 0;
  do {
    c.noalias() = a * b;
    ++reps;
    el = std::chrono::duration<double>(Clock::now() - t0).count();
  } while (el < seconds_min);
  volatile double sink = c(0, 0);
  (void)sink;
  return 2.0 * m * k * n * reps / el / 1e9;
}

class StderrProgress final : public morpheus::Progress {
 public:
  void step(std::int64_t k, std::int64_t total, double loss) override {
    const double el = std::chrono::duration<double>(Clock::now() - start_).count();
    std::fprintf(stderr, "\r  run %lld of %lld, elapsed %.0f s, ETA %.0f s   ", static_cast<long long>(k),
                 static_cast<long long>(total), el, el * (total - k) / std::max<std::int64_t>(k, 1));
    if (k == total) std::fprintf(stderr, "\n");
  }

 private:
  Clock::time_point start_ = Clock::now();
};

}  // namespace

int main(int argc, char** argv) {
  openblas_set_num_threads(1);
  std::string dir = "/usr/share/datasets/fashion-mnist";
  std::string csv = "sweep_bench.csv";
  SweepOptions opt;
  std::int64_t rows = 8192;
  opt.param_budget = 100000;
  opt.depths = {1, 8};
  opt.batch_sizes = {32, 64, 128, 256, 512, 1024, 2048, 4096};
  opt.learning_rates = {0.025, 0.05, 0.1, 0.2, 0.4, 0.8, 1.6};
  opt.target_loss = 0.6;
  opt.max_epochs = 30;
  opt.evals_per_epoch = 2;
  opt.seed = 1;
  opt.critical_slack = 0.2;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    const char* v = argv[i + 1];
    if (a == "--rows")
      rows = std::atoll(v);
    else if (a == "--budget")
      opt.param_budget = std::atoll(v);
    else if (a == "--depths")
      opt.depths = parse_list<std::int64_t>(v);
    else if (a == "--batches")
      opt.batch_sizes = parse_list<std::int64_t>(v);
    else if (a == "--rates")
      opt.learning_rates = parse_list<double>(v);
    else if (a == "--target")
      opt.target_loss = std::atof(v);
    else if (a == "--max-epochs")
      opt.max_epochs = std::atof(v);
    else if (a == "--evals")
      opt.evals_per_epoch = std::atoll(v);
    else if (a == "--seed")
      opt.seed = std::strtoull(v, nullptr, 10);
    else if (a == "--slack")
      opt.critical_slack = std::atof(v);
    else if (a == "--csv")
      csv = v;
    else if (a == "--data")
      dir = v;
    else {
      std::fprintf(stderr, "unknown option %s\n", a.c_str());
      return 2;
    }
  }
  std::FILE* la = std::fopen("/proc/loadavg", "r");
  char load[128] = "?";
  if (la != nullptr) {
    if (std::fgets(load, sizeof load, la) == nullptr) std::strcpy(load, "?");
    std::fclose(la);
    load[std::strcspn(load, "\n")] = 0;
  }
  std::printf("# sweep_bench: Fashion-MNIST train subset, one BLAS thread; load average at start: %s\n", load);
  const Dataset data = load_fashion(dir, rows);
  std::printf("data: %lld rows x %lld features, %d classes\n", static_cast<long long>(data.rows()),
              static_cast<long long>(data.x.cols()), data.classes);

  // ---- 1. GEMM peak and training throughput -------------------------------------------------------------------
  const double peak = gemm_gflops(1024, 1024, 1024, 1.5);
  std::printf("\nGEMM peak (dgemm 1024^3, OpenBLAS via Eigen, 1 thread): %.2f GFLOP/s\n", peak);
  std::printf("\n%-6s %-6s %-8s %-6s %12s %12s %10s\n", "depth", "width", "params", "batch", "train GF/s", "GEMM GF/s",
              "ratio");
  for (const auto depth : opt.depths) {
    const std::int64_t width = width_for_budget(data.x.cols(), 10, depth, opt.param_budget);
    for (const std::int64_t b : {32, 256, 4096}) {
      if (b > data.rows()) continue;
      Network net(Arch{data.x.cols(), 10, depth, width, Family::Mlp}, 1);
      TrainOptions t;
      t.batch_size = b;
      t.learning_rate = 0.01;
      t.max_epochs = std::max(1.0, 4096.0 * 6 / static_cast<double>(data.rows()));
      t.evals_per_epoch = 1;
      const TrainResult r = train(net, data, t);
      // GEMM of the first layer's forward product at this batch, for a like-for-like ratio.
      const double g = gemm_gflops(b, data.x.cols(), width, 0.3);
      std::printf("%-6lld %-6lld %-8lld %-6lld %12.2f %12.2f %9.0f%%\n", static_cast<long long>(depth),
                  static_cast<long long>(width), static_cast<long long>(net.parameters()), static_cast<long long>(b),
                  r.train_flops / r.train_seconds / 1e9, g, 100.0 * r.train_flops / r.train_seconds / 1e9 / peak);
    }
  }

  // ---- 2. the sweep -----------------------------------------------------------------------------------------------
  std::printf("\nsweep: budget %lld, target training loss %.3g, max %.0f epochs, %lld evaluations/epoch, seed %llu\n",
              static_cast<long long>(opt.param_budget), opt.target_loss, opt.max_epochs,
              static_cast<long long>(opt.evals_per_epoch), static_cast<unsigned long long>(opt.seed));
  StderrProgress progress;
  const auto t0 = Clock::now();
  const std::vector<SweepRow> out = width_sweep(data, opt, &progress);
  const double sweep_s = std::chrono::duration<double>(Clock::now() - t0).count();
  std::FILE* f = std::fopen(csv.c_str(), "w");
  if (f == nullptr) throw std::runtime_error("cannot write " + csv);
  std::fprintf(f,
               "depth,width,params,batch_size,best_lr,reached,epochs,iterations,speedup,efficiency,b_crit,"
               "diversity,b_s,final_loss,train_gflops,ideal_iterations\n");
  std::printf("%-5s %-5s %-7s %-5s %-6s %-7s %-9s %-7s %-5s %-6s %-9s %-8s\n", "depth", "width", "params", "batch",
              "lr", "epochs", "iters", "speedup", "eff", "b_crit", "B_S(init)", "loss");
  double flops = 0, ms = 0;
  const SweepRow* base = nullptr;
  for (const SweepRow& r : out) {
    if (base == nullptr || base->depth != r.depth) base = &r;
    const double ideal = base->reached ? base->iterations_to_target * static_cast<double>(base->batch_size) /
                                             static_cast<double>(r.batch_size)
                                       : std::nan("");
    flops += r.train_flops;
    ms += r.train_ms;
    std::printf("%-5lld %-5lld %-7lld %-5lld %-6g ", static_cast<long long>(r.depth), static_cast<long long>(r.width),
                static_cast<long long>(r.params), static_cast<long long>(r.batch_size), r.best_learning_rate);
    if (r.reached)
      std::printf("%-7.2f %-9.1f %-7.2f %-5.2f ", r.epochs_to_target, r.iterations_to_target, r.speedup, r.efficiency);
    else
      std::printf("%-7s %-9s %-7s %-5s ", "-", "-", "-", "-");
    std::printf("%-6lld %-9.2f %-8.4f\n", static_cast<long long>(r.has_critical ? r.critical_batch_size : 0),
                r.batch_size_bound, r.final_loss);
    std::fprintf(f, "%lld,%lld,%lld,%lld,%g,%d,", static_cast<long long>(r.depth), static_cast<long long>(r.width),
                 static_cast<long long>(r.params), static_cast<long long>(r.batch_size), r.best_learning_rate,
                 r.reached ? 1 : 0);
    if (r.reached)
      std::fprintf(f, "%.6g,%.6g,%.6g,%.6g,", r.epochs_to_target, r.iterations_to_target, r.speedup, r.efficiency);
    else
      std::fprintf(f, "NaN,NaN,NaN,NaN,");
    std::fprintf(f, "%lld,%.6g,%.6g,%.6g,%.4g,%.6g\n",
                 static_cast<long long>(r.has_critical ? r.critical_batch_size : 0), r.gradient_diversity,
                 r.batch_size_bound, r.final_loss, r.train_flops / r.train_ms / 1e6, ideal);
  }
  std::fclose(f);
  std::printf("\nsweep wall time %.0f s; SGD steps %.1f GFLOP in %.0f s = %.2f GFLOP/s (%.0f%% of GEMM peak)\n",
              sweep_s, flops / 1e9, ms / 1000, flops / ms / 1e6, 100.0 * flops / ms / 1e6 / peak);

  // ---- 3. the claim -----------------------------------------------------------------------------------------------
  std::printf("\nper depth: critical batch size (epochs within %.0f%% of the smallest batch) and B_S at init\n",
              100 * opt.critical_slack);
  const SweepRow* wide = nullptr;
  const SweepRow* deep = nullptr;
  for (const SweepRow& r : out) {
    if (r.batch_size != out.front().batch_size) continue;
    std::printf("  depth %lld width %lld: B_crit = %lld, B_S = %.2f, diversity = %.3g\n",
                static_cast<long long>(r.depth), static_cast<long long>(r.width),
                static_cast<long long>(r.has_critical ? r.critical_batch_size : 0), r.batch_size_bound,
                r.gradient_diversity);
    if (wide == nullptr || r.width > wide->width) wide = &r;
    if (deep == nullptr || r.width < deep->width) deep = &r;
  }
  if (wide != nullptr && deep != nullptr && wide != deep) {
    const bool crit = wide->critical_batch_size > deep->critical_batch_size;
    const bool crit_eq = wide->critical_batch_size == deep->critical_batch_size;
    const bool bs = wide->batch_size_bound > deep->batch_size_bound;
    std::printf("claim: B_crit(wide) > B_crit(deep): %s (%lld vs %lld); B_S(wide) > B_S(deep): %s (%.2f vs %.2f)\n",
                crit ? "yes" : (crit_eq ? "tie" : "no"), static_cast<long long>(wide->critical_batch_size),
                static_cast<long long>(deep->critical_batch_size), bs ? "yes" : "no", wide->batch_size_bound,
                deep->batch_size_bound);
  }
  std::printf("csv: %s\n", csv.c_str());
  return 0;
}
