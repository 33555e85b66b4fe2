// Channel, noise, rate and plan evaluation of the VLC model (see vlc.hpp).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <unordered_set>

#include "core/errors.hpp"
#include "core/interrupt.hpp"
#include "core/vlc/vlc.hpp"

namespace morpheus::vlc {
namespace {

constexpr double kDeg = kPi / 180.0;

std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

void require_positive(double v, const char* name) {
  if (!std::isfinite(v) || v <= 0)
    throw invalid_parameter(std::string(name) + " must be a positive finite number; got " + num(v),
                            std::string("pass ") + name + " => a value > 0");
}

void require_angle(double deg, const std::string& what, bool allow_90) {
  if (!std::isfinite(deg) || deg <= 0 || deg > 90 || (!allow_90 && deg >= 90))
    throw invalid_parameter(what + " must be in (0, " + (allow_90 ? "90]" : "90)") + " degrees; got " + num(deg),
                            "angles are in degrees, measured from the vertical");
}

}  // namespace

double lambertian_order(double semi_angle_rad) { return -std::log(2.0) / std::log(std::cos(semi_angle_rad)); }

double concentrator_gain(double refractive_index, double fov_rad) {
  const double s = std::sin(fov_rad);
  return refractive_index * refractive_index / (s * s);
}

double los_gain(double d, double cos_phi, double cos_psi, double m, double fov_rad, const Receiver& rx) {
  if (!(d > 0) || cos_phi <= 0 || cos_psi <= 0) return 0.0;
  // psi <= fov  <=>  cos psi >= cos fov (with a tiny tolerance so that psi == fov counts as inside)
  if (cos_psi < std::cos(fov_rad) - 1e-15) return 0.0;
  const double g = concentrator_gain(rx.refractive_index, fov_rad);
  return (m + 1.0) * rx.area_m2 / (2.0 * kPi * d * d) * std::pow(cos_phi, m) * rx.filter_gain * g * cos_psi;
}

void validate(const std::vector<Ap>& aps, const std::vector<User>& users, const Room& room, const Physics& ph) {
  require_positive(room.width, "room_width_m");
  require_positive(room.length, "room_length_m");
  require_positive(room.height, "room_height_m");
  require_positive(ph.rx.area_m2, "area_m2");
  require_positive(ph.rx.filter_gain, "filter_gain");
  require_positive(ph.rx.refractive_index, "refractive_index");
  require_positive(ph.rx.responsivity, "responsivity");
  require_positive(ph.bandwidth_hz, "bandwidth_hz");
  require_positive(ph.n0, "n0");
  require_positive(ph.temperature_k, "temperature_k");
  if (!std::isfinite(ph.dimming) || ph.dimming <= 0 || ph.dimming > 1)
    throw invalid_parameter("dimming must be in (0, 1]; got " + num(ph.dimming),
                            "the LEDs' brightness level: 1 = full light, 0.3 = dimmed to 30%");
  if (!std::isfinite(ph.blockage_probability) || ph.blockage_probability < 0 || ph.blockage_probability >= 1)
    throw invalid_parameter("blockage_probability must be in [0, 1); got " + num(ph.blockage_probability),
                            "the probability that a line-of-sight link is blocked in a slot, e.g. 0.1");
  if (aps.empty())
    throw invalid_parameter("ap_sql returned no rows", "the AP query must return at least one access point");
  if (users.empty())
    throw invalid_parameter("user_sql returned no rows", "the user query must return at least one user");
  auto inside = [&](double x, double y, double z) {
    return std::isfinite(x) && std::isfinite(y) && std::isfinite(z) && x >= 0 && x <= room.width && y >= 0 &&
           y <= room.length && z >= 0 && z <= room.height;
  };
  const std::string room_text = num(room.width) + " x " + num(room.length) + " x " + num(room.height) + " m";
  std::unordered_set<std::int64_t> seen;
  for (const Ap& a : aps) {
    const std::string row = "AP id " + std::to_string(a.id);
    if (!seen.insert(a.id).second)
      throw invalid_parameter("ap_sql returned id " + std::to_string(a.id) + " more than once",
                              "AP ids must be unique");
    if (!inside(a.x, a.y, a.z))
      throw invalid_parameter(
          row + " at (" + num(a.x) + ", " + num(a.y) + ", " + num(a.z) + ") is outside the room " + room_text,
          "coordinates are metres with 0 <= x_m <= room_width_m, 0 <= y_m <= room_length_m, "
          "0 <= z_m <= room_height_m");
    if (!std::isfinite(a.power_w) || a.power_w <= 0)
      throw invalid_parameter(row + " has power_w = " + num(a.power_w) + "; it must be positive",
                              "power_w is the modulated optical power per AP in watts, e.g. 1");
    require_angle(a.semi_angle_deg, row + " semi_angle_deg", false);
  }
  seen.clear();
  for (const User& u : users) {
    const std::string row = "user id " + std::to_string(u.id);
    if (!seen.insert(u.id).second)
      throw invalid_parameter("user_sql returned id " + std::to_string(u.id) + " more than once",
                              "user ids must be unique");
    if (!inside(u.x, u.y, u.z))
      throw invalid_parameter(
          row + " at (" + num(u.x) + ", " + num(u.y) + ", " + num(u.z) + ") is outside the room " + room_text,
          "coordinates are metres with 0 <= x_m <= room_width_m, 0 <= y_m <= room_length_m, "
          "0 <= z_m <= room_height_m");
    require_angle(u.fov_deg, row + " fov_deg", true);
    if (!std::isfinite(u.tilt_deg) || u.tilt_deg < 0 || u.tilt_deg >= 90)
      throw invalid_parameter(row + " tilt_deg must be in [0, 90) degrees; got " + num(u.tilt_deg),
                              "the receiver normal's angle from the vertical; 0 = facing straight up");
    if (!std::isfinite(u.azimuth_deg))
      throw invalid_parameter(row + " azimuth_deg must be finite; got " + num(u.azimuth_deg),
                              "the direction of the tilt in degrees, 0 = towards +x");
    if (u.quota < 0)
      throw invalid_parameter(row + " has quota = " + std::to_string(u.quota) + "; it must be >= 0",
                              "quota is the maximum number of APs serving the user; 0 or NULL means no limit");
  }
}

namespace {

// Cosines of the irradiance angle (LED facing down) and of the incidence angle (receiver normal tilted by tilt_deg
// towards azimuth_deg) of the link from `a` to `u` at distance d.
void link_cosines(const Ap& a, const User& u, double d, double& cos_phi, double& cos_psi) {
  const double dx = a.x - u.x, dy = a.y - u.y, dz = a.z - u.z;
  cos_phi = dz / d;
  if (u.tilt_deg == 0) {
    cos_psi = cos_phi;
    return;
  }
  const double t = u.tilt_deg * kDeg, az = u.azimuth_deg * kDeg;
  cos_psi = (dx * std::sin(t) * std::cos(az) + dy * std::sin(t) * std::sin(az) + dz * std::cos(t)) / d;
}

}  // namespace

LinkGeometry link_geometry(const Ap& a, const User& u, const Receiver& rx) {
  const double dx = a.x - u.x, dy = a.y - u.y, dz = a.z - u.z;
  const double d = std::sqrt(dx * dx + dy * dy + dz * dz);
  LinkGeometry g{d, 90.0, 90.0, 0.0};
  if (!(d > 0)) return g;
  double cphi, cpsi;
  link_cosines(a, u, d, cphi, cpsi);
  g.irradiance_deg = std::acos(std::clamp(cphi, -1.0, 1.0)) / kDeg;
  g.incidence_deg = std::acos(std::clamp(cpsi, -1.0, 1.0)) / kDeg;
  g.gain = los_gain(d, cphi, cpsi, lambertian_order(a.semi_angle_deg * kDeg), u.fov_deg * kDeg, rx);
  return g;
}

double Channel::gain(int ap, int user) const {
  for (const Link& l : by_user[static_cast<size_t>(user)])
    if (l.other == ap) return l.gain;
  return 0.0;
}

Channel make_channel(const std::vector<Ap>& aps, const std::vector<User>& users, const Receiver& rx, double blockage,
                     Rng* blockage_rng) {
  Channel ch;
  ch.num_aps = static_cast<int>(aps.size());
  ch.num_users = static_cast<int>(users.size());
  ch.by_user.assign(users.size(), {});
  ch.by_ap.assign(aps.size(), {});
  ch.received_w.assign(users.size(), 0.0);
  std::vector<double> order(aps.size());
  for (size_t a = 0; a < aps.size(); ++a) order[a] = lambertian_order(aps[a].semi_angle_deg * kDeg);
  for (size_t u = 0; u < users.size(); ++u) {
    if ((u & 63) == 0) check_interrupts();
    const User& us = users[u];
    const double fov = us.fov_deg * kDeg;
    for (size_t a = 0; a < aps.size(); ++a) {
      const Ap& ap = aps[a];
      const double dx = ap.x - us.x, dy = ap.y - us.y, dz = ap.z - us.z;
      const double d = std::sqrt(dx * dx + dy * dy + dz * dz);
      if (!(d > 0)) continue;
      double cphi, cpsi;
      link_cosines(ap, us, d, cphi, cpsi);
      const double h = los_gain(d, cphi, cpsi, order[a], fov, rx);
      if (h > 0 && blockage > 0 && blockage_rng != nullptr && blockage_rng->bernoulli(blockage)) continue;
      if (h > 0) {
        ch.by_user[u].push_back({static_cast<int>(a), h});
        ch.by_ap[a].push_back({static_cast<int>(u), h});
        ch.received_w[u] += ap.power_w * h;
      }
    }
  }
  auto by_gain = [](const Link& x, const Link& y) {
    return x.gain > y.gain || (x.gain == y.gain && x.other < y.other);
  };
  for (auto& l : ch.by_user) std::sort(l.begin(), l.end(), by_gain);
  for (auto& l : ch.by_ap) std::sort(l.begin(), l.end(), by_gain);
  return ch;
}

KomineNoise komine_noise_terms(const Physics& ph, double received_w, double b) {
  const double q = kElectronCharge, k = kBoltzmann, t = ph.temperature_k;
  const double eta_a = ph.capacitance_f_per_m2 * ph.rx.area_m2;
  KomineNoise n{};
  n.thermal_feedback = 8.0 * kPi * k * t * eta_a * ph.i2 * b * b / ph.open_loop_gain;
  n.thermal_fet = 16.0 * kPi * kPi * k * t * ph.fet_gamma * eta_a * eta_a * ph.i3 * b * b * b / ph.transconductance_s;
  n.background_shot = 2.0 * q * ph.background_current_a * ph.i2 * b;
  n.signal_shot = 2.0 * q * ph.rx.responsivity * received_w * b;
  return n;
}

double noise_variance(const Physics& ph, double received_w, double b) {
  if (ph.noise == NoiseModel::Simple) return ph.n0 * b;
  const KomineNoise n = komine_noise_terms(ph, received_w, b);
  return n.thermal_feedback + n.thermal_fet + n.background_shot + n.signal_shot;
}

double rate_bps(const Physics& ph, double sinr, double b) {
  if (!(sinr > 0)) return 0.0;
  if (ph.rate == RateForm::Shannon) return b * std::log2(1.0 + sinr);
  return 0.5 * b * std::log2(1.0 + std::exp(1.0) / (2.0 * kPi) * sinr);
}

std::vector<UserResult> evaluate_plan(const Channel& ch, const std::vector<Ap>& aps, const Physics& ph,
                                      const Plan& plan) {
  const size_t k = static_cast<size_t>(ch.num_users);
  std::vector<int> ap_group(static_cast<size_t>(ch.num_aps), -1);
  for (size_t g = 0; g < plan.groups.size(); ++g)
    for (int a : plan.groups[g]) ap_group[static_cast<size_t>(a)] = static_cast<int>(g);
  std::vector<double> acc(plan.groups.size(), 0.0);
  std::vector<int> touched;
  std::vector<UserResult> out(k);
  const double r = ph.rx.responsivity;
  const double b = ph.bandwidth_hz / plan.bands;
  for (size_t u = 0; u < k; ++u) {
    if ((u & 255) == 0) check_interrupts();
    const int mine = plan.group[u];
    const int band = mine >= 0 ? plan.group_band[static_cast<size_t>(mine)] : -1;
    touched.clear();
    for (const Link& l : ch.by_user[u]) {
      const int g = ap_group[static_cast<size_t>(l.other)];
      if (g < 0) continue;
      if (band >= 0 && plan.group_band[static_cast<size_t>(g)] != band) continue;
      if (acc[static_cast<size_t>(g)] == 0.0) touched.push_back(g);
      acc[static_cast<size_t>(g)] += r * aps[static_cast<size_t>(l.other)].power_w * l.gain;
    }
    UserResult& res = out[u];
    for (int g : touched) {
      const double amp = acc[static_cast<size_t>(g)];
      if (g == mine)
        res.signal = amp * amp;
      else
        res.interference += amp * amp;
      acc[static_cast<size_t>(g)] = 0.0;
    }
    res.noise = noise_variance(ph, ch.received_w[u], b);
    if (mine >= 0) {
      res.sinr = res.signal / (res.interference + res.noise);
      res.rate_bps = rate_bps(ph, res.sinr, b);
    } else {
      res.signal = 0;
    }
  }
  return out;
}

std::vector<Ap> grid_aps(int rows, int cols, const Room& room, double z) {
  if (rows < 1 || cols < 1 || static_cast<std::int64_t>(rows) * cols > 1000000)
    throw invalid_parameter("rows and cols must be >= 1 with rows * cols <= 1000000; got rows = " +
                                std::to_string(rows) + ", cols = " + std::to_string(cols),
                            "e.g. rows => 4, cols => 4 for the reference 16-AP room");
  require_positive(room.width, "room_width_m");
  require_positive(room.length, "room_length_m");
  if (!std::isfinite(z) || z < 0)
    throw invalid_parameter("height_m must be a finite number >= 0; got " + num(z), "the AP mounting height in metres");
  std::vector<Ap> aps;
  aps.reserve(static_cast<size_t>(rows) * static_cast<size_t>(cols));
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j) {
      Ap a;
      a.id = static_cast<std::int64_t>(i) * cols + j + 1;
      a.x = (j + 0.5) * room.width / cols;
      a.y = (i + 0.5) * room.length / rows;
      a.z = z;
      aps.push_back(a);
    }
  return aps;
}

std::vector<User> random_users(int n, std::uint64_t seed, const Room& room, double z) {
  if (n < 1 || n > 1000000)
    throw invalid_parameter("n must be in [1, 1000000]; got " + std::to_string(n), "the number of users to drop");
  require_positive(room.width, "room_width_m");
  require_positive(room.length, "room_length_m");
  if (!std::isfinite(z) || z < 0)
    throw invalid_parameter("height_m must be a finite number >= 0; got " + num(z),
                            "the receiver-plane height in metres");
  Rng rng(seed);
  std::vector<User> users(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    User& u = users[static_cast<size_t>(i)];
    u.id = i + 1;
    u.x = room.width * rng.uniform();
    u.y = room.length * rng.uniform();
    u.z = z;
  }
  return users;
}

std::vector<Ap> dimmed(std::vector<Ap> aps, const Physics& ph) {
  for (Ap& a : aps) a.power_w *= ph.dimming;
  return aps;
}

std::vector<std::vector<User>> random_walk(const std::vector<User>& start, int slots, double step_m, std::uint64_t seed,
                                           const Room& room) {
  if (slots < 1 || slots > 1000000)
    throw invalid_parameter("slots must be in [1, 1000000]; got " + std::to_string(slots), "the number of slots");
  if (!std::isfinite(step_m) || step_m < 0)
    throw invalid_parameter("step_m must be a finite number >= 0; got " + num(step_m),
                            "the distance a user walks per slot in metres, e.g. 0.05");
  if (static_cast<double>(slots) * static_cast<double>(start.size()) > 5e7)
    throw Error(ErrorKind::LimitExceeded,
                "a trajectory of " + std::to_string(slots) + " slots x " + std::to_string(start.size()) +
                    " users is over the limit of 5e7 positions",
                "use fewer slots or users");
  // Slots are appended one at a time (not allocated up front), so a cancel lands between slots at any size.
  std::vector<std::vector<User>> out;
  out.reserve(static_cast<size_t>(slots));
  out.push_back(start);
  Rng rng(seed);
  std::vector<double> wx(start.size()), wy(start.size());
  for (size_t u = 0; u < start.size(); ++u) {
    wx[u] = room.width * rng.uniform();
    wy[u] = room.length * rng.uniform();
  }
  for (size_t t = 1; t < static_cast<size_t>(slots); ++t) {
    if ((t & 255) == 0) check_interrupts();
    out.push_back(out.back());
    for (size_t u = 0; u < start.size(); ++u) {
      const User& prev = out[t - 1][u];
      User& cur = out[t][u];
      double left = step_m, x = prev.x, y = prev.y;
      // walk `left` metres along the waypoint path, drawing new waypoints on arrival
      for (int guard = 0; left > 0 && guard < 64; ++guard) {
        const double dx = wx[u] - x, dy = wy[u] - y, dist = std::sqrt(dx * dx + dy * dy);
        if (dist > left) {
          x += dx / dist * left;
          y += dy / dist * left;
          left = 0;
        } else {
          x = wx[u];
          y = wy[u];
          left -= dist;
          wx[u] = room.width * rng.uniform();
          wy[u] = room.length * rng.uniform();
        }
      }
      cur.x = std::clamp(x, 0.0, room.width);
      cur.y = std::clamp(y, 0.0, room.length);
    }
  }
  return out;
}

}  // namespace morpheus::vlc
