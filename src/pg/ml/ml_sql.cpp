// SQL entry points of the ML algorithms (linreg, logreg, kmeans, gnmf). Each algorithm is written once over
// morpheus::ml::DataMatrix; the argument x decides which implementation runs (see ml_data.hpp).
#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "core/ml/gnmf.hpp"
#include "core/ml/kmeans.hpp"
#include "core/ml/linreg.hpp"
#include "core/ml/logreg.hpp"
#include "pg/arrays.hpp"
#include "pg/guard.hpp"
#include "pg/ml/ml_args.hpp"
#include "pg/ml/ml_data.hpp"
#include "pg/ml/ml_model.hpp"
#include "pg/settings.hpp"
#include "pg/srf.hpp"

namespace morpheus::pg {
namespace {

using ml::Mat;
using ml::Vec;

ml::Vec target_arg(FunctionCallInfo fcinfo, int argno, const char* name) {
  const VectorArg y = vector_arg(fcinfo, argno, name);
  return y.map();
}

Datum matrix_column(const Mat& m, const char* what) {
  const RowMatrix rm = m;
  return float8_matrix_datum(ConstRowMap(rm.data(), rm.rows(), rm.cols()), what);
}

// linreg(x | t, y, method, max_iterations, learning_rate, tolerance, l2)
//   -> (coefficients float8[], iterations int, loss float8[], grad_norm float8[], converged boolean)
Datum linreg_body(FunctionCallInfo fcinfo) {
  const auto x = data_matrix_arg(fcinfo, 0);
  const Vec y = target_arg(fcinfo, 1, "y");
  ml::LinregOptions o;
  o.method = linreg_method_arg(fcinfo, 2);
  read_solver_args(fcinfo, 3, o);
  if (o.method == ml::LinregMethod::Normal)
    require_gram_fits(x->cols(), "linreg with method => 'normal'", "Use method => 'gd', which needs no Gram matrix.");
  NoticeProgress progress("linreg");
  const ml::LinregResult r = ml::linreg(*x, y, o, progress);
  if (!r.converged)
    warn_not_converged("linreg", r.trace.back().iteration, "gradient norm " + short_number(r.final_grad_norm),
                       "Raise max_iterations, scale the columns of x (mean 0, standard deviation 1), or use method => "
                       "'normal'.");
  return regression_row(fcinfo, r.weights, r.trace, r.converged);
}

// logreg(x, y, method, iterations, learning_rate, tolerance, l2)
Datum logreg_body(FunctionCallInfo fcinfo) {
  const auto x = data_matrix_arg(fcinfo, 0);
  const VectorArg yarg = vector_arg(fcinfo, 1, "y", Finite::Allow);
  const Vec y = yarg.map();
  ml::LogregOptions o;
  o.method = logreg_method_arg(fcinfo, 2);
  read_solver_args(fcinfo, 3, o);
  NoticeProgress progress("logreg");
  const ml::LogregResult r = ml::logreg(*x, y, o, progress);
  if (!r.converged)
    warn_not_converged("logreg", r.trace.back().iteration, "gradient norm " + short_number(r.final_grad_norm),
                       "Raise max_iterations, scale the columns of x, or add a penalty (l2 => 0.01): separable "
                       "classes have no finite optimum.");
  return regression_row(fcinfo, r.weights, r.trace, r.converged);
}

// kmeans(x, k, iterations, seed) -> (centers float8[][], assignment int[], iterations int, loss float8[])
Datum kmeans_body(FunctionCallInfo fcinfo) {
  const auto x = data_matrix_arg(fcinfo, 0);
  ml::KmeansOptions o;
  o.k = int_arg(fcinfo, 1, "k");
  check_allocation(8.0 * x->cols() * std::max(1, o.k), "k centers of " + std::to_string(x->cols()) + " columns",
                   "Choose a smaller k.");
  o.max_iterations = int_arg(fcinfo, 2, "max_iterations");
  o.seed = static_cast<std::uint64_t>(int_arg(fcinfo, 3, "seed"));
  NoticeProgress progress("kmeans");
  const ml::KmeansResult r = ml::kmeans(*x, o, progress);
  if (!r.converged)
    warn_not_converged("kmeans", r.trace.back().iteration, "cluster assignments still changing",
                       "Raise max_iterations.");
  std::vector<std::int32_t> assignment(r.assignment.size());
  for (size_t i = 0; i < assignment.size(); ++i) assignment[i] = r.assignment[i] + 1;
  SrfWriter out(fcinfo);
  Datum values[5] = {matrix_column(r.centers, "centers"),
                     int4_array_datum(assignment.data(), static_cast<std::int64_t>(assignment.size()), "assignment"),
                     Int32GetDatum(r.trace.back().iteration), trace_column(r.trace, false), BoolGetDatum(r.converged)};
  const bool nulls[5] = {false, false, false, false, false};
  out.put(values, nulls);
  return (Datum)0;
}

// gnmf(x, rank, iterations, seed) -> (w float8[][], h float8[][], iterations int, loss float8[])
Datum gnmf_body(FunctionCallInfo fcinfo) {
  const auto x = data_matrix_arg(fcinfo, 0);
  ml::GnmfOptions o;
  o.rank = int_arg(fcinfo, 1, "rank");
  check_allocation(8.0 * std::max(x->rows(), x->cols()) * std::max(1, o.rank),
                   "factors of rank " + std::to_string(o.rank) + " for x of " + std::to_string(x->rows()) + "x" +
                       std::to_string(x->cols()),
                   "Choose a rank no larger than the smaller side of x.");
  o.max_iterations = int_arg(fcinfo, 2, "max_iterations");
  o.seed = static_cast<std::uint64_t>(int_arg(fcinfo, 3, "seed"));
  o.tolerance = float_arg(fcinfo, 4, "tolerance");
  NoticeProgress progress("gnmf");
  const ml::GnmfResult r = ml::gnmf(*x, o, progress);
  if (!r.converged)
    warn_not_converged("gnmf", r.trace.back().iteration, "the loss still falling",
                       "Raise max_iterations, or tolerance.");
  SrfWriter out(fcinfo);
  Datum values[5] = {matrix_column(r.w, "w"), matrix_column(r.h, "h"), Int32GetDatum(r.trace.back().iteration),
                     trace_column(r.trace, false), BoolGetDatum(r.converged)};
  const bool nulls[5] = {false, false, false, false, false};
  out.put(values, nulls);
  return (Datum)0;
}

}  // namespace
}  // namespace morpheus::pg

MORPHEUS_FUNCTION(linreg, morpheus::pg::linreg_body)
MORPHEUS_FUNCTION(logreg, morpheus::pg::logreg_body)
MORPHEUS_FUNCTION(kmeans, morpheus::pg::kmeans_body)
MORPHEUS_FUNCTION(gnmf, morpheus::pg::gnmf_body)
