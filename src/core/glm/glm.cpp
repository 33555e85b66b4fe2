#include "core/glm/glm.hpp"

#include "core/dense.hpp"
#include "core/errors.hpp"
#include "core/options.hpp"

namespace morpheus::glm {
namespace {

constexpr double kMaxClass = 100000.0;

}  // namespace

std::string family_list() {
  return choice_list<Family>({{"least_squares", Family::LeastSquares},
                              {"logistic", Family::Logistic},
                              {"softmax", Family::Softmax},
                              {"poisson", Family::Poisson}});
}

Family parse_family(std::string_view value, std::string_view argument) {
  return parse_choice<Family>(argument, value,
                              {{"least_squares", Family::LeastSquares},
                               {"logistic", Family::Logistic},
                               {"softmax", Family::Softmax},
                               {"poisson", Family::Poisson}});
}

Family parse_scalar_family(std::string_view value, std::string_view argument) {
  return parse_choice<Family>(
      argument, value,
      {{"least_squares", Family::LeastSquares}, {"logistic", Family::Logistic}, {"poisson", Family::Poisson}});
}

const char* family_name(Family f) {
  return choice_name<Family>(f, {{"least_squares", Family::LeastSquares},
                                 {"logistic", Family::Logistic},
                                 {"softmax", Family::Softmax},
                                 {"poisson", Family::Poisson}});
}

const char* negative_class(BinaryCoding c) {
  switch (c) {
    case BinaryCoding::ZeroOne: return "0";
    case BinaryCoding::PlusMinusOne: return "-1";
    case BinaryCoding::Boolean: return "false";
  }
  return "?";
}

const char* positive_class(BinaryCoding c) { return c == BinaryCoding::Boolean ? "true" : "1"; }

const char* label_problem(Family family, double y) {
  if (!std::isfinite(y)) return ", not a finite number";
  switch (family) {
    case Family::LeastSquares: return nullptr;
    case Family::Logistic: return y == 0 || y == 1 || y == -1 ? nullptr : ", not a binary label";
    case Family::Softmax:
      return y >= 0 && y == std::floor(y) && y <= kMaxClass ? nullptr : ", not a class 0, 1, 2, ...";
    case Family::Poisson: return y >= 0 ? nullptr : ", not a count >= 0";
  }
  return nullptr;
}

const char* label_hint(Family family) {
  switch (family) {
    case Family::LeastSquares: return "Labels must be finite numbers.";
    case Family::Logistic:
      return "Logistic labels are 0/1, -1/+1 or boolean; use family => 'softmax' for classes 0 .. k-1.";
    case Family::Softmax: return "Recode the classes as integers 0 .. k-1.";
    case Family::Poisson: return "Poisson labels are counts >= 0; use family => 'least_squares' for signed responses.";
  }
  return "";
}

std::int64_t check_labels(Family family, const double* y, std::int64_t n, const std::string& what, BinaryCoding* coding,
                          bool boolean) {
  double max_label = 0.0;
  std::int64_t first_zero = -1, first_minus = -1;
  for (std::int64_t r = 0; r < n; ++r) {
    const double v = y[r];
    if (const char* why = label_problem(family, v))
      throw invalid_parameter(what + " is " + format_number(v) + " in row " + std::to_string(r + 1) + why,
                              label_hint(family));
    if (v == 0 && first_zero < 0) first_zero = r;
    if (v == -1 && first_minus < 0) first_minus = r;
    max_label = std::max(max_label, v);
  }
  if (family == Family::Logistic && first_zero >= 0 && first_minus >= 0)
    throw invalid_parameter(what + " mixes 0 (row " + std::to_string(first_zero + 1) + ") and -1 (row " +
                                std::to_string(first_minus + 1) + ") labels",
                            "Use either 0/1 or -1/+1 labels, not both.");
  if (coding != nullptr)
    *coding = boolean ? BinaryCoding::Boolean : first_minus >= 0 ? BinaryCoding::PlusMinusOne : BinaryCoding::ZeroOne;
  if (family == Family::Softmax) return std::max<std::int64_t>(2, static_cast<std::int64_t>(max_label) + 1);
  return 1;
}

}  // namespace morpheus::glm
