// The width experiment (Chen et al. 2018, "The Effect of Network Width on the Performance of Large-batch Training"),
// with the same core code as morpheus.width_sweep_run: Fashion-MNIST training images pooled 2 x 2 to 14 x 14, one
// parameter budget, several depths, batch sizes, learning rates searched per (depth, batch) on tuning seeds and
// evaluated on held-out seeds, several targets read from one training curve.
//   * Every finished run is appended to a CSV (flushed) before the next starts; a new call with the same options
//     resumes from it (the rows of runs already there are reused), so seeds can be added while an interval straddles
//     the decision.
//   * --cost prints the predicted minutes (width_sweep_cost) and exits.
//   * --analyze reads the CSV only and prints the fits, summaries and verdicts (width_sweep_fit / _summary /
//     _verdict), and writes the plot data (--plot FILE).
//   * --diversity: B_S = n x gradient diversity along SGD (checkpoints 0, 1, 2, 4 epochs, 3 seeds, batch 32 at the
//     tuned rate of the first target, 2048 sampled rows) per depth, averaged with its t-interval
//     (gradient_diversity_trajectory); with --analyze it runs after the readings.
//   * Beside it, the GEMM peak of this machine and the training throughput of the sweep's networks.
// Usage: width_experiment [--rows 8192] [--pool 2] [--budget 100000] [--depths 1,2,4,8] [--batches 16,...,1024]
//          [--seeds 1,2,3,4,5] [--tuning-seeds 101,102,103] [--targets 0.45,0.35] [--lr 0.1] [--min-lr 1e-4]
//          [--max-lr 100] [--max-epochs 60] [--evals 4] [--eval-rows 2048] [--csv FILE] [--plot FILE] [--cost]
//          [--analyze] [--diversity] [--expected-epochs E] [--data DIR]
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "core/sweep/analysis.hpp"
#include "core/sweep/cost.hpp"
#include "core/sweep/data.hpp"
#include "core/sweep/diversity.hpp"
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

// The first `rows` training images (pixels / 255, as scripts/load-fashion-mnist.sh loads them), pooled by `pool`
// (mean), and their labels.
Dataset load_fashion(const std::string& dir, std::int64_t rows, std::int64_t pool) {
  const auto img = gunzip(dir + "/train-images-idx3-ubyte.gz");
  const auto lab = gunzip(dir + "/train-labels-idx1-ubyte.gz");
  if (img.size() < 16 || be32(img.data()) != 2051 || lab.size() < 8 || be32(lab.data()) != 2049)
    throw std::runtime_error("not an IDX image/label pair in " + dir);
  const std::int64_t n = std::min<std::int64_t>(rows, be32(img.data() + 4));
  const std::int64_t h = be32(img.data() + 8), w = be32(img.data() + 12);
  const std::int64_t ph = (h + pool - 1) / pool, pw = (w + pool - 1) / pool;
  Dataset data;
  data.classes = 10;
  data.x.resize(n, ph * pw);
  data.y.resize(static_cast<size_t>(n));
  std::vector<double> px(static_cast<size_t>(h * w));
  for (std::int64_t i = 0; i < n; ++i) {
    for (std::int64_t j = 0; j < h * w; ++j)
      px[static_cast<size_t>(j)] = img[static_cast<size_t>(16 + i * h * w + j)] / 255.0;
    const std::vector<double> p = pool_image(px.data(), h * w, h, w, pool, PoolKind::Mean);
    for (std::int64_t j = 0; j < ph * pw; ++j) data.x(i, j) = p[static_cast<size_t>(j)];
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
  return 2.0 * static_cast<double>(m * k * n) * reps / el / 1e9;
}

const char* kHeader =
    "settings,depth,width,params,batch_size,seed,role,learning_rate,target_loss,reached,epochs_to_target,"
    "iterations_to_target,final_loss,epochs_run,diverged,stopped_early,rate_at_edge,train_ms,run_ms,train_gflop";

// The CSV as a RunStore: rows of earlier calls are reused when their settings match; new runs are appended and
// flushed one run at a time.
class CsvStore final : public RunStore {
 public:
  CsvStore(const std::string& path, std::string settings) : settings_(std::move(settings)) {
    std::ifstream in(path);
    std::string line;
    bool header = true;
    while (std::getline(in, line)) {
      if (header) {
        header = false;
        continue;
      }
      std::stringstream ss(line);
      std::vector<std::string> f;
      std::string item;
      while (std::getline(ss, item, ',')) f.push_back(item);
      if (f.size() < 20) continue;  // a torn last line of an interrupted write
      RunRow r;
      r.depth = std::stoll(f[1]);
      r.width = std::stoll(f[2]);
      r.params = std::stoll(f[3]);
      r.batch_size = std::stoll(f[4]);
      r.seed = std::stoll(f[5]);
      r.role = f[6] == "tune" ? Role::Tune : Role::Eval;
      r.learning_rate = std::stod(f[7]);
      r.target_loss = std::stod(f[8]);
      r.reached = f[9] == "1";
      r.epochs_to_target = std::stod(f[10]);
      r.iterations_to_target = std::stod(f[11]);
      r.final_loss = std::stod(f[12]);
      r.epochs_run = std::stod(f[13]);
      r.diverged = f[14] == "1";
      r.stopped_early = f[15] == "1";
      r.rate_at_edge = f[16] == "1";
      r.train_ms = std::stod(f[17]);
      r.run_ms = std::stod(f[18]);
      r.train_gflop = std::stod(f[19]);
      all_.push_back(r);
      if (f[0] == settings_)
        found_[{r.depth, r.batch_size, r.seed, static_cast<int>(r.role), r.learning_rate}].push_back(r);
    }
    const bool fresh = all_.empty() && !std::ifstream(path).good();
    out_ = std::fopen(path.c_str(), "a");
    if (out_ == nullptr) throw std::runtime_error("cannot append to " + path);
    if (fresh) std::fprintf(out_, "%s\n", kHeader);
    std::fflush(out_);
  }
  ~CsvStore() override {
    if (out_ != nullptr) std::fclose(out_);
  }
  std::size_t reusable() const { return found_.size(); }

  bool find(std::int64_t d, std::int64_t b, std::int64_t s, Role role, double lr, std::vector<RunRow>* rows) override {
    auto it = found_.find({d, b, s, static_cast<int>(role), lr});
    if (it == found_.end()) return false;
    *rows = it->second;
    return true;
  }
  void put(const std::vector<RunRow>& rows) override {
    for (const RunRow& r : rows)
      std::fprintf(out_,
                   "%s,%lld,%lld,%lld,%lld,%lld,%s,%.17g,%.17g,%d,%.17g,%.17g,%.17g,%.17g,%d,%d,%d,%.6g,%.6g,%.6g\n",
                   settings_.c_str(), static_cast<long long>(r.depth), static_cast<long long>(r.width),
                   static_cast<long long>(r.params), static_cast<long long>(r.batch_size),
                   static_cast<long long>(r.seed), role_name(r.role), r.learning_rate, r.target_loss, r.reached ? 1 : 0,
                   r.epochs_to_target, r.iterations_to_target, r.final_loss, r.epochs_run, r.diverged ? 1 : 0,
                   r.stopped_early ? 1 : 0, r.rate_at_edge ? 1 : 0, r.train_ms, r.run_ms, r.train_gflop);
    std::fflush(out_);
  }

 private:
  std::string settings_;
  std::FILE* out_ = nullptr;
  std::vector<RunRow> all_;
  std::map<std::tuple<std::int64_t, std::int64_t, std::int64_t, int, double>, std::vector<RunRow>> found_;
};

// Rows of one sweep (settings) from the CSV.
std::vector<RunRow> read_csv(const std::string& path, const std::string& settings) {
  std::vector<RunRow> rows;
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    if (line.compare(0, settings.size(), settings) != 0) continue;
    std::stringstream ss(line);
    std::vector<std::string> f;
    std::string item;
    while (std::getline(ss, item, ',')) f.push_back(item);
    if (f.size() < 20) continue;
    RunRow r;
    r.depth = std::stoll(f[1]);
    r.width = std::stoll(f[2]);
    r.params = std::stoll(f[3]);
    r.batch_size = std::stoll(f[4]);
    r.seed = std::stoll(f[5]);
    r.role = f[6] == "tune" ? Role::Tune : Role::Eval;
    r.learning_rate = std::stod(f[7]);
    r.target_loss = std::stod(f[8]);
    r.reached = f[9] == "1";
    r.epochs_to_target = std::stod(f[10]);
    r.iterations_to_target = std::stod(f[11]);
    r.rate_at_edge = f[16] == "1";
    r.run_ms = std::stod(f[18]);
    r.epochs_run = std::stod(f[13]);
    rows.push_back(r);
  }
  return rows;
}

class StderrProgress final : public morpheus::Progress {
 public:
  void step(std::int64_t k, std::int64_t total, double loss) override {
    const double el = std::chrono::duration<double>(Clock::now() - start_).count();
    std::fprintf(stderr, "run %lld of ~%lld, last final loss %.4f, elapsed %.0f s\n", static_cast<long long>(k),
                 static_cast<long long>(total), loss, el);
  }

 private:
  Clock::time_point start_ = Clock::now();
};

void analyze(const std::vector<RunRow>& rows, const SweepOptions& opt, const std::string& plot) {
  validate_results(rows, "the CSV");
  std::int64_t eval_rows = 0, tune_rows = 0;
  double run_s = 0, eval_epochs = 0;
  for (const RunRow& r : rows) {
    (r.role == Role::Eval ? eval_rows : tune_rows) += 1;
    run_s += r.run_ms / 1000.0 / static_cast<double>(opt.target_losses.size());
    eval_epochs += r.epochs_run;
  }
  std::printf("\nrows: %lld evaluation, %lld tuning; run time of the rows (per run, summed): %.0f s\n",
              static_cast<long long>(eval_rows), static_cast<long long>(tune_rows), run_s);

  std::printf("\n## steps to target per (depth, batch): geometric mean over seeds [95%% t-interval], tuned rate\n");
  const std::vector<BatchSummary> sum = batch_summary(rows, 0.95);
  std::FILE* pf = plot.empty() ? nullptr : std::fopen(plot.c_str(), "w");
  if (pf != nullptr)
    std::fprintf(pf,
                 "depth,width,batch_size,target_loss,steps_geomean,steps_lower,steps_upper,steps_median,reached,seeds,"
                 "learning_rate,rate_at_edge\n");
  for (const BatchSummary& s : sum) {
    std::printf(
        "target %.2f depth %lld (width %lld) B=%-5lld rate %-8.4g%s reached %lld/%lld  steps %9.1f [%9.1f, %9.1f]  "
        "median %9.1f  epochs %7.2f\n",
        s.target_loss, static_cast<long long>(s.depth), static_cast<long long>(s.width),
        static_cast<long long>(s.batch_size), s.learning_rate, s.rate_at_edge ? " (edge)" : "",
        static_cast<long long>(s.reached), static_cast<long long>(s.seeds), s.steps_geomean, s.steps_lower,
        s.steps_upper, s.steps_median, s.epochs_median);
    if (pf != nullptr)
      std::fprintf(pf, "%lld,%lld,%lld,%g,%.6g,%.6g,%.6g,%.6g,%lld,%lld,%g,%d\n", static_cast<long long>(s.depth),
                   static_cast<long long>(s.width), static_cast<long long>(s.batch_size), s.target_loss,
                   s.steps_geomean, s.steps_lower, s.steps_upper, s.steps_median, static_cast<long long>(s.reached),
                   static_cast<long long>(s.seeds), s.learning_rate, s.rate_at_edge ? 1 : 0);
  }
  if (pf != nullptr) std::fclose(pf);

  std::printf(
      "\n## critical batch per (depth, seed): fit steps = S_min + E_min / B (weights 1/steps^2), slack rule 0.2\n");
  const FitReport fr = fit_report(rows, 0.2, 0.95);
  for (const SeedFit& f : fr.seeds)
    std::printf(
        "target %.2f depth %lld (width %lld) seed %lld: points %lld S_min %8.1f E_min %10.0f b_crit_fit %8.1f  slack "
        "rule %lld %s\n",
        f.target_loss, static_cast<long long>(f.depth), static_cast<long long>(f.width), static_cast<long long>(f.seed),
        static_cast<long long>(f.fit.points), f.fit.s_min, f.fit.e_min, f.fit.b_crit,
        static_cast<long long>(f.slack_batch), f.fit.note);
  std::printf("\n## critical batch per depth over seeds: geometric mean [95%% t-interval of log b_crit], median\n");
  for (const DepthFit& a : fr.depths)
    std::printf(
        "target %.2f depth %lld (width %lld): valid %lld/%lld  b_crit %8.1f [%8.1f, %8.1f]  median %8.1f  S_min %8.1f  "
        "E_min %10.0f  slack-rule median %.0f\n",
        a.target_loss, static_cast<long long>(a.depth), static_cast<long long>(a.width),
        static_cast<long long>(a.valid), static_cast<long long>(a.seeds), a.b_crit_geomean, a.b_crit_lower,
        a.b_crit_upper, a.b_crit_median, a.s_min_median, a.e_min_median, a.slack_batch_median);
  std::printf("\n## verdicts\n");
  for (const double t : opt.target_losses) {
    const std::vector<Reading> v = width_verdict(rows, t);
    for (const Reading& r : v)
      std::printf(
          "target %.2f %-21s B=%-5lld elasticity %+.3f [%+.3f, %+.3f] over %lld/%lld seeds, wide/deep ratio %.3f: %s "
          "(%s)\n",
          r.target_loss, r.reading.c_str(), static_cast<long long>(r.batch_size), r.estimate, r.lower, r.upper,
          static_cast<long long>(r.seeds_used), static_cast<long long>(r.seeds_total), r.ratio, r.verdict.c_str(),
          r.rule.c_str());
  }
}

// B_S along training per depth: the tuned rate at B = 32 for the first target (median over seeds).
void diversity(const Dataset& data, const std::vector<RunRow>& rows, const SweepOptions& opt) {
  std::printf(
      "\n## B_S = n x gradient diversity along SGD (B = 32, checkpoints 0/1/2/4 epochs, seeds 1-3, 2048 rows)\n");
  const std::vector<BatchSummary> sum = batch_summary(rows, 0.95);
  for (const auto depth : opt.depths) {
    double lr = 0;
    for (const BatchSummary& s : sum)
      if (s.depth == depth && s.batch_size == 32 && s.target_loss == opt.target_losses.front()) lr = s.learning_rate;
    if (!(lr > 0)) continue;
    TrajectoryOptions t;
    t.arch = Arch{data.x.cols(), data.classes, depth,
                  width_for_budget(data.x.cols(), data.classes, depth, opt.param_budget)};
    t.seeds = {1, 2, 3};
    t.checkpoints = {0, 1, 2, 4};
    t.batch_size = 32;
    t.learning_rate = lr;
    t.sample_rows = 2048;
    const std::vector<TrajectorySummary> out = summarize_trajectory(diversity_trajectory(data, t), 0.95);
    for (const TrajectorySummary& s : out) {
      if (s.has_seed) continue;
      std::printf("depth %lld (width %lld) rate %g %s: B_S %8.2f [%8.2f, %8.2f] sd %.2f, mean loss %.3f\n",
                  static_cast<long long>(depth), static_cast<long long>(t.arch.width), lr,
                  s.has_epoch ? ("epoch " + std::to_string(static_cast<int>(s.epoch))).c_str() : "overall",
                  s.batch_size_bound, s.bound_lower, s.bound_upper, s.bound_sd, s.mean_loss);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  openblas_set_num_threads(1);
  std::string dir = "/usr/share/datasets/fashion-mnist";
  std::string csv = "width_experiment.csv";
  std::string plot;
  std::int64_t rows = 8192, pool = 2;
  bool cost_only = false, analyze_only = false, with_diversity = false;
  double expected_epochs = 0;
  SweepOptions opt;
  opt.param_budget = 100000;
  opt.depths = {1, 2, 4, 8};
  opt.batch_sizes = {16, 32, 64, 128, 256, 512, 1024};
  opt.seeds = {1, 2, 3, 4, 5};
  opt.tuning_seeds = {101, 102, 103};
  opt.target_losses = {0.45, 0.35};
  opt.learning_rate = 0.1;
  opt.min_learning_rate = 1e-4;
  opt.max_learning_rate = 100;
  opt.max_epochs = 60;
  opt.evals_per_epoch = 4;
  opt.eval_rows = 2048;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--cost") {
      cost_only = true;
      continue;
    }
    if (a == "--analyze") {
      analyze_only = true;
      continue;
    }
    if (a == "--diversity") {
      with_diversity = true;
      continue;
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "option %s needs a value\n", a.c_str());
      return 2;
    }
    const char* v = argv[++i];
    if (a == "--rows")
      rows = std::atoll(v);
    else if (a == "--pool")
      pool = std::atoll(v);
    else if (a == "--budget")
      opt.param_budget = std::atoll(v);
    else if (a == "--depths")
      opt.depths = parse_list<std::int64_t>(v);
    else if (a == "--batches")
      opt.batch_sizes = parse_list<std::int64_t>(v);
    else if (a == "--seeds")
      opt.seeds = parse_list<std::int64_t>(v);
    else if (a == "--tuning-seeds")
      opt.tuning_seeds = parse_list<std::int64_t>(v);
    else if (a == "--targets")
      opt.target_losses = parse_list<double>(v);
    else if (a == "--lr")
      opt.learning_rate = std::atof(v);
    else if (a == "--min-lr")
      opt.min_learning_rate = std::atof(v);
    else if (a == "--max-lr")
      opt.max_learning_rate = std::atof(v);
    else if (a == "--max-epochs")
      opt.max_epochs = std::atof(v);
    else if (a == "--evals")
      opt.evals_per_epoch = std::atoll(v);
    else if (a == "--eval-rows")
      opt.eval_rows = std::atoll(v);
    else if (a == "--expected-epochs")
      expected_epochs = std::atof(v);
    else if (a == "--csv")
      csv = v;
    else if (a == "--plot")
      plot = v;
    else if (a == "--data")
      dir = v;
    else {
      std::fprintf(stderr, "unknown option %s\n", a.c_str());
      return 2;
    }
  }
  try {
    char load[128] = "?";
    if (std::FILE* la = std::fopen("/proc/loadavg", "r")) {
      if (std::fgets(load, sizeof load, la) == nullptr) std::strcpy(load, "?");
      std::fclose(la);
      load[std::strcspn(load, "\n")] = 0;
    }
    std::printf(
        "# width_experiment: Fashion-MNIST, first %lld training images pooled %lldx%lld (mean); one BLAS "
        "thread; load average at start: %s\n",
        static_cast<long long>(rows), static_cast<long long>(pool), static_cast<long long>(pool), load);
    const Dataset data = load_fashion(dir, rows, pool);
    validate_sweep(opt, data);
    const std::string settings = sweep_settings(opt, data);
    std::printf("data: %lld rows x %lld features, %d classes; settings %s\n", static_cast<long long>(data.rows()),
                static_cast<long long>(data.x.cols()), data.classes, settings.c_str());
    for (const auto d : opt.depths) {
      const std::int64_t w = width_for_budget(data.x.cols(), 10, d, opt.param_budget);
      std::printf("depth %lld: width %lld, %lld parameters\n", static_cast<long long>(d), static_cast<long long>(w),
                  static_cast<long long>(param_count(data.x.cols(), 10, d, w)));
    }
    if (analyze_only) {
      const std::vector<RunRow> done = read_csv(csv, settings);
      analyze(done, opt, plot);
      if (with_diversity) diversity(data, done, opt);
      return 0;
    }
    if (cost_only) {
      const std::vector<CostRow> cost =
          sweep_cost(data.rows(), data.x.cols(), data.classes, opt, expected_epochs, 3.5, 200);
      double total = 0;
      for (const CostRow& c : cost) {
        std::printf("cost depth %lld B=%-5lld runs %.1f x %.1f epochs, %.1f ms/epoch, %.1f GFLOP: %.1f min\n",
                    static_cast<long long>(c.depth), static_cast<long long>(c.batch_size), c.runs, c.epochs_per_run,
                    c.ms_per_epoch, c.gflop, c.minutes);
        total += c.minutes;
      }
      std::printf("predicted total: %.1f minutes (%s)\n", total,
                  expected_epochs > 0 ? "at the expected epochs per run" : "upper bound: every run to max_epochs");
      return 0;
    }
    // The machine's limit beside the sweep's throughput.
    const double peak = gemm_gflops(1024, 1024, 1024, 1.5);
    std::printf("GEMM peak (dgemm 1024^3, OpenBLAS via Eigen, 1 thread): %.2f GFLOP/s\n", peak);
    CsvStore store(csv, settings);
    std::printf("%zu finished runs of these settings found in %s: reused\n", store.reusable(), csv.c_str());
    std::fflush(stdout);
    StderrProgress progress;
    const auto t0 = Clock::now();
    const std::vector<RunRow> out = width_sweep(data, opt, &store, &progress);
    const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    double gflop = 0, train_ms = 0;
    std::map<std::tuple<std::int64_t, std::int64_t, std::int64_t, int, double>, bool> runs;
    for (const RunRow& r : out)
      if (runs.emplace(std::make_tuple(r.depth, r.batch_size, r.seed, static_cast<int>(r.role), r.learning_rate), true)
              .second) {
        gflop += r.train_gflop;
        train_ms += r.train_ms;
      }
    std::printf(
        "sweep: %.0f s in this call; SGD steps of all %zu runs: %.0f GFLOP in %.0f s = %.1f GFLOP/s (%.0f%% of "
        "the GEMM peak)\n",
        secs, runs.size(), gflop, train_ms / 1000, gflop / (train_ms / 1000), 100 * gflop / (train_ms / 1000) / peak);
    const std::vector<RunRow> done = read_csv(csv, settings);
    analyze(done, opt, plot);
    if (with_diversity) diversity(data, done, opt);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
