// Schedules over many slots (proportional-fair averages, handovers, re-association), horizon metrics, the Monte Carlo
// over drops with 95% intervals, and the operator reports (coverage, planning sweep). See vlc.hpp.
#include <algorithm>
#include <cmath>

#include "core/errors.hpp"
#include "core/interrupt.hpp"
#include "core/vlc/vlc.hpp"

namespace morpheus::vlc {

Horizon::Horizon(const std::vector<Ap>& aps, const Physics& ph, const Options& opt, size_t users)
    : aps_(aps),
      ph_(ph),
      opt_(opt),
      average_(users, 0.0),
      total_rate_(users, 0.0),
      ever_served_(users, 0),
      previous_(users),
      last_cell_(users),
      previous_best_(users, -1) {}

namespace {
std::vector<int> sorted(std::vector<int> v) {
  std::sort(v.begin(), v.end());
  return v;
}
}  // namespace

SlotOutcome Horizon::step(const std::vector<User>& users, bool users_moved) {
  const size_t k = users.size();
  if (k != average_.size())
    throw Error(ErrorKind::Internal, "Horizon::step: the number of users changed between slots");
  ++slot_;
  const bool changed = slot_ == 1 || users_moved || ph_.blockage_probability > 0;
  if (changed) {
    Rng blockage = Rng::stream(opt_.seed, static_cast<std::uint64_t>(slot_), 0xB10C);
    ch_ = make_channel(aps_, users, ph_.rx, ph_.blockage_probability, &blockage);
  }
  SlotContext ctx;
  ctx.slot = slot_;
  ctx.average_bps = &average_;
  ctx.previous = slot_ > 1 ? &previous_ : nullptr;
  ctx.previous_best = slot_ > 1 ? &previous_best_ : nullptr;
  ctx.channel_changed = changed;
  sched_ = schedule(ch_, aps_, users, ph_, opt_, ctx);

  SlotOutcome out;
  out.slot = slot_;
  out.schedule = &sched_;
  out.average_bps = &average_;
  out.handover.assign(k, 0);
  const double beta = 1.0 / opt_.pf_window;
  size_t served = 0;
  for (size_t u = 0; u < k; ++u) {
    const double r = sched_.users[u].rate_bps;
    total_rate_[u] += r;
    average_[u] = (1.0 - beta) * average_[u] + beta * r;
    const auto& cell = sched_.plan.cells[u];
    if (!cell.empty()) {
      ++served;
      ever_served_[u] = 1;
      if (!last_cell_[u].empty() && sorted(cell) != sorted(last_cell_[u])) out.handover[u] = 1;
      last_cell_[u] = cell;
    }
    handovers_sum += out.handover[u];
    previous_best_[u] = ch_.by_user[u].empty() ? -1 : ch_.by_user[u].front().other;
  }
  previous_ = sched_.plan.cells;
  served_sum += k > 0 ? static_cast<double>(served) / static_cast<double>(k) : 0.0;
  for (const auto& g : sched_.plan.groups) lit_sum += static_cast<double>(g.size());
  compute_ms_sum += sched_.compute_ms;
  messages_sum += sched_.messages;
  bits_sum += sched_.bits;
  rounds_sum += sched_.rounds;
  return out;
}

double jain_index(const std::vector<double>& rates) {
  double s = 0, s2 = 0;
  for (double x : rates) {
    s += x;
    s2 += x * x;
  }
  if (rates.empty() || s2 <= 0) return 0.0;
  return s * s / (static_cast<double>(rates.size()) * s2);
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  const double h = (static_cast<double>(v.size()) - 1.0) * p / 100.0;
  const size_t lo = static_cast<size_t>(std::floor(h));
  if (lo + 1 >= v.size()) return v.back();
  return v[lo] + (h - static_cast<double>(lo)) * (v[lo + 1] - v[lo]);
}

HorizonMetrics horizon_metrics(const Horizon& h) {
  HorizonMetrics m;
  const double t = std::max(h.slots(), 1);
  std::vector<double> avg;
  for (double r : h.total_rate_bps()) avg.push_back(r / t);
  const double k = static_cast<double>(avg.size());
  for (double r : avg) m.sum_rate_bps += r;
  m.mean_rate_bps = k > 0 ? m.sum_rate_bps / k : 0;
  m.min_rate_bps = avg.empty() ? 0 : *std::min_element(avg.begin(), avg.end());
  m.p5_rate_bps = percentile(avg, 5);
  m.jain = jain_index(avg);
  for (double r : avg) m.log_utility += std::log10(std::max(r, 1.0)) / std::max(k, 1.0);
  m.served_fraction_slot = h.served_sum / t;
  double ever = 0;
  for (char e : h.ever_served()) ever += e;
  m.served_fraction = k > 0 ? ever / k : 0;
  m.lit_aps = h.lit_sum / t;
  m.messages = static_cast<double>(h.messages_sum) / t;
  m.bits = static_cast<double>(h.bits_sum) / t;
  m.rounds = static_cast<double>(h.rounds_sum) / t;
  m.handovers = static_cast<double>(h.handovers_sum) / t;
  m.compute_ms = h.compute_ms_sum / t;
  return m;
}

const std::vector<std::string>& metric_names() {
  static const std::vector<std::string> names = {"sum_rate_bps",
                                                 "mean_rate_bps",
                                                 "min_rate_bps",
                                                 "p5_rate_bps",
                                                 "jain",
                                                 "log_utility",
                                                 "served_fraction_slot",
                                                 "served_fraction",
                                                 "lit_aps",
                                                 "messages",
                                                 "bits",
                                                 "rounds",
                                                 "handovers",
                                                 "compute_ms"};
  return names;
}

std::vector<double> metric_values(const HorizonMetrics& m) {
  return {m.sum_rate_bps,
          m.mean_rate_bps,
          m.min_rate_bps,
          m.p5_rate_bps,
          m.jain,
          m.log_utility,
          m.served_fraction_slot,
          m.served_fraction,
          m.lit_aps,
          m.messages,
          m.bits,
          m.rounds,
          m.handovers,
          m.compute_ms};
}

double t_quantile_975(int df) {
  static const double table[] = {12.706205, 4.302653, 3.182446, 2.776445, 2.570582, 2.446912, 2.364624, 2.306004,
                                 2.262157,  2.228139, 2.200985, 2.178813, 2.160369, 2.144787, 2.131450, 2.119905,
                                 2.109816,  2.100922, 2.093024, 2.085963, 2.079614, 2.073873, 2.068658, 2.063899,
                                 2.059539,  2.055529, 2.051831, 2.048407, 2.045230, 2.042272};
  if (df < 1) return std::numeric_limits<double>::quiet_NaN();
  if (df <= 30) return table[df - 1];
  // Cornish-Fisher expansion of t around the normal quantile (error < 1e-5 beyond 30 degrees of freedom)
  const double z = 1.959963984540054, n = df;
  const double z3 = z * z * z, z5 = z3 * z * z, z7 = z5 * z * z, z9 = z7 * z * z;
  return z + (z3 + z) / (4 * n) + (5 * z5 + 16 * z3 + 3 * z) / (96 * n * n) +
         (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * n * n * n) +
         (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / (92160 * n * n * n * n);
}

Interval mean_interval(const std::vector<double>& x) {
  Interval out;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const size_t n = x.size();
  if (n == 0) return {nan, nan, nan};
  double mean = 0;
  for (double v : x) mean += v;
  mean /= static_cast<double>(n);
  out.estimate = mean;
  if (n < 2) {
    out.low = out.high = nan;
    return out;
  }
  double ss = 0;
  for (double v : x) ss += (v - mean) * (v - mean);
  const double half = t_quantile_975(static_cast<int>(n - 1)) * std::sqrt(ss / static_cast<double>(n - 1)) /
                      std::sqrt(static_cast<double>(n));
  out.low = mean - half;
  out.high = mean + half;
  return out;
}

Interval ratio_interval(const std::vector<double>& x, const std::vector<double>& y) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const size_t n = std::min(x.size(), y.size());
  if (n == 0) return {nan, nan, nan};
  double mx = 0, my = 0;
  for (size_t i = 0; i < n; ++i) {
    mx += x[i];
    my += y[i];
  }
  mx /= static_cast<double>(n);
  my /= static_cast<double>(n);
  if (my == 0) return {nan, nan, nan};
  Interval out;
  const double r = mx / my;
  out.estimate = r;
  if (n < 2) {
    out.low = out.high = nan;
    return out;
  }
  double sxx = 0, syy = 0, sxy = 0;
  for (size_t i = 0; i < n; ++i) {
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
    sxy += (x[i] - mx) * (y[i] - my);
  }
  const double d = static_cast<double>(n - 1);
  const double var = (sxx / d - 2 * r * sxy / d + r * r * syy / d) / (static_cast<double>(n) * my * my);
  const double half = t_quantile_975(static_cast<int>(n - 1)) * std::sqrt(std::max(var, 0.0));
  out.low = r - half;
  out.high = r + half;
  return out;
}

namespace {

void check_setup(const DropSetup& s) {
  if (s.drops < 1 || s.drops > 1000000)
    throw invalid_parameter("drops must be in [1, 1000000]; got " + std::to_string(s.drops),
                            "the number of Monte Carlo user drops, e.g. 100");
  if (s.users < 1 || s.users > 100000)
    throw invalid_parameter("n_users must be in [1, 100000]; got " + std::to_string(s.users),
                            "the number of users per drop, e.g. 10");
  if (s.slots < 1 || s.slots > 1000000)
    throw invalid_parameter("slots must be in [1, 1000000]; got " + std::to_string(s.slots),
                            "the number of time slots of every schedule, e.g. 20");
  if (s.quota < 0)
    throw invalid_parameter("quota must be >= 0 or NULL; got " + std::to_string(s.quota),
                            "quota is the maximum number of APs serving one user; NULL or 0 means no limit");
}

// The users of drop d (and their positions in every slot when they move).
std::vector<std::vector<User>> drop_positions(const DropSetup& s, const Room& room, int d) {
  const std::uint64_t seed = s.seed, di = static_cast<std::uint64_t>(d);
  std::vector<User> users = random_users(s.users, Rng::stream(seed, di, 1)(), room, s.user_z);
  Rng az = Rng::stream(seed, di, 2);
  for (User& u : users) {
    u.fov_deg = s.fov_deg;
    u.quota = s.quota;
    u.tilt_deg = s.tilt_deg;
    u.azimuth_deg = s.tilt_deg > 0 ? 360.0 * az.uniform() : 0.0;
  }
  if (s.step_m > 0 && s.slots > 1) return random_walk(users, s.slots, s.step_m, Rng::stream(seed, di, 3)(), room);
  return {users};
}

// Runs one configuration on one drop; `per_user` receives the time-averaged rates when given.
HorizonMetrics run_drop(const std::vector<Ap>& aps, const Physics& ph, Options o,
                        const std::vector<std::vector<User>>& pos, const DropSetup& s, int d,
                        std::vector<double>* per_user = nullptr) {
  o.seed = Rng::stream(s.seed, static_cast<std::uint64_t>(d), 4)();  // blockage and random priorities, shared
  Horizon h(aps, ph, o, pos.front().size());
  for (int t = 0; t < s.slots; ++t) {
    const size_t i = std::min(static_cast<size_t>(t), pos.size() - 1);
    h.step(pos[i], pos.size() > 1 && t > 0);
  }
  if (per_user != nullptr)
    for (double r : h.total_rate_bps()) per_user->push_back(r / s.slots);
  return horizon_metrics(h);
}

}  // namespace

std::vector<std::vector<HorizonMetrics>> monte_carlo(const std::vector<Ap>& raw_aps, const Room& room,
                                                     const Physics& ph, const std::vector<Options>& configs,
                                                     const DropSetup& setup) {
  check_setup(setup);
  if (configs.empty()) throw invalid_parameter("methods is empty", "list at least one method");
  for (const Options& o : configs) validate_options(o);
  const std::vector<Ap> aps = dimmed(raw_aps, ph);
  std::vector<std::vector<HorizonMetrics>> out(configs.size());
  for (int d = 0; d < setup.drops; ++d) {
    check_interrupts();
    const std::vector<std::vector<User>> pos = drop_positions(setup, room, d);
    if (d == 0) validate(raw_aps, pos.front(), room, ph);
    for (size_t c = 0; c < configs.size(); ++c) out[c].push_back(run_drop(aps, ph, configs[c], pos, setup, d));
  }
  return out;
}

std::vector<CoverageRow> coverage(const Channel& ch, const std::vector<Ap>& aps, const Physics& ph) {
  const size_t k = static_cast<size_t>(ch.num_users);
  std::vector<CoverageRow> out(k);
  std::vector<std::size_t> stamp(k, 0);
  for (size_t u = 0; u < k; ++u) {
    check_interrupts();
    CoverageRow& r = out[u];
    const double noise = noise_variance(ph, ch.received_w[u], ph.bandwidth_hz);
    double all = 0;
    for (const Link& l : ch.by_user[u]) {
      r.aps.push_back(l.other);
      all += ph.rx.responsivity * aps[static_cast<size_t>(l.other)].power_w * l.gain;
    }
    if (!ch.by_user[u].empty()) {
      const Link& b = ch.by_user[u].front();
      const double amp = ph.rx.responsivity * aps[static_cast<size_t>(b.other)].power_w * b.gain;
      r.best_snr = amp * amp / noise;
      r.all_snr = all * all / noise;
    }
    for (const Link& l : ch.by_user[u])
      for (const Link& x : ch.by_ap[static_cast<size_t>(l.other)]) {
        const size_t v = static_cast<size_t>(x.other);
        if (v != u && stamp[v] != u + 1) {
          stamp[v] = u + 1;
          ++r.overlap_users;
        }
      }
  }
  return out;
}

std::vector<PlanningRow> planning_sweep(const std::vector<double>& fovs, const std::vector<int>& leds_per_side,
                                        const Room& room, double led_z, const Physics& ph, const Options& opt,
                                        const DropSetup& setup, double target_bps) {
  check_setup(setup);
  validate_options(opt);
  if (fovs.empty() || leds_per_side.empty())
    throw invalid_parameter("fov_deg and leds_per_side must not be empty", "e.g. fov_deg => '{30,45,60}'");
  if (!std::isfinite(target_bps) || target_bps < 0)
    throw invalid_parameter("target_bps must be a finite number >= 0", "the per-user rate to reach, e.g. 50e6");
  for (int g : leds_per_side)
    if (g < 1 || g > 100)
      throw invalid_parameter("leds_per_side must be in [1, 100]; got " + std::to_string(g),
                              "the LEDs per side of a square grid, e.g. '{3,4,5,6}'");
  const double work = static_cast<double>(fovs.size()) * static_cast<double>(leds_per_side.size()) * setup.drops *
                      setup.slots * setup.users;
  if (work > 5e8)
    throw Error(ErrorKind::LimitExceeded,
                "the planning sweep would schedule " + std::to_string(work) + " user-slots, over the limit of 5e8",
                "use fewer FOVs, grids, drops, slots or users");
  std::vector<PlanningRow> rows;
  for (double fov : fovs)
    for (int g : leds_per_side) {
      PlanningRow r;
      r.fov_deg = fov;
      r.leds_per_side = g;
      r.pitch_m = room.width / g;
      const std::vector<Ap> raw = grid_aps(g, g, room, led_z);
      const std::vector<Ap> aps = dimmed(raw, ph);
      DropSetup s = setup;
      s.fov_deg = fov;
      std::vector<double> rates;
      for (int d = 0; d < s.drops; ++d) {
        check_interrupts();
        const std::vector<std::vector<User>> pos = drop_positions(s, room, d);
        if (d == 0) validate(raw, pos.front(), room, ph);
        run_drop(aps, ph, opt, pos, s, d, &rates);
      }
      double sum = 0, hit = 0;
      for (double x : rates) {
        sum += x;
        hit += x >= target_bps;
      }
      r.mean_rate_bps = sum / static_cast<double>(rates.size());
      r.p5_rate_bps = percentile(rates, 5);
      r.fraction_at_target = hit / static_cast<double>(rates.size());
      r.meets_target = r.p5_rate_bps >= target_bps;
      rows.push_back(r);
    }
  return rows;
}

}  // namespace morpheus::vlc
