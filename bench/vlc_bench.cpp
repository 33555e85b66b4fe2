// VLC scheduling benchmark: the claim of stable-marriage scheduling as a regime map.
//   vlc_bench pilot   [out_dir] [drops]  choose the stable-marriage variant on pilot drops (seeds disjoint from the
//   map) vlc_bench map     [out_dir] [drops]  the regime map: FOV x SNR under one LED x users per LED, every method
//   over the
//                                        same drops and slots, winner and ratio to the best baseline with 95% intervals
//   vlc_bench gap     [out_dir] [drops]  single-slot sum rate over the exhaustive optimum on 3 x 3 LED rooms
//   vlc_bench variants [out_dir] [drops] every stable-marriage variant and baseline in two cells: sum rate vs Jain
//   vlc_bench motion  [out_dir] [drops]  handovers and message costs of walking users, blockage
//   vlc_bench scaling [out_dir]          scheduling time against users and LEDs (medians of interleaved rounds)
//   vlc_bench all     [out_dir] [drops]  map, variants, gap, motion and scaling
// Decision rule of the map (fixed before the run): in each cell, the ratio R = mean(SM) / mean(best baseline) of a
// metric over paired drops, with its 95% delta-method interval; SM "wins" when the interval lies above 1, "loses"
// when it lies below 1, "ties" otherwise. The best baseline is the one with the highest mean in that cell (this
// choice favours the baselines).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/vlc/vlc.hpp"

using namespace morpheus;
using namespace morpheus::vlc;

namespace {

double now_ms() {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

FILE* open_out(const std::string& dir, const char* name) {
  const std::string path = dir + "/" + name;
  FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) {
    std::perror(path.c_str());
    std::exit(1);
  }
  return f;
}

struct Config {
  std::string label;
  Options o;
  bool sm = false;  // a stable-marriage variant (not a baseline)
  // LED-side admission relative to the on-axis SNR of the cell: min_link_snr_db = snr_db - this (NaN = none)
  double below_on_axis_db = std::nan("");
};

Options sm_options(ApPreference pref, Variant v, double ratio, Method side = Method::StableMarriage) {
  Options o;
  o.method = side;
  o.ap_preference = pref;
  o.variant = v;
  o.admission_ratio = ratio;
  return o;
}

Options baseline(Method m) {
  Options o;
  o.method = m;
  return o;
}

// The stable-marriage variant the map reports as "SM", chosen by `vlc_bench pilot` (highest mean per-user log rate
// over the pilot cells, seeds disjoint from the map's): see docs/benchmarks.md.
Config declared_sm() { return {"sm_pf", sm_options(ApPreference::ProportionalFair, Variant::OneStage, 0), true}; }

std::vector<Config> map_configs() {
  return {
      {"sm_0.1.0", sm_options(ApPreference::Gain, Variant::OneStage, 0), true},
      declared_sm(),
      {"tdma", baseline(Method::Tdma), false},
      {"tdma_all", baseline(Method::TdmaAll), false},
      {"reuse", baseline(Method::Reuse), false},
      {"conflict_graph", baseline(Method::ConflictGraph), false},
      {"single_user", baseline(Method::SingleUser), false},
      {"user_centric", baseline(Method::UserCentric), false},
  };
}

std::vector<Config> pilot_configs() {
  std::vector<Config> c;
  for (ApPreference p : {ApPreference::Gain, ApPreference::ProportionalFair})
    for (Variant v : {Variant::OneStage, Variant::TwoStage})
      for (double r : {0.0, 0.3, 0.5, 0.7}) {
        std::string l = std::string("sm_") + (p == ApPreference::Gain ? "gain" : "pf") +
                        (v == Variant::TwoStage ? "_two" : "") + (r > 0 ? "_adm" + std::to_string(r).substr(0, 3) : "");
        c.push_back({l, sm_options(p, v, r), true});
      }
  for (double below : {3.0, 6.0, 10.0})
    for (ApPreference p : {ApPreference::Gain, ApPreference::ProportionalFair})
      c.push_back({std::string("sm_") + (p == ApPreference::Gain ? "gain" : "pf") + "_led" +
                       std::to_string(static_cast<int>(below)) + "db",
                   sm_options(p, Variant::OneStage, 0), true, below});
  c.push_back({"sm_random_two_adm0.5", sm_options(ApPreference::Random, Variant::TwoStage, 0.5), true});
  c.push_back({"smap_pf_two_adm0.5",
               sm_options(ApPreference::ProportionalFair, Variant::TwoStage, 0.5, Method::StableMarriageAp), true});
  return c;
}

struct Cell {
  double fov, snr_db, users_per_led;
  int users;
};

// N0 giving `snr_db` directly under one LED (37.78 dB at N0 = 1e-21, 20 MHz).
double n0_for(double snr_db) {
  const double amp = 0.53 * 2.06583e-5;
  return amp * amp / (std::pow(10.0, snr_db / 10.0) * 20e6);
}

std::vector<double> metric(const std::vector<HorizonMetrics>& runs, double HorizonMetrics::*field) {
  std::vector<double> v;
  for (const auto& r : runs) v.push_back(r.*field);
  return v;
}

std::vector<std::vector<HorizonMetrics>> run_cell(const Cell& c, const std::vector<Config>& cfgs, int drops, int slots,
                                                  std::uint64_t seed) {
  const std::vector<Ap> aps = grid_aps(4, 4, Room{}, 3.0);
  Physics ph;
  ph.n0 = n0_for(c.snr_db);
  DropSetup s;
  s.users = c.users;
  s.drops = drops;
  s.slots = slots;
  s.fov_deg = c.fov;
  s.seed = seed;
  std::vector<Options> opts;
  for (const Config& x : cfgs) {
    opts.push_back(x.o);
    if (x.below_on_axis_db == x.below_on_axis_db) opts.back().min_link_snr_db = c.snr_db - x.below_on_axis_db;
  }
  return monte_carlo(aps, Room{}, ph, opts, s);
}

const char* verdict(const Interval& r) {
  if (!(r.low == r.low)) return "?";
  if (r.low > 1) return "win";
  if (r.high < 1) return "lose";
  return "tie";
}

void pilot(const std::string& dir, int drops) {
  const std::vector<Config> cfgs = pilot_configs();
  std::printf("\n== pilot: %d drops per cell, 20 slots, seeds 900000+ (disjoint from the map) ==\n", drops);
  std::vector<double> util(cfgs.size(), 0), sum(cfgs.size(), 0), jain(cfgs.size(), 0);
  int cells = 0;
  for (double fov : {30.0, 60.0})
    for (double snr : {18.0, 38.0})
      for (int k : {8, 16, 32}) {
        const auto runs = run_cell({fov, snr, k / 16.0, k}, cfgs, drops, 20, 900000 + cells);
        for (size_t i = 0; i < cfgs.size(); ++i) {
          util[i] += mean_interval(metric(runs[i], &HorizonMetrics::log_utility)).estimate;
          sum[i] += mean_interval(metric(runs[i], &HorizonMetrics::sum_rate_bps)).estimate /
                    mean_interval(metric(runs[0], &HorizonMetrics::sum_rate_bps)).estimate;
          jain[i] += mean_interval(metric(runs[i], &HorizonMetrics::jain)).estimate;
        }
        ++cells;
      }
  FILE* f = open_out(dir, "vlc_pilot.dat");
  std::printf("%-24s %14s %16s %10s\n", "variant", "mean log10 r", "sum / sm_gain", "mean Jain");
  for (size_t i = 0; i < cfgs.size(); ++i) {
    std::printf("%-24s %14.4f %16.3f %10.3f\n", cfgs[i].label.c_str(), util[i] / cells, sum[i] / cells,
                jain[i] / cells);
    std::fprintf(f, "%s %.5f %.5f %.5f\n", cfgs[i].label.c_str(), util[i] / cells, sum[i] / cells, jain[i] / cells);
  }
  std::fclose(f);
}

// Every stable-marriage variant of the pilot and every baseline in two cells (FOV 40 and 60 degrees, SNR 18 dB, one
// user per LED): sum rate against Jain, with 95% intervals.
void variants(const std::string& dir, int drops) {
  std::vector<Config> cfgs = pilot_configs();
  for (const Config& c : map_configs())
    if (!c.sm) cfgs.push_back(c);
  std::printf("\n== variants: SNR 18 dB, 16 users, 20 slots, %d drops ==\n", drops);
  FILE* f = open_out(dir, "vlc_variants.dat");
  std::fprintf(f, "# fov label is_sm sum_mbps lo hi jain lo hi\n");
  std::uint64_t seed = 3000;
  for (double fov : {40.0, 60.0}) {
    const auto runs = run_cell({fov, 18.0, 1.0, 16}, cfgs, drops, 20, seed++);
    for (size_t i = 0; i < cfgs.size(); ++i) {
      const Interval s = mean_interval(metric(runs[i], &HorizonMetrics::sum_rate_bps)),
                     j = mean_interval(metric(runs[i], &HorizonMetrics::jain));
      std::printf("%4g %-24s %8.1f [%6.1f, %6.1f]  Jain %.3f [%.3f, %.3f]\n", fov, cfgs[i].label.c_str(),
                  s.estimate / 1e6, s.low / 1e6, s.high / 1e6, j.estimate, j.low, j.high);
      std::fprintf(f, "%g %s %d %.4f %.4f %.4f %.5f %.5f %.5f\n", fov, cfgs[i].label.c_str(), cfgs[i].sm ? 1 : 0,
                   s.estimate / 1e6, s.low / 1e6, s.high / 1e6, j.estimate, j.low, j.high);
    }
  }
  std::fclose(f);
}

void regime_map(const std::string& dir, int drops) {
  const std::vector<Config> cfgs = map_configs();
  const int slots = 20;
  std::printf("\n== regime map: 4 x 4 LEDs in 5 x 5 x 3 m, %d drops per cell, %d slots, PF window 10 ==\n", drops,
              slots);
  FILE* f = open_out(dir, "vlc_map.dat");
  FILE* v = open_out(dir, "vlc_verdicts.dat");
  FILE* vt = open_out(dir, "vlc_vs_tdma.dat");
  std::fprintf(vt, "# fov snr_db users_per_led users sm_label sum_ratio lo hi jain_ratio lo hi p5_ratio lo hi\n");
  std::fprintf(f,
               "# fov snr_db users_per_led users config label then mean lo hi of: sum_mbps jain p5_mbps "
               "log_utility served_slot lit messages bits handovers compute_ms\n");
  std::fprintf(v, "# fov snr_db users_per_led users metric sm_label best_baseline ratio lo hi verdict\n");
  const double t0 = now_ms();
  std::uint64_t seed = 1;
  for (double snr : {8.0, 18.0, 28.0, 38.0})
    for (double upl : {0.25, 0.5, 1.0, 2.0, 3.0})
      for (double fov : {20.0, 30.0, 40.0, 50.0, 60.0, 70.0}) {
        const Cell c{fov, snr, upl, static_cast<int>(std::lround(16 * upl))};
        const auto runs = run_cell(c, cfgs, drops, slots, seed++);
        for (size_t i = 0; i < cfgs.size(); ++i) {
          std::fprintf(f, "%g %g %g %d %zu %s", fov, snr, upl, c.users, i, cfgs[i].label.c_str());
          double HorizonMetrics::*const fields[] = {&HorizonMetrics::sum_rate_bps,
                                                    &HorizonMetrics::jain,
                                                    &HorizonMetrics::p5_rate_bps,
                                                    &HorizonMetrics::log_utility,
                                                    &HorizonMetrics::served_fraction_slot,
                                                    &HorizonMetrics::lit_aps,
                                                    &HorizonMetrics::messages,
                                                    &HorizonMetrics::bits,
                                                    &HorizonMetrics::handovers,
                                                    &HorizonMetrics::compute_ms};
          for (auto fld : fields) {
            const Interval m = mean_interval(metric(runs[i], fld));
            const double scale =
                (fld == &HorizonMetrics::sum_rate_bps || fld == &HorizonMetrics::p5_rate_bps) ? 1e-6 : 1.0;
            std::fprintf(f, " %.6g %.6g %.6g", m.estimate * scale, m.low * scale, m.high * scale);
          }
          std::fprintf(f, "\n");
        }
        const struct {
          const char* name;
          double HorizonMetrics::*field;
        } metrics[] = {{"sum_rate", &HorizonMetrics::sum_rate_bps},
                       {"jain", &HorizonMetrics::jain},
                       {"p5_rate", &HorizonMetrics::p5_rate_bps},
                       {"log_utility", &HorizonMetrics::log_utility}};
        for (const auto& mt : metrics) {
          size_t best = 0;
          double best_mean = -1e300;
          for (size_t i = 0; i < cfgs.size(); ++i)
            if (!cfgs[i].sm) {
              const double m = mean_interval(metric(runs[i], mt.field)).estimate;
              if (m > best_mean) {
                best_mean = m;
                best = i;
              }
            }
          for (size_t i = 0; i < cfgs.size(); ++i) {
            if (!cfgs[i].sm) continue;
            const Interval r = ratio_interval(metric(runs[i], mt.field), metric(runs[best], mt.field));
            std::fprintf(v, "%g %g %g %d %s %s %s %.5f %.5f %.5f %s\n", fov, snr, upl, c.users, mt.name,
                         cfgs[i].label.c_str(), cfgs[best].label.c_str(), r.estimate, r.low, r.high, verdict(r));
          }
        }
        // every SM variant over TDMA, for the plot against users
        for (size_t i = 0; i < cfgs.size(); ++i) {
          if (!cfgs[i].sm) continue;
          std::fprintf(vt, "%g %g %g %d %s", fov, snr, upl, c.users, cfgs[i].label.c_str());
          for (double HorizonMetrics::*fld :
               {&HorizonMetrics::sum_rate_bps, &HorizonMetrics::jain, &HorizonMetrics::p5_rate_bps}) {
            const Interval r = ratio_interval(metric(runs[i], fld), metric(runs[2], fld));  // runs[2] = tdma
            std::fprintf(vt, " %.5f %.5f %.5f", r.estimate, r.low, r.high);
          }
          std::fprintf(vt, "\n");
        }
        std::fflush(f);
        std::fflush(v);
        std::fflush(vt);
      }
  std::fclose(f);
  std::fclose(v);
  std::fclose(vt);
  std::printf("map: %.1f s\n", (now_ms() - t0) / 1000);
}

void optimum_gap(const std::string& dir, int drops) {
  std::printf("\n== gap to the single-slot optimum: 3 x 3 LEDs in 5 x 5 m, %d drops; sum rate / exhaustive ==\n",
              drops);
  std::vector<Config> cfgs = map_configs();
  cfgs.push_back({"exhaustive", baseline(Method::Exhaustive), false});
  const std::vector<Ap> aps = grid_aps(3, 3, Room{}, 3.0);
  FILE* f = open_out(dir, "vlc_gap.dat");
  std::fprintf(f, "# fov snr_db users then per config (except exhaustive): ratio lo hi; then exhaustive_ms\n");
  std::printf("%5s %4s %2s", "fov", "snr", "K");
  for (size_t i = 0; i + 1 < cfgs.size(); ++i) std::printf(" %15s", cfgs[i].label.c_str());
  std::printf(" %8s\n", "opt ms");
  std::uint64_t seed = 5000;
  for (double snr : {8.0, 38.0})
    for (int k : {2, 3, 4})
      for (double fov : {20.0, 30.0, 40.0, 50.0, 60.0, 70.0}) {
        Physics ph;
        ph.n0 = n0_for(snr);
        DropSetup s;
        s.users = k;
        s.drops = drops;
        s.slots = 1;
        s.fov_deg = fov;
        s.seed = seed++;
        std::vector<Options> opts;
        for (const Config& x : cfgs) opts.push_back(x.o);
        const auto runs = monte_carlo(aps, Room{}, ph, opts, s);
        const auto opt = metric(runs.back(), &HorizonMetrics::sum_rate_bps);
        std::printf("%5g %4g %2d", fov, snr, k);
        std::fprintf(f, "%g %g %d", fov, snr, k);
        for (size_t i = 0; i + 1 < cfgs.size(); ++i) {
          const Interval r = ratio_interval(metric(runs[i], &HorizonMetrics::sum_rate_bps), opt);
          std::printf(" %15.3f", r.estimate);
          std::fprintf(f, " %.5f %.5f %.5f", r.estimate, r.low, r.high);
        }
        const double ms = mean_interval(metric(runs.back(), &HorizonMetrics::compute_ms)).estimate;
        std::printf(" %8.2f\n", ms);
        std::fprintf(f, " %.4f\n", ms);
      }
  std::fclose(f);
}

void motion(const std::string& dir, int drops) {
  std::printf("\n== walking users and blockage: 16 users, FOV 60, SNR 38 dB, 50 slots, %d drops ==\n", drops);
  const std::vector<Config> cfgs = map_configs();
  const std::vector<Ap> aps = grid_aps(4, 4, Room{}, 3.0);
  FILE* f = open_out(dir, "vlc_motion.dat");
  std::printf("%-8s %-6s %-17s %10s %7s %9s %9s %10s\n", "step_m", "block", "method", "sum Mb/s", "jain", "handov.",
              "messages", "bits");
  for (double step : {0.0, 0.05, 0.2})
    for (double block : {0.0, 0.2}) {
      Physics ph;
      ph.blockage_probability = block;
      DropSetup s;
      s.users = 16;
      s.drops = drops;
      s.slots = 50;
      s.step_m = step;
      s.seed = 7000;
      std::vector<Options> opts;
      for (const Config& x : cfgs) opts.push_back(x.o);
      const auto runs = monte_carlo(aps, Room{}, ph, opts, s);
      for (size_t i = 0; i < cfgs.size(); ++i) {
        const double sum = mean_interval(metric(runs[i], &HorizonMetrics::sum_rate_bps)).estimate / 1e6;
        const double j = mean_interval(metric(runs[i], &HorizonMetrics::jain)).estimate;
        const double h = mean_interval(metric(runs[i], &HorizonMetrics::handovers)).estimate;
        const double msg = mean_interval(metric(runs[i], &HorizonMetrics::messages)).estimate;
        const double bits = mean_interval(metric(runs[i], &HorizonMetrics::bits)).estimate;
        std::printf("%-8g %-6g %-17s %10.1f %7.3f %9.2f %9.1f %10.1f\n", step, block, cfgs[i].label.c_str(), sum, j, h,
                    msg, bits);
        std::fprintf(f, "%g %g %s %.4f %.5f %.4f %.3f %.3f\n", step, block, cfgs[i].label.c_str(), sum, j, h, msg,
                     bits);
      }
    }
  std::fclose(f);
}

void scaling(const std::string& dir) {
  std::printf("\n== scheduling time (ms, one slot, median of 5 interleaved rounds; channel excluded) ==\n");
  const std::vector<Config> cfgs = map_configs();
  std::printf("%6s %6s %10s", "APs", "users", "channel");
  for (const Config& c : cfgs) std::printf(" %14s", c.label.c_str());
  std::printf(" %14s\n", "user_centric/SM");
  FILE* f = open_out(dir, "vlc_scaling.dat");
  const int grids[][2] = {{4, 4}, {10, 10}, {20, 20}, {25, 40}};
  for (const auto& g : grids) {
    Room room;
    room.width = 1.25 * g[1];
    room.length = 1.25 * g[0];
    const std::vector<Ap> aps = grid_aps(g[0], g[1], room, 3.0);
    for (int k : {10, 100, 1000, 10000}) {
      const std::vector<User> users = random_users(k, 17, room, 0.85);
      const Physics ph;
      const double t0 = now_ms();
      const Channel ch = make_channel(aps, users, ph.rx);
      const double channel_ms = now_ms() - t0;
      std::vector<std::vector<double>> t(cfgs.size());
      for (int rep = 0; rep < 5; ++rep)
        for (size_t i = 0; i < cfgs.size(); ++i) t[i].push_back(schedule(ch, aps, users, ph, cfgs[i].o).compute_ms);
      std::printf("%6zu %6d %10.2f", aps.size(), k, channel_ms);
      std::fprintf(f, "%zu %d %.4f", aps.size(), k, channel_ms);
      std::vector<double> med;
      for (auto& x : t) {
        std::sort(x.begin(), x.end());
        med.push_back(x[2]);
        std::printf(" %14.3f", x[2]);
        std::fprintf(f, " %.5f", x[2]);
      }
      std::printf(" %14.2f\n", med[7] / med[1]);
      std::fprintf(f, "\n");
    }
  }
  std::fclose(f);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string what = argc > 1 ? argv[1] : "all";
  const std::string dir = argc > 2 ? argv[2] : ".";
  const int drops = argc > 3 ? std::atoi(argv[3]) : 100;
  const double t0 = now_ms();
  if (what == "pilot") pilot(dir, drops);
  if (what == "map" || what == "all") regime_map(dir, drops);
  if (what == "variants" || what == "all") variants(dir, std::max(10, drops / 2));
  if (what == "gap" || what == "all") optimum_gap(dir, std::max(10, drops / 2));
  if (what == "motion" || what == "all") motion(dir, std::max(10, drops / 5));
  if (what == "scaling" || what == "all") scaling(dir);
  std::printf("\ntotal %.1f s\n", (now_ms() - t0) / 1000);
  return 0;
}
