// Schedulers of the VLC model for one slot: the decentralized stable-marriage protocol (vlc_protocol.cpp) and the
// centralized baselines (TDMA with loaded or all cells, frequency reuse, proportional-fair conflict graph, one user
// per slot, user-centric clustering with full CSI, exhaustive optimum); their message and bit costs (see vlc.hpp).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "core/errors.hpp"
#include "core/interrupt.hpp"
#include "core/options.hpp"
#include "core/vlc/vlc.hpp"

namespace morpheus::vlc {
namespace {

const std::initializer_list<Choice<Method>> kMethods = {{"stable_marriage", Method::StableMarriage},
                                                        {"stable_marriage_ap", Method::StableMarriageAp},
                                                        {"tdma", Method::Tdma},
                                                        {"tdma_all", Method::TdmaAll},
                                                        {"reuse", Method::Reuse},
                                                        {"conflict_graph", Method::ConflictGraph},
                                                        {"single_user", Method::SingleUser},
                                                        {"user_centric", Method::UserCentric},
                                                        {"exhaustive", Method::Exhaustive}};
const std::initializer_list<Choice<ApPreference>> kApPreferences = {
    {"gain", ApPreference::Gain},
    {"random", ApPreference::Random},
    {"proportional_fair", ApPreference::ProportionalFair}};
const std::initializer_list<Choice<Variant>> kVariants = {{"one_stage", Variant::OneStage},
                                                          {"two_stage", Variant::TwoStage}};
const std::initializer_list<Choice<NoiseModel>> kNoise = {{"simple", NoiseModel::Simple},
                                                          {"komine", NoiseModel::Komine}};
const std::initializer_list<Choice<RateForm>> kRates = {{"shannon", RateForm::Shannon},
                                                        {"intensity_bound", RateForm::IntensityBound}};

constexpr int kCsiBits = 16;  // a quantized real-valued report (a gain or a rate)

// Bits of an index among n values (at least 1).
std::int64_t index_bits(size_t n) {
  std::int64_t b = 1;
  while ((std::uint64_t{1} << b) < n && b < 63) ++b;
  return b;
}

}  // namespace

Method parse_method(const std::string& name) { return parse_choice("method", name, kMethods); }
std::string method_name(Method m) { return choice_name(m, kMethods); }
std::string method_choices() { return choice_list(kMethods); }
ApPreference parse_ap_preference(const std::string& name) {
  return parse_choice("ap_preference", name, kApPreferences);
}
std::string ap_preference_name(ApPreference p) { return choice_name(p, kApPreferences); }
Variant parse_variant(const std::string& name) { return parse_choice("variant", name, kVariants); }
std::string variant_name(Variant v) { return choice_name(v, kVariants); }
NoiseModel parse_noise(const std::string& name) { return parse_choice("noise", name, kNoise); }
RateForm parse_rate(const std::string& name) { return parse_choice("rate_model", name, kRates); }

void validate_options(const Options& o) {
  if (!std::isfinite(o.admission_ratio) || o.admission_ratio < 0 || o.admission_ratio > 1)
    throw invalid_parameter("admission_ratio must be in [0, 1]; got " + std::to_string(o.admission_ratio),
                            "a user proposes only to LEDs with a gain at least this fraction of its best LED's; "
                            "0 admits every visible LED");
  if (std::isnan(o.min_link_snr_db))
    throw invalid_parameter("min_link_snr_db must not be NaN", "pass NULL for no LED-side threshold, or e.g. 10");
  if (o.pf_window < 1)
    throw invalid_parameter("pf_window must be >= 1; got " + std::to_string(o.pf_window),
                            "the proportional-fair averaging window in slots, e.g. 10");
  if (o.reuse_factor < 1 || o.reuse_factor > 4)
    throw invalid_parameter("reuse_factor must be 1, 2, 3 or 4; got " + std::to_string(o.reuse_factor),
                            "the number of colours (bands of B / reuse_factor) of the AP grid, e.g. 4");
}

double exhaustive_size(const Channel& ch) {
  double n = 1;
  for (const auto& l : ch.by_ap) n *= 1.0 + static_cast<double>(l.size());
  return n;
}

Plan cells_plan(std::vector<std::vector<int>> cells) {
  Plan p;
  const size_t k = cells.size();
  p.group.assign(k, -1);
  for (size_t u = 0; u < k; ++u)
    if (!cells[u].empty()) {
      p.group[u] = static_cast<int>(p.groups.size());
      p.groups.push_back(cells[u]);
      p.group_band.push_back(0);
    }
  p.cells = std::move(cells);
  return p;
}

namespace {

std::int64_t csi_reports(const Channel& ch) {
  std::int64_t n = 0;
  for (const auto& l : ch.by_user) n += static_cast<std::int64_t>(l.size());
  return n;
}

// Colour of each AP on its grid (ranks of its x and y among the distinct coordinates), neighbours differing.
std::vector<int> reuse_colours(const std::vector<Ap>& aps, int f) {
  auto ranks = [&](bool use_x) {
    std::vector<double> v;
    for (const Ap& a : aps) v.push_back(std::round((use_x ? a.x : a.y) * 1e6));
    std::vector<double> u = v;
    std::sort(u.begin(), u.end());
    u.erase(std::unique(u.begin(), u.end()), u.end());
    std::vector<int> r;
    for (double x : v) r.push_back(static_cast<int>(std::lower_bound(u.begin(), u.end(), x) - u.begin()));
    return r;
  };
  const std::vector<int> ix = ranks(true), iy = ranks(false);
  std::vector<int> c(aps.size(), 0);
  for (size_t a = 0; a < aps.size(); ++a) {
    switch (f) {
      case 1: c[a] = 0; break;
      case 2: c[a] = (ix[a] + iy[a]) % 2; break;
      case 3: c[a] = (ix[a] + 2 * iy[a]) % 3; break;
      default: c[a] = (ix[a] % 2) + 2 * (iy[a] % 2); break;
    }
  }
  return c;
}

// Strongest-AP association; in slot t each AP serves its (t-1 mod N_a)-th user (round robin in user order). Only
// loaded cells transmit, or every cell (all_cells: an idle cell transmits to nobody and only interferes). With
// f > 1 colours, each AP uses band colour(AP) of B / f.
Plan network_centric(const Channel& ch, const std::vector<Ap>& aps, int f, bool all_cells, int slot) {
  const size_t k = static_cast<size_t>(ch.num_users), m = aps.size();
  Plan p;
  p.bands = f;
  p.cells.assign(k, {});
  p.group.assign(k, -1);
  const std::vector<int> colour = reuse_colours(aps, f);
  std::vector<std::vector<int>> members(m);
  for (size_t u = 0; u < k; ++u)
    if (!ch.by_user[u].empty())
      members[static_cast<size_t>(ch.by_user[u].front().other)].push_back(static_cast<int>(u));
  for (size_t a = 0; a < m; ++a) {
    if (members[a].empty() && !all_cells) continue;
    const int g = static_cast<int>(p.groups.size());
    p.groups.push_back({static_cast<int>(a)});
    p.group_band.push_back(colour[a]);
    if (members[a].empty()) continue;
    const size_t turn = static_cast<size_t>(slot - 1) % members[a].size();
    const size_t u = static_cast<size_t>(members[a][turn]);
    p.cells[u] = {static_cast<int>(a)};
    p.group[u] = g;
  }
  return p;
}

// The APs a user is served by when it is served alone: its best `quota` visible APs.
std::vector<int> best_aps(const Channel& ch, const User& user, size_t u) {
  std::vector<int> c;
  for (const Link& l : ch.by_user[u])
    if (has_room(c.size(), user.quota)) c.push_back(l.other);
  return c;
}

double solo_rate(const Channel& ch, const std::vector<Ap>& aps, const Physics& ph, size_t u,
                 const std::vector<int>& cell) {
  double amp = 0;
  for (int a : cell) amp += ph.rx.responsivity * aps[static_cast<size_t>(a)].power_w * ch.gain(a, static_cast<int>(u));
  return rate_bps(ph, amp * amp / noise_variance(ph, ch.received_w[u], ph.bandwidth_hz), ph.bandwidth_hz);
}

double pf_weight(const SlotContext& ctx, size_t u) {
  return 1.0 / std::max(ctx.average_bps != nullptr ? (*ctx.average_bps)[u] : 0.0, 1.0);
}

// One user per slot, round robin over the users that see an AP, served by its best `quota` visible APs.
Plan single_user(const Channel& ch, const std::vector<User>& users, int slot) {
  std::vector<size_t> eligible;
  for (size_t u = 0; u < users.size(); ++u)
    if (!ch.by_user[u].empty()) eligible.push_back(u);
  std::vector<std::vector<int>> cells(users.size());
  if (!eligible.empty()) {
    const size_t u = eligible[static_cast<size_t>(slot - 1) % eligible.size()];
    cells[u] = best_aps(ch, users[u], u);
  }
  return cells_plan(std::move(cells));
}

// Users conflict when their visible sets overlap. Greedy maximal independent set by proportional-fair weight
// (interference-free rate over the user's average); a scheduled user reserves all it sees and is served by its
// best `quota` APs.
Plan conflict_graph(const Channel& ch, const std::vector<Ap>& aps, const std::vector<User>& users, const Physics& ph,
                    const SlotContext& ctx) {
  const size_t k = users.size();
  std::vector<double> weight(k, 0.0);
  std::vector<std::vector<int>> solo(k);
  for (size_t u = 0; u < k; ++u) {
    solo[u] = best_aps(ch, users[u], u);
    weight[u] = solo[u].empty() ? 0.0 : solo_rate(ch, aps, ph, u, solo[u]) * pf_weight(ctx, u);
  }
  std::vector<int> order(k);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int x, int y) { return weight[static_cast<size_t>(x)] > weight[static_cast<size_t>(y)]; });
  std::vector<char> ap_taken(static_cast<size_t>(ch.num_aps), 0);
  std::vector<std::vector<int>> cells(k);
  for (int ui : order) {
    const size_t u = static_cast<size_t>(ui);
    if (ch.by_user[u].empty()) continue;
    bool free = true;
    for (const Link& l : ch.by_user[u]) free = free && !ap_taken[static_cast<size_t>(l.other)];
    if (!free) continue;
    for (const Link& l : ch.by_user[u]) ap_taken[static_cast<size_t>(l.other)] = 1;
    cells[u] = solo[u];
  }
  return cells_plan(std::move(cells));
}

// Centralized user-centric clustering with full CSI: the controller takes the visible user-AP pairs nearest first
// (distance-weighted) and adds the AP to the user's cluster when the AP is free, the user has room and the
// proportional-fair utility sum_x r_x / avg_x (the sum rate in a first slot) grows; otherwise the AP stays dark for
// that pair. Amplitudes are kept incrementally, so a candidate costs O(users seeing the AP).
Plan user_centric(const Channel& ch, const std::vector<Ap>& aps, const std::vector<User>& users, const Physics& ph,
                  const SlotContext& ctx) {
  const size_t k = users.size(), m = aps.size();
  struct Pair {
    double d2;
    int ap, user;
  };
  std::vector<Pair> pairs;
  for (size_t u = 0; u < k; ++u)
    for (const Link& l : ch.by_user[u]) {
      const Ap& a = aps[static_cast<size_t>(l.other)];
      const double dx = a.x - users[u].x, dy = a.y - users[u].y, dz = a.z - users[u].z;
      pairs.push_back({dx * dx + dy * dy + dz * dz, l.other, static_cast<int>(u)});
    }
  std::sort(pairs.begin(), pairs.end(), [](const Pair& x, const Pair& y) {
    return x.d2 < y.d2 || (x.d2 == y.d2 && (x.ap < y.ap || (x.ap == y.ap && x.user < y.user)));
  });
  std::vector<double> w(k), noise(k), sig(k, 0.0), interf(k, 0.0), rate(k, 0.0);
  for (size_t u = 0; u < k; ++u) {
    w[u] = pf_weight(ctx, u);
    noise[u] = noise_variance(ph, ch.received_w[u], ph.bandwidth_hz);
  }
  // amp[v][x] = R sum_{a in C_v} P_a H_{a,x}, stored sparsely per (v, x) only where touched
  std::vector<std::vector<double>> amp(k);
  std::vector<char> ap_used(m, 0), served(k, 0);
  std::vector<std::vector<int>> cells(k);
  auto amp_of = [&](size_t v, size_t x) { return amp[v].empty() ? 0.0 : amp[v][x]; };
  size_t i = 0;
  for (const Pair& pr : pairs) {
    if ((++i & 4095) == 0) check_interrupts();
    const size_t a = static_cast<size_t>(pr.ap), u = static_cast<size_t>(pr.user);
    if (ap_used[a] || !has_room(cells[u].size(), users[u].quota)) continue;
    const double p = ph.rx.responsivity * aps[a].power_w;
    double delta = 0;
    for (const Link& l : ch.by_ap[a]) {
      const size_t x = static_cast<size_t>(l.other);
      const double before = amp_of(u, x), after = before + p * l.gain;
      if (x == u) {
        delta += w[x] * (rate_bps(ph, after * after / (interf[x] + noise[x]), ph.bandwidth_hz) - rate[x]);
      } else if (served[x]) {
        const double i2 = interf[x] - before * before + after * after;
        delta += w[x] * (rate_bps(ph, sig[x] / (i2 + noise[x]), ph.bandwidth_hz) - rate[x]);
      }
    }
    if (!(delta > 0)) continue;
    if (amp[u].empty()) amp[u].assign(k, 0.0);
    ap_used[a] = 1;
    served[u] = 1;
    cells[u].push_back(static_cast<int>(a));
    for (const Link& l : ch.by_ap[a]) {
      const size_t x = static_cast<size_t>(l.other);
      const double before = amp[u][x], after = before + p * l.gain;
      amp[u][x] = after;
      if (x == u)
        sig[x] = after * after;
      else
        interf[x] += after * after - before * before;
    }
    for (const Link& l : ch.by_ap[a]) {
      const size_t x = static_cast<size_t>(l.other);
      rate[x] = served[x] ? rate_bps(ph, sig[x] / (interf[x] + noise[x]), ph.bandwidth_hz) : 0.0;
    }
  }
  return cells_plan(std::move(cells));
}

// Exhaustive search over AP -> {idle, a user that sees it} maps under the quotas, maximizing the single-slot sum
// rate. Amplitudes are kept incrementally: amp[v * K + u] = R sum_{a in C_v} P_a H_{a,u}.
class Exhaustive {
 public:
  Exhaustive(const Channel& ch, const std::vector<Ap>& aps, const std::vector<User>& users, const Physics& ph)
      : ch_(ch), aps_(aps), users_(users), ph_(ph), k_(users.size()) {
    amp_.assign(k_ * k_, 0.0);
    count_.assign(k_, 0);
    assign_.assign(static_cast<size_t>(ch.num_aps), -1);
    noise_.resize(k_);
    for (size_t u = 0; u < k_; ++u) noise_[u] = noise_variance(ph, ch.received_w[u], ph.bandwidth_hz);
  }
  std::vector<int> run() {
    best_assign_ = assign_;
    best_ = -1;
    dfs(0);
    return best_assign_;
  }

 private:
  void dfs(size_t a) {
    if (a == assign_.size()) {
      if ((++leaves_ & 65535) == 0) check_interrupts();
      double s = 0;
      for (size_t u = 0; u < k_; ++u) {
        if (count_[u] == 0) continue;
        double interf = 0;
        for (size_t v = 0; v < k_; ++v)
          if (v != u && count_[v] > 0) interf += amp_[v * k_ + u] * amp_[v * k_ + u];
        const double sig = amp_[u * k_ + u] * amp_[u * k_ + u];
        s += rate_bps(ph_, sig / (interf + noise_[u]), ph_.bandwidth_hz);
      }
      if (s > best_ + 1e-9 * std::abs(best_)) {
        best_ = s;
        best_assign_ = assign_;
      }
      return;
    }
    dfs(a + 1);  // idle
    const double p = ph_.rx.responsivity * aps_[a].power_w;
    for (const Link& l : ch_.by_ap[a]) {
      const size_t v = static_cast<size_t>(l.other);
      if (!has_room(count_[v], users_[v].quota)) continue;
      add(a, v, p);
      assign_[a] = static_cast<int>(v);
      dfs(a + 1);
      assign_[a] = -1;
      remove(a, v, p);
    }
  }
  void add(size_t a, size_t v, double p) {
    for (const Link& l : ch_.by_ap[a]) amp_[v * k_ + static_cast<size_t>(l.other)] += p * l.gain;
    ++count_[v];
  }
  void remove(size_t a, size_t v, double p) {
    if (--count_[v] == 0) {
      std::fill(amp_.begin() + static_cast<std::ptrdiff_t>(v * k_),
                amp_.begin() + static_cast<std::ptrdiff_t>((v + 1) * k_), 0.0);  // exact zeros, no drift
      return;
    }
    for (const Link& l : ch_.by_ap[a]) amp_[v * k_ + static_cast<size_t>(l.other)] -= p * l.gain;
  }
  const Channel& ch_;
  const std::vector<Ap>& aps_;
  const std::vector<User>& users_;
  const Physics& ph_;
  size_t k_;
  std::vector<double> amp_, noise_;
  std::vector<size_t> count_;
  std::vector<int> assign_, best_assign_;
  double best_ = -1;
  std::uint64_t leaves_ = 0;
};

}  // namespace

Schedule schedule(const Channel& ch, const std::vector<Ap>& aps, const std::vector<User>& users, const Physics& ph,
                  const Options& opt, const SlotContext& ctx) {
  Schedule s;
  const size_t k = users.size(), m = aps.size();
  const auto t0 = std::chrono::steady_clock::now();
  bool centralized = false;
  switch (opt.method) {
    case Method::StableMarriage:
    case Method::StableMarriageAp: {
      ProtocolRun run = stable_marriage(ch, aps, users, ph, opt, ctx);
      // With gain preferences on an unchanged channel the matching is the previous slot's: nobody re-proposes.
      const bool rerun = ctx.channel_changed || ctx.previous == nullptr || opt.ap_preference != ApPreference::Gain;
      if (rerun) {
        s.messages = run.messages;
        s.bits = run.bits;
        s.rounds = run.rounds;
      }
      s.plan = cells_plan(std::move(run.cells));
      break;
    }
    case Method::Tdma: s.plan = network_centric(ch, aps, 1, false, ctx.slot); break;
    case Method::TdmaAll: s.plan = network_centric(ch, aps, 1, true, ctx.slot); break;
    case Method::Reuse: s.plan = network_centric(ch, aps, opt.reuse_factor, false, ctx.slot); break;
    case Method::SingleUser:
      s.plan = single_user(ch, users, ctx.slot);
      if (ctx.channel_changed) s.messages = s.bits = csi_reports(ch);  // 1-bit visibility reports
      break;
    case Method::ConflictGraph:
      s.plan = conflict_graph(ch, aps, users, ph, ctx);
      centralized = true;
      break;
    case Method::UserCentric:
      s.plan = user_centric(ch, aps, users, ph, ctx);
      centralized = true;
      break;
    case Method::Exhaustive: {
      const double size = exhaustive_size(ch);
      if (size > opt.exhaustive_limit) {
        char buf[160];
        std::snprintf(buf, sizeof buf, "exhaustive search would enumerate %.4g AP-to-user maps, over the limit %.4g",
                      size, opt.exhaustive_limit);
        throw Error(ErrorKind::LimitExceeded, buf,
                    "use fewer APs or users (the count is the product over APs of 1 + users seeing the AP), "
                    "or another method");
      }
      Exhaustive ex(ch, aps, users, ph);
      const std::vector<int> assign = ex.run();
      std::vector<std::vector<int>> cells(k);
      for (size_t a = 0; a < m; ++a)
        if (assign[a] >= 0) cells[static_cast<size_t>(assign[a])].push_back(static_cast<int>(a));
      s.plan = cells_plan(std::move(cells));
      centralized = true;
      break;
    }
  }
  if (opt.method == Method::Tdma || opt.method == Method::TdmaAll || opt.method == Method::Reuse) {
    // (re-)association: a request naming the strongest AP and a 1-bit grant, for users whose strongest AP changed
    if (ctx.channel_changed)
      for (size_t u = 0; u < k; ++u) {
        const int best = ch.by_user[u].empty() ? -1 : ch.by_user[u].front().other;
        const int before = ctx.previous_best != nullptr ? (*ctx.previous_best)[u] : -1;
        if (best >= 0 && best != before) {
          s.messages += 2;
          s.bits += index_bits(m) + 1;
        }
      }
  }
  if (centralized) {
    // full CSI when the channel changed (one quantized gain per visible pair), then one assignment notice per AP
    // whose user changed since the previous slot
    if (ctx.channel_changed) {
      s.messages += csi_reports(ch);
      s.bits += kCsiBits * csi_reports(ch);
    }
    std::vector<int> before(m, -1), now(m, -1);
    if (ctx.previous != nullptr)
      for (size_t u = 0; u < k; ++u)
        for (int a : (*ctx.previous)[u]) before[static_cast<size_t>(a)] = static_cast<int>(u);
    for (size_t u = 0; u < k; ++u)
      for (int a : s.plan.cells[u]) now[static_cast<size_t>(a)] = static_cast<int>(u);
    for (size_t a = 0; a < m; ++a)
      if (before[a] != now[a]) {
        ++s.messages;
        s.bits += index_bits(k + 1);
      }
  }
  s.compute_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  s.users = evaluate_plan(ch, aps, ph, s.plan);
  return s;
}

}  // namespace morpheus::vlc
