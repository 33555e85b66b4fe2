// Factorized versus materialized ML on the real normalized datasets of the Morpheus papers, in the same run:
// linear regression (GD), logistic regression (GD), k-means (k = 10) and GNMF (rank 5), 20 iterations each, as in the
// paper. The materialized baseline is the join as one sparse CSR matrix (MorpheusPy's SciPy baseline; the one-hot
// join is far too wide to materialize densely). Data preparation is excluded, as in the paper.
//   build/ml_real_bench [DATA_DIR] [DATASET ...]      (default ../shared/data/morpheus, all five)
#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

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

namespace {

struct Published {
  double linreg, logreg, kmeans, gnmf;  // MorpheusR speed-ups (paper Table)
  double py_ls, py_lr, py_km, py_nmf;   // MorpheusPy
};

const std::map<std::string, Published> kPublished = {
    {"Yelp", {36.4, 30.1, 6.1, 12.0, 11.7, 6.2, 6.1, 5.1}}, {"Walmart", {10.9, 9.8, 2.0, 2.8, 4.9, 3.1, 4.1, 4.2}},
    {"LastFM", {11.0, 8.7, 2.3, 3.4, 10.2, 3.2, 3.4, 3.7}}, {"BookCrossing", {5.2, 3.9, 1.3, 1.4, 5.6, 2.2, 2.1, 2.4}},
    {"Flights", {4.4, 3.4, 1.8, 2.0, 4.4, 4.0, 5.3, 4.7}},
};

template <class F>
double seconds(F&& f) {
  const auto a = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - a).count();
}

double run(const DataMatrix& m, const Eigen::VectorXd& y, const std::string& algo) {
  NoProgress np;
  return seconds([&] {
    if (algo == "linreg") {
      LinregOptions o;
      o.method = LinregMethod::GradientDescent;
      o.max_iterations = 20;
      o.learning_rate = 1e-6;
      o.tolerance = 0;
      linreg(m, y, o, np);
    } else if (algo == "logreg") {
      LogregOptions o;
      o.method = LogregMethod::GradientDescent;
      o.max_iterations = 20;
      o.learning_rate = 1e-3;
      o.tolerance = 0;
      Eigen::VectorXd labels = (y.array() > 2.5).cast<double>();  // the MorpheusR demo's binarization
      logreg(m, labels, o, np);
    } else if (algo == "kmeans") {
      KmeansOptions o;
      o.k = 10;
      o.max_iterations = 20;
      kmeans(m, o, np);
    } else {
      GnmfOptions o;
      o.rank = 5;
      o.max_iterations = 20;
      gnmf(m, o, np);
    }
  });
}

}  // namespace

int main(int argc, char** argv) {
  openblas_set_num_threads(1);
  const std::string dir = argc > 1 ? argv[1] : "../shared/data/morpheus";
  std::vector<std::string> names;
  for (int i = 2; i < argc; ++i) names.push_back(argv[i]);
  if (names.empty()) names = {"Flights", "BookCrossing", "Walmart", "Yelp", "LastFM"};
  std::printf("ml_real_bench: %s, 20 iterations, single thread; materialized = sparse CSR join\n", dir.c_str());
  std::printf("%-13s %-7s %10s %10s %8s %10s %10s   plan(rule/cost per table)\n", "dataset", "algo", "mat_s", "fact_s",
              "speedup", "paper_R", "paper_Py");
  for (const auto& name : names) {
    bench::Dataset ds;
    try {
      ds = bench::load_dataset(dir, name);
    } catch (const std::exception& e) {
      std::printf("%-13s skipped: %s\n", name.c_str(), e.what());
      continue;
    }
    const SparseDataMatrix mat(materialize_sparse(ds.t));
    const NormalizedDataMatrix fact(ds.t);
    std::string plan;
    for (const auto& d : make_plan(ds.t, PlanOptions{}).tables)
      plan +=
          std::string(plan.empty() ? "" : " ") + (d.rule_factorize ? "F" : "M") + "/" + (d.cost_factorize ? "F" : "M");
    const Published& p = kPublished.at(name);
    const double pr[4] = {p.linreg, p.logreg, p.kmeans, p.gnmf}, pp[4] = {p.py_ls, p.py_lr, p.py_km, p.py_nmf};
    const char* algos[4] = {"linreg", "logreg", "kmeans", "gnmf"};
    for (int a = 0; a < 4; ++a) {
      const double tm = run(mat, ds.y, algos[a]);
      const double tf = run(fact, ds.y, algos[a]);
      std::printf("%-13s %-7s %10.3f %10.3f %7.2fx %9.1fx %9.1fx   %s\n", name.c_str(), algos[a], tm, tf, tm / tf,
                  pr[a], pp[a], plan.c_str());
      std::fflush(stdout);
    }
  }
  return 0;
}
