// SQL entry points of distributed DRACO: the worker's encoded message (dist_worker_message), the coordinator's
// decode-and-step (_dist_step), the code's partition assignment (dist_partitions) and two helpers of the PL/pgSQL
// functions (_dist_options, _dist_labels). The training loop itself is PL/pgSQL (draco_train_distributed) calling
// the workers through PL/Proxy; on a worker, run_as makes the query run as the coordinator's calling role.
#include <chrono>
#include <cmath>

#include "core/dist/dist.hpp"
#include "core/errors.hpp"
#include "core/options.hpp"
#include "pg/arrays.hpp"
#include "pg/dist/dist_settings.hpp"
#include "pg/guard.hpp"
#include "pg/spi_query.hpp"
#include "pg/srf.hpp"

extern "C" {
#include "utils/acl.h"
}

namespace morpheus::pg {

int g_dist_worker_id = 0;
int g_dist_worker_attack = static_cast<int>(draco::Attack::None);
double g_dist_worker_attack_scale = 0.0;
const config_enum_entry kDistAttacks[] = {{"none", static_cast<int>(draco::Attack::None), false},
                                          {"signflip", static_cast<int>(draco::Attack::SignFlip), false},
                                          {"constant", static_cast<int>(draco::Attack::Constant), false},
                                          {"gaussian", static_cast<int>(draco::Attack::Gaussian), false},
                                          {nullptr, 0, false}};

namespace {

namespace dr = morpheus::draco;
namespace ds = morpheus::dist;
std::string str(std::int64_t v) { return std::to_string(v); }

dr::Rule parse_aggregation(const std::string& v) {
  return parse_choice<dr::Rule>("aggregation", v, {{"cyclic", dr::Rule::Cyclic}, {"repetition", dr::Rule::Repetition}});
}

// The GLM family; `shard`: the families dist_shard_state computes (no softmax).
dr::Model parse_family(const std::string& v, bool shard) {
  if (shard)
    return parse_choice<dr::Model>("family", v,
                                   {{"least_squares", dr::Model::LeastSquares},
                                    {"logistic", dr::Model::Logistic},
                                    {"poisson", dr::Model::Poisson}});
  return parse_choice<dr::Model>("family", v,
                                 {{"least_squares", dr::Model::LeastSquares},
                                  {"logistic", dr::Model::Logistic},
                                  {"softmax", dr::Model::Softmax},
                                  {"poisson", dr::Model::Poisson}});
}

// Schedule arguments shared by the worker and the coordinator, at the given argument positions.
ds::Schedule schedule_args(FunctionCallInfo fcinfo, int aggregation, int workers, int max_adversaries, int batch_size,
                           int seed) {
  ds::Schedule sc;
  sc.rule = parse_aggregation(string_arg(fcinfo, aggregation, "aggregation"));
  sc.workers = int_arg(fcinfo, workers, "workers");
  sc.tolerance = int_arg(fcinfo, max_adversaries, "max_adversaries");
  sc.batch_size = int_arg(fcinfo, batch_size, "batch_size");
  sc.seed = static_cast<std::uint64_t>(static_cast<std::int64_t>(int_arg(fcinfo, seed, "seed")));
  ds::check_schedule(sc);
  return sc;
}

struct RoleCheck {
  const char* role;
  Oid oid;
  bool exists;
  bool allowed;
  const char* connection_user;
};

void check_role(RoleCheck* c) {
  c->oid = get_role_oid(c->role, true);
  c->exists = OidIsValid(c->oid);
  c->allowed = c->exists && is_member_of_role(GetSessionUserId(), c->oid);
  c->connection_user = GetUserNameFromId(GetSessionUserId(), false);
}

// While alive, the call runs as role `role` (set at a new GUC nest level as a function SET clause does, undone by the
// destructor or by the abort on error): the coordinator's calling role, so a worker reads its tables with that role's
// rights. The connection user (PL/Proxy's mapped user) must be allowed to SET ROLE to it: a superuser, or a member of
// the role.
class RunAs {
 public:
  explicit RunAs(const std::string& role) {
    RoleCheck c{role.c_str(), InvalidOid, false, false, nullptr};
    RoleCheck* cp = &c;
    pg_call([cp] { check_role(cp); });
    if (!c.exists)
      throw_pg(ERRCODE_UNDEFINED_OBJECT, "role \"" + role + "\" does not exist on this node",
               "Worker queries run as the caller's role: create it on every worker node with the rights it needs "
               "(docs/distributed.md).");
    if (!c.allowed)
      throw_pg(ERRCODE_INSUFFICIENT_PRIVILEGE,
               "the connection user \"" + std::string(c.connection_user) + "\" of this node may not act as role \"" +
                   role + "\"",
               "On this node GRANT \"" + role + "\" TO \"" + c.connection_user +
                   "\" (or connect as a superuser); see docs/distributed.md.");
    const char* r = role.c_str();
    level_ = pg_call([r] {
      const int level = NewGUCNestLevel();
      (void)set_config_option("role", r, PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
      return level;
    });
  }
  ~RunAs() {
    const int level = level_;
    try {
      pg_call([level] { AtEOXact_GUC(true, level); });
    } catch (...) {  // the transaction abort restores the role
    }
  }
  RunAs(const RunAs&) = delete;
  RunAs& operator=(const RunAs&) = delete;

 private:
  struct Raise {
    int code;
    const char* msg;
    const char* hint;
  };
  [[noreturn]] static void throw_pg(int code, const std::string& msg, const std::string& hint) {
    const Raise r{code, msg.c_str(), hint.c_str()};
    const Raise* rp = &r;
    pg_call([rp] { ereport(ERROR, (errcode(rp->code), errmsg("%s", rp->msg), errhint("%s", rp->hint))); });
    throw Error(ErrorKind::Internal, msg);  // not reached: ereport does not return
  }
  int level_ = -1;
};

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

// dist_worker_message(iteration, weights, family, aggregation, workers, max_adversaries, batch_size, seed, classes,
//                     source, worker, run_as)
Datum dist_worker_message_body(FunctionCallInfo fcinfo) {
  const auto t0 = std::chrono::steady_clock::now();
  const int iteration = int_arg(fcinfo, 0, "iteration");
  if (iteration < 1)
    throw invalid_parameter("iteration = " + str(iteration) + " must be >= 1", "Iterations are numbered from 1.");
  require_not_null(fcinfo, 1, "weights");
  const VectorArg w = vector_arg(fcinfo, 1, "weights", Finite::Require, true);
  dr::Glm g;
  g.model = parse_family(string_arg(fcinfo, 2, "family"), false);
  const ds::Schedule sc = schedule_args(fcinfo, 3, 4, 5, 6, 7);
  if (g.model == dr::Model::Softmax) {
    if (PG_ARGISNULL(8))
      throw Error(ErrorKind::NullValue, "classes is NULL but family = 'softmax' needs it",
                  "Give classes => K (labels 0 .. K-1) so every worker sizes the weights alike.");
    g.classes = PG_GETARG_INT32(8);
    if (g.classes < 2 || g.classes > 100000)
      throw invalid_parameter("classes = " + str(g.classes) + " is out of range", "Give classes between 2 and 100000.");
  }
  const std::string sql = string_arg(fcinfo, 9, "source");
  int worker = 0;
  bool from_settings = PG_ARGISNULL(10);
  if (from_settings) {
    worker = g_dist_worker_id;
    if (worker < 1)
      throw invalid_parameter("morpheus.worker_id is not set on this node",
                              "On worker node k (1..workers) run ALTER SYSTEM SET morpheus.worker_id = k; SELECT "
                              "pg_reload_conf(); or pass worker => k to simulate worker k locally.");
  } else {
    worker = PG_GETARG_INT32(10);
  }
  if (worker < 1 || worker > sc.workers)
    throw invalid_parameter("worker = " + str(worker) + " is out of range for workers = " + str(sc.workers),
                            from_settings ? "Set morpheus.worker_id on each node to its position 1..workers in the "
                                            "PL/Proxy cluster (p0 is worker 1)."
                                          : "Give worker between 1 and workers.");

  std::unique_ptr<RunAs> run_as;
  if (!PG_ARGISNULL(11)) {
    const std::string role = text_arg(fcinfo, 11);
    const std::string current = pg_call([] { return GetUserNameFromId(GetUserId(), false); });
    if (role != current) run_as = std::make_unique<RunAs>(role);
  }
  const QueryTable t = read_query(sql, "source",
                                  {{"partition", ColumnType::Integer, true},
                                   {"row_id", ColumnType::Integer, true},
                                   {"label", ColumnType::Float, true},
                                   {"features", ColumnType::FloatArray, true}});
  run_as.reset();
  for (const char* c : {"partition", "row_id", "label", "features"}) t.require_no_nulls(c, "source");
  const std::int64_t rows = t.rows;
  const ColumnData& f = t.column("features");
  const std::int64_t p = rows > 0 ? f.offsets[1] - f.offsets[0] : 0;
  for (std::int64_t r = 0; r < rows; ++r)
    if (f.offsets[r + 1] - f.offsets[r] != p)
      throw invalid_parameter("features of row " + str(r + 1) + " of source have " +
                                  str(f.offsets[r + 1] - f.offsets[r]) + " values but row 1 has " + str(p),
                              "Every row needs the same number of features.");
  std::vector<std::int64_t> part(t.column("partition").ints);
  for (std::int64_t r = 0; r < rows; ++r) {
    if (part[r] < 1 || part[r] > sc.workers)
      throw invalid_parameter("partition = " + str(part[r]) + " in row " + str(r + 1) + " of source is out of range",
                              "Partitions are numbered 1..workers (" + str(sc.workers) + ").");
    --part[r];
  }
  const ConstRowMap x(f.values.data(), rows, p);
  require_finite(x, "features");
  const std::vector<double>& y = t.column("label").num;
  if (g.model == dr::Model::Softmax) {
    for (std::int64_t r = 0; r < rows; ++r)
      if (!(y[r] >= 0 && y[r] < static_cast<double>(g.classes) && y[r] == std::floor(y[r])))
        throw invalid_parameter("label = " + format_number(y[r]) + " in row " + str(r + 1) +
                                    " of source is not a class 0.." + str(g.classes - 1),
                                "Softmax labels are integers 0 .. classes - 1.");
  } else {
    dr::check_labels(g.model, y.data(), rows, "source");
  }
  g.features = p;
  Vector wv = Vector::Zero(g.params());
  if (w.size != 0) {
    if (w.size != g.params())
      throw invalid_parameter(
          "weights have " + str(w.size) + " values but the model over " + str(p) + " features needs " + str(g.params()),
          "Pass the coordinator's current weights, or an empty array for zeros.");
    wv = ConstVectorMap(w.data, w.size);
  }
  const ds::LocalData ld{dr::Dataset{x, y.data()}, part.data(), t.column("row_id").ints.data()};
  std::unique_ptr<dr::CyclicCode> code;
  if (sc.rule == dr::Rule::Cyclic) code = std::make_unique<dr::CyclicCode>(sc.workers, sc.tolerance);
  const Eigen::Index d = g.params() + 2;
  Vector message(d);
  ds::encode_message(g, ld, sc, code.get(), iteration, worker - 1, wv.data(), message.data());
  if (from_settings)
    ds::attack_message(static_cast<dr::Attack>(g_dist_worker_attack),
                       g_dist_worker_attack_scale == 0.0 ? std::nan("") : g_dist_worker_attack_scale, sc.seed,
                       iteration, worker - 1, message.data(), d);

  SrfWriter out(fcinfo);
  Datum v[3];
  bool nulls[3] = {false, false, false};
  v[0] = Int32GetDatum(worker);
  v[1] = float8_array_datum(message.data(), d, "message");
  v[2] = Float8GetDatum(ms_since(t0));
  out.put(v, nulls);
  return Datum(0);
}

// _dist_step(answered, messages, weights, aggregation, workers, max_adversaries, batch_size, seed, iteration,
//            learning_rate)
Datum dist_step_body(FunctionCallInfo fcinfo) {
  const auto t0 = std::chrono::steady_clock::now();
  require_not_null(fcinfo, 0, "answered");
  const IntVectorArg answered = int_vector_arg(fcinfo, 0, "answered");
  require_not_null(fcinfo, 1, "messages");
  const MatrixArg msgs = matrix_arg(fcinfo, 1, "messages", Finite::Allow);
  require_not_null(fcinfo, 2, "weights");
  const VectorArg w = vector_arg(fcinfo, 2, "weights", Finite::Require, true);
  const ds::Schedule sc = schedule_args(fcinfo, 3, 4, 5, 6, 7);
  const int iteration = int_arg(fcinfo, 8, "iteration");
  const double lr = float_arg(fcinfo, 9, "learning_rate");
  if (!(lr > 0) || !std::isfinite(lr))
    throw invalid_parameter("learning_rate = " + format_number(lr) + " must be positive and finite",
                            "Try learning_rate => 0.1.");
  if (msgs.rows != answered.size)
    throw invalid_parameter(
        "messages has " + str(msgs.rows) + " rows but answered lists " + str(answered.size) + " workers",
        "Pass one message row per answering worker, in the order of answered.");
  dr::Messages m;
  const Eigen::Index d = msgs.cols;
  m.re = RowMatrix::Zero(sc.workers, d);
  std::vector<bool> seen(static_cast<std::size_t>(sc.workers), false);
  for (std::int64_t k = 0; k < answered.size; ++k) {
    const int i = answered.data[k];
    if (i < 1 || i > sc.workers || seen[static_cast<std::size_t>(i - 1)])
      throw invalid_parameter("answered[" + str(k + 1) + "] = " + str(i) + " is out of range or repeated",
                              "List each answering worker 1..workers once.");
    seen[static_cast<std::size_t>(i - 1)] = true;
    m.re.row(i - 1) = msgs.map().row(k);
  }
  std::unique_ptr<dr::CyclicCode> code;
  if (sc.rule == dr::Rule::Cyclic) code = std::make_unique<dr::CyclicCode>(sc.workers, sc.tolerance);
  const Vector wv = w.size == 0 ? Vector() : Vector(ConstVectorMap(w.data, w.size));
  const ds::Step st = ds::decode_step(sc, code.get(), iteration, m, wv, lr);

  SrfWriter out(fcinfo);
  Datum v[6];
  bool nulls[6] = {false, !st.consistent, false, false, false, false};
  v[0] = float8_array_datum(st.weights.data(), st.weights.size(), "weights");
  v[1] = Float8GetDatum(st.loss);
  v[2] = Int64GetDatum(st.batch_rows);
  std::vector<std::int32_t> flagged;
  for (int i : st.flagged) flagged.push_back(i + 1);
  v[3] = int4_array_datum(flagged.data(), static_cast<std::int64_t>(flagged.size()), "flagged_workers");
  v[4] = BoolGetDatum(st.consistent);
  v[5] = Float8GetDatum(ms_since(t0));
  out.put(v, nulls);
  return Datum(0);
}

// dist_partitions(workers, max_adversaries, aggregation)
Datum dist_partitions_body(FunctionCallInfo fcinfo) {
  const int n = int_arg(fcinfo, 0, "workers");
  const int s = int_arg(fcinfo, 1, "max_adversaries");
  const dr::Rule rule = parse_aggregation(string_arg(fcinfo, 2, "aggregation"));
  ds::Schedule sc{rule, n, s, n, 1};
  ds::check_schedule(sc);
  SrfWriter out(fcinfo);
  for (int i = 0; i < n; ++i)
    for (int j : dr::assigned_partitions(rule, n, s, i)) {
      Datum v[2] = {Int32GetDatum(i + 1), Int32GetDatum(j + 1)};
      bool nulls[2] = {false, false};
      out.put(v, nulls);
    }
  return Datum(0);
}

// _dist_options(family, aggregation, on_failure, kind): each non-NULL option parsed; with kind, the families of
// dist_shard_state.
Datum dist_options_body(FunctionCallInfo fcinfo) {
  const bool shard = !PG_ARGISNULL(3);
  if (shard)
    (void)parse_choice<int>("kind", text_arg(fcinfo, 3),
                            {{"crossprod", 1}, {"col_sums", 2}, {"xty", 5}, {"gradient", 4}});
  if (!PG_ARGISNULL(0)) (void)parse_family(text_arg(fcinfo, 0), shard);
  if (!PG_ARGISNULL(1)) (void)parse_aggregation(text_arg(fcinfo, 1));
  if (!PG_ARGISNULL(2)) (void)parse_choice<int>("on_failure", text_arg(fcinfo, 2), {{"error", 0}, {"stop", 1}});
  return BoolGetDatum(true);
}

// _dist_labels(source, label): the numeric column `label` of the query, in row order (no NULL).
Datum dist_labels_body(FunctionCallInfo fcinfo) {
  require_not_null(fcinfo, 0, "source");
  require_not_null(fcinfo, 1, "label");
  const std::string sql = text_arg(fcinfo, 0);
  const std::string label = text_arg(fcinfo, 1);
  const QueryTable t = read_query(sql, "source", {{label, ColumnType::Float, true}});
  t.require_no_nulls(label, "source");
  const std::vector<double>& y = t.column(label).num;
  return float8_array_datum(y.data(), static_cast<std::int64_t>(y.size()), "labels");
}

}  // namespace
}  // namespace morpheus::pg

MORPHEUS_FUNCTION(dist_worker_message, morpheus::pg::dist_worker_message_body)
MORPHEUS_FUNCTION(_dist_step, morpheus::pg::dist_step_body)
MORPHEUS_FUNCTION(dist_partitions, morpheus::pg::dist_partitions_body)
MORPHEUS_FUNCTION(_dist_options, morpheus::pg::dist_options_body)
MORPHEUS_FUNCTION(_dist_labels, morpheus::pg::dist_labels_body)
