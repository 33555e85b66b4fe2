#include "core/nmatrix/kernels.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <type_traits>

#include "core/errors.hpp"
#include "core/interrupt.hpp"

namespace morpheus::nm {
namespace {

constexpr std::int64_t kTile = 256;          // rows per tile of a block (m and p stay in L1/L2)
constexpr std::int64_t kChunk = 8192;        // rows or columns per task of the per-part phases
constexpr int kMaxBlocks = 4;                // fixed row blocks at most (a power of two)
constexpr double kScratchBudget = 64 << 20;  // bytes of per-block scratch before the block count is lowered
constexpr int kPollTiles = 32;               // tiles between polls (cancel) inside a block
constexpr std::int64_t kAhead = 16;          // rows ahead whose gathered or scattered key row is prefetched

// Rows of c > 1 columns, W columns at a time held in registers across a block row's entries: with the column loop
// innermost over a runtime c, out[] stays in memory and every entry waits on the previous entry's stores.
// out[q0 .. q0 + W) += sum over entries e of v_e x[col_e, q0 .. q0 + W); v_e = 1 when values is nullptr. Explicit
// fma: the same bits whatever the compiler's contraction setting (the pull form must equal the push form).
template <int W>
void gather_columns(const int* cols, const double* values, int lo, int hi, const double* x, int c, int q0,
                    double* out) {
  double a[W] = {};
  for (int e = lo; e < hi; ++e) {
    const double* xj = x + static_cast<std::int64_t>(cols[e]) * c + q0;
    if (values == nullptr)
      for (int k = 0; k < W; ++k) a[k] += xj[k];
    else
      for (int k = 0; k < W; ++k) a[k] = std::fma(values[e], xj[k], a[k]);
  }
  for (int k = 0; k < W; ++k) out[q0 + k] += a[k];
}

// o[col_e, q0 .. q0 + W) += v_e p[q0 .. q0 + W) for every entry e (the same additions, in the same order, as one
// column at a time).
template <int W>
void scatter_columns(const int* cols, const double* values, int lo, int hi, const double* p, int c, int q0, double* o) {
  double pv[W];
  for (int k = 0; k < W; ++k) pv[k] = p[q0 + k];
  for (int e = lo; e < hi; ++e) {
    double* oj = o + static_cast<std::int64_t>(cols[e]) * c + q0;
    if (values == nullptr)
      for (int k = 0; k < W; ++k) oj[k] += pv[k];
    else
      for (int k = 0; k < W; ++k) oj[k] = std::fma(values[e], pv[k], oj[k]);
  }
}

// Calls f(std::integral_constant<int, W>(), q0) for the column groups of c columns: fours, then the rest.
template <class F>
void column_groups(int c, const F& f) {
  int q0 = 0;
  for (; q0 + 4 <= c; q0 += 4) f(std::integral_constant<int, 4>(), q0);
  if (c - q0 == 3) f(std::integral_constant<int, 3>(), q0);
  if (c - q0 == 2) f(std::integral_constant<int, 2>(), q0);
  if (c - q0 == 1) f(std::integral_constant<int, 1>(), q0);
}

void gather_row(const int* cols, const double* values, int lo, int hi, const double* x, int c, double* out) {
  column_groups(c, [&](auto w, int q0) { gather_columns<decltype(w)::value>(cols, values, lo, hi, x, c, q0, out); });
}

void scatter_row(const int* cols, const double* values, int lo, int hi, const double* p, int c, double* o) {
  column_groups(c, [&](auto w, int q0) { scatter_columns<decltype(w)::value>(cols, values, lo, hi, p, c, q0, o); });
}

}  // namespace

struct Kernels::Part {
  bool direct = true;                 // identity or streamed: row i reads block row src(i)
  const std::int32_t* idx = nullptr;  // index (nullptr for identity)
  std::int64_t rows = 0, cols = 0, off = 0;
  std::int64_t zoff = 0;  // offset of this part in z_ (index parts, rows) or o_ (direct parts, columns)
  bool sparse = false, pattern = false;
  const double* dense = nullptr;
  const int* outer = nullptr;
  const int* inner = nullptr;
  const double* values = nullptr;
  std::vector<double> y;  // rows x c: B X of the current pass (index parts)
  // CSR of B' (ascending rows within a column), for the column-parallel transposed product with threads > 1.
  bool t_built = false;
  std::vector<int> t_outer, t_inner;
  std::vector<double> t_values;

  std::int64_t src(std::int64_t i) const { return idx != nullptr ? idx[i] : i; }

  // out[0..c) += B row r . X_part (x: the part's rows of X, cols x c row-major)
  void row_times_add(std::int64_t r, const double* x, int c, double* out) const {
    if (!sparse) {
      const double* b = dense + r * cols;
      if (c == 1) {
        double a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        std::int64_t j = 0;
        for (; j + 4 <= cols; j += 4) {
          a0 += b[j] * x[j];
          a1 += b[j + 1] * x[j + 1];
          a2 += b[j + 2] * x[j + 2];
          a3 += b[j + 3] * x[j + 3];
        }
        for (; j < cols; ++j) a0 += b[j] * x[j];
        out[0] += (a0 + a1) + (a2 + a3);
        return;
      }
      for (std::int64_t j = 0; j < cols; ++j) {
        const double bj = b[j];
        const double* xj = x + j * c;
        for (int q = 0; q < c; ++q) out[q] += bj * xj[q];
      }
      return;
    }
    const int lo = outer[r], hi = outer[r + 1];
    if (c == 1) {
      double a = 0;
      if (pattern)
        for (int p = lo; p < hi; ++p) a += x[inner[p]];
      else
        for (int p = lo; p < hi; ++p) a += values[p] * x[inner[p]];
      out[0] += a;
      return;
    }
    gather_row(inner, pattern ? nullptr : values, lo, hi, x, c, out);
  }

  // o (cols x c) += B row r' p_row
  void row_scatter(std::int64_t r, const double* prow, int c, double* o) const {
    if (!sparse) {
      const double* b = dense + r * cols;
      if (c == 1) {
        const double pv = prow[0];
        for (std::int64_t j = 0; j < cols; ++j) o[j] += b[j] * pv;
        return;
      }
      for (std::int64_t j = 0; j < cols; ++j)
        for (int q = 0; q < c; ++q) o[j * c + q] += b[j] * prow[q];
      return;
    }
    const int lo = outer[r], hi = outer[r + 1];
    if (c == 1) {
      const double pv = prow[0];
      if (pattern)
        for (int p = lo; p < hi; ++p) o[inner[p]] += pv;
      else
        for (int p = lo; p < hi; ++p) o[inner[p]] += values[p] * pv;
      return;
    }
    scatter_row(inner, pattern ? nullptr : values, lo, hi, prow, c, o);
  }

  // Rows [i0, i1) of the join (block rows src(i)): m[(i - i0) c + q] += B row src(i) . X_part. The one-column paths
  // run the whole tile in one loop (the per-row call costs more than a short CSR row).
  void tile_times_add(std::int64_t i0, std::int64_t i1, const double* x, int c, double* m) const {
    if (c == 1 && sparse) {
      for (std::int64_t i = i0; i < i1; ++i) {
        const std::int64_t r = src(i);
        double a = 0;
        if (pattern)
          for (int e = outer[r]; e < outer[r + 1]; ++e) a += x[inner[e]];
        else
          for (int e = outer[r]; e < outer[r + 1]; ++e) a += values[e] * x[inner[e]];
        m[i - i0] += a;
      }
      return;
    }
    if (c == 1 && cols == 1) {
      const double x0 = x[0];
      for (std::int64_t i = i0; i < i1; ++i) m[i - i0] += dense[src(i)] * x0;
      return;
    }
    for (std::int64_t i = i0; i < i1; ++i) row_times_add(src(i), x, c, m + (i - i0) * c);
  }

  // o (cols x c) += sum over rows [i0, i1) of B row src(i)' p_row.
  void tile_scatter(std::int64_t i0, std::int64_t i1, const double* p, int c, double* o) const {
    if (c == 1 && sparse) {
      for (std::int64_t i = i0; i < i1; ++i) {
        const std::int64_t r = src(i);
        const double pv = p[i - i0];
        if (pattern)
          for (int e = outer[r]; e < outer[r + 1]; ++e) o[inner[e]] += pv;
        else
          for (int e = outer[r]; e < outer[r + 1]; ++e) o[inner[e]] += values[e] * pv;
      }
      return;
    }
    if (c == 1 && cols == 1) {
      double acc = o[0];
      for (std::int64_t i = i0; i < i1; ++i) acc += dense[src(i)] * p[i - i0];
      o[0] = acc;
      return;
    }
    for (std::int64_t i = i0; i < i1; ++i) row_scatter(src(i), p + (i - i0) * c, c, o);
  }

  void build_transpose() {
    if (t_built || !sparse) return;
    const std::int64_t nnz = outer[rows];
    t_outer.assign(static_cast<size_t>(cols + 1), 0);
    t_inner.resize(static_cast<size_t>(nnz));
    if (!pattern) t_values.resize(static_cast<size_t>(nnz));
    for (std::int64_t p = 0; p < nnz; ++p) ++t_outer[static_cast<size_t>(inner[p]) + 1];
    for (std::int64_t j = 0; j < cols; ++j) t_outer[j + 1] += t_outer[j];
    std::vector<int> pos(t_outer.begin(), t_outer.end() - 1);
    for (std::int64_t r = 0; r < rows; ++r) {
      if (r % 65536 == 0) check_interrupts();
      for (int p = outer[r]; p < outer[r + 1]; ++p) {
        const int at = pos[inner[p]]++;
        t_inner[at] = static_cast<int>(r);
        if (!pattern) t_values[at] = values[p];
      }
    }
    t_built = true;
  }
};

Kernels::Kernels(const NormalizedMatrix& t, KernelOptions o)
    : n_(t.base_rows()), d_(t.base_cols()), block_rows_(std::max<std::int64_t>(1, o.block_rows)), team_(o.threads) {
  std::int64_t off = 0;
  for (size_t k = 0; k < t.parts().size(); ++k) {
    const nm::Part& src = t.parts()[k];
    auto p = std::make_unique<Part>();
    p->rows = src.block.rows();
    p->cols = src.block.cols();
    p->off = off;
    off += p->cols;
    p->idx = src.identity ? nullptr : src.index.data();
    p->direct = src.identity || (k < o.streamed.size() && o.streamed[k]);
    p->sparse = src.block.is_sparse();
    if (p->sparse) {
      const SparseMap s = src.block.sparse();
      p->outer = s.outerIndexPtr();
      p->inner = s.innerIndexPtr();
      p->values = s.valuePtr();
      const std::int64_t nnz = s.nonZeros();
      // A count over four independent sums, not a search with a branch per entry (this runs on every call).
      std::int64_t other[4] = {0, 0, 0, 0};
      std::int64_t e = 0;
      for (; e + 4 <= nnz; e += 4)
        for (int q = 0; q < 4; ++q) other[q] += p->values[e + q] != 1.0;
      for (; e < nnz; ++e) other[0] += p->values[e] != 1.0;
      p->pattern = other[0] + other[1] + other[2] + other[3] == 0;
    } else {
      p->dense = src.block.dense().data();
    }
    if (p->cols == 0) continue;  // contributes nothing
    if (p->direct) {
      p->zoff = direct_cols_;
      direct_cols_ += p->cols;
    } else {
      p->zoff = index_rows_;
      index_rows_ += p->rows;
    }
    parts_.push_back(std::move(p));
  }
}

Kernels::~Kernels() = default;

int Kernels::blocks(int c) const {
  // A power of two (so that two or four threads share the blocks evenly), at most one per block_rows rows, fewer when
  // the per-block scratch would pass the budget.
  const double per_block = 8.0 * c * static_cast<double>(index_rows_ + direct_cols_);
  int nb = 1;
  while (nb < kMaxBlocks && n_ / block_rows_ >= 2 * nb && (per_block <= 0 || 2 * nb * per_block <= kScratchBudget))
    nb *= 2;
  return nb;
}

std::int64_t Kernels::block_begin(int b, int c) const {
  const int nb = blocks(c);
  return n_ * b / nb;
}

void Kernels::size_scratch(int c) {
  const int nb = blocks(c);
  const size_t z = static_cast<size_t>(nb) * static_cast<size_t>(index_rows_) * c;
  const size_t o = static_cast<size_t>(nb) * static_cast<size_t>(direct_cols_) * c;
  const size_t tl = static_cast<size_t>(nb) * 2 * kTile * c;
  check_value_size(8.0 * static_cast<double>(z + o + tl), "factorized pass scratch");
  if (z_.size() < z) z_.resize(z);
  if (o_.size() < o) o_.resize(o);
  if (tile_.size() < tl) tile_.resize(tl);
  for (auto& p : parts_)
    if (!p->direct && p->y.size() < static_cast<size_t>(p->rows * c)) p->y.resize(static_cast<size_t>(p->rows * c));
}

// Y_k = B_k X_k for every factorized index part, in row chunks.
void Kernels::compute_y(const double* x, int c) {
  std::vector<std::pair<Part*, std::int64_t>> tasks;  // small: one entry per chunk
  for (auto& p : parts_)
    if (!p->direct)
      for (std::int64_t lo = 0; lo < p->rows; lo += kChunk) tasks.emplace_back(p.get(), lo);
  team_.run(static_cast<std::int64_t>(tasks.size()), [&](std::int64_t t) {
    Part& p = *tasks[static_cast<size_t>(t)].first;
    const std::int64_t lo = tasks[static_cast<size_t>(t)].second, hi = std::min(p.rows, lo + kChunk);
    const double* xp = x + p.off * c;
    double* y = p.y.data();
    std::fill(y + lo * c, y + hi * c, 0.0);
    for (std::int64_t r = lo; r < hi; ++r) p.row_times_add(r, xp, c, y + r * c);
  });
}

// The blocks: gather T X into tiles (x != nullptr), hand them to op (or copy to m_out), scatter P (op's rows, or
// p_in) into the block's scratch.
void Kernels::run_blocks(const double* x, const double* p_in, int c, RowOp* op, double* m_out, bool scatter) {
  const int nb = blocks(c);
  team_.run(nb, [&](std::int64_t bi) {
    const int b = static_cast<int>(bi);
    const std::int64_t lo = n_ * b / nb, hi = n_ * (b + 1) / nb;
    double* z = z_.data() + static_cast<size_t>(b) * index_rows_ * c;
    double* o = o_.data() + static_cast<size_t>(b) * direct_cols_ * c;
    double* mt = tile_.data() + static_cast<size_t>(b) * 2 * kTile * c;
    double* pt = mt + kTile * c;
    if (scatter) {
      std::fill(z, z + index_rows_ * c, 0.0);
      std::fill(o, o + direct_cols_ * c, 0.0);
    }
    int tiles = 0;
    for (std::int64_t i0 = lo; i0 < hi; i0 += kTile) {
      if (++tiles % kPollTiles == 0 && team_.poll()) return;
      const std::int64_t i1 = std::min(hi, i0 + kTile), rows = i1 - i0;
      const double* p = p_in != nullptr ? p_in + i0 * c : pt;
      if (x != nullptr) {
        double* m = m_out != nullptr ? m_out + i0 * c : mt;
        std::fill(m, m + rows * c, 0.0);
        for (const auto& part : parts_) {
          const Part& q = *part;
          if (q.direct) {
            q.tile_times_add(i0, i1, x + q.off * c, c, m);
          } else if (c == 1) {
            const double* y = q.y.data();
            const std::int32_t* idx = q.idx;
            for (std::int64_t i = i0; i < i1; ++i) m[i - i0] += y[idx[i]];
          } else {
            for (std::int64_t i = i0; i < i1; ++i) {
              if (i + kAhead < i1) __builtin_prefetch(q.y.data() + static_cast<std::int64_t>(q.idx[i + kAhead]) * c);
              const double* yr = q.y.data() + static_cast<std::int64_t>(q.idx[i]) * c;
              double* mr = m + (i - i0) * c;
              for (int k = 0; k < c; ++k) mr[k] += yr[k];
            }
          }
        }
        if (op != nullptr) op->apply(b, i0, rows, m, pt);
      }
      if (!scatter) continue;
      for (const auto& part : parts_) {
        const Part& q = *part;
        if (q.direct) {
          q.tile_scatter(i0, i1, p, c, o + q.zoff * c);
        } else if (c == 1) {
          double* zq = z + q.zoff;
          const std::int32_t* idx = q.idx;
          for (std::int64_t i = i0; i < i1; ++i) zq[idx[i]] += p[i - i0];
        } else {
          double* zq = z + q.zoff * c;
          for (std::int64_t i = i0; i < i1; ++i) {
            if (i + kAhead < i1) __builtin_prefetch(zq + static_cast<std::int64_t>(q.idx[i + kAhead]) * c, 1);
            double* zr = zq + static_cast<std::int64_t>(q.idx[i]) * c;
            const double* pr = p + (i - i0) * c;
            for (int k = 0; k < c; ++k) zr[k] += pr[k];
          }
        }
      }
    }
  });
}

// T' P from the blocks' scratch: Z_k = sum of the blocks' Z_k in block order, then B_k' Z_k; direct parts sum their
// blocks' columns in block order.
void Kernels::reduce_and_multiply(int c, double* tp) {
  const int nb = blocks(c);
  std::fill(tp, tp + d_ * c, 0.0);
  const size_t zs = static_cast<size_t>(index_rows_) * c, os = static_cast<size_t>(direct_cols_) * c;
  if (nb > 1 && index_rows_ > 0) {  // Z (in block 0's scratch) = Z_0 + Z_1 + ... in block order
    const std::int64_t total = index_rows_ * c;
    const std::int64_t chunks = (total + kChunk * 4 - 1) / (kChunk * 4);
    team_.run(chunks, [&](std::int64_t t) {
      const std::int64_t lo = t * kChunk * 4, hi = std::min(total, lo + kChunk * 4);
      double* z0 = z_.data();
      for (int b = 1; b < nb; ++b) {
        const double* zb = z_.data() + b * zs;
        for (std::int64_t j = lo; j < hi; ++j) z0[j] += zb[j];
      }
    });
  }
  const bool pull = team_.threads() > 1;
  std::vector<std::pair<Part*, std::int64_t>> tasks;
  for (auto& p : parts_) {
    if (pull && p->sparse && !p->direct) p->build_transpose();
    if (!p->direct && p->sparse && !pull) {
      tasks.emplace_back(p.get(), 0);  // push over the whole part
      continue;
    }
    for (std::int64_t lo = 0; lo < p->cols; lo += kChunk) tasks.emplace_back(p.get(), lo);
  }
  team_.run(static_cast<std::int64_t>(tasks.size()), [&](std::int64_t t) {
    const Part& p = *tasks[static_cast<size_t>(t)].first;
    const std::int64_t lo = tasks[static_cast<size_t>(t)].second;
    const std::int64_t hi = std::min(p.cols, lo + kChunk);
    double* out = tp + p.off * c;
    if (p.direct) {
      for (std::int64_t j = lo * c; j < hi * c; ++j) {
        double acc = o_[p.zoff * c + j];
        for (int b = 1; b < nb; ++b) acc += o_[b * os + p.zoff * c + j];
        out[j] = acc;
      }
      return;
    }
    const double* z = z_.data() + p.zoff * c;
    if (!p.sparse) {  // columns [lo, hi) of B' Z, rows in ascending order
      for (std::int64_t r = 0; r < p.rows; ++r) {
        const double* b = p.dense + r * p.cols;
        const double* zr = z + r * c;
        if (c == 1) {
          const double zv = zr[0];
          for (std::int64_t j = lo; j < hi; ++j) out[j] = std::fma(b[j], zv, out[j]);
        } else {
          for (std::int64_t j = lo; j < hi; ++j)
            for (int q = 0; q < c; ++q) out[j * c + q] = std::fma(b[j], zr[q], out[j * c + q]);
        }
      }
      return;
    }
    if (!pull) {  // push, rows ascending: out[col] accumulates in ascending row order, as the pull does
      for (std::int64_t r = 0; r < p.rows; ++r) {
        const double* zr = z + r * c;
        for (int e = p.outer[r]; e < p.outer[r + 1]; ++e) {
          double* oc = out + static_cast<std::int64_t>(p.inner[e]) * c;
          if (p.pattern)
            for (int q = 0; q < c; ++q) oc[q] += zr[q];
          else
            for (int q = 0; q < c; ++q) oc[q] = std::fma(p.values[e], zr[q], oc[q]);
        }
      }
      return;
    }
    if (c == 1) {  // pull, one column: column j of B' z over its rows, ascending (the push's order)
      for (std::int64_t j = lo; j < hi; ++j) {
        double acc = out[j];
        if (p.pattern)
          for (int e = p.t_outer[j]; e < p.t_outer[j + 1]; ++e) acc += z[p.t_inner[e]];
        else
          for (int e = p.t_outer[j]; e < p.t_outer[j + 1]; ++e) acc = std::fma(p.t_values[e], z[p.t_inner[e]], acc);
        out[j] = acc;
      }
      return;
    }
    for (std::int64_t j = lo; j < hi; ++j)  // pull: column j of B' Z over its rows, ascending (out starts at 0)
      gather_row(p.t_inner.data(), p.pattern ? nullptr : p.t_values.data(), p.t_outer[j], p.t_outer[j + 1], z, c,
                 out + j * c);
  });
}

void Kernels::lmm(const double* x, int c, double* out) {
  if (c <= 0 || n_ == 0) return;
  size_scratch(c);
  compute_y(x, c);
  run_blocks(x, nullptr, c, nullptr, out, false);
}

void Kernels::tmm(const double* p, int c, double* out) {
  if (c <= 0) return;
  size_scratch(c);
  run_blocks(nullptr, p, c, nullptr, nullptr, true);
  reduce_and_multiply(c, out);
}

void Kernels::pass(const double* x, int c, RowOp& op, double* tp) {
  if (c <= 0) return;
  size_scratch(c);
  compute_y(x, c);
  run_blocks(x, nullptr, c, &op, nullptr, tp != nullptr);
  if (tp != nullptr) reduce_and_multiply(c, tp);
}

Eigen::VectorXd Kernels::row_squared_norms() {
  Eigen::VectorXd out = Eigen::VectorXd::Zero(n_);
  for (const auto& part : parts_) {
    const Part& q = *part;
    Eigen::VectorXd sq = Eigen::VectorXd::Zero(q.rows);
    for (std::int64_t r = 0; r < q.rows; ++r) {
      if (q.sparse) {
        for (int e = q.outer[r]; e < q.outer[r + 1]; ++e) sq[r] += q.pattern ? 1.0 : q.values[e] * q.values[e];
      } else {
        const double* b = q.dense + r * q.cols;
        for (std::int64_t j = 0; j < q.cols; ++j) sq[r] += b[j] * b[j];
      }
    }
    for (std::int64_t i = 0; i < n_; ++i) {
      if (i % 65536 == 0) check_interrupts();
      out[i] += sq[q.src(i)];
    }
  }
  return out;
}

}  // namespace morpheus::nm
