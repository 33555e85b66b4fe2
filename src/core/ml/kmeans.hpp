// k-means (Lloyd) over a DataMatrix with factorized distances:
//   D = rowSums(T o T) 1' - 2 T C + 1 colSums(C o C)   (C is d x k)
// seeded k-means++ initialization (the portable generator of core/random.hpp); ties go to the lowest cluster index; an
// empty cluster is re-seeded with the point farthest from its center. Objective: sum of squared distances to the
// assigned centers.
#pragma once
#include "core/no_postgres.hpp"

#include <cstdint>
#include <vector>

#include "core/ml/data_matrix.hpp"
#include "core/ml/trace.hpp"
#include "core/progress.hpp"

namespace morpheus::ml {

struct KmeansOptions {
  int k = 2;
  int max_iterations = 100;
  std::uint64_t seed = 1;
};

struct KmeansResult {
  Mat centers;                  // k x d
  std::vector<int> assignment;  // 0-based cluster of every row
  Trace trace;                  // loss = objective after each iteration's assignment
  bool converged = false;       // an assignment repeated before max_iterations ran out
};

// What kmeans reads from the data. The in-memory implementation keeps per-row state (nearest distances, the
// assignment); a streaming one (stream.hpp) makes every call one pass over the rows with memory independent of n.
// Distances are squared Euclidean, |x|^2 - 2 x'c + |c|^2 clipped at 0.
class KmeansPasses {
 public:
  virtual ~KmeansPasses() = default;
  virtual Index rows() = 0;
  virtual Index cols() const = 0;
  // Row i (0-based).
  virtual Vec row(Index i) = 0;
  // Seeding: adds a center; nearest(i) becomes the distance of row i to its nearest center so far. Returns
  // sum(nearest).
  virtual double add_seed(const Vec& center) = 0;
  // Seeding: the first row i where the running sum of nearest reaches target and nearest(i) > 0 (else the last).
  virtual Index pick_seed(double target) = 0;
  struct Step {
    double loss = 0;       // sum of the distances to the nearest center
    Mat sums;              // d x k: sum of the rows assigned to each center
    Vec counts;            // k: rows assigned to each center
    bool changed = false;  // some row's assignment differs from the previous step (always true on the first)
  };
  // One Lloyd assignment over centers c (d x k; ties go to the lowest index).
  virtual Step assign(const Mat& c) = 0;
  // The row farthest from its center in the last assign (first such row on ties); its distance then counts as 0.
  virtual Vec farthest() = 0;
  // 0-based center of every row in the last assign (empty if not recorded).
  virtual std::vector<int> assignment() = 0;
};

KmeansResult kmeans(const DataMatrix& t, const KmeansOptions& options, Progress& progress);
KmeansResult kmeans(KmeansPasses& data, const KmeansOptions& options, Progress& progress);

}  // namespace morpheus::ml
