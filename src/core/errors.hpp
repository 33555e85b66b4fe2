// Error types thrown by the core. The PostgreSQL boundary (src/pg/guard.cpp) maps each kind to its SQLSTATE.
#pragma once
#include "core/no_postgres.hpp"

#include <stdexcept>
#include <string>

namespace morpheus {

enum class ErrorKind {
  InvalidParameter,  // 22023 invalid_parameter_value
  OutOfRange,        // 22003 numeric_value_out_of_range
  NullValue,         // 22004 null_value_not_allowed
  Subscript,         // 2202E array_subscript_error
  InvalidText,       // 22P02 invalid_text_representation
  InvalidBinary,     // 22P03 invalid_binary_representation
  UndefinedColumn,   // 42703 undefined_column
  UndefinedTable,    // 42P01 undefined_table
  DatatypeMismatch,  // 42804 datatype_mismatch
  LimitExceeded,     // 54000 program_limit_exceeded
  DataCorrupted,     // XX001 data_corrupted
  Internal,          // XX000 internal_error
};

// An error with a SQLSTATE kind, a message naming the argument and values, and a hint saying how to fix it.
class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message, std::string hint = {}, std::string detail = {})
      : std::runtime_error(message), kind_(kind), hint_(std::move(hint)), detail_(std::move(detail)) {}
  ErrorKind kind() const noexcept { return kind_; }
  const std::string& hint() const noexcept { return hint_; }
  const std::string& detail() const noexcept { return detail_; }

 private:
  ErrorKind kind_;
  std::string hint_;
  std::string detail_;
};

// Thrown by interrupt checks when PostgreSQL asked to cancel or terminate; the boundary lets PostgreSQL raise its own
// error for it after every C++ frame is gone.
struct Interrupted {};

inline Error invalid_parameter(const std::string& msg, std::string hint = {}) {
  return Error(ErrorKind::InvalidParameter, msg, std::move(hint));
}
inline Error out_of_range(const std::string& msg, std::string hint = {}) {
  return Error(ErrorKind::OutOfRange, msg, std::move(hint));
}

}  // namespace morpheus
