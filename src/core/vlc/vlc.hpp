// Visible light communication (VLC) scheduling: Lambertian line-of-sight channel, noise, SINR of amorphous
// user-centric cells, rates, the decentralized stable-marriage schedulers (user- and AP-proposing deferred
// acceptance with 1-bit messages) and the centralized baselines. Science: shared/reference/vlc.md.
#pragma once
#include "core/no_postgres.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace morpheus::vlc {

constexpr double kPi = 3.14159265358979323846;
constexpr double kElectronCharge = 1.602176634e-19;  // C
constexpr double kBoltzmann = 1.380649e-23;          // J/K

// Lambertian order m = -ln 2 / ln(cos semi_angle); semi_angle in radians, in (0, pi/2).
double lambertian_order(double semi_angle_rad);
// Ideal non-imaging concentrator gain n^2 / sin^2(fov) (for incidence within the FOV).
double concentrator_gain(double refractive_index, double fov_rad);

struct Receiver {
  double area_m2 = 1e-4;          // photodiode area A
  double filter_gain = 1.0;       // optical filter gain T_s
  double refractive_index = 1.5;  // concentrator lens index n
  double responsivity = 0.53;     // R_pd, A/W
};

// DC gain of one LED-photodiode link: (m+1) A / (2 pi d^2) cos^m(phi) T_s g(psi) cos(psi) for psi <= fov, else 0.
// cos_phi / cos_psi are the cosines of the irradiance and incidence angles, d the distance (m).
double los_gain(double d, double cos_phi, double cos_psi, double m, double fov_rad, const Receiver& rx);

struct Ap {
  std::int64_t id = 0;
  double x = 0, y = 0, z = 3.0;
  double power_w = 1.0;          // modulated optical power P_a
  double semi_angle_deg = 60.0;  // half-power semi-angle
};

struct User {
  std::int64_t id = 0;
  double x = 0, y = 0, z = 0.85;
  double fov_deg = 60.0;
  int quota = 0;  // maximum cell size |C_u|; 0 = no limit
};

struct Room {
  double width = 5, length = 5, height = 3;
};

enum class NoiseModel { Simple, Komine };
enum class RateForm { Shannon, IntensityBound };

struct Physics {
  Receiver rx;
  double bandwidth_hz = 20e6;
  NoiseModel noise = NoiseModel::Simple;
  double n0 = 1e-21;  // A^2/Hz, simple model
  // Komine & Nakagawa receiver (SI units)
  double temperature_k = 295;
  double capacitance_f_per_m2 = 1.12e-6;  // 112 pF/cm^2
  double background_current_a = 5100e-6;
  double i2 = 0.562, i3 = 0.0868;
  double open_loop_gain = 10, fet_gamma = 1.5, transconductance_s = 30e-3;
  RateForm rate = RateForm::Shannon;
};

// Checks geometry and parameters (finite, positive power, angles in (0, 90], distinct ids, inside the room); throws
// invalid_parameter naming the row and the value.
void validate(const std::vector<Ap>& aps, const std::vector<User>& users, const Room& room, const Physics& ph);

struct Link {
  int other;    // AP index (in by_user) or user index (in by_ap)
  double gain;  // H
};

// Line-of-sight channel, sparse: only visible links (H > 0).
struct Channel {
  int num_aps = 0, num_users = 0;
  std::vector<std::vector<Link>> by_user;  // per user: visible APs sorted by gain descending (ties: lower index)
  std::vector<std::vector<Link>> by_ap;    // per AP: users that see it, sorted by gain descending
  std::vector<double> received_w;          // per user: total optical power from all (lit) APs, sum_a P_a H
  double gain(int ap, int user) const;     // 0 when not visible
};

Channel make_channel(const std::vector<Ap>& aps, const std::vector<User>& users, const Receiver& rx);

// Geometry of one link, for reporting.
struct LinkGeometry {
  double distance_m, irradiance_deg, incidence_deg, gain;
};
LinkGeometry link_geometry(const Ap& a, const User& u, const Receiver& rx);

// Noise variance (A^2) for a receiver getting `received_w` optical power, at `bandwidth_hz`.
double noise_variance(const Physics& ph, double received_w, double bandwidth_hz);
struct KomineNoise {
  double thermal_feedback, thermal_fet, background_shot, signal_shot;
};
KomineNoise komine_noise_terms(const Physics& ph, double received_w, double bandwidth_hz);

double rate_bps(const Physics& ph, double sinr, double bandwidth_hz);

// A per-slot transmission plan. Each group is a set of APs transmitting one user's signal synchronously (amplitudes
// add); groups on the same band interfere with each other (powers add). APs in no group are dark (illumination only).
struct Plan {
  std::vector<std::vector<int>> cells;   // per user: serving APs C_u (empty = unserved)
  std::vector<int> group;                // per user: transmission group index, -1 if unserved
  std::vector<std::vector<int>> groups;  // APs of each group
  std::vector<int> group_band;           // band of each group (0 .. bands-1)
  int bands = 1;                         // bandwidth per band = B / bands
  std::vector<double> time_share;        // per user: fraction of slots the user is served (TDMA)
};

struct UserResult {
  double signal = 0, interference = 0, noise = 0, sinr = 0, rate_bps = 0;
};

std::vector<UserResult> evaluate_plan(const Channel& ch, const std::vector<Ap>& aps, const Physics& ph,
                                      const Plan& plan);

// Deferred acceptance on explicit preference lists (indices of the other side, most preferred first; absent =
// unacceptable). Users hold up to quota[u] APs (0 = unlimited), each AP holds at most one user.
struct Matching {
  std::vector<int> ap_user;                // per AP: user index or -1
  std::vector<std::vector<int>> user_aps;  // per user: held APs, in the user's preference order
  std::int64_t proposals = 0, messages = 0, rounds = 0;
};
// Whether a user holding `held` APs may take another under its quota (0 = unlimited).
inline bool has_room(size_t held, int quota) { return quota <= 0 || held < static_cast<size_t>(quota); }
Matching deferred_acceptance_users(const std::vector<std::vector<int>>& user_pref,
                                   const std::vector<std::vector<int>>& ap_pref, const std::vector<int>& quota);
Matching deferred_acceptance_aps(const std::vector<std::vector<int>>& user_pref,
                                 const std::vector<std::vector<int>>& ap_pref, const std::vector<int>& quota);
// Blocking pairs (ap, user) of a matching under the given preferences (brute force over all pairs).
std::vector<std::pair<int, int>> blocking_pairs(const std::vector<std::vector<int>>& user_pref,
                                                const std::vector<std::vector<int>>& ap_pref,
                                                const std::vector<int>& quota, const std::vector<int>& ap_user);

enum class Method { StableMarriage, StableMarriageAp, Greedy, Tdma, Reuse, Exhaustive, ConflictGraph };
const std::vector<std::string>& method_names();
Method parse_method(const std::string& name);  // invalid_parameter listing valid names
std::string method_name(Method m);

enum class ApPreference { Gain, Random };
ApPreference parse_ap_preference(const std::string& name);

struct Options {
  Method method = Method::StableMarriage;
  ApPreference ap_preference = ApPreference::Gain;
  int reuse_factor = 4;
  std::uint64_t seed = 1;
  double exhaustive_limit = 2e7;  // maximum number of AP->user maps the exhaustive search may enumerate
};

struct Schedule {
  Plan plan;
  std::vector<UserResult> users;
  std::int64_t messages = 0, rounds = 0;
  double compute_ms = 0;
};

// Runs the method (timing the scheduling decision only) and evaluates the resulting plan.
Schedule schedule(const Channel& ch, const std::vector<Ap>& aps, const std::vector<User>& users, const Physics& ph,
                  const Options& opt);

struct Summary {
  double sum_rate_bps = 0, mean_rate_bps = 0, min_rate_bps = 0, jain = 0, served_fraction = 0;
  int active_aps = 0;
  std::int64_t messages = 0, rounds = 0;
  double compute_ms = 0;
};
double jain_index(const std::vector<double>& rates);
Summary summarize(const Schedule& s);

// Number of AP->user maps the exhaustive search enumerates (product over APs of 1 + users seeing it).
double exhaustive_size(const Channel& ch);

// Deterministic generator (splitmix64) for drops and random preferences: same seed, same numbers on every platform.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed * 0x9E3779B97F4A7C15ULL + 0x632BE59BD9B4E5ULL) {}
  std::uint64_t next();
  double uniform() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }

 private:
  std::uint64_t state_;
};

std::vector<Ap> grid_aps(int rows, int cols, const Room& room, double z);
std::vector<User> random_users(int n, std::uint64_t seed, const Room& room, double z);

struct CompareRow {
  Method method;
  int drops = 0;
  double sum_rate_bps = 0, sum_rate_sd_bps = 0, mean_rate_bps = 0, min_rate_bps = 0, jain = 0, served_fraction = 0;
  double messages = 0, rounds = 0, compute_ms = 0;
};
// Monte Carlo: `drops` uniform user drops of `n_users` users at height z in the room, every method on each drop.
std::vector<CompareRow> compare(const std::vector<Ap>& aps, int n_users, int drops, const std::vector<Method>& methods,
                                const Room& room, double user_z, double fov_deg, int quota, const Physics& ph,
                                const Options& base);

}  // namespace morpheus::vlc
