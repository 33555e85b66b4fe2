// VLC model and schedulers: reference values of shared/reference/vlc.md, textbook formulas, brute-force stability,
// enumeration of all stable matchings, exhaustive-search optimality, message bounds, reproducibility, bad inputs.
// The protocol variants, multi-slot schedules and statistics are in test_vlc_slots.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <tuple>

#include "core/errors.hpp"
#include "core/vlc/vlc.hpp"

using morpheus::Rng;
using namespace morpheus::vlc;

namespace {

constexpr double kDeg = kPi / 180.0;

// Textbook closed form for a downward LED above an upward receiver (vlc.md section 2), written out independently.
double textbook_gain(double h, double r, double semi_deg, double fov_deg) {
  const double d = std::sqrt(h * h + r * r);
  if (std::atan2(r, h) > fov_deg * kDeg) return 0.0;
  const double m = -std::log(2.0) / std::log(std::cos(semi_deg * kDeg));
  const double g = 1.5 * 1.5 / std::pow(std::sin(fov_deg * kDeg), 2);
  return (m + 1) * 1e-4 * g * std::pow(h, m + 1) / (2 * kPi * std::pow(d, m + 3));
}

Ap ap_at(std::int64_t id, double x, double y, double z = 3.0, double semi = 60) {
  Ap a;
  a.id = id;
  a.x = x;
  a.y = y;
  a.z = z;
  a.semi_angle_deg = semi;
  return a;
}

User user_at(std::int64_t id, double x, double y, double z = 0.85, int quota = 0) {
  User u;
  u.id = id;
  u.x = x;
  u.y = y;
  u.z = z;
  u.quota = quota;
  return u;
}

Schedule run(const std::vector<Ap>& aps, const std::vector<User>& users, Method m, const Physics& ph = Physics{}) {
  Options o;
  o.method = m;
  return schedule(make_channel(aps, users, ph.rx), aps, users, ph, o);
}

double sum_rate(const Schedule& s) {
  double t = 0;
  for (const UserResult& r : s.users) t += r.rate_bps;
  return t;
}

}  // namespace

TEST(VlcChannel, LambertianOrderAndConcentratorReferenceValues) {
  EXPECT_NEAR(lambertian_order(60 * kDeg), 1.0, 1e-12);
  EXPECT_NEAR(lambertian_order(70 * kDeg), 0.646059, 1e-6);
  EXPECT_NEAR(lambertian_order(45 * kDeg), 2.0, 1e-12);
  EXPECT_NEAR(concentrator_gain(1.5, 60 * kDeg), 3.0, 1e-12);
  EXPECT_NEAR(concentrator_gain(1.5, 70 * kDeg), 2.548067, 1e-6);
  EXPECT_NEAR(concentrator_gain(1.5, 90 * kDeg), 2.25, 1e-12);
}

TEST(VlcChannel, GainReferenceValues) {
  const Receiver rx;
  auto gain = [&](double h, double r, double semi) {
    Ap a = ap_at(1, 0, 0, h + 0.85, semi);
    User u = user_at(1, r, 0);
    return link_geometry(a, u, rx).gain;
  };
  EXPECT_NEAR(gain(2.15, 0, 70), 1.70024e-5, 1e-10);
  EXPECT_NEAR(gain(2.15, 0, 60), 2.06583e-5, 1e-10);
  EXPECT_NEAR(gain(2.5, 0, 60), 1.52789e-5, 1e-10);
  EXPECT_NEAR(gain(2.15, 1, 60), 1.39633e-5, 1e-10);
  EXPECT_NEAR(gain(2.15, 2, 60), 5.93720e-6, 1e-11);
  EXPECT_NEAR(gain(2.15, 3.72, 60), 1.29522e-6, 1e-11);
  EXPECT_EQ(gain(2.15, 3.73, 60), 0.0);
  // the textbook closed form over a sweep of offsets, semi-angles and fields of view
  for (double semi : {45.0, 60.0, 70.0})
    for (double fov : {40.0, 60.0, 85.0})
      for (double r = 0; r < 6; r += 0.37) {
        Ap a = ap_at(1, 0, 0, 3.0, semi);
        User u = user_at(1, r, 0);
        u.fov_deg = fov;
        const double want = textbook_gain(2.15, r, semi, fov);
        EXPECT_NEAR(link_geometry(a, u, rx).gain, want, 1e-12 + 1e-9 * want) << semi << " " << fov << " " << r;
      }
  // angles reported
  const LinkGeometry g = link_geometry(ap_at(1, 0, 0), user_at(1, 2.15, 0), rx);
  EXPECT_NEAR(g.incidence_deg, 45.0, 1e-9);
  EXPECT_NEAR(g.distance_m, 2.15 * std::sqrt(2.0), 1e-12);
}

TEST(VlcNoise, KomineReferenceValues) {
  Physics ph;
  const KomineNoise n = komine_noise_terms(ph, 0.0, 100e6);
  EXPECT_NEAR(n.thermal_feedback, 6.443e-15, 0.001e-15);
  EXPECT_NEAR(n.thermal_fet, 3.501e-14, 0.001e-14);
  EXPECT_NEAR(n.background_shot, 9.184e-14, 0.001e-14);
  EXPECT_NEAR(n.thermal_feedback + n.thermal_fet + n.background_shot, 1.333e-13, 0.001e-13);
  ph.noise = NoiseModel::Komine;
  // signal shot noise 2 q R P B added to the rest
  EXPECT_NEAR(noise_variance(ph, 1e-5, 100e6) - 1.333e-13, 2 * 1.602176634e-19 * 0.53 * 1e-5 * 100e6, 0.001e-13);
  ph.noise = NoiseModel::Simple;
  EXPECT_DOUBLE_EQ(noise_variance(ph, 1.0, 20e6), 1e-21 * 20e6);
}

TEST(VlcRate, SingleUserUnderOneApReference) {
  const Schedule s = run({ap_at(1, 2.5, 2.5)}, {user_at(1, 2.5, 2.5)}, Method::StableMarriage);
  ASSERT_EQ(s.users.size(), 1u);
  EXPECT_NEAR(s.users[0].signal, 1.19878e-10, 1e-14);
  EXPECT_NEAR(s.users[0].noise, 2e-14, 1e-20);
  EXPECT_EQ(s.users[0].interference, 0.0);
  EXPECT_NEAR(10 * std::log10(s.users[0].sinr), 37.78, 0.01);
  EXPECT_NEAR(s.users[0].rate_bps, 251.0e6, 0.1e6);
  Physics im;
  im.rate = RateForm::IntensityBound;
  const Schedule t = run({ap_at(1, 2.5, 2.5)}, {user_at(1, 2.5, 2.5)}, Method::StableMarriage, im);
  EXPECT_NEAR(t.users[0].rate_bps, 10e6 * std::log2(1 + std::exp(1.0) / (2 * kPi) * s.users[0].sinr), 1.0);
}

TEST(VlcSinr, AmplitudesAddWithinCellPowersAcrossCells) {
  // one user midway between two equal APs: both serve it, amplitudes add -> 4x the power of one
  const std::vector<Ap> two = {ap_at(1, 2.0, 2.5), ap_at(2, 3.0, 2.5)};
  const Schedule s = run(two, {user_at(1, 2.5, 2.5)}, Method::StableMarriage);
  const double h = textbook_gain(2.15, 0.5, 60, 60);
  EXPECT_NEAR(s.users[0].signal, 4 * std::pow(0.53 * h, 2), 1e-22);
  ASSERT_EQ(s.plan.cells[0].size(), 2u);
  // two users, each under one AP 1.5 m apart: the other cell interferes with its power
  const std::vector<Ap> aps = {ap_at(1, 1.75, 2.5), ap_at(2, 3.25, 2.5)};
  const std::vector<User> users = {user_at(1, 1.75, 2.5), user_at(2, 3.25, 2.5)};
  const Schedule t = run(aps, users, Method::StableMarriage);
  const double h0 = textbook_gain(2.15, 0, 60, 60), h1 = textbook_gain(2.15, 1.5, 60, 60);
  for (int u = 0; u < 2; ++u) {
    EXPECT_NEAR(t.users[u].signal, std::pow(0.53 * h0, 2), 1e-22);
    EXPECT_NEAR(t.users[u].interference, std::pow(0.53 * h1, 2), 1e-22);
    const double sinr = std::pow(0.53 * h0, 2) / (std::pow(0.53 * h1, 2) + 2e-14);
    EXPECT_NEAR(t.users[u].rate_bps, 20e6 * std::log2(1 + sinr), 1e-3);
  }
  // TDMA: both users nearest to AP 1 share it round robin, AP 2 is dark -> no interference; one user per slot
  const std::vector<User> near1 = {user_at(1, 1.5, 2.5), user_at(2, 2.0, 2.5)};
  const Channel ch = make_channel(aps, near1, Physics{}.rx);
  for (int slot = 1; slot <= 2; ++slot) {
    Options o;
    o.method = Method::Tdma;
    SlotContext ctx;
    ctx.slot = slot;
    const Schedule td = schedule(ch, aps, near1, Physics{}, o, ctx);
    const int on = slot - 1;  // user order round robin: user 0 in slot 1, user 1 in slot 2
    const double g = textbook_gain(2.15, on == 0 ? 0.25 : 0.25, 60, 60);
    EXPECT_EQ(td.users[on].interference, 0.0);
    EXPECT_NEAR(td.users[on].rate_bps, 20e6 * std::log2(1 + std::pow(0.53 * g, 2) / 2e-14), 1e-3);
    EXPECT_EQ(td.users[1 - on].rate_bps, 0.0);
    ASSERT_EQ(td.plan.groups.size(), 1u);  // only the loaded AP transmits
  }
}

TEST(VlcMetrics, JainIndex) {
  EXPECT_DOUBLE_EQ(jain_index({3, 3, 3, 3}), 1.0);
  EXPECT_DOUBLE_EQ(jain_index({5, 0, 0, 0}), 0.25);
  EXPECT_NEAR(jain_index({1, 2, 3}), 36.0 / (3 * 14.0), 1e-15);
}

TEST(VlcMatching, WorkedExampleAligned) {
  // H (x1e-6): a1: 20 15, a2: 12 18, a3: 10 9; quota 2
  const std::vector<std::vector<int>> upref = {{0, 1, 2}, {1, 0, 2}}, apref = {{0, 1}, {1, 0}, {0, 1}};
  const Matching m = deferred_acceptance_users(upref, apref, {2, 2});
  EXPECT_EQ(m.user_aps[0], (std::vector<int>{0, 2}));
  EXPECT_EQ(m.user_aps[1], (std::vector<int>{1}));
  EXPECT_EQ(m.proposals, 6);
  EXPECT_EQ(m.messages, 12);
  EXPECT_EQ(m.rounds, 3);
  EXPECT_TRUE(blocking_pairs(upref, apref, {2, 2}, m.ap_user).empty());
}

TEST(VlcMatching, WorkedExampleNotAligned) {
  const std::vector<std::vector<int>> upref = {{0, 1}, {1, 0}}, apref = {{1, 0}, {0, 1}};
  const Matching mu = deferred_acceptance_users(upref, apref, {1, 1});
  const Matching ma = deferred_acceptance_aps(upref, apref, {1, 1});
  EXPECT_EQ(mu.ap_user, (std::vector<int>{0, 1}));
  EXPECT_EQ(ma.ap_user, (std::vector<int>{1, 0}));
  EXPECT_TRUE(blocking_pairs(upref, apref, {1, 1}, mu.ap_user).empty());
  EXPECT_TRUE(blocking_pairs(upref, apref, {1, 1}, ma.ap_user).empty());
  // the blocking-pair check itself detects an unstable matching: u1-a2 and u2-a1 are both unmatched-pair blocking
  EXPECT_FALSE(blocking_pairs(upref, apref, {1, 1}, {-1, -1}).empty());
}

namespace {

struct Instance {
  std::vector<std::vector<int>> upref, apref;
  std::vector<int> quota;
};

// Random instance with random mutual acceptability and strict random preferences.
Instance random_instance(Rng& rng, int m, int k, int max_quota) {
  Instance in;
  in.upref.assign(static_cast<size_t>(k), {});
  in.apref.assign(static_cast<size_t>(m), {});
  std::vector<std::vector<char>> ok(static_cast<size_t>(m), std::vector<char>(static_cast<size_t>(k), 0));
  for (int a = 0; a < m; ++a)
    for (int u = 0; u < k; ++u) ok[a][u] = rng.uniform() < 0.75;
  auto shuffle = [&](std::vector<int>& v) { rng.shuffle(v.begin(), v.end()); };
  for (int u = 0; u < k; ++u) {
    for (int a = 0; a < m; ++a)
      if (ok[a][u]) in.upref[u].push_back(a);
    shuffle(in.upref[u]);
    in.quota.push_back(static_cast<int>(rng.below(static_cast<std::uint64_t>(max_quota + 1))));  // 0 = no limit
  }
  for (int a = 0; a < m; ++a) {
    for (int u = 0; u < k; ++u)
      if (ok[a][u]) in.apref[a].push_back(u);
    shuffle(in.apref[a]);
  }
  return in;
}

int rank_in(const std::vector<int>& pref, int x) {
  return static_cast<int>(std::find(pref.begin(), pref.end(), x) - pref.begin());
}

}  // namespace

TEST(VlcMatching, StableOnThousandsOfRandomInstancesWithinMessageBounds) {
  Rng rng(2024);
  for (int it = 0; it < 4000; ++it) {
    const int m = 1 + static_cast<int>(rng.below(12)), k = 1 + static_cast<int>(rng.below(12));
    const Instance in = random_instance(rng, m, k, 3);
    std::int64_t acceptable = 0;
    for (const auto& p : in.upref) acceptable += static_cast<std::int64_t>(p.size());
    for (int side = 0; side < 2; ++side) {
      const Matching mt = side == 0 ? deferred_acceptance_users(in.upref, in.apref, in.quota)
                                    : deferred_acceptance_aps(in.upref, in.apref, in.quota);
      ASSERT_TRUE(blocking_pairs(in.upref, in.apref, in.quota, mt.ap_user).empty()) << "instance " << it;
      // feasibility: each AP one acceptable user; user quotas respected; user_aps consistent with ap_user
      std::vector<int> held(static_cast<size_t>(k), 0);
      for (int a = 0; a < m; ++a) {
        const int u = mt.ap_user[a];
        if (u < 0) continue;
        ASSERT_LT(rank_in(in.upref[u], a), static_cast<int>(in.upref[u].size()));
        ASSERT_LT(rank_in(in.apref[a], u), static_cast<int>(in.apref[a].size()));
        ++held[u];
      }
      for (int u = 0; u < k; ++u) {
        if (in.quota[u] > 0) {
          ASSERT_LE(held[u], in.quota[u]);
        }
        if (side == 0) {
          ASSERT_EQ(static_cast<int>(mt.user_aps[u].size()), held[u]);
        }
      }
      ASSERT_LE(mt.proposals, side == 0 ? acceptable : acceptable);  // each acceptable pair proposed at most once
      ASSERT_GE(mt.messages, 2 * mt.proposals);
      ASSERT_LE(mt.messages, 3 * mt.proposals);
      ASSERT_LE(mt.rounds, mt.proposals);
      ASSERT_LE(mt.rounds, static_cast<std::int64_t>(m) * k);
    }
  }
}

TEST(VlcMatching, UserProposingIsUserOptimalAndApPessimalAmongAllStableMatchings) {
  Rng rng(77);
  int checked = 0;
  for (int it = 0; it < 600; ++it) {
    const int m = 1 + static_cast<int>(rng.below(5)), k = 1 + static_cast<int>(rng.below(3));
    const Instance in = random_instance(rng, m, k, 2);
    const Matching du = deferred_acceptance_users(in.upref, in.apref, in.quota);
    const Matching da = deferred_acceptance_aps(in.upref, in.apref, in.quota);
    // enumerate every AP -> {none, user} map; keep the feasible stable ones
    std::vector<int> assign(static_cast<size_t>(m), -1);
    std::vector<std::vector<int>> stable;
    std::function<void(int)> rec = [&](int a) {
      if (a == m) {
        std::vector<int> held(static_cast<size_t>(k), 0);
        for (int x : assign)
          if (x >= 0) ++held[x];
        for (int u = 0; u < k; ++u)
          if (in.quota[u] > 0 && held[u] > in.quota[u]) return;
        if (blocking_pairs(in.upref, in.apref, in.quota, assign).empty()) stable.push_back(assign);
        return;
      }
      assign[a] = -1;
      rec(a + 1);
      for (int u : in.apref[a])
        if (rank_in(in.upref[u], a) < static_cast<int>(in.upref[u].size())) {
          assign[a] = u;
          rec(a + 1);
        }
      assign[a] = -1;
    };
    rec(0);
    ASSERT_FALSE(stable.empty());
    auto sorted_ranks = [&](const std::vector<int>& ap_user, int u) {
      std::vector<int> r;
      for (int a = 0; a < m; ++a)
        if (ap_user[a] == u) r.push_back(rank_in(in.upref[u], a));
      std::sort(r.begin(), r.end());
      return r;
    };
    for (const auto& s : stable) {
      for (int u = 0; u < k; ++u) {
        const auto best = sorted_ranks(du.ap_user, u), other = sorted_ranks(s, u), worst = sorted_ranks(da.ap_user, u);
        ASSERT_EQ(best.size(), other.size()) << "rural hospitals: same number of APs in every stable matching";
        for (size_t i = 0; i < best.size(); ++i) {
          ASSERT_LE(best[i], other[i]) << "user-proposing must be user-optimal, instance " << it;
          ASSERT_GE(worst[i], other[i]) << "AP-proposing must be user-pessimal, instance " << it;
        }
      }
      for (int a = 0; a < m; ++a) {
        auto arank = [&](const std::vector<int>& au) { return au[a] < 0 ? 1000 : rank_in(in.apref[a], au[a]); };
        ASSERT_GE(arank(du.ap_user), arank(s)) << "user-proposing must be AP-pessimal";
        ASSERT_LE(arank(da.ap_user), arank(s)) << "AP-proposing must be AP-optimal";
      }
    }
    checked += static_cast<int>(stable.size());
  }
  EXPECT_GT(checked, 600);
}

namespace {
std::vector<User> drop(Rng& rng, int k, int quota) {
  std::vector<User> users = random_users(k, rng(), Room{}, 0.85);
  for (User& u : users) u.quota = quota;
  return users;
}

// The centralized greedy of the "Users First" line of work, written out independently: sort every visible pair by
// gain (ties: lower AP, then lower user) and assign within capacities.
std::vector<std::vector<int>> greedy_cells(const Channel& ch, const std::vector<User>& users) {
  std::vector<std::tuple<double, int, int>> pairs;
  for (size_t u = 0; u < users.size(); ++u)
    for (const Link& l : ch.by_user[u]) pairs.emplace_back(-l.gain, l.other, static_cast<int>(u));
  std::sort(pairs.begin(), pairs.end());
  std::vector<char> used(static_cast<size_t>(ch.num_aps), 0);
  std::vector<std::vector<int>> cells(users.size());
  for (const auto& [g, a, u] : pairs) {
    if (used[a] || (users[u].quota > 0 && cells[u].size() >= static_cast<size_t>(users[u].quota))) continue;
    used[a] = 1;
    cells[u].push_back(a);
  }
  return cells;
}

std::vector<int> sorted(std::vector<int> v) {
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace

TEST(VlcSchedule, AlignedPreferencesGiveTheUniqueStableMatchingGreedyFindsToo) {
  const std::vector<Ap> aps = grid_aps(4, 4, Room{}, 3.0);
  Rng rng(5);
  for (int it = 0; it < 200; ++it) {
    const std::vector<User> users = drop(rng, 1 + static_cast<int>(rng.below(20)), static_cast<int>(rng.below(4)));
    const Schedule su = run(aps, users, Method::StableMarriage), sa = run(aps, users, Method::StableMarriageAp);
    const auto g = greedy_cells(make_channel(aps, users, Physics{}.rx), users);
    for (size_t u = 0; u < users.size(); ++u) {
      ASSERT_EQ(sorted(su.plan.cells[u]), sorted(sa.plan.cells[u]));
      ASSERT_EQ(sorted(su.plan.cells[u]), sorted(g[u]));
    }
  }
}

TEST(VlcSchedule, NoQuotaStableMarriageMaximizesTheSummedGain) {
  // Without quotas the summed gain separates over APs, so its maximum gives every AP to its strongest user; the
  // brute force below enumerates every AP -> {idle, visible user} map of small rooms.
  Room room;
  room.width = room.length = 3.0;
  const std::vector<Ap> aps = grid_aps(2, 3, room, 3.0);
  Rng rng(8);
  for (int it = 0; it < 60; ++it) {
    const std::vector<User> users = random_users(1 + static_cast<int>(rng.below(4)), rng(), room, 0.85);
    const Channel ch = make_channel(aps, users, Physics{}.rx);
    double best = 0;
    std::vector<int> assign(aps.size(), -1);
    std::function<void(size_t, double)> rec = [&](size_t a, double acc) {
      if (a == aps.size()) {
        best = std::max(best, acc);
        return;
      }
      rec(a + 1, acc);
      for (size_t u = 0; u < users.size(); ++u)
        if (ch.gain(static_cast<int>(a), static_cast<int>(u)) > 0)
          rec(a + 1, acc + ch.gain(static_cast<int>(a), static_cast<int>(u)));
    };
    rec(0, 0.0);
    for (Method m : {Method::StableMarriage, Method::StableMarriageAp}) {
      const Schedule s = run(aps, users, m);
      double got = 0;
      for (size_t u = 0; u < users.size(); ++u)
        for (int a : s.plan.cells[u]) got += ch.gain(a, static_cast<int>(u));
      ASSERT_NEAR(got, best, 1e-15) << method_name(m);
      const auto g = greedy_cells(ch, users);
      for (size_t u = 0; u < users.size(); ++u) ASSERT_EQ(sorted(s.plan.cells[u]), sorted(g[u]));
    }
  }
}

TEST(VlcSchedule, ExhaustiveOptimumIsNeverBeatenAndMatchesBruteForce) {
  Room room;
  room.width = room.length = 3.0;
  const std::vector<Ap> aps = grid_aps(2, 3, room, 3.0);  // 6 APs
  Rng rng(11);
  Physics ph;
  ph.n0 = 1e-19;
  for (int it = 0; it < 25; ++it) {
    const int k = 1 + static_cast<int>(rng.below(3));
    std::vector<User> users = random_users(k, rng(), room, 0.85);
    for (User& u : users) u.quota = static_cast<int>(rng.below(3));
    const Channel ch = make_channel(aps, users, ph.rx);
    Options o;
    o.method = Method::Exhaustive;
    const double best = sum_rate(schedule(ch, aps, users, ph, o));
    // independent brute force through evaluate_plan
    double brute = 0;
    std::vector<int> assign(aps.size(), -1);
    std::function<void(size_t)> rec = [&](size_t a) {
      if (a == aps.size()) {
        std::vector<std::vector<int>> cells(users.size());
        for (size_t b = 0; b < aps.size(); ++b)
          if (assign[b] >= 0) cells[static_cast<size_t>(assign[b])].push_back(static_cast<int>(b));
        for (size_t u = 0; u < users.size(); ++u)
          if (users[u].quota > 0 && cells[u].size() > static_cast<size_t>(users[u].quota)) return;
        double s = 0;
        for (const UserResult& r : evaluate_plan(ch, aps, ph, cells_plan(cells))) s += r.rate_bps;
        brute = std::max(brute, s);
        return;
      }
      for (int u = -1; u < static_cast<int>(users.size()); ++u) {
        if (u >= 0 && ch.gain(static_cast<int>(a), u) <= 0) continue;
        assign[a] = u;
        rec(a + 1);
      }
      assign[a] = -1;
    };
    rec(0);
    ASSERT_NEAR(best, brute, 1e-6 * brute);
    // no method beats it in any slot, whatever the protocol options
    for (Method m : {Method::StableMarriage, Method::StableMarriageAp, Method::Tdma, Method::TdmaAll, Method::Reuse,
                     Method::ConflictGraph, Method::SingleUser, Method::UserCentric})
      for (int variant = 0; variant < 4; ++variant) {
        o.method = m;
        o.variant = variant == 1 ? Variant::TwoStage : Variant::OneStage;
        o.admission_ratio = variant == 2 ? 0.5 : 0.0;
        o.ap_preference = variant == 3 ? ApPreference::Random : ApPreference::Gain;
        for (int slot = 1; slot <= 2; ++slot) {
          SlotContext ctx;
          ctx.slot = slot;
          ASSERT_LE(sum_rate(schedule(ch, aps, users, ph, o, ctx)), best * (1 + 1e-9)) << method_name(m);
        }
      }
  }
}

TEST(VlcSchedule, BaselinesAreFeasible) {
  const std::vector<Ap> aps = grid_aps(4, 4, Room{}, 3.0);
  Rng rng(9);
  for (int it = 0; it < 50; ++it) {
    const std::vector<User> users = drop(rng, 12, 2);
    const Channel ch = make_channel(aps, users, Physics{}.rx);
    // conflict graph: scheduled users' visibility sets are disjoint, so nobody is interfered with
    const Schedule cg = run(aps, users, Method::ConflictGraph);
    int scheduled = 0;
    for (size_t u = 0; u < users.size(); ++u)
      if (!cg.plan.cells[u].empty()) {
        ++scheduled;
        ASSERT_EQ(cg.users[u].interference, 0.0);
      }
    ASSERT_GE(scheduled, 1);
    // TDMA / reuse: every served user is served by its strongest AP, one user per loaded AP and slot
    for (Method m : {Method::Tdma, Method::TdmaAll, Method::Reuse}) {
      const Schedule s = run(aps, users, m);
      for (size_t u = 0; u < users.size(); ++u) {
        if (!s.plan.cells[u].empty()) {
          ASSERT_EQ(s.plan.cells[u], std::vector<int>{ch.by_user[u].front().other});
        }
      }
    }
    // tdma_all lights every AP, tdma only the loaded ones
    std::vector<char> loaded(aps.size(), 0);
    for (size_t u = 0; u < users.size(); ++u) loaded[static_cast<size_t>(ch.by_user[u].front().other)] = 1;
    ASSERT_EQ(run(aps, users, Method::TdmaAll).plan.groups.size(), aps.size());
    ASSERT_EQ(run(aps, users, Method::Tdma).plan.groups.size(),
              static_cast<size_t>(std::count(loaded.begin(), loaded.end(), 1)));
    // reuse colours: no two horizontally or vertically adjacent grid APs share a band
    const Schedule re = run(aps, users, Method::Reuse);
    for (size_t g = 0; g < re.plan.groups.size(); ++g)
      for (size_t h = 0; h < re.plan.groups.size(); ++h) {
        const Ap &a = aps[static_cast<size_t>(re.plan.groups[g][0])],
                 &b = aps[static_cast<size_t>(re.plan.groups[h][0])];
        if (g != h && std::hypot(a.x - b.x, a.y - b.y) < 1.25 * 1.5) {
          ASSERT_NE(re.plan.group_band[g], re.plan.group_band[h]);
        }
      }
    // single user: exactly one user, served by its best quota visible APs, interference-free
    const Schedule su = run(aps, users, Method::SingleUser);
    int served = 0;
    for (size_t u = 0; u < users.size(); ++u)
      if (!su.plan.cells[u].empty()) {
        ++served;
        ASSERT_EQ(su.plan.cells[u].size(), std::min<size_t>(2, ch.by_user[u].size()));
        ASSERT_EQ(su.users[u].interference, 0.0);
      }
    ASSERT_EQ(served, 1);
    // user-centric: disjoint clusters within the quotas
    const Schedule uc = run(aps, users, Method::UserCentric);
    std::vector<int> owner(aps.size(), -1);
    for (size_t u = 0; u < users.size(); ++u) {
      ASSERT_LE(uc.plan.cells[u].size(), 2u);
      for (int a : uc.plan.cells[u]) {
        ASSERT_EQ(owner[static_cast<size_t>(a)], -1);
        owner[static_cast<size_t>(a)] = static_cast<int>(u);
        ASSERT_GT(ch.gain(a, static_cast<int>(u)), 0.0);
      }
    }
  }
}

TEST(VlcSchedule, UserCentricLeavesInterferingLedsDark) {
  // At a 60 degree FOV with 16 users every LED is seen by most users: stable marriage lights every LED somebody
  // sees, the centralized full-CSI clustering keeps some dark because lighting them lowers the sum rate.
  const std::vector<Ap> aps = grid_aps(4, 4, Room{}, 3.0);
  double lit_sm = 0, lit_uc = 0, rate_sm = 0, rate_uc = 0;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const std::vector<User> users = random_users(16, seed, Room{}, 0.85);
    const Schedule sm = run(aps, users, Method::StableMarriage), uc = run(aps, users, Method::UserCentric);
    for (const auto& g : sm.plan.groups) lit_sm += static_cast<double>(g.size());
    for (const auto& g : uc.plan.groups) lit_uc += static_cast<double>(g.size());
    rate_sm += sum_rate(sm);
    rate_uc += sum_rate(uc);
  }
  EXPECT_EQ(lit_sm, 20 * 16.0);
  EXPECT_LT(lit_uc, lit_sm);
  EXPECT_GT(rate_uc, rate_sm);
}

TEST(VlcValidate, BadInputsNameTheProblem) {
  const Room room;
  const Physics ph;
  auto msg = [&](const std::vector<Ap>& aps, const std::vector<User>& users, const Physics& p) -> std::string {
    try {
      validate(aps, users, room, p);
    } catch (const morpheus::Error& e) {
      EXPECT_EQ(e.kind(), morpheus::ErrorKind::InvalidParameter);
      EXPECT_FALSE(e.hint().empty());
      return e.what();
    }
    return "";
  };
  const std::vector<Ap> aps = {ap_at(1, 1, 1), ap_at(2, 2, 2)};
  const std::vector<User> users = {user_at(1, 1, 1)};
  EXPECT_EQ(msg(aps, users, ph), "");
  EXPECT_EQ(msg({ap_at(1, 1, 1), ap_at(1, 2, 2)}, users, ph), "ap_sql returned id 1 more than once");
  EXPECT_EQ(msg(aps, {user_at(3, 1, 1), user_at(3, 2, 2)}, ph), "user_sql returned id 3 more than once");
  EXPECT_NE(msg(aps, {user_at(1, 6, 1)}, ph).find("user id 1 at (6, 1, 0.85) is outside the room 5 x 5 x 3 m"),
            std::string::npos);
  std::vector<Ap> neg = aps;
  neg[1].power_w = -1;
  EXPECT_EQ(msg(neg, users, ph), "AP id 2 has power_w = -1; it must be positive");
  EXPECT_EQ(msg({}, users, ph), "ap_sql returned no rows");
  EXPECT_EQ(msg(aps, {}, ph), "user_sql returned no rows");
  std::vector<User> bad = users;
  bad[0].fov_deg = 120;
  EXPECT_NE(msg(aps, bad, ph).find("fov_deg must be in (0, 90]"), std::string::npos);
  bad = users;
  bad[0].tilt_deg = 95;
  EXPECT_EQ(msg(aps, bad, ph), "user id 1 tilt_deg must be in [0, 90) degrees; got 95");
  Physics p = ph;
  p.dimming = 0;
  EXPECT_EQ(msg(aps, users, p), "dimming must be in (0, 1]; got 0");
  p = ph;
  p.blockage_probability = 1;
  EXPECT_EQ(msg(aps, users, p), "blockage_probability must be in [0, 1); got 1");
  auto choice_error = [](auto f) -> std::pair<std::string, std::string> {
    try {
      f();
    } catch (const morpheus::Error& e) {
      EXPECT_EQ(e.kind(), morpheus::ErrorKind::InvalidParameter);
      return {e.what(), e.hint()};
    }
    return {"", ""};
  };
  EXPECT_EQ(choice_error([] { parse_method("greedy"); }),
            std::make_pair(std::string("unknown method \"greedy\""),
                           std::string("valid values: stable_marriage, stable_marriage_ap, tdma, tdma_all, reuse, "
                                       "conflict_graph, single_user, user_centric, exhaustive")));
  EXPECT_EQ(choice_error([] { parse_variant("three_stage"); }).first, "unknown variant \"three_stage\"");
  EXPECT_EQ(choice_error([] { parse_variant("three_stage"); }).second, "valid values: one_stage, two_stage");
  EXPECT_EQ(choice_error([] { parse_ap_preference("x"); }).second, "valid values: gain, random, proportional_fair");
  Options o;
  o.admission_ratio = 1.5;
  EXPECT_NE(choice_error([&] { validate_options(o); }).first.find("admission_ratio must be in [0, 1]"),
            std::string::npos);
  o = Options{};
  o.pf_window = 0;
  EXPECT_EQ(choice_error([&] { validate_options(o); }).first, "pf_window must be >= 1; got 0");
  // exhaustive refuses a search that is too large
  const std::vector<Ap> big = grid_aps(4, 4, room, 3.0);
  const std::vector<User> many = random_users(10, 1, room, 0.85);
  o = Options{};
  o.method = Method::Exhaustive;
  try {
    schedule(make_channel(big, many, ph.rx), big, many, ph, o);
    FAIL();
  } catch (const morpheus::Error& e) {
    EXPECT_EQ(e.kind(), morpheus::ErrorKind::LimitExceeded);
  }
}
