// DRACO at the paper's scale: the authors' fully connected 784-800-500-10 network (1,033,510 parameters) on
// Fashion-MNIST with n = 45 workers, s in {1, 2, 4}; DRACO's repetition and cyclic codes against the geometric
// median (whole vector and per layer, hdmedians' stopping rule: step < 1e-8, at most 1000 iterations) and the later
// baselines Krum, Multi-Krum and Bulyan, under the reverse-gradient (-100 g) and constant (-100) attacks.
//
// Every worker's compute is simulated in this process: each partition's gradient is computed once and timed; a
// worker's compute time is the sum of its partitions' times plus its encoding time. Aggregation / decoding is timed
// at the server. Communication is not simulated here: the analysis (bench/draco_paper_report.py) adds an explicit
// bytes / bandwidth term. Results are appended (and flushed) to CSV files in --out as each iteration and each run
// finishes; a restarted run skips the runs already in runs.csv.
//
// One DRACO run per seed covers every code and s: its trajectory is stepped with the decoded sum of the repetition
// code at the first s under the first attack (exactly the clean sum, bit for bit); at every --draco-every-th
// iteration every (code, s, attack) is encoded, attacked by s random workers, decoded, timed and checked against
// the clean sum (repetition bit for bit, cyclic to 1e-9 relative), so all of them follow the same trajectory.
//
//   draco_paper --data DIR --out DIR [--phase draco|baselines|all|costs] [--cost-rounds 7] [--seeds 1,2,3] [--s 1,2,4]
//   [--workers 45]
//               [--batch 8] [--lr 0.02] [--momentum 0.9] [--target 0.80] [--max-iter 400] [--eval-every 5]
//               [--eval-rows 2000] [--rules geometric_median,geometric_median_per_layer,krum,multi_krum,bulyan]
//               [--attacks signflip,constant] [--draco-every 5] [--budget-min 60] [--hidden 800,500]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/draco/draco.hpp"
#include "core/draco/mlp.hpp"
#include "core/errors.hpp"

namespace dr = morpheus::draco;
using morpheus::ConstRowMap;
using morpheus::RowMatrix;
using morpheus::Vector;

namespace {

double now_ms() {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::vector<std::string> split(const std::string& s, char sep = ',') {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, sep))
    if (!item.empty()) out.push_back(item);
  return out;
}

// ---- IDX files (uncompressed) ------------------------------------------------------------------------------
std::uint32_t be32(const unsigned char* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}
std::vector<unsigned char> slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot open " + path);
  return std::vector<unsigned char>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}
struct Images {
  RowMatrix x;
  std::vector<double> y;
  dr::Dataset view() const { return dr::Dataset{ConstRowMap(x.data(), x.rows(), x.cols()), y.data()}; }
};
Images load(const std::string& dir, const std::string& prefix, std::int64_t limit) {
  const auto img = slurp(dir + "/" + prefix + "-images-idx3-ubyte");
  const auto lab = slurp(dir + "/" + prefix + "-labels-idx1-ubyte");
  if (img.size() < 16 || be32(img.data()) != 2051 || lab.size() < 8 || be32(lab.data()) != 2049)
    throw std::runtime_error("not an IDX image/label pair: " + prefix);
  const std::int64_t n = std::min<std::int64_t>(be32(img.data() + 4), limit);
  const std::int64_t px = std::int64_t{be32(img.data() + 8)} * be32(img.data() + 12);
  Images out;
  out.x.resize(n, px);
  out.y.resize(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    for (std::int64_t j = 0; j < px; ++j) out.x(i, j) = img[static_cast<std::size_t>(16 + i * px + j)] / 255.0;
    out.y[static_cast<std::size_t>(i)] = lab[static_cast<std::size_t>(8 + i)];
  }
  return out;
}

// ---- options -------------------------------------------------------------------------------------------------
struct Args {
  std::string data, out, phase = "all";
  std::vector<int> seeds{1, 2, 3}, ss{1, 2, 4};
  int workers = 45;
  std::int64_t batch = 8;
  double lr = 0.02, momentum = 0.9, target = 0.80;
  int max_iter = 400, eval_every = 5, draco_every = 5;
  std::int64_t eval_rows = 2000;
  std::vector<std::string> rules{"geometric_median", "geometric_median_per_layer", "krum", "multi_krum", "bulyan"};
  std::vector<std::string> attacks{"signflip", "constant"};
  double budget_min = 60;  // per baseline run: stop (censored) after this much wall time
  std::vector<std::int64_t> hidden{800, 500};
  int cost_rounds = 7;
};

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    auto ints = [&] {
      std::vector<int> r;
      for (const auto& x : split(v)) r.push_back(std::stoi(x));
      return r;
    };
    if (k == "--data")
      a.data = v;
    else if (k == "--out")
      a.out = v;
    else if (k == "--phase")
      a.phase = v;
    else if (k == "--seeds")
      a.seeds = ints();
    else if (k == "--s")
      a.ss = ints();
    else if (k == "--workers")
      a.workers = std::stoi(v);
    else if (k == "--batch")
      a.batch = std::stol(v);
    else if (k == "--lr")
      a.lr = std::stod(v);
    else if (k == "--momentum")
      a.momentum = std::stod(v);
    else if (k == "--target")
      a.target = std::stod(v);
    else if (k == "--max-iter")
      a.max_iter = std::stoi(v);
    else if (k == "--eval-every")
      a.eval_every = std::stoi(v);
    else if (k == "--eval-rows")
      a.eval_rows = std::stol(v);
    else if (k == "--draco-every")
      a.draco_every = std::stoi(v);
    else if (k == "--rules")
      a.rules = split(v);
    else if (k == "--attacks")
      a.attacks = split(v);
    else if (k == "--budget-min")
      a.budget_min = std::stod(v);
    else if (k == "--cost-rounds")
      a.cost_rounds = std::stoi(v);
    else if (k == "--hidden") {
      a.hidden.clear();
      for (const auto& x : split(v)) a.hidden.push_back(std::stol(x));
    } else
      throw std::runtime_error("unknown option " + k);
  }
  if (a.data.empty() || a.out.empty()) throw std::runtime_error("usage: draco_paper --data DIR --out DIR [...]");
  return a;
}

// ---- output ----------------------------------------------------------------------------------------------------
class Csv {
 public:
  Csv(const std::string& path, const std::string& header) {
    std::ifstream probe(path);
    const bool fresh = !probe.good() || probe.peek() == std::ifstream::traits_type::eof();
    f_ = std::fopen(path.c_str(), "a");
    if (!f_) throw std::runtime_error("cannot write " + path);
    if (fresh) line(header);
  }
  ~Csv() { std::fclose(f_); }
  void line(const std::string& s) {
    std::fputs(s.c_str(), f_);
    std::fputc('\n', f_);
    std::fflush(f_);
  }

 private:
  std::FILE* f_;
};

std::string fmt(double v) {
  if (std::isnan(v)) return "";
  char b[64];
  std::snprintf(b, sizeof b, "%.6g", v);
  return b;
}

std::set<std::string> finished_runs(const std::string& path) {
  std::set<std::string> done;
  std::ifstream f(path);
  std::string line;
  std::getline(f, line);
  while (std::getline(f, line)) done.insert(line.substr(0, line.find(',')));
  return done;
}

double median(std::vector<double> v) {
  if (v.empty()) return NAN;
  std::nth_element(v.begin(), v.begin() + static_cast<long>(v.size() / 2), v.end());
  return v[v.size() / 2];
}

struct Stop {};

// ---- the DRACO run of one seed ----------------------------------------------------------------------------------
void draco_run(const Args& a, int seed, const Images& train, const Images& test, Csv& iters, Csv& configs, Csv& runs,
               const std::set<std::string>& done) {
  const std::string key = "draco:seed=" + std::to_string(seed);
  if (done.count(key)) return;
  const int n = a.workers;
  const dr::Dataset d = train.view(), td = test.view();
  std::vector<std::int64_t> sizes{784};
  sizes.insert(sizes.end(), a.hidden.begin(), a.hidden.end());
  sizes.push_back(10);
  const dr::Mlp net(sizes);
  const std::int64_t p = net.params();
  // the same streams as dr::train (kBatches = 1, kInit = 5), so a baseline run of the same seed starts from the same
  // weights and draws the same batches while its trajectory agrees
  Vector w = net.initial(morpheus::Rng::stream(static_cast<std::uint64_t>(seed), 5)());
  Vector vel = Vector::Zero(p);
  dr::BatchSampler sampler(d.rows(), morpheus::Rng::stream(static_cast<std::uint64_t>(seed), 1)());
  morpheus::Rng adv_rng = morpheus::Rng::stream(static_cast<std::uint64_t>(seed), 102);
  morpheus::Rng attack_rng = morpheus::Rng::stream(static_cast<std::uint64_t>(seed), 103);
  morpheus::Rng proj_rng = morpheus::Rng::stream(static_cast<std::uint64_t>(seed), 104);
  std::vector<std::unique_ptr<dr::CyclicCode>> codes;
  for (int s : a.ss) codes.push_back(std::make_unique<dr::CyclicCode>(n, s));
  std::vector<std::vector<std::int64_t>> parts;
  RowMatrix g, msg;
  std::vector<double> pms, wms;
  Vector clean, step_sum;
  const double batch = static_cast<double>(n) * static_cast<double>(a.batch);
  const double t_start = now_ms();
  int reached = -1;
  double acc = NAN;
  for (int it = 1; it <= a.max_iter; ++it) {
    sampler.next(n, a.batch, parts);
    const double loss = dr::partition_gradients(net, d, parts, w.data(), g, pms) / batch;
    bool stepped = false;
    double worst_rel = 0;
    for (std::size_t ci = 0; ci < 2 * a.ss.size(); ++ci) {
      const dr::Rule rule = ci < a.ss.size() ? dr::Rule::Repetition : dr::Rule::Cyclic;
      const std::size_t si = ci % a.ss.size();
      const int s = a.ss[si];
      for (std::size_t ai = 0; ai < a.attacks.size(); ++ai) {
        const bool stepper = ci == 0 && ai == 0;
        if (!stepper && (it % a.draco_every) != 0) continue;
        const dr::Attack attack = dr::parse_attack(a.attacks[ai]);
        const dr::CyclicCode* code = rule == dr::Rule::Cyclic ? codes[si].get() : nullptr;
        dr::encode_messages(rule, s, code, g, pms, msg, wms);
        const auto adv = dr::place_adversaries(dr::Placement::Random, n, s, s, adv_rng);
        dr::apply_attack(attack, dr::default_attack_scale(attack), adv, msg, attack_rng);
        const double t0 = now_ms();
        const dr::ServerResult r = dr::server_step(rule, s, code, ConstRowMap(msg.data(), n, p), {}, 0,
                                                   dr::GeometricMedianOptions(), proj_rng);
        const double dec_ms = now_ms() - t0;
        dr::clean_sum(rule, s, g, clean);
        double rel = (r.sum - clean).norm() / clean.norm();
        const bool bitwise = std::memcmp(r.sum.data(), clean.data(), sizeof(double) * p) == 0;
        if (rule == dr::Rule::Repetition && !bitwise) rel = std::max(rel, 1e-300);
        const bool exact = rule == dr::Rule::Repetition ? bitwise : rel <= 1e-9;
        if (!exact || !r.consistent)
          std::fprintf(stderr, "DRACO NOT EXACT: seed %d it %d %s s=%d %s rel %.3g\n", seed, it, dr::rule_name(rule), s,
                       a.attacks[ai].c_str(), rel);
        std::vector<double> enc(wms.size());
        double max_worker = 0;
        for (int i = 0; i < n; ++i) max_worker = std::max(max_worker, wms[static_cast<std::size_t>(i)]);
        // encoding time of a worker = its time minus its partitions' gradient time
        for (int i = 0; i < n; ++i) {
          double part = 0;
          for (int j : dr::assigned_partitions(rule, n, s, i)) part += pms[static_cast<std::size_t>(j)];
          enc[static_cast<std::size_t>(i)] = wms[static_cast<std::size_t>(i)] - part;
        }
        configs.line(std::to_string(seed) + "," + std::to_string(it) + "," + dr::rule_name(rule) + "," +
                     std::to_string(s) + "," + a.attacks[ai] + "," + fmt(max_worker) + "," + fmt(median(enc)) + "," +
                     fmt(dec_ms) + "," + fmt(rel) + "," + (exact ? "1" : "0") + "," + (r.consistent ? "1" : "0"));
        if (stepper) {
          step_sum = r.sum;
          stepped = true;
        } else {
          worst_rel = std::max(worst_rel, (r.sum - step_sum).norm() / step_sum.norm());
        }
      }
    }
    if (!stepped) throw std::runtime_error("no stepping configuration");
    vel = a.momentum * vel + step_sum / batch;
    w -= a.lr * vel;
    acc = NAN;
    if (it % a.eval_every == 0) {
      acc = net.accuracy(td, w.data());
      if (acc >= a.target && reached < 0) reached = it;
    }
    iters.line(key + "," + std::to_string(it) + "," + fmt(loss) + "," + fmt(acc) + "," + fmt(median(pms)) + "," +
               fmt(*std::max_element(pms.begin(), pms.end())) + ",,," + fmt(worst_rel) + ",1");
    std::fprintf(stderr, "%s it %d loss %.4f acc %s (%.0f s)\n", key.c_str(), it, loss, fmt(acc).c_str(),
                 (now_ms() - t_start) / 1000);
    if (reached > 0) break;
  }
  runs.line(key + ",draco,0,," + std::to_string(seed) + "," + std::to_string(reached) + "," +
            (reached < 0 ? "1" : "0") + "," + fmt(acc) + "," + fmt((now_ms() - t_start) / 1000));
}

// ---- one baseline run ---------------------------------------------------------------------------------------------
void baseline_run(const Args& a, const std::string& rule_arg, const std::string& attack, int s, int seed,
                  const Images& train, const Images& test, Csv& iters, Csv& runs, const std::set<std::string>& done) {
  const std::string key = rule_arg + ":" + attack + ":s=" + std::to_string(s) + ":seed=" + std::to_string(seed);
  if (done.count(key)) return;
  dr::TrainOptions o;
  o.family = dr::Family::Mlp;
  o.hidden_layers = a.hidden;
  o.workers = a.workers;
  o.adversaries = s;
  o.max_adversaries = s;
  o.attack = dr::parse_attack(attack);
  o.placement = dr::Placement::Random;
  o.per_layer = rule_arg == "geometric_median_per_layer";
  o.rule = dr::parse_rule(o.per_layer ? "geometric_median" : rule_arg, false);
  o.batch_size = a.batch;
  o.max_iterations = a.max_iter;
  o.learning_rate = a.lr;
  o.momentum = a.momentum;
  o.seed = static_cast<std::uint64_t>(seed);
  o.eval_every = a.eval_every;
  o.evaluate_training = false;
  const dr::Dataset d = train.view(), td = test.view();
  const double t_start = now_ms();
  int reached = -1, last = 0;
  bool censored = true;
  double acc = NAN;
  morpheus::NoProgress np;
  Vector w;
  try {
    dr::train(
        o, d, &td, w,
        [&](const dr::IterationResult& r, const Vector&) {
          last = r.iteration;
          int gm_total = 0;
          std::string per_block;
          for (int k : r.median_iterations) {
            gm_total += k;
            per_block += (per_block.empty() ? "" : ";") + std::to_string(k);
          }
          acc = r.validation_accuracy;
          iters.line(key + "," + std::to_string(r.iteration) + "," + fmt(r.loss) + "," + fmt(acc) + "," +
                     fmt(r.partition_ms) + "," + fmt(r.compute_ms) + "," + fmt(r.aggregate_ms) + "," +
                     (r.median_iterations.empty() ? "" : std::to_string(gm_total) + ":" + per_block) + "," +
                     fmt(r.grad_error) + "," + (r.consistent ? "1" : "0"));
          std::fprintf(stderr, "%s it %d loss %.4f acc %s agg %.0f ms gm %d (%.0f s)\n", key.c_str(), r.iteration,
                       r.loss, fmt(acc).c_str(), r.aggregate_ms, gm_total, (now_ms() - t_start) / 1000);
          if (!std::isnan(acc) && acc >= a.target) {
            reached = r.iteration;
            censored = false;
            throw Stop{};
          }
          if (now_ms() - t_start > a.budget_min * 60000) throw Stop{};
        },
        np);
  } catch (const Stop&) {
  } catch (const morpheus::Error& e) {
    std::fprintf(stderr, "%s failed: %s\n", key.c_str(), e.what());  // e.g. divergence under attack
  }
  runs.line(key + "," + rule_arg + ",1," + attack + "," + std::to_string(seed) + "," + std::to_string(reached) + "," +
            (censored ? "1" : "0") + "," + fmt(acc) + "," + fmt((now_ms() - t_start) / 1000) + "," + std::to_string(s) +
            "," + std::to_string(last));
}

// ---- interleaved cost measurement -----------------------------------------------------------------------------------
// The training runs give load-independent quantities (iterations to the target, Weiszfeld iterations per step);
// their wall-clock times depend on the machine's load when each ran. The costs used in the report are measured here,
// every operation interleaved with the others in each round (medians over rounds), on the network's partition
// gradients at initialization with s random attackers.
void costs_phase(const Args& a, const Images& train, Csv& out) {
  const int n = a.workers;
  const dr::Dataset d = train.view();
  std::vector<std::int64_t> sizes{784};
  sizes.insert(sizes.end(), a.hidden.begin(), a.hidden.end());
  sizes.push_back(10);
  const dr::Mlp net(sizes);
  const std::int64_t p = net.params();
  const Vector w = net.initial(morpheus::Rng::stream(1, 5)());
  dr::BatchSampler sampler(d.rows(), morpheus::Rng::stream(1, 1)());
  std::vector<std::vector<std::int64_t>> parts;
  sampler.next(n, a.batch, parts);
  RowMatrix g, msg, plain;
  std::vector<double> pms, wms;
  dr::partition_gradients(net, d, parts, w.data(), g, pms);
  morpheus::Rng rng(17);
  std::map<std::string, std::vector<double>> t;
  auto timed = [&](const std::string& key, const std::function<void()>& f) {
    const double t0 = now_ms();
    f();
    t[key].push_back(now_ms() - t0);
  };
  std::vector<std::unique_ptr<dr::CyclicCode>> codes;
  for (int s : a.ss) codes.push_back(std::make_unique<dr::CyclicCode>(n, s));
  const dr::GeometricMedianOptions fixed{0.0, 5};  // exactly 5 Weiszfeld iterations
  const std::vector<dr::Block> whole{{0, p, "all"}};
  for (int round = 0; round < a.cost_rounds; ++round) {
    for (int j = 0; j < 5; ++j) {
      Vector gj = Vector::Zero(p);
      const auto& rows = parts[static_cast<std::size_t>(j)];
      timed("partition",
            [&] { net.gradient(d, rows.data(), static_cast<std::int64_t>(rows.size()), w.data(), gj.data()); });
    }
    timed("mean", [&] { dr::aggregate(dr::Rule::Mean, ConstRowMap(g.data(), n, p), 0); });
    for (std::size_t si = 0; si < a.ss.size(); ++si) {
      const int s = a.ss[si];
      const std::string ks = ":" + std::to_string(s);
      for (const auto& attack_name : a.attacks) {
        const dr::Attack attack = dr::parse_attack(attack_name);
        const std::string ka = ks + ":" + attack_name;
        const auto adv = dr::place_adversaries(dr::Placement::Random, n, s, s, rng);
        for (const dr::Rule rule : {dr::Rule::Repetition, dr::Rule::Cyclic}) {
          const dr::CyclicCode* code = rule == dr::Rule::Cyclic ? codes[si].get() : nullptr;
          const std::vector<double> zero(static_cast<std::size_t>(n), 0.0);
          dr::encode_messages(rule, s, code, g, zero, msg, wms);  // worker_ms = encoding time only
          t[std::string("encode:") + dr::rule_name(rule) + ka].push_back(median(wms));
          dr::apply_attack(attack, dr::default_attack_scale(attack), adv, msg, rng);
          timed(std::string("decode:") + dr::rule_name(rule) + ka, [&] {
            dr::server_step(rule, s, code, ConstRowMap(msg.data(), n, p), {}, 0, dr::GeometricMedianOptions(), rng);
          });
        }
        plain = g;
        dr::apply_attack(attack, dr::default_attack_scale(attack), adv, plain, rng);
        const ConstRowMap pv(plain.data(), n, p);
        for (const char* rule : {"krum", "multi_krum", "bulyan"})
          timed(std::string(rule) + ka, [&] { dr::aggregate(dr::parse_rule(rule, false), pv, s); });
        timed("gm_5_iterations" + ka, [&] { dr::aggregate_blocks(dr::Rule::GeometricMedian, pv, whole, s, 0, fixed); });
        timed("gm_per_layer_5_iterations" + ka,
              [&] { dr::aggregate_blocks(dr::Rule::GeometricMedian, pv, net.blocks(), s, 0, fixed); });
        // a converged run, to check the linear model (setup + per-iteration cost x iterations)
        dr::BlockAggregate conv;
        timed("gm_converged" + ka, [&] { conv = dr::aggregate_blocks(dr::Rule::GeometricMedian, pv, whole, s); });
        t["gm_converged_iterations" + ka].push_back(conv.median_iterations[0]);
      }
    }
    std::fprintf(stderr, "cost round %d done\n", round + 1);
  }
  for (const auto& [key, v] : t) {
    const auto mm = std::minmax_element(v.begin(), v.end());
    out.line(key + "," + fmt(median(v)) + "," + fmt(*mm.first) + "," + fmt(*mm.second) + "," +
             std::to_string(v.size()));
  }
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Args a = parse(argc, argv);
    const Images train = load(a.data, "train", 60000);
    const Images test = load(a.data, "t10k", a.eval_rows);
    std::fprintf(stderr, "loaded %ld training and %ld test rows\n", static_cast<long>(train.x.rows()),
                 static_cast<long>(test.x.rows()));
    {
      // the machine's limit for the memory-bound server rules: a streaming read of 400 MB, best of 3
      Vector big = Vector::Ones(50'000'000);
      double best = 1e300, sink = 0;
      for (int r = 0; r < 3; ++r) {
        const double t0 = now_ms();
        sink += big.sum();
        best = std::min(best, now_ms() - t0);
      }
      Csv machine(a.out + "/machine.csv", "read_gb_per_s,check");
      machine.line(fmt(400.0 / best) + "," + fmt(sink));
      std::fprintf(stderr, "streaming read: %.1f GB/s\n", 400.0 / best);
    }
    const auto done = finished_runs(a.out + "/runs.csv");
    Csv runs(a.out + "/runs.csv",
             "run,rule,is_baseline,attack,seed,reached_iteration,censored,last_accuracy,wall_s,s,"
             "iterations");
    Csv iters(a.out + "/iterations.csv",
              "run,iteration,loss,test_accuracy,partition_ms_median,compute_ms,aggregate_ms,median_iterations,"
              "grad_error,consistent");
    Csv configs(a.out + "/draco_configs.csv",
                "seed,iteration,code,s,attack,worker_ms_max,encode_ms_median,decode_ms,rel_error,exact,consistent");
    if (a.phase == "costs") {
      Csv costs(a.out + "/costs.csv", "op,median_ms,min_ms,max_ms,rounds");
      costs_phase(a, train, costs);
      return 0;
    }
    for (int seed : a.seeds) {
      if (a.phase == "draco" || a.phase == "all") draco_run(a, seed, train, test, iters, configs, runs, done);
      if (a.phase == "baselines" || a.phase == "all")
        for (const auto& rule : a.rules)
          for (int s : a.ss)
            for (const auto& attack : a.attacks) baseline_run(a, rule, attack, s, seed, train, test, iters, runs, done);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "draco_paper: %s\n", e.what());
    return 1;
  }
  return 0;
}
