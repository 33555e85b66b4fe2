// Factorized vs materialized linear algebra over a normalized matrix (PK-FK join), in the same run, over tuple ratio
// TR = n_S/n_R in {1, 2, 5, 10, 20} and feature ratio FR = d_R/d_S in {0.5, 1, 2, 4}, for a scalar op, LMM, RMM,
// crossprod and ginv. Prints the measured speed-up beside the cost model's prediction (docs/nmatrix.md, reference
// morpheus.md §3). Not a test.
//
// Usage: nmatrix_bench [n_R] [d_S]    (defaults 4000 and 20: n_S up to 80,000, d up to 100, about 64 MB per
// materialized matrix; sized for 2 shared cores and a few minutes in total). Single-threaded BLAS is recommended:
// OPENBLAS_NUM_THREADS=1.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <random>
#include <string>

#include "core/dense.hpp"
#include "core/nmatrix/nmatrix.hpp"

using morpheus::ConstRowMap;
using morpheus::RowMap;
using morpheus::RowMatrix;
using namespace morpheus::nm;

namespace {

volatile double g_sink = 0;

// Best of up to 5 runs, stopping once 0.3 s were spent (at least one run).
double time_ms(const std::function<double()>& f) {
  double best = 1e300, spent = 0;
  for (int i = 0; i < 5 && (i == 0 || spent < 300); ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    g_sink = g_sink + f();
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    best = std::min(best, ms);
    spent += ms;
  }
  return best;
}

RowMatrix random_dense(std::mt19937& g, std::int64_t r, std::int64_t c) {
  std::uniform_real_distribution<double> u(-1, 1);
  RowMatrix m(r, c);
  for (std::int64_t i = 0; i < m.size(); ++i) m.data()[i] = u(g);
  return m;
}

struct Pred {
  double scalar, mm, cross, ginv;
};

Pred predict(double ns, double nr, double ds, double dr) {
  const double d = ds + dr;
  Pred p{};
  p.scalar = ns * d / (ns * ds + nr * dr);
  p.mm = p.scalar;
  p.cross = 0.5 * d * d * ns / (0.5 * ds * ds * ns + 0.5 * dr * dr * nr + ds * dr * nr);
  p.ginv = (7 * ns * d * d + 20 * d * d * d) /
           (27 * d * d * d + 0.5 * ds * ds * ns + 0.5 * dr * dr * nr + ds * dr * nr + d * (ns * ds + nr * dr));
  return p;
}

}  // namespace

int main(int argc, char** argv) {
  // "nmatrix_bench overhead" runs only the SQL-overhead reference point at the end.
  const bool overhead_only = argc > 1 && std::string(argv[1]) == "overhead";
  const std::int64_t nr = argc > 1 && !overhead_only ? std::atoll(argv[1]) : 4000;
  const std::int64_t ds = argc > 2 ? std::atoll(argv[2]) : 20;
  const int dx = 2;  // columns of X in LMM, rows of X in RMM
  std::printf("nmatrix_bench: PK-FK join, n_R = %lld, d_S = %lld, d_X = %d; n_S = TR*n_R, d_R = FR*d_S\n",
              static_cast<long long>(nr), static_cast<long long>(ds), dx);
  std::printf("times in ms (best of up to 5 runs); sp = materialized / factorized; pred = cost-model speed-up\n");
  std::printf("%4s %4s %7s %4s | %-22s | %-22s | %-22s | %-22s | %-22s\n", "TR", "FR", "n_S", "d", "scalar (T*2)",
              "LMM (T X)", "RMM (X T)", "crossprod", "ginv");
  std::printf("%4s %4s %7s %4s | %-22s | %-22s | %-22s | %-22s | %-22s\n", "", "", "", "", "mat fac sp/pred",
              "mat fac sp/pred", "mat fac sp/pred", "mat fac sp/pred", "mat fac sp/pred");
  std::mt19937 gen(7);
  for (int tr : {1, 2, 5, 10, 20}) {
    if (overhead_only) break;
    for (double fr : {0.5, 1.0, 2.0, 4.0}) {
      const std::int64_t ns = tr * nr;
      const std::int64_t dr = static_cast<std::int64_t>(fr * ds);
      const std::int64_t d = ds + dr;
      NormalizedMatrix t = NormalizedMatrix::from_entity(Block(random_dense(gen, ns, ds)));
      std::vector<std::int32_t> fk(static_cast<size_t>(ns));
      for (std::int64_t i = 0; i < ns; ++i) fk[static_cast<size_t>(i)] = static_cast<std::int32_t>(i % nr);
      std::shuffle(fk.begin(), fk.end(), gen);
      t.join(fk, Block(random_dense(gen, nr, dr)));
      const RowMatrix m = materialize(t);
      const RowMatrix x = random_dense(gen, d, dx);
      const RowMatrix y = random_dense(gen, dx, ns);
      const ConstRowMap xm(x.data(), d, dx), ym(y.data(), dx, ns), mm(m.data(), ns, d);

      const double s_mat = time_ms([&] {
        RowMatrix r = m * 2.0;
        return r(0, 0);
      });
      const double s_fac =
          time_ms([&] { return scalar_op(t, ScalarOp::Mul, 2.0, false).parts()[0].block.dense()(0, 0); });
      const double l_mat = time_ms([&] {
        RowMatrix r = mm * xm;
        return r(0, 0);
      });
      const double l_fac = time_ms([&] { return lmm(t, xm)(0, 0); });
      const double r_mat = time_ms([&] {
        RowMatrix r = ym * mm;
        return r(0, 0);
      });
      const double r_fac = time_ms([&] { return rmm(ym, t)(0, 0); });
      const double c_mat = time_ms([&] {
        Eigen::MatrixXd g = Eigen::MatrixXd::Zero(d, d);
        g.selfadjointView<Eigen::Lower>().rankUpdate(mm.transpose());
        return g(0, 0);
      });
      const double c_fac = time_ms([&] { return crossprod(t)(0, 0); });
      const double g_mat = time_ms([&] {
        RowMatrix r(d, ns);
        morpheus::ginv(mm, RowMap(r.data(), d, ns));
        return r(0, 0);
      });
      const double g_fac = time_ms([&] { return ginv(t)(0, 0); });
      const Pred p =
          predict(static_cast<double>(ns), static_cast<double>(nr), static_cast<double>(ds), static_cast<double>(dr));
      auto cell = [](double a, double b, double pr) {
        static char buf[4][64];
        static int k = 0;
        char* s = buf[k++ % 4];
        std::snprintf(s, 64, "%7.1f %6.1f %4.1f/%4.1f", a, b, a / b, pr);
        return s;
      };
      std::printf("%4d %4.1f %7lld %4lld | %s", tr, fr, static_cast<long long>(ns), static_cast<long long>(d),
                  cell(s_mat, s_fac, p.scalar));
      std::printf(" | %s", cell(l_mat, l_fac, p.mm));
      std::printf(" | %s", cell(r_mat, r_fac, p.mm));
      std::printf(" | %s", cell(c_mat, c_fac, p.cross));
      std::printf(" | %s\n", cell(g_mat, g_fac, p.ginv));
      std::fflush(stdout);
    }
  }
  // The SQL-overhead reference point: the same shape as bench/nmatrix_sql_overhead.sql, timed in the core.
  {
    const std::int64_t ns = 1000000, nr2 = 100000, ds2 = 4, dr2 = 16;
    std::mt19937 g2(11);
    NormalizedMatrix t = NormalizedMatrix::from_entity(Block(random_dense(g2, ns, ds2)));
    std::vector<std::int32_t> fk(static_cast<size_t>(ns));
    for (std::int64_t i = 0; i < ns; ++i) fk[static_cast<size_t>(i)] = static_cast<std::int32_t>(i % nr2);
    t.join(fk, Block(random_dense(g2, nr2, dr2)));
    const RowMatrix x = RowMatrix::Ones(ds2 + dr2, 1);
    const RowMatrix y = RowMatrix::Ones(1, ns);
    // Mean of 10 calls after a warm-up, as the SQL script measures.
    auto mean_ms = [](const std::function<double()>& f) {
      g_sink = g_sink + f();
      const auto t0 = std::chrono::steady_clock::now();
      for (int i = 0; i < 10; ++i) g_sink = g_sink + f();
      return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() / 10;
    };
    const double l = mean_ms([&] { return lmm(t, ConstRowMap(x.data(), x.rows(), 1))(0, 0); });
    const double r = mean_ms([&] { return rmm(ConstRowMap(y.data(), 1, ns), t)(0, 0); });
    const double c = mean_ms([&] { return crossprod(t)(0, 0); });
    const double rs = mean_ms([&] { return row_sums(t)[0]; });
    std::printf(
        "\ncore only, n_S = 1e6, d_S = 4, n_R = 1e5, d_R = 16, mean of 10 calls: LMM %.1f ms, RMM %.1f ms, "
        "crossprod %.1f ms, row_sums %.1f ms\n",
        l, r, c, rs);
  }
  return 0;
}
