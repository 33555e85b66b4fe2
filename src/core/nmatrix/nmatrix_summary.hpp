// What an nmatrix holds, counted without building the join: the shape, the blocks, the stored entries, the
// non-zeros of the logical matrix T and the bytes of the stored value. morpheus.summary(t) prints it, so a psql
// user never has to print a whole value to see what it is.
#pragma once
#include "core/no_postgres.hpp"

#include <cstdint>
#include <string>
#include <vector>

#include "core/nmatrix/nmatrix.hpp"

namespace morpheus::nm {

struct BlockSummary {
  std::string name;  // S, R1, ..., Rq (PK-FK); S, R (M:N)
  bool identity = true;
  bool sparse = false;
  std::int64_t rows = 0, cols = 0;
  std::int64_t stored = 0;      // stored entries (rows * cols when dense, the CSR entries when sparse)
  std::int64_t nonzeros = 0;    // stored entries that are not 0
  std::int64_t referenced = 0;  // distinct rows an index block's key references (rows for an identity block)
  // "S 5x2 dense", "R1 3x2 dense, 2 of 3 rows referenced", "R1 3x100 sparse (6 stored), 3 of 3 rows referenced"
  std::string describe() const;
};

struct Summary {
  std::int64_t rows = 0, cols = 0;  // of the logical value (after the transpose flag)
  bool transposed = false;
  std::string form;  // "entity" (S only), "pk-fk" (S and attribute tables), "m:n"
  int attribute_tables = 0;
  std::vector<BlockSummary> blocks;
  std::int64_t stored_entries = 0;  // sum of the blocks' stored entries
  std::int64_t nnz = 0;             // non-zero entries of T (its join), counted through the keys
  std::int64_t stored_bytes = 0;    // size of the value in its storage layout (version 2), varlena header included
  double materialized_bytes = 0;    // 8 * rows * cols: T as a dense float8 matrix (may exceed int64)
  double density() const;           // nnz / (rows * cols); NaN when T has no cells
};

// Counts in O(stored entries + rows), checking for cancel.
Summary summarize(const NormalizedMatrix& t);

}  // namespace morpheus::nm
