// SQL entry points of the VLC scheduling module: vlc_channel, vlc_schedule, vlc_schedule_slots, vlc_evaluate,
// vlc_step (a scheduling job's slot, state in the caller's table), vlc_compare, vlc_coverage, vlc_planning_sweep,
// vlc_grid_aps, vlc_random_users, vlc_random_walk. AP, user and trajectory tables arrive as query texts read through
// the relation reader (spi_query.hpp). Arguments are found by name (the functions have up to 40 named arguments with
// defaults).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "core/vlc/vlc.hpp"
#include "pg/arrays.hpp"
#include "pg/guard.hpp"
#include "pg/spi_query.hpp"
#include "pg/srf.hpp"

extern "C" {
#include "utils/lsyscache.h"
#include "utils/syscache.h"
}

namespace morpheus::pg {
namespace {

using namespace morpheus::vlc;

// The arguments of the calling function, by name (from pg_proc.proargnames).
class Args {
 public:
  explicit Args(FunctionCallInfo fcinfo) : fcinfo_(fcinfo) {
    const Oid fn = fcinfo->flinfo->fn_oid;
    char** names = nullptr;
    int n = 0;
    pg_call([fn, &names, &n] {
      HeapTuple tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(fn));
      if (!HeapTupleIsValid(tup)) elog(ERROR, "cache lookup failed for function %u", fn);
      Oid* types = nullptr;
      char* modes = nullptr;
      n = get_func_arg_info(tup, &types, &names, &modes);
      ReleaseSysCache(tup);
    });
    for (int i = 0; i < n && names != nullptr; ++i)
      if (i < fcinfo->nargs) index_[names[i]] = i;
  }
  bool has(const char* name) const { return index_.count(name) > 0; }
  bool is_null(const char* name) const { return fcinfo_->args[at(name)].isnull; }
  double f8(const char* name) const { return float_arg(fcinfo_, at(name), name); }
  // NULL gives `fallback`; NaN and infinities are refused.
  double f8_or(const char* name, double fallback) const { return is_null(name) ? fallback : f8(name); }
  int i4(const char* name) const { return int_arg(fcinfo_, at(name), name); }
  std::string text(const char* name) const { return string_arg(fcinfo_, at(name), name); }
  std::vector<std::string> texts(const char* name) const { return text_array_arg(fcinfo_, at(name), name); }
  int at(const char* name) const {
    auto it = index_.find(name);
    if (it == index_.end()) throw Error(ErrorKind::Internal, std::string("vlc: no argument named ") + name);
    return it->second;
  }
  FunctionCallInfo fcinfo() const { return fcinfo_; }

 private:
  FunctionCallInfo fcinfo_;
  std::map<std::string, int> index_;
};

// Room, emitters and receivers: room_width_m, room_length_m, room_height_m, power_w, semi_angle_deg, fov_deg,
// tilt_deg, area_m2, filter_gain, refractive_index, responsivity; the link (when the function has it): bandwidth_hz,
// noise, n0, rate, dimming, blockage_probability.
struct Setup {
  Room room;
  Physics ph;
  double power_w = 1, semi_angle_deg = 60, fov_deg = 60, tilt_deg = 0;
};

Setup setup_args(const Args& a) {
  Setup s;
  auto get = [&](const char* name, double& out) {
    if (a.has(name)) out = a.f8(name);
  };
  get("room_width_m", s.room.width);
  get("room_length_m", s.room.length);
  get("room_height_m", s.room.height);
  get("power_w", s.power_w);
  get("semi_angle_deg", s.semi_angle_deg);
  get("fov_deg", s.fov_deg);
  get("tilt_deg", s.tilt_deg);
  get("area_m2", s.ph.rx.area_m2);
  get("filter_gain", s.ph.rx.filter_gain);
  get("refractive_index", s.ph.rx.refractive_index);
  get("responsivity", s.ph.rx.responsivity);
  get("bandwidth_hz", s.ph.bandwidth_hz);
  if (a.has("noise")) s.ph.noise = parse_noise(a.text("noise"));
  get("n0", s.ph.n0);
  if (a.has("rate_model")) s.ph.rate = parse_rate(a.text("rate_model"));
  get("dimming", s.ph.dimming);
  get("blockage_probability", s.ph.blockage_probability);
  return s;
}

int quota_arg(const Args& a) {
  if (a.is_null("quota")) return 0;
  const int q = a.i4("quota");
  if (q < 0)
    throw invalid_parameter("quota must be >= 0 or NULL; got " + std::to_string(q),
                            "quota is the maximum number of APs serving one user; NULL or 0 means no limit");
  return q;
}

// method, ap_preference, variant, admission_ratio, min_link_snr_db, pf_window, reuse_factor, seed (those present).
Options options_args(const Args& a) {
  Options o;
  if (a.has("method")) o.method = parse_method(a.text("method"));
  o.ap_preference = parse_ap_preference(a.text("ap_preference"));
  o.variant = parse_variant(a.text("variant"));
  o.admission_ratio = a.f8("admission_ratio");
  if (!a.is_null("min_link_snr_db")) o.min_link_snr_db = a.f8("min_link_snr_db");
  if (a.has("pf_window")) o.pf_window = a.i4("pf_window");
  if (a.has("reuse_factor")) o.reuse_factor = a.i4("reuse_factor");
  o.seed = static_cast<std::uint64_t>(static_cast<std::int64_t>(a.i4("seed")));
  validate_options(o);
  return o;
}

std::int64_t checked_id(std::int64_t id, const char* query) {
  if (id < std::numeric_limits<std::int32_t>::min() || id > std::numeric_limits<std::int32_t>::max())
    throw out_of_range(std::string(query) + " returned id " + std::to_string(id) + ", outside the int range",
                       "ids must fit in int (32 bits)");
  return id;
}

// Value of an optional numeric column at row r, or `fallback` when the column is absent or NULL.
double optional(const QueryTable& t, const char* name, std::int64_t r, double fallback) {
  if (!t.has(name)) return fallback;
  const ColumnData& c = t.column(name);
  if (!c.present || c.is_null[static_cast<size_t>(r)]) return fallback;
  return c.type == ColumnType::Integer ? static_cast<double>(c.ints[static_cast<size_t>(r)])
                                       : c.num[static_cast<size_t>(r)];
}

std::vector<Ap> read_aps(const std::string& sql, const Setup& s) {
  const QueryTable t = read_query(sql, "ap_sql",
                                  {{"id", ColumnType::Integer},
                                   {"x_m", ColumnType::Float},
                                   {"y_m", ColumnType::Float},
                                   {"z_m", ColumnType::Float, false},
                                   {"power_w", ColumnType::Float, false},
                                   {"semi_angle_deg", ColumnType::Float, false}});
  for (const char* c : {"id", "x_m", "y_m"}) t.require_no_nulls(c, "ap_sql");
  std::vector<Ap> aps(static_cast<size_t>(t.rows));
  for (std::int64_t r = 0; r < t.rows; ++r) {
    Ap& a = aps[static_cast<size_t>(r)];
    a.id = checked_id(t.column("id").ints[static_cast<size_t>(r)], "ap_sql");
    a.x = t.column("x_m").num[static_cast<size_t>(r)];
    a.y = t.column("y_m").num[static_cast<size_t>(r)];
    a.z = optional(t, "z_m", r, s.room.height);
    a.power_w = optional(t, "power_w", r, s.power_w);
    a.semi_angle_deg = optional(t, "semi_angle_deg", r, s.semi_angle_deg);
  }
  return aps;
}

// Users; with positions_required false (a trajectory gives the positions) x_m and y_m may be absent.
std::vector<User> read_users(const std::string& sql, const Setup& s, int quota, bool positions_required = true) {
  const QueryTable t = read_query(sql, "user_sql",
                                  {{"id", ColumnType::Integer},
                                   {"x_m", ColumnType::Float, positions_required},
                                   {"y_m", ColumnType::Float, positions_required},
                                   {"z_m", ColumnType::Float, false},
                                   {"fov_deg", ColumnType::Float, false},
                                   {"quota", ColumnType::Integer, false},
                                   {"tilt_deg", ColumnType::Float, false},
                                   {"azimuth_deg", ColumnType::Float, false}});
  t.require_no_nulls("id", "user_sql");
  if (positions_required)
    for (const char* c : {"x_m", "y_m"}) t.require_no_nulls(c, "user_sql");
  std::vector<User> users(static_cast<size_t>(t.rows));
  for (std::int64_t r = 0; r < t.rows; ++r) {
    User& u = users[static_cast<size_t>(r)];
    u.id = checked_id(t.column("id").ints[static_cast<size_t>(r)], "user_sql");
    u.x = optional(t, "x_m", r, 0.0);
    u.y = optional(t, "y_m", r, 0.0);
    u.z = optional(t, "z_m", r, 0.85);
    u.fov_deg = optional(t, "fov_deg", r, s.fov_deg);
    u.tilt_deg = optional(t, "tilt_deg", r, s.tilt_deg);
    u.azimuth_deg = optional(t, "azimuth_deg", r, 0.0);
    const double q = optional(t, "quota", r, quota);
    if (q < 0 || q > 1e6)
      throw invalid_parameter(
          "user id " + std::to_string(u.id) + " has quota = " + std::to_string(q) + "; it must be in [0, 1000000]",
          "quota is the maximum number of APs serving the user; 0 or NULL means no limit");
    u.quota = static_cast<int>(q);
  }
  return users;
}

int slots_arg(const Args& a) {
  const int t = a.i4("slots");
  if (t < 1 || t > 1000000)
    throw invalid_parameter("slots must be in [1, 1000000]; got " + std::to_string(t),
                            "the number of time slots to schedule, e.g. 20");
  return t;
}

// Positions of every user in every slot 1..slots from trajectory_sql (slot, id, x_m, y_m [, z_m]); a missing
// (user, slot) is an error naming both.
std::vector<std::vector<User>> read_trajectory(const std::string& sql, const std::vector<User>& users, int slots) {
  const double cells = static_cast<double>(slots) * static_cast<double>(users.size());
  if (cells > 5e7)
    throw Error(ErrorKind::LimitExceeded,
                "a trajectory of " + std::to_string(slots) + " slots x " + std::to_string(users.size()) +
                    " users is over the limit of 5e7 positions",
                "schedule fewer slots or users per call");
  const QueryTable t = read_query(sql, "trajectory_sql",
                                  {{"slot", ColumnType::Integer},
                                   {"id", ColumnType::Integer},
                                   {"x_m", ColumnType::Float},
                                   {"y_m", ColumnType::Float},
                                   {"z_m", ColumnType::Float, false}});
  for (const char* c : {"slot", "id", "x_m", "y_m"}) t.require_no_nulls(c, "trajectory_sql");
  std::map<std::int64_t, size_t> index;
  for (size_t u = 0; u < users.size(); ++u) index[users[u].id] = u;
  std::vector<std::vector<User>> pos(static_cast<size_t>(slots), users);
  std::vector<char> seen(static_cast<size_t>(cells), 0);
  for (std::int64_t r = 0; r < t.rows; ++r) {
    const std::int64_t slot = t.column("slot").ints[static_cast<size_t>(r)];
    const std::int64_t id = t.column("id").ints[static_cast<size_t>(r)];
    if (slot < 1 || slot > slots) continue;  // positions outside the horizon are not needed
    auto it = index.find(id);
    if (it == index.end())
      throw invalid_parameter("trajectory_sql has id " + std::to_string(id) + ", which user_sql does not return",
                              "every trajectory id must be a user of user_sql");
    const size_t cell = static_cast<size_t>(slot - 1) * users.size() + it->second;
    if (seen[cell])
      throw invalid_parameter(
          "trajectory_sql has user id " + std::to_string(id) + " twice in slot " + std::to_string(slot),
          "give one position per user and slot");
    seen[cell] = 1;
    User& u = pos[static_cast<size_t>(slot - 1)][it->second];
    u.x = t.column("x_m").num[static_cast<size_t>(r)];
    u.y = t.column("y_m").num[static_cast<size_t>(r)];
    u.z = optional(t, "z_m", r, u.z);
  }
  for (size_t s = 0; s < static_cast<size_t>(slots); ++s)
    for (size_t u = 0; u < users.size(); ++u)
      if (!seen[s * users.size() + u])
        throw invalid_parameter("trajectory_sql has no position of user id " + std::to_string(users[u].id) +
                                    " in slot " + std::to_string(s + 1),
                                "a trajectory must give every user a position in every slot 1 .. slots");
  return pos;
}

Datum f8(double v) { return Float8GetDatum(v); }
Datum i4(std::int64_t v) { return Int32GetDatum(static_cast<std::int32_t>(v)); }

Datum ap_ids_datum(const std::vector<Ap>& aps, const std::vector<int>& cell) {
  std::vector<std::int32_t> ids;
  for (int a : cell) ids.push_back(static_cast<std::int32_t>(aps[static_cast<size_t>(a)].id));
  return int4_array_datum(ids.data(), static_cast<std::int64_t>(ids.size()), "ap_ids");
}

// vlc_channel(ap_sql, user_sql, <room and receivers>)
Datum channel_body(FunctionCallInfo fcinfo) {
  const Args a(fcinfo);
  const std::string ap_sql = a.text("ap_sql"), user_sql = a.text("user_sql");
  const Setup s = setup_args(a);
  const std::vector<Ap> aps = read_aps(ap_sql, s);
  const std::vector<User> users = read_users(user_sql, s, 0);
  validate(aps, users, s.room, s.ph);
  SrfWriter w(fcinfo);
  Datum v[7];
  bool n[7] = {false, false, false, false, false, false, false};
  for (const Ap& ap : aps) {
    check_interrupts();
    for (const User& u : users) {
      const LinkGeometry g = link_geometry(ap, u, s.ph.rx);
      v[0] = i4(ap.id);
      v[1] = i4(u.id);
      v[2] = f8(g.distance_m);
      v[3] = f8(g.irradiance_deg);
      v[4] = f8(g.incidence_deg);
      v[5] = f8(g.gain);
      v[6] = BoolGetDatum(g.gain > 0);
      w.put(v, n);
    }
  }
  return Datum(0);
}

// Everything a schedule over slots needs, read from the arguments and the queries.
struct Run {
  Setup setup;
  Options opt;
  std::vector<Ap> aps;  // dimmed
  std::vector<User> users;
  std::vector<std::vector<User>> positions;  // slots x users, or one entry when nobody moves
  int slots = 1;
};

Run run_args(const Args& a, bool with_slots) {
  Run r;
  const std::string ap_sql = a.text("ap_sql"), user_sql = a.text("user_sql");
  r.opt = options_args(a);
  const int quota = quota_arg(a);
  r.setup = setup_args(a);
  if (with_slots) r.slots = slots_arg(a);
  const bool trajectory = a.has("trajectory_sql") && !a.is_null("trajectory_sql");
  const std::vector<Ap> raw = read_aps(ap_sql, r.setup);
  r.users = read_users(user_sql, r.setup, quota, !trajectory);
  if (trajectory) {
    r.positions = read_trajectory(a.text("trajectory_sql"), r.users, r.slots);
    for (const auto& p : r.positions) validate(raw, p, r.setup.room, r.setup.ph);
  } else {
    validate(raw, r.users, r.setup.room, r.setup.ph);
    r.positions = {r.users};
  }
  r.aps = dimmed(raw, r.setup.ph);
  return r;
}

// vlc_schedule: one slot, with signal, interference and noise.
Datum schedule_body(FunctionCallInfo fcinfo) {
  const Args a(fcinfo);
  const Run r = run_args(a, false);
  Rng blockage = Rng::stream(r.opt.seed, 1, 0xB10C);
  const Channel ch = make_channel(r.aps, r.users, r.setup.ph.rx, r.setup.ph.blockage_probability, &blockage);
  const Schedule sched = schedule(ch, r.aps, r.users, r.setup.ph, r.opt);
  SrfWriter w(fcinfo);
  Datum v[8];
  bool n[8] = {};
  for (size_t u = 0; u < r.users.size(); ++u) {
    const UserResult& res = sched.users[u];
    v[0] = i4(r.users[u].id);
    v[1] = ap_ids_datum(r.aps, sched.plan.cells[u]);
    v[2] = f8(res.signal);
    v[3] = f8(res.interference);
    v[4] = f8(res.noise);
    v[5] = f8(res.sinr);
    n[6] = !(res.sinr > 0);
    v[6] = f8(n[6] ? 0.0 : 10.0 * std::log10(res.sinr));
    v[7] = f8(res.rate_bps);
    w.put(v, n);
  }
  return Datum(0);
}

// Runs the horizon; `on_slot` sees every slot.
template <class F>
Horizon run_horizon(const Run& r, F on_slot) {
  Horizon h(r.aps, r.setup.ph, r.opt, r.users.size());
  for (int t = 0; t < r.slots; ++t) {
    const size_t i = std::min(static_cast<size_t>(t), r.positions.size() - 1);
    const SlotOutcome o = h.step(r.positions[i], r.positions.size() > 1 && t > 0);
    on_slot(o);
  }
  return h;
}

// vlc_schedule_slots: (slot, user_id, ap_ids, sinr_db, rate_bps, average_rate_bps, handover) for every slot.
Datum schedule_slots_body(FunctionCallInfo fcinfo) {
  const Args a(fcinfo);
  const Run r = run_args(a, true);
  SrfWriter w(fcinfo);
  run_horizon(r, [&](const SlotOutcome& o) {
    for (size_t u = 0; u < r.users.size(); ++u) {
      const UserResult& res = o.schedule->users[u];
      Datum v[7];
      bool n[7] = {};
      v[0] = i4(o.slot);
      v[1] = i4(r.users[u].id);
      v[2] = ap_ids_datum(r.aps, o.schedule->plan.cells[u]);
      n[3] = !(res.sinr > 0);
      v[3] = f8(n[3] ? 0.0 : 10.0 * std::log10(res.sinr));
      v[4] = f8(res.rate_bps);
      v[5] = f8((*o.average_bps)[u]);
      v[6] = BoolGetDatum(o.handover[u] != 0);
      w.put(v, n);
    }
  });
  return Datum(0);
}

// vlc_evaluate: one row of horizon metrics.
Datum evaluate_body(FunctionCallInfo fcinfo) {
  const Args a(fcinfo);
  const Run r = run_args(a, true);
  const Horizon h = run_horizon(r, [](const SlotOutcome&) {});
  const HorizonMetrics m = horizon_metrics(h);
  SrfWriter w(fcinfo);
  Datum v[15] = {i4(static_cast<std::int64_t>(r.users.size())),
                 i4(static_cast<std::int64_t>(r.aps.size())),
                 f8(m.sum_rate_bps),
                 f8(m.mean_rate_bps),
                 f8(m.min_rate_bps),
                 f8(m.p5_rate_bps),
                 f8(m.jain),
                 f8(m.served_fraction_slot),
                 f8(m.served_fraction),
                 f8(m.lit_aps),
                 f8(m.messages),
                 f8(m.bits),
                 f8(m.rounds),
                 f8(m.handovers),
                 f8(m.compute_ms)};
  bool n[15] = {};
  w.put(v, n);
  return Datum(0);
}

// The state a scheduling job keeps per user in the caller's table (vlc_step).
struct StoredUser {
  double average = 0;
  std::vector<int> last;  // last non-empty serving set (AP ids)
};

constexpr const char* kStateHint =
    "create it as CREATE TABLE <name>(user_id int PRIMARY KEY, slot int, ap_ids int[], last_ap_ids int[], "
    "average_rate_bps float8)";

// SPI_connect on construction, SPI_finish by finish(); on an error the transaction abort cleans SPI up.
class Spi {
 public:
  Spi() {
    if (pg_call([] { return SPI_connect(); }) != SPI_OK_CONNECT) throw Error(ErrorKind::Internal, "SPI_connect failed");
  }
  Spi(const Spi&) = delete;
  Spi& operator=(const Spi&) = delete;
  void finish() {
    pg_call([] { SPI_finish(); });
  }
  // Runs `sql` with parameters (types, values, nulls as in SPI_execute_with_args); returns SPI's result code.
  int run(const std::string& sql, int n, Oid* types, Datum* values, const char* nulls, bool read_only) {
    const char* q = sql.c_str();
    return pg_call([q, n, types, values, nulls, read_only] {
      return SPI_execute_with_args(q, n, types, values, nulls, read_only, 0);
    });
  }
};

std::vector<int> int_array_values(Datum d) {
  ArrayType* a = pg_call([d] { return DatumGetArrayTypeP(d); });
  Datum* elems = nullptr;
  bool* nulls = nullptr;
  int n = 0;
  pg_call([a, &elems, &nulls, &n] { deconstruct_array(a, INT4OID, 4, true, TYPALIGN_INT, &elems, &nulls, &n); });
  std::vector<int> out;
  for (int i = 0; i < n; ++i)
    if (!nulls[i]) out.push_back(DatumGetInt32(elems[i]));
  std::sort(out.begin(), out.end());
  return out;
}

// vlc_step(ap_sql, user_sql, state_table, ...): one slot of a scheduling job. Reads the users' proportional-fair
// averages and last serving sets from state_table (locked for the step), schedules slot max(slot) + 1, writes the
// new state back (which LEDs serve whom now) and returns the slot. The queries and the table resolve with the
// caller's search_path and run with the caller's rights; the statements on the table use qualified names and
// pg_catalog operators only.
Datum step_body(FunctionCallInfo fcinfo) {
  const Args a(fcinfo);
  if (a.is_null("state_table"))
    throw Error(ErrorKind::NullValue, "state_table must not be NULL",
                "name the table that keeps the schedule's state, e.g. state_table => 'vlc_state'");
  const Oid rel = DatumGetObjectId(fcinfo->args[a.at("state_table")].value);
  const Run r = run_args(a, false);
  const char* nsp = pg_call([rel] { return get_namespace_name(get_rel_namespace(rel)); });
  const char* relname = pg_call([rel] { return get_rel_name(rel); });
  if (nsp == nullptr || relname == nullptr)
    throw invalid_parameter("state_table (oid " + std::to_string(rel) + ") is not a relation", kStateHint);
  const std::string table = pg_call([nsp, relname] { return quote_qualified_identifier(nsp, relname); });
  std::string missing;
  for (const char* c : {"user_id", "slot", "ap_ids", "last_ap_ids", "average_rate_bps"})
    if (pg_call([rel, c] { return get_attnum(rel, c); }) == InvalidAttrNumber)
      missing += (missing.empty() ? "" : ", ") + std::string(c);
  if (!missing.empty())
    throw Error(ErrorKind::UndefinedColumn, "state_table " + table + " has no column " + missing, kStateHint);

  Spi spi;
  spi.run("LOCK TABLE " + table + " IN SHARE ROW EXCLUSIVE MODE", 0, nullptr, nullptr, nullptr, false);
  spi.run("SELECT user_id::int4, slot::int4, average_rate_bps::float8, last_ap_ids::int4[] FROM " + table, 0, nullptr,
          nullptr, nullptr, false);
  std::map<std::int64_t, StoredUser> stored;
  int last_slot = 0;
  {
    SPITupleTable* tt = SPI_tuptable;
    const std::uint64_t rows = SPI_processed;
    for (std::uint64_t i = 0; i < rows; ++i) {
      HeapTuple tup = tt->vals[i];
      TupleDesc desc = tt->tupdesc;
      bool null = false;
      const Datum id = pg_call([tup, desc, &null] { return SPI_getbinval(tup, desc, 1, &null); });
      if (null) continue;
      StoredUser& su = stored[DatumGetInt32(id)];
      const Datum slot = pg_call([tup, desc, &null] { return SPI_getbinval(tup, desc, 2, &null); });
      if (!null) last_slot = std::max(last_slot, static_cast<int>(DatumGetInt32(slot)));
      const Datum avg = pg_call([tup, desc, &null] { return SPI_getbinval(tup, desc, 3, &null); });
      if (!null && std::isfinite(DatumGetFloat8(avg))) su.average = std::max(DatumGetFloat8(avg), 0.0);
      const Datum last = pg_call([tup, desc, &null] { return SPI_getbinval(tup, desc, 4, &null); });
      if (!null) su.last = int_array_values(last);
    }
  }
  if (last_slot >= 1000000000)
    throw invalid_parameter("state_table " + table + " is at slot " + std::to_string(last_slot),
                            "start a new job with an empty table");
  const int slot = last_slot + 1;

  // the slot: numbered like vlc_schedule_slots, so a job and a batch run of the same users agree
  std::vector<double> start(r.users.size(), 0.0);
  for (size_t u = 0; u < r.users.size(); ++u) {
    auto it = stored.find(r.users[u].id);
    if (it != stored.end()) start[u] = it->second.average;
  }
  SlotContext ctx;
  ctx.slot = slot;
  ctx.average_bps = &start;
  Rng blockage = Rng::stream(r.opt.seed, static_cast<std::uint64_t>(slot), 0xB10C);
  const Channel ch = make_channel(r.aps, r.users, r.setup.ph.rx, r.setup.ph.blockage_probability, &blockage);
  const Schedule sched = schedule(ch, r.aps, r.users, r.setup.ph, r.opt, ctx);
  const double beta = 1.0 / r.opt.pf_window;

  struct Row {
    std::int64_t id;
    std::vector<std::int32_t> aps;
    double sinr, rate, average;
    bool handover;
  };
  std::vector<Row> rows;
  for (size_t u = 0; u < r.users.size(); ++u) {
    Row row;
    row.id = r.users[u].id;
    for (int ap : sched.plan.cells[u]) row.aps.push_back(static_cast<std::int32_t>(r.aps[static_cast<size_t>(ap)].id));
    row.sinr = sched.users[u].sinr;
    row.rate = sched.users[u].rate_bps;
    row.average = (1.0 - beta) * start[u] + beta * row.rate;
    std::vector<int> now(row.aps.begin(), row.aps.end());
    std::sort(now.begin(), now.end());
    auto it = stored.find(row.id);
    row.handover = !now.empty() && it != stored.end() && !it->second.last.empty() && it->second.last != now;
    rows.push_back(std::move(row));
  }

  // write the state back: update known users, insert new ones, mark absent users as served by nothing
  const std::string update = "UPDATE " + table +
                             " SET slot = $2, ap_ids = $3, last_ap_ids = CASE WHEN pg_catalog.cardinality($3) "
                             "OPERATOR(pg_catalog.>) 0 THEN $3 ELSE last_ap_ids END, average_rate_bps = $4 "
                             "WHERE user_id OPERATOR(pg_catalog.=) $1";
  const std::string insert = "INSERT INTO " + table +
                             " (user_id, slot, ap_ids, last_ap_ids, average_rate_bps) VALUES ($1, $2, $3, "
                             "CASE WHEN pg_catalog.cardinality($3) OPERATOR(pg_catalog.>) 0 THEN $3 END, $4)";
  Oid types[4] = {INT4OID, INT4OID, INT4ARRAYOID, FLOAT8OID};
  std::vector<std::int32_t> present;
  for (const Row& row : rows) {
    check_interrupts();
    Datum v[4] = {Int32GetDatum(static_cast<std::int32_t>(row.id)), Int32GetDatum(slot),
                  int4_array_datum(row.aps.data(), static_cast<std::int64_t>(row.aps.size()), "ap_ids"),
                  Float8GetDatum(row.average)};
    spi.run(update, 4, types, v, nullptr, false);
    if (SPI_processed == 0) spi.run(insert, 4, types, v, nullptr, false);
    present.push_back(static_cast<std::int32_t>(row.id));
  }
  {
    Oid t[1] = {INT4ARRAYOID};
    Datum v[1] = {int4_array_datum(present.data(), static_cast<std::int64_t>(present.size()), "user_ids")};
    spi.run("UPDATE " + table + " SET ap_ids = '{}' WHERE user_id OPERATOR(pg_catalog.<>) ALL ($1)", 1, t, v, nullptr,
            false);
  }
  spi.finish();

  SrfWriter w(fcinfo);
  for (const Row& row : rows) {
    Datum v[7];
    bool n[7] = {};
    v[0] = i4(slot);
    v[1] = i4(row.id);
    v[2] = int4_array_datum(row.aps.data(), static_cast<std::int64_t>(row.aps.size()), "ap_ids");
    n[3] = !(row.sinr > 0);
    v[3] = f8(n[3] ? 0.0 : 10.0 * std::log10(row.sinr));
    v[4] = f8(row.rate);
    v[5] = f8(row.average);
    v[6] = BoolGetDatum(row.handover);
    w.put(v, n);
  }
  return Datum(0);
}

DropSetup drop_args(const Args& a, const Setup& s, int quota) {
  DropSetup d;
  d.users = a.i4("n_users");
  d.drops = a.i4("drops");
  d.slots = a.i4("slots");
  d.user_z = a.f8("user_height_m");
  if (d.user_z < 0 || d.user_z > s.room.height)
    throw invalid_parameter("user_height_m must be in [0, room_height_m]; got " + std::to_string(d.user_z),
                            "the receiver-plane height in metres, e.g. 0.85");
  d.fov_deg = s.fov_deg;
  d.tilt_deg = s.tilt_deg;
  d.step_m = a.f8("step_m");
  if (d.step_m < 0)
    throw invalid_parameter("step_m must be >= 0; got " + std::to_string(d.step_m),
                            "the distance a user walks per slot in metres; 0 = users stand still");
  d.quota = quota;
  d.seed = static_cast<std::uint64_t>(static_cast<std::int64_t>(a.i4("seed")));
  return d;
}

Datum nullable(double v, bool& null) {
  null = !std::isfinite(v);
  return Float8GetDatum(null ? 0.0 : v);
}

// vlc_compare: per method and metric, the mean over drops with its 95% interval, and the ratio to the first
// method's mean (paired over drops) with its 95% interval.
Datum compare_body(FunctionCallInfo fcinfo) {
  const Args a(fcinfo);
  const std::string ap_sql = a.text("ap_sql");
  const int quota = quota_arg(a);
  const Options base = options_args(a);
  const Setup s = setup_args(a);
  const DropSetup d = drop_args(a, s, quota);
  std::vector<Options> configs;
  std::vector<std::string> names = a.texts("methods");
  for (const std::string& m : names) {
    Options o = base;
    o.method = parse_method(m);
    configs.push_back(o);
  }
  const std::vector<Ap> aps = read_aps(ap_sql, s);
  const auto runs = monte_carlo(aps, s.room, s.ph, configs, d);
  const auto& metrics = metric_names();
  SrfWriter w(fcinfo);
  for (size_t c = 0; c < configs.size(); ++c)
    for (size_t k = 0; k < metrics.size(); ++k) {
      std::vector<double> x, y;
      for (size_t i = 0; i < runs[c].size(); ++i) {
        x.push_back(metric_values(runs[c][i])[k]);
        y.push_back(metric_values(runs[0][i])[k]);
        // NaN marks a metric undefined for a drop (NULL below); an infinity is an overflow (docs/conventions.md).
        if (std::isinf(x.back()))
          throw out_of_range("vlc_compare: metric \"" + metrics[k] + "\" of method " + names[c] +
                                 " overflowed in drop " + std::to_string(i + 1),
                             "Use physical values: power_w in watts, area_m2 in square metres.");
      }
      const Interval m = mean_interval(x), q = ratio_interval(x, y);
      Datum v[8];
      bool n[8] = {};
      v[0] = text_datum(names[c]);
      v[1] = text_datum(metrics[k]);
      v[2] = nullable(m.estimate, n[2]);
      v[3] = nullable(m.low, n[3]);
      v[4] = nullable(m.high, n[4]);
      v[5] = nullable(q.estimate, n[5]);
      v[6] = nullable(q.low, n[6]);
      v[7] = nullable(q.high, n[7]);
      w.put(v, n);
    }
  return Datum(0);
}

// vlc_coverage: visible LEDs per user, their overlap with other users, and the SNRs of the best and of all LEDs.
Datum coverage_body(FunctionCallInfo fcinfo) {
  const Args a(fcinfo);
  const Setup s = setup_args(a);
  const std::vector<Ap> raw = read_aps(a.text("ap_sql"), s);
  const std::vector<User> users = read_users(a.text("user_sql"), s, 0);
  validate(raw, users, s.room, s.ph);
  const std::vector<Ap> aps = dimmed(raw, s.ph);
  const Channel ch = make_channel(aps, users, s.ph.rx);
  const std::vector<CoverageRow> rows = coverage(ch, aps, s.ph);
  SrfWriter w(fcinfo);
  for (size_t u = 0; u < users.size(); ++u) {
    const CoverageRow& c = rows[u];
    Datum v[7];
    bool n[7] = {};
    v[0] = i4(users[u].id);
    v[1] = i4(static_cast<std::int64_t>(c.aps.size()));
    v[2] = ap_ids_datum(aps, c.aps);
    n[3] = n[4] = n[5] = c.aps.empty();
    v[3] = i4(c.aps.empty() ? 0 : aps[static_cast<size_t>(c.aps.front())].id);
    v[4] = f8(c.aps.empty() ? 0.0 : 10.0 * std::log10(c.best_snr));
    v[5] = f8(c.aps.empty() ? 0.0 : 10.0 * std::log10(c.all_snr));
    v[6] = i4(c.overlap_users);
    w.put(v, n);
  }
  return Datum(0);
}

// vlc_planning_sweep: which FOV and LED grid reach target_bps for 95% of users.
Datum planning_body(FunctionCallInfo fcinfo) {
  const Args a(fcinfo);
  const double target = a.f8("target_bps");
  const int quota = quota_arg(a);
  const Options o = options_args(a);
  const Setup s = setup_args(a);
  DropSetup d = drop_args(a, s, quota);
  const VectorArg fovs = vector_arg(fcinfo, a.at("fov_deg_list"), "fov_deg_list");
  const IntVectorArg grids = int_vector_arg(fcinfo, a.at("leds_per_side_list"), "leds_per_side_list");
  std::vector<double> fov(fovs.data, fovs.data + fovs.size);
  std::vector<int> grid(grids.data, grids.data + grids.size);
  for (double f : fov)
    if (!(f > 0 && f <= 90))
      throw invalid_parameter("fov_deg_list must hold angles in (0, 90]; got " + std::to_string(f),
                              "receiver fields of view in degrees, e.g. '{30,45,60}'");
  const std::vector<PlanningRow> rows = planning_sweep(fov, grid, s.room, s.room.height, s.ph, o, d, target);
  SrfWriter w(fcinfo);
  for (const PlanningRow& r : rows) {
    Datum v[7] = {f8(r.fov_deg),
                  i4(r.leds_per_side),
                  f8(r.pitch_m),
                  f8(r.mean_rate_bps),
                  f8(r.p5_rate_bps),
                  f8(r.fraction_at_target),
                  BoolGetDatum(r.meets_target)};
    bool n[7] = {};
    w.put(v, n);
  }
  return Datum(0);
}

void put_points(FunctionCallInfo fcinfo, const std::vector<User>& users) {
  SrfWriter w(fcinfo);
  for (const User& u : users) {
    Datum v[4] = {i4(u.id), f8(u.x), f8(u.y), f8(u.z)};
    bool n[4] = {};
    w.put(v, n);
  }
}

// vlc_grid_aps(rows, cols, room_width_m, room_length_m, height_m)
Datum grid_aps_body(FunctionCallInfo fcinfo) {
  Room room;
  room.width = PG_GETARG_FLOAT8(2);
  room.length = PG_GETARG_FLOAT8(3);
  const std::vector<Ap> aps = grid_aps(PG_GETARG_INT32(0), PG_GETARG_INT32(1), room, PG_GETARG_FLOAT8(4));
  std::vector<User> pts;
  for (const Ap& ap : aps) {
    User p;
    p.id = ap.id;
    p.x = ap.x;
    p.y = ap.y;
    p.z = ap.z;
    pts.push_back(p);
  }
  put_points(fcinfo, pts);
  return Datum(0);
}

// vlc_random_users(n, seed, room_width_m, room_length_m, height_m)
Datum random_users_body(FunctionCallInfo fcinfo) {
  Room room;
  room.width = PG_GETARG_FLOAT8(2);
  room.length = PG_GETARG_FLOAT8(3);
  put_points(fcinfo,
             random_users(PG_GETARG_INT32(0), static_cast<std::uint64_t>(static_cast<std::int64_t>(PG_GETARG_INT32(1))),
                          room, PG_GETARG_FLOAT8(4)));
  return Datum(0);
}

// vlc_random_walk(n, slots, step_m, seed, room_width_m, room_length_m, height_m): (slot, id, x_m, y_m, z_m)
Datum random_walk_body(FunctionCallInfo fcinfo) {
  Room room;
  room.width = PG_GETARG_FLOAT8(4);
  room.length = PG_GETARG_FLOAT8(5);
  const std::uint64_t seed = static_cast<std::uint64_t>(static_cast<std::int64_t>(PG_GETARG_INT32(3)));
  const std::vector<User> start =
      random_users(PG_GETARG_INT32(0), Rng::stream(seed, 0, 1)(), room, PG_GETARG_FLOAT8(6));
  const auto walk = random_walk(start, PG_GETARG_INT32(1), PG_GETARG_FLOAT8(2), Rng::stream(seed, 0, 2)(), room);
  SrfWriter w(fcinfo);
  for (size_t t = 0; t < walk.size(); ++t) {
    if ((t & 255) == 0) check_interrupts();
    for (const User& u : walk[t]) {
      Datum v[5] = {i4(static_cast<std::int64_t>(t + 1)), i4(u.id), f8(u.x), f8(u.y), f8(u.z)};
      bool n[5] = {};
      w.put(v, n);
    }
  }
  return Datum(0);
}

}  // namespace
}  // namespace morpheus::pg

MORPHEUS_FUNCTION(vlc_channel, morpheus::pg::channel_body)
MORPHEUS_FUNCTION(vlc_schedule, morpheus::pg::schedule_body)
MORPHEUS_FUNCTION(vlc_schedule_slots, morpheus::pg::schedule_slots_body)
MORPHEUS_FUNCTION(vlc_evaluate, morpheus::pg::evaluate_body)
MORPHEUS_FUNCTION(vlc_step, morpheus::pg::step_body)
MORPHEUS_FUNCTION(vlc_compare, morpheus::pg::compare_body)
MORPHEUS_FUNCTION(vlc_coverage, morpheus::pg::coverage_body)
MORPHEUS_FUNCTION(vlc_planning_sweep, morpheus::pg::planning_body)
MORPHEUS_FUNCTION(vlc_grid_aps, morpheus::pg::grid_aps_body)
MORPHEUS_FUNCTION(vlc_random_users, morpheus::pg::random_users_body)
MORPHEUS_FUNCTION(vlc_random_walk, morpheus::pg::random_walk_body)
