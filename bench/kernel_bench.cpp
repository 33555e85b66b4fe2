// Per-iteration cost of the factorized passes on one real dataset, in the core (no SQL): linear and logistic
// regression by gradient descent, k-means and GNMF, 20 iterations, with a thread count; for profiling
// (perf record build/kernel_bench ...) and the threads speed-up without the SQL layer.
//   build/kernel_bench DATA_DIR DATASET [threads=1] [algos=ls,lr,km,nmf | phases | cp] [reps=3]
//   [plan=factorized|streamed|gathered|csr]
// (streamed: every attribute table run as the materialized join row by row, as morpheus.factorize = never does;
// gathered: every attribute table gathered once into a block of the join's rows, then run as the streamed rows;
// csr: the join built once into a CSR matrix, built outside the clock)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>

#include "core/ml/gnmf.hpp"
#include "core/ml/kmeans.hpp"
#include "core/ml/linreg.hpp"
#include "core/ml/logreg.hpp"
#include "core/ml/normalized_data_matrix.hpp"
#include "core/ml/plan.hpp"
#include "morpheus_files.hpp"

extern "C" void openblas_set_num_threads(int);

using namespace morpheus;
using namespace morpheus::ml;

int main(int argc, char** argv) {
  openblas_set_num_threads(1);
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s DATA_DIR DATASET [threads] [algos] [reps]\n", argv[0]);
    return 2;
  }
  const int threads = argc > 3 ? std::atoi(argv[3]) : 1;
  const std::string algos = argc > 4 ? argv[4] : "ls,lr,km,nmf";
  const int reps = argc > 5 ? std::atoi(argv[5]) : 3;
  const std::string plan = argc > 6 ? argv[6] : "factorized";
  const bench::Dataset ds = bench::load_dataset(argv[1], argv[2]);
  nm::KernelOptions o;
  o.threads = threads;
  if (plan == "streamed") o.streamed.assign(ds.t.parts().size(), true);
  std::unique_ptr<DataMatrix> tm;
  const auto g0 = std::chrono::steady_clock::now();
  const nm::NormalizedMatrix gathered =
      plan == "gathered" ? materialize_parts(ds.t, std::vector<bool>(ds.t.parts().size(), true)) : ds.t;
  if (plan == "gathered")
    std::printf("%s gathering the join: %.2f ms\n", argv[2],
                1e3 * std::chrono::duration<double>(std::chrono::steady_clock::now() - g0).count());
  if (plan == "csr")
    tm = std::make_unique<SparseDataMatrix>(materialize_sparse(ds.t));
  else
    tm = std::make_unique<NormalizedDataMatrix>(gathered, o);
  const DataMatrix& t = *tm;
  NoProgress np;
  if (algos == "phases") {  // one-column T x and T' p alone, best of reps x 20
    nm::Kernels k(ds.t, o);
    std::vector<double> x(static_cast<size_t>(ds.t.base_cols()), 1e-3), y(static_cast<size_t>(ds.t.base_rows()), 1.0);
    std::vector<double> tp(x.size());
    double lmm = 1e30, tmm = 1e30;
    for (int r = 0; r < reps * 20; ++r) {
      auto t0 = std::chrono::steady_clock::now();
      k.lmm(x.data(), 1, y.data());
      auto t1 = std::chrono::steady_clock::now();
      k.tmm(y.data(), 1, tp.data());
      auto t2 = std::chrono::steady_clock::now();
      lmm = std::min(lmm, std::chrono::duration<double>(t1 - t0).count());
      tmm = std::min(tmm, std::chrono::duration<double>(t2 - t1).count());
    }
    // the fused pass with a residual-like op (p = m - 1), the shape of one least-squares iteration
    struct Minus final : RowOp {
      void apply(int, std::int64_t, std::int64_t rows, const double* m, double* p) override {
        for (std::int64_t i = 0; i < rows; ++i) p[i] = m[i] - 1.0;
      }
    } op;
    double fused = 1e30;
    for (int r = 0; r < reps * 20; ++r) {
      auto t0 = std::chrono::steady_clock::now();
      k.pass(x.data(), 1, op, tp.data());
      fused = std::min(fused, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    std::printf("%s threads=%d: T x %.3f ms, T' p %.3f ms, fused pass %.3f ms (best)\n", argv[2], threads, 1e3 * lmm,
                1e3 * tmm, 1e3 * fused);
    return 0;
  }
  if (algos == "cp") {  // the sparse Gram matrix T'T alone, best of reps
    double best = 1e30;
    std::int64_t nnz = 0;
    for (int r = 0; r < reps; ++r) {
      const auto t0 = std::chrono::steady_clock::now();
      nnz = nm::crossprod_sparse(ds.t).nonZeros();
      best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    std::printf("%s crossprod_sparse: %.2f ms (best of %d), %lld stored entries\n", argv[2], 1e3 * best, reps,
                static_cast<long long>(nnz));
    return 0;
  }
  const Eigen::VectorXd labels = (ds.y.array() > 2.5).cast<double>();
  for (const std::string a : {"ls", "lr", "km", "nmf"}) {
    if (algos.find(a) == std::string::npos) continue;
    double best = 1e30;
    for (int r = 0; r < reps; ++r) {
      const auto t0 = std::chrono::steady_clock::now();
      if (a == "ls") {
        LinregOptions lo;
        lo.method = LinregMethod::GradientDescent, lo.max_iterations = 20, lo.learning_rate = 1e-6, lo.tolerance = 0;
        linreg(t, ds.y, lo, np);
      } else if (a == "lr") {
        LogregOptions lo;
        lo.method = LogregMethod::GradientDescent, lo.max_iterations = 20, lo.learning_rate = 1e-3, lo.tolerance = 0;
        logreg(t, labels, lo, np);
      } else if (a == "km") {
        KmeansOptions ko;
        ko.k = 10, ko.max_iterations = 20;
        kmeans(t, ko, np);
      } else {
        GnmfOptions go;
        go.rank = 5, go.max_iterations = 20;
        gnmf(t, go, np);
      }
      best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    std::printf("%s %s %s threads=%d: %.2f ms per call, %.3f ms per iteration (best of %d)\n", argv[2], a.c_str(),
                plan.c_str(), threads, 1e3 * best, 1e3 * best / 20, reps);
  }
  return 0;
}
