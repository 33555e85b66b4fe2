// Schedulers of the VLC model: the decentralized stable-marriage schedule and the centralized baselines;
// summaries and the Monte Carlo comparison (see vlc.hpp). The matching itself is in vlc_matching.cpp.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>

#include "core/errors.hpp"
#include "core/interrupt.hpp"
#include "core/vlc/vlc.hpp"

namespace morpheus::vlc {
const std::vector<std::string>& method_names() {
  static const std::vector<std::string> names = {"stable_marriage", "stable_marriage_ap", "greedy",        "tdma",
                                                 "reuse",           "exhaustive",         "conflict_graph"};
  return names;
}

namespace {
std::string joined_names(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& n : v) s += (s.empty() ? "" : ", ") + n;
  return s;
}
}  // namespace

Method parse_method(const std::string& name) {
  const auto& names = method_names();
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return static_cast<Method>(i);
  throw invalid_parameter("unknown method \"" + name + "\"", "valid methods: " + joined_names(names));
}

std::string method_name(Method m) { return method_names()[static_cast<size_t>(m)]; }

ApPreference parse_ap_preference(const std::string& name) {
  if (name == "gain") return ApPreference::Gain;
  if (name == "random") return ApPreference::Random;
  throw invalid_parameter("unknown ap_preference \"" + name + "\"", "valid values: gain, random");
}

double exhaustive_size(const Channel& ch) {
  double n = 1;
  for (const auto& l : ch.by_ap) n *= 1.0 + static_cast<double>(l.size());
  return n;
}

namespace {

// Single-slot plan from amorphous cells: one group per served user, one band, full time share.
Plan cells_plan(std::vector<std::vector<int>> cells) {
  Plan p;
  const size_t k = cells.size();
  p.group.assign(k, -1);
  p.time_share.assign(k, 1.0);
  for (size_t u = 0; u < k; ++u)
    if (!cells[u].empty()) {
      p.group[u] = static_cast<int>(p.groups.size());
      p.groups.push_back(cells[u]);
      p.group_band.push_back(0);
    }
  p.cells = std::move(cells);
  return p;
}

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

// Strongest-AP association with round-robin TDMA per AP; with f > 1 colours, each AP uses band colour(AP) of B/f.
Plan network_centric(const Channel& ch, const std::vector<Ap>& aps, int f, std::int64_t& messages) {
  const size_t k = static_cast<size_t>(ch.num_users);
  Plan p;
  p.bands = f;
  p.cells.assign(k, {});
  p.group.assign(k, -1);
  p.time_share.assign(k, 0.0);
  const std::vector<int> colour = reuse_colours(aps, f);
  std::vector<int> ap_group(aps.size(), -1), load(aps.size(), 0);
  for (size_t u = 0; u < k; ++u) {
    if (ch.by_user[u].empty()) continue;
    const int a = ch.by_user[u].front().other;
    if (ap_group[static_cast<size_t>(a)] < 0) {
      ap_group[static_cast<size_t>(a)] = static_cast<int>(p.groups.size());
      p.groups.push_back({a});
      p.group_band.push_back(colour[static_cast<size_t>(a)]);
    }
    ++load[static_cast<size_t>(a)];
    p.cells[u] = {a};
    p.group[u] = ap_group[static_cast<size_t>(a)];
    messages += 2;  // association request (best AP index) and grant
  }
  for (size_t u = 0; u < k; ++u)
    if (!p.cells[u].empty()) p.time_share[u] = 1.0 / load[static_cast<size_t>(p.cells[u].front())];
  return p;
}

Plan greedy(const Channel& ch, const std::vector<User>& users, std::int64_t& messages) {
  std::vector<std::pair<double, std::pair<int, int>>> pairs;  // (gain, (ap, user))
  for (size_t u = 0; u < ch.by_user.size(); ++u)
    for (const Link& l : ch.by_user[u]) pairs.push_back({l.gain, {l.other, static_cast<int>(u)}});
  std::sort(pairs.begin(), pairs.end(), [](const auto& x, const auto& y) {
    return x.first > y.first || (x.first == y.first && x.second < y.second);
  });
  std::vector<char> ap_used(static_cast<size_t>(ch.num_aps), 0);
  std::vector<std::vector<int>> cells(users.size());
  messages = csi_reports(ch);
  size_t i = 0;
  for (const auto& pr : pairs) {
    if ((++i & 65535) == 0) check_interrupts();
    const size_t a = static_cast<size_t>(pr.second.first), u = static_cast<size_t>(pr.second.second);
    if (ap_used[a] || !has_room(cells[u].size(), users[u].quota)) continue;
    ap_used[a] = 1;
    cells[u].push_back(static_cast<int>(a));
    ++messages;  // assignment notice
  }
  return cells_plan(std::move(cells));
}

Plan conflict_graph(const Channel& ch, const std::vector<Ap>& aps, const std::vector<User>& users,
                    std::int64_t& messages) {
  const size_t k = users.size();
  std::vector<double> weight(k, 0.0);
  for (size_t u = 0; u < k; ++u)
    for (const Link& l : ch.by_user[u]) weight[u] += aps[static_cast<size_t>(l.other)].power_w * l.gain;
  std::vector<int> order(k);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int x, int y) { return weight[static_cast<size_t>(x)] > weight[static_cast<size_t>(y)]; });
  std::vector<char> ap_taken(static_cast<size_t>(ch.num_aps), 0);
  std::vector<std::vector<int>> cells(k);
  messages = csi_reports(ch);
  for (int ui : order) {
    const size_t u = static_cast<size_t>(ui);
    if (ch.by_user[u].empty()) continue;
    bool free = true;
    for (const Link& l : ch.by_user[u]) free = free && !ap_taken[static_cast<size_t>(l.other)];
    if (!free) continue;
    for (const Link& l : ch.by_user[u]) {
      ap_taken[static_cast<size_t>(l.other)] = 1;  // V_u is reserved (conflict-free), the best quota APs serve
      if (has_room(cells[u].size(), users[u].quota)) cells[u].push_back(l.other);
    }
    ++messages;
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
                  const Options& opt) {
  Schedule s;
  const size_t k = users.size(), m = aps.size();
  const auto t0 = std::chrono::steady_clock::now();
  switch (opt.method) {
    case Method::StableMarriage:
    case Method::StableMarriageAp: {
      std::vector<std::vector<int>> upref(k), apref(m);
      std::vector<int> quota(k);
      for (size_t u = 0; u < k; ++u) {
        quota[u] = users[u].quota;
        for (const Link& l : ch.by_user[u]) upref[u].push_back(l.other);
      }
      Rng rng(opt.seed);
      for (size_t a = 0; a < m; ++a) {
        for (const Link& l : ch.by_ap[a]) apref[a].push_back(l.other);
        if (opt.ap_preference == ApPreference::Random)
          for (size_t i = apref[a].size(); i > 1; --i) std::swap(apref[a][i - 1], apref[a][rng.next() % i]);
      }
      const Matching mt = opt.method == Method::StableMarriage ? deferred_acceptance_users(upref, apref, quota)
                                                               : deferred_acceptance_aps(upref, apref, quota);
      s.messages = mt.messages;
      s.rounds = mt.rounds;
      s.plan = cells_plan(mt.user_aps);
      break;
    }
    case Method::Greedy: s.plan = greedy(ch, users, s.messages); break;
    case Method::Tdma: s.plan = network_centric(ch, aps, 1, s.messages); break;
    case Method::Reuse:
      if (opt.reuse_factor < 1 || opt.reuse_factor > 4)
        throw invalid_parameter("reuse_factor must be 1, 2, 3 or 4; got " + std::to_string(opt.reuse_factor),
                                "the number of colours (bands of B / reuse_factor) of the AP grid, e.g. 4");
      s.plan = network_centric(ch, aps, opt.reuse_factor, s.messages);
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
      s.messages = csi_reports(ch);
      for (const auto& c : cells) s.messages += static_cast<std::int64_t>(c.size());
      s.plan = cells_plan(std::move(cells));
      break;
    }
    case Method::ConflictGraph: s.plan = conflict_graph(ch, aps, users, s.messages); break;
  }
  s.compute_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  s.users = evaluate_plan(ch, aps, ph, s.plan);
  return s;
}

Summary summarize(const Schedule& s) {
  Summary out;
  std::vector<double> rates;
  size_t served = 0;
  for (size_t u = 0; u < s.users.size(); ++u) {
    rates.push_back(s.users[u].rate_bps);
    if (!s.plan.cells[u].empty()) ++served;
  }
  const double k = static_cast<double>(rates.size());
  for (double r : rates) out.sum_rate_bps += r;
  out.mean_rate_bps = k > 0 ? out.sum_rate_bps / k : 0;
  out.min_rate_bps = rates.empty() ? 0 : *std::min_element(rates.begin(), rates.end());
  out.jain = jain_index(rates);
  out.served_fraction = k > 0 ? static_cast<double>(served) / k : 0;
  for (const auto& g : s.plan.groups) out.active_aps += static_cast<int>(g.size());
  out.messages = s.messages;
  out.rounds = s.rounds;
  out.compute_ms = s.compute_ms;
  return out;
}

std::vector<CompareRow> compare(const std::vector<Ap>& aps, int n_users, int drops, const std::vector<Method>& methods,
                                const Room& room, double user_z, double fov_deg, int quota, const Physics& ph,
                                const Options& base) {
  if (drops < 1 || drops > 1000000)
    throw invalid_parameter("drops must be in [1, 1000000]; got " + std::to_string(drops),
                            "the number of Monte Carlo user drops, e.g. 100");
  if (methods.empty()) throw invalid_parameter("methods is empty", "list at least one method");
  std::vector<CompareRow> rows(methods.size());
  std::vector<double> sq(methods.size(), 0.0);
  for (size_t i = 0; i < methods.size(); ++i) rows[i].method = methods[i];
  Rng master(base.seed);
  for (int d = 0; d < drops; ++d) {
    check_interrupts();
    std::vector<User> users = random_users(n_users, master.next(), room, user_z);
    for (User& u : users) {
      u.fov_deg = fov_deg;
      u.quota = quota;
    }
    if (d == 0) validate(aps, users, room, ph);
    const Channel ch = make_channel(aps, users, ph.rx);
    const std::uint64_t pref_seed = master.next();
    for (size_t i = 0; i < methods.size(); ++i) {
      Options o = base;
      o.method = methods[i];
      o.seed = pref_seed;
      const Summary sm = summarize(schedule(ch, aps, users, ph, o));
      CompareRow& r = rows[i];
      r.drops += 1;
      r.sum_rate_bps += sm.sum_rate_bps;
      sq[i] += sm.sum_rate_bps * sm.sum_rate_bps;
      r.mean_rate_bps += sm.mean_rate_bps;
      r.min_rate_bps += sm.min_rate_bps;
      r.jain += sm.jain;
      r.served_fraction += sm.served_fraction;
      r.messages += static_cast<double>(sm.messages);
      r.rounds += static_cast<double>(sm.rounds);
      r.compute_ms += sm.compute_ms;
    }
  }
  for (size_t i = 0; i < rows.size(); ++i) {
    CompareRow& r = rows[i];
    const double n = r.drops;
    r.sum_rate_bps /= n;
    r.sum_rate_sd_bps = n > 1 ? std::sqrt(std::max(0.0, (sq[i] - n * r.sum_rate_bps * r.sum_rate_bps) / (n - 1))) : 0;
    r.mean_rate_bps /= n;
    r.min_rate_bps /= n;
    r.jain /= n;
    r.served_fraction /= n;
    r.messages /= n;
    r.rounds /= n;
    r.compute_ms /= n;
  }
  return rows;
}

}  // namespace morpheus::vlc
