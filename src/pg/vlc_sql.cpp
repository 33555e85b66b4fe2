// SQL entry points of the VLC scheduling module: vlc_channel, vlc_schedule, vlc_evaluate, vlc_compare,
// vlc_grid_aps, vlc_random_users. AP and user tables arrive as query texts read through SPI.
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "core/vlc/vlc.hpp"
#include "pg/arrays.hpp"
#include "pg/guard.hpp"
#include "pg/spi_query.hpp"
#include "pg/srf.hpp"

namespace morpheus::pg {
namespace {

using namespace morpheus::vlc;

// The shared argument block: room_width, room_length, room_height, power_w, semi_angle_deg, fov_deg, area_m2,
// filter_gain, refractive_index, responsivity (10 arguments from `i`).
struct Setup {
  Room room;
  Physics ph;
  double power_w = 1, semi_angle_deg = 60, fov_deg = 60;
};

Setup setup_args(FunctionCallInfo fcinfo, int i) {
  Setup s;
  s.room.width = float_arg(fcinfo, i, "room_width");
  s.room.length = float_arg(fcinfo, i + 1, "room_length");
  s.room.height = float_arg(fcinfo, i + 2, "room_height");
  s.power_w = float_arg(fcinfo, i + 3, "power_w");
  s.semi_angle_deg = float_arg(fcinfo, i + 4, "semi_angle_deg");
  s.fov_deg = float_arg(fcinfo, i + 5, "fov_deg");
  s.ph.rx.area_m2 = float_arg(fcinfo, i + 6, "area_m2");
  s.ph.rx.filter_gain = float_arg(fcinfo, i + 7, "filter_gain");
  s.ph.rx.refractive_index = float_arg(fcinfo, i + 8, "refractive_index");
  s.ph.rx.responsivity = float_arg(fcinfo, i + 9, "responsivity");
  return s;
}

// The link-budget block: bandwidth_hz, noise, n0, rate (4 arguments from `i`).
void link_args(FunctionCallInfo fcinfo, int i, Physics& ph) {
  ph.bandwidth_hz = float_arg(fcinfo, i, "bandwidth_hz");
  const std::string noise = string_arg(fcinfo, i + 1, "noise");
  if (noise == "simple")
    ph.noise = NoiseModel::Simple;
  else if (noise == "komine")
    ph.noise = NoiseModel::Komine;
  else
    throw invalid_parameter("unknown noise \"" + noise + "\"", "valid values: simple, komine");
  ph.n0 = float_arg(fcinfo, i + 2, "n0");
  const std::string rate = string_arg(fcinfo, i + 3, "rate");
  if (rate == "shannon")
    ph.rate = RateForm::Shannon;
  else if (rate == "intensity_bound")
    ph.rate = RateForm::IntensityBound;
  else
    throw invalid_parameter("unknown rate \"" + rate + "\"", "valid values: shannon, intensity_bound");
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
                                   {"x", ColumnType::Float},
                                   {"y", ColumnType::Float},
                                   {"z", ColumnType::Float, false},
                                   {"power_w", ColumnType::Float, false},
                                   {"semi_angle_deg", ColumnType::Float, false}});
  for (const char* c : {"id", "x", "y"}) t.require_no_nulls(c, "ap_sql");
  std::vector<Ap> aps(static_cast<size_t>(t.rows));
  for (std::int64_t r = 0; r < t.rows; ++r) {
    Ap& a = aps[static_cast<size_t>(r)];
    a.id = checked_id(t.column("id").ints[static_cast<size_t>(r)], "ap_sql");
    a.x = t.column("x").num[static_cast<size_t>(r)];
    a.y = t.column("y").num[static_cast<size_t>(r)];
    a.z = optional(t, "z", r, s.room.height);
    a.power_w = optional(t, "power_w", r, s.power_w);
    a.semi_angle_deg = optional(t, "semi_angle_deg", r, s.semi_angle_deg);
  }
  return aps;
}

std::vector<User> read_users(const std::string& sql, const Setup& s, int quota) {
  const QueryTable t = read_query(sql, "user_sql",
                                  {{"id", ColumnType::Integer},
                                   {"x", ColumnType::Float},
                                   {"y", ColumnType::Float},
                                   {"z", ColumnType::Float, false},
                                   {"fov_deg", ColumnType::Float, false},
                                   {"quota", ColumnType::Integer, false}});
  for (const char* c : {"id", "x", "y"}) t.require_no_nulls(c, "user_sql");
  std::vector<User> users(static_cast<size_t>(t.rows));
  for (std::int64_t r = 0; r < t.rows; ++r) {
    User& u = users[static_cast<size_t>(r)];
    u.id = checked_id(t.column("id").ints[static_cast<size_t>(r)], "user_sql");
    u.x = t.column("x").num[static_cast<size_t>(r)];
    u.y = t.column("y").num[static_cast<size_t>(r)];
    u.z = optional(t, "z", r, 0.85);
    u.fov_deg = optional(t, "fov_deg", r, s.fov_deg);
    const double q = optional(t, "quota", r, quota);
    if (q < 0 || q > 1e6)
      throw invalid_parameter(
          "user id " + std::to_string(u.id) + " has quota = " + std::to_string(q) + "; it must be in [0, 1000000]",
          "quota is the maximum number of APs serving the user; 0 or NULL means no limit");
    u.quota = static_cast<int>(q);
  }
  return users;
}

int quota_arg(FunctionCallInfo fcinfo, int i) {
  if (PG_ARGISNULL(i)) return 0;
  const int q = PG_GETARG_INT32(i);
  if (q < 0)
    throw invalid_parameter("quota must be >= 0 or NULL; got " + std::to_string(q),
                            "quota is the maximum number of APs serving one user; NULL or 0 means no limit");
  return q;
}

Options options_args(FunctionCallInfo fcinfo, int ap_pref_i, int reuse_i, int seed_i) {
  Options o;
  o.ap_preference = parse_ap_preference(string_arg(fcinfo, ap_pref_i, "ap_preference"));
  o.reuse_factor = int_arg(fcinfo, reuse_i, "reuse_factor");
  if (o.reuse_factor < 1 || o.reuse_factor > 4)
    throw invalid_parameter("reuse_factor must be 1, 2, 3 or 4; got " + std::to_string(o.reuse_factor),
                            "the number of colours (bands of B / reuse_factor) of the AP grid, e.g. 4");
  o.seed = static_cast<std::uint64_t>(static_cast<std::int64_t>(int_arg(fcinfo, seed_i, "seed")));
  return o;
}

Datum f8(double v) { return Float8GetDatum(v); }
Datum i4(std::int64_t v) { return Int32GetDatum(static_cast<std::int32_t>(v)); }

// vlc_channel(ap_sql, user_sql, <setup block at 2>)
Datum channel_body(FunctionCallInfo fcinfo) {
  const std::string ap_sql = string_arg(fcinfo, 0, "ap_sql"), user_sql = string_arg(fcinfo, 1, "user_sql");
  const Setup s = setup_args(fcinfo, 2);
  const std::vector<Ap> aps = read_aps(ap_sql, s);
  const std::vector<User> users = read_users(user_sql, s, 0);
  validate(aps, users, s.room, s.ph);
  SrfWriter w(fcinfo);
  Datum v[7];
  bool n[7] = {false, false, false, false, false, false, false};
  for (const Ap& a : aps) {
    check_interrupts();
    for (const User& u : users) {
      const LinkGeometry g = link_geometry(a, u, s.ph.rx);
      v[0] = i4(a.id);
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

struct Run {
  std::vector<Ap> aps;
  std::vector<User> users;
  Method method = Method::StableMarriage;
  Schedule sched;
};

// vlc_schedule / vlc_evaluate arguments: ap_sql 0, user_sql 1, method 2, quota 3, ap_preference 4, reuse_factor 5,
// seed 6, setup block 7..16, link block 17..20.
Run run_args(FunctionCallInfo fcinfo) {
  Run r;
  const std::string ap_sql = string_arg(fcinfo, 0, "ap_sql"), user_sql = string_arg(fcinfo, 1, "user_sql");
  r.method = parse_method(string_arg(fcinfo, 2, "method"));
  const int quota = quota_arg(fcinfo, 3);
  Options o = options_args(fcinfo, 4, 5, 6);
  o.method = r.method;
  Setup s = setup_args(fcinfo, 7);
  link_args(fcinfo, 17, s.ph);
  r.aps = read_aps(ap_sql, s);
  r.users = read_users(user_sql, s, quota);
  validate(r.aps, r.users, s.room, s.ph);
  const Channel ch = make_channel(r.aps, r.users, s.ph.rx);
  r.sched = schedule(ch, r.aps, r.users, s.ph, o);
  return r;
}

Datum schedule_body(FunctionCallInfo fcinfo) {
  const Run r = run_args(fcinfo);
  SrfWriter w(fcinfo);
  Datum v[9];
  bool n[9] = {false, false, false, false, false, false, false, false, false};
  std::vector<std::int32_t> ids;
  for (size_t u = 0; u < r.users.size(); ++u) {
    const UserResult& res = r.sched.users[u];
    ids.clear();
    for (int a : r.sched.plan.cells[u]) ids.push_back(static_cast<std::int32_t>(r.aps[static_cast<size_t>(a)].id));
    v[0] = i4(r.users[u].id);
    v[1] = int4_array_datum(ids.data(), static_cast<std::int64_t>(ids.size()), "ap_ids");
    v[2] = f8(res.signal);
    v[3] = f8(res.interference);
    v[4] = f8(res.noise);
    v[5] = f8(res.sinr);
    n[6] = !(res.sinr > 0);
    v[6] = f8(n[6] ? 0.0 : 10.0 * std::log10(res.sinr));
    v[7] = f8(res.rate_bps);
    v[8] = f8(r.sched.plan.time_share[u]);
    w.put(v, n);
  }
  return Datum(0);
}

Datum evaluate_body(FunctionCallInfo fcinfo) {
  const Run r = run_args(fcinfo);
  const Summary s = summarize(r.sched);
  SrfWriter w(fcinfo);
  Datum v[11] = {i4(static_cast<std::int64_t>(r.users.size())),
                 i4(static_cast<std::int64_t>(r.aps.size())),
                 f8(s.sum_rate_bps),
                 f8(s.mean_rate_bps),
                 f8(s.min_rate_bps),
                 f8(s.jain),
                 f8(s.served_fraction),
                 i4(s.active_aps),
                 Int64GetDatum(s.messages),
                 Int64GetDatum(s.rounds),
                 f8(s.compute_ms)};
  bool n[11] = {};
  w.put(v, n);
  return Datum(0);
}

// vlc_compare(ap_sql 0, n_users 1, drops 2, methods 3, quota 4, ap_preference 5, reuse_factor 6, seed 7,
// setup block 8..17, link block 18..21, user_height 22)
Datum compare_body(FunctionCallInfo fcinfo) {
  const std::string ap_sql = string_arg(fcinfo, 0, "ap_sql");
  const int n_users = int_arg(fcinfo, 1, "n_users");
  if (n_users < 1 || n_users > 100000)
    throw invalid_parameter("n_users must be in [1, 100000]; got " + std::to_string(n_users),
                            "the number of users per drop, e.g. 10");
  const int drops = int_arg(fcinfo, 2, "drops");
  std::vector<Method> methods;
  for (const std::string& m : text_array_arg(fcinfo, 3, "methods")) methods.push_back(parse_method(m));
  const int quota = quota_arg(fcinfo, 4);
  Options o = options_args(fcinfo, 5, 6, 7);
  Setup s = setup_args(fcinfo, 8);
  link_args(fcinfo, 18, s.ph);
  const double user_z = float_arg(fcinfo, 22, "user_height");
  if (user_z < 0 || user_z > s.room.height)
    throw invalid_parameter("user_height must be in [0, room_height]",
                            "the receiver-plane height in metres, e.g. 0.85");
  const std::vector<Ap> aps = read_aps(ap_sql, s);
  const std::vector<CompareRow> rows = compare(aps, n_users, drops, methods, s.room, user_z, s.fov_deg, quota, s.ph, o);
  SrfWriter w(fcinfo);
  for (const CompareRow& r : rows) {
    Datum v[10] = {text_datum(method_name(r.method)),
                   f8(r.sum_rate_bps),
                   f8(r.sum_rate_sd_bps),
                   f8(r.mean_rate_bps),
                   f8(r.min_rate_bps),
                   f8(r.jain),
                   f8(r.served_fraction),
                   f8(r.messages),
                   f8(r.rounds),
                   f8(r.compute_ms)};
    bool n[10] = {};
    w.put(v, n);
  }
  return Datum(0);
}

void put_points(FunctionCallInfo fcinfo, const std::vector<std::int64_t>& id, const std::vector<double>& x,
                const std::vector<double>& y, const std::vector<double>& z) {
  SrfWriter w(fcinfo);
  for (size_t i = 0; i < id.size(); ++i) {
    Datum v[4] = {i4(id[i]), f8(x[i]), f8(y[i]), f8(z[i])};
    bool n[4] = {};
    w.put(v, n);
  }
}

// vlc_grid_aps(rows, cols, room_width, room_length, height)
Datum grid_aps_body(FunctionCallInfo fcinfo) {
  Room room;
  room.width = PG_GETARG_FLOAT8(2);
  room.length = PG_GETARG_FLOAT8(3);
  const std::vector<Ap> aps = grid_aps(PG_GETARG_INT32(0), PG_GETARG_INT32(1), room, PG_GETARG_FLOAT8(4));
  std::vector<std::int64_t> id;
  std::vector<double> x, y, z;
  for (const Ap& a : aps) {
    id.push_back(a.id);
    x.push_back(a.x);
    y.push_back(a.y);
    z.push_back(a.z);
  }
  put_points(fcinfo, id, x, y, z);
  return Datum(0);
}

// vlc_random_users(n, seed, room_width, room_length, height)
Datum random_users_body(FunctionCallInfo fcinfo) {
  Room room;
  room.width = PG_GETARG_FLOAT8(2);
  room.length = PG_GETARG_FLOAT8(3);
  const std::vector<User> users =
      random_users(PG_GETARG_INT32(0), static_cast<std::uint64_t>(static_cast<std::int64_t>(PG_GETARG_INT32(1))), room,
                   PG_GETARG_FLOAT8(4));
  std::vector<std::int64_t> id;
  std::vector<double> x, y, z;
  for (const User& u : users) {
    id.push_back(u.id);
    x.push_back(u.x);
    y.push_back(u.y);
    z.push_back(u.z);
  }
  put_points(fcinfo, id, x, y, z);
  return Datum(0);
}

}  // namespace
}  // namespace morpheus::pg

MORPHEUS_FUNCTION(vlc_channel, morpheus::pg::channel_body)
MORPHEUS_FUNCTION(vlc_schedule, morpheus::pg::schedule_body)
MORPHEUS_FUNCTION(vlc_evaluate, morpheus::pg::evaluate_body)
MORPHEUS_FUNCTION(vlc_compare, morpheus::pg::compare_body)
MORPHEUS_FUNCTION(vlc_grid_aps, morpheus::pg::grid_aps_body)
MORPHEUS_FUNCTION(vlc_random_users, morpheus::pg::random_users_body)
