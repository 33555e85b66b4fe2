// Fit statistics of a trained model, computed from one scan of the data at the final weights (in memory or
// streamed) and, for least squares, from T'T:
//   least squares  R^2 = 1 - SSE/SST (SST about the mean with an intercept, about 0 without: the uncentered R^2),
//                  adjusted R^2 = 1 - (1 - R^2)(n - c)/(n - rank) (c = 1 with an intercept, 0 without),
//                  sigma^2 = SSE/(n - rank), standard errors sqrt(sigma^2 [(T'T)^+]_jj) for the coefficients that
//                  are estimable (e_j orthogonal to the null space of T; NaN otherwise), and the condition number
//                  sqrt(lambda_max / lambda_min) of T'T (the 2-norm condition number of T; NaN when T is rank
//                  deficient). With a ridge penalty (l2 > 0) the textbook standard errors do not apply: all NaN.
//   logistic       log-likelihood sum(y log p + (1 - y) log(1 - p)) = -sum of the row losses (without the penalty),
//                  accuracy = fraction of rows whose class (p >= 0.5) equals the label
//   k-means        within-cluster sums of squares (per cluster and total) at the final centers, cluster sizes
#pragma once
#include "core/no_postgres.hpp"

#include "core/ml/data_matrix.hpp"
#include "core/ml/stream.hpp"

namespace morpheus::ml {

// Sums over the rows at weights w: n, SSE = sum (eta - y)^2, sum y, sum y^2, and with logistic the log-likelihood and
// the rows classified correctly (labels 0/1 or -1/+1).
struct ScanSums {
  Index n = 0;
  double sse = 0, y_sum = 0, y_sq = 0;
  double log_likelihood = 0;
  Index correct = 0;
  bool minus_one = false;  // some label is -1 (logistic)
};
ScanSums scan_sums(const DataMatrix& t, const Vec& y, const Vec& w, bool logistic);
ScanSums scan_sums(StreamTable& t, const Vec& w, bool logistic);

struct LeastSquaresFit {
  double r2 = 0, adjusted_r2 = 0, sse = 0, sigma = 0, condition_number = 0;
  Index rank = 0;
  Vec std_errors;  // per column of T; NaN where not estimable
};
// gram = T'T (unscaled); intercept says whether one column of T is the intercept (for SST and the adjustment).
LeastSquaresFit least_squares_fit(const Mat& gram, const ScanSums& s, bool intercept, double l2);

struct KmeansFit {
  Vec within;  // k: sum of squared distances of each cluster's rows to its center
  Vec sizes;   // k
  double total = 0;
};
// centers: k x d; every row goes to its nearest center (ties: the lowest), as predict assigns it.
KmeansFit kmeans_fit(const DataMatrix& t, const Mat& centers);
KmeansFit kmeans_fit(StreamTable& t, const Mat& centers);

}  // namespace morpheus::ml
