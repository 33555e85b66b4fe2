#include "core/nmatrix/nmatrix_summary.hpp"

#include <limits>

#include "core/interrupt.hpp"

namespace morpheus::nm {
namespace {

// Non-zero stored entries per row of a block (int32: a row has at most kMaxDim columns), so that the counts take
// no more memory than the block's own row pointers; and their total.
std::int64_t row_nonzeros(const Block& b, std::vector<std::int32_t>* out) {
  if (out) out->assign(static_cast<size_t>(b.rows()), 0);
  std::int64_t total = 0;
  if (b.is_sparse()) {
    const SparseMap m = b.sparse();
    for (std::int64_t r = 0; r < m.outerSize(); ++r) {
      if ((r & 0xffff) == 0) check_interrupts();
      std::int32_t c = 0;
      for (SparseMap::InnerIterator it(m, r); it; ++it) c += it.value() != 0.0;
      if (out) (*out)[static_cast<size_t>(r)] = c;
      total += c;
    }
  } else {
    const ConstRowMap m = b.dense();
    for (std::int64_t r = 0; r < m.rows(); ++r) {
      if (m.cols() >= 4096 || (r & 0xfff) == 0) check_interrupts();  // every row of a wide block, else every 4096 rows
      std::int32_t c = 0;
      for (std::int64_t j = 0; j < m.cols(); ++j) c += m(r, j) != 0.0;
      if (out) (*out)[static_cast<size_t>(r)] = c;
      total += c;
    }
  }
  return total;
}

}  // namespace

std::string BlockSummary::describe() const {
  std::string s = name + " " + std::to_string(rows) + "x" + std::to_string(cols) + (sparse ? " sparse" : " dense");
  if (sparse) s += " (" + std::to_string(stored) + " stored)";
  if (!identity) s += ", " + std::to_string(referenced) + " of " + std::to_string(rows) + " rows referenced";
  return s;
}

double Summary::density() const {
  const double cells = static_cast<double>(rows) * static_cast<double>(cols);
  return cells > 0 ? static_cast<double>(nnz) / cells : std::numeric_limits<double>::quiet_NaN();
}

Summary summarize(const NormalizedMatrix& t) {
  Summary s;
  s.rows = t.rows();
  s.cols = t.cols();
  s.transposed = t.transposed();
  const std::vector<Part>& parts = t.parts();
  const bool mn = !parts.empty() && !parts[0].identity;
  s.form = mn ? "m:n" : parts.size() > 1 ? "pk-fk" : "entity";
  s.attribute_tables = mn ? 0 : static_cast<int>(parts.size()) - 1;
  for (size_t k = 0; k < parts.size(); ++k) {
    const Part& p = parts[k];
    BlockSummary b;
    b.name = k == 0 ? "S" : mn ? "R" : "R" + std::to_string(k);
    b.identity = p.identity;
    b.sparse = p.block.is_sparse();
    b.rows = p.block.rows();
    b.cols = p.block.cols();
    b.stored = p.block.stored();
    if (p.identity) {
      b.nonzeros = row_nonzeros(p.block, nullptr);
      b.referenced = b.rows;
      s.nnz += b.nonzeros;
    } else {
      std::vector<std::int32_t> per_row;
      b.nonzeros = row_nonzeros(p.block, &per_row);
      std::vector<bool> seen(per_row.size(), false);
      for (size_t i = 0; i < p.index.size(); ++i) {
        if ((i & 0xffff) == 0) check_interrupts();
        const auto r = static_cast<size_t>(p.index[i]);
        s.nnz += per_row[r];
        if (!seen[r]) {
          seen[r] = true;
          ++b.referenced;
        }
      }
    }
    s.stored_entries += b.stored;
    s.blocks.push_back(std::move(b));
  }
  s.stored_bytes = serialized_size(t, kStorageVersion) + 4;  // + the 4-byte varlena header
  s.materialized_bytes = 8.0 * static_cast<double>(s.rows) * static_cast<double>(s.cols);
  return s;
}

}  // namespace morpheus::nm
