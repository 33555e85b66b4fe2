#include "core/ml/fit.hpp"

#include <Eigen/Eigenvalues>
#include <cmath>
#include <limits>

#include "core/glm/glm.hpp"
#include "core/interrupt.hpp"

namespace morpheus::ml {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void add_rows(ScanSums& s, const Vec& eta, const Vec& y, bool logistic) {
  for (Index r = 0; r < eta.size(); ++r) {
    const double e = eta(r), v = y(r);
    s.sse += (e - v) * (e - v);
    s.y_sum += v;
    s.y_sq += v * v;
    if (logistic) {
      s.log_likelihood -= glm::row_loss(glm::Family::Logistic, e, v);
      const bool positive = glm::sigmoid(e) >= 0.5;
      s.correct += positive == (glm::logistic_y01(v) > 0) ? 1 : 0;
      s.minus_one = s.minus_one || v == -1;
    }
  }
  s.n += eta.size();
}

// Nearest center of every row given the distances |x|^2 - 2 x'c + |c|^2 (n x k): adds to the fit.
void add_assignments(KmeansFit& f, const Mat& d) {
  for (Index r = 0; r < d.rows(); ++r) {
    Index arg = 0;
    d.row(r).minCoeff(&arg);  // the first minimum: ties go to the lowest index
    const double v = std::max(d(r, arg), 0.0);
    f.within(arg) += v;
    f.sizes(arg) += 1;
    f.total += v;
  }
}

}  // namespace

ScanSums scan_sums(const DataMatrix& t, const Vec& y, const Vec& w, bool logistic) {
  ScanSums s;
  add_rows(s, t.times(w).col(0), y, logistic);
  return s;
}

ScanSums scan_sums(StreamTable& t, const Vec& w, bool logistic) {
  ScanSums s;
  const StreamTable::Product tw(t, w);
  t.pass([&](const RowBatch& b, Index) {
    add_rows(s, tw.apply(b).col(0), b.y, logistic);
    return true;
  });
  return s;
}

LeastSquaresFit least_squares_fit(const Mat& gram, const ScanSums& s, bool intercept, double l2) {
  LeastSquaresFit f;
  const Index d = gram.rows();
  const auto n = static_cast<double>(s.n);
  f.sse = s.sse;
  const Eigen::SelfAdjointEigenSolver<Mat> eig(gram);
  const Vec lambda = eig.eigenvalues().cwiseMax(0.0);  // ascending
  const Mat& v = eig.eigenvectors();
  const double lmax = d > 0 ? lambda(d - 1) : 0;
  // Rank as numpy.linalg.matrix_rank counts it for T: singular values sqrt(lambda) above max(n, d) eps sigma_max.
  const double tol =
      std::sqrt(lmax) * std::max<double>(n, static_cast<double>(d)) * std::numeric_limits<double>::epsilon();
  Vec keep(d);
  for (Index i = 0; i < d; ++i) keep(i) = std::sqrt(lambda(i)) > tol ? 1.0 : 0.0;
  f.rank = static_cast<Index>(keep.sum());
  f.condition_number = f.rank == d && d > 0 ? std::sqrt(lmax / lambda(0)) : kNaN;
  const double sst = intercept ? s.y_sq - s.y_sum * s.y_sum / n : s.y_sq;
  f.r2 = sst > 0 ? 1 - s.sse / sst : kNaN;
  const double c = intercept ? 1 : 0;
  f.adjusted_r2 =
      n > static_cast<double>(f.rank) && sst > 0 ? 1 - (1 - f.r2) * (n - c) / (n - static_cast<double>(f.rank)) : kNaN;
  const double sigma2 = n > static_cast<double>(f.rank) ? s.sse / (n - static_cast<double>(f.rank)) : kNaN;
  f.sigma = std::sqrt(sigma2);
  f.std_errors = Vec::Constant(d, kNaN);
  if (l2 > 0 || std::isnan(sigma2)) return f;
  // Pseudo-inverse diagonal and the part of every e_j in the null space.
  for (Index j = 0; j < d; ++j) {
    check_interrupts();
    double diag = 0, null_part = 0;
    for (Index i = 0; i < d; ++i) {
      const double vji = v(j, i);
      if (keep(i) > 0)
        diag += vji * vji / lambda(i);
      else
        null_part += vji * vji;
    }
    if (null_part <= 1e-10) f.std_errors(j) = std::sqrt(sigma2 * diag);
  }
  return f;
}

KmeansFit kmeans_fit(const DataMatrix& t, const Mat& centers) {
  KmeansFit f;
  const Index k = centers.rows();
  f.within = Vec::Zero(k);
  f.sizes = Vec::Zero(k);
  const Mat c = centers.transpose();  // d x k
  Mat d = -2.0 * t.times(c);
  d.colwise() += t.row_squared_norms();
  d.rowwise() += c.colwise().squaredNorm();
  add_assignments(f, d);
  return f;
}

KmeansFit kmeans_fit(StreamTable& t, const Mat& centers) {
  KmeansFit f;
  const Index k = centers.rows();
  f.within = Vec::Zero(k);
  f.sizes = Vec::Zero(k);
  const Mat c = centers.transpose();
  const StreamTable::Product tc(t, c);
  const Vec c_sq = c.colwise().squaredNorm().transpose();
  t.pass([&](const RowBatch& b, Index) {
    Mat d = -2.0 * tc.apply(b);
    d.colwise() += t.row_squared_norms(b);
    d.rowwise() += c_sq.transpose();
    add_assignments(f, d);
    return true;
  });
  return f;
}

}  // namespace morpheus::ml
