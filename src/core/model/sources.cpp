#include "core/model/sources.hpp"

#include <string>

#include "core/errors.hpp"
#include "core/glm/glm.hpp"

namespace morpheus::model {

Model model_from_draco(draco::Family family, bool intercept, const std::vector<std::int64_t>& hidden,
                       std::int64_t features, std::int64_t classes, const std::vector<double>& weights, Provenance p) {
  const auto count = static_cast<std::int64_t>(weights.size());
  if (family == draco::Family::Mlp) {
    std::vector<std::int64_t> layers = {features};
    layers.insert(layers.end(), hidden.begin(), hidden.end());
    layers.push_back(classes);
    return model_from_mlp(layers, std::string("mlp"), weights, std::move(p));
  }
  const glm::Family f = glm::parse_family(draco::family_name(family), "family");
  const std::int64_t k = f == glm::Family::Softmax ? classes : 1;
  const std::int64_t block = features + (intercept ? 1 : 0);
  if (k < 1 || count != k * block)
    throw Error(ErrorKind::Internal, "DRACO returned " + std::to_string(count) + " weights for " + std::to_string(k) +
                                         " blocks of " + std::to_string(block));
  std::vector<double> full(static_cast<std::size_t>(k * (features + 1)), 0.0);
  for (std::int64_t c = 0; c < k; ++c)
    for (std::int64_t j = 0; j < block; ++j)
      full[static_cast<std::size_t>(c * (features + 1) + j)] = weights[static_cast<std::size_t>(c * block + j)];
  Model m = model_from_glm(f, features, k, full, std::move(p));
  m.intercept = intercept;
  validate(m, "the GLM");
  return m;
}

Model model_from_network(const sweep::Network& net, Provenance p) {
  const sweep::Arch& a = net.arch();
  std::vector<std::int64_t> layers = {a.inputs};
  for (std::int64_t j = 0; j < a.depth; ++j) layers.push_back(a.width);
  layers.push_back(a.outputs);
  std::vector<double> flat;
  flat.reserve(static_cast<std::size_t>(net.parameters()));
  for (std::size_t l = 0; l < net.w.size(); ++l) {
    // w[l] feeds hidden layer j = l + 1 (1-based); a skip there scales this product by alpha
    const double scale = net.has_skip(static_cast<std::int64_t>(l) + 1) ? a.residual_scale : 1.0;
    const RowMatrix& w = net.w[l];
    for (Eigen::Index i = 0; i < w.size(); ++i) flat.push_back(scale * w.data()[i]);
    for (Eigen::Index i = 0; i < net.b[l].size(); ++i) flat.push_back(scale * net.b[l][i]);
  }
  return model_from_mlp(layers, std::string(sweep::family_name(a.family)), flat, std::move(p));
}

}  // namespace morpheus::model
