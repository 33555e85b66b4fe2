// The decentralized stable-marriage protocol of one slot (see vlc.hpp): preference lists from local measurements,
// admission rules (user-side gain ratio, LED-side minimum link SNR), the LED preference (gain, rotating random
// priorities, proportional fair with the user's average sent in its proposal) and the two-stage "a cell for every
// user" variant. Message and bit counts follow docs/vlc.md.
#include <algorithm>
#include <cmath>
#include <limits>

#include "core/vlc/vlc.hpp"

namespace morpheus::vlc {

// 16-bit logarithmic code of a rate: code = round(1024 log2(1 + bps)), covering 0 .. 2^64 bit/s with a relative
// error under 0.034%.
std::uint16_t encode_rate(double bps) {
  if (!(bps > 0)) return 0;
  const double c = std::round(1024.0 * std::log2(1.0 + bps));
  return static_cast<std::uint16_t>(std::min(c, 65535.0));
}

double decode_rate(std::uint16_t code) { return std::exp2(static_cast<double>(code) / 1024.0) - 1.0; }

namespace {

constexpr int kRateBits = 16;  // bits of the average rate sent with a proportional-fair proposal

Matching run_da(Method side, const std::vector<std::vector<int>>& upref, const std::vector<std::vector<int>>& apref,
                const std::vector<int>& quota) {
  return side == Method::StableMarriageAp ? deferred_acceptance_aps(upref, apref, quota)
                                          : deferred_acceptance_users(upref, apref, quota);
}

}  // namespace

ProtocolRun stable_marriage(const Channel& ch, const std::vector<Ap>& aps, const std::vector<User>& users,
                            const Physics& ph, const Options& opt, const SlotContext& ctx) {
  const size_t k = users.size(), m = aps.size();
  ProtocolRun out;
  // Users: visible APs by gain, strongest first, admitted if within admission_ratio of the best.
  out.user_pref.assign(k, {});
  for (size_t u = 0; u < k; ++u) {
    const auto& links = ch.by_user[u];
    if (links.empty()) continue;
    const double floor = opt.admission_ratio * links.front().gain;
    for (const Link& l : links)
      if (l.gain >= floor) out.user_pref[u].push_back(l.other);
  }
  // LEDs: the users that see them (the uplink strength is H by reciprocity), minus links under the SNR threshold,
  // ordered by the LED's preference.
  const bool threshold = opt.min_link_snr_db > -std::numeric_limits<double>::infinity();
  const double min_snr = std::pow(10.0, opt.min_link_snr_db / 10.0);
  std::vector<double> priority(k, 0.0);
  if (opt.ap_preference == ApPreference::ProportionalFair)
    for (size_t u = 0; u < k; ++u) {
      const double avg = ctx.average_bps != nullptr ? (*ctx.average_bps)[u] : 0.0;
      priority[u] = std::max(decode_rate(encode_rate(avg)), 1.0);  // what the LED reads from the proposal
    }
  out.ap_pref.assign(m, {});
  for (size_t a = 0; a < m; ++a) {
    auto& pref = out.ap_pref[a];
    std::vector<double> key;
    for (const Link& l : ch.by_ap[a]) {
      const size_t u = static_cast<size_t>(l.other);
      if (threshold) {
        const double amp = ph.rx.responsivity * aps[a].power_w * l.gain;
        if (amp * amp < min_snr * noise_variance(ph, ch.received_w[u], ph.bandwidth_hz)) continue;
      }
      pref.push_back(l.other);
      key.push_back(opt.ap_preference == ApPreference::ProportionalFair ? l.gain / priority[u] : 0.0);
    }
    if (opt.ap_preference == ApPreference::ProportionalFair) {
      std::vector<size_t> idx(pref.size());
      for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
      std::stable_sort(idx.begin(), idx.end(), [&](size_t x, size_t y) { return key[x] > key[y]; });
      std::vector<int> sorted;
      for (size_t i : idx) sorted.push_back(pref[i]);
      pref = std::move(sorted);
    } else if (opt.ap_preference == ApPreference::Random) {
      Rng rng = Rng::stream(opt.seed, static_cast<std::uint64_t>(ctx.slot), a, 0x5A1);
      rng.shuffle(pref.begin(), pref.end());
    }
  }
  std::vector<int> quota(k);
  for (size_t u = 0; u < k; ++u) quota[u] = users[u].quota;

  auto account = [&](const Matching& mt, const std::vector<std::vector<int>>& upref) {
    out.messages += mt.messages;
    out.bits += mt.messages;  // every protocol message is 1 bit
    out.rounds += mt.rounds;
    if (opt.ap_preference != ApPreference::ProportionalFair) return;
    if (opt.method == Method::StableMarriage) {
      out.bits += kRateBits * mt.proposals;  // the average rides on every proposal
    } else {
      for (const auto& p : upref)  // AP-proposing: each user broadcasts its average once per stage
        if (!p.empty()) {
          ++out.messages;
          out.bits += kRateBits;
        }
    }
  };

  if (opt.variant == Variant::OneStage) {
    const Matching mt = run_da(opt.method, out.user_pref, out.ap_pref, quota);
    account(mt, out.user_pref);
    out.cells = mt.user_aps;
    out.ap_user = mt.ap_user;
    return out;
  }

  // Two stages: a quota-1 matching first (a cell for every user the LEDs can reach), then the LEDs still free
  // among the users with room left.
  const std::vector<int> one(k, 1);
  const Matching first = run_da(opt.method, out.user_pref, out.ap_pref, one);
  account(first, out.user_pref);
  out.first_stage = first.ap_user;
  std::vector<std::vector<int>> upref2(k), apref2(m);
  std::vector<int> quota2(k, 0);
  for (size_t u = 0; u < k; ++u) {
    if (quota[u] == 1) continue;  // full after the first stage: proposes no more
    quota2[u] = quota[u] > 1 ? quota[u] - 1 : 0;
    for (int a : out.user_pref[u])
      if (first.ap_user[static_cast<size_t>(a)] < 0) upref2[u].push_back(a);
  }
  for (size_t a = 0; a < m; ++a)
    if (first.ap_user[a] < 0)
      for (int u : out.ap_pref[a])
        if (quota[static_cast<size_t>(u)] != 1) apref2[a].push_back(u);
  const Matching second = run_da(opt.method, upref2, apref2, quota2);
  account(second, upref2);
  out.ap_user = first.ap_user;
  for (size_t a = 0; a < m; ++a)
    if (second.ap_user[a] >= 0) out.ap_user[a] = second.ap_user[a];
  out.cells.assign(k, {});
  for (size_t u = 0; u < k; ++u)
    for (int a : out.user_pref[u])
      if (out.ap_user[static_cast<size_t>(a)] == static_cast<int>(u)) out.cells[u].push_back(a);
  return out;
}

}  // namespace morpheus::vlc
