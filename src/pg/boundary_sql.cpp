// Internal functions that let the test suite prove the boundary from SQL: each C++ exception kind becomes its
// SQLSTATE, a PostgreSQL error raised under live C++ frames unwinds them (destructors run), and long core loops
// honour cancel requests and statement_timeout. Not API: their names start with an underscore.
#include <chrono>
#include <cstdint>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "core/interrupt.hpp"
#include "pg/arrays.hpp"
#include "pg/guard.hpp"

namespace morpheus::pg {
namespace {

std::int64_t g_destructors_run = 0;

struct CountsDestruction {
  std::vector<double> payload = std::vector<double>(1024, 1.0);
  ~CountsDestruction() { ++g_destructors_run; }
};

Datum raise_body(FunctionCallInfo fcinfo) {
  const std::string kind = text_arg(fcinfo, 0);
  CountsDestruction live;  // must be destroyed on the way out
  if (kind == "invalid_argument") throw std::invalid_argument("_raise: std::invalid_argument");
  if (kind == "out_of_range") throw std::out_of_range("_raise: std::out_of_range");
  if (kind == "bad_alloc") throw std::bad_alloc();
  if (kind == "length_error") throw std::length_error("_raise: std::length_error");
  if (kind == "runtime_error") throw std::runtime_error("_raise: std::runtime_error");
  if (kind == "unknown") throw 42;
  if (kind == "morpheus")
    throw Error(ErrorKind::InvalidParameter, "_raise: morpheus::Error", "a hint from C++", "a detail from C++");
  if (kind == "pg") {
    // A PostgreSQL error raised while `live` (a C++ object with a destructor) is on the stack.
    pg_call([] { return DirectFunctionCall1(int4in, CStringGetDatum("not a number")); });
  }
  if (kind == "none") return BoolGetDatum(true);
  throw invalid_parameter(
      "kind must be one of invalid_argument, out_of_range, bad_alloc, length_error, "
      "runtime_error, unknown, morpheus, pg, none; got \"" +
      kind + "\"");
}

Datum destructors_run_body(FunctionCallInfo) { return Int64GetDatum(g_destructors_run); }

// Busy work for up to `seconds`, checking for cancel requests the way core loops do; returns iterations done.
Datum spin_body(FunctionCallInfo fcinfo) {
  const double seconds = PG_GETARG_FLOAT8(0);
  CountsDestruction live;
  const auto start = std::chrono::steady_clock::now();
  std::int64_t iterations = 0;
  volatile double sink = 0;
  while (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() < seconds) {
    for (int i = 0; i < 10000; ++i) sink = sink + live.payload[static_cast<size_t>(i) % live.payload.size()];
    ++iterations;
    check_interrupts();
  }
  return Int64GetDatum(iterations);
}

}  // namespace
}  // namespace morpheus::pg

MORPHEUS_FUNCTION(_raise, morpheus::pg::raise_body)
MORPHEUS_FUNCTION(_destructors_run, morpheus::pg::destructors_run_body)
MORPHEUS_FUNCTION(_spin, morpheus::pg::spin_body)
