#include "core/ml/stream.hpp"

#include <algorithm>
#include <string>

#include "core/errors.hpp"
#include "core/interrupt.hpp"

namespace morpheus::ml {

MemoryRowSource::MemoryRowSource(const RowMatrix& s, const std::vector<std::vector<std::int32_t>>& fk, const Vec& y,
                                 Index batch_rows)
    : s_(s), fk_(fk), y_(y), batch_rows_(batch_rows) {
  if (batch_rows < 1) throw invalid_parameter("batch_rows must be at least 1, got " + std::to_string(batch_rows));
}

bool MemoryRowSource::next(RowBatch& batch) {
  const Index n = s_.rows();
  if (at_ >= n) return false;
  const Index m = std::min(batch_rows_, n - at_);
  batch.s = s_.middleRows(at_, m);
  batch.fk.resize(fk_.size());
  for (size_t i = 0; i < fk_.size(); ++i)
    batch.fk[i].assign(fk_[i].begin() + static_cast<std::ptrdiff_t>(at_),
                       fk_[i].begin() + static_cast<std::ptrdiff_t>(at_ + m));
  if (y_.size() > 0)
    batch.y = y_.segment(at_, m);
  else
    batch.y.resize(0);
  at_ += m;
  return true;
}

StreamTable::StreamTable(RowSource& source, Index entity_cols, std::vector<RowMatrix> attributes, StreamNames names)
    : source_(source), entity_cols_(entity_cols), attributes_(std::move(attributes)), names_(std::move(names)) {
  cols_ = entity_cols_;
  for (const RowMatrix& r : attributes_) {
    cols_ += r.cols();
    attribute_sq_.push_back(r.rowwise().squaredNorm());
  }
  if (cols_ < 1)
    throw invalid_parameter(names_.rows + " has no features", "Give entity features or at least one attribute table.");
}

Index StreamTable::rows() {
  if (rows_ < 0) pass([](const RowBatch&, Index) { return true; });
  return rows_;
}

void StreamTable::pass(const std::function<bool(const RowBatch&, Index)>& f) {
  source_.rewind();
  RowBatch b;
  Index at = 0;
  bool complete = true;
  while (source_.next(b)) {
    check_interrupts();
    if (b.s.cols() != entity_cols_ || b.fk.size() != attributes_.size())
      throw Error(ErrorKind::Internal, "a batch of " + names_.rows + " has the wrong shape");
    for (size_t i = 0; i < attributes_.size(); ++i) {
      const auto n_r = static_cast<std::int32_t>(attributes_[i].rows());
      if (static_cast<Index>(b.fk[i].size()) != b.rows())
        throw Error(ErrorKind::Internal, "a batch of " + names_.rows + " has the wrong number of keys");
      for (size_t r = 0; r < b.fk[i].size(); ++r)
        if (b.fk[i][r] < 0 || b.fk[i][r] >= n_r)
          throw Error(ErrorKind::Subscript,
                      "fk[" + std::to_string(i + 1) + "] of row " + std::to_string(at + static_cast<Index>(r) + 1) +
                          " is " + std::to_string(b.fk[i][r] + 1) + " but attribute table " + std::to_string(i + 1) +
                          " has " + std::to_string(n_r) + " rows",
                      "Foreign keys are row numbers of the attribute table.");
    }
    const bool go_on = f(b, at);
    at += b.rows();
    if (!go_on) {
      complete = false;
      break;
    }
  }
  if (!complete) return;
  if (at == 0)
    throw invalid_parameter(names_.rows + " returned no rows", "The entity query must return at least one row.");
  if (rows_ >= 0 && at != rows_)
    throw invalid_parameter(names_.rows + " returned " + std::to_string(at) + " rows on one pass but " +
                                std::to_string(rows_) + " on an earlier one",
                            "Every pass must see the same rows in the same order: avoid volatile functions (random(), "
                            "now()) in the entity query.");
  rows_ = at;
}

StreamTable::Product::Product(const StreamTable& t, const Mat& x) : t_(t) {
  xs_ = x.topRows(t.entity_cols_);
  Index off = t.entity_cols_;
  for (const RowMatrix& r : t.attributes_) {
    rx_.emplace_back(r * x.middleRows(off, r.cols()));
    off += r.cols();
  }
}

Mat StreamTable::Product::apply(const RowBatch& b) const {
  Mat out = Mat::Zero(b.rows(), xs_.cols());
  if (t_.entity_cols_ > 0) out.noalias() = b.s * xs_;
  for (size_t i = 0; i < rx_.size(); ++i) {
    const RowMatrix& rx = rx_[i];
    const std::vector<std::int32_t>& fk = b.fk[i];
    if (rx.cols() == 1) {
      for (Index r = 0; r < b.rows(); ++r) out(r, 0) += rx(fk[static_cast<size_t>(r)], 0);
    } else {
      for (Index r = 0; r < b.rows(); ++r) out.row(r) += rx.row(fk[static_cast<size_t>(r)]);
    }
  }
  return out;
}

StreamTable::TransposeSum::TransposeSum(const StreamTable& t, Index c) : t_(t), s_(Mat::Zero(t.entity_cols_, c)) {
  for (const RowMatrix& r : t.attributes_) buckets_.emplace_back(RowMatrix::Zero(r.rows(), c));
}

void StreamTable::TransposeSum::add(const RowBatch& b, const Mat& p) {
  if (t_.entity_cols_ > 0) s_.noalias() += b.s.transpose() * p;
  for (size_t i = 0; i < buckets_.size(); ++i) {
    RowMatrix& bucket = buckets_[i];
    const std::vector<std::int32_t>& fk = b.fk[i];
    if (p.cols() == 1) {
      for (Index r = 0; r < b.rows(); ++r) bucket(fk[static_cast<size_t>(r)], 0) += p(r, 0);
    } else {
      for (Index r = 0; r < b.rows(); ++r) bucket.row(fk[static_cast<size_t>(r)]) += p.row(r);
    }
  }
}

void StreamTable::TransposeSum::add_row(const RowBatch& b, Index r, Index j, double w) {
  if (t_.entity_cols_ > 0) s_.col(j) += w * b.s.row(r).transpose();
  for (size_t i = 0; i < buckets_.size(); ++i) buckets_[i](b.fk[i][static_cast<size_t>(r)], j) += w;
}

Mat StreamTable::TransposeSum::result() const {
  Mat out(t_.cols_, s_.cols());
  out.topRows(t_.entity_cols_) = s_;
  Index off = t_.entity_cols_;
  for (size_t i = 0; i < buckets_.size(); ++i) {
    const RowMatrix& r = t_.attributes_[i];
    out.middleRows(off, r.cols()).noalias() = r.transpose() * buckets_[i];
    off += r.cols();
  }
  return out;
}

RowMatrix StreamTable::materialize(const RowBatch& b) const {
  RowMatrix x(b.rows(), cols_);
  x.leftCols(entity_cols_) = b.s;
  Index off = entity_cols_;
  for (size_t i = 0; i < attributes_.size(); ++i) {
    const RowMatrix& r = attributes_[i];
    for (Index k = 0; k < b.rows(); ++k) x.row(k).segment(off, r.cols()) = r.row(b.fk[i][static_cast<size_t>(k)]);
    off += r.cols();
  }
  return x;
}

Vec StreamTable::row(const RowBatch& b, Index k) const {
  Vec v(cols_);
  v.head(entity_cols_) = b.s.row(k).transpose();
  Index off = entity_cols_;
  for (size_t i = 0; i < attributes_.size(); ++i) {
    const RowMatrix& r = attributes_[i];
    v.segment(off, r.cols()) = r.row(b.fk[i][static_cast<size_t>(k)]).transpose();
    off += r.cols();
  }
  return v;
}

Vec StreamTable::row_squared_norms(const RowBatch& b) const {
  Vec out = entity_cols_ > 0 ? Vec(b.s.rowwise().squaredNorm()) : Vec(Vec::Zero(b.rows()));
  for (size_t i = 0; i < attributes_.size(); ++i)
    for (Index k = 0; k < b.rows(); ++k) out(k) += attribute_sq_[i](b.fk[i][static_cast<size_t>(k)]);
  return out;
}

void StreamTable::crossprod(Mat& gram, Vec* rhs) {
  gram = Mat::Zero(cols_, cols_);
  if (rhs != nullptr) *rhs = Vec::Zero(cols_);
  pass([&](const RowBatch& b, Index) {
    const RowMatrix x = materialize(b);
    gram.selfadjointView<Eigen::Lower>().rankUpdate(x.transpose());
    if (rhs != nullptr) {
      if (b.y.size() != b.rows()) throw Error(ErrorKind::Internal, names_.rows + " carry no labels");
      rhs->noalias() += x.transpose() * b.y;
    }
    return true;
  });
  gram.triangularView<Eigen::StrictlyUpper>() = gram.transpose();
  gram_ = gram;
  have_gram_ = true;
}

double StreamTable::curvature() {
  constexpr Index kGramLimit = 1000;
  if (cols_ <= kGramLimit) {
    if (!have_gram_) {
      Mat g;
      crossprod(g, nullptr);
    }
    return power_iteration([this](const Vec& v) -> Vec { return gram_ * v; }, cols_, rows(), 20);
  }
  return power_iteration(
      [this](const Vec& v) -> Vec {
        const Product tv(*this, v);
        TransposeSum acc(*this, 1);
        pass([&](const RowBatch& b, Index) {
          acc.add(b, tv.apply(b));
          return true;
        });
        return acc.result().col(0);
      },
      cols_, rows(), 20);
}

double StreamLeastSquares::residual(const Vec& w, Vec& gradient) {
  const StreamTable::Product tw(t_, w);
  StreamTable::TransposeSum acc(t_, 1);
  double sse = 0;
  t_.pass([&](const RowBatch& b, Index) {
    if (b.y.size() != b.rows()) throw Error(ErrorKind::Internal, t_.names().rows + " carry no labels");
    Mat r = tw.apply(b);
    r.col(0) -= b.y;
    sse += r.squaredNorm();
    acc.add(b, r);
    return true;
  });
  gradient = acc.result().col(0);
  return sse;
}

double StreamLogistic::evaluate(const Vec& w) {
  const StreamTable::Product tw(t_, w);
  StreamTable::TransposeSum acc(t_, 1);
  double loss = 0;
  Index first_zero = -1, first_minus = -1;
  t_.pass([&](const RowBatch& b, Index at) {
    if (b.y.size() != b.rows()) throw Error(ErrorKind::Internal, t_.names().rows + " carry no labels");
    const Mat m = tw.apply(b);
    Mat coef(b.rows(), 1);
    for (Index r = 0; r < b.rows(); ++r) {
      const double v = b.y(r);
      double ypm = 1;
      if (v == 0 || v == -1) {
        ypm = -1;
        Index& first = v == 0 ? first_zero : first_minus;
        if (first < 0) first = at + r;
      } else if (v != 1) {
        throw invalid_parameter(t_.names().label + " is " + format_number(v) + " in row " + std::to_string(at + r + 1) +
                                    ", not a class label",
                                "Logistic regression takes labels 0/1 or -1/+1.");
      }
      loss += logistic_row_loss(ypm, m(r, 0));
      coef(r, 0) = logistic_row_slope(ypm, m(r, 0));
    }
    acc.add(b, coef);
    return true;
  });
  if (first_zero >= 0 && first_minus >= 0)
    throw invalid_parameter(t_.names().label + " mixes 0 (row " + std::to_string(first_zero + 1) + ") and -1 (row " +
                                std::to_string(first_minus + 1) + ") labels",
                            "Use either 0/1 or -1/+1 labels, not both.");
  const double n = static_cast<double>(t_.rows());
  gradient_ = acc.result().col(0) / n;
  return loss / n;
}

double StreamLogistic::start(Vec& gradient) {
  const double loss = evaluate(Vec::Zero(t_.cols()));
  have_gradient_ = false;
  gradient = gradient_;
  return loss;
}

void StreamLogistic::set_line(const Vec&, const Vec&) { have_gradient_ = false; }

double StreamLogistic::line_loss(double a, const Vec& w_new) {
  const double loss = evaluate(w_new);
  gradient_a_ = a;
  have_gradient_ = true;
  return loss;
}

Vec StreamLogistic::accept(double a, const Vec& w_new) {
  if (!have_gradient_ || a != gradient_a_) evaluate(w_new);
  have_gradient_ = false;
  return gradient_;
}

}  // namespace morpheus::ml
