// VLC model and schedulers: reference values of shared/reference/vlc.md, textbook formulas, brute-force stability,
// enumeration of all stable matchings, exhaustive-search optimality, message bounds, reproducibility, bad inputs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>

#include "core/errors.hpp"
#include "core/vlc/vlc.hpp"

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

double sum_rate(const Schedule& s) { return summarize(s).sum_rate_bps; }

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
  // TDMA: both users nearest to AP 1 share it, AP 2 is dark -> no interference, half the time each
  const std::vector<User> near1 = {user_at(1, 1.5, 2.5), user_at(2, 2.0, 2.5)};
  const Schedule td = run(aps, near1, Method::Tdma);
  for (int u = 0; u < 2; ++u) {
    const double g = textbook_gain(2.15, 0.25, 60, 60);
    EXPECT_EQ(td.users[u].interference, 0.0);
    EXPECT_NEAR(td.users[u].rate_bps, 0.5 * 20e6 * std::log2(1 + std::pow(0.53 * g, 2) / 2e-14), 1e-3);
  }
  EXPECT_EQ(summarize(td).active_aps, 1);
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
  auto shuffle = [&](std::vector<int>& v) {
    for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng.next() % i]);
  };
  for (int u = 0; u < k; ++u) {
    for (int a = 0; a < m; ++a)
      if (ok[a][u]) in.upref[u].push_back(a);
    shuffle(in.upref[u]);
    in.quota.push_back(static_cast<int>(rng.next() % static_cast<std::uint64_t>(max_quota + 1)));  // 0 = no limit
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
    const int m = 1 + static_cast<int>(rng.next() % 12), k = 1 + static_cast<int>(rng.next() % 12);
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
    const int m = 1 + static_cast<int>(rng.next() % 5), k = 1 + static_cast<int>(rng.next() % 3);
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
  std::vector<User> users = random_users(k, rng.next(), Room{}, 0.85);
  for (User& u : users) u.quota = quota;
  return users;
}
}  // namespace

TEST(VlcSchedule, AlignedPreferencesGiveTheUniqueStableMatchingGreedyFindsToo) {
  const std::vector<Ap> aps = grid_aps(4, 4, Room{}, 3.0);
  Rng rng(5);
  for (int it = 0; it < 200; ++it) {
    const std::vector<User> users = drop(rng, 1 + static_cast<int>(rng.next() % 20), static_cast<int>(rng.next() % 4));
    const Schedule su = run(aps, users, Method::StableMarriage), sa = run(aps, users, Method::StableMarriageAp),
                   sg = run(aps, users, Method::Greedy);
    for (size_t u = 0; u < users.size(); ++u) {
      auto sorted = [](std::vector<int> v) {
        std::sort(v.begin(), v.end());
        return v;
      };
      ASSERT_EQ(sorted(su.plan.cells[u]), sorted(sa.plan.cells[u]));
      ASSERT_EQ(sorted(su.plan.cells[u]), sorted(sg.plan.cells[u]));
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
  for (int it = 0; it < 40; ++it) {
    const int k = 1 + static_cast<int>(rng.next() % 3);
    std::vector<User> users = random_users(k, rng.next(), room, 0.85);
    for (User& u : users) u.quota = static_cast<int>(rng.next() % 3);
    const Channel ch = make_channel(aps, users, ph.rx);
    Options o;
    o.method = Method::Exhaustive;
    const double best = sum_rate(schedule(ch, aps, users, ph, o));
    // independent brute force through evaluate_plan
    double brute = 0;
    std::vector<int> assign(aps.size(), -1);
    std::function<void(size_t)> rec = [&](size_t a) {
      if (a == aps.size()) {
        Plan p;
        p.cells.assign(users.size(), {});
        for (size_t b = 0; b < aps.size(); ++b)
          if (assign[b] >= 0) p.cells[static_cast<size_t>(assign[b])].push_back(static_cast<int>(b));
        p.group.assign(users.size(), -1);
        p.time_share.assign(users.size(), 1.0);
        for (size_t u = 0; u < users.size(); ++u) {
          if (users[u].quota > 0 && p.cells[u].size() > static_cast<size_t>(users[u].quota)) return;
          if (p.cells[u].empty()) continue;
          p.group[u] = static_cast<int>(p.groups.size());
          p.groups.push_back(p.cells[u]);
          p.group_band.push_back(0);
        }
        double s = 0;
        for (const UserResult& r : evaluate_plan(ch, aps, ph, p)) s += r.rate_bps;
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
    for (Method m :
         {Method::StableMarriage, Method::StableMarriageAp, Method::Greedy, Method::Tdma, Method::ConflictGraph}) {
      o.method = m;
      ASSERT_LE(sum_rate(schedule(ch, aps, users, ph, o)), best * (1 + 1e-9)) << method_name(m);
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
    // TDMA / reuse: every user served by its strongest AP
    for (Method m : {Method::Tdma, Method::Reuse}) {
      const Schedule s = run(aps, users, m);
      for (size_t u = 0; u < users.size(); ++u) ASSERT_EQ(s.plan.cells[u].front(), ch.by_user[u].front().other);
    }
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
  }
}

TEST(VlcSchedule, SeededRunsAreReproducible) {
  const std::vector<User> a = random_users(50, 3, Room{}, 0.85), b = random_users(50, 3, Room{}, 0.85),
                          c = random_users(50, 4, Room{}, 0.85);
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].x, b[i].x);
    EXPECT_EQ(a[i].y, b[i].y);
    EXPECT_GE(a[i].x, 0.0);
    EXPECT_LE(a[i].x, 5.0);
  }
  EXPECT_NE(a[0].x, c[0].x);
  const std::vector<Ap> aps = grid_aps(4, 4, Room{}, 3.0);
  Options o;
  o.seed = 42;
  o.ap_preference = ApPreference::Random;
  const std::vector<Method> ms = {Method::StableMarriage, Method::StableMarriageAp, Method::Reuse};
  const auto r1 = compare(aps, 8, 20, ms, Room{}, 0.85, 60, 0, Physics{}, o);
  const auto r2 = compare(aps, 8, 20, ms, Room{}, 0.85, 60, 0, Physics{}, o);
  for (size_t i = 0; i < ms.size(); ++i) {
    EXPECT_EQ(r1[i].sum_rate_bps, r2[i].sum_rate_bps);
    EXPECT_EQ(r1[i].jain, r2[i].jain);
    EXPECT_EQ(r1[i].messages, r2[i].messages);
  }
}

TEST(VlcValidate, BadInputsNameTheProblem) {
  const Room room;
  const Physics ph;
  auto msg = [&](const std::vector<Ap>& aps, const std::vector<User>& users) -> std::string {
    try {
      validate(aps, users, room, ph);
    } catch (const morpheus::Error& e) {
      EXPECT_EQ(e.kind(), morpheus::ErrorKind::InvalidParameter);
      EXPECT_FALSE(e.hint().empty());
      return e.what();
    }
    return "";
  };
  const std::vector<Ap> aps = {ap_at(1, 1, 1), ap_at(2, 2, 2)};
  const std::vector<User> users = {user_at(1, 1, 1)};
  EXPECT_EQ(msg(aps, users), "");
  EXPECT_EQ(msg({ap_at(1, 1, 1), ap_at(1, 2, 2)}, users), "ap_sql returned id 1 more than once");
  EXPECT_EQ(msg(aps, {user_at(3, 1, 1), user_at(3, 2, 2)}), "user_sql returned id 3 more than once");
  EXPECT_NE(msg(aps, {user_at(1, 6, 1)}).find("user id 1 at (6, 1, 0.85) is outside the room 5 x 5 x 3 m"),
            std::string::npos);
  std::vector<Ap> neg = aps;
  neg[1].power_w = -1;
  EXPECT_EQ(msg(neg, users), "AP id 2 has power_w = -1; it must be positive");
  EXPECT_EQ(msg({}, users), "ap_sql returned no rows");
  EXPECT_EQ(msg(aps, {}), "user_sql returned no rows");
  std::vector<User> bad_fov = users;
  bad_fov[0].fov_deg = 120;
  EXPECT_NE(msg(aps, bad_fov).find("fov_deg must be in (0, 90]"), std::string::npos);
  try {
    parse_method("best");
    FAIL();
  } catch (const morpheus::Error& e) {
    EXPECT_STREQ(e.what(), "unknown method \"best\"");
    EXPECT_EQ(e.hint(),
              "valid methods: stable_marriage, stable_marriage_ap, greedy, tdma, reuse, exhaustive, conflict_graph");
  }
  // exhaustive refuses a search that is too large
  const std::vector<Ap> big = grid_aps(4, 4, room, 3.0);
  const std::vector<User> many = random_users(10, 1, room, 0.85);
  Options o;
  o.method = Method::Exhaustive;
  try {
    schedule(make_channel(big, many, ph.rx), big, many, ph, o);
    FAIL();
  } catch (const morpheus::Error& e) {
    EXPECT_EQ(e.kind(), morpheus::ErrorKind::LimitExceeded);
  }
}
