// Storage and text forms of NormalizedMatrix.
//
// Binary layout, version 1 (all integers two's complement; byte order native on disk, big-endian on the wire):
//   u32 magic "NMAT" | u16 version | u16 flags (bit 0: transposed; other bits 0) | u32 reserved (0) | u32 parts |
//   i64 rows (n)
//   per part: u8 identity | u8 sparse | u16 reserved (0) | u32 reserved (0) | i64 rows | i64 cols | i64 nnz (0 dense)
//             [i32 index[n] if not identity] | dense: f64[rows*cols] | sparse: i32 row_ptr[rows+1], i32 col[nnz],
//             f64 values[nnz]
#include <charconv>
#include <cmath>
#include <cstring>
#include <string>

#include "core/errors.hpp"
#include "core/interrupt.hpp"
#include "core/nmatrix/nmatrix.hpp"

namespace morpheus::nm {
namespace {

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

class Writer {
 public:
  Writer(char* out, std::int64_t size, bool big_endian)
      : p_(out), end_(out + size), swap_(big_endian != host_is_big_endian()) {}
  template <class T>
  void put(T v) {
    if (end_ - p_ < static_cast<std::ptrdiff_t>(sizeof(T))) throw Error(ErrorKind::Internal, "nmatrix buffer overrun");
    if (swap_) v = byteswap(v);
    std::memcpy(p_, &v, sizeof(T));
    p_ += sizeof(T);
  }
  template <class T>
  void put_all(const T* v, std::int64_t n) {
    if (!swap_) {
      if (end_ - p_ < static_cast<std::ptrdiff_t>(sizeof(T) * n))
        throw Error(ErrorKind::Internal, "nmatrix buffer overrun");
      if (n > 0) std::memcpy(p_, v, sizeof(T) * static_cast<size_t>(n));
      p_ += sizeof(T) * n;
      return;
    }
    for (std::int64_t i = 0; i < n; ++i) put(v[i]);
  }
  std::int64_t written(const char* start) const { return p_ - start; }

 private:
  char* p_;
  char* end_;
  bool swap_;
};

class Reader {
 public:
  Reader(const char* data, std::int64_t size, bool big_endian, ErrorKind kind)
      : p_(data), end_(data + size), swap_(big_endian != host_is_big_endian()), kind_(kind) {}
  [[noreturn]] void fail(const std::string& why) const {
    throw Error(kind_, "invalid nmatrix value: " + why,
                kind_ == ErrorKind::DataCorrupted ? "The stored value is damaged or was written by another version."
                                                  : "Send a value produced by morpheus.nmatrix_send.");
  }
  template <class T>
  T get() {
    if (end_ - p_ < static_cast<std::ptrdiff_t>(sizeof(T))) fail("truncated");
    T v;
    std::memcpy(&v, p_, sizeof(T));
    p_ += sizeof(T);
    return swap_ ? byteswap(v) : v;
  }
  template <class T>
  void get_all(T* out, std::int64_t n) {
    if (n < 0 || (end_ - p_) / static_cast<std::ptrdiff_t>(sizeof(T)) < n) fail("truncated");
    if (n > 0) std::memcpy(out, p_, sizeof(T) * static_cast<size_t>(n));
    p_ += sizeof(T) * n;
    if (swap_)
      for (std::int64_t i = 0; i < n; ++i) out[i] = byteswap(out[i]);
  }
  bool at_end() const { return p_ == end_; }

 private:
  const char* p_;
  const char* end_;
  bool swap_;
  ErrorKind kind_;
};

}  // namespace

std::int64_t serialized_size(const NormalizedMatrix& t) {
  double bytes = 24.0;
  for (const Part& p : t.parts()) {
    bytes += 32.0;
    if (!p.identity) bytes += 4.0 * t.base_rows();
    if (p.block.is_sparse())
      bytes += 4.0 * (p.block.rows() + 1) + 12.0 * p.block.sparse().nonZeros();
    else
      bytes += 8.0 * p.block.dense().size();
  }
  check_value_size(bytes + 4.0, "nmatrix value (" + std::to_string(t.rows()) + "x" + std::to_string(t.cols()) + ")");
  return static_cast<std::int64_t>(bytes);
}

void serialize(const NormalizedMatrix& t, char* out, std::int64_t size, bool big_endian) {
  Writer w(out, size, big_endian);
  w.put<std::uint32_t>(kMagic);
  w.put<std::uint16_t>(kFormatVersion);
  w.put<std::uint16_t>(t.transposed() ? 1 : 0);
  w.put<std::uint32_t>(0);
  w.put<std::uint32_t>(static_cast<std::uint32_t>(t.parts().size()));
  w.put<std::int64_t>(t.base_rows());
  for (const Part& p : t.parts()) {
    w.put<std::uint8_t>(p.identity ? 1 : 0);
    w.put<std::uint8_t>(p.block.is_sparse() ? 1 : 0);
    w.put<std::uint16_t>(0);
    w.put<std::uint32_t>(0);
    w.put<std::int64_t>(p.block.rows());
    w.put<std::int64_t>(p.block.cols());
    w.put<std::int64_t>(p.block.is_sparse() ? p.block.sparse().nonZeros() : 0);
    if (!p.identity) w.put_all(p.index.data(), static_cast<std::int64_t>(p.index.size()));
    if (p.block.is_sparse()) {
      const SparseMatrix& s = p.block.sparse();
      w.put_all(s.outerIndexPtr(), s.rows() + 1);
      w.put_all(s.innerIndexPtr(), s.nonZeros());
      w.put_all(s.valuePtr(), s.nonZeros());
    } else {
      w.put_all(p.block.dense().data(), p.block.dense().size());
    }
  }
  if (w.written(out) != size) throw Error(ErrorKind::Internal, "nmatrix serialized size mismatch");
}

NormalizedMatrix deserialize(const char* data, std::int64_t size, bool big_endian, ErrorKind kind) {
  Reader r(data, size, big_endian, kind);
  if (r.get<std::uint32_t>() != kMagic) r.fail("bad magic number (not an nmatrix)");
  const std::uint16_t version = r.get<std::uint16_t>();
  if (version != kFormatVersion)
    r.fail("format version " + std::to_string(version) + " is not supported (this library reads version " +
           std::to_string(kFormatVersion) + ")");
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
    Part p;
    const std::uint8_t identity = r.get<std::uint8_t>();
    const std::uint8_t sparse = r.get<std::uint8_t>();
    if (identity > 1 || sparse > 1) r.fail("bad block flags");
    if (r.get<std::uint16_t>() != 0 || r.get<std::uint32_t>() != 0) r.fail("reserved block field is not zero");
    const std::int64_t rows = r.get<std::int64_t>(), cols = r.get<std::int64_t>(), nnz = r.get<std::int64_t>();
    if (rows < 1 || rows > kMaxDim || cols < 0 || cols > kMaxDim || nnz < 0 || (!sparse && nnz != 0) ||
        static_cast<double>(nnz) > static_cast<double>(rows) * cols)
      r.fail("bad block shape");
    p.identity = identity == 1;
    if (!p.identity) {
      if (static_cast<double>(n) * 4 > static_cast<double>(size)) r.fail("truncated");
      p.index.resize(static_cast<size_t>(n));
      r.get_all(p.index.data(), n);
    }
    if (sparse) {
      if (static_cast<double>(rows) * 4 + static_cast<double>(nnz) * 12 > static_cast<double>(size))
        r.fail("truncated");
      std::vector<int> outer(static_cast<size_t>(rows + 1)), inner(static_cast<size_t>(nnz));
      std::vector<double> values(static_cast<size_t>(nnz));
      r.get_all(outer.data(), rows + 1);
      r.get_all(inner.data(), nnz);
      r.get_all(values.data(), nnz);
      if (outer[0] != 0 || outer[static_cast<size_t>(rows)] != nnz) r.fail("bad sparse row pointers");
      for (std::int64_t i = 0; i < rows; ++i) {
        const int a = outer[static_cast<size_t>(i)], b = outer[static_cast<size_t>(i + 1)];
        if (b < a) r.fail("bad sparse row pointers");
        for (int e = a; e < b; ++e) {
          const int c = inner[static_cast<size_t>(e)];
          if (c < 0 || c >= cols || (e > a && inner[static_cast<size_t>(e - 1)] >= c))
            r.fail("bad sparse column index");
        }
      }
      SparseMatrix s(static_cast<int>(rows), static_cast<int>(cols));
      s.resizeNonZeros(static_cast<Eigen::Index>(nnz));
      std::copy(outer.begin(), outer.end(), s.outerIndexPtr());
      std::copy(inner.begin(), inner.end(), s.innerIndexPtr());
      std::copy(values.begin(), values.end(), s.valuePtr());
      p.block = Block(std::move(s));
    } else {
      if (static_cast<double>(rows) * cols * 8 > static_cast<double>(size)) r.fail("truncated");
      RowMatrix d(rows, cols);
      r.get_all(d.data(), rows * cols);
      p.block = Block(std::move(d));
    }
    t.parts().push_back(std::move(p));
  }
  if (!r.at_end()) r.fail("trailing bytes");
  t.validate(kind);
  return t;
}

// --- text ------------------------------------------------------------------------------------------------------

namespace {

void append_double(std::string& s, double v) {
  char buf[32];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  s.append(buf, res.ptr);
}

class Parser {
 public:
  explicit Parser(const std::string& s) : s_(s) {}

  [[noreturn]] void fail(const std::string& what) const {
    std::string near = s_.substr(pos_, 20);
    throw Error(ErrorKind::InvalidText,
                "invalid input syntax for type nmatrix: " + what + " at position " + std::to_string(pos_ + 1) +
                    (pos_ < s_.size() ? " (near \"" + near + "\")" : " (end of input)"),
                "The format is: nmatrix v1 rows=N transposed=false|true; identity|index {k,...} dense RxC "
                "{{..},..}|sparse RxC {(i,j,v),..}; ... (see docs/nmatrix.md).");
  }
  void ws() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool peek(char c) {
    ws();
    return pos_ < s_.size() && s_[pos_] == c;
  }
  bool accept(char c) {
    if (!peek(c)) return false;
    ++pos_;
    return true;
  }
  void expect(char c) {
    if (!accept(c)) fail(std::string("expected '") + c + "'");
  }
  std::string word() {
    ws();
    const size_t b = pos_;
    while (pos_ < s_.size() && std::islower(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    if (b == pos_) fail("expected a keyword");
    return s_.substr(b, pos_ - b);
  }
  void keyword(const char* k) {
    const size_t b = pos_;
    if (word() != k) {
      pos_ = b;
      ws();
      fail(std::string("expected \"") + k + "\"");
    }
  }
  std::int64_t integer(std::int64_t lo, std::int64_t hi, const char* what) {
    ws();
    std::int64_t v = 0;
    auto res = std::from_chars(s_.data() + pos_, s_.data() + s_.size(), v);
    if (res.ec != std::errc() || res.ptr == s_.data() + pos_) fail(std::string("expected an integer (") + what + ")");
    if (v < lo || v > hi)
      fail(std::string(what) + " " + std::to_string(v) + " is outside " + std::to_string(lo) + ".." +
           std::to_string(hi));
    pos_ = static_cast<size_t>(res.ptr - s_.data());
    return v;
  }
  double number() {
    ws();
    double v = 0;
    auto res = std::from_chars(s_.data() + pos_, s_.data() + s_.size(), v);
    if (res.ec == std::errc::result_out_of_range) fail("number out of range");
    if (res.ec != std::errc() || res.ptr == s_.data() + pos_) fail("expected a number");
    if (!std::isfinite(v)) fail("NaN and infinity are not allowed");
    pos_ = static_cast<size_t>(res.ptr - s_.data());
    return v;
  }
  bool done() {
    ws();
    return pos_ == s_.size();
  }

 private:
  const std::string& s_;
  size_t pos_ = 0;
};

}  // namespace

std::string to_text(const NormalizedMatrix& t) {
  std::string s =
      "nmatrix v1 rows=" + std::to_string(t.base_rows()) + " transposed=" + (t.transposed() ? "true" : "false");
  for (const Part& p : t.parts()) {
    check_interrupts();
    s += "; ";
    if (p.identity) {
      s += "identity ";
    } else {
      s += "index {";
      for (size_t i = 0; i < p.index.size(); ++i) {
        if (i) s += ',';
        s += std::to_string(static_cast<std::int64_t>(p.index[i]) + 1);
      }
      s += "} ";
    }
    const std::int64_t rows = p.block.rows(), cols = p.block.cols();
    s += p.block.is_sparse() ? "sparse " : "dense ";
    s += std::to_string(rows) + "x" + std::to_string(cols) + " {";
    if (p.block.is_sparse()) {
      bool first = true;
      for (int i = 0; i < p.block.sparse().outerSize(); ++i)
        for (SparseMatrix::InnerIterator it(p.block.sparse(), i); it; ++it) {
          if (!first) s += ',';
          first = false;
          s += '(' + std::to_string(it.row() + 1) + ',' + std::to_string(it.col() + 1) + ',';
          append_double(s, it.value());
          s += ')';
        }
    } else if (cols > 0) {
      for (std::int64_t i = 0; i < rows; ++i) {
        s += i ? ",{" : "{";
        for (std::int64_t j = 0; j < cols; ++j) {
          if (j) s += ',';
          append_double(s, p.block.dense()(i, j));
        }
        s += '}';
      }
    }
    s += '}';
  }
  return s;
}

NormalizedMatrix from_text(const std::string& text) {
  Parser ps(text);
  ps.keyword("nmatrix");
  ps.keyword("v");
  ps.integer(1, 1, "format version");
  ps.keyword("rows");
  ps.expect('=');
  const std::int64_t n = ps.integer(1, kMaxDim, "rows");
  ps.keyword("transposed");
  ps.expect('=');
  const std::string tr = ps.word();
  if (tr != "true" && tr != "false") ps.fail("transposed must be true or false");
  NormalizedMatrix t;
  t.set_base_rows(n);
  t.set_transposed(tr == "true");
  if (!ps.peek(';')) ps.fail("expected ';' and a block");
  while (ps.accept(';')) {
    Part p;
    const std::string kind = ps.word();
    if (kind == "index") {
      p.identity = false;
      ps.expect('{');
      p.index.reserve(static_cast<size_t>(n));
      do {
        if (static_cast<std::int64_t>(p.index.size()) == n)
          ps.fail("index has more than rows=" + std::to_string(n) + " entries");
        p.index.push_back(static_cast<std::int32_t>(ps.integer(1, kMaxDim, "index entry") - 1));
      } while (ps.accept(','));
      ps.expect('}');
      if (static_cast<std::int64_t>(p.index.size()) != n)
        ps.fail("index has " + std::to_string(p.index.size()) + " entries, expected rows=" + std::to_string(n));
    } else if (kind != "identity") {
      ps.fail("expected \"identity\" or \"index\"");
    }
    const std::string storage = ps.word();
    if (storage != "dense" && storage != "sparse") ps.fail("expected \"dense\" or \"sparse\"");
    const std::int64_t rows = ps.integer(1, kMaxDim, "block rows");
    ps.keyword("x");
    const std::int64_t cols = ps.integer(0, kMaxDim, "block columns");
    ps.expect('{');
    if (storage == "dense") {
      check_value_size(8.0 * rows * cols, "dense block " + std::to_string(rows) + "x" + std::to_string(cols));
      if (cols > 0 && static_cast<double>(rows) * cols > static_cast<double>(text.size()))
        ps.fail("the block has fewer values than its shape " + std::to_string(rows) + "x" + std::to_string(cols));
      RowMatrix d(rows, cols);
      if (cols > 0) {
        for (std::int64_t i = 0; i < rows; ++i) {
          if (i) ps.expect(',');
          ps.expect('{');
          for (std::int64_t j = 0; j < cols; ++j) {
            if (j) ps.expect(',');
            d(i, j) = ps.number();
          }
          ps.expect('}');
        }
      }
      ps.expect('}');
      p.block = Block(std::move(d));
    } else {
      std::vector<Eigen::Triplet<double, int>> trip;
      if (!ps.peek('}')) {
        do {
          ps.expect('(');
          const std::int64_t i = ps.integer(1, rows, "sparse row");
          ps.expect(',');
          const std::int64_t j = ps.integer(1, cols, "sparse column");
          ps.expect(',');
          const double v = ps.number();
          ps.expect(')');
          if (!trip.empty() &&
              (trip.back().row() > i - 1 || (trip.back().row() == i - 1 && trip.back().col() >= j - 1)))
            ps.fail("sparse entries must be in increasing (row, column) order without duplicates");
          trip.emplace_back(static_cast<int>(i - 1), static_cast<int>(j - 1), v);
        } while (ps.accept(','));
      }
      ps.expect('}');
      check_value_size(4.0 * (rows + 1) + 12.0 * trip.size(), "sparse block");
      SparseMatrix s(static_cast<int>(rows), static_cast<int>(cols));
      s.setFromTriplets(trip.begin(), trip.end());
      p.block = Block(std::move(s));
    }
    t.parts().push_back(std::move(p));
  }
  if (!ps.done()) ps.fail("unexpected text after the last block");
  try {
    t.validate(ErrorKind::InvalidText);
  } catch (const Error& e) {
    throw Error(ErrorKind::InvalidText, std::string("invalid input for type nmatrix: ") + e.what(), e.hint());
  }
  return t;
}

}  // namespace morpheus::nm
