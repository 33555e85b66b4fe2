// Visible light communication (VLC) scheduling: Lambertian line-of-sight channel (receiver tilt, random blockage),
// noise, SINR of amorphous user-centric cells, rates; the decentralized stable-marriage protocols (user- and
// AP-proposing deferred acceptance with 1-bit messages, admission rules, a two-stage "a cell for every user"
// variant, a proportional-fair LED preference) and the centralized baselines; schedules over many slots with
// per-user averages, handovers and message costs. Science: shared/reference/vlc.md; our modelling choices are
// listed in docs/vlc.md.
#pragma once
#include "core/no_postgres.hpp"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "core/random.hpp"

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
  double power_w = 1.0;          // modulated optical power P_a at full brightness (dimming 1)
  double semi_angle_deg = 60.0;  // half-power semi-angle
};

struct User {
  std::int64_t id = 0;
  double x = 0, y = 0, z = 0.85;
  double fov_deg = 60.0;
  int quota = 0;           // maximum cell size |C_u|; 0 = no limit
  double tilt_deg = 0;     // receiver normal's angle from the vertical
  double azimuth_deg = 0;  // direction of the tilt in the x-y plane (0 = towards +x)
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
  // Dimming level in (0, 1]: every LED emits `dimming` times its full light as DC illumination, serving or not, and
  // its modulation swing (the modulated power) cannot exceed that bias: P_mod = dimming * power_w. Applied once to
  // the AP list by dimmed().
  double dimming = 1.0;
  // Probability that a line-of-sight link is blocked (H = 0) in a slot, independently per link and slot.
  double blockage_probability = 0.0;
};

// Checks geometry and parameters (finite, positive power, angles in (0, 90], distinct ids, inside the room, dimming
// in (0, 1], blockage in [0, 1)); throws invalid_parameter naming the row and the value.
void validate(const std::vector<Ap>& aps, const std::vector<User>& users, const Room& room, const Physics& ph);
// The APs with their modulated power scaled by ph.dimming.
std::vector<Ap> dimmed(std::vector<Ap> aps, const Physics& ph);

struct Link {
  int other;    // AP index (in by_user) or user index (in by_ap)
  double gain;  // H
};

// Line-of-sight channel, sparse: only visible, unblocked links (H > 0).
struct Channel {
  int num_aps = 0, num_users = 0;
  std::vector<std::vector<Link>> by_user;  // per user: visible APs sorted by gain descending (ties: lower index)
  std::vector<std::vector<Link>> by_ap;    // per AP: users that see it, sorted by gain descending
  std::vector<double> received_w;          // per user: total optical power from all (lit) APs, sum_a P_a H
  double gain(int ap, int user) const;     // 0 when not visible
};

// The channel of one slot. With blockage > 0, every visible link is blocked with that probability, drawn from
// `blockage_rng` (users in order, then their visible APs in AP order).
Channel make_channel(const std::vector<Ap>& aps, const std::vector<User>& users, const Receiver& rx,
                     double blockage = 0.0, Rng* blockage_rng = nullptr);

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
// add); groups on the same band interfere with each other (powers add). APs in no group only illuminate.
struct Plan {
  std::vector<std::vector<int>> cells;   // per user: serving APs C_u (empty = unserved)
  std::vector<int> group;                // per user: transmission group index, -1 if unserved
  std::vector<std::vector<int>> groups;  // APs of each group (a group may serve nobody: tdma_all's idle cells)
  std::vector<int> group_band;           // band of each group (0 .. bands-1)
  int bands = 1;                         // bandwidth per band = B / bands
};
// Single-band plan from amorphous cells: one group per served user.
Plan cells_plan(std::vector<std::vector<int>> cells);

struct UserResult {
  double signal = 0, interference = 0, noise = 0, sinr = 0, rate_bps = 0;
};

std::vector<UserResult> evaluate_plan(const Channel& ch, const std::vector<Ap>& aps, const Physics& ph,
                                      const Plan& plan);

// ---------------------------------------------------------------------------------------------------------------
// Matching. Deferred acceptance on explicit preference lists (indices of the other side, most preferred first;
// absent = unacceptable). Users hold up to quota[u] APs (0 = unlimited), each AP holds at most one user.
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

// ---------------------------------------------------------------------------------------------------------------
// Schedulers.
enum class Method {
  StableMarriage,    // users propose (deferred acceptance, 1-bit messages)
  StableMarriageAp,  // APs propose
  Tdma,              // strongest-AP association, round-robin per AP; only loaded cells transmit
  TdmaAll,           // the same, but every cell transmits in every slot (idle cells too)
  Reuse,             // tdma with the AP grid coloured into reuse_factor bands of B / reuse_factor
  ConflictGraph,     // multi-slot proportional-fair maximal independent set of non-overlapping users
  SingleUser,        // one user per slot (round robin) served by every AP it sees
  UserCentric,       // centralized distance-weighted greedy clusters with full CSI ("Users First" line of work)
  Exhaustive,        // single-slot sum-rate optimum by enumeration (small rooms)
};
Method parse_method(const std::string& name);  // unknown method "x" + valid values
std::string method_name(Method m);
std::string method_choices();  // "a, b, c"

enum class ApPreference { Gain, Random, ProportionalFair };
ApPreference parse_ap_preference(const std::string& name);
std::string ap_preference_name(ApPreference p);
enum class Variant { OneStage, TwoStage };
Variant parse_variant(const std::string& name);
std::string variant_name(Variant v);
NoiseModel parse_noise(const std::string& name);
RateForm parse_rate(const std::string& name);

struct Options {
  Method method = Method::StableMarriage;
  // stable-marriage protocol
  ApPreference ap_preference = ApPreference::Gain;
  Variant variant = Variant::OneStage;
  double admission_ratio = 0;  // a user proposes only to APs with H >= ratio * (its best H); 0 = every visible AP
  double min_link_snr_db = -std::numeric_limits<double>::infinity();  // an AP accepts only links this strong
  // proportional fairness: averages are exponential with window pf_window slots (weight 1 / pf_window)
  int pf_window = 10;
  int reuse_factor = 4;
  std::uint64_t seed = 1;
  double exhaustive_limit = 2e7;  // maximum number of AP->user maps the exhaustive search may enumerate
};
// Checks the option values (ratio in [0, 1], window >= 1, reuse factor 1..4, SNR threshold not NaN).
void validate_options(const Options& o);

// What a slot knows about the past (the defaults describe a first slot without history).
struct SlotContext {
  int slot = 1;                                             // 1-based slot number (round robin, random streams)
  const std::vector<double>* average_bps = nullptr;         // per user: proportional-fair average rate (NULL = 0)
  const std::vector<std::vector<int>>* previous = nullptr;  // per user: cells of the previous slot
  const std::vector<int>* previous_best = nullptr;          // per user: strongest AP of the previous slot (-1 none)
  bool channel_changed = true;                              // channel differs from the previous slot's
};

struct Schedule {
  Plan plan;
  std::vector<UserResult> users;
  std::int64_t messages = 0, bits = 0, rounds = 0;
  double compute_ms = 0;
};

// Runs the method for one slot (timing the scheduling decision only) and evaluates the resulting plan.
Schedule schedule(const Channel& ch, const std::vector<Ap>& aps, const std::vector<User>& users, const Physics& ph,
                  const Options& opt, const SlotContext& ctx = SlotContext{});

// The stable-marriage protocol alone (for tests): the cells, messages, bits and rounds of one slot under `opt`,
// with the preference lists it used.
struct ProtocolRun {
  std::vector<std::vector<int>> cells;
  std::vector<std::vector<int>> user_pref, ap_pref;  // full lists (after admission) used by the first stage
  std::vector<int> ap_user;
  std::vector<int> first_stage;  // two_stage: the AP -> user map after the quota-1 stage
  std::int64_t messages = 0, bits = 0, rounds = 0;
};
ProtocolRun stable_marriage(const Channel& ch, const std::vector<Ap>& aps, const std::vector<User>& users,
                            const Physics& ph, const Options& opt, const SlotContext& ctx);
// The 16-bit code of a rate sent with a proportional-fair proposal, and its decoded value.
std::uint16_t encode_rate(double bps);
double decode_rate(std::uint16_t code);

// Number of AP->user maps the exhaustive search enumerates (product over APs of 1 + users seeing it).
double exhaustive_size(const Channel& ch);

// ---------------------------------------------------------------------------------------------------------------
// Schedules over many slots.
struct SlotOutcome {
  int slot = 0;
  const Schedule* schedule = nullptr;
  const std::vector<double>* average_bps = nullptr;  // after this slot
  std::vector<char> handover;                        // per user
};

// Runs one method slot after slot, keeping each user's proportional-fair average, the last non-empty cell of each
// user (handovers), the strongest AP of each user (re-association) and time-averaged rates.
class Horizon {
 public:
  Horizon(const std::vector<Ap>& aps, const Physics& ph, const Options& opt, size_t users);
  // (aps must outlive the Horizon.) The next slot with the users at their positions for it (same users, same order
  // every slot).
  SlotOutcome step(const std::vector<User>& users, bool users_moved);
  int slots() const { return slot_; }
  const std::vector<double>& total_rate_bps() const { return total_rate_; }  // sum over slots, per user
  const std::vector<char>& ever_served() const { return ever_served_; }
  const std::vector<double>& averages() const { return average_; }
  // per-slot sums
  double served_sum = 0, lit_sum = 0, compute_ms_sum = 0;
  std::int64_t messages_sum = 0, bits_sum = 0, rounds_sum = 0, handovers_sum = 0;

 private:
  const std::vector<Ap>& aps_;
  Physics ph_;
  Options opt_;
  int slot_ = 0;
  Channel ch_;
  Schedule sched_;
  std::vector<double> average_, total_rate_;
  std::vector<char> ever_served_;
  std::vector<std::vector<int>> previous_, last_cell_;
  std::vector<int> previous_best_;
};

struct HorizonMetrics {
  double sum_rate_bps = 0, mean_rate_bps = 0, min_rate_bps = 0, p5_rate_bps = 0, jain = 0;
  double log_utility = 0;  // proportional-fair utility: mean over users of log10(max(time-averaged rate, 1 bit/s))
  double served_fraction_slot = 0, served_fraction = 0, lit_aps = 0;
  double messages = 0, bits = 0, rounds = 0, handovers = 0, compute_ms = 0;  // per slot
};
HorizonMetrics horizon_metrics(const Horizon& h);
double jain_index(const std::vector<double>& rates);
// Percentile p in [0, 100] with linear interpolation between order statistics (type 7); 0 for an empty vector.
double percentile(std::vector<double> v, double p);

// ---------------------------------------------------------------------------------------------------------------
// Rooms, drops and motion.
std::vector<Ap> grid_aps(int rows, int cols, const Room& room, double z);
std::vector<User> random_users(int n, std::uint64_t seed, const Room& room, double z);
// Random-waypoint motion: slot 1 is `start`; each user walks step_m per slot towards a uniform waypoint and draws a
// new one on arrival. Returns slots x users.
std::vector<std::vector<User>> random_walk(const std::vector<User>& start, int slots, double step_m, std::uint64_t seed,
                                           const Room& room);

// ---------------------------------------------------------------------------------------------------------------
// Statistics over drops.
// Two-sided 95% quantile of Student's t with df degrees of freedom (exact table to 30, series beyond).
double t_quantile_975(int df);
struct Interval {
  double estimate = 0, low = 0, high = 0;  // NaN bounds when undefined (fewer than 2 drops, zero denominator)
};
Interval mean_interval(const std::vector<double>& x);
// Ratio of means mean(x) / mean(y) over paired drops, 95% interval by the delta method.
Interval ratio_interval(const std::vector<double>& x, const std::vector<double>& y);

// Monte Carlo over seeded uniform drops: every configuration runs on the same drops (same users, motion and
// blockage), for `slots` slots. Returns per configuration the per-drop metrics.
struct DropSetup {
  int users = 10, drops = 100, slots = 1;
  double user_z = 0.85, fov_deg = 60, tilt_deg = 0, step_m = 0;
  int quota = 0;
  std::uint64_t seed = 1;
};
std::vector<std::vector<HorizonMetrics>> monte_carlo(const std::vector<Ap>& aps, const Room& room, const Physics& ph,
                                                     const std::vector<Options>& configs, const DropSetup& setup);
// Names and values of the metrics reported by vlc_compare, in order.
const std::vector<std::string>& metric_names();
std::vector<double> metric_values(const HorizonMetrics& m);

// ---------------------------------------------------------------------------------------------------------------
// Operator reports.
struct CoverageRow {
  std::vector<int> aps;   // visible APs, strongest first
  double best_snr = 0;    // SNR from the strongest AP alone (no interference)
  double all_snr = 0;     // SNR with every visible AP serving the user (no interference)
  int overlap_users = 0;  // other users sharing at least one visible AP
};
std::vector<CoverageRow> coverage(const Channel& ch, const std::vector<Ap>& aps, const Physics& ph);

struct PlanningRow {
  double fov_deg = 0;
  int leds_per_side = 0;
  double pitch_m = 0, mean_rate_bps = 0, p5_rate_bps = 0, fraction_at_target = 0;
  bool meets_target = false;
};
// For every FOV and square LED grid: time-averaged per-user rates pooled over drops; meets_target when the 5th
// percentile reaches target_bps.
std::vector<PlanningRow> planning_sweep(const std::vector<double>& fovs, const std::vector<int>& leds_per_side,
                                        const Room& room, double led_z, const Physics& ph, const Options& opt,
                                        const DropSetup& setup, double target_bps);

}  // namespace morpheus::vlc
