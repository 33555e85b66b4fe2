// The extension's settings (GUCs), registered in _PG_init (module.cpp), and the NOTICE-based progress reporter.
#pragma once

#include <chrono>
#include <string>

#include "core/ml/plan.hpp"
#include "core/progress.hpp"

namespace morpheus::pg {

// morpheus.progress: emit NOTICE lines on long work.
bool progress_enabled();
// morpheus.blas_threads: threads OpenBLAS may use inside this backend.
int blas_threads();
// morpheus.threads: threads of the factorized ML passes (core/nmatrix/kernels.hpp).
int kernel_threads();
// morpheus.factorize, morpheus.plan_model, morpheus.tuple_ratio_threshold, morpheus.feature_ratio_threshold.
ml::PlanOptions plan_options();

// Reports "label: step k of N, loss, elapsed, ETA" as NOTICEs when morpheus.progress is on, at most once a second
// and always for the last step.
class NoticeProgress final : public Progress {
 public:
  explicit NoticeProgress(std::string label);
  void step(std::int64_t k, std::int64_t total, double loss) override;

 private:
  std::string label_;
  bool enabled_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace morpheus::pg
