#include "pg/sweep/sweep_args.hpp"

#include <algorithm>
#include <cmath>

#include "pg/arrays.hpp"
#include "pg/guard.hpp"

namespace morpheus::pg {

namespace {
std::string num(std::int64_t v) { return std::to_string(v); }
}  // namespace

std::uint64_t seed_arg(FunctionCallInfo fcinfo, int argno) {
  return static_cast<std::uint64_t>(static_cast<std::int64_t>(int_arg(fcinfo, argno, "seed")));
}

std::int64_t classes_arg(FunctionCallInfo fcinfo, int argno) {
  if (PG_ARGISNULL(argno)) return 0;
  const std::int32_t c = PG_GETARG_INT32(argno);
  if (c < 2 || c > 100000)
    throw invalid_parameter("classes = " + num(c) + " is outside 2..100000",
                            "Pass the number of classes, or NULL to use max(label) + 1.");
  return c;
}

void require_int_range(std::int64_t v, std::int64_t lo, std::int64_t hi, const char* name, const char* hint) {
  if (v < lo || v > hi)
    throw invalid_parameter(std::string(name) + " = " + num(v) + " is outside " + num(lo) + ".." + num(hi), hint);
}

std::vector<std::int64_t> int_list(FunctionCallInfo fcinfo, int argno, const char* name) {
  const IntVectorArg a = int_vector_arg(fcinfo, argno, name, true);
  return std::vector<std::int64_t>(a.data, a.data + a.size);
}

void require_unique_ints(std::vector<std::int64_t> v, const char* name) {
  std::sort(v.begin(), v.end());
  for (std::size_t i = 1; i < v.size(); ++i)
    if (v[i] == v[i - 1])
      throw invalid_parameter(std::string(name) + " lists " + num(v[i]) + " twice", "List each value once.");
}

void check_confidence(double c) {
  if (!(c > 0 && c < 1))
    throw invalid_parameter("confidence = " + format_number(c) + " is outside (0, 1)", "Use e.g. 0.95.");
}

SweepCall sweep_args(FunctionCallInfo fcinfo, int base) {
  SweepCall c;
  sweep::SweepOptions& o = c.opt;
  c.spec.source = string_arg(fcinfo, base + 0, "source");
  o.param_budget = int_arg(fcinfo, base + 1, "param_budget");
  o.depths = int_list(fcinfo, base + 2, "depths");
  o.batch_sizes = int_list(fcinfo, base + 3, "batch_sizes");
  o.seeds = int_list(fcinfo, base + 4, "seeds");
  o.tuning_seeds = int_list(fcinfo, base + 5, "tuning_seeds");
  const VectorArg t = vector_arg(fcinfo, base + 6, "target_losses", Finite::Require, true);
  o.target_losses.assign(t.data, t.data + t.size);
  o.learning_rate = float_arg(fcinfo, base + 7, "learning_rate");
  o.min_learning_rate = float_arg(fcinfo, base + 8, "min_learning_rate");
  o.max_learning_rate = float_arg(fcinfo, base + 9, "max_learning_rate");
  o.max_epochs = int_arg(fcinfo, base + 10, "max_epochs");
  c.spec.label = string_arg(fcinfo, base + 11, "label");
  c.spec.features = text_array_arg(fcinfo, base + 12, "features");
  o.family = sweep::parse_family(string_arg(fcinfo, base + 13, "architecture"));
  o.loss = sweep::parse_loss(string_arg(fcinfo, base + 14, "loss_function"));
  c.spec.classes = classes_arg(fcinfo, base + 15);
  o.evals_per_epoch = int_arg(fcinfo, base + 16, "evals_per_epoch");
  o.eval_rows = PG_ARGISNULL(base + 17) ? 0 : PG_GETARG_INT32(base + 17);
  if (!PG_ARGISNULL(base + 17) && o.eval_rows < 1)
    throw invalid_parameter("eval_rows = " + num(o.eval_rows) + " must be positive",
                            "Pass NULL to evaluate the loss on every training row.");
  o.init = sweep::parse_init(string_arg(fcinfo, base + 18, "initialization"));
  o.residual_scale = float_arg(fcinfo, base + 19, "residual_scale");
  sweep::validate_sweep_grid(o);  // a bad grid fails before the query runs
  return c;
}

}  // namespace morpheus::pg
