// VLC protocol variants and schedules over slots: admission rules and the two-stage variant (brute-force stability
// and user-optimality by enumerating every stable matching), 0.1.0 behaviour unchanged, proportional-fair averages
// against a hand computation, handovers and re-association messages on a trajectory, receiver tilt, blockage,
// dimming, statistics (t quantiles, intervals, percentiles), coverage, the planning sweep and reproducibility.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>

#include "core/errors.hpp"
#include "core/vlc/vlc.hpp"

using namespace morpheus;
using namespace morpheus::vlc;

namespace {

constexpr double kDeg = kPi / 180.0;

Ap ap_at(std::int64_t id, double x, double y, double z = 3.0) {
  Ap a;
  a.id = id;
  a.x = x;
  a.y = y;
  a.z = z;
  return a;
}

User user_at(std::int64_t id, double x, double y, int quota = 0) {
  User u;
  u.id = id;
  u.x = x;
  u.y = y;
  u.quota = quota;
  return u;
}

// H of a downward LED (semi-angle 60, m = 1) at height h above an upward receiver r metres off axis, FOV 60.
double flat_gain(double h, double r) {
  const double d2 = h * h + r * r;
  if (std::atan2(r, h) > 60 * kDeg) return 0.0;
  return 2 * 1e-4 * 3.0 * h * h / (2 * kPi * d2 * d2);
}

double shannon(double amp) { return 20e6 * std::log2(1 + amp * amp / 2e-14); }

std::vector<int> sorted_copy(std::vector<int> v) {
  std::sort(v.begin(), v.end());
  return v;
}

int rank_in(const std::vector<int>& pref, int x) {
  return static_cast<int>(std::find(pref.begin(), pref.end(), x) - pref.begin());
}

// Every feasible AP -> user map of the instance (mutually acceptable pairs, quotas) that has no blocking pair.
std::vector<std::vector<int>> all_stable(const std::vector<std::vector<int>>& upref,
                                         const std::vector<std::vector<int>>& apref, const std::vector<int>& quota) {
  const size_t m = apref.size(), k = upref.size();
  std::vector<int> assign(m, -1);
  std::vector<std::vector<int>> out;
  std::function<void(size_t)> rec = [&](size_t a) {
    if (a == m) {
      std::vector<int> held(k, 0);
      for (int x : assign)
        if (x >= 0) ++held[static_cast<size_t>(x)];
      for (size_t u = 0; u < k; ++u)
        if (quota[u] > 0 && held[u] > quota[u]) return;
      if (blocking_pairs(upref, apref, quota, assign).empty()) out.push_back(assign);
      return;
    }
    rec(a + 1);
    for (int u : apref[a])
      if (rank_in(upref[static_cast<size_t>(u)], static_cast<int>(a)) <
          static_cast<int>(upref[static_cast<size_t>(u)].size())) {
        assign[a] = u;
        rec(a + 1);
        assign[a] = -1;
      }
  };
  rec(0);
  return out;
}

// The matching `got` is stable, and optimal for the proposing side among all stable matchings.
void expect_stable_and_optimal(const std::vector<std::vector<int>>& upref, const std::vector<std::vector<int>>& apref,
                               const std::vector<int>& quota, const std::vector<int>& got, bool users_propose,
                               const std::string& what) {
  ASSERT_TRUE(blocking_pairs(upref, apref, quota, got).empty()) << what;
  const auto stable = all_stable(upref, apref, quota);
  ASSERT_FALSE(stable.empty()) << what;
  const size_t m = apref.size(), k = upref.size();
  auto ranks = [&](const std::vector<int>& ap_user, size_t u) {
    std::vector<int> r;
    for (size_t a = 0; a < m; ++a)
      if (ap_user[a] == static_cast<int>(u)) r.push_back(rank_in(upref[u], static_cast<int>(a)));
    std::sort(r.begin(), r.end());
    return r;
  };
  for (const auto& s : stable) {
    if (users_propose) {
      for (size_t u = 0; u < k; ++u) {
        const auto mine = ranks(got, u), other = ranks(s, u);
        ASSERT_EQ(mine.size(), other.size()) << what;
        for (size_t i = 0; i < mine.size(); ++i) ASSERT_LE(mine[i], other[i]) << what << ": not user-optimal";
      }
    } else {
      for (size_t a = 0; a < m; ++a) {
        auto rk = [&](const std::vector<int>& au) { return au[a] < 0 ? 1000 : rank_in(apref[a], au[a]); };
        ASSERT_LE(rk(got), rk(s)) << what << ": not AP-optimal";
      }
    }
  }
}

}  // namespace

TEST(VlcProtocol, AdmissionRatioZeroIsVersion010) {
  // 0.1.0: users rank every visible AP by gain, APs rank every user that sees them by gain, one deferred acceptance.
  const std::vector<Ap> aps = grid_aps(4, 4, Room{}, 3.0);
  Rng rng(3);
  for (int it = 0; it < 100; ++it) {
    std::vector<User> users = random_users(1 + static_cast<int>(rng.below(20)), rng(), Room{}, 0.85);
    for (User& u : users) u.quota = static_cast<int>(rng.below(4));
    const Channel ch = make_channel(aps, users, Physics{}.rx);
    std::vector<std::vector<int>> upref(users.size()), apref(aps.size());
    std::vector<int> quota;
    for (size_t u = 0; u < users.size(); ++u) {
      for (const Link& l : ch.by_user[u]) upref[u].push_back(l.other);
      quota.push_back(users[u].quota);
    }
    for (size_t a = 0; a < aps.size(); ++a)
      for (const Link& l : ch.by_ap[a]) apref[a].push_back(l.other);
    for (Method side : {Method::StableMarriage, Method::StableMarriageAp}) {
      Options o;
      o.method = side;
      const ProtocolRun run = stable_marriage(ch, aps, users, Physics{}, o, SlotContext{});
      const Matching want = side == Method::StableMarriage ? deferred_acceptance_users(upref, apref, quota)
                                                           : deferred_acceptance_aps(upref, apref, quota);
      ASSERT_EQ(run.ap_user, want.ap_user);
      ASSERT_EQ(run.messages, want.messages);
      ASSERT_EQ(run.rounds, want.rounds);
      ASSERT_EQ(run.bits, want.messages);  // 1-bit messages
    }
  }
  // the worked session of 0.1.0's documentation (quota 2): the same cells, messages and rounds
  std::vector<User> five = {user_at(1, 0.7, 0.6, 2), user_at(2, 1.9, 1.8, 2), user_at(3, 4.4, 0.7, 2),
                            user_at(4, 2.5, 4.2, 2), user_at(5, 3.1, 3.1, 2)};
  const Channel ch = make_channel(aps, five, Physics{}.rx);
  Options o;
  const Schedule s = schedule(ch, aps, five, Physics{}, o);
  const std::vector<std::vector<int>> cells = {{0, 1}, {5, 4}, {3, 7}, {13, 14}, {10, 6}};  // ids - 1
  EXPECT_EQ(s.plan.cells, cells);
  EXPECT_EQ(s.messages, 24);
  EXPECT_EQ(s.rounds, 4);
  o.method = Method::StableMarriageAp;
  const Schedule a = schedule(ch, aps, five, Physics{}, o);
  EXPECT_EQ(a.messages, 73);
  EXPECT_EQ(a.rounds, 5);
}

TEST(VlcProtocol, EveryVariantIsStableAndOptimalForItsProposers) {
  Room room;
  room.width = room.length = 3.0;
  const std::vector<Ap> aps = grid_aps(2, 3, room, 3.0);
  Physics ph;
  ph.n0 = 1e-19;
  Rng rng(21);
  int checked = 0;
  for (int it = 0; it < 80; ++it) {
    std::vector<User> users = random_users(1 + static_cast<int>(rng.below(3)), rng(), room, 0.85);
    for (User& u : users) u.quota = static_cast<int>(rng.below(3));
    const Channel ch = make_channel(aps, users, ph.rx);
    std::vector<double> avg;
    for (size_t u = 0; u < users.size(); ++u) avg.push_back(rng.uniform() * 3e8);
    SlotContext ctx;
    ctx.slot = 1 + static_cast<int>(rng.below(5));
    ctx.average_bps = &avg;
    Options o;
    o.method = rng.bernoulli(0.5) ? Method::StableMarriage : Method::StableMarriageAp;
    o.ap_preference = static_cast<ApPreference>(rng.below(3));
    o.variant = rng.bernoulli(0.5) ? Variant::TwoStage : Variant::OneStage;
    o.admission_ratio = rng.bernoulli(0.5) ? 0.0 : rng.uniform();
    if (rng.bernoulli(0.3)) o.min_link_snr_db = 20 + 10 * rng.uniform();
    o.seed = rng();
    const ProtocolRun run = stable_marriage(ch, aps, users, ph, o, ctx);
    const std::string what = "instance " + std::to_string(it) + " " + ap_preference_name(o.ap_preference) + " " +
                             variant_name(o.variant) + " ratio " + std::to_string(o.admission_ratio);
    // the lists themselves, from the channel: admission, threshold and LED order
    for (size_t u = 0; u < users.size(); ++u) {
      std::vector<int> want;
      for (const Link& l : ch.by_user[u])
        if (l.gain >= o.admission_ratio * ch.by_user[u].front().gain) want.push_back(l.other);
      ASSERT_EQ(run.user_pref[u], want) << what;
    }
    for (size_t a = 0; a < aps.size(); ++a) {
      std::vector<int> members;
      for (const Link& l : ch.by_ap[a]) {
        const double snr = std::pow(0.53 * l.gain, 2) / (1e-19 * 20e6);
        if (10 * std::log10(snr) >= o.min_link_snr_db) members.push_back(l.other);
      }
      ASSERT_EQ(sorted_copy(run.ap_pref[a]), sorted_copy(members)) << what;
      for (size_t i = 1; i < run.ap_pref[a].size(); ++i) {
        const int x = run.ap_pref[a][i - 1], y = run.ap_pref[a][i];
        const double gx = ch.gain(static_cast<int>(a), x), gy = ch.gain(static_cast<int>(a), y);
        if (o.ap_preference == ApPreference::Gain) {
          ASSERT_GE(gx, gy) << what;
        }
        if (o.ap_preference == ApPreference::ProportionalFair) {  // 16-bit averages: 0.05% tolerance
          ASSERT_GE(gx / std::max(avg[static_cast<size_t>(x)], 1.0) * 1.0005,
                    gy / std::max(avg[static_cast<size_t>(y)], 1.0))
              << what;
        }
      }
    }
    std::vector<int> quota;
    for (const User& u : users) quota.push_back(u.quota);
    const bool users_propose = o.method == Method::StableMarriage;
    if (o.variant == Variant::OneStage) {
      expect_stable_and_optimal(run.user_pref, run.ap_pref, quota, run.ap_user, users_propose, what);
    } else {
      // stage 1: quota 1 for everybody
      expect_stable_and_optimal(run.user_pref, run.ap_pref, std::vector<int>(users.size(), 1), run.first_stage,
                                users_propose, what + " stage 1");
      // stage 2: the LEDs still free, the users with room left, quotas reduced by one
      std::vector<std::vector<int>> up2(users.size()), ap2(aps.size());
      std::vector<int> q2(users.size(), 0), got2(aps.size(), -1);
      for (size_t u = 0; u < users.size(); ++u) {
        if (quota[u] == 1) continue;
        q2[u] = quota[u] > 1 ? quota[u] - 1 : 0;
        for (int a : run.user_pref[u])
          if (run.first_stage[static_cast<size_t>(a)] < 0) up2[u].push_back(a);
      }
      for (size_t a = 0; a < aps.size(); ++a) {
        if (run.first_stage[a] >= 0) {
          ASSERT_EQ(run.ap_user[a], run.first_stage[a]) << what;  // stage 2 keeps stage 1
          continue;
        }
        got2[a] = run.ap_user[a];
        for (int u : run.ap_pref[a])
          if (quota[static_cast<size_t>(u)] != 1) ap2[a].push_back(u);
      }
      for (size_t u = 0; u < users.size(); ++u)
        if (quota[u] == 1) up2[u].clear();
      for (size_t u = 0; u < users.size(); ++u)
        if (up2[u].empty() && q2[u] == 0) q2[u] = 1;  // no list: any quota
      expect_stable_and_optimal(up2, ap2, q2, got2, users_propose, what + " stage 2");
    }
    // cells agree with the AP -> user map, in the user's preference order
    for (size_t u = 0; u < users.size(); ++u) {
      std::vector<int> want;
      for (int a : run.user_pref[u])
        if (run.ap_user[static_cast<size_t>(a)] == static_cast<int>(u)) want.push_back(a);
      ASSERT_EQ(run.cells[u], want) << what;
    }
    ++checked;
  }
  EXPECT_EQ(checked, 80);
}

TEST(VlcProtocol, AdmissionLeavesLedsDarkAndTwoStagesServeMoreUsers) {
  const std::vector<Ap> aps = grid_aps(4, 4, Room{}, 3.0);
  double lit0 = 0, lit5 = 0, served1 = 0, served2 = 0;
  for (std::uint64_t seed = 1; seed <= 30; ++seed) {
    const std::vector<User> users = random_users(10, seed, Room{}, 0.85);
    const Channel ch = make_channel(aps, users, Physics{}.rx);
    Options o;
    auto count = [&](const Options& opt, double& lit, double& served) {
      const ProtocolRun r = stable_marriage(ch, aps, users, Physics{}, opt, SlotContext{});
      for (int x : r.ap_user) lit += x >= 0;
      for (const auto& c : r.cells) served += !c.empty();
    };
    double dummy = 0;
    count(o, lit0, served1);
    o.admission_ratio = 0.5;
    count(o, lit5, dummy);
    o.admission_ratio = 0;
    o.variant = Variant::TwoStage;
    count(o, dummy, served2);
  }
  EXPECT_LT(lit5, lit0);
  EXPECT_GT(served2, served1);
}

TEST(VlcSlots, ProportionalFairAveragesMatchAHandComputation) {
  // One LED, two users: A under it, B one metre off axis. The LED keeps the user with the larger H / max(avg, 1).
  const std::vector<Ap> aps = {ap_at(1, 2.5, 2.5)};
  const std::vector<User> users = {user_at(1, 2.5, 2.5), user_at(2, 3.5, 2.5)};
  const double h[2] = {flat_gain(2.15, 0), flat_gain(2.15, 1)};
  const double r[2] = {shannon(0.53 * h[0]), shannon(0.53 * h[1])};
  const int window = 4;
  Physics ph;
  Options o;
  o.ap_preference = ApPreference::ProportionalFair;
  o.pf_window = window;
  Horizon hz(aps, ph, o, users.size());
  double avg[2] = {0, 0};
  int served_b = 0;
  for (int t = 1; t <= 8; ++t) {
    const double pa = h[0] / std::max(avg[0], 1.0), pb = h[1] / std::max(avg[1], 1.0);
    const int win = pb > pa ? 1 : 0;  // ties go to the stronger link (A)
    served_b += win;
    for (int u = 0; u < 2; ++u) avg[u] = (1.0 - 1.0 / window) * avg[u] + (u == win ? r[u] : 0.0) / window;
    const SlotOutcome out = hz.step(users, false);
    ASSERT_EQ(out.schedule->plan.cells[static_cast<size_t>(win)], std::vector<int>{0}) << "slot " << t;
    ASSERT_TRUE(out.schedule->plan.cells[static_cast<size_t>(1 - win)].empty());
    for (int u = 0; u < 2; ++u) ASSERT_NEAR((*out.average_bps)[static_cast<size_t>(u)], avg[u], 1e-9 * r[0]);
    // two proposals carrying 16-bit averages, two replies
    EXPECT_EQ(out.schedule->messages, 4);
    EXPECT_EQ(out.schedule->bits, 4 + 2 * 16);
    EXPECT_EQ(out.schedule->rounds, 1);
  }
  EXPECT_GE(served_b, 3);  // B is served in a share of the slots
  // the time-averaged metrics
  const HorizonMetrics m = horizon_metrics(hz);
  EXPECT_NEAR(m.sum_rate_bps, (r[0] * (8 - served_b) + r[1] * served_b) / 8, 1e-6);
  EXPECT_DOUBLE_EQ(m.served_fraction_slot, 0.5);
  EXPECT_DOUBLE_EQ(m.served_fraction, 1.0);
  EXPECT_DOUBLE_EQ(m.lit_aps, 1.0);
}

TEST(VlcSlots, RateCodeIsSixteenBitsWithSmallError) {
  for (double r : {0.0, 1.0, 1e3, 2.5e7, 3e8, 1e12}) {
    const double back = decode_rate(encode_rate(r));
    EXPECT_NEAR(back, r, 4e-4 * r + 1e-9) << r;
  }
}

TEST(VlcSlots, TdmaIsRoundRobinOverItsUsers) {
  const std::vector<Ap> aps = grid_aps(4, 4, Room{}, 3.0);
  const std::vector<User> users = random_users(30, 4, Room{}, 0.85);
  const Channel ch = make_channel(aps, users, Physics{}.rx);
  std::vector<std::vector<int>> members(aps.size());
  for (size_t u = 0; u < users.size(); ++u)
    members[static_cast<size_t>(ch.by_user[u].front().other)].push_back(static_cast<int>(u));
  Options o;
  o.method = Method::Tdma;
  std::vector<int> served(users.size(), 0);
  const int slots = 2 * 3 * 4 * 5 * 7;
  Horizon h(aps, Physics{}, o, users.size());
  for (int t = 0; t < slots; ++t) {
    const SlotOutcome out = h.step(users, false);
    for (size_t u = 0; u < users.size(); ++u) served[u] += !out.schedule->plan.cells[u].empty();
    if (t > 0) {
      EXPECT_EQ(out.schedule->messages, 0);  // associated once
    }
  }
  for (size_t a = 0; a < aps.size(); ++a)
    for (int u : members[a]) {
      ASSERT_LE(members[a].size(), 8u);
      EXPECT_EQ(served[static_cast<size_t>(u)] * static_cast<int>(members[a].size()), slots);
    }
}

TEST(VlcSlots, HandoversAndReassociationOnATrajectory) {
  Room room;
  room.width = 5;
  room.length = 2.5;
  const std::vector<Ap> aps = {ap_at(1, 1.25, 1.25), ap_at(2, 3.75, 1.25)};
  std::vector<std::vector<User>> path;
  for (int t = 0; t < 9; ++t) path.push_back({user_at(1, 0.5 + 0.5 * t, 1.25)});
  // TDMA: the strongest AP changes when the user passes x = 2.5 (slot 6, x = 3.0; the tie at 2.5 keeps AP 1)
  Options o;
  o.method = Method::Tdma;
  Horizon td(aps, Physics{}, o, 1);
  for (int t = 0; t < 9; ++t) {
    const SlotOutcome out = td.step(path[static_cast<size_t>(t)], t > 0);
    EXPECT_EQ(out.handover[0], t == 5 ? 1 : 0) << t;
    EXPECT_EQ(out.schedule->messages, t == 0 || t == 5 ? 2 : 0) << t;
    EXPECT_EQ(out.schedule->plan.cells[0], std::vector<int>{t < 5 ? 0 : 1}) << t;
  }
  // stable marriage with quota 1 hands over at the same point and re-matches every slot the channel changes
  path = {};
  for (int t = 0; t < 9; ++t) path.push_back({user_at(1, 0.5 + 0.5 * t, 1.25, 1)});
  Options s;
  Horizon sm(aps, Physics{}, s, 1);
  for (int t = 0; t < 9; ++t) {
    const SlotOutcome out = sm.step(path[static_cast<size_t>(t)], t > 0);
    EXPECT_EQ(out.handover[0], t == 5 ? 1 : 0) << t;
    EXPECT_EQ(out.schedule->messages, 2) << t;  // one proposal, one acceptance
  }
  // a standing user under gain preferences keeps its matching: no messages after the first slot
  Horizon still(aps, Physics{}, s, 1);
  for (int t = 0; t < 4; ++t) EXPECT_EQ(still.step(path[0], false).schedule->messages, t == 0 ? 2 : 0);
  EXPECT_EQ(horizon_metrics(sm).handovers, 1.0 / 9);
}

TEST(VlcChannel, TiltedReceiverFollowsTheTextbookFormula) {
  const Ap a = ap_at(1, 2.5, 2.5);
  for (double tilt : {0.0, 15.0, 30.0, 50.0})
    for (double az : {0.0, 90.0, 180.0, 270.0}) {
      User u = user_at(1, 3.5, 2.5);
      u.tilt_deg = tilt;
      u.azimuth_deg = az;
      // independent: v = LED - receiver = (-1, 0, 2.15); n = (sin t cos az, sin t sin az, cos t)
      const double d = std::sqrt(1 + 2.15 * 2.15);
      const double cphi = 2.15 / d;
      const double cpsi = (-1 * std::sin(tilt * kDeg) * std::cos(az * kDeg) + 2.15 * std::cos(tilt * kDeg)) / d;
      const double want = cpsi >= std::cos(60 * kDeg) ? 2 * 1e-4 / (2 * kPi * d * d) * cphi * 3.0 * cpsi : 0.0;
      const LinkGeometry g = link_geometry(a, u, Receiver{});
      EXPECT_NEAR(g.gain, want, 1e-15) << tilt << " " << az;
      EXPECT_NEAR(g.incidence_deg, std::acos(cpsi) / kDeg, 1e-9);
      const Channel ch = make_channel({a}, {u}, Receiver{});
      EXPECT_NEAR(ch.gain(0, 0), want, 1e-15);
    }
}

TEST(VlcChannel, BlockageDropsLinksAtTheGivenRateReproducibly) {
  const std::vector<Ap> aps = grid_aps(4, 4, Room{}, 3.0);
  const std::vector<User> users = random_users(200, 1, Room{}, 0.85);
  const Channel open = make_channel(aps, users, Receiver{});
  std::int64_t n = 0, kept = 0;
  for (const auto& l : open.by_user) n += static_cast<std::int64_t>(l.size());
  Rng r1(5), r2(5);
  const Channel b1 = make_channel(aps, users, Receiver{}, 0.3, &r1),
                b2 = make_channel(aps, users, Receiver{}, 0.3, &r2);
  for (size_t u = 0; u < users.size(); ++u) {
    kept += static_cast<std::int64_t>(b1.by_user[u].size());
    ASSERT_EQ(b1.by_user[u].size(), b2.by_user[u].size());
    for (const Link& l : b1.by_user[u]) ASSERT_EQ(l.gain, open.gain(l.other, static_cast<int>(u)));
  }
  const double p = 0.7, sd = std::sqrt(n * p * (1 - p));
  EXPECT_NEAR(static_cast<double>(kept), n * p, 4 * sd);
}

TEST(VlcChannel, DimmingScalesTheModulatedPower) {
  Physics ph;
  ph.dimming = 0.4;
  const std::vector<Ap> aps = dimmed({ap_at(1, 2.5, 2.5)}, ph);
  const std::vector<User> users = {user_at(1, 2.5, 2.5)};
  Options o;
  const Schedule s = schedule(make_channel(aps, users, ph.rx), aps, users, ph, o);
  const double amp = 0.4 * 0.53 * flat_gain(2.15, 0);
  EXPECT_NEAR(s.users[0].signal, amp * amp, 1e-24);
  EXPECT_NEAR(s.users[0].rate_bps, shannon(amp), 1e-3);
}

TEST(VlcStats, QuantilesIntervalsAndPercentiles) {
  EXPECT_NEAR(t_quantile_975(1), 12.706205, 1e-6);
  EXPECT_NEAR(t_quantile_975(10), 2.228139, 1e-6);
  EXPECT_NEAR(t_quantile_975(30), 2.042272, 1e-6);
  EXPECT_NEAR(t_quantile_975(31), 2.039513, 2e-5);
  EXPECT_NEAR(t_quantile_975(40), 2.021075, 2e-5);
  EXPECT_NEAR(t_quantile_975(100), 1.983972, 2e-5);
  EXPECT_NEAR(t_quantile_975(1000), 1.962339, 2e-5);
  // mean +- t s / sqrt(n): {1, 2, 3, 4, 5} has s = sqrt(2.5)
  const Interval m = mean_interval({1, 2, 3, 4, 5});
  EXPECT_DOUBLE_EQ(m.estimate, 3.0);
  EXPECT_NEAR(m.high - 3.0, 2.776445 * std::sqrt(2.5) / std::sqrt(5.0), 1e-9);
  EXPECT_NEAR(3.0 - m.low, m.high - 3.0, 1e-12);
  EXPECT_TRUE(std::isnan(mean_interval({7}).low));
  // ratio of identical samples is exactly 1; of proportional samples exactly the factor
  const Interval r1 = ratio_interval({1, 3, 2, 5}, {1, 3, 2, 5});
  EXPECT_DOUBLE_EQ(r1.estimate, 1.0);
  EXPECT_NEAR(r1.low, 1.0, 1e-12);
  EXPECT_NEAR(r1.high, 1.0, 1e-12);
  const Interval r2 = ratio_interval({2, 6, 4, 10}, {1, 3, 2, 5});
  EXPECT_NEAR(r2.low, 2.0, 1e-12);
  // delta method by hand: x = {1, 2, 4}, y = {2, 2, 3}
  {
    const double mx = 7.0 / 3, my = 7.0 / 3, r = mx / my;
    const double sxx = ((1 - mx) * (1 - mx) + (2 - mx) * (2 - mx) + (4 - mx) * (4 - mx)) / 2;
    const double syy = ((2 - my) * (2 - my) * 2 + (3 - my) * (3 - my)) / 2;
    const double sxy = ((1 - mx) * (2 - my) + (2 - mx) * (2 - my) + (4 - mx) * (3 - my)) / 2;
    const double half = 4.302653 * std::sqrt((sxx - 2 * r * sxy + r * r * syy) / (3 * my * my));
    const Interval q = ratio_interval({1, 2, 4}, {2, 2, 3});
    EXPECT_NEAR(q.high, r + half, 1e-9);
  }
  EXPECT_NEAR(percentile({1, 2, 3, 4}, 5), 1.15, 1e-12);  // numpy's default (linear)
  EXPECT_NEAR(percentile({4, 1, 3, 2}, 50), 2.5, 1e-12);
  EXPECT_EQ(percentile({}, 5), 0.0);
  EXPECT_DOUBLE_EQ(percentile({9}, 5), 9.0);
}

TEST(VlcReports, CoverageCountsMatchBruteForce) {
  const std::vector<Ap> aps = grid_aps(4, 4, Room{}, 3.0);
  std::vector<User> users = random_users(12, 8, Room{}, 0.85);
  users[3].fov_deg = 25;
  const Physics ph;
  const Channel ch = make_channel(aps, users, ph.rx);
  const auto rows = coverage(ch, aps, ph);
  for (size_t u = 0; u < users.size(); ++u) {
    std::vector<int> vis;
    for (size_t a = 0; a < aps.size(); ++a)
      if (link_geometry(aps[a], users[u], ph.rx).gain > 0) vis.push_back(static_cast<int>(a));
    std::vector<int> got = rows[u].aps;
    std::sort(got.begin(), got.end());
    ASSERT_EQ(got, vis);
    int overlap = 0;
    for (size_t v = 0; v < users.size(); ++v) {
      if (v == u) continue;
      bool share = false;
      for (int a : vis) share = share || link_geometry(aps[static_cast<size_t>(a)], users[v], ph.rx).gain > 0;
      overlap += share;
    }
    ASSERT_EQ(rows[u].overlap_users, overlap);
    double all = 0, best = 0;
    for (int a : vis) {
      const double g = link_geometry(aps[static_cast<size_t>(a)], users[u], ph.rx).gain;
      all += 0.53 * g;
      best = std::max(best, 0.53 * g);
    }
    ASSERT_NEAR(rows[u].all_snr, all * all / 2e-14, 1e-9 * rows[u].all_snr);
    ASSERT_NEAR(rows[u].best_snr, best * best / 2e-14, 1e-9 * rows[u].best_snr);
  }
}

TEST(VlcReports, PlanningSweepPoolsTheSameDropsAsTheMonteCarlo) {
  Options o;
  o.ap_preference = ApPreference::ProportionalFair;
  DropSetup s;
  s.users = 6;
  s.drops = 5;
  s.slots = 4;
  const Physics ph;
  const auto rows = planning_sweep({40, 60}, {3, 4}, Room{}, 3.0, ph, o, s, 0.0);
  ASSERT_EQ(rows.size(), 4u);
  for (const auto& r : rows) {
    EXPECT_TRUE(r.meets_target);
    EXPECT_DOUBLE_EQ(r.fraction_at_target, 1.0);
  }
  DropSetup s60 = s;
  s60.fov_deg = 60;
  const auto mc = monte_carlo(grid_aps(4, 4, Room{}, 3.0), Room{}, ph, {o}, s60);
  double mean = 0;
  for (const auto& m : mc[0]) mean += m.mean_rate_bps / s.drops;
  EXPECT_NEAR(rows[3].mean_rate_bps, mean, 1e-9 * mean);
  EXPECT_EQ(rows[3].pitch_m, 1.25);
  const auto none = planning_sweep({60}, {4}, Room{}, 3.0, ph, o, s, 1e12);
  EXPECT_FALSE(none[0].meets_target);
  EXPECT_EQ(none[0].fraction_at_target, 0.0);
}

TEST(VlcSlots, MonteCarloIsSeededAndReproducible) {
  const std::vector<Ap> aps = grid_aps(4, 4, Room{}, 3.0);
  Physics ph;
  ph.blockage_probability = 0.2;
  std::vector<Options> configs(4);
  configs[0].ap_preference = ApPreference::Random;
  configs[1].method = Method::Tdma;
  configs[2].method = Method::UserCentric;
  configs[3].ap_preference = ApPreference::ProportionalFair;
  configs[3].variant = Variant::TwoStage;
  DropSetup s;
  s.users = 8;
  s.drops = 4;
  s.slots = 6;
  s.step_m = 0.2;
  s.tilt_deg = 10;
  s.seed = 42;
  const auto a = monte_carlo(aps, Room{}, ph, configs, s), b = monte_carlo(aps, Room{}, ph, configs, s);
  s.seed = 43;
  const auto c = monte_carlo(aps, Room{}, ph, configs, s);
  bool differs = false;
  for (size_t i = 0; i < configs.size(); ++i)
    for (size_t d = 0; d < a[i].size(); ++d) {
      const auto x = metric_values(a[i][d]), y = metric_values(b[i][d]), z = metric_values(c[i][d]);
      for (size_t k = 0; k < x.size(); ++k)
        if (metric_names()[k] != "compute_ms") {
          ASSERT_EQ(x[k], y[k]) << metric_names()[k];
        }
      differs = differs || x[0] != z[0];
    }
  EXPECT_TRUE(differs);
  // bad setups
  s.slots = 0;
  EXPECT_THROW(monte_carlo(aps, Room{}, ph, configs, s), morpheus::Error);
}

TEST(VlcMotion, RandomWalkStepsAndStaysInside) {
  Room room;
  room.width = 6;
  room.length = 4;
  const std::vector<User> start = random_users(20, 3, room, 0.85);
  const auto walk = random_walk(start, 200, 0.1, 9, room);
  ASSERT_EQ(walk.size(), 200u);
  double moved = 0;
  for (size_t t = 0; t < walk.size(); ++t)
    for (size_t u = 0; u < start.size(); ++u) {
      const User& p = walk[t][u];
      ASSERT_TRUE(p.x >= 0 && p.x <= 6 && p.y >= 0 && p.y <= 4);
      if (t == 0) {
        ASSERT_EQ(p.x, start[u].x);
        continue;
      }
      const double d = std::hypot(p.x - walk[t - 1][u].x, p.y - walk[t - 1][u].y);
      ASSERT_LE(d, 0.1 + 1e-12);
      moved += d;
    }
  EXPECT_GT(moved / (199.0 * 20), 0.09);
  const auto again = random_walk(start, 200, 0.1, 9, room);
  EXPECT_EQ(again[150][7].x, walk[150][7].x);
  EXPECT_THROW(random_walk(start, 0, 0.1, 9, room), morpheus::Error);
}
