// Module entry: PG_MODULE_MAGIC, settings, and backend-wide setup (OpenBLAS threads, interrupt probe).
#include <cmath>
#include <cstdio>

#include "core/interrupt.hpp"
#include "core/ml/plan.hpp"
#include "pg/arrays.hpp"
#include "pg/dist/dist_settings.hpp"
#include "pg/guard.hpp"
#include "pg/settings.hpp"

extern "C" {
PG_MODULE_MAGIC;
void _PG_init(void);
// From OpenBLAS; declared here so that any BLAS-providing header layout works.
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
char* openblas_get_config(void);
}

namespace morpheus::pg {
namespace {

bool g_progress = false;
int g_blas_threads = 1;
int g_threads = 1;
int g_factorize = static_cast<int>(ml::FactorizeMode::Auto);
int g_plan_model = static_cast<int>(ml::PlanModel::Cost);
double g_tuple_ratio_min = 5;
double g_feature_ratio_min = 1;

const config_enum_entry kFactorizeModes[] = {{"auto", static_cast<int>(ml::FactorizeMode::Auto), false},
                                             {"always", static_cast<int>(ml::FactorizeMode::Always), false},
                                             {"never", static_cast<int>(ml::FactorizeMode::Never), false},
                                             {nullptr, 0, false}};
const config_enum_entry kPlanModels[] = {{"rule", static_cast<int>(ml::PlanModel::Rule), false},
                                         {"cost", static_cast<int>(ml::PlanModel::Cost), false},
                                         {nullptr, 0, false}};

// Read-only access to PostgreSQL's signal flags: safe from any C++ frame.
bool cancel_requested() { return InterruptPending && (QueryCancelPending || ProcDiePending); }

void assign_blas_threads(int newval, void*) { openblas_set_num_threads(newval); }

}  // namespace

bool progress_enabled() { return g_progress; }

ml::PlanOptions plan_options() {
  ml::PlanOptions o;
  o.mode = static_cast<ml::FactorizeMode>(g_factorize);
  o.model = static_cast<ml::PlanModel>(g_plan_model);
  o.tuple_ratio_min = g_tuple_ratio_min;
  o.feature_ratio_min = g_feature_ratio_min;
  return o;
}

namespace {
// Internal probe for the test suite: the thread count OpenBLAS reports in this backend, and its build.
Datum blas_info_body(FunctionCallInfo) {
  return text_datum(std::to_string(openblas_get_num_threads()) + " " + openblas_get_config());
}
}  // namespace
int blas_threads() { return g_blas_threads; }
int kernel_threads() { return g_threads; }

NoticeProgress::NoticeProgress(std::string label)
    : label_(std::move(label)),
      enabled_(g_progress),
      start_(std::chrono::steady_clock::now()),
      last_(start_ - std::chrono::seconds(10)) {}

void NoticeProgress::step(std::int64_t k, std::int64_t total, double loss) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (k < total && now - last_ < std::chrono::seconds(1)) return;
  last_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double eta = k > 0 ? elapsed * static_cast<double>(total - k) / static_cast<double>(k) : 0.0;
  char buf[256];
  if (std::isnan(loss))
    std::snprintf(buf, sizeof buf, "%s: step %lld of %lld, elapsed %.1f s, ETA %.1f s", label_.c_str(),
                  static_cast<long long>(k), static_cast<long long>(total), elapsed, eta);
  else
    std::snprintf(buf, sizeof buf, "%s: step %lld of %lld, loss %.6g, elapsed %.1f s, ETA %.1f s", label_.c_str(),
                  static_cast<long long>(k), static_cast<long long>(total), loss, elapsed, eta);
  notice(buf);
}

}  // namespace morpheus::pg

MORPHEUS_FUNCTION(_blas_info, morpheus::pg::blas_info_body)

extern "C" void _PG_init(void) {
  using namespace morpheus::pg;
  DefineCustomIntVariable("morpheus.blas_threads", "Threads OpenBLAS may use inside one backend.",
                          "Backends are processes: more than one thread per backend oversubscribes the cores "
                          "when several sessions compute at once.",
                          &g_blas_threads, 1, 1, 256, PGC_USERSET, 0, nullptr, assign_blas_threads, nullptr);
  DefineCustomIntVariable("morpheus.threads",
                          "Threads of the factorized ML passes (linreg, logreg, kmeans, gnmf on an nmatrix).",
                          "Opt-in: results are identical in every bit for any value; more than one thread per backend "
                          "oversubscribes the cores when several sessions compute at once.",
                          &g_threads, 1, 1, 64, PGC_USERSET, 0, nullptr, nullptr, nullptr);
  DefineCustomBoolVariable("morpheus.progress", "Emit NOTICE lines (step k of N, loss, elapsed, ETA) on long work.",
                           nullptr, &g_progress, false, PGC_USERSET, 0, nullptr, nullptr, nullptr);
  DefineCustomEnumVariable("morpheus.factorize",
                           "Normalized matrices: factorize (always), materialize (never), or decide per attribute "
                           "table (auto).",
                           nullptr, &g_factorize, static_cast<int>(morpheus::ml::FactorizeMode::Auto), kFactorizeModes,
                           PGC_USERSET, 0, nullptr, nullptr, nullptr);
  DefineCustomEnumVariable("morpheus.plan_model",
                           "How auto decides: the tuple/feature-ratio rule, or the cost model calibrated on this "
                           "machine.",
                           nullptr, &g_plan_model, static_cast<int>(morpheus::ml::PlanModel::Cost), kPlanModels,
                           PGC_USERSET, 0, nullptr, nullptr, nullptr);
  DefineCustomRealVariable("morpheus.tuple_ratio_threshold",
                           "The rule factorizes an attribute table only if n_S / n_R reaches this.", nullptr,
                           &g_tuple_ratio_min, 5.0, 0.0, 1e9, PGC_USERSET, 0, nullptr, nullptr, nullptr);
  DefineCustomRealVariable("morpheus.feature_ratio_threshold",
                           "The rule factorizes an attribute table only if its stored entries per row over the "
                           "entity table's reach this.",
                           nullptr, &g_feature_ratio_min, 1.0, 0.0, 1e9, PGC_USERSET, 0, nullptr, nullptr, nullptr);
  DefineCustomIntVariable("morpheus.worker_id",
                          "This node's worker number (1..n, its position in the PL/Proxy cluster) for distributed "
                          "DRACO; 0 = not a worker.",
                          nullptr, &g_dist_worker_id, 0, 0, 1000, PGC_SUSET, 0, nullptr, nullptr, nullptr);
  DefineCustomEnumVariable("morpheus.worker_attack",
                           "Byzantine behaviour of this worker node in distributed DRACO (for robustness tests).",
                           nullptr, &g_dist_worker_attack, 0, kDistAttacks, PGC_SUSET, 0, nullptr, nullptr, nullptr);
  DefineCustomRealVariable("morpheus.worker_attack_scale",
                           "Strength of morpheus.worker_attack; 0 = the attack's default (signflip 100, constant "
                           "-100, gaussian 100).",
                           nullptr, &g_dist_worker_attack_scale, 0.0, -1e12, 1e12, PGC_SUSET, 0, nullptr, nullptr,
                           nullptr);
  MarkGUCPrefixReserved("morpheus");
  openblas_set_num_threads(g_blas_threads);
  morpheus::set_interrupt_probe(cancel_requested);
}
