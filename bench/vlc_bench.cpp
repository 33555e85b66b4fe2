// VLC scheduling benchmark: (1) scheduling time of every method against users and APs up to 10,000 users x 1,000
// APs; (2) the Monte Carlo comparison (sum rate, Jain, served fraction, messages, time) over user counts in the
// reference's default room (4 x 4 APs, 5 x 5 x 3 m), for several quotas; (3) the gap to the exhaustive optimum on
// small instances. Prints tables with ratios to the stable-marriage scheduler and writes gnuplot data files.
//   vlc_bench [output_dir] [drops]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/vlc/vlc.hpp"

using namespace morpheus::vlc;

namespace {

double now_ms() {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

const std::vector<Method> kMethods = {Method::StableMarriage, Method::StableMarriageAp, Method::Greedy, Method::Tdma,
                                      Method::Reuse,          Method::ConflictGraph};

FILE* open_out(const std::string& dir, const char* name) {
  const std::string path = dir + "/" + name;
  FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) {
    std::perror(path.c_str());
    std::exit(1);
  }
  return f;
}

void scaling(const std::string& dir) {
  std::printf("\n== 1. scheduling time (ms, one drop, median of 3; channel time separate) ==\n");
  std::printf("%6s %6s %10s", "APs", "users", "channel");
  for (Method m : kMethods) std::printf(" %18s", method_name(m).c_str());
  std::printf(" %12s\n", "greedy/SM");
  FILE* f = open_out(dir, "vlc_scaling.dat");
  std::fprintf(f, "# aps users channel_ms");
  for (Method m : kMethods) std::fprintf(f, " %s", method_name(m).c_str());
  std::fprintf(f, "\n");
  const int grids[][2] = {{4, 4}, {10, 10}, {20, 20}, {25, 40}};
  const int user_counts[] = {10, 100, 1000, 10000};
  for (const auto& g : grids) {
    Room room;
    room.width = 1.25 * g[1];
    room.length = 1.25 * g[0];
    const std::vector<Ap> aps = grid_aps(g[0], g[1], room, 3.0);
    for (int k : user_counts) {
      const std::vector<User> users = random_users(k, 17, room, 0.85);
      Physics ph;
      const double t0 = now_ms();
      const Channel ch = make_channel(aps, users, ph.rx);
      const double channel_ms = now_ms() - t0;
      std::printf("%6zu %6d %10.2f", aps.size(), k, channel_ms);
      std::fprintf(f, "%zu %d %.4f", aps.size(), k, channel_ms);
      double sm = 0, gr = 0;
      for (Method m : kMethods) {
        Options o;
        o.method = m;
        std::vector<double> t;
        for (int rep = 0; rep < 3; ++rep) t.push_back(schedule(ch, aps, users, ph, o).compute_ms);
        std::sort(t.begin(), t.end());
        if (m == Method::StableMarriage) sm = t[1];
        if (m == Method::Greedy) gr = t[1];
        std::printf(" %18.3f", t[1]);
        std::fprintf(f, " %.5f", t[1]);
      }
      std::printf(" %12.2f\n", gr / sm);
      std::fprintf(f, "\n");
    }
  }
  std::fclose(f);
}

void comparison(const std::string& dir, int drops) {
  const std::vector<Ap> aps = grid_aps(4, 4, Room{}, 3.0);
  const int quotas[] = {0, 1, 2};
  for (int q : quotas) {
    std::printf("\n== 2. default room, 16 APs, %d drops per point, quota %s ==\n", drops,
                q == 0 ? "none" : std::to_string(q).c_str());
    std::printf("%4s %-19s %10s %9s %7s %7s %9s %7s %9s %10s\n", "K", "method", "sum Mb/s", "vs SM", "jain", "served",
                "messages", "rounds", "time ms", "time vs SM");
    const std::string name = "vlc_compare_q" + std::to_string(q) + ".dat";
    FILE* f = open_out(dir, name.c_str());
    std::fprintf(f, "# K then per method: sum_mbps jain served messages compute_ms (methods:");
    for (Method m : kMethods) std::fprintf(f, " %s", method_name(m).c_str());
    std::fprintf(f, ")\n");
    for (int k = 2; k <= 20; k += 2) {
      Options o;
      o.seed = 1000 + static_cast<std::uint64_t>(k);
      const std::vector<CompareRow> rows = compare(aps, k, drops, kMethods, Room{}, 0.85, 60, q, Physics{}, o);
      std::fprintf(f, "%d", k);
      for (const CompareRow& r : rows) {
        std::printf("%4d %-19s %10.1f %9.3f %7.3f %7.3f %9.1f %7.2f %9.4f %10.2f\n", k, method_name(r.method).c_str(),
                    r.sum_rate_bps / 1e6, r.sum_rate_bps / rows[0].sum_rate_bps, r.jain, r.served_fraction, r.messages,
                    r.rounds, r.compute_ms, r.compute_ms / rows[0].compute_ms);
        std::fprintf(f, " %.4f %.5f %.5f %.3f %.6f", r.sum_rate_bps / 1e6, r.jain, r.served_fraction, r.messages,
                     r.compute_ms);
      }
      std::fprintf(f, "\n");
    }
    std::fclose(f);
  }
}

void optimum_gap(const std::string& dir, int drops) {
  std::printf("\n== 3. small instances: 3 x 3 APs in the 5 x 5 m room, %d drops; sum rate / exhaustive optimum ==\n",
              drops);
  std::vector<Method> ms = kMethods;
  ms.push_back(Method::Exhaustive);
  std::printf("%4s", "K");
  for (Method m : ms) std::printf(" %18s", method_name(m).c_str());
  std::printf(" %14s\n", "exhaustive ms");
  FILE* f = open_out(dir, "vlc_optimum.dat");
  std::fprintf(f, "# K ratio_to_optimum per method (");
  for (Method m : kMethods) std::fprintf(f, " %s", method_name(m).c_str());
  std::fprintf(f, ") exhaustive_ms\n");
  const std::vector<Ap> aps = grid_aps(3, 3, Room{}, 3.0);
  for (int k = 1; k <= 4; ++k) {
    Options o;
    o.seed = 77 + static_cast<std::uint64_t>(k);
    const std::vector<CompareRow> rows = compare(aps, k, drops, ms, Room{}, 0.85, 60, 0, Physics{}, o);
    const double opt = rows.back().sum_rate_bps;
    std::printf("%4d", k);
    std::fprintf(f, "%d", k);
    for (const CompareRow& r : rows) std::printf(" %18.3f", r.sum_rate_bps / opt);
    for (size_t i = 0; i + 1 < rows.size(); ++i) std::fprintf(f, " %.5f", rows[i].sum_rate_bps / opt);
    std::printf(" %14.2f\n", rows.back().compute_ms);
    std::fprintf(f, " %.4f\n", rows.back().compute_ms);
  }
  std::fclose(f);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : ".";
  const int drops = argc > 2 ? std::atoi(argv[2]) : 1000;
  const double t0 = now_ms();
  scaling(dir);
  comparison(dir, drops);
  optimum_gap(dir, std::max(10, drops / 20));
  std::printf("\ntotal %.1f s\n", (now_ms() - t0) / 1000);
  return 0;
}
