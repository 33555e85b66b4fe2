// Blocks, index vectors and the normalized matrix itself: construction and validation.
#include "core/nmatrix/nmatrix.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/errors.hpp"
#include "core/interrupt.hpp"
#include "core/nmatrix/nmatrix_internal.hpp"

namespace morpheus::nm {
using detail::num;
using detail::shape;

void check_value_size(double bytes, const std::string& what) {
  if (bytes > static_cast<double>(kMaxValueBytes))
    throw Error(ErrorKind::LimitExceeded,
                what + " would need " + std::to_string(static_cast<long long>(bytes)) +
                    " bytes, over PostgreSQL's 1 GB limit for one value",
                "Use sparse blocks, fewer rows, or split the data.");
}

Block Block::dense_view(const double* data, std::int64_t rows, std::int64_t cols) {
  Block b;
  b.view_ = true;
  b.rows_ = rows;
  b.cols_ = cols;
  b.values_ = data;
  return b;
}

Block Block::sparse_view(std::int64_t rows, std::int64_t cols, std::int64_t nnz, const int* outer, const int* inner,
                         const double* values) {
  Block b;
  b.is_sparse_ = true;
  b.view_ = true;
  b.rows_ = rows;
  b.cols_ = cols;
  b.nnz_ = nnz;
  b.outer_ = outer;
  b.inner_ = inner;
  b.values_ = values;
  return b;
}

RowMatrix Block::to_dense() const { return is_sparse_ ? RowMatrix(sparse().toDense()) : RowMatrix(dense()); }

Eigen::VectorXd Block::row_sums() const {
  if (cols() == 0) return Eigen::VectorXd::Zero(rows());
  if (is_sparse_) {
    // Over the stored entries only: a product with a vector of ones would allocate one double per column.
    const SparseMap s = sparse();
    Eigen::VectorXd out(rows());
    for (Eigen::Index i = 0; i < s.outerSize(); ++i) {
      double v = 0;
      for (SparseMap::InnerIterator it(s, i); it; ++it) v += it.value();
      out(i) = v;
    }
    return out;
  }
  return dense().rowwise().sum();
}

SparseMatrix csr_from_sorted(std::int64_t rows, std::int64_t cols, const std::vector<std::int32_t>& row_idx,
                             const std::vector<std::int32_t>& col_idx, const std::vector<double>& values) {
  SparseMatrix s(static_cast<int>(rows), static_cast<int>(cols));  // compressed, row pointers all 0
  const auto nnz = static_cast<Eigen::Index>(values.size());
  s.resizeNonZeros(nnz);
  int* outer = s.outerIndexPtr();
  for (Eigen::Index e = 0; e < nnz; ++e) {
    ++outer[row_idx[static_cast<size_t>(e)] + 1];
    s.innerIndexPtr()[e] = col_idx[static_cast<size_t>(e)];
    s.valuePtr()[e] = values[static_cast<size_t>(e)];
  }
  for (std::int64_t i = 0; i < rows; ++i) outer[i + 1] += outer[i];
  return s;
}

Block sparse_block(std::int64_t rows, std::int64_t cols, const std::vector<std::int64_t>& row_idx,
                   const std::vector<std::int64_t>& col_idx, const std::vector<double>& values, const char* name) {
  const std::string nm(name);
  if (rows < 1 || cols < 0 || rows > kMaxDim || cols > kMaxDim)
    throw invalid_parameter(nm + " must have 1 to " + num(kMaxDim) + " rows and 0 to " + num(kMaxDim) +
                                " columns, got " + shape(rows, cols),
                            "Pass the block's shape as n_rows and n_cols.");
  if (row_idx.size() != col_idx.size() || row_idx.size() != values.size())
    throw invalid_parameter(nm + " triplets have different lengths: " + num(row_idx.size()) + " row indices, " +
                                num(col_idx.size()) + " column indices, " + num(values.size()) + " values",
                            "Pass one row index, one column index and one value per non-zero.");
  check_value_size(4.0 * (rows + 1) + 12.0 * values.size(), nm + " (" + shape(rows, cols) + ", sparse)");
  std::vector<size_t> order(values.size());
  for (size_t e = 0; e < values.size(); ++e) {
    if ((e & 0xffff) == 0) check_interrupts();
    const std::int64_t i = row_idx[e], j = col_idx[e];
    if (i < 0 || i >= rows || j < 0 || j >= cols)
      throw Error(ErrorKind::Subscript,
                  nm + " entry " + num(e + 1) + " at (" + num(i + 1) + ", " + num(j + 1) + ") is outside its " +
                      shape(rows, cols) + " shape",
                  "Row and column indices are 1-based and must lie within n_rows and n_cols.");
    if (!std::isfinite(values[e]))
      throw invalid_parameter(nm + " value " + num(e + 1) + " is not finite", "Replace NaN and infinity first.");
    order[e] = e;
  }
  check_interrupts();
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return row_idx[a] != row_idx[b] ? row_idx[a] < row_idx[b] : col_idx[a] < col_idx[b];
  });
  check_interrupts();
  std::vector<std::int32_t> ri, ci;
  std::vector<double> vs;
  ri.reserve(values.size());
  ci.reserve(values.size());
  vs.reserve(values.size());
  for (const size_t e : order) {
    const auto i = static_cast<std::int32_t>(row_idx[e]), j = static_cast<std::int32_t>(col_idx[e]);
    if (!ri.empty() && ri.back() == i && ci.back() == j) {
      vs.back() += values[e];  // duplicates are summed
    } else {
      ri.push_back(i);
      ci.push_back(j);
      vs.push_back(values[e]);
    }
  }
  for (const double v : vs)
    if (!std::isfinite(v)) throw out_of_range(nm + ": summing duplicate entries overflowed", "Scale the values down.");
  return Block(csr_from_sorted(rows, cols, ri, ci, vs));
}

// --- NormalizedMatrix ----------------------------------------------------------------------------------------

std::int64_t NormalizedMatrix::base_cols() const {
  std::int64_t d = 0;
  for (const Part& p : parts_) d += p.block.cols();
  return d;
}

NormalizedMatrix NormalizedMatrix::from_entity(Block s) {
  NormalizedMatrix t;
  t.n_ = s.rows();
  Part p;
  p.identity = true;
  p.block = std::move(s);
  t.parts_.push_back(std::move(p));
  t.validate();
  return t;
}

NormalizedMatrix NormalizedMatrix::with_rows(std::int64_t n) {
  if (n < 1 || n > kMaxDim)
    throw invalid_parameter("n_rows must be between 1 and " + num(kMaxDim) + ", got " + num(n),
                            "Pass the number of rows of the entity table.");
  return from_entity(Block(RowMatrix(n, 0)));
}

NormalizedMatrix NormalizedMatrix::many_to_many(Block s, std::vector<std::int32_t> s_rows, Block r,
                                                std::vector<std::int32_t> r_rows) {
  if (s_rows.empty() || s_rows.size() != r_rows.size())
    throw invalid_parameter("s_rows and r_rows must have the same length >= 1 (one entry per join row), got " +
                                num(s_rows.size()) + " and " + num(r_rows.size()),
                            "Pass the row numbers of S and R for every row of the join output.");
  NormalizedMatrix t;
  t.n_ = static_cast<std::int64_t>(s_rows.size());
  Part ps;
  ps.identity = false;
  ps.index = std::move(s_rows);
  ps.block = std::move(s);
  t.parts_.push_back(std::move(ps));
  Part pr;
  pr.identity = false;
  pr.index = std::move(r_rows);
  pr.block = std::move(r);
  t.parts_.push_back(std::move(pr));
  t.validate();
  return t;
}

void NormalizedMatrix::join(std::vector<std::int32_t> fk, Block r) {
  if (transposed_)
    throw invalid_parameter("cannot join an attribute table to a transposed nmatrix",
                            "Join before transposing: morpheus.t(morpheus.nm_join(...)).");
  if (static_cast<std::int64_t>(fk.size()) != n_)
    throw invalid_parameter("fk has " + num(fk.size()) + " entries but t has " + num(n_) + " rows",
                            "Pass one foreign key per row of the entity table, in row order.");
  Part p;
  p.identity = false;
  p.index = std::move(fk);
  p.block = std::move(r);
  parts_.push_back(std::move(p));
  try {
    validate();
  } catch (...) {
    parts_.pop_back();
    throw;
  }
}

void NormalizedMatrix::validate(ErrorKind kind) const {
  if (n_ < 1 || n_ > kMaxDim) throw Error(kind, "nmatrix must have 1 to " + num(kMaxDim) + " rows, got " + num(n_));
  if (parts_.empty()) throw Error(kind, "nmatrix has no blocks");
  double bytes = 64.0;
  for (size_t k = 0; k < parts_.size(); ++k) {
    const Part& p = parts_[k];
    const std::int64_t rk = p.block.rows();
    const std::string which = k == 0 ? std::string("s") : "block " + num(k + 1);
    if (rk < 1 || rk > kMaxDim || p.block.cols() > kMaxDim)
      throw Error(kind, which + " has shape " + shape(rk, p.block.cols()) + "; blocks need 1 to " + num(kMaxDim) +
                            " rows and at most as many columns");
    if (p.identity) {
      if (rk != n_)
        throw Error(kind, which + " has " + num(rk) + " rows but the nmatrix has " + num(n_) + " rows",
                    "An entity block has one row per row of the nmatrix.");
    } else {
      if (static_cast<std::int64_t>(p.index.size()) != n_)
        throw Error(kind, "index of " + which + " has " + num(p.index.size()) + " entries but the nmatrix has " +
                              num(n_) + " rows");
      // A branch-free scan first (vectorized: this check runs on every read of a value), then the first bad key.
      const std::uint32_t limit = static_cast<std::uint32_t>(rk);
      std::uint32_t any = 0;
      for (const std::int32_t v : p.index) any |= static_cast<std::uint32_t>(static_cast<std::uint32_t>(v) >= limit);
      for (size_t i = 0; any != 0 && i < p.index.size(); ++i) {
        const std::int32_t v = p.index[i];
        if (v < 0 || v >= rk)
          throw Error(kind == ErrorKind::InvalidParameter ? ErrorKind::Subscript : kind,
                      (k == 0                          ? std::string("s_rows")
                       : k == 1 && !parts_[0].identity ? std::string("r_rows")
                                                       : std::string("fk")) +
                          "[" + num(i + 1) + "] = " + num(static_cast<std::int64_t>(v) + 1) + " but " +
                          (k == 0 ? std::string("s") : std::string("r")) + " has " + num(rk) + " rows",
                      "Foreign keys are 1-based row numbers of the attribute block (1.." + num(rk) + ").");
      }
      bytes += 4.0 * n_;
    }
    // Stored values were validated when written: re-checking the values on every read costs a pass over the data
    // and guards nothing (the index and shape checks, which keep memory access in bounds, always run).
    const bool check_values = kind != ErrorKind::DataCorrupted;
    bool finite = true;
    if (p.block.is_sparse()) {
      const SparseMap s = p.block.sparse();
      if (!s.isCompressed()) throw Error(kind, which + " is not in compressed form");
      if (check_values) finite = Eigen::Map<const Eigen::VectorXd>(s.valuePtr(), s.nonZeros()).allFinite();
      bytes += 4.0 * (rk + 1) + 12.0 * s.nonZeros();
    } else {
      if (check_values) finite = p.block.dense().allFinite();
      bytes += 8.0 * p.block.dense().size();
    }
    if (!finite)
      throw Error(kind, which + " holds a NaN or infinite value",
                  "Replace NaN and infinity before building the nmatrix.");
  }
  check_value_size(bytes, "nmatrix of " + shape(rows(), cols()));
}

}  // namespace morpheus::nm
