// Stable matching of users and APs by deferred acceptance (users or APs proposing, 1-bit messages) and the
// blocking-pair check (see vlc.hpp).
#include <algorithm>
#include <vector>

#include "core/interrupt.hpp"
#include "core/vlc/vlc.hpp"

namespace morpheus::vlc {
namespace {

// Rank lookup for one agent: sorted (partner, rank) pairs; absent partner = unacceptable.
class Ranks {
 public:
  explicit Ranks(const std::vector<int>& pref) {
    pairs_.reserve(pref.size());
    for (size_t i = 0; i < pref.size(); ++i) pairs_.emplace_back(pref[i], static_cast<int>(i));
    std::sort(pairs_.begin(), pairs_.end());
  }
  // Rank of partner p, or -1 if unacceptable.
  int of(int p) const {
    auto it = std::lower_bound(pairs_.begin(), pairs_.end(), std::make_pair(p, -1));
    return (it != pairs_.end() && it->first == p) ? it->second : -1;
  }

 private:
  std::vector<std::pair<int, int>> pairs_;
};

std::vector<Ranks> make_ranks(const std::vector<std::vector<int>>& prefs) {
  std::vector<Ranks> r;
  r.reserve(prefs.size());
  for (const auto& p : prefs) r.emplace_back(p);
  return r;
}

void sort_by_rank(std::vector<int>& items, const Ranks& ranks) {
  std::sort(items.begin(), items.end(), [&](int x, int y) { return ranks.of(x) < ranks.of(y); });
}

}  // namespace

Matching deferred_acceptance_users(const std::vector<std::vector<int>>& user_pref,
                                   const std::vector<std::vector<int>>& ap_pref, const std::vector<int>& quota) {
  const size_t k = user_pref.size(), m = ap_pref.size();
  const std::vector<Ranks> ap_rank = make_ranks(ap_pref);
  Matching out;
  out.ap_user.assign(m, -1);
  out.user_aps.assign(k, {});
  std::vector<size_t> next(k, 0), held(k, 0);
  std::vector<std::vector<int>> inbox(m);
  std::vector<int> busy;
  for (;;) {
    check_interrupts();
    busy.clear();
    std::int64_t sent = 0;
    for (size_t u = 0; u < k; ++u) {
      if (!has_room(held[u], quota[u]) || next[u] >= user_pref[u].size()) continue;
      const int a = user_pref[u][next[u]++];
      if (inbox[static_cast<size_t>(a)].empty()) busy.push_back(a);
      inbox[static_cast<size_t>(a)].push_back(static_cast<int>(u));
      ++sent;
    }
    if (sent == 0) break;
    ++out.rounds;
    out.proposals += sent;
    out.messages += 2 * sent;  // PROPOSE, and one ACCEPT or REJECT reply each
    for (int a : busy) {
      auto& props = inbox[static_cast<size_t>(a)];
      const Ranks& rk = ap_rank[static_cast<size_t>(a)];
      int best = out.ap_user[static_cast<size_t>(a)];
      int best_rank = best >= 0 ? rk.of(best) : -1;
      for (int u : props) {
        const int r = rk.of(u);
        if (r >= 0 && (best < 0 || r < best_rank)) {
          best = u;
          best_rank = r;
        }
      }
      const int old = out.ap_user[static_cast<size_t>(a)];
      if (best != old) {
        if (old >= 0) {
          --held[static_cast<size_t>(old)];  // displaced: one more REJECT bit
          ++out.messages;
        }
        out.ap_user[static_cast<size_t>(a)] = best;
        ++held[static_cast<size_t>(best)];
      }
      props.clear();
    }
  }
  for (size_t a = 0; a < m; ++a)
    if (out.ap_user[a] >= 0) out.user_aps[static_cast<size_t>(out.ap_user[a])].push_back(static_cast<int>(a));
  const std::vector<Ranks> user_rank = make_ranks(user_pref);
  for (size_t u = 0; u < k; ++u) sort_by_rank(out.user_aps[u], user_rank[u]);
  return out;
}

Matching deferred_acceptance_aps(const std::vector<std::vector<int>>& user_pref,
                                 const std::vector<std::vector<int>>& ap_pref, const std::vector<int>& quota) {
  const size_t k = user_pref.size(), m = ap_pref.size();
  const std::vector<Ranks> user_rank = make_ranks(user_pref);
  Matching out;
  out.ap_user.assign(m, -1);
  out.user_aps.assign(k, {});
  std::vector<size_t> next(m, 0);
  std::vector<std::vector<int>> inbox(k);
  std::vector<int> busy, cand;
  for (;;) {
    check_interrupts();
    busy.clear();
    std::int64_t sent = 0;
    for (size_t a = 0; a < m; ++a) {
      if (out.ap_user[a] >= 0 || next[a] >= ap_pref[a].size()) continue;
      const int u = ap_pref[a][next[a]++];
      if (inbox[static_cast<size_t>(u)].empty()) busy.push_back(u);
      inbox[static_cast<size_t>(u)].push_back(static_cast<int>(a));
      ++sent;
    }
    if (sent == 0) break;
    ++out.rounds;
    out.proposals += sent;
    out.messages += 2 * sent;  // OFFER, and one ACCEPT or REJECT reply each
    for (int u : busy) {
      const Ranks& rk = user_rank[static_cast<size_t>(u)];
      auto& held = out.user_aps[static_cast<size_t>(u)];
      cand = held;
      for (int a : inbox[static_cast<size_t>(u)])
        if (rk.of(a) >= 0) cand.push_back(a);
      sort_by_rank(cand, rk);
      const int q = quota[static_cast<size_t>(u)];
      if (q > 0 && cand.size() > static_cast<size_t>(q)) cand.resize(static_cast<size_t>(q));
      for (int a : held)
        if (std::find(cand.begin(), cand.end(), a) == cand.end()) {
          out.ap_user[static_cast<size_t>(a)] = -1;  // displaced: one more REJECT bit
          ++out.messages;
        }
      for (int a : cand) out.ap_user[static_cast<size_t>(a)] = u;
      held = cand;
      inbox[static_cast<size_t>(u)].clear();
    }
  }
  return out;
}

std::vector<std::pair<int, int>> blocking_pairs(const std::vector<std::vector<int>>& user_pref,
                                                const std::vector<std::vector<int>>& ap_pref,
                                                const std::vector<int>& quota, const std::vector<int>& ap_user) {
  const size_t k = user_pref.size(), m = ap_pref.size();
  std::vector<std::vector<int>> urank(k, std::vector<int>(m, -1)), arank(m, std::vector<int>(k, -1));
  for (size_t u = 0; u < k; ++u)
    for (size_t i = 0; i < user_pref[u].size(); ++i)
      urank[u][static_cast<size_t>(user_pref[u][i])] = static_cast<int>(i);
  for (size_t a = 0; a < m; ++a)
    for (size_t i = 0; i < ap_pref[a].size(); ++i) arank[a][static_cast<size_t>(ap_pref[a][i])] = static_cast<int>(i);
  std::vector<size_t> held(k, 0);
  std::vector<int> worst(k, -1);  // worst (largest) rank the user holds
  for (size_t a = 0; a < m; ++a)
    if (ap_user[a] >= 0) {
      const size_t u = static_cast<size_t>(ap_user[a]);
      ++held[u];
      worst[u] = std::max(worst[u], urank[u][a]);
    }
  std::vector<std::pair<int, int>> out;
  for (size_t a = 0; a < m; ++a)
    for (size_t u = 0; u < k; ++u) {
      if (urank[u][a] < 0 || arank[a][u] < 0 || ap_user[a] == static_cast<int>(u)) continue;
      const bool user_wants = has_room(held[u], quota[u]) || urank[u][a] < worst[u];
      const int cur = ap_user[a];
      const bool ap_wants = cur < 0 || arank[a][u] < arank[a][static_cast<size_t>(cur)];
      if (user_wants && ap_wants) out.emplace_back(static_cast<int>(a), static_cast<int>(u));
    }
  return out;
}

}  // namespace morpheus::vlc
