// The one parser of text options ("choices" such as method => 'lbfgs' or family => 'logistic'). Every capability
// names its choices in a table and parses through parse_choice, so an unknown value reads the same everywhere:
//   ERROR:  unknown <argument> "<value>"        (SQLSTATE 22023)
//   HINT:   valid values: a, b, c
#pragma once
#include "core/no_postgres.hpp"

#include <initializer_list>
#include <string>
#include <string_view>

#include "core/errors.hpp"

namespace morpheus {

template <class E>
struct Choice {
  const char* name;
  E value;
};

// "a, b, c": the valid values in table order.
template <class E>
std::string choice_list(std::initializer_list<Choice<E>> choices) {
  std::string s;
  for (const auto& c : choices) {
    if (!s.empty()) s += ", ";
    s += c.name;
  }
  return s;
}

// The error for an unknown value of `argument` (also for callers that validate a choice themselves).
inline Error unknown_choice(std::string_view argument, std::string_view value, const std::string& valid) {
  return Error(ErrorKind::InvalidParameter, "unknown " + std::string(argument) + " \"" + std::string(value) + "\"",
               "valid values: " + valid);
}

// The value named `value` (exact, case-sensitive match) or the unknown-choice error naming `argument`.
template <class E>
E parse_choice(std::string_view argument, std::string_view value, std::initializer_list<Choice<E>> choices) {
  for (const auto& c : choices)
    if (value == c.name) return c.value;
  throw unknown_choice(argument, value, choice_list(choices));
}

// The name of `value` in the table ("?" if absent).
template <class E>
const char* choice_name(E value, std::initializer_list<Choice<E>> choices) {
  for (const auto& c : choices)
    if (c.value == value) return c.name;
  return "?";
}

}  // namespace morpheus
