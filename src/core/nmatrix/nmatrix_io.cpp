// Binary storage and wire forms of NormalizedMatrix.
//
// Layout (all integers two's complement; byte order native on disk, big-endian on the wire):
//   u32 magic "NMAT" | u16 version | u16 flags (bit 0: transposed; other bits 0) | u32 reserved (0) | u32 parts |
//   i64 rows (n)
//   per part: u8 identity | u8 sparse | u16 reserved (0) | u32 reserved (0) | i64 rows | i64 cols | i64 nnz (0 dense)
//             [i32 index[n] if not identity] | dense: f64[rows*cols] | sparse: i32 row_ptr[rows+1], i32 col[nnz],
//             f64 values[nnz]
// Version 1 (the wire format of send/recv, and what stored values held before version 2) is packed. Version 2 (the
// stored form) inserts zero bytes before every part header and every array, and after the last array, so that
// each starts at an offset that is a multiple of 8 counted from 4 bytes before the layout: the varlena header that
// precedes it in PostgreSQL. A value in an 8-aligned varlena therefore has every array aligned for its type, and
// deserialize can map it in place instead of copying it.
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "core/interrupt.hpp"
#include "core/nmatrix/nmatrix.hpp"

namespace morpheus::nm {
namespace {

constexpr std::int64_t kOrigin = 4;  // bytes before the layout (the varlena header) counted by version 2's padding

std::int64_t pad_bytes(std::int64_t pos) { return (8 - (pos + kOrigin) % 8) % 8; }

template <class T>
T byteswap(T v) {
  unsigned char b[sizeof(T)];
  std::memcpy(b, &v, sizeof(T));
  for (size_t i = 0; i < sizeof(T) / 2; ++i) std::swap(b[i], b[sizeof(T) - 1 - i]);
  std::memcpy(&v, b, sizeof(T));
  return v;
}

bool host_is_big_endian() {
  const std::uint16_t one = 1;
  unsigned char c;
  std::memcpy(&c, &one, 1);
  return c == 0;
}

template <class T>
bool aligned_for(const char* p) {
  return reinterpret_cast<std::uintptr_t>(p) % alignof(T) == 0;
}

class Writer {
 public:
  Writer(char* out, std::int64_t size, bool big_endian, bool padded)
      : start_(out), p_(out), end_(out + size), swap_(big_endian != host_is_big_endian()), padded_(padded) {}
  template <class T>
  void put(T v) {
    if (end_ - p_ < static_cast<std::ptrdiff_t>(sizeof(T))) throw Error(ErrorKind::Internal, "nmatrix buffer overrun");
    if (swap_) v = byteswap(v);
    std::memcpy(p_, &v, sizeof(T));
    p_ += sizeof(T);
  }
  template <class T>
  void put_all(const T* v, std::int64_t n) {
    pad();
    if (!swap_) {
      if (end_ - p_ < static_cast<std::ptrdiff_t>(sizeof(T) * n))
        throw Error(ErrorKind::Internal, "nmatrix buffer overrun");
      if (n > 0) std::memcpy(p_, v, sizeof(T) * static_cast<size_t>(n));
      p_ += sizeof(T) * n;
      return;
    }
    for (std::int64_t i = 0; i < n; ++i) put(v[i]);
  }
  void pad() {
    if (!padded_) return;
    for (std::int64_t k = pad_bytes(p_ - start_); k > 0; --k) put<std::uint8_t>(0);
  }
  std::int64_t written() const { return p_ - start_; }

 private:
  char* start_;
  char* p_;
  char* end_;
  bool swap_;
  bool padded_;
};

class Reader {
 public:
  Reader(const char* data, std::int64_t size, bool big_endian, ErrorKind kind)
      : start_(data), p_(data), end_(data + size), swap_(big_endian != host_is_big_endian()), kind_(kind) {}
  [[noreturn]] void fail(const std::string& why) const {
    throw Error(kind_, "invalid nmatrix value: " + why,
                kind_ == ErrorKind::DataCorrupted ? "The stored value is damaged or was written by another version."
                                                  : "Send a value produced by morpheus.nmatrix_send.");
  }
  void set_padded(bool padded) { padded_ = padded; }
  bool swapping() const { return swap_; }
  template <class T>
  T get() {
    if (end_ - p_ < static_cast<std::ptrdiff_t>(sizeof(T))) fail("truncated");
    T v;
    std::memcpy(&v, p_, sizeof(T));
    p_ += sizeof(T);
    return swap_ ? byteswap(v) : v;
  }
  // Skips version 2's padding, which must be zero.
  void pad() {
    if (!padded_) return;
    for (std::int64_t k = pad_bytes(p_ - start_); k > 0; --k)
      if (get<std::uint8_t>() != 0) fail("padding is not zero");
  }
  // Advances over an array of n T (after its padding) and returns where it starts.
  template <class T>
  const char* array(std::int64_t n) {
    pad();
    if (n < 0 || (end_ - p_) / static_cast<std::ptrdiff_t>(sizeof(T)) < n) fail("truncated");
    const char* at = p_;
    p_ += sizeof(T) * n;
    return at;
  }
  // Copies n T read from `at` (returned by array) into out, in host byte order.
  template <class T>
  void copy(const char* at, T* out, std::int64_t n) const {
    if (n > 0) std::memcpy(out, at, sizeof(T) * static_cast<size_t>(n));
    if (swap_)
      for (std::int64_t i = 0; i < n; ++i) out[i] = byteswap(out[i]);
  }
  bool at_end() const { return p_ == end_; }

 private:
  const char* start_;
  const char* p_;
  const char* end_;
  bool swap_;
  bool padded_ = false;
  ErrorKind kind_;
};

void check_version(std::uint16_t version) {
  if (version != kWireVersion && version != kStorageVersion)
    throw Error(ErrorKind::Internal, "nmatrix layout version " + std::to_string(version) + " cannot be written");
}

// Checks CSR arrays: the row pointers first (from 0 to nnz, non-decreasing, so every one lies in 0..nnz), and only
// then the column indices they delimit (in range, increasing within each row). Nothing is read out of bounds.
void check_csr(const Reader& r, const int* outer, const int* inner, std::int64_t rows, std::int64_t cols,
               std::int64_t nnz) {
  if (outer[0] != 0 || outer[rows] != nnz) r.fail("bad sparse row pointers");
  // Branch-free scans (these checks run on every read of a value): any violation fails the value.
  bool bad = false;
  for (std::int64_t i = 0; i < rows; ++i) {
    if ((i & 0xffff) == 0) check_interrupts();
    bad |= outer[i + 1] < outer[i];
  }
  if (bad) r.fail("bad sparse row pointers");
  const std::uint32_t limit = static_cast<std::uint32_t>(cols);
  for (std::int64_t i = 0; i < rows; ++i) {
    if ((i & 0xffff) == 0) check_interrupts();
    const int a = outer[i], b = outer[i + 1];
    if (a == b) continue;
    bad |= static_cast<std::uint32_t>(inner[a]) >= limit;
    for (int e = a + 1; e < b; ++e) bad |= (static_cast<std::uint32_t>(inner[e]) >= limit) | (inner[e - 1] >= inner[e]);
  }
  if (bad) r.fail("bad sparse column index");
}

}  // namespace

std::int64_t serialized_size(const NormalizedMatrix& t, std::uint16_t version) {
  check_version(version);
  const bool padded = version >= 2;
  double bytes = 24.0;
  auto array = [&](double n) {
    if (padded) bytes = std::ceil((bytes + kOrigin) / 8.0) * 8.0 - kOrigin;
    bytes += n;
  };
  for (const Part& p : t.parts()) {
    array(32.0);
    if (!p.identity) array(4.0 * t.base_rows());
    if (p.block.is_sparse()) {
      array(4.0 * (p.block.rows() + 1));
      array(4.0 * p.block.stored());
      array(8.0 * p.block.stored());
    } else {
      array(8.0 * p.block.stored());
    }
  }
  array(0.0);
  check_value_size(bytes + kOrigin,
                   "nmatrix value (" + std::to_string(t.rows()) + "x" + std::to_string(t.cols()) + ")");
  return static_cast<std::int64_t>(bytes);
}

void serialize(const NormalizedMatrix& t, char* out, std::int64_t size, bool big_endian, std::uint16_t version) {
  check_version(version);
  Writer w(out, size, big_endian, version >= 2);
  w.put<std::uint32_t>(kMagic);
  w.put<std::uint16_t>(version);
  w.put<std::uint16_t>(t.transposed() ? 1 : 0);
  w.put<std::uint32_t>(0);
  w.put<std::uint32_t>(static_cast<std::uint32_t>(t.parts().size()));
  w.put<std::int64_t>(t.base_rows());
  for (const Part& p : t.parts()) {
    w.pad();
    w.put<std::uint8_t>(p.identity ? 1 : 0);
    w.put<std::uint8_t>(p.block.is_sparse() ? 1 : 0);
    w.put<std::uint16_t>(0);
    w.put<std::uint32_t>(0);
    w.put<std::int64_t>(p.block.rows());
    w.put<std::int64_t>(p.block.cols());
    w.put<std::int64_t>(p.block.is_sparse() ? p.block.stored() : 0);
    if (!p.identity) w.put_all(p.index.data(), static_cast<std::int64_t>(p.index.size()));
    if (p.block.is_sparse()) {
      const SparseMap s = p.block.sparse();
      w.put_all(s.outerIndexPtr(), s.rows() + 1);
      w.put_all(s.innerIndexPtr(), s.nonZeros());
      w.put_all(s.valuePtr(), s.nonZeros());
    } else {
      w.put_all(p.block.dense().data(), p.block.dense().size());
    }
  }
  w.pad();
  if (w.written() != size) throw Error(ErrorKind::Internal, "nmatrix serialized size mismatch");
}

NormalizedMatrix deserialize(const char* data, std::int64_t size, bool big_endian, ErrorKind kind, bool borrow) {
  Reader r(data, size, big_endian, kind);
  if (r.get<std::uint32_t>() != kMagic) r.fail("bad magic number (not an nmatrix)");
  const std::uint16_t version = r.get<std::uint16_t>();
  if (version != kWireVersion && version != kStorageVersion)
    r.fail("format version " + std::to_string(version) + " is not supported (this library reads versions " +
           std::to_string(kWireVersion) + " and " + std::to_string(kStorageVersion) + ")");
  r.set_padded(version >= 2);
  borrow = borrow && !r.swapping();
  const std::uint16_t flags = r.get<std::uint16_t>();
  if ((flags & ~1u) != 0) r.fail("unknown flags " + std::to_string(flags));
  if (r.get<std::uint32_t>() != 0) r.fail("reserved field is not zero");
  const std::uint32_t nparts = r.get<std::uint32_t>();
  const std::int64_t n = r.get<std::int64_t>();
  if (nparts < 1 || nparts > 1000000) r.fail("bad block count " + std::to_string(nparts));
  if (n < 1 || n > kMaxDim) r.fail("bad row count " + std::to_string(n));
  NormalizedMatrix t;
  t.set_base_rows(n);
  t.set_transposed((flags & 1u) != 0);
  for (std::uint32_t k = 0; k < nparts; ++k) {
    check_interrupts();
    r.pad();
    Part p;
    const std::uint8_t identity = r.get<std::uint8_t>();
    const std::uint8_t sparse = r.get<std::uint8_t>();
    if (identity > 1 || sparse > 1) r.fail("bad block flags");
    if (r.get<std::uint16_t>() != 0 || r.get<std::uint32_t>() != 0) r.fail("reserved block field is not zero");
    const std::int64_t rows = r.get<std::int64_t>(), cols = r.get<std::int64_t>(), nnz = r.get<std::int64_t>();
    if (rows < 1 || rows > kMaxDim || cols < 0 || cols > kMaxDim || nnz < 0 || nnz > kMaxDim || (!sparse && nnz != 0) ||
        static_cast<double>(nnz) > static_cast<double>(rows) * cols)
      r.fail("bad block shape");
    p.identity = identity == 1;
    if (!p.identity) {
      const char* at = r.array<std::int32_t>(n);
      if (borrow && aligned_for<std::int32_t>(at)) {
        p.index = IndexVec::view(reinterpret_cast<const std::int32_t*>(at), static_cast<size_t>(n));
      } else {
        std::vector<std::int32_t> index(static_cast<size_t>(n));
        r.copy(at, index.data(), n);
        p.index = std::move(index);
      }
    }
    if (sparse) {
      const char* outer_at = r.array<int>(rows + 1);
      const char* inner_at = r.array<int>(nnz);
      const char* values_at = r.array<double>(nnz);
      if (borrow && aligned_for<int>(outer_at) && aligned_for<int>(inner_at) && aligned_for<double>(values_at)) {
        const int* outer = reinterpret_cast<const int*>(outer_at);
        const int* inner = reinterpret_cast<const int*>(inner_at);
        check_csr(r, outer, inner, rows, cols, nnz);
        p.block = Block::sparse_view(rows, cols, nnz, outer, inner, reinterpret_cast<const double*>(values_at));
      } else {
        SparseMatrix s(static_cast<int>(rows), static_cast<int>(cols));
        s.resizeNonZeros(static_cast<Eigen::Index>(nnz));
        r.copy(outer_at, s.outerIndexPtr(), rows + 1);
        r.copy(inner_at, s.innerIndexPtr(), nnz);
        r.copy(values_at, s.valuePtr(), nnz);
        check_csr(r, s.outerIndexPtr(), s.innerIndexPtr(), rows, cols, nnz);
        p.block = Block(std::move(s));
      }
    } else {
      if (static_cast<double>(rows) * cols * 8 > static_cast<double>(size)) r.fail("truncated");
      const char* at = r.array<double>(rows * cols);
      if (borrow && aligned_for<double>(at)) {
        p.block = Block::dense_view(reinterpret_cast<const double*>(at), rows, cols);
      } else {
        RowMatrix d(rows, cols);
        r.copy(at, d.data(), rows * cols);
        p.block = Block(std::move(d));
      }
    }
    t.parts().push_back(std::move(p));
  }
  r.pad();
  if (!r.at_end()) r.fail("trailing bytes");
  t.validate(kind);
  return t;
}

}  // namespace morpheus::nm
