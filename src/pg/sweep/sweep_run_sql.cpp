// SQL entry points of multi-seed width sweeps: width_sweep (rows returned at the end), the procedure width_sweep_run
// (rows persisted and committed one run at a time into a table the caller names, so a cancel keeps the finished runs
// and a new call with the same settings resumes), width_sweep_cost (minutes before running), and the readings of a
// results table: width_sweep_fit, width_sweep_summary, width_sweep_verdict.
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "core/sweep/analysis.hpp"
#include "core/sweep/cost.hpp"
#include "core/sweep/sweep.hpp"
#include "pg/arrays.hpp"
#include "pg/guard.hpp"
#include "pg/settings.hpp"
#include "pg/spi_query.hpp"
#include "pg/srf.hpp"
#include "pg/sweep/sweep_args.hpp"
#include "pg/sweep/sweep_source.hpp"

extern "C" {
#include "catalog/namespace.h"
#include "nodes/parsenodes.h"
#include "utils/acl.h"
#include "utils/regproc.h"
}

namespace morpheus::pg {
namespace {

using namespace morpheus::sweep;

constexpr double kInf = std::numeric_limits<double>::infinity();

// The columns of a run row, in the order of width_sweep's result and of a results table.
constexpr const char* kRunColumns =
    "depth, width, params, batch_size, seed, role, learning_rate, target_loss, reached, epochs_to_target, "
    "iterations_to_target, final_loss, epochs_run, diverged, stopped_early, rate_at_edge, train_ms, run_ms, "
    "train_gflop, settings";
constexpr int kRunCols = 20;
constexpr const char* kResultsTableDdl =
    "(depth int NOT NULL, width int NOT NULL, params bigint NOT NULL, batch_size int NOT NULL, seed int NOT NULL, "
    "role text NOT NULL, learning_rate float8 NOT NULL, target_loss float8 NOT NULL, reached boolean NOT NULL, "
    "epochs_to_target float8, iterations_to_target float8, final_loss float8, epochs_run float8 NOT NULL, "
    "diverged boolean NOT NULL, stopped_early boolean NOT NULL, rate_at_edge boolean NOT NULL, train_ms float8, "
    "run_ms float8, train_gflop float8, settings text NOT NULL, finished_at timestamptz NOT NULL DEFAULT "
    "clock_timestamp())";

// Datums of one row; text datums are palloc'd in the current memory context.
void row_datums(const RunRow& r, const std::string& settings, Datum* v, bool* n) {
  const std::string role = role_name(r.role);
  v[0] = Int32GetDatum(static_cast<std::int32_t>(r.depth));
  v[1] = Int32GetDatum(static_cast<std::int32_t>(r.width));
  v[2] = Int64GetDatum(r.params);
  v[3] = Int32GetDatum(static_cast<std::int32_t>(r.batch_size));
  v[4] = Int32GetDatum(static_cast<std::int32_t>(r.seed));
  v[5] = text_datum(role);
  v[6] = Float8GetDatum(r.learning_rate);
  v[7] = Float8GetDatum(r.target_loss);
  v[8] = BoolGetDatum(r.reached);
  v[9] = Float8GetDatum(r.epochs_to_target);
  v[10] = Float8GetDatum(r.iterations_to_target);
  v[11] = Float8GetDatum(r.final_loss);
  v[12] = Float8GetDatum(r.epochs_run);
  v[13] = BoolGetDatum(r.diverged);
  v[14] = BoolGetDatum(r.stopped_early);
  v[15] = BoolGetDatum(r.rate_at_edge);
  v[16] = Float8GetDatum(r.train_ms);
  v[17] = Float8GetDatum(r.run_ms);
  v[18] = Float8GetDatum(r.train_gflop);
  v[19] = text_datum(settings);
  for (int i = 0; i < kRunCols; ++i) n[i] = false;
  n[9] = n[10] = !r.reached;
  n[11] = !std::isfinite(r.final_loss);
}

// ---- width_sweep(<sweep arguments>)
// ----------------------------------------------------------------------------------
Datum width_sweep_body(FunctionCallInfo fcinfo) {
  const SweepCall c = sweep_args(fcinfo, 0);
  const Dataset data = read_labelled_source(c.spec);
  validate_sweep(c.opt, data);
  const std::string settings = sweep_settings(c.opt, data);
  NoticeProgress progress("width_sweep run");
  const std::vector<RunRow> rows = width_sweep(data, c.opt, nullptr, &progress);
  SrfWriter w(fcinfo);
  for (const RunRow& r : rows) {
    Datum v[kRunCols];
    bool n[kRunCols];
    row_datums(r, settings, v, n);
    w.put(v, n);
  }
  return Datum(0);
}

// ---- reading a results table (or query)
// ------------------------------------------------------------------------------ full: also the columns a resumed sweep
// needs. settings: only rows of that sweep (empty: all rows, which must then come from one sweep).
std::vector<RunRow> read_runs(const std::string& results, bool full, const std::string& settings) {
  const std::string inner = source_query(results, "results");
  std::string q =
      "SELECT depth, width, params, batch_size, seed, role, learning_rate, target_loss, reached::int AS "
      "reached, epochs_to_target, iterations_to_target, rate_at_edge::int AS rate_at_edge, settings";
  if (full)
    q += ", final_loss, epochs_run, diverged::int AS diverged, stopped_early::int AS stopped_early, train_ms, run_ms, "
         "train_gflop";
  q += " FROM (" + inner + ") AS morpheus_results";
  if (!settings.empty()) q += " WHERE settings = '" + settings + "'";  // 16 hex digits: nothing to quote
  std::vector<ColumnRequest> req{{"depth", ColumnType::Integer},
                                 {"width", ColumnType::Integer},
                                 {"params", ColumnType::Integer},
                                 {"batch_size", ColumnType::Integer},
                                 {"seed", ColumnType::Integer},
                                 {"role", ColumnType::Text},
                                 {"learning_rate", ColumnType::Float},
                                 {"target_loss", ColumnType::Float},
                                 {"reached", ColumnType::Integer},
                                 {"epochs_to_target", ColumnType::Float},
                                 {"iterations_to_target", ColumnType::Float},
                                 {"rate_at_edge", ColumnType::Integer},
                                 {"settings", ColumnType::Text}};
  if (full)
    for (const char* name :
         {"final_loss", "epochs_run", "diverged", "stopped_early", "train_ms", "run_ms", "train_gflop"})
      req.push_back({name, std::string(name) == "diverged" || std::string(name) == "stopped_early"
                               ? ColumnType::Integer
                               : ColumnType::Float});
  const QueryTable t = read_query(q, "results", req);
  for (const char* name : {"depth", "width", "params", "batch_size", "seed", "role", "learning_rate", "target_loss",
                           "reached", "rate_at_edge", "settings"})
    t.require_no_nulls(name, "results");
  std::set<std::string> sweeps;
  std::vector<RunRow> rows(static_cast<std::size_t>(t.rows));
  auto f = [&](const char* name, std::int64_t i, double null_value) {
    const ColumnData& c = t.column(name);
    return c.is_null[static_cast<std::size_t>(i)] ? null_value : c.num[static_cast<std::size_t>(i)];
  };
  auto in = [&](const char* name, std::int64_t i) { return t.column(name).ints[static_cast<std::size_t>(i)]; };
  for (std::int64_t i = 0; i < t.rows; ++i) {
    RunRow& r = rows[static_cast<std::size_t>(i)];
    r.depth = in("depth", i);
    r.width = in("width", i);
    r.params = in("params", i);
    r.batch_size = in("batch_size", i);
    r.seed = in("seed", i);
    const std::string& role = t.column("role").text[static_cast<std::size_t>(i)];
    if (role != "tune" && role != "eval")
      throw invalid_parameter("role is \"" + role + "\" in row " + std::to_string(i + 1) + " of results",
                              "Rows come from morpheus.width_sweep: role is 'tune' or 'eval'.");
    r.role = role == "tune" ? Role::Tune : Role::Eval;
    r.learning_rate = f("learning_rate", i, 0);
    r.target_loss = f("target_loss", i, 0);
    r.reached = in("reached", i) != 0;
    r.epochs_to_target = f("epochs_to_target", i, 0);
    r.iterations_to_target = f("iterations_to_target", i, 0);
    r.rate_at_edge = in("rate_at_edge", i) != 0;
    sweeps.insert(t.column("settings").text[static_cast<std::size_t>(i)]);
    if (full) {
      r.final_loss = f("final_loss", i, kInf);
      r.epochs_run = f("epochs_run", i, 0);
      r.diverged = !t.column("diverged").is_null[static_cast<std::size_t>(i)] && in("diverged", i) != 0;
      r.stopped_early = !t.column("stopped_early").is_null[static_cast<std::size_t>(i)] && in("stopped_early", i) != 0;
      r.train_ms = f("train_ms", i, 0);
      r.run_ms = f("run_ms", i, 0);
      r.train_gflop = f("train_gflop", i, 0);
    }
  }
  if (settings.empty() && sweeps.size() > 1)
    throw invalid_parameter(
        "results holds rows of " + std::to_string(sweeps.size()) + " different sweeps (settings values)",
        "Pass a query selecting one sweep, e.g. 'SELECT * FROM runs WHERE settings = ''...'''.");
  validate_results(rows, "results");
  return rows;
}

// ---- width_sweep_run(results, <sweep arguments>): a procedure
// --------------------------------------------------------- Rows go into `results` one run at a time; in a non-atomic
// CALL (not inside a transaction block) each run is committed, so a cancel keeps every finished run and a new CALL with
// the same settings resumes where it stopped.
class TableStore final : public RunStore {
 public:
  TableStore(std::string table, std::string settings, bool commit, const std::vector<RunRow>& existing)
      : table_(std::move(table)), settings_(std::move(settings)), commit_(commit) {
    for (const RunRow& r : existing)
      found_[{r.depth, r.batch_size, r.seed, static_cast<int>(r.role), r.learning_rate}].push_back(r);
    insert_ = "INSERT INTO " + table_ + " (" + kRunColumns +
              ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)";
  }

  bool find(std::int64_t depth, std::int64_t batch, std::int64_t seed, Role role, double rate,
            std::vector<RunRow>* rows) override {
    auto it = found_.find({depth, batch, seed, static_cast<int>(role), rate});
    if (it == found_.end()) return false;
    *rows = it->second;
    return true;
  }

  void put(const std::vector<RunRow>& rows) override {
    static const Oid types[kRunCols] = {INT4OID,   INT4OID, INT8OID,   INT4OID,   INT4OID,   TEXTOID,   FLOAT8OID,
                                        FLOAT8OID, BOOLOID, FLOAT8OID, FLOAT8OID, FLOAT8OID, FLOAT8OID, BOOLOID,
                                        BOOLOID,   BOOLOID, FLOAT8OID, FLOAT8OID, FLOAT8OID, TEXTOID};
    for (const RunRow& r : rows) {
      Datum v[kRunCols];
      bool n[kRunCols];
      row_datums(r, settings_, v, n);
      char nulls[kRunCols];
      for (int i = 0; i < kRunCols; ++i) nulls[i] = n[i] ? 'n' : ' ';
      const char* sql = insert_.c_str();
      const int rc = pg_call([sql, &v, &nulls] {
        return SPI_execute_with_args(sql, kRunCols, const_cast<Oid*>(types), v, nulls, false, 0);
      });
      if (rc != SPI_OK_INSERT)
        throw Error(ErrorKind::Internal, "inserting into results failed: " +
                                             std::string(pg_call([rc] { return SPI_result_code_string(rc); })));
    }
    if (commit_) pg_call([] { SPI_commit(); });
  }

 private:
  std::string table_;
  std::string settings_;
  bool commit_;
  std::string insert_;
  std::map<std::tuple<std::int64_t, std::int64_t, std::int64_t, int, double>, std::vector<RunRow>> found_;
};

// Creates the results table when it does not exist, in a schema the caller owns (or pg_temp); returns its quoted,
// qualified name.
std::string prepare_results_table(const std::string& name) {
  bool exists = false;
  std::string table = quoted_relation(name, "results", &exists);
  if (exists) return table;
  const char* n = name.c_str();
  char* qualified = nullptr;
  pg_call([n, &qualified] {
    RangeVar* rv = makeRangeVarFromNameList(stringToQualifiedNameList(n));
    const Oid nsp = RangeVarGetCreationNamespace(rv);
    const char* schema = get_namespace_name(nsp);
    if (!isTempNamespace(nsp) && !pg_namespace_ownercheck(nsp, GetUserId()))
      ereport(ERROR,
              (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
               errmsg("results table %s does not exist and schema \"%s\" is not yours to create it in", n, schema),
               errhint("Name a table in a schema you own (or pg_temp), or create the table first with the "
                       "columns of morpheus.width_sweep.")));
    qualified = pstrdup(quote_qualified_identifier(schema, rv->relname));
  });
  table = qualified;
  const std::string ddl = "CREATE TABLE " + table + " " + kResultsTableDdl;
  const char* q = ddl.c_str();
  const int rc = pg_call([q] { return SPI_execute(q, false, 0); });
  if (rc != SPI_OK_UTILITY) throw Error(ErrorKind::Internal, "creating the results table failed");
  return table;
}

Datum width_sweep_run_body(FunctionCallInfo fcinfo) {
  const std::string results = string_arg(fcinfo, 0, "results");
  const SweepCall c = sweep_args(fcinfo, 1);
  const bool nonatomic = fcinfo->context != nullptr && IsA(fcinfo->context, CallContext) &&
                         !castNode(CallContext, fcinfo->context)->atomic;
  const int rc = pg_call([nonatomic] { return SPI_connect_ext(nonatomic ? SPI_OPT_NONATOMIC : 0); });
  if (rc != SPI_OK_CONNECT) throw Error(ErrorKind::Internal, "SPI_connect failed");
  // The table first: a refused name fails before the data is read (and a CREATE rolls back with any later error).
  const std::string table = prepare_results_table(results);
  const Dataset data = read_labelled_source(c.spec);
  validate_sweep(c.opt, data);
  const std::string settings = sweep_settings(c.opt, data);
  const std::vector<RunRow> existing = read_runs(table, true, settings);
  TableStore store(table, settings, nonatomic, existing);
  if (!nonatomic && progress_enabled())
    notice("width_sweep_run: called inside a transaction block, so rows are committed only with the transaction");
  NoticeProgress progress("width_sweep_run run");
  width_sweep(data, c.opt, &store, &progress);
  pg_call([] { SPI_finish(); });
  return Datum(0);
}

// ---- width_sweep_cost(<sweep arguments>, expected_epochs, rates_per_batch)
// --------------------------------------------
Datum width_sweep_cost_body(FunctionCallInfo fcinfo) {
  const SweepCall c = sweep_args(fcinfo, 0);
  const double expected = PG_ARGISNULL(kSweepArgs) ? 0.0 : float_arg(fcinfo, kSweepArgs, "expected_epochs");
  if (!PG_ARGISNULL(kSweepArgs) && !(expected > 0))
    throw invalid_parameter("expected_epochs = " + format_number(expected) + " must be positive",
                            "Pass NULL for the upper bound (every run to max_epochs).");
  const double rates = float_arg(fcinfo, kSweepArgs + 1, "rates_per_batch");
  const Dataset data = read_labelled_source(c.spec);
  validate_sweep(c.opt, data);
  const std::vector<CostRow> rows = sweep_cost(data.rows(), data.x.cols(), data.classes, c.opt, expected, rates);
  SrfWriter w(fcinfo);
  for (const CostRow& r : rows) {
    Datum v[9] = {Int32GetDatum(static_cast<std::int32_t>(r.depth)),
                  Int32GetDatum(static_cast<std::int32_t>(r.width)),
                  Int64GetDatum(r.params),
                  Int32GetDatum(static_cast<std::int32_t>(r.batch_size)),
                  Float8GetDatum(r.runs),
                  Float8GetDatum(r.epochs_per_run),
                  Float8GetDatum(r.gflop),
                  Float8GetDatum(r.ms_per_epoch),
                  Float8GetDatum(r.minutes)};
    bool n[9] = {false, false, false, false, false, false, false, false, false};
    w.put(v, n);
  }
  return Datum(0);
}

// ---- width_sweep_fit(results, critical_slack, confidence)
// --------------------------------------------------------------
Datum width_sweep_fit_body(FunctionCallInfo fcinfo) {
  const std::string results = string_arg(fcinfo, 0, "results");
  const double slack = float_arg(fcinfo, 1, "critical_slack");
  const double confidence = float_arg(fcinfo, 2, "confidence");
  if (!(slack >= 0))
    throw invalid_parameter("critical_slack = " + format_number(slack) + " must be non-negative",
                            "Use e.g. 0.2: the largest batch needing at most 20% more epochs than the smallest.");
  check_confidence(confidence);
  const FitReport rep = fit_report(read_runs(results, false, ""), slack, confidence);
  SrfWriter w(fcinfo);
  constexpr int kCols = 16;
  auto fin = [](double x) { return !std::isfinite(x); };
  for (const SeedFit& f : rep.seeds) {
    Datum v[kCols] = {Int32GetDatum(static_cast<std::int32_t>(f.depth)),
                      Int32GetDatum(static_cast<std::int32_t>(f.width)),
                      Int64GetDatum(f.params),
                      Float8GetDatum(f.target_loss),
                      Int32GetDatum(static_cast<std::int32_t>(f.seed)),
                      Int32GetDatum(static_cast<std::int32_t>(f.fit.points)),
                      Float8GetDatum(f.fit.s_min),
                      Float8GetDatum(f.fit.e_min),
                      Float8GetDatum(f.fit.b_crit),
                      Float8GetDatum(0),
                      Float8GetDatum(0),
                      Float8GetDatum(0),
                      Float8GetDatum(static_cast<double>(f.slack_batch)),
                      Int32GetDatum(1),
                      Int32GetDatum(f.fit.valid ? 1 : 0),
                      text_datum(f.fit.note)};
    bool n[kCols] = {false,
                     false,
                     false,
                     false,
                     false,
                     false,
                     fin(f.fit.s_min),
                     fin(f.fit.e_min),
                     !f.fit.valid,
                     true,
                     true,
                     true,
                     f.slack_batch == 0,
                     false,
                     false,
                     f.fit.note[0] == '\0'};
    w.put(v, n);
  }
  for (const DepthFit& a : rep.depths) {
    Datum v[kCols] = {Int32GetDatum(static_cast<std::int32_t>(a.depth)),
                      Int32GetDatum(static_cast<std::int32_t>(a.width)),
                      Int64GetDatum(a.params),
                      Float8GetDatum(a.target_loss),
                      Int32GetDatum(0),
                      Int32GetDatum(0),
                      Float8GetDatum(a.s_min_median),
                      Float8GetDatum(a.e_min_median),
                      Float8GetDatum(a.b_crit_geomean),
                      Float8GetDatum(a.b_crit_median),
                      Float8GetDatum(a.b_crit_lower),
                      Float8GetDatum(a.b_crit_upper),
                      Float8GetDatum(a.slack_batch_median),
                      Int32GetDatum(static_cast<std::int32_t>(a.seeds)),
                      Int32GetDatum(static_cast<std::int32_t>(a.valid)),
                      Datum(0)};
    bool n[kCols] = {false,
                     false,
                     false,
                     false,
                     true,
                     true,
                     fin(a.s_min_median),
                     fin(a.e_min_median),
                     fin(a.b_crit_geomean),
                     fin(a.b_crit_median),
                     fin(a.b_crit_lower),
                     fin(a.b_crit_upper),
                     fin(a.slack_batch_median),
                     false,
                     false,
                     true};
    w.put(v, n);
  }
  return Datum(0);
}

// ---- width_sweep_summary(results, confidence)
// -------------------------------------------------------------------------
Datum width_sweep_summary_body(FunctionCallInfo fcinfo) {
  const std::string results = string_arg(fcinfo, 0, "results");
  const double confidence = float_arg(fcinfo, 1, "confidence");
  check_confidence(confidence);
  const std::vector<BatchSummary> rows = batch_summary(read_runs(results, false, ""), confidence);
  SrfWriter w(fcinfo);
  constexpr int kCols = 13;
  auto fin = [](double x) { return !std::isfinite(x); };
  for (const BatchSummary& s : rows) {
    Datum v[kCols] = {Int32GetDatum(static_cast<std::int32_t>(s.depth)),
                      Int32GetDatum(static_cast<std::int32_t>(s.width)),
                      Int32GetDatum(static_cast<std::int32_t>(s.batch_size)),
                      Float8GetDatum(s.target_loss),
                      Float8GetDatum(s.learning_rate),
                      BoolGetDatum(s.rate_at_edge),
                      Int32GetDatum(static_cast<std::int32_t>(s.seeds)),
                      Int32GetDatum(static_cast<std::int32_t>(s.reached)),
                      Float8GetDatum(s.steps_median),
                      Float8GetDatum(s.epochs_median),
                      Float8GetDatum(s.steps_geomean),
                      Float8GetDatum(s.steps_lower),
                      Float8GetDatum(s.steps_upper)};
    bool n[kCols] = {false,
                     false,
                     false,
                     false,
                     false,
                     false,
                     false,
                     false,
                     fin(s.steps_median),
                     fin(s.epochs_median),
                     fin(s.steps_geomean),
                     fin(s.steps_lower),
                     fin(s.steps_upper)};
    w.put(v, n);
  }
  return Datum(0);
}

// ---- width_sweep_verdict(results, target_loss, large_batch, confidence, threshold)
// -----------------------------------
Datum width_sweep_verdict_body(FunctionCallInfo fcinfo) {
  const std::string results = string_arg(fcinfo, 0, "results");
  const double target = float_arg(fcinfo, 1, "target_loss");
  const std::int64_t large = PG_ARGISNULL(2) ? 0 : PG_GETARG_INT32(2);
  if (!PG_ARGISNULL(2) && large < 1)
    throw invalid_parameter("large_batch = " + std::to_string(large) + " must be positive",
                            "Pass NULL for the largest batch every run reached the target at.");
  const double confidence = float_arg(fcinfo, 3, "confidence");
  const double threshold = float_arg(fcinfo, 4, "threshold");
  check_confidence(confidence);
  const std::vector<Reading> rows = width_verdict(read_runs(results, false, ""), target, large, confidence, threshold);
  SrfWriter w(fcinfo);
  constexpr int kCols = 11;
  auto fin = [](double x) { return !std::isfinite(x); };
  for (const Reading& r : rows) {
    Datum v[kCols] = {text_datum(r.reading),
                      Float8GetDatum(r.target_loss),
                      Int32GetDatum(static_cast<std::int32_t>(r.batch_size)),
                      Float8GetDatum(r.estimate),
                      Float8GetDatum(r.lower),
                      Float8GetDatum(r.upper),
                      Int32GetDatum(static_cast<std::int32_t>(r.seeds_used)),
                      Int32GetDatum(static_cast<std::int32_t>(r.seeds_total)),
                      Float8GetDatum(r.ratio),
                      text_datum(r.verdict),
                      text_datum(r.rule)};
    bool n[kCols] = {false, false, r.batch_size == 0, fin(r.estimate), fin(r.lower), fin(r.upper),
                     false, false, fin(r.ratio),      false,           false};
    w.put(v, n);
  }
  return Datum(0);
}

}  // namespace
}  // namespace morpheus::pg

MORPHEUS_FUNCTION(width_sweep, morpheus::pg::width_sweep_body)
MORPHEUS_FUNCTION(width_sweep_run, morpheus::pg::width_sweep_run_body)
MORPHEUS_FUNCTION(width_sweep_cost, morpheus::pg::width_sweep_cost_body)
MORPHEUS_FUNCTION(width_sweep_fit, morpheus::pg::width_sweep_fit_body)
MORPHEUS_FUNCTION(width_sweep_summary, morpheus::pg::width_sweep_summary_body)
MORPHEUS_FUNCTION(width_sweep_verdict, morpheus::pg::width_sweep_verdict_body)
