// The model families behind draco::Learner: GLMs (glm.cpp, with or without intercept) and the MLP (mlp.cpp).
#include "core/draco/learner.hpp"

#include <algorithm>
#include <cmath>

#include "core/draco/draco.hpp"
#include "core/draco/mlp.hpp"
#include "core/errors.hpp"
#include "core/options.hpp"

namespace morpheus::draco {

namespace {
const std::initializer_list<Choice<Family>> kFamilies = {{"least_squares", Family::LeastSquares},
                                                         {"logistic", Family::Logistic},
                                                         {"softmax", Family::Softmax},
                                                         {"poisson", Family::Poisson},
                                                         {"mlp", Family::Mlp}};

Model glm_model(Family f) {
  switch (f) {
    case Family::LeastSquares: return Model::LeastSquares;
    case Family::Logistic: return Model::Logistic;
    case Family::Softmax: return Model::Softmax;
    default: return Model::Poisson;
  }
}

// A GLM of glm.cpp. glm.cpp's layout always holds an intercept per class block ([w_1..w_p, b]); without intercept
// the parameters are the K blocks [w_1..w_p] and the intercepts are held at zero: the weights are expanded with
// zero intercepts, and the intercept entries of the gradient dropped.
class GlmLearner final : public Learner {
 public:
  GlmLearner(Model m, std::int64_t features, std::int64_t classes, bool intercept) : intercept_(intercept) {
    g_.model = m;
    g_.features = features;
    g_.classes = m == Model::Softmax ? classes : 1;
    params_ = intercept ? g_.params() : g_.classes * features;
    blocks_.push_back({0, params_, "all"});
  }
  std::int64_t params() const override { return params_; }
  const std::vector<Block>& blocks() const override { return blocks_; }
  Vector initial(std::uint64_t) const override { return Vector::Zero(params_); }
  double gradient(const Dataset& d, const std::int64_t* rows, std::int64_t count, const double* w,
                  double* grad) const override {
    if (intercept_) return glm_gradient(g_, d, rows, count, w, grad);
    const Vector full = expand(w);
    Vector gfull = Vector::Zero(g_.params());
    const double loss = glm_gradient(g_, d, rows, count, full.data(), gfull.data());
    const std::int64_t p = g_.features;
    for (std::int64_t c = 0; c < g_.classes; ++c)
      for (std::int64_t j = 0; j < p; ++j) grad[c * p + j] += gfull[c * (p + 1) + j];
    return loss;
  }
  double accuracy(const Dataset& d, const double* w) const override {
    if (intercept_) return glm_accuracy(g_, d, w);
    const Vector full = expand(w);
    return glm_accuracy(g_, d, full.data());
  }
  double flops_per_row() const override { return 2.0 * static_cast<double>(g_.params()); }

 private:
  Vector expand(const double* w) const {
    const std::int64_t p = g_.features;
    Vector full = Vector::Zero(g_.params());
    for (std::int64_t c = 0; c < g_.classes; ++c)
      for (std::int64_t j = 0; j < p; ++j) full[c * (p + 1) + j] = w[c * p + j];
    return full;
  }
  Glm g_;
  bool intercept_;
  std::int64_t params_;
  std::vector<Block> blocks_;
};
}  // namespace

Family parse_family(const std::string& name) { return parse_choice("family", name, kFamilies); }
const char* family_name(Family f) { return choice_name(f, kFamilies); }

std::int64_t family_classes(Family f, const double* y, std::int64_t n, const char* source_arg) {
  if (f != Family::Mlp) return check_labels(glm_model(f), y, n, source_arg);
  // the MLP's classes are coded like softmax's
  return check_labels(Model::Softmax, y, n, source_arg);
}

std::unique_ptr<Learner> make_learner(const LearnerSpec& spec) {
  if (spec.features < 1) throw invalid_parameter("the data have no features", "Give at least one feature column.");
  if (spec.family == Family::Mlp) {
    std::vector<std::int64_t> sizes{spec.features};
    if (spec.hidden.empty())
      throw invalid_parameter("family mlp needs hidden_layers",
                              "Give hidden_layers, e.g. '{800, 500}' (the DRACO paper's network).");
    sizes.insert(sizes.end(), spec.hidden.begin(), spec.hidden.end());
    sizes.push_back(std::max<std::int64_t>(2, spec.classes));
    return std::make_unique<Mlp>(sizes);
  }
  if (!spec.hidden.empty())
    throw invalid_parameter(
        std::string("hidden_layers are given but family ") + family_name(spec.family) + " has no hidden layers",
        "Use family => 'mlp', or leave hidden_layers NULL.");
  const std::int64_t k = spec.family == Family::Softmax ? spec.classes : 1;
  const double params = static_cast<double>(k) * static_cast<double>(spec.features + (spec.intercept ? 1 : 0));
  if (params > static_cast<double>(kMaxLearnerParams))
    throw Error(ErrorKind::LimitExceeded, "the model would have " + format_number(params) + " parameters",
                "Use fewer features or classes (at most 50 million parameters).");
  return std::make_unique<GlmLearner>(glm_model(spec.family), spec.features, k, spec.intercept);
}

}  // namespace morpheus::draco
