#include "pg/guard.hpp"

#include <new>
#include <stdexcept>

#include "core/errors.hpp"

namespace morpheus::pg {
namespace {

int sqlstate_of(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::InvalidParameter: return ERRCODE_INVALID_PARAMETER_VALUE;
    case ErrorKind::OutOfRange: return ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE;
    case ErrorKind::NullValue: return ERRCODE_NULL_VALUE_NOT_ALLOWED;
    case ErrorKind::Subscript: return ERRCODE_ARRAY_SUBSCRIPT_ERROR;
    case ErrorKind::InvalidText: return ERRCODE_INVALID_TEXT_REPRESENTATION;
    case ErrorKind::InvalidBinary: return ERRCODE_INVALID_BINARY_REPRESENTATION;
    case ErrorKind::UndefinedColumn: return ERRCODE_UNDEFINED_COLUMN;
    case ErrorKind::UndefinedTable: return ERRCODE_UNDEFINED_TABLE;
    case ErrorKind::DatatypeMismatch: return ERRCODE_DATATYPE_MISMATCH;
    case ErrorKind::LimitExceeded: return ERRCODE_PROGRAM_LIMIT_EXCEEDED;
    case ErrorKind::DataCorrupted: return ERRCODE_DATA_CORRUPTED;
    case ErrorKind::Internal: return ERRCODE_INTERNAL_ERROR;
  }
  return ERRCODE_INTERNAL_ERROR;
}

void copy_text(char* dst, size_t cap, const char* src) { strlcpy(dst, src != nullptr ? src : "", cap); }

}  // namespace

Datum guarded_call(FunctionCallInfo fcinfo, Body body) {
  // Only plain data lives in this frame across the ereport calls below.
  constexpr size_t kCap = 1024;
  char message[kCap];
  char hint[kCap];
  char detail[kCap];
  message[0] = hint[0] = detail[0] = '\0';
  int sqlstate = 0;
  ErrorData* pg_error = nullptr;
  bool interrupted = false;
  Datum result = (Datum)0;

  try {
    result = body(fcinfo);
  } catch (const PgError& e) {
    pg_error = e.edata;
  } catch (const Interrupted&) {
    interrupted = true;
  } catch (const Error& e) {
    sqlstate = sqlstate_of(e.kind());
    copy_text(message, kCap, e.what());
    copy_text(hint, kCap, e.hint().c_str());
    copy_text(detail, kCap, e.detail().c_str());
  } catch (const std::bad_alloc&) {
    sqlstate = ERRCODE_OUT_OF_MEMORY;
    copy_text(message, kCap, "out of memory in morpheus");
    copy_text(hint, kCap, "Reduce the problem size or raise the server's memory limits.");
  } catch (const std::length_error& e) {
    sqlstate = ERRCODE_PROGRAM_LIMIT_EXCEEDED;
    copy_text(message, kCap, e.what());
  } catch (const std::invalid_argument& e) {
    sqlstate = ERRCODE_INVALID_PARAMETER_VALUE;
    copy_text(message, kCap, e.what());
  } catch (const std::domain_error& e) {
    sqlstate = ERRCODE_INVALID_PARAMETER_VALUE;
    copy_text(message, kCap, e.what());
  } catch (const std::out_of_range& e) {
    sqlstate = ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE;
    copy_text(message, kCap, e.what());
  } catch (const std::range_error& e) {
    sqlstate = ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE;
    copy_text(message, kCap, e.what());
  } catch (const std::overflow_error& e) {
    sqlstate = ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE;
    copy_text(message, kCap, e.what());
  } catch (const std::exception& e) {
    sqlstate = ERRCODE_INTERNAL_ERROR;
    copy_text(message, kCap, e.what());
  } catch (...) {
    sqlstate = ERRCODE_INTERNAL_ERROR;
    copy_text(message, kCap, "unknown C++ exception in morpheus");
  }

  // Every C++ frame of the body is gone: PostgreSQL may longjmp from here on.
  if (pg_error != nullptr) ReThrowError(pg_error);
  if (interrupted) {
    CHECK_FOR_INTERRUPTS();
    ereport(ERROR, (errcode(ERRCODE_QUERY_CANCELED), errmsg("canceling statement due to user request")));
  }
  if (sqlstate == ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE && fcinfo->flinfo != nullptr) {
    // A non-finite or overflowing result names the SQL function (docs/conventions.md), unless the message already
    // starts with it or the function is an internal helper (aggregate support functions name their aggregate).
    const char* fn = get_func_name(fcinfo->flinfo->fn_oid);
    if (fn != nullptr && fn[0] != '_' && strncmp(message, fn, strlen(fn)) != 0) {
      char prefixed[kCap];
      snprintf(prefixed, kCap, "%s: %s", fn, message);
      copy_text(message, kCap, prefixed);
    }
  }
  if (sqlstate != 0) {
    ereport(ERROR, (errcode(sqlstate), errmsg("%s", message), hint[0] != '\0' ? errhint("%s", hint) : 0,
                    detail[0] != '\0' ? errdetail("%s", detail) : 0));
  }
  return result;
}

void notice(const std::string& text) {
  const char* s = text.c_str();
  pg_call([s] { ereport(NOTICE, (errmsg_internal("%s", s))); });
}

}  // namespace morpheus::pg
