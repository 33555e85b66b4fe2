// Text form of NormalizedMatrix (documented in docs/nmatrix.md).
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "core/interrupt.hpp"
#include "core/nmatrix/nmatrix.hpp"

namespace morpheus::nm {

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
      const SparseMap sp = p.block.sparse();
      for (int i = 0; i < sp.outerSize(); ++i)
        for (SparseMap::InnerIterator it(sp, i); it; ++it) {
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
      std::vector<std::int32_t> index;
      index.reserve(static_cast<size_t>(std::min<std::int64_t>(n, static_cast<std::int64_t>(text.size()))));
      do {
        if (static_cast<std::int64_t>(index.size()) == n)
          ps.fail("index has more than rows=" + std::to_string(n) + " entries");
        index.push_back(static_cast<std::int32_t>(ps.integer(1, kMaxDim, "index entry") - 1));
      } while (ps.accept(','));
      ps.expect('}');
      if (static_cast<std::int64_t>(index.size()) != n)
        ps.fail("index has " + std::to_string(index.size()) + " entries, expected rows=" + std::to_string(n));
      p.index = std::move(index);
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
      std::vector<std::int32_t> ri, ci;
      std::vector<double> vs;
      if (!ps.peek('}')) {
        do {
          if ((vs.size() & 0xffff) == 0) check_interrupts();
          ps.expect('(');
          const std::int64_t i = ps.integer(1, rows, "sparse row");
          ps.expect(',');
          const std::int64_t j = ps.integer(1, cols, "sparse column");
          ps.expect(',');
          const double v = ps.number();
          ps.expect(')');
          if (!vs.empty() && (ri.back() > i - 1 || (ri.back() == i - 1 && ci.back() >= j - 1)))
            ps.fail("sparse entries must be in increasing (row, column) order without duplicates");
          ri.push_back(static_cast<std::int32_t>(i - 1));
          ci.push_back(static_cast<std::int32_t>(j - 1));
          vs.push_back(v);
        } while (ps.accept(','));
      }
      ps.expect('}');
      // The CSR arrays are built directly: memory O(rows + entries), never O(columns).
      check_value_size(4.0 * (rows + 1) + 12.0 * static_cast<double>(vs.size()),
                       "sparse block " + std::to_string(rows) + "x" + std::to_string(cols));
      SparseMatrix s = csr_from_sorted(rows, cols, ri, ci, vs);
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
