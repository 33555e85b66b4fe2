// Factorized operators over NormalizedMatrix (rewrites of the reference, §2 of docs/nmatrix.md).
#include "core/nmatrix/nmatrix.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/errors.hpp"
#include "core/interrupt.hpp"

namespace morpheus::nm {
namespace {

constexpr std::int64_t kCheckEvery = 1 << 14;  // rows between interrupt checks in gather/scatter loops

std::string num(std::int64_t v) { return std::to_string(v); }

std::string shape(std::int64_t r, std::int64_t c) { return num(r) + "x" + num(c); }

// Column offset of each part within the base (untransposed) matrix.
std::vector<std::int64_t> offsets(const NormalizedMatrix& t) {
  std::vector<std::int64_t> off;
  std::int64_t o = 0;
  for (const Part& p : t.parts()) {
    off.push_back(o);
    o += p.block.cols();
  }
  return off;
}

// colSums(I_k): how often each row of the block is used.
Eigen::VectorXd counts(const Part& p, std::int64_t n) {
  if (p.identity) return Eigen::VectorXd::Ones(n);
  Eigen::VectorXd c = Eigen::VectorXd::Zero(p.block.rows());
  for (std::int32_t i : p.index) c[i] += 1.0;
  return c;
}

// out (n x c) += I_k m (m: rows_k x c).
void gather_add(const Part& p, const RowMatrix& m, Eigen::Ref<RowMatrix, 0, Eigen::OuterStride<>> out) {
  if (p.identity) {
    out += m;
    return;
  }
  const std::int64_t n = static_cast<std::int64_t>(p.index.size());
  for (std::int64_t r = 0; r < n; ++r) {
    if (r % kCheckEvery == 0) check_interrupts();
    out.row(r) += m.row(p.index[static_cast<size_t>(r)]);
  }
}

// X I_k for X (m x n): column j of the result sums the columns r of X with idx[r] = j.
RowMatrix scatter_cols(const Part& p, const ConstRowMap& x) {
  RowMatrix z = RowMatrix::Zero(x.rows(), p.block.rows());
  const std::int64_t n = static_cast<std::int64_t>(p.index.size());
  for (std::int64_t i = 0; i < x.rows(); ++i) {
    check_interrupts();
    const double* xr = x.data() + i * x.cols();
    double* zr = z.data() + i * z.cols();
    for (std::int64_t r = 0; r < n; ++r) zr[p.index[static_cast<size_t>(r)]] += xr[r];
  }
  return z;
}

// Block times dense, dense times block, block' times dense/sparse, all with dense results.
RowMatrix block_times(const Block& b, const Eigen::Ref<const RowMatrix, 0, Eigen::OuterStride<>>& x) {
  if (b.is_sparse()) return RowMatrix(b.sparse() * x);
  return b.dense() * x;
}

RowMatrix times_block(const Eigen::Ref<const RowMatrix, 0, Eigen::OuterStride<>>& x, const Block& b) {
  if (b.is_sparse()) return RowMatrix(x * b.sparse());
  return x * b.dense();
}

// a' c for blocks a (m x p) and c (m x q) of any kinds: p x q dense.
RowMatrix tprod(const Block& a, const Block& c) {
  if (!a.is_sparse() && !c.is_sparse()) return a.dense().transpose() * c.dense();
  if (a.is_sparse() && !c.is_sparse()) return RowMatrix(a.sparse().transpose() * c.dense());
  if (!a.is_sparse() && c.is_sparse()) return RowMatrix((c.sparse().transpose() * a.dense()).transpose());
  SparseMatrix p = (a.sparse().transpose() * c.sparse()).pruned(0.0, 0.0);
  return RowMatrix(p.toDense());
}

// (I_k' I_l) B_l: rows_k x d_l, of B_l's kind.
Block cooccurrence_times(const Part& k, const Part& l, std::int64_t n) {
  const std::int64_t rk = k.block.rows();
  auto row_k = [&](std::int64_t r) -> std::int64_t { return k.identity ? r : k.index[static_cast<size_t>(r)]; };
  auto row_l = [&](std::int64_t r) -> std::int64_t { return l.identity ? r : l.index[static_cast<size_t>(r)]; };
  if (!l.block.is_sparse()) {
    RowMatrix c = RowMatrix::Zero(rk, l.block.cols());
    const RowMatrix& b = l.block.dense();
    for (std::int64_t r = 0; r < n; ++r) {
      if (r % kCheckEvery == 0) check_interrupts();
      c.row(row_k(r)) += b.row(row_l(r));
    }
    return Block(std::move(c));
  }
  const SparseMatrix& b = l.block.sparse();
  std::vector<Eigen::Triplet<double, int>> trip;
  trip.reserve(static_cast<size_t>(std::min<std::int64_t>(
      n * std::max<std::int64_t>(1, b.nonZeros() / std::max<std::int64_t>(1, b.rows())), 1 << 26)));
  for (std::int64_t r = 0; r < n; ++r) {
    if (r % kCheckEvery == 0) check_interrupts();
    const int dst = static_cast<int>(row_k(r));
    for (SparseMatrix::InnerIterator it(b, static_cast<int>(row_l(r))); it; ++it)
      trip.emplace_back(dst, it.col(), it.value());
  }
  SparseMatrix c(static_cast<int>(rk), static_cast<int>(l.block.cols()));
  c.setFromTriplets(trip.begin(), trip.end());
  return Block(std::move(c));
}

double avg_row_stored(const Block& b) { return b.rows() == 0 ? 0.0 : static_cast<double>(b.stored()) / b.rows(); }

void require_columns(const NormalizedMatrix& t, const char* what) {
  if (t.rows() == 0 || t.cols() == 0)
    throw invalid_parameter(
        std::string(what) + " needs a matrix with at least one row and one column, got " + shape(t.rows(), t.cols()),
        "Add attribute tables with morpheus.nm_join(t => ..., fk => ..., r => ...) first.");
}

void check_finite_blocks(const NormalizedMatrix& t, const std::string& what) {
  for (const Part& p : t.parts()) {
    const bool ok =
        p.block.is_sparse()
            ? Eigen::Map<const Eigen::VectorXd>(p.block.sparse().valuePtr(), p.block.sparse().nonZeros()).allFinite()
            : p.block.dense().allFinite();
    if (!ok)
      throw out_of_range(what + " produced a NaN or infinite value",
                         "Check the operand's domain (division by zero, log of a non-positive value, overflow).");
  }
}

// --- base (untransposed) kernels ---------------------------------------------------------------------------------

Eigen::VectorXd base_row_sums(const NormalizedMatrix& t) {
  RowMatrix out = RowMatrix::Zero(t.base_rows(), 1);
  for (const Part& p : t.parts()) {
    RowMatrix rs = p.block.row_sums();
    gather_add(p, rs, out);
  }
  return Eigen::Map<Eigen::VectorXd>(out.data(), out.rows());
}

Eigen::VectorXd base_col_sums(const NormalizedMatrix& t) {
  Eigen::VectorXd out(t.base_cols());
  const auto off = offsets(t);
  for (size_t k = 0; k < t.parts().size(); ++k) {
    const Part& p = t.parts()[k];
    if (p.block.cols() == 0) continue;
    const Eigen::VectorXd c = counts(p, t.base_rows());
    if (p.block.is_sparse())
      out.segment(off[k], p.block.cols()) = p.block.sparse().transpose() * c;
    else
      out.segment(off[k], p.block.cols()) = p.block.dense().transpose() * c;
  }
  return out;
}

// T X, X: base_cols x c.
RowMatrix base_lmm(const NormalizedMatrix& t, const ConstRowMap& x) {
  RowMatrix out = RowMatrix::Zero(t.base_rows(), x.cols());
  const auto off = offsets(t);
  for (size_t k = 0; k < t.parts().size(); ++k) {
    const Part& p = t.parts()[k];
    if (p.block.cols() == 0) continue;
    check_interrupts();
    RowMatrix y = block_times(p.block, x.middleRows(off[k], p.block.cols()));  // R_k X_k first: never K R
    gather_add(p, y, out);
  }
  return out;
}

// X T, X: m x base_rows.
RowMatrix base_rmm(const ConstRowMap& x, const NormalizedMatrix& t) {
  RowMatrix out(x.rows(), t.base_cols());
  const auto off = offsets(t);
  for (size_t k = 0; k < t.parts().size(); ++k) {
    const Part& p = t.parts()[k];
    if (p.block.cols() == 0) continue;
    check_interrupts();
    if (p.identity) {
      out.middleCols(off[k], p.block.cols()) = times_block(x, p.block);
    } else {
      const RowMatrix z = scatter_cols(p, x);  // (X K) first: never X (K R)
      out.middleCols(off[k], p.block.cols()) = times_block(z, p.block);
    }
  }
  return out;
}

RowMatrix base_crossprod(const NormalizedMatrix& t) {
  const std::int64_t d = t.base_cols();
  const std::int64_t n = t.base_rows();
  RowMatrix out = RowMatrix::Zero(d, d);
  const auto off = offsets(t);
  const auto& parts = t.parts();
  for (size_t k = 0; k < parts.size(); ++k) {
    const Part& p = parts[k];
    const std::int64_t dk = p.block.cols();
    if (dk == 0) continue;
    check_interrupts();
    // Diagonal block: crossprod(diag(colSums(I_k))^(1/2) B_k), symmetric rank update on the lower half.
    const Eigen::VectorXd w = counts(p, n).cwiseSqrt();
    if (p.block.is_sparse()) {
      const SparseMatrix ws = w.asDiagonal() * p.block.sparse();
      const SparseMatrix g = ws.transpose() * ws;
      out.block(off[k], off[k], dk, dk) = g.toDense();
    } else {
      const RowMatrix ws = w.asDiagonal() * p.block.dense();
      Eigen::MatrixXd g = Eigen::MatrixXd::Zero(dk, dk);
      g.selfadjointView<Eigen::Lower>().rankUpdate(ws.transpose());
      out.block(off[k], off[k], dk, dk) = g.selfadjointView<Eigen::Lower>();
    }
    // Off-diagonal blocks: B_k' (I_k' I_l) B_l, scattering into whichever side is cheaper.
    for (size_t l = k + 1; l < parts.size(); ++l) {
      const Part& q = parts[l];
      const std::int64_t dl = q.block.cols();
      if (dl == 0) continue;
      check_interrupts();
      const double cost_a = n * avg_row_stored(q.block) + static_cast<double>(p.block.stored()) * dl;
      const double cost_b = n * avg_row_stored(p.block) + static_cast<double>(q.block.stored()) * dk;
      RowMatrix blk;
      if (cost_a <= cost_b)
        blk = tprod(p.block, cooccurrence_times(p, q, n));
      else
        blk = tprod(cooccurrence_times(q, p, n), q.block);
      out.block(off[k], off[l], dk, dl) = blk;
      out.block(off[l], off[k], dl, dk) = blk.transpose();
    }
  }
  return out;
}

RowMatrix base_tcrossprod(const NormalizedMatrix& t) {
  const std::int64_t n = t.base_rows();
  check_value_size(static_cast<double>(n) * n * 8.0, "tcrossprod result (" + shape(n, n) + ")");
  RowMatrix out = RowMatrix::Zero(n, n);
  for (const Part& p : t.parts()) {
    if (p.block.cols() == 0) continue;
    check_interrupts();
    RowMatrix g;
    if (p.block.is_sparse()) {
      const SparseMatrix gs = p.block.sparse() * SparseMatrix(p.block.sparse().transpose());
      g = gs.toDense();
    } else {
      g = p.block.dense() * p.block.dense().transpose();
    }
    if (p.identity) {
      out += g;
      continue;
    }
    for (std::int64_t i = 0; i < n; ++i) {
      if (i % 256 == 0) check_interrupts();
      const double* gi = g.data() + static_cast<std::int64_t>(p.index[static_cast<size_t>(i)]) * g.cols();
      double* oi = out.data() + i * n;
      for (std::int64_t j = 0; j < n; ++j) oi[j] += gi[p.index[static_cast<size_t>(j)]];
    }
  }
  return out;
}

RowMatrix base_materialize(const NormalizedMatrix& t) {
  const std::int64_t n = t.base_rows();
  RowMatrix out = RowMatrix::Zero(n, t.base_cols());
  const auto off = offsets(t);
  for (size_t k = 0; k < t.parts().size(); ++k) {
    const Part& p = t.parts()[k];
    if (p.block.cols() == 0) continue;
    for (std::int64_t r = 0; r < n; ++r) {
      if (r % kCheckEvery == 0) check_interrupts();
      const std::int64_t src = p.identity ? r : p.index[static_cast<size_t>(r)];
      if (p.block.is_sparse()) {
        for (SparseMatrix::InnerIterator it(p.block.sparse(), static_cast<int>(src)); it; ++it)
          out(r, off[k] + it.col()) = it.value();
      } else {
        out.row(r).segment(off[k], p.block.cols()) = p.block.dense().row(src);
      }
    }
  }
  return out;
}

// Applies f to every element. dense_kernel(src) computes f on a whole dense block (vectorized where possible).
// The result is built block by block from the source: nothing is copied twice.
template <class F, class K>
NormalizedMatrix map_values(const NormalizedMatrix& t, F f, K dense_kernel, const std::string& what) {
  NormalizedMatrix out;
  out.set_base_rows(t.base_rows());
  out.set_transposed(t.transposed());
  const double at_zero = f(0.0);
  for (const Part& src : t.parts()) {
    check_interrupts();
    Part p;
    p.identity = src.identity;
    p.index = src.index;
    if (src.block.is_sparse() && at_zero != 0.0) {
      check_value_size(8.0 * src.block.rows() * src.block.cols(),
                       what + " on a sparse block of " + shape(src.block.rows(), src.block.cols()) + " (made dense)");
      p.block = Block(RowMatrix(dense_kernel(src.block.to_dense())));
    } else if (src.block.is_sparse()) {
      SparseMatrix s = src.block.sparse();
      double* v = s.valuePtr();
      for (std::int64_t i = 0; i < s.nonZeros(); ++i) v[i] = f(v[i]);
      p.block = Block(std::move(s));
    } else {
      p.block = Block(RowMatrix(dense_kernel(src.block.dense())));
    }
    out.parts().push_back(std::move(p));
  }
  check_finite_blocks(out, what);
  return out;
}

}  // namespace

void check_value_size(double bytes, const std::string& what) {
  if (bytes > static_cast<double>(kMaxValueBytes))
    throw Error(ErrorKind::LimitExceeded,
                what + " would need " + std::to_string(static_cast<long long>(bytes)) +
                    " bytes, over PostgreSQL's 1 GB limit for one value",
                "Use sparse blocks, fewer rows, or split the data.");
}

RowMatrix Block::to_dense() const { return is_sparse_ ? RowMatrix(sparse_.toDense()) : dense_; }

Eigen::VectorXd Block::row_sums() const {
  if (cols() == 0) return Eigen::VectorXd::Zero(rows());
  if (is_sparse_) return sparse_ * Eigen::VectorXd::Ones(sparse_.cols());
  return dense_.rowwise().sum();
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
  std::vector<Eigen::Triplet<double, int>> trip;
  trip.reserve(values.size());
  for (size_t e = 0; e < values.size(); ++e) {
    const std::int64_t i = row_idx[e], j = col_idx[e];
    if (i < 0 || i >= rows || j < 0 || j >= cols)
      throw Error(ErrorKind::Subscript,
                  nm + " entry " + num(e + 1) + " at (" + num(i + 1) + ", " + num(j + 1) + ") is outside its " +
                      shape(rows, cols) + " shape",
                  "Row and column indices are 1-based and must lie within n_rows and n_cols.");
    if (!std::isfinite(values[e]))
      throw invalid_parameter(nm + " value " + num(e + 1) + " is not finite", "Replace NaN and infinity first.");
    trip.emplace_back(static_cast<int>(i), static_cast<int>(j), values[e]);
  }
  SparseMatrix s(static_cast<int>(rows), static_cast<int>(cols));
  s.setFromTriplets(trip.begin(), trip.end());
  return Block(std::move(s));
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
      for (size_t i = 0; i < p.index.size(); ++i) {
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
      const SparseMatrix& s = p.block.sparse();
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

// --- operators ---------------------------------------------------------------------------------------------

const char* op_symbol(ScalarOp op) {
  switch (op) {
    case ScalarOp::Add: return "+";
    case ScalarOp::Sub: return "-";
    case ScalarOp::Mul: return "*";
    case ScalarOp::Div: return "/";
    case ScalarOp::Pow: return "^";
  }
  return "?";
}

const char* func_name(Func f) {
  switch (f) {
    case Func::Exp: return "exp";
    case Func::Log: return "log";
    case Func::Sqrt: return "sqrt";
    case Func::Abs: return "abs";
    case Func::Sin: return "sin";
    case Func::Cos: return "cos";
    case Func::Tan: return "tan";
    case Func::Tanh: return "tanh";
    case Func::Sign: return "sign";
    case Func::Square: return "square";
    case Func::Sigmoid: return "sigmoid";
    case Func::Log1p: return "log1p";
    case Func::Expm1: return "expm1";
  }
  return "?";
}

double apply_op(ScalarOp op, double a, double b) {
  switch (op) {
    case ScalarOp::Add: return a + b;
    case ScalarOp::Sub: return a - b;
    case ScalarOp::Mul: return a * b;
    case ScalarOp::Div: return a / b;
    case ScalarOp::Pow: return std::pow(a, b);
  }
  return 0.0;
}

double apply_func(Func f, double v) {
  switch (f) {
    case Func::Exp: return std::exp(v);
    case Func::Log: return std::log(v);
    case Func::Sqrt: return std::sqrt(v);
    case Func::Abs: return std::fabs(v);
    case Func::Sin: return std::sin(v);
    case Func::Cos: return std::cos(v);
    case Func::Tan: return std::tan(v);
    case Func::Tanh: return std::tanh(v);
    case Func::Sign: return v > 0 ? 1.0 : (v < 0 ? -1.0 : 0.0);
    case Func::Square: return v * v;
    case Func::Sigmoid: return 1.0 / (1.0 + std::exp(-v));
    case Func::Log1p: return std::log1p(v);
    case Func::Expm1: return std::expm1(v);
  }
  return 0.0;
}

NormalizedMatrix transpose(const NormalizedMatrix& t) {
  NormalizedMatrix out = t;
  out.set_transposed(!t.transposed());
  return out;
}

NormalizedMatrix scalar_op(const NormalizedMatrix& t, ScalarOp op, double x, bool scalar_left) {
  const std::string what = scalar_left ? "float8 " + std::string(op_symbol(op)) + " nmatrix"
                                       : "nmatrix " + std::string(op_symbol(op)) + " float8";
  if (!std::isfinite(x)) throw invalid_parameter("the scalar of " + what + " is not finite", "Pass a finite float8.");
  auto f = [op, x, scalar_left](double v) { return scalar_left ? apply_op(op, x, v) : apply_op(op, v, x); };
  auto kernel = [op, x, scalar_left, f](const RowMatrix& d) -> RowMatrix {
    switch (op) {
      case ScalarOp::Add: return (d.array() + x).matrix();
      case ScalarOp::Sub:
        return scalar_left ? RowMatrix((x - d.array()).matrix()) : RowMatrix((d.array() - x).matrix());
      case ScalarOp::Mul: return d * x;
      case ScalarOp::Div: return scalar_left ? RowMatrix((x / d.array()).matrix()) : RowMatrix(d / x);
      case ScalarOp::Pow: break;
    }
    return d.unaryExpr(f);
  };
  return map_values(t, f, kernel, what);
}

NormalizedMatrix elementwise(const NormalizedMatrix& t, Func f) {
  auto g = [f](double v) { return apply_func(f, v); };
  return map_values(
      t, g, [g](const RowMatrix& d) -> RowMatrix { return d.unaryExpr(g); }, std::string(func_name(f)) + "(nmatrix)");
}

Eigen::VectorXd row_sums(const NormalizedMatrix& t) { return t.transposed() ? base_col_sums(t) : base_row_sums(t); }

Eigen::VectorXd col_sums(const NormalizedMatrix& t) { return t.transposed() ? base_row_sums(t) : base_col_sums(t); }

double sum(const NormalizedMatrix& t) {
  double s = 0.0;
  for (const Part& p : t.parts()) s += counts(p, t.base_rows()).dot(p.block.row_sums());
  return s;
}

RowMatrix lmm(const NormalizedMatrix& t, const ConstRowMap& x) {
  if (x.rows() != t.cols())
    throw invalid_parameter(
        "nmatrix %*% x: nmatrix is " + shape(t.rows(), t.cols()) + " but x is " + shape(x.rows(), x.cols()),
        "x needs as many rows as the nmatrix has columns.");
  if (!t.transposed()) return base_lmm(t, x);
  // T' X = (X' T)'
  const RowMatrix xt = x.transpose();
  return base_rmm(ConstRowMap(xt.data(), xt.rows(), xt.cols()), t).transpose();
}

RowMatrix rmm(const ConstRowMap& x, const NormalizedMatrix& t) {
  if (x.cols() != t.rows())
    throw invalid_parameter(
        "x %*% nmatrix: x is " + shape(x.rows(), x.cols()) + " but nmatrix is " + shape(t.rows(), t.cols()),
        "x needs as many columns as the nmatrix has rows.");
  if (!t.transposed()) return base_rmm(x, t);
  // X T' = (T X')'
  const RowMatrix xt = x.transpose();
  return base_lmm(t, ConstRowMap(xt.data(), xt.rows(), xt.cols())).transpose();
}

RowMatrix matmul(const NormalizedMatrix& a, const NormalizedMatrix& b) {
  if (a.cols() != b.rows())
    throw invalid_parameter(
        "nmatrix %*% nmatrix: left is " + shape(a.rows(), a.cols()) + " but right is " + shape(b.rows(), b.cols()),
        "The left operand needs as many columns as the right one has rows.");
  // Through one factorized side: materialize the smaller operand, multiply the other one factorized.
  if (static_cast<double>(b.rows()) * b.cols() <= static_cast<double>(a.rows()) * a.cols()) {
    check_value_size(8.0 * b.rows() * b.cols(), "materialized right operand");
    const RowMatrix bm = materialize(b);
    return lmm(a, ConstRowMap(bm.data(), bm.rows(), bm.cols()));
  }
  check_value_size(8.0 * a.rows() * a.cols(), "materialized left operand");
  const RowMatrix am = materialize(a);
  return rmm(ConstRowMap(am.data(), am.rows(), am.cols()), b);
}

RowMatrix crossprod(const NormalizedMatrix& t) { return t.transposed() ? base_tcrossprod(t) : base_crossprod(t); }

RowMatrix tcrossprod(const NormalizedMatrix& t) { return t.transposed() ? base_crossprod(t) : base_tcrossprod(t); }

RowMatrix ginv(const NormalizedMatrix& t) {
  require_columns(t, "ginv(nmatrix)");
  const std::int64_t n = t.base_rows(), d = t.base_cols();
  NormalizedMatrix base = t;
  base.set_transposed(false);
  RowMatrix g;  // ginv of the base matrix, d x n
  if (d < n) {
    // ginv(T) = ginv(T'T) T' = (T ginv(T'T))'  (ginv of a symmetric matrix is symmetric)
    const RowMatrix c = base_crossprod(base);
    RowMatrix ci(d, d);
    morpheus::ginv(ConstRowMap(c.data(), d, d), RowMap(ci.data(), d, d));
    g = base_lmm(base, ConstRowMap(ci.data(), d, d)).transpose();
  } else {
    // ginv(T) = T' ginv(T T') = (ginv(T T') T)'
    const RowMatrix c = base_tcrossprod(base);
    RowMatrix ci(n, n);
    morpheus::ginv(ConstRowMap(c.data(), n, n), RowMap(ci.data(), n, n));
    g = base_rmm(ConstRowMap(ci.data(), n, n), base).transpose();
  }
  if (t.transposed()) return g.transpose();  // ginv(T') = ginv(T)'
  return g;
}

RowMatrix materialize(const NormalizedMatrix& t) {
  check_value_size(8.0 * t.rows() * t.cols(), "materialized nmatrix (" + shape(t.rows(), t.cols()) + ")");
  RowMatrix m = base_materialize(t);
  if (t.transposed()) return m.transpose();
  return m;
}

RowMatrix elementwise_matrix(const NormalizedMatrix& t, ScalarOp op, const ConstRowMap& x, bool matrix_left) {
  const std::string what = matrix_left ? "float8[][] " + std::string(op_symbol(op)) + " nmatrix"
                                       : "nmatrix " + std::string(op_symbol(op)) + " float8[][]";
  if (x.rows() != t.rows() || x.cols() != t.cols())
    throw invalid_parameter(
        what + ": nmatrix is " + shape(t.rows(), t.cols()) + " but the array is " + shape(x.rows(), x.cols()),
        "Element-wise operations need operands of the same shape.");
  RowMatrix m = materialize(t);
  for (std::int64_t i = 0; i < m.rows(); ++i) {
    if (i % 1024 == 0) check_interrupts();
    for (std::int64_t j = 0; j < m.cols(); ++j)
      m(i, j) = matrix_left ? apply_op(op, x(i, j), m(i, j)) : apply_op(op, m(i, j), x(i, j));
  }
  if (!m.allFinite())
    throw out_of_range(what + " produced a NaN or infinite value",
                       "Check the operands' domain (division by zero, overflow).");
  return m;
}

}  // namespace morpheus::nm
