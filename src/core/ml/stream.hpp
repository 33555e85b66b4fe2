// Streaming ML over a normalized matrix T = [S, K_1 R_1, ..., K_q R_q] whose entity part (S, the foreign keys and
// the labels) is too large to hold: it is read from a RowSource batch by batch, once per pass, while the attribute
// tables R_i stay in memory. linreg, logreg and kmeans run unchanged (they are written over the pass interfaces of
// linreg.hpp, logreg.hpp and kmeans.hpp); this file implements those interfaces by streaming.
//
// Memory, independent of the number of entity rows n_S:
//   one batch (batch_rows x (d_S + q + 1) values, plus its join, batch_rows x d, for T'T),
//   the attribute tables (sum n_Ri d_Ri) and per-pass products R_i X_i and K_i' P (sum n_Ri c, c <= k),
//   d x d for T'T (linreg normal, and the step-size estimate when d <= 1000), O(d k + k d) for kmeans,
//   plus 4 bytes per row only if the kmeans assignment is asked for.
// Products within a batch are factorized: T_b X = S_b X_S + sum_i (R_i X_i)[fk_i], and T' P accumulates S_b' P_b
// and the per-attribute-row sums K_i' P, multiplied by R_i' once per pass.
#pragma once
#include "core/no_postgres.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/ml/kmeans.hpp"
#include "core/ml/linreg.hpp"
#include "core/ml/logreg.hpp"

namespace morpheus::ml {

// One batch of entity rows: row r has the entity features s.row(r), references fk[i][r] (0-based row of attribute
// table i) and the label y(r) (when the source has labels).
struct RowBatch {
  RowMatrix s;                                // rows x d_S (d_S may be 0)
  std::vector<std::vector<std::int32_t>> fk;  // one vector of rows entries per attribute table
  Vec y;                                      // rows labels, or empty
  Index rows() const { return s.rows(); }
};

// The entity rows, read in batches; every pass yields the same rows in the same order.
class RowSource {
 public:
  virtual ~RowSource() = default;
  // Starts a new pass at the first row.
  virtual void rewind() = 0;
  // Fills batch with the next rows (at least one); false at the end of the pass.
  virtual bool next(RowBatch& batch) = 0;
};

// A RowSource over data in memory, in batches of batch_rows (for tests and benchmarks).
class MemoryRowSource final : public RowSource {
 public:
  MemoryRowSource(const RowMatrix& s, const std::vector<std::vector<std::int32_t>>& fk, const Vec& y, Index batch_rows);
  void rewind() override { at_ = 0; }
  bool next(RowBatch& batch) override;

 private:
  const RowMatrix& s_;
  const std::vector<std::vector<std::int32_t>>& fk_;
  Vec y_;  // a copy: callers may pass a temporary (no labels)
  Index batch_rows_;
  Index at_ = 0;
};

// Names used in error messages: the entity rows and their label column.
struct StreamNames {
  std::string rows = "the entity table";
  std::string label = "the label";
};

// T streamed from a source: passes over the batches and the factorized per-batch products.
class StreamTable {
 public:
  StreamTable(RowSource& source, Index entity_cols, std::vector<RowMatrix> attributes, StreamNames names = {});
  Index cols() const { return cols_; }
  // Number of rows: counted by the first pass (a counting pass if none ran yet).
  Index rows();
  const StreamNames& names() const { return names_; }

  // One pass: f(batch, index of its first row) for every batch until f returns false. Checks that every full pass
  // sees the same number of rows, and at least one.
  void pass(const std::function<bool(const RowBatch&, Index)>& f);

  // Row-wise product with X (d x c) for batches of the coming pass: T_b X.
  class Product {
   public:
    Product(const StreamTable& t, const Mat& x);
    Mat apply(const RowBatch& b) const;

   private:
    const StreamTable& t_;
    Mat xs_;
    std::vector<RowMatrix> rx_;  // R_i X_i
  };
  // Accumulates T' P over the batches of a pass (P_b is rows x c per batch).
  class TransposeSum {
   public:
    TransposeSum(const StreamTable& t, Index c);
    void add(const RowBatch& b, const Mat& p);
    // Adds row r of the batch, weighted by w, to column j (P = indicator matrix, as in kmeans).
    void add_row(const RowBatch& b, Index r, Index j, double w = 1);
    Mat result() const;

   private:
    const StreamTable& t_;
    Mat s_;                           // S' P
    std::vector<RowMatrix> buckets_;  // K_i' P
  };

  // The join of the batch: rows x d.
  RowMatrix materialize(const RowBatch& b) const;
  // Row r of the batch joined: length d.
  Vec row(const RowBatch& b, Index r) const;
  // |row|^2 of every row of the batch.
  Vec row_squared_norms(const RowBatch& b) const;
  // T'T and T'y (y only when the batches carry labels) in one pass; cached for the step-size estimate.
  void crossprod(Mat& gram, Vec* rhs);
  // estimate_curvature of T: power iteration on the cached T'T (one pass) when d <= 1000, else through passes.
  double curvature();

 private:
  RowSource& source_;
  Index entity_cols_;
  std::vector<RowMatrix> attributes_;
  std::vector<Vec> attribute_sq_;  // squared norm of every attribute row
  Index cols_;
  StreamNames names_;
  Index rows_ = -1;
  Mat gram_;
  bool have_gram_ = false;
};

// The pass interfaces of the algorithms, streamed.
class StreamLeastSquares final : public LeastSquaresPasses {
 public:
  explicit StreamLeastSquares(StreamTable& t) : t_(t) {}
  Index rows() override { return t_.rows(); }
  Index cols() const override { return t_.cols(); }
  void normal_equations(Mat& gram, Vec& rhs) override { t_.crossprod(gram, &rhs); }
  double residual(const Vec& w, Vec& gradient) override;
  double curvature() override { return t_.curvature(); }

 private:
  StreamTable& t_;
};

// Labels 0/1 or -1/+1, checked on every pass (a bad label is an error naming its row).
class StreamLogistic final : public LogisticPasses {
 public:
  explicit StreamLogistic(StreamTable& t) : t_(t) {}
  Index rows() override { return t_.rows(); }
  Index cols() const override { return t_.cols(); }
  double start(Vec& gradient) override;
  void set_line(const Vec& w, const Vec& direction) override;
  double line_loss(double a, const Vec& w_new) override;
  Vec accept(double a, const Vec& w_new) override;
  double curvature() override { return t_.curvature(); }

 private:
  // One fused pass at w: mean loss, and the mean gradient into gradient_.
  double evaluate(const Vec& w);
  StreamTable& t_;
  Vec gradient_;
  double gradient_a_ = 0;
  bool have_gradient_ = false;
};

class StreamKmeans final : public KmeansPasses {
 public:
  // With record_assignment, the last assignment is kept (4 bytes per row).
  StreamKmeans(StreamTable& t, bool record_assignment) : t_(t), record_(record_assignment) {}
  Index rows() override { return t_.rows(); }
  Index cols() const override { return t_.cols(); }
  Vec row(Index i) override;
  double add_seed(const Vec& center) override;
  Index pick_seed(double target) override;
  Step assign(const Mat& c) override;
  Vec farthest() override;
  std::vector<int> assignment() override { return assignment_; }

 private:
  // Distances (clipped at 0) of the batch rows to the columns of c, as the in-memory kmeans computes them.
  Mat distances(const RowBatch& b, const StreamTable::Product& tc, const Vec& row_sq, const Mat& c) const;
  struct Candidate {
    double value;
    Index index;
    Vec row;
  };
  StreamTable& t_;
  bool record_;
  Mat seeds_;  // d x j: the centers chosen so far
  Index cached_index_ = -1;
  Vec cached_row_;
  Mat previous_;  // centers of the previous assign
  bool have_previous_ = false;
  std::vector<Candidate> far_;          // farthest rows of the last assign, in decreasing distance (ties: lower index)
  Candidate first_zero_{0, -1, Vec()};  // the first row at distance 0
  std::vector<int> assignment_;
};

}  // namespace morpheus::ml
