// libFuzzer target over the two decoders of morpheus.nmatrix that read untrusted bytes: the text parser
// (nmatrix_in) and the binary decoder (nmatrix_recv for the wire form, the detoasting read for stored values).
//
// Input: one mode byte, then the payload.
//   mode % 4 == 0: text (from_text)
//   mode % 4 == 1: wire form, big-endian, as nmatrix_recv reads it (errors are 22P03)
//   mode % 4 == 2: stored form, native order, read in place from an 8-aligned varlena-like buffer (errors XX001)
//   mode % 4 == 3: stored form at an odd address (the arrays are copied instead of borrowed)
// A decoded value must survive every round trip (text and both binary versions) unchanged, and the cheap operators
// (row and column sums, materialize) run on it when it is small. morpheus::Error is the only exception allowed;
// anything else, a sanitizer report, a timeout or an allocation over -malloc_limit_mb is a finding. The build
// lowers the value limit (MORPHEUS_MAX_VALUE_BYTES) so that every allocation a declared shape implies must pass the
// 54000 check well below libFuzzer's allocation limit (see scripts/fuzz.sh).
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "core/nmatrix/nmatrix.hpp"

namespace nm = morpheus::nm;

namespace {

[[noreturn]] void finding(const char* what) {
  std::fprintf(stderr, "nmatrix_fuzz: %s\n", what);
  std::abort();
}

std::vector<char> serialize(const nm::NormalizedMatrix& t, std::uint16_t version, bool big_endian) {
  const std::int64_t size = nm::serialized_size(t, version);
  // Stored values sit 4 bytes after an 8-aligned address (the varlena header), like PostgreSQL's palloc.
  std::vector<char> buf(static_cast<size_t>(size) + 8);
  nm::serialize(t, buf.data() + 4, size, big_endian, version);
  return buf;
}

void round_trips(const nm::NormalizedMatrix& t) {
  const std::string text = nm::to_text(t);
  if (nm::to_text(nm::from_text(text)) != text) finding("text round trip changed the value");
  for (const std::uint16_t version : {nm::kWireVersion, nm::kStorageVersion})
    for (const bool big_endian : {false, true}) {
      const std::vector<char> buf = serialize(t, version, big_endian);
      const std::int64_t size = static_cast<std::int64_t>(buf.size()) - 8;
      const nm::NormalizedMatrix back =
          nm::deserialize(buf.data() + 4, size, big_endian, morpheus::ErrorKind::DataCorrupted, !big_endian);
      if (nm::to_text(back) != text) finding("binary round trip changed the value");
    }
  if (static_cast<double>(t.rows()) * static_cast<double>(t.cols()) <= 1e5 && t.rows() > 0 && t.cols() > 0) {
    const Eigen::VectorXd r = nm::row_sums(t), c = nm::col_sums(t);
    const morpheus::RowMatrix m = nm::materialize(t);
    if (r.size() != m.rows() || c.size() != m.cols()) finding("sums have the wrong length");
    const double scale = 1.0 + m.cwiseAbs().sum();
    if (std::abs(r.sum() - m.sum()) > 1e-9 * scale || std::abs(c.sum() - m.sum()) > 1e-9 * scale ||
        std::abs(nm::sum(t) - m.sum()) > 1e-9 * scale)
      finding("factorized sums disagree with the materialized matrix");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const int mode = data[0] % 4;
  const char* payload = reinterpret_cast<const char*>(data + 1);
  const size_t n = size - 1;
  try {
    nm::NormalizedMatrix t;
    if (mode == 0) {
      t = nm::from_text(std::string(payload, n));
    } else {
      // An 8-aligned buffer; the value starts 4 bytes in (aligned stored arrays) or 5 bytes in (unaligned).
      const size_t at = mode == 3 ? 5 : 4;
      std::vector<std::uint64_t> words((n + at) / 8 + 1);
      char* buf = reinterpret_cast<char*>(words.data());
      if (n > 0) std::memcpy(buf + at, payload, n);
      const bool wire = mode == 1;
      t = nm::deserialize(buf + at, static_cast<std::int64_t>(n), wire,
                          wire ? morpheus::ErrorKind::InvalidBinary : morpheus::ErrorKind::DataCorrupted, !wire);
      round_trips(t);  // while buf (which t may borrow) is alive
      return 0;
    }
    round_trips(t);
  } catch (const morpheus::Error&) {
    // A refused input: the expected outcome for most of them.
  }
  return 0;
}
