#include "core/model/model.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "core/errors.hpp"

namespace morpheus::model {
namespace {

constexpr const char* kHint = "Use a model returned by a morpheus trainer (or morpheus.load_model), unchanged.";

std::string str(std::int64_t v) { return std::to_string(v); }

[[noreturn]] void bad(const std::string& what, const std::string& message) {
  throw invalid_parameter(what + " is not a valid morpheus model: " + message, kHint);
}

std::int64_t checked_product(std::int64_t a, std::int64_t b, const std::string& what) {
  if (a < 0 || b < 0 || (a > 0 && b > std::numeric_limits<std::int64_t>::max() / a)) bad(what, "its shape overflows");
  return a * b;
}

}  // namespace

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::Linreg: return "linreg";
    case Kind::Logreg: return "logreg";
    case Kind::Glm: return "glm";
    case Kind::Kmeans: return "kmeans";
    case Kind::Gnmf: return "gnmf";
    case Kind::Mlp: return "mlp";
  }
  return "?";
}

Kind parse_kind(const std::string& s) {
  for (Kind k : {Kind::Linreg, Kind::Logreg, Kind::Glm, Kind::Kmeans, Kind::Gnmf, Kind::Mlp})
    if (s == kind_name(k)) return k;
  bad("model", "unknown kind \"" + s + "\"");
}

void validate(const Model& m, const std::string& what) {
  const auto p = static_cast<std::int64_t>(m.features.size());
  const auto np = static_cast<std::int64_t>(m.parameters.size());
  for (double v : m.parameters)
    if (!std::isfinite(v)) bad(what, "a parameter is not finite");
  for (std::int64_t s : m.shape)
    if (s < 1) bad(what, "its shape has an entry below 1");
  switch (m.kind) {
    case Kind::Linreg:
    case Kind::Logreg:
    case Kind::Glm: {
      const glm::Family f = glm::parse_family(m.family, "model family");
      if (m.kind == Kind::Linreg && f != glm::Family::LeastSquares) bad(what, "a linreg model is least_squares");
      if (m.kind == Kind::Logreg && f != glm::Family::Logistic) bad(what, "a logreg model is logistic");
      if (m.shape.size() != 2 || m.shape[1] != p + 1)
        bad(what, "shape must be {classes, features + 1} = {k, " + str(p + 1) + "}");
      const std::int64_t k = m.shape[0];
      if (f == glm::Family::Softmax ? k < 2 : k != 1)
        bad(what, "the number of parameter blocks does not fit the family");
      if (checked_product(k, p + 1, what) != np)
        bad(what, "it has " + str(np) + " parameters but its shape needs " + str(k * (p + 1)));
      if (f == glm::Family::Logistic && m.classes.size() != 2) bad(what, "a logistic model has two classes");
      if (f == glm::Family::Softmax && static_cast<std::int64_t>(m.classes.size()) != k)
        bad(what, "a softmax model has one class per parameter block");
      if (!m.intercept)
        for (std::int64_t c = 0; c < k; ++c)
          if (m.parameters[static_cast<size_t>(c * (p + 1) + p)] != 0)
            bad(what, "a model without intercept has a non-zero intercept parameter");
      break;
    }
    case Kind::Kmeans:
      if (m.shape.size() != 2 || m.shape[1] != p) bad(what, "shape must be {k, features}");
      if (checked_product(m.shape[0], p, what) != np) bad(what, "its parameters do not fill its shape");
      break;
    case Kind::Gnmf:
      if (m.shape.size() != 2 || m.shape[0] != p) bad(what, "shape must be {features, rank}");
      if (checked_product(p, m.shape[1], what) != np) bad(what, "its parameters do not fill its shape");
      break;
    case Kind::Mlp: {
      if (m.family != "mlp" && m.family != "resnet" && m.family != "linear")
        bad(what, "an mlp model's family is mlp, resnet or linear");
      if (m.shape.size() < 3) bad(what, "an mlp has an input, at least one hidden and an output layer");
      if (m.shape.front() != p) bad(what, "its first layer must have one input per feature");
      std::int64_t count = 0;
      for (size_t l = 0; l + 1 < m.shape.size(); ++l) {
        count += checked_product(m.shape[l], m.shape[l + 1], what) + m.shape[l + 1];
        if (count < 0 || count > np) bad(what, "its parameters do not fill its layers");
      }
      if (count != np) bad(what, "it has " + str(np) + " parameters but its layers need " + str(count));
      for (size_t l = 2; l + 1 < m.shape.size(); ++l)
        if (m.family == "resnet" && m.shape[l] != m.shape[1]) bad(what, "a resnet's hidden layers have one width");
      if (static_cast<std::int64_t>(m.classes.size()) != m.shape.back()) bad(what, "an mlp has one class per output");
      break;
    }
  }
}

Model model_from_glm(glm::Family family, std::int64_t features, std::int64_t classes,
                     const std::vector<double>& weights, Provenance p) {
  Model m;
  m.kind = Kind::Glm;
  m.family = glm::family_name(family);
  m.label = std::move(p.label);
  m.features = std::move(p.features);
  if (static_cast<std::int64_t>(m.features.size()) != features)
    for (std::int64_t j = static_cast<std::int64_t>(m.features.size()); j < features; ++j)
      m.features.push_back("features[" + str(j + 1) + "]");
  m.intercept = true;
  m.classes = std::move(p.classes);
  if (m.classes.empty()) {
    if (family == glm::Family::Logistic) m.classes = {"0", "1"};
    if (family == glm::Family::Softmax)
      for (std::int64_t c = 0; c < classes; ++c) m.classes.push_back(str(c));
  }
  m.shape = {classes, features + 1};
  m.parameters = weights;
  m.source = std::move(p.source);
  m.options = std::move(p.options);
  m.rows = p.rows;
  m.iterations = p.iterations;
  m.converged = p.converged;
  m.convergence_tested = p.convergence_tested;
  m.loss = std::move(p.loss);
  m.statistics = std::move(p.statistics);
  validate(m, "the GLM");
  return m;
}

Model model_from_mlp(const std::vector<std::int64_t>& layers, bool resnet, const std::vector<double>& flat,
                     Provenance p) {
  return model_from_mlp(layers, std::string(resnet ? "resnet" : "mlp"), flat, std::move(p));
}

Model model_from_mlp(const std::vector<std::int64_t>& layers, const std::string& family,
                     const std::vector<double>& flat, Provenance p) {
  Model m;
  m.kind = Kind::Mlp;
  m.family = family;
  m.label = std::move(p.label);
  m.features = std::move(p.features);
  const std::int64_t inputs = layers.empty() ? 0 : layers.front();
  for (std::int64_t j = static_cast<std::int64_t>(m.features.size()); j < inputs; ++j)
    m.features.push_back("features[" + str(j + 1) + "]");
  m.intercept = false;
  m.classes = std::move(p.classes);
  if (m.classes.empty() && !layers.empty())
    for (std::int64_t c = 0; c < layers.back(); ++c) m.classes.push_back(str(c));
  m.shape = layers;
  m.parameters = flat;
  m.source = std::move(p.source);
  m.options = std::move(p.options);
  m.rows = p.rows;
  m.iterations = p.iterations;
  m.converged = p.converged;
  m.convergence_tested = p.convergence_tested;
  m.loss = std::move(p.loss);
  m.statistics = std::move(p.statistics);
  validate(m, "the MLP");
  return m;
}

// ---- Json -----------------------------------------------------------------------------------------------------

std::string Json::quote(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string Json::number(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[40];
  for (int precision = 15; precision <= 17; ++precision) {  // the shortest of these that reads back exactly
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

void Json::key(const std::string& k) {
  if (!body_.empty()) body_ += ", ";
  body_ += quote(k) + ": ";
}

Json& Json::add(const std::string& k, double v) {
  key(k);
  body_ += number(v);
  return *this;
}

Json& Json::add(const std::string& k, std::int64_t v) {
  key(k);
  body_ += std::to_string(v);
  return *this;
}

Json& Json::add(const std::string& k, bool v) {
  key(k);
  body_ += v ? "true" : "false";
  return *this;
}

Json& Json::add(const std::string& k, const std::string& v) {
  key(k);
  body_ += quote(v);
  return *this;
}

Json& Json::add(const std::string& k, const std::vector<double>& v) {
  key(k);
  body_ += "[";
  for (size_t i = 0; i < v.size(); ++i) body_ += (i ? ", " : "") + number(v[i]);
  body_ += "]";
  return *this;
}

Json& Json::add(const std::string& k, const std::vector<std::int64_t>& v) {
  key(k);
  body_ += "[";
  for (size_t i = 0; i < v.size(); ++i) body_ += (i ? ", " : "") + std::to_string(v[i]);
  body_ += "]";
  return *this;
}

Json& Json::add(const std::string& k, const std::vector<std::string>& v) {
  key(k);
  body_ += "[";
  for (size_t i = 0; i < v.size(); ++i) body_ += (i ? ", " : "") + quote(v[i]);
  body_ += "]";
  return *this;
}

Json& Json::add_null(const std::string& k) {
  key(k);
  body_ += "null";
  return *this;
}

Json& Json::add_raw(const std::string& k, const std::string& json) {
  key(k);
  body_ += json;
  return *this;
}

}  // namespace morpheus::model
