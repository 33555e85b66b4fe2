// The C++/PostgreSQL boundary. Every SQL-callable entry point runs its body through guarded_call, which turns C++
// exceptions into PostgreSQL errors after all C++ frames are gone. Calls into PostgreSQL made while C++ frames are live
// go through pg_call, which turns a PostgreSQL error (a longjmp) into a C++ exception so destructors run.
#pragma once

#include <type_traits>

#include "pg/pg_includes.hpp"

namespace morpheus::pg {

// A PostgreSQL error captured by pg_call; guarded_call re-raises it unchanged (SQLSTATE, message, detail, hint).
struct PgError {
  ErrorData* edata;
};

using Body = Datum (*)(FunctionCallInfo);

// Runs body(fcinfo); C++ exceptions become ERRORs with the SQLSTATE of their kind (see guard.cpp), a pending
// cancel becomes PostgreSQL's own cancel error.
Datum guarded_call(FunctionCallInfo fcinfo, Body body);

// Runs f() (a lambda that calls PostgreSQL and holds only trivially destructible locals) and converts a
// PostgreSQL error raised inside it into a thrown PgError. f must not throw C++ exceptions itself.
template <class F>
auto pg_call(F&& f) -> decltype(f()) {
  using R = decltype(f());
  MemoryContext cxt = CurrentMemoryContext;
  ErrorData* volatile edata = nullptr;
  if constexpr (std::is_void_v<R>) {
    PG_TRY();
    { f(); }
    PG_CATCH();
    {
      MemoryContextSwitchTo(cxt);
      edata = CopyErrorData();
      FlushErrorState();
    }
    PG_END_TRY();
    if (edata != nullptr) throw PgError{edata};
  } else {
    static_assert(std::is_trivially_copyable_v<R>, "pg_call returns plain values only");
    R volatile out{};
    PG_TRY();
    { out = f(); }
    PG_CATCH();
    {
      MemoryContextSwitchTo(cxt);
      edata = CopyErrorData();
      FlushErrorState();
    }
    PG_END_TRY();
    if (edata != nullptr) throw PgError{edata};
    return out;
  }
}

// Sends a NOTICE from C++ code (guarded).
void notice(const std::string& text);

}  // namespace morpheus::pg

// Declares the C entry point `morpheus_<name>` that PostgreSQL loads, running `body` through the guard.
#define MORPHEUS_FUNCTION(name, body)                                                            \
  extern "C" {                                                                                   \
  PG_FUNCTION_INFO_V1(morpheus_##name);                                                          \
  Datum morpheus_##name(PG_FUNCTION_ARGS) { return ::morpheus::pg::guarded_call(fcinfo, body); } \
  }
