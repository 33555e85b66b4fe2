// The normalized matrix of Morpheus (Chen et al., PVLDB 2017) and its factorized linear algebra.
//
// A NormalizedMatrix stands for T = [I_1 B_1, ..., I_p B_p] (n rows), where each part k has a block B_k (dense
// row-major or sparse CSR, rows_k x d_k) and an indicator I_k given either as the identity (rows_k = n: the entity
// block S of a PK-FK join) or as an index vector idx_k (n entries, 0-based rows of B_k: a foreign key, or the row
// numbers of one side of an M:N join). PK-FK star: parts (identity, S), (fk_1, R_1), ..., (fk_q, R_q).
// M:N: (N_S, S), (N_R, R). A transpose flag makes the value T' instead; every operator rewrites T' into operators on T.
//
// All operators are free functions; none of them builds the join unless its name says so (materialize) or the
// operation is not factorizable (elementwise_matrix).
#pragma once
#include "core/no_postgres.hpp"

#include <Eigen/Dense>
#include <Eigen/Sparse>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "core/dense.hpp"
#include "core/errors.hpp"

namespace morpheus::nm {

using SparseMatrix = Eigen::SparseMatrix<double, Eigen::RowMajor, int>;

// Largest serialized value PostgreSQL stores (1 GB - 1, MaxAllocSize); also the cap for blocks we build. The fuzz
// build lowers it (MORPHEUS_MAX_VALUE_BYTES) to check that no declared shape gets past it into an allocation.
#ifdef MORPHEUS_MAX_VALUE_BYTES
constexpr std::int64_t kMaxValueBytes = MORPHEUS_MAX_VALUE_BYTES;
#else
constexpr std::int64_t kMaxValueBytes = 0x3fffffff;
#endif
// Row and column counts are bounded by int32 (the index vectors and the sparse indices are 32-bit).
constexpr std::int64_t kMaxDim = 0x7fffffff;

// Throws LimitExceeded (54000) naming `what` when `bytes` exceeds kMaxValueBytes.
void check_value_size(double bytes, const std::string& what);

// A read-only CSR view: the same operations as SparseMatrix (products, InnerIterator, toDense) over arrays owned
// by a SparseMatrix or by a serialized value.
using SparseMap = Eigen::Map<const SparseMatrix>;

// One block: dense (row-major) or sparse (CSR). A block owns its values, or is a view of arrays owned elsewhere
// (a stored value read in place by deserialize with borrow): a view, and every copy of it, must not outlive them.
class Block {
 public:
  Block() = default;
  explicit Block(RowMatrix dense) : dense_(std::move(dense)) {}
  explicit Block(SparseMatrix sparse) : is_sparse_(true), sparse_(std::move(sparse)) { sparse_.makeCompressed(); }
  // Views; data must be aligned for its type (8 bytes for double, 4 for int).
  static Block dense_view(const double* data, std::int64_t rows, std::int64_t cols);
  static Block sparse_view(std::int64_t rows, std::int64_t cols, std::int64_t nnz, const int* outer, const int* inner,
                           const double* values);

  bool is_sparse() const { return is_sparse_; }
  bool is_view() const { return view_; }
  std::int64_t rows() const { return view_ ? rows_ : is_sparse_ ? sparse_.rows() : dense_.rows(); }
  std::int64_t cols() const { return view_ ? cols_ : is_sparse_ ? sparse_.cols() : dense_.cols(); }
  // Stored entries: rows * cols for a dense block, the non-zeros for a sparse one.
  std::int64_t stored() const {
    return view_ ? (is_sparse_ ? nnz_ : rows_ * cols_) : is_sparse_ ? sparse_.nonZeros() : dense_.size();
  }
  ConstRowMap dense() const {
    return view_ ? ConstRowMap(values_, rows_, cols_) : ConstRowMap(dense_.data(), dense_.rows(), dense_.cols());
  }
  SparseMap sparse() const {
    return view_ ? SparseMap(rows_, cols_, nnz_, outer_, inner_, values_)
                 : SparseMap(sparse_.rows(), sparse_.cols(), sparse_.nonZeros(), sparse_.outerIndexPtr(),
                             sparse_.innerIndexPtr(), sparse_.valuePtr());
  }
  RowMatrix to_dense() const;
  Eigen::VectorXd row_sums() const;

 private:
  bool is_sparse_ = false;
  bool view_ = false;
  RowMatrix dense_;
  SparseMatrix sparse_;
  // view_ only
  std::int64_t rows_ = 0, cols_ = 0, nnz_ = 0;
  const double* values_ = nullptr;
  const int* outer_ = nullptr;
  const int* inner_ = nullptr;
};

// An index vector (0-based rows of a block): owned, or a view of entries owned elsewhere (same rule as Block).
class IndexVec {
 public:
  IndexVec() = default;
  IndexVec(std::vector<std::int32_t> v) : own_(std::move(v)) { sync(); }  // NOLINT: implicit on purpose
  IndexVec(std::initializer_list<std::int32_t> v) : own_(v) { sync(); }
  IndexVec(const IndexVec& o) : own_(o.own_), p_(o.p_), n_(o.n_), view_(o.view_) { sync(); }
  IndexVec(IndexVec&& o) noexcept : own_(std::move(o.own_)), p_(o.p_), n_(o.n_), view_(o.view_) { sync(); }
  IndexVec& operator=(const IndexVec& o) {
    if (this != &o) {
      own_ = o.own_;
      p_ = o.p_;
      n_ = o.n_;
      view_ = o.view_;
      sync();
    }
    return *this;
  }
  IndexVec& operator=(IndexVec&& o) noexcept {
    own_ = std::move(o.own_);
    p_ = o.p_;
    n_ = o.n_;
    view_ = o.view_;
    sync();
    return *this;
  }
  static IndexVec view(const std::int32_t* data, std::size_t n) {
    IndexVec v;
    v.p_ = data;
    v.n_ = n;
    v.view_ = true;
    return v;
  }

  bool is_view() const { return view_; }
  std::size_t size() const { return n_; }
  bool empty() const { return n_ == 0; }
  const std::int32_t* data() const { return p_; }
  std::int32_t operator[](std::size_t i) const { return p_[i]; }
  const std::int32_t* begin() const { return p_; }
  const std::int32_t* end() const { return p_ + n_; }
  void clear() { *this = IndexVec(); }

 private:
  void sync() {
    if (!view_) {
      p_ = own_.data();
      n_ = own_.size();
    }
  }
  std::vector<std::int32_t> own_;
  const std::int32_t* p_ = nullptr;
  std::size_t n_ = 0;
  bool view_ = false;
};

// Builds a sparse rows x cols block from 0-based (row, col, value) triplets; duplicates are summed. Indices are
// checked (Subscript errors naming `name`), values must be finite, the size is checked before allocation. The CSR
// arrays are built directly (sorting the entries): memory is O(rows + entries), whatever the number of columns.
Block sparse_block(std::int64_t rows, std::int64_t cols, const std::vector<std::int64_t>& row_idx,
                   const std::vector<std::int64_t>& col_idx, const std::vector<double>& values, const char* name);

// Builds a CSR matrix from entries already in increasing (row, column) order without duplicates (0-based rows and
// columns in range, checked by the caller): O(rows + entries) memory, no temporary of the other storage order.
SparseMatrix csr_from_sorted(std::int64_t rows, std::int64_t cols, const std::vector<std::int32_t>& row_idx,
                             const std::vector<std::int32_t>& col_idx, const std::vector<double>& values);

struct Part {
  bool identity = true;  // I_k = identity (block rows = n), else index
  IndexVec index;        // 0-based rows of block, n entries (empty when identity)
  Block block;
};

class NormalizedMatrix {
 public:
  // T = S (one identity part). S may have 0 columns; it must have >= 1 row.
  static NormalizedMatrix from_entity(Block s);
  // T with n rows and no columns yet (d_S = 0), to be extended with join().
  static NormalizedMatrix with_rows(std::int64_t n);
  // M:N join: T = [I_S S, I_R R] with 0-based row numbers s_rows, r_rows (equal lengths >= 1).
  static NormalizedMatrix many_to_many(Block s, std::vector<std::int32_t> s_rows, Block r,
                                       std::vector<std::int32_t> r_rows);

  // Appends the attribute block r referenced by the 0-based index fk (n entries): T <- [T, K r]. The value must not
  // be transposed. Errors name fk[i] 1-based, as the SQL surface shows it.
  void join(std::vector<std::int32_t> fk, Block r);

  std::int64_t base_rows() const { return n_; }
  std::int64_t base_cols() const;
  std::int64_t rows() const { return transposed_ ? base_cols() : n_; }
  std::int64_t cols() const { return transposed_ ? n_ : base_cols(); }
  bool transposed() const { return transposed_; }
  void set_transposed(bool t) { transposed_ = t; }
  const std::vector<Part>& parts() const { return parts_; }
  std::vector<Part>& parts() { return parts_; }
  void set_base_rows(std::int64_t n) { n_ = n; }

  // Checks every invariant (shapes, index ranges, finite values, size limits); throws `kind` errors.
  void validate(ErrorKind kind = ErrorKind::InvalidParameter) const;

 private:
  std::int64_t n_ = 0;
  bool transposed_ = false;
  std::vector<Part> parts_;
};

enum class ScalarOp { Add, Sub, Mul, Div, Pow };
enum class Func { Exp, Log, Sqrt, Abs, Sin, Cos, Tan, Tanh, Sign, Square, Sigmoid, Log1p, Expm1 };

const char* op_symbol(ScalarOp op);
const char* func_name(Func f);
double apply_op(ScalarOp op, double a, double b);
double apply_func(Func f, double v);

// Number of columns of the logical value (after the transpose flag).
inline std::int64_t nrow(const NormalizedMatrix& t) { return t.rows(); }
inline std::int64_t ncol(const NormalizedMatrix& t) { return t.cols(); }

// Closure operators: return a normalized matrix.
NormalizedMatrix transpose(const NormalizedMatrix& t);
// t op x (scalar_left = false) or x op t (scalar_left = true), element-wise. Non-finite results are OutOfRange.
NormalizedMatrix scalar_op(const NormalizedMatrix& t, ScalarOp op, double x, bool scalar_left);
NormalizedMatrix elementwise(const NormalizedMatrix& t, Func f);

// Aggregations.
Eigen::VectorXd row_sums(const NormalizedMatrix& t);
Eigen::VectorXd col_sums(const NormalizedMatrix& t);
double sum(const NormalizedMatrix& t);

// Products (regular results).
RowMatrix lmm(const NormalizedMatrix& t, const ConstRowMap& x);  // T X
RowMatrix rmm(const ConstRowMap& x, const NormalizedMatrix& t);  // X T
// T X and row_sums(T) written into caller-provided memory of the result's shape (e.g. a PostgreSQL array): no
// intermediate result and no copy.
void lmm_into(const NormalizedMatrix& t, const ConstRowMap& x, RowMap out);
void row_sums_into(const NormalizedMatrix& t, RowMap out);
RowMatrix matmul(const NormalizedMatrix& a, const NormalizedMatrix& b);
RowMatrix crossprod(const NormalizedMatrix& t);  // T'T
// T'T as a sparse matrix (exact zeros not stored), for wide one-hot matrices; 54000 past 2^31 - 1 entries or 1 GB.
SparseMatrix crossprod_sparse(const NormalizedMatrix& t);
RowMatrix tcrossprod(const NormalizedMatrix& t);  // T T'
RowMatrix ginv(const NormalizedMatrix& t);
RowMatrix materialize(const NormalizedMatrix& t);
// Not factorizable: t op x (matrix_left = false) or x op t, x dense of the same shape, through materialization.
RowMatrix elementwise_matrix(const NormalizedMatrix& t, ScalarOp op, const ConstRowMap& x, bool matrix_left);

// Storage: a versioned binary layout (see nmatrix_io.cpp). Version 1 is packed (the send/recv wire format, big-endian
// there); version 2 (what is stored) pads every array so that it starts 8-aligned relative to a 4-byte header
// before `out` (the varlena header), which lets deserialize read the arrays in place.
constexpr std::uint32_t kMagic = 0x4E4D4154;  // "NMAT"
constexpr std::uint16_t kWireVersion = 1;
constexpr std::uint16_t kStorageVersion = 2;
std::int64_t serialized_size(const NormalizedMatrix& t, std::uint16_t version);
void serialize(const NormalizedMatrix& t, char* out, std::int64_t size, bool big_endian, std::uint16_t version);
// Parses and validates a serialized value of either version; malformed input raises `kind` (DataCorrupted for
// stored values). With borrow (native byte order), every array of `data` that is aligned for its type is used in
// place (the result's blocks and index vectors are views; `data` must outlive the result and its copies); arrays
// that are not aligned (a value at an odd address, or a version 1 value) are copied.
NormalizedMatrix deserialize(const char* data, std::int64_t size, bool big_endian, ErrorKind kind, bool borrow = false);

// Text form (documented in docs/nmatrix.md); parse errors are InvalidText (22P02).
std::string to_text(const NormalizedMatrix& t);
NormalizedMatrix from_text(const std::string& text);

}  // namespace morpheus::nm
