// Hostile inputs to the nmatrix decoders and builders (issue 12, items 2 and 7), checked in the core: damaged binary
// layouts are refused with the caller's error kind before any array is read out of bounds, sparse blocks are built
// in CSR without a temporary proportional to their width, and results agree with independent dense computations.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/dense.hpp"
#include "core/errors.hpp"
#include "core/nmatrix/nmatrix.hpp"
#include "core/random.hpp"

namespace nm = morpheus::nm;
using morpheus::ErrorKind;
using morpheus::RowMatrix;

namespace {

std::vector<char> from_hex(const std::string& hex) {
  std::vector<char> out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

// Decodes bytes as nmatrix_recv does (wire form, big-endian) and returns the error kind and message.
std::pair<ErrorKind, std::string> recv_error(const std::vector<char>& bytes) {
  try {
    nm::deserialize(bytes.data(), static_cast<std::int64_t>(bytes.size()), true, ErrorKind::InvalidBinary);
  } catch (const morpheus::Error& e) {
    return {e.kind(), e.what()};
  }
  ADD_FAILURE() << "no error";
  return {ErrorKind::Internal, ""};
}

}  // namespace

TEST(NmatrixHardening, CopyReproducerIsRefusedBeforeReadingColumns) {
  // The 68-byte value of issue 12: one sparse block, nnz 0, row pointers {0,1,0}.
  const auto bytes = from_hex(
      "4e4d415400010000000000000000000100000000000000020101000000000000000000000000000200000000000000030000000000000000"
      "000000000000000100000000");
  ASSERT_EQ(bytes.size(), 68u);
  const auto [kind, msg] = recv_error(bytes);
  EXPECT_EQ(kind, ErrorKind::InvalidBinary);
  EXPECT_EQ(msg, "invalid nmatrix value: bad sparse row pointers");
}

TEST(NmatrixHardening, RowPointersBeyondTheEntriesAreRefused) {
  // Row pointers {0,25345,0,2,3} with nnz 3: the second pointer is past the 3 column indices.
  const auto bytes = from_hex(
      "4e4d41540001000000000000000000010000000000000004010100000000000000000000000000040000000000000003000000000000000"
      "3000000000000630100000000000000020000000300000000000000010000000240000000000000004000000000000000400800000000000"
      "0");
  const auto [kind, msg] = recv_error(bytes);
  EXPECT_EQ(kind, ErrorKind::InvalidBinary);
  EXPECT_EQ(msg, "invalid nmatrix value: bad sparse row pointers");
}

TEST(NmatrixHardening, EveryTruncationOfAValidValueIsRefused) {
  const nm::NormalizedMatrix t = nm::from_text(
      "nmatrix v1 rows=4 transposed=false; identity dense 4x2 {{1,2},{3,4},{5,6},{7,8}}; index {1,2,2,1} sparse 2x3 "
      "{(1,2,0.5),(2,3,-1)}");
  for (const std::uint16_t version : {nm::kWireVersion, nm::kStorageVersion}) {
    const std::int64_t size = nm::serialized_size(t, version);
    std::vector<char> buf(static_cast<size_t>(size));
    nm::serialize(t, buf.data(), size, true, version);
    EXPECT_EQ(nm::to_text(nm::deserialize(buf.data(), size, true, ErrorKind::InvalidBinary)), nm::to_text(t));
    for (std::int64_t cut = 0; cut < size; ++cut)
      EXPECT_THROW(nm::deserialize(buf.data(), cut, true, ErrorKind::InvalidBinary), morpheus::Error)
          << "version " << version << " cut at " << cut;
  }
}

TEST(NmatrixHardening, SparseBlockSumsDuplicatesInAnyOrder) {
  // Unsorted triplets with duplicates against a dense accumulation of the same triplets.
  morpheus::Rng rng(5);
  const std::int64_t rows = 7, cols = 9;
  std::vector<std::int64_t> ri, ci;
  std::vector<double> v;
  RowMatrix want = RowMatrix::Zero(rows, cols);
  for (int e = 0; e < 60; ++e) {
    ri.push_back(static_cast<std::int64_t>(rng.below(rows)));
    ci.push_back(static_cast<std::int64_t>(rng.below(cols)));
    v.push_back(rng.normal());
    want(ri.back(), ci.back()) += v.back();
  }
  const nm::Block b = nm::sparse_block(rows, cols, ri, ci, v, "s");
  ASSERT_TRUE(b.is_sparse());
  EXPECT_LT((b.to_dense() - want).cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_LT((b.row_sums() - want.rowwise().sum()).cwiseAbs().maxCoeff(), 1e-12);
  // CSR invariants: columns strictly increasing within each row.
  const nm::SparseMap s = b.sparse();
  for (Eigen::Index i = 0; i < rows; ++i)
    for (Eigen::Index e = s.outerIndexPtr()[i] + 1; e < s.outerIndexPtr()[i + 1]; ++e)
      EXPECT_LT(s.innerIndexPtr()[e - 1], s.innerIndexPtr()[e]);
}

TEST(NmatrixHardening, WideSparseBlocksAreBuiltWithoutPerColumnMemory) {
  // 1 x 2147483647: a column-major temporary would need 8 GB; the CSR arrays need a few bytes.
  const std::string text =
      "nmatrix v1 rows=1 transposed=false; identity sparse 1x2147483647 {(1,5,2),(1,2147483647,-1)}";
  const nm::NormalizedMatrix t = nm::from_text(text);
  EXPECT_EQ(nm::to_text(t), text);
  EXPECT_EQ(nm::sum(t), 1.0);
  EXPECT_EQ(nm::row_sums(t)(0), 1.0);
  const nm::Block b = nm::sparse_block(1, nm::kMaxDim, {0, 0}, {nm::kMaxDim - 1, 4}, {3.0, 4.0}, "s");
  EXPECT_EQ(b.stored(), 2);
  EXPECT_EQ(b.row_sums()(0), 7.0);
}

TEST(NmatrixHardening, ShapesOverTheLimitAreRefusedBeforeAllocating) {
  try {
    nm::from_text("nmatrix v1 rows=2147483647 transposed=false; identity sparse 2147483647x1 {}");
    ADD_FAILURE() << "no error";
  } catch (const morpheus::Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::LimitExceeded);
  }
  EXPECT_THROW(nm::sparse_block(nm::kMaxDim, 1, {}, {}, {}, "s"), morpheus::Error);
  try {
    morpheus::check_allocation(2e9, "x", "h");
    ADD_FAILURE() << "no error";
  } catch (const morpheus::Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::LimitExceeded);
  }
}

TEST(NmatrixHardening, CrossprodRefusesAResultOverTheLimitBeforeAllocating) {
  // One row, 20,000 one-hot columns: T'T would be 20,000^2 doubles (3.2 GB), over the 1 GB limit; a narrow matrix of
  // the same kind is computed and equals the dense product.
  const nm::NormalizedMatrix wide =
      nm::from_text("nmatrix v1 rows=1 transposed=false; identity sparse 1x20000 {(1,7,1)}");
  try {
    nm::crossprod(wide);
    ADD_FAILURE() << "no error";
  } catch (const morpheus::Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::LimitExceeded);
  }
  const nm::NormalizedMatrix narrow =
      nm::from_text("nmatrix v1 rows=2 transposed=false; identity sparse 2x3 {(1,2,3),(2,1,-1),(2,3,2)}");
  RowMatrix dense(2, 3);
  dense << 0, 3, 0, -1, 0, 2;
  const RowMatrix expected = dense.transpose() * dense;
  EXPECT_TRUE(nm::crossprod(narrow).isApprox(expected, 1e-15));
}
